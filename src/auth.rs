//! Inbound authentication: API keys, known only by their SHA-256 hash, each with scopes
//! (`webhooks:read`, `webhooks:write`) and the upstreams it may use. They cover every route
//! that reaches a vendor: the canonical API takes a key in `X-Api-Key`; a vendor surface takes
//! it the vendor's way (as its bearer token, the password of a basic credential, or in the
//! vendor's own header) or in `X-Api-Key`. Frontends say where to look; this module finds the
//! key there, says whether it opens the door, and to whom: the [`Caller`] a request carries
//! to its answer.

use crate::mapping::model::{ClientAuth, CredentialPart};
use crate::model::Action;
use crate::problem::{Code, Problem};
use http::{HeaderMap, HeaderName, HeaderValue};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use subtle::ConstantTimeEq;

/// The header the canonical API takes an API key in.
pub use crate::http::headers::X_API_KEY;

/// What an operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `webhooks:read`: list and get.
    Read,
    /// `webhooks:write`: every change (create, update, delete, test, rotate).
    Write,
}

impl Scope {
    /// What an action needs.
    pub fn of(action: Action) -> Scope {
        if action.reads_only() {
            Scope::Read
        } else {
            Scope::Write
        }
    }

    /// The scope as written in configuration, e.g. `webhooks:read`.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Read => "webhooks:read",
            Scope::Write => "webhooks:write",
        }
    }

    /// The scope written as `name`, if any.
    pub fn parse(name: &str) -> Option<Scope> {
        [Scope::Read, Scope::Write]
            .into_iter()
            .find(|s| s.name() == name)
    }
}

/// One configured key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// A name for logs.
    pub name: String,
    /// The SHA-256 of the key; the key itself is never stored.
    pub sha256: [u8; 32],
    /// What the key may do.
    pub scopes: Vec<Scope>,
    /// `None`: every upstream.
    pub upstreams: Option<Vec<String>>,
}

impl Key {
    /// Whether the key may do what `scope` allows.
    pub fn may(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

/// Who authentication admitted: what the rest of a request's road needs to know of its
/// client, carried with the request from its authentication to its answer (a value of the one
/// request, never noted on anything requests share).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Caller<'k> {
    /// The name of the inbound key that admitted the client, for logs and the keys the gateway
    /// keeps itself: `None` where keys are off, or the vendor checks the client's own
    /// credential.
    pub key: Option<&'k str>,
    /// That key's configured SHA-256, which tells clients apart where a name cannot (a key
    /// removed and another given its name) and which no client can compute: the scope of the
    /// idempotency keys the gateway keeps and sends ([`crate::idempotency`]). `None` with `key`.
    pub digest: Option<&'k [u8; 32]>,
    /// Whether the client's answers show no signing secret, whatever the vendor shows: its key
    /// may not write, and so may not sign deliveries either.
    pub withholds_secret: bool,
    /// The upstreams the key may reach, `None` for every one (keys off, or a key not limited
    /// to some): the answers that list upstreams (`GET /v1/upstreams`, the emulators' index)
    /// show a key those alone, as it may use those alone.
    pub reach: Option<&'k [String]>,
}

impl<'k> Caller<'k> {
    /// The client that `key` admitted.
    fn admitted_by(key: &'k Key) -> Caller<'k> {
        Caller {
            key: Some(key.name.as_str()),
            digest: Some(&key.sha256),
            withholds_secret: !key.may(Scope::Write),
            reach: key.upstreams.as_deref(),
        }
    }

    /// Whether the client's key may reach `upstream`.
    pub fn reaches(&self, upstream: &str) -> bool {
        self.reach
            .is_none_or(|allowed| allowed.iter().any(|u| u == upstream))
    }
}

/// The inbound policy: off (explicitly), or these keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    /// No key is asked for (`mode = "off"`).
    Off,
    /// Every route that reaches a vendor needs one of these keys.
    Keys(Vec<Key>),
}

impl Inbound {
    /// Whether keys are required at all.
    pub fn is_on(&self) -> bool {
        matches!(self, Inbound::Keys(_))
    }

    /// Checks the canonical API's key (`X-Api-Key`) for `scope` on `upstream` (`None` for
    /// upstream-neutral routes): who the client is, as [`Inbound::authorize_key`] says.
    pub fn authorize(
        &self,
        headers: &HeaderMap,
        scope: Scope,
        upstream: Option<&str>,
    ) -> Result<Caller<'_>, Problem> {
        self.authorize_key(api_key(headers), "X-Api-Key", scope, upstream)
    }

    /// Checks a presented key for `scope` on `upstream`; `asked` says where the client should
    /// have put it. Gives who the client is ([`Caller`]): the key's name, for logs, and what
    /// else the key may do, which decides what its answers show (a read answers a signing
    /// secret only to a key that may write). Anyone, where keys are off.
    pub fn authorize_key(
        &self,
        presented: Option<&str>,
        asked: &str,
        scope: Scope,
        upstream: Option<&str>,
    ) -> Result<Caller<'_>, Problem> {
        let Some(key) = self.authenticate_key(presented, asked)? else {
            return Ok(Caller::default());
        };
        if !key.may(scope) {
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
        Ok(Caller::admitted_by(key))
    }

    /// The key presented, when it is one of the keys (`None` when keys are off), whatever it
    /// may do: a client is authenticated before anything is said of what it asked for. `asked`
    /// says where the client should have put it.
    pub fn authenticate_key(
        &self,
        presented: Option<&str>,
        asked: &str,
    ) -> Result<Option<&Key>, Problem> {
        let Inbound::Keys(keys) = self else {
            return Ok(None);
        };
        let presented = presented
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                Problem::credential_missing(format!("an API key is required in {asked}"))
            })?;
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        // Every key is compared, in constant time, so timing says nothing about a near miss.
        let key = keys
            .iter()
            .fold(None, |found, k| {
                let same: bool = k.sha256.ct_eq(&digest).into();
                if same { Some(k) } else { found }
            })
            .ok_or_else(|| Problem::new(Code::Unauthorized, "the API key is not valid"))?;
        Ok(Some(key))
    }
}

/// The first of the credential headers (`X-Api-Key`, then `also`) that `headers` gives more
/// than once, as a 400 naming it. Which of two credentials a client meant is not for the
/// gateway to guess: taking the first (or the last) makes the answer depend on their order,
/// a read-only key beside a read-write one passing or not as they come.
pub fn repeated(
    headers: &HeaderMap,
    also: &[&HeaderName],
    query: Option<&str>,
    params: &[&str],
) -> Option<Problem> {
    let twice = std::iter::once(&X_API_KEY)
        .chain(also.iter().copied())
        .find(|name| headers.get_all(*name).iter().nth(1).is_some());
    if let Some(twice) = twice {
        return Some(Problem::new(
            Code::BadRequest,
            format!(
                "the header {} is given more than once; send one credential",
                header_name(twice)
            ),
        ));
    }
    // The same of a credential in the query (`?token=a&token=b`), its names as decoded.
    let query = query.filter(|_| !params.is_empty())?;
    let given = |param: &&&str| {
        form_urlencoded::parse(query.as_bytes())
            .filter(|(name, _)| name == **param)
            .nth(1)
            .is_some()
    };
    let twice = params.iter().find(given)?;
    Some(Problem::new(
        Code::BadRequest,
        format!("the query parameter {twice} is given more than once; send one credential"),
    ))
}

/// The one key a client of a vendor presents, in `X-Api-Key` (`api_key`) or the vendor's way
/// (`presented`, spelt as `asked` says), trimmed. An empty value is no key, wherever it is
/// given: beside a key given the other way it is that key alone, and given alone it is a
/// credential missing, as none would be. Two different keys are refused as a bad request:
/// which was meant is not for the gateway to guess (a read-only key beside a read-write one
/// would pass or not by which way is looked at first); the same key both ways is one.
pub fn one_key<'a>(
    api_key: Option<&'a str>,
    presented: Option<&'a str>,
    asked: &str,
) -> Result<Option<&'a str>, Problem> {
    let given = |key: Option<&'a str>| key.map(str::trim).filter(|k| !k.is_empty());
    match (given(api_key), given(presented)) {
        (Some(one), Some(other)) if one != other => Err(Problem::bad_request(format!(
            "two different keys are given, in X-Api-Key and in {asked}; send one credential"
        ))),
        (one, other) => Ok(one.or(other)),
    }
}

/// The header a client of a vendor presents its credential in, the way its dialect says:
/// `Authorization` for a bearer or basic credential, or the vendor's own; `None` for one in
/// the query, or none.
pub fn header_of(how: &ClientAuth) -> Option<&HeaderName> {
    match how {
        ClientAuth::Bearer | ClientAuth::Basic => Some(&http::header::AUTHORIZATION),
        ClientAuth::Header { name, .. } => Some(name),
        ClientAuth::Query { .. } | ClientAuth::None => None,
    }
}

/// The key of `X-Api-Key`.
pub fn api_key(headers: &HeaderMap) -> Option<&str> {
    headers.get(&X_API_KEY).and_then(|v| v.to_str().ok())
}

/// The token of `Authorization: Bearer <token>` (scheme case-insensitive).
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    v.get(..7)
        .filter(|p| p.eq_ignore_ascii_case("bearer "))
        .map(|_| v[7..].trim())
        .filter(|t| !t.is_empty())
}

/// The user and password of `Authorization: Basic <base64 of user:password>` (scheme
/// case-insensitive); `None` when the header is no such credential.
pub fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let v = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let scheme = v.get(..6).filter(|p| p.eq_ignore_ascii_case("basic "))?;
    basic_pair(&v[scheme.len()..])
}

/// The user and password of a basic credential's base64 text (what follows `Basic `).
pub fn basic_pair(encoded: &str) -> Option<(String, String)> {
    use base64::Engine;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// The token a client of a vendor presents the way its dialect says: a bearer token; the
/// password of a basic credential, or its user where the password is empty (a vendor that
/// takes its key as the user, as a few billing APIs do); the value of the vendor's header
/// after its prefix; the value of the vendor's query parameter in `query`. `None` when there is
/// none, or it is empty.
pub fn presented<'h>(
    how: &ClientAuth,
    headers: &'h HeaderMap,
    query: Option<&str>,
) -> Option<Cow<'h, str>> {
    let token = match how {
        // Trimmed and not empty already.
        ClientAuth::Bearer => return bearer(headers).map(Cow::Borrowed),
        ClientAuth::Basic => {
            let (user, password) = basic(headers)?;
            Cow::Owned(if password.is_empty() { user } else { password })
        }
        ClientAuth::Header { name, prefix } => {
            let value = headers.get(name)?.to_str().ok()?;
            let rest = value
                .get(..prefix.len())
                .filter(|p| p.eq_ignore_ascii_case(prefix))
                .map(|_| &value[prefix.len()..])?;
            Cow::Borrowed(rest.trim())
        }
        ClientAuth::Query { name } => Cow::Owned(
            form_urlencoded::parse(query?.as_bytes())
                .find(|(k, _)| k == name)?
                .1
                .into_owned(),
        ),
        ClientAuth::None => return None,
    };
    (!token.trim().is_empty()).then_some(token)
}

/// Where a client of a vendor presents its credential, for the messages that ask for it.
pub fn asked(how: &ClientAuth) -> String {
    match how {
        ClientAuth::Bearer => "Authorization: Bearer".into(),
        ClientAuth::Basic => "Authorization: Basic".into(),
        ClientAuth::Header { name, prefix } if prefix.is_empty() => header_name(name),
        ClientAuth::Header { name, prefix } => {
            format!("{}: {}", header_name(name), prefix.trim_end())
        }
        ClientAuth::Query { name } => format!("the query parameter {name}"),
        ClientAuth::None => "no header".into(),
    }
}

/// The first further part of a credential that a client's request lacks (absent or empty),
/// named where it was to be: `Ok` when all are there.
pub fn parts_presented(
    parts: &[CredentialPart],
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<(), String> {
    let lacking = parts.iter().find(|part| match part {
        CredentialPart::Header(name) => headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|v| v.trim().is_empty()),
        CredentialPart::Query(name) => query.is_none_or(|q| {
            !form_urlencoded::parse(q.as_bytes()).any(|(k, v)| k == *name && !v.trim().is_empty())
        }),
    });
    match lacking {
        None => Ok(()),
        Some(CredentialPart::Header(name)) => Err(header_name(name)),
        Some(CredentialPart::Query(name)) => Err(format!("the query parameter {name}")),
    }
}

/// A header's name as vendors' documentation writes it (`X-Vendor-Server-Token`), where
/// HTTP keeps it in lower case.
pub fn header_name(name: &HeaderName) -> String {
    name.as_str()
        .split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The header field by which a client presents `token` the way its dialect says (how the
/// gateway calls the emulators it runs). `None` for a dialect that takes no credential or
/// takes it in the query ([`query_pair`]), and for a token no header can carry.
pub fn present(how: &ClientAuth, token: &str) -> Option<(HeaderName, HeaderValue)> {
    use base64::Engine;
    let (name, text) = match how {
        ClientAuth::Bearer => (http::header::AUTHORIZATION, format!("Bearer {token}")),
        ClientAuth::Basic => {
            let pair =
                base64::engine::general_purpose::STANDARD.encode(format!("hookgate:{token}"));
            (http::header::AUTHORIZATION, format!("Basic {pair}"))
        }
        ClientAuth::Header { name, prefix } => (name.clone(), format!("{prefix}{token}")),
        ClientAuth::Query { .. } | ClientAuth::None => return None,
    };
    let mut value = HeaderValue::from_str(&text).ok()?;
    value.set_sensitive(true);
    Some((name, value))
}

/// The query parameter `name=token`, percent-encoded, by which a client presents `token` in
/// the query.
pub fn query_pair(name: &str, token: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair(name, token)
        .finish()
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
            Caller {
                key: Some("reader"),
                digest: Some(&Sha256::digest(b"r-key").into()),
                withholds_secret: true,
                reach: None,
            }
        );
        assert_eq!(
            inbound
                .authorize(&with("r-key"), Scope::Write, Some("chat"))
                .unwrap_err()
                .code,
            Code::Forbidden
        );
        assert_eq!(
            inbound
                .authorize(&with("w-key"), Scope::Write, Some("voice"))
                .unwrap(),
            Caller {
                key: Some("t-writer"),
                digest: Some(&Sha256::digest(b"w-key").into()),
                withholds_secret: false,
                reach: Some(&["voice".to_string()][..]),
            }
        );
        assert_eq!(
            inbound
                .authorize(&with("w-key"), Scope::Read, Some("chat"))
                .unwrap_err()
                .code,
            Code::Forbidden
        );
        assert_eq!(
            Inbound::Off
                .authorize(&HeaderMap::new(), Scope::Write, None)
                .unwrap(),
            Caller::default()
        );
    }

    #[test]
    fn a_token_is_found_where_each_scheme_puts_it_and_presented_there_again() {
        let header = ClientAuth::Header {
            name: HeaderName::from_static("x-server-token"),
            prefix: String::new(),
        };
        let prefixed = ClientAuth::Header {
            name: http::header::AUTHORIZATION,
            prefix: "SSWS ".into(),
        };
        for how in [ClientAuth::Bearer, ClientAuth::Basic, header, prefixed] {
            let (name, value) = present(&how, "k3y-value").unwrap();
            assert!(value.is_sensitive());
            let mut headers = HeaderMap::new();
            headers.insert(name, value);
            assert_eq!(
                presented(&how, &headers, None).as_deref(),
                Some("k3y-value"),
                "{how:?}"
            );
        }
        let with = |value: &str| {
            let mut h = HeaderMap::new();
            h.insert(
                http::header::AUTHORIZATION,
                HeaderValue::from_str(value).unwrap(),
            );
            h
        };
        // The key as the user where the password is empty; a malformed basic credential is none.
        let user_only = with("Basic a2V5LWFzLXVzZXI6");
        assert_eq!(
            presented(&ClientAuth::Basic, &user_only, None).as_deref(),
            Some("key-as-user")
        );
        assert_eq!(
            presented(&ClientAuth::Basic, &with("Basic !!!"), None),
            None
        );
        assert_eq!(
            presented(&ClientAuth::Basic, &with("Bearer k3y"), None),
            None
        );
        assert_eq!(
            presented(&ClientAuth::Bearer, &with("Bearer  "), None),
            None
        );
        assert_eq!(
            presented(&ClientAuth::None, &with("Bearer k3y"), None),
            None
        );
        let query = ClientAuth::Query { name: "key".into() };
        let pair = query_pair("key", "k3y value&more");
        assert_eq!(pair, "key=k3y+value%26more");
        let text = format!("limit=2&{pair}");
        assert_eq!(
            presented(&query, &HeaderMap::new(), Some(&text)).as_deref(),
            Some("k3y value&more")
        );
        assert_eq!(presented(&query, &HeaderMap::new(), Some("keys=x")), None);
        assert_eq!(asked(&query), "the query parameter key");
        assert_eq!(asked(&ClientAuth::Basic), "Authorization: Basic");
        let named = ClientAuth::Header {
            name: HeaderName::from_static("x-postmark-server-token"),
            prefix: String::new(),
        };
        assert_eq!(asked(&named), "X-Postmark-Server-Token");
    }

    #[test]
    fn parses_hex_digests() {
        assert!(parse_sha256(&"ab".repeat(32)).is_some());
        assert!(parse_sha256("abc").is_none());
        assert!(parse_sha256(&"zz".repeat(32)).is_none());
    }
}
