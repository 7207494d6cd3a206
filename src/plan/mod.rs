//! The request plan: which vendor calls carry out one canonical operation, as a pure step
//! machine.
//!
//! Given the dialect, the canonical operation and what the vendor has answered so far,
//! [`Plan::next`] says what to do next: send this vendor request ([`Next::Send`]), or stop with
//! this result ([`Next::Done`]). It makes no call, reads no clock and keeps no connection, so
//! the gateway's upstream runs it over HTTP, a preview (`hookgate translate`) over scripted
//! answers, and tests and fuzz targets over whatever they like, all on this one code path.
//!
//! An operation is a short list of stages, laid out when the plan is made, each skipped when
//! what came before makes it needless:
//!
//! | stage | request | when |
//! |---|---|---|
//! | `Scope` | `get` | a call that finds the webhook by its id alone, unless a read of it comes first anyway: whose the webhook is, confirmed before anything changes |
//! | `Current` | `get` | an update merged here (read-merge-write, a merge into an object, a vendor that takes the whole webhook), a body with `{{current.*}}`, a toggle without an endpoint of its own, an update that switches event types one by one |
//! | `CurrentResource` | a resource's `get` | a resource change that must be merged here |
//! | `Own` | the operation's own endpoint | unless an update changes nothing at the webhook itself |
//! | `ResourceWrite` | a resource's `replace` or `update` | a create or update that names a member a resource holds |
//! | `Webhook` | `get` | `then = ["get"]`, or an answer that does not hold the webhook |
//! | `Resource` | a resource's `get` | `then`, `read_with_webhook`, a secret minted or asked for, a merged resource |

mod answer;
mod body;

use crate::exchange::{Purpose, Reply, VendorRequest};
use crate::mapping::model::{
    Dialect, Endpoint, FollowUp, Paging, ResourceEndpoint, ResourceVerb, Role, Strategy,
};
use crate::mapping::rules::Translated;
use crate::mapping::template::Slots;
use crate::mapping::url;
use crate::model::{self, Action, Done, Members, Object, Operation, Outcome, UpdateMode};
use crate::problem::{Code, FieldError, Problem};
use crate::url_policy::UrlPolicy;
use body::Extent;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::VecDeque;

/// What a plan works with besides the operation.
pub struct Context<'a> {
    /// The upstream's dialect.
    pub dialect: &'a Dialect,
    /// The upstream's name, for problems.
    pub upstream: &'a str,
    /// Which webhook URLs may be written to it.
    pub url_policy: &'a UrlPolicy,
    /// The client's idempotency key, where the vendor honours one (in a header, or in a create's
    /// body): a create may then be repeated.
    pub idempotency_key: Option<&'a str>,
    /// The owner the operation is asked under.
    owner: Option<String>,
}

impl<'a> Context<'a> {
    /// A context; the owner comes from the operation.
    pub fn new(
        dialect: &'a Dialect,
        upstream: &'a str,
        url_policy: &'a UrlPolicy,
        idempotency_key: Option<&'a str>,
    ) -> Self {
        Context {
            dialect,
            upstream,
            url_policy,
            idempotency_key,
            owner: None,
        }
    }
}

/// What to do next.
#[derive(Debug)]
pub enum Next {
    /// Send this request and give its reply to [`Plan::next`].
    Send(VendorRequest),
    /// The operation is over.
    Done(Result<Done, Problem>),
}

/// A page of canonical webhooks and the next page's cursor.
type Page = (model::Listed, Option<String>);

/// One stage of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Scope,
    Current,
    CurrentResource(usize),
    Own,
    ResourceWrite(usize),
    Webhook,
    Resource(usize),
}

/// How a resource's part of a change reaches it.
#[derive(Debug)]
struct ResourceChange {
    resource: usize,
    verb: ResourceVerb,
    /// How the part applies.
    mode: UpdateMode,
    /// The canonical part, as the operation's mode reads it.
    part: Map<String, Value>,
    /// The resource's fields as they are, once read.
    current: Option<Map<String, Value>>,
}

/// An update's change to the webhook itself, ready before anything is read.
#[derive(Debug)]
struct UpdateParts {
    /// The canonical change.
    main: Map<String, Value>,
    /// Its translation (what a clear is sent as).
    written: Translated,
    /// The vendor takes the whole webhook.
    whole: bool,
}

/// One canonical operation being carried out.
pub struct Plan<'a> {
    cx: Context<'a>,
    op: Operation,
    stages: VecDeque<Stage>,
    /// The stage whose request is out.
    out: Option<Stage>,
    /// A problem found before any call.
    refused: Option<Problem>,
    /// The endpoint of the operation's own call.
    own: Option<&'a Endpoint>,
    /// The body of the own call, once known (`None` for a call without one).
    own_body: Option<Value>,
    update: Option<UpdateParts>,
    changes: Vec<ResourceChange>,
    current: Option<Map<String, Value>>,
    result: Option<Members>,
    page: Option<Page>,
    tested: Option<Map<String, Value>>,
    dropped: Vec<String>,
    created: bool,
    /// A call that changes the webhook has succeeded.
    wrote: bool,
}

impl<'a> Plan<'a> {
    /// Lays out the plan of `op`. What the gateway can refuse without a call (a bad owner or
    /// id, a field the vendor cannot carry, a refused URL) is the first [`Next::Done`].
    pub fn new(mut cx: Context<'a>, op: Operation) -> Plan<'a> {
        cx.owner = op.owner.clone();
        let mut plan = Plan {
            cx,
            op,
            stages: VecDeque::new(),
            out: None,
            refused: None,
            own: None,
            own_body: None,
            update: None,
            changes: Vec::new(),
            current: None,
            result: None,
            page: None,
            tested: None,
            dropped: Vec::new(),
            created: false,
            wrote: false,
        };
        if let Err(p) = plan.lay_out() {
            plan.stages.clear();
            plan.refused = Some(p);
        }
        plan
    }

    /// The canonical operation.
    pub fn operation(&self) -> &Operation {
        &self.op
    }

    /// Whether the plan writes what it made of a read (an update taken whole, a toggle
    /// composed from an update, a resource replaced after its read): two such plans on one
    /// webhook must not overlap, or the later would write back what the earlier changed.
    pub fn writes_what_it_reads(&self) -> bool {
        let writes = !self.op.action.reads_only() && self.op.action != Action::Test;
        writes
            && self
                .stages
                .iter()
                .any(|s| matches!(s, Stage::Current | Stage::CurrentResource(_)))
    }

    /// What to do next, given the reply to the request last sent (`None` at the start).
    pub fn next(&mut self, reply: Option<Reply>) -> Next {
        if let Some(p) = self.refused.take() {
            return Next::Done(Err(p));
        }
        if let (Some(stage), Some(reply)) = (self.out.take(), reply)
            && let Err(p) = self.absorb(stage, &reply)
        {
            self.stages.clear();
            return Next::Done(Err(self.annotated(p)));
        }
        while let Some(stage) = self.stages.pop_front() {
            match self.request(stage) {
                Ok(Some(request)) => {
                    self.out = Some(stage);
                    return Next::Send(request);
                }
                Ok(None) => {}
                Err(p) => {
                    self.stages.clear();
                    return Next::Done(Err(p));
                }
            }
        }
        Next::Done(self.finish())
    }

    /// The operation's own request as it would go before what it depends on is known (its body
    /// left out), for a preview that stops at a read.
    pub fn pending_own(&self) -> Option<VendorRequest> {
        let own = self
            .own
            .or_else(|| self.cx.dialect.operation(Action::Update))?;
        let placeholder = own.body.as_ref().map(|_| Value::Object(Map::new()));
        Some(self.call(own, placeholder, Purpose::Write))
    }

    /// A failure of the transport (no answer at all) while a request was out.
    pub fn interrupted(&mut self, problem: Problem) -> Problem {
        self.stages.clear();
        self.out = None;
        self.annotated(problem)
    }

    /// A failure after the change was made says so: a client that retries would change twice.
    fn annotated(&self, mut problem: Problem) -> Problem {
        if self.wrote {
            problem.detail = format!(
                "{} (the change was made at upstream {}; reading it back failed)",
                problem.detail, self.cx.upstream
            );
        }
        problem
    }

    /// The new secret the client of a rotation chose, if it chose one.
    fn chosen_secret(&self) -> Option<&str> {
        let body = self
            .op
            .body
            .as_ref()
            .filter(|_| self.op.action == Action::RotateSecret)?;
        body.get("secret").and_then(Value::as_str)
    }

    fn endpoint(&self, action: Action) -> Result<&'a Endpoint, Problem> {
        self.cx.dialect.operation(action).ok_or_else(|| {
            Problem::new(
                Code::UnsupportedOperation,
                format!("upstream {} does not support {action}", self.cx.upstream),
            )
        })
    }

    // ------------------------------------------------------------------ laying out

    fn lay_out(&mut self) -> Result<(), Problem> {
        self.check_scope()?;
        let d = self.cx.dialect;
        match self.op.action {
            Action::List => {
                self.own = Some(self.endpoint(Action::List)?);
                self.stages.push_back(Stage::Own);
            }
            Action::Delete => {
                self.own = Some(self.endpoint(Action::Delete)?);
                // A client whose vendor answers the webhook it deleted: read before it goes.
                if self.op.answer_deleted {
                    self.stages.push_back(Stage::Current);
                }
                self.stages.push_back(Stage::Own);
            }
            Action::Get => {
                self.own = Some(self.endpoint(Action::Get)?);
                self.stages.push_back(Stage::Own);
                for (i, r) in d.resources.iter().enumerate() {
                    if r.read_with_webhook {
                        self.stages.push_back(Stage::Resource(i));
                    }
                }
                if self.op.reveal_secret {
                    let shown = self.secret_resource().ok_or_else(|| {
                        Problem::new(
                            Code::UnsupportedOperation,
                            format!(
                                "upstream {} never shows a webhook's secret again",
                                self.cx.upstream
                            ),
                        )
                    })?;
                    if !self.stages.contains(&Stage::Resource(shown)) {
                        self.stages.push_back(Stage::Resource(shown));
                    }
                }
            }
            Action::Test => {
                let own = self.endpoint(Action::Test)?;
                self.own = Some(own);
                if own.needs_current {
                    self.stages.push_back(Stage::Current);
                }
                self.stages.push_back(Stage::Own);
            }
            Action::RotateSecret => {
                let own = self.endpoint(Action::RotateSecret)?;
                // A secret the client chose goes where the vendor's rotation takes one
                // (`{{secret}}` in its body); a vendor that mints its own cannot be given it,
                // and it is refused rather than dropped.
                let takes_one = own
                    .body
                    .as_ref()
                    .is_some_and(|b| b.slots().contains(&"secret"));
                if self.chosen_secret().is_some() && !takes_one {
                    return Err(Problem::with_errors(
                        Code::UnsupportedField,
                        vec![FieldError::new(
                            "secret",
                            format!(
                                "upstream {} mints the new secret itself: it takes none on rotation",
                                self.cx.upstream
                            ),
                        )],
                    ));
                }
                self.own = Some(own);
                self.stages.push_back(Stage::Own);
                self.follow_ups(own);
            }
            Action::Toggle => match d.operation(Action::Toggle) {
                Some(own) => {
                    self.own = Some(own);
                    self.stages.push_back(Stage::Own);
                    self.follow_ups(own);
                }
                // Flipped through `update` once the webhook is read.
                None => self.stages.push_back(Stage::Current),
            },
            Action::Create => self.lay_out_create()?,
            Action::Update if !self.op.switched.is_empty() => {
                // Event types switched one by one: the update is laid out once the webhook's
                // are read. What the change holds besides is refused before that read.
                let body = self.op.body.as_ref();
                model::check_body(Action::Update, body.unwrap_or(&Map::new()))?;
                if let Some(Err(refusal)) = body.map(|b| self.cx.url_policy.check_webhook(b)) {
                    return Err(Problem::validation(vec![refusal.field_error()]));
                }
                self.stages.push_back(Stage::Current);
            }
            Action::Update => self.lay_out_update()?,
        }
        self.confirm_scope_first()
    }

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
    fn confirm_scope_first(&mut self) -> Result<(), Problem> {
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
        let get = || d.operation(Action::Get).is_some_and(|g| g.names_owner);
        let resource =
            |e: Option<&ResourceEndpoint>| e.is_none_or(|e| e.path.has(&url::PathSeg::Owner));
        match stage {
            Stage::Scope | Stage::Current | Stage::Webhook => get(),
            Stage::Own => self.own.is_none_or(|o| o.names_owner),
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

    /// Where the vendor found the webhook by its id alone, the owner its answer gives must be
    /// the one asked under: another owner's webhook is not found here, and one whose answer
    /// does not say whose it is cannot be shown or changed.
    fn confirm_owner(&mut self, get: &Endpoint, webhook: &Members) -> Result<(), Problem> {
        let Some(asked) = self.op.owner.as_deref().filter(|_| !get.names_owner) else {
            return Ok(());
        };
        let id = self.op.id.as_deref().unwrap_or_default();
        let name = self.cx.upstream;
        match webhook.text("owner") {
            Some(owner) if owner == asked => {
                self.cx.owner = self.op.owner.clone();
                Ok(())
            }
            Some(_) => Err(Problem::not_found(format!(
                "no webhook {id} under owner {asked} at upstream {name}"
            ))),
            None => Err(Problem::new(
                Code::UpstreamError,
                format!(
                    "upstream {name} answered webhook {id} without its owner: whose it is cannot be confirmed"
                ),
            )),
        }
    }

    /// Refuses an owner or id this upstream cannot have: a dot segment, or a shape its vendor
    /// does not use. None of them ever reaches the vendor.
    fn check_scope(&self) -> Result<(), Problem> {
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
            if !url::names_something(id) {
                return Err(Problem::bad_request(format!(
                    "`{id}` cannot be a webhook id: it is empty, a dot segment or holds a path separator"
                )));
            }
            if d.sends_in_header("id") && http::HeaderValue::from_str(id).is_err() {
                return Err(Problem::bad_request(format!(
                    "`{id}` cannot be a webhook id at upstream {name}: its ids are sent in a header, which cannot carry control characters"
                )));
            }
            if let Some(format) = &d.id_format
                && !format.admits(id)
            {
                return Err(Problem::not_found(format!(
                    "no webhook id `{id}` at upstream {name}: its webhook ids are {}",
                    format.describe()
                )));
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

    /// The reads an endpoint's `then` declares.
    fn follow_ups(&mut self, own: &Endpoint) {
        for f in &own.then {
            self.stages.push_back(match f {
                FollowUp::Webhook => Stage::Webhook,
                FollowUp::Resource(i) => Stage::Resource(*i),
            });
        }
    }

    /// The resource that shows the signing secret, if the vendor has one.
    fn secret_resource(&self) -> Option<usize> {
        self.cx
            .dialect
            .resources
            .iter()
            .position(|r| r.get.is_some() && r.fields.reading("secret").is_some())
    }

    fn lay_out_create(&mut self) -> Result<(), Problem> {
        let own = self.endpoint(Action::Create)?;
        self.own = Some(own);
        // Taken, not copied: nothing reads the client's body again once it is laid out.
        let body = self.op.body.take().unwrap_or_default();
        model::check_body(Action::Create, &body)?;
        let refusal = self.cx.url_policy.check_webhook(&body).err();
        let names_secret = body.contains_key("secret");
        let mut split = self.cx.split(Action::Create, body);
        // A vendor that takes the owner in a create's body: the owner asked under, written
        // where its `owner` rule says.
        if let Some(owner) = &self.op.owner
            && self.cx.dialect.webhook.carries("owner", Action::Create)
        {
            split
                .main
                .insert("owner".into(), Value::from(owner.as_str()));
        }
        let written = self.cx.write(
            &self.cx.dialect.webhook,
            Action::Create,
            &split.main,
            self.op.lenient,
        )?;
        self.cx.precheck(
            &self.cx.dialect.webhook,
            Action::Create,
            &written.body,
            refusal.map(|r| r.field_error()),
            Extent::Whole,
        )?;
        self.dropped = written.dropped;
        self.own_body = Some(written.body);
        self.stages.push_back(Stage::Own);
        self.plan_resource_changes(split.resources, UpdateMode::Replace)?;
        self.follow_ups(own);
        // A secret the vendor minted is shown once, where it can be read.
        if !names_secret
            && let Some(i) = self.secret_resource()
            && !self.stages.contains(&Stage::Resource(i))
        {
            self.stages.push_back(Stage::Resource(i));
        }
        Ok(())
    }

    fn lay_out_update(&mut self) -> Result<(), Problem> {
        // Taken, not copied: nothing reads the client's body again once it is laid out.
        let mut patch = self.op.body.take().unwrap_or_default();
        model::check_body(Action::Update, &patch)?;
        // Before anything is read: a refused URL never reaches the upstream in any form.
        if let Err(refusal) = self.cx.url_policy.check_webhook(&patch) {
            return Err(Problem::validation(vec![refusal.field_error()]));
        }
        let mode = self.op.mode;
        let mut dropped = Vec::new();
        self.cx
            .unmergeable(&mut patch, mode, self.op.lenient, &mut dropped)?;
        let split = self.cx.split(Action::Update, patch);
        let d = self.cx.dialect;
        let own = match (mode, d.endpoint(Role::Replace)) {
            (UpdateMode::Replace, Some(replace)) => replace,
            _ => self.endpoint(Action::Update)?,
        };
        self.own = Some(own);
        let written = self
            .cx
            .write(&d.webhook, Action::Update, &split.main, self.op.lenient)?;
        dropped.extend(written.dropped.iter().cloned());
        self.dropped = dropped;
        let mut main = split.main;
        for gone in &written.dropped {
            match gone.strip_prefix("extensions.") {
                Some(k) => {
                    if let Some(Value::Object(ext)) = main.get_mut("extensions") {
                        ext.shift_remove(k);
                    }
                }
                None => {
                    main.shift_remove(gone.as_str());
                }
            }
        }
        let whole = own.role == Role::Replace;
        let reads_first = own.strategy == Strategy::ReadMergeWrite
            || own.needs_current
            || self.cx.needs_current(&main, mode, whole);
        let touches_main = !main.is_empty();
        if touches_main && reads_first {
            // The body is computed once the webhook as it is has been read (`after_current`).
            self.update = Some(UpdateParts {
                main,
                written,
                whole,
            });
            self.stages.push_back(Stage::Current);
        } else if touches_main {
            let extent = if whole { Extent::Whole } else { Extent::Part };
            self.cx
                .precheck(&d.webhook, Action::Update, &written.body, None, extent)?;
            self.own_body = Some(written.body);
        }
        if touches_main {
            self.stages.push_back(Stage::Own);
        }
        let touches_resources = !split.resources.is_empty();
        self.plan_resource_changes(split.resources, mode)?;
        // Reads after the calls come last, so that they see every change made.
        if touches_main {
            self.follow_ups(own);
        }
        if !touches_main && !touches_resources {
            // Nothing to change: the webhook as it is is the answer.
            self.stages.push_back(Stage::Webhook);
        }
        Ok(())
    }

    /// The stages that write a change's resource parts, and what they read first.
    fn plan_resource_changes(
        &mut self,
        parts: Vec<(usize, Map<String, Value>)>,
        mode: UpdateMode,
    ) -> Result<(), Problem> {
        for (i, part) in parts {
            let r = &self.cx.dialect.resources[i];
            // The vendor's verbs: a merge patch merges where the vendor merges, and is merged
            // here otherwise; a whole value replaces where the vendor replaces, and is turned
            // into a merge patch (with the members to remove) otherwise.
            let (verb, needs_current) = match (mode, r.update.is_some(), r.replace.is_some()) {
                (UpdateMode::Merge, true, _) => (ResourceVerb::Update, false),
                (UpdateMode::Merge, false, true) => (ResourceVerb::Replace, true),
                (_, _, true) => (ResourceVerb::Replace, false),
                (_, true, false) => (ResourceVerb::Update, true),
                (_, false, false) => unreachable!("only writable resources hold a change"),
            };
            if needs_current && r.get.is_none() {
                let names: Vec<FieldError> = part
                    .keys()
                    .map(|k| {
                        FieldError::new(
                            k.clone(),
                            format!(
                                "upstream {} cannot read it back to merge into",
                                self.cx.upstream
                            ),
                        )
                    })
                    .collect();
                return Err(Problem::validation(names));
            }
            if needs_current {
                self.stages.push_back(Stage::CurrentResource(i));
            }
            self.stages.push_back(Stage::ResourceWrite(i));
            self.changes.push(ResourceChange {
                resource: i,
                verb,
                mode,
                part,
                current: None,
            });
        }
        Ok(())
    }

    // ------------------------------------------------------------------ requests

    /// The request of a stage; `None` when the stage turns out to be needless.
    fn request(&mut self, stage: Stage) -> Result<Option<VendorRequest>, Problem> {
        let d = self.cx.dialect;
        match stage {
            Stage::Scope | Stage::Current => Ok(Some(self.call(
                self.endpoint(Action::Get)?,
                None,
                Purpose::Read,
            ))),
            Stage::Webhook => {
                // The operation's own answer held the webhook already.
                let held = self.result.as_ref().is_some_and(|w| w.has("id"));
                if held && self.own_answered() {
                    return Ok(None);
                }
                Ok(Some(self.call(
                    self.endpoint(Action::Get)?,
                    None,
                    Purpose::FollowUp,
                )))
            }
            Stage::Own => {
                let own = self
                    .own
                    .expect("the own stage is queued only where `own` was set just before");
                if self.op.action == Action::Update && self.own_body.is_none() {
                    return Ok(None); // nothing changed at the webhook itself
                }
                let purpose = Purpose::Write;
                // Taken, not copied: a plan writes its webhook once (a retry resends the
                // request's bytes, not the plan's stage).
                let mut body = self.own_body.take();
                if own.strategy == Strategy::JsonPatch
                    && let Some(members) = body.take()
                {
                    body = Some(crate::mapping::patch::ops(&d.webhook, members));
                }
                Ok(Some(self.call(own, body, purpose)))
            }
            Stage::CurrentResource(i) | Stage::Resource(i) => {
                let r = &d.resources[i];
                let Some(get) = &r.get else { return Ok(None) };
                let purpose = if stage == Stage::Resource(i) {
                    Purpose::FollowUp
                } else {
                    Purpose::Read
                };
                Ok(Some(self.resource_call(
                    get,
                    None,
                    purpose,
                    &format!("{}: get", r.name),
                )))
            }
            Stage::ResourceWrite(i) => {
                let change = self.change_of(i);
                let r = &d.resources[i];
                let part = resource_part(change);
                let body = match self.cx.write(&r.fields, Action::Update, &part, false) {
                    Ok(t) => t.body,
                    Err(p) => return Err(p),
                };
                let extent = match change.verb {
                    ResourceVerb::Update => Extent::Merge,
                    _ => Extent::Part,
                };
                self.cx
                    .precheck(&r.fields, Action::Update, &body, None, extent)?;
                let endpoint = r
                    .endpoint(change.verb)
                    .expect("a change's verb is chosen among the endpoints its resource has");
                let verb = match change.verb {
                    ResourceVerb::Replace => "replace",
                    _ => "update",
                };
                Ok(Some(self.resource_call(
                    endpoint,
                    Some(body),
                    Purpose::Write,
                    &format!("{}: {verb}", r.name),
                )))
            }
        }
    }

    /// Whether the own call's answer held the webhook.
    fn own_answered(&self) -> bool {
        self.own.is_some_and(|o| !o.item_paths.is_empty())
    }

    /// The id of the webhook the operation is about: the one asked for, else the one created.
    fn id(&self) -> Option<String> {
        self.op.id.clone().or_else(|| {
            self.result
                .as_ref()
                .and_then(|w| w.str("id"))
                .map(Cow::into_owned)
        })
    }

    fn call(&self, endpoint: &Endpoint, body: Option<Value>, purpose: Purpose) -> VendorRequest {
        let d = self.cx.dialect;
        let id = self.id();
        // A test of the event a client named (a vendor surface's client may) sends that one.
        let asked = self
            .op
            .body
            .as_ref()
            .filter(|_| self.op.action == Action::Test)
            .and_then(|b| b.get("events"));
        let current = match asked {
            Some(events) => {
                let mut current = self.current.clone().unwrap_or_default();
                current.insert("events".into(), events.clone());
                Some(Cow::Owned(current))
            }
            None => self.current.as_ref().map(Cow::Borrowed),
        };
        let slots = RequestSlots {
            webhook: body.as_ref(),
            secret: self.chosen_secret(),
            current: current.as_deref(),
            limit: self.op.query.limit,
            cursor: self.op.query.cursor.as_deref(),
            order: endpoint
                .order
                .as_ref()
                .zip(self.op.query.order)
                .map(|(ordering, order)| ordering.spell(order)),
            owner: self.op.owner.as_deref(),
            id: id.as_deref(),
            update_mask: endpoint
                .update_mask
                .as_ref()
                .and(body.as_ref())
                .map(|b| crate::mapping::patch::mask(&d.webhook, b)),
            idempotency_key: self.cx.idempotency_key,
        };
        let mut path =
            endpoint
                .path
                .render(&[&d.base_path], self.op.owner.as_deref(), id.as_deref());
        let mut first = true;
        for (param, template) in &endpoint.query {
            let Some(value) = template.render(&slots) else {
                continue;
            };
            let text = match value {
                Value::String(s) => s,
                other => other.to_string(),
            };
            path.push(if first { '?' } else { '&' });
            first = false;
            path.extend(percent_encoding::utf8_percent_encode(param, QUERY));
            path.push('=');
            path.extend(percent_encoding::utf8_percent_encode(&text, QUERY));
        }
        // A value that cannot be a header's was refused with the owner (`check_scope`).
        let headers = endpoint
            .headers
            .iter()
            .filter_map(|(name, template)| {
                let value = match template.render(&slots)? {
                    Value::String(s) => http::HeaderValue::try_from(s).ok()?,
                    other => http::HeaderValue::try_from(other.to_string()).ok()?,
                };
                Some((name.clone(), value))
            })
            .collect();
        let payload = match &endpoint.body {
            // The webhook as the whole body, the usual template: handed over, not copied.
            Some(template) if template.is_slot("webhook") => body,
            Some(template) => template.render(&slots),
            None => None,
        };
        VendorRequest {
            headers,
            repeatable: endpoint.method.is_idempotent()
                || (endpoint.role == Role::Action(Action::Create)
                    && self.cx.idempotency_key.is_some()),
            method: endpoint.method.clone(),
            path,
            body: payload,
            content_type: endpoint.content_type.clone(),
            purpose,
            label: endpoint.name().to_owned(),
        }
    }

    fn resource_call(
        &self,
        endpoint: &ResourceEndpoint,
        body: Option<Value>,
        purpose: Purpose,
        label: &str,
    ) -> VendorRequest {
        let d = self.cx.dialect;
        let id = self.id();
        let path = endpoint
            .path
            .render(&[&d.base_path], self.op.owner.as_deref(), id.as_deref());
        let payload = body.and_then(|resource| {
            let slots = |name: &str| (name == "resource").then(|| resource.clone());
            endpoint.body.render(&slots)
        });
        VendorRequest {
            headers: Vec::new(),
            repeatable: endpoint.method.is_idempotent(),
            method: endpoint.method.clone(),
            path,
            body: payload,
            content_type: None,
            purpose,
            label: label.to_owned(),
        }
    }

    /// The change to resource `i`, which a write stage for it always has.
    fn change_of(&self, i: usize) -> &ResourceChange {
        self.changes
            .iter()
            .find(|c| c.resource == i)
            .expect("a resource write is queued together with its change")
    }

    // ------------------------------------------------------------------ answers

    /// What an answer changes, by the stage it answers: one arm per stage of a plan, so that
    /// each is seen beside the others (the webhook read whole has a step of its own).
    fn absorb(&mut self, stage: Stage, reply: &Reply) -> Result<(), Problem> {
        let d = self.cx.dialect;
        match stage {
            Stage::Scope => {
                let get = self.endpoint(Action::Get)?;
                let parsed = self.cx.read(get, reply)?;
                let webhook = self.cx.webhook(get, parsed)?;
                self.confirm_owner(get, &webhook)
            }
            Stage::Current => {
                let get = self.endpoint(Action::Get)?;
                match self.cx.read(get, reply) {
                    Ok(parsed) => {
                        let webhook = self.cx.webhook(get, parsed)?;
                        self.confirm_owner(get, &webhook)?;
                        self.current = Some(webhook.into_map());
                    }
                    Err(p) if p.code == Code::NotFound && self.upserts() => {
                        self.current = Some(Map::new());
                        self.created = true;
                    }
                    Err(p) => return Err(p),
                }
                self.after_current()
            }
            Stage::Webhook => self.absorb_webhook(reply),
            Stage::Own => {
                let own = self
                    .own
                    .expect("the own stage is queued only where `own` was set just before");
                // A vendor that names its next page in a `Link` header: the header, before the
                // reply is read.
                let link = (own.paging == Paging::Link)
                    .then(|| reply.headers.text("link").map(str::to_owned))
                    .flatten();
                let parsed = self
                    .cx
                    .read(own, reply)
                    .map_err(|p| named_as_sent(own, p))?;
                if !self.op.action.reads_only() && self.op.action != Action::Test {
                    self.wrote = true;
                }
                match self.op.action {
                    Action::List => {
                        let page = self.cx.page(own, parsed, &self.op.query, link.as_deref())?;
                        self.page = Some(page);
                    }
                    Action::Test => self.tested = Some(self.cx.test_result(own, parsed)?),
                    Action::Delete => {}
                    _ if own.item_paths.is_empty() => {}
                    _ => {
                        let webhook = self.cx.webhook(own, parsed)?;
                        if self.op.action == Action::Get {
                            self.confirm_owner(own, &webhook)?;
                        }
                        if self.op.upsert && reply.status == http::StatusCode::CREATED {
                            self.created = true;
                        }
                        self.result = Some(webhook);
                    }
                }
                Ok(())
            }
            Stage::CurrentResource(i) | Stage::Resource(i) => {
                let r = &d.resources[i];
                let get = r
                    .get
                    .as_ref()
                    .expect("a resource read is answered only where its `get` made the request");
                let body = self.cx.read_plain(reply)?;
                let fields = self.cx.resource_fields(r, get, body)?;
                if let Stage::CurrentResource(_) = stage {
                    if let Some(change) = self.changes.iter_mut().find(|c| c.resource == i) {
                        change.current = Some(fields);
                    }
                } else {
                    self.merge_into_result(fields);
                }
                Ok(())
            }
            Stage::ResourceWrite(i) => {
                self.cx.read_plain(reply)?;
                self.wrote = true;
                let change = self.change_of(i);
                let r = &d.resources[i];
                // The resource's fields after the change, where they are known; else read back.
                match resource_after(change) {
                    Some(after) => self.merge_into_result(after),
                    None if r.get.is_some() => self.stages.push_front(Stage::Resource(i)),
                    None => {}
                }
                if self.result.is_none() && !self.stages.contains(&Stage::Webhook) {
                    self.stages.push_back(Stage::Webhook);
                }
                Ok(())
            }
        }
    }

    /// The webhook read whole: what only earlier answers showed is kept, and the resources
    /// read with a webhook are read too.
    fn absorb_webhook(&mut self, reply: &Reply) -> Result<(), Problem> {
        let get = self.endpoint(Action::Get)?;
        let parsed = self.cx.read(get, reply)?;
        let webhook = self.cx.webhook(get, parsed)?;
        self.confirm_owner(get, &webhook)?;
        let mut webhook = webhook.into_map();
        // What only earlier answers showed (a secret minted once, a resource's fields)
        // is kept.
        for (k, v) in self
            .result
            .take()
            .map(Members::into_map)
            .into_iter()
            .flatten()
        {
            match (webhook.get_mut(&k), v) {
                (Some(Value::Object(ext)), Value::Object(earlier)) if k == "extensions" => {
                    for (name, value) in earlier {
                        ext.entry(name).or_insert(value);
                    }
                }
                (None, v) => {
                    webhook.insert(k, v);
                }
                _ => {}
            }
        }
        // A webhook read is a whole one: the resources read with it are read too.
        for (i, r) in self.cx.dialect.resources.iter().enumerate().rev() {
            let known = r
                .fields
                .rules
                .iter()
                .all(|rule| rule.target.get(&webhook).is_some());
            if r.read_with_webhook && !known && !self.stages.contains(&Stage::Resource(i)) {
                self.stages.push_front(Stage::Resource(i));
            }
        }
        self.result = Some(webhook.into());
        Ok(())
    }

    /// Whether an update of an unknown webhook creates it.
    fn upserts(&self) -> bool {
        self.op.upsert && self.own.is_some_and(|o| o.upsert)
    }

    /// Fields of a resource, into the webhook answered (once it is known; kept until then).
    fn merge_into_result(&mut self, fields: Map<String, Value>) {
        let mut result = self
            .result
            .take()
            .map(Members::into_map)
            .unwrap_or_default();
        for (k, v) in fields {
            match (result.get_mut(&k), v) {
                (Some(Value::Object(ext)), Value::Object(more)) if k == "extensions" => {
                    ext.extend(more);
                }
                (_, v) => {
                    result.insert(k, v);
                }
            }
        }
        self.result = Some(result.into());
    }

    /// After the webhook was read first: a toggle, or an update that switches event types
    /// one by one, becomes the update it means, and an update's body is computed.
    fn after_current(&mut self) -> Result<(), Problem> {
        let none = Map::new();
        let current = self.current.as_ref().unwrap_or(&none);
        let switches = !self.op.switched.is_empty();
        if self.op.action == Action::Toggle || switches {
            if switches {
                let switched = std::mem::take(&mut self.op.switched);
                let events = crate::mapping::flags::switch(current.get("events"), &switched);
                let body = self.op.body.get_or_insert_default();
                body.insert("events".into(), events);
            } else {
                let Some(enabled) = current.get("enabled").and_then(Value::as_bool) else {
                    return Err(Problem::with_errors(
                        Code::UnsupportedField,
                        vec![FieldError::new(
                            "enabled",
                            format!("not supported by upstream {}", self.cx.upstream),
                        )],
                    ));
                };
                let mut patch = Map::new();
                patch.insert("enabled".into(), Value::Bool(!enabled));
                self.op.action = Action::Update;
                self.op.body = Some(patch);
                self.op.mode = UpdateMode::Merge;
            }
            let rest: Vec<Stage> = self.stages.drain(..).collect();
            self.lay_out_update()?;
            // The webhook was read already: the update's own read is this one.
            if self.stages.front() == Some(&Stage::Current) {
                self.stages.pop_front();
                self.stages.extend(rest);
                return self.after_current();
            }
            self.stages.extend(rest);
            return Ok(());
        }
        if self.op.action == Action::Test {
            return Ok(()); // the current webhook fills `{{current.*}}`
        }
        let Some(parts) = &self.update else {
            return Ok(());
        };
        let d = self.cx.dialect;
        let own = self
            .own
            .expect("an update's parts are laid out after its endpoint was set as `own`");
        let body = if own.strategy == Strategy::ReadMergeWrite
            || parts.whole
            || self.cx.needs_current(&parts.main, self.op.mode, false)
        {
            self.cx.merged_body(
                current,
                &parts.main,
                self.op.mode,
                &parts.written.body,
                parts.whole,
            )?
        } else {
            Some(parts.written.body.clone())
        };
        if let Some(body) = &body {
            // A body that is the whole webhook (a vendor's PUT) holds every member the vendor
            // requires: one it never shows (a passcode) must come from the client.
            let extent = if parts.whole {
                Extent::Whole
            } else {
                Extent::Part
            };
            self.cx
                .precheck(&d.webhook, Action::Update, body, None, extent)?;
        }
        match body {
            Some(body) => self.own_body = Some(body),
            None => {
                // Nothing changes at the webhook itself: as it is, it is the answer.
                self.result = Some(current.clone().into());
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------------ the result

    fn finish(&mut self) -> Result<Done, Problem> {
        let dropped = std::mem::take(&mut self.dropped);
        let outcome = match self.op.action {
            Action::List => {
                let (items, next_cursor) = self.page.take().unwrap_or_default();
                Outcome::List { items, next_cursor }
            }
            // The webhook as it was read before the delete, where it was (`answer_deleted`).
            Action::Delete => Outcome::Deleted(self.current.take().map(Members::from)),
            Action::Test => Outcome::TestResult(self.tested.take().unwrap_or_default()),
            action => {
                let mut webhook = self
                    .result
                    .take()
                    .or_else(|| self.current.take().map(Members::from))
                    .ok_or_else(|| self.cx.malformed("no answer holding the webhook", None))?;
                // A secret is shown once where the vendor minted it: a create or a rotation
                // whose client chose none (a create's chosen secret is never read back).
                let minted = action == Action::Create
                    || (action == Action::RotateSecret && self.chosen_secret().is_none());
                if !(self.op.reveal_secret || minted) {
                    webhook.remove("secret");
                }
                let webhook = webhook.ordered(model::WEBHOOK_FIELDS);
                if action == Action::Create || self.created {
                    Outcome::Created(webhook)
                } else {
                    Outcome::Webhook(webhook)
                }
            }
        };
        Ok(Done { outcome, dropped })
    }
}

/// A vendor's field errors on what its request carried for the client, named as the client
/// sent it: the secret a rotation's body held (a `key` member, say), and a list's `limit` or
/// `cursor` under the vendor's query parameter (an `iterator`, say). No field rule names those
/// members, so they would read as the vendor's own `extensions.…`: `extensions.key`, or for a
/// parameter `extensions.iterator` or, where the vendor locates it as pydantic does
/// (`["query", "iterator"]`), `extensions.query.iterator`.
fn named_as_sent(own: &Endpoint, mut problem: Problem) -> Problem {
    if problem.errors.is_empty() {
        return problem;
    }
    let mut names: Vec<(String, &str)> = Vec::new();
    if let Some(at) = own.body.as_ref().and_then(|b| b.path_of("secret")) {
        names.push((format!("extensions.{at}"), "secret"));
    }
    for (param, template) in &own.query {
        for sent in ["limit", "cursor"] {
            if template.slots().contains(&sent) {
                names.push((format!("extensions.{param}"), sent));
                names.push((format!("extensions.query.{param}"), sent));
            }
        }
    }
    let mut renamed = false;
    for e in &mut problem.errors {
        if let Some((_, sent)) = names.iter().find(|(vendor, _)| *vendor == e.field) {
            e.field = (*sent).to_owned();
            renamed = true;
        }
    }
    if renamed {
        problem.detail = crate::problem::summarise(&problem.errors);
    }
    problem
}

/// A resource change's part as the vendor's verb takes it: a merge patch for `update`, the
/// whole value for `replace`, computed from the resource as it is where the verb and the
/// change's mode differ.
fn resource_part(change: &ResourceChange) -> Map<String, Value> {
    let mode = change.mode;
    match (change.verb, &change.current) {
        (ResourceVerb::Replace, Some(current)) if mode == UpdateMode::Merge => {
            model::apply_update(current, &change.part, UpdateMode::Merge)
        }
        (ResourceVerb::Update, Some(current)) if mode != UpdateMode::Merge => {
            // The whole new value, as a merge patch: members that are gone become `null`.
            let mut patch = change.part.clone();
            for (key, was) in current {
                if let (Some(Value::Object(now)), Value::Object(was)) = (patch.get_mut(key), was) {
                    for k in was.keys() {
                        now.entry(k.clone()).or_insert(Value::Null);
                    }
                }
            }
            patch
        }
        _ => change.part.clone(),
    }
}

/// The resource's fields after a change, where the change says them whole.
fn resource_after(change: &ResourceChange) -> Option<Map<String, Value>> {
    match (change.verb, change.mode, &change.current) {
        (ResourceVerb::Replace, UpdateMode::Merge, Some(current)) => Some(model::apply_update(
            current,
            &change.part,
            UpdateMode::Merge,
        )),
        (_, UpdateMode::Members | UpdateMode::Replace, _) | (ResourceVerb::Replace, _, None) => {
            let mut after = change.part.clone();
            after.retain(|_, v| !v.is_null());
            Some(after)
        }
        (ResourceVerb::Update, UpdateMode::Merge, Some(current)) => Some(model::apply_update(
            current,
            &change.part,
            UpdateMode::Merge,
        )),
        _ => None,
    }
}

/// Values for the placeholders of a vendor request.
struct RequestSlots<'a> {
    webhook: Option<&'a Value>,
    /// The new secret a rotation's client chose (`{{secret}}`).
    secret: Option<&'a str>,
    current: Option<&'a Map<String, Value>>,
    limit: Option<u64>,
    cursor: Option<&'a str>,
    /// The list's order in the vendor's word (`{{order}}`).
    order: Option<&'a str>,
    /// The owner asked under (`{{owner}}`).
    owner: Option<&'a str>,
    /// The webhook's id (`{{id}}`), for a vendor that takes it outside the path.
    id: Option<&'a str>,
    /// The places an update changes (`{{update_mask}}`), for a vendor that takes a mask.
    update_mask: Option<String>,
    /// The client's idempotency key (`{{idempotency_key}}` in a create's body).
    idempotency_key: Option<&'a str>,
}

impl Slots for RequestSlots<'_> {
    fn slot(&self, name: &str) -> Option<Value> {
        match name {
            "webhook" => self.webhook.cloned(),
            "secret" => self.secret.map(Value::from),
            "limit" => self.limit.map(Value::from),
            "cursor" => self.cursor.map(Value::from),
            "order" => self.order.map(Value::from),
            "owner" => self.owner.map(Value::from),
            "id" => self.id.map(Value::from),
            "update_mask" => self.update_mask.clone().map(Value::from),
            "idempotency_key" => self.idempotency_key.map(Value::from),
            other => {
                let field = other.strip_prefix("current.")?;
                self.current?.get(field).cloned()
            }
        }
    }
}

/// Query values escape everything but unreserved characters.
const QUERY: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Runs a plan to its end over `exchange`, which sends one request and returns its reply (or
/// the problem of a transport that gave none).
pub fn run_with(
    mut plan: Plan<'_>,
    mut exchange: impl FnMut(VendorRequest) -> Result<Reply, Problem>,
) -> Result<Done, Problem> {
    let mut reply = None;
    loop {
        match plan.next(reply.take()) {
            Next::Send(request) => match exchange(request) {
                Ok(r) => reply = Some(r),
                Err(p) => return Err(plan.interrupted(p)),
            },
            Next::Done(result) => return result,
        }
    }
}
