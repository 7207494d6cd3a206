//! Connection timers on the connections hyper serves (HTTP/2, and first bytes that did not
//! tell; the HTTP/1.1 connection loop runs the same limits as waits of its own): how long a client may take
//! to send a request head, how long a keep-alive connection may sit idle between requests,
//! and how long a write may wait on a client that does not read its answers.
//!
//! hyper's own `header_read_timeout` starts counting again as soon as a connection goes idle,
//! so with it alone the idle limit and the header limit are one number. [`Timed`] keeps them
//! apart by watching the connection's bytes and its requests in flight:
//!
//! - from accept to the end of the first request head: `header_read_timeout`;
//! - from the first byte of a later head to its end: `header_read_timeout`;
//! - with no request in flight, no head begun and no write waiting on the client, from the last
//!   byte read or written: `idle_timeout`;
//! - on HTTP/2, with no request in flight, from the last request activity: a request begun or
//!   finished, or an answer's HEADERS or DATA frame written: `idle_timeout`. PINGs, SETTINGS
//!   and WINDOW_UPDATEs are bytes, not activity, so a client cannot hold a connection (and a
//!   place under the cap) with them alone;
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
    /// When a request last began or ended.
    changed: Mutex<Option<Instant>>,
    /// The connection's task, as of its last pending read.
    reader: Mutex<Option<Waker>>,
}

impl Requests {
    /// Marks a request as being handled until the returned guard is dropped.
    pub fn begin(self: &Arc<Self>) -> InFlight {
        self.started.fetch_add(1, Ordering::AcqRel);
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.touch();
        InFlight(self.clone())
    }

    fn touch(&self) {
        *self.changed.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
    }

    fn changed(&self) -> Option<Instant> {
        *self.changed.lock().unwrap_or_else(|p| p.into_inner())
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
        self.0.touch();
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

/// What the connection's writes are, decided at its first write: by then an HTTP/2 client has
/// sent its whole preface (hyper-util reads it before choosing the protocol), and the server's
/// first frame starts the written bytes. Behind TLS, ALPN's choice says so from the start
/// ([`Guarded::negotiated_http2`]).
#[derive(Debug)]
enum Outbound {
    Undecided,
    Http1,
    Http2(Frames),
}

/// Follows HTTP/2 frame boundaries (RFC 9113 §4.1: a 24-bit length, a type, flags, a stream)
/// in the bytes written, to tell answers from connection upkeep.
#[derive(Debug, Default)]
struct Frames {
    header: [u8; 9],
    have: usize,
    /// Payload bytes of the current frame still to come.
    skip: usize,
}

impl Frames {
    /// Follows `bytes`; whether a frame that carries an answer (HEADERS, CONTINUATION, DATA)
    /// began in them.
    fn feed(&mut self, mut bytes: &[u8]) -> bool {
        let mut answer = false;
        while !bytes.is_empty() {
            if self.skip > 0 {
                let n = self.skip.min(bytes.len());
                self.skip -= n;
                bytes = &bytes[n..];
                continue;
            }
            let n = (self.header.len() - self.have).min(bytes.len());
            self.header[self.have..self.have + n].copy_from_slice(&bytes[..n]);
            self.have += n;
            bytes = &bytes[n..];
            if self.have == self.header.len() {
                let [a, b, c, kind, ..] = self.header;
                self.skip = u32::from_be_bytes([0, a, b, c]) as usize;
                self.have = 0;
                // DATA, HEADERS, CONTINUATION.
                answer |= matches!(kind, 0x0 | 0x1 | 0x9);
            }
        }
        answer
    }
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
    outbound: Outbound,
    /// When an HTTP/2 answer frame was last written.
    answered: Option<Instant>,
}

/// The connection's limits, as [`Timed`] needs them.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// When the connection was accepted: the first head's limit counts from here.
    pub accepted: Instant,
    /// From accept to the first request head, and from a later head's first byte to its end.
    pub header_read: Duration,
    /// How long a keep-alive connection may sit idle between requests.
    pub idle: Duration,
    /// How long a write may wait on a client that does not read.
    pub send: Duration,
}

impl<S> Timed<S> {
    /// Puts `inner` under the timers; the requests handle returned tells it when requests start and
    /// end.
    pub fn new(inner: Guarded<S>, timeouts: Timeouts) -> (Timed<S>, Arc<Requests>) {
        let requests = Arc::new(Requests::default());
        (
            Timed {
                inner,
                requests: requests.clone(),
                header_read_timeout: timeouts.header_read,
                idle_timeout: timeouts.idle,
                send_timeout: timeouts.send,
                accepted: timeouts.accepted,
                last_io: timeouts.accepted,
                head_started: None,
                write_waiting: false,
                timer: None,
                stall: None,
                outbound: Outbound::Undecided,
                answered: None,
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
        if self.inner.http2() {
            let last = self.requests.changed().max(self.answered);
            let last = last.unwrap_or(self.accepted);
            return Some((last + self.idle_timeout, Limit::Idle));
        }
        match self.head_started {
            Some(start) if self.inner.reading_head() => {
                Some((start + self.header_read_timeout, Limit::Head))
            }
            _ => Some((self.last_io + self.idle_timeout, Limit::Idle)),
        }
    }

    /// Notes what a write accepted: progress for the timers, answers for HTTP/2's idle timer.
    fn wrote<'a>(
        &mut self,
        cx: &Context<'_>,
        poll: &Poll<io::Result<usize>>,
        bufs: impl Iterator<Item = &'a [u8]>,
    ) {
        self.write_done(cx, poll.is_pending());
        let Poll::Ready(Ok(n)) = *poll else { return };
        if n == 0 {
            return;
        }
        let now = Instant::now();
        self.last_io = now;
        if matches!(self.outbound, Outbound::Undecided) {
            self.outbound = if self.inner.http2() {
                Outbound::Http2(Frames::default())
            } else {
                Outbound::Http1
            };
        }
        if let Outbound::Http2(frames) = &mut self.outbound {
            let mut left = n;
            let mut answer = false;
            for buf in bufs {
                let take = left.min(buf.len());
                answer |= frames.feed(&buf[..take]);
                left -= take;
                if left == 0 {
                    break;
                }
            }
            if answer {
                self.answered = Some(now);
            }
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
        self.wrote(cx, &poll, std::iter::once(data));
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
        self.wrote(cx, &poll, bufs.iter().map(|b| &**b));
        self.stalled(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::Frames;

    #[test]
    fn tells_answers_from_upkeep_however_the_frames_are_written() {
        let frame = |kind: u8, len: usize| {
            let mut f = vec![
                (len >> 16) as u8,
                (len >> 8) as u8,
                len as u8,
                kind,
                0,
                0,
                0,
                0,
                1,
            ];
            f.extend(std::iter::repeat_n(kind, len));
            f
        };
        // SETTINGS, a PING ack, a WINDOW_UPDATE: upkeep. Payloads that look like frames are
        // skipped.
        let upkeep = [frame(0x4, 6), frame(0x6, 8), frame(0x8, 4), frame(0x4, 0)].concat();
        let answer = [frame(0x1, 30), frame(0x0, 300)].concat();
        for size in [1, 2, 5, 9, 10, 64, 10_000] {
            let mut f = Frames::default();
            assert!(
                !upkeep.chunks(size).any(|c| f.feed(c)),
                "read {size} at a time"
            );
            let mut seen = false;
            for c in answer.chunks(size) {
                seen |= f.feed(c);
            }
            assert!(seen, "read {size} at a time");
            assert!(
                !upkeep.chunks(size).any(|c| f.feed(c)),
                "read {size} at a time"
            );
        }
    }
}
