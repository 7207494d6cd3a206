//! A request's body as a handler receives it: already read, still to be read from an
//! HTTP/1.1 connection, or streamed by hyper (HTTP/2).
//!
//! Handlers read bodies whole, with a size and a time limit (`body::read_limited`),
//! and only once they know the request is theirs and authenticated: a body is never read for
//! a request that is refused first. An HTTP/1.1 body that arrived with its head is handed over
//! as it lies in the connection's buffer; one still on its way is read when the handler asks
//! for it, by a future that borrows the connection for as long as it reads.

use bytes::Bytes;
use hyper::body::{Frame, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

/// A future reading the rest of a body from its connection.
type Reading = Pin<Box<dyn Future<Output = Result<Bytes, IncomingError>> + Send>>;

/// A request body.
pub struct Incoming(Kind);

enum Kind {
    /// Read already; `None` once handed out, or for a request without a body.
    Whole(Option<Bytes>),
    /// To be read from an HTTP/1.1 connection.
    Reading(Reading),
    /// hyper's (HTTP/2 and connections whose protocol hyper told).
    Streamed(hyper::body::Incoming),
}

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum IncomingError {
    /// The body is larger than this many bytes.
    #[error("the body is larger than {0} bytes")]
    TooLarge(usize),
    /// The connection failed, closed or framed the body wrongly before its end.
    #[error("{0}")]
    Broken(String),
    /// hyper's stream failed.
    #[error(transparent)]
    Streamed(#[from] hyper::Error),
}

impl Incoming {
    /// A request without a body.
    pub fn empty() -> Incoming {
        Incoming(Kind::Whole(None))
    }

    /// A body read whole.
    pub fn whole(bytes: Bytes) -> Incoming {
        Incoming(Kind::Whole((!bytes.is_empty()).then_some(bytes)))
    }

    /// A body that `reading` reads whole when it is first polled.
    pub fn reading(
        reading: impl Future<Output = Result<Bytes, IncomingError>> + Send + 'static,
    ) -> Incoming {
        Incoming(Kind::Reading(Box::pin(reading)))
    }
}

impl From<hyper::body::Incoming> for Incoming {
    fn from(incoming: hyper::body::Incoming) -> Incoming {
        Incoming(Kind::Streamed(incoming))
    }
}

impl hyper::body::Body for Incoming {
    type Data = Bytes;
    type Error = IncomingError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, IncomingError>>> {
        let kind = &mut self.get_mut().0;
        match kind {
            Kind::Whole(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Kind::Reading(reading) => {
                let read = ready!(reading.as_mut().poll(cx));
                *kind = Kind::Whole(None);
                Poll::Ready(Some(read.map(Frame::data)))
            }
            Kind::Streamed(incoming) => Pin::new(incoming)
                .poll_frame(cx)
                .map_err(IncomingError::from),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.0 {
            Kind::Whole(bytes) => bytes.is_none(),
            Kind::Reading(_) => false,
            Kind::Streamed(incoming) => incoming.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.0 {
            Kind::Whole(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            Kind::Reading(_) => SizeHint::default(),
            Kind::Streamed(incoming) => incoming.size_hint(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn gives_what_it_holds_once_and_then_ends() {
        let body = Incoming::whole(Bytes::from_static(b"{}"));
        assert!(!hyper::body::Body::is_end_stream(&body));
        assert_eq!(body.collect().await.expect("read").to_bytes(), "{}");
        assert!(hyper::body::Body::is_end_stream(&Incoming::whole(
            Bytes::new()
        )));
        let read = Incoming::reading(async { Ok(Bytes::from_static(b"late")) });
        assert_eq!(read.collect().await.expect("read").to_bytes(), "late");
        let failed = Incoming::reading(async { Err(IncomingError::TooLarge(3)) });
        let error = failed.collect().await.expect_err("too large");
        assert!(matches!(error, IncomingError::TooLarge(3)));
    }
}
