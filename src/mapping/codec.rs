//! Value codecs: how one canonical value is spelled in a dialect, invertible by construction.
//!
//! Each codec has an `encode` (canonical → dialect) and a `decode` (dialect → canonical); a
//! value map is checked one-to-one when the mapping file is loaded, unless it names its reverse.

use super::time_format::TimeFormat;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A codec named in a mapping file.
#[derive(Debug, Clone, PartialEq)]
pub enum Codec {
    /// The value as it is.
    Identity,
    /// Dialect integer ⇄ canonical decimal string (integer ids).
    IntString,
    /// Dialect decimal string ⇄ canonical integer (a vendor that writes a status code or a
    /// count as text: `"200"`).
    StringInt,
    /// Dialect single value ⇄ canonical one-element array (a single event type).
    Single,
    /// Dialect `[{key, value}]` ⇄ canonical object (header lists).
    Pairs {
        /// The member naming each header.
        key: String,
        /// The member holding each header's value.
        value: String,
    },
    /// Dialect value ⇄ canonical value by table; `reverse` spells canonical → dialect.
    Map {
        /// Dialect value → canonical value pairs, for decoding.
        forward: Vec<(Value, Value)>,
        /// Canonical value → dialect value pairs, for encoding.
        reverse: Vec<(Value, Value)>,
    },
    /// Boolean negation (`disabled` ⇄ `enabled`).
    Negate,
    /// Dialect = canonical × factor (units: `timeout_ms` ⇄ `timeout_seconds` is 1000).
    Scale(i64),
    /// Dialect `""` ⇄ canonical `null` (a label cleared by an empty string).
    EmptyIsNull,
    /// Dialect integer seconds (or milliseconds) since 1970 ⇄ canonical RFC 3339 time, read in
    /// UTC (`1700000000` ⇄ `"2023-11-14T22:13:20Z"`). A finer time is refused in requests and
    /// cut in answers ([`Codec::render`]).
    UnixTime {
        /// Milliseconds rather than seconds.
        millis: bool,
    },
    /// Dialect text in the vendor's own time format ⇄ canonical RFC 3339 time in UTC
    /// (`"2022-01-10 18:29:48 -0500 UTC"` ⇄ `"2022-01-10T23:29:48Z"`). A finer time is
    /// refused in requests and cut in answers ([`Codec::render`]).
    Time(TimeFormat),
    /// Dialect text of items joined by a separator ⇄ canonical array of strings
    /// (`"a,b"` ⇄ `["a", "b"]`).
    Join(String),
    /// Dialect text after a fixed beginning ⇄ canonical text (an id kept as a URI:
    /// `"https://api.example/hooks/AAA"` ⇄ `"AAA"`).
    Prefix(String),
    /// Dialect objects holding each value under one member ⇄ canonical values: an array's
    /// items one by one (`[{"name": "a"}]` ⇄ `["a"]`), any other value itself
    /// (`{"name": "a"}` ⇄ `"a"`). Other members of an object read are the vendor's own
    /// description of the value and are not kept; answers rendered write them back from the
    /// catalogue.
    Wrap {
        /// The member holding the value.
        key: String,
        /// Members every object holds beside the value, whatever the value (JSON:API's
        /// `"type": "webhook-topic"` in a linkage object): written on every encode, requests
        /// included, and held to on decode where an object gives them.
        with: Map<String, Value>,
        /// The vendor's description of each value it knows, by the value.
        catalogue: Catalogue,
        /// What answers write beside a value the catalogue does not describe (one the
        /// upstream behind a surface knows), where the vendor's clients need its members.
        otherwise: Option<Map<String, Value>>,
    },
}

/// What a vendor answers beside each value it wraps (an event type's `description` and
/// `group`), by the value; it sends nothing of it in requests, which name the value alone.
pub type Catalogue = BTreeMap<String, Map<String, Value>>;

/// Why a value could not be encoded or decoded; the message names what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CodecError(pub String);

impl CodecError {
    /// The message as said of field `field`: one about an item of the value, which begins
    /// with the item's place (`[0].secret: …`), names it after the field
    /// (`headers[0].secret: …`), as the field's errors about one item do.
    pub fn of(&self, field: &str) -> String {
        if self.0.starts_with('[') {
            format!("{field}{}", self.0)
        } else {
            self.0.clone()
        }
    }
}

fn err<T>(msg: impl Into<String>) -> Result<T, CodecError> {
    Err(CodecError(msg.into()))
}

impl Codec {
    /// Whether two canonical ids, `held` and `asked`, name one webhook at a vendor whose ids
    /// this codec reads (the `id` rule's): the same text, a UUID in either letter case, and
    /// an integer id (`int_string`) written with leading zeros (`007`), which is its number,
    /// as the vendor reads each. Every place that takes one id for another asks this: a read
    /// of one webhook and a change's answer, a read from the list, and the headers of one
    /// answer.
    pub fn names_one_id(&self, held: &str, asked: &str) -> bool {
        fn number(text: &str) -> Option<&str> {
            let digits = text.trim_start_matches('0');
            (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
        }
        held == asked
            || (held.eq_ignore_ascii_case(asked) && uuid::Uuid::try_parse(asked).is_ok())
            || (matches!(self, Codec::IntString)
                && number(held).is_some_and(|n| number(asked) == Some(n)))
    }

    /// The canonical values a value table (`map`) reads and writes, each once; `None` for a
    /// codec whose values are open.
    pub fn canonical_values(&self) -> Option<Vec<&Value>> {
        let Codec::Map { forward, reverse } = self else {
            return None;
        };
        let mut values: Vec<&Value> = Vec::new();
        for value in forward
            .iter()
            .map(|(_, c)| c)
            .chain(reverse.iter().map(|(c, _)| c))
        {
            if !values.contains(&value) {
                values.push(value);
            }
        }
        Some(values)
    }

    /// Canonical → dialect, as a request sends it: a value the vendor would keep otherwise
    /// than the client gave it (a time finer than it keeps) is refused, not changed.
    pub fn encode(&self, value: &Value) -> Result<Value, CodecError> {
        match self {
            Codec::Identity => Ok(value.clone()),
            // Only the text an integer is written as: `007`, `+5` and `-0` name no integer's id
            // (another vendor's ids behind a surface may be any text), and written as one
            // they would name another webhook.
            Codec::IntString => match value {
                Value::String(s) => match s.parse::<i64>() {
                    Ok(n) if n.to_string() == *s => Ok(Value::from(n)),
                    _ => err("must be a decimal integer"),
                },
                _ => err("must be a string"),
            },
            Codec::StringInt => match value.as_i64() {
                Some(n) => Ok(Value::from(n.to_string())),
                None => err("must be an integer"),
            },
            Codec::Single => match value.as_array().map(Vec::as_slice) {
                Some([one]) => Ok(one.clone()),
                Some(_) => err("must contain exactly one item"),
                None => err("must be an array"),
            },
            Codec::Pairs { key, value: val } => match value {
                Value::Object(map) => {
                    let set = map.iter().filter(|(_, v)| !v.is_null());
                    // `X-A` and `x-a` are two members of an object and one header name.
                    once_each(set.clone().map(|(k, _)| k.as_str()))?;
                    Ok(Value::Array(
                        set.map(|(k, v)| {
                            let mut pair = Map::with_capacity(2);
                            pair.insert(key.clone(), Value::from(k.as_str()));
                            pair.insert(val.clone(), v.clone());
                            Value::Object(pair)
                        })
                        .collect(),
                    ))
                }
                _ => err("must be an object"),
            },
            Codec::Map { reverse, .. } => lookup(reverse, value),
            Codec::Negate => negate(value),
            Codec::Scale(factor) => match value.as_i64().and_then(|n| n.checked_mul(*factor)) {
                Some(n) => Ok(Value::from(n)),
                None => err("must be an integer"),
            },
            Codec::EmptyIsNull => Ok(match value {
                Value::Null => Value::from(""),
                other => other.clone(),
            }),
            Codec::UnixTime { millis } => unix_time(value, *millis, Finer::Refused),
            Codec::Time(format) => time_text(format, value, Finer::Refused),
            Codec::Join(separator) => {
                let Some(items) = value.as_array() else {
                    return err("must be an array");
                };
                let mut joined = Vec::with_capacity(items.len());
                for item in items {
                    match item.as_str() {
                        Some(text) if text.contains(separator.as_str()) => {
                            return err(format!(
                                "an item holds `{separator}`, which separates them here"
                            ));
                        }
                        // An empty item would vanish in the joined text.
                        Some("") => return err("an item is empty"),
                        Some(text) => joined.push(text),
                        None => return err("must be an array of strings"),
                    }
                }
                Ok(Value::from(joined.join(separator)))
            }
            Codec::Prefix(prefix) => match value.as_str() {
                Some(text) => Ok(Value::from(format!("{prefix}{text}"))),
                None => err("must be a string"),
            },
            Codec::Wrap { key, with, .. } => {
                let wrap = |v: &Value| {
                    // The constants first, as JSON:API writes a linkage's `type` before its
                    // `id`.
                    let mut item = Map::with_capacity(1 + with.len());
                    item.extend(with.iter().map(|(m, c)| (m.clone(), c.clone())));
                    item.insert(key.clone(), v.clone());
                    Value::Object(item)
                };
                Ok(match value {
                    Value::Array(items) => Value::Array(items.iter().map(wrap).collect()),
                    Value::Null => Value::Null,
                    other => wrap(other),
                })
            }
        }
    }

    /// Dialect → canonical.
    pub fn decode(&self, value: &Value) -> Result<Value, CodecError> {
        match self {
            Codec::Identity => Ok(value.clone()),
            Codec::IntString => match value {
                Value::Number(n) if n.is_i64() || n.is_u64() => Ok(Value::from(n.to_string())),
                // A vendor that already speaks strings is taken at its word.
                Value::String(s) => Ok(Value::from(s.as_str())),
                _ => err("must be an integer"),
            },
            // Only the text an integer is written as, which it is written back as: `007` or
            // `+5` would come back as another text.
            Codec::StringInt => match value {
                Value::String(s) => match s.parse::<i64>() {
                    Ok(n) if n.to_string() == *s => Ok(Value::from(n)),
                    _ => err("must be a decimal integer"),
                },
                // A vendor that already speaks numbers is taken at its word.
                Value::Number(n) if n.is_i64() => Ok(value.clone()),
                _ => err("must be a string"),
            },
            // One value, which a list of them is not: `["a", "b"]` sent where the vendor takes
            // one is refused as such, not read as a list holding a list.
            Codec::Single if value.is_array() || value.is_object() => {
                err("must be a single value, not a list or an object")
            }
            Codec::Single => Ok(Value::Array(vec![value.clone()])),
            Codec::Pairs { key, value: val } => {
                let Some(items) = value.as_array() else {
                    return err("must be an array");
                };
                let mut map = Map::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match (item.get(key).and_then(Value::as_str), item.get(val)) {
                        (Some(k), Some(v)) => {
                            map.insert(k.to_owned(), v.clone());
                        }
                        _ => return err(format!("each item must have `{key}` and `{val}`")),
                    }
                    // A member beside the two (a header's `secret` flag) has no place in a map
                    // of names to values: read without it, the item would lose it, and a
                    // write would send the header back without it.
                    if let Some(other) = item
                        .as_object()
                        .and_then(|m| m.keys().find(|m| *m != key && *m != val))
                    {
                        return err(format!(
                            "[{i}].{other}: cannot be kept: an item holds `{key}` and `{val}` alone here"
                        ));
                    }
                }
                // A name given twice would keep one of its values and drop the other: refused
                // (a client's request) or kept apart as the vendor wrote it (its answer).
                once_each(items.iter().filter_map(|i| i.get(key)?.as_str()))?;
                Ok(Value::Object(map))
            }
            Codec::Map { forward, .. } => lookup(forward, value),
            Codec::Negate => negate(value),
            Codec::Scale(factor) => match value.as_i64() {
                Some(n) if n % factor == 0 => Ok(Value::from(n / factor)),
                Some(_) => err(format!("must be a multiple of {factor}")),
                None => err("must be an integer"),
            },
            Codec::EmptyIsNull => Ok(match value {
                Value::String(s) if s.trim().is_empty() => Value::Null,
                other => other.clone(),
            }),
            Codec::UnixTime { millis } => {
                let unit: i128 = if *millis { 1_000_000 } else { 1_000_000_000 };
                value
                    .as_i64()
                    .and_then(|n| {
                        OffsetDateTime::from_unix_timestamp_nanos(i128::from(n) * unit).ok()
                    })
                    .and_then(|time| time.format(&Rfc3339).ok())
                    .map(Value::from)
                    .map_or_else(|| err("must be an integer"), Ok)
            }
            Codec::Time(format) => value
                .as_str()
                .and_then(|text| format.read(text))
                .map(Value::from)
                .ok_or_else(|| CodecError(format!("must be a time written `{}`", format.written))),
            Codec::Join(separator) => match value.as_str() {
                Some("") => Ok(Value::Array(Vec::new())),
                Some(text) => Ok(Value::Array(
                    text.split(separator.as_str()).map(Value::from).collect(),
                )),
                None => err("must be a string"),
            },
            Codec::Prefix(prefix) => {
                match value.as_str().map(|t| t.strip_prefix(prefix.as_str())) {
                    Some(Some(rest)) => Ok(Value::from(rest)),
                    _ => err(format!("must be a string that begins with `{prefix}`")),
                }
            }
            Codec::Wrap { key, with, .. } => {
                let unwrap = |v: &Value| match v.get(key) {
                    Some(inner) => Ok(inner.clone()),
                    None => err(format!("must be an object with `{key}`")),
                };
                match value {
                    Value::Array(items) => {
                        let mut values = Vec::with_capacity(items.len());
                        for (i, item) in items.iter().enumerate() {
                            let Ok(inner) = unwrap(item) else {
                                return err(format!("each item must be an object with `{key}`"));
                            };
                            constants_held(item, with)
                                .map_err(|e| CodecError(format!("[{i}].{}", e.0)))?;
                            values.push(inner);
                        }
                        Ok(Value::Array(values))
                    }
                    Value::Null => Ok(Value::Null),
                    other => {
                        let inner = unwrap(other)?;
                        constants_held(other, with)?;
                        Ok(inner)
                    }
                }
            }
        }
    }

    /// Canonical → dialect as the vendor answers it: [`Codec::encode`], and beside each value
    /// a `wrap` codec's catalogue describes, the catalogue's members for it, after the value's
    /// own (`{"name": "a", "description": …}`).
    /// A time finer than the vendor keeps is cut to its unit (floored), as the vendor's own
    /// API would show the instant: its clients can only ever see that unit, and a webhook
    /// whose time the upstream behind keeps finer stays readable.
    pub fn render(&self, value: &Value) -> Result<Value, CodecError> {
        let mut encoded = match self {
            Codec::UnixTime { millis } => return unix_time(value, *millis, Finer::Cut),
            Codec::Time(format) => return time_text(format, value, Finer::Cut),
            _ => self.encode(value)?,
        };
        let Codec::Wrap {
            key,
            catalogue,
            otherwise,
            ..
        } = self
        else {
            return Ok(encoded);
        };
        if catalogue.is_empty() {
            return Ok(encoded);
        }
        let describe = |item: &mut Value| {
            let Value::Object(members) = item else { return };
            let entry = members
                .get(key)
                .and_then(Value::as_str)
                .and_then(|v| catalogue.get(v))
                .or(otherwise.as_ref());
            for (name, member) in entry.into_iter().flatten() {
                members.insert(name.clone(), member.clone());
            }
        };
        match &mut encoded {
            Value::Array(items) => items.iter_mut().for_each(describe),
            one => describe(one),
        }
        Ok(encoded)
    }

    /// The values a `wrap` codec's catalogue describes, where it has one: all the vendor
    /// knows, and so all it takes.
    pub fn catalogued(&self) -> Option<Vec<Value>> {
        match self {
            Codec::Wrap { catalogue, .. } if !catalogue.is_empty() => {
                Some(catalogue.keys().map(|v| Value::from(v.as_str())).collect())
            }
            _ => None,
        }
    }

    /// The decoding of a string a value map decodes, without making a value of it: the
    /// table's value for it; `None` when the codec is no value map or the table does not hold
    /// the string.
    pub fn decode_text(&self, text: &str) -> Option<&Value> {
        match self {
            Codec::Map { forward, .. } => forward
                .iter()
                .find(|(from, _)| from.as_str() == Some(text))
                .map(|(_, to)| to),
            _ => None,
        }
    }

    /// Builds a value map, refusing one that is not one-to-one without an explicit reverse.
    pub fn value_map(
        forward: Vec<(Value, Value)>,
        reverse: Option<Vec<(Value, Value)>>,
    ) -> Result<Codec, String> {
        // An empty table reads no value, and its refusal of one could name none it takes.
        let empty = match (&forward, &reverse) {
            (f, _) if f.is_empty() => Some("map"),
            (_, Some(r)) if r.is_empty() => Some("reverse"),
            _ => None,
        };
        if let Some(table) = empty {
            return Err(format!(
                "`{table}` lists no value: it maps each value the vendor takes"
            ));
        }
        let reverse = match reverse {
            Some(reverse) => reverse,
            None => {
                let mut reverse: Vec<(Value, Value)> = Vec::with_capacity(forward.len());
                for (from, to) in &forward {
                    if let Some((_, other)) = reverse.iter().find(|(t, _)| t == to) {
                        return Err(format!(
                            "is not one-to-one: `{other}` and `{from}` both map to `{to}`; add a `reverse` table"
                        ));
                    }
                    reverse.push((to.clone(), from.clone()));
                }
                reverse
            }
        };
        Ok(Codec::Map { forward, reverse })
    }
}

/// What becomes of a canonical time finer than the vendor keeps (a fraction of a second where
/// it keeps whole seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Finer {
    /// Refused: a client's time in a request, which changed would ask what the client did not.
    Refused,
    /// Cut to the vendor's unit (floored): a time in an answer, shown as the vendor shows it.
    Cut,
}

/// A canonical time as Unix seconds (or milliseconds), a finer time refused or cut as `finer`
/// says. Cut is floored, as the vendor's own clock would have read the instant: a time before
/// 1970 goes to the earlier second too.
fn unix_time(value: &Value, millis: bool, finer: Finer) -> Result<Value, CodecError> {
    let Some(text) = value.as_str() else {
        return err("must be an RFC 3339 date-time");
    };
    let time = super::time_format::parsed(text, finer == Finer::Refused).map_err(CodecError)?;
    // A year past 9999 in UTC would be sent as a number that reads back as no RFC 3339 time:
    // refused as the `time` codec refuses it.
    if time.checked_to_offset(time::UtcOffset::UTC).is_none() {
        return err(super::time_format::PAST_9999);
    }
    let nanos = time.unix_timestamp_nanos();
    let unit: i128 = if millis { 1_000_000 } else { 1_000_000_000 };
    if finer == Finer::Refused && nanos.rem_euclid(unit) != 0 {
        return err(if millis {
            "must be a whole number of milliseconds"
        } else {
            "must be a whole number of seconds"
        });
    }
    i64::try_from(nanos.div_euclid(unit))
        .map(Value::from)
        .or_else(|_| err("is out of range"))
}

/// A canonical time in a vendor's own format, a finer time refused or cut as `finer` says.
fn time_text(format: &TimeFormat, value: &Value, finer: Finer) -> Result<Value, CodecError> {
    let Some(text) = value.as_str() else {
        return err("must be an RFC 3339 date-time");
    };
    let written = match finer {
        Finer::Refused => format.write(text),
        Finer::Cut => format.show(text),
    };
    written.map(Value::from).map_err(CodecError)
}

/// Whether an object a `wrap` codec reads holds its constant members as the file gives them:
/// one it leaves out is read past (a client that names the value alone names the same thing),
/// one of another value is no object of this vendor's (`type: must be "webhook-topic"`). A
/// constant that is an object is held to member by member, at any depth.
fn constants_held(item: &Value, with: &Map<String, Value>) -> Result<(), CodecError> {
    for (name, constant) in with {
        let Some(found) = item.get(name) else {
            continue;
        };
        match (found, constant) {
            (Value::Object(_), Value::Object(inner)) => {
                constants_held(found, inner).map_err(|e| CodecError(format!("{name}.{}", e.0)))?;
            }
            _ if found == constant => {}
            _ => return err(format!("{name}: must be {constant}")),
        }
    }
    Ok(())
}

/// Refuses a list of header names in which one is given twice, in any letter case.
fn once_each<'a>(names: impl Iterator<Item = &'a str>) -> Result<(), CodecError> {
    crate::model::named_twice(names).map_or(Ok(()), err)
}

fn lookup(table: &[(Value, Value)], value: &Value) -> Result<Value, CodecError> {
    table
        .iter()
        .find(|(from, _)| from == value)
        .map(|(_, to)| to.clone())
        .ok_or_else(|| {
            let accepted: Vec<String> = table.iter().map(|(f, _)| f.to_string()).collect();
            CodecError(format!("must be one of: {}", accepted.join(", ")))
        })
}

fn negate(value: &Value) -> Result<Value, CodecError> {
    match value.as_bool() {
        Some(b) => Ok(Value::Bool(!b)),
        None => err("must be a boolean"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wrap(key: &str) -> Codec {
        Codec::Wrap {
            key: key.into(),
            with: Map::new(),
            catalogue: Catalogue::new(),
            otherwise: None,
        }
    }
    use serde_json::json;

    #[test]
    fn one_id_is_named_under_each_spelling_its_vendor_reads_as_it() {
        let uuid = "5f0c6a52-3b1e-4c8e-9d2a-7b4e1f0a9c31";
        for codec in [Codec::Identity, Codec::IntString] {
            assert!(codec.names_one_id("abc", "abc"));
            assert!(codec.names_one_id(uuid, &uuid.to_uppercase()));
            assert!(codec.names_one_id(&uuid.to_uppercase(), uuid));
            assert!(!codec.names_one_id("abc", "ABC"), "not a UUID");
            assert!(!codec.names_one_id("123", "124"));
        }
        let ints = Codec::IntString;
        assert!(ints.names_one_id("123", "0123") && ints.names_one_id("000", "0"));
        assert!(!ints.names_one_id("123", "1230") && !ints.names_one_id("", "0"));
        assert!(!ints.names_one_id("-1", "-01"), "only digits");
        assert!(!Codec::Identity.names_one_id("123", "0123"), "text ids");
    }

    #[test]
    fn every_codec_inverts() {
        let cases = [
            (Codec::IntString, json!("42"), json!(42)),
            (Codec::StringInt, json!(200), json!("200")),
            (Codec::StringInt, json!(-5), json!("-5")),
            (Codec::Single, json!(["pre_call"]), json!("pre_call")),
            (
                Codec::Pairs {
                    key: "key".into(),
                    value: "value".into(),
                },
                json!({"A": "1"}),
                json!([{"key": "A", "value": "1"}]),
            ),
            (Codec::Negate, json!(true), json!(false)),
            (Codec::Scale(1000), json!(3), json!(3000)),
            (Codec::EmptyIsNull, json!(null), json!("")),
            (
                Codec::value_map(vec![(json!("error"), json!("failing"))], None).unwrap(),
                json!("failing"),
                json!("error"),
            ),
            (
                Codec::UnixTime { millis: false },
                json!("2023-11-14T22:13:20Z"),
                json!(1_700_000_000),
            ),
            (
                Codec::UnixTime { millis: true },
                json!("2023-11-14T22:13:20.123Z"),
                json!(1_700_000_000_123_i64),
            ),
            (
                Codec::UnixTime { millis: false },
                json!("1969-07-20T20:17:40Z"),
                json!(-14_182_940),
            ),
            (Codec::Join(",".into()), json!(["a.b", "c"]), json!("a.b,c")),
            (Codec::Join(" ".into()), json!([]), json!("")),
            (
                Codec::Prefix("https://api.example/hooks/".into()),
                json!("AAA"),
                json!("https://api.example/hooks/AAA"),
            ),
            (
                wrap("name"),
                json!(["A.B", "C"]),
                json!([{"name": "A.B"}, {"name": "C"}]),
            ),
            (wrap("id"), json!("x"), json!({"id": "x"})),
            (wrap("name"), json!([]), json!([])),
        ];
        for (codec, canonical, dialect) in cases {
            assert_eq!(codec.encode(&canonical).unwrap(), dialect, "{codec:?}");
            assert_eq!(codec.decode(&dialect).unwrap(), canonical, "{codec:?}");
        }
    }

    #[test]
    fn a_header_named_twice_in_any_case_is_refused_both_ways() {
        let pairs = Codec::Pairs {
            key: "Name".into(),
            value: "Value".into(),
        };
        let item = |name: &str, value: &str| json!({"Name": name, "Value": value});
        for (first, second) in [("X-Dup", "X-Dup"), ("X-Dup", "x-dup"), ("x-DUP", "X-dup")] {
            let list = json!([item(first, "one"), item("Other", "1"), item(second, "two")]);
            assert_eq!(
                pairs.decode(&list).unwrap_err().0,
                format!(
                    "names `{second}` more than once (header names are compared in any letter case)"
                )
            );
            if first != second {
                let object = json!({first: "one", second: "two"});
                assert!(
                    pairs
                        .encode(&object)
                        .unwrap_err()
                        .0
                        .contains("more than once")
                );
            }
        }
        // Names that only look alike are two, and a `null` (a merge's removal) is no name.
        let list = json!([item("X-Dup", "one"), item("X-Dup2", "two")]);
        assert_eq!(
            pairs.decode(&list).unwrap(),
            json!({"X-Dup": "one", "X-Dup2": "two"})
        );
        assert_eq!(
            pairs
                .encode(&json!({"X-Dup": null, "x-dup": "two"}))
                .unwrap(),
            json!([item("x-dup", "two")])
        );
    }

    #[test]
    fn an_item_holding_more_than_a_name_and_value_is_no_pair() {
        let pairs = Codec::Pairs {
            key: "key".into(),
            value: "value".into(),
        };
        for (list, message) in [
            (
                json!([{"key": "A", "value": "1", "secret": true}]),
                "[0].secret: cannot be kept: an item holds `key` and `value` alone here",
            ),
            (
                json!([{"key": "A", "value": "1"}, {"value": "2", "note": "x", "key": "B"}]),
                "[1].note: cannot be kept: an item holds `key` and `value` alone here",
            ),
            (
                json!([{"key": "A", "secret": true}]),
                "each item must have `key` and `value`",
            ),
        ] {
            let e = pairs.decode(&list).unwrap_err();
            assert_eq!(e.0, message, "{list}");
            // Said of its field, an item's message names the item after it.
            if message.starts_with('[') {
                assert_eq!(e.of("headers"), format!("headers{message}"));
            } else {
                assert_eq!(e.of("headers"), message);
            }
        }
    }

    #[test]
    fn a_wrapped_value_is_read_without_the_vendors_description_of_it() {
        let wrap = wrap("name");
        let answered = json!([{"name": "A", "description": "An A happened."}]);
        assert_eq!(wrap.decode(&answered).unwrap(), json!(["A"]));
        assert_eq!(
            wrap.decode(&json!([{"name": "A"}, "B"])).unwrap_err().0,
            "each item must be an object with `name`"
        );
        assert_eq!(
            wrap.decode(&json!({"title": "A"})).unwrap_err().0,
            "must be an object with `name`"
        );
    }

    #[test]
    fn a_wrapped_value_is_answered_with_the_catalogues_description_and_sent_alone() {
        let described = json!({"description": "An A happened.", "versions": [1]});
        let mut codec = Codec::Wrap {
            key: "name".into(),
            with: Map::new(),
            catalogue: Catalogue::from([("A".into(), described.as_object().unwrap().clone())]),
            otherwise: None,
        };
        let answered = json!([{"name": "A", "description": "An A happened.", "versions": [1]},
            {"name": "B"}]);
        assert_eq!(codec.render(&json!(["A", "B"])).unwrap(), answered);
        assert_eq!(codec.decode(&answered).unwrap(), json!(["A", "B"]));
        assert_eq!(
            codec.render(&json!("A")).unwrap(),
            json!({"name": "A", "description": "An A happened.", "versions": [1]})
        );
        // Requests name the value alone: the vendor knows its own description of it.
        assert_eq!(codec.encode(&json!(["A"])).unwrap(), json!([{"name": "A"}]));
        assert_eq!(codec.catalogued(), Some(vec![json!("A")]));
        assert_eq!(wrap("name").catalogued(), None);
        assert_eq!(Codec::Identity.render(&json!(["A"])).unwrap(), json!(["A"]));
        // A value it does not describe, where the file says what to answer beside one.
        if let Codec::Wrap { otherwise, .. } = &mut codec {
            *otherwise = json!({"description": ""}).as_object().cloned();
        }
        assert_eq!(
            codec.render(&json!(["B"])).unwrap(),
            json!([{"name": "B", "description": ""}])
        );
    }

    #[test]
    fn a_wrapped_value_is_sent_and_answered_with_its_constant_members() {
        let linkage = |with: Value| Codec::Wrap {
            key: "id".into(),
            with: with.as_object().cloned().unwrap(),
            catalogue: Catalogue::new(),
            otherwise: None,
        };
        // JSON:API's linkage objects: the type beside each id, in requests too.
        let typed = linkage(json!({"type": "webhook-topic"}));
        let sent = json!([{"type": "webhook-topic", "id": "event:a"}, {"type": "webhook-topic", "id": "event:b"}]);
        assert_eq!(typed.encode(&json!(["event:a", "event:b"])).unwrap(), sent);
        assert_eq!(typed.render(&json!(["event:a"])).unwrap(), json!([sent[0]]));
        assert_eq!(typed.decode(&sent).unwrap(), json!(["event:a", "event:b"]));
        assert_eq!(
            typed.encode(&json!("event:a")).unwrap(),
            json!({"id": "event:a", "type": "webhook-topic"})
        );
        // Left out, a constant is read past; of another value, the object is not this one.
        assert_eq!(
            typed.decode(&json!([{"id": "event:a"}])).unwrap(),
            json!(["event:a"])
        );
        for (bad, message) in [
            (
                json!([{"id": "a", "type": "webhook-topic"}, {"id": "b", "type": "webhook"}]),
                r#"[1].type: must be "webhook-topic""#,
            ),
            (
                json!([{"id": "a", "type": null}]),
                r#"[0].type: must be "webhook-topic""#,
            ),
            (
                json!({"id": "a", "type": "topic"}),
                r#"type: must be "webhook-topic""#,
            ),
        ] {
            assert_eq!(typed.decode(&bad).unwrap_err().0, message, "{bad}");
        }
        // A constant nested under a member of its own, held to member by member.
        let nested = linkage(json!({"object": "topic", "meta": {"kind": "event", "version": 1}}));
        let one = json!({"id": "a", "object": "topic", "meta": {"kind": "event", "version": 1}});
        assert_eq!(nested.encode(&json!(["a"])).unwrap(), json!([one]));
        assert_eq!(nested.decode(&json!([one])).unwrap(), json!(["a"]));
        assert_eq!(
            nested
                .decode(&json!([{"id": "a", "meta": {"kind": "event", "version": 1, "note": "x"}}]))
                .unwrap(),
            json!(["a"])
        );
        assert_eq!(
            nested
                .decode(&json!([{"id": "a", "meta": {"kind": "state"}}]))
                .unwrap_err()
                .of("events"),
            r#"events[0].meta.kind: must be "event""#
        );
    }

    #[test]
    fn a_leap_second_is_refused_as_one_by_every_time_codec() {
        let format = "[year]-[month]-[day]T[hour]:[minute]:[second]Z";
        for codec in [
            Codec::UnixTime { millis: false },
            Codec::UnixTime { millis: true },
            Codec::Time(TimeFormat::new(format, false).unwrap()),
        ] {
            let refused = codec.encode(&json!("2016-12-31T23:59:60Z")).unwrap_err();
            assert!(
                refused.0.contains("leap second"),
                "{codec:?}: {}",
                refused.0
            );
        }
        // A year past 9999 in UTC would read back as no time: refused as by a `time` codec.
        for millis in [false, true] {
            let later = Codec::UnixTime { millis }.encode(&json!("9999-12-31T23:59:59-01:00"));
            assert!(later.unwrap_err().0.contains("past 9999"));
        }
        // In an answer, a leap second is cut to the second before it, never refused.
        let leap = json!("2016-12-31T23:59:60Z");
        let shown = Codec::UnixTime { millis: false }.render(&leap);
        assert_eq!(shown.unwrap(), json!(1_483_228_799_i64));
        let format = "[year]-[month]-[day]T[hour]:[minute]:[second]Z";
        let shown = Codec::Time(TimeFormat::new(format, false).unwrap()).render(&leap);
        assert_eq!(shown.unwrap(), json!("2016-12-31T23:59:59Z"));
    }

    #[test]
    fn a_time_finer_than_the_vendor_keeps_is_cut_in_answers_and_refused_in_requests() {
        let seconds = Codec::UnixTime { millis: false };
        let millis = Codec::UnixTime { millis: true };
        let square = "[year]-[month]-[day] [hour]:[minute]:[second] [offset_hour sign:mandatory][offset_minute] UTC";
        let format = Codec::Time(TimeFormat::new(square, false).unwrap());
        let kept_millis = "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z";
        let format_millis = Codec::Time(TimeFormat::new(kept_millis, false).unwrap());
        // Each canonical time, and how each codec answers it: floored to what it keeps.
        for (canonical, unix, unix_ms, text, text_ms) in [
            (
                "2023-11-14T22:13:20.9Z",
                1_700_000_000,
                1_700_000_000_900_i64,
                "2023-11-14 22:13:20 +0000 UTC",
                "2023-11-14T22:13:20.900Z",
            ),
            (
                "2023-11-14T22:13:20.999Z",
                1_700_000_000,
                1_700_000_000_999,
                "2023-11-14 22:13:20 +0000 UTC",
                "2023-11-14T22:13:20.999Z",
            ),
            (
                "2023-11-14T22:13:20.123456Z",
                1_700_000_000,
                1_700_000_000_123,
                "2023-11-14 22:13:20 +0000 UTC",
                "2023-11-14T22:13:20.123Z",
            ),
            (
                "2023-11-14T22:13:20.999999999Z",
                1_700_000_000,
                1_700_000_000_999,
                "2023-11-14 22:13:20 +0000 UTC",
                "2023-11-14T22:13:20.999Z",
            ),
            (
                "2023-11-14T17:13:20.5-05:00",
                1_700_000_000,
                1_700_000_000_500,
                "2023-11-14 22:13:20 +0000 UTC",
                "2023-11-14T22:13:20.500Z",
            ),
            (
                "2023-11-15T00:43:20.000001+02:30",
                1_700_000_000,
                1_700_000_000_000,
                "2023-11-14 22:13:20 +0000 UTC",
                "2023-11-14T22:13:20.000Z",
            ),
            (
                "1969-12-31T23:59:59.5Z",
                -1,
                -500,
                "1969-12-31 23:59:59 +0000 UTC",
                "1969-12-31T23:59:59.500Z",
            ),
        ] {
            let time = json!(canonical);
            assert_eq!(seconds.render(&time).unwrap(), json!(unix), "{canonical}");
            assert_eq!(millis.render(&time).unwrap(), json!(unix_ms), "{canonical}");
            assert_eq!(format.render(&time).unwrap(), json!(text), "{canonical}");
            assert_eq!(
                format_millis.render(&time).unwrap(),
                json!(text_ms),
                "{canonical}"
            );
            // Sent, the client's time would be changed: refused, by each codec alike.
            assert_eq!(
                seconds.encode(&time).unwrap_err().0,
                "must be a whole number of seconds",
                "{canonical}"
            );
            assert!(
                format.encode(&time).unwrap_err().0.contains("writes whole"),
                "{canonical}"
            );
        }
        // A time the vendor keeps whole is answered and sent alike.
        for codec in [&seconds, &millis, &format, &format_millis] {
            let time = json!("2023-11-14T22:13:20Z");
            assert_eq!(codec.render(&time), codec.encode(&time), "{codec:?}");
            for bad in [json!("yesterday"), json!(1_700_000_000)] {
                let refused = codec.render(&bad).unwrap_err().0;
                assert_eq!(refused, "must be an RFC 3339 date-time", "{codec:?}");
            }
        }
    }

    #[test]
    fn refuses_what_it_cannot_spell() {
        assert_eq!(
            Codec::Single.encode(&json!(["a", "b"])).unwrap_err().0,
            "must contain exactly one item"
        );
        assert!(Codec::IntString.encode(&json!("x1")).is_err());
        // Text whose number would be written back as other text is no integer's here.
        for text in ["007", "+5", "-0", "2e2", " 200", "200.0", "", "x"] {
            let refused = Codec::StringInt.decode(&json!(text)).unwrap_err().0;
            assert_eq!(refused, "must be a decimal integer", "{text}");
        }
        assert_eq!(Codec::StringInt.decode(&json!(200)), Ok(json!(200)));
        for value in [json!(2.5), json!("200"), json!(null)] {
            let refused = Codec::StringInt.encode(&value).unwrap_err().0;
            assert_eq!(refused, "must be an integer", "{value}");
        }
        let many = vec![(json!("a"), json!(true)), (json!("b"), json!(true))];
        assert!(Codec::value_map(many, None).is_err());
        let seconds = Codec::UnixTime { millis: false };
        let millis = Codec::UnixTime { millis: true };
        // Any offset is one instant, read back in UTC; nothing finer than the vendor keeps.
        assert_eq!(
            seconds.encode(&json!("2023-11-15T00:13:20+02:00")).unwrap(),
            json!(1_700_000_000)
        );
        for (codec, bad, message) in [
            (
                &seconds,
                json!("2023-11-14T22:13:20.5Z"),
                "must be a whole number of seconds",
            ),
            (
                &millis,
                json!("2023-11-14T22:13:20.0001Z"),
                "must be a whole number of milliseconds",
            ),
            (
                &seconds,
                json!("yesterday"),
                "must be an RFC 3339 date-time",
            ),
            (
                &seconds,
                json!(1_700_000_000),
                "must be an RFC 3339 date-time",
            ),
        ] {
            assert_eq!(codec.encode(&bad).unwrap_err().0, message, "{bad}");
        }
        for bad in [json!("1700000000"), json!(1.5), json!(i64::MAX)] {
            assert!(seconds.decode(&bad).is_err(), "{bad}");
        }
        let join = Codec::Join(",".into());
        for (bad, message) in [
            (
                json!(["a,b"]),
                "an item holds `,`, which separates them here",
            ),
            (json!(["a", ""]), "an item is empty"),
            (json!([1]), "must be an array of strings"),
            (json!("a"), "must be an array"),
        ] {
            assert_eq!(join.encode(&bad).unwrap_err().0, message, "{bad}");
        }
        assert_eq!(
            join.decode(&json!(["a"])).unwrap_err().0,
            "must be a string"
        );
        let prefix = Codec::Prefix("urn:hook:".into());
        assert_eq!(
            prefix.decode(&json!("urn:other:1")).unwrap_err().0,
            "must be a string that begins with `urn:hook:`"
        );
        assert_eq!(prefix.encode(&json!(1)).unwrap_err().0, "must be a string");
    }
}
