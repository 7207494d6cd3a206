//! What the fuzz targets share: the shipped dialects, compiled once, and the gateway's own
//! request plan ([`hookgate::plan`]) run over scripted vendor replies instead of a network, so
//! that a target runs thousands of real translations a second.

use bytes::Bytes;
use hookgate::exchange::{Purpose, Reply, VendorRequest};
use hookgate::mapping::{self, Dialect};
use hookgate::model::{Action, Done, Operation};
use hookgate::plan::{self, Context, Plan};
use hookgate::problem::Problem;
use hookgate::url_policy::UrlPolicy;
use http_body_util::BodyExt;
use serde_json::{Map, Value};
use std::path::Path;
use std::sync::LazyLock;
use std::task::{Context as TaskContext, Poll, Waker};

/// Every dialect in `mappings/`, as `hookgate check` loads them.
pub fn dialects() -> &'static [Dialect] {
    static DIALECTS: LazyLock<Vec<Dialect>> = LazyLock::new(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../mappings");
        mapping::load_dir(&dir).expect("the shipped mapping files compile")
    });
    &DIALECTS
}

/// A URL policy that lets every well-formed URL through, so that translation is what is
/// fuzzed, not the policy.
fn policy() -> &'static UrlPolicy {
    static POLICY: LazyLock<UrlPolicy> = LazyLock::new(UrlPolicy::permissive);
    &POLICY
}

/// An operation of `action` at a dialect, with an owner where it has owners.
pub fn operation(d: &Dialect, action: Action, body: Option<Map<String, Value>>) -> Operation {
    let mut op = Operation::new(action);
    op.owner = d.has_owner().then(|| "owner-1".to_owned());
    op.id = action.has_id().then(|| "1".to_owned());
    op.body = body;
    op
}

/// A reply of the vendor.
pub fn reply(status: u16, body: impl Into<Bytes>) -> Reply {
    let headers: http::HeaderMap = [("x-request-id", "req-1"), ("retry-after", "7")]
        .into_iter()
        .map(|(k, v)| {
            (
                http::HeaderName::from_static(k),
                http::HeaderValue::from_static(v),
            )
        })
        .collect();
    Reply {
        status: http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK),
        headers: (&headers).into(),
        body: body.into(),
    }
}

/// The vendor's documented webhook, answered in the envelope of its `get`.
pub fn example_reply(d: &Dialect) -> Reply {
    let example = d
        .examples
        .first()
        .cloned()
        .unwrap_or(Value::Object(Map::new()));
    let get = d
        .operation(Action::Get)
        .expect("every dialect reads a webhook");
    let slots = |name: &str| (name == "webhook").then(|| example.clone());
    let body = get
        .response
        .as_ref()
        .and_then(|t| t.render(&slots))
        .unwrap_or(example.clone());
    reply(200, serde_json::to_vec(&body).unwrap_or_default())
}

/// Runs the gateway's plan of `op` at `d`, each vendor request answered by `answer`; returns the
/// requests made and the outcome.
pub fn run(
    d: &Dialect,
    op: Operation,
    mut answer: impl FnMut(&VendorRequest) -> Reply,
) -> (Vec<VendorRequest>, Result<Done, Problem>) {
    // No idempotency key: a create is planned as sent once.
    let plan = Plan::new(Context::new(d, &d.name, policy(), None), op);
    let mut sent = Vec::new();
    let done = plan::run_with(plan, |request| {
        let r = answer(&request);
        sent.push(request);
        Ok(r)
    });
    (sent, done)
}

/// The vendor's example for reads made first and for follow-ups, `own` for the operation's own
/// request.
pub fn scripted(d: &Dialect, own: Reply) -> impl FnMut(&VendorRequest) -> Reply + '_ {
    move |request| match request.purpose {
        Purpose::Write => own.clone(),
        Purpose::Read | Purpose::FollowUp => example_reply(d),
    }
}

/// The canonical fields of a dialect's documented webhook that its creates carry.
pub fn creatable(d: &Dialect) -> Map<String, Value> {
    let example = d
        .examples
        .first()
        .cloned()
        .unwrap_or(Value::Object(Map::new()));
    d.webhook
        .read(&example)
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| d.webhook.carries(k, Action::Create))
        .collect()
}

/// The whole body of a response hookgate built; its bodies are in memory, so one poll is enough.
pub fn body_bytes(response: http::Response<hookgate::http::body::Body>) -> Vec<u8> {
    let mut collect = std::pin::pin!(response.into_body().collect());
    let mut cx = TaskContext::from_waker(Waker::noop());
    match collect.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(collected)) => collected.to_bytes().to_vec(),
        Poll::Ready(Err(never)) => match never {},
        Poll::Pending => panic!("an in-memory body was not ready"),
    }
}
