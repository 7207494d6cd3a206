//! squareup (46.0.0.20260916, installed from PyPI into a virtual environment the first time),
//! Square's Python SDK, a client nobody here wrote, driven by `tests/sdk/square_webhooks.py`
//! against `tests/dialects/square.toml`, a vendor spelt as Square's webhook subscriptions API:
//! wrapped subscriptions, a signature key shown when it is made, an update that keeps what it does not name, lists read one to a page
//! by the SDK's pager, refusals as Square's error items. Against its emulator, and through its
//! surface in front of an emulator of another vendor, which refuses a member it cannot keep.

mod support;

use serde_json::{Map, Value, json};
use support::gateway;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sdk/square_webhooks.py");
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");

async fn drive(base: String) -> Map<String, Value> {
    let python = support::sdk::python_with("squareup", "46.0.0.20260916");
    support::sdk::steps(python, SCRIPT, vec![base]).await
}

/// What every run must show, wherever the subscriptions are kept; `signed` where the vendor
/// behind makes signature keys (one that keeps none has none to show, and none is made up).
fn the_sdk_saw_the_vendors_answers(steps: &Map<String, Value>, signed: bool) {
    let made = json!({"name": "Example Webhook Subscription", "enabled": true,
        "event_types": ["payment.created", "payment.updated"],
        "notification_url": "https://example-webhook-url.com"});
    let mut created = made.clone();
    created["signature_key"] = json!(signed);
    assert_eq!(steps["create"], created);
    assert_eq!(steps["get"], made);
    let mut updated = made.clone();
    updated["name"] = json!("Updated Example Webhook Subscription");
    updated["enabled"] = json!(false);
    assert_eq!(steps["update"], updated);
    assert_eq!(steps["list"]["ids"], steps["list"]["made"], "{steps:?}");
    assert_eq!(steps["list"]["ids"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        steps["no url"],
        json!({"status": 400, "body": {"errors": [{"category": "INVALID_REQUEST_ERROR",
            "code": "INVALID_VALUE", "detail": "is required",
            "field": "subscription.notification_url"}]}})
    );
    assert_eq!(steps["missing"]["status"], 404);
    assert_eq!(steps["missing"]["body"]["errors"][0]["code"], "NOT_FOUND");
}

#[tokio::test]
async fn the_sdk_works_against_the_emulator() {
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.square]\ndialect = \"square\"\nemulate = true\n"
    ))
    .await;
    let steps = drive(format!("http://{}", gw.emulators["square"])).await;
    the_sdk_saw_the_vendors_answers(&steps, true);
    assert_eq!(steps["api_version"], "accepted");
}

#[tokio::test]
async fn the_sdk_works_through_its_surface_in_front_of_another_vendor() {
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.zen]\ndialect = \"zen\"\nemulate = true\n\
         [surfaces.square]\ndialect = \"square\"\nupstream = \"zen\"\nprefix = \"/square\"\n"
    ))
    .await;
    let steps = drive(format!("http://{}/square", gw.addr)).await;
    the_sdk_saw_the_vendors_answers(&steps, false);
    // A member the vendor behind has no place for is refused in Square's shape, not dropped.
    assert_eq!(steps["api_version"]["status"], 422);
    assert_eq!(
        steps["api_version"]["body"]["errors"][0]["detail"],
        "api_version: not supported by upstream zen"
    );
}
