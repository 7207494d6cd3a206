//! Clients that stop reading their answers, over raw sockets: a write that makes no progress
//! for `send_timeout_ms` closes its connection, on HTTP/1.1 and HTTP/2, with a request in
//! flight or not, so such clients cannot fill the connection cap; a client that reads slowly
//! but steadily is not cut.

mod support;

use serde_json::json;
use std::net::SocketAddr;
use std::time::Duration;
use support::{Double, Reply, gateway};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::Instant;

/// Long enough that only the timer under test can explain what happens within it.
const SAFETY: Duration = Duration::from_secs(10);

/// How many pipelined requests each slow client sends: their answers are far more than any
/// socket buffers hold.
const PIPELINED: usize = 200;

const OPENAPI: &[u8] = b"GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n";

/// A connection whose receive buffer is small, so that it fills fast when nothing reads it.
async fn small_buffered(addr: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.connect(addr).await.unwrap()
}

/// Whether `n` well-behaved clients at once get `GET /healthz` answered on connections they
/// keep open: with a cap of `n`, only when no slow client holds a connection any more. Retried
/// on fresh connections for up to [`SAFETY`].
async fn every_slot_answers(addr: SocketAddr, n: usize) -> bool {
    let started = Instant::now();
    while started.elapsed() < SAFETY {
        let mut held = Vec::new();
        let mut answered = 0;
        for _ in 0..n {
            let attempt = async {
                let mut stream = TcpStream::connect(addr).await.ok()?;
                stream
                    .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                    .await
                    .ok()?;
                let mut buf = [0u8; 12];
                stream.read_exact(&mut buf).await.ok()?;
                (&buf == b"HTTP/1.1 200").then_some(stream)
            };
            match tokio::time::timeout(Duration::from_secs(1), attempt).await {
                Ok(Some(stream)) => {
                    held.push(stream);
                    answered += 1;
                }
                _ => break,
            }
        }
        if answered == n {
            return true;
        }
    }
    false
}

/// Reads a slow client's connection to its end: how many bytes it had been sent, or `None` if
/// it was still open after [`SAFETY`].
async fn drain(mut stream: TcpStream) -> Option<usize> {
    let mut total = 0;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match tokio::time::timeout(SAFETY, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(total),
            Ok(Ok(n)) => total += n,
            Err(_) => return None,
        }
    }
}

async fn openapi_len(addr: SocketAddr) -> usize {
    let a = support::send(addr, "GET", "/openapi.json", &[], None).await;
    assert_eq!(a.status, 200);
    a.body.len()
}

const LIMITS: &str = "[limits]\nmax_connections = 8\nsend_timeout_ms = 300\nidle_timeout_ms = 60000\nheader_read_timeout_ms = 60000\n";

#[tokio::test]
async fn clients_that_stop_reading_cannot_fill_the_connection_cap() {
    let gw = gateway(LIMITS).await;
    let size = openapi_len(gw.addr).await;
    let mut slow = Vec::new();
    for _ in 0..8 {
        let mut stream = small_buffered(gw.addr).await;
        stream.write_all(&OPENAPI.repeat(PIPELINED)).await.unwrap();
        slow.push(stream);
    }
    assert!(
        every_slot_answers(gw.addr, 8).await,
        "clients that never read kept their connections"
    );
    // Their connections are closed: reading now only drains what was sent before.
    for stream in slow {
        let sent = drain(stream)
            .await
            .expect("a client that never read kept its connection");
        assert!(
            sent < PIPELINED * size,
            "the connection ended only after every answer was sent"
        );
    }
    gw.stop().await;
}

/// An HTTP/2 frame.
fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = payload.len();
    let mut f = vec![(len >> 16) as u8, (len >> 8) as u8, len as u8, kind, flags];
    f.extend_from_slice(&stream.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// The start of an HTTP/2 connection that lets the server send as much as it likes: the
/// preface, the largest stream window, and the largest connection window.
fn open_windows() -> Vec<u8> {
    let mut out = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    // SETTINGS_INITIAL_WINDOW_SIZE = 2^31 - 1.
    out.extend(frame(0x4, 0, 0, &[0, 4, 0x7f, 0xff, 0xff, 0xff]));
    out.extend(frame(0x8, 0, 0, &(0x7fff_ffffu32 - 65_535).to_be_bytes()));
    out
}

/// A GET of `path` on `stream`, its header block in HPACK with static-table names and no
/// Huffman coding.
fn get(stream: u32, path: &str) -> Vec<u8> {
    let mut block = vec![0x82, 0x86]; // :method GET, :scheme http
    block.extend([0x04, path.len() as u8]); // :path, literal
    block.extend_from_slice(path.as_bytes());
    block.extend([0x01, 1, b'x']); // :authority x
    // END_STREAM | END_HEADERS.
    frame(0x1, 0x5, stream, &block)
}

#[tokio::test]
async fn http2_clients_that_stop_reading_cannot_fill_the_connection_cap() {
    let gw = gateway(LIMITS).await;
    let mut slow = Vec::new();
    for _ in 0..8 {
        let mut stream = small_buffered(gw.addr).await;
        let mut bytes = open_windows();
        for i in 0..100u32 {
            bytes.extend(get(2 * i + 1, "/openapi.json"));
        }
        stream.write_all(&bytes).await.unwrap();
        slow.push(stream);
    }
    assert!(
        every_slot_answers(gw.addr, 8).await,
        "HTTP/2 clients that never read kept their connections"
    );
    for stream in slow {
        drain(stream)
            .await
            .expect("an HTTP/2 client that never read kept its connection");
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_stalled_write_closes_its_connection_even_with_a_request_in_flight() {
    let double = Double::start(vec![Reply::Slow(
        Duration::from_secs(30),
        Box::new(Reply::json(200, json!({"success": true, "data": []}))),
    )])
    .await;
    let gw = gateway(&format!(
        "{}[upstreams.am]\ndialect = \"agentmessage\"\nbase_url = \"{}\"\nauth = {{ type = \"none\" }}\n",
        LIMITS.replace("max_connections = 8", "max_connections = 1"),
        double.url()
    ))
    .await;
    let mut stream = small_buffered(gw.addr).await;
    let mut bytes = open_windows();
    // A request that stays in flight for as long as the vendor takes, then answers the
    // client will not read.
    bytes.extend(get(1, "/v1/upstreams/am/webhooks"));
    for i in 1..100u32 {
        bytes.extend(get(2 * i + 1, "/openapi.json"));
    }
    stream.write_all(&bytes).await.unwrap();
    // Wait until the vendor has the request, so that it is in flight.
    let started = Instant::now();
    while double.seen().is_empty() && started.elapsed() < SAFETY {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        double.seen().len(),
        1,
        "the slow request never reached the vendor"
    );
    // The one connection the cap allows is free again only once the slow client's is closed.
    assert!(
        every_slot_answers(gw.addr, 1).await,
        "a request in flight kept a connection that does not read open"
    );
    drain(stream)
        .await
        .expect("the slow client's connection is still open");
    gw.stop().await;
}

#[tokio::test]
async fn a_client_that_reads_slowly_but_steadily_gets_every_answer() {
    let gw = gateway(
        "[limits]\nsend_timeout_ms = 2000\nidle_timeout_ms = 60000\nheader_read_timeout_ms = 60000\n",
    )
    .await;
    let size = openapi_len(gw.addr).await;
    let mut stream = small_buffered(gw.addr).await;
    let requests = 3;
    let mut bytes = OPENAPI.repeat(requests - 1);
    bytes.extend_from_slice(b"GET /openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    stream.write_all(&bytes).await.unwrap();
    // 4 KiB every 10 ms: each read well within the send timeout, the whole far beyond it.
    let mut total = 0;
    let mut buf = vec![0u8; 4096];
    loop {
        tokio::time::sleep(Duration::from_millis(10)).await;
        match tokio::time::timeout(SAFETY, stream.read(&mut buf)).await {
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => total += n,
            other => panic!("the slow reader's connection failed: {other:?}"),
        }
    }
    assert!(
        total > requests * size,
        "the slow reader got {total} bytes of {requests} answers of {size}"
    );
    gw.stop().await;
}

#[test]
fn the_send_timeout_is_checked_like_the_other_timeouts() {
    use figment::Figment;
    use figment::providers::{Format, Serialized, Toml};
    use hookgate::config::{self, RawConfig};
    for (value, ok) in [
        ("0", false),
        ("1", true),
        ("3600000", true),
        ("3600001", false),
    ] {
        let toml = format!(
            "listen = \"127.0.0.1:0\"\nmappings_dir = {:?}\n[limits]\nsend_timeout_ms = {value}\n[inbound_auth]\nmode = \"off\"\n",
            support::MAPPINGS
        );
        let figment =
            Figment::from(Serialized::defaults(RawConfig::default())).merge(Toml::string(&toml));
        let result = config::from_figment(&figment, "test");
        assert_eq!(result.is_ok(), ok, "send_timeout_ms = {value}");
        if let Err(e) = result {
            assert!(e.to_string().contains("limits.send_timeout_ms"), "{e}");
        }
    }
}
