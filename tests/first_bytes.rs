//! A connection's protocol is told from its first bytes, peeked before hyper reads them:
//! whatever way those bytes arrive (all at once, a byte at a time, an HTTP/1.1 method that
//! starts like HTTP/2's preface, the preface in pieces), the connection is served in the
//! protocol it speaks. A connection that has sent nothing holds up neither a shutdown nor,
//! past its header read timeout, a place.

mod support;

use std::time::Duration;
use support::gateway_with_limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Long enough that only what is under test can end a wait within it.
const SAFETY: Duration = Duration::from_secs(10);

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/// An empty SETTINGS frame: length 0, type 4, no flags, stream 0.
const SETTINGS: &[u8] = &[0, 0, 0, 4, 0, 0, 0, 0, 0];

/// Sends `pieces` with a pause between them, so that each arrives on its own.
async fn send_in_pieces(stream: &mut TcpStream, pieces: &[&[u8]]) {
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
        stream.write_all(piece).await.unwrap();
        stream.flush().await.unwrap();
    }
}

/// The first `n` bytes the server sends, or what it sent before closing.
async fn first_bytes(stream: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 1024];
    while out.len() < n {
        match tokio::time::timeout(SAFETY, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(k)) => out.extend_from_slice(&buf[..k]),
        }
    }
    out
}

#[tokio::test]
async fn http1_heads_are_served_however_their_first_bytes_arrive() {
    let (gw, addr) = gateway_with_limits("header_read_timeout_ms = 60000").await;
    let get: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    let post: &[u8] = b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";
    let put: &[u8] = b"PUT /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";
    let cases: [(&str, Vec<&[u8]>, &str); 6] = [
        ("whole", vec![get], "HTTP/1.1 200"),
        (
            "a byte, then the rest",
            vec![&get[..1], &get[1..]],
            "HTTP/1.1 200",
        ),
        // "P" starts the preface too: the protocol is told only from what follows it.
        (
            "P, then the rest",
            vec![&post[..1], &post[1..]],
            "HTTP/1.1 405",
        ),
        (
            "PU, then the rest",
            vec![&put[..2], &put[2..]],
            "HTTP/1.1 405",
        ),
        ("a byte at a time", post.chunks(1).collect(), "HTTP/1.1 405"),
        ("POST whole", vec![post], "HTTP/1.1 405"),
    ];
    for (name, pieces, status) in cases {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        send_in_pieces(&mut stream, &pieces).await;
        let answer = first_bytes(&mut stream, status.len()).await;
        assert!(
            answer.starts_with(status.as_bytes()),
            "{name}: {}",
            String::from_utf8_lossy(&answer)
        );
    }
    gw.stop().await;
}

#[tokio::test]
async fn http2_is_served_whether_its_preface_arrives_whole_or_in_pieces() {
    let (gw, addr) = gateway_with_limits("header_read_timeout_ms = 60000").await;
    let whole: Vec<u8> = [PREFACE, SETTINGS].concat();
    let cases: [(&str, Vec<&[u8]>); 3] = [
        ("whole", vec![&whole]),
        ("three bytes, then the rest", vec![&whole[..3], &whole[3..]]),
        (
            "in three pieces",
            vec![&whole[..10], &whole[10..24], &whole[24..]],
        ),
    ];
    for (name, pieces) in cases {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        send_in_pieces(&mut stream, &pieces).await;
        // The server's connection preface is a SETTINGS frame (RFC 9113 §3.4).
        let answer = first_bytes(&mut stream, 9).await;
        assert!(
            answer.len() >= 9 && answer[3] == 4 && answer[5..9] == [0, 0, 0, 0],
            "{name}: not an HTTP/2 SETTINGS frame: {answer:?}"
        );
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_connection_that_sent_nothing_does_not_hold_up_a_shutdown() {
    let (gw, addr) =
        gateway_with_limits("header_read_timeout_ms = 600000\ndrain_timeout_ms = 600000").await;
    let mut silent = TcpStream::connect(addr).await.unwrap();
    let mut started = TcpStream::connect(addr).await.unwrap();
    started.write_all(b"P").await.unwrap();
    // Both are accepted and waiting on their first bytes before the stop.
    tokio::time::sleep(Duration::from_millis(100)).await;
    tokio::time::timeout(SAFETY, gw.stop())
        .await
        .expect("the shutdown waited on connections that had no request");
    let mut buf = [0u8; 16];
    for stream in [&mut silent, &mut started] {
        let read = tokio::time::timeout(SAFETY, stream.read(&mut buf)).await;
        assert!(
            matches!(read, Ok(Ok(0)) | Ok(Err(_))),
            "the connection was not closed: {read:?}"
        );
    }
}
