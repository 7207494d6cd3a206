//! Resilience towards vendors, against doubles: retries only where safe, full-jitter backoff
//! and Retry-After inside the overall deadline, a circuit breaker and a concurrency cap that
//! fail fast, and the vendor's rate-limit headers passed on.

mod support;

use serde_json::json;
use std::time::{Duration, Instant};
use support::{Double, Reply, gateway, send};

const GET: &str = "/v1/upstreams/v/owners/a1/webhooks/w1";
const LIST_AM: &str = "/v1/upstreams/am/webhooks";

fn webhook() -> serde_json::Value {
    json!({"success": true, "data": {"id": "w1", "agent_id": "a1", "name": "n", "webhook_url": "https://e.example", "events": ["event_action"], "enabled": true}})
}

fn failing() -> Reply {
    Reply::json(503, json!({"success": false, "message": "down"}))
}

async fn talkover(double: &Double, extra: &str) -> hookgate::app::Running {
    gateway(&format!(
        "[upstreams.v]\ndialect = \"talkover\"\nbase_url = \"{}\"\nauth = {{ type = \"none\" }}\nbackoff_ms = 5\n{extra}",
        double.url()
    ))
    .await
}

#[tokio::test]
async fn idempotent_calls_are_retried_until_they_succeed() {
    let double = Double::start(vec![failing(), Reply::Hangup, Reply::json(200, webhook())]).await;
    let gw = talkover(&double, "retries = 2\n").await;
    let a = send(gw.addr, "GET", GET, &[], None).await;
    assert_eq!(a.status, 200, "{}", a.json());
    assert_eq!(double.seen().len(), 3);
    gw.stop().await;
}

#[tokio::test]
async fn the_retry_budget_is_bounded() {
    let double = Double::start(vec![failing(), failing(), failing(), failing()]).await;
    let gw = talkover(&double, "retries = 2\n").await;
    let a = send(gw.addr, "GET", GET, &[], None).await;
    assert_eq!(
        (a.status, a.json()["code"].clone()),
        (503, json!("upstream_unavailable"))
    );
    assert_eq!(double.seen().len(), 3, "one attempt and two retries");
    gw.stop().await;
}

#[tokio::test]
async fn unsafe_calls_are_not_retried_and_keyed_creates_are() {
    let double = Double::start(vec![failing(), failing(), Reply::json(201, json!({"id": "x", "url": "https://h.example.com/a", "events": ["lookup.completed"], "active": true}))]).await;
    let gw = gateway(&format!(
        "[upstreams.am]\ndialect = \"agentmessage\"\nbase_url = \"{}\"\nauth = {{ type = \"none\" }}\nbackoff_ms = 5\nretries = 2\n",
        double.url()
    ))
    .await;
    let body = json!({"url": "https://h.example.com/a", "events": ["lookup.completed"]});
    let plain = send(gw.addr, "POST", LIST_AM, &[], Some(&body)).await;
    assert_eq!(plain.status, 503);
    assert_eq!(
        double.seen().len(),
        1,
        "a create without Idempotency-Key is sent once"
    );
    let keyed = send(
        gw.addr,
        "POST",
        LIST_AM,
        &[("idempotency-key", "create-42")],
        Some(&body),
    )
    .await;
    assert_eq!(keyed.status, 201, "{}", keyed.json());
    let seen = double.seen();
    assert_eq!(seen.len(), 3);
    assert!(
        seen[1..]
            .iter()
            .all(|s| s.headers["idempotency-key"] == "create-42")
    );
    gw.stop().await;
}

#[tokio::test]
async fn retry_after_is_honoured_within_the_deadline_and_passed_on_beyond_it() {
    let limited = |after: &str| Reply::Json {
        status: 429,
        headers: vec![
            ("retry-after".into(), after.into()),
            ("x-ratelimit-remaining".into(), "0".into()),
        ],
        body: json!({"success": false, "message": "Too many requests. Please try again later."}),
    };
    let double = Double::start(vec![
        limited("1"),
        Reply::json(200, webhook()),
        limited("30"),
    ])
    .await;
    let gw = talkover(
        &double,
        "retries = 2\ntimeout_ms = 2000\ndeadline_ms = 3000\n",
    )
    .await;
    let started = Instant::now();
    let a = send(gw.addr, "GET", GET, &[], None).await;
    assert_eq!(a.status, 200);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited as the vendor asked"
    );
    let started = Instant::now();
    let b = send(gw.addr, "GET", GET, &[], None).await;
    assert_eq!((b.status, b.header("retry-after")), (429, Some("30")));
    assert_eq!(
        b.header("x-ratelimit-remaining"),
        Some("0"),
        "the vendor's rate-limit headers reach the client"
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "a wait beyond the deadline is not attempted"
    );
    assert_eq!(double.seen().len(), 3);
    gw.stop().await;
}

#[tokio::test]
async fn a_hanging_vendor_is_abandoned_at_the_overall_deadline() {
    let slow = || {
        Reply::Slow(
            Duration::from_secs(5),
            Box::new(Reply::json(200, webhook())),
        )
    };
    let double = Double::start(vec![slow(), slow(), slow()]).await;
    let gw = talkover(
        &double,
        "retries = 2\ntimeout_ms = 200\ndeadline_ms = 500\n",
    )
    .await;
    let started = Instant::now();
    let a = send(gw.addr, "GET", GET, &[], None).await;
    let took = started.elapsed();
    assert_eq!(a.status, 504);
    assert!(
        took >= Duration::from_millis(400) && took < Duration::from_millis(1500),
        "took {took:?}"
    );
    assert!(
        double.seen().len() >= 2,
        "attempts were repeated within the deadline"
    );
    gw.stop().await;
}

#[tokio::test]
async fn the_circuit_opens_and_fails_fast() {
    let double = Double::start(vec![failing(), failing(), Reply::json(200, webhook())]).await;
    let gw = talkover(
        &double,
        "retries = 0\nbreaker_failures = 2\nbreaker_cooldown_ms = 60000\n",
    )
    .await;
    for _ in 0..2 {
        assert_eq!(send(gw.addr, "GET", GET, &[], None).await.status, 503);
    }
    let fast = send(gw.addr, "GET", GET, &[], None).await;
    assert_eq!(
        (fast.status, fast.json()["code"].clone()),
        (503, json!("upstream_unavailable"))
    );
    assert!(fast.header("retry-after").is_some());
    assert!(
        fast.json()["detail"]
            .as_str()
            .unwrap()
            .contains("circuit is open")
    );
    assert_eq!(
        double.seen().len(),
        2,
        "an open circuit does not call the vendor"
    );
    gw.stop().await;
}

#[tokio::test]
async fn the_concurrency_cap_fails_fast() {
    let double = Double::start(vec![Reply::Slow(
        Duration::from_millis(600),
        Box::new(Reply::json(200, webhook())),
    )])
    .await;
    let gw = talkover(&double, "retries = 0\nmax_concurrency = 1\n").await;
    let addr = gw.addr;
    let first = tokio::spawn(async move { send(addr, "GET", GET, &[], None).await });
    // The first call holds the only slot while the vendor is slow.
    while double.seen().is_empty() {
        tokio::task::yield_now().await;
    }
    let second = send(gw.addr, "GET", GET, &[], None).await;
    assert_eq!(
        (second.status, second.header("retry-after")),
        (503, Some("1"))
    );
    assert_eq!(first.await.unwrap().status, 200);
    gw.stop().await;
}
