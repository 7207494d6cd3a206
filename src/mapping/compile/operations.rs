//! `[operations.NAME]` and `[resources.NAME]`: each operation's path, verb, query, headers,
//! bodies, paging and follow-up calls, with the placeholders each template may use checked.

use super::Compiler;
use crate::mapping::file::{self, OperationName, OperationSection};
use crate::mapping::id_header::IdHeader;
use crate::mapping::json_path::FieldPath;
use crate::mapping::model::{
    Endpoint, FlagAbsent, FollowUp, Guard, LinkEnd, Ordering, Paging, PatchOps, Resource,
    ResourceEndpoint, Role, Strategy,
};
use crate::mapping::rules::ObjectMap;
use crate::mapping::template::{self, Piece, Template};
use crate::mapping::url::{PathSeg, PathTemplate};
use crate::model::{self, Action};
use http::Method;
use serde_json::Value;
use std::collections::BTreeMap;

/// Why no placeholder has a value in an operation's request headers, where none has.
const NO_HEADER_SLOT: &str = "no placeholder has a value in this operation's headers (`{{owner}}` has in an owner-scoped dialect, `{{id}}` and `{{current.FIELD}}` on an operation on one webhook)";

/// Placeholders a success envelope may use (and `webhook.FIELD`).
const RESPONSE_SLOTS: &[&str] = &[
    "webhook",
    "items",
    "result",
    "count",
    "limit",
    "cursor",
    "next_cursor",
    "done",
    "has_more",
    "request_id",
    "operation",
];

/// The placeholders read back from an operation's answer: where the vendor's answer holds
/// the webhook, a list's items and page, or a test's result.
const READ_FROM_ANSWERS: &[(&str, &[usize])] = &[
    ("webhook", &[]),
    ("items", &[]),
    ("result", &[]),
    ("next_cursor", &[]),
    ("done", &[]),
    ("has_more", &[]),
];

/// The placeholders a surface reads back from its client's body: the webhook, a rotation's
/// chosen secret, a create's idempotency key, a test's URL and event type.
const READ_FROM_BODIES: &[(&str, &[usize])] = &[
    ("webhook", &[]),
    ("secret", &[]),
    ("idempotency_key", &[]),
    ("current.url", &[]),
    ("current.events", &[0]),
];

/// The canonical fields of the webhook a response places whole by their own placeholders
/// (`{ signature_key = "{{webhook.secret}}" }`), with where: a placeholder standing whole marks
/// where its value is found, `{{webhook.FIELD}}` as `{{webhook}}` does. One within text, or
/// naming no canonical field, is written and never read.
fn placed_fields(response: &Template) -> Vec<(&'static model::Field, FieldPath)> {
    let placed = |slot: &str| {
        let field = model::webhook_field(slot.strip_prefix("webhook.")?)?;
        Some((field, response.path_of(slot)?))
    };
    let mut out: Vec<(&'static model::Field, FieldPath)> = Vec::new();
    for (field, at) in response.slots().into_iter().filter_map(placed) {
        if !out.iter().any(|(f, _)| f.name == field.name) {
            out.push((field, at));
        }
    }
    out
}

/// Where an operation's answer holds what it answers with.
#[derive(Default)]
struct AnswerPaths {
    /// The webhook (or a test's result).
    item_paths: Vec<FieldPath>,
    /// Fields of the webhook placed whole by their own placeholders (`{{webhook.secret}}`).
    placed_fields: Vec<(&'static model::Field, FieldPath)>,
    /// A list's items.
    items_paths: Vec<FieldPath>,
    /// Whether an answer without them lists none (`{{items|[]}}`).
    items_absent_none: bool,
    /// A list page's cursor and end flags.
    cursor_path: Option<FieldPath>,
    done_path: Option<FieldPath>,
    more_path: Option<FieldPath>,
    done_absent: FlagAbsent,
    more_absent: FlagAbsent,
}

impl AnswerPaths {
    /// Where the operation's own item is read: a list's items, else the item.
    fn read_at(&mut self, action: Action) -> &mut Vec<FieldPath> {
        if action == Action::List {
            &mut self.items_paths
        } else {
            &mut self.item_paths
        }
    }
}

impl Compiler<'_> {
    /// A path template, checked against the placeholders it must and must not have; its
    /// `{owner}` stands for `owner_span` segments (0: the dialect has no owner scope).
    fn path_template(
        &mut self,
        key: &str,
        text: &str,
        with_id: Option<bool>,
        owner_span: usize,
    ) -> Option<PathTemplate> {
        let path = match PathTemplate::parse(text) {
            Ok(p) => p,
            Err(e) => {
                self.error(key, e);
                return None;
            }
        };
        // `None`: the id may stand elsewhere (checked by the caller).
        match with_id {
            Some(true) if !path.has(&PathSeg::Id) => {
                self.error(key, format!("`{text}` must contain {{id}}"));
            }
            Some(false) if path.has(&PathSeg::Id) => {
                self.error(key, format!("`{text}` must not contain {{id}}"));
            }
            _ => {}
        }
        // Where an owner scope's owner goes (the path, a query parameter, a create's body, or
        // nowhere for a webhook found by its id alone) is checked once the whole file is known.
        if owner_span == 0 && path.has(&PathSeg::Owner) {
            self.error(
                key,
                format!(
                    "`{text}` must not contain {{owner}}: the dialect declares no owner scope (dialect.owner)"
                ),
            );
        }
        Some(path.spanning_owner(owner_span.max(1)))
    }

    /// The placeholders of `read` that a `$switch` of `t` places, each read where its case
    /// puts it: reported where they could not be (two places, or another case writing
    /// something else there), rather than a value lost or one made up when an answer or a
    /// client's body is read.
    fn read_through_switches(&mut self, key: &str, t: &Template, read: &[(&str, &[usize])]) {
        for (name, index) in read {
            if let Some(why) = t.unread_in_switch(name, index) {
                self.error(key, why);
            }
        }
    }

    /// Reports each placeholder of `read` (those read back from an answer or a body) placed
    /// at two places of `t`, where no `$switch` has already been reported for it: a reader
    /// reads it at one, and emulators and surfaces would write the one value they hold at
    /// both. What a vendor or a client wrote at the other would be lost, or, in a client's
    /// body, sent on unread (a test's second URL, past the URL policy).
    fn placed_once(
        &mut self,
        key: &str,
        t: &Template,
        read: &[(&str, &[usize])],
        next: Option<file::NextName>,
    ) {
        for (name, index) in read {
            let places = t.places_of(name, index);
            let [first, second, ..] = places.as_slice() else {
                continue;
            };
            if t.unread_in_switch(name, index).is_some() {
                continue;
            }
            let (first, second) = (template::jsonpath(first), template::jsonpath(second));
            let why = if *name == "next_cursor" {
                cursor_placed_twice(&first, &second, next)
            } else {
                let slot = template::slot_text(name, index);
                format!(
                    "`{slot}` stands at `{first}` and at `{second}`: it is read at one place, and emulators and surfaces would write its one value at both, so what a vendor or a client writes at the other would be lost; place it once"
                )
            };
            self.error(key, why);
        }
    }

    /// Reports a placeholder that `every` answer or body must hold (a list's `{{items}}`, a
    /// read's `{{webhook}}`) where a `$switch` of `t` places it in some of its cases only:
    /// one of another case would be read as holding nothing, and a page or a webhook lost.
    /// (A cursor or a flag may be missing: a last page has no next one.)
    fn placed_always(&mut self, key: &str, t: &Template, name: &str, every: &str) {
        let flag =
            |on: &str| super::switched_kind(on).is_some_and(|(k, n)| k == model::Kind::Bool && !n);
        if let Some(why) = t.not_always_placed((name, &[]), every, &flag) {
            self.error(key, why);
        }
    }

    fn method(&mut self, key: &str, text: &str) -> Option<Method> {
        match Method::from_bytes(text.to_ascii_uppercase().as_bytes()) {
            Ok(m) => Some(m),
            Err(_) => {
                self.error(key, format!("`{text}` is not an HTTP method"));
                None
            }
        }
    }

    /// Refuses each placeholder of a request header's template `t` that has no value there
    /// (`allowed` are those that have), saying why: a list's paging placeholders and the
    /// other ones of a `query` are not sent in a header (paging by a request header, a
    /// `Range` one say, is not supported), and where none has a value, which do where.
    fn check_header_slots(&mut self, key: &str, t: &Template, allowed: &[&str]) {
        for slot in t.slots().into_iter().filter(|s| !allowed.contains(s)) {
            let why = match slot {
                "limit" | "cursor" => format!(
                    "`{{{{{slot}}}}}` cannot be sent in a request header: paging by a request header is not supported; a list sends `{{{{limit}}}}` and `{{{{cursor}}}}` in its `query`"
                ),
                "order" | "update_mask" => format!(
                    "`{{{{{slot}}}}}` cannot be sent in a request header; it has a value in a `query` only"
                ),
                _ => super::unknown_slot(slot, allowed, NO_HEADER_SLOT),
            };
            self.error(key, why);
        }
    }

    /// An operation's own request headers (`headers`): a literal value, the owner (`{{owner}}`)
    /// in an owner-scoped dialect, the id (`{{id}}`) or a field of the webhook as it is
    /// (`{{current.FIELD}}`: a vendor's precondition) on an operation on one webhook. Headers
    /// that hookgate writes itself (the framing, the credential, the request id, the
    /// idempotency key) are not the file's to set.
    fn request_headers(
        &mut self,
        key: &str,
        action: Action,
        headers: &BTreeMap<String, String>,
        (owned, webhook): (bool, &ObjectMap),
    ) -> (Vec<(http::HeaderName, Template)>, Vec<Guard>) {
        let mut slots = Vec::new();
        if owned {
            slots.push("owner");
        }
        if action.has_id() {
            slots.push("id");
        }
        let mut guards = Vec::new();
        let headers = headers
            .iter()
            .filter_map(|(k, v)| {
                let hkey = format!("{key}.headers.{k}");
                let name = self.header_name(&hkey, k)?;
                if name == http::header::AUTHORIZATION
                    || crate::http::headers::WRITTEN.contains(&name.as_str())
                {
                    self.error(&hkey, "hookgate writes this header itself");
                    return None;
                }
                let t = self.template(&hkey, &Value::from(v.as_str()))?;
                let current = t.slots().iter().any(|s| s.starts_with("current."));
                if current {
                    if let Some(guard) = self.guard(&hkey, action, &name, &t, webhook) {
                        guards.push(guard);
                    }
                } else {
                    self.check_header_slots(&hkey, &t, &slots);
                }
                if let Template::Literal(Value::String(text)) = &t
                    && http::HeaderValue::from_str(text).is_err()
                {
                    self.error(&hkey, "not a valid header value");
                }
                Some((name, t))
            })
            .collect();
        (headers, guards)
    }

    /// A header that sends a field of the webhook as it is (`{{current.FIELD}}`), alone or
    /// within text: on an operation on one webhook only (there is no current webhook
    /// elsewhere), a field the webhook has (canonical, or an extension a rule names), whole,
    /// without a default (a header made up where the webhook holds no value would claim a
    /// version nobody read), and the header's only placeholder, so that a client's header can
    /// be told from the field's value alone.
    fn guard(
        &mut self,
        key: &str,
        action: Action,
        header: &http::HeaderName,
        t: &Template,
        webhook: &ObjectMap,
    ) -> Option<Guard> {
        if !action.has_id() {
            self.error(
                key,
                "`{{current.FIELD}}` is for an operation on one webhook: there is no current webhook here",
            );
            return None;
        }
        if action == Action::Get {
            self.error(
                key,
                "`get` is how the webhook is read first: it cannot send `{{current.FIELD}}`",
            );
            return None;
        }
        let (name, index, default, around) = match t {
            Template::Slot {
                name,
                index,
                default,
            } => (
                name,
                index.as_slice(),
                default.is_some(),
                (String::new(), String::new()),
            ),
            Template::Text(pieces) => {
                let slots: Vec<_> = pieces
                    .iter()
                    .enumerate()
                    .filter_map(|(i, p)| match p {
                        Piece::Slot(name, index) => Some((i, name, index)),
                        Piece::Text(_) => None,
                    })
                    .collect();
                let [(at, name, index)] = slots.as_slice() else {
                    self.error(
                        key,
                        "a header that sends `{{current.FIELD}}` holds no other placeholder",
                    );
                    return None;
                };
                let text = Piece::text_of;
                let around = (text(&pieces[..*at]), text(&pieces[at + 1..]));
                (*name, index.as_slice(), false, around)
            }
            _ => return None,
        };
        let field = name.strip_prefix("current.")?;
        if !index.is_empty() || default {
            self.error(
                key,
                format!(
                    "`{{{{{name}}}}}` is sent as the webhook holds it: name the whole field, without an index or a default"
                ),
            );
            return None;
        }
        if !self.current_field(key, field, webhook) {
            return None;
        }
        Some(Guard {
            header: header.clone(),
            field: field.to_owned(),
            around,
        })
    }

    /// Whether `field` of `{{current.FIELD}}` is one the webhook has: a canonical field, or an
    /// extension a rule names (`extensions.version`); reported otherwise.
    fn current_field(&mut self, key: &str, field: &str, webhook: &ObjectMap) -> bool {
        let known = match field.strip_prefix("extensions.") {
            Some(ext) => webhook.names_extension(ext),
            None => model::webhook_field(field).is_some(),
        };
        if !known {
            self.error(
                key,
                format!(
                    "`{{{{current.{field}}}}}` names no canonical field, nor an extension a rule names (`[fields.\"extensions.NAME\"]`)"
                ),
            );
        }
        known
    }

    /// The `[operations.NAME]` sections; `get` is required, since updates and tests read the
    /// webhook: a call of its own, or (`from = "list"`) the list's, read to the page that
    /// holds the webhook, which then is no endpoint of its own.
    pub(super) fn operations(
        &mut self,
        sections: &BTreeMap<OperationName, OperationSection>,
        (owner_span, webhook): (usize, &ObjectMap),
        resources: &[Resource],
    ) -> Vec<Endpoint> {
        let mut operations = Vec::new();
        for (op_name, section) in sections {
            let role = role_of(*op_name);
            let key = format!("operations.{}", role.name());
            if section.from.is_some() {
                self.read_from_list(&key, role, section, sections);
                continue;
            }
            let at = (owner_span, webhook);
            if let Some(op) = self.operation(&key, role, section, at, resources) {
                operations.push(op);
            }
        }
        let disables = operations
            .iter()
            .any(|o| o.role == Role::Action(Action::Disable));
        if operations.iter().any(|o| o.disable_first) && !disables {
            self.error(
                "operations.delete.first",
                "`disable` is called first: declare `[operations.disable]`",
            );
        }
        // A `get` given that could not be read has been refused for what is wrong in it.
        if !sections.contains_key(&OperationName::Get) {
            self.error(
                "operations",
                "`get` is required: updates and tests read the webhook",
            );
        }
        operations
    }

    /// A `get` read from the list (`from = "list"`), for a vendor with no read of one
    /// webhook: it has no call of its own, so every key that would say something of one means
    /// nothing beside it, and is refused by name rather than ignored; the list it reads must
    /// be declared. Nothing else is read from the list.
    fn read_from_list(
        &mut self,
        key: &str,
        role: Role,
        s: &OperationSection,
        sections: &BTreeMap<OperationName, OperationSection>,
    ) {
        if role != Role::Action(Action::Get) {
            self.error(
                format!("{key}.from"),
                "only `get` is read from the list: this operation is a call of its own",
            );
            return;
        }
        if !sections.contains_key(&OperationName::List) {
            self.error(
                format!("{key}.from"),
                "`list` reads the webhook from the list's pages: declare `[operations.list]`",
            );
        }
        let given = [
            ("method", s.method.is_some()),
            ("path", s.path.is_some()),
            ("content_type", s.content_type.is_some()),
            ("query", !s.query.is_empty()),
            ("headers", !s.headers.is_empty()),
            ("body", s.body.is_some()),
            ("response", s.response.is_some()),
            ("response_headers", !s.response_headers.is_empty()),
            ("status", s.status.is_some()),
            ("accept", !s.accept.is_empty()),
            ("strategy", s.strategy.is_some()),
            ("json_patch", s.json_patch.is_some()),
            ("then", !s.then.is_empty()),
            ("first", !s.first.is_empty()),
            ("upsert", s.upsert.is_some()),
            ("inferred", s.inferred),
            ("request", !s.request.is_empty()),
            ("order", s.order.is_some()),
            ("limit", s.limit.is_some()),
            ("next", s.next.is_some()),
            ("empty_status", s.empty_status.is_some()),
            ("link_ends", s.link_ends.is_some()),
        ];
        for (name, _) in given.iter().filter(|(_, given)| *given) {
            self.error(
                format!("{key}.{name}"),
                "means nothing beside `from = \"list\"`: the webhook is read by the list's calls, as `[operations.list]` says them",
            );
        }
    }

    pub(super) fn resource(
        &mut self,
        name: &str,
        s: &file::ResourceSection,
        owner_span: usize,
    ) -> Option<Resource> {
        let key = format!("resources.{name}");
        let fields = self.object_map(
            &format!("{key}.fields"),
            &s.fields,
            &BTreeMap::new(),
            model::WEBHOOK_FIELDS,
        );
        if fields.rules.is_empty() {
            self.error(
                &key,
                "holds no field: add `[resources.NAME.fields.FIELD]` rules",
            );
        }
        let mut verb = |verb: &str, call: &Option<file::ResourceCallSection>, reads: bool| {
            let call = call.as_ref()?;
            let vkey = format!("{key}.{verb}");
            let method = self.method(&format!("{vkey}.method"), &call.method)?;
            let path =
                self.path_template(&format!("{vkey}.path"), &call.path, Some(true), owner_span)?;
            let default_body = Value::from("{{resource}}");
            let body = if reads {
                Template::Literal(Value::Null)
            } else {
                self.template(
                    &format!("{vkey}.body"),
                    call.body.as_ref().unwrap_or(&default_body),
                )?
            };
            let response = match (&call.response, reads) {
                (Some(r), _) => Some(self.template(&format!("{vkey}.response"), r)?),
                (None, true) => Some(Template::compile(&default_body).ok()?),
                (None, false) => None,
            };
            for (what, t) in [("body", Some(&body)), ("response", response.as_ref())] {
                if let Some(t) = t {
                    let at = format!("{vkey}.{what}");
                    self.check_slots(&at, t, &["resource", "request_id"]);
                    self.read_through_switches(&at, t, &[("resource", &[])]);
                    self.placed_once(&at, t, &[("resource", &[])], None);
                    let every = if what == "body" {
                        "every body"
                    } else {
                        "every answer"
                    };
                    self.placed_always(&at, t, "resource", every);
                }
            }
            let item_path = response.as_ref().and_then(|r| r.path_of("resource"));
            if reads && item_path.is_none() {
                self.error(format!("{vkey}.response"), "must place `{{resource}}`");
            }
            Some(ResourceEndpoint {
                method,
                path,
                body_item_path: body.path_of("resource"),
                body,
                response,
                item_path,
                status: call.status.unwrap_or(if reads { 200 } else { 204 }),
            })
        };
        let get = verb("get", &s.get, true);
        let replace = verb("replace", &s.replace, false);
        let update = verb("update", &s.update, false);
        if s.get.is_none() && s.replace.is_none() && s.update.is_none() {
            self.error(&key, "needs at least one of `get`, `replace` or `update`");
        }
        if s.read_with_webhook && s.get.is_none() {
            self.error(
                format!("{key}.read_with_webhook"),
                "the resource has no `get`",
            );
        }
        let in_create = self.in_create(&key, &s.in_create, &fields);
        Some(Resource {
            name: name.to_owned(),
            fields,
            get,
            replace,
            update,
            read_with_webhook: s.read_with_webhook,
            in_create,
        })
    }

    /// A resource's `in_create`: each field it names is one of the resource's that requests
    /// carry, read from a create's webhook at the path given, with the resource rule's codec
    /// and checks (a member a create may leave out, whatever the resource's own write needs).
    fn in_create(
        &mut self,
        key: &str,
        places: &BTreeMap<String, String>,
        fields: &ObjectMap,
    ) -> Option<ObjectMap> {
        let mut rules = Vec::new();
        for (name, text) in places {
            let at = format!("{key}.in_create.{name}");
            let Some(path) = self.path(&at, text) else {
                continue;
            };
            let own =
                (fields.rules.iter()).find(|r| r.target.is(name) && r.request && r.is_placed());
            let Some(own) = own else {
                self.error(
                    &at,
                    format!("`{name}` is no field of the resource that requests carry"),
                );
                continue;
            };
            let mut rule = own.clone();
            rule.error_field = path.to_string();
            rule.path = Some(path);
            rule.aliases = Vec::new();
            rule.render_aliases = false;
            rule.response = false;
            rule.ops = crate::mapping::rules::Ops {
                create: true,
                update: false,
            };
            rule.checks
                .retain(|c| *c != crate::mapping::checks::Check::Required);
            rule.default = None;
            rule.render_default = None;
            rule.render_required = false;
            rules.push(rule);
        }
        (!rules.is_empty()).then(|| ObjectMap::new(rules, Vec::new(), model::WEBHOOK_FIELDS))
    }

    /// How an update reaches the vendor: as `strategy` says, else, for an `update` whose body
    /// is sent as `application/merge-patch+json`, as the RFC 7396 merge patch that media type
    /// is. A strategy that says otherwise beside that media type contradicts it.
    fn strategy(&mut self, key: &str, role: Role, s: &OperationSection) -> Strategy {
        let update = role == Role::Action(Action::Update);
        let merge_patch_type = s.content_type.as_deref().is_some_and(|text| {
            let essence = text.split(';').next().unwrap_or("").trim();
            essence.eq_ignore_ascii_case("application/merge-patch+json")
        });
        let named = s.strategy.map(|name| match name {
            file::StrategyName::Merge => Strategy::Merge,
            file::StrategyName::ReadMergeWrite => Strategy::ReadMergeWrite,
            file::StrategyName::JsonPatch => Strategy::JsonPatch,
            file::StrategyName::MergePatch => Strategy::MergePatch,
        });
        match named {
            None if update && merge_patch_type => Strategy::MergePatch,
            None => Strategy::Merge,
            Some(Strategy::MergePatch) if !update => {
                self.error(
                    format!("{key}.strategy"),
                    "`merge_patch` is for `update` only",
                );
                Strategy::Merge
            }
            Some(other) if update && merge_patch_type && other != Strategy::MergePatch => {
                self.error(
                    format!("{key}.strategy"),
                    "`application/merge-patch+json` is an RFC 7396 merge patch, whose objects merge: say `strategy = \"merge_patch\"`, or leave `strategy` out",
                );
                other
            }
            Some(named) => named,
        }
    }

    /// An operation's `response_headers`: the headers of its answer that name the webhook's
    /// id, each a template of `{{id}}` ([`IdHeader`]). Only on an operation whose answer is
    /// about a webhook it made or changed: a list, a read, a delete and a test answer none a
    /// header could name. A header hookgate writes on every answer itself is not the file's.
    fn id_headers(
        &mut self,
        key: &str,
        action: Action,
        headers: &BTreeMap<String, file::IdHeaderSection>,
        owner_span: usize,
    ) -> Vec<IdHeader> {
        if headers.is_empty() {
            return Vec::new();
        }
        if matches!(
            action,
            Action::List | Action::Get | Action::Delete | Action::Test
        ) {
            self.error(
                format!("{key}.response_headers"),
                format!(
                    "name the webhook a change makes or changes: `{action}` answers none a header could name (`create`, `update`, `replace`, `rotate_secret`, `toggle`, `enable` and `disable` take them)"
                ),
            );
            return Vec::new();
        }
        let mut out: Vec<IdHeader> = Vec::new();
        for (name, section) in headers {
            let hkey = format!("{key}.response_headers.{name}");
            let Some(header) = self.header_name(&hkey, name) else {
                continue;
            };
            let written_here = ["link", "retry-after", "allow", "www-authenticate"];
            if crate::http::headers::WRITTEN.contains(&header.as_str())
                || written_here.contains(&header.as_str())
            {
                self.error(&hkey, "hookgate writes this header itself");
                continue;
            }
            if out.iter().any(|h| h.name == header) {
                self.error(
                    &hkey,
                    "names a header named already: header names are matched without regard to case",
                );
                continue;
            }
            let (text, absolute) = match section {
                file::IdHeaderSection::Template(text) => (text.as_str(), false),
                file::IdHeaderSection::Path(p) => (p.path.as_str(), p.absolute),
            };
            let Some(template) = self.template(&hkey, &Value::from(text)) else {
                continue;
            };
            match IdHeader::new((header, name), text, &template, absolute, owner_span) {
                Ok(h) => out.push(h),
                Err(why) => self.error(&hkey, why),
            }
        }
        out
    }

    /// One `[operations.NAME]` section, its keys in the order `mappings/README.md` documents
    /// them; the body's placeholders, the follow-up reads and where the answer holds what are
    /// each checked by a step of their own.
    fn operation(
        &mut self,
        key: &str,
        role: Role,
        s: &OperationSection,
        (owner_span, webhook): (usize, &ObjectMap),
        resources: &[Resource],
    ) -> Option<Endpoint> {
        let action = role.action();
        let (method, path) = self.call_keys(key, role, s)?;
        let method = self.method(&format!("{key}.method"), method)?;
        // An operation on one webhook names its id in the path, or in a query parameter or
        // header that sends `{{id}}` alone (`?id=`).
        let with_id = (!action.has_id()).then_some(false);
        let path = self.path_template(&format!("{key}.path"), path, with_id, owner_span)?;
        let (query, order) = self.query_and_order(key, action, s, owner_span > 0);
        let (headers, guards) =
            self.request_headers(key, action, &s.headers, (owner_span > 0, webhook));
        let content_type = s
            .content_type
            .as_deref()
            .and_then(|text| self.json_media_type(&format!("{key}.content_type"), text));
        if content_type.is_some() && s.body.is_none() {
            self.error(
                format!("{key}.content_type"),
                "the operation sends no body (`body`)",
            );
        }
        let whole_id = |t: &Template| t.is_slot("id");
        if action.has_id()
            && !path.has(&PathSeg::Id)
            && !query.iter().any(|(_, t)| whole_id(t))
            && !headers.iter().any(|(_, t)| whole_id(t))
        {
            self.error(
                format!("{key}.path"),
                format!(
                    "`{path}` must contain {{id}}, or a query parameter or header send `{{{{id}}}}` alone: an id sent in the body alone is not supported"
                ),
            );
        }
        let request = s
            .request
            .iter()
            .filter_map(|(name, section)| {
                self.member_check(&format!("{key}.request.{name}"), name, section)
            })
            .collect();
        let body = self.template_at(key, "body", s.body.as_ref());
        let response = self.template_at(key, "response", s.response.as_ref());
        if let Some(b) = &body {
            self.check_body_slots(key, action, b, webhook);
            if action == Action::Create {
                self.key_placed_whole(&format!("{key}.body"), b);
            }
            self.read_through_switches(&format!("{key}.body"), b, READ_FROM_BODIES);
            self.placed_once(&format!("{key}.body"), b, READ_FROM_BODIES, None);
            if matches!(action, Action::Create | Action::Update) {
                self.placed_always(&format!("{key}.body"), b, "webhook", "every body");
            }
        }
        let then = self.follow_ups(key, action, &s.then, resources);
        let disable_first = self.first_calls(key, action, &s.first);
        let reread = then.contains(&FollowUp::Webhook);
        let owned = owner_span > 0;
        let response_headers = self.id_headers(key, action, &s.response_headers, owner_span);
        // An answer whose header names the webhook may hold nothing else of it: the webhook
        // is read after it, as after a change answered without its id.
        let named_apart = reread || !response_headers.is_empty();
        let mut answer = self.answer_paths(key, action, response.as_ref(), s, (named_apart, owned));
        // Alternatives are tried first: the template's own path may be the root, which
        // every answer has.
        let accepted = self.paths(&format!("{key}.accept"), &s.accept);
        answer.read_at(action).splice(0..0, accepted);
        if action == Action::Create
            && reread
            && answer.item_paths.is_empty()
            && s.response_headers.is_empty()
        {
            // The new webhook's id is read from the create's answer alone: a read after it
            // would name no webhook (`…/webhooks/`, the list at many vendors), and the webhook
            // made would be lost to its client.
            self.error(
                format!("{key}.response"),
                "must place `{{webhook}}` (or `accept` name where the answer holds the webhook, or `response_headers` the header that names its id): a create's answer names the new webhook's id, by which `then = [\"get\"]` reads it",
            );
        }
        let strategy = self.strategy(key, role, s);
        if strategy == Strategy::JsonPatch {
            // The patch's pointers start at the webhook, which must be the whole body.
            if action != Action::Update || role == Role::Replace {
                self.error(
                    format!("{key}.strategy"),
                    "`json_patch` is for `update` only",
                );
            } else if body
                .as_ref()
                .and_then(|b| b.path_of("webhook"))
                .is_none_or(|p| !p.is_root())
            {
                self.error(
                    format!("{key}.strategy"),
                    "`json_patch` needs `body = \"{{webhook}}\"`: the patch's pointers start at the webhook",
                );
            }
        }
        let patch_ops = match &s.json_patch {
            None => PatchOps::default(),
            Some(_) if strategy != Strategy::JsonPatch => {
                self.error(
                    format!("{key}.json_patch"),
                    "says how a JSON Patch is written: only beside `strategy = \"json_patch\"`",
                );
                PatchOps::default()
            }
            Some(ops) => PatchOps {
                set_with_add: ops.set == Some(file::SetOp::Add),
                clear_with_remove: ops.clear == Some(file::ClearOp::Remove),
            },
        };
        let upsert = s.upsert.and_then(file::UpsertSection::creates);
        if upsert.is_some() && action != Action::Update {
            self.error(
                format!("{key}.upsert"),
                "only `update` and `replace` can create",
            );
        }
        // The webhook is read first for a body's `{{current.*}}` and a header's alike: one
        // read fills both.
        let needs_current = !guards.is_empty()
            || body
                .as_ref()
                .is_some_and(|b| b.slots().iter().any(|s| s.starts_with("current.")));
        let paging = self.paging(key, action, s, &query, answer.cursor_path.is_some());
        let update_mask = query
            .iter()
            .find(|(_, t)| t.is_slot("update_mask"))
            .map(|(param, _)| param.clone());
        if update_mask.is_some() && strategy == Strategy::JsonPatch {
            self.error(
                format!("{key}.query"),
                "a JSON Patch names the places it changes: `{{update_mask}}` is for merges",
            );
        }
        let item_keys = match answer.read_at(action).as_slice() {
            [one] => one.keys(),
            _ => None,
        };
        let names_owner = path.has(&PathSeg::Owner)
            || query.iter().any(|(_, t)| t.slots().contains(&"owner"))
            || headers.iter().any(|(_, t)| t.slots().contains(&"owner"));
        Some(Endpoint {
            role,
            method,
            path,
            query,
            headers,
            names_owner,
            body_item_path: body.as_ref().and_then(|b| b.path_of("webhook")),
            body,
            response,
            response_headers,
            status: s.status.unwrap_or(200),
            item_paths: answer.item_paths,
            placed_fields: answer.placed_fields,
            item_keys,
            items_paths: answer.items_paths,
            cursor_path: answer.cursor_path,
            done_path: answer.done_path,
            more_path: answer.more_path,
            done_absent: answer.done_absent,
            more_absent: answer.more_absent,
            items_absent_none: answer.items_absent_none,
            strategy,
            patch_ops,
            then,
            disable_first,
            upsert,
            needs_current,
            guards,
            inferred: s.inferred,
            note: s.note.clone(),
            request,
            order,
            max_limit: s.limit.as_ref().map(|l| (l.max, l.message.clone())),
            min_limit: s.limit.as_ref().map_or(0, |l| l.min),
            empty_status: self.empty_status(key, action, s.empty_status),
            link_ends: self.link_ends(key, s, paging),
            paging,
            content_type,
            update_mask,
            // Made once the webhook's rules are whole (`Compiler::envelopes`).
            enveloped: None,
        })
    }

    /// An operation's `method` and `path`, each required of a call (only a `get` read from
    /// the list has none).
    fn call_keys<'s>(
        &mut self,
        key: &str,
        role: Role,
        s: &'s OperationSection,
    ) -> Option<(&'s str, &'s str)> {
        let or_list = match role {
            Role::Action(Action::Get) => {
                ", or `from = \"list\"` for a vendor with no read of one webhook"
            }
            _ => "",
        };
        for (name, given) in [("method", &s.method), ("path", &s.path)] {
            if given.is_none() {
                self.error(format!("{key}.{name}"), format!("is required{or_list}"));
            }
        }
        Some((s.method.as_deref()?, s.path.as_deref()?))
    }

    /// `empty_status`: on a list only, a success that needs no body.
    fn empty_status(&mut self, key: &str, action: Action, status: Option<u16>) -> Option<u16> {
        let status = status?;
        if action != Action::List {
            self.error(
                format!("{key}.empty_status"),
                "only `list` takes `empty_status`",
            );
        } else if !(200..300).contains(&status) {
            self.error(
                format!("{key}.empty_status"),
                format!("`{status}`: expected a success status, 200 to 299"),
            );
        }
        Some(status)
    }

    /// `link_ends`: beside `next = "link"` only, each a parameter (a token, never `rel`, which
    /// names the link as the next, and named once in any case) whose values can be written
    /// in a header, the last page's another than the others'.
    fn link_ends(&mut self, key: &str, s: &OperationSection, paging: Paging) -> Vec<LinkEnd> {
        let Some(ends) = &s.link_ends else {
            return Vec::new();
        };
        let at = format!("{key}.link_ends");
        if paging != Paging::Link {
            self.error(
                &at,
                "says which parameters of a `Link` header's next link mark the last page: only beside `next = \"link\"`",
            );
            return Vec::new();
        }
        if ends.is_empty() {
            self.error(&at, "names no parameter: leave it out");
        }
        let mut out: Vec<LinkEnd> = Vec::new();
        for (param, section) in ends {
            let at = format!("{at}.{param}");
            let (last, more) = match section {
                file::LinkEndSection::Last(last) => (last.clone(), None),
                file::LinkEndSection::Both(both) => (both.last.clone(), both.more.clone()),
            };
            if http::HeaderName::from_bytes(param.as_bytes()).is_err() {
                self.error(&at, format!("`{param}` is no parameter name (a token)"));
            } else if param.eq_ignore_ascii_case("rel") {
                self.error(
                    &at,
                    "`rel` names the link as the next page's: name a parameter beside it",
                );
            } else if out.iter().any(|e| e.param.eq_ignore_ascii_case(param)) {
                self.error(
                    &at,
                    "names a parameter named already: parameter names are matched without regard to case",
                );
            }
            let writable = |v: &str| v.chars().all(|c| c == '\t' || (' '..='~').contains(&c));
            for value in std::iter::once(&last).chain(&more) {
                if !writable(value) {
                    self.error(
                        &at,
                        format!("{value:?}: a value is printable ASCII, as a header's text is"),
                    );
                }
            }
            if more.as_ref() == Some(&last) {
                self.error(
                    &at,
                    format!("`last` and `more` are both {last:?}: a link would say both"),
                );
            }
            out.push(LinkEnd {
                param: param.clone(),
                last,
                more,
            });
        }
        out
    }

    /// How a list names its next page: given by the answer, or computed (`next`) from a
    /// cursor the list sends and never read from the answer as well.
    fn paging(
        &mut self,
        key: &str,
        action: Action,
        s: &OperationSection,
        query: &[(String, Template)],
        answer_cursor: bool,
    ) -> Paging {
        let Some(next) = s.next else {
            return Paging::Given;
        };
        let at = format!("{key}.next");
        if action != Action::List {
            self.error(&at, "only `list` takes `next`");
        }
        let url = matches!(next, file::NextName::Url);
        if answer_cursor && !url {
            self.error(
                &at,
                "the response places `{{next_cursor}}`: the next page is named by the answer or by `next`, not both",
            );
        }
        if url && !answer_cursor {
            self.error(
                &at,
                "`url` names the next page at `{{next_cursor}}` in the response, which places none",
            );
        }
        if !query.iter().any(|(_, t)| t.slots().contains(&"cursor")) {
            self.error(
                &at,
                "no query parameter sends `{{cursor}}`: the next page could not be asked for",
            );
        }
        match next {
            file::NextName::Offset => Paging::Offset,
            file::NextName::Page => Paging::Page,
            file::NextName::LastId => Paging::LastId,
            file::NextName::Link => Paging::Link,
            file::NextName::Url => Paging::Url,
        }
    }

    /// An operation's query parameters, and the list orders the vendor spells: `{{order}}`
    /// may stand in a parameter only where the operation says how the vendor names orders,
    /// and only a list takes orders and a largest page.
    fn query_and_order(
        &mut self,
        key: &str,
        action: Action,
        s: &OperationSection,
        owned: bool,
    ) -> (Vec<(String, Template)>, Option<Ordering>) {
        let order = s
            .order
            .as_ref()
            .map(|o| self.ordering(&format!("{key}.order"), o));
        let mut query_slots = vec!["limit", "cursor"];
        if order.is_some() {
            query_slots.push("order");
        }
        if owned {
            query_slots.push("owner");
        }
        if action.has_id() {
            query_slots.push("id");
        }
        if action == Action::Update {
            query_slots.push("update_mask");
        }
        let query = s
            .query
            .iter()
            .filter_map(|(param, text)| {
                let qkey = format!("{key}.query.{param}");
                let t = self.template(&qkey, &Value::from(text.as_str()))?;
                self.check_slots(&qkey, &t, &query_slots);
                if t.slots().contains(&"update_mask") && !t.is_slot("update_mask") {
                    self.error(&qkey, "`{{update_mask}}` is a parameter's whole value");
                }
                Some((param.clone(), t))
            })
            .collect();
        if action != Action::List && (s.order.is_some() || s.limit.is_some()) {
            self.error(key, "only `list` takes `order` and `limit`");
        }
        if let Some(limit) = s.limit.as_ref().filter(|l| l.min > l.max) {
            self.error(
                format!("{key}.limit.min"),
                format!("is larger than `max` ({})", limit.max),
            );
        }
        (query, order)
    }

    /// A list's orders in the vendor's words; its default one of them.
    fn ordering(&mut self, key: &str, o: &file::OrderSection) -> Ordering {
        let mut ordering = Ordering {
            ascending: o.ascending.to_vec(),
            descending: o.descending.to_vec(),
            default: None,
        };
        for (name, words) in [
            ("ascending", &ordering.ascending),
            ("descending", &ordering.descending),
        ] {
            if words.is_empty() || words.iter().any(String::is_empty) {
                self.error(format!("{key}.{name}"), "needs a word, each not empty");
            }
        }
        if let Some(both) = ordering
            .ascending
            .iter()
            .find(|w| ordering.descending.contains(w))
        {
            self.error(
                format!("{key}.descending"),
                format!("`{both}` is a word of `ascending` too"),
            );
        }
        if let Some(word) = &o.default {
            ordering.default = ordering.read(word);
            if ordering.default.is_none() {
                self.error(
                    format!("{key}.default"),
                    format!("`{word}` is neither `ascending` nor `descending` as spelt here"),
                );
            }
        }
        ordering
    }

    /// An operation's body may place the webhook (in a write), the new secret a rotation's
    /// client chose (`{{secret}}`) and the current webhook's canonical fields
    /// (`{{current.url}}`), nothing else.
    fn check_body_slots(
        &mut self,
        key: &str,
        action: Action,
        body: &Template,
        webhook: &ObjectMap,
    ) {
        let writes = matches!(action, Action::Create | Action::Update);
        let rotates = action == Action::RotateSecret;
        for slot in body.slots() {
            let current = slot.strip_prefix("current.");
            let own = (writes && slot == "webhook")
                || (action == Action::Create && slot == "idempotency_key")
                || (rotates && slot == "secret")
                || (action.has_id() && slot == "id");
            if !own && current.is_none() {
                self.error(format!("{key}.body"), misplaced(slot));
            } else if let Some(field) = current {
                self.current_field(&format!("{key}.body"), field, webhook);
            }
        }
    }

    /// A create's body places `{{idempotency_key}}` once, alone as a member's value, reached by
    /// member names alone: that member is the one a relayed create's key is found and scoped
    /// in, whatever else the body holds. In an array, within text or twice, the client's key
    /// could be relayed as it came, unscoped.
    fn key_placed_whole(&mut self, key: &str, body: &Template) {
        let uses = body
            .slots()
            .iter()
            .filter(|s| **s == "idempotency_key")
            .count();
        if uses == 0 {
            return;
        }
        let by_names =
            (body.path_of("idempotency_key")).is_some_and(|p| !p.is_root() && p.keys().is_some());
        if uses > 1 || !by_names {
            self.error(
                key,
                "`{{idempotency_key}}` must stand once, alone as the value of a member reached by member names alone (not in an array, not within text)",
            );
        }
    }

    /// An operation's `then`: the webhook read again (`get`), or resources read with their
    /// own `get`. Only a change of one webhook, or a create, takes it: its reads complete the
    /// webhook that change answers. A read's resources are read with it
    /// (`read_with_webhook`); a list's items, a test's result and a delete's answer are no
    /// webhook to complete, and a read after them would be laid out nowhere, or would read an
    /// answer as the webhook's.
    fn follow_ups(
        &mut self,
        key: &str,
        action: Action,
        then: &[String],
        resources: &[Resource],
    ) -> Vec<FollowUp> {
        let mut out = Vec::new();
        let completes = matches!(
            action,
            Action::Create
                | Action::Update
                | Action::RotateSecret
                | Action::Toggle
                | Action::Enable
                | Action::Disable
        );
        // A read that names only itself is told so below: it cannot read itself again.
        let itself = action == Action::Get && then.iter().all(|t| t == "get");
        if !(completes || then.is_empty() || itself) {
            self.error(
                format!("{key}.then"),
                format!(
                    "means nothing on `{}`: `then` reads the webhook (or its resources) after a change to complete the webhook it answers, and stands on `create`, `update`, `replace`, `rotate_secret`, `toggle`, `enable` and `disable` alone{}",
                    key.strip_prefix("operations.").unwrap_or(key),
                    match action {
                        Action::Get => "; a read's resources are read with it where they say `read_with_webhook = true`",
                        Action::List => "; a list's items are read from its answer",
                        Action::Test => "; a test's result is read from its answer",
                        _ => "; a delete answers no webhook",
                    }
                ),
            );
            return out;
        }
        for item in then {
            match item.as_str() {
                "get" if action != Action::Get => out.push(FollowUp::Webhook),
                "get" => self.error(
                    format!("{key}.then"),
                    "`get`: a read cannot read the webhook again after itself; leave `get` out of this `then`",
                ),
                other => match resources.iter().position(|r| r.name == other) {
                    Some(i) if resources[i].get.is_some() => out.push(FollowUp::Resource(i)),
                    Some(_) => self.error(
                        format!("{key}.then"),
                        format!("resource `{other}` has no `get` to read it with"),
                    ),
                    None => self.error(
                        format!("{key}.then"),
                        format!("`{other}`: expected `get` or the name of a resource"),
                    ),
                },
            }
        }
        out
    }

    /// An operation's `first`: the calls made before it. The one there is: `disable`, before a
    /// delete, for a vendor that deletes only disabled webhooks.
    fn first_calls(&mut self, key: &str, action: Action, first: &[String]) -> bool {
        let mut disable = false;
        for item in first {
            match item.as_str() {
                "disable" if action == Action::Delete => disable = true,
                "disable" => self.error(
                    format!("{key}.first"),
                    "only `delete` calls `disable` first",
                ),
                other => self.error(
                    format!("{key}.first"),
                    format!("`{other}`: expected `disable`"),
                ),
            }
        }
        disable
    }

    /// Where an operation's answer holds its item (or a list's items) and its page's cursor,
    /// as its `response` template places them. An answer that holds no item must be followed
    /// by a read of the webhook (`reread`: declared, or made because a header names the
    /// webhook), unless the operation is a delete.
    fn answer_paths(
        &mut self,
        key: &str,
        action: Action,
        response: Option<&Template>,
        s: &OperationSection,
        (reread, owned): (bool, bool),
    ) -> AnswerPaths {
        let mut out = AnswerPaths::default();
        let item_slot = match action {
            Action::List => "items",
            Action::Test => "result",
            _ => "webhook",
        };
        // A read after it completes the answer of a change of one webhook only: a read cannot
        // read again after itself, a create's read names the webhook its answer names, and a
        // list's items and a test's result are no webhook.
        let rereads = matches!(
            action,
            Action::Update
                | Action::RotateSecret
                | Action::Toggle
                | Action::Enable
                | Action::Disable
        );
        let Some(r) = response else {
            // A template that is present but failed to compile was reported already.
            if s.response.is_none() && action != Action::Delete && !reread {
                let headers = "`response_headers` where a header names its id";
                let message = match (rereads, action == Action::Create) {
                    (true, _) => format!(
                        "needs a `response` template (or, for an answer without the webhook, `then = [\"get\"]`, or {headers})"
                    ),
                    (false, true) => format!(
                        "needs a `response` template that places `{{{{{item_slot}}}}}` (or {headers})"
                    ),
                    (false, false) => {
                        format!("needs a `response` template that places `{{{{{item_slot}}}}}`")
                    }
                };
                self.error(key, message);
            }
            return out;
        };
        for slot in r.slots() {
            // The owner the answer is about, in an owner-scoped dialect (a list's `list_id`).
            let owner = owned && slot == "owner";
            if !RESPONSE_SLOTS.contains(&slot) && !slot.starts_with("webhook.") && !owner {
                self.error(format!("{key}.response"), misplaced(slot));
            }
        }
        self.read_through_switches(&format!("{key}.response"), r, READ_FROM_ANSWERS);
        self.placed_once(&format!("{key}.response"), r, READ_FROM_ANSWERS, s.next);
        if action != Action::Delete && !reread {
            self.placed_always(&format!("{key}.response"), r, item_slot, "every answer");
        }
        match r.path_of(item_slot) {
            Some(p) => out.read_at(action).push(p),
            None if action == Action::Delete || reread => {}
            None => self.error(
                format!("{key}.response"),
                match rereads {
                    true => format!(
                        "must place `{{{{{item_slot}}}}}` (or read it after: `then = [\"get\"]`)"
                    ),
                    false => format!("must place `{{{{{item_slot}}}}}`"),
                },
            ),
        }
        if !matches!(action, Action::Delete | Action::List | Action::Test) {
            out.placed_fields = placed_fields(r);
        }
        out.cursor_path = r.path_of("next_cursor");
        out.done_path = r.path_of("done");
        out.more_path = r.path_of("has_more");
        out.done_absent = self.flag_absent(&format!("{key}.response"), r, "done");
        out.more_absent = self.flag_absent(&format!("{key}.response"), r, "has_more");
        if action == Action::List {
            out.items_absent_none = self.items_absent(&format!("{key}.response"), r);
        }
        out
    }

    /// Whether an answer that leaves out a list's items lists none: where the placeholder's
    /// default says so (`{{items|[]}}`, a vendor that leaves out an empty array). A default
    /// of anything else is refused: one of other webhooks would make them up, and one of
    /// another kind would be no list.
    fn items_absent(&mut self, key: &str, r: &Template) -> bool {
        match r.default_of("items") {
            None => false,
            Some(Value::Array(none)) if none.is_empty() => true,
            Some(other) => {
                self.error(
                    key,
                    format!(
                        "`{{{{items|{other}}}}}`: the default of a list's items is what an answer without them means, a list of none: write `{{{{items|[]}}}}`"
                    ),
                );
                false
            }
        }
    }

    /// What an answer without the page flag `name` says ([`FlagAbsent`]): the value of
    /// its placeholder's default, which must be a boolean; nothing where a `$switch` case
    /// leaves the flag out; else the answer must hold it.
    fn flag_absent(&mut self, key: &str, r: &Template, name: &str) -> FlagAbsent {
        match r.default_of(name) {
            Some(Value::Bool(b)) => FlagAbsent::Means(*b),
            Some(other) => {
                self.error(
                    key,
                    format!(
                        "`{{{{{name}|{other}}}}}`: a page flag is `true` or `false`, and so is what an answer without it means"
                    ),
                );
                FlagAbsent::Refused
            }
            None => {
                let flag = |on: &str| {
                    super::switched_kind(on).is_some_and(|(k, n)| k == model::Kind::Bool && !n)
                };
                match r.not_always_placed((name, &[]), "every answer", &flag) {
                    Some(_) => FlagAbsent::Unsaid,
                    None => FlagAbsent::Refused,
                }
            }
        }
    }
}

/// Why placeholder `slot` is refused in an operation's body or response: where it may stand,
/// for a placeholder that has a value elsewhere (`{{idempotency_key}}` in a rotation's body),
/// else that it is unknown.
fn misplaced(slot: &str) -> String {
    let home = match slot {
        "webhook" => "in the `body` of `create`, `update` and `replace`, and in a `response`",
        "idempotency_key" => {
            "in the `body` of `create` alone, for a vendor that takes a create's idempotency key there (`dialect.idempotency_key` names a header that carries one on every POST)"
        }
        "secret" => {
            "in the `body` of `rotate_secret` alone, the new secret its client chose (a `response` places a webhook's secret as `{{webhook.secret}}`)"
        }
        "id" => {
            "in the `body`, `query` or `headers` of an operation on one webhook (not `list` or `create`)"
        }
        "owner" => {
            "in a `response`, a `query` or `headers` of an owner-scoped dialect (`dialect.owner`)"
        }
        "limit" | "cursor" => "in a list's `query`, and in a `response`",
        "order" => "in a list's `query` alone, beside `order`",
        "update_mask" => "in the `query` of `update` alone",
        "request_id" | "operation" => {
            "in a `response`, an error's `body` (`errors.render`) or `dialect.response_headers`"
        }
        "message" | "field" => {
            "in an error's `body` (`errors.render`), `errors.field_errors[].item` or `dialect.response_headers`"
        }
        "code" | "status" | "errors" => {
            "in an error's `body` (`errors.render`) or `dialect.response_headers`"
        }
        "resource" => "in the `body` and `response` of a resource's verbs (`resources.NAME`)",
        _ if slot.starts_with("current.") => "in a request's `body` or `headers`",
        _ if RESPONSE_SLOTS.contains(&slot) => "in a `response` alone",
        _ => return format!("unknown placeholder `{{{{{slot}}}}}`"),
    };
    format!("`{{{{{slot}}}}}` has no value here: it stands {home}")
}

/// Why `{{next_cursor}}` may not stand at `first` and at `second` of an answer: a vendor
/// that names its next page twice writes two things there (Zendesk's bare
/// `meta.after_cursor` beside its `links.next` URL), and a client sending the other back as
/// its cursor would be refused.
fn cursor_placed_twice(first: &str, second: &str, next: Option<file::NextName>) -> String {
    let (written, place) = match next {
        Some(file::NextName::Url) => (
            "the next page's URL (`next = \"url\"`)",
            "where the vendor gives that URL",
        ),
        _ => (
            "the one cursor",
            "where the vendor gives the cursor its clients send back",
        ),
    };
    format!(
        "`{{{{next_cursor}}}}` stands at `{first}` and at `{second}`: an answer's cursor is read at one place, and emulators and surfaces would write {written} at both, where a vendor that names its next page twice writes two things there (a bare cursor, and a URL); place it once, {place}, and write `\"{{{{null}}}}\"` at the other, which they write as `null`"
    )
}

/// The role of a declared operation.
fn role_of(name: OperationName) -> Role {
    match name {
        OperationName::List => Role::Action(Action::List),
        OperationName::Create => Role::Action(Action::Create),
        OperationName::Get => Role::Action(Action::Get),
        OperationName::Update => Role::Action(Action::Update),
        OperationName::Replace => Role::Replace,
        OperationName::Delete => Role::Action(Action::Delete),
        OperationName::Test => Role::Action(Action::Test),
        OperationName::RotateSecret => Role::Action(Action::RotateSecret),
        OperationName::Toggle => Role::Action(Action::Toggle),
        OperationName::Enable => Role::Action(Action::Enable),
        OperationName::Disable => Role::Action(Action::Disable),
    }
}
