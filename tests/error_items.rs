//! A vendor's list of field errors is carried whole, whatever its items look like: an item
//! that names no field (a GitHub-like `{"code": "custom", "message": …}`), an item that is a
//! bare message, and a field named by a JSON Pointer (JSON:API's `source.pointer`). Read from
//! the `items` form of `tests/dialects/forge.toml`, through a scripted vendor on loopback.

mod support;

use serde_json::{Value, json};
use support::{Double, Reply, gateway_over, send};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");

/// The canonical field errors of a create the vendor refuses with `errors`.
async fn field_errors(errors: Value) -> (u16, Value, Value) {
    let double = Double::start(vec![Reply::json(
        422,
        json!({"message": "Validation Failed", "errors": errors}),
    )])
    .await;
    let gw = gateway_over(DIR, "forge", &double).await;
    let answer = send(
        gw.addr,
        "POST",
        "/v1/upstreams/forge/owners/octo/site/webhooks",
        &[],
        Some(&json!({"url": "https://example.com/a", "events": ["push"]})),
    )
    .await;
    let problem = answer.json();
    (answer.status, problem["errors"].clone(), problem)
}

#[tokio::test]
async fn an_item_that_names_no_field_is_about_the_request_as_a_whole() {
    let (status, errors, problem) = field_errors(json!([
        {"resource": "Hook", "code": "custom", "message": "Hook already exists on this repository"}
    ]))
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "validation_failed");
    assert_eq!(
        errors,
        json!([{"field": "", "message": "Hook already exists on this repository"}])
    );
    assert_eq!(problem["upstream"]["message"], "Validation Failed");
}

#[tokio::test]
async fn a_bare_message_is_its_own_item() {
    let (_, errors, problem) = field_errors(json!(["Url is invalid", "Events are empty"])).await;
    assert_eq!(
        errors,
        json!([
            {"field": "", "message": "Url is invalid"},
            {"field": "", "message": "Events are empty"}
        ]),
        "{problem}"
    );
}

#[tokio::test]
async fn an_item_of_neither_field_nor_message_is_shown_as_written() {
    let (_, errors, problem) = field_errors(json!([{"code": "missing"}])).await;
    assert_eq!(
        errors,
        json!([{"field": "", "message": "{\"code\":\"missing\"}"}]),
        "{problem}"
    );
}

#[tokio::test]
async fn a_field_named_by_a_json_pointer_is_the_field_it_points_at() {
    let (_, errors, problem) = field_errors(json!([
        {"field": "/config/url", "message": "must use https"},
        {"field": "/events/1", "message": "is not an event"},
        {"field": "/config/x~1y", "message": "is unknown"},
        {"field": "/", "message": "is not an object"},
        {"field": "events", "message": "has a duplicate"}
    ]))
    .await;
    assert_eq!(
        errors,
        json!([
            {"field": "url", "message": "must use https"},
            {"field": "events", "message": "events[1]: is not an event"},
            {"field": "extensions.config.x/y", "message": "is unknown"},
            {"field": "", "message": "is not an object"},
            {"field": "events", "message": "has a duplicate"}
        ]),
        "{problem}"
    );
}

#[tokio::test]
async fn a_vendors_one_code_for_every_refusal_is_a_validation_failure_where_it_names_fields() {
    // Relay as a vendor that answers every 400 `invalid`, which its file maps to
    // `bad_request`: with fields named, the request failed validation; without, it was bad.
    let dir = support::dialects_with(&[(
        "relay",
        "invalid = \"validation_failed\"",
        "invalid = \"bad_request\"",
    )]);
    let refused = |fields: Value| {
        Reply::json(
            400,
            json!({"error": {"kind": "invalid", "text": "Bad request", "fields": fields}}),
        )
    };
    let double = Double::start(vec![
        refused(json!({"target.url": ["must be https"]})),
        refused(json!({})),
    ])
    .await;
    let gw = gateway_over(dir.path().to_str().unwrap(), "relay", &double).await;
    let body = json!({"url": "https://example.com/a", "events": ["push"]});
    let path = "/v1/upstreams/relay/owners/p1/webhooks";
    let named = send(gw.addr, "POST", path, &[], Some(&body)).await;
    let problem = named.json();
    assert_eq!(named.status, 422, "{problem}");
    assert_eq!(problem["code"], "validation_failed", "{problem}");
    assert_eq!(problem["errors"][0]["field"], "url", "{problem}");
    let bare = send(gw.addr, "POST", path, &[], Some(&body)).await;
    assert_eq!(bare.status, 400, "{}", bare.json());
    assert_eq!(bare.json()["code"], "bad_request", "{}", bare.json());
    gw.stop().await;
}
