//! The canonical webhook model: its fields, its operations, and the checks every canonical
//! request body passes before any dialect sees it (unknown, read-only and ill-typed fields).

use crate::problem::{FieldError, Problem};
use serde_json::{Map, Value};
use std::fmt;

/// What a canonical field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Bool,
    Integer,
    StringList,
    StringMap,
    Object,
}

/// Who may write a field, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    ReadWrite,
    /// Written on create only; read-only afterwards.
    CreateOnly,
    /// Written freely, read back only in the response that created or rotated it.
    WriteOnce,
}

/// One field of the canonical webhook object.
#[derive(Debug, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub access: Access,
    /// `null` is meaningful on write (it clears the field).
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

/// The canonical webhook object (contract §2.2).
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
    field("message", Kind::String, Access::Read, false),
    field("extensions", Kind::Object, Access::Read, false),
];

/// The canonical status values, derived from `enabled` when a vendor reports no status.
pub const STATUSES: &[&str] = &["active", "disabled", "failing"];

pub fn webhook_field(name: &str) -> Option<&'static Field> {
    WEBHOOK_FIELDS.iter().find(|f| f.name == name)
}

pub fn test_result_field(name: &str) -> Option<&'static Field> {
    TEST_RESULT_FIELDS.iter().find(|f| f.name == name)
}

/// The operations of the canonical API, plus `Toggle`, which only vendor surfaces expose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OpKind {
    List,
    Create,
    Get,
    Update,
    Delete,
    Test,
    RotateSecret,
    Toggle,
}

impl OpKind {
    pub const ALL: [OpKind; 8] = [
        OpKind::List,
        OpKind::Create,
        OpKind::Get,
        OpKind::Update,
        OpKind::Delete,
        OpKind::Test,
        OpKind::RotateSecret,
        OpKind::Toggle,
    ];

    pub fn name(self) -> &'static str {
        match self {
            OpKind::List => "list",
            OpKind::Create => "create",
            OpKind::Get => "get",
            OpKind::Update => "update",
            OpKind::Delete => "delete",
            OpKind::Test => "test",
            OpKind::RotateSecret => "rotate-secret",
            OpKind::Toggle => "toggle",
        }
    }

    pub fn parse(name: &str) -> Option<OpKind> {
        OpKind::ALL
            .into_iter()
            .find(|op| op.name() == name || op.name().replace('-', "_") == name)
    }

    /// Whether the operation addresses one webhook by id.
    pub fn has_id(self) -> bool {
        !matches!(self, OpKind::List | OpKind::Create)
    }

    /// Whether retrying the operation cannot change the outcome.
    pub fn is_idempotent(self) -> bool {
        matches!(self, OpKind::List | OpKind::Get | OpKind::Delete)
    }
}

impl fmt::Display for OpKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `?limit=` and `?cursor=` of a list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// One canonical operation, whatever surface it came from.
#[derive(Debug, Clone)]
pub struct Operation {
    pub kind: OpKind,
    pub owner: Option<String>,
    pub id: Option<String>,
    /// Create: the new webhook. Update: a JSON Merge Patch.
    pub body: Option<Map<String, Value>>,
    pub query: ListQuery,
    /// `Prefer: handling=lenient`: drop what the upstream cannot carry instead of refusing.
    pub lenient: bool,
    /// In an update, an object value replaces the stored object instead of merging into it:
    /// what a vendor's own PUT or PATCH means, unlike a canonical JSON Merge Patch.
    pub replace_objects: bool,
}

impl Operation {
    pub fn new(kind: OpKind) -> Self {
        Operation {
            kind,
            owner: None,
            id: None,
            body: None,
            query: ListQuery::default(),
            lenient: false,
            replace_objects: false,
        }
    }
}

/// What an operation produced, in canonical terms.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Webhook(Map<String, Value>),
    Created(Map<String, Value>),
    List {
        items: Vec<Map<String, Value>>,
        next_cursor: Option<String>,
    },
    Deleted,
    TestResult(Map<String, Value>),
}

/// Checks a canonical create body or merge patch: every member must be a known, writable field
/// of the right type. All problems are reported at once.
pub fn check_body(kind: OpKind, body: &Map<String, Value>) -> Result<(), Problem> {
    let mut unknown = Vec::new();
    let mut errors = Vec::new();
    for (name, value) in body {
        let Some(field) = webhook_field(name) else {
            unknown.push(FieldError::new(name, "unknown field"));
            continue;
        };
        let writable = match field.access {
            Access::Read => false,
            Access::CreateOnly => kind == OpKind::Create,
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
            // In a merge patch `null` clears; on create it means "not given".
            if kind == OpKind::Update && !field.nullable && field.kind != Kind::StringMap {
                errors.push(FieldError::new(name, "cannot be cleared"));
            }
            continue;
        }
        if let Some(why) = type_error(field.kind, value, kind == OpKind::Update) {
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

/// Why `value` is not of `kind`, if it is not. In a merge patch a map member may be `null`.
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

/// Applies an update to a webhook: a merge patch, where `replace_objects` makes each object
/// value replace the stored one whole.
pub fn apply_update(
    current: &Map<String, Value>,
    patch: &Map<String, Value>,
    replace_objects: bool,
) -> Map<String, Value> {
    let mut merged = current.clone();
    if replace_objects {
        for (key, value) in patch {
            if value.is_object() {
                merged.shift_remove(key);
            }
        }
    }
    let mut merged = Value::Object(merged);
    merge_patch(&mut merged, &Value::Object(patch.clone()));
    match merged {
        Value::Object(m) => m,
        _ => unreachable!("a patch object merged into an object"),
    }
}

/// Applies a JSON Merge Patch (RFC 7396) to `target`.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(map) = target else {
        unreachable!("made an object above")
    };
    for (key, value) in patch {
        if value.is_null() {
            map.shift_remove(key);
        } else {
            merge_patch(map.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

/// The delivery state implied by `enabled`, for vendors that report no status of their own.
pub fn derive_status(webhook: &mut Map<String, Value>) {
    if webhook.contains_key("status") {
        return;
    }
    if let Some(enabled) = webhook.get("enabled").and_then(Value::as_bool) {
        let status = if enabled { "active" } else { "disabled" };
        insert_in_order(webhook, WEBHOOK_FIELDS, "status", Value::from(status));
    }
}

/// Inserts a member where the field table places it, into an object that follows the table.
pub fn insert_in_order(
    object: &mut Map<String, Value>,
    fields: &[Field],
    name: &str,
    value: Value,
) {
    let rank = |key: &str| fields.iter().position(|f| f.name == key);
    let at = rank(name).unwrap_or(fields.len());
    let index = object
        .keys()
        .position(|k| rank(k).is_none_or(|r| r > at))
        .unwrap_or(object.len());
    object.shift_insert(index, name.to_owned(), value);
}

/// Puts the members of a canonical object in the order of its field table, so responses read
/// the same whatever order the vendor used.
pub fn ordered(mut object: Map<String, Value>, fields: &[Field]) -> Map<String, Value> {
    let mut out = Map::with_capacity(object.len());
    for field in fields {
        if let Some(v) = object.shift_remove(field.name) {
            out.insert(field.name.to_owned(), v);
        }
    }
    out.extend(object);
    out
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
            check_body(OpKind::Create, &obj(json!({"id": "1", "colour": "red"}))).unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["id", "colour"]);
        let err = check_body(OpKind::Update, &obj(json!({"api_version": "x"}))).unwrap_err();
        assert_eq!(err.errors[0].message, "is read-only after create");
        assert!(check_body(OpKind::Create, &obj(json!({"api_version": "x"}))).is_ok());
    }

    #[test]
    fn checks_types_and_clearing() {
        let err =
            check_body(OpKind::Update, &obj(json!({"enabled": "yes", "url": null}))).unwrap_err();
        assert_eq!(err.errors.len(), 2);
        assert!(
            check_body(
                OpKind::Update,
                &obj(json!({"description": null, "headers": {"a": null}}))
            )
            .is_ok()
        );
    }

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut doc = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut doc, &json!({"a": "z", "c": {"f": null}, "n": [1]}));
        assert_eq!(doc, json!({"a": "z", "c": {"d": "e"}, "n": [1]}));
    }
}
