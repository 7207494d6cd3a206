//! Inbound authentication of the canonical API: API keys, known only by their SHA-256 hash,
//! each with scopes (`webhooks:read`, `webhooks:write`) and the upstreams it may use.
//!
//! Keys are presented in `X-Api-Key`, so that `Authorization` stays the vendor's credential
//! for upstreams that pass it through. Vendor surfaces keep their vendors' token semantics and
//! do not use these keys.

use crate::canonical::OpKind;
use crate::problem::{Code, Problem};
use http::{HeaderMap, HeaderName};
use sha2::{Digest, Sha256};

pub static X_API_KEY: HeaderName = HeaderName::from_static("x-api-key");

/// What an operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Read,
    Write,
}

impl Scope {
    pub fn of(kind: OpKind) -> Scope {
        match kind {
            OpKind::List | OpKind::Get => Scope::Read,
            _ => Scope::Write,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Scope::Read => "webhooks:read",
            Scope::Write => "webhooks:write",
        }
    }

    pub fn parse(name: &str) -> Option<Scope> {
        [Scope::Read, Scope::Write]
            .into_iter()
            .find(|s| s.name() == name)
    }
}

/// One configured key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub name: String,
    pub sha256: [u8; 32],
    pub scopes: Vec<Scope>,
    /// `None`: every upstream.
    pub upstreams: Option<Vec<String>>,
}

/// The inbound policy: off (explicitly), or these keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    Off,
    Keys(Vec<Key>),
}

impl Inbound {
    /// Checks the request's key for `scope` on `upstream` (`None` for upstream-neutral routes).
    /// Returns the key's name for logs.
    pub fn authorize(
        &self,
        headers: &HeaderMap,
        scope: Scope,
        upstream: Option<&str>,
    ) -> Result<Option<&str>, Problem> {
        let Inbound::Keys(keys) = self else {
            return Ok(None);
        };
        let presented = headers
            .get(&X_API_KEY)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                Problem::new(Code::Unauthorized, "an API key is required in X-Api-Key")
            })?;
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let key = keys
            .iter()
            .find(|k| constant_time_eq(&k.sha256, &digest))
            .ok_or_else(|| Problem::new(Code::Unauthorized, "the API key is not valid"))?;
        if !key.scopes.contains(&scope) {
            return Err(Problem::new(
                Code::Forbidden,
                format!("the API key lacks the scope {}", scope.name()),
            ));
        }
        if let (Some(allowed), Some(upstream)) = (&key.upstreams, upstream)
            && !allowed.iter().any(|u| u == upstream)
        {
            return Err(Problem::new(
                Code::Forbidden,
                format!("the API key may not use upstream {upstream}"),
            ));
        }
        Ok(Some(&key.name))
    }
}

/// Compares two digests without an early exit, so timing says nothing about a near miss.
fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Parses 64 hex digits.
pub fn parse_sha256(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.trim();
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn keys() -> Inbound {
        let sha = |k: &str| -> [u8; 32] { Sha256::digest(k.as_bytes()).into() };
        Inbound::Keys(vec![
            Key {
                name: "reader".into(),
                sha256: sha("r-key"),
                scopes: vec![Scope::Read],
                upstreams: None,
            },
            Key {
                name: "t-writer".into(),
                sha256: sha("w-key"),
                scopes: vec![Scope::Read, Scope::Write],
                upstreams: Some(vec!["voice".into()]),
            },
        ])
    }

    fn with(key: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(&X_API_KEY, HeaderValue::from_str(key).unwrap());
        h
    }

    #[test]
    fn keys_are_checked_by_hash_scope_and_upstream() {
        let inbound = keys();
        assert_eq!(
            inbound
                .authorize(&HeaderMap::new(), Scope::Read, None)
                .unwrap_err()
                .code,
            Code::Unauthorized
        );
        assert_eq!(
            inbound
                .authorize(&with("nope"), Scope::Read, None)
                .unwrap_err()
                .code,
            Code::Unauthorized
        );
        assert_eq!(
            inbound
                .authorize(&with("r-key"), Scope::Read, Some("chat"))
                .unwrap(),
            Some("reader")
        );
        assert_eq!(
            inbound
                .authorize(&with("r-key"), Scope::Write, Some("chat"))
                .unwrap_err()
                .code,
            Code::Forbidden
        );
        assert!(
            inbound
                .authorize(&with("w-key"), Scope::Write, Some("voice"))
                .is_ok()
        );
        assert_eq!(
            inbound
                .authorize(&with("w-key"), Scope::Read, Some("chat"))
                .unwrap_err()
                .code,
            Code::Forbidden
        );
        assert!(
            Inbound::Off
                .authorize(&HeaderMap::new(), Scope::Write, None)
                .is_ok()
        );
    }

    #[test]
    fn parses_hex_digests() {
        assert!(parse_sha256(&"ab".repeat(32)).is_some());
        assert!(parse_sha256("abc").is_none());
        assert!(parse_sha256(&"zz".repeat(32)).is_none());
    }
}
