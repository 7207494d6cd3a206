//! A member of a vendor's own that it answers and never takes (a rule `in = ["response"]`:
//! JSON:API's `type`, Shopify's `format`) is read-only: a change that names it is refused as
//! the canonical API refuses `id` or `created_at` (422 `validation_failed`, `is read-only`),
//! on create and update, with lenient handling too, and by a surface in front of that vendor;
//! never as a member the upstream has no place for, which lenient handling would drop. Over
//! `tests/dialects` (Squeeze, spelt as Lemon Squeezy's webhooks, and Shop, as Shopify's) and
//! their emulators.

mod support;

use serde_json::{Value, json};
use support::{dialects_with, gateway, gateway_emulating, ok, send};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");

/// The one field error of a refusal of the canonical API, as `[field, message]`.
fn refused_field(answer: &support::Answer, what: &str) -> [String; 2] {
    ok(answer, 422, what);
    let shown = answer.json();
    assert_eq!(shown["code"], "validation_failed", "{what}: {shown}");
    let errors = shown["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{what}: {shown}");
    let text = |v: &Value| v.as_str().unwrap().to_owned();
    [text(&errors[0]["field"]), text(&errors[0]["message"])]
}

#[tokio::test]
async fn a_canonical_client_is_told_a_read_only_extension_is_read_only() {
    let create = json!({"url": "https://example.com/1", "events": ["order_created"]});
    read_only_at("squeeze", "/owners/1", "type", create).await;
    let create = json!({"url": "https://example.com/1", "events": ["orders/create"]});
    read_only_at("shop", "", "format", create).await;
}

/// Creates and changes naming `extension`, which the emulated `dialect` answers and never
/// takes, are refused as read-only at `/v1/upstreams/{dialect}{owner}/webhooks`; one naming
/// an extension no rule names is refused as unsupported, or dropped with lenient handling.
async fn read_only_at(dialect: &str, owner: &str, extension: &str, create: Value) {
    let gw = gateway_emulating(DIR, dialect).await;
    let hooks = format!("/v1/upstreams/{dialect}{owner}/webhooks");
    let made = send(gw.addr, "POST", &hooks, &[], Some(&create)).await;
    ok(&made, 201, dialect);
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let one = format!("{hooks}/{id}");
    let lenient = [("prefer", "handling=lenient")];
    let field = format!("extensions.{extension}");
    for (method, path, headers, value) in [
        ("POST", &hooks, &[][..], json!("x")),
        ("POST", &hooks, &lenient[..], json!("x")),
        ("PATCH", &one, &[][..], json!("x")),
        ("PATCH", &one, &lenient[..], json!(["x"])),
        ("PATCH", &one, &[][..], json!(null)),
    ] {
        let mut body = if method == "POST" {
            create.clone()
        } else {
            json!({"description": "changed"})
        };
        body["extensions"] = json!({extension: value});
        let answer = send(gw.addr, method, path, headers, Some(&body)).await;
        let what = format!("{dialect} {method} {headers:?} {body}");
        assert_eq!(
            refused_field(&answer, &what),
            [field.clone(), "is read-only".to_owned()],
            "{what}"
        );
    }
    // Nothing was made or changed.
    let listed = send(gw.addr, "GET", &hooks, &[], None).await;
    assert_eq!(
        listed.json()["data"].as_array().unwrap().len(),
        1,
        "{dialect}"
    );
    // An extension no rule names is still one the upstream has no place for, which lenient
    // handling drops.
    let unknown = json!({"extensions": {"nowhere": 1}});
    let answer = send(gw.addr, "PATCH", &one, &[], Some(&unknown)).await;
    ok(&answer, 422, dialect);
    assert_eq!(answer.json()["code"], "unsupported_field", "{dialect}");
    let answer = send(gw.addr, "PATCH", &one, &lenient, Some(&unknown)).await;
    ok(&answer, 200, dialect);
    assert_eq!(
        answer.header("hookgate-dropped-fields"),
        Some("extensions.nowhere")
    );
}

#[tokio::test]
async fn a_surface_in_front_of_the_vendor_refuses_it_in_its_own_words() {
    // A Shop whose webhooks take a `type` of their own, in front of Squeeze, whose `type` is
    // answered alone.
    let dir = dialects_with(&[(
        "shop",
        "[fields.created_at]",
        "[fields.\"extensions.type\"]\npath = \"$.type\"\n\n[fields.created_at]",
    )]);
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.squeeze]\ndialect = \"squeeze\"\nemulate = true\n\
         [surfaces.shop]\ndialect = \"shop\"\nupstream = \"squeeze\"\nprefix = \"/sh\"\nowner = \"1\"\n",
        dir.path().to_str().unwrap()
    ))
    .await;
    let token = [("x-shopify-access-token", "t")];
    let hooks = "/sh/admin/api/2024-01/webhooks.json";
    let webhook = json!({"address": "https://example.com/p", "topic": "order_created"});
    let made = send(
        gw.addr,
        "POST",
        hooks,
        &token,
        Some(&json!({"webhook": webhook})),
    )
    .await;
    ok(&made, 201, "create");
    let id = made.json()["webhook"]["id"].to_string();
    let one = format!("/sh/admin/api/2024-01/webhooks/{id}.json");
    for (method, path) in [("POST", hooks), ("PUT", one.as_str())] {
        let mut sent = webhook.clone();
        sent["type"] = json!("subscriptions");
        let answer = send(
            gw.addr,
            method,
            path,
            &token,
            Some(&json!({"webhook": sent})),
        )
        .await;
        ok(&answer, 422, method);
        assert_eq!(
            answer.json()["errors"],
            json!({"type": ["is read-only"]}),
            "{method}"
        );
    }
}
