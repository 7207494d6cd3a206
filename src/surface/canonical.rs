//! The canonical API (contract §2): routes, bodies and problems.

use super::{query_pairs, read_object, segments};
use crate::auth::Scope;
use crate::backend::upstream::Upstream;
use crate::backend::{Call, Done};
use crate::canonical::{ListQuery, OpKind, Operation, Outcome};
use crate::http::body::{self, Body, BodyLimit};
use crate::http::headers::{self, DROPPED_FIELDS, PREFERENCE_APPLIED, X_REQUEST_ID};
use crate::problem::{Code, Problem};
use http::{Method, Request, Response, header};
use hyper::body::Incoming;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use tracing::Instrument;

pub struct CanonicalApi {
    pub inbound: crate::auth::Inbound,
    pub upstreams: BTreeMap<String, Arc<Upstream>>,
    pub default_upstream: Option<String>,
    pub body_limit: BodyLimit,
}

/// Where a canonical request is going.
#[derive(Debug, PartialEq)]
enum Route {
    Upstreams,
    Webhooks {
        upstream: Option<String>,
        owner: Option<String>,
        id: Option<String>,
        action: Option<OpKind>,
    },
}

fn route(parts: &[String]) -> Option<Route> {
    let mut rest = parts.strip_prefix(&["v1".to_owned()])?;
    if rest == ["upstreams"] {
        return Some(Route::Upstreams);
    }
    let mut upstream = None;
    let mut owner = None;
    if let [first, name, tail @ ..] = rest
        && first == "upstreams"
    {
        upstream = Some(name.clone());
        rest = tail;
    }
    if let [first, name, tail @ ..] = rest
        && first == "owners"
    {
        owner = Some(name.clone());
        rest = tail;
    }
    let (id, action) = match rest {
        [w] if w == "webhooks" => (None, None),
        [w, id] if w == "webhooks" => (Some(id.clone()), None),
        [w, id, a] if w == "webhooks" && a == "test" => (Some(id.clone()), Some(OpKind::Test)),
        [w, id, a] if w == "webhooks" && a == "rotate-secret" => {
            (Some(id.clone()), Some(OpKind::RotateSecret))
        }
        _ => return None,
    };
    Some(Route::Webhooks {
        upstream,
        owner,
        id,
        action,
    })
}

impl CanonicalApi {
    /// Answers one canonical request; errors are rendered here and nowhere else.
    pub async fn handle(&self, request: Request<Incoming>, request_id: &str) -> Response<Body> {
        let call = Call::new(request_id, request.headers());
        let mut served = None;
        let answer = self.dispatch(request, &call, &mut served).await;
        let response = finish(answer, &call);
        let (upstream, operation) = match &served {
            Some((upstream, kind)) => (upstream.name.as_str(), kind.name()),
            None => ("", "none"),
        };
        crate::metrics::get().request("canonical", upstream, operation, response.status().as_u16());
        response
    }

    async fn dispatch(
        &self,
        request: Request<Incoming>,
        call: &Call,
        served: &mut Option<(Arc<Upstream>, OpKind)>,
    ) -> Result<Response<Body>, Problem> {
        let request_id = call.request_id.as_str();
        let parts = segments(request.uri().path())
            .ok_or_else(|| Problem::bad_request("the path is not valid UTF-8"))?;
        let route = route(&parts)
            .ok_or_else(|| Problem::not_found(format!("no route for {}", request.uri().path())))?;
        let (upstream, owner, id, action) = match route {
            Route::Upstreams => {
                self.inbound
                    .authorize(request.headers(), Scope::Read, None)?;
                return match *request.method() {
                    Method::GET | Method::HEAD => {
                        Ok(body::json(200, &self.describe(), &body::JSON))
                    }
                    _ => Err(Problem::method_not_allowed(&["GET", "HEAD"])),
                };
            }
            Route::Webhooks {
                upstream,
                owner,
                id,
                action,
            } => (upstream, owner, id, action),
        };
        let allow = allowed_methods(id.is_some(), action.is_some());
        let mut op = operation(request.method(), owner, id, action)?;
        let kind = op.kind;
        let upstream = self.upstream(upstream.as_deref())?;
        self.inbound
            .authorize(request.headers(), Scope::of(kind), Some(&upstream.name))?;
        *served = Some((upstream.clone(), kind));
        let span = tracing::info_span!("request", request_id, upstream = %upstream.name, dialect = %upstream.dialect.name, operation = %kind);
        op.lenient = headers::prefers_lenient(request.headers());
        if kind == OpKind::List {
            op.query = list_query(request.uri().query())?;
        }
        if matches!(kind, OpKind::Create | OpKind::Update) {
            if !headers::is_json(request.headers(), kind == OpKind::Update) {
                let accepted = if kind == OpKind::Update {
                    "application/json or application/merge-patch+json"
                } else {
                    "application/json"
                };
                return Err(Problem::new(
                    Code::UnsupportedMediaType,
                    format!("the body must be {accepted}"),
                ));
            }
            let body = read_object(request, self.body_limit).await?;
            op.body =
                Some(body.ok_or_else(|| Problem::bad_request("a JSON object body is required"))?);
        }
        // The body goes to the upstream; rendering the answer needs the rest.
        let body = op.body.take();
        let done = upstream
            .execute(Operation { body, ..op.clone() }, call)
            .instrument(span.clone())
            .await
            .map_err(|mut p| {
                // A vendor's 405 is answered with the methods of the canonical route (RFC 9110
                // requires `Allow`); the vendor's own would name its paths, not ours.
                if p.code == Code::MethodNotAllowed && p.allow.is_none() {
                    p.allow = Some(allow.join(", "));
                }
                p
            });
        let done = done.inspect_err(|p| {
            if p.status() >= 500 {
                tracing::warn!(parent: &span, code = %p.code, detail = %p.detail, "request failed");
            } else {
                tracing::info!(parent: &span, code = %p.code, "request refused");
            }
        })?;
        Ok(render(&upstream, &op, done))
    }

    /// The upstream a request names, else the default one.
    pub fn upstream(&self, name: Option<&str>) -> Result<Arc<Upstream>, Problem> {
        let name = match name.or(self.default_upstream.as_deref()) {
            Some(n) => n,
            None => {
                return Err(Problem::not_found(
                    "no default upstream is configured: use /v1/upstreams/{upstream}/...",
                ));
            }
        };
        self.upstreams
            .get(name)
            .cloned()
            .ok_or_else(|| Problem::not_found(format!("no upstream named {name}")))
    }

    /// `GET /v1/upstreams`: each upstream, its dialect and what it can do.
    fn describe(&self) -> Value {
        let data: Vec<Value> = self
            .upstreams
            .values()
            .map(|u| {
                let d = &u.dialect;
                let operations: Vec<&str> = OpKind::ALL
                    .iter()
                    .filter(|k| **k != OpKind::Toggle && d.operation(**k).is_some())
                    .map(|k| k.name())
                    .collect();
                let composed: Map<String, Value> = d
                    .operations
                    .iter()
                    .filter(|o| {
                        o.strategy == crate::mapping::Strategy::ReadMergeWrite || o.needs_current
                    })
                    .map(|o| {
                        (
                            o.kind.name().to_owned(),
                            Value::from(
                                o.note
                                    .clone()
                                    .unwrap_or_else(|| "reads the webhook first".into()),
                            ),
                        )
                    })
                    .collect();
                json!({
                    "name": u.name,
                    "dialect": d.name,
                    "title": d.title,
                    "emulated": u.emulated,
                    "default": self.default_upstream.as_deref() == Some(u.name.as_str()),
                    "owner_scope": d.owner,
                    "operations": operations,
                    "writable_fields": d.writable_fields(),
                    "composed": composed,
                    "docs": d.docs,
                })
            })
            .collect();
        json!({ "data": data })
    }
}

/// The response to a canonical request: its answer or its problem, with the request id and
/// the vendor's rate-limit headers.
pub fn finish(answer: Result<Response<Body>, Problem>, call: &Call) -> Response<Body> {
    let mut response = answer.unwrap_or_else(|problem| problem.response(&call.request_id));
    if let Some(id) = headers::value(&call.request_id) {
        response.headers_mut().insert(X_REQUEST_ID.clone(), id);
    }
    call.apply_rate_limits(response.headers_mut());
    response
}

/// The canonical answer to an operation that `upstream` carried out.
pub fn render(upstream: &Upstream, op: &Operation, done: Done) -> Response<Body> {
    let mut response = match done.outcome {
        Outcome::Webhook(w) | Outcome::TestResult(w) => {
            body::json(200, &Value::Object(w), &body::JSON)
        }
        Outcome::Created(w) => {
            let location = location(upstream, op, w.get("id").and_then(Value::as_str));
            let mut response = body::json(201, &Value::Object(w), &body::JSON);
            if let Some(v) = location.as_deref().and_then(headers::value) {
                response.headers_mut().insert(header::LOCATION, v);
            }
            response
        }
        Outcome::List { items, next_cursor } => {
            let data: Vec<Value> = items.into_iter().map(Value::Object).collect();
            body::json(
                200,
                &json!({"data": data, "next_cursor": next_cursor}),
                &body::JSON,
            )
        }
        Outcome::Deleted => body::empty(204),
    };
    if op.lenient {
        let h = response.headers_mut();
        h.insert(
            PREFERENCE_APPLIED.clone(),
            http::HeaderValue::from_static("handling=lenient"),
        );
        if let Some(v) = headers::value(&done.dropped.join(", ")) {
            h.insert(DROPPED_FIELDS.clone(), v);
        }
    }
    response
}

fn location(upstream: &Upstream, op: &Operation, id: Option<&str>) -> Option<String> {
    let encode = |s: &str| crate::mapping::encode_segment(s).collect::<String>();
    let mut out = format!("/v1/upstreams/{}", encode(&upstream.name));
    if let Some(owner) = &op.owner {
        out.push_str(&format!("/owners/{}", encode(owner)));
    }
    out.push_str(&format!("/webhooks/{}", encode(id?)));
    Some(out)
}

/// The canonical operation a method asks for on a routed webhook path, without its body.
fn operation(
    method: &Method,
    owner: Option<String>,
    id: Option<String>,
    action: Option<OpKind>,
) -> Result<Operation, Problem> {
    let kind = match (&id, action, method.clone()) {
        (None, _, Method::GET) => OpKind::List,
        (None, _, Method::POST) => OpKind::Create,
        (Some(_), Some(action), Method::POST) => action,
        (Some(_), None, Method::GET) => OpKind::Get,
        (Some(_), None, Method::PATCH) => OpKind::Update,
        (Some(_), None, Method::DELETE) => OpKind::Delete,
        _ => {
            return Err(Problem::method_not_allowed(allowed_methods(
                id.is_some(),
                action.is_some(),
            )));
        }
    };
    let mut op = Operation::new(kind);
    op.owner = owner;
    op.id = id;
    Ok(op)
}

/// The methods a canonical webhook route answers: a collection, an item, or an item's action.
fn allowed_methods(item: bool, action: bool) -> &'static [&'static str] {
    match (item, action) {
        (false, _) => &["GET", "POST"],
        (true, true) => &["POST"],
        (true, false) => &["GET", "PATCH", "DELETE"],
    }
}

/// The webhook operation a canonical method and path (with any query) ask for, and the
/// upstream the path names (`None`: the default). The body is the caller's to add.
pub fn parse_request(method: &Method, path: &str) -> Result<(Option<String>, Operation), Problem> {
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let parts =
        segments(path).ok_or_else(|| Problem::bad_request("the path is not valid UTF-8"))?;
    match route(&parts) {
        Some(Route::Webhooks {
            upstream,
            owner,
            id,
            action,
        }) => {
            let mut op = operation(method, owner, id, action)?;
            if op.kind == OpKind::List {
                op.query = list_query(query)?;
            }
            Ok((upstream, op))
        }
        _ => Err(Problem::not_found(format!(
            "{path} is not a webhook operation of the canonical API"
        ))),
    }
}

fn list_query(query: Option<&str>) -> Result<ListQuery, Problem> {
    let mut out = ListQuery::default();
    for (key, value) in query_pairs(query) {
        match key.as_str() {
            "limit" => {
                out.limit = Some(value.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                    Problem::validation(vec![crate::problem::FieldError::new(
                        "limit",
                        "must be a positive integer",
                    )])
                })?)
            }
            "cursor" => out.cursor = Some(value),
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(p: &str) -> Vec<String> {
        segments(p).unwrap()
    }

    #[test]
    fn routes_every_canonical_shape() {
        assert_eq!(route(&parts("/v1/upstreams")), Some(Route::Upstreams));
        assert_eq!(
            route(&parts("/v1/upstreams/t/owners/a%2Fb/webhooks/9/test")),
            Some(Route::Webhooks {
                upstream: Some("t".into()),
                owner: Some("a/b".into()),
                id: Some("9".into()),
                action: Some(OpKind::Test)
            })
        );
        assert_eq!(
            route(&parts("/v1/webhooks")),
            Some(Route::Webhooks {
                upstream: None,
                owner: None,
                id: None,
                action: None
            })
        );
        assert_eq!(route(&parts("/v1/webhooks/1/explode")), None);
        assert_eq!(route(&parts("/v2/webhooks")), None);
    }
}
