//! contentful_management (2.16.0, installed from PyPI into a virtual environment the first
//! time), Contentful's Python SDK for its Content Management API, a client nobody here wrote,
//! driven by `tests/sdk/contentful_webhooks.py` against `tests/dialects/vellum.toml`, a vendor
//! spelt as Contentful's webhook definitions, whose full update names the version it was made
//! from in `X-Contentful-Version`. The SDK creates, finds, saves (a PUT of the whole definition
//! with the version of its copy), saves a stale copy, lists, deletes and finds the deleted one,
//! each answered as its own classes (`Webhook`, `VersionMismatchError`, `NotFoundError`, …):
//! against the vellum emulator, which keeps `sys.version` and refuses the stale save; and through
//! a vellum surface in front of an emulator of a vendor whose hooks keep no version, where the
//! change is made unchecked.

mod support;

use serde_json::{Map, Value, json};
use support::{gateway, ok, send};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/sdk/contentful_webhooks.py"
);
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
const SPACE: &str = "yadj1kx9rmg0";

async fn drive(api_url: String, basic: &str) -> Map<String, Value> {
    let python = support::sdk::python_with("contentful_management", "2.16.0");
    support::sdk::steps(python, SCRIPT, vec![api_url, basic.to_owned()]).await
}

/// The SDK's view of a definition as the script shows it.
fn definition(name: &str, topics: Value, username: &str, version: u64) -> Value {
    json!({"class": "Webhook", "name": name, "url": "https://www.example.com/test",
        "topics": topics, "headers": [{"key": "X-Foo", "value": "bar"}], "filters": [],
        "http_basic_username": username, "version": version, "space": SPACE,
        "type": "WebhookDefinition", "dated": true, "password_shown": false})
}

fn refused(class: &str, status: u16, id: &str) -> Value {
    json!({"class": class, "status": status, "sys": {"type": "Error", "id": id},
        "request_id": true})
}

/// What every run must show, wherever the definitions are kept.
fn the_sdk_saw_the_vendors_answers(steps: &Map<String, Value>) {
    assert_eq!(steps["list"]["ids"], steps["list"]["made"], "{steps:?}");
    assert_eq!(steps["list"]["total"], 2);
    assert_eq!(steps["list"]["classes"], json!(["Webhook"]));
    assert_eq!(
        steps["no url"],
        refused("UnprocessableEntityError", 422, "ValidationFailed")
    );
    assert_eq!(steps["delete"], 204);
    assert_eq!(steps["missing"], refused("NotFoundError", 404, "NotFound"));
    assert_eq!(
        steps["delete missing"],
        refused("NotFoundError", 404, "NotFound")
    );
}

#[tokio::test]
async fn the_sdk_is_held_to_the_version_by_the_emulator() {
    let gw = support::gateway_emulating(DIR, "vellum").await;
    let steps = drive(gw.emulators["vellum"].to_string(), "basic").await;
    let made = definition(
        "My webhook",
        json!(["Entry.create", "ContentType.*"]),
        "yolo",
        1,
    );
    assert_eq!(steps["create"], made, "version 1; the password never shown");
    assert_eq!(steps["find"], made);
    let saved = definition("Renamed", json!(["Entry.*"]), "yolo", 2);
    assert_eq!(steps["save"], saved, "the SDK's copy takes the new version");
    assert_eq!(steps["after save"], saved);
    assert_eq!(
        steps["stale save"],
        refused("VersionMismatchError", 409, "VersionMismatch"),
        "a copy read before the change"
    );
    assert_eq!(steps["after stale save"], saved, "nothing changed");
    the_sdk_saw_the_vendors_answers(&steps);
    // The save sent the version its copy held, and the stale copy its own.
    let journal = support::journal(gw.emulators["vellum"]).await;
    let versions: Vec<&Value> = journal
        .iter()
        .filter(|e| e["method"] == "PUT")
        .map(|e| &e["headers"]["x-contentful-version"])
        .collect();
    assert_eq!(versions, [&json!("1"), &json!("1")], "{journal:?}");
}

#[tokio::test]
async fn the_sdk_through_its_surface_in_front_of_a_vendor_without_versions_is_not_held() {
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [surfaces.vellum]\ndialect = \"vellum\"\nupstream = \"relay\"\nprefix = \"/vellum\"\n"
    ))
    .await;
    let steps = drive(format!("{}/vellum", gw.addr), "none").await;
    // The hooks behind keep no version: the surface answers the one every definition starts
    // at, which the SDK needs to save at all, and holds nobody to it.
    let made = definition(
        "My webhook",
        json!(["Entry.create", "ContentType.*"]),
        "",
        1,
    );
    assert_eq!(steps["create"], made);
    assert_eq!(steps["find"], made);
    let saved = definition("Renamed", json!(["Entry.*"]), "", 1);
    assert_eq!(steps["save"], saved);
    assert_eq!(steps["after save"], saved);
    assert_eq!(
        steps["stale save"], "accepted",
        "no version to hold the client to"
    );
    let stale = definition("Stale", json!(["Entry.create", "ContentType.*"]), "", 1);
    assert_eq!(
        steps["after stale save"], stale,
        "the stale copy, as it was sent"
    );
    the_sdk_saw_the_vendors_answers(&steps);
}

#[tokio::test]
async fn a_replacement_leaves_out_what_it_gives_no_value_where_the_hooks_behind_cannot_hold_it() {
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [surfaces.vellum]\ndialect = \"vellum\"\nupstream = \"relay\"\nprefix = \"/vellum\"\n"
    ))
    .await;
    let auth = ("authorization", "Bearer t");
    let hooks = format!("/vellum/spaces/{SPACE}/webhook_definitions");
    let body = json!({"name": "Mine", "url": "https://example.com/h", "topics": ["Entry.create"]});
    let made = send(gw.addr, "POST", &hooks, &[auth], Some(&body)).await;
    ok(&made, 201, "the create");
    let one = format!("{hooks}/{}", made.json()["sys"]["id"].as_str().unwrap());
    for none in [json!(""), Value::Null] {
        let mut whole = body.clone();
        whole["name"] = json!("Renamed");
        whole["httpBasicUsername"] = none.clone();
        let put = send(gw.addr, "PUT", &one, &[auth], Some(&whole)).await;
        ok(
            &put,
            200,
            &format!("a replacement with httpBasicUsername {none}"),
        );
        assert_eq!(put.json()["name"], "Renamed");
    }
    // A value is still one the hooks behind cannot hold.
    let mut whole = body.clone();
    whole["httpBasicUsername"] = json!("yolo");
    let put = send(gw.addr, "PUT", &one, &[auth], Some(&whole)).await;
    ok(&put, 422, "a username relay cannot keep");
    let problem = String::from_utf8_lossy(&put.body).into_owned();
    assert!(problem.contains("httpBasicUsername"), "{problem}");
}
