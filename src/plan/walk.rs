//! Walking a vendor's pages to where a page a client computed begins: a surface's client that
//! pages by position, page number or last id, in front of a vendor whose cursors mean
//! something else; through all of them, for a client whose vendor answers a list whole; or
//! through the one answer of a vendor that answers every webhook at once, to cut from it the
//! page a client asked for (a page size, or a cursor the walk gave). The vendor's pages are
//! read from its first, following its own cursors; what comes before the client's page is
//! passed over, and its webhooks are gathered until the page is full or the vendor's list
//! ends.
//!
//! Each client page costs as many vendor pages as lie before it: a walk reads at most
//! [`MAX_PAGES`], and a page further in is refused on its cursor rather than answered late.
//! A list that goes on past them once the client's page has begun (a list answered whole, a
//! page not yet full) is the vendor's, a 502: the client asked for nothing nearer. So is a
//! vendor's refusal of what the walk sent it rather than the client (its own cursor).
//!
//! A walk that finds where a page begins by a webhook's id (the last id a client saw, or a
//! cursor of a page cut from a whole list) stands on the vendor's ids: an integer id is its
//! decimal text, as the canonical API writes it, and a list in which a webhook has no id, or
//! two have one id, cannot be paged so without listing one twice, or never, or paging forever.
//! Such a list is the vendor's error, named in a 502, rather than paged wrong.
//!
//! A vendor with no read of one webhook (`from = "list"`) is read so too ([`Find`]): its list,
//! from its first page, following its own cursors, to the page that holds the webhook, found
//! by the rule a vendor's read of one is held to (its id under a spelling the vendor reads as
//! it, `007` for an integer's `7`, or an alias).
//! An id in no page is the vendor's 404 for that webhook; two webhooks of the id, or a list
//! that names a next page after [`MAX_PAGES`] without it, is the vendor's error, a 502,
//! rather than one picked or a webhook taken for missing. So is a page answered again as the
//! one before it, and a refusal of a page asked at the vendor's own cursor. The page size asked
//! is hookgate's, which a vendor may serve less of: a short page ends no such read, an empty
//! one does.

use super::answer::ReadFor;
use super::{Context, Page, Plan, Stage};
use crate::exchange::Reply;
use crate::mapping::model::{Endpoint, Paging};
use crate::model::{ListQuery, Listed, Listing, Members, Skip, id_text};
use crate::problem::{Code, FieldError, Problem};
use serde_json::Value;
use std::collections::HashSet;

/// The most vendor pages one walk reads.
const MAX_PAGES: usize = 100;

/// A walk under way.
#[derive(Debug)]
pub(super) struct Walk {
    /// What is still to be passed over; `None` once the client's page has begun.
    skip: Option<Skip>,
    /// How many webhooks were passed over.
    passed: u64,
    /// The client's page, as it is gathered.
    page: Listed,
    /// Whether a webhook was found beyond the full page.
    beyond: bool,
    /// Vendor pages read.
    pages: usize,
    /// The client's page size, where it has one (the vendor's pages may be larger).
    want: Option<u64>,
    /// The walk gathers the whole list, from its first webhook, for a client whose vendor
    /// answers a list whole.
    whole: bool,
    /// The id of the first webhook beyond the client's page, where one was seen.
    next: Option<String>,
    /// The id of the last webhook of the client's page, so far.
    last: Option<String>,
    /// The ids of the webhooks read, where the walk stands on ids (`None`: it counts).
    ids: Option<HashSet<String>>,
    /// How many webhooks were read.
    read: u64,
}

/// What a vendor's list holds that a walk by ids cannot stand on.
#[derive(Debug, PartialEq, Eq)]
enum Unpageable {
    /// A webhook without an id it could be found by: its place in the list (1 for the first).
    NoId(u64),
    /// Two webhooks of one id.
    Twice(String),
}

impl Walk {
    /// A walk that passes over what `skip` says, to a page of `want` webhooks (none: every
    /// one that follows). `cuts`: the vendor answers its list whole and the walk cuts a page
    /// from it, whose next page it names by the id of its first webhook.
    pub(super) fn new(skip: Skip, want: Option<u64>, cuts: bool) -> Walk {
        let by_id =
            matches!(skip, Skip::After(_) | Skip::Resume { .. }) || (cuts && want.is_some());
        Walk {
            ids: by_id.then(HashSet::new),
            read: 0,
            whole: skip == Skip::Items(0) && want.is_none(),
            skip: Some(skip).filter(|s| *s != Skip::Items(0)),
            passed: 0,
            page: Listed::default(),
            beyond: false,
            pages: 0,
            want,
            next: None,
            last: None,
        }
    }

    /// Whether the client's page is full.
    fn full(&self) -> bool {
        self.want.is_some_and(|w| self.page.len() as u64 >= w)
    }

    /// Notes the id of the next webhook of the vendor's list, where the walk stands on ids:
    /// one without an id, or of an id read before, is refused.
    fn note(&mut self, id: Option<&str>) -> Result<(), Unpageable> {
        self.read += 1;
        let Some(ids) = &mut self.ids else {
            return Ok(());
        };
        let id = id.ok_or(Unpageable::NoId(self.read))?;
        if !ids.insert(id.to_owned()) {
            return Err(Unpageable::Twice(id.to_owned()));
        }
        Ok(())
    }

    /// Takes one webhook of the vendor's list, in order: passed over, gathered, or counted
    /// as beyond the client's page (the first of those named: the next page begins there).
    fn take(&mut self, webhook: serde_json::Map<String, Value>) -> Result<(), Unpageable> {
        let id = webhook.get("id").and_then(id_text);
        self.note(id.as_deref())?;
        let id = id.as_deref();
        match &mut self.skip {
            Some(Skip::Items(left)) => {
                *left = left.saturating_sub(1);
                self.passed += 1;
                if *left == 0 {
                    self.skip = None;
                }
                return Ok(());
            }
            Some(Skip::After(after)) => {
                self.passed += 1;
                if id == Some(after.as_str()) {
                    self.skip = None;
                }
                return Ok(());
            }
            Some(Skip::Resume { id: from, .. }) if id != Some(from.as_str()) => {
                self.passed += 1;
                return Ok(());
            }
            // The page begins with this one.
            Some(Skip::Resume { .. }) => self.skip = None,
            None => {}
        }
        if self.full() {
            if !self.beyond {
                self.next = id.map(str::to_owned);
            }
            self.beyond = true;
        } else {
            self.last = id.map(str::to_owned);
            self.page.push(&webhook);
        }
        Ok(())
    }

    /// A page resumed from a webhook that is no longer in the list: it begins after the last
    /// webhook of the page before, where that one is still there, else at the place the
    /// first held (where webhooks before it were deleted too, one may then be passed over).
    /// Known only once the whole list is in hand: the vendor's one answer of a list it
    /// answers whole.
    fn resume_where_gone(&mut self, items: &[serde_json::Map<String, Value>], last: bool) {
        let listed = |id: &str| {
            items
                .iter()
                .any(|w| w.get("id").and_then(id_text).as_deref() == Some(id))
        };
        if let Some(Skip::Resume { id, at, after }) = &self.skip
            && last
            && self.pages == 1
            && !listed(id)
        {
            self.skip = match after.as_deref().filter(|a| listed(a)) {
                Some(after) => Some(Skip::After(after.to_owned())),
                None => Some(Skip::Items(*at)).filter(|s| *s != Skip::Items(0)),
            };
        }
    }
}

/// A read of one webhook through the list of a vendor that has no such read, under way.
#[derive(Debug)]
pub(super) struct Find {
    /// The webhook's id.
    id: String,
    /// The page to ask for next: as large as the vendor serves, after the pages read.
    query: ListQuery,
    /// Vendor pages read.
    pages: usize,
    /// The ids of the last page read, to tell a page that repeats it.
    last_page: Vec<Option<String>>,
    /// Whether a webhook of the pages read says whose it is: where the vendor's list says so,
    /// one of the id that does not cannot be taken as the owner's.
    said: bool,
    /// Whether a webhook of the id that does not say whose it is was passed over so.
    unsaid: bool,
}

impl Find {
    /// A read of webhook `id` from `list`'s first page, asked as large as the vendor's
    /// largest (where it takes a page size and says which), so that the walk is short.
    fn new(id: String, list: &Endpoint) -> Find {
        let largest = list.max_limit.as_ref().map(|(max, _)| *max);
        Find {
            id,
            query: ListQuery {
                limit: largest.filter(|_| list.param_of("limit").is_some()),
                ..ListQuery::default()
            },
            pages: 0,
            last_page: Vec::new(),
            said: false,
            unsaid: false,
        }
    }

    /// The webhook of the id among a page's, if it holds one: the one `asked` finds
    /// ([`Context::is_the_one`](super::Context::is_the_one), the rule a read of one webhook
    /// is held to: the id under another spelling the vendor reads as it, or an alias). Two
    /// are refused, as no id then names one webhook. Another owner's (`owner`: the one asked
    /// under), at a vendor whose list holds every owner's, is not the one asked for: it is
    /// passed over as if it were not there, and the owner's own may follow. So is one that
    /// does not say whose it is, at a vendor whose list says it of others: nothing says it is
    /// the owner's.
    fn among(
        &mut self,
        items: Vec<serde_json::Map<String, Value>>,
        owner: Option<&str>,
        wanted: impl Fn(&Members) -> bool,
    ) -> Result<Option<Members>, Unpageable> {
        let owner_of =
            |webhook: &serde_json::Map<String, Value>| webhook.get("owner").and_then(id_text);
        if owner.is_some() && !self.said {
            self.said = items.iter().any(|w| owner_of(w).is_some());
        }
        let mut found = None;
        for webhook in items {
            // One without an id is no webhook a read of one by its id could mean.
            if webhook.get("id").and_then(id_text).is_none() {
                continue;
            }
            let named = owner.map(|_| owner_of(&webhook));
            let webhook = Members::from(webhook);
            if !wanted(&webhook) {
                continue;
            }
            if let (Some(asked), Some(named)) = (owner, named) {
                match named {
                    Some(named) if named != asked => continue,
                    None if self.said => {
                        self.unsaid = true;
                        continue;
                    }
                    _ => {}
                }
            }
            if found.is_some() {
                return Err(Unpageable::Twice(self.id.clone()));
            }
            found = Some(webhook);
        }
        Ok(found)
    }
}

impl Plan<'_> {
    /// The page of the list a read of one webhook asks for next: its first, where the read
    /// begins here.
    pub(super) fn finding(&mut self, list: &Endpoint) -> ListQuery {
        let id = self.id().unwrap_or_default();
        let find = self
            .find
            .get_or_insert_with(|| Box::new(Find::new(id, list)));
        find.query.clone()
    }

    /// A page of the list read for one webhook (`stage` reads it): the webhook, where the
    /// page holds it; else the next page asked for (the stage again), or, where none
    /// follows, the vendor's 404 for it.
    pub(super) fn found(
        &mut self,
        stage: Stage,
        list: &Endpoint,
        reply: &Reply,
    ) -> Result<Option<Members>, Problem> {
        let mut find = self
            .find
            .take()
            .expect("a page read for one webhook answers the request its find made");
        let link = (list.paging == Paging::Link)
            .then(|| reply.headers.joined("link").map(|l| l.into_owned()))
            .flatten();
        self.cx.whole_list(reply)?;
        let parsed = (self.cx.read_as(list, reply, ReadFor::Find))
            .map_err(|p| self.cx.list_refused(p, reply.status, &find))?;
        let (items, next) =
            self.cx
                .page(list, parsed, &find.query, link.as_deref(), ReadFor::Find)?;
        find.pages += 1;
        let items = items.into_maps();
        let ids: Vec<_> = (items.iter())
            .map(|w| w.get("id").and_then(id_text))
            .collect();
        let asked = find.id.clone();
        let is = |webhook: &Members| self.cx.is_the_one(webhook, &asked);
        let among = find.among(items, self.op.owner.as_deref(), is);
        if let Some(mut webhook) = among.map_err(|flaw| self.cx.unfindable(&flaw, &find.id))? {
            // Read before a change: what its item of the page says doubtfully, found by its id
            // where the page read holds every item of the answer, in its order.
            let id = (webhook.text("id").filter(|t| !t.is_empty())).map(|t| t.into_owned());
            let at = ids.iter().position(|i| id.is_some() && *i == id);
            let keys = list.item_keys.as_ref();
            let whole = keys.is_some_and(|k| items_in(&reply.body, k) == Some(ids.len()));
            if let (Stage::Current, Some(at), Some(keys), true) = (stage, at, keys, whole) {
                let keys: Vec<String> = (keys.iter().cloned()).chain([at.to_string()]).collect();
                self.doubts = self.cx.doubts_at(reply, &keys);
            }
            // Read from a list that names the owner, one that does not say whose it is (at a
            // vendor whose list never says) is the owner's, as a read of it would give it.
            self.cx.complete(&mut webhook, self.cx.owner_told(list));
            return Ok(Some(webhook));
        }
        let Some(cursor) = next else {
            if find.unsaid {
                let what = format!(
                    "webhook {} without its owner, in a list that says whose others are: whose it is cannot be confirmed",
                    Value::from(find.id.as_str())
                );
                return Err(self.cx.malformed(&what, None));
            }
            return Err(self.cx.listed_nowhere(&find.id));
        };
        // A vendor that answers the same page again (one that ignores the cursor, or answers
        // its last page for any past it) would be followed for ever, and where its list ends
        // cannot be told: its error, rather than a webhook taken for missing.
        if !ids.is_empty() && ids == find.last_page {
            let what = format!(
                "page {} of its list, read for webhook {}, as the page before it: where its list ends cannot be told",
                find.pages,
                Value::from(find.id.as_str())
            );
            return Err(self.cx.malformed(&what, None));
        }
        find.last_page = ids;
        if find.pages >= MAX_PAGES {
            let what = format!(
                "a list that names a next page after {MAX_PAGES} pages without webhook {}: a webhook is read from at most {MAX_PAGES} of its pages",
                Value::from(find.id.as_str())
            );
            return Err(self.cx.malformed(&what, None));
        }
        find.query.cursor = Some(cursor);
        self.find = Some(find);
        self.stages.push_front(stage);
        Ok(None)
    }

    /// A vendor's refusal, on a walk, of what hookgate chose rather than the client: the
    /// cursor (the vendor's own, given by its page before) and a page size other than the
    /// client's (the largest the vendor serves). The client sent neither and can correct
    /// neither: it is the upstream's error, a 502 with the vendor's words, never a refusal of
    /// a parameter the client did not send.
    pub(super) fn refused_made_up(&self, problem: Problem) -> Problem {
        let Some(walk) = self.walk.as_deref() else {
            return problem;
        };
        let query = &self.op.query;
        let made_up = |field: &str| match field {
            "cursor" => query.cursor.is_some(),
            "limit" => query.limit.is_some() && query.limit != walk.want,
            _ => false,
        };
        let Some(named) = problem.errors.iter().find(|e| made_up(&e.field)) else {
            return problem;
        };
        let what = match named.field.as_str() {
            "cursor" => "the cursor of its next page, which it gave itself".to_owned(),
            _ => format!(
                "the page size {}, the largest its mapping file says it serves",
                query.limit.unwrap_or_default()
            ),
        };
        let mut refused = Problem::new(
            Code::UpstreamError,
            format!(
                "upstream {} refused {what}: {}",
                self.cx.upstream, problem.detail
            ),
        );
        refused.upstream = problem.upstream;
        refused
    }

    /// The list this plan pages, as a cursor of a page cut from it names it.
    pub(super) fn listing(&self) -> Listing<'_> {
        Listing {
            upstream: self.cx.upstream,
            owner: self.cx.owner.as_deref(),
            order: self.op.query.order,
        }
    }

    /// A vendor page read on a walk: its webhooks taken in order, then the next vendor page
    /// asked for, or the client's page made the plan's page. The page's next cursor names
    /// the first webhook beyond it and its position ([`Skip::resume_cursor`]), or, where
    /// none was seen (the vendor's page ended with the client's), the position after it, as
    /// an emulator's store gives it; a surface whose clients compute their cursors writes
    /// their own from its client's query.
    pub(super) fn walked(&mut self, (items, next): Page) -> Result<(), Problem> {
        let Some(walk) = self.walk.as_mut() else {
            return Ok(());
        };
        walk.pages += 1;
        let items = items.into_maps();
        walk.resume_where_gone(&items, next.is_none());
        for webhook in items {
            walk.take(webhook)
                .map_err(|flaw| self.cx.unpageable(&flaw))?;
        }
        let full = walk.beyond || walk.full();
        match next {
            Some(cursor) if !full => {
                if walk.pages >= MAX_PAGES {
                    return Err(too_long(&self.cx, walk));
                }
                self.op.query.cursor = Some(cursor);
                self.stages.push_front(Stage::Own);
                return Ok(());
            }
            _ => {}
        }
        match &walk.skip {
            Some(Skip::After(id)) => {
                return Err(Problem::validation(vec![FieldError::in_query(
                    "cursor",
                    format!("no webhook `{id}` to list after"),
                )]));
            }
            Some(Skip::Resume { id, .. }) => {
                return Err(Problem::validation(vec![FieldError::in_query(
                    "cursor",
                    format!("no webhook `{id}` to list from"),
                )]));
            }
            _ => {}
        }
        let more = walk.beyond || next.is_some();
        let position = walk.passed + walk.page.len() as u64;
        let page = std::mem::take(&mut walk.page);
        let next_id = walk.next.take();
        let last_id = walk.last.take();
        // The next page begins with the first webhook beyond this one, at its position, after
        // the last webhook of this one. Where none was seen beyond it (a walk over a vendor's
        // pages, which counts), its position: a surface whose clients compute their cursors
        // writes its own, and a page cut from a whole list always sees the one beyond it.
        let cursor = match next_id {
            Some(id) => Skip::resume_cursor(&self.listing(), position, &id, last_id.as_deref()),
            None => position.to_string(),
        };
        self.page = Some((page, more.then_some(cursor)));
        Ok(())
    }
}

impl super::Context<'_> {
    /// The answer where the vendor's list holds no webhook of the id: a 404, as a read of one
    /// gives at a vendor that has one. The vendor answered no 404 (its pages were 200s), so
    /// none is said to be its.
    fn listed_nowhere(&self, id: &str) -> Problem {
        let mut problem = Problem::not_found(format!(
            "no webhook {id} at upstream {}: its list holds none",
            self.upstream
        ));
        problem.upstream = Some(Box::new(self.info()));
        problem
    }

    /// A list read for one webhook that holds it twice: no id names one of the two.
    fn unfindable(&self, flaw: &Unpageable, id: &str) -> Problem {
        match flaw {
            Unpageable::Twice(_) => self.malformed(
                &format!(
                    "a list holding two webhooks of id {}, read for that webhook: which one it is cannot be told",
                    Value::from(id)
                ),
                None,
            ),
            other => self.unpageable(other),
        }
    }

    /// The vendor's refusal (`status`) of a page of its list, read for one webhook. What is
    /// asked is hookgate's choice, which the client sent none of and can correct none of:
    /// every page after the first is asked at the vendor's own cursor, so any refusal of one
    /// but of the credential or the rate (401, 403, 429) is the upstream's error, a 502 with
    /// the vendor's words, never a 404 of a webhook that may be there; the first page is asked
    /// at the largest page size the vendor serves, and a refusal of it (a 400 or 422, or any
    /// naming a parameter) is the upstream's error too. Its other failures (a 404 of the owner,
    /// a 401, a 503) are passed on.
    fn list_refused(&self, problem: Problem, status: http::StatusCode, find: &Find) -> Problem {
        let passed_on = matches!(status.as_u16(), 401 | 403 | 429);
        let refused = match find.pages {
            _ if !status.is_client_error() || passed_on => false,
            0 => matches!(status.as_u16(), 400 | 422) || !problem.errors.is_empty(),
            _ => true,
        };
        if !refused {
            return problem;
        }
        let page = match find.pages {
            0 => "the first page of its list".to_owned(),
            n => format!("page {} of its list, at the cursor it gave itself", n + 1),
        };
        let mut refused = Problem::new(
            Code::UpstreamError,
            format!(
                "upstream {} refused {page}, read for webhook {}: {}",
                self.upstream,
                Value::from(find.id.as_str()),
                problem.detail
            ),
        );
        refused.upstream = problem.upstream;
        refused
    }

    /// A vendor's list a walk by ids cannot page, said as what the vendor got wrong.
    fn unpageable(&self, flaw: &Unpageable) -> Problem {
        let what = match flaw {
            Unpageable::NoId(at) => {
                format!("a list whose webhook {at} (counted from 1) has no id to page it by")
            }
            Unpageable::Twice(id) => {
                format!("a list holding two webhooks of id `{id}`, which cannot be paged by id")
            }
        };
        self.malformed(&what, None)
    }
}

/// The refusal of a walk that has read [`MAX_PAGES`] vendor pages and is told of one
/// more. Where the client's page has not begun, its cursor is too far in: the client may
/// ask for a page nearer the list's start. Where it has (a list answered whole, a page
/// still being gathered), the client asked for nothing the walk could shorten: the
/// vendor's list goes on past what one answer gathers (or its pages hold nothing and name
/// a next one for ever), which is the upstream's to answer for, as a 502.
fn too_long(cx: &Context<'_>, walk: &Walk) -> Problem {
    let up = cx.upstream;
    if walk.skip.is_some() {
        return Problem::with_errors(
            Code::UnsupportedField,
            vec![FieldError::in_query(
                "cursor",
                format!(
                    "is too far in: reaching it reads more than {MAX_PAGES} pages of upstream {up}, which pages its own way"
                ),
            )],
        );
    }
    let gathered = if walk.whole {
        "the whole list, as this API answers it"
    } else {
        "the page asked for"
    };
    cx.malformed(
        &format!(
            "a list that names a next page after {MAX_PAGES} pages holding {} webhooks: {gathered} is gathered from at most {MAX_PAGES}",
            walk.read
        ),
        None,
    )
}

/// How many items the array at `keys` of a JSON answer holds, where it is one.
fn items_in(body: &[u8], keys: &[String]) -> Option<usize> {
    let count = |scan: &mut crate::json::scan::Scanner<'_>| {
        let mut n = 0;
        if !scan.array()? {
            return Err(crate::json::scan::Malformed);
        }
        while scan.element(n == 0)? {
            scan.skip()?;
            n += 1;
        }
        Ok(n)
    };
    crate::json::read_at(body, keys, count).ok()?.1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn webhook(id: &str) -> serde_json::Map<String, Value> {
        serde_json::json!({"id": id}).as_object().unwrap().clone()
    }

    fn ids(page: &Listed) -> Vec<String> {
        page.clone()
            .into_maps()
            .iter()
            .map(|w| w["id"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn a_count_is_passed_over_then_a_page_gathered_and_what_lies_beyond_it_noted() {
        let mut walk = Walk::new(Skip::Items(2), Some(2), false);
        for id in ["a", "b", "c", "d"] {
            walk.take(webhook(id)).unwrap();
        }
        assert_eq!(
            (ids(&walk.page), walk.passed, walk.beyond),
            (vec!["c".into(), "d".into()], 2, false)
        );
        walk.take(webhook("e")).unwrap();
        assert!(walk.beyond);
        assert_eq!(ids(&walk.page), ["c", "d"]);
    }

    #[test]
    fn an_id_is_passed_over_with_what_comes_before_it() {
        let mut walk = Walk::new(Skip::After("b".into()), None, false);
        walk.take(webhook("a")).unwrap();
        assert!(walk.skip.is_some());
        walk.take(webhook("b")).unwrap();
        assert!(walk.skip.is_none(), "the page begins after `b`");
        for id in ["c", "d"] {
            walk.take(webhook(id)).unwrap();
        }
        assert_eq!(
            (ids(&walk.page), walk.passed),
            (vec!["c".into(), "d".into()], 2)
        );
    }

    #[test]
    fn a_walk_by_ids_reads_an_integer_as_its_text_and_refuses_what_no_id_can_page() {
        let of = |id: Value| serde_json::json!({"id": id}).as_object().unwrap().clone();
        let mut walk = Walk::new(Skip::After("2".into()), Some(2), false);
        for n in 1..=4 {
            walk.take(of(n.into())).unwrap();
        }
        let page: Vec<_> = walk.page.clone().into_maps();
        let page: Vec<_> = page.iter().filter_map(|w| id_text(&w["id"])).collect();
        assert_eq!(page, ["3", "4"]);
        assert_eq!(walk.last.as_deref(), Some("4"));
        // A page cut from a whole list: its next page is named by an id.
        let mut walk = Walk::new(Skip::Items(0), Some(1), true);
        walk.take(of("a".into())).unwrap();
        assert_eq!(
            walk.take(of("a".into())),
            Err(Unpageable::Twice("a".into()))
        );
        for none in [
            Value::Null,
            "".into(),
            1.5.into(),
            true.into(),
            serde_json::json!([1]),
        ] {
            let mut walk = Walk::new(
                Skip::Resume {
                    id: "b".into(),
                    at: 1,
                    after: None,
                },
                None,
                false,
            );
            walk.take(of("a".into())).unwrap();
            assert_eq!(
                walk.take(of(none.clone())),
                Err(Unpageable::NoId(2)),
                "{none}"
            );
        }
        // A walk that counts needs no ids.
        let mut walk = Walk::new(Skip::Items(1), Some(2), false);
        for id in [Value::Null, Value::Null, "a".into()] {
            walk.take(of(id)).unwrap();
        }
        assert_eq!(walk.page.len(), 2);
    }

    #[test]
    fn nothing_to_pass_over_begins_the_page_at_once() {
        let mut walk = Walk::new(Skip::Items(0), Some(1), false);
        walk.take(webhook("a")).unwrap();
        walk.take(webhook("b")).unwrap();
        assert_eq!((ids(&walk.page), walk.beyond), (vec!["a".into()], true));
    }

    #[test]
    fn a_page_resumes_at_its_first_webhook_after_the_last_or_where_it_was() {
        let resume = |after: Option<&str>| Skip::Resume {
            id: "c".into(),
            at: 2,
            after: after.map(str::to_owned),
        };
        let walked = |skip: Skip, items: &[&str]| {
            let mut walk = Walk::new(skip, Some(2), true);
            let items: Vec<_> = items.iter().map(|id| webhook(id)).collect();
            walk.pages = 1;
            walk.resume_where_gone(&items, true);
            for w in items {
                walk.take(w).unwrap();
            }
            walk
        };
        let walk = walked(resume(Some("b")), &["b", "c", "d", "e"]);
        assert_eq!(
            ids(&walk.page),
            ["c", "d"],
            "from `c`, though one before it went"
        );
        assert_eq!(walk.next.as_deref(), Some("e"));
        // `c` gone: after `b`, the last of the page before, though `a` went too.
        let walk = walked(resume(Some("b")), &["b", "d", "e", "f"]);
        assert_eq!(ids(&walk.page), ["d", "e"]);
        // `c` and `b` gone: from `c`'s place, where `d` now is.
        let walk = walked(resume(Some("b")), &["a", "x", "d", "e"]);
        assert_eq!(ids(&walk.page), ["d", "e"]);
        assert!(!walk.beyond);
        let walk = walked(resume(None), &["a", "b", "d", "e"]);
        assert_eq!(ids(&walk.page), ["d", "e"]);
    }
}
