//! Hostile JSON bodies, each with its documented answer: nothing panics, nothing reaches the
//! vendor that should not, and large integers survive translation exactly.

mod support;

use bytes::Bytes;
use serde_json::json;
use support::{ALL_EMULATED, Double, Reply, gateway, send, send_raw};

const AM: &str = "/v1/upstreams/agentmessage/webhooks";

async fn post(addr: std::net::SocketAddr, body: Vec<u8>) -> support::Answer {
    send_raw(
        addr,
        "POST",
        AM,
        &[("content-type", "application/json")],
        Bytes::from(body),
    )
    .await
}

#[tokio::test]
async fn hostile_bodies_get_their_documented_answers() {
    let gw = gateway(ALL_EMULATED).await;
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "nesting bomb",
            ("[".repeat(100_000) + &"]".repeat(100_000)).into_bytes(),
            400,
            "recursion limit",
        ),
        (
            "object nesting",
            (r#"{"a":"#.repeat(1000) + "1" + &"}".repeat(1000)).into_bytes(),
            400,
            "recursion limit",
        ),
        (
            "invalid UTF-8",
            b"{\"url\": \"https://a.example/\xff\"}".to_vec(),
            400,
            "not valid JSON",
        ),
        (
            "repeated key",
            br#"{"url": "https://a.example", "url": "http://169.254.169.254"}"#.to_vec(),
            400,
            "`url` is repeated",
        ),
        (
            "huge string",
            format!(r#"{{"description": "{}"}}"#, "a".repeat(2_000_000)).into_bytes(),
            413,
            "larger than",
        ),
        (
            "not an object",
            b"[1, 2]".to_vec(),
            400,
            "must be a JSON object",
        ),
        (
            "trailing garbage",
            br#"{"url": "https://a.example"} x"#.to_vec(),
            400,
            "not valid JSON",
        ),
    ];
    for (name, body, status, detail) in cases {
        let a = post(gw.addr, body).await;
        assert_eq!(
            a.status,
            status,
            "{name}: {}",
            String::from_utf8_lossy(&a.body)
        );
        let problem = a.json();
        assert!(
            problem["detail"].as_str().unwrap().contains(detail),
            "{name}: {problem}"
        );
    }
    // The gateway still answers after all of them.
    assert_eq!(send(gw.addr, "GET", AM, &[], None).await.status, 200);
    gw.stop().await;
}

#[tokio::test]
async fn integers_beyond_2_to_the_53_are_kept_exactly() {
    let big = json!({"success": true, "data": {"id": "w", "agent_id": "a", "name": "n", "webhook_url": "https://e.example",
        "events": ["event_action"], "enabled": true, "max_retries": 9007199254740993u64, "sequence": 18446744073709551615u64}});
    let double = Double::start(vec![Reply::json(200, big)]).await;
    let gw = gateway(&format!(
        "[upstreams.v]\ndialect = \"talkover\"\nbase_url = \"{}\"\nauth = {{ type = \"none\" }}\n",
        double.url()
    ))
    .await;
    let a = send(
        gw.addr,
        "GET",
        "/v1/upstreams/v/owners/a/webhooks/w",
        &[],
        None,
    )
    .await;
    let text = String::from_utf8_lossy(&a.body).into_owned();
    assert!(text.contains("\"max_retries\":9007199254740993"), "{text}");
    assert!(text.contains("\"sequence\":18446744073709551615"), "{text}");
    gw.stop().await;
}
