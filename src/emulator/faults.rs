//! Faults an emulator injects on purpose, so that a test suite can exercise its retry and
//! error paths against the vendor's own envelopes: latency, failures at a rate per operation,
//! dropped connections, and a script of the next calls' outcomes. One value ([`Faults`]) is
//! written alike in the configuration, a fixtures file and the admin API; an [`Injector`] draws
//! each request's [`Decision`] from it.

use crate::model::Action;
use crate::problem::{Code, FieldError, Problem};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The longest latency that may be asked for: five minutes, past any client's timeout.
pub const MAX_LATENCY_MS: u64 = 300_000;
/// The longest `Retry-After` that may be asked for: a day.
pub const MAX_RETRY_AFTER: u64 = 86_400;
/// The most random rules, and the most scripted steps.
pub const MAX_RANDOM: usize = 100;
/// The most scripted steps.
pub const MAX_STEPS: usize = 1_000;

/// The faults of one emulator.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Faults {
    /// Added before every answer of the vendor's API.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub latency_ms: Option<Latency>,
    /// Failures at a rate: the first rule that matches a request's operation and draws a
    /// failure decides it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub random: Vec<Random>,
    /// The outcomes of the next calls, in order: a request takes the first step that matches
    /// its operation; once no step is left, requests are answered normally.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub script: Vec<Step>,
}

/// A latency: fixed, or drawn uniformly from a range (its low end first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Latency {
    /// Always this many milliseconds.
    Fixed(u64),
    /// A number of milliseconds drawn uniformly between the two ends.
    Range([u64; 2]),
}

impl Latency {
    fn bounds(self) -> (u64, u64) {
        match self {
            Latency::Fixed(ms) => (ms, ms),
            Latency::Range([a, b]) => (a.min(b), a.max(b)),
        }
    }

    fn draw(self, rng: &mut fastrand::Rng) -> u64 {
        let (low, high) = self.bounds();
        rng.u64(low..=high)
    }
}

/// What a latency is, as a refusal says it: the rule of [`check_latency`] too.
const LATENCY_RULE: &str = "a time in milliseconds (a whole number from 0 to 300000) or a range of two, low end first (`[20, 80]`)";

// Read by hand rather than as an untagged enum, whose refusal names neither what was found nor
// what is accepted.
impl<'de> Deserialize<'de> for Latency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LatencyVisitor)
    }
}

/// Reads a [`Latency`]: a whole number, or a list of two.
struct LatencyVisitor;

impl<'de> serde::de::Visitor<'de> for LatencyVisitor {
    type Value = Latency;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(LATENCY_RULE)
    }

    fn visit_u64<E: serde::de::Error>(self, ms: u64) -> Result<Latency, E> {
        Ok(Latency::Fixed(ms))
    }

    fn visit_i64<E: serde::de::Error>(self, ms: i64) -> Result<Latency, E> {
        u64::try_from(ms)
            .map(Latency::Fixed)
            .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(ms), &self))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Latency, A::Error> {
        let mut ends = Vec::with_capacity(2);
        while let Some(end) = seq.next_element::<Latency>()? {
            match end {
                Latency::Fixed(ms) if ends.len() < 2 => ends.push(ms),
                Latency::Fixed(_) => {
                    return Err(serde::de::Error::invalid_length(ends.len() + 1, &self));
                }
                Latency::Range(_) => {
                    return Err(serde::de::Error::invalid_type(
                        serde::de::Unexpected::Seq,
                        &"a number as each end of a range",
                    ));
                }
            }
        }
        match ends[..] {
            [low, high] => Ok(Latency::Range([low, high])),
            _ => Err(serde::de::Error::invalid_length(ends.len(), &self)),
        }
    }
}

/// Failures at a rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Random {
    /// The operations it applies to; every request of the vendor's API when absent.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub operations: Option<Vec<String>>,
    /// The share of matching requests that fail, 0 to 1.
    pub rate: f64,
    /// The status of the failure (503 when absent and not dropping).
    #[serde(
        default,
        deserialize_with = "present_status",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<u16>,
    /// `Retry-After` in seconds (1 for a 429 when absent).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub retry_after: Option<u64>,
    /// Close the connection instead of answering.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drop: bool,
}

/// One scripted outcome.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The operations whose calls may take this step; any when absent.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub operations: Option<Vec<String>>,
    /// Fail with this status; without it (and without `drop`) the call is answered normally.
    #[serde(
        default,
        deserialize_with = "present_status",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<u16>,
    /// `Retry-After` in seconds (1 for a 429 when absent).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub retry_after: Option<u64>,
    /// Close the connection instead of answering.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drop: bool,
    /// Latency of this call, added to the emulator's own.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub latency_ms: Option<Latency>,
}

impl Faults {
    /// Every problem of the faults, under `prefix` (`faults`, `upstreams.x.emulator.faults`).
    pub fn check(&self, prefix: &str) -> Vec<FieldError> {
        let mut errors = Vec::new();
        check_latency(
            &format!("{prefix}.latency_ms"),
            self.latency_ms,
            &mut errors,
        );
        if self.random.len() > MAX_RANDOM {
            errors.push(FieldError::new(
                format!("{prefix}.random"),
                "at most 100 rules",
            ));
        }
        if self.script.len() > MAX_STEPS {
            errors.push(FieldError::new(
                format!("{prefix}.script"),
                "at most 1000 steps",
            ));
        }
        for (i, r) in self.random.iter().enumerate() {
            let key = format!("{prefix}.random[{i}]");
            if !(0.0..=1.0).contains(&r.rate) {
                errors.push(FieldError::new(
                    format!("{key}.rate"),
                    "expected a share from 0 to 1",
                ));
            }
            Failure::of(&r.operations, r.status, r.retry_after, r.drop).check(&key, &mut errors);
        }
        for (i, s) in self.script.iter().enumerate() {
            let key = format!("{prefix}.script[{i}]");
            Failure::of(&s.operations, s.status, s.retry_after, s.drop).check(&key, &mut errors);
            check_latency(&format!("{key}.latency_ms"), s.latency_ms, &mut errors);
        }
        errors
    }
}

/// A latency within five minutes, a range written low end first: `[80, 20]` is more likely a
/// slip than a range meant, and is said rather than read either way.
fn check_latency(key: &str, latency: Option<Latency>, errors: &mut Vec<FieldError>) {
    if let Some(Latency::Range([low, high])) = latency
        && low > high
    {
        errors.push(FieldError::new(
            key,
            format!("`[{low}, {high}]`: a range is written low end first, as `[{high}, {low}]`"),
        ));
    }
    if latency.is_some_and(|l| l.bounds().1 > MAX_LATENCY_MS) {
        errors.push(FieldError::new(
            key,
            "must be at most 300000 (five minutes)",
        ));
    }
}

/// What a random rule and a scripted step have in common: which calls they apply to and how
/// those fail.
struct Failure<'a> {
    operations: &'a Option<Vec<String>>,
    status: Option<u16>,
    retry_after: Option<u64>,
    drop: bool,
}

impl<'a> Failure<'a> {
    fn of(
        operations: &'a Option<Vec<String>>,
        status: Option<u16>,
        retry_after: Option<u64>,
        drop: bool,
    ) -> Failure<'a> {
        Failure {
            operations,
            status,
            retry_after,
            drop,
        }
    }

    fn check(&self, key: &str, errors: &mut Vec<FieldError>) {
        let mut error = |field: String, message: &str| errors.push(FieldError::new(field, message));
        if let Some(ops) = self.operations {
            if ops.is_empty() {
                error(
                    format!("{key}.operations"),
                    "names no operation: leave it out for every operation",
                );
            }
            for (j, op) in ops.iter().enumerate() {
                if !Action::ALL.iter().any(|a| a.name() == op) {
                    error(
                        format!("{key}.operations[{j}]"),
                        "expected list, create, get, update, delete, test, rotate-secret, toggle, enable or disable",
                    );
                }
            }
        }
        if self.status.is_some_and(|s| !(400..=599).contains(&s)) {
            error(format!("{key}.status"), STATUSES);
        }
        if self.status.is_some() && self.drop {
            error(
                format!("{key}.drop"),
                "a dropped connection has no status: give one of status and drop",
            );
        }
        if self.retry_after.is_some_and(|r| r > MAX_RETRY_AFTER) {
            error(
                format!("{key}.retry_after"),
                "must be at most 86400 (a day)",
            );
        }
    }
}

/// An optional member that, when written, holds a value: `null` is refused rather than taken
/// for absent, as the description says.
pub(super) fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// What a failure's status may be.
const STATUSES: &str = "expected a status from 400 to 599";

/// A failure's status, which when written holds a value (as [`present`] reads it): a whole
/// number no status could be (past what 16 bits hold, or below 0) is told the statuses
/// taken, as one within them but outside 400 to 599 is when the faults are checked, rather
/// than the width of the number read.
fn present_status<'de, D>(d: D) -> Result<Option<u16>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Status;
    impl serde::de::Visitor<'_> for Status {
        type Value = u16;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a status from 400 to 599")
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<u16, E> {
            u16::try_from(v).map_err(|_| E::custom(format!("`{v}`: {STATUSES}")))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<u16, E> {
            u16::try_from(v).map_err(|_| E::custom(format!("`{v}`: {STATUSES}")))
        }
    }
    d.deserialize_u64(Status).map(Some)
}

/// Whether a rule's operations take a request of `operation`.
fn matches(operations: &Option<Vec<String>>, operation: &str) -> bool {
    operations
        .as_ref()
        .is_none_or(|ops| ops.iter().any(|o| o == operation))
}

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Answered normally.
    Pass,
    /// Answered with the vendor's error envelope for this status.
    Fail {
        /// The HTTP status answered.
        status: u16,
        /// The `Retry-After` sent, in seconds; none when absent.
        retry_after: Option<u64>,
    },
    /// The connection is closed without an answer.
    Drop,
}

/// One request's fate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Waited before the answer.
    pub latency: Duration,
    /// Then.
    pub effect: Effect,
    /// Which fault decided: `script` or `random` (`None`: no fault but latency).
    pub by: Option<&'static str>,
}

/// The faults in force and the generator their draws come from.
pub struct Injector {
    faults: Faults,
    rng: fastrand::Rng,
    seed: Option<u64>,
}

impl Injector {
    /// Faults drawn from a generator seeded with `seed` (the emulator's), else at random.
    pub fn new(faults: Faults, seed: Option<u64>) -> Injector {
        Injector {
            faults,
            rng: rng(seed),
            seed,
        }
    }

    /// The faults in force (script steps already taken are gone).
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Puts `faults` in force, the generator back where it started.
    pub fn set(&mut self, faults: Faults) {
        self.faults = faults;
        self.rng = rng(self.seed);
    }

    /// Decides the fate of a request of `operation` (`none`: no route of the vendor's).
    pub fn decide(&mut self, operation: &str) -> Decision {
        let mut latency = self.faults.latency_ms.map_or(0, |l| l.draw(&mut self.rng));
        let fail = |status: Option<u16>, retry_after: Option<u64>, drop: bool, default: bool| match (
            drop, status,
        ) {
            (true, _) => Effect::Drop,
            (false, Some(status)) => Effect::Fail {
                status,
                retry_after,
            },
            (false, None) if default => Effect::Fail {
                status: 503,
                retry_after,
            },
            (false, None) => Effect::Pass,
        };
        let step = self
            .faults
            .script
            .iter()
            .position(|s| matches(&s.operations, operation));
        let (effect, by) = if let Some(i) = step {
            let step = self.faults.script.remove(i);
            latency += step.latency_ms.map_or(0, |l| l.draw(&mut self.rng));
            (
                fail(step.status, step.retry_after, step.drop, false),
                Some("script"),
            )
        } else {
            let mut decided = (Effect::Pass, None);
            for r in &self.faults.random {
                if matches(&r.operations, operation) && self.rng.f64() < r.rate {
                    decided = (fail(r.status, r.retry_after, r.drop, true), Some("random"));
                    break;
                }
            }
            decided
        };
        Decision {
            latency: Duration::from_millis(latency),
            effect,
            by,
        }
    }
}

fn rng(seed: Option<u64>) -> fastrand::Rng {
    // Offset from the store's seed, so that fault draws and ids are independent sequences.
    seed.map_or_else(fastrand::Rng::new, |s| {
        fastrand::Rng::with_seed(s ^ 0x6661_756c_7473)
    })
}

/// The problem an injected failure of `status` stands for: its canonical code picks the
/// dialect's error template, its reason phrase is the message.
pub fn problem(status: u16, retry_after: Option<u64>) -> Problem {
    let code = match status {
        429 => Code::RateLimited,
        500 => Code::Internal,
        501 => Code::UnsupportedOperation,
        502 => Code::UpstreamError,
        503 => Code::UpstreamUnavailable,
        504 => Code::UpstreamTimeout,
        s if s >= 500 => Code::Internal,
        s => Code::from_upstream_status(s),
    };
    let reason = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    let mut p = Problem::new(code, reason);
    p.retry_after = retry_after
        .or((status == 429).then_some(1))
        .map(|s| s.to_string());
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(status: Option<u16>) -> Step {
        Step {
            status,
            ..Step::default()
        }
    }

    #[test]
    fn a_script_is_taken_in_order_by_matching_calls_then_calls_pass() {
        let mut i = Injector::new(
            Faults {
                script: vec![
                    Step {
                        operations: Some(vec!["create".into()]),
                        drop: true,
                        ..Step::default()
                    },
                    step(Some(503)),
                    step(None),
                    step(Some(429)),
                ],
                ..Faults::default()
            },
            Some(1),
        );
        let effects: Vec<Effect> = ["list", "create", "list", "get", "get"]
            .iter()
            .map(|op| i.decide(op).effect)
            .collect();
        assert_eq!(
            effects,
            [
                Effect::Fail {
                    status: 503,
                    retry_after: None
                },
                Effect::Drop,
                Effect::Pass,
                Effect::Fail {
                    status: 429,
                    retry_after: None
                },
                Effect::Pass,
            ]
        );
        assert!(i.faults().script.is_empty());
        assert_eq!(i.decide("get").by, None);
    }

    #[test]
    fn random_failures_follow_the_seed_and_the_rate() {
        let faults = Faults {
            latency_ms: Some(Latency::Range([20, 10])),
            random: vec![Random {
                operations: Some(vec!["create".into()]),
                rate: 0.5,
                status: None,
                retry_after: None,
                drop: false,
            }],
            ..Faults::default()
        };
        let draw = |seed| {
            let mut i = Injector::new(faults.clone(), Some(seed));
            (0..64).map(|_| i.decide("create")).collect::<Vec<_>>()
        };
        let a = draw(7);
        assert_eq!(a, draw(7), "the same seed, the same fates");
        let failed = a.iter().filter(|d| d.effect != Effect::Pass).count();
        assert!(
            (10..=54).contains(&failed),
            "{failed} of 64 at a rate of 0.5"
        );
        assert!(a.iter().all(|d| (10..=20).contains(&d.latency.as_millis())));
        let mut i = Injector::new(faults, Some(7));
        assert!((0..64).all(|_| i.decide("list").effect == Effect::Pass));
    }

    #[test]
    fn checks_name_every_problem() {
        let faults = Faults {
            latency_ms: Some(Latency::Fixed(MAX_LATENCY_MS + 1)),
            random: vec![Random {
                operations: Some(vec!["explode".into()]),
                rate: 1.5,
                status: Some(302),
                retry_after: None,
                drop: true,
            }],
            script: vec![Step {
                operations: Some(vec![]),
                ..Step::default()
            }],
        };
        let fields: Vec<String> = faults
            .check("faults")
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "faults.latency_ms",
                "faults.random[0].rate",
                "faults.random[0].operations[0]",
                "faults.random[0].status",
                "faults.random[0].drop",
                "faults.script[0].operations",
            ]
        );
    }

    #[test]
    fn a_429_asks_to_retry_after_a_second_unless_told() {
        assert_eq!(problem(429, None).retry_after.as_deref(), Some("1"));
        assert_eq!(problem(429, Some(0)).retry_after.as_deref(), Some("0"));
        assert_eq!(problem(503, None).retry_after, None);
        assert_eq!(problem(503, None).code, Code::UpstreamUnavailable);
        assert_eq!(problem(500, None).code, Code::Internal);
        assert_eq!(problem(500, None).detail, "Internal Server Error");
    }
}
