//! A JSON:API vendor (`tests/dialects/squeeze.toml`, spelt as Lemon Squeezy's webhooks): bodies
//! of `application/vnd.api+json`, the webhook as `{"type", "id", "attributes"}`, a create's
//! store in its `relationships`, an update's body with the type and id beside the attributes
//! (`$spread` in a body template), and errors naming members by JSON Pointer. Held to the
//! vendor's documented request and answer bodies over a scripted double; its emulator, and a
//! surface of it in front of a vendor of plain JSON, answer a JSON:API client in kind.

mod support;

use serde_json::{Value, json};
use support::{Double, Reply, gateway, gateway_over, ok, send};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
const TYPE: &str = "application/vnd.api+json";

/// The vendor's documented answer to creating (or reading) webhook 1.
fn documented(events: Value) -> Value {
    json!({
        "jsonapi": {"version": "1.0"},
        "links": {"self": "https://api.lemonsqueezy.com/v1/webhooks/1"},
        "data": {
            "type": "webhooks",
            "id": "1",
            "attributes": {
                "store_id": 1,
                "url": "https://mysite.com/webhooks/",
                "events": events,
                "last_sent_at": null,
                "created_at": "2022-06-07T08:32:47.000000Z",
                "updated_at": "2022-06-07T08:32:47.000000Z",
                "test_mode": false
            },
            "relationships": {"store": {"links": {
                "related": "https://api.lemonsqueezy.com/v1/webhooks/1/store",
                "self": "https://api.lemonsqueezy.com/v1/webhooks/1/relationships/store"
            }}},
            "links": {"self": "https://api.lemonsqueezy.com/v1/webhooks/1"}
        }
    })
}

#[tokio::test]
async fn the_gateway_sends_and_reads_the_vendors_own_bodies() {
    // A webhook is changed by its id alone: whose it is, is read first.
    let vendor = Double::start(vec![
        Reply::json(201, documented(json!(["order_created", "subscription_created"]))),
        Reply::json(200, documented(json!(["order_created", "subscription_created"]))),
        Reply::json(200, documented(json!(["order_refunded"]))),
        Reply::json(200, documented(json!(["order_refunded"]))),
        Reply::json(
            422,
            json!({"jsonapi": {"version": "1.0"}, "errors": [{"detail": "The url field must be a valid URL.",
                "source": {"pointer": "/data/attributes/url"}, "status": "422", "title": "Unprocessable Entity"}]}),
        ),
    ])
    .await;
    let gw = gateway_over(DIR, "squeeze", &vendor).await;
    let hooks = "/v1/upstreams/squeeze/owners/1/webhooks";
    let made = send(
        gw.addr,
        "POST",
        hooks,
        &[],
        Some(&json!({"url": "https://mysite.com/webhooks/", "events": ["order_created", "subscription_created"], "secret": "SIGNING_SECRET"})),
    )
    .await;
    ok(&made, 201, "create");
    let webhook = made.json();
    assert_eq!(webhook["id"], "1");
    assert_eq!(webhook["owner"], "1");
    assert_eq!(
        webhook["events"],
        json!(["order_created", "subscription_created"])
    );
    assert_eq!(webhook["extensions"]["type"], "webhooks");
    // A change of the events, then one the vendor refuses.
    let changed = send(
        gw.addr,
        "PATCH",
        &format!("{hooks}/1"),
        &[],
        Some(&json!({"events": ["order_refunded"]})),
    )
    .await;
    ok(&changed, 200, "update");
    assert_eq!(changed.json()["events"], json!(["order_refunded"]));
    let refused = send(
        gw.addr,
        "PATCH",
        &format!("{hooks}/1"),
        &[],
        Some(&json!({"url": "https://mysite.com/other"})),
    )
    .await;
    ok(&refused, 422, "refused by the vendor");
    assert_eq!(
        refused.json()["errors"],
        json!([{"field": "url", "message": "The url field must be a valid URL."}])
    );
    // What the vendor was sent: its documented request bodies, in its media type.
    let seen = vendor.seen();
    let methods: Vec<&str> = seen.iter().map(|s| s.method.as_str()).collect();
    assert_eq!(methods, ["POST", "GET", "PATCH", "GET", "PATCH"]);
    for s in &seen {
        assert_eq!(s.headers["accept"], TYPE, "{}", s.method);
        if s.method != "GET" {
            assert_eq!(s.headers["content-type"], TYPE, "{}", s.method);
        }
    }
    assert_eq!(
        seen[0].json().unwrap(),
        json!({"data": {"type": "webhooks", "attributes": {"url": "https://mysite.com/webhooks/",
            "events": ["order_created", "subscription_created"], "secret": "SIGNING_SECRET"},
            "relationships": {"store": {"data": {"type": "stores", "id": "1"}}}}})
    );
    assert_eq!(seen[2].path, "/v1/webhooks/1");
    assert_eq!(
        seen[2].json().unwrap(),
        json!({"data": {"type": "webhooks", "id": "1", "attributes": {"events": ["order_refunded"]}}})
    );
}

#[tokio::test]
async fn its_emulator_and_a_surface_of_it_answer_a_json_api_client_in_kind() {
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.squeeze]\ndialect = \"squeeze\"\nemulate = true\n\
         [upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [surfaces.squeeze]\ndialect = \"squeeze\"\nupstream = \"relay\"\nprefix = \"/sq\"\nowner = \"1\"\n"
    ))
    .await;
    let bearer = [("authorization", "Bearer t"), ("content-type", TYPE)];
    for (at, prefix) in [(gw.emulators["squeeze"], ""), (gw.addr, "/sq")] {
        let hooks = format!("{prefix}/v1/webhooks");
        let mut create = json!({"data": {"type": "webhooks",
            "attributes": {"url": "https://mysite.com/webhooks/", "events": ["order_created"]},
            "relationships": {"store": {"data": {"type": "stores", "id": "1"}}}}});
        if prefix.is_empty() {
            // The vendor behind the surface keeps no signing secret.
            create["data"]["attributes"]["secret"] = json!("SIGNING_SECRET");
        }
        let made = send(at, "POST", &hooks, &bearer, Some(&create)).await;
        ok(&made, 201, &hooks);
        assert_eq!(made.header("content-type"), Some(TYPE));
        let data = &made.json()["data"];
        assert_eq!(data["type"], "webhooks", "{hooks}: {data}");
        assert_eq!(data["attributes"]["store_id"], 1, "{hooks}: {data}");
        assert_eq!(data["attributes"]["url"], "https://mysite.com/webhooks/");
        assert!(data["attributes"].get("secret").is_none(), "{data}");
        let id = data["id"].as_str().unwrap().to_owned();
        let patch = json!({"data": {"type": "webhooks", "id": id,
            "attributes": {"events": ["order_created", "order_refunded"]}}});
        let changed = send(at, "PATCH", &format!("{hooks}/{id}"), &bearer, Some(&patch)).await;
        ok(&changed, 200, "update");
        assert_eq!(
            changed.json()["data"]["attributes"]["events"],
            json!(["order_created", "order_refunded"])
        );
        assert_eq!(changed.json()["data"]["type"], "webhooks");
        let listed = send(
            at,
            "GET",
            &format!("{hooks}?filter[store_id]=1"),
            &bearer,
            None,
        )
        .await;
        ok(&listed, 200, "list");
        let items = listed.json()["data"].as_array().unwrap().clone();
        assert!(
            items
                .iter()
                .all(|i| i["type"] == "webhooks" && i["attributes"]["store_id"] == 1),
            "{items:?}"
        );
        assert!(items.iter().any(|i| i["id"] == id.as_str()), "{items:?}");
        // A refusal names the member by its pointer, in the vendor's shape and media type.
        let blank = json!({"data": {"type": "webhooks", "id": id, "attributes": {"url": ""}}});
        let refused = send(at, "PATCH", &format!("{hooks}/{id}"), &bearer, Some(&blank)).await;
        ok(&refused, 422, "a blank url");
        assert_eq!(refused.header("content-type"), Some(TYPE));
        assert_eq!(
            refused.json()["errors"][0]["source"]["pointer"],
            "/data/attributes/url"
        );
        let gone = send(at, "DELETE", &format!("{hooks}/{id}"), &bearer, None).await;
        ok(&gone, 204, "delete");
        let missing = send(at, "GET", &format!("{hooks}/{id}"), &bearer, None).await;
        ok(&missing, 404, "deleted");
        assert_eq!(missing.header("content-type"), Some(TYPE));
        let _: Value = missing.json();
    }
}

#[test]
fn a_spread_that_is_not_one_placeholder_is_refused_when_the_file_loads() {
    let base = std::fs::read_to_string(std::path::Path::new(DIR).join("squeeze.toml")).unwrap();
    let spread = "\"$spread\" = \"{{webhook}}\", type = \"webhooks\", id = \"{{id}}\"";
    assert!(base.contains(spread));
    for (bad, says) in [
        (
            "\"$spread\" = \"x {{webhook}}\"",
            "`$spread` must be one placeholder alone",
        ),
        (
            "\"$spread\" = \"{{webhook}}\", id = \"{{owner.id}}\"",
            "unknown placeholder `{{owner.id}}`",
        ),
    ] {
        let text = base.replacen(spread, bad, 1);
        let Err(errors) = hookgate::mapping::compile::compile(
            "squeeze",
            std::path::Path::new("squeeze.toml"),
            &text,
        ) else {
            panic!("loaded: {bad}");
        };
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(shown.iter().any(|e| e.contains(says)), "{bad}: {shown:?}");
    }
}
