//! Vendor constraints on one dialect value (`required`, `https`, `max_length`, `one_of`, …),
//! declared on field rules and evaluated before a call leaves (gateway) or as the vendor would
//! (its surfaces and emulators). Each failure carries the canonical message; the rule may
//! carry the vendor's own words for it.

use serde_json::Value;

/// A vendor constraint on one dialect value.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// Present on create, and never `null`.
    Required,
    /// A value of this JSON type.
    Type(JsonType),
    /// An object whose member values (or an array whose items) are all of this JSON type.
    Values(JsonType),
    /// An `https://` URL.
    Https,
    /// An absolute `http(s)://` URL with a host.
    Url,
    /// At least this many characters: `1` is a vendor's "required" that also refuses `""`.
    MinLength(usize),
    /// At most this many characters.
    MaxLength(usize),
    /// Between these many array items.
    Items {
        /// The fewest.
        min: Option<usize>,
        /// The most.
        max: Option<usize>,
    },
    /// No array item twice.
    UniqueItems,
    /// The value, or each array item, is one of these.
    OneOf(Vec<Value>),
    /// A string, or each item of an array, matches this regular expression in full: a
    /// vendor's pattern for names and tags (an item that is no string fails).
    Pattern(Pattern),
    /// An integer between these bounds.
    Range {
        /// The lowest.
        min: Option<i64>,
        /// The highest.
        max: Option<i64>,
    },
}

impl Check {
    /// The key of this check in a rule's `messages` table.
    pub fn key(&self) -> &'static str {
        match self {
            Check::Required => "required",
            Check::Type(_) => "type",
            Check::Values(_) => "values",
            Check::Https => "https",
            Check::Url => "url",
            Check::MinLength(_) => "min_length",
            Check::MaxLength(_) => "max_length",
            Check::Items { .. } => "items",
            Check::UniqueItems => "unique_items",
            Check::OneOf(_) => "one_of",
            Check::Pattern(_) => "pattern",
            Check::Range { .. } => "range",
        }
    }

    /// The canonical message of a failed check on a present, non-null value, or `None` when
    /// `value` passes. `events` names the field whose `one_of` speaks of events. Long by
    /// design: one arm per check of the closed set, each beside the others.
    pub fn test(&self, value: &Value, events: bool) -> Option<String> {
        match self {
            Check::Required => None,
            Check::Type(t) => (!t.holds(value)).then(|| format!("must be {}", t.described())),
            Check::Values(t) => {
                let bad = match value {
                    Value::Object(members) => members.values().any(|v| !t.holds(v)),
                    Value::Array(items) => items.iter().any(|v| !t.holds(v)),
                    _ => false,
                };
                bad.then(|| format!("each value must be {}", t.described()))
            }
            Check::Https => {
                let s = value.as_str()?;
                (!s.get(..8)
                    .is_some_and(|p| p.eq_ignore_ascii_case("https://")))
                .then(|| "must use https".to_owned())
            }
            Check::Url => {
                let s = value.as_str()?;
                (!is_absolute_http_url(s)).then(|| "must be a valid URL".to_owned())
            }
            Check::MinLength(min) => {
                let len = value.as_str()?.chars().count();
                (len < *min).then(|| match min {
                    1 => "must not be empty".to_owned(),
                    _ => format!("must be at least {min} characters"),
                })
            }
            Check::MaxLength(max) => {
                let len = value.as_str()?.chars().count();
                (len > *max)
                    .then(|| bounds("must be", None, Some(*max), (" character", " characters")))
            }
            Check::Items { min, max } => {
                let len = value.as_array()?.len();
                let low = min.is_some_and(|m| len < m);
                let high = max.is_some_and(|m| len > m);
                (low || high).then(|| bounds("must contain", *min, *max, (" item", " items")))
            }
            Check::UniqueItems => {
                let items = value.as_array()?;
                let dup = items
                    .iter()
                    .enumerate()
                    .any(|(i, v)| items[..i].contains(v));
                dup.then(|| "must not contain duplicates".to_owned())
            }
            Check::OneOf(allowed) => {
                let bad = match value {
                    Value::Array(items) => items.iter().find(|v| !allowed.contains(v)),
                    other => (!allowed.contains(other)).then_some(other),
                }?;
                Some(if events {
                    format!("unknown event: {}", text(bad))
                } else {
                    let list: Vec<String> = allowed.iter().map(text).collect();
                    format!("must be one of: {}", list.join(", "))
                })
            }
            Check::Pattern(pattern) => {
                let fits = |v: &Value| v.as_str().is_some_and(|s| pattern.0.is_match(s));
                let fails = match value {
                    Value::Array(items) => !items.iter().all(fits),
                    other => !fits(other),
                };
                fails.then(|| format!("must match {}", pattern.source()))
            }
            Check::Range { min, max } => {
                // Widened, so that an integer beyond i64 (JSON has no limit) is out of range
                // rather than unchecked; a whole number too large for u64, which JSON parsers
                // keep as a float, is out of range too.
                if Self::no_integer(value) {
                    // A fraction, a float such as `100.0` or `1e2`, a string: said as what it
                    // is, where naming the bounds would say a value inside them is outside.
                    return Some("must be an integer".to_owned());
                }
                let n = value
                    .as_i64()
                    .map(i128::from)
                    .or_else(|| value.as_u64().map(i128::from));
                let out = n.is_none_or(|n| {
                    min.is_some_and(|m| n < i128::from(m)) || max.is_some_and(|m| n > i128::from(m))
                });
                out.then(|| bounds("must be", *min, *max, ("", "")))
            }
        }
    }

    /// The key in a rule's `messages` table of the words for `value` failing this check: a
    /// range's refusal of a value that is no integer is worded by `type` (the vendor's words
    /// for "must be an integer"), any other failure by the check's own key.
    pub fn worded_by(&self, value: &Value) -> &'static str {
        match self {
            Check::Range { .. } if Self::no_integer(value) => "type",
            _ => self.key(),
        }
    }

    /// Whether a range refuses `value` for being no integer: anything but a JSON integer,
    /// except a whole number too large for 64 bits, which is an integer out of range.
    fn no_integer(value: &Value) -> bool {
        if value.is_i64() || value.is_u64() {
            return false;
        }
        // What 64 bits hold, as floats: from -2^63 (i64) to under 2^64 (u64).
        const HELD: std::ops::Range<f64> =
            -9_223_372_036_854_775_808.0..18_446_744_073_709_551_616.0;
        !value
            .as_f64()
            .is_some_and(|f| f.fract() == 0.0 && !HELD.contains(&f))
    }
}

/// A JSON type, as a `type` or `values` check names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JsonType {
    /// A string.
    String,
    /// An integer (a number without a fraction).
    Integer,
    /// Any number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An object.
    Object,
    /// An array.
    Array,
}

impl JsonType {
    /// Whether `value` is of this type.
    pub fn holds(self, value: &Value) -> bool {
        match self {
            JsonType::String => value.is_string(),
            JsonType::Integer => value.is_i64() || value.is_u64(),
            JsonType::Number => value.is_number(),
            JsonType::Boolean => value.is_boolean(),
            JsonType::Object => value.is_object(),
            JsonType::Array => value.is_array(),
        }
    }

    /// The type as a message names it: `a string`, `an object`.
    pub fn described(self) -> &'static str {
        match self {
            JsonType::String => "a string",
            JsonType::Integer => "an integer",
            JsonType::Number => "a number",
            JsonType::Boolean => "a boolean",
            JsonType::Object => "an object",
            JsonType::Array => "an array",
        }
    }
}

/// A compiled `pattern`, anchored at both ends; equal when written the same.
#[derive(Debug, Clone)]
pub struct Pattern(regex::Regex);

impl Pattern {
    /// Compiles `source`, which must match a whole value (`^` and `$` are implied).
    pub fn new(source: &str) -> Result<Pattern, String> {
        regex::Regex::new(&format!("^(?:{source})$"))
            .map(Pattern)
            .map_err(|e| format!("`{source}` is no regular expression: {e}"))
    }

    /// The expression as the mapping file writes it.
    pub fn source(&self) -> &str {
        let s = self.0.as_str();
        &s[4..s.len() - 2]
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

/// `must be between A and B`, `must be at least A`, `must be at most B`.
/// `unit` is given singular and plural (`(" item", " items")`): "at least 1 item".
fn bounds<T: std::fmt::Display>(
    lead: &str,
    min: Option<T>,
    max: Option<T>,
    unit: (&str, &str),
) -> String {
    let of = |n: &T| {
        let n = n.to_string();
        let unit = if n == "1" { unit.0 } else { unit.1 };
        format!("{n}{unit}")
    };
    match (min, max) {
        (Some(a), Some(b)) if a.to_string() == b.to_string() => {
            format!("{lead} exactly {}", of(&a))
        }
        (Some(a), Some(b)) => format!("{lead} between {a} and {}", of(&b)),
        (Some(a), None) => format!("{lead} at least {}", of(&a)),
        (None, Some(b)) => format!("{lead} at most {}", of(&b)),
        (None, None) => format!("{lead} in range"),
    }
}

/// A value as a message shows it: a string's own text, anything else as JSON.
fn text(v: &Value) -> String {
    v.as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| v.to_string())
}

fn is_absolute_http_url(s: &str) -> bool {
    let rest = ["https://", "http://"].iter().find_map(|scheme| {
        s.get(..scheme.len())
            .filter(|p| p.eq_ignore_ascii_case(scheme))
            .map(|_| &s[scheme.len()..])
    });
    match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_bound_of_one_is_said_in_the_singular() {
        let cases = [
            (Some(1), None, json!([]), "must contain at least 1 item"),
            (Some(2), None, json!([1]), "must contain at least 2 items"),
            (None, Some(1), json!([1, 2]), "must contain at most 1 item"),
            (Some(1), Some(1), json!([]), "must contain exactly 1 item"),
            (Some(3), Some(3), json!([]), "must contain exactly 3 items"),
            (
                Some(1),
                Some(50),
                json!([]),
                "must contain between 1 and 50 items",
            ),
        ];
        for (min, max, value, said) in cases {
            let items = Check::Items { min, max };
            assert_eq!(items.test(&value, false).as_deref(), Some(said));
        }
        let long = json!("ab");
        assert_eq!(
            Check::MaxLength(1).test(&long, false).as_deref(),
            Some("must be at most 1 character")
        );
    }

    #[test]
    fn ranges_hold_for_integers_beyond_i64() {
        let range = Check::Range {
            min: Some(5),
            max: Some(120),
        };
        assert_eq!(range.test(&json!(30), false), None);
        for far in [json!(u64::MAX), json!(i64::MIN)] {
            assert_eq!(
                range.test(&far, false).as_deref(),
                Some("must be between 5 and 120")
            );
        }
    }

    #[test]
    fn ranges_refuse_what_is_no_integer() {
        let range = Check::Range {
            min: Some(1),
            max: Some(65535),
        };
        // In range or not, what is no integer is refused as such: naming the bounds would
        // say that `100.0` lies outside them.
        let floats = ["1.5", "2.0", "1e2", "100.0", "-0.0", "1.8e19"];
        let others = [json!("7"), json!(true), json!([3]), json!({})];
        for bad in floats
            .iter()
            .map(|text| serde_json::from_str::<Value>(text).unwrap())
            .chain(others)
        {
            assert_eq!(
                range.test(&bad, false).as_deref(),
                Some("must be an integer"),
                "{bad}"
            );
            assert_eq!(range.worded_by(&bad), "type", "{bad}");
        }
        // A whole number too large for 64 bits, which JSON parsers keep as a float, is an
        // integer out of range.
        for huge in ["1786128700014997274624", "-1786128700014997274624", "1e30"] {
            let huge: Value = serde_json::from_str(huge).unwrap();
            assert_eq!(
                range.test(&huge, false).as_deref(),
                Some("must be between 1 and 65535"),
                "{huge}"
            );
            assert_eq!(range.worded_by(&huge), "range", "{huge}");
        }
        assert_eq!(range.test(&json!(65535), false), None);
        assert_eq!(range.worded_by(&json!(65536)), "range");
    }

    #[test]
    fn patterns_match_whole_strings_and_every_item() {
        let p = Check::Pattern(Pattern::new("[a-z0-9._-]{1,8}").unwrap());
        assert_eq!(p.test(&json!("ab.c-1"), false), None);
        assert_eq!(p.test(&json!(["a", "b_2"]), false), None);
        for bad in [
            json!("a b"),
            json!("abcdefghi"),
            json!(["a", 3]),
            json!(["a", "é"]),
            json!(7),
        ] {
            assert_eq!(
                p.test(&bad, false).as_deref(),
                Some("must match [a-z0-9._-]{1,8}"),
                "{bad}"
            );
        }
        assert!(Pattern::new("(").is_err());
    }

    #[test]
    fn types_and_value_types_hold_for_every_spelling() {
        let object = Check::Type(JsonType::Object);
        assert_eq!(object.test(&json!({"a": "1"}), false), None);
        for bad in [json!([]), json!("a"), json!(1), json!(true)] {
            assert_eq!(
                object.test(&bad, false).as_deref(),
                Some("must be an object"),
                "{bad}"
            );
        }
        let strings = Check::Values(JsonType::String);
        assert_eq!(strings.test(&json!({"a": "1", "b": ""}), false), None);
        assert_eq!(strings.test(&json!(["a"]), false), None);
        for bad in [
            json!({"a": null}),
            json!({"a": 1}),
            json!([null, null]),
            json!([{}]),
        ] {
            assert_eq!(
                strings.test(&bad, false).as_deref(),
                Some("each value must be a string"),
                "{bad}"
            );
        }
        assert_eq!(
            Check::Type(JsonType::Integer)
                .test(&json!(1.5), false)
                .as_deref(),
            Some("must be an integer")
        );
    }

    #[test]
    fn min_length_counts_characters() {
        assert_eq!(
            Check::MinLength(1).test(&json!(""), false).as_deref(),
            Some("must not be empty")
        );
        assert_eq!(Check::MinLength(1).test(&json!("é"), false), None);
        assert_eq!(
            Check::MinLength(3).test(&json!("ab"), false).as_deref(),
            Some("must be at least 3 characters")
        );
    }

    #[test]
    fn urls_need_a_scheme_and_a_host() {
        for good in ["https://a", "HTTP://a/b?c", "https://a:1#x"] {
            assert_eq!(Check::Url.test(&json!(good), false), None, "{good}");
        }
        for bad in ["ftp://a", "https://", "https:///x", "https://a b", "a"] {
            assert!(Check::Url.test(&json!(bad), false).is_some(), "{bad}");
        }
    }
}
