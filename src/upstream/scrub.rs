//! A vendor's answer with hookgate's own credential at the vendor taken out, as it is received
//! and before anything reads it. A vendor that echoes the request it was sent (in an error, in
//! a debugging member of a webhook, in a next page's URL) would otherwise hand the credential
//! to the client, who never holds it: through a relayed answer, a translated webhook's
//! `extensions`, a listed page or a cursor. Taken out here, no road that reads a reply can
//! carry it on, whichever frontend answers.
//!
//! The client's own credential, relayed to a vendor that checks it, is not looked for: the
//! client holds it already (a problem's texts leave it out all the same, `Problem::redacted`).

use crate::problem::{SHORT_SECRET, redact_all};

/// What each occurrence of a credential becomes.
pub const REDACTED: &str = "[redacted]";

/// A vendor's answer body with hookgate's own credentials at the vendor taken out. Each is
/// looked for however a vendor may spell each of its bytes, one way or another within one
/// occurrence: as itself, percent-encoded (`%2F` or `%2f`, as a URL it quotes writes it) and
/// as JSON may escape it (`\/`, `\u002F`), so that `tok%2fa\/b` is `tok/a/b`; the whole
/// occurrence, however spelt, becomes `[redacted]`, and the answer stays the JSON it was. An
/// answer without a `%` or a `\` (most) is searched for each credential's bytes alone, and one
/// that holds none (any vendor's that echoes nothing) goes on as it came, not copied. A
/// credential shorter than [`SHORT_SECRET`] bytes is taken out of the answer's strings only,
/// where it stands as a word of its own ([`crate::problem::redact`]): its bytes may well be a
/// number or a word of the answer's.
pub fn without_own_secrets(body: bytes::Bytes, secrets: &[crate::config::Secret]) -> bytes::Bytes {
    if secrets.is_empty() {
        return body;
    }
    // Only an answer that holds a `%` or a `\` can spell a byte otherwise than as itself.
    let spelt = memchr::memchr2(b'%', b'\\', &body).is_some();
    let mut scrubbed: Option<Vec<u8>> = None;
    let needles = secrets.iter().map(|s| s.expose().as_bytes());
    for needle in needles.filter(|n| n.len() >= SHORT_SECRET) {
        let text = scrubbed.as_deref().unwrap_or(&body);
        let found = match spelt {
            true => spellings_out(text, needle),
            false => literal_out(text, needle),
        };
        if found.is_some() {
            scrubbed = found;
        }
    }
    let text = scrubbed.as_deref().unwrap_or(&body);
    let short = || {
        (secrets.iter().map(|s| s.expose().as_bytes()))
            .filter(|s| !s.is_empty() && s.len() < SHORT_SECRET)
    };
    // A short one is looked for in the strings as JSON reads them, where it stands as a word
    // in the bytes, or where they hold escapes that could spell it.
    let short_held = short().any(|s| stands_alone(text, s));
    let escaped = || spelt && memchr::memmem::find(text, b"\\u").is_some();
    if (short_held || (short().next().is_some() && escaped()))
        && let Some(rewritten) = strings_scrubbed(text, secrets)
    {
        scrubbed = Some(rewritten);
    }
    scrubbed.map_or(body, bytes::Bytes::from)
}

/// `text` with each occurrence of `needle`'s bytes as they are replaced by `[redacted]`;
/// `None` where it holds none.
fn literal_out(text: &[u8], needle: &[u8]) -> Option<Vec<u8>> {
    memchr::memmem::find(text, needle)?;
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = memchr::memmem::find(rest, needle) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(REDACTED.as_bytes());
        rest = &rest[at + needle.len()..];
    }
    out.extend_from_slice(rest);
    Some(out)
}

/// `text` with each occurrence of `needle`, however its bytes are spelt ([`spelt_at`]),
/// replaced by `[redacted]`; `None` where it holds none. An occurrence can begin only at its
/// first byte, or at a `%` or `\` that may spell it.
#[cold]
fn spellings_out(text: &[u8], needle: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    let (mut copied, mut from) = (0, 0);
    while let Some(found) = memchr::memchr3(needle[0], b'%', b'\\', &text[from..]) {
        let at = from + found;
        match spelt_at(text, at, needle) {
            Some(end) => {
                let out = out.get_or_insert_with(|| Vec::with_capacity(text.len()));
                out.extend_from_slice(&text[copied..at]);
                out.extend_from_slice(REDACTED.as_bytes());
                (copied, from) = (end, end);
            }
            None => from = at + 1,
        }
    }
    let mut out = out?;
    out.extend_from_slice(&text[copied..]);
    Some(out)
}

/// Where an occurrence of `secret` that begins at `start` in `text` ends, each of its bytes
/// spelt in any of the ways a vendor may write it: as itself; as JSON escapes it (a
/// [`character`]: `\/`, `\"`, `\u0041`, a character beyond ASCII in one escape or two); and as
/// `%` and two hex digits in either case, each of those three perhaps escaped too. (A form's
/// `+` for a space is a spelling the upstream keeps, `wiring`.) A secret's `%` may be itself or
/// `%25`: both are tried, within a bound on the steps, so that no text makes the search long.
fn spelt_at(text: &[u8], start: usize, secret: &[u8]) -> Option<usize> {
    let mut untried: Vec<(usize, usize)> = Vec::new();
    let (mut at, mut matched) = (start, 0);
    let mut steps = 4 * secret.len() + 16;
    while matched < secret.len() {
        steps = steps.checked_sub(1)?;
        let wanted = &secret[matched..];
        let mut next = None;
        if let Some((read, after)) = character(text, at) {
            let read = read.bytes();
            if wanted.starts_with(read) {
                next = Some((after, matched + read.len()));
            }
            if read == b"%"
                && let Some((byte, encoded_end)) = percent_encoded(text, after)
                && byte == wanted[0]
            {
                let encoded = (encoded_end, matched + 1);
                match next {
                    None => next = Some(encoded),
                    Some(_) => untried.push(encoded),
                }
            }
        }
        (at, matched) = match next {
            Some(next) => next,
            None => untried.pop()?,
        };
    }
    Some(at)
}

/// The byte that the two hex digits at `at` in `text` (either case, each perhaps escaped)
/// stand for after a `%`, and where they end.
fn percent_encoded(text: &[u8], at: usize) -> Option<(u8, usize)> {
    let digit = |at: usize| {
        let (read, after) = character(text, at)?;
        let value = match read.bytes() {
            [d] => (*d as char).to_digit(16)?,
            _ => return None,
        };
        Some((value as u8, after))
    };
    let (high, at) = digit(at)?;
    let (low, at) = digit(at)?;
    Some(((high << 4) | low, at))
}

/// One character's UTF-8 bytes (at most four), as [`character`] reads them.
struct Read {
    bytes: [u8; 4],
    len: usize,
}

impl Read {
    fn bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// What `text` spells at `at` as JSON writes a string, and where that ends: an escape (`\/`,
/// `\\`, `\"`, `\n` …, `\uXXXX`, or two of those for a character beyond the BMP) as its
/// character's UTF-8 bytes; any other byte (a `\` that begins none of them too) as itself.
/// `None` past the end.
fn character(text: &[u8], at: usize) -> Option<(Read, usize)> {
    let byte = *text.get(at)?;
    let one = |b: u8| Read {
        bytes: [b, 0, 0, 0],
        len: 1,
    };
    if byte != b'\\' {
        return Some((one(byte), at + 1));
    }
    let escaped = match text.get(at + 1) {
        Some(b'"') => Some(b'"'),
        Some(b'\\') => Some(b'\\'),
        Some(b'/') => Some(b'/'),
        Some(b'b') => Some(0x08),
        Some(b'f') => Some(0x0c),
        Some(b'n') => Some(b'\n'),
        Some(b'r') => Some(b'\r'),
        Some(b't') => Some(b'\t'),
        _ => None,
    };
    if let Some(b) = escaped {
        return Some((one(b), at + 2));
    }
    let Some((c, end)) = unicode_escape(text, at) else {
        return Some((one(byte), at + 1));
    };
    let mut bytes = [0; 4];
    let len = c.encode_utf8(&mut bytes).len();
    Some((Read { bytes, len }, end))
}

/// The character a `\uXXXX` escape at `at` in `text` stands for (with the low half of a
/// surrogate pair after it, where it is the high half), and where it ends.
fn unicode_escape(text: &[u8], at: usize) -> Option<(char, usize)> {
    let unit = |at: usize| {
        let hex = text.get(at..at + 6)?.strip_prefix(b"\\u")?;
        hex.iter().all(u8::is_ascii_hexdigit).then_some(())?;
        u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
    };
    let high = unit(at)?;
    if let Some(c) = char::from_u32(u32::from(high)) {
        return Some((c, at + 6));
    }
    let low = unit(at + 6)?;
    let c = char::decode_utf16([high, low]).next()?.ok()?;
    Some((c, at + 12))
}

/// Whether `secret` stands anywhere in `text` as a word of its own (as
/// [`crate::problem::redact`] takes a short one out): looked at in the bytes first, so that a
/// short credential that is only part of longer words (a PIN inside a timestamp) costs no parse
/// of the answer.
fn stands_alone(text: &[u8], secret: &[u8]) -> bool {
    let word = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
    memchr::memmem::find_iter(text, secret).any(|at| {
        !word(at.checked_sub(1).and_then(|i| text.get(i))) && !word(text.get(at + secret.len()))
    })
}

/// An answer whose strings, once their escapes are read, hold a credential: written again with
/// each `[redacted]`; `None` where none does. An answer that is no JSON is scrubbed as text.
#[cold]
fn strings_scrubbed(text: &[u8], secrets: &[crate::config::Secret]) -> Option<Vec<u8>> {
    fn scrub(value: &mut serde_json::Value, secrets: &[&str]) -> bool {
        match value {
            serde_json::Value::String(s) => redact_all(s, secrets),
            // Every string is scrubbed, not only those up to the first that holds one.
            serde_json::Value::Array(items) => {
                let mut held = false;
                for v in items {
                    held |= scrub(v, secrets);
                }
                held
            }
            serde_json::Value::Object(members) => {
                let mut held = false;
                for v in members.values_mut() {
                    held |= scrub(v, secrets);
                }
                held
            }
            _ => false,
        }
    }
    let secrets: Vec<&str> = secrets.iter().map(|s| s.expose()).collect();
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(text) else {
        // Text that is no JSON (a vendor's plain-text error): its words, bytes that are no
        // UTF-8 written as U+FFFD where a credential is taken out.
        let mut text = String::from_utf8_lossy(text).into_owned();
        return redact_all(&mut text, &secrets).then(|| text.into_bytes());
    };
    scrub(&mut value, &secrets).then(|| serde_json::to_vec(&value).ok())?
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    const TOKEN: &str = "vt+SECRET/TOKEN=98765";

    fn scrubbed(body: &str, secrets: &[&str]) -> String {
        let secrets: Vec<Secret> = secrets.iter().map(|s| Secret::new(s.to_string())).collect();
        let out = without_own_secrets(bytes::Bytes::from(body.to_owned()), &secrets);
        String::from_utf8(out.to_vec()).unwrap()
    }

    /// Each byte as itself, percent-encoded in either case, or escaped as JSON escapes it,
    /// one way or another within one occurrence: the whole occurrence goes.
    #[test]
    fn a_credential_is_taken_out_however_each_of_its_bytes_is_spelt() {
        for spelt in [
            "vt+SECRET/TOKEN=98765",
            "vt%2bSECRET%2fTOKEN%3d98765",
            "vt%2BSECRET%2FTOKEN%3D98765",
            "vt+SECRET%2FTOKEN%3d98765",
            "%76%74%2B%53ECRET/TOKEN=98765",
            "vt+SECRET\\/TOKEN=98765",
            "vt\\u002bSECRET\\u002FTOKEN\\u003D98765",
            "vt\\u00252bSECRET%2\\u0066TOKEN=98765",
            "\\u0076t%2bSECRET\\/TOKEN%3D9876\\u0035",
        ] {
            let body = format!(
                r#"{{"message": "key {spelt} refused", "url": "https://x.example/?k={spelt}&n=1"}}"#
            );
            let out = scrubbed(&body, &[TOKEN]);
            assert_eq!(
                out,
                r#"{"message": "key [redacted] refused", "url": "https://x.example/?k=[redacted]&n=1"}"#,
                "{spelt}"
            );
        }
    }

    /// Text that spells only part of it, or another text, is left as it came; so is an answer
    /// without a `%` or `\`, not copied.
    #[test]
    fn what_spells_no_credential_is_left_as_it_came() {
        for body in [
            r#"{"message": "vt%2bSECRET%2fTOKEN%3d9876"}"#,
            r#"{"message": "vt%2bSECRET%2fT0KEN%3d98765"}"#,
            r#"{"message": "vt%2gSECRET%2fTOKEN%3d98765", "p": "100%"}"#,
            r#"{"message": "vt\u002SECRET/TOKEN=98765\"}"#,
            r#"{"message": "trailing %2"}"#,
            r#"{"message": "trailing \u00"#,
        ] {
            assert_eq!(scrubbed(body, &[TOKEN]), body);
        }
        let body = bytes::Bytes::from_static(br#"{"message": "nothing of it", "n": 1}"#);
        let out = without_own_secrets(body.clone(), &[Secret::new(TOKEN.to_owned())]);
        assert_eq!(out.as_ptr(), body.as_ptr());
    }

    /// A credential's own `%` may be echoed as itself or as `%25`, a space as `%20`, and a
    /// character beyond ASCII as its escape (a surrogate pair beyond the BMP).
    #[test]
    fn a_percent_a_space_or_a_character_beyond_ascii_in_the_credential_is_found_too() {
        for (secret, spelt) in [
            ("ab%2Fcd-1234", "ab%2Fcd-1234"),
            ("ab%2Fcd-1234", "ab%252Fcd-1234"),
            ("pass word-99", "pass%20word-99"),
            ("clé-secrète-7", "cl\\u00e9-secr\\u00E8te-7"),
            ("key-😀-000", "key-\\ud83d\\ude00-000"),
        ] {
            let out = scrubbed(&format!(r#"{{"m": "<{spelt}>"}}"#), &[secret]);
            assert_eq!(out, r#"{"m": "<[redacted]>"}"#, "{secret} as {spelt}");
        }
    }
}
