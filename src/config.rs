//! Configuration: figment layers (built-in defaults, then the TOML file, then `HOOKGATE__`
//! environment variables, then the command line's `--listen`), read raw, then validated into
//! a fully typed [`Config`] with every problem reported at once.
//!
//! Three steps, each reporting all it finds: the merged tree is checked against the
//! configuration's shape (`schema`: unknown keys with a "did you mean", wrongly typed values,
//! relative paths resolved against their file's folder); serde reads what is left into
//! [`RawConfig`] (`raw`); and one validator per section turns each raw section into its typed
//! form (`validate`). This file holds the typed forms and the loading that runs the steps.
//! Defaults live once, in the typed forms' `Default` (and [`Policy::default`] for upstreams);
//! the raw forms are made from them.

mod raw;
mod schema;
pub mod tls;
mod validate;

pub use raw::{
    RawAuth, RawClient, RawConfig, RawDebug, RawInboundAuth, RawKey, RawLimits, RawLog, RawSurface,
    RawTls, RawUpstream, RawUrlPolicy,
};
pub use schema::{env_name, keys};
pub use validate::check_filter;
use validate::validate;

use crate::upstream::resilience::Policy;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The file read, relative to the working directory, when neither `--config` nor
/// `HOOKGATE_CONFIG` names one; without it the built-in default ([`BUILT_IN`]) is used.
pub const DEFAULT_FILE: &str = "config/hookgate.toml";

/// The built-in default configuration: `config/hookgate.toml`, compiled in, so that an
/// installed binary runs from any folder with no file at all.
pub const BUILT_IN: &str = include_str!("../config/hookgate.toml");

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
    /// hookgate's own token, in a header or query parameter of the vendor's own.
    Placed(PlacedToken),
    /// The client's own credential, forwarded.
    Passthrough,
    /// No credential is sent.
    None,
}

/// A token of hookgate's in a header or query parameter of the vendor's own, already read:
/// a credential, or a further part of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlacedToken {
    /// A token in the vendor's header `name`, after `prefix`.
    Header {
        /// The header.
        name: http::HeaderName,
        /// What comes before the token.
        prefix: String,
        /// The token.
        token: Secret,
    },
    /// A token in the vendor's query parameter `name`.
    Query {
        /// The parameter.
        name: String,
        /// The token.
        token: Secret,
    },
}

impl PlacedToken {
    /// Where it goes: whether in a header, and the header's or parameter's name.
    pub fn place(&self) -> (bool, String) {
        match self {
            PlacedToken::Header { name, .. } => (true, name.to_string()),
            PlacedToken::Query { name, .. } => (false, name.clone()),
        }
    }
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
    /// The further parts of its credential, where the vendor takes several (a key and a token).
    pub auth_parts: Vec<PlacedToken>,
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
    /// Which file to read: `--config`, else `HOOKGATE_CONFIG`, else [`DEFAULT_FILE`] if anything
    /// is at that path, else the built-in default. A named file that is missing, and anything
    /// at either path that is not a readable file (a folder, a link to nothing, a file that
    /// cannot be read), is an error naming the path: falling back to the built-in default,
    /// which serves without authentication, would open what the file meant to close.
    pub fn source(&self) -> Result<Source, ConfigReport> {
        let named = match (&self.file, std::env::var_os("HOOKGATE_CONFIG")) {
            (Some(file), _) => Some(file.clone()),
            (None, Some(var)) if var.is_empty() => {
                return Err(file_problem(
                    "HOOKGATE_CONFIG",
                    "the variable HOOKGATE_CONFIG is set but empty: name a file, or unset it",
                ));
            }
            (None, var) => var.map(PathBuf::from),
        };
        let absolute = |p: PathBuf| std::path::absolute(&p).unwrap_or(p);
        let path = match named {
            Some(p) => absolute(p),
            None => {
                let default = absolute(PathBuf::from(DEFAULT_FILE));
                match std::fs::symlink_metadata(&default) {
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        return Ok(Source::BuiltIn);
                    }
                    _ => default,
                }
            }
        };
        match unusable(&path) {
            None => Ok(Source::File(path)),
            Some(why) => Err(file_problem(
                &path.display().to_string(),
                &format!("{} {why}", path.display()),
            )),
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

/// A report of one problem with the configuration file itself.
fn file_problem(source: &str, message: &str) -> ConfigReport {
    ConfigReport {
        source: source.to_owned(),
        problems: vec![ConfigProblem {
            key: "(file)".into(),
            message: message.to_owned(),
        }],
    }
}

/// Why `path` cannot be read as the configuration file, if it cannot.
fn unusable(path: &std::path::Path) -> Option<String> {
    let linked = std::fs::symlink_metadata(path).ok();
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(_) if linked.as_ref().is_some_and(|m| m.file_type().is_symlink()) => {
            return Some(match std::fs::read_link(path) {
                Ok(target) => format!(
                    "is a symbolic link to {}, which does not exist",
                    target.display()
                ),
                Err(_) => "is a symbolic link to nothing".into(),
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Some("does not exist".into());
        }
        Err(e) => return Some(format!("cannot be read: {e}")),
    };
    if meta.is_dir() {
        return Some("is a directory, not a configuration file".into());
    }
    if !meta.is_file() {
        return Some("is not a regular file".into());
    }
    std::fs::File::open(path)
        .err()
        .map(|e| format!("cannot be read: {e}"))
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
    let schema::Checked {
        mut cleaned,
        mut problems,
        dropped,
    } = schema::check(figment, &merged);
    let mut dropped = Dropped(dropped);
    // serde reports one problem at a time: each is reported, the value it is about left out
    // (its section's default takes its place), and the rest read again. Every key is named as
    // the file writes it: a list's element by its index there, in brackets.
    let mut left_out: Vec<String> = problems.iter().map(|p| p.key.clone()).collect();
    let raw = loop {
        match cleaned.deserialize::<RawConfig>() {
            Ok(raw) => break raw,
            Err(e) => {
                let path = e.path.clone();
                let key = dropped.key(&key_of(&cleaned, &path));
                for error in e {
                    let mut p = serde_problem(&dropped, &cleaned, &error);
                    // A table only the environment wrote (a variable's name read in lower
                    // case, or misspelt) is missing what a file would give it: say which
                    // variables made it, or nothing points at them. A value a variable set
                    // names that variable.
                    let made = schema::made_by_env(figment, &cleaned, &error.path);
                    if !made.is_empty() {
                        p.message = format!(
                            "{} (in a table made by environment variable {} alone)",
                            p.message,
                            made.join(", ")
                        );
                    } else if let Some(variable) =
                        schema::env_variable(figment, &cleaned, &error.path)
                    {
                        p.message = format!("{} (from environment variable {variable})", p.message);
                    }
                    // What a problem already reported causes (a key misspelt, so one missing)
                    // is not reported again.
                    if !problems.iter().any(|q| related(&q.key, &p.key)) {
                        problems.push(p);
                    }
                }
                if !schema::remove(&mut cleaned, &path) {
                    return Err(report(problems));
                }
                dropped.left_out(&key);
                left_out.push(key);
            }
        }
    };
    match validate(raw, source.clone(), credentials, &left_out) {
        Ok(config) if problems.is_empty() => return Ok(config),
        Ok(_) => {}
        // A value already reported as wrong was left out: what its absence causes is not
        // reported again (validation skips the checks that depend on it, too).
        Err(more) => {
            let fresh = more
                .into_iter()
                .map(|m| named_from_env(figment, &cleaned, m))
                .map(|m| ConfigProblem {
                    key: dropped.key(&m.key),
                    ..m
                })
                .filter(|m| !left_out.iter().any(|q| under(&m.key, q)));
            problems.extend(fresh);
        }
    }
    Err(report(problems))
}

/// The elements left out of lists, each by its list's key and its index as written: the
/// elements after one sit one place earlier in what serde and validation read, and are named
/// by their place in the file.
struct Dropped(Vec<(String, usize)>);

impl Dropped {
    /// Where the element `index` of the list at `list` (as written) after the drops stood.
    fn index(&self, list: &str, index: usize) -> usize {
        let mut gone: Vec<usize> = (self.0.iter())
            .filter(|(l, _)| l == list)
            .map(|(_, i)| *i)
            .collect();
        gone.sort_unstable();
        gone.into_iter()
            .fold(index, |at, g| if g <= at { at + 1 } else { at })
    }

    /// A key as read after the drops (`inbound_auth.keys[0].name`), as the file writes it.
    fn key(&self, key: &str) -> String {
        let mut out = String::with_capacity(key.len());
        let mut rest = key;
        while !rest.is_empty() {
            let index = rest
                .strip_prefix('[')
                .and_then(|r| r.split_once(']'))
                .and_then(|(digits, more)| Some((digits.parse::<usize>().ok()?, more)));
            if let Some((i, more)) = index {
                let i = self.index(&out, i);
                out.push_str(&format!("[{i}]"));
                rest = more;
            } else {
                let end = (rest.char_indices().skip(1))
                    .find(|(_, c)| *c == '[')
                    .map_or(rest.len(), |(e, _)| e);
                out.push_str(&rest[..end]);
                rest = &rest[end..];
            }
        }
        out
    }

    /// Records that the value at `key` (as written) is left out, when it is a list's element.
    fn left_out(&mut self, key: &str) {
        let element = key
            .strip_suffix(']')
            .and_then(|k| k.rsplit_once('['))
            .and_then(|(list, i)| Some((list.to_owned(), i.parse::<usize>().ok()?)));
        self.0.extend(element);
    }
}

/// The key of figment's `path` in `value` as problems name it: `inbound_auth.keys[0].scopes`,
/// a list's element by its index in brackets, where figment writes `inbound_auth.keys.0`.
fn key_of(value: &figment::value::Value, path: &[String]) -> String {
    use figment::value::Value;
    let mut at = Some(value);
    let mut key = String::new();
    for step in path {
        match (at, step.parse::<usize>()) {
            (Some(Value::Array(_, items)), Ok(i)) => {
                key.push_str(&format!("[{i}]"));
                at = items.get(i);
            }
            _ => {
                if !key.is_empty() {
                    key.push('.');
                }
                key.push_str(step);
                at = match at {
                    Some(Value::Dict(_, dict)) => dict.get(step),
                    _ => None,
                };
            }
        }
    }
    key
}

/// One of serde's problems, at its key as the file writes it, in the words the shape's
/// problems use.
fn serde_problem(
    dropped: &Dropped,
    value: &figment::value::Value,
    e: &figment::Error,
) -> ConfigProblem {
    let key = dropped.key(&key_of(value, &e.path));
    ConfigProblem {
        message: said(&e.kind, &key),
        key: if key.is_empty() { "(root)".into() } else { key },
    }
}

/// What figment's error `kind` says, about the value at `key`: an unknown key or word with what
/// is accepted (figment's own words quote the list inside quotes, `` expected `one of `a`` ``,
/// and read `none` for an empty one as if it were a word to write), and a "did you mean" for a
/// likely typo.
fn said(kind: &figment::error::Kind, key: &str) -> String {
    use figment::error::Kind;
    match kind {
        Kind::UnknownField(found, expected) => {
            let parent = key
                .strip_suffix(found.as_str())
                .map(|p| p.trim_end_matches('.'));
            match (schema::closest(found, expected.iter().copied()), parent) {
                (Some(meant), Some(parent)) if !parent.is_empty() => {
                    format!("unknown key; did you mean `{parent}.{meant}`?")
                }
                (Some(meant), _) => format!("unknown key; did you mean `{meant}`?"),
                (None, _) if expected.is_empty() => "unknown key; none is taken here".into(),
                (None, _) => format!("unknown key; expected {}", schema::list(expected)),
            }
        }
        Kind::UnknownVariant(found, expected) => match expected.len() {
            0 => format!("`{found}`: no value is taken here"),
            _ => format!("`{found}`: expected {}", schema::list(expected)),
        },
        other => other.to_string(),
    }
}

/// A validation problem about a value the environment set says so, as the shape's problems
/// do: otherwise it reads as if it were in the file the report names.
fn named_from_env(
    figment: &Figment,
    cleaned: &figment::value::Value,
    mut problem: ConfigProblem,
) -> ConfigProblem {
    if problem.message.contains("environment variable") {
        return problem;
    }
    if let Some(variable) = schema::env_source(figment, cleaned, &problem.key) {
        problem.message = format!("{} (from environment variable {variable})", problem.message);
        return problem;
    }
    // A key missing from a table only the environment wrote: the variables that made it, as
    // a missing field's problem names them.
    let mut table: Vec<String> = problem.key.split('.').map(str::to_owned).collect();
    table.pop();
    let made = schema::made_by_env(figment, cleaned, &table);
    if !made.is_empty() {
        problem.message = format!(
            "{} (in a table made by environment variable {} alone)",
            problem.message,
            made.join(", ")
        );
    }
    problem
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
    fn a_table_only_the_environment_made_names_the_variables_that_made_it() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "hookgate.toml",
                "[inbound_auth]\nmode = \"off\"\n[upstreams.Billing]\ndialect = \"ledger\"\nemulate = true\n",
            )?;
            jail.set_env("HOOKGATE__UPSTREAMS__BILLING__TIMEOUT_MS", "5000");
            jail.set_env("HOOKGATE__SURFACES__VOICE__PREFIX", "/voice");
            // A table the environment made whole, which validation finds incomplete.
            jail.set_env("HOOKGATE__UPSTREAMS__NEW__DIALECT", "ledger");
            let file = Origin {
                file: Some("hookgate.toml".into()),
                listen: None,
            };
            let text = file.load(Credentials::Required).unwrap_err().to_string();
            for expected in [
                "upstreams.billing: missing field `dialect` (in a table made by environment variable HOOKGATE__UPSTREAMS__BILLING__TIMEOUT_MS alone)",
                "surfaces.voice: missing field `dialect` (in a table made by environment variable HOOKGATE__SURFACES__VOICE__PREFIX alone)",
                "upstreams.Billing: `Billing` has capital letters, which no environment variable can reach",
                "(in a table made by environment variable HOOKGATE__UPSTREAMS__NEW__DIALECT alone)",
            ] {
                assert!(text.contains(expected), "{expected}: {text}");
            }
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
