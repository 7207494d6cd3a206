//! Configuration: figment layers (built-in defaults, then the TOML file, then `HOOKGATE__`
//! environment variables), read raw, then validated into [`Config`] with every problem
//! reported at once.

use crate::upstream::Secret;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The file read when neither `--config` nor `HOOKGATE_CONFIG` names one.
pub const DEFAULT_FILE: &str = "config/hookgate.toml";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub listen: String,
    /// A folder of mapping files that add dialects or replace shipped ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mappings_dir: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_upstream: Option<String>,
    #[serde(default)]
    pub upstreams: BTreeMap<String, RawUpstream>,
    #[serde(default)]
    pub surfaces: BTreeMap<String, RawSurface>,
    #[serde(default)]
    pub limits: RawLimits,
    #[serde(default)]
    pub log: RawLog,
    #[serde(default)]
    pub inbound_auth: RawInboundAuth,
    #[serde(default)]
    pub url_policy: RawUrlPolicy,
    #[serde(default)]
    pub debug: RawDebug,
}

/// Which webhook URLs may be written towards an upstream (see [`crate::url_policy`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawUrlPolicy {
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
#[serde(deny_unknown_fields)]
pub struct RawDebug {
    /// Serve `POST /debug/translate` on the main listener (behind inbound authentication).
    #[serde(default)]
    pub translate: bool,
}

/// Who may call the canonical API. Off only when said so.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInboundAuth {
    /// `api_keys` (the default) or `off`.
    pub mode: String,
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

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKey {
    pub name: String,
    /// Hex SHA-256 of the key (`printf %s "$KEY" | sha256sum`); the key itself is never stored.
    pub sha256: String,
    pub scopes: Vec<String>,
    /// Upstreams the key may use; absent for all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstreams: Option<Vec<String>>,
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
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUpstream {
    pub dialect: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    #[serde(default)]
    pub emulate: bool,
    /// Where an emulated upstream listens; a free loopback port when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emulator_listen: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<RawAuth>,
    /// Deadline of one attempt.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Deadline of a whole call, retries included; twice `timeout_ms` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_ms: Option<u64>,
    /// Further attempts for calls that are safe to repeat.
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// Full-jitter backoff base.
    #[serde(default = "default_backoff_ms")]
    pub backoff_ms: u64,
    /// Consecutive failures that open the circuit breaker.
    #[serde(default = "default_breaker_failures")]
    pub breaker_failures: u32,
    #[serde(default = "default_breaker_cooldown_ms")]
    pub breaker_cooldown_ms: u64,
    /// Calls in flight at once; more are refused with 503.
    #[serde(default = "default_max_concurrency")]
    pub max_concurrency: usize,
    /// An emulated upstream's emulator: fixtures, faults, determinism, state file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emulator: Option<RawEmulator>,
}

/// `[upstreams.NAME.emulator]`: what a test suite sets of an emulator (and, from flags, of
/// `hookgate emulate`'s).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEmulator {
    /// Seeds the ids, secrets and fault draws the emulator makes up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// A fixed clock: the RFC 3339 time stamped on webhooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<String>,
    /// With `clock`: how far the clock moves on after each reading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_step_ms: Option<u64>,
    /// A file that keeps the webhooks across restarts and reloads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<PathBuf>,
    /// A fixtures file: webhooks (and faults) at start and after each reset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixtures: Option<PathBuf>,
    /// How many requests the journal keeps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal_limit: Option<usize>,
    /// Faults injected in the vendor's API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faults: Option<crate::emulator::faults::Faults>,
}

fn default_retries() -> u32 {
    2
}

fn default_backoff_ms() -> u64 {
    100
}

fn default_breaker_failures() -> u32 {
    5
}

fn default_breaker_cooldown_ms() -> u64 {
    10_000
}

fn default_max_concurrency() -> usize {
    256
}

fn default_timeout_ms() -> u64 {
    10_000
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum RawAuth {
    Bearer {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_env: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_file: Option<PathBuf>,
    },
    Passthrough,
    None,
}

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    pub max_body_bytes: usize,
    /// From the end of a request head to the end of its body.
    pub body_read_timeout_ms: u64,
    pub max_upstream_body_bytes: usize,
    /// From a connection's accept to its first request head, and from the first byte of each
    /// later head to its end.
    pub header_read_timeout_ms: u64,
    /// How long a keep-alive connection may sit idle between requests before it is closed.
    pub idle_timeout_ms: u64,
    /// How long a write to a client may wait without progress (a client that does not read
    /// its answers) before its connection is closed.
    pub send_timeout_ms: u64,
    pub connect_timeout_ms: u64,
    pub max_connections: usize,
    pub drain_timeout_ms: u64,
    /// The most header bytes a request may send (431 beyond).
    pub max_header_bytes: usize,
}

impl RawLimits {
    /// How much of a request body is read, and for how long.
    pub fn body(&self) -> crate::http::body::BodyLimit {
        crate::http::body::BodyLimit {
            bytes: self.max_body_bytes,
            time: std::time::Duration::from_millis(self.body_read_timeout_ms),
        }
    }
}

impl Default for RawLimits {
    fn default() -> Self {
        RawLimits {
            max_body_bytes: 1024 * 1024,
            body_read_timeout_ms: 30_000,
            max_upstream_body_bytes: 8 * 1024 * 1024,
            header_read_timeout_ms: 10_000,
            idle_timeout_ms: 30_000,
            send_timeout_ms: 30_000,
            connect_timeout_ms: 3_000,
            max_connections: 10_000,
            drain_timeout_ms: 30_000,
            max_header_bytes: 32 * 1024,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLog {
    /// `pretty` or `json`.
    pub format: String,
    /// A tracing filter (`info`, `hookgate=debug`); `RUST_LOG` wins when set.
    pub level: String,
}

impl Default for RawLog {
    fn default() -> Self {
        RawLog {
            format: "pretty".into(),
            level: "info".into(),
        }
    }
}

/// One configuration problem: where, what was found, what is accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub key: String,
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
    pub source: String,
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
    Bearer(Secret),
    Passthrough,
    None,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UpstreamConfig {
    pub name: String,
    pub dialect: String,
    pub base_url: Option<String>,
    pub emulate: bool,
    pub emulator_listen: SocketAddr,
    pub auth: UpstreamAuth,
    pub policy: crate::upstream::resilience::Policy,
    /// The emulator's settings (defaults unless emulated and configured).
    pub emulator: crate::emulator::Settings,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurfaceConfig {
    pub name: String,
    pub dialect: String,
    pub upstream: String,
    pub prefix: Option<String>,
    pub listen: Option<SocketAddr>,
    pub owner: Option<String>,
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub mappings_dir: Option<PathBuf>,
    pub default_upstream: Option<String>,
    pub upstreams: Vec<UpstreamConfig>,
    pub surfaces: Vec<SurfaceConfig>,
    pub limits: RawLimits,
    pub log: RawLog,
    pub inbound: crate::auth::Inbound,
    pub url_policy: std::sync::Arc<crate::url_policy::UrlPolicy>,
    pub debug: RawDebug,
}

/// Which file to read: `--config`, else `HOOKGATE_CONFIG`, else the default if it exists.
/// A named file that is missing is an error.
pub fn choose_file(flag: Option<&Path>) -> Result<Option<PathBuf>, ConfigReport> {
    let named = flag
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("HOOKGATE_CONFIG").map(PathBuf::from));
    match named {
        Some(p) if p.is_file() => Ok(Some(p)),
        Some(p) => Err(ConfigReport {
            source: p.display().to_string(),
            problems: vec![ConfigProblem {
                key: "(file)".into(),
                message: format!("{} does not exist", p.display()),
            }],
        }),
        None => Ok(Some(PathBuf::from(DEFAULT_FILE)).filter(|p| p.is_file())),
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

/// Loads and validates: defaults, then `file`, then the environment.
pub fn load(file: Option<&Path>, credentials: Credentials) -> Result<Config, ConfigReport> {
    let mut figment = Figment::from(Serialized::defaults(RawConfig::default()));
    if let Some(file) = file {
        figment = figment.merge(Toml::file_exact(file));
    }
    let figment = figment.merge(Env::prefixed("HOOKGATE__").split("__"));
    extract(
        &figment,
        &file
            .map(|f| f.display().to_string())
            .unwrap_or_else(|| "built-in defaults".into()),
        credentials,
    )
}

/// Validates whatever a figment holds; `source` names it in the report.
pub fn from_figment(figment: &Figment, source: &str) -> Result<Config, ConfigReport> {
    extract(figment, source, Credentials::Required)
}

fn extract(
    figment: &Figment,
    source: &str,
    credentials: Credentials,
) -> Result<Config, ConfigReport> {
    let raw: RawConfig = figment.extract().map_err(|errors| ConfigReport {
        source: source.to_owned(),
        problems: errors
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
            .collect(),
    })?;
    validate(raw, credentials).map_err(|problems| ConfigReport {
        source: source.to_owned(),
        problems,
    })
}

/// Why a bearer credential was not read: its declaration is wrong, or the token it names
/// cannot be read (which a preview may pass over). Each carries the key and the message.
enum Unread {
    Declaration(String, String),
    Token(String, String),
}

/// Reads the bearer credential of the upstream at `key`.
fn bearer_token(
    key: &str,
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
                "a bearer credential needs exactly one of token_env or token_file".into(),
            ));
        }
    };
    token
        .map(|t| Secret::new(t.trim()))
        .map_err(|message| Unread::Token(format!("{key}.auth.{field}"), message))
}

fn validate(raw: RawConfig, credentials: Credentials) -> Result<Config, Vec<ConfigProblem>> {
    let mut problems = Vec::new();
    let mut problem = |key: String, message: String| problems.push(ConfigProblem { key, message });
    let addr = |text: &str, key: &str, problem: &mut dyn FnMut(String, String)| match text
        .parse::<SocketAddr>()
    {
        Ok(a) => Some(a),
        Err(_) => {
            problem(
                key.into(),
                format!(
                    "`{text}` is not a socket address; expected HOST:PORT such as 127.0.0.1:8080"
                ),
            );
            None
        }
    };
    let listen = addr(&raw.listen, "listen", &mut problem);
    let mut upstreams = Vec::new();
    for (name, u) in &raw.upstreams {
        let key = format!("upstreams.{name}");
        if !is_name(name) {
            problem(
                key.clone(),
                "an upstream name uses letters, digits, `-` and `_`".into(),
            );
        }
        if u.emulate && u.base_url.is_some() {
            problem(
                format!("{key}.base_url"),
                "an emulated upstream is served by hookgate itself; remove base_url or emulate"
                    .into(),
            );
        }
        if !u.emulate {
            match &u.base_url {
                None => problem(
                    format!("{key}.base_url"),
                    "is required unless `emulate = true`".into(),
                ),
                Some(url)
                    if !(url.starts_with("http://") || url.starts_with("https://"))
                        || url.parse::<http::Uri>().is_err() =>
                {
                    problem(
                        format!("{key}.base_url"),
                        format!("`{url}` is not an http:// or https:// URL"),
                    )
                }
                Some(_) => {}
            }
        }
        if u.deadline_ms.is_some_and(|d| d < u.timeout_ms) {
            problem(
                format!("{key}.deadline_ms"),
                format!(
                    "`{}`: must be at least timeout_ms ({})",
                    u.deadline_ms.unwrap_or(0),
                    u.timeout_ms
                ),
            );
        }
        if u.retries > 10 {
            problem(
                format!("{key}.retries"),
                format!("`{}`: expected 0 to 10", u.retries),
            );
        }
        if u.timeout_ms == 0 || u.timeout_ms > 300_000 {
            problem(
                format!("{key}.timeout_ms"),
                format!("`{}`: expected 1 to 300000", u.timeout_ms),
            );
        }
        if u.emulator.is_some() && !u.emulate {
            problem(
                format!("{key}.emulator"),
                "configures an emulator: only for an upstream with `emulate = true`".into(),
            );
        }
        let emulator = match crate::emulator::Settings::from_raw(
            u.emulator.as_ref().unwrap_or(&RawEmulator::default()),
            &format!("{key}.emulator"),
        ) {
            Ok(settings) => settings,
            Err(found) => {
                for p in found {
                    problem(p.key, p.message);
                }
                crate::emulator::Settings::default()
            }
        };
        if let Some(state) = &emulator.state
            && let Some(other) = raw.upstreams.iter().find(|(other, o)| {
                *other < name && o.emulator.as_ref().and_then(|e| e.state.as_ref()) == Some(state)
            })
        {
            problem(
                format!("{key}.emulator.state"),
                format!(
                    "`{}` is the state file of upstream {} too: each emulator needs its own",
                    state.display(),
                    other.0
                ),
            );
        }
        let emulator_listen = match &u.emulator_listen {
            Some(text) => addr(text, &format!("{key}.emulator_listen"), &mut problem),
            None => Some(SocketAddr::from(([127, 0, 0, 1], 0))),
        };
        let auth = match (&u.auth, u.emulate) {
            (None, true) => Some(UpstreamAuth::Bearer(Secret::new("emulated"))),
            (None, false) => {
                problem(format!("{key}.auth"), "is required: { type = \"bearer\", token_env = \"VAR\" }, { type = \"passthrough\" } or { type = \"none\" }".into());
                None
            }
            (Some(RawAuth::Passthrough), _) => Some(UpstreamAuth::Passthrough),
            (Some(RawAuth::None), _) => Some(UpstreamAuth::None),
            (
                Some(RawAuth::Bearer {
                    token_env,
                    token_file,
                }),
                _,
            ) => match bearer_token(&key, token_env.as_deref(), token_file.as_deref()) {
                Ok(token) => Some(UpstreamAuth::Bearer(token)),
                Err(Unread::Token(..)) if credentials == Credentials::Deferred => {
                    Some(UpstreamAuth::Bearer(Secret::new("unread")))
                }
                Err(Unread::Declaration(k, message) | Unread::Token(k, message)) => {
                    problem(k, message);
                    None
                }
            },
        };
        if let (Some(emulator_listen), Some(auth)) = (emulator_listen, auth) {
            upstreams.push(UpstreamConfig {
                name: name.clone(),
                dialect: u.dialect.clone(),
                base_url: u
                    .base_url
                    .as_ref()
                    .map(|b| b.trim_end_matches('/').to_owned()),
                emulate: u.emulate,
                emulator_listen,
                auth,
                policy: crate::upstream::resilience::Policy {
                    attempt_timeout: Duration::from_millis(u.timeout_ms),
                    deadline: Duration::from_millis(u.deadline_ms.unwrap_or(2 * u.timeout_ms)),
                    retries: u.retries,
                    backoff_base: Duration::from_millis(u.backoff_ms),
                    backoff_cap: Duration::from_millis(u.backoff_ms.saturating_mul(20)),
                    breaker_failures: u.breaker_failures.max(1),
                    breaker_cooldown: Duration::from_millis(u.breaker_cooldown_ms),
                    max_concurrency: u.max_concurrency.max(1),
                },
                emulator,
            });
        }
    }
    if let Some(d) = &raw.default_upstream
        && !raw.upstreams.contains_key(d)
    {
        let known: Vec<&str> = raw.upstreams.keys().map(String::as_str).collect();
        problem(
            "default_upstream".into(),
            format!("`{d}` names no upstream; configured: {}", known.join(", ")),
        );
    }
    let mut surfaces = Vec::new();
    let mut prefixes: Vec<String> = Vec::new();
    for (name, s) in &raw.surfaces {
        let key = format!("surfaces.{name}");
        if !raw.upstreams.contains_key(&s.upstream) {
            problem(
                format!("{key}.upstream"),
                format!("`{}` names no upstream", s.upstream),
            );
        }
        if s.prefix.is_none() && s.listen.is_none() {
            problem(
                key.clone(),
                "needs a `prefix` on the main listener, a `listen` address of its own, or both"
                    .into(),
            );
        }
        if let Some(prefix) = &s.prefix {
            let clean = format!("/{}", prefix.trim_matches('/'));
            if !prefix.starts_with('/')
                || clean == "/"
                || clean == "/v1"
                || clean.starts_with("/v1/")
                || clean == "/healthz"
                || clean == "/readyz"
            {
                problem(
                    format!("{key}.prefix"),
                    format!(
                        "`{prefix}` must start with `/` and must not be `/`, `/v1` (the canonical API) or a health path"
                    ),
                );
            } else if let Some(other) = prefixes.iter().find(|p| {
                clean.starts_with(&format!("{p}/"))
                    || p.starts_with(&format!("{clean}/"))
                    || **p == clean
            }) {
                problem(
                    format!("{key}.prefix"),
                    format!("`{clean}` overlaps the prefix `{other}` of another surface"),
                );
            } else {
                prefixes.push(clean);
            }
        }
        let listen = s
            .listen
            .as_ref()
            .and_then(|l| addr(l, &format!("{key}.listen"), &mut problem));
        surfaces.push(SurfaceConfig {
            name: name.clone(),
            dialect: s.dialect.clone(),
            upstream: s.upstream.clone(),
            prefix: s
                .prefix
                .as_ref()
                .map(|p| format!("/{}", p.trim_matches('/'))),
            listen,
            owner: s.owner.clone(),
        });
    }
    if !matches!(raw.log.format.as_str(), "pretty" | "json") {
        problem(
            "log.format".into(),
            format!("`{}`: expected `pretty` or `json`", raw.log.format),
        );
    }
    if raw.limits.max_body_bytes == 0 {
        problem("limits.max_body_bytes".into(), "must be at least 1".into());
    }
    if raw.limits.max_header_bytes < 8192 {
        problem(
            "limits.max_header_bytes".into(),
            format!("`{}`: must be at least 8192", raw.limits.max_header_bytes),
        );
    }
    if raw.limits.max_connections == 0 {
        problem("limits.max_connections".into(), "must be at least 1".into());
    }
    for (key, value) in [
        ("header_read_timeout_ms", raw.limits.header_read_timeout_ms),
        ("idle_timeout_ms", raw.limits.idle_timeout_ms),
        ("send_timeout_ms", raw.limits.send_timeout_ms),
        ("body_read_timeout_ms", raw.limits.body_read_timeout_ms),
    ] {
        if value == 0 || value > 3_600_000 {
            problem(
                format!("limits.{key}"),
                format!("`{value}`: expected 1 to 3600000"),
            );
        }
    }
    let url_policy = url_policy(&raw.url_policy, &mut problem);
    let inbound = inbound_auth(&raw, &mut problem);
    let (Some(listen), true) = (listen, problems.is_empty()) else {
        return Err(problems);
    };
    Ok(Config {
        listen,
        mappings_dir: raw.mappings_dir,
        default_upstream: raw.default_upstream,
        upstreams,
        surfaces,
        limits: raw.limits,
        log: raw.log,
        inbound,
        url_policy: std::sync::Arc::new(url_policy),
        debug: raw.debug,
    })
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
                    format!("`{u}` names no upstream"),
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
