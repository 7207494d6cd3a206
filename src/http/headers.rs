//! Header hygiene: request ids, media types, the `Prefer` header and `Link` fields.
//!
//! hookgate forwards headers by allow-list only (a fresh request upstream with `Accept`,
//! `Accept-Encoding: identity`, `Content-Type`, `X-Request-Id` and the credential; a fresh
//! response with `Retry-After`), so no hop-by-hop header, nor one named in `Connection`, can
//! cross it in either direction.

use http::{HeaderMap, HeaderName, HeaderValue, header};

/// `X-Request-Id`: the request's id, taken from the client when valid, else made up, and passed to
/// vendors.
pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// `Idempotency-Key`: the client's idempotency key, passed on to vendors whose dialect takes one.
pub static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The request header fields hookgate writes itself on every vendor request (what it accepts
/// and sends, who sends it, the request id) and those of the connection: a mapping file's
/// operation or an upstream's credential cannot name them.
pub const WRITTEN: &[&str] = &[
    "accept",
    "accept-encoding",
    "connection",
    "content-length",
    "content-type",
    "host",
    "keep-alive",
    "te",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-request-id",
];

/// The header every API of hookgate's takes an inbound API key in (surfaces beside their
/// vendor's own): it carries a client's credential, whatever a mapping file says.
pub static X_API_KEY: HeaderName = HeaderName::from_static("x-api-key");

/// Request header fields of the exchange itself rather than of what it asks (an expectation
/// of the server, the trailers to come, the proxies it passed, cookies): no value of a
/// mapping file's choosing belongs in one.
pub const EXCHANGE: &[&str] = &[
    "cookie",
    "expect",
    "forwarded",
    "proxy-authorization",
    "proxy-connection",
    "trailer",
    "via",
];

/// Vendor rate-limit headers passed on to the client.
pub static RATE_LIMIT: [HeaderName; 3] = [
    HeaderName::from_static("x-ratelimit-limit"),
    HeaderName::from_static("x-ratelimit-remaining"),
    HeaderName::from_static("x-ratelimit-reset"),
];
/// `Preference-Applied`: `handling=lenient` when the answer honoured that preference.
pub static PREFERENCE_APPLIED: HeaderName = HeaderName::from_static("preference-applied");
/// `Hookgate-Dropped-Fields`: the fields dropped under `Prefer: handling=lenient`, comma-separated.
pub static DROPPED_FIELDS: HeaderName = HeaderName::from_static("hookgate-dropped-fields");

/// The request id to use: the client's, when it is a sane token, else a fresh one.
pub fn request_id(headers: &HeaderMap) -> String {
    headers
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 200 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(fresh_request_id)
}

/// A random version 4 UUID as 32 hex digits, from a per-thread generator: a request id needs to
/// be unique, not secret, and so costs no system call.
fn fresh_request_id() -> String {
    let bytes = fastrand::u128(..).to_le_bytes();
    let uuid = uuid::Builder::from_random_bytes(bytes).into_uuid();
    // Encoded into a buffer on the stack, not through `Display`: a third of the instructions.
    uuid.simple()
        .encode_lower(&mut uuid::Uuid::encode_buffer())
        .to_owned()
}

/// Whether the client asked for best-effort translation (`Prefer: handling=lenient`, RFC 7240).
pub fn prefers_lenient(headers: &HeaderMap) -> bool {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split([',', ';']))
        .any(|p| p.trim().eq_ignore_ascii_case("handling=lenient"))
}

/// Whether a request body's media type is JSON: `application/json`, and JSON Merge Patch where
/// `allow_merge_patch` (an update), said as [`utf8_media_type`] asks.
pub fn is_json(headers: &HeaderMap, allow_merge_patch: bool) -> bool {
    let Ok(Some(ct)) = utf8_media_type(headers) else {
        return false;
    };
    let essence = essence(ct).to_ascii_lowercase();
    essence == "application/json"
        || (allow_merge_patch && essence == "application/merge-patch+json")
}

/// Why a request body cannot be read as its `Content-Type` says, whatever media type it names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unreadable {
    /// More than one `Content-Type` field.
    #[error("the body's media type is said in more than one Content-Type field: send one")]
    Twice,
    /// A `Content-Type` that is no text.
    #[error("the Content-Type field is not text")]
    NotText,
    /// A charset other than UTF-8.
    #[error("the body is said to be in charset `{0}`: send it in UTF-8")]
    Charset(String),
}

/// A request's media type, from its one `Content-Type` field (`None` where it has none), when
/// a body in it can be read as hookgate reads every body, as UTF-8: its `charset`, if it names
/// one, is UTF-8 (`utf-8` or `utf8`, in any case, quoted or not).
pub fn utf8_media_type(headers: &HeaderMap) -> Result<Option<&str>, Unreadable> {
    // One field only: of two, which one a reader takes is its own choice.
    let mut fields = headers.get_all(header::CONTENT_TYPE).iter();
    let (first, second) = (fields.next(), fields.next());
    if second.is_some() {
        return Err(Unreadable::Twice);
    }
    let Some(ct) = first else {
        return Ok(None);
    };
    let ct = ct.to_str().map_err(|_| Unreadable::NotText)?;
    // JSON is UTF-8 (RFC 8259 §8.1), and a form's text is read as UTF-8 too: a body said to be
    // in another charset would be read as what it is not.
    for param in ct.split(';').skip(1) {
        let Some((name, value)) = param.split_once('=') else {
            continue;
        };
        let value = value.trim().trim_matches('"');
        let utf8 = value.eq_ignore_ascii_case("utf-8") || value.eq_ignore_ascii_case("utf8");
        if name.trim().eq_ignore_ascii_case("charset") && !utf8 {
            return Err(Unreadable::Charset(value.to_owned()));
        }
    }
    Ok(Some(ct))
}

/// A media type without its parameters: `application/json` of `application/json; charset=utf-8`.
pub fn essence(media_type: &str) -> &str {
    media_type.split(';').next().unwrap_or_default().trim()
}

/// A header value from text we produced ourselves; invalid bytes are dropped, not panicked on.
pub fn value(text: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(text).ok()
}

/// The tokens of the comma-separated field `name` (`Connection`, `Transfer-Encoding`), over
/// all its lines, trimmed, empty ones left out.
pub fn tokens<'h>(headers: &'h HeaderMap, name: &HeaderName) -> impl Iterator<Item = &'h [u8]> {
    headers
        .get_all(name)
        .iter()
        .flat_map(|v| value_tokens(v.as_bytes()))
}

/// The tokens of one line of a comma-separated field, as [`tokens`].
pub fn value_tokens(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value
        .split(|&b| b == b',')
        .map(<[u8]>::trim_ascii)
        .filter(|token| !token.is_empty())
}

/// The `rel="next"` link of a `Link` header (RFC 8288): its target and its other parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextLink<'h> {
    /// The target: `https://api.example/hooks?page=2` of `<https://api.example/hooks?page=2>`.
    pub target: &'h str,
    /// The link's parameters other than `rel`, each name as written and its value unquoted
    /// (`results` and `false` of `results="false"`).
    pub params: Vec<(&'h str, String)>,
}

impl NextLink<'_> {
    /// The values of the parameter `name`, whose names are matched without regard to case.
    pub fn param<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.params
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One link of a `Link` header (RFC 8288): its target, its parameters, and their text as
/// written (`; rel="next"; results="true"`), which a relay passes on byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link<'h> {
    /// The target, between `<` and `>`.
    pub target: &'h str,
    /// Every parameter, `rel` too, each name as written and its value unquoted.
    pub params: Vec<(&'h str, String)>,
    /// The parameters' text as written, from just after `>` up to the comma that ends the link.
    pub written: &'h str,
}

impl Link<'_> {
    /// Whether the link's relation types (`rel="next last"`) include `rel`, matched without
    /// regard to case.
    pub fn is(&self, rel: &str) -> bool {
        self.params.iter().any(|(name, value)| {
            name.eq_ignore_ascii_case("rel")
                && value
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case(rel))
        })
    }
}

/// The links of a `Link` header, in order. A parameter's value is a token or a quoted string,
/// which may hold `,`, `;` and `<` without ending the link.
pub fn links(value: &str) -> impl Iterator<Item = Link<'_>> {
    let mut rest = value;
    std::iter::from_fn(move || {
        let open = rest.find('<')?;
        let after = &rest[open + 1..];
        let close = after.find('>')?;
        let target = &after[..close];
        let text = &after[close + 1..];
        let (params, left) = link_params(text);
        let consumed = &text[..text.len() - left.len()];
        let written = consumed.strip_suffix(',').unwrap_or(consumed).trim_end();
        rest = left;
        Some(Link {
            target,
            params,
            written,
        })
    })
}

/// The `rel="next"` link of a `Link` header (RFC 8288):
/// `<https://api.example/hooks?page=2>; rel="next", <…>; rel="last"` gives
/// `https://api.example/hooks?page=2`. Relation types are matched without regard to case, and
/// a link may have several (`rel="next last"`).
pub fn next_link(value: &str) -> Option<NextLink<'_>> {
    links(value)
        .find(|link| link.is("next"))
        .as_ref()
        .and_then(next_link_of)
}

/// `link` read as a next link, its parameters other than `rel`: `None` where it is none.
pub fn next_link_of<'h>(link: &Link<'h>) -> Option<NextLink<'h>> {
    if !link.is("next") {
        return None;
    }
    let params = (link.params.iter())
        .filter(|(name, _)| !name.eq_ignore_ascii_case("rel"))
        .cloned()
        .collect();
    Some(NextLink {
        target: link.target,
        params,
    })
}

/// The parameters of one link, read from just after its target up to the comma that ends it
/// (or the end of the field), and what follows that comma. A parameter without a value
/// (`; crossorigin`) has an empty one; text that is no parameter is passed over.
fn link_params(text: &str) -> (Vec<(&str, String)>, &str) {
    let mut params = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        match rest.as_bytes().first() {
            None => return (params, rest),
            Some(b',') => return (params, &rest[1..]),
            Some(b';') => rest = rest[1..].trim_start(),
            // Not a parameter: passed over up to the next one, or the link's end.
            Some(_) => {
                let skip = rest.find([';', ',']).unwrap_or(rest.len());
                rest = &rest[skip..];
                continue;
            }
        }
        let name_end = rest
            .find(|c: char| c == '=' || c == ';' || c == ',' || c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let name = &rest[..name_end];
        rest = rest[name_end..].trim_start();
        let Some(after_eq) = rest.strip_prefix('=') else {
            if !name.is_empty() {
                params.push((name, String::new()));
            }
            continue;
        };
        let (value, left) = param_value(after_eq.trim_start());
        if !name.is_empty() {
            params.push((name, value));
        }
        rest = left;
    }
}

/// A parameter's value, a quoted string (its quotes and escapes undone) or a token up to the
/// next `;` or `,`, and what follows it.
fn param_value(text: &str) -> (String, &str) {
    let Some(quoted) = text.strip_prefix('"') else {
        let end = text.find([';', ',']).unwrap_or(text.len());
        return (text[..end].trim_end().to_owned(), &text[end..]);
    };
    let mut value = String::new();
    let mut chars = quoted.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return (value, &quoted[at + 1..]),
            '\\' => {
                if let Some((_, escaped)) = chars.next() {
                    value.push(escaped);
                }
            }
            c => value.push(c),
        }
    }
    // An unclosed quote runs to the end of the field.
    (value, "")
}

/// Writes `value` as a link parameter's quoted string: `"false"`, `"a \"b\""`.
pub fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_sane_request_ids_and_replaces_others() {
        let mut h = HeaderMap::new();
        h.insert("x-request-id", HeaderValue::from_static("abc-1"));
        assert_eq!(request_id(&h), "abc-1");
        h.insert("x-request-id", HeaderValue::from_static("has space"));
        let fresh = request_id(&h);
        assert_ne!(fresh, "has space");
        assert!(fresh.len() == 32 && fresh.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(&fresh[12..13], "4", "a version 4 UUID");
        assert_ne!(fresh, request_id(&h));
    }

    #[test]
    fn splits_a_listed_field_over_all_its_lines() {
        let mut h = HeaderMap::new();
        h.append(
            "connection",
            HeaderValue::from_static(" keep-alive ,, Upgrade"),
        );
        h.append("connection", HeaderValue::from_static("close"));
        let all: Vec<&[u8]> = tokens(&h, &http::header::CONNECTION).collect();
        assert_eq!(all, [&b"keep-alive"[..], b"Upgrade", b"close"]);
        assert_eq!(tokens(&h, &http::header::TRANSFER_ENCODING).count(), 0);
    }

    #[test]
    fn a_body_is_read_only_in_utf8_said_once() {
        let with = |types: &[&'static str]| {
            let mut h = HeaderMap::new();
            for t in types {
                h.append(header::CONTENT_TYPE, HeaderValue::from_static(t));
            }
            utf8_media_type(&h).map(|t| t.map(str::to_owned))
        };
        assert_eq!(with(&[]), Ok(None));
        for utf8 in [
            "application/json",
            "application/json; charset=utf-8",
            "application/json;CHARSET=\"UTF8\"",
            "application/x-www-form-urlencoded; charset=Utf-8",
        ] {
            assert_eq!(with(&[utf8]), Ok(Some(utf8.to_owned())), "{utf8}");
        }
        for (other, named) in [
            ("application/json; charset=latin-1", "latin-1"),
            ("application/json; charset=\"ISO-8859-1\"", "ISO-8859-1"),
            ("text/plain; format=flowed; charset=utf-16", "utf-16"),
        ] {
            assert_eq!(
                with(&[other]),
                Err(Unreadable::Charset(named.into())),
                "{other}"
            );
        }
        assert_eq!(
            with(&["application/json", "application/json"]),
            Err(Unreadable::Twice)
        );
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_bytes(b"application/json\xff").unwrap(),
        );
        assert_eq!(utf8_media_type(&h), Err(Unreadable::NotText));
        assert!(!is_json(&h, false));
    }

    #[test]
    fn reads_prefer_lenient() {
        let mut h = HeaderMap::new();
        h.insert(
            "prefer",
            HeaderValue::from_static("respond-async, handling=lenient"),
        );
        assert!(prefers_lenient(&h));
    }

    #[test]
    fn finds_the_next_link_however_spelt() {
        for (header, next) in [
            (
                r#"<https://a.example/h?page=2>; rel="next", <https://a.example/h?page=9>; rel="last""#,
                Some("https://a.example/h?page=2"),
            ),
            (
                r#"<https://a.example/h?page=1>; rel="prev", <https://a.example/h?page_info=x,y>; rel=next"#,
                Some("https://a.example/h?page_info=x,y"),
            ),
            (
                r#"</h?after=abc>; title="more"; REL="Next Last""#,
                Some("/h?after=abc"),
            ),
            (r#"<https://a.example/h?page=9>; rel="last""#, None),
            (r#"<https://a.example/h?page=9"#, None),
            ("", None),
        ] {
            assert_eq!(next_link(header).map(|l| l.target), next, "{header}");
        }
    }

    #[test]
    fn gives_every_link_with_its_parameters_as_written() {
        let field = r#"</h?c=0>; title="x, <y>; rel=next" ,<https://d.example/paging>;rel=help,   </h?c=2>; rel=next; cursor="0:2:0""#;
        let got: Vec<(&str, &str)> = links(field).map(|l| (l.target, l.written)).collect();
        assert_eq!(
            got,
            [
                ("/h?c=0", r#"; title="x, <y>; rel=next""#),
                ("https://d.example/paging", ";rel=help"),
                ("/h?c=2", r#"; rel=next; cursor="0:2:0""#),
            ]
        );
        let rels: Vec<bool> = links(field).map(|l| l.is("NEXT")).collect();
        assert_eq!(rels, [false, false, true]);
    }

    #[test]
    fn reads_the_next_links_parameters_quoted_or_not() {
        for (header, target, params) in [
            (
                r#"<https://s.example/h/?&cursor=0:6:1>; rel="previous"; results="true"; cursor="0:6:1", <https://s.example/h/?&cursor=0:6:0>; rel="next"; results="false"; cursor="0:6:0""#,
                "https://s.example/h/?&cursor=0:6:0",
                vec![("results", "false"), ("cursor", "0:6:0")],
            ),
            (
                "<https://s.example/h/?cursor=a>;rel=next;Results=false",
                "https://s.example/h/?cursor=a",
                vec![("Results", "false")],
            ),
            (
                r#"</h?c=1>; title="a; b, <c>"; rel="next" ; RESULTS = "t\"rue" ; crossorigin"#,
                "/h?c=1",
                vec![
                    ("title", "a; b, <c>"),
                    ("RESULTS", "t\"rue"),
                    ("crossorigin", ""),
                ],
            ),
            (
                r#"</h?c=0>; title="x, <y>; rel=next", </h?c=2>; rel=next"#,
                "/h?c=2",
                vec![],
            ),
        ] {
            let link = next_link(header).unwrap_or_else(|| panic!("{header}"));
            assert_eq!(link.target, target, "{header}");
            let read: Vec<(&str, &str)> =
                link.params.iter().map(|(n, v)| (*n, v.as_str())).collect();
            assert_eq!(read, params, "{header}");
        }
        let link = next_link("</h>; rel=next; results=false; RESULTS=true").unwrap();
        assert_eq!(link.param("Results").collect::<Vec<_>>(), ["false", "true"]);
    }

    #[test]
    fn quotes_a_parameter_value() {
        assert_eq!(quoted("false"), r#""false""#);
        assert_eq!(quoted(r#"a "b" \ c"#), r#""a \"b\" \\ c""#);
    }
}
