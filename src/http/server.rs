//! The server loop: takes a bound listener, serves HTTP/1.1 and HTTP/2 with hyper-util, and
//! drains in-flight requests on shutdown. Each connection is held to a header read timeout, an
//! idle keep-alive timeout and a send timeout ([`timeouts`](super::timeouts)), its framing is
//! watched ([`framing`](super::framing)), and it counts against a cap.
//!
//! Binding happens outside (tests bind `127.0.0.1:0`); the handler never fails, so hyper never
//! aborts a connection instead of answering, unless the handler marks its answer with
//! [`Hangup`] (an emulator told to drop connections).

use super::body::Body;
use super::{edge, framing, headers, timeouts};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Connection-level limits.
#[derive(Debug, Clone)]
pub struct Limits {
    pub header_read_timeout: Duration,
    /// How long a keep-alive connection may sit idle between requests.
    pub idle_timeout: Duration,
    /// How long a write may wait on a client that does not read before its connection closes.
    pub send_timeout: Duration,
    pub max_connections: usize,
    pub max_header_bytes: usize,
    pub max_body_bytes: usize,
    pub drain_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            send_timeout: Duration::from_secs(30),
            max_connections: 10_000,
            max_header_bytes: 32 * 1024,
            max_body_bytes: 1024 * 1024,
            drain_timeout: Duration::from_secs(30),
        }
    }
}

impl From<&crate::config::RawLimits> for Limits {
    fn from(l: &crate::config::RawLimits) -> Limits {
        Limits {
            header_read_timeout: Duration::from_millis(l.header_read_timeout_ms),
            idle_timeout: Duration::from_millis(l.idle_timeout_ms),
            send_timeout: Duration::from_millis(l.send_timeout_ms),
            max_connections: l.max_connections,
            drain_timeout: Duration::from_millis(l.drain_timeout_ms),
            max_header_bytes: l.max_header_bytes,
            max_body_bytes: l.max_body_bytes,
        }
    }
}

/// A mark on a response: instead of answering, close the connection (an HTTP/2 stream is
/// reset). Only an emulator's injected fault asks for it.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the connection was dropped on purpose")]
pub struct Hangup;

/// A request handler: one async function from request to response.
pub trait Handler: Send + Sync + 'static {
    fn handle(
        self: Arc<Self>,
        request: http::Request<Incoming>,
    ) -> impl Future<Output = http::Response<Body>> + Send;
}

/// Serves `handler` on `listener` until `shutdown` completes, then drains open connections
/// for at most `limits.drain_timeout`.
pub async fn serve<H: Handler>(
    listener: TcpListener,
    handler: Arc<H>,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        // hyper restarts this timer whenever a connection goes idle, which would make it the
        // idle limit too; `timeouts::Timed` runs both limits instead.
        .header_read_timeout(None)
        .max_buf_size(limits.max_header_bytes.max(8192))
        .keep_alive(true);
    builder.http2().timer(TokioTimer::new());
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let handler = handler.clone();
        let max_body = limits.max_body_bytes;
        let (stream, ambiguous) = framing::Guarded::new(stream, limits.max_header_bytes);
        let (stream, requests) = timeouts::Timed::new(
            stream,
            timeouts::Timeouts {
                header_read: limits.header_read_timeout,
                idle: limits.idle_timeout,
                send: limits.send_timeout,
            },
        );
        let service = service_fn(move |req| {
            let handler = handler.clone();
            let ambiguous = ambiguous.load(std::sync::atomic::Ordering::Acquire);
            let in_flight = requests.begin();
            async move {
                let _in_flight = in_flight;
                let refused = if ambiguous {
                    Some(crate::problem::Problem::bad_request(
                        "the request's framing is ambiguous (Content-Length with Transfer-Encoding, or repeated) or cannot be followed",
                    ))
                } else {
                    edge::refuse(&req, max_body)
                };
                if let Some(problem) = refused {
                    let request_id = headers::request_id(req.headers());
                    return Ok::<_, Hangup>(edge::close(super::respond::problem(
                        &problem,
                        &request_id,
                    )));
                }
                let response = handler.handle(req).await;
                if response.extensions().get::<Hangup>().is_some() {
                    return Err(Hangup);
                }
                Ok(response)
            }
        });
        let conn = builder
            .serve_connection(TokioIo::new(stream), service)
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _permit = permit;
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.drain_timeout) => {
            tracing::warn!("drain deadline reached with connections still open");
        }
    }
}
