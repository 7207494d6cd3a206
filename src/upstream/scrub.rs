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

/// A vendor's answer body with hookgate's own credentials at the vendor taken out. Each is
/// looked for as it was sent, percent-encoded, and as JSON may escape it (`\/` for `/`),
/// spellings the upstream keeps; an answer whose JSON escapes characters as `\uXXXX` is read,
/// and written again only where one of its strings holds a credential. An answer that holds
/// none (any vendor's that echoes nothing) goes on as it came, not copied. A credential shorter
/// than [`SHORT_SECRET`] bytes is taken out of the answer's strings only, where it stands as a
/// word of its own ([`crate::problem::redact`]): its bytes may well be a number or a word of
/// the answer's.
pub fn without_own_secrets(body: bytes::Bytes, secrets: &[crate::config::Secret]) -> bytes::Bytes {
    let mut scrubbed: Option<Vec<u8>> = None;
    // The upstream keeps each credential in every spelling looked for (`wiring`).
    let needles = secrets.iter().map(|s| s.expose().as_bytes());
    for needle in needles.filter(|n| n.len() >= SHORT_SECRET) {
        let text = scrubbed.as_deref().unwrap_or(&body);
        if memchr::memmem::find(text, needle).is_none() {
            continue;
        }
        let mut out = Vec::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = memchr::memmem::find(rest, needle) {
            out.extend_from_slice(&rest[..at]);
            out.extend_from_slice(b"[redacted]");
            rest = &rest[at + needle.len()..];
        }
        out.extend_from_slice(rest);
        scrubbed = Some(out);
    }
    let text = scrubbed.as_deref().unwrap_or(&body);
    let short_held = secrets.iter().any(|s| {
        let s = s.expose().as_bytes();
        !s.is_empty() && s.len() < SHORT_SECRET && stands_alone(text, s)
    });
    if (short_held || !secrets.is_empty() && memchr::memmem::find(text, b"\\u").is_some())
        && let Some(rewritten) = strings_scrubbed(text, secrets)
    {
        scrubbed = Some(rewritten);
    }
    scrubbed.map_or(body, bytes::Bytes::from)
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
