//! The cursors hookgate writes for pages it cuts from a list that its vendor answers whole
//! (no cursor, no flag, no `Link`): the first webhook of the next page, its position and the
//! last webhook of the page it follows, so that the next page begins there even where
//! webhooks before it were deleted meanwhile, and after that last one where the first is gone.
//!
//! A cursor is unpadded URL-safe base64 of a check (the first 8 bytes of a SHA-256 over the
//! list it was given for, its upstream, owner and order, and what follows), the position (8 bytes,
//! big-endian), the length of the id (2 bytes, big-endian), the id and the last webhook's id. The check is no secret (hookgate keeps no key a restart or a
//! second replica would lose): it tells a cursor hookgate wrote for this list from any other
//! text, a cursor of another upstream's list, another owner's or another order's, and one cut short or mangled, all of
//! which are refused rather than read as the first page, which would have a client holding
//! one page forever. A client that forges one gains a page of its own list from where it
//! chose, which it could have asked for anyway.
//!
//! A vendor surface in front of an upstream of another dialect that gives its own cursors
//! seals each one it passes to its client the same way ([`Listing::seal`]): the check, then
//! the upstream's cursor. A cursor the client computed itself (a page number the upstream
//! never gave) or took from another list is then refused before the upstream is called, as an
//! emulator refuses it, rather than read by the upstream as a cursor of its own.

use super::{Order, Skip};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// The list a cursor is for: the upstream's, of an owner, in an order.
#[derive(Debug, Clone, Copy)]
pub struct Listing<'a> {
    /// The upstream's name.
    pub upstream: &'a str,
    /// The owner whose webhooks are listed.
    pub owner: Option<&'a str>,
    /// The order asked for.
    pub order: Option<Order>,
}

/// The check of a cursor: its list and its contents, hashed.
fn check(list: &Listing<'_>, at: u64, id: &str, after: &str) -> [u8; 8] {
    hashed(b"hookgate page cut from a whole list", list, at, id, after)
}

/// The check of a sealed upstream cursor: its list and the cursor, hashed apart from the
/// cursors of cut pages, so that neither reads as the other.
fn seal_check(list: &Listing<'_>, cursor: &str) -> [u8; 8] {
    hashed(b"hookgate cursor of an upstream", list, 0, cursor, "")
}

/// The first 8 bytes of a SHA-256 over `purpose`, the list and the fields.
fn hashed(purpose: &[u8], list: &Listing<'_>, at: u64, id: &str, after: &str) -> [u8; 8] {
    let mut hash = Sha256::new();
    hash.update(purpose);
    // Each field's length first, so that no two lists' fields run together.
    let (named, owner) = list.owner.map_or((0u8, ""), |o| (1, o));
    let order = match list.order {
        None => 0u8,
        Some(Order::Ascending) => 1,
        Some(Order::Descending) => 2,
    };
    let fields = [
        &[named, order][..],
        list.upstream.as_bytes(),
        owner.as_bytes(),
        id.as_bytes(),
        after.as_bytes(),
    ];
    for field in fields {
        hash.update((field.len() as u64).to_be_bytes());
        hash.update(field);
    }
    hash.update(at.to_be_bytes());
    hash.finalize()[..8].try_into().unwrap_or_default()
}

impl Listing<'_> {
    /// The upstream's `cursor` of this list, sealed for a client.
    pub fn seal(&self, cursor: &str) -> String {
        let mut bytes = Vec::with_capacity(8 + cursor.len());
        bytes.extend_from_slice(&seal_check(self, cursor));
        bytes.extend_from_slice(cursor.as_bytes());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The upstream's cursor `sealed` holds, if it is one [`Listing::seal`] wrote for this
    /// list: empty for the list's first page (the next page of a page of none that began it).
    pub fn unseal(&self, sealed: &str) -> Option<String> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed).ok()?;
        let (sum, cursor) = bytes.split_at_checked(8)?;
        let cursor = std::str::from_utf8(cursor).ok()?;
        (sum == seal_check(self, cursor)).then(|| cursor.to_owned())
    }
}

impl Skip {
    /// The cursor of a page of `list` that begins at webhook `id`, position `at`, after the
    /// webhook `after` (the last of the page before).
    pub fn resume_cursor(list: &Listing<'_>, at: u64, id: &str, after: Option<&str>) -> String {
        let after = after.unwrap_or_default();
        let len = u16::try_from(id.len()).unwrap_or(u16::MAX);
        let mut bytes = Vec::with_capacity(18 + id.len() + after.len());
        bytes.extend_from_slice(&check(list, at, id, after));
        bytes.extend_from_slice(&at.to_be_bytes());
        bytes.extend_from_slice(&len.to_be_bytes());
        bytes.extend_from_slice(id.as_bytes());
        bytes.extend_from_slice(after.as_bytes());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Where the page of `cursor` begins, if it is one [`Skip::resume_cursor`] wrote for
    /// `list`.
    pub fn resumed(list: &Listing<'_>, cursor: &str) -> Option<Skip> {
        let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
        let (sum, rest) = bytes.split_at_checked(8)?;
        let (at, rest) = rest.split_at_checked(8)?;
        let (len, rest) = rest.split_at_checked(2)?;
        let len = usize::from(u16::from_be_bytes(len.try_into().ok()?));
        let (id, after) = rest.split_at_checked(len)?;
        let at = u64::from_be_bytes(at.try_into().ok()?);
        let id = std::str::from_utf8(id).ok().filter(|id| !id.is_empty())?;
        let after = std::str::from_utf8(after).ok()?;
        (sum == check(list, at, id, after)).then(|| Skip::Resume {
            id: id.to_owned(),
            at,
            after: Some(after.to_owned()).filter(|a| !a.is_empty()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list<'a>(upstream: &'a str, owner: Option<&'a str>, order: Option<Order>) -> Listing<'a> {
        Listing {
            upstream,
            owner,
            order,
        }
    }

    #[test]
    fn a_cursor_reads_back_only_for_the_list_it_was_written_for() {
        let cursor = Skip::resume_cursor(&list("up", Some("ag_1"), None), 4, "wh_5", Some("wh_4"));
        assert_eq!(
            Skip::resumed(&list("up", Some("ag_1"), None), &cursor),
            Some(Skip::Resume {
                id: "wh_5".into(),
                at: 4,
                after: Some("wh_4".into()),
            })
        );
        let first = Skip::resume_cursor(&list("up", None, None), 0, "wh_1", None);
        assert_eq!(
            Skip::resumed(&list("up", None, None), &first),
            Some(Skip::Resume {
                id: "wh_1".into(),
                at: 0,
                after: None,
            })
        );
        assert!(!cursor.contains("wh_5"), "opaque: {cursor}");
        for other in [
            list("up", Some("ag_2"), None),
            list("up", None, None),
            list("up", Some("ag_1"), Some(Order::Descending)),
            list("down", Some("ag_1"), None),
        ] {
            assert_eq!(Skip::resumed(&other, &cursor), None, "{other:?}");
        }
    }

    #[test]
    fn a_sealed_cursor_opens_only_for_its_list_and_nothing_else_opens() {
        let here = list("up", Some("ag_1"), None);
        let sealed = here.seal("tok+2");
        assert_eq!(here.unseal(&sealed).as_deref(), Some("tok+2"));
        assert!(!sealed.contains("tok"), "opaque: {sealed}");
        for other in [
            list("up", Some("ag_2"), None),
            list("up", None, None),
            list("up", Some("ag_1"), Some(Order::Ascending)),
            list("down", Some("ag_1"), None),
        ] {
            assert_eq!(other.unseal(&sealed), None, "{other:?}");
        }
        let cut = Skip::resume_cursor(&here, 2, "7", Some("6"));
        for text in ["2", "", "tok+2", &cut, &sealed[1..], &format!("{sealed}A")] {
            assert_eq!(here.unseal(text), None, "{text}");
        }
        assert_eq!(Skip::resumed(&here, &sealed), None);
    }

    #[test]
    fn text_hookgate_did_not_write_is_no_cursor() {
        let cursor = Skip::resume_cursor(&list("up", None, None), 2, "7", Some("6"));
        let mut flipped = cursor.clone().into_bytes();
        flipped[3] = if flipped[3] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).unwrap();
        for text in [
            "zzz",
            "",
            "4",
            "ep_1srOrx2ZWZBpBUvZwXKQmoEYga2",
            &cursor[..cursor.len() - 1],
            &format!("{cursor}A"),
            &flipped,
        ] {
            assert_eq!(Skip::resumed(&list("up", None, None), text), None, "{text}");
        }
    }
}
