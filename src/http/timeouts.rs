//! Connection timers: how long a client may take to send a request head, how long a
//! keep-alive connection may sit idle between requests, and how long a write may wait on a
//! client that does not read its answers.
//!
//! hyper's own `header_read_timeout` starts counting again as soon as a connection goes idle,
//! so with it alone the idle limit and the header limit are one number. [`Timed`] keeps them
//! apart by watching the connection's bytes and its requests in flight:
//!
//! - from accept to the end of the first request head: `header_read_timeout`;
//! - from the first byte of a later head to its end: `header_read_timeout`;
//! - with no request in flight, no head begun and no write waiting on the client, from the last
//!   byte read or written: `idle_timeout`;
//! - while a write waits on the client, from when it stopped making progress:
//!   `send_timeout`, whatever else is going on, a request in flight included.
//!
//! While a request is being handled or its answer is being written, neither the idle nor the
//! header timer runs. When one expires, the read side reports the end of the stream (idle) or
//! a timeout error (a head cut short), and hyper closes the connection; when the send timer
//! expires, the write fails with a timeout error, and hyper drops the connection.
//!
//! hyper does not read again when a connection goes idle if its last read was pending (it
//! does only when its own header timer is on), so the end of a request and the end of a
//! blocked write wake the connection: its next read then starts the idle timer.

use super::framing::Guarded;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// The requests of one connection, counted by its service.
#[derive(Debug, Default)]
pub struct Requests {
    in_flight: AtomicUsize,
    started: AtomicUsize,
    /// The connection's task, as of its last pending read.
    reader: Mutex<Option<Waker>>,
}

impl Requests {
    /// Marks a request as being handled until the returned guard is dropped.
    pub fn begin(self: &Arc<Self>) -> InFlight {
        self.started.fetch_add(1, Ordering::AcqRel);
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(self.clone())
    }

    fn park(&self, waker: &Waker) {
        let mut reader = self.reader.lock().unwrap_or_else(|p| p.into_inner());
        if !reader.as_ref().is_some_and(|w| w.will_wake(waker)) {
            *reader = Some(waker.clone());
        }
    }
}

/// A request being handled; dropping it ends it.
pub struct InFlight(Arc<Requests>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            let reader = self.0.reader.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(waker) = reader.as_ref() {
                waker.wake_by_ref();
            }
        }
    }
}

/// Which limit a deadline enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Limit {
    Idle,
    Head,
}

/// A connection under the timers.
pub struct Timed<S> {
    inner: Guarded<S>,
    requests: Arc<Requests>,
    header_read_timeout: Duration,
    idle_timeout: Duration,
    send_timeout: Duration,
    accepted: Instant,
    last_io: Instant,
    head_started: Option<Instant>,
    write_waiting: bool,
    timer: Option<Pin<Box<Sleep>>>,
    /// Runs from the first pending write until a write makes progress.
    stall: Option<Pin<Box<Sleep>>>,
}

/// The connection's limits, as [`Timed`] needs them.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub header_read: Duration,
    pub idle: Duration,
    pub send: Duration,
}

impl<S> Timed<S> {
    pub fn new(inner: Guarded<S>, timeouts: Timeouts) -> (Timed<S>, Arc<Requests>) {
        let requests = Arc::new(Requests::default());
        let now = Instant::now();
        (
            Timed {
                inner,
                requests: requests.clone(),
                header_read_timeout: timeouts.header_read,
                idle_timeout: timeouts.idle,
                send_timeout: timeouts.send,
                accepted: now,
                last_io: now,
                head_started: None,
                write_waiting: false,
                timer: None,
                stall: None,
            },
            requests,
        )
    }

    /// The read-side deadline that applies now, if any.
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

    fn wrote(&mut self, cx: &Context<'_>, poll: &Poll<io::Result<usize>>) {
        self.write_done(cx, poll.is_pending());
        if matches!(poll, Poll::Ready(Ok(n)) if *n > 0) {
            self.last_io = Instant::now();
        }
    }

    fn write_done(&mut self, cx: &Context<'_>, pending: bool) {
        if self.write_waiting && !pending {
            cx.waker().wake_by_ref();
        }
        self.write_waiting = pending;
    }

    /// Holds a pending write to the send timeout: pending until it expires, then a timeout
    /// error, which makes hyper drop the connection. Any progress stops the timer.
    fn stalled<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if poll.is_ready() {
            self.stall = None;
            return poll;
        }
        let timeout = self.send_timeout;
        let stall = self
            .stall
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match stall.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client did not read its answer in time",
            ))),
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
        this.requests.park(cx.waker());
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
        self.wrote(cx, &poll);
        self.stalled(cx, poll)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_flush(cx);
        self.write_done(cx, poll.is_pending());
        self.stalled(cx, poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.stalled(cx, poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.wrote(cx, &poll);
        self.stalled(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
