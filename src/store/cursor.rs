//! The cursors a store gives where its vendor gives them (in its answer, a `Link` header or a
//! next page's URL): a place in the store's order, good only for the list it was given for, and
//! written so that it tells nothing of how many webhooks were made.
//!
//! A cursor is 32 hex digits: a tag, a keyed hash of the list (its owner and its order) and
//! the place, then the place masked by a keyed hash of that tag. The same place of the same
//! list is always written the same (an emulator stays deterministic), two cursors share
//! nothing a client could subtract, and only the key turns one back into a place. Read back,
//! the place is unmasked and its tag made again from the list asked for: a cursor of another
//! owner's list, of the other order, or any text the store never wrote matches no tag and is
//! refused. SHA-256, which hookgate has already, is the keyed hash: a cursor is not a secret
//! to guard for years, only a value a client must not read or forge, and a hash over the key
//! and fixed-length fields (cut to 8 bytes, so nothing can be appended to it) is that, without
//! a cipher to add.
//!
//! The key comes from the store's seed where it has one, so that a seeded emulator gives the
//! same cursors on every run and after every reset; else it is drawn at random. A state file
//! keeps it beside the places it names, so that a cursor given before a restart is read the
//! same after it.

use super::Determinism;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// The key of a store's cursors.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct CursorKey([u8; 16]);

/// What a cursor is for, hashed with the key: a tag, or the mask of a place.
#[derive(Clone, Copy)]
enum Use {
    Tag = 1,
    Mask = 2,
}

impl CursorKey {
    /// The key `determinism` gives: one of its seed, else a random one. Drawn from no generator
    /// of the store's, so that the ids and secrets a seed gives are the ones it gave before.
    pub fn of(determinism: &Determinism) -> CursorKey {
        let bytes = match determinism.seed {
            Some(seed) => {
                let mut hash = Sha256::new();
                hash.update(b"hookgate emulator cursors");
                hash.update(seed.to_le_bytes());
                hash.finalize()[..16].try_into().unwrap_or_default()
            }
            None => fastrand::u128(..).to_le_bytes(),
        };
        CursorKey(bytes)
    }

    /// The first 8 bytes of the keyed hash of `fields`, for `purpose`.
    fn hash(&self, purpose: Use, fields: &[&[u8]]) -> [u8; 8] {
        let mut hash = Sha256::new();
        hash.update(self.0);
        hash.update([purpose as u8]);
        for field in fields {
            // Each field's length first: no two lists' fields run together into one input.
            hash.update((field.len() as u64).to_le_bytes());
            hash.update(field);
        }
        hash.finalize()[..8].try_into().unwrap_or_default()
    }

    /// The tag of `place` in the list of `owner` in that order.
    fn tag(&self, owner: Option<&str>, descending: bool, place: u64) -> [u8; 8] {
        // An owner named, and the empty one, are not the same list; nor is no owner at all.
        let (named, owner) = match owner {
            Some(o) => (1u8, o.as_bytes()),
            None => (0, &b""[..]),
        };
        self.hash(
            Use::Tag,
            &[
                &[named],
                owner,
                &[u8::from(descending)],
                &place.to_le_bytes(),
            ],
        )
    }

    /// The cursor of `place` in the list of `owner` in that order (newest first where
    /// `descending`).
    pub fn write(&self, owner: Option<&str>, descending: bool, place: u64) -> String {
        let tag = self.tag(owner, descending, place);
        let mask = self.hash(Use::Mask, &[&tag]);
        let masked = (place ^ u64::from_le_bytes(mask)).to_le_bytes();
        let mut out = String::with_capacity(32);
        for byte in tag.iter().chain(&masked) {
            out.push_str(&format!("{byte:02x}"));
        }
        out
    }

    /// The place a cursor names, where this key wrote it for this very list; `None` for any
    /// other text (another list's cursor, one written otherwise, garbage).
    pub fn read(&self, owner: Option<&str>, descending: bool, cursor: &str) -> Option<u64> {
        let bytes = hex16(cursor)?;
        let (tag, masked) = bytes.split_at(8);
        let mask = self.hash(Use::Mask, &[tag]);
        let masked = u64::from_le_bytes(masked.try_into().ok()?);
        let place = masked ^ u64::from_le_bytes(mask);
        let made = self.tag(owner, descending, place);
        // Compared in constant time, as keys are: how long a refusal takes says nothing of
        // how near a forged tag came.
        let same: bool = subtle::ConstantTimeEq::ct_eq(&made[..], tag).into();
        same.then_some(place)
    }
}

/// 16 bytes from 32 lowercase hex digits, as [`CursorKey::write`] writes them and a state file
/// keeps a key: any other spelling is another text.
fn hex16(text: &str) -> Option<[u8; 16]> {
    let digits = text.as_bytes();
    if digits.len() != 32
        || !digits
            .iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
    {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

impl std::fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A key that reads every cursor is not shown in logs.
        f.write_str("CursorKey(…)")
    }
}

impl Serialize for CursorKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let hex: String = self.0.iter().map(|b| format!("{b:02x}")).collect();
        s.serialize_str(&hex)
    }
}

impl<'de> Deserialize<'de> for CursorKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<CursorKey, D::Error> {
        let text = String::deserialize(d)?;
        hex16(&text)
            .map(CursorKey)
            .ok_or_else(|| serde::de::Error::custom("a cursor key is 32 lowercase hex digits"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seeded(seed: u64) -> CursorKey {
        CursorKey::of(&Determinism {
            seed: Some(seed),
            ..Determinism::default()
        })
    }

    #[test]
    fn a_cursor_reads_back_only_for_its_own_list_and_key() {
        let key = seeded(7);
        for place in [1, 2, 3, 1_000, u64::MAX] {
            let cursor = key.write(Some("a"), false, place);
            assert_eq!(cursor.len(), 32);
            assert_eq!(key.read(Some("a"), false, &cursor), Some(place));
            assert_eq!(key.read(Some("b"), false, &cursor), None, "another owner");
            assert_eq!(key.read(Some(""), false, &cursor), None, "the empty owner");
            assert_eq!(key.read(None, false, &cursor), None, "no owner");
            assert_eq!(key.read(Some("a"), true, &cursor), None, "the other order");
            assert_eq!(seeded(8).read(Some("a"), false, &cursor), None);
            assert_eq!(key.read(Some("a"), false, &cursor.to_uppercase()), None);
        }
        assert_eq!(
            key.write(Some("a"), false, 5),
            seeded(7).write(Some("a"), false, 5)
        );
    }

    #[test]
    fn cursors_of_near_places_share_nothing_a_client_could_read() {
        let key = seeded(1);
        let one = key.write(None, false, 1);
        let two = key.write(None, false, 2);
        let alike = one.bytes().zip(two.bytes()).filter(|(a, b)| a == b).count();
        // Of 32 random hex digits, two agree at 2 places on average.
        assert!(alike < 12, "{one} {two}");
        for text in ["1", "", "zz", &format!("{one}0"), &one[1..]] {
            assert_eq!(key.read(None, false, text), None, "{text}");
        }
    }

    #[test]
    fn a_key_is_kept_as_hex_and_read_back() {
        let key = seeded(3);
        let text = serde_json::to_string(&key).unwrap();
        assert_eq!(serde_json::from_str::<CursorKey>(&text).unwrap(), key);
        assert!(serde_json::from_str::<CursorKey>("\"00\"").is_err());
        assert_eq!(format!("{key:?}"), "CursorKey(…)");
    }
}
