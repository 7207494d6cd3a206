//! The compiler: a mapping file's text into a [`Dialect`], with every problem found reported
//! with its file and key, all at once (TOML syntax and schema errors stop at the first one in a
//! file, since nothing after them can be read reliably).

use super::MappingError;
use super::checks::{Check, Pattern};
use super::codec::Codec;
use super::errors::{ErrorMap, Form, ItemForm, Render};
use super::file::{self, FieldSection, MappingFile, OperationName, OperationSection};
use super::flags::Flags;
use super::json_path::FieldPath;
use super::model::{
    ClientAuth, Dialect, EmulatorSpec, Endpoint, FollowUp, IdStyle, MemberCheck, Ordering, Paging,
    Resource, ResourceEndpoint, Role, SecretMint, Strategy,
};
use super::rules::{Derivation, Derived, ObjectMap, Ops, Rule, Target};
use super::template::Template;
use super::url::{Format, PathSeg, PathTemplate};
use crate::model::{self, Action, Field};
use crate::problem::Code;
use http::Method;
use serde_json::Value;
use sha2::Digest;
use std::collections::BTreeMap;
use std::path::Path;

/// The most path segments an owner may be: a repository under its account is two, a
/// group path a few more.
const MAX_OWNER_SEGMENTS: usize = 8;

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

/// Placeholders a success envelope may use (and `webhook.FIELD`).
const RESPONSE_SLOTS: &[&str] = &[
    "webhook",
    "items",
    "result",
    "count",
    "limit",
    "next_cursor",
    "done",
    "has_more",
    "request_id",
    "operation",
];

struct Compiler<'a> {
    file: &'a Path,
    errors: Vec<MappingError>,
}

/// Where an operation's answer holds what it answers with.
#[derive(Default)]
struct AnswerPaths {
    /// The webhook (or a test's result).
    item_paths: Vec<FieldPath>,
    /// A list's items.
    items_paths: Vec<FieldPath>,
    /// A list page's cursor and end flags.
    cursor_path: Option<FieldPath>,
    done_path: Option<FieldPath>,
    more_path: Option<FieldPath>,
}

impl AnswerPaths {
    /// Where the operation's own item is read: a list's items, else the item.
    fn read_at(&mut self, action: Action) -> &mut Vec<FieldPath> {
        if action == Action::List {
            &mut self.items_paths
        } else {
            &mut self.item_paths
        }
    }
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

    fn format(&mut self, key: &str, f: &Option<file::FormatSection>) -> Option<Format> {
        Some(match f.as_ref()? {
            file::FormatSection::Named(file::FormatName::Uuid) => Format::Uuid,
            file::FormatSection::Named(file::FormatName::Integer) => Format::Integer,
            file::FormatSection::Named(file::FormatName::Token) => Format::Token,
            file::FormatSection::Pattern { pattern } => match Format::pattern(pattern) {
                Ok(f) => f,
                Err(e) => {
                    self.error(key, e);
                    return None;
                }
            },
        })
    }

    fn method(&mut self, key: &str, text: &str) -> Option<Method> {
        match Method::from_bytes(text.to_ascii_uppercase().as_bytes()) {
            Ok(m) => Some(m),
            Err(_) => {
                self.error(key, format!("`{text}` is not an HTTP method"));
                None
            }
        }
    }

    /// A path template, checked against the placeholders it must and must not have; its
    /// `{owner}` stands for `owner_span` segments (0: the dialect has no owner scope).
    fn path_template(
        &mut self,
        key: &str,
        text: &str,
        with_id: Option<bool>,
        owner_span: usize,
    ) -> Option<PathTemplate> {
        let path = match PathTemplate::parse(text) {
            Ok(p) => p,
            Err(e) => {
                self.error(key, e);
                return None;
            }
        };
        // `None`: the id may stand elsewhere (checked by the caller).
        match with_id {
            Some(true) if !path.has(&PathSeg::Id) => {
                self.error(key, format!("`{text}` must contain {{id}}"));
            }
            Some(false) if path.has(&PathSeg::Id) => {
                self.error(key, format!("`{text}` must not contain {{id}}"));
            }
            _ => {}
        }
        // Where an owner scope's owner goes (the path, a query parameter, a create's body, or
        // nowhere for a webhook found by its id alone) is checked once the whole file is known.
        if owner_span == 0 && path.has(&PathSeg::Owner) {
            self.error(
                key,
                format!(
                    "`{text}` must not contain {{owner}}: the dialect declares no owner scope (dialect.owner)"
                ),
            );
        }
        Some(path.spanning_owner(owner_span.max(1)))
    }

    /// How request bodies are written: `None` for JSON, else a form's spelling of arrays.
    fn form(&mut self, d: &file::DialectSection) -> Option<crate::form::Arrays> {
        use crate::form::Arrays;
        let arrays = d.form_arrays.map(|a| match a {
            file::FormArraysName::Indexed => Arrays::Indexed,
            file::FormArraysName::Brackets => Arrays::Brackets,
            file::FormArraysName::Repeated => Arrays::Repeated,
        });
        match d.request_body {
            file::RequestBodyName::Form => Some(arrays.unwrap_or_default()),
            file::RequestBodyName::Json => {
                if arrays.is_some() {
                    self.error(
                        "dialect.form_arrays",
                        "request bodies are JSON: `form_arrays` needs `request_body = \"form\"`",
                    );
                }
                None
            }
        }
    }

    /// How many path segments an owner is (`dialect.owner_segments`, 1 by default); 0 where
    /// the dialect has no owner scope.
    fn owner_span(&mut self, d: &file::DialectSection) -> usize {
        match (&d.owner, d.owner_segments) {
            (None, None) => 0,
            (Some(_), None) => 1,
            (Some(_), Some(n @ 1..=MAX_OWNER_SEGMENTS)) => n,
            (Some(_), Some(n)) => {
                self.error(
                    "dialect.owner_segments",
                    format!("{n}: an owner is 1 to {MAX_OWNER_SEGMENTS} path segments"),
                );
                1
            }
            (None, Some(_)) => {
                self.error(
                    "dialect.owner_segments",
                    "the dialect declares no owner scope (dialect.owner)",
                );
                0
            }
        }
    }

    /// A whole file: its sections in the order `mappings/README.md` documents them, each
    /// compiled by a function of its own.
    fn dialect(&mut self, name: &str, raw: MappingFile) -> Dialect {
        let d = &raw.dialect;
        let client_auth = self.client_auth(d.auth.as_ref());
        let idempotency_key = d.idempotency_key.as_ref().and_then(|h| {
            http::HeaderName::try_from(h.as_str())
                .map_err(|_| self.error("dialect.idempotency_key", "not a valid header name"))
                .ok()
        });
        let response_headers = self.response_headers(&d.response_headers);
        let media_type = d
            .media_type
            .as_deref()
            .and_then(|text| self.json_media_type("dialect.media_type", text))
            .unwrap_or_else(|| http::HeaderValue::from_static("application/json"));
        let owner_format = self.format("dialect.owner_format", &d.owner_format);
        let id_format = self.format("dialect.id_format", &d.id_format);
        if owner_format.is_some() && d.owner.is_none() {
            self.error(
                "dialect.owner_format",
                "the dialect declares no owner scope (dialect.owner)",
            );
        }
        let webhook = self.object_map("fields", &raw.fields, &raw.derived, model::WEBHOOK_FIELDS);
        let test_result = self.object_map(
            "test_result",
            &raw.test_result,
            &BTreeMap::new(),
            model::TEST_RESULT_FIELDS,
        );
        let owner_span = self.owner_span(d);
        let form = self.form(d);
        let resources: Vec<Resource> = raw
            .resources
            .iter()
            .filter_map(|(rname, section)| self.resource(rname, section, owner_span))
            .collect();
        let operations = self.operations(&raw.operations, owner_span, &resources);
        if form.is_some() {
            for e in operations.iter().filter(|e| e.content_type.is_some()) {
                self.error(
                    format!("operations.{}.content_type", e.name()),
                    "request bodies are forms (`request_body = \"form\"`)",
                );
            }
            for e in operations
                .iter()
                .filter(|e| e.strategy == Strategy::JsonPatch)
            {
                self.error(
                    format!("operations.{}.strategy", e.name()),
                    "a JSON Patch is JSON: request bodies are forms (`request_body = \"form\"`)",
                );
            }
        }
        let errors = self.errors_map(&raw.errors, &media_type);
        let emulator = self.emulator(&raw.emulator);
        let examples = self.examples(&raw.examples);
        // The documented webhook shows the order the vendor writes its members in.
        let mut webhook = webhook;
        if let Some(example) = examples.first() {
            webhook.follow(example);
        }
        let dialect = Dialect {
            name: name.to_owned(),
            title: raw.dialect.title.unwrap_or_else(|| name.to_owned()),
            docs: raw.dialect.docs,
            base_path: raw.dialect.base_path.trim_end_matches('/').to_owned(),
            owner: raw.dialect.owner,
            owner_segments: owner_span.max(1),
            owner_format,
            // Alone or within text: a value no header can carry is refused before any call.
            in_headers: (
                operations.iter().any(|e| e.sends_in_header("owner")),
                operations.iter().any(|e| e.sends_in_header("id")),
            ),
            id_format,
            client_auth,
            idempotency_key,
            body_idempotency_key: operations
                .iter()
                .find(|e| e.role == Role::Action(Action::Create))
                .and_then(|e| e.body.as_ref()?.path_of("idempotency_key")),
            body_required: raw.dialect.body_required,
            form_shapes: form.map(|_| form_shapes(&webhook)).unwrap_or_default(),
            form,
            media_type,
            response_headers,
            webhook,
            test_result,
            operations,
            resources,
            errors,
            emulator,
            examples,
            source_sha256: [0; 32],
        };
        if dialect.has_owner() {
            self.owner_places(&dialect);
        }
        if let Some(idempotency) = &dialect.idempotency_key {
            for e in &dialect.operations {
                if e.headers.iter().any(|(name, _)| name == idempotency) {
                    self.error(
                        format!("operations.{}.headers.{idempotency}", e.role.name()),
                        "hookgate writes this header itself: it is `dialect.idempotency_key`",
                    );
                }
            }
        }
        dialect
    }

    /// Where each call of an owner-scoped dialect names the owner: in its path (`{owner}`), a
    /// query parameter or a header (`{{owner}}`), a create also in its body (a `[fields.owner]`
    /// rule carried on create). A call on one webhook may name none, for a vendor that finds a
    /// webhook by its id alone; the gateway then confirms the owner before the call, which
    /// takes a `get` that either names the owner or answers with it.
    fn owner_places(&mut self, d: &Dialect) {
        let get = d.endpoint(Role::Action(Action::Get));
        let confirmable =
            get.is_some_and(|g| g.names_owner) || d.webhook.reading("owner").is_some();
        let unnamed =
            "names no owner: put {owner} in its path, or {{owner}} in a query parameter or header";
        // A webhook never moves between owners: a body names its owner on create only.
        if d.webhook.carries("owner", Action::Update) {
            self.error(
                "fields.owner",
                "a body names its owner on create only: say `on = [\"create\"]`, or `in = [\"response\"]`",
            );
        }
        for e in &d.operations {
            if e.names_owner {
                continue;
            }
            let key = format!("operations.{}.path", e.role.name());
            if e.upsert {
                // An unknown id is created under the owner asked for, which the call must name.
                self.error(
                    format!("operations.{}.upsert", e.role.name()),
                    format!("`{}` names no owner to create the webhook under", e.path),
                );
            }
            let path = &e.path;
            match e.role.action() {
                Action::List => self.error(key, format!("`{path}` {unnamed}")),
                Action::Create if d.webhook.carries("owner", Action::Create) => {}
                Action::Create => self.error(
                    key,
                    format!("`{path}` {unnamed}, or carry it in the body with a `[fields.owner]` rule"),
                ),
                _ if confirmable => {}
                _ => self.error(
                    key,
                    format!(
                        "`{path}` names no owner, and nothing confirms whose the webhook is: name {{owner}} in `get`, or read `owner` from its answer with a `[fields.owner]` rule"
                    ),
                ),
            }
        }
        for r in &d.resources {
            for (verb, e) in [
                ("get", &r.get),
                ("replace", &r.replace),
                ("update", &r.update),
            ] {
                if let Some(e) = e
                    && !e.path.has(&PathSeg::Owner)
                    && !confirmable
                {
                    self.error(
                        format!("resources.{}.{verb}.path", r.name),
                        format!(
                            "`{}` names no owner, and nothing confirms whose the webhook is: name {{owner}} in `operations.get`, or read `owner` from its answer with a `[fields.owner]` rule",
                            e.path
                        ),
                    );
                }
            }
        }
    }

    /// An operation's own request headers (`headers`): a literal value, the owner (`{{owner}}`)
    /// in an owner-scoped dialect, or the id (`{{id}}`) on an operation on one webhook. Headers that hookgate writes itself (the
    /// framing, the credential, the request id, the idempotency key) are not the file's to set.
    fn request_headers(
        &mut self,
        key: &str,
        action: Action,
        headers: &BTreeMap<String, String>,
        owned: bool,
    ) -> Vec<(http::HeaderName, Template)> {
        let mut slots = Vec::new();
        if owned {
            slots.push("owner");
        }
        if action.has_id() {
            slots.push("id");
        }
        headers
            .iter()
            .filter_map(|(k, v)| {
                let hkey = format!("{key}.headers.{k}");
                let name = self.header_name(&hkey, k)?;
                if name == http::header::AUTHORIZATION
                    || crate::http::headers::WRITTEN.contains(&name.as_str())
                {
                    self.error(&hkey, "hookgate writes this header itself");
                    return None;
                }
                let t = self.template(&hkey, &Value::from(v.as_str()))?;
                self.check_slots(&hkey, &t, &slots);
                if let Template::Literal(Value::String(text)) = &t
                    && http::HeaderValue::from_str(text).is_err()
                {
                    self.error(&hkey, "not a valid header value");
                }
                Some((name, t))
            })
            .collect()
    }

    /// A header name a file gives at `key`; one that is none is reported and left out.
    fn header_name(&mut self, key: &str, text: &str) -> Option<http::HeaderName> {
        let name = http::HeaderName::try_from(text).ok();
        if name.is_none() {
            self.error(key, "not a valid header name");
        }
        name
    }

    /// `dialect.response_headers`: headers the vendor's answers carry, by name, each a
    /// template of the error slots.
    fn response_headers(
        &mut self,
        headers: &BTreeMap<String, String>,
    ) -> Vec<(http::HeaderName, Template)> {
        headers
            .iter()
            .filter_map(|(k, v)| {
                let key = format!("dialect.response_headers.{k}");
                let name = self.header_name(&key, k)?;
                let t = self.template(&key, &Value::from(v.as_str()))?;
                self.check_slots(&key, &t, ERROR_SLOTS);
                Some((name, t))
            })
            .collect()
    }

    /// The `[operations.NAME]` sections; `get` is required, since updates and tests read the
    /// webhook.
    fn operations(
        &mut self,
        sections: &BTreeMap<OperationName, OperationSection>,
        owner_span: usize,
        resources: &[Resource],
    ) -> Vec<Endpoint> {
        let mut operations = Vec::new();
        for (op_name, section) in sections {
            let role = role_of(*op_name);
            let key = format!("operations.{}", role.name());
            if let Some(op) = self.operation(&key, role, section, owner_span, resources) {
                operations.push(op);
            }
        }
        if !operations
            .iter()
            .any(|o| o.role == Role::Action(Action::Get))
        {
            self.error(
                "operations",
                "`get` is required: updates and tests read the webhook",
            );
        }
        operations
    }

    /// The file's example bodies. An example may be written as JSON text, for bodies TOML
    /// cannot spell (`null`).
    fn examples(&mut self, raw: &[Value]) -> Vec<Value> {
        raw.iter()
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
            .collect()
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
                match &section.write_as {
                    None => rules.push(rule),
                    Some(spelling) => {
                        let named = section.error_field.is_some();
                        rules.extend(self.split_for_requests(&key, rule, spelling, named));
                    }
                }
            }
        }
        // Two rules writing one vendor member would make a request ambiguous.
        for (i, a) in rules.iter().enumerate() {
            for b in &rules[..i] {
                for (pa, pb) in a
                    .written()
                    .flat_map(|pa| b.written().map(move |pb| (pa, pb)))
                {
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
        // A rule that reads the object holding the secret whole would show the secret in its
        // own field, past every rule that keeps the secret unshown (every rule but the
        // secret's reads its value back, whatever its `in`).
        for secret in rules.iter().filter(|r| r.target.is_secret()) {
            let Some(ps) = &secret.path else { continue };
            for other in rules.iter().filter(|r| !r.target.is_secret()) {
                for po in other.written().filter(|po| ps.starts_with(po)) {
                    self.errors.push(MappingError {
                        file: self.file.to_owned(),
                        key: format!("{table}.{}", other.target.name()),
                        message: format!(
                            "reads `{po}` whole, which holds the secret at `{ps}`: the secret \
                             would be shown in it; read the members beside the secret instead"
                        ),
                    });
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
                (Some(f), None) if model::webhook_field(f).is_some() => {
                    Derivation::Count(f.clone())
                }
                (None, Some(f)) if model::webhook_field(f).is_some() => {
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

    /// One field rule, its keys in the order `mappings/README.md` documents them; its checks
    /// and the vendor values it writes are compiled by steps of their own.
    fn rule(&mut self, key: &str, target: Target, s: &FieldSection) -> Option<Rule> {
        // A rule with a path implies nothing: its value is the vendor's.
        let path = match (&s.path, &s.implied, s.flags.is_empty()) {
            (Some(p), None, true) => Some(self.path(&format!("{key}.path"), p)?),
            (None, Some(_), true) | (None, None, false) => None,
            _ => {
                self.error(key, "needs exactly one of `path`, `implied` or `flags`");
                return None;
            }
        };
        let flags = self.flags(key, &target, s)?;
        let aliases = self.paths(&format!("{key}.aliases"), &s.aliases);
        if s.render_aliases && aliases.is_empty() {
            self.error(format!("{key}.render_aliases"), "the rule has no `aliases`");
        }
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
        let (request, response) = match &s.in_ {
            None => (true, true),
            Some(list) => (
                list.contains(&file::Direction::Request),
                list.contains(&file::Direction::Response),
            ),
        };
        let ops = match &s.on {
            None => Ops {
                create: true,
                update: true,
            },
            Some(list) => Ops {
                create: list.contains(&file::OnAction::Create),
                update: list.contains(&file::OnAction::Update),
            },
        };
        let fill = s.fill.as_ref().map(|value| {
            let when = s
                .fill_when
                .iter()
                .filter_map(|(p, v)| Some((self.path(&format!("{key}.fill_when"), p)?, v.clone())))
                .collect();
            (value.clone(), when)
        });
        let checks = self.checks(key, s, &["unique_per_owner"]);
        self.check_vendor_values(key, s, &codec);
        let error_field = s
            .error_field
            .clone()
            .or_else(|| path.as_ref().map(ToString::to_string))
            .unwrap_or_else(|| target.name());
        Some(Rule {
            target,
            path,
            flags,
            aliases,
            render_aliases: s.render_aliases,
            codec,
            request,
            response,
            ops,
            implied: s.implied.clone(),
            fill,
            default: s.default.clone(),
            render_default: s.render_default.clone(),
            render_required: s.render_required,
            nullable: s.nullable,
            error_field,
            checks,
            messages: s.messages.clone().into_iter().collect(),
            unique_per_owner: s.unique_per_owner,
        })
    }

    /// A rule's `flags`: event types kept as boolean members. Only `events` is a list of event
    /// types; the list is the flags' own, so no key that spells or bounds a single value
    /// applies, and a `default` lists the types a create switches on when it leaves their
    /// members out.
    fn flags(&mut self, key: &str, target: &Target, s: &FieldSection) -> Option<Option<Flags>> {
        if s.flags.is_empty() {
            return Some(None);
        }
        let at = format!("{key}.flags");
        if !target.is("events") {
            self.error(&at, "only `events` is kept as flags");
            return None;
        }
        let spelling = [
            ("aliases", !s.aliases.is_empty()),
            ("render_aliases", s.render_aliases),
            ("codec", s.codec.is_some()),
            ("nullable", s.nullable),
            ("fill", s.fill.is_some()),
            ("render_default", s.render_default.is_some()),
            ("write_as", s.write_as.is_some()),
            ("one_of", s.one_of.is_some()),
            ("type", s.type_.is_some()),
            ("values", s.values.is_some()),
        ];
        for (what, _) in spelling.iter().filter(|(_, given)| *given) {
            self.error(
                format!("{key}.{what}"),
                "does not apply to `flags`: the event types are the flags' own, each member a boolean",
            );
        }
        let mut members = Vec::new();
        for (kind, text) in &s.flags {
            members.push((kind.clone(), self.path(&format!("{at}.{kind}"), text)?));
        }
        for (i, (a, pa)) in members.iter().enumerate() {
            for (b, pb) in &members[..i] {
                if pa.starts_with(pb) || pb.starts_with(pa) {
                    self.error(
                        format!("{at}.{a}"),
                        format!("writes `{pa}`, which `{b}` also writes"),
                    );
                }
            }
        }
        if let Some(default) = &s.default {
            let known = |v: &Value| v.as_str().is_some_and(|k| s.flags.contains_key(k));
            if !default.as_array().is_some_and(|d| d.iter().all(known)) {
                self.error(
                    format!("{key}.default"),
                    "must list event types the flags name",
                );
            }
        }
        Some(Some(Flags::new(members)))
    }

    /// A field that requests spell otherwise than answers (`write_as`: a vendor that reports
    /// `status: "enabled"` and is sent `disabled=true`): two rules of the one field, the
    /// answers' at `path` (read and rendered) and the requests' at `write_as.path` (written and
    /// parsed, with the checks, fills and error name requests need: its own dotted path,
    /// unless the file `named` one).
    fn split_for_requests(
        &mut self,
        key: &str,
        rule: Rule,
        spelling: &file::WriteAsSection,
        named: bool,
    ) -> Vec<Rule> {
        let at = format!("{key}.write_as");
        if !(rule.request && rule.response) || rule.path.is_none() {
            self.error(
                &at,
                "only a field that requests and answers both carry, at a `path`, is written elsewhere",
            );
            return vec![rule];
        }
        let Some(path) = self.path(&format!("{at}.path"), &spelling.path) else {
            return vec![rule];
        };
        let codec = match spelling.codec.as_ref().map(compile_codec) {
            None => Codec::Identity,
            Some(Ok(codec)) => codec,
            Some(Err(e)) => {
                self.error(format!("{at}.codec"), e);
                return vec![rule];
            }
        };
        let mut requests = rule.clone();
        if !named {
            requests.error_field = path.to_string();
        }
        requests.path = Some(path);
        requests.codec = codec;
        requests.aliases = Vec::new();
        requests.render_aliases = false;
        requests.response = false;
        requests.default = None;
        requests.render_default = None;
        requests.render_required = false;
        let mut answers = rule;
        answers.request = false;
        answers.checks = Vec::new();
        answers.fill = None;
        vec![answers, requests]
    }

    /// A rule's or a request member's checks, in the order of the checks table, and its
    /// `messages`, which may only name checks it has (and the keys of `also`).
    fn checks(&mut self, key: &str, s: &FieldSection, also: &[&str]) -> Vec<Check> {
        let mut checks = checks_of(s);
        if let Some(source) = &s.pattern {
            // In the order of the checks table: after `one_of`, before the range.
            let at = checks
                .iter()
                .position(|c| matches!(c, Check::Range { .. }))
                .unwrap_or(checks.len());
            match Pattern::new(source) {
                Ok(p) => checks.insert(at, Check::Pattern(p)),
                Err(e) => self.error(format!("{key}.pattern"), e),
            }
        }
        let known: Vec<&str> = checks.iter().map(Check::key).collect();
        for message_key in s.messages.keys() {
            if !known.contains(&message_key.as_str()) && !also.contains(&message_key.as_str()) {
                self.error(
                    format!("{key}.messages.{message_key}"),
                    format!("no such check on this field; it has: {}", known.join(", ")),
                );
            }
        }
        checks
    }

    /// Vendor values the file writes (`default`, `render_default`) must be ones the codec
    /// reads back as they are, or a value written would come back as another.
    fn check_vendor_values(&mut self, key: &str, s: &FieldSection, codec: &Codec) {
        let vendor_values = [
            ("default", &s.default),
            ("render_default", &s.render_default),
        ];
        for (what, value) in vendor_values {
            if let Some(v) = value
                && codec.decode(v).and_then(|c| codec.encode(&c)).as_ref() != Ok(v)
            {
                self.error(
                    format!("{key}.{what}"),
                    format!("`{v}` does not survive the codec both ways"),
                );
            }
        }
    }

    fn resource(
        &mut self,
        name: &str,
        s: &file::ResourceSection,
        owner_span: usize,
    ) -> Option<Resource> {
        let key = format!("resources.{name}");
        let fields = self.object_map(
            &format!("{key}.fields"),
            &s.fields,
            &BTreeMap::new(),
            model::WEBHOOK_FIELDS,
        );
        if fields.rules.is_empty() {
            self.error(
                &key,
                "holds no field: add `[resources.NAME.fields.FIELD]` rules",
            );
        }
        let mut verb = |verb: &str, call: &Option<file::ResourceCallSection>, reads: bool| {
            let call = call.as_ref()?;
            let vkey = format!("{key}.{verb}");
            let method = self.method(&format!("{vkey}.method"), &call.method)?;
            let path =
                self.path_template(&format!("{vkey}.path"), &call.path, Some(true), owner_span)?;
            let default_body = Value::from("{{resource}}");
            let body = if reads {
                Template::Literal(Value::Null)
            } else {
                self.template(
                    &format!("{vkey}.body"),
                    call.body.as_ref().unwrap_or(&default_body),
                )?
            };
            let response = match (&call.response, reads) {
                (Some(r), _) => Some(self.template(&format!("{vkey}.response"), r)?),
                (None, true) => Some(Template::compile(&default_body).ok()?),
                (None, false) => None,
            };
            for (what, t) in [("body", Some(&body)), ("response", response.as_ref())] {
                if let Some(t) = t {
                    self.check_slots(&format!("{vkey}.{what}"), t, &["resource", "request_id"]);
                }
            }
            let item_path = response.as_ref().and_then(|r| r.path_of("resource"));
            if reads && item_path.is_none() {
                self.error(format!("{vkey}.response"), "must place `{{resource}}`");
            }
            Some(ResourceEndpoint {
                method,
                path,
                body_item_path: body.path_of("resource"),
                body,
                response,
                item_path,
                status: call.status.unwrap_or(if reads { 200 } else { 204 }),
            })
        };
        let get = verb("get", &s.get, true);
        let replace = verb("replace", &s.replace, false);
        let update = verb("update", &s.update, false);
        if s.get.is_none() && s.replace.is_none() && s.update.is_none() {
            self.error(&key, "needs at least one of `get`, `replace` or `update`");
        }
        if s.read_with_webhook && s.get.is_none() {
            self.error(
                format!("{key}.read_with_webhook"),
                "the resource has no `get`",
            );
        }
        Some(Resource {
            name: name.to_owned(),
            fields,
            get,
            replace,
            update,
            read_with_webhook: s.read_with_webhook,
        })
    }

    /// One `[operations.NAME]` section, its keys in the order `mappings/README.md` documents
    /// them; the body's placeholders, the follow-up reads and where the answer holds what are
    /// each checked by a step of their own.
    fn operation(
        &mut self,
        key: &str,
        role: Role,
        s: &OperationSection,
        owner_span: usize,
        resources: &[Resource],
    ) -> Option<Endpoint> {
        let action = role.action();
        let method = self.method(&format!("{key}.method"), &s.method)?;
        // An operation on one webhook names its id in the path, or in a query parameter or
        // header that sends `{{id}}` alone (`?id=`).
        let with_id = (!action.has_id()).then_some(false);
        let path = self.path_template(&format!("{key}.path"), &s.path, with_id, owner_span)?;
        let (query, order) = self.query_and_order(key, action, s, owner_span > 0);
        let headers = self.request_headers(key, action, &s.headers, owner_span > 0);
        let content_type = s
            .content_type
            .as_deref()
            .and_then(|text| self.json_media_type(&format!("{key}.content_type"), text));
        if content_type.is_some() && s.body.is_none() {
            self.error(
                format!("{key}.content_type"),
                "the operation sends no body (`body`)",
            );
        }
        let whole_id = |t: &Template| t.is_slot("id");
        if action.has_id()
            && !path.has(&PathSeg::Id)
            && !query.iter().any(|(_, t)| whole_id(t))
            && !headers.iter().any(|(_, t)| whole_id(t))
        {
            self.error(
                format!("{key}.path"),
                format!(
                    "`{path}` must contain {{id}}, or a query parameter or header send `{{{{id}}}}` alone"
                ),
            );
        }
        let request = s
            .request
            .iter()
            .filter_map(|(name, section)| {
                self.member_check(&format!("{key}.request.{name}"), name, section)
            })
            .collect();
        let body = self.template_at(key, "body", s.body.as_ref());
        let response = self.template_at(key, "response", s.response.as_ref());
        if let Some(b) = &body {
            self.check_body_slots(key, action, b);
        }
        let then = self.follow_ups(key, action, &s.then, resources);
        let reread = then.contains(&FollowUp::Webhook);
        let mut answer = self.answer_paths(key, action, response.as_ref(), s, reread);
        // Alternatives are tried first: the template's own path may be the root, which
        // every answer has.
        let accepted = self.paths(&format!("{key}.accept"), &s.accept);
        answer.read_at(action).splice(0..0, accepted);
        let strategy = match s.strategy {
            None | Some(file::StrategyName::Merge) => Strategy::Merge,
            Some(file::StrategyName::ReadMergeWrite) => Strategy::ReadMergeWrite,
            Some(file::StrategyName::JsonPatch) => Strategy::JsonPatch,
        };
        if strategy == Strategy::JsonPatch {
            // The patch's pointers start at the webhook, which must be the whole body.
            if action != Action::Update || role == Role::Replace {
                self.error(
                    format!("{key}.strategy"),
                    "`json_patch` is for `update` only",
                );
            } else if body
                .as_ref()
                .and_then(|b| b.path_of("webhook"))
                .is_none_or(|p| !p.is_root())
            {
                self.error(
                    format!("{key}.strategy"),
                    "`json_patch` needs `body = \"{{webhook}}\"`: the patch's pointers start at the webhook",
                );
            }
        }
        if s.upsert && action != Action::Update {
            self.error(
                format!("{key}.upsert"),
                "only `update` and `replace` can create",
            );
        }
        let needs_current = body
            .as_ref()
            .is_some_and(|b| b.slots().iter().any(|s| s.starts_with("current.")));
        let paging = self.paging(key, action, s, &query, answer.cursor_path.is_some());
        let update_mask = query
            .iter()
            .find(|(_, t)| t.is_slot("update_mask"))
            .map(|(param, _)| param.clone());
        if update_mask.is_some() && strategy == Strategy::JsonPatch {
            self.error(
                format!("{key}.query"),
                "a JSON Patch names the places it changes: `{{update_mask}}` is for merges",
            );
        }
        let item_keys = match answer.read_at(action).as_slice() {
            [one] => one.keys(),
            _ => None,
        };
        let names_owner = path.has(&PathSeg::Owner)
            || query.iter().any(|(_, t)| t.slots().contains(&"owner"))
            || headers.iter().any(|(_, t)| t.slots().contains(&"owner"));
        Some(Endpoint {
            role,
            method,
            path,
            query,
            headers,
            names_owner,
            body_item_path: body.as_ref().and_then(|b| b.path_of("webhook")),
            body,
            response,
            status: s.status.unwrap_or(200),
            item_paths: answer.item_paths,
            item_keys,
            items_paths: answer.items_paths,
            cursor_path: answer.cursor_path,
            done_path: answer.done_path,
            more_path: answer.more_path,
            strategy,
            then,
            upsert: s.upsert,
            needs_current,
            inferred: s.inferred,
            note: s.note.clone(),
            request,
            order,
            max_limit: s.limit.as_ref().map(|l| (l.max, l.message.clone())),
            paging,
            content_type,
            update_mask,
        })
    }

    /// How a list names its next page: given by the answer, or computed (`next`) from a
    /// cursor the list sends and never read from the answer as well.
    fn paging(
        &mut self,
        key: &str,
        action: Action,
        s: &OperationSection,
        query: &[(String, Template)],
        answer_cursor: bool,
    ) -> Paging {
        let Some(next) = s.next else {
            return Paging::Given;
        };
        let at = format!("{key}.next");
        if action != Action::List {
            self.error(&at, "only `list` takes `next`");
        }
        let url = matches!(next, file::NextName::Url);
        if answer_cursor && !url {
            self.error(
                &at,
                "the response places `{{next_cursor}}`: the next page is named by the answer or by `next`, not both",
            );
        }
        if url && !answer_cursor {
            self.error(
                &at,
                "`url` names the next page at `{{next_cursor}}` in the response, which places none",
            );
        }
        if !query.iter().any(|(_, t)| t.slots().contains(&"cursor")) {
            self.error(
                &at,
                "no query parameter sends `{{cursor}}`: the next page could not be asked for",
            );
        }
        match next {
            file::NextName::Offset => Paging::Offset,
            file::NextName::Page => Paging::Page,
            file::NextName::LastId => Paging::LastId,
            file::NextName::Link => Paging::Link,
            file::NextName::Url => Paging::Url,
        }
    }

    /// An operation's query parameters, and the list orders the vendor spells: `{{order}}`
    /// may stand in a parameter only where the operation says how the vendor names orders,
    /// and only a list takes orders and a largest page.
    fn query_and_order(
        &mut self,
        key: &str,
        action: Action,
        s: &OperationSection,
        owned: bool,
    ) -> (Vec<(String, Template)>, Option<Ordering>) {
        let order = s
            .order
            .as_ref()
            .map(|o| self.ordering(&format!("{key}.order"), o));
        let mut query_slots = vec!["limit", "cursor"];
        if order.is_some() {
            query_slots.push("order");
        }
        if owned {
            query_slots.push("owner");
        }
        if action.has_id() {
            query_slots.push("id");
        }
        if action == Action::Update {
            query_slots.push("update_mask");
        }
        let query = s
            .query
            .iter()
            .filter_map(|(param, text)| {
                let qkey = format!("{key}.query.{param}");
                let t = self.template(&qkey, &Value::from(text.as_str()))?;
                self.check_slots(&qkey, &t, &query_slots);
                if t.slots().contains(&"update_mask") && !t.is_slot("update_mask") {
                    self.error(&qkey, "`{{update_mask}}` is a parameter's whole value");
                }
                Some((param.clone(), t))
            })
            .collect();
        if action != Action::List && (s.order.is_some() || s.limit.is_some()) {
            self.error(key, "only `list` takes `order` and `limit`");
        }
        (query, order)
    }

    /// A list's orders in the vendor's words; its default one of them.
    fn ordering(&mut self, key: &str, o: &file::OrderSection) -> Ordering {
        let mut ordering = Ordering {
            ascending: o.ascending.clone(),
            descending: o.descending.clone(),
            default: None,
        };
        if let Some(word) = &o.default {
            ordering.default = ordering.read(word);
            if ordering.default.is_none() {
                self.error(
                    format!("{key}.default"),
                    format!("`{word}` is neither `ascending` nor `descending` as spelt here"),
                );
            }
        }
        ordering
    }

    /// The checks of one member of a client's body that is no webhook: only checks and their
    /// messages, at `path` (`$.NAME` by default).
    fn member_check(&mut self, key: &str, name: &str, s: &FieldSection) -> Option<MemberCheck> {
        let path = self.path(
            &format!("{key}.path"),
            s.path.as_deref().unwrap_or(&format!("$.{name}")),
        )?;
        if s.codec.is_some() || s.implied.is_some() || s.default.is_some() || s.fill.is_some() {
            self.error(key, "a request member takes checks and messages only");
        }
        let checks = self.checks(key, s, &[]);
        Some(MemberCheck {
            name: name.to_owned(),
            path,
            checks,
            messages: s.messages.clone().into_iter().collect(),
        })
    }

    /// The template at `KEY.WHAT`, where the section gives one; one that does not compile is
    /// reported and left out.
    fn template_at(&mut self, key: &str, what: &str, value: Option<&Value>) -> Option<Template> {
        value.and_then(|v| self.template(&format!("{key}.{what}"), v))
    }

    /// The path at `KEY.WHAT`, where the section gives one; one that does not parse is reported
    /// and left out.
    fn path_at(&mut self, key: &str, what: &str, text: Option<&String>) -> Option<FieldPath> {
        text.and_then(|t| self.path(&format!("{key}.{what}"), t))
    }

    /// An operation's body may place the webhook (in a write), the new secret a rotation's
    /// client chose (`{{secret}}`) and the current webhook's canonical fields
    /// (`{{current.url}}`), nothing else.
    fn check_body_slots(&mut self, key: &str, action: Action, body: &Template) {
        let writes = matches!(action, Action::Create | Action::Update);
        let rotates = action == Action::RotateSecret;
        for slot in body.slots() {
            let current = slot.strip_prefix("current.");
            let own = (writes && slot == "webhook")
                || (action == Action::Create && slot == "idempotency_key")
                || (rotates && slot == "secret")
                || (action.has_id() && slot == "id");
            if !own && current.is_none() {
                self.error(
                    format!("{key}.body"),
                    format!("unknown placeholder `{{{{{slot}}}}}`"),
                );
            } else if let Some(field) = current
                && model::webhook_field(field).is_none()
            {
                self.error(
                    format!("{key}.body"),
                    format!("`{{{{{slot}}}}}` names no canonical field"),
                );
            }
        }
    }

    /// An operation's `then`: the webhook read again (`get`), or resources read with their
    /// own `get`.
    fn follow_ups(
        &mut self,
        key: &str,
        action: Action,
        then: &[String],
        resources: &[Resource],
    ) -> Vec<FollowUp> {
        let mut out = Vec::new();
        for item in then {
            match item.as_str() {
                "get" if action != Action::Get => out.push(FollowUp::Webhook),
                other => match resources.iter().position(|r| r.name == other) {
                    Some(i) if resources[i].get.is_some() => out.push(FollowUp::Resource(i)),
                    Some(_) => self.error(
                        format!("{key}.then"),
                        format!("resource `{other}` has no `get` to read it with"),
                    ),
                    None => self.error(
                        format!("{key}.then"),
                        format!("`{other}`: expected `get` or the name of a resource"),
                    ),
                },
            }
        }
        out
    }

    /// Where an operation's answer holds its item (or a list's items) and its page's cursor,
    /// as its `response` template places them. An answer that holds no item must be followed
    /// by a read of the webhook (`reread`), unless the operation is a delete.
    fn answer_paths(
        &mut self,
        key: &str,
        action: Action,
        response: Option<&Template>,
        s: &OperationSection,
        reread: bool,
    ) -> AnswerPaths {
        let mut out = AnswerPaths::default();
        let Some(r) = response else {
            // A template that is present but failed to compile was reported already.
            if s.response.is_none() && action != Action::Delete && !reread {
                self.error(
                    key,
                    "needs a `response` template (or, for an answer without the webhook, `then = [\"get\"]`)",
                );
            }
            return out;
        };
        for slot in r.slots() {
            if !RESPONSE_SLOTS.contains(&slot) && !slot.starts_with("webhook.") {
                self.error(
                    format!("{key}.response"),
                    format!("unknown placeholder `{{{{{slot}}}}}`"),
                );
            }
        }
        let item_slot = match action {
            Action::List => "items",
            Action::Test => "result",
            _ => "webhook",
        };
        match r.path_of(item_slot) {
            Some(p) => out.read_at(action).push(p),
            None if action == Action::Delete || reread => {}
            None => self.error(
                format!("{key}.response"),
                format!("must place `{{{{{item_slot}}}}}` (or read it after: `then = [\"get\"]`)"),
            ),
        }
        out.cursor_path = r.path_of("next_cursor");
        out.done_path = r.path_of("done");
        out.more_path = r.path_of("has_more");
        out
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

    /// An `[errors]` section, its keys in the order `mappings/README.md` documents them.
    /// A media type a JSON body is sent or answered in: `application/json`, or another whose
    /// subtype ends in `+json` (`application/vnd.api+json`, `application/merge-patch+json`),
    /// with any parameters.
    /// `dialect.auth`: a scheme's name, or the header a vendor's clients put their token in.
    fn client_auth(&mut self, auth: Option<&Value>) -> ClientAuth {
        const KEY: &str = "dialect.auth";
        let Some(auth) = auth else {
            return ClientAuth::Bearer;
        };
        match auth {
            Value::String(name) => match name.as_str() {
                "bearer" => ClientAuth::Bearer,
                "basic" => ClientAuth::Basic,
                "none" => ClientAuth::None,
                other => {
                    self.error(
                        KEY,
                        format!("`{other}`: expected \"bearer\", \"basic\", \"none\", {{ header = \"NAME\" }} or {{ query = \"NAME\" }}"),
                    );
                    ClientAuth::Bearer
                }
            },
            Value::Object(table) if table.contains_key("query") => {
                if let Some(unknown) = table.keys().find(|k| k.as_str() != "query") {
                    self.error(
                        KEY,
                        format!("unknown key `{unknown}`: `query` stands alone"),
                    );
                }
                match table.get("query").and_then(Value::as_str) {
                    Some(name) if !name.is_empty() => ClientAuth::Query {
                        name: name.to_owned(),
                    },
                    _ => {
                        self.error(KEY, "`query` must be a parameter's name");
                        ClientAuth::Bearer
                    }
                }
            }
            Value::Object(table) => {
                if let Some(unknown) = table
                    .keys()
                    .find(|k| !matches!(k.as_str(), "header" | "prefix"))
                {
                    self.error(
                        KEY,
                        format!("unknown key `{unknown}`: expected `header` and `prefix`"),
                    );
                }
                let prefix = match table.get("prefix") {
                    None => String::new(),
                    Some(Value::String(p)) if http::HeaderValue::from_str(p).is_ok() => p.clone(),
                    Some(_) => {
                        self.error(KEY, "`prefix` must be text a header value can hold");
                        String::new()
                    }
                };
                let name = table
                    .get("header")
                    .and_then(Value::as_str)
                    .and_then(|n| http::HeaderName::try_from(n).ok());
                match name {
                    // `Authorization` with no prefix would take any scheme's credential whole.
                    Some(name) if name == http::header::AUTHORIZATION && prefix.is_empty() => {
                        self.error(
                            KEY,
                            "`Authorization` needs a `prefix` (its scheme, as `\"SSWS \"`), or say \"bearer\" or \"basic\"",
                        );
                        ClientAuth::Bearer
                    }
                    Some(name) => ClientAuth::Header { name, prefix },
                    None => {
                        self.error(KEY, "`header` must be a header name");
                        ClientAuth::Bearer
                    }
                }
            }
            _ => {
                self.error(
                    KEY,
                    "expected \"bearer\", \"basic\", \"none\", { header = \"NAME\" } or { query = \"NAME\" }",
                );
                ClientAuth::Bearer
            }
        }
    }

    fn json_media_type(&mut self, key: &str, text: &str) -> Option<http::HeaderValue> {
        let essence = text.split(';').next().unwrap_or("").trim();
        let json = essence
            .split_once('/')
            .is_some_and(|(t, sub)| !t.is_empty() && (sub == "json" || sub.ends_with("+json")));
        match http::HeaderValue::from_str(text) {
            Ok(value) if json && !essence.contains(char::is_whitespace) => Some(value),
            _ => {
                self.error(
                    key,
                    format!("`{text}` is not a JSON media type (`application/json`, or a type whose subtype ends in `+json`)"),
                );
                None
            }
        }
    }

    fn errors_map(&mut self, s: &file::ErrorsSection, media_type: &http::HeaderValue) -> ErrorMap {
        let flag = s.flag.as_ref().and_then(|f| self.path("errors.flag", f));
        let message = self.paths("errors.message", &s.message);
        let code = self.paths("errors.code", &s.code);
        let request_id = self.paths("errors.request_id", &s.request_id);
        let field_errors = s
            .field_errors
            .iter()
            .enumerate()
            .filter_map(|(i, fe)| self.field_errors(&format!("errors.field_errors[{i}]"), fe))
            .collect();
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
        let (render, default_render) = self.error_renders(&s.render);
        let content_type = match &s.content_type {
            None => media_type.clone(),
            Some(text) => match text.parse::<http::HeaderValue>() {
                Ok(v) if text.contains('/') => v,
                _ => {
                    self.error(
                        "errors.content_type",
                        format!("`{text}` is not a media type"),
                    );
                    http::HeaderValue::from_static("application/json")
                }
            },
        };
        let unreadable_body = self.refusal("errors.unreadable_body", &s.unreadable_body);
        let unreadable_path = self.refusal("errors.unreadable_path", &s.unreadable_path);
        ErrorMap {
            flag_keys: flag.as_ref().and_then(FieldPath::keys),
            flag,
            message,
            code,
            request_id,
            field_errors,
            codes,
            render,
            default_render,
            content_type,
            unreadable_body,
            unreadable_path,
        }
    }

    /// One `[[errors.field_errors]]` entry: where a failure lists its field errors, and in
    /// which form; the keys only the `items` form takes are refused in the others.
    fn field_errors(
        &mut self,
        key: &str,
        fe: &file::FieldErrorsSection,
    ) -> Option<(FieldPath, Form)> {
        let path = self.path(&format!("{key}.path"), &fe.path);
        let form = match fe.form {
            file::FormName::Lists => Some(Form::Lists),
            file::FormName::Strings => Some(Form::Strings),
            file::FormName::Param => Some(Form::Param),
            file::FormName::Items => self.item_form(key, fe).map(Form::Items),
        };
        let items_only = [
            ("field", fe.field.is_some()),
            ("message", fe.message.is_some()),
            ("item", fe.item.is_some()),
            ("skip", !fe.skip.is_empty()),
        ];
        if fe.form != file::FormName::Items {
            for (what, given) in items_only {
                if given {
                    self.error(format!("{key}.{what}"), "only the `items` form takes it");
                }
            }
        }
        Some((path?, form?))
    }

    /// `[errors.render.CODE]`: how the vendor spells each canonical problem, and the required
    /// `default` for the codes it has no template for.
    fn error_renders(
        &mut self,
        sections: &BTreeMap<String, file::RenderSection>,
    ) -> (Vec<(Code, Render)>, Render) {
        let mut render = Vec::new();
        let mut default_render = None;
        for (name, section) in sections {
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
        (render, default_render)
    }

    /// The canonical code a surface refuses an unreadable request with: `bad_request` unless
    /// the file names another client error.
    fn refusal(&mut self, key: &str, name: &Option<String>) -> Code {
        match name.as_deref().map(|n| (n, Code::parse(n))) {
            None => Code::BadRequest,
            Some((_, Some(code))) if code.status() < 500 => code,
            Some((n, _)) => {
                self.error(key, format!("`{n}` is not a canonical client-error code"));
                Code::BadRequest
            }
        }
    }

    fn item_form(&mut self, key: &str, fe: &file::FieldErrorsSection) -> Option<ItemForm> {
        let field = self.path_at(key, "field", fe.field.as_ref());
        let message = self.path_at(key, "message", fe.message.as_ref());
        let item = self.template_at(key, "item", fe.item.as_ref());
        if let Some(item) = &item {
            self.check_slots(&format!("{key}.item"), item, &["field", "message", "in"]);
        }
        for (what, found) in [
            ("field", field.is_some() || fe.field.is_some()),
            ("message", message.is_some() || fe.message.is_some()),
            ("item", item.is_some() || fe.item.is_some()),
        ] {
            if !found {
                self.error(format!("{key}.{what}"), "is required by the `items` form");
            }
        }
        Some(ItemForm {
            field: field?,
            message: message?,
            skip: fe.skip.clone(),
            item: item?,
        })
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
        let bytes = s.secret_bytes.unwrap_or(32);
        if !(16..=64).contains(&bytes) {
            self.error(
                "emulator.secret_bytes",
                format!("`{bytes}`: expected 16 to 64"),
            );
        }
        let mints_secret = s.secret.map(|_| SecretMint {
            prefix: s.secret_prefix.clone(),
            bytes,
        });
        for (i, name) in s.also_found_by.iter().enumerate() {
            let known = match name.strip_prefix("extensions.") {
                Some(ext) => !ext.is_empty(),
                None => model::webhook_field(name).is_some_and(|f| f.kind == model::Kind::String),
            };
            if !known {
                self.error(
                    format!("emulator.also_found_by[{i}]"),
                    format!("`{name}`: expected a canonical string field or `extensions.NAME`"),
                );
            }
        }
        EmulatorSpec {
            ids,
            micros: s.timestamps == Some(file::Timestamps::Micros),
            mints_secret,
            extensions: s.extensions.clone(),
            max_webhooks: s.max_webhooks,
            also_found_by: s.also_found_by.clone(),
        }
    }
}

/// The role of a declared operation.
fn role_of(name: OperationName) -> Role {
    match name {
        OperationName::List => Role::Action(Action::List),
        OperationName::Create => Role::Action(Action::Create),
        OperationName::Get => Role::Action(Action::Get),
        OperationName::Update => Role::Action(Action::Update),
        OperationName::Replace => Role::Replace,
        OperationName::Delete => Role::Action(Action::Delete),
        OperationName::Test => Role::Action(Action::Test),
        OperationName::RotateSecret => Role::Action(Action::RotateSecret),
        OperationName::Toggle => Role::Action(Action::Toggle),
    }
}

/// The checks a field section declares, in the order they run.
fn checks_of(s: &FieldSection) -> Vec<Check> {
    let mut checks = Vec::new();
    if s.required {
        checks.push(Check::Required);
    }
    if let Some(t) = s.type_ {
        checks.push(Check::Type(t));
    }
    if let Some(t) = s.values {
        checks.push(Check::Values(t));
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
    checks
}

fn compile_codec(v: &Value) -> Result<Codec, String> {
    match v {
        Value::String(name) => match name.as_str() {
            "identity" => Ok(Codec::Identity),
            "int_string" => Ok(Codec::IntString),
            "single" => Ok(Codec::Single),
            "negate" => Ok(Codec::Negate),
            "empty_is_null" => Ok(Codec::EmptyIsNull),
            "unix_seconds" => Ok(Codec::UnixTime { millis: false }),
            "unix_millis" => Ok(Codec::UnixTime { millis: true }),
            other => Err(format!(
                "`{other}`: expected identity, int_string, single, negate, empty_is_null, unix_seconds, unix_millis, {{pairs}}, {{map}}, {{scale}}, {{join}}, {{prefix}} or {{wrap}}"
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
            if let Some(prefix) = table.get("prefix") {
                return match prefix.as_str() {
                    Some(text) if !text.is_empty() => Ok(Codec::Prefix(text.to_owned())),
                    _ => Err("`prefix` must be a non-empty string".into()),
                };
            }
            if let Some(key) = table.get("wrap") {
                return match key.as_str() {
                    Some(key) if !key.is_empty() => Ok(Codec::Wrap(key.to_owned())),
                    _ => Err("`wrap` must be a non-empty string".into()),
                };
            }
            if let Some(separator) = table.get("join") {
                return match separator.as_str() {
                    Some(sep) if !sep.is_empty() => Ok(Codec::Join(sep.to_owned())),
                    _ => Err("`join` must be a non-empty string".into()),
                };
            }
            Err("a codec table needs `pairs`, `map`, `scale`, `join`, `prefix` or `wrap`".into())
        }
        _ => Err("a codec is a name or a table".into()),
    }
}

/// A `reverse` table's keys are canonical values written as TOML keys: `"true"` is `true`.
fn parse_key(k: &str) -> Value {
    serde_json::from_str(k).unwrap_or_else(|_| Value::from(k))
}

/// Where a form body's text must be read as something else: each request rule's vendor value,
/// found by writing a sample of its canonical field through its codec (`negate` writes a
/// boolean, `scale` and `int_string` numbers, `join` text).
fn form_shapes(webhook: &ObjectMap) -> Vec<(FieldPath, crate::form::Shape)> {
    use crate::model::Kind;
    webhook
        .rules
        .iter()
        .filter(|r| r.request)
        .filter_map(|rule| {
            let written = match &rule.target {
                Target::Field(field) => {
                    // A time is text the way a date-time codec reads it.
                    let samples = match field.kind {
                        Kind::Bool => vec![Value::Bool(true)],
                        Kind::Integer => vec![Value::from(1)],
                        Kind::String => {
                            vec![Value::from("1"), Value::from("2020-01-01T00:00:00Z")]
                        }
                        Kind::StringList => vec![Value::Array(vec![Value::from("a")])],
                        Kind::StringMap | Kind::Object => Vec::new(),
                    };
                    samples.iter().find_map(|s| rule.codec.encode(s).ok())?
                }
                Target::Extension(_) => extension_sample(rule)?,
            };
            Some((rule.path.clone()?, crate::form::Shape::of(&written)?))
        })
        .collect()
}

/// What a vendor member no canonical field stands for holds, as far as its rule says: its
/// `type`, a range (an integer), or the type of a value the file gives it.
fn extension_sample(rule: &Rule) -> Option<Value> {
    use super::checks::JsonType;
    let item = |t: JsonType| match t {
        JsonType::Boolean => Some(Value::Bool(true)),
        JsonType::Integer | JsonType::Number => Some(Value::from(1)),
        JsonType::String => Some(Value::from("a")),
        JsonType::Object | JsonType::Array => None,
    };
    let values = rule.checks.iter().find_map(|c| match c {
        Check::Values(t) => Some(*t),
        _ => None,
    });
    let checked = rule.checks.iter().find_map(|c| match c {
        Check::Type(JsonType::Array) => Some(Value::Array(vec![
            values.and_then(item).unwrap_or_else(|| Value::from("a")),
        ])),
        Check::Type(t) => item(*t),
        Check::Range { .. } => Some(Value::from(1)),
        _ => None,
    });
    let given = || {
        [
            rule.default.as_ref(),
            rule.render_default.as_ref(),
            rule.fill.as_ref().map(|(v, _)| v),
        ]
        .into_iter()
        .flatten()
        .find(|v| !v.is_null())
        .cloned()
    };
    checked.or_else(given)
}
