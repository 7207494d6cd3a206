//! `/metrics`: what a Prometheus scrape sees after real traffic through the canonical API, a
//! drop-in surface, an emulator and a vendor that answers something hookgate cannot translate.
//! One test per binary: the registry belongs to the process.

mod support;

use serde_json::json;
use support::{ALL_EMULATED, Double, Reply, gateway, send};

const AGENT: &str = "9fbef0b7-8d4e-4a08-9207-66c22155721d";

/// The value of the sample whose name and labels are exactly `series`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn traffic_shows_up_in_the_scrape() {
    let double = Double::start(vec![Reply::json(200, json!({"unexpected": true}))]).await;
    let gw = gateway(&format!(
        "{ALL_EMULATED}
[upstreams.odd]
dialect = \"talkover\"
base_url = \"{}\"
auth = {{ type = \"none\" }}
retries = 0

[surfaces.talkover]
dialect = \"talkover\"
upstream = \"talkover\"
prefix = \"/surfaces/talkover\"
",
        double.url()
    ))
    .await;
    let hooks = format!("/v1/upstreams/talkover/owners/{AGENT}/webhooks");
    let body = json!({"description": "Calls", "url": "https://example.com/hook",
        "events": ["event_phone_call_started"], "secret": "s3cret"});
    assert_eq!(
        send(gw.addr, "POST", &hooks, &[], Some(&body)).await.status,
        201
    );
    assert_eq!(
        send(
            gw.addr,
            "GET",
            &format!("{hooks}/0199a1b2-0000-7000-8000-00000000dead"),
            &[],
            None
        )
        .await
        .status,
        404
    );
    let surface = format!("/surfaces/talkover/api/v1/agents/{AGENT}/webhooks");
    let listed = send(
        gw.addr,
        "GET",
        &surface,
        &[("authorization", "Bearer t")],
        None,
    )
    .await;
    assert_eq!(listed.status, 200);
    let odd = send(
        gw.addr,
        "GET",
        "/v1/upstreams/odd/owners/550e8400-e29b-41d4-a716-446655440000/webhooks/0199a1b2-0000-7000-8000-000000000001",
        &[],
        None,
    )
    .await;
    assert_eq!(odd.status, 502, "{}", odd.json());

    // Refused before routing: a head that cannot be read, and framing that cannot be followed.
    for raw in [
        "GET /v1 HTTP/1.1\r\nHost: x\r\nX Bad: 1\r\n\r\n",
        "POST /v1/upstreams HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    ] {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(gw.addr).await.unwrap();
        stream.write_all(raw.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    }
    let scrape = send(gw.addr, "GET", "/metrics", &[], None).await;
    gw.stop().await;
    assert_eq!(scrape.status, 200);
    assert!(
        scrape
            .header("content-type")
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = String::from_utf8(scrape.body.to_vec()).unwrap();
    let expect = |series: &str, at_least: f64| {
        let value = sample(&text, series).unwrap_or_else(|| panic!("no {series} in\n{text}"));
        assert!(value >= at_least, "{series} = {value}");
    };
    expect(
        r#"hookgate_requests_total{surface="canonical",upstream="talkover",operation="create",status="201"}"#,
        1.0,
    );
    expect(
        r#"hookgate_requests_total{surface="canonical",upstream="talkover",operation="get",status="404"}"#,
        1.0,
    );
    expect(
        r#"hookgate_requests_total{surface="talkover",upstream="talkover",operation="list",status="200"}"#,
        1.0,
    );
    expect(
        r#"hookgate_requests_total{surface="canonical",upstream="odd",operation="get",status="502"}"#,
        1.0,
    );
    // The create, the get and the surface's list each reached the emulator.
    expect(
        r#"hookgate_upstream_request_duration_seconds_count{upstream="talkover"}"#,
        3.0,
    );
    expect(r#"hookgate_translation_errors_total{upstream="odd"}"#, 1.0);
    expect(
        r#"hookgate_requests_total{surface="edge",upstream="",operation="none",status="400"}"#,
        2.0,
    );
    expect(
        r#"hookgate_emulator_operations_total{dialect="talkover",operation="create"}"#,
        1.0,
    );
    assert!(
        text.trim_end().ends_with("# EOF"),
        "OpenMetrics ends with # EOF"
    );
}
