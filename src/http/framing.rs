//! Request framing, watched on the raw bytes of a connection hyper serves: one whose first
//! bytes did not tell its protocol, which may turn out to be HTTP/1.1 (HTTP/1.1 told at once
//! is served by hookgate's own connection loop, which decides framing from the head it
//! parsed).
//!
//! hyper resolves three ambiguous framings silently before a handler can see them: with both
//! `Content-Length` and `Transfer-Encoding` it drops `Content-Length`, it folds repeated
//! equal `Content-Length` lines into one, and it decodes a body chunked twice
//! (`Transfer-Encoding: chunked, chunked`, on one line or two) as chunked once. A gateway must
//! refuse them all (they are how requests are smuggled past proxies), so [`Guarded`] reads the bytes hyper reads, follows each request's
//! framing to find the next head, and raises a per-connection flag when a head is ambiguous.
//! The flag is set before hyper parses that head, so the handler sees it for that request.
//!
//! The scanner never stops watching a connection that can still carry requests: what it
//! cannot follow (a head, chunk-size line or trailer section over its bound, a length it
//! cannot read, an unknown transfer coding, a chunk line hyper would not accept) is refused,
//! never skipped ([`Refusal`]). It sees the same verdicts however the bytes are split into
//! reads. The one stream it stops following is HTTP/2 with prior knowledge, where frames, not
//! heads, follow; [`Guarded::http2`] tells the timers so.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The longest chunk-size line followed (hex size, extensions, CRLF excluded). hyper reads up
/// to 16 KiB of chunk extensions per body and nginx refuses a chunk line longer than its
/// buffer; no client has a reason to send more than a size and a short extension, so 4 KiB is
/// generous while keeping what is held per connection small. Longer is refused, not skipped:
/// skipping is how a scanner falls out of step with the parser it watches.
pub const MAX_CHUNK_LINE: usize = 4096;

/// The HTTP/2 connection preface (RFC 9113 §3.4): a head `PRI * HTTP/2.0`, then `SM`.
const PREFACE_HEAD: &[u8] = b"PRI * HTTP/2.0\r\n\r\n";
const PREFACE_TAIL: &[u8] = b"SM\r\n\r\n";

/// Why the scanner stopped following a connection's framing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A head with ambiguous or unreadable framing, or too long: hyper either refuses it
    /// itself or parses it, and every request it parses from here on must be answered 400 and
    /// its connection closed.
    Answer,
    /// Bytes inside a body that cannot be followed: where the next head starts is unknown, so
    /// the connection must close without reading on.
    Close,
}

/// Where the scanner is in the byte stream.
#[derive(Debug)]
enum State {
    /// Accumulating a request head up to its blank line.
    Head(Vec<u8>),
    /// Checking the rest of the HTTP/2 preface: how much of [`PREFACE_TAIL`] matched.
    Preface(usize),
    /// Skipping a fixed-length body.
    Fixed(u64),
    /// Reading a chunk-size line, up to its LF.
    ChunkSize(Vec<u8>),
    /// Skipping chunk data.
    ChunkData(u64),
    /// Checking the CRLF after chunk data; `true` once its CR was seen.
    ChunkEnd(bool),
    /// Reading trailer lines up to the empty one.
    Trailers(Trailers),
    /// HTTP/2 with prior knowledge: frames follow, not heads.
    Http2,
    /// Framing was refused; nothing more is followed.
    Refused(Refusal),
}

/// Progress through a trailer section: lines ending in CRLF, then an empty one (hyper's
/// grammar, RFC 9112 §7.1.2).
#[derive(Debug, Default)]
struct Trailers {
    /// Bytes of the section so far.
    total: usize,
    /// Bytes of the current line before its CR.
    line: usize,
    /// The current line's CR was seen; its LF must follow.
    cr: bool,
}

/// Follows HTTP/1.1 request framing over arbitrary byte slices.
#[derive(Debug)]
pub struct Scanner {
    state: State,
    max_head: usize,
    /// Whether a head was completed: HTTP/2's preface counts only as the very first bytes.
    past_first_head: bool,
}

impl Scanner {
    /// A scanner for a new connection; heads and trailer sections over `max_head` bytes are
    /// refused.
    pub fn new(max_head: usize) -> Scanner {
        Scanner {
            state: State::Head(Vec::new()),
            max_head,
            past_first_head: false,
        }
    }

    /// Feeds the next bytes read; returns the refusal in force once they are followed, if any.
    pub fn feed(&mut self, mut bytes: &[u8]) -> Option<Refusal> {
        while !bytes.is_empty() {
            let (used, next) = self.step(bytes);
            bytes = &bytes[used..];
            if let Some(next) = next {
                self.state = next;
            }
        }
        self.refusal()
    }

    /// Follows a prefix of `bytes` (at least one byte, unless the state is final): how many
    /// bytes were used, and the state that follows them if it changes. Long by design: one
    /// state machine, every state's transitions beside the others (as in RFC 9112's grammar).
    fn step(&mut self, bytes: &[u8]) -> (usize, Option<State>) {
        let max_head = self.max_head;
        match &mut self.state {
            State::Http2 | State::Refused(_) => (bytes.len(), None),
            State::Head(partial) => {
                let Some(end) = head_end(partial, bytes) else {
                    if partial.len() + bytes.len() > max_head {
                        return (bytes.len(), Some(State::Refused(Refusal::Answer)));
                    }
                    partial.extend_from_slice(bytes);
                    return (bytes.len(), None);
                };
                if partial.len() + end > max_head {
                    return (end, Some(State::Refused(Refusal::Answer)));
                }
                // A head that arrived in one read is looked at where it lies.
                let head: &[u8] = if partial.is_empty() {
                    &bytes[..end]
                } else {
                    partial.extend_from_slice(&bytes[..end]);
                    partial
                };
                let first = !std::mem::replace(&mut self.past_first_head, true);
                let next = if head.starts_with(&PREFACE_HEAD[..PREFACE_HEAD.len() - 4]) {
                    // hyper-util takes HTTP/2 only from the exact preface as the first bytes of
                    // a connection; anywhere else hyper's HTTP/1 parser refuses `HTTP/2.0`.
                    if first && head == PREFACE_HEAD {
                        State::Preface(0)
                    } else {
                        State::Refused(Refusal::Answer)
                    }
                } else {
                    match framing(head) {
                        Framing::Length(0) => State::Head(Vec::new()),
                        Framing::Length(n) => State::Fixed(n),
                        Framing::Chunked => State::ChunkSize(Vec::new()),
                        Framing::Ambiguous | Framing::Unknown => State::Refused(Refusal::Answer),
                    }
                };
                (end, Some(next))
            }
            State::Preface(matched) => {
                let want = &PREFACE_TAIL[*matched..];
                let n = want.len().min(bytes.len());
                if bytes[..n] != want[..n] {
                    return (bytes.len(), Some(State::Refused(Refusal::Answer)));
                }
                *matched += n;
                (n, (*matched == PREFACE_TAIL.len()).then_some(State::Http2))
            }
            State::Fixed(left) | State::ChunkData(left) => {
                let n = (*left).min(bytes.len() as u64);
                *left -= n;
                let next = match (*left, &self.state) {
                    (0, State::Fixed(_)) => Some(State::Head(Vec::new())),
                    (0, _) => Some(State::ChunkEnd(false)),
                    _ => None,
                };
                (n as usize, next)
            }
            State::ChunkEnd(cr) => match (*cr, bytes[0]) {
                (false, b'\r') => (1, Some(State::ChunkEnd(true))),
                (true, b'\n') => (1, Some(State::ChunkSize(Vec::new()))),
                _ => (bytes.len(), Some(State::Refused(Refusal::Close))),
            },
            State::ChunkSize(line) => {
                let Some(lf) = bytes.iter().position(|b| *b == b'\n') else {
                    if line.len() + bytes.len() > MAX_CHUNK_LINE {
                        return (bytes.len(), Some(State::Refused(Refusal::Close)));
                    }
                    line.extend_from_slice(bytes);
                    return (bytes.len(), None);
                };
                if line.len() + lf > MAX_CHUNK_LINE {
                    return (bytes.len(), Some(State::Refused(Refusal::Close)));
                }
                line.extend_from_slice(&bytes[..lf]);
                let next = match chunk_size(line) {
                    Some(0) => State::Trailers(Trailers::default()),
                    Some(n) => State::ChunkData(n),
                    None => State::Refused(Refusal::Close),
                };
                (lf + 1, Some(next))
            }
            State::Trailers(t) => {
                for (i, &b) in bytes.iter().enumerate() {
                    t.total += 1;
                    if t.total > max_head {
                        return (bytes.len(), Some(State::Refused(Refusal::Close)));
                    }
                    match (t.cr, b) {
                        (true, b'\n') if t.line == 0 => {
                            return (i + 1, Some(State::Head(Vec::new())));
                        }
                        (true, b'\n') => {
                            t.line = 0;
                            t.cr = false;
                        }
                        (false, b'\r') => t.cr = true,
                        // A bare LF, or a CR without its LF: hyper would read such a line
                        // differently, if at all.
                        (true, _) | (false, b'\n') => {
                            return (bytes.len(), Some(State::Refused(Refusal::Close)));
                        }
                        (false, _) => t.line += 1,
                    }
                }
                (bytes.len(), None)
            }
        }
    }

    /// Whether part of a request head has been read and its end has not. A refused connection
    /// counts as one whose head never ends, so the header timer keeps running on it.
    pub fn reading_head(&self) -> bool {
        match &self.state {
            State::Head(buf) => !buf.is_empty(),
            State::Preface(_) | State::Refused(_) => true,
            _ => false,
        }
    }

    /// Whether the connection opened with the HTTP/2 preface.
    pub fn http2(&self) -> bool {
        matches!(self.state, State::Http2)
    }

    /// The refusal in force, if framing was refused.
    pub fn refusal(&self) -> Option<Refusal> {
        match self.state {
            State::Refused(r) => Some(r),
            _ => None,
        }
    }
}

/// How many bytes of `bytes` complete a head that began with `partial`: up to and including
/// the LF of its first empty line (CRLF or a bare LF, as hyper's parser accepts), if it is
/// there.
fn head_end(partial: &[u8], bytes: &[u8]) -> Option<usize> {
    // The byte `back` places before `bytes[i]`, looking into the partial head where needed.
    let before = |i: usize, back: usize| match i.checked_sub(back) {
        Some(j) => Some(bytes[j]),
        None => partial.len().checked_sub(back - i).map(|j| partial[j]),
    };
    let blank = |i: usize| {
        before(i, 1) == Some(b'\n') || (before(i, 1) == Some(b'\r') && before(i, 2) == Some(b'\n'))
    };
    // memchr: line feeds are found a word at a time, and only they are looked at closely.
    memchr::memchr_iter(b'\n', bytes)
        .find(|&i| blank(i))
        .map(|i| i + 1)
}

/// The size a chunk-size line declares (`1*HEXDIG *(SP / HTAB) [";" extensions] CR`, the LF
/// already cut), as hyper reads it; `None` if hyper would refuse the line.
fn chunk_size(line: &[u8]) -> Option<u64> {
    let line = line.strip_suffix(b"\r")?;
    let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    let rest = &line[digits..];
    let rest = &rest[rest
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count()..];
    if digits == 0 || !(rest.is_empty() || rest[0] == b';') || rest.contains(&b'\r') {
        return None;
    }
    // Hex digits are ASCII; a size over u64 is refused by hyper too.
    u64::from_str_radix(std::str::from_utf8(&line[..digits]).ok()?, 16).ok()
}

enum Framing {
    Length(u64),
    Chunked,
    Ambiguous,
    Unknown,
}

fn framing(head: &[u8]) -> Framing {
    let mut lengths = 0usize;
    let mut length: &[u8] = b"";
    let mut chunked = None;
    let mut twice = false;
    // A coding besides `chunked` (`gzip, chunked`), which hyper would leave undecoded.
    let mut other = false;
    // hyper's parser skips empty lines before the request line.
    let start = head
        .iter()
        .position(|b| !matches!(b, b'\r' | b'\n'))
        .unwrap_or(head.len());
    // Header names and the values read here are ASCII; other bytes only fail to match.
    for line in head[start..].split(|b| *b == b'\n').skip(1) {
        let Some(colon) = memchr::memchr(b':', line) else {
            continue;
        };
        let name = line[..colon].trim_ascii();
        let value = line[colon + 1..].trim_ascii();
        if name.eq_ignore_ascii_case(b"content-length") {
            lengths += 1;
            length = value;
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            // As hyper decides: the last line's last coding, and only `chunked` frames a body.
            // A `chunked` before it, on this line or an earlier one, is chunked applied twice
            // (RFC 9112 §6.1), which hyper decodes as once.
            // Empty items of the list are no codings (RFC 9110 §5.6.1).
            let codings: Vec<&[u8]> = crate::http::headers::value_tokens(value).collect();
            let Some((last, before)) = codings.split_last() else {
                continue;
            };
            let is_chunked = |coding: &&[u8]| coding.eq_ignore_ascii_case(b"chunked");
            twice |= chunked == Some(true) || before.iter().any(is_chunked);
            other |= chunked == Some(false) || !before.iter().all(is_chunked);
            chunked = Some(is_chunked(last));
        }
    }
    match (lengths, chunked) {
        _ if twice => Framing::Ambiguous,
        _ if other => Framing::Unknown,
        (1.., Some(_)) | (2.., None) => Framing::Ambiguous,
        (0, Some(true)) => Framing::Chunked,
        (0, Some(false)) => Framing::Unknown,
        // Digits only, as hyper reads it: `u64::from_str` would also take a sign.
        (1, None) if !length.is_empty() && length.iter().all(u8::is_ascii_digit) => {
            std::str::from_utf8(length)
                .ok()
                .and_then(|n| n.parse().ok())
                .map(Framing::Length)
                .unwrap_or(Framing::Unknown)
        }
        (1, None) => Framing::Unknown,
        (0, None) => Framing::Length(0),
    }
}

/// A stream whose reads are watched by a [`Scanner`]: `flag` is raised on any refusal, and a
/// read that brings a [`Refusal::Close`] fails instead of reaching hyper.
pub struct Guarded<S> {
    inner: S,
    scanner: Scanner,
    flag: Arc<AtomicBool>,
    /// TLS's ALPN chose HTTP/2 before the first byte was read.
    alpn_http2: bool,
}

impl<S> Guarded<S> {
    /// Watches `inner`, refusing request heads longer than `max_head` bytes; the flag returned is
    /// raised on any refusal.
    pub fn new(inner: S, max_head: usize) -> (Guarded<S>, Arc<AtomicBool>) {
        let flag = Arc::new(AtomicBool::new(false));
        (
            Guarded {
                inner,
                scanner: Scanner::new(max_head),
                flag: flag.clone(),
                alpn_http2: false,
            },
            flag,
        )
    }

    /// Whether part of a request head has been read and its end has not.
    pub fn reading_head(&self) -> bool {
        self.scanner.reading_head()
    }

    /// Marks the connection as HTTP/2 from its start: behind TLS, ALPN says so before any
    /// byte is read (the scanner still checks the preface the client then sends).
    pub fn negotiated_http2(&mut self) {
        self.alpn_http2 = true;
    }

    /// Whether the connection speaks HTTP/2: by ALPN, or by prior knowledge (its preface).
    pub fn http2(&self) -> bool {
        self.alpn_http2 || self.scanner.http2()
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Guarded<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        let poll = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = &poll
            && let Some(refusal) = this.scanner.feed(&buf.filled()[before..])
        {
            this.flag.store(true, Ordering::Release);
            if refusal == Refusal::Close {
                // hyper must not read on from bytes whose framing nobody is following.
                buf.set_filled(before);
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "the request's framing could not be followed",
                )));
            }
        }
        poll
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Guarded<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(chunks: &[&str]) -> bool {
        let mut s = Scanner::new(64 * 1024);
        chunks.iter().any(|c| s.feed(c.as_bytes()).is_some())
    }

    #[test]
    fn flags_ambiguous_heads_however_the_bytes_arrive() {
        let both = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
        assert!(scan(&[both]));
        let (a, b) = both.split_at(30);
        assert!(scan(&[a, b]));
        assert!(scan(&[
            "POST / HTTP/1.1\r\nHost: x\r\ncontent-length: 1\r\nContent-Length: 1\r\n\r\na"
        ]));
        // Chunked twice, on one line or two, in any case, beside other codings or not.
        for codings in [
            "Transfer-Encoding: chunked, chunked",
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked",
            "Transfer-Encoding: CHUNKED,chunked",
            "Transfer-Encoding: chunked, gzip\r\ntransfer-encoding: Chunked",
        ] {
            let head = format!("POST / HTTP/1.1\r\nHost: x\r\n{codings}\r\n\r\n0\r\n\r\n");
            assert!(scan(&[&head]), "{codings:?}");
        }
        // A coding under the chunks, which hyper would leave undecoded; empty items are none.
        assert!(scan(&[
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        ]));
        assert!(scan(&[
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"
        ]));
        assert!(!scan(&[
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: , chunked,\r\n\r\n0\r\n\r\n"
        ]));
    }

    #[test]
    fn sees_the_same_framing_one_byte_at_a_time() {
        let streams = [
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n0\r\n\r\nGET / HTTP/1.1\nContent-Length: 1\nContent-Length: 1\n\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\nT: 1\r\n\r\nGET / HTTP/1.1\r\nContent-Length: 0\r\nTransfer-Encoding: CHUNKED\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
        ];
        for (n, text) in streams.iter().enumerate() {
            let bytes: Vec<String> = text.chars().map(String::from).collect();
            let bytes: Vec<&str> = bytes.iter().map(String::as_str).collect();
            assert_eq!(scan(&bytes), n < 3, "{text:?}");
            assert_eq!(scan(&[text]), n < 3, "{text:?}");
        }
    }

    #[test]
    fn follows_bodies_to_the_next_head() {
        let fine = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
        let chunked = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: 1\r\n\r\n";
        let bad = "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
        assert!(!scan(&[fine, chunked, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"]));
        assert!(scan(&[fine, chunked, bad]));
        // A body that contains what looks like a bad head is only a body.
        assert!(!scan(&[
            "POST / HTTP/1.1\r\nContent-Length: 40\r\n\r\n",
            "Content-Length: 1\r\nContent-Length: 2\r\n\r\n"
        ]));
    }

    #[test]
    fn knows_when_a_head_is_half_read() {
        let mut s = Scanner::new(64 * 1024);
        assert!(!s.reading_head());
        s.feed(b"GET / HTTP/1.1\r\nHo");
        assert!(s.reading_head());
        s.feed(b"st: x\r\n\r\n");
        assert!(!s.reading_head());
        let mut h2 = Scanner::new(64 * 1024);
        h2.feed(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04");
        assert!(!h2.reading_head());
    }
}
