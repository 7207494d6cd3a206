//! The compiled mapping: what one dialect is, once its file has been checked. Built by
//! `compile.rs`; read by the planner, the frontends and the emulators.

use super::errors::ErrorMap;
use super::id_header::IdHeader;
use super::json_path::FieldPath;
use super::rules::ObjectMap;
use super::template::Template;
use super::url::{Format, PathSeg, PathTemplate};
use crate::model::{Action, Upsert};
use http::Method;
use serde_json::Value;

/// Why an id cannot name one of a vendor's webhooks ([`Dialect::id_unfit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdUnfit {
    /// Empty, a dot segment, or holding a path separator: no path can carry it.
    Unnamed,
    /// Holding a control character, where the vendor's ids are sent in a header.
    Unsent,
    /// Not of the dialect's `id_format`.
    Unformatted,
}

/// How an update reaches the vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// The vendor applies partial updates: send the changed fields.
    Merge,
    /// The vendor replaces what it is sent: read, merge, send changed top-level members whole.
    ReadMergeWrite,
    /// The vendor applies an RFC 6902 JSON Patch: what a merge sends, as one operation per
    /// place a rule writes ([`PatchOps`]).
    JsonPatch,
    /// The vendor applies an RFC 7396 JSON Merge Patch, whose objects merge into its own at
    /// every depth: read, merge, and send the patch that makes the webhook as it was into the
    /// webhook merged (a `null` for each member gone, each changed member, objects as patches
    /// of their own). Its surfaces read a client's body as such a patch too.
    MergePatch,
}

/// The operations a JSON Patch is written with (`json_patch` beside the strategy): RFC 6902's
/// `replace` needs the member to be there already, `add` sets it whether or not it is, and
/// `remove` takes it away where `replace` with `null` keeps it as `null`. Vendors choose.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PatchOps {
    /// A member set is an `add` (else a `replace`).
    pub set_with_add: bool,
    /// A member written as `null` is a `remove` (else a `replace` with `null`).
    pub clear_with_remove: bool,
}

/// How a list names its next page: the cursor its answer gives, or one computed from the
/// page just read, as vendors without cursors page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Paging {
    /// The answer gives the next page's cursor (`{{next_cursor}}`), or none.
    #[default]
    Given,
    /// The position of the next page's first item: this page's position plus its items.
    Offset,
    /// The number of the next page: this page's number (1 for the first) plus one.
    Page,
    /// The id of this page's last item, after which the next page begins.
    LastId,
    /// The answer's `Link` header names the next page (`rel="next"`): its URL's cursor
    /// parameter is the cursor.
    Link,
    /// The answer names the next page by its URL at `{{next_cursor}}` (`next_page_url`): its
    /// cursor parameter is the cursor, and emulators and surfaces write an absolute URL there.
    Url,
}

impl Paging {
    /// Whether the vendor's answers give the next page's cursor (in the body or a header),
    /// rather than its clients computing it.
    pub fn is_given(self) -> bool {
        matches!(self, Paging::Given | Paging::Link | Paging::Url)
    }

    /// The cursor a client computes for the page after one it asked for with `cursor` (none:
    /// the first) and that held `count` webhooks, the last of them `last_id`'s: a position, a
    /// page number or an id. `None` for cursors the vendor gives.
    pub fn following(
        self,
        cursor: Option<&str>,
        count: usize,
        last_id: impl FnOnce() -> Option<String>,
    ) -> Option<String> {
        match self {
            Paging::Offset => Some(
                self.position(cursor)?
                    .saturating_add(count as u64)
                    .to_string(),
            ),
            Paging::Page => Some(self.position(cursor)?.saturating_add(1).to_string()),
            Paging::LastId => last_id(),
            Paging::Given | Paging::Link | Paging::Url => None,
        }
    }

    /// Where a page asked for with `cursor` (none: the first) lies, for a vendor whose clients
    /// count pages: the position of its first item (0 for the first page) or its number (1
    /// for the first). `None` for cursors that are no count.
    pub fn position(self, cursor: Option<&str>) -> Option<u64> {
        let at = |first: u64| cursor.and_then(|c| c.parse::<u64>().ok()).unwrap_or(first);
        match self {
            Paging::Offset => Some(at(0)),
            Paging::Page => Some(at(1)),
            Paging::LastId | Paging::Given | Paging::Link | Paging::Url => None,
        }
    }
}

/// Which declared operation an endpoint is: the canonical action it carries out, and for
/// updates, whether the vendor's verb replaces the whole webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `[operations.NAME]` of a canonical action (`update` is the vendor's partial update).
    Action(Action),
    /// `[operations.replace]`: the vendor's full replacement (a PUT of the whole webhook).
    Replace,
}

impl Role {
    /// The canonical action the endpoint carries out.
    pub fn action(self) -> Action {
        match self {
            Role::Action(a) => a,
            Role::Replace => Action::Update,
        }
    }

    /// The operation's name in a mapping file.
    pub fn name(self) -> &'static str {
        match self {
            Role::Action(Action::RotateSecret) => "rotate_secret",
            Role::Action(a) => a.name(),
            Role::Replace => "replace",
        }
    }
}

/// A `get` read from the list (`from = "list"`), for a vendor with no read of one webhook.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FromList {
    /// Free text, shown under `composed` by `GET /v1/upstreams`.
    pub note: Option<String>,
}

/// How a vendor reads one webhook ([`Dialect::one_read`]).
#[derive(Debug, Clone, Copy)]
pub enum OneRead<'a> {
    /// By its `get`.
    Get(&'a Endpoint),
    /// By its list, page after page, to the page that holds the webhook: a vendor with no
    /// read of one webhook (`from = "list"`).
    List(&'a Endpoint),
}

impl<'a> OneRead<'a> {
    /// The endpoint called.
    pub fn endpoint(self) -> &'a Endpoint {
        match self {
            OneRead::Get(e) | OneRead::List(e) => e,
        }
    }

    /// Whether the read names the owner to the vendor, which then finds the webhook under it
    /// or not at all.
    pub fn names_owner(self) -> bool {
        self.endpoint().names_owner
    }
}

/// A read made after an operation's own call, to complete what it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowUp {
    /// The webhook, through `get`.
    Webhook,
    /// A resource, by its index in [`Dialect::resources`].
    Resource(usize),
}

/// What a list's answer that leaves out a page flag (`done`, `has_more`) its `response`
/// places says. A vendor whose answers always hold it and leave it out has said nothing
/// about the list's end: read as more pages, a client would be sent for pages that are not
/// there; read as the last, the rest of the list would be lost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FlagAbsent {
    /// The answer must hold it: one without it is refused (a 502 naming it).
    #[default]
    Refused,
    /// The value its placeholder's default gives (`{{has_more|false}}`): the file says the
    /// vendor leaves it out where it is that value.
    Means(bool),
    /// Some case of a `$switch` leaves it out: an answer of that case says nothing by it.
    Unsaid,
}

/// One endpoint of the vendor's API: an operation (`[operations.NAME]`), or a resource's verb.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// Which operation it is.
    pub role: Role,
    /// The HTTP method.
    pub method: Method,
    /// The path after the dialect's base path.
    pub path: PathTemplate,
    /// Vendor query parameter → template (`{{limit}}`, `{{cursor}}`, `{{owner}}`).
    pub query: Vec<(String, Template)>,
    /// Vendor request header → template (`{{owner}}`, or a literal value).
    pub headers: Vec<(http::HeaderName, Template)>,
    /// The call names the owner (in its path, query or a header): the vendor finds the webhook
    /// under it. A call that does not finds a webhook by its id alone.
    pub names_owner: bool,
    /// The request body.
    pub body: Option<Template>,
    /// Where the webhook sits in the request body (`{{webhook}}` in `body`).
    pub body_item_path: Option<FieldPath>,
    /// The success envelope; `None` when the vendor answers without a body.
    pub response: Option<Template>,
    /// The success answer's headers that name the webhook's id (`Location`), by name: read by
    /// the gateway where the body names none, written by surfaces and emulators.
    pub response_headers: Vec<IdHeader>,
    /// The status of the success answer that surfaces give.
    pub status: u16,
    /// Where the webhook (or test result) sits in the vendor's answer, first match wins.
    pub item_paths: Vec<FieldPath>,
    /// The keys that lead to the item (a list's items) when it has exactly one place reachable
    /// by keys alone: the answer can then be read as it is parsed.
    pub item_keys: Option<Vec<String>>,
    /// Canonical fields of the webhook its answer holds by their own placeholders
    /// (`{{webhook.secret}}` placed whole in `response`), read back from there as the webhook
    /// is from `{{webhook}}`: a rotation answered with its new key alone.
    pub placed_fields: Vec<(&'static crate::model::Field, FieldPath)>,
    /// Where a list's items sit.
    pub items_paths: Vec<FieldPath>,
    /// Whether an answer that leaves out its list's items (the member absent from the object
    /// that holds it) lists none, as `{{items|[]}}` says: a vendor that leaves out an empty
    /// array (Square's list of none, `{}`). Otherwise such an answer is no list.
    pub items_absent_none: bool,
    /// Where a list's next cursor sits.
    pub cursor_path: Option<FieldPath>,
    /// Where a list says it is the last page (`true`), and where it says there are more.
    pub done_path: Option<FieldPath>,
    /// Where a list says there are more pages (`true`).
    pub more_path: Option<FieldPath>,
    /// What an answer without its `done` flag says.
    pub done_absent: FlagAbsent,
    /// What an answer without its `has_more` flag says.
    pub more_absent: FlagAbsent,
    /// How an update reaches the vendor.
    pub strategy: Strategy,
    /// The operations its JSON Patch is written with, for `Strategy::JsonPatch`.
    pub patch_ops: PatchOps,
    /// Reads made after this call.
    pub then: Vec<FollowUp>,
    /// A delete that the vendor makes only of a disabled webhook (`first = ["disable"]`): the
    /// dialect's `disable` is called before it.
    pub disable_first: bool,
    /// An update of an unknown id creates the webhook: under that id, or under one the vendor
    /// mints.
    pub upsert: Option<Upsert>,
    /// The request body or a header uses `{{current.*}}`: the webhook is read first.
    pub needs_current: bool,
    /// The request headers whose value is a field of the webhook as it is
    /// (`{{current.FIELD}}`): the vendor's precondition on a change (its version header).
    pub guards: Vec<Guard>,
    /// The vendor's documentation does not show this operation.
    pub inferred: bool,
    /// Free text, shown under `composed` by `GET /v1/upstreams`.
    pub note: Option<String>,
    /// Checks of the members of a client's body that is no webhook (a test's event type, a
    /// rotation's new key), as the vendor's surfaces make them.
    pub request: Vec<MemberCheck>,
    /// How the vendor spells a list's order (`{{order}}`), and the order it lists in when
    /// none is asked for.
    pub order: Option<Ordering>,
    /// The largest page a client may ask for, and the vendor's words for a larger one.
    pub max_limit: Option<(u64, Option<String>)>,
    /// On `list`: the smallest page size the vendor takes (0 where it takes any): never asked
    /// for less.
    pub min_limit: u64,
    /// On `list`: the status a list of no items is answered with, without a body (a 204 for
    /// a vendor that has nothing to list).
    pub empty_status: Option<u16>,
    /// On `list`: how the next page is named.
    pub paging: Paging,
    /// On a `list` paged by a `Link` header: the parameters of its next link that say it names
    /// no next page (`link_ends`), for a vendor that writes one on its last page too.
    pub link_ends: Vec<LinkEnd>,
    /// The media type of the request body, where it is not the dialect's.
    pub content_type: Option<http::HeaderValue>,
    /// On `update`: the query parameter that names the members an update changes (a field
    /// mask, `updateMask=url,events`), where the vendor takes one.
    pub update_mask: Option<String>,
    /// Where the item its answer holds (the webhook, a test's result) shares its object with
    /// members of the answer's own (`$spread` beside others): the rules that read it there.
    pub enveloped: Option<Enveloped>,
}

/// An item an answer holds in one object with members of the envelope's own (Microsoft
/// Graph's `{"@odata.context": …, "id": …}`: `{ "$spread" = "{{webhook}}", "@odata.context" =
/// … }`): those members are the envelope's, read past, so that the item reads as it does
/// where no envelope shares its object (a list's items).
#[derive(Debug, Clone)]
pub struct Enveloped {
    /// Where the item stands in the answer.
    pub at: FieldPath,
    /// The item's rules, the envelope's members read past.
    pub map: ObjectMap,
}

/// A parameter of a `Link` header's next link that says whether it names a next page, for a
/// vendor that writes the link on its last page too (Sentry's `results="false"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkEnd {
    /// The parameter's name, matched without regard to case, as RFC 8288 matches them.
    pub param: String,
    /// Its value on the last page's link.
    pub last: String,
    /// Its value on a link to a next page, where the vendor writes it there too.
    pub more: Option<String>,
}

/// A request header whose value is a field of the webhook as it is, alone or within text
/// (`X-Version: {{current.extensions.version}}`, `If-Match: "{{current.extensions.etag}}"`): a
/// vendor's precondition on a change, which hookgate sends from the webhook it read first and
/// which the dialect's emulators and surfaces require of their clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guard {
    /// The header.
    pub header: http::HeaderName,
    /// The canonical field (`extensions.version`).
    pub field: String,
    /// The header's text before and after the value.
    pub around: (String, String),
}

impl Guard {
    /// The precondition a client's request carries in this header (`None`: it sent none).
    pub fn precondition(&self, sent: Option<&http::HeaderValue>) -> crate::model::Precondition {
        crate::model::Precondition {
            field: self.field.clone(),
            header: self.header.as_str().to_owned(),
            around: self.around.clone(),
            // A value that is no text cannot be the one asked for: kept as its lossy text,
            // which differs from any the webhook calls for.
            sent: sent.map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
        }
    }
}

/// A list's orders in a vendor's words: the first of each is the one written, any is read.
#[derive(Debug, Clone, PartialEq)]
pub struct Ordering {
    /// Oldest first (never empty).
    pub ascending: Vec<String>,
    /// Newest first (never empty).
    pub descending: Vec<String>,
    /// The vendor's order when none is asked for.
    pub default: Option<crate::model::Order>,
}

impl Ordering {
    /// The order a vendor's word names.
    pub fn read(&self, word: &str) -> Option<crate::model::Order> {
        use crate::model::Order;
        [
            (Order::Ascending, &self.ascending),
            (Order::Descending, &self.descending),
        ]
        .into_iter()
        .find(|(_, words)| words.iter().any(|w| w == word))
        .map(|(o, _)| o)
    }

    /// The vendor's word for an order, as it documents it.
    pub fn spell(&self, order: crate::model::Order) -> &str {
        let words = match order {
            crate::model::Order::Ascending => &self.ascending,
            crate::model::Order::Descending => &self.descending,
        };
        words.first().map_or("", String::as_str)
    }

    /// Every word read, for a message naming them: `` `asc`, `ASC` or `desc` ``.
    pub fn words(&self) -> String {
        let all: Vec<String> = self
            .ascending
            .iter()
            .chain(&self.descending)
            .map(|w| format!("`{w}`"))
            .collect();
        match all.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => all.concat(),
        }
    }
}

/// The checks of one member of a client's body that is no webhook, under the vendor's name
/// for it.
#[derive(Debug, Clone)]
pub struct MemberCheck {
    /// The vendor's name, as its field errors give it.
    pub name: String,
    /// Where it sits in the body.
    pub path: FieldPath,
    /// Its checks, in the order of the checks table.
    pub checks: Vec<super::checks::Check>,
    /// The vendor's words for failed checks, by check key.
    pub messages: Vec<(String, String)>,
}

impl MemberCheck {
    /// The field error of the first check `body` fails, in the vendor's words where given.
    pub fn test(&self, body: &Value) -> Option<crate::problem::FieldError> {
        use super::checks::Check;
        let value = self.path.get(body);
        let (check, message) = self.checks.iter().find_map(|check| {
            let message = match (check, value) {
                (Check::Required, None | Some(Value::Null)) => Some("is required".to_owned()),
                (_, Some(v)) if !v.is_null() => check.test(v, false),
                _ => None,
            };
            Some((check, message?))
        })?;
        let key = value.map_or(check.key(), |v| check.worded_by(v));
        let words = self
            .messages
            .iter()
            .find(|(k, _)| k == key)
            .map_or(message, |(_, m)| m.clone());
        Some(crate::problem::FieldError::new(self.name.clone(), words))
    }
}

impl Endpoint {
    /// Whether its answer holds the webhook, some of its fields or its id: where `{{webhook}}`
    /// or a `{{webhook.FIELD}}` stands whole in `response` (or `accept` names a place), or a
    /// header names the id (`response_headers`).
    pub fn answers_webhook(&self) -> bool {
        !self.item_paths.is_empty()
            || !self.placed_fields.is_empty()
            || !self.response_headers.is_empty()
    }

    /// Whether anything is read from a success's body (a `response` with placeholders): where
    /// nothing is (a delete's, one read again after, constants), any body will do.
    pub fn reads_answer(&self) -> bool {
        self.response
            .as_ref()
            .is_some_and(|t| !t.slots().is_empty())
    }

    /// Whether some request header of this endpoint sends `slot`, alone or within text.
    pub fn sends_in_header(&self, slot: &str) -> bool {
        self.headers.iter().any(|(_, t)| t.slots().contains(&slot))
    }

    /// The request header that sends `slot` alone (`{{owner}}`), where there is one.
    pub fn header_of(&self, slot: &str) -> Option<&http::HeaderName> {
        self.headers.iter().find_map(|(name, t)| match t {
            Template::Slot { name: s, .. } if s == slot => Some(name),
            _ => None,
        })
    }

    /// The query parameter that sends `slot` alone (`{{cursor}}`, `{{limit|30}}`), where
    /// there is one.
    pub fn param_of(&self, slot: &str) -> Option<&str> {
        self.query.iter().find_map(|(param, t)| match t {
            Template::Slot { name, .. } if name == slot => Some(param.as_str()),
            _ => None,
        })
    }

    /// The `rel="next"` link of a `Link` header that names a next page: `None` where there is
    /// none, or where its parameters say it names none (`link_ends`).
    pub fn next_link<'h>(&self, header: &'h str) -> Option<crate::http::headers::NextLink<'h>> {
        crate::http::headers::next_link(header).filter(|link| !self.link_says_last(link))
    }

    /// Whether a next link's parameters say the page it was given with is the last: one of
    /// them has its `last` value.
    pub fn link_says_last(&self, link: &crate::http::headers::NextLink<'_>) -> bool {
        self.link_ends
            .iter()
            .any(|end| link.param(&end.param).any(|value| value == end.last))
    }

    /// The parameters written after `rel="next"` in a next link (`; results="true"`): their
    /// `last` values on the last page's, their `more` values (where given) on another.
    pub fn link_end_params(&self, last: bool) -> String {
        let mut out = String::new();
        for end in &self.link_ends {
            let value = if last {
                Some(&end.last)
            } else {
                end.more.as_ref()
            };
            if let Some(value) = value {
                out.push_str("; ");
                out.push_str(&end.param);
                out.push('=');
                out.push_str(&crate::http::headers::quoted(value));
            }
        }
        out
    }

    /// Whether a request to this endpoint names the webhook's id: in its path, or in a query
    /// parameter or header (`{{id}}`).
    pub fn names_id(&self) -> bool {
        let sends = |t: &Template| t.slots().contains(&"id");
        self.path.has(&PathSeg::Id)
            || self.query.iter().any(|(_, t)| sends(t))
            || self.headers.iter().any(|(_, t)| sends(t))
    }

    /// The rules that read the item an answer holds at `at`: `own` (the dialect's webhook
    /// or test result rules), with the envelope's members read past where they share the
    /// item's object there.
    pub fn item_map<'m>(&'m self, at: &FieldPath, own: &'m ObjectMap) -> &'m ObjectMap {
        match &self.enveloped {
            Some(enveloped) if enveloped.at == *at => &enveloped.map,
            _ => own,
        }
    }

    /// Whether the vendor's answer carries the item this endpoint is read for.
    pub fn answers_item(&self) -> bool {
        !self.item_paths.is_empty() || !self.items_paths.is_empty()
    }

    /// The endpoint's name in a mapping file.
    pub fn name(&self) -> &'static str {
        self.role.name()
    }
}

/// What a verb of a resource does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceVerb {
    /// Reads the resource.
    Get,
    /// Writes the whole resource.
    Replace,
    /// Applies a merge patch to the resource (`null` removes).
    Update,
}

/// A sub-resource: canonical fields the vendor keeps at a path of their own (`…/headers`).
#[derive(Debug, Clone)]
pub struct Resource {
    /// Its name in the mapping file.
    pub name: String,
    /// Its fields, with paths inside the resource's own body.
    pub fields: ObjectMap,
    /// The verbs the vendor offers, as endpoints (`{{resource}}` marks the body).
    pub get: Option<ResourceEndpoint>,
    /// The endpoint that replaces the resource whole.
    pub replace: Option<ResourceEndpoint>,
    /// The endpoint that applies a merge patch to the resource.
    pub update: Option<ResourceEndpoint>,
    /// The canonical `get` reads this resource too.
    pub read_with_webhook: bool,
    /// The resource's fields as a create's webhook may carry them (`in_create`): each rule
    /// the resource's own, at its place in the webhook, taken by creates alone and required by
    /// none. Its clients' creates are read with them; the gateway writes the fields to the
    /// resource, which every version of the vendor takes.
    pub in_create: Option<ObjectMap>,
}

impl Resource {
    /// Whether this resource holds canonical field `name` (`headers`, `extensions.x`).
    pub fn holds(&self, name: &str) -> bool {
        self.fields.rules.iter().any(|r| r.target.is(name))
    }

    /// The endpoint of a verb, if the vendor offers it.
    pub fn endpoint(&self, verb: ResourceVerb) -> Option<&ResourceEndpoint> {
        match verb {
            ResourceVerb::Get => self.get.as_ref(),
            ResourceVerb::Replace => self.replace.as_ref(),
            ResourceVerb::Update => self.update.as_ref(),
        }
    }
}

/// One verb of a resource.
#[derive(Debug, Clone)]
pub struct ResourceEndpoint {
    /// The HTTP method.
    pub method: Method,
    /// The path after the dialect's base path; it names `{id}`.
    pub path: PathTemplate,
    /// The request body; `{{resource}}` is the resource's object.
    pub body: Template,
    /// The success answer; `None` when the vendor answers without a body.
    pub response: Option<Template>,
    /// Where the resource's object sits in the answer.
    pub item_path: Option<FieldPath>,
    /// Where the resource's object sits in a request body.
    pub body_item_path: Option<FieldPath>,
    /// The status surfaces answer with.
    pub status: u16,
}

/// How an emulator of this dialect mints ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdStyle {
    /// A version 4 UUID.
    Uuid,
    /// A version 4 UUID in braces (`{…}`), as some vendors write their ids.
    BracedUuid,
    /// 1, 2, 3 …
    Integer,
    /// This text, then 32 hex digits.
    Prefixed(String),
    /// This text, then so many characters drawn from an alphabet (24 hex digits, 17 capitals
    /// and digits).
    Drawn {
        /// The text before them (`we_`), perhaps none.
        prefix: String,
        /// What each is drawn from.
        alphabet: IdAlphabet,
        /// How many.
        length: usize,
    },
}

impl IdStyle {
    /// The first id of the style's kind, the stand-in for one not minted yet: every drawn
    /// character the alphabet's first.
    pub fn first(&self) -> String {
        match self {
            IdStyle::Integer => "1".to_owned(),
            IdStyle::Uuid => uuid::Uuid::nil().to_string(),
            IdStyle::BracedUuid => uuid::Uuid::nil().braced().to_string(),
            IdStyle::Prefixed(prefix) => format!("{prefix}{}", uuid::Uuid::nil().simple()),
            IdStyle::Drawn { prefix, length, .. } => format!("{prefix}{}", "0".repeat(*length)),
        }
    }
}

/// The characters an emulator draws an id's from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdAlphabet {
    /// `0-9a-f`.
    Hex,
    /// `0-9A-Za-z`.
    Alnum,
    /// `0-9A-Z`.
    UpperAlnum,
    /// `0-9a-z`.
    LowerAlnum,
    /// `0-9`.
    Digits,
}

impl IdAlphabet {
    /// The alphabet's characters, `0` first.
    pub fn chars(self) -> &'static [u8] {
        const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        match self {
            IdAlphabet::Hex => b"0123456789abcdef",
            IdAlphabet::Alnum => ALNUM,
            IdAlphabet::UpperAlnum => &ALNUM[..36],
            IdAlphabet::LowerAlnum => b"0123456789abcdefghijklmnopqrstuvwxyz",
            IdAlphabet::Digits => &ALNUM[..10],
        }
    }
}

/// How an emulator mints a signing secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretMint {
    /// Text before the encoded bytes (`whsec_`).
    pub prefix: String,
    /// Random bytes, encoded as `encoding` says.
    pub bytes: usize,
    /// How the vendor writes a secret's bytes.
    pub encoding: SecretEncoding,
    /// A secret a client chose without `prefix` is kept, and shown, with it: the vendor
    /// holds the key, and `prefix` is how it writes every key (`secret_prefixed`).
    pub prefixes_given: bool,
}

/// How a vendor writes a signing secret's random bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretEncoding {
    /// Base64 with padding (RFC 4648 §4): svix-server's `whsec_…`.
    Base64,
    /// Base64 with the URL-safe alphabet and no padding (RFC 4648 §5).
    Base64Url,
    /// Lowercase hexadecimal: Sentry's 64-digit secrets.
    Hex,
    /// Uppercase hexadecimal: HMAC keys written as 64 capital hex digits.
    UpperHex,
}

impl SecretMint {
    /// A secret a client chose, as the vendor keeps it.
    pub fn kept(&self, given: String) -> String {
        if self.prefixes_given && !given.starts_with(&self.prefix) {
            format!("{}{given}", self.prefix)
        } else {
            given
        }
    }
}

/// What an emulator of this dialect does on the vendor's own side.
#[derive(Debug, Clone)]
pub struct EmulatorSpec {
    /// How ids are minted.
    pub ids: IdStyle,
    /// Timestamps with microseconds.
    pub micros: bool,
    /// The vendor mints a secret on create when the client gives none.
    pub mints_secret: Option<SecretMint>,
    /// The vendor shows a webhook's secret on every read of it, not only once.
    pub shows_secret: bool,
    /// Extensions every created webhook gets.
    pub extensions: serde_json::Map<String, Value>,
    /// The most webhooks one owner may have.
    pub max_webhooks: Option<usize>,
    /// Canonical fields by which a webhook may be named in a path, besides its id (a
    /// client-chosen `uid`, say).
    pub also_found_by: Vec<String>,
    /// The canonical field in which the vendor keeps a webhook's version (an integer, 1 on
    /// create and one more on every change), which its precondition headers name.
    pub version: Option<String>,
}

/// How a dialect's clients present their credential, which its surfaces ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientAuth {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: Basic <base64 of user:password>`.
    Basic,
    /// A header of the vendor's own (`X-Vendor-Token: <token>`), its value the token
    /// after a fixed beginning (`Authorization: SSWS <token>`).
    Header {
        /// The header.
        name: http::HeaderName,
        /// What comes before the token; empty for most.
        prefix: String,
    },
    /// A query parameter of the vendor's own (`?hapikey=<token>`).
    Query {
        /// The parameter.
        name: String,
    },
    /// None.
    None,
}

/// A further part of a client's credential, beside its token (an application's `key` beside its
/// `token`, an account's e-mail beside its key): asked to be there wherever the token is,
/// passed through with it, and shown in no journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialPart {
    /// A header of the vendor's own.
    Header(http::HeaderName),
    /// A query parameter of the vendor's own.
    Query(String),
}

/// Where one part of a client's credential travels, borrowed from the dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialPlace<'a> {
    /// A header of the vendor's own.
    Header(&'a http::HeaderName),
    /// A query parameter of the vendor's own.
    Query(&'a str),
}

/// One compiled dialect.
#[derive(Debug, Clone)]
pub struct Dialect {
    /// The file stem.
    pub name: String,
    /// A human name.
    pub title: String,
    /// A link to the vendor's documentation.
    pub docs: Option<String>,
    /// The prefix of every operation path.
    pub base_path: String,
    /// The vendor's name for the owner scope, if it has one.
    pub owner: Option<String>,
    /// How many path segments an owner is (1 unless declared); its text is them joined by `/`.
    pub owner_segments: usize,
    /// The shape of an owner (of each of its segments), where the vendor documents one.
    pub owner_format: Option<Format>,
    /// Whether some operation sends the owner, and the id, in a header (`sends_in_header`),
    /// found once when the file is compiled rather than on every request.
    pub in_headers: (bool, bool),
    /// The shape of a webhook id, where the vendor documents one.
    pub id_format: Option<Format>,
    /// What the dialect's surfaces want of their clients.
    pub client_auth: ClientAuth,
    /// The further parts of their credential, where it has several.
    pub client_auth_parts: Vec<CredentialPart>,
    /// The header by which the vendor recognises a repeated create.
    pub idempotency_key: Option<http::HeaderName>,
    /// That header's name as the file spells it (`idempotency-key`, `Idempotency-Key`): how
    /// the dialect's surfaces name it to their clients.
    pub idempotency_key_spelt: Option<String>,
    /// Where a create's body carries the vendor's idempotency key (`{{idempotency_key}}`), for
    /// a vendor that takes it there rather than in a header.
    pub body_idempotency_key: Option<super::json_path::FieldPath>,
    /// Every request of the vendor's that carries a body needs one (an empty one is refused
    /// as `errors.unreadable_body` says).
    pub body_required: bool,
    /// The vendor refuses a request body that holds a member no rule names (its own
    /// validation's error, naming the member); others ignore such members.
    pub refuses_unknown_members: bool,
    /// Request bodies are forms, arrays spelt so; `None`: JSON.
    pub form: Option<crate::form::Arrays>,
    /// The media type of the vendor's JSON: what hookgate accepts from it and sends it, and
    /// what its surfaces and emulators answer (`application/json` unless the file says).
    pub media_type: http::HeaderValue,
    /// In a form body, where the webhook's members hold booleans, numbers or arrays, which a
    /// form can only write as text (paths relative to the webhook).
    pub form_shapes: Vec<(FieldPath, crate::form::Shape)>,
    /// Headers added to every response of this dialect's surfaces.
    pub response_headers: Vec<(http::HeaderName, Template)>,
    /// The webhook object.
    pub webhook: ObjectMap,
    /// A test delivery's result.
    pub test_result: ObjectMap,
    /// The declared operations.
    pub operations: Vec<Endpoint>,
    /// The vendor has no read of one webhook (`[operations.get]` says `from = "list"`): a
    /// webhook is read from its list, which then is how every read of one is made
    /// ([`Dialect::one_read`]), and its emulators and surfaces serve no `get`. Holds the
    /// section's `note`, where it has one.
    pub get_from_list: Option<FromList>,
    /// The sub-resources.
    pub resources: Vec<Resource>,
    /// How failure is spelt.
    pub errors: ErrorMap,
    /// What an emulator does.
    pub emulator: EmulatorSpec,
    /// Documented webhooks that must survive a round trip.
    pub examples: Vec<Value>,
    /// SHA-256 of the file's text: tells a reload whether the file changed.
    pub source_sha256: [u8; 32],
}

impl Endpoint {
    /// Whether a list's answer can tell its client of a page after it: a cursor or flag in
    /// its body, a `Link`, or a cursor its client computes. A list that cannot is the whole
    /// list in one answer.
    pub fn names_next_page(&self) -> bool {
        self.paging != Paging::Given
            || self.cursor_path.is_some()
            || self.more_path.is_some()
            || self.done_path.is_some()
    }

    /// The page size a list asks for when its client names none: the default of the
    /// parameter that sends `{{limit}}` (`{{limit|30}}`), where it has one.
    pub fn default_limit(&self) -> Option<u64> {
        self.query.iter().find_map(|(_, t)| match t {
            Template::Slot {
                name,
                default: Some(d),
                ..
            } if name == "limit" => d.as_u64().or_else(|| d.as_str()?.parse().ok()),
            _ => None,
        })
    }
}

impl Dialect {
    /// The places of the vendor's own that its clients' credential travels in: the token's,
    /// where it is a header or query parameter of the vendor's (not `Authorization`'s
    /// schemes), then each further part's. What journals redact and relays hold back.
    pub fn credential_places(&self) -> impl Iterator<Item = CredentialPlace<'_>> {
        let token = match &self.client_auth {
            ClientAuth::Header { name, .. } => Some(CredentialPlace::Header(name)),
            ClientAuth::Query { name } => Some(CredentialPlace::Query(name)),
            _ => None,
        };
        let parts = self.client_auth_parts.iter().map(|part| match part {
            CredentialPart::Header(name) => CredentialPlace::Header(name),
            CredentialPart::Query(name) => CredentialPlace::Query(name),
        });
        token.into_iter().chain(parts)
    }

    /// Whether `owner` has the shape of this vendor's owners: its number of segments, each of
    /// its format.
    pub fn admits_owner(&self, owner: &str) -> bool {
        crate::mapping::url::admits_owner(owner, self.owner_segments, self.owner_format.as_ref())
    }

    /// What this vendor's owners look like, for a message (`a UUID`, `2 path segments joined
    /// by `/`, each a decimal integer`).
    pub fn describe_owner(&self) -> String {
        let format = self.owner_format.as_ref().map(Format::describe);
        match (self.owner_segments, format) {
            (1, Some(f)) => f,
            (1, None) => "one path segment that is not a dot segment".to_owned(),
            (n, None) => format!("{n} path segments joined by `/`"),
            (n, Some(f)) => format!("{n} path segments joined by `/`, each {f}"),
        }
    }

    /// The declared endpoint of a role.
    pub fn endpoint(&self, role: Role) -> Option<&Endpoint> {
        self.operations.iter().find(|op| op.role == role)
    }

    /// The endpoint that carries out a canonical action (for updates, the vendor's partial
    /// update where it has one, else its full replacement).
    pub fn operation(&self, action: Action) -> Option<&Endpoint> {
        self.endpoint(Role::Action(action))
            .or_else(|| match action {
                Action::Update => self.endpoint(Role::Replace),
                _ => None,
            })
    }

    /// How the vendor reads one webhook: its `get`, or its list where it has no `get`
    /// (`from = "list"`); `None` where it has neither.
    pub fn one_read(&self) -> Option<OneRead<'_>> {
        match self.get_from_list.is_some() {
            true => self.endpoint(Role::Action(Action::List)).map(OneRead::List),
            false => self.endpoint(Role::Action(Action::Get)).map(OneRead::Get),
        }
    }

    /// Where the webhook in an answer to `endpoint` can be read while the answer is parsed,
    /// and the reader to do it with: when it has one place, reachable by keys, which the failure
    /// flag does not lie inside (the flag is read from the rest of the answer).
    pub fn webhook_reader<'d>(
        &'d self,
        endpoint: &'d Endpoint,
    ) -> Option<(&'d [String], super::rules::Reader<'d>)> {
        if matches!(endpoint.role.action(), Action::List | Action::Test) {
            return None; // their items are lists or test results
        }
        let keys = endpoint.item_keys.as_deref()?;
        let flag = self.errors.flag.as_ref();
        if flag.is_some_and(|f| endpoint.item_paths.iter().any(|p| f.starts_with(p))) {
            return None;
        }
        let [at] = endpoint.item_paths.as_slice() else {
            return None;
        };
        Some((keys, endpoint.item_map(at, &self.webhook).reader()?))
    }

    /// How a list's webhooks can be read while its answer is parsed: the keys leading to the
    /// items and the reader of each. `None` when the answer must be looked at whole (the
    /// items have several possible places, or a flag or cursor lies among them).
    pub fn list_reader<'d>(
        &'d self,
        endpoint: &'d Endpoint,
    ) -> Option<(&'d [String], super::rules::ListReader<'d>)> {
        if endpoint.role.action() != Action::List {
            return None;
        }
        let keys = endpoint.item_keys.as_deref()?;
        let [items] = endpoint.items_paths.as_slice() else {
            return None;
        };
        let among_items = [
            self.errors.flag.as_ref(),
            endpoint.cursor_path.as_ref(),
            endpoint.done_path.as_ref(),
            endpoint.more_path.as_ref(),
        ]
        .into_iter()
        .flatten()
        .any(|p| p.starts_with(items));
        if among_items {
            return None;
        }
        Some((keys, self.webhook.list_reader()?))
    }

    /// Whether the dialect scopes webhooks by owner.
    pub fn has_owner(&self) -> bool {
        self.owner.is_some()
    }

    /// Whether some operation sends `slot` (`owner`, `id`) alone in a header, where a value
    /// with a control character cannot go.
    pub fn sends_in_header(&self, slot: &str) -> bool {
        match slot {
            "owner" => self.in_headers.0,
            "id" => self.in_headers.1,
            _ => false,
        }
    }

    /// The codec by which the vendor writes a webhook's id in its answers (`int_string`): a
    /// header that names the id within text (`Resource-ID: 123`) spells it so too.
    pub fn id_codec(&self) -> &super::codec::Codec {
        static AS_IT_IS: super::codec::Codec = super::codec::Codec::Identity;
        (self.webhook.rules.iter())
            .find(|r| r.response && r.is_placed() && r.target.is("id"))
            .map_or(&AS_IT_IS, |r| &r.codec)
    }

    /// Whether canonical ids `held` and `asked` name one of this vendor's webhooks, as its
    /// `id` rule's codec reads them ([`Codec::names_one_id`](super::codec::Codec::names_one_id)).
    pub fn same_id(&self, held: &str, asked: &str) -> bool {
        self.id_codec().names_one_id(held, asked)
    }

    /// What the headers an answer to `endpoint` declares (`response_headers`) name, each
    /// header's lines as `values` gives them (visible text; `None` for a line that is not).
    pub fn named_in_headers(
        &self,
        endpoint: &Endpoint,
        values: impl Fn(&http::HeaderName) -> Vec<Option<String>>,
    ) -> super::id_header::Named {
        super::id_header::read_all(&endpoint.response_headers, values, self.id_codec())
    }

    /// What this vendor's webhook ids look like, for a message.
    pub fn describe_id(&self) -> String {
        self.id_format.as_ref().map_or_else(
            || "one path segment that is not a dot segment".to_owned(),
            Format::describe,
        )
    }

    /// Why `id` cannot name one of this vendor's webhooks, if it cannot: a client's id so is
    /// refused before any call, and a vendor's so is one no later call could reach.
    pub fn id_unfit(&self, id: &str) -> Option<IdUnfit> {
        if !super::url::names_something(id) {
            return Some(IdUnfit::Unnamed);
        }
        if self.sends_in_header("id") && http::HeaderValue::from_str(id).is_err() {
            return Some(IdUnfit::Unsent);
        }
        match &self.id_format {
            Some(format) if !format.admits(id) => Some(IdUnfit::Unformatted),
            _ => None,
        }
    }

    /// Why `id` cannot name one of this vendor's webhooks, said as the end of a message about
    /// a webhook that holds it (`which is not a decimal integer, as its mapping file says its
    /// webhook ids are`): a webhook no later call could reach.
    pub fn id_unfit_why(&self, id: &str) -> Option<String> {
        Some(match self.id_unfit(id)? {
            IdUnfit::Unnamed => {
                "which no path can carry: it is empty, a dot segment or holds a path separator"
                    .to_owned()
            }
            IdUnfit::Unsent => {
                "which the header its ids are sent in cannot carry: it holds a control character"
                    .to_owned()
            }
            IdUnfit::Unformatted => format!(
                "which is not {}, as its mapping file says its webhook ids are",
                self.describe_id()
            ),
        })
    }

    /// The resource at which the vendor shows a webhook's secret again, after the answer that
    /// made it (a `GET …/secret`).
    pub fn secret_resource(&self) -> Option<usize> {
        self.resources
            .iter()
            .position(|r| r.get.is_some() && r.fields.reading("secret").is_some())
    }

    /// The resource that holds canonical field `name`.
    pub fn resource_of(&self, name: &str) -> Option<(usize, &Resource)> {
        self.resources
            .iter()
            .enumerate()
            .find(|(_, r)| r.holds(name))
    }

    /// Whether this dialect has no place at all for canonical field `name`: no rule of the
    /// webhook names it (not even one it implies), and no resource holds it. A clear of such
    /// a field is refused as what the vendor cannot carry, not as a clear.
    pub fn holds_nowhere(&self, name: &str) -> bool {
        crate::model::webhook_field(name).is_some()
            && !self.webhook.rules.iter().any(|r| r.target.is(name))
            && self.resource_of(name).is_none()
    }

    /// Canonical webhook fields that a canonical client may send to this dialect: those its
    /// requests carry, or its own verbs set (`enabled`), and that the canonical API lets a
    /// body name (an owner is named by the path).
    pub fn writable_fields(&self) -> Vec<String> {
        let verbs = [Action::Enable, Action::Disable]
            .iter()
            .any(|&a| self.operation(a).is_some())
            .then(|| "enabled".to_owned());
        let mut out: Vec<String> = self
            .webhook
            .rules
            .iter()
            .chain(
                self.resources
                    .iter()
                    .filter(|r| r.replace.is_some() || r.update.is_some())
                    .flat_map(|r| &r.fields.rules),
            )
            .filter(|r| r.request && r.is_placed())
            .map(|r| r.target.name())
            .chain(verbs)
            .filter(|name| {
                crate::model::webhook_field(name)
                    .is_none_or(|f| f.access != crate::model::Access::Read)
            })
            .collect();
        out.sort_by_key(|name| {
            crate::model::WEBHOOK_FIELDS
                .iter()
                .position(|f| f.name == name)
                .unwrap_or(usize::MAX)
        });
        out.dedup();
        out
    }
}
