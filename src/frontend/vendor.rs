//! A vendor's own API, served by hookgate: the same paths, verbs, bodies, envelopes and status
//! codes as the vendor's documentation, read and written through that vendor's mapping file.
//!
//! In front of a [`Store`](crate::store::Store) it is an emulator of the vendor; in front of an
//! upstream of another dialect it is the drop-in mode, where a client written for vendor X keeps
//! working while its webhooks live at vendor Y; in front of an upstream of its own dialect it
//! relays the client's requests as they are, after the same checks.

use super::{Backend, Frontend, Head, Job, Outcome, Relay, Routed, query_pairs, segments};
use crate::auth::{self, Inbound, Scope};
use crate::http::body::{self, Body};
use crate::http::headers::{self, X_REQUEST_ID};
use crate::mapping::model::{ClientAuth, Endpoint, Paging, Resource, ResourceVerb, Role};
use crate::mapping::rules::{ObjectMap, Target};
use crate::mapping::template::{Slots, Template};
use crate::mapping::url::PathTemplate;
use crate::mapping::{Dialect, Strategy, patch};
use crate::model::{self, Action, Done, ListQuery, Operation, UpdateMode};
use crate::problem::{Code, FieldError, Problem};
use crate::upstream::Auth;
use bytes::Bytes;
use http::{HeaderMap, Method, Response, header};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::sync::Arc;

/// A vendor's API in front of a backend.
pub struct VendorApi {
    /// The dialect served.
    pub dialect: Arc<Dialect>,
    /// Where its operations go.
    pub backend: Backend,
    /// The one owner this API bridges when only one of its dialect and the backend's has an
    /// owner scope: the owner used at the backend (client without owners), or the only owner
    /// served (backend without owners).
    pub owner: Option<String>,
    /// For an emulator that stands for a configured upstream: that upstream's name, so that a
    /// key restricted to other upstreams may not use it either.
    stands_for: Option<String>,
    /// The routes, matched in order.
    routes: Vec<SurfaceRoute>,
}

/// One route of the vendor's API.
#[derive(Debug, Clone)]
struct SurfaceRoute {
    method: Method,
    path: PathTemplate,
    kind: Kind,
    /// Where the operation takes the owner and the id when its path does not name them.
    owner_at: Option<Place>,
    id_at: Option<Place>,
    /// The header fields the operation declares, whose client values a relay passes on.
    declared: Vec<http::HeaderName>,
}

/// Where an operation takes an owner or id outside its path.
#[derive(Debug, Clone)]
enum Place {
    /// The query parameter of this name.
    Query(String),
    /// The header field of this name.
    Header(http::HeaderName),
}

impl Place {
    /// Where `endpoint` sends `{{slot}}` alone outside its path, if it does.
    fn of(endpoint: &Endpoint, slot: &str) -> Option<Place> {
        let seg = match slot {
            "owner" => crate::mapping::url::PathSeg::Owner,
            _ => crate::mapping::url::PathSeg::Id,
        };
        if endpoint.path.has(&seg) {
            return None;
        }
        match (endpoint.param_of(slot), endpoint.header_of(slot)) {
            (Some(param), _) => Some(Place::Query(param.to_owned())),
            (None, Some(name)) => Some(Place::Header(name.clone())),
            (None, None) => None,
        }
    }

    /// The value a request gives here: nothing when it is not there or empty. A value given
    /// twice is refused, since parsers disagree on which of them counts, and the owner or id
    /// is what finds a webhook.
    fn given(&self, query: Option<&str>, headers: &HeaderMap) -> Result<Option<String>, Problem> {
        let values: Vec<String> = match self {
            Place::Query(param) => query_pairs(query)
                .into_iter()
                .filter_map(|(k, v)| (k == *param).then_some(v))
                .collect(),
            Place::Header(name) => headers
                .get_all(name)
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect(),
        };
        match values.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one.clone()).filter(|v| !v.is_empty())),
            _ => Err(self.refusal("is given more than once")),
        }
    }

    /// A refusal of what stands here, in the vendor's words where it has them.
    fn refusal(&self, why: &str) -> Problem {
        match self {
            Place::Query(param) => Problem::validation(vec![FieldError::in_query(param, why)]),
            Place::Header(name) => Problem::bad_request(format!("the {name} header {why}")),
        }
    }
}

/// What a route is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A declared operation.
    Operation(Role),
    /// A resource's verb.
    Resource(usize, ResourceVerb),
}

/// A client's body in canonical terms: its members, and the event types it switches one by one
/// (`Operation::switched`).
struct Parsed {
    body: Map<String, Value>,
    switched: Vec<(String, bool)>,
}

/// A routed request of the vendor's API.
pub struct Route {
    kind: Kind,
    /// Which of the API's routes matched: a relayed request is rebuilt from its method and path
    /// template.
    at: usize,
    /// The owner and the id the path names, or a query parameter or header where the vendor
    /// takes them there.
    owner: Option<String>,
    id: Option<String>,
    /// The client's query string.
    query: Option<String>,
    /// The client's values of the header fields the route's operation declares, relayed as
    /// they are.
    headers: Vec<(http::HeaderName, http::HeaderValue)>,
    /// Where the client sent a list that names its next page in a `Link` header, which links
    /// back to it ([`Head::url`]).
    url: Option<String>,
}

impl VendorApi {
    /// Refuses an owner or id of a shape the vendor never gives (after authentication, so that
    /// a client without a key learns nothing but the 401). Owners and ids are the backend's:
    /// where a surface speaks for another dialect, its clients hold the other vendor's ids, of
    /// the other vendor's shape. A bridged owner (the backend has none) is the surface's own,
    /// held to its configured owner instead.
    fn check_shapes(&self, owner: Option<&str>, id: Option<&str>) -> Result<(), Problem> {
        let held = self.backend.dialect();
        if let Some(owner) = owner
            && held.has_owner()
            && !held.admits_owner(owner)
        {
            return Err(Problem::not_found(format!("no owner {owner}")));
        }
        if let (Some(id), Some(format)) = (id, held.id_format.as_ref())
            && !format.admits(id)
        {
            return Err(Problem::not_found(format!("no webhook {id}")));
        }
        Ok(())
    }

    /// The API of `dialect` in front of `backend`.
    pub fn new(dialect: Arc<Dialect>, backend: Backend, owner: Option<String>) -> VendorApi {
        let mut routes: Vec<SurfaceRoute> = dialect
            .operations
            .iter()
            .map(|op| SurfaceRoute {
                method: op.method.clone(),
                path: op.path.clone(),
                kind: Kind::Operation(op.role),
                owner_at: Place::of(op, "owner"),
                id_at: Place::of(op, "id"),
                declared: op.headers.iter().map(|(name, _)| name.clone()).collect(),
            })
            .collect();
        for (i, r) in dialect.resources.iter().enumerate() {
            for verb in [
                ResourceVerb::Get,
                ResourceVerb::Replace,
                ResourceVerb::Update,
            ] {
                if let Some(e) = r.endpoint(verb) {
                    routes.push(SurfaceRoute {
                        method: e.method.clone(),
                        path: e.path.clone(),
                        kind: Kind::Resource(i, verb),
                        owner_at: None,
                        id_at: None,
                        declared: Vec::new(),
                    });
                }
            }
        }
        VendorApi {
            dialect,
            backend,
            owner,
            stands_for: None,
            routes,
        }
    }

    /// The same API, for an emulator standing for `upstream` (see `stands_for`).
    pub fn standing_for(mut self, upstream: Option<&str>) -> VendorApi {
        self.stands_for = upstream.map(str::to_owned);
        self
    }

    /// Whether the webhooks behind this API live in another dialect.
    fn translating(&self) -> bool {
        self.backend.dialect().name != self.dialect.name
    }

    /// Whether requests are relayed as they are: an upstream of this very dialect.
    fn relays(&self) -> bool {
        matches!(self.backend, Backend::Upstream(_)) && !self.translating()
    }

    /// Whether the client's credential goes to the vendor, which checks it.
    pub fn passes_credential(&self) -> bool {
        matches!(&self.backend, Backend::Upstream(u) if matches!(u.auth, Auth::Passthrough))
    }

    /// The action a route carries out.
    fn action(&self, kind: Kind) -> Action {
        match kind {
            Kind::Operation(role) => role.action(),
            Kind::Resource(_, ResourceVerb::Get) => Action::Get,
            Kind::Resource(..) => Action::Update,
        }
    }

    /// A create of an owner-scoped dialect that names no owner where the vendor takes it (its
    /// body without it, or a query parameter or header left out) is refused in the vendor's
    /// words.
    fn owner_missing(&self, route: &Route) -> Problem {
        match &self.routes[route.at].owner_at {
            Some(place) => place.refusal("is required"),
            None => Problem::validation(vec![FieldError::new(
                self.dialect.webhook.vendor_name("owner"),
                "is required",
            )]),
        }
    }

    /// The owner a request asks for at the backend: the path's, the bridged one, or none.
    fn backend_owner(&self, owner: Option<&str>) -> Result<Option<String>, Problem> {
        match (owner, self.backend.dialect().has_owner()) {
            (Some(o), true) => match &self.owner {
                // This API's calls by id alone go to the one owner it bridges: a client that
                // names another would see webhooks it cannot then read by their ids.
                Some(bridged) if bridged != o => Err(Problem::not_found(format!("no owner {o}"))),
                _ => Ok(Some(o.to_owned())),
            },
            (None, true) => Ok(self.owner.clone()),
            (Some(o), false) => match &self.owner {
                // The backend keeps no owners: only the one this API bridges is real.
                Some(bridged) if bridged == o => Ok(None),
                _ => Err(Problem::not_found(format!("no owner {o}"))),
            },
            (None, false) => Ok(None),
        }
    }

    /// A backend's field errors, worded for this API's clients. Where this dialect reports a
    /// field under a containing member (a `webhook_config` object), the message names the
    /// member inside it; a field this dialect cannot spell at all is said to be the backend's.
    fn reword_for_client(&self, mut problem: Problem) -> Problem {
        if !self.translating() {
            return problem;
        }
        let backend = match &self.backend {
            Backend::Upstream(u) => u.name.clone(),
            Backend::Store(s) => s.dialect().name.clone(),
        };
        for error in &mut problem.errors {
            let rule = self
                .dialect
                .webhook
                .rules
                .iter()
                .chain(self.dialect.resources.iter().flat_map(|r| &r.fields.rules))
                .find(|r| r.path.is_some() && r.request && r.target.is(&error.field));
            match rule.and_then(|r| Some((r.path.as_ref()?.to_string(), &r.error_field))) {
                Some((path, container)) => {
                    // An item of an array field (`events[1]: …`) is named as this API names
                    // the array.
                    if let Some(rest) = error
                        .message
                        .strip_prefix(error.field.as_str())
                        .filter(|rest| rest.starts_with('['))
                    {
                        error.message = format!("{path}{rest}");
                    }
                    if let Some(inner) = path
                        .strip_prefix(container.as_str())
                        .and_then(|p| p.strip_prefix('.'))
                    {
                        error.message = format!("{inner} {}", error.message);
                    }
                }
                None => {
                    error.message = format!(
                        "{} (`{}` of upstream {backend}, which this API has no field for)",
                        error.message, error.field
                    );
                }
            }
        }
        if !problem.errors.is_empty() {
            problem.detail = crate::problem::summarise(&problem.errors);
        }
        problem
    }

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

    /// The rules of the object a route's body holds: the webhook, or a resource.
    fn object(&self, kind: Kind) -> &ObjectMap {
        match kind {
            Kind::Resource(i, _) => &self.dialect.resources[i].fields,
            Kind::Operation(_) => &self.dialect.webhook,
        }
    }

    /// The item in a request body: where `{{webhook}}` (or `{{resource}}`) stands.
    fn item(&self, kind: Kind, body: Value) -> Value {
        let at = match kind {
            Kind::Operation(role) => self
                .dialect
                .endpoint(role)
                .and_then(|e| e.body_item_path.clone()),
            Kind::Resource(i, verb) => self.dialect.resources[i]
                .endpoint(verb)
                .and_then(|e| e.body_item_path.clone()),
        };
        match at {
            Some(path) => path.extract(body).unwrap_or(Value::Object(Map::new())),
            None => body,
        }
    }

    /// The vendor's own validation of a body, then the body in canonical terms.
    fn parse_item(&self, kind: Kind, action: Action, item: &Value) -> Result<Parsed, Problem> {
        let map = self.object(kind);
        // A replacement and a resource's write carry the whole object, as a create does: a
        // required member left out is refused, not kept from before.
        let whole = matches!(kind, Kind::Operation(Role::Replace) | Kind::Resource(..));
        let mut violations = match kind {
            // A resource's merge: a `null` inside a member's map removes that entry.
            Kind::Resource(_, ResourceVerb::Update) => map.check_merge(action, item),
            _ if whole => map.check_whole(action, item),
            _ => map.check(action, item),
        };
        if self.translating() {
            // Event names are the backend's own (the canonical model keeps each upstream's
            // vocabulary): the backend checks them, and its refusal is rendered here.
            violations.retain(|v| !(v.check == "one_of" && v.rule.target.is("events")));
        }
        if !violations.is_empty() {
            return Err(Problem::validation(
                violations.iter().map(|v| v.in_vendor_words()).collect(),
            ));
        }
        let parsed = if whole {
            map.parse_whole(action, item)
        } else {
            map.parse(action, item)
        };
        let mut parsed = parsed.map_err(Problem::validation)?;
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
        model::check_body(action, &parsed)?;
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
    fn test_event(&self, body: Map<String, Value>) -> Option<Map<String, Value>> {
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

    /// The new secret a client of a rotation chose, where this vendor's rotation body takes one
    /// (`{{secret}}`), as the canonical body of the rotation (`{"secret": …}`).
    fn chosen_secret(&self, body: Map<String, Value>) -> Option<Map<String, Value>> {
        let path = self
            .dialect
            .endpoint(Role::Action(Action::RotateSecret))
            .and_then(|e| e.body.as_ref())
            .and_then(|b| b.path_of("secret"))?;
        path.extract(Value::Object(body))
            .filter(Value::is_string)
            .map(|secret| Map::from_iter([("secret".to_owned(), secret)]))
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
        let patches = kind == Kind::Operation(Role::Action(Action::Update))
            && self
                .dialect
                .endpoint(Role::Action(Action::Update))
                .is_some_and(|e| e.strategy == Strategy::JsonPatch);
        let read = match self.dialect.form {
            None if patches => self.patch_body(bytes)?,
            None => super::object(bytes).map_err(|p| errors.unreadable(p))?,
            Some(_) => form_body(headers, bytes)?,
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
        let Some(patch) = super::document(bytes).map_err(|p| errors.unreadable(p))? else {
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
    fn body_and_item(
        &self,
        kind: Kind,
        query: Option<&str>,
        headers: &HeaderMap,
        bytes: &[u8],
    ) -> Result<BodyAndItem, Problem> {
        if !self.takes_body(kind) {
            return Ok((None, None));
        }
        let body = self.read_body(kind, headers, bytes)?;
        self.check_request(kind, &body)?;
        let writes = matches!(
            kind,
            Kind::Resource(_, ResourceVerb::Replace | ResourceVerb::Update)
        ) || matches!(self.action(kind), Action::Create | Action::Update);
        let mut item = writes.then(|| self.item(kind, Value::Object(body.clone())));
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
        // An update with a field mask changes what the mask names, whatever else it holds.
        let mask = (kind == Kind::Operation(Role::Action(Action::Update)))
            .then(|| self.dialect.endpoint(Role::Action(Action::Update)))
            .flatten()
            .and_then(|e| e.update_mask.as_deref());
        if let (Some(param), Some(Value::Object(members))) = (mask, &mut item) {
            let given = query_pairs(query);
            let named: Vec<&str> = given
                .iter()
                .filter(|(k, _)| k == param)
                .map(|(_, v)| v.as_str())
                .collect();
            if !named.is_empty() {
                *members = patch::masked(std::mem::take(members), &named);
            }
        }
        Ok((Some(body), item))
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
    fn list_for_backend(&self, query: Option<&str>) -> Result<ListQuery, Problem> {
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
    fn list_query(&self, role: Role, query: Option<&str>) -> Result<ListQuery, Problem> {
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

    /// A backend's webhook as this dialect can show it. Values the backend's dialect implies
    /// (webhooks of a dialect without an enabled flag are always enabled) are stated, since
    /// this dialect may spell them; members the backend keeps under `extensions` are its own
    /// vendor's fields, which this dialect does not have, unless this dialect names them too.
    /// The owner is the one the client asked under.
    fn as_seen_here(
        &self,
        mut webhook: Map<String, Value>,
        owner: Option<&str>,
    ) -> Map<String, Value> {
        if self.translating() {
            for rule in &self.backend.dialect().webhook.rules {
                if let (Some(value), Target::Field(field)) = (&rule.implied, &rule.target) {
                    webhook.entry(field.name).or_insert_with(|| value.clone());
                }
            }
            model::derive_status(&mut webhook);
            if let Some(Value::Object(ext)) = webhook.get_mut("extensions") {
                ext.retain(|key, _| {
                    self.dialect.webhook.names_extension(key)
                        || self
                            .dialect
                            .resources
                            .iter()
                            .any(|r| r.fields.names_extension(key))
                });
                if ext.is_empty() {
                    webhook.shift_remove("extensions");
                }
            }
        }
        if let Some(owner) = owner
            && (self.translating() || webhook.get("owner").is_none_or(Value::is_null))
        {
            webhook.insert("owner".into(), Value::from(owner));
        }
        webhook
    }

    /// A webhook in this dialect's shape; one it cannot show (two events where it holds one)
    /// is refused, never bent.
    fn shown(&self, map: &ObjectMap, webhook: &Map<String, Value>) -> Result<Value, Problem> {
        map.render(webhook).map_err(|refused| {
            let id = webhook.get("id").and_then(Value::as_str).unwrap_or("?");
            let mut p = Problem::with_errors(
                Code::UpstreamError,
                refused
                    .into_iter()
                    .map(|e| {
                        FieldError::new(
                            e.field,
                            format!("cannot be shown in this API ({})", e.message),
                        )
                    })
                    .collect(),
            );
            p.detail = format!("webhook {id} cannot be shown in this API: {}", p.detail);
            p
        })
    }

    /// A request for an upstream of this very dialect: the same checks as a translated write,
    /// then the client's bytes go on as they are, to the path the route's template rebuilds.
    fn relay(
        &self,
        route: &Route,
        action: Action,
        item: Option<&Value>,
        bytes: Bytes,
    ) -> Result<Job, Problem> {
        if let Some(item) = item {
            let parsed = self.parse_item(route.kind, action, item)?;
            if let Backend::Upstream(u) = &self.backend {
                u.url_policy
                    .check_webhook(&parsed.body)
                    .map_err(|r| Problem::validation(vec![r.field_error()]))?;
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
        // The client's credential in the query is the vendor's only where it is passed through:
        // else it is a key of hookgate's, which the vendor is never sent.
        let query = match (&self.dialect.client_auth, route.query.as_deref()) {
            (ClientAuth::Query { name }, Some(query)) if !self.passes_credential() => {
                let kept: Vec<&str> = query
                    .split('&')
                    .filter(|pair| {
                        let key = pair.split_once('=').map_or(*pair, |(k, _)| k);
                        form_urlencoded::parse(key.as_bytes())
                            .next()
                            .is_none_or(|(k, _)| k != *name)
                    })
                    .collect();
                (!kept.is_empty()).then(|| kept.join("&"))
            }
            (_, query) => query.map(str::to_owned),
        };
        Ok(Job::Relay(Relay {
            method: matched.method.clone(),
            path,
            query,
            headers: route.headers.clone(),
            body: bytes,
            content_type: match route.kind {
                Kind::Operation(role) => self
                    .dialect
                    .endpoint(role)
                    .and_then(|e| e.content_type.clone()),
                Kind::Resource(..) => None,
            },
        }))
    }

    /// A create, update or replacement of the webhook, in canonical terms: the vendor's own
    /// checks, the values its dialect implies, and how the change applies (a replacement resets
    /// what it leaves out; an update changes the members it names).
    fn webhook_write(&self, op: &mut Operation, role: Role, item: &Value) -> Result<(), Problem> {
        let action = op.action;
        let Parsed { mut body, switched } = self.parse_item(Kind::Operation(role), action, item)?;
        op.switched = switched;
        if action == Action::Create {
            self.state_implied(&mut body);
        }
        if role == Role::Replace {
            let behind = self.backend.dialect();
            let kept = |name: &str| {
                behind.webhook.carries(name, Action::Update) || behind.resource_of(name).is_some()
            };
            self.dialect.webhook.replacement_defaults(&mut body, kept);
            op.mode = UpdateMode::Replace;
            op.upsert = self.dialect.endpoint(role).is_some_and(|e| e.upsert);
        } else if action == Action::Update {
            op.mode = UpdateMode::Members;
            op.upsert = self.dialect.endpoint(role).is_some_and(|e| e.upsert);
        }
        op.body = Some(body);
        Ok(())
    }

    /// A read or write of resource `i`: a read the backend could only answer with made-up
    /// values is refused; a write is an update of the webhook's members the resource holds.
    fn resource_request(
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
            let unread = self.never_reported(r);
            if self.translating() && !unread.is_empty() {
                let behind = self.backend.dialect();
                return Err(Problem::new(
                    Code::UnsupportedOperation,
                    format!(
                        "upstream {} never reports a webhook's {}",
                        routed.upstream().unwrap_or(&behind.name),
                        unread.join(", ")
                    ),
                ));
            }
            return Ok(());
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
        let behind = self.backend.dialect();
        r.fields
            .rules
            .iter()
            .filter(|rule| rule.response && !rule.target.is_secret())
            .map(|rule| rule.target.name())
            .filter(|name| {
                behind
                    .webhook
                    .reading(name)
                    .is_none_or(|rule| !rule.response)
                    && behind.resource_of(name).is_none()
            })
            .filter(|name| !name.starts_with("extensions."))
            .collect()
    }

    fn render_done(&self, routed: &Routed<Route>, done: Done) -> Result<Response<Body>, Problem> {
        use crate::model::Outcome as O;
        let d = &self.dialect;
        let route = &routed.route;
        // The owner the client asked under: its path's (query's, header's), else, where the
        // backend keeps no owners, the one this API serves.
        let served = self
            .owner
            .as_deref()
            .filter(|_| !self.backend.dialect().has_owner());
        let owner = route.owner.as_deref().or(served);
        let op_name = self.action(route.kind).name();
        let mut fill = Fill {
            request_id: "",
            operation: op_name,
            ..Fill::default()
        };
        match route.kind {
            Kind::Resource(i, verb) => {
                let r = &d.resources[i];
                let endpoint = r
                    .endpoint(verb)
                    .expect("routes are made from the endpoints a resource has");
                let webhook = match done.outcome {
                    O::Webhook(w) | O::Created(w) => w.into_map(),
                    _ => return Err(Problem::internal("a resource answered without its webhook")),
                };
                let Some(template) = &endpoint.response else {
                    return Ok(body::empty(endpoint.status));
                };
                let mut seen = self.as_seen_here(webhook, owner);
                // The resource shows its own members: the webhook's other leftovers are the
                // endpoint's (`channels`, `uid`), which no resource answer carries.
                if let Some(Value::Object(leftovers)) = seen.get_mut("extensions") {
                    leftovers.retain(|key, _| r.fields.names_extension(key));
                }
                let object = self.shown(&r.fields, &seen)?;
                let slots = |name: &str| (name == "resource").then(|| object.clone());
                Ok(match template.render(&slots) {
                    Some(v) => body::json(endpoint.status, &v, &d.media_type),
                    None => body::empty(endpoint.status),
                })
            }
            Kind::Operation(role) => {
                let endpoint = d
                    .endpoint(role)
                    .expect("routes are made from the operations the dialect has");
                let mut status = endpoint.status;
                let canonical_webhook;
                match done.outcome {
                    O::Created(w)
                        if role == Role::Replace || role == Role::Action(Action::Update) =>
                    {
                        // An update that created the webhook (a PUT of an unknown id).
                        status = 201;
                        canonical_webhook = self.as_seen_here(w.into_map(), owner);
                        fill.webhook = Some(self.shown(&d.webhook, &canonical_webhook)?);
                        fill.canonical = Some(&canonical_webhook);
                    }
                    O::Webhook(w) | O::Created(w) => {
                        canonical_webhook = self.as_seen_here(w.into_map(), owner);
                        fill.webhook = Some(self.shown(&d.webhook, &canonical_webhook)?);
                        fill.canonical = Some(&canonical_webhook);
                    }
                    O::TestResult(r) => fill.result = Some(self.shown(&d.test_result, &r)?),
                    O::List { items, next_cursor } => {
                        fill.count = Some(items.len());
                        let shown: Result<Vec<Value>, Problem> = items
                            .into_maps()
                            .into_iter()
                            .map(|w| {
                                let w = self.as_seen_here(w, owner);
                                self.shown(&d.webhook, &w)
                            })
                            .collect();
                        fill.items = Some(Value::Array(shown?));
                        fill.done = Some(next_cursor.is_none());
                        fill.limit = self.list_query(role, route.query.as_deref())?.limit;
                        // A vendor that names the next page by its URL: the URL, as it writes it.
                        fill.next_cursor = match (endpoint.paging, next_cursor) {
                            (Paging::Url, Some(next)) => {
                                next_url(endpoint, route.url.as_deref(), &next, fill.limit)
                            }
                            (_, next) => next,
                        };
                    }
                    // A delete's answer may be the webhook it deleted, where it was read before,
                    // or name it (`{"id": …, "deleted": true}`): the route's id.
                    O::Deleted(Some(w)) => {
                        canonical_webhook = self.as_seen_here(w.into_map(), owner);
                        fill.webhook = Some(self.shown(&d.webhook, &canonical_webhook)?);
                        fill.canonical = Some(&canonical_webhook);
                    }
                    O::Deleted(None) => {
                        canonical_webhook = route
                            .id
                            .iter()
                            .map(|id| ("id".to_owned(), Value::from(id.as_str())))
                            .collect();
                        fill.canonical = Some(&canonical_webhook);
                    }
                }
                let mut response = match endpoint.response.as_ref().and_then(|t| t.written(&fill)) {
                    Some(body) => body::json(status, &body, &d.media_type),
                    None => body::empty(status),
                };
                if let (Paging::Link, Some(next)) = (endpoint.paging, &fill.next_cursor)
                    && let Some(url) = next_url(endpoint, route.url.as_deref(), next, fill.limit)
                    && let Ok(link) = http::HeaderValue::try_from(format!("<{url}>; rel=\"next\""))
                {
                    response.headers_mut().insert(header::LINK, link);
                }
                Ok(response)
            }
        }
    }

    /// A relayed reply, passed on as it is: a JSON body byte for byte, an empty one as such; a
    /// body that is not JSON never, but the vendor's failure in its own shape.
    fn render_relayed(&self, reply: crate::exchange::Reply) -> Result<Response<Body>, Problem> {
        let Backend::Upstream(upstream) = &self.backend else {
            return Err(Problem::internal("a relay without an upstream"));
        };
        let status = reply.status.as_u16();
        if reply.body.is_empty() {
            return Ok(body::empty(status));
        }
        if !crate::json::is_document(&reply.body) {
            return Err(upstream.unreadable(&reply));
        }
        let retry_after = reply.retry_after().and_then(headers::value);
        let content_type = reply
            .headers
            .value("content-type")
            .filter(|v| v.as_bytes().ends_with(b"json"))
            .unwrap_or_else(|| self.dialect.media_type.clone());
        let mut response = body::bytes(status, reply.body, &content_type);
        if let Some(value) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        Ok(response)
    }
}

/// The next page's URL, for a vendor that names its next page by one (in a `Link` header, or
/// in its answer's body): the URL the client sent the list to (`url`), with the next cursor
/// (and the page size asked for) as its query, `https://host/prefix/webhooks?limit=2&page_info=abc`.
/// Absolute, as vendors write it: their clients follow it as it is (some join anything else to
/// their base URL). Relative (`?limit=2&page_info=abc`, which RFC 3986 resolves against the
/// request's URL) only where the request named no authority.
fn next_url(
    endpoint: &Endpoint,
    url: Option<&str>,
    next: &str,
    limit: Option<u64>,
) -> Option<String> {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if let (Some(limit), Some(param)) = (limit, endpoint.param_of("limit")) {
        query.append_pair(param, &limit.to_string());
    }
    query.append_pair(endpoint.param_of("cursor")?, next);
    Some(format!("{}?{}", url.unwrap_or_default(), query.finish()))
}

/// A form body as a JSON object of text (see [`crate::form`]), for a vendor that takes forms:
/// a body of another media type is refused as that vendor refuses it (415), an empty one is
/// none.
fn form_body(headers: &HeaderMap, bytes: &[u8]) -> Result<Option<Map<String, Value>>, Problem> {
    const FORM: &str = "application/x-www-form-urlencoded";
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    if let Some(media_type) = media_type {
        let essence = media_type.split(';').next().unwrap_or_default().trim();
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

impl Frontend for VendorApi {
    type Route = Route;

    fn label(&self) -> &str {
        &self.dialect.name
    }

    fn idempotency_key_in(&self, routed: &Routed<Route>, body: &[u8]) -> Option<http::HeaderValue> {
        let at = self.dialect.body_idempotency_key.as_ref()?;
        if routed.route.kind != Kind::Operation(Role::Action(Action::Create)) {
            return None;
        }
        // Read apart from the parse that follows, which takes the body: only creates of a
        // dialect that keeps its key there are read twice.
        let body = crate::json::from_slice_lenient(body).ok()?;
        let key = at.get(&body)?.as_str()?;
        http::HeaderValue::from_str(key).ok()
    }

    fn credential_header(&self) -> &http::HeaderName {
        match &self.dialect.client_auth {
            ClientAuth::Header { name, .. } => name,
            _ => &http::header::AUTHORIZATION,
        }
    }

    fn idempotency_header(&self) -> Option<&http::HeaderName> {
        self.dialect.idempotency_key.as_ref()
    }

    fn route(&self, head: &Head<'_>) -> Result<Routed<Route>, Problem> {
        let (method, path, query) = (head.method, head.path, head.query);
        let d = &self.dialect;
        // A segment that names nothing is refused as the vendor's own router refuses it.
        let parts = segments(path).map_err(|p| match d.errors.unreadable_path {
            Code::BadRequest => p,
            code => Problem::new(code, p.detail),
        })?;
        let base = segments(&d.base_path).unwrap_or_default();
        let rest = parts
            .strip_prefix(base.as_slice())
            .ok_or_else(|| Problem::not_found(format!("no route for {path}")))?;
        let matching: Vec<_> = self
            .routes
            .iter()
            .enumerate()
            .filter_map(|(at, r)| Some(((at, r), r.path.matches(rest)?)))
            .collect();
        if matching.is_empty() {
            return Err(Problem::not_found(format!("no route for {path}")));
        }
        // HEAD is served as the GET of the same path, without the answer's body (RFC 9110
        // §9.3.2), which the connection leaves out.
        let served =
            |route: &Method| route == method || (*method == Method::HEAD && *route == Method::GET);
        // Routes of one method and path told apart by where the id stands: a get by `?id=`
        // beside the list of the same path is the get when the parameter is there.
        let id_given = |r: &SurfaceRoute, id: &Option<String>| {
            id.is_some()
                || r.id_at
                    .as_ref()
                    .is_some_and(|p| !matches!(p.given(query, head.headers), Ok(None)))
        };
        let takes_id = |r: &SurfaceRoute| self.action(r.kind).has_id();
        let candidates = || matching.iter().filter(|((_, r), _)| served(&r.method));
        let chosen = candidates()
            .find(|((_, r), (_, id))| takes_id(r) && id_given(r, id))
            .or_else(|| candidates().find(|((_, r), _)| !takes_id(r)))
            .or_else(|| candidates().next())
            .cloned();
        let Some(((at, route), (owner, id))) = chosen else {
            let mut allow: Vec<&str> = Vec::new();
            for ((_, r), _) in &matching {
                let with_head: &[&str] = if r.method == Method::GET {
                    &["GET", "HEAD"]
                } else {
                    &[r.method.as_str()]
                };
                for m in with_head {
                    if !allow.contains(m) {
                        allow.push(m);
                    }
                }
            }
            return Err(Problem::method_not_allowed(&allow));
        };
        let action = self.action(route.kind);
        // A value given twice is refused once the client is authenticated (`parse`).
        let outside = |place: &Option<Place>| {
            place
                .as_ref()
                .and_then(|p| p.given(query, head.headers).ok().flatten())
        };
        let id = id.or_else(|| outside(&route.id_at));
        let owner = owner.or_else(|| outside(&route.owner_at));
        let headers: Vec<_> = route
            .declared
            .iter()
            .filter_map(|name| Some((name.clone(), head.headers.get(name)?.clone())))
            .collect();
        let links = matches!(route.kind, Kind::Operation(role) if d.endpoint(role)
            .is_some_and(|e| e.role.action() == Action::List && matches!(e.paging, Paging::Link | Paging::Url)));
        Ok(Routed {
            action: Some(action),
            backend: Some(self.backend.clone()),
            scope: Some(Scope::of(action)),
            reads_body: true,
            route: Route {
                kind: route.kind,
                at,
                owner,
                id,
                query: query.map(str::to_owned),
                headers,
                url: links.then(|| head.url()).flatten(),
            },
        })
    }

    fn authenticate(
        &self,
        routed: &Routed<Route>,
        headers: &HeaderMap,
        inbound: &Inbound,
    ) -> Result<(), Problem> {
        let how = &self.dialect.client_auth;
        let presented = auth::presented(how, headers, routed.route.query.as_deref());
        if inbound.is_on() && !self.passes_credential() {
            // The client's key, in `X-Api-Key` or the vendor's way; where it was to be is said
            // only when it is missing.
            let key = auth::api_key(headers).or(presented.as_deref());
            let asked = match (key, how) {
                (None, ClientAuth::None) | (Some(_), _) => Cow::Borrowed("X-Api-Key"),
                (None, how) => Cow::Owned(format!("{} or X-Api-Key", auth::asked(how))),
            };
            let scope = routed.scope.unwrap_or(Scope::Write);
            let upstream = routed.upstream().or(self.stands_for.as_deref());
            return inbound
                .authorize_key(key, &asked, scope, upstream)
                .map(|_| ());
        }
        // Keys are off, or the vendor checks the client's own credential: what the vendor
        // requires of it is only that it is there.
        match how {
            ClientAuth::None => Ok(()),
            _ if presented.is_some() => Ok(()),
            ClientAuth::Bearer => Err(Problem::new(Code::Unauthorized, "missing bearer token")),
            how => Err(Problem::new(
                Code::Unauthorized,
                format!("missing credentials in {}", auth::asked(how)),
            )),
        }
    }

    fn parse(
        &self,
        routed: &Routed<Route>,
        headers: &HeaderMap,
        bytes: Bytes,
    ) -> Result<Job, Problem> {
        let route = &routed.route;
        let action = self.action(route.kind);
        let routed_by = &self.routes[route.at];
        for place in [&routed_by.owner_at, &routed_by.id_at]
            .into_iter()
            .flatten()
        {
            place.given(route.query.as_deref(), headers)?;
        }
        if action.has_id() && route.id.is_none() {
            return Err(match &routed_by.id_at {
                Some(place) => place.refusal("is required"),
                None => Problem::bad_request("the request names no webhook"),
            });
        }
        self.check_shapes(route.owner.as_deref(), route.id.as_deref())?;
        // A call that names the owner outside its path (a query parameter or a header, read
        // when routed) and was not given it is refused; one that names it nowhere finds the
        // webhook by its id alone, and a create may name it in its body (below).
        if let (Some(place), None) = (&routed_by.owner_at, &route.owner) {
            return Err(place.refusal("is required"));
        }
        // An owner this API does not serve is not found before its body is read, as the
        // vendor finds the owner first.
        let owner = self.backend_owner(route.owner.as_deref())?;
        let (body, item) =
            self.body_and_item(route.kind, route.query.as_deref(), headers, &bytes)?;
        if self.relays() {
            return self.relay(route, action, item.as_ref(), bytes);
        }
        let mut op = Operation::new(action);
        op.id = route.id.clone();
        op.owner = owner;
        op.lenient = false;
        match route.kind {
            Kind::Operation(Role::Action(Action::List)) => {
                op.query = self.list_for_backend(route.query.as_deref())?;
            }
            Kind::Operation(role) if matches!(action, Action::Create | Action::Update) => {
                self.webhook_write(&mut op, role, &item.unwrap_or_default())?;
                let given = op.body.as_mut().and_then(|b| b.shift_remove("owner"));
                if route.owner.is_none() && self.dialect.has_owner() && action == Action::Create {
                    let given = given.as_ref().and_then(Value::as_str);
                    let Some(given) = given.filter(|o| !o.is_empty()) else {
                        return Err(self.owner_missing(route));
                    };
                    self.check_shapes(Some(given), None)?;
                    op.owner = self.backend_owner(Some(given))?;
                }
            }
            Kind::Resource(i, verb) => {
                self.resource_request(&mut op, routed, i, verb, item)?;
            }
            Kind::Operation(Role::Action(Action::Test)) => {
                op.body = body.and_then(|b| self.test_event(b))
            }
            Kind::Operation(Role::Action(Action::RotateSecret)) => {
                op.body = body.and_then(|b| self.chosen_secret(b))
            }
            // A vendor whose delete answers the webhook it deleted: the backend reads it first.
            Kind::Operation(role @ Role::Action(Action::Delete)) => {
                op.answer_deleted = self
                    .dialect
                    .endpoint(role)
                    .and_then(|e| e.response.as_ref())
                    .is_some_and(|t| t.path_of("webhook").is_some());
            }
            _ => {}
        }
        Ok(Job::Operation(op))
    }

    fn render(&self, routed: &Routed<Route>, outcome: Outcome) -> Result<Response<Body>, Problem> {
        match outcome {
            Outcome::Done(done) => self.render_done(routed, done),
            Outcome::Relayed(reply) => self.render_relayed(reply),
            Outcome::Answer(response) => Ok(response),
        }
    }

    fn backend_problem(&self, problem: Problem) -> Problem {
        self.reword_for_client(problem)
    }

    fn refuse(
        &self,
        routed: Option<&Routed<Route>>,
        problem: &Problem,
        request_id: &str,
    ) -> Response<Body> {
        let operation = routed.map_or("process", |r| r.operation());
        problem_response(&self.dialect, problem, request_id, operation)
    }

    fn decorate(
        &self,
        routed: Option<&Routed<Route>>,
        response: &mut Response<Body>,
        request_id: &str,
    ) {
        let h = response.headers_mut();
        if let Some(id) = headers::value(request_id) {
            h.insert(X_REQUEST_ID.clone(), id);
        }
        let fill = Fill {
            request_id,
            operation: routed.map_or("process", |r| r.operation()),
            ..Fill::default()
        };
        for (name, template) in &self.dialect.response_headers {
            if let Some(v) = template
                .render(&fill)
                .as_ref()
                .and_then(Value::as_str)
                .and_then(headers::value)
            {
                h.insert(name.clone(), v);
            }
        }
    }
}

/// A request's body as a surface read it (where the route takes one), and the webhook or
/// resource item inside it (where the route writes one).
type BodyAndItem = (Option<Map<String, Value>>, Option<Value>);

/// Placeholder values while rendering a vendor answer.
#[derive(Default)]
struct Fill<'a> {
    webhook: Option<Value>,
    canonical: Option<&'a Map<String, Value>>,
    items: Option<Value>,
    result: Option<Value>,
    count: Option<usize>,
    limit: Option<u64>,
    next_cursor: Option<String>,
    done: Option<bool>,
    request_id: &'a str,
    operation: &'a str,
    problem: Option<&'a Problem>,
    vendor_code: Option<String>,
    errors: Option<Value>,
    field: Option<String>,
}

impl Slots for Fill<'_> {
    fn slot(&self, name: &str) -> Option<Value> {
        match name {
            "webhook" => self.webhook.clone(),
            "items" => self.items.clone(),
            "result" => self.result.clone(),
            "count" => self.count.map(Value::from),
            "limit" => self.limit.map(Value::from),
            "next_cursor" => self.next_cursor.clone().map(Value::from),
            "done" => self.done.map(Value::Bool),
            "has_more" => self.done.map(|d| Value::Bool(!d)),
            "request_id" => Some(Value::from(self.request_id)),
            "operation" => Some(Value::from(self.operation)),
            "message" => self.problem.map(|p| Value::from(p.detail.as_str())),
            "status" => self.problem.map(|p| Value::from(p.status())),
            "code" => self.vendor_code.clone().map(Value::from),
            "errors" => self.errors.clone(),
            "field" => self.field.clone().map(Value::from),
            other => self
                .canonical?
                .get(other.strip_prefix("webhook.")?)
                .cloned(),
        }
    }

    fn slot_ref(&self, name: &str) -> Option<Cow<'_, Value>> {
        let held = match name {
            "webhook" => &self.webhook,
            "items" => &self.items,
            "result" => &self.result,
            "errors" => &self.errors,
            other => return self.slot(other).map(Cow::Owned),
        };
        held.as_ref().map(Cow::Borrowed)
    }
}

/// A problem in a dialect's own error shape, field names, status codes and media type: what a
/// vendor API answers for every failure, its own or its backend's.
pub fn problem_response(
    d: &Dialect,
    problem: &Problem,
    request_id: &str,
    operation: &str,
) -> Response<Body> {
    // The new secret a rotation's client chose lies where the rotation's body takes it
    // (`{{secret}}`), not where the webhook keeps its secret.
    let chosen_secret = (operation == Action::RotateSecret.name())
        .then(|| d.endpoint(Role::Action(Action::RotateSecret)))
        .flatten()
        .and_then(|e| e.body.as_ref()?.path_of("secret"));
    let vendor_errors: Vec<FieldError> = problem
        .errors
        .iter()
        .map(|e| FieldError {
            field: match &chosen_secret {
                Some(path) if e.field == "secret" => path.to_string(),
                _ => d.webhook.vendor_name(&e.field),
            },
            ..e.clone()
        })
        .collect();
    let render = d.errors.template_for(problem.code);
    // With field errors, the message names the fields as this API does.
    let mut shown = problem.clone();
    if !vendor_errors.is_empty() {
        shown.detail = crate::problem::summarise(&vendor_errors);
    }
    let fill = Fill {
        request_id,
        operation,
        problem: Some(&shown),
        vendor_code: Some(
            problem
                .upstream
                .as_ref()
                .filter(|u| u.dialect == d.name)
                .and_then(|u| u.code.clone())
                .unwrap_or_else(|| d.errors.vendor_code(problem.code)),
        ),
        errors: d.errors.render_field_errors(&vendor_errors),
        field: vendor_errors.first().map(|e| e.field.clone()),
        ..Fill::default()
    };
    let status = render.status.unwrap_or_else(|| problem.status());
    let mut response = body::json(status, &render.body.written(&fill), &d.errors.content_type);
    let h = response.headers_mut();
    if let Some(v) = problem.allow.as_deref().and_then(headers::value) {
        h.insert(header::ALLOW, v);
    }
    if let Some(v) = problem.retry_after.as_deref().and_then(headers::value) {
        h.insert(header::RETRY_AFTER, v);
    }
    if problem.code == Code::PayloadTooLarge {
        return crate::http::edge::close(response);
    }
    response
}
