//! The server loop: takes a bound listener, serves HTTP/1.1 and HTTP/2 with hyper-util, and
//! drains in-flight requests on shutdown. Each connection is held to a header read timeout, an
//! idle keep-alive timeout and a send timeout ([`timeouts`]), its framing is
//! watched ([`framing`]), and it counts against a cap.
//!
//! Binding happens outside (tests bind `127.0.0.1:0`); the handler never fails, so hyper never
//! aborts a connection instead of answering, unless the handler marks its answer with
//! [`Hangup`] (an emulator told to drop connections).
//!
//! With a TLS configuration the listener serves HTTPS (tokio-rustls): the handshake runs in
//! the connection's own task, under the header read timeout, and ALPN chooses HTTP/2 or
//! HTTP/1.1. The framing guard and the timers then watch the decrypted bytes, and ALPN's
//! choice tells the timers the connection is HTTP/2 from its start. The configuration is read
//! for each handshake, so a reload that replaces it reaches the next connection.
//!
//! Where the process runs serving workers ([`workers`]), the accept loop only accepts: each
//! connection, with its place under `max_connections` and its drain watcher, is handed to the
//! next worker, which runs its TLS handshake and serves it to the end. The drain still waits
//! for every connection, on whichever worker it is.

use super::body::Body;
use super::{edge, framing, headers, timeouts, workers};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A listener's TLS configuration, replaceable while it serves.
pub type Tls = Arc<arc_swap::ArcSwap<rustls::ServerConfig>>;

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
}

/// Serves `handler` on `listener` over plain HTTP until `shutdown` completes, then drains
/// open connections for at most `limits.drain_timeout`.
pub async fn serve<H: Handler>(
    listener: TcpListener,
    handler: Arc<H>,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    serve_tls(listener, handler, limits, None, shutdown).await
}

/// Serves `handler` on `listener`, over TLS when `tls` is given, until `shutdown` completes,
/// then drains open connections for at most `limits.drain_timeout`.
pub async fn serve_tls<H: Handler>(
    listener: TcpListener,
    handler: Arc<H>,
    limits: Limits,
    tls: Option<Tls>,
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
    let builder = Arc::new(builder);
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
        let connection = Connection {
            handler: handler.clone(),
            limits: limits.clone(),
            builder: builder.clone(),
            watcher: graceful.watcher(),
            permit,
        };
        hand_off(connection, stream, tls.as_ref().map(|tls| tls.load_full()));
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.drain_timeout) => {
            tracing::warn!("drain deadline reached with connections still open");
        }
    }
}

/// Serves an accepted connection on the next serving worker when the process runs them
/// ([`workers`]), else here. The socket moves to the worker's own reactor, so that its readiness
/// wakes the thread that serves it.
fn hand_off<H: Handler>(
    connection: Connection<H>,
    stream: TcpStream,
    tls: Option<Arc<rustls::ServerConfig>>,
) {
    if !workers::running() {
        return connection.start(stream, tls);
    }
    let stream = match stream.into_std() {
        Ok(stream) => stream,
        Err(e) => return tracing::warn!(error = %e, "cannot hand a connection to a worker"),
    };
    let job: workers::Job = Box::new(move || match TcpStream::from_std(stream) {
        Ok(stream) => connection.start(stream, tls),
        Err(e) => tracing::warn!(error = %e, "a worker cannot take a connection"),
    });
    if let Err(job) = workers::dispatch(job) {
        job();
    }
}

/// One accepted connection, about to be served.
struct Connection<H> {
    handler: Arc<H>,
    limits: Limits,
    builder: Arc<Builder<TokioExecutor>>,
    watcher: hyper_util::server::graceful::Watcher,
    /// Its place under `max_connections`, held until it ends.
    permit: OwnedSemaphorePermit,
}

impl<H: Handler> Connection<H> {
    /// Serves `stream` on this thread's runtime, over TLS when `tls` is given.
    fn start(self, stream: TcpStream, tls: Option<Arc<rustls::ServerConfig>>) {
        let Some(tls) = tls else {
            return self.spawn(stream, false);
        };
        let acceptor = tokio_rustls::TlsAcceptor::from(tls);
        let deadline = self.limits.header_read_timeout;
        tokio::spawn(async move {
            // A client that does not finish its handshake is held to the head's limit.
            match tokio::time::timeout(deadline, acceptor.accept(stream)).await {
                Ok(Ok(stream)) => {
                    let http2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
                    self.spawn(stream, http2);
                }
                Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
                Err(_) => tracing::debug!("TLS handshake timed out"),
            }
        });
    }

    /// Serves `stream` in a task of its own; `http2` when ALPN chose HTTP/2.
    fn spawn<S>(self, stream: S, http2: bool)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Connection {
            handler,
            limits,
            builder,
            watcher,
            permit,
        } = self;
        let max_body = limits.max_body_bytes;
        let (mut stream, ambiguous) = framing::Guarded::new(stream, limits.max_header_bytes);
        if http2 {
            stream.negotiated_http2();
        }
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
        let conn = watcher.watch(conn);
        tokio::spawn(async move {
            let _permit = permit;
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
}
