//! The compiler: a mapping file's text into a [`Dialect`], with every problem found reported
//! with its file and key, all at once (TOML syntax and schema errors stop at the first one in a
//! file, since nothing after them can be read reliably).
//!
//! One file per part of a mapping file: `dialect` (`[dialect]`, `[emulator]`), `fields`
//! (`[fields]`, `[derived]`), `operations` (`[operations]`, `[resources]`) and
//! `errors` (`[errors]`), each adding to the one `Compiler`; this file holds the
//! entry point and what all of them use (paths, templates, formats, media types, slots).

mod dialect;
mod errors;
mod fields;
mod operations;

use super::MappingError;
use super::file::{self, MappingFile};
use super::json_path::FieldPath;
use super::model::Dialect;
use super::rules::{ObjectMap, Target};
use super::template::Template;
use super::url::Format;
use crate::model;
use serde_json::Value;
use sha2::Digest;
use std::path::Path;

/// Compiles mapping text; `file` only names the source in errors.
pub fn compile(name: &str, file: &Path, text: &str) -> Result<Dialect, Vec<MappingError>> {
    let raw: MappingFile = toml::from_str(text).map_err(|e| {
        vec![MappingError {
            file: file.to_owned(),
            key: toml_position(text, &e),
            message: top_level_hint(in_file_terms(e.message())),
        }]
    })?;
    if let Some(trapped) = read_into_an_example(text, &raw.examples) {
        return Err(vec![MappingError {
            file: file.to_owned(),
            key: trapped.0,
            message: trapped.1,
        }]);
    }
    let mut cx = Compiler {
        file,
        errors: Vec::new(),
        enumerated: Vec::new(),
    };
    let mut dialect = cx.dialect(name, raw);
    dialect.source_sha256 = sha2::Sha256::digest(text.as_bytes()).into();
    if cx.errors.is_empty() {
        Ok(dialect)
    } else {
        Err(cx.errors)
    }
}

/// A TOML reader's message in the terms of the file rather than of the program reading it:
/// `expected u16` names a Rust type an author never wrote; the file's terms are TOML's
/// (an integer, a list, a table).
fn in_file_terms(message: &str) -> String {
    const TERMS: [(&str, &str); 12] = [
        ("expected u8", "expected an integer from 0 to 255"),
        ("expected u16", "expected an integer from 0 to 65535"),
        ("expected u32", "expected an integer from 0 to 4294967295"),
        ("expected u64", "expected an integer of 0 or more"),
        ("expected usize", "expected an integer of 0 or more"),
        ("expected i64", "expected an integer"),
        ("expected i32", "expected an integer"),
        ("expected f64", "expected a number"),
        ("expected a sequence", "expected a list (`[…]`)"),
        (
            "expected a map",
            "expected a table (`{ … }` or `[section]`)",
        ),
        ("expected a borrowed string", "expected a string"),
        ("expected a character", "expected a string of one character"),
    ];
    let mut message = message.trim_end().to_owned();
    for (rust, file) in TERMS {
        // Whole words only: `expected u16` is not the start of `expected u160`.
        if let Some(at) = message.find(rust) {
            let end = at + rust.len();
            let whole = !message[end..].starts_with(|c: char| c.is_alphanumeric() || c == '_');
            if whole {
                message.replace_range(at..end, file);
            }
        }
    }
    message
}

/// The keys of a mapping file's top level.
const TOP_LEVEL: [&str; 9] = [
    "dialect",
    "emulator",
    "fields",
    "derived",
    "test_result",
    "operations",
    "resources",
    "errors",
    "examples",
];

/// A refusal of an unknown key that is one of the file's top level, with why it was not read
/// there: TOML reads a `key = …` written after a `[table]` as a key of that table.
fn top_level_hint(message: String) -> String {
    let named = TOP_LEVEL
        .into_iter()
        .find(|key| message.starts_with(&format!("unknown field `{key}`")));
    match named {
        Some(key) => {
            let other = match key {
                "examples" => ", or write each example as `[[examples]]`, which may go anywhere",
                _ => "",
            };
            format!(
                "{message}: `{key}` is a key of the file's top level, and TOML reads a `{key} = …` written after a `[table]` as a key of that table; move it before the first `[table]`{other}"
            )
        }
        None => message,
    }
}

/// A top-level section written after an `[[examples]]` table (`emulator = { … }` at the end of
/// the file), which TOML reads as a member of that example: an example takes any member, so
/// nothing else would refuse it, and the section would be lost. Told where the file has no
/// such section of its own, and the example's member is a table, as a section is: the key and
/// why.
fn read_into_an_example(text: &str, examples: &[Value]) -> Option<(String, String)> {
    let suspect = |example: &Value| {
        TOP_LEVEL
            .into_iter()
            .find(|key| *key != "examples" && example.get(key).is_some_and(Value::is_object))
    };
    if !examples.iter().any(|e| suspect(e).is_some()) {
        return None;
    }
    let file: toml::Table = text.parse().ok()?;
    examples.iter().enumerate().find_map(|(i, example)| {
        let key = suspect(example).filter(|key| !file.contains_key(*key))?;
        Some((
            format!("examples[{i}].{key}"),
            format!(
                "`{key}` is a key of the file's top level, and TOML reads a `{key} = …` written after `[[examples]]` as a member of that example: move it before the first `[table]`"
            ),
        ))
    })
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

/// A file's compilation: the problems found so far, each named with the file.
struct Compiler<'a> {
    file: &'a Path,
    errors: Vec<MappingError>,
    /// The string placeholders a `$switch` may switch on whose values the rules enumerate
    /// (`webhook.status` where its rule's `map` says which there are), each with the text of
    /// every value it can take; known once the webhook's rules are compiled.
    enumerated: Vec<(String, Vec<String>)>,
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
            Ok(t) => {
                self.switch_cases(key, &t);
                Some(t)
            }
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

    /// A header name a file gives at `key`; one that is none is reported and left out.
    fn header_name(&mut self, key: &str, text: &str) -> Option<http::HeaderName> {
        let name = http::HeaderName::try_from(text).ok();
        if name.is_none() {
            self.error(key, "not a valid header name");
        }
        name
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

    /// Reports a `$switch` case no value of the placeholder switched on can pick, where the
    /// placeholder's kind says which values it takes (a flag's `true` and `false`), or the
    /// rules do (a string field whose `map` names its values): such a case is never written,
    /// and what it places is never read.
    fn switch_cases(&mut self, key: &str, t: &Template) {
        for (on, keys) in t.switches() {
            if let Some((kind, nullable)) = switched_kind(on) {
                self.kind_cases(key, on, &keys, kind, nullable);
            } else if let Some((_, values)) = self.enumerated.iter().find(|(p, _)| p == on) {
                let values = values.clone();
                self.enumerated_cases(key, on, &keys, &values);
            }
        }
    }

    /// The cases of a `$switch` on `on`, of `kind`, that no value of that kind can pick.
    fn kind_cases(
        &mut self,
        key: &str,
        on: &str,
        keys: &[&str],
        kind: model::Kind,
        nullable: bool,
    ) {
        let taken = |k: &str| {
            (nullable && k == "null")
                || match kind {
                    model::Kind::Bool => k == "true" || k == "false",
                    _ => k.parse::<i64>().is_ok_and(|n| n.to_string() == k),
                }
        };
        let expected = match kind {
            model::Kind::Bool => "`true` and `false`",
            _ => "integers as JSON writes them (`0`, `42`)",
        };
        let null = if nullable { ", `null`" } else { "" };
        for case in keys.iter().filter(|k| !taken(k)) {
            self.error(
                key,
                format!(
                    "case `{case}` of the `$switch` on `{on}` is never taken: `{{{{{on}}}}}` is {}, whose cases are {expected}{null} (and `$default`)",
                    kind.described()
                ),
            );
        }
    }

    /// The cases of a `$switch` on `on` that none of the `values` the rules give it can pick:
    /// a case is the value's text as it is, in its letter case.
    fn enumerated_cases(&mut self, key: &str, on: &str, keys: &[&str], values: &[String]) {
        let shown: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
        for case in keys.iter().filter(|k| !values.iter().any(|v| v == *k)) {
            let spelt = values.iter().find(|v| v.eq_ignore_ascii_case(case));
            let hint = match spelt {
                Some(v) => format!(": a case is the value as written, `{v}`"),
                None => String::new(),
            };
            self.error(
                key,
                format!(
                    "case `{case}` of the `$switch` on `{on}` is never taken: `{{{{{on}}}}}` is one of {} (and `$default` where it has none){hint}",
                    shown.join(", ")
                ),
            );
        }
    }

    /// Refuses each placeholder of `t` that is not among `allowed`, naming those that are, or
    /// saying that none is where none is.
    fn check_slots(&mut self, key: &str, t: &Template, allowed: &[&str]) {
        for slot in t.slots() {
            if !allowed.contains(&slot) {
                self.error(
                    key,
                    unknown_slot(slot, allowed, "no placeholder has a value here"),
                );
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
}

/// Why placeholder `slot` is refused where only `allowed` have values: those are named, or,
/// where there are none, `none_why` says so.
pub(super) fn unknown_slot(slot: &str, allowed: &[&str], none_why: &str) -> String {
    if allowed.is_empty() {
        format!("unknown placeholder `{{{{{slot}}}}}`: {none_why}")
    } else {
        format!(
            "unknown placeholder `{{{{{slot}}}}}`; expected one of: {}",
            allowed.join(", ")
        )
    }
}

/// The string fields of `webhook` whose values its rules enumerate (a `map` of the rule that
/// answers are read by), as the placeholders a `$switch` may switch on (`webhook.status`,
/// `current.status`), each with the text of every value it can take: the table's canonical
/// values, those the model derives where a vendor reports none, and `null` where the field
/// may be.
fn enumerated(webhook: &ObjectMap) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for rule in webhook.rules.iter().filter(|r| r.response) {
        let Target::Field(field) = &rule.target else {
            continue;
        };
        let Some(values) = rule.codec.canonical_values() else {
            continue;
        };
        if field.kind != model::Kind::String {
            continue; // a kind of its own says which values it takes
        }
        let mut texts: Vec<String> = values
            .into_iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect();
        for derived in model::derived_values(field.name) {
            if !texts.iter().any(|t| t == derived) {
                texts.push((*derived).to_owned());
            }
        }
        if field.nullable {
            texts.push("null".to_owned());
        }
        for root in ["webhook", "current"] {
            out.push((format!("{root}.{}", field.name), texts.clone()));
        }
    }
    out
}

/// The kind of value a `$switch` may switch on, where it is known, and whether it may be
/// `null`: the page flags and counts of an answer, and a canonical field of the webhook
/// (`webhook.enabled`, `current.enabled`). Others (an extension, an error's code) take any
/// value.
pub(super) fn switched_kind(on: &str) -> Option<(model::Kind, bool)> {
    match on {
        "has_more" | "done" => Some((model::Kind::Bool, false)),
        "count" | "limit" => Some((model::Kind::Integer, false)),
        _ => {
            let field = on
                .strip_prefix("webhook.")
                .or_else(|| on.strip_prefix("current."))?;
            let field = model::webhook_field(field)?;
            matches!(field.kind, model::Kind::Bool | model::Kind::Integer)
                .then_some((field.kind, field.nullable))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_readers_message_names_the_files_terms_not_the_programs() {
        let said = super::in_file_terms(r#"invalid type: string "201", expected u16"#);
        assert_eq!(
            said,
            r#"invalid type: string "201", expected an integer from 0 to 65535"#
        );
        let said = super::in_file_terms("invalid type: integer `3`, expected a sequence");
        assert_eq!(said, "invalid type: integer `3`, expected a list (`[…]`)");
        assert_eq!(super::in_file_terms("expected u160"), "expected u160");
    }

    #[test]
    fn a_top_level_key_read_into_an_example_says_why() {
        let relay = include_str!("../../../tests/dialects/relay.toml");
        let moved = relay.replacen("[emulator]\nid = \"integer\"\n", "", 1)
            + "emulator = { id = \"integer\" }\n";
        let refused = super::compile("relay", std::path::Path::new("relay.toml"), &moved);
        let refused = refused.unwrap_err();
        assert!(refused[0].key.ends_with(".emulator"), "{:?}", refused[0]);
        assert!(
            refused[0]
                .message
                .contains("move it before the first `[table]`")
        );
        // An example's own member of that name, beside the file's section, is the example's.
        let kept = relay.to_owned() + "emulator = { id = \"integer\" }\n";
        assert!(super::compile("relay", std::path::Path::new("relay.toml"), &kept).is_ok());
    }

    #[test]
    fn a_top_level_key_read_into_a_table_says_why() {
        let text = "[dialect]\ntitle = \"x\"\n[errors.render.default]\nstatus = 400\nexamples = [{ id = 1 }]\n";
        let refused = super::compile("x", std::path::Path::new("x.toml"), text).unwrap_err();
        let said = &refused[0].message;
        assert!(said.starts_with("unknown field `examples`"), "{said}");
        assert!(
            said.contains("move it before the first `[table]`"),
            "{said}"
        );
        assert!(said.contains("`[[examples]]`"), "{said}");
        let said = super::top_level_hint("unknown field `statuss`, expected `status`".into());
        assert_eq!(said, "unknown field `statuss`, expected `status`");
    }
}
