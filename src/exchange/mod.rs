//! What crosses between hookgate and a vendor: one request as the planner lays it out, and one
//! reply as the vendor gave it. Plain values, so that planning is pure and any transport (the
//! HTTP client, a preview's script, a test) can carry them.

mod fields;

pub use fields::Fields;

use bytes::Bytes;
use http::{Method, StatusCode};
use serde_json::Value;
use std::time::{Duration, SystemTime};

/// Why a request is made, for previews and notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A read made first, whose answer the next request depends on.
    Read,
    /// The operation's own request.
    Write,
    /// A call made after the operation's own, to complete what it answers.
    FollowUp,
}

impl Purpose {
    /// The purpose's name in previews.
    pub fn name(self) -> &'static str {
        match self {
            Purpose::Read => "read",
            Purpose::Write => "request",
            Purpose::FollowUp => "then",
        }
    }
}

/// One vendor request, laid out and not yet sent.
#[derive(Debug, Clone)]
pub struct VendorRequest {
    /// The HTTP method.
    pub method: Method,
    /// The dialect's base path, the operation's path with owner and id, and the query: the
    /// transport puts the upstream's base URL before it.
    pub path: String,
    /// Header fields the operation itself sends (the owner, where the vendor takes it in a
    /// header), besides those every request of the upstream carries.
    pub headers: Vec<(http::HeaderName, http::HeaderValue)>,
    /// The JSON body, if any.
    pub body: Option<Value>,
    /// The body's media type, where the operation's is not the dialect's.
    pub content_type: Option<http::HeaderValue>,
    /// Why it is made.
    pub purpose: Purpose,
    /// Whether sending it again after a failure cannot do harm: an idempotent method, or a
    /// create the vendor recognises by its idempotency key.
    pub repeatable: bool,
    /// What the request is, in words (`get`, `resource headers: replace`).
    pub label: String,
}

/// A vendor's answer, read whole.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The status.
    pub status: StatusCode,
    /// The header fields, looked up where they lie in the answer's head.
    pub headers: Fields,
    /// The body.
    pub body: Bytes,
}

impl Reply {
    /// The vendor's `Retry-After`, when it has one of its two forms: only such a value asks
    /// for a wait, and only such a value is passed on to the client.
    pub fn retry_after(&self) -> Option<&str> {
        self.headers
            .text("retry-after")
            .filter(|v| retry_after(Some(v), SystemTime::UNIX_EPOCH).is_some())
    }
}

/// How long a `Retry-After` value asks to wait (RFC 9110 §10.2.3): delta-seconds, or an HTTP
/// date in any of its three forms, measured against `now`; a date already past asks for no
/// wait. A value of neither form is `None`.
pub fn retry_after(value: Option<&str>, now: SystemTime) -> Option<Duration> {
    let value = value?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Delta-seconds beyond u64 still mean "longer than any deadline".
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}
