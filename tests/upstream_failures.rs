//! Vendors that misbehave: slow, hanging up, answering HTML, or not listening at all; and the
//! credentials hookgate sends them.

mod support;

use serde_json::json;
use std::time::Duration;
use support::{Double, Reply, gateway, send};

const PATH: &str = "/v1/upstreams/v/owners/550e8400-e29b-41d4-a716-446655440000/webhooks/0199a1b2-0000-7000-8000-000000000001";

async fn gateway_for(double: &Double, extra: &str) -> hookgate::app::Running {
    gateway(&format!(
        "[upstreams.v]\ndialect = \"talkover\"\nbase_url = \"{}\"\ntimeout_ms = 300\nretries = 0\n{extra}",
        double.url()
    ))
    .await
}

fn with_auth(extra: &str) -> String {
    if extra.contains("auth") {
        extra.to_owned()
    } else {
        format!("{extra}auth = {{ type = \"none\" }}\n")
    }
}

#[tokio::test]
async fn a_slow_vendor_gives_504_within_the_deadline() {
    let double = Double::start(vec![Reply::Slow(
        Duration::from_secs(3),
        Box::new(Reply::json(200, json!({}))),
    )])
    .await;
    let gw = gateway_for(&double, &with_auth("")).await;
    let started = tokio::time::Instant::now();
    let a = send(gw.addr, "GET", PATH, &[], None).await;
    assert_eq!(a.status, 504);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "answered only after {:?}",
        started.elapsed()
    );
    let p = a.json();
    assert_eq!(p["code"], "upstream_timeout");
    assert_eq!(p["upstream"]["name"], "v");
    gw.stop().await;
}

#[tokio::test]
async fn a_vendor_that_hangs_up_gives_502() {
    let double = Double::start(vec![Reply::Hangup]).await;
    let gw = gateway_for(&double, &with_auth("")).await;
    let a = send(gw.addr, "GET", PATH, &[], None).await;
    assert_eq!(a.status, 502);
    assert_eq!(a.json()["code"], "upstream_error");
    gw.stop().await;
}

#[tokio::test]
async fn an_html_error_page_is_never_passed_through() {
    let page = "<html><body><h1>502 Bad Gateway</h1><p>secret internal host db-7</p></body></html>";
    let double = Double::start(vec![Reply::Raw {
        status: 502,
        headers: vec![],
        body: page.into(),
    }])
    .await;
    let gw = gateway_for(&double, &with_auth("")).await;
    let a = send(gw.addr, "GET", PATH, &[], None).await;
    assert_eq!(a.status, 502);
    assert_eq!(a.header("content-type"), Some("application/problem+json"));
    let text = String::from_utf8_lossy(&a.body);
    assert!(!text.contains("html") && !text.contains("db-7"), "{text}");
    assert_eq!(
        a.json()["detail"],
        "upstream v answered 502 with a body that is not JSON"
    );
    gw.stop().await;
}

#[tokio::test]
async fn a_refusal_in_plain_text_is_the_vendors_message() {
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "s3cr3t-t0ken\n").unwrap();
    let text = |status: u16, media_type: &str, body: &str| Reply::Raw {
        status,
        headers: vec![("content-type".into(), media_type.into())],
        body: body.into(),
    };
    let long = format!("{}é and more", "x".repeat(499));
    let double = Double::start(vec![
        text(401, "text/plain", "invalid token s3cr3t-t0ken\n"),
        text(404, "text/plain; charset=utf-8", "model not found"),
        text(400, "text/plain", &long),
        text(400, "text/html", "<p>bad request</p>"),
        text(503, "text/plain", "no healthy upstream"),
        text(400, "text/plain", "invalid value for idModel"),
    ])
    .await;
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.v]\ndialect = \"talkover\"\nbase_url = \"{}\"\nretries = 0\n\
         auth = {{ type = \"bearer\", token_file = {token:?} }}\n\
         [surfaces.post]\ndialect = \"post\"\nupstream = \"v\"\nprefix = \"/post\"\n\
         owner = \"550e8400-e29b-41d4-a716-446655440000\"\n",
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects"),
        double.url()
    ))
    .await;
    let mut shown = Vec::new();
    for _ in 0..5 {
        let a = send(gw.addr, "GET", PATH, &[], None).await;
        assert_eq!(a.header("content-type"), Some("application/problem+json"));
        shown.push((a.status, a.json()));
    }
    // The vendor's words, its credential taken out, under the status's code.
    assert_eq!(shown[0].0, 401);
    assert_eq!(shown[0].1["detail"], "invalid token [redacted]");
    assert_eq!(
        shown[0].1["upstream"]["message"],
        "invalid token [redacted]"
    );
    assert_eq!(shown[1].0, 404);
    assert_eq!(shown[1].1["code"], "not_found");
    assert_eq!(shown[1].1["detail"], "model not found");
    // Cut at a character's boundary: 499 bytes, and `é` would end past 500.
    assert_eq!(shown[2].1["detail"], "x".repeat(499));
    // Neither a page's markup nor an intermediary's words for a 5xx.
    assert_eq!(
        shown[3].1["detail"],
        "upstream v answered 400 with a body that is not JSON"
    );
    assert_eq!(shown[4].0, 503);
    assert_eq!(
        shown[4].1["detail"],
        "upstream v answered 503 with a body that is not JSON"
    );
    // A surface's client reads them in its own vendor's shape.
    let surfaced = send(
        gw.addr,
        "GET",
        "/post/webhooks/0199a1b2-0000-7000-8000-000000000001",
        &[("x-postmark-server-token", "t")],
        None,
    )
    .await;
    assert_eq!(
        surfaced.json()["Message"],
        "invalid value for idModel",
        "{}",
        surfaced.json()
    );
    gw.stop().await;
}

#[tokio::test]
async fn a_success_whose_body_is_not_read_may_be_anything() {
    let text = |status: u16, body: &str| Reply::Raw {
        status,
        headers: vec![("content-type".into(), "text/plain".into())],
        body: body.into(),
    };
    let double = Double::start(vec![text(200, "OK"), text(200, "OK")]).await;
    let gw = gateway_for(&double, &with_auth("")).await;
    // A delete's answer is read for nothing: the webhook is gone.
    let deleted = send(gw.addr, "DELETE", PATH, &[], None).await;
    assert_eq!(
        deleted.status,
        204,
        "{:?}",
        String::from_utf8_lossy(&deleted.body)
    );
    // A read's is the webhook itself: text is no webhook.
    let read = send(gw.addr, "GET", PATH, &[], None).await;
    assert_eq!(read.status, 502);
    assert_eq!(read.json()["code"], "upstream_error");
    gw.stop().await;
}

#[tokio::test]
async fn a_relayed_success_whose_body_is_not_read_is_passed_on_as_it_is() {
    let text = |body: &str| Reply::Raw {
        status: 200,
        headers: vec![("content-type".into(), "text/plain".into())],
        body: body.into(),
    };
    let double = Double::start(vec![text("OK"), text("OK")]).await;
    let gw = gateway_for(
        &double,
        "auth = { type = \"none\" }\n\
         [surfaces.t]\ndialect = \"talkover\"\nupstream = \"v\"\nprefix = \"/t\"\n",
    )
    .await;
    let at = "/t/api/v1/agents/550e8400-e29b-41d4-a716-446655440000/webhooks/0199a1b2-0000-7000-8000-000000000001";
    let bearer = [("authorization", "Bearer t")];
    // The same vendor's client asked for a delete, whose answer it reads for nothing.
    let deleted = send(gw.addr, "DELETE", at, &bearer, None).await;
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.header("content-type"), Some("text/plain"));
    assert_eq!(&deleted.body[..], b"OK");
    // A read's answer is the webhook: text is refused in the vendor's shape.
    let read = send(gw.addr, "GET", at, &bearer, None).await;
    assert_eq!(read.status, 502);
    assert!(
        read.json().is_object(),
        "{:?}",
        String::from_utf8_lossy(&read.body)
    );
    gw.stop().await;
}

#[tokio::test]
async fn an_update_read_again_after_may_be_answered_with_anything() {
    // Zen's PATCH is answered without the webhook, which a read after it gives.
    let webhook = serde_json::json!({"webhook": {"id": "01EJFTSCC78X5V07NPY2MHR00M",
        "name": "Renamed", "status": "active", "endpoint": "https://example.com/h",
        "http_method": "POST", "subscriptions": ["conditional_ticket_events"]}});
    let double = Double::start(vec![
        Reply::Raw {
            status: 200,
            headers: vec![("content-type".into(), "text/html".into())],
            body: "<p>Updated</p>".into(),
        },
        Reply::json(200, webhook),
    ])
    .await;
    let gw = support::gateway_over(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects"),
        "zen",
        &double,
    )
    .await;
    let changed = send(
        gw.addr,
        "PATCH",
        "/v1/upstreams/zen/webhooks/01EJFTSCC78X5V07NPY2MHR00M",
        &[],
        Some(&json!({"description": "Renamed"})),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.json());
    assert_eq!(changed.json()["description"], "Renamed");
    assert_eq!(double.seen().len(), 2);
    gw.stop().await;
}

#[tokio::test]
async fn a_vendor_that_is_not_listening_gives_502() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let gw = gateway(&format!(
        "[upstreams.v]\ndialect = \"talkover\"\nbase_url = \"http://127.0.0.1:{port}\"\nauth = {{ type = \"none\" }}\nretries = 0\n"
    ))
    .await;
    let a = send(gw.addr, "GET", PATH, &[], None).await;
    assert_eq!(a.status, 502);
    assert!(
        a.json()["detail"]
            .as_str()
            .unwrap()
            .contains("could not connect"),
        "{}",
        a.json()
    );
    gw.stop().await;
}

fn talkover_webhook() -> serde_json::Value {
    json!({"success": true, "data": {"id": "0199a1b2-0000-7000-8000-000000000001", "agent_id": "550e8400-e29b-41d4-a716-446655440000", "name": "n", "webhook_url": "https://e.example", "events": ["event_action"], "enabled": true}})
}

#[tokio::test]
async fn a_bearer_token_from_a_file_goes_upstream_and_nowhere_else() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "talq_s3cr3t_token\n").unwrap();
    let double = Double::start(vec![Reply::json(
        404,
        json!({"success": false, "message": "Webhook not found."}),
    )])
    .await;
    let auth = format!(
        "auth = {{ type = \"bearer\", token_file = {:?} }}\n",
        token_file.display().to_string()
    );
    let gw = gateway_for(&double, &auth).await;
    let a = send(
        gw.addr,
        "GET",
        PATH,
        &[
            ("authorization", "Bearer client-token"),
            ("x-request-id", "cred-1"),
        ],
        None,
    )
    .await;
    assert_eq!(a.status, 404);
    assert!(!String::from_utf8_lossy(&a.body).contains("s3cr3t"));
    let seen = double.seen();
    assert_eq!(seen[0].headers["authorization"], "Bearer talq_s3cr3t_token");
    assert_eq!(seen[0].headers["x-request-id"], "cred-1");
    gw.stop().await;
}

#[tokio::test]
async fn passthrough_forwards_the_clients_credential() {
    let double = Double::start(vec![Reply::json(200, talkover_webhook())]).await;
    let gw = gateway_for(&double, "auth = { type = \"passthrough\" }\n").await;
    let a = send(
        gw.addr,
        "GET",
        PATH,
        &[("authorization", "Bearer client-token")],
        None,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.json());
    let seen = double.seen();
    assert_eq!(seen[0].headers["authorization"], "Bearer client-token");
    let generated = a.header("x-request-id").unwrap();
    assert_eq!(
        seen[0].headers["x-request-id"], generated,
        "a generated request id also goes upstream"
    );
    gw.stop().await;
}

/// A vendor that shows a webhook's secret only in the answer that minted it (Airtable's
/// `macSecretBase64`), and disables a webhook by a verb that answers nothing, after which it
/// is read again.
const SHOWN_ONCE: &str = r#"
[dialect]
base_path = "/v0"
owner = "base"

[fields.id]
path = "$.id"
in = ["response"]

[fields.url]
path = "$.notificationUrl"
required = true

[fields.enabled]
path = "$.areNotificationsEnabled"
in = ["response"]
default = true

[fields.secret]
path = "$.macSecretBase64"
in = ["response"]

[operations.create]
method = "POST"
path = "/bases/{owner}/webhooks"
body = "{{webhook}}"
response = "{{webhook}}"

[operations.get]
method = "GET"
path = "/bases/{owner}/webhooks/{id}"
response = "{{webhook}}"

[operations.enable]
method = "POST"
path = "/bases/{owner}/webhooks/{id}/enable"
then = ["get"]

[operations.disable]
method = "POST"
path = "/bases/{owner}/webhooks/{id}/disable"
then = ["get"]

[errors]
message = ["$.error.message"]
code = ["$.error.type"]

[errors.render.default]
body = { error = { type = "{{code}}", message = "{{message}}" } }
"#;

#[tokio::test]
async fn a_secret_minted_before_a_later_call_failed_is_answered_and_the_change_not_denied() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("once.toml"), SHOWN_ONCE).unwrap();
    let made = json!({"id": "ach0001", "areNotificationsEnabled": true,
        "macSecretBase64": "c2VjcmV0LW1pbnRlZC1vbmNl"});
    let gone = json!({"error": {"type": "NOT_FOUND", "message": "no such hook"}});
    let busy = json!({"error": {"type": "BUSY", "message": "try later"}});
    let base = "/v1/upstreams/once/owners/appA/webhooks";
    // A create asked disabled: made, disabled, then read again, which fails as not found or as
    // unavailable; or the disable itself fails as unavailable.
    let cases = [
        (
            vec![Reply::json(200, json!({})), Reply::json(404, gone)],
            404,
        ),
        // A read is tried again on a 503, as often as the upstream's `retries` say.
        (
            vec![
                Reply::json(200, json!({})),
                Reply::json(503, busy.clone()),
                Reply::json(503, busy.clone()),
                Reply::json(503, busy.clone()),
            ],
            503,
        ),
        (vec![Reply::json(503, busy)], 503),
    ];
    for (after, vendor_status) in cases {
        let mut script = vec![Reply::json(200, made.clone())];
        script.extend(after);
        let vendor = Double::start(script).await;
        let gw = support::gateway_over(dir.path().to_str().unwrap(), "once", &vendor).await;
        let body = json!({"url": "https://example.com/h", "enabled": false});
        let answer = send(gw.addr, "POST", base, &[], Some(&body)).await;
        let problem = answer.json();
        assert_eq!(answer.status, 502, "{problem}");
        assert_eq!(problem["code"], "upstream_error", "{problem}");
        assert_eq!(problem["upstream"]["status"], vendor_status, "{problem}");
        assert_eq!(problem["webhook"]["id"], "ach0001", "{problem}");
        assert_eq!(
            problem["webhook"]["secret"], "c2VjcmV0LW1pbnRlZC1vbmNl",
            "{problem}"
        );
        assert!(answer.header("retry-after").is_none(), "{problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("webhook ach0001 was created"), "{detail}");
        gw.stop().await;
    }
}

/// A vendor whose create is a bulk call, answered 200 with each item's result, the webhook made
/// or why none was (as Jira's `POST /rest/api/2/webhook`), and its refusals' words at the
/// places its `errors` section reads.
const BULK: &str = r#"
[dialect]
base_path = "/rest/api/2"

[fields.id]
path = "$.createdWebhookId"
codec = "int_string"
in = ["response"]

[fields.url]
path = "$.url"
required = true

[operations.create]
method = "POST"
path = "/webhook"
body = "{{webhook}}"
response = { webhookRegistrationResult = ["{{webhook}}"] }

[operations.get]
method = "GET"
path = "/webhook/{id}"
response = "{{webhook}}"

[errors]
message = ["$.errorMessages[0]", "$.webhookRegistrationResult[0].errors[0]"]

[[errors.field_errors]]
path = "$.webhookRegistrationResult[0].fieldErrors"
form = "strings"

[errors.render.default]
body = { errorMessages = ["{{message}}"] }
"#;

/// A canonical create at the bulk vendor of `dir`, whose double answers `answered`: the
/// answer, the double and the gateway.
async fn bulk_create(
    dir: &tempfile::TempDir,
    answered: serde_json::Value,
) -> (support::Answer, Double, hookgate::app::Running) {
    let vendor = Double::start(vec![Reply::json(200, answered)]).await;
    let gw = support::gateway_over(dir.path().to_str().unwrap(), "bulk", &vendor).await;
    let body = json!({"url": "https://example.com/h"});
    let answer = send(
        gw.addr,
        "POST",
        "/v1/upstreams/bulk/webhooks",
        &[],
        Some(&body),
    )
    .await;
    (answer, vendor, gw)
}

#[tokio::test]
async fn a_create_answered_with_no_webhook_may_have_been_made_and_says_so_in_the_vendors_words() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bulk.toml"), BULK).unwrap();
    let item = |result: serde_json::Value| json!({ "webhookRegistrationResult": [result] });
    // Each answer, and the vendor's words it holds, if any.
    let cases = [
        (
            item(json!({"errors": ["Invalid JQL"]})),
            Some("Invalid JQL"),
        ),
        (
            json!({"errorMessages": ["Too many webhooks"]}),
            Some("Too many webhooks"),
        ),
        (
            item(json!({"fieldErrors": {"url": "is not reachable"}})),
            Some("url: is not reachable"),
        ),
        (item(json!({})), None),
        (json!({}), None),
    ];
    for (answered, words) in cases {
        let (answer, vendor, gw) = bulk_create(&dir, answered.clone()).await;
        let problem = answer.json();
        assert_eq!(answer.status, 502, "{answered}: {problem}");
        assert_eq!(problem["code"], "upstream_error", "{answered}: {problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.ends_with(
                "(the change may have been made at upstream bulk: its answer names no webhook made)"
            ),
            "{answered}: {detail}"
        );
        assert!(
            !detail.contains("the change was made"),
            "{answered}: {detail}"
        );
        match words {
            Some(words) => assert!(
                detail.contains(&format!("saying: {words} (")),
                "{answered}: {detail}"
            ),
            None => assert!(!detail.contains("saying"), "{answered}: {detail}"),
        }
        assert_eq!(vendor.seen().len(), 1, "{answered}: sent once, never again");
        gw.stop().await;
    }
    // Where the item names the webhook made, it is answered.
    let made = item(json!({"createdWebhookId": 7}));
    let (answer, _vendor, gw) = bulk_create(&dir, made).await;
    assert_eq!(answer.status, 201, "{}", answer.json());
    assert_eq!(answer.json()["id"], "7");
    gw.stop().await;
}

#[tokio::test]
async fn a_create_answered_without_an_id_is_not_passed_on_as_made() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("once.toml"), SHOWN_ONCE).unwrap();
    let base = "/v1/upstreams/once/owners/appA/webhooks";
    for answered in [
        json!({"macSecretBase64": "c2VjcmV0LW1pbnRlZC1vbmNl"}),
        json!({"notificationUrl": "https://example.com/h"}),
    ] {
        let vendor = Double::start(vec![Reply::json(200, answered.clone())]).await;
        let gw = support::gateway_over(dir.path().to_str().unwrap(), "once", &vendor).await;
        let body = json!({"url": "https://example.com/h"});
        let answer = send(gw.addr, "POST", base, &[], Some(&body)).await;
        let problem = answer.json();
        assert_eq!(answer.status, 502, "{answered}: {problem}");
        assert!(answer.header("location").is_none(), "{problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("names no id"), "{detail}");
        assert!(
            detail.ends_with(
                "(the change may have been made at upstream once: its answer names no webhook made)"
            ),
            "{detail}"
        );
        assert_eq!(
            problem["webhook"]["secret"], answered["macSecretBase64"],
            "a secret minted goes with the refusal: {problem}"
        );
        gw.stop().await;
    }
}
