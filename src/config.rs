//! Configuration: figment layers (built-in defaults, then the TOML file, then `HOOKGATE__`
//! environment variables, then the command line's `--listen`), read raw, then validated into
//! a fully typed [`Config`] with every problem reported at once.
//!
//! Three steps, each reporting all it finds: the merged tree is checked against the
//! configuration's shape (`schema`: unknown keys with a "did you mean", wrongly typed values,
//! relative paths resolved against their file's folder); serde reads what is left into
//! [`RawConfig`]; and one validator per section turns each raw section into its typed form.
//! Defaults live once, in the typed forms' `Default` (and [`Policy::default`] for upstreams);
//! the raw forms are made from them.

mod schema;
pub mod tls;

pub use schema::{env_name, keys};

use crate::upstream::resilience::Policy;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The file read, relative to the working directory, when neither `--config` nor
/// `HOOKGATE_CONFIG` names one; without it the built-in default ([`BUILT_IN`]) is used.
pub const DEFAULT_FILE: &str = "config/hookgate.toml";

/// The built-in default configuration: `config/hookgate.toml`, compiled in, so that an
/// installed binary runs from any folder with no file at all.
pub const BUILT_IN: &str = include_str!("../config/hookgate.toml");

// `default` on every section: a value [`schema`] leaves out for being wrong falls back to its
// default, so that validation still runs and reports the rest.
/// The whole configuration as written (file, environment, `--listen`), before validation turns it
/// into a [`Config`].
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
                prefix: "x".into(),
                token_env: Some(String::new()),
                token_file: Some(PathBuf::new()),
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
    },
    /// HTTP Basic: `user:password` read from exactly one of `token_env` and `token_file`.
    Basic {
        /// The environment variable holding `user:password`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_env: Option<String>,
        /// A file holding `user:password` (surrounding whitespace ignored).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_file: Option<PathBuf>,
    },
    /// A token in a header of the vendor's own, after an optional prefix.
    Header {
        /// The header (`X-Vendor-Token`, or `Authorization` with a prefix).
        name: String,
        /// What comes before the token (`SSWS `).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        prefix: String,
        /// The environment variable holding the token.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_env: Option<String>,
        /// A file holding the token (surrounding whitespace ignored).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_file: Option<PathBuf>,
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
    },
    /// The client's own credential is forwarded to the vendor, which authenticates it.
    Passthrough,
    /// No credential is sent.
    None,
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

/// The limits, typed: every connection, request and upstream call is held to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body in bytes (413 beyond).
    pub max_body_bytes: usize,
    /// From the end of a request head to the end of its body.
    pub body_read_timeout: Duration,
    /// Largest vendor answer read, in bytes.
    pub max_upstream_body_bytes: usize,
    /// From a connection's accept to its first request head, and from the first byte of each later
    /// head to its end.
    pub header_read_timeout: Duration,
    /// How long a keep-alive connection may sit idle between requests before it is closed.
    pub idle_timeout: Duration,
    /// How long a write to a client may wait without progress before its connection is closed.
    pub send_timeout: Duration,
    /// How long connecting to a vendor (or to the proxy) may take.
    pub connect_timeout: Duration,
    /// Open client connections per listener; more wait to be accepted.
    pub max_connections: usize,
    /// On shutdown, how long in-flight requests may take to finish.
    pub drain_timeout: Duration,
    /// The most header bytes a request may send (431 beyond).
    pub max_header_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 1024 * 1024,
            body_read_timeout: Duration::from_secs(30),
            max_upstream_body_bytes: 8 * 1024 * 1024,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            send_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(3),
            max_connections: 10_000,
            drain_timeout: Duration::from_secs(30),
            max_header_bytes: 32 * 1024,
        }
    }
}

impl Limits {
    /// How much of a request body is read, and for how long.
    pub fn body(&self) -> crate::http::body::BodyLimit {
        crate::http::body::BodyLimit {
            bytes: self.max_body_bytes,
            time: self.body_read_timeout,
        }
    }

    /// What each listener holds its connections to.
    pub fn listener(&self) -> crate::http::server::Limits {
        crate::http::server::Limits {
            header_read_timeout: self.header_read_timeout,
            idle_timeout: self.idle_timeout,
            send_timeout: self.send_timeout,
            max_connections: self.max_connections,
            max_header_bytes: self.max_header_bytes,
            max_body_bytes: self.max_body_bytes,
            drain_timeout: self.drain_timeout,
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// One human-readable line per event, coloured on a terminal.
    #[default]
    Pretty,
    /// One JSON object per line.
    Json,
}

impl LogFormat {
    /// The format's name as written in `[log] format`: `pretty` or `json`.
    pub fn name(self) -> &'static str {
        match self {
            LogFormat::Pretty => "pretty",
            LogFormat::Json => "json",
        }
    }
}

/// `[log]`, typed: the level is a filter tracing-subscriber parsed at validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogConfig {
    /// One human-readable line or one JSON object per event.
    pub format: LogFormat,
    /// An `EnvFilter` directive list, known to parse and to show hookgate's errors.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            format: LogFormat::Pretty,
            level: "info".into(),
        }
    }
}

/// `[debug]`, typed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DebugConfig {
    /// Serve `POST /debug/translate` on the main listener.
    pub translate: bool,
}

/// `[tls]`, loaded: the files and the rustls configuration built from them.
#[derive(Clone)]
pub struct TlsConfig {
    /// The certificate chain's file, re-read on SIGHUP.
    pub cert_file: PathBuf,
    /// The private key's file, re-read on SIGHUP.
    pub key_file: PathBuf,
    /// The listeners' rustls configuration, built from both files.
    pub server: Arc<rustls::ServerConfig>,
}

impl fmt::Debug for TlsConfig {
    // Only the paths: the rustls configuration holds the private key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfig")
            .field("cert_file", &self.cert_file)
            .field("key_file", &self.key_file)
            .finish_non_exhaustive()
    }
}

/// `[client]`, loaded: the trust anchors of every upstream call.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Whether the operating system's certificate store is trusted too.
    pub system_roots: bool,
    /// PEM files of further certificate authorities that are trusted.
    pub ca_files: Vec<PathBuf>,
    /// Every trusted root: the bundled web PKI roots and what the two settings above add.
    pub roots: Arc<rustls::RootCertStore>,
    /// SHA-256 over what `system_roots` and `ca_files` added: a changed CA file is a change.
    pub fingerprint: [u8; 32],
}

impl PartialEq for ClientConfig {
    fn eq(&self, other: &Self) -> bool {
        self.system_roots == other.system_roots
            && self.ca_files == other.ca_files
            && self.fingerprint == other.fingerprint
    }
}

impl Default for ClientConfig {
    fn default() -> Self {
        let (roots, fingerprint) = tls::client_roots(false, &[]).expect(
            "without system roots or CA files only the bundled roots are read, which cannot fail",
        );
        ClientConfig {
            system_roots: false,
            ca_files: Vec::new(),
            roots: Arc::new(roots),
            fingerprint,
        }
    }
}

/// A credential that prints as `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The credential itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// One configuration problem: where, what was found, what is accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The key the problem is about, dotted as in the file (`upstreams.NAME.base_url`).
    pub key: String,
    /// What was found and what is accepted.
    pub message: String,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

/// Every problem found while loading, in one report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigReport {
    /// Where the configuration came from (a file's path, or the built-in default).
    pub source: String,
    /// Every problem found, in the order found.
    pub problems: Vec<ConfigProblem>,
}

impl fmt::Display for ConfigReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "invalid configuration ({}):", self.source)?;
        for p in &self.problems {
            writeln!(f, "  - {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigReport {}

/// How to authenticate to an upstream, with the secret already read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpstreamAuth {
    /// hookgate's own bearer token.
    Bearer(Secret),
    /// hookgate's own `user:password`, sent as HTTP Basic.
    Basic(Secret),
    /// hookgate's own token, in the vendor's header after `prefix`.
    Header {
        /// The header.
        name: http::HeaderName,
        /// What comes before the token.
        prefix: String,
        /// The token.
        token: Secret,
    },
    /// hookgate's own token, in the vendor's query parameter `name`.
    Query {
        /// The parameter.
        name: String,
        /// The token.
        token: Secret,
    },
    /// The client's own credential, forwarded.
    Passthrough,
    /// No credential is sent.
    None,
}

/// One upstream, validated: a vendor account hookgate calls, or an emulated vendor.
#[derive(Debug, Clone, PartialEq)]
pub struct UpstreamConfig {
    /// The upstream's name, as written in `[upstreams.NAME]`.
    pub name: String,
    /// The name of the dialect it speaks (a mapping file's stem).
    pub dialect: String,
    /// The vendor's API root without a trailing `/`; absent when emulated.
    pub base_url: Option<String>,
    /// Whether hookgate serves this vendor from an in-memory emulator.
    pub emulate: bool,
    /// Where the emulator listens; port 0 on loopback (a free port) when not configured.
    pub emulator_listen: SocketAddr,
    /// How hookgate authenticates to the vendor.
    pub auth: UpstreamAuth,
    /// Timeouts, retries, circuit breaker and concurrency of its calls.
    pub policy: Policy,
    /// The emulator's settings (defaults unless emulated and configured).
    pub emulator: crate::emulator::settings::Settings,
}

/// One surface, validated: a vendor's own API served in front of an upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurfaceConfig {
    /// The surface's name, as written in `[surfaces.NAME]`.
    pub name: String,
    /// The dialect whose API is served.
    pub dialect: String,
    /// The name of the upstream its operations go to.
    pub upstream: String,
    /// Where it is mounted on the main listener, normalised to `/segment` form; absent when not
    /// mounted.
    pub prefix: Option<String>,
    /// The listener of its own, serving it at the root; absent when it has none.
    pub listen: Option<SocketAddr>,
    /// The one owner bridged when only one of its dialect and its upstream's scopes webhooks by
    /// owner.
    pub owner: Option<String>,
}

/// Where a configuration came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file, by its absolute path.
    File(PathBuf),
    /// The built-in default ([`BUILT_IN`]): no file was named and none was found.
    BuiltIn,
    /// Something else, named (a test's figment).
    Named(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::File(p) => write!(f, "{}", p.display()),
            Source::BuiltIn => f.write_str("the built-in default configuration"),
            Source::Named(n) => f.write_str(n),
        }
    }
}

/// The validated configuration: every value typed, every file it names read.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the configuration came from.
    pub source: Source,
    /// The main listener's address.
    pub listen: SocketAddr,
    /// A folder of mapping files that add dialects or replace shipped ones; absent for the shipped
    /// ones alone.
    pub mappings_dir: Option<PathBuf>,
    /// The upstream of canonical requests that name none; absent when every request must name one.
    pub default_upstream: Option<String>,
    /// The upstreams, in name order.
    pub upstreams: Vec<UpstreamConfig>,
    /// The surfaces, in name order.
    pub surfaces: Vec<SurfaceConfig>,
    /// Sizes and timeouts of connections, requests and upstream answers.
    pub limits: Limits,
    /// The log format and filter.
    pub log: LogConfig,
    /// Who may call the gateway: the API keys, or no authentication.
    pub inbound: crate::auth::Inbound,
    /// Which webhook URLs may be written towards an upstream.
    pub url_policy: Arc<crate::url_policy::UrlPolicy>,
    /// Debugging aids.
    pub debug: DebugConfig,
    /// HTTPS on the gateway's listeners; plain HTTP when absent.
    pub tls: Option<TlsConfig>,
    /// The trust anchors of every upstream call.
    pub client: ClientConfig,
    /// The variables `token_env` names: hookgate's, whatever they are called.
    pub token_envs: Vec<String>,
}

impl Config {
    /// `HOOKGATE_*` variables that are not read (read from the environment), each with the
    /// spelling that would be.
    pub fn stray_env(&self) -> Vec<ConfigProblem> {
        schema::stray_env(&self.token_envs)
    }
}

/// Whether a vendor credential named by `token_env` or `token_file` must be readable at load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credentials {
    /// Serving: an upstream without its credential is a configuration error.
    Required,
    /// Previewing (`hookgate translate`): nothing is sent, so a credential that cannot be read
    /// is replaced by a placeholder, which is redacted like any credential when shown.
    Deferred,
}

/// What the command line says about the configuration: the file (`--config`) and the listen
/// address (`serve --listen`), which wins over the file and the environment. A reload reads
/// the configuration again from the same origin.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The file named by `--config`; absent to use `HOOKGATE_CONFIG` or the defaults.
    pub file: Option<PathBuf>,
    /// The address named by `serve --listen`, which wins over the file and the environment.
    pub listen: Option<SocketAddr>,
}

impl Origin {
    /// Which file to read: `--config`, else `HOOKGATE_CONFIG`, else [`DEFAULT_FILE`] if it
    /// exists, else the built-in default. A named file that is missing is an error.
    pub fn source(&self) -> Result<Source, ConfigReport> {
        let named = self
            .file
            .clone()
            .or_else(|| std::env::var_os("HOOKGATE_CONFIG").map(PathBuf::from));
        let absolute = |p: PathBuf| std::path::absolute(&p).unwrap_or(p);
        match named.map(absolute) {
            Some(p) if p.is_file() => Ok(Source::File(p)),
            Some(p) => Err(ConfigReport {
                source: p.display().to_string(),
                problems: vec![ConfigProblem {
                    key: "(file)".into(),
                    message: format!("{} does not exist", p.display()),
                }],
            }),
            None => Ok(Some(absolute(PathBuf::from(DEFAULT_FILE)))
                .filter(|p| p.is_file())
                .map_or(Source::BuiltIn, Source::File)),
        }
    }

    /// Loads and validates: defaults, then the file, then the environment, then `--listen`.
    pub fn load(&self, credentials: Credentials) -> Result<Config, ConfigReport> {
        let source = self.source()?;
        let mut figment = Figment::from(Serialized::defaults(RawConfig::default()));
        figment = match &source {
            Source::File(file) => figment.merge(Toml::file_exact(file)),
            _ => figment.merge(Toml::string(BUILT_IN)),
        };
        figment = figment.merge(Env::prefixed("HOOKGATE__").split("__"));
        if let Some(listen) = self.listen {
            figment = figment.merge(Serialized::global("listen", listen.to_string()));
        }
        extract(&figment, source, credentials)
    }
}

/// Validates whatever a figment holds; `source` names it in the report.
pub fn from_figment(figment: &Figment, source: &str) -> Result<Config, ConfigReport> {
    extract(
        figment,
        Source::Named(source.to_owned()),
        Credentials::Required,
    )
}

fn extract(
    figment: &Figment,
    source: Source,
    credentials: Credentials,
) -> Result<Config, ConfigReport> {
    let report = |problems| ConfigReport {
        source: source.to_string(),
        problems,
    };
    let merged = figment
        .find_value("")
        .map_err(|e| report(figment_problems(e)))?;
    let (mut cleaned, mut problems) = schema::check(figment, &merged);
    // serde reports one problem at a time: each is reported, the value it is about left out
    // (its section's default takes its place), and the rest read again.
    let mut left_out: Vec<String> = problems.iter().map(|p| p.key.clone()).collect();
    let raw = loop {
        match cleaned.deserialize::<RawConfig>() {
            Ok(raw) => break raw,
            Err(e) => {
                let path = e.path.clone();
                left_out.push(path.join("."));
                for p in figment_problems(e) {
                    if !problems.iter().any(|q| related(&q.key, &p.key)) {
                        problems.push(p);
                    }
                }
                if !schema::remove(&mut cleaned, &path) {
                    return Err(report(problems));
                }
            }
        }
    };
    match validate(raw, source.clone(), credentials) {
        Ok(config) if problems.is_empty() => return Ok(config),
        Ok(_) => {}
        // A value already reported as wrong was left out: what its absence causes is not
        // reported again.
        Err(more) => {
            let fresh: Vec<ConfigProblem> = more
                .into_iter()
                .filter(|m| !left_out.iter().any(|q| under(&m.key, q)))
                .collect();
            problems.extend(fresh);
        }
    }
    Err(report(problems))
}

/// Whether `key` is `parent` or a key inside it.
fn under(key: &str, parent: &str) -> bool {
    key == parent
        || key
            .strip_prefix(parent)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// Whether two keys are one inside the other.
fn related(a: &str, b: &str) -> bool {
    under(a, b) || under(b, a)
}

/// figment's errors (a file that does not parse, a missing key), one problem each.
fn figment_problems(errors: figment::Error) -> Vec<ConfigProblem> {
    errors
        .into_iter()
        .map(|e| ConfigProblem {
            key: if e.path.is_empty() {
                "(root)".into()
            } else {
                e.path.join(".")
            },
            message: format!(
                "{}{}",
                e.kind,
                e.metadata
                    .as_ref()
                    .map(|m| format!(" (from {})", m.name))
                    .unwrap_or_default()
            ),
        })
        .collect()
}

/// Gathers problems; validators add to it and go on.
#[derive(Debug, Default)]
struct Problems(Vec<ConfigProblem>);

impl Problems {
    fn add(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.0.push(ConfigProblem {
            key: key.into(),
            message: message.into(),
        });
    }

    /// A socket address, or a problem at `key`.
    fn addr(&mut self, key: &str, text: &str) -> Option<SocketAddr> {
        let parsed = text.parse::<SocketAddr>().ok();
        if parsed.is_none() {
            self.add(
                key,
                format!(
                    "`{text}` is not a socket address; expected HOST:PORT such as 127.0.0.1:8080"
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

fn validate(
    raw: RawConfig,
    source: Source,
    credentials: Credentials,
) -> Result<Config, Vec<ConfigProblem>> {
    let mut p = Problems::default();
    let listen = p.addr("listen", &raw.listen);
    let upstreams = raw
        .upstreams
        .iter()
        .filter_map(|(name, u)| upstream(name, u, credentials, &mut p))
        .collect();
    if let Some(d) = &raw.default_upstream
        && !raw.upstreams.contains_key(d)
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
    let inbound = inbound_auth(&raw, &mut |k, m| p.add(k, m));
    let tls = raw.tls.as_ref().and_then(|t| tls_config(t, &mut p));
    let client = client(&raw.client, &mut p);
    let token_envs = raw
        .upstreams
        .values()
        .filter_map(|u| match &u.auth {
            Some(
                RawAuth::Bearer {
                    token_env: Some(var),
                    ..
                }
                | RawAuth::Basic {
                    token_env: Some(var),
                    ..
                }
                | RawAuth::Header {
                    token_env: Some(var),
                    ..
                }
                | RawAuth::Query {
                    token_env: Some(var),
                    ..
                },
            ) => Some(var.clone()),
            _ => None,
        })
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
    }
    if u.emulate && u.base_url.is_some() {
        p.add(
            format!("{key}.base_url"),
            "an emulated upstream is served by hookgate itself; remove base_url or emulate",
        );
    }
    match (&u.base_url, u.emulate) {
        (None, false) => p.add(
            format!("{key}.base_url"),
            "is required unless `emulate = true`",
        ),
        // A vendor's credential goes in `auth`, which is kept out of logs: hookgate does not
        // send a URL's user information, and a URL is shown where a credential must not be.
        // Nor is it repeated in the message.
        (Some(url), false) if has_user_information(url) => p.add(
            format!("{key}.base_url"),
            "the URL carries user information (`user:password@`); give the vendor's credential in `auth`",
        ),
        (Some(url), false)
            if !(url.starts_with("http://") || url.starts_with("https://"))
                || url.parse::<http::Uri>().is_err() =>
        {
            p.add(
                format!("{key}.base_url"),
                format!("`{url}` is not an http:// or https:// URL"),
            )
        }
        _ => {}
    }
    let policy = policy(&key, u, p);
    let emulator_listen = match &u.emulator_listen {
        Some(text) => p.addr(&format!("{key}.emulator_listen"), text),
        None => Some(SocketAddr::from(([127, 0, 0, 1], 0))),
    };
    let auth = upstream_auth(&key, u, credentials, p);
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
        policy,
        emulator,
    })
}

/// `[upstreams.NAME.emulator]`, for an emulated upstream only.
fn emulator(key: &str, u: &RawUpstream, p: &mut Problems) -> crate::emulator::settings::Settings {
    if u.emulator.is_some() && !u.emulate {
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
    if u.deadline_ms.is_some_and(|d| d < u.timeout_ms) {
        p.add(
            format!("{key}.deadline_ms"),
            format!(
                "`{}`: must be at least timeout_ms ({})",
                u.deadline_ms.unwrap_or(0),
                u.timeout_ms
            ),
        );
    }
    if u.retries > 10 {
        p.add(
            format!("{key}.retries"),
            format!("`{}`: expected 0 to 10", u.retries),
        );
    }
    if u.timeout_ms == 0 || u.timeout_ms > 300_000 {
        p.add(
            format!("{key}.timeout_ms"),
            format!("`{}`: expected 1 to 300000", u.timeout_ms),
        );
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

/// How hookgate authenticates to an upstream; an emulated one needs nothing said.
/// Whether a URL's authority holds user information (`user:password@host`).
fn has_user_information(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#'])
        .next()
        .is_some_and(|authority| authority.contains('@'))
}

fn upstream_auth(
    key: &str,
    u: &RawUpstream,
    credentials: Credentials,
    p: &mut Problems,
) -> Option<UpstreamAuth> {
    let raw = match (&u.auth, u.emulate) {
        (None, true) => return Some(UpstreamAuth::Bearer(Secret::new("emulated"))),
        (None, false) => {
            p.add(format!("{key}.auth"), "is required: { type = \"bearer\", token_env = \"VAR\" }, { type = \"basic\", … }, { type = \"header\", name = \"NAME\", … }, { type = \"passthrough\" } or { type = \"none\" }");
            return None;
        }
        (Some(raw), _) => raw,
    };
    // The secret, or a stand-in where it is read later (`check` without the environment).
    let read =
        |p: &mut Problems, kind: &str, env: &Option<String>, file: &Option<PathBuf>| match secret(
            key,
            kind,
            env.as_deref(),
            file.as_deref(),
        ) {
            Ok(token) => Some((token, true)),
            Err(Unread::Token(..)) if credentials == Credentials::Deferred => {
                Some((Secret::new("unread:unread"), false))
            }
            Err(Unread::Declaration(k, message) | Unread::Token(k, message)) => {
                p.add(k, message);
                None
            }
        };
    match raw {
        RawAuth::Passthrough => Some(UpstreamAuth::Passthrough),
        RawAuth::None => Some(UpstreamAuth::None),
        RawAuth::Bearer {
            token_env,
            token_file,
        } => read(p, "bearer", token_env, token_file).map(|(t, _)| UpstreamAuth::Bearer(t)),
        RawAuth::Basic {
            token_env,
            token_file,
        } => {
            let (token, was_read) = read(p, "basic", token_env, token_file)?;
            if was_read && !token.expose().contains(':') {
                // The value is a secret: what is wrong with it is said, the value never.
                let field = if token_env.is_some() {
                    "token_env"
                } else {
                    "token_file"
                };
                p.add(
                    format!("{key}.auth.{field}"),
                    "a basic credential is `user:password` (a vendor that takes its key as the user: `KEY:`)",
                );
                return None;
            }
            Some(UpstreamAuth::Basic(token))
        }
        RawAuth::Query {
            name,
            token_env,
            token_file,
        } => {
            if name.is_empty() {
                p.add(
                    format!("{key}.auth.name"),
                    "is required: the query parameter the vendor takes its token in",
                );
            }
            let (token, _) = read(p, "query", token_env, token_file)?;
            (!name.is_empty()).then(|| UpstreamAuth::Query {
                name: name.clone(),
                token,
            })
        }
        RawAuth::Header {
            name,
            prefix,
            token_env,
            token_file,
        } => {
            let header = match http::HeaderName::try_from(name.as_str()) {
                Ok(h) if crate::http::headers::WRITTEN.contains(&h.as_str()) => {
                    p.add(
                        format!("{key}.auth.name"),
                        format!("`{name}`: hookgate writes this header itself"),
                    );
                    None
                }
                Ok(h) if h == http::header::AUTHORIZATION && prefix.is_empty() => {
                    p.add(
                        format!("{key}.auth.prefix"),
                        "is required with `Authorization` (its scheme, as `\"SSWS \"`); for a bearer or basic credential say `type = \"bearer\"` or `\"basic\"`",
                    );
                    None
                }
                Ok(h) => Some(h),
                Err(_) => {
                    p.add(
                        format!("{key}.auth.name"),
                        format!("`{name}`: not a valid header name"),
                    );
                    None
                }
            };
            if http::HeaderValue::from_str(prefix).is_err() {
                p.add(
                    format!("{key}.auth.prefix"),
                    "is not text a header value can hold",
                );
            }
            let (token, _) = read(p, "header", token_env, token_file)?;
            Some(UpstreamAuth::Header {
                name: header?,
                prefix: prefix.clone(),
                token,
            })
        }
    }
}

/// `[surfaces.NAME]`: each vendor API served, where, and in front of which upstream.
fn surfaces(raw: &RawConfig, p: &mut Problems) -> Vec<SurfaceConfig> {
    let mut surfaces = Vec::new();
    let mut prefixes: Vec<String> = Vec::new();
    for (name, s) in &raw.surfaces {
        let key = format!("surfaces.{name}");
        if !raw.upstreams.contains_key(&s.upstream) {
            p.add(
                format!("{key}.upstream"),
                format!("`{}` names no upstream; {}", s.upstream, configured(raw)),
            );
        }
        if s.prefix.is_none() && s.listen.is_none() {
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

/// A surface's mount prefix, normalised, unless it is reserved or overlaps another's.
fn surface_prefix(
    key: &str,
    prefix: &str,
    taken: &mut Vec<String>,
    p: &mut Problems,
) -> Option<String> {
    let clean = format!("/{}", prefix.trim_matches('/'));
    if !prefix.starts_with('/')
        || clean == "/"
        || clean == "/v1"
        || clean.starts_with("/v1/")
        || clean == "/healthz"
        || clean == "/readyz"
    {
        p.add(
            format!("{key}.prefix"),
            format!(
                "`{prefix}` must start with `/` and must not be `/`, `/v1` (the canonical API) or a health path"
            ),
        );
    } else if let Some(other) = taken.iter().find(|t| {
        clean.starts_with(&format!("{t}/")) || t.starts_with(&format!("{clean}/")) || **t == clean
    }) {
        p.add(
            format!("{key}.prefix"),
            format!("`{clean}` overlaps the prefix `{other}` of another surface"),
        );
    } else {
        taken.push(clean.clone());
    }
    Some(clean)
}

/// `[limits]`, checked and typed.
fn limits(raw: &RawLimits, p: &mut Problems) -> Limits {
    if raw.max_body_bytes == 0 {
        p.add("limits.max_body_bytes", "must be at least 1");
    }
    if raw.max_header_bytes < 8192 {
        p.add(
            "limits.max_header_bytes",
            format!("`{}`: must be at least 8192", raw.max_header_bytes),
        );
    }
    if raw.max_connections == 0 {
        p.add("limits.max_connections", "must be at least 1");
    }
    for (key, value) in [
        ("header_read_timeout_ms", raw.header_read_timeout_ms),
        ("idle_timeout_ms", raw.idle_timeout_ms),
        ("send_timeout_ms", raw.send_timeout_ms),
        ("body_read_timeout_ms", raw.body_read_timeout_ms),
    ] {
        if value == 0 || value > 3_600_000 {
            p.add(
                format!("limits.{key}"),
                format!("`{value}`: expected 1 to 3600000"),
            );
        }
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

/// Reads the secret of the upstream at `key`, whose credential is of `kind`.
fn secret(
    key: &str,
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
                format!("{key}.auth"),
                format!("a {kind} credential needs exactly one of token_env or token_file"),
            ));
        }
    };
    token
        .map(|t| Secret::new(t.trim()))
        .map_err(|message| Unread::Token(format!("{key}.auth.{field}"), message))
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

fn inbound_auth(raw: &RawConfig, problem: &mut dyn FnMut(String, String)) -> crate::auth::Inbound {
    use crate::auth::{Inbound, Key, Scope, parse_sha256};
    let a = &raw.inbound_auth;
    match a.mode.as_str() {
        "off" => {
            if !a.keys.is_empty() {
                problem(
                    "inbound_auth.keys".into(),
                    "keys are configured but mode is `off`".into(),
                );
            }
            return Inbound::Off;
        }
        "api_keys" => {}
        other => {
            problem(
                "inbound_auth.mode".into(),
                format!("`{other}`: expected `api_keys` or `off`"),
            );
            return Inbound::Off;
        }
    }
    if a.keys.is_empty() {
        problem(
            "inbound_auth.keys".into(),
            "no API key is configured: add [[inbound_auth.keys]] or say `mode = \"off\"`".into(),
        );
    }
    let mut keys = Vec::new();
    for (i, k) in a.keys.iter().enumerate() {
        let key = format!("inbound_auth.keys[{i}]");
        let sha256 = parse_sha256(&k.sha256);
        if sha256.is_none() {
            problem(
                format!("{key}.sha256"),
                "expected 64 hex digits: the SHA-256 of the key, never the key".into(),
            );
        }
        let mut scopes = Vec::new();
        for s in &k.scopes {
            match Scope::parse(s) {
                Some(scope) => scopes.push(scope),
                None => problem(
                    format!("{key}.scopes"),
                    format!("`{s}`: expected webhooks:read or webhooks:write"),
                ),
            }
        }
        for u in k.upstreams.iter().flatten() {
            if !raw.upstreams.contains_key(u) {
                problem(
                    format!("{key}.upstreams"),
                    format!("`{u}` names no upstream; {}", configured(raw)),
                );
            }
        }
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

fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
// `Jail::expect_with` takes closures returning figment's own (large) error type.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin::default()
    }

    #[test]
    fn the_file_is_the_flag_then_the_variable_then_the_folder_s_then_the_built_in_one() {
        figment::Jail::expect_with(|jail| {
            let here = std::path::absolute(jail.directory()).unwrap();
            assert_eq!(origin().source().unwrap(), Source::BuiltIn);
            assert!(origin().load(Credentials::Required).is_ok());
            jail.create_dir("config")?;
            jail.create_file(DEFAULT_FILE, BUILT_IN)?;
            assert_eq!(
                origin().source().unwrap(),
                Source::File(here.join(DEFAULT_FILE))
            );
            jail.create_file("other.toml", "[inbound_auth]\nmode = \"off\"\n")?;
            jail.set_env("HOOKGATE_CONFIG", "other.toml");
            assert_eq!(
                origin().source().unwrap(),
                Source::File(here.join("other.toml"))
            );
            let flagged = Origin {
                file: Some("missing.toml".into()),
                listen: None,
            };
            let report = flagged.source().unwrap_err();
            assert!(
                report
                    .to_string()
                    .contains(&here.join("missing.toml").display().to_string())
            );
            Ok(())
        });
    }

    #[test]
    fn paths_are_taken_from_the_file_s_folder_or_from_the_working_directory() {
        figment::Jail::expect_with(|jail| {
            let here = std::path::absolute(jail.directory()).unwrap();
            jail.create_dir("conf")?;
            jail.create_dir("conf/maps")?;
            jail.create_dir("env-maps")?;
            jail.create_file(
                "conf/hookgate.toml",
                "mappings_dir = \"maps\"\n[inbound_auth]\nmode = \"off\"\n",
            )?;
            let from_file = Origin {
                file: Some("conf/hookgate.toml".into()),
                listen: Some("127.0.0.1:1".parse().unwrap()),
            };
            let config = from_file.load(Credentials::Required).unwrap();
            assert_eq!(config.mappings_dir, Some(here.join("conf/maps")));
            assert_eq!(config.listen.port(), 1, "--listen wins");
            jail.set_env("HOOKGATE__MAPPINGS_DIR", "env-maps");
            let config = from_file.load(Credentials::Required).unwrap();
            assert_eq!(config.mappings_dir, Some(here.join("env-maps")));
            Ok(())
        });
    }
}
