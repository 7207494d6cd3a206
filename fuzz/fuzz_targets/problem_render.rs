//! Arbitrary problem fields, given as a JSON object in the canonical problem's own shape
//! (`code`, `status`, `detail`, `errors`, `request_id`, `upstream`, plus `allow`, `retry_after`
//! and `operation`), rendered as the canonical API's `application/problem+json` and in each
//! shipped dialect's error envelope. Every body must be JSON, and the canonical one must say
//! what the problem says.

#![no_main]

use hookgate::frontend::vendor::problem_response;
use hookgate::problem::{Code, FieldError, Problem, UpstreamInfo};
use hookgate_fuzz::{body_bytes, dialects};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

fn text(map: &Map<String, Value>, key: &str) -> Option<String> {
    match map.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn status(map: &Map<String, Value>) -> Option<u16> {
    map.get("status")?.as_u64().map(|s| s as u16)
}

fn problem_from(map: &Map<String, Value>) -> Problem {
    // An unknown code falls back to what the status would mean from a vendor.
    let code = text(map, "code")
        .and_then(|c| Code::parse(&c))
        .unwrap_or_else(|| Code::from_upstream_status(status(map).unwrap_or(500)));
    let mut problem = Problem::new(code, text(map, "detail").unwrap_or_default());
    if let Some(Value::Array(errors)) = map.get("errors") {
        problem.errors = errors
            .iter()
            .filter_map(Value::as_object)
            .map(|e| {
                FieldError::new(
                    text(e, "field").unwrap_or_default(),
                    text(e, "message").unwrap_or_default(),
                )
            })
            .collect();
    }
    if let Some(Value::Object(up)) = map.get("upstream") {
        problem.upstream = Some(Box::new(UpstreamInfo {
            name: text(up, "name").unwrap_or_default(),
            dialect: text(up, "dialect").unwrap_or_default(),
            status: status(up),
            code: text(up, "code"),
            message: text(up, "message"),
            request_id: text(up, "request_id"),
        }));
    }
    problem.allow = text(map, "allow").map(Into::into);
    problem.retry_after = text(map, "retry_after");
    problem
}

fuzz_target!(|data: &[u8]| {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let problem = problem_from(&map);
    let request_id = text(&map, "request_id").unwrap_or_default();
    let operation = text(&map, "operation").unwrap_or_else(|| "process".into());

    let response = hookgate::http::respond::problem(&problem, &request_id);
    let status = response.status().as_u16();
    assert_eq!(status, problem.status());
    let echoed = response.headers().get("x-request-id").cloned();
    let body: Value = serde_json::from_slice(&body_bytes(response)).expect("a problem is JSON");
    assert_eq!(body["status"], Value::from(status));
    assert_eq!(body["code"], Value::from(problem.code.as_str()));
    assert_eq!(body["detail"], Value::from(problem.detail.as_str()));
    assert_eq!(body["request_id"], Value::from(request_id.as_str()));
    if let Some(echoed) = echoed {
        assert_eq!(echoed.as_bytes(), request_id.as_bytes());
    }

    for d in dialects() {
        // A problem the dialect itself raised keeps the vendor's own code.
        let mut own = problem.clone();
        if let Some(up) = &mut own.upstream {
            up.dialect = d.name.clone();
        }
        for p in [&problem, &own] {
            let response = problem_response(d, p, &request_id, &operation);
            serde_json::from_slice::<Value>(&body_bytes(response)).expect("an error body is JSON");
        }
    }
});
