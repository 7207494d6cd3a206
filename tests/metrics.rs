//! `/metrics`: what a Prometheus scrape sees after real traffic through the canonical API, a
//! drop-in surface, an emulator and a vendor that answers something hookgate cannot translate,
//! and that it counts each request the access log records, as the log names it. One test per
//! binary: the registry, like the log, belongs to the process.

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

[debug]
translate = true
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
    let emulator = gw.emulators["talkover"];
    let own = others_served(gw.addr, emulator).await;
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
    // An emulator's own requests, under its dialect and no upstream: those the canonical API
    // made of it, those made at its own port, and those a fault answered or dropped.
    expect(
        r#"hookgate_requests_total{surface="talkover",upstream="",operation="create",status="200"}"#,
        1.0,
    );
    expect(
        &format!(
            r#"hookgate_requests_total{{surface="talkover",upstream="",operation="list",status="{}"}}"#,
            own.listed
        ),
        1.0,
    );
    for status in ["503", "444"] {
        expect(
            &format!(
                r#"hookgate_requests_total{{surface="talkover",upstream="",operation="get",status="{status}"}}"#
            ),
            1.0,
        );
    }
    expect(
        r#"hookgate_requests_total{surface="emulator-admin",upstream="",operation="none",status="200"}"#,
        3.0,
    );
    expect(
        r#"hookgate_requests_total{surface="emulators",upstream="",operation="none",status="404"}"#,
        1.0,
    );
    expect(
        r#"hookgate_requests_total{surface="preview",upstream="",operation="none",status="200"}"#,
        1.0,
    );
    expect(
        r#"hookgate_requests_total{surface="edge",upstream="",operation="none",status="404"}"#,
        2.0,
    );
    counted_as_logged(&text, &support::secrets::logged());
}

/// What [`others_served`] saw.
struct Own {
    /// The status of the list asked of the emulator at its own port.
    listed: u16,
}

/// Requests of every other kind: to the emulator at its own port (its API, its admin API, a
/// fault's answer and a dropped connection, a path it has no route for), to the admin API and
/// the emulators' index on the main listener, past the gate to a name that is no emulator's,
/// to the preview endpoint, and to a path no API serves.
async fn others_served(gateway: std::net::SocketAddr, emulator: std::net::SocketAddr) -> Own {
    let bearer = [("authorization", "Bearer t")];
    let hooks = format!("/api/v1/agents/{AGENT}/webhooks");
    let listed = send(emulator, "GET", &hooks, &bearer, None).await.status;
    let one = format!("{hooks}/0199a1b2-0000-7000-8000-000000000001");
    let faults = json!({"script": [{"status": 503}, {"drop": true}]});
    let put = send(emulator, "PUT", "/__hookgate/faults", &[], Some(&faults)).await;
    assert_eq!(put.status, 200, "{}", put.json());
    assert_eq!(send(emulator, "GET", &one, &bearer, None).await.status, 503);
    let dropped = raw(
        emulator,
        &format!("GET {one} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\r\n"),
    )
    .await;
    assert!(dropped.is_empty(), "{dropped}");
    for (addr, path, status) in [
        (emulator, "/__hookgate/journal", 200),
        (emulator, "/nowhere", 404),
        (emulator, "/__hookgate/nowhere", 404),
        (gateway, "/__hookgate/emulators", 200),
        (gateway, "/__hookgate/emulators/talkover/emulator", 200),
        (gateway, "/__hookgate/emulators/nothing/emulator", 404),
        (gateway, "/__hookgate/elsewhere", 404),
        (gateway, "/nowhere", 404),
    ] {
        let answer = send(addr, "GET", path, &[], None).await;
        assert_eq!(answer.status, status, "{path}: {}", answer.json());
    }
    let description =
        json!({"upstream": "talkover", "owner": AGENT, "method": "GET", "path": "/webhooks"});
    let previewed = send(gateway, "POST", "/debug/translate", &[], Some(&description)).await;
    assert_eq!(previewed.status, 200, "{}", previewed.json());
    Own { listed }
}

/// What a connection answers to `request`, read to its end.
async fn raw(addr: std::net::SocketAddr, request: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).into_owned()
}

/// Each series of `hookgate_requests_total` in `scrape` counts exactly the `hookgate::access`
/// records of `log` with its labels, and each record is counted: the surface as the record
/// names it (the drop-in surface of this test is named as its dialect), its upstream, its
/// operation and its status.
fn counted_as_logged(scrape: &str, log: &str) {
    use std::collections::BTreeMap;
    let field = |record: &str, name: &str| -> String {
        let at = record
            .find(&format!(" {name}="))
            .unwrap_or_else(|| panic!("no {name} in {record}"));
        let value = &record[at + name.len() + 2..];
        match value.strip_prefix('"') {
            Some(quoted) => quoted[..quoted.find('"').unwrap()].to_owned(),
            None => value.split(' ').next().unwrap().to_owned(),
        }
    };
    let mut logged: BTreeMap<String, f64> = BTreeMap::new();
    for line in log.lines() {
        let Some((_, record)) = line.split_once("hookgate::access: ") else {
            continue;
        };
        let series = format!(
            r#"hookgate_requests_total{{surface="{}",upstream="{}",operation="{}",status="{}"}}"#,
            field(record, "surface"),
            field(record, "upstream"),
            field(record, "operation"),
            field(record, "status"),
        );
        *logged.entry(series).or_default() += 1.0;
    }
    let counted: BTreeMap<String, f64> = scrape
        .lines()
        .filter(|l| l.starts_with("hookgate_requests_total{"))
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').unwrap();
            (series.to_owned(), value.parse().unwrap())
        })
        .collect();
    assert!(logged.len() > 10, "{logged:#?}");
    assert_eq!(
        counted, logged,
        "the scrape's requests against the access log's"
    );
}
