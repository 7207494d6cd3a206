//! Error envelopes: how a dialect spells failure, read into a [`Problem`] and rendered back.
//!
//! Reading: a vendor answer is a failure when its status is not 2xx or its failure flag
//! (`$.success`) is `false`. Its message, code, request id and field errors are found at the
//! paths the mapping file lists (first match wins), field names are translated to canonical
//! ones, and the vendor's code or status picks the canonical code. Rendering: the mapping file's
//! template for the canonical code (or its `default`) is filled from the problem.

use super::path::FieldPath;
use super::rules::ObjectMap;
use super::template::Template;
use crate::problem::{Code, FieldError, Problem, UpstreamInfo};
use serde_json::{Map, Value};

/// How a vendor lists field errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `{"field": ["message", …]}` (Laravel, Rails); a lone string is taken as one message.
    Lists,
    /// `{"field": "message"}`.
    Strings,
    /// `"field"`: one field named beside the top-level message (a `param` member, say).
    Param,
}

impl Form {
    pub fn parse(name: &str) -> Option<Form> {
        match name {
            "lists" => Some(Form::Lists),
            "strings" => Some(Form::Strings),
            "param" => Some(Form::Param),
            _ => None,
        }
    }
}

/// A vendor's error template for one canonical code.
#[derive(Debug, Clone)]
pub struct Render {
    pub status: Option<u16>,
    pub body: Template,
}

#[derive(Debug, Clone)]
pub struct ErrorMap {
    pub flag: Option<FieldPath>,
    pub message: Vec<FieldPath>,
    pub code: Vec<FieldPath>,
    pub request_id: Vec<FieldPath>,
    pub field_errors: Vec<(FieldPath, Form)>,
    pub codes: Vec<(String, Code)>,
    pub render: Vec<(Code, Render)>,
    pub default_render: Render,
}

/// The facts of one vendor failure.
pub struct Failure<'a> {
    pub status: u16,
    /// The body, when it is JSON (an empty body is not).
    pub body: Option<&'a Value>,
    pub header_request_id: Option<&'a str>,
    pub retry_after: Option<&'a str>,
}

impl ErrorMap {
    /// Whether a vendor answer is a failure.
    pub fn is_failure(&self, status: u16, body: &Value) -> bool {
        !(200..300).contains(&status)
            || self
                .flag
                .as_ref()
                .and_then(|f| f.get(body))
                .is_some_and(|v| *v == Value::Bool(false))
    }

    /// Translates a vendor failure into a problem naming canonical fields.
    pub fn read(
        &self,
        failure: &Failure<'_>,
        fields: &ObjectMap,
        upstream: UpstreamInfo,
    ) -> Problem {
        let mut info = upstream;
        info.status = Some(failure.status);
        info.request_id = failure.header_request_id.map(str::to_owned);
        let Some(body) = failure.body else {
            let code = match Code::from_upstream_status(failure.status) {
                c if c.status() < 500 => c,
                c @ (Code::UpstreamUnavailable | Code::UpstreamTimeout) => c,
                _ => Code::UpstreamError,
            };
            let mut p = Problem::new(
                code,
                format!(
                    "the upstream answered {} with a body that is not JSON",
                    failure.status
                ),
            );
            p.upstream = Some(Box::new(info));
            p.retry_after = failure.retry_after.map(str::to_owned);
            return p;
        };
        let first_string = |paths: &[FieldPath]| {
            paths
                .iter()
                .find_map(|p| p.get(body).and_then(Value::as_str).map(str::to_owned))
        };
        info.message = first_string(&self.message);
        info.code = first_string(&self.code);
        if let Some(id) = first_string(&self.request_id) {
            info.request_id = Some(id);
        }
        let mut errors = Vec::new();
        for (path, form) in &self.field_errors {
            collect_field_errors(
                path.get(body),
                *form,
                info.message.as_deref(),
                fields,
                &mut errors,
            );
        }
        let status = if (200..300).contains(&failure.status) {
            // A 2xx carrying a failure flag: the vendor did not say which failure it was.
            if errors.is_empty() { 400 } else { 422 }
        } else {
            failure.status
        };
        let mapped = info.code.as_ref().and_then(|c| {
            self.codes
                .iter()
                .find(|(v, _)| v == c)
                .map(|(_, code)| *code)
        });
        let code = mapped.unwrap_or_else(|| match Code::from_upstream_status(status) {
            Code::BadRequest if !errors.is_empty() => Code::ValidationFailed,
            other => other,
        });
        let detail = if errors.is_empty() {
            info.message
                .clone()
                .unwrap_or_else(|| format!("the upstream answered {}", failure.status))
        } else {
            crate::problem::summarise(&errors)
        };
        let mut problem = Problem::new(code, detail);
        problem.errors = errors;
        problem.upstream = Some(Box::new(info));
        problem.retry_after = failure.retry_after.map(str::to_owned);
        problem
    }

    /// The vendor's code for a canonical code, for rendering (`{{code}}`).
    pub fn vendor_code(&self, code: Code) -> String {
        self.codes
            .iter()
            .find(|(_, c)| *c == code)
            .map(|(v, _)| v.clone())
            .unwrap_or_else(|| code.as_str().to_uppercase())
    }

    pub fn template_for(&self, code: Code) -> &Render {
        self.render
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, r)| r)
            .unwrap_or(&self.default_render)
    }

    /// The form in which this vendor lists field errors, for rendering them.
    pub fn form(&self) -> Form {
        self.field_errors
            .first()
            .map(|(_, f)| *f)
            .unwrap_or(Form::Strings)
    }

    /// Field errors spelled in this vendor's form (for `{{errors}}`).
    pub fn render_field_errors(&self, errors: &[FieldError]) -> Option<Value> {
        if errors.is_empty() {
            return None;
        }
        Some(match self.form() {
            Form::Lists => {
                let mut map = Map::new();
                for e in errors {
                    let entry = map
                        .entry(e.field.clone())
                        .or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(list) = entry {
                        list.push(Value::from(e.message.as_str()));
                    }
                }
                Value::Object(map)
            }
            Form::Strings => {
                let mut map = Map::new();
                for e in errors {
                    map.entry(e.field.clone())
                        .or_insert_with(|| Value::from(e.message.as_str()));
                }
                Value::Object(map)
            }
            Form::Param => Value::from(errors[0].field.as_str()),
        })
    }
}

fn collect_field_errors(
    found: Option<&Value>,
    form: Form,
    message: Option<&str>,
    fields: &ObjectMap,
    out: &mut Vec<FieldError>,
) {
    match (form, found) {
        (Form::Lists | Form::Strings, Some(Value::Object(map))) => {
            for (field, messages) in map {
                let name = fields.canonical_name(field);
                match messages {
                    Value::Array(list) => out.extend(list.iter().map(|m| {
                        FieldError::new(
                            name.clone(),
                            m.as_str()
                                .map(str::to_owned)
                                .unwrap_or_else(|| m.to_string()),
                        )
                    })),
                    Value::String(m) => out.push(FieldError::new(name, m.clone())),
                    other => out.push(FieldError::new(name, other.to_string())),
                }
            }
        }
        (Form::Param, Some(Value::String(field))) => out.push(FieldError::new(
            fields.canonical_name(field),
            message.unwrap_or("is invalid"),
        )),
        _ => {}
    }
}
