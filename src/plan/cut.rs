//! Cutting a client's page from a vendor's page that holds more webhooks than the client's
//! `limit`: a vendor that takes no page size, serves none as small as the one asked for, or
//! serves more than it is asked for. The client's page holds at most `limit`; where the
//! vendor's page holds more, the next page's cursor names that page and how much of it was
//! given ([`PartWay`]), and the next page is cut from the same vendor's page, asked for again
//! as it was, from its webhooks not given: wherever webhooks were deleted or created
//! meanwhile, none is passed over and none given twice. Once the rest of a vendor's page fits,
//! the next page's cursor is the vendor's own, as on any page that needs no cut, but where
//! webhooks given from it are no longer on it: they may have been pushed onto the vendor's
//! next page by webhooks created ahead of them, and that page is named by a cursor of
//! hookgate's that passes them over.

use super::{Page, Plan};
use crate::mapping::model::Endpoint;
use crate::model::{Action, Listed, Mark, PartWay, id_text};

/// A client's page to be cut from the vendor's page.
#[derive(Debug)]
pub(super) struct Cut {
    /// The client's page size; `None`: the rest of the vendor's page.
    want: Option<u64>,
    /// Where the client's page begins in the vendor's, as its cursor says; `None`: at the
    /// vendor page's first webhook.
    from: Option<PartWay>,
}

impl Plan<'_> {
    /// A client's cursor that names a page begun part way through a vendor's page, opened:
    /// the vendor's page is asked for again by its own cursor (none for its first). Any other
    /// cursor is the vendor's own, passed on as it is. Opened before the plan is laid out, so
    /// that a vendor that pages by counts is asked by its count.
    pub(super) fn open_part_way(&mut self) {
        let Some(cursor) = self.op.query.cursor.as_deref() else {
            return;
        };
        let pages =
            (self.cx.dialect.operation(Action::List)).is_some_and(Endpoint::names_next_page);
        if self.op.action != Action::List || !pages || self.op.query.skip.is_some() {
            return;
        }
        let Some(part) = self.listing().part_way(cursor) else {
            return;
        };
        self.op.query.cursor = part.page.clone();
        self.cut = Some(Box::new(Cut {
            want: None,
            from: Some(part),
        }));
    }

    /// The page size asked of a vendor that names its next page, and the cut of the client's
    /// page from the vendor's. A page resumed part way through the vendor's is asked for in
    /// the size it was first asked in, so that the vendor's page is the same one; any other
    /// in the size [`Plan::page_size`] says, where the vendor takes one. A vendor that takes
    /// none is asked for none: its page is as large as it serves, and is not taken for the
    /// last because it holds fewer than the client asked for.
    pub(super) fn cut_pages(&mut self, own: &Endpoint) {
        let from = self.cut.take().and_then(|c| c.from);
        let want = self.op.query.limit;
        let size = want.map(|limit| self.page_size(own, limit));
        self.op.query.limit = match &from {
            Some(part) => part.size,
            None => size.filter(|_| own.param_of("limit").is_some()),
        };
        if want.is_some() || from.is_some() {
            self.cut = Some(Box::new(Cut { want, from }));
        }
    }

    /// The client's page cut from the vendor's `page`: its webhooks not given before (as the
    /// client's cursor says), at most its `limit`. Where webhooks of the vendor's page are
    /// left, the next page is cut from it again; else it is the vendor's next page.
    pub(super) fn cut_page(&self, (items, next): Page) -> Page {
        let Some(cut) = self.cut.as_deref() else {
            return (items, next);
        };
        // A page that fits as it is, from its first webhook, is passed on as it was read.
        if cut.from.is_none() && cut.want.is_none_or(|w| items.len() as u64 <= w) {
            return (items, next);
        }
        let listing = self.listing();
        let webhooks = items.into_maps();
        // Every listed webhook has an id (one without is refused as the page is read); one
        // without would have no mark, and be taken for not given.
        let marks: Vec<Option<Mark>> = (webhooks.iter())
            .map(|w| w.get("id").and_then(id_text).map(|id| listing.mark(&id)))
            .collect();
        let from = cut.from.clone().unwrap_or_default();
        let fresh: Vec<usize> = (0..webhooks.len())
            .filter(|&at| marks[at].is_none_or(|mark| !from.gave(&mark)))
            .collect();
        let want = cut
            .want
            .map_or(usize::MAX, |w| usize::try_from(w).unwrap_or(usize::MAX));
        let (taken, left) = fresh.split_at(want.min(fresh.len()));
        let mut page = Listed::default();
        for &at in taken {
            page.push(&webhooks[at]);
        }
        let on_page = |mark: &Mark| marks.contains(&Some(*mark));
        let mut given = from.given;
        given.extend(taken.iter().filter_map(|&at| marks[at]));
        let part = if left.is_empty() {
            self.past_page(
                next.as_deref(),
                given.into_iter().filter(|m| !on_page(m)).collect(),
            )
        } else {
            Some(PartWay {
                page: self.op.query.cursor.clone(),
                size: self.op.query.limit,
                given,
                earlier: from.earlier.into_iter().filter(on_page).collect(),
            })
        };
        match part {
            Some(part) => (page, Some(listing.part_way_cursor(&part))),
            None => (page, next),
        }
    }

    /// Where the page after a vendor's page given whole begins, where the vendor's own cursor
    /// `next` would not do: webhooks given from that page that are `gone` from it (deleted,
    /// or pushed onto its next page by webhooks created ahead of them) are passed over there.
    /// `None`: the vendor's `next` is the next page's cursor as it is.
    fn past_page(&self, next: Option<&str>, gone: Vec<Mark>) -> Option<PartWay> {
        if gone.is_empty() {
            return None;
        }
        Some(PartWay {
            page: Some(next?.to_owned()),
            size: self.op.query.limit,
            given: Vec::new(),
            earlier: gone,
        })
    }

    /// The cursor a client gave, where it named a page begun part way through a vendor's
    /// page: written again as it was.
    pub(super) fn part_way_given(&self) -> Option<String> {
        let part = self.cut.as_deref()?.from.as_ref()?;
        Some(self.listing().part_way_cursor(part))
    }
}
