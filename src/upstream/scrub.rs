//! A vendor's answer with hookgate's own credential at the vendor taken out, as it is received
//! and before anything reads it. A vendor that echoes the request it was sent (in an error, in
//! a debugging member of a webhook, in a next page's URL) would otherwise hand the credential
//! to the client, who never holds it: through a relayed answer, a translated webhook's
//! `extensions`, a listed page or a cursor. Taken out here, no road that reads a reply can
//! carry it on, whichever frontend answers.
//!
//! The client's own credential, relayed to a vendor that checks it, is not looked for: the
//! client holds it already (a problem's texts leave it out all the same, `Problem::redacted`).

/// A vendor's answer body with hookgate's own credentials at the vendor taken out. Each is looked for as it was sent, percent-encoded, and as JSON may escape it
/// (`\/` for `/`), spellings the upstream keeps; an answer whose JSON escapes characters as `\uXXXX` is read, and written
/// again only where one of its strings holds a credential. An answer that holds none (any
/// vendor's that echoes nothing) goes on as it came, not copied. Secrets shorter than six
/// bytes are not looked for, as in a problem's texts: they would match text that is no
/// credential.
pub fn without_own_secrets(body: bytes::Bytes, secrets: &[crate::config::Secret]) -> bytes::Bytes {
    let mut scrubbed: Option<Vec<u8>> = None;
    // The upstream keeps each credential in every spelling looked for (`wiring`).
    let needles = secrets.iter().map(|s| s.expose().as_bytes());
    for needle in needles.filter(|n| n.len() >= 6) {
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
    if !secrets.is_empty()
        && memchr::memmem::find(text, b"\\u").is_some()
        && let Some(rewritten) = escaped_secrets_taken_out(text, secrets)
    {
        scrubbed = Some(rewritten);
    }
    scrubbed.map_or(body, bytes::Bytes::from)
}

/// A JSON answer whose strings, once their escapes are read, hold a credential: written again
/// with each `[redacted]`; `None` where none does (or the text is no JSON).
#[cold]
fn escaped_secrets_taken_out(text: &[u8], secrets: &[crate::config::Secret]) -> Option<Vec<u8>> {
    fn scrub(value: &mut serde_json::Value, secrets: &[&str]) -> bool {
        match value {
            serde_json::Value::String(s) => {
                let held = secrets.iter().any(|k| s.contains(k));
                for k in secrets {
                    *s = s.replace(k, "[redacted]");
                }
                held
            }
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
    let secrets: Vec<&str> = secrets
        .iter()
        .map(|s| s.expose())
        .filter(|s| s.len() >= 6)
        .collect();
    let mut value: serde_json::Value = serde_json::from_slice(text).ok()?;
    scrub(&mut value, &secrets).then(|| serde_json::to_vec(&value).ok())?
}
