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

/// Where a vendor API's create of dialect `d` is, under `prefix`, for `owner`, and how its
/// clients present a credential there: the path (with the query that carries a credential
/// where the vendor takes it there) and the headers.
fn create_of(
    d: &hookgate::mapping::Dialect,
    prefix: &str,
    owner: Option<&str>,
) -> (String, Vec<(String, String)>) {
    use hookgate::mapping::model::ClientAuth;
    let create = d
        .operation(hookgate::model::Action::Create)
        .expect("it creates");
    let mut path = format!(
        "{prefix}{}",
        create.path.render(&[&d.base_path], owner, None)
    );
    let mut headers = vec![("x-request-id".to_owned(), "req-charset".to_owned())];
    match &d.client_auth {
        ClientAuth::Query { name } => {
            path = format!("{path}?{}", hookgate::auth::query_pair(name, "t0ken"));
        }
        how => headers.extend(
            hookgate::auth::present(how, "t0ken")
                .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned())),
        ),
    }
    (path, headers)
}

/// A JSON value with its text and numbers blanked: the shape of an error, whatever it says.
fn shape(value: &Value) -> Value {
    match value {
        Value::String(_) => json!(""),
        Value::Number(_) => json!(0),
        Value::Array(items) => Value::Array(items.iter().map(shape).collect()),
        Value::Object(members) => members
            .iter()
            .map(|(k, v)| (k.clone(), shape(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        other => other.clone(),
    }
}

#[tokio::test]
async fn a_vendor_api_reads_a_body_only_in_utf8_said_once() {
    use hookgate::mapping::Dialect;
    // Every shipped dialect: its emulator, and its surface in front of an emulator of Relay,
    // whose body hookgate reads and translates. Besides, test dialects: Desk's surface in front
    // of Relay (a create that succeeds), Tariff's (forms), and Relay's own surface in front of
    // Relay (a pass-through, whose body goes on in the operation's media type).
    let tests = hookgate::mapping::load_dir(Path::new(DIR)).unwrap();
    let test = |name: &str| tests.iter().find(|d| d.name == name).unwrap().clone();
    let relay = test("relay");
    let shipped: Vec<Dialect> = hookgate::mapping::load_dir(Path::new(support::MAPPINGS))
        .unwrap()
        .into_iter()
        .filter(|d| d.client_auth_parts.is_empty())
        .collect();
    assert!(shipped.len() >= 3, "several shipped dialects");
    let mut toml = format!(
        "mappings_dir = {DIR:?}\n[upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [upstreams.tariff]\ndialect = \"tariff\"\nemulate = true\n"
    );
    // (the surface's dialect, its prefix, the owner its paths name)
    let mut surfaces: Vec<(Dialect, String, Option<String>)> = Vec::new();
    for d in shipped
        .iter()
        .chain([&test("desk"), &test("tariff"), &relay])
    {
        let by_id_alone = d
            .operations
            .iter()
            .any(|e| e.role.action().has_id() && !e.names_owner);
        let owner = support::owner(d);
        let bridged = (!d.has_owner() || (by_id_alone && d.name != relay.name))
            .then(|| owner.clone().unwrap_or_else(|| "p1".to_owned()));
        let prefix = format!("/s-{}", d.name);
        toml.push_str(&format!(
            "[surfaces.s-{0}]\ndialect = \"{0}\"\nupstream = \"relay\"\nprefix = \"{prefix}\"\n{1}",
            d.name,
            bridged.map_or_else(String::new, |o| format!("owner = \"{o}\"\n"))
        ));
        surfaces.push((d.clone(), prefix, owner));
    }
    for d in &shipped {
        toml.push_str(&format!(
            "[upstreams.{0}]\ndialect = \"{0}\"\nemulate = true\n",
            d.name
        ));
    }
    let gw = gateway(&toml).await;
    let mut targets: Vec<(std::net::SocketAddr, Dialect, String, Option<String>)> = surfaces
        .into_iter()
        .map(|(d, prefix, owner)| (gw.addr, d, prefix, owner))
        .collect();
    for d in shipped.iter().chain([&test("tariff")]) {
        targets.push((
            gw.emulators[&d.name],
            d.clone(),
            String::new(),
            support::owner(d),
        ));
    }
    for (addr, d, prefix, owner) in targets {
        let what = format!("{} at {addr}{prefix}", d.name);
        let (path, credential) = create_of(&d, &prefix, owner.as_deref());
        let (media_type, body): (&str, &str) = match d.form {
            Some(_) => (
                "application/x-www-form-urlencoded",
                "url=https%3A%2F%2Fexample.com%2Fh",
            ),
            None if d.name == "desk" => (
                "application/json",
                r#"{"data": {"workspace": "ws1", "target": "https://example.com/h", "filters": ["task.added"]}}"#,
            ),
            None => ("application/json", "{}"),
        };
        let post = |types: Vec<String>, coding: Option<&'static str>| {
            let mut headers: Vec<(String, String)> = credential.clone();
            headers.extend(types.into_iter().map(|t| ("content-type".to_owned(), t)));
            headers.extend(coding.map(|c| ("content-encoding".to_owned(), c.to_owned())));
            let (path, body) = (path.clone(), bytes::Bytes::from(body.to_owned()));
            async move {
                let headers: Vec<(&str, &str)> = headers
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                support::send_raw(addr, "POST", &path, &headers, body).await
            }
        };
        // How this API refuses a body of a media type it does not read (one in a content
        // coding), whatever its dialect: the answer to a charset it does not read is alike.
        let refusal = post(vec![media_type.to_owned()], Some("gzip")).await;
        assert!(refusal.status >= 400, "{what}: {refusal:?}");
        let plain = post(vec![media_type.to_owned()], None).await;
        assert_ne!(
            (plain.status, &plain.body),
            (refusal.status, &refusal.body),
            "{what}: a plain body is read"
        );
        for charset in ["latin-1", "ISO-8859-1", "\"utf-16\"", "us-ascii"] {
            let refused = post(vec![format!("{media_type}; charset={charset}")], None).await;
            assert_eq!(
                refused.status, refusal.status,
                "{what}, {charset}: {refused:?}"
            );
            assert_eq!(
                refused.header("content-type"),
                refusal.header("content-type"),
                "{what}, {charset}"
            );
            if refusal
                .header("content-type")
                .is_some_and(|t| t.contains("json"))
            {
                assert_eq!(
                    shape(&refused.json()),
                    shape(&refusal.json()),
                    "{what}, {charset}"
                );
            }
            let text = String::from_utf8_lossy(&refused.body);
            assert!(text.contains(charset.trim_matches('"')), "{what}: {text}");
        }
        let twice = post(vec![media_type.to_owned(), media_type.to_owned()], None).await;
        assert_eq!(
            twice.status, refusal.status,
            "{what}, said twice: {twice:?}"
        );
        for charset in ["utf-8", "UTF8", "\"UTF-8\"", "utf8"] {
            let read = post(vec![format!("{media_type};charset={charset}")], None).await;
            // A create that succeeds makes a webhook of its own each time; any other answer is
            // the plain body's, word for word.
            if (200..300).contains(&plain.status) {
                assert_eq!(read.status, plain.status, "{what}, {charset}: {read:?}");
            } else {
                assert_eq!(
                    (read.status, &read.body),
                    (plain.status, &plain.body),
                    "{what}, {charset}"
                );
            }
        }
        if d.name == "desk" {
            ok(&plain, 201, &what);
        }
    }
    // Nothing refused reached Relay: only the creates that succeeded, through Desk's surface.
    let hooks = support::relay_hooks(gw.emulators["relay"], "ws1").await;
    assert_eq!(hooks.len(), 5, "{hooks:?}");
    gw.stop().await;
}
