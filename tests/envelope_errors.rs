//! A vendor's field errors name places of the body it was sent, which may hold the webhook
//! inside an envelope of its own (Square's `{"idempotency_key": …, "subscription": {…}}`). A
//! place inside the webhook is named by its canonical field; the envelope's idempotency key is
//! the client's `Idempotency-Key`; any other member of the envelope is the request's as a
//! whole, never an extension the client did not send. Over `tests/dialects/square.toml` (and a
//! test-local copy whose create sends a member of its own) in front of a scripted vendor.

mod support;

use serde_json::{Value, json};
use support::{Double, Reply, dialects_with, gateway_over, send};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");

/// The field errors of a keyed create the vendor of `dir`'s square refuses, naming `field`.
async fn named(dir: &str, field: &str) -> Value {
    let item = json!({"category": "INVALID_REQUEST_ERROR", "code": "INVALID_VALUE",
        "detail": "is not valid", "field": field});
    let vendor = Double::start(vec![Reply::json(400, json!({"errors": [item]}))]).await;
    let gw = gateway_over(dir, "square", &vendor).await;
    let body = json!({"url": "https://example.com/1", "events": ["payment.created"]});
    let answer = send(
        gw.addr,
        "POST",
        "/v1/upstreams/square/webhooks",
        &[("idempotency-key", "k-1")],
        Some(&body),
    )
    .await;
    support::ok(&answer, 422, field);
    answer.json()["errors"].clone()
}

#[tokio::test]
async fn the_envelopes_idempotency_key_is_named_as_the_clients_key() {
    assert_eq!(
        named(DIR, "idempotency_key").await,
        json!([{"field": "Idempotency-Key", "message": "is not valid"}])
    );
}

#[tokio::test]
async fn a_place_inside_the_wrapped_webhook_is_named_by_its_canonical_field() {
    for (vendor, canonical) in [
        ("subscription.notification_url", "url"),
        ("subscription.event_types", "events"),
        ("subscription.name", "description"),
        ("subscription.api_version", "extensions.api_version"),
    ] {
        assert_eq!(
            named(DIR, vendor).await,
            json!([{"field": canonical, "message": "is not valid"}]),
            "{vendor}"
        );
    }
    let items = named(DIR, "subscription.event_types[1]").await;
    assert_eq!(items[0]["field"], "events", "{items}");
    // The webhook itself is the body the client sent, as a whole.
    assert_eq!(
        named(DIR, "subscription").await,
        json!([{"field": "", "message": "is not valid"}])
    );
}

#[tokio::test]
async fn another_member_of_the_envelope_is_the_requests_as_a_whole() {
    let dir = dialects_with(&[(
        "square",
        "body = { idempotency_key = \"{{idempotency_key}}\", subscription = \"{{webhook}}\" }",
        "body = { idempotency_key = \"{{idempotency_key}}\", subscription = \"{{webhook}}\", \
         source = { app = \"hookgate\" }, version = 2 }",
    )]);
    let dir = dir.path().to_str().unwrap();
    for field in ["source", "source.app", "version"] {
        assert_eq!(
            named(dir, field).await,
            json!([{"field": "", "message": format!("{field}: is not valid")}]),
            "{field}"
        );
    }
    assert_eq!(
        named(dir, "idempotency_key").await,
        json!([{"field": "Idempotency-Key", "message": "is not valid"}])
    );
}
