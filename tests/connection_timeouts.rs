//! Connection timers over raw sockets: an idle keep-alive connection is closed after
//! `idle_timeout_ms` (on HTTP/2, PINGs are not activity; requests and answers are), a request
//! head cut short after `header_read_timeout_ms` (also after a long chunk extension split
//! across reads), a body not received whole within `body_read_timeout_ms` is refused, and no
//! timer cuts a request that is being handled. (Clients that do not read: `slow_readers.rs`.)

mod support;

use serde_json::json;
use std::net::SocketAddr;
use std::time::Duration;
use support::{Double, Reply, gateway, gateway_with_limits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Long enough that only the timer under test can close a connection within it.
const SAFETY: Duration = Duration::from_secs(10);

const GET: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";

/// Reads one response with a `Content-Length` body; `None` if the connection ended first.
async fn read_response(stream: &mut TcpStream) -> Option<String> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = out.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&out[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if out.len() >= end + 4 + length {
                return Some(String::from_utf8_lossy(&out).into_owned());
            }
        }
        match tokio::time::timeout(SAFETY, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return None,
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
        }
    }
}

/// Reads until the server closes the connection; returns what was read, or `None` if it was
/// still open after [`SAFETY`].
async fn read_to_close(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(SAFETY, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(out),
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            Err(_) => return None,
        }
    }
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let (gw, addr) =
        gateway_with_limits("idle_timeout_ms = 200\nheader_read_timeout_ms = 60000").await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(GET).await.unwrap();
    let response = read_response(&mut stream).await.expect("a response");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        !response.to_ascii_lowercase().contains("connection: close"),
        "the server asked to close instead of keeping the connection alive: {response}"
    );
    let rest = read_to_close(&mut stream)
        .await
        .expect("the idle connection was not closed");
    assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
    gw.stop().await;
}

#[tokio::test]
async fn keep_alive_serves_more_requests_and_stays_open_within_the_limits() {
    let (gw, addr) =
        gateway_with_limits("idle_timeout_ms = 60000\nheader_read_timeout_ms = 60000").await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    for _ in 0..3 {
        stream.write_all(GET).await.unwrap();
        let response = read_response(&mut stream).await.expect("a response");
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    }
    let mut buf = [0u8; 16];
    let still_open = tokio::time::timeout(Duration::from_millis(300), stream.read(&mut buf)).await;
    assert!(still_open.is_err(), "closed early: {still_open:?}");
    gw.stop().await;
}

#[tokio::test]
async fn a_head_cut_short_or_never_sent_is_closed_without_an_answer() {
    let (gw, addr) =
        gateway_with_limits("idle_timeout_ms = 60000\nheader_read_timeout_ms = 200").await;
    // A head that stops halfway.
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHo")
        .await
        .unwrap();
    let read = read_to_close(&mut stream)
        .await
        .expect("the half-sent head was not cut off");
    assert!(read.is_empty(), "{}", String::from_utf8_lossy(&read));
    // A connection that says nothing at all.
    let mut silent = TcpStream::connect(addr).await.unwrap();
    let read = read_to_close(&mut silent)
        .await
        .expect("the silent connection was not closed");
    assert!(read.is_empty(), "{}", String::from_utf8_lossy(&read));
    // After a first request, the next head has its own deadline from its first byte.
    let mut later = TcpStream::connect(addr).await.unwrap();
    later.write_all(GET).await.unwrap();
    read_response(&mut later).await.expect("a response");
    later.write_all(b"GET /healthz HT").await.unwrap();
    let read = read_to_close(&mut later)
        .await
        .expect("the second half-sent head was not cut off");
    assert!(read.is_empty(), "{}", String::from_utf8_lossy(&read));
    gw.stop().await;
}

#[tokio::test]
async fn a_request_in_flight_outlives_the_idle_timeout() {
    let double = Double::start(vec![Reply::Slow(
        Duration::from_millis(800),
        Box::new(Reply::json(200, json!({"success": true, "data": []}))),
    )])
    .await;
    let gw = gateway(&format!(
        "[limits]\nidle_timeout_ms = 100\nheader_read_timeout_ms = 100\n[upstreams.am]\ndialect = \"agentmessage\"\nbase_url = \"{}\"\nauth = {{ type = \"none\" }}\n",
        double.url()
    ))
    .await;
    let mut stream = TcpStream::connect(gw.addr).await.unwrap();
    stream
        .write_all(b"GET /v1/upstreams/am/webhooks HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let response = read_response(&mut stream)
        .await
        .expect("the connection was closed while its request was in flight");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert_eq!(double.seen().len(), 1);
    gw.stop().await;
}

#[tokio::test]
async fn a_body_that_trickles_is_refused_and_its_connection_closed() {
    let double = Double::start(vec![]).await;
    let gw = gateway(&format!(
        "[limits]\nbody_read_timeout_ms = 300\nidle_timeout_ms = 60000\nheader_read_timeout_ms = 60000\n\
         [upstreams.am]\ndialect = \"agentmessage\"\nbase_url = \"{}\"\nauth = {{ type = \"none\" }}\n\
         [surfaces.agentmessage]\ndialect = \"agentmessage\"\nupstream = \"am\"\nprefix = \"/surfaces/agentmessage\"\n",
        double.url()
    ))
    .await;
    let whole = br#"{"url":"https://example.com/h","events":["message.received"]}"#;
    for (path, shape) in [
        ("/v1/upstreams/am/webhooks", "\"code\":\"bad_request\""),
        ("/surfaces/agentmessage/v1/webhooks", "\"success\":false"),
    ] {
        let mut stream = TcpStream::connect(gw.addr).await.unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            whole.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        // Half the body, then nothing: each byte on time would not help, the limit is the
        // whole body's.
        stream.write_all(&whole[..10]).await.unwrap();
        let read = read_to_close(&mut stream)
            .await
            .expect("the connection of a stalled body was not closed");
        let text = String::from_utf8_lossy(&read);
        assert!(text.starts_with("HTTP/1.1 400"), "{text}");
        assert!(
            text.contains("the body was not received within 300 ms"),
            "{text}"
        );
        assert!(text.contains(shape), "{text}");
    }
    assert!(
        double.seen().is_empty(),
        "a stalled body reached the vendor"
    );
    gw.stop().await;
}

#[tokio::test]
async fn an_idle_http2_connection_is_closed() {
    use http_body_util::{BodyExt, Empty};
    use hyper_util::rt::{TokioExecutor, TokioIo};
    let (gw, addr) =
        gateway_with_limits("idle_timeout_ms = 200\nheader_read_timeout_ms = 60000").await;
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .unwrap();
    let conn = tokio::spawn(conn);
    for _ in 0..2 {
        let request = http::Request::get(format!("http://{addr}/healthz"))
            .body(Empty::<bytes::Bytes>::new())
            .unwrap();
        let response = sender.send_request(request).await.unwrap();
        assert_eq!(response.status(), 200);
        response.into_body().collect().await.unwrap();
    }
    // The client keeps its end open; only the server's idle timer can end the connection.
    let ended = tokio::time::timeout(SAFETY, conn).await;
    assert!(ended.is_ok(), "the idle HTTP/2 connection was not closed");
    drop(sender);
    gw.stop().await;
}

#[tokio::test]
async fn a_head_after_a_long_chunk_extension_is_still_held_to_the_header_timeout() {
    let (gw, addr) =
        gateway_with_limits("idle_timeout_ms = 60000\nheader_read_timeout_ms = 300").await;
    let body = br#"{"url":"https://example.com/h","events":["message.received"]}"#;
    for ext in [1100, 3000, 6000] {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let request = format!(
            "POST /v1/upstreams/am/webhooks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x};k={}",
            body.len(),
            "v".repeat(ext)
        );
        // The chunk line in two reads, the first without its end.
        stream.write_all(request.as_bytes()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut rest = b"\r\n".to_vec();
        rest.extend_from_slice(body);
        rest.extend_from_slice(b"\r\n0\r\n\r\n");
        let _ = stream.write_all(&rest).await;
        if ext > 4096 {
            // Past the bound: the body is refused (400) and the connection closed at once.
            let read = read_to_close(&mut stream)
                .await
                .expect("a connection past the chunk-line bound stayed open");
            let read = String::from_utf8_lossy(&read);
            assert!(read.starts_with("HTTP/1.1 400 "), "{read}");
            assert_eq!(read.matches("HTTP/1.1 ").count(), 1, "{read}");
            continue;
        }
        let response = read_response(&mut stream).await.expect("an answer");
        assert!(!response.starts_with("HTTP/1.1 5"), "{response}");
        // Then a head that trickles in, a byte at a time, each well within any idle limit.
        let (mut reader, mut writer) = stream.into_split();
        let trickle = tokio::spawn(async move {
            let head = format!(
                "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: {}",
                "a".repeat(400)
            );
            for b in head.bytes() {
                if writer.write_all(&[b]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(40)).await;
            }
        });
        let mut read = Vec::new();
        let mut buf = [0u8; 1024];
        let closed = loop {
            match tokio::time::timeout(SAFETY, reader.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => break true,
                Ok(Ok(n)) => read.extend_from_slice(&buf[..n]),
                Err(_) => break false,
            }
        };
        trickle.abort();
        assert!(
            closed,
            "extension of {ext}: a trickled head outlived the header timeout"
        );
        assert!(read.is_empty(), "{}", String::from_utf8_lossy(&read));
    }
    gw.stop().await;
}

/// An HTTP/2 client connection that PINGs the server every 100 ms while it is open, requests
/// or not, and whose window for each answer is `window` bytes.
async fn pinging_http2(
    addr: SocketAddr,
    window: u32,
) -> (
    hyper::client::conn::http2::SendRequest<http_body_util::Empty<bytes::Bytes>>,
    tokio::task::JoinHandle<Result<(), hyper::Error>>,
) {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    let stream = TcpStream::connect(addr).await.unwrap();
    let (sender, conn) = hyper::client::conn::http2::Builder::new(TokioExecutor::new())
        .timer(TokioTimer::new())
        .keep_alive_interval(Duration::from_millis(100))
        .keep_alive_timeout(SAFETY)
        .keep_alive_while_idle(true)
        .initial_stream_window_size(window)
        .handshake(TokioIo::new(stream))
        .await
        .unwrap();
    (sender, tokio::spawn(conn))
}

async fn get_h2(
    sender: &mut hyper::client::conn::http2::SendRequest<http_body_util::Empty<bytes::Bytes>>,
    addr: SocketAddr,
    path: &str,
) -> http::Response<hyper::body::Incoming> {
    let request = http::Request::get(format!("http://{addr}{path}"))
        .body(http_body_util::Empty::new())
        .unwrap();
    sender.send_request(request).await.unwrap()
}

#[tokio::test]
async fn an_http2_connection_that_only_pings_is_idle() {
    use http_body_util::BodyExt;
    let (gw, addr) =
        gateway_with_limits("idle_timeout_ms = 300\nheader_read_timeout_ms = 60000").await;
    // After a request: PINGs every 100 ms do not keep it open.
    let (mut sender, conn) = pinging_http2(addr, 65_535).await;
    let response = get_h2(&mut sender, addr, "/healthz").await;
    assert_eq!(response.status(), 200);
    response.into_body().collect().await.unwrap();
    let ended = tokio::time::timeout(SAFETY, conn).await;
    assert!(ended.is_ok(), "PINGs kept an idle HTTP/2 connection open");
    // Before any request: the header timer, not the PINGs, decides.
    let (gw2, addr2) =
        gateway_with_limits("idle_timeout_ms = 60000\nheader_read_timeout_ms = 300").await;
    let (_sender, conn) = pinging_http2(addr2, 65_535).await;
    let ended = tokio::time::timeout(SAFETY, conn).await;
    assert!(
        ended.is_ok(),
        "PINGs kept an HTTP/2 connection without a request open"
    );
    gw.stop().await;
    gw2.stop().await;
}

/// Hand-written frames, so that nothing but PINGs (and the acks a peer owes) is ever sent:
/// after an answer, and while an answer waits on a window the client never opens.
#[tokio::test]
async fn an_http2_connection_that_only_pings_is_idle_on_the_wire() {
    let (gw, addr) =
        gateway_with_limits("idle_timeout_ms = 300\nheader_read_timeout_ms = 60000").await;
    for (path, window) in [("/healthz", None), ("/openapi.json", Some(0u32))] {
        pings_until_closed(addr, path, window).await;
    }
    gw.stop().await;
}

/// Requests `path` (with SETTINGS_INITIAL_WINDOW_SIZE `window`, if any), then only PINGs,
/// every 100 ms; asserts that the server answered and then ended the connection.
async fn pings_until_closed(addr: SocketAddr, path: &str, window: Option<u32>) {
    let frame = |kind: u8, flags: u8, stream: u32, payload: &[u8]| {
        let len = payload.len();
        let mut f = vec![(len >> 16) as u8, (len >> 8) as u8, len as u8, kind, flags];
        f.extend_from_slice(&stream.to_be_bytes());
        f.extend_from_slice(payload);
        f
    };
    let mut start = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    let settings = window.map(|w| [&[0, 4][..], &w.to_be_bytes()].concat());
    start.extend(frame(0x4, 0, 0, settings.as_deref().unwrap_or(&[])));
    // GET: :method GET, :scheme http, :path literal, :authority x.
    let mut block = vec![0x82, 0x86, 0x04, path.len() as u8];
    block.extend_from_slice(path.as_bytes());
    block.extend([0x01, 1, b'x']);
    start.extend(frame(0x1, 0x5, 1, &block));
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    writer.write_all(&start).await.unwrap();
    let (acks, mut acked) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    let pings = tokio::spawn(async move {
        let mut n = 0u64;
        loop {
            while let Ok(ack) = acked.try_recv() {
                if writer.write_all(&ack).await.is_err() {
                    return;
                }
            }
            n += 1;
            if writer
                .write_all(&frame(0x6, 0, 0, &n.to_be_bytes()))
                .await
                .is_err()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    // Reads frames, acking the server's SETTINGS, until GOAWAY or the end of the stream.
    let mut answered = false;
    let mut ping_acks = 0;
    let read = async {
        loop {
            let mut head = [0u8; 9];
            if reader.read_exact(&mut head).await.is_err() {
                return "eof";
            }
            let len = u32::from_be_bytes([0, head[0], head[1], head[2]]) as usize;
            let mut payload = vec![0u8; len];
            if reader.read_exact(&mut payload).await.is_err() {
                return "eof";
            }
            match (head[3], head[4] & 1) {
                (0x4, 0) => {
                    let _ = acks.send(frame(0x4, 1, 0, &[]));
                }
                (0x1, _) => answered = true,
                (0x6, 1) => ping_acks += 1,
                (0x7, _) => return "goaway",
                _ => {}
            }
        }
    };
    let ended = tokio::time::timeout(SAFETY, read).await;
    pings.abort();
    assert!(
        ended.is_ok(),
        "{path}: PINGs kept an idle HTTP/2 connection open"
    );
    assert!(answered, "{path}: the request was not answered");
    assert!(ping_acks > 0, "{path}: the server never answered a PING");
}

#[tokio::test]
async fn an_http2_connection_with_requests_in_flight_or_recent_is_not_cut() {
    use http_body_util::BodyExt;
    // In flight: a vendor slower than the idle limit.
    let double = Double::start(vec![Reply::Slow(
        Duration::from_millis(800),
        Box::new(Reply::json(200, json!({"success": true, "data": []}))),
    )])
    .await;
    let gw = gateway(&format!(
        "[limits]\nidle_timeout_ms = 200\nheader_read_timeout_ms = 60000\n[upstreams.am]\ndialect = \"agentmessage\"\nbase_url = \"{}\"\nauth = {{ type = \"none\" }}\n",
        double.url()
    ))
    .await;
    let (mut sender, _conn) = pinging_http2(gw.addr, 65_535).await;
    let response = get_h2(&mut sender, gw.addr, "/v1/upstreams/am/webhooks").await;
    assert_eq!(response.status(), 200);
    response.into_body().collect().await.unwrap();
    gw.stop().await;

    // Recent: requests every 100 ms for longer than twice the idle limit, each one in time.
    let (gw, addr) =
        gateway_with_limits("idle_timeout_ms = 1500\nheader_read_timeout_ms = 60000").await;
    let (mut sender, conn) = pinging_http2(addr, 65_535).await;
    let started = tokio::time::Instant::now();
    while started.elapsed() < Duration::from_secs(3) {
        let response = get_h2(&mut sender, addr, "/healthz").await;
        assert_eq!(response.status(), 200);
        response.into_body().collect().await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Then nothing but PINGs: closed.
    let ended = tokio::time::timeout(SAFETY, conn).await;
    assert!(ended.is_ok(), "PINGs kept an idle HTTP/2 connection open");

    // An answer still being delivered, slowly but steadily, is activity too: a small window
    // read 4 KiB at a time, long after the request itself ended.
    let (mut sender, _conn) = pinging_http2(addr, 4096).await;
    let response = get_h2(&mut sender, addr, "/openapi.json").await;
    assert_eq!(response.status(), 200);
    let mut body = response.into_body();
    let mut got = 0;
    let begun = tokio::time::Instant::now();
    while let Some(frame) = body.frame().await {
        let frame = frame.expect("the answer was cut while it was being read");
        got += frame.data_ref().map_or(0, |d| d.len());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(got > 100_000, "{got} bytes");
    assert!(
        begun.elapsed() > Duration::from_millis(1500),
        "the answer arrived within the idle limit, so this proved nothing"
    );
    gw.stop().await;
}
