//! A field a vendor takes on create alone (`on = ["create"]`), named in a canonical update, is
//! refused as one that cannot be changed after create, as the vendor's own surfaces say it,
//! rather than as one the vendor has no place for: whatever the update's strategy (a merge, a
//! read-merge-write), for a canonical field and an extension alike, and nothing is sent. One
//! it takes on update alone (`on = ["update"]`), named in a create, can only be set on update,
//! on the canonical API and on a surface in front of it alike.

mod support;

use serde_json::{Value, json};
use support::{dialects_with, gateway, journal, ok, send};

/// Desk and Relay (`tests/dialects`) with their URL set on create alone.
fn url_on_create() -> tempfile::TempDir {
    dialects_with(&[
        (
            "desk",
            "[fields.url]\npath = \"$.target\"\n",
            "[fields.url]\npath = \"$.target\"\non = [\"create\"]\n",
        ),
        (
            "relay",
            "[fields.url]\npath = \"$.target.url\"\n",
            "[fields.url]\npath = \"$.target.url\"\non = [\"create\"]\n",
        ),
    ])
}

/// What `hookgate translate` answers a canonical PATCH of `body` at `upstream` (each upstream
/// named after its dialect), the webhook read first being `current` where the update reads it.
fn patched(
    dir: &std::path::Path,
    (upstream, owner): (&str, &str),
    body: &Value,
    current: &Value,
) -> Value {
    let file = dir.join("current.json");
    std::fs::write(&file, current.to_string()).unwrap();
    let (shown, _) = support::translated(
        &format!(
            "mappings_dir = {:?}\n[inbound_auth]\nmode = \"off\"\n\
             [upstreams.{upstream}]\ndialect = \"{upstream}\"\nbase_url = \"https://{upstream}.vendor.test\"\nauth = {{ type = \"none\" }}\n",
            dir.to_str().unwrap()
        ),
        &[
            "--upstream",
            upstream,
            "--owner",
            owner,
            "PATCH",
            // An id every vendor here takes (Ward's are of its own shape).
            "/webhooks/P7ABCDE",
            "--body",
            &body.to_string(),
            "--current",
            file.to_str().unwrap(),
        ],
    );
    shown
}

#[test]
fn a_field_set_on_create_alone_cannot_be_changed_after_it() {
    let dir = url_on_create();
    let relay_hook = json!({"hook_id": 7, "project": "p1", "topics": ["a"], "disabled": false, "target": {"url": "https://example.com/r"}});
    let cases = [
        // A merge.
        (
            "desk",
            "ws1",
            json!({"url": "https://example.com/new"}),
            "url",
        ),
        (
            "desk",
            "ws1",
            json!({"url": "https://example.com/new", "enabled": false}),
            "url",
        ),
        // A read-merge-write.
        (
            "relay",
            "p1",
            json!({"url": "https://example.com/new"}),
            "url",
        ),
        // An extension the vendor takes on create alone (Ward's, as shipped).
        (
            "ward",
            "PSVC123",
            json!({"extensions": {"filter_type": "service_reference"}}),
            "extensions.filter_type",
        ),
        (
            "ward",
            "PSVC123",
            json!({"extensions": {"type": "webhook_subscription"}}),
            "extensions.type",
        ),
    ];
    for (upstream, owner, body, field) in cases {
        let shown = patched(dir.path(), (upstream, owner), &body, &relay_hook);
        let result = &shown["result"];
        assert_eq!(result["status"], 422, "{upstream} {body}: {shown}");
        assert_eq!(result["body"]["code"], "unsupported_field", "{upstream}");
        assert_eq!(
            result["body"]["errors"],
            json!([{"field": field, "message": format!("cannot be changed after create at upstream {upstream}")}]),
            "{upstream} {body}"
        );
        // Nothing is written.
        let writes = shown["requests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["method"] != "GET")
            .count();
        assert_eq!(writes, 0, "{upstream}: {shown}");
    }
    // A field the vendor has no place for at all is still not supported.
    let shown = patched(
        dir.path(),
        ("desk", "ws1"),
        &json!({"description": "x"}),
        &relay_hook,
    );
    assert_eq!(
        shown["result"]["body"]["errors"][0]["message"], "not supported by upstream desk",
        "{shown}"
    );
}

#[tokio::test]
async fn an_emulated_vendor_is_not_called_for_a_field_set_on_create_alone() {
    let dir = url_on_create();
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.desk]\ndialect = \"desk\"\nemulate = true\n",
        dir.path().to_str().unwrap()
    ))
    .await;
    let base = "/v1/upstreams/desk/owners/ws1/webhooks";
    let created = send(
        gw.addr,
        "POST",
        base,
        &[],
        Some(&json!({"url": "https://example.com/a", "events": ["task.added"]})),
    )
    .await;
    ok(&created, 201, "create");
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let called = journal(gw.emulators["desk"]).await.len();
    let patched = send(
        gw.addr,
        "PATCH",
        &format!("{base}/{id}"),
        &[],
        Some(&json!({"url": "https://example.com/b"})),
    )
    .await;
    ok(&patched, 422, "a change of the URL");
    assert_eq!(
        patched.json()["errors"][0]["message"],
        "cannot be changed after create at upstream desk"
    );
    assert_eq!(journal(gw.emulators["desk"]).await.len(), called);
    let read = send(gw.addr, "GET", &format!("{base}/{id}"), &[], None).await;
    assert_eq!(read.json()["url"], "https://example.com/a");
}

/// Desk with `enabled`, and Relay with `description`, set on update alone.
fn set_on_update() -> tempfile::TempDir {
    dialects_with(&[
        (
            "desk",
            "[fields.enabled]\npath = \"$.active\"\n",
            "[fields.enabled]\npath = \"$.active\"\non = [\"update\"]\n",
        ),
        (
            "relay",
            "[fields.description]\npath = \"$.label\"\n",
            "[fields.description]\npath = \"$.label\"\non = [\"update\"]\n",
        ),
    ])
}

#[test]
fn a_field_set_on_update_alone_is_refused_on_create_as_such() {
    let dir = set_on_update();
    let cases = [
        (
            "desk",
            "ws1",
            json!({"url": "https://example.com/a", "events": ["task.added"], "enabled": false}),
            json!([{"field": "enabled", "message": "can only be set on update at upstream desk"}]),
        ),
        (
            "desk",
            "ws1",
            json!({"url": "https://example.com/a", "events": ["task.added"], "enabled": true, "description": "d"}),
            json!([
                {"field": "enabled", "message": "can only be set on update at upstream desk"},
                {"field": "description", "message": "not supported by upstream desk"}
            ]),
        ),
        (
            "relay",
            "p1",
            json!({"url": "https://example.com/r", "events": ["a"], "description": "d"}),
            json!([{"field": "description", "message": "can only be set on update at upstream relay"}]),
        ),
    ];
    for (upstream, owner, body, errors) in cases {
        let (shown, _) = support::translated(
            &format!(
                "mappings_dir = {:?}\n[inbound_auth]\nmode = \"off\"\n\
                 [upstreams.{upstream}]\ndialect = \"{upstream}\"\nbase_url = \"https://{upstream}.vendor.test\"\nauth = {{ type = \"none\" }}\n",
                dir.path().to_str().unwrap()
            ),
            &[
                "--upstream",
                upstream,
                "--owner",
                owner,
                "POST",
                "/webhooks",
                "--body",
                &body.to_string(),
            ],
        );
        let result = &shown["result"];
        assert_eq!(result["status"], 422, "{upstream} {body}: {shown}");
        assert_eq!(result["body"]["code"], "unsupported_field", "{upstream}");
        let mut said = result["body"]["errors"].as_array().unwrap().clone();
        let mut expected = errors.as_array().unwrap().clone();
        let by_field = |e: &Value| e["field"].as_str().unwrap_or_default().to_owned();
        said.sort_by_key(by_field);
        expected.sort_by_key(by_field);
        assert_eq!(said, expected, "{upstream} {body}");
        assert_eq!(shown["requests"], json!([]), "{upstream}: {shown}");
    }
}

#[tokio::test]
async fn a_create_naming_a_field_set_on_update_alone_calls_nothing_and_the_update_sets_it() {
    let dir = set_on_update();
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.desk]\ndialect = \"desk\"\nemulate = true\n\
         [surfaces.relay]\ndialect = \"relay\"\nupstream = \"desk\"\nprefix = \"/relay\"\n",
        dir.path().to_str().unwrap()
    ))
    .await;
    let base = "/v1/upstreams/desk/owners/ws1/webhooks";
    let hook = json!({"url": "https://example.com/a", "events": ["task.added"]});
    let mut disabled = hook.clone();
    disabled["enabled"] = json!(false);
    let refused = send(gw.addr, "POST", base, &[], Some(&disabled)).await;
    ok(&refused, 422, "a create naming enabled");
    assert_eq!(
        refused.json()["errors"],
        json!([{"field": "enabled", "message": "can only be set on update at upstream desk"}])
    );
    assert_eq!(journal(gw.emulators["desk"]).await.len(), 0);
    // The surface's own rules take `disabled` on create; the upstream's do not.
    let by_surface = send(
        gw.addr,
        "POST",
        "/relay/api/projects/ws1/hooks",
        &[("authorization", "Bearer t")],
        Some(&json!({"hook": {"target": {"url": "https://example.com/s"}, "topics": ["task.added"], "disabled": true}})),
    )
    .await;
    let said = String::from_utf8_lossy(&by_surface.body).into_owned();
    assert!(by_surface.status >= 400, "{said}");
    assert!(
        said.contains("can only be set on update at upstream desk")
            && !said.contains("not supported"),
        "{said}"
    );
    assert_eq!(journal(gw.emulators["desk"]).await.len(), 0);
    // Created without it, the webhook takes it on update.
    let created = send(gw.addr, "POST", base, &[], Some(&hook)).await;
    ok(&created, 201, "create");
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let path = format!("{base}/{id}");
    let patched = send(
        gw.addr,
        "PATCH",
        &path,
        &[],
        Some(&json!({"enabled": false})),
    )
    .await;
    ok(&patched, 200, "an update of enabled");
    assert_eq!(patched.json()["enabled"], false);
}
