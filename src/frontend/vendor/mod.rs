//! A vendor's own API, served by hookgate: the same paths, verbs, bodies, envelopes and status
//! codes as the vendor's documentation, read and written through that vendor's mapping file.
//!
//! In front of a [`Store`](crate::store::Store) it is an emulator of the vendor; in front of an
//! upstream of another dialect it is the drop-in mode, where a client written for vendor X keeps
//! working while its webhooks live at vendor Y; in front of an upstream of its own dialect it
//! relays the client's requests as they are, after the same checks.
//!
//! This file routes a request and checks its credential; `given` reads what it gives outside
//! its path (its query, parsed once; the literals it must leave as they are), `request` reads
//! its body into a canonical operation (or relays it), `lists` reads a list's query, `pages`
//! names a relayed page's other pages on the gateway, and `answer` writes what the backend
//! did, or a problem, in the vendor's shape.

mod answer;
mod given;
mod lists;
mod pages;
mod request;

pub use answer::{problem_response, problem_response_as_sent};

use super::{Backend, Frontend, Head, Job, Outcome, Routed, segments};
use crate::auth::{self, Caller, Inbound, Scope};
use crate::http::body::Body;
use crate::http::headers::{self, X_REQUEST_ID};
use crate::mapping::Dialect;
use crate::mapping::model::{
    ClientAuth, CredentialPart, CredentialPlace, Endpoint, Paging, ResourceVerb, Role,
};
use crate::mapping::template::{Piece, Template};
use crate::mapping::url::PathTemplate;
use crate::model::{Action, Operation};
use crate::problem::{Code, FieldError, Problem};
use crate::upstream::Auth;
use answer::Fill;
use bytes::Bytes;
use given::{Query, Twice, once};
use http::{HeaderMap, Method, Response};
use serde_json::Value;
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
    /// The configured surface's name (`[surfaces.NAME]`), which the log gives; `None` for an
    /// emulator's own API.
    name: Option<String>,
    /// The routes, matched in order.
    routes: Vec<SurfaceRoute>,
    /// The headers of the further parts of the dialect's clients' credential.
    part_headers: Vec<http::HeaderName>,
}

/// One route of the vendor's API.
#[derive(Debug, Clone)]
struct SurfaceRoute {
    method: Method,
    path: PathTemplate,
    /// The path's literal segments: of two routes that match, the one with more is meant.
    literals: usize,
    kind: Kind,
    /// Where the operation takes the owner and the id when its path does not name them.
    owner_at: Option<Place>,
    id_at: Option<Place>,
    /// The header fields the operation declares, whose client values a relay passes on.
    declared: Vec<http::HeaderName>,
    /// The members its answer would have to show that the backend never holds, if any
    /// (`VendorApi::never_shown`): such an operation is refused before any call.
    never_shown: Option<String>,
}

/// Where an operation takes an owner or id outside its path.
#[derive(Debug, Clone)]
enum Place {
    /// The query parameter of this name.
    Query(String, Around),
    /// The header field of this name.
    Header(http::HeaderName, Around),
}

/// The text a vendor writes around an owner or id where it takes one within text
/// (`?organization=https://api.example/organizations/{{owner}}`); empty for one alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Around {
    before: String,
    after: String,
}

impl Around {
    /// Where `template` is `{{slot}}` alone or within text of its own, the text around it.
    fn of(template: &Template, slot: &str) -> Option<Around> {
        match template {
            Template::Slot { name, index, .. } if name == slot && index.is_empty() => {
                Some(Around::default())
            }
            Template::Text(pieces) => {
                let at = pieces.iter().position(
                    |p| matches!(p, Piece::Slot(name, index) if name == slot && index.is_empty()),
                )?;
                let text = |pieces: &[Piece]| {
                    pieces
                        .iter()
                        .map(|p| match p {
                            Piece::Text(t) => Some(t.as_str()),
                            Piece::Slot(..) => None,
                        })
                        .collect::<Option<String>>()
                };
                Some(Around {
                    before: text(&pieces[..at])?,
                    after: text(&pieces[at + 1..])?,
                })
            }
            _ => None,
        }
    }

    /// The owner or id within `value`: `None` where the text around it is not there.
    fn within<'v>(&self, value: &'v str) -> Option<&'v str> {
        value
            .strip_prefix(self.before.as_str())?
            .strip_suffix(self.after.as_str())
    }
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
        let param = (endpoint.query.iter())
            .find_map(|(param, t)| Some(Place::Query(param.clone(), Around::of(t, slot)?)));
        param.or_else(|| {
            (endpoint.headers.iter())
                .find_map(|(name, t)| Some(Place::Header(name.clone(), Around::of(t, slot)?)))
        })
    }

    /// The value a request gives here: nothing when it is not there or empty. A value given
    /// twice is refused ([`given::once`]): the owner or id is what finds a webhook.
    fn given(&self, query: &Query, headers: &HeaderMap) -> Result<Option<String>, Problem> {
        let (one, around) = match self {
            Place::Query(param, around) => (
                once(query.values(param)).map(|v| v.map(Cow::Borrowed)),
                around,
            ),
            Place::Header(name, around) => (
                once(headers.get_all(name))
                    .map(|v| v.map(|v| String::from_utf8_lossy(v.as_bytes()))),
                around,
            ),
        };
        match one.map_err(|Twice| self.refusal(Twice::SAYS))? {
            None => Ok(None),
            Some(one) if one.is_empty() => Ok(None),
            Some(one) => match around.within(&one) {
                Some(inside) if !inside.is_empty() => Ok(Some(inside.to_owned())),
                _ => Err(self.refusal(&format!("must be `{}…{}`", around.before, around.after))),
            },
        }
    }

    /// A refusal of what stands here, in the vendor's words where it has them.
    fn refusal(&self, why: &str) -> Problem {
        match self {
            Place::Query(param, _) => Problem::validation(vec![FieldError::in_query(param, why)]),
            Place::Header(name, _) => Problem::bad_request(format!("the {name} header {why}")),
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
    /// The client's query string, its parameters read once for every check that reads them.
    query: Query,
    /// The client's values of the header fields the route's operation declares, relayed as
    /// they are.
    headers: Vec<(http::HeaderName, http::HeaderValue)>,
    /// Where the client sent a list, whose pages link back to it ([`Head::url`]).
    url: Option<String>,
    /// Where the client sent a request whose answer names the webhook in a header
    /// (`response_headers`), which a path there is written under: the origin it named
    /// ([`Head::origin`]) and this API's mount prefix ([`Head::prefix`]).
    answered_at: Option<Box<(Option<String>, String)>>,
    /// The event type the client asked a test to send (its body's, where this API's test
    /// takes one), noted when the body is read: the answer names it where the backend's
    /// result names none.
    asked_event: std::sync::OnceLock<Value>,
    /// The fields the client's body gives under an alias alone, each with that alias, noted
    /// when the body is read: errors about them name the member it sent.
    spelt: std::sync::OnceLock<Vec<(String, String)>>,
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
                literals: op.path.literals(),
                path: op.path.clone(),
                kind: Kind::Operation(op.role),
                owner_at: Place::of(op, "owner"),
                id_at: Place::of(op, "id"),
                declared: op.headers.iter().map(|(name, _)| name.clone()).collect(),
                never_shown: None,
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
                        literals: e.path.literals(),
                        path: e.path.clone(),
                        kind: Kind::Resource(i, verb),
                        owner_at: None,
                        id_at: None,
                        declared: Vec::new(),
                        never_shown: None,
                    });
                }
            }
        }
        let part_headers = dialect
            .client_auth_parts
            .iter()
            .filter_map(|part| match part {
                CredentialPart::Header(name) => Some(name.clone()),
                CredentialPart::Query(_) => None,
            })
            .collect();
        let mut api = VendorApi {
            dialect,
            backend,
            owner,
            stands_for: None,
            name: None,
            routes,
            part_headers,
        };
        let never_shown: Vec<Option<String>> = (api.routes.iter())
            .map(|r| match r.kind {
                Kind::Operation(role) => api.never_shown(role),
                Kind::Resource(..) => None,
            })
            .collect();
        for (route, missing) in api.routes.iter_mut().zip(never_shown) {
            route.never_shown = missing;
        }
        api
    }

    /// The same API, as the configured surface `name`.
    pub fn named(mut self, name: &str) -> VendorApi {
        self.name = Some(name.to_owned());
        self
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

    /// The scope a route needs: its action's, but `webhooks:write` to read a resource that
    /// holds the webhook's signing secret (a `GET …/secret`). With the secret a client can
    /// sign deliveries as the vendor does, which no reading key is for: the canonical API never
    /// shows it on a read. A get or list of webhooks that show their secret is answered to a
    /// reading key without it (`Caller::withholds_secret`), except where this API's answers
    /// always hold it and have nothing to stand in its place: those take `webhooks:write` too.
    fn scope_of(&self, kind: Kind, action: Action) -> Scope {
        match kind {
            Kind::Resource(i, ResourceVerb::Get)
                if self.dialect.resources[i].fields.reading("secret").is_some() =>
            {
                Scope::Write
            }
            Kind::Operation(_) if action.reads_only() && self.secret_always_answered() => {
                Scope::Write
            }
            _ => Scope::of(action),
        }
    }

    /// The fields a resource's verb takes, each with the member its client sends it as: the
    /// rule's error name (its path inside the resource's body, `enabled`, unless `error_field`
    /// says otherwise), or, for a rule that reads the resource whole (`$`), the member of the
    /// body that holds it (`headers`). A refusal of the field names it so, not by its
    /// canonical name, which the webhook's rules would give (`signed`, of `extensions.signed`).
    fn resource_members(&self, i: usize, verb: ResourceVerb) -> Vec<(String, String)> {
        let r = &self.dialect.resources[i];
        let holder = r.endpoint(verb).and_then(|e| e.body_item_path.as_ref());
        (r.fields.rules.iter())
            .filter(|rule| rule.is_placed())
            .map(|rule| {
                let name = rule.target.name();
                let member = match r.fields.vendor_name(&name) {
                    whole if whole.is_empty() => {
                        holder.map(ToString::to_string).unwrap_or_default()
                    }
                    member => member,
                };
                (name, member)
            })
            .filter(|(_, member)| !member.is_empty())
            .collect()
    }

    /// Whether this API's webhooks always show their secret, with no value to show in its
    /// place (`render_required`, with neither `render_default` nor `nullable`): its clients
    /// refuse an answer without it.
    fn secret_always_answered(&self) -> bool {
        (self.dialect.webhook.answered_secret())
            .is_some_and(|r| r.render_required && r.render_default.is_none() && !r.nullable)
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
    fn reword_for_client(&self, problem: Problem) -> Problem {
        if !self.translating() {
            return problem;
        }
        let backend = match &self.backend {
            Backend::Upstream(u) => u.name.clone(),
            Backend::Store(s) => s.dialect().name.clone(),
        };
        let list = self.dialect.endpoint(Role::Action(Action::List));
        let mut errors = problem.errors.clone();
        for error in &mut errors {
            // An error of no field is about the request as a whole, whatever the API.
            if error.field.is_empty() {
                continue;
            }
            if error.place == crate::problem::Place::Header
                && error.field.eq_ignore_ascii_case("Idempotency-Key")
            {
                self.name_idempotency_key(error, &backend);
                continue;
            }
            // A list's page size, cursor or order, named as this API's clients send it: in the
            // query, wherever the backend's vendor said it lay (no webhook has a member of
            // these canonical names, which are the list's own).
            let list_own = matches!(error.field.as_str(), "limit" | "cursor" | "order");
            if (error.place == crate::problem::Place::Query || list_own)
                && let Some(param) = list.and_then(|e| e.param_of(&error.field))
            {
                error.field = param.to_owned();
                error.place = crate::problem::Place::Query;
                continue;
            }
            // Named as requests spell it, else as answers do: a member only answers hold
            // (a status this API cannot show) is this API's field too.
            let rules = || {
                (self.dialect.webhook.rules.iter())
                    .chain(self.dialect.resources.iter().flat_map(|r| &r.fields.rules))
                    .filter(|r| {
                        (r.path.is_some() || r.flags.is_some()) && r.target.is(&error.field)
                    })
            };
            let rule = rules().find(|r| r.request).or_else(|| rules().next());
            // A member this API's vendor takes without a value (Svix's `description`, `""` by
            // default) that the webhooks behind require: the client's own vendor would not
            // have found it missing, so the upstream is named as what requires it, as a change
            // that clears it is told.
            let optional_here = rules().any(|r| {
                r.request
                    && r.applies_to(Action::Create)
                    && !r.checks.contains(&crate::mapping::checks::Check::Required)
            });
            if optional_here && error.message == "is required" {
                error.message = "must have a value: the upstream requires it".to_owned();
            }
            match rule {
                // Event types kept as flags are this API's field too, under its canonical name.
                Some(r) if r.path.is_none() => {}
                Some(r) => {
                    let path = r.path.as_ref().map(ToString::to_string).unwrap_or_default();
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
                        .strip_prefix(r.error_field.as_str())
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
        problem.renamed(errors)
    }
}

impl VendorApi {
    /// A backend's field error of the client's idempotency key (its vendor refused the key it
    /// was sent), named where this API's clients send it: the header this dialect declares
    /// (Svix's `idempotency-key`), or the member of a create's body that carries it (the
    /// request's as a whole, its message naming the member). A dialect
    /// that takes no key of its own has its clients send `Idempotency-Key`: the error says the
    /// key the request gave was refused.
    fn name_idempotency_key(&self, error: &mut crate::problem::FieldError, backend: &str) {
        if self.dialect.idempotency_key.is_some() {
            error.field = self.idempotency_header_spelt().to_owned();
        } else if let Some(at) = &self.dialect.body_idempotency_key {
            // A member beside the webhook, which no field of this API names: the request's as
            // a whole, its message naming the member (as a vendor's error of another member of
            // an envelope is told).
            error.message = format!("{at}: {}", error.message);
            error.field = String::new();
            error.place = crate::problem::Place::Body;
        } else {
            error.message = format!(
                "{} (the idempotency key this request gave, which upstream {backend} refused)",
                error.message
            );
        }
    }
}

impl Frontend for VendorApi {
    type Route = Route;

    fn label(&self) -> &str {
        &self.dialect.name
    }

    fn log_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.dialect.name)
    }

    fn idempotency_key_in(
        &self,
        routed: &Routed<Route>,
        body: &[u8],
    ) -> Result<Option<http::HeaderValue>, Problem> {
        let Some(at) = self.dialect.body_idempotency_key.as_ref() else {
            return Ok(None);
        };
        if routed.route.kind != Kind::Operation(Role::Action(Action::Create)) {
            return Ok(None);
        }
        // Read apart from the parse that follows, which takes the body: only creates of a
        // dialect that keeps its key there are read twice.
        let Some(document) = crate::json::from_slice_lenient(body).ok() else {
            return Ok(None);
        };
        let key = match request::key_member(at, &document, body)? {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(key)) if key.is_empty() => return Ok(None),
            Some(Value::String(key)) => key,
            // A vendor might take it as its text (`12345`), which would go on unscoped: it is
            // refused as a vendor whose keys are strings refuses it.
            Some(other) => {
                return Err(Problem::bad_request(format!(
                    "the idempotency key in the body's `{at}` is {}, not a string: send it as a string",
                    crate::json::kind(other)
                )));
            }
        };
        // Taken as its bytes, so that the gateway's check names a key it refuses.
        http::HeaderValue::from_bytes(key.as_bytes())
            .map(Some)
            .map_err(|_| {
                Problem::bad_request(format!(
                    "the idempotency key in the body's `{at}` holds a control character, which no header may carry"
                ))
            })
    }

    fn credential_header(&self) -> &http::HeaderName {
        match &self.dialect.client_auth {
            ClientAuth::Header { name, .. } => name,
            _ => &http::header::AUTHORIZATION,
        }
    }

    fn credential_parts(&self) -> &[http::HeaderName] {
        &self.part_headers
    }

    fn key_headers(&self) -> Vec<&http::HeaderName> {
        let main = auth::header_of(&self.dialect.client_auth);
        main.into_iter().chain(&self.part_headers).collect()
    }

    fn key_params(&self) -> Vec<&str> {
        (self.dialect.credential_places())
            .filter_map(|place| match place {
                CredentialPlace::Query(name) => Some(name),
                CredentialPlace::Header(_) => None,
            })
            .collect()
    }

    fn idempotency_header(&self) -> Option<&http::HeaderName> {
        self.dialect.idempotency_key.as_ref()
    }

    /// As the mapping file spells it (Svix's `idempotency-key`).
    fn idempotency_header_spelt(&self) -> &str {
        (self.dialect.idempotency_key_spelt.as_deref()).unwrap_or("Idempotency-Key")
    }

    /// A configured surface's name (two surfaces of one dialect are two APIs); an emulator's
    /// dialect.
    fn key_space(&self) -> std::borrow::Cow<'_, str> {
        match &self.name {
            Some(name) => std::borrow::Cow::Owned(format!("surface {name}")),
            None => std::borrow::Cow::Borrowed(&self.dialect.name),
        }
    }

    /// The headers the route's answer names its webhook in (`response_headers`).
    fn answer_headers(&self, routed: &Routed<Route>) -> Vec<http::HeaderName> {
        let Kind::Operation(role) = routed.route.kind else {
            return Vec::new();
        };
        (self.dialect.endpoint(role).into_iter())
            .flat_map(|e| e.response_headers.iter().map(|h| h.name.clone()))
            .collect()
    }

    /// The owner wherever the request names it (its path, its query, the header fields its
    /// operation declares, as a tenant's), and the route with the webhook it names.
    fn keyed(&self, routed: &Routed<Route>) -> super::Keyed {
        let route = &routed.route;
        let mut owner = vec![route.owner.as_deref().unwrap_or("").as_bytes()];
        owner.push(route.query.raw().unwrap_or("").as_bytes());
        for (name, value) in &route.headers {
            owner.extend([name.as_str().as_bytes(), value.as_bytes()]);
        }
        let at = route.at.to_string();
        super::Keyed {
            owner: super::Keyed::parts(owner),
            target: super::Keyed::parts([
                at.as_bytes(),
                routed.operation().as_bytes(),
                route.id.as_deref().unwrap_or("").as_bytes(),
            ]),
        }
    }

    /// A create, and every other POST that is no read where the vendor takes its key in a
    /// header (`dialect.idempotency_key`, which its API declares on each POST: Svix's
    /// `send-example` and `secret/rotate`). A key in a create's body is a create's alone.
    fn keys_request(&self, routed: &Routed<Route>) -> bool {
        let Some(action) = routed.action else {
            return false;
        };
        let posted = self
            .routes
            .get(routed.route.at)
            .is_some_and(|r| r.method == Method::POST);
        action == Action::Create
            || (self.dialect.idempotency_key.is_some() && posted && !action.reads_only())
    }

    fn route(&self, head: &Head<'_>) -> Result<Routed<Route>, Problem> {
        let (method, path) = (head.method, head.path);
        let d = &self.dialect;
        // A segment that names nothing is refused as the vendor's own router refuses it.
        let parts = head
            .segments()
            .map_err(|p| match d.errors.unreadable_path {
                Code::BadRequest => p,
                code => Problem::new(code, p.detail),
            })?;
        let base = segments(&d.base_path).unwrap_or_default();
        let rest = parts
            .strip_prefix(base.as_slice())
            .ok_or_else(|| Problem::not_found(format!("no route for {path}")))?;
        // Whether the path ends in `/`, which [`segments`] passes over: a route whose path the
        // file writes with one requires it, as the vendor's router does.
        let slashed = path.ends_with('/');
        let mut matching: Vec<_> = self
            .routes
            .iter()
            .enumerate()
            .filter_map(|(at, r)| Some(((at, r), r.path.matches(rest, slashed)?)))
            .collect();
        if matching.is_empty() {
            return Err(Problem::not_found(format!("no route for {path}")));
        }
        // HEAD is served as the GET of the same path, without the answer's body (RFC 9110
        // §9.3.2), which the connection leaves out.
        let served =
            |route: &Method| route == method || (*method == Method::HEAD && *route == Method::GET);
        // Read when a check first asks, and kept with the route for the checks after it.
        let query = Query::new(head.query);
        // Routes of one method and path told apart by where the id stands: a get by `?id=`
        // beside the list of the same path is the get when the parameter is there.
        let id_given = |r: &SurfaceRoute, id: &Option<String>| {
            id.is_some()
                || r.id_at
                    .as_ref()
                    .is_some_and(|p| !matches!(p.given(&query, head.headers), Ok(None)))
        };
        let takes_id = |r: &SurfaceRoute| self.action(r.kind).has_id();
        // Text of the vendor's own beats a placeholder, as in every router: of the routes the
        // method takes, those whose path has the most literal segments are the ones meant
        // (`GET …/settings/all` is the list, not the webhook `all` of `…/settings/{id}`).
        let most = matching
            .iter()
            .filter(|((_, r), _)| served(&r.method))
            .map(|((_, r), _)| r.literals)
            .max();
        // The chosen match's place, so that its owner and id are taken rather than copied.
        let pick = |fits: &dyn Fn(&SurfaceRoute, &Option<String>) -> bool| {
            matching.iter().position(|((_, r), (_, id))| {
                served(&r.method) && Some(r.literals) == most && fits(r, id)
            })
        };
        let chosen = pick(&|r, id| takes_id(r) && id_given(r, id))
            .or_else(|| pick(&|r, _| !takes_id(r)))
            .or_else(|| pick(&|_, _| true));
        let Some(((at, route), (owner, id))) = chosen.map(|i| matching.swap_remove(i)) else {
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
                .and_then(|p| p.given(&query, head.headers).ok().flatten())
        };
        let id = id.or_else(|| outside(&route.id_at));
        let owner = owner.or_else(|| outside(&route.owner_at));
        let headers: Vec<_> = route
            .declared
            .iter()
            .filter_map(|name| Some((name.clone(), head.headers.get(name)?.clone())))
            .collect();
        // A list's page links to others by their URLs where this API names pages so, and
        // wherever a relayed page may (its links are named on the gateway).
        let links = matches!(route.kind, Kind::Operation(role) if d.endpoint(role)
            .is_some_and(|e| e.role.action() == Action::List
                && (self.relays() || matches!(e.paging, Paging::Link | Paging::Url))));
        let names_in_headers = matches!(route.kind, Kind::Operation(role) if d.endpoint(role)
            .is_some_and(|e| !e.response_headers.is_empty()));
        Ok(Routed {
            action: Some(action),
            backend: Some(self.backend.clone()),
            scope: Some(self.scope_of(route.kind, action)),
            reads_body: true,
            route: Route {
                kind: route.kind,
                at,
                owner,
                id,
                query,
                headers,
                url: links.then(|| head.url()).flatten(),
                answered_at: names_in_headers
                    .then(|| Box::new((head.origin(), head.prefix().to_owned()))),
                asked_event: std::sync::OnceLock::new(),
                spelt: std::sync::OnceLock::new(),
            },
        })
    }

    fn authenticate<'k>(
        &self,
        routed: &Routed<Route>,
        headers: &HeaderMap,
        inbound: &'k Inbound,
    ) -> Result<Caller<'k>, Problem> {
        let how = &self.dialect.client_auth;
        let presented = auth::presented(how, headers, routed.route.query.raw());
        if inbound.is_on() && !self.passes_credential() {
            // The client's key, in `X-Api-Key` or the vendor's way (an empty one is none);
            // where it was to be is said only when it is missing.
            let given = auth::api_key(headers);
            let key = auth::one_key(given, presented.as_deref(), &auth::asked(how))?;
            let asked = match (key, how) {
                (None, ClientAuth::None) | (Some(_), _) => Cow::Borrowed("X-Api-Key"),
                (None, how) => Cow::Owned(format!("{} or X-Api-Key", auth::asked(how))),
            };
            let scope = routed.scope.unwrap_or(Scope::Write);
            let upstream = routed.upstream().or(self.stands_for.as_deref());
            // A key that may not write may not sign deliveries either: the caller says so,
            // and its answers show no signing secret, whatever the vendor shows.
            return inbound.authorize_key(key, &asked, scope, upstream);
        }
        // Keys are off, or the vendor checks the client's own credential: what the vendor
        // requires of it, every part of it, is only that it is there. A client that forgot
        // its credential is answered as its vendor would answer it, so that a test through an
        // open surface meets what the vendor does; with keys off, an `X-Api-Key` of any value
        // is a credential there too, as it is wherever keys are on (an empty one is none). One
        // the vendor checks itself must be the vendor's own, which alone is passed on.
        let given = auth::api_key(headers).filter(|key| !key.trim().is_empty());
        if !self.passes_credential() && given.is_some() {
            return Ok(Caller::default());
        }
        match how {
            ClientAuth::None => Ok(()),
            _ if presented.is_some() => Ok(()),
            ClientAuth::Bearer => Err(Problem::credential_missing("missing bearer token")),
            how => Err(Problem::credential_missing(format!(
                "missing credentials in {}",
                auth::asked(how)
            ))),
        }?;
        let parts = &self.dialect.client_auth_parts;
        auth::parts_presented(parts, headers, routed.route.query.raw())
            .map_err(|place| Problem::credential_missing(format!("missing credentials in {place}")))
            .map(|()| Caller::default())
    }

    fn parse(
        &self,
        routed: &Routed<Route>,
        _: Caller<'_>,
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
            place.given(&route.query, headers)?;
        }
        if let Kind::Operation(role) = route.kind
            && let Some(endpoint) = self.dialect.endpoint(role)
        {
            given::literals(endpoint, &route.query, headers)?;
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
        let (body, item) = self.body_and_item(route, headers, &bytes)?;
        if let Some(item) = &item {
            // A route's body is read once: nothing was noted before.
            let _ = (route.spelt).set(self.object(route.kind).spelt_as(item));
        }
        // An answer this API could never give is known before anything is sent (once the
        // request is found well formed, as the vendor would find it).
        if let Some(missing) = &routed_by.never_shown {
            let behind = self.backend.dialect();
            return Err(Problem::new(
                Code::UnsupportedOperation,
                format!(
                    "upstream {} never reports {missing}, which this API's answers \
                     always hold",
                    routed.upstream().unwrap_or(&behind.name)
                ),
            ));
        }
        if self.relays() {
            return self.relay(route, action, owner, (item.as_ref(), body.as_ref()), bytes);
        }
        let mut op = Operation::new(action);
        op.id = route.id.clone();
        op.owner = owner;
        op.lenient = false;
        // The vendor's precondition headers (its version), which the backend holds against
        // the webhook as it is: a store as the vendor does, an upstream after reading it.
        if let Kind::Operation(role) = route.kind
            && let Some(endpoint) = self.dialect.endpoint(role)
        {
            op.preconditions = endpoint
                .guards
                .iter()
                .map(|g| g.precondition(headers.get(&g.header)))
                .collect();
        }
        match route.kind {
            Kind::Operation(Role::Action(Action::List)) => {
                op.query = self.list_for_backend(&route.query, route.owner.as_deref())?;
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
                op.body = body.and_then(|b| self.test_event(b));
                let asked = op.body.as_ref().and_then(|b| b.get("events")?.get(0));
                if let Some(event) = asked {
                    self.asked_event_sendable(event)?;
                    // A route's body is read once: nothing was noted before.
                    let _ = route.asked_event.set(event.clone());
                }
            }
            Kind::Operation(role @ Role::Action(Action::RotateSecret)) => {
                op.body = body.and_then(|b| self.chosen_secret(b));
                if op.body.is_none() {
                    self.minted_secret_shown(role)?;
                }
            }
            // A vendor whose delete answers the webhook it deleted: the backend reads it first.
            Kind::Operation(role @ Role::Action(Action::Delete)) => {
                let delete = self.dialect.endpoint(role);
                op.answer_deleted = delete
                    .and_then(|e| e.response.as_ref())
                    .is_some_and(|t| t.path_of("webhook").is_some());
                op.disabled_only = delete.is_some_and(|e| e.disable_first);
            }
            _ => {}
        }
        // A change in front of another vendor's webhooks is held to what this API can show
        // of the webhook it leaves, before it is made: its answer could not be given after.
        // A resource's answer (Svix's `…/headers`) shows the resource, never the webhook.
        let changes = matches!(
            op.action,
            Action::Update | Action::Toggle | Action::Enable | Action::Disable
        );
        if changes && self.translating() && matches!(route.kind, Kind::Operation(_)) {
            op.answer_check = Some(self.answer_check(route.owner.as_deref()));
        }
        Ok(Job::Operation(op))
    }

    fn render(
        &self,
        routed: &Routed<Route>,
        caller: Caller<'_>,
        outcome: Outcome,
        request_id: &str,
    ) -> Result<Response<Body>, Problem> {
        match outcome {
            Outcome::Done(done) => self.render_done(routed, caller, done, request_id),
            Outcome::Relayed(reply) => self.render_relayed(routed, caller, reply),
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
        let mut spelt = (routed.and_then(|r| r.route.spelt.get()))
            .cloned()
            .unwrap_or_default();
        if let Some(Kind::Resource(i, verb)) = routed.map(|r| r.route.kind) {
            spelt.extend(self.resource_members(i, verb));
        }
        problem_response_as_sent(&self.dialect, problem, request_id, operation, &spelt)
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
        let fill = Fill::of_request(request_id, routed.map_or("process", |r| r.operation()));
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
