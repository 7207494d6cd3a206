//! The gateway as a process: SIGTERM drains in-flight requests and exits 0; and at
//! `RUST_LOG=trace` no credential or webhook secret ever reaches the logs.

mod support;

use serde_json::json;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use support::{Double, Reply, send};

const BIN: &str = env!("CARGO_BIN_EXE_hookgate");

/// Starts `hookgate serve` on a config; returns the child and the gateway's address (read from
/// its own log line), and a handle collecting the rest of its stderr.
fn start(
    config: &str,
    log: &str,
    env: &[(&str, &str)],
) -> (Child, std::net::SocketAddr, std::thread::JoinHandle<String>) {
    let dir = tempfile::tempdir().unwrap().keep();
    let file = dir.join("hookgate.toml");
    std::fs::write(&file, format!("listen = \"127.0.0.1:0\"\nmappings_dir = {:?}\n[inbound_auth]\nmode = \"off\"\n{config}", support::MAPPINGS)).unwrap();
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--config", file.to_str().unwrap()])
        .env("RUST_LOG", log)
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut reader = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let addr = loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "hookgate exited early:\n{seen}"
        );
        seen.push_str(&line);
        if line.contains("gateway listening") {
            if line.starts_with('{') {
                let event: serde_json::Value = serde_json::from_str(&line).unwrap();
                break event["addr"]
                    .as_str()
                    .expect("the address is logged")
                    .parse()
                    .unwrap();
            }
            let at = line.find("addr=").expect("the address is logged") + 5;
            break line[at..]
                .split_whitespace()
                .next()
                .unwrap()
                .parse()
                .unwrap();
        }
    };
    let rest = std::thread::spawn(move || {
        let mut text = seen;
        let _ = reader.read_to_string(&mut text);
        text
    });
    (child, addr, rest)
}

fn terminate(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_in_flight_requests_then_exits_zero() {
    let webhook = json!({"success": true, "data": {"id": "w", "agent_id": "a", "name": "n", "webhook_url": "https://e.example", "events": ["event_action"], "enabled": true}});
    let slow = Reply::Slow(
        Duration::from_millis(700),
        Box::new(Reply::json(200, webhook)),
    );
    let double = Double::start(vec![slow; 24]).await;
    let (mut child, addr, _log) = start(
        &format!(
            "[upstreams.v]\ndialect = \"talkover\"\nbase_url = \"{}\"\nauth = {{ type = \"none\" }}\n",
            double.url()
        ),
        "info",
        &[],
    );
    let inflight: Vec<_> = (0..24)
        .map(|_| {
            tokio::spawn(async move {
                send(
                    addr,
                    "GET",
                    "/v1/upstreams/v/owners/550e8400-e29b-41d4-a716-446655440000/webhooks/0199a1b2-0000-7000-8000-000000000001",
                    &[],
                    None,
                )
                .await
                .status
            })
        })
        .collect();
    while double.seen().len() < 24 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    terminate(&child);
    let statuses: Vec<u16> = futures_join(inflight).await;
    assert_eq!(statuses, vec![200; 24], "every in-flight request completes");
    let code = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert_eq!(code.code(), Some(0));
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the listener is closed"
    );
}

async fn futures_join(handles: Vec<tokio::task::JoinHandle<u16>>) -> Vec<u16> {
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_the_logs_even_at_trace() {
    const VENDOR_TOKEN: &str = "talq_VENDOR_TOKEN_5e1f";
    const CLIENT_TOKEN: &str = "am_live_CLIENT_TOKEN_77ab";
    const WEBHOOK_SECRET: &str = "whsec_WEBHOOKSECRETc0deWEBHOOKSECRETc0de00";
    let double = Double::start(vec![Reply::json(
        200,
        json!({"success": true, "data": {"id": "w", "agent_id": "a", "name": "n", "webhook_url": "https://e.example", "events": ["event_action"], "enabled": true}}),
    )])
    .await;
    let (child, addr, log) = start(
        &format!(
            "[upstreams.live]\ndialect = \"talkover\"\nbase_url = \"{}\"\nauth = {{ type = \"bearer\", token_env = \"HOOKGATE_TEST_VENDOR_TOKEN\" }}\n\
             [upstreams.pass]\ndialect = \"agentmessage\"\nemulate = true\nauth = {{ type = \"passthrough\" }}\n\
             [upstreams.talk]\ndialect = \"talkover\"\nemulate = true\n",
            double.url()
        ),
        "trace",
        &[("HOOKGATE_TEST_VENDOR_TOKEN", VENDOR_TOKEN)],
    );
    let auth = format!("Bearer {CLIENT_TOKEN}");
    let a = send(
        addr,
        "PATCH",
        "/v1/upstreams/live/owners/550e8400-e29b-41d4-a716-446655440000/webhooks/0199a1b2-0000-7000-8000-000000000001",
        &[],
        Some(&json!({"secret": WEBHOOK_SECRET})),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.json());
    let created = send(
        addr,
        "POST",
        "/v1/upstreams/pass/webhooks",
        &[("authorization", &auth)],
        Some(&json!({"url": "https://h.example.com/x", "events": ["lookup.completed"]})),
    )
    .await;
    let minted = created.json()["secret"].as_str().unwrap().to_owned();
    let t = "/v1/upstreams/talk/owners/550e8400-e29b-41d4-a716-446655440000/webhooks";
    let body = json!({"description": "d", "url": "https://e.example", "events": ["event_action"], "secret": WEBHOOK_SECRET, "headers": {"Authorization": "Bearer receiver-secret-91"}});
    assert_eq!(send(addr, "POST", t, &[], Some(&body)).await.status, 201);
    assert_eq!(
        double.seen()[0].headers["authorization"],
        format!("Bearer {VENDOR_TOKEN}").as_str()
    );
    terminate(&child);
    let text = tokio::task::spawn_blocking(move || log.join().unwrap())
        .await
        .unwrap();
    assert!(
        text.contains("TRACE") || text.contains("DEBUG"),
        "the log ran at trace level"
    );
    for secret in [
        VENDOR_TOKEN,
        CLIENT_TOKEN,
        WEBHOOK_SECRET,
        minted.as_str(),
        "receiver-secret-91",
    ] {
        assert!(!text.contains(secret), "{secret} leaked into the logs");
    }
}

#[tokio::test]
async fn json_logs_carry_one_span_per_request() {
    let (child, addr, log) = start(
        "[log]\nformat = \"json\"\n[upstreams.talk]\ndialect = \"talkover\"\nemulate = true\n",
        "info",
        &[],
    );
    let a = send(
        addr,
        "GET",
        "/v1/upstreams/talk/owners/550e8400-e29b-41d4-a716-446655440000/webhooks/0199a1b2-0000-7000-8000-00000000dead",
        &[("x-request-id", "req-span-1")],
        None,
    )
    .await;
    assert_eq!(a.status, 404);
    terminate(&child);
    let text = log.join().unwrap();
    let events: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    // The emulator's own refusal of the vendor call is a request of its own, with its own span.
    let refused = events
        .iter()
        .find(|e| e["message"] == "request refused" && e["span"]["surface"] == "canonical")
        .unwrap_or_else(|| panic!("no request event in\n{text}"));
    let span = &refused["span"];
    assert_eq!(span["name"], "request", "{refused}");
    assert_eq!(span["request_id"], "req-span-1");
    assert_eq!(span["upstream"], "talk");
    assert_eq!(span["dialect"], "talkover");
    assert_eq!(span["operation"], "get");
    assert_eq!(refused["code"], "not_found");
    // One access record per request, with its route, outcome and request id, and nothing of
    // the request's body or headers.
    let access = events
        .iter()
        .find(|e| e["target"] == "hookgate::access" && e["surface"] == "canonical")
        .unwrap_or_else(|| panic!("no access event in\n{text}"));
    assert_eq!(access["method"], "GET", "{access}");
    assert_eq!(
        access["path"],
        "/v1/upstreams/talk/owners/550e8400-e29b-41d4-a716-446655440000/webhooks/0199a1b2-0000-7000-8000-00000000dead"
    );
    assert_eq!(access["operation"], "get");
    assert_eq!(access["upstream"], "talk");
    assert_eq!(access["status"], 404);
    assert_eq!(access["request_id"], "req-span-1");
    assert!(access["duration_ms"].as_f64().is_some(), "{access}");
}
