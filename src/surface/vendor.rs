//! A vendor's own API, served by hookgate: the same paths, verbs, bodies, envelopes and status
//! codes as the vendor's documentation, read and written through that vendor's mapping file.
//!
//! In front of a [`Store`](crate::backend::store::Store) it is an emulator of the vendor; in
//! front of an [`Upstream`](crate::backend::upstream::Upstream) of any dialect it is the drop-in
//! mode: a client written for vendor X keeps working while its webhooks live at vendor Y. In
//! front of an upstream of its own dialect it relays ([`relay`]).

use super::{query_pairs, read_object, relay, segments};
use crate::backend::{Backend, Call, Done};
use crate::canonical::{self, ListQuery, OpKind, Operation, Outcome};
use crate::http::body::{self, Body, BodyLimit};
use crate::http::headers::{self, X_REQUEST_ID};
use crate::mapping::rules::Target;
use crate::mapping::template::{Slots, Template};
use crate::mapping::{Dialect, PathSeg};
use crate::problem::{Code, FieldError, Problem};
use http::{Request, Response, header};
use hyper::body::Incoming;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::sync::Arc;
use tracing::Instrument;

pub struct VendorSurface {
    pub dialect: Arc<Dialect>,
    pub backend: Backend,
    /// The owner used when the client's dialect has no owner scope but the backend needs one.
    pub default_owner: Option<String>,
    pub body_limit: BodyLimit,
}

/// Placeholder values while rendering a vendor answer.
#[derive(Default)]
struct Fill<'a> {
    webhook: Option<Value>,
    canonical: Option<&'a Map<String, Value>>,
    items: Option<Value>,
    result: Option<Value>,
    count: Option<usize>,
    limit: Option<u64>,
    next_cursor: Option<String>,
    request_id: &'a str,
    operation: &'a str,
    problem: Option<&'a Problem>,
    vendor_code: Option<String>,
    errors: Option<Value>,
    field: Option<String>,
}

impl Slots for Fill<'_> {
    fn slot(&self, name: &str) -> Option<Value> {
        match name {
            "webhook" => self.webhook.clone(),
            "items" => self.items.clone(),
            "result" => self.result.clone(),
            "count" => self.count.map(Value::from),
            "limit" => self.limit.map(Value::from),
            "next_cursor" => self.next_cursor.clone().map(Value::from),
            "request_id" => Some(Value::from(self.request_id)),
            "operation" => Some(Value::from(self.operation)),
            "message" => self.problem.map(|p| Value::from(p.detail.as_str())),
            "status" => self.problem.map(|p| Value::from(p.status())),
            "code" => self.vendor_code.clone().map(Value::from),
            "errors" => self.errors.clone(),
            "field" => self.field.clone().map(Value::from),
            other => self
                .canonical?
                .get(other.strip_prefix("webhook.")?)
                .cloned(),
        }
    }

    fn slot_ref(&self, name: &str) -> Option<Cow<'_, Value>> {
        let held = match name {
            "webhook" => &self.webhook,
            "items" => &self.items,
            "result" => &self.result,
            "errors" => &self.errors,
            other => return self.slot(other).map(Cow::Owned),
        };
        held.as_ref().map(Cow::Borrowed)
    }
}

impl VendorSurface {
    /// Answers one request addressed to this surface; `path` has any mount prefix removed.
    pub async fn handle(
        &self,
        request: Request<Incoming>,
        path: &str,
        request_id: &str,
    ) -> Response<Body> {
        let mut operation = "process";
        let mut response = match self
            .dispatch(request, path, request_id, &mut operation)
            .await
        {
            Ok(response) => response,
            Err(problem) => problem_response(&self.dialect, &problem, request_id, operation),
        };
        let metrics = crate::metrics::get();
        match &self.backend {
            Backend::Upstream(u) => metrics.request(
                &self.dialect.name,
                &u.name,
                operation,
                response.status().as_u16(),
            ),
            Backend::Store(_) => metrics.emulated(&self.dialect.name, operation),
        }
        let h = response.headers_mut();
        if let Some(id) = headers::value(request_id) {
            h.insert(X_REQUEST_ID.clone(), id);
        }
        let fill = Fill {
            request_id,
            operation,
            ..Fill::default()
        };
        for (name, template) in &self.dialect.response_headers {
            if let Some(v) = template
                .render(&fill)
                .as_ref()
                .and_then(Value::as_str)
                .and_then(headers::value)
            {
                h.insert(name.clone(), v);
            }
        }
        response
    }

    async fn dispatch(
        &self,
        request: Request<Incoming>,
        path: &str,
        request_id: &str,
        operation: &mut &'static str,
    ) -> Result<Response<Body>, Problem> {
        let d = &self.dialect;
        let parts =
            segments(path).ok_or_else(|| Problem::bad_request("the path is not valid UTF-8"))?;
        let base = segments(&d.base_path).unwrap_or_default();
        let rest = parts
            .strip_prefix(base.as_slice())
            .ok_or_else(|| Problem::not_found(format!("no route for {path}")))?;
        let matching: Vec<_> = d
            .operations
            .iter()
            .filter_map(|op| Some((op, op.path.matches(rest)?)))
            .collect();
        if matching.is_empty() {
            return Err(Problem::not_found(format!("no route for {path}")));
        }
        let Some((spec, (owner, id))) = matching
            .iter()
            .find(|(op, _)| op.method == request.method())
            .cloned()
        else {
            let allow: Vec<&str> = matching.iter().map(|(op, _)| op.method.as_str()).collect();
            return Err(Problem::method_not_allowed(&allow));
        };
        *operation = spec.kind.name();
        if d.bearer_auth && !has_bearer(request.headers().get(header::AUTHORIZATION)) {
            return Err(Problem::new(Code::Unauthorized, "missing bearer token"));
        }
        let upstream = match &self.backend {
            Backend::Upstream(u) => u.name.as_str(),
            Backend::Store(_) => "(emulated)",
        };
        let span = tracing::info_span!("request", request_id, surface = %d.name, upstream, dialect = %self.backend_dialect().name, operation = *operation);
        let call = Call::new(request_id, request.headers());
        if let Backend::Upstream(u) = &self.backend
            && !self.translating()
        {
            let matched = (owner.as_deref(), id.as_deref());
            return relay::forward(self, u, spec, matched, request, &call)
                .instrument(span)
                .await;
        }
        let mut op = Operation::new(spec.kind);
        op.replace_objects = true;
        op.id = id;
        op.owner = if self.backend.has_owner() {
            owner.clone().or_else(|| self.default_owner.clone())
        } else {
            None
        };
        if spec.kind == OpKind::List {
            op.query = self.list_query(spec, request.uri().query());
        }
        if matches!(spec.kind, OpKind::Create | OpKind::Update) {
            let body = read_object(request, self.body_limit)
                .await?
                .unwrap_or_default();
            let body = Value::Object(body);
            let item = match &spec.body_item_path {
                Some(path) => path
                    .get(&body)
                    .cloned()
                    .unwrap_or(Value::Object(Map::new())),
                None => body,
            };
            op.body = Some(self.parse(spec.kind, item)?);
        }
        // The body goes to the backend; rendering the answer needs the rest.
        let body = op.body.take();
        let done = self
            .backend
            .execute(Operation { body, ..op.clone() }, &call)
            .instrument(span)
            .await
            .map_err(|p| self.reword_for_client(p))?;
        Ok(self.render(spec, &op, owner.as_deref(), done, request_id))
    }

    /// The dialect of the webhooks behind this surface: its own (an emulator, or a surface in
    /// front of an upstream of the same dialect) or another one (drop-in mode).
    fn backend_dialect(&self) -> &Dialect {
        match &self.backend {
            Backend::Upstream(u) => &u.dialect,
            Backend::Store(s) => s.dialect(),
        }
    }

    /// Whether the webhooks behind this surface live in another dialect.
    fn translating(&self) -> bool {
        self.backend_dialect().name != self.dialect.name
    }

    /// A backend's field errors, worded for this surface's clients. Where this dialect reports a
    /// field under a containing member (a `webhook_config` object), the message names the
    /// member inside it; a field this dialect cannot spell at all is said to be the backend's.
    fn reword_for_client(&self, mut problem: Problem) -> Problem {
        if !self.translating() {
            return problem;
        }
        let upstream = match &self.backend {
            Backend::Upstream(u) => u.name.as_str(),
            Backend::Store(_) => self.backend_dialect().name.as_str(),
        };
        for error in &mut problem.errors {
            let rule = self
                .dialect
                .webhook
                .rules
                .iter()
                .find(|r| r.path.is_some() && r.request && r.target.name() == error.field);
            match rule.and_then(|r| Some((r.path.as_ref()?.to_string(), &r.error_field))) {
                Some((path, container)) => {
                    if let Some(inner) = path
                        .strip_prefix(container.as_str())
                        .and_then(|p| p.strip_prefix('.'))
                    {
                        error.message = format!("{inner} {}", error.message);
                    }
                }
                None => {
                    error.message = format!(
                        "{} (`{}` of upstream {upstream}, which this API has no field for)",
                        error.message, error.field
                    );
                }
            }
        }
        if !problem.errors.is_empty() {
            problem.detail = crate::problem::summarise(&problem.errors);
        }
        problem
    }

    /// The vendor's own validation, then its body in canonical terms.
    fn parse(&self, kind: OpKind, body: Value) -> Result<Map<String, Value>, Problem> {
        let mut violations = self.dialect.webhook.check(kind, &body);
        if self.translating() {
            // Event names are the backend's own (the canonical model keeps each upstream's
            // vocabulary): the backend checks them, and its refusal is rendered here.
            violations.retain(|v| !(v.check == "one_of" && v.rule.target.name() == "events"));
        }
        if !violations.is_empty() {
            return Err(Problem::validation(
                violations.iter().map(|v| v.in_vendor_words()).collect(),
            ));
        }
        let parsed = self
            .dialect
            .webhook
            .parse(kind, &body)
            .map_err(Problem::validation)?;
        canonical::check_body(kind, &parsed)?;
        Ok(parsed)
    }

    fn list_query(&self, spec: &crate::mapping::Operation, query: Option<&str>) -> ListQuery {
        let mut out = ListQuery::default();
        for (key, value) in query_pairs(query) {
            let Some((_, template)) = spec.query.iter().find(|(param, _)| *param == key) else {
                continue;
            };
            match template {
                Template::Slot { name, .. } if name == "limit" => out.limit = value.parse().ok(),
                Template::Slot { name, .. } if name == "cursor" => out.cursor = Some(value),
                _ => {}
            }
        }
        out
    }

    fn render(
        &self,
        spec: &crate::mapping::Operation,
        op: &Operation,
        owner: Option<&str>,
        done: Done,
        request_id: &str,
    ) -> Response<Body> {
        let d = &self.dialect;
        let with_owner = |w: Map<String, Value>| {
            let mut w = self.as_seen_here(w);
            if w.get("owner").is_none_or(Value::is_null)
                && let Some(owner) = owner
            {
                w.insert("owner".into(), Value::from(owner));
            }
            w
        };
        let mut fill = Fill {
            request_id,
            operation: spec.kind.name(),
            limit: op.query.limit,
            ..Fill::default()
        };
        let canonical_webhook;
        match done.outcome {
            Outcome::Webhook(w) | Outcome::Created(w) => {
                canonical_webhook = with_owner(w);
                fill.webhook = Some(d.webhook.render(&canonical_webhook));
                fill.canonical = Some(&canonical_webhook);
            }
            Outcome::TestResult(r) => fill.result = Some(d.test_result.render(&r)),
            Outcome::List { items, next_cursor } => {
                fill.count = Some(items.len());
                fill.items = Some(Value::Array(
                    items
                        .into_iter()
                        .map(|w| d.webhook.render(&with_owner(w)))
                        .collect(),
                ));
                fill.next_cursor = next_cursor;
            }
            Outcome::Deleted => {}
        }
        match spec.response.as_ref().and_then(|t| t.written(&fill)) {
            Some(body) => body::json(spec.status, &body, &body::JSON),
            None => body::empty(spec.status),
        }
    }

    /// A backend's webhook as this dialect can show it. Values the backend's dialect implies
    /// (webhooks of a dialect without an enabled flag are always enabled) are stated, since this dialect may spell
    /// them; members the backend keeps under `extensions` are its own vendor's fields, which this
    /// dialect does not have, unless this dialect names them too.
    fn as_seen_here(&self, mut webhook: Map<String, Value>) -> Map<String, Value> {
        if !self.translating() {
            return webhook;
        }
        for rule in &self.backend_dialect().webhook.rules {
            if let (Some(value), Target::Field(field)) = (&rule.implied, &rule.target) {
                webhook.entry(field.name).or_insert_with(|| value.clone());
            }
        }
        canonical::derive_status(&mut webhook);
        if let Some(Value::Object(ext)) = webhook.get_mut("extensions") {
            ext.retain(|key, _| self.dialect.webhook.names_extension(key));
            if ext.is_empty() {
                webhook.shift_remove("extensions");
            }
        }
        webhook
    }

    /// Whether this surface's paths need an owner segment.
    pub fn has_owner_segment(&self) -> bool {
        self.dialect
            .operations
            .iter()
            .any(|o| o.path.has(&PathSeg::Owner))
    }
}

/// A problem in a dialect's own error shape, field names and status codes: what a vendor surface
/// answers for every failure, its own or its backend's.
pub fn problem_response(
    d: &Dialect,
    problem: &Problem,
    request_id: &str,
    operation: &str,
) -> Response<Body> {
    let vendor_errors: Vec<FieldError> = problem
        .errors
        .iter()
        .map(|e| FieldError::new(d.webhook.vendor_name(&e.field), e.message.clone()))
        .collect();
    let render = d.errors.template_for(problem.code);
    let fill = Fill {
        request_id,
        operation,
        problem: Some(problem),
        vendor_code: Some(
            problem
                .upstream
                .as_ref()
                .filter(|u| u.dialect == d.name)
                .and_then(|u| u.code.clone())
                .unwrap_or_else(|| d.errors.vendor_code(problem.code)),
        ),
        errors: d.errors.render_field_errors(&vendor_errors),
        field: vendor_errors.first().map(|e| e.field.clone()),
        ..Fill::default()
    };
    let status = render.status.unwrap_or_else(|| problem.status());
    let mut response = body::json(status, &render.body.written(&fill), &body::JSON);
    let h = response.headers_mut();
    if let Some(v) = problem.allow.as_deref().and_then(headers::value) {
        h.insert(header::ALLOW, v);
    }
    if let Some(v) = problem.retry_after.as_deref().and_then(headers::value) {
        h.insert(header::RETRY_AFTER, v);
    }
    response
}

fn has_bearer(value: Option<&http::HeaderValue>) -> bool {
    value
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.get(..7)
                .filter(|p| p.eq_ignore_ascii_case("bearer "))
                .map(|_| v[7..].trim())
        })
        .is_some_and(|token| !token.is_empty())
}
