//! The mapping language: one declarative file per vendor dialect, compiled once at load.
//!
//! [`load_dir`] reads every `*.toml` in a folder and compiles it into a [`Dialect`]: paths parsed
//! ([`path`]), codecs checked ([`codec`]), envelopes compiled ([`template`]), field rules
//! ([`rules`]) and error envelopes ([`errors`]) validated. Every problem found is reported with
//! its file and key, all at once. The language is documented for users in `mappings/README.md`.

pub mod codec;
pub mod errors;
mod file;
pub mod path;
pub mod reader;
pub mod rules;
pub mod template;

use crate::canonical::{self, Field, OpKind};
use crate::problem::Code;
use codec::Codec;
use errors::{ErrorMap, Form, Render};
use file::{FieldSection, MappingFile, OperationSection};
use http::Method;
use path::FieldPath;
use reader::Reader;
use rules::{Check, Derivation, Derived, ObjectMap, Ops, Rule, Target};
use serde_json::Value;
use sha2::Digest;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use template::Template;

/// One problem in one mapping file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingError {
    pub file: PathBuf,
    pub key: String,
    pub message: String,
}

impl fmt::Display for MappingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file.display(), self.key, self.message)
    }
}

/// One segment of an operation's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSeg {
    Literal(String),
    Owner,
    Id,
}

/// `/agents/{owner}/webhooks/{id}`, split once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathTemplate {
    pub segments: Vec<PathSeg>,
}

impl PathTemplate {
    fn parse(text: &str) -> Result<PathTemplate, String> {
        let mut segments = Vec::new();
        for part in text.split('/').filter(|s| !s.is_empty()) {
            segments.push(match part {
                "{owner}" => PathSeg::Owner,
                "{id}" => PathSeg::Id,
                p if p.contains('{') || p.contains('}') => {
                    return Err(format!(
                        "unknown placeholder in `{p}`: only {{owner}} and {{id}} exist"
                    ));
                }
                p => PathSeg::Literal(p.to_owned()),
            });
        }
        Ok(PathTemplate { segments })
    }

    pub fn has(&self, seg: &PathSeg) -> bool {
        self.segments.contains(seg)
    }

    /// Renders the path after `base` (the concatenation of its parts, without trailing
    /// slashes), with owner and id percent-encoded.
    pub fn render(&self, base: &[&str], owner: Option<&str>, id: Option<&str>) -> String {
        let mut out = String::with_capacity(base.iter().map(|b| b.len()).sum::<usize>() + 128);
        base.iter().for_each(|b| out.push_str(b));
        out.truncate(out.trim_end_matches('/').len());
        for seg in &self.segments {
            out.push('/');
            match seg {
                PathSeg::Literal(s) => out.push_str(s),
                PathSeg::Owner => push_segment(&mut out, owner.unwrap_or("")),
                PathSeg::Id => push_segment(&mut out, id.unwrap_or("")),
            }
        }
        out
    }

    /// Matches already-split, decoded request segments; returns (owner, id).
    pub fn matches(&self, parts: &[String]) -> Option<(Option<String>, Option<String>)> {
        if parts.len() != self.segments.len() {
            return None;
        }
        let (mut owner, mut id) = (None, None);
        for (seg, part) in self.segments.iter().zip(parts) {
            match seg {
                PathSeg::Literal(s) if s == part => {}
                PathSeg::Literal(_) => return None,
                PathSeg::Owner if names_something(part) => owner = Some(part.clone()),
                PathSeg::Id if names_something(part) => id = Some(part.clone()),
                _ => return None,
            }
        }
        Some((owner, id))
    }
}

/// Whether a decoded path segment can be an owner or an id: not empty, and not a dot segment,
/// which a vendor's server would resolve against the path (`/webhooks/..` is not a webhook).
fn names_something(part: &str) -> bool {
    !matches!(part, "" | "." | "..")
}

/// Percent-encodes one path segment (RFC 3986: all but unreserved characters).
pub fn encode_segment(s: &str) -> impl Iterator<Item = char> + '_ {
    percent_encoding::utf8_percent_encode(s, SEGMENT).flat_map(str::chars)
}

/// Appends one percent-encoded path segment.
pub fn push_segment(out: &mut String, s: &str) {
    percent_encoding::utf8_percent_encode(s, SEGMENT).for_each(|part| out.push_str(part));
}

/// Everything but RFC 3986 unreserved characters is escaped in a path segment.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// How an update reaches the vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// The vendor applies partial updates: send the changed fields.
    Merge,
    /// The vendor replaces what it is sent: read, merge, send changed top-level members whole.
    ReadMergeWrite,
}

/// One vendor operation.
#[derive(Debug, Clone)]
pub struct Operation {
    pub kind: OpKind,
    pub method: Method,
    pub path: PathTemplate,
    /// Vendor query parameter → template (`{{limit}}`, `{{cursor}}`).
    pub query: Vec<(String, Template)>,
    pub body: Option<Template>,
    /// Where the webhook sits in the request body (`{{webhook}}` in `body`).
    pub body_item_path: Option<FieldPath>,
    pub response: Option<Template>,
    pub status: u16,
    /// Where the webhook (or test result) sits in the vendor's answer, first match wins.
    pub item_paths: Vec<FieldPath>,
    /// The keys that lead to the item when it has exactly one place reachable by keys alone:
    /// the answer can then be read as it is parsed.
    pub item_keys: Option<Vec<String>>,
    /// Where a list's items sit.
    pub items_paths: Vec<FieldPath>,
    pub cursor_path: Option<FieldPath>,
    pub strategy: Strategy,
    /// The request body uses `{{current.*}}`: the webhook is read first.
    pub needs_current: bool,
    pub inferred: bool,
    pub note: Option<String>,
}

/// How an emulator of this dialect mints ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdStyle {
    Uuid,
    Integer,
    Prefixed(String),
}

#[derive(Debug, Clone)]
pub struct EmulatorSpec {
    pub ids: IdStyle,
    pub micros: bool,
    pub mints_secret: bool,
    pub extensions: serde_json::Map<String, Value>,
    pub max_webhooks: Option<usize>,
}

/// One compiled dialect.
#[derive(Debug, Clone)]
pub struct Dialect {
    pub name: String,
    pub title: String,
    pub docs: Option<String>,
    pub base_path: String,
    pub owner: Option<String>,
    pub bearer_auth: bool,
    pub response_headers: Vec<(http::HeaderName, Template)>,
    pub webhook: ObjectMap,
    pub test_result: ObjectMap,
    pub operations: Vec<Operation>,
    pub errors: ErrorMap,
    pub emulator: EmulatorSpec,
    pub examples: Vec<Value>,
    /// SHA-256 of the file's text: tells a reload whether the file changed.
    pub source_sha256: [u8; 32],
}

impl Dialect {
    pub fn operation(&self, kind: OpKind) -> Option<&Operation> {
        self.operations.iter().find(|op| op.kind == kind)
    }

    /// Where the webhook in an answer to `op` can be read while the answer is parsed, and the
    /// reader to do it with: when it has one place, reachable by keys, which the failure flag
    /// does not lie inside (the flag is read from the rest of the answer).
    pub fn webhook_reader<'d>(&'d self, op: &'d Operation) -> Option<(&'d [String], Reader<'d>)> {
        use OpKind::*;
        if !matches!(op.kind, Get | Create | Update | Toggle | RotateSecret) {
            return None; // their items are lists or test results
        }
        let keys = op.item_keys.as_deref()?;
        let flag = self.errors.flag.as_ref();
        if flag.is_some_and(|f| op.item_paths.iter().any(|p| f.starts_with(p))) {
            return None;
        }
        Some((keys, self.webhook.reader()?))
    }

    pub fn has_owner(&self) -> bool {
        self.owner.is_some()
    }

    /// Canonical webhook fields that requests to this dialect can carry.
    pub fn writable_fields(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .webhook
            .rules
            .iter()
            .filter(|r| r.request && r.path.is_some())
            .map(|r| r.target.name())
            .collect();
        out.dedup();
        out
    }

    /// Loads and compiles one mapping file.
    pub fn load(file: &Path) -> Result<Dialect, Vec<MappingError>> {
        let name = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let err = |key: &str, message: String| {
            vec![MappingError {
                file: file.to_owned(),
                key: key.to_owned(),
                message,
            }]
        };
        let text = std::fs::read_to_string(file).map_err(|e| err("(file)", e.to_string()))?;
        Dialect::compile(&name, file, &text)
    }

    /// Compiles mapping text; `file` only names the source in errors.
    pub fn compile(name: &str, file: &Path, text: &str) -> Result<Dialect, Vec<MappingError>> {
        let raw: MappingFile = toml::from_str(text).map_err(|e| {
            vec![MappingError {
                file: file.to_owned(),
                key: toml_position(text, &e),
                message: e.message().to_owned(),
            }]
        })?;
        let mut cx = Compiler {
            file,
            errors: Vec::new(),
        };
        let mut dialect = cx.dialect(name, raw);
        dialect.source_sha256 = sha2::Sha256::digest(text.as_bytes()).into();
        if cx.errors.is_empty() {
            Ok(dialect)
        } else {
            Err(cx.errors)
        }
    }
}

/// `line L, column C` of a TOML error, the key a syntax or schema error can be given.
fn toml_position(text: &str, e: &toml::de::Error) -> String {
    match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            format!("line {line}, column {column}")
        }
        None => "(file)".into(),
    }
}

struct Compiler<'a> {
    file: &'a Path,
    errors: Vec<MappingError>,
}

impl Compiler<'_> {
    fn error(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.errors.push(MappingError {
            file: self.file.to_owned(),
            key: key.into(),
            message: message.into(),
        });
    }

    fn path(&mut self, key: &str, text: &str) -> Option<FieldPath> {
        match FieldPath::parse(text) {
            Ok(p) => Some(p),
            Err(e) => {
                self.error(key, format!("`{text}`: {e}"));
                None
            }
        }
    }

    fn paths(&mut self, key: &str, texts: &[String]) -> Vec<FieldPath> {
        texts.iter().filter_map(|t| self.path(key, t)).collect()
    }

    fn template(&mut self, key: &str, value: &Value) -> Option<Template> {
        match Template::compile(value) {
            Ok(t) => Some(t),
            Err(e) => {
                self.error(key, e);
                None
            }
        }
    }

    fn dialect(&mut self, name: &str, raw: MappingFile) -> Dialect {
        let bearer_auth = match raw.dialect.auth.as_str() {
            "bearer" => true,
            "none" => false,
            other => {
                self.error(
                    "dialect.auth",
                    format!("`{other}`: expected `bearer` or `none`"),
                );
                false
            }
        };
        let response_headers = raw
            .dialect
            .response_headers
            .iter()
            .filter_map(|(k, v)| {
                let key = format!("dialect.response_headers.{k}");
                let name = match http::HeaderName::try_from(k.as_str()) {
                    Ok(n) => n,
                    Err(_) => {
                        self.error(&key, "not a valid header name");
                        return None;
                    }
                };
                let t = self.template(&key, &Value::from(v.as_str()))?;
                self.check_slots(&key, &t, ERROR_SLOTS);
                Some((name, t))
            })
            .collect();
        let webhook = self.object_map(
            "fields",
            &raw.fields,
            &raw.derived,
            canonical::WEBHOOK_FIELDS,
        );
        let test_result = self.object_map(
            "test_result",
            &raw.test_result,
            &BTreeMap::new(),
            canonical::TEST_RESULT_FIELDS,
        );
        let owner = raw.dialect.owner.clone();
        let mut operations = Vec::new();
        for (op_name, section) in &raw.operations {
            let key = format!("operations.{op_name}");
            let Some(kind) = OpKind::parse(op_name) else {
                let known: Vec<_> = OpKind::ALL
                    .iter()
                    .map(|o| o.name().replace('-', "_"))
                    .collect();
                self.error(
                    &key,
                    format!("unknown operation; expected one of: {}", known.join(", ")),
                );
                continue;
            };
            if let Some(op) = self.operation(&key, kind, section, owner.is_some()) {
                operations.push(op);
            }
        }
        for required in [OpKind::Get] {
            if !operations.iter().any(|o| o.kind == required) {
                self.error(
                    "operations",
                    format!(
                        "`{}` is required: updates and tests read the webhook",
                        required.name()
                    ),
                );
            }
        }
        let errors = self.errors_map(&raw.errors, &webhook);
        let emulator = self.emulator(&raw.emulator);
        // An example may be written as JSON text, for bodies TOML cannot spell (`null`).
        let examples = raw
            .examples
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e {
                Value::String(text) => match serde_json::from_str(text) {
                    Ok(v) => Some(v),
                    Err(err) => {
                        self.error(format!("examples[{i}]"), format!("not JSON: {err}"));
                        None
                    }
                },
                other => Some(other.clone()),
            })
            .collect();
        Dialect {
            name: name.to_owned(),
            title: raw.dialect.title.unwrap_or_else(|| name.to_owned()),
            docs: raw.dialect.docs,
            base_path: raw.dialect.base_path.trim_end_matches('/').to_owned(),
            owner,
            bearer_auth,
            response_headers,
            webhook,
            test_result,
            operations,
            errors,
            emulator,
            examples,
            source_sha256: [0; 32],
        }
    }

    fn object_map(
        &mut self,
        table: &str,
        fields: &BTreeMap<String, FieldSection>,
        derived: &BTreeMap<String, file::DerivedSection>,
        table_fields: &'static [Field],
    ) -> ObjectMap {
        let lookup = |name: &str| table_fields.iter().find(|f| f.name == name);
        let mut rules = Vec::new();
        for (name, section) in fields {
            let key = format!("{table}.{name}");
            let target = match name.strip_prefix("extensions.") {
                Some(ext) if !ext.is_empty() => Target::Extension(ext.to_owned()),
                _ => match lookup(name) {
                    Some(field) if field.name != "extensions" => Target::Field(field),
                    _ => {
                        self.error(&key, "not a canonical field (see the canonical model in mappings/README.md); vendor-only fields go under `extensions.NAME`");
                        continue;
                    }
                },
            };
            if let Some(rule) = self.rule(&key, target, section) {
                rules.push(rule);
            }
        }
        // Two rules writing one vendor member would make a request ambiguous.
        for (i, a) in rules.iter().enumerate() {
            for b in &rules[..i] {
                if let (Some(pa), Some(pb)) = (&a.path, &b.path) {
                    let overlap = pa.starts_with(pb) || pb.starts_with(pa);
                    if overlap && a.request && b.request && a.ops.create == b.ops.create {
                        self.errors.push(MappingError {
                            file: self.file.to_owned(),
                            key: format!("{table}.{}", a.target.name()),
                            message: format!(
                                "writes `{pa}`, which `{table}.{}` also writes",
                                b.target.name()
                            ),
                        });
                    }
                }
            }
        }
        let mut derived_values = Vec::new();
        for (name, section) in derived {
            let key = format!("derived.{name}");
            let Some(path) = self.path(&format!("{key}.path"), &section.path) else {
                continue;
            };
            let derivation = match (&section.count, &section.present) {
                (Some(f), None) if canonical::webhook_field(f).is_some() => {
                    Derivation::Count(f.clone())
                }
                (None, Some(f)) if canonical::webhook_field(f).is_some() => {
                    Derivation::Present(f.clone())
                }
                _ => {
                    self.error(
                        &key,
                        "needs exactly one of `count` or `present`, naming a canonical field",
                    );
                    continue;
                }
            };
            derived_values.push(Derived { path, derivation });
        }
        ObjectMap::new(rules, derived_values, table_fields)
    }

    fn rule(&mut self, key: &str, target: Target, s: &FieldSection) -> Option<Rule> {
        let path = match (&s.path, &s.implied) {
            (Some(p), None) => Some(self.path(&format!("{key}.path"), p)?),
            (None, Some(_)) => None,
            _ => {
                self.error(key, "needs exactly one of `path` or `implied`");
                return None;
            }
        };
        let codec = match &s.codec {
            None => Codec::Identity,
            Some(v) => match compile_codec(v) {
                Ok(c) => c,
                Err(e) => {
                    self.error(format!("{key}.codec"), e);
                    return None;
                }
            },
        };
        let (mut request, mut response) = (true, true);
        if let Some(list) = &s.in_ {
            request = false;
            response = false;
            for item in list {
                match item.as_str() {
                    "request" => request = true,
                    "response" => response = true,
                    other => self.error(
                        format!("{key}.in"),
                        format!("`{other}`: expected `request` or `response`"),
                    ),
                }
            }
        }
        let mut ops = Ops {
            create: true,
            update: true,
        };
        if let Some(list) = &s.on {
            ops = Ops {
                create: false,
                update: false,
            };
            for item in list {
                match item.as_str() {
                    "create" => ops.create = true,
                    "update" => ops.update = true,
                    other => self.error(
                        format!("{key}.on"),
                        format!("`{other}`: expected `create` or `update`"),
                    ),
                }
            }
        }
        let fill = match &s.fill {
            Some(value) => {
                let when = s
                    .fill_when
                    .iter()
                    .filter_map(|(p, v)| {
                        Some((self.path(&format!("{key}.fill_when"), p)?, v.clone()))
                    })
                    .collect();
                Some((value.clone(), when))
            }
            None => None,
        };
        let mut checks = Vec::new();
        if s.required {
            checks.push(Check::Required);
        }
        if s.url {
            checks.push(Check::Url);
        }
        if s.https {
            checks.push(Check::Https);
        }
        if let Some(n) = s.min_length {
            checks.push(Check::MinLength(n));
        }
        if let Some(n) = s.max_length {
            checks.push(Check::MaxLength(n));
        }
        if s.min_items.is_some() || s.max_items.is_some() {
            checks.push(Check::Items {
                min: s.min_items,
                max: s.max_items,
            });
        }
        if s.unique_items {
            checks.push(Check::UniqueItems);
        }
        if let Some(list) = &s.one_of {
            checks.push(Check::OneOf(list.clone()));
        }
        if s.min.is_some() || s.max.is_some() {
            checks.push(Check::Range {
                min: s.min,
                max: s.max,
            });
        }
        let known: Vec<&str> = checks.iter().map(Check::key).collect();
        for message_key in s.messages.keys() {
            if !known.contains(&message_key.as_str()) && message_key != "unique_per_owner" {
                self.error(
                    format!("{key}.messages.{message_key}"),
                    format!("no such check on this field; it has: {}", known.join(", ")),
                );
            }
        }
        let error_field = s
            .error_field
            .clone()
            .or_else(|| path.as_ref().map(ToString::to_string))
            .unwrap_or_else(|| target.name());
        Some(Rule {
            target,
            path,
            codec,
            request,
            response,
            ops,
            implied: s.implied.clone(),
            fill,
            default: s.default.clone(),
            nullable: s.nullable,
            error_field,
            checks,
            messages: s.messages.clone().into_iter().collect(),
            unique_per_owner: s.unique_per_owner,
        })
    }

    fn operation(
        &mut self,
        key: &str,
        kind: OpKind,
        s: &OperationSection,
        has_owner: bool,
    ) -> Option<Operation> {
        let method = match Method::from_bytes(s.method.to_ascii_uppercase().as_bytes()) {
            Ok(m) => m,
            Err(_) => {
                self.error(
                    format!("{key}.method"),
                    format!("`{}` is not an HTTP method", s.method),
                );
                return None;
            }
        };
        let path = match PathTemplate::parse(&s.path) {
            Ok(p) => p,
            Err(e) => {
                self.error(format!("{key}.path"), e);
                return None;
            }
        };
        if kind.has_id() != path.has(&PathSeg::Id) {
            let want = if kind.has_id() {
                "must contain {id}"
            } else {
                "must not contain {id}"
            };
            self.error(format!("{key}.path"), format!("`{}` {want}", s.path));
        }
        if has_owner != path.has(&PathSeg::Owner) {
            let want = if has_owner {
                "must contain {owner}: the dialect declares an owner scope"
            } else {
                "must not contain {owner}: the dialect declares no owner scope (dialect.owner)"
            };
            self.error(format!("{key}.path"), format!("`{}` {want}", s.path));
        }
        let query = s
            .query
            .iter()
            .filter_map(|(param, text)| {
                let qkey = format!("{key}.query.{param}");
                let t = self.template(&qkey, &Value::from(text.as_str()))?;
                self.check_slots(&qkey, &t, &["limit", "cursor"]);
                Some((param.clone(), t))
            })
            .collect();
        let body = s
            .body
            .as_ref()
            .and_then(|b| self.template(&format!("{key}.body"), b));
        let response = s
            .response
            .as_ref()
            .and_then(|b| self.template(&format!("{key}.response"), b));
        let item_slot = match kind {
            OpKind::List => "items",
            OpKind::Test => "result",
            _ => "webhook",
        };
        if let Some(b) = &body {
            let allowed: &[&str] = if matches!(kind, OpKind::Create | OpKind::Update) {
                &["webhook"]
            } else {
                &[]
            };
            for slot in b.slots() {
                if !allowed.contains(&slot) && !slot.starts_with("current.") {
                    self.error(
                        format!("{key}.body"),
                        format!("unknown placeholder `{{{{{slot}}}}}`"),
                    );
                } else if let Some(field) = slot.strip_prefix("current.")
                    && canonical::webhook_field(field).is_none()
                {
                    self.error(
                        format!("{key}.body"),
                        format!("`{{{{{slot}}}}}` names no canonical field"),
                    );
                }
            }
        }
        let mut item_paths = Vec::new();
        let mut items_paths = Vec::new();
        let mut cursor_path = None;
        if let Some(r) = &response {
            let allowed = [
                "webhook",
                "items",
                "result",
                "count",
                "limit",
                "next_cursor",
                "request_id",
                "operation",
            ];
            for slot in r.slots() {
                if !allowed.contains(&slot) && !slot.starts_with("webhook.") {
                    self.error(
                        format!("{key}.response"),
                        format!("unknown placeholder `{{{{{slot}}}}}`"),
                    );
                }
            }
            match r.path_of(item_slot) {
                Some(p) if kind == OpKind::List => items_paths.push(p),
                Some(p) => item_paths.push(p),
                None if matches!(kind, OpKind::Delete) => {}
                None => self.error(
                    format!("{key}.response"),
                    format!("must place `{{{{{item_slot}}}}}`"),
                ),
            }
            cursor_path = r.path_of("next_cursor");
        } else if s.response.is_none() && !matches!(kind, OpKind::Delete) {
            // A template that is present but failed to compile was reported already.
            self.error(key, "needs a `response` template");
        }
        // Alternatives are tried first: the template's own path may be the root, which
        // every answer has.
        let accepted = self.paths(&format!("{key}.accept"), &s.accept);
        let paths = if kind == OpKind::List {
            &mut items_paths
        } else {
            &mut item_paths
        };
        paths.splice(0..0, accepted);
        let strategy = match s.strategy.as_deref() {
            None | Some("merge") => Strategy::Merge,
            Some("read_merge_write") => Strategy::ReadMergeWrite,
            Some(other) => {
                self.error(
                    format!("{key}.strategy"),
                    format!("`{other}`: expected `merge` or `read_merge_write`"),
                );
                Strategy::Merge
            }
        };
        let needs_current = body
            .as_ref()
            .is_some_and(|b| b.slots().iter().any(|s| s.starts_with("current.")));
        let item_keys = match item_paths.as_slice() {
            [one] => one.keys(),
            _ => None,
        };
        Some(Operation {
            kind,
            method,
            path,
            query,
            body_item_path: body.as_ref().and_then(|b| b.path_of("webhook")),
            body,
            response,
            status: s.status.unwrap_or(200),
            item_paths,
            item_keys,
            items_paths,
            cursor_path,
            strategy,
            needs_current,
            inferred: s.inferred,
            note: s.note.clone(),
        })
    }

    fn check_slots(&mut self, key: &str, t: &Template, allowed: &[&str]) {
        for slot in t.slots() {
            if !allowed.contains(&slot) {
                self.error(
                    key,
                    format!(
                        "unknown placeholder `{{{{{slot}}}}}`; expected one of: {}",
                        allowed.join(", ")
                    ),
                );
            }
        }
    }

    fn errors_map(&mut self, s: &file::ErrorsSection, webhook: &ObjectMap) -> ErrorMap {
        let _ = webhook;
        let flag = s.flag.as_ref().and_then(|f| self.path("errors.flag", f));
        let message = self.paths("errors.message", &s.message);
        let code = self.paths("errors.code", &s.code);
        let request_id = self.paths("errors.request_id", &s.request_id);
        let mut field_errors = Vec::new();
        for (i, fe) in s.field_errors.iter().enumerate() {
            let key = format!("errors.field_errors[{i}]");
            let path = self.path(&format!("{key}.path"), &fe.path);
            let form = Form::parse(&fe.form);
            if form.is_none() {
                self.error(
                    format!("{key}.form"),
                    format!("`{}`: expected `lists`, `strings` or `param`", fe.form),
                );
            }
            if let (Some(p), Some(f)) = (path, form) {
                field_errors.push((p, f));
            }
        }
        let mut codes = Vec::new();
        for (vendor, canonical) in &s.codes {
            match Code::parse(canonical) {
                Some(c) => codes.push((vendor.clone(), c)),
                None => self.error(
                    format!("errors.codes.{vendor}"),
                    format!("`{canonical}` is not a canonical problem code"),
                ),
            }
        }
        let mut render = Vec::new();
        let mut default_render = None;
        for (name, section) in &s.render {
            let key = format!("errors.render.{name}");
            let Some(body) = self.template(&format!("{key}.body"), &section.body) else {
                continue;
            };
            self.check_slots(&format!("{key}.body"), &body, ERROR_SLOTS);
            let r = Render {
                status: section.status,
                body,
            };
            if name == "default" {
                default_render = Some(r);
            } else {
                match Code::parse(name) {
                    Some(c) => render.push((c, r)),
                    None => self.error(&key, "not a canonical problem code (or `default`)"),
                }
            }
        }
        let default_render = default_render.unwrap_or_else(|| {
            self.error(
                "errors.render.default",
                "is required: how this vendor spells an error it has no template for",
            );
            Render {
                status: None,
                body: Template::Literal(Value::Null),
            }
        });
        ErrorMap {
            flag,
            message,
            code,
            request_id,
            field_errors,
            codes,
            render,
            default_render,
        }
    }

    fn emulator(&mut self, s: &file::EmulatorSection) -> EmulatorSpec {
        let ids = match s.id.as_deref() {
            None | Some("uuid") => IdStyle::Uuid,
            Some("integer") => IdStyle::Integer,
            Some(p) if p.starts_with("prefix:") => {
                IdStyle::Prefixed(p["prefix:".len()..].to_owned())
            }
            Some(other) => {
                self.error(
                    "emulator.id",
                    format!("`{other}`: expected `uuid`, `integer` or `prefix:TEXT`"),
                );
                IdStyle::Uuid
            }
        };
        let micros = match s.timestamps.as_deref() {
            None | Some("seconds") => false,
            Some("micros") => true,
            Some(other) => {
                self.error(
                    "emulator.timestamps",
                    format!("`{other}`: expected `seconds` or `micros`"),
                );
                false
            }
        };
        let mints_secret = match s.secret.as_deref() {
            None => false,
            Some("base64") => true,
            Some(other) => {
                self.error("emulator.secret", format!("`{other}`: expected `base64`"));
                false
            }
        };
        EmulatorSpec {
            ids,
            micros,
            mints_secret,
            extensions: s.extensions.clone(),
            max_webhooks: s.max_webhooks,
        }
    }
}

/// Placeholders an error template may use.
const ERROR_SLOTS: &[&str] = &[
    "message",
    "code",
    "status",
    "request_id",
    "errors",
    "field",
    "operation",
];

fn compile_codec(v: &Value) -> Result<Codec, String> {
    match v {
        Value::String(name) => match name.as_str() {
            "identity" => Ok(Codec::Identity),
            "int_string" => Ok(Codec::IntString),
            "single" => Ok(Codec::Single),
            "negate" => Ok(Codec::Negate),
            "empty_is_null" => Ok(Codec::EmptyIsNull),
            other => Err(format!(
                "`{other}`: expected identity, int_string, single, negate, empty_is_null, {{pairs}}, {{map}} or {{scale}}"
            )),
        },
        Value::Object(table) => {
            if let Some(pairs) = table.get("pairs") {
                let key = pairs
                    .get("key")
                    .and_then(Value::as_str)
                    .ok_or("`pairs` needs `key`")?;
                let value = pairs
                    .get("value")
                    .and_then(Value::as_str)
                    .ok_or("`pairs` needs `value`")?;
                return Ok(Codec::Pairs {
                    key: key.into(),
                    value: value.into(),
                });
            }
            if let Some(factor) = table.get("scale") {
                return match factor.as_i64() {
                    Some(f) if f != 0 => Ok(Codec::Scale(f)),
                    _ => Err("`scale` must be a non-zero integer".into()),
                };
            }
            if let Some(Value::Object(map)) = table.get("map") {
                let forward = map
                    .iter()
                    .map(|(k, v)| (Value::from(k.as_str()), v.clone()))
                    .collect();
                let reverse = match table.get("reverse") {
                    Some(Value::Object(rev)) => {
                        Some(rev.iter().map(|(k, v)| (parse_key(k), v.clone())).collect())
                    }
                    Some(_) => return Err("`reverse` must be a table".into()),
                    None => None,
                };
                return Codec::value_map(forward, reverse);
            }
            Err("a codec table needs `pairs`, `map` or `scale`".into())
        }
        _ => Err("a codec is a name or a table".into()),
    }
}

/// A `reverse` table's keys are canonical values written as TOML keys: `"true"` is `true`.
fn parse_key(k: &str) -> Value {
    serde_json::from_str(k).unwrap_or_else(|_| Value::from(k))
}

/// Loads every `*.toml` in `dir`, sorted by name, gathering every problem of every file.
pub fn load_dir(dir: &Path) -> Result<Vec<Dialect>, Vec<MappingError>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        vec![MappingError {
            file: dir.to_owned(),
            key: "(folder)".into(),
            message: e.to_string(),
        }]
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut dialects = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        match Dialect::load(&file) {
            Ok(d) => dialects.push(d),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(dialects)
    } else {
        Err(errors)
    }
}
