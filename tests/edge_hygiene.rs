//! Malformed HTTP at the edge, over raw sockets: each gets its exact answer, the connection
//! closes, and nothing reaches the vendor. Among them: every spelling of a repeated or invalid
//! `Host` (and HTTP/2's `:authority`), and requests behind chunk extensions long enough to
//! blind a careless framing scanner, and a head's size limit, the same over HTTP/1.1 and
//! HTTP/2. (The scanner under arbitrary read splits:
//! `framing_sync.rs`.)

mod support;

use std::time::Duration;
use support::{Double, Reply, gateway};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends raw bytes; returns everything read until the server closes (or 3 s pass) and
/// whether it closed.
async fn raw(addr: std::net::SocketAddr, bytes: &[u8]) -> (String, bool) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let closed = loop {
        match tokio::time::timeout(Duration::from_secs(3), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break true,
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            Err(_) => break false,
        }
    };
    (String::from_utf8_lossy(&out).into_owned(), closed)
}

const BODY: &str = r#"{"url":"https://e.example","events":["wallet.balance_low"]}"#;

/// The gateway with one upstream, `am` (AgentMessage's dialect), in front of `double`.
async fn in_front_of(double: &Double) -> hookgate::app::Running {
    gateway(&format!(
        "[upstreams.am]\ndialect = \"agentmessage\"\nbase_url = \"{}\"\nauth = {{ type = \"none\" }}\n",
        double.url()
    ))
    .await
}

#[tokio::test]
async fn malformed_requests_are_refused_and_never_forwarded() {
    let double = Double::start(vec![]).await;
    let gw = gateway(&format!(
        "[limits]\nmax_body_bytes = 1024\nmax_header_bytes = 8192\n[upstreams.am]\ndialect = \"agentmessage\"\nbase_url = \"{}\"\nauth = {{ type = \"none\" }}\n",
        double.url()
    ))
    .await;
    let path = "/v1/upstreams/am/webhooks";
    let len = BODY.len();
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "content-length and transfer-encoding",
            format!(
                "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len}\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{BODY}\r\n0\r\n\r\n",
                len
            ),
            "HTTP/1.1 400",
        ),
        (
            "duplicate content-length",
            format!(
                "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len}\r\nContent-Length: {len}\r\n\r\n{BODY}"
            ),
            "HTTP/1.1 400",
        ),
        (
            "malformed content-length",
            format!(
                "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1x\r\n\r\n{BODY}"
            ),
            "HTTP/1.1 400",
        ),
        (
            "obs-fold",
            format!(
                "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Folded: a\r\n b\r\nContent-Length: {len}\r\n\r\n{BODY}"
            ),
            "HTTP/1.1 400",
        ),
        (
            "HTTP/1.1 without Host",
            format!("GET {path} HTTP/1.1\r\n\r\n"),
            "HTTP/1.1 400",
        ),
        (
            "oversized headers",
            format!(
                "GET {path} HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
                "a".repeat(20_000)
            ),
            "HTTP/1.1 431",
        ),
        (
            "declared body over the limit",
            format!(
                "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{BODY}"
            ),
            "HTTP/1.1 413",
        ),
        (
            "chunked body over the limit",
            format!(
                "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n{}\r\n0\r\n\r\n",
                "a".repeat(0x800)
            ),
            "HTTP/1.1 413",
        ),
    ];
    let mut failures = Vec::new();
    for (name, request, want) in cases {
        let (answer, closed) = raw(gw.addr, request.as_bytes()).await;
        if !answer.starts_with(want) || !closed {
            failures.push(format!(
                "{name}: wanted {want} and a close, got closed={closed}:\n{answer}"
            ));
        }
    }
    gw.stop().await;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        double.seen().is_empty(),
        "a malformed request reached the vendor: {:?}",
        double.seen()
    );
}

/// Whether an answer is the edge's refusal: a 400 problem that closes the connection.
fn is_refusal(answer: &str) -> bool {
    let lower = answer.to_ascii_lowercase();
    (answer.starts_with("HTTP/1.1 400") || answer.starts_with("HTTP/1.0 400"))
        && lower.contains("content-type: application/problem+json")
        && lower.contains("connection: close")
        && answer.contains("\"code\":\"bad_request\"")
}

#[tokio::test]
async fn a_repeated_or_invalid_host_is_refused_and_the_connection_closed() {
    let double = Double::start(vec![]).await;
    let gw = in_front_of(&double).await;
    let path = "/v1/upstreams/am/webhooks";
    let len = BODY.len();
    // Each host section is sent as is, between the request line and the body's headers.
    let hosts: &[(&str, &[u8])] = &[
        ("the same Host twice", b"Host: x\r\nHost: x\r\n"),
        ("two different Hosts", b"Host: x\r\nHost: y\r\n"),
        ("two Hosts in different case", b"host: x\r\nHOST: x\r\n"),
        ("two Hosts apart", b"Host: x\r\nAccept: */*\r\nHost: y\r\n"),
        ("two Hosts joined by a comma", b"Host: x,y\r\n"),
        ("a space", b"Host: a b\r\n"),
        ("a tab", b"Host: a\tb\r\n"),
        ("path and userinfo", b"Host: a/b@c\r\n"),
        ("userinfo", b"Host: user:pw@x\r\n"),
        ("a query", b"Host: x?y\r\n"),
        ("a fragment", b"Host: x#y\r\n"),
        ("a backslash", b"Host: x\\y\r\n"),
        ("quotes", b"Host: \"x\"\r\n"),
        ("a control byte", b"Host: a\x01b\r\n"),
        ("a byte that is not ASCII", b"Host: caf\xc3\xa9\r\n"),
        ("a percent escape", b"Host: x%00\r\n"),
        ("an empty Host", b"Host:\r\n"),
        ("only a port", b"Host: :80\r\n"),
        ("a port out of range", b"Host: x:99999\r\n"),
        ("a port that is not a number", b"Host: x:abc\r\n"),
        ("a signed port", b"Host: x:+80\r\n"),
        ("two ports", b"Host: x:1:2\r\n"),
        ("an unclosed IPv6 literal", b"Host: [::1\r\n"),
        ("an IPv6 literal that is not one", b"Host: [zz]:80\r\n"),
    ];
    let mut failures = Vec::new();
    for (name, host) in hosts {
        for version in ["HTTP/1.1", "HTTP/1.0"] {
            let mut request = format!("POST {path} {version}\r\n").into_bytes();
            request.extend_from_slice(host);
            request.extend_from_slice(
                format!("Content-Type: application/json\r\nContent-Length: {len}\r\n\r\n{BODY}")
                    .as_bytes(),
            );
            let (answer, closed) = raw(gw.addr, &request).await;
            // hyper refuses control bytes itself, before a handler sees them: a 400 and a close,
            // without the problem body.
            let hypers_own = *name == "a control byte" && answer.contains(" 400 ");
            if !(is_refusal(&answer) || hypers_own) || !closed {
                failures.push(format!("{name} ({version}): closed={closed}:\n{answer}"));
            }
        }
    }
    // The absolute form names the host too; a userinfo there is as bad as in Host.
    let (answer, closed) = raw(
        gw.addr,
        format!("GET http://user@x{path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes(),
    )
    .await;
    if !is_refusal(&answer) || !closed {
        failures.push(format!(
            "userinfo in the target: closed={closed}:\n{answer}"
        ));
    }
    // A request smuggled behind a refused one on the same connection is never read.
    let (answer, closed) = raw(
        gw.addr,
        format!("GET {path} HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\nGET {path} HTTP/1.1\r\nHost: x\r\n\r\n")
            .as_bytes(),
    )
    .await;
    if !is_refusal(&answer) || !closed || answer.matches("HTTP/1.1").count() != 1 {
        failures.push(format!(
            "pipelined after a repeated Host: closed={closed}:\n{answer}"
        ));
    }
    gw.stop().await;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        double.seen().is_empty(),
        "a request with a bad Host reached the vendor: {:?}",
        double.seen()
    );
}

/// Sends `bytes` with their first byte on its own: `P` may begin HTTP/2's preface, so the
/// connection is left undecided and served by hyper behind the framing scanner, where
/// bytes sent whole are served by hookgate's own HTTP/1.1 loop.
async fn raw_undecided(addr: std::net::SocketAddr, bytes: &[u8]) -> (String, bool) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(&bytes[..1]).await.unwrap();
    stream.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let _ = stream.write_all(&bytes[1..]).await;
    read_all(&mut stream).await
}

#[tokio::test]
async fn a_body_chunked_twice_is_refused_over_either_connection_loop() {
    let double = Double::start(vec![Reply::json(201, serde_json::json!({}))]).await;
    let gw = in_front_of(&double).await;
    let path = "/v1/upstreams/am/webhooks";
    let len = BODY.len();
    // The body chunked twice, as the codings say: decoding one layer of it (as hyper would)
    // gives the text of the inner chunks, which is no JSON a vendor should see.
    let inner = format!("{len:x}\r\n{BODY}\r\n0\r\n\r\n");
    let twice = format!("{:x}\r\n{inner}\r\n0\r\n\r\n", inner.len());
    let codings = [
        "Transfer-Encoding: chunked, chunked\r\n",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
        "transfer-encoding: Chunked,CHUNKED\r\n",
        "Transfer-Encoding: chunked\r\nAccept: */*\r\nTransfer-Encoding: gzip, chunked\r\n",
    ];
    let mut failures = Vec::new();
    for coding in codings {
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{coding}\r\n{twice}"
        );
        for undecided in [false, true] {
            let (answer, closed) = if undecided {
                raw_undecided(gw.addr, request.as_bytes()).await
            } else {
                raw(gw.addr, request.as_bytes()).await
            };
            if !is_refusal(&answer) || !closed || !answer.contains("more than once") {
                failures.push(format!(
                    "{coding:?} (first byte apart: {undecided}): closed={closed}:\n{answer}"
                ));
            }
        }
    }
    // Chunked once is a body the edge follows to the vendor.
    let once = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n{inner}"
    );
    let (answer, _) = raw(gw.addr, once.as_bytes()).await;
    gw.stop().await;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(!answer.contains("framing"), "{answer}");
    // Only the body chunked once reached the vendor.
    assert_eq!(double.seen().len(), 1, "{:?}", double.seen());
}

#[tokio::test]
async fn every_spelling_of_a_valid_host_is_served() {
    let gw = gateway("").await;
    for host in [
        "x",
        "example.com",
        "Example.COM:8080",
        "127.0.0.1:1",
        "[::1]",
        "[::1]:8080",
        "a-b_c~d.e",
        "x:",
    ] {
        let (answer, _) = raw(
            gw.addr,
            format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{host:?}: {answer}");
    }
    // HTTP/1.0 may leave Host out.
    let (answer, _) = raw(gw.addr, b"GET /healthz HTTP/1.0\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.0 200"), "{answer}");
    gw.stop().await;
}

#[tokio::test]
async fn an_http2_host_that_differs_from_its_authority_or_repeats_is_refused() {
    use http_body_util::{BodyExt, Empty};
    let double = Double::start(vec![]).await;
    let gw = in_front_of(&double).await;
    let addr = gw.addr;
    let path = "/v1/upstreams/am/webhooks";
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "a Host naming another host",
            format!("http://{addr}{path}"),
            vec!["elsewhere.example"],
        ),
        (
            "a Host with another port",
            format!("http://{addr}{path}"),
            vec!["127.0.0.1:1"],
        ),
        (
            "a repeated Host",
            format!("http://{addr}{path}"),
            vec!["x", "x"],
        ),
        (
            "an invalid Host",
            format!("http://{addr}{path}"),
            vec!["a b"],
        ),
        (
            "userinfo in :authority",
            format!("http://user@{addr}{path}"),
            vec![],
        ),
    ];
    for (name, uri, hosts) in cases {
        let mut sender = http2(addr).await;
        let mut request = http::Request::get(&uri);
        for host in hosts {
            request = request.header("host", host);
        }
        let response = sender
            .send_request(request.body(Empty::<bytes::Bytes>::new()).unwrap())
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let status = response.status();
        let content_type = response.headers().get("content-type").cloned();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let body = String::from_utf8_lossy(&body);
        assert_eq!(status, 400, "{name}: {body}");
        assert_eq!(
            content_type.as_ref().and_then(|v| v.to_str().ok()),
            Some("application/problem+json"),
            "{name}"
        );
        assert!(body.contains("\"code\":\"bad_request\""), "{name}: {body}");
    }
    // The same Host as :authority is fine.
    let mut sender = http2(addr).await;
    let request = http::Request::get(format!("http://{addr}/healthz"))
        .header("host", addr.to_string())
        .body(Empty::<bytes::Bytes>::new())
        .unwrap();
    assert_eq!(sender.send_request(request).await.unwrap().status(), 200);
    gw.stop().await;
    assert!(
        double.seen().is_empty(),
        "an HTTP/2 request with a bad host reached the vendor: {:?}",
        double.seen()
    );
}

#[tokio::test]
async fn a_head_is_held_to_the_same_limit_over_both_versions() {
    use http_body_util::{BodyExt, Empty};
    let gw = gateway(
        "[limits]\nmax_header_bytes = 40000\n[upstreams.am]\ndialect = \"agentmessage\"\nemulate = true\n",
    )
    .await;
    let addr = gw.addr;
    let path = "/v1/upstreams/am/webhooks";
    for (size, served) in [(30_000, true), (50_000, false)] {
        let big = "a".repeat(size);
        let (answer, _) = raw(
            addr,
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nX-Big: {big}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await;
        let want = if served {
            "HTTP/1.1 200"
        } else {
            "HTTP/1.1 431"
        };
        assert!(answer.starts_with(want), "HTTP/1.1, {size} bytes: {answer}");
        let mut sender = http2(addr).await;
        let request = http::Request::get(format!("http://{addr}{path}"))
            .header("x-big", &big)
            .body(Empty::<bytes::Bytes>::new())
            .unwrap();
        let status = match sender.send_request(request).await {
            Ok(response) => {
                let status = response.status().as_u16();
                let _ = response.into_body().collect().await;
                Some(status)
            }
            Err(_) => None,
        };
        if served {
            assert_eq!(status, Some(200), "HTTP/2, {size} bytes");
        } else {
            assert_ne!(
                status,
                Some(200),
                "HTTP/2, {size} bytes: served past the limit"
            );
        }
    }
    gw.stop().await;
}

/// An HTTP/2 connection (prior knowledge) to `addr`, driven in the background.
async fn http2(
    addr: std::net::SocketAddr,
) -> hyper::client::conn::http2::SendRequest<http_body_util::Empty<bytes::Bytes>> {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (sender, conn) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(stream),
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    sender
}

/// A chunked POST of [`BODY`] whose one chunk carries an extension of `ext` bytes.
fn long_extension_request(path: &str, ext: usize) -> Vec<u8> {
    let extension = format!(";k={}", "v".repeat(ext - 3));
    format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x}{extension}\r\n{BODY}\r\n0\r\n\r\n",
        BODY.len()
    )
    .into_bytes()
}

/// Writes `bytes` in two parts, cut at the end of the chunk extension (before its CRLF), with
/// a pause so that the server reads them apart.
async fn write_in_two(stream: &mut TcpStream, bytes: &[u8]) {
    let ext = bytes.windows(3).position(|w| w == b";k=").unwrap();
    let cut = ext + bytes[ext..].iter().position(|b| *b == b'\r').unwrap();
    stream.write_all(&bytes[..cut]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The server may have closed on the first part; what it answered is read afterwards.
    let _ = stream.write_all(&bytes[cut..]).await;
}

/// Reads until the server closes (or 5 s pass); returns what was read and whether it closed.
async fn read_all(stream: &mut TcpStream) -> (String, bool) {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let closed = loop {
        match tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break true,
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            Err(_) => break false,
        }
    };
    (String::from_utf8_lossy(&out).into_owned(), closed)
}

#[tokio::test]
async fn a_long_chunk_extension_does_not_blind_the_edge_to_the_next_request() {
    let path = "/v1/upstreams/am/webhooks";
    let len = BODY.len();
    let smuggled = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len}\r\nTransfer-Encoding: chunked\r\n\r\n{len:x}\r\n{BODY}\r\n0\r\n\r\n"
    );
    // Extensions hyper reads and the edge follows, split across reads: the request after them
    // is still watched, and refused.
    for ext in [1025, 2000, 4000] {
        let double = Double::start(vec![Reply::json(201, serde_json::json!({}))]).await;
        let gw = gateway(&format!(
            "[upstreams.am]\ndialect = \"agentmessage\"\nbase_url = \"{}\"\nauth = {{ type = \"none\" }}\n",
            double.url()
        ))
        .await;
        let mut stream = TcpStream::connect(gw.addr).await.unwrap();
        write_in_two(&mut stream, &long_extension_request(path, ext)).await;
        stream.write_all(smuggled.as_bytes()).await.unwrap();
        let (answer, closed) = read_all(&mut stream).await;
        assert!(
            closed,
            "extension of {ext}: the connection stayed open:\n{answer}"
        );
        let second = answer
            .match_indices("HTTP/1.1 ")
            .nth(1)
            .map(|(i, _)| &answer[i..])
            .unwrap_or_else(|| panic!("extension of {ext}: no second answer:\n{answer}"));
        assert!(is_refusal(second), "extension of {ext}:\n{answer}");
        assert!(second.contains("framing"), "extension of {ext}:\n{answer}");
        assert!(
            double.seen().len() <= 1,
            "extension of {ext}: the smuggled request reached the vendor: {:?}",
            double.seen()
        );
        gw.stop().await;
    }
    // Past the bound the edge cannot follow the body: the connection closes without reading
    // on, whether the line arrives whole or in parts.
    for (ext, split) in [(4097, true), (6000, true), (20_000, true), (6000, false)] {
        let double = Double::start(vec![]).await;
        let gw = gateway(&format!(
            "[upstreams.am]\ndialect = \"agentmessage\"\nbase_url = \"{}\"\nauth = {{ type = \"none\" }}\n",
            double.url()
        ))
        .await;
        let mut stream = TcpStream::connect(gw.addr).await.unwrap();
        let request = long_extension_request(path, ext);
        if split {
            write_in_two(&mut stream, &request).await;
        } else {
            stream.write_all(&request).await.unwrap();
        }
        let _ = stream.write_all(smuggled.as_bytes()).await;
        let (answer, closed) = read_all(&mut stream).await;
        assert!(
            closed,
            "extension of {ext}: the connection stayed open:\n{answer}"
        );
        assert!(
            answer.is_empty()
                || (answer.starts_with("HTTP/1.1 400") && answer.matches("HTTP/1.1 ").count() == 1),
            "extension of {ext}:\n{answer}"
        );
        assert!(
            double.seen().is_empty(),
            "extension of {ext}: a request reached the vendor: {:?}",
            double.seen()
        );
        gw.stop().await;
    }
}

/// A transfer coding under the chunks (`gzip, chunked`) is one the edge does not decode: read
/// as it is, the body would be another than a front proxy that decodes it reads. It is
/// refused before the vendor sees anything; an empty item of the list is none.
#[tokio::test]
async fn a_transfer_coding_under_the_chunks_is_refused_and_empty_items_are_none() {
    let made = serde_json::json!({"success": true, "data": {"id": "0199a1b2-0000-7000-8000-000000000001",
        "url": "https://example.com/h", "events": ["message.received"]}});
    let double = Double::start(vec![Reply::json(201, made.clone()), Reply::json(201, made)]).await;
    let gw = in_front_of(&double).await;
    let path = "/v1/upstreams/am/webhooks";
    let len = BODY.len();
    let chunks = format!("{len:x}\r\n{BODY}\r\n0\r\n\r\n");
    let mut failures = Vec::new();
    for coding in [
        "Transfer-Encoding: gzip, chunked\r\n",
        "Transfer-Encoding: deflate\r\nTransfer-Encoding: chunked\r\n",
        "Transfer-Encoding: x-custom , chunked\r\n",
    ] {
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{coding}\r\n{chunks}"
        );
        for undecided in [false, true] {
            let (answer, _) = if undecided {
                raw_undecided(gw.addr, request.as_bytes()).await
            } else {
                raw(gw.addr, request.as_bytes()).await
            };
            if !is_refusal(&answer) {
                failures.push(format!(
                    "{coding:?} (first byte apart: {undecided}):\n{answer}"
                ));
            }
        }
    }
    for coding in [
        "Transfer-Encoding: , chunked\r\n",
        "Transfer-Encoding: chunked,\r\n",
    ] {
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n{coding}\r\n{chunks}"
        );
        let (answer, _) = raw(gw.addr, request.as_bytes()).await;
        if !answer.starts_with("HTTP/1.1 201") {
            failures.push(format!("{coding:?}:\n{answer}"));
        }
    }
    gw.stop().await;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert_eq!(double.seen().len(), 2, "{:?}", double.seen());
}
