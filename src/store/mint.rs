//! What a store makes up: ids in the vendor's style, signing secrets, test event ids and
//! timestamps. They come from a [`Determinism`]: random and the system clock by default, or a
//! seed and a fixed or stepping clock, so that a test suite's snapshots of answers are the
//! same on every run.

use super::{State, Store};
use crate::mapping::model::{IdStyle, SecretEncoding, SecretMint};
use crate::problem::{Code, Problem};
use base64::Engine;
use std::collections::HashSet;
use std::time::{Duration, SystemTime};

/// Where the values a store makes up come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Determinism {
    /// Seeds the generator of ids, secrets and test event ids; random when absent.
    pub seed: Option<u64>,
    /// The time stamped on webhooks.
    pub clock: Clock,
}

/// The clock of a store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    /// The system's.
    #[default]
    System,
    /// `start` at the first reading, then `step` later at each next one (a zero step: fixed).
    Stepping {
        /// The first reading.
        start: SystemTime,
        /// How far each later reading moves on from the one before.
        step: Duration,
    },
}

/// How many draws past one for each stored webhook an id may take before the store gives up:
/// a drawn id is held again only by chance (or where a seeded generator goes over ground it
/// covered before a restart, one draw for each id it gave then), so giving up means that
/// nearly every id of the style is held.
const SPARE_DRAWS: usize = 64;

impl Store {
    /// A new id in the vendor's style that no stored webhook is named by, whoever owns it, nor
    /// any of `reserved` (the ids a fixtures document gives, which it stores too). A seeded
    /// generator replays the ids it gave before a restart its state file does not remember,
    /// and a fixture may hold ids a seeded run gave: a drawn id held already is drawn again,
    /// an integer one passed over. The generator moves on by the same draws for the same
    /// state, so a seeded store stays deterministic. Refused (409) only where nearly every id
    /// of the style is held.
    pub(super) fn mint_id(
        &self,
        state: &mut State,
        reserved: &HashSet<String>,
    ) -> Result<String, Problem> {
        for _ in 0..=state.webhooks.len() + SPARE_DRAWS {
            let id = self.draw_id(state);
            if !reserved.contains(&id) && !self.holds(state, &id) {
                return Ok(id);
            }
        }
        Err(Problem::new(
            Code::Conflict,
            format!(
                "no id is left to mint: nearly every id of the vendor's style (`{}`) is held",
                self.dialect.emulator.ids.first()
            ),
        ))
    }

    /// The next id in the vendor's style, held or not: an integer one is counted on from.
    fn draw_id(&self, state: &mut State) -> String {
        match &self.dialect.emulator.ids {
            IdStyle::Uuid => uuid_from(&mut state.rng).to_string(),
            IdStyle::BracedUuid => uuid_from(&mut state.rng).braced().to_string(),
            // Past the largest, counted again from 1: the ids held are passed over, and one
            // held id of `u64::MAX` leaves every other to mint.
            IdStyle::Integer => {
                let id = state.next_id;
                state.next_id = id.checked_add(1).unwrap_or(1);
                id.to_string()
            }
            IdStyle::Prefixed(prefix) => format!("{prefix}{}", uuid_from(&mut state.rng).simple()),
            IdStyle::Drawn {
                prefix,
                alphabet,
                length,
            } => {
                let chars = alphabet.chars();
                let mut id = String::with_capacity(prefix.len() + length);
                id.push_str(prefix);
                id.extend((0..*length).map(|_| chars[state.rng.usize(..chars.len())] as char));
                id
            }
        }
    }

    /// Whether a stored webhook, of any owner, is named by `id`: by its id, or by a field the
    /// vendor takes in its place.
    fn holds(&self, state: &State, id: &str) -> bool {
        state.webhooks.iter().any(|s| self.names(&s.webhook, id))
    }

    /// A fresh signing secret, as [`mint_secret`] makes one, that no stored webhook holds: at
    /// least 16 random bytes, held again only where a seeded generator replays its draws, so
    /// a few draws at most.
    pub(super) fn mint_secret(&self, state: &mut State) -> String {
        let mint = self.dialect.emulator.mints_secret.as_ref();
        loop {
            let secret = mint_secret(&mut state.rng, mint);
            if !state.secrets.iter().any(|(_, held)| *held == secret) {
                return secret;
            }
        }
    }

    /// The time to stamp, as the vendor prints it; a stepping clock moves on.
    pub(super) fn now(&self, state: &mut State) -> String {
        let now = match (&mut state.clock, self.determinism.clock) {
            // A stepping clock stops at the last second RFC 3339 can write, which its
            // formatter would fail on past it.
            (Some(next), Clock::Stepping { step, .. }) => {
                let now = (*next).min(last_writable());
                *next = now
                    .checked_add(step)
                    .map_or(now, |t| t.min(last_writable()));
                now
            }
            _ => SystemTime::now(),
        };
        if self.dialect.emulator.micros {
            // RFC 3339 with six fractional digits, as Laravel prints it.
            humantime::format_rfc3339_micros(now).to_string()
        } else {
            humantime::format_rfc3339_seconds(now).to_string()
        }
    }
}

/// The last instant RFC 3339 writes: 9999-12-31T23:59:59Z. An emulator's configured clock
/// starts no later, and a stepping one stops there.
pub fn last_writable() -> SystemTime {
    SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(253_402_300_799)
}

/// Counts integer ids on from past `id` where it is one, so that no later one is minted as it.
pub(super) fn count_past(state: &mut State, id: &str) {
    if let Ok(n) = id.parse::<u64>() {
        state.next_id = state.next_id.max(n.saturating_add(1));
    }
}

/// A version 4 UUID from the store's generator.
pub(super) fn uuid_from(rng: &mut fastrand::Rng) -> uuid::Uuid {
    uuid::Builder::from_random_bytes(rng.u128(..).to_le_bytes()).into_uuid()
}

/// A fresh signing secret: random bytes, written as the vendor writes them, after its prefix.
pub(super) fn mint_secret(rng: &mut fastrand::Rng, mint: Option<&SecretMint>) -> String {
    let (prefix, len, encoding) = mint.map_or(("", 32, SecretEncoding::Base64), |m| {
        (m.prefix.as_str(), m.bytes, m.encoding)
    });
    let bytes: Vec<u8> = (0..len).map(|_| rng.u8(..)).collect();
    let encoded = match encoding {
        SecretEncoding::Base64 => base64::engine::general_purpose::STANDARD.encode(bytes),
        SecretEncoding::Base64Url => base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
        SecretEncoding::Hex => bytes.iter().map(|b| format!("{b:02x}")).collect(),
        SecretEncoding::UpperHex => bytes.iter().map(|b| format!("{b:02X}")).collect(),
    };
    format!("{prefix}{encoded}")
}
