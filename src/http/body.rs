//! Bodies in and out: size-limited reads and JSON responses.

use super::inbound::IncomingError;
use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use serde::Serialize;
use std::time::Duration;

/// The body type of every response hookgate writes.
pub type Body = Full<Bytes>;

/// How much of a request body hookgate reads, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimit {
    /// The most body bytes read.
    pub bytes: usize,
    /// From the end of the request head to the last byte of its body: a client that trickles
    /// a body would otherwise hold its connection, and a place under the connection cap, for
    /// as long as it likes.
    pub time: Duration,
}

/// Why a request body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The body is larger than this many bytes.
    #[error("the body is larger than {0} bytes")]
    TooLarge(usize),
    /// The body was not received whole within this time.
    #[error("the body was not received within {} ms", .0.as_millis())]
    TooSlow(Duration),
    /// The connection failed while the body was read, for the reason given.
    #[error("the body could not be read: {0}")]
    Broken(String),
}

/// A request body the gateway can read whole: a connection's, or one already read (an
/// emulator reads it first, for its journal).
pub trait RequestBody:
    hyper::body::Body<Data = Bytes, Error: std::error::Error + Send + Sync + 'static>
{
}

impl<B> RequestBody for B where
    B: hyper::body::Body<Data = Bytes, Error: std::error::Error + Send + Sync + 'static>
{
}

/// Reads a whole body, refusing one larger than `limit.bytes` (Content-Length or chunked
/// alike) or slower than `limit.time`.
pub async fn read_limited<B>(body: B, limit: BodyLimit) -> Result<Bytes, ReadError>
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    if body.is_end_stream() {
        return Ok(Bytes::new()); // a request without a body: no timer to arm
    }
    let read = Limited::new(body, limit.bytes).collect();
    match tokio::time::timeout(limit.time, read).await {
        Err(_) => Err(ReadError::TooSlow(limit.time)),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e))
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Err(ReadError::TooLarge(limit.bytes))
        }
        Ok(Err(e)) => match e.downcast_ref::<IncomingError>() {
            // The connection's own limit, met before this one (a listener's may be lower).
            Some(IncomingError::TooLarge(n)) => Err(ReadError::TooLarge(*n)),
            _ => Err(ReadError::Broken(e.to_string())),
        },
    }
}

/// `application/json`, the media type of hookgate's JSON answers.
pub static JSON: HeaderValue = HeaderValue::from_static("application/json");
/// `application/problem+json`, the media type of problem answers.
pub static PROBLEM_JSON: HeaderValue = HeaderValue::from_static("application/problem+json");

/// A response with a JSON body.
pub fn json(status: u16, value: &impl Serialize, content_type: &HeaderValue) -> Response<Body> {
    // Room for a webhook or a problem at once, instead of growing from serde_json's 128 bytes.
    let mut json = Vec::with_capacity(512);
    crate::json::write(&mut json, value);
    bytes(status, Bytes::from(json), content_type)
}

/// A response with a body already serialised.
pub fn bytes(status: u16, bytes: Bytes, content_type: &HeaderValue) -> Response<Body> {
    let mut response = Response::new(Full::new(bytes));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, content_type.clone());
    response
}

/// A response with no body.
pub fn empty(status: u16) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::NO_CONTENT);
    response
}
