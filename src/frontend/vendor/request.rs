//! A client's request read in the vendor's terms: its body (JSON, a form or a JSON Patch) held
//! to the vendor's checks and read into a canonical operation, or relayed as it is to an
//! upstream of this very dialect.

use super::{Kind, Route, VendorApi, given};
use crate::frontend::{Backend, Job, Relay, Routed};
use crate::http::headers;
use crate::json::folded;
use crate::mapping::checks::Check;
use crate::mapping::json_path::FieldPath;
use crate::mapping::model::{CredentialPlace, Resource, ResourceVerb, Role};
use crate::mapping::rules::{Beside, ObjectMap, Target, Violation};
use crate::mapping::template::Held;
use crate::mapping::{Strategy, patch};
use crate::model::{self, Action, Operation, UpdateMode};
use crate::problem::{Code, FieldError, Problem};
use crate::upstream::{Secret, Upstream, kept};
use bytes::Bytes;
use http::HeaderMap;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// A client's body in canonical terms: its members, and the event types it switches one by one
/// (`Operation::switched`).
struct Parsed {
    body: Map<String, Value>,
    switched: Vec<(String, bool)>,
}

/// A request's body as a surface read it (where the route takes one), and the webhook or
/// resource item inside it (where the route writes one).
type BodyAndItem = (Option<Map<String, Value>>, Option<Value>);

impl VendorApi {
    /// Values this dialect implies (deliveries are always POSTs, say), stated in a create for a
    /// backend that keeps them: what the client's vendor would do is what it asked for.
    fn state_implied(&self, body: &mut Map<String, Value>) {
        if !self.translating() {
            return;
        }
        let behind = self.backend.dialect();
        for rule in &self.dialect.webhook.rules {
            if let (Some(value), Target::Field(field)) = (&rule.implied, &rule.target)
                && !body.contains_key(field.name)
                && behind.webhook.carries(field.name, Action::Create)
            {
                body.insert(field.name.to_owned(), value.clone());
            }
        }
    }

    /// The rules by which a create's webhook carries fields kept at resources of their own
    /// (`in_create`: Svix's `headers`, taken by a create and kept at `…/headers`).
    fn created_with(&self, kind: Kind) -> Vec<&ObjectMap> {
        if kind != Kind::Operation(Role::Action(Action::Create)) {
            return Vec::new();
        }
        (self.dialect.resources.iter())
            .filter_map(|r| r.in_create.as_ref())
            .collect()
    }

    /// The rules of the object a route's body holds: the webhook, or a resource.
    pub(super) fn object(&self, kind: Kind) -> &ObjectMap {
        match kind {
            Kind::Resource(i, _) => &self.dialect.resources[i].fields,
            Kind::Operation(_) => &self.dialect.webhook,
        }
    }

    /// The item in a request body: where `{{webhook}}` (or `{{resource}}`) stands.
    fn item(&self, kind: Kind, body: Value) -> Value {
        match self.item_path(kind) {
            Some(path) => path.extract(body).unwrap_or(Value::Object(Map::new())),
            None => body,
        }
    }

    /// Where a route's body holds the webhook (or the resource), if it wraps it.
    fn item_path(&self, kind: Kind) -> Option<&crate::mapping::json_path::FieldPath> {
        match kind {
            Kind::Operation(role) => self
                .dialect
                .endpoint(role)
                .and_then(|e| e.body_item_path.as_ref()),
            Kind::Resource(i, verb) => self.dialect.resources[i]
                .endpoint(verb)
                .and_then(|e| e.body_item_path.as_ref()),
        }
    }

    /// The vendor's own validation of a body, then the body in canonical terms.
    fn parse_item(&self, kind: Kind, action: Action, item: &Value) -> Result<Parsed, Problem> {
        let map = self.object(kind);
        // A replacement and a resource's write carry the whole object, as a create does: a
        // required member left out is refused, not kept from before.
        let whole = matches!(kind, Kind::Operation(Role::Replace) | Kind::Resource(..));
        // A field given under two of its names, two values: neither is taken over the other.
        let disagree = map.aliases_disagree(action, item);
        if !disagree.is_empty() {
            return Err(Problem::validation(disagree));
        }
        let mut violations = match kind {
            // A resource's merge: a `null` inside a member's map removes that entry.
            Kind::Resource(_, ResourceVerb::Update) => map.check_merge(action, item),
            _ if whole => map.check_whole(action, item),
            _ if self.merge_patches(kind) => map.check_patch(action, item),
            _ => map.check(action, item),
        };
        let created_with = self.created_with(kind);
        for extra in &created_with {
            violations.extend(extra.check(action, item));
        }
        if self.translating() {
            // Event names are the backend's own (the canonical model keeps each upstream's
            // vocabulary): the backend checks them, and its refusal is rendered here.
            violations.retain(|v| !(v.check == "one_of" && v.rule.target.is("events")));
        }
        // A container of the wrong kind is a type error on the container, before any check of
        // the members it should hold.
        let misshapen = map.misshapen_containers(action, item);
        let inside = |v: &Violation<'_>| {
            let at = v.rule.path.as_ref();
            misshapen
                .iter()
                .any(|(container, _)| at.is_some_and(|p| p.starts_with(container)))
        };
        violations.retain(|v| !inside(v));
        if !violations.is_empty() || !misshapen.is_empty() {
            let containers = misshapen.iter().map(|(_, e)| e.clone());
            return Err(Problem::validation(
                containers
                    .chain(violations.iter().map(|v| v.in_vendor_words()))
                    .collect(),
            ));
        }
        // A list of which the rules read one item (`urls`, of which `url` is `urls[0]`) is kept
        // whole where the webhooks behind are this dialect's (`webhook_write`); webhooks of
        // another vendor hold one value, and a resource's write at an emulator changes the
        // members it names alone, so others sent there are refused by name rather than
        // dropped. (A vendor relayed to is sent the list as it came.)
        let resource = matches!(kind, Kind::Resource(..)) && !self.relays();
        if self.translating() || resource {
            let unread = map.items_unread(item);
            if !unread.is_empty() {
                return Err(Problem::validation(unread));
            }
        }
        let parsed = if whole {
            map.parse_whole(action, item)
        } else {
            map.parse(action, item)
        };
        let mut parsed = parsed.map_err(Problem::validation)?;
        for extra in &created_with {
            parsed.extend(extra.parse(action, item).map_err(Problem::validation)?);
        }
        // The owner a create's body names (a vendor that takes it there) says where the
        // webhook goes: no member a client writes.
        let owner = parsed.shift_remove("owner");
        // Flags an update names only some of come as an object of each type and whether it is
        // switched on: they apply to the webhook's event types as they are.
        let flags = map.reading("events").is_some_and(|r| r.flags.is_some());
        let mut switched = Vec::new();
        if flags
            && parsed.get("events").is_some_and(Value::is_object)
            && let Some(Value::Object(named)) = parsed.shift_remove("events")
        {
            switched = named
                .into_iter()
                .map(|(kind, on)| (kind, on == Value::Bool(true)))
                .collect();
        }
        // A clear of a field the webhooks behind have no place for is theirs to refuse (as a
        // member they cannot carry), or a replacement's to leave out: no clear to check here.
        let behind = self.backend.dialect();
        let unheld_clear = |(name, v): (&String, &Value)| v.is_null() && behind.holds_nowhere(name);
        if self.translating() && parsed.iter().any(unheld_clear) {
            let mut checked = parsed.clone();
            checked.retain(|name, v| !unheld_clear((name, v)));
            model::check_body(action, &checked)?;
        } else {
            model::check_body(action, &parsed)?;
        }
        if let Some(owner) = owner {
            parsed.insert("owner".into(), owner);
        }
        Ok(Parsed {
            body: parsed,
            switched,
        })
    }

    /// The event type a client asks a test to send, where the dialect's test body names one
    /// (`{{current.events[0]}}` stands in it): the operation's `events`, that one alone.
    pub(super) fn test_event(&self, body: Map<String, Value>) -> Option<Map<String, Value>> {
        let path = self
            .dialect
            .endpoint(Role::Action(Action::Test))
            .and_then(|e| e.body.as_ref())
            .and_then(|b| b.path_of_item("current.events", &[0]))?;
        path.extract(Value::Object(body))
            .filter(Value::is_string)
            .map(|event| {
                let mut asked = Map::new();
                asked.insert("events".into(), Value::Array(vec![event]));
                asked
            })
    }

    /// Refuses a member that a vendor whose parser ignores letter case (Go's `encoding/json`,
    /// which also folds `K` to `k` and `ſ` to `s`) would take for one this API reads:
    /// `WEBHOOK_URL` beside or instead of `webhook_url`, `HOOK` beside the envelope's `hook`, a
    /// JSON Patch operation's `Value` beside its `value`. hookgate's reading and the vendor's
    /// would differ, and the checks made of hookgate's would not hold for the vendor's.
    fn unambiguous(
        &self,
        kind: Kind,
        body: &Map<String, Value>,
        bytes: &[u8],
    ) -> Result<(), Problem> {
        use crate::mapping::json_path::Step;
        let envelope: Vec<&str> = self
            .item_path(kind)
            .map(|p| {
                p.steps()
                    .iter()
                    .filter_map(|s| match s {
                        Step::Key(k) => Some(k.as_str()),
                        Step::Index(_) => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let rules = self
            .dialect
            .webhook
            .rules
            .iter()
            .filter_map(|r| r.path.as_ref());
        for path in rules {
            let keys = path.steps().iter().map_while(|s| match s {
                Step::Key(k) => Some(k.as_str()),
                Step::Index(_) => None,
            });
            let mut at = Some(body);
            let mut shown: Vec<&str> = Vec::new();
            for key in envelope.iter().copied().chain(keys) {
                let Some(object) = at else { break };
                if let Some(other) = object.keys().find(|k| *k != key && folded::same(k, key)) {
                    return Err(case_refusal(&shown, other, key));
                }
                shown.push(key);
                at = object.get(key).and_then(Value::as_object);
            }
        }
        // A JSON Patch's operations, whose members a rule does not name (only a body that is
        // an array is read again).
        let array = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
        if let (true, Ok(Value::Array(ops))) = (array, serde_json::from_slice::<Value>(bytes)) {
            for op in ops.iter().filter_map(Value::as_object) {
                for key in ["op", "path", "value", "from"] {
                    if let Some(other) = op.keys().find(|k| *k != key && folded::same(k, key)) {
                        return Err(case_refusal(&[], other, key));
                    }
                }
            }
        }
        Ok(())
    }

    /// Where an operation's body (one that is no webhook) sends a URL the vendor delivers to:
    /// the place of `{{current.url}}` in its template (a test of the webhook's URL).
    fn sent_url(&self, kind: Kind) -> Option<crate::mapping::json_path::FieldPath> {
        let Kind::Operation(role) = kind else {
            return None;
        };
        self.dialect
            .endpoint(role)
            .filter(|e| !matches!(e.role.action(), Action::Create | Action::Update))
            .and_then(|e| e.body.as_ref())
            .and_then(|b| b.path_of("current.url"))
    }

    /// The new secret a client of a rotation chose, where this vendor's rotation body takes one
    /// (`{{secret}}`), as the canonical body of the rotation (`{"secret": …}`).
    pub(super) fn chosen_secret(&self, body: Map<String, Value>) -> Option<Map<String, Value>> {
        let path = self
            .dialect
            .endpoint(Role::Action(Action::RotateSecret))
            .and_then(|e| e.body.as_ref())
            .and_then(|b| b.path_of("secret"))?;
        path.extract(Value::Object(body))
            .filter(Value::is_string)
            .map(|secret| Map::from_iter([("secret".to_owned(), secret)]))
    }

    /// Refuses, before anything changes, a rotation whose new secret the backend mints where
    /// this API's client could read it nowhere: the rotation answers without the secret
    /// (a 204, or an answer that places neither the webhook, whose rules show its secret, nor
    /// the secret alone, `{{webhook.secret}}`), and this API reads no secret later, at a
    /// resource of its own (where it does, the backend answers that read, or the gateway with
    /// the secret it kept). Carried out, it would leave deliveries signed with a key no one
    /// holds.
    pub(super) fn minted_secret_shown(&self, role: Role) -> Result<(), Problem> {
        let endpoint = self.dialect.endpoint(role);
        let whole = endpoint
            .and_then(|e| e.response.as_ref())
            .is_some_and(|t| t.path_of("webhook").is_some());
        let alone = endpoint
            .is_some_and(|e| (e.placed_fields.iter()).any(|(field, _)| field.name == "secret"));
        let answered = (whole && self.secret_place().is_some()) || alone;
        if answered || self.secret_readable_later() {
            return Ok(());
        }
        let behind = self.backend.dialect();
        // An upstream that rotates nothing is refused as such, when the call is planned.
        if behind.operation(Action::RotateSecret).is_none() {
            return Ok(());
        }
        Err(Problem::new(
            Code::UnsupportedOperation,
            format!(
                "upstream {} mints the new secret and never shows it again, and this API's \
                 rotation answers without it",
                self.backend.upstream().unwrap_or(&behind.name)
            ),
        ))
    }

    /// Whether a route's request carries a body: a write, or an operation whose vendor
    /// request has one (a test's event type, a rotation's options).
    fn takes_body(&self, kind: Kind) -> bool {
        match kind {
            Kind::Resource(_, verb) => verb != ResourceVerb::Get,
            Kind::Operation(role) => {
                matches!(role.action(), Action::Create | Action::Update)
                    || self
                        .dialect
                        .endpoint(role)
                        .is_some_and(|e| e.body.is_some())
            }
        }
    }

    /// Whether a route's body is an RFC 7396 merge patch of the webhook: the update of a
    /// vendor of `strategy = "merge_patch"`.
    fn merge_patches(&self, kind: Kind) -> bool {
        kind == Kind::Operation(Role::Action(Action::Update))
            && self
                .dialect
                .endpoint(Role::Action(Action::Update))
                .is_some_and(|e| e.strategy == Strategy::MergePatch)
    }

    /// The client's body as this vendor reads it: a JSON object (or a form, for a vendor that
    /// takes forms), or nothing where the vendor takes none. Anything else (an array, a
    /// number, text that is no JSON, and an empty body where every body is required) is
    /// refused as the vendor refuses it.
    fn read_body(
        &self,
        kind: Kind,
        headers: &HeaderMap,
        bytes: &[u8],
    ) -> Result<Map<String, Value>, Problem> {
        let errors = &self.dialect.errors;
        // Every body hookgate reads it reads as UTF-8: one said to be in another charset (or
        // whose media type is said twice) is refused as the vendor refuses a media type it does
        // not take, rather than read as what it is not. That holds for a relayed body too: it
        // goes on in the operation's own media type, which says nothing of the client's charset,
        // so the vendor would read it as UTF-8 as well.
        let media_type = match bytes.is_empty() {
            true => None,
            false => headers::utf8_media_type(headers)
                .map_err(|why| Problem::new(Code::UnsupportedMediaType, why.to_string()))?,
        };
        let patches = kind == Kind::Operation(Role::Action(Action::Update))
            && self
                .dialect
                .endpoint(Role::Action(Action::Update))
                .is_some_and(|e| e.strategy == Strategy::JsonPatch);
        let read = match self.dialect.form {
            None if patches => self.patch_body(bytes)?,
            None if self.relays() => {
                crate::frontend::relayed_object(bytes).map_err(|p| errors.unreadable(p))?
            }
            None => crate::frontend::object(bytes).map_err(|p| errors.unreadable(p))?,
            Some(_) => form_body(media_type, bytes)?,
        };
        match read {
            Some(map) => Ok(map),
            None if self.dialect.body_required => Err(errors.unreadable(Problem::bad_request(
                "the body is empty; this request needs one",
            ))),
            None => Ok(Map::new()),
        }
    }

    /// A client's JSON Patch, for a vendor whose updates are patches: the members it changes,
    /// as a merge's body holds them.
    fn patch_body(&self, bytes: &[u8]) -> Result<Option<Map<String, Value>>, Problem> {
        let errors = &self.dialect.errors;
        let Some(patch) = crate::frontend::document(bytes).map_err(|p| errors.unreadable(p))?
        else {
            return Ok(None);
        };
        match patch::members(&self.dialect.webhook, &patch) {
            Ok(members) => Ok(Some(members)),
            Err(patch::Refused::NotAPatch) => Err(errors.unreadable(Problem::bad_request(
                "the body must be a JSON Patch: an array of operations",
            ))),
            Err(patch::Refused::Ops(refused)) => Err(Problem::validation(refused)),
        }
    }

    /// The client's body where the route takes one, held to the vendor's checks, and the
    /// item it carries where the route writes one.
    pub(super) fn body_and_item(
        &self,
        route: &Route,
        headers: &HeaderMap,
        bytes: &[u8],
    ) -> Result<BodyAndItem, Problem> {
        let (kind, query) = (route.kind, &route.query);
        if !self.takes_body(kind) {
            return Ok((None, None));
        }
        let body = self.read_body(kind, headers, bytes)?;
        self.body_agrees(route, &body)?;
        self.check_request(kind, &body)?;
        let writes = matches!(
            kind,
            Kind::Resource(_, ResourceVerb::Replace | ResourceVerb::Update)
        ) || matches!(self.action(kind), Action::Create | Action::Update);
        let mut item = writes.then(|| self.item(kind, Value::Object(body.clone())));
        if writes && self.dialect.refuses_unknown_members && !self.relays() {
            self.refuse_unknown_members(kind, &body, item.as_ref())?;
        }
        // A form's members are text: the webhook's booleans, numbers and lists are read back
        // as the mapping's rules write them.
        if let (Some(item), Kind::Operation(_)) = (&mut item, kind) {
            for (path, shape) in &self.dialect.form_shapes {
                if let Some(mut value) = path.get(item).cloned() {
                    crate::form::coerce(&mut value, *shape);
                    path.set(item, value);
                }
            }
        }
        // An update with a field mask changes what the mask names, whatever else it holds; a
        // path that names no member a request can set is refused on the mask's parameter, as
        // the vendor's own validation refuses it, rather than changing nothing.
        let mask = (kind == Kind::Operation(Role::Action(Action::Update)))
            .then(|| self.dialect.endpoint(Role::Action(Action::Update)))
            .flatten()
            .and_then(|e| e.update_mask.as_deref());
        if let (Some(param), Some(Value::Object(members))) = (mask, &mut item) {
            let named: Vec<&str> = query.values(param).collect();
            if !named.is_empty() {
                *members = patch::masked(&self.dialect.webhook, std::mem::take(members), &named)
                    .map_err(|refused| {
                        Problem::validation(
                            refused
                                .into_iter()
                                .map(|why| FieldError::in_query(param, why))
                                .collect(),
                        )
                    })?;
            }
        }
        Ok((Some(body), item))
    }

    /// Refuses a body that says it is about another webhook, owner or kind of object than the
    /// request: a member the operation's template writes as literal text (JSON:API's
    /// `data.type`) holding another value, or one where the template places the id or the
    /// owner (`data.id = "{{id}}"`), or where the webhook's rules read them (Shopify's
    /// `webhook.id`, an owner's `store_id`), holding another than the request names (in its
    /// path, or the query parameter or header the vendor takes it in). Taken, the change would
    /// be made to the webhook the request names, which its body says it is not: refused as the
    /// vendor's conflict (JSON:API's 409), naming each such member. A member left out is the
    /// request's, as a literal query parameter left out is; an id written as a number is the
    /// id whose text it is.
    fn body_agrees(&self, route: &Route, body: &Map<String, Value>) -> Result<(), Problem> {
        let kind = route.kind;
        let (envelope, item) = match kind {
            Kind::Operation(role) => (
                self.dialect.endpoint(role).and_then(|e| e.body.as_ref()),
                "webhook",
            ),
            Kind::Resource(i, verb) => (
                self.dialect.resources[i].endpoint(verb).map(|e| &e.body),
                "resource",
            ),
        };
        let named = |placeholder: &str| match placeholder {
            "id" => route.id.as_deref().map(|id| (id, "the webhook")),
            "owner" => route.owner.as_deref().map(|owner| (owner, "the owner")),
            _ => None,
        };
        let mut errors = Vec::new();
        // Each place once: a JSON:API update places `{{id}}` where the webhook's id is read.
        let mut seen: Vec<FieldPath> = Vec::new();
        for (place, held) in envelope.map(|t| t.held_values(item)).unwrap_or_default() {
            let Some(given) = place.get_in(body) else {
                continue;
            };
            let why = match held {
                Held::Literal(value) => (!reads_same(value, given))
                    .then(|| format!("must be `{}`, not `{}`", written(value), written(given))),
                Held::Placeholder(name) => named(name)
                    .filter(|(expected, _)| !names(expected, given))
                    .map(|(expected, what)| other_than_named(expected, what, given)),
            };
            seen.push(place.clone());
            if let Some(why) = why {
                errors.push(FieldError::new(format!("extensions.{place}"), why));
            }
        }
        // Where the body carries the webhook: the body of a test or a rotation is no webhook.
        let carries = matches!(self.action(kind), Action::Create | Action::Update);
        if matches!(kind, Kind::Operation(_)) && carries {
            let at = self.item_path(kind);
            let rules = (self.dialect.webhook.rules.iter())
                .filter(|r| r.target.is("id") || r.target.is("owner"));
            for rule in rules {
                let field = rule.target.name();
                let Some((expected, what)) = named(&field) else {
                    continue;
                };
                for place in rule.places() {
                    let whole = within(at, place);
                    if seen.contains(&whole) {
                        continue;
                    }
                    let Some(given) = whole.get_in(body) else {
                        continue;
                    };
                    seen.push(whole);
                    let decoded = || rule.codec.decode(given).ok();
                    if !names(expected, given) && !decoded().is_some_and(|v| names(expected, &v)) {
                        let why = other_than_named(expected, what, given);
                        errors.push(FieldError::new(&field, why));
                    }
                }
            }
        }
        if errors.is_empty() {
            return Ok(());
        }
        Err(Problem::with_errors(Code::Conflict, errors))
    }

    /// A vendor that refuses members it does not know (`unknown_members = "refused"`) refuses
    /// a body that holds one, as its own validation does, naming each: inside the webhook (or
    /// resource) by its place there (`webhook_config.yyy`), beside it in the body's envelope by
    /// its place in the body. Taken, such a member would be dropped without a word. (A body
    /// relayed as it is goes to the vendor, which answers for itself.)
    fn refuse_unknown_members(
        &self,
        kind: Kind,
        body: &Map<String, Value>,
        item: Option<&Value>,
    ) -> Result<(), Problem> {
        let envelope = match kind {
            Kind::Operation(role) => self.dialect.endpoint(role).and_then(|e| e.body.as_ref()),
            Kind::Resource(i, verb) => self.dialect.resources[i].endpoint(verb).map(|e| &e.body),
        };
        let beside = envelope
            .map(|t| t.unnamed_members(body))
            .unwrap_or_default();
        // Members the envelope keeps beside the item's in its object are the envelope's.
        let slot = match kind {
            Kind::Operation(_) => "webhook",
            Kind::Resource(..) => "resource",
        };
        let mut within = match item {
            Some(Value::Object(item)) => {
                let unnamed = self.object(kind).unnamed_members(item);
                match envelope {
                    Some(t) => t.unnamed_beside(slot, item, unnamed),
                    None => unnamed,
                }
            }
            _ => Vec::new(),
        };
        // A member a create carries for a resource is named by its rule there.
        for extra in self.created_with(kind) {
            let places: Vec<_> = extra.rules.iter().flat_map(|r| r.places()).collect();
            within.retain(|p| !places.iter().any(|at| p.starts_with(at)));
        }
        let errors: Vec<FieldError> = (beside.iter().chain(&within))
            .map(|path| {
                FieldError::new(
                    format!("extensions.{path}"),
                    format!("`{path}` is not a member this API takes"),
                )
            })
            .collect();
        if errors.is_empty() {
            return Ok(());
        }
        Err(Problem::validation(errors))
    }

    /// The checks the vendor makes of a body that is no webhook (an operation's `request`).
    fn check_request(&self, kind: Kind, body: &Map<String, Value>) -> Result<(), Problem> {
        let Kind::Operation(role) = kind else {
            return Ok(());
        };
        let Some(endpoint) = self.dialect.endpoint(role) else {
            return Ok(());
        };
        let body = Value::Object(body.clone());
        let errors: Vec<FieldError> = endpoint
            .request
            .iter()
            .filter_map(|member| member.test(&body))
            .collect();
        match errors.is_empty() {
            true => Ok(()),
            false => Err(Problem::validation(errors)),
        }
    }

    /// A request for an upstream of this very dialect: the same checks as a translated write,
    /// then the client's bytes go on as they are, to the path the route's template rebuilds.
    /// `item` is the webhook a write's body holds; `body`, any other operation's body; `owner`,
    /// the webhook's owner at the upstream, which a change's kept secret is filed under.
    pub(super) fn relay(
        &self,
        route: &Route,
        action: Action,
        owner: Option<String>,
        (item, body): (Option<&Value>, Option<&Map<String, Value>>),
        bytes: Bytes,
    ) -> Result<Job, Problem> {
        // What hookgate never reads goes on as it came: where two parsers could read it two
        // ways, the vendor's reading would escape the checks made of hookgate's.
        if body.is_some() || item.is_some() {
            self.unambiguous(route.kind, body.unwrap_or(&Map::new()), &bytes)?;
        }
        if self.dialect.form.is_some() && bytes.contains(&b';') {
            return Err(Problem::bad_request(
                "a form's `;` is read by some parsers as a separator between members: percent-encode it (%3B)",
            ));
        }
        let mut changes_secret = None;
        if let Backend::Upstream(u) = &self.backend {
            let policy = |webhook: &Map<String, Value>| {
                u.url_policy
                    .check_webhook(webhook)
                    .map_err(|r| Problem::validation(vec![r.field_error()]))
            };
            let mut written = None;
            if let Some(item) = item {
                let webhook = self.parse_item(route.kind, action, item)?.body;
                policy(&webhook)?;
                // The other items of a list of which `url` is one: the vendor keeps them all.
                let beside = self.object(route.kind).beside("url", Beside::Sent(item));
                (u.url_policy.check_beside(&beside)).map_err(|e| Problem::validation(vec![e]))?;
                written = Some(webhook);
            }
            changes_secret = self.secret_change(u, route, owner, written.as_ref(), body);
            // A URL the vendor is sent somewhere other than in a webhook (a test delivered to
            // the URL its body names, where the vendor's test takes the webhook's URL) is held
            // to the same policy: the vendor would deliver there all the same.
            if let Some(body) = body
                && let Some(at) = self.sent_url(route.kind)
            {
                let url = at.extract(Value::Object(body.clone()));
                if let Some(url) = url {
                    policy(&Map::from_iter([("url".to_owned(), url)]))?;
                }
            }
        }
        let Some(matched) = self.routes.get(route.at) else {
            return Err(Problem::internal(
                "a relay of a route this API does not have",
            ));
        };
        let path = matched.path.render(
            &[&self.dialect.base_path],
            route.owner.as_deref(),
            route.id.as_deref(),
        );
        let held = self.held_params();
        let raw = route.query.raw();
        let raw = raw.map(|q| Cow::from(percent_encoding::utf8_percent_encode(q, UNSENDABLE)));
        let mut query = match raw.as_deref() {
            Some(query) if !held.is_empty() => held_back(query, &held)?,
            query => query.map(str::to_owned),
        };
        let mut headers = route.headers.clone();
        if let Kind::Operation(role) = route.kind
            && let Some(endpoint) = self.dialect.endpoint(role)
        {
            let left_out = given::left_out(endpoint, &route.query, &headers);
            headers.extend(left_out.headers);
            if !left_out.params.is_empty() {
                let mut added = form_urlencoded::Serializer::new(String::new());
                added.extend_pairs(left_out.params);
                let added = added.finish();
                query = Some(match query {
                    Some(given) => format!("{given}&{added}"),
                    None => added,
                });
            }
        }
        Ok(Job::Relay(Relay {
            method: matched.method.clone(),
            path,
            query,
            headers,
            body: bytes,
            content_type: match route.kind {
                Kind::Operation(role) => self
                    .dialect
                    .endpoint(role)
                    .and_then(|e| e.content_type.clone()),
                Kind::Resource(..) => None,
            },
            changes_secret,
        }))
    }

    /// The query parameters of a relayed request that never reach the vendor, by their
    /// decoded names, as [`held_back`] compares them: the
    /// client's credential (each part of it), which is the vendor's only where it is passed
    /// through, else a key of hookgate's; and those hookgate's own credential at the upstream
    /// goes in (`auth.name`, an `also` part's), which the vendor would read beside hookgate's,
    /// or in its place, as the credential of the call.
    fn held_params(&self) -> Vec<Cow<'_, str>> {
        let mut held: Vec<Cow<'_, str>> = Vec::new();
        if !self.passes_credential() {
            held.extend(
                (self.dialect.credential_places()).filter_map(|place| match place {
                    CredentialPlace::Query(name) => Some(Cow::Borrowed(name)),
                    CredentialPlace::Header(_) => None,
                }),
            );
        }
        if let Backend::Upstream(u) = &self.backend {
            held.extend(
                u.own_query_names()
                    .flat_map(|name| form_urlencoded::parse(name.as_bytes()).map(|(k, _)| k)),
            );
        }
        held
    }

    /// What a relayed change may do to the secret the gateway keeps of its webhook
    /// ([`kept`]): the endpoint whose answer tells, the webhook, and the secret the request
    /// sets (`written`: the webhook a write's body holds, in canonical terms; `body`, a
    /// rotation's). A read, a test and a resource's verb make no kept secret, nor does any
    /// change at an upstream that keeps none: `None`, and their answers are not read for one.
    fn secret_change(
        &self,
        upstream: &Upstream,
        route: &Route,
        owner: Option<String>,
        written: Option<&Map<String, Value>>,
        body: Option<&Map<String, Value>>,
    ) -> Option<kept::Change> {
        let Kind::Operation(role) = route.kind else {
            return None;
        };
        let action = role.action();
        if action.reads_only() || action == Action::Test || !upstream.keeps_relayed_secrets() {
            return None;
        }
        let chosen = match action {
            Action::RotateSecret => body
                .and_then(|b| self.chosen_secret(b.clone()))
                .and_then(|b| Some(Secret::new(b.get("secret")?.as_str()?))),
            _ => written
                .and_then(|w| w.get("secret")?.as_str())
                .map(Secret::new),
        };
        Some(kept::Change {
            role,
            owner,
            id: route.id.clone(),
            chosen,
        })
    }

    /// A create, update or replacement of the webhook, in canonical terms: the vendor's own
    /// checks, the values its dialect implies, and how the change applies (a replacement resets
    /// what it leaves out; an update changes the members it names).
    pub(super) fn webhook_write(
        &self,
        op: &mut Operation,
        role: Role,
        item: &Value,
    ) -> Result<(), Problem> {
        let action = op.action;
        let Parsed { mut body, switched } = self.parse_item(Kind::Operation(role), action, item)?;
        op.switched = switched;
        if action == Action::Create {
            self.state_implied(&mut body);
        }
        let behind = self.backend.dialect();
        let writes = if action == Action::Create {
            Action::Create
        } else {
            Action::Update
        };
        let held =
            |name: &str| behind.webhook.carries(name, writes) || behind.resource_of(name).is_some();
        // A member sent as this API shows one with no value (`[]`, `{}`), where the webhooks
        // behind cannot hold it, is no value either: an SDK saves what it read.
        self.drop_shown_defaults(&mut body, &|name| !held(name));
        if action == Action::Create {
            self.create_defaults(&mut body, behind, &held);
        }
        if role == Role::Replace {
            // A member a replacement gives no value is one it leaves out: where the webhooks
            // behind cannot hold it, there is nothing to clear. (An SDK that writes every member
            // it knows sends one it has no value for as `""`, which `empty_is_null` reads so.)
            drop_unheld_nulls(&mut body, &held);
            let unchanged = self.unseen_members(&mut body, &held)?;
            let kept = |name: &str| held(name) && !unchanged.iter().any(|u| u == name);
            self.dialect.webhook.replacement_defaults(&mut body, kept);
            op.mode = UpdateMode::Replace;
            op.upsert = self.dialect.endpoint(role).and_then(|e| e.upsert);
        } else if action == Action::Update {
            // A member a merge clears (`null`) that the webhooks behind neither hold nor report,
            // and that this API shows as `null` when it has none, is one every read here shows
            // so: there is nothing to clear, as a replacement finds. Any other such clear is
            // refused as not supported there, as a value of it would be.
            let shown_null = |name: &str| {
                (self.dialect.webhook.reading(name)).is_some_and(|r| r.response && r.nullable)
            };
            let reported = |name: &str| {
                held(name)
                    || !shown_null(name)
                    || self.unreported(std::iter::once(name.to_owned())).is_empty()
            };
            drop_unheld_nulls(&mut body, &reported);
            // A vendor whose update is an RFC 7396 merge patch merges what its client names
            // into each object (a `null` removes that member alone); others replace each
            // member named whole.
            op.mode = if self.merge_patches(Kind::Operation(role)) {
                UpdateMode::Merge
            } else {
                UpdateMode::Members
            };
            op.upsert = self.dialect.endpoint(role).and_then(|e| e.upsert);
        }
        if op.upsert.is_some() {
            op.created_with = self.created_with_update(&body, &held);
        }
        if !self.translating() {
            // The webhooks behind are this dialect's: they hold every item of a list the
            // client sent, as its vendor does, beside the field read at one of them.
            let unkept = self.dialect.webhook.keep_lists(action, item, &mut body);
            if !unkept.is_empty() {
                return Err(Problem::validation(unkept));
            }
        }
        let whole = action == Action::Create || role == Role::Replace;
        self.every_event_unheld(&body, action, whole)?;
        if op.mode != UpdateMode::Merge {
            // A map of headers given whole: a header it names `null` is one it does not have.
            for (name, value) in body.iter_mut() {
                if let (true, Value::Object(headers)) = (model::names_headers(name), value) {
                    headers.retain(|_, v| !v.is_null());
                }
            }
        }
        op.body = Some(body);
        Ok(())
    }

    /// What a create of this API's vendor states that an update of it (`body`) does not: the
    /// values its dialect implies and the defaults it asks for, which an update of an unknown
    /// id that creates the webhook carries as a create would.
    fn created_with_update(
        &self,
        body: &Map<String, Value>,
        held: &dyn Fn(&str) -> bool,
    ) -> Map<String, Value> {
        let mut created = body.clone();
        created.retain(|_, v| !v.is_null());
        self.state_implied(&mut created);
        self.create_defaults(&mut created, self.backend.dialect(), held);
        created.retain(|name, _| body.get(name).is_none_or(Value::is_null));
        created
    }

    /// A webhook without event types, which this API's vendor takes for one of every event
    /// type (its `events` not required), where the webhooks behind must name theirs: refused
    /// as what the upstream cannot carry, naming what to send, rather than as a member the
    /// client left out of a body its own vendor takes without it. `whole`: the body is the
    /// whole webhook (a create, a replacement), which leaving the member out clears.
    fn every_event_unheld(
        &self,
        body: &Map<String, Value>,
        action: Action,
        whole: bool,
    ) -> Result<(), Problem> {
        if !self.translating() {
            return Ok(());
        }
        let required = |map: &ObjectMap| {
            map.rule_for("events", action)
                .is_some_and(|r| r.checks.contains(&Check::Required))
        };
        let behind = self.backend.dialect();
        let none = match body.get("events") {
            None => whole,
            Some(events) => events.is_null(),
        };
        let optional_here = self
            .dialect
            .webhook
            .rule_for("events", action)
            .is_some_and(|r| !r.checks.contains(&Check::Required));
        if !(none && optional_here && required(&behind.webhook)) {
            return Ok(());
        }
        let upstream = self.backend.upstream().unwrap_or(&behind.name);
        Err(Problem::with_errors(
            Code::UnsupportedField,
            vec![FieldError::new(
                "events",
                format!(
                    "upstream {upstream} cannot carry every event type, which a webhook without any gets here: name the event types to send"
                ),
            )],
        ))
    }

    /// A create that leaves out a member this API's vendor assumes a value for (its
    /// `default`: a webhook enabled unless said otherwise) asks for that value: where the webhooks behind
    /// hold the member and their vendor would assume another value or none (one that requires
    /// it, or whose own default differs), it is written as this API's vendor assumes it, so
    /// the webhook made is the one the client's vendor would have made. Where they cannot hold
    /// it, nothing is asked that could be refused: the client named nothing.
    fn create_defaults(
        &self,
        body: &mut Map<String, Value>,
        behind: &crate::mapping::Dialect,
        held: &dyn Fn(&str) -> bool,
    ) {
        let rules = self.dialect.webhook.rules.iter();
        for rule in rules.filter(|r| r.request && r.ops.create && r.is_placed()) {
            let Some(assumed) = rule.default.as_ref() else {
                continue;
            };
            let name = rule.target.name();
            if rule.target.is_secret() || rule.target.get(body).is_some() || !held(&name) {
                continue;
            }
            let Ok(value) = rule.codec.decode(assumed) else {
                continue;
            };
            let theirs = behind
                .webhook
                .reading(&name)
                .and_then(|r| r.codec.decode(r.default.as_ref()?).ok());
            if theirs.as_ref() != Some(&value) {
                rule.target.set(body, value);
            }
        }
    }

    /// Takes out of `body` the members it gives the value this API shows for none (a rule's
    /// `render_default`), where `unheld` says the webhooks behind cannot hold them.
    fn drop_shown_defaults(&self, body: &mut Map<String, Value>, unheld: &dyn Fn(&str) -> bool) {
        for rule in self.dialect.webhook.rules.iter().filter(|r| r.request) {
            let Some(shown) = &rule.render_default else {
                continue;
            };
            let name = rule.target.name();
            if unheld(&name) && rule.target.get(body) == rule.codec.decode(shown).ok().as_ref() {
                rule.target.remove(body);
            }
        }
    }

    /// A replacement's members that its client could not have seen: ones its own vendor shows
    /// that the webhooks behind hold but never report, so that a read here showed none of them,
    /// or the value this API shows for none. Left out, such a member would be reset without
    /// the client having seen what it held: refused, named. Sent as shown, it is left as it
    /// is (taken out of `body`, and returned, so that the replacement does not clear it).
    fn unseen_members(
        &self,
        body: &mut Map<String, Value>,
        held: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<String>, Problem> {
        let mut unchanged = Vec::new();
        if !self.translating() {
            return Ok(unchanged);
        }
        let mut reset = Vec::new();
        let rules = (self.dialect.webhook.rules.iter())
            .filter(|r| r.request && r.ops.update && r.is_placed() && !r.target.is_secret());
        for rule in rules {
            let name = rule.target.name();
            let shown = self
                .dialect
                .webhook
                .reading(&name)
                .is_some_and(|r| r.response);
            if !shown || !held(&name) || self.unreported(std::iter::once(name.clone())).is_empty() {
                continue;
            }
            let as_shown = rule
                .render_default
                .as_ref()
                .and_then(|d| rule.codec.decode(d).ok());
            match rule.target.get(body) {
                None => reset.push(FieldError::new(
                    &name,
                    format!(
                        "would be reset: upstream {} never reports it, so no read here showed it; name it to keep or change it",
                        self.backend
                            .upstream()
                            .unwrap_or(&self.backend.dialect().name)
                    ),
                )),
                Some(sent) if Some(sent) == as_shown.as_ref() => {
                    rule.target.remove(body);
                    unchanged.push(name);
                }
                Some(_) => {}
            }
        }
        if reset.is_empty() {
            Ok(unchanged)
        } else {
            Err(Problem::validation(reset))
        }
    }

    /// A read or write of resource `i`: a read the backend could only answer with made-up
    /// values is refused; a write is an update of the webhook's members the resource holds.
    pub(super) fn resource_request(
        &self,
        op: &mut Operation,
        routed: &Routed<Route>,
        i: usize,
        verb: ResourceVerb,
        item: Option<Value>,
    ) -> Result<(), Problem> {
        let r = &self.dialect.resources[i];
        if verb == ResourceVerb::Get {
            op.reveal_secret = r.fields.reading("secret").is_some();
            if !self.translating() {
                return Ok(());
            }
            let upstream = routed.upstream().unwrap_or(&self.backend.dialect().name);
            let unread = self.never_reported(r);
            if !unread.is_empty() {
                return Err(Problem::new(
                    Code::UnsupportedOperation,
                    format!(
                        "upstream {upstream} never reports a webhook's {}",
                        unread.join(", ")
                    ),
                ));
            }
            return self.anything_to_read(op, r, upstream);
        }
        let item = item.unwrap_or_default();
        let parsed = self.parse_item(routed.route.kind, Action::Update, &item)?;
        op.body = Some(parsed.body);
        op.switched = parsed.switched;
        op.mode = match verb {
            ResourceVerb::Update => UpdateMode::Merge,
            _ => UpdateMode::Members,
        };
        Ok(())
    }

    /// The members a resource shows that the webhooks behind never report: an empty one would
    /// be made up, so a read of the resource cannot be answered.
    fn never_reported(&self, r: &Resource) -> Vec<String> {
        let answered = r
            .fields
            .rules
            .iter()
            .filter(|rule| rule.response && !rule.target.is_secret())
            .map(|rule| rule.target.name())
            .filter(|name| !name.starts_with("extensions."));
        self.unreported(answered)
    }

    /// Refuses a read of resource `r` of which the upstream can read nothing back: one whose
    /// answers show no member (its fields are only written, a flag that turns signing on), or
    /// whose members the upstream reads nowhere (a key its vendor makes, which no read of the
    /// upstream's answers, and no resource of its that it can read, holds). Its answer would
    /// be an object of nothing, not even the webhook's id: the upstream has no such resource,
    /// as it has no operation it lacks. The members it can read are read (`Operation::reads`).
    fn anything_to_read(
        &self,
        op: &mut Operation,
        r: &Resource,
        upstream: &str,
    ) -> Result<(), Problem> {
        let answered: Vec<String> = (r.fields.rules.iter())
            .filter(|rule| rule.response && rule.is_placed())
            .map(|rule| rule.target.name())
            .collect();
        let behind = self.backend.dialect();
        let readable = |name: &String| {
            behind
                .webhook
                .reading(name)
                .is_some_and(|rule| rule.response)
                || (behind.webhook.rules.iter())
                    .any(|rule| rule.target.is(name) && rule.implied.is_some())
                || (behind.resources.iter()).any(|held| held.holds(name) && held.get.is_some())
        };
        // A secret is the gateway's to answer where the upstream shows it once (it keeps it).
        let secret = answered.iter().any(|name| name == "secret");
        if secret || answered.iter().any(readable) {
            op.reads = answered;
            return Ok(());
        }
        let why = match answered.is_empty() {
            true => "its members are only written, and no answer shows them".to_owned(),
            false => format!(
                "upstream {upstream} reads a webhook's {} nowhere",
                answered.join(", ")
            ),
        };
        Err(Problem::new(
            Code::UnsupportedOperation,
            format!(
                "upstream {upstream} has nothing to answer a read of `{}` with: {why}",
                r.name
            ),
        ))
    }

    /// The canonical fields of `names` that the webhooks behind never hold: no rule reads them
    /// from the backend's answers, no resource of its holds them, and none is implied.
    fn unreported(&self, names: impl Iterator<Item = String>) -> Vec<String> {
        let behind = self.backend.dialect();
        names
            .filter(|name| {
                let read = behind.webhook.reading(name).is_some_and(|r| r.response);
                let implied =
                    (behind.webhook.rules.iter()).any(|r| r.target.is(name) && r.implied.is_some());
                !read && !implied && behind.resource_of(name).is_none()
            })
            .collect()
    }

    /// What makes an operation's answer one this API could never give: the members the
    /// webhooks it answers always hold (an SDK's required ones, `render_required` without a
    /// `render_default`) that the webhooks behind never hold. Found once, when the API is
    /// built; carried out, a create would make the webhook and then answer 502, and the
    /// client's retry make another.
    pub(super) fn never_shown(&self, role: Role) -> Option<String> {
        let answer = self
            .dialect
            .endpoint(role)
            .and_then(|e| e.response.as_ref());
        if !self.translating() {
            return None;
        }
        if answer.is_some_and(|t| t.path_of("result").is_some()) {
            return self.never_tested(role);
        }
        let shows_webhooks =
            answer.is_some_and(|t| t.path_of("webhook").is_some() || t.path_of("items").is_some());
        if !shows_webhooks {
            return None;
        }
        let always = self.dialect.webhook.rules.iter().filter(|r| {
            r.response
                && r.is_placed()
                && r.render_required
                && r.render_default.is_none()
                && !r.nullable
        });
        // An owner is the one the route names, and a status is derived from `enabled`.
        let always = always
            .map(|r| r.target.name())
            .filter(|name| !matches!(name.as_str(), "id" | "owner" | "status"));
        let missing = self.unreported(always);
        (!missing.is_empty()).then(|| format!("a webhook's {}", missing.join(", ")))
    }
}

impl VendorApi {
    /// The members a test's answer here always holds that the backend's test never reports:
    /// a test result the surface would have to make up. The event type is the one the client
    /// asks for, where its test names one, and the time it was sent the time the backend
    /// answered that it was.
    fn never_tested(&self, role: Role) -> Option<String> {
        // A backend that tests nothing reports no member of a test: it is refused as having no
        // test at all when the call is planned.
        self.backend.dialect().operation(Action::Test)?;
        let behind = &self.backend.dialect().test_result;
        let asks_event = (self.dialect.endpoint(role).and_then(|e| e.body.as_ref()))
            .is_some_and(|b| b.slots().contains(&"current.events"));
        let missing: Vec<String> = (self.dialect.test_result.rules.iter())
            .filter(|r| r.response && r.is_placed() && r.render_required)
            .filter(|r| r.render_default.is_none() && !r.nullable)
            .map(|r| r.target.name())
            .filter(|name| !(asks_event && name == "event_type") && name != "sent_at")
            .filter(|name| !behind.reading(name).is_some_and(|r| r.response))
            .map(|name| format!("`{}`", self.dialect.test_result.vendor_name(&name)))
            .collect();
        (!missing.is_empty()).then(|| format!("a test's {}", missing.join(", ")))
    }

    /// Refuses a test whose client asks for event type `asked` where the backend's test cannot
    /// carry one (its request names no event type: it sends its own test event), unless
    /// `asked` is the one the backend's mapping says that test sends (`[test_result.event_type]
    /// implied = …`). Carried out, the answer would report an event type never sent.
    pub(super) fn asked_event_sendable(&self, asked: &Value) -> Result<(), Problem> {
        if !self.translating() {
            return Ok(());
        }
        let behind = self.backend.dialect();
        // A backend that tests nothing is refused as such when the call is planned.
        let Some(test) = behind.operation(Action::Test) else {
            return Ok(());
        };
        let carried = (test.body.as_ref()).is_some_and(|b| b.slots().contains(&"current.events"));
        let own = (behind.test_result.rules.iter())
            .find(|r| r.target.is("event_type"))
            .and_then(|r| r.implied.as_ref());
        if carried || own == Some(asked) {
            return Ok(());
        }
        let upstream = self.backend.upstream().unwrap_or(&behind.name);
        let message = match own.and_then(Value::as_str) {
            Some(own) => format!("upstream {upstream} sends only its own test event, `{own}`"),
            None => format!(
                "upstream {upstream} sends only its own test event, whose type it does not name"
            ),
        };
        Err(Problem::validation(vec![FieldError::new(
            self.asked_event_member(),
            message,
        )]))
    }

    /// The member of this API's test body that names the event type to send, by the name its
    /// field errors give it.
    fn asked_event_member(&self) -> String {
        let endpoint = self.dialect.endpoint(Role::Action(Action::Test));
        let path = (endpoint.and_then(|e| e.body.as_ref()))
            .and_then(|b| b.path_of_item("current.events", &[0]));
        let checked = endpoint
            .and_then(|e| e.request.iter().find(|m| Some(&m.path) == path.as_ref()))
            .map(|m| m.name.clone());
        checked
            .or_else(|| path.and_then(|p| p.keys()).map(|k| k.join(".")))
            .unwrap_or_else(|| "events".to_owned())
    }
}

/// A form body as a JSON object of text (see [`crate::form`]), for a vendor that takes forms:
/// a body of another media type (`media_type`, its one `Content-Type`) is refused as that vendor
/// refuses it (415), an empty one is none.
fn form_body(
    media_type: Option<&str>,
    bytes: &[u8],
) -> Result<Option<Map<String, Value>>, Problem> {
    const FORM: &str = "application/x-www-form-urlencoded";
    if let Some(media_type) = media_type {
        let essence = headers::essence(media_type);
        if !essence.eq_ignore_ascii_case(FORM) && !bytes.is_empty() {
            return Err(Problem::new(
                Code::UnsupportedMediaType,
                format!("the body must be {FORM}, not {essence}"),
            ));
        }
    }
    let members = crate::form::decode(bytes).map_err(Problem::bad_request)?;
    Ok((!members.is_empty()).then_some(members))
}

/// Leaves out of a replacement's canonical `body` the members given `null` (top-level and
/// `extensions.NAME`) that `held` says the webhooks behind cannot hold.
fn drop_unheld_nulls(body: &mut Map<String, Value>, held: &dyn Fn(&str) -> bool) {
    body.retain(|name, value| !value.is_null() || name == "extensions" || held(name));
    if let Some(Value::Object(ext)) = body.get_mut("extensions") {
        let before = ext.len();
        ext.retain(|key, value| !value.is_null() || held(&format!("extensions.{key}")));
        if ext.is_empty() && before > 0 {
            body.shift_remove("extensions");
        }
    }
}

/// The member of a create's body at `at`, where the vendor takes its idempotency key (`None`
/// where the body has none), read one way only, since the vendor reads it as it is relayed:
/// a member on the way to it, or beside it, that a parser which ignores letter case would
/// take for it (`IDEMPOTENCY_KEY`, `idempotency_\u212aey`) is refused, and so is one given
/// twice (one parser keeps the first, another the last). Either would reach the vendor as the
/// client wrote it, unscoped. `document` is `bytes` read.
pub(super) fn key_member<'d>(
    at: &crate::mapping::json_path::FieldPath,
    document: &'d Value,
    bytes: &[u8],
) -> Result<Option<&'d Value>, Problem> {
    // A mapping places the key by member names alone (checked when it is loaded).
    let Some(keys) = at.keys() else {
        return Ok(None);
    };
    if !crate::json::once_at(bytes, &keys) {
        return Err(Problem::bad_request(format!(
            "the body gives `{at}` more than once: a vendor may read either; send the idempotency key once"
        )));
    }
    let mut here = document;
    let mut shown: Vec<&str> = Vec::new();
    for key in &keys {
        let Value::Object(object) = here else {
            return Ok(None);
        };
        if let Some(other) = object.keys().find(|k| *k != key && folded::same(k, key)) {
            return Err(case_refusal(&shown, other, key));
        }
        let Some(value) = object.get(key) else {
            return Ok(None);
        };
        shown.push(key);
        here = value;
    }
    Ok(Some(here))
}

/// The refusal of member `other`, which a case-blind parser takes for `key` (under `shown`).
fn case_refusal(shown: &[&str], other: &str, key: &str) -> Problem {
    let at = |last: &str| {
        let mut all: Vec<&str> = shown.to_vec();
        all.push(last);
        all.join(".")
    };
    Problem::bad_request(format!(
        "`{}` is `{}` in another letter case: a vendor that reads members whatever their case would take one for the other; send `{key}` once",
        at(other),
        at(key)
    ))
}

/// A relayed request's query without the pairs whose name a vendor may read as one of `held`
/// (a credential's place): its name decoded, as parsers differ, in any letter case, Unicode's
/// folds included (ASP.NET and some PHP and Go frameworks match names so; `ſig` is `SIG`),
/// without the spaces, control and invisible characters and `[…]` suffix that some parsers
/// strip (`%20key`, `key%00`, `key[]`), and up to a `;` or `=`, as sent or decoded (`key;=evil`,
/// `key%3B=evil`, `key%3D=evil`): each pair is read decoded first, as a parser that decodes
/// before it splits reads it. A held name after a separator within a pair, as sent or decoded
/// (`cursor=a;key=evil`, `x=1%3Bkey%3Devil`, `x=a%26key%3Devil`), is refused rather than cut
/// out: parsers that split there read it as a parameter of its own, others as part of the
/// value before it, which cut would change.
fn held_back(query: &str, held: &[Cow<'_, str>]) -> Result<Option<String>, Problem> {
    let folded = |name: &str| name.to_uppercase().to_lowercase();
    let held: Vec<String> = held.iter().map(|h| folded(h)).collect();
    let unseen = |c: char| {
        c.is_whitespace()
            || c.is_control()
            || matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
    };
    // The name a piece of a decoded pair begins with: up to the first separator any parser
    // may split at.
    let names_held = |piece: &str| {
        let name = piece.split(['=', ';', '&']).next().unwrap_or_default();
        let name = name.trim_matches(unseen);
        let name = name.split_once('[').map_or(name, |(n, _)| n);
        held.contains(&folded(name)).then(|| name.to_owned())
    };
    let mut kept = Vec::new();
    for pair in query.split('&') {
        // `+` is a space to a form's parser, and `%2B` a `+` to every parser.
        let spaced = pair.replace('+', " ");
        let decoded = percent_encoding::percent_decode_str(&spaced).decode_utf8_lossy();
        let mut pieces = decoded.split([';', '&']);
        let first = pieces.next().unwrap_or_default();
        if let Some(name) = pieces.find_map(names_held) {
            return Err(Problem::validation(vec![FieldError::in_query(
                name,
                "names where the upstream's credential goes, after a `;` or `&` (as sent or percent-encoded) that some vendors read as a separator: it cannot be relayed",
            )]));
        }
        if names_held(first).is_none() {
            kept.push(pair);
        }
    }
    Ok((!kept.is_empty()).then(|| kept.join("&")))
}

/// The bytes a request target cannot carry as they are (RFC 3986: controls, spaces, quotes,
/// angle and curly brackets, `\`, `^`, `` ` ``, `|`, and every byte beyond ASCII), which a
/// client may have sent raw and the relay writes percent-encoded, as any URL parser would
/// read them; `%` and the query's own delimiters are left as they are.
const UNSENDABLE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Whether `given`, a member of a client's body, is the literal `value`: the same JSON, or a
/// text a form writes for it (`2`, `true`).
fn reads_same(value: &Value, given: &Value) -> bool {
    value == given || scalar_text(value).is_some_and(|v| scalar_text(given) == Some(v))
}

/// Whether `given`, a member of a client's body, names `expected`, an id or owner as a request
/// names it: its text, or a number whose text it is.
fn names(expected: &str, given: &Value) -> bool {
    scalar_text(given).is_some_and(|text| text == expected)
}

/// A string's text, or a number's or boolean's as JSON writes it; none for anything else.
fn scalar_text(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number(_) | Value::Bool(_) => Some(Cow::Owned(value.to_string())),
        _ => None,
    }
}

/// A value as a refusal shows it: a string's text, anything else as JSON.
fn written(value: &Value) -> Cow<'_, str> {
    match value {
        Value::String(s) => Cow::Borrowed(s),
        other => Cow::Owned(other.to_string()),
    }
}

/// What a refusal says of a member naming another id or owner than the request does.
fn other_than_named(expected: &str, what: &str, given: &Value) -> String {
    format!(
        "must be `{expected}`, {what} this request names, not `{}`",
        written(given)
    )
}

/// The place `place` of the item at `at` (the root where the body is the item) in the body.
fn within(at: Option<&FieldPath>, place: &FieldPath) -> FieldPath {
    let steps = at.map_or(&[][..], FieldPath::steps).iter();
    FieldPath::of_steps(steps.chain(place.steps()).cloned().collect())
}
