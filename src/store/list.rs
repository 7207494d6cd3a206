//! A page of an owner's webhooks, its cursor read as the vendor pages: by position, by page
//! number or by the id of the item the page comes after, where the vendor's clients compute
//! their cursors; where the vendor gives them (in its answer, a `Link` header or a next page's
//! URL), by the store's own cursors (`cursor.rs`), which name a place in the list's order
//! rather than a count of webhooks, and only for the list they were given for.

use super::{State, Store, Stored, webhook_id};
use crate::mapping::model::{Paging, Role};
use crate::model::{Action, Operation, Order, Outcome};
use crate::problem::{FieldError, Problem};
use serde_json::Value;

impl Store {
    /// A page of the owner's webhooks. The cursor is read as the vendor pages: by position,
    /// by page number, or by the id of the item the page comes after, where its clients
    /// compute their cursors (the skipping a delete between two pages then causes is the
    /// vendor's own); else it is one this store gave for this very list (owner and order),
    /// naming the place of the webhook the page comes after.
    pub(super) fn list(&self, state: &State, op: &Operation) -> Result<Outcome, Problem> {
        let mut all: Vec<&Stored> = state
            .webhooks
            .iter()
            .filter(|s| s.owner == op.owner)
            .collect();
        // Kept in creation order: newest first is that order reversed, and a cursor counts
        // or places into the order asked for.
        let descending = op.query.order == Some(Order::Descending);
        if descending {
            all.reverse();
        }
        let endpoint = self.dialect.endpoint(Role::Action(Action::List));
        let limit = op
            .query
            .limit
            .or_else(|| endpoint.and_then(|e| e.default_limit()))
            .map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
        let paging = endpoint.map_or(Paging::Given, |e| e.paging);
        // A cursor this store never gave, or gave for another list, is refused, as a vendor
        // refuses one: read as the first page, a client holding a stale or mangled cursor would
        // page forever; read in another owner's list, it would page through that one. Refused
        // on the query parameter that carried it, in the vendor's name for it.
        let param = endpoint
            .and_then(|e| e.query.iter().find(|(_, t)| t.slots().contains(&"cursor")))
            .map_or("cursor", |(name, _)| name.as_str());
        let unknown = |cursor: &str| {
            Problem::validation(vec![FieldError::in_query(
                param,
                format!("`{cursor}` is not a cursor this list gave"),
            )])
        };
        let start = match (paging, op.query.cursor.as_deref()) {
            (_, None) => 0,
            (_, Some("")) => return Err(unknown("")),
            (Paging::LastId, Some(after)) => {
                let at = all
                    .iter()
                    .position(|s| webhook_id(&s.webhook) == Some(after));
                match at {
                    Some(at) => at + 1,
                    None => {
                        return Err(Problem::validation(vec![FieldError::in_query(
                            param,
                            format!("no webhook `{after}` to list after"),
                        )]));
                    }
                }
            }
            // Page 0 is the first, as the numbered vendors take it.
            (Paging::Page, Some(page)) => page
                .parse::<usize>()
                .map_err(|_| unknown(page))?
                .saturating_sub(1)
                .saturating_mul(limit),
            (Paging::Offset, Some(position)) => position.parse().map_err(|_| unknown(position))?,
            // A place, not a count: the page begins after the webhook the cursor names, or
            // after where it was if it was deleted since. Deletes before or after it move
            // nothing, so that a client paging on passes over no webhook still there and
            // lists none twice.
            (Paging::Given | Paging::Link | Paging::Url, Some(cursor)) => {
                let seq = state
                    .cursor_key
                    .read(op.owner.as_deref(), descending, cursor)
                    .filter(|seq| (0..=state.next_seq).contains(seq))
                    .ok_or_else(|| unknown(cursor))?;
                all.partition_point(|s| {
                    if descending {
                        s.seq >= seq
                    } else {
                        s.seq <= seq
                    }
                })
            }
        };
        let end = start.saturating_add(limit).min(all.len());
        let page = all.get(start.min(all.len())..end).unwrap_or_default();
        let mut items = crate::model::Listed::default();
        for stored in page {
            let webhook = &stored.webhook;
            match self.shown_secret(state, webhook_id(webhook)) {
                Some(secret) => {
                    let mut shown = webhook.clone();
                    shown.insert("secret".into(), Value::from(secret));
                    items.push(&shown);
                }
                None => items.push(webhook),
            }
        }
        // The page's last webhook names the next; an empty page (of a page size of 0) names
        // the place it was asked at, or, the first, the place before every webhook, so that
        // the client is told more follow. Where the vendor's clients compute
        // their cursors, the next page's position stands for them (the vendor surface computes
        // a page number or a last id from the page).
        let next_cursor = match paging {
            _ if end >= all.len() => None,
            Paging::Given | Paging::Link | Paging::Url => page
                .last()
                .map(|last| (state.cursor_key).write(op.owner.as_deref(), descending, last.seq))
                .or_else(|| op.query.cursor.clone().filter(|c| !c.is_empty()))
                .or_else(|| {
                    // Before the first of the order: above every place, or below.
                    let before = if descending { state.next_seq } else { 0 };
                    Some((state.cursor_key).write(op.owner.as_deref(), descending, before))
                }),
            Paging::Offset | Paging::Page | Paging::LastId => Some(end.to_string()),
        };
        Ok(Outcome::List { items, next_cursor })
    }
}
