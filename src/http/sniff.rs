//! Which HTTP version a connection speaks, told before hyper reads a byte of it.
//!
//! hyper-util's `auto` builder tells HTTP/1.1 from HTTP/2 by reading the first 24 bytes (the
//! length of HTTP/2's preface) and handing them back to hyper ahead of the rest. hyper then
//! finds those bytes in a read buffer that must grow to read the request after them: every
//! HTTP/1.1 connection holds a 16 KB read buffer instead of 8 KB, which under a few thousand
//! connections is tens of megabytes. Peeking at the socket instead leaves its bytes where
//! they are, so that hyper, told the version, reads the request into a buffer of its own size.

use tokio::net::TcpStream;

/// The connection preface every HTTP/2 client sends first (RFC 9113 §3.4).
const PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// What a connection's first bytes say it speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// HTTP/1.1 (or an HTTP/1.0 client): the first bytes are not HTTP/2's preface.
    Http1,
    /// HTTP/2: by its whole preface, or by ALPN behind TLS.
    Http2,
    /// Not known yet: what arrived so far is the start of the preface, or nothing (the client
    /// closed). hyper-util's `auto` builder reads on and decides.
    Undecided,
}

/// Peeks at the first bytes `stream` received, waiting for at least one, and tells the
/// protocol from them. Only the bytes that already arrived are looked at: a client that sent
/// part of the preface and waits is left to the `auto` builder, which reads the rest.
pub async fn protocol(stream: &TcpStream) -> std::io::Result<Protocol> {
    let mut first = [0u8; PREFACE.len()];
    let n = stream.peek(&mut first).await?;
    Ok(classify(&first[..n]))
}

/// The protocol `first`, a connection's first bytes, say it speaks.
pub fn classify(first: &[u8]) -> Protocol {
    if first == PREFACE {
        Protocol::Http2
    } else if PREFACE.starts_with(first) {
        Protocol::Undecided
    } else {
        Protocol::Http1
    }
}

/// The protocol ALPN chose behind TLS; none chosen leaves it to the first bytes.
pub fn negotiated(alpn: Option<&[u8]>) -> Protocol {
    match alpn {
        Some(b"h2") => Protocol::Http2,
        Some(b"http/1.1") => Protocol::Http1,
        _ => Protocol::Undecided,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_the_preface_from_any_request_line() {
        use Protocol::{Http1, Http2, Undecided};
        for (first, expected) in [
            (&PREFACE[..], Http2),
            (b"GET / HTTP/1.1\r\n", Http1),
            (b"POST /v1 HTTP/1.1\r\n", Http1),
            (b"PUT", Http1),
            (b"PATCH /x HTTP/1.1", Http1),
            (b"PRI * HTTP/1.1\r\n", Http1),
            (b"\r\nGET / HTTP/1.1", Http1),
            // Only the start of the preface: not known yet.
            (b"P", Undecided),
            (b"PRI", Undecided),
            (b"PRI * HTTP/2.0\r\n", Undecided),
            (b"", Undecided),
        ] {
            assert_eq!(
                classify(first),
                expected,
                "{:?}",
                String::from_utf8_lossy(first)
            );
        }
    }

    #[test]
    fn follows_alpn() {
        assert_eq!(negotiated(Some(b"h2")), Protocol::Http2);
        assert_eq!(negotiated(Some(b"http/1.1")), Protocol::Http1);
        assert_eq!(negotiated(None), Protocol::Undecided);
    }
}
