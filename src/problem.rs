//! RFC 9457 problem details: the one error value of hookgate, whoever caused it.
//!
//! Every failure, hookgate's own or a vendor's translated one, becomes a [`Problem`] with a
//! [`Code`] from the closed set of the canonical API. The value is pure: the gateway turns it
//! into an `application/problem+json` response, or a vendor surface into its vendor's shape,
//! each in one place.

use crate::json;
use serde::Serialize;
use serde_json::{Map, Value};
use std::fmt;

/// Secrets shorter than this are taken out of a text only where they stand as a word of their
/// own ([`redact`]).
pub const SHORT_SECRET: usize = 6;

/// `text` with every occurrence of `secret` replaced by `[redacted]`; `None` where it holds
/// none. A secret shorter than [`SHORT_SECRET`] bytes (a test's token, a short PIN) is taken
/// out only where no letter, digit or `_` touches it on either side (`key=abc12&`, `bad key
/// abc12`): inside a longer word it is most likely part of the word, not the secret, and taking
/// it out would make the text unreadable without hiding anything.
pub fn redact(text: &str, secret: &str) -> Option<String> {
    // Most texts hold no secret: looked for first the cheap way, without the searcher
    // `match_indices` sets up.
    if secret.is_empty() || !text.contains(secret) {
        return None;
    }
    let bytes = text.as_bytes();
    let word = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
    let short = secret.len() < SHORT_SECRET;
    let stands_alone = |at: usize| {
        !short
            || !(word(at.checked_sub(1).and_then(|i| bytes.get(i)))
                || word(bytes.get(at + secret.len())))
    };
    let mut found = text
        .match_indices(secret)
        .map(|(at, _)| at)
        .filter(|&at| stands_alone(at))
        .peekable();
    found.peek()?;
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for at in found {
        out.push_str(&text[from..at]);
        out.push_str("[redacted]");
        from = at + secret.len();
    }
    out.push_str(&text[from..]);
    Some(out)
}

/// `text` with every one of `secrets` taken out as [`redact`] takes it; whether any was.
pub fn redact_all(text: &mut String, secrets: &[impl AsRef<str>]) -> bool {
    let mut held = false;
    for secret in secrets {
        if let Some(redacted) = redact(text, secret.as_ref()) {
            *text = redacted;
            held = true;
        }
    }
    held
}

/// The closed set of problem codes (contract §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// 400: the request is malformed (bad JSON, a bad path segment or query).
    BadRequest,
    /// 401: no valid API key, or the vendor refused hookgate's credential.
    Unauthorized,
    /// 403: the key lacks the scope or the upstream, or the vendor forbids the call.
    Forbidden,
    /// 404: no such route, upstream or webhook.
    NotFound,
    /// 405: the resource does not take this method (with `Allow`).
    MethodNotAllowed,
    /// 409: the write conflicts with the webhook's state.
    Conflict,
    /// 410: the vendor reports the webhook as gone.
    Gone,
    /// 413: the request body is larger than `limits.max_body_bytes`.
    PayloadTooLarge,
    /// 415: the request body is not declared as JSON.
    UnsupportedMediaType,
    /// 422: unknown, read-only or ill-typed fields, or a constraint the mapping or the vendor
    /// declares.
    ValidationFailed,
    /// 422: a field the upstream cannot carry (dropped instead under `Prefer: handling=lenient`).
    UnsupportedField,
    /// 429: the vendor says there are too many requests.
    RateLimited,
    /// 500: hookgate failed on its own.
    Internal,
    /// 501: the upstream's dialect has no such operation.
    UnsupportedOperation,
    /// 502: the vendor failed or answered something hookgate could not translate.
    UpstreamError,
    /// 503: the vendor is unreachable, its breaker is open, or too many calls are in flight.
    UpstreamUnavailable,
    /// 504: the vendor did not answer within the deadline.
    UpstreamTimeout,
}

impl Code {
    /// Every code, in the contract's order.
    pub const ALL: [Code; 17] = [
        Code::BadRequest,
        Code::Unauthorized,
        Code::Forbidden,
        Code::NotFound,
        Code::MethodNotAllowed,
        Code::Conflict,
        Code::Gone,
        Code::PayloadTooLarge,
        Code::UnsupportedMediaType,
        Code::ValidationFailed,
        Code::UnsupportedField,
        Code::RateLimited,
        Code::Internal,
        Code::UnsupportedOperation,
        Code::UpstreamError,
        Code::UpstreamUnavailable,
        Code::UpstreamTimeout,
    ];

    /// The code as written in a problem's `code` member, e.g. `validation_failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::BadRequest => "bad_request",
            Code::Unauthorized => "unauthorized",
            Code::Forbidden => "forbidden",
            Code::NotFound => "not_found",
            Code::MethodNotAllowed => "method_not_allowed",
            Code::Conflict => "conflict",
            Code::Gone => "gone",
            Code::PayloadTooLarge => "payload_too_large",
            Code::UnsupportedMediaType => "unsupported_media_type",
            Code::ValidationFailed => "validation_failed",
            Code::UnsupportedField => "unsupported_field",
            Code::RateLimited => "rate_limited",
            Code::Internal => "internal",
            Code::UnsupportedOperation => "unsupported_operation",
            Code::UpstreamError => "upstream_error",
            Code::UpstreamUnavailable => "upstream_unavailable",
            Code::UpstreamTimeout => "upstream_timeout",
        }
    }

    /// The code written as `name` ([`Code::as_str`]), if any.
    pub fn parse(name: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// The HTTP status the code is answered with.
    pub fn status(self) -> u16 {
        match self {
            Code::BadRequest => 400,
            Code::Unauthorized => 401,
            Code::Forbidden => 403,
            Code::NotFound => 404,
            Code::MethodNotAllowed => 405,
            Code::Conflict => 409,
            Code::Gone => 410,
            Code::PayloadTooLarge => 413,
            Code::UnsupportedMediaType => 415,
            Code::ValidationFailed | Code::UnsupportedField => 422,
            Code::RateLimited => 429,
            Code::Internal => 500,
            Code::UnsupportedOperation => 501,
            Code::UpstreamError => 502,
            Code::UpstreamUnavailable => 503,
            Code::UpstreamTimeout => 504,
        }
    }

    /// The problem's `title`: a short human-readable summary of the code.
    pub fn title(self) -> &'static str {
        match self {
            Code::BadRequest => "Bad request",
            Code::Unauthorized => "Unauthorized",
            Code::Forbidden => "Forbidden",
            Code::NotFound => "Not found",
            Code::MethodNotAllowed => "Method not allowed",
            Code::Conflict => "Conflict",
            Code::Gone => "Gone",
            Code::PayloadTooLarge => "Payload too large",
            Code::UnsupportedMediaType => "Unsupported media type",
            Code::ValidationFailed => "Validation failed",
            Code::UnsupportedField => "Unsupported field",
            Code::RateLimited => "Rate limited",
            Code::Internal => "Internal error",
            Code::UnsupportedOperation => "Unsupported operation",
            Code::UpstreamError => "Upstream error",
            Code::UpstreamUnavailable => "Upstream unavailable",
            Code::UpstreamTimeout => "Upstream timeout",
        }
    }

    /// The canonical meaning of a vendor's HTTP status, by class where no code says more.
    pub fn from_upstream_status(status: u16) -> Code {
        match status {
            400 => Code::BadRequest,
            401 => Code::Unauthorized,
            403 => Code::Forbidden,
            404 => Code::NotFound,
            405 => Code::MethodNotAllowed,
            409 => Code::Conflict,
            410 => Code::Gone,
            413 => Code::PayloadTooLarge,
            415 => Code::UnsupportedMediaType,
            422 => Code::ValidationFailed,
            429 => Code::RateLimited,
            503 => Code::UpstreamUnavailable,
            504 => Code::UpstreamTimeout,
            s if (400..500).contains(&s) => Code::BadRequest,
            _ => Code::UpstreamError,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One field-level error, under the canonical field name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The canonical field's name, e.g. `url` or `events`; empty for the body as a whole.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
    /// Where the field is: the request body, the query string or a header field. Vendors
    /// whose validation errors locate a field (`["query", "limit"]`) spell it; the canonical
    /// API names fields of the body alone.
    #[serde(skip)]
    pub place: Place,
}

/// Where a field error's field is in the request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Place {
    /// A member of the body, or the body itself.
    #[default]
    Body,
    /// A parameter of the query string.
    Query,
    /// A header field.
    Header,
}

impl Place {
    /// The word for it in a vendor's error locations (`{{in}}`).
    pub fn as_str(self) -> &'static str {
        match self {
            Place::Body => "body",
            Place::Query => "query",
            Place::Header => "header",
        }
    }
}

impl FieldError {
    /// A field error of `field` saying `message`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
            place: Place::Body,
        }
    }

    /// A field error of the query parameter `param`.
    pub fn in_query(param: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            place: Place::Query,
            ..FieldError::new(param, message)
        }
    }

    /// A field error of the header field `name`.
    pub fn in_header(name: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            place: Place::Header,
            ..FieldError::new(name, message)
        }
    }

    /// An error of the body as a whole (one that cannot be read as the object it must be).
    pub fn of_body(message: impl Into<String>) -> Self {
        FieldError::new("", message)
    }
}

/// What the vendor said, kept verbatim beside the canonical problem.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UpstreamInfo {
    /// The upstream's configured name.
    pub name: String,
    /// The dialect the upstream speaks.
    pub dialect: String,
    /// The vendor's HTTP status; absent when it gave no answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The vendor's own error code, when its error envelope has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The vendor's own error message, when its error envelope has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The vendor's request id, when it sent one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// A problem, before it is given a request id and rendered.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// What went wrong, in the canonical API's closed set.
    pub code: Code,
    /// A human-readable explanation of this occurrence.
    pub detail: String,
    /// Field-level errors, under canonical field names; empty when none.
    pub errors: Vec<FieldError>,
    /// What the vendor said, when the problem came from an upstream.
    pub upstream: Option<Box<UpstreamInfo>>,
    /// `Allow` for 405 (boxed text: a problem is passed by value, and most have none).
    pub allow: Option<Box<str>>,
    /// `Retry-After` for 429 and 503, when known.
    pub retry_after: Option<String>,
    /// The upstream answered something hookgate could not translate (counted in metrics).
    pub untranslatable: bool,
    /// Where a create or a rotation was made and a later call of the same request failed: the
    /// webhook as far as the answers read before the failure told (its id, a secret minted for
    /// the client, which no later read shows), answered as `webhook`. Boxed: most problems
    /// have none.
    pub made: Option<Box<Map<String, Value>>>,
    /// The request changed something at the vendor before it failed (the detail says what):
    /// run again, it would change it twice.
    pub changed: bool,
    /// What the detail says was changed (`the change was made at upstream u; …`), in brackets
    /// at its end ([`Problem::after_change`]): said again wherever the detail is worded anew
    /// ([`Problem::detail_naming`]), so that no API's words for the problem leave it out.
    /// Boxed, as `made` is: most problems have none.
    pub change_made: Option<Box<String>>,
    /// The request was on its way to the vendor, which gave no answer that could be read (no
    /// answer within the deadline, a connection broken during the exchange, an answer too
    /// large): whether it changed anything there is not known.
    pub outcome_unknown: bool,
    /// A 401 for a request that presents no credential at all, rather than one that is not
    /// valid: a vendor may answer the two apart.
    pub credential_missing: bool,
    /// The status the problem is answered with where it is not its code's: the vendor's own,
    /// for a refusal a surface relays from a vendor of its own dialect in that vendor's shape
    /// (its body no JSON), since its client reads the vendor's status as the vendor gave it.
    pub relayed_status: Option<http::StatusCode>,
}

impl Problem {
    /// A problem of `code` with `detail` and nothing more.
    pub fn new(code: Code, detail: impl Into<String>) -> Self {
        Problem {
            code,
            detail: detail.into(),
            errors: Vec::new(),
            upstream: None,
            allow: None,
            retry_after: None,
            untranslatable: false,
            made: None,
            changed: false,
            change_made: None,
            outcome_unknown: false,
            credential_missing: false,
            relayed_status: None,
        }
    }

    /// A 401 for a request without the credential `detail` names: none presented, as opposed
    /// to one refused.
    pub fn credential_missing(detail: impl Into<String>) -> Self {
        Problem {
            credential_missing: true,
            ..Problem::new(Code::Unauthorized, detail)
        }
    }

    /// Whether the problem says the request made something at the vendor before it failed: a
    /// retry of it is then no safer than a second request.
    pub fn says_made(&self) -> bool {
        self.changed || self.made.is_some()
    }

    /// A 422 listing field errors; the detail summarises them.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        Problem::with_errors(Code::ValidationFailed, errors)
    }

    /// A problem of `code` listing field errors; the detail summarises them.
    pub fn with_errors(code: Code, errors: Vec<FieldError>) -> Self {
        let mut problem = Problem::new(code, summarise(&errors));
        problem.errors = errors;
        problem
    }

    /// A 400 with `detail`.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Problem::new(Code::BadRequest, detail)
    }

    /// A 404 with `detail`.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Problem::new(Code::NotFound, detail)
    }

    /// A 500 with `detail`.
    pub fn internal(detail: impl Into<String>) -> Self {
        Problem::new(Code::Internal, detail)
    }

    /// A 405 whose `Allow` header lists `allow`.
    pub fn method_not_allowed(allow: &[&str]) -> Self {
        let mut problem = Problem::new(
            Code::MethodNotAllowed,
            "method not allowed on this resource",
        );
        problem.allow = Some(allow.join(", ").into());
        problem
    }

    /// The problem of a request that changed something at the vendor before it failed, saying
    /// what (`what`) after its detail: a client that sends the request again would change it
    /// twice.
    pub fn after_change(mut self, what: String) -> Problem {
        self.detail = format!("{} ({what})", self.detail);
        self.changed = true;
        self.change_made = Some(Box::new(what));
        self
    }

    /// The problem of a request whose change the vendor may or may not have made (its answer
    /// says neither), saying so (`what`) after its detail, as [`Problem::after_change`] says
    /// what was made: a client that sends the request again could change it twice.
    pub fn after_possible_change(mut self, what: String) -> Problem {
        self.detail = format!("{} ({what})", self.detail);
        self.outcome_unknown = true;
        self.change_made = Some(Box::new(what));
        self
    }

    /// The detail, naming the problem's fields as `errors` do (the same errors, named as
    /// another API names them): what it says around its errors' summary (which webhook, that
    /// nothing was changed, or what was) stands. A detail of other words (a vendor's own
    /// sentence) becomes the summary of `errors`, followed by what was changed, if anything.
    pub fn detail_naming(&self, errors: &[FieldError]) -> String {
        if errors.is_empty() {
            return self.detail.clone();
        }
        let now = summarise(errors);
        let was = summarise(&self.errors);
        if !was.is_empty() && self.detail.contains(&was) {
            return self.detail.replacen(&was, &now, 1);
        }
        match &self.change_made {
            Some(what) => format!("{now} ({what})"),
            None => now,
        }
    }

    /// The problem with `errors` in place of its field errors (the same, named otherwise), its
    /// detail naming them so ([`Problem::detail_naming`]).
    pub fn renamed(mut self, errors: Vec<FieldError>) -> Problem {
        self.detail = self.detail_naming(&errors);
        self.errors = errors;
        self
    }

    /// The HTTP status of the problem: its code's, or the vendor's where it is relayed as such
    /// (`relayed_status`).
    pub fn status(&self) -> u16 {
        (self.relayed_status).map_or_else(|| self.code.status(), |s| s.as_u16())
    }

    /// The problem with every occurrence of `secrets` in its texts replaced by `[redacted]`:
    /// a vendor whose error echoes the request must not carry its secrets into logs or
    /// answers, wherever in its error it echoes them (a message, a field's name, a code, a
    /// request id: every text the problem keeps of the vendor's).
    pub fn redacted(mut self, secrets: &[String]) -> Problem {
        let scrub = |text: &mut String| {
            redact_all(text, secrets);
        };
        scrub(&mut self.detail);
        if let Some(what) = self.change_made.as_mut() {
            scrub(what);
        }
        for e in &mut self.errors {
            scrub(&mut e.field);
            scrub(&mut e.message);
        }
        if let Some(u) = self.upstream.as_mut() {
            for text in [&mut u.code, &mut u.message, &mut u.request_id]
                .into_iter()
                .flatten()
            {
                scrub(text);
            }
        }
        self
    }

    /// The `application/problem+json` body.
    pub fn to_json(&self, request_id: &str) -> Value {
        let mut out = Vec::new();
        self.write(request_id, &mut out);
        json::from_slice(&out).unwrap_or(Value::Null)
    }

    /// Appends the `application/problem+json` body to `out`, members in the contract's order.
    /// Written member by member rather than through a serializer: a problem is a dozen short
    /// strings, and a serializer's set-up for each cost more than copying it (a serializer
    /// writes only the strings that need escapes).
    pub fn write(&self, request_id: &str, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"type\":\"https://hookgate.dev/problems/");
        // The code, dashed: `validation_failed` is `validation-failed`.
        out.extend(
            self.code
                .as_str()
                .bytes()
                .map(|b| if b == b'_' { b'-' } else { b }),
        );
        out.extend_from_slice(b"\",\"title\":");
        json::write_str(out, self.code.title());
        out.extend_from_slice(b",\"status\":");
        out.extend_from_slice(itoa::Buffer::new().format(self.status()).as_bytes());
        out.extend_from_slice(b",\"detail\":");
        json::write_str(out, &self.detail);
        out.extend_from_slice(b",\"code\":");
        json::write_str(out, self.code.as_str());
        for (i, e) in self.errors.iter().enumerate() {
            out.extend_from_slice(if i == 0 { b",\"errors\":[" } else { b"," });
            out.extend_from_slice(b"{\"field\":");
            json::write_str(out, &e.field);
            out.extend_from_slice(b",\"message\":");
            json::write_str(out, &e.message);
            out.push(b'}');
        }
        if !self.errors.is_empty() {
            out.push(b']');
        }
        out.extend_from_slice(b",\"request_id\":");
        json::write_str(out, request_id);
        if let Some(u) = &self.upstream {
            out.extend_from_slice(b",\"upstream\":{\"name\":");
            json::write_str(out, &u.name);
            out.extend_from_slice(b",\"dialect\":");
            json::write_str(out, &u.dialect);
            if let Some(status) = u.status {
                out.extend_from_slice(b",\"status\":");
                out.extend_from_slice(itoa::Buffer::new().format(status).as_bytes());
            }
            let texts = [
                ("code", &u.code),
                ("message", &u.message),
                ("request_id", &u.request_id),
            ];
            for (name, text) in texts {
                if let Some(text) = text {
                    out.push(b',');
                    json::write_plain_key(out, name);
                    json::write_str(out, text);
                }
            }
            out.push(b'}');
        }
        if let Some(made) = &self.made {
            out.extend_from_slice(b",\"webhook\":");
            json::write(out, made);
        }
        out.push(b'}');
    }
}

/// `field: message; field: message`, the detail of a problem with field errors (a message
/// that names its field already stands as it is: one about an item, `events[1]: …`, or a
/// vendor's own sentence, `url must use HTTPS`).
pub fn summarise(errors: &[FieldError]) -> String {
    let mut out = String::new();
    for (i, e) in errors.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        let names_field = e
            .message
            .strip_prefix(e.field.as_str())
            .is_some_and(|rest| rest.starts_with(['[', ' ', ':', '.']));
        if !names_field && !e.field.is_empty() {
            out.push_str(&e.field);
            out.push_str(": ");
        }
        out.push_str(&e.message);
    }
    out
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status(), self.detail)
    }
}

impl std::error::Error for Problem {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_secret_is_taken_out_where_it_stands_as_a_word() {
        let cases = [
            ("bad key abc12", "abc12", Some("bad key [redacted]")),
            ("key=abc12&x=1", "abc12", Some("key=[redacted]&x=1")),
            ("abc12", "abc12", Some("[redacted]")),
            ("xabc12 abc12y _abc12", "abc12", None),
            ("abc12abc12", "abc12", None),
            ("a-abc12-b", "abc12", Some("a-[redacted]-b")),
            // Six bytes and more: wherever it is.
            ("xsecret1y", "secret1", Some("x[redacted]y")),
            ("nothing here", "secret1", None),
            ("anything", "", None),
        ];
        for (text, secret, redacted) in cases {
            assert_eq!(
                redact(text, secret).as_deref(),
                redacted,
                "{text:?}, {secret:?}"
            );
        }
    }

    #[test]
    fn a_detail_worded_anew_keeps_what_it_says_around_its_errors() {
        let errors = |field: &str| vec![FieldError::new(field, "cannot be shown in this API")];
        let vendor = errors("isHookEnabled");
        // Which webhook, and that nothing was changed.
        let mut p = Problem::with_errors(Code::UpstreamError, errors("status"));
        p.detail = format!(
            "webhook w1 cannot be shown: {}; nothing was changed",
            p.detail
        );
        assert_eq!(
            p.detail_naming(&vendor),
            "webhook w1 cannot be shown: isHookEnabled: cannot be shown in this API; nothing was changed"
        );
        // What was changed before the failure, after the summary or a vendor's own sentence.
        let made = "the change was made at upstream am; reading it back failed";
        let p = Problem::with_errors(Code::UpstreamError, errors("status"))
            .after_change(made.to_owned());
        assert_eq!(
            p.detail_naming(&vendor),
            format!("isHookEnabled: cannot be shown in this API ({made})")
        );
        let mut p = Problem::with_errors(Code::ValidationFailed, errors("url"));
        p.detail = "Validation failed".into();
        let p = p
            .after_change(made.to_owned())
            .renamed(errors("webhook_url"));
        assert_eq!(
            p.detail,
            format!("webhook_url: cannot be shown in this API ({made})")
        );
        assert!(p.changed);
        // Nothing to name: the detail stands.
        let p = Problem::new(Code::NotFound, "gone");
        assert_eq!(p.detail_naming(&[]), "gone");
    }

    #[test]
    fn renders_the_contract_example() {
        let mut p = Problem::validation(vec![FieldError::new("url", "must use https")]);
        p.upstream = Some(Box::new(UpstreamInfo {
            name: "am".into(),
            dialect: "vendor".into(),
            status: Some(422),
            code: Some("VALIDATION_FAILED".into()),
            message: None,
            request_id: Some("r1".into()),
        }));
        let body = p.to_json("r1");
        assert_eq!(
            body["type"],
            "https://hookgate.dev/problems/validation-failed"
        );
        assert_eq!(body["detail"], "url: must use https");
        assert_eq!(body["upstream"]["code"], "VALIDATION_FAILED");
        assert!(body["upstream"].get("message").is_none());
    }

    #[test]
    fn writes_the_body_it_describes() {
        let mut p = Problem::with_errors(
            Code::UnsupportedField,
            vec![
                FieldError::new("enabled", "not supported"),
                FieldError::new("url", "must \"quote\""),
            ],
        );
        p.upstream = Some(Box::new(UpstreamInfo {
            name: "t".into(),
            dialect: "voice".into(),
            status: Some(422),
            ..UpstreamInfo::default()
        }));
        let mut written = Vec::new();
        p.write("r1", &mut written);
        let written = String::from_utf8(written).unwrap();
        assert_eq!(
            written,
            r#"{"type":"https://hookgate.dev/problems/unsupported-field","title":"Unsupported field","status":422,"detail":"enabled: not supported; url: must \"quote\"","code":"unsupported_field","errors":[{"field":"enabled","message":"not supported"},{"field":"url","message":"must \"quote\""}],"request_id":"r1","upstream":{"name":"t","dialect":"voice","status":422}}"#
        );
        assert_eq!(p.to_json("r1").to_string(), written);
        let plain = Problem::not_found("gone");
        assert_eq!(
            plain.to_json("r2").to_string(),
            r#"{"type":"https://hookgate.dev/problems/not-found","title":"Not found","status":404,"detail":"gone","code":"not_found","request_id":"r2"}"#
        );
    }

    /// Every code, with and without field errors and an upstream's words, with strings that
    /// need escapes and strings that do not: the body written is the JSON a serializer makes
    /// of the same members, in the same order.
    #[test]
    fn writes_what_a_serializer_would() {
        let texts = [
            "",
            "plain",
            "a \"quoted\" \\ back/slash",
            "line\nbreak\ttab\u{1}\u{1f}",
            "ünï \u{2028} 😀",
        ];
        for (n, code) in Code::ALL.into_iter().enumerate() {
            let text = |k: usize| texts[(n + k) % texts.len()].to_owned();
            let errors: Vec<FieldError> = (0..n % 3)
                .map(|k| FieldError::new(text(k), text(k + 1)))
                .collect();
            let mut p = Problem::with_errors(code, errors.clone());
            p.detail = text(2);
            let upstream = (n % 2 == 1).then(|| UpstreamInfo {
                name: text(0),
                dialect: text(1),
                status: (n % 4 == 1).then_some(400 + n as u16),
                code: (n % 3 != 0).then(|| text(2)),
                message: (n % 3 != 1).then(|| text(3)),
                request_id: (n % 5 != 0).then(|| text(4)),
            });
            p.upstream = upstream.clone().map(Box::new);
            let request_id = text(3);

            let mut expected = serde_json::Map::new();
            let type_uri = format!(
                "https://hookgate.dev/problems/{}",
                code.as_str().replace('_', "-")
            );
            expected.insert("type".into(), type_uri.into());
            expected.insert("title".into(), code.title().into());
            expected.insert("status".into(), p.status().into());
            expected.insert("detail".into(), p.detail.clone().into());
            expected.insert("code".into(), code.as_str().into());
            if !errors.is_empty() {
                expected.insert("errors".into(), serde_json::to_value(&errors).unwrap());
            }
            expected.insert("request_id".into(), request_id.clone().into());
            if let Some(u) = &upstream {
                expected.insert("upstream".into(), serde_json::to_value(u).unwrap());
            }
            let expected = serde_json::to_string(&expected).unwrap();

            let mut written = Vec::new();
            p.write(&request_id, &mut written);
            let parsed: Value = serde_json::from_slice(&written).expect("JSON text");
            assert_eq!(parsed.to_string(), expected, "{code:?}");
        }
    }

    #[test]
    fn every_code_round_trips_its_name() {
        for code in Code::ALL {
            assert_eq!(Code::parse(code.as_str()), Some(code));
        }
    }
}
