//! `hookgate emulate <dialect>`: one vendor's API, alone, for other projects' test suites.

mod support;

use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulate_serves_the_vendors_own_api() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hookgate"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "emulate",
            "talkover",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Ready once it says so: the line is written after the listener is bound.
    let stderr = child.stderr.take().unwrap();
    let ready = tokio::task::spawn_blocking(move || {
        BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .any(|l| l.contains("emulator listening"))
    });
    assert!(
        tokio::time::timeout(std::time::Duration::from_secs(10), ready)
            .await
            .unwrap()
            .unwrap()
    );
    let addr = format!("127.0.0.1:{port}").parse().unwrap();
    let base = "/api/v1/agents/9fbef0b7-8d4e-4a08-9207-66c22155721d/webhooks";
    let auth = [("authorization", "Bearer YOUR_TOKEN")];
    let body = json!({"name": "My Webhook", "webhook_url": "https://example.com/webhook", "events": ["event_phone_call_started", "event_phone_call_ended"]});
    let created = support::send(addr, "POST", base, &auth, Some(&body)).await;
    let missing = support::send(addr, "GET", base, &[], None).await;
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(created.status, 200);
    let c = created.json();
    assert_eq!(
        (c["success"].clone(), c["message"].clone()),
        (json!(true), json!("Webhook created successfully"))
    );
    assert_eq!(c["data"]["timeout"], 30, "Talkover's default timeout");
    assert_eq!(c["data"]["events_count"], 2);
    assert_eq!(
        (missing.status, missing.json()),
        (401, json!({"message": "Missing Bearer Token"}))
    );
}
