//! Reading a dialect object: which rule takes which member, and which members are the
//! vendor's own (kept under `extensions`).
//!
//! A [`ReadPlan`] is compiled once from the rules' paths. [`ReadPlan::walk`] applies it to an
//! object already parsed; [`Gather`] applies it while the JSON text is being parsed, so the
//! object itself is never built: each member goes straight to its rule, its key compared where
//! it lies in the text, and only the vendor's own members are kept with their names. For a
//! list's items, a string without escapes is not even copied: it is kept as the text it is
//! ([`Found::Plain`]), to be written out as it lies. What was gathered is assembled into a
//! canonical object by the rules (`rules.rs`).

use super::json_path::Step;
use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::fmt;

/// For each member named by a rule or derived path: whether a rule takes it whole or paths
/// continue inside it. A member not named here is the vendor's own.
#[derive(Debug, Clone, Default)]
pub(super) struct ReadPlan {
    members: Vec<(String, Member)>,
    /// A path names the object itself: nothing in it is the vendor's own.
    pub(super) whole: bool,
}

#[derive(Debug, Clone)]
enum Member {
    /// A path ends at this member; `Some(rule)` when that rule takes the value as it is.
    Named(Option<usize>),
    /// An alias of a rule ends at this member: its value counts when the rule's own path has
    /// none.
    Alias(usize),
    /// Paths continue inside this member.
    Inside(ReadPlan),
}

/// What reading needs of a dialect object: each rule's value, and the vendor's own members
/// under their dotted paths (of repeated ones, the last).
pub(super) struct Gathered<'de> {
    pub(super) found: Vec<Option<Found<'de>>>,
    /// Values found at a rule's aliases.
    pub(super) aliased: Vec<Option<Found<'de>>>,
    pub(super) leftovers: IndexMap<String, Found<'de>>,
    /// A member that paths continue inside came twice in the text: of repeated keys the last
    /// one counts, which only reading the object whole can honour.
    pub(super) ambiguous: bool,
}

/// A member's value as gathered: parsed, or, where [`Gather::plain`] asks for it, a string
/// written without escapes as the text between its quotes, borrowed from the document.
#[derive(Debug, Clone)]
pub(super) enum Found<'de> {
    Value(Value),
    Plain(&'de str),
}

impl Found<'_> {
    pub(super) fn into_value(self) -> Value {
        match self {
            Found::Value(value) => value,
            Found::Plain(text) => Value::from(text),
        }
    }
}

impl<'de> Gathered<'de> {
    pub(super) fn new(rules: usize) -> Gathered<'de> {
        Gathered {
            found: (0..rules).map(|_| None).collect(),
            aliased: (0..rules).map(|_| None).collect(),
            leftovers: IndexMap::new(),
            ambiguous: false,
        }
    }

    /// The value of rule `i`: at its own path, else at an alias.
    pub(super) fn take(&mut self, i: usize) -> Option<Found<'de>> {
        self.found[i].take().or_else(|| self.aliased[i].take())
    }
}

impl ReadPlan {
    /// Notes that a path ends at `steps`: `rule` takes the value there (`None`: it is covered,
    /// and no rule takes it as it is).
    pub(super) fn insert(&mut self, steps: &[Step], rule: Option<usize>) {
        self.insert_member(steps, Member::Named(rule));
    }

    /// Notes that rule `rule` may also find its value at `steps`.
    pub(super) fn insert_alias(&mut self, steps: &[Step], rule: usize) {
        self.insert_member(steps, Member::Alias(rule));
    }

    fn insert_member(&mut self, steps: &[Step], end: Member) {
        let Some((first, rest)) = steps.split_first() else {
            self.whole = true;
            return;
        };
        // An index names no member of an object: whatever lies there is the vendor's own.
        let Step::Key(key) = first else { return };
        let at = match self.members.iter().position(|(k, _)| k == key) {
            Some(at) => at,
            None => {
                let member = Member::Inside(ReadPlan::default());
                self.members.push((key.clone(), member));
                self.members.len() - 1
            }
        };
        let member = &mut self.members[at].1;
        match (rest.is_empty(), member) {
            (true, member) => *member = end,
            (false, Member::Named(_) | Member::Alias(_)) => {}
            (false, Member::Inside(inner)) => inner.insert_member(rest, end),
        }
    }

    fn member(&self, key: &str) -> Option<(usize, &Member)> {
        self.members
            .iter()
            .enumerate()
            .find(|(_, (k, _))| k == key)
            .map(|(i, (_, m))| (i, m))
    }

    /// Moves each named member's value to its rule and the rest to the leftovers.
    pub(super) fn walk(&self, object: Map<String, Value>, prefix: &str, into: &mut Gathered) {
        if self.whole {
            return;
        }
        for (key, value) in object {
            match (self.member(&key), value) {
                (Some((_, Member::Named(Some(rule)))), value) => {
                    into.found[*rule] = Some(Found::Value(value));
                }
                (Some((_, Member::Alias(rule))), value) => {
                    into.aliased[*rule] = Some(Found::Value(value));
                }
                (Some((_, Member::Named(None))), _) => {}
                (Some((_, Member::Inside(inner))), Value::Object(object)) => {
                    inner.walk(object, &dotted(prefix, key), into);
                }
                (_, value) => {
                    into.leftovers
                        .insert(dotted(prefix, key), Found::Value(value));
                }
            }
        }
    }
}

/// `prefix.key`, the name a member inside an object is kept under in `extensions`.
fn dotted(prefix: &str, key: impl Into<String>) -> String {
    if prefix.is_empty() {
        key.into()
    } else {
        format!("{prefix}.{}", key.into())
    }
}

/// Gathers one dialect object while it is parsed, as [`ReadPlan::walk`] gathers it once
/// parsed; `None` when the value is not an object.
pub(super) struct Gather<'p> {
    pub(super) plan: &'p ReadPlan,
    pub(super) rules: usize,
    /// Whether a string written without escapes is kept as its text ([`Found::Plain`]): for
    /// a list's items, which are written out as they are read.
    pub(super) plain: bool,
}

impl<'de> DeserializeSeed<'de> for Gather<'_> {
    type Value = Option<Gathered<'de>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Gathered<'de>>, D::Error> {
        let mut gathered = Gathered::new(self.rules);
        let level = Level {
            plan: self.plan,
            prefix: "",
            plain: self.plain,
            into: &mut gathered,
        };
        Ok(match level.deserialize(d)? {
            Some(_) => None,
            None => Some(gathered),
        })
    }
}

/// One object level of a plan: an object is gathered (`None`); any other value is returned.
struct Level<'a, 'de> {
    plan: &'a ReadPlan,
    prefix: &'a str,
    plain: bool,
    into: &'a mut Gathered<'de>,
}

impl Level<'_, '_> {
    /// The value of the member whose key was just read.
    fn value<'de, A: MapAccess<'de>>(&self, map: &mut A) -> Result<Found<'de>, A::Error> {
        if self.plain {
            map.next_value_seed(Plain)
        } else {
            map.next_value().map(Found::Value)
        }
    }
}

/// A value, with a string the parser could lend as it lies in the text (one without escapes)
/// kept as that text.
struct Plain;

impl<'de> DeserializeSeed<'de> for Plain {
    type Value = Found<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Found<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Plain {
    type Value = Found<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Found<'de>, E> {
        Ok(Found::Plain(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Found<'de>, E> {
        Ok(Found::Value(Value::from(v)))
    }

    fn visit_string<E>(self, v: String) -> Result<Found<'de>, E> {
        Ok(Found::Value(Value::String(v)))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Found<'de>, E> {
        Ok(Found::Value(Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Found<'de>, E> {
        Ok(Found::Value(Value::from(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Found<'de>, E> {
        Ok(Found::Value(Value::from(v)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Found<'de>, E> {
        Ok(Found::Value(
            Number::from_f64(v).map_or(Value::Null, Value::Number),
        ))
    }

    fn visit_unit<E>(self) -> Result<Found<'de>, E> {
        Ok(Found::Value(Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Found<'de>, A::Error> {
        Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Found::Value)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Found<'de>, A::Error> {
        Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Found::Value)
    }
}

impl<'de> DeserializeSeed<'de> for Level<'_, 'de> {
    type Value = Option<Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Value>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Level<'_, 'de> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Option<Value>, E> {
        Ok(Some(Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Option<Value>, E> {
        Ok(Some(Value::from(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Option<Value>, E> {
        Ok(Some(Value::from(v)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Option<Value>, E> {
        Ok(Some(Number::from_f64(v).map_or(Value::Null, Value::Number)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Option<Value>, E> {
        Ok(Some(Value::from(v)))
    }

    fn visit_string<E>(self, v: String) -> Result<Option<Value>, E> {
        Ok(Some(Value::String(v)))
    }

    fn visit_unit<E>(self) -> Result<Option<Value>, E> {
        Ok(Some(Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<Value>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Value>()? {
            items.push(item);
        }
        Ok(Some(Value::Array(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Value>, A::Error> {
        if self.plan.whole {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(None);
        }
        let mut entered = Vec::new();
        while let Some(key) = map.next_key_seed(Key)? {
            match self.plan.member(&key) {
                Some((_, Member::Named(Some(rule)))) => {
                    self.into.found[*rule] = Some(self.value(&mut map)?);
                }
                Some((_, Member::Alias(rule))) => {
                    self.into.aliased[*rule] = Some(self.value(&mut map)?);
                }
                Some((_, Member::Named(None))) => {
                    map.next_value::<IgnoredAny>()?;
                }
                Some((i, Member::Inside(inner))) => {
                    if entered.contains(&i) {
                        self.into.ambiguous = true;
                    }
                    entered.push(i);
                    let prefix = dotted(self.prefix, key);
                    let level = Level {
                        plan: inner,
                        prefix: &prefix,
                        plain: self.plain,
                        into: &mut *self.into,
                    };
                    if let Some(value) = map.next_value_seed(level)? {
                        self.into.leftovers.insert(prefix, Found::Value(value));
                    }
                }
                None => {
                    let value = self.value(&mut map)?;
                    self.into.leftovers.insert(dotted(self.prefix, key), value);
                }
            }
        }
        Ok(None)
    }
}

/// An object key, borrowed from the text when it holds no escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}
