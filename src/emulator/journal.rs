//! The request journal of an emulator: what the code under test sent to the vendor's API and
//! what it was answered, kept in a bounded ring for a test to assert on. Credentials and
//! webhook secrets never enter it: they are redacted as each request is recorded.
//!
//! A body's secrets are the members the mapping file says hold one (the webhook's `secret`,
//! its custom headers' values, a rotation's chosen secret), found by their paths, and the
//! members whose own name says credential (`oauth_client_secret`, `password`) that the vendor's
//! answers never show: a member beside the secret inside an object whose name says secret (the
//! algorithm of a `signing_secret` object) is no secret, and is shown, as is one the vendor
//! answers (a `secret_label`).

use crate::mapping::Dialect;
use crate::mapping::json_path::{FieldPath, Step};
use crate::mapping::model::CredentialPlace;
use crate::mapping::rules::ObjectMap;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::SystemTime;

/// How many requests a journal keeps when not told: the oldest go first.
pub const DEFAULT_LIMIT: usize = 1_000;

/// What replaces a secret.
const REDACTED: &str = "[redacted]";

/// One request to the vendor's API.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Its place in the journal: 1, 2, 3 … from the emulator's start (or last reset).
    pub seq: u64,
    /// When it was received, by the system clock (RFC 3339).
    pub at: String,
    /// The HTTP method.
    pub method: String,
    /// The path as sent, without the query.
    pub path: String,
    /// The query string, its credentials redacted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The canonical operation its route carries out (`none`: no route of the vendor's).
    pub operation: &'static str,
    /// The headers, names in lower case, credentials redacted.
    pub headers: Map<String, Value>,
    /// The body: JSON as sent, a form as the object it encodes (secrets and custom header
    /// values redacted in both), other text as a string, `null` when empty.
    pub body: Value,
    /// The status answered; `null` when the connection was dropped.
    pub status: Option<u16>,
    /// The injected fault that decided the answer: `script` or `random`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<&'static str>,
    /// Injected latency, when there was some.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
}

/// A request about to be recorded, before redaction.
pub struct Request<'a> {
    /// The HTTP method.
    pub method: &'a http::Method,
    /// The URI as sent, path and query.
    pub uri: &'a http::Uri,
    /// The headers as sent.
    pub headers: &'a http::HeaderMap,
    /// The body as sent.
    pub body: &'a [u8],
    /// The canonical operation its route carries out (`none`: no route of the vendor's).
    pub operation: &'static str,
    /// The status answered; `None` when none was: the connection was dropped, or the client
    /// went away first.
    pub status: Option<u16>,
    /// The injected fault that decided the answer: `script` or `random`.
    pub fault: Option<&'static str>,
    /// Injected latency in milliseconds; 0 for none.
    pub latency_ms: u64,
}

/// Which entries a reader wants; every given filter must hold.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// The method, in any case.
    pub method: Option<String>,
    /// A prefix of the path.
    pub path: Option<String>,
    /// The operation.
    pub operation: Option<String>,
    /// A status (`404`) or a class (`4xx`).
    pub status: Option<String>,
    /// Entries after this sequence number.
    pub since: Option<u64>,
}

impl Filter {
    /// A filter from a query string's parameters; an unknown parameter or a value that does not
    /// parse is named.
    pub fn parse(pairs: &[(String, String)]) -> Result<Filter, crate::problem::FieldError> {
        use crate::problem::FieldError;
        let mut filter = Filter::default();
        for (key, value) in pairs {
            match key.as_str() {
                "method" => filter.method = Some(value.clone()),
                "path" => filter.path = Some(value.clone()),
                "operation" => filter.operation = Some(value.clone()),
                "status" => {
                    let class = value.len() == 3
                        && value.as_bytes()[0].is_ascii_digit()
                        && (value[1..].eq_ignore_ascii_case("xx")
                            || value.bytes().all(|b| b.is_ascii_digit()));
                    if !class {
                        return Err(FieldError::new(
                            "status",
                            "expected a status (404) or a class (4xx)",
                        ));
                    }
                    filter.status = Some(value.to_ascii_lowercase());
                }
                "since" => {
                    let seq = value.parse::<u64>().map_err(|_| {
                        FieldError::new("since", "expected a sequence number (an entry's seq)")
                    })?;
                    filter.since = Some(seq);
                }
                other => {
                    return Err(FieldError::new(
                        other,
                        "unknown filter: expected method, path, operation, status or since",
                    ));
                }
            }
        }
        Ok(filter)
    }

    fn admits(&self, e: &Stored) -> bool {
        let entry = &e.entry;
        self.method
            .as_ref()
            .is_none_or(|m| m.eq_ignore_ascii_case(&entry.method))
            && self
                .path
                .as_ref()
                .is_none_or(|p| entry.path.starts_with(p.as_str()))
            && self.operation.as_ref().is_none_or(|o| o == entry.operation)
            && self.status.as_ref().is_none_or(|s| {
                let status = entry.status.map(|s| s.to_string()).unwrap_or_default();
                match s.strip_suffix("xx") {
                    Some(class) => status.starts_with(class),
                    None => status == *s,
                }
            })
            && self.since.is_none_or(|seq| entry.seq > seq)
    }
}

struct Stored {
    entry: Entry,
}

struct Inner {
    entries: VecDeque<Stored>,
    next_seq: u64,
    limit: usize,
}

/// The journal of one emulator.
pub struct Journal {
    inner: Mutex<Inner>,
    /// The vendor's names of members that hold a secret or custom header values, for text
    /// that cannot be read as a body.
    secret_members: Vec<String>,
    /// Where the vendor's bodies hold a secret or custom header values, as the keys that lead
    /// to it ([`secret_paths`]).
    secret_paths: Vec<Vec<String>>,
    /// Where the vendor's answers show a member ([`shown_paths`]): a member named as a
    /// credential is redacted unless it lies at one of them.
    shown_paths: Vec<Vec<String>>,
    /// The headers the dialect's clients send their credential in (each part of it), where
    /// they are the vendor's own: redacted whatever their names say.
    credential: Vec<http::HeaderName>,
    /// The query parameters they send it in, for a vendor that takes it there.
    credential_params: Vec<String>,
}

impl Journal {
    /// An empty journal of at most `limit` entries, for the vendor of `dialect`.
    pub fn new(dialect: &Dialect, limit: usize) -> Journal {
        let mut secret_members = Vec::new();
        let maps = std::iter::once(&dialect.webhook).chain(
            (dialect.resources.iter()).flat_map(|r| std::iter::once(&r.fields).chain(&r.in_create)),
        );
        for map in maps {
            collect_secret_members(map, &mut secret_members);
        }
        let secret_paths = secret_paths(dialect);
        let shown_paths = shown_paths(dialect);
        Journal {
            inner: Mutex::new(Inner {
                entries: VecDeque::new(),
                next_seq: 1,
                limit: limit.max(1),
            }),
            secret_members,
            secret_paths,
            shown_paths,
            credential: dialect
                .credential_places()
                .filter_map(|place| match place {
                    CredentialPlace::Header(name) => Some(name.clone()),
                    CredentialPlace::Query(_) => None,
                })
                .collect(),
            credential_params: dialect
                .credential_places()
                .filter_map(|place| match place {
                    CredentialPlace::Query(name) => Some(name.to_owned()),
                    CredentialPlace::Header(_) => None,
                })
                .collect(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Every change is one push or pop: a panic elsewhere leaves nothing half-written.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records one request, redacted.
    pub fn record(&self, request: Request<'_>) {
        let received = SystemTime::now();
        let mut headers = Map::new();
        for (name, value) in request.headers {
            let text = String::from_utf8_lossy(value.as_bytes());
            let shown = match self.credential.contains(name) {
                true => REDACTED.to_owned(),
                false => redact_header(name.as_str(), &text),
            };
            match headers.get_mut(name.as_str()) {
                Some(Value::String(s)) => {
                    s.push_str(", ");
                    s.push_str(&shown);
                }
                _ => {
                    headers.insert(name.as_str().to_owned(), Value::from(shown));
                }
            }
        }
        // A form is shown as the object it encodes, so that its secrets are redacted too.
        let form = request
            .headers
            .get(http::header::CONTENT_TYPE)
            .is_some_and(|v| {
                v.as_bytes()
                    .to_ascii_lowercase()
                    .starts_with(b"application/x-www-form-urlencoded")
            });
        let body = if request.body.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else if form {
            // A form that cannot be read is not shown: it may hold a secret.
            match crate::form::decode(request.body) {
                Ok(members) => {
                    let mut members = Value::Object(members);
                    self.redact_body(&mut members);
                    members
                }
                Err(_) => Value::from("(a form that could not be read)"),
            }
        } else {
            match serde_json::from_slice::<Value>(request.body) {
                Ok(mut json) => {
                    self.redact_body(&mut json);
                    json
                }
                Err(_) => {
                    // Text that is no JSON is shown as it came, unless it may hold a secret (it
                    // names a member that holds one, or a credential): then, as an unreadable
                    // form, it is not shown at all.
                    let text = String::from_utf8_lossy(request.body);
                    match self.may_hold_secret(&text) {
                        true => Value::from(format!(
                            "(a body that could not be read, {} bytes, not shown: it may hold a secret)",
                            request.body.len()
                        )),
                        false => Value::from(text.into_owned()),
                    }
                }
            }
        };
        let mut inner = self.lock();
        let seq = inner.next_seq;
        inner.next_seq += 1;
        let entry = Entry {
            seq,
            at: humantime::format_rfc3339_millis(received).to_string(),
            method: request.method.to_string(),
            path: request.uri.path().to_owned(),
            query: request
                .uri
                .query()
                .map(|q| redact_query(q, &self.credential_params)),
            operation: request.operation,
            headers,
            body,
            status: request.status,
            fault: request.fault,
            latency_ms: (request.latency_ms > 0).then_some(request.latency_ms),
        };
        if inner.entries.len() >= inner.limit {
            inner.entries.pop_front();
        }
        inner.entries.push_back(Stored { entry });
    }

    /// The entries a filter admits, oldest first.
    pub fn entries(&self, filter: &Filter) -> Vec<Entry> {
        self.lock()
            .entries
            .iter()
            .filter(|e| filter.admits(e))
            .map(|e| e.entry.clone())
            .collect()
    }

    /// How many entries are kept.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether no entry is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every entry; sequence numbers go on, so a reader's `since` stays meaningful.
    pub fn clear(&self) {
        self.lock().entries.clear();
    }

    /// Forgets every entry and numbers from 1 again (a reset to the start state).
    pub fn reset(&self) {
        let mut inner = self.lock();
        inner.entries.clear();
        inner.next_seq = 1;
    }

    /// Keeps at most `limit` entries from now on.
    pub fn set_limit(&self, limit: usize) {
        let mut inner = self.lock();
        inner.limit = limit.max(1);
        while inner.entries.len() > inner.limit {
            inner.entries.pop_front();
        }
    }

    /// Whether unreadable text may hold a secret: it names a member that holds one, a
    /// credential's parameter, or has a word of a secret's name in it.
    fn may_hold_secret(&self, text: &str) -> bool {
        let lower = text.to_ascii_lowercase().replace('-', "_");
        let named = self.secret_members.iter().chain(&self.credential_params);
        named
            .into_iter()
            .any(|m| lower.contains(&m.to_ascii_lowercase()))
            || sensitive(&lower)
    }

    /// Redacts the secrets of a body: the values at the places the mapping says hold one,
    /// found at any depth (a body may hold the webhook in an envelope), and a credential's
    /// parameter sent in a body instead (a form that carries the key, as some clients send
    /// it). A body that is a secret alone (a resource read whole, `path = "$"`) is redacted
    /// where it is no object.
    fn redact_body(&self, value: &mut Value) {
        if !value.is_object() && self.secret_paths.iter().any(Vec::is_empty) {
            redact_all(value);
            return;
        }
        self.redact_within(value, &mut Vec::new());
    }

    /// Redacts what lies below `value`, reached by the keys `trail` (items of arrays passed
    /// through, as a secret's path held in a list is).
    fn redact_within(&self, value: &mut Value, trail: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    trail.push(key.clone());
                    let at = |paths: &[Vec<String>]| {
                        paths.iter().any(|p| !p.is_empty() && trail.ends_with(p))
                    };
                    // A member named as a credential that the vendor never shows (an OAuth
                    // client's secret, a password, one the mapping does not know) is taken
                    // for one; one it shows (a `secret_label`, a `token_url`) is not.
                    let named = sensitive(key) && !v.is_object() && !at(&self.shown_paths);
                    let secret = at(&self.secret_paths)
                        || named
                        || self.credential_params.iter().any(|c| c == key);
                    match secret {
                        true => redact_all(v),
                        false => self.redact_within(v, trail),
                    }
                    trail.pop();
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.redact_within(v, trail)),
            _ => {}
        }
    }
}

/// The keys that lead to every place the dialect's requests may hold a secret or custom
/// header values: each rule's for the webhook's `secret` and `headers` (its path, its aliases,
/// the place requests spell it, `write_as`), in the webhook and in each resource, and each
/// place an operation's or a resource's body puts a chosen secret (a rotation's `{{secret}}`).
/// Array indexes are left out: every item of such a list is held to it.
fn secret_paths(dialect: &Dialect) -> Vec<Vec<String>> {
    let keys = |path: &FieldPath| -> Vec<String> {
        (path.steps().iter())
            .filter_map(|s| match s {
                Step::Key(k) => Some(k.clone()),
                Step::Index(_) => None,
            })
            .collect()
    };
    let mut out: Vec<Vec<String>> = Vec::new();
    let maps = std::iter::once(&dialect.webhook).chain(
        (dialect.resources.iter()).flat_map(|r| std::iter::once(&r.fields).chain(&r.in_create)),
    );
    for map in maps {
        for rule in &map.rules {
            if rule.target.is("secret") || rule.target.is("headers") {
                out.extend(rule.path.iter().chain(&rule.aliases).map(keys));
            }
        }
    }
    let bodies = (dialect.operations.iter())
        .filter_map(|e| e.body.as_ref())
        .chain((dialect.resources.iter()).flat_map(|r| {
            [&r.get, &r.replace, &r.update]
                .into_iter()
                .flatten()
                .map(|e| &e.body)
        }));
    for body in bodies {
        for name in ["secret", "webhook.secret"] {
            out.extend(body.places_of(name, &[]).iter().map(keys));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The keys that lead to every place the vendor's answers show a member: each rule's that
/// answers carry, in the webhook and in each resource.
fn shown_paths(dialect: &Dialect) -> Vec<Vec<String>> {
    let maps =
        std::iter::once(&dialect.webhook).chain((dialect.resources.iter()).map(|r| &r.fields));
    let mut out: Vec<Vec<String>> = maps
        .flat_map(|map| map.rules.iter().filter(|r| r.response))
        .flat_map(|rule| rule.path.iter().chain(&rule.aliases))
        .filter_map(|path| path.keys())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The last key of the vendor path of every rule that holds the secret or custom headers.
fn collect_secret_members(map: &ObjectMap, out: &mut Vec<String>) {
    for rule in &map.rules {
        if !(rule.target.is("secret") || rule.target.is("headers")) {
            continue;
        }
        for path in rule.path.iter().chain(&rule.aliases) {
            if let Some(last) = path.keys().and_then(|k| k.last().cloned())
                && !out.contains(&last)
            {
                out.push(last);
            }
        }
    }
}

/// Whether a member's or parameter's name says it holds a credential.
fn sensitive(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace('-', "_");
    [
        "secret",
        "token",
        "password",
        "credential",
        "api_key",
        "apikey",
        "signature",
    ]
    .iter()
    .any(|s| n.contains(s))
}

/// Every string inside `value` redacted, except the names of header pairs (`key`, `name`).
fn redact_all(value: &mut Value) {
    match value {
        Value::String(s) => *s = REDACTED.to_owned(),
        Value::Array(items) => items.iter_mut().for_each(redact_all),
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if !(k == "key" || k == "name") {
                    redact_all(v);
                }
            }
        }
        _ => {}
    }
}

/// A header's value as the journal shows it: credentials redacted, the scheme of an
/// `Authorization` kept (a test may assert that a bearer token was sent).
fn redact_header(name: &str, value: &str) -> String {
    match name {
        "authorization" | "proxy-authorization" => match value.split_once(' ') {
            Some((scheme, _)) => format!("{scheme} {REDACTED}"),
            None => REDACTED.to_owned(),
        },
        "cookie" | "x-api-key" => REDACTED.to_owned(),
        n if sensitive(n) => REDACTED.to_owned(),
        _ => value.to_owned(),
    }
}

/// A query string with the values of credential-named parameters redacted, and of
/// `credential`, the parameters the dialect's clients send their credential in.
fn redact_query(query: &str, credential: &[String]) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if sensitive(key) || credential.iter().any(|c| c == key) => {
                format!("{key}={REDACTED}")
            }
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_credentials_and_secrets_but_keeps_the_rest() {
        assert_eq!(
            redact_header("authorization", "Bearer abc"),
            "Bearer [redacted]"
        );
        assert_eq!(redact_header("x-api-key", "abc"), "[redacted]");
        assert_eq!(redact_header("x-webhook-token", "abc"), "[redacted]");
        assert_eq!(redact_header("idempotency-key", "k1"), "k1");
        assert_eq!(
            redact_query("limit=2&api_key=s&cursor=x", &[]),
            "limit=2&api_key=[redacted]&cursor=x"
        );
        let mut v = serde_json::json!({
            "url": "https://example.com",
            "webhook_secret": "shh",
            "custom_headers": [{"key": "X-A", "value": "v"}],
            "nested": {"signing_secret": {"value": "s"}}
        });
        redact_all(&mut v["custom_headers"]);
        assert_eq!(
            v["custom_headers"],
            serde_json::json!([{"key": "X-A", "value": "[redacted]"}])
        );
        assert!(sensitive("webhook_secret") && sensitive("X-Api-Key") && !sensitive("events"));
    }
}
