//! Validation: each raw section into its typed form, every problem gathered into one report
//! rather than stopping at the first; what is accepted is said beside what was found.

use super::raw::{
    RawAuth, RawClient, RawConfig, RawLimits, RawLog, RawPart, RawTls, RawUpstream, RawUrlPolicy,
};
use super::{
    ClientConfig, Config, ConfigProblem, Credentials, DebugConfig, Limits, LogConfig, LogFormat,
    PlacedToken, Secret, Source, SurfaceConfig, TlsConfig, UpstreamAuth, UpstreamConfig, tls,
};
use crate::upstream::resilience::Policy;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Gathers problems; validators add to it and go on. It knows the keys already reported
/// wrong (and left out, their defaults in their place), so that a check depending on one of
/// them is skipped rather than report what the wrong value's absence causes.
#[derive(Debug, Default)]
struct Problems<'a>(Vec<ConfigProblem>, &'a [String]);

impl Problems<'_> {
    /// Whether the value at `key` (or the table holding it) was reported wrong and left out.
    fn left_out(&self, key: &str) -> bool {
        self.1.iter().any(|q| super::under(key, q))
    }

    /// Whether a value at `key` or inside it was reported wrong and left out.
    fn holds_left_out(&self, key: &str) -> bool {
        self.1.iter().any(|q| super::under(q, key))
    }

    /// Whether any upstream a check would hold a name against was left out: the name may
    /// well be right, and the check cannot tell.
    fn upstream_left_out(&self, name: &str) -> bool {
        self.left_out(&format!("upstreams.{name}"))
    }

    fn add(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.0.push(ConfigProblem {
            key: key.into(),
            message: message.into(),
        });
    }

    /// A problem at `key` when `value` is outside the range of the keys of `pattern`.
    fn in_range(&mut self, pattern: &str, key: &str, value: u64) {
        if let Some(message) = super::schema::out_of_range(pattern, value) {
            self.add(key, message);
        }
    }

    /// A socket address, or a problem at `key`.
    fn addr(&mut self, key: &str, text: &str) -> Option<SocketAddr> {
        let parsed = text.parse::<SocketAddr>().ok();
        if parsed.is_none() {
            self.add(
                key,
                format!(
                    "`{text}` is not a socket address; expected IP:PORT, an IP address and a port such as 127.0.0.1:8080 or [::1]:8080 (a host name such as localhost is not taken)"
                ),
            );
        }
        parsed
    }
}

/// The configured upstreams, for messages about a name that is not one.
fn configured(raw: &RawConfig) -> String {
    if raw.upstreams.is_empty() {
        "no upstream is configured".into()
    } else {
        let names: Vec<&str> = raw.upstreams.keys().map(String::as_str).collect();
        format!("configured: {}", names.join(", "))
    }
}

pub(super) fn validate(
    raw: RawConfig,
    source: Source,
    credentials: Credentials,
    left_out: &[String],
) -> Result<Config, Vec<ConfigProblem>> {
    let mut p = Problems(Vec::new(), left_out);
    let listen = p.addr("listen", &raw.listen);
    let upstreams: Vec<UpstreamConfig> = raw
        .upstreams
        .iter()
        .filter_map(|(name, u)| upstream(name, u, credentials, &mut p))
        .collect();
    if let Some(d) = &raw.default_upstream
        && !raw.upstreams.contains_key(d)
        && !p.upstream_left_out(d)
    {
        p.add(
            "default_upstream",
            format!("`{d}` names no upstream; {}", configured(&raw)),
        );
    }
    shared_state_files(&raw, &mut p);
    let surfaces = surfaces(&raw, &mut p);
    let limits = limits(&raw.limits, &mut p);
    let log = log(&raw.log, &mut p);
    let url_policy = url_policy(&raw.url_policy, &mut |k, m| p.add(k, m));
    let inbound = inbound_auth(&raw, &mut p);
    let tls = raw.tls.as_ref().and_then(|t| tls_config(t, &mut p));
    let client = client(&raw.client, &mut p);
    if let Some(listen) = listen {
        let bound = listeners(listen, &upstreams, &surfaces);
        shared_listeners(&bound, &mut p);
    }
    let token_envs = raw
        .upstreams
        .values()
        .filter_map(|u| u.auth.as_ref())
        .flat_map(RawAuth::token_envs)
        .map(str::to_owned)
        .collect();
    let (Some(listen), Some(client), true) = (listen, client, p.0.is_empty()) else {
        return Err(p.0);
    };
    Ok(Config {
        source,
        listen,
        mappings_dir: raw.mappings_dir,
        default_upstream: raw.default_upstream,
        upstreams,
        surfaces,
        limits,
        log,
        inbound,
        url_policy: Arc::new(url_policy),
        debug: DebugConfig {
            translate: raw.debug.translate,
        },
        tls,
        client,
        token_envs,
    })
}

/// `[upstreams.NAME]`: its address, credential and resilience policy.
fn upstream(
    name: &str,
    u: &RawUpstream,
    credentials: Credentials,
    p: &mut Problems,
) -> Option<UpstreamConfig> {
    let key = format!("upstreams.{name}");
    if !is_name(name) {
        p.add(&key, "an upstream name uses letters, digits, `-` and `_`");
    } else if let Some(why) = unreachable_by_env(name) {
        p.add(&key, why);
    }
    // Whether the upstream is emulated decides what else it needs: with `emulate` reported
    // wrong, what it would need is not known.
    let emulate_known = !p.left_out(&format!("{key}.emulate"));
    // What only a vendor hookgate calls, or only an emulator, is given: refused by name on the
    // other rather than taken and never used (an emulated upstream's token would still have to
    // be readable; an emulator's address on a vendor would be no listener at all).
    if u.emulate {
        for (field, given) in [
            ("base_url", u.base_url.is_some()),
            ("auth", u.auth.is_some()),
        ] {
            if given {
                p.add(
                    format!("{key}.{field}"),
                    format!("an emulated upstream is served by hookgate itself; remove {field} or emulate"),
                );
            }
        }
    } else if u.emulator_listen.is_some() && emulate_known {
        p.add(
            format!("{key}.emulator_listen"),
            "is where an emulator listens: only for an upstream with `emulate = true`",
        );
    }
    match (&u.base_url, u.emulate) {
        (None, false) if emulate_known => p.add(
            format!("{key}.base_url"),
            "is required unless `emulate = true`",
        ),
        (Some(url), false) => {
            if let Some(why) = base_url_problem(url) {
                p.add(format!("{key}.base_url"), why);
            }
        }
        _ => {}
    }
    let policy = policy(&key, u, p);
    let emulator_listen = match &u.emulator_listen {
        Some(text) => p.addr(&format!("{key}.emulator_listen"), text),
        None => Some(SocketAddr::from(([127, 0, 0, 1], 0))),
    };
    let auth = if u.emulate {
        // Refused above when given: an emulator is called with the gateway's own key.
        Some((UpstreamAuth::Bearer(Secret::new("emulated")), Vec::new()))
    } else if emulate_known || u.auth.is_some() {
        upstream_auth(&key, u, credentials, p)
    } else {
        Some((UpstreamAuth::None, Vec::new()))
    };
    let (auth, auth_parts) = auth.unzip();
    let emulator = emulator(&key, u, p);
    Some(UpstreamConfig {
        name: name.to_owned(),
        dialect: u.dialect.clone(),
        base_url: u
            .base_url
            .as_ref()
            .map(|b| b.trim_end_matches('/').to_owned()),
        emulate: u.emulate,
        emulator_listen: emulator_listen?,
        auth: auth?,
        auth_parts: auth_parts?,
        policy,
        emulator,
    })
}

/// `[upstreams.NAME.emulator]`, for an emulated upstream only.
fn emulator(key: &str, u: &RawUpstream, p: &mut Problems) -> crate::emulator::settings::Settings {
    if u.emulator.is_some() && !u.emulate && !p.left_out(&format!("{key}.emulate")) {
        p.add(
            format!("{key}.emulator"),
            "configures an emulator: only for an upstream with `emulate = true`",
        );
    }
    let raw = u.emulator.clone().unwrap_or_default();
    crate::emulator::settings::Settings::from_raw(&raw, &format!("{key}.emulator")).unwrap_or_else(
        |found| {
            for problem in found {
                p.add(problem.field, problem.message);
            }
            crate::emulator::settings::Settings::default()
        },
    )
}

/// Two emulators never share a state file: each would overwrite what the other keeps.
fn shared_state_files(raw: &RawConfig, p: &mut Problems) {
    let mut seen: BTreeMap<&Path, &str> = BTreeMap::new();
    for (name, u) in &raw.upstreams {
        let Some(state) = u.emulator.as_ref().and_then(|e| e.state.as_deref()) else {
            continue;
        };
        if let Some(other) = seen.insert(state, name) {
            p.add(
                format!("upstreams.{name}.emulator.state"),
                format!(
                    "`{}` is the state file of upstream {other} too: each emulator needs its own",
                    state.display()
                ),
            );
        }
    }
}

/// An upstream's resilience settings, checked, as a [`Policy`].
fn policy(key: &str, u: &RawUpstream, p: &mut Problems) -> Policy {
    if u.deadline_ms.is_some_and(|d| d < u.timeout_ms) && !p.left_out(&format!("{key}.timeout_ms"))
    {
        p.add(
            format!("{key}.deadline_ms"),
            format!(
                "`{}`: must be at least timeout_ms ({})",
                u.deadline_ms.unwrap_or(0),
                u.timeout_ms
            ),
        );
    }
    // Each in the range the configuration reference states: no call goes out with no slot,
    // and a breaker that opens before any failure refuses every call.
    let numbers = [
        ("timeout_ms", Some(u.timeout_ms)),
        ("deadline_ms", u.deadline_ms),
        ("retries", Some(u64::from(u.retries))),
        ("backoff_ms", Some(u.backoff_ms)),
        ("breaker_failures", Some(u64::from(u.breaker_failures))),
        ("breaker_cooldown_ms", Some(u.breaker_cooldown_ms)),
        ("max_concurrency", Some(wide(u.max_concurrency))),
        ("max_pending", Some(wide(u.max_pending))),
    ];
    for (field, value) in numbers {
        if let Some(value) = value {
            p.in_range(
                &format!("upstreams.<name>.{field}"),
                &format!("{key}.{field}"),
                value,
            );
        }
    }
    Policy {
        max_pending: u.max_pending,
        ..Policy::from_settings(
            Duration::from_millis(u.timeout_ms),
            u.deadline_ms.map(Duration::from_millis),
            u.retries,
            Duration::from_millis(u.backoff_ms),
            u.breaker_failures,
            Duration::from_millis(u.breaker_cooldown_ms),
            u.max_concurrency,
        )
    }
}

/// What is wrong with an upstream's `base_url`, if anything: all that starting would refuse
/// of it ([`Origin::split`](crate::http::connect::Origin::split)), and what it would take but
/// build every vendor URL wrong from. The vendor's paths are put after the base URL as written,
/// so a query or a fragment in it would end up in the middle of each of them.
fn base_url_problem(url: &str) -> Option<String> {
    // A vendor's credential goes in `auth`, which is kept out of logs: hookgate does not send
    // a URL's user information, and a URL is shown where a credential must not be. Nor is it
    // repeated in the message.
    if has_user_information(url) {
        return Some("the URL carries user information (`user:password@`); give the vendor's credential in `auth`".into());
    }
    let scheme = url.split_once("://").map_or("", |(scheme, _)| scheme);
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        return Some(format!("`{url}` is not an http:// or https:// URL"));
    }
    if url.contains('?') {
        return Some(format!(
            "`{url}` has a query (`?…`): the vendor's paths are put after the base URL, which would leave the query in the middle of each; a base URL is a scheme, a host and a path prefix alone"
        ));
    }
    if url.contains('#') {
        return Some(format!(
            "`{url}` has a fragment (`#…`), which is never sent to a server: a base URL is a scheme, a host and a path prefix alone"
        ));
    }
    if url.parse::<http::Uri>().is_err() {
        return Some(format!("`{url}` is not an http:// or https:// URL"));
    }
    crate::http::connect::Origin::split(url.trim_end_matches('/')).err()
}

/// Whether a URL's authority holds user information (`user:password@host`).
fn has_user_information(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#'])
        .next()
        .is_some_and(|authority| authority.contains('@'))
}

/// How hookgate authenticates to a vendor it calls.
fn upstream_auth(
    key: &str,
    u: &RawUpstream,
    credentials: Credentials,
    p: &mut Problems,
) -> Option<(UpstreamAuth, Vec<PlacedToken>)> {
    let Some(raw) = &u.auth else {
        p.add(format!("{key}.auth"), "is required: { type = \"bearer\", token_env = \"VAR\" }, { type = \"basic\", … }, { type = \"header\", name = \"NAME\", … }, { type = \"query\", name = \"NAME\", … }, { type = \"passthrough\" } or { type = \"none\" }");
        return None;
    };
    let at = format!("{key}.auth");
    let tokens = Tokens {
        at: &at,
        credentials,
    };
    let (auth, also) = match raw {
        RawAuth::Passthrough {} => (Some(UpstreamAuth::Passthrough), &[][..]),
        RawAuth::None {} => (Some(UpstreamAuth::None), &[][..]),
        RawAuth::Bearer {
            token_env,
            token_file,
            also,
        } => (
            tokens
                .read(p, "bearer", token_env, token_file)
                .map(|(t, _)| UpstreamAuth::Bearer(t)),
            &also[..],
        ),
        RawAuth::Basic {
            token_env,
            token_file,
            also,
        } => (basic(&tokens, p, token_env, token_file), &also[..]),
        RawAuth::Query {
            name,
            token_env,
            token_file,
            also,
        } => (
            tokens
                .query(p, name, token_env, token_file)
                .map(UpstreamAuth::Placed),
            &also[..],
        ),
        RawAuth::Header {
            name,
            prefix,
            token_env,
            token_file,
            also,
        } => (
            tokens
                .header(p, name, prefix.as_deref(), token_env, token_file)
                .map(UpstreamAuth::Placed),
            &also[..],
        ),
    };
    let parts = auth_parts(&at, also, credentials, p);
    let auth = auth?;
    // Two parts in one place would send one of them twice, or lose it.
    let mut places: Vec<(bool, String)> = match &auth {
        UpstreamAuth::Bearer(_) | UpstreamAuth::Basic(_) => {
            vec![(true, http::header::AUTHORIZATION.to_string())]
        }
        UpstreamAuth::Placed(placed) => vec![placed.place()],
        UpstreamAuth::Passthrough | UpstreamAuth::None => Vec::new(),
    };
    for (i, part) in parts.iter().enumerate() {
        let place = part.place();
        if places.contains(&place) {
            p.add(
                format!("{at}.also[{i}].name"),
                format!(
                    "`{}`: another part of the credential is sent there",
                    place.1
                ),
            );
        }
        places.push(place);
    }
    Some((auth, parts))
}

/// `auth.also`: the further parts of a credential, each read as a token of its own.
fn auth_parts(
    at: &str,
    also: &[RawPart],
    credentials: Credentials,
    p: &mut Problems,
) -> Vec<PlacedToken> {
    let mut parts = Vec::new();
    for (i, raw) in also.iter().enumerate() {
        let at = format!("{at}.also[{i}]");
        let tokens = Tokens {
            at: &at,
            credentials,
        };
        let part = match raw {
            RawPart::Header {
                name,
                prefix,
                token_env,
                token_file,
            } => tokens.header(p, name, prefix.as_deref(), token_env, token_file),
            RawPart::Query {
                name,
                token_env,
                token_file,
            } => tokens.query(p, name, token_env, token_file),
        };
        parts.extend(part);
    }
    parts
}

/// HTTP Basic: `user:password`.
fn basic(
    tokens: &Tokens<'_>,
    p: &mut Problems,
    token_env: &Option<String>,
    token_file: &Option<PathBuf>,
) -> Option<UpstreamAuth> {
    let (token, was_read) = tokens.read(p, "basic", token_env, token_file)?;
    if was_read && !token.expose().contains(':') {
        // The value is a secret: what is wrong with it is said, the value never.
        let field = if token_env.is_some() {
            "token_env"
        } else {
            "token_file"
        };
        p.add(
            format!("{}.{field}", tokens.at),
            "a basic credential is `user:password` (a vendor that takes its key as the user: `KEY:`)",
        );
        return None;
    }
    Some(UpstreamAuth::Basic(token))
}

/// Reads the tokens of the credential (or the part of it) at `at`.
struct Tokens<'a> {
    at: &'a str,
    credentials: Credentials,
}

impl Tokens<'_> {
    /// The token, and whether it was read: a stand-in where it is read later (`check` without
    /// the environment).
    fn read(
        &self,
        p: &mut Problems,
        kind: &str,
        env: &Option<String>,
        file: &Option<PathBuf>,
    ) -> Option<(Secret, bool)> {
        match secret(self.at, kind, env.as_deref(), file.as_deref()) {
            // A token sent in a header must be text a header can hold, or every call would
            // fail; said here, where `check` sees it, not first when the gateway starts. The
            // value is a secret: what is wrong with it is said, the value never.
            Ok(token)
                if matches!(kind, "bearer" | "header")
                    && http::HeaderValue::from_str(token.expose()).is_err() =>
            {
                let field = if env.is_some() {
                    "token_env"
                } else {
                    "token_file"
                };
                p.add(
                    format!("{}.{field}", self.at),
                    "the token is not text a header value can hold (it has a control character or a line break)",
                );
                None
            }
            Ok(token) => Some((token, true)),
            Err(Unread::Token(..)) if self.credentials == Credentials::Deferred => {
                Some((Secret::new("unread:unread"), false))
            }
            Err(Unread::Declaration(k, message) | Unread::Token(k, message)) => {
                p.add(k, message);
                None
            }
        }
    }

    /// A token in the query parameter `name`.
    fn query(
        &self,
        p: &mut Problems,
        name: &str,
        env: &Option<String>,
        file: &Option<PathBuf>,
    ) -> Option<PlacedToken> {
        if name.is_empty() {
            p.add(
                format!("{}.name", self.at),
                "is required: the query parameter the vendor takes its token in",
            );
        }
        let (token, _) = self.read(p, "query", env, file)?;
        (!name.is_empty()).then(|| PlacedToken::Query {
            name: name.to_owned(),
            token,
        })
    }

    /// A token in the header `name`, after `prefix` (none where the file says none).
    fn header(
        &self,
        p: &mut Problems,
        name: &str,
        given: Option<&str>,
        env: &Option<String>,
        file: &Option<PathBuf>,
    ) -> Option<PlacedToken> {
        let prefix = given.unwrap_or_default();
        let at = self.at;
        let header = match http::HeaderName::try_from(name) {
            Ok(h) if crate::http::headers::WRITTEN.contains(&h.as_str()) => {
                p.add(
                    format!("{at}.name"),
                    format!("`{name}`: hookgate writes this header itself"),
                );
                None
            }
            // Said outright: a vendor whose `Authorization` is the key alone takes `""`.
            Ok(h) if h == http::header::AUTHORIZATION && given.is_none() => {
                p.add(
                    format!("{at}.prefix"),
                    "is required with `Authorization` (its scheme, as `\"SSWS \"`, or `\"\"` where the whole header is the key); for a bearer or basic credential say `type = \"bearer\"` or `\"basic\"`",
                );
                None
            }
            Ok(h) => Some(h),
            Err(_) => {
                p.add(
                    format!("{at}.name"),
                    format!("`{name}`: not a valid header name"),
                );
                None
            }
        };
        if http::HeaderValue::from_str(prefix).is_err() {
            p.add(
                format!("{at}.prefix"),
                "is not text a header value can hold",
            );
        }
        let (token, _) = self.read(p, "header", env, file)?;
        Some(PlacedToken::Header {
            name: header?,
            prefix: prefix.to_owned(),
            token,
        })
    }
}

/// `[surfaces.NAME]`: each vendor API served, where, and in front of which upstream.
fn surfaces(raw: &RawConfig, p: &mut Problems) -> Vec<SurfaceConfig> {
    let mut surfaces = Vec::new();
    let mut prefixes: Vec<String> = Vec::new();
    for (name, s) in &raw.surfaces {
        let key = format!("surfaces.{name}");
        if let Some(why) = unreachable_by_env(name) {
            p.add(&key, why);
        }
        if !raw.upstreams.contains_key(&s.upstream) && !p.upstream_left_out(&s.upstream) {
            p.add(
                format!("{key}.upstream"),
                format!("`{}` names no upstream; {}", s.upstream, configured(raw)),
            );
        }
        if s.prefix.is_none()
            && s.listen.is_none()
            && !p.left_out(&format!("{key}.prefix"))
            && !p.left_out(&format!("{key}.listen"))
        {
            p.add(
                &key,
                "needs a `prefix` on the main listener, a `listen` address of its own, or both",
            );
        }
        let prefix = s
            .prefix
            .as_ref()
            .and_then(|prefix| surface_prefix(&key, prefix, &mut prefixes, p));
        let listen = s
            .listen
            .as_ref()
            .and_then(|l| p.addr(&format!("{key}.listen"), l));
        surfaces.push(SurfaceConfig {
            name: name.clone(),
            dialect: s.dialect.clone(),
            upstream: s.upstream.clone(),
            prefix,
            listen,
            owner: s.owner.clone(),
        });
    }
    surfaces
}

/// A surface's mount prefix, normalised, unless it is not a path of its own: it must start
/// with `/`, must have no empty or dot segment, must not be `/`, and must not meet a path the main listener serves itself
/// ([`OWN_PATHS`](crate::routes::OWN_PATHS)) or another surface's prefix. Each refusal says
/// which of these it broke.
fn surface_prefix(
    key: &str,
    prefix: &str,
    taken: &mut Vec<String>,
    p: &mut Problems,
) -> Option<String> {
    let clean = format!("/{}", prefix.trim_matches('/'));
    let at = format!("{key}.prefix");
    let own = crate::routes::OWN_PATHS
        .iter()
        .find_map(|(path, what)| meeting(&clean, path).map(|how| (how, *path, *what)));
    if !prefix.starts_with('/') {
        p.add(
            at,
            format!("`{prefix}` must start with `/`, as in `/surfaces/{prefix}`"),
        );
    } else if let Some(segment) = unnamed_segment(one_slash_trimmed(prefix)) {
        p.add(at, format!("`{prefix}` has {segment}: every segment of a prefix names something, as in `/surfaces/NAME`"));
    } else if clean == "/" {
        p.add(
            at,
            "`/` is the main listener's root, which its own routes share: give the surface a path such as `/surfaces/NAME`",
        );
    } else if let Some((how, path, what)) = own {
        p.add(
            at,
            format!(
                "`{clean}` {how} `{path}`, {what}, which the main listener serves itself: the surface would not be reached there"
            ),
        );
    } else if let Some(other) = taken.iter().find(|t| meeting(&clean, t).is_some()) {
        p.add(
            at,
            format!("`{clean}` overlaps the prefix `{other}` of another surface"),
        );
    } else {
        taken.push(clean.clone());
    }
    Some(clean)
}

/// `prefix` without the one `/` it may end with, which is trimmed as a mount path's: `//`
/// at either end is an empty segment, refused as one within (`/a//`, `//a`).
fn one_slash_trimmed(prefix: &str) -> &str {
    prefix.strip_suffix('/').unwrap_or(prefix)
}

/// A segment of the path `clean` (its trailing `/` trimmed) that no request path can match, as
/// a message says it: an empty one (`/a//b`), which requests are refused for, or a dot segment,
/// which names no place of its own.
fn unnamed_segment(clean: &str) -> Option<String> {
    let inner = clean.strip_prefix('/')?;
    if inner.is_empty() {
        return None;
    }
    inner.split('/').find_map(|s| match s {
        "" => Some("an empty segment (`//`)".to_owned()),
        "." | ".." => Some(format!("the dot segment `{s}`")),
        _ => None,
    })
}

/// How the path `prefix` meets the path `other`, when a request could be meant for both: the
/// same path, one below the other, or one holding the other below it.
fn meeting(prefix: &str, other: &str) -> Option<&'static str> {
    if prefix == other {
        Some("is")
    } else if crate::routes::under(prefix, other).is_some() {
        Some("lies below")
    } else if crate::routes::under(other, prefix).is_some() {
        Some("holds")
    } else {
        None
    }
}

/// Every address a listener is bound to, by the key that names it: the main listener, each
/// emulated upstream's emulator and each surface with a listener of its own.
fn listeners(
    listen: SocketAddr,
    upstreams: &[UpstreamConfig],
    surfaces: &[SurfaceConfig],
) -> Vec<(String, SocketAddr)> {
    let emulators = upstreams.iter().filter(|u| u.emulate).map(|u| {
        (
            format!("upstreams.{}.emulator_listen", u.name),
            u.emulator_listen,
        )
    });
    let own = surfaces
        .iter()
        .filter_map(|s| Some((format!("surfaces.{}.listen", s.name), s.listen?)));
    std::iter::once(("listen".to_owned(), listen))
        .chain(emulators)
        .chain(own)
        .collect()
}

/// No two listeners on one address: the second would fail to bind when serving starts. Two
/// addresses clash on the same port when they are the same, or when either is every address
/// of the machine (`0.0.0.0`, `[::]`, which take the port on loopback too). Port 0 is a free
/// port chosen when binding, which never clashes.
fn shared_listeners(listeners: &[(String, SocketAddr)], p: &mut Problems) {
    for (i, (key, addr)) in listeners.iter().enumerate() {
        let clash = listeners[..i].iter().find(|(_, earlier)| {
            addr.port() != 0
                && addr.port() == earlier.port()
                && (addr.ip() == earlier.ip()
                    || addr.ip().is_unspecified()
                    || earlier.ip().is_unspecified())
        });
        // An address reported wrong stands as its default: a clash with that is not one.
        if let Some((other, earlier)) = clash
            && !p.left_out(key)
            && !p.left_out(other)
        {
            p.add(
                key,
                format!(
                    "`{addr}` takes the port of {other} (`{earlier}`): each listener needs an address of its own"
                ),
            );
        }
    }
}

/// `[limits]`, checked and typed.
fn limits(raw: &RawLimits, p: &mut Problems) -> Limits {
    // Each in the range the configuration reference states: no vendor answer fits in no
    // bytes, and a connection given no time is never made, so every call would fail.
    for (key, value) in [
        ("max_body_bytes", wide(raw.max_body_bytes)),
        ("max_header_bytes", wide(raw.max_header_bytes)),
        ("max_connections", wide(raw.max_connections)),
        ("max_upstream_body_bytes", wide(raw.max_upstream_body_bytes)),
        ("header_read_timeout_ms", raw.header_read_timeout_ms),
        ("idle_timeout_ms", raw.idle_timeout_ms),
        ("send_timeout_ms", raw.send_timeout_ms),
        ("body_read_timeout_ms", raw.body_read_timeout_ms),
        ("connect_timeout_ms", raw.connect_timeout_ms),
        ("drain_timeout_ms", raw.drain_timeout_ms),
    ] {
        p.in_range(&format!("limits.{key}"), &format!("limits.{key}"), value);
    }
    let ms = Duration::from_millis;
    Limits {
        max_body_bytes: raw.max_body_bytes,
        body_read_timeout: ms(raw.body_read_timeout_ms),
        max_upstream_body_bytes: raw.max_upstream_body_bytes,
        header_read_timeout: ms(raw.header_read_timeout_ms),
        idle_timeout: ms(raw.idle_timeout_ms),
        send_timeout: ms(raw.send_timeout_ms),
        connect_timeout: ms(raw.connect_timeout_ms),
        max_connections: raw.max_connections,
        drain_timeout: ms(raw.drain_timeout_ms),
        max_header_bytes: raw.max_header_bytes,
    }
}

/// `[log]`: the format as an enum; the level parsed as tracing-subscriber will parse it, and
/// refused when it would hide hookgate's own errors (a bare word is a target name to
/// `EnvFilter`: `level = "verbose"` would silence the gateway).
fn log(raw: &RawLog, p: &mut Problems) -> LogConfig {
    let format = match raw.format.as_str() {
        "json" => LogFormat::Json,
        "pretty" => LogFormat::Pretty,
        other => {
            p.add(
                "log.format",
                format!("`{other}`: expected `pretty` or `json`"),
            );
            LogFormat::Pretty
        }
    };
    let level = raw.level.trim();
    match check_filter(level) {
        Ok(()) => {}
        Err(why) => p.add("log.level", format!("`{level}`: {why}")),
    }
    LogConfig {
        format,
        level: level.to_owned(),
    }
}

/// `[tls]`: the certificate chain and key, read and paired now so that `check` reports them.
fn tls_config(raw: &RawTls, p: &mut Problems) -> Option<TlsConfig> {
    match tls::server_config(&raw.cert_file, &raw.key_file) {
        Ok(server) => Some(TlsConfig {
            cert_file: raw.cert_file.clone(),
            key_file: raw.key_file.clone(),
            server: Arc::new(server),
        }),
        Err(problems) => {
            for (key, message) in problems {
                p.add(key, message);
            }
            None
        }
    }
}

/// `[client]`: the trust anchors, with every CA file read now.
fn client(raw: &RawClient, p: &mut Problems) -> Option<ClientConfig> {
    match tls::client_roots(raw.system_roots, &raw.ca_files) {
        Ok((roots, fingerprint)) => Some(ClientConfig {
            system_roots: raw.system_roots,
            ca_files: raw.ca_files.clone(),
            roots: Arc::new(roots),
            fingerprint,
        }),
        Err(problems) => {
            for (key, message) in problems {
                p.add(key, message);
            }
            None
        }
    }
}

/// Why a bearer credential was not read: its declaration is wrong, or the token it names
/// cannot be read (which a preview may pass over). Each carries the key and the message.
enum Unread {
    Declaration(String, String),
    Token(String, String),
}

/// Reads the secret of the credential (or the part of one) at `at`, of `kind`.
fn secret(
    at: &str,
    kind: &str,
    token_env: Option<&str>,
    token_file: Option<&Path>,
) -> Result<Secret, Unread> {
    let (field, token) = match (token_env, token_file) {
        (Some(var), None) => (
            "token_env",
            std::env::var(var)
                .ok()
                .filter(|t| !t.trim().is_empty())
                .ok_or_else(|| format!("environment variable {var} is not set")),
        ),
        (None, Some(path)) => (
            "token_file",
            match std::fs::read_to_string(path) {
                Ok(t) if !t.trim().is_empty() => Ok(t),
                Ok(_) => Err(format!("{} is empty", path.display())),
                Err(e) => Err(format!("{}: {e}", path.display())),
            },
        ),
        _ => {
            return Err(Unread::Declaration(
                at.to_owned(),
                format!("a {kind} credential needs exactly one of token_env or token_file"),
            ));
        }
    };
    token
        .map(|t| Secret::new(t.trim()))
        .map_err(|message| Unread::Token(format!("{at}.{field}"), message))
}

/// Whether `level` is a filter that shows hookgate's errors: it must parse as an `EnvFilter`
/// (which would otherwise drop the directives it cannot read) and must not leave hookgate
/// silent (a bare word is a target name to `EnvFilter`, so `verbose` parses and shows nothing
/// of hookgate's). `off` is taken as meant.
pub fn check_filter(level: &str) -> Result<(), String> {
    if level == "off" {
        return Ok(());
    }
    if level.is_empty() {
        return Err("expected a level (error, warn, info, debug, trace) or directives such as `info,hookgate=debug`".into());
    }
    let filter = tracing_subscriber::EnvFilter::try_new(level).map_err(|e| e.to_string())?;
    use tracing_subscriber::layer::SubscriberExt;
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(filter));
    let shown = tracing::dispatcher::with_default(
        &dispatch,
        || tracing::enabled!(target: "hookgate", tracing::Level::ERROR),
    );
    if shown {
        Ok(())
    } else {
        Err("would show none of hookgate's logs, not even errors; expected a level (error, warn, info, debug, trace) or directives such as `info,hookgate=debug`".into())
    }
}

/// Compiles `[url_policy]`; every host pattern that does not parse is a problem.
fn url_policy(
    raw: &RawUrlPolicy,
    problem: &mut dyn FnMut(String, String),
) -> crate::url_policy::UrlPolicy {
    use crate::url_policy::{HostRule, UrlPolicy};
    let mut rules = |key: &str, texts: &[String]| -> Vec<HostRule> {
        texts
            .iter()
            .enumerate()
            .filter_map(|(i, text)| {
                HostRule::parse(text)
                    .map_err(|why| problem(format!("url_policy.{key}[{i}]"), why))
                    .ok()
            })
            .collect()
    };
    let allow_hosts = rules("allow_hosts", &raw.allow_hosts);
    let deny_hosts = rules("deny_hosts", &raw.deny_hosts);
    UrlPolicy {
        https_only: raw.https_only,
        allow_private: raw.allow_private,
        allow_userinfo: raw.allow_userinfo,
        allow_hosts,
        deny_hosts,
        apply_to_emulators: raw.apply_to_emulators,
    }
}

fn inbound_auth(raw: &RawConfig, p: &mut Problems) -> crate::auth::Inbound {
    use crate::auth::{Inbound, Key, Scope, parse_sha256};
    let a = &raw.inbound_auth;
    match a.mode.as_str() {
        "off" => {
            if !a.keys.is_empty() {
                p.add("inbound_auth.keys", "keys are configured but mode is `off`");
            }
            return Inbound::Off;
        }
        "api_keys" => {}
        other => {
            p.add(
                "inbound_auth.mode",
                format!("`{other}`: expected `api_keys` or `off`"),
            );
            return Inbound::Off;
        }
    }
    // A mode reported wrong stands as `api_keys`, its default: that no key is configured is
    // what its absence causes, not a problem of its own; so is it when the keys given were
    // reported wrong and left out.
    if a.keys.is_empty()
        && !p.left_out("inbound_auth.mode")
        && !p.holds_left_out("inbound_auth.keys")
    {
        p.add(
            "inbound_auth.keys",
            "no API key is configured: add [[inbound_auth.keys]] or say `mode = \"off\"`",
        );
    }
    let mut keys = Vec::new();
    let mut seen = Vec::new();
    let mut names: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, k) in a.keys.iter().enumerate() {
        let key = format!("inbound_auth.keys[{i}]");
        // A name is what tells keys apart in logs: two keys of one name could not be.
        if k.name.trim().is_empty() {
            p.add(
                format!("{key}.name"),
                "is empty: a key's name is what logs tell it by",
            );
        } else if let Some(first) = names.get(k.name.as_str()).copied() {
            p.add(
                format!("{key}.name"),
                format!(
                    "`{}` is the name of inbound_auth.keys[{first}] too: a name tells a key apart in logs, so each needs its own",
                    k.name
                ),
            );
        } else {
            names.insert(&k.name, i);
        }
        if k.scopes.is_empty() {
            p.add(
                format!("{key}.scopes"),
                "`[]` lets the key do nothing: give `webhooks:read`, `webhooks:write` or both",
            );
        }
        if k.upstreams.as_ref().is_some_and(Vec::is_empty) {
            p.add(
                format!("{key}.upstreams"),
                "`[]` names no upstream, so every request with the key would be refused: list the upstreams it may use, or leave `upstreams` out for all of them",
            );
        }
        let sha256 = parse_sha256(&k.sha256);
        if sha256.is_none() {
            p.add(
                format!("{key}.sha256"),
                "expected 64 hex digits: the SHA-256 of the key, never the key",
            );
        }
        let mut scopes = Vec::new();
        for s in &k.scopes {
            match Scope::parse(s) {
                Some(scope) => scopes.push(scope),
                None => p.add(
                    format!("{key}.scopes"),
                    format!("`{s}`: expected webhooks:read or webhooks:write"),
                ),
            }
        }
        for u in k.upstreams.iter().flatten() {
            if !raw.upstreams.contains_key(u) && !p.upstream_left_out(u) {
                p.add(
                    format!("{key}.upstreams"),
                    format!("`{u}` names no upstream; {}", configured(raw)),
                );
            }
        }
        // One key configured twice (its digest in either letter case) would be granted what
        // one of its entries says, which is not what the other says.
        if let Some(first) = sha256.and_then(|d| seen.iter().find(|(_, s)| *s == d)) {
            p.add(
                format!("{key}.sha256"),
                format!(
                    "the same key as inbound_auth.keys[{}]: configure a key once",
                    first.0
                ),
            );
            continue;
        }
        seen.extend(sha256.map(|d| (i, d)));
        if let Some(sha256) = sha256 {
            keys.push(Key {
                name: k.name.clone(),
                sha256,
                scopes,
                upstreams: k.upstreams.clone(),
            });
        }
    }
    Inbound::Keys(keys)
}

/// Why a table's entry name could not be set from the environment, if it could not: figment
/// reads `HOOKGATE__UPSTREAMS__NAME__…` in lower case, so a variable meant for `Billing`
/// makes another entry, `billing`, beside it.
fn unreachable_by_env(name: &str) -> Option<String> {
    name.bytes().any(|b| b.is_ascii_uppercase()).then(|| {
        format!(
            "`{name}` has capital letters, which no environment variable can reach (HOOKGATE__ names are read in lower case): name it `{}`",
            name.to_ascii_lowercase()
        )
    })
}

fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A count as the ranges of [`super::schema`] hold numbers.
fn wide(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}
