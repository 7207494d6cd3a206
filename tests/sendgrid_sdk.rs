//! sendgrid (6.12.5, installed from PyPI into a virtual environment the first time), Twilio
//! SendGrid's Python SDK, a client nobody here wrote, driven by `tests/sdk/sendgrid_webhooks.py`
//! against `tests/dialects/drift.toml`, a vendor spelt as SendGrid's Event Webhooks: each event
//! a boolean member of the webhook, switched one by one, OAuth client credentials whose secret is
//! sent and never answered, and the whole list at `…/settings/all` beside one webhook at
//! `…/settings/{id}` (a literal segment is the list's, never an id). Against its emulator, and
//! through its surface in front of an emulator of another vendor. And the gateway against a
//! double answering SendGrid's documented list.

mod support;

use serde_json::{Map, Value, json};
use support::gateway;

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/sdk/sendgrid_webhooks.py"
);
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");

async fn drive(base: String) -> Map<String, Value> {
    let python = support::sdk::python_with("sendgrid", "6.12.5");
    support::sdk::steps(python, SCRIPT, vec![base]).await
}

/// What every run must show, wherever the webhooks are kept.
fn the_sdk_saw_the_vendors_answers(steps: &Map<String, Value>) {
    let made = json!({"url": "https://example.com/events", "enabled": true,
        "friendly_name": "Engagement", "on": ["bounce", "click", "open"],
        "oauth_client_id": null, "oauth_client_secret": null});
    assert_eq!(steps["create"], made);
    assert_eq!(steps["get"], made);
    let mut updated = made.clone();
    updated["on"] = json!(["bounce", "click", "delivered"]);
    assert_eq!(
        steps["update"], updated,
        "the events named switched, the others kept"
    );
    assert_eq!(steps["list"]["ids"], steps["list"]["made"], "{steps:?}");
    assert_eq!(steps["list"]["max_allowed"], 5);
    assert_eq!(
        steps["no url"],
        json!({"status": 400, "body": {"errors": [{"field": "url", "message": "is required"}]}})
    );
    assert_eq!(steps["missing"]["status"], 404);
    assert_eq!(steps["none left"], json!([]));
}

#[tokio::test]
async fn the_sdk_works_against_the_emulator() {
    let gw = support::gateway_emulating(DIR, "drift").await;
    let steps = drive(format!("http://{}", gw.emulators["drift"])).await;
    the_sdk_saw_the_vendors_answers(&steps);
    assert_eq!(steps["oauth"], "accepted");
    // The client secret the SDK sent is not in the emulator's journal either.
    let journal = support::send(
        gw.emulators["drift"],
        "GET",
        "/__hookgate/journal",
        &[],
        None,
    )
    .await;
    let text = String::from_utf8_lossy(&journal.body).into_owned();
    assert!(text.contains("oauth_client_secret"), "{text}");
    assert!(!text.contains("b0b7b1fe6b2c4d5e8f9a0b1c2d3e4f50"), "{text}");
}

#[tokio::test]
async fn the_sdk_works_through_its_surface_in_front_of_another_vendor() {
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.square]\ndialect = \"square\"\nemulate = true\n\
         [surfaces.drift]\ndialect = \"drift\"\nupstream = \"square\"\nprefix = \"/drift\"\n"
    ))
    .await;
    let steps = drive(format!("http://{}/drift", gw.addr)).await;
    the_sdk_saw_the_vendors_answers(&steps);
    // OAuth credentials the vendor behind has no place for are refused, not dropped.
    assert_eq!(steps["oauth"]["status"], 400, "{steps:?}");
    assert_eq!(
        steps["oauth"]["body"]["errors"][0]["field"],
        "oauth_client_id"
    );
}

#[tokio::test]
async fn the_gateway_reads_the_vendors_list_of_flags() {
    let documented = json!({"max_allowed": 5, "webhooks": [{
        "enabled": true, "url": "https://emailengagment.example.com",
        "group_resubscribe": true, "delivered": true, "group_unsubscribe": true,
        "spam_report": true, "bounce": true, "deferred": true, "unsubscribe": true,
        "processed": false, "open": true, "click": true, "dropped": true,
        "friendly_name": "Engagment Webhook", "id": "77d4a5da-7015-11ed-a1eb-0242ac120002",
        "oauth_client_id": "a835e7210bbb47edbfa71bdfc909b2d7",
        "oauth_token_url": "https://oauthservice.example.com",
        "public_key": "123publickeyabc",
        "created_date": "2023-01-01T12:00:00Z", "updated_date": "2023-02-15T10:00:00Z"}]});
    let vendor = support::Double::start(vec![support::Reply::json(200, documented)]).await;
    let gw = support::gateway_over(DIR, "drift", &vendor).await;
    let listed = support::send(gw.addr, "GET", "/v1/upstreams/drift/webhooks", &[], None).await;
    support::ok(&listed, 200, "a list");
    let webhook = &listed.json()["data"][0];
    assert_eq!(
        webhook["events"],
        json!([
            "bounce",
            "click",
            "deferred",
            "delivered",
            "dropped",
            "group_resubscribe",
            "group_unsubscribe",
            "open",
            "spam_report",
            "unsubscribe"
        ])
    );
    assert_eq!(webhook["description"], "Engagment Webhook");
    assert_eq!(webhook["extensions"]["public_key"], "123publickeyabc");
    assert_eq!(
        vendor.seen()[0].path,
        "/v3/user/webhooks/event/settings/all"
    );
}
