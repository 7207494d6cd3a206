//! Resilience towards vendors, against doubles: retries only where safe, full-jitter backoff
//! and Retry-After inside the overall deadline, a circuit breaker that fails fast, a concurrency
//! cap with a bounded wait, and the vendor's rate-limit headers passed on.

mod support;

use serde_json::json;
use std::time::Duration;
use support::{Double, Reply, gateway, send};
use tokio::time::Instant;

const GET: &str = "/v1/upstreams/v/owners/550e8400-e29b-41d4-a716-446655440000/webhooks/0199a1b2-0000-7000-8000-000000000001";

fn webhook() -> serde_json::Value {
    json!({"success": true, "data": {"id": "0199a1b2-0000-7000-8000-000000000001", "agent_id": "550e8400-e29b-41d4-a716-446655440000", "name": "n", "webhook_url": "https://e.example", "events": ["event_action"], "enabled": true}})
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

/// Every shipped dialect, in a folder, each copy saying (or not) that its vendor honours an
/// idempotency key; returns the folder and the names of the dialects with a create.
fn dialects_with_keys(honoured: bool) -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    for entry in std::fs::read_dir(support::MAPPINGS).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let text = text.replace("\nidempotency_key = ", "\n# idempotency_key = ");
        let text = if honoured {
            text.replacen(
                "[dialect]\n",
                "[dialect]\nidempotency_key = \"X-Once\"\n",
                1,
            )
        } else {
            text
        };
        if text.contains("[operations.create]") {
            names.push(path.file_stem().unwrap().to_str().unwrap().to_owned());
        }
        std::fs::write(dir.path().join(path.file_name().unwrap()), text).unwrap();
    }
    (dir, names)
}

#[tokio::test]
async fn a_create_is_repeated_only_where_the_vendor_honours_its_key() {
    for honoured in [false, true] {
        let (dir, names) = dialects_with_keys(honoured);
        for name in names {
            let double = Double::start(vec![failing(), failing(), failing()]).await;
            let gw = gateway(&format!(
                "mappings_dir = {:?}\n[upstreams.u]\ndialect = \"{name}\"\nbase_url = \"{}\"\nauth = {{ type = \"none\" }}\nbackoff_ms = 5\nretries = 2\n",
                dir.path(),
                double.url()
            ))
            .await;
            let d = hookgate::mapping::load_dir(dir.path())
                .unwrap()
                .into_iter()
                .find(|d| d.name == name)
                .unwrap();
            let owner = if d.has_owner() {
                "/owners/9fbef0b7-8d4e-4a08-9207-66c22155721d"
            } else {
                ""
            };
            let path = format!("/v1/upstreams/u{owner}/webhooks");
            // Any body the gateway lets through: the double fails it whatever it is.
            let example = d.webhook.read(&d.examples[0]).unwrap();
            let body: serde_json::Map<String, serde_json::Value> = example
                .into_iter()
                .filter(|(k, _)| d.webhook.carries(k, hookgate::model::Action::Create))
                .collect();
            let answer = send(
                gw.addr,
                "POST",
                &path,
                &[("idempotency-key", "create-42")],
                Some(&serde_json::Value::Object(body)),
            )
            .await;
            assert_eq!(answer.status, 503, "{name}: {}", answer.json());
            let seen = double.seen();
            let expected = if honoured { 3 } else { 1 };
            assert_eq!(seen.len(), expected, "{name}, key honoured: {honoured}");
            // The key goes, under the vendor's name, only where it is honoured, scoped to its
            // client and the same on every attempt.
            let sent = |s: &support::Seen| honoured.then(|| s.key_in("x-once", "create-42"));
            for s in &seen {
                assert_eq!(sent(s), sent(&seen[0]), "{name}");
                assert_eq!(s.headers.contains_key("x-once"), honoured, "{name}");
            }
            gw.stop().await;
        }
    }
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
async fn a_probe_whose_client_went_away_lets_the_next_call_probe_at_once() {
    let double = Double::start(vec![
        failing(),
        Reply::Slow(
            Duration::from_millis(20000),
            Box::new(Reply::json(200, webhook())),
        ),
        Reply::json(200, webhook()),
    ])
    .await;
    let gw = talkover(
        &double,
        "retries = 0\nbreaker_failures = 1\nbreaker_cooldown_ms = 100\ntimeout_ms = 10000\ndeadline_ms = 20000\n",
    )
    .await;
    assert_eq!(send(gw.addr, "GET", GET, &[], None).await.status, 503);
    tokio::time::sleep(Duration::from_millis(150)).await;
    // The probe reaches the slow vendor; its client hangs up before the answer.
    let mut probe = tokio::net::TcpStream::connect(gw.addr).await.unwrap();
    let head = format!("GET {GET} HTTP/1.1\r\nhost: gw\r\n\r\n");
    tokio::io::AsyncWriteExt::write_all(&mut probe, head.as_bytes())
        .await
        .unwrap();
    while double.seen().len() < 2 {
        tokio::task::yield_now().await;
    }
    drop(probe);
    let gone = Instant::now();
    // The probe is given up with its call, not held for its attempt's 10 s: the next call
    // probes, and closes the circuit. Until the gateway has seen the hang-up, calls are
    // refused as the probe is still out.
    loop {
        let next = send(gw.addr, "GET", GET, &[], None).await;
        if next.status == 200 {
            break;
        }
        assert_eq!(next.status, 503, "{}", next.json());
        assert!(
            gone.elapsed() < Duration::from_secs(5),
            "the circuit stayed open after the probe's client went away"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(double.seen().len(), 3);
    gw.stop().await;
}

/// A gateway with one slot for calls to `double`, and that slot taken: its first GET, sent in
/// the background, is at the vendor, which is slow to answer.
async fn one_slot_taken(
    double: &Double,
    extra: &str,
) -> (
    hookgate::app::Running,
    tokio::task::JoinHandle<support::Answer>,
) {
    let gw = talkover(
        double,
        &format!("retries = 0\nmax_concurrency = 1\n{extra}"),
    )
    .await;
    let addr = gw.addr;
    let first = tokio::spawn(async move { send(addr, "GET", GET, &[], None).await });
    while double.seen().is_empty() {
        tokio::task::yield_now().await;
    }
    (gw, first)
}

#[tokio::test]
async fn without_a_wait_the_concurrency_cap_fails_fast() {
    let double = Double::start(vec![Reply::Slow(
        Duration::from_millis(600),
        Box::new(Reply::json(200, webhook())),
    )])
    .await;
    let (gw, first) = one_slot_taken(&double, "max_pending = 0\n").await;
    let second = send(gw.addr, "GET", GET, &[], None).await;
    assert_eq!(
        (second.status, second.header("retry-after")),
        (503, Some("1"))
    );
    assert!(
        second.json()["detail"]
            .as_str()
            .unwrap()
            .contains("too many calls in flight")
    );
    assert_eq!(first.await.unwrap().status, 200);
    assert_eq!(
        double.seen().len(),
        1,
        "the refused call never reached the vendor"
    );
    gw.stop().await;
}

#[tokio::test]
async fn calls_beyond_the_cap_wait_their_turn_and_the_wait_is_bounded() {
    let slow = || {
        Reply::Slow(
            Duration::from_millis(300),
            Box::new(Reply::json(200, webhook())),
        )
    };
    let double = Double::start(vec![slow(), slow()]).await;
    let (gw, first) = one_slot_taken(&double, "max_pending = 1\n").await;
    let addr = gw.addr;
    // The second waits for the first's slot; a third finds the wait full.
    let second = tokio::spawn(async move { send(addr, "GET", GET, &[], None).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        double.seen().len(),
        1,
        "one call at a time reaches the vendor"
    );
    let third = send(addr, "GET", GET, &[], None).await;
    assert_eq!(
        (third.status, third.header("retry-after")),
        (503, Some("1"))
    );
    assert_eq!(pending_calls(addr).await, "1", "the waiting call is shown");
    let first = first.await.unwrap();
    assert_eq!(first.status, 200);
    let second = second.await.unwrap();
    assert_eq!(second.status, 200, "{}", second.json());
    assert_eq!(second.json(), first.json());
    assert_eq!(double.seen().len(), 2);
    assert_eq!(pending_calls(addr).await, "0");
    gw.stop().await;
}

/// `hookgate_upstream_pending_calls` of upstream `v`, as the gateway's `/metrics` shows it.
async fn pending_calls(addr: std::net::SocketAddr) -> String {
    let scrape = send(addr, "GET", "/metrics", &[], None).await;
    let text = String::from_utf8(scrape.body.to_vec()).unwrap();
    let series = r#"hookgate_upstream_pending_calls{upstream="v"} "#;
    text.lines()
        .find_map(|l| l.strip_prefix(series))
        .unwrap_or_else(|| panic!("no {series} in\n{text}"))
        .to_owned()
}

/// `Retry-After` as an HTTP date `secs` from now, in each of the three forms RFC 9110 accepts:
/// IMF-fixdate, the obsolete RFC 850 form and asctime.
fn dates_from_now(secs: i64) -> [String; 3] {
    let now = std::time::SystemTime::now();
    let at = if secs >= 0 {
        now + Duration::from_secs(secs as u64)
    } else {
        now - Duration::from_secs(secs.unsigned_abs())
    };
    let imf = httpdate::fmt_http_date(at);
    // "Wed, 21 Oct 2026 07:28:00 GMT"
    let parts: Vec<&str> = imf.split([' ', ',']).filter(|p| !p.is_empty()).collect();
    let (wday, day, month, year, time) = (parts[0], parts[1], parts[2], parts[3], parts[4]);
    let long_day = [
        ("Mon", "Monday"),
        ("Tue", "Tuesday"),
        ("Wed", "Wednesday"),
        ("Thu", "Thursday"),
        ("Fri", "Friday"),
        ("Sat", "Saturday"),
        ("Sun", "Sunday"),
    ]
    .iter()
    .find(|(short, _)| *short == wday)
    .unwrap()
    .1;
    let rfc850 = format!("{long_day}, {day}-{month}-{} {time} GMT", &year[2..]);
    let asctime = format!(
        "{wday} {month} {:>2} {time} {year}",
        day.trim_start_matches('0')
    );
    [imf, rfc850, asctime]
}

fn limited_until(after: &str) -> Reply {
    Reply::Json {
        status: 429,
        headers: vec![("retry-after".into(), after.into())],
        body: json!({"success": false, "message": "Too many requests. Please try again later."}),
    }
}

#[tokio::test]
async fn retry_after_as_a_date_is_waited_for_within_the_deadline() {
    // A date a second or two ahead, in each spelling, and one already past: each is retried
    // once and the retry succeeds.
    let mut cases: Vec<String> = dates_from_now(2).into();
    cases.extend(dates_from_now(-3600));
    for date in cases {
        let double = Double::start(vec![limited_until(&date), Reply::json(200, webhook())]).await;
        let gw = talkover(
            &double,
            "retries = 2\ntimeout_ms = 2000\ndeadline_ms = 6000\n",
        )
        .await;
        let a = send(gw.addr, "GET", GET, &[], None).await;
        assert_eq!(a.status, 200, "{date}: {}", a.json());
        assert_eq!(double.seen().len(), 2, "{date}: retried once");
        gw.stop().await;
    }
}

#[tokio::test]
async fn retry_after_as_a_date_beyond_the_deadline_is_passed_on() {
    for status in [429, 503] {
        for date in dates_from_now(3600) {
            let refusal = Reply::Json {
                status,
                headers: vec![("retry-after".into(), date.clone())],
                body: json!({"success": false, "message": "Come back later."}),
            };
            let double = Double::start(vec![refusal, Reply::json(200, webhook())]).await;
            let gw = talkover(
                &double,
                "retries = 2\ntimeout_ms = 2000\ndeadline_ms = 3000\n",
            )
            .await;
            let a = send(gw.addr, "GET", GET, &[], None).await;
            assert_eq!(
                (a.status, a.header("retry-after")),
                (status, Some(date.as_str())),
                "{status} {date}: {}",
                a.json()
            );
            assert_eq!(double.seen().len(), 1, "{status} {date}: not retried");
            gw.stop().await;
        }
    }
}

#[tokio::test]
async fn a_503_that_asks_for_a_short_wait_is_retried_after_it() {
    for after in [String::from("1"), dates_from_now(1)[0].clone()] {
        let unavailable = Reply::Json {
            status: 503,
            headers: vec![("retry-after".into(), after.clone())],
            body: json!({"success": false, "message": "Maintenance."}),
        };
        let double = Double::start(vec![unavailable, Reply::json(200, webhook())]).await;
        let gw = talkover(
            &double,
            "retries = 1\ntimeout_ms = 2000\ndeadline_ms = 6000\n",
        )
        .await;
        let a = send(gw.addr, "GET", GET, &[], None).await;
        assert_eq!(a.status, 200, "{after}: {}", a.json());
        assert_eq!(double.seen().len(), 2, "{after}");
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_retry_after_of_neither_form_asks_for_nothing_and_is_not_passed_on() {
    for garbage in ["soon", "-5", "1.5", "Wed, 32 Oct 2026 07:28:00 GMT"] {
        // Retried after the usual backoff, while retries are left.
        let double = Double::start(vec![limited_until(garbage), Reply::json(200, webhook())]).await;
        let gw = talkover(&double, "retries = 1\n").await;
        let a = send(gw.addr, "GET", GET, &[], None).await;
        assert_eq!(a.status, 200, "{garbage}: {}", a.json());
        assert_eq!(double.seen().len(), 2, "{garbage}");
        gw.stop().await;
        // When none are left, the vendor's 429 is answered without the value.
        let double = Double::start(vec![limited_until(garbage)]).await;
        let gw = talkover(&double, "retries = 0\n").await;
        let a = send(gw.addr, "GET", GET, &[], None).await;
        assert_eq!(
            (a.status, a.header("retry-after")),
            (429, None),
            "{garbage}"
        );
        gw.stop().await;
    }
}

#[tokio::test]
async fn two_writes_of_one_webhook_take_turns_however_its_owner_is_spelt() {
    // An update Resemble takes whole is a read, a merge and a write: two at once, the owner
    // written in small letters and in capitals (one UUID either way), must not both read the
    // webhook as it was.
    let stored = json!({"success": true, "item": {"id": 1, "webhook_type": "pre_call",
        "webhook_config": {"api_schema": {"url": "https://e.example/a", "method": "POST"},
        "response_timeout_secs": 15}}});
    let slow = |r: Reply| Reply::Slow(Duration::from_millis(300), Box::new(r));
    let double = Double::start(vec![
        slow(Reply::json(200, stored.clone())),
        Reply::json(200, stored.clone()),
        Reply::json(200, stored.clone()),
        Reply::json(200, stored),
    ])
    .await;
    let gw = gateway(&format!(
        "[upstreams.v]\ndialect = \"resemble\"\nbase_url = \"{}\"\nauth = {{ type = \"none\" }}\nretries = 0\n",
        double.url()
    ))
    .await;
    let lower = "/v1/upstreams/v/owners/550e8400-e29b-41d4-a716-446655440000/webhooks/1";
    let upper = lower.replace(
        "550e8400-e29b-41d4-a716-446655440000",
        "550E8400-E29B-41D4-A716-446655440000",
    );
    let (first, second) = (
        json!({"url": "https://e.example/new"}),
        json!({"timeout_seconds": 30}),
    );
    let (a, b) = tokio::join!(send(gw.addr, "PATCH", lower, &[], Some(&first)), async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        send(gw.addr, "PATCH", &upper, &[], Some(&second)).await
    });
    assert_eq!(a.status, 200, "{:?}", a.body);
    assert_eq!(b.status, 200, "{:?}", b.body);
    let order: Vec<String> = double.seen().iter().map(|s| s.method.clone()).collect();
    assert_eq!(order, ["GET", "PATCH", "GET", "PATCH"]);
}
