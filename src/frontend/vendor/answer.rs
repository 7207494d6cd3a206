//! Answers in the vendor's shape: a backend's webhook as this dialect can show it, the
//! success envelopes of every operation, a relayed reply, and problems in the vendor's own
//! error shape.

use super::{Kind, Route, VendorApi, pages};
use crate::auth::Caller;
use crate::frontend::{Backend, Routed};
use crate::http::body::{self, Body};
use crate::http::headers;
use crate::mapping::Dialect;
use crate::mapping::errors::code_value;
use crate::mapping::id_header::Address;
use crate::mapping::json_path::FieldPath;
use crate::mapping::model::{Endpoint, Paging, Role};
use crate::mapping::rules::{ObjectMap, Target};
use crate::mapping::template::Slots;
use crate::model::{self, Action, AnswerCheck, Done, Order};
use crate::problem::{Code, FieldError, Problem};
use bytes::Bytes;
use http::{Response, header};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Placeholder values while rendering a vendor answer.
#[derive(Default)]
pub(super) struct Fill<'a> {
    webhook: Option<Value>,
    canonical: Option<&'a Map<String, Value>>,
    items: Option<Value>,
    result: Option<Value>,
    count: Option<usize>,
    limit: Option<u64>,
    next_cursor: Option<String>,
    /// This page's own cursor: its position or number where clients count pages, else the
    /// cursor it was asked with.
    cursor: Option<Value>,
    done: Option<bool>,
    request_id: &'a str,
    operation: &'a str,
    owner: Option<&'a str>,
    problem: Option<&'a Problem>,
    vendor_code: Option<Value>,
    errors: Option<Value>,
    field: Option<String>,
}

impl VendorApi {
    /// A backend's webhook as this dialect can show it to `caller` (`seen_here`): without its
    /// signing secret where the caller's key may not read one, as a webhook whose secret this
    /// API cannot show is answered (the member left out, `null`, or its `render_default`).
    fn as_seen_here(
        &self,
        caller: Caller<'_>,
        mut webhook: Map<String, Value>,
        owner: Option<&str>,
    ) -> Map<String, Value> {
        if caller.withholds_secret {
            model::withhold_secret(&mut webhook);
        }
        let behind = self.translating().then(|| self.backend.dialect());
        seen_here(&self.dialect, behind, webhook, owner)
    }

    /// A relayed answer to a read, for a client whose key may not read a signing secret
    /// (`Caller::withholds_secret`): every webhook it holds shows its secret as this API shows
    /// one it has none of (`withheld`), wherever the mapping file keeps a webhook's secret:
    /// where its answers show it, and where only its requests carry it (a vendor whose docs say
    /// it never answers the secret, or answers it at a resource of its own, may still send it).
    /// The vendor's bytes stay as they are where no webhook in them shows a secret. A success
    /// whose webhooks cannot be found where the mapping file reads them (a shape it does not
    /// know), or whose integers beyond 64 bits could not be written again exactly around the
    /// change, is refused, naming the scope that reads it as it is: passed on as it came, it
    /// might show the secret.
    ///
    /// A member the secret's place names is read in any letter case (`WEBHOOK_SECRET` for
    /// `webhook_secret`, `DATA` for `data`), as a client whose parser ignores letter case (Go's
    /// `encoding/json`) reads it. An answer that names a member on the way to a secret's place
    /// more than once, in one case or in several, is refused with a 502 saying it cannot be
    /// shown without its secret: which copy a client reads is its parser's choice (the first,
    /// the last, or, in Go, one merged into the other), and no rewrite of one reading of it can
    /// stand for them all. Taking the secret out of every copy would take a reading of the
    /// answer that keeps repeated members, and writing it again would collapse them into one,
    /// losing what the others held. A refusal needs to know nothing of which copy holds what,
    /// so it misses no case.
    fn withhold_relayed_secret(
        &self,
        route: &Route,
        caller: Caller<'_>,
        body: Bytes,
        success: bool,
    ) -> Result<Bytes, Problem> {
        if !caller.withholds_secret {
            return Ok(body); // a key that may read secrets, or keys off: as the vendor answered
        }
        let Kind::Operation(role) = route.kind else {
            return Ok(body);
        };
        let secret = self.secret_places();
        if secret.is_empty() {
            return Ok(body); // a vendor that keeps no secret of a webhook's
        }
        let endpoint = self.dialect.endpoint(role);
        let Some(endpoint) = endpoint.filter(|e| e.role.action().reads_only()) else {
            return Ok(body);
        };
        let refused = |why: &str| {
            Problem::new(
                Code::Forbidden,
                format!(
                    "the API key lacks the scope webhooks:write, which this answer takes: it may \
                     show the webhook's signing secret, {why}"
                ),
            )
        };
        let Ok((mut answer, inexact)) = crate::json::from_slice_lenient_noting(&body) else {
            return match success {
                true => Err(refused("and could not be read to take it out")),
                false => Ok(body),
            };
        };
        let list = endpoint.role.action() == Action::List;
        let places = if list {
            &endpoint.items_paths
        } else {
            &endpoint.item_paths
        };
        if let Some(repeated) = repeated_on_the_way(&body, places, list, &secret) {
            return Err(Problem::new(
                Code::UpstreamError,
                format!(
                    "the vendor's answer cannot be shown without the webhook's signing secret to \
                     an API key that lacks the scope webhooks:write: it names `{repeated}` more \
                     than once (member names compared in any letter case), on the way to where \
                     its webhooks keep the secret, and which one a client reads is its parser's \
                     choice"
                ),
            ));
        }
        // Where the vendor's answer holds its webhook, or its list's items: the first place
        // its mapping file reads them from that holds them, its names in any letter case.
        let place = places.iter().find_map(|p| {
            let spelt = p.spelt_in(&answer)?;
            let held = spelt.get(&answer)?;
            (if list {
                held.is_array()
            } else {
                held.is_object()
            })
            .then_some(spelt)
        });
        let mut changed = false;
        match place.and_then(|p| p.get_mut(&mut answer)) {
            Some(Value::Array(items)) => {
                for item in items {
                    changed |= withheld(&secret, item);
                }
            }
            Some(webhook) => changed = withheld(&secret, webhook),
            None if success => {
                return Err(refused(
                    "and holds no webhook where its mapping file reads one to take it out",
                ));
            }
            None => {}
        }
        if !changed {
            return Ok(body);
        }
        if inexact {
            return Err(refused(
                "beside integers beyond 64 bits that could not be passed on exactly without it",
            ));
        }
        let mut out = Vec::with_capacity(body.len());
        crate::json::write(&mut out, &answer);
        Ok(Bytes::from(out))
    }

    /// Where this API's webhook objects keep a signing secret, each place with what a webhook
    /// without one shows there: the answers' rule's paths and aliases first, with its
    /// placeholder; then every other path a rule of the secret names (a create's request
    /// member, which the vendor never answers), where nothing is shown.
    fn secret_places(&self) -> Vec<(&FieldPath, Shown<'_>)> {
        let rules = &self.dialect.webhook.rules;
        let secret = rules
            .iter()
            .filter(|r| r.is_placed() && r.target.is_secret());
        let mut places: Vec<(&FieldPath, Shown<'_>)> = Vec::new();
        for rule in secret.clone().filter(|r| r.response) {
            let shown = match (&rule.render_default, rule.nullable) {
                (Some(placeholder), _) => Shown::Placeholder(placeholder),
                (None, true) => Shown::Null,
                (None, false) => Shown::Nothing,
            };
            for path in rule.path.iter().chain(&rule.aliases) {
                places.push((path, shown));
            }
        }
        for rule in secret.filter(|r| !r.response) {
            for path in rule.path.iter().chain(&rule.aliases) {
                if places.iter().all(|(p, _)| *p != path) {
                    places.push((path, Shown::Nothing));
                }
            }
        }
        places
    }

    /// What a change made through this API is held to before it is made: that the webhook it
    /// would leave is one this API can show, as its answer must. Refused, the change is
    /// refused as that answer would have been, and nothing is changed.
    pub(super) fn answer_check(&self, owner: Option<&str>) -> AnswerCheck {
        let dialect = self.dialect.clone();
        let backend = self.backend.clone();
        let owner = owner.map(str::to_owned);
        AnswerCheck(std::sync::Arc::new(move |webhook| {
            let seen = seen_here(
                &dialect,
                Some(backend.dialect()),
                webhook.clone(),
                owner.as_deref(),
            );
            shown(&dialect.webhook, &seen).map(drop).map_err(|mut p| {
                p.detail = format!("{}; nothing was changed", p.detail);
                p
            })
        }))
    }

    /// A secret the backend minted, placed where this API's webhooks take one, in the answer
    /// that made it, where this API would show it nowhere: its vendor never answers a secret
    /// (its clients choose them), or shows it at a resource (`…/secret`) that the backend's
    /// vendor does not answer. A client left without it would hold a webhook signed with a key
    /// it never learns. The canonical API shows such a secret once too. The gateway also keeps
    /// such a secret for the resource's read, but only in its memory (a restart forgets it):
    /// the answer that made it is the one place it cannot be lost from.
    fn show_minted_secret(&self, shown: &mut Value, webhook: &Map<String, Value>) {
        let Some(secret) = webhook.get("secret").filter(|s| s.is_string()) else {
            return;
        };
        let answered = self.dialect.webhook.answered_secret().is_some();
        let shown_again =
            self.dialect.secret_resource().is_some() && self.backend.shows_secret_again();
        if answered || shown_again {
            return;
        }
        if let Some(path) = self.secret_place() {
            path.set(shown, secret.clone());
        }
    }

    /// Where this API's webhook object takes a secret ([`secret_place`]).
    pub(super) fn secret_place(&self) -> Option<&FieldPath> {
        secret_place(&self.dialect)
    }

    /// Whether this API's client can read a webhook's secret after the answer that made it:
    /// at its vendor's own resource for it (`…/secret`). Every backend answers it: an emulated
    /// vendor keeps the secret, and an upstream shows it again, or the gateway keeps the one it
    /// showed once ([`crate::upstream::kept`]).
    pub(super) fn secret_readable_later(&self) -> bool {
        self.dialect.secret_resource().is_some()
    }

    /// A test's result as this API answers one, where the webhooks behind are another
    /// vendor's: what the backend reported, the event type the client asked for, which the
    /// backend sent, and the time the backend answered that it had sent it. The other
    /// vendor's own members (its `extensions`) are not this API's, unless its file names them.
    /// This vendor's constants (its success message) stand only where the backend reported
    /// the delivery a success. Nothing is made up: a member this API always answers that the
    /// backend never reports refuses the test before any call (`never_shown`).
    fn tested_here(
        &self,
        mut result: Map<String, Value>,
        asked: Option<&Value>,
    ) -> Map<String, Value> {
        if !self.translating() {
            return result;
        }
        let rules = &self.dialect.test_result;
        if let Some(Value::Object(ext)) = result.get_mut("extensions") {
            ext.retain(|key, _| rules.names_extension(key));
            if ext.is_empty() {
                result.shift_remove("extensions");
            }
        }
        if let Some(event) = asked {
            result.entry("event_type").or_insert_with(|| event.clone());
        }
        // The backend has sent the test by the time it answers: now, to the precision this
        // vendor writes its times in.
        result.entry("sent_at").or_insert_with(|| {
            let now = std::time::SystemTime::now();
            Value::from(if self.dialect.emulator.micros {
                humantime::format_rfc3339_micros(now).to_string()
            } else {
                humantime::format_rfc3339_seconds(now).to_string()
            })
        });
        if result.get("delivered") == Some(&Value::Bool(true)) {
            crate::store::apply_defaults(rules, &mut result);
        }
        model::ordered(result, model::TEST_RESULT_FIELDS)
    }

    pub(super) fn render_done(
        &self,
        routed: &Routed<Route>,
        caller: Caller<'_>,
        done: Done,
        request_id: &str,
    ) -> Result<Response<Body>, Problem> {
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
        let mut fill = Fill::of_request(request_id, op_name);
        fill.owner = owner;
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
                let mut seen = self.as_seen_here(caller, webhook, owner);
                // The resource shows its own members: the webhook's other leftovers are the
                // endpoint's (`channels`, `uid`), which no resource answer carries.
                if let Some(Value::Object(leftovers)) = seen.get_mut("extensions") {
                    leftovers.retain(|key, _| r.fields.names_extension(key));
                }
                let object = shown(&r.fields, &seen)?;
                let slots = |name: &str| match name {
                    "resource" => Some(object.clone()),
                    "request_id" => Some(Value::from(request_id)),
                    _ => None,
                };
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
                // The order a list was asked in, which its next page's URL asks for again.
                let mut order = None;
                // The cursor a list's page was asked at, which the last page's next link
                // names again where the vendor writes one there.
                let mut asked_cursor = None;
                match done.outcome {
                    O::Created(w)
                        if role == Role::Replace || role == Role::Action(Action::Update) =>
                    {
                        // An update that created the webhook (a PUT of an unknown id): a
                        // secret minted for it is shown as a create's is.
                        status = 201;
                        canonical_webhook = self.as_seen_here(caller, w.into_map(), owner);
                        let mut shown = shown(&d.webhook, &canonical_webhook)?;
                        self.show_minted_secret(&mut shown, &canonical_webhook);
                        fill.webhook = Some(shown);
                        fill.canonical = Some(&canonical_webhook);
                    }
                    O::Webhook(w) | O::Created(w) => {
                        canonical_webhook = self.as_seen_here(caller, w.into_map(), owner);
                        let mut shown = shown(&d.webhook, &canonical_webhook)?;
                        if matches!(role.action(), Action::Create | Action::RotateSecret) {
                            self.show_minted_secret(&mut shown, &canonical_webhook);
                        }
                        fill.webhook = Some(shown);
                        fill.canonical = Some(&canonical_webhook);
                    }
                    O::TestResult(r) => {
                        let r = self.tested_here(r, route.asked_event.get());
                        fill.result = Some(shown(&d.test_result, &r)?);
                    }
                    O::List { items, next_cursor } => {
                        fill.count = Some(items.len());
                        // A vendor with nothing to list may say so with a status alone.
                        if let Some(empty) = endpoint.empty_status.filter(|_| items.is_empty()) {
                            return Ok(body::empty(empty));
                        }
                        let asked = self.list_query(role, &route.query)?;
                        // A cursor this vendor's clients compute is computed here as they do,
                        // whatever the backend's own cursors are.
                        // A next page after a last webhook without an id cannot be named:
                        // the vendor's error, not the list's end.
                        let next_cursor = match next_cursor {
                            Some(_) if !endpoint.paging.is_given() => Some(
                                endpoint
                                    .paging
                                    .following(asked.cursor.as_deref(), items.len(), || {
                                        items.last_id()
                                    })
                                    .ok_or_else(|| self.no_last_id())?,
                            ),
                            // An upstream's own cursor, sealed for this list.
                            next => match self.sealing(route.owner.as_deref(), asked.order) {
                                Some(list) => next.map(|n| list.seal(&n)),
                                None => next,
                            },
                        };
                        let shown: Result<Vec<Value>, Problem> = items
                            .into_maps()
                            .into_iter()
                            .map(|w| {
                                let w = self.as_seen_here(caller, w, owner);
                                shown(&d.webhook, &w)
                            })
                            .collect();
                        fill.items = Some(Value::Array(shown?));
                        fill.done = Some(next_cursor.is_none());
                        fill.cursor = match endpoint.paging.position(asked.cursor.as_deref()) {
                            Some(at) => Some(Value::from(at)),
                            None => asked.cursor.clone().map(Value::from),
                        };
                        fill.limit = asked.limit;
                        order = asked.order;
                        asked_cursor = asked.cursor;
                        // A vendor that names the next page by its URL: the URL, as it writes it.
                        fill.next_cursor = match (endpoint.paging, next_cursor) {
                            (Paging::Url, Some(next)) => next_url(
                                endpoint,
                                route.url.as_deref(),
                                Some(&next),
                                fill.limit,
                                order,
                            ),
                            (_, next) => next,
                        };
                    }
                    // A delete's answer may be the webhook it deleted, where it was read before,
                    // or name it (`{"id": …, "deleted": true}`): the route's id.
                    O::Deleted(Some(w)) => {
                        canonical_webhook = self.as_seen_here(caller, w.into_map(), owner);
                        fill.webhook = Some(shown(&d.webhook, &canonical_webhook)?);
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
                // The headers that name the webhook, as the vendor writes them.
                let id = (fill.canonical)
                    .filter(|_| !endpoint.response_headers.is_empty())
                    .and_then(|w| w.get("id")?.as_str());
                if let Some(id) = id {
                    let named = self.id_headers(endpoint, route, id, owner);
                    response.headers_mut().extend(named);
                }
                if endpoint.paging == Paging::Link
                    && let Some(link) = link_field(
                        endpoint,
                        route.url.as_deref(),
                        (fill.next_cursor.as_deref(), asked_cursor.as_deref()),
                        fill.limit,
                        order,
                    )
                {
                    response.headers_mut().insert(header::LINK, link);
                }
                Ok(response)
            }
        }
    }

    /// A page whose next page begins after its last webhook, which has no id to name it by.
    fn no_last_id(&self) -> Problem {
        let behind = self
            .backend
            .upstream()
            .unwrap_or(&self.backend.dialect().name);
        Problem::new(
            Code::UpstreamError,
            format!(
                "upstream {behind} sent a page whose last webhook has no id, after which its next page begins"
            ),
        )
    }

    /// A relayed reply, passed on as it is: a JSON body byte for byte. Never a redirect (its
    /// client would be sent to the vendor, or nowhere: its `Location` is not passed on), nor a
    /// body that is not JSON, nor an empty one: each is the vendor's failure in its own shape,
    /// as the canonical API answers it, a refusal (a 4xx) at the vendor's own status. A
    /// success of an operation whose answer is read for nothing (a delete's `OK` or 204) is
    /// the exception, which its client takes as the vendor sent it, and so are a list's status
    /// that says it has nothing to list and, where the vendor refuses in text, a refusal in
    /// the text its errors are written in.
    pub(super) fn render_relayed(
        &self,
        routed: &Routed<Route>,
        caller: Caller<'_>,
        reply: crate::exchange::Reply,
    ) -> Result<Response<Body>, Problem> {
        let Backend::Upstream(upstream) = &self.backend else {
            return Err(Problem::internal("a relay without an upstream"));
        };
        let status = reply.status.as_u16();
        let json = !reply.body.is_empty() && crate::json::is_document(&reply.body);
        let unread = || {
            reply.status.is_success()
                && self.reads_nothing(&routed.route, status, reply.body.is_empty())
        };
        let in_words = !json && self.refused_in_its_words(&reply);
        let passed_on = !reply.status.is_redirection() && (json || in_words || unread());
        if !passed_on {
            let mut problem = upstream.unreadable(&reply);
            // A refusal is the vendor's answer all the same: its client is told what the
            // vendor told, at its status, only in the shape the vendor's errors take.
            if reply.status.is_client_error() {
                problem.relayed_status = Some(reply.status);
            }
            return Err(problem);
        }
        if reply.body.is_empty() {
            let mut response = body::empty(status);
            let named = self.id_headers_relayed(&routed.route, &reply, upstream)?;
            response.headers_mut().extend(named);
            return Ok(response);
        }
        if in_words {
            let content_type = (reply.headers.value("content-type"))
                .unwrap_or_else(|| self.dialect.errors.content_type.clone());
            let retry_after = reply.retry_after().and_then(headers::value);
            let mut response = body::bytes(status, reply.body, &content_type);
            if let Some(value) = retry_after {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return Ok(response);
        }
        let mut reply = reply;
        if json {
            let success = reply.status.is_success();
            let route = &routed.route;
            reply.body = self.withhold_relayed_secret(route, caller, reply.body, success)?;
        }
        let retry_after = reply.retry_after().and_then(headers::value);
        let content_type = reply
            .headers
            .value("content-type")
            .filter(|v| !json || v.as_bytes().ends_with(b"json"))
            .unwrap_or_else(|| self.dialect.media_type.clone());
        let named = self.id_headers_relayed(&routed.route, &reply, upstream)?;
        let (relayed, link) = self.next_page_here(&routed.route, reply, upstream)?;
        let mut response = body::bytes(status, relayed, &content_type);
        response.headers_mut().extend(named);
        if let Some(value) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if let Some(link) = link {
            response.headers_mut().insert(header::LINK, link);
        }
        Ok(response)
    }

    /// The headers this API's answer to `endpoint` names the webhook of canonical `id` in
    /// (`response_headers`), each written as the vendor writes it: a path under this API's
    /// mount prefix, an absolute URL of the address the client sent the request to.
    fn id_headers(
        &self,
        endpoint: &Endpoint,
        route: &Route,
        id: &str,
        owner: Option<&str>,
    ) -> Vec<(http::HeaderName, http::HeaderValue)> {
        let (origin, prefix) = route
            .answered_at
            .as_deref()
            .map_or((None, ""), |(o, p)| (o.as_deref(), p.as_str()));
        let at = Address { origin, prefix };
        let codec = self.dialect.id_codec();
        (endpoint.response_headers.iter())
            .filter_map(|h| Some((h.name.clone(), h.write(id, owner, codec, at)?)))
            .collect()
    }

    /// The headers a relayed success names its webhook in, written again here: the vendor's
    /// own name an address of the vendor's (an absolute URL of its host), which a client
    /// following it would reach around the gateway. The webhook is the one the vendor's
    /// headers name; where they name none, none is written. Where they name two (two
    /// `Location` lines that differ), the answer is refused as the canonical API refuses it:
    /// which webhook the change made is not known.
    fn id_headers_relayed(
        &self,
        route: &Route,
        reply: &crate::exchange::Reply,
        upstream: &crate::upstream::Upstream,
    ) -> Result<Vec<(http::HeaderName, http::HeaderValue)>, Problem> {
        let Kind::Operation(role) = route.kind else {
            return Ok(Vec::new());
        };
        let endpoint = self.dialect.endpoint(role);
        let Some(endpoint) = endpoint.filter(|e| !e.response_headers.is_empty()) else {
            return Ok(Vec::new());
        };
        if !reply.status.is_success() {
            return Ok(Vec::new());
        }
        let values = |name: &http::HeaderName| {
            (reply.headers.texts(name.as_str()))
                .map(|line| line.map(str::to_owned))
                .collect()
        };
        let named = self.dialect.named_in_headers(endpoint, values);
        if let Some(problem) = upstream.named_twice(&named) {
            return Err(problem);
        }
        Ok(match named.found {
            Some(found) => {
                let owner = found.owner.as_deref().or(route.owner.as_deref());
                self.id_headers(endpoint, route, &found.id, owner)
            }
            None => Vec::new(),
        })
    }

    /// Whether `reply` is a refusal (a 4xx) in words, written as this dialect's clients read
    /// its errors: where the vendor refuses in text (`errors.content_type`, Trello's `invalid
    /// id`), a refusal of that media type is what its clients expect, passed on as it came.
    fn refused_in_its_words(&self, reply: &crate::exchange::Reply) -> bool {
        let errors = &self.dialect.errors;
        let ours = errors.content_type.to_str().map(headers::essence);
        let theirs = reply.headers.text("content-type").map(headers::essence);
        errors.text
            && reply.status.is_client_error()
            && !reply.body.is_empty()
            && theirs.is_some_and(|t| ours.is_ok_and(|o| o.eq_ignore_ascii_case(t)))
    }

    /// Whether a success answered with `status` to `route` is read for nothing, so that a body
    /// that is no JSON (`empty` or not) goes on as the vendor sent it: any body to an operation
    /// whose `response` reads nothing from it (a delete's `OK`, its 204), none to a resource's
    /// verb that answers without a body, or to a list answered with the status by which its
    /// vendor says it has nothing to list.
    fn reads_nothing(&self, route: &Route, status: u16, empty: bool) -> bool {
        match route.kind {
            Kind::Operation(role) => self
                .dialect
                .endpoint(role)
                .is_some_and(|e| !e.reads_answer() || (empty && e.empty_status == Some(status))),
            Kind::Resource(i, verb) => {
                empty
                    && (self.dialect.resources[i].endpoint(verb))
                        .is_some_and(|e| e.response.is_none())
            }
        }
    }

    /// A relayed page's body, and its `Link` field, with the next page named on the gateway.
    /// A vendor that names its next page by its URL names its own address: a client following
    /// it would go around the gateway (to the vendor with its key for hookgate, or to an
    /// emulator's port, past the surface's authentication). The vendor's query goes on, on the
    /// URL the client sent the list to, less any credential the vendor wrote into it; every
    /// other byte of the body is the vendor's. A next page the gateway cannot name (a URL
    /// without a query) is the vendor's failure, never its address passed on.
    fn next_page_here(
        &self,
        route: &Route,
        reply: crate::exchange::Reply,
        upstream: &crate::upstream::Upstream,
    ) -> Result<(bytes::Bytes, Option<http::HeaderValue>), Problem> {
        let listed = match route.kind {
            Kind::Operation(role) => self
                .dialect
                .endpoint(role)
                .filter(|e| e.role.action() == Action::List),
            Kind::Resource(..) => None,
        };
        let (Some(endpoint), Some(url)) = (listed, route.url.as_deref()) else {
            return Ok((reply.body, None));
        };
        let credentials: Vec<&str> = (self.dialect.credential_places())
            .filter_map(|place| match place {
                crate::mapping::model::CredentialPlace::Query(name) => Some(name),
                crate::mapping::model::CredentialPlace::Header(_) => None,
            })
            .chain(upstream.own_query_names())
            .collect();
        let own = upstream.own_secrets();
        let here = |next: &str| {
            relayed_next_url(url, next, &credentials, own).ok_or_else(|| {
                Problem::new(
                    Code::UpstreamError,
                    format!(
                        "upstream {} named its next page by a URL without a query, which this surface cannot name",
                        upstream.name
                    ),
                )
            })
        };
        let (body, link, next) = match endpoint.paging {
            Paging::Link => match reply.headers.joined("link") {
                Some(field) => {
                    let links = relayed_links(endpoint, &field, url, &here)?;
                    // hookgate's own credential, wherever else the vendor wrote it in a link
                    // (its parameters, a link to no page), as it is taken out of every
                    // answer's body.
                    let links = links.and_then(|field| {
                        let bytes = bytes::Bytes::copy_from_slice(field.as_bytes());
                        let own = upstream.own_secrets();
                        let scrubbed = crate::upstream::scrub::without_own_secrets(bytes, own);
                        http::HeaderValue::from_maybe_shared(scrubbed).ok()
                    });
                    let next = headers::links(&field)
                        .find(|link| link.is("next"))
                        .map(|link| link.target.to_owned());
                    (reply.body, links, next)
                }
                None => (reply.body, None, None),
            },
            Paging::Url => {
                let (body, next) = next_url_here(endpoint, reply.body, here)?;
                (body, None, next)
            }
            _ => (reply.body, None, None),
        };
        // The list's other pages the body names (`prev`, `first`, a next page's URL beside
        // the token the mapping reads) go on here too; one without a query names the list.
        let Some(matched) = self.routes.get(route.at) else {
            return Ok((body, link));
        };
        let path = [
            &*upstream.base_path,
            &matched.path.render(
                &[&self.dialect.base_path],
                route.owner.as_deref(),
                route.id.as_deref(),
            ),
        ]
        .concat();
        // The vendor's hosts are its base URL's, and that of the next page it named.
        let Ok(base) = url::Url::parse(&upstream.base_url) else {
            return Ok((body, link));
        };
        let hosts = [Some(upstream.base_url.as_str()), next.as_deref()]
            .into_iter()
            .flatten()
            .filter_map(|u| Some(base.join(u).ok()?.host_str()?.to_owned()))
            .collect();
        let at = pages::ListAt {
            base,
            hosts,
            path: &path,
            items: &endpoint.items_paths,
        };
        let body = pages::other_pages_here(body, &at, |page| {
            here(page).unwrap_or_else(|_| url.to_owned())
        });
        Ok((body, link))
    }
}

/// A relayed page (`body`) whose next page the vendor names by its URL, at the endpoint's
/// cursor path, with that URL named on the gateway by `here`.
/// Also the vendor's URL of that page, whose origin is the vendor's too.
fn next_url_here(
    endpoint: &Endpoint,
    body: bytes::Bytes,
    here: impl Fn(&str) -> Result<String, Problem>,
) -> Result<(bytes::Bytes, Option<String>), Problem> {
    let Some(at) = endpoint.cursor_path.as_ref() else {
        return Ok((body, None));
    };
    let Ok(page) = crate::json::from_slice_lenient(&body) else {
        return Ok((body, None));
    };
    let next = match at.get(&page) {
        Some(Value::String(next)) if !next.is_empty() => next.clone(),
        _ => return Ok((body, None)),
    };
    let ours = here(&next)?;
    Ok((with_next(body, next.clone(), ours), Some(next)))
}

/// A relayed page's `Link` field (`field`, the vendor's), every link and parameter as the
/// vendor wrote them, with the targets of its pages (`next`, `prev`, `first`, `last` and the
/// like) named on the gateway by `here`, and its other links (documentation, say) untouched.
/// A next link the vendor marks as naming no next page (`link_ends`) whose URL cannot go on
/// here is named by the list's own URL (`url`), as is any other page named without a query:
/// it names no page to go on to, or the first. `None` for a field that holds no link.
fn relayed_links(
    endpoint: &Endpoint,
    field: &str,
    url: &str,
    here: &impl Fn(&str) -> Result<String, Problem>,
) -> Result<Option<http::HeaderValue>, Problem> {
    /// The relation types that name a page of the list (RFC 8288's registry, RFC 5005's).
    const PAGES: [&str; 7] = ["next", "prev", "previous", "first", "last", "self", "start"];
    let mut out = String::with_capacity(field.len() + 64);
    for link in headers::links(field) {
        let target = if link.is("next") {
            let last =
                headers::next_link_of(&link).is_some_and(|next| endpoint.link_says_last(&next));
            match here(link.target) {
                Ok(target) => target,
                Err(_) if last => url.to_owned(),
                Err(problem) => return Err(problem),
            }
        } else if PAGES.iter().any(|rel| link.is(rel)) {
            here(link.target).unwrap_or_else(|_| url.to_owned())
        } else {
            link.target.to_owned()
        };
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push('<');
        out.push_str(&target);
        out.push('>');
        out.push_str(link.written);
    }
    if out.is_empty() {
        return Ok(None);
    }
    http::HeaderValue::try_from(out)
        .map(Some)
        .map_err(|_| Problem::internal("a relayed page's links that are no header value"))
}

/// A page whose next page's URL (`next`) is to be `ours`: the vendor's string replaced where
/// it lies, wherever the body repeats it, however the vendor escaped it (`\/`), so that every
/// other byte stays the vendor's.
fn with_next(body: bytes::Bytes, next: String, ours: String) -> bytes::Bytes {
    match pages::renamed(&body, &[], |text| (text == next).then(|| ours.clone())) {
        Some(renamed) => bytes::Bytes::from(renamed),
        None => body,
    }
}

/// The URL of a relayed list's next page on the gateway: `url` (the one the client sent the
/// list to) with the query of the vendor's `next`, less the pairs `credentials` names and
/// those whose value holds one of hookgate's own credentials at the vendor (`own`: a vendor
/// that writes the credential it was sent into its links, under a name of its own), or the
/// mark it became where the answer's body was received; `None`
/// for a `next` without a query.
fn relayed_next_url(
    url: &str,
    next: &str,
    credentials: &[&str],
    own: &[crate::config::Secret],
) -> Option<String> {
    let query = next.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or_default();
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let Some((name, value)) = form_urlencoded::parse(pair.as_bytes()).next() else {
                return false;
            };
            // A short credential only where it is the whole value: its bytes may well be
            // part of a cursor.
            // A body's was taken out as it was received: its place holds the mark alone,
            // which no vendor is to be sent either.
            let echoed = own.iter().map(|s| s.expose()).any(|secret| {
                value == secret
                    || (secret.len() >= crate::problem::SHORT_SECRET && value.contains(secret))
            }) || (!own.is_empty()
                && value.contains(crate::upstream::scrub::REDACTED));
            !credentials.contains(&name.as_ref()) && !echoed
        })
        .collect();
    Some(format!("{url}?{}", kept.join("&")))
}

/// The `Link` field of a list's page, for a vendor that names its next page there: a
/// `rel="next"` link to the next page (`next`, its cursor) where there is one. On the last
/// page, where the vendor writes a next link there too and marks it (`link_ends`), one to the
/// page itself (`asked`: the cursor it was asked at), with the parameters that say so: what
/// its clients read is there, and one that follows it is answered that page again.
fn link_field(
    endpoint: &Endpoint,
    url: Option<&str>,
    (next, asked): (Option<&str>, Option<&str>),
    limit: Option<u64>,
    order: Option<Order>,
) -> Option<http::HeaderValue> {
    let (target, last) = match next {
        Some(next) => (next_url(endpoint, url, Some(next), limit, order)?, false),
        None if !endpoint.link_ends.is_empty() => {
            (next_url(endpoint, url, asked, limit, order)?, true)
        }
        None => return None,
    };
    let params = endpoint.link_end_params(last);
    http::HeaderValue::try_from(format!("<{target}>; rel=\"next\"{params}")).ok()
}

/// The next page's URL, for a vendor that names its next page by one (in a `Link` header, or
/// in its answer's body): the URL the client sent the list to (`url`), with the next cursor
/// (none: the first page) and the page size and order asked for, which the next page keeps,
/// as its query, `https://host/prefix/webhooks?limit=2&page_info=abc`.
/// Absolute, as vendors write it: their clients follow it as it is (some join anything else to
/// their base URL). Relative (`?limit=2&page_info=abc`, which RFC 3986 resolves against the
/// request's URL) only where the request named no authority.
fn next_url(
    endpoint: &Endpoint,
    url: Option<&str>,
    next: Option<&str>,
    limit: Option<u64>,
    order: Option<Order>,
) -> Option<String> {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if let (Some(limit), Some(param)) = (limit, endpoint.param_of("limit")) {
        query.append_pair(param, &limit.to_string());
    }
    let ordered = order
        .zip(endpoint.order.as_ref())
        .zip(endpoint.param_of("order"));
    if let Some(((order, words), param)) = ordered {
        query.append_pair(param, words.spell(order));
    }
    let param = endpoint.param_of("cursor")?;
    if let Some(next) = next {
        query.append_pair(param, next);
    }
    let query = query.finish();
    let url = url.unwrap_or_default();
    // The first page asked without a query is named without one.
    Some(if query.is_empty() {
        url.to_owned()
    } else {
        format!("{url}?{query}")
    })
}

impl<'a> Fill<'a> {
    /// What a header of every answer may use: the request's id and the operation's name.
    pub(super) fn of_request(request_id: &'a str, operation: &'a str) -> Fill<'a> {
        Fill {
            request_id,
            operation,
            ..Fill::default()
        }
    }
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
            "cursor" => self.cursor.clone(),
            "done" => self.done.map(Value::Bool),
            "has_more" => self.done.map(|d| Value::Bool(!d)),
            "request_id" => Some(Value::from(self.request_id)),
            "owner" => self.owner.map(Value::from),
            "operation" => Some(Value::from(self.operation)),
            "message" => self.problem.map(|p| Value::from(p.detail.as_str())),
            "status" => self.problem.map(|p| Value::from(p.status())),
            "code" => self.vendor_code.clone(),
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
    problem_response_as_sent(d, problem, request_id, operation, &[])
}

/// [`problem_response`] for a request whose body gave fields under an alias alone (`spelt`:
/// each canonical field with the member the client sent): errors name those members as sent.
pub fn problem_response_as_sent(
    d: &Dialect,
    problem: &Problem,
    request_id: &str,
    operation: &str,
    spelt: &[(String, String)],
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
        .map(|e| {
            let field = match &chosen_secret {
                // A query parameter or header is named as the client sent it: a member of
                // the webhook of the same canonical name is another thing.
                _ if e.place != crate::problem::Place::Body => e.field.clone(),
                Some(path) if e.field == "secret" => path.to_string(),
                _ => match spelt.iter().find(|(field, _)| *field == e.field) {
                    Some((_, alias)) => alias.clone(),
                    None => d.webhook.vendor_name(&e.field),
                },
            };
            // A message about one item of the field (`headers[0].secret: …`) names the item
            // as this API names the field.
            let message = match e.message.strip_prefix(e.field.as_str()) {
                Some(rest) if rest.starts_with('[') => format!("{field}{rest}"),
                _ => e.message.clone(),
            };
            FieldError {
                field,
                message,
                ..e.clone()
            }
        })
        .collect();
    // With field errors, the message names the fields as this API does.
    let mut shown = problem.clone();
    shown.detail = problem.detail_naming(&vendor_errors);
    // A template that shows the problem through `{{errors}}` alone must not lose its words.
    let render = d.errors.worded_template_of(&shown, &vendor_errors);
    let whole = d.errors.whole_request_error(&shown, &vendor_errors);
    let written_errors = match whole.as_slice() {
        [] => &vendor_errors[..],
        whole => whole,
    };
    let fill = Fill {
        request_id,
        operation,
        problem: Some(&shown),
        vendor_code: Some(code_value(
            &problem
                .upstream
                .as_ref()
                .filter(|u| u.dialect == d.name)
                .and_then(|u| u.code.clone())
                .unwrap_or_else(|| d.errors.vendor_code(problem.code)),
            d.errors.integer_codes,
        )),
        errors: d.errors.render_field_errors(written_errors),
        field: vendor_errors.first().map(|e| e.field.clone()),
        ..Fill::default()
    };
    // A vendor's own refusal relayed keeps the vendor's status, whatever the file spells its
    // code with: its client reads what the vendor said.
    let relayed = problem.relayed_status.map(|s| s.as_u16());
    let status = (relayed.or(render.status)).unwrap_or_else(|| problem.status());
    let content_type = &d.errors.content_type;
    let mut response = match (&render.body, d.errors.text) {
        (None, _) => body::empty(status),
        // Text as it renders: every template of a text dialect is a string.
        (Some(template), true) => {
            let text = match template.render(&fill) {
                Some(serde_json::Value::String(text)) => text,
                other => other.map_or_else(String::new, |v| v.to_string()),
            };
            body::bytes(status, bytes::Bytes::from(text), content_type)
        }
        // A webhook the backend made before the failure (a create answered as another
        // owner's, one whose later part failed) is named beside the vendor's error, with the
        // secret minted for it: the vendor showed it once, and the client has no other way
        // to learn it.
        (Some(template), false) => match problem.made.as_deref() {
            Some(made) => {
                let mut shown = template.render(&fill).unwrap_or(Value::Null);
                if let Value::Object(members) = &mut shown {
                    members.insert("webhook".to_owned(), made_here(d, made));
                }
                body::json(status, &shown, content_type)
            }
            None => body::json(status, &template.written(&fill), content_type),
        },
    };
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

/// Where `d`'s webhook object takes a secret: where its requests carry one
/// (`webhook_secret`), else where its resource for the secret holds it (`…/signing`'s
/// `secret`), relative to that resource's object.
fn secret_place(d: &Dialect) -> Option<&FieldPath> {
    fn at(fields: &ObjectMap) -> Option<&FieldPath> {
        fields.reading("secret").and_then(|r| r.path.as_ref())
    }
    at(&d.webhook).or_else(|| at(&d.resources[d.secret_resource()?].fields))
}

/// The webhook a failed change made (`made`: its id, a secret minted for it), as `d`'s
/// webhooks show them: the id where they hold it, written as `d` writes it, and the secret
/// where a create's answer of `d` shows one ([`secret_place`]). Nothing else is shown: the
/// rest of the webhook was not read, and a member written for it would be made up.
fn made_here(d: &Dialect, made: &Map<String, Value>) -> Value {
    let mut shown = Value::Object(Map::new());
    let id = made.get("id").and_then(Value::as_str);
    if let (Some(id), Some(path)) = (id, d.webhook.reading("id").and_then(|r| r.path.as_ref())) {
        path.set(&mut shown, d.webhook.spelt("id", id));
    }
    let secret = made.get("secret").filter(|s| s.is_string());
    if let (Some(secret), Some(path)) = (secret, secret_place(d)) {
        path.set(&mut shown, secret.clone());
    }
    shown
}

/// A backend's webhook as `dialect` can show it. Where the backend's dialect is another
/// (`behind`), values it implies (webhooks of a dialect without an enabled flag are always
/// enabled) are stated, since `dialect` may spell them, and members it keeps under
/// `extensions` are its own vendor's fields, which `dialect` does not have, unless `dialect`
/// names them too. The owner is the one the client asked under.
fn seen_here(
    dialect: &Dialect,
    behind: Option<&Dialect>,
    mut webhook: Map<String, Value>,
    owner: Option<&str>,
) -> Map<String, Value> {
    if let Some(behind) = behind {
        for rule in &behind.webhook.rules {
            if let (Some(value), Target::Field(field)) = (&rule.implied, &rule.target) {
                webhook.entry(field.name).or_insert_with(|| value.clone());
            }
        }
        // As the gateway reads it: a status the upstream reports but could not read is none.
        if !behind.webhook.reports("status") {
            model::derive_status(&mut webhook);
        }
        if let Some(Value::Object(ext)) = webhook.get_mut("extensions") {
            ext.retain(|key, _| {
                dialect.webhook.names_extension(key)
                    || dialect
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
        && (behind.is_some() || webhook.get("owner").is_none_or(Value::is_null))
    {
        webhook.insert("owner".into(), Value::from(owner));
    }
    webhook
}

/// What a webhook whose secret this API has none of shows where the secret would be, as a
/// render would write it.
#[derive(Clone, Copy)]
enum Shown<'a> {
    /// The rule's `render_default` (`""` where its clients require the member).
    Placeholder(&'a Value),
    /// `null`, where the vendor reports an absent secret so.
    Null,
    /// Nothing: the member left out.
    Nothing,
}

/// Where `webhook` (a vendor's, as relayed) shows its signing secret at one of `places`, its
/// members named in any letter case ([`FieldPath::spelt_in`]), what this API shows there of a
/// webhook whose secret it has none of. Whether anything changed.
fn withheld(places: &[(&FieldPath, Shown<'_>)], webhook: &mut Value) -> bool {
    let mut changed = false;
    for (path, shown_instead) in places {
        let Some(path) = path.spelt_in(webhook) else {
            continue;
        };
        let shown = path.get(webhook);
        let placeholder = match shown_instead {
            Shown::Placeholder(p) => Some(*p),
            _ => None,
        };
        if shown.is_none_or(Value::is_null) || shown == placeholder {
            continue;
        }
        match shown_instead {
            Shown::Placeholder(p) => path.set(webhook, (*p).clone()),
            Shown::Null => path.set(webhook, Value::Null),
            Shown::Nothing => drop(path.take(webhook)),
        }
        changed = true;
    }
    changed
}

/// The first member that the vendor's answer `body` names more than once on the way to a
/// secret's place (`secret`) of its webhook, at any of `places` (of each of its items, where
/// it is a `list`'s), names compared in any letter case ([`crate::json::folded`]). An answer
/// that is no JSON document has none: it was read already.
fn repeated_on_the_way(
    body: &[u8],
    places: &[FieldPath],
    list: bool,
    secret: &[(&FieldPath, Shown<'_>)],
) -> Option<String> {
    use crate::json::folded::Along;
    use crate::mapping::json_path::Step;
    fn along(path: &FieldPath) -> impl Iterator<Item = Along<'_>> {
        path.steps().iter().map(|step| match step {
            Step::Key(key) => Along::Key(key),
            Step::Index(i) => Along::Index(*i),
        })
    }
    let ways: Vec<Vec<Along<'_>>> = places
        .iter()
        .flat_map(|place| {
            secret.iter().map(move |(path, _)| {
                let mut way: Vec<Along<'_>> = along(place).collect();
                way.extend(list.then_some(Along::Each));
                way.extend(along(path));
                way
            })
        })
        .collect();
    crate::json::folded::repeated_along(body, &ways)
        .ok()
        .flatten()
}

/// A webhook in the shape of `map`; one it cannot show (two events where it holds one) is
/// refused, never bent.
fn shown(map: &ObjectMap, webhook: &Map<String, Value>) -> Result<Value, Problem> {
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
