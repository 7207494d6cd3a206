//! A problem as an `application/problem+json` response: the one place where hookgate's own
//! error shape is written (vendor surfaces write theirs through their mapping files).

use super::body::{self, Body};
use super::{edge, headers};
use crate::problem::{Code, Problem};
use http::Response;

/// The answer to a request refused before it is routed (a head that cannot be read, framing
/// that cannot be followed, a limit or `Host` the edge refuses), and its record: the same
/// `hookgate::access` event and request count every routed request ends with, under the
/// surface `edge`, so that the request id the client is given is found in the log. `method`
/// and `path` as far as the head told them (`-` where it did not).
pub fn refused_at_edge(
    status: u16,
    answer: Response<Body>,
    request_id: &str,
    (method, path): (&str, &str),
) -> Response<Body> {
    crate::metrics::get().request("edge", "", "none", status);
    tracing::info!(
        target: "hookgate::access",
        method,
        path,
        surface = "edge",
        operation = "none",
        upstream = "",
        status,
        duration_ms = 0.0,
        request_id,
        "request"
    );
    answer
}

/// The problem's response, with `X-Request-Id`, `Allow` and `Retry-After` where they apply. A
/// refused body may be left unread, so a 413 closes the connection.
pub fn problem(problem: &Problem, request_id: &str) -> Response<Body> {
    // Written straight from the problem, without building a JSON tree first.
    let mut json = Vec::with_capacity(512);
    problem.write(request_id, &mut json);
    let mut response = body::bytes(problem.status(), json.into(), &body::PROBLEM_JSON);
    let h = response.headers_mut();
    if let Some(v) = headers::value(request_id) {
        h.insert(headers::X_REQUEST_ID.clone(), v);
    }
    if let Some(v) = problem.allow.as_deref().and_then(headers::value) {
        h.insert(http::header::ALLOW, v);
    }
    if let Some(v) = problem.retry_after.as_deref().and_then(headers::value) {
        h.insert(http::header::RETRY_AFTER, v);
    }
    if problem.code == Code::PayloadTooLarge {
        return edge::close(response);
    }
    response
}
