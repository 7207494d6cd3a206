//! Laying out a plan: the stages an operation takes at its vendor, chosen when the plan is
//! made from the operation and what the dialect's endpoints can do (a create's follow-up reads,
//! an update's read first, the resources a change writes).

use super::body::Extent;
use super::walk::Walk;
use super::{Plan, ResourceChange, Stage, UpdateParts};
use crate::mapping::checks::Check;
use crate::mapping::model::{Endpoint, FollowUp, OneRead, ResourceVerb, Role, Strategy};
use crate::model::{self, Action, UpdateMode, Upsert};
use crate::problem::{Code, FieldError, Problem};
use serde_json::{Map, Value};

impl<'a> Plan<'a> {
    pub(super) fn lay_out(&mut self) -> Result<(), Problem> {
        self.open_part_way();
        self.check_scope()?;
        let d = self.cx.dialect;
        match self.op.action {
            Action::List => {
                let own = self.endpoint(Action::List)?;
                self.own = Some(own);
                self.cut_from_whole(own)?;
                if let Some(skip) = self.op.query.skip.take() {
                    // The client's page is gathered from the vendor's pages, asked for as large
                    // as the vendor serves them (its declared largest), so that a walk makes
                    // as few calls as it can; of a vendor that names no next page, whole. A
                    // vendor that takes no page size is asked for none, and a page of it that
                    // holds fewer than the client's is not taken for its last.
                    let want = self.op.query.limit;
                    self.op.query.limit = match own.max_limit {
                        _ if own.param_of("limit").is_none() => None,
                        Some((max, _)) => Some(max),
                        None if !own.names_next_page() => None,
                        None => want.map(|w| w.max(own.min_limit)),
                    };
                    let cuts = !own.names_next_page();
                    self.walk = Some(Box::new(Walk::new(*skip, want, cuts)));
                } else {
                    self.cut_pages(own);
                }
                self.stages.push_back(Stage::Own);
            }
            Action::Delete => {
                let own = self.endpoint(Action::Delete)?;
                self.own = Some(own);
                // A client whose vendor answers the webhook it deleted, or deletes only a
                // disabled one: read before it goes.
                if self.op.answer_deleted || self.op.disabled_only || own.needs_current {
                    self.stages.push_back(Stage::Current);
                }
                // A vendor that deletes only a disabled webhook: disabled first.
                if own.disable_first {
                    self.switch = Some(false);
                    self.stages.push_back(Stage::Switch);
                }
                self.stages.push_back(Stage::Own);
            }
            Action::Get => {
                match d.one_read() {
                    // No call of its own: the webhook is read from the list, as every read of
                    // one is.
                    Some(OneRead::List(_)) => self.stages.push_back(Stage::Webhook),
                    _ => {
                        self.own = Some(self.endpoint(Action::Get)?);
                        self.stages.push_back(Stage::Own);
                    }
                }
                // The resources read with the webhook, and those holding a field the client
                // reads besides it (a surface's read of a resource of its vendor's).
                for (i, r) in d.resources.iter().enumerate() {
                    let asked = r.get.is_some() && self.op.reads.iter().any(|f| r.holds(f));
                    if r.read_with_webhook || asked {
                        self.stages.push_back(Stage::Resource(i));
                    }
                }
                if self.op.reveal_secret {
                    self.read_secret();
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
                self.read_first_for(own);
                self.stages.push_back(Stage::Own);
                self.follow_ups(own);
            }
            Action::Toggle => match d.operation(Action::Toggle) {
                Some(own) => {
                    self.own = Some(own);
                    self.read_first_for(own);
                    self.stages.push_back(Stage::Own);
                    self.follow_ups(own);
                }
                // Flipped through `update` once the webhook is read.
                None => self.stages.push_back(Stage::Current),
            },
            action @ (Action::Enable | Action::Disable) => match d.operation(action) {
                Some(own) => {
                    self.own = Some(own);
                    self.read_first_for(own);
                    self.stages.push_back(Stage::Own);
                    self.follow_ups(own);
                }
                // Elsewhere, the update it means.
                None => {
                    let mut patch = Map::new();
                    patch.insert("enabled".into(), Value::Bool(action == Action::Enable));
                    self.op.action = Action::Update;
                    self.op.body = Some(patch);
                    self.op.mode = UpdateMode::Merge;
                    self.lay_out_update()?;
                }
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
        // A client's precondition (its vendor's version header) is held against the webhook
        // as it is, read before anything changes: the read a body or header needs anyway, else
        // one of its own.
        if !self.op.preconditions.is_empty()
            && self.op.action.has_id()
            && !self.stages.contains(&Stage::Current)
        {
            self.stages.push_front(Stage::Current);
        }
        // A change held to what the client's API can show is held to it before it is made:
        // the webhook it would leave is known once the webhook as it is has been read.
        if self.checked_change.is_some() && !self.stages.contains(&Stage::Current) {
            self.stages.push_front(Stage::Current);
        }
        self.confirm_scope_first()
    }

    /// The read first that an endpoint's `{{current.*}}` (in its body or a header) needs.
    fn read_first_for(&mut self, own: &Endpoint) {
        if own.needs_current && !self.stages.contains(&Stage::Current) {
            self.stages.push_back(Stage::Current);
        }
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

    /// `enabled`, where the vendor sets it by verbs of its own rather than in the webhook's
    /// body (Okta's `lifecycle/activate` and `lifecycle/deactivate`): taken out of the change,
    /// to be set by the verb once the rest is made (a `Switch` stage).
    fn enabled_by_verb(&mut self, body: &mut Map<String, Value>, action: Action) {
        let d = self.cx.dialect;
        // Most vendors have no such verbs: asked first, before the body is looked into.
        if d.operation(Action::Enable).is_none() && d.operation(Action::Disable).is_none() {
            return;
        }
        let Some(wanted) = body.get("enabled").and_then(Value::as_bool) else {
            return;
        };
        let verb = if wanted {
            Action::Enable
        } else {
            Action::Disable
        };
        if d.webhook.carries("enabled", action) || d.operation(verb).is_none() {
            return;
        }
        body.shift_remove("enabled");
        self.switch = Some(wanted);
    }

    /// The resource that shows the signing secret, if the vendor has one.
    fn lay_out_create(&mut self) -> Result<(), Problem> {
        let own = self.endpoint(Action::Create)?;
        self.own = Some(own);
        // Taken, not copied: nothing reads the client's body again once it is laid out.
        let mut body = self.op.body.take().unwrap_or_default();
        model::check_body(Action::Create, &body)?;
        self.enabled_by_verb(&mut body, Action::Create);
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
        if self.switch.is_some() {
            self.stages.push_back(Stage::Switch);
        }
        self.follow_ups(own);
        // A secret the vendor minted is shown once, where it can be read: read right after
        // the create, so that a later part of the change that fails (a resource's write) is
        // refused with it, as the webhook made, rather than lose it.
        if !names_secret
            && let Some(i) = self.cx.dialect.secret_resource()
            && !self.stages.contains(&Stage::Resource(i))
        {
            let after_create = self.stages.iter().position(|s| *s == Stage::Own);
            let at = after_create.map_or(self.stages.len(), |own| own + 1);
            self.stages.insert(at, Stage::Resource(i));
        }
        Ok(())
    }

    /// The stage that reads the webhook's secret, where its vendor shows it again (a resource
    /// of its own). Elsewhere the webhook's read is the read of its secret: the vendor shows
    /// it on every read, or the gateway kept the one the vendor showed once, or no one knows
    /// it, which the plan's end says once the webhook is found.
    fn read_secret(&mut self) {
        if let Some(shown) = self.cx.dialect.secret_resource()
            && !self.stages.contains(&Stage::Resource(shown))
        {
            self.stages.push_back(Stage::Resource(shown));
        }
    }

    /// Refuses a change that clears (`null`) a member the vendor requires, before anything is
    /// read: merged into what the vendor holds, it would be a member left out, and the refusal
    /// would say it is missing although the client sent it.
    fn no_required_cleared(&self, patch: &Map<String, Value>) -> Result<(), Problem> {
        let required = (self.cx.dialect.webhook.rules.iter()).filter(|r| {
            r.request && r.applies_to(Action::Update) && r.checks.contains(&Check::Required)
        });
        let cleared: Vec<FieldError> = required
            .filter(|r| r.target.get(patch).is_some_and(Value::is_null))
            .map(|r| {
                FieldError::new(
                    r.target.name(),
                    "cannot be cleared: the upstream requires it",
                )
            })
            .collect();
        match cleared.is_empty() {
            true => Ok(()),
            false => Err(Problem::validation(cleared)),
        }
    }

    /// An update's stages. Where the client's vendor creates an unknown id under a new one
    /// and the upstream does so only by its create, what the update would be refused for
    /// (a member a whole replacement would reset) is said once the webhook is found: an
    /// unknown one is created instead, and the create's own checks hold.
    pub(super) fn lay_out_update(&mut self) -> Result<(), Problem> {
        let kept = self
            .creates_by_create()
            .then(|| self.op.body.clone())
            .flatten();
        match self.lay_out_update_of(kept.clone()) {
            Err(p) if kept.is_some() => {
                self.stages.clear();
                self.refused_if_found = Some(Box::new(p));
                self.creates_instead = kept.map(Box::new);
                self.stages.push_back(Stage::Current);
                Ok(())
            }
            laid_out => laid_out,
        }
    }

    /// A clear (`null`) of a field the upstream has no place for at all is refused as any
    /// member it cannot carry is ("not supported by upstream …"), before whether the field
    /// may be cleared is asked: the lack is the upstream's, not the client's value. With
    /// lenient handling it is dropped, and listed.
    fn unheld_clears(&self, patch: &mut Map<String, Value>) -> Result<Vec<String>, Problem> {
        let d = self.cx.dialect;
        let named: Vec<String> = (patch.iter())
            .filter(|(name, value)| value.is_null() && d.holds_nowhere(name))
            .map(|(name, _)| name.clone())
            .collect();
        if named.is_empty() {
            return Ok(named);
        }
        if !self.op.lenient {
            let why = format!("not supported by upstream {}", self.cx.upstream);
            let errors = named.iter().map(|n| FieldError::new(n, &why)).collect();
            return Err(Problem::with_errors(Code::UnsupportedField, errors));
        }
        for name in &named {
            patch.shift_remove(name);
        }
        Ok(named)
    }

    /// Whether an unknown id is created by the upstream's create: the client's vendor mints
    /// a new id, the upstream's update does not, and the upstream has a create.
    fn creates_by_create(&self) -> bool {
        let d = self.cx.dialect;
        let own = match (self.op.mode, d.endpoint(Role::Replace)) {
            (UpdateMode::Replace, Some(replace)) => Some(replace),
            _ => d.operation(Action::Update),
        };
        self.op.upsert == Some(Upsert::NewId)
            && own.is_some_and(|o| o.upsert != Some(Upsert::NewId))
            && d.operation(Action::Create).is_some()
    }

    fn lay_out_update_of(&mut self, kept: Option<Map<String, Value>>) -> Result<(), Problem> {
        // Taken, not copied: nothing reads the client's body again once it is laid out (but
        // for a create in its place, `kept`).
        let mut patch = self.op.body.take().unwrap_or_default();
        let mut dropped = self.unheld_clears(&mut patch)?;
        model::check_body(Action::Update, &patch)?;
        if self.op.answer_check.is_some() {
            self.checked_change = Some(Box::new(patch.clone()));
        }
        self.enabled_by_verb(&mut patch, Action::Update);
        // Before anything is read: a refused URL never reaches the upstream in any form.
        if let Err(refusal) = self.cx.url_policy.check_webhook(&patch) {
            return Err(Problem::validation(vec![refusal.field_error()]));
        }
        let mode = self.op.mode;
        // (A full replacement's `null` is a member it leaves out, refused as missing.)
        if mode != UpdateMode::Replace {
            self.no_required_cleared(&patch)?;
        }
        let d = self.cx.dialect;
        // The vendor's update merges what it is sent into what it holds, at every depth
        // (RFC 7396), unless a full replacement of its own takes this change.
        let replaced = mode == UpdateMode::Replace && d.endpoint(Role::Replace).is_some();
        let merge_patch = !replaced
            && d.endpoint(Role::Action(Action::Update))
                .is_some_and(|e| e.strategy == Strategy::MergePatch);
        self.cx.unmergeable(
            &mut patch,
            (mode, merge_patch),
            self.op.lenient,
            &mut dropped,
        )?;
        let split = self.cx.split(Action::Update, patch);
        let own = match (mode, d.endpoint(Role::Replace)) {
            (UpdateMode::Replace, Some(replace)) => replace,
            // A change of `enabled` alone, at a vendor that sets it by verbs of its own and
            // has no update, is the verb alone.
            _ if d.operation(Action::Update).is_none()
                && split.main.is_empty()
                && self.switch.is_some() =>
            {
                self.dropped = dropped;
                return self.lay_out_switch_only(split.resources, mode);
            }
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
        if whole && !main.is_empty() {
            // A body that is the whole webhook resets what the vendor never reports back.
            let reset = self.cx.reset_by_whole(&main);
            // Lenient handling drops these: refused, they are fields the upstream cannot carry.
            if !reset.is_empty() && !self.op.lenient {
                return Err(Problem::with_errors(
                    crate::problem::Code::UnsupportedField,
                    reset,
                ));
            }
            self.dropped.extend(reset.into_iter().map(|e| e.field));
        }
        let reads_first = own.strategy == Strategy::ReadMergeWrite
            || own.needs_current
            || self.cx.needs_current(&main, (mode, merge_patch), whole);
        // A change the vendor's body cannot hold anything of (a value the vendor implies, asked
        // for as it is) changes nothing there: no empty update is sent.
        let writes_nothing =
            !reads_first && !whole && written.body.as_object().is_some_and(Map::is_empty);
        let touches_main = !main.is_empty() && !writes_nothing;
        if touches_main && reads_first {
            // The body is computed once the webhook as it is has been read (`after_current`).
            self.update = Some(UpdateParts {
                main,
                written,
                whole,
            });
            self.stages.push_back(Stage::Current);
        } else if touches_main {
            let extent = Extent::of_update(whole, merge_patch);
            self.cx
                .precheck(&d.webhook, Action::Update, &written.body, None, extent)?;
            self.own_body = Some(written.body);
        }
        if touches_main {
            self.stages.push_back(Stage::Own);
        }
        let touches_resources = !split.resources.is_empty();
        self.plan_resource_changes(split.resources, mode)?;
        let switches = self.switch.is_some();
        if switches {
            self.stages.push_back(Stage::Switch);
        }
        // Reads after the calls come last, so that they see every change made.
        if touches_main {
            self.follow_ups(own);
        }
        if !touches_main && !touches_resources && !switches {
            // Nothing to change: the webhook as it is is the answer.
            self.stages.push_back(Stage::Webhook);
        }
        self.unknown_id_first(own, kept);
        Ok(())
    }

    /// Where an update of an unknown id would do at the upstream other than the client's
    /// vendor does, the webhook is read first, and an unknown one is not changed by the
    /// upstream's own call: an upstream that creates it (under the id asked for, or under one
    /// it mints) where the client's vendor would not, or not so, answers 404 instead. A client
    /// whose vendor mints a new id has the webhook made by the upstream's create, which mints
    /// one, where there is a create (`kept` is the client's change, laid out as that create);
    /// never under the id its path named.
    fn unknown_id_first(&mut self, own: &Endpoint, kept: Option<Map<String, Value>>) {
        let asked = self.op.upsert;
        let creates_otherwise = own.upsert.is_some() && own.upsert != asked;
        let mints_by_create = asked == Some(Upsert::NewId) && own.upsert != asked;
        if !(creates_otherwise || mints_by_create) {
            return;
        }
        if mints_by_create {
            self.creates_instead = kept.map(Box::new);
        }
        if !self.stages.contains(&Stage::Current) {
            self.stages.push_front(Stage::Current);
        }
    }

    /// An update of an unknown id whose client's vendor creates it under a new id, laid out
    /// again as the upstream's create, which mints that id: the reads and writes laid out for
    /// the update are dropped, nothing having been changed yet.
    pub(super) fn lay_out_create_instead(&mut self) -> Result<(), Problem> {
        let mut update = self.creates_instead.take().map(|b| *b).unwrap_or_default();
        // A member a replacement gives no value is one a create leaves out.
        update.retain(|_, v| !v.is_null());
        let body = self.op.creating_body(update);
        self.stages.clear();
        self.changes.clear();
        self.update = None;
        self.own_body = None;
        self.switch = None;
        self.dropped.clear();
        self.checked_change = None;
        self.refused_if_found = None;
        self.op.preconditions.clear();
        self.op.action = Action::Create;
        self.op.id = None;
        self.op.mode = UpdateMode::default();
        self.op.body = Some(body);
        // A create names its owner to the vendor: the webhook it makes is the owner's.
        self.cx.owner = self.op.owner.clone();
        self.lay_out_create()
    }

    /// A change that touches nothing of the webhook's own body: its resources' parts, if any,
    /// then the verb that sets `enabled`.
    fn lay_out_switch_only(
        &mut self,
        resources: Vec<(usize, Map<String, Value>)>,
        mode: UpdateMode,
    ) -> Result<(), Problem> {
        self.plan_resource_changes(resources, mode)?;
        self.stages.push_back(Stage::Switch);
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
            // A map cleared whole (`"headers": null`) at a vendor that merges into it: each of
            // its members is removed by name, so the resource is read first to name them (an
            // empty map merged would change nothing).
            // A header merged in (`"headers": {"X-OTHER": null}`): header names compare in any
            // letter case, so where the resource can be read, it is read first, and the names
            // are sent as the vendor holds them (`X-Other`), whatever its own comparison.
            let clears_map = part
                .iter()
                .any(|(k, v)| v.is_null() && model::names_headers(k));
            let merges_map = part
                .iter()
                .any(|(k, v)| v.is_object() && model::names_headers(k));
            let reads_names = clears_map || (merges_map && r.get.is_some());
            let (verb, needs_current) = match (mode, r.update.is_some(), r.replace.is_some()) {
                (UpdateMode::Merge, true, _) => (ResourceVerb::Update, reads_names),
                (UpdateMode::Merge, false, true) => (ResourceVerb::Replace, true),
                (_, _, true) => (ResourceVerb::Replace, false),
                (_, true, false) => (ResourceVerb::Update, true),
                (_, false, false) => unreachable!("only writable resources hold a change"),
            };
            // A whole value replaces headers the vendor holds but never shows: read first, to
            // know which, so that none is removed that the client never named (a webhook
            // being created holds none yet).
            let lists_hidden = (r.fields.rules.iter())
                .any(|rule| rule.hidden.as_ref().is_some_and(|h| h.listed_in.is_some()));
            let replaces_held = verb == ResourceVerb::Replace && self.op.action != Action::Create;
            let needs_current = needs_current || (replaces_held && lists_hidden && r.get.is_some());
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
            // Every check of the change is made before the plan's first write: where it
            // depends on the resource as it is, that is read before anything changes (but for
            // the resource of a webhook a create makes, which only the create brings about:
            // there what the resource cannot carry at all is refused now).
            let exists = self.op.action != Action::Create;
            if needs_current && exists {
                let first_write = self.stages.iter().position(|s| {
                    matches!(s, Stage::Own | Stage::ResourceWrite(_) | Stage::Switch)
                });
                let at = first_write.unwrap_or(self.stages.len());
                self.stages.insert(at, Stage::CurrentResource(i));
            } else if needs_current {
                let whole = super::request::cleared_as_empty(&r.fields, part.clone());
                self.cx.write(&r.fields, Action::Update, &whole, false)?;
                self.stages.push_back(Stage::CurrentResource(i));
            }
            self.stages.push_back(Stage::ResourceWrite(i));
            self.changes.push(ResourceChange {
                resource: i,
                verb,
                mode,
                part,
                current: None,
                body: None,
            });
            if !needs_current {
                let body = self.resource_body(i)?;
                self.change_of_mut(i).body = Some(body);
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------------ requests
}

impl Plan<'_> {
    /// The page size asked of the vendor for a client's `limit`: at most the size asked for
    /// (of a vendor that serves smaller pages, its largest, and the next page continues where
    /// it ends), and never less than the vendor serves (of a vendor whose smallest page is
    /// larger, its smallest, from which the client's page is cut: [`Plan::cut_page`]). A page
    /// of none is asked as the vendor's smallest, of which none is shown ([`Plan::none_of`]).
    pub(super) fn page_size(&mut self, own: &Endpoint, limit: u64) -> u64 {
        let limit = own
            .max_limit
            .as_ref()
            .map_or(limit, |(max, _)| limit.min(*max));
        if limit == 0 && own.min_limit > 0 {
            self.page_of_none = true;
        }
        limit.max(own.min_limit)
    }

    /// A page asked of a vendor that answers every webhook at once (its list names no next
    /// page): a page size, or a cursor a page cut so gave, is honoured by cutting the page
    /// from the vendor's answer (`walk`) rather than ignored, so that a client never takes
    /// the whole list for the page it asked for. A cursor that no such page gave, for this
    /// very list, is refused on the cursor: read as the first page, it would have a client
    /// page forever.
    fn cut_from_whole(&mut self, own: &Endpoint) -> Result<(), Problem> {
        let query = &self.op.query;
        if own.names_next_page() || query.skip.is_some() {
            return Ok(());
        }
        let skip = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
            Some(cursor) => model::Skip::resumed(&self.listing(), cursor).ok_or_else(|| {
                Problem::validation(vec![FieldError::in_query(
                    "cursor",
                    format!("`{cursor}` is not a cursor this list gave"),
                )])
            })?,
            None if query.limit.is_some() => model::Skip::Items(0),
            None => return Ok(()),
        };
        self.op.query.cursor = None;
        self.op.query.skip = Some(Box::new(skip));
        Ok(())
    }
}
