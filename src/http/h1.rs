//! HTTP/1.1 connections, served by a loop of hookgate's own: a head read and parsed
//! (httparse, the parser hyper itself uses), its request handed to the handler, the answer
//! written in one write, the next head read from what is left.
//!
//! Hand-written rather than served by hyper's HTTP/1 server: hyper parses a head into a
//! buffer it owns, so each request's head had to be copied out of it ([`super::head`]), and
//! the framing it resolves silently had to be followed a second time on the raw bytes
//! ([`super::framing`]), the timers on a wrapper around the stream ([`super::timeouts`]);
//! with its dispatcher, that was about a third of a translated request's instructions
//! (docs/performance.md). Here the head's fields are slices of the connection's buffer,
//! framing is decided once from the parsed head, and the timers are the loop's own waits.
//! HTTP/2 (by its preface or by ALPN) and a connection whose first bytes do not yet tell stay
//! with hyper.
//!
//! What the loop holds to (RFC 9112, and what hyper did before it):
//!
//! - **Framing.** `Content-Length` and `Transfer-Encoding` together, a repeated or unreadable
//!   `Content-Length`, a transfer coding other than a final `chunked`, `chunked` applied more
//!   than once (`chunked, chunked`, on one line or two), or a transfer coding in an HTTP/1.0
//!   request: answered 400 and the connection closed, since where the next request begins is
//!   no longer certain. A head over `max_header_bytes` or with more than 100 fields is answered
//!   431; a head httparse refuses (obs-fold, bad tokens, HTTP/2.0 on the request line), 400.
//! - **Timers.** The first head must be whole within `header_read_timeout` of the accept; a
//!   later one within it of its first byte; between requests the connection may sit idle for
//!   `idle_timeout`; a write that makes no progress for `send_timeout` closes it. A head cut
//!   short or never sent closes without an answer. While a request is handled no timer runs
//!   (its body has its own time limit, [`super::body::read_limited`]).
//! - **Bodies.** Read only when the handler asks ([`Incoming`]); `Expect: 100-continue` is
//!   answered when it does. A body left unread closes the connection after the answer.
//! - **Clients that go away.** While a request is handled the connection is read on, into
//!   its buffer (at most `max_header_bytes` of it): an end there, or of the client's sending
//!   side, drops the handler's future, and with it any vendor call it waits on.
//! - **Keep-alive.** HTTP/1.1 unless either side says `close`; HTTP/1.0 only with
//!   `keep-alive`. Pipelined requests are answered in order. A draining listener closes an
//!   idle connection at once and a busy one after its answer.
//! - **Answers.** `Content-Length` (none for 1xx, 204 and 304; no body after HEAD), `Date`,
//!   and `Connection: close` when the connection will close. A connection closes with a
//!   lingering read (nginx's `lingering_close`): a client still sending a body it was refused
//!   reads its answer instead of a reset.

use super::body::Body;
use super::framing::MAX_CHUNK_LINE;
use super::handler::{Handler, Hangup, Limits, Secure};
use super::inbound::{Incoming, IncomingError};
use super::wire::{self, BodyFraming};
use super::{edge, headers, respond};
use crate::problem::Problem;
use bytes::{BufMut, Bytes, BytesMut};
use http::{HeaderMap, Method, Request, Response, Uri, Version, header};
use std::io::{self, IoSlice};
use std::mem::MaybeUninit;
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

/// Most header fields a request may have (hyper's bound too).
const MAX_HEADERS: usize = 100;
/// What the connection's buffer holds at least room for when it reads: a request head and a
/// small body, in one read. Kept small: thousands of connections each hold one.
const READ_AHEAD: usize = 4096;
/// On a stream that cannot take several slices in one write, bodies up to this size are copied
/// behind the head into one write; larger ones follow it in a second.
const COPIED_BODY: usize = 64 * 1024;
/// How long, and how much, a closing connection reads and drops before it closes.
const LINGER: Duration = Duration::from_millis(500);
const LINGER_BYTES: usize = 64 * 1024;

/// A connection's stream and the bytes read from it and not yet used.
struct Conn<S> {
    io: S,
    buf: BytesMut,
    /// Whether the current request's body was read to its end.
    body_done: bool,
}

/// A connection lent to a body while the handler reads it: where it is kept between reads,
/// and the bell rung each time it is put back.
struct Lent<S> {
    conn: Mutex<Option<Conn<S>>>,
    back: Notify,
}

impl<S> Lent<S> {
    fn take(&self) -> Option<Conn<S>> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    fn put_back(&self, conn: Conn<S>) {
        *self.conn.lock().unwrap_or_else(|p| p.into_inner()) = Some(conn);
        self.back.notify_one();
    }
}

/// Where the connection is while its request is handled.
enum Held<S> {
    /// With the loop: the body, if any, was read with the head.
    Here(Conn<S>),
    /// With the body, to read the rest of it when the handler asks.
    Lent(Arc<Lent<S>>),
}

/// `request`, marked [`Secure`] when its connection is TLS. A function of its own: the request
/// is built and moved on within it, so the connection's loop keeps no room for a second one.
fn marked<B>(mut request: Request<B>, secure: bool) -> Request<B> {
    if secure {
        request.extensions_mut().insert(Secure);
    }
    request
}

/// A byte stream an HTTP/1.1 connection is served over, and whether it is TLS: known from its
/// type, so that a connection's state keeps nothing for it.
pub trait Transport: AsyncRead + AsyncWrite + Unpin + Send + 'static {
    /// Requests over it are marked [`Secure`].
    const SECURE: bool;
}

impl Transport for tokio::net::TcpStream {
    const SECURE: bool = false;
}

impl Transport for Box<tokio_rustls::server::TlsStream<tokio::net::TcpStream>> {
    const SECURE: bool = true;
}

#[cfg(test)]
impl Transport for tokio::io::DuplexStream {
    const SECURE: bool = false;
}

/// Serves one HTTP/1.1 connection to its end. `accepted` starts the first head's timer;
/// `drain` turns true when the listener drains.
pub async fn serve<S, H>(
    io: S,
    handler: Arc<H>,
    limits: Limits,
    accepted: Instant,
    mut drain: watch::Receiver<bool>,
) where
    S: Transport,
    H: Handler,
{
    let mut conn = Conn {
        io,
        buf: BytesMut::with_capacity(READ_AHEAD),
        body_done: true,
    };
    let mut names = Vec::new();
    // Until a head's first byte: the first head's whole limit, then the idle limit.
    let mut quiet_until = accepted + limits.header_read_timeout;
    let mut first = true;
    // One timer for every wait for a head: moved later between requests, which the runtime
    // does without taking its lock, rather than a timer made, registered and removed for each.
    let mut timer = std::pin::pin!(tokio::time::sleep_until(quiet_until));
    loop {
        let request = match next_head(
            &mut conn,
            &limits,
            Waits {
                quiet_until,
                first,
                timer: timer.as_mut(),
                drain: &mut drain,
            },
            &mut names,
        )
        .await
        {
            Next::Request(request) => request,
            Next::Refused(unreadable) => {
                let form = Form {
                    head_only: false,
                    version: Version::HTTP_11,
                };
                return closing(conn, unreadable.answer(), form, limits.send_timeout).await;
            }
            Next::Gone => return,
        };
        first = false;
        let form = Form {
            head_only: request.method() == Method::HEAD,
            version: request.version(),
        };
        let framing = match admit(&request, limits.max_body_bytes) {
            Ok(framing) => framing,
            Err(problem) => {
                let request_id = headers::request_id(request.headers());
                let answer = respond::refused_at_edge(
                    problem.status(),
                    handler.edge_refusal(request.uri().path(), &problem, &request_id),
                    &request_id,
                    (request.method().as_str(), request.uri().path()),
                );
                return closing(conn, answer, form, limits.send_timeout).await;
            }
        };
        let mut keep = keeps_alive(&request) && request.method() != Method::CONNECT;
        let continues = expects_continue(&request);
        let (body, mut held) = match framing {
            BodyFraming::Length(0) => (Incoming::empty(), Held::Here(conn)),
            BodyFraming::Length(n) if conn.buf.len() >= n => {
                let body = conn.buf.split_to(n).freeze();
                (Incoming::whole(body), Held::Here(conn))
            }
            framing => {
                conn.body_done = false;
                let lent = Arc::new(Lent {
                    conn: Mutex::new(Some(conn)),
                    back: Notify::new(),
                });
                let reading = read_body(lent.clone(), framing, limits.max_body_bytes, continues);
                (Incoming::reading(reading), Held::Lent(lent))
            }
        };
        // Boxed, each: the loop's own future would otherwise keep room for the handler's, a
        // few kilobytes, and for the watch on the client, for as long as the connection is
        // open. Apart, since the handler's future is created in its box: moved into the
        // watch's it would be copied twice more on every request.
        let handling = Box::pin(
            handler
                .clone()
                .handle(marked(request.map(|()| body), S::SECURE)),
        );
        let answered = Box::pin(attend(handling, &mut held, limits.max_header_bytes)).await;
        let Some(answer) = answered else { return };
        conn = match held {
            Held::Here(conn) => conn,
            Held::Lent(lent) => match lent.take() {
                Some(conn) => conn,
                None => return, // the body kept it: cannot happen once the handler is done
            },
        };
        if answer.extensions().get::<Hangup>().is_some() {
            return;
        }
        keep = keep && conn.body_done && !asks_to_close(answer.headers()) && !*drain.borrow();
        if !keep {
            return closing(conn, answer, form, limits.send_timeout).await;
        }
        if write_answer(&mut conn.io, answer, form, true, limits.send_timeout)
            .await
            .is_err()
        {
            return;
        }
        quiet_until = Instant::now() + limits.idle_timeout;
    }
}

/// Waits for the handler's answer while watching the client: `None` if it went away first,
/// when the handler's future is dropped, and with it any vendor call it waits on (nginx's and
/// hyper's way too). What the client sends meanwhile is kept, up to `room` bytes.
async fn attend<S, F>(handling: F, held: &mut Held<S>, room: usize) -> Option<Response<Body>>
where
    S: AsyncRead + Unpin,
    F: Future<Output = Response<Body>>,
{
    match held {
        Held::Here(conn) => tokio::select! {
            biased;
            answer = handling => Some(answer),
            () = hung_up(conn, room) => None,
        },
        Held::Lent(lent) => tokio::select! {
            biased;
            answer = handling => Some(answer),
            () = hung_up_after_body(lent, room) => None,
        },
    }
}

/// What waiting for the next head gave.
enum Next {
    Request(Request<()>),
    /// A head that cannot be read as one: answered, and the connection closed.
    Refused(Unreadable),
    /// The connection ended, fell quiet too long, or the listener drains.
    Gone,
}

/// How long the wait for a head may last, and what ends it early.
struct Waits<'a> {
    /// Until a head's first byte.
    quiet_until: Instant,
    /// The connection's first head, whose whole limit runs from the accept.
    first: bool,
    /// The connection's timer, set here to each wait's end.
    timer: std::pin::Pin<&'a mut tokio::time::Sleep>,
    /// Turns true when the listener drains.
    drain: &'a mut watch::Receiver<bool>,
}

/// Reads up to the end of the next head and parses it. Until its first byte the wait ends at
/// `quiet_until` or when the listener drains; from it, the head must be whole within the
/// header limit (the first head: by `quiet_until`, which is that limit from the accept).
async fn next_head<S: AsyncRead + Unpin>(
    conn: &mut Conn<S>,
    limits: &Limits,
    waits: Waits<'_>,
    names: &mut Vec<wire::Field>,
) -> Next {
    let Waits {
        quiet_until,
        first,
        mut timer,
        drain,
    } = waits;
    let mut deadline = quiet_until;
    let mut begun = false;
    // How much of the buffer was looked at for a line's end: a head ends only at one, so a
    // head that trickles in is parsed again only when a line of it is complete, not on every
    // read (which would make a slow client's head cost its length squared).
    let mut seen = 0;
    loop {
        let ended = memchr::memchr(b'\n', &conn.buf[seen..]).is_some();
        seen = conn.buf.len();
        if !conn.buf.is_empty() {
            if !begun && !first {
                deadline = Instant::now() + limits.header_read_timeout;
            }
            begun = true;
        }
        if ended || conn.buf.len() > limits.max_header_bytes {
            match parse(&mut conn.buf, limits.max_header_bytes, names) {
                Ok(Some(request)) => return Next::Request(request),
                Ok(None) => {}
                Err(refusal) => return Next::Refused(refusal),
            }
        }
        if conn.buf.capacity() - conn.buf.len() < READ_AHEAD / 2 {
            conn.buf.reserve(READ_AHEAD);
        }
        timer.as_mut().reset(deadline);
        let read = if begun {
            tokio::select! {
                biased;
                read = conn.io.read_buf(&mut conn.buf) => read,
                () = timer.as_mut() => return Next::Gone,
            }
        } else {
            tokio::select! {
                biased;
                read = conn.io.read_buf(&mut conn.buf) => read,
                () = timer.as_mut() => return Next::Gone,
                _ = drain.wait_for(|draining| *draining) => return Next::Gone,
            }
        };
        match read {
            Ok(0) | Err(_) => return Next::Gone,
            Ok(_) => {}
        }
    }
}

/// The head at the start of `buf`, taken out of it, or `None` while it is partial. Field
/// values and the target are slices of the head's bytes, not copies.
fn parse(
    buf: &mut BytesMut,
    max_head: usize,
    names: &mut Vec<wire::Field>,
) -> Result<Option<Request<()>>, Unreadable> {
    let mut fields = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; MAX_HEADERS];
    let mut head = httparse::Request::new(&mut []);
    let len = match head.parse_with_uninit_headers(buf, &mut fields) {
        Ok(httparse::Status::Complete(len)) if len <= max_head => len,
        Ok(httparse::Status::Partial) if buf.len() <= max_head => return Ok(None),
        Ok(_) | Err(httparse::Error::TooManyHeaders) => return Err(Unreadable::TooLarge),
        Err(e) => {
            return Err(Unreadable::Malformed(format!(
                "the request head is malformed ({e})"
            )));
        }
    };
    let method = Method::from_bytes(head.method.unwrap_or_default().as_bytes())
        .map_err(|_| malformed("the request method is not a token"))?;
    let version = match head.version {
        Some(0) => Version::HTTP_10,
        _ => Version::HTTP_11,
    };
    let target = wire::span(&buf[..len], head.path.unwrap_or_default().as_bytes())
        .ok_or_else(|| malformed("the request target could not be read"))?;
    if !wire::gather(&buf[..len], head.headers, names) {
        return Err(malformed("a header field name is not a token"));
    }
    let bytes = buf.split_to(len).freeze();
    let uri = Uri::from_maybe_shared(bytes.slice(target))
        .map_err(|_| malformed("the request target is not a valid URI"))?;
    let fields = wire::header_map(&bytes, names)
        .ok_or_else(|| malformed("a header field value has a byte no field may carry"))?;
    let mut request = Request::new(());
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    *request.version_mut() = version;
    *request.headers_mut() = fields;
    Ok(Some(request))
}

/// Why a head cannot be read as one.
#[derive(Debug)]
enum Unreadable {
    /// Over `max_header_bytes`, or more than [`MAX_HEADERS`] fields.
    TooLarge,
    /// Not HTTP/1.x as RFC 9112 writes it, for the reason given.
    Malformed(String),
}

fn malformed(what: &str) -> Unreadable {
    Unreadable::Malformed(what.to_owned())
}

impl Unreadable {
    /// The answer: a 400 problem, or a bare 431, as no field of the head was read; recorded
    /// as every answer is.
    fn answer(self) -> Response<Body> {
        let request_id = headers::request_id(&HeaderMap::new());
        let (status, answer) = match self {
            Unreadable::TooLarge => (431, super::body::empty(431)),
            Unreadable::Malformed(detail) => {
                let problem = Problem::bad_request(detail);
                (400, respond::problem(&problem, &request_id))
            }
        };
        respond::refused_at_edge(status, answer, &request_id, ("-", "-"))
    }
}

/// The request if the edge takes it, and how its body is framed; else why not.
fn admit(request: &Request<()>, max_body: usize) -> Result<BodyFraming, Problem> {
    if let Some(problem) = edge::refuse(request, max_body) {
        return Err(problem);
    }
    let h = request.headers();
    if h.contains_key(header::TRANSFER_ENCODING) {
        if request.version() == Version::HTTP_10 {
            return Err(Problem::bad_request(
                "the request's framing cannot be followed: Transfer-Encoding in an HTTP/1.0 request",
            ));
        }
        // As RFC 9112 §6.3 has it: only a final `chunked` frames a request body; and as §6.1
        // has it, `chunked` is applied once: a body chunked twice (`chunked, chunked`, on one
        // line or two) is framed one way by a server that decodes one layer and another by
        // one that decodes both.
        // Empty items of the list are no codings (RFC 9110 §5.6.1).
        let mut before: Vec<&[u8]> = headers::tokens(h, &header::TRANSFER_ENCODING).collect();
        let last = before.pop();
        if before
            .iter()
            .any(|coding| coding.eq_ignore_ascii_case(b"chunked"))
        {
            return Err(Problem::bad_request(
                "the request's framing cannot be followed: chunked is applied more than once",
            ));
        }
        if !last.is_some_and(|coding| coding.eq_ignore_ascii_case(b"chunked")) {
            return Err(Problem::bad_request(
                "the request's framing cannot be followed: a transfer coding that does not end with chunked",
            ));
        }
        // A coding under the chunks (`gzip, chunked`) would have the body read as it is, where
        // a front proxy decodes it: not understood, it is refused, as any framing this edge
        // cannot follow is.
        if let Some(other) = before.pop() {
            return Err(Problem::bad_request(format!(
                "the request's framing cannot be followed: the transfer coding `{}` is not supported, only chunked",
                String::from_utf8_lossy(other)
            )));
        }
        return Ok(BodyFraming::Chunked);
    }
    let length =
        match h.get(header::CONTENT_LENGTH) {
            None => 0,
            Some(value) => {
                let digits = value.as_bytes();
                // Digits only: `usize::from_str` would also take a sign.
                (!digits.is_empty() && digits.iter().all(u8::is_ascii_digit))
                .then(|| std::str::from_utf8(digits).ok()?.parse::<usize>().ok())
                .flatten()
                .ok_or_else(|| Problem::bad_request(
                    "the request's framing cannot be followed: Content-Length is not a length",
                ))?
            }
        };
    Ok(BodyFraming::Length(length))
}

/// Whether the client lets the connection carry another request after this one.
fn keeps_alive(request: &Request<()>) -> bool {
    let says = |word: &[u8]| {
        headers::tokens(request.headers(), &header::CONNECTION)
            .any(|t| t.eq_ignore_ascii_case(word))
    };
    match request.version() {
        Version::HTTP_10 => says(b"keep-alive"),
        _ => !says(b"close"),
    }
}

/// Whether the client waits for `100 Continue` before it sends the body.
fn expects_continue(request: &Request<()>) -> bool {
    request.version() == Version::HTTP_11
        && request
            .headers()
            .get(header::EXPECT)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"))
}

/// Whether the handler's answer asks that the connection close after it.
fn asks_to_close(answer: &HeaderMap) -> bool {
    headers::tokens(answer, &header::CONNECTION).any(|t| t.eq_ignore_ascii_case(b"close"))
}

/// Reads a request's body from the connection `lent` to it, sending `100 Continue` first if
/// the client waits for it. The connection goes back when the read ends or is dropped; if the
/// body was not read to its end, the connection then closes after its answer.
async fn read_body<S>(
    lent: Arc<Lent<S>>,
    framing: BodyFraming,
    max_body: usize,
    continues: bool,
) -> Result<Bytes, IncomingError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let taken = lent.take();
    let mut conn = Borrowed {
        conn: taken,
        home: lent,
    };
    let Some(conn) = conn.conn.as_mut() else {
        return Err(IncomingError::Broken(
            "the body was read already".to_owned(),
        ));
    };
    let broken = |e: io::Error| IncomingError::Broken(e.to_string());
    if continues {
        conn.io
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .await
            .map_err(broken)?;
        conn.io.flush().await.map_err(broken)?;
    }
    let body = wire::read_body(
        &mut conn.io,
        &mut conn.buf,
        framing,
        max_body,
        MAX_CHUNK_LINE,
    )
    .await
    .map_err(|e| match e {
        wire::WireError::TooLarge(n) => IncomingError::TooLarge(n),
        wire::WireError::Malformed(what) => {
            IncomingError::Broken(format!("the body is malformed: {what}"))
        }
        wire::WireError::Unanswered(e) | wire::WireError::Broken(e) => IncomingError::Broken(e),
    })?;
    conn.body_done = true;
    Ok(body)
}

/// A connection taken by a body's read, or by the watch for a hang-up after it, put back when
/// the read or the watch ends or is dropped.
struct Borrowed<S> {
    conn: Option<Conn<S>>,
    home: Arc<Lent<S>>,
}

impl<S> Drop for Borrowed<S> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.home.put_back(conn);
        }
    }
}

/// Completes when the client ends the connection (or it fails) while its request is handled.
/// What the client sends meanwhile (a pipelined request) is kept in the connection's buffer
/// for after the answer, up to `room` bytes; beyond that nothing more is read until then.
///
/// An end of the client's sending side counts as its going away, though it could still read:
/// a half-close is how a client that gives up looks on the wire, and nginx and hyper take it so
/// too.
async fn hung_up<S: AsyncRead + Unpin>(conn: &mut Conn<S>, room: usize) {
    loop {
        let free = room.saturating_sub(conn.buf.len());
        if free == 0 {
            return std::future::pending().await;
        }
        // As the wait for a head does, so that it need not reserve again.
        if conn.buf.capacity() - conn.buf.len() < READ_AHEAD / 2 {
            conn.buf.reserve(READ_AHEAD);
        }
        let mut window = (&mut conn.buf).limit(free);
        match conn.io.read_buf(&mut window).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// [`hung_up`] for a connection lent to its body: watched from when the body's read is done
/// with it. A body left partly read (a request refused before its body was wanted) is not
/// watched: its bytes are still coming, and the connection closes after the answer anyway.
async fn hung_up_after_body<S: AsyncRead + Unpin>(lent: &Arc<Lent<S>>, room: usize) {
    loop {
        lent.back.notified().await;
        let mut borrowed = Borrowed {
            conn: lent.take(),
            home: lent.clone(),
        };
        if let Some(conn) = borrowed.conn.as_mut()
            && conn.body_done
        {
            return hung_up(conn, room).await;
        }
    }
}

/// [`close`], boxed: a connection's task would otherwise keep room for its closing, which
/// happens once, for as long as the connection is open.
fn closing<S>(
    conn: Conn<S>,
    answer: Response<Body>,
    form: Form,
    patience: Duration,
) -> std::pin::Pin<Box<impl Future<Output = ()>>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    Box::pin(close(conn, answer, form, patience))
}

/// Writes a last answer, and closes: the write side first, then a lingering read, so that a
/// client still sending reads the answer rather than a reset.
async fn close<S>(mut conn: Conn<S>, answer: Response<Body>, form: Form, patience: Duration)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    if write_answer(&mut conn.io, answer, form, false, patience)
        .await
        .is_err()
    {
        return;
    }
    if within(patience, conn.io.shutdown()).await.is_err() {
        return;
    }
    // Read into the connection's own buffer: a buffer here would be room in every
    // connection's task, lingering or not.
    let linger = async {
        let mut dropped = 0;
        while dropped < LINGER_BYTES {
            conn.buf.clear();
            conn.buf.reserve(READ_AHEAD);
            match conn.io.read_buf(&mut conn.buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => dropped += n,
            }
        }
    };
    let _ = tokio::time::timeout(LINGER, linger).await;
}

/// How an answer is written: what its request asks of it.
#[derive(Debug, Clone, Copy)]
struct Form {
    /// The request was a HEAD: the answer's length, not its body.
    head_only: bool,
    /// The request's version, the answer's too.
    version: Version,
}

/// Writes `answer` as `form` says: its head (less any framing the handler set),
/// `Content-Length`, `Date`, `Connection: close` unless `keep`, and its body unless the
/// request was a HEAD or its status has none.
async fn write_answer<S: AsyncWrite + Unpin>(
    io: &mut S,
    answer: Response<Body>,
    form: Form,
    keep: bool,
    patience: Duration,
) -> io::Result<()> {
    let Form { head_only, version } = form;
    let (parts, body) = answer.into_parts();
    let body = whole(body);
    let status = parts.status;
    let bodiless = status.is_informational() || status.as_u16() == 204 || status.as_u16() == 304;
    // Behind the head in one buffer only when the stream cannot take both at once (a
    // vectored write hands the kernel both slices: a page of webhooks is not copied again).
    let copied = !io.is_write_vectored() && body.len() <= COPIED_BODY;
    let mut out = Vec::with_capacity(256 + if copied { body.len() } else { 0 });
    out.extend_from_slice(match version {
        Version::HTTP_10 => b"HTTP/1.0 ",
        _ => b"HTTP/1.1 ",
    });
    out.extend_from_slice(status.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(status.canonical_reason().unwrap_or("").as_bytes());
    out.extend_from_slice(b"\r\n");
    let mut dated = false;
    for (name, value) in &parts.headers {
        if matches!(
            *name,
            header::CONTENT_LENGTH | header::TRANSFER_ENCODING | header::CONNECTION
        ) || name == "keep-alive"
        {
            continue;
        }
        dated |= *name == header::DATE;
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if !bodiless {
        // itoa, not `write!`: the formatter's set-up costs more than the digits.
        out.extend_from_slice(b"content-length: ");
        out.extend_from_slice(itoa::Buffer::new().format(body.len()).as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if !dated {
        out.extend_from_slice(b"date: ");
        date::write(&mut out);
        out.extend_from_slice(b"\r\n");
    }
    if !keep {
        out.extend_from_slice(b"connection: close\r\n");
    } else if version == Version::HTTP_10 {
        out.extend_from_slice(b"connection: keep-alive\r\n");
    }
    out.extend_from_slice(b"\r\n");
    let body = if head_only || bodiless {
        Bytes::new()
    } else {
        body
    };
    if copied {
        out.extend_from_slice(&body);
        send(io, &mut [IoSlice::new(&out)], patience).await?;
    } else {
        send(io, &mut [IoSlice::new(&out), IoSlice::new(&body)], patience).await?;
    }
    within(patience, io.flush()).await?
}

/// Writes all of `bytes`, each write allowed `patience` to make progress.
/// Writes all of `slices`, as many at a time as the stream takes (a stream that cannot take
/// several writes the first that is not empty).
async fn send<S: AsyncWrite + Unpin>(
    io: &mut S,
    mut slices: &mut [IoSlice<'_>],
    patience: Duration,
) -> io::Result<()> {
    IoSlice::advance_slices(&mut slices, 0); // past any empty ones
    while !slices.is_empty() {
        let n = within(patience, io.write_vectored(slices)).await??;
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        IoSlice::advance_slices(&mut slices, n);
    }
    Ok(())
}

/// `work`, given `patience` to finish. A write to a socket with room finishes when first
/// polled: only one that does not is given a timer (made and dropped, a timer costs a clock
/// reading and the runtime's handle even when it never runs).
async fn within<F: Future>(patience: Duration, work: F) -> io::Result<F::Output> {
    let mut work = std::pin::pin!(work);
    let first = std::future::poll_fn(|cx| Poll::Ready(work.as_mut().poll(cx))).await;
    match first {
        Poll::Ready(done) => Ok(done),
        Poll::Pending => tokio::time::timeout(patience, work)
            .await
            .map_err(|_| io::Error::from(io::ErrorKind::TimedOut)),
    }
}

/// The bytes of a response body: hookgate's answers are whole ([`Body`]), their one frame
/// ready at once.
fn whole(body: Body) -> Bytes {
    use hyper::body::Body as _;
    let mut body = std::pin::pin!(body);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match body.as_mut().poll_frame(&mut cx) {
        std::task::Poll::Ready(Some(Ok(frame))) => frame.into_data().unwrap_or_default(),
        _ => Bytes::new(),
    }
}

/// The `Date` field, formatted once a second per thread.
mod date {
    use std::cell::RefCell;
    use std::time::{SystemTime, UNIX_EPOCH};

    thread_local! {
        static NOW: RefCell<(u64, String)> = const { RefCell::new((0, String::new())) };
    }

    /// Writes the current time as an IMF-fixdate (RFC 9110 §5.6.7).
    pub fn write(out: &mut Vec<u8>) {
        let now = SystemTime::now();
        let second = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        NOW.with_borrow_mut(|(at, text)| {
            if *at != second || text.is_empty() {
                *at = second;
                *text = httpdate::fmt_http_date(now);
            }
            out.extend_from_slice(text.as_bytes());
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Nothing;

    impl Handler for Nothing {
        async fn handle(self: Arc<Self>, _: Request<Incoming>) -> Response<Body> {
            super::super::body::empty(204)
        }
    }

    #[test]
    fn a_connection_holds_little_while_it_waits() {
        // Thousands of connections each hold one of these for as long as they are open; a
        // request's handler and a connection's closing are boxed apart from it.
        let (io, _) = tokio::io::duplex(64);
        let limits = Limits {
            header_read_timeout: Duration::from_secs(1),
            idle_timeout: Duration::from_secs(1),
            send_timeout: Duration::from_secs(1),
            max_connections: 1,
            max_header_bytes: 8192,
            max_body_bytes: 1024,
            drain_timeout: Duration::from_secs(1),
        };
        let (_, drain) = watch::channel(false);
        let connection = serve(io, Arc::new(Nothing), limits, Instant::now(), drain);
        let size = std::mem::size_of_val(&connection);
        // 1,648 bytes when written: a buffer kept in the loop's own state would show here.
        assert!(size < 2048, "{size} bytes");
    }

    fn parsed(text: &str) -> Result<Option<Request<()>>, u16> {
        let mut buf = BytesMut::from(text);
        parse(&mut buf, 1024, &mut Vec::new()).map_err(|e| e.answer().status().as_u16())
    }

    #[test]
    fn reads_a_head_where_it_lies_and_leaves_what_follows() {
        let mut buf = BytesMut::from(
            "\r\nPOST /v1/x?y=1 HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 2\r\n\r\n{}GET",
        );
        let request = parse(&mut buf, 1024, &mut Vec::new())
            .expect("a head")
            .expect("whole");
        assert_eq!(request.method(), Method::POST);
        assert_eq!(request.uri(), "/v1/x?y=1");
        assert_eq!(request.version(), Version::HTTP_11);
        let values: Vec<_> = request.headers().get_all("x-a").iter().collect();
        assert_eq!(values, ["1", "2"]);
        assert_eq!(&buf[..], b"{}GET");
    }

    #[test]
    fn waits_for_the_rest_and_refuses_what_is_not_a_head() {
        assert!(
            parsed("GET / HTTP/1.1\r\nHost: x\r\n")
                .expect("partial")
                .is_none()
        );
        assert_eq!(parsed("GET / HTTP/2.0\r\nHost: x\r\n\r\n").err(), Some(400));
        assert_eq!(
            parsed("GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n").err(),
            Some(400)
        );
        assert_eq!(parsed("G@T / HTTP/1.1\r\n\r\n").err(), Some(400));
        let long = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(1100));
        assert_eq!(parsed(&long).err(), Some(431));
        assert_eq!(parsed(&long[..1050]).err(), Some(431));
        let many: String = (0..=MAX_HEADERS).map(|i| format!("X-{i}: 1\r\n")).collect();
        assert!(many.len() < 1000, "refused for its count, not its size");
        assert_eq!(
            parsed(&format!("GET / HTTP/1.1\r\n{many}\r\n")).err(),
            Some(431)
        );
    }

    #[test]
    fn frames_a_body_by_its_length_or_its_chunks_and_refuses_the_rest() {
        let framing = |text: &str| {
            let request = parsed(text).expect("parsed").expect("whole");
            admit(&request, 100).map_err(|p| p.status())
        };
        assert_eq!(
            framing("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
            Ok(BodyFraming::Length(0))
        );
        assert_eq!(
            framing("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\n"),
            Ok(BodyFraming::Length(12))
        );
        assert_eq!(
            framing("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: , Chunked,\r\n\r\n"),
            Ok(BodyFraming::Chunked)
        );
        assert_eq!(
            framing("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n"),
            Err(400)
        );
        for refused in [
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +1\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 1\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked,gzip, ,chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n",
            "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
            "GET / HTTP/1.1\r\n\r\n",
        ] {
            assert_eq!(framing(refused), Err(400), "{refused:?}");
        }
        assert_eq!(
            framing("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n"),
            Err(413)
        );
    }

    /// A stream that takes at most `step` bytes a write, several slices at once or not.
    struct Trickle {
        taken: Vec<u8>,
        step: usize,
        vectored: bool,
        writes: usize,
    }

    impl Trickle {
        fn take<'b>(&mut self, bufs: impl Iterator<Item = &'b [u8]>) -> usize {
            let mut room = self.step;
            for buf in bufs {
                let n = buf.len().min(room);
                self.taken.extend_from_slice(&buf[..n]);
                room -= n;
            }
            self.writes += 1;
            self.step - room
        }
    }

    impl AsyncWrite for Trickle {
        fn poll_write(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            Poll::Ready(Ok(self.take(std::iter::once(buf))))
        }

        fn poll_write_vectored(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
            bufs: &[IoSlice<'_>],
        ) -> Poll<io::Result<usize>> {
            let slices = bufs.iter().map(|b| &**b).filter(|b| !b.is_empty());
            // A stream that cannot take several takes the first that is not empty.
            let n = if self.vectored {
                self.take(slices)
            } else {
                self.take(slices.take(1))
            };
            Poll::Ready(Ok(n))
        }

        fn is_write_vectored(&self) -> bool {
            self.vectored
        }

        fn poll_flush(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn poll_shutdown(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    #[tokio::test]
    async fn an_answer_is_written_whole_however_the_stream_takes_it() {
        let form = Form {
            head_only: false,
            version: Version::HTTP_11,
        };
        for size in [0, 1, 300, COPIED_BODY, COPIED_BODY + 1] {
            let body: Vec<u8> = (0..size).map(|i| b'a' + (i % 26) as u8).collect();
            for vectored in [false, true] {
                for step in [1, 7, 4096, usize::MAX] {
                    let answer = Response::builder()
                        .status(200)
                        .header("date", "Thu, 03 Dec 2026 10:00:00 GMT")
                        .body(Body::from(body.clone()))
                        .unwrap();
                    let mut io = Trickle {
                        taken: Vec::new(),
                        step,
                        vectored,
                        writes: 0,
                    };
                    write_answer(&mut io, answer, form, true, Duration::from_secs(1))
                        .await
                        .unwrap();
                    let head = format!(
                        "HTTP/1.1 200 OK\r\ndate: Thu, 03 Dec 2026 10:00:00 GMT\r\ncontent-length: {size}\r\n\r\n"
                    );
                    let case = format!("{size} bytes, vectored {vectored}, {step} a write");
                    assert_eq!(&io.taken[..head.len()], head.as_bytes(), "{case}");
                    assert!(io.taken[head.len()..] == body, "{case}");
                    if step == usize::MAX {
                        // One write for head and body, unless neither the stream nor a copy
                        // can join them.
                        let joined = vectored || size <= COPIED_BODY;
                        assert_eq!(io.writes, if joined { 1 } else { 2 }, "{case}");
                    }
                }
            }
        }
    }
}
