//! pagerduty (7.2.0, installed from PyPI into a virtual environment the first time),
//! PagerDuty's Python SDK, a client nobody here wrote, driven by
//! `tests/sdk/pagerduty_subscriptions.py` against `tests/dialects/ward.toml`, a vendor spelt as
//! PagerDuty's webhook subscriptions: a service named in a create's body and a list's query,
//! read, changed and deleted by id alone, the URL and custom headers inside a delivery method,
//! wrapped requests and answers, lists paged by offset until `more` is false, refusals as a list
//! of sentences. Against its emulator, and through its surface in front of an emulator of a
//! vendor without services, which serves the one it is configured with. And the gateway against
//! a double answering PagerDuty's documented bodies.

mod support;

use serde_json::{Map, Value, json};
use support::gateway;

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/sdk/pagerduty_subscriptions.py"
);
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
const SERVICE: &str = "P393ZNQ";

async fn drive(base: String) -> Map<String, Value> {
    let python = support::sdk::python_with("pagerduty", "7.2.0");
    support::sdk::steps(python, SCRIPT, vec![base, SERVICE.to_owned()]).await
}

/// What every run must show, wherever the subscriptions are kept.
fn the_sdk_saw_the_vendors_answers(steps: &Map<String, Value>) {
    let made = json!({"url": "https://example.com/receive_a_pagerduty_webhook",
        "custom_headers": [{"name": "header-name", "value": "value"}],
        "events": ["incident.acknowledged", "incident.resolved"],
        "filter": {"id": SERVICE, "type": "service_reference"}, "active": true,
        "description": "Sends PagerDuty v3 webhook events somewhere."});
    assert_eq!(steps["get"], made);
    let mut updated = made.clone();
    updated["events"] = json!(["incident.triggered"]);
    updated["active"] = json!(false);
    assert_eq!(steps["update"], updated, "a PUT changes what it is sent");
    // Two to a page, followed by the SDK's own offsets until `more` is false.
    assert_eq!(steps["list"]["ids"], steps["list"]["made"], "{steps:?}");
    assert_eq!(
        steps["no url"],
        json!({"status": 400, "body": {"error": {"message": "Invalid Input Provided",
            "code": 2001, "errors": ["delivery_method.url is required"]}}})
    );
    assert_eq!(steps["missing"]["status"], 404);
}

#[tokio::test]
async fn the_sdk_works_against_the_emulator() {
    let gw = support::gateway_emulating(DIR, "ward").await;
    let steps = drive(format!("http://{}", gw.emulators["ward"])).await;
    the_sdk_saw_the_vendors_answers(&steps);
    assert_eq!(
        steps["create"]["secret"], true,
        "a secret shown when it is made"
    );
}

#[tokio::test]
async fn the_sdk_works_through_its_surface_in_front_of_a_vendor_without_services() {
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.tariff]\ndialect = \"tariff\"\nemulate = true\n\
         [surfaces.ward]\ndialect = \"ward\"\nupstream = \"tariff\"\nprefix = \"/ward\"\n\
         owner = \"{SERVICE}\"\n"
    ))
    .await;
    let steps = drive(format!("http://{}/ward", gw.addr)).await;
    the_sdk_saw_the_vendors_answers(&steps);
}

#[tokio::test]
async fn the_gateway_reads_the_vendors_wrapped_pages_and_sentences() {
    let documented = json!({"id": "PY1OL0Q", "type": "webhook_subscription", "active": true,
        "description": "Sends PagerDuty v3 webhook events somewhere interesting.",
        "events": ["incident.acknowledged", "incident.resolved"],
        "filter": {"id": SERVICE, "type": "service_reference"},
        "delivery_method": {"id": "PF9KMXH", "secret": null, "temporarily_disabled": false,
            "type": "http_delivery_method", "url": "https://example.com/receive_a_pagerduty_webhook",
            "custom_headers": [{"name": "header-name", "value": "value"}]}});
    let vendor = support::Double::start(vec![
        support::Reply::json(
            200,
            json!({"webhook_subscriptions": [documented], "limit": 1, "offset": 0,
                "total": null, "more": true}),
        ),
        support::Reply::json(
            400,
            json!({"error": {"message": "Invalid Input Provided", "code": 2001,
                "errors": ["Url is not a valid URL"]}}),
        ),
    ])
    .await;
    let gw = support::gateway_over(DIR, "ward", &vendor).await;
    let hooks = format!("/v1/upstreams/ward/owners/{SERVICE}/webhooks");
    let listed = support::send(gw.addr, "GET", &format!("{hooks}?limit=1"), &[], None).await;
    support::ok(&listed, 200, "a list");
    let page = listed.json();
    assert_eq!(
        page["data"][0]["url"],
        "https://example.com/receive_a_pagerduty_webhook"
    );
    assert_eq!(page["data"][0]["headers"], json!({"header-name": "value"}));
    assert_eq!(page["data"][0]["owner"], SERVICE);
    assert_eq!(page["next_cursor"], "1", "the next page's offset");
    let asked = &vendor.seen()[0];
    assert!(
        asked.path.contains("filter_type=service_reference")
            && asked.path.contains(&format!("filter_id={SERVICE}")),
        "{}",
        asked.path
    );

    let body = json!({"url": "https://example.com/hooks", "events": ["incident.triggered"]});
    let refused = support::send(gw.addr, "POST", &hooks, &[], Some(&body)).await;
    support::ok(&refused, 422, "the vendor's sentences");
    assert_eq!(
        refused.json()["errors"],
        json!([{"field": "", "message": "Url is not a valid URL"}])
    );
}

#[tokio::test]
async fn a_refusal_of_the_request_as_a_whole_reaches_the_client_in_its_words() {
    // A vendor spelt as Checkout.com's refuses with a code no field stands for.
    let vendor = support::Double::start(vec![support::Reply::json(
        422,
        json!({"request_id": "0HL80RJLS76I7", "error_type": "request_invalid",
            "error_codes": ["card_expired"]}),
    )])
    .await;
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.till]\ndialect = \"till\"\nbase_url = {:?}\n\
         auth = {{ type = \"none\" }}\n[surfaces.ward]\ndialect = \"ward\"\nupstream = \"till\"\n\
         prefix = \"/ward\"\nowner = \"{SERVICE}\"\n[url_policy]\nallow_private = true\n",
        vendor.url()
    ))
    .await;
    let body = json!({"webhook_subscription": {"type": "webhook_subscription",
        "delivery_method": {"type": "http_delivery_method", "url": "https://example.com/hooks"},
        "events": ["incident.triggered"], "filter": {"type": "service_reference", "id": SERVICE}}});
    let refused = support::send(
        gw.addr,
        "POST",
        "/ward/webhook_subscriptions",
        &[("authorization", "Token token=u+hookgate")],
        Some(&body),
    )
    .await;
    support::ok(&refused, 400, "the vendor behind's refusal");
    // Ward writes a field error as `"{{field}} {{message}}"`; one of no field is its message.
    assert_eq!(
        refused.json()["error"]["errors"],
        json!(["card_expired"]),
        "{}",
        refused.json()
    );
}
