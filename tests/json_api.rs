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

/// A vendor spelt as Klaviyo's webhooks, a JSON:API whose event types are linkage objects in
/// the webhook's `relationships`, each `{"type": "webhook-topic", "id": …}`: the type is a
/// constant member of every item (`with`), sent in requests as the vendor requires it.
const TOPICS: &str = r#"
[dialect]
title = "Topics webhooks"
base_path = "/api"
media_type = "application/vnd.api+json"

[fields.id]
path = "$.id"
in = ["response"]

[fields."extensions.type"]
path = "$.type"
in = ["response"]
render_default = "webhook"

[fields.url]
path = "$.attributes.endpoint_url"
required = true

[fields.description]
path = "$.attributes.name"

[fields.enabled]
path = "$.attributes.enabled"
default = true

[fields.events]
path = "$.relationships['webhook-topics'].data"
codec = { wrap = "id", with = { type = "webhook-topic" } }
required = true
min_items = 1

[operations.list]
method = "GET"
path = "/webhooks"
response = { data = "{{items}}" }

[operations.get]
method = "GET"
path = "/webhooks/{id}"
response = { data = "{{webhook}}" }

[operations.create]
method = "POST"
path = "/webhooks"
body = { data = { "$spread" = "{{webhook}}", type = "webhook" } }
status = 201
response = { data = "{{webhook}}" }

[operations.update]
method = "PATCH"
path = "/webhooks/{id}"
body = { data = { "$spread" = "{{webhook}}", type = "webhook", id = "{{id}}" } }
response = { data = "{{webhook}}" }

[operations.delete]
method = "DELETE"
path = "/webhooks/{id}"
status = 204

[errors]
message = ["$.errors[0].detail"]

[[errors.field_errors]]
path = "$.errors"
form = "items"
field = "$.source.pointer"
message = "$.detail"
skip = ["data"]
item = { detail = "{{message}}", source = { pointer = "/data/{{field}}" }, status = "400", title = "Invalid input." }

[errors.render.validation_failed]
status = 400
body = { errors = "{{errors}}" }

[errors.render.default]
body = { errors = [{ detail = "{{message}}", title = "{{message}}" }] }

[[examples]]
type = "webhook"
id = "01HX3T6A"
attributes = { name = "SMS sent", endpoint_url = "https://example.com/klaviyo", enabled = true }
relationships = { "webhook-topics" = { data = [{ type = "webhook-topic", id = "event:klaviyo.sent_sms" }, { type = "webhook-topic", id = "event:klaviyo.opened_email" }] } }
"#;

/// A folder of mapping files holding the shipped ones and TOPICS with `edits` made (the first
/// `from` becomes `to` in each).
fn with_topics(edits: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = support::dialects_with(&[]);
    let mut text = TOPICS.to_owned();
    for (from, to) in edits {
        let edited = text.replacen(from, to, 1);
        assert_ne!(text, edited, "TOPICS holds no {from:?}");
        text = edited;
    }
    std::fs::write(dir.path().join("topics.toml"), text).unwrap();
    dir
}

fn topics_answer(topics: &[&str]) -> Value {
    let data: Vec<Value> = (topics.iter())
        .map(|t| json!({"type": "webhook-topic", "id": t}))
        .collect();
    json!({"data": {"type": "webhook", "id": "01HX3T6A",
        "attributes": {"name": "SMS sent", "endpoint_url": "https://example.com/klaviyo", "enabled": true},
        "relationships": {"webhook-topics": {"data": data}},
        "links": {"self": "https://a.klaviyo.com/api/webhooks/01HX3T6A/"}}})
}

#[test]
fn items_holding_a_constant_member_survive_the_round_trip_the_file_is_checked_with() {
    let compiled = |text: &str| {
        hookgate::mapping::compile::compile("topics", std::path::Path::new("topics.toml"), text)
            .unwrap_or_else(|e| panic!("{e:?}"))
    };
    let dialect = compiled(TOPICS);
    assert_eq!(
        hookgate::examples::round_trip_all(std::iter::once(&dialect)),
        Vec::<String>::new()
    );
    // Without the constant, the items come back without their type, which the check says.
    let bare = compiled(&TOPICS.replacen(", with = { type = \"webhook-topic\" }", "", 1));
    let problems = hookgate::examples::round_trip_all(std::iter::once(&bare));
    assert!(
        problems.iter().any(|p| p.contains("data[0].type` is lost")),
        "{problems:?}"
    );
    // A constant nested under a member of its own round-trips as well.
    let nested = TOPICS
        .replacen(
            "with = { type = \"webhook-topic\" }",
            "with = { object = \"topic\", meta = { kind = \"event\" } }",
            1,
        )
        .replace(
            "{ type = \"webhook-topic\", id =",
            "{ object = \"topic\", meta = { kind = \"event\" }, id =",
        );
    let nested = compiled(&nested);
    assert_eq!(
        hookgate::examples::round_trip_all(std::iter::once(&nested)),
        Vec::<String>::new()
    );
}

#[test]
fn a_constant_member_that_cannot_be_one_is_refused_when_the_file_loads() {
    let with = "with = { type = \"webhook-topic\" }";
    for (bad, says) in [
        (
            "with = {}",
            "`with` must name the members every object holds",
        ),
        ("with = \"webhook-topic\"", "`with` must be a table"),
        (
            "with = { id = \"x\" }",
            "`with` holds `id`, which is the value itself",
        ),
        (
            "with = { type = \"webhook-topic\" }, catalogue = { \"event:a\" = { type = \"x\" } }",
            "`catalogue.event:a` holds `type`, which `with` gives every object",
        ),
        ("withs = { type = \"webhook-topic\" }", "takes no `withs`"),
    ] {
        let text = TOPICS.replacen(with, bad, 1);
        let Err(errors) = hookgate::mapping::compile::compile(
            "topics",
            std::path::Path::new("topics.toml"),
            &text,
        ) else {
            panic!("loaded: {bad}");
        };
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(
            shown
                .iter()
                .any(|e| e.contains("fields.events.codec") && e.contains(says)),
            "{bad}: {shown:?}"
        );
    }
}

#[tokio::test]
async fn linkage_objects_are_sent_with_their_type_and_errors_inside_them_name_the_item() {
    let pointer_error = |pointer: &str| {
        Reply::json(
            400,
            json!({"errors": [{"id": "e1", "status": 400, "code": "invalid", "title": "Invalid input.",
                "detail": "'type' is not valid", "source": {"pointer": pointer}}]}),
        )
    };
    let pointers = [
        (
            "/data/relationships/webhook-topics/data/0/type",
            "events",
            "events[0]: 'type' is not valid",
        ),
        (
            "/data/relationships/webhook-topics/data/1",
            "events",
            "events[1]: 'type' is not valid",
        ),
        (
            "/data/relationships/webhook-topics/data/1/id",
            "events",
            "events[1]: 'type' is not valid",
        ),
        (
            "/data/relationships/webhook-topics/data",
            "events",
            "'type' is not valid",
        ),
        (
            "/data/relationships/webhook-topics/data/x",
            "events",
            "'type' is not valid",
        ),
        (
            "/data/attributes/endpoint_url/host",
            "url",
            "'type' is not valid",
        ),
        (
            "/data/relationships/webhook-topics",
            "extensions.relationships.webhook-topics",
            "'type' is not valid",
        ),
    ];
    let mut script = vec![Reply::json(201, topics_answer(&["event:klaviyo.sent_sms"]))];
    script.extend(pointers.iter().map(|(p, _, _)| pointer_error(p)));
    let vendor = Double::start(script).await;
    let dir = with_topics(&[]);
    let gw = gateway_over(dir.path().to_str().unwrap(), "topics", &vendor).await;
    let hooks = "/v1/upstreams/topics/webhooks";
    let create = json!({"url": "https://example.com/klaviyo", "description": "SMS sent",
        "events": ["event:klaviyo.sent_sms"]});
    let made = send(gw.addr, "POST", hooks, &[], Some(&create)).await;
    ok(&made, 201, "create");
    assert_eq!(made.json()["events"], json!(["event:klaviyo.sent_sms"]));
    assert!(
        made.json()
            .get("extensions")
            .is_none_or(|e| e.get("relationships.webhook-topics.data").is_none()),
        "{}",
        made.json()
    );
    let sent = vendor.seen()[0].json().unwrap();
    assert_eq!(
        sent["data"]["relationships"],
        json!({"webhook-topics": {"data": [{"type": "webhook-topic", "id": "event:klaviyo.sent_sms"}]}}),
        "{sent}"
    );
    let two = json!({"url": "https://example.com/klaviyo", "events": ["event:klaviyo.sent_sms", "event:klaviyo.opened_email"]});
    for (pointer, field, message) in pointers {
        let refused = send(gw.addr, "POST", hooks, &[], Some(&two)).await;
        ok(&refused, 422, pointer);
        assert_eq!(
            refused.json()["errors"],
            json!([{"field": field, "message": message}]),
            "{pointer}"
        );
    }
    for s in &vendor.seen()[1..] {
        let items = &s.json().unwrap()["data"]["relationships"]["webhook-topics"]["data"];
        assert!(
            items
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["type"] == "webhook-topic"),
            "{items}"
        );
    }
}

#[tokio::test]
async fn a_dotted_vendor_field_inside_a_mapped_value_names_the_field() {
    // Relay names its field errors by dotted paths, nested objects joined with `.` too.
    let fields = [
        (
            json!({"topics.1": "is unknown"}),
            "events",
            "events[1]: is unknown",
        ),
        (
            json!({"topics[0].name": "is unknown"}),
            "events",
            "events[0]: is unknown",
        ),
        (
            json!({"topics": {"0": {"name": "is unknown"}}}),
            "events",
            "events[0]: is unknown",
        ),
        (
            json!({"target.url.host": "is not reachable"}),
            "url",
            "is not reachable",
        ),
        (
            json!({"target.headers.0.value": "is too long"}),
            "headers",
            "is too long",
        ),
        (
            json!({"target": {"headers": {"1": "is too long"}}}),
            "headers",
            "is too long",
        ),
        (
            json!({"target.method": "is unknown"}),
            "extensions.target.method",
            "is unknown",
        ),
    ];
    let script = (fields.iter())
        .map(|(f, _, _)| {
            Reply::json(
                400,
                json!({"error": {"kind": "invalid", "text": "invalid", "fields": f}}),
            )
        })
        .collect();
    let vendor = Double::start(script).await;
    let gw = gateway_over(DIR, "relay", &vendor).await;
    let create = json!({"url": "https://example.com/hook", "events": ["a", "b"],
        "headers": {"X-A": "first", "X-B": "second"}});
    for (vendor_field, field, message) in fields {
        let refused = send(
            gw.addr,
            "POST",
            "/v1/upstreams/relay/owners/p1/webhooks",
            &[],
            Some(&create),
        )
        .await;
        ok(&refused, 422, "refused");
        assert_eq!(
            refused.json()["errors"],
            json!([{"field": field, "message": message}]),
            "{vendor_field}"
        );
    }
}

#[tokio::test]
async fn its_emulator_and_a_surface_take_and_answer_items_with_their_constant_member() {
    let dir = with_topics(&[]);
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.topics]\ndialect = \"topics\"\nemulate = true\n\
         [upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [surfaces.topics]\ndialect = \"topics\"\nupstream = \"relay\"\nprefix = \"/k\"\nowner = \"p1\"\n",
        dir.path()
    ))
    .await;
    let bearer = [("authorization", "Bearer t"), ("content-type", TYPE)];
    let linkage = |id: &str| json!({"type": "webhook-topic", "id": id});
    for (at, prefix) in [(gw.emulators["topics"], ""), (gw.addr, "/k")] {
        let hooks = format!("{prefix}/api/webhooks");
        let create = json!({"data": {"type": "webhook",
            "attributes": {"name": "SMS sent", "endpoint_url": "https://example.com/klaviyo"},
            "relationships": {"webhook-topics": {"data": [linkage("event:klaviyo.sent_sms")]}}}});
        let made = send(at, "POST", &hooks, &bearer, Some(&create)).await;
        ok(&made, 201, &hooks);
        let data = &made.json()["data"];
        assert_eq!(
            data["relationships"]["webhook-topics"]["data"],
            json!([linkage("event:klaviyo.sent_sms")]),
            "{hooks}: {data}"
        );
        let id = data["id"].as_str().unwrap().to_owned();
        // An item that names its topic alone names the same topic.
        let bare = json!({"data": {"type": "webhook", "id": id,
            "relationships": {"webhook-topics": {"data": [{"id": "event:klaviyo.opened_email"}]}}}});
        let changed = send(at, "PATCH", &format!("{hooks}/{id}"), &bearer, Some(&bare)).await;
        ok(&changed, 200, "update");
        assert_eq!(
            changed.json()["data"]["relationships"]["webhook-topics"]["data"],
            json!([linkage("event:klaviyo.opened_email")])
        );
        // One of another type is no topic of this vendor's: refused by its place.
        for other in [json!("webhook"), json!(null), json!(1)] {
            let typed = json!({"data": {"type": "webhook", "id": id, "relationships": {"webhook-topics":
                {"data": [linkage("event:klaviyo.sent_sms"), {"type": other, "id": "event:klaviyo.opened_email"}]}}}});
            let refused = send(at, "PATCH", &format!("{hooks}/{id}"), &bearer, Some(&typed)).await;
            ok(&refused, 400, "another type");
            let error = &refused.json()["errors"][0];
            assert!(
                error["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains("[1].type: must be \"webhook-topic\"")),
                "{other}: {error}"
            );
        }
        let held = send(at, "GET", &format!("{hooks}/{id}"), &bearer, None).await;
        ok(&held, 200, "read");
        assert_eq!(
            held.json()["data"]["relationships"]["webhook-topics"]["data"],
            json!([linkage("event:klaviyo.opened_email")])
        );
    }
}
