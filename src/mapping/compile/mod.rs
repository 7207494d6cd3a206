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

/// A file's compilation: the problems found so far, each named with the file.
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
    /// placeholder's kind says which values it takes (a flag's `true` and `false`): such a
    /// case is never written, and what it places is never read.
    fn switch_cases(&mut self, key: &str, t: &Template) {
        for (on, keys) in t.switches() {
            let Some((kind, nullable)) = switched_kind(on) else {
                continue;
            };
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
            for case in keys.into_iter().filter(|k| !taken(k)) {
                self.error(
                    key,
                    format!(
                        "case `{case}` of the `$switch` on `{on}` is never taken: `{{{{{on}}}}}` is {}, whose cases are {expected}{null} (and `$default`)",
                        kind.described()
                    ),
                );
            }
        }
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
