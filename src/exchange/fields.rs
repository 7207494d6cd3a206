//! A vendor answer's header fields, as slices of the head they were read from: looked up by
//! name where they lie, never gathered into a map.
//!
//! An answer is asked for a handful of its fields (its framing, its media type, `Retry-After`,
//! its request id, the rate limits) and most of what a vendor sends (`Date`, `Server`, its own
//! fields) is never looked at. A `HeaderMap` parsed every name into a `HeaderName`, hashed it,
//! checked every value and allocated for each answer: about 3,000 instructions of a translated
//! request, for fields nobody read (docs/performance.md). Here a name is compared with the few
//! asked for (ASCII, any letter case), and a value is checked only when it is passed on.

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};
use std::ops::Range;

/// The fields of one answer's head, in the order they came.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    /// The head's text (or, for fields made up, a text written of them).
    head: Bytes,
    /// Where each field's name and value lie in `head`.
    spans: Vec<(Range<usize>, Range<usize>)>,
}

impl Fields {
    /// The fields at `spans` (name, value) of `head`, as httparse read them: each name a token,
    /// each value free of bytes a field may not carry (RFC 9110 §5.5; httparse refuses a head
    /// with one).
    pub fn new(head: Bytes, spans: Vec<(Range<usize>, Range<usize>)>) -> Fields {
        Fields { head, spans }
    }

    /// How many fields there are (a repeated name counts each time).
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Every field, name and value, in the order they came (a name as it was spelt).
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.spans
            .iter()
            .map(|(name, value)| (&self.head[name.clone()], &self.head[value.clone()]))
    }

    /// The values of the fields called `name` (any letter case), in the order they came.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.spans_of(name).map(|at| &self.head[at])
    }

    /// The first value of the field `name`.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.spans_of(name).next().map(|at| &self.head[at])
    }

    /// Where the values of the fields called `name` lie, in the order they came.
    fn spans_of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = Range<usize>> + 'a {
        self.spans
            .iter()
            .filter(|(n, _)| self.head[n.clone()].eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, value)| value.clone())
    }

    /// The first value of the field `name`, if it is visible ASCII (as
    /// [`HeaderValue::to_str`]).
    pub fn text(&self, name: &str) -> Option<&str> {
        visible(self.get(name)?)
    }

    /// Each line's value of the field `name`, in the order they came: its text where it is
    /// visible ASCII ([`Fields::text`]), else `None`.
    pub fn texts<'a>(&'a self, name: &'a str) -> impl Iterator<Item = Option<&'a str>> + 'a {
        self.spans_of(name).map(|at| visible(&self.head[at]))
    }

    /// Every value of the field `name` as one, the lines joined by `, ` as RFC 9110 (§5.3)
    /// says a list-valued field's lines combine (`Link` sent as one line per link), each
    /// visible ASCII ([`Fields::text`]); a field sent once is not copied.
    pub fn joined(&self, name: &str) -> Option<std::borrow::Cow<'_, str>> {
        let mut lines = self.spans_of(name).filter_map(|at| visible(&self.head[at]));
        let first = lines.next()?;
        let Some(second) = lines.next() else {
            return Some(std::borrow::Cow::Borrowed(first));
        };
        let mut all = format!("{first}, {second}");
        for line in lines {
            all.push_str(", ");
            all.push_str(line);
        }
        Some(std::borrow::Cow::Owned(all))
    }

    /// The first value of the field `name` as a value to pass on: a slice of the head, not a
    /// copy.
    pub fn value(&self, name: &str) -> Option<HeaderValue> {
        HeaderValue::from_maybe_shared(self.head.slice(self.spans_of(name).next()?)).ok()
    }

    /// Whether a field called `name` is there.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// The fields of a map, for an answer made rather than read (a scripted one, a test's): written
/// as a head's lines would be, and read from there.
impl From<&HeaderMap> for Fields {
    fn from(map: &HeaderMap) -> Fields {
        let mut head = Vec::new();
        let mut spans = Vec::with_capacity(map.len());
        for (name, value) in map {
            let at = head.len();
            head.extend_from_slice(name.as_str().as_bytes());
            let named = at..head.len();
            head.extend_from_slice(b": ");
            let start = head.len();
            head.extend_from_slice(value.as_bytes());
            spans.push((named, start..head.len()));
            head.extend_from_slice(b"\r\n");
        }
        Fields::new(Bytes::from(head), spans)
    }
}

/// `value` as text, if it is visible ASCII and tabs (as [`HeaderValue::to_str`]).
fn visible(value: &[u8]) -> Option<&str> {
    value
        .iter()
        .all(|&b| b == b'\t' || (b' '..=b'~').contains(&b))
        .then(|| std::str::from_utf8(value).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn made(pairs: &[(&'static str, &'static str)]) -> Fields {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        Fields::from(&map)
    }

    #[test]
    fn finds_fields_in_any_letter_case_in_order() {
        let head = Bytes::from_static(b"Content-Type: application/json\r\nX-A: 1\r\nx-a: 2\r\n");
        let fields = Fields::new(
            head,
            vec![(0..12, 14..30), (32..35, 37..38), (40..43, 45..46)],
        );
        assert_eq!(fields.len(), 3);
        assert_eq!(fields.get("content-type"), Some(&b"application/json"[..]));
        assert_eq!(fields.get("CONTENT-TYPE"), Some(&b"application/json"[..]));
        assert_eq!(fields.get_all("x-a").collect::<Vec<_>>(), [b"1", b"2"]);
        assert_eq!(fields.get("x-b"), None);
        assert!(fields.contains("X-a") && !fields.contains("x"));
        assert_eq!(fields.value("x-a").unwrap(), "1");
        let names: Vec<&[u8]> = fields.iter().map(|(n, _)| n).collect();
        assert_eq!(names, [&b"Content-Type"[..], b"X-A", b"x-a"]);
    }

    #[test]
    fn text_is_only_visible_ascii() {
        let mut map = HeaderMap::new();
        map.insert("a", HeaderValue::from_static("plain\tvalue"));
        map.insert("b", HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap());
        let fields = Fields::from(&map);
        assert_eq!(fields.text("a"), Some("plain\tvalue"));
        assert_eq!(fields.text("b"), None);
        assert_eq!(fields.get("b"), Some(&b"caf\xc3\xa9"[..]));
        assert_eq!(fields.value("b").unwrap().as_bytes(), b"caf\xc3\xa9");
    }

    #[test]
    fn a_map_reads_back_as_it_was() {
        let fields = made(&[
            ("retry-after", "5"),
            ("x-request-id", "r1"),
            ("retry-after", "6"),
        ]);
        assert_eq!(
            fields.get_all("retry-after").collect::<Vec<_>>(),
            [b"5", b"6"]
        );
        assert_eq!(fields.text("x-request-id"), Some("r1"));
        assert!(Fields::from(&HeaderMap::new()).is_empty());
    }
}
