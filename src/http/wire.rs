//! HTTP/1.1 on one vendor connection: a request written whole, its answer read whole.
//!
//! Hand-written on httparse (the parser hyper itself uses) rather than driven through hyper's
//! client: hyper runs every client connection as a task of its own and hands each request and
//! its answer across a channel to that task, which cost about a quarter of a translated
//! request's instructions (docs/performance.md). Here the call's own task writes the request
//! and reads the answer, and nothing else runs for it.
//!
//! The answer's framing follows RFC 9112 §6.3: no body after a HEAD, a 1xx, a 204 or a 304;
//! `Transfer-Encoding` ending in `chunked` before `Content-Length`; a body that runs to the
//! connection's end otherwise. Interim answers (1xx other than 101) are read past. A
//! connection is kept only after an HTTP/1.1 answer that does not ask to close, whose body had
//! a length or chunks, and that left nothing unread behind it.
//! An answer given before the request was written whole (a vendor refusing a body early and
//! closing) is still read and taken, as nginx takes it.

use super::headers;
use crate::exchange::Fields;
use bytes::{Buf, Bytes, BytesMut};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use std::sync::atomic::{AtomicU16, Ordering};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Most header fields an answer may have.
const MAX_HEADERS: usize = 100;
/// Largest answer head (status line and fields), chunk-size line or trailer section.
const MAX_HEAD: usize = 64 * 1024;
/// What one read asks the connection for at least.
const READ_AHEAD: usize = 8 * 1024;

/// Why an exchange did not give an answer.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// Nothing of an answer arrived: the connection failed or closed first. On a connection
    /// kept from an earlier call, the vendor may have closed it meanwhile.
    #[error("{0}")]
    Unanswered(String),
    /// The connection failed or closed partway through the answer.
    #[error("{0}")]
    Broken(String),
    /// The answer is not HTTP/1.1 as RFC 9112 frames it.
    #[error("the answer is malformed: {0}")]
    Malformed(String),
    /// The answer's body is larger than this many bytes.
    #[error("the answer is larger than {0} bytes")]
    TooLarge(usize),
}

/// An answer read whole.
#[derive(Debug)]
pub struct Answer {
    /// The final status.
    pub status: StatusCode,
    /// Its header fields.
    pub headers: Fields,
    /// Its body, chunks joined.
    pub body: Bytes,
    /// Whether the connection may carry another request.
    pub reusable: bool,
}

/// A request's bytes: the request line, `Host` unless `headers` has one, `headers` (less any
/// framing field: the length is written here), `extra` fields, and the body. `target` is in
/// origin form, or in absolute form for a forwarding proxy.
pub fn request(
    method: &Method,
    target: &str,
    host: &str,
    headers: &[(HeaderName, HeaderValue)],
    extra: &[(HeaderName, &HeaderValue)],
    body: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + target.len() + body.len());
    out.extend_from_slice(method.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(target.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");
    let mut line = |name: &[u8], value: &[u8]| {
        out.extend_from_slice(name);
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    };
    if !headers.iter().any(|(name, _)| name == header::HOST) {
        line(b"host", host.as_bytes());
    }
    for (name, value) in headers {
        if name != header::CONTENT_LENGTH && name != header::TRANSFER_ENCODING {
            line(name.as_str().as_bytes(), value.as_bytes());
        }
    }
    for (name, value) in extra {
        line(name.as_str().as_bytes(), value.as_bytes());
    }
    // A body, or a method whose request is expected to have one, states its length.
    if !body.is_empty() || matches!(*method, Method::POST | Method::PUT | Method::PATCH) {
        line(
            b"content-length",
            itoa::Buffer::new().format(body.len()).as_bytes(),
        );
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// Writes `request` and reads its answer, of at most `max_body` bytes of body.
pub async fn exchange<S>(
    io: &mut S,
    request: &[u8],
    method: &Method,
    max_body: usize,
    heard: &AtomicU16,
) -> Result<Answer, WireError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let written = match io.write_all(request).await {
        Ok(()) => io.flush().await,
        failed => failed,
    };
    match written {
        Ok(()) => read_answer(io, method, max_body, heard).await,
        // A vendor may answer before it has read the whole request (a 413 for a body it will
        // not take) and close: the write fails, but the answer may be waiting to be read, and
        // it is the vendor's word on the request (RFC 9112 §9.6; nginx relays it too). If
        // none is there, the failed write is the reason.
        Err(e) => match read_answer(io, method, max_body, heard).await {
            Ok(answer) => Ok(Answer {
                reusable: false,
                ..answer
            }),
            Err(_) => Err(WireError::Unanswered(e.to_string())),
        },
    }
}

/// Reads one answer to a request made with `method`. `heard` is given the answer's status
/// once its head is read: a caller whose deadline passes while the body is still on its way
/// can say so, rather than that nothing was answered.
pub async fn read_answer<S>(
    io: &mut S,
    method: &Method,
    max_body: usize,
    heard: &AtomicU16,
) -> Result<Answer, WireError>
where
    S: AsyncRead + Unpin,
{
    let mut reader = Reader {
        io,
        buf: BytesMut::with_capacity(READ_AHEAD),
        started: false,
        max_line: MAX_HEAD,
    };
    let head = loop {
        let head = reader.head().await?;
        match head.status.as_u16() {
            101 => return Err(malformed("a switch of protocols nobody asked for")),
            100..=199 => continue,
            _ => break head,
        }
    };
    heard.store(head.status.as_u16(), Ordering::Relaxed);
    let (framing, mut reusable) = framing(method, &head)?;
    let body = match framing {
        Framing::Empty => Bytes::new(),
        Framing::Length(n) => reader.exact(n, max_body).await?,
        Framing::Chunked => reader.chunked(max_body).await?,
        Framing::ToClose => {
            reusable = false;
            reader.until_closed(max_body).await?
        }
    };
    Ok(Answer {
        status: head.status,
        headers: head.headers,
        body,
        // Bytes past the answer were not asked for: whatever they are, the connection is
        // no longer in step.
        reusable: reusable && reader.buf.is_empty(),
    })
}

/// How a request's body is delimited (RFC 9112 §6.3): by its length, or in chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFraming {
    /// Exactly this many bytes.
    Length(usize),
    /// Chunks up to the last one, then a trailer section.
    Chunked,
}

/// Reads a request's body, of at most `max_body` bytes, from `io`; `buf` holds what arrived
/// already and is left holding what arrived past the body. The server's side of the framing
/// read above, with chunk-size lines of at most `max_line` bytes.
pub async fn read_body<S>(
    io: &mut S,
    buf: &mut BytesMut,
    framing: BodyFraming,
    max_body: usize,
    max_line: usize,
) -> Result<Bytes, WireError>
where
    S: AsyncRead + Unpin,
{
    let mut reader = Reader {
        io,
        buf: std::mem::take(buf),
        started: true,
        max_line,
    };
    let body = match framing {
        BodyFraming::Length(n) => reader.exact(n, max_body).await,
        BodyFraming::Chunked => reader.chunked(max_body).await,
    };
    *buf = reader.buf;
    body
}

fn malformed(what: &str) -> WireError {
    WireError::Malformed(what.to_owned())
}

/// An answer's head.
struct Head {
    status: StatusCode,
    /// HTTP/1.1 (rather than 1.0).
    eleven: bool,
    headers: Fields,
}

/// How an answer's body is delimited.
#[derive(Debug, PartialEq)]
enum Framing {
    Empty,
    Length(usize),
    Chunked,
    ToClose,
}

/// The body's framing and whether the connection stays open after it.
fn framing(method: &Method, head: &Head) -> Result<(Framing, bool), WireError> {
    // The three fields framing depends on, read in one pass over the head's fields (each
    // looked up on its own passed over them all three times).
    let parse = |digits: &[u8]| {
        (!digits.is_empty() && digits.iter().all(u8::is_ascii_digit))
            .then(|| std::str::from_utf8(digits).ok()?.parse::<usize>().ok())
            .flatten()
    };
    let (mut close, mut keep_alive) = (false, false);
    let mut last_coding = None;
    let mut has_length = false;
    // The first length as read (`None` if it is not a number), and whether another differs.
    let mut length: Option<Option<usize>> = None;
    let mut lengths_differ = false;
    for (name, value) in head.headers.iter() {
        let tokens = || headers::value_tokens(value);
        match name.len() {
            10 if name.eq_ignore_ascii_case(b"connection") => {
                for token in tokens() {
                    close |= token.eq_ignore_ascii_case(b"close");
                    keep_alive |= token.eq_ignore_ascii_case(b"keep-alive");
                }
            }
            17 if name.eq_ignore_ascii_case(b"transfer-encoding") => {
                last_coding = tokens().last().or(last_coding);
            }
            14 if name.eq_ignore_ascii_case(b"content-length") => {
                has_length = true;
                for token in tokens() {
                    match length {
                        None => length = Some(parse(token)),
                        Some(first) => lengths_differ |= parse(token) != first,
                    }
                }
            }
            _ => {}
        }
    }
    let keep = if head.eleven { !close } else { keep_alive };
    let status = head.status.as_u16();
    if *method == Method::HEAD || status == 204 || status == 304 {
        return Ok((Framing::Empty, keep));
    }
    if let Some(last) = last_coding {
        // A length beside a coding is not to be trusted, nor the connection after it.
        return Ok(if last.eq_ignore_ascii_case(b"chunked") && head.eleven {
            (Framing::Chunked, keep && !has_length)
        } else {
            (Framing::ToClose, false)
        });
    }
    match length {
        None => Ok((Framing::ToClose, false)),
        Some(None) => Err(malformed("an invalid Content-Length")),
        Some(Some(_)) if lengths_differ => Err(malformed("Content-Length values that differ")),
        Some(Some(n)) => Ok((Framing::Length(n), keep)),
    }
}

/// Reads an answer from a connection through a buffer of what arrived and is not yet used.
struct Reader<'a, S> {
    io: &'a mut S,
    buf: BytesMut,
    /// Whether any byte of the answer arrived.
    started: bool,
    /// The longest chunk-size line read.
    max_line: usize,
}

impl<S: AsyncRead + Unpin> Reader<'_, S> {
    /// Reads more; `false` at the connection's end.
    async fn fill(&mut self) -> Result<bool, WireError> {
        if self.buf.capacity() - self.buf.len() < READ_AHEAD / 2 {
            self.buf.reserve(READ_AHEAD);
        }
        match self.io.read_buf(&mut self.buf).await {
            Ok(0) => Ok(false),
            Ok(_) => {
                self.started = true;
                Ok(true)
            }
            Err(e) if self.started => Err(WireError::Broken(e.to_string())),
            Err(e) => Err(WireError::Unanswered(e.to_string())),
        }
    }

    /// Reads more, or fails: the answer is not over.
    async fn more(&mut self) -> Result<(), WireError> {
        match self.fill().await? {
            true => Ok(()),
            false if self.started => Err(WireError::Broken(
                "the connection closed before the end of the message".to_owned(),
            )),
            false => Err(WireError::Unanswered(
                "the connection closed before an answer".to_owned(),
            )),
        }
    }

    /// The next head, its bytes consumed.
    async fn head(&mut self) -> Result<Head, WireError> {
        loop {
            if !self.buf.is_empty()
                && let Some(head) = parse_head(&mut self.buf)?
            {
                return Ok(head);
            }
            if self.buf.len() > MAX_HEAD {
                return Err(malformed("a head larger than 64 KiB"));
            }
            self.more().await?;
        }
    }

    /// A body of exactly `n` bytes.
    async fn exact(&mut self, n: usize, max_body: usize) -> Result<Bytes, WireError> {
        if n > max_body {
            return Err(WireError::TooLarge(max_body));
        }
        if self.buf.len() < n {
            self.buf.reserve(n - self.buf.len());
        }
        while self.buf.len() < n {
            self.more().await?;
        }
        Ok(self.buf.split_to(n).freeze())
    }

    /// A body that runs to the connection's end.
    async fn until_closed(&mut self, max_body: usize) -> Result<Bytes, WireError> {
        while self.buf.len() <= max_body {
            if !self.fill().await? {
                return Ok(std::mem::take(&mut self.buf).freeze());
            }
        }
        Err(WireError::TooLarge(max_body))
    }

    /// A chunked body, its chunks joined; the trailer section is read past.
    async fn chunked(&mut self, max_body: usize) -> Result<Bytes, WireError> {
        let mut body = BytesMut::new();
        loop {
            let size = loop {
                // The line's CRLF is not counted against its bound, however it arrived.
                match httparse::parse_chunk_size(&self.buf) {
                    Ok(httparse::Status::Complete((used, size))) if used <= self.max_line + 2 => {
                        self.buf.advance(used);
                        break size;
                    }
                    Ok(httparse::Status::Partial) if self.buf.len() <= self.max_line + 1 => {
                        self.more().await?
                    }
                    Ok(_) => return Err(malformed("a chunk-size line over its bound")),
                    Err(_) => return Err(malformed("an invalid chunk size")),
                }
            };
            if size == 0 {
                self.trailers().await?;
                return Ok(body.freeze());
            }
            let size = usize::try_from(size)
                .ok()
                .filter(|s| body.len().saturating_add(*s) <= max_body)
                .ok_or(WireError::TooLarge(max_body))?;
            while self.buf.len() < size + 2 {
                self.more().await?;
            }
            body.extend_from_slice(&self.buf[..size]);
            if &self.buf[size..size + 2] != b"\r\n" {
                return Err(malformed("a chunk not followed by CRLF"));
            }
            self.buf.advance(size + 2);
        }
    }

    /// The trailer section after the last chunk, up to its empty line.
    async fn trailers(&mut self) -> Result<(), WireError> {
        let mut read = 0;
        loop {
            match self.buf.windows(2).position(|w| w == b"\r\n") {
                Some(0) => {
                    self.buf.advance(2);
                    return Ok(());
                }
                Some(end) => {
                    read += end + 2;
                    self.buf.advance(end + 2);
                }
                None if read + self.buf.len() <= MAX_HEAD => self.more().await?,
                None => return Err(malformed("a trailer section larger than 64 KiB")),
            }
        }
    }
}

/// A complete head taken from the start of `buf`, or `None` while it is partial. Its field
/// values are slices of the head's bytes, not copies.
fn parse_head(buf: &mut BytesMut) -> Result<Option<Head>, WireError> {
    // Left uninitialised: httparse writes the fields it reads, and a hundred empty ones
    // written first would cost more than reading a head.
    let mut fields =
        [const { std::mem::MaybeUninit::<httparse::Header<'_>>::uninit() }; MAX_HEADERS];
    let mut answer = httparse::Response::new(&mut []);
    let config = httparse::ParserConfig::default();
    let len = match config.parse_response_with_uninit_headers(&mut answer, buf, &mut fields) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(e) => return Err(WireError::Malformed(e.to_string())),
    };
    let status = answer
        .code
        .and_then(|c| StatusCode::from_u16(c).ok())
        .ok_or_else(|| malformed("an invalid status"))?;
    let eleven = answer.version == Some(1);
    // Where each field lies: httparse has checked names and values, and what is looked up of
    // them is looked up where they lie ([`Fields`]).
    let head = &buf[..len];
    let spans = answer
        .headers
        .iter()
        .map(|f| Some((span(head, f.name.as_bytes())?, span(head, f.value)?)))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| malformed("a field that is not part of the head"))?;
    let headers = Fields::new(buf.split_to(len).freeze(), spans);
    Ok(Some(Head {
        status,
        eleven,
        headers,
    }))
}

/// A field's name and where its value lies in the head it was read from.
pub type Field = (HeaderName, std::ops::Range<usize>);

/// Gathers the fields httparse read from `head` into `names`: each name, and where its value
/// lies in `head`. `false` if a name is not a field name, or a value is not a slice of `head`
/// (httparse's all are).
pub fn gather(head: &[u8], fields: &[httparse::Header<'_>], names: &mut Vec<Field>) -> bool {
    names.clear();
    for field in fields {
        let (Ok(name), Some(value)) = (
            HeaderName::from_bytes(field.name.as_bytes()),
            span(head, field.value),
        ) else {
            return false;
        };
        names.push((name, value));
    }
    true
}

/// Where `part`, a slice of `whole`, lies in it; `None` if it is not one.
pub fn span(whole: &[u8], part: &[u8]) -> Option<std::ops::Range<usize>> {
    if part.is_empty() {
        return Some(0..0);
    }
    // Addresses compared, not dereferenced: safe, and the only way to tell where a slice lies.
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    let end = start.checked_add(part.len())?;
    (end <= whole.len()).then_some(start..end)
}

/// The header map of the fields `names` gathered from `head`, each value a slice of `head`
/// (no copy); `None` if a value holds a byte no field may carry. Empties `names`.
pub fn header_map(head: &Bytes, names: &mut Vec<Field>) -> Option<HeaderMap> {
    let mut map = HeaderMap::with_capacity(names.len());
    for (name, value) in names.drain(..) {
        map.append(
            name,
            HeaderValue::from_maybe_shared(head.slice(value)).ok()?,
        );
    }
    Some(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads the answer `bytes` (delivered in pieces of `piece` bytes) to a `method` request.
    fn read(bytes: &[u8], piece: usize, method: Method, max: usize) -> Result<Answer, WireError> {
        let mut builder = tokio_test_io(bytes, piece);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        rt.block_on(read_answer(&mut builder, &method, max, &AtomicU16::new(0)))
    }

    /// A reader handing out `bytes` `piece` at a time, then its end.
    fn tokio_test_io(bytes: &[u8], piece: usize) -> impl AsyncRead + Unpin {
        let pieces: Vec<Vec<u8>> = bytes.chunks(piece.max(1)).map(<[u8]>::to_vec).collect();
        Pieces(pieces.into_iter().rev().collect())
    }

    struct Pieces(Vec<Vec<u8>>);

    impl AsyncRead for Pieces {
        fn poll_read(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            if let Some(mut next) = self.0.pop() {
                let n = next.len().min(buf.remaining());
                buf.put_slice(&next[..n]);
                if n < next.len() {
                    self.0.push(next.split_off(n));
                }
            }
            std::task::Poll::Ready(Ok(()))
        }
    }

    const PIECES: [usize; 4] = [1, 3, 7, 4096];

    #[test]
    fn reads_every_framing_in_any_pieces() {
        let cases: [(&[u8], Method, &[u8], bool); 14] = [
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
                Method::GET,
                b"hello",
                true,
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n",
                Method::GET,
                b"hello world",
                true,
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
                Method::GET,
                b"hi",
                true,
            ),
            (
                b"HTTP/1.1 200 OK\r\n\r\nuntil the end",
                Method::GET,
                b"until the end",
                false,
            ),
            (
                b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\n{}",
                Method::POST,
                b"{}",
                true,
            ),
            (
                b"HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n",
                Method::DELETE,
                b"",
                true,
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n",
                Method::HEAD,
                b"",
                true,
            ),
            (
                b"HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 2\r\n\r\nok",
                Method::GET,
                b"ok",
                false,
            ),
            (
                b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
                Method::GET,
                b"ok",
                false,
            ),
            (
                b"HTTP/1.0 200 OK\r\nconnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok",
                Method::GET,
                b"ok",
                true,
            ),
            (
                b"HTTP/1.1 200 OK\r\nCONTENT-LENGTH: 2\r\ncontent-length: 2, 02\r\n\r\nok",
                Method::GET,
                b"ok",
                true,
            ),
            (
                b"HTTP/1.1 200 OK\r\nConnection: te\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
                Method::GET,
                b"ok",
                false,
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding:\r\n\r\n2\r\nok\r\n0\r\n\r\n",
                Method::GET,
                b"ok",
                true,
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\nuntil the end",
                Method::GET,
                b"until the end",
                false,
            ),
        ];
        for (bytes, method, body, reusable) in cases {
            for piece in PIECES {
                let answer = read(bytes, piece, method.clone(), 1 << 20)
                    .unwrap_or_else(|e| panic!("{}: {e}", String::from_utf8_lossy(bytes)));
                assert_eq!(&answer.body[..], body, "{piece}");
                assert_eq!(
                    answer.reusable,
                    reusable,
                    "{}",
                    String::from_utf8_lossy(bytes)
                );
            }
        }
    }

    #[test]
    fn keeps_the_status_and_every_field() {
        let answer = read(
            b"HTTP/1.1 422 Unprocessable\r\nX-A: 1\r\nx-a: 2\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n",
            5,
            Method::PATCH,
            10,
        )
        .expect("an answer");
        assert_eq!(answer.status, 422);
        let all: Vec<_> = answer.headers.get_all("x-a").collect();
        assert_eq!(all, [b"1", b"2"]);
        assert_eq!(
            answer.headers.get("content-type"),
            Some(&b"application/json"[..])
        );
        assert_eq!(answer.headers.len(), 4);
    }

    #[test]
    fn refuses_what_cannot_be_framed() {
        let cases: [&[u8]; 10] = [
            b"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello!",
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\ncontent-length: 6\r\n\r\nhello!",
            b"HTTP/1.1 200 OK\r\nContent-Length: x\r\nContent-Length: 5\r\n\r\nhello",
            b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhiX\r\n0\r\n\r\n",
            b"HTTP/1.1 101 Switching Protocols\r\n\r\n",
            b"HTTP/1.1 2000 Odd\r\n\r\n",
            b"SMTP ready\r\n\r\n",
        ];
        for bytes in cases {
            let result = read(bytes, 4096, Method::GET, 100);
            assert!(
                matches!(result, Err(WireError::Malformed(_))),
                "{}: {result:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    #[test]
    fn tells_an_answer_that_never_began_from_one_cut_short() {
        assert!(matches!(
            read(b"", 1, Method::GET, 100),
            Err(WireError::Unanswered(_))
        ));
        for cut in [
            &b"HTTP/1.1 200 OK\r\nContent-Le"[..],
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
            b"HTTP/1.1 100 Continue\r\n\r\n",
        ] {
            let result = read(cut, 2, Method::GET, 100);
            assert!(matches!(result, Err(WireError::Broken(_))), "{result:?}");
        }
    }

    #[test]
    fn refuses_a_body_beyond_the_limit_however_framed() {
        for bytes in [
            &b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world"[..],
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\n\r\nhello world",
        ] {
            for piece in PIECES {
                let result = read(bytes, piece, Method::GET, 10);
                assert!(matches!(result, Err(WireError::TooLarge(10))), "{result:?}");
                assert!(read(bytes, piece, Method::GET, 11).is_ok());
            }
        }
    }

    /// Over loopback: a vendor that reads a little of a large request, answers and closes
    /// with the rest unread (so its end resets the connection and the write fails).
    #[tokio::test]
    async fn an_answer_given_before_the_request_was_read_whole_is_the_answer() {
        use tokio::net::{TcpSocket, TcpStream};
        for (answer, status) in [
            (
                &b"HTTP/1.1 413 Content Too Large\r\nContent-Length: 9\r\n\r\ntoo large"[..],
                413,
            ),
            (
                b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\nno",
                400,
            ),
        ] {
            let socket = TcpSocket::new_v4().expect("a socket");
            // A small window: the request cannot all be buffered on the vendor's side.
            socket.set_recv_buffer_size(4096).expect("a buffer size");
            socket
                .bind("127.0.0.1:0".parse().expect("an address"))
                .expect("bound");
            let listener = socket.listen(1).expect("listening");
            let addr = listener.local_addr().expect("an address");
            let vendor = tokio::spawn(async move {
                let (mut stream, _) = listener.accept().await.expect("a connection");
                let mut head = [0; 1024];
                let n = stream.read(&mut head).await.expect("the head");
                assert!(head[..n].starts_with(b"POST /hooks HTTP/1.1\r\n"));
                stream.write_all(answer).await.expect("the answer");
            });
            let body = vec![b'x'; 16 << 20];
            let bytes = request(&Method::POST, "/hooks", "vendor.test", &[], &[], &body);
            let mut stream = TcpStream::connect(addr).await.expect("connected");
            let heard = AtomicU16::new(0);
            let got = exchange(&mut stream, &bytes, &Method::POST, 100, &heard).await;
            vendor.await.expect("the vendor");
            let got = got.expect("the vendor's answer");
            assert_eq!(got.status.as_u16(), status);
            assert_eq!(heard.load(Ordering::Relaxed), status, "the head was heard");
            assert!(!got.reusable);
        }
        // With no answer waiting, the failed write is the reason.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bound");
        let addr = listener.local_addr().expect("an address");
        let vendor = tokio::spawn(async move { drop(listener.accept().await) });
        let bytes = request(
            &Method::POST,
            "/hooks",
            "vendor.test",
            &[],
            &[],
            &vec![0; 16 << 20],
        );
        let mut stream = TcpStream::connect(addr).await.expect("connected");
        vendor.await.expect("the vendor");
        let heard = AtomicU16::new(0);
        let got = exchange(&mut stream, &bytes, &Method::POST, 100, &heard).await;
        assert!(matches!(got, Err(WireError::Unanswered(_))), "{got:?}");
        assert_eq!(heard.load(Ordering::Relaxed), 0, "no head was heard");
    }

    #[test]
    fn a_connection_is_not_kept_with_bytes_left_over_or_a_doubtful_length() {
        for bytes in [
            &b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n"[..],
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\nok\r\n0\r\n\r\n",
        ] {
            let answer = read(bytes, 4096, Method::GET, 100).expect("an answer");
            assert_eq!(&answer.body[..], b"ok");
            assert!(!answer.reusable);
        }
    }

    #[test]
    fn writes_the_request_with_its_host_its_length_and_nothing_of_framing_twice() {
        let headers = [
            (
                HeaderName::from_static("x-request-id"),
                HeaderValue::from_static("r-1"),
            ),
            (header::CONTENT_LENGTH, HeaderValue::from_static("99")),
        ];
        let auth = HeaderValue::from_static("Basic dTpw");
        let bytes = request(
            &Method::PATCH,
            "/v1/hooks/a?b=c",
            "api.example:8443",
            &headers,
            &[(header::PROXY_AUTHORIZATION, &auth)],
            b"{}",
        );
        assert_eq!(
            String::from_utf8(bytes).expect("text"),
            "PATCH /v1/hooks/a?b=c HTTP/1.1\r\nhost: api.example:8443\r\nx-request-id: r-1\r\n\
             proxy-authorization: Basic dTpw\r\ncontent-length: 2\r\n\r\n{}"
        );
        let empty_post = request(&Method::POST, "/", "h", &[], &[], b"");
        assert!(empty_post.ends_with(b"content-length: 0\r\n\r\n"));
        let get = request(&Method::GET, "/", "h", &[], &[], b"");
        assert_eq!(get, b"GET / HTTP/1.1\r\nhost: h\r\n\r\n");
    }
}
