//! Whose the webhook is: an owner and id held to the shapes the vendor uses before any call,
//! and the owner confirmed from a read first where the vendor finds a webhook by its id alone.

use super::{Plan, Stage};
use crate::mapping::model::{Endpoint, IdUnfit, Paging, ResourceEndpoint, Role};
use crate::mapping::url;
use crate::model::{Action, Members};
use crate::problem::{Code, FieldError, Problem};

impl<'a> Plan<'a> {
    /// The problem of an operation without an owner at an upstream that needs one.
    fn owner_needed(&self) -> Problem {
        let name = self.cx.upstream;
        let scope = self.cx.dialect.owner.as_deref().unwrap_or("owner");
        Problem::not_found(format!(
            "upstream {name} scopes webhooks by owner ({scope}): use /v1/upstreams/{name}/owners/{{owner}}/webhooks"
        ))
    }

    /// A vendor that finds a webhook by its id alone would act on another owner's webhook as
    /// readily as on this one's. Where a call of the plan names no owner, the webhook is read
    /// first and its owner compared (by [`Self::confirm_owner`]) before anything is sent that
    /// could change it, unless the plan's first call is that read already.
    ///
    /// An operation asked under no owner (a vendor surface's client whose vendor finds
    /// webhooks by id alone) is carried out only where no call needs one.
    pub(super) fn confirm_scope_first(&mut self) -> Result<(), Problem> {
        if !self.cx.dialect.has_owner() || self.op.id.is_none() {
            return Ok(());
        }
        if self.op.owner.is_none() {
            if self.stages.iter().any(|s| self.names_owner(*s)) {
                return Err(self.owner_needed());
            }
            return Ok(());
        }
        let unnamed = self.stages.iter().any(|s| !self.names_owner(*s));
        let reads_first = match self.stages.front() {
            Some(Stage::Current | Stage::Webhook) => true,
            Some(Stage::Own) => self.op.action == Action::Get,
            _ => false,
        };
        if unnamed && !reads_first {
            self.stages.push_front(Stage::Scope);
        }
        // Until the vendor's answer says whose the webhook is, no answer is given the owner
        // asked under in place of the one it does not name.
        if unnamed && !self.names_owner(Stage::Scope) {
            self.cx.owner = None;
        }
        Ok(())
    }

    /// Whether a stage's call names the owner to the vendor, which then finds the webhook
    /// under it or not at all.
    fn names_owner(&self, stage: Stage) -> bool {
        let d = self.cx.dialect;
        let get = || d.one_read().is_some_and(|r| r.names_owner());
        let resource =
            |e: Option<&ResourceEndpoint>| e.is_none_or(|e| e.path.has(&url::PathSeg::Owner));
        match stage {
            Stage::Scope | Stage::Current | Stage::Webhook => get(),
            Stage::Own => self.own.is_none_or(|o| o.names_owner),
            Stage::Switch => self.switch_endpoint().is_ok_and(|v| v.names_owner),
            Stage::CurrentResource(i) | Stage::Resource(i) => resource(d.resources[i].get.as_ref()),
            Stage::ResourceWrite(i) => {
                let verb = self
                    .changes
                    .iter()
                    .find(|c| c.resource == i)
                    .map(|c| c.verb);
                resource(verb.and_then(|v| d.resources[i].endpoint(v)))
            }
        }
    }

    /// The owner a read's answer gives must be the one asked under: another owner's webhook
    /// is not found here, whether the vendor found it by its id alone or read it from a list
    /// or path that names the owner and answered another's all the same (a vendor that
    /// ignores the owner it is sent). Where the read found it by its id alone, one whose answer
    /// does not say whose it is cannot be shown or changed; where the read named the owner,
    /// an answer that does not say is the owner's.
    pub(super) fn confirm_owner(
        &mut self,
        get: &Endpoint,
        webhook: &Members,
    ) -> Result<(), Problem> {
        let Some(asked) = self.op.owner.as_deref() else {
            return Ok(());
        };
        // Most answers name the owner asked, compared as the vendor wrote it: nothing more
        // is made of them.
        if webhook.text_is("owner", asked) == Some(true) {
            self.cx.owner = self.op.owner.clone();
            return Ok(());
        }
        // A create's read after it names the webhook the create answered.
        let id = self.id().unwrap_or_default();
        let name = self.cx.upstream;
        match webhook.text("owner") {
            Some(owner) if owner == asked => {
                self.cx.owner = self.op.owner.clone();
                Ok(())
            }
            Some(_) => {
                self.unconfirmed_owner = true;
                Err(Problem::not_found(format!(
                    "no webhook {id} under owner {asked} at upstream {name}"
                )))
            }
            None if get.names_owner => Ok(()),
            None => {
                self.unconfirmed_owner = true;
                Err(Problem::new(
                    Code::UpstreamError,
                    format!(
                        "upstream {name} answered webhook {id} without its owner: whose it is cannot be confirmed"
                    ),
                ))
            }
        }
    }

    /// The answer of a change (or a create) says the webhook is the owner's asked under, or
    /// does not say: one that names another owner is not passed on as this one's, whatever
    /// the call told the vendor (a vendor that ignores the owner it is sent), nor given the
    /// owner asked under, which the next read would not confirm.
    ///
    /// The answer of a call that found the webhook by its id alone, at a vendor whose answers
    /// say whose a webhook is, says it too: one that does not (a change that replaced the
    /// member holding the owner) is not given the owner asked under either. A change so
    /// answered was made, which the problem then says (a create's, naming the webhook made).
    ///
    /// Where a read follows that will be made whatever this answer held (`then = ["get"]`, or
    /// after an answer that held the webhook in part), that read answers the webhook, and
    /// whose it is, in place of this answer's silence: the owner is held to the whole result,
    /// by [`Self::confirm_owner`] on the read's answer, not to a part of it.
    pub(super) fn answered_with_owner(
        &mut self,
        endpoint: &Endpoint,
        webhook: &Members,
    ) -> Result<(), Problem> {
        let Some(asked) = self.op.owner.as_deref() else {
            return Ok(());
        };
        // Most answers name the owner asked, compared as the vendor wrote it.
        if webhook.text_is("owner", asked) == Some(true) {
            return Ok(());
        }
        let why = match webhook.text("owner") {
            Some(owner) if owner == asked => return Ok(()),
            // The other owner is not named: it is not the client's to learn.
            Some(_) => "as another owner's: whose it is cannot be confirmed",
            None if self.cx.owner_told(endpoint) || self.read_follows() => return Ok(()),
            None => "without its owner: whose it is cannot be confirmed",
        };
        self.unconfirmed_owner = true;
        let id = webhook
            .text("id")
            .map(|id| id.into_owned())
            .or_else(|| self.op.id.clone())
            .unwrap_or_default();
        let mut problem = Problem::new(
            Code::UpstreamError,
            format!("upstream {} answered webhook {id} {why}", self.cx.upstream),
        );
        problem.upstream = Some(Box::new(self.cx.info()));
        Err(problem)
    }

    /// Refuses an owner or id this upstream cannot have: a dot segment, or a shape its vendor
    /// does not use. None of them ever reaches the vendor.
    pub(super) fn check_scope(&self) -> Result<(), Problem> {
        let d = self.cx.dialect;
        let name = self.cx.upstream;
        match (&d.owner, &self.op.owner) {
            // A webhook's own calls may find it by its id alone: whether they do is known once
            // the plan is laid out.
            (Some(_), None) if self.op.id.is_some() => {}
            (Some(_), None) => return Err(self.owner_needed()),
            (None, Some(_)) => {
                return Err(Problem::not_found(format!(
                    "upstream {name} has no owner scope: leave /owners/{{owner}} out of the path"
                )));
            }
            _ => {}
        }
        // An owner is as many segments as the vendor's owners (`octo/site` is two), each
        // naming something; an id is one. A value of another shape is not the vendor's.
        if let Some(owner) = self.op.owner.as_deref() {
            let named = match d.owner_segments {
                1 => url::names_something(owner),
                _ => owner.split('/').all(url::names_something),
            };
            if !named {
                return Err(Problem::bad_request(format!(
                    "`{owner}` cannot be an owner: it (or a segment of it) is empty, a dot segment or holds a path separator"
                )));
            }
            let admitted = match d.owner_segments {
                1 => d.owner_format.as_ref().is_none_or(|f| f.admits(owner)),
                _ => d.admits_owner(owner),
            };
            if !admitted {
                return Err(Problem::not_found(format!(
                    "no owner `{owner}` at upstream {name}: its owners are {}",
                    d.describe_owner()
                )));
            }
            if d.sends_in_header("owner") && http::HeaderValue::from_str(owner).is_err() {
                return Err(Problem::bad_request(format!(
                    "`{owner}` cannot be an owner at upstream {name}: its owners are sent in a header, which cannot carry control characters"
                )));
            }
        }
        if let Some(id) = self.op.id.as_deref() {
            match d.id_unfit(id) {
                None => {}
                Some(IdUnfit::Unnamed) => {
                    return Err(Problem::bad_request(format!(
                        "`{id}` cannot be a webhook id: it is empty, a dot segment or holds a path separator"
                    )));
                }
                Some(IdUnfit::Unsent) => {
                    return Err(Problem::bad_request(format!(
                        "`{id}` cannot be a webhook id at upstream {name}: its ids are sent in a header, which cannot carry control characters"
                    )));
                }
                Some(IdUnfit::Unformatted) => {
                    return Err(Problem::not_found(format!(
                        "no webhook id `{id}` at upstream {name}: its webhook ids are {}",
                        d.describe_id()
                    )));
                }
            }
        }
        if self.op.action.has_id() && self.op.id.is_none() {
            return Err(Problem::bad_request("the operation names no webhook"));
        }
        // A vendor that pages by position or number takes a count as the cursor.
        let counted = d
            .endpoint(Role::Action(Action::List))
            .and_then(|list| match list.paging {
                Paging::Offset => Some("item positions"),
                Paging::Page => Some("page numbers"),
                _ => None,
            });
        if let (Action::List, Some(cursor), Some(counted)) =
            (self.op.action, self.op.query.cursor.as_deref(), counted)
            && cursor.parse::<u64>().is_err()
        {
            return Err(Problem::validation(vec![FieldError::in_query(
                "cursor",
                format!("`{cursor}` is no page of upstream {name}: its cursors are {counted}"),
            )]));
        }
        Ok(())
    }
}
