//! A list's query as the vendor's clients write it (page size, cursor, order), held to what
//! the backend can do: what it cannot honour is refused, never ignored, and a cursor the
//! client computed becomes where its page begins at an upstream that pages another way. In
//! front of an upstream that answers every webhook at once, the page is cut from its answer
//! at the client's page size (or this vendor's default). The cursors an upstream of another
//! dialect gives are passed to the client sealed, and a cursor this API did not give is refused
//! before the upstream is called; an empty one is none any list gave.

use super::VendorApi;
use super::given::{Query, Twice, once};
use crate::frontend::Backend;
use crate::mapping::model::{Endpoint, Paging, Role};
use crate::mapping::template::Template;
use crate::model::{Action, ListQuery, Listing, Order, Skip};
use crate::problem::{Code, FieldError, Problem};

impl VendorApi {
    /// Whether the backend lists in an order asked for: its dialect spells orders, and a
    /// backend of another dialect is asked in its own words.
    fn backend_orders(&self) -> bool {
        let list = Role::Action(Action::List);
        let behind = self.backend.dialect().endpoint(list);
        let spells = |e: &Endpoint| e.param_of("order").is_some();
        match (&self.backend, behind) {
            (Backend::Store(_), Some(e)) => e.order.is_some(),
            (Backend::Upstream(_), Some(e)) => e.order.is_some() && spells(e),
            (_, None) => false,
        }
    }

    /// A list's query, held to what the backend can do: an order asked of a backend that
    /// cannot order is refused rather than ignored; none asked means the vendor's default
    /// where the backend can give it.
    pub(super) fn list_for_backend(
        &self,
        query: &Query,
        owner: Option<&str>,
    ) -> Result<ListQuery, Problem> {
        let role = Role::Action(Action::List);
        let mut out = self.list_query(role, query)?;
        self.unseal(&mut out, owner)?;
        self.walk_to(&mut out)?;
        let ordering = self.dialect.endpoint(role).and_then(|e| e.order.as_ref());
        match (out.order, self.backend_orders()) {
            (Some(_), false) => {
                let param = self
                    .dialect
                    .endpoint(role)
                    .and_then(|e| e.param_of("order"))
                    .unwrap_or("order");
                let behind = self
                    .backend
                    .upstream()
                    .unwrap_or(&self.backend.dialect().name);
                return Err(Problem::with_errors(
                    Code::UnsupportedField,
                    vec![FieldError::in_query(
                        param,
                        format!(
                            "cannot be honoured: upstream {behind} lists in an order of its own"
                        ),
                    )],
                ));
            }
            (None, true) => out.order = ordering.and_then(|o| o.default),
            _ => {}
        }
        Ok(out)
    }

    /// The list whose cursors this API seals for its client (`owner`: the one the client
    /// names; `order`: the one it asks for), where it passes on cursors its upstream gives:
    /// its vendor gives cursors, and so does the upstream behind it, of another dialect.
    /// `None` where its clients compute their cursors, where the upstream answers every
    /// webhook at once (the plan cuts the pages, and its cursors are checked already), and in
    /// front of a store, which checks its own.
    pub(super) fn sealing<'a>(
        &'a self,
        owner: Option<&'a str>,
        order: Option<Order>,
    ) -> Option<Listing<'a>> {
        let role = Role::Action(Action::List);
        let ours = self.dialect.endpoint(role)?;
        let Backend::Upstream(upstream) = &self.backend else {
            return None;
        };
        let theirs = upstream.dialect.endpoint(role)?;
        (ours.paging.is_given() && ours.names_next_page() && theirs.names_next_page()).then_some(
            Listing {
                upstream: &upstream.name,
                owner,
                order,
            },
        )
    }

    /// The upstream's cursor a client's sealed one holds ([`Listing::seal`]): a cursor this
    /// API did not give for this list (a page number the client computed, one of another
    /// list, an upstream's own) is refused on the client's parameter before the upstream is
    /// called, as the vendor refuses a cursor it never gave.
    fn unseal(&self, asked: &mut ListQuery, owner: Option<&str>) -> Result<(), Problem> {
        let (Some(cursor), Some(list)) = (&asked.cursor, self.sealing(owner, asked.order)) else {
            return Ok(());
        };
        let opened = list.unseal(cursor).ok_or_else(|| {
            let param = self
                .dialect
                .endpoint(Role::Action(Action::List))
                .and_then(|e| e.param_of("cursor"))
                .unwrap_or("cursor");
            Problem::validation(vec![FieldError::in_query(
                param,
                format!("`{cursor}` is not a cursor this list gave"),
            )])
        })?;
        // The cursor of a page of none that began the list names its first page.
        asked.cursor = Some(opened).filter(|c| !c.is_empty());
        Ok(())
    }

    /// A cursor this vendor's clients compute (a position, a page number, the last id they
    /// saw), for an upstream that pages another way: where the client's page begins, which the
    /// plan walks the upstream's pages to (`plan::walk`); the page size is the client's, or
    /// this vendor's default, so that a page number counts the pages the client counts.
    /// Cursors an upstream gave, and any cursor of an upstream that pages the same way and
    /// counts its pages alike ([`numbers_alike`]), are passed on as they are; so are the
    /// cursors a client is given in front of an upstream that answers every webhook at once,
    /// which the plan gave and reads back.
    fn walk_to(&self, asked: &mut ListQuery) -> Result<(), Problem> {
        let role = Role::Action(Action::List);
        let ours = self.dialect.endpoint(role);
        // A vendor whose list is every webhook in one answer, in front of an upstream that
        // may page: the upstream's pages are all read, never its first page given as the
        // whole list.
        if let (Some(own), Backend::Upstream(_)) = (ours, &self.backend)
            && !own.names_next_page()
        {
            asked.skip = Some(Box::new(Skip::Items(0)));
            return Ok(());
        }
        // An upstream that answers every webhook at once: the plan cuts the client's page from
        // its answer (`plan::walk`), of the client's size or this vendor's default, as the
        // vendor would page it; a cursor this vendor's clients are given is one the cut gave.
        if let (Some(own), Backend::Upstream(upstream)) = (ours, &self.backend)
            && upstream
                .dialect
                .endpoint(role)
                .is_some_and(|theirs| !theirs.names_next_page())
        {
            asked.limit = asked.limit.or_else(|| own.default_limit());
        }
        let (Some(cursor), Backend::Upstream(upstream)) = (&asked.cursor, &self.backend) else {
            return Ok(());
        };
        let paging = |e: Option<&Endpoint>| e.map_or(Paging::Given, |e| e.paging);
        let behind = upstream.dialect.endpoint(role);
        let (ours_paging, theirs) = (paging(ours), paging(behind));
        if ours_paging.is_given() || (ours_paging == theirs && numbers_alike(behind, asked)) {
            return Ok(());
        }
        let param = ours.and_then(|e| e.param_of("cursor")).unwrap_or("cursor");
        let count = || {
            cursor.parse::<u64>().map_err(|_| {
                Problem::validation(vec![FieldError::in_query(
                    param,
                    format!("`{cursor}` is not a cursor this list gave"),
                )])
            })
        };
        asked.limit = asked
            .limit
            .or_else(|| ours.and_then(Endpoint::default_limit));
        asked.skip = Some(Box::new(match ours_paging {
            Paging::Offset => Skip::Items(count()?),
            // Page 0 is the first, as the numbered vendors take it; without a page size, the
            // first page holds every webhook.
            Paging::Page => Skip::Items(
                count()?
                    .saturating_sub(1)
                    .saturating_mul(asked.limit.unwrap_or(u64::MAX)),
            ),
            _ => Skip::After(cursor.clone()),
        }));
        asked.cursor = None;
        Ok(())
    }

    /// A list's page as the client asks for it; a limit that is no count is refused, as the
    /// vendor's own query parsing does, rather than ignored.
    pub(super) fn list_query(&self, role: Role, query: &Query) -> Result<ListQuery, Problem> {
        let mut out = ListQuery::default();
        let Some(endpoint) = self.dialect.endpoint(role) else {
            return Ok(out);
        };
        if query.raw().is_none() {
            return Ok(out); // nothing asked: the vendor's first page, as it lists
        }
        for (key, template) in &endpoint.query {
            // A page size, cursor or order given twice is refused rather than one of them
            // picked, as every value read from a query is.
            let Some(value) = once(query.values(key)).map_err(|Twice| {
                Problem::validation(vec![FieldError::in_query(key, Twice::SAYS)])
            })?
            else {
                continue;
            };
            match template {
                Template::Slot { name, .. } if name == "limit" => {
                    let limit = value.parse().map_err(|_| {
                        Problem::bad_request(format!("{key}: `{value}` is not a count of items"))
                    })?;
                    if let Some((max, words)) = &endpoint.max_limit
                        && limit > *max
                    {
                        let message = words
                            .clone()
                            .unwrap_or_else(|| format!("must be at most {max}"));
                        return Err(Problem::validation(vec![FieldError::in_query(
                            key, message,
                        )]));
                    }
                    // A page smaller than the vendor serves is refused as its own validation
                    // refuses it (a `limit` of 1–100, say).
                    if limit < endpoint.min_limit {
                        return Err(Problem::validation(vec![FieldError::in_query(
                            key,
                            format!("must be at least {}", endpoint.min_limit),
                        )]));
                    }
                    out.limit = Some(limit);
                }
                Template::Slot { name, .. } if name == "order" => {
                    let Some(ordering) = &endpoint.order else {
                        continue;
                    };
                    out.order = Some(ordering.read(value).ok_or_else(|| {
                        Problem::bad_request(format!(
                            "{key}: `{value}` is none of {}",
                            ordering.words()
                        ))
                    })?);
                }
                Template::Slot { name, .. } if name == "cursor" => {
                    out.cursor = Some(value.to_owned());
                }
                _ => {}
            }
        }
        // Once the query is known to name it once: a repeated one is refused as such.
        if let Some(cursor) = out.cursor.take() {
            let param = endpoint.param_of("cursor").unwrap_or("cursor");
            out.cursor = Some(crate::frontend::canonical::cursor_given(cursor, param)?);
        }
        Ok(out)
    }
}

/// Whether an upstream that pages as the client does counts its pages as the client does:
/// positions and ids are the same whatever a page holds, but a page number counts pages of
/// the client's size only where the upstream is asked for that size and serves it (it takes a
/// page size, and serves none larger as its smallest). Elsewhere the upstream's page may hold
/// more than the client's, which is cut to the client's size, and the client's next page
/// number would pass over the rest: its page is walked to instead.
fn numbers_alike(behind: Option<&Endpoint>, asked: &ListQuery) -> bool {
    let (Some(behind), Some(limit)) = (behind, asked.limit) else {
        return true;
    };
    behind.paging != Paging::Page
        || (behind.param_of("limit").is_some() && limit >= behind.min_limit)
}
