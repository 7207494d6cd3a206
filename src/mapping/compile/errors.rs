//! `[errors]`: how a vendor's error envelope is read into a problem and how a problem is
//! written back in the vendor's shape, field errors included.

use super::Compiler;
use crate::mapping::errors::{CodeForm, ErrorMap, Form, ItemForm, Render};
use crate::mapping::file;
use crate::mapping::json_path::FieldPath;
use crate::problem::Code;
use serde_json::Value;
use std::collections::BTreeMap;

/// The render table of a 401 for a request that presents no credential, beside those named by
/// canonical codes: a vendor may answer it otherwise than a credential it refuses.
const MISSING_CREDENTIAL: &str = "missing_credential";

/// Placeholders an error template may use.
pub(super) const ERROR_SLOTS: &[&str] = &[
    "message",
    "code",
    "status",
    "request_id",
    "errors",
    "field",
    "operation",
];

impl Compiler<'_> {
    pub(super) fn errors_map(
        &mut self,
        s: &file::ErrorsSection,
        media_type: &http::HeaderValue,
    ) -> ErrorMap {
        let flag = s.flag.as_ref().and_then(|f| self.path("errors.flag", f));
        let message = self.paths("errors.message", &s.message);
        let code = self.paths("errors.code", &s.code);
        let request_id = self.paths("errors.request_id", &s.request_id);
        let field_errors = s
            .field_errors
            .iter()
            .enumerate()
            .filter_map(|(i, fe)| {
                self.field_errors(&format!("errors.field_errors[{i}]"), fe, s.code_type)
            })
            .collect();
        let integer_codes = s.code_type == Some(file::CodeType::Integer);
        let mut codes = Vec::new();
        for (vendor, canonical) in &s.codes {
            if integer_codes {
                self.integer_code(&format!("errors.codes.{vendor}"), vendor);
            }
            match Code::parse(canonical) {
                Some(c) => codes.push((vendor.clone(), c)),
                None => self.error(
                    format!("errors.codes.{vendor}"),
                    format!("`{canonical}` is not a canonical problem code"),
                ),
            }
        }
        // Where the file names no code for a failure, its code for `bad_request` is written
        // (`ErrorMap::vendor_code`): without one, a surface would write a canonical code in
        // capitals where the vendor's clients read a number.
        if integer_codes && !codes.iter().any(|(_, c)| *c == Code::BadRequest) {
            self.error(
                "errors.codes",
                "`errors.code_type` is \"integer\": name the vendor's code for `bad_request`, the one written for a failure no other code says",
            );
        }
        // A vendor's code is matched against the table only where the file says where it is.
        if code.is_empty()
            && let Some(vendor) = s.codes.keys().next()
        {
            self.error(
                format!("errors.codes.{vendor}"),
                "can never match: `errors.code` names no place the vendor's code is read from",
            );
        }
        let (render, default_render, missing_credential) = self.error_renders(&s.render);
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
        // A vendor that refuses in text: each of its bodies is one string, its words.
        let text = content_type
            .to_str()
            .is_ok_and(|t| t.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("text/")));
        if text {
            for (name, section) in &s.render {
                if section.body.as_ref().is_some_and(|b| !b.is_string()) {
                    self.error(
                        format!("errors.render.{name}.body"),
                        "`errors.content_type` is text: write the body as a string (`\"{{message}}\"`)",
                    );
                }
            }
        }
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
            integer_codes,
            render,
            default_render,
            missing_credential,
            content_type,
            text,
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
        code_type: Option<file::CodeType>,
    ) -> Option<(FieldPath, Form)> {
        let path = self.path(&format!("{key}.path"), &fe.path);
        let form = match fe.form {
            file::FormName::Lists => Some(Form::Lists),
            file::FormName::Strings => Some(Form::Strings),
            file::FormName::Param => Some(Form::Param),
            file::FormName::Items => self.item_form(key, fe).map(Form::Items),
            file::FormName::Codes => self.code_form(key, fe, code_type).map(Form::Codes),
        };
        let items_only = [
            ("field", fe.field.is_some()),
            ("message", fe.message.is_some()),
            ("skip", !fe.skip.is_empty()),
        ];
        if fe.form != file::FormName::Items {
            for (what, given) in items_only {
                if given {
                    self.error(format!("{key}.{what}"), "only the `items` form takes it");
                }
            }
        }
        let written = matches!(fe.form, file::FormName::Items | file::FormName::Codes);
        if fe.item.is_some() && !written {
            self.error(
                format!("{key}.item"),
                "only the `items` and `codes` forms take it",
            );
        }
        if !fe.meanings.is_empty() && fe.form != file::FormName::Codes {
            self.error(format!("{key}.meanings"), "only the `codes` form takes it");
        }
        Some((path?, form?))
    }

    /// `[errors.render.CODE]`: how the vendor spells each canonical problem, the required
    /// `default` for the codes it has no template for, and `missing_credential`, a 401 for a
    /// request without a credential where the vendor answers it apart.
    fn error_renders(
        &mut self,
        sections: &BTreeMap<String, file::RenderSection>,
    ) -> (Vec<(Code, Render)>, Render, Option<Render>) {
        let mut render = Vec::new();
        let mut default_render = None;
        let mut missing_credential = None;
        for (name, section) in sections {
            let key = format!("errors.render.{name}");
            let body = match &section.body {
                Some(body) => {
                    let Some(body) = self.template(&format!("{key}.body"), body) else {
                        continue;
                    };
                    self.check_slots(&format!("{key}.body"), &body, ERROR_SLOTS);
                    Some(body)
                }
                None => None,
            };
            let r = Render {
                status: section.status,
                body,
            };
            if name == "default" {
                default_render = Some(r);
            } else if name == MISSING_CREDENTIAL {
                missing_credential = Some(r);
            } else {
                match Code::parse(name) {
                    Some(c) => render.push((c, r)),
                    None => self.error(
                        &key,
                        "not a canonical problem code (or `default`, `missing_credential`)",
                    ),
                }
            }
        }
        let default_render = default_render.unwrap_or_else(|| {
            // A `default` given whose body could not be read has been refused for that alone.
            if !sections.contains_key("default") {
                self.error(
                    "errors.render.default",
                    "is required: how this vendor spells an error it has no template for",
                );
            }
            Render {
                status: None,
                body: None,
            }
        });
        (render, default_render, missing_credential)
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

    /// The `codes` form: what each code means, and the code a surface writes for a field
    /// error none of them says (a string, with `{{field}}`).
    fn code_form(
        &mut self,
        key: &str,
        fe: &file::FieldErrorsSection,
        code_type: Option<file::CodeType>,
    ) -> Option<CodeForm> {
        let integer = code_type == Some(file::CodeType::Integer);
        let item = self.template_at(key, "item", fe.item.as_ref());
        match (&item, &fe.item) {
            (Some(template), Some(Value::String(_))) => {
                self.check_slots(&format!("{key}.item"), template, &["field"]);
            }
            (_, Some(_)) => self.error(format!("{key}.item"), "must be a string: the code written"),
            (_, None) => self.error(format!("{key}.item"), "is required by the `codes` form"),
        }
        if integer {
            for code in fe.meanings.keys() {
                self.integer_code(&format!("{key}.meanings.{code}"), code);
            }
        }
        let meanings = fe
            .meanings
            .iter()
            .map(|(code, m)| (code.clone(), m.field.clone(), m.message.clone()))
            .collect();
        Some(CodeForm {
            meanings,
            item: item?,
            integer,
        })
    }

    /// A code of a vendor whose codes are integers: the integer's decimal text, as a numeric
    /// code is read (`1001`, never `01001` or `+1001`, which no answer would match).
    fn integer_code(&mut self, key: &str, code: &str) {
        if code.parse::<i64>().map(|n| n.to_string()).as_deref() != Ok(code) {
            self.error(
                key,
                format!("`{code}` is no integer, and `errors.code_type` is \"integer\""),
            );
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
}
