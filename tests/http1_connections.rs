//! HTTP/1.1 connections over raw sockets, as clients of every kind write them: pipelined
//! requests answered in order, bodies in one read, in many, and in chunks with trailers,
//! `Expect: 100-continue` answered only when the body is wanted, HTTP/1.0 with and without
//! keep-alive, HEAD, a client that asks to close, a body left unread, and an answer larger
//! than one write; and a stream of requests (smuggling's shape among them) answered the same
//! however it is split into writes. Each connection's bytes are read back exactly. A client
//! that goes away, over HTTP/1.1 or by cancelling an HTTP/2 stream, takes its vendor call with
//! it.

mod support;

use std::time::Duration;
use support::gateway_with_limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CREATE: &str = "/v1/upstreams/am/webhooks";

fn body(n: usize) -> String {
    format!(r#"{{"url":"https://example.com/h{n}","events":["wallet.balance_low"]}}"#)
}

/// One answer read from `stream`: its head (lower-cased field names kept as written) and its
/// body by `Content-Length`; `None` if the connection ended first.
async fn answer(stream: &mut TcpStream, head_only: bool) -> Option<(String, String)> {
    let mut bytes = Vec::new();
    let mut one = [0u8; 1];
    while !bytes.ends_with(b"\r\n\r\n") {
        match tokio::time::timeout(Duration::from_secs(5), stream.read(&mut one)).await {
            Ok(Ok(1)) => bytes.push(one[0]),
            _ => return None,
        }
    }
    let head = String::from_utf8(bytes).expect("a text head");
    let length = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(str::to_owned)
        })
        .map_or(0, |n| n.trim().parse::<usize>().expect("a length"));
    let mut body = vec![0u8; if head_only { 0 } else { length }];
    tokio::time::timeout(Duration::from_secs(5), stream.read_exact(&mut body))
        .await
        .ok()?
        .ok()?;
    Some((head, String::from_utf8(body).expect("a text body")))
}

/// Whether the server closed `stream` (nothing more to read) within a second.
async fn closed(stream: &mut TcpStream) -> bool {
    let mut rest = [0u8; 64];
    matches!(
        tokio::time::timeout(Duration::from_secs(1), stream.read(&mut rest)).await,
        Ok(Ok(0)) | Ok(Err(_))
    )
}

fn post(path: &str, body: &str, extra: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[tokio::test]
async fn pipelined_requests_are_answered_in_order_and_the_connection_kept() {
    let (gw, addr) = gateway_with_limits("").await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut all = String::new();
    for n in 0..3 {
        all.push_str(&post(CREATE, &body(n), ""));
        all.push_str("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    }
    stream.write_all(all.as_bytes()).await.unwrap();
    for n in 0..3 {
        let (head, created) = answer(&mut stream, false).await.expect("a create's answer");
        assert!(
            head.starts_with("HTTP/1.1 201 Created\r\n"),
            "{head}{created}"
        );
        assert!(
            created.contains(&format!("https://example.com/h{n}")),
            "{created}"
        );
        let (head, health) = answer(&mut stream, false).await.expect("a probe's answer");
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert!(head.to_ascii_lowercase().contains("\r\ndate: "), "{head}");
        assert!(!head.to_ascii_lowercase().contains("connection:"), "{head}");
        assert_eq!(health, r#"{"status":"ok"}"#);
    }
    assert!(!closed(&mut stream).await, "a kept connection was closed");
    gw.stop().await;
}

#[tokio::test]
async fn a_body_is_read_however_it_arrives() {
    let (gw, addr) = gateway_with_limits("").await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    // Length-framed, the head first and the body in three writes after it.
    let b = body(1);
    let whole = post(CREATE, &b, "");
    let (head, rest) = whole.split_at(whole.len() - b.len());
    stream.write_all(head.as_bytes()).await.unwrap();
    for piece in rest.as_bytes().chunks(b.len() / 3 + 1) {
        tokio::time::sleep(Duration::from_millis(30)).await;
        stream.write_all(piece).await.unwrap();
    }
    let (head, created) = answer(&mut stream, false).await.expect("an answer");
    assert!(head.starts_with("HTTP/1.1 201 "), "{head}\n{created}");
    assert!(created.contains("https://example.com/h1"), "{created}");
    // Chunked: uneven chunks with extensions, a trailer, every piece a write of its own; then
    // a request behind it on the same connection.
    let b = body(2);
    let (one, two) = b.split_at(7);
    let chunks = [
        format!(
            "POST {CREATE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        ),
        format!("{:X};ext=1\r\n{one}\r\n", one.len()),
        format!("{:x}\r\n{two}\r\n", two.len()),
        "0\r\nX-Trailer: yes\r\n\r\n".to_owned(),
        "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".to_owned(),
    ];
    for piece in &chunks {
        stream.write_all(piece.as_bytes()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    let (head, created) = answer(&mut stream, false).await.expect("an answer");
    assert!(head.starts_with("HTTP/1.1 201 "), "{head}\n{created}");
    assert!(created.contains("https://example.com/h2"), "{created}");
    let (head, _) = answer(&mut stream, false).await.expect("the next answer");
    assert!(head.starts_with("HTTP/1.1 200 "), "{head}");
    gw.stop().await;
}

#[tokio::test]
async fn continue_is_sent_only_when_the_body_is_wanted() {
    let (gw, addr) = gateway_with_limits("").await;
    // Wanted: 100 first, then the body, then the answer; the connection stays.
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let b = body(3);
    let whole = post(CREATE, &b, "Expect: 100-continue\r\n");
    stream
        .write_all(&whole.as_bytes()[..whole.len() - b.len()])
        .await
        .unwrap();
    let (interim, _) = answer(&mut stream, true).await.expect("an interim answer");
    assert_eq!(interim, "HTTP/1.1 100 Continue\r\n\r\n");
    stream.write_all(b.as_bytes()).await.unwrap();
    let (head, created) = answer(&mut stream, false).await.expect("an answer");
    assert!(head.starts_with("HTTP/1.1 201 "), "{head}");
    assert!(created.contains("https://example.com/h3"), "{created}");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    assert!(answer(&mut stream, false).await.is_some());
    // Not wanted (no such route): no 100, the final answer, and the connection closes, since
    // the body it never asked for may still come.
    for path in ["/v1/nothing/here", "/elsewhere"] {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let whole = post(path, &b, "Expect: 100-continue\r\n");
        stream
            .write_all(&whole.as_bytes()[..whole.len() - b.len()])
            .await
            .unwrap();
        let (head, _) = answer(&mut stream, false).await.expect("an answer");
        assert!(head.starts_with("HTTP/1.1 404 "), "{path}: {head}");
        assert!(
            head.to_ascii_lowercase().contains("connection: close"),
            "{head}"
        );
        assert!(
            closed(&mut stream).await,
            "{path}: left open with its body unread"
        );
    }
    gw.stop().await;
}

#[tokio::test]
async fn each_version_and_each_request_says_how_long_the_connection_lives() {
    let (gw, addr) = gateway_with_limits("").await;
    let cases = [
        ("GET /healthz HTTP/1.0\r\n\r\n", "HTTP/1.0 200 ", false),
        (
            "GET /healthz HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
            "HTTP/1.0 200 ",
            true,
        ),
        (
            "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            "HTTP/1.1 200 ",
            false,
        ),
        (
            "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: upgrade, keep-alive\r\nUpgrade: h2c\r\n\r\n",
            "HTTP/1.1 200 ",
            true,
        ),
    ];
    for (request, status, kept) in cases {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let (head, _) = answer(&mut stream, false).await.expect("an answer");
        let lower = head.to_ascii_lowercase();
        assert!(head.starts_with(status), "{request:?}: {head}");
        assert_eq!(
            lower.contains("connection: close"),
            !kept,
            "{request:?}: {head}"
        );
        if kept && request.contains("HTTP/1.0") {
            assert!(lower.contains("connection: keep-alive"), "{head}");
        }
        assert_eq!(closed(&mut stream).await, !kept, "{request:?}");
    }
    gw.stop().await;
}

#[tokio::test]
async fn head_answers_carry_the_length_and_no_body() {
    let (gw, addr) = gateway_with_limits("").await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\nHEAD /openapi.json HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    // An answer larger than one write, read to its last byte.
    let (get, document) = answer(&mut stream, false).await.expect("the document");
    assert!(document.len() > 64 * 1024, "{}", document.len());
    let parsed: serde_json::Value = serde_json::from_str(&document).expect("the whole document");
    assert!(parsed.get("openapi").is_some());
    let (head, _) = answer(&mut stream, true).await.expect("the HEAD answer");
    let length = |h: &str| {
        h.to_ascii_lowercase()
            .lines()
            .find(|l| l.starts_with("content-length:"))
            .map(str::to_owned)
    };
    assert!(head.starts_with("HTTP/1.1 200 "), "{head}");
    assert_eq!(length(&head), length(&get));
    // Nothing of a body follows the HEAD answer: the next bytes are the next answer.
    let (next, health) = answer(&mut stream, false).await.expect("the next answer");
    assert!(next.starts_with("HTTP/1.1 200 "), "{next}");
    assert_eq!(health, r#"{"status":"ok"}"#);
    // The last answer of a connection, and a refusal, are HEAD answers too: no body follows.
    for request in [
        "HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "HEAD /healthz HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
    ] {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut all = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut all))
            .await
            .expect("closed")
            .expect("read");
        let all = String::from_utf8(all).expect("text");
        assert!(
            all.ends_with("\r\n\r\n"),
            "{request:?}: a body followed:\n{all}"
        );
        assert!(
            all.to_ascii_lowercase().contains("content-length: "),
            "{all}"
        );
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_body_cut_short_is_refused_and_the_connection_closed() {
    let (gw, addr) = gateway_with_limits("body_read_timeout_ms = 300").await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let b = body(4);
    let whole = post(CREATE, &b, "");
    stream
        .write_all(&whole.as_bytes()[..whole.len() - 5])
        .await
        .unwrap();
    let (head, problem) = answer(&mut stream, false).await.expect("an answer");
    assert!(head.starts_with("HTTP/1.1 400 "), "{head}");
    assert!(problem.contains("not received within 300 ms"), "{problem}");
    assert!(closed(&mut stream).await);
    // A chunked body that breaks its own framing: refused, never half-read as the next head.
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST {CREATE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{{\"a\":1}}\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let (head, problem) = answer(&mut stream, false).await.expect("an answer");
    assert!(head.starts_with("HTTP/1.1 400 "), "{head}");
    assert!(problem.contains("chunk"), "{problem}");
    assert!(
        closed(&mut stream).await,
        "a connection out of step was kept"
    );
    gw.stop().await;
}

/// Every answer on `stream` until it closes: each status line, the `head_only`-th answer read
/// without a body (a HEAD's).
async fn statuses(stream: &mut TcpStream, head_only: usize) -> Vec<String> {
    let mut out = Vec::new();
    while let Some((head, _)) = answer(stream, out.len() == head_only).await {
        out.push(head.lines().next().unwrap_or_default().to_owned());
    }
    out
}

#[tokio::test]
async fn a_request_stream_gets_the_same_answers_however_it_is_split() {
    let (gw, addr) = gateway_with_limits("").await;
    let chunked = body(6);
    let (one, two) = chunked.split_at(10);
    let stream = [
        post(CREATE, &body(5), ""),
        "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".to_owned(),
        format!(
            "POST {CREATE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x};a=b\r\n{one}\r\n{:x}\r\n{two}\r\n0\r\nX-T: 1\r\n\r\n",
            one.len(),
            two.len()
        ),
        format!("GET {CREATE}/nope HTTP/1.1\r\nHost: x\r\n\r\n"),
        "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n".to_owned(),
        // Smuggling's shape: refused, and nothing after it is read.
        format!(
            "POST {CREATE} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        ),
        "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".to_owned(),
    ]
    .concat()
    .into_bytes();
    let mut whole = TcpStream::connect(addr).await.unwrap();
    whole.write_all(&stream).await.unwrap();
    let expected = statuses(&mut whole, 4).await;
    let codes: Vec<&str> = expected.iter().map(|s| &s[9..12]).collect();
    assert_eq!(
        codes,
        ["201", "200", "201", "404", "200", "400"],
        "{expected:?}"
    );
    for seed in 0..24 {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut cuts: Vec<usize> = (0..rng.usize(1..8))
            .map(|_| rng.usize(1..stream.len()))
            .collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut conn = TcpStream::connect(addr).await.unwrap();
        let mut from = 0;
        for cut in cuts.into_iter().chain([stream.len()]) {
            conn.write_all(&stream[from..cut]).await.unwrap();
            from = cut;
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
        assert_eq!(statuses(&mut conn, 4).await, expected, "seed {seed}");
    }
    gw.stop().await;
}

/// What a vendor that never answers saw of one connection.
#[derive(Debug, PartialEq)]
enum Heard {
    /// A whole request head (and whatever followed it in the same reads).
    Asked,
    /// The connection ended.
    Gone,
}

/// A vendor that reads each request and never answers, telling of each head and of each
/// connection's end.
async fn mute_vendor() -> (String, tokio::sync::mpsc::UnboundedReceiver<Heard>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tell, heard) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let tell = tell.clone();
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut chunk = [0u8; 4096];
                let mut asked = false;
                loop {
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => seen.extend_from_slice(&chunk[..n]),
                    }
                    if !asked && seen.windows(4).any(|w| w == b"\r\n\r\n") {
                        asked = true;
                        let _ = tell.send(Heard::Asked);
                    }
                }
                let _ = tell.send(Heard::Gone);
            });
        }
    });
    (url, heard)
}

/// The next thing the mute vendor heard, within five seconds: far less than the vendor
/// call's own timeout, so a call left to run to it fails the wait.
async fn next_heard(heard: &mut tokio::sync::mpsc::UnboundedReceiver<Heard>) -> Option<Heard> {
    tokio::time::timeout(Duration::from_secs(5), heard.recv())
        .await
        .ok()
        .flatten()
}

/// How a client gives up on a request it sent.
#[derive(Debug, Clone, Copy)]
enum GivingUp {
    /// It closes the connection.
    Closes,
    /// It ends its sending side and sends nothing more.
    HalfCloses,
    /// It closes the connection after a body sent apart from its head.
    ClosesAfterALateBody,
    /// It cancels its HTTP/2 stream, and keeps the connection.
    CancelsAnHttp2Stream,
}

#[tokio::test]
async fn a_client_that_goes_away_takes_its_vendor_call_with_it() {
    let ways = [
        GivingUp::Closes,
        GivingUp::HalfCloses,
        GivingUp::ClosesAfterALateBody,
        GivingUp::CancelsAnHttp2Stream,
    ];
    for d in hookgate::mapping::load_dir(std::path::Path::new(support::MAPPINGS)).unwrap() {
        let (url, mut heard) = mute_vendor().await;
        // An upstream of its own per dialect: the counters are the process's.
        let upstream = format!("gone-{}", d.name);
        let gw = support::gateway(&format!(
            "[upstreams.{upstream}]\ndialect = \"{}\"\nbase_url = \"{url}\"\n\
             auth = {{ type = \"none\" }}\nretries = 0\ntimeout_ms = 30000\ndeadline_ms = 30000\n",
            d.name
        ))
        .await;
        let owner = if d.has_owner() {
            "/owners/9fbef0b7-8d4e-4a08-9207-66c22155721d"
        } else {
            ""
        };
        let example = d.webhook.read(&d.examples[0]).unwrap();
        let id = example["id"].as_str().expect("an example's id");
        let get = format!(
            "GET /v1/upstreams/{upstream}{owner}/webhooks/{id} HTTP/1.1\r\nHost: x\r\n\r\n"
        );
        let create: serde_json::Map<String, serde_json::Value> = example
            .clone()
            .into_iter()
            .filter(|(k, _)| d.webhook.carries(k, hookgate::model::Action::Create))
            .collect();
        let create = serde_json::to_string(&create).unwrap();
        let post_head = format!(
            "POST /v1/upstreams/{upstream}{owner}/webhooks HTTP/1.1\r\nHost: x\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            create.len()
        );
        for way in ways {
            let what = format!("{}, {way:?}", d.name);
            let mut stream = TcpStream::connect(gw.addr).await.unwrap();
            if let GivingUp::CancelsAnHttp2Stream = way {
                use hyper_util::rt::{TokioExecutor, TokioIo};
                let (mut sender, conn) = hyper::client::conn::http2::handshake(
                    TokioExecutor::new(),
                    TokioIo::new(stream),
                )
                .await
                .unwrap();
                let conn = tokio::spawn(conn);
                let request = http::Request::get(format!(
                    "http://{}/v1/upstreams/{upstream}{owner}/webhooks/{id}",
                    gw.addr
                ))
                .body(http_body_util::Empty::<bytes::Bytes>::new())
                .unwrap();
                let waiting = tokio::spawn(sender.send_request(request));
                assert_eq!(next_heard(&mut heard).await, Some(Heard::Asked), "{what}");
                waiting.abort();
                assert_eq!(
                    next_heard(&mut heard).await,
                    Some(Heard::Gone),
                    "{what}: the vendor call ends with its stream"
                );
                assert!(!conn.is_finished(), "{what}: the connection stays");
                conn.abort();
                continue;
            }
            match way {
                GivingUp::Closes | GivingUp::HalfCloses => {
                    stream.write_all(get.as_bytes()).await.unwrap();
                }
                GivingUp::ClosesAfterALateBody => {
                    stream.write_all(post_head.as_bytes()).await.unwrap();
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    stream.write_all(create.as_bytes()).await.unwrap();
                }
                GivingUp::CancelsAnHttp2Stream => unreachable!("sent above"),
            }
            assert_eq!(next_heard(&mut heard).await, Some(Heard::Asked), "{what}");
            match way {
                GivingUp::HalfCloses => stream.shutdown().await.unwrap(),
                _ => drop(stream),
            }
            assert_eq!(
                next_heard(&mut heard).await,
                Some(Heard::Gone),
                "{what}: the vendor call ends with its client"
            );
        }
        let scrape = support::send(gw.addr, "GET", "/metrics", &[], None).await;
        let text = String::from_utf8_lossy(&scrape.body).into_owned();
        for (operation, count) in [("get", 3), ("create", 1)] {
            let series = format!(
                "hookgate_requests_total{{surface=\"canonical\",upstream=\"{upstream}\",operation=\"{operation}\",status=\"499\"}} {count}"
            );
            assert!(text.contains(&series), "{}: {series} in\n{text}", d.name);
        }
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_request_sent_while_one_is_at_the_vendor_is_answered_after_it() {
    let double = support::Double::start(vec![
        support::Reply::Slow(
            Duration::from_millis(300),
            Box::new(support::Reply::json(404, serde_json::json!({}))),
        ),
        support::Reply::json(404, serde_json::json!({})),
    ])
    .await;
    let d = hookgate::mapping::load_dir(std::path::Path::new(support::MAPPINGS))
        .unwrap()
        .into_iter()
        .next()
        .expect("a dialect");
    let gw = support::gateway_over(support::MAPPINGS, &d.name, &double).await;
    let owner = if d.has_owner() {
        "/owners/9fbef0b7-8d4e-4a08-9207-66c22155721d"
    } else {
        ""
    };
    let example = d.webhook.read(&d.examples[0]).unwrap();
    let id = example["id"].as_str().expect("an example's id");
    let get = |n: u8| {
        format!(
            "GET /v1/upstreams/{}{owner}/webhooks/{id} HTTP/1.1\r\nHost: x\r\nX-Request-Id: r{n}\r\n\r\n",
            d.name
        )
    };
    let mut stream = TcpStream::connect(gw.addr).await.unwrap();
    stream.write_all(get(1).as_bytes()).await.unwrap();
    while double.seen().is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // The second request arrives while the first waits on the vendor.
    stream.write_all(get(2).as_bytes()).await.unwrap();
    for n in 1..=2 {
        let (head, body) = answer(&mut stream, false).await.expect("an answer");
        assert!(
            head.to_ascii_lowercase()
                .contains(&format!("x-request-id: r{n}\r\n")),
            "answer {n}: {head}{body}"
        );
    }
    assert_eq!(double.seen().len(), 2);
    gw.stop().await;
}
