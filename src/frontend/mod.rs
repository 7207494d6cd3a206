//! Frontends: the APIs hookgate speaks to its clients. The canonical API ([`canonical`]) and a
//! vendor's own API ([`vendor`], an emulator in front of a store, a drop-in surface in front of
//! an upstream) differ only in how they route, authenticate, parse and render; the road every
//! request takes through them is the gateway's (`gateway.rs`), which calls the phases of
//! [`Frontend`] in order.

pub mod canonical;
pub mod vendor;

use crate::auth::{Inbound, Scope};
use crate::exchange::Reply;
use crate::http::body::Body;
use crate::mapping::Dialect;
use crate::model::{Action, Done, Operation};
use crate::problem::Problem;
use crate::store::Store;
use crate::upstream::Upstream;
use bytes::Bytes;
use http::{HeaderMap, Method, Response};
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::sync::Arc;

/// What every request is held to, whatever its frontend.
#[derive(Debug, Clone)]
pub struct Admission {
    /// The inbound keys.
    pub inbound: Inbound,
    /// How much of a body is read, and for how long.
    pub body_limit: crate::http::body::BodyLimit,
}

/// What requests on listeners of their own (emulators, surfaces with a `listen`) are held
/// to, swapped on reload like the main listener's routes.
pub type SharedAdmission = Arc<arc_swap::ArcSwap<Admission>>;

/// Where operations go.
#[derive(Clone)]
pub enum Backend {
    /// A vendor over HTTP, through its dialect.
    Upstream(Arc<Upstream>),
    /// An emulated vendor's memory.
    Store(Arc<Store>),
}

impl Backend {
    /// The dialect of the webhooks behind it.
    pub fn dialect(&self) -> &Dialect {
        match self {
            Backend::Upstream(u) => &u.dialect,
            Backend::Store(s) => s.dialect(),
        }
    }

    /// The upstream's name, for metrics, logs and key restrictions (`None` for a store).
    pub fn upstream(&self) -> Option<&str> {
        match self {
            Backend::Upstream(u) => Some(&u.name),
            Backend::Store(_) => None,
        }
    }
}

/// What routing sees of a request.
pub struct Head<'a> {
    /// The method.
    pub method: &'a Method,
    /// The path, after any mount prefix.
    pub path: &'a str,
    /// The query string.
    pub query: Option<&'a str>,
    /// The headers.
    pub headers: &'a HeaderMap,
}

/// What routing found: the frontend's own route, and what the gateway needs to know of it.
pub struct Routed<R> {
    /// The canonical action, when the route carries one out.
    pub action: Option<Action>,
    /// Where its operation goes.
    pub backend: Option<Backend>,
    /// What the client's key must allow (`None`: nothing reaches a vendor).
    pub scope: Option<Scope>,
    /// Whether a body is read.
    pub reads_body: bool,
    /// The frontend's own route.
    pub route: R,
}

impl<R> Routed<R> {
    /// A route hookgate answers itself (a listing, an admin resource, the preview): it carries
    /// out no canonical action and reaches no backend.
    pub fn local(route: R, scope: Option<Scope>, reads_body: bool) -> Routed<R> {
        Routed {
            action: None,
            backend: None,
            scope,
            reads_body,
            route,
        }
    }

    /// The upstream the route reaches, if any.
    pub fn upstream(&self) -> Option<&str> {
        self.backend.as_ref().and_then(Backend::upstream)
    }

    /// The operation's name in metrics and logs.
    pub fn operation(&self) -> &'static str {
        self.action.map_or("none", Action::name)
    }
}

/// What a parsed request asks the backend to do.
pub enum Job {
    /// A canonical operation.
    Operation(Operation),
    /// A request already in the upstream's dialect, passed on as it is.
    Relay(Relay),
    /// An answer the frontend gives itself (`GET /v1/upstreams`).
    Answer(Response<Body>),
}

/// A request relayed to an upstream of the client's own dialect.
pub struct Relay {
    /// The method.
    pub method: Method,
    /// The vendor path, rebuilt from the dialect's template (base path included).
    pub path: String,
    /// The client's query string.
    pub query: Option<String>,
    /// The client's body, as it was.
    pub body: Bytes,
}

/// What the backend gave back.
pub enum Outcome {
    /// A canonical operation done.
    Done(Done),
    /// A relayed request's reply.
    Relayed(Reply),
    /// The frontend's own answer.
    Answer(Response<Body>),
}

/// The phases of a request that differ between the APIs hookgate speaks.
pub trait Frontend: Send + Sync {
    /// A route, as this frontend knows it.
    type Route: Send + Sync;

    /// The name in metrics and logs: `canonical`, or the dialect of a vendor surface.
    fn label(&self) -> &str;

    /// The header in which this API's clients send an idempotency key (`None`:
    /// `Idempotency-Key`).
    fn idempotency_header(&self) -> Option<&http::HeaderName> {
        None
    }

    /// Route: the request's head (its path after any mount prefix) to a route.
    fn route(&self, head: &Head<'_>) -> Result<Routed<Self::Route>, Problem>;

    /// Authenticate: the client's credential against the inbound keys, presented the way this
    /// API presents credentials.
    fn authenticate(
        &self,
        routed: &Routed<Self::Route>,
        headers: &HeaderMap,
        inbound: &Inbound,
    ) -> Result<(), Problem>;

    /// Plan: the request's body and headers into the job for the backend.
    fn parse(
        &self,
        routed: &Routed<Self::Route>,
        headers: &HeaderMap,
        body: Bytes,
    ) -> Result<Job, Problem>;

    /// A backend's problem, in this API's terms (its field names may differ from the
    /// backend's); problems of the frontend's own phases are already in them.
    fn backend_problem(&self, problem: Problem) -> Problem {
        problem
    }

    /// Render: what the backend did, as this API answers.
    fn render(
        &self,
        routed: &Routed<Self::Route>,
        outcome: Outcome,
    ) -> Result<Response<Body>, Problem>;

    /// A problem, as this API spells failure.
    fn refuse(
        &self,
        routed: Option<&Routed<Self::Route>>,
        problem: &Problem,
        request_id: &str,
    ) -> Response<Body>;

    /// Headers every answer of this API carries.
    fn decorate(
        &self,
        _routed: Option<&Routed<Self::Route>>,
        _response: &mut Response<Body>,
        _request_id: &str,
    ) {
    }
}

/// Splits a request path into percent-decoded segments. A segment that is not UTF-8, or that
/// decodes to a dot segment or holds a separator, is refused: on every route, decoded or not,
/// such a segment never names anything.
pub fn segments(path: &str) -> Result<Vec<Cow<'_, str>>, Problem> {
    let mut parts = Vec::with_capacity(8);
    // Separators and escapes are found by memchr, a word or a vector at a time: the segments
    // of a request path are short, and a byte-at-a-time walk cost more than all the rest of
    // routing.
    let bytes = path.as_bytes();
    let mut start = 0;
    for end in memchr::memchr_iter(b'/', bytes).chain([bytes.len()]) {
        let s = &path[start..end];
        start = end + 1;
        if s.is_empty() {
            continue;
        }
        let decoded = if memchr::memchr(b'%', s.as_bytes()).is_some() {
            percent_decode_str(s)
                .decode_utf8()
                .map_err(|_| Problem::bad_request("the path is not valid UTF-8"))?
        } else {
            Cow::Borrowed(s)
        };
        if !crate::mapping::url::names_something(&decoded) {
            return Err(Problem::bad_request(format!(
                "the path segment `{s}` is a dot segment or holds a separator"
            )));
        }
        parts.push(decoded);
    }
    Ok(parts)
}

/// A body as a JSON object; `None` when it is empty.
pub fn object(bytes: &[u8]) -> Result<Option<Map<String, Value>>, Problem> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    match crate::json::from_slice(bytes) {
        Ok(Value::Object(map)) => Ok(Some(map)),
        Ok(_) => Err(Problem::bad_request("the body must be a JSON object")),
        Err(e) => Err(Problem::bad_request(format!(
            "the body is not valid JSON: {e}"
        ))),
    }
}

/// A query string's parameters, decoded.
pub fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let decode = |s: &str| {
                percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(k), decode(v))
        })
        .collect()
}

/// The client's idempotency key, under the header `name` (`Idempotency-Key` by default).
pub fn idempotency_key(
    headers: &HeaderMap,
    name: Option<&http::HeaderName>,
) -> Option<http::HeaderValue> {
    let name = name.unwrap_or(&crate::http::headers::IDEMPOTENCY_KEY);
    headers.get(name).cloned()
}
