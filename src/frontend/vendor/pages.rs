//! A relayed list page's links to the other pages of its list (`links.prev`, a `first_page`,
//! a `next_page` URL beside the token the mapping reads): each named on the gateway, as the
//! page's next page is. The vendor's URL would send a client that follows it around the
//! gateway, to the vendor with the key it holds for hookgate. A page's URL is one of the
//! vendor's host (under any scheme or port, or written as a path alone) whose path is the
//! list's own, outside the list's items; every other string (a webhook's URL, an owner written
//! as a URL of another path) is the vendor's as it came. The vendor's hosts are its base
//! URL's and that of the next page it named, which may be another (a base URL through a
//! proxy).
//!
//! Strings are renamed where they lie in the vendor's text, found by a walk of its tokens:
//! every other byte (a number beyond 64 bits, a key given twice, `\/`) stays the vendor's.

use crate::mapping::json_path::FieldPath;
use bytes::Bytes;
use std::ops::Range;

/// Where a relayed list lies at the vendor.
pub(super) struct ListAt<'a> {
    /// The vendor's base URL, against which a path alone or a URL without a scheme resolves.
    pub base: url::Url,
    /// The vendor's hosts: its base URL's, and that of a next page it named.
    pub hosts: Vec<String>,
    /// The path the list was asked at (base path included), as it was sent.
    pub path: &'a str,
    /// Where the list's items lie, which are the webhooks' and never renamed.
    pub items: &'a [FieldPath],
}

impl ListAt<'_> {
    /// Whether `text` names a page of this list: a URL of one of its hosts, or a path alone,
    /// whose path is the list's once percent-decoded, whatever its query. A relative
    /// reference that is no path (`webhooks?page=2`) resolves against the client's own URL,
    /// on the gateway, and is left as it is.
    fn names_a_page(&self, text: &str) -> bool {
        if !text.starts_with('/') && !text.contains("://") {
            return false;
        }
        let Ok(url) = self.base.join(text) else {
            return false;
        };
        let host = url.host_str().unwrap_or_default();
        matches!(url.scheme(), "http" | "https")
            && self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
            && decoded(url.path()) == decoded(self.path)
    }

    /// The key paths of the items, each as the keys that lead to it (`[]`: the page itself,
    /// where it is a list).
    fn item_keys(&self) -> Vec<Vec<String>> {
        self.items.iter().filter_map(FieldPath::keys).collect()
    }
}

/// `path` percent-decoded, as a path's segments are compared (RFC 3986 §6.2.2.2).
fn decoded(path: &str) -> std::borrow::Cow<'_, str> {
    percent_encoding::percent_decode_str(path).decode_utf8_lossy()
}

/// `body` (a relayed page) with every string outside its items that names a page of the list
/// at `at` named by `here` instead.
pub(super) fn other_pages_here(body: Bytes, at: &ListAt, here: impl Fn(&str) -> String) -> Bytes {
    let items = at.item_keys();
    let mut named: Vec<(String, Option<String>)> = Vec::new();
    let renamed = renamed(&body, &items, |text| {
        if let Some((_, ours)) = named.iter().find(|(theirs, _)| theirs == text) {
            return ours.clone();
        }
        let ours = at.names_a_page(text).then(|| here(text));
        named.push((text.to_owned(), ours.clone()));
        ours
    });
    renamed.map_or(body, Bytes::from)
}

/// `body` (a JSON document) with each string value that lies outside `skip` (places given by
/// their keys; `[]` the document itself where it is an array) and that `rename` gives new
/// text for written as that text, where it lies; `None` where none is. Only strings that may
/// be a URL (holding a `/`) are read.
pub(super) fn renamed(
    body: &[u8],
    skip: &[Vec<String>],
    mut rename: impl FnMut(&str) -> Option<String>,
) -> Option<Vec<u8>> {
    let mut spans: Vec<(Range<usize>, String)> = Vec::new();
    strings(body, &mut |span, keys, in_list| {
        let skipped = skip.iter().any(|at| match at.is_empty() {
            true => in_list,
            false => keys.len() >= at.len() && keys.iter().zip(at).all(|(k, a)| *k == a),
        });
        if skipped || memchr::memchr(b'/', &body[span.clone()]).is_none() {
            return;
        }
        let Ok(text) = serde_json::from_slice::<String>(&body[span.clone()]) else {
            return;
        };
        if let Some(ours) = rename(&text) {
            spans.push((span, ours));
        }
    });
    if spans.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() + 64 * spans.len());
    let mut from = 0;
    for (span, ours) in spans {
        out.extend_from_slice(&body[from..span.start]);
        out.extend_from_slice(&serde_json::to_vec(&ours).unwrap_or_default());
        from = span.end;
    }
    out.extend_from_slice(&body[from..]);
    Some(out)
}

/// One level of the walk: an object, with the key of the member being read and whether a
/// key comes next, or a list.
enum Frame {
    Object { key: Option<String>, key_next: bool },
    List,
}

/// Each string value of `text`, a well-formed JSON document, handed to `each` with its span
/// (its quotes included), the keys that lead to it, and whether the document is a list.
/// Written by hand because a parser hands over values, not where they lie: a few lines walk
/// the tokens, and the document was parsed whole before (a relayed answer is held to be JSON).
fn strings(text: &[u8], each: &mut impl FnMut(Range<usize>, &[&str], bool)) {
    let mut stack: Vec<Frame> = Vec::new();
    let in_list = text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'{' => stack.push(Frame::Object {
                key: None,
                key_next: true,
            }),
            b'[' => stack.push(Frame::List),
            b'}' | b']' => {
                stack.pop();
            }
            b',' | b':' => {
                if let Some(Frame::Object { key_next, .. }) = stack.last_mut() {
                    *key_next = text[i] == b',';
                }
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < text.len() && text[i] != b'"' {
                    i += if text[i] == b'\\' { 2 } else { 1 };
                }
                let span = start..(i + 1).min(text.len());
                match stack.last_mut() {
                    Some(Frame::Object {
                        key,
                        key_next: true,
                    }) => *key = serde_json::from_slice(&text[span]).ok(),
                    _ => {
                        let keys: Vec<&str> = (stack.iter())
                            .filter_map(|f| match f {
                                Frame::Object { key: Some(k), .. } => Some(k.as_str()),
                                _ => None,
                            })
                            .collect();
                        each(span, &keys, in_list);
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn at<'a>(path: &'a str, items: &'a [FieldPath]) -> ListAt<'a> {
        ListAt {
            base: url::Url::parse("https://api.example.com").unwrap(),
            hosts: vec!["api.example.com".to_owned()],
            path,
            items,
        }
    }

    #[test]
    fn names_the_lists_pages_and_nothing_else() {
        let list = at("/api/v2/webhooks", &[]);
        for page in [
            "https://api.example.com/api/v2/webhooks?page%5Bbefore%5D=abc",
            "https://API.example.com:443/api/v2/webhooks?page=2",
            "https://api.example.com/api/v2/webhooks",
            "/api/v2/webhooks?page=3",
            "//api.example.com/api/v2/webhooks?page=2",
            "http://api.example.com/api/v2/webhooks?page=2",
            "https://api.example.com:8443/api/v2/webhooks?page=2",
            "https://api.example.com/api/v2/%77ebhooks?page=2",
            "/api/v2/x/../webhooks?page=2",
        ] {
            assert!(list.names_a_page(page), "{page}");
        }
        for other in [
            "https://api.example.com/api/v2/webhooks/01H",
            "https://example.com/api/v2/webhooks?page=2",
            "https://api.example.com/organizations/X",
            "webhooks?page=2",
            "?page=2",
            "ftp://api.example.com/api/v2/webhooks",
        ] {
            assert!(!list.names_a_page(other), "{other}");
        }
    }

    #[test]
    fn renames_each_page_where_it_lies_and_no_other_byte() {
        let items = [FieldPath::parse("$.hooks").unwrap()];
        let list = at("/hooks", &items);
        let here = |s: &str| format!("http://gw/s/hooks?{}", s.split_once('?').unwrap().1);
        let body = Bytes::from_static(
            br#"{"links":{"prev":"https://api.example.com/hooks?b=1","first":"/hooks?b=0","next":null},"hooks":[{"url":"https://api.example.com/hooks?b=1"}]}"#,
        );
        let out = other_pages_here(body, &list, here);
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            r#"{"links":{"prev":"http://gw/s/hooks?b=1","first":"http://gw/s/hooks?b=0","next":null},"hooks":[{"url":"https://api.example.com/hooks?b=1"}]}"#
        );
        // Escaped as PHP writes it, beside numbers no parser keeps and a key given twice.
        let escaped = Bytes::from_static(
            br#"{"big":123456789012345678901234567890,"e":1E2,"z":-0,"d":1,"d":2,"prev":"https:\/\/api.example.com\/hooks?b=2"}"#,
        );
        let out = other_pages_here(escaped, &list, here);
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            r#"{"big":123456789012345678901234567890,"e":1E2,"z":-0,"d":1,"d":2,"prev":"http://gw/s/hooks?b=2"}"#
        );
        let none = Bytes::from_static(br#"{"items":[],"next":"https://other.example/x"}"#);
        assert_eq!(other_pages_here(none.clone(), &list, here), none);
        // A page that is a list is all items.
        let root = [FieldPath::parse("$").unwrap()];
        let listed = at("/hooks", &root);
        let bare = Bytes::from_static(br#"[{"url":"https://api.example.com/hooks?b=1"}]"#);
        assert_eq!(other_pages_here(bare.clone(), &listed, here), bare);
        let beside = Bytes::from_static(br#"{"hooks":[],"prev":"/hooks?b=1"}"#);
        let out: Value = serde_json::from_slice(&other_pages_here(beside, &listed, here)).unwrap();
        assert_eq!(out, json!({"hooks": [], "prev": "http://gw/s/hooks?b=1"}));
    }
}
