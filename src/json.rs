//! JSON documents into `serde_json::Value`: strict for request bodies, as serde_json has it for
//! vendor answers, and in both cases with each object's map sized once; and JSON written out.
//!
//! Exact: a number a request body would carry on as another (an integer beyond 64 bits, which
//! serde_json reads as the nearest double) is an error, except where the body goes on as its
//! own bytes.
//!
//! Strict: a repeated object key is an error. RFC 8259 leaves duplicate names to
//! implementations and serde_json keeps the last one; two parsers in a chain that disagree on
//! which one wins is how checks get bypassed, so hookgate refuses such a request body. Nesting is
//! bounded by serde_json's recursion limit (128), invalid UTF-8 is refused by the parser, and
//! size is bounded before parsing by the body limit.
//!
//! Sizing: serde_json grows each object's map as members arrive (three times for a webhook's
//! dozen members, each time copying it). Here the members of the objects being read wait on
//! one stack shared by the whole document, and each object's map is made at its final size.
//!
//! Reading a vendor's answer without building it: [`read_at`] hands the value at a path (the
//! webhook, a list's items) to a reader of the text ([`scan`]) and keeps the envelope around it
//! as text ([`Rest`]), in which one member (a failure flag) is found without parsing the rest.
//!
//! Writing: every answer and vendor request body is written by sonic-rs's serializer, which
//! escapes strings several bytes at a time. Its output is serde_json's byte for byte (the
//! tests below compare them on arbitrary values); on the shipped vendors' webhooks it writes in
//! 0.45 to 0.8 of serde_json's time (docs/performance.md, "Choosing the parser").

pub mod doubt;
pub mod folded;
pub mod scan;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::cell::Cell;
use std::fmt;

/// The UTF-8 byte order mark, which RFC 8259 §8.1 forbids before a JSON text sent over a
/// network and lets a reader ignore.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A vendor's answer without a UTF-8 byte order mark at its start, where it has one: the mark
/// says nothing of the text after it (RFC 8259 §8.1 lets a reader ignore it), and every reader
/// of the answer, the relay to a client included, then sees the text itself. The same bytes,
/// not copied, otherwise.
pub fn without_bom(body: bytes::Bytes) -> bytes::Bytes {
    match body.starts_with(BOM) {
        true => body.slice(BOM.len()..),
        false => body,
    }
}

/// What a body that is no JSON text is, for a refusal that names it: `an empty body`, `a
/// body compressed with gzip`, `a body that is not UTF-8`, else `a body that is not JSON`.
pub fn not_json(body: &[u8]) -> &'static str {
    match body {
        [] => "an empty body",
        // RFC 1952's magic: gzip data sent without a `Content-Encoding` that says so.
        [0x1f, 0x8b, ..] => "a body compressed with gzip, not JSON",
        _ if std::str::from_utf8(body).is_err() => "a body that is not UTF-8 text, as JSON is",
        _ => "a body that is not JSON",
    }
}

/// `value` as JSON text, appended to `out`. Serialising a `serde_json` value or a derived
/// structure cannot fail; anything else that fails leaves `out` as it was.
pub fn write(out: &mut Vec<u8>, value: &impl serde::Serialize) {
    let len = out.len();
    if sonic_rs::to_writer(&mut *out, value).is_err() {
        out.truncate(len);
    }
}

/// Appends `key` as an object member's name, with its colon. A name that needs no escape (a
/// canonical field's, or most vendors' keys) is copied between quotes as it is.
pub fn write_key(out: &mut Vec<u8>, key: &str) {
    if needs_no_escape(key) {
        write_plain_key(out, key);
    } else {
        write(out, &key);
        out.push(b':');
    }
}

/// Appends `text` as a JSON string: copied between quotes as it is when it needs no escape,
/// else written by the serializer.
pub fn write_str(out: &mut Vec<u8>, text: &str) {
    if needs_no_escape(text) {
        write_plain_str(out, text);
    } else {
        write(out, &text);
    }
}

/// [`write_str`] for a string known to need no escape.
#[inline]
pub fn write_plain_str(out: &mut Vec<u8>, text: &str) {
    debug_assert!(needs_no_escape(text));
    out.reserve(text.len() + 2);
    out.push(b'"');
    out.extend_from_slice(text.as_bytes());
    out.push(b'"');
}

/// [`write_key`] for a name known to need no escape.
pub fn write_plain_key(out: &mut Vec<u8>, key: &str) {
    debug_assert!(needs_no_escape(key));
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
}

/// Whether the writer would write `text` as it is: it escapes only quotes, backslashes and
/// control characters, which is what JSON text escapes.
pub fn needs_no_escape(text: &str) -> bool {
    scan::literal(text)
}

/// `bytes` as text, when they are UTF-8. simdutf8 checks 32 bytes at a time with the
/// processor's vector instructions (chosen when the program starts): a third of the standard
/// library's instructions on a vendor's list (docs/performance.md).
fn utf8(bytes: &[u8]) -> Option<&str> {
    simdutf8::basic::from_utf8(bytes).ok()
}

/// A JSON value's kind, as a message names it (`a number`).
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `map[key]`, found by comparing keys in turn when the map is small. serde_json's map finds a
/// key by its SipHash (about 190 instructions for a short key); the objects of webhook APIs
/// hold a handful of members, which a scan compares in fewer.
pub fn member<'m>(map: &'m Map<String, Value>, key: &str) -> Option<&'m Value> {
    const SCANNED: usize = 8;
    if map.len() <= SCANNED {
        map.iter().find_map(|(k, v)| (k == key).then_some(v))
    } else {
        map.get(key)
    }
}

/// The start of the error [`from_slice`] gives for a number it cannot hold exactly.
pub const INEXACT: &str = "an integer too large to be carried exactly (beyond 64 bits)";

/// The smallest magnitude no 64-bit integer reaches on both sides (2^63): below it, serde_json
/// hands integers over as `i64` or `u64`, and above `u64::MAX` as doubles. A double this large
/// is a whole number that may stand for an integer it could not hold.
pub const BEYOND_64_BITS: f64 = 9_223_372_036_854_775_808.0;

/// Parses a JSON document, refusing repeated keys in any object and numbers it cannot hold
/// exactly ([`INEXACT`]).
pub fn from_slice(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    parse(bytes, Reading::Exact)
}

/// Parses a JSON document that is passed on as its bytes, refusing repeated keys in any
/// object; a number beyond 64 bits is read as the nearest double, to be looked at, as the
/// bytes relayed keep it exact.
pub fn from_slice_relayed(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    parse(bytes, Reading::Strict)
}

/// Parses a JSON document as serde_json does: of repeated keys, the last one wins.
pub fn from_slice_lenient(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    parse(bytes, Reading::Lenient)
}

/// Parses a JSON document as [`from_slice_lenient`] does, and says whether it holds an integer
/// written beyond 64 bits: the value holds the nearest double, and only the text holds the
/// integer exactly.
pub fn from_slice_lenient_noting(bytes: &[u8]) -> Result<(Value, bool), serde_json::Error> {
    parse_noting(bytes, Reading::Lenient).map(|(value, inexact)| (value, inexact.is_some()))
}

/// How a document is held to account.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Reading {
    /// As serde_json reads it: of repeated keys the last one counts.
    Lenient,
    /// Repeated keys refused.
    Strict,
    /// Repeated keys and numbers that would not be carried exactly refused.
    Exact,
}

/// Whether `bytes` are one well-formed JSON document in UTF-8, checked without building it.
/// serde_json's visitor over `IgnoredAny` rather than the scanner, which accepts the same
/// texts: on a relayed answer the scanner's walk measured about 340 instructions more.
pub fn is_document(bytes: &[u8]) -> bool {
    utf8(bytes).is_some() && serde_json::from_slice::<de::IgnoredAny>(bytes).is_ok()
}

/// Reads a document whose value at `path` (object keys from the root) is handed to `inner`,
/// which reads it from the scanner without building it; the rest of the document is kept as
/// [`Rest`], with a `null` in that value's place. The value is `None` when nothing lies at
/// `path`. Refused ([`scan::Malformed`], to be parsed whole instead) when the text is not a
/// JSON document in UTF-8, when `inner` refuses the value, or when a key of `path` comes twice
/// in its object: of repeated keys the last one counts, which only a whole reading settles.
pub fn read_at<'a, T>(
    bytes: &'a [u8],
    path: &[impl AsRef<str>],
    inner: impl FnOnce(&mut scan::Scanner<'a>) -> Result<T, scan::Malformed>,
) -> Result<(Rest, Option<T>), scan::Malformed> {
    let Some((value, at)) = locate(bytes, path, inner)? else {
        return Ok((Rest(bytes.to_vec()), None));
    };
    // The rest of the document, its value replaced by `null`: a few dozen bytes of envelope.
    let mut rest = Vec::with_capacity(bytes.len() - at.len() + 4);
    rest.extend_from_slice(&bytes[..at.start]);
    rest.extend_from_slice(b"null");
    rest.extend_from_slice(&bytes[at.end..]);
    Ok((Rest(rest), Some(value)))
}

/// The document `bytes` with the value at `path` (object keys from the root) replaced by
/// `with`, every other byte as it was; `None` when nothing lies there. Refused as
/// [`read_at`] refuses.
pub fn replaced_at(
    bytes: &[u8],
    path: &[impl AsRef<str>],
    with: &[u8],
) -> Result<Option<Vec<u8>>, scan::Malformed> {
    let Some(((), at)) = locate(bytes, path, |scan| scan.skip())? else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(bytes.len() - at.len() + with.len());
    out.extend_from_slice(&bytes[..at.start]);
    out.extend_from_slice(with);
    out.extend_from_slice(&bytes[at.end..]);
    Ok(Some(out))
}

/// Whether each key of `path` (object keys from the root) comes at most once in its object,
/// in a document serde_json reads: of repeated keys serde_json keeps the last, another parser
/// the first, so a value read there is one reading of several. (`false` too for a text that is
/// no JSON document.)
pub fn once_at(bytes: &[u8], path: &[impl AsRef<str>]) -> bool {
    locate(bytes, path, |scan| scan.skip()).is_ok()
}

/// What `inner` made of the value at `path` in the document `bytes`, and where that value
/// lies; refused as [`read_at`] refuses.
fn locate<'a, T>(
    bytes: &'a [u8],
    path: &[impl AsRef<str>],
    inner: impl FnOnce(&mut scan::Scanner<'a>) -> Result<T, scan::Malformed>,
) -> Result<Option<(T, std::ops::Range<usize>)>, scan::Malformed> {
    let text = utf8(bytes).ok_or(scan::Malformed)?;
    let mut scan = scan::Scanner::new(text);
    let mut inner = Some(inner);
    let mut found = None;
    follow(&mut scan, path, &mut inner, &mut found)?;
    scan.end()?;
    Ok(found)
}

/// What a document read by [`read_at`] holds besides the value read: its text, with `null` in
/// that value's place. Parsed only when asked for: a reader of a vendor's answer usually looks
/// at one flag in it, if at all, and a document built for that costs more than the flag.
#[derive(Debug, Clone, PartialEq)]
pub struct Rest(Vec<u8>);

impl Rest {
    /// The rest as a value, parsed as [`from_slice_lenient`] parses.
    pub fn value(&self) -> Result<Value, serde_json::Error> {
        from_slice_lenient(&self.0)
    }

    /// The text of the value at `path` (object keys from the root), `None` when nothing lies
    /// there; refused where a key on the way comes twice, which only a whole reading settles.
    pub fn text_at(&self, path: &[impl AsRef<str>]) -> Result<Option<&[u8]>, scan::Malformed> {
        Ok(locate(&self.0, path, |scan| scan.skip())?.map(|((), at)| &self.0[at]))
    }
}

/// Reads the value that comes next, handing the one at `path` to `inner`: what it made of it
/// and where it lay go to `found`.
fn follow<'a, T, F>(
    scan: &mut scan::Scanner<'a>,
    path: &[impl AsRef<str>],
    inner: &mut Option<F>,
    found: &mut Option<(T, std::ops::Range<usize>)>,
) -> Result<(), scan::Malformed>
where
    F: FnOnce(&mut scan::Scanner<'a>) -> Result<T, scan::Malformed>,
{
    let Some((key, below)) = path.split_first() else {
        let start = scan.position();
        let read = inner.take().ok_or(scan::Malformed)?;
        let value = read(scan)?;
        *found = Some((value, start..scan.end_of_last()));
        return Ok(());
    };
    if !scan.object()? {
        return scan.skip();
    }
    let mut seen = false;
    let mut first = true;
    while let Some(name) = scan.key(first)? {
        first = false;
        if *name == *key.as_ref() {
            if std::mem::replace(&mut seen, true) {
                return Err(scan::Malformed);
            }
            follow(scan, below, inner, found)?;
        } else {
            scan.skip()?;
        }
    }
    Ok(())
}

thread_local! {
    /// The pending-member stack, kept between documents: a thread parses one at a time.
    static PENDING: std::cell::Cell<Vec<(String, Value)>> = const { std::cell::Cell::new(Vec::new()) };
}

fn with_pending<T>(f: impl FnOnce(&mut Vec<(String, Value)>) -> T) -> T {
    let mut pending = PENDING.take();
    let result = f(&mut pending);
    pending.clear();
    PENDING.set(pending);
    result
}

/// Text already known to be UTF-8 is parsed as `str`, which spares serde_json checking each
/// string on its own (a call per string, where one pass over the whole document is a few
/// hundred instructions); anything else is parsed as bytes, for serde_json's own error.
fn parse(bytes: &[u8], reading: Reading) -> Result<Value, serde_json::Error> {
    match parse_noting(bytes, reading)? {
        (_, Some(literal)) if reading == Reading::Exact => {
            Err(de::Error::custom(format!("{INEXACT}: {literal}")))
        }
        (value, _) => Ok(value),
    }
}

/// The document, and the first integer it writes beyond 64 bits, if any.
fn parse_noting(
    bytes: &[u8],
    reading: Reading,
) -> Result<(Value, Option<&str>), serde_json::Error> {
    let rounded = Cell::new(false);
    let value = match utf8(bytes) {
        Some(text) => plain(serde_json::Deserializer::from_str(text), reading, &rounded),
        None => plain(
            serde_json::Deserializer::from_slice(bytes),
            reading,
            &rounded,
        ),
    }?;
    // A double this large may be an integer the text wrote exactly: only the text tells.
    let inexact = rounded
        .get()
        .then(|| integer_beyond_64_bits(bytes))
        .flatten();
    Ok((value, inexact))
}

/// The first integer written in `text` (a JSON document, read already) that no 64-bit integer
/// holds, which serde_json reads as the nearest double. A number with a fraction or an
/// exponent is a double as written, and carried as the double it is.
#[cold]
fn integer_beyond_64_bits(text: &[u8]) -> Option<&str> {
    let mut at = 0;
    while let Some(&b) = text.get(at) {
        at += 1;
        match b {
            b'"' => {
                // Past the string: an escape's next byte is never its end.
                while let Some(&c) = text.get(at) {
                    at += if c == b'\\' { 2 } else { 1 };
                    if c == b'"' {
                        break;
                    }
                }
            }
            b'-' | b'0'..=b'9' => {
                let start = at - 1;
                while text
                    .get(at)
                    .is_some_and(|c| matches!(c, b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-'))
                {
                    at += 1;
                }
                let literal = std::str::from_utf8(&text[start..at]).ok()?;
                let integer = !literal.contains(['.', 'e', 'E']);
                if integer && literal.parse::<i64>().is_err() && literal.parse::<u64>().is_err() {
                    return Some(literal);
                }
            }
            _ => {}
        }
    }
    None
}

fn plain<'de, R: serde_json::de::Read<'de>>(
    mut de: serde_json::Deserializer<R>,
    reading: Reading,
    rounded: &Cell<bool>,
) -> Result<Value, serde_json::Error> {
    let value = with_pending(|pending| {
        Seed {
            reading,
            pending,
            rounded,
        }
        .deserialize(&mut de)
    })?;
    de.end()?;
    Ok(value)
}

/// One value of the document; `pending` holds the members of the objects still open.
struct Seed<'p> {
    reading: Reading,
    /// Set when a number was read as a double too large to tell whether it was written so.
    rounded: &'p Cell<bool>,
    pending: &'p mut Vec<(String, Value)>,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        // serde_json reads an integer beyond 64 bits as the nearest double, which would be
        // carried on as another number (12345678901234567890123 as 1.2345678901234568e22):
        // a request body's is refused instead, and a vendor's kept as its text, once the text
        // says whether it was written as an integer (`parse_noting`); a double written so
        // (1e30) is carried as it is.
        if v.abs() >= BEYOND_64_BITS {
            self.rounded.set(true);
        }
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number out of range"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Seed {
            reading: self.reading,
            rounded: self.rounded,
            pending: &mut *self.pending,
        })? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let start = self.pending.len();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(Seed {
                reading: self.reading,
                rounded: self.rounded,
                pending: &mut *self.pending,
            })?;
            self.pending.push((key, value));
        }
        let mut out = Map::with_capacity(self.pending.len() - start);
        for (key, value) in self.pending.drain(start..) {
            match out.entry(key) {
                serde_json::map::Entry::Vacant(slot) => {
                    slot.insert(value);
                }
                serde_json::map::Entry::Occupied(slot) if self.reading >= Reading::Strict => {
                    let key = slot.key();
                    return Err(de::Error::custom(format!("the key `{key}` is repeated")));
                }
                serde_json::map::Entry::Occupied(mut slot) => {
                    slot.insert(value);
                }
            }
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_integer_beyond_64_bits_is_refused_and_a_double_so_written_is_not() {
        for (text, refused) in [
            (
                r#"{"n": 12345678901234567890123}"#,
                Some("12345678901234567890123"),
            ),
            (r#"[1, -9223372036854775809]"#, Some("-9223372036854775809")),
            (
                r#"{"s": "18446744073709551616 \" 9", "n": 18446744073709551616}"#,
                Some("18446744073709551616"),
            ),
            (
                r#"{"n": 18446744073709551615, "m": -9223372036854775808}"#,
                None,
            ),
            (
                r#"{"n": 1e30, "m": -1.7861287000149973e+21, "o": 123456789012345678901.5}"#,
                None,
            ),
            (r#"{"s": "12345678901234567890123", "t": 1e300}"#, None),
        ] {
            let read = from_slice(text.as_bytes());
            match refused {
                Some(literal) => {
                    let e = read.unwrap_err().to_string();
                    assert!(
                        e.starts_with(INEXACT) && e.ends_with(literal),
                        "{text}: {e}"
                    );
                    // Where the bytes go on as they are, it is read as the nearest double.
                    assert!(from_slice_relayed(text.as_bytes()).is_ok(), "{text}");
                }
                None => assert!(read.is_ok(), "{text}: {read:?}"),
            }
        }
    }

    /// Any JSON value: strings with control characters, quotes, backslashes, line and
    /// paragraph separators and characters beyond the basic plane; integers at both ends of
    /// their range; floats of any finite bit pattern.
    fn any_value() -> impl Strategy<Value = Value> {
        let text = prop::collection::vec(
            prop_oneof![
                (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap()),
                prop::sample::select(vec!['"', '\\', '/', '\u{7f}', '\u{2028}', '\u{2029}']),
                any::<char>(),
                (0x20u8..0x7f).prop_map(char::from),
            ],
            0..12,
        )
        .prop_map(|chars| chars.into_iter().collect::<String>());
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
            text.clone().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((text.clone(), inner), 0..6)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn writes_what_serde_json_writes(value in any_value()) {
            let mut written = b"[".to_vec();
            write(&mut written, &value);
            let expected = serde_json::to_vec(&value).unwrap();
            prop_assert_eq!(&written[1..], expected.as_slice());
        }
    }

    proptest! {
        /// Any value's text, and that text cut short or with a byte changed: a document
        /// exactly where the text is UTF-8 and serde_json reads it (serde_json does not look
        /// at the UTF-8 of strings it skips).
        #[test]
        fn a_document_is_what_serde_json_reads(value in any_value(), cut in any::<usize>(), byte in any::<u8>()) {
            let whole = serde_json::to_vec(&value).unwrap();
            let mut changed = whole.clone();
            changed[cut % whole.len()] = byte;
            for text in [&whole[..], &whole[..cut % whole.len()], &changed[..]] {
                let serde = std::str::from_utf8(text).is_ok()
                    && serde_json::from_slice::<de::IgnoredAny>(text).is_ok();
                prop_assert_eq!(is_document(text), serde, "{:?}", String::from_utf8_lossy(text));
            }
        }
    }

    proptest! {
        #[test]
        fn writes_keys_as_serde_json_writes_them(key in ".{0,8}") {
            let mut written = Vec::new();
            write_key(&mut written, &key);
            prop_assert_eq!(written, format!("{}:", serde_json::to_string(&key).unwrap()).into_bytes());
        }
    }

    proptest! {
        /// Scanned or hashed, a member is the one `Map::get` finds, for maps on both sides of
        /// the size where the one gives way to the other.
        #[test]
        fn finds_the_member_map_get_finds(
            keys in prop::collection::vec("[a-c]{0,3}", 0..20),
            key in "[a-c]{0,3}",
        ) {
            let map: Map<String, Value> =
                keys.into_iter().enumerate().map(|(i, k)| (k, Value::from(i))).collect();
            prop_assert_eq!(member(&map, &key), map.get(&key));
        }
    }

    #[test]
    fn refuses_repeated_keys_at_any_depth() {
        assert!(
            from_slice(br#"{"a": 1, "a": 2}"#)
                .unwrap_err()
                .to_string()
                .contains("`a` is repeated")
        );
        assert!(from_slice(br#"{"x": [{"b": 1, "b": 1}]}"#).is_err());
        assert_eq!(from_slice(br#"{"a": {"a": 1}}"#).unwrap()["a"]["a"], 1);
    }

    #[test]
    fn reads_what_serde_json_reads_when_lenient() {
        let text = br#"{"a": 1, "b": {"c": [true, null, {"d": "e"}], "f": 2.5}, "a": 3, "g": -7}"#;
        let ours = from_slice_lenient(text).unwrap();
        let theirs: Value = serde_json::from_slice(text).unwrap();
        assert_eq!(ours, theirs);
        assert_eq!(ours.to_string(), theirs.to_string());
        assert!(from_slice(text).is_err());
    }

    /// A member of the rest looked up as the gateway looks up a failure flag: by its text,
    /// else (a key repeated on the way) in the whole rest, where the last of them counts.
    trait At {
        fn at(&self, path: &[&str]) -> Result<Option<Value>, serde_json::Error>;
    }

    impl At for Rest {
        fn at(&self, path: &[&str]) -> Result<Option<Value>, serde_json::Error> {
            match self.text_at(path) {
                Ok(found) => found.map(from_slice_lenient).transpose(),
                Err(scan::Malformed) => {
                    let mut value = self.value()?;
                    for key in path {
                        match value {
                            Value::Object(mut members) => match members.swap_remove(*key) {
                                Some(v) => value = v,
                                None => return Ok(None),
                            },
                            _ => return Ok(None),
                        }
                    }
                    Ok(Some(value))
                }
            }
        }
    }

    #[test]
    fn looks_up_a_value_in_the_rest_as_a_whole_reading_would() {
        let text = br#"{"ok": false, "meta": {"more": true, "n": [1, {"x": 2}]}, "data": {"id": "a"}, "e": "\u00e9"}"#;
        let (rest, _) = read_at(text, &["data"], |scan| scan.skip()).unwrap();
        let whole = rest.value().unwrap();
        for path in [
            &["ok"][..],
            &["meta", "more"],
            &["meta", "n"],
            &["data"],
            &["e"],
            &["missing"],
            &["ok", "deeper"],
            &["meta", "missing"],
            &[],
        ] {
            let mut expected = Some(&whole);
            for key in path {
                expected = expected.and_then(|v| v.get(key));
            }
            assert_eq!(rest.at(path).unwrap().as_ref(), expected, "{path:?}");
        }
        // A key repeated on the way: the last one counts, as in a whole reading.
        let text = br#"{"data": 1, "ok": true, "m": {"ok": 1}, "ok": false}"#;
        let (rest, _) = read_at(text, &["data"], |scan| scan.skip()).unwrap();
        assert_eq!(rest.at(&["ok"]).unwrap(), Some(Value::Bool(false)));
        let text = br#"{"data": 1, "m": {"f": 1}, "m": {"g": 2}}"#;
        let (rest, _) = read_at(text, &["data"], |scan| scan.skip()).unwrap();
        assert_eq!(rest.at(&["m", "f"]).unwrap(), None);
        assert_eq!(rest.at(&["m", "g"]).unwrap(), Some(Value::from(2)));
        assert!(rest.text_at(&["m", "g"]).is_err());
        assert_eq!(rest.text_at(&["data"]).unwrap(), Some(&b"null"[..]));
        let (rest, _) = read_at(br#"{"ok" : false , "d": 1}"#, &["d"], |scan| scan.skip()).unwrap();
        assert_eq!(rest.text_at(&["ok"]).unwrap(), Some(&b"false"[..]));
    }

    #[test]
    fn hands_the_value_at_a_path_to_a_reader() {
        // Where the value lay.
        let value = |scan: &mut scan::Scanner| {
            let start = scan.position();
            scan.skip()?;
            Ok(start..scan.end_of_last())
        };
        let text = br#"{"ok": true, "data": {"n": [2], "item": {"a": 1}, "m": "x"}, "z": {}}"#;
        let path = ["data".to_owned(), "item".to_owned()];
        let (rest, item) = read_at(text, &path, value).unwrap();
        assert_eq!(
            rest.value().unwrap().to_string(),
            r#"{"ok":true,"data":{"n":[2],"item":null,"m":"x"},"z":{}}"#
        );
        assert_eq!(&text[item.unwrap()], br#"{"a": 1}"#);
        // Nothing at the path: the whole document, no value.
        for text in [&b"[1]"[..], br#"{"data": 3}"#, br#"{"data": {"other": 1}}"#] {
            let (rest, item) = read_at(text, &path, value).unwrap();
            assert_eq!(rest.value().unwrap(), from_slice_lenient(text).unwrap());
            assert_eq!(item, None);
        }
        let (rest, item) = read_at(b" {\"a\": 1} ", &[] as &[&str], value).unwrap();
        assert_eq!((rest.value().unwrap(), item), (Value::Null, Some(1..9)));
        // Refused: not one document, not UTF-8, a key of the path repeated at any level.
        for text in [
            &b"{} x"[..],
            b"{\"data\": \"\xff\"}",
            br#"{"data": {"item": 1}, "data": {"item": 2}}"#,
            br#"{"data": {"item": 1, "item": 2}}"#,
            br#"{"data": {"item": 1}, "data": 2}"#,
        ] {
            assert!(read_at(text, &path, value).is_err(), "{text:?}");
        }
        let refused = |_: &mut scan::Scanner| Err::<(), _>(scan::Malformed);
        assert!(read_at(text, &path, refused).is_err());
    }

    #[test]
    fn replaces_the_value_at_a_path_and_leaves_every_other_byte() {
        let text = br#"{ "k" :"a", "s": {"k": "b"}, "n": 1 }"#;
        let replaced = replaced_at(text, &["k"], br#""z""#).unwrap().unwrap();
        assert_eq!(replaced, br#"{ "k" :"z", "s": {"k": "b"}, "n": 1 }"#);
        let inner = replaced_at(text, &["s", "k"], b"2").unwrap().unwrap();
        assert_eq!(inner, br#"{ "k" :"a", "s": {"k": 2}, "n": 1 }"#);
        assert_eq!(replaced_at(text, &["x"], b"1").unwrap(), None);
        assert!(replaced_at(br#"{"k": 1, "k": 2}"#, &["k"], b"3").is_err());
    }

    #[test]
    fn keeps_large_integers_exactly_and_bounds_nesting() {
        let v =
            from_slice(b"[9007199254740993, 18446744073709551615, -9223372036854775808]").unwrap();
        assert_eq!(
            v.to_string(),
            "[9007199254740993,18446744073709551615,-9223372036854775808]"
        );
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(from_slice(deep.as_bytes()).is_err());
        assert!(from_slice(b"\"\xff\"").is_err());
        assert!(from_slice(b"{} trailing").is_err());
    }
}
