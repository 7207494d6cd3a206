//! The canonical API: its routes (`/v1[/upstreams/{u}][/owners/{o}]/webhooks[/{id}[/test |
//! /rotate-secret]]`, `/v1/upstreams`), its keys in `X-Api-Key`, its JSON bodies, and its
//! answers and RFC 9457 problems.

use super::{Backend, Frontend, Head, Job, Outcome, Routed, query_pairs, segments};
use crate::auth::{Caller, Inbound, Scope};
use crate::http::body::{self, Body};
use crate::http::headers::{self, DROPPED_FIELDS, PREFERENCE_APPLIED};
use crate::http::respond;
use crate::mapping::{Role, Strategy};
use crate::model::{Action, Done, ListQuery, Operation};
use crate::problem::{Code, FieldError, Problem};
use crate::upstream::Upstream;
use bytes::Bytes;
use http::{HeaderMap, Method, Response, header};
use serde_json::{Map, Value, json};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The canonical API over the configured upstreams.
pub struct CanonicalApi {
    /// The upstreams, by name.
    pub upstreams: BTreeMap<String, Arc<Upstream>>,
    /// The upstream of paths that name none.
    pub default_upstream: Option<String>,
}

/// A canonical route.
// Made once per request on the stack and moved straight into the request's job: boxing the
// operation would cost every request an allocation to save a few bytes of one short-lived
// value.
#[allow(clippy::large_enum_variant)]
pub enum Route {
    /// `/v1/upstreams`, listing those the key may reach.
    Upstreams,
    /// A webhook operation.
    Webhooks {
        /// The upstream.
        upstream: Arc<Upstream>,
        /// The operation, without its body.
        op: Operation,
        /// The methods the path answers (for `Allow`).
        allow: &'static [&'static str],
    },
    /// A path that leads to no webhook route (an upstream that is not configured, the default
    /// one where none is, a path under an upstream's name that is no route of it): why, said
    /// once the client's key is checked, so that a caller without one cannot tell the
    /// upstreams there are from those there are not.
    Unknown(Problem),
}

/// Where a canonical path leads, before the method is looked at.
#[derive(Debug, PartialEq)]
enum Path {
    Upstreams,
    Webhooks {
        upstream: Option<String>,
        owner: Option<String>,
        id: Option<String>,
        action: Option<Action>,
    },
}

/// `owner_span` says how many segments an owner is at the upstream named (or the default
/// one, for `None`): an owner of several (`octo/site`) is written as that many segments,
/// `/owners/octo/site/webhooks`. It is asked only of a path that names an owner.
fn path(parts: &[Cow<'_, str>], owner_span: impl Fn(Option<&str>) -> usize) -> Option<Path> {
    let (v1, mut rest) = parts.split_first()?;
    if v1 != "v1" {
        return None;
    }
    if rest == ["upstreams"] {
        return Some(Path::Upstreams);
    }
    let mut upstream = None;
    let mut owner = None;
    if let [first, name, tail @ ..] = rest
        && first == "upstreams"
    {
        upstream = Some(name.to_string());
        rest = tail;
    }
    if let [first, tail @ ..] = rest
        && first == "owners"
    {
        let span = owner_span(upstream.as_deref()).max(1);
        let named = tail.get(..span)?;
        owner = Some(match named {
            [one] => one.to_string(),
            several => several.join("/"),
        });
        rest = &tail[span..];
    }
    let (id, action) = match rest {
        [w] if w == "webhooks" => (None, None),
        [w, id] if w == "webhooks" => (Some(id.to_string()), None),
        [w, id, a] if w == "webhooks" && a == "test" => (Some(id.to_string()), Some(Action::Test)),
        [w, id, a] if w == "webhooks" && a == "rotate-secret" => {
            (Some(id.to_string()), Some(Action::RotateSecret))
        }
        _ => return None,
    };
    Some(Path::Webhooks {
        upstream,
        owner,
        id,
        action,
    })
}

/// How many segments the owner of a canonical path is, as the path itself shows it: those
/// between `owners` and the last `webhooks` that ends the path or comes before an id (and an
/// action); 1 where it shows none.
fn shown_owner_span(parts: &[Cow<'_, str>]) -> usize {
    let at = match parts.get(1) {
        Some(u) if u == "upstreams" => 3,
        _ => 1,
    };
    if parts.get(at).is_none_or(|o| o != "owners") {
        return 1;
    }
    (at + 2..parts.len())
        .rev()
        .find(|&w| parts[w] == "webhooks" && parts.len() - w <= 3)
        .map_or(1, |w| w - at - 1)
}

/// The problem of a path that names an owner in another number of segments (`shown`) than
/// the upstream's owners are: which form to use, as for a path without the owner.
fn owner_span_refused(
    p: &str,
    name: &str,
    dialect: &crate::mapping::Dialect,
    shown: usize,
) -> Problem {
    let Some(scope) = dialect.owner.as_deref() else {
        return Problem::not_found(format!(
            "no route for {p}: upstream {name} has no owner scope: leave /owners/{{owner}} out of the path"
        ));
    };
    let span = dialect.owner_segments.max(1);
    let form = match span {
        1 => "{owner}".to_owned(),
        _ => (1..=span)
            .map(|n| format!("{{segment-{n}}}"))
            .collect::<Vec<_>>()
            .join("/"),
    };
    let (is, gives) = (plural(span), plural(shown));
    Problem::not_found(format!(
        "no route for {p}: an owner at upstream {name} is {span} path {is} ({scope}), and this path gives {shown} {gives}: use /v1/upstreams/{name}/owners/{form}/webhooks"
    ))
}

/// `segment` or `segments`, as `n` asks.
fn plural(n: usize) -> &'static str {
    if n == 1 { "segment" } else { "segments" }
}

impl CanonicalApi {
    /// The API's name in metrics and logs, and the key space of its clients' idempotency keys.
    pub const LABEL: &'static str = "canonical";

    /// The upstream a request names, else the default one. Which upstreams there are is not
    /// said: `GET /v1/upstreams`, which needs a key, lists them, and a route's refusal of an
    /// upstream there is not waits for the key to be checked ([`Route::Unknown`]).
    pub fn upstream(&self, name: Option<&str>) -> Result<Arc<Upstream>, Problem> {
        let Some(name) = name.or(self.default_upstream.as_deref()) else {
            return Err(Problem::not_found(
                "no default upstream is configured: use /v1/upstreams/{upstream}/... (GET /v1/upstreams lists them)",
            ));
        };
        self.upstreams.get(name).cloned().ok_or_else(|| {
            Problem::not_found(format!(
                "no upstream named {name} (GET /v1/upstreams lists them)"
            ))
        })
    }

    /// The webhook operation a canonical method and path (with any query) ask for, and the
    /// upstream it goes to. The body is the caller's to add.
    pub fn operation_of(
        &self,
        method: &Method,
        path_and_query: &str,
    ) -> Result<(Arc<Upstream>, Operation), Problem> {
        let (p, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path_and_query, None),
        };
        let head = Head {
            method,
            path: p,
            query,
            headers: &HeaderMap::new(),
            uri: None,
            secure: false,
        };
        match self.route(&head)?.route {
            Route::Webhooks { upstream, op, .. } => Ok((upstream, op)),
            Route::Upstreams => Err(Problem::not_found(format!(
                "{p} is not a webhook operation of the canonical API"
            ))),
            Route::Unknown(missing) => Err(missing),
        }
    }

    /// `GET /v1/upstreams`: each upstream the key may reach, its dialect and what it can do.
    fn describe(&self, caller: Caller<'_>) -> Value {
        let data: Vec<Value> = self
            .upstreams
            .values()
            .filter(|u| caller.reaches(&u.name))
            .map(|u| {
                let d = &u.dialect;
                let operations: Vec<&str> = Action::ALL
                    .iter()
                    .filter(|a| {
                        !matches!(a, Action::Toggle | Action::Enable | Action::Disable)
                            && (d.operation(**a).is_some()
                                || (**a == Action::Get && d.one_read().is_some()))
                    })
                    .map(|a| a.name())
                    .collect();
                // A read of one webhook at a vendor that has none is its list, page by page.
                let from_list = d.get_from_list.as_ref().map(|get| {
                    let note = get.note.clone().unwrap_or_else(|| {
                        "reads the webhook from the list, page after page, to the page that holds it"
                            .to_owned()
                    });
                    ("get".to_owned(), Value::from(note))
                });
                let composed: Map<String, Value> = from_list
                    .into_iter()
                    .chain(d.operations.iter()
                    .filter(|o| {
                        // A full replacement that carries the canonical update (the dialect
                        // has no update of its own) reads the webhook to merge into it.
                        let replaces = o.role == Role::Replace
                            && d.endpoint(Role::Action(Action::Update)).is_none();
                        o.strategy == Strategy::ReadMergeWrite
                            || o.needs_current
                            || !o.then.is_empty()
                            || replaces
                    })
                    .map(|o| {
                        let note = o.note.clone().unwrap_or_else(|| {
                            let guarded: Vec<String> =
                                o.guards.iter().map(|g| format!("`{}`", g.header)).collect();
                            if !guarded.is_empty() {
                                format!(
                                    "reads the webhook first: {} names it as read",
                                    guarded.join(", ")
                                )
                            } else if o.then.is_empty() {
                                "reads the webhook first".into()
                            } else {
                                "reads the webhook after".into()
                            }
                        });
                        (o.name().to_owned(), Value::from(note))
                    }))
                    .collect();
                // The answer headers that name the webhook an operation made or changed, as
                // the mapping file writes them.
                let response_headers: Map<String, Value> = d
                    .operations
                    .iter()
                    .filter(|o| !o.response_headers.is_empty())
                    .map(|o| {
                        let headers: Map<String, Value> = (o.response_headers.iter())
                            .map(|h| (h.spelt.clone(), h.described()))
                            .collect();
                        (o.name().to_owned(), Value::Object(headers))
                    })
                    .collect();
                json!({
                    "name": u.name,
                    "dialect": d.name,
                    "title": d.title,
                    "emulated": u.emulated,
                    "default": self.default_upstream.as_deref() == Some(u.name.as_str()),
                    "owner_scope": d.owner,
                    "owner_segments": d.has_owner().then_some(d.owner_segments),
                    "operations": operations,
                    "writable_fields": d.writable_fields(),
                    "composed": composed,
                    "response_headers": response_headers,
                    "docs": d.docs,
                })
            })
            .collect();
        json!({ "data": data })
    }
}

impl Frontend for CanonicalApi {
    type Route = Route;

    fn label(&self) -> &str {
        CanonicalApi::LABEL
    }

    /// Every POST: a create, a test and a rotation.
    fn keys_request(&self, routed: &Routed<Route>) -> bool {
        matches!(
            routed.action,
            Some(Action::Create | Action::Test | Action::RotateSecret)
        )
    }

    /// The owner the path names, and the operation with the webhook it names.
    fn keyed(&self, routed: &Routed<Route>) -> super::Keyed {
        let (owner, id) = match &routed.route {
            Route::Webhooks { op, .. } => (op.owner.as_deref(), op.id.as_deref()),
            _ => (None, None),
        };
        super::Keyed {
            owner: owner.unwrap_or("").as_bytes().to_vec(),
            target: super::Keyed::parts([
                routed.operation().as_bytes(),
                id.unwrap_or("").as_bytes(),
            ]),
        }
    }

    fn route(&self, head: &Head<'_>) -> Result<Routed<Route>, Problem> {
        let (method, p, query) = (head.method, head.path, head.query);
        let parts = segments(p)?;
        let no_route = || Problem::not_found(format!("no route for {p}"));
        // Whether a path leads anywhere, and what it allows, is told before the client's key
        // is checked: it is read alike whether or not the upstream it names is there, so that
        // a caller without a key learns nothing of which are (see `Route::Unknown`). An owner
        // is as many segments as the upstream's are, or, where that reads the path as no
        // route, or the upstream is not there, as the path itself shows.
        let shown = shown_owner_span(&parts);
        let configured = |name: Option<&str>| {
            name.or(self.default_upstream.as_deref())
                .and_then(|name| self.upstreams.get(name))
                .map(|u| u.dialect.owner_segments)
        };
        let (found, as_configured) = match path(&parts, |n| configured(n).unwrap_or(shown)) {
            Some(found) => (found, true),
            None => match path(&parts, |_| shown) {
                Some(found) => (found, false),
                // Under an upstream's name, that it leads nowhere is said once the key is.
                None if matches!(parts.get(1), Some(u) if u == "upstreams") => {
                    return Ok(Routed::local(Route::Unknown(no_route()), None, false));
                }
                None => return Err(no_route()),
            },
        };
        let (upstream, owner, id, action) = match found {
            Path::Upstreams => {
                return match *method {
                    Method::GET | Method::HEAD => {
                        Ok(Routed::local(Route::Upstreams, Some(Scope::Read), false))
                    }
                    _ => Err(Problem::method_not_allowed(&["GET", "HEAD"])),
                };
            }
            Path::Webhooks {
                upstream,
                owner,
                id,
                action,
            } => (upstream, owner, id, action),
        };
        let allow = allowed_methods(id.is_some(), action.is_some());
        let action = match (&id, action, method.clone()) {
            // HEAD is GET without the answer's body (RFC 9110 §9.3.2), which the connection
            // leaves out.
            (None, _, Method::GET | Method::HEAD) => Action::List,
            (None, _, Method::POST) => Action::Create,
            (Some(_), Some(action), Method::POST) => action,
            (Some(_), None, Method::GET | Method::HEAD) => Action::Get,
            (Some(_), None, Method::PATCH) => Action::Update,
            (Some(_), None, Method::DELETE) => Action::Delete,
            _ => return Err(Problem::method_not_allowed(allow)),
        };
        let listed = match action {
            Action::List => list_query(query)?,
            _ => ListQuery::default(),
        };
        let upstream = match self.upstream(upstream.as_deref()) {
            Ok(upstream) if as_configured => upstream,
            Ok(upstream) => {
                let wrong = owner_span_refused(p, &upstream.name, &upstream.dialect, shown);
                return Ok(Routed::local(Route::Unknown(wrong), None, false));
            }
            Err(missing) => return Ok(Routed::local(Route::Unknown(missing), None, false)),
        };
        let mut op = Operation::new(action);
        op.owner = owner;
        op.id = id;
        op.lenient = headers::prefers_lenient(head.headers);
        op.query = listed;
        Ok(Routed {
            action: Some(action),
            backend: Some(Backend::Upstream(upstream.clone())),
            scope: Some(Scope::of(action)),
            reads_body: matches!(
                action,
                Action::Create | Action::Update | Action::RotateSecret | Action::Test
            ),
            route: Route::Webhooks {
                upstream,
                op,
                allow,
            },
        })
    }

    fn authenticate<'k>(
        &self,
        routed: &Routed<Route>,
        headers: &HeaderMap,
        inbound: &'k Inbound,
    ) -> Result<Caller<'k>, Problem> {
        let scope = routed.scope.unwrap_or(Scope::Read);
        inbound.authorize(headers, scope, routed.upstream())
    }

    fn parse(
        &self,
        routed: &Routed<Route>,
        caller: Caller<'_>,
        headers: &HeaderMap,
        bytes: Bytes,
    ) -> Result<Job, Problem> {
        let (upstream, op) = match &routed.route {
            Route::Upstreams => {
                return Ok(Job::Answer(body::json(
                    200,
                    &self.describe(caller),
                    &body::JSON,
                )));
            }
            Route::Webhooks { upstream, op, .. } => (upstream, op),
            Route::Unknown(missing) => return Err(missing.clone()),
        };
        let mut op = op.clone();
        if matches!(op.action, Action::Create | Action::Update) {
            let update = op.action == Action::Update;
            if !headers::is_json(headers, update) {
                let accepted = if update {
                    "application/json or application/merge-patch+json"
                } else {
                    "application/json"
                };
                return Err(Problem::new(
                    Code::UnsupportedMediaType,
                    format!("the body must be {accepted}, in UTF-8, said in one Content-Type"),
                ));
            }
            let body = super::object(&bytes)?;
            op.body =
                Some(body.ok_or_else(|| Problem::bad_request("a JSON object body is required"))?);
        }
        if matches!(op.action, Action::RotateSecret | Action::Test) {
            op.body = action_body(op.action, headers, &bytes)?;
        }
        let _ = upstream;
        Ok(Job::Operation(op))
    }

    fn render(
        &self,
        routed: &Routed<Route>,
        _: Caller<'_>,
        outcome: Outcome,
        _request_id: &str,
    ) -> Result<Response<Body>, Problem> {
        match (outcome, &routed.route) {
            (Outcome::Answer(response), _) => Ok(response),
            (Outcome::Done(done), Route::Webhooks { upstream, op, .. }) => {
                Ok(render(upstream, op, done))
            }
            _ => Err(Problem::internal("an answer this API cannot give")),
        }
    }

    fn refuse(
        &self,
        routed: Option<&Routed<Route>>,
        problem: &Problem,
        request_id: &str,
    ) -> Response<Body> {
        // A vendor's 405 is answered with the methods of the canonical route (RFC 9110
        // requires `Allow`); the vendor's own would name its paths, not ours.
        if problem.code == Code::MethodNotAllowed
            && problem.allow.is_none()
            && let Some(Routed {
                route: Route::Webhooks { allow, .. },
                ..
            }) = routed
        {
            let mut p = problem.clone();
            p.allow = Some(allow.join(", ").into());
            return respond::problem(&p, request_id);
        }
        respond::problem(problem, request_id)
    }
}

/// The canonical answer to an operation that `upstream` carried out.
pub fn render(upstream: &Upstream, op: &Operation, done: Done) -> Response<Body> {
    use crate::model::Outcome;
    let mut response = match done.outcome {
        Outcome::Webhook(w) => body::bytes(200, webhook(&w), &body::JSON),
        Outcome::TestResult(r) => body::json(200, &Value::Object(r), &body::JSON),
        Outcome::Created(w) => {
            let location = location(upstream, op, w.str("id").as_deref());
            let mut response = body::bytes(201, webhook(&w), &body::JSON);
            if let Some(v) = location.as_deref().and_then(headers::value) {
                response.headers_mut().insert(header::LOCATION, v);
            }
            response
        }
        Outcome::List { items, next_cursor } => {
            body::bytes(200, page(items, next_cursor.as_deref()), &body::JSON)
        }
        Outcome::Deleted(_) => body::empty(204),
    };
    if op.lenient {
        let h = response.headers_mut();
        h.insert(
            PREFERENCE_APPLIED.clone(),
            http::HeaderValue::from_static("handling=lenient"),
        );
        // Sent only to name what was dropped: an empty list would read as a field of no name.
        if !done.dropped.is_empty()
            && let Some(v) = headers::value(&done.dropped.join(", "))
        {
            h.insert(DROPPED_FIELDS.clone(), v);
        }
    }
    response
}

/// A canonical webhook, written where it lies as a page's webhooks are ([`page`]).
fn webhook(members: &crate::model::Members) -> Bytes {
    let mut out = Vec::with_capacity(512);
    members.write(&mut out);
    out.into()
}

/// A canonical page, `{"data":[...],"next_cursor":...}`, as [`crate::json::write`] would
/// write it: the webhooks are text already, and the page is written around them
/// ([`crate::model::Listed::enveloped`]).
fn page(items: crate::model::Listed, next_cursor: Option<&str>) -> Bytes {
    items.enveloped(b"{\"data\":[", |out| {
        out.extend_from_slice(b"],\"next_cursor\":");
        crate::json::write(out, &next_cursor);
        out.push(b'}');
    })
}

fn location(upstream: &Upstream, op: &Operation, id: Option<&str>) -> Option<String> {
    let encode = |s: &str| crate::mapping::url::encode_segment(s).collect::<String>();
    let mut out = format!("/v1/upstreams/{}", encode(&upstream.name));
    if let Some(owner) = &op.owner {
        // An owner of several segments is written as them.
        out.push_str("/owners");
        for part in owner.split('/') {
            out.push('/');
            out.push_str(&encode(part));
        }
    }
    out.push_str(&format!("/webhooks/{}", encode(id?)));
    Some(out)
}

/// An action's optional body: none, or a JSON object of the members the action takes, which
/// for a rotation is the new `secret` the client chose and for a test nothing. A member the
/// action does not take is refused, never ignored: a secret sent to an action that would drop
/// it would leave the client believing it was used.
fn action_body(
    action: Action,
    headers: &HeaderMap,
    bytes: &[u8],
) -> Result<Option<Map<String, Value>>, Problem> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    if !headers::is_json(headers, false) {
        return Err(Problem::new(
            Code::UnsupportedMediaType,
            "the body must be application/json, in UTF-8, said in one Content-Type",
        ));
    }
    let body = super::object(bytes)?.unwrap_or_default();
    let takes: &[&str] = match action {
        Action::RotateSecret => &["secret"],
        _ => &[],
    };
    let mut errors: Vec<FieldError> = body
        .keys()
        .filter(|k| !takes.contains(&k.as_str()))
        .map(|k| FieldError::new(k.as_str(), "unknown field"))
        .collect();
    if action == Action::RotateSecret && body.get("secret").is_some_and(|s| !s.is_string()) {
        errors.push(FieldError::new("secret", "must be a string"));
    }
    if !errors.is_empty() {
        return Err(Problem::validation(errors));
    }
    Ok((!body.is_empty()).then_some(body))
}

/// The methods a canonical webhook route answers: a collection, an item, or an item's action.
fn allowed_methods(item: bool, action: bool) -> &'static [&'static str] {
    match (item, action) {
        (false, _) => &["GET", "HEAD", "POST"],
        (true, true) => &["POST"],
        (true, false) => &["GET", "HEAD", "PATCH", "DELETE"],
    }
}

/// A cursor as a client sent it: an empty one is none any list gave, refused rather than read
/// as the first page (a client that lost its cursor would page from the start forever).
pub(crate) fn cursor_given(value: String, param: &str) -> Result<String, Problem> {
    if value.is_empty() {
        return Err(Problem::validation(vec![FieldError::in_query(
            param,
            "is empty: no list gives an empty cursor",
        )]));
    }
    Ok(value)
}

/// A list's `limit` and `cursor`. Each may be given once: of two, neither could be said to be
/// the one meant (servers on the way may pick either), so a repeated one is refused.
fn list_query(query: Option<&str>) -> Result<ListQuery, Problem> {
    let mut out = ListQuery::default();
    let once = |field: &str, given: bool| {
        if given {
            Err(Problem::validation(vec![FieldError::new(
                field,
                "is given more than once",
            )]))
        } else {
            Ok(())
        }
    };
    for (key, value) in query_pairs(query) {
        match key.as_str() {
            "limit" => {
                once("limit", out.limit.is_some())?;
                out.limit = Some(page_size(&value)?);
            }
            "cursor" => {
                once("cursor", out.cursor.is_some())?;
                out.cursor = Some(value);
            }
            _ => {}
        }
    }
    // Once the query is known to name it once: a repeated one is refused as such.
    out.cursor = out.cursor.map(|c| cursor_given(c, "cursor")).transpose()?;
    Ok(out)
}

/// A list's `limit`: a positive decimal count that a `u64` holds (a larger one is no page size
/// any vendor serves, and is told the bound rather than that it is no integer).
fn page_size(value: &str) -> Result<u64, Problem> {
    let refused = |message: String| Problem::validation(vec![FieldError::new("limit", message)]);
    match value.parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        Err(e) if *e.kind() == std::num::IntErrorKind::PosOverflow => Err(refused(format!(
            "`{value}` is too large: a positive integer, at most {}",
            u64::MAX
        ))),
        _ => Err(refused("must be a positive integer".to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_query_names_its_limit_and_cursor_once() {
        let q = list_query(Some("limit=5&cursor=c1&other=x")).expect("a query");
        assert_eq!((q.limit, q.cursor.as_deref()), (Some(5), Some("c1")));
        for repeated in [
            "limit=1&limit=2",
            "limit=1&limit=1",
            "cursor=a&cursor=b",
            "cursor=&cursor=a",
            "cursor=a&cursor=",
        ] {
            let refused = list_query(Some(repeated)).expect_err(repeated);
            assert_eq!(refused.status(), 422, "{repeated}");
            assert!(
                refused.detail.contains("more than once"),
                "{repeated}: {}",
                refused.detail
            );
        }
    }

    fn parts(p: &str) -> Vec<Cow<'_, str>> {
        segments(p).unwrap()
    }

    /// The route of a path where every owner is one segment.
    fn path_of(parts: &[Cow<'_, str>]) -> Option<Path> {
        path(parts, |_| 1)
    }

    #[test]
    fn an_owner_is_as_many_segments_as_its_upstream_says() {
        let span = |u: Option<&str>| if u == Some("gh") { 2 } else { 1 };
        let webhooks = |upstream: Option<&str>, owner: &str, id: Option<&str>| {
            Some(Path::Webhooks {
                upstream: upstream.map(Into::into),
                owner: Some(owner.into()),
                id: id.map(Into::into),
                action: None,
            })
        };
        assert_eq!(
            path(&parts("/v1/upstreams/gh/owners/octo/site/webhooks/7"), span),
            webhooks(Some("gh"), "octo/site", Some("7"))
        );
        // A repository named `webhooks` is an owner's second segment, not the collection.
        assert_eq!(
            path(
                &parts("/v1/upstreams/gh/owners/octo/webhooks/webhooks"),
                span
            ),
            webhooks(Some("gh"), "octo/webhooks", None)
        );
        assert_eq!(
            path(&parts("/v1/upstreams/t/owners/octo/site/webhooks/7"), span),
            None
        );
        assert_eq!(path(&parts("/v1/upstreams/gh/owners/octo"), span), None);
        assert_eq!(
            path(&parts("/v1/owners/octo/site/webhooks"), |_| 2),
            webhooks(None, "octo/site", None)
        );
    }

    #[test]
    fn routes_every_canonical_shape() {
        assert_eq!(path_of(&parts("/v1/upstreams")), Some(Path::Upstreams));
        assert_eq!(
            path_of(&parts("/v1/upstreams/t/owners/a%40b/webhooks/9/test")),
            Some(Path::Webhooks {
                upstream: Some("t".into()),
                owner: Some("a@b".into()),
                id: Some("9".into()),
                action: Some(Action::Test)
            })
        );
        assert_eq!(
            path_of(&parts("/v1/webhooks")),
            Some(Path::Webhooks {
                upstream: None,
                owner: None,
                id: None,
                action: None
            })
        );
        assert_eq!(path_of(&parts("/v1/webhooks/1/explode")), None);
        assert_eq!(path_of(&parts("/v2/webhooks")), None);
    }

    #[test]
    fn dot_segments_are_refused_however_spelt() {
        for p in [
            "/v1/webhooks/..",
            "/v1/webhooks/.",
            "/v1/webhooks/%2e%2e",
            "/v1/webhooks/%2E",
            "/v1/owners/%2e/webhooks",
            "/v1/webhooks/a%2Fb",
            "/v1/webhooks/%2E%2e/test",
        ] {
            assert_eq!(segments(p).unwrap_err().code, Code::BadRequest, "{p}");
        }
    }
}
