//! paypalrestsdk (1.13.3, installed from PyPI into a virtual environment the first time),
//! PayPal's Python SDK, a client nobody here wrote, driven by `tests/sdk/paypal_webhooks.py`
//! against `tests/dialects/pal.toml`, a vendor spelt as PayPal's webhooks API: webhooks made,
//! found, listed and deleted, changed by the SDK's `replace`, which sends the RFC 6902 patch it
//! is given, and refused in the vendor's shape (a patch of part of a member, a webhook of no
//! event type, one that is gone). Against its emulator, and through its surface in front of an
//! emulator of a vendor whose updates are merges.

mod support;

use serde_json::{Map, Value, json};
use support::gateway;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sdk/paypal_webhooks.py");
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");

async fn drive(base: String) -> Map<String, Value> {
    let python = support::sdk::python_with("paypalrestsdk", "1.13.3");
    support::sdk::steps(python, SCRIPT, vec![base]).await
}

/// What every run must show, wherever the webhooks are kept.
fn the_sdk_saw_the_vendors_answers(steps: &Map<String, Value>) {
    let made = json!({"url": "https://example.com/example_webhook",
        "event_types": ["PAYMENT.AUTHORIZATION.CREATED", "PAYMENT.AUTHORIZATION.VOIDED"]});
    let mut created = made.clone();
    created["ok"] = json!(true);
    created["error"] = Value::Null;
    assert_eq!(steps["create"], created);
    assert_eq!(steps["find"], made);
    let replaced = json!({"url": "https://example.com/example_webhook_2",
        "event_types": ["PAYMENT.SALE.REFUNDED"]});
    let mut answered = replaced.clone();
    answered["ok"] = json!(true);
    answered["error"] = Value::Null;
    assert_eq!(steps["replace"], answered);
    assert_eq!(steps["find again"], replaced);
    assert_eq!(steps["all"]["ids"], steps["all"]["made"], "{steps:?}");
    let partial = &steps["partial"]["error"];
    assert_eq!(steps["partial"]["ok"], false);
    assert_eq!(partial["name"], "VALIDATION_ERROR");
    assert_eq!(
        partial["details"],
        json!([{"field": "/0/path", "location": "body",
            "issue": "changes part of `/event_types`: replace the whole member"}])
    );
    let invalid = &steps["invalid"]["error"];
    assert_eq!(invalid["name"], "VALIDATION_ERROR");
    assert_eq!(invalid["details"][0]["field"], "event_types");
    assert_eq!(steps["delete"], json!({"ok": true, "error": null}));
    assert_eq!(steps["missing"]["status"], 404);
    assert_eq!(steps["missing"]["body"]["name"], "INVALID_RESOURCE_ID");
}

#[tokio::test]
async fn the_sdk_works_against_the_emulator() {
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.pal]\ndialect = \"pal\"\nemulate = true\n"
    ))
    .await;
    let steps = drive(format!("http://{}", gw.emulators["pal"])).await;
    the_sdk_saw_the_vendors_answers(&steps);
}

#[tokio::test]
async fn the_sdk_works_through_its_surface_in_front_of_a_vendor_of_merges() {
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.zen]\ndialect = \"zen\"\nemulate = true\n\
         [surfaces.pal]\ndialect = \"pal\"\nupstream = \"zen\"\nprefix = \"/pal\"\n"
    ))
    .await;
    let steps = drive(format!("http://{}/pal", gw.addr)).await;
    the_sdk_saw_the_vendors_answers(&steps);
    // What Zen keeps: the patched webhook's URL and event types, as Zen spells them.
    let hooks = support::send(
        gw.emulators["zen"],
        "GET",
        "/api/v2/webhooks",
        &[("authorization", "Bearer t")],
        None,
    )
    .await;
    let kept = hooks.json();
    let urls: Vec<&Value> = kept["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| &h["endpoint"])
        .collect();
    assert_eq!(urls, [&json!("https://example.com/other")], "{kept}");
}
