//! The configuration as written: the serde forms of every section, read from the merged
//! figment layers with unknown keys refused, each made from its typed form's defaults so that
//! a default is written once.

use super::{Limits, LogConfig, schema};
use crate::upstream::resilience::Policy;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

// `default` on every section: a value [`schema`] leaves out for being wrong falls back to its
// default, so that validation still runs and reports the rest.
/// The whole configuration as written (file, environment, `--listen`), before validation turns it
/// into a [`Config`](super::Config).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawConfig {
    /// The main listener's `HOST:PORT`; `127.0.0.1:8080` by default.
    pub listen: String,
    /// A folder of mapping files that add dialects or replace shipped ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mappings_dir: Option<PathBuf>,
    /// The upstream of canonical requests that name none (`/v1/webhooks`); none by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_upstream: Option<String>,
    /// `[upstreams.NAME]`: the vendor accounts and emulated vendors, by name.
    #[serde(default)]
    pub upstreams: BTreeMap<String, RawUpstream>,
    /// `[surfaces.NAME]`: the vendor APIs served in front of an upstream, by name.
    #[serde(default)]
    pub surfaces: BTreeMap<String, RawSurface>,
    /// `[limits]`: sizes and timeouts of connections, requests and upstream answers.
    #[serde(default)]
    pub limits: RawLimits,
    /// `[log]`: the log format and filter.
    #[serde(default)]
    pub log: RawLog,
    /// `[inbound_auth]`: who may call the gateway.
    #[serde(default)]
    pub inbound_auth: RawInboundAuth,
    /// `[url_policy]`: which webhook URLs may be written towards an upstream.
    #[serde(default)]
    pub url_policy: RawUrlPolicy,
    /// `[debug]`: debugging aids, all off by default.
    #[serde(default)]
    pub debug: RawDebug,
    /// HTTPS on the gateway's listeners; plain HTTP when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<RawTls>,
    /// `[client]`: the certificate authorities upstream calls trust.
    #[serde(default)]
    pub client: RawClient,
}

/// Which webhook URLs may be written towards an upstream (see [`crate::url_policy`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawUrlPolicy {
    /// Refuse `http://` webhook URLs (on by default).
    pub https_only: bool,
    /// Loopback, private, shared and link-local addresses, and internal host names.
    pub allow_private: bool,
    /// `user:password@` in the URL.
    pub allow_userinfo: bool,
    /// Hosts exempt from the address and name rules: names, `*.suffix`, addresses, CIDR blocks.
    pub allow_hosts: Vec<String>,
    /// Hosts always refused, in the same forms.
    pub deny_hosts: Vec<String>,
    /// Also enforce the policy in emulators' own APIs.
    pub apply_to_emulators: bool,
}

impl Default for RawUrlPolicy {
    fn default() -> Self {
        let policy = crate::url_policy::UrlPolicy::default();
        RawUrlPolicy {
            https_only: policy.https_only,
            allow_private: policy.allow_private,
            allow_userinfo: policy.allow_userinfo,
            allow_hosts: Vec::new(),
            deny_hosts: Vec::new(),
            apply_to_emulators: policy.apply_to_emulators,
        }
    }
}

/// Debugging aids, all off unless said so.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawDebug {
    /// Serve `POST /debug/translate` on the main listener (behind inbound authentication).
    #[serde(default)]
    pub translate: bool,
}

/// Who may call the canonical API. Off only when said so.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawInboundAuth {
    /// `api_keys` (the default) or `off`.
    pub mode: String,
    /// The accepted API keys, by their hashes; at least one when `mode` is `api_keys`.
    #[serde(default)]
    pub keys: Vec<RawKey>,
}

impl Default for RawInboundAuth {
    fn default() -> Self {
        RawInboundAuth {
            mode: "api_keys".into(),
            keys: Vec::new(),
        }
    }
}

/// One `[[inbound_auth.keys]]` entry: an API key's hash, what it may do and where.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKey {
    /// A name for logs.
    pub name: String,
    /// Hex SHA-256 of the key (`printf %s "$KEY" | sha256sum`); the key itself is never stored.
    pub sha256: String,
    /// What the key may do: `webhooks:read`, `webhooks:write`.
    pub scopes: Vec<String>,
    /// Upstreams the key may use; absent for all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstreams: Option<Vec<String>>,
}

/// `[tls]`: the listener's certificate chain and key, PEM files re-read on SIGHUP.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTls {
    /// The PEM certificate chain, leaf first.
    pub cert_file: PathBuf,
    /// The leaf's PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key_file: PathBuf,
}

/// `[client]`: what the upstream client trusts besides the bundled web PKI roots.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawClient {
    /// Also trust the operating system's certificate store.
    pub system_roots: bool,
    /// PEM files of further certificate authorities (a private CA, a corporate proxy's).
    pub ca_files: Vec<PathBuf>,
}

impl Default for RawConfig {
    fn default() -> Self {
        RawConfig {
            listen: "127.0.0.1:8080".into(),
            mappings_dir: None,
            default_upstream: None,
            upstreams: BTreeMap::new(),
            surfaces: BTreeMap::new(),
            limits: RawLimits::default(),
            log: RawLog::default(),
            inbound_auth: RawInboundAuth::default(),
            url_policy: RawUrlPolicy::default(),
            debug: RawDebug::default(),
            tls: None,
            client: RawClient::default(),
        }
    }
}

impl RawConfig {
    /// A configuration with every optional key set and one entry (named `<name>`) in
    /// each table of named entries and each list: the shape the `schema` step checks files against.
    pub fn sample() -> RawConfig {
        let name = schema::NAME.to_owned();
        let upstream = RawUpstream {
            base_url: Some(String::new()),
            emulator_listen: Some(String::new()),
            // The variant with every key any variant has: the shape lists them all.
            auth: Some(RawAuth::Header {
                name: String::new(),
                prefix: Some("x".into()),
                token_env: Some(String::new()),
                token_file: Some(PathBuf::new()),
                also: vec![RawPart::Header {
                    name: String::new(),
                    prefix: Some("x".into()),
                    token_env: Some(String::new()),
                    token_file: Some(PathBuf::new()),
                }],
            }),
            deadline_ms: Some(0),
            emulator: Some(crate::emulator::settings::RawEmulator {
                seed: Some(0),
                clock: Some(String::new()),
                clock_step_ms: Some(0),
                state: Some(PathBuf::new()),
                fixtures: Some(PathBuf::new()),
                journal_limit: Some(0),
                faults: Some(crate::emulator::faults::Faults::default()),
            }),
            ..RawUpstream::new(String::new())
        };
        let surface = RawSurface {
            dialect: String::new(),
            upstream: String::new(),
            prefix: Some(String::new()),
            listen: Some(String::new()),
            owner: Some(String::new()),
        };
        RawConfig {
            mappings_dir: Some(PathBuf::new()),
            default_upstream: Some(String::new()),
            upstreams: BTreeMap::from([(name.clone(), upstream)]),
            surfaces: BTreeMap::from([(name, surface)]),
            inbound_auth: RawInboundAuth {
                mode: String::new(),
                keys: vec![RawKey {
                    name: String::new(),
                    sha256: String::new(),
                    scopes: vec![String::new()],
                    upstreams: Some(vec![String::new()]),
                }],
            },
            url_policy: RawUrlPolicy {
                allow_hosts: vec![String::new()],
                deny_hosts: vec![String::new()],
                ..RawUrlPolicy::default()
            },
            tls: Some(RawTls {
                cert_file: PathBuf::new(),
                key_file: PathBuf::new(),
            }),
            client: RawClient {
                system_roots: false,
                ca_files: vec![PathBuf::new()],
            },
            ..RawConfig::default()
        }
    }
}

/// One `[upstreams.NAME]` as written: a vendor account hookgate calls, or an emulated vendor it
/// serves itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUpstream {
    /// The dialect: a shipped mapping file's stem, or one in `mappings_dir`.
    pub dialect: String,
    /// The vendor's API root, `http://` or `https://`; required unless `emulate`, refused with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Serve this vendor from an in-memory emulator instead of calling it.
    #[serde(default)]
    pub emulate: bool,
    /// Where an emulated upstream listens; a free loopback port when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emulator_listen: Option<String>,
    /// How hookgate authenticates to the vendor; required unless `emulate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<RawAuth>,
    /// Deadline of one attempt.
    #[serde(default = "defaults::timeout_ms")]
    pub timeout_ms: u64,
    /// Deadline of a whole call, retries included; [`Policy::DEADLINE_FACTOR`] times
    /// `timeout_ms` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_ms: Option<u64>,
    /// Further attempts for calls that are safe to repeat.
    #[serde(default = "defaults::retries")]
    pub retries: u32,
    /// Full-jitter backoff base.
    #[serde(default = "defaults::backoff_ms")]
    pub backoff_ms: u64,
    /// Consecutive failures that open the circuit breaker.
    #[serde(default = "defaults::breaker_failures")]
    pub breaker_failures: u32,
    /// How long an open breaker refuses calls before one probe, in milliseconds.
    #[serde(default = "defaults::breaker_cooldown_ms")]
    pub breaker_cooldown_ms: u64,
    /// Calls in flight at once; more wait for a slot (see `max_pending`).
    #[serde(default = "defaults::max_concurrency")]
    pub max_concurrency: usize,
    /// Calls that may wait for a slot, within their deadline; more are refused with 503.
    #[serde(default = "defaults::max_pending")]
    pub max_pending: usize,
    /// An emulated upstream's emulator: fixtures, faults, determinism, state file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emulator: Option<crate::emulator::settings::RawEmulator>,
}

impl RawUpstream {
    /// An upstream of `dialect` with every default.
    pub fn new(dialect: String) -> RawUpstream {
        RawUpstream {
            dialect,
            base_url: None,
            emulate: false,
            emulator_listen: None,
            auth: None,
            timeout_ms: defaults::timeout_ms(),
            deadline_ms: None,
            retries: defaults::retries(),
            backoff_ms: defaults::backoff_ms(),
            breaker_failures: defaults::breaker_failures(),
            breaker_cooldown_ms: defaults::breaker_cooldown_ms(),
            max_concurrency: defaults::max_concurrency(),
            max_pending: defaults::max_pending(),
            emulator: None,
        }
    }
}

/// An upstream's defaults, read from [`Policy::default`], the one place they are written.
mod defaults {
    use super::Policy;

    fn ms(d: std::time::Duration) -> u64 {
        u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
    }

    pub fn timeout_ms() -> u64 {
        ms(Policy::default().attempt_timeout)
    }

    pub fn retries() -> u32 {
        Policy::default().retries
    }

    pub fn backoff_ms() -> u64 {
        ms(Policy::default().backoff_base)
    }

    pub fn breaker_failures() -> u32 {
        Policy::default().breaker_failures
    }

    pub fn breaker_cooldown_ms() -> u64 {
        ms(Policy::default().breaker_cooldown)
    }

    pub fn max_concurrency() -> usize {
        Policy::default().max_concurrency
    }

    pub fn max_pending() -> usize {
        Policy::default().max_pending
    }
}

/// An upstream's `auth` as written, tagged by `type`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum RawAuth {
    /// hookgate's own bearer token, read from exactly one of `token_env` and `token_file`.
    Bearer {
        /// The environment variable holding the token.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_env: Option<String>,
        /// A file holding the token (surrounding whitespace ignored).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_file: Option<PathBuf>,
        /// Further parts of the credential, each in a header or query parameter of the
        /// vendor's own (a key beside a token).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        also: Vec<RawPart>,
    },
    /// HTTP Basic: `user:password` read from exactly one of `token_env` and `token_file`.
    Basic {
        /// The environment variable holding `user:password`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_env: Option<String>,
        /// A file holding `user:password` (surrounding whitespace ignored).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_file: Option<PathBuf>,
        /// Further parts of the credential, each in a header or query parameter of the
        /// vendor's own (a key beside a token).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        also: Vec<RawPart>,
    },
    /// A token in a header of the vendor's own, after an optional prefix.
    Header {
        /// The header (`X-Vendor-Token`, or `Authorization` with a prefix).
        name: String,
        /// What comes before the token (`SSWS `); `""` said outright where the whole
        /// `Authorization` header is the token.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        prefix: Option<String>,
        /// The environment variable holding the token.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_env: Option<String>,
        /// A file holding the token (surrounding whitespace ignored).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_file: Option<PathBuf>,
        /// Further parts of the credential, each in a header or query parameter of the
        /// vendor's own (a key beside a token).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        also: Vec<RawPart>,
    },
    /// A token in a query parameter of the vendor's own.
    Query {
        /// The parameter (`hapikey`, `key`).
        name: String,
        /// The environment variable holding the token.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_env: Option<String>,
        /// A file holding the token (surrounding whitespace ignored).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_file: Option<PathBuf>,
        /// Further parts of the credential, each in a header or query parameter of the
        /// vendor's own (a key beside a token).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        also: Vec<RawPart>,
    },
    /// The client's own credential is forwarded to the vendor, which authenticates it.
    // Braced, so that a key beside the type (a token, parts) is refused rather than ignored.
    Passthrough {},
    /// No credential is sent.
    None {},
}

impl RawAuth {
    /// The environment variables its tokens are read from, its parts' included.
    pub fn token_envs(&self) -> Vec<&str> {
        let (own, also) = match self {
            RawAuth::Bearer {
                token_env, also, ..
            }
            | RawAuth::Basic {
                token_env, also, ..
            }
            | RawAuth::Header {
                token_env, also, ..
            }
            | RawAuth::Query {
                token_env, also, ..
            } => (token_env, &also[..]),
            RawAuth::Passthrough {} | RawAuth::None {} => return Vec::new(),
        };
        let parts = also.iter().map(|part| match part {
            RawPart::Header { token_env, .. } | RawPart::Query { token_env, .. } => token_env,
        });
        std::iter::once(own)
            .chain(parts)
            .filter_map(Option::as_deref)
            .collect()
    }
}

/// A further part of hookgate's credential at a vendor, as written in `auth.also`: a token in
/// a header or query parameter of the vendor's own, read as the credential's own token is.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum RawPart {
    /// A token in a header of the vendor's own, after an optional prefix.
    Header {
        /// The header.
        name: String,
        /// What comes before the token.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        prefix: Option<String>,
        /// The environment variable holding the token.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_env: Option<String>,
        /// A file holding the token (surrounding whitespace ignored).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_file: Option<PathBuf>,
    },
    /// A token in a query parameter of the vendor's own.
    Query {
        /// The parameter.
        name: String,
        /// The environment variable holding the token.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_env: Option<String>,
        /// A file holding the token (surrounding whitespace ignored).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_file: Option<PathBuf>,
    },
}

/// One `[surfaces.NAME]` as written: a vendor's own API served in front of an upstream.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSurface {
    /// The dialect whose API is served.
    pub dialect: String,
    /// The upstream its operations go to.
    pub upstream: String,
    /// Mounted on the main listener under this prefix, e.g. `/surfaces/voice`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Served on a listener of its own, at the root, e.g. `127.0.0.1:9101`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    /// The one owner the surface bridges when only one of its dialect and its upstream's
    /// has an owner scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// `[limits]` as written: milliseconds and bytes. Its defaults are [`Limits::default`]'s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawLimits {
    /// Largest request body in bytes (413 beyond).
    pub max_body_bytes: usize,
    /// From the end of a request head to the end of its body.
    pub body_read_timeout_ms: u64,
    /// Largest vendor answer read, in bytes.
    pub max_upstream_body_bytes: usize,
    /// From a connection's accept to its first request head, and from the first byte of each
    /// later head to its end.
    pub header_read_timeout_ms: u64,
    /// How long a keep-alive connection may sit idle between requests before it is closed.
    pub idle_timeout_ms: u64,
    /// How long a write to a client may wait without progress (a client that does not read
    /// its answers) before its connection is closed.
    pub send_timeout_ms: u64,
    /// How long connecting to a vendor (or to the proxy) may take, in milliseconds.
    pub connect_timeout_ms: u64,
    /// Open client connections per listener; more wait to be accepted.
    pub max_connections: usize,
    /// On shutdown, how long in-flight requests may take to finish, in milliseconds.
    pub drain_timeout_ms: u64,
    /// The most header bytes a request may send (431 beyond).
    pub max_header_bytes: usize,
}

impl RawLimits {
    /// How much of a request body is read, and for how long.
    pub fn body(&self) -> crate::http::body::BodyLimit {
        crate::http::body::BodyLimit {
            bytes: self.max_body_bytes,
            time: Duration::from_millis(self.body_read_timeout_ms),
        }
    }
}

impl Default for RawLimits {
    fn default() -> Self {
        let l = Limits::default();
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        RawLimits {
            max_body_bytes: l.max_body_bytes,
            body_read_timeout_ms: ms(l.body_read_timeout),
            max_upstream_body_bytes: l.max_upstream_body_bytes,
            header_read_timeout_ms: ms(l.header_read_timeout),
            idle_timeout_ms: ms(l.idle_timeout),
            send_timeout_ms: ms(l.send_timeout),
            connect_timeout_ms: ms(l.connect_timeout),
            max_connections: l.max_connections,
            drain_timeout_ms: ms(l.drain_timeout),
            max_header_bytes: l.max_header_bytes,
        }
    }
}

/// `[log]` as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawLog {
    /// `pretty` or `json`.
    pub format: String,
    /// A tracing filter (`info`, `hookgate=debug`); `RUST_LOG` wins when set.
    pub level: String,
}

impl Default for RawLog {
    fn default() -> Self {
        let log = LogConfig::default();
        RawLog {
            format: log.format.name().into(),
            level: log.level,
        }
    }
}
