//! The in-memory webhook store behind an emulated vendor.
//!
//! It keeps canonical webhooks per owner and applies what the vendor applies on its side:
//! defaults for absent fields, minted ids and secrets, timestamps, one-per-owner values and
//! caps, all as the dialect's mapping file declares them. Request validation happens before,
//! in the vendor surface, exactly as for a real vendor.
//!
//! | file | job |
//! |---|---|
//! | `mod.rs` | the store, and an operation carried out on it |
//! | `list.rs` | a page of an owner's webhooks, from a cursor read as the vendor pages |
//! | `cursor.rs` | the cursors it gives: a place, bound to its list, that tells no count |
//! | `mint.rs` | what it makes up (ids, secrets, test event ids, timestamps), from a [`Determinism`] |
//! | `snapshot.rs` | the store as state files and test fixtures see it: snapshots, seeds, resets |

mod cursor;
mod list;
mod mint;
mod snapshot;

pub use cursor::CursorKey;
pub use mint::{Clock, Determinism, last_writable};
pub use snapshot::{Keyed, MAX_SEQ, Owned, Snapshot, as_seeded, given_id};

use crate::mapping::Dialect;
use crate::mapping::rules::{Beside, ObjectMap, Target};
use crate::model::{
    self as canonical, Action, Done, Object, Operation, Outcome, Slot, UpdateMode, Upsert,
};
use crate::problem::{Code, FieldError, Problem};
use crate::url_policy::UrlPolicy;
use mint::{count_past, uuid_from};
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

#[derive(Clone)]
struct State {
    /// The webhooks, in creation order: their sequence numbers increase.
    webhooks: Vec<Stored>,
    /// Signing secrets by webhook id; kept, never shown again.
    secrets: Vec<(String, String)>,
    next_id: u64,
    /// The sequence number of the next webhook stored; the lower ones were all given.
    next_seq: u64,
    /// The key of the cursors its lists give.
    cursor_key: CursorKey,
    /// Creates made with an idempotency key, the latest last, at most [`KEPT_KEYS`].
    keyed: std::collections::VecDeque<Keyed>,
    rng: fastrand::Rng,
    /// The next reading of a stepping clock.
    clock: Option<SystemTime>,
}

/// A stored webhook, its owner, and its place in the order the store lists in.
#[derive(Clone)]
struct Stored {
    owner: Option<String>,
    /// Given when it is stored, from a count that only goes up and is never given twice: a
    /// list's cursor names a place in this order rather than a position, so that webhooks
    /// deleted between two pages move no webhook from one page to the other.
    seq: u64,
    webhook: Map<String, Value>,
}

/// How many keyed creates an emulator remembers: vendors keep keys for a day, a test runs for
/// minutes.
const KEPT_KEYS: usize = 1000;

impl State {
    fn fresh(determinism: &Determinism) -> State {
        State {
            webhooks: Vec::new(),
            secrets: Vec::new(),
            next_id: 1,
            next_seq: 1,
            cursor_key: CursorKey::of(determinism),
            keyed: std::collections::VecDeque::new(),
            rng: determinism
                .seed
                .map_or_else(fastrand::Rng::new, fastrand::Rng::with_seed),
            clock: match determinism.clock {
                Clock::System => None,
                Clock::Stepping { start, .. } => Some(start),
            },
        }
    }

    /// Refuses a new webhook where the store's order has no place left for it: every
    /// sequence number up to [`MAX_SEQ`] is given (a state file may say so).
    fn place_left(&self) -> Result<(), Problem> {
        match self.next_seq <= MAX_SEQ {
            true => Ok(()),
            false => Err(Problem::new(
                Code::Conflict,
                format!("no webhook can be stored: every sequence number up to {MAX_SEQ} is given"),
            )),
        }
    }

    /// Stores a new webhook after every other, at the next place ([`State::place_left`] says
    /// there is one).
    fn push(&mut self, owner: Option<String>, webhook: Map<String, Value>) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.webhooks.push(Stored {
            owner,
            seq,
            webhook,
        });
    }
}

/// The webhooks of one emulated vendor.
pub struct Store {
    dialect: Arc<Dialect>,
    state: Mutex<State>,
    /// Enforced only when configured: an emulator stands for the vendor, whose rules are its own.
    url_policy: Option<Arc<UrlPolicy>>,
    determinism: Determinism,
}

impl Store {
    /// An empty store, making up values at random and stamping the system's time.
    pub fn new(dialect: Arc<Dialect>) -> Store {
        Store::with_determinism(dialect, Determinism::default())
    }

    /// An empty store whose made-up values and time come from `determinism`.
    pub fn with_determinism(dialect: Arc<Dialect>, determinism: Determinism) -> Store {
        Store {
            dialect,
            state: Mutex::new(State::fresh(&determinism)),
            url_policy: None,
            determinism,
        }
    }

    /// Refuses webhook URLs the policy refuses, as a real vendor's own validation would.
    pub fn with_url_policy(mut self, policy: Option<Arc<UrlPolicy>>) -> Store {
        self.url_policy = policy;
        self
    }

    /// The dialect whose vendor this store stands for.
    pub fn dialect(&self) -> &Dialect {
        &self.dialect
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a half-written webhook behind: every
        // change is a single push, replace or remove. Recover the data.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Carries out one canonical operation on the stored webhooks.
    ///
    /// Long by design: one arm per canonical action, as a vendor's documentation lists them.
    pub fn execute(&self, op: Operation) -> Result<Done, Problem> {
        self.execute_keyed(op, None)
    }

    /// Carries out an operation whose client gave an idempotency key: where the vendor honours
    /// one (in a header or a create's body), a create repeated with the same key and the same
    /// body answers as the first did and makes nothing; with another body it is refused (409).
    pub fn execute_keyed(&self, mut op: Operation, key: Option<&str>) -> Result<Done, Problem> {
        let d = &self.dialect;
        let honoured = d.idempotency_key.is_some() || d.body_idempotency_key.is_some();
        let key = key.filter(|_| honoured && op.action == Action::Create);
        if let (Some(policy), Some(body)) = (&self.url_policy, &op.body)
            && matches!(op.action, Action::Create | Action::Update)
        {
            policy
                .check_webhook(body)
                .map_err(|r| Problem::validation(vec![r.field_error()]))?;
            // The other URLs of a list of which `url` is one, which the webhook holds too.
            let beside = d.webhook.beside("url", Beside::Kept(body));
            (policy.check_beside(&beside)).map_err(|e| Problem::validation(vec![e]))?;
        }
        let mut state = self.lock();
        // A vendor that finds a webhook by its id alone, asked without an owner: the owner is
        // the webhook's own. A list or create without one has nothing to act under.
        if op.owner.is_none() && self.dialect.has_owner() {
            match op.id {
                Some(_) => op.owner = self.owner_of(&state, &op)?,
                None => {
                    return Err(Problem::bad_request(format!(
                        "a {} names no owner ({})",
                        op.action,
                        self.dialect.owner.as_deref().unwrap_or("owner")
                    )));
                }
            }
        }
        if !op.switched.is_empty() {
            // Event types switched one by one apply to the webhook's as they are (to none, for
            // an update that creates it).
            let current = self.find(&state, &op).ok();
            let events = current.and_then(|(_, w)| w.get("events"));
            let events = crate::mapping::flags::switch(events, &op.switched);
            op.body
                .get_or_insert_default()
                .insert("events".into(), events);
        }
        // The client's preconditions (its version header) are held against the webhook as it
        // is, before anything changes; an unknown webhook is answered by the action itself.
        if !op.preconditions.is_empty()
            && let Ok((_, webhook)) = self.find(&state, &op)
        {
            let id = webhook_id(webhook).unwrap_or_default();
            for p in &op.preconditions {
                p.check(webhook, id)?;
            }
        }
        let outcome = match op.action {
            Action::List => self.list(&state, &op)?,
            Action::Get => {
                let mut webhook = self.find(&state, &op)?.1.clone();
                if op.reveal_secret {
                    // Keyed by the webhook's own id, whichever name (an id, a uid) found it.
                    let id = webhook_id(&webhook).unwrap_or_default().to_owned();
                    let secret = state.secrets.iter().find(|(k, _)| *k == id).map(|(_, s)| s);
                    match secret {
                        Some(s) => {
                            webhook.insert("secret".into(), Value::from(s.as_str()));
                        }
                        None => {
                            return Err(Problem::not_found(format!("webhook {id} has no secret")));
                        }
                    }
                } else if let Some(secret) = self.shown_secret(&state, webhook_id(&webhook)) {
                    webhook.insert("secret".into(), Value::from(secret));
                }
                Outcome::Webhook(webhook.into())
            }
            Action::Create => match key {
                None => self.create(&mut state, &op, None)?,
                Some(key) => {
                    let owner = &op.owner;
                    if let Some(first) = state
                        .keyed
                        .iter()
                        .find(|k| k.key == key && k.owner == *owner)
                    {
                        if first.body != op.body {
                            return Err(Problem::new(
                                Code::Conflict,
                                format!("the idempotency key {key} was used for another request"),
                            ));
                        }
                        return Ok(Outcome::Created(first.answer.clone().into()).into());
                    }
                    let outcome = self.create(&mut state, &op, None)?;
                    if let Outcome::Created(answer) = &outcome {
                        if state.keyed.len() == KEPT_KEYS {
                            state.keyed.pop_front();
                        }
                        state.keyed.push_back(Keyed {
                            key: key.to_owned(),
                            owner: op.owner.clone(),
                            body: op.body.clone(),
                            answer: answer.clone().into_map(),
                        });
                    }
                    outcome
                }
            },
            // A PUT of an unknown id at a vendor that creates so: under that id where its
            // clients choose ids, else under one minted as a create's is (the path's dropped).
            Action::Update if op.upsert.is_some() && self.find(&state, &op).is_err() => {
                let given = op.id.clone().filter(|_| op.upsert == Some(Upsert::GivenId));
                let creating = Operation {
                    body: Some(op.creating_body(op.body.clone().unwrap_or_default())),
                    ..op.clone()
                };
                self.create(&mut state, &creating, given)?
            }
            Action::Update => {
                let outcome = self.update(&mut state, &op, op.body.clone().unwrap_or_default())?;
                self.with_secret(&state, outcome)
            }
            Action::Delete => {
                let (index, webhook) = self.find(&state, &op)?;
                // A vendor that deletes only a disabled webhook refuses an enabled one.
                let disable_first = d.operation(Action::Delete).is_some_and(|e| e.disable_first);
                if disable_first && webhook.get("enabled").and_then(Value::as_bool) != Some(false) {
                    let id = webhook_id(webhook).unwrap_or_default();
                    return Err(crate::model::enabled_not_deleted(id));
                }
                let removed = state.webhooks.remove(index).webhook;
                let id = removed
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                state.secrets.retain(|(k, _)| *k != id);
                Outcome::Deleted(Some(removed.into()))
            }
            Action::Toggle => {
                let (_, webhook) = self.find(&state, &op)?;
                let enabled = webhook
                    .get("enabled")
                    .and_then(Value::as_bool)
                    .unwrap_or(true);
                let mut patch = Map::new();
                patch.insert("enabled".into(), Value::Bool(!enabled));
                let toggle = Operation {
                    mode: UpdateMode::Merge,
                    ..op.clone()
                };
                let outcome = self.update(&mut state, &toggle, patch)?;
                self.with_secret(&state, outcome)
            }
            action @ (Action::Enable | Action::Disable) => {
                let mut patch = Map::new();
                patch.insert("enabled".into(), Value::Bool(action == Action::Enable));
                let switch = Operation {
                    mode: UpdateMode::Merge,
                    ..op.clone()
                };
                let outcome = self.update(&mut state, &switch, patch)?;
                self.with_secret(&state, outcome)
            }
            Action::Test => {
                let (_, webhook) = self.find(&state, &op)?;
                // The event the client named (`events` of the operation), else the webhook's
                // first.
                let event = [op.body.as_ref(), Some(webhook)]
                    .into_iter()
                    .flatten()
                    .find_map(|m| m.get("events").and_then(Value::as_array)?.first())
                    .cloned();
                Outcome::TestResult(self.test_result(event, &mut state))
            }
            Action::RotateSecret => {
                let (index, webhook) = self.find(&state, &op)?;
                let id = webhook
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                // The one the client chose (a vendor whose rotation takes one), else minted.
                let chosen = op.body.as_ref().and_then(|b| b.get("secret"));
                let secret = match chosen.and_then(Value::as_str) {
                    Some(chosen) => self.kept_secret(chosen.to_owned()),
                    None => self.mint_secret(&mut state),
                };
                state.secrets.retain(|(k, _)| *k != id);
                state.secrets.push((id, secret.clone()));
                next_version(d, &mut state.webhooks[index].webhook);
                let mut shown = state.webhooks[index].webhook.clone();
                shown.insert("secret".into(), Value::from(secret));
                Outcome::Webhook(canonical::ordered(shown, canonical::WEBHOOK_FIELDS).into())
            }
        };
        Ok(outcome.into())
    }

    /// A secret a client chose, as the vendor keeps it (with its prefix, where the vendor
    /// writes every key so: `emulator.secret_prefixed`).
    fn kept_secret(&self, given: String) -> String {
        match &self.dialect.emulator.mints_secret {
            Some(mint) => mint.kept(given),
            None => given,
        }
    }

    /// The secret of webhook `id` where the vendor shows it on every read
    /// (`emulator.secret_shown = "always"`) and keeps one.
    fn shown_secret<'s>(&self, state: &'s State, id: Option<&str>) -> Option<&'s str> {
        let id = id.filter(|_| self.dialect.emulator.shows_secret)?;
        let secret = state.secrets.iter().find(|(k, _)| k == id);
        secret.map(|(_, s)| s.as_str())
    }

    /// An update's answer, with the webhook's secret where the vendor shows it on every read.
    fn with_secret(&self, state: &State, outcome: Outcome) -> Outcome {
        let Outcome::Webhook(mut webhook) = outcome else {
            return outcome;
        };
        if let Some(secret) = self.shown_secret(state, webhook.str("id").as_deref()) {
            webhook.remove_member("secret");
            webhook.push("secret", Slot::Value(Value::from(secret)));
        }
        Outcome::Webhook(webhook)
    }

    /// The owner of the webhook an operation names by its id, whoever owns it.
    fn owner_of(&self, state: &State, op: &Operation) -> Result<Option<String>, Problem> {
        let id = op.id.as_deref().unwrap_or_default();
        state
            .webhooks
            .iter()
            .find(|s| self.names(&s.webhook, id))
            .map(|s| s.owner.clone())
            .ok_or_else(|| Problem::not_found(format!("no webhook {id}")))
    }

    /// Whether a stored webhook is the one `id` names: by its id, else by a field the vendor
    /// also takes in its place (a client's `uid`).
    fn names(&self, w: &Map<String, Value>, id: &str) -> bool {
        w.get("id").and_then(Value::as_str) == Some(id)
            || self.dialect.emulator.also_found_by.iter().any(|field| {
                let value = match field.strip_prefix("extensions.") {
                    Some(ext) => w.get("extensions").and_then(|e| e.get(ext)),
                    None => w.get(field.as_str()),
                };
                value.and_then(Value::as_str) == Some(id)
            })
    }

    fn find<'s>(
        &self,
        state: &'s State,
        op: &Operation,
    ) -> Result<(usize, &'s Map<String, Value>), Problem> {
        let id = op.id.as_deref().unwrap_or_default();
        state
            .webhooks
            .iter()
            .enumerate()
            .find(|(_, s)| s.owner == op.owner && self.names(&s.webhook, id))
            .map(|(i, s)| (i, &s.webhook))
            .ok_or_else(|| Problem::not_found(format!("no webhook {id}")))
    }

    /// Creates a webhook; `given_id` is the id a client's PUT named (an upsert).
    fn create(
        &self,
        state: &mut State,
        op: &Operation,
        given_id: Option<String>,
    ) -> Result<Outcome, Problem> {
        let given = op.body.clone().unwrap_or_default();
        let mut webhook = given.clone();
        webhook.retain(|_, v| !v.is_null());
        keep_cleared(&self.dialect.webhook, &given, &mut webhook);
        apply_defaults(&self.dialect.webhook, &mut webhook);
        for resource in &self.dialect.resources {
            apply_defaults(&resource.fields, &mut webhook);
        }
        if let Some(max) = self.dialect.emulator.max_webhooks {
            let count = state
                .webhooks
                .iter()
                .filter(|s| s.owner == op.owner)
                .count();
            if count >= max {
                return Err(Problem::new(
                    Code::Conflict,
                    format!("at most {max} webhooks are allowed"),
                ));
            }
        }
        self.check_unique(state, op, &webhook, None)?;
        state.place_left()?;
        let id = match given_id {
            Some(id) => {
                count_past(state, &id);
                id
            }
            None => self.mint_id(state, &HashSet::new())?,
        };
        let now = self.now(state);
        let secret = match (
            webhook.shift_remove("secret"),
            &self.dialect.emulator.mints_secret,
        ) {
            (Some(Value::String(s)), _) => Some((self.kept_secret(s), false)),
            (_, Some(_)) => Some((self.mint_secret(state), true)),
            _ => None,
        };
        webhook.insert("id".into(), Value::from(id.clone()));
        webhook.insert(
            "owner".into(),
            op.owner.clone().map(Value::from).unwrap_or(Value::Null),
        );
        webhook.insert("created_at".into(), Value::from(now.clone()));
        webhook.insert("updated_at".into(), Value::from(now));
        self.vendor_extensions(&mut webhook);
        self.dialect.webhook.settle_status(&mut webhook);
        let webhook = canonical::ordered(webhook, canonical::WEBHOOK_FIELDS);
        state.push(op.owner.clone(), webhook.clone());
        let mut shown = webhook;
        if let Some((secret, minted)) = secret {
            state.secrets.push((id, secret.clone()));
            // A minted secret is shown once, here; the client's own where the vendor shows
            // the secret on every read, as the read after it does.
            if minted || self.dialect.emulator.shows_secret {
                shown.insert("secret".into(), Value::from(secret));
            }
        }
        Ok(Outcome::Created(shown.into()))
    }

    fn update(
        &self,
        state: &mut State,
        op: &Operation,
        mut patch: Map<String, Value>,
    ) -> Result<Outcome, Problem> {
        let (index, current) = self.find(state, op)?;
        let current = current.clone();
        let id = current
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let secret = match patch.shift_remove("secret") {
            Some(Value::String(secret)) => Some(self.kept_secret(secret)),
            _ => None,
        };
        let mut merged = canonical::apply_update(&current, &patch, op.mode);
        keep_cleared(&self.dialect.webhook, &patch, &mut merged);
        self.check_unique(state, op, &merged, Some(&id))?;
        // A version counts the changes the webhook went through: a write that leaves it as it
        // was is none.
        let rekeyed = secret.as_ref().is_some_and(|s| {
            state
                .secrets
                .iter()
                .find(|(k, _)| *k == id)
                .map(|(_, was)| was)
                != Some(s)
        });
        if rekeyed || merged != current {
            next_version(&self.dialect, &mut merged);
        }
        if let Some(secret) = secret {
            state.secrets.retain(|(k, _)| *k != id);
            state.secrets.push((id.clone(), secret));
        }
        merged.insert("updated_at".into(), Value::from(self.now(state)));
        self.dialect.webhook.settle_status(&mut merged);
        let merged = canonical::ordered(merged, canonical::WEBHOOK_FIELDS);
        state.webhooks[index].webhook = merged.clone();
        Ok(Outcome::Webhook(merged.into()))
    }

    /// Values that one webhook per owner may hold (one webhook of each type, say).
    fn check_unique(
        &self,
        state: &State,
        op: &Operation,
        webhook: &Map<String, Value>,
        except: Option<&str>,
    ) -> Result<(), Problem> {
        for rule in self
            .dialect
            .webhook
            .rules
            .iter()
            .filter(|r| r.unique_per_owner)
        {
            let Some(value) = rule.target.get(webhook).filter(|v| !v.is_null()) else {
                continue;
            };
            let taken = state.webhooks.iter().any(|s| {
                s.owner == op.owner
                    && s.webhook.get("id").and_then(Value::as_str) != except
                    && rule.target.get(&s.webhook) == Some(value)
            });
            if taken {
                let message = rule
                    .message("unique_per_owner")
                    .unwrap_or("is already taken");
                return Err(Problem::with_errors(
                    Code::Conflict,
                    vec![FieldError::new(rule.target.name(), message)],
                ));
            }
        }
        Ok(())
    }

    /// An emulated test delivery: nothing leaves the machine; it reports a prompt 200.
    /// The test event is of the type asked for or else the webhook's first (`event`), sent now.
    fn test_result(&self, event: Option<Value>, state: &mut State) -> Map<String, Value> {
        let mut result = Map::new();
        // A vendor whose test sends an event of its own (`[test_result.event_type] implied`)
        // sends that one, whatever the webhook's are.
        let own = (self.dialect.test_result.rules.iter())
            .find(|r| r.target.is("event_type"))
            .and_then(|r| r.implied.clone());
        if let Some(event) = own.or(event) {
            result.insert("event_type".into(), event);
        }
        result.insert("sent_at".into(), Value::from(self.now(state)));
        result.insert("delivered".into(), Value::Bool(true));
        result.insert("response_status".into(), Value::from(200));
        result.insert("response_time_ms".into(), Value::from(0));
        result.insert(
            "event_id".into(),
            Value::from(format!("evt_{}", uuid_from(&mut state.rng).simple())),
        );
        apply_defaults(&self.dialect.test_result, &mut result);
        canonical::ordered(result, canonical::TEST_RESULT_FIELDS)
    }

    /// Fills the extensions the vendor always shows (its declared emulator values, and the
    /// first version where it keeps one) where absent.
    fn vendor_extensions(&self, webhook: &mut Map<String, Value>) {
        first_version(&self.dialect, webhook);
        if self.dialect.emulator.extensions.is_empty() {
            return;
        }
        let ext = webhook
            .entry("extensions")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(ext) = ext {
            for (k, v) in &self.dialect.emulator.extensions {
                ext.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
}

/// A webhook's first version (1), where the vendor keeps one (`emulator.version`) and the
/// webhook holds none yet (a fixture may give another).
fn first_version(dialect: &Dialect, webhook: &mut Map<String, Value>) {
    if let Some((key, versions)) = versions(dialect, webhook) {
        versions.entry(key).or_insert(Value::from(1));
    }
}

/// The version after a change, where the vendor keeps one: one more than the webhook's.
fn next_version(dialect: &Dialect, webhook: &mut Map<String, Value>) {
    if let Some((key, versions)) = versions(dialect, webhook) {
        let was = versions.get(key).and_then(Value::as_u64).unwrap_or(0);
        versions.insert(key.to_owned(), Value::from(was + 1));
    }
}

/// Where a vendor that keeps versions keeps a webhook's: the member of its `extensions` (made
/// where there is none) and that member's name; `None` for a vendor that keeps none.
fn versions<'d, 'w>(
    dialect: &'d Dialect,
    webhook: &'w mut Map<String, Value>,
) -> Option<(&'d str, &'w mut Map<String, Value>)> {
    let key = dialect
        .emulator
        .version
        .as_deref()?
        .strip_prefix("extensions.")?;
    match webhook
        .entry("extensions")
        .or_insert_with(|| Value::Object(Map::new()))
    {
        Value::Object(extensions) => Some((key, extensions)),
        _ => None,
    }
}

/// Keeps as `null` the values `given` clears whose rules spell `null` as a value of the
/// vendor's (`empty_is_null`: a label cleared is `""`): the vendor keeps that value and answers
/// it, where a member cleared of any other rule is gone.
fn keep_cleared(map: &ObjectMap, given: &Map<String, Value>, object: &mut Map<String, Value>) {
    for rule in &map.rules {
        if matches!(rule.codec, crate::mapping::codec::Codec::EmptyIsNull)
            && rule.target.get(given).is_some_and(Value::is_null)
        {
            rule.target.set(object, Value::Null);
        }
    }
}

/// Fills absent fields and extensions with the vendor's declared defaults (dialect values,
/// decoded).
pub(crate) fn apply_defaults(map: &ObjectMap, object: &mut Map<String, Value>) {
    for rule in &map.rules {
        let Some(default) = &rule.default else {
            continue;
        };
        if rule.target.get(object).is_some()
            || matches!(rule.target, Target::Field(f) if f.name == "secret")
        {
            continue;
        }
        if let Ok(value) = rule.codec.decode(default) {
            rule.target.set(object, value);
        }
    }
}

/// A stored webhook's id.
fn webhook_id(webhook: &Map<String, Value>) -> Option<&str> {
    webhook.get("id").and_then(Value::as_str)
}
