//! One composed write at a time per webhook. An update the vendor can only take whole is a
//! read, a merge and a write: two such updates of one webhook that overlap would both read it
//! as it was, and the later write would put back what the earlier one changed. Through one
//! gateway they take turns instead: the second reads what the first wrote.
//!
//! Writers elsewhere (another replica, the vendor's own console) are not held to this; the
//! vendor would need a conditional write (`If-Match`), which the mapping language does not
//! express. A webhook's turn is held from its read to its write, and forgotten once no call
//! holds or waits for it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OwnedMutexGuard;

/// The webhooks some call is writing, each with its queue.
#[derive(Debug, Default)]
pub struct Turns {
    held: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// A call's turn at one webhook, given up when dropped.
#[derive(Debug)]
pub struct Turn<'a> {
    turns: &'a Turns,
    key: String,
    guard: Option<OwnedMutexGuard<()>>,
}

impl Turns {
    /// Waits for the turn at the webhook `key` names (its owner and id), first come first
    /// served.
    pub async fn take(&self, key: String) -> Turn<'_> {
        let queue = {
            let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
            held.entry(key.clone()).or_default().clone()
        };
        let guard = queue.lock_owned().await;
        Turn {
            turns: self,
            key,
            guard: Some(guard),
        }
    }

    /// How many webhooks are held or waited for.
    pub fn len(&self) -> usize {
        self.held.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Whether no webhook is held or waited for.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        drop(self.guard.take());
        let mut held = self.turns.held.lock().unwrap_or_else(|p| p.into_inner());
        // Only the map holds the queue now: no call holds the turn or waits for it.
        if held
            .get(&self.key)
            .is_some_and(|queue| Arc::strong_count(queue) == 1)
        {
            held.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn a_webhook_is_written_by_one_call_at_a_time_and_then_forgotten() {
        let turns = Arc::new(Turns::default());
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut calls = Vec::new();
        for (n, key, ms) in [(1, "a", 100), (2, "a", 100), (3, "b", 150)] {
            let (turns, order) = (turns.clone(), order.clone());
            calls.push(tokio::spawn(async move {
                let _turn = turns.take(key.to_owned()).await;
                order.lock().unwrap().push(format!("{n} in"));
                tokio::time::sleep(Duration::from_millis(ms)).await;
                order.lock().unwrap().push(format!("{n} out"));
            }));
            tokio::task::yield_now().await;
        }
        for call in calls {
            call.await.unwrap();
        }
        let order = order.lock().unwrap().clone();
        // Another webhook does not wait; the same one does.
        assert_eq!(order, ["1 in", "3 in", "1 out", "2 in", "3 out", "2 out"]);
        assert!(turns.is_empty(), "a turn no call holds is forgotten");
    }

    #[tokio::test]
    async fn a_turn_dropped_while_waiting_is_forgotten_too() {
        let turns = Turns::default();
        let held = turns.take("a".into()).await;
        {
            let waiting = turns.take("a".into());
            tokio::pin!(waiting);
            assert!(futures_poll_once(waiting.as_mut()).await.is_none());
        }
        assert_eq!(turns.len(), 1);
        drop(held);
        assert!(turns.is_empty());
    }

    /// Polls a future once: its output if it was ready.
    async fn futures_poll_once<F: std::future::Future + Unpin>(f: F) -> Option<F::Output> {
        let mut f = f;
        std::future::poll_fn(|cx| {
            std::task::Poll::Ready(match std::pin::Pin::new(&mut f).poll(cx) {
                std::task::Poll::Ready(out) => Some(out),
                std::task::Poll::Pending => None,
            })
        })
        .await
    }
}
