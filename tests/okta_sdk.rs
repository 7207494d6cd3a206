//! okta (2.9.13, installed from PyPI into a virtual environment the first time), Okta's Python
//! SDK, a client nobody here wrote, driven by `tests/sdk/okta_event_hooks.py` against
//! `tests/dialects/latch.toml`, a vendor spelt as Okta's event hooks: `status` changed only by
//! verbs of its own (`lifecycle/activate`, `lifecycle/deactivate`), a delete refused until the
//! hook is inactive, a full update as a PUT of the whole hook, constants a request must carry
//! (`channel.type`, `events.type`), refusals as causes of one sentence each. Against its
//! emulator, and through its surface in front of an emulator of a vendor whose webhooks are
//! enabled in their body. And the gateway against a double answering Okta's documented bodies:
//! a canonical `enabled` becomes the verb, a delete disables first, and a PUT that would reset
//! the hook's secret is refused.

mod support;

use serde_json::{Map, Value, json};
use support::gateway;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sdk/okta_event_hooks.py");
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");

async fn drive(base: String, scheme: &str) -> Map<String, Value> {
    let python = support::sdk::python_with("okta", "2.9.13");
    support::sdk::steps(python, SCRIPT, vec![base, scheme.to_owned()]).await
}

/// What every run must show, wherever the hooks are kept.
fn the_sdk_saw_the_vendors_answers(steps: &Map<String, Value>, auth_header: Value) {
    let made = json!({"name": "Event Hook Test", "status": "ACTIVE",
        "events": ["user.lifecycle.create", "user.lifecycle.activate"],
        "uri": "https://example.com/eventHook",
        "headers": [{"key": "X-Other-Header", "value": "my-header-value"}],
        "auth_header": auth_header, "secret_shown": false});
    assert_eq!(
        steps["create"], made,
        "created ACTIVE; the secret never shown"
    );
    assert_eq!(steps["get"], made);
    let mut off = made.clone();
    off["status"] = json!("INACTIVE");
    assert_eq!(steps["deactivate"], off, "a verb of its own");
    assert_eq!(steps["activate"], made);
    assert_eq!(steps["replace"]["name"], "Renamed");
    assert_eq!(steps["replace"]["events"], json!(["user.lifecycle.create"]));
    assert_eq!(
        steps["replace"]["status"], "ACTIVE",
        "a PUT leaves the status"
    );
    assert_eq!(steps["list"]["ids"], steps["list"]["made"], "{steps:?}");
    let active = &steps["delete active"];
    assert_eq!(active["status"], 409, "{active}");
    assert_eq!(active["body"]["errorCauses"], json!([]));
    assert!(
        active["body"]["errorSummary"]
            .as_str()
            .is_some_and(|s| s.contains("disable it before deleting it")),
        "{active}"
    );
    assert_eq!(steps["delete"], json!({"status": 204, "accepted": true}));
    assert_eq!(steps["missing"]["status"], 404);
    assert_eq!(steps["missing"]["body"]["errorCode"], "E0000007");
    assert_eq!(
        steps["no name"]["body"],
        json!({"errorCode": "E0000001", "errorSummary": "Api validation failed: name",
            "errorLink": "E0000001", "errorId": steps["no name"]["body"]["errorId"],
            "errorCauses": [{"errorSummary": "name: is required"}]})
    );
    assert_eq!(steps["no name"]["status"], 400);
}

#[tokio::test]
async fn the_sdk_works_against_the_emulator() {
    let gw = support::gateway_emulating(DIR, "latch").await;
    let steps = drive(format!("http://{}", gw.emulators["latch"]), "scheme").await;
    the_sdk_saw_the_vendors_answers(&steps, json!("Authorization"));
}

#[tokio::test]
async fn the_sdk_works_through_its_surface_in_front_of_a_vendor_that_enables_in_the_body() {
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.tariff]\ndialect = \"tariff\"\nemulate = true\n\
         [surfaces.latch]\ndialect = \"latch\"\nupstream = \"tariff\"\nprefix = \"/latch\"\n"
    ))
    .await;
    let steps = drive(format!("http://{}/latch", gw.addr), "none").await;
    the_sdk_saw_the_vendors_answers(&steps, Value::Null);
    // The vendor behind keeps no header name for the secret: refused, not dropped.
    let scheme = &steps["scheme"];
    assert_eq!(scheme["status"], 422, "{scheme}");
    assert_eq!(scheme["body"]["errorCode"], "UNSUPPORTED_FIELD", "{scheme}");
    assert!(
        scheme["body"]["errorSummary"]
            .as_str()
            .is_some_and(|s| s.contains("channel.config.authScheme.key")),
        "{scheme}"
    );
}

/// Okta's event hook object, as its API reference prints it.
fn documented(status: &str, name: &str) -> Value {
    json!({"id": "whoql0HfiLGPWc8Jd0g3", "status": status, "verificationStatus": "VERIFIED",
        "name": name, "description": null, "created": "2023-07-21T21:21:41.000Z",
        "createdBy": "00u1l0gLd61WTJm9L0g4", "lastUpdated": "2023-07-21T21:21:41.000Z",
        "events": {"type": "EVENT_TYPE", "items": ["user.lifecycle.create"], "filter": null},
        "channel": {"type": "HTTP", "version": "1.0.0", "config": {
            "uri": "https://example.com/eventHook",
            "headers": [{"key": "X-Other-Header", "value": "my-header-value"}],
            "method": "POST", "authScheme": {"type": "HEADER", "key": "Authorization"}}}})
}

#[tokio::test]
async fn the_gateway_sets_status_by_the_vendors_verbs_and_disables_before_it_deletes() {
    let vendor = support::Double::start(vec![
        // A create asked disabled: made ACTIVE, then deactivated.
        support::Reply::json(200, documented("ACTIVE", "Hook")),
        support::Reply::json(200, documented("INACTIVE", "Hook")),
        // A change of the name alone: read, then the whole hook PUT.
        support::Reply::json(200, documented("INACTIVE", "Hook")),
        support::Reply::json(200, documented("INACTIVE", "Renamed")),
        // `enabled` alone: the verb, no PUT.
        support::Reply::json(200, documented("ACTIVE", "Renamed")),
        // A delete: deactivated, then deleted.
        support::Reply::json(200, documented("INACTIVE", "Renamed")),
        support::Reply::Raw {
            status: 204,
            headers: Vec::new(),
            body: String::new(),
        },
        // A refusal, as Okta writes one.
        support::Reply::json(
            400,
            json!({"errorCode": "E0000001", "errorSummary": "Api validation failed: eventHook",
                "errorLink": "E0000001", "errorId": "oaeXBxNMu0MRfKL8VwKLMbnsQ",
                "errorCauses": [{"errorSummary": "channel.config.uri: The URI must be HTTPS."}]}),
        ),
    ])
    .await;
    let gw = support::gateway_over(DIR, "latch", &vendor).await;
    let hooks = "/v1/upstreams/latch/webhooks";
    let hook = format!("{hooks}/whoql0HfiLGPWc8Jd0g3");

    let body = json!({"url": "https://example.com/eventHook", "events": ["user.lifecycle.create"],
        "description": "Hook", "secret": "my-shared-secret", "enabled": false,
        "headers": {"X-Other-Header": "my-header-value"}});
    let made = support::send(gw.addr, "POST", hooks, &[], Some(&body)).await;
    support::ok(&made, 201, "a create asked disabled");
    assert_eq!(made.json()["enabled"], false);
    let seen = vendor.seen();
    let created = seen[0].json().expect("a body");
    assert_eq!(
        created.get("status"),
        None,
        "status is no member of a create"
    );
    assert_eq!(
        created["channel"]["type"], "HTTP",
        "the constants a create carries"
    );
    assert_eq!(created["events"]["type"], "EVENT_TYPE");
    assert_eq!(
        created["channel"]["config"]["authScheme"]["value"],
        "my-shared-secret"
    );
    assert_eq!(
        (seen[1].method.as_str(), seen[1].path.as_str()),
        (
            "POST",
            "/api/v1/eventHooks/whoql0HfiLGPWc8Jd0g3/lifecycle/deactivate"
        )
    );

    // The PUT takes the whole hook, and Okta never answers the secret: a change that does not
    // restate it would reset it.
    let rename = json!({"description": "Renamed"});
    let refused = support::send(gw.addr, "PATCH", &hook, &[], Some(&rename)).await;
    support::ok(&refused, 422, "a PUT that would reset the secret");
    assert_eq!(refused.json()["errors"][0]["field"], "secret");
    assert_eq!(vendor.seen().len(), 2, "refused before any call");
    let rename = json!({"description": "Renamed", "secret": "my-shared-secret"});
    let renamed = support::send(gw.addr, "PATCH", &hook, &[], Some(&rename)).await;
    support::ok(&renamed, 200, "a rename");
    assert_eq!(renamed.json()["description"], "Renamed");
    let seen = vendor.seen();
    assert_eq!(seen[3].method, "PUT");
    let put = seen[3].json().expect("a body");
    assert_eq!(
        put["channel"]["version"], "1.0.0",
        "the constants a PUT carries"
    );
    assert_eq!(put["events"]["type"], "EVENT_TYPE");
    assert_eq!(put["name"], "Renamed");
    assert_eq!(put.get("status"), None);
    assert_eq!(
        put["channel"]["config"]["headers"],
        json!([{"key": "X-Other-Header", "value": "my-header-value"}]),
        "what the change did not name, as it was"
    );

    let on = support::send(
        gw.addr,
        "PATCH",
        &hook,
        &[],
        Some(&json!({"enabled": true})),
    )
    .await;
    support::ok(&on, 200, "enabled alone");
    assert_eq!(on.json()["enabled"], true);
    let seen = vendor.seen();
    assert_eq!(seen.len(), 5, "the verb alone");
    assert!(
        seen[4].path.ends_with("/lifecycle/activate"),
        "{}",
        seen[4].path
    );

    let gone = support::send(gw.addr, "DELETE", &hook, &[], None).await;
    support::ok(&gone, 204, "a delete");
    let seen = vendor.seen();
    assert!(seen[5].path.ends_with("/lifecycle/deactivate"));
    assert_eq!(seen[6].method, "DELETE");

    let refused = support::send(gw.addr, "POST", hooks, &[], Some(&body)).await;
    support::ok(&refused, 422, "Okta's refusal");
    let problem = refused.json();
    assert_eq!(problem["upstream"]["code"], "E0000001");
    assert_eq!(
        problem["upstream"]["request_id"],
        "oaeXBxNMu0MRfKL8VwKLMbnsQ"
    );
    assert_eq!(
        problem["errors"],
        json!([{"field": "", "message": "channel.config.uri: The URI must be HTTPS."}])
    );
}

#[tokio::test]
async fn a_file_that_calls_disable_first_must_declare_it_and_only_on_a_delete() {
    let text = std::fs::read_to_string(format!("{DIR}/latch.toml")).expect("latch.toml");
    let (head, tail) = text.split_once("[operations.disable]").expect("a disable");
    let (_, rest) = tail.split_once("[errors]").expect("errors after it");
    let errors = support::refused_mapping("latch", &format!("{head}[errors]{rest}"));
    assert!(
        errors.iter().any(|e| e.contains("operations.delete.first")),
        "{errors:?}"
    );
    let moved: String = text
        .lines()
        .filter(|l| !l.starts_with("first = "))
        .map(|l| match l {
            "[operations.get]" => "[operations.get]\nfirst = [\"disable\"]\n".to_owned(),
            l => format!("{l}\n"),
        })
        .collect();
    let errors = support::refused_mapping("latch", &moved);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("only `delete` calls `disable` first")),
        "{errors:?}"
    );
}

#[tokio::test]
async fn a_create_whose_verb_fails_names_the_webhook_it_made() {
    let gw = support::gateway_emulating(DIR, "latch").await;
    let faults = json!({"script": [{"operations": ["disable"], "status": 503}]});
    let put = support::send(
        gw.addr,
        "PUT",
        "/__hookgate/emulators/latch/faults",
        &[],
        Some(&faults),
    )
    .await;
    support::ok(&put, 200, "faults");
    let body = json!({"url": "https://example.com/h", "events": ["user.lifecycle.create"],
        "description": "Hook", "enabled": false});
    let failed = support::send(
        gw.addr,
        "POST",
        "/v1/upstreams/latch/webhooks",
        &[],
        Some(&body),
    )
    .await;
    let detail = failed.json()["detail"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(failed.status >= 500, "{detail}");
    let listed = support::send(gw.addr, "GET", "/v1/upstreams/latch/webhooks", &[], None).await;
    let id = listed.json()["data"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!id.is_empty(), "{}", listed.json());
    assert!(
        detail.contains(&format!("webhook {id} was created")),
        "the client is told what exists: {detail}"
    );
}

/// Every dialect that sets `enabled` by verbs of its own, as a vendor that has those verbs and
/// no update at all (its `update` and `replace` taken out), in a folder of its own.
fn verbs_without_update() -> (tempfile::TempDir, Vec<hookgate::mapping::Dialect>) {
    use hookgate::model::Action;
    let dir = tempfile::tempdir().unwrap();
    let mut made = Vec::new();
    for folder in [support::MAPPINGS, support::TEST_DIALECTS] {
        for d in hookgate::mapping::load_dir(std::path::Path::new(folder)).unwrap() {
            if d.operation(Action::Enable).is_none() || d.operation(Action::Disable).is_none() {
                continue;
            }
            let file = std::path::Path::new(folder).join(format!("{}.toml", d.name));
            let mut table: toml::Table = std::fs::read_to_string(file).unwrap().parse().unwrap();
            let ops = table["operations"].as_table_mut().unwrap();
            ops.remove("update");
            ops.remove("replace");
            let name = format!("{}-verbs", d.name);
            let text = toml::to_string(&table).unwrap();
            let path = dir.path().join(format!("{name}.toml"));
            match hookgate::mapping::Dialect::compile(&name, &path, &text) {
                Ok(variant) => {
                    std::fs::write(path, text).unwrap();
                    made.push(variant);
                }
                Err(e) => panic!("{name}: {e:?}"),
            }
        }
    }
    assert!(!made.is_empty(), "no dialect sets `enabled` by verbs");
    (dir, made)
}

#[tokio::test]
async fn enabled_alone_is_the_verb_alone_at_a_vendor_without_an_update() {
    let (dir, dialects) = verbs_without_update();
    for d in &dialects {
        let name = &d.name;
        let gw = support::gateway_emulating(dir.path().to_str().unwrap(), name).await;
        let emu = gw.emulators[name.as_str()];
        let upstreams = support::send(gw.addr, "GET", "/v1/upstreams", &[], None).await;
        let writable = upstreams.json()["data"][0]["writable_fields"].clone();
        assert!(
            writable.as_array().unwrap().contains(&json!("enabled")),
            "{name}: {writable}"
        );
        assert!(
            !writable.as_array().unwrap().contains(&json!("owner")),
            "{name}: an owner is named by the path: {writable}"
        );
        let base = support::canonical_base(d, name);
        let made = support::send(gw.addr, "POST", &base, &[], Some(&support::create_body(d))).await;
        support::ok(&made, 201, "create");
        let id = made.json()["id"].as_str().unwrap().to_owned();
        let at = format!("{base}/{id}");
        let before = support::journal(emu).await.len();
        for enabled in [false, true, false] {
            let change = json!({ "enabled": enabled });
            let changed = support::send(gw.addr, "PATCH", &at, &[], Some(&change)).await;
            support::ok(&changed, 200, &format!("{name}: {change}"));
            assert_eq!(changed.json()["enabled"], json!(enabled), "{name}");
            let read = support::send(gw.addr, "GET", &at, &[], None).await;
            assert_eq!(read.json()["enabled"], json!(enabled), "{name}");
        }
        let calls: Vec<Value> = support::journal(emu).await.split_off(before);
        let operations: Vec<&str> = calls
            .iter()
            .filter_map(|c| c["operation"].as_str())
            .filter(|o| *o != "get")
            .collect();
        assert_eq!(operations, ["disable", "enable", "disable"], "{name}");
        // Anything else of the webhook is refused whole, before any call.
        let more = json!({ "enabled": true, "url": "https://example.com/elsewhere" });
        let refused = support::send(gw.addr, "PATCH", &at, &[], Some(&more)).await;
        assert_eq!(refused.status, 501, "{name}: {}", refused.json());
        let read = support::send(gw.addr, "GET", &at, &[], None).await;
        assert_eq!(read.json()["enabled"], json!(false), "{name}");
        gw.stop().await;
    }
}
