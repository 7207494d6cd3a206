//! A drop-in surface in front of an upstream of its own dialect. The client already speaks the
//! vendor's language, so its request and the vendor's answer travel as they are: hookgate adds
//! what it adds to every call (the credential in the vendor's terms, the vendor's declared
//! constraints and the webhook URL policy checked before a write leaves, deadlines, retries, the
//! circuit breaker, request ids, rate-limit headers) and changes nothing else. A vendor answer
//! that is not JSON is never passed on: it becomes the vendor's own error shape.
//!
//! Routes are still matched against the mapping file, and the vendor path is rebuilt from the
//! matched owner and id, so a path the dialect does not declare never reaches the vendor.

use super::vendor::VendorSurface;
use super::{object, read_bytes};
use crate::backend::Call;
use crate::backend::upstream::Upstream;
use crate::canonical::OpKind;
use crate::http::body::{self, Body};
use crate::http::json;
use crate::mapping;
use crate::problem::Problem;
use http::{Request, Response, header};
use hyper::body::Incoming;
use serde_json::{Map, Value};

/// Forwards one request of operation `spec`, already matched and authenticated.
pub async fn forward(
    surface: &VendorSurface,
    upstream: &Upstream,
    spec: &mapping::Operation,
    (owner, id): (Option<&str>, Option<&str>),
    request: Request<Incoming>,
    call: &Call,
) -> Result<Response<Body>, Problem> {
    let query = request.uri().query().map(str::to_owned);
    let body = read_bytes(request, surface.body_limit).await?;
    if matches!(spec.kind, OpKind::Create | OpKind::Update) {
        check_write(surface, upstream, spec, &body)?;
    }
    let reply = upstream
        .relay(spec, owner, id, query.as_deref(), body, call)
        .await?;
    let mut response = if reply.body.is_empty() {
        body::empty(reply.status.as_u16())
    } else if json::is_document(&reply.body) {
        let status = reply.status.as_u16();
        let retry_after = reply.headers.get(header::RETRY_AFTER).cloned();
        let mut response = body::bytes(status, reply.body, &body::JSON);
        if let Some(value) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    } else {
        return Err(upstream.unreadable(reply, spec));
    };
    call.apply_rate_limits(response.headers_mut());
    Ok(response)
}

/// What is checked before a create or update leaves: the body is one JSON object, the vendor's
/// declared constraints hold, and the webhook URL is one the policy allows.
fn check_write(
    surface: &VendorSurface,
    upstream: &Upstream,
    spec: &mapping::Operation,
    bytes: &[u8],
) -> Result<(), Problem> {
    let body = Value::Object(object(bytes)?.unwrap_or_default());
    let empty = Value::Object(Map::new());
    let item = match &spec.body_item_path {
        Some(path) => path.get(&body).unwrap_or(&empty),
        None => &body,
    };
    let webhook = &surface.dialect.webhook;
    let violations = webhook.check(spec.kind, item);
    if !violations.is_empty() {
        return Err(Problem::validation(
            violations.iter().map(|v| v.in_vendor_words()).collect(),
        ));
    }
    upstream
        .url_policy
        .check_webhook(&webhook.read(item))
        .map_err(|refusal| Problem::validation(vec![refusal.field_error()]))
}
