//! A stage's vendor request: the endpoint's method, path, query, headers and body written from
//! the operation and what earlier answers said.

use super::body::Extent;
use super::{Plan, ResourceChange, Stage};
use crate::exchange::{Purpose, VendorRequest};
use crate::mapping::checks::{Check, JsonType};
use crate::mapping::model::{
    Endpoint, FollowUp, OneRead, ResourceEndpoint, ResourceVerb, Role, Strategy,
};
use crate::mapping::rules::ObjectMap;
use crate::mapping::template::Slots;
use crate::model::{self, Action, Object, UpdateMode};
use crate::problem::{FieldError, Problem};
use serde_json::{Map, Value};
use std::borrow::Cow;

impl<'a> Plan<'a> {
    /// The request of a stage; `None` when the stage turns out to be needless.
    pub(super) fn request(&mut self, stage: Stage) -> Result<Option<VendorRequest>, Problem> {
        let d = self.cx.dialect;
        match stage {
            Stage::Scope | Stage::Current => self.read_request(stage, Purpose::Read).map(Some),
            Stage::Webhook => {
                // (A read under way through the list is needed: it has found nothing yet.)
                if self.find.is_none() && self.read_needless() {
                    return Ok(None);
                }
                // A canonical get read from the list: the read is the operation's own request.
                let purpose = match (self.op.action, self.own) {
                    (Action::Get, None) => Purpose::Write,
                    _ => Purpose::FollowUp,
                };
                self.read_request(stage, purpose).map(Some)
            }
            Stage::Own => {
                let own = self
                    .own
                    .expect("the own stage is queued only where `own` was set just before");
                if self.op.action == Action::Update && self.own_body.is_none() {
                    return Ok(None); // nothing changed at the webhook itself
                }
                self.addressed(stage, || own.names_id())?;
                self.guarded(own)?;
                let purpose = Purpose::Write;
                // Taken, not copied: a plan writes its webhook once (a retry resends the
                // request's bytes, not the plan's stage).
                let mut body = self.own_body.take();
                if own.strategy == Strategy::JsonPatch
                    && let Some(members) = body.take()
                {
                    body = Some(crate::mapping::patch::ops(
                        &d.webhook,
                        members,
                        own.patch_ops,
                    ));
                }
                Ok(Some(self.call(own, body, purpose)))
            }
            Stage::Switch => {
                // Needless where the webhook is so already, as far as an answer says.
                let known = match &self.result {
                    Some(w) => w.boolean("enabled"),
                    None => self.current.as_ref().and_then(|c| c.boolean("enabled")),
                };
                if known.is_some() && known == self.switch {
                    return Ok(None);
                }
                let verb = self.switch_endpoint()?;
                self.addressed(stage, || verb.names_id())?;
                self.guarded(verb)?;
                // A delete disabled first: the delete's own precondition is held before the
                // webhook is disabled, not after.
                if self.op.action == Action::Delete
                    && let Some(own) = self.own
                {
                    self.guarded(own)?;
                }
                Ok(Some(self.call(verb, None, Purpose::Write)))
            }
            Stage::CurrentResource(i) | Stage::Resource(i) => {
                let r = &d.resources[i];
                let Some(get) = &r.get else { return Ok(None) };
                self.addressed(stage, || true)?; // a resource's path names the webhook's id
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
                self.addressed(stage, || true)?;
                // Made when the plan was laid out or the resource read, where it could be; else
                // (a resource read back from the webhook a create made) only now.
                let ready = self.change_of_mut(i).body.take();
                let body = match ready {
                    Some(body) => body,
                    None => self.resource_body(i)?,
                };
                let change = self.change_of(i);
                let r = &d.resources[i];
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

    /// The request of a read of one webhook: its `get`, or the next page of its list.
    fn read_request(&mut self, stage: Stage, purpose: Purpose) -> Result<VendorRequest, Problem> {
        match self.one_read()? {
            OneRead::Get(get) => {
                self.addressed(stage, || get.names_id())?;
                Ok(self.call(get, None, purpose))
            }
            OneRead::List(list) => {
                // The list names no id, but the webhook is looked for by one.
                self.addressed(stage, || true)?;
                let query = self.finding(list);
                Ok(self.call_paged(list, None, purpose, &query))
            }
        }
    }

    pub(super) fn call(
        &self,
        endpoint: &Endpoint,
        body: Option<Value>,
        purpose: Purpose,
    ) -> VendorRequest {
        self.call_paged(endpoint, body, purpose, &self.op.query)
    }

    /// A call, a list's page asked as `query` says.
    fn call_paged(
        &self,
        endpoint: &Endpoint,
        body: Option<Value>,
        purpose: Purpose,
        query: &crate::model::ListQuery,
    ) -> VendorRequest {
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
            limit: query.limit,
            cursor: query.cursor.as_deref(),
            order: endpoint
                .order
                .as_ref()
                .zip(query.order)
                .map(|(ordering, order)| ordering.spell(order)),
            owner: self.op.owner.as_deref(),
            id: id.as_deref(),
            body_id: id.as_deref().map(|id| d.webhook.spelt("id", id)),
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
        // A precondition's header names the webhook as last known: after a change made here,
        // the one the change answered (a verb called after an update), else the one read.
        let latest = self.latest_for(endpoint);
        let header_slots = LatestSlots {
            slots: &slots,
            latest: latest.as_ref(),
        };
        // A value that cannot be a header's was refused with the owner (`check_scope`).
        let headers = endpoint
            .headers
            .iter()
            .filter_map(|(name, template)| {
                let value = match template.render(&header_slots)? {
                    Value::String(s) => http::HeaderValue::try_from(s).ok()?,
                    other => http::HeaderValue::try_from(other.to_string()).ok()?,
                };
                Some((name.clone(), value))
            })
            .collect();
        let payload = match &endpoint.body {
            // The webhook as the whole body, the usual template: handed over, not copied.
            Some(template) if template.is_slot("webhook") => body,
            Some(template) => template.render(&BodySlots(&slots)),
            None => None,
        };
        VendorRequest {
            headers,
            // A call the vendor makes once under the client's key may be sent again: a create
            // (whose key may be in its body), and any POST where the key is a header of the
            // vendor's, which it is sent on every call.
            repeatable: endpoint.method.is_idempotent()
                || (self.cx.idempotency_key.is_some()
                    && (endpoint.role == Role::Action(Action::Create)
                        || (endpoint.method == http::Method::POST
                            && self.cx.dialect.idempotency_key.is_some()))),
            method: endpoint.method.clone(),
            path,
            body: payload,
            content_type: endpoint.content_type.clone(),
            purpose,
            label: endpoint.name().to_owned(),
        }
    }

    /// The webhook after a change this plan made, where an endpoint's precondition headers
    /// need it and the change's answer holds their fields; `None`: the webhook read first.
    fn latest_for(&self, endpoint: &Endpoint) -> Option<Map<String, Value>> {
        if endpoint.guards.is_empty() || !self.wrote {
            return None;
        }
        let after = self.result.clone()?.into_map();
        let holds =
            |g: &crate::mapping::model::Guard| model::field_value(&after, &g.field).is_some();
        endpoint.guards.iter().all(holds).then_some(after)
    }

    /// Refuses to send an endpoint whose precondition header would be empty: the webhook as
    /// known holds no value of its field, and a header made up would claim a version nobody
    /// read.
    fn guarded(&self, endpoint: &Endpoint) -> Result<(), Problem> {
        if endpoint.guards.is_empty() {
            return Ok(());
        }
        let latest = self.latest_for(endpoint);
        let Some(known) = latest.as_ref().or(self.current.as_ref()) else {
            return match endpoint.guards.first() {
                Some(g) => Err(self.unguarded(endpoint, g)),
                None => Ok(()),
            };
        };
        for g in &endpoint.guards {
            if model::field_value(known, &g.field).is_none_or(Value::is_null) {
                return Err(self.unguarded(endpoint, g));
            }
        }
        Ok(())
    }

    /// Whether the webhook read after a change is needless: the operation's own answer held it,
    /// nothing changed it since, and the operation's endpoint declares no read after it. A
    /// declared read (`then = ["get"]`) is always made: the file says the answer is not the
    /// whole webhook (Cloudflare's create answers `{"result": {"id": …}}` alone), and what the
    /// read gives completes it.
    fn read_needless(&self) -> bool {
        let held = self.result.as_ref().is_some_and(|w| w.has("id"));
        held && self.own_answered() && !self.stale && !self.reads_declared()
    }

    /// Whether the operation's endpoint declares a read of the webhook after it
    /// (`then = ["get"]`).
    fn reads_declared(&self) -> bool {
        self.own
            .is_some_and(|o| o.then.contains(&FollowUp::Webhook))
    }

    /// Whether a read of the webhook is still to be made that will be, whatever the answers
    /// before it held ([`Self::read_needless`]): one the file declares, or one after an answer
    /// that held the webhook in part or not at all.
    pub(super) fn read_follows(&self) -> bool {
        (self.reads_declared() || self.stale) && self.stages.contains(&Stage::Webhook)
    }

    /// Refuses to send a call that names the webhook by its id where no id is known: the
    /// vendor's answer to a change named none, and the call would go to the path without it
    /// (`…/webhooks/`, the list at many vendors). The change was made, and the refusal says so.
    fn addressed(&self, stage: Stage, names_id: impl FnOnce() -> bool) -> Result<(), Problem> {
        // Looked at where it lies, the asked id first: the usual call names one.
        let known = match self.op.id.as_deref() {
            Some(id) => !id.is_empty(),
            None => (self.result.as_ref())
                .and_then(|w| w.str("id"))
                .is_some_and(|id| !id.is_empty()),
        };
        if known || !names_id() {
            return Ok(());
        }
        let problem = self.cx.malformed(
            "an answer that names no id of the webhook, which the call after it names: that call was not sent",
            None,
        );
        Err(self.annotated(problem, stage))
    }

    fn unguarded(&self, endpoint: &Endpoint, g: &crate::mapping::model::Guard) -> Problem {
        Problem::new(
            crate::problem::Code::UpstreamError,
            format!(
                "upstream {} answered webhook {} without `{}`, which its `{}` sends in `{}`: the call was not made",
                self.cx.upstream,
                self.op.id.as_deref().unwrap_or_default(),
                g.field,
                endpoint.name(),
                g.header,
            ),
        )
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
    /// Refuses a whole value of a resource that leaves out a header the vendor holds but never
    /// shows (its `hidden` names, listed in the resource as read): replaced, it would be
    /// removed although the client never named it, and its value cannot be kept, for no read
    /// shows it. Named, it is kept or changed; removed by name in a merge.
    fn hidden_kept(
        &self,
        r: &crate::mapping::model::Resource,
        change: &ResourceChange,
    ) -> Result<(), Problem> {
        let Some(current) = &change.current else {
            return Ok(());
        };
        let mut refused = Vec::new();
        // What the client named: a header it sets, or (in a merge) removes.
        let named = change.part.iter().filter(|(k, _)| model::names_headers(k));
        for (member, value) in named {
            let named = |header: &str| {
                value
                    .as_object()
                    .is_some_and(|m| m.keys().any(|k| k.eq_ignore_ascii_case(header)))
            };
            for header in r.fields.hidden_names(current) {
                if !named(&header) {
                    refused.push(FieldError::new(
                        member.clone(),
                        format!(
                            "would remove header `{header}`, which upstream {} holds and never shows: name it to keep or change it, or remove it by name alone",
                            self.cx.upstream
                        ),
                    ));
                }
            }
        }
        match refused.is_empty() {
            true => Ok(()),
            false => Err(Problem::validation(refused)),
        }
    }

    pub(super) fn change_of(&self, i: usize) -> &ResourceChange {
        self.changes
            .iter()
            .find(|c| c.resource == i)
            .expect("a resource write is queued together with its change")
    }

    pub(super) fn change_of_mut(&mut self, i: usize) -> &mut ResourceChange {
        self.changes
            .iter_mut()
            .find(|c| c.resource == i)
            .expect("a resource write is queued together with its change")
    }

    /// The vendor's body of the change to resource `i`, as its verb takes it, refused where
    /// the resource cannot carry it or its vendor's constraints refuse it.
    pub(super) fn resource_body(&self, i: usize) -> Result<Value, Problem> {
        let change = self.change_of(i);
        let r = &self.cx.dialect.resources[i];
        let part = cleared_as_empty(&r.fields, resource_part(&r.fields, change));
        if change.verb == ResourceVerb::Replace {
            self.hidden_kept(r, change)?;
        }
        let body = self.cx.write(&r.fields, Action::Update, &part, false)?.body;
        let extent = match change.verb {
            ResourceVerb::Update => Extent::Merge,
            _ => Extent::Part,
        };
        self.cx
            .precheck(&r.fields, Action::Update, &body, None, extent)?;
        Ok(body)
    }

    /// Resource `i` read before the change to it: the change's body is made and checked now,
    /// before the plan's first write.
    pub(super) fn resource_read_first(
        &mut self,
        i: usize,
        fields: Map<String, Value>,
    ) -> Result<(), Problem> {
        self.change_of_mut(i).current = Some(fields);
        let body = self.resource_body(i)?;
        self.change_of_mut(i).body = Some(body);
        Ok(())
    }

    /// The webhook turned out not to exist (an update that creates it): its resources hold
    /// nothing to read first, and each change's body is made from nothing.
    pub(super) fn resources_of_none(&mut self) -> Result<(), Problem> {
        let reads: Vec<usize> = (self.stages.iter())
            .filter_map(|s| match s {
                Stage::CurrentResource(i) => Some(*i),
                _ => None,
            })
            .collect();
        self.stages
            .retain(|s| !matches!(s, Stage::CurrentResource(_)));
        for i in reads {
            self.resource_read_first(i, Map::new())?;
        }
        Ok(())
    }

    // ------------------------------------------------------------------ answers
}

/// A resource change's part as the vendor's verb takes it: a merge patch for `update`, the
/// whole value for `replace`, computed from the resource as it is where the verb and the
/// change's mode differ.
fn resource_part(fields: &ObjectMap, change: &ResourceChange) -> Map<String, Value> {
    let mode = change.mode;
    // A merge sent as one names the headers the vendor hides as it names the others: merged
    // into the map as it is held, so that one it removes by name is removed under the name the
    // vendor holds it by, and one it does not name is left as it is. (A whole value sent to
    // `replace` never holds them: `hidden_kept` refuses one that would drop them unnamed.)
    let held = (change.current.as_ref())
        .filter(|_| mode == UpdateMode::Merge && change.verb == ResourceVerb::Update)
        .and_then(|current| fields.with_hidden_held(current));
    match (change.verb, held.as_ref().or(change.current.as_ref())) {
        (ResourceVerb::Replace, Some(current)) if mode == UpdateMode::Merge => {
            model::apply_update(current, &change.part, UpdateMode::Merge)
        }
        (ResourceVerb::Update, Some(current)) => {
            // Each map the change names, as the merge patch that makes the vendor's map what
            // the change leaves: a member gone is removed by the name the vendor holds it
            // under, before one is set (a map cleared whole: each member it holds; a whole new
            // value: those it leaves out; a header named in another letter case: the stored
            // spelling).
            let after = model::apply_update(current, &change.part, mode);
            let empty = Value::Object(Map::new());
            let mut patch = change.part.clone();
            for (key, value) in patch.iter_mut() {
                let was = current.get(key).filter(|v| v.is_object());
                if value.is_object() || (value.is_null() && was.is_some()) {
                    let now = after.get(key).unwrap_or(&empty);
                    *value = model::merge_diff(was.unwrap_or(&empty), now).unwrap_or(empty.clone());
                }
            }
            patch
        }
        _ => change.part.clone(),
    }
}

/// A member a change clears (`null`) that its resource keeps as a map or a list it holds no
/// `null` for (Svix's headers, which its writes require): sent as the empty map or list, which
/// is what clearing it means there. A whole value so leaves none, and a merge changes nothing
/// where none was held (one that held some names each to remove, in [`resource_part`]).
pub(super) fn cleared_as_empty(
    fields: &ObjectMap,
    mut part: Map<String, Value>,
) -> Map<String, Value> {
    for (name, value) in part.iter_mut().filter(|(_, v)| v.is_null()) {
        let Some(rule) = fields
            .rule_for(name, Action::Update)
            .filter(|r| !r.nullable)
        else {
            continue;
        };
        let empty = rule.checks.iter().find_map(|check| match check {
            Check::Type(JsonType::Object) => Some(Value::Object(Map::new())),
            Check::Type(JsonType::Array) => Some(Value::Array(Vec::new())),
            _ => None,
        });
        if let Some(empty) = empty {
            *value = empty;
        }
    }
    part
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
    /// The webhook's id (`{{id}}`), for a vendor that takes it outside the path: as the path
    /// takes it, in a query parameter or header.
    id: Option<&'a str>,
    /// The same id as the vendor writes it in a body ([`crate::mapping::rules::ObjectMap::spelt`]).
    body_id: Option<Value>,
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
                model::field_value(self.current?, field).cloned()
            }
        }
    }
}

/// A request's placeholders in its body, where `{{id}}` is the id as the vendor writes it
/// there.
struct BodySlots<'a>(&'a RequestSlots<'a>);

impl Slots for BodySlots<'_> {
    fn slot(&self, name: &str) -> Option<Value> {
        match name {
            "id" => self.0.body_id.clone(),
            _ => self.0.slot(name),
        }
    }
}

/// A request's placeholders, with `{{current.*}}` read from the webhook as last known.
struct LatestSlots<'a> {
    slots: &'a RequestSlots<'a>,
    latest: Option<&'a Map<String, Value>>,
}

impl Slots for LatestSlots<'_> {
    fn slot(&self, name: &str) -> Option<Value> {
        match (name.strip_prefix("current."), self.latest) {
            (Some(field), Some(latest)) => model::field_value(latest, field).cloned(),
            _ => self.slots.slot(name),
        }
    }
}

/// Query values escape everything but unreserved characters.
const QUERY: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
