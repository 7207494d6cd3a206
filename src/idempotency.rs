//! Idempotency keys the gateway honours itself: a create with a key, at an upstream whose
//! dialect takes none, is carried out once and its answer kept, so that a retry is answered as
//! the first request was instead of making a second webhook, as payment APIs keep theirs.
//!
//! A key is held in a [`Scope`]: the inbound key that admitted the client, by its configured
//! digest (or, where the vendor checks the client's own credential, that credential), the frontend, the upstream, the owner
//! and the key's bytes, so that one client never replays another's answer (a create's answer
//! may carry a secret minted for it). The first request of a key runs; one that comes while it
//! runs waits for it and is given its answer; one that comes after is given the kept answer,
//! marked `Idempotent-Replayed: true`. A request whose body is not the first one's is refused
//! with 409, nothing sent.
//!
//! A request that has claimed its key is finished whatever its client does ([`Replays::carry`]):
//! a client that times out or goes away while the vendor makes the webhook retries, and is
//! given the answer the first request would have had, instead of making a second webhook.
//!
//! A vendor that takes keys decides itself; the key it is sent is the client's scoped as a
//! kept one is ([`at_vendor`]), since every client reaches the vendor under hookgate's one
//! credential, whose one key space there they would otherwise share.
//!
//! The answers are kept in memory, per process (replicas share none), for [`KEPT_FOR`], at most
//! [`LIMIT`] of them, the oldest dropped first. An answer is not kept when it is a 5xx whose
//! problem says nothing was made: a retry of it is safe to run again. One whose vendor may have
//! been reached but gave no answer (a timeout, a connection broken on the way) is kept: whether
//! a webhook was made is not known, and a retry run again could make a second.

use crate::http::body::Body;
use crate::http::headers::{DROPPED_FIELDS, PREFERENCE_APPLIED};
use crate::problem::{Code, Problem};
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Response, StatusCode, header};
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// How long an answer is kept: a day, as payment APIs keep their keys.
pub const KEPT_FOR: Duration = Duration::from_secs(24 * 60 * 60);

/// The most answers kept at once; the oldest is dropped first. An answer is a create's, a
/// webhook or a problem (about a kilobyte): ten thousand keep memory in the tens of megabytes.
pub const LIMIT: usize = 10_000;

/// The most creates carried on at once after their clients went away ([`Replays::carry`]).
pub const MOST_CARRIED: usize = 1_000;

/// The longest key taken, in bytes.
pub const LONGEST: usize = 255;

/// `Idempotent-Replayed: true`, on an answer given again rather than made.
pub static REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The answer headers kept with an answer: what a client reads of a create besides its body.
static KEPT_HEADERS: [&HeaderName; 4] = [
    &header::CONTENT_TYPE,
    &header::LOCATION,
    &DROPPED_FIELDS,
    &PREFERENCE_APPLIED,
];

/// Refuses a key too long to keep: longer than [`LONGEST`] bytes. Any other is compared as its
/// bytes (spaces, or bytes beyond ASCII, which the APIs' own descriptions allow); an empty one
/// never reaches here, being no key. `named` says where the client sent it.
pub fn check_key(key: &HeaderValue, named: &str) -> Result<(), Problem> {
    let bytes = key.as_bytes();
    let why = if bytes.is_empty() {
        "is empty"
    } else if bytes.len() > LONGEST {
        "is longer than 255 bytes"
    } else {
        return Ok(());
    };
    Err(Problem::bad_request(format!(
        "the idempotency key in {named} {why}"
    )))
}

/// Where a key is held: whose it is and what it makes.
pub struct Scope<'a> {
    /// Who asked: the inbound key's configured digest, or a digest of the credential the
    /// vendor checks; empty where nothing tells clients apart.
    pub caller: &'a [u8],
    /// The frontend: `canonical`, or the surface.
    pub frontend: &'a str,
    /// The upstream.
    pub upstream: &'a str,
    /// The owner the webhook is made under (empty without one); for a relayed create, every
    /// place its request may name the owner in (its path, its query, the header fields its
    /// operation declares), length-prefixed.
    pub owner: &'a [u8],
    /// The key, as the client sent it.
    pub key: &'a [u8],
}

impl Scope<'_> {
    /// The digest a key is held under: each part length-prefixed, so no two scopes meet.
    fn digest(&self) -> [u8; 32] {
        self.digest_as(b"held")
    }

    /// The digest of the scope's parts after `use_`, which tells a key held apart from one
    /// sent.
    fn digest_as(&self, use_: &[u8]) -> [u8; 32] {
        let mut hash = Sha256::new();
        hash.update(use_);
        let parts = [
            self.caller,
            self.frontend.as_bytes(),
            self.upstream.as_bytes(),
            self.owner,
            self.key,
        ];
        for part in parts {
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part);
        }
        hash.finalize().into()
    }
}

/// The key a vendor that takes keys is sent for a client's `key`: the digest of its scope
/// written as a UUID (RFC 9562's version 8, whose bits but the version and variant are the
/// digest's: 122 of them). hookgate calls a vendor under its one credential, so every
/// client's keys would meet in that credential's one key space at the vendor, and a client
/// that chose another's key would be given the other's answer, a secret minted for it
/// included. Scoped, two clients never share a key there: `principal` is the configured
/// SHA-256 of the inbound key that admitted the client (`None` where keys are off, or where the
/// vendor checks the client's own credential, whose account is a key space of its own there),
/// `api` the API it came through (`canonical` or a surface), then the upstream and every place
/// the request names its owner in. The principal is its key's digest rather than its name: a
/// name is no secret (logs show it), so a client that learnt another's key could compute the
/// scoped key from names and send it where it goes unscoped (an emulator's own API), and a key
/// removed and another given its name would share its keys. The same request is sent the same
/// key, so that a client's retry, even after a restart or a reload that keeps its inbound key,
/// is recognised by the vendor. A UUID's 36 characters fit every vendor's alphabet and length
/// (Square takes 45, Stripe 255) and the vendors that take UUIDs alone; 122 bits keep two
/// scopes' keys apart as a version 4 UUID keeps two requests'.
pub fn at_vendor(
    principal: Option<&[u8; 32]>,
    api: &str,
    upstream: &str,
    owner: &[u8],
    key: &[u8],
) -> HeaderValue {
    let principal = principal.map_or_else(Vec::new, |digest| [b"key:", &digest[..]].concat());
    let scope = Scope {
        caller: &principal,
        frontend: api,
        upstream,
        owner,
        key,
    };
    let digest = scope.digest_as(b"vendor");
    let bytes: [u8; 16] = digest[..16]
        .try_into()
        .expect("a SHA-256 digest holds 16 bytes");
    let uuid = uuid::Builder::from_custom_bytes(bytes).into_uuid();
    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    let text = uuid.hyphenated().encode_lower(&mut text);
    HeaderValue::from_str(text).expect("a UUID's text is visible ASCII, which a header value holds")
}

/// A digest of what a request does (`target`: its operation and the webhook it names), of
/// its body and of whether it prefers lenient handling (which changes what is made of the same
/// body: a field dropped, not refused), to tell a retry from another request under the same
/// key.
pub fn fingerprint(target: &[u8], body: &[u8], lenient: bool) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update([u8::from(lenient)]);
    hash.update((target.len() as u64).to_be_bytes());
    hash.update(target);
    hash.update(body);
    hash.finalize().into()
}

/// An answer as it was given: its status, the headers that matter and its body.
#[derive(Debug, Clone)]
pub struct Answer {
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
}

impl Answer {
    /// The answer given again, marked as a replay.
    pub fn replayed(&self) -> Response<Body> {
        let mut response = Response::new(Body::new(self.body.clone()));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        for (name, value) in &self.headers {
            headers.insert(name.clone(), value.clone());
        }
        headers.insert(REPLAYED.clone(), HeaderValue::from_static("true"));
        response
    }
}

/// What a request with a key is to do.
pub enum Claim<'r> {
    /// Run: it is the first. Settle the claim with its answer.
    Run(Running<'r>),
    /// Answer this: the first request's answer.
    Replay(Arc<Answer>),
    /// Refuse: the key was used with another body.
    Conflict,
}

/// Where one key stands.
enum Slot {
    /// Its first request runs; those that wait are told its answer.
    Running {
        fingerprint: [u8; 32],
        done: watch::Receiver<Option<Arc<Answer>>>,
        serial: u64,
    },
    /// Its first request's answer.
    Kept {
        fingerprint: [u8; 32],
        answer: Arc<Answer>,
        serial: u64,
    },
}

#[derive(Default)]
struct State {
    slots: HashMap<[u8; 32], Slot>,
    /// Kept answers, the oldest first (an entry whose serial is no longer its slot's is stale).
    order: VecDeque<([u8; 32], u64, Instant)>,
    serial: u64,
}

/// The keys the gateway honours itself and their answers, and the requests carried on after
/// their clients went away; shared by every request of a process and kept across reloads.
#[derive(Default)]
pub struct Replays {
    state: Mutex<State>,
    /// How many requests are carried on without their client ([`Replays::carry`]).
    carried: watch::Sender<usize>,
}

impl fmt::Debug for Replays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Replays")
    }
}

impl Replays {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// What the request of `scope` with a body of `fingerprint` is to do; waits while the first
    /// request of its key runs. The first, given [`Claim::Run`], is from then on finished
    /// whatever its client does, where it is served through [`Replays::carry`].
    pub async fn claim(&self, scope: &Scope<'_>, fingerprint: [u8; 32]) -> Claim<'_> {
        let id = scope.digest();
        loop {
            let mut done = {
                let mut state = self.lock();
                let now = Instant::now();
                state.forget_old(now);
                match state.slots.get(&id) {
                    Some(Slot::Kept {
                        fingerprint: f,
                        answer,
                        ..
                    }) => {
                        return match *f == fingerprint {
                            true => Claim::Replay(answer.clone()),
                            false => Claim::Conflict,
                        };
                    }
                    Some(Slot::Running { fingerprint: f, .. }) if *f != fingerprint => {
                        return Claim::Conflict;
                    }
                    Some(Slot::Running { done, .. }) => done.clone(),
                    None => {
                        state.serial += 1;
                        let serial = state.serial;
                        let (tell, done) = watch::channel(None);
                        let slot = Slot::Running {
                            fingerprint,
                            done,
                            serial,
                        };
                        state.slots.insert(id, slot);
                        finish_whatever_the_client_does();
                        return Claim::Run(Running {
                            replays: self,
                            id,
                            serial,
                            tell,
                        });
                    }
                }
            };
            // The first request's answer; when it went away unanswered, the key is free again.
            let answer = done
                .wait_for(Option::is_some)
                .await
                .ok()
                .and_then(|a| a.clone());
            if let Some(answer) = answer {
                return Claim::Replay(answer);
            }
        }
    }

    /// Serves one request (`serving`, which owns what it needs) so that, once it claims a key
    /// ([`Replays::claim`] gives it [`Claim::Run`]), it is finished whatever its client does:
    /// dropped before its end (the client went away, or the connection ended), it goes on in a
    /// task of its own, its answer settled and kept as if the client had waited. Until it
    /// claims one, dropping it drops the request, as for every other request.
    ///
    /// What goes on is bounded as the request was: the vendor call's deadline, then a render.
    /// [`Replays::settled`] waits for such requests, which no connection holds any more.
    pub fn carry<F>(self: &Arc<Self>, serving: F) -> impl Future<Output = F::Output> + Send
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        // The claim tells through a task-local flag, which the request's future carries with it
        // wherever it runs. Boxed, so that it can be moved into a task of its own, still pinned.
        let claimed = Arc::new(AtomicBool::new(false));
        Carry {
            serving: Some(Box::pin(CLAIMED.scope(claimed.clone(), serving))),
            claimed,
            replays: self.clone(),
        }
    }

    /// Returns once no request is carried on without its client.
    pub async fn settled(&self) {
        let mut carried = self.carried.subscribe();
        let _ = carried.wait_for(|n| *n == 0).await;
    }
}

tokio::task_local! {
    /// Turned true when the request being served claims a key: from then on it is finished
    /// whatever its client does.
    static CLAIMED: Arc<AtomicBool>;
}

/// A request's future, with the flag its claim turns.
type Flagged<F> = tokio::task::futures::TaskLocalFuture<Arc<AtomicBool>, F>;

/// A request served through [`Replays::carry`].
struct Carry<F: Future<Output: Send> + Send + 'static> {
    /// The request, until it ends.
    serving: Option<Pin<Box<Flagged<F>>>>,
    claimed: Arc<AtomicBool>,
    replays: Arc<Replays>,
}

impl<F: Future<Output: Send> + Send + 'static> Future for Carry<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let Some(serving) = self.serving.as_mut() else {
            panic!("a request's future polled after its answer");
        };
        let answer = std::task::ready!(serving.as_mut().poll(cx));
        self.serving = None;
        Poll::Ready(answer)
    }
}

impl<F: Future<Output: Send> + Send + 'static> Drop for Carry<F> {
    fn drop(&mut self) {
        let Some(serving) = self.serving.take() else {
            return;
        };
        if !self.claimed.load(Ordering::Acquire) {
            return; // dropped with its request, claim-free: nothing is carried on
        }
        // Bounded: a client that sends keyed creates and goes away at once, again and again,
        // holds no more vendor calls than this. Past it, the request ends with its client as
        // any other does, and its claim frees the key.
        if *self.replays.carried.borrow() >= MOST_CARRIED {
            return;
        }
        // Dropped with no runtime to go on in (the runtime itself ends): the request ends
        // here, its claim freed, as any request's does when the process stops.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let carried = Carried::counted(self.replays.clone());
        runtime.spawn(async move {
            let _carried = carried;
            serving.await;
        });
    }
}

/// One request carried on without its client, counted in [`Replays`] while it runs.
struct Carried(Arc<Replays>);

impl Carried {
    fn counted(replays: Arc<Replays>) -> Carried {
        replays.carried.send_modify(|n| *n += 1);
        Carried(replays)
    }
}

/// Marks the request being served as one to finish whatever its client does (nothing for a
/// request served outside [`Replays::carry`]).
fn finish_whatever_the_client_does() {
    let _ = CLAIMED.try_with(|claimed| claimed.store(true, Ordering::Release));
}

impl Drop for Carried {
    fn drop(&mut self) {
        self.0.carried.send_modify(|n| *n -= 1);
    }
}

impl State {
    /// Drops the answers older than [`KEPT_FOR`], and the oldest beyond [`LIMIT`].
    fn forget_old(&mut self, now: Instant) {
        while let Some(&(id, serial, at)) = self.order.front() {
            if self.order.len() <= LIMIT && now.duration_since(at) < KEPT_FOR {
                break;
            }
            self.order.pop_front();
            if matches!(self.slots.get(&id), Some(Slot::Kept { serial: s, .. }) if *s == serial) {
                self.slots.remove(&id);
            }
        }
    }
}

/// The claim of the request that runs under a key. Served through [`Replays::carry`], the
/// request is finished and the claim settled whatever its client does; dropped unsettled all
/// the same (served otherwise, or the process ending), it frees the key: those waiting run it
/// again, one of them first.
pub struct Running<'r> {
    replays: &'r Replays,
    id: [u8; 32],
    serial: u64,
    tell: watch::Sender<Option<Arc<Answer>>>,
}

impl Running<'_> {
    /// Settles the claim with the request's answer, given back whole: kept and told to those
    /// waiting, unless it is a 5xx whose problem says nothing was made (then only told). The
    /// headers kept are those every answer keeps, and `also` (the API's headers that name the
    /// webhook made).
    pub async fn settle(
        self,
        response: Response<Body>,
        problem: Option<&Problem>,
        also: &[HeaderName],
    ) -> Response<Body> {
        let (parts, body) = response.into_parts();
        let body = match body.collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(never) => match never {},
        };
        let headers = (KEPT_HEADERS.iter().copied().chain(also))
            .filter_map(|name| Some((name.clone(), parts.headers.get(name)?.clone())))
            .collect();
        let answer = Arc::new(Answer {
            status: parts.status,
            headers,
            body: body.clone(),
        });
        if keeps(parts.status, problem) {
            let mut state = self.replays.lock();
            if let Some(Slot::Running { fingerprint, .. }) = state.slots.get(&self.id) {
                let at = Instant::now();
                let kept = Slot::Kept {
                    fingerprint: *fingerprint,
                    answer: answer.clone(),
                    serial: self.serial,
                };
                state.slots.insert(self.id, kept);
                state.order.push_back((self.id, self.serial, at));
                state.forget_old(at);
            }
        }
        self.tell.send_replace(Some(answer));
        Response::from_parts(parts, Body::new(body))
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        let mut state = self.replays.lock();
        if matches!(state.slots.get(&self.id), Some(Slot::Running { serial, .. }) if *serial == self.serial)
        {
            state.slots.remove(&self.id);
        }
    }
}

/// Whether an answer is kept: all but a 5xx that says nothing was made, whose retry is safe to
/// run again. A 5xx that says a webhook was made, or that the vendor may have made one (it was
/// sent the request and gave no answer), is kept: run again, it would or could make a second.
fn keeps(status: StatusCode, problem: Option<&Problem>) -> bool {
    !status.is_server_error() || problem.is_some_and(|p| p.says_made() || p.outcome_unknown)
}

/// The refusal of a key used before with another body.
pub fn conflict(key: &HeaderValue, named: &str) -> Problem {
    Problem::new(
        Code::Conflict,
        format!(
            "the idempotency key `{}` in {named} was used with a different request body, operation or webhook, or `Prefer: handling`; nothing was sent: use a new key for a new request",
            String::from_utf8_lossy(key.as_bytes())
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(key: &[u8]) -> Scope<'_> {
        Scope {
            caller: b"",
            frontend: "canonical",
            upstream: "up",
            owner: b"",
            key,
        }
    }

    fn answer(status: u16) -> Response<Body> {
        crate::http::body::bytes(status, Bytes::from_static(b"{}"), &crate::http::body::JSON)
    }

    #[tokio::test]
    async fn a_kept_answer_is_replayed_and_another_body_refused() {
        let replays = Replays::default();
        let Claim::Run(run) = replays
            .claim(&scope(b"k"), fingerprint(b"", b"a", false))
            .await
        else {
            panic!("the first runs");
        };
        run.settle(answer(201), None, &[]).await;
        let replayed = replays
            .claim(&scope(b"k"), fingerprint(b"", b"a", false))
            .await;
        assert!(matches!(replayed, Claim::Replay(a) if a.status == 201));
        let other = replays
            .claim(&scope(b"k"), fingerprint(b"", b"b", false))
            .await;
        assert!(matches!(other, Claim::Conflict));
        assert!(matches!(
            replays
                .claim(&scope(b"K"), fingerprint(b"", b"b", false))
                .await,
            Claim::Run(_)
        ));
    }

    #[tokio::test]
    async fn a_claim_dropped_or_a_5xx_frees_the_key() {
        let replays = Replays::default();
        drop(
            replays
                .claim(&scope(b"k"), fingerprint(b"", b"a", false))
                .await,
        );
        let Claim::Run(run) = replays
            .claim(&scope(b"k"), fingerprint(b"", b"a", false))
            .await
        else {
            panic!("a dropped claim frees the key");
        };
        run.settle(answer(503), None, &[]).await;
        assert!(matches!(
            replays
                .claim(&scope(b"k"), fingerprint(b"", b"a", false))
                .await,
            Claim::Run(_)
        ));
    }

    #[test]
    fn a_5xx_is_kept_unless_it_says_nothing_was_made() {
        let refused = Problem::new(Code::UpstreamError, "the vendor said no");
        let mut unanswered = Problem::new(Code::UpstreamTimeout, "no answer");
        unanswered.outcome_unknown = true;
        let mut made = Problem::new(Code::UpstreamError, "made, then failed");
        made.changed = true;
        let status = |p: &Problem| StatusCode::from_u16(p.status()).unwrap();
        assert!(!keeps(status(&refused), Some(&refused)));
        assert!(!keeps(StatusCode::BAD_GATEWAY, None));
        for kept in [&unanswered, &made] {
            assert!(keeps(status(kept), Some(kept)), "{}", kept.detail);
        }
        assert!(keeps(StatusCode::CREATED, None));
        assert!(keeps(StatusCode::CONFLICT, Some(&refused)));
    }

    #[test]
    fn the_oldest_answers_are_dropped_beyond_the_limit() {
        let mut state = State::default();
        let now = Instant::now();
        for n in 0..=LIMIT as u64 {
            let id = Sha256::digest(n.to_be_bytes()).into();
            let slot = Slot::Kept {
                fingerprint: [0; 32],
                answer: Arc::new(Answer {
                    status: StatusCode::CREATED,
                    headers: Vec::new(),
                    body: Bytes::new(),
                }),
                serial: n,
            };
            state.slots.insert(id, slot);
            state.order.push_back((id, n, now));
        }
        state.forget_old(now);
        assert_eq!(state.slots.len(), LIMIT);
        let first: [u8; 32] = Sha256::digest(0u64.to_be_bytes()).into();
        assert!(!state.slots.contains_key(&first));
        state.forget_old(now + KEPT_FOR);
        assert!(state.slots.is_empty());
    }

    #[test]
    fn a_key_at_the_vendor_is_the_same_for_its_scope_and_another_for_any_other() {
        let (rw, rw2) = ([1; 32], [2; 32]);
        let sent = |principal, api, upstream, owner: &[u8], key: &[u8]| {
            at_vendor(principal, api, upstream, owner, key)
        };
        let first = sent(Some(&rw), "canonical", "up", b"", b"k");
        let uuid = uuid::Uuid::try_parse(first.to_str().unwrap()).unwrap();
        assert_eq!(uuid.get_version_num(), 8);
        assert_eq!(uuid.get_variant(), uuid::Variant::RFC4122);
        assert_eq!(uuid.hyphenated().to_string(), first.to_str().unwrap());
        assert_eq!(sent(Some(&rw), "canonical", "up", b"", b"k"), first);
        let others = [
            sent(Some(&rw2), "canonical", "up", b"", b"k"),
            sent(None, "canonical", "up", b"", b"k"),
            sent(Some(&rw), "surface sv", "up", b"", b"k"),
            sent(Some(&rw), "canonical", "up2", b"", b"k"),
            sent(Some(&rw), "canonical", "up", b"p1", b"k"),
            sent(Some(&rw), "canonical", "up", b"", b"K"),
            // The parts do not run together: `up` + `p1` is not `upp` + `1`.
            sent(Some(&rw), "canonical", "upp", b"1", b"k"),
        ];
        for (n, other) in others.iter().enumerate() {
            assert_ne!(*other, first, "{n}");
        }
    }

    #[test]
    fn keys_are_any_bytes_up_to_255() {
        for good in ["k", "a-b_c.9~!", "a b", &"x".repeat(255)] {
            assert!(check_key(&HeaderValue::from_str(good).unwrap(), "Idempotency-Key").is_ok());
        }
        assert!(check_key(&HeaderValue::from_bytes("clé".as_bytes()).unwrap(), "k").is_ok());
        let long = "x".repeat(256);
        let refused = [
            HeaderValue::from_static(""),
            HeaderValue::from_str(&long).unwrap(),
        ];
        for bad in refused {
            let p = check_key(&bad, "Idempotency-Key").unwrap_err();
            assert!(p.detail.contains("Idempotency-Key"), "{}", p.detail);
        }
    }
}
