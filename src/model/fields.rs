//! The canonical objects' field tables: each field's name, what it holds and who may write it,
//! for the webhook and for a test's result.

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
    /// An object whose members are strings, named by header names: two names that differ
    /// only in letter case are one name ([`super::named_twice`]).
    StringMap,
    /// Any JSON object.
    Object,
}

impl Kind {
    /// The kind, as a message names it (`an array of strings`).
    pub fn described(self) -> &'static str {
        match self {
            Kind::String => "a string",
            Kind::Bool => "a boolean",
            Kind::Integer => "an integer",
            Kind::StringList => "an array of strings",
            Kind::StringMap => "an object of strings",
            Kind::Object => "an object",
        }
    }
}

impl Field {
    /// What the field holds, as a message names it (`an RFC 3339 date-time`).
    pub fn described(&self) -> &'static str {
        if self.time {
            "an RFC 3339 date-time"
        } else {
            self.kind.described()
        }
    }
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
    /// Names something (a webhook, an owner, an event): a string, which a vendor may write as
    /// an integer, read as its decimal text (an id `7` is `"7"`).
    pub identifier: bool,
    /// An instant: a string holding an RFC 3339 date-time in UTC ([`super::stamp`]), which a
    /// vendor may write with an offset.
    pub time: bool,
    /// The name as JSON text writes a member's key after another member: `,"url":`. Without
    /// its first byte, the key of a first member.
    pub key: &'static str,
}

/// A field of a table, its key spelled out once, here: no table name needs an escape. A kind
/// of `identifier` is a string that names something ([`Field::identifier`]); of `time`, a
/// string that holds an instant ([`Field::time`]).
macro_rules! field {
    ($name:literal, identifier, $access:ident, $nullable:literal) => {
        field!($name, String, $access, $nullable, true, false)
    };
    ($name:literal, time, $access:ident, $nullable:literal) => {
        field!($name, String, $access, $nullable, false, true)
    };
    ($name:literal, $kind:ident, $access:ident, $nullable:literal) => {
        field!($name, $kind, $access, $nullable, false, false)
    };
    (
        $name:literal,
        $kind:ident,
        $access:ident,
        $nullable:literal,
        $identifier:literal,
        $time:literal
    ) => {
        Field {
            name: $name,
            kind: Kind::$kind,
            access: Access::$access,
            nullable: $nullable,
            identifier: $identifier,
            time: $time,
            key: concat!(",\"", $name, "\":"),
        }
    };
}

/// The canonical webhook object (the canonical API's webhook, `docs/canonical-api.md`).
pub static WEBHOOK_FIELDS: &[Field] = &[
    field!("id", identifier, Read, false),
    field!("owner", identifier, Read, true),
    field!("url", String, ReadWrite, false),
    field!("events", StringList, ReadWrite, false),
    field!("enabled", Bool, ReadWrite, false),
    field!("description", String, ReadWrite, true),
    field!("secret", String, WriteOnce, false),
    field!("headers", StringMap, ReadWrite, false),
    field!("method", String, ReadWrite, false),
    field!("timeout_seconds", Integer, ReadWrite, false),
    field!("max_retries", Integer, ReadWrite, false),
    field!("api_version", String, CreateOnly, true),
    field!("status", String, Read, false),
    field!("created_at", time, Read, false),
    field!("updated_at", time, Read, false),
    field!("extensions", Object, ReadWrite, false),
];

/// The result of a test delivery, as every dialect reports it canonically.
pub static TEST_RESULT_FIELDS: &[Field] = &[
    field!("delivered", Bool, Read, false),
    field!("response_status", Integer, Read, false),
    field!("response_time_ms", Integer, Read, false),
    field!("event_id", identifier, Read, false),
    field!("event_type", String, Read, false),
    field!("sent_at", time, Read, false),
    field!("message", String, Read, false),
    field!("extensions", Object, Read, false),
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
