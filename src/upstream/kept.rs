//! The signing secrets an upstream showed once, kept for the webhooks they were made for.
//!
//! A vendor that shows a webhook's secret only in the answer that made it (a create's, a
//! rotation's) leaves a client of another vendor's API, which reads the secret at a place of
//! its own later (a `GET …/secret`), without the key its deliveries are signed with: its SDK
//! copies only the members it knows from the create's answer, and its rotation answers no
//! secret at all. So the gateway keeps what such an upstream showed, per webhook (its owner
//! and id), and the plan answers that read from it.
//!
//! What is kept is the secret the upstream answered, or the one the client chose and the
//! upstream took; it replaces the one before on a rotation, is forgotten when the webhook is
//! deleted through the gateway or rotated without an answer that shows the new secret, and
//! is never written to a log (it is held as a [`Secret`], which prints `[redacted]`). It is
//! kept in the process's memory, at most [`LIMIT`] webhooks' to an upstream (the one kept
//! longest ago dropped first): a restart forgets every one, and replicas share none.

use crate::config::Secret;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// The most webhooks whose secrets one upstream keeps; the one kept longest ago is dropped
/// first. A secret and its key are about a hundred bytes: memory stays in the megabytes.
pub const LIMIT: usize = 10_000;

/// The secrets of one upstream's webhooks, shared by every request that reaches it and by the
/// upstream of the same vendor a reload puts in its place.
#[derive(Debug, Default)]
pub struct KeptSecrets {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Each webhook's secret, and the serial it was kept under.
    secrets: HashMap<String, (Secret, u64)>,
    /// The webhooks in the order their secrets were kept (an entry whose serial is no longer
    /// its webhook's is stale).
    order: VecDeque<(String, u64)>,
    serial: u64,
}

/// The key of a webhook: its owner and id, in small letters, as
/// [`crate::model::Operation::webhook_key`] writes it (a vendor reads a UUID in any case).
pub fn webhook_key(owner: Option<&str>, id: &str) -> String {
    let mut key = format!("{}\n{id}", owner.unwrap_or(""));
    key.make_ascii_lowercase();
    key
}

impl KeptSecrets {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps `secret` as the webhook's, in place of any before it.
    pub fn keep(&self, webhook: String, secret: &str) {
        let mut state = self.lock();
        state.serial += 1;
        let serial = state.serial;
        state
            .secrets
            .insert(webhook.clone(), (Secret::new(secret), serial));
        state.order.push_back((webhook, serial));
        state.drop_beyond_limit();
    }

    /// The secret kept for the webhook, if any.
    pub fn get(&self, webhook: &str) -> Option<Secret> {
        self.lock().secrets.get(webhook).map(|(s, _)| s.clone())
    }

    /// Forgets the webhook's secret: it was deleted, or its secret changed to one not known.
    pub fn forget(&self, webhook: &str) {
        let mut state = self.lock();
        let State { secrets, order, .. } = &mut *state;
        secrets.remove(webhook);
        // Stale entries of the order go as they reach its front; one behind is harmless.
        let stale =
            |(key, serial): &(String, u64)| secrets.get(key).is_none_or(|(_, kept)| kept != serial);
        while order.front().is_some_and(stale) {
            order.pop_front();
        }
    }

    /// How many webhooks' secrets are kept.
    pub fn len(&self) -> usize {
        self.lock().secrets.len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl State {
    /// Drops the secrets kept longest ago beyond [`LIMIT`], and stale entries of the order.
    fn drop_beyond_limit(&mut self) {
        while self.secrets.len() > LIMIT || self.order.len() > 2 * LIMIT {
            let Some((key, serial)) = self.order.pop_front() else {
                break;
            };
            if self.secrets.get(&key).is_some_and(|(_, s)| *s == serial) {
                self.secrets.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_replaced_forgotten_and_never_printed() {
        let kept = KeptSecrets::default();
        let hook = webhook_key(None, "AB-1");
        assert_eq!(hook, webhook_key(None, "ab-1"));
        kept.keep(hook.clone(), "whsec_one");
        kept.keep(hook.clone(), "whsec_two");
        assert_eq!(kept.get(&hook).unwrap().expose(), "whsec_two");
        assert!(!format!("{kept:?}").contains("whsec_"));
        kept.forget(&hook);
        assert!(kept.get(&hook).is_none() && kept.is_empty());
        // Owners keep webhooks of one id apart.
        kept.keep(webhook_key(Some("a"), "1"), "s");
        assert!(kept.get(&webhook_key(Some("b"), "1")).is_none());
    }

    #[test]
    fn the_secret_kept_longest_ago_is_dropped_beyond_the_limit() {
        let kept = KeptSecrets::default();
        for n in 0..=LIMIT {
            kept.keep(webhook_key(None, &n.to_string()), "s");
        }
        assert_eq!(kept.len(), LIMIT);
        assert!(kept.get(&webhook_key(None, "0")).is_none());
        assert!(kept.get(&webhook_key(None, &LIMIT.to_string())).is_some());
        // A webhook kept again moves to the back: the next dropped is the one after it.
        kept.keep(webhook_key(None, "1"), "again");
        kept.keep(webhook_key(None, "new"), "s");
        assert!(kept.get(&webhook_key(None, "1")).is_some());
        assert!(kept.get(&webhook_key(None, "2")).is_none());
    }
}
