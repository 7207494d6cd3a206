//! What a listener serves and holds its connections to: the [`Handler`] that answers each
//! request, the [`Secure`] mark of a request that came over TLS, the [`Hangup`] mark that drops
//! a connection instead, and the connection [`Limits`].
//! Shared by the accept loop and the HTTP/1.1 connection loop.

use super::body::Body;
use super::inbound::Incoming;
use crate::problem::Problem;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Connection-level limits.
#[derive(Debug, Clone)]
pub struct Limits {
    /// From a connection's accept to its first request head, and from the first byte of each later
    /// head to its end.
    pub header_read_timeout: Duration,
    /// How long a keep-alive connection may sit idle between requests.
    pub idle_timeout: Duration,
    /// How long a write may wait on a client that does not read before its connection closes.
    pub send_timeout: Duration,
    /// Open connections at once; more wait to be accepted.
    pub max_connections: usize,
    /// The most header bytes a request may send (431 beyond).
    pub max_header_bytes: usize,
    /// Largest request body in bytes (413 beyond).
    pub max_body_bytes: usize,
    /// On shutdown, how long open connections may take to finish.
    pub drain_timeout: Duration,
}

/// A mark on a request that came over TLS: an HTTP/1.1 request's target names no scheme, and
/// a link back to the request (a list's next page) must name the one the client used. Only
/// such requests carry an extension; the others pay nothing for it.
#[derive(Debug, Clone, Copy)]
pub struct Secure;

/// A mark on a response: instead of answering, close the connection (an HTTP/2 stream is
/// reset). Only an emulator's injected fault asks for it.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the connection was dropped on purpose")]
pub struct Hangup;

/// A request handler: one async function from request to response.
pub trait Handler: Send + Sync + 'static {
    /// Answers one request.
    fn handle(
        self: Arc<Self>,
        request: http::Request<Incoming>,
    ) -> impl Future<Output = http::Response<Body>> + Send;

    /// The answer to a request whose declared body is over the limit, refused at the edge
    /// before it is read: in the words of the API its path names (a vendor's surface answers
    /// in its vendor's error shape, as for every other status), hookgate's own problem
    /// elsewhere.
    fn too_large(&self, path: &str, problem: &Problem, request_id: &str) -> http::Response<Body> {
        let _ = path;
        super::respond::problem(problem, request_id)
    }

    /// The answer to a request refused at the edge, before any handler reads it: a body over
    /// the limit in the words of the API its path names ([`Handler::too_large`]), anything else
    /// as hookgate's own problem.
    fn edge_refusal(
        &self,
        path: &str,
        problem: &Problem,
        request_id: &str,
    ) -> http::Response<Body> {
        match problem.code {
            crate::problem::Code::PayloadTooLarge => self.too_large(path, problem, request_id),
            _ => super::respond::problem(problem, request_id),
        }
    }
}
