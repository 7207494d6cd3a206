//! The edge: what every request must satisfy before any handler reads it.
//!
//! hyper accepts some requests a proxy must not (architecture notes §4): HTTP/1.1 without
//! `Host`, a repeated or malformed `Host` (RFC 9112 §3.2), an HTTP/2 `:authority` that names
//! another host than its `Host`, both `Content-Length` and `Transfer-Encoding`, a repeated
//! `Content-Length`. Each is answered here with 400 and `Connection: close`, so that a request
//! smuggled behind it on the same connection is never read. A declared body over the limit is
//! refused before it is read.

use crate::problem::{Code, Problem};
use http::{HeaderValue, Request, Response, Version, header};

/// Why a request is refused at the edge; `None` when it may proceed. A body declared over the
/// limit is [`Code::PayloadTooLarge`], which the handler words as the API the path names does
/// (its `edge_refusal`); the rest concern the connection, and are hookgate's own problems.
pub fn refuse<B>(request: &Request<B>, max_body: usize) -> Option<Problem> {
    let h = request.headers();
    if let Some(problem) = host(request) {
        return Some(problem);
    }
    let lengths = h.get_all(header::CONTENT_LENGTH).iter().count();
    if lengths > 0 && h.contains_key(header::TRANSFER_ENCODING) {
        return Some(Problem::bad_request(
            "the request's framing is ambiguous: Content-Length and Transfer-Encoding together",
        ));
    }
    if lengths > 1 {
        return Some(Problem::bad_request(
            "the request's framing is ambiguous: Content-Length is repeated",
        ));
    }
    let declared = h
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_body as u64) {
        return Some(Problem::new(
            Code::PayloadTooLarge,
            format!("the body is larger than {max_body} bytes"),
        ));
    }
    None
}

/// Why the request's host is not one host, whichever way it is named.
///
/// Two `Host` lines, or one that is not a host, let two servers on the way pick different
/// hosts for the same request (RFC 9112 §3.2: "a server MUST respond with a 400 … to any
/// request message that … contains more than one Host header field line or a Host header
/// field with an invalid field value").
fn host<B>(request: &Request<B>) -> Option<Problem> {
    let mut hosts = request.headers().get_all(header::HOST).iter();
    let host = hosts.next();
    if hosts.next().is_some() {
        return Some(Problem::bad_request("Host is repeated"));
    }
    match host {
        None if request.version() == Version::HTTP_11 => {
            return Some(Problem::bad_request(
                "an HTTP/1.1 request needs a Host header",
            ));
        }
        Some(value) if !is_authority(value.as_bytes()) => {
            return Some(Problem::bad_request(
                "the Host header is not a valid host[:port]",
            ));
        }
        _ => {}
    }
    // The target's own authority: HTTP/1.1's absolute form, HTTP/2's `:authority`.
    let authority = request.uri().authority()?;
    if !is_authority(authority.as_str().as_bytes()) {
        return Some(Problem::bad_request(
            "the request target's authority is not a valid host[:port]",
        ));
    }
    // RFC 9113 §8.3.1: a server should treat a Host that differs from `:authority` as
    // malformed. (HTTP/1.1 says the absolute form wins over Host, RFC 9112 §3.2.2.)
    let differs = host.is_some_and(|h| {
        !h.as_bytes()
            .eq_ignore_ascii_case(authority.as_str().as_bytes())
    });
    if request.version() == Version::HTTP_2 && differs {
        return Some(Problem::bad_request(
            "Host and :authority name different hosts",
        ));
    }
    None
}

/// Whether `value` is `uri-host [":" port]` (RFC 9110 §7.2, RFC 3986 §3.2.2): a reg-name, an
/// IPv4 address (a reg-name by syntax) or a bracketed IPv6 address, then an optional port.
///
/// Written out rather than borrowed: `url`'s WHATWG host parser normalises (IDNA, percent
/// decoding, `0x7f.1`) and lets through `"`, `{`, `` ` ``; `http::uri::Authority` accepts a
/// userinfo `@`. A host must be checked as sent, not repaired.
fn is_authority(value: &[u8]) -> bool {
    let (host_ok, rest) = match value.strip_prefix(b"[") {
        Some(literal) => {
            let Some(close) = literal.iter().position(|b| *b == b']') else {
                return false;
            };
            // IPv6 only: IPvFuture (`[v1.…]`) names no address anyone routes to.
            let ipv6 = std::str::from_utf8(&literal[..close])
                .is_ok_and(|s| s.parse::<std::net::Ipv6Addr>().is_ok());
            (ipv6, &literal[close + 1..])
        }
        None => {
            let end = value.iter().position(|b| *b == b':').unwrap_or(value.len());
            let name = &value[..end];
            (
                !name.is_empty() && name.iter().all(|b| is_reg_name_byte(*b)),
                &value[end..],
            )
        }
    };
    let port_ok = match rest {
        [] => true,
        [b':', port @ ..] => {
            // `*DIGIT`: empty is allowed; `u16::from_str` alone would also take a `+`.
            port.is_empty()
                || (port.iter().all(u8::is_ascii_digit)
                    && std::str::from_utf8(port).is_ok_and(|p| p.parse::<u16>().is_ok()))
        }
        _ => false,
    };
    host_ok && port_ok
}

/// A byte of a reg-name: unreserved or sub-delims. Two that the grammar allows are refused: `,`
/// is how a proxy joins two Host lines into one (a repeated Host in disguise), and `%` (a
/// pct-encoded byte) names nothing DNS resolves and would let `%00` through.
fn is_reg_name_byte(b: u8) -> bool {
    REG_NAME[usize::from(b)]
}

/// [`is_reg_name_byte`] for each byte, one lookup: every request's `Host` is checked, and a
/// search of the punctuation for each `.` of an address cost more than the rest of the check.
const REG_NAME: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b';'
                    | b'='
            );
        b += 1;
    }
    table
};

/// Marks a response so that hyper closes the connection after writing it.
pub fn close<B>(mut response: Response<B>) -> Response<B> {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

#[cfg(test)]
mod tests {
    use super::{is_authority, is_reg_name_byte};

    /// Every byte: a reg-name's are the letters, the digits, the unreserved and the
    /// sub-delims of RFC 3986 less `,` and `%`; nothing else, nothing above ASCII.
    #[test]
    fn a_reg_name_has_the_bytes_of_the_grammar() {
        let unreserved_and_sub_delims = "-._~!$&'()*+;=";
        for b in 0..=u8::MAX {
            let expected =
                b.is_ascii_alphanumeric() || unreserved_and_sub_delims.as_bytes().contains(&b);
            assert_eq!(is_reg_name_byte(b), expected, "byte {b:#04x}");
        }
        assert!("sub.example-1.com".bytes().all(is_reg_name_byte));
    }

    #[test]
    fn knows_a_host_from_anything_else() {
        for good in [
            "x",
            "example.com",
            "EXAMPLE.com:8080",
            "127.0.0.1",
            "127.0.0.1:1",
            "[::1]",
            "[::1]:8080",
            "[2001:db8::7]:65535",
            "a-b_c~d.e",
            "x:",
            "x:0",
        ] {
            assert!(is_authority(good.as_bytes()), "{good:?}");
        }
        for bad in [
            "",
            ":80",
            "a b",
            "a/b@c",
            "user@x",
            "user:pw@x",
            "x:99999",
            "x:abc",
            "x:+80",
            "x:-1",
            "x:80:80",
            "x,y",
            "x, y",
            "a\tb",
            "a\x01b",
            "x?y",
            "x#y",
            "x\\y",
            "\"x\"",
            "x%00",
            "[::1",
            "[zz]",
            "[v1.x]",
            "[::1]x",
            "[::1]:abc",
            "caf\u{e9}",
        ] {
            assert!(!is_authority(bad.as_bytes()), "{bad:?}");
        }
    }
}
