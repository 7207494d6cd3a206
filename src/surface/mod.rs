//! Surfaces turn HTTP into canonical operations and outcomes back into HTTP: the canonical API
//! ([`canonical`]) and any vendor's own API ([`vendor`]), which is the emulator when it fronts
//! a store and the drop-in mode when it fronts an upstream.

pub mod canonical;
pub mod relay;
pub mod vendor;

use crate::http::body::{self, Body, BodyLimit};
use crate::problem::Problem;
use bytes::Bytes;
use http::Request;
use hyper::body::Incoming;
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

/// Splits a request path into percent-decoded segments; `None` when one is not UTF-8.
pub fn segments(path: &str) -> Option<Vec<String>> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            if !s.contains('%') {
                return Some(s.to_owned()); // the common case: nothing to decode
            }
            percent_decode_str(s)
                .decode_utf8()
                .ok()
                .map(|c| c.into_owned())
        })
        .collect()
}

/// Reads a JSON object body, within `limit`.
pub async fn read_object(
    request: Request<Incoming>,
    limit: BodyLimit,
) -> Result<Option<Map<String, Value>>, Problem> {
    object(&read_bytes(request, limit).await?)
}

/// Reads a whole body, within `limit`. A body cut short by its time limit is answered with
/// 400; hyper then closes the connection, since the rest of the body was never read.
pub async fn read_bytes(request: Request<Incoming>, limit: BodyLimit) -> Result<Bytes, Problem> {
    body::read_limited(request.into_body(), limit)
        .await
        .map_err(|e| match e {
            body::ReadError::TooLarge(_) => {
                Problem::new(crate::problem::Code::PayloadTooLarge, e.to_string())
            }
            body::ReadError::TooSlow(_) | body::ReadError::Broken(_) => {
                Problem::bad_request(e.to_string())
            }
        })
}

/// A body as a JSON object; `None` when it is empty.
pub fn object(bytes: &[u8]) -> Result<Option<Map<String, Value>>, Problem> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    match crate::http::json::from_slice(bytes) {
        Ok(Value::Object(map)) => Ok(Some(map)),
        Ok(_) => Err(Problem::bad_request("the body must be a JSON object")),
        Err(e) => Err(Problem::bad_request(format!(
            "the body is not valid JSON: {e}"
        ))),
    }
}

/// A parsed query string's `limit` and `cursor`-like parameters, by name.
pub fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let decode = |s: &str| {
                percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(k), decode(v))
        })
        .collect()
}

/// The OpenAPI 3.1 description of the canonical API, served at `/openapi.json`.
pub const OPENAPI_JSON: &str = include_str!("../../openapi/hookgate.json");

/// Responses every listener shares: liveness and readiness. Like every other resource they
/// answer `GET` and `HEAD`, refuse other methods with 405, and carry the request id.
pub fn health(request: &Request<Incoming>, request_id: &str) -> Option<http::Response<Body>> {
    match request.uri().path() {
        "/healthz" | "/readyz" => Some(read_only(request, request_id, || {
            body::json(200, &serde_json::json!({"status": "ok"}), &body::JSON)
        })),
        _ => None,
    }
}

/// `GET /openapi.json` on the main listener.
pub fn openapi(request: &Request<Incoming>, request_id: &str) -> Option<http::Response<Body>> {
    (request.uri().path() == "/openapi.json").then(|| {
        read_only(request, request_id, || {
            body::bytes(
                200,
                bytes::Bytes::from_static(OPENAPI_JSON.as_bytes()),
                &body::JSON,
            )
        })
    })
}

/// A resource that only answers `GET` and `HEAD`.
fn read_only(
    request: &Request<Incoming>,
    request_id: &str,
    answer: impl FnOnce() -> http::Response<Body>,
) -> http::Response<Body> {
    let mut response = match *request.method() {
        http::Method::GET | http::Method::HEAD => answer(),
        _ => return Problem::method_not_allowed(&["GET", "HEAD"]).response(request_id),
    };
    if let Some(v) = crate::http::headers::value(request_id) {
        response
            .headers_mut()
            .insert(crate::http::headers::X_REQUEST_ID.clone(), v);
    }
    response
}
