//! A vendor that refuses request members it does not know (`[dialect] unknown_members =
//! "refused"`): its emulators and surfaces refuse a body holding a member no rule names, at the
//! top, inside an object that rules' places are in, or beside the webhook in the body's
//! envelope, in the vendor's validation shape and naming each, before anything is called. A
//! file that says nothing ignores them, as before. Fixture: `tests/dialects/latch.toml` (Okta's
//! event hooks: `channel.config.uri` and the like), made to refuse them, its create's body
//! wrapped in an envelope.

mod support;

use serde_json::{Value, json};
use support::{Answer, gateway, ok, send};

const AUTH: (&str, &str) = ("authorization", "SSWS t0ken");
const CREATE_BODY: &str = "path = \"/eventHooks\"\nbody = \"{{webhook}}\"";
const WRAPPED: &str = "path = \"/eventHooks\"\nbody = { eventHook = \"{{webhook}}\" }";

/// The test dialects, Latch refusing unknown members where `refused`, its create's body
/// wrapped as `{"eventHook": …}` where `wrapped`.
fn dialects(refused: bool, wrapped: bool) -> tempfile::TempDir {
    let mut edits = Vec::new();
    if refused {
        edits.push((
            "latch",
            "[dialect]\n",
            "[dialect]\nunknown_members = \"refused\"\n",
        ));
    }
    if wrapped {
        edits.push(("latch", CREATE_BODY, WRAPPED));
    }
    let dir = support::dialects_with(&edits);
    let svix = concat!(env!("CARGO_MANIFEST_DIR"), "/mappings/svix.toml");
    std::fs::copy(svix, dir.path().join("svix.toml")).unwrap();
    dir
}

/// A whole Latch event hook.
fn hook() -> Value {
    json!({"name": "n", "events": {"type": "EVENT_TYPE", "items": ["user.created"]},
        "channel": {"type": "HTTP", "version": "1.0.0", "config": {"uri": "https://example.com/h",
            "headers": [{"key": "X-A", "value": "1"}]}}})
}

/// `hook()` with `value` set at the place `path` (dotted).
fn with(mut body: Value, path: &str, value: Value) -> Value {
    let mut at = &mut body;
    let keys: Vec<&str> = path.split('.').collect();
    for key in &keys[..keys.len() - 1] {
        at = &mut at[*key];
    }
    at[keys[keys.len() - 1]] = value;
    body
}

/// Asserts a refusal in Latch's validation shape naming each of `members`, and no other.
fn refused_naming(a: &Answer, members: &[&str], what: &str) {
    ok(a, 400, what);
    let body = a.json();
    assert_eq!(body["errorCode"], "E0000001", "{what}: {body}");
    let causes: Vec<String> = body["errorCauses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["errorSummary"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(causes.len(), members.len(), "{what}: {body}");
    for m in members {
        assert!(
            causes.iter().any(|c| c.starts_with(&format!("{m}: "))),
            "{what}: {m} in {body}"
        );
    }
}

/// Bodies of unknown members, each with the members it should be refused for: at the top,
/// nested in objects that hold rules' places, several at once.
fn unknown_bodies() -> Vec<(Value, Vec<&'static str>)> {
    vec![
        (with(hook(), "foo", json!(1)), vec!["foo"]),
        (
            with(hook(), "channel.config.yyy", json!("x")),
            vec!["channel.config.yyy"],
        ),
        (
            with(hook(), "channel.zzz", json!({"a": 1})),
            vec!["channel.zzz"],
        ),
        (
            with(hook(), "events.extra", json!(true)),
            vec!["events.extra"],
        ),
        (
            with(
                with(hook(), "foo", json!(null)),
                "channel.config.bar",
                json!([]),
            ),
            vec!["foo", "channel.config.bar"],
        ),
    ]
}

#[tokio::test]
async fn an_emulator_of_a_vendor_that_refuses_unknown_members_names_each() {
    let dir = dialects(true, false);
    let gw = support::gateway_emulating(dir.path().to_str().unwrap(), "latch").await;
    let emu = gw.emulators["latch"];
    for (body, members) in unknown_bodies() {
        let a = send(emu, "POST", "/api/v1/eventHooks", &[AUTH], Some(&body)).await;
        refused_naming(&a, &members, &format!("create {body}"));
    }
    // A member a rule reads whole holds what it likes; the webhook made, a PUT of it is held
    // to the same.
    let made = send(emu, "POST", "/api/v1/eventHooks", &[AUTH], Some(&hook())).await;
    ok(&made, 200, "a create of known members");
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/eventHooks/{id}");
    let whole = with(
        hook(),
        "channel.config.headers",
        json!([{"key": "X-B", "value": "2"}]),
    );
    ok(
        &send(emu, "PUT", &path, &[AUTH], Some(&whole)).await,
        200,
        "a PUT of known members",
    );
    for (body, members) in unknown_bodies() {
        let a = send(emu, "PUT", &path, &[AUTH], Some(&body)).await;
        refused_naming(&a, &members, &format!("PUT {body}"));
    }
    let held = send(emu, "GET", &path, &[AUTH], None).await.json();
    assert_eq!(
        held["channel"]["config"]["headers"][0]["key"], "X-B",
        "{held}"
    );
    gw.stop().await;
}

#[tokio::test]
async fn members_beside_the_webhook_in_the_envelope_are_named_too() {
    let dir = dialects(true, true);
    let gw = support::gateway_emulating(dir.path().to_str().unwrap(), "latch").await;
    let emu = gw.emulators["latch"];
    let cases = [
        (json!({"eventHook": hook(), "bar": 2}), vec!["bar"]),
        (
            json!({"eventHook": with(hook(), "foo", json!(1)), "bar": {"a": 1}}),
            vec!["bar", "foo"],
        ),
    ];
    for (body, members) in cases {
        let a = send(emu, "POST", "/api/v1/eventHooks", &[AUTH], Some(&body)).await;
        refused_naming(&a, &members, &format!("{body}"));
    }
    let a = send(
        emu,
        "POST",
        "/api/v1/eventHooks",
        &[AUTH],
        Some(&json!({"eventHook": hook()})),
    )
    .await;
    ok(&a, 200, "the envelope with the webhook alone");
    gw.stop().await;
}

#[tokio::test]
async fn a_surface_of_a_vendor_that_refuses_unknown_members_refuses_before_any_call() {
    let dir = dialects(true, false);
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.svix]\ndialect = \"svix\"\nemulate = true\n\
         [surfaces.s]\ndialect = \"latch\"\nupstream = \"svix\"\nprefix = \"/s\"\nowner = \"app_1\"\n",
        dir.path().to_str().unwrap()
    ))
    .await;
    for (body, members) in unknown_bodies() {
        let a = send(
            gw.addr,
            "POST",
            "/s/api/v1/eventHooks",
            &[AUTH],
            Some(&body),
        )
        .await;
        refused_naming(&a, &members, &format!("create {body}"));
    }
    let writes: Vec<Value> = (support::journal(gw.emulators["svix"]).await.into_iter())
        .filter(|e| e["method"] != "GET")
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
    let a = send(
        gw.addr,
        "POST",
        "/s/api/v1/eventHooks",
        &[AUTH],
        Some(&hook()),
    )
    .await;
    ok(&a, 200, "a create of known members");
    gw.stop().await;
}

#[tokio::test]
async fn a_vendor_that_ignores_unknown_members_takes_the_request_as_before() {
    let dir = dialects(false, false);
    let gw = support::gateway_emulating(dir.path().to_str().unwrap(), "latch").await;
    let emu = gw.emulators["latch"];
    for (body, _) in unknown_bodies() {
        let a = send(emu, "POST", "/api/v1/eventHooks", &[AUTH], Some(&body)).await;
        ok(&a, 200, &format!("create {body}"));
    }
    gw.stop().await;
}
