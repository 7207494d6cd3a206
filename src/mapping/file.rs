//! The mapping file as written: serde structures of the TOML, before validation.
//!
//! Unknown keys are refused here (`deny_unknown_fields`) so that a typo in a mapping file is
//! reported with its key instead of being silently ignored.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

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
    pub operations: BTreeMap<String, OperationSection>,
    pub errors: ErrorsSection,
    /// Example bodies round-tripped by `hookgate check`.
    #[serde(default)]
    pub examples: Vec<Value>,
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
    #[serde(default = "default_auth")]
    pub auth: String,
    /// Headers added to every response of this dialect's surface.
    #[serde(default)]
    pub response_headers: BTreeMap<String, String>,
}

fn default_auth() -> String {
    "bearer".into()
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmulatorSection {
    pub id: Option<String>,
    pub timestamps: Option<String>,
    pub secret: Option<String>,
    #[serde(default)]
    pub extensions: serde_json::Map<String, Value>,
    pub max_webhooks: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSection {
    pub path: Option<String>,
    pub codec: Option<Value>,
    #[serde(rename = "in")]
    pub in_: Option<Vec<String>>,
    pub on: Option<Vec<String>>,
    pub implied: Option<Value>,
    #[serde(default)]
    pub required: bool,
    pub fill: Option<Value>,
    #[serde(default)]
    pub fill_when: BTreeMap<String, Value>,
    pub default: Option<Value>,
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
    pub min: Option<i64>,
    pub max: Option<i64>,
    #[serde(default)]
    pub unique_per_owner: bool,
    #[serde(default)]
    pub messages: BTreeMap<String, String>,
    /// Free text for readers of the file.
    #[allow(dead_code)]
    pub note: Option<String>,
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationSection {
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    pub body: Option<Value>,
    pub response: Option<Value>,
    pub status: Option<u16>,
    #[serde(default)]
    pub accept: Vec<String>,
    pub strategy: Option<String>,
    #[serde(default)]
    pub inferred: bool,
    pub note: Option<String>,
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
    #[serde(default)]
    pub render: BTreeMap<String, RenderSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldErrorsSection {
    pub path: String,
    pub form: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenderSection {
    pub status: Option<u16>,
    pub body: Value,
}
