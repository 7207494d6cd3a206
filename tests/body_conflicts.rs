//! A body that says it is about another webhook, owner or kind of object than its request: a
//! vendor's API (an emulator, a surface in front of another vendor) refuses it as the vendor's
//! conflict, naming the member, before anything changes. A member the operation's template
//! writes as literal text (JSON:API's `data.type`), or where it places the id (`data.id`), or
//! where the webhook's rules read the id or the owner (Shopify's `webhook.id`, Mailchimp's
//! `list_id`), must hold what the request names; one left out is the request's. Over
//! `tests/dialects` (Squeeze, spelt as Lemon Squeezy's JSON:API; Shop, as Shopify's; Roost, as
//! Mailchimp's) and a test-local copy of Square whose create sends members of its own.

mod support;

use serde_json::{Value, json};
use std::net::SocketAddr;
use support::{Answer, dialects_with, gateway, ok, send};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
const JSON_API: &str = "application/vnd.api+json";

/// A gateway emulating Squeeze, Shop and Roost, with a surface of Squeeze (`/sq`) and one of
/// Shop (`/sh`) in front of an emulated Relay.
async fn vendors() -> hookgate::app::Running {
    gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.squeeze]\ndialect = \"squeeze\"\nemulate = true\n\
         [upstreams.shop]\ndialect = \"shop\"\nemulate = true\n\
         [upstreams.roost]\ndialect = \"roost\"\nemulate = true\n\
         [upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [surfaces.squeeze]\ndialect = \"squeeze\"\nupstream = \"relay\"\nprefix = \"/sq\"\nowner = \"1\"\n\
         [surfaces.shop]\ndialect = \"shop\"\nupstream = \"relay\"\nprefix = \"/sh\"\nowner = \"7\"\n"
    ))
    .await
}

/// Squeeze's hooks at `at` (an emulator, or the surface under `prefix`), a webhook made there
/// and its id.
async fn squeeze_webhook(at: SocketAddr, prefix: &str) -> (String, String) {
    let hooks = format!("{prefix}/v1/webhooks");
    let create = json!({"data": {"type": "webhooks",
        "attributes": {"url": "https://mysite.com/webhooks/", "events": ["order_created"]},
        "relationships": {"store": {"data": {"type": "stores", "id": "1"}}}}});
    let made = send(at, "POST", &hooks, &SQUEEZE, Some(&create)).await;
    ok(&made, 201, &hooks);
    let id = made.json()["data"]["id"].as_str().unwrap().to_owned();
    (hooks, id)
}

const SQUEEZE: [(&str, &str); 2] = [("authorization", "Bearer t"), ("content-type", JSON_API)];

/// The one error of a conflict Squeeze answers, in its JSON:API shape.
fn squeeze_conflict(answer: &Answer, what: &str) -> String {
    ok(answer, 409, what);
    assert_eq!(answer.header("content-type"), Some(JSON_API), "{what}");
    let errors = answer.json()["errors"].clone();
    assert_eq!(errors.as_array().map(Vec::len), Some(1), "{what}: {errors}");
    errors[0]["detail"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_update_whose_envelope_names_another_id_or_type_is_a_conflict() {
    let gw = vendors().await;
    for (at, prefix) in [(gw.emulators["squeeze"], ""), (gw.addr, "/sq")] {
        let (hooks, id) = squeeze_webhook(at, prefix).await;
        let one = format!("{hooks}/{id}");
        let change = |data: Value| json!({"data": data});
        let attributes = json!({"url": "https://mysite.com/changed"});
        for (data, names) in [
            (
                json!({"type": "webhooks", "id": "OTHER", "attributes": attributes}),
                format!("data.id: must be `{id}`, the webhook this request names, not `OTHER`"),
            ),
            (
                json!({"type": "webhooks", "id": 999, "attributes": attributes}),
                format!("data.id: must be `{id}`, the webhook this request names, not `999`"),
            ),
            (
                json!({"type": "webhooks", "id": "", "attributes": attributes}),
                format!("data.id: must be `{id}`, the webhook this request names, not ``"),
            ),
            (
                json!({"type": "hooks", "id": id, "attributes": attributes}),
                "data.type: must be `webhooks`, not `hooks`".to_owned(),
            ),
            (
                json!({"type": null, "attributes": attributes}),
                "data.type: must be `webhooks`, not `null`".to_owned(),
            ),
        ] {
            let refused = send(at, "PATCH", &one, &SQUEEZE, Some(&change(data.clone()))).await;
            let said = squeeze_conflict(&refused, &format!("{prefix} {data}"));
            assert_eq!(said, names, "{prefix} {data}");
        }
        // Nothing changed.
        let read = send(at, "GET", &one, &SQUEEZE, None).await;
        ok(&read, 200, "read");
        assert_eq!(
            read.json()["data"]["attributes"]["url"],
            "https://mysite.com/webhooks/"
        );
        // The id the path names, as text or as the number whose text it is, or left out.
        let number: u64 = id.parse().unwrap();
        for (n, data) in [
            json!({"type": "webhooks", "id": id, "attributes": {"url": "https://mysite.com/1"}}),
            json!({"type": "webhooks", "id": number, "attributes": {"url": "https://mysite.com/2"}}),
            json!({"attributes": {"url": "https://mysite.com/3"}}),
        ]
        .into_iter()
        .enumerate()
        {
            let changed = send(at, "PATCH", &one, &SQUEEZE, Some(&change(data.clone()))).await;
            ok(&changed, 200, &format!("{prefix} {data}"));
            assert_eq!(
                changed.json()["data"]["attributes"]["url"],
                format!("https://mysite.com/{}", n + 1)
            );
        }
    }
}

#[tokio::test]
async fn a_create_whose_envelope_names_another_type_is_a_conflict() {
    let gw = vendors().await;
    for (at, prefix) in [(gw.emulators["squeeze"], ""), (gw.addr, "/sq")] {
        let hooks = format!("{prefix}/v1/webhooks");
        let create = json!({"data": {"type": "subscriptions",
            "attributes": {"url": "https://mysite.com/webhooks/", "events": ["order_created"]},
            "relationships": {"store": {"data": {"type": "stores", "id": "1"}}}}});
        let refused = send(at, "POST", &hooks, &SQUEEZE, Some(&create)).await;
        let said = squeeze_conflict(&refused, prefix);
        assert_eq!(said, "data.type: must be `webhooks`, not `subscriptions`");
        let listed = send(
            at,
            "GET",
            &format!("{hooks}?filter[store_id]=1"),
            &SQUEEZE,
            None,
        )
        .await;
        ok(&listed, 200, "list");
        assert_eq!(listed.json()["data"], json!([]), "{prefix}");
    }
}

#[tokio::test]
async fn an_update_whose_webhook_names_another_id_is_a_conflict() {
    let gw = vendors().await;
    let token = [("x-shopify-access-token", "t")];
    for (at, prefix) in [(gw.emulators["shop"], ""), (gw.addr, "/sh")] {
        let hooks = format!("{prefix}/admin/api/2024-01/webhooks.json");
        let body =
            json!({"webhook": {"address": "https://example.com/p", "topic": "orders/create"}});
        let made = send(at, "POST", &hooks, &token, Some(&body)).await;
        ok(&made, 201, "create");
        let webhook = made.json()["webhook"].clone();
        let id = webhook["id"].as_u64().unwrap();
        let one = format!("{prefix}/admin/api/2024-01/webhooks/{id}.json");
        for other in [
            json!(id + 1),
            json!((id + 1).to_string()),
            json!("x"),
            json!(null),
        ] {
            let mut sent = webhook.clone();
            sent["id"] = other.clone();
            sent["address"] = json!("https://example.com/changed");
            let refused = send(at, "PUT", &one, &token, Some(&json!({"webhook": sent}))).await;
            ok(&refused, 409, &format!("{prefix} {other}"));
            let shown = refused.json();
            let said = shown["errors"].as_str().unwrap_or_default();
            assert!(
                said.starts_with(&format!(
                    "id: must be `{id}`, the webhook this request names"
                )),
                "{prefix} {other}: {shown}"
            );
        }
        let read = send(at, "GET", &one, &token, None).await;
        assert_eq!(read.json()["webhook"]["address"], "https://example.com/p");
        // Its own clients send the whole webhook back: its id as a number, or as its text.
        for (n, same) in [json!(id), json!(id.to_string())].into_iter().enumerate() {
            let mut sent = webhook.clone();
            sent["id"] = same;
            sent["address"] = json!(format!("https://example.com/{n}"));
            let changed = send(at, "PUT", &one, &token, Some(&json!({"webhook": sent}))).await;
            ok(&changed, 200, &format!("{prefix} {n}"));
        }
    }
}

#[tokio::test]
async fn a_change_whose_webhook_names_another_owner_is_a_conflict() {
    let gw = vendors().await;
    let at = gw.emulators["roost"];
    let basic = [("authorization", "Basic YW55OmtleQ==")];
    let list = "0a1b2c3d4e";
    let hooks = format!("/lists/{list}/webhooks");
    let body = json!({"url": "https://example.com/r", "events": {"subscribe": true}});
    let made = send(at, "POST", &hooks, &basic, Some(&body)).await;
    ok(&made, 200, "create");
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let one = format!("{hooks}/{id}");
    for (member, other) in [("list_id", "ffffffffff"), ("id", "ffffffffff")] {
        let sent = json!({"url": "https://example.com/changed", member: other});
        let refused = send(at, "PATCH", &one, &basic, Some(&sent)).await;
        ok(&refused, 409, member);
        let shown = refused.json();
        assert_eq!(shown["status"], 409, "{shown}");
        let detail = shown["detail"].as_str().unwrap();
        assert!(
            detail.starts_with(&format!("{member}: must be `")) && detail.contains(other),
            "{shown}"
        );
    }
    // A create under the list the path names, its body naming another.
    let other = json!({"url": "https://example.com/s", "events": {"subscribe": true},
        "list_id": "ffffffffff"});
    let refused = send(at, "POST", &hooks, &basic, Some(&other)).await;
    ok(&refused, 409, "create");
    let listed = send(at, "GET", &hooks, &basic, None).await;
    assert_eq!(listed.json()["total_items"], 1, "{}", listed.json());
    let same = json!({"url": "https://example.com/changed", "list_id": list, "id": id});
    ok(
        &send(at, "PATCH", &one, &basic, Some(&same)).await,
        200,
        "same",
    );
}

#[tokio::test]
async fn an_envelopes_literals_hold_their_values_down_to_their_members() {
    // Square's create, with members of its own beside the subscription.
    let dir = dialects_with(&[(
        "square",
        "body = { idempotency_key = \"{{idempotency_key}}\", subscription = \"{{webhook}}\" }",
        "body = { idempotency_key = \"{{idempotency_key}}\", subscription = \"{{webhook}}\", \
         source = { app = \"hookgate\" }, version = 2 }",
    )]);
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.square]\ndialect = \"square\"\nemulate = true\n",
        dir.path().to_str().unwrap()
    ))
    .await;
    let at = gw.emulators["square"];
    let auth = [("authorization", "Bearer t")];
    let hooks = "/v2/webhooks/subscriptions";
    let create = |n: usize, beside: Value| {
        let mut body = json!({"idempotency_key": format!("k-{n}"), "subscription": {
            "notification_url": "https://example.com/1", "event_types": ["payment.created"]}});
        for (k, v) in beside.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for (n, (beside, said)) in [
        (json!({"version": 3}), "version: must be `2`, not `3`"),
        (json!({"version": "two"}), "version: must be `2`, not `two`"),
        (
            json!({"source": {"app": "other"}}),
            "source.app: must be `hookgate`, not `other`",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let refused = send(at, "POST", hooks, &auth, Some(&create(n, beside.clone()))).await;
        ok(&refused, 409, &beside.to_string());
        let shown = refused.json().to_string();
        assert!(shown.contains(said), "{beside}: {shown}");
    }
    // The values the file writes, as JSON or as the text a form writes them in, or left out.
    for (n, beside) in [
        json!({"version": 2, "source": {"app": "hookgate"}}),
        json!({"version": "2"}),
        json!({}),
    ]
    .into_iter()
    .enumerate()
    {
        let made = send(
            at,
            "POST",
            hooks,
            &auth,
            Some(&create(10 + n, beside.clone())),
        )
        .await;
        ok(&made, 200, &beside.to_string());
    }
}
