//! URL paths of a vendor's API: templates such as `/agents/{owner}/webhooks/{id}`, split once at
//! load, matched against request paths and rendered with owner and id percent-encoded (and with
//! the trailing `/` the vendor's paths end in, where they end in one); and the shapes an owner or
//! id must have to be one of the vendor's.

use std::fmt;

/// One segment of an operation's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSeg {
    /// Text that must be there as it is.
    Literal(String),
    /// The owner scope.
    Owner,
    /// The webhook's id.
    Id,
}

/// `/agents/{owner}/webhooks/{id}`, split once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathTemplate {
    /// The segments, in order.
    pub segments: Vec<PathSeg>,
    /// How many request path segments `{owner}` stands for: one, unless the dialect's owners
    /// are paths of several (`dialect.owner_segments`: `{owner}/{repo}`) and the
    /// template has `{owner}`.
    pub owner_span: usize,
    /// Text that follows the id in its segment (`/webhooks/{id}.json`: `.json`).
    pub id_suffix: String,
    /// Whether the path ends in `/` (`/hooks/{id}/`): at a vendor whose router tells the two
    /// apart (Django's), the path without it is another, or none, so the `/` is sent and
    /// required as it is written.
    pub trailing_slash: bool,
}

impl PathTemplate {
    /// Splits a template, keeping whether it ends in `/`; a placeholder other than `{owner}`
    /// or `{id}` is refused, and so is an empty segment (`/hooks//{id}`), which no value fills.
    pub fn parse(text: &str) -> Result<PathTemplate, String> {
        if text.contains("//") {
            return Err(format!(
                "`{text}` has an empty segment (`//`): a path's segments are text, {{owner}} or {{id}}"
            ));
        }
        let trailing_slash = text.ends_with('/');
        let inner = text.strip_prefix('/').unwrap_or(text);
        let inner = inner.strip_suffix('/').unwrap_or(inner);
        let mut segments = Vec::new();
        let mut id_suffix = String::new();
        for part in inner.split('/').filter(|s| !s.is_empty()) {
            // The id followed by text of the vendor's own in one segment (an extension).
            let suffixed = part
                .strip_prefix("{id}")
                .filter(|rest| !rest.is_empty() && !rest.contains(['{', '}']));
            segments.push(match part {
                "{owner}" => PathSeg::Owner,
                "{id}" => PathSeg::Id,
                _ if suffixed.is_some() => {
                    id_suffix = suffixed.unwrap_or_default().to_owned();
                    PathSeg::Id
                }
                p if p.contains('{') || p.contains('}') => {
                    return Err(format!(
                        "unknown placeholder in `{p}`: only {{owner}} and {{id}} exist"
                    ));
                }
                "." | ".." => return Err(format!("`{part}` is a dot segment")),
                p => PathSeg::Literal(p.to_owned()),
            });
        }
        Ok(PathTemplate {
            segments,
            owner_span: 1,
            id_suffix,
            trailing_slash,
        })
    }

    /// The template with `{owner}` standing for `span` segments (a template without `{owner}`
    /// keeps 1: its segments are as many as the request's).
    pub fn spanning_owner(self, span: usize) -> PathTemplate {
        let owner_span = if self.has(&PathSeg::Owner) { span } else { 1 };
        PathTemplate { owner_span, ..self }
    }

    /// How many of its segments are text of its own: of two templates that match one path,
    /// the one with more is the one meant (`…/settings/all` beside `…/settings/{id}`).
    pub fn literals(&self) -> usize {
        self.segments
            .iter()
            .filter(|s| matches!(s, PathSeg::Literal(_)))
            .count()
    }

    /// Whether the template has this segment.
    pub fn has(&self, seg: &PathSeg) -> bool {
        self.segments.contains(seg)
    }

    /// Renders the path after `base` (the concatenation of its parts, without trailing
    /// slashes), with owner and id percent-encoded, and the template's trailing `/` where it
    /// has one.
    pub fn render(&self, base: &[&str], owner: Option<&str>, id: Option<&str>) -> String {
        let mut out = String::with_capacity(base.iter().map(|b| b.len()).sum::<usize>() + 128);
        base.iter().for_each(|b| out.push_str(b));
        out.truncate(out.trim_end_matches('/').len());
        for seg in &self.segments {
            out.push('/');
            match seg {
                PathSeg::Literal(s) => out.push_str(s),
                // An owner of one segment is encoded whole (a `/` in it escaped); one of
                // several is written segment by segment, as it was read.
                PathSeg::Owner if self.owner_span == 1 => {
                    push_segment(&mut out, owner.unwrap_or(""));
                }
                PathSeg::Owner => {
                    for (at, part) in owner.unwrap_or("").split('/').enumerate() {
                        if at > 0 {
                            out.push('/');
                        }
                        push_segment(&mut out, part);
                    }
                }
                PathSeg::Id => {
                    push_segment(&mut out, id.unwrap_or(""));
                    if !self.id_suffix.is_empty() {
                        out.push_str(&self.id_suffix);
                    }
                }
            }
        }
        if self.trailing_slash {
            out.push('/');
        }
        out
    }

    /// Matches already-split, decoded request segments, of a path that ends in `/` or not
    /// (`slashed`); returns (owner, id). An owner of several segments is returned joined by
    /// `/`. A template that ends in `/` matches only a path that does, as the vendor's router
    /// does (Django's cannot send a POST on to the path with the slash); one that does not
    /// passes over a request's trailing `/`.
    pub fn matches(
        &self,
        parts: &[impl AsRef<str>],
        slashed: bool,
    ) -> Option<(Option<String>, Option<String>)> {
        let extra = self.owner_span - 1;
        if parts.len() != self.segments.len() + extra || (self.trailing_slash && !slashed) {
            return None;
        }
        let (mut owner, mut id) = (None, None);
        let mut parts = parts.iter().map(AsRef::as_ref);
        for seg in &self.segments {
            let part = parts.next()?;
            match seg {
                PathSeg::Literal(s) if s == part => {}
                PathSeg::Literal(_) => return None,
                PathSeg::Owner => {
                    let mut joined = part.to_owned();
                    for more in parts.by_ref().take(extra) {
                        joined.push('/');
                        joined.push_str(more);
                    }
                    owner = Some(joined);
                }
                PathSeg::Id => {
                    let bare = part.strip_suffix(self.id_suffix.as_str())?;
                    if bare.is_empty() {
                        return None;
                    }
                    id = Some(bare.to_owned());
                }
            }
        }
        Some((owner, id))
    }
}

impl fmt::Display for PathTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for seg in &self.segments {
            match seg {
                PathSeg::Literal(s) => write!(f, "/{s}")?,
                PathSeg::Owner => f.write_str("/{owner}")?,
                PathSeg::Id => write!(f, "/{{id}}{}", self.id_suffix)?,
            }
        }
        if self.trailing_slash {
            f.write_str("/")?;
        }
        Ok(())
    }
}

/// Whether a decoded path segment can name an owner or a webhook at all: not empty, and not a
/// dot segment, which any server would resolve against the path (`/webhooks/..` is not a
/// webhook), and without a character that a vendor's router could read as a separator.
pub fn names_something(part: &str) -> bool {
    // memchr, not a char-set pattern: a generic searcher walks the string at several times
    // the cost, and this runs for every segment of every request.
    let bytes = part.as_bytes();
    !matches!(part, "" | "." | "..") && memchr::memchr3(b'/', b'\\', 0, bytes).is_none()
}

/// Whether `owner` has the shape of a vendor's owners: `span` segments joined by `/`, each
/// naming something (see [`names_something`]) and, where the vendor documents one, of
/// `format`.
pub fn admits_owner(owner: &str, span: usize, format: Option<&Format>) -> bool {
    if span == 1 {
        return names_something(owner) && format.is_none_or(|f| f.admits(owner));
    }
    let mut count = 0;
    let each = owner.split('/').all(|part| {
        count += 1;
        names_something(part) && format.is_none_or(|f| f.admits(part))
    });
    each && count == span
}

/// Percent-encodes one path segment (RFC 3986: all but unreserved characters).
pub fn encode_segment(s: &str) -> impl Iterator<Item = char> + '_ {
    percent_encoding::utf8_percent_encode(s, SEGMENT).flat_map(str::chars)
}

/// Appends one percent-encoded path segment.
///
/// Runs of unreserved bytes are found against a table and copied whole: an owner or id is
/// almost always one such run (a UUID, an integer), where the `percent_encoding` iterator
/// tests its set bit by bit for each byte (about a third of the instructions of this walk).
pub fn push_segment(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let run = bytes[at..]
            .iter()
            .position(|&b| !UNRESERVED[usize::from(b)])
            .unwrap_or(bytes.len() - at);
        if run > 0 {
            // ASCII from `at` on: both ends lie on character boundaries.
            out.push_str(&s[at..at + run]);
            at += run;
        }
        if let Some(&b) = bytes.get(at) {
            // One byte of a character, escaped on its own as UTF-8 percent-encoding asks.
            out.push_str(percent_encoding::percent_encode_byte(b));
            at += 1;
        }
    }
}

/// The bytes a path segment carries as they are: RFC 3986 unreserved characters, which are
/// the bytes [`SEGMENT`] leaves alone.
const UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] =
            (b as u8).is_ascii_alphanumeric() || matches!(b as u8, b'-' | b'.' | b'_' | b'~');
        b += 1;
    }
    table
};

/// Everything but RFC 3986 unreserved characters is escaped in a path segment.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The shape an owner or a webhook id must have to be one of the vendor's, as its documentation
/// gives it. A value of another shape never reaches the vendor.
#[derive(Debug, Clone)]
pub enum Format {
    /// A UUID in its hyphenated text form.
    Uuid,
    /// A decimal integer without sign or leading zeros.
    Integer,
    /// RFC 3986 unreserved characters only (letters, digits, `-`, `.`, `_`, `~`).
    Token,
    /// A regular expression the whole value must match.
    Pattern(regex::Regex),
}

impl PartialEq for Format {
    fn eq(&self, other: &Format) -> bool {
        match (self, other) {
            (Format::Pattern(a), Format::Pattern(b)) => a.as_str() == b.as_str(),
            (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b),
        }
    }
}

impl Format {
    /// Compiles `{ pattern = "…" }`, anchored at both ends.
    pub fn pattern(text: &str) -> Result<Format, String> {
        regex::Regex::new(&format!("^(?:{text})$"))
            .map(Format::Pattern)
            .map_err(|e| format!("`{text}` is not a regular expression: {e}"))
    }

    /// Whether `value` has this shape.
    pub fn admits(&self, value: &str) -> bool {
        match self {
            Format::Uuid => value.len() == 36 && uuid::Uuid::try_parse(value).is_ok(),
            Format::Integer => {
                !value.is_empty()
                    && value.len() <= 19
                    && value.bytes().all(|b| b.is_ascii_digit())
                    && (value == "0" || !value.starts_with('0'))
            }
            Format::Token => {
                !value.is_empty()
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
            }
            Format::Pattern(re) => re.is_match(value),
        }
    }

    /// What the shape is, in words, for a refusal.
    pub fn describe(&self) -> String {
        match self {
            Format::Uuid => "a UUID".into(),
            Format::Integer => {
                "a decimal integer without sign or leading zeros, of at most 19 digits".into()
            }
            Format::Token => "letters, digits, `-`, `.`, `_` and `~`".into(),
            Format::Pattern(re) => format!("text matching `{}`", re.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_is_encoded_as_percent_encoding_encodes_it() {
        let mut texts: Vec<String> = [
            "",
            "9fbef0b7-8d4e-4a08-9207-66c22155721d",
            "ep_2aTs9vKQGy3bOJp2",
            "a b/c?d#e%f",
            "..",
            "~._-",
            "é",
            "xé",
            "éx",
            "日本語-id",
            "🦀🦀",
            "a\u{0}b\u{7f}",
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        // Every ASCII byte alone and between letters.
        texts.extend((0u8..128).map(|b| format!("{}", char::from(b))));
        texts.extend((0u8..128).map(|b| format!("a{}z", char::from(b))));
        for text in &texts {
            let mut out = String::from("/x/");
            push_segment(&mut out, text);
            let expected: String = percent_encoding::utf8_percent_encode(text, SEGMENT).collect();
            assert_eq!(out, format!("/x/{expected}"), "{text:?}");
            assert_eq!(
                encode_segment(text).collect::<String>(),
                expected,
                "{text:?}"
            );
        }
    }

    #[test]
    fn formats_admit_only_their_shape() {
        let cases: [(Format, &[&str], &[&str]); 3] = [
            (
                Format::Integer,
                &["1", "42", "0"],
                &[
                    "1.5",
                    "abc",
                    "1e3",
                    "1/2",
                    "-1",
                    "01",
                    "",
                    "..",
                    "99999999999999999999",
                ],
            ),
            (
                Format::Uuid,
                &["9fbef0b7-8d4e-4a08-9207-66c22155721d"],
                &[
                    "9fbef0b78d4e4a08920766c22155721d",
                    "..",
                    "x",
                    "9fbef0b7-8d4e-4a08-9207-66c22155721",
                ],
            ),
            (
                Format::Token,
                &["ep_1", "a.b-c~d"],
                &["a/b", "a b", "", "é"],
            ),
        ];
        for (format, good, bad) in cases {
            for g in good {
                assert!(format.admits(g), "{format:?} {g}");
            }
            for b in bad {
                assert!(!format.admits(b), "{format:?} {b}");
            }
        }
        let p = Format::pattern("ep_[a-z0-9]+|[a-z]+").unwrap();
        assert!(p.admits("ep_1") && p.admits("abc") && !p.admits("ep_1/x"));
    }

    #[test]
    fn dot_segments_name_nothing() {
        for bad in ["", ".", "..", "a/b", "a\\b"] {
            assert!(!names_something(bad), "{bad:?}");
        }
        assert!(names_something("..."));
    }

    #[test]
    fn renders_and_matches() {
        let t = PathTemplate::parse("/agents/{owner}/webhooks/{id}").unwrap();
        assert_eq!(
            t.render(&["http://h", "/api"], Some("a b"), Some("7")),
            "http://h/api/agents/a%20b/webhooks/7"
        );
        let parts: Vec<String> = ["agents", "a", "webhooks", "7"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            t.matches(&parts, false),
            Some((Some("a".into()), Some("7".into())))
        );
        assert_eq!(t.to_string(), "/agents/{owner}/webhooks/{id}");
        assert!(PathTemplate::parse("/a/../b").is_err());
    }

    #[test]
    fn a_trailing_slash_is_written_and_required_as_the_file_writes_it() {
        let owner_id = PathTemplate::parse("/projects/{owner}/hooks/{id}/").unwrap();
        let owner = PathTemplate::parse("/projects/{owner}/hooks/").unwrap();
        let id_inside = PathTemplate::parse("/hooks/{id}/signing/rotate/").unwrap();
        let extension = PathTemplate::parse("/hooks/{id}.json/").unwrap();
        let root = PathTemplate::parse("/").unwrap();
        let several = PathTemplate::parse("/repos/{owner}/hooks/{id}/")
            .unwrap()
            .spanning_owner(2);
        for (t, base, owner, id, rendered, shown) in [
            (
                &owner_id,
                &["http://h", "/api/0"][..],
                Some("p 1"),
                Some("7"),
                "http://h/api/0/projects/p%201/hooks/7/",
                "/projects/{owner}/hooks/{id}/",
            ),
            // A base path's own trailing `/` is no second one.
            (
                &owner,
                &["/api/0/"],
                Some("p1"),
                None,
                "/api/0/projects/p1/hooks/",
                "/projects/{owner}/hooks/",
            ),
            (
                &id_inside,
                &[""],
                None,
                Some("a/b"),
                "/hooks/a%2Fb/signing/rotate/",
                "/hooks/{id}/signing/rotate/",
            ),
            (
                &extension,
                &["/v1"],
                None,
                Some("45"),
                "/v1/hooks/45.json/",
                "/hooks/{id}.json/",
            ),
            (&root, &["/api/"], None, None, "/api/", "/"),
            (&root, &[""], None, None, "/", "/"),
            (
                &several,
                &["/api"],
                Some("octo/site"),
                Some("7"),
                "/api/repos/octo/site/hooks/7/",
                "/repos/{owner}/hooks/{id}/",
            ),
        ] {
            assert!(t.trailing_slash, "{shown}");
            assert_eq!(t.render(base, owner, id), rendered);
            assert_eq!(t.to_string(), shown);
        }
        // Matched only with the slash; a template without one passes a request's over.
        let parts = ["projects", "p1", "hooks", "7"];
        let found = Some((Some("p1".to_owned()), Some("7".to_owned())));
        assert_eq!(owner_id.matches(&parts, true), found);
        assert_eq!(owner_id.matches(&parts, false), None);
        let bare = PathTemplate::parse("/projects/{owner}/hooks/{id}").unwrap();
        assert!(!bare.trailing_slash);
        assert_eq!(bare.matches(&parts, true), found);
        assert_eq!(bare.matches(&parts, false), found);
        assert_eq!(
            several.matches(&["repos", "octo", "site", "hooks", "7"], true),
            Some((Some("octo/site".into()), Some("7".into())))
        );
        assert_eq!(
            several.matches(&["repos", "octo", "site", "hooks", "7"], false),
            None
        );
    }

    #[test]
    fn an_empty_segment_is_refused_wherever_it_stands() {
        for text in [
            "/a//b",
            "//hooks",
            "/hooks//",
            "//",
            "/projects/{owner}//hooks/{id}",
            "/hooks/{id}//",
        ] {
            let refused = PathTemplate::parse(text).unwrap_err();
            assert!(refused.contains("empty segment"), "{text}: {refused}");
            assert!(refused.contains(text), "{text}: {refused}");
        }
    }

    #[test]
    fn an_id_may_share_its_segment_with_an_extension() {
        let t = PathTemplate::parse("/webhooks/{id}.json").unwrap();
        assert_eq!(
            t.render(&["/admin"], None, Some("4 5")),
            "/admin/webhooks/4%205.json"
        );
        assert_eq!(t.to_string(), "/webhooks/{id}.json");
        let matched = |part: &str| t.matches(&["webhooks", part], false).map(|(_, id)| id);
        assert_eq!(matched("45.json"), Some(Some("45".into())));
        assert_eq!(matched("45.json.json"), Some(Some("45.json".into())));
        assert_eq!(matched("45"), None);
        assert_eq!(matched(".json"), None);
        assert!(PathTemplate::parse("/webhooks/{id}.{x}").is_err());
        assert!(PathTemplate::parse("/webhooks/x{id}").is_err());
    }

    #[test]
    fn an_owner_of_several_segments_is_written_and_read_as_them() {
        let t = PathTemplate::parse("/repos/{owner}/hooks/{id}")
            .unwrap()
            .spanning_owner(2);
        assert_eq!(
            t.render(&["/api"], Some("octo cat/site"), Some("7")),
            "/api/repos/octo%20cat/site/hooks/7"
        );
        assert_eq!(
            t.matches(&["repos", "octo", "site", "hooks", "7"], false),
            Some((Some("octo/site".into()), Some("7".into())))
        );
        for short_or_long in [
            &["repos", "octo", "hooks", "7"][..],
            &["repos", "a", "b", "c", "hooks", "7"],
            &["repos", "octo", "site", "hooks"],
        ] {
            assert_eq!(t.matches(short_or_long, false), None, "{short_or_long:?}");
        }
        // Without an owner in the path, the span changes nothing.
        let plain = PathTemplate::parse("/hooks/{id}")
            .unwrap()
            .spanning_owner(2);
        assert_eq!(
            plain.matches(&["hooks", "7"], false),
            Some((None, Some("7".into())))
        );
        // One segment: a `/` stays inside it, escaped.
        let one = PathTemplate::parse("/p/{owner}").unwrap();
        assert_eq!(one.render(&[], Some("a/b"), None), "/p/a%2Fb");
    }

    #[test]
    fn an_owner_has_the_vendors_shape_segment_by_segment() {
        let int = Format::Integer;
        for (owner, span, format, admitted) in [
            ("octo/site", 2, None, true),
            ("octo", 1, None, true),
            ("octo", 2, None, false),
            ("a/b/c", 2, None, false),
            ("a/b", 1, None, false),
            ("a/", 2, None, false),
            ("a/..", 2, None, false),
            ("./b", 2, None, false),
            ("12/34", 2, Some(&int), true),
            ("12/x", 2, Some(&int), false),
        ] {
            assert_eq!(
                admits_owner(owner, span, format),
                admitted,
                "{owner} {span}"
            );
        }
    }
}
