//! An emulator's settings: `[upstreams.NAME.emulator]` as written ([`RawEmulator`]) and as
//! checked ([`Settings`]); `hookgate emulate`'s flags fill the same raw form. The
//! configuration reads these; nothing here reads the configuration.

use super::faults::Faults;
use super::journal;
use crate::problem::FieldError;
use crate::store::{Clock, Determinism};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// `[upstreams.NAME.emulator]`: what a test suite sets of an emulator (and, from flags, of
/// `hookgate emulate`'s).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEmulator {
    /// Seeds the ids, secrets and fault draws the emulator makes up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// A fixed clock: the RFC 3339 time stamped on webhooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<String>,
    /// With `clock`: how far the clock moves on after each reading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_step_ms: Option<u64>,
    /// A file that keeps the webhooks across restarts and reloads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<PathBuf>,
    /// A fixtures file: webhooks (and faults) at start and after each reset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixtures: Option<PathBuf>,
    /// How many requests the journal keeps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal_limit: Option<usize>,
    /// Faults injected in the vendor's API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faults: Option<Faults>,
}

/// An emulator's settings: `[upstreams.NAME.emulator]`, or `hookgate emulate`'s flags.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Where made-up values and time come from.
    pub determinism: Determinism,
    /// The state file, when webhooks outlive the process.
    pub state: Option<PathBuf>,
    /// Webhooks (and faults) set up at start and on every reset.
    pub fixtures: Option<PathBuf>,
    /// How many requests the journal keeps.
    pub journal_limit: usize,
    /// The faults in force at start and after a reset (a fixtures file's replace them).
    pub faults: Faults,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            determinism: Determinism::default(),
            state: None,
            fixtures: None,
            journal_limit: journal::DEFAULT_LIMIT,
            faults: Faults::default(),
        }
    }
}

/// The most requests a journal may be asked to keep.
pub const MAX_JOURNAL: usize = 100_000;

impl Settings {
    /// Checks the raw settings; every problem is named under `key` (`upstreams.x.emulator`).
    pub fn from_raw(raw: &RawEmulator, key: &str) -> Result<Settings, Vec<FieldError>> {
        let mut problems = Vec::new();
        let clock = match (&raw.clock, raw.clock_step_ms) {
            (None, None) => Clock::System,
            (None, Some(_)) => {
                problems.push(FieldError::new(
                    format!("{key}.clock_step_ms"),
                    "needs `clock`, the time the clock starts from",
                ));
                Clock::System
            }
            (Some(text), step) => match clock_start(text) {
                Ok(start) => Clock::Stepping {
                    start,
                    step: Duration::from_millis(step.unwrap_or(0)),
                },
                Err(why) => {
                    problems.push(FieldError::new(format!("{key}.clock"), why));
                    Clock::System
                }
            },
        };
        let journal_limit = raw.journal_limit.unwrap_or(journal::DEFAULT_LIMIT);
        if journal_limit == 0 || journal_limit > MAX_JOURNAL {
            problems.push(FieldError::new(
                format!("{key}.journal_limit"),
                format!("`{journal_limit}`: expected 1 to {MAX_JOURNAL}"),
            ));
        }
        let faults = raw.faults.clone().unwrap_or_default();
        problems.extend(faults.check(&format!("{key}.faults")));
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Settings {
            determinism: Determinism {
                seed: raw.seed,
                clock,
            },
            state: raw.state.clone(),
            fixtures: raw.fixtures.clone(),
            journal_limit,
            faults,
        })
    }
}

/// The time a clock starts from: exactly an RFC 3339 date-time (§5.6), with any offset, `T`
/// and `Z` in either case, and any fraction of a second, from 1970 on (the timestamps stamped
/// are counted from then) to the last second RFC 3339 writes in UTC, `9999-12-31T23:59:59Z`
/// (a time stamped is written in UTC: one past it, `9999-12-31T23:30:00-01:00`, could not be,
/// and would be stamped as another). A space for the `T`, which §5.6's note lets an
/// application choose, is not this one's choice: the key says RFC 3339, and is read as it says.
fn clock_start(text: &str) -> Result<SystemTime, String> {
    // The parser takes any byte between the date and the time; RFC 3339 writes `T` or `t`.
    let separated = matches!(text.as_bytes().get(10), Some(b'T' | b't'));
    let time = OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .filter(|_| separated)
        .ok_or_else(|| {
            format!("`{text}`: expected an RFC 3339 time such as 2025-01-01T00:00:00Z")
        })?;
    let start = SystemTime::from(time);
    if start < SystemTime::UNIX_EPOCH || start > crate::store::last_writable() {
        return Err(format!(
            "`{text}`: expected a time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z (in UTC), where the clock begins"
        ));
    }
    Ok(start)
}
