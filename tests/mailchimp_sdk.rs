//! mailchimp-marketing (3.0.80, installed from PyPI into a virtual environment the first time),
//! Mailchimp's Python SDK, a client nobody here wrote, driven by
//! `tests/sdk/mailchimp_webhooks.py` against `tests/dialects/roost.toml`, a vendor spelt as
//! Mailchimp's list webhooks: webhooks under an audience (`/lists/{list_id}/webhooks`), HTTP
//! Basic with the API key as the password, each event a boolean of its own, switched one by
//! one, a list whose envelope names its audience (`{{owner}}`) and counts its webhooks,
//! refusals as RFC 9457 problems. Against its emulator, and through its surface in front of an
//! emulator of a vendor without audiences, which serves the one it is configured with. And the
//! gateway against a double answering Mailchimp's documented bodies.

mod support;

use serde_json::{Map, Value, json};
use support::gateway;

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/sdk/mailchimp_webhooks.py"
);
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
const LIST: &str = "4ca5becb8d";

async fn drive(base: String) -> Map<String, Value> {
    let python = support::sdk::python_with("mailchimp-marketing", "3.0.80");
    support::sdk::steps(python, SCRIPT, vec![base, LIST.to_owned()]).await
}

/// What every run must show, wherever the webhooks are kept.
fn the_sdk_saw_the_vendors_answers(steps: &Map<String, Value>) {
    let events = json!({"subscribe": true, "unsubscribe": true, "profile": false,
        "cleaned": false, "upemail": false, "campaign": true});
    let made = json!({"url": "https://example.com/hooks/roost", "list_id": LIST,
        "events": events, "sources": null});
    assert_eq!(steps["create"], made);
    assert_eq!(steps["get"], made);
    // The one event named changed; the others stayed as they were.
    let mut updated = made.clone();
    updated["events"]["campaign"] = json!(false);
    assert_eq!(steps["update"], updated);
    assert_eq!(steps["list"]["ids"], steps["list"]["made"], "{steps:?}");
    assert_eq!(steps["list"]["list_id"], LIST);
    assert_eq!(steps["list"]["total_items"], 2);
    assert_eq!(
        steps["no url"],
        json!({"status": 400, "title": "Invalid Resource",
            "errors": [{"field": "url", "message": "is required"}]})
    );
    assert_eq!(
        steps["missing"],
        json!({"status": 404, "title": "Resource Not Found", "errors": null})
    );
}

#[tokio::test]
async fn the_sdk_works_against_the_emulator() {
    let gw = support::gateway_emulating(DIR, "roost").await;
    let steps = drive(format!("http://{}", gw.emulators["roost"])).await;
    the_sdk_saw_the_vendors_answers(&steps);
    assert_eq!(steps["sources"], "accepted");
}

#[tokio::test]
async fn the_sdk_works_through_its_surface_in_front_of_a_vendor_without_audiences() {
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.tariff]\ndialect = \"tariff\"\nemulate = true\n\
         [surfaces.roost]\ndialect = \"roost\"\nupstream = \"tariff\"\nprefix = \"/roost\"\n\
         owner = \"{LIST}\"\n"
    ))
    .await;
    let steps = drive(format!("http://{}/roost", gw.addr)).await;
    the_sdk_saw_the_vendors_answers(&steps);
    // A member the vendor behind has no place for is refused in the vendor's shape.
    assert_eq!(steps["sources"]["status"], 422);
    // Another audience is none this surface serves: not found, never made up.
    let other = support::send(
        gw.addr,
        "GET",
        "/roost/lists/0000000000/webhooks",
        &[("authorization", "Basic dXNlcjprZXk=")],
        None,
    )
    .await;
    support::ok(&other, 404, "an audience the surface does not serve");
    assert_eq!(other.json()["title"], "Resource Not Found");
}

#[tokio::test]
async fn the_gateway_reads_the_vendors_flags_and_problems() {
    let documented = json!({"id": "2e4f9f1a0c", "url": "http://yourdomain.com/webhook",
        "list_id": LIST,
        "events": {"subscribe": true, "unsubscribe": true, "profile": true, "cleaned": true,
            "upemail": true, "campaign": false},
        "sources": {"user": true, "admin": true, "api": false},
        "_links": [{"rel": "self", "href": "https://us1.api.mailchimp.com/3.0/lists/4ca5becb8d/webhooks/2e4f9f1a0c", "method": "GET"}]});
    let vendor = support::Double::start(vec![
        support::Reply::json(
            200,
            json!({"webhooks": [documented.clone()], "list_id": LIST, "total_items": 1,
                "_links": []}),
        ),
        support::Reply::json(200, documented.clone()),
        support::Reply::Raw {
            status: 400,
            headers: vec![(
                "content-type".into(),
                "application/problem+json; charset=utf-8".into(),
            )],
            body: json!({"type": "https://mailchimp.com/developer/marketing/docs/errors/",
                "title": "Invalid Resource", "status": 400,
                "detail": "The resource submitted could not be validated. For field-specific details, see the 'errors' array.",
                "instance": "995c5cb0-3280-4a6e-808b-3b096d0bb219",
                "errors": [{"field": "url", "message": "This value should be a valid URL."}]})
            .to_string(),
        },
    ])
    .await;
    let gw = support::gateway_over(DIR, "roost", &vendor).await;
    let hooks = format!("/v1/upstreams/roost/owners/{LIST}/webhooks");
    let listed = support::send(gw.addr, "GET", &hooks, &[], None).await;
    support::ok(&listed, 200, "a list");
    let webhook = &listed.json()["data"][0];
    // The events switched on, in the order of their names.
    assert_eq!(
        webhook["events"],
        json!(["cleaned", "profile", "subscribe", "unsubscribe", "upemail"])
    );
    assert_eq!(webhook["owner"], LIST);
    assert_eq!(
        webhook["extensions"]["sources"],
        json!({"user": true, "admin": true, "api": false})
    );

    let body = json!({"url": "https://example.com/hooks", "events": ["subscribe", "campaign"]});
    let made = support::send(gw.addr, "POST", &hooks, &[], Some(&body)).await;
    support::ok(&made, 201, "a create");
    // Every event as the boolean it is.
    assert_eq!(
        vendor.seen()[1].json().unwrap()["events"],
        json!({"subscribe": true, "unsubscribe": false, "profile": false, "cleaned": false,
            "upemail": false, "campaign": true})
    );

    let refused = support::send(gw.addr, "POST", &hooks, &[], Some(&body)).await;
    support::ok(&refused, 422, "the vendor's problem");
    let problem = refused.json();
    assert_eq!(
        problem["errors"],
        json!([{"field": "url", "message": "This value should be a valid URL."}])
    );
    assert_eq!(problem["upstream"]["code"], "Invalid Resource");
}

#[test]
fn an_answer_names_its_owner_only_in_a_dialect_of_owners() {
    let till = std::fs::read_to_string(format!("{DIR}/till.toml")).unwrap();
    let text = till.replacen(
        "empty_status = 204\nresponse = \"{{items}}\"",
        "empty_status = 204\nresponse = { items = \"{{items}}\", owner = \"{{owner}}\" }",
        1,
    );
    assert_ne!(text, till);
    let shown = support::refused_mapping("till", &text);
    let says = "operations.list.response: `{{owner}}` has no value here: it stands in a `response`, a `query` or `headers` of an owner-scoped dialect";
    assert!(shown.iter().any(|e| e.contains(says)), "{shown:?}");
}
