//! The canonical webhook model: its fields, the actions of the canonical API, one canonical
//! operation and what it produced, and the checks every canonical request body passes before
//! any dialect sees it (unknown, read-only and ill-typed fields).

use crate::json;
use crate::problem::{FieldError, Problem};
use bytes::Bytes;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// What a canonical field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A JSON string.
    String,
    /// A JSON boolean.
    Bool,
    /// A JSON integer.
    Integer,
    /// An array of strings.
    StringList,
    /// An object whose members are strings.
    StringMap,
    /// Any JSON object.
    Object,
}

/// Who may write a field, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reported by the upstream, never written.
    Read,
    /// Written and read.
    ReadWrite,
    /// Written on create only; read-only afterwards.
    CreateOnly,
    /// Written freely, read back only in the response that created or rotated it.
    WriteOnce,
}

/// One field of the canonical webhook object.
#[derive(Debug, PartialEq, Eq)]
pub struct Field {
    /// The canonical name.
    pub name: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// Who may write it.
    pub access: Access,
    /// `null` means "no value" for every upstream (it clears the field in a merge patch).
    pub nullable: bool,
}

const fn field(name: &'static str, kind: Kind, access: Access, nullable: bool) -> Field {
    Field {
        name,
        kind,
        access,
        nullable,
    }
}

/// The canonical webhook object (the canonical API's webhook, `docs/canonical-api.md`).
pub static WEBHOOK_FIELDS: &[Field] = &[
    field("id", Kind::String, Access::Read, false),
    field("owner", Kind::String, Access::Read, true),
    field("url", Kind::String, Access::ReadWrite, false),
    field("events", Kind::StringList, Access::ReadWrite, false),
    field("enabled", Kind::Bool, Access::ReadWrite, false),
    field("description", Kind::String, Access::ReadWrite, true),
    field("secret", Kind::String, Access::WriteOnce, false),
    field("headers", Kind::StringMap, Access::ReadWrite, false),
    field("method", Kind::String, Access::ReadWrite, false),
    field("timeout_seconds", Kind::Integer, Access::ReadWrite, false),
    field("max_retries", Kind::Integer, Access::ReadWrite, false),
    field("api_version", Kind::String, Access::CreateOnly, true),
    field("status", Kind::String, Access::Read, false),
    field("created_at", Kind::String, Access::Read, false),
    field("updated_at", Kind::String, Access::Read, false),
    field("extensions", Kind::Object, Access::ReadWrite, false),
];

/// The result of a test delivery, as every dialect reports it canonically.
pub static TEST_RESULT_FIELDS: &[Field] = &[
    field("delivered", Kind::Bool, Access::Read, false),
    field("response_status", Kind::Integer, Access::Read, false),
    field("response_time_ms", Kind::Integer, Access::Read, false),
    field("event_id", Kind::String, Access::Read, false),
    field("event_type", Kind::String, Access::Read, false),
    field("sent_at", Kind::String, Access::Read, false),
    field("message", Kind::String, Access::Read, false),
    field("extensions", Kind::Object, Access::Read, false),
];

/// The canonical status values, derived from `enabled` when a vendor reports no status.
pub const STATUSES: &[&str] = &["active", "disabled", "failing"];

/// The canonical webhook field called `name`.
pub fn webhook_field(name: &str) -> Option<&'static Field> {
    WEBHOOK_FIELDS.iter().find(|f| f.name == name)
}

/// The canonical test-result field called `name`.
pub fn test_result_field(name: &str) -> Option<&'static Field> {
    TEST_RESULT_FIELDS.iter().find(|f| f.name == name)
}

/// What a canonical operation does: the actions of the canonical API, plus `Toggle`, which
/// only vendor surfaces expose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// A page of webhooks.
    List,
    /// A new webhook.
    Create,
    /// One webhook.
    Get,
    /// A change to one webhook.
    Update,
    /// One webhook removed.
    Delete,
    /// A test delivery.
    Test,
    /// A new signing secret, shown once.
    RotateSecret,
    /// `enabled` flipped (a vendor's toggle endpoint).
    Toggle,
}

impl Action {
    /// Every action, in the order of the canonical API's table.
    pub const ALL: [Action; 8] = [
        Action::List,
        Action::Create,
        Action::Get,
        Action::Update,
        Action::Delete,
        Action::Test,
        Action::RotateSecret,
        Action::Toggle,
    ];

    /// The action's name in metrics, logs and `GET /v1/upstreams`.
    pub fn name(self) -> &'static str {
        match self {
            Action::List => "list",
            Action::Create => "create",
            Action::Get => "get",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Test => "test",
            Action::RotateSecret => "rotate-secret",
            Action::Toggle => "toggle",
        }
    }

    /// Whether the action addresses one webhook by id.
    pub fn has_id(self) -> bool {
        !matches!(self, Action::List | Action::Create)
    }

    /// Whether the action only reads.
    pub fn reads_only(self) -> bool {
        matches!(self, Action::List | Action::Get)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `?limit=` and `?cursor=` of a list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// The most items the client wants on one page.
    pub limit: Option<u64>,
    /// Where the page starts: the vendor's own cursor, passed through.
    pub cursor: Option<String>,
    /// The order the items are listed in, where the client asks for one; `None`: the
    /// backend's own.
    pub order: Option<Order>,
}

/// The order of a list: oldest first or newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Oldest first.
    Ascending,
    /// Newest first.
    Descending,
}

/// How an update's body is applied to the webhook.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UpdateMode {
    /// A JSON Merge Patch (RFC 7396): the canonical API's PATCH.
    #[default]
    Merge,
    /// Each member named replaces the stored one whole (objects are not merged into): what a
    /// vendor's own partial PATCH or PUT means.
    Members,
    /// The whole state the client's dialect can express, absent members at their defaults:
    /// what a vendor's own full-replacement PUT means.
    Replace,
}

/// One canonical operation, whatever frontend it came from.
#[derive(Debug, Clone)]
pub struct Operation {
    /// What it does.
    pub action: Action,
    /// The owner scope, for upstreams that have one.
    pub owner: Option<String>,
    /// The webhook addressed.
    pub id: Option<String>,
    /// Create: the new webhook. Update: the change, read as [`UpdateMode`] says.
    pub body: Option<Map<String, Value>>,
    /// A list's page.
    pub query: ListQuery,
    /// `Prefer: handling=lenient`: drop what the upstream cannot carry instead of refusing.
    pub lenient: bool,
    /// How an update's body applies.
    pub mode: UpdateMode,
    /// An update of a webhook that does not exist creates it with this id (a vendor's PUT).
    pub upsert: bool,
    /// The client reads the webhook's signing secret, which a backend reports if it can.
    pub reveal_secret: bool,
}

impl Operation {
    /// An operation of `action` with nothing else said.
    pub fn new(action: Action) -> Self {
        Operation {
            action,
            owner: None,
            id: None,
            body: None,
            query: ListQuery::default(),
            lenient: false,
            mode: UpdateMode::Merge,
            upsert: false,
            reveal_secret: false,
        }
    }
}

/// What an operation produced, in canonical terms.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A webhook as it now is.
    Webhook(Members),
    /// A webhook just made.
    Created(Members),
    /// A page of webhooks, and where the next page starts (`None`: this is the last one).
    List {
        /// The webhooks of this page.
        items: Vec<Members>,
        /// The cursor of the next page.
        next_cursor: Option<String>,
    },
    /// The webhook is gone.
    Deleted,
    /// A test delivery's result.
    TestResult(Map<String, Value>),
}

/// An operation carried out: its outcome, and the canonical fields lenient handling dropped on
/// the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Done {
    /// What the operation produced.
    pub outcome: Outcome,
    /// Fields the upstream could not carry, left out at the client's request.
    pub dropped: Vec<String>,
}

impl From<Outcome> for Done {
    fn from(outcome: Outcome) -> Self {
        Done {
            outcome,
            dropped: Vec::new(),
        }
    }
}

/// Checks a canonical create body or update: every member must be a known, writable field of
/// the right type. All problems are reported at once. Whether `null` may clear a field is the
/// upstream's to say (a dialect that spells "no value" takes it), except for fields that can
/// never be cleared.
pub fn check_body(action: Action, body: &Map<String, Value>) -> Result<(), Problem> {
    let mut unknown = Vec::new();
    let mut errors = Vec::new();
    for (name, value) in body {
        let Some(field) = webhook_field(name) else {
            unknown.push(FieldError::new(name, "unknown field"));
            continue;
        };
        let writable = match field.access {
            Access::Read => false,
            Access::CreateOnly => action == Action::Create,
            Access::ReadWrite | Access::WriteOnce => true,
        };
        if !writable {
            let why = if field.access == Access::CreateOnly {
                "is read-only after create"
            } else {
                "is read-only"
            };
            unknown.push(FieldError::new(name, why));
            continue;
        }
        if value.is_null() {
            // In an update `null` clears; on create it means "not given". A secret or a switch
            // has no "no value".
            let no_value = matches!(field.kind, Kind::Bool | Kind::Integer)
                || field.access == Access::WriteOnce;
            if action == Action::Update && no_value {
                errors.push(FieldError::new(name, "cannot be cleared"));
            }
            continue;
        }
        if let Some(why) = type_error(field.kind, value, action == Action::Update) {
            errors.push(FieldError::new(name, why));
        }
    }
    if !unknown.is_empty() {
        return Err(Problem::validation(unknown));
    }
    if !errors.is_empty() {
        return Err(Problem::validation(errors));
    }
    Ok(())
}

/// Why `value` is not of `kind`, if it is not. In an update a map member may be `null`.
pub fn type_error(kind: Kind, value: &Value, patch: bool) -> Option<&'static str> {
    let ok = match kind {
        Kind::String => value.is_string(),
        Kind::Bool => value.is_boolean(),
        Kind::Integer => value.is_i64() || value.is_u64(),
        Kind::StringList => value
            .as_array()
            .is_some_and(|a| a.iter().all(Value::is_string)),
        Kind::StringMap => value
            .as_object()
            .is_some_and(|m| m.values().all(|v| v.is_string() || (patch && v.is_null()))),
        Kind::Object => value.is_object(),
    };
    (!ok).then_some(match kind {
        Kind::String => "must be a string",
        Kind::Bool => "must be a boolean",
        Kind::Integer => "must be an integer",
        Kind::StringList => "must be an array of strings",
        Kind::StringMap => "must be an object of strings",
        Kind::Object => "must be an object",
    })
}

/// Applies an update to a webhook. A merge patch merges objects into the stored ones; the other
/// modes replace each named member whole, where each member of `extensions` counts as a member
/// of its own (so naming one extension never drops another).
pub fn apply_update(
    current: &Map<String, Value>,
    patch: &Map<String, Value>,
    mode: UpdateMode,
) -> Map<String, Value> {
    let mut merged = current.clone();
    if mode == UpdateMode::Merge {
        merge_members(&mut merged, patch);
    } else {
        for (key, value) in patch {
            match (key.as_str(), value) {
                ("extensions", Value::Object(ext)) => {
                    let stored = merged
                        .entry("extensions")
                        .or_insert_with(|| Value::Object(Map::new()));
                    if !stored.is_object() {
                        *stored = Value::Object(Map::new());
                    }
                    if let Value::Object(stored) = stored {
                        for (k, v) in ext {
                            if v.is_null() {
                                stored.shift_remove(k);
                            } else {
                                stored.insert(k.clone(), v.clone());
                            }
                        }
                    }
                }
                (_, Value::Null) => {
                    merged.shift_remove(key);
                }
                (_, value) => {
                    merged.insert(key.clone(), value.clone());
                }
            }
        }
    }
    if merged
        .get("extensions")
        .and_then(Value::as_object)
        .is_some_and(Map::is_empty)
    {
        merged.shift_remove("extensions");
    }
    merged
}

/// Applies a JSON Merge Patch (RFC 7396) to `target`.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    match target {
        Value::Object(map) => merge_members(map, patch),
        // A patch object replaces anything but an object: it is merged into an empty one.
        other => {
            let mut map = Map::new();
            merge_members(&mut map, patch);
            *other = Value::Object(map);
        }
    }
}

/// [`merge_patch`] of an object's members: a `null` removes a member, anything else is merged
/// into it.
fn merge_members(map: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (key, value) in patch {
        if value.is_null() {
            map.shift_remove(key);
        } else {
            merge_patch(map.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

/// The delivery state implied by `enabled`, for vendors that report no status of their own.
pub fn derive_status(webhook: &mut impl Object) {
    if webhook.has("status") {
        return;
    }
    if let Some(enabled) = webhook.boolean("enabled") {
        let status = if enabled { "active" } else { "disabled" };
        webhook.insert_in_order(WEBHOOK_FIELDS, "status", Value::from(status));
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
fn place_in_order<'k>(keys: impl Iterator<Item = &'k str>, fields: &[Field], name: &str) -> usize {
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

/// A canonical object whose members follow its field table: a [`Map`], or the [`Members`] a
/// page's webhooks are read into.
pub trait Object {
    /// Whether the object holds member `key`.
    fn has(&self, key: &str) -> bool;
    /// The value of member `key`, when it is a boolean.
    fn boolean(&self, key: &str) -> Option<bool>;
    /// Adds member `name`, which the object does not hold, where the table places it.
    fn insert_in_order(&mut self, fields: &[Field], name: &str, value: Value);
}

impl Object for Map<String, Value> {
    fn has(&self, key: &str) -> bool {
        self.contains_key(key)
    }

    fn boolean(&self, key: &str) -> Option<bool> {
        self.get(key).and_then(Value::as_bool)
    }

    fn insert_in_order(&mut self, fields: &[Field], name: &str, value: Value) {
        insert_in_order(self, fields, name, value);
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
    /// An array as the vendor wrote it, which the writer would write as this very text (plain
    /// strings, unsigned integers and literals, no whitespace): written out as it is.
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

    /// Takes member `key` out, if it is held.
    pub fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| k != key);
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
        // Read objects are assembled in table order already: checking is a few comparisons.
        if !self.0.is_sorted_by_key(|(k, _)| rank(k)) {
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

    fn boolean(&self, key: &str) -> Option<bool> {
        self.slot(key).and_then(Slot::boolean)
    }

    fn insert_in_order(&mut self, fields: &[Field], name: &str, value: Value) {
        let index = place_in_order(self.0.iter().map(|(k, _)| k.as_ref()), fields, name);
        let name = match fields.iter().find(|f| f.name == name) {
            Some(f) => f.name.into(),
            None => name.to_owned().into(),
        };
        self.0.insert(index, (name, Slot::Value(value)));
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
    if in_order(&object, fields) {
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

/// Whether `object` lists the table's fields in table order, before any member outside it.
fn in_order(object: &Map<String, Value>, fields: &[Field]) -> bool {
    let mut next = 0;
    let mut past_table = false;
    for key in object.keys().map(String::as_str) {
        // Usually the key is the next field of the table, or one soon after it.
        if !past_table && let Some(r) = fields[next..].iter().position(|f| f.name == key) {
            next += r + 1;
            continue;
        }
        if fields.iter().any(|f| f.name == key) {
            return false;
        }
        past_table = true;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn refuses_unknown_and_read_only_fields_by_name() {
        let err =
            check_body(Action::Create, &obj(json!({"id": "1", "colour": "red"}))).unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["id", "colour"]);
        let err = check_body(Action::Update, &obj(json!({"api_version": "x"}))).unwrap_err();
        assert_eq!(err.errors[0].message, "is read-only after create");
        assert!(check_body(Action::Create, &obj(json!({"api_version": "x"}))).is_ok());
    }

    #[test]
    fn checks_types_and_clearing() {
        let err = check_body(
            Action::Update,
            &obj(json!({"enabled": "yes", "timeout_seconds": null, "secret": null})),
        )
        .unwrap_err();
        assert_eq!(err.errors.len(), 3);
        assert!(
            check_body(
                Action::Update,
                &obj(json!({"description": null, "headers": {"a": null}, "url": null}))
            )
            .is_ok(),
            "whether a string can be cleared is the upstream's to say"
        );
    }

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut doc = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut doc, &json!({"a": "z", "c": {"f": null}, "n": [1]}));
        assert_eq!(doc, json!({"a": "z", "c": {"d": "e"}, "n": [1]}));
    }

    #[test]
    fn a_member_update_never_drops_an_extension_it_does_not_name() {
        let current = obj(json!({"url": "u", "headers": {"a": "1", "b": "2"},
            "extensions": {"assignments": [1], "request_body": {"x": 1}}}));
        let patch = obj(json!({"headers": {"c": "3"}, "extensions": {"assignments": []}}));
        let merged = apply_update(&current, &patch, UpdateMode::Members);
        assert_eq!(
            Value::Object(merged),
            json!({"url": "u", "headers": {"c": "3"},
                   "extensions": {"assignments": [], "request_body": {"x": 1}}})
        );
        let merged = apply_update(&current, &patch, UpdateMode::Merge);
        assert_eq!(merged["headers"], json!({"a": "1", "b": "2", "c": "3"}));
    }

    #[test]
    fn orders_members_as_the_table_lists_them_with_others_last() {
        let keys = |m: &Map<String, Value>| m.keys().cloned().collect::<Vec<_>>();
        let table: Vec<&str> = WEBHOOK_FIELDS.iter().map(|f| f.name).collect();
        let (a, b, c) = (table[0], table[1], table[2]);
        let cases: [(&[&str], Vec<&str>); 6] = [
            (&[a, b, c], vec![a, b, c]),
            (&[a, c], vec![a, c]),
            (&[c, a, b], vec![a, b, c]),
            (&[a, "zz", b, "yy"], vec![a, b, "zz", "yy"]),
            (&["zz", a, "yy"], vec![a, "zz", "yy"]),
            (&[b, c, "zz", a], vec![a, b, c, "zz"]),
        ];
        for (given, expected) in cases {
            let object: Map<String, Value> = given
                .iter()
                .map(|k| (k.to_string(), Value::from(*k)))
                .collect();
            let out = ordered(object, WEBHOOK_FIELDS);
            assert_eq!(keys(&out), expected, "from {given:?}");
            assert!(
                out.iter().all(|(k, v)| v == k),
                "values stay with their keys"
            );
        }
    }
}
