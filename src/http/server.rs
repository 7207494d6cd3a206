//! The server loop: takes a bound listener, serves HTTP/1.1 with hookgate's own connection
//! loop ([`h1`]) and HTTP/2 with hyper-util, and drains in-flight requests on shutdown. Each
//! connection counts against a cap.
//!
//! A connection's protocol is told before a byte of it is read ([`sniff`]): HTTP/1.1 goes to
//! [`h1`], which holds its own timers and decides its framing from the parsed head; HTTP/2
//! goes to hyper. A connection whose first bytes do not yet tell (part of HTTP/2's preface, so
//! far) also goes to hyper-util's `auto` builder, which reads on and decides; there the
//! framing is watched on the raw bytes ([`framing`]), the timers run on a wrapper around the
//! stream ([`timeouts`]), each request's head is copied out of hyper's buffer as hyper hands
//! it over ([`head`]), and the handler's future is boxed only while a request is in flight.
//!
//! Binding happens outside (tests bind `127.0.0.1:0`); the handler never fails, so no
//! connection is aborted instead of answered, unless the handler marks its answer with
//! [`Hangup`] (an emulator told to drop connections).
//!
//! With a TLS configuration the listener serves HTTPS (tokio-rustls): the handshake runs in
//! the connection's own task, under the header read timeout, and ALPN chooses HTTP/2 or
//! HTTP/1.1. The configuration is read for each handshake, so a reload that replaces it
//! reaches the next connection.
//!
//! Where the process runs serving workers ([`workers`]), the accept loop only accepts: each
//! connection, with its place under `max_connections` and its drain watcher, is handed to the
//! next worker, which runs its TLS handshake and serves it to the end. The drain waits for
//! every connection, on whichever worker it is: it is over when every place under the cap is
//! free again.

pub use super::handler::{Handler, Hangup, Limits, Secure};
use super::inbound::Incoming;
use super::sniff::{self, Protocol};
use super::{edge, framing, h1, head, headers, timeouts, workers};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::Instant;

/// A listener's TLS configuration, replaceable while it serves.
pub type Tls = Arc<arc_swap::ArcSwap<rustls::ServerConfig>>;

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
    let builders = Arc::new(Builders::new(&limits));
    let graceful = GracefulShutdown::new();
    let (draining, drain) = watch::channel(false);
    // The configuration holds the count far below tokio's most; limits made in code are held
    // to it too, rather than panic with no listener serving.
    let slots = Arc::new(Semaphore::new(
        limits.max_connections.min(Semaphore::MAX_PERMITS),
    ));
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
            builders: builders.clone(),
            watcher: graceful.watcher(),
            drain: drain.clone(),
            accepted: Instant::now(),
            permit,
        };
        hand_off(connection, stream, tls.as_ref().map(|tls| tls.load_full()));
    }
    drop(listener);
    draining.send_replace(true);
    // Every connection holds a place under the cap until it ends: the drain is over when all
    // places are free again. hyper's connections are told to finish as well.
    let every = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let ended = async {
        tokio::join!(graceful.shutdown(), slots.acquire_many(every))
            .1
            .ok();
    };
    tokio::select! {
        () = ended => {}
        () = tokio::time::sleep(limits.drain_timeout) => {
            tracing::warn!("drain deadline reached with connections still open");
        }
    }
}

/// hyper-util's builder, configured once, for the connections hyper serves: HTTP/2 (told by
/// ALPN or by the first bytes), or either version when the first bytes do not yet tell.
struct Builders {
    http2: Builder<TokioExecutor>,
    either: Builder<TokioExecutor>,
}

impl Builders {
    fn new(limits: &Limits) -> Builders {
        let mut either = Builder::new(TokioExecutor::new());
        either
            .http1()
            .timer(TokioTimer::new())
            // hyper restarts this timer whenever a connection goes idle, which would make it
            // the idle limit too; `timeouts::Timed` runs both limits instead.
            .header_read_timeout(None)
            .max_buf_size(limits.max_header_bytes.max(8192))
            .keep_alive(true);
        either
            .http2()
            .timer(TokioTimer::new())
            // The head's limit over HTTP/1.1 holds for an HTTP/2 request's header list too
            // (hyper's own is 16 KiB): a client is not refused for its version.
            .max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX));
        Builders {
            http2: either.clone().http2_only(),
            either,
        }
    }

    fn of(&self, protocol: Protocol) -> &Builder<TokioExecutor> {
        match protocol {
            Protocol::Http2 => &self.http2,
            Protocol::Http1 | Protocol::Undecided => &self.either,
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
    builders: Arc<Builders>,
    watcher: hyper_util::server::graceful::Watcher,
    /// Turns true when the listener drains: a connection that has not yet said which protocol
    /// it speaks has no request to finish, and closes.
    drain: watch::Receiver<bool>,
    accepted: Instant,
    /// Its place under `max_connections`, held until it ends.
    permit: OwnedSemaphorePermit,
}

impl<H: Handler> Connection<H> {
    /// Serves `stream` in a task of its own on this thread's runtime, over TLS when `tls` is
    /// given. Before hyper reads a byte, the protocol is told: by ALPN behind TLS, else by
    /// peeking at the first bytes ([`sniff`]). Either waits within the first head's limit.
    fn start(self, stream: TcpStream, tls: Option<Arc<rustls::ServerConfig>>) {
        tokio::spawn(async move {
            let deadline = self.accepted + self.limits.header_read_timeout;
            let mut drain = self.drain.clone();
            let opening = async {
                match tls {
                    Some(tls) => {
                        // Boxed: a plain connection's task holds no handshake state.
                        let handshake = tokio_rustls::TlsAcceptor::from(tls).accept(stream);
                        let stream = Box::pin(handshake)
                            .await
                            .inspect_err(|e| tracing::debug!(error = %e, "TLS handshake failed"))
                            .ok()?;
                        let protocol = sniff::negotiated(stream.get_ref().1.alpn_protocol());
                        Some((Stream::Tls(Box::new(stream)), protocol))
                    }
                    None => {
                        let protocol = sniff::protocol(&stream).await.ok()?;
                        Some((Stream::Plain(stream), protocol))
                    }
                }
            };
            let opened = tokio::select! {
                opened = tokio::time::timeout_at(deadline, opening) => opened.unwrap_or_else(|_| {
                    tracing::debug!("no TLS handshake or first byte within the header read timeout");
                    None
                }),
                _ = drain.wait_for(|draining| *draining) => None,
            };
            match opened {
                Some((Stream::Plain(stream), Protocol::Http1)) => self.serve_http1(stream).await,
                Some((Stream::Tls(stream), Protocol::Http1)) => self.serve_http1(stream).await,
                Some((Stream::Plain(stream), protocol)) => {
                    self.serve(stream, protocol, false).await
                }
                Some((Stream::Tls(stream), protocol)) => self.serve(stream, protocol, true).await,
                None => {}
            }
        });
    }

    /// Serves `stream`, which speaks HTTP/1.1, to its end with hookgate's own loop ([`h1`]);
    /// each request marked [`Secure`] when the stream is TLS.
    fn serve_http1<S: h1::Transport>(self, stream: S) -> impl Future<Output = ()> + Send + 'static {
        let Connection {
            handler,
            limits,
            drain,
            accepted,
            permit,
            ..
        } = self;
        async move {
            let _permit = permit;
            h1::serve(stream, handler, limits, accepted, drain).await;
        }
    }

    /// Serves `stream`, which speaks `protocol`, to its end with hyper: HTTP/2, or a
    /// connection whose first bytes did not tell.
    ///
    /// Built here and awaited by the caller: what goes into hyper's connection is moved there,
    /// and a future that built it in its own body would keep a slot for each of those values
    /// beside the connection for as long as it runs (kilobytes per connection).
    fn serve<S>(
        self,
        stream: S,
        protocol: Protocol,
        secure: bool,
    ) -> impl Future<Output = ()> + Send + 'static
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Connection {
            handler,
            limits,
            builders,
            watcher,
            accepted,
            permit,
            ..
        } = self;
        let max_body = limits.max_body_bytes;
        let (mut stream, ambiguous) = framing::Guarded::new(stream, limits.max_header_bytes);
        if protocol == Protocol::Http2 {
            stream.negotiated_http2();
        }
        let (stream, requests) = timeouts::Timed::new(
            stream,
            timeouts::Timeouts {
                accepted,
                header_read: limits.header_read_timeout,
                idle: limits.idle_timeout,
                send: limits.send_timeout,
            },
        );
        let service = service_fn(move |req| {
            // Called as hyper takes the head, before it reads again.
            let mut req = head::detach(req).map(Incoming::from);
            if secure {
                req.extensions_mut().insert(Secure);
            }
            let handler = handler.clone();
            let ambiguous = ambiguous.load(std::sync::atomic::Ordering::Acquire);
            let in_flight = requests.begin();
            async move {
                let _in_flight = in_flight;
                let refused = if ambiguous {
                    Some(crate::problem::Problem::bad_request(
                        "the request's framing is ambiguous (Content-Length with Transfer-Encoding, or repeated; chunked applied more than once) or cannot be followed",
                    ))
                } else {
                    edge::refuse(&req, max_body)
                };
                if let Some(problem) = refused {
                    let request_id = headers::request_id(req.headers());
                    let answer = super::respond::refused_at_edge(
                        problem.status(),
                        handler.edge_refusal(req.uri().path(), &problem, &request_id),
                        &request_id,
                        (req.method().as_str(), req.uri().path()),
                    );
                    return Ok::<_, Hangup>(edge::close(answer));
                }
                // hyper keeps a connection's request future in a box of that future's size
                // for as long as the connection is open, idle or not; the handler's future, a
                // few kilobytes, is boxed only while a request is in flight.
                let response = Box::pin(handler.handle(req)).await;
                if response.extensions().get::<Hangup>().is_some() {
                    return Err(Hangup);
                }
                Ok(response)
            }
        });
        let conn = builders
            .of(protocol)
            .serve_connection(TokioIo::new(stream), service)
            .into_owned();
        // Boxed: awaiting a future that an async block owns copies it into the block's own
        // state, which would then hold two of it.
        let conn = Box::pin(watcher.watch(conn));
        async move {
            let _permit = permit;
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
    }
}

/// An accepted connection, over TLS or not.
enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
}
