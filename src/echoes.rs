//! The secrets a vendor's message may echo of a request, of which a problem is redacted
//! before any client sees it: the request's credentials (the client's, in any header its API
//! takes them in, and hookgate's own at the upstream) and the secrets its body holds (a
//! webhook's signing secret, its custom header values). Gathered here for a request served
//! and for one only translated, so that both are redacted alike.

use crate::frontend::{Backend, Job};
use crate::model::Operation;
use http::HeaderMap;
use serde_json::{Map, Value};

/// Adds `s` to the secrets a vendor's message may echo, unless it is empty or there already
/// (a short one is taken out where it stands as a word: [`crate::problem::redact`]).
fn keep(secrets: &mut Vec<String>, s: &str) {
    if !s.is_empty() && !secrets.iter().any(|o| o == s) {
        secrets.push(s.to_owned());
    }
}

/// Adds the credentials a vendor's message may echo to `secrets`: the client's (whole, and the
/// token after a scheme), sent in `Authorization` or `X-Api-Key`, in the header its vendor's
/// clients use and in those of the further parts, and hookgate's own token at the upstream.
pub fn credentials(
    headers: &HeaderMap,
    (credential, parts): (&http::HeaderName, &[http::HeaderName]),
    backend: Option<&Backend>,
    secrets: &mut Vec<String>,
) {
    // The vendor's own credential header, where it is not `Authorization`.
    let own = (*credential != http::header::AUTHORIZATION).then_some(credential);
    let names = [&http::header::AUTHORIZATION, &crate::auth::X_API_KEY];
    for name in names.into_iter().chain(own).chain(parts) {
        let Some(v) = headers.get(name).and_then(|v| v.to_str().ok()) else {
            continue;
        };
        keep(secrets, v);
        let Some((scheme, token)) = v.split_once(' ') else {
            continue;
        };
        keep(secrets, token.trim());
        // A basic credential's parts, which a message may show decoded.
        if scheme.eq_ignore_ascii_case("basic")
            && let Some((user, password)) = crate::auth::basic_pair(token)
        {
            keep(secrets, &format!("{user}:{password}"));
            keep(
                secrets,
                if password.is_empty() {
                    &user
                } else {
                    &password
                },
            );
        }
    }
    if let Some(Backend::Upstream(u)) = backend {
        for secret in u.own_secrets() {
            keep(secrets, secret.expose());
        }
    }
}

/// The secrets a vendor's message may echo of a request, which a problem is redacted of: its
/// body's ([`body_secrets`]) and its credentials ([`credentials`]). For a request not served
/// here, whose problem is to be redacted as it would be (a translation's:
/// a preview).
pub fn echoable_secrets(
    headers: &HeaderMap,
    sent: (&http::HeaderName, &[http::HeaderName]),
    backend: Option<&Backend>,
    job: &Job,
) -> Vec<String> {
    let mut secrets = body_secrets(job);
    credentials(headers, sent, backend, &mut secrets);
    secrets
}

/// The secrets a request's body holds, which a vendor's message may echo: the webhook's
/// signing secret and its custom header values.
pub fn body_secrets(job: &Job) -> Vec<String> {
    let mut out = Vec::new();
    let mut note = |s: &str| keep(&mut out, s);
    match job {
        // Looked at where it lies: the body is the request's own, and copying it to look is
        // the larger part of the cost.
        Job::Operation(Operation { body: Some(b), .. }) => collect_members(b, &mut note),
        Job::Relay(r) if !r.body.is_empty() => {
            // A body that is no JSON is read as the form a vendor that takes forms was sent.
            let body = crate::json::from_slice_lenient(&r.body)
                .ok()
                .or_else(|| crate::form::decode(&r.body).ok().map(Value::Object));
            if let Some(body) = body {
                collect_strings(&body, &mut note);
            }
        }
        _ => {}
    }
    out
}

/// Every string in a body whose member's name says it holds a credential, and every custom
/// header value.
fn collect_strings(value: &Value, keep: &mut impl FnMut(&str)) {
    match value {
        Value::Object(map) => collect_members(map, keep),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, keep)),
        _ => {}
    }
}

/// [`collect_strings`] for the members of one object.
fn collect_members(map: &Map<String, Value>, keep: &mut impl FnMut(&str)) {
    fn all(value: &Value, keep: &mut impl FnMut(&str)) {
        match value {
            Value::String(s) => keep(s),
            Value::Array(items) => items.iter().for_each(|v| all(v, keep)),
            Value::Object(map) => map.values().for_each(|v| all(v, keep)),
            _ => {}
        }
    }
    for (k, v) in map {
        if sensitive(k) {
            all(v, keep);
        } else {
            collect_strings(v, keep);
        }
    }
}

/// Whether a member's name says it holds a credential (any letter case), compared without
/// making a lowercase copy of every name: each place is looked at once, and a word compared
/// only where its first letter is.
fn sensitive(name: &str) -> bool {
    let name = name.as_bytes();
    (0..name.len()).any(|at| {
        let word: &[u8] = match name[at].to_ascii_lowercase() {
            b's' => b"secret",
            b't' => b"token",
            b'p' => b"password",
            b'a' => b"authorization",
            b'k' => b"key",
            b'h' => b"headers",
            b'c' => b"credential",
            _ => return false,
        };
        name.get(at..at + word.len())
            .is_some_and(|window| window.eq_ignore_ascii_case(word))
    })
}

#[cfg(test)]
mod tests {
    use super::sensitive;

    #[test]
    fn tells_credential_names_in_any_case_and_place() {
        for name in [
            "secret",
            "signingSecret",
            "X_TOKEN",
            "apiKey",
            "headers",
            "Authorization",
            "user_password",
            "credentials",
            "keY",
        ] {
            assert!(sensitive(name), "{name}");
        }
        for name in [
            "url",
            "events",
            "description",
            "ke",
            "secre",
            "tok",
            "",
            "é",
        ] {
            assert!(!sensitive(name), "{name}");
        }
    }
}
