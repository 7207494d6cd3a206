//! Malformed HTTP at the edge, over raw sockets: each gets its exact answer, the connection
//! closes, and nothing reaches the vendor.

mod support;

use std::time::Duration;
use support::{Double, gateway};
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
