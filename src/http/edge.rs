//! The edge: what every request must satisfy before any handler reads it.
//!
//! hyper accepts some requests a proxy must not (architecture notes §4): HTTP/1.1 without
//! `Host`, both `Content-Length` and `Transfer-Encoding`, a repeated `Content-Length`. Each is
//! answered here with 400 and `Connection: close`, so that a request smuggled behind it on the
//! same connection is never read. A declared body over the limit is refused before it is read.

use crate::problem::{Code, Problem};
use http::{HeaderValue, Request, Response, Version, header};

/// Why a request is refused at the edge; `None` when it may proceed.
pub fn refuse<B>(request: &Request<B>, max_body: usize) -> Option<Problem> {
    let h = request.headers();
    if request.version() == Version::HTTP_11 && !h.contains_key(header::HOST) {
        return Some(Problem::bad_request(
            "an HTTP/1.1 request needs a Host header",
        ));
    }
    let lengths = h.get_all(header::CONTENT_LENGTH).iter().count();
    if lengths > 0 && h.contains_key(header::TRANSFER_ENCODING) {
        return Some(Problem::bad_request(
            "Content-Length and Transfer-Encoding together are ambiguous",
        ));
    }
    if lengths > 1 {
        return Some(Problem::bad_request("Content-Length is repeated"));
    }
    let declared = h
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_body as u64) {
        return Some(Problem::new(
            Code::PayloadTooLarge,
            format!("the body is larger than {max_body} bytes"),
        ));
    }
    None
}

/// Marks a response so that hyper closes the connection after writing it.
pub fn close<B>(mut response: Response<B>) -> Response<B> {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}
