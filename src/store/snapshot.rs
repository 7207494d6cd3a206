//! The store as state files and test fixtures see it: everything it holds (a snapshot) and
//! back, webhooks seeded in canonical terms, and resets.

use super::mint::count_past;
use super::{CursorKey, KEPT_KEYS, State, Store, Stored, apply_defaults};
use crate::mapping::Dialect;
use crate::model as canonical;
use crate::problem::{FieldError, Problem};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// The largest sequence number a store gives (2^53 - 1), and so the largest a state file may
/// hold: the largest integer every JSON reader keeps exactly, so that a state file edited by
/// any tool keeps its numbers. A store whose numbers are all given stores no more webhooks
/// (its creates are refused, 409), rather than count past what it can hold.
pub const MAX_SEQ: u64 = (1 << 53) - 1;

/// What a store holds, as a state file keeps it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// The webhooks, in creation order, each with its owner.
    pub webhooks: Vec<Owned>,
    /// Signing secrets by webhook id.
    pub secrets: Vec<(String, String)>,
    /// The next integer id.
    pub next_id: u64,
    /// The sequence number of the next webhook stored (absent from a file of an older
    /// hookgate: the one after its webhooks').
    #[serde(default)]
    pub next_seq: u64,
    /// The key of the cursors its lists gave, so that they read the same after a restart
    /// (absent from a file of an older hookgate, whose cursors were its places as they are:
    /// the store's own key then goes on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor_key: Option<CursorKey>,
    /// The creates made with an idempotency key, the latest last: a client's retry after a
    /// restart answers as the first create did.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keyed: Vec<Keyed>,
    /// Where a seeded generator of ids and secrets has got to, so that after a restart it goes
    /// on rather than draw again what it drew before (absent from a file of an older hookgate,
    /// and of an emulator without a seed, whose generator starts afresh).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator: Option<Generator>,
}

/// A seeded generator's place in its sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generator {
    /// The seed it started from: a store of another seed starts its own sequence instead.
    pub seed: u64,
    /// Its state now.
    pub at: u64,
}

/// A stored webhook and its owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Owned {
    /// The owner scope (`None` for dialects without one).
    pub owner: Option<String>,
    /// The canonical webhook, without its secret.
    pub webhook: Map<String, Value>,
    /// Its place in the order the store lists in, which the cursors of its lists name: kept
    /// in a state file, so that a cursor given before a restart still names where its page
    /// begins. `None` for a webhook to seed (it is stored at the next place, or at the place
    /// of the one it replaces), and in a state file of an older hookgate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
}

impl Owned {
    /// A stored webhook as a snapshot holds it.
    fn of(stored: &Stored) -> Owned {
        Owned {
            owner: stored.owner.clone(),
            webhook: stored.webhook.clone(),
            seq: Some(stored.seq),
        }
    }
}

/// A create made with an idempotency key: what it asked for, and what it answered (its
/// signing secret included, as the first answer showed it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Keyed {
    /// The client's key.
    pub key: String,
    /// The owner it was created under.
    pub owner: Option<String>,
    /// The canonical body it asked for: the same key with another body is a conflict.
    pub body: Option<Map<String, Value>>,
    /// The canonical webhook it answered with.
    pub answer: Map<String, Value>,
}

impl Snapshot {
    /// What this snapshot, read from a state file, holds that no store of `dialect` could,
    /// each said where it is: a sequence number past [`MAX_SEQ`] (a store counts on from
    /// it, and could not past the largest it can count to), a webhook that names no id, and
    /// a webhook whose owner is not the one it is kept under, or not one the vendor keeps
    /// (as fixtures are held to). Read as it is, it would be served with answers the vendor
    /// could never give, or stop every create.
    pub fn unfit(&self, dialect: &Dialect) -> Vec<String> {
        let mut out = Vec::new();
        let numbered = format!("a store numbers its webhooks from 1 to {MAX_SEQ}");
        if self.next_seq > MAX_SEQ + 1 {
            out.push(format!(
                "`store.next_seq` is {}: {numbered}, so the next number is at most {}",
                self.next_seq,
                MAX_SEQ + 1
            ));
        }
        // Where each id was first: an emulator holds each id once, whatever its owner, and keeps
        // its secret by the id alone.
        let mut first: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for (i, owned) in self.webhooks.iter().enumerate() {
            let at = format!("store.webhooks[{i}]");
            if let Some(seq) = owned.seq.filter(|&seq| seq > MAX_SEQ) {
                out.push(format!("`{at}.seq` is {seq}: {numbered}"));
            }
            // An id the vendor's paths cannot name is refused, as a fixture's is: no call
            // could reach its webhook.
            let id = owned.webhook.get("id").and_then(Value::as_str);
            match (id, id.and_then(|id| dialect.id_unfit_why(id))) {
                (None, _) => out.push(format!("`{at}.webhook` names no id")),
                (Some(id), Some(why)) => out.push(format!("`{at}.webhook.id` is `{id}`, {why}")),
                (Some(id), None) => match first.get(id) {
                    Some(was) => out.push(format!(
                        "`{at}.webhook.id` is `{id}`, the id of `store.webhooks[{was}]` too: an emulator holds each id once"
                    )),
                    None => {
                        first.insert(id, i);
                    }
                },
            }
            let outer = owned.owner.as_deref();
            // A webhook that holds no `owner` member at all is its owner's as it is kept.
            let inner = match owned.webhook.get("owner") {
                None => outer,
                Some(Value::Null) => None,
                Some(Value::String(o)) => Some(o.as_str()),
                Some(other) => {
                    out.push(format!(
                        "`{at}.webhook.owner` is {other}, not an owner's text"
                    ));
                    continue;
                }
            };
            if inner != outer {
                let said = |o: Option<&str>| o.map_or("none".to_owned(), |o| format!("`{o}`"));
                out.push(format!(
                    "`{at}` is kept under owner {} and its webhook names {}: a webhook is its owner's",
                    said(outer),
                    said(inner)
                ));
                continue;
            }
            match (outer, &dialect.owner) {
                (None, Some(name)) => out.push(format!(
                    "`{at}` names no owner: the vendor keeps webhooks per owner ({name})"
                )),
                (Some(o), None) => out.push(format!(
                    "`{at}` names owner `{o}`: the vendor keeps no owners"
                )),
                (Some(o), Some(_)) if !dialect.admits_owner(o) => out.push(format!(
                    "`{at}` names owner `{o}`, which is not one of the vendor's: owners are {}",
                    dialect.describe_owner()
                )),
                _ => {}
            }
        }
        out
    }
}

impl Store {
    /// Back to empty: no webhooks or secrets, ids from 1, the generator and the clock where
    /// they started.
    pub fn reset(&self) {
        *self.lock() = State::fresh(&self.determinism);
    }

    /// Removes every webhook and secret; ids, sequence numbers, the generator and the clock
    /// go on.
    pub fn clear(&self) {
        let mut state = self.lock();
        state.webhooks.clear();
        state.secrets.clear();
    }

    /// The stored webhooks, in creation order, without their secrets.
    pub fn webhooks(&self) -> Vec<Owned> {
        self.lock().webhooks.iter().map(Owned::of).collect()
    }

    /// Everything the store holds, secrets included, for a state file.
    pub fn snapshot(&self) -> Snapshot {
        let state = self.lock();
        Snapshot {
            webhooks: state.webhooks.iter().map(Owned::of).collect(),
            secrets: state.secrets.clone(),
            next_id: state.next_id,
            next_seq: state.next_seq,
            cursor_key: Some(state.cursor_key),
            keyed: state.keyed.iter().cloned().collect(),
            generator: self.determinism.seed.map(|seed| Generator {
                seed,
                at: state.rng.get_seed(),
            }),
        }
    }

    /// Replaces what the store holds with a snapshot's webhooks and secrets.
    pub fn restore(&self, snapshot: Snapshot) {
        let mut state = self.lock();
        // Sequence numbers as kept, where each webhook has one and they increase as the store
        // keeps them; else (a file of an older hookgate, or one edited by hand) numbered
        // afresh in the file's order, so that lists still page in it.
        let kept: Option<Vec<u64>> = snapshot.webhooks.iter().map(|o| o.seq).collect();
        let kept = kept.filter(|seqs| {
            seqs.first().is_none_or(|&first| first >= 1) && seqs.windows(2).all(|w| w[0] < w[1])
        });
        let seqs = kept.unwrap_or_else(|| (1..).take(snapshot.webhooks.len()).collect());
        let after = seqs.last().map_or(1, |last| last.saturating_add(1));
        state.webhooks = snapshot
            .webhooks
            .into_iter()
            .zip(seqs)
            .map(|(o, seq)| Stored {
                owner: o.owner,
                seq,
                webhook: o.webhook,
            })
            .collect();
        state.secrets = snapshot.secrets;
        state.next_id = snapshot.next_id.max(1);
        state.next_seq = snapshot.next_seq.max(after);
        if let Some(key) = snapshot.cursor_key {
            state.cursor_key = key;
        }
        if let Some(generator) = snapshot.generator
            && self.determinism.seed == Some(generator.seed)
        {
            state.rng = fastrand::Rng::with_seed(generator.at);
        }
        state.keyed = snapshot.keyed.into();
        while state.keyed.len() > KEPT_KEYS {
            state.keyed.pop_front();
        }
    }

    /// Stores webhooks as a test's fixtures give them, in canonical terms: the vendor's
    /// defaults fill what is absent, and an absent id, secret (where the vendor mints one) or
    /// timestamp is made up as on create. The vendor's request rules, caps and one-per-owner
    /// values are not applied: a fixture may set up any state the vendor can be in. A webhook
    /// whose owner and id are already stored replaces it. Returns the stored webhooks, without
    /// their secrets.
    /// Refused (409), with nothing stored, where no id is left to mint for a webhook without
    /// one.
    pub fn seed(&self, items: Vec<Owned>) -> Result<Vec<Map<String, Value>>, Problem> {
        let mut state = self.lock();
        let before = state.clone();
        let seeded = self.seed_into(&mut state, items);
        if seeded.is_err() {
            *state = before;
        }
        seeded
    }

    /// [`Store::seed`] on the locked state, which it may leave half seeded when it fails.
    fn seed_into(
        &self,
        state: &mut State,
        items: Vec<Owned>,
    ) -> Result<Vec<Map<String, Value>>, Problem> {
        // The ids the document gives: none is minted for another of its webhooks, stored after
        // it and then replaced by it.
        let reserved: HashSet<String> = items
            .iter()
            .filter_map(|o| given_id(o.webhook.get("id")))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        // Where each stored (owner, id) is, so that a large seed stays linear.
        let mut at: std::collections::HashMap<(Option<String>, String), usize> = state
            .webhooks
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let id = s.webhook.get("id")?.as_str()?.to_owned();
                Some(((s.owner.clone(), id), i))
            })
            .collect();
        // Whose each stored id is.
        let mut whose: std::collections::HashMap<String, Option<String>> =
            (at.keys()).map(|(o, id)| (id.clone(), o.clone())).collect();
        let mut replaced = Vec::new();
        for (
            i,
            Owned {
                owner, mut webhook, ..
            },
        ) in items.into_iter().enumerate()
        {
            webhook.retain(|_, v| !v.is_null());
            let id = self.seeded_id(state, webhook.shift_remove("id"), &reserved)?;
            // The id of a webhook stored already under another owner: the vendor never holds
            // two webhooks of one id, and a read by id alone would find the other.
            if let Some(other) = whose.get(&id).filter(|o| **o != owner) {
                let whose = other
                    .as_deref()
                    .map_or("no owner".to_owned(), |o| format!("owner `{o}`"));
                return Err(Problem::validation(vec![FieldError::new(
                    format!("webhooks[{i}].id"),
                    format!(
                        "`{id}` is the id of a webhook of {whose} already: an emulator holds each id once; delete that webhook first, or give this one another id"
                    ),
                )]));
            }
            apply_defaults(&self.dialect.webhook, &mut webhook);
            for resource in &self.dialect.resources {
                apply_defaults(&resource.fields, &mut webhook);
            }
            let secret = match webhook.shift_remove("secret") {
                Some(Value::String(s)) => Some(self.kept_secret(s)),
                _ => self
                    .dialect
                    .emulator
                    .mints_secret
                    .as_ref()
                    .map(|_| self.mint_secret(state)),
            };
            let needs_time =
                !webhook.contains_key("created_at") || !webhook.contains_key("updated_at");
            if needs_time {
                let now = Value::from(self.now(state));
                webhook.entry("created_at").or_insert_with(|| now.clone());
                webhook.entry("updated_at").or_insert(now);
            }
            webhook.insert("id".into(), Value::from(id.clone()));
            webhook.insert(
                "owner".into(),
                owner.clone().map(Value::from).unwrap_or(Value::Null),
            );
            self.vendor_extensions(&mut webhook);
            // A status the seed gives stands; else it has the one a create would give it.
            if !webhook.contains_key("status") {
                self.dialect.webhook.settle_status(&mut webhook);
            }
            let webhook = canonical::ordered(webhook, canonical::WEBHOOK_FIELDS);
            match at.get(&(owner.clone(), id.clone())) {
                Some(&i) => {
                    // In the place of the one it replaces, where lists page over it.
                    state.webhooks[i].webhook = webhook.clone();
                    replaced.push((id.clone(), secret.is_none()));
                }
                None => {
                    state.place_left()?;
                    at.insert((owner.clone(), id.clone()), state.webhooks.len());
                    whose.insert(id.clone(), owner.clone());
                    state.push(owner, webhook.clone());
                }
            }
            if let Some(secret) = secret {
                state.secrets.push((id, secret));
            }
            out.push(webhook);
        }
        if !replaced.is_empty() {
            keep_newest_secrets(state, &replaced);
        }
        Ok(out)
    }

    /// The id a seeded webhook is stored under: the one given, or one minted besides the
    /// document's `reserved` ones. A given integer id moves the counter past it, so that later
    /// creates never reuse it.
    fn seeded_id(
        &self,
        state: &mut State,
        given: Option<Value>,
        reserved: &HashSet<String>,
    ) -> Result<String, Problem> {
        match given_id(given.as_ref()) {
            Some(id) => {
                count_past(state, &id);
                Ok(id)
            }
            None => self.mint_id(state, reserved),
        }
    }

    /// How many webhooks are stored.
    pub fn len(&self) -> usize {
        self.lock().webhooks.len()
    }

    /// Whether no webhook is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The id a seeded webhook gives itself (`given`, its `id`): text, or a number written as
/// text; `None` where it gives none and the store mints one.
pub fn given_id(given: Option<&Value>) -> Option<String> {
    match given {
        Some(Value::String(id)) if !id.is_empty() => Some(id.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// `webhook` as a seed would store it, for checking before anything is stored: defaults
/// applied, and a stand-in for the id and timestamps the store mints when they are absent.
pub fn as_seeded(dialect: &Dialect, webhook: &Map<String, Value>) -> Map<String, Value> {
    let mut filled = webhook.clone();
    filled.retain(|_, v| !v.is_null());
    apply_defaults(&dialect.webhook, &mut filled);
    let id = dialect.emulator.ids.first();
    filled.entry("id").or_insert(Value::from(id));
    super::first_version(dialect, &mut filled);
    for at in ["created_at", "updated_at"] {
        filled
            .entry(at)
            .or_insert(Value::from("2026-01-01T00:00:00Z"));
    }
    filled
}

/// A replaced webhook keeps only its newest secret, and none if its fixture has none
/// (`replaced`: each replaced id, and whether its fixture came without a secret).
fn keep_newest_secrets(state: &mut State, replaced: &[(String, bool)]) {
    let mut seen: std::collections::HashSet<String> = replaced
        .iter()
        .filter(|(_, without)| *without)
        .map(|(id, _)| id.clone())
        .collect();
    let secrets = std::mem::take(&mut state.secrets);
    let mut kept: Vec<(String, String)> = secrets
        .into_iter()
        .rev()
        .filter(|(id, _)| seen.insert(id.clone()))
        .collect();
    kept.reverse();
    state.secrets = kept;
}
