//! The mapping file as written: serde structures of the TOML, before validation.
//!
//! Unknown keys are refused here (`deny_unknown_fields`) so that a typo in a mapping file is
//! reported with its key instead of being silently ignored, and every closed set of words is a
//! serde enum, so an unknown one is reported with the words accepted.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// A whole mapping file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingFile {
    pub dialect: DialectSection,
    #[serde(default)]
    pub emulator: EmulatorSection,
    #[serde(default)]
    pub fields: BTreeMap<String, FieldSection>,
    #[serde(default)]
    pub derived: BTreeMap<String, DerivedSection>,
    #[serde(default)]
    pub test_result: BTreeMap<String, FieldSection>,
    #[serde(default)]
    pub operations: BTreeMap<OperationName, OperationSection>,
    #[serde(default)]
    pub resources: BTreeMap<String, ResourceSection>,
    pub errors: ErrorsSection,
    /// Example bodies round-tripped by `hookgate check`.
    #[serde(default)]
    pub examples: Vec<Value>,
}

/// How a vendor takes its request bodies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestBodyName {
    /// `application/json`.
    #[default]
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
}

/// How a vendor spells an array in a form body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormArraysName {
    Indexed,
    Brackets,
    Repeated,
}

/// The shape an owner or id must have to be one of the vendor's.
#[derive(Debug, Clone)]
pub enum FormatSection {
    Named(FormatName),
    Pattern { pattern: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormatName {
    Uuid,
    Integer,
    Token,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DialectSection {
    pub title: Option<String>,
    pub docs: Option<String>,
    #[serde(default)]
    pub base_path: String,
    /// The vendor's name for the owner scope (`agent_id`); absent when it has none.
    pub owner: Option<String>,
    /// How many path segments an owner is (`{owner}/{repo}` is two); 1 by default.
    pub owner_segments: Option<usize>,
    pub owner_format: Option<FormatSection>,
    pub id_format: Option<FormatSection>,
    /// How the vendor's clients present their credential: `"bearer"`, `"basic"`, `"none"`, or
    /// `{ header = "NAME", prefix = "TEXT" }`.
    pub auth: Option<Value>,
    /// The request header by which the vendor recognises a repeated create.
    pub idempotency_key: Option<String>,
    /// Every request that carries a body needs one: an empty body is refused as unreadable.
    #[serde(default)]
    pub body_required: bool,
    /// How the vendor takes request bodies: JSON, or a form.
    #[serde(default)]
    pub request_body: RequestBodyName,
    /// How a form body spells arrays.
    pub form_arrays: Option<FormArraysName>,
    /// The media type of the vendor's JSON (`application/vnd.api+json`).
    pub media_type: Option<String>,
    /// Headers added to every response of this dialect's surface.
    #[serde(default)]
    pub response_headers: BTreeMap<String, String>,
    /// What the vendor does with a request body's members that no rule names.
    #[serde(default)]
    pub unknown_members: UnknownMembersName,
}

/// What a vendor does with a request body's members that it does not know.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownMembersName {
    /// Takes the request as if they were not there.
    #[default]
    Ignored,
    /// Refuses the request, naming them.
    Refused,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timestamps {
    Seconds,
    Micros,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretStyle {
    Base64,
    Base64url,
    Hex,
    UpperHex,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretShown {
    Once,
    Always,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmulatorSection {
    /// `"uuid"`, `"integer"`, `"prefix:TEXT"`, or `{ prefix, alphabet, length }`.
    pub id: Option<Value>,
    pub timestamps: Option<Timestamps>,
    pub secret: Option<SecretStyle>,
    /// Text before a minted secret (`whsec_`).
    #[serde(default)]
    pub secret_prefix: String,
    /// Random bytes in a minted secret.
    pub secret_bytes: Option<usize>,
    /// A secret a client chose without `secret_prefix` is kept and shown with it.
    #[serde(default)]
    pub secret_prefixed: bool,
    /// When answers show the secret: on the answer that made it, or on every read.
    pub secret_shown: Option<SecretShown>,
    #[serde(default)]
    pub extensions: serde_json::Map<String, Value>,
    pub max_webhooks: Option<usize>,
    /// Canonical fields by which a webhook may be named in a path, besides its id.
    #[serde(default)]
    pub also_found_by: Vec<String>,
    /// The canonical field the vendor keeps a webhook's version in (`extensions.version`).
    pub version: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Request,
    Response,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnAction {
    Create,
    Update,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSection {
    pub path: Option<String>,
    /// Event types the vendor keeps as one boolean member each: event type → JSONPath.
    #[serde(default)]
    pub flags: BTreeMap<String, String>,
    /// Other places a vendor answer (or a client's request) may hold the value.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Renders write the value at the aliases too.
    #[serde(default)]
    pub render_aliases: bool,
    pub codec: Option<Value>,
    #[serde(rename = "in")]
    pub in_: Option<Vec<Direction>>,
    pub on: Option<Vec<OnAction>>,
    pub implied: Option<Value>,
    #[serde(default)]
    pub required: bool,
    pub fill: Option<Value>,
    #[serde(default)]
    pub fill_when: BTreeMap<String, Value>,
    pub default: Option<Value>,
    /// What a render writes when the canonical webhook has no value.
    pub render_default: Option<Value>,
    /// A render refuses an object without a value here.
    #[serde(default)]
    pub render_required: bool,
    #[serde(default)]
    pub nullable: bool,
    pub error_field: Option<String>,
    #[serde(default)]
    pub https: bool,
    #[serde(default)]
    pub url: bool,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub min_items: Option<usize>,
    pub max_items: Option<usize>,
    #[serde(default)]
    pub unique_items: bool,
    pub one_of: Option<Vec<Value>>,
    pub pattern: Option<String>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    /// The JSON type the value must have.
    #[serde(rename = "type")]
    pub type_: Option<super::checks::JsonType>,
    /// The JSON type of each member value (or item) of the value.
    pub values: Option<super::checks::JsonType>,
    #[serde(default)]
    pub unique_per_owner: bool,
    #[serde(default)]
    pub messages: BTreeMap<String, String>,
    /// Where and how requests carry the value, where they spell it otherwise than answers.
    pub write_as: Option<WriteAsSection>,
    /// Entries of a map of headers whose values the vendor never shows.
    pub hidden: Option<HiddenSection>,
    /// Free text for readers of the file.
    #[allow(dead_code)]
    pub note: Option<String>,
}

/// Header names whose values a vendor never shows (`hidden = { names = […], listed_in = … }`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HiddenSection {
    /// The names, in any letter case.
    pub names: Vec<String>,
    /// What the vendor shows in a hidden value's place (`"****"`); without it, it leaves the
    /// entry out.
    pub shown_as: Option<String>,
    /// The member of the same object that lists the names of the entries hidden
    /// (`extensions.sensitive`).
    pub listed_in: Option<String>,
}

/// A field's place and codec in requests, where they differ from its answers'.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WriteAsSection {
    pub path: String,
    pub codec: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DerivedSection {
    pub path: String,
    pub count: Option<String>,
    pub present: Option<String>,
    /// Free text for readers of the file.
    #[allow(dead_code)]
    pub note: Option<String>,
}

/// The operations a mapping file may declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperationName {
    List,
    Create,
    Get,
    Update,
    Replace,
    Delete,
    Test,
    #[serde(alias = "rotate-secret")]
    RotateSecret,
    Toggle,
    Enable,
    Disable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StrategyName {
    Merge,
    ReadMergeWrite,
    JsonPatch,
    MergePatch,
}

/// `json_patch = { set = "add", clear = "remove" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchOpsSection {
    pub set: Option<SetOp>,
    pub clear: Option<ClearOp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SetOp {
    Replace,
    Add,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClearOp {
    Replace,
    Remove,
}

/// Where a `get` finds the webhook, for a vendor with no read of one (`from`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadFromName {
    /// The vendor's list, page after page, to the page that holds it.
    List,
}

/// How a list's next page is named, where the answer does not name it (`next`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NextName {
    Offset,
    Page,
    LastId,
    Link,
    Url,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationSection {
    /// Where the webhook is read from, for a vendor with no read of one webhook: `"list"`,
    /// on `get` alone, which then has no call of its own (no `method` or `path`).
    pub from: Option<ReadFromName>,
    /// Required, but beside `from`.
    pub method: Option<String>,
    /// Required, but beside `from`.
    pub path: Option<String>,
    /// The media type of this operation's request body, where it is not the dialect's.
    pub content_type: Option<String>,
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    pub body: Option<Value>,
    pub response: Option<Value>,
    /// Headers of the success answer that name the webhook's id (`Resource-ID`, `Location`),
    /// each a template of `{{id}}`.
    #[serde(default)]
    pub response_headers: BTreeMap<String, IdHeaderSection>,
    pub status: Option<u16>,
    #[serde(default)]
    pub accept: Vec<String>,
    pub strategy: Option<StrategyName>,
    /// The operations a JSON Patch is written with.
    pub json_patch: Option<PatchOpsSection>,
    /// Reads made after this call, whose answers complete the canonical result: `get` (the
    /// webhook) or the name of a resource.
    #[serde(default)]
    pub then: Vec<String>,
    /// Calls made before this one: `disable`, for a vendor that deletes only disabled
    /// webhooks.
    #[serde(default)]
    pub first: Vec<String>,
    /// An update of an unknown id creates the webhook: `true` or `"given_id"` under that id,
    /// `"new_id"` under one the vendor mints.
    pub upsert: Option<UpsertSection>,
    #[serde(default)]
    pub inferred: bool,
    pub note: Option<String>,
    /// Checks of a client's body that is no webhook, by the vendor's member name.
    #[serde(default)]
    pub request: BTreeMap<String, FieldSection>,
    /// A list's orders in the vendor's words.
    pub order: Option<OrderSection>,
    /// The largest page a client may ask for.
    pub limit: Option<LimitSection>,
    /// How the next page is named, where the answer does not name it.
    pub next: Option<NextName>,
    /// The status of a list with no items, answered without a body.
    pub empty_status: Option<u16>,
    /// Parameters of a `Link` header's next link that say it names no next page, by name.
    pub link_ends: Option<BTreeMap<String, LinkEndSection>>,
}

/// A header that names the webhook's id: its template (`"{{id}}"`,
/// `"/v2/webhooks/{{id}}"`), or a path's with how surfaces write it
/// (`{ path = "/v2/webhooks/{{id}}", absolute = true }`).
#[derive(Debug)]
pub enum IdHeaderSection {
    Template(String),
    Path(IdHeaderPathSection),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdHeaderPathSection {
    pub path: String,
    /// Surfaces and emulators write the path as an absolute URL.
    #[serde(default)]
    pub absolute: bool,
}

/// A parameter of a `Link` header's next link that marks the last page: its value there
/// (`"false"`), or that value and the one it has on a link to a next page
/// (`{ last = "false", more = "true" }`).
#[derive(Debug)]
pub enum LinkEndSection {
    Last(String),
    Both(LinkValuesSection),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkValuesSection {
    pub last: String,
    pub more: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderSection {
    pub ascending: Words,
    pub descending: Words,
    pub default: Option<String>,
}

/// What an update of an unknown id does: `false`, `true` (the same as `"given_id"`), or the
/// id it creates the webhook under by name.
#[derive(Debug, Clone, Copy)]
pub enum UpsertSection {
    Flag(bool),
    Named(UpsertName),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpsertName {
    GivenId,
    NewId,
}

impl UpsertSection {
    /// What the vendor does, where it creates at all.
    pub fn creates(self) -> Option<crate::model::Upsert> {
        match self {
            UpsertSection::Flag(false) => None,
            UpsertSection::Flag(true) | UpsertSection::Named(UpsertName::GivenId) => {
                Some(crate::model::Upsert::GivenId)
            }
            UpsertSection::Named(UpsertName::NewId) => Some(crate::model::Upsert::NewId),
        }
    }
}

/// A vendor's word for one thing, or its words: the first is the one written, all are read.
#[derive(Debug)]
pub enum Words {
    One(String),
    Several(Vec<String>),
}

impl Words {
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            Words::One(word) => vec![word.clone()],
            Words::Several(words) => words.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSection {
    /// The smallest page the vendor serves (`limit` 1–100: `min = 1`).
    #[serde(default)]
    pub min: u64,
    pub max: u64,
    pub message: Option<String>,
}

/// A sub-resource: canonical fields the vendor keeps at a path of their own.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceSection {
    pub get: Option<ResourceCallSection>,
    pub replace: Option<ResourceCallSection>,
    pub update: Option<ResourceCallSection>,
    /// The canonical `get` reads this resource too, so its fields are part of the webhook.
    #[serde(default)]
    pub read_with_webhook: bool,
    #[serde(default)]
    pub fields: BTreeMap<String, FieldSection>,
    /// Fields of the resource that a create's webhook may carry too, by canonical name, each
    /// with its JSONPath in the webhook (Svix's `headers` at `$.headers`).
    #[serde(default)]
    pub in_create: BTreeMap<String, String>,
    /// Free text for readers of the file.
    #[allow(dead_code)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceCallSection {
    pub method: String,
    pub path: String,
    pub body: Option<Value>,
    pub response: Option<Value>,
    pub status: Option<u16>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorsSection {
    pub flag: Option<String>,
    #[serde(default)]
    pub message: Vec<String>,
    #[serde(default)]
    pub code: Vec<String>,
    #[serde(default)]
    pub request_id: Vec<String>,
    #[serde(default)]
    pub field_errors: Vec<FieldErrorsSection>,
    #[serde(default)]
    pub codes: BTreeMap<String, String>,
    /// What the vendor's codes are: text (the default) or integers written as JSON numbers.
    pub code_type: Option<CodeType>,
    /// The media type of the error bodies this dialect's surfaces write.
    pub content_type: Option<String>,
    #[serde(default)]
    pub render: BTreeMap<String, RenderSection>,
    /// The canonical code a surface refuses a body that is no JSON object with.
    pub unreadable_body: Option<String>,
    /// The canonical code a surface refuses a path segment that names nothing with.
    pub unreadable_path: Option<String>,
}

/// The JSON type of a vendor's error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeType {
    String,
    Integer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormName {
    Lists,
    Strings,
    Param,
    Items,
    Codes,
}

/// What one of a vendor's error codes says: the field it names and what of it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeMeaning {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldErrorsSection {
    pub path: String,
    pub form: FormName,
    /// `items`: where an item names its field (a string, or an array of segments).
    pub field: Option<String>,
    /// `items`: where an item holds its message.
    pub message: Option<String>,
    /// `items`: leading segments of an item's field that name no field (`["body"]`).
    #[serde(default)]
    pub skip: Vec<Value>,
    /// `items`: how one field error is written. `codes`: the code written for a field error
    /// that no `meanings` entry says.
    pub item: Option<Value>,
    /// `codes`: the field and message each of the vendor's codes stands for.
    #[serde(default)]
    pub meanings: BTreeMap<String, CodeMeaning>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenderSection {
    pub status: Option<u16>,
    /// None: the vendor answers this failure without a body.
    pub body: Option<Value>,
}

// The tables a value may be one of several shapes of are read by hand: serde's untagged enums
// say only that the value `did not match any variant`, where an author needs the shapes taken.

/// The refusal of `found`, which is none of the shapes `expected` lists.
fn none_of<E: serde::de::Error>(found: &Value, expected: &str) -> E {
    E::custom(shown(found) + ": expected " + expected)
}

/// A value as a mapping file writes it, for a refusal that names it (`"ulid"`, `5`, a table).
fn shown(found: &Value) -> String {
    match found {
        Value::String(_) | Value::Number(_) | Value::Bool(_) => format!("`{found}`"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a table".into(),
        Value::Null => "nothing".into(),
    }
}

/// A value that a serde type reads, from a value already read whole.
fn read_as<T: serde::de::DeserializeOwned>(value: Value) -> Option<T> {
    serde_json::from_value(value).ok()
}

impl<'de> Deserialize<'de> for FormatSection {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const EXPECTED: &str = "`uuid`, `integer`, `token` or `{ pattern = \"REGEX\" }`";
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Pattern {
            pattern: String,
        }
        let value = Value::deserialize(d)?;
        if value.is_string() {
            return read_as(value.clone())
                .map(FormatSection::Named)
                .ok_or_else(|| none_of(&value, EXPECTED));
        }
        // A table alone: serde would read a struct from a list too (`["uuid"]`).
        Some(value.clone())
            .filter(Value::is_object)
            .and_then(read_as::<Pattern>)
            .map(|p| FormatSection::Pattern { pattern: p.pattern })
            .ok_or_else(|| none_of(&value, EXPECTED))
    }
}

impl<'de> Deserialize<'de> for LinkEndSection {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const EXPECTED: &str = "the parameter's text on the last page (`\"false\"`), or `{ last = \"TEXT\", more = \"TEXT\" }`";
        let value = Value::deserialize(d)?;
        match &value {
            Value::String(last) => Ok(LinkEndSection::Last(last.clone())),
            Value::Object(_) => read_as(value.clone())
                .map(LinkEndSection::Both)
                .ok_or_else(|| none_of(&value, EXPECTED)),
            _ => Err(none_of(&value, EXPECTED)),
        }
    }
}

impl<'de> Deserialize<'de> for IdHeaderSection {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const EXPECTED: &str = "a template (`\"{{id}}\"`, `\"/v2/webhooks/{{id}}\"`), or `{ path = \"/v2/webhooks/{{id}}\", absolute = true }`";
        let value = Value::deserialize(d)?;
        match &value {
            Value::String(text) => Ok(IdHeaderSection::Template(text.clone())),
            Value::Object(_) => read_as(value.clone())
                .map(IdHeaderSection::Path)
                .ok_or_else(|| none_of(&value, EXPECTED)),
            _ => Err(none_of(&value, EXPECTED)),
        }
    }
}

impl<'de> Deserialize<'de> for UpsertSection {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const EXPECTED: &str = "`true`, `false`, `\"given_id\"` or `\"new_id\"`";
        let value = Value::deserialize(d)?;
        match &value {
            Value::Bool(flag) => Ok(UpsertSection::Flag(*flag)),
            _ => read_as(value.clone())
                .map(UpsertSection::Named)
                .ok_or_else(|| none_of(&value, EXPECTED)),
        }
    }
}

impl<'de> Deserialize<'de> for Words {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const EXPECTED: &str = "a word (`\"asc\"`) or a list of words (`[\"asc\", \"ASC\"]`)";
        let value = Value::deserialize(d)?;
        match &value {
            Value::String(word) => Ok(Words::One(word.clone())),
            _ => read_as(value.clone())
                .map(Words::Several)
                .ok_or_else(|| none_of(&value, EXPECTED)),
        }
    }
}
