//! Certificates made at test time (rcgen): a private CA and leaves it signs, written as PEM
//! files; a TLS vendor double that answers every request with one JSON body; TLS clients for
//! HTTP/1.1 and HTTP/2 that trust the private CA.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};

/// A private certificate authority.
pub struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

/// A leaf certificate and its key, as PEM.
pub struct Leaf {
    pub cert_pem: String,
    pub key_pem: String,
}

impl Ca {
    pub fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        Ca { issuer }
    }

    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    pub fn der(&self) -> CertificateDer<'static> {
        self.issuer.der().clone()
    }

    /// A leaf for `names` (host names or IP addresses).
    pub fn leaf(&self, names: &[&str]) -> Leaf {
        let params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .unwrap();
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }

    /// Writes the CA certificate to `dir/name`.
    pub fn write(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, self.pem()).unwrap();
        path
    }
}

impl Leaf {
    /// Writes `cert.pem` and `key.pem` under `dir` with `prefix`; returns their paths.
    pub fn write(&self, dir: &Path, prefix: &str) -> (PathBuf, PathBuf) {
        let cert = dir.join(format!("{prefix}cert.pem"));
        let key = dir.join(format!("{prefix}key.pem"));
        std::fs::write(&cert, &self.cert_pem).unwrap();
        std::fs::write(&key, &self.key_pem).unwrap();
        (cert, key)
    }

    pub fn cert_der(&self) -> CertificateDer<'static> {
        use rustls::pki_types::pem::PemObject;
        CertificateDer::from_pem_slice(self.cert_pem.as_bytes()).unwrap()
    }

    fn server_config(&self) -> rustls::ServerConfig {
        use rustls::pki_types::pem::PemObject;
        let key = PrivateKeyDer::from_pem_slice(self.key_pem.as_bytes()).unwrap();
        provider_server()
            .with_no_client_auth()
            .with_single_cert(vec![self.cert_der()], key)
            .unwrap()
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn provider_server() -> rustls::ConfigBuilder<rustls::ServerConfig, rustls::WantsVerifier> {
    rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
}

/// A vendor over HTTPS: answers every request with `status` and `body`, and counts them.
pub struct TlsDouble {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<usize>>,
}

impl TlsDouble {
    pub async fn start(leaf: &Leaf, status: u16, body: serde_json::Value) -> TlsDouble {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(leaf.server_config()));
        let seen = Arc::new(Mutex::new(0));
        let counter = seen.clone();
        let body = Bytes::from(serde_json::to_vec(&body).unwrap());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (acceptor, counter, body) = (acceptor.clone(), counter.clone(), body.clone());
                tokio::spawn(async move {
                    let Ok(stream) = acceptor.accept(stream).await else {
                        return;
                    };
                    let service = service_fn(move |_req: http::Request<Incoming>| {
                        *counter.lock().unwrap() += 1;
                        let response = http::Response::builder()
                            .status(status)
                            .header("content-type", "application/json")
                            .body(Full::new(body.clone()))
                            .unwrap();
                        async move { Ok::<_, std::io::Error>(response) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        TlsDouble { addr, seen }
    }

    pub fn requests(&self) -> usize {
        *self.seen.lock().unwrap()
    }
}

/// What a TLS client saw: the protocol ALPN chose, the server's certificate, and the answer.
pub struct Seen {
    pub alpn: Option<Vec<u8>>,
    pub certificate: CertificateDer<'static>,
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

/// `GET path` over TLS to `addr`, trusting `ca`, offering `alpn`; HTTP/2 when ALPN chose it.
pub async fn get(
    addr: SocketAddr,
    ca: CertificateDer<'static>,
    alpn: &[&[u8]],
    path: &str,
) -> Seen {
    get_with(addr, ca, alpn, path, &[]).await
}

/// [`get`] with the request headers given.
pub async fn get_with(
    addr: SocketAddr,
    ca: CertificateDer<'static>,
    alpn: &[&[u8]],
    path: &str,
    headers: &[(&'static str, &'static str)],
) -> Seen {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca).unwrap();
    let mut config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let tcp = TcpStream::connect(addr).await.unwrap();
    let stream = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    let (_, session) = stream.get_ref();
    let alpn = session.alpn_protocol().map(<[u8]>::to_vec);
    let certificate = session.peer_certificates().unwrap()[0].clone().into_owned();
    let io = TokioIo::new(stream);
    let request = |uri: String| {
        let mut request = http::Request::get(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(Full::new(Bytes::new())).unwrap()
    };
    let response = if alpn.as_deref() == Some(b"h2") {
        let (mut sender, conn) = hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
            .await
            .unwrap();
        tokio::spawn(conn);
        sender
            .send_request(request(format!("https://localhost:{}{path}", addr.port())))
            .await
            .unwrap()
    } else {
        let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await.unwrap();
        tokio::spawn(conn);
        let mut req = request(path.to_owned());
        req.headers_mut()
            .insert("host", http::HeaderValue::from_static("localhost"));
        sender.send_request(req).await.unwrap()
    };
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Seen {
        alpn,
        certificate,
        status,
        headers,
        body,
    }
}
