//! A relayed list page's links to the other pages of its list (`links.prev`, a `first_page`,
//! a `next_page` URL beside the token the mapping reads): each named on the gateway, as the
//! page's next page is. The vendor's URL would send a client that follows it around the
//! gateway, to the vendor with the key it holds for hookgate. A page's URL is one of the
//! vendor's origin (or written as a path alone) whose path is the list's own, outside the
//! list's items; every other string (a webhook's URL, an owner written as a URL of another
//! path) is the vendor's as it came.

use crate::mapping::json_path::FieldPath;
use bytes::Bytes;
use serde_json::Value;

/// Where a relayed list lies at the vendor.
pub(super) struct ListAt<'a> {
    /// The vendor's origins (`https://api.example.com`): its base URL's, and that of a next
    /// page it named.
    pub origins: Vec<url::Origin>,
    /// The path the list was asked at (base path included), as it was sent.
    pub path: &'a str,
    /// Where the list's items lie, which are the webhooks' and never renamed.
    pub items: &'a [FieldPath],
}

impl ListAt<'_> {
    /// Whether `text` names a page of this list: a URL of its origin, or a path alone, whose
    /// path is the list's, whatever its query.
    fn names_a_page(&self, text: &str) -> bool {
        if text.starts_with('/') && !text.starts_with("//") {
            let path = text.split(['?', '#']).next().unwrap_or_default();
            return path == self.path;
        }
        let Ok(url) = url::Url::parse(text) else {
            return false;
        };
        matches!(url.scheme(), "http" | "https")
            && self.origins.contains(&url.origin())
            && url.path() == self.path
    }
}

/// `body` (a relayed page) with every string outside its items that names a page of the list
/// at `at` named by `here` instead; the other bytes stay the vendor's. Written again from its
/// values only where the vendor escaped such a string in a way the text does not show as it
/// is (`\/`), or where the items hold it too.
pub(super) fn other_pages_here(body: Bytes, at: &ListAt, here: impl Fn(&str) -> String) -> Bytes {
    // Most pages name no other page: the text is parsed only where the list's last segment
    // is in it (not the whole path: a vendor may write `/` as `\/`).
    let last = at
        .path
        .rsplit('/')
        .find(|s| !s.is_empty())
        .unwrap_or(at.path);
    if memchr::memmem::find(&body, last.as_bytes()).is_none() {
        return body;
    }
    let Ok(mut page) = crate::json::from_slice_lenient(&body) else {
        return body;
    };
    // The items are set aside while the page's own strings are looked at.
    let items: Vec<(&FieldPath, Value)> = (at.items.iter())
        .filter_map(|path| Some((path, std::mem::take(path.get_mut(&mut page)?))))
        .collect();
    let mut named: Vec<(String, String)> = Vec::new();
    visit(&page, &mut |text| {
        if !named.iter().any(|(theirs, _)| theirs == text) && at.names_a_page(text) {
            named.push((text.to_owned(), here(text)));
        }
    });
    if named.is_empty() {
        return body;
    }
    let mut in_items = false;
    for (_, held) in &items {
        visit(held, &mut |text| {
            in_items |= named.iter().any(|(theirs, _)| theirs == text)
        });
    }
    let spelt = |s: &str| serde_json::to_vec(&Value::String(s.to_owned())).unwrap_or_default();
    let spellings: Vec<(Vec<u8>, Vec<u8>)> = (named.iter())
        .map(|(theirs, ours)| (spelt(theirs), spelt(ours)))
        .collect();
    let as_written = !in_items
        && (spellings.iter()).all(|(theirs, _)| memchr::memmem::find(&body, theirs).is_some());
    if as_written {
        let mut text = body.to_vec();
        for (theirs, ours) in &spellings {
            text = replaced(&text, theirs, ours);
        }
        return Bytes::from(text);
    }
    rename(&mut page, &named);
    for (path, held) in items {
        path.set(&mut page, held);
    }
    let mut out = Vec::with_capacity(body.len() + 64);
    crate::json::write(&mut out, &page);
    Bytes::from(out)
}

/// `text` with every `theirs` in it made `ours`.
fn replaced(text: &[u8], theirs: &[u8], ours: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + ours.len());
    let mut rest = text;
    while let Some(found) = memchr::memmem::find(rest, theirs) {
        out.extend_from_slice(&rest[..found]);
        out.extend_from_slice(ours);
        rest = &rest[found + theirs.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// Each string value of `value`, depth first.
fn visit(value: &Value, each: &mut impl FnMut(&str)) {
    match value {
        Value::String(text) => each(text),
        Value::Array(items) => items.iter().for_each(|v| visit(v, each)),
        Value::Object(members) => members.values().for_each(|v| visit(v, each)),
        _ => {}
    }
}

/// `value` with each string `named` names made the one it is paired with.
fn rename(value: &mut Value, named: &[(String, String)]) {
    match value {
        Value::String(text) => {
            if let Some((_, ours)) = named.iter().find(|(theirs, _)| theirs == text) {
                *text = ours.clone();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename(v, named)),
        Value::Object(members) => members.values_mut().for_each(|v| rename(v, named)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(path: &'a str, items: &'a [FieldPath]) -> ListAt<'a> {
        let origin = url::Url::parse("https://api.example.com").unwrap().origin();
        ListAt {
            origins: vec![origin],
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
        ] {
            assert!(list.names_a_page(page), "{page}");
        }
        for other in [
            "https://api.example.com/api/v2/webhooks/01H",
            "https://example.com/api/v2/webhooks?page=2",
            "http://api.example.com/api/v2/webhooks?page=2",
            "https://api.example.com:8443/api/v2/webhooks?page=2",
            "//api.example.com/api/v2/webhooks?page=2",
            "https://api.example.com/organizations/X",
            "webhooks",
        ] {
            assert!(!list.names_a_page(other), "{other}");
        }
    }

    #[test]
    fn renames_each_page_where_it_lies_escaped_or_not() {
        let items = [FieldPath::parse("$.hooks").unwrap()];
        let list = at("/hooks", &items);
        let here = |s: &str| format!("http://gw/s/hooks?{}", s.split_once('?').unwrap().1);
        let body = Bytes::from_static(
            br#"{"links":{"prev":"https://api.example.com/hooks?b=1","first":"/hooks?b=0","next":null},"hooks":[{"url":"https://api.example.com/hooks?b=1x"}]}"#,
        );
        let out = other_pages_here(body, &list, here);
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            r#"{"links":{"prev":"http://gw/s/hooks?b=1","first":"http://gw/s/hooks?b=0","next":null},"hooks":[{"url":"https://api.example.com/hooks?b=1x"}]}"#
        );
        // An item holding a page's URL keeps it.
        let body = Bytes::from_static(
            br#"{"prev":"https://api.example.com/hooks?b=1","hooks":[{"url":"https://api.example.com/hooks?b=1"}]}"#,
        );
        let out = other_pages_here(body, &list, here);
        assert_eq!(
            serde_json::from_slice::<Value>(&out).unwrap(),
            serde_json::json!({"prev": "http://gw/s/hooks?b=1", "hooks": [{"url": "https://api.example.com/hooks?b=1"}]})
        );
        let escaped = Bytes::from_static(br#"{"prev":"https:\/\/api.example.com\/hooks?b=2"}"#);
        let out = other_pages_here(escaped, &list, here);
        assert_eq!(
            serde_json::from_slice::<Value>(&out).unwrap(),
            serde_json::json!({"prev": "http://gw/s/hooks?b=2"})
        );
        let none = Bytes::from_static(br#"{"items":[],"next":"https://other.example/x"}"#);
        assert_eq!(other_pages_here(none.clone(), &list, here), none);
    }
}
