//! hookgate's connections to a vendor: kept and used again, given up when the vendor closes
//! them or asks to, and answers read however the vendor frames them. The vendor here is a
//! plain TCP server that writes its answers byte for byte, so that every framing and every
//! way of closing can be written as a vendor would.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{gateway, send};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const OWNER: &str = "550e8400-e29b-41d4-a716-446655440000";
const ID: &str = "0199a1b2-0000-7000-8000-000000000001";

fn webhook() -> String {
    format!(
        r#"{{"success":true,"data":{{"id":"{ID}","agent_id":"{OWNER}","name":"n","webhook_url":"https://e.example","events":["event_action"],"enabled":true}}}}"#
    )
}

fn get_path() -> String {
    format!("/v1/upstreams/v/owners/{OWNER}/webhooks/{ID}")
}

/// How the vendor writes an answer and what it does with the connection after it.
#[derive(Clone, Copy, Debug)]
enum Way {
    /// `Content-Length`, the connection kept open.
    Length,
    /// `Content-Length` and `Connection: close`, then closes.
    AsksToClose,
    /// Chunks of a few bytes, each written on its own, with a trailer.
    Chunked,
    /// No length: the body ends with the connection.
    ToClose,
    /// A `100 Continue` first, then `Content-Length`.
    Interim,
    /// `Content-Length`, then closes the connection once it has been idle for 100 ms.
    ClosesWhenIdle,
    /// Answers the first request of each connection; reads the second and closes without a
    /// word, as a vendor closing an idle connection in the instant it is used again looks.
    DropsTheSecond,
}

/// What the vendor saw: one entry per request, the number of the connection it came on.
type Log = Arc<Mutex<Vec<(usize, String)>>>;

async fn vendor(way: Way) -> (String, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let log: Log = Arc::default();
    let seen = log.clone();
    tokio::spawn(async move {
        let mut number = 0;
        while let Ok((stream, _)) = listener.accept().await {
            number += 1;
            tokio::spawn(serve(stream, number, way, seen.clone()));
        }
    });
    (url, log)
}

/// Reads one request head and its body; `None` at the connection's end or after `idle`.
async fn request(stream: &mut TcpStream, idle: Option<Duration>) -> Option<String> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        let read = stream.read(&mut byte);
        let n = match idle {
            Some(d) if buf.is_empty() => tokio::time::timeout(d, read).await.ok()?.ok()?,
            _ => read.await.ok()?,
        };
        if n == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8(buf).expect("a text head");
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.ok()?;
    Some(head.lines().next().unwrap_or_default().to_owned())
}

async fn serve(mut stream: TcpStream, number: usize, way: Way, log: Log) {
    let body = webhook();
    let idle = matches!(way, Way::ClosesWhenIdle).then_some(Duration::from_millis(100));
    let mut on_this = 0;
    while let Some(line) = request(&mut stream, idle).await {
        log.lock().expect("log").push((number, line));
        on_this += 1;
        if matches!(way, Way::DropsTheSecond) && on_this == 2 {
            return;
        }
        let json = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n";
        let parts: Vec<String> = match way {
            Way::Length | Way::ClosesWhenIdle | Way::DropsTheSecond => {
                vec![format!(
                    "{json}content-length: {}\r\n\r\n{body}",
                    body.len()
                )]
            }
            Way::AsksToClose => vec![format!(
                "{json}Connection: close\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            )],
            Way::Interim => vec![
                "HTTP/1.1 100 Continue\r\n\r\n".to_owned(),
                format!("{json}content-length: {}\r\n\r\n{body}", body.len()),
            ],
            Way::ToClose => vec![format!("{json}\r\n{body}")],
            Way::Chunked => {
                let mut parts = vec![format!("{json}transfer-encoding: chunked\r\n\r\n")];
                for piece in body.as_bytes().chunks(7) {
                    let piece = std::str::from_utf8(piece).expect("ascii");
                    parts.push(format!("{:x}\r\n{piece}\r\n", piece.len()));
                }
                parts.push("0\r\nx-trailer: t\r\n\r\n".to_owned());
                parts
            }
        };
        for part in parts {
            if stream.write_all(part.as_bytes()).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        if matches!(way, Way::AsksToClose | Way::ToClose) {
            return;
        }
    }
}

async fn gateway_for(url: &str) -> hookgate::app::Running {
    gateway(&format!(
        "[upstreams.v]\ndialect = \"talkover\"\nbase_url = \"{url}\"\nauth = {{ type = \"none\" }}\ntimeout_ms = 2000\nretries = 0\n"
    ))
    .await
}

/// Three GETs one after another, each answered in full.
async fn three_gets(way: Way) -> Vec<(usize, String)> {
    let (url, log) = vendor(way).await;
    let gw = gateway_for(&url).await;
    for _ in 0..3 {
        let a = send(gw.addr, "GET", &get_path(), &[], None).await;
        assert_eq!(a.status, 200, "{way:?}: {}", a.json());
        assert_eq!(a.json()["id"], ID, "{way:?}");
        assert_eq!(a.json()["url"], "https://e.example", "{way:?}");
    }
    gw.stop().await;
    let seen = log.lock().expect("log").clone();
    assert_eq!(seen.len(), 3, "{way:?}: {seen:?}");
    seen
}

/// A webhook to create: the one the vendor holds, as the gateway read it (one call).
async fn creation(gw: &hookgate::app::Running) -> serde_json::Value {
    let a = send(gw.addr, "GET", &get_path(), &[], None).await;
    assert_eq!(a.status, 200, "{}", a.json());
    let read = a.json();
    serde_json::json!({"url": read["url"], "events": read["events"], "description": read["description"]})
}

fn connections(seen: &[(usize, String)]) -> usize {
    let mut numbers: Vec<_> = seen.iter().map(|(n, _)| *n).collect();
    numbers.dedup();
    numbers.len()
}

#[tokio::test]
async fn a_connection_is_used_again_while_the_vendor_keeps_it() {
    for way in [Way::Length, Way::Chunked, Way::Interim] {
        let seen = three_gets(way).await;
        assert_eq!(connections(&seen), 1, "{way:?}: {seen:?}");
        assert!(
            seen[0].1.starts_with("GET /") && seen[0].1.contains(ID),
            "{seen:?}"
        );
    }
}

#[tokio::test]
async fn a_connection_the_vendor_closes_or_asks_to_close_is_not_used_again() {
    for way in [Way::AsksToClose, Way::ToClose] {
        let seen = three_gets(way).await;
        assert_eq!(connections(&seen), 3, "{way:?}: {seen:?}");
    }
}

#[tokio::test]
async fn a_connection_the_vendor_closed_while_it_was_idle_is_given_up_before_any_method() {
    let (url, log) = vendor(Way::ClosesWhenIdle).await;
    let gw = gateway_for(&url).await;
    let create = creation(&gw).await;
    let path = format!("/v1/upstreams/v/owners/{OWNER}/webhooks");
    for (method, path, body) in [
        ("POST", path.clone(), Some(&create)),
        ("GET", get_path(), None),
        ("POST", path, Some(&create)),
    ] {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let a = send(gw.addr, method, &path, &[], body).await;
        assert!(a.status < 300, "{method}: {} {}", a.status, a.json());
    }
    gw.stop().await;
    let seen = log.lock().expect("log").clone();
    assert_eq!(
        seen.len(),
        4,
        "each request reached the vendor once: {seen:?}"
    );
    assert_eq!(connections(&seen), 4, "{seen:?}");
}

#[tokio::test]
async fn a_call_on_a_connection_closed_as_it_was_used_is_made_again_only_as_retries_allow() {
    let path = format!("/v1/upstreams/v/owners/{OWNER}/webhooks");
    for retries in [0, 1] {
        let (url, log) = vendor(Way::DropsTheSecond).await;
        let gw = gateway(&format!(
            "[upstreams.v]\ndialect = \"talkover\"\nbase_url = \"{url}\"\nauth = {{ type = \"none\" }}\ntimeout_ms = 2000\nretries = {retries}\nbackoff_ms = 1\n"
        ))
        .await;
        let create = creation(&gw).await;
        let a = send(gw.addr, "GET", &get_path(), &[], None).await;
        let expected = if retries == 0 { 502 } else { 200 };
        assert_eq!(a.status, expected, "retries = {retries}: {}", a.json());
        // A create without an idempotency key is never made twice, whatever `retries` says:
        // the one sent second on a connection fails.
        let mut creates = Vec::new();
        for _ in 0..2 {
            creates.push(
                send(gw.addr, "POST", &path, &[], Some(&create))
                    .await
                    .status,
            );
        }
        let expected = if retries == 0 { [201, 502] } else { [502, 201] };
        assert_eq!(creates, expected, "retries = {retries}");
        gw.stop().await;
        let seen = log.lock().expect("log").clone();
        let lines: Vec<_> = seen
            .iter()
            .map(|(n, l)| (*n, l.split(' ').next().unwrap_or_default()))
            .collect();
        let expected: &[(usize, &str)] = if retries == 0 {
            &[(1, "GET"), (1, "GET"), (2, "POST"), (2, "POST")]
        } else {
            &[(1, "GET"), (1, "GET"), (2, "GET"), (2, "POST"), (3, "POST")]
        };
        assert_eq!(lines, expected, "retries = {retries}: {seen:?}");
    }
}
