//! Error envelopes: how a dialect spells failure, read into a [`Problem`] and rendered back.
//!
//! Reading: a vendor answer is a failure when its status is not 2xx or its failure flag
//! (`$.success`) is `false`. Its message, code, request id and field errors are found at the
//! paths the mapping file lists (first match wins), field names are translated to canonical
//! ones, and the vendor's code or status picks the canonical code. Rendering: the mapping file's
//! template for the canonical code (or its `default`) is filled from the problem.

use super::json_path::{FieldPath, Step};
use super::rules::ObjectMap;
use super::template::{Piece, Template};
use crate::problem::{Code, FieldError, Problem, UpstreamInfo};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// How a vendor lists field errors.
#[derive(Debug, Clone, PartialEq)]
pub enum Form {
    /// `{"field": ["message", …]}` (Laravel, Rails); a lone string is taken as one message.
    Lists,
    /// `{"field": "message"}`.
    Strings,
    /// `"field"`: one field named beside the top-level message (a `param` member, say).
    Param,
    /// `[{"loc": ["body", "url"], "msg": "…"}, …]`: one item per field error.
    Items(ItemForm),
    /// `["url_invalid", "event_types_required"]`: one code per field error, each standing for
    /// a field and a message.
    Codes(CodeForm),
}

/// What each of a vendor's error codes says, and how one no code says is written.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeForm {
    /// Each code, with the vendor's field it names and the message it stands for.
    pub meanings: Vec<(String, String, String)>,
    /// The code written for a field error no meaning says, with `{{field}}`.
    pub item: Template,
    /// The codes are integers (`errors.code_type`), written as JSON numbers.
    pub integer: bool,
}

impl CodeForm {
    /// The code of a field error: the one whose meaning is that field and message, else the
    /// `item` template's for its field; an error of the request as a whole is its message
    /// (a code read that the file does not know, written back as the vendor wrote it).
    fn code_of(&self, error: &FieldError) -> Option<Value> {
        if error.field.is_empty() {
            return Some(code_value(&error.message, self.integer));
        }
        let meant = self
            .meanings
            .iter()
            .find(|(_, field, message)| *field == error.field && *message == error.message);
        if let Some((code, _, _)) = meant {
            return Some(code_value(code, self.integer));
        }
        let slots = |name: &str| (name == "field").then(|| Value::from(error.field.as_str()));
        match self.item.render(&slots)? {
            Value::String(code) => Some(code_value(&code, self.integer)),
            other => Some(other),
        }
    }
}

/// Where an item of a list of field errors names its field and message, and how one is
/// written.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemForm {
    /// The item's field: a string, or an array of segments joined with `.`.
    pub field: FieldPath,
    /// The item's message.
    pub message: FieldPath,
    /// Leading segments that name no field (`"body"`).
    pub skip: Vec<Value>,
    /// One item, with `{{field}}` and `{{message}}`.
    pub item: Template,
}

/// A vendor's error template for one canonical code.
#[derive(Debug, Clone)]
pub struct Render {
    /// The status, where it is not the canonical one.
    pub status: Option<u16>,
    /// The body; `None` where the vendor answers the failure without one (a bare 404).
    pub body: Option<Template>,
}

/// How a dialect spells failure, both ways.
#[derive(Debug, Clone)]
pub struct ErrorMap {
    /// A 2xx whose value here is `false` is a failure.
    pub flag: Option<FieldPath>,
    /// `flag` as object keys, where it is only keys: the flag is then found in an answer's
    /// text without parsing the answer.
    pub flag_keys: Option<Vec<String>>,
    /// Where the message is; the first string found wins.
    pub message: Vec<FieldPath>,
    /// Where the vendor's code is.
    pub code: Vec<FieldPath>,
    /// Where the vendor's request id is.
    pub request_id: Vec<FieldPath>,
    /// Where field errors are, and in which form.
    pub field_errors: Vec<(FieldPath, Form)>,
    /// Vendor code → canonical code.
    pub codes: Vec<(String, Code)>,
    /// The vendor's codes are integers (`errors.code_type = "integer"`): `{{code}}` is written
    /// as a JSON number, as its clients read it.
    pub integer_codes: bool,
    /// How surfaces spell each canonical code.
    pub render: Vec<(Code, Render)>,
    /// How surfaces spell the rest.
    pub default_render: Render,
    /// How surfaces spell a 401 for a request that presents no credential, where the vendor
    /// answers it otherwise than one it refuses (`errors.render.missing_credential`).
    pub missing_credential: Option<Render>,
    /// The media type of rendered error bodies.
    pub content_type: http::HeaderValue,
    /// The bodies are text (`text/plain`, a vendor that refuses in words, `invalid key`): each
    /// template is a string, written as it renders rather than as JSON.
    pub text: bool,
    /// How a surface refuses a body it cannot read as a JSON object (`bad_request`, or the
    /// vendor's validation failure naming the body as a whole).
    pub unreadable_body: Code,
    /// How a surface refuses a path segment that names nothing (a dot segment, a separator).
    pub unreadable_path: Code,
}

/// The facts of one vendor failure.
pub struct Failure<'a> {
    /// The vendor's status.
    pub status: u16,
    /// The body, when it is JSON (an empty body is not).
    pub body: Option<&'a Value>,
    /// The vendor's `X-Request-Id`.
    pub header_request_id: Option<&'a str>,
    /// The vendor's `Retry-After`.
    pub retry_after: Option<&'a str>,
    /// The body as it came, for a refusal that says what it is where it is no JSON.
    pub raw: &'a [u8],
    /// The body as text, where it is no JSON, the vendor says it is plain text and the status
    /// is a 4xx (`text/plain`: `invalid key`, `model not found`, as a few older APIs refuse).
    pub text: Option<&'a str>,
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

    /// [`is_failure`](Self::is_failure) for an answer read as it was parsed, its failure flag
    /// looked up in what was left of it (an error where that cannot be parsed after all).
    pub fn flags_failure(
        &self,
        status: u16,
        rest: &crate::json::Rest,
    ) -> Result<bool, serde_json::Error> {
        if !(200..300).contains(&status) {
            return Ok(true);
        }
        let Some(flag) = &self.flag else {
            return Ok(false);
        };
        if let Some(keys) = &self.flag_keys
            && let Ok(found) = rest.text_at(keys)
        {
            return Ok(found == Some(b"false"));
        }
        // A path through an index, or a key repeated on the way: the rest read whole.
        Ok(flag.get(&rest.value()?) == Some(&Value::Bool(false)))
    }

    /// Translates a vendor failure into a problem naming canonical fields.
    pub fn read(
        &self,
        failure: &Failure<'_>,
        fields: &ObjectMap,
        upstream: UpstreamInfo,
    ) -> Problem {
        self.read_sent(failure, &Naming { fields, sent: None }, upstream)
    }

    /// Translates a vendor failure into a problem, as [`ErrorMap::read`], naming the fields of
    /// the request body the failure answers as `naming` says.
    pub fn read_sent(
        &self,
        failure: &Failure<'_>,
        naming: &Naming<'_>,
        upstream: UpstreamInfo,
    ) -> Problem {
        let mut info = upstream;
        info.status = Some(failure.status);
        info.request_id = failure.header_request_id.map(str::to_owned);
        let Some(body) = failure.body else {
            return not_json(failure, info);
        };
        let read = self.identify(body, &mut info);
        let mut errors = Vec::new();
        for (path, form) in &self.field_errors {
            // What is read as something else is no field error of this entry's: the message,
            // the code, the request id, another entry's errors.
            let others = (self.field_errors.iter())
                .filter(|(p, f)| p != path && f.reads(p.get(body)))
                .map(|(p, _)| p);
            let elsewhere: Vec<&FieldPath> = read.iter().copied().chain(others).collect();
            let found = Found {
                at: path,
                value: path.get(body),
                elsewhere: &elsewhere,
            };
            collect_field_errors(found, form, info.message.as_deref(), naming, &mut errors);
        }
        let code = self.canonical_code(failure.status, info.code.as_deref(), !errors.is_empty());
        let detail = if errors.is_empty() {
            info.message
                .clone()
                .unwrap_or_else(|| answered(&info, failure.status, None))
        } else {
            crate::problem::summarise(&errors)
        };
        let mut problem = Problem::new(code, detail);
        problem.errors = errors;
        problem.upstream = Some(Box::new(info));
        problem.retry_after = failure.retry_after.map(str::to_owned);
        problem
    }

    /// The vendor's own words for its failure, where its body holds them: its message, its
    /// error code, and the request id it gave in the body rather than in a header; and the
    /// places they were read at.
    fn identify<'m>(&'m self, body: &Value, info: &mut UpstreamInfo) -> Vec<&'m FieldPath> {
        let mut read = Vec::new();
        let mut first = |paths: &'m [FieldPath], take: fn(&Value) -> Option<String>| {
            let (at, found) = paths
                .iter()
                .find_map(|p| Some((p, p.get(body).and_then(take)?)))?;
            read.push(at);
            Some(found)
        };
        info.message = first(&self.message, |v| v.as_str().map(str::to_owned));
        // A code or request id may be a number (Cloudflare's `{"code": 1001}`): an integer is
        // its decimal text, as the `codes` table's keys (TOML keys are text) spell it.
        info.code = first(&self.code, word);
        if let Some(id) = first(&self.request_id, word) {
            info.request_id = Some(id);
        }
        read
    }

    /// The canonical code of a failure with a JSON body: by its status, refined by the
    /// vendor's code where the status says little.
    fn canonical_code(
        &self,
        status: u16,
        vendor_code: Option<&str>,
        has_field_errors: bool,
    ) -> Code {
        let status = if (200..300).contains(&status) {
            // A 2xx carrying a failure flag: the vendor did not say which failure it was.
            if has_field_errors { 422 } else { 400 }
        } else {
            status
        };
        let mapped = vendor_code.and_then(|c| {
            self.codes
                .iter()
                .find(|(v, _)| v == c)
                .map(|(_, code)| *code)
        });
        let by_status = match Code::from_upstream_status(status) {
            Code::BadRequest if has_field_errors => Code::ValidationFailed,
            other => other,
        };
        // A vendor's code refines a status that says little (400, 422, another 4xx, a flagged
        // 2xx); a status with a meaning of its own (401, 403, 404, 429, 5xx …) decides, so a
        // code a vendor uses for several statuses cannot turn a 403 into a 401.
        // A code a vendor gives every refusal of a request (Box's `bad_request`) names no
        // fields; where the answer does, the request failed validation.
        let generic = matches!(by_status, Code::BadRequest | Code::ValidationFailed);
        match mapped {
            Some(Code::BadRequest) if generic && has_field_errors => Code::ValidationFailed,
            Some(code) if generic => code,
            _ => by_status,
        }
    }

    /// A body that is no JSON object, refused as this vendor refuses it: with `problem`'s
    /// code, or as a failed validation of the body as a whole.
    pub fn unreadable(&self, problem: Problem) -> Problem {
        match self.unreadable_body {
            Code::BadRequest => problem,
            code @ (Code::ValidationFailed | Code::UnsupportedField) => {
                Problem::with_errors(code, vec![FieldError::of_body(problem.detail)])
            }
            code => Problem::new(code, problem.detail),
        }
    }

    /// The vendor's code for a canonical code, for rendering (`{{code}}`): the one `codes`
    /// gives it, else the vendor's code for a failure of its kind (`kindred`), so that a
    /// status the vendor names no code for (a 405, a 502) is still answered in the vendor's
    /// words; the canonical code in capitals only where the file names none of them.
    pub fn vendor_code(&self, code: Code) -> String {
        std::iter::once(code)
            .chain(kindred(code).iter().copied())
            .find_map(|wanted| self.codes.iter().find(|(_, c)| *c == wanted))
            .map(|(v, _)| v.clone())
            .unwrap_or_else(|| code.as_str().to_uppercase())
    }

    /// The vendor's error template for `problem`: for a credential not presented, the one
    /// this vendor answers that with where it has one; else its template for the problem's
    /// code, or the default one.
    pub fn template_of(&self, problem: &Problem) -> &Render {
        match &self.missing_credential {
            Some(render) if problem.credential_missing => render,
            _ => self.template_for(problem.code),
        }
    }

    /// The template `problem` is answered with where its words stay in the answer: its own
    /// ([`template_of`](Self::template_of)), unless that one shows the problem only through
    /// `{{errors}}` (a fixed message beside them: Laravel's `The given data was invalid.`) and
    /// `{{errors}}` cannot say all of it: a problem without field errors (a vendor's refusal
    /// in words alone, a list too long to gather), or with one of the request as a whole where
    /// the form has no key for it. Such a problem is answered with the `default` template's
    /// body (which says `{{message}}`), at its own template's status. A form whose items say an
    /// error of the request as a whole (`items`, `codes`) keeps its template instead, with
    /// that error written as one of its items ([`whole_request_error`](Self::whole_request_error)).
    pub fn worded_template_of(&self, problem: &Problem, errors: &[FieldError]) -> Cow<'_, Render> {
        let render = self.template_of(problem);
        let Some(body) = &render.body else {
            return Cow::Borrowed(render);
        };
        let slots = body.slots();
        let says = |errors: &[FieldError]| {
            !errors.is_empty()
                && match self.form() {
                    Form::Items(_) | Form::Codes(_) => true,
                    Form::Lists | Form::Strings => errors.iter().all(|e| !e.field.is_empty()),
                    Form::Param => false,
                }
        };
        if slots.contains(&"message")
            || !slots.contains(&"errors")
            || says(errors)
            || self.whole_request_error(problem, errors).is_some()
        {
            return Cow::Borrowed(render);
        }
        Cow::Owned(Render {
            status: render.status,
            body: self.default_render.body.clone(),
        })
    }

    /// The error of the request as a whole that `{{errors}}` is written from for a problem
    /// without field errors, where this vendor's form writes such an error as one of its
    /// items (`items`, `codes`): its detail, so that a template showing `{{errors}}` alone
    /// says it.
    pub fn whole_request_error(
        &self,
        problem: &Problem,
        errors: &[FieldError],
    ) -> Option<FieldError> {
        let whole = matches!(self.form(), Form::Items(_) | Form::Codes(_));
        (whole && errors.is_empty()).then(|| FieldError::of_body(problem.detail.clone()))
    }

    /// The vendor's error template for `code`, or the default one.
    pub fn template_for(&self, code: Code) -> &Render {
        self.render
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, r)| r)
            .unwrap_or(&self.default_render)
    }

    /// The form in which this vendor lists field errors, for rendering them.
    pub fn form(&self) -> &Form {
        self.field_errors
            .first()
            .map(|(_, f)| f)
            .unwrap_or(&Form::Strings)
    }

    /// Field errors spelled in this vendor's form (for `{{errors}}`), under vendor names, each
    /// message as it is: the field is named by the form, never prefixed to the message.
    pub fn render_field_errors(&self, errors: &[FieldError]) -> Option<Value> {
        if errors.is_empty() {
            return None;
        }
        Some(match self.form() {
            Form::Items(form) => Value::Array(
                errors
                    .iter()
                    .filter_map(|e| {
                        // The body as a whole has no field: its location ends at `{{in}}`.
                        let slots = |name: &str| match name {
                            "field" if e.field.is_empty() => None,
                            "field" => Some(Value::from(e.field.as_str())),
                            "in" => Some(Value::from(e.place.as_str())),
                            "message" => Some(Value::from(e.message.as_str())),
                            _ => None,
                        };
                        // An item written as text that names its field (`"{{field}} {{message}}"`)
                        // writes an error of the request as a whole as its message: never
                        // dropped for the field it does not have.
                        form.item
                            .render(&slots)
                            .or_else(|| e.field.is_empty().then(|| Value::from(e.message.as_str())))
                    })
                    .collect(),
            ),
            // A map of fields has no key for an error of the request as a whole: it is left
            // to the message (`{{message}}`), which names every error, as such vendors write
            // one; none at all where every error is such.
            Form::Lists => {
                let mut map = Map::new();
                for e in errors.iter().filter(|e| !e.field.is_empty()) {
                    let entry = map
                        .entry(e.field.clone())
                        .or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(list) = entry {
                        list.push(Value::from(e.message.as_str()));
                    }
                }
                (!map.is_empty()).then_some(Value::Object(map))?
            }
            Form::Strings => {
                let mut map = Map::new();
                for e in errors.iter().filter(|e| !e.field.is_empty()) {
                    map.entry(e.field.clone())
                        .or_insert_with(|| Value::from(e.message.as_str()));
                }
                (!map.is_empty()).then_some(Value::Object(map))?
            }
            Form::Param => Value::from(
                errors
                    .iter()
                    .find(|e| !e.field.is_empty())
                    .map(|e| e.field.as_str())?,
            ),
            Form::Codes(form) => {
                Value::Array(errors.iter().filter_map(|e| form.code_of(e)).collect())
            }
        })
    }
}

/// A failure whose body is not JSON (an HTML error page, a proxy's text): nothing in it can be
/// read, so its status alone says what it was; a vendor's 5xx is the upstream's error.
/// The longest plain-text failure kept as the vendor's message: a sentence or two, not a page.
const MAX_TEXT_MESSAGE: usize = 500;

/// The canonical codes whose vendor code stands for `code` where the vendor names none for it,
/// nearest first: a server's failure is spelled as the vendor spells its own failures
/// (`upstream_error`, `internal`), and anything else as its general refusal (`bad_request`),
/// the code vendors answer for what they have no code of their own for.
fn kindred(code: Code) -> &'static [Code] {
    if code.status() >= 500 {
        &[Code::UpstreamError, Code::Internal, Code::BadRequest]
    } else {
        &[Code::BadRequest]
    }
}

/// A vendor's code as its answers write it: a JSON number where its codes are integers and
/// this one is an integer's text, else the text.
pub fn code_value(code: &str, integer: bool) -> Value {
    match code.parse::<i64>() {
        Ok(n) if integer => Value::from(n),
        _ => Value::from(code),
    }
}

/// A vendor's code or request id as text: a string as it is, an integer as its decimal text;
/// anything else (a fraction, an object) names none.
fn word(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        _ => None,
    }
}

/// What an upstream's failure was, where its body says no more: the upstream by name, its
/// status and, where its body is no JSON, what it is (`upstream billing answered 500 with an
/// empty body`).
fn answered(info: &UpstreamInfo, status: u16, body: Option<&str>) -> String {
    match body {
        Some(body) => format!("upstream {} answered {status} with {body}", info.name),
        None => format!("upstream {} answered {status}", info.name),
    }
}

/// A failure whose body is no JSON: its status says what it was, and a plain-text body is the
/// vendor's message (cut where a word ends where it is long, or a character, for one word).
fn not_json(failure: &Failure<'_>, mut info: UpstreamInfo) -> Problem {
    let code = match Code::from_upstream_status(failure.status) {
        c if c.status() < 500 => c,
        c @ (Code::UpstreamUnavailable | Code::UpstreamTimeout) => c,
        _ => Code::UpstreamError,
    };
    let message = failure
        .text
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|text| {
            if text.len() <= MAX_TEXT_MESSAGE {
                return text.to_owned();
            }
            let mut end = MAX_TEXT_MESSAGE;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            // Cut where a word ends, never inside one: a credential the text echoes would be
            // left in part, which redaction (of the whole credential) cannot find. Text of one
            // word is cut where a character ends.
            let cut = &text[..end];
            match cut.rfind(char::is_whitespace) {
                Some(space) => cut[..space].trim_end().to_owned(),
                None => cut.to_owned(),
            }
        });
    let detail = match &message {
        Some(text) => text.clone(),
        None => answered(
            &info,
            failure.status,
            Some(crate::json::not_json(failure.raw)),
        ),
    };
    info.message = message;
    let mut p = Problem::new(code, detail);
    p.upstream = Some(Box::new(info));
    p.retry_after = failure.retry_after.map(str::to_owned);
    p
}

impl Form {
    /// Whether this form reads field errors from `found`: a map of fields, a field's name, a
    /// list.
    fn reads(&self, found: Option<&Value>) -> bool {
        matches!(
            (self, found),
            (Form::Lists | Form::Strings, Some(Value::Object(_)))
                | (Form::Param, Some(Value::String(_)))
                | (Form::Items(_) | Form::Codes(_), Some(Value::Array(_)))
        )
    }
}

/// What one entry of `field_errors` finds in a failure's body.
struct Found<'a> {
    /// Where it looks.
    at: &'a FieldPath,
    /// What is there.
    value: Option<&'a Value>,
    /// The places read as something else (the message, the code, the request id, another
    /// entry's errors), whose members are none of this entry's.
    elsewhere: &'a [&'a FieldPath],
}

/// How the fields a vendor's failure names are named for the client: by the webhook's rules,
/// where they are the webhook's; the envelope of the body sent around it, where it is known.
pub struct Naming<'a> {
    /// The webhook's rules.
    pub fields: &'a ObjectMap,
    /// The template of the request body the failure answers, where it had one.
    pub sent: Option<&'a Template>,
}

/// Where a vendor's name of a field lies in the body sent.
enum Sent<'v> {
    /// Outside the webhook, named so: the envelope's value of the client's, a literal of the
    /// envelope, the body as a whole.
    Named(FieldError),
    /// At this place of the webhook, which its rules name.
    Webhook(&'v str),
}

impl Naming<'_> {
    /// The field error of `vendor_field`: named as a place of the body sent where it is one
    /// (`named_as_sent`), else by the webhook's rules.
    pub fn field_error(&self, vendor_field: &str, message: &str) -> FieldError {
        self.named(self.placed(vendor_field, message), None, message)
    }

    /// The field error of an item of a list naming its field (`field`): by segments, some
    /// leading ones of which may name no field (`skip`: FastAPI's `["body", "url"]`). The name
    /// as the vendor wrote it is tried first against the body sent, whatever `skip` says: a
    /// JSON Pointer names the body from its root (`/data/type`, a literal of a JSON:API
    /// envelope, is the envelope's even where `skip` drops `data`). A name that is no place of
    /// the body sent is read past the skipped segments, the body as a whole where nothing is
    /// left. A member of the webhook no rule reads is named as the file's items name a field
    /// where they name it after text of their own ([`ItemField::past_item`]).
    fn item_error(&self, field: &ItemField, message: &str) -> FieldError {
        let sent = match self.named_as_sent(&field.written, message) {
            Some(sent) => sent,
            None if field.past_skip.is_empty() => return FieldError::new("", message),
            None => self.placed(&field.past_skip, message),
        };
        self.named(sent, field.past_item.as_deref(), message)
    }

    /// Where `vendor_field` lies: a place of the body sent ([`Naming::named_as_sent`]), else
    /// the webhook's place of that name.
    fn placed<'v>(&self, vendor_field: &'v str, message: &str) -> Sent<'v> {
        self.named_as_sent(vendor_field, message)
            .unwrap_or(Sent::Webhook(vendor_field))
    }

    /// The field error of what `sent` names: a place of the webhook by the rule that reads it;
    /// one no rule reads as `extensions.NAME`, NAME its name as the vendor's errors name a
    /// field (`items_name`) where it is known, else its place in the webhook.
    fn named(&self, sent: Sent<'_>, items_name: Option<&str>, message: &str) -> FieldError {
        match sent {
            Sent::Named(named) => named,
            Sent::Webhook(place) => {
                (self.fields.read_field_error(place, message)).unwrap_or_else(|| {
                    let name = items_name.unwrap_or(place);
                    FieldError::new(format!("extensions.{name}"), message)
                })
            }
        }
    }

    /// Where `vendor_field` lies in the body sent; `None` where no body was sent, or where the
    /// name lies in none of its places. Where the webhook is the body (or spread at its root),
    /// a place one of its rules reads is the webhook's; any other name is no place of the body
    /// sent (FastAPI's `body.url`, read past `skip`). A place inside the webhook's
    /// (`subscription.notification_url`, the webhook at `subscription`) is the webhook's, its
    /// place there named by the webhook's rules; the webhook's place itself is the body as a
    /// whole. A member the envelope holds beside the webhook is none of the webhook's, and is
    /// never named as an extension the client did not send: a value of the client's is named
    /// as its placeholder ([`placed_value_error`]), any other member (a literal) is the
    /// request's as a whole, its message saying the vendor's name for it.
    fn named_as_sent<'v>(&self, vendor_field: &'v str, message: &str) -> Option<Sent<'v>> {
        let sent = self.sent?;
        match sent.envelope_member(vendor_field, "webhook") {
            Some(Template::Slot { name, .. }) => {
                return Some(Sent::Named(placed_value_error(name, message)));
            }
            Some(_) => {
                let whole = FieldError::new("", format!("{vendor_field}: {message}"));
                return Some(Sent::Named(whole));
            }
            None => {}
        }
        let at = sent.path_of("webhook")?;
        if at.steps().is_empty() {
            // The webhook is the body: a place its rules read is theirs, whatever `skip` says.
            let read = self.fields.read_field_error(vendor_field, message);
            return read.map(Sent::Named);
        }
        if at.is_spelled(vendor_field) {
            // The webhook itself: the body the client sent, as a whole.
            return Some(Sent::Named(FieldError::new("", message)));
        }
        let rest = at.spelled_inside(vendor_field)?;
        Some(Sent::Webhook(rest.strip_prefix('.').unwrap_or(rest)))
    }
}

/// The field error of a value the envelope of a body holds beside the webhook, by the
/// placeholder that placed it: the idempotency key is the client's `Idempotency-Key` header;
/// any other is the canonical field it is the value of (`{{secret}}` is `secret`, `{{id}}`
/// the webhook's `id`, `{{current.url}}` its `url`), whatever the vendor calls its member.
fn placed_value_error(placeholder: &str, message: &str) -> FieldError {
    match placeholder {
        "idempotency_key" => FieldError::in_header("Idempotency-Key", message),
        name => FieldError::new(name.strip_prefix("current.").unwrap_or(name), message),
    }
}

fn collect_field_errors(
    found: Found<'_>,
    form: &Form,
    message: Option<&str>,
    fields: &Naming<'_>,
    out: &mut Vec<FieldError>,
) {
    let text = |m: &Value| {
        m.as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| m.to_string())
    };
    match (form, found.value) {
        (Form::Lists | Form::Strings, Some(Value::Object(map))) => {
            let named = Named {
                fields,
                elsewhere: found.elsewhere,
            };
            named.errors_in(map, found.at, "", out);
        }
        (Form::Param, Some(Value::String(field))) => {
            // The top-level message may name the field itself (`url: must use HTTPS`, as
            // hookgate's own surfaces write one): the field error names it once, not twice.
            let message = message.map(|m| {
                m.strip_prefix(field.as_str())
                    .and_then(|rest| rest.strip_prefix(": "))
                    .filter(|rest| !rest.is_empty())
                    .unwrap_or(m)
            });
            out.push(fields.field_error(field, message.unwrap_or("is invalid")))
        }
        (Form::Codes(form), Some(Value::Array(codes))) => {
            for code in codes {
                let said =
                    word(code).and_then(|c| form.meanings.iter().find(|(known, _, _)| *known == c));
                out.push(match said {
                    Some((_, field, message)) => fields.field_error(field, message),
                    // A code the file does not know is the request's, in the vendor's words.
                    None => FieldError::new("", text(code)),
                });
            }
        }
        (Form::Items(form), Some(Value::Array(items))) => {
            let prefix = form.field_prefix();
            for item in items {
                let field = form
                    .field
                    .get(item)
                    .and_then(|f| ItemField::of(f, &form.skip, prefix.as_deref()));
                // An item is its own message where it is one (`["Url is invalid"]`).
                let message = match item {
                    Value::String(s) => Some(s.clone()),
                    _ => form.message.get(item).map(text),
                };
                out.push(match (field, message) {
                    (Some(field), message) => {
                        fields.item_error(&field, message.as_deref().unwrap_or("is invalid"))
                    }
                    // An item that names no field (`{"code": "custom", "message": "Hook
                    // already exists"}`) is about the request as a whole: carried so, not
                    // dropped; one of no message either is shown as the vendor wrote it.
                    (None, message) => FieldError::new("", message.unwrap_or_else(|| text(item))),
                });
            }
        }
        _ => {}
    }
}

/// How a map of fields (the `lists` and `strings` forms) is read: by the object's rules, past
/// the places read as something else.
struct Named<'a> {
    fields: &'a Naming<'a>,
    elsewhere: &'a [&'a FieldPath],
}

impl Named<'_> {
    /// The field errors of `map`, a map of fields at `at` whose members are named under
    /// `prefix`. A member's messages are a string, or a list of strings; an object holds the
    /// errors of its own members (`{"config": {"url": [...]}}` is `config.url`'s, as nested
    /// validations answer). Any other value (a number, a boolean, `null`, a list of anything
    /// but strings) holds no message, and is no field error: it is the envelope's (a status,
    /// a flag). Nor is a member at or around a place read as something else (Sentry's
    /// `{"detail": "Not found"}`, its message). A key that names no field (`""`) holds errors
    /// of the request as a whole, or of the object it is in.
    fn errors_in(
        &self,
        map: &Map<String, Value>,
        at: &FieldPath,
        prefix: &str,
        out: &mut Vec<FieldError>,
    ) {
        for (key, value) in map {
            // Written only where it is looked at: most errors have nothing read elsewhere
            // among their members, and hold no objects.
            let place = || at.clone().child(Step::Key(key.clone()));
            if !self.elsewhere.is_empty() {
                let place = place();
                if self.elsewhere.iter().any(|read| read.starts_with(&place)) {
                    continue;
                }
            }
            let field = match (prefix, key.as_str()) {
                ("", key) | (key, "") => key.to_owned(),
                (prefix, key) => format!("{prefix}.{key}"),
            };
            let error = |message: &str| match field.as_str() {
                "" => FieldError::new("", message),
                field => self.fields.field_error(field, message),
            };
            match value {
                Value::String(message) => out.push(error(message)),
                Value::Array(list) if list.iter().all(Value::is_string) => {
                    out.extend(list.iter().filter_map(Value::as_str).map(error));
                }
                Value::Object(inner) => self.errors_in(inner, &place(), &field, out),
                _ => {}
            }
        }
    }
}

/// An item's field as dotted names: a string as it is, or the segments of an array joined
/// with `.`. A string that begins with `/` is a JSON Pointer (RFC 6901: JSON:API's
/// `source.pointer`, `/data/attributes/url`), taken as the segments it names.
struct ItemField {
    /// Every segment, as the vendor wrote them (`data.attributes.url`).
    written: String,
    /// The segments after the leading ones that name no field (`skip`); empty where none is
    /// left.
    past_skip: String,
    /// The segments after the text the file's items write before a field's name
    /// ([`ItemForm::field_prefix`]: `foo` of `/data/attributes/foo`, where items point at
    /// `/data/attributes/{{field}}`), where they begin with it: the field as the vendor's
    /// errors name one, which its surfaces write back where the name was.
    past_item: Option<String>,
}

impl ItemField {
    /// The field `found` names; `None` where it names none (an empty name, no string nor
    /// array). `prefix`: what the file's items write before a field's name, dotted.
    fn of(found: &Value, skip: &[Value], prefix: Option<&str>) -> Option<ItemField> {
        let segments: Vec<Value> = match found {
            Value::String(pointer) if pointer.starts_with('/') => pointer[1..]
                .split('/')
                .map(|s| Value::from(s.replace("~1", "/").replace("~0", "~")))
                .collect(),
            Value::String(s) if s.is_empty() => return None,
            Value::String(s) => {
                return Some(ItemField {
                    written: s.clone(),
                    past_skip: s.clone(),
                    past_item: past(s, prefix),
                });
            }
            Value::Array(segments) if !segments.is_empty() => segments.clone(),
            _ => return None,
        };
        let leading = segments
            .iter()
            .zip(skip)
            .take_while(|(seg, skipped)| seg == skipped)
            .count();
        let dotted = |segments: &[Value]| {
            let parts: Vec<String> = segments
                .iter()
                .map(|seg| match seg {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            parts.join(".")
        };
        let written = dotted(&segments);
        (!written.is_empty()).then(|| ItemField {
            past_item: past(&written, prefix),
            past_skip: dotted(&segments[leading..]),
            written,
        })
    }
}

/// What follows `prefix` (dotted segments) in `written`, where it begins with them and more.
fn past(written: &str, prefix: Option<&str>) -> Option<String> {
    let rest = written.strip_prefix(prefix?)?.strip_prefix('.')?;
    (!rest.is_empty()).then(|| rest.to_owned())
}

impl ItemForm {
    /// The text this file's items write before a field's name, as dotted segments, where they
    /// write one (JSON:API's `pointer = "/data/attributes/{{field}}"` gives `data.attributes`;
    /// `field = "hook.{{field}}"`, `hook`): a vendor's name read back past it is the field as
    /// its errors name one. `None` where the name stands alone or among other placeholders.
    fn field_prefix(&self) -> Option<String> {
        let mut at = &self.item;
        for step in self.field.steps() {
            at = match (at, step) {
                (Template::Object(members), Step::Key(key)) => {
                    &members.iter().find(|(name, _)| name == key)?.1
                }
                (Template::Array(items), Step::Index(i)) => items.get(*i)?,
                _ => return None,
            };
        }
        let Template::Text(pieces) = at else {
            return None;
        };
        let [Piece::Text(before), Piece::Slot(name, index)] = pieces.as_slice() else {
            return None;
        };
        if name != "field" || !index.is_empty() {
            return None;
        }
        // A JSON Pointer's segments, as `ItemField::of` reads a pointer, or a dotted name's.
        let prefix = match before.strip_prefix('/') {
            Some(pointer) => (pointer.strip_suffix('/')?.split('/'))
                .map(|s| s.replace("~1", "/").replace("~0", "~"))
                .collect::<Vec<_>>()
                .join("."),
            None => before.strip_suffix('.')?.to_owned(),
        };
        (!prefix.is_empty()).then_some(prefix)
    }
}
