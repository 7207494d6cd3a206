//! squareup (46.0.0.20260916, installed from PyPI into a virtual environment the first time),
//! Square's Python SDK, a client nobody here wrote, driven by `tests/sdk/square_webhooks.py`
//! against `tests/dialects/square.toml`, a vendor spelt as Square's webhook subscriptions API:
//! wrapped subscriptions, an idempotency key in a create's body, a signature key shown when it
//! is made, an update that keeps what it does not name, lists read one to a page
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

fn subscription(id: &str) -> Value {
    json!({"subscription": {"id": id, "name": "n", "enabled": true,
        "event_types": ["payment.created"], "notification_url": "https://example.com/1",
        "api_version": "2021-12-15", "signature_key": "1k9bIJKCeTmSQwyagtNRLg",
        "created_at": "2022-01-10 23:29:48 +0000 UTC", "updated_at": "2022-01-10 23:29:48 +0000 UTC"}})
}

#[tokio::test]
async fn the_gateway_sends_a_clients_idempotency_key_in_the_body_and_may_repeat_that_create() {
    let id = "wbhk_b35f6b3145074cf9ad513610786c19d5";
    let vendor = support::Double::start(vec![
        support::Reply::json(503, json!({"errors": [{"category": "API_ERROR", "code": "SERVICE_UNAVAILABLE", "detail": "try again"}]})),
        support::Reply::json(200, subscription(id)),
        support::Reply::json(503, json!({"errors": [{"category": "API_ERROR", "code": "SERVICE_UNAVAILABLE", "detail": "try again"}]})),
    ])
    .await;
    let gw = support::gateway_over(DIR, "square", &vendor).await;
    let body = json!({"url": "https://example.com/1", "events": ["payment.created"]});
    let hooks = "/v1/upstreams/square/webhooks";
    let keyed = support::send(
        gw.addr,
        "POST",
        hooks,
        &[("idempotency-key", "k-1")],
        Some(&body),
    )
    .await;
    support::ok(&keyed, 201, "a create with a key, repeated after a 503");
    let unkeyed = support::send(gw.addr, "POST", hooks, &[], Some(&body)).await;
    support::ok(&unkeyed, 503, "a create without a key, not repeated");
    let seen = vendor.seen();
    assert_eq!(seen.len(), 3, "{seen:?}");
    // The client's key, scoped to it, the same on both attempts.
    let sent = |attempt: &support::Seen| {
        let body = attempt.json().unwrap();
        support::scoped_key(body["idempotency_key"].as_str().unwrap(), "k-1")
    };
    assert_eq!(sent(&seen[0]), sent(&seen[1]));
    assert!(seen[2].json().unwrap().get("idempotency_key").is_none());
}

#[tokio::test]
async fn a_clients_key_in_the_body_reaches_the_vendor_behind_in_its_header() {
    // Zen, taking its idempotency key in a header.
    let dir = support::dialects_with(&[(
        "zen",
        "[dialect]\n",
        "[dialect]\nidempotency_key = \"Idempotency-Key\"\n",
    )]);
    let vendor = support::Double::start(vec![support::Reply::json(
        201,
        json!({"webhook": {"id": "01EJFTSCC78X5V07NPY2MHR00M", "name": "n", "status": "active",
            "endpoint": "https://example.com/1", "http_method": "POST",
            "subscriptions": ["payment.created"], "created_at": "2020-10-20T08:16:28Z"}}),
    )])
    .await;
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.zen]\ndialect = \"zen\"\nbase_url = {:?}\n\
         auth = {{ type = \"none\" }}\n[surfaces.square]\ndialect = \"square\"\nupstream = \"zen\"\n\
         prefix = \"/square\"\n[url_policy]\nallow_private = true\n",
        dir.path(),
        vendor.url()
    ))
    .await;
    let made = support::send(
        gw.addr,
        "POST",
        "/square/v2/webhooks/subscriptions",
        &[("authorization", "Bearer t")],
        Some(
            &json!({"idempotency_key": "k-2", "subscription": {"name": "n",
            "event_types": ["payment.created"], "notification_url": "https://example.com/1"}}),
        ),
    )
    .await;
    support::ok(&made, 200, "a Square client's create");
    let seen = vendor.seen();
    seen[0].key_in("idempotency-key", "k-2");
    assert!(!String::from_utf8_lossy(&seen[0].body).contains("k-2"));
}

/// A create at an emulator of Quad under the idempotency key `key`, in its body.
async fn keyed_create(square: std::net::SocketAddr, key: &str, url: &str) -> support::Answer {
    support::send(
        square,
        "POST",
        "/v2/webhooks/subscriptions",
        &[("authorization", "Bearer t")],
        Some(&json!({"idempotency_key": key, "subscription": {
            "event_types": ["payment.created"], "notification_url": url}})),
    )
    .await
}

/// How many subscriptions an emulator of Quad lists.
async fn subscriptions(square: std::net::SocketAddr) -> usize {
    let listed = support::send(
        square,
        "GET",
        "/v2/webhooks/subscriptions",
        &[("authorization", "Bearer t")],
        None,
    )
    .await;
    let count = listed.json()["subscriptions"].as_array().map(Vec::len);
    count.unwrap_or_else(|| panic!("no subscriptions: {}", listed.json()))
}

#[tokio::test]
async fn the_emulator_makes_one_subscription_of_a_create_repeated_with_its_key() {
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.square]\ndialect = \"square\"\nemulate = true\n"
    ))
    .await;
    let square = gw.emulators["square"];
    let create = |key, url| keyed_create(square, key, url);
    let first = create("k-1", "https://example.com/1").await;
    support::ok(&first, 200, "a create");
    let again = create("k-1", "https://example.com/1").await;
    support::ok(&again, 200, "the same create again");
    // The same answer, the signature key it showed included; one subscription made.
    assert_eq!(again.json(), first.json());
    let other = create("k-1", "https://example.com/2").await;
    support::ok(&other, 409, "another create under the same key");
    assert_eq!(
        other.json()["errors"][0]["detail"],
        "the idempotency key k-1 was used for another request"
    );
    let fresh = create("k-2", "https://example.com/1").await;
    support::ok(&fresh, 200, "the same create under another key");
    assert_ne!(
        fresh.json()["subscription"]["id"],
        first.json()["subscription"]["id"]
    );
    assert_eq!(subscriptions(square).await, 2);
}

#[tokio::test]
async fn a_canonical_create_repeated_with_its_key_makes_one_webhook_at_an_emulator_of_header_keys()
{
    // Zen, taking its idempotency key in a header.
    let dir = support::dialects_with(&[(
        "zen",
        "[dialect]\n",
        "[dialect]\nidempotency_key = \"Idempotency-Key\"\n",
    )]);
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.zen]\ndialect = \"zen\"\nemulate = true\n",
        dir.path()
    ))
    .await;
    let hooks = "/v1/upstreams/zen/webhooks";
    let body = json!({"url": "https://example.com/1", "events": ["conditional_ticket_events"]});
    let key = [("idempotency-key", "k-9")];
    let first = support::send(gw.addr, "POST", hooks, &key, Some(&body)).await;
    support::ok(&first, 201, "a create");
    let again = support::send(gw.addr, "POST", hooks, &key, Some(&body)).await;
    support::ok(&again, 201, "the same create again");
    assert_eq!(again.json()["id"], first.json()["id"]);
    let listed = support::send(gw.addr, "GET", hooks, &[], None).await;
    assert_eq!(listed.json()["data"].as_array().map(Vec::len), Some(1));
    // Without a key, each create is a webhook of its own.
    for _ in 0..2 {
        let made = support::send(gw.addr, "POST", hooks, &[], Some(&body)).await;
        support::ok(&made, 201, "a create without a key");
    }
    let listed = support::send(gw.addr, "GET", hooks, &[], None).await;
    assert_eq!(listed.json()["data"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn an_emulator_with_a_state_file_keeps_its_idempotency_keys_across_a_restart() {
    let state = tempfile::tempdir().unwrap();
    let toml = format!(
        "mappings_dir = {DIR:?}\n[upstreams.square]\ndialect = \"square\"\nemulate = true\n\
         [upstreams.square.emulator]\nstate = \"{}/square.json\"\n",
        state.path().display()
    );
    let create = |square, url| keyed_create(square, "k-1", url);
    let gw = gateway(&toml).await;
    let first = create(gw.emulators["square"], "https://example.com/1").await;
    support::ok(&first, 200, "a create");
    gw.stop().await;

    // After the restart, the same create under the same key answers as the first did and
    // makes nothing; another under that key is still a conflict.
    let gw = gateway(&toml).await;
    let square = gw.emulators["square"];
    let again = create(square, "https://example.com/1").await;
    support::ok(&again, 200, "the same create after a restart");
    assert_eq!(again.json(), first.json());
    let other = create(square, "https://example.com/2").await;
    support::ok(
        &other,
        409,
        "another create under the same key after a restart",
    );
    assert_eq!(subscriptions(square).await, 1);
    let text = std::fs::read_to_string(state.path().join("square.json")).unwrap();
    assert!(text.contains("\"keyed\""), "{text}");
}
