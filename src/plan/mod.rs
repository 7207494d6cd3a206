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
//! | `Switch` (before `Own`) | `disable` | a delete at a vendor that deletes only disabled webhooks, unless it is disabled already |
//! | `Own` | the operation's own endpoint | unless an update changes nothing at the webhook itself |
//! | `ResourceWrite` | a resource's `replace` or `update` | a create or update that names a member a resource holds |
//! | `Switch` | `enable` or `disable` | a create or update that names `enabled` where the vendor sets it by verbs of its own, unless it is so already |
//! | `Webhook` | `get` | `then = ["get"]` (whatever the answer before it held), or an answer that does not hold the webhook; a canonical get where the vendor has no `get` |
//! | `Resource` | a resource's `get` | `then`, `read_with_webhook`, a secret minted or asked for, a merged resource |
//!
//! Where the vendor has no read of one webhook (`from = "list"`), each `get` of the table is its
//! list instead, read page after page to the page that holds the webhook (`walk`): the stage
//! is asked again for each page.
//!
//! This file is the step machine: what comes next, and what each answer changes. The stages are
//! laid out by `layout`, with `scope` checking whose the webhook is; `body` makes a create's or
//! update's body ready, `request` writes each stage's vendor request and `answer` reads what
//! the vendor said; `walk` follows a vendor's pages to where a page a client computed begins,
//! and `cut` cuts a client's page from a vendor's page that holds more than it asked for.

mod answer;
mod body;
mod cut;
mod layout;
mod request;
mod scope;
mod walk;

use crate::exchange::{Purpose, Reply, VendorRequest};
use crate::mapping::model::{Dialect, Endpoint, OneRead, Paging, ResourceVerb, Strategy};
use crate::mapping::rules::Translated;
use crate::model::{self, Action, Done, Members, Object, Operation, Outcome, UpdateMode};
use crate::problem::{Code, FieldError, Problem};
use crate::url_policy::UrlPolicy;
use answer::ReadFor;
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
    /// The secret the gateway kept of the webhook a read of its secret names, where the
    /// upstream shows a secret only in the answer that made it
    /// ([`KeptSecrets`](crate::upstream::kept::KeptSecrets)): the read answers it.
    pub kept_secret: Option<&'a str>,
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
            kept_secret: None,
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
    Switch,
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
    /// The vendor's body of the change, made and checked as soon as what it depends on is
    /// known: when the plan is laid out, or once the resource is read. A refusal of it comes
    /// before any call that changes anything wherever the webhook exists before the plan.
    body: Option<Value>,
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
    /// The `enabled` a vendor's verb of its own sets (`enable` or `disable`).
    switch: Option<bool>,
    /// The webhook held was answered before a later change (a verb that answers nothing):
    /// it is read again.
    stale: bool,
    changes: Vec<ResourceChange>,
    current: Option<Map<String, Value>>,
    /// What the vendor's read of `current` said doubtfully (a member given twice, a number
    /// the writer would write as another), which a change composed from it must not send back;
    /// `None` where its text was not read for them.
    doubts: Option<Vec<crate::json::doubt::Doubtful>>,
    result: Option<Members>,
    page: Option<Page>,
    /// Where a client's computed page begins at a vendor that pages another way (boxed: few
    /// plans walk, and a plan is moved whole).
    walk: Option<Box<walk::Walk>>,
    /// A read of one webhook under way through the list of a vendor with no read of one
    /// (boxed: few plans find one so).
    find: Option<Box<walk::Find>>,
    /// The client asked for a page of none of a vendor whose pages hold at least one: the
    /// vendor's smallest page is asked for, to learn whether webhooks follow, and none shown.
    page_of_none: bool,
    /// The client's page cut from a vendor's page that may hold more than it asked for (boxed:
    /// few plans cut one).
    cut: Option<Box<cut::Cut>>,
    tested: Option<Map<String, Value>>,
    dropped: Vec<String>,
    created: bool,
    /// The client's replacement, kept where an unknown id is created by the upstream's create
    /// (the client's vendor mints a new id, and the upstream's update would not): laid out as
    /// that create once the read first finds nothing (boxed: few plans keep one).
    creates_instead: Option<Box<Map<String, Value>>>,
    /// What the update is refused for, said once the read first finds the webhook (an unknown
    /// one being created instead).
    refused_if_found: Option<Box<Problem>>,
    /// The secret a change's answer showed (a rotation's new key, a create's minted one): a
    /// read after it shows it masked or as it was, and does not replace it (boxed: few plans
    /// hold one).
    shown_secret: Option<Box<Value>>,
    /// A call that changes the webhook has succeeded.
    wrote: bool,
    /// The refusal of a change that was made, held while the secret the vendor minted for
    /// the webhook made is read where it shows it (a resource of its own): the refusal then
    /// shows that secret, which no later call can learn (boxed: few plans hold one).
    refused_after_secret: Option<Box<Problem>>,
    /// An answer named another owner than the one asked under, or none where it had to say:
    /// whose the webhook is was not confirmed, and no secret it shows is kept for it.
    unconfirmed_owner: bool,
    /// A create's answer said a webhook was made without naming one (its body and a header,
    /// or two headers, name two): the change was made, though which webhook is not known.
    made_unnamed: bool,
    /// The call whose answer is being read succeeded: a failure now is of its answer.
    answered: bool,
    /// The canonical change, kept where the client's API can show less than the canonical
    /// API (`Operation::answer_check`), to hold the webhook it would leave to that API once the
    /// webhook is read (boxed: few plans keep one, and a plan is moved whole).
    checked_change: Option<Box<Map<String, Value>>>,
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
            switch: None,
            stale: false,
            changes: Vec::new(),
            current: None,
            doubts: None,
            result: None,
            page: None,
            walk: None,
            find: None,
            page_of_none: false,
            cut: None,
            tested: None,
            dropped: Vec::new(),
            created: false,
            creates_instead: None,
            refused_if_found: None,
            shown_secret: None,
            wrote: false,
            refused_after_secret: None,
            unconfirmed_owner: false,
            made_unnamed: false,
            answered: false,
            checked_change: None,
        };
        if let Err(p) = plan.lay_out() {
            plan.stages.clear();
            plan.refused = Some(p);
        }
        plan
    }

    /// A page of none cut from the vendor's smallest: where it held webhooks, or named a next
    /// page, more follow, and the next page begins where this one did (its cursor, or `""`
    /// for the list's first page).
    fn none_of(&self, (items, next): Page) -> Page {
        let more = !items.is_empty() || next.is_some();
        let here = (self.part_way_given())
            .unwrap_or_else(|| self.op.query.cursor.clone().unwrap_or_default());
        (model::Listed::default(), more.then_some(here))
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
        if let (Some(stage), Some(reply)) = (self.out.take(), reply) {
            let absorbed = self.absorb(stage, &reply);
            // The secret read before a refusal: whatever it answered, the refusal is given,
            // showing the secret where the read did.
            if let Some(held) = self.refused_after_secret.take() {
                return Next::Done(Err(self.showing_made(*held)));
            }
            if let Err(p) = absorbed {
                // Annotated before the stages are dropped: whether more of the change was to
                // come is told by them.
                let p = self.annotated(p, stage);
                let unread = self.secret_unread(&p);
                self.stages.clear();
                match unread {
                    Some(read) => {
                        self.refused_after_secret = Some(Box::new(p));
                        self.stages.push_back(read);
                    }
                    None => return Next::Done(Err(p)),
                }
            }
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
                    let held = self.refused_after_secret.take();
                    return Next::Done(Err(held.map_or(p, |held| *held)));
                }
            }
        }
        if let Some(held) = self.refused_after_secret.take() {
            return Next::Done(Err(self.showing_made(*held)));
        }
        Next::Done(self.finish())
    }

    /// The read of the secret the vendor minted for the webhook a refused change made, where
    /// the refusal shows that webhook without it and the plan was still to read it at a
    /// resource of its own: a vendor that shows a secret once, after the create, shows it to
    /// no later call, and a client refused without it could never verify a delivery. The read
    /// addresses the webhook as every call of the plan does (under the owner asked), and
    /// changes nothing.
    fn secret_unread(&self, refusal: &Problem) -> Option<Stage> {
        let made = refusal.made.as_deref()?;
        if !made.contains_key("id") || made.contains_key("secret") {
            return None;
        }
        let read = Stage::Resource(self.cx.dialect.secret_resource()?);
        self.stages.contains(&read).then_some(read)
    }

    /// A held refusal, showing what the webhook made holds now (the secret read after it).
    fn showing_made(&self, mut refusal: Problem) -> Problem {
        if let Some(made) = self.result.as_ref().and_then(Members::made) {
            refusal.made = Some(made);
        }
        refusal
    }

    /// Whether the answers confirmed whose the webhook is, as far as they were read: `false`
    /// where one named another owner than the one asked under, or none where it had to say.
    /// A secret such a change showed is not kept for the owner asked, whose webhook it may
    /// not be.
    pub fn owner_confirmed(&self) -> bool {
        !self.unconfirmed_owner
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
        match self.out.take() {
            Some(stage) => self.annotated(problem, stage),
            None => problem,
        }
    }

    /// A failure after a change was made says so, and whether the failed call was one more
    /// part of the change (which then is made in part) or a read after it: a client that
    /// retries would change twice.
    fn annotated(&self, problem: Problem, failed: Stage) -> Problem {
        if !self.wrote {
            return problem;
        }
        let up = self.cx.upstream;
        let writes = matches!(failed, Stage::Own | Stage::ResourceWrite(_) | Stage::Switch);
        // A webhook made before the failure is named: the client has no other way to find it,
        // and a create sent again would make a second.
        let made = (self.op.action == Action::Create)
            .then(|| self.result.as_ref()?.text("id"))
            .flatten()
            .map(|id| match id.as_ref() {
                "" => "a webhook of an empty id was created; ".to_owned(),
                id => format!("webhook {id} was created; "),
            })
            .unwrap_or_default();
        // A call that succeeded, whose answer could not be passed on, made its part: the
        // change is whole unless more of it was to come.
        let rest = self
            .stages
            .iter()
            .any(|s| matches!(s, Stage::Own | Stage::ResourceWrite(_) | Stage::Switch));
        // A create answered with no webhook (none, or one without an id) may have made one or
        // none: a vendor that refuses a bulk call's items one by one answers 2xx all the same.
        let unnamed = self.op.action == Action::Create
            && !self.made_unnamed
            && (self.result.as_ref()).is_none_or(|w| w.text("id").is_none());
        let what = match (writes, self.answered && !rest) {
            _ if unnamed => format!(
                "the change may have been made at upstream {up}: its answer names no webhook made"
            ),
            (true, false) => format!(
                "{made}part of the change was made at upstream {up} before this call of it failed: the webhook is changed in part"
            ),
            (true, true) => format!(
                "{made}the change was made at upstream {up}; its answer cannot be passed on"
            ),
            (false, _) => {
                format!("{made}the change was made at upstream {up}; reading it back failed")
            }
        };
        let mut problem = match unnamed {
            true => problem.after_possible_change(what),
            false => problem.after_change(what),
        };
        // The change stands, whole or in part (or may): no status may say it was not made (a
        // 404 of the read after it) or ask for it again (a 503, whose retry of a create makes a
        // second webhook). Only a refusal of one more part of it, naming fields, stays the
        // client's to correct.
        if unnamed || !writes || problem.errors.is_empty() {
            problem.code = Code::UpstreamError;
            problem.retry_after = None;
        }
        // What was made that the client could learn nowhere else: its id, and a secret minted
        // for it, which no later read shows. The rest may have changed since it was answered
        // (a verb after the create), and a read gives it.
        let shows = match self.op.action {
            _ if self.created => true,
            Action::Create => true,
            Action::RotateSecret => self.chosen_secret().is_none(),
            _ => false,
        };
        if let Some(result) = self.result.as_ref().filter(|_| shows) {
            problem.made = result.made();
        }
        problem
    }

    /// The refusal of a read of a secret that the vendor showed once, elsewhere than through
    /// the gateway (or before it started): no one can answer it.
    fn secret_unknown(&self) -> Problem {
        Problem::new(
            Code::UnsupportedOperation,
            format!(
                "upstream {} never shows a webhook's secret again, and the gateway keeps none \
                 of webhook {}: it keeps the secrets made or rotated through it since it started",
                self.cx.upstream,
                self.op.id.as_deref().unwrap_or("")
            ),
        )
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

    /// How the vendor reads one webhook: its `get`, or its list (`from = "list"`).
    fn one_read(&self) -> Result<OneRead<'a>, Problem> {
        self.cx
            .dialect
            .one_read()
            .ok_or_else(|| self.endpoint(Action::Get).unwrap_err())
    }

    /// The webhook a read of one answered (`stage`: `Scope`, `Current` or `Webhook`): the
    /// `get`'s answer, or the page of the list that holds it; `None` while the list's next
    /// page is still to be read.
    fn read_one(&mut self, stage: Stage, reply: &Reply) -> Result<Option<Members>, Problem> {
        match self.one_read()? {
            OneRead::Get(get) => {
                let parsed = self.cx.read(get, reply)?;
                let webhook = self.cx.webhook(get, parsed)?;
                self.cx.found_as_asked(&webhook, self.id().as_deref())?;
                Ok(Some(webhook))
            }
            OneRead::List(list) => self.found(stage, list, reply),
        }
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

    /// Whether the own call's answer held the webhook.
    fn own_answered(&self) -> bool {
        self.own.is_some_and(|o| !o.item_paths.is_empty())
    }

    /// The id of the webhook the operation is about: the one asked for, else the one created.
    /// An update that created the webhook addresses it by the id its answer names: a vendor
    /// that mints one drops the id the path named.
    fn id(&self) -> Option<String> {
        let answered = || {
            self.result
                .as_ref()
                .and_then(|w| w.str("id"))
                .map(Cow::into_owned)
        };
        match self.created {
            true => answered().or_else(|| self.op.id.clone()),
            false => self.op.id.clone().or_else(answered),
        }
    }

    /// The id of the one webhook the own call's answer is about, where its request named it
    /// and the answer is that webhook's: a change's, a rotation's. Not a create's, whose answer
    /// names the webhook made, nor a read's, which names the one it found; nor an update's that
    /// created the webhook where the vendor mints its id (`upsert = "new_id"`, a 201).
    fn asked_of(&self, own: &Endpoint, status: http::StatusCode) -> Option<&str> {
        let mints = self.created
            || (own.upsert == Some(model::Upsert::NewId) && status == http::StatusCode::CREATED);
        let reads = matches!(self.op.action, Action::Create | Action::Get | Action::List);
        self.op.id.as_deref().filter(|_| !reads && !mints)
    }

    /// After an answer that named no id, which held the webhook in part (a rotation's new key
    /// alone) or not at all (a 204, `{}`): the webhook is read after the calls, whatever the
    /// file declares, so that the answer is the webhook whole, completed with what that answer
    /// held. A vendor with no read of one webhook cannot complete it: the change was made, and
    /// the refusal says so.
    fn read_whole_after(&mut self, answered: &answer::Answered) -> Result<(), Problem> {
        if !answered.unnamed {
            return Ok(());
        }
        if self.cx.dialect.one_read().is_none() {
            return Err(self.cx.malformed(
                "an answer without the webhook's id, and has no read of one webhook to complete it",
                None,
            ));
        }
        self.stale = true;
        if !self.stages.contains(&Stage::Webhook) {
            self.stages.push_back(Stage::Webhook);
        }
        Ok(())
    }

    /// What an answer changes, by the stage it answers: one arm per stage of a plan, so that
    /// each is seen beside the others (the webhook read whole has a step of its own).
    fn absorb(&mut self, stage: Stage, reply: &Reply) -> Result<(), Problem> {
        let d = self.cx.dialect;
        self.answered = false;
        match stage {
            Stage::Scope => {
                let Some(webhook) = self.read_one(stage, reply)? else {
                    return Ok(()); // the next page of the list is asked for
                };
                self.confirm_owner(self.one_read()?.endpoint(), &webhook)
            }
            Stage::Current => {
                match self.read_one(stage, reply) {
                    Ok(None) => return Ok(()), // the next page of the list is asked for
                    Ok(Some(webhook)) => {
                        self.confirm_owner(self.one_read()?.endpoint(), &webhook)?;
                        if let Some(refused) = self.refused_if_found.take() {
                            return Err(*refused);
                        }
                        if let OneRead::Get(get) = self.one_read()? {
                            let keys = get.item_keys.as_deref().unwrap_or_default();
                            self.doubts = self.cx.doubts_at(reply, keys);
                        }
                        self.current = Some(webhook.into_map());
                    }
                    Err(p) if p.code == Code::NotFound && self.upserts() => {
                        self.current = Some(Map::new());
                        self.created = true;
                        self.resources_of_none()?;
                    }
                    Err(p) if p.code == Code::NotFound && self.creates_instead.is_some() => {
                        return self.lay_out_create_instead();
                    }
                    Err(p) => return Err(p),
                }
                self.hold_preconditions()?;
                self.after_current()
            }
            Stage::Webhook => {
                let Some(webhook) = self.read_one(stage, reply)? else {
                    return Ok(()); // the next page of the list is asked for
                };
                self.confirm_owner(self.one_read()?.endpoint(), &webhook)?;
                self.stale = false;
                self.take_whole(webhook.into_map());
                Ok(())
            }
            Stage::Switch => {
                let verb = self.switch_endpoint()?;
                let parsed = self.cx.read(verb, reply)?;
                self.wrote = true;
                self.answered = true;
                if self.op.action == Action::Delete {
                    return Ok(()); // disabled so that it may go
                }
                if verb.item_paths.is_empty() && verb.response_headers.is_empty() {
                    // What was held is as it was before the switch: read it again.
                    self.stale = true;
                    if !self.stages.contains(&Stage::Webhook) {
                        self.stages.push_front(Stage::Webhook);
                    }
                    return Ok(());
                }
                let asked = self.id();
                let answered = self.cx.webhook_of(verb, parsed, asked.as_deref())?;
                self.read_whole_after(&answered)?;
                self.answered_with_owner(verb, &answered.webhook)?;
                self.note_secret(&answered.webhook);
                self.take_whole(answered.webhook.into_map());
                Ok(())
            }
            Stage::Own => {
                let own = self
                    .own
                    .expect("the own stage is queued only where `own` was set just before");
                // A vendor that names its next page in a `Link` header: the header, before the
                // reply is read.
                let link = (own.paging == Paging::Link)
                    .then(|| reply.headers.joined("link").map(|l| l.into_owned()))
                    .flatten();
                if self.op.action == Action::List {
                    self.cx.whole_list(reply)?;
                }
                let parsed = self
                    .cx
                    .read(own, reply)
                    .map_err(|p| self.refused_made_up(named_as_sent(own, p)))?;
                if !self.op.action.reads_only() && self.op.action != Action::Test {
                    self.wrote = true;
                    self.answered = true;
                }
                match self.op.action {
                    Action::List => {
                        let page = self.cx.page(
                            own,
                            parsed,
                            &self.op.query,
                            link.as_deref(),
                            ReadFor::Client,
                        )?;
                        if self.walk.is_some() {
                            self.walked(page)?;
                        } else if self.page_of_none {
                            self.page = Some(self.none_of(page));
                        } else {
                            self.page = Some(self.cut_page(page));
                        }
                    }
                    Action::Test => self.tested = Some(self.cx.test_result(own, parsed)?),
                    Action::Delete => {}
                    _ if !own.answers_webhook() => {}
                    _ => {
                        // What an answer that cannot be passed on did show (a create's id, a
                        // secret minted) is what the change made: named by the refusal.
                        let asked = self.asked_of(own, reply.status);
                        let webhook = match self.cx.webhook_of(own, parsed, asked) {
                            Ok(answered) => {
                                if let Err(p) = self.read_whole_after(&answered) {
                                    // What it held (a rotation's new key) is named.
                                    self.result = Some(answered.webhook);
                                    return Err(p);
                                }
                                answered.webhook
                            }
                            Err(unusable) => {
                                self.result = unusable.read;
                                self.made_unnamed = unusable.made;
                                // A create answered with no webhook made says why where it
                                // has words for it (a bulk call's items refused one by one).
                                let named = unusable.made
                                    || (self.result.as_ref())
                                        .is_some_and(|w| w.text("id").is_some());
                                return Err(match self.op.action == Action::Create && !named {
                                    true => self.cx.with_words_of(unusable.problem, reply),
                                    false => unusable.problem,
                                });
                            }
                        };
                        if self.op.action == Action::Get {
                            self.cx.found_as_asked(&webhook, self.op.id.as_deref())?;
                            self.confirm_owner(own, &webhook)?;
                        } else if let Err(p) = self.answered_with_owner(own, &webhook) {
                            // What the change made is named by the refusal (a create's id).
                            self.result = Some(webhook);
                            return Err(p);
                        } else {
                            self.note_secret(&webhook);
                        }
                        if self.upserts() && reply.status == http::StatusCode::CREATED {
                            self.created = true;
                            // Made by an update, it may have a secret the vendor minted, which
                            // a create's answer would show: read where the vendor shows it.
                            let chose = self
                                .op
                                .body
                                .as_ref()
                                .is_some_and(|b| b.contains_key("secret"));
                            if let Some(i) = d.secret_resource().filter(|_| !chose)
                                && !webhook.has("secret")
                                && !self.stages.contains(&Stage::Resource(i))
                            {
                                self.stages.push_back(Stage::Resource(i));
                            }
                        }

                        // A change's answer is the webhook as a read gives it: with the parts
                        // kept at resources read with a webhook, which the vendor's answer
                        // leaves out.
                        let changed = !matches!(self.op.action, Action::Get | Action::Create);
                        if changed && d.resources.iter().any(|r| r.read_with_webhook) {
                            self.take_whole(webhook.into_map());
                        } else {
                            self.result = Some(webhook);
                        }
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
                    self.resource_read_first(i, fields)?;
                } else {
                    self.merge_into_result(fields);
                }
                Ok(())
            }
            Stage::ResourceWrite(i) => {
                let body = self.cx.read_plain(reply)?;
                self.wrote = true;
                let r = &d.resources[i];
                let verb = self.change_of(i).verb;
                let endpoint = r
                    .endpoint(verb)
                    .expect("a change's verb is chosen among the endpoints its resource has");
                // The vendor's answer, where it holds the resource, is what the resource now
                // is; else what the change is known to have left, or a read after it.
                match self.cx.resource_answered(r, endpoint, body)? {
                    Some(answered) => self.merge_into_result(answered),
                    None => self.resource_written(i),
                }
                // The answer is the webhook, not only the resource's part of it: where no call
                // so far answered the webhook (an update of the resource alone), it is read.
                let whole = self.result.as_ref().is_some_and(|w| w.has("id"));
                if !whole && !self.stages.contains(&Stage::Webhook) {
                    self.stages.push_back(Stage::Webhook);
                }
                Ok(())
            }
        }
    }

    /// The endpoint of the verb that sets `enabled` as the plan asks.
    fn switch_endpoint(&self) -> Result<&'a Endpoint, Problem> {
        match self.switch {
            Some(true) => self.endpoint(Action::Enable),
            _ => self.endpoint(Action::Disable),
        }
    }

    /// Keeps the secret a change's answer shows, which wins over what a later read shows of it.
    fn note_secret(&mut self, answer: &Members) {
        if let Some(secret) = answer.str("secret") {
            self.shown_secret = Some(Box::new(Value::from(secret.into_owned())));
        }
    }

    /// The webhook answered whole (by a read, or by a verb that answers it): what only earlier
    /// answers showed is kept, and the resources read with a webhook are read too. A secret a
    /// change's answer showed is kept in place of the one the read shows: a vendor shows a
    /// new secret once, and a read after shows it masked, or the one before. Every other
    /// member is the read's: the read is the vendor's state after the change.
    fn take_whole(&mut self, mut webhook: Map<String, Value>) {
        if let Some(secret) = &self.shown_secret {
            webhook.insert("secret".to_owned(), (**secret).clone());
        }
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
            // (Not one this plan writes: what it writes is known once written.)
            let planned = [Stage::Resource(i), Stage::ResourceWrite(i)];
            if r.read_with_webhook && !known && !planned.iter().any(|s| self.stages.contains(s)) {
                self.stages.push_front(Stage::Resource(i));
            }
        }
        self.result = Some(webhook.into());
    }

    /// Whether an update of an unknown webhook creates it by the upstream's own call: where
    /// the upstream creates it as the client's vendor would (under the id asked for, or under
    /// one it mints).
    fn upserts(&self) -> bool {
        self.op.upsert.is_some() && self.own.and_then(|o| o.upsert) == self.op.upsert
    }

    /// After a write of resource `i` whose answer held nothing of it: its fields as the vendor
    /// shows them, where the change says them whole and the vendor's answers show nothing the
    /// change cannot tell; else, where the resource can be read, as a read after the write
    /// shows them. A value only the request carried (a write-only flag, a header value the
    /// vendor hides) is never shown: a read would not show it.
    fn resource_written(&mut self, i: usize) {
        let r = &self.cx.dialect.resources[i];
        let change = self.change_of(i);
        // A member only answers hold (a key the vendor makes when a flag is set) is known
        // only to a read; the names of the headers the vendor hides are listed as it would.
        let untold = (r.fields.rules.iter()).any(|rule| {
            rule.response && !rule.request && rule.is_placed() && !r.fields.lists_hidden(rule)
        });
        match resource_after(change) {
            _ if untold && r.get.is_some() => self.stages.push_front(Stage::Resource(i)),
            Some(mut after) => {
                r.fields.relist_changed(&mut after, &change.part);
                let shown = r.fields.as_answered(&after);
                self.merge_into_result(shown);
            }
            None if r.get.is_some() => self.stages.push_front(Stage::Resource(i)),
            None => {}
        }
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

    /// The client's preconditions, held against the webhook as it was read: a change made
    /// from another version of it is refused before anything changes.
    fn hold_preconditions(&self) -> Result<(), Problem> {
        let Some(current) = &self.current else {
            return Ok(());
        };
        let id = self.op.id.as_deref().unwrap_or_default();
        self.op
            .preconditions
            .iter()
            .try_for_each(|p| p.check(current, id))
    }

    /// Refuses a change that would leave a webhook the client's API could not answer
    /// (`Operation::answer_check`): known once the webhook is read, before anything changes,
    /// where the answer's refusal would come after the change was made.
    fn check_answer(&self) -> Result<(), Problem> {
        let (Some(check), Some(change), Some(current)) =
            (&self.op.answer_check, &self.checked_change, &self.current)
        else {
            return Ok(());
        };
        let mut left = model::apply_update(current, change, self.op.mode);
        if let Some(enabled) = self.switch {
            left.insert("enabled".into(), Value::Bool(enabled));
        }
        // What the upstream derives from what the change names: a status from `enabled`,
        // which the webhook as read holds as it was before the change.
        if change.contains_key("enabled") || self.switch.is_some() {
            self.cx.dialect.webhook.settle_status(&mut left);
        }
        (check.0)(&left)
    }

    /// After the webhook was read first: a toggle, or an update that switches event types
    /// one by one, becomes the update it means, and an update's body is computed.
    fn after_current(&mut self) -> Result<(), Problem> {
        if self.op.action == Action::Update && self.op.switched.is_empty() {
            self.check_answer()?;
        }
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
            self.check_answer()?;
            self.stages.extend(rest);
            return Ok(());
        }
        if self.op.action == Action::Test {
            return Ok(()); // the current webhook fills `{{current.*}}`
        }
        if self.op.action == Action::Delete {
            // A client whose vendor deletes only a disabled webhook is refused an enabled one
            // that it could disable here.
            let d = self.cx.dialect;
            let can_disable = d.webhook.carries("enabled", Action::Update)
                || d.operation(Action::Disable).is_some();
            if self.op.disabled_only
                && current.get("enabled") == Some(&Value::Bool(true))
                && can_disable
            {
                return Err(model::enabled_not_deleted(
                    self.op.id.as_deref().unwrap_or_default(),
                ));
            }
            return Ok(());
        }
        let Some(parts) = self.update.as_mut() else {
            return Ok(());
        };
        let d = self.cx.dialect;
        let own = self
            .own
            .expect("an update's parts are laid out after its endpoint was set as `own`");
        let merge_patch = own.strategy == Strategy::MergePatch;
        let mode = (self.op.mode, merge_patch);
        let held = self.dropped.len();
        self.cx.merges_into_unread(
            current,
            &mut parts.main,
            mode,
            self.op.lenient,
            &mut self.dropped,
        )?;
        if self.dropped.len() > held {
            // Left out (lenient): what is sent is the rest of the change alone.
            parts.written =
                self.cx
                    .write(&d.webhook, Action::Update, &parts.main, self.op.lenient)?;
        }
        let parts = &*parts;
        let body = if parts.main.is_empty() {
            None
        } else if own.strategy == Strategy::ReadMergeWrite
            || parts.whole
            || self.cx.needs_current(&parts.main, mode, false)
        {
            self.cx.merged_body(
                current,
                &parts.main,
                mode,
                &parts.written.body,
                parts.whole,
                self.doubts.as_deref(),
            )?
        } else {
            Some(parts.written.body.clone())
        };
        if let Some(body) = &body {
            // A body that is the whole webhook (a vendor's PUT) holds every member the vendor
            // requires: one it never shows (a passcode) must come from the client.
            let extent = Extent::of_update(parts.whole, merge_patch);
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
                    || self.created
                    || (action == Action::RotateSecret && self.chosen_secret().is_none());
                if !(self.op.reveal_secret || minted) {
                    model::withhold_secret(&mut webhook);
                }
                // A read of the secret at a vendor that has no resource for it: the webhook's
                // own read shows it, or the gateway kept the one the vendor showed once; else
                // no one knows it.
                let elsewhere = self.cx.dialect.secret_resource().is_some();
                if self.op.reveal_secret && !elsewhere && !webhook.has("secret") {
                    let kept = self.cx.kept_secret.ok_or_else(|| self.secret_unknown())?;
                    webhook.push("secret", model::Slot::Value(Value::from(kept)));
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
fn named_as_sent(own: &Endpoint, problem: Problem) -> Problem {
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
    let mut errors = problem.errors.clone();
    let mut renamed = false;
    for e in &mut errors {
        if let Some((_, sent)) = names.iter().find(|(vendor, _)| *vendor == e.field) {
            e.field = (*sent).to_owned();
            renamed = true;
        }
    }
    match renamed {
        true => problem.renamed(errors),
        false => problem,
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
