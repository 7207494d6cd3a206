//! Updates as RFC 6902 JSON Patches, and event types as objects of their own
//! (`tests/dialects/pal.toml`, spelt as PayPal's webhooks API): what hookgate sends such a vendor
//! (held to the request bodies of the vendor's documentation, literally), what it reads from
//! its answers (the documented ones, each event type with its `description`), and how its
//! emulator and its surface in front of a vendor of merges take a client's patch, and refuse
//! one they cannot apply whole, or one that names a member no request can set (one the vendor
//! does not have, or only answers), in the vendor's shape. The patches written for a vendor that
//! takes `add` and `remove` (`json_patch` beside the strategy) are applied by an RFC 6902
//! implementation of its own (the `json-patch` crate), as a strict vendor would apply them.

mod support;

use serde_json::{Value, json};
use support::{Double, Reply, gateway, gateway_over, ok, send};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
const BEARER: (&str, &str) = ("authorization", "Bearer t");
const HOOKS: &str = "/v1/upstreams/pal/webhooks";
const ID: &str = "0EH40505U7160970P";

fn links() -> Value {
    let href = format!("https://api-m.paypal.com/v1/notifications/webhooks/{ID}");
    json!([
        {"href": href, "rel": "self", "method": "GET"},
        {"href": href, "rel": "update", "method": "PATCH"},
        {"href": href, "rel": "delete", "method": "DELETE"}
    ])
}

/// The vendor's documented answer to its documented create.
fn created() -> Value {
    json!({
        "id": ID,
        "url": "https://example.com/example_webhook",
        "event_types": [
            {"name": "PAYMENT.AUTHORIZATION.CREATED", "description": "A payment authorization was created."},
            {"name": "PAYMENT.AUTHORIZATION.VOIDED", "description": "A payment authorization was voided."}
        ],
        "links": links()
    })
}

/// The vendor's documented answer to its documented update.
fn updated() -> Value {
    json!({
        "id": ID,
        "url": "https://example.com/example_webhook_2",
        "event_types": [
            {"name": "PAYMENT.SALE.REFUNDED", "description": "A sale payment was refunded."}
        ],
        "links": links()
    })
}

#[tokio::test]
async fn a_canonical_update_reaches_the_vendor_as_its_documented_patch() {
    let vendor = Double::start(vec![
        Reply::json(201, created()),
        Reply::json(200, updated()),
        Reply::json(200, updated()),
    ])
    .await;
    let gw = gateway_over(DIR, "pal", &vendor).await;
    let made = send(
        gw.addr,
        "POST",
        HOOKS,
        &[],
        Some(&json!({
            "url": "https://example.com/example_webhook",
            "events": ["PAYMENT.AUTHORIZATION.CREATED", "PAYMENT.AUTHORIZATION.VOIDED"]
        })),
    )
    .await;
    ok(&made, 201, "create");
    let webhook = made.json();
    assert_eq!(
        webhook["events"],
        json!([
            "PAYMENT.AUTHORIZATION.CREATED",
            "PAYMENT.AUTHORIZATION.VOIDED"
        ])
    );
    assert_eq!(webhook["extensions"]["links"], links());
    let changed = send(
        gw.addr,
        "PATCH",
        &format!("{HOOKS}/{ID}"),
        &[],
        Some(&json!({
            "url": "https://example.com/example_webhook_2",
            "events": ["PAYMENT.SALE.REFUNDED"]
        })),
    )
    .await;
    ok(&changed, 200, "update");
    assert_eq!(
        changed.json()["url"],
        "https://example.com/example_webhook_2"
    );
    assert_eq!(changed.json()["events"], json!(["PAYMENT.SALE.REFUNDED"]));
    // Only what the client names: one operation.
    let one = send(
        gw.addr,
        "PATCH",
        &format!("{HOOKS}/{ID}"),
        &[],
        Some(&json!({"events": ["PAYMENT.SALE.REFUNDED"]})),
    )
    .await;
    ok(&one, 200, "update of the event types alone");
    let seen = vendor.seen();
    assert_eq!(
        seen[0].json(),
        Some(json!({
            "url": "https://example.com/example_webhook",
            "event_types": [
                {"name": "PAYMENT.AUTHORIZATION.CREATED"},
                {"name": "PAYMENT.AUTHORIZATION.VOIDED"}
            ]
        }))
    );
    assert_eq!(
        (seen[1].method.as_str(), seen[1].path.as_str()),
        ("PATCH", "/v1/notifications/webhooks/0EH40505U7160970P")
    );
    // The documented request, to the byte's meaning.
    assert_eq!(
        seen[1].json(),
        Some(json!([
            {"op": "replace", "path": "/url", "value": "https://example.com/example_webhook_2"},
            {"op": "replace", "path": "/event_types", "value": [{"name": "PAYMENT.SALE.REFUNDED"}]}
        ]))
    );
    assert_eq!(
        seen[2].json(),
        Some(json!([
            {"op": "replace", "path": "/event_types", "value": [{"name": "PAYMENT.SALE.REFUNDED"}]}
        ]))
    );
    assert_eq!(seen.len(), 3, "no read before a patch");
}

/// Pal with an optional `description`, and updates as a strict vendor takes them where
/// `json_patch` says so: `add` for a member set (`replace` needs it to be there already),
/// `remove` for one cleared.
fn with_description(ops: &str) -> tempfile::TempDir {
    let strategy = "strategy = \"json_patch\"\n";
    let description = (
        "pal",
        "[fields.enabled]",
        "[fields.description]\npath = \"$.description\"\nnullable = true\n\n[fields.enabled]",
    );
    // Its example with a description, as the vendor answers every webhook with one.
    let example = (
        "pal",
        "[[examples]]\n",
        "[[examples]]\ndescription = \"Payments\"\n",
    );
    match ops == strategy {
        true => support::dialects_with(&[description, example]),
        false => support::dialects_with(&[description, example, ("pal", strategy, ops)]),
    }
}

/// Applies `patch` to `doc` as RFC 6902 says, or says why it cannot be.
fn applied(doc: &Value, patch: Option<Value>) -> Result<Value, String> {
    let patch: json_patch::Patch = serde_json::from_value(patch.unwrap()).unwrap();
    let mut doc = doc.clone();
    json_patch::patch(&mut doc, &patch).map_err(|e| e.to_string())?;
    Ok(doc)
}

#[tokio::test]
async fn a_strict_vendor_applies_the_patch_its_file_says_it_takes() {
    let described = || {
        let mut hook = updated();
        hook["description"] = json!("Nightly");
        hook
    };
    for (ops, set, cleared) in [
        (
            "strategy = \"json_patch\"\njson_patch = { set = \"add\", clear = \"remove\" }\n",
            true,
            true,
        ),
        (
            "strategy = \"json_patch\"\njson_patch = { clear = \"remove\" }\n",
            false,
            true,
        ),
        ("strategy = \"json_patch\"\n", false, false),
    ] {
        let dir = with_description(ops);
        let vendor = Double::start(vec![
            Reply::json(200, described()),
            Reply::json(200, updated()),
        ])
        .await;
        let gw = gateway_over(dir.path().to_str().unwrap(), "pal", &vendor).await;
        let at = format!("{HOOKS}/{ID}");
        let set_body =
            json!({"description": "Nightly", "url": "https://example.com/example_webhook_2"});
        ok(
            &send(gw.addr, "PATCH", &at, &[], Some(&set_body)).await,
            200,
            ops,
        );
        let clear_body = json!({"description": null});
        let clear = send(gw.addr, "PATCH", &at, &[], Some(&clear_body)).await;
        ok(&clear, 200, ops);
        assert!(clear.json().get("description").is_none_or(Value::is_null));
        let seen = vendor.seen();
        // Set on the vendor's webhook as documented, which has no description yet.
        let outcome = applied(&updated(), seen[0].json());
        match set {
            true => {
                let doc = outcome.unwrap_or_else(|e| panic!("{ops}: {e}"));
                assert_eq!(doc["description"], "Nightly", "{ops}");
                assert_eq!(doc["url"], "https://example.com/example_webhook_2", "{ops}");
            }
            // `replace` of a member that is not there is refused by a strict vendor: what
            // `set = "add"` is for.
            false => assert!(outcome.is_err(), "{ops}: {outcome:?}"),
        }
        let doc = applied(&described(), seen[1].json()).unwrap_or_else(|e| panic!("{ops}: {e}"));
        match cleared {
            true => {
                assert_eq!(
                    seen[1].json(),
                    Some(json!([{"op": "remove", "path": "/description"}])),
                    "{ops}"
                );
                assert!(doc.get("description").is_none(), "{ops}: {doc}");
            }
            false => assert_eq!(doc["description"], Value::Null, "{ops}: {doc}"),
        }
    }
}

#[tokio::test]
async fn the_emulator_reads_the_adds_and_removes_its_file_says_its_clients_send() {
    let dir = with_description(
        "strategy = \"json_patch\"\njson_patch = { set = \"add\", clear = \"remove\" }\n",
    );
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.pal]\ndialect = \"pal\"\nemulate = true\n",
        dir.path()
    ))
    .await;
    let made = send(
        gw.addr,
        "POST",
        HOOKS,
        &[],
        Some(&json!({"url": "https://example.com/h", "events": ["PAYMENT.SALE.REFUNDED"]})),
    )
    .await;
    ok(&made, 201, "create");
    let at = format!("{HOOKS}/{}", made.json()["id"].as_str().unwrap());
    let set = send(
        gw.addr,
        "PATCH",
        &at,
        &[],
        Some(&json!({"description": "Nightly"})),
    )
    .await;
    ok(&set, 200, "set");
    assert_eq!(set.json()["description"], "Nightly");
    let cleared = send(
        gw.addr,
        "PATCH",
        &at,
        &[],
        Some(&json!({"description": null})),
    )
    .await;
    ok(&cleared, 200, "clear");
    let read = send(gw.addr, "GET", &at, &[], None).await;
    assert!(
        read.json().get("description").is_none_or(Value::is_null),
        "{}",
        read.json()
    );
    assert_eq!(read.json()["url"], "https://example.com/h");
}

#[tokio::test]
async fn what_a_patch_cannot_carry_is_refused_before_any_call() {
    let vendor = Double::start(vec![]).await;
    let gw = gateway_over(DIR, "pal", &vendor).await;
    for (body, field) in [
        (json!({"extensions": {"links": []}}), "extensions.links"),
        (json!({"description": "billing"}), "description"),
        (json!({"events": []}), "events"),
        (json!({"events": ["payment sale"]}), "events"),
    ] {
        let refused = send(gw.addr, "PATCH", &format!("{HOOKS}/{ID}"), &[], Some(&body)).await;
        ok(&refused, 422, &body.to_string());
        assert_eq!(refused.json()["errors"][0]["field"], field, "{body}");
    }
    assert!(vendor.seen().is_empty());
}

#[tokio::test]
async fn the_vendors_field_errors_name_canonical_fields() {
    let vendor = Double::start(vec![Reply::json(
        400,
        json!({
            "name": "VALIDATION_ERROR",
            "message": "Invalid request - see details",
            "debug_id": "b1a3bd4b4b1c2",
            "details": [{"field": "url", "location": "body", "issue": "Invalid URL."}]
        }),
    )])
    .await;
    let gw = gateway_over(DIR, "pal", &vendor).await;
    let refused = send(
        gw.addr,
        "PATCH",
        &format!("{HOOKS}/{ID}"),
        &[],
        Some(&json!({"url": "https://example.com/elsewhere"})),
    )
    .await;
    ok(&refused, 422, "refused by the vendor");
    let problem = refused.json();
    assert_eq!(
        problem["errors"],
        json!([{"field": "url", "message": "Invalid URL."}])
    );
    assert_eq!(problem["upstream"]["code"], "VALIDATION_ERROR");
    assert_eq!(problem["upstream"]["request_id"], "b1a3bd4b4b1c2");
}

/// Where a Pal client's calls land: an emulator of Pal, or a Pal surface in front of an
/// emulator of a vendor whose updates are merges (Zen, spelt as Zendesk's webhooks).
async fn pal_api(through_surface: bool) -> (hookgate::app::Running, std::net::SocketAddr, String) {
    pal_api_in(DIR, through_surface).await
}

/// [`pal_api`], with the mapping files of `dir`.
async fn pal_api_in(
    dir: &str,
    through_surface: bool,
) -> (hookgate::app::Running, std::net::SocketAddr, String) {
    if through_surface {
        let gw = gateway(&format!(
            "mappings_dir = {dir:?}\n[upstreams.zen]\ndialect = \"zen\"\nemulate = true\n\
             [surfaces.pal]\ndialect = \"pal\"\nupstream = \"zen\"\nprefix = \"/pal\"\n"
        ))
        .await;
        let addr = gw.addr;
        (gw, addr, "/pal/v1/notifications/webhooks".to_owned())
    } else {
        let gw = gateway(&format!(
            "mappings_dir = {dir:?}\n[upstreams.pal]\ndialect = \"pal\"\nemulate = true\n"
        ))
        .await;
        let addr = gw.emulators["pal"];
        (gw, addr, "/v1/notifications/webhooks".to_owned())
    }
}

async fn a_clients_patch_is_applied(through_surface: bool) {
    let (_gw, addr, hooks) = pal_api(through_surface).await;
    let made = send(
        addr,
        "POST",
        &hooks,
        &[BEARER],
        Some(&json!({
            "url": "https://example.com/example_webhook",
            "event_types": [{"name": "PAYMENT.AUTHORIZATION.CREATED"}, {"name": "PAYMENT.AUTHORIZATION.VOIDED"}]
        })),
    )
    .await;
    ok(&made, 201, "create");
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let one = format!("{hooks}/{id}");
    // The vendor's documented patch; a later operation on a place wins, `add` sets as
    // `replace` does.
    let patched = send(
        addr,
        "PATCH",
        &one,
        &[BEARER],
        Some(&json!([
            {"op": "replace", "path": "/url", "value": "https://example.com/example_webhook_1"},
            {"op": "replace", "path": "/url", "value": "https://example.com/example_webhook_2"},
            {"op": "add", "path": "/event_types", "value": [{"name": "PAYMENT.SALE.REFUNDED"}]}
        ])),
    )
    .await;
    ok(&patched, 200, "patch");
    let expected = json!({
        "id": id,
        "url": "https://example.com/example_webhook_2",
        "event_types": [{"name": "PAYMENT.SALE.REFUNDED"}]
    });
    assert_eq!(patched.json(), expected);
    // A patch of one member keeps the other.
    let url_only = send(
        addr,
        "PATCH",
        &one,
        &[BEARER],
        Some(&json!([{"op": "replace", "path": "/url", "value": "https://example.com/3"}])),
    )
    .await;
    ok(&url_only, 200, "patch of the URL");
    let read = send(addr, "GET", &one, &[BEARER], None).await;
    ok(&read, 200, "get");
    assert_eq!(read.json()["url"], "https://example.com/3");
    assert_eq!(
        read.json()["event_types"],
        json!([{"name": "PAYMENT.SALE.REFUNDED"}])
    );

    // Refused whole, in the vendor's shape, and nothing changed.
    refused_each(addr, &one, vec![
        (
            json!([{"op": "replace", "path": "/event_types/0", "value": {"name": "PAYMENT.SALE.DENIED"}}]),
            "/0/path",
            "changes part of `/event_types`: replace the whole member",
        ),
        (
            json!([{"op": "replace", "path": "/url", "value": "https://example.com/4"}, {"op": "move", "from": "/url", "path": "/x"}]),
            "/1/op",
            "`move` is not supported: send `add`, `replace` or `remove`",
        ),
        (
            json!([{"op": "remove", "path": "/url"}]),
            "url",
            "cannot be cleared",
        ),
        (
            json!([{"op": "replace", "path": "/event_types", "value": [{"title": "PAYMENT.SALE.DENIED"}]}]),
            "event_types",
            "each item must be an object with `name`",
        ),
        // A member the vendor does not have, or only answers: refused, never ignored.
        (
            json!([{"op": "replace", "path": "/foo", "value": 1}]),
            "/0/path",
            "`/foo` names no member of the webhook: it cannot be changed",
        ),
        (
            json!([{"op": "replace", "path": "/links", "value": []}]),
            "/0/path",
            "`/links` is read-only: it cannot be changed",
        ),
        (
            json!([{"op": "replace", "path": "/id", "value": "zzz"}]),
            "/0/path",
            "`/id` is read-only: it cannot be changed",
        ),
        (
            json!([{"op": "remove", "path": "/links/0/href"}]),
            "/0/path",
            "`/links/0/href` is read-only: it cannot be changed",
        ),
        (
            json!([{"op": "add", "path": "/extensions/links", "value": []}]),
            "/0/path",
            "`/extensions/links` names no member of the webhook: it cannot be changed",
        ),
        (
            json!([{"op": "remove", "path": "/description"}]),
            "/0/path",
            "`/description` names no member of the webhook: it cannot be changed",
        ),
        (
            json!([{"op": "replace", "path": "/url~1x", "value": "https://example.com/4"}]),
            "/0/path",
            "`/url~1x` names no member of the webhook: it cannot be changed",
        ),
        (
            json!([{"op": "replace", "path": "/url/0", "value": "h"}]),
            "/0/path",
            "changes part of `/url`: replace the whole member",
        ),
        (
            json!([{"op": "add", "path": "/event_types/-", "value": {"name": "PAYMENT.SALE.DENIED"}}]),
            "/0/path",
            "changes part of `/event_types`: replace the whole member",
        ),
        (
            json!([
                {"op": "replace", "path": "/url", "value": "https://example.com/4"},
                {"op": "replace", "path": "/enabled", "value": false}
            ]),
            "/1/path",
            "`/enabled` names no member of the webhook: it cannot be changed",
        ),
    ])
    .await;
    let not_a_patch = send(
        addr,
        "PATCH",
        &one,
        &[BEARER],
        Some(&json!({"url": "https://example.com/5"})),
    )
    .await;
    ok(&not_a_patch, 400, "an object where a patch belongs");
    assert_eq!(
        not_a_patch.json()["message"],
        "the body must be a JSON Patch: an array of operations"
    );
    let read = send(addr, "GET", &one, &[BEARER], None).await;
    assert_eq!(read.json()["url"], "https://example.com/3");
    let gone = send(addr, "DELETE", &one, &[BEARER], None).await;
    ok(&gone, 204, "delete");
    let missing = send(addr, "PATCH", &one, &[BEARER], Some(&json!([]))).await;
    ok(&missing, 404, "patch of a deleted webhook");
    assert_eq!(missing.json()["name"], "INVALID_RESOURCE_ID");
}

/// Pal with its URL inside an object (`config.url`) beside a member only answers hold
/// (`config.created_at`).
fn with_config() -> tempfile::TempDir {
    support::dialects_with(&[
        ("pal", "path = \"$.url\"", "path = \"$.config.url\""),
        (
            "pal",
            "[fields.\"extensions.links\"]",
            "[fields.\"extensions.created\"]\npath = \"$.config.created_at\"\nin = [\"response\"]\n\n\
             [fields.\"extensions.links\"]",
        ),
    ])
}

/// A patch's pointers below the webhook's root, and operations on an object that holds a
/// rule's place: a member of that object no request can set is refused wherever the patch
/// names it, in the path or inside a value.
async fn a_patch_names_only_what_a_request_can_set(through_surface: bool) {
    let dir = with_config();
    let (_gw, addr, hooks) = pal_api_in(dir.path().to_str().unwrap(), through_surface).await;
    let made = send(
        addr,
        "POST",
        &hooks,
        &[BEARER],
        Some(&json!({
            "config": {"url": "https://example.com/1"},
            "event_types": [{"name": "PAYMENT.SALE.REFUNDED"}]
        })),
    )
    .await;
    ok(&made, 201, "create");
    let one = format!("{hooks}/{}", made.json()["id"].as_str().unwrap());
    let patched = send(
        addr,
        "PATCH",
        &one,
        &[BEARER],
        Some(&json!([{"op": "replace", "path": "/config", "value": {"url": "https://example.com/2"}}])),
    )
    .await;
    ok(&patched, 200, "a patch of the object whole");
    assert_eq!(patched.json()["config"]["url"], "https://example.com/2");
    refused_each(addr, &one, vec![
        (
            json!([{"op": "replace", "path": "/config/unknown", "value": 1}]),
            "/0/path",
            "`/config/unknown` names no member of the webhook: it cannot be changed",
        ),
        (
            json!([{"op": "add", "path": "/config/created_at", "value": "2024-01-01"}]),
            "/0/path",
            "`/config/created_at` is read-only: it cannot be changed",
        ),
        (
            json!([{"op": "replace", "path": "/config/url/0", "value": "h"}]),
            "/0/path",
            "changes part of `/config/url`: replace the whole member",
        ),
        (
            json!([{"op": "replace", "path": "/config", "value": {"url": "https://example.com/3", "secret": "s"}}]),
            "/0/value",
            "`/config/secret` names no member of the webhook: it cannot be changed",
        ),
        (
            json!([{"op": "replace", "path": "/config", "value": "https://example.com/3"}]),
            "/0/value",
            "`/config` holds members: its value must be an object",
        ),
    ])
    .await;
    // Removing the object removes the URL in it, which the vendor requires.
    let removed = send(
        addr,
        "PATCH",
        &one,
        &[BEARER],
        Some(&json!([{"op": "remove", "path": "/config"}])),
    )
    .await;
    ok(
        &removed,
        400,
        "the object that holds a required member removed",
    );
    assert_eq!(removed.json()["details"][0]["issue"], "cannot be cleared");
    let read = send(addr, "GET", &one, &[BEARER], None).await;
    assert_eq!(read.json()["config"]["url"], "https://example.com/2");
}

#[tokio::test]
async fn the_emulator_refuses_a_patch_of_what_no_request_sets() {
    a_patch_names_only_what_a_request_can_set(false).await;
}

#[tokio::test]
async fn a_surface_refuses_a_patch_of_what_no_request_sets() {
    a_patch_names_only_what_a_request_can_set(true).await;
}

#[tokio::test]
async fn the_emulator_applies_a_clients_patch() {
    a_clients_patch_is_applied(false).await;
}

#[tokio::test]
async fn a_surface_in_front_of_a_vendor_of_merges_applies_a_clients_patch() {
    a_clients_patch_is_applied(true).await;
}

/// The errors `text` (a mapping file named `name`) is refused with, as shown.
#[test]
fn a_patch_is_an_updates_whole_json_body() {
    let read = |name: &str| std::fs::read_to_string(format!("{DIR}/{name}.toml")).unwrap();
    let pal = read("pal");
    let cases = [
        (
            pal.replacen(
                "body = \"{{webhook}}\"\nstrategy = \"json_patch\"",
                "body = { webhook = \"{{webhook}}\" }\nstrategy = \"json_patch\"",
                1,
            ),
            "operations.update.strategy: `json_patch` needs `body = \"{{webhook}}\"`",
        ),
        (
            pal.replacen(
                "path = \"/webhooks\"\nbody = \"{{webhook}}\"\n",
                "path = \"/webhooks\"\nbody = \"{{webhook}}\"\nstrategy = \"json_patch\"\n",
                1,
            ),
            "operations.create.strategy: `json_patch` is for `update` only",
        ),
        (
            pal.replacen(
                "path = \"/webhooks\"\nbody = \"{{webhook}}\"\n",
                "path = \"/webhooks\"\nbody = \"{{webhook}}\"\njson_patch = { set = \"add\" }\n",
                1,
            ),
            "operations.create.json_patch: says how a JSON Patch is written: only beside `strategy = \"json_patch\"`",
        ),
        (
            pal.replacen(
                "strategy = \"json_patch\"\n",
                "strategy = \"json_patch\"\njson_patch = { set = \"move\" }\n",
                1,
            ),
            "unknown variant `move`, expected `replace` or `add`",
        ),
        (
            pal.replacen("codec = { wrap = \"name\" }", "codec = { wrap = \"\" }", 1),
            "fields.events.codec: `wrap` must be a non-empty string",
        ),
    ];
    for (text, says) in cases {
        assert_ne!(text, pal, "{says}");
        let shown = support::refused_mapping("pal", &text);
        assert!(shown.iter().any(|e| e.contains(says)), "{says}: {shown:?}");
    }
    // A vendor that takes forms takes no patch.
    let tariff = read("tariff");
    let text = tariff.replacen(
        "strategy = \"merge_patch\"\n",
        "strategy = \"json_patch\"\n",
        1,
    );
    assert_ne!(text, tariff);
    let shown = support::refused_mapping("tariff", &text);
    assert!(
        shown
            .iter()
            .any(|e| e.contains("operations.update.strategy: a JSON Patch is JSON")),
        "{shown:?}"
    );
}

/// Each patch refused in PayPal's shape: a 400 `VALIDATION_ERROR` whose first detail names
/// `field` (the patch's place) and says `issue`.
async fn refused_each(addr: std::net::SocketAddr, one: &str, cases: Vec<(Value, &str, &str)>) {
    for (patch, field, issue) in cases {
        let refused = send(addr, "PATCH", one, &[BEARER], Some(&patch)).await;
        ok(&refused, 400, &patch.to_string());
        let body = refused.json();
        assert_eq!(body["name"], "VALIDATION_ERROR", "{body}");
        assert_eq!(body["details"][0]["field"], field, "{body}");
        assert_eq!(body["details"][0]["issue"], issue, "{body}");
    }
}
