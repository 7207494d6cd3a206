//! A status a vendor derives from `enabled`: a surface holds a change to the status the
//! upstream will derive, refusing before anything changes one it could not show; the refusal
//! of an answer to a change that was made says the change was made; a list holding a webhook
//! the surface cannot show is refused naming it; and an emulator of a vendor whose webhooks are
//! always on answers them `active`.
//!
//! The surfaces and upstreams are test-local mapping files and edited copies of the test
//! dialects, beside the shipped AgentMessage file (whose status is derived from `enabled`),
//! in front of its emulator or of a scripted double.

mod support;

use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::Path;
use support::{Double, Reply, gateway, journal, ok, send};

/// A vendor whose status says only whether its webhook is delivering (`isHookEnabled`: `true`
/// is `active`, `false` is `failing`), without a `reverse`: it has no word for a disabled
/// webhook. Its webhooks are switched by a verb of their own that answers 204 without a body.
const GATE: &str = r#"
[dialect]
title = "Gate webhooks"
base_path = "/v0"
owner = "baseId"
owner_format = { pattern = "app[A-Za-z0-9]{14}" }

[fields.id]
path = "$.id"
in = ["response"]

[fields.url]
path = "$.notificationUrl"
on = ["create"]

[fields.events]
path = "$.specification.options.filters.dataTypes"
on = ["create"]
required = true

[fields.enabled]
path = "$.areNotificationsEnabled"
write_as = { path = "$.enable" }
on = ["update"]
default = true

[fields.status]
path = "$.isHookEnabled"
in = ["response"]
type = "boolean"
codec = { map = { true = "active", false = "failing" } }

[fields.secret]
path = "$.macSecretBase64"
in = ["response"]

[operations.list]
method = "GET"
path = "/bases/{owner}/webhooks"
response = { webhooks = "{{items}}" }

[operations.get]
method = "GET"
path = "/bases/{owner}/webhooks/{id}"
response = "{{webhook}}"

[operations.create]
method = "POST"
path = "/bases/{owner}/webhooks"
body = "{{webhook}}"
response = "{{webhook}}"

[operations.update]
method = "POST"
path = "/bases/{owner}/webhooks/{id}/enableNotifications"
body = "{{webhook}}"
status = 204
then = ["get"]

[operations.delete]
method = "DELETE"
path = "/bases/{owner}/webhooks/{id}"
status = 204

[errors]
message = ["$.error.message"]
code = ["$.error.type"]

[errors.render.default]
body = { error = { type = "{{code}}", message = "{{message}}" } }
"#;

const BASE: &str = "appAAAAAAAAAAAAAA";
const AUTH: [(&str, &str); 1] = [("authorization", "Bearer t")];

/// The shipped mapping files, with `extra` files beside them (name, text).
fn mappings_with(extra: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(support::MAPPINGS).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    for (name, text) in extra {
        std::fs::write(dir.path().join(format!("{name}.toml")), text).unwrap();
    }
    dir
}

/// A test dialect's file with `edits` made (the first `from` becomes `to` in each).
fn test_dialect(name: &str, edits: &[(&str, &str)]) -> String {
    let file = Path::new(support::TEST_DIALECTS).join(format!("{name}.toml"));
    let mut text = std::fs::read_to_string(file).unwrap();
    for (from, to) in edits {
        let edited = text.replacen(from, to, 1);
        assert_ne!(text, edited, "{name}.toml holds no {from:?}");
        text = edited;
    }
    text
}

/// Till (PATCH merges, PUT replaces, `active` its flag) with a status that says only whether
/// a webhook is delivering, as Gate's does.
fn till_without_disabled() -> String {
    test_dialect(
        "till",
        &[(
            "[fields.enabled]\npath = \"$.active\"\ndefault = true\n",
            "[fields.enabled]\npath = \"$.active\"\ndefault = true\n\n\
             [fields.status]\npath = \"$.healthy\"\nin = [\"response\"]\ntype = \"boolean\"\n\
             codec = { map = { true = \"active\", false = \"failing\" } }\n",
        )],
    )
}

/// The gateway with the files of `dir`, an emulated AgentMessage upstream `am`, and surfaces
/// `gate` (at `/gate`) and `till` (at `/till`) in front of it.
async fn surfaces_over_am(dir: &Path) -> hookgate::app::Running {
    gateway(&format!(
        "mappings_dir = {dir:?}\n[upstreams.am]\ndialect = \"agentmessage\"\nemulate = true\n\
         [surfaces.gate]\ndialect = \"gate\"\nupstream = \"am\"\nprefix = \"/gate\"\n\
         owner = \"{BASE}\"\n\
         [surfaces.till]\ndialect = \"till\"\nupstream = \"am\"\nprefix = \"/till\"\n"
    ))
    .await
}

fn gate_hooks() -> String {
    format!("/gate/v0/bases/{BASE}/webhooks")
}

/// A webhook made through the Gate surface: its id.
async fn gate_created(addr: SocketAddr) -> String {
    let body = json!({"notificationUrl": "https://example.com/h",
        "specification": {"options": {"filters": {"dataTypes": ["wallet.balance_low"]}}}});
    let made = send(addr, "POST", &gate_hooks(), &AUTH, Some(&body)).await;
    ok(&made, 200, "gate create");
    assert_eq!(made.json()["isHookEnabled"], true, "{}", made.json());
    made.json()["id"].as_str().unwrap().to_owned()
}

/// A webhook made through the Till surface: its id.
async fn till_created(addr: SocketAddr) -> String {
    let body = json!({"url": "https://example.com/t", "event_types": ["wallet.balance_low"]});
    let made = send(addr, "POST", "/till/webhooks", &AUTH, Some(&body)).await;
    ok(&made, 201, "till create");
    made.json()["id"].as_str().unwrap().to_owned()
}

/// The webhook as the canonical API reads it at the upstream.
async fn at_am(addr: SocketAddr, id: &str) -> Value {
    let read = send(
        addr,
        "GET",
        &format!("/v1/upstreams/am/webhooks/{id}"),
        &AUTH,
        None,
    )
    .await;
    ok(&read, 200, "canonical read");
    read.json()
}

/// Sets `enabled` at the upstream through the canonical API.
async fn switch_at_am(addr: SocketAddr, id: &str, enabled: bool) {
    let path = format!("/v1/upstreams/am/webhooks/{id}");
    let body = json!({ "enabled": enabled });
    let changed = send(addr, "PATCH", &path, &AUTH, Some(&body)).await;
    ok(&changed, 200, "canonical switch");
}

/// How many writes (other than creates) the upstream's emulator received.
async fn writes_at(emulator: SocketAddr) -> usize {
    let writes = journal(emulator).await.into_iter().filter(|e| {
        let method = e["method"].as_str().unwrap_or_default();
        matches!(method, "PATCH" | "PUT")
    });
    writes.count()
}

/// Asserts a surface's refusal of a change that would leave a webhook it cannot show: in its
/// shape, with the upstream left as it was.
async fn refused_unchanged(
    gw: &hookgate::app::Running,
    answer: &support::Answer,
    id: &str,
    what: &str,
) {
    let text = String::from_utf8_lossy(&answer.body).into_owned();
    assert_eq!(answer.status, 502, "{what}: {text}");
    let emulator = gw.emulators["am"];
    assert_eq!(writes_at(emulator).await, 0, "{what}: written: {text}");
    let kept = at_am(gw.addr, id).await;
    assert_eq!(kept["enabled"], true, "{what}: {kept}");
    assert_eq!(kept["status"], "active", "{what}: {kept}");
}

#[tokio::test]
async fn a_disable_the_surface_could_not_show_is_refused_before_anything_changes() {
    let dir = mappings_with(&[("gate", GATE.to_owned()), ("till", till_without_disabled())]);
    let gw = surfaces_over_am(dir.path()).await;
    // Gate's own verb.
    let id = gate_created(gw.addr).await;
    let switch = format!("{}/{id}/enableNotifications", gate_hooks());
    let off = send(
        gw.addr,
        "POST",
        &switch,
        &AUTH,
        Some(&json!({"enable": false})),
    )
    .await;
    let text = String::from_utf8_lossy(&off.body).into_owned();
    refused_unchanged(&gw, &off, &id, "gate disable").await;
    let message = off.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("isHookEnabled: cannot be shown in this API"),
        "{text}"
    );
    assert!(message.ends_with("; nothing was changed"), "{text}");
    assert!(!message.contains("no field for"), "{text}");
    // The list shows it as it is.
    let listed = send(gw.addr, "GET", &gate_hooks(), &AUTH, None).await;
    ok(&listed, 200, "gate list");
    assert_eq!(listed.json()["webhooks"][0]["isHookEnabled"], true);
    // Till's PATCH and PUT, each with its own spelling of off.
    let till = till_created(gw.addr).await;
    let one = format!("/till/webhooks/{till}");
    let patched = send(
        gw.addr,
        "PATCH",
        &one,
        &AUTH,
        Some(&json!({"active": false})),
    )
    .await;
    refused_unchanged(&gw, &patched, &till, "till PATCH").await;
    let whole = json!({"url": "https://example.com/t", "event_types": ["wallet.balance_low"],
        "active": false});
    let put = send(gw.addr, "PUT", &one, &AUTH, Some(&whole)).await;
    refused_unchanged(&gw, &put, &till, "till PUT").await;
    // A change that leaves it on is made.
    let on = send(
        gw.addr,
        "POST",
        &switch,
        &AUTH,
        Some(&json!({"enable": true})),
    )
    .await;
    ok(&on, 204, "gate enable of an enabled webhook");
    let renamed = json!({"url": "https://example.com/t2"});
    let patched = send(gw.addr, "PATCH", &one, &AUTH, Some(&renamed)).await;
    ok(&patched, 200, "till PATCH of its url");
    assert_eq!(patched.json()["healthy"], true, "{}", patched.json());
    gw.stop().await;
}

#[tokio::test]
async fn an_enable_of_a_webhook_the_surface_could_not_show_is_made() {
    let dir = mappings_with(&[("gate", GATE.to_owned()), ("till", till_without_disabled())]);
    let gw = surfaces_over_am(dir.path()).await;
    // Disabled at the upstream, where its status is `disabled`: the surface cannot show it
    // until it is on again, and turning it on is what its client may do.
    let id = gate_created(gw.addr).await;
    switch_at_am(gw.addr, &id, false).await;
    let switch = format!("{}/{id}/enableNotifications", gate_hooks());
    let on = send(
        gw.addr,
        "POST",
        &switch,
        &AUTH,
        Some(&json!({"enable": true})),
    )
    .await;
    ok(&on, 204, "gate enable");
    assert_eq!(at_am(gw.addr, &id).await["status"], "active");
    // Till's PATCH and PUT.
    let till = till_created(gw.addr).await;
    let one = format!("/till/webhooks/{till}");
    switch_at_am(gw.addr, &till, false).await;
    let patched = send(
        gw.addr,
        "PATCH",
        &one,
        &AUTH,
        Some(&json!({"active": true})),
    )
    .await;
    ok(&patched, 200, "till PATCH on");
    assert_eq!(patched.json()["active"], true, "{}", patched.json());
    assert_eq!(patched.json()["healthy"], true, "{}", patched.json());
    switch_at_am(gw.addr, &till, false).await;
    let whole = json!({"url": "https://example.com/t", "event_types": ["wallet.balance_low"],
        "active": true});
    let put = send(gw.addr, "PUT", &one, &AUTH, Some(&whole)).await;
    ok(&put, 200, "till PUT on");
    assert_eq!(put.json()["healthy"], true, "{}", put.json());
    assert_eq!(at_am(gw.addr, &till).await["status"], "active");
    gw.stop().await;
}

#[tokio::test]
async fn a_list_holding_a_webhook_the_surface_cannot_show_is_refused_naming_it() {
    let dir = mappings_with(&[("gate", GATE.to_owned()), ("till", till_without_disabled())]);
    let gw = surfaces_over_am(dir.path()).await;
    let shown = gate_created(gw.addr).await;
    let hidden = gate_created(gw.addr).await;
    switch_at_am(gw.addr, &hidden, false).await;
    let listed = send(gw.addr, "GET", &gate_hooks(), &AUTH, None).await;
    let text = String::from_utf8_lossy(&listed.body).into_owned();
    assert_eq!(listed.status, 502, "{text}");
    let message = listed.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.starts_with(&format!("webhook {hidden} cannot be shown in this API")),
        "{text}"
    );
    assert!(message.contains("isHookEnabled"), "{text}");
    assert!(!text.contains(&shown), "{text}");
    gw.stop().await;
}

/// An AgentMessage webhook as its vendor answers one.
fn am_webhook(id: &str, active: bool) -> Value {
    json!({"id": id, "url": "https://example.com/h", "events": ["wallet.balance_low"],
        "active": active, "api_version": "2026-04-01", "created_at": "2026-04-26T12:00:00Z",
        "updated_at": "2026-04-27T08:30:00Z", "deleted_at": null})
}

#[tokio::test]
async fn the_refusal_of_an_answer_to_a_change_made_says_it_was_made() {
    let id = "0190a1b2-c3d4-e5f6-a7b8-c9d0e1f2a3b4";
    let dir = mappings_with(&[("gate", GATE.to_owned()), ("till", till_without_disabled())]);
    // The vendor turns the webhook off of its own accord as it takes the change: the answer
    // is one the surfaces cannot show, and the change is made.
    let script = |n: usize| {
        (0..n)
            .flat_map(|_| {
                [
                    Reply::json(200, am_webhook(id, true)),
                    Reply::json(200, am_webhook(id, false)),
                ]
            })
            .collect::<Vec<_>>()
    };
    let double = Double::start(script(3)).await;
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.am]\ndialect = \"agentmessage\"\nbase_url = {:?}\n\
         auth = {{ type = \"none\" }}\n[url_policy]\nallow_private = true\n\
         [surfaces.gate]\ndialect = \"gate\"\nupstream = \"am\"\nprefix = \"/gate\"\n\
         owner = \"{BASE}\"\n\
         [surfaces.till]\ndialect = \"till\"\nupstream = \"am\"\nprefix = \"/till\"\n",
        dir.path(),
        double.url()
    ))
    .await;
    let switch = format!("{}/{id}/enableNotifications", gate_hooks());
    let on = send(
        gw.addr,
        "POST",
        &switch,
        &AUTH,
        Some(&json!({"enable": true})),
    )
    .await;
    let text = String::from_utf8_lossy(&on.body).into_owned();
    assert_eq!(on.status, 502, "{text}");
    let message = on.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("isHookEnabled"), "{text}");
    assert!(
        message.ends_with("(the change was made at upstream am; its answer cannot be passed on)"),
        "{text}"
    );
    // Till's PATCH and PUT: the same, in a shape that names no message but its status.
    let one = format!("/till/webhooks/{id}");
    let patched = send(
        gw.addr,
        "PATCH",
        &one,
        &AUTH,
        Some(&json!({"active": true})),
    )
    .await;
    assert_eq!(
        patched.status,
        502,
        "{}",
        String::from_utf8_lossy(&patched.body)
    );
    let whole = json!({"url": "https://example.com/h", "event_types": ["wallet.balance_low"],
        "active": true});
    let put = send(gw.addr, "PUT", &one, &AUTH, Some(&whole)).await;
    assert_eq!(put.status, 502, "{}", String::from_utf8_lossy(&put.body));
    let seen: Vec<String> = double.seen().iter().map(|s| s.method.clone()).collect();
    assert_eq!(
        seen,
        ["GET", "PATCH", "GET", "PATCH", "GET", "PATCH"],
        "{seen:?}"
    );
    gw.stop().await;
}

/// A test dialect whose webhooks are always on, with a status its answers always hold
/// (`active`; `disabled` is a word it has but never answers).
fn always_on_with_status(name: &str) -> String {
    test_dialect(
        name,
        &[(
            "[fields.enabled]\nimplied = true\n",
            "[fields.enabled]\nimplied = true\n\n[fields.status]\npath = \"$.status\"\n\
             in = [\"response\"]\ncodec = { map = { active = \"active\", disabled = \"disabled\" } }\n",
        )],
    )
}

#[tokio::test]
async fn an_emulator_of_webhooks_always_on_answers_them_active() {
    // Sift updates by PATCH under a project; Shop by PUT, wrapped, its token in a header.
    let dir = mappings_with(&[
        ("sift", always_on_with_status("sift")),
        ("shop", always_on_with_status("shop")),
    ]);
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.sift]\ndialect = \"sift\"\nemulate = true\n\
         [upstreams.shop]\ndialect = \"shop\"\nemulate = true\n",
        dir.path()
    ))
    .await;
    // Sift's own API.
    let sift = gw.emulators["sift"];
    let hooks = "/v1/projects/p1/webhooks";
    let body = json!({"target": "https://example.com/s", "triggers": ["A"]});
    let made = send(sift, "POST", hooks, &AUTH, Some(&body)).await;
    ok(&made, 200, "sift create");
    assert_eq!(made.json()["status"], "active", "{}", made.json());
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let one = format!("{hooks}/{id}");
    let read = send(sift, "GET", &one, &AUTH, None).await;
    assert_eq!(read.json()["status"], "active", "{}", read.json());
    let listed = send(sift, "GET", hooks, &AUTH, None).await;
    assert_eq!(listed.json()["webhooks"][0]["status"], "active");
    let patch = json!({"display_name": "renamed"});
    let changed = send(
        sift,
        "PATCH",
        &format!("{one}?update_mask=display_name"),
        &AUTH,
        Some(&patch),
    )
    .await;
    ok(&changed, 200, "sift PATCH");
    assert_eq!(changed.json()["status"], "active", "{}", changed.json());
    // Shop's own API.
    let shop = gw.emulators["shop"];
    let token = [("x-shopify-access-token", "t")];
    let hooks = "/admin/api/2024-01/webhooks.json";
    let body = json!({"webhook": {"address": "https://example.com/p", "topic": "orders/create"}});
    let made = send(shop, "POST", hooks, &token, Some(&body)).await;
    ok(&made, 201, "shop create");
    assert_eq!(
        made.json()["webhook"]["status"],
        "active",
        "{}",
        made.json()
    );
    let id = made.json()["webhook"]["id"].to_string();
    let one = format!("/admin/api/2024-01/webhooks/{id}.json");
    let body = json!({"webhook": {"address": "https://example.com/p2", "topic": "orders/create"}});
    let put = send(shop, "PUT", &one, &token, Some(&body)).await;
    ok(&put, 200, "shop PUT");
    assert_eq!(put.json()["webhook"]["status"], "active", "{}", put.json());
    // The canonical API in front of either reads the status they answer.
    for (upstream, owner) in [("sift", "/owners/p1"), ("shop", "")] {
        let hooks = format!("/v1/upstreams/{upstream}{owner}/webhooks");
        let body = json!({"url": "https://example.com/c", "events": ["orders/create"]});
        let made = send(gw.addr, "POST", &hooks, &[], Some(&body)).await;
        ok(&made, 201, upstream);
        assert_eq!(
            made.json()["status"],
            "active",
            "{upstream}: {}",
            made.json()
        );
        let id = made.json()["id"].as_str().unwrap().to_owned();
        let read = send(gw.addr, "GET", &format!("{hooks}/{id}"), &[], None).await;
        assert_eq!(
            read.json()["status"],
            "active",
            "{upstream}: {}",
            read.json()
        );
        let listed = send(gw.addr, "GET", &hooks, &[], None).await;
        assert!(
            (listed.json()["data"].as_array().unwrap().iter()).all(|w| w["status"] == "active"),
            "{upstream}: {}",
            listed.json()
        );
    }
    gw.stop().await;
}
