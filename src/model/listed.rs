//! A page of canonical webhooks as the JSON text a canonical page holds. A vendor's list is
//! translated into it as it is read: each webhook is written member by member where it lies
//! ([`Writing`]), so that no object of the list is built, kept or dropped on the way. What
//! needs the webhooks as maps (a vendor's surface) parses them back.

use super::fields::Field;
use super::object::{Assemble, Object, Piece, place_in_order};
use crate::json;
use bytes::Bytes;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Room kept before the webhooks for the start of the answer they are sent in
/// ([`Listed::enveloped`]): the canonical page's `{"data":[` fits.
const HEAD: usize = 16;

/// Canonical webhooks, written one after another.
#[derive(Debug, Clone)]
pub struct Listed {
    /// [`HEAD`] bytes of room, then the webhooks separated by commas: the inside of a JSON
    /// array.
    text: Vec<u8>,
    count: usize,
    /// Where the last webhook's text begins.
    last: usize,
    /// The members of the webhook being written: name, where the member starts (its key's
    /// quote) and where its value starts. Kept between webhooks for its room.
    marks: Vec<(Cow<'static, str>, usize, usize)>,
}

impl Listed {
    /// Room for `bytes` of text.
    pub fn with_capacity(bytes: usize) -> Listed {
        let mut text = Vec::with_capacity(HEAD + bytes);
        text.resize(HEAD, b' ');
        Listed {
            text,
            count: 0,
            last: HEAD,
            marks: Vec::new(),
        }
    }

    /// How many webhooks are held.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether no webhook is held.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The webhooks as JSON text, separated by commas.
    pub fn text(&self) -> &[u8] {
        &self.text[HEAD..]
    }

    /// The webhooks between `open` and what `close` appends: the answer's body. The start is
    /// written in the room kept before the webhooks, so that a page of a thousand webhooks is
    /// not copied into an answer of its own.
    pub fn enveloped(mut self, open: &[u8], close: impl FnOnce(&mut Vec<u8>)) -> Bytes {
        let start = match HEAD.checked_sub(open.len()) {
            Some(start) => {
                self.text[start..HEAD].copy_from_slice(open);
                start
            }
            None => {
                self.text.splice(..HEAD, open.iter().copied());
                0
            }
        };
        close(&mut self.text);
        Bytes::from(self.text).slice(start..)
    }

    /// Adds a webhook held whole (a map, or members).
    pub fn push(&mut self, webhook: &impl serde::Serialize) {
        self.separate();
        json::write(&mut self.text, webhook);
        self.count += 1;
    }

    /// Starts the next webhook, to be written member by member; it is closed when the
    /// [`Writing`] is dropped.
    pub fn start(&mut self) -> Writing<'_> {
        self.separate();
        self.text.push(b'{');
        self.marks.clear();
        Writing {
            page: self,
            extensions: false,
        }
    }

    /// The webhooks as maps, in order.
    pub fn into_maps(self) -> Vec<Map<String, Value>> {
        let array = self.enveloped(b"[", |text| text.push(b']'));
        match json::from_slice_lenient(&array) {
            Ok(Value::Array(items)) => items
                .into_iter()
                .filter_map(|item| match item {
                    Value::Object(map) => Some(map),
                    _ => None,
                })
                .collect(),
            // The text is this module's own writing: always an array of objects.
            _ => Vec::new(),
        }
    }

    /// The `id` of the last webhook, read from its text ([`id_text`]): where a vendor pages by
    /// the last item it listed.
    pub fn last_id(&self) -> Option<String> {
        if self.count == 0 {
            return None;
        }
        match json::from_slice_lenient(&self.text[self.last..]).ok()? {
            Value::Object(webhook) => webhook.get("id").and_then(id_text),
            _ => None,
        }
    }

    fn separate(&mut self) {
        if self.count > 0 {
            self.text.push(b',');
        }
        self.last = self.text.len();
    }
}

/// A listed webhook's id as the canonical API writes ids: a string as it is, an integer as its
/// decimal text (`7` is `"7"`). Anything else (none, `null`, `""`, a fraction, an object)
/// names no webhook, and a page cut or resumed by id cannot stand on it.
pub fn id_text(id: &Value) -> Option<String> {
    match id {
        Value::String(id) if !id.is_empty() => Some(id.clone()),
        Value::Number(n) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        _ => None,
    }
}

impl Default for Listed {
    fn default() -> Listed {
        Listed::with_capacity(0)
    }
}

/// Equal when they hold the same webhooks, in the same order, each compared as a map.
impl PartialEq for Listed {
    fn eq(&self, other: &Listed) -> bool {
        self.count == other.count && self.clone().into_maps() == other.clone().into_maps()
    }
}

/// One webhook of a [`Listed`] being written: members are appended as they come, in the order
/// of the field table, and one the table places earlier can still be put in its place
/// ([`Object::insert_in_order`]), which moves only this webhook's text after it.
pub struct Writing<'p> {
    page: &'p mut Listed,
    /// Whether `extensions` is open (its members come last).
    extensions: bool,
}

impl Writing<'_> {
    /// Starts member `name` after the others: `key` is its key as JSON text after another
    /// member, its comma and colon included ([`Field::key`]).
    #[inline]
    fn member(&mut self, name: &'static str, key: &str) {
        let page = &mut *self.page;
        let start = page.text.len();
        let (start, key) = if page.marks.is_empty() {
            (start, &key[1..])
        } else {
            (start + 1, key)
        };
        page.text.extend_from_slice(key.as_bytes());
        page.marks
            .push((Cow::Borrowed(name), start, page.text.len()));
    }

    fn close_extensions(&mut self) {
        if std::mem::take(&mut self.extensions) {
            self.page.text.push(b'}');
        }
    }

    /// The text of member `i`'s value.
    fn value(&self, i: usize) -> &[u8] {
        let (_, _, at) = self.page.marks[i];
        let end = match self.page.marks.get(i + 1) {
            Some((_, next, _)) => next - 1, // its comma
            None => self.page.text.len(),
        };
        &self.page.text[at..end]
    }
}

impl Drop for Writing<'_> {
    fn drop(&mut self) {
        self.close_extensions();
        self.page.text.push(b'}');
        self.page.count += 1;
    }
}

impl Assemble for Writing<'_> {
    #[inline]
    fn field(&mut self, field: &'static Field, value: Piece<'_>) {
        self.member(field.name, field.key);
        value.write(&mut self.page.text);
    }

    fn extension(&mut self, key: Cow<'_, str>, value: Piece<'_>) {
        if self.extensions {
            self.page.text.push(b',');
        } else {
            self.member("extensions", ",\"extensions\":{");
            self.extensions = true;
        }
        let text = &mut self.page.text;
        json::write_key(text, &key);
        value.write(text);
    }
}

impl Object for Writing<'_> {
    fn has(&self, key: &str) -> bool {
        self.page.marks.iter().any(|(name, _, _)| name == key)
    }

    fn holds_null(&self, key: &str) -> bool {
        let at = self.page.marks.iter().position(|(name, _, _)| name == key);
        at.is_some_and(|i| self.value(i) == b"null")
    }

    fn boolean(&self, key: &str) -> Option<bool> {
        let i = self
            .page
            .marks
            .iter()
            .position(|(name, _, _)| name == key)?;
        match self.value(i) {
            b"true" => Some(true),
            b"false" => Some(false),
            _ => None,
        }
    }

    fn string(&self, key: &str) -> Option<Cow<'_, str>> {
        let i = self
            .page
            .marks
            .iter()
            .position(|(name, _, _)| name == key)?;
        let text = self.value(i);
        let inside = text.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
        // As the writer writes a string: escapes only where it needs them, most often none.
        match memchr::memchr(b'\\', inside) {
            None => std::str::from_utf8(inside).ok().map(Cow::Borrowed),
            Some(_) => serde_json::from_slice::<String>(text).ok().map(Cow::Owned),
        }
    }

    fn string_is(&self, key: &str, text: &str) -> Option<bool> {
        let i = self
            .page
            .marks
            .iter()
            .position(|(name, _, _)| name == key)?;
        let written = self.value(i);
        let inside = written.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
        // Written without escapes, as most are, the text is compared as it lies; its bytes
        // are the string's (the writer wrote them from one).
        match memchr::memchr(b'\\', inside) {
            None => Some(inside == text.as_bytes()),
            Some(_) => self.string(key).map(|held| held == text),
        }
    }

    fn insert_in_order(&mut self, fields: &[Field], name: &str, value: Value) {
        self.close_extensions();
        let marks = &self.page.marks;
        let index = place_in_order(marks.iter().map(|(k, _, _)| k.as_ref()), fields, name);
        let field = fields.iter().find(|f| f.name == name);
        let name: Cow<'static, str> = match field {
            Some(f) => Cow::Borrowed(f.name),
            None => Cow::Owned(name.to_owned()),
        };
        let text = &mut self.page.text;
        // The member is written at the end, then turned into its place: only this webhook's
        // text after that place moves, by the member's length.
        let end = text.len();
        let (at, last) = match marks.get(index) {
            Some((_, start, _)) => (*start, false),
            None => (end, true),
        };
        if last && !marks.is_empty() {
            text.push(b',');
        }
        let key_at = text.len();
        match field {
            Some(f) => text.extend_from_slice(&f.key.as_bytes()[1..]),
            None => json::write_key(text, &name),
        }
        let value_at = text.len();
        json::write(text, &value);
        if !last {
            text.push(b',');
        }
        let len = text.len() - end;
        text[at..].rotate_right(len);
        let moved = |p: usize| p - end + at;
        let marks = &mut self.page.marks;
        for mark in &mut marks[index..] {
            mark.1 += len;
            mark.2 += len;
        }
        marks.insert(index, (name, moved(key_at), moved(value_at)));
    }

    /// Takes member `name` out of the webhook being written, if it holds it: only this
    /// webhook's text after it moves.
    fn remove_member(&mut self, name: &str) {
        self.close_extensions();
        let page = &mut *self.page;
        let Some(i) = page.marks.iter().position(|(k, _, _)| k == name) else {
            return;
        };
        let start = page.marks[i].1;
        // The member and the comma after it; the last, with the comma before it.
        let (from, to) = match page.marks.get(i + 1) {
            Some((_, next, _)) => (start, *next),
            None if i > 0 => (start - 1, page.text.len()),
            None => (start, page.text.len()),
        };
        page.text.drain(from..to);
        page.marks.remove(i);
        for mark in &mut page.marks[i..] {
            mark.1 -= to - from;
            mark.2 -= to - from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{WEBHOOK_FIELDS, insert_in_order};
    use serde_json::json;

    /// Every subset of a few fields, with and without extensions: a member inserted after
    /// them lands where a map's insert puts it, in the text and in what is read back.
    #[test]
    fn a_member_inserted_lands_where_a_maps_would() {
        let fields = [
            ("id", json!("w1")),
            ("url", json!("https://x/\"q\"")),
            ("enabled", json!(false)),
            ("max_retries", json!(3)),
            ("updated_at", json!("t")),
        ];
        let inserted = [
            ("id", json!("new")),
            ("owner", json!(null)),
            ("status", json!("active")),
            ("not in the table", json!({"a": [1]})),
        ];
        for mask in 0..1u32 << fields.len() {
            for extensions in [false, true] {
                for (name, value) in &inserted {
                    let chosen = || {
                        fields
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| mask & 1 << i != 0)
                            .map(|(_, f)| f)
                    };
                    if chosen().any(|(n, _)| n == name) {
                        continue; // only what an object lacks is inserted
                    }
                    let mut map: Map<String, Value> =
                        chosen().map(|(n, v)| (n.to_string(), v.clone())).collect();
                    if extensions {
                        map.insert("extensions".into(), json!({"k": 1, "a\"b": ["x"]}));
                    }
                    let mut page = Listed::default();
                    page.push(&json!({"first": true}));
                    {
                        let mut w = page.start();
                        for (n, v) in chosen() {
                            let field = WEBHOOK_FIELDS.iter().find(|f| f.name == *n).unwrap();
                            w.field(field, Piece::Borrowed(v));
                        }
                        if extensions {
                            w.extension("k".into(), Piece::Unsigned(1));
                            w.extension("a\"b".into(), Piece::Written("[\"x\"]"));
                        }
                        assert_eq!(
                            w.boolean("enabled"),
                            map.get("enabled").and_then(Value::as_bool)
                        );
                        w.insert_in_order(WEBHOOK_FIELDS, name, value.clone());
                        assert!(w.has(name));
                        assert_eq!(
                            w.boolean("enabled"),
                            map.get("enabled").and_then(Value::as_bool)
                        );
                        let url = w.page.marks.iter().position(|(n, _, _)| n == "url");
                        if let Some(i) = url {
                            assert_eq!(w.value(i), br#""https://x/\"q\"""#);
                        }
                    }
                    insert_in_order(&mut map, WEBHOOK_FIELDS, name, value.clone());
                    let expected = format!(
                        r#"{{"first":true}},{}"#,
                        serde_json::to_string(&map).unwrap()
                    );
                    assert_eq!(String::from_utf8(page.text().to_vec()).unwrap(), expected);
                    assert_eq!(page.len(), 2);
                    assert_eq!(page.into_maps()[1], map);
                }
            }
        }
    }

    /// Every subset of a few fields, with and without extensions, each member taken out in
    /// turn (and one not held): the text and what is read back are the map's without it, and
    /// members read or inserted after find their places.
    #[test]
    fn a_member_removed_leaves_what_a_maps_removal_leaves() {
        let fields = [
            ("id", json!("w1")),
            ("url", json!("https://x/\"q\"")),
            ("enabled", json!(false)),
            ("secret", json!("whsec_abc")),
            ("updated_at", json!("t")),
        ];
        for mask in 0..1u32 << fields.len() {
            for extensions in [false, true] {
                let chosen = || {
                    fields
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| mask & 1 << i != 0)
                        .map(|(_, f)| f)
                };
                let names = chosen().map(|(n, _)| *n).chain(["extensions", "owner"]);
                for removed in names.collect::<Vec<_>>() {
                    let mut map: Map<String, Value> =
                        chosen().map(|(n, v)| (n.to_string(), v.clone())).collect();
                    if extensions {
                        map.insert("extensions".into(), json!({"k": 1}));
                    }
                    map.shift_remove(removed);
                    let mut page = Listed::default();
                    page.push(&json!({"first": true}));
                    {
                        let mut w = page.start();
                        for (n, v) in chosen() {
                            let field = WEBHOOK_FIELDS.iter().find(|f| f.name == *n).unwrap();
                            w.field(field, Piece::Borrowed(v));
                        }
                        if extensions {
                            w.extension("k".into(), Piece::Unsigned(1));
                        }
                        w.remove_member(removed);
                        assert!(!w.has(removed));
                        assert_eq!(
                            w.boolean("enabled"),
                            map.get("enabled").and_then(Value::as_bool)
                        );
                        w.insert_in_order(WEBHOOK_FIELDS, "status", json!("active"));
                    }
                    insert_in_order(&mut map, WEBHOOK_FIELDS, "status", json!("active"));
                    let expected = format!(
                        r#"{{"first":true}},{}"#,
                        serde_json::to_string(&map).unwrap()
                    );
                    let what = format!("{removed} of {mask:b}, extensions {extensions}");
                    assert_eq!(
                        String::from_utf8(page.text().to_vec()).unwrap(),
                        expected,
                        "{what}"
                    );
                    assert_eq!(page.into_maps()[1], map, "{what}");
                }
            }
        }
    }

    #[test]
    fn an_envelope_of_any_length_goes_around_the_webhooks() {
        for open in [
            "",
            "[",
            "{\"data\":[",
            "{\"a much longer envelope than the room\":[",
        ] {
            let mut page = Listed::default();
            page.push(&json!({"id": "1"}));
            page.push(&json!({"id": "2"}));
            let body = page.enveloped(open.as_bytes(), |out| out.extend_from_slice(b"]}"));
            let expected = format!(r#"{open}{{"id":"1"}},{{"id":"2"}}]}}"#);
            assert_eq!(String::from_utf8(body.to_vec()).unwrap(), expected);
        }
    }
}
