//! Reading a dialect object: which rule takes which member, and which members are the
//! vendor's own (kept under `extensions`).
//!
//! A [`ReadPlan`] is compiled once from the rules' paths. [`ReadPlan::walk`] applies it to an
//! object already parsed; [`ReadPlan::gather`] applies it while the JSON text is read
//! ([`json::scan`]), so the object itself is never built: each member goes straight to its
//! rule, its key compared where it lies in the text, and only the vendor's own members are
//! kept with their names. A string without escapes, or an array spelled as the writer spells
//! it, is not even parsed: it is kept as its text ([`Found::Plain`], [`Found::Written`]), which
//! a list's items write out as it lies. What was gathered is assembled into a canonical object
//! by the rules (`rules.rs`).

use super::json_path::Step;
use super::template::Template;
use crate::json::{
    self,
    scan::{Key, Malformed, Scanner, Token, literal},
};
use crate::model::Piece;
use indexmap::IndexMap;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// For each member named by a rule or derived path: whether a rule takes it whole or paths
/// continue inside it. A member not named here is the vendor's own.
#[derive(Debug, Clone, Default)]
pub(super) struct ReadPlan {
    members: Vec<(String, Member)>,
    /// For each member, whether its key is spelled in JSON text as it is ([`literal`]): such
    /// keys are compared where they lie in the text.
    literal: Vec<bool>,
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

/// A member's value as gathered: parsed, or kept as its text, borrowed from the document.
/// Small (24 bytes, where a `Value` takes 72): a webhook's values are moved several times
/// between the text and the canonical object.
#[derive(Debug, Clone)]
pub(super) enum Found<'de> {
    /// A value parsed (any but those below).
    Value(Box<Value>),
    /// A string without escapes: the text between its quotes.
    Plain(&'de str),
    /// An array that the writer would write as this very text ([`Token::Written`]), or a value
    /// holding an integer beyond 64 bits, which only its text holds exactly.
    Written(&'de str),
    /// An array of strings alone that the writer would write as this very text
    /// ([`Token::Strings`]).
    Strings(&'de str),
    /// A string parsed.
    String(String),
    Unsigned(u64),
    Bool(bool),
    Null,
}

/// A value parsed, boxed only when it is neither a string nor a literal nor an unsigned
/// integer.
impl From<Value> for Found<'_> {
    fn from(value: Value) -> Self {
        match value {
            Value::String(text) => Found::String(text),
            Value::Bool(b) => Found::Bool(b),
            Value::Null => Found::Null,
            Value::Number(n) => match n.as_u64() {
                Some(n) => Found::Unsigned(n),
                None => Found::Value(Box::new(Value::Number(n))),
            },
            value => Found::Value(Box::new(value)),
        }
    }
}

impl<'a> Found<'a> {
    /// The value as a piece of the object being assembled: still its text where it was kept
    /// as text.
    pub(super) fn piece(self) -> Piece<'a> {
        match self {
            Found::Plain(text) => Piece::Plain(text),
            Found::Written(text) | Found::Strings(text) => Piece::Written(text),
            Found::Unsigned(n) => Piece::Unsigned(n),
            Found::Bool(b) => Piece::Bool(b),
            Found::Null => Piece::Null,
            Found::String(text) => Piece::Value(Value::String(text)),
            Found::Value(value) => Piece::Value(*value),
        }
    }

    pub(super) fn into_value(self) -> Value {
        self.piece().into_value()
    }
}

impl<'de> Gathered<'de> {
    /// Room for `rules` rules' values, and for their aliases' when `aliases` (a rule has some).
    pub(super) fn new(rules: usize, aliases: bool) -> Gathered<'de> {
        Gathered {
            found: (0..rules).map(|_| None).collect(),
            aliased: (0..if aliases { rules } else { 0 }).map(|_| None).collect(),
            leftovers: IndexMap::new(),
            ambiguous: false,
        }
    }

    /// Empty again, for the next object of a list (the room is kept). Assembling an object
    /// takes out every value a path found ([`Gathered::take`]) and drains the leftovers;
    /// an alias of a rule without a path is never taken.
    pub(super) fn clear(&mut self) {
        debug_assert!(self.found.iter().all(Option::is_none));
        self.aliased.fill_with(|| None);
        self.leftovers.clear();
        self.ambiguous = false;
    }

    /// The value of rule `i`: at its own path, else at an alias (taken either way).
    #[inline]
    pub(super) fn take(&mut self, i: usize) -> Option<Found<'de>> {
        let aliased = self.aliased.get_mut(i).and_then(Option::take);
        self.found[i].take().or(aliased)
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
                self.literal.push(literal(key));
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

    /// Notes the members an envelope keeps beside the object's own in one object (`beside`, a
    /// `$spread`'s others: `"@odata.context"`, a `{{request_id}}`, a `$switch`): they are the
    /// envelope's, read past as members a path covers, never the vendor's own. A member a
    /// rule reads is left to it; inside one that paths continue into, an object the envelope
    /// spells there has its members read past likewise.
    pub(super) fn read_past(&mut self, beside: &[(String, Template)]) {
        if self.whole {
            return;
        }
        for (key, spelt) in beside {
            match (self.members.iter_mut().find(|(k, _)| k == key), spelt) {
                (None, _) => {
                    self.members.push((key.clone(), Member::Named(None)));
                    self.literal.push(literal(key));
                }
                (Some((_, Member::Inside(inner))), Template::Object(members)) => {
                    inner.read_past(members);
                }
                // A rule's own: what it reads is the object's.
                (Some(_), _) => {}
            }
        }
    }

    /// Puts the members in the order `example`, an object as the vendor documents it, writes
    /// them in (members it lacks after, as they were), inside objects too. Reading compares
    /// the key that follows the member found last first, so an answer written in the
    /// documented order has each key compared once.
    pub(super) fn follow(&mut self, example: &Value) {
        let Value::Object(example) = example else {
            return;
        };
        let rank = |key: &str| {
            example
                .keys()
                .position(|k| k == key)
                .unwrap_or(example.len())
        };
        let mut members: Vec<_> = std::mem::take(&mut self.members)
            .into_iter()
            .zip(std::mem::take(&mut self.literal))
            .collect();
        members.sort_by_key(|((key, _), _)| rank(key));
        for ((key, mut member), literal) in members {
            if let (Member::Inside(inner), Some(inside)) = (&mut member, example.get(&key)) {
                inner.follow(inside);
            }
            self.members.push((key, member));
            self.literal.push(literal);
        }
    }

    fn member(&self, key: &str) -> Option<(usize, &Member)> {
        self.member_from(key, 0)
    }

    /// [`ReadPlan::member`], looking from the `hint`th member on, then from the first: a vendor
    /// writes its members in the same order every time, so the member after the one found
    /// last is most often the one.
    fn member_from(&self, key: &str, hint: usize) -> Option<(usize, &Member)> {
        let start = hint.min(self.members.len());
        let find = |from: usize, to: usize| {
            self.members[from..to]
                .iter()
                .position(|(k, _)| k == key)
                .map(|i| from + i)
        };
        let i = find(start, self.members.len()).or_else(|| find(0, start))?;
        Some((i, &self.members[i].1))
    }

    /// Moves each named member's value to its rule and the rest to the leftovers.
    pub(super) fn walk(&self, object: Map<String, Value>, prefix: &str, into: &mut Gathered) {
        if self.whole {
            return;
        }
        for (key, value) in object {
            match (self.member(&key), value) {
                (Some((_, Member::Named(Some(rule)))), value) => {
                    into.found[*rule] = Some(value.into());
                }
                (Some((_, Member::Alias(rule))), value) => {
                    into.aliased[*rule] = Some(value.into());
                }
                (Some((_, Member::Named(None))), _) => {}
                (Some((_, Member::Inside(inner))), Value::Object(object)) => {
                    inner.walk(object, &dotted(prefix, key), into);
                }
                (_, value) => {
                    into.leftovers.insert(dotted(prefix, key), value.into());
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

impl ReadPlan {
    /// Gathers the object that comes next in `scan` while it is read, as [`ReadPlan::walk`]
    /// gathers it once parsed: each member goes straight to its rule, its key compared where
    /// it lies in the text, and only the vendor's own members are kept with their names.
    /// `false` when the value is not an object (it is then left unread).
    pub(super) fn gather<'a>(
        &self,
        scan: &mut Scanner<'a>,
        into: &mut Gathered<'a>,
    ) -> Result<bool, Malformed> {
        if !scan.object()? {
            return Ok(false);
        }
        self.members(scan, "", into)?;
        Ok(true)
    }

    /// The members of an object entered, to its end.
    fn members<'a>(
        &self,
        scan: &mut Scanner<'a>,
        prefix: &str,
        into: &mut Gathered<'a>,
    ) -> Result<(), Malformed> {
        let mut entered = Vec::new();
        let mut first = true;
        // The member after the one found last: a vendor writes its members in the same order
        // every time, most often the order its mapping names them in.
        let mut hint = 0;
        loop {
            // The member after the one found last, compared where it lies in the text; any
            // other key is read and looked up.
            let likely = (self.literal.get(hint) == Some(&true))
                .then(|| (hint, self.members[hint].0.as_str()));
            let Some(key) = scan.key_among(first, likely)? else {
                return Ok(());
            };
            first = false;
            if self.whole {
                scan.skip()?;
                continue;
            }
            // A key read as text is kept for the leftovers' names; a known one is not copied.
            let (member, text) = match key {
                Key::Known(i) => (Some((i, &self.members[i].1)), None),
                Key::Other(key) => (self.member_from(&key, hint), Some(key)),
            };
            let name = |i: usize, text: Option<Cow<'a, str>>| {
                text.unwrap_or_else(|| Cow::Owned(self.members[i].0.clone()))
            };
            if let Some((i, _)) = member {
                hint = i + 1;
            }
            match member {
                Some((_, Member::Named(Some(rule)))) => into.found[*rule] = Some(found(scan)?),
                Some((_, Member::Alias(rule))) => into.aliased[*rule] = Some(found(scan)?),
                Some((_, Member::Named(None))) => scan.skip()?,
                Some((i, Member::Inside(inner))) => {
                    if entered.contains(&i) {
                        into.ambiguous = true;
                    }
                    entered.push(i);
                    let prefix = dotted(prefix, name(i, text));
                    if scan.object()? {
                        inner.members(scan, &prefix, into)?;
                    } else {
                        into.leftovers.insert(prefix, found(scan)?);
                    }
                }
                None => {
                    let value = found(scan)?;
                    let key = text.unwrap_or_default(); // a known key has its member
                    into.leftovers.insert(dotted(prefix, key), value);
                }
            }
        }
    }
}

/// The value that comes next: a string without escapes, or an array written as the writer
/// writes it, kept as its text; anything else parsed. Always inlined: a call per value costs
/// more than the conversion.
#[inline(always)]
fn found<'a>(scan: &mut Scanner<'a>) -> Result<Found<'a>, Malformed> {
    Ok(match scan.value()? {
        Token::Plain(text) => Found::Plain(text),
        Token::Written(text) => Found::Written(text),
        Token::Strings(text) => Found::Strings(text),
        Token::Unsigned(n) => Found::Unsigned(n),
        Token::Bool(b) => Found::Bool(b),
        Token::Null => Found::Null,
        Token::Other(text) => match json::from_slice_lenient_noting(text.as_bytes()) {
            // A value holding an integer beyond 64 bits, which a tree holds as a double, is
            // written out as the vendor wrote it, if it reads one way only: with a key twice
            // in an object, its text would say both where the tree says the last.
            Ok((_, true)) if json::from_slice_relayed(text.as_bytes()).is_ok() => {
                Found::Written(text)
            }
            Ok((value, _)) => value.into(),
            Err(_) => return Err(Malformed),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::json_path::FieldPath;
    use serde_json::json;

    fn plan(paths: &[&str]) -> ReadPlan {
        let mut plan = ReadPlan::default();
        for (rule, path) in paths.iter().enumerate() {
            plan.insert(FieldPath::parse(path).unwrap().steps(), Some(rule));
        }
        plan
    }

    fn keys(plan: &ReadPlan) -> Vec<&str> {
        plan.members.iter().map(|(k, _)| k.as_str()).collect()
    }

    #[test]
    fn follows_the_documented_order_inside_objects_too() {
        let mut plan = plan(&["$.b", "$.cfg.y", "$.a", "$.cfg.x", "$.gone", "$['q\"k']"]);
        plan.follow(&json!({"a": 1, "x": 0, "cfg": {"x": 1, "y": 2}, "q\"k": 3, "b": 2}));
        assert_eq!(keys(&plan), ["a", "cfg", "q\"k", "b", "gone"]);
        assert_eq!(plan.literal, [true, true, false, true, true]);
        let Some((_, Member::Inside(cfg))) = plan.member("cfg") else {
            panic!("cfg holds paths");
        };
        assert_eq!(keys(cfg), ["x", "y"]);
        // What a rule takes does not move with the order.
        assert!(matches!(
            plan.member("a"),
            Some((0, Member::Named(Some(2))))
        ));
        assert!(matches!(
            plan.member("gone"),
            Some((4, Member::Named(Some(4))))
        ));
    }

    #[test]
    fn reads_an_envelopes_members_past_and_leaves_a_rules_to_it() {
        let mut plan = plan(&["$.id", "$.type", "$.meta.by"]);
        let spread = Template::compile(&serde_json::json!({"$spread": "{{webhook}}",
            "type": "hooks", "@odata.context": "x", "n": 2, "request": "{{request_id}}",
            "meta": {"op": "{{operation}}"}, "via": {"$switch": "operation", "$default": "a"}}))
        .unwrap();
        plan.read_past(spread.beside("webhook").unwrap());
        let text = r#"{"id": "1", "type": "hooks", "@odata.context": "x", "n": 3, "request": "r",
            "meta": {"op": "get", "by": "api", "region": "eu"}, "via": "a", "own": true}"#;
        let mut scan = Scanner::new(text);
        let mut gathered = Gathered::new(3, false);
        assert!(plan.gather(&mut scan, &mut gathered).unwrap());
        let found: Vec<Value> = (gathered.found.into_iter())
            .map(|f| f.map_or(Value::Null, Found::into_value))
            .collect();
        assert_eq!(found, [json!("1"), json!("hooks"), json!("api")]);
        let leftovers: Vec<&str> = gathered.leftovers.keys().map(String::as_str).collect();
        assert_eq!(leftovers, ["meta.region", "own"]);
    }

    #[test]
    fn reads_in_any_order_and_any_spelling_as_in_the_documented_one() {
        let mut plan = plan(&["$.a", "$.b", "$.c"]);
        plan.follow(&json!({"a": 0, "b": 0, "c": 0}));
        let texts = [
            r#"{"a": 1, "b": 2, "c": 3}"#,
            r#"{"c": 3, "b": 2, "a": 1}"#,
            r#"{"b": 2, "x": 9, "c": 3, "a": 1}"#,
            r#"{"\u0061": 1, "b": 2, "c": 3}"#,
            r#"{"ab": 1, "a": 1, "c": 3, "b": 2}"#,
        ];
        for text in texts {
            let mut scan = Scanner::new(text);
            let mut gathered = Gathered::new(3, false);
            assert!(plan.gather(&mut scan, &mut gathered).unwrap(), "{text}");
            scan.end().unwrap();
            let values: Vec<Value> = gathered
                .found
                .into_iter()
                .map(|f| f.map_or(Value::Null, Found::into_value))
                .collect();
            assert_eq!(values, [json!(1), json!(2), json!(3)], "{text}");
        }
    }
}
