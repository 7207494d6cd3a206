//! An upstream: one configured vendor endpoint, reached through its dialect's mapping.
//!
//! [`Upstream::execute`] is the plan of the architecture notes: which vendor calls realise a
//! canonical operation (one call, or read-merge-write, or read-then-test), each translated on
//! the way out and on the way back. Every failure becomes a [`Problem`] that says who caused it.

use super::resilience::{self, Guard, Verdict};
use super::{Call, Done};
use crate::canonical::{self, OpKind, Operation, Outcome};
use crate::http::client::{CallError, Client, Reply};
use crate::http::headers::{IDEMPOTENCY_KEY, X_REQUEST_ID};
use crate::http::json;
use crate::mapping::errors::Failure;
use crate::mapping::reader::Item;
use crate::mapping::rules::{WriteError, Written};
use crate::mapping::template::Slots;
use crate::mapping::{self, Dialect, Strategy};
use crate::problem::{Code, FieldError, Problem, UpstreamInfo};
use crate::url_policy::UrlPolicy;
use bytes::Bytes;
use http::{HeaderValue, Request, header};
use http_body_util::Full;
use serde_json::{Map, Value};
use std::fmt;
use std::sync::Arc;
use std::time::Instant;

/// A credential that prints as `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// How hookgate authenticates to an upstream.
#[derive(Debug, Clone)]
pub enum Auth {
    /// `Authorization: Bearer <token>`; the header value is built once.
    Bearer(HeaderSecret),
    /// The client's own `Authorization` header is forwarded.
    Passthrough,
    None,
}

/// A sensitive header value, marked so that hyper's debug output and ours never show it.
#[derive(Clone)]
pub struct HeaderSecret(HeaderValue);

impl HeaderSecret {
    pub fn bearer(token: &Secret) -> Option<HeaderSecret> {
        let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose())).ok()?;
        value.set_sensitive(true);
        Some(HeaderSecret(value))
    }
}

impl fmt::Debug for HeaderSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// One vendor request, built and not yet sent.
#[derive(Debug, Clone)]
pub struct VendorRequest {
    pub method: http::Method,
    /// The whole URL: base, dialect path, owner and id, query.
    pub uri: String,
    /// Credentials are marked sensitive.
    pub headers: http::HeaderMap,
    pub body: Option<Value>,
    /// Whether sending it again cannot do harm, so a failure may be retried.
    pub repeatable: bool,
}

pub struct Upstream {
    pub name: String,
    pub dialect: Arc<Dialect>,
    /// Scheme, authority and any path prefix, without a trailing slash.
    pub base_url: String,
    pub auth: Auth,
    /// Retries, deadlines, circuit breaker and concurrency cap.
    pub guard: Guard,
    pub emulated: bool,
    pub client: Client,
    /// Which webhook URLs may be written to this upstream.
    pub url_policy: Arc<UrlPolicy>,
}

/// Values for the placeholders of a vendor request.
struct RequestSlots<'a> {
    webhook: Option<&'a Value>,
    current: Option<&'a Map<String, Value>>,
    limit: Option<Value>,
    cursor: Option<&'a str>,
}

impl Slots for RequestSlots<'_> {
    fn slot(&self, name: &str) -> Option<Value> {
        match name {
            "webhook" => self.webhook.cloned(),
            "limit" => self.limit.clone(),
            "cursor" => self.cursor.map(Value::from),
            other => {
                let field = other.strip_prefix("current.")?;
                self.current?.get(field).cloned()
            }
        }
    }
}

impl Upstream {
    fn info(&self) -> UpstreamInfo {
        UpstreamInfo {
            name: self.name.clone(),
            dialect: self.dialect.name.clone(),
            ..UpstreamInfo::default()
        }
    }

    fn spec(&self, kind: OpKind) -> Result<&mapping::Operation, Problem> {
        self.dialect.operation(kind).ok_or_else(|| {
            Problem::new(
                Code::UnsupportedOperation,
                format!("upstream {} does not support {kind}", self.name),
            )
        })
    }

    /// Carries out one canonical operation.
    pub async fn execute(&self, op: Operation, call: &Call) -> Result<Done, Problem> {
        self.check_owner(&op)?;
        match op.kind {
            OpKind::List => self.list(&op, call).await.map(Done::from),
            OpKind::Get => Ok(Outcome::Webhook(self.get(&op, call).await?).into()),
            OpKind::Create => self.create(&op, call).await,
            OpKind::Update => self.update(&op, call).await,
            OpKind::Delete => {
                let spec = self.spec(OpKind::Delete)?;
                self.send(spec, &op, None, None, call).await?;
                Ok(Outcome::Deleted.into())
            }
            OpKind::Test => self.test(&op, call).await.map(Done::from),
            OpKind::RotateSecret => {
                let spec = self.spec(OpKind::RotateSecret)?;
                let answer = self.send(spec, &op, None, None, call).await?;
                Ok(Outcome::Webhook(self.webhook_from(spec, answer, &op)?).into())
            }
            OpKind::Toggle => self.toggle(&op, call).await,
        }
    }

    fn check_owner(&self, op: &Operation) -> Result<(), Problem> {
        match (&self.dialect.owner, &op.owner) {
            (Some(scope), None) => Err(Problem::not_found(format!(
                "upstream {} scopes webhooks by owner ({scope}): use /v1/upstreams/{}/owners/{{owner}}/webhooks",
                self.name, self.name
            ))),
            (None, Some(_)) => Err(Problem::not_found(format!(
                "upstream {} has no owner scope: leave /owners/{{owner}} out of the path",
                self.name
            ))),
            _ => Ok(()),
        }
    }

    async fn get(&self, op: &Operation, call: &Call) -> Result<Map<String, Value>, Problem> {
        let spec = self.spec(OpKind::Get)?;
        let answer = self.send(spec, op, None, None, call).await?;
        self.webhook_from(spec, answer, op)
    }

    async fn list(&self, op: &Operation, call: &Call) -> Result<Outcome, Problem> {
        let spec = self.spec(OpKind::List)?;
        let answer = self.send(spec, op, None, None, call).await?.body;
        let next_cursor = spec
            .cursor_path
            .as_ref()
            .and_then(|p| p.get(&answer))
            .and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            });
        let items = spec
            .items_paths
            .iter()
            .find(|p| p.get(&answer).is_some_and(Value::is_array))
            .and_then(|p| p.extract(answer))
            .ok_or_else(|| self.malformed("a list without its items"))?;
        let Value::Array(items) = items else {
            unreachable!("found an array above")
        };
        let items = items
            .into_iter()
            .map(|item| self.canonical(item, op))
            .collect();
        Ok(Outcome::List { items, next_cursor })
    }

    async fn create(&self, op: &Operation, call: &Call) -> Result<Done, Problem> {
        let spec = self.spec(OpKind::Create)?;
        let empty = Map::new();
        let body = op.body.as_ref().unwrap_or(&empty);
        canonical::check_body(OpKind::Create, body)?;
        let written = self.write(OpKind::Create, body, op.lenient)?;
        let refusal = self.url_policy.check_webhook(body).err();
        self.precheck(
            OpKind::Create,
            &written.body,
            refusal.map(|r| r.field_error()),
        )?;
        let answer = self.send(spec, op, Some(&written.body), None, call).await?;
        let webhook = self.webhook_from(spec, answer, op)?;
        Ok(Done {
            outcome: Outcome::Created(webhook),
            dropped: written.dropped,
        })
    }

    async fn update(&self, op: &Operation, call: &Call) -> Result<Done, Problem> {
        let spec = self.spec(OpKind::Update)?;
        let empty = Map::new();
        let patch = op.body.as_ref().unwrap_or(&empty);
        canonical::check_body(OpKind::Update, patch)?;
        // Before anything is read: a refused URL never reaches the upstream in any form.
        if let Err(refusal) = self.url_policy.check_webhook(patch) {
            return Err(Problem::validation(vec![refusal.field_error()]));
        }
        let written = self.write(OpKind::Update, patch, op.lenient)?;
        // A merge into a map (headers, extensions) needs the current map to merge into.
        let merges_objects = !op.replace_objects && patch.values().any(Value::is_object);
        let body = if spec.strategy == Strategy::ReadMergeWrite || merges_objects {
            let current = self.get(op, call).await?;
            let mut patch = patch.clone();
            for dropped in &written.dropped {
                patch.shift_remove(dropped.as_str());
            }
            let merged = canonical::apply_update(&current, &patch, op.replace_objects);
            let before = self.dialect.webhook.write_all(OpKind::Update, &current);
            let after = self.dialect.webhook.write_all(OpKind::Update, &merged);
            let mut changed = mapping::rules::ObjectMap::changed_heads(&before, &after);
            if let Value::Object(cleared) = &written.body {
                for (key, value) in cleared {
                    if after.get(key).is_none() {
                        changed.insert(key.clone(), value.clone());
                    }
                }
            }
            if changed.is_empty() {
                return Ok(Done {
                    outcome: Outcome::Webhook(current),
                    dropped: written.dropped,
                });
            }
            Value::Object(changed)
        } else {
            written.body
        };
        self.precheck(OpKind::Update, &body, None)?;
        let answer = self.send(spec, op, Some(&body), None, call).await?;
        let webhook = self.webhook_from(spec, answer, op)?;
        Ok(Done {
            outcome: Outcome::Webhook(webhook),
            dropped: written.dropped,
        })
    }

    async fn test(&self, op: &Operation, call: &Call) -> Result<Outcome, Problem> {
        let spec = self.spec(OpKind::Test)?;
        let current = if spec.needs_current {
            Some(self.get(op, call).await?)
        } else {
            None
        };
        let answer = self
            .send(spec, op, None, current.as_ref(), call)
            .await?
            .body;
        let found = spec
            .item_paths
            .iter()
            .find(|p| p.get(&answer).is_some())
            .and_then(|p| p.extract(answer))
            .ok_or_else(|| self.malformed("a test result without its body"))?;
        Ok(Outcome::TestResult(
            self.dialect.test_result.read_owned(found),
        ))
    }

    async fn toggle(&self, op: &Operation, call: &Call) -> Result<Done, Problem> {
        if let Some(spec) = self.dialect.operation(OpKind::Toggle) {
            let answer = self.send(spec, op, None, None, call).await?;
            return Ok(Outcome::Webhook(self.webhook_from(spec, answer, op)?).into());
        }
        let current = self.get(op, call).await?;
        let Some(enabled) = current.get("enabled").and_then(Value::as_bool) else {
            return Err(Problem::with_errors(
                Code::UnsupportedField,
                vec![FieldError::new(
                    "enabled",
                    format!("not supported by upstream {}", self.name),
                )],
            ));
        };
        let mut patch = Map::new();
        patch.insert("enabled".into(), Value::Bool(!enabled));
        let update = Operation {
            kind: OpKind::Update,
            body: Some(patch),
            ..op.clone()
        };
        self.update(&update, call).await
    }

    fn write(
        &self,
        kind: OpKind,
        body: &Map<String, Value>,
        lenient: bool,
    ) -> Result<Written, Problem> {
        self.dialect
            .webhook
            .write(kind, body, lenient)
            .map_err(|e| match e {
                WriteError::Unsupported(fields) => Problem::with_errors(
                    Code::UnsupportedField,
                    fields
                        .into_iter()
                        .map(|f| {
                            FieldError::new(f, format!("not supported by upstream {}", self.name))
                        })
                        .collect(),
                ),
                WriteError::Invalid(errors) => Problem::validation(errors),
            })
    }

    /// The vendor's declared constraints, and the URL policy's refusal if any, checked before
    /// the call. Where the vendor's own constraints already refuse the URL, their word is kept.
    fn precheck(
        &self,
        kind: OpKind,
        body: &Value,
        url_refusal: Option<FieldError>,
    ) -> Result<(), Problem> {
        let mut errors: Vec<FieldError> = self
            .dialect
            .webhook
            .check(kind, body)
            .iter()
            .map(|v| v.canonical())
            .collect();
        if let Some(refusal) = url_refusal
            && !errors.iter().any(|e| e.field == refusal.field)
        {
            errors.insert(0, refusal);
        }
        if errors.is_empty() {
            return Ok(());
        }
        Err(Problem::validation(errors))
    }

    fn webhook_from(
        &self,
        spec: &mapping::Operation,
        answer: Answer,
        op: &Operation,
    ) -> Result<Map<String, Value>, Problem> {
        let without = || self.malformed("an answer without the webhook");
        match answer.item {
            Some(Item::Read(webhook)) => return Ok(self.completed(webhook, op)),
            Some(Item::NotAnObject) => return Err(without()),
            Some(Item::Ambiguous) | None => {}
        }
        let answer = answer.body;
        let found = spec
            .item_paths
            .iter()
            .find(|p| p.get(&answer).is_some_and(Value::is_object))
            .and_then(|p| p.extract(answer))
            .ok_or_else(without)?;
        Ok(self.canonical(found, op))
    }

    /// A vendor's webhook in canonical terms and order, with the owner it was asked under
    /// when the vendor does not say.
    fn canonical(&self, dialect: Value, op: &Operation) -> Map<String, Value> {
        self.completed(self.dialect.webhook.read_owned(dialect), op)
    }

    fn completed(&self, mut webhook: Map<String, Value>, op: &Operation) -> Map<String, Value> {
        if !webhook.contains_key("owner") {
            let owner = op.owner.as_deref().map(Value::from).unwrap_or(Value::Null);
            canonical::insert_in_order(&mut webhook, canonical::WEBHOOK_FIELDS, "owner", owner);
        }
        canonical::derive_status(&mut webhook);
        webhook
    }

    fn malformed(&self, what: &str) -> Problem {
        crate::metrics::get().translation_error(&self.name);
        let mut p = Problem::new(
            Code::UpstreamError,
            format!("upstream {} sent {what}", self.name),
        );
        p.upstream = Some(Box::new(self.info()));
        p
    }

    /// Builds, sends and reads one vendor request; a vendor failure becomes its problem.
    async fn send(
        &self,
        spec: &mapping::Operation,
        op: &Operation,
        body: Option<&Value>,
        current: Option<&Map<String, Value>>,
        call: &Call,
    ) -> Result<Answer, Problem> {
        let request = self.request(spec, op, body, current, call);
        let reply = match &call.rehearsal {
            // A read made on the way to another operation (read-merge-write, read-then-test).
            Some(rehearsal) => rehearsal.exchange(request, spec.kind != op.kind)?,
            None => self.call_with_retries(&request).await?,
        };
        call.surface_rate_limits(&reply.headers);
        self.answer(reply, spec)
    }

    /// The vendor request that carries out `spec` for `op`, exactly as it would be sent.
    pub fn request(
        &self,
        spec: &mapping::Operation,
        op: &Operation,
        body: Option<&Value>,
        current: Option<&Map<String, Value>>,
        call: &Call,
    ) -> VendorRequest {
        let slots = RequestSlots {
            webhook: body,
            current,
            limit: op.query.limit.map(Value::from),
            cursor: op.query.cursor.as_deref(),
        };
        let mut uri = spec.path.render(
            &[&self.base_url, &self.dialect.base_path],
            op.owner.as_deref(),
            op.id.as_deref(),
        );
        let mut first = true;
        for (param, template) in &spec.query {
            let Some(value) = template.render(&slots) else {
                continue;
            };
            let text = match value {
                Value::String(s) => s,
                other => other.to_string(),
            };
            uri.push(if first { '?' } else { '&' });
            first = false;
            uri.extend(percent_encoding::utf8_percent_encode(param, QUERY));
            uri.push('=');
            uri.extend(percent_encoding::utf8_percent_encode(&text, QUERY));
        }
        let payload = spec.body.as_ref().and_then(|t| t.render(&slots));
        let headers = self.headers(call, payload.is_some());
        VendorRequest {
            method: spec.method.clone(),
            uri,
            headers,
            body: payload,
            repeatable: repeatable(&spec.method, call),
        }
    }

    /// The headers of every vendor request: what it accepts and who sends it, the request id,
    /// the credential (marked sensitive) and the client's `Idempotency-Key`.
    fn headers(&self, call: &Call, has_body: bool) -> http::HeaderMap {
        let mut headers = http::HeaderMap::with_capacity(6);
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(
            header::USER_AGENT,
            HeaderValue::from_static(concat!("hookgate/", env!("CARGO_PKG_VERSION"))),
        );
        if has_body {
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        if let Some(id) = crate::http::headers::value(&call.request_id) {
            headers.insert(X_REQUEST_ID.clone(), id);
        }
        match &self.auth {
            Auth::Bearer(HeaderSecret(value)) => {
                headers.insert(header::AUTHORIZATION, value.clone());
            }
            Auth::Passthrough => {
                if let Some(value) = &call.client_auth {
                    let mut value = value.clone();
                    value.set_sensitive(true);
                    headers.insert(header::AUTHORIZATION, value);
                }
            }
            Auth::None => {}
        }
        if let Some(key) = &call.idempotency_key {
            headers.insert(IDEMPOTENCY_KEY.clone(), key.clone());
        }
        headers
    }

    /// Sends a request that is already in this upstream's dialect, its body as the client wrote
    /// it, to the vendor path of `spec` (with the client's query string): the same credentials,
    /// deadlines, retries and circuit breaker as a translated call, and the answer unread.
    pub async fn relay(
        &self,
        spec: &mapping::Operation,
        owner: Option<&str>,
        id: Option<&str>,
        query: Option<&str>,
        body: Bytes,
        call: &Call,
    ) -> Result<Reply, Problem> {
        let mut uri = spec
            .path
            .render(&[&self.base_url, &self.dialect.base_path], owner, id);
        if let Some(query) = query {
            uri.push('?');
            uri.push_str(query);
        }
        let headers = self.headers(call, !body.is_empty());
        let reply = self
            .exchange(
                &spec.method,
                &uri,
                &headers,
                body,
                repeatable(&spec.method, call),
            )
            .await?;
        call.surface_rate_limits(&reply.headers);
        Ok(reply)
    }

    /// Why an answer that is not JSON cannot be passed on: the vendor's failure as far as its
    /// status tells it, or a success hookgate could not read.
    pub fn unreadable(&self, reply: Reply, spec: &mapping::Operation) -> Problem {
        match self.answer(reply, spec) {
            Err(problem) => problem,
            Ok(_) => self.malformed("an answer that is not JSON"),
        }
    }

    /// Sends one vendor request, retrying where it is safe, within the overall deadline.
    async fn call_with_retries(&self, vendor: &VendorRequest) -> Result<Reply, Problem> {
        let body = match &vendor.body {
            Some(v) => Bytes::from(serde_json::to_vec(v).unwrap_or_default()),
            None => Bytes::new(),
        };
        self.exchange(
            &vendor.method,
            &vendor.uri,
            &vendor.headers,
            body,
            vendor.repeatable,
        )
        .await
    }

    /// One call and its retries: each attempt within its own timeout and what is left of the
    /// overall deadline, retried only when `repeatable`, after a failure or a `Retry-After`.
    async fn exchange(
        &self,
        method: &http::Method,
        uri: &str,
        headers: &http::HeaderMap,
        body: Bytes,
        repeatable: bool,
    ) -> Result<Reply, Problem> {
        let policy = self.guard.policy();
        let deadline = Instant::now() + policy.deadline;
        let parsed: http::Uri = uri
            .parse()
            .map_err(|e| Problem::internal(format!("could not build the upstream URI: {e}")))?;
        let mut attempt = 0;
        loop {
            let _permit = self.guard.admit(&self.name)?;
            let left = deadline.saturating_duration_since(Instant::now());
            let mut request = Request::new(Full::new(body.clone()));
            *request.method_mut() = method.clone();
            *request.uri_mut() = parsed.clone();
            *request.headers_mut() = headers.clone();
            tracing::debug!(%method, uri, attempt, "calling upstream");
            let started = Instant::now();
            let result = self
                .client
                .call(request, policy.attempt_timeout.min(left))
                .await;
            crate::metrics::get().upstream_call(&self.name, started.elapsed());
            drop(_permit);
            let (verdict, wait) = match &result {
                Ok(reply) if reply.status.is_server_error() => (Verdict::Failed, None),
                Ok(reply) if reply.status == http::StatusCode::TOO_MANY_REQUESTS => (
                    Verdict::Healthy,
                    Some(resilience::retry_after(
                        reply
                            .headers
                            .get(header::RETRY_AFTER)
                            .and_then(|v| v.to_str().ok()),
                    )),
                ),
                Ok(_) => (Verdict::Healthy, None),
                Err(_) => (Verdict::Failed, None),
            };
            self.guard.record(verdict);
            let retryable = verdict == Verdict::Failed || wait.is_some();
            attempt += 1;
            if !(repeatable && retryable) || attempt > policy.retries {
                return result.map_err(|e| self.call_problem(e));
            }
            let pause = match wait {
                Some(Some(after)) => after,
                _ => policy.backoff(attempt),
            };
            if Instant::now() + pause >= deadline {
                // Waiting would outlive the deadline: answer with what the vendor said.
                return result.map_err(|e| self.call_problem(e));
            }
            tracing::debug!(upstream = %self.name, attempt, ?pause, "retrying");
            tokio::time::sleep(pause).await;
        }
    }

    fn call_problem(&self, e: CallError) -> Problem {
        let code = match e {
            CallError::Timeout(_) => Code::UpstreamTimeout,
            CallError::Connect(_) | CallError::Transport(_) | CallError::TooLarge(_) => {
                Code::UpstreamError
            }
        };
        tracing::warn!(upstream = %self.name, error = %e, "upstream call failed");
        let mut p = Problem::new(code, format!("upstream {}: {e}", self.name));
        p.upstream = Some(Box::new(self.info()));
        p
    }

    fn answer(&self, reply: Reply, spec: &mapping::Operation) -> Result<Answer, Problem> {
        let status = reply.status.as_u16();
        let success = (200..300).contains(&status);
        if let (true, false, Some((keys, reader))) = (
            success,
            reply.body.is_empty(),
            self.dialect.webhook_reader(spec),
        ) {
            // The usual success: the webhook is read as the answer is parsed. Anything else
            // (not JSON, a failure flag, a repeated key) is looked at whole below.
            if let Ok((body, item)) = json::from_slice_lenient_at(&reply.body, keys, reader) {
                let settled = !matches!(item, Some(Item::Ambiguous));
                if settled && !self.dialect.errors.is_failure(status, &body) {
                    return Ok(Answer { body, item });
                }
            }
        }
        let parsed = if reply.body.is_empty() {
            None
        } else {
            json::from_slice_lenient(&reply.body).ok()
        };
        let parsed = match parsed {
            Some(body) if !self.dialect.errors.is_failure(status, &body) => {
                return Ok(Answer { body, item: None });
            }
            None if success && reply.body.is_empty() => {
                return Ok(Answer {
                    body: Value::Null,
                    item: None,
                });
            }
            None if success => {
                let mut p = self.malformed("a success whose body is not JSON");
                if let Some(up) = &mut p.upstream {
                    up.status = Some(status);
                }
                return Err(p);
            }
            failed => failed,
        };
        let header = |name: &str| reply.headers.get(name).and_then(|v| v.to_str().ok());
        let failure = Failure {
            status,
            body: parsed.as_ref(),
            header_request_id: header("x-request-id"),
            retry_after: header("retry-after"),
        };
        Err(self
            .dialect
            .errors
            .read(&failure, &self.dialect.webhook, self.info()))
    }
}

/// Whether a vendor request may be sent again after a failure: an idempotent method (RFC 9110
/// §9.2.2), or a create the vendor can recognise by the client's Idempotency-Key.
fn repeatable(method: &http::Method, call: &Call) -> bool {
    method.is_idempotent() || call.idempotency_key.is_some()
}

/// A vendor's answer: its body and, when the webhook was read while the body was parsed, what
/// was found there (the body then holds a `null` in its place).
struct Answer {
    body: Value,
    item: Option<Item>,
}

/// Query values escape everything but unreserved characters.
const QUERY: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
