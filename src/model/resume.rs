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
//! the same kind of check, where that page is (its cursor, none for the first, and the page
//! size it was asked in, so that it is asked for again as it was) and a mark of each webhook
//! given from it ([`Mark`]), so that the next page holds those of the page read again that
//! were not given, whatever was deleted or created meanwhile and wherever.
//!
//! A mark is the first 8 bytes of a SHA-256 over the webhook's id and its list: the cursor
//! shows no id, and grows by 8 bytes for each webhook given from the vendor's page, which is
//! no more than that page holds but for webhooks created onto it between its pages. Two ids
//! of one list with one mark would have the second taken for given and passed over; at 8
//! bytes (one chance in 2^64 for two ids) that is not guarded against.

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

/// A webhook given from a vendor's page, as a cursor holds it: [`Listing::mark`] of its id.
pub type Mark = [u8; 8];

/// Where a page cut part way through one of a vendor's pages ends, so that the next begins
/// there: a vendor that serves more webhooks to a page than its client's `limit` (it takes no
/// page size, serves none as small, or serves more than it is asked for). Written as the
/// opaque cursor of [`Listing::part_way_cursor`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartWay {
    /// The vendor's cursor of its page: `None` for its first.
    pub page: Option<String>,
    /// The page size that page was asked in, where one was sent: asked again so, the vendor's
    /// page is the same one.
    pub size: Option<u64>,
    /// The webhooks of that page already given, in the order given.
    pub given: Vec<Mark>,
    /// The webhooks given from the vendor's page before, that were no longer on it when the
    /// rest of it was given: deleted, or pushed onto this page by webhooks created ahead of
    /// them, where they are not given again.
    pub earlier: Vec<Mark>,
}

impl PartWay {
    /// Whether the webhook of `mark` was given: from the vendor's page, or from the one
    /// before it.
    pub fn gave(&self, mark: &Mark) -> bool {
        self.given.contains(mark) || self.earlier.contains(mark)
    }

    /// The fields, as a cursor holds them: the size (a flag, then 8 bytes), the page's cursor
    /// (its length in 4 bytes, then its bytes), the count of marks given (4 bytes), the marks
    /// given, and the earlier marks.
    fn held(&self) -> Vec<u8> {
        let page = self.page.as_deref().unwrap_or_default().as_bytes();
        let marks = self.given.len() + self.earlier.len();
        let mut bytes = Vec::with_capacity(17 + page.len() + 4 + 8 * marks);
        bytes.push(u8::from(self.size.is_some()));
        bytes.extend_from_slice(&self.size.unwrap_or_default().to_be_bytes());
        let len = u32::try_from(page.len()).unwrap_or(u32::MAX);
        bytes.extend_from_slice(&len.to_be_bytes());
        bytes.extend_from_slice(page);
        let count = u32::try_from(self.given.len()).unwrap_or(u32::MAX);
        bytes.extend_from_slice(&count.to_be_bytes());
        for mark in self.given.iter().chain(&self.earlier) {
            bytes.extend_from_slice(mark);
        }
        bytes
    }

    /// The fields `held` holds, if it is laid out as [`PartWay::held`] lays them.
    fn read(held: &[u8]) -> Option<PartWay> {
        let (sized, rest) = held.split_first()?;
        let (size, rest) = rest.split_at_checked(8)?;
        let (len, rest) = rest.split_at_checked(4)?;
        let len = usize::try_from(u32::from_be_bytes(len.try_into().ok()?)).ok()?;
        let (page, rest) = rest.split_at_checked(len)?;
        let page = std::str::from_utf8(page).ok()?;
        let (count, rest) = rest.split_at_checked(4)?;
        let count = usize::try_from(u32::from_be_bytes(count.try_into().ok()?)).ok()?;
        let (given, earlier) = rest.split_at_checked(count.checked_mul(8)?)?;
        Some(PartWay {
            page: Some(page.to_owned()).filter(|p| !p.is_empty()),
            size: match sized {
                0 => None,
                1 => Some(u64::from_be_bytes(size.try_into().ok()?)),
                _ => return None,
            },
            given: marks(given)?,
            earlier: marks(earlier)?,
        })
    }
}

/// The marks `bytes` holds, 8 bytes each; `None` where they do not divide so.
fn marks(bytes: &[u8]) -> Option<Vec<Mark>> {
    let chunks = bytes.chunks_exact(8);
    if !chunks.remainder().is_empty() {
        return None;
    }
    chunks.map(|mark| mark.try_into().ok()).collect()
}

impl Listing<'_> {
    /// The mark of the webhook of `id` of this list, as a cursor of a page cut part way holds
    /// it: hashed apart from the checks of cursors, so that no mark is one.
    pub fn mark(&self, id: &str) -> Mark {
        hashed(
            b"hookgate webhook given from a vendor's page",
            self,
            0,
            &[id.as_bytes()],
        )
    }

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
                given: vec![here.mark("wh_1"), here.mark("wh_2")],
                earlier: vec![],
            },
            PartWay {
                page: None,
                size: None,
                given: vec![here.mark("7")],
                earlier: vec![here.mark("5"), here.mark("6")],
            },
            PartWay {
                page: Some("c9".into()),
                size: Some(0),
                given: vec![],
                earlier: vec![here.mark("wh_8")],
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
    fn a_mark_is_its_ids_of_its_list_and_no_cursors_check() {
        let here = list("up", Some("ag_1"), None);
        assert_eq!(here.mark("wh_1"), here.mark("wh_1"));
        let others = [
            here.mark("wh_2"),
            here.mark("wh_1 "),
            here.mark(""),
            list("up", Some("ag_2"), None).mark("wh_1"),
            list("up", Some("ag_1"), Some(Order::Descending)).mark("wh_1"),
            list("down", Some("ag_1"), None).mark("wh_1"),
        ];
        for other in others {
            assert_ne!(here.mark("wh_1"), other);
        }
        assert_ne!(here.mark("tok"), seal_check(&here, "tok"));
        let part = PartWay {
            given: vec![here.mark("a")],
            earlier: vec![here.mark("b")],
            ..PartWay::default()
        };
        assert!(part.gave(&here.mark("a")) && part.gave(&here.mark("b")));
        assert!(!part.gave(&here.mark("c")));
    }

    #[test]
    fn marks_that_do_not_divide_into_eight_bytes_are_no_cursor() {
        let here = list("up", None, None);
        let part = PartWay {
            given: vec![here.mark("a")],
            ..PartWay::default()
        };
        let mut held = part.held();
        assert_eq!(PartWay::read(&held), Some(part.clone()));
        held.push(0);
        assert_eq!(PartWay::read(&held), None, "a byte too many");
        held.truncate(held.len() - 2);
        assert_eq!(PartWay::read(&held), None, "a byte too few");
        // A count of given marks beyond those held.
        let mut counted = part.held();
        let at = counted.len() - 9;
        counted[at] = 2;
        assert_eq!(PartWay::read(&counted), None);
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
