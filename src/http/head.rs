//! A request's head, copied out of hyper's read buffer (on the connections hyper serves).
//!
//! hyper hands a request's URI and header values out as slices of the buffer it read the head
//! into (as h2 does with the frame it decoded them from). While one of them is alive the
//! buffer cannot be read into again, and hyper reads on while a request is in flight, to
//! notice a client that hangs up: it then allocates a second 8 KB buffer. A request waiting on
//! a vendor would hold 16 KB of read buffers where 8 KB serve, tens of megabytes under a few
//! thousand connections. Copying the head's few hundred bytes into one allocation of its own,
//! before hyper reads again, leaves the buffer free for that read.

use bytes::{Bytes, BytesMut};
use http::uri::{Authority, PathAndQuery};
use http::{HeaderValue, Request, Uri};

/// `request` with its URI and header values in one allocation of their own. A part that does
/// not parse again (it always does: each was parsed from the same bytes) stays as it was.
pub fn detach<B>(request: Request<B>) -> Request<B> {
    let (mut parts, body) = request.into_parts();
    let values: usize = parts.headers.values().map(HeaderValue::len).sum();
    let mut buf = BytesMut::with_capacity(uri_len(&parts.uri) + values);
    if let Some(uri) = detached_uri(&parts.uri, &mut buf) {
        parts.uri = uri;
    }
    for value in parts.headers.values_mut() {
        if let Ok(mut copy) = HeaderValue::from_maybe_shared(copied(&mut buf, value.as_bytes())) {
            copy.set_sensitive(value.is_sensitive());
            *value = copy;
        }
    }
    Request::from_parts(parts, body)
}

/// The bytes of `uri` that may share a read buffer: its authority and path and query.
fn uri_len(uri: &Uri) -> usize {
    uri.authority().map_or(0, |a| a.as_str().len())
        + uri.path_and_query().map_or(0, |p| p.as_str().len())
}

/// A copy of `uri` whose scheme, authority and path and query lie in `buf`; `None` if one
/// of them does not parse again.
fn detached_uri(uri: &Uri, buf: &mut BytesMut) -> Option<Uri> {
    let mut parts = http::uri::Parts::default();
    // A scheme other than http or https is held as bytes; parsing it again copies them.
    parts.scheme = uri.scheme_str().map(str::parse).transpose().ok()?;
    parts.authority = uri
        .authority()
        .map(|a| Authority::from_maybe_shared(copied(buf, a.as_str().as_bytes())))
        .transpose()
        .ok()?;
    parts.path_and_query = uri
        .path_and_query()
        .map(|p| PathAndQuery::from_maybe_shared(copied(buf, p.as_str().as_bytes())))
        .transpose()
        .ok()?;
    Uri::from_parts(parts).ok()
}

/// `bytes`, appended to `buf` and split off it: a slice of `buf`'s one allocation.
fn copied(buf: &mut BytesMut, bytes: &[u8]) -> Bytes {
    buf.extend_from_slice(bytes);
    buf.split().freeze()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request whose URI and header values are slices of `wire`, as hyper's are of its read
    /// buffer.
    fn read_from(wire: &Bytes, uri: std::ops::Range<usize>) -> Request<()> {
        let mut request = Request::new(());
        *request.uri_mut() = Uri::from_maybe_shared(wire.slice(uri)).expect("a URI");
        let headers = request.headers_mut();
        let key = HeaderValue::from_maybe_shared(wire.slice(37..47)).expect("a value");
        headers.insert("x-api-key", key);
        let host = HeaderValue::from_maybe_shared(wire.slice(48..57)).expect("a value");
        headers.insert("host", host);
        headers.append(
            "accept",
            HeaderValue::from_maybe_shared(wire.slice(58..74)).expect("a value"),
        );
        headers
            .get_mut("x-api-key")
            .expect("set")
            .set_sensitive(true);
        request
    }

    const WIRE: &[u8] =
        b"/v1/upstreams/chat/webhooks?limit=10 0123456789 127.0.0.1 application/json";

    #[test]
    fn leaves_nothing_in_the_read_buffer_and_changes_nothing() {
        for (uri, expected) in [
            (0..36, "/v1/upstreams/chat/webhooks?limit=10"),
            (0..27, "/v1/upstreams/chat/webhooks"),
        ] {
            let wire = Bytes::from(WIRE.to_vec());
            let request = read_from(&wire, uri);
            assert!(!wire.is_unique());
            let request = detach(request);
            assert!(
                wire.is_unique(),
                "a part of the head still holds the buffer"
            );
            assert_eq!(request.uri(), expected);
            let h = request.headers();
            assert_eq!(h["x-api-key"], "0123456789");
            assert!(h["x-api-key"].is_sensitive());
            assert_eq!(h["host"], "127.0.0.1");
            assert!(!h["host"].is_sensitive());
            assert_eq!(h["accept"], "application/json");
        }
    }

    #[test]
    fn copies_every_form_of_uri_whole() {
        for text in [
            "http://127.0.0.1:8080/v1/upstreams?x=1",
            "http://example.com",
            "other+scheme://example.com/x",
            "example.com:443",
            "*",
        ] {
            let wire = Bytes::from(text.as_bytes().to_vec());
            let mut request = Request::new(());
            *request.uri_mut() = Uri::from_maybe_shared(wire.clone()).expect("a URI");
            let source = request.uri().clone();
            let request = detach(request);
            assert_eq!(request.uri(), &source, "{text}");
            assert_eq!(request.uri().scheme(), source.scheme(), "{text}");
            assert_eq!(request.uri().authority(), source.authority(), "{text}");
            drop(source);
            assert!(wire.is_unique(), "{text}: the URI still holds the buffer");
        }
    }
}
