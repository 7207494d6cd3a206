//! Singular JSON paths: where one field lives inside a JSON document.
//!
//! Mapping files write paths as RFC 9535 JSONPath (`$.webhook_config.api_schema.url`). They are
//! parsed once, at load, by `jsonpath-rust` and accepted only when *singular* (names and indexes,
//! no wildcards, slices, filters or descendants), because a translation rule must be able to
//! write a value as well as read it. Evaluation is then a walk over pre-split segments.

use jsonpath_rust::parser::model::{Segment, Selector};
use jsonpath_rust::parser::parse_json_path;
use serde_json::{Map, Value};
use std::fmt;

/// One step of a singular path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Step {
    /// An object member, by name.
    Key(String),
    /// An array item, by index from 0.
    Index(usize),
}

/// A compiled singular path; the empty path is the document root (`$`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct FieldPath {
    steps: Vec<Step>,
}

/// Why a path in a mapping file was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PathError {
    /// The text does not parse as JSONPath.
    #[error("not a JSONPath: {0}")]
    Syntax(String),
    /// A segment that is not a name or a non-negative index (wildcards, slices, filters,
    /// descendants).
    #[error("only singular paths (names and indexes) are accepted, found {0}")]
    NotSingular(String),
    /// An index above [`MAX_INDEX`].
    #[error("the index {0} is above {max}", max = MAX_INDEX)]
    IndexTooLarge(i64),
}

/// The largest array index a path may name. Writing a value at an index pads the array up to
/// it, so an unbounded index in a mapping file would allocate without bound on every request.
pub const MAX_INDEX: usize = 255;

/// What a segment that is not singular selects, in the path's own notation: the parser's
/// rendering writes a slice `[1:2]` as `1:2:1` and a negative index bare.
fn selecting(segment: &Segment) -> String {
    let selector = |s: &Selector| match s {
        Selector::Name(name) => format!("the name `{}`", unquote(name)),
        Selector::Wildcard => "the wildcard `[*]`".to_owned(),
        Selector::Index(i) => format!("the negative index `[{i}]`"),
        Selector::Slice(start, end, step) => {
            let bound = |b: &Option<i64>| b.map(|b| b.to_string()).unwrap_or_default();
            let step = step.map(|s| format!(":{s}")).unwrap_or_default();
            format!("the slice `[{}:{}{step}]`", bound(start), bound(end))
        }
        Selector::Filter(filter) => format!("the filter `[?{filter}]`"),
    };
    match segment {
        Segment::Descendant(inner) => format!("a descendant segment `..` ({})", selecting(inner)),
        Segment::Selector(s) => selector(s),
        Segment::Selectors(many) => format!(
            "several selectors in one segment ({})",
            many.iter().map(selector).collect::<Vec<_>>().join(", ")
        ),
    }
}

impl FieldPath {
    /// Parses a JSONPath (`$.a.b`, `$['a-b'][0]`) or a bare dotted name (`a.b`).
    pub fn parse(text: &str) -> Result<Self, PathError> {
        let text = text.trim();
        let query = if text.starts_with('$') {
            text.to_owned()
        } else {
            format!("$.{text}")
        };
        // The parser's own words (a grammar's rule names) say nothing a file's author can use.
        let parsed = parse_json_path(&query).map_err(|_| PathError::Syntax(misspelt(&query)))?;
        let mut steps = Vec::with_capacity(parsed.segments.len());
        for segment in parsed.segments {
            let step = match segment {
                Segment::Selector(Selector::Name(name)) => Step::Key(unquote(&name)),
                Segment::Selector(Selector::Index(i)) if i > MAX_INDEX as i64 => {
                    return Err(PathError::IndexTooLarge(i));
                }
                Segment::Selector(Selector::Index(i)) if i >= 0 => Step::Index(i as usize),
                other => return Err(PathError::NotSingular(selecting(&other))),
            };
            steps.push(step);
        }
        Ok(FieldPath { steps })
    }

    /// A dotted name (`a.b`, as vendor members are kept under `extensions`), parsed as
    /// [`FieldPath::parse`] would; plain names need no JSONPath parser.
    pub fn from_dotted(text: &str) -> Result<Self, PathError> {
        let plain = |key: &str| {
            key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        if text.split('.').all(plain) {
            Ok(FieldPath::of_keys(text.split('.')))
        } else {
            FieldPath::parse(text)
        }
    }

    /// A path of plain keys, for names that are known to be simple.
    pub fn of_keys<'a>(keys: impl IntoIterator<Item = &'a str>) -> Self {
        FieldPath {
            steps: keys.into_iter().map(|k| Step::Key(k.to_owned())).collect(),
        }
    }

    /// A path of the given steps.
    pub fn of_steps(steps: Vec<Step>) -> Self {
        FieldPath { steps }
    }

    /// The path's steps, from the root.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The keys of a path made of keys alone.
    pub fn keys(&self) -> Option<Vec<String>> {
        self.steps
            .iter()
            .map(|s| match s {
                Step::Key(k) => Some(k.clone()),
                Step::Index(_) => None,
            })
            .collect()
    }

    /// Whether the path is the document root (`$`).
    pub fn is_root(&self) -> bool {
        self.steps.is_empty()
    }

    /// The first key, which names the top-level member a rule writes.
    pub fn head(&self) -> Option<&str> {
        match self.steps.first() {
            Some(Step::Key(k)) => Some(k),
            _ => None,
        }
    }

    /// Whether `self` is `other` or lies inside it.
    pub fn starts_with(&self, other: &FieldPath) -> bool {
        self.steps.len() >= other.steps.len() && self.steps[..other.steps.len()] == other.steps[..]
    }

    /// The value at this path in `root`, if there is one.
    pub fn get<'v>(&self, root: &'v Value) -> Option<&'v Value> {
        let mut cur = root;
        for step in &self.steps {
            cur = match (step, cur) {
                (Step::Key(k), Value::Object(m)) => crate::json::member(m, k)?,
                (Step::Index(i), Value::Array(a)) => a.get(*i)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// The value at this path in the object `root`, as [`get`](Self::get) finds it in the
    /// object's value; `None` for the root itself, which is no member.
    pub fn get_in<'v>(&self, root: &'v Map<String, Value>) -> Option<&'v Value> {
        let (Step::Key(first), rest) = self.steps.split_first()? else {
            return None;
        };
        let mut cur = crate::json::member(root, first)?;
        for step in rest {
            cur = match (step, cur) {
                (Step::Key(k), Value::Object(m)) => crate::json::member(m, k)?,
                (Step::Index(i), Value::Array(a)) => a.get(*i)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// This path as `root` spells it, where a value lies there with its member names in any
    /// letter case, as a parser that ignores letter case finds it
    /// ([`crate::json::folded::same`]): each member the one of its name, else the first
    /// named so in another case.
    pub fn spelt_in(&self, root: &Value) -> Option<FieldPath> {
        let mut cur = root;
        let mut steps = Vec::with_capacity(self.steps.len());
        for step in &self.steps {
            let (spelt, next) = match (step, cur) {
                (Step::Key(k), Value::Object(m)) => match m.get_key_value(k) {
                    Some((name, value)) => (Step::Key(name.clone()), value),
                    None => m
                        .iter()
                        .find(|(name, _)| crate::json::folded::same(name, k))
                        .map(|(name, value)| (Step::Key(name.clone()), value))?,
                },
                (Step::Index(i), Value::Array(a)) => (Step::Index(*i), a.get(*i)?),
                _ => return None,
            };
            steps.push(spelt);
            cur = next;
        }
        Some(FieldPath { steps })
    }

    /// The value at this path in `root`, to be changed where it lies.
    pub fn get_mut<'v>(&self, root: &'v mut Value) -> Option<&'v mut Value> {
        let mut cur = root;
        for step in &self.steps {
            cur = match (step, cur) {
                (Step::Key(k), Value::Object(m)) => m.get_mut(k)?,
                (Step::Index(i), Value::Array(a)) => a.get_mut(*i)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// Writes `value` at this path, creating intermediate objects (and padding arrays with
    /// nulls) as needed. A scalar in the way is replaced by an object.
    pub fn set(&self, root: &mut Value, value: Value) {
        let mut cur = root;
        let (steps, last) = match self.steps.split_last() {
            // The common last step: a member of an object, set with one lookup.
            Some((Step::Key(k), parents)) => (parents, Some(k)),
            _ => (&self.steps[..], None),
        };
        for step in steps {
            cur = match step {
                Step::Key(k) => {
                    if !cur.is_object() {
                        *cur = Value::Object(Map::new());
                    }
                    match cur {
                        Value::Object(m) => m.entry(k.clone()).or_insert(Value::Null),
                        _ => unreachable!("made an object above"),
                    }
                }
                Step::Index(i) => {
                    if !cur.is_array() {
                        *cur = Value::Array(Vec::new());
                    }
                    match cur {
                        Value::Array(a) => {
                            if a.len() <= *i {
                                a.resize(*i + 1, Value::Null);
                            }
                            &mut a[*i]
                        }
                        _ => unreachable!("made an array above"),
                    }
                }
            };
        }
        match last {
            Some(key) => {
                if !cur.is_object() {
                    *cur = Value::Object(Map::new());
                }
                if let Value::Object(m) = cur {
                    m.insert(key.clone(), value);
                }
            }
            None => *cur = value,
        }
    }

    /// The value at this path, taken out of a document that is no longer needed.
    pub fn extract(&self, root: Value) -> Option<Value> {
        let mut cur = root;
        for step in &self.steps {
            cur = match (step, cur) {
                (Step::Key(k), Value::Object(mut m)) => m.swap_remove(k)?,
                (Step::Index(i), Value::Array(mut a)) if *i < a.len() => a.swap_remove(*i),
                _ => return None,
            };
        }
        Some(cur)
    }

    /// Removes and returns the value at this path.
    pub fn take(&self, root: &mut Value) -> Option<Value> {
        let (last, parents) = self.steps.split_last()?;
        let mut cur = root;
        for step in parents {
            cur = match (step, cur) {
                (Step::Key(k), Value::Object(m)) => m.get_mut(k)?,
                (Step::Index(i), Value::Array(a)) => a.get_mut(*i)?,
                _ => return None,
            };
        }
        match (last, cur) {
            (Step::Key(k), Value::Object(m)) => m.shift_remove(k),
            (Step::Index(i), Value::Array(a)) if *i < a.len() => Some(a.remove(*i)),
            _ => None,
        }
    }
}

/// One segment of a path that does not parse, as [`misspelt`] reads it.
enum Written<'a> {
    /// A name a `.` may stand before (`.url`).
    Dotted(&'a str),
    /// A name in brackets, as it is meant: quoted as written, or one that needs them.
    Bracketed(std::borrow::Cow<'a, str>),
    /// An index (`[0]`).
    Index(&'a str),
    /// Anything else, as written (`.*`, `[?…]`, `..`): the parser's to judge.
    Other(&'a str),
}

/// Whether `name` may follow a `.` as it is (RFC 9535's member-name-shorthand): letters,
/// digits and `_`, not starting with a digit, or any character beyond ASCII.
fn dotted(name: &str) -> bool {
    let first = |c: char| c.is_ascii_alphabetic() || c == '_' || !c.is_ascii();
    name.starts_with(first) && name.chars().all(|c| first(c) || c.is_ascii_digit())
}

/// Why `query` (`$…`), which does not parse, is no JSONPath, in words: the first thing in it
/// a path cannot be, and, where a member's name is spelt in a way only brackets can hold, the
/// path written with it in brackets.
fn misspelt(query: &str) -> String {
    let mut segments = Vec::new();
    // The first name written in a way a path cannot hold, and what it should be.
    let mut unspelt: Option<String> = None;
    // Whether that name is a number (`.0`): an index, or a member of that name.
    let mut numbered = false;
    let mut rest = query.strip_prefix('$').unwrap_or(query);
    while let Some(c) = rest.chars().next() {
        match c {
            '.' => {
                let descends = rest.starts_with("..");
                let dots = if descends { 2 } else { 1 };
                let after = &rest[dots..];
                let end = after.find(['.', '[']).unwrap_or(after.len());
                let name = &after[..end];
                if name.is_empty() && end == after.len() {
                    let dots = &rest[..dots];
                    return format!("it ends with `{dots}`, which names no member");
                }
                if descends || name == "*" {
                    segments.push(Written::Other(&rest[..dots + end]));
                } else if name.is_empty() {
                    return format!(
                        "a `.` is followed by `[` in `{rest}`: a bracket follows a name or `$` as it is (`$.a['b']`, not `$.a.['b']`)"
                    );
                } else if dotted(name) {
                    segments.push(Written::Dotted(name));
                } else {
                    if unspelt.is_none() {
                        numbered = name.bytes().all(|b| b.is_ascii_digit());
                        unspelt = Some(unspelt_name(name));
                    }
                    segments.push(Written::Bracketed(name.into()));
                }
                rest = &after[end..];
            }
            '[' => {
                let Some(close) = closing(rest) else {
                    return format!("the `[` of `{rest}` is not closed by `]`");
                };
                let inner = rest[1..close].trim();
                let quoted = inner.len() >= 2
                    && (inner.starts_with('\'') || inner.starts_with('"'))
                    && inner.ends_with(&inner[..1]);
                if quoted {
                    segments.push(Written::Bracketed(unquote(inner).into()));
                } else if inner.parse::<i64>().is_ok() {
                    segments.push(Written::Index(inner));
                } else if inner.is_empty() || inner.contains(['*', '?', ':', '\'', '"']) {
                    segments.push(Written::Other(&rest[..=close]));
                } else {
                    unspelt.get_or_insert_with(|| {
                        format!(
                            "`[{inner}]` names a member without the quotes a name in brackets needs"
                        )
                    });
                    segments.push(Written::Bracketed(inner.into()));
                }
                rest = &rest[close + 1..];
            }
            _ if rest.len() + 1 == query.len() => {
                return format!(
                    "`{rest}` follows `$` as it is: a member follows `.` or stands in brackets (`$.{rest}`, `$['{rest}']`)"
                );
            }
            _ => {
                return format!(
                    "`{rest}` begins with `{c}`, which begins no member: a member follows `.` or stands in brackets"
                );
            }
        }
    }
    match unspelt {
        Some(why) if numbered => format!(
            "{why}: write `{}` for an array's item, or `{}` for a member of that name",
            spelt(&segments, false),
            spelt(&segments, true)
        ),
        Some(why) => format!("{why}: write `{}`", spelt(&segments, true)),
        None => "it does not parse as a path (`$.a.b`, `$['a-b'][0]`)".into(),
    }
}

/// Why a name cannot follow a `.` as it is written; in brackets, a name may hold any character.
fn unspelt_name(name: &str) -> String {
    let held = name
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || c == '_' || !c.is_ascii()));
    let what = match held {
        Some(c) => format!("holds `{c}`"),
        None => "begins with a digit".into(),
    };
    format!(
        "the name `{name}` {what}, which a name after a `.` cannot (letters, digits and `_`, not first a digit), and a name in brackets can"
    )
}

/// Where the bracket that opens `text` is closed, past any quoted name in it.
fn closing(text: &str) -> Option<usize> {
    let mut quote = None;
    let mut escaped = false;
    for (i, c) in text.char_indices().skip(1) {
        match (quote, c) {
            (Some(_), _) if escaped => escaped = false,
            (Some(_), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, ']') => return Some(i),
            (None, _) => {}
        }
    }
    None
}

/// The path the segments read, each name a `.` cannot hold in brackets: a number there as
/// an index, unless `quoted`.
fn spelt(segments: &[Written<'_>], quoted: bool) -> String {
    let mut out = String::from("$");
    for segment in segments {
        match segment {
            Written::Dotted(name) => {
                out.push('.');
                out.push_str(name);
            }
            Written::Bracketed(name) if !quoted && name.bytes().all(|b| b.is_ascii_digit()) => {
                out.push_str(&format!("[{name}]"));
            }
            Written::Bracketed(name) => {
                let name = name.replace('\\', "\\\\").replace('\'', "\\'");
                out.push_str(&format!("['{name}']"));
            }
            Written::Index(i) => out.push_str(&format!("[{i}]")),
            Written::Other(text) => out.push_str(text),
        }
    }
    out
}

/// jsonpath-rust keeps the quotes of bracketed names (`$['a-b']`); a key never has them.
fn unquote(name: &str) -> String {
    let bytes = name.as_bytes();
    if bytes.len() >= 2
        && (bytes[0] == b'\'' || bytes[0] == b'"')
        && bytes[bytes.len() - 1] == bytes[0]
    {
        name[1..name.len() - 1].to_owned()
    } else {
        name.to_owned()
    }
}

impl fmt::Display for FieldPath {
    /// Dotted form (`webhook_config.api_schema.url`), the name a vendor's field errors use.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, step) in self.steps.iter().enumerate() {
            match step {
                Step::Key(k) if n == 0 => f.write_str(k)?,
                Step::Key(k) => write!(f, ".{k}")?,
                Step::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

impl FieldPath {
    /// Whether `text` is this path's dotted form ([`fmt::Display`]), compared step by step
    /// without writing it out: a vendor's field error is matched against every rule's path.
    pub fn is_spelled(&self, text: &str) -> bool {
        let mut rest = text.as_bytes();
        let mut digits = itoa::Buffer::new();
        for (n, step) in self.steps.iter().enumerate() {
            let (open, name, close): (&[u8], &[u8], &[u8]) = match step {
                Step::Key(k) if n == 0 => (b"", k.as_bytes(), b""),
                Step::Key(k) => (b".", k.as_bytes(), b""),
                Step::Index(i) => (b"[", digits.format(*i).as_bytes(), b"]"),
            };
            let Some(after) = rest
                .strip_prefix(open)
                .and_then(|r| r.strip_prefix(name))
                .and_then(|r| r.strip_prefix(close))
            else {
                return false;
            };
            rest = after;
        }
        rest.is_empty()
    }

    /// Where `text`, a vendor's dotted name of a place (`data.0.type`, `data[0].type`: a JSON
    /// Pointer's segments are joined with `.`, an index among them), lies inside the place
    /// this path names, what names it there (`.0.type`, `[0].type`); `None` where it lies
    /// elsewhere, or is this place itself. An index is matched in either spelling.
    pub fn spelled_inside<'t>(&self, text: &'t str) -> Option<&'t str> {
        let mut rest = text;
        let mut digits = itoa::Buffer::new();
        for (n, step) in self.steps.iter().enumerate() {
            rest = match step {
                Step::Key(k) if n == 0 => rest.strip_prefix(k.as_str())?,
                Step::Key(k) => rest.strip_prefix('.')?.strip_prefix(k.as_str())?,
                Step::Index(i) => {
                    let i = digits.format(*i);
                    match rest.strip_prefix('[') {
                        Some(r) => r.strip_prefix(i)?.strip_prefix(']')?,
                        None if n == 0 => rest.strip_prefix(i)?,
                        None => rest.strip_prefix('.')?.strip_prefix(i)?,
                    }
                }
            };
        }
        let inside = if self.steps.is_empty() {
            !rest.is_empty()
        } else {
            rest.starts_with('.') || rest.starts_with('[')
        };
        inside.then_some(rest)
    }

    /// This path extended by one step.
    pub fn child(mut self, step: Step) -> Self {
        self.steps.push(step);
        self
    }

    /// Where this path reads an item of a list (`urls[0]`): at its first index, the list
    /// (`urls`) and the item's place in it; `None` for a path through no index.
    pub fn list_item(&self) -> Option<ListItem> {
        let (at, index) = (self.steps.iter().enumerate()).find_map(|(at, s)| match s {
            Step::Index(i) => Some((at, *i)),
            Step::Key(_) => None,
        })?;
        Some(ListItem {
            list: FieldPath::of_steps(self.steps[..at].to_vec()),
            index,
        })
    }
}

/// An item of a vendor's list that a path reads ([`FieldPath::list_item`]): `urls[0]` is item 0
/// of `urls`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItem {
    /// The list: the path's steps before its first index.
    pub list: FieldPath,
    /// The item's place in the list.
    pub index: usize,
}

impl ListItem {
    /// Whether `path` reads an item of this list too, and which (`urls[1]` of `urls`).
    pub fn index_in(&self, path: &FieldPath) -> Option<usize> {
        match path.steps().get(self.list.steps().len()) {
            Some(Step::Index(i)) if path.starts_with(&self.list) => Some(*i),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_dotted_bracketed_and_indexed_paths() {
        let p = FieldPath::parse("$.a['b-c'][1]").unwrap();
        assert_eq!(
            p.steps(),
            &[
                Step::Key("a".into()),
                Step::Key("b-c".into()),
                Step::Index(1)
            ]
        );
        assert_eq!(
            FieldPath::parse("a.b").unwrap(),
            FieldPath::of_keys(["a", "b"])
        );
        assert!(FieldPath::parse("$").unwrap().is_root());
        let p = FieldPath::parse("$.a['b-c'][1].d").unwrap();
        assert!(p.is_spelled(&p.to_string()));
        for other in [
            "a.b-c[1]",
            "a.b-c[1].dd",
            "a.b-c[2].d",
            "",
            "a.b-c[1].d.",
            "a.b-c[10].d",
            "a.b-c1.d",
            "a.b-c[1]d",
            ".a.b-c[1].d",
            "a.b-c.[1].d",
            "A.b-c[1].d",
        ] {
            assert!(!p.is_spelled(other), "{other}");
        }
        for path in ["$.a", "$.a[10].b[2]", "$.x.y.z", "$[0]", "$.a.b[12]"] {
            let p = FieldPath::parse(path).unwrap();
            assert!(p.is_spelled(&p.to_string()), "{path}");
            assert!(!p.is_spelled(&format!("{p}0")), "{path}");
            assert!(!p.is_spelled(&format!("{p}.")), "{path}");
        }
    }

    #[test]
    fn reads_dotted_names_as_the_parser_does() {
        for text in [
            "org_id", "a.b_2.c", "_x", "a-b", "a.1", "1a", "a..b", "", "a['b']",
        ] {
            assert_eq!(
                FieldPath::from_dotted(text),
                FieldPath::parse(text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn refuses_paths_that_select_many() {
        for bad in ["$.a[*]", "$..a", "$.a[?@.b == 1]", "$.a[1:2]"] {
            assert!(
                matches!(FieldPath::parse(bad), Err(PathError::NotSingular(_))),
                "{bad}"
            );
        }
        assert!(matches!(FieldPath::parse("$.["), Err(PathError::Syntax(_))));
    }

    #[test]
    fn names_what_a_path_selects_as_its_author_wrote_it() {
        for (bad, named) in [
            ("$.a[1:2]", "the slice `[1:2]`"),
            ("$.a[:3:2]", "the slice `[:3:2]`"),
            ("$.a[-1]", "the negative index `[-1]`"),
            ("$.a[*]", "the wildcard `[*]`"),
            ("$..a", "a descendant segment `..` (the name `a`)"),
            (
                "$.a['b','c']",
                "several selectors in one segment (the name `b`, the name `c`)",
            ),
        ] {
            let message = FieldPath::parse(bad).unwrap_err().to_string();
            assert!(message.ends_with(named), "{bad}: {message}");
        }
    }

    #[test]
    fn refuses_indexes_that_would_pad_arrays_without_bound() {
        assert_eq!(
            FieldPath::parse("$.a[255]").unwrap().steps()[1],
            Step::Index(MAX_INDEX)
        );
        for bad in ["$.a[256]", "$.a[999999999999]"] {
            assert!(
                matches!(FieldPath::parse(bad), Err(PathError::IndexTooLarge(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn sets_gets_and_takes_nested_values() {
        let p = FieldPath::parse("$.x.y").unwrap();
        let mut doc = json!({"x": 1});
        p.set(&mut doc, json!("v"));
        assert_eq!(doc, json!({"x": {"y": "v"}}));
        assert_eq!(p.get(&doc), Some(&json!("v")));
        assert_eq!(p.take(&mut doc), Some(json!("v")));
        assert_eq!(doc, json!({"x": {}}));
        let doc = json!({"x": {"y": [1, 2]}, "z": 3});
        assert_eq!(
            FieldPath::parse("$.x.y[1]").unwrap().extract(doc.clone()),
            Some(json!(2))
        );
        assert_eq!(FieldPath::default().extract(doc.clone()), Some(doc.clone()));
        assert_eq!(FieldPath::parse("$.z.y").unwrap().extract(doc), None);
    }
}
