//! `application/x-www-form-urlencoded` bodies as JSON values, both ways, for vendors that take
//! their requests as forms: members nested with brackets (`metadata[env]=prod`), arrays as the
//! vendor spells them (`events[0]=a`, `events[]=a` or `events=a&events=b`). Every value of a
//! form is text: [`coerce`] gives back the booleans and numbers a vendor's members hold, where
//! the mapping says which.
//!
//! Written here rather than taken from a crate: `serde_urlencoded` has no nesting, and
//! `serde_qs` reads into typed structs, where these bodies are JSON values whose shape only
//! the mapping file knows. The pairs themselves are encoded and decoded by `form_urlencoded`.

use serde_json::{Map, Value};

/// How a vendor spells an array in a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Arrays {
    /// `events[0]=a&events[1]=b`.
    #[default]
    Indexed,
    /// `events[]=a&events[]=b` (Rails, PHP).
    Brackets,
    /// `events=a&events=b`.
    Repeated,
}

/// A JSON object as a form. `null` is written as an empty value (`description=`), which
/// vendors that take forms read as "clear it"; an empty array or object likewise.
pub fn encode(body: &Value, arrays: Arrays) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    if let Value::Object(members) = body {
        for (name, value) in members {
            pairs(&mut out, name.clone(), value, arrays);
        }
    }
    out.finish()
}

fn pairs(
    out: &mut form_urlencoded::Serializer<'_, String>,
    key: String,
    value: &Value,
    arrays: Arrays,
) {
    match value {
        Value::Object(members) if !members.is_empty() => {
            for (name, value) in members {
                pairs(out, format!("{key}[{name}]"), value, arrays);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            // Brackets and repetition say nothing of where an object's members belong: an
            // array of objects is indexed whatever the vendor's style.
            let scalars = items.iter().all(|i| !i.is_object() && !i.is_array());
            for (at, item) in items.iter().enumerate() {
                let key = match arrays {
                    Arrays::Brackets if scalars => format!("{key}[]"),
                    Arrays::Repeated if scalars => key.clone(),
                    _ => format!("{key}[{at}]"),
                };
                pairs(out, key, item, arrays);
            }
        }
        Value::String(text) => {
            out.append_pair(&key, text);
        }
        Value::Bool(b) => {
            out.append_pair(&key, if *b { "true" } else { "false" });
        }
        Value::Number(n) => {
            out.append_pair(&key, &n.to_string());
        }
        Value::Null | Value::Object(_) | Value::Array(_) => {
            out.append_pair(&key, "");
        }
    }
}

/// The deepest a form's keys may nest (`a[b][c]` is three): a webhook's members are a few
/// levels deep, and a key of thousands of brackets must not exhaust the stack.
pub const MAX_DEPTH: usize = 32;

/// A form as a JSON object of text: `a[b]=1` is `{"a": {"b": "1"}}`, `a[0]=x` and `a[]=x`
/// are arrays, and a plain key given more than once is an array of its values. An empty value
/// (`description=`, `metadata[env]=`) is `null`: it is how a form clears a member, and how
/// [`encode`] writes `null`. An index past the end of an array adds the next item (`a[5]=x` to
/// an empty array is `["x"]`): a client's index never sizes an array. A key nested deeper than
/// [`MAX_DEPTH`] is refused, and so is a name or value whose bytes are no UTF-8 once
/// percent-decoded (`caf%E9`): read as text, they would be changed, as a JSON body holding them
/// is refused.
pub fn decode(bytes: &[u8]) -> Result<Map<String, Value>, String> {
    // `form_urlencoded` reads such bytes as U+FFFD, so they are looked for first.
    for pair in bytes.split(|b| *b == b'&') {
        for part in pair.splitn(2, |b| *b == b'=') {
            let decoded: Vec<u8> = percent_encoding::percent_decode(part).collect();
            if std::str::from_utf8(&decoded).is_err() {
                let name = pair.split(|b| *b == b'=').next().unwrap_or_default();
                let name: Vec<u8> = percent_encoding::percent_decode(name).collect();
                return Err(format!(
                    "the form's `{}` holds bytes that are no UTF-8 once percent-decoded",
                    String::from_utf8_lossy(&name)
                ));
            }
        }
    }
    let mut root = Value::Object(Map::new());
    for (key, value) in form_urlencoded::parse(bytes) {
        let (name, rest) = match key.find('[') {
            Some(at) if key.ends_with(']') => (&key[..at], &key[at + 1..key.len() - 1]),
            _ => (&key[..], ""),
        };
        let mut segments = vec![name];
        if key.len() > name.len() {
            segments.extend(rest.split("]["));
        }
        if segments.len() > MAX_DEPTH {
            return Err(format!(
                "the form's key `{name}[…]` nests deeper than {MAX_DEPTH} levels"
            ));
        }
        insert(&mut root, &segments, Value::from(value.into_owned()));
    }
    // Read once the form is whole: while it is built, a `null` is a place not yet given,
    // which a repeated key's next value fills.
    empty_as_null(&mut root);
    match root {
        Value::Object(members) => Ok(members),
        _ => Ok(Map::new()),
    }
}

/// Each empty value under `node` as the `null` it stands for.
fn empty_as_null(node: &mut Value) {
    match node {
        Value::String(text) if text.is_empty() => *node = Value::Null,
        Value::Object(members) => members.values_mut().for_each(empty_as_null),
        Value::Array(items) => items.iter_mut().for_each(empty_as_null),
        _ => {}
    }
}

/// Puts `value` at `segments` under `node`: a name is an object's member, a number an array's
/// item (the next one when past the end), an empty segment the next item.
fn insert(node: &mut Value, segments: &[&str], value: Value) {
    let Some((first, rest)) = segments.split_first() else {
        // A plain key given again: its values become an array.
        match node {
            Value::Null => *node = value,
            Value::Array(items) => items.push(value),
            other => *other = Value::Array(vec![other.take(), value]),
        }
        return;
    };
    match node {
        Value::Array(items) => {
            let at = match first.parse::<usize>() {
                Ok(at) if at < items.len() => at,
                _ => {
                    items.push(Value::Null);
                    items.len() - 1
                }
            };
            insert(&mut items[at], rest, value);
        }
        Value::Object(members) => {
            let next = rest.first();
            let child = members
                .entry(first.to_string())
                .or_insert_with(|| match next {
                    Some(s) if s.is_empty() || s.parse::<usize>().is_ok() => {
                        Value::Array(Vec::new())
                    }
                    Some(_) => Value::Object(Map::new()),
                    None => Value::Null,
                });
            insert(child, rest, value);
        }
        // A key used both as a value and as a parent: the later one wins.
        other => {
            *other = if first.is_empty() || first.parse::<usize>().is_ok() {
                Value::Array(Vec::new())
            } else {
                Value::Object(Map::new())
            };
            insert(other, segments, value);
        }
    }
}

/// What a vendor's member holds where a form can only say text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// Text.
    Text,
    /// `true` or `false`.
    Bool,
    /// A number.
    Number,
    /// Text the vendor clears as `""` (a label its rule reads with `empty_is_null`): an empty
    /// value is that `""`, the vendor's own spelling of the clear, not `null`.
    Label,
}

/// The shape of a vendor's member, as far as a form blurs it: its scalar, and whether it is
/// an array of them (one item given once, `events=a`, reads as that item alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// An array of the scalar.
    pub list: bool,
    /// What the member (or each item) holds.
    pub scalar: Scalar,
}

impl Shape {
    /// The shape of a sample of the member's JSON, where a form blurs it; `None` for text and
    /// objects, which a form carries as they are.
    pub fn of(sample: &Value) -> Option<Shape> {
        let scalar = |v: &Value| match v {
            Value::Bool(_) => Some(Scalar::Bool),
            Value::Number(_) => Some(Scalar::Number),
            Value::String(_) => Some(Scalar::Text),
            _ => None,
        };
        match sample {
            Value::Array(items) => Some(Shape {
                list: true,
                scalar: items.first().and_then(scalar)?,
            }),
            other => scalar(other)
                .filter(|s| *s != Scalar::Text)
                .map(|scalar| Shape {
                    list: false,
                    scalar,
                }),
        }
    }
}

/// A form's text read as the member's shape: an array where it holds one, and the booleans
/// and numbers it holds where the text reads as one. Other text (and anything that is not
/// text) is left as it is, for the member's own checks to refuse.
pub fn coerce(value: &mut Value, shape: Shape) {
    if shape.list {
        // An empty value, read as `null`, is also how a form writes an empty list (see
        // [`encode`]): a list cleared is a list of none.
        match value {
            Value::Null => *value = Value::Array(Vec::new()),
            Value::Array(_) => {}
            _ => *value = Value::Array(vec![value.take()]),
        }
    }
    match value {
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| coerce_scalar(item, shape.scalar)),
        item => coerce_scalar(item, shape.scalar),
    }
}

fn coerce_scalar(value: &mut Value, scalar: Scalar) {
    if value.is_null() && scalar == Scalar::Label {
        *value = Value::from("");
    }
    let Value::String(text) = value else {
        return;
    };
    let read = match scalar {
        Scalar::Text | Scalar::Label => None,
        Scalar::Bool => match text.as_str() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        Scalar::Number => text.parse::<serde_json::Number>().ok().map(Value::Number),
    };
    if let Some(read) = read {
        *value = read;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn encodes_as_each_vendor_spells_arrays_and_nesting() {
        let body = json!({
            "url": "https://example.com/a b?c=d&e",
            "enabled_events": ["invoice.paid", "charge.failed"],
            "metadata": {"env": "prod", "team": "billing"},
            "disabled": false,
            "timeout": 30,
            "description": null,
            "headers": [{"name": "X", "value": "1"}]
        });
        assert_eq!(
            encode(&body, Arrays::Indexed),
            "url=https%3A%2F%2Fexample.com%2Fa+b%3Fc%3Dd%26e&enabled_events%5B0%5D=invoice.paid\
             &enabled_events%5B1%5D=charge.failed&metadata%5Benv%5D=prod&metadata%5Bteam%5D=billing\
             &disabled=false&timeout=30&description=&headers%5B0%5D%5Bname%5D=X&headers%5B0%5D%5Bvalue%5D=1"
        );
        let events = json!({"events": ["a", "b"]});
        assert_eq!(
            encode(&events, Arrays::Brackets),
            "events%5B%5D=a&events%5B%5D=b"
        );
        assert_eq!(encode(&events, Arrays::Repeated), "events=a&events=b");
    }

    #[test]
    fn decodes_what_it_encodes_as_text() {
        let body = json!({
            "url": "https://example.com/a b?c=d&e",
            "enabled_events": ["invoice.paid", "charge.failed"],
            "metadata": {"env": "prod"},
            "headers": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}],
            "disabled": "true"
        });
        for arrays in [Arrays::Indexed, Arrays::Brackets, Arrays::Repeated] {
            let text = encode(&body, arrays);
            assert_eq!(
                Value::Object(decode(text.as_bytes()).unwrap()),
                body,
                "{arrays:?}: {text}"
            );
        }
        // A key with a bracket it does not close is a plain name.
        assert_eq!(
            Value::Object(decode(b"a%5Bb=1&c=").unwrap()),
            json!({"a[b": "1", "c": null})
        );
        // A lone value repeated; an index far past the end is the next item, not a size.
        assert_eq!(
            Value::Object(decode(b"e=a&e=b&f%5B99999999999%5D=z&f%5B1%5D=y").unwrap()),
            json!({"e": ["a", "b"], "f": ["z", "y"]})
        );
    }

    #[test]
    fn reads_an_empty_value_as_the_null_it_clears() {
        // What `encode` writes for `null` reads back as `null`, at any depth.
        let body = json!({"description": null, "metadata": {"team": null, "env": "prod"}});
        for arrays in [Arrays::Indexed, Arrays::Brackets, Arrays::Repeated] {
            let text = encode(&body, arrays);
            assert_eq!(
                Value::Object(decode(text.as_bytes()).unwrap()),
                body,
                "{text}"
            );
        }
        // An empty item of a list, in each spelling, and a repeated key's empty value, is kept
        // in its place, never taken for a place not yet given.
        for (form, read) in [
            ("e%5B0%5D=&e%5B1%5D=a", json!({"e": [null, "a"]})),
            ("e%5B%5D=a&e%5B%5D=", json!({"e": ["a", null]})),
            ("e=&e=a", json!({"e": [null, "a"]})),
            ("e=&e=", json!({"e": [null, null]})),
            (
                "a%5Bb%5D%5Bc%5D=&a%5Bd%5D=%20",
                json!({"a": {"b": {"c": null}, "d": " "}}),
            ),
        ] {
            assert_eq!(
                Value::Object(decode(form.as_bytes()).unwrap()),
                read,
                "{form}"
            );
        }
    }

    #[test]
    fn refuses_a_key_nested_past_the_limit() {
        let deep = |levels: usize| format!("a{}=1", "[b]".repeat(levels - 1));
        assert!(decode(deep(MAX_DEPTH).as_bytes()).is_ok());
        let error = decode(deep(MAX_DEPTH + 1).as_bytes()).unwrap_err();
        assert!(error.contains("deeper than 32"), "{error}");
        // Thousands of levels: refused before any is built.
        assert!(decode(deep(100_000).as_bytes()).is_err());
    }

    #[test]
    fn coerces_only_text_that_reads_as_the_members_shape() {
        let bools = Shape::of(&json!([true])).unwrap();
        let mut v = json!(["true", "false", "yes", 1]);
        coerce(&mut v, bools);
        assert_eq!(v, json!([true, false, "yes", 1]));
        let number = Shape::of(&json!(1)).unwrap();
        for (text, read) in [(json!("5000"), json!(5000)), (json!("5 s"), json!("5 s"))] {
            let mut v = text;
            coerce(&mut v, number);
            assert_eq!(v, read);
        }
        // One item of a repeated key is still a list.
        let texts = Shape::of(&json!(["a"])).unwrap();
        let mut v = json!("a");
        coerce(&mut v, texts);
        assert_eq!(v, json!(["a"]));
        // A list cleared (an empty value) is a list of none; an empty item stays `null`.
        let mut v = Value::Null;
        coerce(&mut v, texts);
        assert_eq!(v, json!([]));
        let mut v = json!([null, "1"]);
        coerce(&mut v, Shape::of(&json!([1])).unwrap());
        assert_eq!(v, json!([null, 1]));
        // A label the vendor clears as `""` is cleared so.
        let label = Shape {
            list: false,
            scalar: Scalar::Label,
        };
        for (given, read) in [(Value::Null, json!("")), (json!("a"), json!("a"))] {
            let mut v = given;
            coerce(&mut v, label);
            assert_eq!(v, read);
        }
        assert_eq!(Shape::of(&json!("a")), None);
        assert_eq!(Shape::of(&json!({"a": 1})), None);
    }
}
