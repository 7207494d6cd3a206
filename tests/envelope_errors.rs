//! A vendor's field errors name places of the body it was sent, which may hold the webhook
//! inside an envelope of its own (Square's `{"idempotency_key": …, "subscription": {…}}`). A
//! place inside the webhook is named by its canonical field; the envelope's idempotency key is
//! the client's `Idempotency-Key`; any other member of the envelope is the request's as a
//! whole, never an extension the client did not send. A JSON Pointer names the body from its
//! root, whatever leading segments the file says name no field (`skip`). Over
//! `tests/dialects/square.toml` (and a test-local copy whose create sends a member of its own),
//! `tests/dialects/squeeze.toml` and test-local JSON:API files whose webhook is the body's
//! `data.attributes`, its `data` or the body itself, in front of a scripted vendor. A member
//! of the webhook no rule reads is named as the vendor's errors name a field, past what they
//! write before its name (`/data/attributes/`), on a create and an update alike, and a surface
//! of such a file points back where its client put it.

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

/// A JSON:API vendor's refusal naming each member by a JSON Pointer from the body's root.
fn pointed(pointers: &[&str]) -> Value {
    let errors: Vec<Value> = (pointers.iter())
        .map(|p| json!({"detail": format!("bad {p}"), "source": {"pointer": p}, "status": "422"}))
        .collect();
    json!({"jsonapi": {"version": "1.0"}, "errors": errors})
}

/// The field errors the canonical API answers for a create and an update of Squeeze (from
/// the mapping files of `dir`) that the vendor refuses naming `pointers`.
async fn pointed_at(dir: &str, pointers: &[&str]) -> (Value, Value) {
    let current = json!({"data": {"type": "webhooks", "id": "1", "attributes": {
        "store_id": 1, "url": "https://mysite.com/webhooks/", "events": ["order_created"]}}});
    let vendor = Double::start(vec![
        Reply::json(422, pointed(pointers)),
        Reply::json(200, current),
        Reply::json(422, pointed(pointers)),
    ])
    .await;
    let gw = gateway_over(dir, "squeeze", &vendor).await;
    let hooks = "/v1/upstreams/squeeze/owners/1/webhooks";
    let body = json!({"url": "https://example.com/1", "events": ["order_created"]});
    let created = send(gw.addr, "POST", hooks, &[], Some(&body)).await;
    support::ok(&created, 422, "create");
    let patch = json!({"url": "https://example.com/2"});
    let changed = send(gw.addr, "PATCH", &format!("{hooks}/1"), &[], Some(&patch)).await;
    support::ok(&changed, 422, "update");
    (
        created.json()["errors"].clone(),
        changed.json()["errors"].clone(),
    )
}

/// An error the canonical API names: its field and message.
fn error(field: &str, message: &str) -> Value {
    json!({"field": field, "message": message})
}

#[tokio::test]
async fn a_json_pointer_names_the_body_sent_whatever_skip_the_file_gives() {
    // Squeeze's webhook is the body's `data`, the type (and an update's id) beside it.
    let pointers = [
        "/data/attributes/url",
        "/data/type",
        "/data/relationships/store/data/id",
        "/data",
        "",
        "/data/attributes/events/0",
        "/data/attributes/secret",
    ];
    let expected = [
        error("url", "bad /data/attributes/url"),
        error("", "data.type: bad /data/type"),
        error("owner", "bad /data/relationships/store/data/id"),
        error("", "bad /data"),
        error("", "bad "),
        error("events", "events[0]: bad /data/attributes/events/0"),
        error("secret", "bad /data/attributes/secret"),
    ];
    let skips = [
        "skip = [\"data\"]\n",
        "skip = [\"data\", \"attributes\"]\n",
        "skip = [\"body\"]\n",
        "skip = []\n",
        "",
    ];
    for skip in skips {
        let with_skip = format!("message = \"$.detail\"\n{skip}");
        let edit = ("squeeze", "message = \"$.detail\"\n", with_skip.as_str());
        // The file as shipped gives none.
        let edits = [edit];
        let dir = dialects_with(if skip.is_empty() { &[] } else { &edits });
        let (created, changed) = pointed_at(dir.path().to_str().unwrap(), &pointers).await;
        assert_eq!(created, json!(expected), "{skip}");
        assert_eq!(changed, json!(expected), "{skip}");
        // An update's id is the webhook's, which its client names in the path.
        let (_, changed) = pointed_at(dir.path().to_str().unwrap(), &["/data/id"]).await;
        assert_eq!(changed, json!([error("id", "bad /data/id")]), "{skip}");
    }
}

/// Squeeze with its webhook's members at `data.attributes` (rules at `$.url`), the type and
/// an update's id beside them in `data`.
const WRAPPED: &str = r#"
[dialect]
title = "Wrapped webhooks"
base_path = "/v1"
owner = "store"
media_type = "application/vnd.api+json"

[fields.id]
path = "$.id"
in = ["response"]

[fields.url]
path = "$.url"
required = true

[fields.events]
path = "$.events"
required = true

[fields.enabled]
implied = true

[operations.list]
method = "GET"
path = "/stores/{owner}/webhooks"
response = { data = "{{items}}" }

[operations.get]
method = "GET"
path = "/stores/{owner}/webhooks/{id}"
response = { data = "{{webhook}}" }

[operations.create]
method = "POST"
path = "/stores/{owner}/webhooks"
body = { data = { type = "webhooks", attributes = { "$spread" = "{{webhook}}" } } }
response = { data = "{{webhook}}" }

[operations.update]
method = "PATCH"
path = "/stores/{owner}/webhooks/{id}"
body = { data = { type = "webhooks", id = "{{id}}", attributes = { "$spread" = "{{webhook}}" } } }
response = { data = "{{webhook}}" }

[errors]
message = ["$.errors[0].detail"]

[[errors.field_errors]]
path = "$.errors"
form = "items"
field = "$.source.pointer"
message = "$.detail"
SKIP
item = { detail = "{{message}}", source = { pointer = "/data/attributes/{{field}}" } }

[errors.render.default]
body = { errors = [{ detail = "{{message}}" }] }
"#;

#[tokio::test]
async fn a_json_pointer_into_a_webhook_wrapped_twice_names_the_body_sent() {
    let pointers = [
        "/data/attributes/url",
        "/data/attributes/events/1",
        "/data/type",
        "/data/id",
        "/data/attributes",
        "",
    ];
    let expected = [
        error("url", "bad /data/attributes/url"),
        error("events", "events[1]: bad /data/attributes/events/1"),
        error("", "data.type: bad /data/type"),
        error("id", "bad /data/id"),
        error("", "bad /data/attributes"),
        error("", "bad "),
    ];
    for skip in ["skip = [\"data\", \"attributes\"]", "skip = [\"data\"]", ""] {
        let dir = tempfile::tempdir().unwrap();
        let file = WRAPPED.replace("SKIP", skip);
        std::fs::write(dir.path().join("wrapped.toml"), file).unwrap();
        let vendor = Double::start(vec![Reply::json(422, pointed(&pointers))]).await;
        let gw = gateway_over(dir.path().to_str().unwrap(), "wrapped", &vendor).await;
        let patch = json!({"url": "https://example.com/2", "events": ["a", "b"]});
        let hook = "/v1/upstreams/wrapped/owners/1/webhooks/7";
        let changed = send(gw.addr, "PATCH", hook, &[], Some(&patch)).await;
        support::ok(&changed, 422, skip);
        assert_eq!(changed.json()["errors"], json!(expected), "{skip}");
        assert_eq!(
            vendor.seen()[0].json().unwrap()["data"]["attributes"]["url"],
            "https://example.com/2"
        );
    }
}

/// Where a JSON:API file's webhook stands in the body `{"data": {"type": …, "attributes":
/// {…}}}`: the rules' places are the members of `attributes` wherever it stands.
#[derive(Debug, Clone, Copy)]
enum Wrapping {
    /// The webhook is `data`, spread beside its `type` (and an update's `id`): its rules read
    /// `$.attributes.url`.
    Data,
    /// The webhook is `data.attributes`: its rules read `$.url`.
    Attributes,
    /// The webhook is the body: its rules read `$.data.attributes.url`.
    Body,
}

/// How the vendor's errors name a field: by JSON Pointer, or by dotted name.
#[derive(Debug, Clone, Copy)]
enum Naming {
    Pointer,
    Dotted,
}

/// A JSON:API file whose webhook stands as `wrapping` says and whose errors name fields as
/// `naming` says, after `skip`.
fn json_api(wrapping: Wrapping, naming: Naming, skip: &str) -> String {
    let (at, body, update, response) = match wrapping {
        Wrapping::Data => (
            "$.attributes.",
            r#"{ data = { "$spread" = "{{webhook}}", type = "webhooks" } }"#,
            r#"{ data = { "$spread" = "{{webhook}}", type = "webhooks", id = "{{id}}" } }"#,
            r#"{ data = "{{webhook}}" }"#,
        ),
        Wrapping::Attributes => (
            "$.",
            r#"{ data = { type = "webhooks", attributes = { "$spread" = "{{webhook}}" } } }"#,
            r#"{ data = { type = "webhooks", id = "{{id}}", attributes = { "$spread" = "{{webhook}}" } } }"#,
            r#"{ data = "{{webhook}}" }"#,
        ),
        Wrapping::Body => (
            "$.data.attributes.",
            r#""{{webhook}}""#,
            r#""{{webhook}}""#,
            r#""{{webhook}}""#,
        ),
    };
    let id = match wrapping {
        Wrapping::Body => "$.data.id",
        _ => "$.id",
    };
    let (field, message, item) = match naming {
        Naming::Pointer => (
            "$.source.pointer",
            "$.detail",
            r#"{ detail = "{{message}}", source = { pointer = "/data/attributes/{{field}}" } }"#,
        ),
        Naming::Dotted => (
            "$.field",
            "$.message",
            r#"{ message = "{{message}}", field = "data.attributes.{{field}}" }"#,
        ),
    };
    format!(
        r#"
[dialect]
title = "JSON:API webhooks"
base_path = "/v1"
owner = "store"

[fields.id]
path = "{id}"
in = ["response"]

[fields.url]
path = "{at}url"
required = true
error_field = "url"

[fields.events]
path = "{at}events"
required = true
error_field = "events"

[fields.enabled]
implied = true

[operations.list]
method = "GET"
path = "/stores/{{owner}}/webhooks"
response = {{ data = "{{{{items}}}}" }}

[operations.get]
method = "GET"
path = "/stores/{{owner}}/webhooks/{{id}}"
response = {response}

[operations.create]
method = "POST"
path = "/stores/{{owner}}/webhooks"
body = {body}
response = {response}

[operations.update]
method = "PATCH"
path = "/stores/{{owner}}/webhooks/{{id}}"
body = {update}
response = {response}

[errors]
message = ["$.errors[0]{}"]

[[errors.field_errors]]
path = "$.errors"
form = "items"
field = "{field}"
message = "{message}"
{skip}
item = {item}

[errors.render.validation_failed]
status = 422
body = {{ errors = "{{{{errors}}}}" }}

[errors.render.default]
body = {{ errors = [{{ detail = "{{{{message}}}}" }}] }}
"#,
        &message[1..]
    )
}

/// The webhook the vendor answers, as `wrapping` places it.
fn json_api_webhook(wrapping: Wrapping) -> Value {
    match wrapping {
        Wrapping::Attributes => json!({"data": {"id": "7", "url": "https://example.com/1",
            "events": ["a"]}}),
        _ => json!({"data": {"type": "webhooks", "id": "7", "attributes": {
            "url": "https://example.com/1", "events": ["a"]}}}),
    }
}

/// A vendor's refusal naming each member of `names` (dotted, past `data.attributes`) as
/// `naming` names fields.
fn refusing(naming: Naming, names: &[&str]) -> Value {
    let errors: Vec<Value> = (names.iter())
        .map(|name| match naming {
            Naming::Pointer => json!({"detail": "is not valid",
                "source": {"pointer": format!("/data/attributes/{}", name.replace('.', "/"))}}),
            Naming::Dotted => json!({"message": "is not valid",
                "field": format!("data.attributes.{name}")}),
        })
        .collect();
    json!({ "errors": errors })
}

#[tokio::test]
async fn a_member_no_rule_reads_inside_a_json_api_envelope_is_named_as_the_client_sends_it() {
    let names = ["foo", "foo.bar", "url"];
    for wrapping in [Wrapping::Data, Wrapping::Attributes, Wrapping::Body] {
        for naming in [Naming::Pointer, Naming::Dotted] {
            for skip in ["", "skip = [\"data\"]", "skip = [\"data\", \"attributes\"]"] {
                let case = format!("{wrapping:?}, {naming:?}, {skip:?}");
                let dir = tempfile::tempdir().unwrap();
                let file = json_api(wrapping, naming, skip);
                // The surface's dialect and the upstream's are two: the surface translates.
                for name in ["api", "up"] {
                    std::fs::write(dir.path().join(format!("{name}.toml")), &file).unwrap();
                }
                let refusal = refusing(naming, &names);
                let current = json_api_webhook(wrapping);
                let vendor = Double::answering(move |seen| match seen.method.as_str() {
                    "GET" => Reply::json(200, current.clone()),
                    _ => Reply::json(422, refusal.clone()),
                })
                .await;
                let gw = support::gateway(&format!(
                    "mappings_dir = {:?}\n[upstreams.up]\ndialect = \"up\"\nbase_url = {:?}\n\
                     auth = {{ type = \"none\" }}\n[url_policy]\nallow_private = true\n\
                     [surfaces.s]\ndialect = \"api\"\nupstream = \"up\"\nprefix = \"/s\"\n",
                    dir.path().to_str().unwrap(),
                    vendor.url()
                ))
                .await;
                // The canonical API: a create and an update name them alike.
                let hooks = "/v1/upstreams/up/owners/1/webhooks";
                let hook = json!({"url": "https://example.com/1", "events": ["a"]});
                let created = send(gw.addr, "POST", hooks, &[], Some(&hook)).await;
                support::ok(&created, 422, &case);
                let change = json!({"url": "https://example.com/2"});
                let changed =
                    send(gw.addr, "PATCH", &format!("{hooks}/7"), &[], Some(&change)).await;
                support::ok(&changed, 422, &case);
                let expected = json!([
                    error("extensions.foo", "is not valid"),
                    error("extensions.foo.bar", "is not valid"),
                    error("url", "is not valid")
                ]);
                assert_eq!(created.json()["errors"], expected, "{case}: create");
                assert_eq!(changed.json()["errors"], expected, "{case}: update");
                // The surface: each is named where its client put it.
                let auth = [("authorization", "Bearer testsk_hookgate")];
                let at = "/s/v1/stores/1/webhooks";
                let hook = json!({"data": {"type": "webhooks", "attributes": {
                    "url": "https://example.com/1", "events": ["a"]}}});
                let created = send(gw.addr, "POST", at, &auth, Some(&hook)).await;
                let change = json!({"data": {"type": "webhooks", "id": "7", "attributes": {
                    "url": "https://example.com/2"}}});
                let changed =
                    send(gw.addr, "PATCH", &format!("{at}/7"), &auth, Some(&change)).await;
                for (what, answer) in [("create", created), ("update", changed)] {
                    support::ok(&answer, 422, &format!("{case}: surface {what}"));
                    let shown: Vec<Value> = (answer.json()["errors"].as_array().unwrap().iter())
                        .map(|e| match naming {
                            Naming::Pointer => e["source"]["pointer"].clone(),
                            Naming::Dotted => e["field"].clone(),
                        })
                        .collect();
                    let sent: Vec<Value> = (names.iter())
                        .map(|name| match naming {
                            Naming::Pointer => json!(format!("/data/attributes/{name}")),
                            Naming::Dotted => json!(format!("data.attributes.{name}")),
                        })
                        .collect();
                    assert_eq!(shown, sent, "{case}: surface {what}: {}", answer.json());
                }
                gw.stop().await;
            }
        }
    }
}
