//! A member a vendor answers as `null` in place of a value (Microsoft Graph's `clientState`,
//! written by requests and answered as `null`): `render_default = "{{null}}"` is that `null`,
//! which TOML cannot write, as `"{{null}}"` is in templates. And `nullable` on a rule only
//! requests carry says what requests do with `null`, never that answers show it. Over
//! test-local copies of `tests/dialects/squeeze.toml`, its emulator, a surface of it, and a
//! scripted vendor.

mod support;

use serde_json::{Value, json};
use support::{Double, Reply, dialects_with, gateway, gateway_over, ok, send};

const TYPE: &str = "application/vnd.api+json";
const SECRET: &str = "[fields.secret]\npath = \"$.attributes.secret\"\nin = [\"request\"]";

/// Squeeze's text with the signing secret (only requests carry it) answered as `spelt`.
fn secret_shown_as(spelt: &str) -> String {
    let base =
        std::fs::read_to_string(std::path::Path::new(support::TEST_DIALECTS).join("squeeze.toml"))
            .unwrap();
    assert!(base.contains(SECRET));
    base.replacen(SECRET, &format!("{SECRET}\nrender_default = {spelt}"), 1)
}

/// `dir`'s Squeeze with its example answering `member` (of `attributes`) as `null`, as a
/// vendor that shows one in its place does: JSON text, since TOML has no `null`.
fn answered_null(dir: &std::path::Path, member: &str) {
    let file = dir.join("squeeze.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let at = text.find("[[examples]]").unwrap();
    let example = format!(
        r#"examples = ['''
{{"type": "webhooks", "id": "1", "attributes": {{"store_id": 1, "url": "https://mysite.com/webhooks/", "events": ["order_created"], "{member}": null, "created_at": "2022-06-07T08:32:47.000000Z", "updated_at": "2022-06-07T08:32:47.000000Z"}}}}
''']
"#
    );
    std::fs::write(file, format!("{example}{}", &text[..at])).unwrap();
}

#[test]
fn a_null_shown_for_none_round_trips_the_documented_webhook() {
    // The documented webhook, which shows the secret as `null`, as JSON text (TOML has no
    // `null`).
    let example = r#"examples = ['''
{"type": "webhooks", "id": "1", "attributes": {"store_id": 1, "url": "https://mysite.com/webhooks/", "events": ["order_created"], "secret": null, "created_at": "2022-06-07T08:32:47.000000Z", "updated_at": "2022-06-07T08:32:47.000000Z"}}
''']
"#;
    for spelt in ["\"{{null}}\"", "\"{{ null }}\"", "\" {{null}} \""] {
        let text = secret_shown_as(spelt);
        let at = text.find("[[examples]]").unwrap();
        let text = format!("{example}{}", &text[..at]);
        let dialect =
            hookgate::mapping::compile::compile("squeeze", std::path::Path::new("s.toml"), &text)
                .unwrap_or_else(|e| panic!("{spelt}: {e:?}"));
        let secret = dialect.webhook.rules.iter().find(|r| r.target.is("secret"));
        assert_eq!(
            secret.and_then(|r| r.render_default.clone()),
            Some(Value::Null),
            "{spelt}"
        );
        let problems = hookgate::examples::round_trip_all(std::iter::once(&dialect));
        assert!(problems.is_empty(), "{spelt}: {problems:?}");
    }
}

#[test]
fn a_null_shown_for_none_passes_any_codec_as_it_is() {
    // A value a codec writes must survive it both ways; a `null` shown for none is written
    // as it is, whatever the codec.
    let base =
        std::fs::read_to_string(std::path::Path::new(support::TEST_DIALECTS).join("squeeze.toml"))
            .unwrap();
    let owner = "[fields.owner]\npath = \"$.attributes.store_id\"\ncodec = \"int_string\"";
    assert!(base.contains(owner));
    let text = base.replacen(
        owner,
        &format!("{owner}\nrender_default = \"{{{{null}}}}\""),
        1,
    );
    hookgate::mapping::compile::compile("squeeze", std::path::Path::new("s.toml"), &text)
        .unwrap_or_else(|e| panic!("{e:?}"));
    // Any other text is the vendor's, and held to the codec.
    let text = base.replacen(
        owner,
        &format!("{owner}\nrender_default = \"{{{{none}}}}\""),
        1,
    );
    assert!(
        hookgate::mapping::compile::compile("squeeze", std::path::Path::new("s.toml"), &text)
            .is_err()
    );
}

#[tokio::test]
async fn emulators_and_surfaces_answer_the_member_as_null() {
    let dir = dialects_with(&[(
        "squeeze",
        SECRET,
        "[fields.secret]\npath = \"$.attributes.secret\"\nin = [\"request\"]\nrender_default = \"{{null}}\"",
    )]);
    answered_null(dir.path(), "secret");
    let at = dir.path().to_str().unwrap();
    let gw = gateway(&format!(
        "mappings_dir = {at:?}\n[upstreams.squeeze]\ndialect = \"squeeze\"\nemulate = true\n\
         [upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [surfaces.squeeze]\ndialect = \"squeeze\"\nupstream = \"relay\"\nprefix = \"/sq\"\nowner = \"1\"\n"
    ))
    .await;
    let bearer = [("authorization", "Bearer t"), ("content-type", TYPE)];
    for (at, prefix) in [(gw.emulators["squeeze"], ""), (gw.addr, "/sq")] {
        let hooks = format!("{prefix}/v1/webhooks");
        let mut create = json!({"data": {"type": "webhooks",
            "attributes": {"url": "https://mysite.com/webhooks/", "events": ["order_created"]},
            "relationships": {"store": {"data": {"type": "stores", "id": "1"}}}}});
        if prefix.is_empty() {
            create["data"]["attributes"]["secret"] = json!("SIGNING_SECRET");
        }
        let made = send(at, "POST", &hooks, &bearer, Some(&create)).await;
        ok(&made, 201, &hooks);
        let id = made.json()["data"]["id"].as_str().unwrap().to_owned();
        let read = send(at, "GET", &format!("{hooks}/{id}"), &bearer, None).await;
        ok(&read, 200, "get");
        let listed = send(
            at,
            "GET",
            &format!("{hooks}?filter[store_id]=1"),
            &bearer,
            None,
        )
        .await;
        ok(&listed, 200, "list");
        let item = listed.json()["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["id"] == id.as_str())
            .cloned()
            .unwrap();
        for (what, data) in [
            ("create", made.json()["data"].clone()),
            ("get", read.json()["data"].clone()),
            ("list", item),
        ] {
            let attributes = data["attributes"].as_object().unwrap();
            assert_eq!(
                attributes.get("secret"),
                Some(&Value::Null),
                "{hooks} {what}: {data}"
            );
        }
    }
}

/// Squeeze with a description only requests carry, spelt `more`.
fn description(more: &str) -> tempfile::TempDir {
    let rule = format!(
        "[fields.description]\npath = \"$.attributes.description\"\nin = [\"request\"]\n{more}\n[fields.url]"
    );
    dialects_with(&[("squeeze", "[fields.url]", &rule)])
}

/// Webhook 1 as the vendor answers it.
fn answered() -> Value {
    json!({"data": {"type": "webhooks", "id": "1", "attributes": {"store_id": 1,
        "url": "https://mysite.com/webhooks/", "events": ["order_created"]}}})
}

#[tokio::test]
async fn nullable_on_a_member_only_requests_carry_says_requests_send_null() {
    // A clear is sent as `null`, where the vendor takes one.
    let dir = description("nullable = true");
    let vendor = Double::start(vec![
        Reply::json(200, answered()),
        Reply::json(200, answered()),
    ])
    .await;
    let gw = gateway_over(dir.path().to_str().unwrap(), "squeeze", &vendor).await;
    let hook = "/v1/upstreams/squeeze/owners/1/webhooks/1";
    let cleared = send(
        gw.addr,
        "PATCH",
        hook,
        &[],
        Some(&json!({"description": null})),
    )
    .await;
    ok(&cleared, 200, "clear");
    let sent = vendor.seen()[1].json().unwrap();
    assert_eq!(
        sent["data"]["attributes"],
        json!({"description": null}),
        "{sent}"
    );
    // Without it, the vendor has no `null` for it: a clear is refused, not sent.
    let dir = description("");
    let vendor = Double::start(vec![Reply::json(200, answered())]).await;
    let gw = gateway_over(dir.path().to_str().unwrap(), "squeeze", &vendor).await;
    let refused = send(
        gw.addr,
        "PATCH",
        hook,
        &[],
        Some(&json!({"description": null})),
    )
    .await;
    ok(&refused, 422, "clear refused");
}

#[tokio::test]
async fn nullable_on_a_member_only_requests_carry_shows_no_null_in_answers() {
    // Its clients may send `null`, and answers do not carry the member: renders write
    // nothing for it. A `null` in its place is `render_default = "{{null}}"`.
    for (more, shown) in [
        ("nullable = true", None),
        (
            "nullable = true\nrender_default = \"{{null}}\"",
            Some(Value::Null),
        ),
    ] {
        let dir = description(more);
        if shown.is_some() {
            answered_null(dir.path(), "description");
        }
        let gw = support::gateway_emulating(dir.path().to_str().unwrap(), "squeeze").await;
        let bearer = [("authorization", "Bearer t"), ("content-type", TYPE)];
        let create = json!({"data": {"type": "webhooks",
            "attributes": {"url": "https://mysite.com/webhooks/", "events": ["order_created"],
                "description": null},
            "relationships": {"store": {"data": {"type": "stores", "id": "1"}}}}});
        let at = gw.emulators["squeeze"];
        let made = send(at, "POST", "/v1/webhooks", &bearer, Some(&create)).await;
        ok(&made, 201, more);
        let id = made.json()["data"]["id"].as_str().unwrap().to_owned();
        let read = send(at, "GET", &format!("/v1/webhooks/{id}"), &bearer, None).await;
        ok(&read, 200, more);
        let attributes = read.json()["data"]["attributes"].clone();
        assert_eq!(
            attributes.get("description"),
            shown.as_ref(),
            "{more}: {attributes}"
        );
    }
}

/// A description cleared at a vendor that spells no label as `""` (relay's `empty_is_null`
/// `label`) is kept by its emulator as that `""`, as the vendor answers it, and read back as
/// `null`; a label given again replaces it. The emulator's state file keeps it so across a
/// restart.
#[tokio::test]
async fn an_emulator_answers_a_value_cleared_through_empty_is_null_as_the_vendor_spells_it() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
    let state = tempfile::tempdir().unwrap();
    let config = format!(
        "mappings_dir = {dir:?}\n[upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [upstreams.relay.emulator]\nstate = {:?}\n",
        state.path().join("relay.json")
    );
    let gw = support::gateway(&config).await;
    let base = "/v1/upstreams/relay/owners/p1/webhooks";
    let body = json!({"url": "https://example.com/h", "events": ["a.b"], "description": "x"});
    let made = send(gw.addr, "POST", base, &[], Some(&body)).await;
    ok(&made, 201, "a create");
    let one = format!("{base}/{}", support::id_text(&made.json()["id"]));
    for (patch, label, description) in [
        (json!({"description": null}), json!(""), Value::Null),
        (json!({"description": "y"}), json!("y"), json!("y")),
        (
            json!({"description": null, "enabled": false}),
            json!(""),
            Value::Null,
        ),
    ] {
        let changed = send(gw.addr, "PATCH", &one, &[], Some(&patch)).await;
        ok(&changed, 200, "an update");
        assert_eq!(changed.json()["description"], description, "{patch}");
        let hooks = support::relay_hooks(gw.emulators["relay"], "p1").await;
        assert_eq!(hooks[0].get("label"), Some(&label), "{patch}: {hooks:?}");
        let read = send(gw.addr, "GET", &one, &[], None).await;
        assert_eq!(
            read.json().get("description"),
            Some(&description),
            "{patch}"
        );
    }
    let cleared = json!({"url": "https://example.com/h", "events": ["a.b"], "description": null});
    let made = send(gw.addr, "POST", base, &[], Some(&cleared)).await;
    ok(&made, 201, "a create of a cleared description");
    assert_eq!(made.json()["description"], Value::Null);
    let before = support::relay_hooks(gw.emulators["relay"], "p1").await;
    assert_eq!(before[0].get("label"), Some(&json!("")), "{before:?}");
    gw.stop().await;
    let gw = support::gateway(&config).await;
    let after = support::relay_hooks(gw.emulators["relay"], "p1").await;
    assert_eq!(after, before, "after a restart");
    gw.stop().await;
}
