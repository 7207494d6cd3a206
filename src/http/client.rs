//! The one pooled upstream client: hyper-util's legacy client over rustls, with a deadline
//! around every call and failures classified by cause.
//!
//! It trusts the roots the configuration gives (the bundled web PKI roots, and the system
//! store and extra CA files when configured), and goes through the proxy the environment
//! names (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`, as curl reads them: hyper-util's
//! own matcher). hyper-util's `Tunnel` makes the CONNECT tunnel for `https://` upstreams;
//! `http://` ones are forwarded in absolute form. Loopback destinations (`localhost`,
//! `127.0.0.0/8`, `::1`) never go through a proxy, as in Go's `net/http`: they are the
//! gateway's own emulators, which a proxy elsewhere could not reach.
//!
//! Where the process runs serving workers ([`workers`]), each worker has a pool of its own:
//! hyper-util drives a pooled connection on the runtime that made it, so a connection shared
//! between workers would wake one thread for another's request, and every checkout would
//! contend for one lock. A worker's requests use its pool only, and so stay on its thread.

use super::workers;
use crate::exchange::Reply;
use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::TcpStream;
use tower_service::Service;

/// Why a call did not produce an answer.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// No answer within this time.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The connection could not be made, for the reason given.
    #[error("could not connect: {0}")]
    Connect(String),
    /// The connection failed during the exchange, for the reason given.
    #[error("the connection failed: {0}")]
    Transport(String),
    /// The answer is larger than this many bytes.
    #[error("the answer is larger than {0} bytes")]
    TooLarge(usize),
}

/// hyper-util's client: one connection pool.
type Pool = HyperClient<HttpsConnector<Connector>, Full<Bytes>>;

/// Cheap to clone; every clone shares the same pools.
#[derive(Clone)]
pub struct Client {
    pools: Arc<Pools>,
    max_body: usize,
}

/// One connection pool per serving worker, and one for calls made off the workers; each made
/// on first use. The connector (and its TLS configuration) is one, shared.
struct Pools {
    connector: HttpsConnector<Connector>,
    slots: Box<[OnceLock<Pool>]>,
}

impl Pools {
    /// The pool of this thread: its worker's, or the one for every other thread.
    fn here(&self) -> &Pool {
        let last = self.slots.len() - 1;
        let slot = workers::current().map_or(last, |i| i.min(last));
        self.slots[slot].get_or_init(|| {
            HyperClient::builder(TokioExecutor::new())
                .pool_timer(TokioTimer::new())
                .pool_idle_timeout(Duration::from_secs(60))
                .pool_max_idle_per_host(64)
                .build(self.connector.clone())
        })
    }
}

impl Client {
    /// A client trusting `roots`, with the proxies of the environment as it is now.
    pub fn new(
        connect_timeout: Duration,
        max_body: usize,
        roots: Arc<rustls::RootCertStore>,
    ) -> Client {
        // Others in the process (tests, tools) may build rustls configurations the default way.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(connect_timeout));
        let tls = rustls::ClientConfig::builder_with_provider(crate::config::tls::provider())
            .with_safe_default_protocol_versions()
            .expect("ring supports the default protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let connector = Connector {
            direct: http,
            proxies: Arc::new(Matcher::from_env()),
        };
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(connector);
        // The workers running now, and one more slot for every other thread.
        let slots = (0..=workers::count()).map(|_| OnceLock::new()).collect();
        Client {
            pools: Arc::new(Pools {
                connector: https,
                slots,
            }),
            max_body,
        }
    }

    /// Sends one request and reads the whole answer within `deadline`.
    pub async fn call(
        &self,
        request: Request<Full<Bytes>>,
        deadline: Duration,
    ) -> Result<Reply, CallError> {
        let work = async {
            let response = self.pools.here().request(request).await.map_err(|e| {
                if e.is_connect() {
                    CallError::Connect(root_cause(&e))
                } else {
                    CallError::Transport(root_cause(&e))
                }
            })?;
            let (parts, body) = response.into_parts();
            let body = http_body_util::Limited::new(body, self.max_body)
                .collect()
                .await
                .map_err(|e| {
                    if e.downcast_ref::<http_body_util::LengthLimitError>()
                        .is_some()
                    {
                        CallError::TooLarge(self.max_body)
                    } else {
                        CallError::Transport(e.to_string())
                    }
                })?
                .to_bytes();
            Ok(Reply {
                status: parts.status,
                headers: parts.headers,
                body,
            })
        };
        tokio::time::timeout(deadline, work)
            .await
            .unwrap_or(Err(CallError::Timeout(deadline)))
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Connects to an upstream directly, or through the environment's proxy.
#[derive(Clone)]
pub struct Connector {
    direct: HttpConnector,
    proxies: Arc<Matcher>,
}

/// Whether a destination is this machine, which no proxy is asked to reach.
fn loopback(dst: &http::Uri) -> bool {
    let host = dst.host().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Service<http::Uri> for Connector {
    type Response = Proxied;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Proxied, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // An HttpConnector is always ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: http::Uri) -> Self::Future {
        let intercept = (!loopback(&dst))
            .then(|| self.proxies.intercept(&dst))
            .flatten();
        let mut direct = self.direct.clone();
        Box::pin(async move {
            let Some(proxy) = intercept else {
                let io = direct.call(dst).await?;
                return Ok(Proxied {
                    io,
                    forwarded: false,
                });
            };
            if proxy.uri().scheme_str() != Some("http") {
                return Err(format!(
                    "the proxy for {} is not an http:// proxy",
                    dst.scheme_str().unwrap_or("this scheme")
                )
                .into());
            }
            if dst.scheme_str() == Some("https") {
                let mut tunnel = Tunnel::new(proxy.uri().clone(), direct);
                if let Some(auth) = proxy.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                let io = tunnel.call(dst).await?;
                Ok(Proxied {
                    io,
                    forwarded: false,
                })
            } else {
                let io = direct.call(proxy.uri().clone()).await?;
                Ok(Proxied {
                    io,
                    forwarded: true,
                })
            }
        })
    }
}

/// A connection to an upstream, or to the proxy that forwards to it: then hyper writes
/// requests in absolute form.
pub struct Proxied {
    io: TokioIo<TcpStream>,
    forwarded: bool,
}

impl Connection for Proxied {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.forwarded)
    }
}

impl hyper::rt::Read for Proxied {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for Proxied {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
}
