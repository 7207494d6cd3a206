//! Every curl example of the vendors' "update webhook" pages, run verbatim against hookgate's
//! surface for that vendor, in front of an emulated upstream of each of the four dialects.
//!
//! Only the scheme, host and port of the example change: each surface has a listener of its own,
//! so the paths are the vendor's. The webhook the example names is created first through the
//! same surface with the vendor's documented create body, and its id replaces the example's.
//! Where an upstream cannot hold what the documented bodies say (another vendor's event names,
//! fields it has no place for), the exact refusal in the client's dialect is asserted instead;
//! the webhook is then created at the upstream directly, as another application would, so that
//! the example itself still runs and is refused or answered as documented.

mod dropin;
mod support;

use bytes::Bytes;
use dropin::{DEFAULT_OWNER, assert_exact, events, plant, shape_differences, text};
use serde_json::{Value, json};
use support::{Answer, gateway, send, send_raw};

/// One documentation page: its curl example, the body its vendor documents for creating the
/// webhook the example updates, and the documented answer.
struct Seed {
    dialect: &'static str,
    /// The example, exactly as the page prints it (prompt markers and all).
    curl: &'static str,
    /// The vendor's documented create body for the webhook the example names.
    create: fn() -> Value,
    /// The documented success answer.
    documented: fn() -> Value,
}

/// `000_9985e72a95e7f10c.txt`: Resemble, PATCH an agent webhook.
const RESEMBLE: Seed = Seed {
    dialect: "resemble",
    curl: r#"$curl --request PATCH "https://app.resemble.ai/api/v2/agents/550e8400-e29b-41d4-a716-446655440000/webhooks/1" \
> -H "Authorization: Bearer YOUR_API_TOKEN" \
> -H "Content-Type: application/json" \
> --data '{
> "webhook_config": {
> "api_schema": {
> "url": "https://api.example.com/v2/pre-call",
> "method": "POST"
> },
> "assignments": [],
> "response_timeout_secs": 15
> }
> }'"#,
    // docs.resemble.ai/agents/webhooks/create, the example request.
    create: || {
        json!({
          "webhook_type": "pre_call",
          "webhook_config": {
            "api_schema": {
              "url": "https://api.example.com/pre-call",
              "method": "POST",
              "request_headers": {"Authorization": "Bearer secret123", "Content-Type": "application/json"},
              "request_body": {"agent_uuid": "{{agent_uuid}}", "caller_phone": "{{caller_phone}}"}
            },
            "assignments": [
              {"source": "response", "attribute_name": "customer_name", "dynamic_variable": "customer_name"},
              {"source": "response", "attribute_name": "account_balance", "dynamic_variable": "balance"}
            ],
            "response_timeout_secs": 10
          }
        })
    },
    documented: || {
        json!({
          "success": true,
          "item": {
            "id": 1,
            "webhook_type": "pre_call",
            "webhook_config": {
              "api_schema": {"url": "https://api.example.com/v2/pre-call", "method": "POST"},
              "assignments": [],
              "response_timeout_secs": 15
            },
            "created_at": "2025-01-27T10:00:00Z",
            "updated_at": "2025-01-27T10:30:00Z"
          },
          "message": "Webhook updated successfully"
        })
    },
};

/// `001_6fd11a62633aba06.txt`: Talkover, PUT an agent webhook.
const TALKOVER_UPDATE: Seed = Seed {
    dialect: "talkover",
    curl: r#"curl -X PUT \
  'https://app.talkover.ai/api/v1/agents/9fbef0b7-8d4e-4a08-9207-66c22155721d/webhooks/9fcafbf2-7593-44d6-8cd7-1b221beba62a' \
  -H 'Authorization: Bearer YOUR_TOKEN' \
  -H 'Content-Type: application/json' \
  -d '{
    "name": "Updated Webhook Name",
    "webhook_url": "https://newexample.com/webhook",
    "webhook_secret": "new_secret",
    "events": ["event_phone_call_started", "event_conversation_started"],
    "timeout": 45,
    "max_retries": 5,
    "enabled": false
  }'"#,
    create: talkover_create,
    documented: || {
        json!({
          "success": true,
          "message": "Webhook updated successfully",
          "data": {
            "id": "9fcafbf2-7593-44d6-8cd7-1b221beba62a",
            "agent_id": "9fbef0b7-8d4e-4a08-9207-66c22155721d",
            "name": "Updated Webhook Name",
            "webhook_url": "https://newexample.com/webhook",
            "events": ["event_phone_call_started", "event_conversation_started"],
            "timeout": 45,
            "max_retries": 5,
            "enabled": false,
            "created_at": "2025-09-03T23:19:51.000000Z",
            "updated_at": "2025-09-03T23:45:30.000000Z",
            "events_count": 2,
            "status": "disabled"
          }
        })
    },
};

/// `002_a4f22d1989cdfe04.txt`: AgentMessage, PATCH a webhook endpoint. The example sends no
/// `Authorization`, which the page requires: verbatim, it earns the page's documented 401.
const AGENTMESSAGE: Seed = Seed {
    dialect: "agentmessage",
    curl: r#"curl -X PATCH "https://example.com/v1/webhooks/497f6eca-6276-4993-bfeb-53cbbbba6f08" \  -H "Content-Type: application/json" \  -d '{}'"#,
    // agentmessage.io/docs/webhooks/createWebhookEndpoint, the example request.
    create: || json!({"url": "https://hooks.example.com/y3labs/ops", "events": ["wallet.balance_low"]}),
    documented: || {
        json!({
          "id": "0190a1b2-c3d4-e5f6-a7b8-c9d0e1f2a3b4",
          "org_id": "0190a1b2-c3d4-e5f6-a7b8-c9d0e1f2a3b5",
          "url": "https://hooks.example.com/y3labs/ops",
          "events": ["wallet.balance_low", "wallet.balance_zero", "subscription.past_due", "subscription.canceled"],
          "active": true,
          "api_version": "2026-04-01",
          "created_at": "2026-04-26T12:00:00Z",
          "updated_at": "2026-04-27T08:30:00Z",
          "deleted_at": null
        })
    },
};

/// The 401 the AgentMessage page documents.
fn agentmessage_unauthorized() -> Value {
    json!({
      "success": false,
      "error": {
        "code": "UNAUTHORIZED",
        "message": "authentication failed",
        "request_id": "01JTBQH2FZ8K1RXC0WJ4Z9P3VM"
      }
    })
}

/// `003_eeca34be803e7835.txt`: Talkover, PATCH .../toggle. A webhook created as the docs create
/// it is enabled, so the toggle answers the page's "Webhook disabled" example.
const TALKOVER_TOGGLE: Seed = Seed {
    dialect: "talkover",
    curl: r#"curl -X PATCH \
  'https://app.talkover.ai/api/v1/agents/9fbef0b7-8d4e-4a08-9207-66c22155721d/webhooks/9fcafbf2-7593-44d6-8cd7-1b221beba62a/toggle' \
  -H 'Authorization: Bearer YOUR_TOKEN'"#,
    create: talkover_create,
    documented: || {
        json!({
          "success": true,
          "message": "Webhook disabled",
          "data": {
            "id": "9fcafbf2-7593-44d6-8cd7-1b221beba62a",
            "agent_id": "9fbef0b7-8d4e-4a08-9207-66c22155721d",
            "name": "My Webhook",
            "webhook_url": "https://example.com/webhook",
            "events": ["event_phone_call_started", "event_phone_call_ended"],
            "timeout": 30,
            "max_retries": 3,
            "enabled": false,
            "created_at": "2025-09-03T23:19:51.000000Z",
            "updated_at": "2025-09-03T23:50:15.000000Z",
            "events_count": 2,
            "status": "disabled"
          }
        })
    },
};

/// `004_9746e516deabe9a0.txt`: Chirp, admin PUT of an app webhook. The example keeps the page's
/// `{appId}` placeholder, which is sent as is (percent-encoded, as braces must be in a path).
const CHIRP: Seed = Seed {
    dialect: "chirp",
    curl: r#"curl --request PUT \
  --url https://9dc2c77e6dbf.ngrok-free.app/v1/organization/apps/{appId}/webhooks/{webhookId} \
  --header 'Authorization: Bearer <token>' \
  --header 'Content-Type: application/json' \
  --data '{
  "url": "https://example.com/webhook",
  "events": [
    "MESSAGE_CREATED",
    "MESSAGE_DELIVERED"
  ],
  "headers": {
    "X-Custom-Header": "new-value"
  }
}'"#,
    // The admin create page is not published; the app-level one (POST /v1/webhooks) is, with
    // this body (header example from sms/webhooks-setup).
    create: || {
        json!({
          "url": "https://your-app.com/webhooks/chirp",
          "events": ["MESSAGE_CREATED"],
          "headers": {"X-Webhook-Secret": "your-secret-key"}
        })
    },
    documented: || {
        json!({
          "id": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
          "appId": "b1ffcd11-1d1c-5fg9-cc7e-7cc0ce491b22",
          "url": "https://example.com/webhook",
          "events": ["MESSAGE_CREATED", "MESSAGE_SENT"],
          "headers": {"X-Custom-Header": "value"},
          "createdAt": "2021-08-01T00:00:00Z",
          "updatedAt": "2021-08-01T00:00:00Z"
        })
    },
};

/// The OpenAPI `CreateWebhookRequest` example of Talkover.
fn talkover_create() -> Value {
    json!({
      "name": "My Webhook",
      "webhook_url": "https://example.com/webhook",
      "webhook_secret": "optional_secret_for_hmac",
      "events": ["event_phone_call_started", "event_phone_call_ended"],
      "timeout": 30,
      "max_retries": 3,
      "enabled": true
    })
}

/// A curl command line, as far as the examples use it.
#[derive(Debug)]
struct Curl {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    data: Option<String>,
}

impl Curl {
    /// Reads an example as a shell would: prompt markers (`$`, `> `) and line continuations are
    /// page layout; quotes group words.
    fn parse(example: &str) -> Curl {
        let text: String = example
            .lines()
            .map(|l| {
                l.strip_prefix("> ")
                    .or_else(|| l.strip_prefix('$'))
                    .unwrap_or(l)
            })
            .collect::<Vec<_>>()
            .join("\n");
        let mut words = Vec::new();
        let mut word = String::new();
        let mut in_word = false;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\'' | '"' => {
                    in_word = true;
                    for q in chars.by_ref() {
                        if q == c {
                            break;
                        }
                        word.push(q);
                    }
                }
                '\\' if chars.peek().is_some_and(|n| n.is_whitespace()) => {}
                c if c.is_whitespace() => {
                    if in_word {
                        words.push(std::mem::take(&mut word));
                        in_word = false;
                    }
                }
                c => {
                    in_word = true;
                    word.push(c);
                }
            }
        }
        if in_word {
            words.push(word);
        }
        assert_eq!(words.first().map(String::as_str), Some("curl"), "{example}");
        let mut curl = Curl {
            method: String::new(),
            url: String::new(),
            headers: Vec::new(),
            data: None,
        };
        let mut args = words.into_iter().skip(1);
        while let Some(arg) = args.next() {
            let mut value = || args.next().expect("an option without its value");
            match arg.as_str() {
                "-X" | "--request" => curl.method = value(),
                "-H" | "--header" => {
                    let h = value();
                    let (k, v) = h.split_once(':').expect("a header line");
                    curl.headers
                        .push((k.trim().to_owned(), v.trim().to_owned()));
                }
                "-d" | "--data" => curl.data = Some(value()),
                "--url" => curl.url = value(),
                other if other.starts_with('-') => panic!("option {other} is not understood"),
                _ => curl.url = arg,
            }
        }
        if curl.method.is_empty() {
            curl.method = if curl.data.is_some() { "POST" } else { "GET" }.into();
        }
        curl
    }

    /// The path and query of the URL: what stays when scheme, host and port change.
    fn path(&self) -> String {
        let rest = self.url.split_once("://").expect("an absolute URL").1;
        rest.find('/').map_or("/".into(), |i| rest[i..].to_owned())
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The segments of a path, with the one after `webhooks` (the webhook id) replaced by `id`, and
/// characters a request target cannot carry raw percent-encoded.
fn with_id(path: &str, id: &str) -> String {
    let mut segments: Vec<String> = path.split('/').map(str::to_owned).collect();
    let at = segments
        .iter()
        .position(|s| s == "webhooks")
        .expect("a webhook path");
    segments[at + 1] = id.to_owned();
    segments
        .iter()
        .map(|s| s.replace('{', "%7B").replace('}', "%7D"))
        .collect::<Vec<_>>()
        .join("/")
}

/// The webhook collection of an example's path, and the owner in it (if the dialect has one).
fn collection(path: &str) -> (String, Option<String>) {
    let segments: Vec<&str> = path.split('/').collect();
    let at = segments.iter().position(|s| *s == "webhooks").unwrap();
    let owner = (at >= 2 && matches!(segments[at - 2], "agents" | "apps"))
        .then(|| segments[at - 1].to_owned());
    let path = segments[..=at]
        .iter()
        .map(|s| s.replace('{', "%7B").replace('}', "%7D"))
        .collect::<Vec<_>>()
        .join("/");
    (path, owner)
}

/// What an answer must be.
enum Expect {
    /// The documented status and shape: the documented body's keys at every level, less those
    /// the upstream does not report (`absent`) and plus those the webhook holds besides
    /// (`extra`); the members under `same` hold exactly the documented values, those under
    /// `sent` the values the example sent.
    Documented {
        status: u16,
        absent: &'static [&'static str],
        extra: &'static [&'static str],
        same: &'static [&'static str],
        sent: &'static [(&'static str, &'static str)],
    },
    /// Refused, by design, with exactly this answer in the client's dialect.
    Refused(u16, Value),
    /// Carried out, on a webhook the upstream holds in its own terms (an id of its own shape,
    /// an event of its own vocabulary, shown as they are): the status, and the members under
    /// `same` holding exactly the documented values.
    Changed {
        status: u16,
        same: &'static [&'static str],
    },
}

/// The value at a dotted path.
fn at<'v>(value: &'v Value, path: &str) -> &'v Value {
    path.split('.').fold(value, |v, k| &v[k])
}

fn check(answer: &Answer, documented: &Value, sent: Option<&Value>, expect: &Expect, what: &str) {
    match expect {
        Expect::Refused(status, body) => assert_exact(answer, *status, body, what),
        Expect::Changed { status, same } => {
            assert_eq!(answer.status, *status, "{what}: {}", text(answer));
            let body = answer.json();
            for path in *same {
                assert_eq!(at(&body, path), at(documented, path), "{what}: `{path}`");
            }
        }
        Expect::Documented {
            status,
            absent,
            extra,
            same,
            sent: echoed,
        } => {
            assert_eq!(answer.status, *status, "{what}: {}", text(answer));
            let body = answer.json();
            let differences = shape_differences(documented, &body, absent, extra);
            assert!(
                differences.is_empty(),
                "{what}: {differences:?} in {body:#}"
            );
            for path in *same {
                assert_eq!(at(&body, path), at(documented, path), "{what}: `{path}`");
            }
            for (answered, request) in *echoed {
                let request = at(sent.expect("a body was sent"), request);
                assert_eq!(at(&body, answered), request, "{what}: `{answered}`");
            }
        }
    }
}

/// One example against one upstream dialect: what creating its webhook through the surface
/// answers (`None`: created), and what the example answers.
struct Case {
    create_refused: Option<(u16, Value)>,
    example: Expect,
    /// For an example without the credentials its page requires: the answer once they are added.
    with_credentials: Option<Expect>,
}

async fn run(seed: &Seed, upstream: &str, case: Case) {
    let what = format!("{} example against a {upstream} upstream", seed.dialect);
    let curl = Curl::parse(seed.curl);
    // A placeholder in the documented path (`{appId}`) is filled in, as a reader of the docs
    // fills it in, with an owner any upstream can have.
    let curl_path = curl
        .path()
        .split('/')
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                DEFAULT_OWNER
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    let (collection, owner) = collection(&curl_path);
    let owner = owner.unwrap_or_else(|| DEFAULT_OWNER.to_owned());
    let running = gateway(&dropin::config(seed.dialect, upstream, true, &owner)).await;
    let surface = running.surfaces[seed.dialect];

    // The webhook the example names, created as the vendor's docs create it.
    let mut headers: Vec<(&str, &str)> = curl
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if curl.header("authorization").is_none() {
        headers.push(("Authorization", "Bearer am_live_example"));
    }
    headers.push(("X-Request-Id", CREATE_REQUEST_ID));
    let created = send(
        surface,
        "POST",
        &collection,
        &headers,
        Some(&(seed.create)()),
    )
    .await;
    let id = match case.create_refused {
        None => {
            assert!(
                (200..300).contains(&created.status),
                "{what}: creating: {}",
                text(&created)
            );
            let body = created.json();
            let item = ["data", "item"]
                .iter()
                .find_map(|k| body.get(*k))
                .unwrap_or(&body);
            dropin::id_text(&item["id"])
        }
        Some((status, body)) => {
            assert_exact(&created, status, &body, &format!("{what}: creating"));
            plant(&running, upstream, &owner, events(upstream)[0]).await
        }
    };

    // The example, verbatim but for the host and the id.
    let path = with_id(&curl_path, &id);
    let headers: Vec<(&str, &str)> = curl
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let data = curl.data.clone().map(Bytes::from).unwrap_or_default();
    let sent: Option<Value> = curl
        .data
        .as_deref()
        .map(|d| serde_json::from_str(d).unwrap());
    let answer = send_raw(surface, &curl.method, &path, &headers, data.clone()).await;
    let documented = if seed.dialect == "agentmessage" {
        agentmessage_unauthorized()
    } else {
        (seed.documented)()
    };
    check(&answer, &documented, sent.as_ref(), &case.example, &what);

    if let Some(expect) = case.with_credentials {
        let mut headers = headers.clone();
        headers.push(("Authorization", "Bearer am_live_example"));
        let answer = send_raw(surface, &curl.method, &path, &headers, data).await;
        let what = format!("{what}, with credentials");
        check(&answer, &(seed.documented)(), sent.as_ref(), &expect, &what);
    }
    running.stop().await;
}

#[test]
fn the_examples_parse_as_curl_would_read_them() {
    let r = Curl::parse(RESEMBLE.curl);
    assert_eq!(r.method, "PATCH");
    assert_eq!(
        r.path(),
        "/api/v2/agents/550e8400-e29b-41d4-a716-446655440000/webhooks/1"
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    let body: Value = serde_json::from_str(r.data.as_deref().unwrap()).unwrap();
    assert_eq!(body["webhook_config"]["response_timeout_secs"], 15);
    let a = Curl::parse(AGENTMESSAGE.curl);
    assert_eq!(
        (a.method.as_str(), a.data.as_deref()),
        ("PATCH", Some("{}"))
    );
    assert_eq!(a.headers.len(), 1);
    let t = Curl::parse(TALKOVER_TOGGLE.curl);
    assert_eq!((t.method.as_str(), t.data.is_none()), ("PATCH", true));
    let c = Curl::parse(CHIRP.curl);
    assert_eq!(
        with_id(&c.path(), "w1"),
        "/v1/organization/apps/%7BappId%7D/webhooks/w1"
    );
}

// ------------------------------------------------------------------------------- expectations

fn talkover_invalid(errors: Value) -> (u16, Value) {
    (
        422,
        json!({"message": "The given data was invalid.", "errors": errors}),
    )
}

fn resemble_failed(operation: &str, errors: Value) -> (u16, Value) {
    (
        422,
        json!({"success": false, "errors": errors, "message": format!("Failed to {operation} webhook")}),
    )
}

/// The request id sent with each create, echoed in AgentMessage's error bodies.
const CREATE_REQUEST_ID: &str = "01JTBQH2FZ8K1RXC0WJ4Z9P3VM";

fn agentmessage_invalid(details: Value) -> (u16, Value) {
    (
        422,
        json!({"success": false, "error": {"code": "VALIDATION_FAILED", "message": "validation failed", "request_id": CREATE_REQUEST_ID, "details": details}}),
    )
}

fn chirp_invalid(message: &str, param: &str) -> (u16, Value) {
    (
        400,
        json!({"error": {"type": "invalid_request_error", "code": "parameter_invalid", "message": message, "param": param}}),
    )
}

fn refused((status, body): (u16, Value)) -> Expect {
    Expect::Refused(status, body)
}

fn not_carried(upstream: &str) -> Value {
    json!([format!("not supported by upstream {upstream}")])
}

const RESEMBLE_SAME: &[&str] = &[
    "success",
    "message",
    "item.id",
    "item.webhook_type",
    "item.webhook_config.api_schema.url",
    "item.webhook_config.api_schema.method",
    "item.webhook_config.assignments",
    "item.webhook_config.response_timeout_secs",
];

#[tokio::test]
async fn resemble_example_against_resemble() {
    let case = Case {
        create_refused: None,
        example: Expect::Documented {
            status: 200,
            absent: &[],
            // Kept from the documented create body: PATCH changes what it names.
            extra: &[
                "item.webhook_config.api_schema.request_headers",
                "item.webhook_config.api_schema.request_body",
            ],
            same: RESEMBLE_SAME,
            sent: &[],
        },
        with_credentials: None,
    };
    run(&RESEMBLE, "resemble", case).await;
}

#[tokio::test]
async fn resemble_example_against_talkover() {
    let case = Case {
        create_refused: Some(resemble_failed(
            "create",
            json!({"webhook_config": [
                "assignments not supported by upstream talkover",
                "api_schema.request_body not supported by upstream talkover"
            ]}),
        )),
        // `"assignments": []` is none, which the webhooks behind hold: the change is made.
        example: Expect::Changed {
            status: 200,
            same: &[
                "success",
                "message",
                "item.webhook_config.api_schema.url",
                "item.webhook_config.response_timeout_secs",
            ],
        },
        with_credentials: None,
    };
    run(&RESEMBLE, "talkover", case).await;
}

#[tokio::test]
async fn resemble_example_against_agentmessage() {
    let case = Case {
        create_refused: Some(resemble_failed(
            "create",
            json!({"webhook_config": [
                "assignments not supported by upstream agentmessage",
                "api_schema.request_body not supported by upstream agentmessage",
                "api_schema.request_headers not supported by upstream agentmessage",
                "response_timeout_secs not supported by upstream agentmessage"
            ]}),
        )),
        example: refused(resemble_failed(
            "update",
            json!({"webhook_config": [
                "response_timeout_secs not supported by upstream agentmessage"
            ]}),
        )),
        with_credentials: None,
    };
    run(&RESEMBLE, "agentmessage", case).await;
}

#[tokio::test]
async fn resemble_example_against_chirp() {
    let case = Case {
        create_refused: Some(resemble_failed(
            "create",
            json!({"webhook_config": [
                "assignments not supported by upstream chirp",
                "api_schema.request_body not supported by upstream chirp",
                "response_timeout_secs not supported by upstream chirp"
            ]}),
        )),
        example: refused(resemble_failed(
            "update",
            json!({"webhook_config": [
                "response_timeout_secs not supported by upstream chirp"
            ]}),
        )),
        with_credentials: None,
    };
    run(&RESEMBLE, "chirp", case).await;
}

const TALKOVER_SAME: &[&str] = &[
    "success",
    "message",
    "data.agent_id",
    "data.name",
    "data.webhook_url",
    "data.events",
    "data.timeout",
    "data.max_retries",
    "data.enabled",
    "data.events_count",
    "data.status",
];

#[tokio::test]
async fn talkover_update_example_against_talkover() {
    let case = Case {
        create_refused: None,
        example: Expect::Documented {
            status: 200,
            absent: &[],
            extra: &[],
            same: TALKOVER_SAME,
            sent: &[],
        },
        with_credentials: None,
    };
    run(&TALKOVER_UPDATE, "talkover", case).await;
}

#[tokio::test]
async fn talkover_update_example_against_resemble() {
    // A Resemble webhook has one type: two events cannot be spelled at all.
    let events = json!({"events": ["must contain exactly one item"]});
    let case = Case {
        create_refused: Some(talkover_invalid(events.clone())),
        example: refused(talkover_invalid(events)),
        with_credentials: None,
    };
    run(&TALKOVER_UPDATE, "resemble", case).await;
}

#[tokio::test]
async fn talkover_update_example_against_agentmessage() {
    let unsupported = json!({
        "max_retries": not_carried("agentmessage"),
        "webhook_secret": not_carried("agentmessage"),
        "timeout": not_carried("agentmessage"),
    });
    let case = Case {
        create_refused: Some(talkover_invalid(unsupported.clone())),
        example: refused(talkover_invalid(unsupported)),
        with_credentials: None,
    };
    run(&TALKOVER_UPDATE, "agentmessage", case).await;
}

#[tokio::test]
async fn talkover_update_example_against_chirp() {
    let case = Case {
        create_refused: Some(talkover_invalid(json!({
            "name": not_carried("chirp"),
            "max_retries": not_carried("chirp"),
            "webhook_secret": not_carried("chirp"),
            "timeout": not_carried("chirp"),
        }))),
        example: refused(talkover_invalid(json!({
            "name": not_carried("chirp"),
            "enabled": not_carried("chirp"),
            "max_retries": not_carried("chirp"),
            "webhook_secret": not_carried("chirp"),
            "timeout": not_carried("chirp"),
        }))),
        with_credentials: None,
    };
    run(&TALKOVER_UPDATE, "chirp", case).await;
}

/// Verbatim, the AgentMessage example lacks credentials: the page's 401, whatever the upstream.
const AGENTMESSAGE_401: Expect = Expect::Documented {
    status: 401,
    absent: &[],
    extra: &[],
    same: &["success", "error.code", "error.message"],
    sent: &[],
};

#[tokio::test]
async fn agentmessage_example_against_agentmessage() {
    let case = Case {
        create_refused: None,
        example: AGENTMESSAGE_401,
        with_credentials: Some(Expect::Documented {
            status: 200,
            absent: &[],
            extra: &[],
            same: &["org_id", "active", "api_version", "deleted_at"],
            sent: &[],
        }),
    };
    run(&AGENTMESSAGE, "agentmessage", case).await;
}

#[tokio::test]
async fn agentmessage_example_against_talkover() {
    let case = Case {
        // AgentMessage's clients may leave a description out; Talkover's webhooks need one.
        create_refused: Some(agentmessage_invalid(json!({
            "description": "must have a value: the upstream requires it",
            "events": "unknown event: wallet.balance_low",
        }))),
        example: AGENTMESSAGE_401,
        with_credentials: Some(Expect::Documented {
            status: 200,
            // AgentMessage's organisation and payload version mean nothing at Talkover.
            absent: &["org_id", "api_version"],
            // Talkover webhooks are named.
            extra: &["description"],
            same: &["active", "deleted_at"],
            sent: &[],
        }),
    };
    run(&AGENTMESSAGE, "talkover", case).await;
}

#[tokio::test]
async fn agentmessage_example_against_resemble() {
    let case = Case {
        create_refused: Some(agentmessage_invalid(json!({
            "events": "unknown event: wallet.balance_low",
        }))),
        example: AGENTMESSAGE_401,
        with_credentials: Some(Expect::Documented {
            status: 200,
            absent: &["org_id", "api_version"],
            extra: &[],
            same: &["active", "deleted_at"],
            sent: &[],
        }),
    };
    run(&AGENTMESSAGE, "resemble", case).await;
}

#[tokio::test]
async fn agentmessage_example_against_chirp() {
    let case = Case {
        create_refused: None,
        example: AGENTMESSAGE_401,
        with_credentials: Some(Expect::Documented {
            status: 200,
            absent: &["org_id", "api_version"],
            extra: &[],
            same: &["active", "deleted_at"],
            sent: &[],
        }),
    };
    run(&AGENTMESSAGE, "chirp", case).await;
}

#[tokio::test]
async fn talkover_toggle_example_against_talkover() {
    let case = Case {
        create_refused: None,
        example: Expect::Documented {
            status: 200,
            absent: &[],
            extra: &[],
            same: TALKOVER_SAME,
            sent: &[],
        },
        with_credentials: None,
    };
    run(&TALKOVER_TOGGLE, "talkover", case).await;
}

#[tokio::test]
async fn talkover_toggle_example_against_resemble() {
    let case = Case {
        create_refused: Some(talkover_invalid(
            json!({"events": ["must contain exactly one item"]}),
        )),
        // Resemble webhooks are always on: there is nothing to toggle.
        example: refused(talkover_invalid(
            json!({"enabled": not_carried("resemble")}),
        )),
        with_credentials: None,
    };
    run(&TALKOVER_TOGGLE, "resemble", case).await;
}

#[tokio::test]
async fn talkover_toggle_example_against_agentmessage() {
    let case = Case {
        create_refused: Some(talkover_invalid(json!({
            "max_retries": not_carried("agentmessage"),
            "webhook_secret": not_carried("agentmessage"),
            "timeout": not_carried("agentmessage"),
        }))),
        example: Expect::Documented {
            status: 200,
            absent: &["data.timeout", "data.max_retries"],
            extra: &[],
            same: &[
                "success",
                "message",
                "data.agent_id",
                "data.enabled",
                "data.status",
            ],
            sent: &[],
        },
        with_credentials: None,
    };
    run(&TALKOVER_TOGGLE, "agentmessage", case).await;
}

#[tokio::test]
async fn talkover_toggle_example_against_chirp() {
    let case = Case {
        create_refused: Some(talkover_invalid(json!({
            "name": not_carried("chirp"),
            "max_retries": not_carried("chirp"),
            "webhook_secret": not_carried("chirp"),
            "timeout": not_carried("chirp"),
        }))),
        example: refused(talkover_invalid(json!({"enabled": not_carried("chirp")}))),
        with_credentials: None,
    };
    run(&TALKOVER_TOGGLE, "chirp", case).await;
}

#[tokio::test]
async fn chirp_example_against_chirp() {
    let case = Case {
        create_refused: None,
        example: Expect::Documented {
            status: 200,
            absent: &[],
            extra: &[],
            same: &[],
            sent: &[("url", "url"), ("events", "events"), ("headers", "headers")],
        },
        with_credentials: None,
    };
    run(&CHIRP, "chirp", case).await;
}

#[tokio::test]
async fn chirp_example_against_talkover() {
    let case = Case {
        create_refused: Some(chirp_invalid(
            "events: unknown event: MESSAGE_CREATED; description: is required (`description` of upstream talkover, which this API has no field for)",
            "events",
        )),
        example: refused(chirp_invalid(
            "events: unknown event: MESSAGE_CREATED",
            "events",
        )),
        with_credentials: None,
    };
    run(&CHIRP, "talkover", case).await;
}

#[tokio::test]
async fn chirp_example_against_resemble() {
    let case = Case {
        create_refused: Some(chirp_invalid(
            "events: unknown event: MESSAGE_CREATED",
            "events",
        )),
        example: refused(chirp_invalid(
            "events: must contain exactly one item",
            "events",
        )),
        with_credentials: None,
    };
    run(&CHIRP, "resemble", case).await;
}

#[tokio::test]
async fn chirp_example_against_agentmessage() {
    let headers = chirp_invalid("headers: not supported by upstream agentmessage", "headers");
    let case = Case {
        create_refused: Some(headers.clone()),
        example: refused(headers),
        with_credentials: None,
    };
    run(&CHIRP, "agentmessage", case).await;
}
