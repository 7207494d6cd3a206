//! A vendor that echoes what it was sent (its error quoting the request, a field named by a
//! header's value, a member of a webhook) must not hand hookgate's credential at it to a
//! client: not through the canonical API, wherever in its error, webhook or page it echoes it,
//! not through a surface of another dialect, and not through a surface that relays to a vendor
//! of its own dialect, whose answers go on as they came. Its rate-limit fields go on only as
//! the numbers they are for. And a URL a surface relays
//! in a test's body, which the vendor delivers to, is held to the URL policy as a webhook's is.

mod support;

use serde_json::{Value, json};
use support::{Double, Reply, gateway, ok, secret_file, send};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
const TOKEN: &str = "vendor-t0ken-echoed-9f3a";

/// A gateway in front of `vendor` (a vendor spelt as Relay's), with a canonical upstream and a
/// surface of the same dialect, which relays.
async fn relaying(vendor: &Double, dir: &std::path::Path) -> hookgate::app::Running {
    let token = secret_file(dir, "t", TOKEN);
    gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.relay]\ndialect = \"relay\"\nbase_url = {:?}\n\
         auth = {{ type = \"bearer\", token_file = {token:?} }}\nretries = 0\n\
         [surfaces.relay]\ndialect = \"relay\"\nupstream = \"relay\"\nprefix = \"/r\"\n\
         [url_policy]\nallow_private = true\n",
        vendor.url()
    ))
    .await
}

/// A gateway with, for each `(dialect, prefix)`, an upstream of that dialect at `vendor` and a
/// surface of it that relays there.
async fn relays(
    vendor: &Double,
    dir: &std::path::Path,
    each: &[(&str, &str)],
) -> hookgate::app::Running {
    let token = secret_file(dir, "t", TOKEN);
    let mut config = format!("mappings_dir = {DIR:?}\n");
    for (dialect, prefix) in each {
        config.push_str(&format!(
            "[upstreams.{dialect}]\ndialect = \"{dialect}\"\nbase_url = {:?}\n\
             auth = {{ type = \"bearer\", token_file = {token:?} }}\nretries = 0\n\
             [surfaces.{dialect}]\ndialect = \"{dialect}\"\nupstream = \"{dialect}\"\nprefix = \"{prefix}\"\n",
            vendor.url()
        ));
    }
    gateway(&config).await
}

/// A relayed request refused with 400 for a member in another letter case.
async fn refused_in_another_case(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    body: &Value,
) {
    let client = [("authorization", "Bearer client-t0ken")];
    let refused = send(addr, method, path, &client, Some(body)).await;
    let text = String::from_utf8_lossy(&refused.body).into_owned();
    assert_eq!(refused.status, 400, "{body}: {text}");
    assert!(text.contains("another letter case"), "{text}");
}

fn plain(status: u16, text: String) -> Reply {
    Reply::Raw {
        status,
        headers: vec![("content-type".into(), "text/plain".into())],
        body: text,
    }
}

#[tokio::test]
async fn a_relayed_answer_that_echoes_hookgates_credential_reaches_the_client_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let echoed = format!("Bearer {TOKEN}");
    let vendor = Double::start(vec![
        Reply::json(
            400,
            json!({"error": {"kind": "invalid", "text": format!("bad credential {echoed}")}}),
        ),
        plain(401, format!("invalid token {TOKEN}")),
        Reply::json(
            200,
            json!([{"hook_id": 7, "project": "p1", "label": echoed, "topics": ["a"],
                "target": {"url": "https://example.com/h"}}]),
        ),
    ])
    .await;
    let gw = relaying(&vendor, dir.path()).await;
    let client = [("authorization", "Bearer client-t0ken")];
    for (what, status) in [
        ("a JSON error", 400),
        ("a plain-text error", 401),
        ("a list", 200),
    ] {
        let answer = send(gw.addr, "GET", "/r/api/projects/p1/hooks", &client, None).await;
        ok(&answer, status, what);
        let text = String::from_utf8_lossy(&answer.body);
        assert!(!text.contains(TOKEN), "{what}: {text}");
        assert!(text.contains("[redacted]"), "{what}: {text}");
    }
    // The vendor was sent the credential all the same.
    assert_eq!(
        vendor.seen()[0].headers["authorization"],
        format!("Bearer {TOKEN}").as_str()
    );
}

#[tokio::test]
async fn a_vendor_error_that_echoes_the_credential_in_its_code_fields_or_id_shows_none_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Double::start(vec![
        Reply::json(
            422,
            json!({"error": {"kind": format!("Bearer {TOKEN}"), "text": "refused",
                "fields": {(format!("Bearer {TOKEN}")): "bad", "label": TOKEN}}}),
        ),
        Reply::Json {
            status: 400,
            headers: vec![("x-request-id".into(), format!("req-{TOKEN}"))],
            body: json!({"error": {"kind": "invalid", "text": "refused"}}),
        },
    ])
    .await;
    let gw = relaying(&vendor, dir.path()).await;
    let body = json!({"url": "https://example.com/h", "events": ["a"]});
    for what in ["a code and a field named by it", "a request id"] {
        let refused = send(
            gw.addr,
            "POST",
            "/v1/upstreams/relay/owners/p1/webhooks",
            &[],
            Some(&body),
        )
        .await;
        let text = String::from_utf8_lossy(&refused.body);
        assert!(refused.status >= 400, "{what}: {text}");
        assert!(!text.contains(TOKEN), "{what}: {text}");
        assert!(text.contains("[redacted]"), "{what}: {text}");
    }
}

#[tokio::test]
async fn a_test_a_surface_relays_is_held_to_the_url_policy() {
    const AGENT: &str = "9fbef0b7-8d4e-4a08-9207-66c22155721d";
    const HOOK: &str = "3c90c3cc-0d44-4b50-8888-8dd25736052a";
    let dir = tempfile::tempdir().unwrap();
    let vendor = Double::start(vec![Reply::json(
        200,
        json!({"success": true, "message": "Test webhook sent successfully"}),
    )])
    .await;
    let token = secret_file(dir.path(), "t", TOKEN);
    // The vendor whose test takes the URL it delivers to in its body (`{{current.url}}`).
    let dialect = hookgate::mapping::load_sources(hookgate::mapping::load::shipped())
        .unwrap()
        .into_iter()
        .find(|d| {
            d.operation(hookgate::model::Action::Test)
                .and_then(|t| t.body.as_ref())
                .is_some_and(|b| b.path_of("current.url").is_some())
        })
        .expect("a shipped vendor whose test names the URL");
    let name = dialect.name.clone();
    let gw = gateway(&format!(
        "[upstreams.u]\ndialect = {name:?}\nbase_url = {:?}\n\
         auth = {{ type = \"bearer\", token_file = {token:?} }}\nretries = 0\n\
         [surfaces.s]\ndialect = {name:?}\nupstream = \"u\"\nprefix = \"/s\"\n",
        vendor.url()
    ))
    .await;
    let test = dialect.operation(hookgate::model::Action::Test).unwrap();
    let at = test
        .body
        .as_ref()
        .and_then(|b| b.path_of("current.url"))
        .unwrap();
    let path = test
        .path
        .render(&[&dialect.base_path], Some(AGENT), Some(HOOK));
    let mut body = Value::Object(Default::default());
    at.set(
        &mut body,
        json!("https://169.254.169.254/latest/meta-data/"),
    );
    let client = [("authorization", "Bearer client-t0ken")];
    let refused = send(gw.addr, "POST", &format!("/s{path}"), &client, Some(&body)).await;
    assert!(
        (400..500).contains(&refused.status),
        "{}: {}",
        refused.status,
        String::from_utf8_lossy(&refused.body)
    );
    assert!(
        String::from_utf8_lossy(&refused.body).contains("169.254.169.254"),
        "the refusal names the URL"
    );
    assert!(vendor.seen().is_empty(), "the vendor is never asked");
    at.set(&mut body, json!("https://example.com/hooks"));
    let sent = send(gw.addr, "POST", &format!("/s{path}"), &client, Some(&body)).await;
    ok(&sent, 200, "a test of a URL the policy admits");
    assert_eq!(vendor.seen().len(), 1);
}

#[tokio::test]
async fn a_credential_a_client_passes_in_the_query_is_never_logged() {
    let key = "client-key-5521ab";
    let token = "client-token-77c0de";
    support::secrets::remember_request(&[("x-api-key", key), ("x-api-key", token)], b"");
    let vendor = Double::start(vec![Reply::json(200, json!([]))]).await;
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.cork]\ndialect = \"cork\"\nbase_url = {:?}\n\
         auth = {{ type = \"passthrough\" }}\n[surfaces.cork]\ndialect = \"cork\"\n\
         upstream = \"cork\"\nprefix = \"/c\"\n[url_policy]\nallow_private = true\n",
        vendor.url()
    ))
    .await;
    let listed = send(
        gw.addr,
        "GET",
        &format!("/c/1/tokens/tk/webhooks?key={key}&token={token}"),
        &[],
        None,
    )
    .await;
    ok(&listed, 200, "relayed with the client's credential");
    assert!(vendor.seen()[0].path.contains(token), "passed through");
    support::secrets::assert_none_logged();
}

#[tokio::test]
async fn the_upstreams_there_are_are_not_told_to_a_request_that_names_another() {
    let gw = support::gateway_emulating(DIR, "relay").await;
    let missing = send(gw.addr, "GET", "/v1/upstreams/ghost/webhooks", &[], None).await;
    ok(&missing, 404, "an upstream not configured");
    let text = missing.json()["detail"].to_string();
    assert!(!text.contains("relay"), "{text}");
}

#[tokio::test]
async fn a_relayed_member_two_parsers_could_read_two_ways_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Double::start(vec![]).await;
    let gw = relays(&vendor, dir.path(), &[("relay", "/r"), ("tariff", "/t")]).await;
    let client = [("authorization", "Bearer client-t0ken")];
    // A member a case-blind parser takes for the URL, beside it and alone.
    for target in [
        json!({"url": "https://example.com/h", "URL": "https://127.0.0.1/x"}),
        json!({"Url": "https://127.0.0.1/x"}),
    ] {
        let body = json!({"hook": {"topics": ["a"], "target": target}});
        refused_in_another_case(gw.addr, "POST", "/r/api/projects/p1/hooks", &body).await;
    }
    // A form's `;`, which some parsers split members on.
    let form = bytes::Bytes::from(
        "url=https%3A%2F%2Fexample.com%2Fh;url=https%3A%2F%2F127.0.0.1%2Fx&enabled_events[0]=a",
    );
    let headers = [
        client[0],
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    let refused =
        support::send_raw(gw.addr, "POST", "/t/v1/webhook_endpoints", &headers, form).await;
    let text = String::from_utf8_lossy(&refused.body).into_owned();
    assert!((400..500).contains(&refused.status), "{text}");
    assert!(text.contains("percent-encode"), "{text}");
    assert!(vendor.seen().is_empty(), "the vendor is never asked");
}

#[tokio::test]
async fn a_credential_echoed_in_any_spelling_or_cut_short_reaches_no_client() {
    const SLASHED: &str = "tok/abc+def.123456";
    let dir = tempfile::tempdir().unwrap();
    let token = secret_file(dir.path(), "t", SLASHED);
    let escaped = |text: &str| Reply::Raw {
        status: 400,
        headers: vec![("content-type".into(), "application/json".into())],
        body: format!(r#"{{"error": {{"kind": "invalid", "text": "bad auth Bearer {text}"}}}}"#),
    };
    let vendor = Double::start(vec![
        escaped("tok\\/abc+def.123456"),
        escaped("\\u0074ok/abc\\u002bdef.123456"),
        escaped("tok%2Fabc%2Bdef.123456"),
        // A long refusal in words, cut where the credential stands.
        plain(400, format!("{} {SLASHED} tail", "x".repeat(488))),
    ])
    .await;
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.relay]\ndialect = \"relay\"\nbase_url = {:?}\n\
         auth = {{ type = \"bearer\", token_file = {token:?} }}\nretries = 0\n\
         [surfaces.relay]\ndialect = \"relay\"\nupstream = \"relay\"\nprefix = \"/r\"\n\
         [url_policy]\nallow_private = true\n",
        vendor.url()
    ))
    .await;
    let client = [("authorization", "Bearer client-t0ken")];
    for what in ["`\\/`", "`\\u` escapes", "percent-encoded"] {
        let answer = send(gw.addr, "GET", "/r/api/projects/p1/hooks", &client, None).await;
        let text = String::from_utf8_lossy(&answer.body).into_owned();
        let read = answer.json().to_string();
        for shown in [&text, &read] {
            assert!(
                !shown.contains("abc+def") && !shown.contains("abc%2Bdef"),
                "{what}: {shown}"
            );
        }
        assert!(text.contains("[redacted]"), "{what}: {text}");
    }
    let cut = send(
        gw.addr,
        "GET",
        "/v1/upstreams/relay/owners/p1/webhooks/5",
        &[],
        None,
    )
    .await;
    let text = String::from_utf8_lossy(&cut.body).into_owned();
    assert!(!text.contains("tok/abc"), "no part of it: {text}");
    assert!(text.contains("xxxx"), "the words before it: {text}");
}

#[tokio::test]
async fn a_member_in_any_case_folding_or_in_the_envelope_or_a_patch_is_refused_when_relayed() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Double::start(vec![]).await;
    let gw = relays(&vendor, dir.path(), &[("relay", "/r"), ("pal", "/p")]).await;
    let ok_target = json!({"url": "https://example.com/h"});
    for body in [
        // The envelope in another case, beside the one read.
        json!({"hook": {"topics": ["a"], "target": ok_target},
            "HOOK": {"topics": ["a"], "target": {"url": "https://127.0.0.1/x"}}}),
        // A Kelvin sign, which a case-blind parser folds to `k`.
        json!({"hoo\u{212a}": {"topics": ["a"], "target": {"url": "https://127.0.0.1/x"}},
            "hook": {"topics": ["a"], "target": ok_target}}),
        // A long s, folded to `s`.
        json!({"hook": {"topic\u{17f}": ["b"], "topics": ["a"], "target": ok_target}}),
    ] {
        refused_in_another_case(gw.addr, "POST", "/r/api/projects/p1/hooks", &body).await;
    }
    let patch = json!([{"op": "replace", "path": "/url", "value": "https://example.com/y",
        "Value": "https://127.0.0.1/x"}]);
    refused_in_another_case(gw.addr, "PATCH", "/p/v1/notifications/webhooks/WH1", &patch).await;
    assert!(vendor.seen().is_empty(), "the vendor is never asked");
}

/// A hook of Relay's as its vendor answers it, `echo` in its label and in a member no rule
/// reads (which the canonical webhook carries under `extensions`).
fn hook_echoing(id: u64, echo: &str) -> Value {
    json!({"hook_id": id, "project": "p1", "label": echo, "debug": echo, "topics": ["a"],
        "target": {"url": "https://example.com/h"}})
}

#[tokio::test]
async fn a_translated_webhook_or_page_that_echoes_hookgates_credential_reaches_no_client() {
    let dir = tempfile::tempdir().unwrap();
    // The credential as the vendor may echo it: as sent, with its scheme, with JSON's `\u`
    // escapes (which the canonical answer would write decoded), percent-encoded in a URL.
    let escaped = TOKEN.replace('-', "\\u002d");
    let spellings = [
        TOKEN.to_owned(),
        format!("Bearer {TOKEN}"),
        format!("x {escaped} y"),
        format!("https://vendor.example/next?token={TOKEN}"),
    ];
    let mut replies = Vec::new();
    for echo in &spellings {
        // A `\u` escape must reach the gateway as written, not as serde_json would write it.
        let one = serde_json::to_string(&json!({"hook": hook_echoing(7, "ECHO")})).unwrap();
        replies.push(Reply::Raw {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: one.replace("ECHO", echo),
        });
        let page = serde_json::to_string(
            &json!({"hooks": [hook_echoing(7, "ECHO"), hook_echoing(8, "ECHO")], "next": null}),
        )
        .unwrap();
        replies.push(Reply::Raw {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: page.replace("ECHO", echo),
        });
        replies.push(Reply::Raw {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: one.replace("ECHO", echo),
        });
    }
    let vendor = Double::start(replies).await;
    let token = secret_file(dir.path(), "t", TOKEN);
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.relay]\ndialect = \"relay\"\nbase_url = {:?}\n\
         auth = {{ type = \"bearer\", token_file = {token:?} }}\nretries = 0\n\
         [surfaces.zen]\ndialect = \"zen\"\nupstream = \"relay\"\nprefix = \"/z\"\nowner = \"p1\"\n",
        vendor.url()
    ))
    .await;
    let client = [("authorization", "Bearer client-t0ken")];
    for echo in &spellings {
        for (what, path) in [
            (
                "a canonical get",
                "/v1/upstreams/relay/owners/p1/webhooks/7",
            ),
            ("a canonical list", "/v1/upstreams/relay/owners/p1/webhooks"),
            (
                "a get through a surface of another dialect",
                "/z/api/v2/webhooks/7",
            ),
        ] {
            let answer = send(gw.addr, "GET", path, &client, None).await;
            ok(&answer, 200, what);
            let text = String::from_utf8_lossy(&answer.body);
            // Read as a client reads it: escapes decoded.
            let decoded = answer.json().to_string();
            assert!(!decoded.contains(TOKEN), "{what}, {echo}: {text}");
            assert!(text.contains("[redacted]"), "{what}, {echo}: {text}");
        }
    }
}

#[tokio::test]
async fn a_vendors_rate_limit_fields_go_on_only_as_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let limits = |remaining: &str| Reply::Json {
        status: 200,
        headers: vec![
            ("x-ratelimit-limit".into(), "100".into()),
            ("x-ratelimit-remaining".into(), remaining.into()),
            ("x-ratelimit-reset".into(), "1767225600.5".into()),
        ],
        body: json!({"hook": hook_echoing(7, "calls")}),
    };
    let odd = [TOKEN, "12 left", "-1", "1.2.3", "", "123456789012345678901"];
    let mut replies: Vec<Reply> = odd.iter().map(|v| limits(v)).collect();
    replies.push(limits("42"));
    let vendor = Double::start(replies).await;
    let gw = relays(&vendor, dir.path(), &[("relay", "/r")]).await;
    let client = [("authorization", "Bearer client-t0ken")];
    let path = "/v1/upstreams/relay/owners/p1/webhooks/7";
    for value in odd {
        let answer = send(gw.addr, "GET", path, &client, None).await;
        ok(&answer, 200, value);
        assert_eq!(answer.headers.get("x-ratelimit-remaining"), None, "{value}");
        // The fields that are numbers go on all the same.
        assert_eq!(answer.headers["x-ratelimit-limit"], "100", "{value}");
        assert_eq!(
            answer.headers["x-ratelimit-reset"], "1767225600.5",
            "{value}"
        );
    }
    let answer = send(gw.addr, "GET", path, &client, None).await;
    assert_eq!(answer.headers["x-ratelimit-remaining"], "42");
}

/// A credential shorter than six bytes is taken out where it stands as a word of its own (in a
/// webhook's member, a page, a vendor's error, plain text or JSON), and left where it is part of
/// a longer word or a number the answer holds: its bytes are the answer's too.
#[tokio::test]
async fn a_short_credential_echoed_as_a_word_reaches_no_client() {
    for short in ["k3y9", "4711", "abc12"] {
        let dir = tempfile::tempdir().unwrap();
        let json_reply = |status: u16, body: Value| Reply::Raw {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
        };
        let hook = |echo: String| {
            json!({"hook_id": 4711, "project": "p1", "label": echo,
                "debug": format!("x{short}y"), "topics": ["a"],
                "target": {"url": "https://example.com/h"}})
        };
        let vendor = Double::start(vec![
            json_reply(200, json!({"hook": hook(format!("key={short}&a=1"))})),
            json_reply(
                200,
                json!({"hooks": [hook(format!("bad key {short}")), hook(short.to_owned())],
                    "next": null}),
            ),
            json_reply(400, json!({"error": {"kind": "invalid", "text": format!("token {short} is not valid")}})),
            plain(400, format!("token {short} is not valid")),
        ])
        .await;
        let token = secret_file(dir.path(), "t", short);
        let gw = gateway(&format!(
            "mappings_dir = {DIR:?}\n[upstreams.relay]\ndialect = \"relay\"\nbase_url = {:?}\n\
             auth = {{ type = \"bearer\", token_file = {token:?} }}\nretries = 0\n",
            vendor.url()
        ))
        .await;
        let hooks = "/v1/upstreams/relay/owners/p1/webhooks";
        let got = send(gw.addr, "GET", &format!("{hooks}/4711"), &[], None).await;
        ok(&got, 200, "a get");
        let webhook = got.json();
        assert_eq!(
            webhook["id"], "4711",
            "{short}: the id is the vendor's number"
        );
        assert_eq!(webhook["description"], "key=[redacted]&a=1", "{short}");
        assert_eq!(
            webhook["extensions"]["debug"],
            format!("x{short}y"),
            "{short}"
        );
        let page = send(gw.addr, "GET", hooks, &[], None).await;
        ok(&page, 200, "a list");
        let items = page.json()["data"].clone();
        assert_eq!(items[0]["description"], "bad key [redacted]", "{short}");
        assert_eq!(items[1]["description"], "[redacted]", "{short}");
        let body = json!({"url": "https://example.com/h", "events": ["a"]});
        for what in ["a JSON error", "a plain-text error"] {
            let refused = send(gw.addr, "POST", hooks, &[], Some(&body)).await;
            let text = String::from_utf8_lossy(&refused.body);
            assert!(refused.status >= 400, "{short}, {what}: {text}");
            assert!(
                !text.contains(&format!(" {short} ")),
                "{short}, {what}: {text}"
            );
            assert!(
                text.contains("token [redacted] is not valid"),
                "{short}, {what}: {text}"
            );
        }
    }
}
