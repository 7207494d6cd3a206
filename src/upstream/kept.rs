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
//! upstream took, whichever API the change came through: one translated and planned, or one
//! relayed as its client wrote it, whose answer is read for it ([`Change`]). It replaces the one before on a rotation, is forgotten when the webhook is
//! deleted through the gateway or rotated without an answer that shows the new secret, and
//! is never written to a log (it is held as a [`Secret`], which prints `[redacted]`). It is
//! kept in the process's memory, at most [`LIMIT`] webhooks' to an upstream (the one kept
//! longest ago forgotten first, however often others were kept again or forgotten since): a
//! restart forgets every one, and replicas share none.

use crate::config::Secret;
use crate::mapping::model::Role;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// The most webhooks whose secrets one upstream keeps; the one kept longest ago is forgotten
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
    /// The webhooks in the order their secrets were kept, oldest first. An entry whose serial
    /// is no longer its webhook's is stale (the webhook was kept again since, or forgotten):
    /// it is passed over, and the stale ones are swept out before they outnumber the live
    /// ones, so that the order stays within twice the secrets kept.
    order: VecDeque<(String, u64)>,
    serial: u64,
}

/// A change relayed to an upstream that keeps secrets, as far as its request tells what it may
/// do to the webhook's secret: made only for a change (a create, an update or replacement, a
/// rotation, a delete), and only where the upstream keeps secrets at all, so that a read
/// relayed costs nothing more. Its answer tells the rest
/// ([`Upstream::relay`](super::Upstream::relay)).
#[derive(Debug)]
pub struct Change {
    /// The endpoint the change is made at, whose answer is read for the secret it shows.
    pub role: Role,
    /// The webhook's owner at the upstream, where it keeps owners.
    pub owner: Option<String>,
    /// The webhook's id, where the request names it (a create's is in its answer).
    pub id: Option<String>,
    /// The secret the request sets, where the dialect reads one there.
    pub chosen: Option<Secret>,
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

    /// Keeps `secret` as the webhook's, in place of any before it; beyond [`LIMIT`] webhooks,
    /// the one kept longest ago is forgotten.
    pub fn keep(&self, webhook: String, secret: &str) {
        let mut state = self.lock();
        state.serial += 1;
        let serial = state.serial;
        state
            .secrets
            .insert(webhook.clone(), (Secret::new(secret), serial));
        state.order.push_back((webhook, serial));
        state.drop_beyond_limit();
        state.sweep_stale();
    }

    /// The secret kept for the webhook, if any.
    pub fn get(&self, webhook: &str) -> Option<Secret> {
        self.lock().secrets.get(webhook).map(|(s, _)| s.clone())
    }

    /// Forgets the webhook's secret: it was deleted, or its secret changed to one not known.
    pub fn forget(&self, webhook: &str) {
        let mut state = self.lock();
        if state.secrets.remove(webhook).is_some() {
            state.sweep_stale();
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
    /// Whether an entry of the order is its webhook's latest keep, and the webhook still kept.
    fn live(&self, (key, serial): &(String, u64)) -> bool {
        self.secrets
            .get(key)
            .is_some_and(|(_, kept)| kept == serial)
    }

    /// Forgets the secrets kept longest ago beyond [`LIMIT`] webhooks: the order's first live
    /// entries, the stale ones before them passed over.
    fn drop_beyond_limit(&mut self) {
        while self.secrets.len() > LIMIT {
            let Some(entry) = self.order.pop_front() else {
                break;
            };
            if self.live(&entry) {
                self.secrets.remove(&entry.0);
            }
        }
    }

    /// Takes the stale entries out of the order once they outnumber the live ones (and a few
    /// more, so that a handful of webhooks does not sweep on every change): a sweep costs the
    /// order's length, and at least as many changes made it stale since the last, so each
    /// change pays for it a constant share.
    fn sweep_stale(&mut self) {
        while self.order.front().is_some_and(|e| !self.live(e)) {
            self.order.pop_front();
        }
        if self.order.len() <= 2 * self.secrets.len() + SWEEP_SLACK {
            return;
        }
        let mut order = std::mem::take(&mut self.order);
        order.retain(|entry| self.live(entry));
        self.order = order;
    }
}

/// The stale entries the order may hold beyond as many as the live ones before it is swept.
const SWEEP_SLACK: usize = 64;

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

    /// How many entries the order holds, stale ones included.
    fn order_len(kept: &KeptSecrets) -> usize {
        kept.lock().order.len()
    }

    #[test]
    fn the_limit_is_exactly_so_many_webhooks() {
        let kept = KeptSecrets::default();
        let hook = |n: usize| webhook_key(Some("owner"), &format!("hook-{n}"));
        for n in 0..LIMIT {
            kept.keep(hook(n), &format!("s{n}"));
        }
        // At the limit, none is forgotten.
        assert_eq!(kept.len(), LIMIT);
        assert!((0..LIMIT).all(|n| kept.get(&hook(n)).is_some()));
        // Kept again, a webhook is not one more: still none is forgotten.
        for _ in 0..3 * LIMIT {
            kept.keep(hook(LIMIT / 2), "again");
        }
        assert_eq!(kept.len(), LIMIT);
        assert!((0..LIMIT).all(|n| kept.get(&hook(n)).is_some()));
        // One more webhook: the one kept longest ago goes, and that one alone.
        kept.keep(hook(LIMIT), "last");
        assert_eq!(kept.len(), LIMIT);
        assert!(kept.get(&hook(0)).is_none());
        assert!((1..=LIMIT).all(|n| kept.get(&hook(n)).is_some()));
        // A forgotten one makes room: the next webhook takes it, and none other goes.
        kept.forget(&hook(7));
        kept.keep(hook(LIMIT + 1), "s");
        assert_eq!(kept.len(), LIMIT);
        assert!(kept.get(&hook(1)).is_some());
        assert!(kept.get(&hook(7)).is_none());
    }

    #[test]
    fn many_rotations_of_one_webhook_forget_no_other() {
        let kept = KeptSecrets::default();
        let (a, b) = (webhook_key(None, "a"), webhook_key(None, "b"));
        kept.keep(a.clone(), "secret-a");
        kept.keep(b.clone(), "secret-b-0");
        for n in 1..=2 * LIMIT + 5 {
            kept.keep(b.clone(), &format!("secret-b-{n}"));
        }
        assert_eq!(kept.get(&a).unwrap().expose(), "secret-a");
        let last = format!("secret-b-{}", 2 * LIMIT + 5);
        assert_eq!(kept.get(&b).unwrap().expose(), last);
        assert_eq!(kept.len(), 2);
        // The rotations left no trail: the order holds about as many as are kept.
        assert!(
            order_len(&kept) <= 2 * 2 + SWEEP_SLACK,
            "{}",
            order_len(&kept)
        );
        // Several webhooks rotated in turn, none of them first: all are kept.
        let hooks: Vec<String> = (0..5)
            .map(|n| webhook_key(Some("o"), &n.to_string()))
            .collect();
        for round in 0..LIMIT {
            for hook in &hooks {
                kept.keep(hook.clone(), &round.to_string());
            }
        }
        assert_eq!(kept.get(&a).unwrap().expose(), "secret-a");
        assert!(hooks.iter().all(|h| kept.get(h).is_some()));
        assert!(
            order_len(&kept) <= 2 * 7 + SWEEP_SLACK,
            "{}",
            order_len(&kept)
        );
    }

    #[test]
    fn many_deletes_leave_the_oldest_kept_and_no_trail() {
        let kept = KeptSecrets::default();
        let first = webhook_key(None, "first");
        kept.keep(first.clone(), "s");
        // Made and deleted behind one that stays: their entries cannot leave from the front.
        for n in 0..3 * LIMIT {
            let hook = webhook_key(None, &n.to_string());
            kept.keep(hook.clone(), "s");
            kept.forget(&hook);
        }
        assert_eq!(kept.len(), 1);
        assert!(kept.get(&first).is_some());
        assert!(order_len(&kept) <= 2 + SWEEP_SLACK, "{}", order_len(&kept));
        // Forgotten in the order they were kept, or the other way round, each goes alone.
        let hooks: Vec<String> = (0..LIMIT - 2)
            .map(|n| webhook_key(Some("x"), &n.to_string()))
            .collect();
        for hook in &hooks {
            kept.keep(hook.clone(), "s");
        }
        for hook in hooks.iter().rev().step_by(2) {
            kept.forget(hook);
        }
        assert_eq!(kept.len(), 1 + (LIMIT - 2) / 2);
        assert!(kept.get(&first).is_some());
        assert!(order_len(&kept) <= 2 * kept.len() + SWEEP_SLACK);
        for hook in hooks.iter().step_by(2) {
            kept.forget(hook);
        }
        assert_eq!(kept.len(), 1);
        assert!(kept.get(&first).is_some());
        assert!(order_len(&kept) <= 2 + SWEEP_SLACK, "{}", order_len(&kept));
        // The bound counts only the webhooks still kept: a full store after all of this drops
        // the first one only when one more comes.
        for n in 1..LIMIT {
            kept.keep(webhook_key(None, &format!("more-{n}")), "s");
        }
        assert_eq!(kept.len(), LIMIT);
        assert!(kept.get(&first).is_some());
        kept.keep(webhook_key(None, "one-more"), "s");
        assert!(kept.get(&first).is_none());
        assert_eq!(kept.len(), LIMIT);
    }
}
