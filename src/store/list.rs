//! A page of an owner's webhooks, its cursor read as the vendor pages: by position (the
//! store's own cursors are positions), by page number, or by the id of the item the page
//! comes after.

use super::{State, Store, webhook_id};
use crate::mapping::model::{Paging, Role};
use crate::model::{Action, Operation, Outcome};
use crate::problem::{FieldError, Problem};
use serde_json::Value;

impl Store {
    /// A page of the owner's webhooks. The cursor is read as the vendor pages: by position
    /// (this store's own cursors are positions), by page number, or by the id of the item
    /// the page comes after.
    pub(super) fn list(&self, state: &State, op: &Operation) -> Result<Outcome, Problem> {
        let mut all: Vec<_> = state
            .webhooks
            .iter()
            .filter(|(owner, _)| *owner == op.owner)
            .map(|(_, w)| w)
            .collect();
        // Kept in creation order: newest first is that order reversed, and a cursor counts
        // into the order asked for.
        if op.query.order == Some(crate::model::Order::Descending) {
            all.reverse();
        }
        let endpoint = self.dialect.endpoint(Role::Action(Action::List));
        let limit = op
            .query
            .limit
            .or_else(|| endpoint.and_then(|e| e.default_limit()))
            .map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
        let paging = endpoint.map_or(Paging::Given, |e| e.paging);
        // A cursor this store never gave is refused, as a vendor refuses one: read as the
        // first page, a client holding a stale or mangled cursor would page forever. Refused
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
            (_, None | Some("")) => 0,
            (Paging::LastId, Some(after)) => {
                let at = all
                    .iter()
                    .position(|w| w.get("id").and_then(Value::as_str) == Some(after));
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
            (_, Some(position)) => position.parse().map_err(|_| unknown(position))?,
        };
        let end = start.saturating_add(limit).min(all.len());
        let mut items = crate::model::Listed::default();
        for webhook in all.get(start.min(all.len())..end).unwrap_or_default() {
            match self.shown_secret(state, webhook_id(webhook)) {
                Some(secret) => {
                    let mut shown = (*webhook).clone();
                    shown.insert("secret".into(), Value::from(secret));
                    items.push(&shown);
                }
                None => items.push(webhook),
            }
        }
        let next_cursor = (end < all.len()).then(|| end.to_string());
        Ok(Outcome::List { items, next_cursor })
    }
}
