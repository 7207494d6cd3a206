//! Seeing before sending: the vendor requests a canonical request becomes, and the canonical
//! answer a vendor's answer becomes, without calling the vendor.
//!
//! The upstream carries the operation out on its usual code path under a
//! [`Rehearsal`]: each vendor request is recorded instead of sent, and answered only from the
//! answers given (`current` for a read made first, `response` for the operation's own request).
//! Served by `hookgate translate` and, when `[debug] translate = true`, by
//! `POST /debug/translate` on the main listener.

use crate::app::{Plan, StartError};
use crate::auth::Scope;
use crate::backend::Call;
use crate::backend::rehearsal::{Halt, Rehearsal};
use crate::backend::upstream::{Upstream, VendorRequest};
use crate::canonical::{OpKind, Operation};
use crate::http::body::{self, Body};
use crate::http::client::{Client, Reply};
use crate::http::headers;
use crate::mapping::Strategy;
use crate::problem::Problem;
use crate::surface::canonical::{self, CanonicalApi};
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The path of the debug endpoint on the main listener.
pub const ENDPOINT: &str = "/debug/translate";

/// What to translate: a canonical request, and the vendor's answers if any.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Description {
    /// The upstream; else the one a `/v1/upstreams/...` path names, else the default.
    #[serde(default)]
    pub upstream: Option<String>,
    /// The owner scope, for dialects that have one.
    #[serde(default)]
    pub owner: Option<String>,
    pub method: String,
    /// `/webhooks[/ID[/test|/rotate-secret]]` with any query, or a whole `/v1/...` path.
    pub path: String,
    /// Request headers that change the translation: `Prefer`, `Idempotency-Key`,
    /// `X-Request-Id`, and `Authorization` for upstreams that pass it through.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The canonical JSON body.
    #[serde(default)]
    pub body: Option<Value>,
    /// The vendor's answer to a read made first (read-merge-write, read-then-test).
    #[serde(default)]
    pub current: Option<VendorAnswer>,
    /// The vendor's answer to the operation's own request.
    #[serde(default)]
    pub response: Option<VendorAnswer>,
}

/// A vendor's answer, as given.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorAnswer {
    #[serde(default = "ok")]
    pub status: u16,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A JSON body.
    #[serde(default)]
    pub body: Option<Value>,
    /// A body as text, JSON or not (an HTML error page).
    #[serde(default)]
    pub raw: Option<String>,
}

fn ok() -> u16 {
    200
}

/// Why a description cannot be translated at all.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("`{0}` is not an HTTP method")]
    Method(String),
    #[error("a whole /v1/... path names its own upstream and owner: drop upstream and owner")]
    PathAndScope,
    #[error("header `{0}`: not a valid name and value")]
    Header(String),
    #[error("{0}: give either a JSON body or a raw one, not both")]
    TwoBodies(&'static str),
    #[error("{0}: `{1}` is not an HTTP status")]
    Status(&'static str, u16),
}

impl VendorAnswer {
    fn reply(self, what: &'static str) -> Result<Reply, InputError> {
        let status =
            StatusCode::from_u16(self.status).map_err(|_| InputError::Status(what, self.status))?;
        let body = match (self.body, self.raw) {
            (Some(_), Some(_)) => return Err(InputError::TwoBodies(what)),
            (Some(v), None) => Bytes::from(serde_json::to_vec(&v).unwrap_or_default()),
            (None, Some(text)) => Bytes::from(text),
            (None, None) => Bytes::new(),
        };
        Ok(Reply {
            status,
            headers: header_map(&self.headers)?,
            body,
        })
    }
}

fn header_map(pairs: &BTreeMap<String, String>) -> Result<HeaderMap, InputError> {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        let parsed = HeaderName::from_bytes(name.trim().as_bytes())
            .ok()
            .zip(HeaderValue::from_str(value.trim()).ok());
        let (name, value) = parsed.ok_or_else(|| InputError::Header(name.clone()))?;
        map.append(name, value);
    }
    Ok(map)
}

/// One vendor request as shown.
#[derive(Debug, Clone, Serialize)]
pub struct ShownRequest {
    pub step: usize,
    /// `read` (made first, for what follows) or `request` (the operation's own).
    pub role: &'static str,
    pub method: String,
    pub url: String,
    /// As sent, credentials redacted.
    pub headers: Map<String, Value>,
    /// The JSON body; `null` when there is none, or when it is pending.
    pub body: Value,
    /// The body is computed from the answer to the read, which was not given.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pending: bool,
    /// The step whose answer this request depends on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The canonical answer, as the canonical API would give it.
#[derive(Debug, Clone, Serialize)]
pub struct ShownResult {
    pub status: u16,
    pub headers: Map<String, Value>,
    /// `null` when empty.
    pub body: Value,
}

/// A whole translation.
#[derive(Debug, Clone, Serialize)]
pub struct Translation {
    pub upstream: Option<String>,
    pub dialect: Option<String>,
    pub operation: Option<&'static str>,
    pub requests: Vec<ShownRequest>,
    /// Absent until every request made is answered.
    pub result: Option<ShownResult>,
    pub notes: Vec<String>,
}

/// Headers never shown, whether marked sensitive or not.
const SECRET_HEADERS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
];

fn shown_headers(h: &HeaderMap) -> Map<String, Value> {
    h.iter()
        .map(|(name, value)| {
            let text = if value.is_sensitive() || SECRET_HEADERS.contains(&name.as_str()) {
                "[redacted]".to_owned()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.as_str().to_owned(), Value::from(text))
        })
        .collect()
}

fn shown(step: usize, request: &VendorRequest, read: bool) -> ShownRequest {
    ShownRequest {
        step,
        role: if read { "read" } else { "request" },
        method: request.method.to_string(),
        url: request.uri.clone(),
        headers: shown_headers(&request.headers),
        body: request.body.clone().unwrap_or(Value::Null),
        pending: false,
        depends_on: None,
        note: None,
    }
}

/// A description checked and resolved, ready to run.
pub struct Prepared {
    target: Result<(Arc<Upstream>, Operation), Problem>,
    call: Call,
    rehearsal: Arc<Rehearsal>,
}

/// Resolves a description against the canonical API. What the canonical API would refuse
/// (an unknown upstream, a missing body) is the translation's result, not an error here.
pub fn prepare(api: &CanonicalApi, d: Description) -> Result<Prepared, InputError> {
    let method = Method::from_bytes(d.method.trim().to_ascii_uppercase().as_bytes())
        .map_err(|_| InputError::Method(d.method.clone()))?;
    let path = if d.path == "/v1" || d.path.starts_with("/v1/") {
        if d.upstream.is_some() || d.owner.is_some() {
            return Err(InputError::PathAndScope);
        }
        d.path.clone()
    } else {
        let encode = |s: &str| crate::mapping::encode_segment(s).collect::<String>();
        let mut p = "/v1".to_owned();
        if let Some(u) = &d.upstream {
            p.push_str(&format!("/upstreams/{}", encode(u)));
        }
        if let Some(o) = &d.owner {
            p.push_str(&format!("/owners/{}", encode(o)));
        }
        if !d.path.starts_with('/') {
            p.push('/');
        }
        p.push_str(&d.path);
        p
    };
    let headers = header_map(&d.headers)?;
    let read_answer = d.current.map(|a| a.reply("current")).transpose()?;
    let answer = d.response.map(|a| a.reply("response")).transpose()?;
    let rehearsal = Arc::new(Rehearsal::new(read_answer, answer));
    let mut call = Call::new(&headers::request_id(&headers), &headers);
    call.rehearsal = Some(rehearsal.clone());
    let target = (|| {
        let (name, mut op) = canonical::parse_request(&method, &path)?;
        let upstream = api.upstream(name.as_deref())?;
        op.lenient = headers::prefers_lenient(&headers);
        if matches!(op.kind, OpKind::Create | OpKind::Update) {
            match d.body {
                Some(Value::Object(map)) => op.body = Some(map),
                Some(_) => return Err(Problem::bad_request("the body must be a JSON object")),
                None => return Err(Problem::bad_request("a JSON object body is required")),
            }
        }
        Ok((upstream, op))
    })();
    Ok(Prepared {
        target,
        call,
        rehearsal,
    })
}

impl Prepared {
    /// The upstream the request goes to, once resolved.
    pub fn upstream(&self) -> Option<&str> {
        self.target.as_ref().ok().map(|(u, _)| u.name.as_str())
    }

    /// Carries the operation out under the rehearsal and shows what happened.
    pub async fn run(self) -> Translation {
        let Prepared {
            target,
            call,
            rehearsal,
        } = self;
        let mut notes = Vec::new();
        let (answer, upstream, op) = match target {
            Ok((upstream, op)) => {
                let done = upstream.execute(op.clone(), &call).await;
                let answer = done.map(|done| canonical::render(&upstream, &op, done));
                (answer, Some(upstream), Some(op))
            }
            Err(problem) => (Err(problem), None, None),
        };
        let mut requests: Vec<ShownRequest> = rehearsal
            .steps()
            .iter()
            .enumerate()
            .map(|(i, s)| shown(i + 1, &s.request, s.read))
            .collect();
        if let (Some(upstream), Some(op)) = (&upstream, &op) {
            explain(upstream, op, &call, &rehearsal, &mut requests, &mut notes);
            if upstream.emulated {
                let at = if upstream.base_url.ends_with(":0") {
                    ", on a free loopback port chosen at start"
                } else {
                    ""
                };
                notes.push(format!(
                    "{} is emulated: hookgate serves it itself{at}",
                    upstream.name
                ));
            }
        }
        let result = match rehearsal.halt() {
            Some(_) => None,
            None => {
                if requests.is_empty() {
                    notes.push("hookgate answers without calling the vendor".into());
                }
                Some(shown_result(canonical::finish(answer, &call)).await)
            }
        };
        Translation {
            upstream: upstream.as_ref().map(|u| u.name.clone()),
            dialect: upstream.as_ref().map(|u| u.dialect.name.clone()),
            operation: op.as_ref().map(|o| o.kind.name()),
            requests,
            result,
            notes,
        }
    }
}

/// Notes on reads made first, the request that depends on them, and what is missing.
fn explain(
    upstream: &Upstream,
    op: &Operation,
    call: &Call,
    rehearsal: &Rehearsal,
    requests: &mut Vec<ShownRequest>,
    notes: &mut Vec<String>,
) {
    let spec = upstream.dialect.operation(op.kind);
    let read = requests.iter().position(|r| r.role == "read");
    if let (Some(i), Some(spec)) = (read, spec) {
        let why = if spec.strategy == Strategy::ReadMergeWrite {
            "the vendor replaces what it is sent: hookgate reads the webhook, merges the change into it and sends each changed member whole"
        } else if spec.needs_current {
            "the request carries values of the webhook as it is: hookgate reads it first"
        } else {
            "a merge into a map needs the map as it is: hookgate reads the webhook first"
        };
        requests[i].note = Some(why.to_owned());
        if let Some(n) = &spec.note {
            notes.push(format!(
                "the {} mapping file says of {}: {n}",
                upstream.dialect.name, spec.kind
            ));
        }
        let step = requests[i].step;
        for r in requests.iter_mut().skip(i + 1) {
            r.depends_on = Some(step);
            r.note = Some(format!("depends on the answer to request {step}"));
        }
    }
    match rehearsal.halt() {
        Some(Halt::AtRead) => {
            let step = requests.len();
            if let Some(spec) = spec {
                // Built with a stand-in body: its headers are those of the real one.
                let stand_in = Value::Object(Map::new());
                let request = upstream.request(spec, op, Some(&stand_in), None, call);
                let mut next = shown(step + 1, &request, false);
                next.body = Value::Null;
                next.pending = spec.body.is_some();
                next.depends_on = Some(step);
                next.note = Some(format!(
                    "depends on the answer to request {step}: give it (`current`, --current FILE) to see the exact body"
                ));
                requests.push(next);
            }
            if rehearsal.answer_unused() {
                notes.push(
                    "the response was not used: the plan stops at the read, whose answer was not given".into(),
                );
            }
        }
        Some(Halt::AtRequest) => notes.push(
            "give the vendor's answer (`response`, --response STATUS) to see the canonical result"
                .into(),
        ),
        None => {}
    }
}

async fn shown_result(response: Response<Body>) -> ShownResult {
    let (parts, body) = response.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    ShownResult {
        status: parts.status.as_u16(),
        headers: shown_headers(&parts.headers),
        body: if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::from(String::from_utf8_lossy(&bytes).into_owned()))
        },
    }
}

/// The canonical API of a plan without starting anything: emulated upstreams are shown at
/// their configured `emulator_listen` address.
pub fn offline(plan: &Plan) -> Result<CanonicalApi, StartError> {
    let l = &plan.config.limits;
    let client = Client::new(
        Duration::from_millis(l.connect_timeout_ms),
        l.max_upstream_body_bytes,
    );
    let mut upstreams = BTreeMap::new();
    for u in &plan.config.upstreams {
        let base_url = match &u.base_url {
            Some(url) if !u.emulate => url.clone(),
            _ => format!("http://{}", u.emulator_listen),
        };
        let built = crate::reload::upstream(
            u,
            plan.dialects[&u.dialect].clone(),
            base_url,
            client.clone(),
            plan.config.url_policy.clone(),
        )?;
        upstreams.insert(u.name.clone(), Arc::new(built));
    }
    Ok(crate::reload::routes(&plan.config, &plan.dialects, upstreams, l.body()).api)
}

/// `POST /debug/translate`: a [`Description`] in, a [`Translation`] out. Needs the read scope
/// on the upstream translated for, when inbound authentication is on.
pub async fn endpoint(
    api: &CanonicalApi,
    request: Request<Incoming>,
    request_id: &str,
) -> Response<Body> {
    let answer = async {
        if request.method() != Method::POST {
            return Err(Problem::method_not_allowed(&["POST"]));
        }
        let caller = request.headers().clone();
        // The caller's key first: nothing about the body is said to a stranger.
        api.inbound.authorize(&caller, Scope::Read, None)?;
        let body = crate::surface::read_object(request, api.body_limit)
            .await?
            .ok_or_else(|| Problem::bad_request("a JSON object body is required"))?;
        let mut description: Description = serde_json::from_value(Value::Object(body))
            .map_err(|e| Problem::bad_request(format!("not a translation request: {e}")))?;
        // Unless the description names one, the vendor requests carry this request's id.
        if !description
            .headers
            .keys()
            .any(|k| k.eq_ignore_ascii_case("x-request-id"))
        {
            description
                .headers
                .insert("x-request-id".into(), request_id.to_owned());
        }
        let prepared =
            prepare(api, description).map_err(|e| Problem::bad_request(e.to_string()))?;
        api.inbound
            .authorize(&caller, Scope::Read, prepared.upstream())?;
        let translation = prepared.run().await;
        Ok(body::json(
            200,
            &serde_json::to_value(&translation).unwrap_or(Value::Null),
            &body::JSON,
        ))
    }
    .await;
    let mut response = answer.unwrap_or_else(|p| p.response(request_id));
    if let Some(id) = headers::value(request_id) {
        response
            .headers_mut()
            .insert(headers::X_REQUEST_ID.clone(), id);
    }
    response
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}\n"))
        .collect::<String>()
}

/// The text form: each request as it goes on the wire, then the canonical result.
impl fmt::Display for Translation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let (Some(u), Some(d), Some(op)) = (&self.upstream, &self.dialect, self.operation) {
            let n = self.requests.len();
            writeln!(
                f,
                "{op} at upstream {u} (dialect {d}): {n} vendor request{}",
                if n == 1 { "" } else { "s" }
            )?;
        }
        for r in &self.requests {
            writeln!(f, "\n{}. {} {}", r.step, r.method, r.url)?;
            if let Some(note) = &r.note {
                writeln!(f, "    # {note}")?;
            }
            for (name, value) in &r.headers {
                writeln!(f, "    {name}: {}", value.as_str().unwrap_or_default())?;
            }
            if r.pending {
                writeln!(
                    f,
                    "\n    [the body is computed from the answer to the read]"
                )?;
            } else if !r.body.is_null() {
                write!(f, "\n{}", indent(&pretty(&r.body)))?;
            }
        }
        if let Some(result) = &self.result {
            writeln!(f, "\ncanonical result: {}", result.status)?;
            for (name, value) in &result.headers {
                writeln!(f, "    {name}: {}", value.as_str().unwrap_or_default())?;
            }
            if !result.body.is_null() {
                write!(f, "\n{}", indent(&pretty(&result.body)))?;
            }
        }
        if !self.notes.is_empty() {
            writeln!(f)?;
            for note in &self.notes {
                writeln!(f, "note: {note}")?;
            }
        }
        Ok(())
    }
}
