//! `hookgate healthcheck`: an exec probe for images without a shell or curl (distroless). It
//! sends `GET /healthz` to the configured listener and succeeds on a 200.
//!
//! A listener on an unspecified address (`0.0.0.0`, `[::]`) is reached on the loopback of the
//! same family. Over TLS the probe trusts exactly the certificate the configuration names: the
//! listener is this gateway, whatever names its certificate carries, so the probe pins the
//! certificate rather than checking a name against a CA.

use crate::config::{Config, tls};
use bytes::Bytes;
use http_body_util::Empty;
use hyper_util::rt::TokioIo;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// Why the probe failed.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The address gave no answer within the probe's timeout.
    #[error("no answer from {0} within {1:?}")]
    Timeout(SocketAddr, Duration),
    /// The address refused or failed the TCP connection.
    #[error("cannot connect to {0}: {1}")]
    Connect(SocketAddr, std::io::Error),
    /// The TLS handshake with the address failed, for the reason given.
    #[error("{0}: {1}")]
    Tls(SocketAddr, String),
    /// The HTTP exchange with the address failed, for the reason given.
    #[error("{0}: {1}")]
    Http(SocketAddr, String),
    /// The address answered `/healthz` with a status other than 200.
    #[error("{0} answered /healthz with {1}")]
    Status(SocketAddr, http::StatusCode),
}

/// Where a listener configured on `listen` is reached from this machine.
pub fn target(listen: SocketAddr) -> SocketAddr {
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, listen.port())
}

/// Probes the main listener of `config` within `timeout`.
pub async fn probe(config: &Config, timeout: Duration) -> Result<(), ProbeError> {
    let addr = target(config.listen);
    tokio::time::timeout(timeout, probe_at(addr, config))
        .await
        .map_err(|_| ProbeError::Timeout(addr, timeout))?
}

async fn probe_at(addr: SocketAddr, config: &Config) -> Result<(), ProbeError> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| ProbeError::Connect(addr, e))?;
    let Some(tls) = &config.tls else {
        return get(addr, stream).await;
    };
    let pinned = tls::certificates(&tls.cert_file)
        .map_err(|e| ProbeError::Tls(addr, e))?
        .swap_remove(0);
    let provider = tls::provider();
    let client = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ProbeError::Tls(addr, e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Pinned {
            cert: pinned,
            provider,
        }))
        .with_no_client_auth();
    let stream = tokio_rustls::TlsConnector::from(Arc::new(client))
        .connect(ServerName::IpAddress(addr.ip().into()), stream)
        .await
        .map_err(|e| ProbeError::Tls(addr, e.to_string()))?;
    get(addr, stream).await
}

/// `GET /healthz` over HTTP/1.1 on an open connection.
async fn get<S>(addr: SocketAddr, stream: S) -> Result<(), ProbeError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let http = |e: hyper::Error| ProbeError::Http(addr, e.to_string());
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(http)?;
    tokio::spawn(conn);
    let request = http::Request::get("/healthz")
        .header(http::header::HOST, addr.to_string())
        .header(http::header::USER_AGENT, "hookgate-healthcheck")
        .body(Empty::<Bytes>::new())
        .map_err(|e| ProbeError::Http(addr, e.to_string()))?;
    let response = sender.send_request(request).await.map_err(http)?;
    match response.status() {
        http::StatusCode::OK => Ok(()),
        status => Err(ProbeError::Status(addr, status)),
    }
}

/// Trusts one certificate: the one the configuration gives the listener. Signatures are still
/// checked, so the listener must hold its key.
#[derive(Debug)]
struct Pinned {
    cert: CertificateDer<'static>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.cert.as_ref() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "the listener's certificate is not the one configured in [tls] cert_file".into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
