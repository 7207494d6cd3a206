//! The one pooled upstream client: hyper-util's legacy client over rustls, with a deadline
//! around every call and failures classified by cause.

use crate::exchange::Reply;
use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use std::time::Duration;

/// Why a call did not produce an answer.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("could not connect: {0}")]
    Connect(String),
    #[error("the connection failed: {0}")]
    Transport(String),
    #[error("the answer is larger than {0} bytes")]
    TooLarge(usize),
}

/// Cheap to clone; every clone shares one connection pool.
#[derive(Clone)]
pub struct Client {
    inner: HyperClient<HttpsConnector<HttpConnector>, Full<Bytes>>,
    max_body: usize,
}

impl Client {
    pub fn new(connect_timeout: Duration, max_body: usize) -> Client {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(connect_timeout));
        let tls = rustls::ClientConfig::builder()
            .with_root_certificates(webpki_roots())
            .with_no_client_auth();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(http);
        let inner = HyperClient::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(64)
            .build(https);
        Client { inner, max_body }
    }

    /// Sends one request and reads the whole answer within `deadline`.
    pub async fn call(
        &self,
        request: Request<Full<Bytes>>,
        deadline: Duration,
    ) -> Result<Reply, CallError> {
        let work = async {
            let response = self.inner.request(request).await.map_err(|e| {
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

fn webpki_roots() -> rustls::RootCertStore {
    rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    }
}
