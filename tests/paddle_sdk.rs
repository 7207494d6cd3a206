//! paddle-python-sdk (1.16.1, installed from PyPI into a virtual environment the first time),
//! Paddle's Python SDK, a client nobody here wrote, driven by `tests/sdk/paddle_settings.py`
//! against `tests/dialects/oar.toml`, a vendor spelt as Paddle Billing's notification settings:
//! event types named in requests and answered as the vendor's own objects (each one's
//! description, group and versions from the file's catalogue), a secret key shown on every read,
//! members every answer holds, lists paged by the next page's URL in the order asked (the SDK
//! asks `id[asc]` where the vendor documents `id[ASC]`, a word the file lists), refusals as Paddle's error objects.
//! Against its emulator, and through its surface in front of an emulator of another vendor. And
//! the gateway against a double answering Paddle's documented bodies.

mod support;

use serde_json::{Map, Value, json};
use support::gateway;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sdk/paddle_settings.py");
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");

async fn drive(base: String) -> Map<String, Value> {
    let python = support::sdk::python_with("paddle-python-sdk", "1.16.1");
    support::sdk::steps(python, SCRIPT, vec![base]).await
}

/// An event type as the vendor answers it.
fn event(name: &str, description: &str, group: &str) -> Value {
    json!({"name": name, "description": description, "group": group, "available_versions": [1]})
}

/// What every run must show, wherever the settings are kept.
fn the_sdk_saw_the_vendors_answers(steps: &Map<String, Value>) {
    let made = json!({"description": "Slack notifications",
    "destination": "https://hooks.example.com/paddle", "type": "url", "active": true,
    "include_sensitive_fields": false,
    "subscribed_events": [
        event("transaction.completed", "Occurs when a transaction is completed.", "Transaction"),
        event("subscription.created", "Occurs when a subscription is created.", "Subscription"),
    ]});
    let mut created = made.clone();
    created["secret"] = json!(true);
    assert_eq!(steps["create"], created);
    assert_eq!(steps["get"], made);
    let mut updated = made.clone();
    updated["description"] = json!("Paused");
    updated["active"] = json!(false);
    updated["subscribed_events"] = json!([event(
        "transaction.billed",
        "Occurs when a transaction is billed.",
        "Transaction"
    )]);
    assert_eq!(steps["update"], updated);
    // One to a page, ascending, then two to a page, descending: the same three, reversed.
    assert_eq!(
        steps["list"]["ascending"], steps["list"]["made"],
        "{steps:?}"
    );
    assert_eq!(steps["list"]["reversed"], true, "{steps:?}");
    // An e-mail destination is no webhook: refused in the vendor's shape, on its member.
    assert_eq!(
        steps["email"],
        json!({"status": 400, "code": "invalid_field", "detail": "Request does not pass validation.",
            "fields": [{"field": "type", "message": "must be one of: url"}]})
    );
    assert_eq!(steps["missing"]["status"], 404);
    assert_eq!(steps["missing"]["code"], "not_found");
}

#[tokio::test]
async fn the_sdk_works_against_the_emulator() {
    let gw = support::gateway_emulating(DIR, "oar").await;
    let steps = drive(format!("http://{}", gw.emulators["oar"])).await;
    the_sdk_saw_the_vendors_answers(&steps);
    assert_eq!(steps["id"], true, "ids of the vendor's shape");
    assert_eq!(
        steps["secret again"], true,
        "the secret shown on every read"
    );
    assert_eq!(
        steps["unknown event"],
        json!({"status": 400, "code": "invalid_field", "detail": "Request does not pass validation.",
            "fields": [{"field": "subscribed_events", "message": "unknown event: transaction.unheard_of"}]})
    );
    assert_eq!(steps["traffic_source"], "accepted");
}

#[tokio::test]
async fn the_sdk_works_through_its_surface_in_front_of_another_vendor() {
    // Quad, spelt as Square's subscriptions, keeping whether sensitive fields are sent (the
    // SDK says so on every create).
    let dir = support::dialects_with(&[(
        "square",
        "[fields.\"extensions.api_version\"]",
        "[fields.\"extensions.include_sensitive_fields\"]\npath = \"$.include_sensitive_fields\"\n\n\
         [fields.\"extensions.api_version\"]",
    )]);
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.square]\ndialect = \"square\"\nemulate = true\n\
         [surfaces.oar]\ndialect = \"oar\"\nupstream = \"square\"\nprefix = \"/oar\"\n",
        dir.path()
    ))
    .await;
    let steps = drive(format!("http://{}/oar", gw.addr)).await;
    the_sdk_saw_the_vendors_answers(&steps);
    // The vendor behind showed its secret once, and has none to show after: the member every
    // answer holds is empty, never made up.
    assert_eq!(steps["secret again"], false);
    // A member the vendor behind has no place for is refused in Paddle's shape, not dropped.
    assert_eq!(steps["traffic_source"]["status"], 422);
    assert_eq!(
        steps["traffic_source"]["detail"],
        "traffic_source: not supported by upstream square"
    );
    // The vendor behind took an event type this one does not know: answered with the file's
    // `default` members, empty, which the SDK reads.
    assert_eq!(steps["unknown event"], "accepted");
    // The vendor behind's refusal of no field is the request's, in its own words.
    assert_eq!(steps["missing"]["detail"], "Subscription not found.");
}

/// Paddle's documented notification setting, as its get answers it.
fn documented() -> Value {
    json!({"data": {
        "id": "ntfset_01gkpjp8bkm3tm53kdgkx6sms7",
        "description": "Slack notifications",
        "type": "url",
        "destination": "https://hooks.slack.com/example",
        "active": true,
        "api_version": 1,
        "include_sensitive_fields": false,
        "traffic_source": "all",
        "subscribed_events": [
            event("transaction.billed", "Occurs when a transaction is billed.", "Transaction"),
            event("subscription.created", "Occurs when a subscription is created.", "Subscription"),
        ],
        "endpoint_secret_key": "pdl_ntfset_01gkpjp8bkm3tm53kdgkx6sms7_6h3qd3uFSi9YCD3OLYAShQI90XTI5vEI"
    }, "meta": {"request_id": "5e2c6b3f-8e7a-4c1e-9f3b-2a4d6c8e0f12"}})
}

#[tokio::test]
async fn the_gateway_reads_the_vendors_event_objects_and_sends_their_names() {
    let vendor = support::Double::start(vec![
        support::Reply::json(200, documented()),
        support::Reply::json(201, documented()),
        support::Reply::json(
            400,
            json!({"error": {"type": "request_error", "code": "invalid_field",
                "detail": "Request does not pass validation.",
                "documentation_url": "https://developer.paddle.com/errors/shared/invalid_field",
                "errors": [{"field": "destination", "message": "must be a valid URL"}]},
                "meta": {"request_id": "00000000-0000-0000-0000-000000000000"}}),
        ),
    ])
    .await;
    let gw = support::gateway_over(DIR, "oar", &vendor).await;
    let hooks = "/v1/upstreams/oar/webhooks";
    let got = support::send(
        gw.addr,
        "GET",
        &format!("{hooks}/ntfset_01gkpjp8bkm3tm53kdgkx6sms7"),
        &[],
        None,
    )
    .await;
    support::ok(&got, 200, "a get");
    let webhook = got.json();
    assert_eq!(
        webhook["events"],
        json!(["transaction.billed", "subscription.created"])
    );
    assert_eq!(webhook["url"], "https://hooks.slack.com/example");
    assert_eq!(webhook["extensions"]["traffic_source"], "all");

    let body = json!({"url": "https://example.com/hooks", "description": "d",
        "events": ["transaction.completed"]});
    let made = support::send(gw.addr, "POST", hooks, &[], Some(&body)).await;
    support::ok(&made, 201, "a create");
    let sent = vendor.seen()[1].json().unwrap();
    // The names alone, and the one kind of destination a webhook is.
    assert_eq!(
        sent,
        json!({"destination": "https://example.com/hooks", "description": "d",
            "subscribed_events": ["transaction.completed"], "type": "url"})
    );

    let refused = support::send(gw.addr, "POST", hooks, &[], Some(&body)).await;
    support::ok(&refused, 422, "the vendor's refusal");
    let problem = refused.json();
    assert_eq!(problem["code"], "validation_failed");
    assert_eq!(
        problem["upstream"]["request_id"],
        "00000000-0000-0000-0000-000000000000"
    );
    assert_eq!(
        problem["errors"],
        json!([{"field": "url", "message": "must be a valid URL"}])
    );

    // An event type the vendor's catalogue does not hold is refused before any call.
    let unknown = json!({"url": "https://example.com/hooks", "description": "d",
        "events": ["transaction.unheard_of"]});
    let refused = support::send(gw.addr, "POST", hooks, &[], Some(&unknown)).await;
    support::ok(&refused, 422, "an event type the vendor does not know");
    assert_eq!(vendor.seen().len(), 3);
}

#[tokio::test]
async fn the_emulator_shows_the_secret_on_every_read_and_names_the_request_in_its_answers() {
    let gw = support::gateway_emulating(DIR, "oar").await;
    let oar = gw.emulators["oar"];
    let auth = [("authorization", "Bearer pdl_sdbx_apikey_hookgate")];
    let body = json!({"description": "d", "destination": "https://example.com/hooks",
        "type": "url", "subscribed_events": ["transaction.completed"]});
    let made = support::send(oar, "POST", "/notification-settings", &auth, Some(&body)).await;
    support::ok(&made, 201, "a create");
    let secret = made.json()["data"]["endpoint_secret_key"].clone();
    assert!(
        secret
            .as_str()
            .is_some_and(|s| s.starts_with("pdl_ntfset_")),
        "{secret}"
    );
    let id = made.json()["data"]["id"].as_str().unwrap().to_owned();
    let path = format!("/notification-settings/{id}");
    let got = support::send(oar, "GET", &path, &auth, None).await;
    let patch = json!({"active": false});
    let changed = support::send(oar, "PATCH", &path, &auth, Some(&patch)).await;
    let listed = support::send(oar, "GET", "/notification-settings", &auth, None).await;
    for (answer, shown) in [
        (&got, &got.json()["data"]),
        (&changed, &changed.json()["data"]),
        (&listed, &listed.json()["data"][0]),
    ] {
        support::ok(answer, 200, "a read");
        assert_eq!(shown["endpoint_secret_key"], secret, "{shown}");
        // `{{request_id}}` in a success's envelope is the request's id, as its header says.
        let header = answer.headers["x-request-id"].to_str().unwrap();
        assert_eq!(answer.json()["meta"]["request_id"], header);
    }
    let unknown = support::send(
        oar,
        "GET",
        "/notification-settings?order_by=id[up]",
        &auth,
        None,
    )
    .await;
    support::ok(&unknown, 400, "an order the vendor has no word for");
    assert_eq!(
        unknown.json()["error"]["detail"],
        "order_by: `id[up]` is none of `id[ASC]`, `id[asc]`, `id[DESC]` or `id[desc]`"
    );
    assert_eq!(
        listed.json()["meta"]["pagination"],
        json!({"per_page": 200, "next": null, "has_more": false}),
        "no next page"
    );
}

#[test]
fn a_catalogue_and_every_codec_tables_keys_are_checked_when_the_file_loads() {
    let oar = std::fs::read_to_string(format!("{DIR}/oar.toml")).unwrap();
    let wrap = "[fields.events.codec]\nwrap = \"name\"\n";
    let cases = [
        (
            wrap.replace("wrap = \"name\"", "wrap = \"name\"\ncatalog = {}"),
            "fields.events.codec: a `wrap` codec takes no `catalog` (only `with`, `catalogue`, `default`)",
        ),
        (
            wrap.replace("wrap = \"name\"", "wrap = \"name\"\ncatalogue = 3"),
            "fields.events.codec: `catalogue` must be a table of the values the vendor describes",
        ),
        (
            format!("{wrap}\n[fields.events.codec.catalogue.\"a.b\"]\nname = \"a.b\"\n"),
            "fields.events.codec: `catalogue.a.b` holds `name`, which is the value itself",
        ),
        (
            "[fields.events.codec]\njoin = \",\"\nreverse = {}\n".to_owned(),
            "fields.events.codec: a `join` codec takes no `reverse`",
        ),
        (
            wrap.replace(
                "wrap = \"name\"",
                "wrap = \"name\"\ndefault = { group = \"\" }",
            ),
            "fields.events.codec: `default` describes the values a `catalogue` does not: give one",
        ),
    ];
    // The file with its events' codec (and catalogue) replaced by `codec`.
    let (before, rest) = oar.split_once(wrap).unwrap();
    let after = &rest[rest.find("\n[operations.").unwrap()..];
    for (codec, says) in cases {
        let text = format!("{before}{codec}{after}");
        let shown = support::refused_mapping("oar", &text);
        assert!(shown.iter().any(|e| e.contains(says)), "{says}: {shown:?}");
    }
    // A word names one order.
    let text = oar.replacen("\"id[DESC]\", \"id[desc]\"", "\"id[DESC]\", \"id[asc]\"", 1);
    let shown = support::refused_mapping("oar", &text);
    let says = "operations.list.order.descending: `id[asc]` is a word of `ascending` too";
    assert!(shown.iter().any(|e| e.contains(says)), "{shown:?}");
    let text = oar.replacen(
        "descending = [\"id[DESC]\", \"id[desc]\"]",
        "descending = []",
        1,
    );
    let shown = support::refused_mapping("oar", &text);
    let says = "operations.list.order.descending: needs a word, each not empty";
    assert!(shown.iter().any(|e| e.contains(says)), "{shown:?}");
    // A catalogue's values are checked as a `one_of` of them would be, in its words.
    let worded = oar.replacen(
        "unique_items = true\n",
        "unique_items = true\nmessages = { one_of = \"is not an event type\" }\n",
        1,
    );
    let dialect = hookgate::mapping::compile::compile("oar", "oar.toml".as_ref(), &worded)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(dialect.name, "oar");
}
