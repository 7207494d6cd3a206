//! An upstream: one configured vendor endpoint, reached through its dialect's mapping.
//!
//! [`Upstream::execute`] is a short loop: it asks the operation's [`Plan`] what to send next,
//! sends it, and gives the plan the reply, until the plan is done. Sending adds what every
//! call carries (the base URL, the credential, the request id, an idempotency key the vendor
//! honours) and what protects both sides (deadlines, retries where a repeat is harmless, the
//! circuit breaker and the concurrency cap of [`resilience`]). [`Upstream::relay`] sends a
//! request already in the vendor's dialect the same way. Both keep what a change's answer
//! shows of a secret the vendor shows once ([`kept`]).

pub mod kept;
pub mod resilience;
pub mod scrub;
pub mod turns;

use crate::exchange::Fields;
use crate::exchange::{Reply, VendorRequest};
use crate::http::client::{CallError, Client, Outbound};
use crate::http::connect::Origin;
use crate::http::headers::{RATE_LIMIT, X_REQUEST_ID};
use crate::mapping::Dialect;
use crate::model::{Action, Done, Operation, Outcome};
use crate::plan::{Context, Next, Plan};
use crate::problem::{Code, Problem, UpstreamInfo};
use crate::url_policy::UrlPolicy;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, header};
use resilience::{Guard, Verdict};
use std::fmt;
use std::sync::{Arc, Mutex};
use tokio::time::Instant;

/// A credential that prints as `[redacted]`; defined with the configuration, which reads it.
pub use crate::config::Secret;

/// How hookgate authenticates to an upstream.
#[derive(Debug, Clone)]
pub enum Auth {
    /// hookgate's own credential, built once: its header fields (`Authorization: Bearer …`,
    /// `Authorization: Basic …`, a vendor's own header) and its query parameters, and the
    /// texts a vendor's message that echoes it is redacted of. A credential of several parts
    /// (a key and a token, an account's e-mail beside its key) has a field or parameter each.
    Own {
        /// The header fields, in the order they are sent.
        headers: Vec<(HeaderName, HeaderSecret)>,
        /// The query parameters, `name=token&…` percent-encoded: added to each request's
        /// target as it is sent, never to the target logged.
        query: Option<Secret>,
        /// The tokens, and what else of them a message may show (a basic credential's
        /// password, its `user:password`, a token percent-encoded).
        secrets: Vec<Secret>,
    },
    /// The client's own credential is forwarded, in the field it came in.
    Passthrough,
    /// No credential.
    None,
}

/// A sensitive header value, marked so that hyper's debug output and ours never show it.
#[derive(Clone)]
pub struct HeaderSecret(HeaderValue);

impl HeaderSecret {
    /// `text`, marked sensitive; `None` when it is not a header value.
    pub fn new(text: &str) -> Option<HeaderSecret> {
        let mut value = HeaderValue::from_str(text).ok()?;
        value.set_sensitive(true);
        Some(HeaderSecret(value))
    }
}

impl fmt::Debug for HeaderSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// What a call is told about the request besides the operation, and what it hands back
/// besides the outcome.
#[derive(Debug, Default)]
pub struct Call {
    /// The request id, sent as `X-Request-Id`.
    pub request_id: String,
    /// The client's credential and the field it came in (`Authorization`, or the one its
    /// vendor's clients use), for upstreams that pass it through.
    pub client_auth: Option<(HeaderName, HeaderValue)>,
    /// The further parts of the client's credential sent in headers of their own, where its
    /// vendor's clients send several (passed through with it).
    pub client_auth_parts: Vec<(HeaderName, HeaderValue)>,
    /// The client's idempotency key, as the vendor is sent it (scoped to the client by the
    /// gateway: [`crate::idempotency::at_vendor`]): sent where the vendor honours one, and
    /// what makes a create safe to repeat there.
    pub idempotency_key: Option<HeaderValue>,
    /// The vendor's rate-limit headers of the last answer, for the client.
    pub rate_limits: Mutex<Vec<(HeaderName, HeaderValue)>>,
}

impl Call {
    /// A call for one request.
    pub fn new(
        request_id: &str,
        client_auth: Option<(HeaderName, HeaderValue)>,
        idempotency_key: Option<HeaderValue>,
    ) -> Call {
        Call {
            request_id: request_id.to_owned(),
            client_auth,
            client_auth_parts: Vec::new(),
            idempotency_key,
            rate_limits: Mutex::default(),
        }
    }

    /// Keeps the vendor's rate-limit headers of an answer.
    pub fn surface_rate_limits(&self, headers: &Fields) {
        // Most answers carry none: one pass over the names settles that before a lookup of each.
        let prefix = b"x-ratelimit-";
        let any = headers.iter().any(|(name, _)| {
            name.get(..prefix.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
        });
        if !any {
            return;
        }
        let found: Vec<_> = RATE_LIMIT
            .iter()
            .filter_map(|name| {
                let value = headers.value(name.as_str())?;
                rate_limit_count(value.as_bytes()).then(|| (name.clone(), value))
            })
            .collect();
        if !found.is_empty() {
            *self.rate_limits.lock().unwrap_or_else(|p| p.into_inner()) = found;
        }
    }

    /// Adds the kept rate-limit headers to a response.
    pub fn apply_rate_limits(&self, headers: &mut HeaderMap) {
        for (name, value) in self
            .rate_limits
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            headers.insert(name.clone(), value.clone());
        }
    }
}

/// Whether a rate-limit field's value is what every vendor puts there: a count, or seconds or
/// an epoch time, in digits with at most one decimal point. Any other text is the vendor's
/// alone and is not passed on: the client would take it for a count, and it could carry what
/// no client should see (an echoed credential).
fn rate_limit_count(value: &[u8]) -> bool {
    let digits = value.iter().filter(|b| b.is_ascii_digit()).count();
    let points = value.iter().filter(|&&b| b == b'.').count();
    (1..=20).contains(&digits) && points <= 1 && digits + points == value.len()
}

/// One configured vendor endpoint.
pub struct Upstream {
    /// The configured name.
    pub name: String,
    /// Its dialect.
    pub dialect: Arc<Dialect>,
    /// Scheme, authority and any path prefix, without a trailing slash.
    pub base_url: String,
    /// `base_url`'s scheme and authority, where every call goes.
    pub origin: Origin,
    /// `base_url`'s path prefix (empty, or `/` and more), which every request target starts with.
    pub base_path: String,
    /// How hookgate authenticates to it.
    pub auth: Auth,
    /// Retries, deadlines, circuit breaker and concurrency cap.
    pub guard: Guard,
    /// Served by hookgate itself.
    pub emulated: bool,
    /// The pooled client.
    pub client: Client,
    /// Which webhook URLs may be written to it.
    pub url_policy: Arc<UrlPolicy>,
    /// Its series of `hookgate_upstream_request_duration_seconds`, found once.
    pub latency: prometheus_client::metrics::histogram::Histogram,
    /// The webhooks a composed write (a read, a merge, a write) is under way on: shared with
    /// the upstream of the same name a reload replaces, so that a write begun before it and
    /// one begun after still take turns.
    pub turns: Arc<turns::Turns>,
    /// The secrets of its webhooks that it showed once, kept where it never shows them again
    /// ([`kept`]): shared, as `turns` are, with the upstream of the same vendor a reload
    /// replaces.
    pub kept: Arc<kept::KeptSecrets>,
}

impl Upstream {
    fn info(&self) -> UpstreamInfo {
        UpstreamInfo {
            name: self.name.clone(),
            dialect: self.dialect.name.clone(),
            ..UpstreamInfo::default()
        }
    }

    /// hookgate's own credential at this vendor, for redaction only: a vendor's message may
    /// echo the credential it was sent.
    pub fn own_secrets(&self) -> &[Secret] {
        match &self.auth {
            Auth::Own { secrets, .. } => secrets,
            _ => &[],
        }
    }

    /// The names of the query parameters hookgate's own credential goes in at this vendor.
    pub fn own_query_names(&self) -> impl Iterator<Item = &str> {
        let pairs = match &self.auth {
            Auth::Own {
                query: Some(pairs), ..
            } => pairs.expose(),
            _ => "",
        };
        (pairs.split('&'))
            .filter(|pair| !pair.is_empty())
            .map(|pair| pair.split_once('=').map_or(pair, |(name, _)| name))
    }

    /// The plan of one canonical operation at this upstream; `kept` is the secret kept of the
    /// webhook whose secret it reads.
    pub fn plan<'a>(&'a self, op: Operation, call: &'a Call, kept: Option<&'a str>) -> Plan<'a> {
        let key = call
            .idempotency_key
            .as_ref()
            .filter(|_| self.honours_idempotency_key())
            .and_then(|v| v.to_str().ok());
        let mut cx = Context::new(&self.dialect, &self.name, &self.url_policy, key);
        cx.kept_secret = kept;
        Plan::new(cx, op)
    }

    /// Whether the vendor shows a webhook's secret only in the answer that made it: the
    /// gateway keeps it then ([`kept`]).
    pub fn shows_secret_once(&self) -> bool {
        self.dialect.secret_resource().is_none() && !self.dialect.emulator.shows_secret
    }

    /// Whether a change relayed to it may make, replace or end a secret the gateway keeps: the
    /// vendor shows its webhooks' secrets once, and they have one. Only such a change's answer
    /// is read ([`Upstream::relay`]).
    pub fn keeps_relayed_secrets(&self) -> bool {
        self.shows_secret_once()
            && (self.dialect.webhook.rules.iter()).any(|r| r.target.is("secret"))
    }

    /// The secret kept of the webhook a read of its secret names, where the vendor shows it
    /// once.
    fn kept_secret(&self, op: &Operation) -> Option<Secret> {
        let id = op.id.as_deref().filter(|_| op.reveal_secret)?;
        if !self.shows_secret_once() {
            return None;
        }
        self.kept.get(&kept::webhook_key(op.owner.as_deref(), id))
    }

    /// Keeps what an operation's end says of its webhook's secret, where the vendor shows it
    /// once: the secret a create or a rotation made (shown in its answer, or named by the
    /// problem of a later call that failed), or the one the client chose and the vendor took;
    /// a webhook deleted, or rotated to a secret not shown, is forgotten. A secret shown for
    /// a webhook whose owner the answers did not confirm (`confirmed` false: one answered as
    /// another owner's) is kept for no one: filed under the owner asked, a later read of that
    /// owner's could show it for a webhook not theirs, and the owner answered is one the
    /// refusal would not trust. The refusal showed it to the client that made it.
    fn keep_secret(&self, op: &Operation, result: &Result<Done, Problem>, confirmed: bool) {
        // A read makes no secret: the one it may show is the one kept.
        if op.action.reads_only() || !self.shows_secret_once() {
            return;
        }
        let owner = op.owner.as_deref();
        let chosen = op.body.as_ref().and_then(|b| b.get("secret")?.as_str());
        match result {
            Ok(done) => {
                let webhook = match &done.outcome {
                    Outcome::Created(w) | Outcome::Webhook(w) => Some(w),
                    Outcome::Deleted(_) => {
                        if let Some(id) = &op.id {
                            self.kept.forget(&kept::webhook_key(owner, id));
                        }
                        return;
                    }
                    _ => None,
                };
                let Some(webhook) = webhook else { return };
                // The webhook's key is written only where there is something to keep or forget:
                // most changes name no secret.
                let key = || {
                    (webhook.str("id").or(op.id.as_deref().map(Into::into)))
                        .map(|id| kept::webhook_key(owner, &id))
                };
                let taken = chosen.filter(|_| !done.dropped.iter().any(|d| d == "secret"));
                match webhook.str("secret").as_deref().or(taken) {
                    Some(secret) => {
                        if let Some(key) = key() {
                            self.kept.keep(key, secret);
                        }
                    }
                    None if op.action == Action::RotateSecret => {
                        if let Some(key) = key() {
                            self.kept.forget(&key);
                        }
                    }
                    None => {}
                }
            }
            Err(problem) => {
                let made = problem.made.as_deref();
                let text = |name: &str| made.and_then(|m| m.get(name)?.as_str());
                // The webhook the request named, where it named one: a problem never keeps a
                // secret for another.
                let key = || Some(kept::webhook_key(owner, op.id.as_deref().or(text("id"))?));
                match text("secret").filter(|_| confirmed) {
                    Some(secret) => {
                        if let Some(key) = key() {
                            self.kept.keep(key, secret);
                        }
                    }
                    // A rotation that may have been made: the secret kept is no longer known
                    // to be the webhook's.
                    None if op.action == Action::RotateSecret
                        && (problem.says_made() || problem.outcome_unknown) =>
                    {
                        if let Some(key) = key() {
                            self.kept.forget(&key);
                        }
                    }
                    None => {}
                }
            }
        }
    }

    /// Whether the vendor takes a client's idempotency key (in a header, or in a create's
    /// body): where it does not, the gateway holds the key itself.
    pub fn honours_idempotency_key(&self) -> bool {
        let d = &self.dialect;
        d.idempotency_key.is_some() || d.body_idempotency_key.is_some()
    }

    /// Carries out one canonical operation: the plan's requests, one after the other.
    pub async fn execute(&self, op: Operation, call: &Call) -> Result<Done, Problem> {
        let kept = self.kept_secret(&op);
        let mut plan = self.plan(op, call, kept.as_ref().map(Secret::expose));
        // A write made from what was read waits for any other one on the same webhook.
        let _turn = match plan.writes_what_it_reads() {
            true => Some(self.turns.take(plan.operation().webhook_key()).await),
            false => None,
        };
        let mut reply = None;
        let result = loop {
            match plan.next(reply.take()) {
                Next::Send(request) => match self.send(&request, call).await {
                    Ok(r) => {
                        call.surface_rate_limits(&r.headers);
                        reply = Some(r);
                    }
                    Err(p) => break Err(plan.interrupted(p)),
                },
                Next::Done(result) => break result,
            }
        };
        self.keep_secret(plan.operation(), &result, plan.owner_confirmed());
        result
    }

    /// The whole URL of a planned request, as a preview shows it.
    pub fn url(&self, request: &VendorRequest) -> String {
        let mut url = format!("{}{}", self.base_url, request.path);
        // A token in the query is shown where it goes, never as it is.
        if let Auth::Own {
            query: Some(pairs), ..
        } = &self.auth
        {
            for pair in pairs.expose().split('&') {
                let name = pair.split_once('=').map_or(pair, |(name, _)| name);
                url.push(if url.contains('?') { '&' } else { '?' });
                url.push_str(name);
                url.push_str("=[redacted]");
            }
        }
        url
    }

    /// A request target as logs show it: a credential its query carries (a client's, relayed
    /// to a vendor that takes it there) as `[redacted]`. Only made when a log asks for it.
    fn shown<'t>(&self, target: &'t str) -> std::borrow::Cow<'t, str> {
        let names: Vec<&str> = (self.dialect.credential_places())
            .filter_map(|place| match place {
                crate::mapping::model::CredentialPlace::Query(name) => Some(name),
                crate::mapping::model::CredentialPlace::Header(_) => None,
            })
            .collect();
        let Some((path, query)) = target.split_once('?').filter(|_| !names.is_empty()) else {
            return std::borrow::Cow::Borrowed(target);
        };
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| {
                let key = pair.split_once('=').map_or(pair, |(k, _)| k);
                let named = form_urlencoded::parse(key.as_bytes())
                    .next()
                    .is_some_and(|(k, _)| names.contains(&&*k));
                match named {
                    true => format!("{key}=[redacted]"),
                    false => pair.to_owned(),
                }
            })
            .collect();
        std::borrow::Cow::Owned(format!("{path}?{}", pairs.join("&")))
    }

    /// Sends one planned request.
    async fn send(&self, request: &VendorRequest, call: &Call) -> Result<Reply, Problem> {
        let body = match (&request.body, self.dialect.form) {
            (Some(v), None) => {
                let mut out = Vec::with_capacity(256);
                crate::json::write(&mut out, v);
                Bytes::from(out)
            }
            (Some(v), Some(arrays)) => Bytes::from(crate::form::encode(v, arrays)),
            (None, _) => Bytes::new(),
        };
        let headers = self.request_headers(call, request);
        let target = [&*self.base_path, &request.path].concat();
        self.exchange(&request.method, &target, &headers, body, request.repeatable)
            .await
    }

    /// The headers of a planned request: those of every request, and the operation's own.
    pub fn request_headers(
        &self,
        call: &Call,
        request: &VendorRequest,
    ) -> Vec<(HeaderName, HeaderValue)> {
        let mut headers = self.headers(call, request.body.is_some(), request.content_type.as_ref());
        headers.extend(request.headers.iter().cloned());
        headers
    }

    /// The headers of every vendor request: what it accepts (in no content coding) and who
    /// sends it, the request id,
    /// the credential (marked sensitive) and an idempotency key the vendor honours. A list, not
    /// a map: each is written once and none is looked up, so hashing names into a map's index
    /// was work for nothing.
    ///
    /// A body is written in `content_type` where the operation gives one, else in the
    /// dialect's media type (or as a form).
    pub fn headers(
        &self,
        call: &Call,
        has_body: bool,
        content_type: Option<&HeaderValue>,
    ) -> Vec<(HeaderName, HeaderValue)> {
        let mut headers = Vec::with_capacity(7);
        headers.push((header::ACCEPT, self.dialect.media_type.clone()));
        // Answers are read, redacted and passed on as they come: in no content coding.
        headers.push((
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("identity"),
        ));
        headers.push((
            header::USER_AGENT,
            HeaderValue::from_static(concat!("hookgate/", env!("CARGO_PKG_VERSION"))),
        ));
        if has_body {
            let media_type = match (content_type, self.dialect.form) {
                (Some(given), _) => given.clone(),
                (None, None) => self.dialect.media_type.clone(),
                (None, Some(_)) => HeaderValue::from_static("application/x-www-form-urlencoded"),
            };
            headers.push((header::CONTENT_TYPE, media_type));
        }
        if let Some(id) = crate::http::headers::value(&call.request_id) {
            headers.push((X_REQUEST_ID.clone(), id));
        }
        match &self.auth {
            Auth::Own { headers: own, .. } => {
                headers.extend(
                    own.iter()
                        .map(|(name, value)| (name.clone(), value.0.clone())),
                );
            }
            Auth::Passthrough => {
                let fields = call.client_auth.iter().chain(&call.client_auth_parts);
                headers.extend(fields.map(|(name, value)| {
                    let mut value = value.clone();
                    value.set_sensitive(true);
                    (name.clone(), value)
                }));
            }
            Auth::None => {}
        }
        if let (Some(name), Some(key)) = (&self.dialect.idempotency_key, &call.idempotency_key) {
            // The vendor's own name for the key replaces any field above of that name.
            headers.retain(|(n, _)| n != name);
            headers.push((name.clone(), key.clone()));
        }
        headers
    }

    /// Sends a request already in this upstream's dialect, its body as the client wrote it, to
    /// the vendor path of `endpoint` (with the client's query string): the same credentials,
    /// deadlines, retries and circuit breaker as a translated call, and the answer passed on
    /// as it came. A change that may make, replace or end a kept secret
    /// (`endpoint.changes_secret`) has its answer read for that too.
    pub async fn relay(
        &self,
        endpoint: &RelayTarget<'_>,
        body: Bytes,
        call: &Call,
    ) -> Result<Reply, Problem> {
        let mut target = [&*self.base_path, &endpoint.path].concat();
        if let Some(query) = endpoint.query {
            target.push('?');
            target.push_str(query);
        }
        let mut headers = self.headers(call, !body.is_empty(), endpoint.content_type);
        headers.extend(endpoint.headers.iter().cloned());
        let repeatable = endpoint.method.is_idempotent()
            || (endpoint.method == http::Method::POST
                && call.idempotency_key.is_some()
                && self.dialect.idempotency_key.is_some());
        let result = (self.exchange(endpoint.method, &target, &headers, body, repeatable)).await;
        if let Some(change) = endpoint.changes_secret {
            self.keep_relayed_secret(change, &result);
        }
        let reply = result?;
        call.surface_rate_limits(&reply.headers);
        Ok(reply)
    }

    /// Keeps what a relayed change's answer says of its webhook's secret, as
    /// [`Upstream::execute`] keeps a planned one's: the answer is read by the dialect's rules
    /// (its bytes go on as they came). The secret it shows, or the one the request set, is
    /// kept; a delete forgets. A change that may have replaced the secret (a rotation, one that
    /// sets it) and whose answer does not show the new one (none shown, none readable, a
    /// failure whose outcome is not known) forgets the one before, which is then no longer
    /// known to be the webhook's. A refusal changed nothing. An answer that names another
    /// owner than the request's keeps nothing.
    fn keep_relayed_secret(&self, change: &kept::Change, result: &Result<Reply, Problem>) {
        let action = change.role.action();
        let chosen = change.chosen.as_ref().map(Secret::expose);
        let replaces = action == Action::RotateSecret || chosen.is_some();
        let key = |id: Option<&str>| {
            let id = id.or(change.id.as_deref())?;
            Some(kept::webhook_key(change.owner.as_deref(), id))
        };
        let forget = |id: Option<&str>| {
            if let Some(key) = key(id) {
                self.kept.forget(&key);
            }
        };
        let reply = match result {
            Ok(reply) if reply.status.is_success() => reply,
            Ok(reply) if reply.status.is_client_error() => return,
            Err(problem) if !problem.outcome_unknown => return,
            // A server's failure, a redirect not followed, an answer cut short or in a coding
            // not read: the change may have been made.
            _ => {
                if replaces {
                    forget(None);
                }
                return;
            }
        };
        if action == Action::Delete {
            forget(None);
            return;
        }
        let cx = Context::new(&self.dialect, &self.name, &self.url_policy, None);
        let read = (self.dialect.endpoint(change.role)).map(|e| cx.changed_webhook(e, reply));
        let Some(Ok(webhook)) = read else {
            if replaces {
                forget(None);
            }
            return;
        };
        // An answer of another owner's webhook (a vendor that ignores the owner it is sent)
        // shows a secret that is not known to be the asked owner's: kept for no one, as a
        // planned change's ([`Upstream::keep_secret`]).
        let answered = webhook.as_ref().and_then(|w| w.text("owner"));
        if let (Some(answered), Some(asked)) = (answered, change.owner.as_deref())
            && answered != asked
        {
            if replaces {
                forget(None);
            }
            return;
        }
        let id = webhook.as_ref().and_then(|w| w.str("id"));
        let shown = webhook.as_ref().and_then(|w| w.str("secret"));
        match (shown.as_deref().or(chosen), key(id.as_deref())) {
            (Some(secret), Some(key)) => self.kept.keep(key, secret),
            (None, Some(key)) if replaces => self.kept.forget(&key),
            _ => {}
        }
    }

    /// One call and its retries: each attempt within its own timeout and what is left of the
    /// overall deadline, retried only when `repeatable`, after a failure or a `Retry-After`.
    async fn exchange(
        &self,
        method: &http::Method,
        target: &str,
        headers: &[(HeaderName, HeaderValue)],
        body: Bytes,
        repeatable: bool,
    ) -> Result<Reply, Problem> {
        let policy = self.guard.policy();
        let deadline = Instant::now() + policy.deadline;
        let mut attempt = 0;
        loop {
            let resilience::Admitted { permit, probe } =
                self.guard.admit(&self.name, deadline).await?;
            // One reading of the clock for both: nothing waits between them.
            let started = Instant::now();
            let left = deadline.saturating_duration_since(started);
            let on_wire = self.with_credential(target);
            let request = Outbound {
                method,
                origin: &self.origin,
                target: &on_wire,
                headers,
                body: &body,
            };
            tracing::debug!(upstream = %self.name, %method, vendor_path = %self.shown(target), attempt, "calling upstream");
            // Boxed: a call still waiting for its slot (above) holds no room for this state.
            let result =
                Box::pin(self.client.call(request, policy.attempt_timeout.min(left))).await;
            self.latency.observe(started.elapsed().as_secs_f64());
            drop(permit);
            // A 429 or 503 may say when to come back (in seconds or as a date): that wait
            // replaces the backoff, and one beyond the deadline is not waited for.
            let asked = |reply: &Reply| {
                resilience::retry_after(reply.retry_after(), std::time::SystemTime::now())
            };
            let (verdict, wait) = match &result {
                Ok(reply) if reply.status == http::StatusCode::SERVICE_UNAVAILABLE => {
                    (Verdict::Failed, asked(reply).map(Some))
                }
                Ok(reply) if reply.status.is_server_error() => (Verdict::Failed, None),
                Ok(reply) if reply.status == http::StatusCode::TOO_MANY_REQUESTS => {
                    (Verdict::Healthy, Some(asked(reply)))
                }
                Ok(_) => (Verdict::Healthy, None),
                Err(_) => (Verdict::Failed, None),
            };
            self.guard.record(verdict);
            drop(probe);
            let retryable = verdict == Verdict::Failed || wait.is_some();
            attempt += 1;
            if !(repeatable && retryable) || attempt > policy.retries {
                return self.answered(result, method);
            }
            let pause = match wait {
                Some(Some(after)) => after,
                _ => policy.backoff(attempt),
            };
            if Instant::now()
                .checked_add(pause)
                .is_none_or(|at| at >= deadline)
            {
                // Waiting would outlive the deadline: answer with what the vendor said.
                return self.answered(result, method);
            }
            tracing::debug!(upstream = %self.name, attempt, ?pause, "retrying");
            tokio::time::sleep(pause).await;
        }
    }

    /// What a call comes to: the vendor's answer as [`Upstream::received`] makes it, or the
    /// problem of a call that failed.
    fn answered(
        &self,
        result: Result<Reply, CallError>,
        method: &http::Method,
    ) -> Result<Reply, Problem> {
        let reply = result.map_err(|e| self.call_problem(e, method))?;
        self.received(reply, method)
    }

    /// A vendor's answer to a request sent with `method`, as anything may read it: with
    /// hookgate's own credential taken out of it, and a UTF-8 byte order mark before it left
    /// out ([`crate::json::without_bom`]). An answer in a content coding (`gzip`, asked for or
    /// not: every request asks for `identity`) is one hookgate cannot read, nor redact, nor
    /// pass on as the media type it says it is: refused. Every answer goes through it, those
    /// of a call and those a translation (a preview) is given, so that a translation
    /// shows the answer a call would give.
    pub fn received(&self, mut reply: Reply, method: &http::Method) -> Result<Reply, Problem> {
        if let Some(coding) = content_coding(&reply.headers) {
            let mut p = Problem::new(
                Code::UpstreamError,
                format!(
                    "upstream {} sent an answer in content coding {coding}, which hookgate does not read",
                    self.name
                ),
            );
            let mut info = self.info();
            info.status = Some(reply.status.as_u16());
            p.upstream = Some(Box::new(info));
            p.untranslatable = true;
            // Whatever the vendor did, its answer says nothing hookgate can read of it.
            p.outcome_unknown = !method.is_safe();
            return Err(p);
        }
        let body = crate::json::without_bom(reply.body);
        reply.body = scrub::without_own_secrets(body, self.own_secrets());
        Ok(reply)
    }

    /// A request's target as it is sent: with hookgate's token where the vendor takes it in
    /// the query.
    fn with_credential<'t>(&self, target: &'t str) -> std::borrow::Cow<'t, str> {
        match &self.auth {
            Auth::Own {
                query: Some(pairs), ..
            } => {
                let join = if target.contains('?') { '&' } else { '?' };
                std::borrow::Cow::Owned(format!("{target}{join}{}", pairs.expose()))
            }
            _ => std::borrow::Cow::Borrowed(target),
        }
    }

    fn call_problem(&self, e: CallError, method: &http::Method) -> Problem {
        let code = match e {
            CallError::Timeout(_) | CallError::BodyTimeout(..) => Code::UpstreamTimeout,
            CallError::Unsendable(_) => Code::Internal,
            CallError::Connect(_) | CallError::Transport(_) | CallError::TooLarge(_) => {
                Code::UpstreamError
            }
        };
        // A request that changes something may have been carried out after any failure but a
        // connection never made or a request that could not be written.
        let unknown =
            !method.is_safe() && !matches!(e, CallError::Connect(_) | CallError::Unsendable(_));
        let mut p = Problem::new(code, format!("upstream {}: {e}", self.name));
        p.upstream = Some(Box::new(self.info()));
        p.outcome_unknown = unknown;
        p
    }

    /// Why an answer that is not JSON cannot be passed on: the vendor's failure as far as its
    /// status tells it, or a success hookgate could not read.
    pub fn unreadable(&self, reply: &Reply) -> Problem {
        let cx = Context::new(&self.dialect, &self.name, &self.url_policy, None);
        cx.problem_of(reply)
    }

    /// Why a success whose headers name two webhooks (as `named` says) cannot be passed on,
    /// where they do: a relayed answer is refused as a translated one is.
    pub fn named_twice(&self, named: &crate::mapping::id_header::Named) -> Option<Problem> {
        let cx = Context::new(&self.dialect, &self.name, &self.url_policy, None);
        cx.named_twice(named)
    }
}

/// The content codings an answer's `Content-Encoding` fields name besides `identity`, as
/// they name them (`gzip`, `br, gzip`), where they name any: such a body is no longer the
/// media type its `Content-Type` says. Text that is no token is named as `?`, and at most a
/// few of them, so that a vendor's field cannot fill the problem that names them.
fn content_coding(headers: &Fields) -> Option<String> {
    let codings: Vec<&str> = headers
        .get_all("content-encoding")
        .flat_map(|value| value.split(|&b| b == b','))
        .map(|coding| coding.trim_ascii())
        .filter(|coding| !coding.is_empty() && !coding.eq_ignore_ascii_case(b"identity"))
        .map(|coding| {
            std::str::from_utf8(coding)
                .ok()
                .filter(|c| {
                    c.len() <= 32
                        && c.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"-_.+".contains(&b))
                })
                .unwrap_or("?")
        })
        .take(4)
        .collect();
    (!codings.is_empty()).then(|| codings.join(", "))
}

/// Where a relayed request goes: the vendor path rebuilt from the dialect's own template.
pub struct RelayTarget<'a> {
    /// The method.
    pub method: &'a http::Method,
    /// The dialect's base path and the endpoint's path, owner and id filled in.
    pub path: String,
    /// The client's query string, as it was.
    pub query: Option<&'a str>,
    /// The client's values of the header fields the endpoint declares (its owner's).
    pub headers: &'a [(HeaderName, HeaderValue)],
    /// The body's media type, where the operation's is not the dialect's.
    pub content_type: Option<&'a HeaderValue>,
    /// What the change may do to the secret kept of its webhook, where the upstream keeps
    /// secrets and the request changes something: its answer is read for it.
    pub changes_secret: Option<&'a kept::Change>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A head's fields as a vendor wrote them, names in any letter case.
    fn fields(lines: &[(&str, &str)]) -> Fields {
        let mut head = Vec::new();
        let mut spans = Vec::new();
        for (name, value) in lines {
            let name_at = head.len()..head.len() + name.len();
            head.extend_from_slice(name.as_bytes());
            head.extend_from_slice(b": ");
            let value_at = head.len()..head.len() + value.len();
            head.extend_from_slice(value.as_bytes());
            head.extend_from_slice(b"\r\n");
            spans.push((name_at, value_at));
        }
        Fields::new(Bytes::from(head), spans)
    }

    /// The vendor's rate limits are kept from an answer that has them, in any letter case, and
    /// an answer without them leaves the last ones kept.
    #[test]
    fn keeps_the_rate_limits_an_answer_carries() {
        let call = Call::new("r", None, None);
        let kept = |call: &Call| {
            let mut headers = HeaderMap::new();
            call.apply_rate_limits(&mut headers);
            let mut kept: Vec<_> = headers
                .iter()
                .map(|(n, v)| format!("{n}={}", v.to_str().unwrap()))
                .collect();
            kept.sort();
            kept
        };
        call.surface_rate_limits(&fields(&[("content-type", "application/json")]));
        assert!(kept(&call).is_empty());
        call.surface_rate_limits(&fields(&[
            ("Content-Type", "application/json"),
            ("X-RateLimit-Remaining", "7"),
            ("x-ratelimit-limit", "10"),
            ("X-RATELIMIT-RESET", "30"),
            ("X-RateLimit", "not one"),
        ]));
        let all = [
            "x-ratelimit-limit=10",
            "x-ratelimit-remaining=7",
            "x-ratelimit-reset=30",
        ];
        assert_eq!(kept(&call), all);
        call.surface_rate_limits(&fields(&[("date", "now")]));
        assert_eq!(kept(&call), all);
        call.surface_rate_limits(&fields(&[("x-ratelimit-remaining", "6")]));
        assert_eq!(kept(&call), ["x-ratelimit-remaining=6"]);
    }
}
