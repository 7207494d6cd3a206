//! The framing scanner never loses sync: for generated request streams (heads of every shape,
//! fixed and chunked bodies, chunk extensions of every length around the bound, trailers,
//! pipelined requests, ambiguous and unfollowable framings, the HTTP/2 preface), feeding the
//! stream in any split into reads gives exactly the verdicts of feeding it byte by byte (and
//! whole), and those verdicts are the ones the stream's requests call for.

use hookgate::http::framing::{MAX_CHUNK_LINE, Refusal, Scanner};
use proptest::prelude::*;

/// Heads and trailer sections over this are refused; small, so that generated heads cross it.
const MAX_HEAD: usize = 1024;

/// What the scanner shows after some bytes: reading a head, the refusal in force, HTTP/2.
type Seen = (bool, Option<Refusal>, bool);

fn seen(s: &Scanner) -> Seen {
    (s.reading_head(), s.refusal(), s.http2())
}

/// What a request calls for once it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Fine,
    Refused(Refusal),
    Http2,
}

/// One generated request.
#[derive(Debug, Clone)]
enum Req {
    Length {
        /// Line ends: CRLF, bare LF, or bare LF with a CRLF empty line.
        eol: u8,
        leading_crlf: bool,
        extra: Vec<usize>,
        pad: usize,
        body: Vec<u8>,
    },
    Chunked {
        coding: usize,
        pad: usize,
        /// Each chunk's data, its extension's length, and whether its size is in upper case
        /// with leading zeros.
        chunks: Vec<(Vec<u8>, usize, bool)>,
        last_ext: usize,
        trailers: Vec<usize>,
    },
    Ambiguous(usize, Vec<u8>),
    BadChunk(usize),
    Preface(bool, Vec<u8>),
}

/// Headers that look like framing to a careless eye and are not.
const DECOYS: &[&str] = &[
    "Accept: */*",
    "X-A: Content-Length: 5",
    "Transfer-Encodingx: chunked",
    "X-TE: chunked",
    "Content-Lengthy: 9",
    "X-Colon: a:b:c",
];

const CODINGS: &[&str] = &["chunked", "Chunked", ", chunked", "CHUNKED ,"];

fn extension(len: usize) -> String {
    // `;` then name=value pairs; any bytes but CR and LF would do.
    let mut ext = String::from(";");
    while ext.len() < len {
        ext.push_str(if ext.len() % 7 == 0 { ";k=v" } else { "x" });
    }
    ext.truncate(len.max(1));
    if len == 0 { String::new() } else { ext }
}

impl Req {
    /// The request's bytes, and what reading them calls for, if it is the first request
    /// (`first`) or not.
    fn render(&self, first: bool) -> (Vec<u8>, Verdict) {
        let fine_head = |head: &[u8]| {
            if head.len() > MAX_HEAD {
                Verdict::Refused(Refusal::Answer)
            } else {
                Verdict::Fine
            }
        };
        match self {
            Req::Length {
                eol,
                leading_crlf,
                extra,
                pad,
                body,
            } => {
                let (eol, blank) = match eol % 3 {
                    0 => ("\r\n", "\r\n"),
                    1 => ("\n", "\n"),
                    _ => ("\n", "\r\n"),
                };
                let mut head = String::new();
                if *leading_crlf {
                    head.push_str("\r\n");
                }
                head.push_str(&format!("POST /p HTTP/1.1{eol}Host: x{eol}"));
                for i in extra {
                    head.push_str(DECOYS[i % DECOYS.len()]);
                    head.push_str(eol);
                }
                if !body.is_empty() || pad % 2 == 0 {
                    head.push_str(&format!("Content-Length: {}{eol}", body.len()));
                }
                head.push_str(&format!("X-Pad: {}{eol}{blank}", "p".repeat(*pad)));
                let verdict = fine_head(head.as_bytes());
                let mut bytes = head.into_bytes();
                bytes.extend_from_slice(body);
                (bytes, verdict)
            }
            Req::Chunked {
                coding,
                pad,
                chunks,
                last_ext,
                trailers,
            } => {
                let head = format!(
                    "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: {}\r\nX-Pad: {}\r\n\r\n",
                    CODINGS[coding % CODINGS.len()],
                    "p".repeat(*pad)
                );
                let mut verdict = fine_head(head.as_bytes());
                let mut bytes = head.into_bytes();
                let mut line = |bytes: &mut Vec<u8>, size: String, ext: usize| {
                    let text = format!("{size}{}\r", extension(ext));
                    if text.len() > MAX_CHUNK_LINE && verdict == Verdict::Fine {
                        verdict = Verdict::Refused(Refusal::Close);
                    }
                    bytes.extend_from_slice(text.as_bytes());
                    bytes.push(b'\n');
                };
                for (data, ext, upper) in chunks {
                    let size = if *upper {
                        format!("00{:X}", data.len())
                    } else {
                        format!("{:x}", data.len())
                    };
                    line(&mut bytes, size, *ext);
                    bytes.extend_from_slice(data);
                    bytes.extend_from_slice(b"\r\n");
                }
                line(&mut bytes, "0".into(), *last_ext);
                let mut section = String::new();
                for len in trailers {
                    section.push_str(&format!("T: {}\r\n", "t".repeat(*len)));
                }
                section.push_str("\r\n");
                if section.len() > MAX_HEAD && verdict == Verdict::Fine {
                    verdict = Verdict::Refused(Refusal::Close);
                }
                bytes.extend_from_slice(section.as_bytes());
                (bytes, verdict)
            }
            Req::Ambiguous(variant, body) => {
                let n = body.len();
                let framing = match variant % 11 {
                    0 => format!("Content-Length: {n}\r\nTransfer-Encoding: chunked"),
                    1 => format!("Transfer-Encoding: chunked\r\ncontent-length: {n}"),
                    2 => format!("Content-Length: {n}\r\nContent-Length: {n}"),
                    3 => format!("Content-Length: {n}\r\nContent-Length: {}", n + 1),
                    4 => format!("Content-Length: {n},{n}"),
                    5 => format!("Content-Length: +{n}"),
                    6 => "Transfer-Encoding: gzip".into(),
                    7 => "Content-Length:".into(),
                    // Chunked applied twice (RFC 9112 §6.1), on one line or two.
                    8 => "Transfer-Encoding: chunked, Chunked".into(),
                    9 => "Transfer-Encoding: chunked\r\ntransfer-encoding: chunked".into(),
                    _ => "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip".into(),
                };
                let mut bytes =
                    format!("POST /p HTTP/1.1\r\nHost: x\r\n{framing}\r\n\r\n").into_bytes();
                bytes.extend_from_slice(body);
                (bytes, Verdict::Refused(Refusal::Answer))
            }
            Req::BadChunk(variant) => {
                let body: String = match variant % 7 {
                    0 => "zz\r\n".into(),
                    1 => " 5\r\nhello\r\n0\r\n\r\n".into(),
                    2 => "5\nhello\r\n0\r\n\r\n".into(),
                    3 => "5\r\nhelloXX0\r\n\r\n".into(),
                    4 => "5;a\rb\r\nhello\r\n0\r\n\r\n".into(),
                    5 => "0\r\nT: 1\n\r\n".into(),
                    _ => format!("0\r\nT: {}\r\n\r\n", "t".repeat(MAX_HEAD)),
                };
                let bytes = format!(
                    "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{body}"
                )
                .into_bytes();
                (bytes, Verdict::Refused(Refusal::Close))
            }
            Req::Preface(exact, frames) => {
                let tail: &[u8] = if *exact { b"SM\r\n\r\n" } else { b"SX\r\n\r\n" };
                let mut bytes = b"PRI * HTTP/2.0\r\n\r\n".to_vec();
                bytes.extend_from_slice(tail);
                bytes.extend_from_slice(frames);
                let verdict = if first && *exact {
                    Verdict::Http2
                } else {
                    Verdict::Refused(Refusal::Answer)
                };
                (bytes, verdict)
            }
        }
    }
}

fn body(max: usize) -> impl Strategy<Value = Vec<u8>> {
    // Bodies full of what a scanner could mistake for framing.
    let piece = prop_oneof![
        Just(b"\r\n".to_vec()),
        Just(b"\r\n\r\n".to_vec()),
        Just(b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n".to_vec()),
        Just(b"0\r\n\r\n".to_vec()),
        prop::collection::vec(any::<u8>(), 0..32),
    ];
    prop::collection::vec(piece, 0..8).prop_map(move |pieces| {
        let mut out = pieces.concat();
        out.truncate(max);
        out
    })
}

fn ext_len() -> impl Strategy<Value = usize> {
    prop_oneof![
        4 => Just(0usize),
        4 => 1usize..40,
        2 => 1000usize..1100,
        2 => (MAX_CHUNK_LINE - 8)..(MAX_CHUNK_LINE + 4),
        1 => 5000usize..6000,
    ]
}

fn pad() -> impl Strategy<Value = usize> {
    prop_oneof![8 => 0usize..64, 1 => (MAX_HEAD - 80)..(MAX_HEAD + 40)]
}

fn req() -> impl Strategy<Value = Req> {
    prop_oneof![
        6 => (0u8..3, any::<bool>(), prop::collection::vec(0usize..16, 0..4), pad(), body(300))
            .prop_map(|(eol, leading_crlf, extra, pad, body)| Req::Length {
                eol,
                leading_crlf,
                extra,
                pad,
                body
            }),
        6 => (
            0usize..8,
            pad(),
            prop::collection::vec(
                (prop::collection::vec(any::<u8>(), 1..200), ext_len(), any::<bool>()),
                0..4
            ),
            ext_len(),
            prop::collection::vec(
                prop_oneof![8 => 0usize..40, 1 => (MAX_HEAD / 2)..MAX_HEAD],
                0..3
            ),
        )
            .prop_map(|(coding, pad, chunks, last_ext, trailers)| Req::Chunked {
                coding,
                pad,
                chunks,
                last_ext,
                trailers
            }),
        1 => (0usize..11, body(40)).prop_map(|(v, b)| Req::Ambiguous(v, b)),
        1 => (0usize..7).prop_map(Req::BadChunk),
        1 => (prop::bool::weighted(0.8), prop::collection::vec(any::<u8>(), 0..64))
            .prop_map(|(exact, frames)| Req::Preface(exact, frames)),
    ]
}

/// A stream of requests: its bytes, where each request ends, and each request's verdict.
fn stream() -> impl Strategy<Value = (Vec<u8>, Vec<usize>, Vec<Verdict>)> {
    prop::collection::vec(req(), 1..8).prop_map(|reqs| {
        let mut bytes = Vec::new();
        let mut ends = Vec::new();
        let mut verdicts = Vec::new();
        for (i, r) in reqs.iter().enumerate() {
            let (b, v) = r.render(i == 0);
            bytes.extend_from_slice(&b);
            ends.push(bytes.len());
            verdicts.push(v);
        }
        (bytes, ends, verdicts)
    })
}

/// Read sizes, used in turn until the stream is fed: from single bytes to whole requests.
fn splits() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(
        prop_oneof![3 => 1usize..4, 3 => 1usize..80, 2 => 1usize..7000],
        1..24,
    )
}

/// What the scanner shows after each prefix of `bytes`, fed one byte at a time.
fn byte_by_byte(bytes: &[u8]) -> Vec<Seen> {
    let mut s = Scanner::new(MAX_HEAD);
    let mut out = vec![seen(&s)];
    for b in bytes {
        let returned = s.feed(std::slice::from_ref(b));
        assert_eq!(returned, s.refusal());
        out.push(seen(&s));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_split_sees_what_byte_by_byte_sees((bytes, _ends, _verdicts) in stream(), sizes in splits()) {
        let expected = byte_by_byte(&bytes);
        // Whole.
        let mut whole = Scanner::new(MAX_HEAD);
        let returned = whole.feed(&bytes);
        prop_assert_eq!(returned, whole.refusal());
        prop_assert_eq!(seen(&whole), expected[bytes.len()]);
        // Split: the same after every read.
        let mut split = Scanner::new(MAX_HEAD);
        let mut at = 0;
        for size in sizes.iter().cycle() {
            if at == bytes.len() {
                break;
            }
            let end = (at + size).min(bytes.len());
            let returned = split.feed(&bytes[at..end]);
            prop_assert_eq!(returned, split.refusal());
            prop_assert_eq!(seen(&split), expected[end], "after bytes {}..{}", at, end);
            at = end;
        }
    }

    #[test]
    fn verdicts_fall_on_the_requests_that_call_for_them((bytes, ends, verdicts) in stream()) {
        let seen = byte_by_byte(&bytes);
        // Every request before the first that is not fine ends on a request boundary, with
        // nothing refused and no head begun.
        let first_bad = verdicts.iter().position(|v| *v != Verdict::Fine);
        let fine = first_bad.unwrap_or(verdicts.len());
        prop_assert_eq!(seen[0], (false, None, false));
        for &end in &ends[..fine] {
            prop_assert_eq!(seen[end], (false, None, false), "at the end of a request, byte {}", end);
        }
        let last = seen[bytes.len()];
        match first_bad.map(|i| verdicts[i]) {
            None => prop_assert_eq!(last, (false, None, false)),
            Some(Verdict::Http2) => prop_assert_eq!(last, (false, None, true)),
            Some(Verdict::Refused(r)) => {
                prop_assert_eq!(last, (true, Some(r), false));
                // Not before the request that calls for it.
                let start = first_bad.map(|i| if i == 0 { 0 } else { ends[i - 1] }).unwrap_or(0);
                prop_assert_eq!(seen[start].1, None);
            }
            Some(Verdict::Fine) => unreachable!(),
        }
    }
}

#[test]
fn a_long_chunk_extension_split_across_reads_is_followed_to_the_next_head() {
    let ext = extension(2000);
    let stream = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5{ext}\r\nhello\r\n0\r\n\r\n\
         POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let cut = stream.find(&ext).unwrap() + 1000;
    let mut s = Scanner::new(MAX_HEAD);
    assert_eq!(s.feed(&stream.as_bytes()[..cut]), None);
    assert!(!s.reading_head());
    assert_eq!(s.feed(&stream.as_bytes()[cut..]), Some(Refusal::Answer));
}

#[test]
fn a_chunk_line_past_the_bound_is_refused_however_it_arrives() {
    let line = format!("5{}\r\n", extension(MAX_CHUNK_LINE));
    let stream = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{line}hello\r\n0\r\n\r\n"
    );
    for cut in [60, 100, 2000, stream.len() - 3] {
        let mut s = Scanner::new(MAX_HEAD);
        s.feed(&stream.as_bytes()[..cut]);
        assert_eq!(
            s.feed(&stream.as_bytes()[cut..]),
            Some(Refusal::Close),
            "cut at {cut}"
        );
        assert!(
            s.reading_head(),
            "a refused connection keeps its header timer"
        );
    }
}
