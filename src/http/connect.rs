//! Making a connection to a vendor: directly or through the proxy the environment names, then
//! TLS for `https://`.
//!
//! Proxies are read from `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` as curl reads
//! them (hyper-util's own matcher). An `https://` vendor is reached through a CONNECT tunnel
//! (hyper-util's `Tunnel`); to an `http://` one the proxy is sent each request in absolute
//! form, with the proxy's credentials. Loopback destinations (`localhost`, `127.0.0.0/8`,
//! `::1`) never go through a proxy, as in Go's `net/http`: they are the gateway's own
//! emulators, which a proxy elsewhere could not reach.
//!
//! TLS offers HTTP/1.1 only over ALPN: vendor calls are HTTP/1.1 on kept connections
//! ([`super::wire`]).

use http::{HeaderValue, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::proxy::matcher::Matcher;
use rustls::pki_types::ServerName;
use std::borrow::Cow;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tower_service::Service;

/// Why a connection could not be made.
pub type ConnectError = Box<dyn std::error::Error + Send + Sync>;

/// Where a call goes: the scheme and authority of its URL. Split from an upstream's base URL
/// once, when it is configured; shared by every call and kept connection (a clone is a count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `https://` rather than `http://`.
    pub tls: bool,
    /// `host[:port]` as the URL spells it: the `Host` field, and the pool's key.
    pub authority: Arc<str>,
}

impl Origin {
    /// The origin of `url` and the rest of it (the request target in origin form, `/` when
    /// the URL has no path). Refuses what is not an `http(s)://` URL, a URL with user
    /// information, and a target with bytes that may not appear in one. The authority itself
    /// is checked where a connection to it is made: it is looked at on every call, and made
    /// into a connection rarely.
    pub fn split(url: &str) -> Result<(Origin, Cow<'_, str>), String> {
        let (scheme, rest) = url.split_once("://").unwrap_or_default();
        let tls = if scheme.eq_ignore_ascii_case("https") {
            true
        } else if scheme.eq_ignore_ascii_case("http") {
            false
        } else {
            return Err(format!("{url:?} is neither an http:// nor an https:// URL"));
        };
        let end = memchr::memchr2(b'/', b'?', rest.as_bytes()).unwrap_or(rest.len());
        let (authority, target) = rest.split_at(end);
        if authority.is_empty() || authority.contains('@') {
            return Err(format!("{url:?} does not name a host as expected"));
        }
        let target = Origin::target(target)
            .ok_or_else(|| format!("{url:?} has a path that cannot be sent"))?;
        Ok((
            Origin {
                tls,
                authority: authority.into(),
            },
            target,
        ))
    }

    /// `target` as a request target in origin form (`/` first), or `None` when it holds a
    /// byte that may not be sent in one: printable ASCII only, and no fragment.
    pub fn target(target: &str) -> Option<Cow<'_, str>> {
        // Every byte's verdict or-ed together, without a branch: the compiler does that 16
        // bytes at a time (a sixth of the instructions of a count of the unfit bytes, which
        // it did one by one). A byte outside 0x21..0x7f wraps to 0x5e or more.
        let unfit = target.bytes().fold(0u8, |unfit, b| {
            unfit | u8::from(b.wrapping_sub(0x21) >= 0x5e) | u8::from(b == b'#')
        });
        if unfit != 0 {
            return None;
        }
        Some(if target.starts_with('/') {
            Cow::Borrowed(target)
        } else {
            Cow::Owned(format!("/{target}"))
        })
    }

    /// The absolute URL of `target` at this origin, as a proxy is sent it.
    pub fn absolute(&self, target: &str) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}{target}", self.authority)
    }

    /// The URL of the origin itself, as a connector and a proxy matcher take it.
    fn uri(&self) -> Result<Uri, ConnectError> {
        let scheme = if self.tls { "https" } else { "http" };
        Ok(format!("{scheme}://{}/", self.authority).parse()?)
    }
}

/// A connection to a vendor, or to the proxy that forwards to it.
pub enum Stream {
    /// Cleartext.
    Plain(TcpStream),
    /// TLS.
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(tcp) => tcp,
            Stream::Tls(tls) => tls.get_ref().0,
        }
    }

    /// Whether a kept connection is still open and quiet: nothing is waiting to be read (an
    /// end, a reset or stray bytes all say the connection can no longer carry a request).
    /// Looks without reading and without waiting.
    pub fn is_quiet(&self) -> bool {
        let mut probe = [0u8; 1];
        let mut buf = ReadBuf::new(&mut probe);
        let mut cx = Context::from_waker(std::task::Waker::noop());
        self.tcp().poll_peek(&mut cx, &mut buf).is_pending()
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// A connection made, and how requests go over it.
pub struct Connection {
    /// The connection.
    pub stream: Stream,
    /// `Some` when it is to a proxy that forwards each request (sent in absolute form), with
    /// the proxy's credentials if it has some.
    pub forwarded: Option<Option<HeaderValue>>,
}

/// Makes connections: one per call that finds none kept.
pub struct Connector {
    direct: HttpConnector,
    proxies: Arc<Matcher>,
    tls: tokio_rustls::TlsConnector,
}

impl Connector {
    /// A connector that gives up connecting after `timeout` and trusts `roots`, with the
    /// proxies of the environment as it is now.
    pub fn new(timeout: Duration, roots: Arc<rustls::RootCertStore>) -> Connector {
        // Others in the process (tests, tools) may build rustls configurations the default way.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut direct = HttpConnector::new();
        direct.enforce_http(false);
        direct.set_nodelay(true);
        direct.set_connect_timeout(Some(timeout));
        let mut tls = rustls::ClientConfig::builder_with_provider(crate::config::tls::provider())
            .with_safe_default_protocol_versions()
            .expect("ring supports the default protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        Connector {
            direct,
            proxies: Arc::new(Matcher::from_env()),
            tls: tokio_rustls::TlsConnector::from(Arc::new(tls)),
        }
    }

    /// A new connection to `origin`.
    pub async fn connect(&self, origin: &Origin) -> Result<Connection, ConnectError> {
        let dst = origin.uri()?;
        let mut direct = self.direct.clone();
        let intercept = (!loopback(&dst))
            .then(|| self.proxies.intercept(&dst))
            .flatten();
        let (tcp, forwarded) = match intercept {
            None => (direct.call(dst.clone()).await?.into_inner(), None),
            Some(proxy) if proxy.uri().scheme_str() != Some("http") => {
                return Err(format!(
                    "the proxy for {} is not an http:// proxy",
                    dst.scheme_str().unwrap_or("this scheme")
                )
                .into());
            }
            Some(proxy) if origin.tls => {
                let mut tunnel = Tunnel::new(proxy.uri().clone(), direct);
                if let Some(auth) = proxy.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                (tunnel.call(dst.clone()).await?.into_inner(), None)
            }
            Some(proxy) => {
                let tcp = direct.call(proxy.uri().clone()).await?.into_inner();
                (tcp, Some(proxy.basic_auth().cloned()))
            }
        };
        let stream = if origin.tls {
            let host = dst.host().unwrap_or_default();
            let host = host.trim_start_matches('[').trim_end_matches(']');
            let name = ServerName::try_from(host.to_owned())?;
            Stream::Tls(Box::new(self.tls.connect(name, tcp).await?))
        } else {
            Stream::Plain(tcp)
        };
        Ok(Connection { stream, forwarded })
    }
}

/// Whether a destination is this machine, which no proxy is asked to reach.
fn loopback(dst: &Uri) -> bool {
    let host = dst.host().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_a_url_into_its_origin_and_its_target() {
        let cases = [
            (
                "http://127.0.0.1:8080/v1/hooks?a=b",
                false,
                "127.0.0.1:8080",
                "/v1/hooks?a=b",
            ),
            ("HTTPS://api.example", true, "api.example", "/"),
            ("https://[::1]:9/x", true, "[::1]:9", "/x"),
            ("http://h?q=1", false, "h", "/?q=1"),
        ];
        for (url, tls, authority, target) in cases {
            let (origin, rest) = Origin::split(url).expect(url);
            assert_eq!(
                (origin.tls, &*origin.authority, &*rest),
                (tls, authority, target)
            );
        }
        for bad in [
            "ftp://h/",
            "h/x",
            "http://u:p@h/",
            "http:///x",
            "http://h/a b",
            "http://h/a\r\nx: y",
            "http://h/#frag",
        ] {
            assert!(Origin::split(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_target_takes_printable_ascii_but_a_fragment_mark_in_any_place() {
        for b in 0..=255u8 {
            let fits = (0x21..0x7f).contains(&b) && b != b'#';
            // Before, among and after runs long enough for the compiler's 16-byte steps.
            for at in [0, 1, 15, 16, 17, 40] {
                let mut bytes = b"/abcdefghijklmnopqrstuvwxyz0123456789-._~%20?q=1".to_vec();
                let at = at.min(bytes.len() - 1);
                bytes[at] = b;
                let Ok(text) = String::from_utf8(bytes) else {
                    continue; // a lone high byte is no `&str`; one in a character is below
                };
                assert_eq!(Origin::target(&text).is_some(), fits, "{b:#04x} at {at}");
            }
        }
        assert!(Origin::target("/caf\u{e9}").is_none());
        assert!(Origin::target("x").is_some_and(|t| t == "/x"));
    }
}
