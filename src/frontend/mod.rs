//! Frontends: the APIs hookgate speaks to its clients. The canonical API ([`canonical`]) and a
//! vendor's own API ([`vendor`], an emulator in front of a store, a drop-in surface in front of
//! an upstream) differ only in how they route, authenticate, parse and render; the road every
//! request takes through them is the gateway's (`gateway.rs`), which calls the phases of
//! [`Frontend`] in order.

pub mod canonical;
pub mod vendor;

use crate::auth::{Caller, Inbound, Scope};
use crate::exchange::Reply;
use crate::http::body::Body;
use crate::idempotency::Replays;
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
    /// The answers of creates whose idempotency key the gateway honours itself: one store
    /// for the process, kept across reloads.
    pub replays: Arc<Replays>,
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

    /// Whether the vendor itself shows a webhook's secret again after the answer that made
    /// it: an emulated vendor keeps it; a vendor over HTTP shows it where its dialect reads it
    /// at a resource of its own (where it does not, the gateway keeps the one it showed once:
    /// [`crate::upstream::kept`]).
    pub fn shows_secret_again(&self) -> bool {
        match self {
            Backend::Upstream(u) => u.dialect.secret_resource().is_some(),
            Backend::Store(_) => true,
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
    /// The request's target as the client sent it (its path before any mount prefix is
    /// taken off); `None` where no client sent one (a preview).
    pub uri: Option<&'a http::Uri>,
    /// The request came over TLS.
    pub secure: bool,
}

impl<'a> Head<'a> {
    /// The segments of the path ([`segments`]), refused where the client's path has an empty
    /// one past its first: right after a mount prefix (`/s//v1/…`), which the path after the
    /// prefix begins with, as much as further on.
    pub fn segments(&self) -> Result<Vec<Cow<'a, str>>, Problem> {
        let whole = self.uri.map_or(self.path, http::Uri::path);
        let prefix = whole.strip_suffix(self.path).filter(|p| !p.is_empty());
        if let Some(prefix) = prefix
            && self.path.starts_with("//")
        {
            return Err(Problem::bad_request(format!(
                "the path has an empty segment (`//`) right after `{prefix}`"
            )));
        }
        split(self.path, prefix.unwrap_or(""))
    }

    /// The URL the client sent the request to, without its query, for a link back to it (a
    /// list's next page, which vendors' clients follow as an absolute URL): the scheme of the
    /// connection, the authority the client named (its `Host`, or an HTTP/2 request's own) and
    /// the path as it was sent. `None` without an authority that is one.
    pub fn url(&self) -> Option<String> {
        Some(format!("{}{}", self.origin()?, self.uri?.path()))
    }

    /// The scheme of the connection and the authority the client named (`http://host:8080`),
    /// which a URL back to this API begins with. `None` without an authority that is one.
    pub fn origin(&self) -> Option<String> {
        let uri = self.uri?;
        let authority = match uri.authority() {
            Some(authority) => authority.clone(),
            None => {
                let host = self.headers.get(http::header::HOST)?.as_bytes();
                http::uri::Authority::try_from(host).ok()?
            }
        };
        let secure = self.secure || uri.scheme() == Some(&http::uri::Scheme::HTTPS);
        let scheme = if secure { "https" } else { "http" };
        Some(format!("{scheme}://{authority}"))
    }

    /// The mount prefix the client's path holds before [`Head::path`] (`/surfaces/desk`), as it
    /// sent it; empty for none.
    pub fn prefix(&self) -> &'a str {
        let whole = self.uri.map_or(self.path, http::Uri::path);
        whole.strip_suffix(self.path).unwrap_or_default()
    }
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

/// What a request under an idempotency key names, before its body is read.
pub struct Keyed {
    /// The owner it acts under, in every place the request names one (its path, and on a
    /// vendor's API its query and the header fields its operation declares, each place
    /// length-prefixed): two owners' requests never share a key.
    pub owner: Vec<u8>,
    /// What it does: its operation and the webhook it names, so that a key given to a test of
    /// one webhook is refused for another's, or for a rotation.
    pub target: Vec<u8>,
}

impl Keyed {
    /// `parts`, each length-prefixed, so that no two lists of parts run together alike.
    pub fn parts<'p>(parts: impl IntoIterator<Item = &'p [u8]>) -> Vec<u8> {
        let mut out = Vec::new();
        for part in parts {
            out.extend_from_slice(&(part.len() as u64).to_be_bytes());
            out.extend_from_slice(part);
        }
        out
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
    /// The client's values of the header fields the operation declares (its owner's).
    pub headers: Vec<(http::HeaderName, http::HeaderValue)>,
    /// The client's body, as it was.
    pub body: Bytes,
    /// Its media type, where the operation's is not the dialect's.
    pub content_type: Option<http::HeaderValue>,
    /// What the change may do to the secret the gateway keeps of its webhook, where the
    /// upstream keeps one: `None` for a read.
    pub changes_secret: Option<crate::upstream::kept::Change>,
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

impl Outcome {
    /// The answer of a frontend that answers every route itself (`who`: the admin API, the
    /// preview): anything else is a fault of the gateway's.
    pub fn answered(self, who: &str) -> Result<Response<Body>, Problem> {
        match self {
            Outcome::Answer(response) => Ok(response),
            _ => Err(Problem::internal(format!("{who} answers itself"))),
        }
    }
}

/// The phases of a request that differ between the APIs hookgate speaks.
pub trait Frontend: Send + Sync {
    /// A route, as this frontend knows it.
    type Route: Send + Sync;

    /// The name in metrics and logs: `canonical`, the dialect of a vendor surface or of an
    /// emulator's own API, or the name of one of hookgate's own APIs (`emulator-admin`,
    /// `emulators`, `preview`).
    fn label(&self) -> &str;

    /// What the log calls this API: a configured surface's name, else its label.
    fn log_name(&self) -> &str {
        self.label()
    }

    /// The header in which this API's clients send an idempotency key (`None`:
    /// `Idempotency-Key`).
    fn idempotency_header(&self) -> Option<&http::HeaderName> {
        None
    }

    /// That header's name as this API's clients spell it, for the refusals that name it.
    fn idempotency_header_spelt(&self) -> &str {
        "Idempotency-Key"
    }

    /// Whether a request of this route is made once under its client's idempotency key (a
    /// retry answered as the first request was): a create, on every API; and where this API
    /// declares its key on every request it takes one on (the vendor's `idempotency-key` on
    /// each POST), every other POST that changes or sends something too (a test, a rotation, a
    /// toggle).
    fn keys_request(&self, routed: &Routed<Self::Route>) -> bool {
        routed.action == Some(Action::Create)
    }

    /// The API a client's idempotency keys belong to: `canonical`, a surface's own (each
    /// surface's, whatever its dialect), an emulator's. A key is its API's: the same key on
    /// another is another request, at hookgate and at the vendor.
    fn key_space(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.label())
    }

    /// What a request under an idempotency key names, as its route reads it: the key is held
    /// before the body is parsed, so that a refusal of the body is kept under it as every
    /// other answer is, whatever the operation.
    fn keyed(&self, routed: &Routed<Self::Route>) -> Keyed {
        Keyed {
            owner: Vec::new(),
            target: routed.operation().as_bytes().to_vec(),
        }
    }

    /// The headers of this route's answer a client reads besides those every answer keeps
    /// (the vendor's `Resource-ID`, which names the webhook made): kept with an answer given
    /// again under an idempotency key.
    fn answer_headers(&self, _routed: &Routed<Self::Route>) -> Vec<http::HeaderName> {
        Vec::new()
    }

    /// The idempotency key a client sent in its request's body, where this API's clients send
    /// it there (`{"idempotency_key": …, "subscription": …}`) rather than in a header.
    /// A key there that no header could carry is refused, naming where it was.
    fn idempotency_key_in(
        &self,
        _routed: &Routed<Self::Route>,
        _body: &[u8],
    ) -> Result<Option<http::HeaderValue>, Problem> {
        Ok(None)
    }

    /// The header in which this API's clients send their credential: what an upstream that
    /// passes credentials through forwards, and what a problem is redacted of.
    fn credential_header(&self) -> &http::HeaderName {
        &http::header::AUTHORIZATION
    }

    /// The headers in which this API's clients send the further parts of their credential,
    /// where it has several: passed through with it, and redacted as it is.
    fn credential_parts(&self) -> &[http::HeaderName] {
        &[]
    }

    /// The headers besides `X-Api-Key` in which this API reads its clients' credential (a
    /// key, or one it passes through): with inbound keys on, a request that gives one of them
    /// more than once is refused before anything else ([`crate::auth::repeated`]).
    fn key_headers(&self) -> Vec<&http::HeaderName> {
        Vec::new()
    }

    /// The query parameters this API's clients present a credential (or a part of one) in,
    /// which a request may give once only.
    fn key_params(&self) -> Vec<&str> {
        Vec::new()
    }

    /// Route: the request's head (its path after any mount prefix) to a route.
    fn route(&self, head: &Head<'_>) -> Result<Routed<Self::Route>, Problem>;

    /// Authenticate: the client's credential against the inbound keys, presented the way this
    /// API presents credentials. Gives who the client is ([`Caller`]: the key that admitted it,
    /// none where keys are off or the vendor checks the client's own credential), which the
    /// request carries to its answer ([`Frontend::render`]).
    fn authenticate<'k>(
        &self,
        routed: &Routed<Self::Route>,
        headers: &HeaderMap,
        inbound: &'k Inbound,
    ) -> Result<Caller<'k>, Problem>;

    /// Plan: the request's body and headers into the job for the backend, for the client
    /// authentication admitted (whose key's reach decides what a listing of upstreams shows).
    fn parse(
        &self,
        routed: &Routed<Self::Route>,
        caller: Caller<'_>,
        headers: &HeaderMap,
        body: Bytes,
    ) -> Result<Job, Problem>;

    /// A backend's problem, in this API's terms (its field names may differ from the
    /// backend's); problems of the frontend's own phases are already in them.
    fn backend_problem(&self, problem: Problem) -> Problem {
        problem
    }

    /// Render: what the backend did, as this API answers to `caller`, the client that
    /// [`Frontend::authenticate`] admitted (`request_id` where its answers name the request).
    fn render(
        &self,
        routed: &Routed<Self::Route>,
        caller: Caller<'_>,
        outcome: Outcome,
        request_id: &str,
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

/// Splits a request path into percent-decoded segments. A segment that is not UTF-8, that
/// decodes to a dot segment or holds a separator, or that is empty between two `/`, is
/// refused: on every route, decoded or not, such a segment never names anything.
pub fn segments(path: &str) -> Result<Vec<Cow<'_, str>>, Problem> {
    split(path, "")
}

/// [`segments`] of a path after the mount prefix `prefix`, which a refusal names the place by.
fn split<'p>(path: &'p str, prefix: &str) -> Result<Vec<Cow<'p, str>>, Problem> {
    let mut parts = Vec::with_capacity(8);
    // One walk over the path, a byte at a time against a table: its segments are a few to a few
    // dozen bytes, where a vector search's set-up (a call per separator, per escape and per
    // forbidden byte, as this was written before) cost more than the walk. A segment holding
    // no escape and no byte a segment may not carry is taken as it is; any other is decoded and
    // looked at whole.
    let bytes = path.as_bytes();
    let mut at = 0;
    while at <= bytes.len() {
        // The segment from here to the next separator or the end; whether it holds an escape
        // or a byte no segment may carry as it is. Ordinary bytes are passed over by a loop
        // the compiler keeps tight.
        let start = at;
        let mut plain = true;
        loop {
            at += bytes[at..]
                .iter()
                .position(|&b| PATH_BYTE[usize::from(b)] != Byte::Ordinary)
                .unwrap_or(bytes.len() - at);
            match bytes.get(at).map(|&b| PATH_BYTE[usize::from(b)]) {
                Some(Byte::Other) => {
                    plain = false;
                    at += 1;
                }
                _ => break,
            }
        }
        let s = &path[start..at];
        let last = at >= bytes.len();
        at += 1; // past the separator, or past the end
        // Before the first segment (`//v1/…`, a base URL that ends in `/` joined to a path
        // that starts with one) and after a trailing `/` nothing is named; after the first, an
        // empty segment is a place left empty (`/webhooks//signing_secret`), and closing it up
        // would read another route than the one written.
        if s.is_empty() {
            if parts.is_empty() || last {
                continue;
            }
            return Err(Problem::bad_request(format!(
                "the path has an empty segment (`//`) after `{prefix}{}`",
                &path[..start - 1]
            )));
        }
        let (decoded, names) = if plain {
            (Cow::Borrowed(s), !matches!(s, "." | ".."))
        } else {
            let decoded = percent_decode_str(s)
                .decode_utf8()
                .map_err(|_| Problem::bad_request("the path is not valid UTF-8"))?;
            let names = crate::mapping::url::names_something(&decoded);
            (decoded, names)
        };
        if !names {
            return Err(Problem::bad_request(format!(
                "the path segment `{s}` is a dot segment or holds a separator"
            )));
        }
        parts.push(decoded);
    }
    Ok(parts)
}

/// What a byte of a request path is to [`segments`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Byte {
    Ordinary,
    Separator,
    /// An escape's `%`, or a byte no segment may carry as it is (`\\`, NUL).
    Other,
}

/// [`Byte`] of every byte value.
static PATH_BYTE: [Byte; 256] = {
    let mut table = [Byte::Ordinary; 256];
    table[b'/' as usize] = Byte::Separator;
    table[b'%' as usize] = Byte::Other;
    table[b'\\' as usize] = Byte::Other;
    table[0] = Byte::Other;
    table
};

/// A body as a JSON object; `None` when it is empty.
pub fn object(bytes: &[u8]) -> Result<Option<Map<String, Value>>, Problem> {
    as_object(document(bytes)?)
}

/// [`object`] for a body relayed as its bytes, which keep every number exact: one beyond 64
/// bits is looked at as the nearest double rather than refused.
pub fn relayed_object(bytes: &[u8]) -> Result<Option<Map<String, Value>>, Problem> {
    as_object(read(bytes, crate::json::from_slice_relayed)?)
}

fn as_object(document: Option<Value>) -> Result<Option<Map<String, Value>>, Problem> {
    match document {
        None => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(Problem::bad_request("the body must be a JSON object")),
    }
}

/// A request body as JSON of any shape; `None` when it is empty (or only whitespace).
pub fn document(bytes: &[u8]) -> Result<Option<Value>, Problem> {
    read(bytes, crate::json::from_slice)
}

fn read(
    bytes: &[u8],
    parse: fn(&[u8]) -> Result<Value, serde_json::Error>,
) -> Result<Option<Value>, Problem> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    parse(bytes).map(Some).map_err(|e| {
        let what = e.to_string();
        match what.strip_prefix(crate::json::INEXACT) {
            Some(rest) => inexact(bytes, rest.trim_start_matches(": ")),
            None => Problem::bad_request(format!("the body is not valid JSON: {what}")),
        }
    })
}

/// The refusal of a body that writes `literal`, an integer beyond 64 bits: a validation error
/// on the member that holds it, found where the number lies in the text (a double read from
/// it may differ from the one the parser read by a unit in the last place, and name nothing).
#[cold]
fn inexact(bytes: &[u8], literal: &str) -> Problem {
    let message = format!(
        "is an integer too large to be carried exactly (beyond 64 bits), {literal}: send it as a string"
    );
    let place = std::str::from_utf8(bytes)
        .ok()
        .and_then(|text| crate::json::doubt::doubts(text).ok())
        .and_then(|doubts| {
            let held = |d: &&crate::json::doubt::Doubtful| {
                matches!(&d.doubt, crate::json::doubt::Doubt::Inexact(n) if n == literal)
            };
            doubts.iter().find(held).map(|d| d.dotted())
        })
        .filter(|place| !place.is_empty());
    let error = match place {
        Some(place) => crate::problem::FieldError::new(place, message),
        None => crate::problem::FieldError::of_body(message),
    };
    Problem::with_errors(crate::problem::Code::ValidationFailed, vec![error])
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

/// The client's idempotency key, under the header `name` (`Idempotency-Key` by default),
/// which refusals call `spelt`, as the API's clients spell it. Given more than once, it is
/// refused with 400 naming the header, as a credential given twice is: which of the two keys
/// was meant is not for the gateway to guess, and taking the first (or the last) would make a
/// retry that sends them in another order another request. A comma is part of the one key
/// (the header is no list, so no intermediary may join two lines into one).
pub fn idempotency_key(
    headers: &HeaderMap,
    name: Option<&http::HeaderName>,
    spelt: &str,
) -> Result<Option<http::HeaderValue>, Problem> {
    let name = name.unwrap_or(&crate::http::headers::IDEMPOTENCY_KEY);
    let mut given = headers.get_all(name).iter();
    let first = given.next();
    if given.next().is_some() {
        return Err(Problem::bad_request(format!(
            "the header {spelt} is given more than once; send one idempotency key"
        )));
    }
    // An empty key is none: clients send the header empty where they have no key (and the
    // APIs' own descriptions allow it).
    Ok(first.filter(|v| !v.is_empty()).cloned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What [`segments`] answers, written as plainly as it can be: split at every `/`, the
    /// empty segments before the first and after a trailing `/` skipped (any other refused),
    /// every segment with an escape decoded, each one asked whether it names something.
    fn plainly(path: &str) -> Option<Vec<String>> {
        let parts: Vec<&str> = path.split('/').collect();
        let last = parts.len() - 1;
        let first = parts.iter().position(|s| !s.is_empty()).unwrap_or(last);
        if (first..last).any(|i| parts[i].is_empty()) {
            return None;
        }
        parts
            .into_iter()
            .filter(|s| !s.is_empty())
            .map(|s| {
                let decoded = percent_decode_str(s).decode_utf8().ok()?;
                crate::mapping::url::names_something(&decoded).then(|| decoded.into_owned())
            })
            .collect()
    }

    proptest! {
        /// Paths of separators, dots, escapes (good and bad), backslashes, NULs and letters.
        #[test]
        fn splits_as_plainly_written(path in r"(/|\.|%2[eEfF]|%5[cC]|%00|%[0-9a-fA-F]{2}|%|%C3|\\|\x00|[a-z0-9@é-]){0,24}") {
            let ours = segments(&path).ok().map(|p| p.into_iter().map(Cow::into_owned).collect());
            prop_assert_eq!(ours, plainly(&path), "{:?}", path);
        }
    }

    #[test]
    fn an_escaped_segment_is_decoded_and_a_plain_one_borrowed() {
        let parts = segments("/v1/owners/a%40b/webhooks/w1").unwrap();
        assert_eq!(segments("//v1/webhooks/").unwrap(), ["v1", "webhooks"]);
        assert_eq!(parts, ["v1", "owners", "a@b", "webhooks", "w1"]);
        assert!(matches!(parts[2], Cow::Owned(_)));
        assert!(matches!(parts[4], Cow::Borrowed(_)));
        for refused in [
            "/a/..", "/./a", "/a%2fb", "/a\\b", "/a\0b", "/a%00", "/%ff", "/a//b", "/a//",
        ] {
            assert!(segments(refused).is_err(), "{refused:?}");
        }
    }
}
