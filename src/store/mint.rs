//! What a store makes up: ids in the vendor's style, signing secrets, test event ids and
//! timestamps. They come from a [`Determinism`]: random and the system clock by default, or a
//! seed and a fixed or stepping clock, so that a test suite's snapshots of answers are the
//! same on every run.

use super::{State, Store};
use crate::mapping::model::{IdStyle, SecretEncoding, SecretMint};
use base64::Engine;
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

impl Store {
    /// A new id in the vendor's style.
    pub(super) fn mint_id(&self, state: &mut State) -> String {
        match &self.dialect.emulator.ids {
            IdStyle::Uuid => uuid_from(&mut state.rng).to_string(),
            IdStyle::BracedUuid => uuid_from(&mut state.rng).braced().to_string(),
            IdStyle::Integer => state.next_id.to_string(),
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

    /// The time to stamp, as the vendor prints it; a stepping clock moves on.
    pub(super) fn now(&self, state: &mut State) -> String {
        let now = match (&mut state.clock, self.determinism.clock) {
            (Some(next), Clock::Stepping { step, .. }) => {
                let now = *next;
                *next = now.checked_add(step).unwrap_or(now);
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
    };
    format!("{prefix}{encoded}")
}
