//! Connection timers: how long a client may take to send a request head, and how long a
//! keep-alive connection may sit idle between requests.
//!
//! hyper's own `header_read_timeout` starts counting again as soon as a connection goes idle,
//! so with it alone the idle limit and the header limit are one number. [`Timed`] keeps them
//! apart by watching the connection's bytes and its requests in flight:
//!
//! - from accept to the end of the first request head: `header_read_timeout`;
//! - from the first byte of a later head to its end: `header_read_timeout`;
//! - with no request in flight, no head begun and no write waiting on the client, from the last
//!   byte read or written: `idle_timeout`.
//!
//! While a request is being handled or its answer is being written, neither runs. When one
//! expires, the read side reports the end of the stream (idle) or a timeout error (a head cut
//! short), and hyper closes the connection.

use super::framing::Guarded;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// The requests of one connection, counted by its service.
#[derive(Debug, Default)]
pub struct Requests {
    in_flight: AtomicUsize,
    started: AtomicUsize,
}

impl Requests {
    /// Marks a request as being handled until the returned guard is dropped.
    pub fn begin(self: &Arc<Self>) -> InFlight {
        self.started.fetch_add(1, Ordering::AcqRel);
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(self.clone())
    }
}

/// A request being handled; dropping it ends it.
pub struct InFlight(Arc<Requests>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Which limit a deadline enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Limit {
    Idle,
    Head,
}

/// A connection under the two timers.
pub struct Timed<S> {
    inner: Guarded<S>,
    requests: Arc<Requests>,
    header_read_timeout: Duration,
    idle_timeout: Duration,
    accepted: Instant,
    last_io: Instant,
    head_started: Option<Instant>,
    write_waiting: bool,
    timer: Option<Pin<Box<Sleep>>>,
}

impl<S> Timed<S> {
    pub fn new(
        inner: Guarded<S>,
        header_read_timeout: Duration,
        idle_timeout: Duration,
    ) -> (Timed<S>, Arc<Requests>) {
        let requests = Arc::new(Requests::default());
        let now = Instant::now();
        (
            Timed {
                inner,
                requests: requests.clone(),
                header_read_timeout,
                idle_timeout,
                accepted: now,
                last_io: now,
                head_started: None,
                write_waiting: false,
                timer: None,
            },
            requests,
        )
    }

    /// The deadline that applies now, if any.
    fn deadline(&self) -> Option<(Instant, Limit)> {
        if self.requests.in_flight.load(Ordering::Acquire) > 0 || self.write_waiting {
            return None;
        }
        if self.requests.started.load(Ordering::Acquire) == 0 {
            let limit = if self.inner.reading_head() {
                Limit::Head
            } else {
                Limit::Idle
            };
            return Some((self.accepted + self.header_read_timeout, limit));
        }
        match self.head_started {
            Some(start) if self.inner.reading_head() => {
                Some((start + self.header_read_timeout, Limit::Head))
            }
            _ => Some((self.last_io + self.idle_timeout, Limit::Idle)),
        }
    }

    fn wrote(&mut self, poll: &Poll<io::Result<usize>>) {
        self.write_waiting = poll.is_pending();
        if matches!(poll, Poll::Ready(Ok(n)) if *n > 0) {
            self.last_io = Instant::now();
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Timed<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        let was_in_head = this.inner.reading_head();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    let now = Instant::now();
                    this.last_io = now;
                    this.head_started = match (was_in_head, this.inner.reading_head()) {
                        (false, true) => Some(now),
                        (_, false) => None,
                        (true, true) => this.head_started,
                    };
                }
                this.timer = None;
                return Poll::Ready(Ok(()));
            }
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => {}
        }
        let Some((deadline, limit)) = this.deadline() else {
            this.timer = None;
            return Poll::Pending;
        };
        let timer = this
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if timer.deadline() != deadline {
            timer.as_mut().reset(deadline);
        }
        if timer.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        this.timer = None;
        match limit {
            // Nothing half-read is lost: end the stream, and hyper closes it cleanly.
            Limit::Idle => Poll::Ready(Ok(())),
            Limit::Head => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the request head was not received in time",
            ))),
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Timed<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, data);
        self.wrote(&poll);
        poll
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_flush(cx);
        self.write_waiting = poll.is_pending();
        poll
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.wrote(&poll);
        poll
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
