//! Vendor failures and results told faithfully, for every loaded dialect, against doubles that
//! answer in each vendor's own shapes: a status with a meaning of its own keeps it whatever
//! code the body carries; a test delivery that failed is a result, not an error; field errors
//! on an array's items name the array and keep the index; a pass-through surface checks body
//! types before anything reaches the vendor; and a vendor message that echoes the request's
//! secrets never carries them into the logs. Drop-in surfaces show each of these in their own
//! dialect's shape.

mod support;

use hookgate::mapping::Dialect;
use hookgate::mapping::errors::{Failure, Form};
use hookgate::model::Action;
use hookgate::problem::{Code, UpstreamInfo};
use serde_json::{Map, Value, json};
use std::path::Path;
use support::{Answer, Double, Reply, gateway, send};

fn dialects() -> Vec<Dialect> {
    hookgate::mapping::load_dir(Path::new(support::MAPPINGS)).unwrap()
}

/// A value of the shape a dialect declares (an owner or an id), or a UUID where it declares none.
fn value_for(format: Option<&hookgate::mapping::url::Format>) -> &'static str {
    let candidates = ["0199a1b2-0000-7000-8000-000000000001", "12345", "app_1"];
    format.map_or(candidates[0], |f| {
        candidates
            .into_iter()
            .find(|c| f.admits(c))
            .expect("a sample value of the declared format")
    })
}

/// The owner of dialect `d`'s webhooks the tests name: its documented example's, which the
/// vendor doubles answer with, else one of its format.
fn owner_of(d: &Dialect) -> Option<String> {
    support::owner(d)
}

/// The canonical path of a webhook of upstream `u`, and of its collection.
fn canonical_paths(d: &Dialect) -> (String, String) {
    let base = match owner_of(d) {
        Some(owner) => format!("/v1/upstreams/u/owners/{owner}/webhooks"),
        None => "/v1/upstreams/u/webhooks".to_owned(),
    };
    (format!("{base}/{}", id_of(d)), base)
}

/// The id of dialect `d`'s webhook the tests name: its documented example's, which the vendor
/// doubles answer a read with, else one of its format.
fn id_of(d: &Dialect) -> String {
    let example = d.examples.first().and_then(|e| {
        let read = d.webhook.read(e).ok()?;
        read.get("id").map(support::id_text)
    });
    example.unwrap_or_else(|| value_for(d.id_format.as_ref()).to_owned())
}

/// A token file for an upstream's bearer credential, unique to the double's port.
fn token_file(double: &Double, token: &str) -> String {
    let file = std::env::temp_dir().join(format!(
        "hookgate-vendor-errors-{}-{}",
        std::process::id(),
        double.addr.port()
    ));
    std::fs::write(&file, token).unwrap();
    format!("{file:?}")
}

/// One upstream `u` of dialect `d` at the double.
fn upstream(d: &Dialect, double: &Double) -> String {
    upstream_with(d, double, "upstream-token-0001")
}

/// One upstream `u` of dialect `d` at the double, holding `token`.
fn upstream_with(d: &Dialect, double: &Double, token: &str) -> String {
    format!(
        "[upstreams.u]\ndialect = \"{}\"\nbase_url = \"{}\"\nauth = {{ type = \"bearer\", token_file = {} }}\nretries = 0\n",
        d.name,
        double.url(),
        token_file(double, token)
    )
}

/// A surface of dialect `s` under `/s` in front of upstream `u`, bridging one owner where only
/// one of them has owners, and the path of `action` on it.
fn surface(s: &Dialect, u: &Dialect, action: Action) -> (String, Option<(String, String)>) {
    let bridged = match (s.has_owner(), u.has_owner()) {
        (true, false) => owner_of(s),
        (false, true) => owner_of(u),
        _ => None,
    };
    let mut config = format!(
        "[surfaces.s]\ndialect = \"{}\"\nupstream = \"u\"\nprefix = \"/s\"\n",
        s.name
    );
    if let Some(owner) = &bridged {
        config.push_str(&format!("owner = \"{owner}\"\n"));
    }
    let owner = s.has_owner().then(|| owner_of(u).or(bridged).unwrap());
    let id = id_of(u);
    let path = s.operation(action).map(|e| {
        (
            e.method.to_string(),
            e.path
                .render(&["/s", &s.base_path], owner.as_deref(), Some(&id)),
        )
    });
    (config, path)
}

/// `action` as a client of a surface of `s` sends it, through a gateway whose upstream `u` is
/// `double`; the gateway is stopped before the answer is returned.
async fn through_surface(
    s: &Dialect,
    u: &Dialect,
    double: &Double,
    action: Action,
    body: Option<&Value>,
) -> Answer {
    let (config, path) = surface(s, u, action);
    let gw = gateway(&format!("{}{config}", upstream(u, double))).await;
    let (method, path) = path.unwrap();
    let a = send(
        gw.addr,
        &method,
        &path,
        &[("authorization", "Bearer client-token-0001")],
        body,
    )
    .await;
    gw.stop().await;
    a
}

/// Another dialect to stand behind a surface of `s`: one with the operation, preferring the
/// same owner scope.
fn partner<'a>(s: &Dialect, all: &'a [Dialect], action: Action) -> Option<&'a Dialect> {
    let others = || {
        all.iter()
            .filter(move |u| u.name != s.name && u.operation(action).is_some())
    };
    others()
        .find(|u| u.has_owner() == s.has_owner())
        .or_else(|| others().next())
}

/// A failure in `d`'s own error shape: the failure flag cleared, the message at the first
/// place the dialect reads one, the code at every place it reads one.
fn failure_body(d: &Dialect, code: Option<&str>, message: &str) -> Value {
    let mut body = json!({});
    if let Some(flag) = &d.errors.flag {
        flag.set(&mut body, json!(false));
    }
    if let Some(at) = d.errors.message.first() {
        at.set(&mut body, json!(message));
    }
    for at in code.iter().flat_map(|_| &d.errors.code) {
        at.set(&mut body, json!(code));
    }
    body
}

/// What `d`'s own clients read in an error answer.
fn read_as_client(d: &Dialect, answer: &Answer) -> hookgate::problem::Problem {
    let body: Value = serde_json::from_slice(&answer.body).unwrap_or_else(|_| {
        panic!(
            "{}: not JSON: {}",
            d.name,
            String::from_utf8_lossy(&answer.body)
        )
    });
    let failure = Failure {
        status: answer.status,
        body: Some(&body),
        header_request_id: None,
        retry_after: None,
        text: None,
        raw: &[],
    };
    d.errors.read(&failure, &d.webhook, UpstreamInfo::default())
}

/// Failure bodies as the vendors' documents print them (`/work/shared/dialects/*.md`).
const LITERAL_REFUSALS: [&str; 5] = [
    r#"{"error":{"type":"authentication_error","message":"Invalid API key"}}"#,
    r#"{"success":false,"error":{"code":"FORBIDDEN","message":"missing required scope","request_id":"01JTBQH2FZ8K1RXC0WJ4Z9P3VM"}}"#,
    r#"{"success":false,"error":{"code":"UNAUTHORIZED","message":"authentication failed","request_id":"01JTBQH2FZ8K1RXC0WJ4Z9P3VM"}}"#,
    r#"{"code":"authentication_failed","detail":"Invalid token"}"#,
    r#"{"success":false,"message":"Token doesn't have required permissions"}"#,
];

/// Statuses whose meaning no vendor code may change, and what each means canonically.
const DECISIVE: [(u16, &str); 6] = [
    (401, "unauthorized"),
    (403, "forbidden"),
    (404, "not_found"),
    (409, "conflict"),
    (410, "gone"),
    (429, "rate_limited"),
];

#[tokio::test]
async fn a_status_with_a_meaning_of_its_own_is_never_recoded_by_a_vendor_code() {
    for d in dialects() {
        // Every code the dialect knows, none, and every documented refusal body.
        let mut bodies: Vec<Value> = vec![failure_body(&d, None, "refused")];
        bodies.extend(
            d.errors
                .codes
                .iter()
                .map(|(vendor, _)| failure_body(&d, Some(vendor), "refused")),
        );
        bodies.extend(
            LITERAL_REFUSALS
                .iter()
                .map(|t| serde_json::from_str(t).unwrap()),
        );
        let mut script = Vec::new();
        let mut expected = Vec::new();
        for (status, canonical) in DECISIVE {
            for body in &bodies {
                script.push(Reply::json(status, body.clone()));
                expected.push((status, canonical, body.clone()));
            }
        }
        let double = Double::start(script).await;
        let gw = gateway(&upstream(&d, &double)).await;
        let (one, _) = canonical_paths(&d);
        for (status, canonical, body) in expected {
            let a = send(gw.addr, "GET", &one, &[], None).await;
            let p = a.json();
            assert_eq!(
                (a.status, p["code"].as_str().unwrap()),
                (status, canonical),
                "{}: {status} with {body}: {p}",
                d.name
            );
            assert_eq!(p["upstream"]["status"], status, "{}", d.name);
        }
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_vendor_403_reaches_a_surface_client_as_that_surfaces_own_403() {
    let all = dialects();
    for s in &all {
        let Some(u) = partner(s, &all, Action::Get) else {
            continue;
        };
        // The backend's refusal under the code it also uses for 401, where it has one.
        let code = u
            .errors
            .codes
            .iter()
            .find(|(_, c)| *c == Code::Unauthorized)
            .or_else(|| u.errors.codes.iter().find(|(_, c)| *c == Code::Forbidden))
            .map(|(v, _)| v.as_str());
        let double = Double::start(vec![Reply::json(
            403,
            failure_body(u, code, "Token doesn't have required permissions"),
        )])
        .await;
        let a = through_surface(s, u, &double, Action::Get, None).await;
        let what = format!("{} in front of {}", s.name, u.name);
        assert_eq!(
            a.status,
            403,
            "{what}: {}",
            String::from_utf8_lossy(&a.body)
        );
        assert_ne!(
            a.header("content-type"),
            Some("application/problem+json"),
            "{what}: the canonical problem instead of the surface's own shape"
        );
        let read = read_as_client(s, &a);
        assert_eq!(read.code, Code::Forbidden, "{what}");
        // A dialect with codes for refusals spells a 403 with one of them.
        let refusal_codes: Vec<&str> = s
            .errors
            .codes
            .iter()
            .filter(|(_, c)| matches!(c, Code::Forbidden | Code::Unauthorized))
            .map(|(v, _)| v.as_str())
            .collect();
        if !refusal_codes.is_empty() {
            let spelled = read.upstream.and_then(|u| u.code).unwrap_or_default();
            assert!(
                refusal_codes.contains(&spelled.as_str()),
                "{what}: a 403 spelled `{spelled}`, not one of {refusal_codes:?}"
            );
        }
    }
}

/// A vendor's answer to `endpoint`: `inner` placed where the endpoint's response template puts
/// `slot`.
fn enveloped(d: &Dialect, action: Action, slot: &str, inner: Value) -> Value {
    let template = d
        .operation(action)
        .and_then(|e| e.response.as_ref())
        .unwrap();
    let fill = |name: &str| match name {
        n if n == slot => Some(inner.clone()),
        "request_id" => Some(json!("req-1")),
        _ => None,
    };
    template.render(&fill).unwrap()
}

/// The reads a test at `d` makes first (its body names the current webhook), then `answer`.
fn test_script(d: &Dialect, answer: Value) -> Vec<Reply> {
    let mut script = Vec::new();
    if d.operation(Action::Test).unwrap().needs_current {
        let example = d.examples[0].clone();
        script.push(Reply::json(
            200,
            enveloped(d, Action::Get, "webhook", example),
        ));
    }
    script.push(Reply::json(200, answer));
    script
}

/// Test answers that report a delivery which failed: the documents' own (a 200 with the
/// failure flag, an outcome of `dead`), and for every dialect that reads a delivery outcome,
/// one rendered through its own rules.
fn failed_deliveries(d: &Dialect) -> Vec<(Value, Option<String>)> {
    let literal = [
        (
            json!({"success": false, "message": "Webhook test failed: Connection timeout"}),
            "Webhook test failed: Connection timeout",
        ),
        (
            json!({"success": false, "message": "Webhook test failed: HTTP 500 Internal Server Error"}),
            "Webhook test failed: HTTP 500 Internal Server Error",
        ),
        (
            json!({"event_id": "evt_0199a1b2-0000-7000-8000-000000000009", "outcome": "dead", "url": "https://example.com/hook", "response_status": 500, "response_time_ms": 812, "response_body_excerpt": "oops", "error": "receiver answered 500"}),
            "receiver answered 500",
        ),
    ];
    let mut out: Vec<(Value, Option<String>)> = literal
        .into_iter()
        .filter(|(body, _)| {
            d.test_result.read(body).unwrap().get("delivered") == Some(&json!(false))
        })
        .map(|(body, message)| (body, Some(message.to_owned())))
        .collect();
    let mut result = Map::new();
    result.insert("delivered".into(), json!(false));
    result.insert(
        "message".into(),
        json!("Webhook test failed: connection refused"),
    );
    result.insert("response_status".into(), json!(502));
    if let Ok(rendered) = d.test_result.render(&result) {
        let body = enveloped(d, Action::Test, "result", rendered);
        let message = d
            .test_result
            .reading("message")
            .map(|_| "Webhook test failed: connection refused".to_owned());
        out.push((body, message));
    }
    out
}

fn reads_deliveries(d: &Dialect) -> bool {
    d.operation(Action::Test).is_some() && d.test_result.reading("delivered").is_some()
}

#[tokio::test]
async fn a_failed_test_delivery_is_a_result_on_the_canonical_api() {
    let mut tried = 0;
    for d in dialects().iter().filter(|d| reads_deliveries(d)) {
        for (answer, message) in failed_deliveries(d) {
            let double = Double::start(test_script(d, answer.clone())).await;
            let gw = gateway(&upstream(d, &double)).await;
            let (one, _) = canonical_paths(d);
            let a = send(gw.addr, "POST", &format!("{one}/test"), &[], None).await;
            let result = a.json();
            assert_eq!(a.status, 200, "{} with {answer}: {result}", d.name);
            assert_eq!(result["delivered"], false, "{}: {result}", d.name);
            // The vendor's reason: the message where the dialect maps one, kept either way.
            if let Some(message) = message {
                if d.test_result.reading("message").is_some() {
                    assert_eq!(result["message"], message.as_str(), "{}", d.name);
                }
                assert!(
                    result.to_string().contains(&message),
                    "{}: {result}",
                    d.name
                );
            }
            tried += 1;
            gw.stop().await;
        }
    }
    assert!(tried >= 4, "failed deliveries tried: {tried}");
}

#[tokio::test]
async fn a_failed_test_delivery_is_a_result_on_every_surface() {
    let all = dialects();
    let mut tried = 0;
    for s in all.iter().filter(|d| reads_deliveries(d)) {
        for u in all
            .iter()
            .filter(|u| u.name != s.name && reads_deliveries(u))
        {
            let (answer, _) = failed_deliveries(u).pop().unwrap();
            let double = Double::start(test_script(u, answer)).await;
            let a = through_surface(s, u, &double, Action::Test, None).await;
            let what = format!("{} in front of {}", s.name, u.name);
            let body: Value = serde_json::from_slice(&a.body).unwrap();
            let endpoint = s.operation(Action::Test).unwrap();
            assert_eq!(a.status, endpoint.status, "{what}: {body}");
            let result = endpoint
                .item_paths
                .iter()
                .find_map(|p| p.get(&body))
                .unwrap_or_else(|| panic!("{what}: no result in {body}"));
            assert_eq!(
                s.test_result.read(result).unwrap().get("delivered"),
                Some(&json!(false)),
                "{what}: {body}"
            );
            tried += 1;
        }
    }
    assert!(tried >= 2, "surfaces tried: {tried}");
}

/// A create body the dialect's own checks pass: its first example, as far as a create carries it.
fn create_body(d: &Dialect) -> Value {
    let example = d.webhook.read(&d.examples[0]).unwrap();
    Value::Object(
        example
            .into_iter()
            .filter(|(k, _)| d.webhook.carries(k, Action::Create))
            .collect(),
    )
}

/// Field errors on items of `name` in `form`: `name.1` or `name[1]`, as lists and strings key
/// them, a `param` names one, or an `items` entry locates one (by a dotted string, or by
/// segments with the index as a number).
fn item_errors(form: &Form, name: &str, spelling: &str, message: &str) -> Vec<Value> {
    match form {
        Form::Lists => vec![json!({ spelling: [message] })],
        Form::Strings => vec![json!({ spelling: message })],
        Form::Param => vec![json!(spelling)],
        Form::Items(items) => {
            let mut by_segments = json!({});
            let mut segments = items.skip.clone();
            segments.extend([json!(name), json!(1)]);
            items.field.set(&mut by_segments, Value::Array(segments));
            items.message.set(&mut by_segments, json!(message));
            let mut dotted = json!({});
            let mut segments = items.skip.clone();
            segments.push(json!(spelling));
            items.field.set(&mut dotted, Value::Array(segments));
            items.message.set(&mut dotted, json!(message));
            vec![json!([by_segments]), json!([dotted])]
        }
        // A code stands for a field and a message, never for an item of an array.
        Form::Codes(_) => Vec::new(),
    }
}

#[tokio::test]
async fn field_errors_on_array_items_name_the_array_and_keep_the_index() {
    let mut tried = 0;
    for d in dialects() {
        let Some(events) = d.webhook.reading("events").and_then(|r| r.path.clone()) else {
            continue;
        };
        if d.operation(Action::Create).is_none() {
            continue;
        }
        let name = events.to_string();
        let status = d
            .errors
            .template_for(Code::ValidationFailed)
            .status
            .unwrap_or(422);
        for (at, form) in &d.errors.field_errors {
            for spelling in [format!("{name}.1"), format!("{name}[1]")] {
                let message = format!("The selected {spelling} is invalid.");
                for errors in item_errors(form, &name, &spelling, &message) {
                    let mut body = failure_body(&d, None, &message);
                    at.set(&mut body, errors);
                    let double = Double::start(vec![Reply::json(status, body.clone())]).await;
                    let gw = gateway(&upstream(&d, &double)).await;
                    let (_, many) = canonical_paths(&d);
                    let a = send(gw.addr, "POST", &many, &[], Some(&create_body(&d))).await;
                    let p = a.json();
                    assert_eq!(a.status, 422, "{}: {body}: {p}", d.name);
                    assert_eq!(
                        p["errors"],
                        json!([{"field": "events", "message": format!("events[1]: {message}")}]),
                        "{}: {body}",
                        d.name
                    );
                    assert_eq!(p["detail"], format!("events[1]: {message}"));
                    tried += 1;
                    gw.stop().await;
                }
            }
        }
    }
    assert!(tried >= 8, "bodies tried: {tried}");
}

#[tokio::test]
async fn a_surface_client_reads_an_item_error_under_its_own_name_for_the_array() {
    let all = dialects();
    let mut tried = 0;
    for u in &all {
        let (Some(events), Some((at, form))) = (
            u.webhook.reading("events").and_then(|r| r.path.clone()),
            u.errors.field_errors.first(),
        ) else {
            continue;
        };
        if u.operation(Action::Create).is_none() {
            continue;
        }
        for s in all.iter().filter(|s| s.name != u.name) {
            let (Some(create), Some(own)) = (
                s.operation(Action::Create),
                s.webhook.reading("events").and_then(|r| r.path.clone()),
            ) else {
                continue;
            };
            // The surface's own example, with the backend's event names, as its clients write it.
            let Ok(webhook) = s.webhook.render(&create_body_of(s, u)) else {
                continue;
            };
            let request = match &create.body {
                Some(t) => t
                    .render(&|n: &str| (n == "webhook").then(|| webhook.clone()))
                    .unwrap(),
                None => webhook,
            };
            let name = events.to_string();
            let spelling = format!("{name}.1");
            let message = "unknown event type";
            let mut body = failure_body(u, None, message);
            at.set(
                &mut body,
                item_errors(form, &name, &spelling, message).remove(0),
            );
            let double = Double::start(vec![Reply::json(422, body.clone())]).await;
            let a = through_surface(s, u, &double, Action::Create, Some(&request)).await;
            if double.seen().is_empty() {
                // Refused before the vendor (a field one of them cannot carry): not this case.
                continue;
            }
            let what = format!("{} in front of {}", s.name, u.name);
            let text = String::from_utf8_lossy(&a.body);
            assert!(
                text.contains(&format!("{own}[1]: {message}")),
                "{what}: the item under `{own}`: {text}"
            );
            let read = read_as_client(s, &a);
            assert!(
                read.errors.iter().any(|e| e.message.contains(message)),
                "{what}: {text}"
            );
            tried += 1;
        }
    }
    assert!(tried >= 8, "surfaces tried: {tried}");
}

/// A canonical create that both a surface of `s` and upstream `u` accept: the members of
/// `s`'s example that `u` carries, completed from `u`'s example where `s` carries the member,
/// with `u`'s event names.
fn create_body_of(s: &Dialect, u: &Dialect) -> Map<String, Value> {
    let writes = |d: &Dialect, name: &str| {
        d.webhook.carries(name, Action::Create) || d.resource_of(name).is_some()
    };
    let (Value::Object(own), Value::Object(theirs)) = (create_body(s), create_body(u)) else {
        unreachable!()
    };
    let mut body: Map<String, Value> = own.into_iter().filter(|(k, _)| writes(u, k)).collect();
    for (k, v) in theirs {
        if k == "events" || (writes(s, &k) && !body.contains_key(&k)) {
            body.insert(k, v);
        }
    }
    body.remove("secret");
    body
}

/// Values of another JSON type than `value`.
fn wrong_types(value: &Value) -> Vec<Value> {
    let all = [
        json!(42),
        json!("text"),
        json!(["https://a.example/hook", "https://b.example/hook"]),
        json!({"url": "https://a.example/hook"}),
        json!(true),
    ];
    let kind = |v: &Value| std::mem::discriminant(v);
    all.into_iter().filter(|v| kind(v) != kind(value)).collect()
}

#[tokio::test]
async fn a_pass_through_surface_never_sends_a_body_of_the_wrong_types() {
    let mut tried = 0;
    for d in dialects() {
        let double = Double::start(Vec::new()).await;
        let config = format!(
            "[upstreams.u]\ndialect = \"{0}\"\nbase_url = \"{1}\"\nauth = {{ type = \"passthrough\" }}\n\
             [surfaces.s]\ndialect = \"{0}\"\nupstream = \"u\"\nprefix = \"/s\"\n",
            d.name,
            double.url()
        );
        let gw = gateway(&config).await;
        let status = d
            .errors
            .template_for(Code::ValidationFailed)
            .status
            .unwrap_or(422);
        for action in [Action::Create, Action::Update] {
            let Some(endpoint) = d.operation(action) else {
                continue;
            };
            let id = (action == Action::Update).then(|| value_for(d.id_format.as_ref()));
            let path = endpoint
                .path
                .render(&["/s", &d.base_path], owner_of(&d).as_deref(), id);
            for (name, error_field, at, wrong) in wrongly_typed(&d, action) {
                // A create sends the whole example; an update the one member.
                let mut item = match action {
                    Action::Create => d.examples[0].clone(),
                    _ => json!({}),
                };
                at.set(&mut item, wrong.clone());
                let body = match &endpoint.body {
                    Some(t) => t
                        .render(&|n: &str| (n == "webhook").then(|| item.clone()))
                        .unwrap(),
                    None => item,
                };
                let a = send(
                    gw.addr,
                    endpoint.method.as_str(),
                    &path,
                    &[("authorization", "Bearer client-token-0001")],
                    Some(&body),
                )
                .await;
                let what = format!("{} {}: {name} = {wrong}", d.name, action.name());
                let text = String::from_utf8_lossy(&a.body).into_owned();
                assert_eq!(a.status, status, "{what}: {text}");
                assert_ne!(
                    a.header("content-type"),
                    Some("application/problem+json"),
                    "{what}: the canonical problem instead of the surface's own shape"
                );
                assert!(
                    text.contains(error_field.as_str()),
                    "{what}: `{error_field}` not named in {text}"
                );
                tried += 1;
            }
        }
        assert!(
            double.seen().is_empty(),
            "{}: a body reached the vendor",
            d.name
        );
        gw.stop().await;
    }
    assert!(tried >= 40, "bodies tried: {tried}");
}

/// Every member a client of `d` writes in `action` that its first example holds (the url
/// among them), each with values of other JSON types: its name, its name in errors, where it
/// is, and the wrong value.
fn wrongly_typed(
    d: &Dialect,
    action: Action,
) -> Vec<(
    String,
    String,
    hookgate::mapping::json_path::FieldPath,
    Value,
)> {
    let example = &d.examples[0];
    let members: Vec<_> = d
        .webhook
        .rules
        .iter()
        .filter(|r| r.request && r.target.name() != "secret")
        .filter(|r| !r.target.name().starts_with("extensions."))
        .filter(|r| d.webhook.carries(&r.target.name(), action))
        .filter_map(|r| {
            let path = r.path.clone()?;
            let value = path.get(example)?.clone();
            Some((r.target.name(), r.error_field.clone(), path, value))
        })
        .collect();
    assert!(
        members.iter().any(|(name, ..)| name == "url"),
        "{}: the example has a url",
        d.name
    );
    members
        .into_iter()
        .flat_map(|(name, field, path, value)| {
            wrong_types(&value)
                .into_iter()
                .map(move |w| (name.clone(), field.clone(), path.clone(), w))
        })
        .collect()
}

/// Secrets a request carries, which the vendors below echo.
const SECRET: &str = "whsec_echoedSigningSecret0042echoedSigning0042";
const HEADER_VALUE: &str = "hdr-echoed-credential-0042";
const CLIENT_TOKEN: &str = "client-echoed-token-0042";
const UPSTREAM_TOKEN: &str = "upstream-echoed-token-0042";

fn assert_not_logged(what: &str, carried: &[&str]) {
    let log = support::secrets::logged();
    for secret in carried {
        if let Some(at) = log.find(secret) {
            let start = log[..at].rfind('\n').map_or(0, |n| n + 1);
            let end = log[at..].find('\n').map_or(log.len(), |n| at + n);
            panic!("{what}: a secret reached the logs: {}", &log[start..end]);
        }
    }
}

#[tokio::test]
async fn a_vendor_message_that_echoes_the_requests_secrets_never_reaches_the_logs() {
    let mut tried = 0;
    for d in dialects() {
        if d.operation(Action::Create).is_none() {
            continue;
        }
        let Value::Object(mut body) = create_body(&d) else {
            unreachable!()
        };
        let writes =
            |name: &str| d.webhook.carries(name, Action::Create) || d.resource_of(name).is_some();
        // The vendor echoes what the request carried: its tokens, and the secret and custom
        // header value where the dialect writes them.
        let mut carried = vec![CLIENT_TOKEN, UPSTREAM_TOKEN];
        if writes("secret") {
            body.insert("secret".into(), json!(SECRET));
            carried.push(SECRET);
        }
        if writes("headers") {
            body.insert("headers".into(), json!({"X-Custom-Auth": HEADER_VALUE}));
            carried.push(HEADER_VALUE);
        }
        let echo = format!("bad request, not accepted: {}", carried.join(", "));
        // The message echoed in a 500 (logged as a failure) and in a field error (a refusal).
        let mut field_error = failure_body(&d, None, &echo);
        if let Some((at, form)) = d.errors.field_errors.first() {
            let url = d
                .webhook
                .reading("url")
                .and_then(|r| r.path.clone())
                .unwrap();
            let name = url.to_string();
            at.set(
                &mut field_error,
                item_errors(form, &name, &name, &echo).remove(0),
            );
        }
        for (status, answer) in [(500, failure_body(&d, None, &echo)), (422, field_error)] {
            let double = Double::start(vec![Reply::json(status, answer)]).await;
            let config = upstream_with(&d, &double, UPSTREAM_TOKEN);
            let gw = gateway(&config).await;
            let (_, many) = canonical_paths(&d);
            let bearer = format!("Bearer {CLIENT_TOKEN}");
            let a = send(
                gw.addr,
                "POST",
                &many,
                &[("authorization", &bearer)],
                Some(&Value::Object(body.clone())),
            )
            .await;
            let what = format!("{} answering {status}", d.name);
            assert_eq!(double.seen().len(), 1, "{what}: {}", a.json());
            assert!(a.status >= 400, "{what}");
            assert_not_logged(&what, &carried);
            let text = String::from_utf8_lossy(&a.body);
            assert!(text.contains("[redacted]"), "{what}: {text}");
            tried += 1;
            gw.stop().await;
        }
    }
    assert!(tried >= 6, "answers tried: {tried}");
}
