//! A canonical object whose members follow its field table: as a map, or as the members a
//! webhook is read into from a vendor's text ([`Members`]), with what both answer alike
//! ([`Object`]): placing a member where the table puts it, deriving a status.

use super::fields::{Field, WEBHOOK_FIELDS};
use crate::json;
use bytes::Bytes;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// The delivery state implied by `enabled`, for vendors that report no status of their own.
pub fn derive_status(webhook: &mut impl Object) {
    if webhook.has("status") {
        return;
    }
    if let Some(enabled) = webhook.boolean("enabled") {
        webhook.insert_in_order(WEBHOOK_FIELDS, "status", Value::from(status_of(enabled)));
    }
}

/// The status [`derive_status`] gives a webhook whose `enabled` is `enabled`.
pub fn status_of(enabled: bool) -> &'static str {
    if enabled { "active" } else { "disabled" }
}

/// The values [`derive_status`] may give canonical field `field` where a vendor reports none.
pub fn derived_values(field: &str) -> &'static [&'static str] {
    match field {
        "status" => &["active", "disabled"],
        _ => &[],
    }
}

/// Inserts a member where the field table places it, into an object that follows the table.
pub fn insert_in_order(
    object: &mut Map<String, Value>,
    fields: &[Field],
    name: &str,
    value: Value,
) {
    let index = place_in_order(object.keys().map(String::as_str), fields, name);
    object.shift_insert(index, name.to_owned(), value);
}

/// Where member `name` goes among `keys`, which follow the field table: before the first key
/// the table ranks after it (or does not rank), else last.
pub(super) fn place_in_order<'k>(
    keys: impl Iterator<Item = &'k str>,
    fields: &[Field],
    name: &str,
) -> usize {
    let rank = |key: &str| fields.iter().position(|f| f.name == key);
    let at = rank(name).unwrap_or(fields.len());
    let mut count = 0;
    for key in keys {
        if rank(key).is_none_or(|r| r > at) {
            return count;
        }
        count += 1;
    }
    count
}

/// Takes a webhook's signing secret out of it, where it holds one: the one way every answer
/// that may not show the secret leaves it out (a listed webhook, a read's, an answer to a key
/// that may not write), whatever the webhook is held as. Rendered in a vendor's shape, the
/// webhook then shows what that vendor shows of one without a secret.
pub fn withhold_secret(webhook: &mut impl Object) {
    webhook.remove_member("secret");
}

/// A canonical object whose members follow its field table: a [`Map`], or the [`Members`] a
/// page's webhooks are read into.
pub trait Object {
    /// Whether the object holds member `key`.
    fn has(&self, key: &str) -> bool;
    /// Whether member `key` is held and is `null`.
    fn holds_null(&self, key: &str) -> bool;
    /// The value of member `key`, when it is a boolean.
    fn boolean(&self, key: &str) -> Option<bool>;
    /// The value of member `key`, when it is a string.
    fn string(&self, key: &str) -> Option<Cow<'_, str>>;
    /// Whether member `key` is the string `text`; `None` where it is no string. Objects that
    /// hold members as written text compare it as it lies, with no string made of it.
    fn string_is(&self, key: &str, text: &str) -> Option<bool> {
        self.string(key).map(|held| held == text)
    }
    /// Adds member `name`, which the object does not hold, where the table places it.
    fn insert_in_order(&mut self, fields: &[Field], name: &str, value: Value);
    /// Takes member `key` out, if it is held; the others keep their order.
    fn remove_member(&mut self, key: &str);
}

impl Object for Map<String, Value> {
    fn has(&self, key: &str) -> bool {
        self.contains_key(key)
    }

    fn holds_null(&self, key: &str) -> bool {
        self.get(key).is_some_and(Value::is_null)
    }

    fn boolean(&self, key: &str) -> Option<bool> {
        self.get(key).and_then(Value::as_bool)
    }

    fn string(&self, key: &str) -> Option<Cow<'_, str>> {
        self.get(key).and_then(Value::as_str).map(Cow::Borrowed)
    }

    fn insert_in_order(&mut self, fields: &[Field], name: &str, value: Value) {
        insert_in_order(self, fields, name, value);
    }

    fn remove_member(&mut self, key: &str) {
        self.shift_remove(key);
    }
}

/// A canonical object as its members in order, names mostly borrowed from the field tables.
/// A page's webhooks are read into these and written out as they are: no member name is
/// hashed or copied on the way, which a [`Map`] would do for each of them, and a string the
/// vendor wrote without escapes is copied rather than parsed and written again.
#[derive(Debug, Clone, Default)]
pub struct Members(Vec<(Cow<'static, str>, Slot)>);

/// One member's value in [`Members`].
#[derive(Debug, Clone)]
pub enum Slot {
    /// A value.
    Value(Value),
    /// A string as the vendor wrote it between its quotes, without escapes, UTF-8: written
    /// out as it is (the writer escapes only quotes, backslashes and control characters, which
    /// such a string cannot hold), and copied into a [`Value`] only if the object is turned
    /// into a [`Map`].
    Plain(Bytes),
    /// A value as the vendor wrote it, written out as it is: an array the writer would write
    /// as this very text (plain strings, unsigned integers and literals, no whitespace), or a
    /// value holding an integer beyond 64 bits, which a [`Value`] would hold only as the
    /// nearest double.
    Written(Bytes),
    /// An object's members (`extensions`).
    Object(Members),
}

impl Slot {
    /// The value itself.
    pub fn into_value(self) -> Value {
        match self {
            Slot::Value(value) => value,
            Slot::Plain(text) => Value::String(String::from_utf8_lossy(&text).into_owned()),
            // Text that serde_json always parses.
            Slot::Written(text) => json::from_slice_lenient(&text).unwrap_or_default(),
            Slot::Object(members) => Value::Object(members.into_map()),
        }
    }

    fn boolean(&self) -> Option<bool> {
        match self {
            Slot::Value(value) => value.as_bool(),
            Slot::Plain(_) | Slot::Written(_) | Slot::Object(_) => None,
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Slot::Value(value) => json::write(out, value),
            Slot::Plain(text) => {
                out.push(b'"');
                out.extend_from_slice(text);
                out.push(b'"');
            }
            Slot::Written(text) => out.extend_from_slice(text),
            Slot::Object(members) => members.write(out),
        }
    }
}

impl Members {
    /// Room for `n` members.
    pub fn with_capacity(n: usize) -> Members {
        Members(Vec::with_capacity(n))
    }

    /// Adds a member after the others. Names are the caller's to keep unique: an object's
    /// rules each name a field of their own. A name borrowed for `'static` (a field table's,
    /// or the code's own) is written without checking for escapes; any other name is checked.
    pub fn push(&mut self, name: impl Into<Cow<'static, str>>, value: Slot) {
        self.0.push((name.into(), value));
    }

    /// The members' names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_ref())
    }

    /// How many members are held.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no member is held.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The same object as a map.
    pub fn into_map(self) -> Map<String, Value> {
        self.0
            .into_iter()
            .map(|(k, v)| (k.into_owned(), v.into_value()))
            .collect()
    }

    /// Appends the object as JSON text, as [`json::write`] would write its map.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        for (i, (name, slot)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            match name {
                // A field table's name, or the code's own: no escape needed.
                Cow::Borrowed(name) => json::write_plain_key(out, name),
                Cow::Owned(name) => json::write_key(out, name),
            }
            slot.write(out);
        }
        out.push(b'}');
    }

    /// The string member `key`, as text.
    pub fn str(&self, key: &str) -> Option<Cow<'_, str>> {
        match self.slot(key)? {
            Slot::Value(Value::String(s)) => Some(Cow::Borrowed(s)),
            Slot::Plain(text) => Some(String::from_utf8_lossy(text)),
            _ => None,
        }
    }

    /// Member `key` as text: a string's, or a number's decimal spelling (an owner a vendor
    /// writes as a number, where the file gives it no `int_string` codec).
    pub fn text(&self, key: &str) -> Option<Cow<'_, str>> {
        match self.slot(key)? {
            Slot::Value(Value::Number(n)) => Some(Cow::Owned(n.to_string())),
            _ => self.str(key),
        }
    }

    /// Whether member `key`, as [`Members::text`] reads it, is `text`; `None` where it is no
    /// text. A member kept as the vendor wrote it is compared as its bytes, unconverted: an
    /// id compared on every answer needs no copy of it.
    pub fn text_is(&self, key: &str, text: &str) -> Option<bool> {
        match self.slot(key)? {
            Slot::Plain(plain) => Some(plain.as_ref() == text.as_bytes()),
            Slot::Value(Value::String(s)) => Some(s == text),
            Slot::Value(Value::Number(n)) => Some(n.to_string() == text),
            _ => None,
        }
    }

    /// Whether field `name` (`extensions.uid` for a member of `extensions`) is the text
    /// `text`, as [`Members::text_is`] compares it.
    pub fn field_is(&self, name: &str, text: &str) -> bool {
        match name.strip_prefix("extensions.") {
            Some(member) => match self.slot("extensions") {
                Some(Slot::Object(extensions)) => extensions.text_is(member, text) == Some(true),
                Some(Slot::Value(Value::Object(extensions))) => {
                    extensions.get(member).and_then(Value::as_str) == Some(text)
                }
                _ => false,
            },
            None => self.text_is(name, text) == Some(true),
        }
    }

    /// What a change that made this webhook made that its client could learn nowhere else,
    /// for the refusal of a request that made it and failed: its id and a secret minted for
    /// it, which no later read shows. The rest is a read's to give. `None` where it holds
    /// neither.
    pub fn made(&self) -> Option<Box<Map<String, Value>>> {
        let made: Map<String, Value> = ["id", "secret"]
            .into_iter()
            .filter_map(|name| Some((name.to_owned(), Value::from(self.text(name)?.into_owned()))))
            .collect();
        Some(Box::new(made)).filter(|m| !m.is_empty())
    }

    /// Whether member `key` is held, as `null`.
    pub fn is_null(&self, key: &str) -> bool {
        matches!(self.slot(key), Some(Slot::Value(Value::Null)))
    }

    /// The members in the order of `fields`, the table's fields first and any others as
    /// they came, as [`ordered`] orders a map.
    pub fn ordered(mut self, fields: &[Field]) -> Members {
        let rank = |key: &str| {
            fields
                .iter()
                .position(|f| f.name == key)
                .unwrap_or(fields.len())
        };
        // Read objects are assembled in table order already: checking is a comparison or two
        // a member.
        if !in_order(self.0.iter().map(|(k, _)| k.as_ref()), fields) {
            // Stable: members outside the table keep the order they came in.
            self.0.sort_by_cached_key(|(k, _)| rank(k));
        }
        self
    }

    fn slot(&self, key: &str) -> Option<&Slot> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

impl From<Map<String, Value>> for Members {
    fn from(map: Map<String, Value>) -> Members {
        Members(
            map.into_iter()
                .map(|(k, v)| (k.into(), Slot::Value(v)))
                .collect(),
        )
    }
}

/// Equal when they hold the same members, in any order, as maps are.
impl PartialEq for Members {
    fn eq(&self, other: &Members) -> bool {
        self.clone().into_map() == other.clone().into_map()
    }
}

impl Object for Members {
    fn has(&self, key: &str) -> bool {
        self.slot(key).is_some()
    }

    fn holds_null(&self, key: &str) -> bool {
        self.is_null(key)
    }

    fn boolean(&self, key: &str) -> Option<bool> {
        self.slot(key).and_then(Slot::boolean)
    }

    fn string(&self, key: &str) -> Option<Cow<'_, str>> {
        self.str(key)
    }

    fn insert_in_order(&mut self, fields: &[Field], name: &str, value: Value) {
        let index = place_in_order(self.0.iter().map(|(k, _)| k.as_ref()), fields, name);
        let name = match fields.iter().find(|f| f.name == name) {
            Some(f) => f.name.into(),
            None => name.to_owned().into(),
        };
        self.0.insert(index, (name, Slot::Value(value)));
    }

    fn remove_member(&mut self, key: &str) {
        self.0.retain(|(k, _)| k != key);
    }
}

/// A member's value as a vendor's text holds it, handed to an [`Assemble`] that keeps it or
/// writes it out at once: borrowed where it is written as it lies.
#[derive(Debug)]
pub enum Piece<'a> {
    /// A string without escapes: the text between its quotes (UTF-8, no quote, backslash or
    /// control character in it).
    Plain(&'a str),
    /// A value written out as it is (see [`Slot::Written`]).
    Written(&'a str),
    /// A non-negative integer.
    Unsigned(u64),
    /// A boolean.
    Bool(bool),
    /// `null`.
    Null,
    /// A value held elsewhere (a codec's table).
    Borrowed(&'a Value),
    /// Any other value.
    Value(Value),
}

impl Piece<'_> {
    /// The value itself.
    pub fn into_value(self) -> Value {
        match self {
            Piece::Plain(text) => Value::from(text),
            // Text that serde_json always parses.
            Piece::Written(text) => json::from_slice_lenient(text.as_bytes()).unwrap_or_default(),
            Piece::Unsigned(n) => Value::from(n),
            Piece::Bool(b) => Value::Bool(b),
            Piece::Null => Value::Null,
            Piece::Borrowed(value) => value.clone(),
            Piece::Value(value) => value,
        }
    }

    /// Appends the value as JSON text, as [`json::write`] would write it. The usual values of
    /// a webhook (strings without escapes, unsigned integers, literals) are written here; the
    /// serializer is called for the rest. Always inlined: a call per member costs more than
    /// most members' writing.
    #[inline(always)]
    pub fn write(self, out: &mut Vec<u8>) {
        match self {
            Piece::Plain(text) => json::write_plain_str(out, text),
            Piece::Written(text) => out.extend_from_slice(text.as_bytes()),
            Piece::Unsigned(n) => out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
            Piece::Bool(b) => literal(out, b),
            Piece::Null => out.extend_from_slice(b"null"),
            Piece::Borrowed(value) => write_value(out, value),
            Piece::Value(value) => write_value(out, &value),
        }
    }
}

/// A value as [`json::write`] writes it, the usual ones without the serializer.
fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::String(text) => json::write_str(out, text),
        Value::Bool(b) => literal(out, *b),
        Value::Null => out.extend_from_slice(b"null"),
        Value::Number(n) if let Some(n) = n.as_u64() => {
            out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
        }
        value => json::write(out, value),
    }
}

fn literal(out: &mut Vec<u8>, b: bool) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

/// Where an object read from a vendor's text goes, member by member: the fields in the order
/// of the field table, then the members of `extensions`. Kept as [`Members`] ([`Assembly`]),
/// or written out where they lie ([`super::Writing`], a page's webhooks).
pub trait Assemble {
    /// A field of the table. Each comes once.
    fn field(&mut self, field: &'static Field, value: Piece<'_>);
    /// Member `key` of `extensions`. Each comes once.
    fn extension(&mut self, key: Cow<'_, str>, value: Piece<'_>);
}

/// [`Members`] assembled from a vendor's text, `source`: a string or an array kept as its text
/// is a slice of it, shared rather than copied.
pub struct Assembly<'s> {
    members: Members,
    extensions: Members,
    source: Option<&'s Bytes>,
}

impl<'s> Assembly<'s> {
    /// Room for `fields` fields; `source` is the text the pieces lie in (without it, they are
    /// turned into values).
    pub fn new(source: Option<&'s Bytes>, fields: usize) -> Assembly<'s> {
        Assembly {
            members: Members::with_capacity(fields + 2),
            extensions: Members::default(),
            source,
        }
    }

    /// The members assembled, `extensions` last (as in every canonical field table).
    pub fn finish(mut self) -> Members {
        if !self.extensions.is_empty() {
            self.members
                .push("extensions", Slot::Object(self.extensions));
        }
        self.members
    }

    fn slot(&self, value: Piece<'_>) -> Slot {
        match (value, self.source) {
            (Piece::Plain(text), Some(source)) => Slot::Plain(slice_of(source, text)),
            (Piece::Written(text), Some(source)) => Slot::Written(slice_of(source, text)),
            (value, _) => Slot::Value(value.into_value()),
        }
    }
}

impl Assemble for Assembly<'_> {
    fn field(&mut self, field: &'static Field, value: Piece<'_>) {
        let slot = self.slot(value);
        self.members.push(field.name, slot);
    }

    fn extension(&mut self, key: Cow<'_, str>, value: Piece<'_>) {
        let slot = self.slot(value);
        self.extensions.push(key.into_owned(), slot);
    }
}

/// `text`, found in `source`, as a slice of it; a copy if it lies elsewhere.
fn slice_of(source: &Bytes, text: &str) -> Bytes {
    let start = (text.as_ptr() as usize).wrapping_sub(source.as_ptr() as usize);
    if start <= source.len() && text.len() <= source.len() - start {
        source.slice_ref(text.as_bytes())
    } else {
        Bytes::copy_from_slice(text.as_bytes())
    }
}

/// As [`Members::write`] writes it, for any serializer.
impl serde::Serialize for Members {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl serde::Serialize for Slot {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Slot::Value(value) => value.serialize(s),
            Slot::Plain(text) => s.serialize_str(&String::from_utf8_lossy(text)),
            Slot::Written(_) => self.clone().into_value().serialize(s),
            Slot::Object(members) => members.serialize(s),
        }
    }
}

/// Puts the members of a canonical object in the order of its field table, so responses read
/// the same whatever order the vendor used: the table's fields first, then any others as they
/// came.
pub fn ordered(object: Map<String, Value>, fields: &[Field]) -> Map<String, Value> {
    // Objects read by a mapping are assembled in table order already: checking costs a few
    // comparisons of keys, rebuilding would hash and move every member again.
    if in_order(object.keys().map(String::as_str), fields) {
        return object;
    }
    let rank = |key: &str| {
        fields
            .iter()
            .position(|f| f.name == key)
            .unwrap_or(fields.len())
    };
    let mut members: Vec<(usize, String, Value)> =
        object.into_iter().map(|(k, v)| (rank(&k), k, v)).collect();
    // Stable: members outside the table keep the order they came in.
    members.sort_by_key(|m| m.0);
    members.into_iter().map(|(_, k, v)| (k, v)).collect()
}

/// Whether `keys` list the table's fields in table order, before any key outside it.
fn in_order<'k>(keys: impl Iterator<Item = &'k str>, fields: &[Field]) -> bool {
    let mut next = 0;
    let mut past_table = false;
    for key in keys {
        // Usually the key is the next field of the table, or one soon after it, and often the
        // table's own text (an assembled object's names are): the same address settles it.
        let named = |f: &Field| std::ptr::eq(f.name, key) || f.name == key;
        if !past_table && let Some(r) = fields[next..].iter().position(named) {
            next += r + 1;
            continue;
        }
        if fields.iter().any(named) {
            return false;
        }
        past_table = true;
    }
    true
}
