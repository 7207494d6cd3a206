//! Idempotency keys at upstreams that take none: the gateway keeps a create's answer under its
//! key, so that a retry is answered as the first request was and the webhook is made once; a
//! vendor that takes the key is sent it, scoped to its client, and decides itself. A refusal is
//! kept under its key as any answer is, and a key given twice is refused.

mod support;

use hookgate::app::Running;
use serde_json::{Value, json};
use std::time::Duration;
use support::{Answer, Double, Reply, TEST_DIALECTS, ok, send};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The collection of owner `p1` at the Relay upstream (`tests/dialects/relay.toml`, whose
/// dialect declares no idempotency key), on the canonical API.
const HOOKS: &str = "/v1/upstreams/relay/owners/p1/webhooks";

/// The collection of owner `p1` through the Svix surface in front of it: `mappings/svix.toml`
/// declares the header its clients send a key in on every create.
const SURFACE_HOOKS: &str = "/sv/api/v1/app/p1/endpoint";

fn created(id: u64) -> Reply {
    created_under(id, "p1")
}

/// A create's answer of webhook `id` of project `project`.
fn created_under(id: u64, project: &str) -> Reply {
    Reply::json(
        201,
        json!({"hook": {"hook_id": id, "project": project, "topics": ["invoice.paid"],
            "disabled": false, "state": "live", "label": "", "created": "2024-01-01T00:00:00Z",
            "updated": "2024-01-01T00:00:00Z",
            "target": {"url": "https://example.com/hook", "timeout_ms": 5000, "headers": []}}}),
    )
}

/// A create answered without the times a Svix client is always shown: made at the vendor, yet
/// not to be shown through the Svix surface.
fn created_without_times(id: u64) -> Reply {
    let Reply::Json { mut body, .. } = created(id) else {
        unreachable!()
    };
    let hook = body["hook"].as_object_mut().unwrap();
    hook.remove("created");
    hook.remove("updated");
    Reply::json(201, body)
}

fn hook(url: &str) -> Value {
    json!({"url": url, "events": ["invoice.paid"]})
}

/// The gateway over `double` as the Relay upstream, with a Svix surface in front of it and the
/// inbound section `inbound` (keys off when empty).
async fn gateway(double: &Double, inbound: &str) -> Running {
    support::gateway(&format!(
        "mappings_dir = {TEST_DIALECTS:?}\n\
         [upstreams.relay]\ndialect = \"relay\"\nbase_url = {:?}\nauth = {{ type = \"none\" }}\n\
         [surfaces.sv]\ndialect = \"svix\"\nupstream = \"relay\"\nprefix = \"/sv\"\n\
         [url_policy]\nallow_private = true\n{inbound}",
        double.url()
    ))
    .await
}

async fn create(gw: &Running, key: &str, body: &Value) -> Answer {
    send(
        gw.addr,
        "POST",
        HOOKS,
        &[("idempotency-key", key)],
        Some(body),
    )
    .await
}

fn replayed(answer: &Answer) -> bool {
    answer.header("idempotent-replayed") == Some("true")
}

#[tokio::test]
async fn a_retried_canonical_create_is_answered_as_the_first_and_made_once() {
    let double = Double::start(vec![created(1), created(2), created(3)]).await;
    let gw = gateway(&double, "").await;
    let body = hook("https://example.com/hook");
    let first = create(&gw, "kt2", &body).await;
    ok(&first, 201, "the first create");
    assert!(!replayed(&first));
    for _ in 0..2 {
        let again = create(&gw, "kt2", &body).await;
        ok(&again, 201, "the retry");
        assert!(replayed(&again), "{:?}", again.headers);
        assert_eq!(again.body, first.body);
        assert_eq!(again.header("location"), first.header("location"));
        assert_eq!(again.header("content-type"), first.header("content-type"));
    }
    assert_eq!(double.seen().len(), 1, "one create reached the vendor");
    // Another key, or none, is another create; keys are compared as bytes.
    ok(&create(&gw, "KT2", &body).await, 201, "another key");
    let none = send(gw.addr, "POST", HOOKS, &[], Some(&body)).await;
    ok(&none, 201, "no key");
    assert_eq!(double.seen().len(), 3);
}

#[tokio::test]
async fn a_retried_create_through_a_surface_whose_clients_send_a_key_is_made_once() {
    let load = hookgate::mapping::load::load_sources;
    let dialects = load(hookgate::mapping::load::shipped()).unwrap();
    let svix = dialects.iter().find(|d| d.name == "svix").unwrap();
    assert!(
        svix.idempotency_key.is_some(),
        "the fixture's clients send a key"
    );
    let double = Double::start(vec![created(1), created(2)]).await;
    let gw = gateway(&double, "").await;
    let body = json!({"url": "https://example.com/hook", "filterTypes": ["invoice.paid"]});
    let headers = [
        ("authorization", "Bearer sk_test"),
        ("idempotency-key", "auto_3f2a"),
    ];
    let first = send(gw.addr, "POST", SURFACE_HOOKS, &headers, Some(&body)).await;
    ok(&first, 201, "the first create");
    let again = send(gw.addr, "POST", SURFACE_HOOKS, &headers, Some(&body)).await;
    ok(&again, 201, "the retry");
    assert!(replayed(&again));
    assert_eq!(again.body, first.body);
    assert_eq!(double.seen().len(), 1);
    // The same key on the canonical API is another frontend's: its own create.
    ok(
        &create(&gw, "auto_3f2a", &hook("https://example.com/hook")).await,
        201,
        "canonical",
    );
    assert_eq!(double.seen().len(), 2);
    // Another body under the key is refused in the surface's own shape, nothing sent.
    let other = json!({"url": "https://example.com/other", "filterTypes": ["invoice.paid"]});
    let refused = send(gw.addr, "POST", SURFACE_HOOKS, &headers, Some(&other)).await;
    ok(&refused, 409, "another body");
    assert!(
        refused.json()["detail"]
            .as_str()
            .unwrap()
            .contains("auto_3f2a")
    );
    assert_eq!(double.seen().len(), 2);
}

#[tokio::test]
async fn concurrent_duplicates_wait_for_the_first_and_get_its_answer() {
    let slow = Reply::Slow(Duration::from_millis(300), Box::new(created(1)));
    let double = Double::start(vec![slow, created(2), created(3)]).await;
    let gw = gateway(&double, "").await;
    let body = hook("https://example.com/hook");
    let mut sends = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (addr, body) = (gw.addr, body.clone());
        sends.spawn(async move {
            send(
                addr,
                "POST",
                HOOKS,
                &[("idempotency-key", "together")],
                Some(&body),
            )
            .await
        });
    }
    let answers = sends.join_all().await;
    for answer in &answers {
        ok(answer, 201, "a duplicate");
        assert_eq!(answer.body, answers[0].body);
    }
    assert_eq!(answers.iter().filter(|a| !replayed(a)).count(), 1);
    assert_eq!(double.seen().len(), 1, "one create reached the vendor");
}

#[tokio::test]
async fn another_body_under_a_key_is_a_conflict_and_nothing_is_sent() {
    let double = Double::start(vec![created(1), created(2)]).await;
    let gw = gateway(&double, "").await;
    ok(
        &create(&gw, "k-1", &hook("https://example.com/a")).await,
        201,
        "first",
    );
    for other in [
        hook("https://example.com/b"),
        json!({"url": "https://example.com/a", "events": ["invoice.paid"], "description": "x"}),
    ] {
        let refused = create(&gw, "k-1", &other).await;
        ok(&refused, 409, "another body");
        let problem = refused.json();
        assert_eq!(problem["code"], "conflict");
        assert!(
            problem["detail"].as_str().unwrap().contains("`k-1`"),
            "{problem}"
        );
    }
    assert_eq!(double.seen().len(), 1);
}

#[tokio::test]
async fn two_inbound_keys_never_share_an_answer() {
    use sha2::Digest;
    let key = |name: &str, secret: &str| {
        format!(
            "[[inbound_auth.keys]]\nname = \"{name}\"\nsha256 = \"{:x}\"\n\
             scopes = [\"webhooks:read\", \"webhooks:write\"]\n",
            sha2::Sha256::digest(secret.as_bytes())
        )
    };
    let inbound = format!(
        "[inbound_auth]\nmode = \"api_keys\"\n{}{}",
        key("one", "secret-one-1234"),
        key("two", "secret-two-1234")
    );
    let double = Double::start(vec![created(1), created(2)]).await;
    let gw = gateway(&double, &inbound).await;
    let body = hook("https://example.com/hook");
    let as_client = |secret: &'static str| {
        let body = body.clone();
        let addr = gw.addr;
        async move {
            let headers = [("x-api-key", secret), ("idempotency-key", "shared")];
            send(addr, "POST", HOOKS, &headers, Some(&body)).await
        }
    };
    let one = as_client("secret-one-1234").await;
    let two = as_client("secret-two-1234").await;
    ok(&one, 201, "the first client");
    ok(&two, 201, "the second client");
    assert!(!replayed(&two), "another client's answer was replayed");
    assert_ne!(one.body, two.body);
    assert_eq!(double.seen().len(), 2);
    let again = as_client("secret-one-1234").await;
    assert!(replayed(&again));
    assert_eq!(again.body, one.body);
}

#[tokio::test]
async fn a_5xx_before_anything_was_made_is_run_again_on_retry() {
    let failed = Reply::json(500, json!({"error": {"kind": "boom", "text": "down"}}));
    let double = Double::start(vec![failed, created(1), created(2)]).await;
    let gw = gateway(&double, "").await;
    let body = hook("https://example.com/hook");
    let first = create(&gw, "k-5xx", &body).await;
    assert!(first.status >= 500, "{}", first.status);
    let retried = create(&gw, "k-5xx", &body).await;
    ok(&retried, 201, "the retry runs");
    assert!(!replayed(&retried));
    let again = create(&gw, "k-5xx", &body).await;
    assert!(replayed(&again), "the answer that made the webhook is kept");
    assert_eq!(double.seen().len(), 2);
}

#[tokio::test]
async fn a_5xx_that_says_a_webhook_was_made_is_kept() {
    let double = Double::start(vec![created_without_times(1), created(2)]).await;
    let gw = gateway(&double, "").await;
    let body = json!({"url": "https://example.com/hook", "filterTypes": ["invoice.paid"]});
    let headers = [
        ("authorization", "Bearer sk_test"),
        ("idempotency-key", "k-made"),
    ];
    let first = send(gw.addr, "POST", SURFACE_HOOKS, &headers, Some(&body)).await;
    assert!(first.status >= 500, "{}", first.status);
    let again = send(gw.addr, "POST", SURFACE_HOOKS, &headers, Some(&body)).await;
    assert_eq!(again.status, first.status);
    assert!(replayed(&again), "a retry would make a second webhook");
    assert_eq!(again.body, first.body);
    assert_eq!(double.seen().len(), 1);
}

/// Sends a create whose `Idempotency-Key` is `key`'s bytes as they are (no client library
/// sends a header that is not visible ASCII), and answers its status and body.
async fn create_with_raw_key(gw: &Running, path: &str, key: &[u8]) -> (u16, String) {
    let body = br#"{"url":"https://example.com/hook","events":["invoice.paid"]}"#;
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nidempotency-key: ",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(key);
    request.extend_from_slice(b"\r\n\r\n");
    request.extend_from_slice(body);
    let mut stream = tokio::net::TcpStream::connect(gw.addr).await.unwrap();
    stream.write_all(&request).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text[9..12].parse().unwrap();
    (status, text)
}

#[tokio::test]
async fn a_key_of_any_bytes_is_kept_and_one_too_long_refused_by_name() {
    let double = Double::start(vec![created(1), created(2), created(3), created(4)]).await;
    let gw = gateway(&double, "").await;
    let long = vec![b'k'; 256];
    let (status, text) = create_with_raw_key(&gw, HOOKS, &long).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("Idempotency-Key"), "{text}");
    assert!(double.seen().is_empty(), "nothing was sent");
    // Bytes beyond ASCII, a space, the longest: each kept as it is, and replayed.
    let longest = vec![b'k'; 255];
    for key in ["clé".as_bytes(), b"\xff\xfe", b"a b", &longest] {
        let (status, first) = create_with_raw_key(&gw, HOOKS, key).await;
        assert_eq!(status, 201, "{first}");
        let (status, again) = create_with_raw_key(&gw, HOOKS, key).await;
        assert_eq!(status, 201, "{again}");
        assert!(
            again.to_lowercase().contains("idempotent-replayed: true"),
            "{again}"
        );
    }
    assert_eq!(double.seen().len(), 4);
}

#[tokio::test]
async fn a_vendor_that_takes_keys_is_sent_them_and_decides_itself() {
    // Relay, as a vendor that takes a key in a header of its own.
    let dir = support::dialects_with(&[(
        "relay",
        "[dialect]\n",
        "[dialect]\nidempotency_key = \"X-Once\"\n",
    )]);
    let double = Double::start(vec![created(1), created(1)]).await;
    let gw = support::gateway_over(dir.path().to_str().unwrap(), "relay", &double).await;
    let body = hook("https://example.com/hook");
    for _ in 0..2 {
        let answer = create(&gw, "vendor-decides", &body).await;
        ok(&answer, 201, "a create");
        assert!(
            !replayed(&answer),
            "the gateway kept an answer the vendor decides"
        );
    }
    let seen = double.seen();
    assert_eq!(seen.len(), 2, "each request reached the vendor");
    let sent = seen[0].key_in("x-once", "vendor-decides");
    assert_eq!(
        seen[1].key_in("x-once", "vendor-decides"),
        sent,
        "a retry's key"
    );
    // A key too long is refused there too, never sent as no key.
    let (status, text) = create_with_raw_key(&gw, HOOKS, &[b'k'; 256]).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("Idempotency-Key"), "{text}");
    assert_eq!(double.seen().len(), 2);
}

#[tokio::test]
async fn an_empty_key_is_no_key() {
    let double = Double::start(vec![created(1), created(2), created(3), created(4)]).await;
    let gw = gateway(&double, "").await;
    let canonical = hook("https://example.com/hook");
    let surface = json!({"url": "https://example.com/hook", "filterTypes": ["invoice.paid"]});
    for (path, body) in [(HOOKS, &canonical), (SURFACE_HOOKS, &surface)] {
        for _ in 0..2 {
            let answer = send(
                gw.addr,
                "POST",
                path,
                &[("idempotency-key", ""), ("authorization", "Bearer t")],
                Some(body),
            )
            .await;
            assert_eq!(answer.status, 201, "{path}: {:?}", answer.body);
            assert!(!replayed(&answer), "{path}");
        }
    }
    // Not kept: each create reached the vendor.
    assert_eq!(double.seen().len(), 4);
}

/// How a client goes away from a create it sent.
#[derive(Debug, Clone, Copy)]
enum GoingAway {
    /// It closes the connection (its own timeout fired).
    Closes,
    /// It ends its sending side and sends nothing more.
    HalfCloses,
    /// It cancels its HTTP/2 stream, and keeps the connection.
    CancelsAnHttp2Stream,
}

const GOING_AWAY: [GoingAway; 3] = [
    GoingAway::Closes,
    GoingAway::HalfCloses,
    GoingAway::CancelsAnHttp2Stream,
];

/// A frontend's create: its path, its headers (a key among them) and its body.
struct Create {
    path: &'static str,
    headers: Vec<(&'static str, &'static str)>,
    body: Value,
}

impl Create {
    /// A create on the canonical API under `key`.
    fn canonical(key: &'static str) -> Create {
        Create {
            path: HOOKS,
            headers: vec![("idempotency-key", key)],
            body: hook("https://example.com/hook"),
        }
    }

    /// The same create through the Svix surface, whose clients send a key on every create.
    fn surface(key: &'static str) -> Create {
        Create {
            path: SURFACE_HOOKS,
            headers: vec![
                ("authorization", "Bearer sk_test"),
                ("idempotency-key", key),
            ],
            body: json!({"url": "https://example.com/hook", "filterTypes": ["invoice.paid"]}),
        }
    }

    /// Each frontend's create under `key`.
    fn on_each_frontend(key: &'static str) -> [Create; 2] {
        [Create::canonical(key), Create::surface(key)]
    }

    async fn send(&self, gw: &Running) -> Answer {
        send(gw.addr, "POST", self.path, &self.headers, Some(&self.body)).await
    }

    /// Sends the create and goes away `after` it is sent, `way`, without its answer.
    async fn abandon(&self, gw: &Running, way: GoingAway, after: Duration) {
        let body = serde_json::to_vec(&self.body).unwrap();
        let mut stream = tokio::net::TcpStream::connect(gw.addr).await.unwrap();
        if let GoingAway::CancelsAnHttp2Stream = way {
            use hyper_util::rt::{TokioExecutor, TokioIo};
            let (mut sender, conn) =
                hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
                    .await
                    .unwrap();
            let conn = tokio::spawn(conn);
            let mut request = http::Request::post(format!("http://{}{}", gw.addr, self.path))
                .header("content-type", "application/json");
            for (name, value) in &self.headers {
                request = request.header(*name, *value);
            }
            let request = request
                .body(http_body_util::Full::new(bytes::Bytes::from(body)))
                .unwrap();
            let waiting = tokio::spawn(sender.send_request(request));
            tokio::time::sleep(after).await;
            assert!(
                !waiting.is_finished(),
                "answered before its client went away"
            );
            waiting.abort();
            // The connection stays a while, the stream alone cancelled.
            tokio::time::sleep(Duration::from_millis(50)).await;
            conn.abort();
            return;
        }
        let mut head = format!(
            "POST {} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            self.path,
            body.len()
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(&body).await.unwrap();
        tokio::time::sleep(after).await;
        match way {
            GoingAway::HalfCloses => {
                stream.shutdown().await.unwrap();
                // Nothing more is read: the client has given up.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            _ => drop(stream),
        }
    }
}

/// The vendor's first answer, a while after the create reached it.
fn slow(reply: Reply, millis: u64) -> Reply {
    Reply::Slow(Duration::from_millis(millis), Box::new(reply))
}

/// The id of the webhook an answer shows, as the canonical API and the surface show it.
fn shown_id(answer: &Answer) -> String {
    let id = &answer.json()["id"];
    id.as_str().map_or_else(|| id.to_string(), str::to_owned)
}

#[tokio::test]
async fn a_create_whose_client_goes_away_is_finished_and_its_answer_kept() {
    let mut cases = tokio::task::JoinSet::new();
    for way in GOING_AWAY {
        for create in Create::on_each_frontend("gone-1") {
            cases.spawn(async move {
                let what = format!("{} {way:?}", create.path);
                let double = Double::start(vec![slow(created(1), 600), created(2)]).await;
                let gw = gateway(&double, "").await;
                create.abandon(&gw, way, Duration::from_millis(150)).await;
                // The client retries once the vendor has made the webhook.
                tokio::time::sleep(Duration::from_millis(750)).await;
                let retried = create.send(&gw).await;
                ok(&retried, 201, &what);
                assert!(replayed(&retried), "{what}: the retry ran again");
                assert_eq!(shown_id(&retried), "1", "{what}");
                assert_eq!(
                    double.seen().len(),
                    1,
                    "{what}: one create reached the vendor"
                );
                let again = create.send(&gw).await;
                assert!(replayed(&again), "{what}");
                assert_eq!(again.body, retried.body, "{what}");
                assert_eq!(double.seen().len(), 1, "{what}");
            });
        }
    }
    cases.join_all().await;
}

#[tokio::test]
async fn retries_while_an_abandoned_create_runs_wait_for_it() {
    for create in Create::on_each_frontend("gone-2") {
        let what = create.path;
        let double = Double::start(vec![slow(created(1), 800), created(2), created(3)]).await;
        let gw = gateway(&double, "").await;
        create
            .abandon(&gw, GoingAway::Closes, Duration::from_millis(150))
            .await;
        // Two retries while the first create is still at the vendor.
        let create = std::sync::Arc::new(create);
        let mut retries = tokio::task::JoinSet::new();
        for _ in 0..2 {
            let (create, addr) = (create.clone(), gw.addr);
            retries.spawn(async move {
                send(
                    addr,
                    "POST",
                    create.path,
                    &create.headers,
                    Some(&create.body),
                )
                .await
            });
        }
        let answers = retries.join_all().await;
        for answer in &answers {
            ok(answer, 201, what);
            assert!(replayed(answer), "{what}: a retry ran again");
            assert_eq!(shown_id(answer), "1", "{what}");
        }
        assert_eq!(answers[0].body, answers[1].body);
        assert_eq!(
            double.seen().len(),
            1,
            "{what}: one create reached the vendor"
        );
    }
}

#[tokio::test]
async fn an_abandoned_create_at_a_vendor_that_takes_keys_is_the_vendors_to_decide() {
    let dir = support::dialects_with(&[(
        "relay",
        "[dialect]\n",
        "[dialect]\nidempotency_key = \"X-Once\"\n",
    )]);
    let double = Double::start(vec![slow(created(1), 600), created(1)]).await;
    let gw = support::gateway_over(dir.path().to_str().unwrap(), "relay", &double).await;
    let create = Create::canonical("vendor-decides-too");
    create
        .abandon(&gw, GoingAway::Closes, Duration::from_millis(150))
        .await;
    let retried = create.send(&gw).await;
    ok(&retried, 201, "the retry");
    assert!(
        !replayed(&retried),
        "the gateway kept an answer the vendor decides"
    );
    let seen = double.seen();
    assert_eq!(seen.len(), 2, "the retry reached the vendor, key and all");
    let sent = seen[0].key_in("x-once", "vendor-decides-too");
    assert_eq!(seen[1].key_in("x-once", "vendor-decides-too"), sent);
}

/// The gateway over `url` as the Relay upstream, whose calls are given up after `timeout_ms`,
/// with the Svix surface in front of it.
async fn gateway_at(url: &str, timeout_ms: u64) -> Running {
    support::gateway(&format!(
        "mappings_dir = {TEST_DIALECTS:?}\n\
         [upstreams.relay]\ndialect = \"relay\"\nbase_url = {url:?}\nauth = {{ type = \"none\" }}\n\
         timeout_ms = {timeout_ms}\ndeadline_ms = {timeout_ms}\n\
         [surfaces.sv]\ndialect = \"svix\"\nupstream = \"relay\"\nprefix = \"/sv\"\n\
         [url_policy]\nallow_private = true\n"
    ))
    .await
}

#[tokio::test]
async fn a_create_the_vendor_may_have_made_unanswered_is_answered_the_same_on_retry() {
    // No answer in time, a connection broken once the create was sent: either way the vendor
    // may have made the webhook, so the retry is told the same and nothing is sent again.
    let failures = [(slow(created(1), 1_000), 504), (Reply::Hangup, 502)];
    for (failure, status) in failures {
        for create in Create::on_each_frontend("unknown-1") {
            let what = format!("{} {status}", create.path);
            let double = Double::start(vec![failure.clone(), created(2)]).await;
            let gw = gateway_at(&double.url(), 300).await;
            let first = create.send(&gw).await;
            assert_eq!(first.status, status, "{what}: {:?}", first.body);
            let retried = create.send(&gw).await;
            assert_eq!(retried.status, status, "{what}");
            assert!(replayed(&retried), "{what}: the retry ran again");
            assert_eq!(retried.body, first.body, "{what}");
            assert_eq!(double.seen().len(), 1, "{what}: sent again");
        }
    }
    // Its client gone before the vendor's deadline passed, the same is kept.
    let double = Double::start(vec![slow(created(1), 1_000), created(2)]).await;
    let gw = gateway_at(&double.url(), 300).await;
    let create = Create::canonical("unknown-2");
    create
        .abandon(&gw, GoingAway::Closes, Duration::from_millis(100))
        .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let retried = create.send(&gw).await;
    assert_eq!(retried.status, 504);
    assert!(replayed(&retried), "the retry ran again");
    assert_eq!(double.seen().len(), 1);
}

#[tokio::test]
async fn a_create_that_never_reached_the_vendor_is_run_again_on_retry() {
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let gw = gateway_at(&url, 300).await;
    for create in Create::on_each_frontend("unreached") {
        for _ in 0..2 {
            let answer = create.send(&gw).await;
            assert_eq!(answer.status, 502, "{}: {:?}", create.path, answer.body);
            assert!(!replayed(&answer), "{}: nothing was sent", create.path);
        }
    }
}

#[tokio::test]
async fn stopping_waits_for_an_abandoned_create_within_the_drain() {
    for (vendor_ms, drain_ms) in [(700, 30_000), (5_000, 300)] {
        let double = Double::start(vec![slow(created(1), vendor_ms)]).await;
        let gw = support::gateway(&format!(
            "mappings_dir = {TEST_DIALECTS:?}\n\
             [upstreams.relay]\ndialect = \"relay\"\nbase_url = {:?}\nauth = {{ type = \"none\" }}\n\
             timeout_ms = 10000\n[limits]\ndrain_timeout_ms = {drain_ms}\n\
             [url_policy]\nallow_private = true\n",
            double.url()
        ))
        .await;
        let create = Create::canonical("stopping");
        create
            .abandon(&gw, GoingAway::Closes, Duration::from_millis(100))
            .await;
        let stopping = tokio::time::Instant::now();
        gw.stop().await;
        let took = stopping.elapsed();
        let (least, most) = match vendor_ms < drain_ms {
            // Until the vendor answered.
            true => (
                Duration::from_millis(400),
                Duration::from_millis(drain_ms / 2),
            ),
            // Until the drain was over.
            false => (
                Duration::from_millis(drain_ms),
                Duration::from_millis(vendor_ms - 1_000),
            ),
        };
        assert!(
            took >= least && took < most,
            "{vendor_ms} ms, {drain_ms} ms: {took:?}"
        );
    }
}

/// Where the vendor checks the client's own credential, an inbound key shared by clients of
/// several vendor accounts tells them apart no more than no key does: the credential is part
/// of the key's scope either way, and one account is never given another's create.
#[tokio::test]
async fn clients_of_one_inbound_key_with_their_own_vendor_credentials_never_share_an_answer() {
    use sha2::Digest;
    let inbound = format!(
        "[inbound_auth]\nmode = \"api_keys\"\n[[inbound_auth.keys]]\nname = \"shared\"\n\
         sha256 = \"{:x}\"\nscopes = [\"webhooks:read\", \"webhooks:write\"]\n",
        sha2::Sha256::digest(b"shared-key-1234")
    );
    let double = Double::start(vec![created(1), created(2), created(3)]).await;
    let gw = support::gateway(&format!(
        "mappings_dir = {TEST_DIALECTS:?}\n\
         [upstreams.relay]\ndialect = \"relay\"\nbase_url = {:?}\nauth = {{ type = \"passthrough\" }}\n\
         [url_policy]\nallow_private = true\n{inbound}",
        double.url()
    ))
    .await;
    let body = hook("https://example.com/hook");
    let as_account = |token: &'static str| {
        let body = body.clone();
        let addr = gw.addr;
        async move {
            let headers = [
                ("x-api-key", "shared-key-1234"),
                ("authorization", token),
                ("idempotency-key", "one-key"),
            ];
            send(addr, "POST", HOOKS, &headers, Some(&body)).await
        }
    };
    let a = as_account("Bearer account-a-token").await;
    ok(&a, 201, "account a");
    for other in ["Bearer account-b-token", "Bearer garbage"] {
        let b = as_account(other).await;
        ok(&b, 201, other);
        assert!(!replayed(&b), "{other} was given account a's create");
        assert_ne!(b.body, a.body, "{other}");
    }
    assert_eq!(double.seen().len(), 3);
    let again = as_account("Bearer account-a-token").await;
    assert!(replayed(&again), "account a's own retry");
    assert_eq!(again.body, a.body);
    assert_eq!(double.seen().len(), 3);
}

/// A create relayed to a vendor of the surface's own dialect names its owner wherever the
/// dialect does (here in a header of every call, `Tally-Tenant-Id`): two owners' creates under
/// one key are two creates, each made and answered its own.
#[tokio::test]
async fn relayed_creates_of_two_owners_named_in_a_header_never_share_an_answer() {
    let gw = support::gateway(&format!(
        "mappings_dir = {TEST_DIALECTS:?}\n[inbound_auth]\nmode = \"off\"\n\
         [upstreams.tally]\ndialect = \"tally\"\nemulate = true\n\
         [surfaces.tally]\ndialect = \"tally\"\nupstream = \"tally\"\nprefix = \"/t\"\n"
    ))
    .await;
    let body = json!({"url": "https://example.com/t", "eventTypes": ["INVOICE"]});
    let create = |tenant: &'static str| {
        let body = body.clone();
        let addr = gw.addr;
        async move {
            let headers = [
                ("authorization", "Bearer x"),
                ("tally-tenant-id", tenant),
                ("idempotency-key", "kt"),
            ];
            send(addr, "POST", "/t/api/webhooks", &headers, Some(&body)).await
        }
    };
    let one = create("t-1").await;
    assert!(one.status < 300, "{}", String::from_utf8_lossy(&one.body));
    let two = create("t-2").await;
    assert!(two.status < 300, "{}", String::from_utf8_lossy(&two.body));
    assert!(!replayed(&two), "tenant t-2 was given t-1's create");
    for tenant in ["t-1", "t-2"] {
        let headers = [("authorization", "Bearer x"), ("tally-tenant-id", tenant)];
        let listed = send(gw.addr, "GET", "/t/api/webhooks", &headers, None).await;
        ok(&listed, 200, tenant);
        let webhooks = listed.json()["webhooks"].as_array().unwrap().len();
        assert_eq!(webhooks, 1, "{tenant}: {}", listed.json());
    }
    assert!(replayed(&create("t-2").await), "t-2's own retry");
}

/// Lenient handling changes what is made of the same body (a field dropped, not refused): a
/// retry under the key of a refused create that now prefers it is another request, refused
/// with 409 rather than given the refusal again, and the other way round.
#[tokio::test]
async fn a_retry_that_changes_its_handling_preference_is_another_request() {
    let double = Double::start(vec![created(1), created(2)]).await;
    let gw = gateway(&double, "").await;
    // Relay cannot carry `max_retries`: refused by name, or dropped under lenient handling.
    let body =
        json!({"url": "https://example.com/hook", "events": ["invoice.paid"], "max_retries": 3});
    let strict = create(&gw, "kp", &body).await;
    ok(&strict, 422, "strict");
    let lenient = send(
        gw.addr,
        "POST",
        HOOKS,
        &[("idempotency-key", "kp"), ("prefer", "handling=lenient")],
        Some(&body),
    )
    .await;
    ok(&lenient, 409, "the same key, now lenient");
    assert!(!replayed(&lenient));
    let fresh = send(
        gw.addr,
        "POST",
        HOOKS,
        &[("idempotency-key", "kp2"), ("prefer", "handling=lenient")],
        Some(&body),
    )
    .await;
    ok(&fresh, 201, "lenient under a new key");
    ok(
        &create(&gw, "kp2", &body).await,
        409,
        "the lenient key, now strict",
    );
    assert_eq!(double.seen().len(), 1);
}

/// A test-local copy of the shipped `svix.toml` and `agentmessage.toml`, this one saying
/// which event its test sends (`webhook.test`), so that a Svix client may ask for it.
fn svix_and_agentmessage() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in ["svix", "agentmessage"] {
        let text = std::fs::read_to_string(format!("{}/{name}.toml", support::MAPPINGS)).unwrap();
        let text = match name {
            "agentmessage" => text.replacen(
                "[test_result.event_id]",
                "[test_result.event_type]\nimplied = \"webhook.test\"\n\n[test_result.event_id]",
                1,
            ),
            _ => text,
        };
        std::fs::write(dir.path().join(format!("{name}.toml")), text).unwrap();
    }
    dir
}

/// The gateway with an emulated Svix upstream `sv` (whose clients send a key on every POST)
/// and an emulated AgentMessage upstream `am` (whose dialect takes none), a Svix surface in
/// front of each (`/front`, `/over`), and the inbound section `inbound`.
async fn gateway_of_emulators(inbound: &str) -> Running {
    let dir = svix_and_agentmessage();
    support::gateway(&format!(
        "mappings_dir = {:?}\n\
         [upstreams.sv]\ndialect = \"svix\"\nemulate = true\n\
         [upstreams.am]\ndialect = \"agentmessage\"\nemulate = true\n\
         [surfaces.front]\ndialect = \"svix\"\nupstream = \"sv\"\nprefix = \"/front\"\n\
         [surfaces.over]\ndialect = \"svix\"\nupstream = \"am\"\nprefix = \"/over\"\nowner = \"{APP}\"\n\
         {inbound}",
        dir.path()
    ))
    .await
}

/// The application a Svix client names.
const APP: &str = "app_keyed";

/// A Svix client's endpoints under `base` (`…/api/v1`).
fn svix_endpoints(base: &str) -> String {
    format!("{base}/api/v1/app/{APP}/endpoint")
}

/// A Svix client's POST of `path` with `body` under idempotency key `key`.
async fn svix_post(addr: std::net::SocketAddr, path: &str, key: &str, body: &Value) -> Answer {
    let headers = [
        ("authorization", "Bearer sk_test"),
        ("idempotency-key", key),
    ];
    send(addr, "POST", path, &headers, Some(body)).await
}

/// An endpoint made at a Svix API under `base` (`…/api/v1`), listening to `a.b` where the
/// upstream has no such type (`wallet.balance_low` behind AgentMessage's): its id.
async fn svix_endpoint(addr: std::net::SocketAddr, base: &str, event: &str) -> String {
    let body = json!({"url": "https://example.com/h", "filterTypes": [event]});
    let created = send(
        addr,
        "POST",
        &svix_endpoints(base),
        &[("authorization", "Bearer sk_test")],
        Some(&body),
    )
    .await;
    ok(&created, 201, "create");
    created.json()["id"].as_str().unwrap().to_owned()
}

/// One Svix API under test: its address, its base, the event type its endpoints listen to
/// and the one its test sends.
type SvixApi = (
    std::net::SocketAddr,
    &'static str,
    &'static str,
    &'static str,
);

/// The Svix APIs under test on one gateway: the emulator, a surface that relays to it, and a
/// surface in front of AgentMessage, whose test sends its own event.
fn svix_apis(gw: &Running) -> [SvixApi; 3] {
    [
        (gw.emulators["sv"], "", "a.b", "a.b"),
        (gw.addr, "/front", "a.b", "a.b"),
        (gw.addr, "/over", "wallet.balance_low", "webhook.test"),
    ]
}

#[tokio::test]
async fn a_retried_test_delivery_sends_one_message_under_its_key() {
    let gw = gateway_of_emulators("").await;
    // Each API its own keys: the surface `/front` relays its client's to the emulator, where
    // a key is its client's, whichever way it came.
    for (n, (addr, base, event, sent)) in svix_apis(&gw).into_iter().enumerate() {
        let what = format!("svix at {addr}{base}");
        let key = |k: &str| format!("{k}-{n}");
        let (ex1, ex2) = (key("ex-1"), key("ex-2"));
        let id = svix_endpoint(addr, base, event).await;
        let other_id = svix_endpoint(addr, base, event).await;
        let example = format!("{}/{id}/send-example", svix_endpoints(base));
        let body = json!({ "eventType": sent });
        let first = svix_post(addr, &example, &ex1, &body).await;
        ok(&first, 200, &what);
        let message = first.json()["id"].as_str().unwrap().to_owned();
        for n in 0..2 {
            let again = svix_post(addr, &example, &ex1, &body).await;
            ok(&again, 200, &format!("{what}: retry {n}"));
            assert_eq!(again.json()["id"], message.as_str(), "{what}: one message");
            // Marked where hookgate answers it again; a relay passes on the vendor's answer.
            let relayed = base == "/front";
            assert!(relayed || replayed(&again), "{what}: {:?}", again.headers);
        }
        // Another body, or another endpoint's test, under the key is another request: refused
        // (a test of another event type in front of AgentMessage is refused as such first).
        if sent == event {
            let other = json!({ "eventType": format!("{event}.x") });
            let refused = svix_post(addr, &example, &ex1, &other).await;
            ok(&refused, 409, &format!("{what}: another body"));
            // The vendor's own refusal, relayed, names the key it was sent: the client's,
            // scoped to it.
            let named = if base == "/front" { "" } else { ex1.as_str() };
            assert!(
                String::from_utf8_lossy(&refused.body).contains(named),
                "{what}"
            );
        }
        let elsewhere = format!("{}/{other_id}/send-example", svix_endpoints(base));
        ok(
            &svix_post(addr, &elsewhere, &ex1, &body).await,
            409,
            &format!("{what}: another endpoint"),
        );
        // Another key is another message.
        let second = svix_post(addr, &example, &ex2, &body).await;
        ok(&second, 200, &what);
        assert_ne!(second.json()["id"], message.as_str(), "{what}");
    }
    // Behind the surface whose upstream takes no key, the upstream was asked for two tests.
    let tests = support::journal(gw.emulators["am"]).await;
    let tests = tests.iter().filter(|e| e["operation"] == "test").count();
    assert_eq!(tests, 2, "one test under each key reached the upstream");
    gw.stop().await;
}

#[tokio::test]
async fn a_retried_rotation_rotates_once_under_its_key() {
    let gw = gateway_of_emulators("").await;
    for (n, (addr, base, event, sent)) in svix_apis(&gw).into_iter().enumerate() {
        let what = format!("svix at {addr}{base}");
        let (rot1, rot2) = (format!("rot-1-{n}"), format!("rot-2-{n}"));
        let id = svix_endpoint(addr, base, event).await;
        let at = format!("{}/{id}", svix_endpoints(base));
        let secret = || async {
            let read = send(
                addr,
                "GET",
                &format!("{at}/secret"),
                &[("authorization", "Bearer sk_test")],
                None,
            )
            .await;
            ok(&read, 200, "the secret");
            read.json()["key"].as_str().unwrap().to_owned()
        };
        let before = secret().await;
        let rotate = format!("{at}/secret/rotate");
        ok(
            &svix_post(addr, &rotate, &rot1, &json!({})).await,
            204,
            &what,
        );
        let rotated = secret().await;
        assert_ne!(rotated, before, "{what}");
        let again = svix_post(addr, &rotate, &rot1, &json!({})).await;
        ok(&again, 204, &what);
        assert!(base == "/front" || replayed(&again), "{what}");
        assert_eq!(secret().await, rotated, "{what}: rotated once");
        // A key given to a rotation is not a test's.
        let example = format!("{at}/send-example");
        ok(
            &svix_post(addr, &example, &rot1, &json!({ "eventType": sent })).await,
            409,
            &format!("{what}: a test under a rotation's key"),
        );
        ok(
            &svix_post(addr, &rotate, &rot2, &json!({})).await,
            204,
            &what,
        );
        assert_ne!(secret().await, rotated, "{what}: another key rotates again");
    }
    let rotations = support::journal(gw.emulators["am"]).await;
    let rotations = rotations
        .iter()
        .filter(|e| e["operation"] == "rotate-secret");
    assert_eq!(rotations.count(), 2, "one rotation under each key");
    gw.stop().await;
}

#[tokio::test]
async fn canonical_tests_and_rotations_are_made_once_under_a_key_and_never_replayed_to_another_client()
 {
    use sha2::Digest;
    let hash = |key: &str| format!("{:x}", sha2::Sha256::digest(key.as_bytes()));
    let mut inbound = "[inbound_auth]\nmode = \"api_keys\"\n".to_owned();
    for (name, key) in [("one", "writer-key-0001"), ("two", "writer-key-0002")] {
        inbound.push_str(&format!(
            "[[inbound_auth.keys]]\nname = \"{name}\"\nsha256 = \"{}\"\nscopes = [\"webhooks:read\", \"webhooks:write\"]\n",
            hash(key)
        ));
    }
    let gw = gateway_of_emulators(&inbound).await;
    let hooks = "/v1/upstreams/am/webhooks";
    let as_one = [("x-api-key", "writer-key-0001")];
    let body = json!({"url": "https://example.com/c", "events": ["wallet.balance_low"]});
    let created = send(gw.addr, "POST", hooks, &as_one, Some(&body)).await;
    ok(&created, 201, "create");
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let keyed =
        |client: &'static str, key: &'static str| [("x-api-key", client), ("idempotency-key", key)];
    // A rotation answers its new secret once; a retry is answered the same, rotating nothing.
    let rotate = format!("{hooks}/{id}/rotate-secret");
    let first = send(
        gw.addr,
        "POST",
        &rotate,
        &keyed("writer-key-0001", "r-1"),
        None,
    )
    .await;
    ok(&first, 200, "rotate");
    let again = send(
        gw.addr,
        "POST",
        &rotate,
        &keyed("writer-key-0001", "r-1"),
        None,
    )
    .await;
    ok(&again, 200, "the retry");
    assert!(replayed(&again));
    assert_eq!(again.json()["secret"], first.json()["secret"]);
    // Another client's request under the same key is its own: never given the first's secret.
    let other = send(
        gw.addr,
        "POST",
        &rotate,
        &keyed("writer-key-0002", "r-1"),
        None,
    )
    .await;
    ok(&other, 200, "another client");
    assert!(!replayed(&other));
    assert_ne!(other.json()["secret"], first.json()["secret"]);
    // A test, likewise, and a body it did not send before is another request.
    let test = format!("{hooks}/{id}/test");
    let tested = send(
        gw.addr,
        "POST",
        &test,
        &keyed("writer-key-0001", "t-1"),
        None,
    )
    .await;
    ok(&tested, 200, "test");
    let retried = send(
        gw.addr,
        "POST",
        &test,
        &keyed("writer-key-0001", "t-1"),
        None,
    )
    .await;
    assert!(replayed(&retried));
    assert_eq!(retried.body, tested.body);
    let with_body = send(
        gw.addr,
        "POST",
        &test,
        &keyed("writer-key-0001", "t-1"),
        Some(&json!({})),
    )
    .await;
    ok(&with_body, 409, "another body");
    let journal = send(
        gw.emulators["am"],
        "GET",
        "/__hookgate/journal",
        &as_one,
        None,
    )
    .await;
    ok(&journal, 200, "the journal");
    let journal = journal.json()["entries"].as_array().unwrap().clone();
    let count = |op: &str| journal.iter().filter(|e| e["operation"] == op).count();
    assert_eq!((count("rotate-secret"), count("test")), (2, 1));
    gw.stop().await;
}

/// The inbound section with write keys of each name, each key its name repeated.
fn writers(names: &[&str]) -> String {
    use sha2::Digest;
    let mut inbound = "[inbound_auth]\nmode = \"api_keys\"\n".to_owned();
    for name in names {
        inbound.push_str(&format!(
            "[[inbound_auth.keys]]\nname = \"{name}\"\nsha256 = \"{:x}\"\n\
             scopes = [\"webhooks:read\", \"webhooks:write\"]\n",
            sha2::Sha256::digest(secret_of(name).as_bytes())
        ));
    }
    inbound
}

/// The inbound key of the writer `name`.
fn secret_of(name: &str) -> String {
    format!("{name}-{name}-key-0001")
}

/// The test-local Svix and AgentMessage mappings, AgentMessage's vendor taking a key in
/// `Idempotency-Key` as Stripe's does.
fn agentmessage_taking_keys() -> tempfile::TempDir {
    let dir = svix_and_agentmessage();
    let file = dir.path().join("agentmessage.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let edited = text.replacen(
        "[dialect]\n",
        "[dialect]\nidempotency_key = \"Idempotency-Key\"\n",
        1,
    );
    assert_ne!(edited, text);
    std::fs::write(file, edited).unwrap();
    dir
}

/// At a vendor that takes keys, hookgate's one credential is one key space there: a key is sent
/// scoped to its client, so that another client (or API) choosing the same key is never given
/// the first one's webhook and secret, and a client's own retry still is.
#[tokio::test]
async fn clients_of_a_vendor_that_takes_keys_never_share_its_answer() {
    let dir = agentmessage_taking_keys();
    let gw = support::gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.am]\ndialect = \"agentmessage\"\nemulate = true\n\
         [surfaces.one]\ndialect = \"svix\"\nupstream = \"am\"\nprefix = \"/one\"\nowner = \"{APP}\"\n\
         [surfaces.two]\ndialect = \"svix\"\nupstream = \"am\"\nprefix = \"/two\"\nowner = \"{APP}\"\n\
         {}",
        dir.path(),
        writers(&["rw", "rw2"])
    ))
    .await;
    let body = json!({"url": "https://example.com/c", "events": ["wallet.balance_low"]});
    let canonical = |client: &'static str| {
        let (addr, body) = (gw.addr, body.clone());
        async move {
            let secret = secret_of(client);
            let headers = [
                ("x-api-key", secret.as_str()),
                ("idempotency-key", "shared-1"),
            ];
            let answer = send(
                addr,
                "POST",
                "/v1/upstreams/am/webhooks",
                &headers,
                Some(&body),
            );
            let answer = answer.await;
            ok(&answer, 201, client);
            let json = answer.json();
            (json["id"].clone(), json["secret"].clone())
        }
    };
    let (id, secret) = canonical("rw").await;
    assert!(secret.is_string(), "a create shows its secret");
    assert_eq!(
        canonical("rw").await,
        (id.clone(), secret.clone()),
        "rw's retry"
    );
    let (other_id, other_secret) = canonical("rw2").await;
    assert_ne!(other_id, id, "rw2 was given rw's webhook");
    assert_ne!(other_secret, secret, "rw2 was given rw's secret");
    // Through a surface, the same key is the surface's: another webhook, each surface its own.
    let surface = |prefix: &'static str, client: &'static str| {
        let addr = gw.addr;
        async move {
            let bearer = format!("Bearer {}", secret_of(client));
            let headers = [
                ("authorization", bearer.as_str()),
                ("idempotency-key", "shared-1"),
            ];
            let body =
                json!({"url": "https://example.com/c", "filterTypes": ["wallet.balance_low"]});
            let path = svix_endpoints(prefix);
            let answer = send(addr, "POST", &path, &headers, Some(&body)).await;
            ok(&answer, 201, &format!("{prefix} as {client}"));
            answer.json()["id"].clone()
        }
    };
    let mut ids = vec![id.clone(), other_id];
    for (prefix, client) in [("/one", "rw"), ("/one", "rw2"), ("/two", "rw")] {
        let made = surface(prefix, client).await;
        assert!(
            !ids.contains(&made),
            "{prefix} as {client}: {made} was made before"
        );
        assert_eq!(
            surface(prefix, client).await,
            made,
            "{prefix} as {client}: a retry"
        );
        ids.push(made);
    }
    let listed = send(
        gw.addr,
        "GET",
        "/v1/upstreams/am/webhooks",
        &[("x-api-key", &secret_of("rw"))],
        None,
    )
    .await;
    ok(&listed, 200, "the list");
    assert_eq!(listed.json()["data"].as_array().unwrap().len(), ids.len());
    gw.stop().await;
}

/// The key a vendor that takes keys is sent is the client's, scoped to the inbound key, the
/// API, the upstream and the owner: the same for a retry, even after a restart of the gateway,
/// another for each of them.
#[tokio::test]
async fn the_key_a_vendor_is_sent_is_scoped_and_the_same_after_a_restart() {
    let dir = support::dialects_with(&[(
        "relay",
        "[dialect]\n",
        "[dialect]\nidempotency_key = \"X-Once\"\n",
    )]);
    // The fourth create is the one under project p2.
    let made = (1..=10).map(|n| created_under(n, if n == 4 { "p2" } else { "p1" }));
    let double = Double::start(made.collect()).await;
    let config_with = |inbound: &str| {
        format!(
            "mappings_dir = {:?}\n\
         [upstreams.relay]\ndialect = \"relay\"\nbase_url = {:?}\nauth = {{ type = \"none\" }}\n\
         [surfaces.sv]\ndialect = \"svix\"\nupstream = \"relay\"\nprefix = \"/sv\"\n\
         [surfaces.sv2]\ndialect = \"svix\"\nupstream = \"relay\"\nprefix = \"/sv2\"\n\
         [url_policy]\nallow_private = true\n{}",
            dir.path(),
            double.url(),
            inbound
        )
    };
    let config = config_with(&writers(&["one", "two"]));
    let canonical = |client: &str, owner: &str| {
        Create {
            path: HOOKS,
            headers: Vec::new(),
            body: hook("https://example.com/hook"),
        }
        .sent_as(client, &HOOKS.replace("p1", owner))
    };
    let surface = |client: &str, prefix: &str| {
        Create::surface("k").sent_as(client, &SURFACE_HOOKS.replace("/sv", prefix))
    };
    let gw = support::gateway(&config).await;
    let sends = [
        canonical("one", "p1"),
        canonical("one", "p1"),
        canonical("two", "p1"),
        canonical("one", "p2"),
        surface("one", "/sv"),
        surface("one", "/sv2"),
    ];
    for (path, headers, body) in &sends {
        let headers: Vec<_> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let answer = send(gw.addr, "POST", path, &headers, Some(body)).await;
        ok(&answer, 201, path);
    }
    gw.stop().await;
    let gw = support::gateway(&config).await;
    let (path, headers, body) = &sends[0];
    let headers: Vec<_> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    ok(
        &send(gw.addr, "POST", path, &headers, Some(body)).await,
        201,
        "after a restart",
    );
    gw.stop().await;
    // A client is its inbound key, not the key's name: renamed, the key keeps its keys at the
    // vendor; another key given its name (`one` for the secret of `two`) has none of them.
    let name_for = |name: &str, client: &str| {
        writers(&[client]).replace(
            &format!("name = \"{client}\""),
            &format!("name = \"{name}\""),
        )
    };
    for (name, client) in [("uno", "one"), ("one", "two")] {
        let gw = support::gateway(&config_with(&name_for(name, client))).await;
        let (path, headers, body) = canonical(client, "p1");
        let headers: Vec<_> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let answer = send(gw.addr, "POST", &path, &headers, Some(&body)).await;
        ok(&answer, 201, &format!("{client}'s key named {name}"));
        gw.stop().await;
    }
    let sent: Vec<String> = double
        .seen()
        .iter()
        .map(|s| s.key_in("x-once", "k"))
        .collect();
    assert_eq!(sent.len(), 9);
    assert_eq!(sent[1], sent[0], "a retry");
    assert_eq!(sent[6], sent[0], "a retry after a restart");
    assert_eq!(sent[7], sent[0], "a retry under the key renamed");
    assert_eq!(sent[8], sent[2], "another key under the first one's name");
    let mut distinct = sent[..6].to_vec();
    distinct.dedup();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        5,
        "client, owner, API and surface each their own: {sent:?}"
    );
}

impl Create {
    /// This create as `client` sends it to `path` under the key `k`: its path, its headers
    /// (its inbound key the way its API takes it) and its body.
    fn sent_as(&self, client: &str, path: &str) -> (String, Vec<(&'static str, String)>, Value) {
        let credential = match self.path {
            HOOKS => ("x-api-key", secret_of(client)),
            _ => ("authorization", format!("Bearer {}", secret_of(client))),
        };
        let headers = vec![credential, ("idempotency-key", "k".to_owned())];
        (path.to_owned(), headers, self.body.clone())
    }
}

/// A surface that relays to a vendor of its own dialect changes the one key the client sent,
/// scoped as a translated request's is: in its header, or in its create's body where the vendor
/// takes it there, every other byte the client's.
#[tokio::test]
async fn a_relaying_surface_sends_the_key_scoped_and_nothing_else_changed() {
    let dir = support::dialects_with(&[(
        "relay",
        "[dialect]\n",
        "[dialect]\nidempotency_key = \"X-Once\"\n",
    )]);
    let subscription = json!({"subscription": {"id": "wbhk_b35f6b3145074cf9ad513610786c19d5",
        "name": "n", "enabled": true, "event_types": ["payment.created"],
        "notification_url": "https://example.com/1", "api_version": "2021-12-15",
        "signature_key": "sig", "created_at": "2022-01-10 23:29:48 +0000 UTC",
        "updated_at": "2022-01-10 23:29:48 +0000 UTC"}});
    let relay = Double::start(vec![created(1), created(2)]).await;
    let square = Double::start(vec![
        Reply::json(200, subscription.clone()),
        Reply::json(200, subscription),
    ])
    .await;
    let gw = support::gateway(&format!(
        "mappings_dir = {:?}\n\
         [upstreams.relay]\ndialect = \"relay\"\nbase_url = {:?}\nauth = {{ type = \"none\" }}\n\
         [upstreams.square]\ndialect = \"square\"\nbase_url = {:?}\nauth = {{ type = \"none\" }}\n\
         [surfaces.r]\ndialect = \"relay\"\nupstream = \"relay\"\nprefix = \"/r\"\n\
         [surfaces.q]\ndialect = \"square\"\nupstream = \"square\"\nprefix = \"/q\"\n\
         [url_policy]\nallow_private = true\n",
        dir.path(),
        relay.url(),
        square.url()
    ))
    .await;
    // In a header of the vendor's own.
    let body = br#"{"hook": {"target": {"url": "https://example.com/hook"}, "topics": ["invoice.paid"], "x": 1}}"#;
    for _ in 0..2 {
        let answer = support::send_raw(
            gw.addr,
            "POST",
            "/r/api/projects/p1/hooks",
            &[
                ("authorization", "Bearer t"),
                ("x-once", "rk-1"),
                ("content-type", "application/json"),
            ],
            bytes::Bytes::from_static(body),
        )
        .await;
        ok(&answer, 201, "a relayed create");
    }
    let seen = relay.seen();
    assert_eq!(
        seen[0].key_in("x-once", "rk-1"),
        seen[1].key_in("x-once", "rk-1")
    );
    assert_eq!(
        &seen[0].body[..],
        &body[..],
        "the body as the client wrote it"
    );
    // In the create's body: that member alone.
    let body = r#"{ "subscription": {"name": "n", "event_types": ["payment.created"],
        "notification_url": "https://example.com/1"}, "idempotency_key" :"qk-1"}"#;
    for _ in 0..2 {
        let answer = support::send_raw(
            gw.addr,
            "POST",
            "/q/v2/webhooks/subscriptions",
            &[
                ("authorization", "Bearer t"),
                ("content-type", "application/json"),
            ],
            bytes::Bytes::from_static(body.as_bytes()),
        )
        .await;
        ok(&answer, 200, "a relayed create, its key in its body");
    }
    let seen = square.seen();
    let sent = |s: &support::Seen| {
        let json = s.json().unwrap();
        support::scoped_key(json["idempotency_key"].as_str().unwrap(), "qk-1")
    };
    let key = sent(&seen[0]);
    assert_eq!(sent(&seen[1]), key, "a retry");
    let text = String::from_utf8(seen[0].body.to_vec()).unwrap();
    assert_eq!(
        text.replace(&key, "qk-1"),
        body,
        "every other byte the client's"
    );
    assert!(seen[0].headers.get("idempotency-key").is_none());
    gw.stop().await;
}

/// A refusal is an answer as any other: kept under its key, whatever the operation, so that a
/// retry is told the same and the key is not free for another webhook or operation.
#[tokio::test]
async fn a_refused_test_or_rotation_holds_its_key_as_a_refused_create_does() {
    let gw = gateway_of_emulators("").await;
    // The emulator, and the surface in front of AgentMessage, whose vendor takes no key (a
    // surface relaying to a vendor that takes keys leaves them to it).
    let apis = svix_apis(&gw).into_iter().enumerate();
    for (n, (addr, base, event, _)) in apis.filter(|(_, api)| api.1 != "/front") {
        let what = format!("svix at {addr}{base}");
        let id = svix_endpoint(addr, base, event).await;
        let other = svix_endpoint(addr, base, event).await;
        let at = |id: &str, op: &str| format!("{}/{id}/{op}", svix_endpoints(base));
        let refusals = [
            (
                "send-example",
                json!({"eventType": 5}),
                "secret/rotate",
                json!({}),
            ),
            ("send-example", json!({}), "secret/rotate", json!({})),
            (
                "secret/rotate",
                json!({"key": "short"}),
                "send-example",
                json!({"eventType": event}),
            ),
        ];
        for (k, (op, refused, another, its_body)) in refusals.into_iter().enumerate() {
            let what = format!("{what}: {op} {refused}");
            let key = format!("refused-{k}-{n}");
            let first = svix_post(addr, &at(&id, op), &key, &refused).await;
            ok(&first, 422, &what);
            let again = svix_post(addr, &at(&id, op), &key, &refused).await;
            ok(&again, 422, &what);
            assert!(replayed(&again), "{what}: {:?}", again.headers);
            assert_eq!(again.body, first.body, "{what}");
            let elsewhere = svix_post(addr, &at(&other, op), &key, &refused).await;
            ok(&elsewhere, 409, &format!("{what}: another endpoint"));
            let reused = svix_post(addr, &at(&id, another), &key, &its_body).await;
            ok(&reused, 409, &format!("{what}: {another} under its key"));
        }
    }
    // On the canonical API: a test or a rotation refused, a create whose body is no JSON.
    let hooks = "/v1/upstreams/am/webhooks";
    let body = json!({"url": "https://example.com/c", "events": ["wallet.balance_low"]});
    let created = send(gw.addr, "POST", hooks, &[], Some(&body)).await;
    ok(&created, 201, "create");
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let (test, rotate) = (
        format!("{hooks}/{id}/test"),
        format!("{hooks}/{id}/rotate-secret"),
    );
    let refusals = [
        (test.as_str(), "{\"x\":1}", rotate.as_str()),
        (rotate.as_str(), "{\"secret\":5}", test.as_str()),
        (rotate.as_str(), "[]", test.as_str()),
        (hooks, "{", test.as_str()),
    ];
    for (k, (path, refused, another)) in refusals.into_iter().enumerate() {
        let what = format!("{path} {refused}");
        let key = format!("canonical-refused-{k}");
        let keyed = [
            ("idempotency-key", key.as_str()),
            ("content-type", "application/json"),
        ];
        let post = |path: &str, body: &'static str| {
            let (addr, path) = (gw.addr, path.to_owned());
            let keyed = keyed.map(|(n, v)| (n, v.to_owned()));
            async move {
                let keyed: Vec<_> = keyed.iter().map(|(n, v)| (*n, v.as_str())).collect();
                let body = bytes::Bytes::from_static(body.as_bytes());
                support::send_raw(addr, "POST", &path, &keyed, body).await
            }
        };
        let first = post(path, refused).await;
        assert!(
            (400..500).contains(&first.status),
            "{what}: {}",
            first.status
        );
        let again = post(path, refused).await;
        assert_eq!(again.status, first.status, "{what}");
        assert!(replayed(&again), "{what}: {:?}", again.headers);
        assert_eq!(again.body, first.body, "{what}");
        ok(
            &post(another, "").await,
            409,
            &format!("{what}: {another} under its key"),
        );
    }
    let journal = support::journal(gw.emulators["am"]).await;
    let made = |op: &str| journal.iter().filter(|e| e["operation"] == op).count();
    assert_eq!(
        (made("test"), made("rotate-secret")),
        (0, 0),
        "nothing was sent"
    );
    gw.stop().await;
}

/// Two idempotency keys in one request are refused, naming the header, before anything is
/// sent: which was meant is not for the gateway to guess, and a retry that sent them in
/// another order would be another request.
#[tokio::test]
async fn two_idempotency_keys_are_refused_by_name_before_anything_is_sent() {
    let double = Double::start(vec![created(1), created(2)]).await;
    let gw = gateway(&double, "").await;
    let canonical = hook("https://example.com/hook");
    let surface = json!({"url": "https://example.com/hook", "filterTypes": ["invoice.paid"]});
    for (first, second) in [("a", "b"), ("a", "a"), ("a", "")] {
        for (path, body) in [(HOOKS, &canonical), (SURFACE_HOOKS, &surface)] {
            let what = format!("{path}: {first:?} and {second:?}");
            let headers = [
                ("authorization", "Bearer t"),
                ("idempotency-key", first),
                ("idempotency-key", second),
            ];
            let refused = send(gw.addr, "POST", path, &headers, Some(body)).await;
            ok(&refused, 400, &what);
            let text = String::from_utf8_lossy(&refused.body);
            // Named as its API's clients spell it: Svix's `idempotency-key`.
            let named = if path == HOOKS {
                "Idempotency-Key"
            } else {
                "idempotency-key"
            };
            assert!(text.contains(named), "{what}: {text}");
            if path == HOOKS {
                assert_eq!(refused.json()["code"], "bad_request", "{what}");
            }
        }
    }
    assert!(double.seen().is_empty(), "nothing was sent");
    // Neither key was taken: each is a create of its own.
    for key in ["a", "b"] {
        let made = create(&gw, key, &canonical).await;
        ok(&made, 201, key);
        assert!(!replayed(&made), "{key}");
    }
    // At a vendor that takes keys, at an emulator, and for a test too.
    let gw = gateway_of_emulators("").await;
    let id = svix_endpoint(gw.addr, "/front", "a.b").await;
    let example = json!({"eventType": "a.b"});
    let posts = [
        (
            gw.emulators["sv"],
            format!("{}/{id}/send-example", svix_endpoints("")),
            &example,
        ),
        (
            gw.addr,
            format!("{}/{id}/send-example", svix_endpoints("/front")),
            &example,
        ),
        (gw.addr, svix_endpoints("/over"), &surface),
    ];
    for (addr, path, body) in posts {
        let headers = [
            ("authorization", "Bearer sk_test"),
            ("idempotency-key", "x-1"),
            ("idempotency-key", "x-2"),
        ];
        let refused = send(addr, "POST", &path, &headers, Some(body)).await;
        ok(&refused, 400, &path);
        let text = String::from_utf8_lossy(&refused.body);
        assert!(
            text.contains("the header idempotency-key "),
            "{path}: {text}"
        );
    }
    // The emulator's journal holds its own refusal, and nothing made.
    let made = |e: &&Value| e["status"].as_u64().is_some_and(|s| s < 300);
    let am = support::journal(gw.emulators["am"]).await;
    assert!(am.iter().filter(made).all(|e| e["operation"] != "create"));
    let sv = support::journal(gw.emulators["sv"]).await;
    assert!(sv.iter().filter(made).all(|e| e["operation"] != "test"));
    gw.stop().await;
}

/// `Idempotency-Key` holds one key, a string (draft-ietf-httpapi-idempotency-key-header: an
/// Item, not a list), so a comma in it is part of the key, as vendors that take keys read it:
/// `K1, K2` is one key, replayed as such, and another than `K1`.
#[tokio::test]
async fn a_key_holding_a_comma_is_one_key() {
    let double = Double::start(vec![created(1), created(2)]).await;
    let gw = gateway(&double, "").await;
    let canonical = hook("https://example.com/hook");
    let first = create(&gw, "K1, K2", &canonical).await;
    ok(&first, 201, "K1, K2");
    assert!(!replayed(&first));
    let again = create(&gw, "K1, K2", &canonical).await;
    ok(&again, 201, "K1, K2 again");
    assert!(replayed(&again), "the same key");
    assert_eq!(again.json()["id"], first.json()["id"]);
    let other = create(&gw, "K1", &canonical).await;
    ok(&other, 201, "K1");
    assert!(!replayed(&other), "another key");
    assert_ne!(other.json()["id"], first.json()["id"]);
    assert_eq!(double.seen().len(), 2);
    gw.stop().await;
}

/// A Quad subscription, as the vendor answers a create.
fn subscription() -> Value {
    json!({"subscription": {"id": "wbhk_b35f6b3145074cf9ad513610786c19d5",
        "name": "n", "enabled": true, "event_types": ["payment.created"],
        "notification_url": "https://example.com/1", "api_version": "2021-12-15",
        "signature_key": "sig", "created_at": "2022-01-10 23:29:48 +0000 UTC",
        "updated_at": "2022-01-10 23:29:48 +0000 UTC"}})
}

/// A subscription a Quad client creates, as JSON text.
const SUBSCRIPTION: &str = r#"{"name": "n", "event_types": ["payment.created"], "notification_url": "https://example.com/1"}"#;

/// A Quad client's create of `body` at `path`.
async fn quad_create(addr: std::net::SocketAddr, path: &str, body: &str) -> Answer {
    let headers = [
        ("authorization", "Bearer t"),
        ("content-type", "application/json"),
    ];
    let body = bytes::Bytes::from(body.to_owned());
    support::send_raw(addr, "POST", path, &headers, body).await
}

/// The test dialects, with `nest`: Quad's, its create's key one member deeper
/// (`{"meta": {"idempotency_key": …}, "subscription": …}`).
fn dialects_with_a_nested_key() -> tempfile::TempDir {
    let dir = support::dialects_with(&[(
        "relay",
        "[dialect]\n",
        "[dialect]\nidempotency_key = \"X-Once\"\n",
    )]);
    let square = std::fs::read_to_string(dir.path().join("square.toml")).unwrap();
    let nested = square.replacen(
        "body = { idempotency_key = \"{{idempotency_key}}\", subscription",
        "body = { meta = { idempotency_key = \"{{idempotency_key}}\" }, subscription",
        1,
    );
    assert_ne!(nested, square);
    std::fs::write(dir.path().join("nest.toml"), nested).unwrap();
    dir
}

/// Where a create's body carries the vendor's key, the member that carries it is read one way
/// only, by the surface and by a vendor whose parser ignores letter case (Go's, which folds
/// the Kelvin sign to `k`): a member that such a parser would take for it, or the member given
/// twice, is refused by name before anything is sent, and so is a key that is no string. Else
/// a relaying surface would send the client's raw key on, unscoped, and a translating one would
/// make a create its client meant to be made once without its key.
#[tokio::test]
async fn a_key_member_spelt_another_way_or_no_string_is_refused_by_name() {
    let dir = dialects_with_a_nested_key();
    let relay = Double::start(vec![created(1)]).await;
    let square = Double::start(vec![Reply::json(200, subscription())]).await;
    let nest = Double::start(vec![Reply::json(200, subscription())]).await;
    let gw = support::gateway(&format!(
        "mappings_dir = {:?}\n\
         [upstreams.relay]\ndialect = \"relay\"\nbase_url = {:?}\nauth = {{ type = \"none\" }}\n\
         [upstreams.square]\ndialect = \"square\"\nbase_url = {:?}\nauth = {{ type = \"none\" }}\n\
         [upstreams.nest]\ndialect = \"nest\"\nbase_url = {:?}\nauth = {{ type = \"none\" }}\n\
         [upstreams.quad]\ndialect = \"square\"\nemulate = true\n\
         [surfaces.q]\ndialect = \"square\"\nupstream = \"square\"\nprefix = \"/q\"\n\
         [surfaces.qt]\ndialect = \"square\"\nupstream = \"relay\"\nprefix = \"/qt\"\nowner = \"p1\"\n\
         [surfaces.n]\ndialect = \"nest\"\nupstream = \"nest\"\nprefix = \"/n\"\n\
         [url_policy]\nallow_private = true\n",
        dir.path(),
        relay.url(),
        square.url(),
        nest.url()
    ))
    .await;
    let s = SUBSCRIPTION;
    // Each body, and the member its refusal names.
    let refused = [
        (
            format!(r#"{{"IDEMPOTENCY_KEY": "VICTIM", "subscription": {s}}}"#),
            "`IDEMPOTENCY_KEY`",
        ),
        (
            format!(
                r#"{{"idempotency_key": "mine", "IDEMPOTENCY_KEY": "VICTIM", "subscription": {s}}}"#
            ),
            "`IDEMPOTENCY_KEY`",
        ),
        (
            format!(
                r#"{{"subscription": {s}, "Idempotency_Key": "VICTIM", "idempotency_key": "mine"}}"#
            ),
            "`Idempotency_Key`",
        ),
        (
            format!(r#"{{"idempotency_\u212aey": "VICTIM", "subscription": {s}}}"#),
            "`idempotency_\u{212a}ey`",
        ),
        (
            format!("{{\"idempotency_\u{212a}ey\": \"VICTIM\", \"subscription\": {s}}}"),
            "`idempotency_\u{212a}ey`",
        ),
        (
            format!(
                r#"{{"idempotency_key": "mine", "idempotency_key": "VICTIM", "subscription": {s}}}"#
            ),
            "`idempotency_key` more than once",
        ),
        (
            format!(
                r#"{{"idempotency\u005fkey": "mine", "idempotency_key": "VICTIM", "subscription": {s}}}"#
            ),
            "`idempotency_key` more than once",
        ),
        (
            format!(r#"{{"idempotency_key": 12345, "subscription": {s}}}"#),
            "`idempotency_key` is a number, not a string",
        ),
        (
            format!(r#"{{"idempotency_key": true, "subscription": {s}}}"#),
            "`idempotency_key` is a boolean, not a string",
        ),
        (
            format!(r#"{{"idempotency_key": ["VICTIM"], "subscription": {s}}}"#),
            "`idempotency_key` is an array, not a string",
        ),
        (
            format!(r#"{{"idempotency_key": {{"k": "VICTIM"}}, "subscription": {s}}}"#),
            "`idempotency_key` is an object, not a string",
        ),
    ];
    let emulator = gw.emulators["quad"];
    let apis = [
        (gw.addr, "/q/v2/webhooks/subscriptions"),
        (gw.addr, "/qt/v2/webhooks/subscriptions"),
        (emulator, "/v2/webhooks/subscriptions"),
    ];
    for (addr, path) in apis {
        for (body, named) in &refused {
            let what = format!("{path}: {body}");
            let answer = quad_create(addr, path, body).await;
            ok(&answer, 400, &what);
            let text = answer.json()["errors"][0]["detail"].to_string();
            assert!(text.contains(named), "{what}: {text}");
        }
    }
    // Where the key is one member deeper: each member on the way too.
    let nested = [
        (
            format!(r#"{{"META": {{"idempotency_key": "VICTIM"}}, "subscription": {s}}}"#),
            "`META`",
        ),
        (
            format!(r#"{{"meta": {{"IDEMPOTENCY_KEY": "VICTIM"}}, "subscription": {s}}}"#),
            "`meta.IDEMPOTENCY_KEY`",
        ),
        (
            format!(
                r#"{{"meta": {{"idempotency_key": "a"}}, "meta": {{"idempotency_key": "b"}}, "subscription": {s}}}"#
            ),
            "`meta.idempotency_key` more than once",
        ),
        (
            format!(r#"{{"meta": {{"idempotency_key": 5}}, "subscription": {s}}}"#),
            "`meta.idempotency_key` is a number",
        ),
    ];
    for (body, named) in &nested {
        let answer = quad_create(gw.addr, "/n/v2/webhooks/subscriptions", body).await;
        ok(&answer, 400, body);
        let text = answer.json()["errors"][0]["detail"].to_string();
        assert!(text.contains(named), "{body}: {text}");
    }
    for double in [&relay, &square, &nest] {
        assert!(double.seen().is_empty(), "nothing was sent");
    }
    // Spelt as the mapping spells it, the key is sent scoped: in the body a relay passes on,
    // in the header of the vendor behind a translation.
    let mine = format!(r#"{{"idempotency_key": "mine", "subscription": {s}}}"#);
    let answer = quad_create(gw.addr, "/q/v2/webhooks/subscriptions", &mine).await;
    ok(&answer, 200, "relayed");
    let sent = square.seen()[0].json().unwrap();
    support::scoped_key(sent["idempotency_key"].as_str().unwrap(), "mine");
    let answer = quad_create(gw.addr, "/qt/v2/webhooks/subscriptions", &mine).await;
    assert!(answer.status < 300, "translated: {}", answer.status);
    relay.seen()[0].key_in("x-once", "mine");
    let mine = format!(r#"{{"meta": {{"idempotency_key": "mine"}}, "subscription": {s}}}"#);
    let answer = quad_create(gw.addr, "/n/v2/webhooks/subscriptions", &mine).await;
    ok(&answer, 200, "relayed, nested");
    let sent = nest.seen()[0].json().unwrap();
    support::scoped_key(sent["meta"]["idempotency_key"].as_str().unwrap(), "mine");
    gw.stop().await;
}

/// On the canonical API a body never places the vendor's key: members of its own are refused,
/// and the vendor's body holds the key the header gave, scoped, and nothing beside it.
#[tokio::test]
async fn a_canonical_body_places_no_key_at_a_vendor_that_takes_it_in_its_body() {
    let square = Double::start(vec![Reply::json(200, subscription())]).await;
    let gw = support::gateway_over(TEST_DIALECTS, "square", &square).await;
    let hooks = "/v1/upstreams/square/webhooks";
    let bodies = [
        json!({"url": "https://example.com/1", "events": ["payment.created"], "IDEMPOTENCY_KEY": "VICTIM"}),
        json!({"url": "https://example.com/1", "events": ["payment.created"], "idempotency_key": "VICTIM"}),
        json!({"url": "https://example.com/1", "events": ["payment.created"], "extensions": {"idempotency_key": "VICTIM"}}),
    ];
    for body in &bodies {
        let refused = send(
            gw.addr,
            "POST",
            hooks,
            &[("idempotency-key", "k")],
            Some(body),
        )
        .await;
        assert!(
            (400..500).contains(&refused.status),
            "{body}: {}",
            refused.status
        );
    }
    assert!(square.seen().is_empty(), "nothing was sent");
    let body = json!({"url": "https://example.com/1", "events": ["payment.created"]});
    let made = send(
        gw.addr,
        "POST",
        hooks,
        &[("idempotency-key", "k")],
        Some(&body),
    )
    .await;
    ok(&made, 201, "create");
    let sent = square.seen()[0].json().unwrap();
    let members: Vec<&String> = sent.as_object().unwrap().keys().collect();
    assert_eq!(members, ["idempotency_key", "subscription"]);
    support::scoped_key(sent["idempotency_key"].as_str().unwrap(), "k");
    gw.stop().await;
}

/// A mapping places a create's key where a relayed body's key is found and scoped: once, alone
/// as a member's value, reached by member names alone.
#[test]
fn a_mapping_that_places_the_key_where_it_could_go_unscoped_is_refused() {
    let square = std::fs::read_to_string(format!("{TEST_DIALECTS}/square.toml")).unwrap();
    let placed = "body = { idempotency_key = \"{{idempotency_key}}\", subscription";
    let elsewhere = [
        "body = { keys = [\"{{idempotency_key}}\"], subscription",
        "body = { idempotency_key = \"k-{{idempotency_key}}\", subscription",
        "body = { idempotency_key = \"{{idempotency_key}}\", again = \"{{idempotency_key}}\", subscription",
    ];
    for body in elsewhere {
        let text = square.replacen(placed, body, 1);
        assert_ne!(text, square);
        let source = hookgate::mapping::load::Source {
            name: "square".into(),
            file: "square.toml".into(),
            text,
        };
        let errors = hookgate::mapping::load::load_sources(vec![source]).unwrap_err();
        let said = format!("{errors:?}");
        assert!(said.contains("must stand once"), "{body}: {said}");
    }
}
