//! The in-memory webhook store behind an emulated vendor.
//!
//! It keeps canonical webhooks per owner and applies what the vendor applies on its side:
//! defaults for absent fields, minted ids and secrets, timestamps, one-per-owner values and
//! caps, all as the dialect's mapping file declares them. Request validation happens before,
//! in the vendor surface, exactly as for a real vendor.

use crate::mapping::Dialect;
use crate::mapping::model::{IdStyle, SecretMint};
use crate::mapping::rules::{ObjectMap, Target};
use crate::model::{self as canonical, Action, Done, Operation, Outcome, UpdateMode};
use crate::problem::{Code, FieldError, Problem};
use crate::url_policy::UrlPolicy;
use base64::Engine;
use serde_json::{Map, Value};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

#[derive(Default)]
struct State {
    /// (owner, webhook), in creation order.
    webhooks: Vec<(Option<String>, Map<String, Value>)>,
    /// Signing secrets by webhook id; kept, never shown again.
    secrets: Vec<(String, String)>,
    next_id: u64,
}

/// The webhooks of one emulated vendor.
pub struct Store {
    dialect: Arc<Dialect>,
    state: Mutex<State>,
    /// Enforced only when configured: an emulator stands for the vendor, whose rules are its own.
    url_policy: Option<Arc<UrlPolicy>>,
}

impl Store {
    /// An empty store.
    pub fn new(dialect: Arc<Dialect>) -> Store {
        Store {
            dialect,
            state: Mutex::new(State {
                next_id: 1,
                ..State::default()
            }),
            url_policy: None,
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
    pub fn execute(&self, op: Operation) -> Result<Done, Problem> {
        if let (Some(policy), Some(body)) = (&self.url_policy, &op.body)
            && matches!(op.action, Action::Create | Action::Update)
        {
            policy
                .check_webhook(body)
                .map_err(|r| Problem::validation(vec![r.field_error()]))?;
        }
        let mut state = self.lock();
        let outcome = match op.action {
            Action::List => self.list(&state, &op),
            Action::Get => {
                let mut webhook = self.find(&state, &op)?.1.clone();
                if op.reveal_secret {
                    let id = op.id.as_deref().unwrap_or_default();
                    let secret = state.secrets.iter().find(|(k, _)| k == id).map(|(_, s)| s);
                    match secret {
                        Some(s) => {
                            webhook.insert("secret".into(), Value::from(s.as_str()));
                        }
                        None => {
                            return Err(Problem::not_found(format!("webhook {id} has no secret")));
                        }
                    }
                }
                Outcome::Webhook(webhook)
            }
            Action::Create => self.create(&mut state, &op, None)?,
            Action::Update if op.upsert && self.find(&state, &op).is_err() => {
                let id = op.id.clone();
                match self.create(&mut state, &op, id)? {
                    Outcome::Created(w) => Outcome::Created(w),
                    other => other,
                }
            }
            Action::Update => self.update(&mut state, &op, op.body.clone().unwrap_or_default())?,
            Action::Delete => {
                let index = self.find(&state, &op)?.0;
                let (_, removed) = state.webhooks.remove(index);
                let id = removed
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                state.secrets.retain(|(k, _)| *k != id);
                Outcome::Deleted
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
                self.update(&mut state, &toggle, patch)?
            }
            Action::Test => {
                let (_, webhook) = self.find(&state, &op)?;
                Outcome::TestResult(self.test_result(webhook))
            }
            Action::RotateSecret => {
                let (index, webhook) = self.find(&state, &op)?;
                let id = webhook
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                let secret = mint_secret(self.dialect.emulator.mints_secret.as_ref());
                state.secrets.retain(|(k, _)| *k != id);
                state.secrets.push((id, secret.clone()));
                let mut shown = state.webhooks[index].1.clone();
                shown.insert("secret".into(), Value::from(secret));
                Outcome::Webhook(canonical::ordered(shown, canonical::WEBHOOK_FIELDS))
            }
        };
        Ok(outcome.into())
    }

    fn list(&self, state: &State, op: &Operation) -> Outcome {
        let all: Vec<_> = state
            .webhooks
            .iter()
            .filter(|(owner, _)| *owner == op.owner)
            .map(|(_, w)| w.clone())
            .collect();
        let start: usize = op
            .query
            .cursor
            .as_deref()
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let limit = op.query.limit.map(|l| l as usize).unwrap_or(usize::MAX);
        let end = start.saturating_add(limit).min(all.len());
        let items = all
            .get(start.min(all.len())..end)
            .unwrap_or_default()
            .to_vec();
        let next_cursor = (end < all.len()).then(|| end.to_string());
        Outcome::List { items, next_cursor }
    }

    fn find<'s>(
        &self,
        state: &'s State,
        op: &Operation,
    ) -> Result<(usize, &'s Map<String, Value>), Problem> {
        let id = op.id.as_deref().unwrap_or_default();
        // By its id, else by a field the vendor also takes in its place (a client's `uid`).
        let named = |w: &Map<String, Value>| {
            w.get("id").and_then(Value::as_str) == Some(id)
                || self.dialect.emulator.also_found_by.iter().any(|field| {
                    let value = match field.strip_prefix("extensions.") {
                        Some(ext) => w.get("extensions").and_then(|e| e.get(ext)),
                        None => w.get(field.as_str()),
                    };
                    value.and_then(Value::as_str) == Some(id)
                })
        };
        state
            .webhooks
            .iter()
            .enumerate()
            .find(|(_, (owner, w))| *owner == op.owner && named(w))
            .map(|(i, (_, w))| (i, w))
            .ok_or_else(|| Problem::not_found(format!("no webhook {id}")))
    }

    /// Creates a webhook; `given_id` is the id a client's PUT named (an upsert).
    fn create(
        &self,
        state: &mut State,
        op: &Operation,
        given_id: Option<String>,
    ) -> Result<Outcome, Problem> {
        let mut webhook = op.body.clone().unwrap_or_default();
        webhook.retain(|_, v| !v.is_null());
        apply_defaults(&self.dialect.webhook, &mut webhook);
        for resource in &self.dialect.resources {
            apply_defaults(&resource.fields, &mut webhook);
        }
        if let Some(max) = self.dialect.emulator.max_webhooks {
            let count = state
                .webhooks
                .iter()
                .filter(|(o, _)| *o == op.owner)
                .count();
            if count >= max {
                return Err(Problem::new(
                    Code::Conflict,
                    format!("at most {max} webhooks are allowed"),
                ));
            }
        }
        self.check_unique(state, op, &webhook, None)?;
        let id = match (given_id, &self.dialect.emulator.ids) {
            (Some(id), _) => id,
            (None, IdStyle::Uuid) => uuid::Uuid::new_v4().to_string(),
            (None, IdStyle::Integer) => state.next_id.to_string(),
            (None, IdStyle::Prefixed(prefix)) => {
                format!("{prefix}{}", uuid::Uuid::new_v4().simple())
            }
        };
        state.next_id += 1;
        let now = self.now();
        let secret = match (
            webhook.shift_remove("secret"),
            &self.dialect.emulator.mints_secret,
        ) {
            (Some(Value::String(s)), _) => Some((s, false)),
            (_, Some(mint)) => Some((mint_secret(Some(mint)), true)),
            _ => None,
        };
        webhook.insert("id".into(), Value::from(id.clone()));
        webhook.insert(
            "owner".into(),
            op.owner.clone().map(Value::from).unwrap_or(Value::Null),
        );
        webhook.insert("created_at".into(), Value::from(now.clone()));
        webhook.insert("updated_at".into(), Value::from(now));
        if !self.dialect.emulator.extensions.is_empty() {
            let ext = webhook
                .entry("extensions")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(ext) = ext {
                for (k, v) in &self.dialect.emulator.extensions {
                    ext.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        }
        webhook.shift_remove("status");
        canonical::derive_status(&mut webhook);
        let webhook = canonical::ordered(webhook, canonical::WEBHOOK_FIELDS);
        state.webhooks.push((op.owner.clone(), webhook.clone()));
        let mut shown = webhook;
        if let Some((secret, minted)) = secret {
            state.secrets.push((id, secret.clone()));
            if minted {
                shown.insert("secret".into(), Value::from(secret));
            }
        }
        Ok(Outcome::Created(shown))
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
        if let Some(Value::String(secret)) = patch.shift_remove("secret") {
            state.secrets.retain(|(k, _)| *k != id);
            state.secrets.push((id.clone(), secret));
        }
        let mut merged = canonical::apply_update(&current, &patch, op.mode);
        self.check_unique(state, op, &merged, Some(&id))?;
        merged.insert("updated_at".into(), Value::from(self.now()));
        merged.shift_remove("status");
        canonical::derive_status(&mut merged);
        let merged = canonical::ordered(merged, canonical::WEBHOOK_FIELDS);
        state.webhooks[index].1 = merged.clone();
        Ok(Outcome::Webhook(merged))
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
            let taken = state.webhooks.iter().any(|(owner, other)| {
                *owner == op.owner
                    && other.get("id").and_then(Value::as_str) != except
                    && rule.target.get(other) == Some(value)
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
    fn test_result(&self, webhook: &Map<String, Value>) -> Map<String, Value> {
        let mut result = Map::new();
        // The test event is of the webhook's first event type, sent now.
        if let Some(event) = webhook
            .get("events")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
        {
            result.insert("event_type".into(), event.clone());
        }
        result.insert("sent_at".into(), Value::from(self.now()));
        result.insert("delivered".into(), Value::Bool(true));
        result.insert("response_status".into(), Value::from(200));
        result.insert("response_time_ms".into(), Value::from(0));
        result.insert(
            "event_id".into(),
            Value::from(format!("evt_{}", uuid::Uuid::new_v4().simple())),
        );
        apply_defaults(&self.dialect.test_result, &mut result);
        canonical::ordered(result, canonical::TEST_RESULT_FIELDS)
    }

    fn now(&self) -> String {
        let now = SystemTime::now();
        if self.dialect.emulator.micros {
            // RFC 3339 with six fractional digits, as Laravel prints it.
            humantime::format_rfc3339_micros(now).to_string()
        } else {
            humantime::format_rfc3339_seconds(now).to_string()
        }
    }
}

/// Fills absent fields and extensions with the vendor's declared defaults (dialect values,
/// decoded).
fn apply_defaults(map: &ObjectMap, object: &mut Map<String, Value>) {
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

/// A fresh signing secret: random bytes, base64, after the vendor's prefix.
fn mint_secret(mint: Option<&SecretMint>) -> String {
    let (prefix, len) = mint.map_or(("", 32), |m| (m.prefix.as_str(), m.bytes));
    let bytes: Vec<u8> = (0..len).map(|_| fastrand::u8(..)).collect();
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}
