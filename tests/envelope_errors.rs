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

/// The field errors a surface of dialect `surface` answers for a create whose upstream (a copy
/// of Square, `sq`) refuses the idempotency key it was sent: `path`, `headers` and `body` are
/// the surface's create.
async fn on_surface(
    surface: &str,
    owner: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Value,
) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let square = std::fs::read_to_string(format!("{DIR}/square.toml")).unwrap();
    // The surface's Square and the upstream's are two dialects: the surface translates.
    std::fs::write(dir.path().join("sq.toml"), &square).unwrap();
    std::fs::write(dir.path().join("square.toml"), square).unwrap();
    let item = json!({"category": "INVALID_REQUEST_ERROR", "code": "INVALID_VALUE",
        "detail": "is not valid", "field": "idempotency_key"});
    let vendor = Double::start(vec![Reply::json(400, json!({"errors": [item]}))]).await;
    let gw = support::gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.sq]\ndialect = \"sq\"\nbase_url = {:?}\n\
         auth = {{ type = \"none\" }}\n[url_policy]\nallow_private = true\n\
         [surfaces.s]\ndialect = \"{surface}\"\nupstream = \"sq\"\nprefix = \"/s\"\n{owner}",
        dir.path().to_str().unwrap(),
        vendor.url()
    ))
    .await;
    let mut all = vec![("authorization", "Bearer testsk_hookgate")];
    all.extend_from_slice(headers);
    let answer = send(gw.addr, "POST", path, &all, Some(&body)).await;
    assert_eq!(vendor.seen().len(), 1, "{surface}: {:?}", answer.json());
    let shown = answer.json();
    assert!(
        !answer.body.windows(12).any(|w| w == b"no field for"),
        "{surface}: {shown}"
    );
    gw.stop().await;
    shown
}

#[tokio::test]
async fn a_surfaces_clients_are_told_of_their_key_where_they_send_it() {
    let hook = json!({"url": "https://example.com/1", "filterTypes": ["payment.created"]});
    // Svix's key is its `idempotency-key` header.
    for key in ["idempotency-key", "Idempotency-Key"] {
        let shown = on_surface(
            "svix",
            "owner = \"app_1\"\n",
            "/s/api/v1/app/app_1/endpoint",
            &[(key, "k-1")],
            hook.clone(),
        )
        .await;
        let item = &shown["detail"][0];
        assert_eq!(item["loc"], json!(["header", "idempotency-key"]), "{shown}");
        assert_eq!(item["msg"], "is not valid", "{shown}");
    }
    // Square's is a member of its create's body.
    let shown = on_surface(
        "square",
        "",
        "/s/v2/webhooks/subscriptions",
        &[],
        json!({"idempotency_key": "k-1", "subscription": {
            "notification_url": "https://example.com/1", "event_types": ["payment.created"]}}),
    )
    .await;
    let errors = shown["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{shown}");
    assert_eq!(
        errors[0]["detail"], "idempotency_key: is not valid",
        "{shown}"
    );
    // Talkover takes none of its own: its clients' `Idempotency-Key` was refused.
    let agent = "9fbef0b7-8d4e-4a08-9207-66c22155721d";
    let shown = on_surface(
        "talkover",
        &format!("owner = \"{agent}\"\n"),
        &format!("/s/api/v1/agents/{agent}/webhooks"),
        &[("idempotency-key", "k-1")],
        json!({"name": "n", "webhook_url": "https://example.com/1", "events": ["event_action"]}),
    )
    .await;
    let text = shown.to_string();
    assert!(text.contains("Idempotency-Key"), "{shown}");
    assert!(
        text.contains("the idempotency key this request gave"),
        "{shown}"
    );
}
