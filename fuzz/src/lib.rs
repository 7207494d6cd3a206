//! What the fuzz targets share: the shipped dialects, compiled once, and the translation steps
//! the gateway takes, composed from hookgate's public functions in the gateway's order.
//!
//! The gateway's own orchestration (`backend::upstream`) also makes HTTP calls; the steps here
//! are the pure part of it, so a target can run thousands of them a second without a network.

use hookgate::canonical::{self, OpKind};
use hookgate::mapping::errors::Failure;
use hookgate::mapping::template::Slots;
use hookgate::mapping::{self, Dialect, Strategy};
use hookgate::problem::{Problem, UpstreamInfo};
use http_body_util::BodyExt;
use serde_json::{Map, Value};
use std::path::Path;
use std::sync::LazyLock;
use std::task::{Context, Poll, Waker};

/// Every dialect in `mappings/`, as `hookgate check` loads them.
pub fn dialects() -> &'static [Dialect] {
    static DIALECTS: LazyLock<Vec<Dialect>> = LazyLock::new(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../mappings");
        mapping::load_dir(&dir).expect("the shipped mapping files compile")
    });
    &DIALECTS
}

/// A webhook as the gateway reads it back from this dialect: its first documented example.
pub fn current_webhook(d: &Dialect) -> Map<String, Value> {
    d.examples
        .first()
        .map(|e| canonical_webhook(d, e, Some("owner-1")))
        .unwrap_or_default()
}

/// Dialect webhook → canonical webhook, as the gateway answers it.
pub fn canonical_webhook(d: &Dialect, vendor: &Value, owner: Option<&str>) -> Map<String, Value> {
    let mut webhook = d.webhook.read(vendor);
    if !webhook.contains_key("owner") {
        webhook.insert(
            "owner".into(),
            owner.map(Value::from).unwrap_or(Value::Null),
        );
    }
    canonical::derive_status(&mut webhook);
    canonical::ordered(webhook, canonical::WEBHOOK_FIELDS)
}

/// Placeholder values of a vendor request body.
pub struct RequestSlots<'a> {
    pub webhook: Option<&'a Value>,
    pub current: Option<&'a Map<String, Value>>,
}

impl Slots for RequestSlots<'_> {
    fn slot(&self, name: &str) -> Option<Value> {
        match name {
            "webhook" => self.webhook.cloned(),
            "limit" => Some(Value::from(10)),
            "cursor" => Some(Value::from("c1")),
            other => self.current?.get(other.strip_prefix("current.")?).cloned(),
        }
    }
}

/// The vendor request body of a canonical create, or `None` where the gateway refuses it
/// before any call.
pub fn create_request(d: &Dialect, body: &Map<String, Value>, lenient: bool) -> Option<Value> {
    let spec = d.operation(OpKind::Create)?;
    canonical::check_body(OpKind::Create, body).ok()?;
    let written = d.webhook.write(OpKind::Create, body, lenient).ok()?;
    if !d.webhook.check(OpKind::Create, &written.body).is_empty() {
        return None;
    }
    let slots = RequestSlots {
        webhook: Some(&written.body),
        current: None,
    };
    Some(spec.body.as_ref()?.render(&slots).unwrap_or(Value::Null))
}

/// The vendor request body of a canonical merge patch of `current`, or `None` where the gateway
/// answers without sending one (refused, or nothing changes).
pub fn update_request(
    d: &Dialect,
    current: &Map<String, Value>,
    patch: &Map<String, Value>,
    lenient: bool,
    replace_objects: bool,
) -> Option<Value> {
    let spec = d.operation(OpKind::Update)?;
    canonical::check_body(OpKind::Update, patch).ok()?;
    let written = d.webhook.write(OpKind::Update, patch, lenient).ok()?;
    let merges_objects = !replace_objects && patch.values().any(Value::is_object);
    let body = if spec.strategy == Strategy::ReadMergeWrite || merges_objects {
        let mut patch = patch.clone();
        for dropped in &written.dropped {
            patch.shift_remove(dropped.as_str());
        }
        let merged = canonical::apply_update(current, &patch, replace_objects);
        let before = d.webhook.write_all(OpKind::Update, current);
        let after = d.webhook.write_all(OpKind::Update, &merged);
        let mut changed = mapping::rules::ObjectMap::changed_heads(&before, &after);
        if let Value::Object(cleared) = &written.body {
            for (key, value) in cleared {
                if after.get(key).is_none() {
                    changed.insert(key.clone(), value.clone());
                }
            }
        }
        if changed.is_empty() {
            return None;
        }
        Value::Object(changed)
    } else {
        written.body
    };
    if !d.webhook.check(OpKind::Update, &body).is_empty() {
        return None;
    }
    let slots = RequestSlots {
        webhook: Some(&body),
        current: Some(current),
    };
    Some(spec.body.as_ref()?.render(&slots).unwrap_or(Value::Null))
}

/// What the gateway makes of a vendor answer to one operation: the canonical outcome, or the
/// problem the vendor's failure translates into.
pub enum Answer {
    Webhooks(Vec<Map<String, Value>>),
    TestResult(Map<String, Value>),
    Malformed,
    Failed(Box<Problem>),
}

/// A vendor's answer body as the gateway parses it: `Null` when empty, `None` when not JSON.
pub fn parse_answer(bytes: &[u8]) -> Option<Value> {
    if bytes.is_empty() {
        Some(Value::Null)
    } else {
        serde_json::from_slice::<Value>(bytes).ok()
    }
}

/// Reads a vendor answer to `spec` the way the gateway's upstream does; `parsed` is
/// [`parse_answer`] of `bytes`.
pub fn read_answer(
    d: &Dialect,
    spec: &mapping::Operation,
    status: u16,
    bytes: &[u8],
    parsed: Option<&Value>,
) -> Answer {
    let body = match parsed {
        Some(body) if !d.errors.is_failure(status, body) => body,
        None if (200..300).contains(&status) => return Answer::Malformed,
        _ => {
            let failure = Failure {
                status,
                body: parsed.filter(|_| !bytes.is_empty()),
                header_request_id: Some("req-1"),
                retry_after: Some("7"),
            };
            let info = UpstreamInfo {
                name: d.name.clone(),
                dialect: d.name.clone(),
                ..UpstreamInfo::default()
            };
            return Answer::Failed(Box::new(d.errors.read(&failure, &d.webhook, info)));
        }
    };
    match spec.kind {
        OpKind::List => spec
            .items_paths
            .iter()
            .find_map(|p| p.get(body).and_then(Value::as_array))
            .map_or(Answer::Malformed, |items| {
                Answer::Webhooks(
                    items
                        .iter()
                        .map(|item| canonical_webhook(d, item, Some("owner-1")))
                        .collect(),
                )
            }),
        OpKind::Test => {
            spec.item_paths
                .iter()
                .find_map(|p| p.get(body))
                .map_or(Answer::Malformed, |found| {
                    Answer::TestResult(canonical::ordered(
                        d.test_result.read(found),
                        canonical::TEST_RESULT_FIELDS,
                    ))
                })
        }
        OpKind::Delete => Answer::Webhooks(Vec::new()),
        _ => spec
            .item_paths
            .iter()
            .find_map(|p| p.get(body).filter(|v| v.is_object()))
            .map_or(Answer::Malformed, |found| {
                Answer::Webhooks(vec![canonical_webhook(d, found, Some("owner-1"))])
            }),
    }
}

/// The whole body of a response hookgate built; its bodies are in memory, so one poll is enough.
pub fn body_bytes(response: http::Response<hookgate::http::body::Body>) -> Vec<u8> {
    let mut collect = std::pin::pin!(response.into_body().collect());
    let mut cx = Context::from_waker(Waker::noop());
    match collect.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(collected)) => collected.to_bytes().to_vec(),
        Poll::Ready(Err(never)) => match never {},
        Poll::Pending => panic!("an in-memory body was not ready"),
    }
}
