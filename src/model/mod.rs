//! The canonical webhook model: its fields, the actions of the canonical API, one canonical
//! operation and what it produced, and the checks every canonical request body passes before
//! any dialect sees it (unknown, read-only and ill-typed fields).

mod fields;
mod listed;
mod object;
mod resume;
pub mod stamp;

pub use fields::{
    Access, Field, Kind, STATUSES, TEST_RESULT_FIELDS, WEBHOOK_FIELDS, test_result_field,
    webhook_field,
};
pub use listed::{Listed, Writing, id_text};
pub use object::{
    Assemble, Assembly, Members, Object, Piece, Slot, derive_status, derived_values,
    insert_in_order, ordered, status_of, withhold_secret,
};
pub use resume::{Listing, Mark, PartWay};

use crate::problem::{FieldError, Problem};
use serde_json::{Map, Value};
use std::fmt;
use std::sync::Arc;

/// What a canonical operation does: the actions of the canonical API, plus `Toggle`, `Enable`
/// and `Disable`, which only vendor surfaces expose (the canonical API PATCHes `enabled`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// A page of webhooks.
    List,
    /// A new webhook.
    Create,
    /// One webhook.
    Get,
    /// A change to one webhook.
    Update,
    /// One webhook removed.
    Delete,
    /// A test delivery.
    Test,
    /// A new signing secret, shown once.
    RotateSecret,
    /// `enabled` flipped (a vendor's toggle endpoint).
    Toggle,
    /// `enabled` set (a vendor's verb of its own: Okta's `lifecycle/activate`).
    Enable,
    /// `enabled` cleared (a vendor's verb of its own: Okta's `lifecycle/deactivate`).
    Disable,
}

impl Action {
    /// Every action, in the order of the canonical API's table.
    pub const ALL: [Action; 10] = [
        Action::List,
        Action::Create,
        Action::Get,
        Action::Update,
        Action::Delete,
        Action::Test,
        Action::RotateSecret,
        Action::Toggle,
        Action::Enable,
        Action::Disable,
    ];

    /// The action's name in metrics, logs and `GET /v1/upstreams`.
    pub fn name(self) -> &'static str {
        match self {
            Action::List => "list",
            Action::Create => "create",
            Action::Get => "get",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Test => "test",
            Action::RotateSecret => "rotate-secret",
            Action::Toggle => "toggle",
            Action::Enable => "enable",
            Action::Disable => "disable",
        }
    }

    /// Whether the action addresses one webhook by id.
    pub fn has_id(self) -> bool {
        !matches!(self, Action::List | Action::Create)
    }

    /// Whether the action only sets `enabled`, as a vendor's verb of its own does; `None` for
    /// any other.
    pub fn sets_enabled(self) -> Option<bool> {
        match self {
            Action::Enable => Some(true),
            Action::Disable => Some(false),
            _ => None,
        }
    }

    /// Whether the action only reads.
    pub fn reads_only(self) -> bool {
        matches!(self, Action::List | Action::Get)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The refusal of a delete of an enabled webhook, by a vendor that deletes only disabled ones.
pub fn enabled_not_deleted(id: &str) -> Problem {
    Problem::new(
        crate::problem::Code::Conflict,
        format!("webhook {id} is enabled: disable it before deleting it"),
    )
}

/// `?limit=` and `?cursor=` of a list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// The most items the client wants on one page.
    pub limit: Option<u64>,
    /// Where the page starts: the vendor's own cursor, passed through.
    pub cursor: Option<String>,
    /// The order the items are listed in, where the client asks for one; `None`: the
    /// backend's own.
    pub order: Option<Order>,
    /// Where a page a client computed begins, at a vendor that pages another way: the vendor's
    /// pages are read from the first, and what comes before this point passed over. Boxed:
    /// every operation carries the field and few lists set it, and an operation is moved
    /// whole several times a request.
    pub skip: Option<Box<Skip>>,
}

/// Where a page begins that a client computed (a position, a page number, the last id it
/// saw), for a vendor whose own cursors mean something else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// After this many webhooks.
    Items(u64),
    /// After the webhook of this id.
    After(String),
    /// From the webhook of this id, which was at position `at` (0 for the first) when the
    /// page before was cut from a list answered whole; where it is gone since, after the last
    /// webhook of the page before, and where that is gone too, from that position. Written as
    /// the opaque cursor of [`Skip::resume_cursor`].
    Resume {
        /// The first webhook of the page.
        id: String,
        /// Its position then.
        at: u64,
        /// The last webhook of the page before, where it had one.
        after: Option<String>,
    },
}

/// The order of a list: oldest first or newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Oldest first.
    Ascending,
    /// Newest first.
    Descending,
}

/// How an update's body is applied to the webhook.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UpdateMode {
    /// A JSON Merge Patch (RFC 7396): the canonical API's PATCH.
    #[default]
    Merge,
    /// Each member named replaces the stored one whole (objects are not merged into): what a
    /// vendor's own partial PATCH or PUT means.
    Members,
    /// The whole state the client's dialect can express, absent members at their defaults:
    /// what a vendor's own full-replacement PUT means.
    Replace,
}

/// What a vendor's update of an unknown id does, where it creates the webhook (a PUT that
/// answers 201).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    /// It creates the webhook under the id the path names: ids its clients choose.
    GivenId,
    /// It creates the webhook under an id it mints, as its create would; the path's id is
    /// dropped.
    NewId,
}

/// One canonical operation, whatever frontend it came from.
#[derive(Debug, Clone)]
pub struct Operation {
    /// What it does.
    pub action: Action,
    /// The owner scope, for upstreams that have one.
    pub owner: Option<String>,
    /// The webhook addressed.
    pub id: Option<String>,
    /// Create: the new webhook. Update: the change, read as [`UpdateMode`] says.
    pub body: Option<Map<String, Value>>,
    /// A list's page.
    pub query: ListQuery,
    /// `Prefer: handling=lenient`: drop what the upstream cannot carry instead of refusing.
    pub lenient: bool,
    /// How an update's body applies.
    pub mode: UpdateMode,
    /// An update of a webhook that does not exist creates it, as the client's vendor does (a
    /// vendor's PUT): under the id asked for, or under one minted as a create's is.
    pub upsert: Option<Upsert>,
    /// What a create of the client's vendor states that its update does not (values its
    /// dialect implies, deliveries as POSTs): added where an update of an unknown id creates
    /// the webhook (`upsert`), which must carry what a create carries.
    pub created_with: Map<String, Value>,
    /// The client reads the webhook's signing secret, which a backend reports if it can.
    pub reveal_secret: bool,
    /// Fields the client reads besides the webhook's own (a resource of its vendor's, which a
    /// surface answers): a get reads each resource of the backend that holds one of them, as
    /// it reads those read with the webhook.
    pub reads: Vec<String>,
    /// A delete reads the webhook first, for a client whose vendor answers the webhook it
    /// deleted.
    pub answer_deleted: bool,
    /// The client's vendor deletes only a disabled webhook (`first = ["disable"]` on its
    /// delete): an enabled one is refused with 409, as that vendor refuses it.
    pub disabled_only: bool,
    /// An update's event types switched on (`true`) or off one by one, by a client whose
    /// vendor keeps each as a flag of its own: applied to the webhook's `events` as they are,
    /// which the update then sets.
    pub switched: Vec<(String, bool)>,
    /// What the client's request says the webhook must still be for the change to be made
    /// (its vendor's version header): checked against the webhook as it is, before any change.
    pub preconditions: Vec<Precondition>,
    /// What the client's API can show of a webhook, where that is less than the canonical API
    /// can (a surface whose vendor keeps event types as flags of its own): a change is held to
    /// it, as the webhook it would leave, before anything is changed.
    pub answer_check: Option<AnswerCheck>,
}

/// Whether the client's API could answer a webhook: `Err` with the refusal, if not.
pub type Answerable = dyn Fn(&Map<String, Value>) -> Result<(), Problem> + Send + Sync;

/// An [`Answerable`] an operation carries.
#[derive(Clone)]
pub struct AnswerCheck(pub Arc<Answerable>);

impl fmt::Debug for AnswerCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AnswerCheck")
    }
}

/// A precondition a client's request carries: a header whose value is a field of the webhook
/// as the client read it (`X-Version: 3`, `If-Match: "abc"`), so that a change made from a
/// stale copy is refused rather than written over another client's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Precondition {
    /// The canonical field the header carries (`extensions.version`).
    pub field: String,
    /// The header, as the client's vendor names it (for messages).
    pub header: String,
    /// The text around the value in the header (an ETag's quotes), before and after it.
    pub around: (String, String),
    /// The header's value as the client sent it; `None` when it sent none.
    pub sent: Option<String>,
}

impl Precondition {
    /// The header's value that `webhook` calls for: the field's text (a string's own, any
    /// other value's JSON text) within the text around it; `None` where the webhook holds no
    /// such value, so that the precondition cannot be held by it.
    pub fn expected(&self, webhook: &Map<String, Value>) -> Option<String> {
        let value = field_value(webhook, &self.field).filter(|v| !v.is_null())?;
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        Some(format!("{}{text}{}", self.around.0, self.around.1))
    }

    /// Whether the change may be made to `webhook`: the header names the value the webhook
    /// holds. A webhook that holds none cannot hold the client to it, and is not refused
    /// (`docs/drop-in.md` says why).
    pub fn check(&self, webhook: &Map<String, Value>, id: &str) -> Result<(), Problem> {
        let Some(expected) = self.expected(webhook) else {
            return Ok(());
        };
        let (header, field) = (&self.header, &self.field);
        match &self.sent {
            Some(sent) if *sent == expected => Ok(()),
            Some(sent) => Err(Problem::new(
                crate::problem::Code::Conflict,
                format!(
                    "webhook {id} has changed: `{header}` is `{sent}`, but its `{field}` calls for `{expected}`; read it again and retry"
                ),
            )),
            None => Err(Problem::new(
                crate::problem::Code::Conflict,
                format!(
                    "`{header}` is required: a change to webhook {id} names the `{field}` it was made from (`{expected}` now)"
                ),
            )),
        }
    }
}

impl Operation {
    /// The body of a create made in place of an update of an unknown id (`upsert`): the
    /// update's, with what a create of the client's vendor states that the update does not
    /// (`created_with`).
    pub fn creating_body(&self, update: Map<String, Value>) -> Map<String, Value> {
        let mut body = update;
        for (name, value) in &self.created_with {
            body.entry(name.clone()).or_insert_with(|| value.clone());
        }
        body
    }
}

/// The value of canonical field `name` in `webhook`: a member, or `extensions.NAME` under
/// `extensions`.
pub fn field_value<'w>(webhook: &'w Map<String, Value>, name: &str) -> Option<&'w Value> {
    match name.strip_prefix("extensions.") {
        Some(ext) => webhook.get("extensions")?.get(ext),
        None => webhook.get(name),
    }
}

impl Operation {
    /// The webhook addressed, as one key: its owner and id, in small letters. A vendor may
    /// read either in any letter case (a UUID is one value however written), and two spellings
    /// of one webhook must take turns; two webhooks told apart only by case take them where
    /// they need not, which costs a wait and loses nothing.
    pub fn webhook_key(&self) -> String {
        let (owner, id) = (self.owner.as_deref(), self.id.as_deref());
        // Joined by a newline: two webhooks whose parts run together so would only take
        // turns where they need not.
        let mut key = format!("{}\n{}", owner.unwrap_or(""), id.unwrap_or(""));
        key.make_ascii_lowercase();
        key
    }

    /// An operation of `action` with nothing else said.
    pub fn new(action: Action) -> Self {
        Operation {
            action,
            owner: None,
            id: None,
            body: None,
            query: ListQuery::default(),
            lenient: false,
            mode: UpdateMode::Merge,
            upsert: None,
            created_with: Map::new(),
            reveal_secret: false,
            reads: Vec::new(),
            answer_deleted: false,
            disabled_only: false,
            switched: Vec::new(),
            preconditions: Vec::new(),
            answer_check: None,
        }
    }
}

/// What an operation produced, in canonical terms.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A webhook as it now is.
    Webhook(Members),
    /// A webhook just made.
    Created(Members),
    /// A page of webhooks, and where the next page starts (`None`: this is the last one).
    List {
        /// The webhooks of this page.
        items: Listed,
        /// The cursor of the next page.
        next_cursor: Option<String>,
    },
    /// The webhook is gone: as it was, where it was read (for a vendor whose delete answers
    /// the webhook it deleted).
    Deleted(Option<Members>),
    /// A test delivery's result.
    TestResult(Map<String, Value>),
}

/// An operation carried out: its outcome, and the canonical fields lenient handling dropped on
/// the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Done {
    /// What the operation produced.
    pub outcome: Outcome,
    /// Fields the upstream could not carry, left out at the client's request.
    pub dropped: Vec<String>,
}

impl From<Outcome> for Done {
    fn from(outcome: Outcome) -> Self {
        Done {
            outcome,
            dropped: Vec::new(),
        }
    }
}

/// Checks a canonical create body or update: every member must be a known, writable field of
/// the right type. All problems are reported at once. Whether `null` may clear a field is the
/// upstream's to say (a dialect that spells "no value" takes it), except for fields that can
/// never be cleared.
pub fn check_body(action: Action, body: &Map<String, Value>) -> Result<(), Problem> {
    let mut unknown = Vec::new();
    let mut errors = Vec::new();
    for (name, value) in body {
        let Some(field) = webhook_field(name) else {
            unknown.push(FieldError::new(name, "unknown field"));
            continue;
        };
        let writable = match field.access {
            Access::Read => false,
            Access::CreateOnly => action == Action::Create,
            Access::ReadWrite | Access::WriteOnce => true,
        };
        if !writable {
            let why = if field.access == Access::CreateOnly {
                "is read-only after create"
            } else {
                "is read-only"
            };
            unknown.push(FieldError::new(name, why));
            continue;
        }
        if value.is_null() {
            // In an update `null` clears; on create it means "not given". A secret or a switch
            // has no "no value".
            let no_value = matches!(field.kind, Kind::Bool | Kind::Integer)
                || field.access == Access::WriteOnce;
            if action == Action::Update && no_value {
                errors.push(FieldError::new(name, "cannot be cleared"));
            }
            // Which of a vendor's own members a clear of them all would reach is the vendor's:
            // some are read-only, some not the webhook's to clear. Each is named instead.
            if action == Action::Update && name == "extensions" {
                errors.push(FieldError::new(
                    name,
                    "cannot be cleared as a whole: clear each member by name ({\"extensions\": {\"NAME\": null}})",
                ));
            }
            continue;
        }
        if let Some(why) = type_error(field.kind, value, action == Action::Update) {
            errors.push(FieldError::new(name, why));
        } else if let (Kind::StringMap, Value::Object(map)) = (field.kind, value) {
            // Header names: `X-A` and `x-a` are two members and one header.
            let set = map.iter().filter(|(_, v)| !v.is_null());
            if let Some(why) = named_twice(set.clone().map(|(k, _)| k.as_str())) {
                errors.push(FieldError::new(name, why));
            }
            if let Some(why) = set.clone().find_map(|(k, v)| unsendable_header(k, v)) {
                errors.push(FieldError::new(name, why));
            }
        }
    }
    if !unknown.is_empty() {
        return Err(Problem::validation(unknown));
    }
    if !errors.is_empty() {
        return Err(Problem::validation(errors));
    }
    Ok(())
}

/// Why a header cannot be sent as it is named and valued, if it cannot: a name that is no
/// token (`X-A `, a letter outside ASCII, which a vendor might trim or fold into another
/// header's name), a value holding a line break or a NUL (which would end the header early).
fn unsendable_header(name: &str, value: &Value) -> Option<String> {
    if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Some(format!(
            "`{name}` is not a header name: a token of letters, digits and !#$%&'*+-.^_`|~"
        ));
    }
    let text = value.as_str().unwrap_or_default();
    text.contains(['\r', '\n', '\0'])
        .then(|| format!("the value of `{name}` holds a line break or a NUL"))
}

/// Why a list of header names cannot be carried, if one of them is given twice: in any letter
/// case, as HTTP compares them, naming the second spelling. A vendor or a client that is sent
/// both would keep one value and drop the other, or deliver the one header twice.
pub fn named_twice<'a>(names: impl Iterator<Item = &'a str>) -> Option<String> {
    let said = |name: &str| {
        format!("names `{name}` more than once (header names are compared in any letter case)")
    };
    let names: Vec<&str> = names.collect();
    // A webhook's few headers are compared pairwise, without folding a copy of each name;
    // a long list, from an attacker say, by a set, so that it costs no more than its length.
    if names.len() <= 16 {
        let twice = (1..names.len())
            .find(|&i| names[..i].iter().any(|n| n.eq_ignore_ascii_case(names[i])))?;
        return Some(said(names[twice]));
    }
    let mut seen = std::collections::HashSet::with_capacity(names.len());
    let twice = names
        .iter()
        .find(|name| !seen.insert(name.to_ascii_lowercase()))?;
    Some(said(twice))
}

/// Why `value` is not of `kind`, if it is not. In an update a map member may be `null`.
pub fn type_error(kind: Kind, value: &Value, patch: bool) -> Option<&'static str> {
    let ok = match kind {
        Kind::String => value.is_string(),
        Kind::Bool => value.is_boolean(),
        Kind::Integer => value.is_i64() || value.is_u64(),
        Kind::StringList => value
            .as_array()
            .is_some_and(|a| a.iter().all(Value::is_string)),
        Kind::StringMap => value
            .as_object()
            .is_some_and(|m| m.values().all(|v| v.is_string() || (patch && v.is_null()))),
        Kind::Object => value.is_object(),
    };
    (!ok).then_some(match kind {
        Kind::String => "must be a string",
        Kind::Bool => "must be a boolean",
        Kind::Integer => "must be an integer",
        Kind::StringList => "must be an array of strings",
        Kind::StringMap => "must be an object of strings",
        Kind::Object => "must be an object",
    })
}

/// Applies an update to a webhook. A merge patch merges objects into the stored ones; the other
/// modes replace each named member whole, where each member of `extensions` counts as a member
/// of its own (so naming one extension never drops another).
pub fn apply_update(
    current: &Map<String, Value>,
    patch: &Map<String, Value>,
    mode: UpdateMode,
) -> Map<String, Value> {
    let mut merged = current.clone();
    if mode == UpdateMode::Merge {
        for (key, value) in patch {
            match value {
                Value::Object(names) if names_headers(key) => {
                    let stored = merged.get(key).and_then(Value::as_object);
                    let headers = merge_headers(stored, names);
                    merged.insert(key.clone(), Value::Object(headers));
                }
                _ => merge_member(&mut merged, key, value),
            }
        }
    } else {
        for (key, value) in patch {
            match (key.as_str(), value) {
                ("extensions", Value::Object(ext)) => {
                    let stored = merged
                        .entry("extensions")
                        .or_insert_with(|| Value::Object(Map::new()));
                    if !stored.is_object() {
                        *stored = Value::Object(Map::new());
                    }
                    if let Value::Object(stored) = stored {
                        for (k, v) in ext {
                            if v.is_null() {
                                stored.shift_remove(k);
                            } else {
                                stored.insert(k.clone(), v.clone());
                            }
                        }
                    }
                }
                (_, Value::Null) => {
                    merged.shift_remove(key);
                }
                // A map of headers named whole: a header it names `null` is one it does not
                // have, never one whose value is `null`.
                (_, Value::Object(names)) if names_headers(key) => {
                    let set = names.iter().filter(|(_, v)| !v.is_null());
                    let set = set.map(|(k, v)| (k.clone(), v.clone())).collect();
                    merged.insert(key.clone(), Value::Object(set));
                }
                (_, value) => {
                    merged.insert(key.clone(), value.clone());
                }
            }
        }
    }
    if merged
        .get("extensions")
        .and_then(Value::as_object)
        .is_some_and(Map::is_empty)
    {
        merged.shift_remove("extensions");
    }
    merged
}

/// Applies a JSON Merge Patch (RFC 7396) to `target`.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    match target {
        Value::Object(map) => merge_members(map, patch),
        // A patch object replaces anything but an object: it is merged into an empty one.
        other => {
            let mut map = Map::new();
            merge_members(&mut map, patch);
            *other = Value::Object(map);
        }
    }
}

/// The JSON Merge Patch (RFC 7396) that makes `before` into `after`, `None` where they are
/// equal. Between two objects: a `null` for each member `after` lacks, then each member that
/// differs, itself such a patch where both are objects (only what changed inside is named).
/// Anything else is `after` whole. The removals come first, so that a vendor that applies the
/// members in order, and compares names in any letter case (headers), removes an old spelling
/// (`x-env`) before it sets the new one (`X-Env`).
pub fn merge_diff(before: &Value, after: &Value) -> Option<Value> {
    if before == after {
        return None;
    }
    let (Value::Object(was), Value::Object(now)) = (before, after) else {
        return Some(after.clone());
    };
    let mut patch: Map<String, Value> = was
        .keys()
        .filter(|k| !now.contains_key(*k))
        .map(|k| (k.clone(), Value::Null))
        .collect();
    for (key, value) in now {
        let changed = match was.get(key) {
            Some(old) => merge_diff(old, value),
            None => Some(value.clone()),
        };
        if let Some(changed) = changed {
            patch.insert(key.clone(), changed);
        }
    }
    Some(Value::Object(patch))
}

/// [`merge_patch`] of an object's members: a `null` removes a member, anything else is merged
/// into it.
fn merge_members(map: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (key, value) in patch {
        merge_member(map, key, value);
    }
}

/// [`merge_patch`] of one member.
fn merge_member(map: &mut Map<String, Value>, key: &str, value: &Value) {
    if value.is_null() {
        map.shift_remove(key);
    } else {
        merge_patch(map.entry(key.to_owned()).or_insert(Value::Null), value);
    }
}

/// Whether a webhook field is named by header names (`headers`), which compare in any letter
/// case.
pub fn names_headers(field: &str) -> bool {
    webhook_field(field).is_some_and(|f| f.kind == Kind::StringMap)
}

/// A merge patch of a map of headers, whose names compare in any letter case as HTTP's do: a
/// name the patch gives replaces or (`null`) removes the stored one whatever its case, and a
/// name it sets is kept as the patch spells it, where the stored one stood. A name given twice
/// in the patch, once `null` (`{"X-A": null, "x-a": "2"}`: a rename), is set, in either order.
pub fn merge_headers(
    stored: Option<&Map<String, Value>>,
    patch: &Map<String, Value>,
) -> Map<String, Value> {
    // The patch's word on a name: its value where it sets one, else its `null`.
    let said = |name: &str| {
        let mut named = patch.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name));
        let first = named.next()?;
        Some(match first {
            (_, Value::Null) => named.find(|(_, v)| !v.is_null()).unwrap_or(first),
            set => set,
        })
    };
    let mut out = Map::new();
    let mut placed: Vec<&str> = Vec::new();
    for (name, value) in stored.into_iter().flatten() {
        match said(name) {
            None => {
                out.insert(name.clone(), value.clone());
            }
            Some((_, Value::Null)) => {}
            Some((new, value)) => {
                if !placed.contains(&new.as_str()) {
                    placed.push(new);
                    out.insert(new.clone(), value.clone());
                }
            }
        }
    }
    for (name, value) in patch {
        let set = said(name).is_some_and(|(k, _)| k == name) && !value.is_null();
        if set && !placed.contains(&name.as_str()) {
            placed.push(name);
            out.insert(name.clone(), value.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn a_header_name_given_twice_in_any_case_is_found_in_short_and_long_lists() {
        let said = |name: &str| {
            Some(format!(
                "names `{name}` more than once (header names are compared in any letter case)"
            ))
        };
        assert_eq!(named_twice(["A", "B", "a"].into_iter()), said("a"));
        assert_eq!(named_twice(["X-Dup", "X-DUP"].into_iter()), said("X-DUP"));
        assert_eq!(named_twice(["A", "B", "AB"].into_iter()), None);
        assert_eq!(named_twice([].into_iter()), None);
        let many: Vec<String> = (0..100).map(|i| format!("X-{i}")).collect();
        assert_eq!(named_twice(many.iter().map(String::as_str)), None);
        let again = many.iter().map(String::as_str).chain(["x-57"]);
        assert_eq!(named_twice(again), said("x-57"));
        let body = serde_json::json!({"headers": {"X-A": "1", "x-a": "2"}});
        let refused = check_body(Action::Create, body.as_object().unwrap()).unwrap_err();
        assert_eq!(refused.errors[0].field, "headers");
        // A `null` removes a member in a merge: it names nothing.
        let renamed = serde_json::json!({"headers": {"X-A": null, "x-a": "2"}});
        assert!(check_body(Action::Update, renamed.as_object().unwrap()).is_ok());
    }
    #[test]
    fn refuses_unknown_and_read_only_fields_by_name() {
        let err =
            check_body(Action::Create, &obj(json!({"id": "1", "colour": "red"}))).unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["id", "colour"]);
        let err = check_body(Action::Update, &obj(json!({"api_version": "x"}))).unwrap_err();
        assert_eq!(err.errors[0].message, "is read-only after create");
        assert!(check_body(Action::Create, &obj(json!({"api_version": "x"}))).is_ok());
    }

    #[test]
    fn checks_types_and_clearing() {
        let err = check_body(
            Action::Update,
            &obj(json!({"enabled": "yes", "timeout_seconds": null, "secret": null})),
        )
        .unwrap_err();
        assert_eq!(err.errors.len(), 3);
        assert!(
            check_body(
                Action::Update,
                &obj(json!({"description": null, "headers": {"a": null}, "url": null}))
            )
            .is_ok(),
            "whether a string can be cleared is the upstream's to say"
        );
    }

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut doc = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut doc, &json!({"a": "z", "c": {"f": null}, "n": [1]}));
        assert_eq!(doc, json!({"a": "z", "c": {"d": "e"}, "n": [1]}));
    }

    #[test]
    fn a_header_merge_names_a_stored_header_in_any_letter_case() {
        let stored = obj(json!({"x-env": "a", "X-Other": "o", "X-Mixed": "m"}));
        let merged = |patch: Value| Value::Object(merge_headers(Some(&stored), &obj(patch)));
        // Removed whatever the case; replaced where it stood, as the patch spells it.
        assert_eq!(
            merged(json!({"X-OTHER": null})),
            json!({"x-env": "a", "X-Mixed": "m"})
        );
        assert_eq!(
            merged(json!({"X-Env": "b", "x-other": null})),
            json!({"X-Env": "b", "X-Mixed": "m"})
        );
        let kept = merged(json!({"X-ENV": "b", "new": "1"}));
        let names: Vec<&str> = kept
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(names, ["X-ENV", "X-Other", "X-Mixed", "new"]);
        // A rename, in either order; a removal of a name not held changes nothing.
        for patch in [
            json!({"x-mixed": null, "X-MIXED": "r"}),
            json!({"X-MIXED": "r", "x-mixed": null}),
        ] {
            assert_eq!(merged(patch)["X-MIXED"], "r");
        }
        assert_eq!(
            merged(json!({"X-Gone": null})),
            Value::Object(stored.clone())
        );
        assert_eq!(
            Value::Object(merge_headers(None, &obj(json!({"A": "1", "B": null})))),
            json!({"A": "1"})
        );
        // Through an update: merged so in a merge patch, given whole otherwise.
        let current = obj(json!({"url": "u", "headers": {"x-env": "a", "X-B": "b"}}));
        let patch = obj(json!({"headers": {"X-Env": "b", "x-b": null}}));
        let after = apply_update(&current, &patch, UpdateMode::Merge);
        assert_eq!(after["headers"], json!({"X-Env": "b"}));
        let after = apply_update(&current, &patch, UpdateMode::Members);
        assert_eq!(after["headers"], json!({"X-Env": "b"}));
    }

    #[test]
    fn a_merge_diff_names_what_changes_and_removes_first() {
        let diff = |a: Value, b: Value| merge_diff(&a, &b);
        assert_eq!(diff(json!({"a": 1}), json!({"a": 1})), None);
        assert_eq!(
            diff(
                json!({"h": {"x-env": "a", "K": "k"}, "n": 1}),
                json!({"h": {"X-Env": "b", "K": "k"}, "n": 1})
            ),
            Some(json!({"h": {"x-env": null, "X-Env": "b"}}))
        );
        let text = diff(json!({"b": 1, "a": 2}), json!({"c": 3}))
            .unwrap()
            .to_string();
        assert_eq!(text, r#"{"b":null,"a":null,"c":3}"#);
        assert_eq!(
            diff(json!({"a": [1]}), json!({"a": [2]})),
            Some(json!({"a": [2]}))
        );
        assert_eq!(
            diff(json!({"a": "s"}), json!({"a": {"b": 1}})),
            Some(json!({"a": {"b": 1}}))
        );
        // Applied, each diff makes the one into the other.
        let (from, to) = (
            json!({"h": {"A": "1", "B": "2"}, "u": "x"}),
            json!({"h": {"B": "3"}, "d": "y"}),
        );
        let mut made = from.clone();
        merge_patch(&mut made, &merge_diff(&from, &to).unwrap());
        assert_eq!(made, to);
    }

    #[test]
    fn a_member_update_never_drops_an_extension_it_does_not_name() {
        let current = obj(json!({"url": "u", "headers": {"a": "1", "b": "2"},
            "extensions": {"assignments": [1], "request_body": {"x": 1}}}));
        let patch = obj(json!({"headers": {"c": "3"}, "extensions": {"assignments": []}}));
        let merged = apply_update(&current, &patch, UpdateMode::Members);
        assert_eq!(
            Value::Object(merged),
            json!({"url": "u", "headers": {"c": "3"},
                   "extensions": {"assignments": [], "request_body": {"x": 1}}})
        );
        let merged = apply_update(&current, &patch, UpdateMode::Merge);
        assert_eq!(merged["headers"], json!({"a": "1", "b": "2", "c": "3"}));
    }

    #[test]
    fn orders_members_as_the_table_lists_them_with_others_last() {
        let keys = |m: &Map<String, Value>| m.keys().cloned().collect::<Vec<_>>();
        let table: Vec<&str> = WEBHOOK_FIELDS.iter().map(|f| f.name).collect();
        let (a, b, c) = (table[0], table[1], table[2]);
        let cases: [(&[&str], Vec<&str>); 6] = [
            (&[a, b, c], vec![a, b, c]),
            (&[a, c], vec![a, c]),
            (&[c, a, b], vec![a, b, c]),
            (&[a, "zz", b, "yy"], vec![a, b, "zz", "yy"]),
            (&["zz", a, "yy"], vec![a, "zz", "yy"]),
            (&[b, c, "zz", a], vec![a, b, c, "zz"]),
        ];
        for (given, expected) in cases {
            let object: Map<String, Value> = given
                .iter()
                .map(|k| (k.to_string(), Value::from(*k)))
                .collect();
            let members = Members::from(object.clone()).ordered(WEBHOOK_FIELDS);
            let out = ordered(object, WEBHOOK_FIELDS);
            assert_eq!(keys(&out), expected, "from {given:?}");
            assert!(
                out.iter().all(|(k, v)| v == k),
                "values stay with their keys"
            );
            // Members are put in the same order, in their text too.
            let mut text = Vec::new();
            members.write(&mut text);
            assert_eq!(text, serde_json::to_vec(&out).unwrap(), "from {given:?}");
        }
    }
}
