//! One road through the gateway. Every request a listener takes, on the canonical API or on a
//! vendor's own API, goes through [`serve`] and its named phases:
//!
//! ```text
//! route → authenticate → read body → plan → call → render → record
//! ```
//!
//! The frontend ([`Frontend`]) gives each phase its API's specifics (paths, where the key is,
//! the body's shape, the answer's shape); this file owns everything else: the span, the
//! request id, the body's limits, the call to the backend, turning a problem into a response
//! (through the frontend, in one place), redacting the request's secrets, logging each failure
//! once, the access log and the metrics.
//!
//! # A canonical PATCH, phase by phase
//!
//! `PATCH /v1/upstreams/chat/webhooks/{id}` with a JSON merge patch, on the main listener:
//!
//! 1. **Listener.** [`MainListener`] answers probes itself, reads the routes in force (a reload
//!    swaps them between requests) and hands a `/v1` path to [`serve`] with the
//!    [`CanonicalApi`](crate::frontend::canonical::CanonicalApi).
//! 2. **Route.** `CanonicalApi::route` parses the path: upstream `chat`, the id, and from the
//!    method the canonical action `update`, which needs the write scope and reads a body. The
//!    span now names the upstream, its dialect and the operation.
//! 3. **Authenticate.** The client's `X-Api-Key` must allow writing to `chat`
//!    ([`auth::Inbound`](crate::auth::Inbound)).
//! 4. **Read body.** At most the configured size, within its deadline (413 or 400 otherwise).
//!    A `POST` with an `Idempotency-Key` (one, else 400) claims it here, before the body is
//!    parsed, where hookgate keeps the key: a refusal of what follows is kept as any answer is
//!    ([`idempotency`]). Where the vendor takes keys, the key it is sent is scoped to the client.
//! 5. **Plan** (`Frontend::parse`, then the backend). The canonical frontend checks the media type
//!    and makes the patch the [`Operation`](crate::model::Operation)'s body; `execute` gives it to the
//!    [`Upstream`](crate::upstream::Upstream), whose [`Plan`](crate::plan::Plan) lays out the
//!    vendor requests from `chat`'s mapping file: a read first where the vendor replaces what it
//!    is sent (read-merge-write), the vendor's own update, and any follow-up reads.
//! 6. **Call.** The upstream sends each planned request with its retries, deadline and circuit
//!    breaker, and gives each reply back to the plan, which reads it into the canonical webhook.
//! 7. **Render.** `canonical::render` answers 200 with the canonical webhook (plus
//!    `Hookgate-Dropped-Fields` where a lenient request dropped fields). A problem at any
//!    phase ends the road here instead: `CanonicalApi::refuse` writes it as
//!    `application/problem+json`, with the request's secrets redacted from a vendor's message.
//! 8. **Record.** `record`: the request's metrics, one access-log line, and a failure's one
//!    log line; the answer carries `X-Request-Id`.
//!
//! # A surface request, phase by phase
//!
//! A client of vendor X's own API, mounted under `/x` in front of an upstream of dialect Y,
//! sends X's "update webhook" request:
//!
//! 1. **Listener.** [`MainListener`] finds the mount prefix and serves the rest of the path
//!    through the surface's [`VendorApi`](crate::frontend::vendor::VendorApi) (a surface on a
//!    listener of its own, or an emulator, comes through [`Standalone`] the same way).
//! 2. **Route.** X's mapping file gives the paths and verbs: the route is X's update, whose
//!    canonical action is `update`.
//! 3. **Authenticate.** The key is taken the way X's clients send it (X's bearer token, or
//!    `X-Api-Key`); where the upstream passes the client's credential on, the vendor checks it.
//! 4. **Read body**, as above.
//! 5. **Plan.** `VendorApi::parse` refuses an owner or id of a shape Y never gives (a 404, only
//!    now, so that a client without a key learns nothing but the 401), checks the body as X
//!    would (X's own messages) and reads it through X's rules into a canonical [`Operation`](crate::model::Operation);
//!    the upstream plans it in Y's dialect, exactly as for a canonical request. Were the
//!    upstream of X's own dialect, the request would be relayed as it is after the same checks
//!    ([`Job::Relay`]).
//! 6. **Call**, as above (an emulator's [`Store`](crate::store::Store) answers in memory instead).
//! 7. **Render.** The canonical webhook is shown through X's rules and X's response template;
//!    a problem becomes X's error envelope (`VendorApi::refuse`), its field errors named the
//!    way X names them.
//! 8. **Record**, as above, under the surface's label.

use crate::exchange::Reply;
use crate::frontend::{self, Admission, Backend, Frontend, Job, Outcome, Relay, Routed};
use crate::http::body::{self, Body, BodyLimit, RequestBody};
use crate::http::headers::{self, X_REQUEST_ID};
use crate::http::inbound::Incoming;
use crate::http::server::Secure;
use crate::idempotency::{self, Claim};
use crate::problem::Problem;
use crate::routes::{CANONICAL, HEALTHZ, METRICS, OPENAPI, PREVIEW, READYZ, under};
use crate::upstream::{Call, RelayTarget};
use bytes::Bytes;
use http::{HeaderMap, Request, Response};
use serde_json::{Map, Value};
use tokio::time::Instant;
use tracing::Instrument;

/// Serves one request through `front`: `path` is the request's path after any mount prefix.
/// The body is a connection's, or one already read (an emulator reads it first, for its
/// journal). The phases stand in order: route here, then `answer` (authenticate, read the
/// body, plan and call, render), then the headers every answer carries and `record`.
pub async fn serve<F: Frontend, B: RequestBody>(
    front: &F,
    admission: &Admission,
    request: Request<B>,
    path: &str,
    request_id: &str,
) -> Response<Body> {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    // Every line a request causes, the record's included, is in its span.
    let span = tracing::info_span!(
        "request",
        request_id,
        surface = front.log_name(),
        upstream = tracing::field::Empty,
        dialect = tracing::field::Empty,
        operation = tracing::field::Empty,
    );
    // A credential given twice is refused before anything is said of the request: which of
    // the two was meant is not for the gateway to guess.
    let repeated = admission
        .inbound
        .is_on()
        .then(|| {
            let query = parts.uri.query();
            crate::auth::repeated(
                &parts.headers,
                &front.key_headers(),
                query,
                &front.key_params(),
            )
        })
        .flatten();
    let routed = match repeated {
        Some(problem) => Err(problem),
        None => span.in_scope(|| {
            front.route(&frontend::Head {
                method: &parts.method,
                path,
                query: parts.uri.query(),
                headers: &parts.headers,
                uri: Some(&parts.uri),
                secure: parts.extensions.get::<Secure>().is_some(),
            })
        }),
    };
    let routed = match routed {
        Err(problem) => Err(problem),
        Ok(routed) => {
            name_in_span(&span, &routed);
            Ok(routed)
        }
    };
    let road = Road {
        front,
        routed: routed.as_ref().ok(),
        parts: &parts,
        started,
    };
    // Until the answer, a dropped future (its client went away) is recorded as such.
    let unanswered = Unanswered {
        road: &road,
        request_id,
        span: &span,
    };
    let (mut response, problem) = match &routed {
        Err(problem) => (front.refuse(None, problem, request_id), None),
        Ok(routed) => {
            let request = (&parts.headers, parts.uri.query());
            answer(front, admission, routed, request, body, request_id)
                .instrument(span.clone())
                .await
        }
    };
    std::mem::forget(unanswered);
    let problem = problem.as_ref().or(routed.as_ref().err());
    front.decorate(road.routed, &mut response, request_id);
    if let Some(id) = headers::value(request_id) {
        response.headers_mut().insert(X_REQUEST_ID.clone(), id);
    }
    // The access record's id is the answer's: a client's id that cannot be a header is not
    // repeated in the log either.
    let answered_id = response
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    span.in_scope(|| record(&road, response.status().as_u16(), answered_id, problem));
    response
}

/// What [`record`] tells of a request, whatever its end.
struct Road<'a, F: Frontend> {
    front: &'a F,
    routed: Option<&'a Routed<F::Route>>,
    parts: &'a http::request::Parts,
    started: Instant,
}

/// nginx's status for a request whose client closed the connection before its answer; no
/// answer carries it, the record and the metrics do.
const CLIENT_CLOSED: u16 = 499;

/// nginx's status for a connection closed without an answer, as an emulator's fault drops
/// one; no answer carries it, the record and the metrics do.
pub const DROPPED: u16 = 444;

/// Records a request `front` answered without serving it (an emulator's fault, or a body it
/// could not read, answered before the request reaches [`serve`]), as [`serve`] records the
/// requests it serves: one access event and one count.
pub fn record_unserved<F: Frontend>(
    front: &F,
    routed: Option<&Routed<F::Route>>,
    (parts, started): (&http::request::Parts, Instant),
    status: u16,
    request_id: &str,
) {
    let road = Road {
        front,
        routed,
        parts,
        started,
    };
    let id = headers::value(request_id).map_or("", |_| request_id);
    record(&road, status, id, None);
}

/// Armed while a request is answered: dropped with the request's future, as when its client
/// goes away and the connection stops serving it (any vendor call it waited on is dropped with
/// it), it records the request as [`CLIENT_CLOSED`]. Disarmed by being forgotten: it holds only
/// references. A create that has claimed its idempotency key is not dropped with its client
/// ([`Replays::carry`](crate::idempotency::Replays::carry)): it is recorded with its answer.
struct Unanswered<'a, F: Frontend> {
    road: &'a Road<'a, F>,
    request_id: &'a str,
    span: &'a tracing::Span,
}

impl<F: Frontend> Drop for Unanswered<'_, F> {
    fn drop(&mut self) {
        let id = headers::value(self.request_id).map_or("", |_| self.request_id);
        self.span
            .in_scope(|| record(self.road, CLIENT_CLOSED, id, None));
    }
}

/// Names what a routed request reaches in its span, once routing knows it.
fn name_in_span<R>(span: &tracing::Span, routed: &Routed<R>) {
    span.record("upstream", routed.upstream().unwrap_or(""));
    let dialect = routed.backend.as_ref().map(|b| b.dialect().name.as_str());
    span.record("dialect", dialect.unwrap_or(""));
    span.record("operation", routed.operation());
}

/// The answer to a routed request, and the problem that made it a refusal if one did: the
/// phases after routing (authenticate, read the body, plan and call, render), the first
/// problem ending the road; a problem turned into the frontend's refusal (the one place a
/// problem becomes a response); and the vendor's rate limits passed on to the client.
async fn answer<F: Frontend, B: RequestBody>(
    front: &F,
    admission: &Admission,
    routed: &Routed<F::Route>,
    (headers, query): (&HeaderMap, Option<&str>),
    body: B,
    request_id: &str,
) -> (Response<Body>, Option<Problem>) {
    let credential = front.credential_header();
    let mut call = Call::new(
        request_id,
        headers
            .get(credential)
            .map(|v| (credential.clone(), v.clone())),
        None,
    );
    let parts = front.credential_parts();
    if !parts.is_empty() {
        let sent = parts
            .iter()
            .filter_map(|n| Some((n.clone(), headers.get(n)?.clone())));
        call.client_auth_parts = sent.collect();
    }
    // The claim of a key the gateway honours itself, settled with the answer.
    let mut held = None;
    let phases = async {
        let caller = front.authenticate(routed, headers, &admission.inbound)?;
        let spelt = front.idempotency_header_spelt();
        if routed.backend.is_some() {
            let header = front.idempotency_header();
            call.idempotency_key = frontend::idempotency_key(headers, header, spelt)?;
        }
        let bytes = read_body(body, headers, routed.reads_body, admission.body_limit).await?;
        let mut named = std::borrow::Cow::Borrowed(spelt);
        // Read (and its spelling checked) whether or not a header gave a key: a relayed body's
        // key is scoped as the header's is.
        let in_body = front.idempotency_key_in(routed, &bytes)?;
        if call.idempotency_key.is_none() && in_body.is_some() {
            call.idempotency_key = in_body;
            named = std::borrow::Cow::Borrowed("the body");
        }
        // What the request names, read from its route: its key is held (and scoped at the
        // vendor) before the body is parsed.
        let place = call.idempotency_key.as_ref().map(|_| front.keyed(routed));
        let keyed = front.keys_request(routed);
        let key = call.idempotency_key.as_ref().filter(|_| keyed);
        if let (Some(key), Some(place)) = (key, &place) {
            idempotency::check_key(key, &named)?;
            // Held before the body is parsed: whatever the answer, a refusal of the body
            // included, it is the key's, for every operation alike.
            let lenient = crate::http::headers::prefers_lenient(headers);
            let fingerprint = idempotency::fingerprint(&place.target, &bytes, lenient);
            // Named only for a request that holds a key: a surface's is written out.
            let key_space = front.key_space();
            let held_by = Holder {
                front: &key_space,
                caller,
                headers,
                query,
                credential: (credential, parts),
            };
            match held_by
                .claim(admission, routed, &place.owner, key, fingerprint)
                .await
            {
                Some(Claim::Run(running)) => held = Some(running),
                Some(Claim::Replay(answer)) => return Ok(answer.replayed()),
                Some(Claim::Conflict) => return Err(idempotency::conflict(key, &named)),
                None => {}
            }
        }
        let mut job = front.parse(routed, caller, headers, bytes)?;
        if let Some(Backend::Upstream(upstream)) = &routed.backend {
            let owner = place.map(|p| p.owner);
            let at_vendor = |key: &[u8]| {
                let owner = owner.clone().unwrap_or_else(|| front.keyed(routed).owner);
                let space = front.key_space();
                idempotency::at_vendor(caller.digest, &space, &upstream.name, &owner, key)
            };
            let creates = routed.action == Some(crate::model::Action::Create);
            scope_keys_at_vendor(&mut call, &mut job, &upstream.dialect, creates, at_vendor)?;
        }
        // The body's secrets are taken before the job is carried out (it consumes the body);
        // the credentials' only when a problem is to be redacted.
        let mut secrets = crate::echoes::body_secrets(&job);
        let mut redact = |p: Problem| {
            let sent = (credential, parts);
            crate::echoes::credentials(headers, sent, routed.backend.as_ref(), &mut secrets);
            p.redacted(&secrets)
        };
        let outcome = execute(routed.backend.as_ref(), job, &call)
            .await
            .map_err(|p| front.backend_problem(redact(p)))?;
        // Rendering reads what the vendor said too (a relayed answer in words of its own). A
        // change the backend carried out stands, whatever its answer's rendering says, and
        // the refusal of its answer says so, or that it may have been made.
        let changes = routed.action.is_some_and(|a| !a.reads_only());
        let made = changes
            .then(|| change_made(routed.upstream(), &outcome))
            .flatten();
        front
            .render(routed, caller, outcome, request_id)
            .map_err(|p| match made {
                Some(Made::Whole(what, webhook)) if !p.changed => {
                    let mut p = p.after_change(what);
                    p.made = webhook;
                    redact(p)
                }
                Some(Made::Perhaps(what)) if !p.changed && !p.outcome_unknown => {
                    redact(p.after_possible_change(what))
                }
                _ => redact(p),
            })
    };
    let (mut response, problem) = match phases.await {
        Ok(response) => (response, None),
        Err(problem) => (
            front.refuse(Some(routed), &problem, request_id),
            Some(problem),
        ),
    };
    if let Some(running) = held {
        let also = front.answer_headers(routed);
        response = running.settle(response, problem.as_ref(), &also).await;
    }
    call.apply_rate_limits(response.headers_mut());
    (response, problem)
}

/// What a change's answer that cannot be given says the change did at the backend.
enum Made {
    /// It was made (`what` says so), and what only its answer showed of a webhook it made
    /// (its id, a secret minted for it).
    Whole(String, Option<Box<Map<String, Value>>>),
    /// It may have been made, or not: the vendor's answer does not tell.
    Perhaps(String),
}

/// What a change the backend carried out made, for the refusal of its answer (one the API
/// asked cannot give): a create names the webhook it made, which the client could find no
/// other way, and shows what only its answer showed (its id, a secret minted for it). A
/// relayed answer tells by its status: a success made the change, a refusal (a 4xx) made
/// nothing, and a vendor's failure or a redirect leaves it unknown.
fn change_made(upstream: Option<&str>, outcome: &Outcome) -> Option<Made> {
    use crate::model::Outcome as O;
    let at = upstream
        .map(|u| format!(" at upstream {u}"))
        .unwrap_or_default();
    let webhook = match outcome {
        Outcome::Done(done) => match &done.outcome {
            O::Created(webhook) => Some(webhook),
            _ => None,
        },
        Outcome::Relayed(reply) if reply.status.is_client_error() => return None,
        Outcome::Relayed(reply) if !reply.status.is_success() => {
            return Some(Made::Perhaps(format!(
                "the change may have been made{at}; its answer cannot be passed on"
            )));
        }
        _ => None,
    };
    let created = webhook
        .and_then(|w| w.text("id"))
        .map(|id| format!("webhook {id} was created; "));
    Some(Made::Whole(
        format!(
            "{}the change was made{at}; its answer cannot be passed on",
            created.unwrap_or_default()
        ),
        webhook.and_then(crate::model::Members::made),
    ))
}

/// Who holds an idempotency key the gateway honours itself, as far as its scope tells.
struct Holder<'a> {
    front: &'a str,
    /// The client authentication admitted.
    caller: crate::auth::Caller<'a>,
    headers: &'a HeaderMap,
    /// The request's query string, which may carry the client's credential.
    query: Option<&'a str>,
    /// The header the client's credential comes in, and those of its further parts.
    credential: (&'a http::HeaderName, &'a [http::HeaderName]),
}

impl Holder<'_> {
    /// The claim of a key the gateway honours itself: at an upstream that takes none, and at
    /// an emulator's store for all but a create, which the store decides itself as its vendor
    /// does (`None` where the vendor or the store decides). `owner` is every place the
    /// request names its owner in ([`Frontend::keyed`]).
    async fn claim<'r, R>(
        &self,
        admission: &'r Admission,
        routed: &Routed<R>,
        owner: &[u8],
        key: &http::HeaderValue,
        fingerprint: [u8; 32],
    ) -> Option<Claim<'r>> {
        let upstream = match routed.backend.as_ref()? {
            Backend::Upstream(u) if u.honours_idempotency_key() => return None,
            Backend::Upstream(u) => Some(&**u),
            Backend::Store(_) => None,
        };
        if upstream.is_none() && routed.action == Some(crate::model::Action::Create) {
            return None;
        }
        let caller = self.caller_id(upstream);
        let scope = idempotency::Scope {
            caller: &caller,
            frontend: self.front,
            upstream: upstream.map_or("", |u| &u.name),
            owner,
            key: key.as_bytes(),
        };
        Some(admission.replays.claim(&scope, fingerprint).await)
    }

    /// Who the client is: the inbound key, by its configured digest (a key removed and another
    /// given its name is another client), and whether it may read a signing secret
    /// (an answer kept for one that may, a rotation's, is never replayed to one that may not);
    /// and, where the vendor checks the client's own credential, a digest of it too (one client
    /// never replays another's answer, which may carry a secret minted for it, and one inbound
    /// key may be shared by clients of several vendor accounts); nothing where none of them
    /// tells clients apart. The request's query may carry the credential too.
    fn caller_id(&self, upstream: Option<&crate::upstream::Upstream>) -> Vec<u8> {
        let mut id = match self.caller.digest {
            Some(digest) => [b"key:", &digest[..], b"\n"].concat(),
            None => Vec::new(),
        };
        if self.caller.withholds_secret {
            id.extend_from_slice(b"withheld\n");
        }
        if !upstream.is_some_and(|u| matches!(u.auth, crate::upstream::Auth::Passthrough)) {
            return id;
        }
        use sha2::Digest;
        let (credential, parts) = self.credential;
        let mut hash = sha2::Sha256::new();
        for name in std::iter::once(credential).chain(parts) {
            for value in self.headers.get_all(name) {
                hash.update((value.len() as u64).to_be_bytes());
                hash.update(value.as_bytes());
            }
        }
        hash.update(self.query.unwrap_or("").as_bytes());
        id.extend_from_slice(b"credential:");
        id.extend_from_slice(&hash.finalize());
        id
    }
}

/// Scopes the client's idempotency keys as the vendor is sent them
/// ([`idempotency::at_vendor`]): its header's, and, where the vendor takes it in a create's
/// body (`{{idempotency_key}}`), the one in a relayed create's body, the one member of the
/// client's bytes changed (a form's body is passed on as it is).
fn scope_keys_at_vendor(
    call: &mut Call,
    job: &mut Job,
    dialect: &crate::mapping::Dialect,
    creates: bool,
    at_vendor: impl Fn(&[u8]) -> http::HeaderValue,
) -> Result<(), Problem> {
    if let Some(key) = &call.idempotency_key {
        call.idempotency_key = Some(at_vendor(key.as_bytes()));
    }
    let Job::Relay(relay) = job else {
        return Ok(());
    };
    let Some(keys) = (dialect.body_idempotency_key.as_ref())
        .filter(|_| creates && dialect.form.is_none())
        .and_then(|at| at.keys())
    else {
        return Ok(());
    };
    let document = crate::json::from_slice_relayed(&relay.body).ok();
    let key = document.as_ref().and_then(|body| {
        let at = crate::mapping::json_path::FieldPath::of_keys(keys.iter().map(String::as_str));
        at.get(body)?.as_str().filter(|key| !key.is_empty())
    });
    let Some(key) = key else {
        return Ok(());
    };
    let scoped = at_vendor(key.as_bytes());
    let mut quoted = Vec::with_capacity(scoped.len() + 2);
    crate::json::write_str(&mut quoted, &String::from_utf8_lossy(scoped.as_bytes()));
    match crate::json::replaced_at(&relay.body, &keys, &quoted) {
        Ok(Some(body)) => relay.body = Bytes::from(body),
        Ok(None) => {}
        Err(_) => {
            return Err(Problem::bad_request(format!(
                "the idempotency key in the body's `{}` could not be read",
                keys.join(".")
            )));
        }
    }
    Ok(())
}

/// Reads a whole body within its limits; a route that takes none reads nothing. A body cut
/// short by its time limit is answered with 400; hyper then closes the connection, since the
/// rest of the body was never read. A body in a content coding (gzip, say) is refused with 415,
/// as RFC 9110 §8.4 asks of a server that does not decode it: read as it is, its bytes would be
/// taken for JSON, or relayed to a vendor without their coding.
async fn read_body<B: RequestBody>(
    body: B,
    headers: &HeaderMap,
    reads: bool,
    limit: BodyLimit,
) -> Result<Bytes, Problem> {
    if !reads {
        return Ok(Bytes::new());
    }
    let bytes = body::read_limited(body, limit)
        .await
        .map_err(body_problem)?;
    // Looked at once the body is read: a request that declares a coding but carries no body
    // (a GET, say) has nothing to decode, and over HTTP/2 only the read tells.
    let coding = headers::tokens(headers, &http::header::CONTENT_ENCODING)
        .find(|t| !t.eq_ignore_ascii_case(b"identity"));
    if let Some(coding) = coding.filter(|_| !bytes.is_empty()) {
        return Err(Problem::new(
            crate::problem::Code::UnsupportedMediaType,
            format!(
                "the body's Content-Encoding `{}` is not supported: send it uncompressed",
                String::from_utf8_lossy(coding)
            ),
        ));
    }
    Ok(bytes)
}

/// Why a body could not be read, as a problem: too large is 413, the rest 400.
pub fn body_problem(e: body::ReadError) -> Problem {
    match e {
        body::ReadError::TooLarge(_) => {
            Problem::new(crate::problem::Code::PayloadTooLarge, e.to_string())
        }
        body::ReadError::TooSlow(_) | body::ReadError::Broken(_) => {
            Problem::bad_request(e.to_string())
        }
    }
}

/// Carries out a job at its backend.
async fn execute(backend: Option<&Backend>, job: Job, call: &Call) -> Result<Outcome, Problem> {
    match (job, backend) {
        (Job::Answer(response), _) => Ok(Outcome::Answer(response)),
        // Boxed: a future is moved whole into the one that awaits it, so each level above
        // would copy the plan and its calls' state (kilobytes) on every request.
        (Job::Operation(op), Some(Backend::Upstream(u))) => {
            Box::pin(u.execute(op, call)).await.map(Outcome::Done)
        }
        (Job::Operation(op), Some(Backend::Store(s))) => {
            // Compared as text: bytes no text holds are each one replacement character, which
            // a key differs from another by too.
            let key = call
                .idempotency_key
                .as_ref()
                .map(|v| String::from_utf8_lossy(v.as_bytes()));
            s.execute_keyed(op, key.as_deref()).map(Outcome::Done)
        }
        (Job::Relay(relay), Some(Backend::Upstream(u))) => Box::pin(relay_to(u, relay, call)).await,
        _ => Err(Problem::internal("a job without a backend to carry it out")),
    }
}

async fn relay_to(
    upstream: &crate::upstream::Upstream,
    relay: Relay,
    call: &Call,
) -> Result<Outcome, Problem> {
    let target = RelayTarget {
        method: &relay.method,
        path: relay.path,
        query: relay.query.as_deref(),
        headers: &relay.headers,
        content_type: relay.content_type.as_ref(),
        changes_secret: relay.changes_secret.as_ref(),
    };
    let reply: Reply = upstream.relay(&target, relay.body, call).await?;
    Ok(Outcome::Relayed(reply))
}

/// Record: the metrics, one access-log event, and a failure's one log line. An emulated
/// operation is counted only when answered: one whose client went away was not carried out.
fn record<F: Frontend>(
    road: &Road<'_, F>,
    status: u16,
    request_id: &str,
    problem: Option<&Problem>,
) {
    let Road {
        front,
        routed,
        parts,
        started,
    } = *road;
    let operation = routed.map_or("none", Routed::operation);
    let upstream = routed.and_then(Routed::upstream).unwrap_or("");
    let metrics = crate::metrics::get();
    // Every request the access record below tells of is counted, an emulator's own too (its
    // dialect as the surface, no upstream); an operation an emulator carried out is counted
    // besides as the emulator's.
    metrics.request(front.label(), upstream, operation, status);
    if let Some(Backend::Store(store)) = routed.and_then(|r| r.backend.as_ref())
        && status != CLIENT_CLOSED
    {
        metrics.emulated(&store.dialect().name, operation);
    }
    if let Some(p) = problem {
        if p.untranslatable {
            metrics.translation_error(upstream);
        }
        if p.status() >= 500 {
            tracing::warn!(code = %p.code, detail = %p.detail, "request failed");
        } else {
            tracing::info!(code = %p.code, "request refused");
        }
    }
    // The access record names the route (surface, operation, the path as the client sent it,
    // mount prefix included, without its query, which may carry tokens), never a body or a
    // header value.
    tracing::info!(
        target: "hookgate::access",
        method = %parts.method,
        path = parts.uri.path(),
        surface = front.log_name(),
        operation,
        upstream,
        status,
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        request_id,
        "request"
    );
}

/// The main listener: probes, `/openapi.json`, `/metrics`, the canonical API under `/v1`, the
/// preview endpoint when on, the emulators' admin APIs under `/__hookgate/emulators/`, and
/// vendor surfaces under their prefixes. The routes are read once
/// per request: a reload swaps in new ones for the next request only.
pub struct MainListener {
    /// What is served.
    pub routes: std::sync::Arc<arc_swap::ArcSwap<crate::wiring::Routes>>,
}

impl crate::http::server::Handler for MainListener {
    async fn handle(self: std::sync::Arc<Self>, request: Request<Incoming>) -> Response<Body> {
        let (request_id, path) = match opening(&request, true) {
            Ok(opened) => opened,
            Err(probed) => return *probed,
        };
        let routes = self.routes.load_full();
        // A create that claims an idempotency key is finished whatever its client does
        // ([`Replays::carry`](idempotency::Replays::carry)). A safe method's request makes
        // nothing, and is spared the carrying (a box a request). Written out here and in
        // `Standalone`, not in a helper: a helper's future would hold the request's and be
        // moved with it, a copy of the whole request's state on every request.
        if request.method().is_safe() {
            return MainListener::dispatch(routes, request, path, request_id).await;
        }
        let replays = routes.admission.replays.clone();
        replays
            .carry(MainListener::dispatch(routes, request, path, request_id))
            .await
    }

    fn too_large(&self, path: &str, problem: &Problem, request_id: &str) -> Response<Body> {
        let routes = self.routes.load();
        let surface = (routes.mounted.iter())
            .find_map(|(prefix, surface)| under(path, prefix).map(|_| surface));
        match surface {
            Some(surface) => refused_unrouted(surface, problem, request_id),
            None => crate::http::respond::problem(problem, request_id),
        }
    }
}

/// A request `front` refuses before it is routed (its body over the limit, at the edge), in
/// `front`'s words, with the headers every one of its answers carries.
pub fn refused_unrouted<F: Frontend>(
    front: &F,
    problem: &Problem,
    request_id: &str,
) -> Response<Body> {
    let mut response = front.refuse(None, problem, request_id);
    front.decorate(None, &mut response, request_id);
    if let Some(id) = headers::value(request_id) {
        response.headers_mut().insert(X_REQUEST_ID.clone(), id);
    }
    response
}

impl MainListener {
    /// Serves a request that is no probe through what its path names, in the routes in force
    /// when it came.
    async fn dispatch(
        routes: std::sync::Arc<crate::wiring::Routes>,
        request: Request<Incoming>,
        path: String,
        request_id: String,
    ) -> Response<Body> {
        let admission = &routes.admission;
        if under(&path, CANONICAL).is_some() {
            return serve(&routes.canonical, admission, request, &path, &request_id).await;
        }
        if routes.preview && path == PREVIEW {
            let preview = crate::preview::PreviewApi {
                canonical: &routes.canonical,
                inbound: &admission.inbound,
            };
            return serve(&preview, admission, request, &path, &request_id).await;
        }
        if let Some(admin) = &routes.admin
            && under(&path, admin.prefix()).is_some()
        {
            return admin.serve(admission, request, &path, &request_id).await;
        }
        for (prefix, surface) in &routes.mounted {
            if let Some(rest) = under(&path, prefix) {
                let rest = rest.to_owned();
                return serve(surface, admission, request, &rest, &request_id).await;
            }
        }
        no_route(&request, &path, &request_id)
    }
}

/// The 404 of a request whose path no API of the listener serves: refused before it is
/// routed, so recorded as the edge's refusals are (surface `edge`), with its method and path.
pub fn no_route<B>(request: &Request<B>, path: &str, request_id: &str) -> Response<Body> {
    let answer = crate::http::respond::problem(
        &Problem::not_found(format!("no route for {path}")),
        request_id,
    );
    let head = (request.method().as_str(), request.uri().path());
    crate::http::respond::refused_at_edge(404, answer, request_id, head)
}

/// What every listener does first: the request's id (the client's, or a new one) and its
/// path, or, for a probe, the probe's answer, which no frontend sees.
fn opening(
    request: &Request<Incoming>,
    main: bool,
) -> Result<(String, String), Box<Response<Body>>> {
    let request_id = headers::request_id(request.headers());
    match probes(request, &request_id, main) {
        Some(response) => Err(Box::new(response)),
        None => Ok((request_id, request.uri().path().to_owned())),
    }
}

/// A vendor's API on a listener of its own (an emulator, or a drop-in surface), at the root.
pub struct Standalone {
    /// The API.
    pub api: crate::frontend::vendor::VendorApi,
    /// What its requests are held to.
    pub admission: crate::frontend::SharedAdmission,
}

impl crate::http::server::Handler for Standalone {
    async fn handle(self: std::sync::Arc<Self>, request: Request<Incoming>) -> Response<Body> {
        let (request_id, path) = match opening(&request, false) {
            Ok(opened) => opened,
            Err(probed) => return *probed,
        };
        let admission = self.admission.load_full();
        // As on the main listener (`MainListener::handle`).
        if request.method().is_safe() {
            return serve(&self.api, &admission, request, &path, &request_id).await;
        }
        let replays = admission.replays.clone();
        let serving =
            async move { serve(&self.api, &admission, request, &path, &request_id).await };
        replays.carry(serving).await
    }

    fn too_large(&self, _: &str, problem: &Problem, request_id: &str) -> Response<Body> {
        refused_unrouted(&self.api, problem, request_id)
    }
}

/// The OpenAPI 3.1 description of the canonical API, served at `/openapi.json`.
pub const OPENAPI_JSON: &str = include_str!("../openapi/hookgate.json");

/// What every listener answers without reaching a vendor: liveness and readiness, and on the
/// main listener the OpenAPI description and the metrics. Like every other resource they
/// answer `GET` and `HEAD`, refuse other methods with 405, and carry the request id.
pub fn probes(request: &Request<Incoming>, request_id: &str, main: bool) -> Option<Response<Body>> {
    let answer: fn() -> Response<Body> = match request.uri().path() {
        HEALTHZ | READYZ => || body::json(200, &serde_json::json!({"status": "ok"}), &body::JSON),
        OPENAPI if main => || {
            body::bytes(
                200,
                Bytes::from_static(OPENAPI_JSON.as_bytes()),
                &body::JSON,
            )
        },
        METRICS if main => crate::metrics::response,
        _ => return None,
    };
    let mut response = match *request.method() {
        http::Method::GET | http::Method::HEAD => answer(),
        _ => crate::http::respond::problem(
            &Problem::method_not_allowed(&["GET", "HEAD"]),
            request_id,
        ),
    };
    if let Some(v) = headers::value(request_id) {
        response.headers_mut().insert(X_REQUEST_ID.clone(), v);
    }
    Some(response)
}
