//! How sloppy vendor answers are read and worded: a list that never ends is the upstream's
//! error in every API's words, a page flag of another kind or left out is refused by name, a
//! vendor's refusal of a cursor it gave is not the client's, values are quoted as the vendor
//! wrote them, and an answer hookgate cannot read says what it is and who sent it.

mod support;

use serde_json::{Value, json};
use support::{Answer, Double, Reply, gateway, send};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const AGENT: &str = "550e8400-e29b-41d4-a716-446655440000";
const APP: &str = "app_1";

/// A gateway with upstream `up` of `dialect` in front of `url`, and `surfaces` (TOML) in front
/// of it, without retries.
async fn gateway_over(dialect: &str, url: &str, more: &str) -> hookgate::app::Running {
    gateway(&format!(
        "[upstreams.up]\ndialect = \"{dialect}\"\nbase_url = {url:?}\nauth = {{ type = \"none\" }}\n\
         retries = 0\ntimeout_ms = 1000\n{more}"
    ))
    .await
}

/// A surface of `dialect` in front of upstream `up`, under `/{name}`: where the upstream keeps
/// no owners (`owned` false), serving the one owner of the paths below.
fn surface(name: &str, dialect: &str, owned: bool) -> String {
    let owner = match dialect {
        _ if owned => String::new(),
        "talkover" | "resemble" => format!("owner = \"{AGENT}\"\n"),
        _ => format!("owner = \"{APP}\"\n"),
    };
    format!(
        "[surfaces.{name}]\ndialect = \"{dialect}\"\nupstream = \"up\"\nprefix = \"/{name}\"\n{owner}"
    )
}

/// A client's credential, which surfaces ask for as their vendors do.
const BEARER: (&str, &str) = ("authorization", "Bearer t");

/// Every string of the answer (its JSON's, or its text), for words looked for anywhere in it.
fn text(answer: &Answer) -> String {
    fn strings(value: &Value, out: &mut String) {
        match value {
            Value::String(s) => {
                out.push_str(s);
                out.push('\n');
            }
            Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
            Value::Object(members) => members.values().for_each(|v| strings(v, out)),
            _ => {}
        }
    }
    let raw = String::from_utf8_lossy(&answer.body).into_owned();
    let mut out = raw.clone();
    if let Ok(value) = serde_json::from_slice::<Value>(&answer.body) {
        out.push('\n');
        strings(&value, &mut out);
    }
    out
}

/// `answer` is `status` and says each of `words`.
fn says(answer: &Answer, status: u16, words: &[&str], what: &str) {
    let body = text(answer);
    assert_eq!(answer.status, status, "{what}: {body}");
    for word in words {
        assert!(body.contains(word), "{what}: no {word:?} in {body}");
    }
}

/// An AgentMessage page of no webhooks that names a next one, `n` times, each cursor new.
fn endless_agentmessage(n: usize) -> Vec<Reply> {
    (0..n)
        .map(|i| {
            Reply::json(
                200,
                json!({"success": true, "data": [], "meta": {"total": 0, "limit": 100, "offset": 0, "next_cursor": format!("c{i}")}}),
            )
        })
        .collect()
}

/// A Svix page of no webhooks that is not the last, `n` times, each iterator new.
fn endless_svix(n: usize) -> Vec<Reply> {
    (0..n)
        .map(|i| {
            Reply::json(
                200,
                json!({"data": [], "iterator": format!("it{i}"), "done": false}),
            )
        })
        .collect()
}

/// A vendor's endless pages, as many as asked.
type Endless = fn(usize) -> Vec<Reply>;

#[tokio::test]
async fn a_list_that_never_ends_is_the_upstreams_502_in_every_apis_words() {
    // (dialect of the upstream, its endless answers, surface dialect, list path at it, what
    // its shape of the failure says).
    let talkover = format!("/api/v1/agents/{AGENT}/webhooks");
    let resemble = format!("/api/v2/agents/{AGENT}/webhooks");
    let chirp = format!("/v1/organization/apps/{APP}/webhooks");
    let cases: Vec<(&str, Endless, &str, &str, &[&str])> = vec![
        (
            "agentmessage",
            endless_agentmessage,
            "talkover",
            &talkover,
            &["\"success\":false"],
        ),
        (
            "agentmessage",
            endless_agentmessage,
            "resemble",
            &resemble,
            &["\"success\":false"],
        ),
        (
            "agentmessage",
            endless_agentmessage,
            "chirp",
            &chirp,
            &["api_error"],
        ),
        ("svix", endless_svix, "chirp", &chirp, &["api_error"]),
        (
            "svix",
            endless_svix,
            "talkover",
            &talkover,
            &["\"success\":false"],
        ),
    ];
    for (upstream, pages, dialect, path, shape) in cases {
        let what = format!("{dialect} in front of {upstream}");
        let double = Double::start(pages(100)).await;
        let gw = gateway_over(
            upstream,
            &double.url(),
            &surface("s", dialect, upstream == "svix"),
        )
        .await;
        let answer = send(gw.addr, "GET", &format!("/s{path}"), &[BEARER], None).await;
        let mut words = vec!["upstream up", "100 pages"];
        words.extend_from_slice(shape);
        says(&answer, 502, &words, &what);
        assert!(!text(&answer).contains("given data was invalid"), "{what}");
        assert_eq!(double.seen().len(), 100, "{what}: one call a page");
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_page_still_gathered_after_a_hundred_pages_is_the_upstreams_502_not_the_cursors() {
    // A client of Forge (a test dialect, pages by number) in front of an AgentMessage whose
    // pages hold none: its first page is begun at once and never filled.
    let double = Double::start(endless_agentmessage(200)).await;
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.up]\ndialect = \"agentmessage\"\nbase_url = {:?}\n\
         auth = {{ type = \"none\" }}\nretries = 0\n[surfaces.f]\ndialect = \"forge\"\n\
         upstream = \"up\"\nprefix = \"/f\"\nowner = \"octo/site\"\n",
        support::TEST_DIALECTS,
        double.url()
    ))
    .await;
    let first = "/f/repos/octo/site/hooks?per_page=2&page=1";
    let answer = send(gw.addr, "GET", first, &[BEARER], None).await;
    says(
        &answer,
        502,
        &["upstream up", "100 pages"],
        "the first page",
    );
    assert!(!text(&answer).contains("too far"), "{}", text(&answer));
    // A page further in than a hundred pages reach is the client's to ask nearer.
    let far = send(
        gw.addr,
        "GET",
        "/f/repos/octo/site/hooks?per_page=2&page=3",
        &[BEARER],
        None,
    )
    .await;
    says(&far, 422, &["too far in", "page"], "the third page");
    assert_eq!(double.seen().len(), 200);
    gw.stop().await;
}

#[tokio::test]
async fn a_refusal_without_field_errors_keeps_its_words_in_every_surfaces_shape() {
    // An AgentMessage refusal in words alone: a 422 of no field.
    let words = "the webhook url could not be reached";
    let refusal =
        json!({"success": false, "error": {"code": "VALIDATION_FAILED", "message": words}});
    let lists: [(&str, String, u16); 4] = [
        ("talkover", format!("/api/v1/agents/{AGENT}/webhooks"), 422),
        ("resemble", format!("/api/v2/agents/{AGENT}/webhooks"), 422),
        ("svix", format!("/api/v1/app/{APP}/endpoint"), 422),
        (
            "chirp",
            format!("/v1/organization/apps/{APP}/webhooks"),
            400,
        ),
    ];
    let double = Double::start(vec![Reply::json(422, refusal); 5]).await;
    let more: String = lists.iter().map(|(d, _, _)| surface(d, d, false)).collect();
    let gw = gateway_over("agentmessage", &double.url(), &more).await;
    for (dialect, path, status) in &lists {
        let answer = send(
            gw.addr,
            "GET",
            &format!("/{dialect}{path}"),
            &[BEARER],
            None,
        )
        .await;
        says(&answer, *status, &[words], dialect);
    }
    // Svix's 422 is its validation error, whatever the cause: the words are an item of it.
    let answer = send(
        gw.addr,
        "GET",
        &format!("/svix{}", lists[2].1),
        &[BEARER],
        None,
    )
    .await;
    let detail = &answer.json()["detail"];
    assert_eq!(detail[0]["msg"], words, "{detail}");
    assert_eq!(detail[0]["loc"], json!(["body"]), "{detail}");
    gw.stop().await;
}

/// A Svix list of one endpoint with `done` as given (`None`: left out).
fn svix_page(done: Option<Value>) -> Value {
    let endpoint = json!({"id": "ep_1", "url": "https://example.com/h", "version": 1,
        "description": "", "disabled": false, "metadata": {},
        "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-01T00:00:00Z"});
    let mut page = json!({"data": [endpoint], "iterator": "it_next"});
    if let Some(done) = done {
        page["done"] = done;
    }
    page
}

#[tokio::test]
async fn a_page_flag_of_another_kind_or_left_out_is_refused_by_name() {
    let flags = [
        (
            Some(json!("true")),
            r#"`done` is "true", which is not a boolean"#,
        ),
        (
            Some(json!("false")),
            r#"`done` is "false", which is not a boolean"#,
        ),
        (Some(Value::Null), "`done` is null, which is not a boolean"),
        (Some(json!(1)), "`done` is 1, which is not a boolean"),
        (
            Some(json!([true])),
            "`done` is an array, which is not a boolean",
        ),
        (None, "a list without `done`"),
    ];
    let double = Double::start(
        flags
            .iter()
            .flat_map(|(done, _)| vec![Reply::json(200, svix_page(done.clone())); 2])
            .collect(),
    )
    .await;
    let gw = gateway_over("svix", &double.url(), &surface("c", "chirp", true)).await;
    for (done, expected) in &flags {
        let canonical = send(
            gw.addr,
            "GET",
            &format!("/v1/upstreams/up/owners/{APP}/webhooks"),
            &[BEARER],
            None,
        )
        .await;
        says(
            &canonical,
            502,
            &["upstream up", expected],
            &format!("{done:?}"),
        );
        assert_eq!(canonical.json()["code"], "upstream_error");
        // A Chirp client, whose list is answered whole: never sent on to a next page.
        let chirp = send(
            gw.addr,
            "GET",
            &format!("/c/v1/organization/apps/{APP}/webhooks"),
            &[BEARER],
            None,
        )
        .await;
        says(
            &chirp,
            502,
            &["api_error", expected],
            &format!("chirp {done:?}"),
        );
    }
    // Every call was a first page: no iterator made up from an unreadable flag was sent.
    assert!(double.seen().iter().all(|s| !s.path.contains("iterator=")));
    gw.stop().await;
}

#[tokio::test]
async fn a_flag_the_file_says_may_be_left_out_means_what_its_default_says() {
    let dir = tempfile::tempdir().unwrap();
    let svix = std::fs::read_to_string(format!("{}/svix.toml", support::MAPPINGS)).unwrap();
    let edited = svix.replacen("done = \"{{done}}\"", "done = \"{{done|true}}\"", 1);
    assert_ne!(svix, edited);
    std::fs::write(dir.path().join("lax.toml"), edited).unwrap();
    let double = Double::start(vec![Reply::json(200, svix_page(None))]).await;
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.up]\ndialect = \"lax\"\nbase_url = {:?}\n\
         auth = {{ type = \"none\" }}\nretries = 0\n",
        dir.path(),
        double.url()
    ))
    .await;
    let page = send(
        gw.addr,
        "GET",
        &format!("/v1/upstreams/up/owners/{APP}/webhooks"),
        &[BEARER],
        None,
    )
    .await;
    support::ok(
        &page,
        200,
        "a list without `done`, which the file says is the last",
    );
    assert_eq!(page.json()["next_cursor"], Value::Null, "{}", page.json());
    gw.stop().await;
    // A default that is no flag's value is refused when the file loads.
    let refused = support::refused_mapping(
        "lax",
        &svix.replacen("done = \"{{done}}\"", "done = \"{{done|1}}\"", 1),
    );
    assert!(
        refused
            .iter()
            .any(|e| e.contains("a page flag is `true` or `false`")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_vendors_refusal_of_a_cursor_it_gave_is_its_own_error() {
    let first =
        json!({"data": [svix_page(None)["data"][0].clone()], "iterator": "it_2", "done": false});
    let refusal = json!({"detail": [{"loc": ["query", "iterator"], "msg": "invalid iterator", "type": "value_error"}]});
    let agentmessage_first = json!({"success": true, "data": [], "meta": {"next_cursor": "c_2"}});
    let agentmessage_refusal = json!({"success": false, "error": {"code": "VALIDATION_FAILED",
        "message": "validation failed", "details": {"cursor": "is not a cursor"}}});
    let cases = [
        (
            "svix",
            first.clone(),
            refusal.clone(),
            "chirp",
            format!("/v1/organization/apps/{APP}/webhooks"),
            502,
        ),
        (
            "svix",
            first,
            refusal,
            "talkover",
            format!("/api/v1/agents/{AGENT}/webhooks"),
            502,
        ),
        (
            "agentmessage",
            agentmessage_first,
            agentmessage_refusal,
            "resemble",
            format!("/api/v2/agents/{AGENT}/webhooks"),
            502,
        ),
    ];
    for (upstream, page, refused, dialect, path, status) in cases {
        let what = format!("{dialect} in front of {upstream}");
        let double = Double::start(vec![Reply::json(200, page), Reply::json(422, refused)]).await;
        let gw = gateway_over(
            upstream,
            &double.url(),
            &surface("s", dialect, upstream == "svix"),
        )
        .await;
        let answer = send(gw.addr, "GET", &format!("/s{path}"), &[BEARER], None).await;
        says(
            &answer,
            status,
            &["upstream up refused the cursor of its next page"],
            &what,
        );
        assert!(
            !text(&answer).contains("parameter_invalid"),
            "{what}: {}",
            text(&answer)
        );
        gw.stop().await;
    }
    // The canonical client's own cursor, passed on, stays the client's to correct.
    let refusal = json!({"detail": [{"loc": ["query", "iterator"], "msg": "invalid iterator", "type": "value_error"}]});
    let double = Double::start(vec![Reply::json(422, refusal)]).await;
    let gw = gateway_over("svix", &double.url(), "").await;
    let answer = send(
        gw.addr,
        "GET",
        &format!("/v1/upstreams/up/owners/{APP}/webhooks?cursor=x"),
        &[BEARER],
        None,
    )
    .await;
    assert_eq!(answer.status, 422, "{}", text(&answer));
    assert_eq!(answer.json()["errors"][0]["field"], "cursor");
    gw.stop().await;
}

#[tokio::test]
async fn a_vendors_value_is_quoted_as_it_was_written() {
    // Resemble's ids are integers (`int_string`): (its id as written, what the refusal says).
    let ids = [
        (
            "-1",
            "`id` is -1, which is not a decimal integer without sign or leading zeros",
        ),
        (
            "18446744073709551617",
            "`id` is 18446744073709551617, which is not a decimal integer without sign or leading zeros, of at most 19 digits",
        ),
        (
            "-18446744073709551617",
            "`id` is -18446744073709551617, which is not",
        ),
        (
            "\"007\"",
            r#"`id` is "007", which is not a decimal integer"#,
        ),
        ("1.5", "`id` is 1.5, which is not an integer"),
        ("true", "`id` is true, which is not an integer"),
    ];
    let item = |id: &str| {
        format!(
            r#"{{"success": true, "item": {{"id": {id}, "webhook_type": "pre_call", "webhook_config": {{"api_schema": {{"url": "https://a.example/h", "method": "POST"}}}}, "created_at": "2025-01-27T10:00:00Z"}}}}"#
        )
    };
    let script = ids
        .iter()
        .map(|(id, _)| Reply::Raw {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: item(id),
        })
        .collect();
    let double = Double::start(script).await;
    let gw = gateway_over("resemble", &double.url(), "").await;
    for (id, expected) in ids {
        let answer = send(
            gw.addr,
            "GET",
            &format!("/v1/upstreams/up/owners/{AGENT}/webhooks/5"),
            &[BEARER],
            None,
        )
        .await;
        says(&answer, 502, &[expected], id);
        assert!(!text(&answer).contains("e+19"), "{id}: {}", text(&answer));
    }
    gw.stop().await;
}

/// A vendor that answers every request with `answer`, byte for byte, on connections it keeps
/// open (an answer shorter than its length leaves the rest of it never sent).
async fn raw_vendor(answer: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                loop {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") {
                        if stream.read(&mut byte).await.unwrap_or(0) == 0 {
                            return;
                        }
                        head.push(byte[0]);
                    }
                    if stream.write_all(&answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

/// An answer of `status` with `body` and these header lines, framed by its length.
fn framed(status: &str, headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\n{headers}content-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

const JSON: &str = "content-type: application/json\r\n";

#[tokio::test]
async fn an_answer_that_cannot_be_read_says_what_it_is_and_who_sent_it() {
    let webhook = format!(
        r#"{{"success":true,"data":{{"id":"0199a1b2-0000-7000-8000-000000000001","agent_id":"{AGENT}","name":"n","webhook_url":"https://e.example","events":["event_action"],"enabled":true}}}}"#
    );
    let mut gzip = vec![0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03];
    gzip.extend_from_slice(&[0xab, 0x56, 0xca, 0x4c, 0x51, 0xb2, 0x32, 0xac, 0x05, 0x00]);
    let mut late = format!("HTTP/1.1 200 OK\r\n{JSON}content-length: 500\r\n\r\n").into_bytes();
    late.extend_from_slice(b"{\"success\":true,");
    let cases: Vec<(Vec<u8>, u16, &str)> = vec![
        (
            framed("200 OK", JSON, &gzip),
            502,
            "upstream up sent a success with a body compressed with gzip, not JSON",
        ),
        (
            framed("200 OK", JSON, b"\xff\xfe{}"),
            502,
            "upstream up sent a success with a body that is not UTF-8",
        ),
        (
            framed("500 Internal Server Error", "", b""),
            502,
            "upstream up answered 500 with an empty body",
        ),
        (
            framed(
                "502 Bad Gateway",
                "content-type: text/html\r\n",
                b"<html>bad</html>",
            ),
            502,
            "upstream up answered 502 with a body that is not JSON",
        ),
        (
            framed("503 Service Unavailable", "", b""),
            503,
            "upstream up answered 503 with an empty body",
        ),
        (
            framed("418 I'm a teapot", JSON, b"{}"),
            400,
            "upstream up answered 418",
        ),
        (
            late,
            504,
            "upstream up: answered 200, but its body did not arrive within 1s",
        ),
    ];
    for (answer, status, expected) in cases {
        let url = raw_vendor(answer).await;
        let gw = gateway_over("talkover", &url, "").await;
        let path = format!(
            "/v1/upstreams/up/owners/{AGENT}/webhooks/0199a1b2-0000-7000-8000-000000000001"
        );
        let got = send(gw.addr, "GET", &path, &[BEARER], None).await;
        says(&got, status, &[expected], expected);
        gw.stop().await;
    }
    // A UTF-8 byte order mark before the JSON is ignored, as RFC 8259 allows: the webhook is
    // read, a refusal's words are the vendor's, and a surface relaying the answer relays the
    // JSON alone.
    let bom = |status: &str, body: &str| {
        let mut text = b"\xEF\xBB\xBF".to_vec();
        text.extend_from_slice(body.as_bytes());
        framed(status, JSON, &text)
    };
    let url = raw_vendor(bom("200 OK", &webhook)).await;
    let gw = gateway_over("talkover", &url, &surface("t", "talkover", true)).await;
    let path =
        format!("/v1/upstreams/up/owners/{AGENT}/webhooks/0199a1b2-0000-7000-8000-000000000001");
    let got = send(gw.addr, "GET", &path, &[BEARER], None).await;
    support::ok(&got, 200, "a webhook after a byte order mark");
    assert_eq!(got.json()["url"], "https://e.example");
    let relayed = send(
        gw.addr,
        "GET",
        &format!("/t/api/v1/agents/{AGENT}/webhooks/0199a1b2-0000-7000-8000-000000000001"),
        &[BEARER],
        None,
    )
    .await;
    assert_eq!(relayed.status, 200, "{}", text(&relayed));
    assert_eq!(relayed.body.as_ref(), webhook.as_bytes());
    gw.stop().await;
    let url = raw_vendor(bom(
        "404 Not Found",
        r#"{"success":false,"message":"No such hook here."}"#,
    ))
    .await;
    let gw = gateway_over("talkover", &url, "").await;
    let got = send(gw.addr, "GET", &path, &[BEARER], None).await;
    says(
        &got,
        404,
        &["No such hook here."],
        "a refusal after a byte order mark",
    );
    gw.stop().await;
}
