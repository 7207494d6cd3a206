//! A list's query as the vendor's clients write it (page size, cursor, order), held to what
//! the backend can do: what it cannot honour is refused, never ignored.

use super::VendorApi;
use crate::frontend::{Backend, query_pairs};
use crate::mapping::Dialect;
use crate::mapping::model::{Endpoint, Paging, Role};
use crate::mapping::template::Template;
use crate::model::{Action, ListQuery};
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
    pub(super) fn list_for_backend(&self, query: Option<&str>) -> Result<ListQuery, Problem> {
        let role = Role::Action(Action::List);
        let mut out = self.list_query(role, query)?;
        self.check_paging(&out)?;
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

    /// Refuses a cursor the backend cannot follow: one this vendor's clients compute (a
    /// position, a page number, the last id they saw) means nothing to an upstream that pages
    /// another way. Cursors an upstream gave, and any cursor of an upstream that pages the
    /// same way, are passed on as they are.
    fn check_paging(&self, asked: &ListQuery) -> Result<(), Problem> {
        let role = Role::Action(Action::List);
        let (Some(_), Backend::Upstream(upstream)) = (&asked.cursor, &self.backend) else {
            return Ok(());
        };
        let paging = |d: &Dialect| d.endpoint(role).map_or(Paging::Given, |e| e.paging);
        let (ours, theirs) = (paging(&self.dialect), paging(&upstream.dialect));
        if ours.is_given() || ours == theirs {
            return Ok(());
        }
        let param = self
            .dialect
            .endpoint(role)
            .and_then(|e| e.param_of("cursor"))
            .unwrap_or("cursor");
        Err(Problem::with_errors(
            Code::UnsupportedField,
            vec![FieldError::in_query(
                param,
                format!(
                    "cannot be followed: upstream {} pages its own way; only the first page can be read here",
                    upstream.name
                ),
            )],
        ))
    }

    /// A list's page as the client asks for it; a limit that is no count is refused, as the
    /// vendor's own query parsing does, rather than ignored.
    pub(super) fn list_query(&self, role: Role, query: Option<&str>) -> Result<ListQuery, Problem> {
        let mut out = ListQuery::default();
        let Some(endpoint) = self.dialect.endpoint(role) else {
            return Ok(out);
        };
        // The declared parameters seen, by position (a file declares a handful).
        let mut seen = 0u128;
        for (key, value) in query_pairs(query) {
            let Some((at, (_, template))) = endpoint
                .query
                .iter()
                .enumerate()
                .find(|(_, (param, _))| *param == key)
            else {
                continue;
            };
            // A page size, cursor or order given twice is refused rather than one of them
            // picked: clients' and servers' parsers disagree on which counts.
            let bit = 1u128
                .checked_shl(u32::try_from(at).unwrap_or(u32::MAX))
                .unwrap_or(0);
            if seen & bit != 0 {
                return Err(Problem::validation(vec![FieldError::in_query(
                    key,
                    "is given more than once",
                )]));
            }
            seen |= bit;
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
                    out.limit = Some(limit);
                }
                Template::Slot { name, .. } if name == "order" => {
                    let Some(ordering) = &endpoint.order else {
                        continue;
                    };
                    out.order = Some(ordering.read(&value).ok_or_else(|| {
                        Problem::bad_request(format!(
                            "{key}: `{value}` is neither `{}` nor `{}`",
                            ordering.ascending, ordering.descending
                        ))
                    })?);
                }
                Template::Slot { name, .. } if name == "cursor" && !value.is_empty() => {
                    out.cursor = Some(value)
                }
                _ => {}
            }
        }
        Ok(out)
    }
}
