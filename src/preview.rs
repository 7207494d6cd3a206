//! Seeing before sending: the vendor requests a canonical request becomes, and the canonical
//! answer a vendor's answer becomes, without calling the vendor.
//!
//! The upstream's [`Plan`](crate::plan::Plan) runs on the answers given instead of a network:
//! `current` answers a read made first, `response` the operation's own request; where an answer
//! the plan needs was not given, it stops there and says what it would send next. Served by
//! `hookgate translate` and, when `[debug] translate = true`, by `POST /debug/translate` on the
//! main listener.

use crate::auth::{Caller, Inbound, Scope};
use crate::exchange::{Purpose, Reply, VendorRequest};
use crate::frontend::canonical::{self, CanonicalApi};
use crate::frontend::{Backend, Frontend, Head, Job, Outcome, Routed};
use crate::http::body::{self, Body};
use crate::http::client::Client;
use crate::http::{headers, respond};
use crate::mapping::Strategy;
use crate::model::{Action, Done, Operation};
use crate::plan::Next;
use crate::problem::Problem;
use crate::setup::{Setup, StartError};
use crate::upstream::{Call, Upstream};
use crate::wiring::{self, InternalKey};
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::sync::Arc;

/// The path of the debug endpoint on the main listener.
pub const ENDPOINT: &str = crate::routes::PREVIEW;

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
    /// The canonical request's HTTP method, e.g. `POST`.
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
    pub current: Option<ScriptedReply>,
    /// The vendor's answer to the operation's own request.
    #[serde(default)]
    pub response: Option<ScriptedReply>,
    /// Instead of `current` and `response`: the vendor's answers to every request the plan
    /// makes, in the order it makes them (reads first, follow-up reads after the write).
    #[serde(default)]
    pub replies: Vec<ScriptedReply>,
}

/// A vendor's answer, as given.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedReply {
    /// The HTTP status; 200 when absent.
    #[serde(default = "ok")]
    pub status: u16,
    /// The answer's headers, by name.
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
    /// The method is not an HTTP method.
    #[error("`{0}` is not an HTTP method")]
    Method(String),
    /// A whole `/v1/...` path was given together with `upstream` or `owner`.
    #[error("a whole /v1/... path names its own upstream and owner: drop upstream and owner")]
    PathAndScope,
    /// A header's name or value is not valid.
    #[error("header `{0}`: not a valid name and value")]
    Header(String),
    /// An answer (named) gives both a JSON body and a raw one.
    #[error("{0}: give either a JSON body or a raw one, not both")]
    TwoBodies(&'static str),
    /// An answer (named) has a status outside 100 to 999.
    #[error("{0}: `{1}` is not an HTTP status")]
    Status(&'static str, u16),
    /// `replies` was given together with `current` or `response`.
    #[error("replies answer every request in order: give them instead of current and response")]
    RepliesAndAnswers,
}

impl ScriptedReply {
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
            headers: (&header_map(&self.headers)?).into(),
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
    /// The request's place in the order sent, from 1.
    pub step: usize,
    /// `read` (made first, for what follows) or `request` (the operation's own).
    pub role: &'static str,
    /// The HTTP method sent.
    pub method: String,
    /// The whole URL sent, the upstream's base URL included.
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
    /// Why the request is made, or what it waits for; absent when there is nothing to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The canonical answer, as the canonical API would give it.
#[derive(Debug, Clone, Serialize)]
pub struct ShownResult {
    /// The HTTP status.
    pub status: u16,
    /// The headers, by name.
    pub headers: Map<String, Value>,
    /// `null` when empty.
    pub body: Value,
}

/// A whole translation.
#[derive(Debug, Clone, Serialize)]
pub struct Translation {
    /// The upstream's configured name; absent when the request was refused before reaching one.
    pub upstream: Option<String>,
    /// The upstream's dialect; absent when the request was refused before reaching one.
    pub dialect: Option<String>,
    /// The canonical operation's name; absent when the request was refused before reaching one.
    pub operation: Option<&'static str>,
    /// The vendor requests, in the order they would be sent.
    pub requests: Vec<ShownRequest>,
    /// Absent until every request made is answered.
    pub result: Option<ShownResult>,
    /// What the mapping file and the plan say about the translation, in order.
    pub notes: Vec<String>,
}

/// Headers never shown, whether marked sensitive or not.
const SECRET_HEADERS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
];

fn shown_headers<'h>(
    h: impl IntoIterator<Item = (&'h HeaderName, &'h HeaderValue)>,
) -> Map<String, Value> {
    h.into_iter()
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

fn shown(
    step: usize,
    request: &VendorRequest,
    url: String,
    headers: &[(HeaderName, HeaderValue)],
) -> ShownRequest {
    ShownRequest {
        step,
        role: request.purpose.name(),
        method: request.method.to_string(),
        url,
        headers: shown_headers(headers.iter().map(|(name, value)| (name, value))),
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
    /// The request's headers, whose credentials a problem is redacted of.
    headers: HeaderMap,
    current: Option<Reply>,
    response: Option<Reply>,
    replies: Option<VecDeque<Reply>>,
}

/// Resolves a description against the canonical API. What the canonical API would refuse
/// (an unknown upstream, a missing body, two idempotency keys) is the translation's result,
/// not an error here. `principal` is the configured digest of the inbound key of the client
/// the translation is for (`None`: none), whose idempotency key is scoped at the vendor as the canonical API scopes
/// it ([`crate::idempotency::at_vendor`]).
pub fn prepare(
    api: &CanonicalApi,
    d: Description,
    principal: Option<&[u8; 32]>,
) -> Result<Prepared, InputError> {
    let method = Method::from_bytes(d.method.trim().to_ascii_uppercase().as_bytes())
        .map_err(|_| InputError::Method(d.method.clone()))?;
    let path = if d.path == "/v1" || d.path.starts_with("/v1/") {
        if d.upstream.is_some() || d.owner.is_some() {
            return Err(InputError::PathAndScope);
        }
        d.path.clone()
    } else {
        let encode = |s: &str| crate::mapping::url::encode_segment(s).collect::<String>();
        let mut p = "/v1".to_owned();
        if let Some(u) = &d.upstream {
            p.push_str(&format!("/upstreams/{}", encode(u)));
        }
        if let Some(o) = &d.owner {
            // An owner of several segments (`octo/site`) is written as that many.
            let segments: Vec<String> = o.split('/').map(encode).collect();
            p.push_str(&format!("/owners/{}", segments.join("/")));
        }
        if !d.path.starts_with('/') {
            p.push('/');
        }
        p.push_str(&d.path);
        p
    };
    let headers = header_map(&d.headers)?;
    let current = d.current.map(|a| a.reply("current")).transpose()?;
    let response = d.response.map(|a| a.reply("response")).transpose()?;
    let replies = if d.replies.is_empty() {
        None
    } else if current.is_some() || response.is_some() {
        return Err(InputError::RepliesAndAnswers);
    } else {
        Some(
            d.replies
                .into_iter()
                .map(|a| a.reply("replies"))
                .collect::<Result<_, _>>()?,
        )
    };
    let mut call = Call::new(
        &headers::request_id(&headers),
        headers
            .get(http::header::AUTHORIZATION)
            .map(|v| (http::header::AUTHORIZATION, v.clone())),
        None,
    );
    let target = (|| {
        let key = crate::frontend::idempotency_key(&headers, None, "Idempotency-Key")?;
        let (upstream, mut op) = api.operation_of(&method, &path)?;
        // Sent as the canonical API sends it: scoped to the client, the API, the upstream and
        // the owner its path names.
        call.idempotency_key = key.map(|key| {
            let owner = op.owner.as_deref().unwrap_or("").as_bytes();
            let api = CanonicalApi::LABEL;
            crate::idempotency::at_vendor(principal, api, &upstream.name, owner, key.as_bytes())
        });
        op.lenient = headers::prefers_lenient(&headers);
        if matches!(op.action, Action::Create | Action::Update) {
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
        headers,
        current,
        response,
        replies,
    })
}

impl Prepared {
    /// The upstream the request goes to, once resolved.
    pub fn upstream(&self) -> Option<&str> {
        self.target.as_ref().ok().map(|(u, _)| u.name.as_str())
    }

    /// Runs the plan on the answers given and shows what happened.
    pub fn run(self) -> Translation {
        let Prepared {
            target,
            call,
            headers,
            current,
            response,
            replies,
        } = self;
        let (upstream, op) = match target {
            Ok(t) => t,
            Err(problem) => return Translation::refused(&problem, &call),
        };
        let mut answers = Answers {
            current,
            response,
            replies,
        };
        let mut notes = Vec::new();
        let (requests, done) = walk(&upstream, &op, &call, &mut answers, &mut notes);
        notes.extend(answers.left_over());
        if upstream.emulated {
            notes.push(emulated_note(&upstream));
        }
        if done.is_some() && requests.is_empty() {
            notes.push("hookgate answers without calling the vendor".into());
        }
        // A problem is redacted of the request's secrets as the gateway redacts it.
        let redacted = |p: Problem| {
            let backend = Backend::Upstream(upstream.clone());
            let job = Job::Operation(op.clone());
            let sent = (&http::header::AUTHORIZATION, &[][..]);
            p.redacted(&crate::echoes::echoable_secrets(
                &headers,
                sent,
                Some(&backend),
                &job,
            ))
        };
        let result =
            done.map(|done| canonical_result(&upstream, &op, &call, done.map_err(redacted)));
        Translation {
            upstream: Some(upstream.name.clone()),
            dialect: Some(upstream.dialect.name.clone()),
            operation: Some(op.action.name()),
            requests,
            result,
            notes,
        }
    }
}

impl Translation {
    /// A request the canonical API refuses before it reaches an upstream: its refusal is the
    /// result, and no vendor request is made.
    fn refused(problem: &Problem, call: &Call) -> Translation {
        Translation {
            upstream: None,
            dialect: None,
            operation: None,
            requests: Vec::new(),
            result: Some(shown_result(respond::problem(problem, &call.request_id))),
            notes: Vec::new(),
        }
    }
}

/// The vendor's answers given, handed to the plan's requests as it makes them.
struct Answers {
    current: Option<Reply>,
    response: Option<Reply>,
    replies: Option<VecDeque<Reply>>,
}

impl Answers {
    /// The answer to the next request: the next of `replies` where they were given, else the
    /// one given for what the request is for (a follow-up read has none of its own).
    fn next(&mut self, purpose: Purpose) -> Option<Reply> {
        match (&mut self.replies, purpose) {
            (Some(all), _) => all.pop_front(),
            (None, Purpose::Read) => self.current.take(),
            (None, Purpose::Write) => self.response.take(),
            (None, Purpose::FollowUp) => None,
        }
    }

    /// A note on replies given that no request took: the plan made fewer than the caller thought.
    fn left_over(&self) -> Option<String> {
        let left = self.replies.as_ref().filter(|r| !r.is_empty())?;
        Some(format!(
            "{} of the replies given answered no request: the plan made fewer",
            left.len()
        ))
    }
}

/// Runs the plan, answering each request it makes from `answers`: the requests shown, and the
/// plan's end, or `None` where it halts at a request whose answer was not given.
fn walk(
    upstream: &Upstream,
    op: &Operation,
    call: &Call,
    answers: &mut Answers,
    notes: &mut Vec<String>,
) -> (Vec<ShownRequest>, Option<Result<Done, Problem>>) {
    let mut plan = upstream.plan(op.clone(), call, None);
    let mut requests: Vec<ShownRequest> = Vec::new();
    let mut reply = None;
    loop {
        let request = match plan.next(reply.take()) {
            Next::Send(request) => request,
            Next::Done(result) => return (requests, Some(result)),
        };
        let shown = describe(upstream, op, call, &request, &requests, notes);
        requests.push(shown);
        // A given answer is received as a call's is: hookgate's own credential taken out.
        reply = match answers
            .next(request.purpose)
            .map(|r| upstream.received(r, &request.method))
        {
            Some(Ok(r)) => Some(r),
            Some(Err(p)) => return (requests, Some(Err(plan.interrupted(p)))),
            None => None,
        };
        if reply.is_none() {
            let halt = Halt {
                upstream,
                call,
                plan: &plan,
                request: &request,
                response_unused: answers.response.is_some(),
            };
            halt.explain(&mut requests, notes);
            return (requests, None);
        }
    }
}

/// Says that an emulated upstream is served by hookgate itself, and where.
fn emulated_note(upstream: &Upstream) -> String {
    let at = if upstream.base_url.ends_with(":0") {
        ", on a free loopback port chosen at start"
    } else {
        ""
    };
    format!(
        "{} is emulated: hookgate serves it itself{at}",
        upstream.name
    )
}

/// The canonical answer the plan's end becomes, as the canonical API would render it (with
/// the request id it would echo).
fn canonical_result(
    upstream: &Upstream,
    op: &Operation,
    call: &Call,
    done: Result<Done, Problem>,
) -> ShownResult {
    let mut response = match done {
        Ok(done) => canonical::render(upstream, op, done),
        Err(problem) => respond::problem(&problem, &call.request_id),
    };
    if let Some(id) = headers::value(&call.request_id) {
        response
            .headers_mut()
            .insert(headers::X_REQUEST_ID.clone(), id);
    }
    shown_result(response)
}

/// One vendor request as shown, with what it depends on and why it is made.
fn describe(
    upstream: &Upstream,
    op: &Operation,
    call: &Call,
    request: &VendorRequest,
    earlier: &[ShownRequest],
    notes: &mut Vec<String>,
) -> ShownRequest {
    let headers = upstream.request_headers(call, request);
    let mut entry = shown(earlier.len() + 1, request, upstream.url(request), &headers);
    if let Some(read) = earlier.iter().rev().find(|r| r.role == "read") {
        entry.depends_on = Some(read.step);
        entry.note = Some(format!("depends on the answer to request {}", read.step));
    }
    if request.purpose == Purpose::Read {
        entry.note = Some(read_note(upstream, op).to_owned());
        if let Some(n) = upstream
            .dialect
            .operation(op.action)
            .and_then(|o| o.note.as_ref())
        {
            notes.push(format!(
                "the {} mapping file says of {}: {n}",
                upstream.dialect.name, op.action
            ));
        }
    }
    entry
}

/// A plan halted at a request whose answer was not given.
struct Halt<'a> {
    upstream: &'a Upstream,
    call: &'a Call,
    plan: &'a crate::plan::Plan<'a>,
    request: &'a VendorRequest,
    /// A vendor response was given but the plan never reached the write it answers.
    response_unused: bool,
}

impl Halt<'_> {
    /// Says which answer to give to see more, and shows the write a read would lead to.
    fn explain(&self, requests: &mut Vec<ShownRequest>, notes: &mut Vec<String>) {
        let step = requests.len();
        match self.request.purpose {
            Purpose::Read => {
                if let Some(next) = self.plan.pending_own() {
                    let headers = self.upstream.request_headers(self.call, &next);
                    let mut pending = shown(step + 1, &next, self.upstream.url(&next), &headers);
                    pending.body = Value::Null;
                    pending.pending = next.body.is_some();
                    pending.depends_on = Some(step);
                    pending.note = Some(format!(
                        "depends on the answer to request {step}: give it (`current`, --current FILE) to see the exact body"
                    ));
                    requests.push(pending);
                }
                if self.response_unused {
                    notes.push("the response was not used: the plan stops at the read, whose answer was not given".into());
                }
            }
            Purpose::Write => notes.push(
                "give the vendor's answer (`response`, --response STATUS) to see the canonical result".into(),
            ),
            Purpose::FollowUp => notes.push(format!(
                "request {step} reads what the answer to the operation did not hold: give every answer in order (`replies`, --replies FILE) to see the canonical result"
            )),
        }
    }
}

/// Why a read is made first.
fn read_note(upstream: &Upstream, op: &Operation) -> &'static str {
    let endpoint = upstream.dialect.operation(op.action);
    if !op.switched.is_empty() {
        "the client switches event types on or off one by one: hookgate reads the webhook's to apply them to"
    } else if endpoint.is_some_and(|e| e.strategy == Strategy::ReadMergeWrite) {
        "the vendor replaces what it is sent: hookgate reads the webhook, merges the change into it and sends each changed member whole"
    } else if endpoint.is_some_and(|e| e.strategy == Strategy::MergePatch) {
        "the vendor merges what it is sent into each object (RFC 7396): hookgate reads the webhook to send the members that change, a member gone as `null` under the name the vendor holds it by"
    } else if endpoint.is_some_and(|e| !e.guards.is_empty()) {
        "the vendor refuses a change that does not name the version it was made from: hookgate reads the webhook first and sends its version"
    } else if !op.preconditions.is_empty() {
        "the client names the version its change was made from: hookgate reads the webhook first to hold it to that"
    } else if endpoint.is_some_and(|e| e.needs_current) {
        "the request carries values of the webhook as it is: hookgate reads it first"
    } else if op.owner.is_some() && endpoint.is_some_and(|e| !e.names_owner) {
        "the vendor finds the webhook by its id alone: hookgate reads it first and compares its owner with the one asked for"
    } else if changes_a_listed_item(upstream, op) {
        "the change names a field the vendor keeps as one item of a list: hookgate reads the webhook to send the list whole, or to refuse a change that would keep one item of several"
    } else {
        "a merge into a map needs the map as it is: hookgate reads the webhook first"
    }
}

/// Whether an update names a field answers read at an item of a vendor's list.
fn changes_a_listed_item(upstream: &Upstream, op: &Operation) -> bool {
    let Some(body) = op.body.as_ref() else {
        return false;
    };
    (upstream.dialect.webhook.read_in_lists()).any(|(rule, _, _)| rule.target.get(body).is_some())
}

fn shown_result(response: Response<Body>) -> ShownResult {
    let (parts, body) = response.into_parts();
    let bytes = whole(body);
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

/// The bytes of a response body held in memory, which gives them at once, frame by frame.
fn whole(body: Body) -> Bytes {
    use hyper::body::Body as _;
    let mut body = std::pin::pin!(body);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let mut out = Vec::new();
    while let std::task::Poll::Ready(Some(Ok(frame))) = body.as_mut().poll_frame(&mut cx) {
        if let Ok(data) = frame.into_data() {
            out.extend_from_slice(&data);
        }
    }
    Bytes::from(out)
}

/// The canonical API of a setup without starting anything: emulated upstreams are shown at
/// their configured `emulator_listen` address.
pub fn offline(setup: &Setup) -> Result<CanonicalApi, StartError> {
    let c = &setup.config;
    let client = Client::new(
        c.limits.connect_timeout,
        c.limits.max_upstream_body_bytes,
        c.client.roots.clone(),
    );
    let internal = InternalKey::mint();
    let mut upstreams = BTreeMap::new();
    for u in &setup.config.upstreams {
        let base_url = match &u.base_url {
            Some(url) if !u.emulate => url.clone(),
            _ => format!("http://{}", u.emulator_listen),
        };
        let built = wiring::upstream(
            u,
            wiring::resolve(&setup.dialects, &u.dialect, || {
                format!("upstreams.{}.dialect", u.name)
            })?,
            base_url,
            client.clone(),
            setup.config.url_policy.clone(),
            &internal,
        )?;
        upstreams.insert(u.name.clone(), Arc::new(built));
    }
    // Surfaces are left out: only the canonical API is translated for.
    Ok(wiring::routes(&setup.config, upstreams, Vec::new()).canonical)
}

/// `POST /debug/translate`: a [`Description`] in, a [`Translation`] out. Needs the read scope
/// on the upstream translated for, when inbound authentication is on.
pub struct PreviewApi<'a> {
    /// The canonical API translated for.
    pub canonical: &'a CanonicalApi,
    /// The inbound keys, checked again once the upstream is known.
    pub inbound: &'a Inbound,
}

impl Frontend for PreviewApi<'_> {
    type Route = ();

    fn label(&self) -> &str {
        "preview"
    }

    fn route(&self, head: &Head<'_>) -> Result<Routed<()>, Problem> {
        if head.method != Method::POST {
            return Err(Problem::method_not_allowed(&["POST"]));
        }
        Ok(Routed::local((), Some(Scope::Read), true))
    }

    fn authenticate<'k>(
        &self,
        _: &Routed<()>,
        headers: &HeaderMap,
        inbound: &'k Inbound,
    ) -> Result<Caller<'k>, Problem> {
        // The caller's key first: nothing about the body is said to a stranger.
        inbound.authorize(headers, Scope::Read, None)
    }

    fn parse(
        &self,
        _: &Routed<()>,
        caller: Caller<'_>,
        headers: &HeaderMap,
        bytes: Bytes,
    ) -> Result<Job, Problem> {
        let body = crate::frontend::object(&bytes)?
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
                .insert("x-request-id".into(), headers::request_id(headers));
        }
        let prepared = prepare(self.canonical, description, caller.digest)
            .map_err(|e| Problem::bad_request(e.to_string()))?;
        self.inbound
            .authorize(headers, Scope::Read, prepared.upstream())?;
        // The plan is pure and the answers are given: it runs to its end at once.
        let translation = prepared.run();
        Ok(Job::Answer(body::json(
            200,
            &serde_json::to_value(&translation).unwrap_or(Value::Null),
            &body::JSON,
        )))
    }

    fn render(
        &self,
        _: &Routed<()>,
        _: Caller<'_>,
        outcome: Outcome,
        _: &str,
    ) -> Result<Response<Body>, Problem> {
        outcome.answered("a preview")
    }

    fn refuse(
        &self,
        _: Option<&Routed<()>>,
        problem: &Problem,
        request_id: &str,
    ) -> Response<Body> {
        respond::problem(problem, request_id)
    }
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
