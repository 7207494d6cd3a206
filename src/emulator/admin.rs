//! The admin API of an emulator: hookgate's own API beside the vendor's, under a reserved
//! prefix (`/__hookgate/` on the emulator's listener, `/__hookgate/emulators/{upstream}/` on
//! the gateway's main listener), behind inbound authentication when it is on, answering
//! failures as `application/problem+json`. Described by `openapi/emulator-admin.json`. Where
//! emulators are served by name, a [`Gate`] checks the key before the name is looked for.
//!
//! | path | what |
//! |---|---|
//! | `GET /emulator` | what it emulates, how many webhooks and journal entries it holds, its settings |
//! | `POST /reset` | back to the start state |
//! | `GET, POST, DELETE /webhooks` | the stored webhooks: list, seed, remove all |
//! | `GET, DELETE /journal` | the requests received, filtered; forget them |
//! | `GET, PUT, DELETE /faults` | the faults in force |
//! | `GET /openapi.json` | the description, its server this emulator's admin base |

use super::Emulator;
use super::faults::Faults;
use super::fixtures::{Fixtures, Shape};
use super::journal::Filter;
use crate::auth::{self, Caller, Inbound, Scope};
use crate::frontend::{Frontend, Head, Job, Outcome, Routed, query_pairs};
use crate::http::body::{self, Body};
use crate::http::respond;
use crate::mapping::model::ClientAuth;
use crate::problem::{Code, FieldError, Problem};
use crate::store::Clock;
use bytes::Bytes;
use http::{HeaderMap, Method, Response};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

/// The reserved prefix of hookgate's own paths on a vendor's listener, as on the main one.
pub const PREFIX: &str = crate::routes::ADMIN;

/// The description of the admin API, relative to its base (`servers`).
pub const OPENAPI_JSON: &str = include_str!("../../openapi/emulator-admin.json");

/// The part of `path` under the admin prefix (`/__hookgate/reset` → `/reset`), if it is
/// under it.
pub fn under_prefix(path: &str) -> Option<&str> {
    crate::routes::under(path, PREFIX)
}

/// What an admin request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resource {
    Emulator,
    Reset,
    Webhooks,
    Journal,
    Faults,
    OpenApi,
}

impl Resource {
    fn methods(self) -> &'static [&'static str] {
        match self {
            Resource::Emulator | Resource::OpenApi => &["GET", "HEAD"],
            Resource::Reset => &["POST"],
            Resource::Webhooks => &["GET", "HEAD", "POST", "DELETE"],
            Resource::Journal => &["GET", "HEAD", "DELETE"],
            Resource::Faults => &["GET", "HEAD", "PUT", "DELETE"],
        }
    }
}

/// A routed admin request.
pub struct Route {
    resource: Resource,
    method: Method,
    query: Option<String>,
}

/// The admin API of one emulator, its paths relative to `base`.
pub struct AdminApi<'a> {
    /// The emulator whose admin API this is.
    pub emulator: &'a Emulator,
    /// Where the admin API is, as its description's server says.
    pub base: String,
}

/// The key of an admin request: `X-Api-Key`, or a bearer token. An empty one is none, in
/// either place, and two different keys are refused where keys are on, as on the surfaces
/// ([`auth::one_key`]): which was meant is not for the emulator to guess.
fn presented<'h>(headers: &'h HeaderMap, inbound: &Inbound) -> Result<Option<&'h str>, Problem> {
    let (given, bearer) = (auth::api_key(headers), auth::bearer(headers));
    if !inbound.is_on() {
        return Ok(given.filter(|key| !key.trim().is_empty()).or(bearer));
    }
    auth::one_key(given, bearer, BEARER)
}

/// Where an admin request may give its key besides `X-Api-Key`.
const BEARER: &str = "Authorization: Bearer";

const ASKED: &str = "X-Api-Key or Authorization: Bearer";

impl Frontend for AdminApi<'_> {
    type Route = Route;

    fn label(&self) -> &str {
        "emulator-admin"
    }

    fn key_headers(&self) -> Vec<&http::HeaderName> {
        vec![&http::header::AUTHORIZATION]
    }

    fn route(&self, head: &Head<'_>) -> Result<Routed<Route>, Problem> {
        let resource = match head.path.trim_end_matches('/') {
            "/emulator" => Resource::Emulator,
            "/reset" => Resource::Reset,
            "/webhooks" => Resource::Webhooks,
            "/journal" => Resource::Journal,
            "/faults" => Resource::Faults,
            "/openapi.json" => Resource::OpenApi,
            _ => {
                return Err(Problem::not_found(format!(
                    "no admin route for {}{}",
                    self.base, head.path
                )));
            }
        };
        let allowed = resource.methods();
        if !allowed.contains(&head.method.as_str()) {
            return Err(Problem::method_not_allowed(allowed));
        }
        let reads = matches!(*head.method, Method::GET | Method::HEAD);
        let scope = (resource != Resource::OpenApi).then_some(if reads {
            Scope::Read
        } else {
            Scope::Write
        });
        let route = Route {
            resource,
            method: head.method.clone(),
            query: head.query.map(str::to_owned),
        };
        let reads_body = matches!(*head.method, Method::POST | Method::PUT);
        Ok(Routed::local(route, scope, reads_body))
    }

    fn authenticate<'k>(
        &self,
        routed: &Routed<Route>,
        headers: &HeaderMap,
        inbound: &'k Inbound,
    ) -> Result<Caller<'k>, Problem> {
        let Some(scope) = routed.scope else {
            return Ok(Caller::default()); // the description, public as the main listener's
        };
        inbound.authorize_key(
            presented(headers, inbound)?,
            ASKED,
            scope,
            self.emulator.upstream.as_deref(),
        )
    }

    fn parse(
        &self,
        routed: &Routed<Route>,
        _: Caller<'_>,
        _: &HeaderMap,
        bytes: Bytes,
    ) -> Result<Job, Problem> {
        let route = &routed.route;
        let e = self.emulator;
        let query = query_pairs(route.query.as_deref());
        let reading = matches!(route.method, Method::GET | Method::HEAD);
        let response = match (route.resource, reading, &route.method) {
            (Resource::OpenApi, _, _) => {
                no_query(&query)?;
                body::json(200, &openapi(&self.base), &body::JSON)
            }
            (Resource::Emulator, _, _) => {
                no_query(&query)?;
                body::json(200, &self.describe(), &body::JSON)
            }
            (Resource::Reset, _, _) => {
                no_query(&query)?;
                e.reset();
                body::json(200, &self.describe(), &body::JSON)
            }
            (Resource::Webhooks, true, _) => {
                let (shape, owner) = list_query(&query)?;
                let items = self.webhooks(shape, owner.as_deref())?;
                body::json(200, &json!({ "webhooks": items }), &body::JSON)
            }
            (Resource::Webhooks, false, &Method::POST) => {
                no_query(&query)?;
                let fixtures: Fixtures = document(&bytes, "a fixtures document")?;
                let owned = fixtures.webhooks(&e.dialect).map_err(Problem::validation)?;
                if let Some(faults) = &fixtures.faults {
                    check_faults(faults)?;
                }
                let seeded = e.store.seed(owned)?;
                if let Some(faults) = fixtures.faults {
                    e.injector().set(faults);
                }
                e.persist();
                let items = seeded
                    .iter()
                    .map(|w| self.shown(fixtures.shape, w))
                    .collect::<Result<Vec<_>, _>>()?;
                body::json(201, &json!({ "webhooks": items }), &body::JSON)
            }
            (Resource::Webhooks, false, _) => {
                no_query(&query)?;
                e.store.clear();
                e.persist();
                body::empty(204)
            }
            (Resource::Journal, true, _) => {
                let filter = Filter::parse(&query)
                    .map_err(|error| Problem::with_errors(Code::BadRequest, vec![error]))?;
                let entries = e.journal.entries(&filter);
                body::json(200, &json!({ "entries": entries }), &body::JSON)
            }
            (Resource::Journal, false, _) => {
                no_query(&query)?;
                e.journal.clear();
                body::empty(204)
            }
            (Resource::Faults, true, _) => {
                no_query(&query)?;
                body::json(200, e.injector().faults(), &body::JSON)
            }
            (Resource::Faults, false, &Method::PUT) => {
                no_query(&query)?;
                let faults: Faults = document(&bytes, "faults")?;
                check_faults(&faults)?;
                e.injector().set(faults.clone());
                body::json(200, &faults, &body::JSON)
            }
            (Resource::Faults, false, _) => {
                no_query(&query)?;
                e.injector().set(Faults::default());
                body::empty(204)
            }
        };
        Ok(Job::Answer(response))
    }

    fn render(
        &self,
        _: &Routed<Route>,
        _: Caller<'_>,
        outcome: Outcome,
        _: &str,
    ) -> Result<Response<Body>, Problem> {
        outcome.answered("the admin API")
    }

    fn refuse(&self, _: Option<&Routed<Route>>, problem: &Problem, id: &str) -> Response<Body> {
        respond::problem(problem, id)
    }
}

impl AdminApi<'_> {
    /// `GET /emulator`: what it is and holds.
    fn describe(&self) -> Value {
        let e = self.emulator;
        let s = &e.settings;
        let clock = match s.determinism.clock {
            Clock::System => Value::Null,
            Clock::Stepping { start, step } => json!({
                "start": humantime::format_rfc3339(start).to_string(),
                "step_ms": step.as_millis() as u64,
            }),
        };
        json!({
            "name": e.name,
            "dialect": e.dialect.name,
            "title": e.dialect.title,
            "base_path": e.dialect.base_path,
            "owner": e.dialect.owner,
            "webhooks": e.webhook_count(),
            "journal": e.journal.len(),
            "faults": e.injector().faults(),
            "seed": s.determinism.seed,
            "clock": clock,
            "state": s.state.as_ref().map(|p| p.display().to_string()),
            "fixtures": s.fixtures.as_ref().map(|p| p.display().to_string()),
        })
    }

    /// The stored webhooks in `shape`, of `owner` only when given.
    fn webhooks(&self, shape: Shape, owner: Option<&str>) -> Result<Vec<Value>, Problem> {
        self.emulator
            .store
            .webhooks()
            .into_iter()
            .filter(|o| owner.is_none_or(|wanted| o.owner.as_deref() == Some(wanted)))
            .map(|o| self.shown(shape, &o.webhook))
            .collect()
    }

    /// A stored webhook as the vendor's API shows it, or in canonical terms.
    fn shown(&self, shape: Shape, webhook: &Map<String, Value>) -> Result<Value, Problem> {
        match shape {
            Shape::Canonical => Ok(Value::Object(webhook.clone())),
            Shape::Vendor => self
                .emulator
                .dialect
                .webhook
                .render(webhook)
                .map_err(|errors| {
                    let mut p = Problem::with_errors(Code::Internal, errors);
                    p.detail = format!(
                        "a stored webhook cannot be shown in the vendor's shape: {}",
                        p.detail
                    );
                    p
                }),
        }
    }
}

/// Refuses query parameters where a route takes none.
fn no_query(pairs: &[(String, String)]) -> Result<(), Problem> {
    match pairs.first() {
        None => Ok(()),
        Some((key, _)) => Err(Problem::with_errors(
            Code::BadRequest,
            vec![FieldError::new(key.clone(), "unknown query parameter")],
        )),
    }
}

/// `?shape=vendor|canonical&owner=…` of `GET /webhooks`.
fn list_query(pairs: &[(String, String)]) -> Result<(Shape, Option<String>), Problem> {
    let mut shape = Shape::Vendor;
    let mut owner = None;
    for (key, value) in pairs {
        match key.as_str() {
            "shape" => {
                shape = match value.as_str() {
                    "vendor" => Shape::Vendor,
                    "canonical" => Shape::Canonical,
                    _ => {
                        return Err(Problem::with_errors(
                            Code::BadRequest,
                            vec![FieldError::new("shape", "expected vendor or canonical")],
                        ));
                    }
                }
            }
            "owner" => owner = Some(value.clone()),
            other => return no_query(&[(other.to_owned(), String::new())]).map(|_| (shape, None)),
        }
    }
    Ok((shape, owner))
}

/// A JSON body as `T`; `what` names it in the refusal.
fn document<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, Problem> {
    let object = crate::frontend::object(bytes)?
        .ok_or_else(|| Problem::bad_request(format!("the body must be {what}")))?;
    serde_json::from_value(Value::Object(object)).map_err(|e| {
        Problem::with_errors(
            Code::ValidationFailed,
            vec![FieldError::new("(body)", format!("is not {what}: {e}"))],
        )
    })
}

fn check_faults(faults: &Faults) -> Result<(), Problem> {
    let errors = faults.check("faults");
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Problem::validation(errors))
    }
}

/// The description with its server set to `base`.
fn openapi(base: &str) -> Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    let mut doc = DOC
        .get_or_init(|| serde_json::from_str(OPENAPI_JSON).unwrap_or(Value::Null))
        .clone();
    if let Value::Object(map) = &mut doc {
        map.insert("servers".into(), json!([{ "url": base }]));
    }
    doc
}

/// The front of a listener that serves emulators by name (the gateway's main listener under
/// `/__hookgate/emulators/{upstream}`, `hookgate emulate --one-listener` under `/{dialect}`).
/// With keys on, a request without a valid one is answered alike whether or not its name is
/// an emulator's, and whatever it asks of it (the admin API's description too): the same 401,
/// the one answer a caller without a key gets, so that it cannot tell the names there are from
/// those there are not (as the canonical API waits for the key before it says an upstream is
/// not there). A client with a valid key (or any client, with keys off) goes on to the
/// emulator its name is, which holds the key to its scopes and upstreams, or is told there is
/// none.
pub struct Gate<'a> {
    /// Whether the name asked for is an emulator's.
    pub found: bool,
    /// Why the name is not found, said to a client with a valid key.
    pub missing: Problem,
    /// The ways a vendor served here takes its clients' credential, in which a key may come
    /// too, besides `X-Api-Key` and a bearer token.
    pub ways: Vec<&'a ClientAuth>,
}

impl Gate<'_> {
    /// Whether a request goes on to the emulator its name is: the name is one, and it comes
    /// with a valid key where keys are on.
    pub fn passes(&self, inbound: &Inbound, headers: &HeaderMap, query: Option<&str>) -> bool {
        self.found && self.key(inbound, headers, query).is_ok()
    }

    /// The valid key the request carries, in any way a client of this listener may present
    /// one (`None` without keys on, where every request passes).
    fn key<'k>(
        &self,
        inbound: &'k Inbound,
        headers: &HeaderMap,
        query: Option<&str>,
    ) -> Result<Option<&'k auth::Key>, Problem> {
        let mut presented: Vec<std::borrow::Cow<'_, str>> =
            [auth::api_key(headers), auth::bearer(headers)]
                .into_iter()
                .flatten()
                .map(std::borrow::Cow::Borrowed)
                .collect();
        presented.extend(
            self.ways
                .iter()
                .filter_map(|how| auth::presented(how, headers, query)),
        );
        let mut refused = None;
        for key in &presented {
            match inbound.authenticate_key(Some(key), ASKED) {
                Ok(found) => return Ok(found),
                Err(problem) => {
                    refused.get_or_insert(problem);
                }
            }
        }
        match refused {
            Some(problem) => Err(problem),
            None => inbound.authenticate_key(None, ASKED),
        }
    }
}

impl Frontend for Gate<'_> {
    /// The request's query, where a vendor takes a key there.
    type Route = Option<String>;

    fn label(&self) -> &str {
        "emulators"
    }

    fn key_headers(&self) -> Vec<&http::HeaderName> {
        let mut names = vec![&http::header::AUTHORIZATION];
        for name in self.ways.iter().filter_map(|how| auth::header_of(how)) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }

    fn route(&self, head: &Head<'_>) -> Result<Routed<Option<String>>, Problem> {
        Ok(Routed::local(head.query.map(str::to_owned), None, false))
    }

    fn authenticate<'k>(
        &self,
        routed: &Routed<Option<String>>,
        headers: &HeaderMap,
        inbound: &'k Inbound,
    ) -> Result<Caller<'k>, Problem> {
        // Past the gate, the admin API's own frontend decides what the key may do.
        self.key(inbound, headers, routed.route.as_deref())
            .map(|_| Caller::default())
    }

    fn parse(
        &self,
        _: &Routed<Option<String>>,
        _: Caller<'_>,
        _: &HeaderMap,
        _: Bytes,
    ) -> Result<Job, Problem> {
        Err(self.missing.clone())
    }

    fn render(
        &self,
        _: &Routed<Option<String>>,
        _: Caller<'_>,
        outcome: Outcome,
        _: &str,
    ) -> Result<Response<Body>, Problem> {
        outcome.answered("the gate")
    }

    fn refuse(
        &self,
        _: Option<&Routed<Option<String>>>,
        problem: &Problem,
        id: &str,
    ) -> Response<Body> {
        respond::problem(problem, id)
    }
}

/// The emulators the gateway runs, for its main listener: by upstream name, with their
/// addresses.
pub type Running = BTreeMap<String, (SocketAddr, Arc<Emulator>)>;

/// `GET /__hookgate/emulators` on the main listener.
pub struct Index<'a> {
    /// The running emulators to list.
    pub emulators: &'a Running,
}

impl Frontend for Index<'_> {
    /// Nothing: the key's reach, which decides the emulators listed, comes with its caller.
    type Route = ();

    fn label(&self) -> &str {
        "emulator-admin"
    }

    fn key_headers(&self) -> Vec<&http::HeaderName> {
        vec![&http::header::AUTHORIZATION]
    }

    fn route(&self, head: &Head<'_>) -> Result<Routed<()>, Problem> {
        if !matches!(*head.method, Method::GET | Method::HEAD) {
            return Err(Problem::method_not_allowed(&["GET", "HEAD"]));
        }
        Ok(Routed::local((), Some(Scope::Read), false))
    }

    fn authenticate<'k>(
        &self,
        _: &Routed<()>,
        headers: &HeaderMap,
        inbound: &'k Inbound,
    ) -> Result<Caller<'k>, Problem> {
        inbound.authorize_key(presented(headers, inbound)?, ASKED, Scope::Read, None)
    }

    fn parse(
        &self,
        _: &Routed<()>,
        caller: Caller<'_>,
        _: &HeaderMap,
        _: Bytes,
    ) -> Result<Job, Problem> {
        let list: Vec<Value> = self
            .emulators
            .iter()
            .filter(|(name, _)| caller.reaches(name))
            .map(|(name, (addr, e))| {
                json!({
                    "upstream": name,
                    "dialect": e.dialect.name,
                    "url": format!("http://{addr}"),
                    "admin": format!("{PREFIX}/emulators/{name}"),
                })
            })
            .collect();
        Ok(Job::Answer(body::json(
            200,
            &json!({ "emulators": list }),
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
        outcome.answered("the index")
    }

    fn refuse(&self, _: Option<&Routed<()>>, problem: &Problem, id: &str) -> Response<Body> {
        respond::problem(problem, id)
    }
}

/// The emulators' admin APIs as the main listener mounts them.
pub struct MainMount {
    /// The running emulators whose admin APIs are mounted.
    pub emulators: Running,
}

impl crate::wiring::Mount for MainMount {
    fn prefix(&self) -> &str {
        PREFIX
    }

    fn serve<'a>(
        &'a self,
        admission: &'a crate::frontend::Admission,
        request: http::Request<crate::http::inbound::Incoming>,
        path: &'a str,
        request_id: &'a str,
    ) -> crate::wiring::Serving<'a> {
        Box::pin(main_listener(
            &self.emulators,
            admission,
            request,
            path,
            request_id,
        ))
    }
}

/// Serves `/__hookgate/…` on the gateway's main listener: the index of its emulators, and each
/// one's admin API under `/__hookgate/emulators/{upstream}`.
pub async fn main_listener(
    emulators: &Running,
    admission: &crate::frontend::Admission,
    request: http::Request<crate::http::inbound::Incoming>,
    path: &str,
    request_id: &str,
) -> Response<Body> {
    let rest = under_prefix(path).unwrap_or(path);
    let Some(under) = rest.strip_prefix("/emulators") else {
        return crate::gateway::no_route(&request, path, request_id);
    };
    if under.is_empty() || under == "/" {
        let index = Index { emulators };
        return crate::gateway::serve(&index, admission, request, path, request_id).await;
    }
    let under = under.trim_start_matches('/');
    let (name, admin_path) = match under.split_once('/') {
        Some((name, rest)) => (name, format!("/{rest}")),
        None => (under, String::new()),
    };
    let base = format!("{PREFIX}/emulators/{name}");
    let found = emulators.get(name);
    let gate = Gate {
        found: found.is_some(),
        missing: Problem::not_found(format!("no emulated upstream {name}")),
        ways: Vec::new(),
    };
    let passes = gate.passes(&admission.inbound, request.headers(), request.uri().query());
    match found {
        Some((_, emulator)) if passes => {
            let api = AdminApi { emulator, base };
            crate::gateway::serve(&api, admission, request, &admin_path, request_id).await
        }
        _ => crate::gateway::serve(&gate, admission, request, &admin_path, request_id).await,
    }
}
