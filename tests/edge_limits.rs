//! The connection cap over raw sockets: connections beyond it wait in the backlog until one
//! closes. (Header and idle timeouts: `connection_timeouts.rs`.)

mod support;

use std::time::Duration;
use support::gateway;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads until the server closes; `None` if it is still open after `patience`.
async fn read_to_close(stream: &mut TcpStream, patience: Duration) -> Option<String> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(patience, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(String::from_utf8_lossy(&out).into_owned()),
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            Err(_) => return None,
        }
    }
}

/// Sends one keep-alive request and reads its answer's head, leaving the connection open.
async fn health(stream: &mut TcpStream) -> String {
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
        .await
        .expect("an answer")
        .unwrap();
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let gw = gateway("[limits]\nmax_connections = 2\n").await;
    let mut first = TcpStream::connect(gw.addr).await.unwrap();
    let mut second = TcpStream::connect(gw.addr).await.unwrap();
    assert!(health(&mut first).await.starts_with("HTTP/1.1 200"));
    assert!(health(&mut second).await.starts_with("HTTP/1.1 200"));

    let mut third = TcpStream::connect(gw.addr).await.unwrap();
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let early = tokio::time::timeout(Duration::from_millis(300), third.read(&mut buf)).await;
    assert!(early.is_err(), "a third connection was served over the cap");

    drop(first);
    let answer = read_to_close(&mut third, Duration::from_secs(10))
        .await
        .expect("served once a slot is free");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    drop(second);
    gw.stop().await;
}
