//! A drop-in surface in front of an upstream of its own dialect: the request and the answer
//! travel byte for byte, with the upstream's credential and hookgate's request id; the vendor's
//! constraints and the URL policy are still checked before a write leaves, and an answer that is
//! not JSON still becomes the vendor's own error shape.

mod support;

use bytes::Bytes;
use serde_json::json;
use support::{Double, Reply, gateway, send, send_raw};

const AGENT: &str = "9fbef0b7-8d4e-4a08-9207-66c22155721d";

fn config(double: &Double) -> String {
    let url = double.url();
    // One file per test: tests run in parallel, and a shared file could be read while another
    // test is rewriting it. The double's port is unique for as long as the double lives.
    let port = url.rsplit(':').next().unwrap_or_default();
    let token_file = std::env::temp_dir().join(format!(
        "hookgate-passthrough-{}-{port}",
        std::process::id()
    ));
    std::fs::write(&token_file, TOKEN).unwrap();
    format!(
        r#"
[upstreams.to]
dialect = "talkover"
base_url = "{url}"
auth = {{ type = "bearer", token_file = {token_file:?} }}
retries = 0
[surfaces.talkover]
dialect = "talkover"
upstream = "to"
prefix = "/surfaces/talkover"
[upstreams.am]
dialect = "agentmessage"
base_url = "{url}"
auth = {{ type = "passthrough" }}
retries = 0
[surfaces.agentmessage]
dialect = "agentmessage"
upstream = "am"
prefix = "/surfaces/agentmessage"
"#
    )
}

/// The credential the gateway holds for the Talkover upstream.
const TOKEN: &str = "upstream-token-pt";

/// Talkover's documented webhook, with a member no mapping names and an integer beyond 2^53.
const STORED: &str = r#"{"success":true,"data":{"id":"0199a1b2-0000-7000-8000-000000000001","agent_id":"9fbef0b7-8d4e-4a08-9207-66c22155721d","name":"Calls","webhook_url":"https://example.com/hook","events":["event_phone_call_started"],"timeout":30,"max_retries":3,"enabled":true,"delivery_region":"eu-west-1","sequence":9007199254740993}}"#;

#[tokio::test]
async fn a_read_travels_byte_for_byte_with_the_query_and_the_upstream_credential() {
    let double = Double::start(vec![Reply::Raw {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: STORED.into(),
    }])
    .await;
    let gw = gateway(&config(&double)).await;
    let path = format!(
        "/surfaces/talkover/api/v1/agents/{AGENT}/webhooks/0199a1b2-0000-7000-8000-000000000001?include=deliveries&x=%20y"
    );
    let answer = send(
        gw.addr,
        "GET",
        &path,
        &[("authorization", "Bearer client-token-pt")],
        None,
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.body,
        Bytes::from(STORED),
        "the vendor's bytes, unchanged"
    );
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let request_id = answer
        .header("x-request-id")
        .expect("a request id")
        .to_owned();
    let seen = double.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(
        seen[0].path,
        format!(
            "/api/v1/agents/{AGENT}/webhooks/0199a1b2-0000-7000-8000-000000000001?include=deliveries&x=%20y"
        )
    );
    assert_eq!(
        seen[0].headers.get("authorization").unwrap(),
        &format!("Bearer {TOKEN}")
    );
    assert_eq!(seen[0].headers.get("x-request-id").unwrap(), &request_id);
}

#[tokio::test]
async fn a_write_reaches_the_vendor_as_the_client_wrote_it() {
    let written = r#"{"name":"Calls","webhook_url":"https://example.com/hook","events":["event_phone_call_started"],"delivery_region":"eu-west-1","sequence":9007199254740993}"#;
    let double = Double::start(vec![Reply::json(
        200,
        json!({"success": true, "message": "Webhook created successfully", "data": {"id": "w1"}}),
    )])
    .await;
    let gw = gateway(&config(&double)).await;
    let answer = send_raw(
        gw.addr,
        "POST",
        &format!("/surfaces/talkover/api/v1/agents/{AGENT}/webhooks"),
        &[
            ("authorization", "Bearer client-token-pt"),
            ("content-type", "application/json"),
            ("idempotency-key", "create-calls-1"),
        ],
        Bytes::from(written),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.json(),
        json!({"success": true, "message": "Webhook created successfully", "data": {"id": "w1"}})
    );
    let seen = double.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].path, format!("/api/v1/agents/{AGENT}/webhooks"));
    assert_eq!(
        seen[0].body,
        Bytes::from(written),
        "the client's bytes, unchanged"
    );
    assert_eq!(
        seen[0].headers.get("content-type").unwrap(),
        "application/json"
    );
    assert!(
        seen[0].headers.get("idempotency-key").is_none(),
        "an idempotency key goes only to a vendor that documents one"
    );
}

#[tokio::test]
async fn constraints_and_the_url_policy_are_checked_before_a_write_leaves() {
    let double = Double::start(vec![]).await;
    let gw = gateway(&config(&double)).await;
    let path = format!("/surfaces/talkover/api/v1/agents/{AGENT}/webhooks");
    let auth = [("authorization", "Bearer client-token-pt")];

    let missing_name =
        json!({"webhook_url": "https://example.com/hook", "events": ["event_phone_call_started"]});
    let answer = send(gw.addr, "POST", &path, &auth, Some(&missing_name)).await;
    assert_eq!(answer.status, 422);
    assert_eq!(
        answer.json(),
        json!({"message": "The given data was invalid.", "errors": {"name": ["The name field is required."]}})
    );

    let metadata = json!({"name": "Calls", "webhook_url": "http://169.254.169.254/latest", "events": ["event_phone_call_started"]});
    let answer = send(gw.addr, "POST", &path, &auth, Some(&metadata)).await;
    assert_eq!(answer.status, 422);
    let body = answer.json();
    assert_eq!(
        body["errors"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["webhook_url"],
        "{body}"
    );

    let answer = send_raw(
        gw.addr,
        "PUT",
        &format!("{path}/0199a1b2-0000-7000-8000-000000000001"),
        &auth,
        Bytes::from("{\"name\": "),
    )
    .await;
    assert_eq!(answer.status, 400, "{:?}", answer.body);

    // A dot segment is no webhook id: it would name another path at the vendor.
    for dots in ["%2e%2e", "%2E", ".", "%2e%2E"] {
        let answer = send(gw.addr, "GET", &format!("{path}/{dots}"), &auth, None).await;
        assert_eq!(answer.status, 400, "{dots}: {:?}", answer.body);
    }

    assert!(double.seen().is_empty(), "nothing reached the vendor");
}

#[tokio::test]
async fn vendor_errors_pass_as_they_are_and_pages_that_are_not_json_never_do() {
    let vendor_404 = json!({"success": false, "error": {"code": "NOT_FOUND", "message": "Webhook endpoint not found", "request_id": "req_vendor_1", "details": {}}});
    let double = Double::start(vec![
        Reply::Json {
            status: 404,
            headers: vec![("x-ratelimit-remaining".into(), "41".into())],
            body: vendor_404.clone(),
        },
        Reply::Raw {
            status: 502,
            headers: vec![],
            body: "<html><body>Bad Gateway</body></html>".into(),
        },
        Reply::Raw {
            status: 200,
            headers: vec![],
            body: "<html>maintenance</html>".into(),
        },
        Reply::Raw {
            status: 204,
            headers: vec![],
            body: String::new(),
        },
    ])
    .await;
    let gw = gateway(&config(&double)).await;
    let auth = [("authorization", "Bearer am-client-token-pt")];

    let answer = send(
        gw.addr,
        "GET",
        "/surfaces/agentmessage/v1/webhooks/0199a1b2-0000-7000-8000-000000000404",
        &auth,
        None,
    )
    .await;
    assert_eq!(answer.status, 404);
    assert_eq!(
        answer.json(),
        vendor_404,
        "the vendor's own message, code and request id"
    );
    assert_eq!(answer.header("x-ratelimit-remaining"), Some("41"));

    // The vendor's HTML error page, then an HTML page sent as a success.
    for _ in 0..2 {
        let answer = send(
            gw.addr,
            "GET",
            "/surfaces/agentmessage/v1/webhooks/0199a1b2-0000-7000-8000-000000000001",
            &auth,
            None,
        )
        .await;
        assert_eq!(answer.status, 502);
        let body = answer.json();
        assert_eq!(body["success"], json!(false), "{body}");
        assert_eq!(
            body["error"]["request_id"].as_str(),
            answer.header("x-request-id"),
            "{body}"
        );
        assert!(!String::from_utf8_lossy(&answer.body).contains("<html"));
    }

    let answer = send(
        gw.addr,
        "DELETE",
        "/surfaces/agentmessage/v1/webhooks/0199a1b2-0000-7000-8000-000000000001",
        &auth,
        None,
    )
    .await;
    assert_eq!(answer.status, 204);
    assert!(answer.body.is_empty());

    let seen = double.seen();
    assert_eq!(seen.len(), 4);
    assert!(
        seen.iter()
            .all(|s| s.headers.get("authorization").unwrap() == "Bearer am-client-token-pt"),
        "the client's credential, passed through"
    );
}
