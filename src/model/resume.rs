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
//!
//! A vendor that pages, but whose page may hold more webhooks than a client's `limit` (it
//! takes no page size, serves none as small, or serves more than it is asked), has its page
//! cut, and the cursor of the page that follows ([`Listing::part_way_cursor`]) holds, after
//! the same kind of check, how much of the vendor's page was given and where that page is:
//! its cursor (none for the first) and the page size it was asked in, so that it is asked for
//! again as it was, and the ids of the first webhook not given and the last given, so that the
//! next page begins with the one even where webhooks before it were deleted meanwhile.

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
    let fields = [id.as_bytes(), after.as_bytes()];
    hashed(b"hookgate page cut from a whole list", list, at, &fields)
}

/// The check of a sealed upstream cursor: its list and the cursor, hashed apart from the
/// cursors of cut pages, so that neither reads as the other.
fn seal_check(list: &Listing<'_>, cursor: &str) -> [u8; 8] {
    hashed(
        b"hookgate cursor of an upstream",
        list,
        0,
        &[cursor.as_bytes(), b""],
    )
}

/// The check of a cursor of a page cut part way through a vendor's page: its list and what
/// it holds, hashed apart from the other cursors, so that none reads as another.
fn part_way_check(list: &Listing<'_>, held: &[u8]) -> [u8; 8] {
    hashed(b"hookgate page cut from a vendor's page", list, 0, &[held])
}

/// The first 8 bytes of a SHA-256 over `purpose`, the list and the fields.
fn hashed(purpose: &[u8], list: &Listing<'_>, at: u64, fields: &[&[u8]]) -> [u8; 8] {
    let mut hash = Sha256::new();
    hash.update(purpose);
    // Each field's length first, so that no two lists' fields run together.
    let (named, owner) = list.owner.map_or((0u8, ""), |o| (1, o));
    let order = match list.order {
        None => 0u8,
        Some(Order::Ascending) => 1,
        Some(Order::Descending) => 2,
    };
    let listed = [
        &[named, order][..],
        list.upstream.as_bytes(),
        owner.as_bytes(),
    ];
    for field in listed.iter().chain(fields) {
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

/// Where a page cut part way through one of a vendor's pages ends, so that the next begins
/// there: a vendor that serves more webhooks to a page than its client's `limit` (it takes no
/// page size, serves none as small, or serves more than it is asked for). Written as the
/// opaque cursor of [`Listing::part_way_cursor`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartWay {
    /// The vendor's cursor of its page: `None` for its first.
    pub page: Option<String>,
    /// The page size that page was asked in, where one was sent: asked again so, the vendor's
    /// page is the same one.
    pub size: Option<u64>,
    /// How many of that page's webhooks were given.
    pub given: u64,
    /// The first webhook not given, by its id.
    pub next: Option<String>,
    /// The last webhook given, by its id.
    pub last: Option<String>,
}

impl PartWay {
    /// Where in the vendor's page, as it is read again (`ids`: its webhooks' ids, in order),
    /// the next client page begins: at the first webhook not given, where it is still there;
    /// else after the last one given; else after as many as were given, where both are gone.
    pub fn begins_at(&self, ids: &[Option<String>]) -> usize {
        let place = |wanted: &Option<String>| {
            let wanted = wanted.as_deref()?;
            ids.iter().position(|id| id.as_deref() == Some(wanted))
        };
        place(&self.next)
            .or_else(|| place(&self.last).map(|at| at + 1))
            .unwrap_or_else(|| usize::try_from(self.given).map_or(ids.len(), |n| n.min(ids.len())))
    }

    /// The fields, as a cursor holds them: the count given, the size (a flag, then 8 bytes),
    /// the page's cursor, the next id (each its length in 4 bytes, then its bytes), and the
    /// last id.
    fn held(&self) -> Vec<u8> {
        let text = |t: &Option<String>| t.as_deref().unwrap_or_default().as_bytes().to_vec();
        let (page, next, last) = (text(&self.page), text(&self.next), text(&self.last));
        let mut bytes = Vec::with_capacity(25 + page.len() + next.len() + last.len());
        bytes.extend_from_slice(&self.given.to_be_bytes());
        bytes.push(u8::from(self.size.is_some()));
        bytes.extend_from_slice(&self.size.unwrap_or_default().to_be_bytes());
        for field in [&page, &next] {
            let len = u32::try_from(field.len()).unwrap_or(u32::MAX);
            bytes.extend_from_slice(&len.to_be_bytes());
            bytes.extend_from_slice(field);
        }
        bytes.extend_from_slice(&last);
        bytes
    }

    /// The fields `held` holds, if it is laid out as [`PartWay::held`] lays them.
    fn read(held: &[u8]) -> Option<PartWay> {
        let (given, rest) = held.split_at_checked(8)?;
        let (sized, rest) = rest.split_first()?;
        let (size, mut rest) = rest.split_at_checked(8)?;
        let mut texts = [None, None];
        for text in &mut texts {
            let (len, after) = rest.split_at_checked(4)?;
            let len = usize::try_from(u32::from_be_bytes(len.try_into().ok()?)).ok()?;
            let (field, after) = after.split_at_checked(len)?;
            *text = Some(std::str::from_utf8(field).ok()?.to_owned()).filter(|t| !t.is_empty());
            rest = after;
        }
        let [page, next] = texts;
        let last = std::str::from_utf8(rest).ok()?;
        Some(PartWay {
            page,
            size: match sized {
                0 => None,
                1 => Some(u64::from_be_bytes(size.try_into().ok()?)),
                _ => return None,
            },
            given: u64::from_be_bytes(given.try_into().ok()?),
            next,
            last: Some(last.to_owned()).filter(|l| !l.is_empty()),
        })
    }
}

impl Listing<'_> {
    /// The cursor of the page of this list that begins where `part` says, part way through a
    /// vendor's page.
    pub fn part_way_cursor(&self, part: &PartWay) -> String {
        let held = part.held();
        let mut bytes = Vec::with_capacity(8 + held.len());
        bytes.extend_from_slice(&part_way_check(self, &held));
        bytes.extend_from_slice(&held);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Where the page of `cursor` begins, if it is one [`Listing::part_way_cursor`] wrote for
    /// this list.
    pub fn part_way(&self, cursor: &str) -> Option<PartWay> {
        let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
        let (sum, held) = bytes.split_at_checked(8)?;
        (sum == part_way_check(self, held)).then(|| PartWay::read(held))?
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
    fn a_part_way_cursor_reads_back_whole_only_for_its_list() {
        let here = list("up", Some("ag_1"), None);
        let parts = [
            PartWay {
                page: Some("tok+2/é".into()),
                size: Some(3),
                given: 2,
                next: Some("wh_3".into()),
                last: Some("wh_2".into()),
            },
            PartWay {
                page: None,
                size: None,
                given: 1,
                next: Some("7".into()),
                last: None,
            },
        ];
        for part in parts {
            let cursor = here.part_way_cursor(&part);
            assert_eq!(here.part_way(&cursor), Some(part.clone()), "{cursor}");
            assert!(!cursor.contains("wh_"), "opaque: {cursor}");
            for other in [
                list("up", Some("ag_2"), None),
                list("up", Some("ag_1"), Some(Order::Descending)),
                list("down", Some("ag_1"), None),
            ] {
                assert_eq!(other.part_way(&cursor), None, "{other:?}");
            }
            let mut flipped = cursor.clone().into_bytes();
            flipped[3] = if flipped[3] == b'A' { b'B' } else { b'A' };
            let flipped = String::from_utf8(flipped).unwrap();
            for text in [&cursor[..cursor.len() - 1], &format!("{cursor}A"), &flipped] {
                assert_eq!(here.part_way(text), None, "{text}");
            }
            // No other kind of cursor reads as one, nor one as another kind.
            assert_eq!(here.unseal(&cursor), None);
            assert_eq!(Skip::resumed(&here, &cursor), None);
        }
        let sealed = here.seal("tok");
        let cut = Skip::resume_cursor(&here, 2, "7", Some("6"));
        for text in ["", "c2", sealed.as_str(), cut.as_str()] {
            assert_eq!(here.part_way(text), None, "{text}");
        }
    }

    #[test]
    fn a_part_way_page_begins_with_its_next_webhook_else_after_its_last_else_at_its_count() {
        let part = PartWay {
            page: None,
            size: None,
            given: 2,
            next: Some("c".into()),
            last: Some("b".into()),
        };
        let ids = |ids: &[&str]| -> Vec<Option<String>> {
            ids.iter().map(|i| Some(i.to_string())).collect()
        };
        assert_eq!(part.begins_at(&ids(&["a", "b", "c", "d"])), 2);
        assert_eq!(part.begins_at(&ids(&["b", "c", "d"])), 1, "`a` deleted");
        assert_eq!(part.begins_at(&ids(&["a", "b", "d"])), 2, "`c` deleted");
        assert_eq!(part.begins_at(&ids(&["a", "x", "d"])), 2, "both deleted");
        assert_eq!(
            part.begins_at(&ids(&["a"])),
            1,
            "no more than the page holds"
        );
        assert_eq!(part.begins_at(&[None, None, None]), 2, "no ids to go by");
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
