//! Headers of a vendor's answer that name the webhook it made or changed (`Resource-ID: 123`,
//! `Location: https://api.example/v2/webhooks/123`), as an operation's `response_headers`
//! declare them: each a template of `{{id}}` (and, in a path, `{{owner}}`), matched against
//! the vendor's header when its answer is read, and written by the dialect's surfaces and
//! emulators when they answer.
//!
//! Two forms. Text (`{{id}}`, `wh_{{id}}`) is matched against the whole value, and the id
//! there is the vendor's spelling of it, read through the `id` rule's codec as an id in a body
//! is. A path (`/v2/webhooks/{{id}}`) is matched against the path of an absolute URL or
//! against a path, segment by segment from its end, each segment percent-decoded: the id
//! there is the one the vendor's paths carry, as an operation's `{id}` is.
//!
//! An answer names one webhook or none: its headers' ids are compared as the vendor reads ids
//! ([`Codec::names_one_id`]), and a line a proxy merged of two (`Resource-ID: 123, 124`) is
//! read as the two it was, so that an answer naming two webhooks is never taken for one.

use super::codec::Codec;
use super::template::{Piece, Template};
use super::url::{PathSeg, PathTemplate};
use http::{HeaderName, HeaderValue};
use serde_json::Value;

/// One declared header that names the webhook.
#[derive(Debug, Clone)]
pub struct IdHeader {
    /// The header's name.
    pub name: HeaderName,
    /// Its name as the file spells it (`Resource-ID`), for messages.
    pub spelt: String,
    /// The template as the file writes it, for messages.
    pub written: String,
    form: Form,
}

/// How a header names the id.
#[derive(Debug, Clone)]
enum Form {
    /// The whole value: the id's text between text of the vendor's own.
    Text { before: String, after: String },
    /// A path, or an absolute URL's path; written as an absolute URL where `absolute`.
    Path { path: PathTemplate, absolute: bool },
}

/// What the headers of one answer name.
#[derive(Debug, Default)]
pub struct Named {
    /// The webhook's canonical id and owner (the owner where a path names one), with the
    /// header that named them.
    pub found: Option<Found>,
    /// Two headers (or two lines of one) that name different webhooks, in words that follow
    /// `an answer` (`whose `Location` header names webhook 8 and whose …`).
    pub conflict: Option<String>,
    /// Why each declared header named nothing (missing, or not of its form), in words.
    pub unread: Vec<String>,
}

/// A webhook a header names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Its canonical id.
    pub id: String,
    /// Its owner, where the header's path names one.
    pub owner: Option<String>,
    /// The header that named it, as the file spells it.
    pub by: String,
}

/// Where an answer is given, for a path written as an absolute URL: the origin the client
/// named (`https://host:8443`, none where it named no authority) and the mount prefix of the
/// API it called (`/surfaces/desk`, empty for none).
#[derive(Debug, Clone, Copy, Default)]
pub struct Address<'a> {
    /// `scheme://authority`.
    pub origin: Option<&'a str>,
    /// The path before the vendor's own paths.
    pub prefix: &'a str,
}

impl IdHeader {
    /// The header `name` (spelt so in the file) as `template` says it (`text`, compiled
    /// already), a path written as an absolute URL where `absolute`; `owner_span` is how many
    /// segments an owner is (0: the dialect has no owners). The refusal says what is wrong in
    /// the file's terms.
    pub fn new(
        (name, spelt): (HeaderName, &str),
        text: &str,
        template: &Template,
        absolute: bool,
        owner_span: usize,
    ) -> Result<IdHeader, String> {
        let pieces: Vec<Piece> = match template {
            Template::Slot {
                name: slot,
                index,
                default: None,
            } if index.is_empty() => vec![Piece::Slot(slot.clone(), Vec::new())],
            Template::Slot { name: slot, .. } => {
                return Err(format!(
                    "`{{{{{slot}}}}}` is read from the vendor's header as it stands: no index, no default"
                ));
            }
            Template::Text(pieces) => pieces.clone(),
            _ => Vec::new(),
        };
        let slots: Vec<&str> = pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Slot(slot, _) => Some(slot.as_str()),
                Piece::Text(_) => None,
            })
            .collect();
        if let Some(other) = slots.iter().find(|s| !matches!(**s, "id" | "owner")) {
            let owner = if owner_span > 0 {
                " and `{{owner}}`"
            } else {
                ""
            };
            return Err(format!(
                "unknown placeholder `{{{{{other}}}}}`: a header that names the webhook holds `{{{{id}}}}`{owner} alone"
            ));
        }
        if pieces
            .iter()
            .any(|p| matches!(p, Piece::Slot(_, index) if !index.is_empty()))
        {
            return Err("a placeholder here is read as it stands: no index".into());
        }
        match slots.iter().filter(|s| **s == "id").count() {
            0 => {
                return Err(format!(
                    "`{text}` holds no `{{{{id}}}}`: an operation's `response_headers` say where its answer names the webhook's id (headers every answer carries are `dialect.response_headers`)"
                ));
            }
            1 => {}
            _ => return Err(format!("`{text}` holds `{{{{id}}}}` twice")),
        }
        let owned = slots.contains(&"owner");
        if owned && owner_span == 0 {
            return Err("`{{owner}}`: the dialect declares no owner scope (dialect.owner)".into());
        }
        if text.contains("://") {
            return Err(format!(
                "`{text}`: write the path alone (`/v2/webhooks/{{{{id}}}}`), which is matched against the path of an absolute URL; `absolute = true` has surfaces and emulators write it as one"
            ));
        }
        let form = if text.starts_with('/') {
            Form::Path {
                path: path_of(text, owner_span)?,
                absolute,
            }
        } else {
            if absolute {
                return Err(format!(
                    "`absolute` writes a path as an absolute URL: `{text}` is no path (it begins with `/`)"
                ));
            }
            if owned {
                return Err(format!(
                    "`{text}`: `{{{{owner}}}}` may stand in a path alone, whose segments part it from the id"
                ));
            }
            let (before, after) = around_id(&pieces);
            Form::Text { before, after }
        };
        Ok(IdHeader {
            name,
            spelt: spelt.to_owned(),
            written: text.to_owned(),
            form,
        })
    }

    /// Whether this header writes a path as an absolute URL.
    pub fn absolute(&self) -> bool {
        matches!(self.form, Form::Path { absolute: true, .. })
    }

    /// The webhooks one line of the header names (`codec`: the `id` rule's), or why it names
    /// none, in words. A line that holds commas is read as the list a proxy makes of the
    /// lines it merges (RFC 9110, §5.3) where each of its elements is of the header's form
    /// (`Resource-ID: 123, 124` names two webhooks); else as one value, in which an id may
    /// hold a comma (`/v2/webhooks/a,b`).
    pub fn read_line(
        &self,
        line: &str,
        codec: &Codec,
    ) -> Result<Vec<(String, Option<String>)>, String> {
        if line.contains(',') {
            let elements: Option<Vec<_>> = (line.split(','))
                .map(|e| e.trim_matches([' ', '\t']))
                .filter(|e| !e.is_empty())
                .map(|e| self.read(e, codec).ok())
                .collect();
            if let Some(ids) = elements.filter(|ids| !ids.is_empty()) {
                return Ok(ids);
            }
        }
        self.read(line, codec).map(|found| vec![found])
    }

    /// The header's template as the mapping file writes it, for an introspection: the text
    /// (`"{{id}}"`, `"/v2/webhooks/{{id}}"`), or `{"path": …, "absolute": true}` for a path
    /// written as an absolute URL.
    pub fn described(&self) -> Value {
        match self.absolute() {
            true => serde_json::json!({"path": self.written, "absolute": true}),
            false => Value::from(self.written.as_str()),
        }
    }

    /// The webhook one value of the header names (`codec`: the `id` rule's), or why it names
    /// none, in words.
    pub fn read(&self, value: &str, codec: &Codec) -> Result<(String, Option<String>), String> {
        let value = value.trim_matches([' ', '\t']);
        let unlike = || format!("is not of the form `{}`", self.written);
        match &self.form {
            Form::Text { before, after } => {
                let text = value
                    .strip_prefix(before.as_str())
                    .and_then(|v| v.strip_suffix(after.as_str()))
                    .filter(|v| !v.is_empty())
                    .ok_or_else(unlike)?;
                let id = match codec.decode(&Value::from(text)) {
                    Ok(Value::String(id)) => id,
                    Ok(Value::Number(n)) => n.to_string(),
                    Ok(_) => return Err(unlike()),
                    Err(e) => return Err(format!("does not read as an id: it {e}")),
                };
                Ok((id, None))
            }
            Form::Path { path, .. } => {
                let (parts, slashed) = segments_of(value).ok_or_else(unlike)?;
                let wanted = path.segments.len() + path.owner_span - 1;
                let from = parts.len().checked_sub(wanted).ok_or_else(unlike)?;
                match path.matches(&parts[from..], slashed) {
                    Some((owner, Some(id))) => Ok((id, owner)),
                    _ => Err(unlike()),
                }
            }
        }
    }

    /// The header's value for the webhook of canonical `id` (and `owner`, where the path names
    /// one), given at `at`: in text, the id as the vendor's answers write it (`codec`, the `id`
    /// rule's), or as it is where the codec cannot write it (another vendor's id, behind a
    /// surface), as a body shows it. `None` where it holds what no header may.
    pub fn write(
        &self,
        id: &str,
        owner: Option<&str>,
        codec: &Codec,
        at: Address<'_>,
    ) -> Option<HeaderValue> {
        let text = match &self.form {
            Form::Text { before, after } => {
                let spelt = match codec.render(&Value::from(id)) {
                    Ok(Value::String(text)) => text,
                    Ok(Value::Number(n)) => n.to_string(),
                    _ => id.to_owned(),
                };
                format!("{before}{spelt}{after}")
            }
            Form::Path { path, absolute } => {
                let written = path.render(&[at.prefix], owner, Some(id));
                match (absolute, at.origin) {
                    (true, Some(origin)) => format!("{origin}{written}"),
                    _ => written,
                }
            }
        };
        HeaderValue::from_str(&text).ok()
    }
}

/// What the declared `headers` of one answer name: `values` gives each header's values, in
/// the order its lines came (visible text; `None` for a line that is not). Ids are compared as
/// the vendor reads them ([`Codec::names_one_id`]): `Resource-ID: 123` beside a `Location`
/// naming `0123` names one webhook, kept as the vendor writes its id (`123`).
pub fn read_all(
    headers: &[IdHeader],
    values: impl Fn(&HeaderName) -> Vec<Option<String>>,
    codec: &Codec,
) -> Named {
    let mut named = Named::default();
    for header in headers {
        let lines = values(&header.name);
        if lines.is_empty() {
            named.unread.push(format!("`{}` is missing", header.spelt));
            continue;
        }
        for line in lines {
            let read = match line {
                Some(text) => header.read_line(&text, codec),
                None => Err("is not text".to_owned()),
            };
            let ids = match read {
                Ok(ids) => ids,
                Err(why) => {
                    named.unread.push(format!("`{}` {why}", header.spelt));
                    continue;
                }
            };
            for (id, owner) in ids {
                named.note(header, id, owner, codec);
            }
        }
    }
    named
}

impl Named {
    /// Notes webhook `id` (of `owner`, where the header's path names one) named by `header`:
    /// the first named, or another spelling of it, or a conflict.
    fn note(&mut self, header: &IdHeader, id: String, owner: Option<String>, codec: &Codec) {
        match &mut self.found {
            Some(first) if !codec.names_one_id(&first.id, &id) => {
                let said = format!(
                    "whose `{}` header names webhook {} and whose `{}` header names webhook {id}",
                    first.by, first.id, header.spelt
                );
                self.conflict.get_or_insert(said);
            }
            // Owners differ: which is not said, another owner's is not the client's to learn.
            Some(first) if owner.is_some() && first.owner.is_some() && first.owner != owner => {
                let said = format!(
                    "whose `{}` and `{}` headers name webhook {id} under two owners",
                    first.by, header.spelt
                );
                self.conflict.get_or_insert(said);
            }
            Some(first) => {
                if first.owner.is_none() {
                    first.owner = owner;
                }
                // One id under two spellings: the one the vendor writes (`123`, not `0123`).
                let writes = |id: &str| codec.encode(&Value::from(id)).is_ok();
                if first.id != id && !writes(&first.id) && writes(&id) {
                    first.id = id;
                }
            }
            None => {
                self.found = Some(Found {
                    id,
                    owner,
                    by: header.spelt.clone(),
                });
            }
        }
    }

    /// Why the headers named no webhook, for a refusal: `None` where there were none declared.
    pub fn why_none(&self) -> Option<String> {
        (!self.unread.is_empty()).then(|| self.unread.join("; "))
    }
}

/// The text before and after the one `{{id}}` of a text template.
fn around_id(pieces: &[Piece]) -> (String, String) {
    let at = pieces
        .iter()
        .position(|p| matches!(p, Piece::Slot(..)))
        .unwrap_or(pieces.len());
    let text = Piece::text_of;
    (
        text(&pieces[..at]),
        text(pieces.get(at + 1..).unwrap_or(&[])),
    )
}

/// A path template of `{{id}}` and `{{owner}}`, each a whole segment (the id may be followed
/// by text of the vendor's own, `/webhooks/{{id}}.json`), as an operation's path has them.
fn path_of(text: &str, owner_span: usize) -> Result<PathTemplate, String> {
    let single = text
        .replace("{{id}}", "{id}")
        .replace("{{owner}}", "{owner}");
    let path = PathTemplate::parse(&single).map_err(|_| {
        format!(
            "`{text}`: in a path, `{{{{id}}}}` and `{{{{owner}}}}` each stand as a whole segment (the id may be followed by text of the vendor's own, `/webhooks/{{{{id}}}}.json`)"
        )
    })?;
    if !path.has(&PathSeg::Id) {
        return Err(format!(
            "`{text}`: `{{{{id}}}}` must stand as a path segment"
        ));
    }
    Ok(path.spanning_owner(owner_span.max(1)))
}

/// The decoded segments of the path a header's value names, and whether it ends in `/`: the
/// path of an absolute URL (`https://host/v2/webhooks/7`), of a network-path reference
/// (`//host/…`), or a path itself, its query and fragment left out. `None` where a segment
/// is not UTF-8 once decoded.
fn segments_of(value: &str) -> Option<(Vec<String>, bool)> {
    let value = value.split('#').next().unwrap_or_default();
    let value = value.split('?').next().unwrap_or_default();
    let scheme_len = value
        .find(':')
        .filter(|&at| {
            let scheme = &value[..at];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        })
        .map_or(0, |at| at + 1);
    let rest = &value[scheme_len..];
    let path = match rest.strip_prefix("//") {
        Some(authority_on) => authority_on.find('/').map_or("", |at| &authority_on[at..]),
        None => rest,
    };
    let slashed = path.ends_with('/');
    let parts = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .ok()
                .map(|d| d.into_owned())
        })
        .collect::<Option<Vec<String>>>()?;
    Some((parts, slashed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, text: &str, absolute: bool, span: usize) -> Result<IdHeader, String> {
        let t = Template::compile(&Value::from(text)).unwrap();
        let header = HeaderName::try_from(name).unwrap();
        IdHeader::new((header, name), text, &t, absolute, span)
    }

    #[test]
    fn a_path_is_matched_from_its_end_whatever_comes_before_it() {
        let h = header("location", "/v2/webhooks/{{id}}", false, 0).unwrap();
        for value in [
            "https://api.example/v2/webhooks/123",
            "https://api.example:8443/v2/webhooks/123?x=1#f",
            "/v2/webhooks/123",
            "//api.example/v2/webhooks/123",
            "http://127.0.0.1:1/s/v2/webhooks/123",
            " /v2/webhooks/123 ",
        ] {
            assert_eq!(
                h.read(value, &Codec::Identity),
                Ok(("123".into(), None)),
                "{value}"
            );
        }
        assert_eq!(
            h.read("/v2/webhooks/a%20b", &Codec::Identity),
            Ok(("a b".into(), None))
        );
        for value in [
            "/v2/hooks/123",
            "/webhooks/123",
            "/v2/webhooks/123/events",
            "",
            "123",
            "/v2/webhooks/%ff",
        ] {
            assert!(h.read(value, &Codec::Identity).is_err(), "{value}");
        }
    }

    #[test]
    fn text_is_matched_whole_and_read_through_the_codec() {
        let bare = header("resource-id", "{{id}}", false, 0).unwrap();
        assert_eq!(bare.read("42", &Codec::IntString), Ok(("42".into(), None)));
        let uri = Codec::Prefix("https://api.example/hooks/".into());
        assert_eq!(
            bare.read("https://api.example/hooks/AAA", &uri),
            Ok(("AAA".into(), None))
        );
        assert!(bare.read("https://other.example/hooks/AAA", &uri).is_err());
        let wrapped = header("x-hook", "wh_{{id}}!", false, 0).unwrap();
        assert_eq!(
            wrapped.read("wh_7!", &Codec::Identity),
            Ok(("7".into(), None))
        );
        assert!(wrapped.read("wh_!", &Codec::Identity).is_err());
        assert!(wrapped.read("7", &Codec::Identity).is_err());
    }

    #[test]
    fn a_line_of_commas_is_a_list_where_each_element_is_of_the_form() {
        let bare = header("resource-id", "{{id}}", false, 0).unwrap();
        let ids = |line: &str, codec: &Codec| -> Vec<String> {
            let read = bare.read_line(line, codec).unwrap();
            read.into_iter().map(|(id, _)| id).collect()
        };
        assert_eq!(ids("123, 124", &Codec::IntString), ["123", "124"]);
        assert_eq!(ids("123,\t0123,", &Codec::IntString), ["123", "0123"]);
        assert_eq!(ids("123", &Codec::IntString), ["123"]);
        let path = header("location", "/v2/webhooks/{{id}}", false, 0).unwrap();
        let read = |line: &str| path.read_line(line, &Codec::Identity).unwrap();
        assert_eq!(read("/v2/webhooks/7, https://x/v2/webhooks/8").len(), 2);
        // An element of another form: the line is one value, whose id holds the comma.
        assert_eq!(read("/v2/webhooks/a,b"), [("a,b".to_owned(), None)]);
        assert!(
            path.read_line("/v2/hooks/7, /v2/hooks/8", &Codec::Identity)
                .is_err()
        );
    }

    #[test]
    fn one_id_under_two_spellings_is_named_once_as_the_vendor_writes_it() {
        let bare = header("resource-id", "{{id}}", false, 0).unwrap();
        let path = header("location", "/v2/webhooks/{{id}}", false, 0).unwrap();
        let headers = [bare, path];
        let named = |r: &str, l: &str, codec: &Codec| {
            let values = |name: &HeaderName| match name.as_str() {
                "resource-id" => vec![Some(r.to_owned())],
                _ => vec![Some(l.to_owned())],
            };
            read_all(&headers, values, codec)
        };
        for (r, l) in [("0123", "/v2/webhooks/123"), ("123", "/v2/webhooks/0123")] {
            let read = named(r, l, &Codec::IntString);
            assert_eq!(read.conflict, None, "{r} {l}");
            assert_eq!(read.found.unwrap().id, "123", "{r} {l}");
        }
        // Another vendor's ids are text: `0123` is not its `123`.
        assert!(
            named("0123", "/v2/webhooks/123", &Codec::Identity)
                .conflict
                .is_some()
        );
        let uuid = "5f0c6a52-3b1e-4c8e-9d2a-7b4e1f0a9c31";
        let upper = format!("/v2/webhooks/{}", uuid.to_uppercase());
        let read = named(uuid, &upper, &Codec::Identity);
        assert_eq!((read.conflict, read.found.unwrap().id), (None, uuid.into()));
    }

    #[test]
    fn written_as_the_vendor_writes_it() {
        let at = Address {
            origin: Some("http://127.0.0.1:9"),
            prefix: "/s",
        };
        let bare = header("resource-id", "{{id}}", false, 0).unwrap();
        assert_eq!(bare.write("42", None, &Codec::IntString, at).unwrap(), "42");
        let path = header("location", "/v2/webhooks/{{id}}", false, 0).unwrap();
        assert_eq!(
            path.write("a b", None, &Codec::Identity, at).unwrap(),
            "/s/v2/webhooks/a%20b"
        );
        let url = header("location", "/v2/webhooks/{{id}}", true, 0).unwrap();
        assert_eq!(
            url.write("7", None, &Codec::IntString, at).unwrap(),
            "http://127.0.0.1:9/s/v2/webhooks/7"
        );
        let owned = header("location", "/teams/{{owner}}/hooks/{{id}}", false, 1).unwrap();
        assert_eq!(
            owned.write("7", Some("t1"), &Codec::Identity, Address::default()),
            Some(HeaderValue::from_static("/teams/t1/hooks/7"))
        );
        assert_eq!(
            owned.read("https://x/teams/t1/hooks/7", &Codec::Identity),
            Ok(("7".into(), Some("t1".into())))
        );
    }

    #[test]
    fn templates_that_name_no_webhook_are_refused() {
        for (text, absolute, span, says) in [
            ("/v2/webhooks", false, 0, "holds no `{{id}}`"),
            ("static", false, 0, "holds no `{{id}}`"),
            ("{{webhook}}", false, 0, "unknown placeholder `{{webhook}}`"),
            ("{{id}}-{{id}}", false, 0, "twice"),
            ("{{id|7}}", false, 0, "no default"),
            ("/t/{{owner}}/{{id}}", false, 0, "no owner scope"),
            ("{{owner}}:{{id}}", false, 1, "in a path alone"),
            ("{{id}}", true, 0, "is no path"),
            (
                "https://api.example/v2/webhooks/{{id}}",
                false,
                0,
                "the path alone",
            ),
            ("/v2/wh_{{id}}", false, 0, "whole segment"),
        ] {
            let refused = header("location", text, absolute, span).unwrap_err();
            assert!(refused.contains(says), "{text}: {refused}");
        }
    }
}
