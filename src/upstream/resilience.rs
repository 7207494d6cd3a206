//! Resilience towards one upstream: when to retry and how long to wait, a circuit breaker, and
//! a concurrency cap with a bounded wait for a slot. Failing fast (503 with `Retry-After`) when
//! the circuit is open or the wait is full protects both the vendor and the clients waiting on
//! it; letting a burst wait, within each call's deadline, keeps the connections to the vendor
//! (and the memory they hold) bounded without refusing what a moment's patience would serve.

use crate::problem::{Code, Problem};
use prometheus_client::metrics::gauge::Gauge;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

/// The retry and protection settings of an upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Deadline of one attempt.
    pub attempt_timeout: Duration,
    /// Deadline of the whole call, retries and waits included.
    pub deadline: Duration,
    /// Further attempts after the first, for calls that are safe to repeat.
    pub retries: u32,
    /// Backoff base; attempt n waits a random time in [0, base * 2^n) (full jitter).
    pub backoff_base: Duration,
    /// The longest backoff wait ([`Policy::BACKOFF_CAP_FACTOR`] times the base).
    pub backoff_cap: Duration,
    /// Consecutive failures that open the breaker.
    pub breaker_failures: u32,
    /// How long an open breaker refuses calls before letting one probe through.
    pub breaker_cooldown: Duration,
    /// Calls in flight at once (at least 1); more wait for a slot.
    pub max_concurrency: usize,
    /// Calls that may wait for a slot at once, each within its deadline; more are refused
    /// with 503 at once. 0: no call waits.
    pub max_pending: usize,
}

impl Default for Policy {
    /// The defaults of every upstream: `[upstreams.NAME]` keys left out take these.
    fn default() -> Self {
        Policy {
            // As Envoy's default `max_pending_requests`: a burst four times the cap waits.
            max_pending: 1024,
            ..Policy::from_settings(
                Duration::from_secs(10),
                None,
                2,
                Duration::from_millis(100),
                5,
                Duration::from_secs(10),
                256,
            )
        }
    }
}

impl Policy {
    /// A whole call's deadline, when none is set, in attempt timeouts.
    pub const DEADLINE_FACTOR: u32 = 2;
    /// The longest backoff wait, in backoff bases.
    pub const BACKOFF_CAP_FACTOR: u32 = 20;

    /// A policy from the settings an upstream's configuration gives: the deadline defaults to
    /// [`Self::DEADLINE_FACTOR`] attempts, the backoff cap follows the base, and a breaker or a
    /// cap of 0 is taken as 1. No call waits for a slot: set `max_pending` to let them.
    pub fn from_settings(
        attempt_timeout: Duration,
        deadline: Option<Duration>,
        retries: u32,
        backoff_base: Duration,
        breaker_failures: u32,
        breaker_cooldown: Duration,
        max_concurrency: usize,
    ) -> Policy {
        Policy {
            attempt_timeout,
            deadline: deadline.unwrap_or(attempt_timeout.saturating_mul(Self::DEADLINE_FACTOR)),
            retries,
            backoff_base,
            backoff_cap: backoff_base.saturating_mul(Self::BACKOFF_CAP_FACTOR),
            breaker_failures: breaker_failures.max(1),
            breaker_cooldown,
            max_concurrency: max_concurrency.max(1),
            max_pending: 0,
        }
    }

    /// The full-jitter wait before retry number `attempt` (1-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self
            .backoff_base
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.backoff_cap);
        ceiling.mul_f64(fastrand::f64())
    }
}

/// What the breaker remembers.
#[derive(Debug, Default)]
struct BreakerState {
    consecutive_failures: u32,
    open_until: Option<Instant>,
    /// While a probe is out: until when it may take. A probe whose call never reports must not
    /// keep the circuit open for good: once this passes another call may probe (and a probe
    /// dropped unreported gives it up at once, [`Probe`]).
    probe_until: Option<Instant>,
}

/// Guards one upstream: a circuit breaker and a concurrency cap.
#[derive(Debug)]
pub struct Guard {
    policy: Policy,
    breaker: Mutex<BreakerState>,
    slots: Semaphore,
    /// Calls waiting for a slot now.
    pending: AtomicUsize,
}

/// Whether an answer counts against the breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The vendor answered: the failure count starts again.
    Healthy,
    /// The call failed or the vendor answered a 5xx: one more consecutive failure.
    Failed,
}

impl Guard {
    /// A guard with a closed breaker and `policy`'s concurrency cap.
    pub fn new(policy: Policy) -> Guard {
        Guard {
            // The configuration holds the cap far below tokio's most; a policy made in code
            // is held to it too, rather than panic.
            slots: Semaphore::new(policy.max_concurrency.clamp(1, Semaphore::MAX_PERMITS)),
            policy,
            breaker: Mutex::default(),
            pending: AtomicUsize::new(0),
        }
    }

    /// The policy this guard holds calls to.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    fn state(&self) -> std::sync::MutexGuard<'_, BreakerState> {
        self.breaker.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Admits one call: at once when a slot is free, after waiting for one (until `until`, the
    /// call's deadline) when all are taken and fewer than `max_pending` calls wait, or refuses
    /// it with 503 and `Retry-After`: when the circuit is open, the wait is full, or the
    /// deadline passes first.
    pub async fn admit(&self, upstream: &str, until: Instant) -> Result<Admitted<'_>, Problem> {
        let permit = match self.slots.try_acquire() {
            Ok(permit) => permit,
            Err(_) => {
                // Refuse before waiting when waiting cannot help: an open circuit refuses
                // whatever frees a slot meanwhile.
                self.breaker_allows(upstream, false)?;
                self.wait_for_slot(upstream, until).await?
            }
        };
        // The breaker is asked with a slot in hand: it may hand this call the one probe.
        let probe = self
            .breaker_allows(upstream, true)?
            .map(|until| Probe { guard: self, until });
        Ok(Admitted { permit, probe })
    }

    /// Waits for a slot, as one of at most `max_pending` waiting calls, until `until`.
    async fn wait_for_slot(
        &self,
        upstream: &str,
        until: Instant,
    ) -> Result<SemaphorePermit<'_>, Problem> {
        let busy = || {
            unavailable(
                format!("upstream {upstream} has too many calls in flight"),
                1,
            )
        };
        let waiting = self.pending.fetch_add(1, Ordering::Relaxed);
        let _counted = Waiting(&self.pending);
        if waiting >= self.policy.max_pending {
            return Err(busy());
        }
        let _shown = Shown::new(crate::metrics::get().pending(upstream));
        match tokio::time::timeout_at(until, self.slots.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            // The semaphore is never closed; a closed one would be as busy as a full one.
            Ok(Err(_)) | Err(_) => Err(busy()),
        }
    }

    /// Whether the breaker lets a call through: not while the circuit is open; once its
    /// cooldown is over, one call (when `claim_probe`) to probe the vendor, until the instant
    /// returned.
    fn breaker_allows(
        &self,
        upstream: &str,
        claim_probe: bool,
    ) -> Result<Option<Instant>, Problem> {
        let mut state = self.state();
        if let Some(until) = state.open_until {
            let now = Instant::now();
            let probing = state.probe_until.is_some_and(|probe| now < probe);
            if now < until || probing {
                let wait = until.saturating_duration_since(now).as_secs().max(1);
                return Err(unavailable(
                    format!("upstream {upstream} is failing: the circuit is open"),
                    wait,
                ));
            }
            if claim_probe {
                // The cooldown is over: let this one call probe the vendor, for as long as one
                // attempt may take.
                let until = now + self.policy.attempt_timeout;
                state.probe_until = Some(until);
                return Ok(Some(until));
            }
        }
        Ok(None)
    }

    /// Records how a call went.
    pub fn record(&self, verdict: Verdict) {
        let mut state = self.state();
        match verdict {
            Verdict::Healthy => *state = BreakerState::default(),
            Verdict::Failed => {
                state.consecutive_failures += 1;
                state.probe_until = None;
                if state.consecutive_failures >= self.policy.breaker_failures
                    || state.open_until.is_some()
                {
                    state.open_until = Some(Instant::now() + self.policy.breaker_cooldown);
                }
            }
        }
    }
}

/// A call let through: its slot, and the probe when the call is the one that tests a vendor
/// behind an open circuit.
#[derive(Debug)]
pub struct Admitted<'a> {
    /// The call's slot among the upstream's `max_concurrency`.
    pub permit: SemaphorePermit<'a>,
    /// Held until the call's verdict is recorded.
    pub probe: Option<Probe<'a>>,
}

/// The one probe out while a circuit is open. Dropped before its call's verdict is recorded
/// (its client went away and the call with it), it gives the probe up, so that the next call
/// may probe at once rather than after one attempt's timeout.
#[derive(Debug)]
pub struct Probe<'a> {
    guard: &'a Guard,
    until: Instant,
}

impl Drop for Probe<'_> {
    fn drop(&mut self) {
        let mut state = self.guard.state();
        // Still this probe's: no verdict came, and no later probe took over.
        if state.probe_until == Some(self.until) {
            state.probe_until = None;
        }
    }
}

/// One call counted among those waiting for a slot, for as long as it waits.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One waiting call in `hookgate_upstream_pending_calls`, for as long as it waits.
struct Shown(Gauge);

impl Shown {
    fn new(gauge: Gauge) -> Shown {
        gauge.inc();
        Shown(gauge)
    }
}

impl Drop for Shown {
    fn drop(&mut self) {
        self.0.dec();
    }
}

fn unavailable(detail: String, retry_after_secs: u64) -> Problem {
    let mut p = Problem::new(Code::UpstreamUnavailable, detail);
    p.retry_after = Some(retry_after_secs.to_string());
    p
}

/// How long a `Retry-After` header asks to wait: delta-seconds or an HTTP date.
pub use crate::exchange::retry_after;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_jittered_below_an_exponential_ceiling() {
        let p = Policy {
            backoff_base: Duration::from_millis(100),
            backoff_cap: Duration::from_millis(350),
            ..Policy::default()
        };
        for attempt in 1..6 {
            let ceiling = Duration::from_millis((100u64 << attempt).min(350));
            assert!((0..50).map(|_| p.backoff(attempt)).all(|d| d <= ceiling));
        }
    }

    /// Polls `call` once: whether it is still waiting.
    fn pending<F: std::future::Future>(call: std::pin::Pin<&mut F>) -> bool {
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        call.poll(&mut cx).is_pending()
    }

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(1)
    }

    #[tokio::test]
    async fn the_breaker_opens_refuses_and_probes() {
        let g = Guard::new(Policy {
            breaker_failures: 2,
            breaker_cooldown: Duration::from_millis(30),
            ..Policy::default()
        });
        g.record(Verdict::Failed);
        assert!(g.admit("v", soon()).await.is_ok());
        g.record(Verdict::Failed);
        let refused = g.admit("v", soon()).await.unwrap_err();
        assert_eq!(refused.code, Code::UpstreamUnavailable);
        assert!(refused.retry_after.is_some());
        tokio::time::sleep(Duration::from_millis(40)).await;
        let probe = g.admit("v", soon()).await;
        assert!(probe.is_ok());
        assert!(g.admit("v", soon()).await.is_err(), "one probe at a time");
        drop(probe);
        g.record(Verdict::Healthy);
        assert!(g.admit("v", soon()).await.is_ok());
    }

    /// A guard whose circuit opened after one failure and whose cooldown (1 s) is over: the
    /// next call probes, for at most one attempt's 5 s. On a paused clock.
    async fn ready_to_probe() -> Guard {
        let g = Guard::new(Policy {
            breaker_failures: 1,
            breaker_cooldown: Duration::from_secs(1),
            attempt_timeout: Duration::from_secs(5),
            ..Policy::default()
        });
        g.record(Verdict::Failed);
        tokio::time::advance(Duration::from_secs(1)).await;
        g
    }

    #[tokio::test(start_paused = true)]
    async fn a_probe_that_never_reports_does_not_keep_the_circuit_open() {
        let g = ready_to_probe().await;
        // The probe is out and does not report.
        let _out = g.admit("v", soon()).await.unwrap();
        tokio::time::advance(Duration::from_secs(4)).await;
        assert!(
            g.admit("v", soon()).await.is_err(),
            "the probe may still be out"
        );
        tokio::time::advance(Duration::from_secs(1)).await;
        let next = g.admit("v", soon()).await;
        assert!(next.is_ok(), "its time is up: another probes");
        drop(_out);
        assert!(
            g.admit("v", soon()).await.is_err(),
            "the first probe's end gives up nothing of the second's"
        );
        drop(next);
    }

    #[tokio::test(start_paused = true)]
    async fn a_probe_dropped_unreported_lets_the_next_call_probe_at_once() {
        let g = ready_to_probe().await;
        let probe = g.admit("v", soon()).await.unwrap();
        assert!(probe.probe.is_some());
        assert!(g.admit("v", soon()).await.is_err(), "one probe at a time");
        // Its call is dropped before a verdict: its client went away.
        drop(probe);
        let next = g.admit("v", soon()).await.unwrap();
        assert!(next.probe.is_some(), "the next call probes at once");
    }

    #[tokio::test]
    async fn without_a_wait_the_cap_refuses_the_call_beyond_it() {
        let g = Guard::new(Policy {
            max_concurrency: 1,
            max_pending: 0,
            ..Policy::default()
        });
        let first = g.admit("v", soon()).await.unwrap();
        let refused = g.admit("v", soon()).await.unwrap_err();
        assert_eq!(refused.retry_after.as_deref(), Some("1"));
        assert!(refused.detail.contains("too many calls in flight"));
        drop(first);
        assert!(g.admit("v", soon()).await.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn calls_beyond_the_cap_wait_for_a_slot_as_many_as_the_wait_holds() {
        let g = Guard::new(Policy {
            max_concurrency: 1,
            max_pending: 2,
            ..Policy::default()
        });
        let first = g.admit("v", soon()).await.unwrap();
        let second = g.admit("v", soon());
        let third = g.admit("v", soon());
        tokio::pin!(second, third);
        // Both wait; a fourth finds the wait full and is refused at once.
        assert!(pending(second.as_mut()));
        assert!(pending(third.as_mut()));
        let fourth = g.admit("v", soon()).await.unwrap_err();
        assert_eq!(fourth.retry_after.as_deref(), Some("1"));
        // The slot passes to the first in line when it is freed, then to the next.
        drop(first);
        let second = second.await.unwrap();
        assert!(pending(third.as_mut()));
        drop(second);
        assert!(third.await.is_ok());
        assert_eq!(g.pending.load(Ordering::Relaxed), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_waits_no_longer_than_its_deadline() {
        let g = Guard::new(Policy {
            max_concurrency: 1,
            ..Policy::default()
        });
        let _held = g.admit("v", soon()).await.unwrap();
        let started = Instant::now();
        let late = g
            .admit("v", started + Duration::from_millis(250))
            .await
            .unwrap_err();
        assert_eq!(late.code, Code::UpstreamUnavailable);
        assert_eq!(started.elapsed(), Duration::from_millis(250));
        assert_eq!(g.pending.load(Ordering::Relaxed), 0, "it left the wait");
    }

    #[tokio::test(start_paused = true)]
    async fn an_open_circuit_refuses_at_once_even_when_every_slot_is_taken() {
        let g = Guard::new(Policy {
            max_concurrency: 1,
            breaker_failures: 1,
            ..Policy::default()
        });
        let _held = g.admit("v", soon()).await.unwrap();
        g.record(Verdict::Failed);
        let started = Instant::now();
        let refused = g.admit("v", soon()).await.unwrap_err();
        assert!(refused.detail.contains("circuit is open"));
        assert_eq!(started.elapsed(), Duration::ZERO);
    }

    #[test]
    fn reads_retry_after_in_both_forms() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(retry_after(Some(" 30"), now), Some(Duration::from_secs(30)));
        for (date, wait) in [
            ("Wed, 21 Oct 2015 07:28:30 GMT", 30),
            ("Wednesday, 21-Oct-15 07:29:00 GMT", 60),
            ("Wed Oct 21 07:28:05 2015", 5),
            ("Wed, 21 Oct 2015 07:00:00 GMT", 0),
        ] {
            assert_eq!(
                retry_after(Some(date), now),
                Some(Duration::from_secs(wait)),
                "{date}"
            );
        }
        for garbage in ["soon", "", "-1", "1.5", "Wed, 32 Oct 2015 07:28:00 GMT"] {
            assert_eq!(retry_after(Some(garbage), now), None, "{garbage:?}");
        }
    }
}
