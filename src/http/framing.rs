//! Request framing, watched on the raw bytes of a connection.
//!
//! hyper resolves two ambiguous framings silently before a handler can see them: with both
//! `Content-Length` and `Transfer-Encoding` it drops `Content-Length`, and it folds repeated
//! equal `Content-Length` lines into one. A gateway must refuse both (they are how requests are
//! smuggled past proxies), so [`Guarded`] reads the bytes hyper reads, follows each request's
//! framing to find the next head, and raises a per-connection flag when a head is ambiguous.
//! The flag is set before hyper parses that head, so the handler sees it for that request.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Where the scanner is in the byte stream.
#[derive(Debug)]
enum State {
    /// Accumulating a request head up to its blank line.
    Head(Vec<u8>),
    /// Skipping a fixed-length body.
    Fixed(u64),
    /// Reading a chunk-size line.
    ChunkSize(Vec<u8>),
    /// Skipping chunk data, then its CRLF.
    ChunkData(u64),
    /// Reading trailer lines up to the blank one.
    Trailers(Vec<u8>),
    /// Framing could not be followed (or was ambiguous): stop watching.
    Done,
}

/// Follows HTTP/1.1 request framing over arbitrary byte slices.
#[derive(Debug)]
pub struct Scanner {
    state: State,
    max_head: usize,
}

impl Scanner {
    pub fn new(max_head: usize) -> Scanner {
        Scanner {
            state: State::Head(Vec::new()),
            max_head,
        }
    }

    /// Feeds bytes; returns `true` when a request head with ambiguous framing was seen.
    pub fn feed(&mut self, mut bytes: &[u8]) -> bool {
        while !bytes.is_empty() {
            match &mut self.state {
                State::Done => return false,
                State::Head(partial) => {
                    let Some(end) = head_end(partial, bytes) else {
                        partial.extend_from_slice(bytes);
                        if partial.len() > self.max_head {
                            self.state = State::Done;
                        }
                        return false;
                    };
                    // A head that arrived in one read is looked at where it lies.
                    let (found, prior_knowledge) = {
                        let head: &[u8] = if partial.is_empty() {
                            &bytes[..end]
                        } else {
                            partial.extend_from_slice(&bytes[..end]);
                            partial
                        };
                        (framing(head), head.starts_with(b"PRI * HTTP/2.0"))
                    };
                    bytes = &bytes[end..];
                    if prior_knowledge {
                        // HTTP/2 with prior knowledge: frames, not heads, follow.
                        self.state = State::Done;
                        return false;
                    }
                    match found {
                        Framing::Ambiguous => {
                            self.state = State::Done;
                            return true;
                        }
                        Framing::Length(0) => self.state = State::Head(Vec::new()),
                        Framing::Length(n) => self.state = State::Fixed(n),
                        Framing::Chunked => self.state = State::ChunkSize(Vec::new()),
                        Framing::Unknown => self.state = State::Done,
                    }
                }
                State::Fixed(left) => {
                    let n = (*left).min(bytes.len() as u64);
                    bytes = &bytes[n as usize..];
                    *left -= n;
                    if *left == 0 {
                        self.state = State::Head(Vec::new());
                    }
                }
                State::ChunkSize(line) => {
                    let Some(pos) = bytes.iter().position(|b| *b == b'\n') else {
                        line.extend_from_slice(bytes);
                        if line.len() > 1024 {
                            self.state = State::Done;
                        }
                        return false;
                    };
                    line.extend_from_slice(&bytes[..pos]);
                    bytes = &bytes[pos + 1..];
                    let text = String::from_utf8_lossy(line);
                    let size = text.split(';').next().unwrap_or("").trim();
                    self.state = match u64::from_str_radix(size, 16) {
                        Ok(0) => State::Trailers(Vec::new()),
                        // The data, then its CRLF.
                        Ok(n) => State::ChunkData(n.saturating_add(2)),
                        Err(_) => State::Done,
                    };
                }
                State::ChunkData(left) => {
                    let n = (*left).min(bytes.len() as u64);
                    bytes = &bytes[n as usize..];
                    *left -= n;
                    if *left == 0 {
                        self.state = State::ChunkSize(Vec::new());
                    }
                }
                State::Trailers(partial) => {
                    // Trailers end like a head: reuse the blank-line search, seeded so that an
                    // empty trailer section ("\r\n" alone) also ends it.
                    if partial.is_empty() {
                        partial.extend_from_slice(b"\r\n");
                    }
                    let Some(end) = head_end(partial, bytes) else {
                        partial.extend_from_slice(bytes);
                        if partial.len() > self.max_head {
                            self.state = State::Done;
                        }
                        return false;
                    };
                    bytes = &bytes[end..];
                    self.state = State::Head(Vec::new());
                }
            }
        }
        false
    }
}

impl Scanner {
    /// Whether part of a request head has been read and its end has not.
    pub fn reading_head(&self) -> bool {
        matches!(&self.state, State::Head(buf) if !buf.is_empty())
    }
}

/// How many bytes of `bytes` complete a head that began with `partial`: up to and including
/// the first `\r\n\r\n` (or `\n\n`) of the combined text, if it is there.
fn head_end(partial: &[u8], bytes: &[u8]) -> Option<usize> {
    // The byte `back` places before `bytes[i]`, looking into the partial head where needed.
    let before = |i: usize, back: usize| match i.checked_sub(back) {
        Some(j) => Some(bytes[j]),
        None => partial.len().checked_sub(back - i).map(|j| partial[j]),
    };
    let blank = |i: usize| {
        before(i, 1) == Some(b'\n')
            || (before(i, 1) == Some(b'\r')
                && before(i, 2) == Some(b'\n')
                && before(i, 3) == Some(b'\r'))
    };
    (0..bytes.len())
        .find(|&i| bytes[i] == b'\n' && blank(i))
        .map(|i| i + 1)
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
    // Header names and the values read here are ASCII; other bytes only fail to match.
    for line in head.split(|b| *b == b'\n').skip(1) {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let name = line[..colon].trim_ascii();
        let value = line[colon + 1..].trim_ascii();
        if name.eq_ignore_ascii_case(b"content-length") {
            lengths += 1;
            length = value;
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            chunked =
                Some(value.len() >= 7 && value[value.len() - 7..].eq_ignore_ascii_case(b"chunked"));
        }
    }
    match (lengths, chunked) {
        (1.., Some(_)) | (2.., None) => Framing::Ambiguous,
        (0, Some(true)) => Framing::Chunked,
        (0, Some(false)) => Framing::Unknown,
        (1, None) => std::str::from_utf8(length)
            .ok()
            .and_then(|n| n.parse().ok())
            .map(Framing::Length)
            .unwrap_or(Framing::Unknown),
        (0, None) => Framing::Length(0),
    }
}

/// A stream whose reads are watched by a [`Scanner`]; `flag` is raised on ambiguous framing.
pub struct Guarded<S> {
    inner: S,
    scanner: Scanner,
    flag: Arc<AtomicBool>,
}

impl<S> Guarded<S> {
    pub fn new(inner: S, max_head: usize) -> (Guarded<S>, Arc<AtomicBool>) {
        let flag = Arc::new(AtomicBool::new(false));
        (
            Guarded {
                inner,
                scanner: Scanner::new(max_head),
                flag: flag.clone(),
            },
            flag,
        )
    }
}

impl<S> Guarded<S> {
    /// Whether part of a request head has been read and its end has not.
    pub fn reading_head(&self) -> bool {
        self.scanner.reading_head()
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
            && this.scanner.feed(&buf.filled()[before..])
        {
            this.flag.store(true, Ordering::Release);
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
        chunks.iter().any(|c| s.feed(c.as_bytes()))
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
