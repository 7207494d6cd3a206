//! The media types a vendor's JSON travels in: an operation whose body has a type of its own
//! (`tests/dialects/zen.toml`, spelt as Zendesk's webhooks, whose update is sent as
//! `application/merge-patch+json`), and a dialect whose every body is of another JSON type
//! (`application/vnd.api+json`, as JSON:API vendors take and answer): what hookgate sends a
//! vendor, and what its emulators and surfaces answer, successes and failures alike.

mod support;

use serde_json::{Value, json};
use std::path::Path;
use support::{Double, Reply, gateway, gateway_over, ok, send};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
const BEARER: (&str, &str) = ("authorization", "Bearer t");

fn zen_webhook(name: &str) -> Value {
    json!({"webhook": {"id": "01EJFTSCC78X5V07NPY2MHR00M", "name": name, "status": "active",
        "endpoint": "https://example.com/h", "http_method": "POST",
        "subscriptions": ["conditional_ticket_events"], "created_at": "2020-10-20T08:16:28Z"}})
}

#[tokio::test]
async fn an_operation_sends_its_body_in_its_own_media_type() {
    let vendor = Double::start(vec![
        Reply::json(201, zen_webhook("a")),
        Reply::json(204, Value::Null),
        Reply::json(200, zen_webhook("b")),
    ])
    .await;
    let gw = gateway_over(DIR, "zen", &vendor).await;
    let hooks = "/v1/upstreams/zen/webhooks";
    let made = send(
        gw.addr,
        "POST",
        hooks,
        &[],
        Some(&json!({"url": "https://example.com/h", "events": ["conditional_ticket_events"], "description": "a"})),
    )
    .await;
    ok(&made, 201, "create");
    let changed = send(
        gw.addr,
        "PATCH",
        &format!("{hooks}/01EJFTSCC78X5V07NPY2MHR00M"),
        &[],
        Some(&json!({"description": "b"})),
    )
    .await;
    ok(&changed, 200, "update");
    assert_eq!(changed.json()["description"], "b");
    let seen = vendor.seen();
    let types: Vec<(&str, Option<&str>, Option<&str>)> = seen
        .iter()
        .map(|s| {
            let header = |name: &str| s.headers.get(name).and_then(|v| v.to_str().ok());
            (s.method.as_str(), header("content-type"), header("accept"))
        })
        .collect();
    assert_eq!(
        types,
        [
            ("POST", Some("application/json"), Some("application/json")),
            (
                "PATCH",
                Some("application/merge-patch+json"),
                Some("application/json")
            ),
            ("GET", None, Some("application/json")),
        ]
    );
    assert_eq!(seen[1].json(), Some(json!({"webhook": {"name": "b"}})));
}

/// A folder of the test dialects where `desk.toml` takes and answers `media_type`.
fn with_media_type(media_type: &str) -> tempfile::TempDir {
    let head = "[dialect]\n";
    support::dialects_with(&[(
        "desk",
        head,
        &format!("{head}media_type = {media_type:?}\n"),
    )])
}

#[tokio::test]
async fn a_dialect_of_another_json_type_is_sent_and_answered_in_it() {
    const TYPE: &str = "application/vnd.api+json";
    let dir = with_media_type(TYPE);
    let folder = dir.path().to_str().unwrap();
    // What hookgate sends such a vendor.
    let vendor = Double::start(vec![Reply::json(
        201,
        json!({"data": {"gid": "wh_1", "workspace": "ws1", "target": "https://example.com/h", "filters": ["task.added"]}}),
    )])
    .await;
    let gw = gateway_over(folder, "desk", &vendor).await;
    let made = send(
        gw.addr,
        "POST",
        "/v1/upstreams/desk/owners/ws1/webhooks",
        &[],
        Some(&json!({"url": "https://example.com/h", "events": ["task.added"]})),
    )
    .await;
    ok(&made, 201, "create");
    let seen = &vendor.seen()[0];
    assert_eq!(seen.headers["content-type"], TYPE);
    assert_eq!(seen.headers["accept"], TYPE);
    // What its emulator, and its surface in front of a vendor of plain JSON, answer.
    let gw = gateway(&format!(
        "mappings_dir = {folder:?}\n[upstreams.desk]\ndialect = \"desk\"\nemulate = true\n\
         [upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [surfaces.desk]\ndialect = \"desk\"\nupstream = \"relay\"\nprefix = \"/desk\"\nowner = \"ws1\"\n"
    ))
    .await;
    let body = json!({"data": {"workspace": "ws1", "target": "https://example.com/h", "filters": ["task.added"]}});
    for (at, prefix) in [(gw.emulators["desk"], ""), (gw.addr, "/desk")] {
        let hooks = format!("{prefix}/api/1.0/webhooks");
        let made = send(at, "POST", &hooks, &[BEARER], Some(&body)).await;
        ok(&made, 201, &hooks);
        assert_eq!(made.header("content-type"), Some(TYPE), "{hooks}");
        let id = made.json()["data"]["gid"].as_str().unwrap().to_owned();
        let read = send(at, "GET", &format!("{hooks}/{id}"), &[BEARER], None).await;
        ok(&read, 200, "read");
        assert_eq!(read.header("content-type"), Some(TYPE), "{hooks}");
        let listed = send(
            at,
            "GET",
            &format!("{hooks}?workspace=ws1"),
            &[BEARER],
            None,
        )
        .await;
        ok(&listed, 200, "list");
        assert_eq!(listed.header("content-type"), Some(TYPE), "{hooks}");
        // A failure is of the dialect's type too, unless `errors.content_type` says otherwise.
        let missing = send(at, "GET", &format!("{hooks}/wh_none"), &[BEARER], None).await;
        assert_eq!(missing.status, 404, "{hooks}");
        assert_eq!(missing.header("content-type"), Some(TYPE), "{hooks}");
    }
}

#[test]
fn a_media_type_that_is_not_json_is_refused_when_the_file_loads() {
    let base = std::fs::read_to_string(Path::new(DIR).join("desk.toml")).unwrap();
    let cases = [
        (
            base.replacen("[dialect]\n", "[dialect]\nmedia_type = \"text/plain\"\n", 1),
            "dialect.media_type: `text/plain` is not a JSON media type",
        ),
        (
            base.replacen("[dialect]\n", "[dialect]\nmedia_type = \"json\"\n", 1),
            "dialect.media_type: `json` is not a JSON media type",
        ),
        (
            base.replacen(
                "[operations.get]\n",
                "[operations.get]\ncontent_type = \"application/merge-patch+json\"\n",
                1,
            ),
            "operations.get.content_type: the operation sends no body",
        ),
        (
            base.replacen(
                "[operations.update]\n",
                "[operations.update]\ncontent_type = \"application/xml\"\n",
                1,
            ),
            "operations.update.content_type: `application/xml` is not a JSON media type",
        ),
    ];
    for (text, says) in cases {
        let errors = hookgate::mapping::compile::compile("desk", Path::new("desk.toml"), &text)
            .err()
            .unwrap_or_else(|| panic!("loaded: {says}"));
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(shown.iter().any(|e| e.contains(says)), "{says}: {shown:?}");
    }
    // A vendor that takes forms takes no JSON body of another type either.
    let tariff = std::fs::read_to_string(Path::new(DIR).join("tariff.toml")).unwrap();
    let text = tariff.replacen(
        "[operations.update]\n",
        "[operations.update]\ncontent_type = \"application/merge-patch+json\"\n",
        1,
    );
    assert_ne!(text, tariff);
    let Err(errors) =
        hookgate::mapping::compile::compile("tariff", Path::new("tariff.toml"), &text)
    else {
        panic!("loaded with a JSON content type on a form");
    };
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        shown
            .iter()
            .any(|e| e.contains("operations.update.content_type: request bodies are forms")),
        "{shown:?}"
    );
    // JSON types with parameters load.
    let text = base.replacen(
        "[dialect]\n",
        "[dialect]\nmedia_type = \"application/vnd.api+json; charset=utf-8\"\n",
        1,
    );
    assert!(hookgate::mapping::compile::compile("desk", Path::new("desk.toml"), &text).is_ok());
}

#[tokio::test]
async fn a_pass_through_surface_sends_the_operations_own_media_type() {
    let vendor = Double::start(vec![Reply::json(204, Value::Null)]).await;
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.zen]\ndialect = \"zen\"\nbase_url = {:?}\n\
         auth = {{ type = \"none\" }}\n[url_policy]\nallow_private = true\n\
         [surfaces.zen]\ndialect = \"zen\"\nupstream = \"zen\"\nprefix = \"/zen\"\n",
        vendor.url()
    ))
    .await;
    // The client's bytes go on as they are, in the type the operation takes.
    let patch = json!({"webhook": {"name": "b"}});
    let changed = send(
        gw.addr,
        "PATCH",
        "/zen/api/v2/webhooks/01EJFTSCC78X5V07NPY2MHR00M",
        &[BEARER, ("content-type", "application/json")],
        Some(&patch),
    )
    .await;
    ok(&changed, 204, "relayed update");
    let seen = vendor.seen();
    assert_eq!(seen[0].method, "PATCH");
    assert_eq!(
        seen[0].headers["content-type"],
        "application/merge-patch+json"
    );
    assert_eq!(seen[0].json(), Some(patch));
}

#[tokio::test]
async fn a_canonical_body_is_json_in_utf8_said_once() {
    let gw = support::gateway_emulating(DIR, "relay").await;
    let hooks = "/v1/upstreams/relay/owners/p1/webhooks";
    let body = bytes::Bytes::from(r#"{"url":"https://example.com/h","events":["a"]}"#);
    for (types, status) in [
        (&["application/json; charset=latin1"][..], 415),
        (&["application/json; charset=\"ISO-8859-1\""][..], 415),
        (&["application/json", "application/json"][..], 415),
        (&["application/json; charset=\"UTF-8\""][..], 201),
        (&["Application/JSON;charset=utf-8"][..], 201),
        (&["application/json; charset=utf8"][..], 201),
    ] {
        let headers: Vec<(&str, &str)> = types.iter().map(|t| ("content-type", *t)).collect();
        let answer = support::send_raw(gw.addr, "POST", hooks, &headers, body.clone()).await;
        ok(&answer, status, &format!("{types:?}"));
    }
}
