//! JSON documents into `serde_json::Value`: strict for request bodies, as serde_json has it for
//! vendor answers, and in both cases with each object's map sized once; and JSON written out.
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
//! Writing: every answer and vendor request body is written by sonic-rs's serializer, which
//! escapes strings several bytes at a time. Its output is serde_json's byte for byte (the
//! tests below compare them on arbitrary values); on the shipped vendors' webhooks it writes in
//! 0.45 to 0.8 of serde_json's time (docs/performance.md, "Choosing the parser").

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

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

/// [`write_key`] for a name known to need no escape.
pub fn write_plain_key(out: &mut Vec<u8>, key: &str) {
    debug_assert!(needs_no_escape(key));
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
}

/// Whether the writer would write `text` as it is: it escapes only quotes, backslashes and
/// control characters.
fn needs_no_escape(text: &str) -> bool {
    text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\')
}

/// Parses a JSON document, refusing repeated keys in any object.
pub fn from_slice(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    parse(bytes, true)
}

/// Parses a JSON document as serde_json does: of repeated keys, the last one wins.
pub fn from_slice_lenient(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    parse(bytes, false)
}

/// Whether `bytes` are one well-formed JSON document in UTF-8, checked without building it.
pub fn is_document(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok() && serde_json::from_slice::<de::IgnoredAny>(bytes).is_ok()
}

/// Parses a document as [`from_slice_lenient`] does, except that the value at `path` (object
/// keys from the root) is handed to `inner`, which may read it without building it; what
/// `inner` makes of it is returned beside the document, where a `null` stands in its place.
pub fn from_slice_lenient_at<'de, H>(
    bytes: &'de [u8],
    path: &[String],
    inner: H,
) -> Result<(Value, Option<H::Value>), serde_json::Error>
where
    H: DeserializeSeed<'de> + Clone,
{
    match std::str::from_utf8(bytes) {
        Ok(text) => at(serde_json::Deserializer::from_str(text), path, inner),
        Err(_) => at(serde_json::Deserializer::from_slice(bytes), path, inner),
    }
}

fn at<'de, R, H>(
    mut de: serde_json::Deserializer<R>,
    path: &[String],
    inner: H,
) -> Result<(Value, Option<H::Value>), serde_json::Error>
where
    R: serde_json::de::Read<'de>,
    H: DeserializeSeed<'de> + Clone,
{
    let mut out = None;
    let value = if path.is_empty() {
        out = Some(inner.deserialize(&mut de)?);
        Value::Null
    } else {
        with_pending(|pending| {
            let hook = Hook {
                path,
                inner,
                out: &mut out,
            };
            Seed::new(false, pending, Some(hook)).deserialize(&mut de)
        })?
    };
    de.end()?;
    Ok((value, out))
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
fn parse(bytes: &[u8], strict: bool) -> Result<Value, serde_json::Error> {
    match std::str::from_utf8(bytes) {
        Ok(text) => plain(serde_json::Deserializer::from_str(text), strict),
        Err(_) => plain(serde_json::Deserializer::from_slice(bytes), strict),
    }
}

fn plain<'de, R: serde_json::de::Read<'de>>(
    mut de: serde_json::Deserializer<R>,
    strict: bool,
) -> Result<Value, serde_json::Error> {
    let value = with_pending(|pending| Plain::new(strict, pending, None).deserialize(&mut de))?;
    de.end()?;
    Ok(value)
}

/// A [`Seed`] with nothing handed on.
type Plain<'p> = Seed<'p, std::marker::PhantomData<de::IgnoredAny>, de::IgnoredAny>;

/// One value of the document; `pending` holds the members of the objects still open, and
/// `hook` says where below this value one is handed to another seed.
struct Seed<'p, H, O> {
    strict: bool,
    pending: &'p mut Vec<(String, Value)>,
    hook: Option<Hook<'p, H, O>>,
}

struct Hook<'p, H, O> {
    /// The keys still to follow.
    path: &'p [String],
    inner: H,
    out: &'p mut Option<O>,
}

impl<'p, H, O> Seed<'p, H, O> {
    fn new(
        strict: bool,
        pending: &'p mut Vec<(String, Value)>,
        hook: Option<Hook<'p, H, O>>,
    ) -> Self {
        Seed {
            strict,
            pending,
            hook,
        }
    }
}

impl<'de, H: DeserializeSeed<'de, Value = O> + Clone, O> DeserializeSeed<'de> for Seed<'_, H, O> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, H: DeserializeSeed<'de, Value = O> + Clone, O> Visitor<'de> for Seed<'_, H, O> {
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
        while let Some(v) =
            seq.next_element_seed(Seed::<H, O>::new(self.strict, &mut *self.pending, None))?
        {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let start = self.pending.len();
        let mut hook = self.hook;
        while let Some(key) = map.next_key::<String>()? {
            let value = match &mut hook {
                Some(h) if h.path.first() == Some(&key) => {
                    if h.path.len() == 1 {
                        *h.out = Some(map.next_value_seed(h.inner.clone())?);
                        Value::Null
                    } else {
                        let below = Hook {
                            path: &h.path[1..],
                            inner: h.inner.clone(),
                            out: &mut *h.out,
                        };
                        map.next_value_seed(Seed::new(
                            self.strict,
                            &mut *self.pending,
                            Some(below),
                        ))?
                    }
                }
                _ => {
                    map.next_value_seed(Seed::<H, O>::new(self.strict, &mut *self.pending, None))?
                }
            };
            self.pending.push((key, value));
        }
        let mut out = Map::with_capacity(self.pending.len() - start);
        for (key, value) in self.pending.drain(start..) {
            match out.entry(key) {
                serde_json::map::Entry::Vacant(slot) => {
                    slot.insert(value);
                }
                serde_json::map::Entry::Occupied(slot) if self.strict => {
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
        #[test]
        fn writes_keys_as_serde_json_writes_them(key in ".{0,8}") {
            let mut written = Vec::new();
            write_key(&mut written, &key);
            prop_assert_eq!(written, format!("{}:", serde_json::to_string(&key).unwrap()).into_bytes());
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

    #[test]
    fn hands_the_value_at_a_path_to_another_seed() {
        let text = br#"{"ok": true, "data": {"item": {"a": 1}, "n": 2}, "data": {"item": [3]}}"#;
        let path = ["data".to_owned(), "item".to_owned()];
        let (rest, item) =
            from_slice_lenient_at(text, &path, std::marker::PhantomData::<Value>).unwrap();
        assert_eq!(rest.to_string(), r#"{"ok":true,"data":{"item":null}}"#);
        assert_eq!(item, Some(serde_json::json!([3])));
        let (rest, item) =
            from_slice_lenient_at(b"[1]", &path, std::marker::PhantomData::<Value>).unwrap();
        assert_eq!((rest, item), (serde_json::json!([1]), None));
        let (rest, item) =
            from_slice_lenient_at(b"{\"a\": 1}", &[], std::marker::PhantomData::<Value>).unwrap();
        assert_eq!(
            (rest, item),
            (Value::Null, Some(serde_json::json!({"a": 1})))
        );
        assert!(from_slice_lenient_at(b"{} x", &path, std::marker::PhantomData::<Value>).is_err());
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
