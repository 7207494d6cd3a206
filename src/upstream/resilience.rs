//! Resilience towards one upstream: when to retry and how long to wait, a circuit breaker, and
//! a concurrency cap. Failing fast (503 with `Retry-After`) protects both the vendor and the
//! clients waiting on it.

use crate::problem::{Code, Problem};
use std::sync::Mutex;
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
    /// Calls in flight at once; more are refused with 503 (at least 1).
    pub max_concurrency: usize,
}

impl Default for Policy {
    /// The defaults of every upstream: `[upstreams.NAME]` keys left out take these.
    fn default() -> Self {
        Policy::from_settings(
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

impl Policy {
    /// A whole call's deadline, when none is set, in attempt timeouts.
    pub const DEADLINE_FACTOR: u32 = 2;
    /// The longest backoff wait, in backoff bases.
    pub const BACKOFF_CAP_FACTOR: u32 = 20;

    /// A policy from the settings an upstream's configuration gives: the deadline defaults to
    /// [`Self::DEADLINE_FACTOR`] attempts, the backoff cap follows the base, and a breaker or a
    /// cap of 0 is taken as 1.
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
    probing: bool,
}

/// Guards one upstream: a circuit breaker and a concurrency cap.
#[derive(Debug)]
pub struct Guard {
    policy: Policy,
    breaker: Mutex<BreakerState>,
    slots: Semaphore,
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
            slots: Semaphore::new(policy.max_concurrency.max(1)),
            policy,
            breaker: Mutex::default(),
        }
    }

    /// The policy this guard holds calls to.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    fn state(&self) -> std::sync::MutexGuard<'_, BreakerState> {
        self.breaker.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Admits one call, or refuses it at once with 503 and `Retry-After`.
    pub fn admit(&self, upstream: &str) -> Result<SemaphorePermit<'_>, Problem> {
        {
            let mut state = self.state();
            if let Some(until) = state.open_until {
                let now = Instant::now();
                if now < until || state.probing {
                    let wait = until.saturating_duration_since(now).as_secs().max(1);
                    return Err(unavailable(
                        format!("upstream {upstream} is failing: the circuit is open"),
                        wait,
                    ));
                }
                // The cooldown is over: let this one call probe the vendor.
                state.probing = true;
            }
        }
        self.slots.try_acquire().map_err(|_| {
            unavailable(
                format!("upstream {upstream} has too many calls in flight"),
                1,
            )
        })
    }

    /// Records how a call went.
    pub fn record(&self, verdict: Verdict) {
        let mut state = self.state();
        match verdict {
            Verdict::Healthy => *state = BreakerState::default(),
            Verdict::Failed => {
                state.consecutive_failures += 1;
                state.probing = false;
                if state.consecutive_failures >= self.policy.breaker_failures
                    || state.open_until.is_some()
                {
                    state.open_until = Some(Instant::now() + self.policy.breaker_cooldown);
                }
            }
        }
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

    #[test]
    fn the_breaker_opens_refuses_and_probes() {
        let g = Guard::new(Policy {
            breaker_failures: 2,
            breaker_cooldown: Duration::from_millis(30),
            ..Policy::default()
        });
        g.record(Verdict::Failed);
        assert!(g.admit("v").is_ok());
        g.record(Verdict::Failed);
        let refused = g.admit("v").unwrap_err();
        assert_eq!(refused.code, Code::UpstreamUnavailable);
        assert!(refused.retry_after.is_some());
        std::thread::sleep(Duration::from_millis(40));
        let probe = g.admit("v");
        assert!(probe.is_ok());
        assert!(g.admit("v").is_err(), "one probe at a time");
        drop(probe);
        g.record(Verdict::Healthy);
        assert!(g.admit("v").is_ok());
    }

    #[test]
    fn the_cap_refuses_the_call_beyond_it() {
        let g = Guard::new(Policy {
            max_concurrency: 1,
            ..Policy::default()
        });
        let first = g.admit("v").unwrap();
        assert_eq!(g.admit("v").unwrap_err().retry_after.as_deref(), Some("1"));
        drop(first);
        assert!(g.admit("v").is_ok());
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
