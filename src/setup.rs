//! Everything loaded and cross-checked before anything is bound: the validated configuration
//! and the dialects it uses ([`Setup`]), why hookgate could not start ([`StartError`]), and
//! binding a listener. Nothing here serves a request.

use crate::config::{
    Config, ConfigProblem, ConfigReport, SurfaceConfig, UpstreamAuth, UpstreamConfig,
};
use crate::mapping::{self, Dialect, MappingError};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::{TcpListener, TcpSocket};

/// Why hookgate could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration is invalid.
    #[error("{0}")]
    Config(ConfigReport),
    /// Mapping files do not compile.
    #[error("invalid mapping files:\n{}", .0.iter().map(|e| format!("  - {e}")).collect::<Vec<_>>().join("\n"))]
    Mappings(Vec<MappingError>),
    /// Mapping files do not compile, and the configuration has problems against the files that
    /// did: both are reported in one pass.
    #[error("{}\n{}", StartError::Mappings(.0.clone()), .1)]
    MappingsAndConfig(Vec<MappingError>, ConfigReport),
    /// Example bodies of mapping files do not survive a round trip, each described on a line
    /// of its own.
    #[error("mapping examples do not round-trip:\n{}", .0.join("\n"))]
    Examples(Vec<String>),
    /// A listener could not be bound.
    #[error("{key}: cannot listen on {addr}: {source}")]
    Bind {
        /// The configuration key of the address.
        key: String,
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// Everything loaded and cross-checked, nothing bound yet.
pub struct Setup {
    /// The configuration.
    pub config: Config,
    /// Every dialect: the shipped mapping files, and the configured folder's.
    pub dialects: BTreeMap<String, Arc<Dialect>>,
}

/// The dialects of a configuration: the shipped mapping files, then those of `mappings_dir`,
/// which add dialects or replace shipped ones of the same name.
pub fn dialects(config: &Config) -> Result<Vec<Dialect>, StartError> {
    let compiled = compiled(config);
    if compiled.errors.is_empty() {
        Ok(compiled.dialects)
    } else {
        Err(StartError::Mappings(compiled.errors))
    }
}

/// Every mapping file of a configuration compiled, each file's problems gathered whatever the
/// others hold.
fn compiled(config: &Config) -> mapping::load::Compiled {
    let mut sources = mapping::load::shipped();
    let mut unread = mapping::load::Folder::default();
    if let Some(dir) = &config.mappings_dir {
        unread = mapping::load::read_folder(dir);
        sources.append(&mut unread.sources);
    }
    let mut compiled = mapping::load::compile_sources(sources);
    // A file that could not be read replaces a shipped one of its name as much as one that
    // does not compile: the shipped one is not used in its place.
    compiled
        .dialects
        .retain(|d| !unread.broken.contains(&d.name));
    compiled.broken.extend(unread.broken);
    unread.errors.append(&mut compiled.errors);
    compiled.errors = unread.errors;
    // In the files' order, whichever step found them.
    compiled.errors.sort_by(|a, b| a.file.cmp(&b.file));
    compiled
}

/// Loads the mapping files and checks the configuration against them: against the files that
/// compiled when some did not, so that one pass reports both.
pub fn load(config: Config) -> Result<Setup, StartError> {
    let compiled = compiled(&config);
    let broken = compiled.broken;
    let dialects: BTreeMap<String, Arc<Dialect>> = compiled
        .dialects
        .into_iter()
        .map(|d| (d.name.clone(), Arc::new(d)))
        .collect();
    let known = || dialects.keys().cloned().collect::<Vec<_>>().join(", ");
    let unknown = |key: String, dialect: &str| ConfigProblem {
        key,
        message: if broken.iter().any(|b| b == dialect) {
            format!(
                "`{dialect}`'s mapping file does not load (its problems are listed with the mapping files)"
            )
        } else {
            format!("`{dialect}` has no mapping file; available: {}", known())
        },
    };
    let mut problems = Vec::new();
    for u in &config.upstreams {
        match dialects.get(&u.dialect) {
            Some(d) => problems.extend(credential_problems(u, d)),
            None => problems.push(unknown(format!("upstreams.{}.dialect", u.name), &u.dialect)),
        }
    }
    for s in &config.surfaces {
        let Some(d) = dialects.get(&s.dialect) else {
            problems.push(unknown(format!("surfaces.{}.dialect", s.name), &s.dialect));
            continue;
        };
        let upstream = config
            .upstreams
            .iter()
            .find(|u| u.name == s.upstream)
            .and_then(|u| dialects.get(&u.dialect));
        if let Some(upstream) = upstream {
            problems.extend(owner_problems(s, d, upstream));
        }
    }
    let report = ConfigReport {
        source: "configuration against mapping files".into(),
        problems,
    };
    match (compiled.errors.is_empty(), report.problems.is_empty()) {
        (true, true) => Ok(Setup { config, dialects }),
        (true, false) => Err(StartError::Config(report)),
        (false, true) => Err(StartError::Mappings(compiled.errors)),
        (false, false) => Err(StartError::MappingsAndConfig(compiled.errors, report)),
    }
}

/// Every example of `dialects` survives a round trip, or each that does not is described.
pub fn round_trips<'a>(dialects: impl Iterator<Item = &'a Dialect>) -> Result<(), StartError> {
    let problems = crate::examples::round_trip_all(dialects);
    match problems.is_empty() {
        true => Ok(()),
        false => Err(StartError::Examples(problems)),
    }
}

/// An upstream's credential reaches the vendor as configured: the header or query parameter
/// it is placed in is one the mapping file sends nothing else in (an operation's own header or
/// parameter, the idempotency key), which would replace it or be sent beside it.
fn credential_problems(u: &UpstreamConfig, d: &Dialect) -> Vec<ConfigProblem> {
    let placed = match &u.auth {
        UpstreamAuth::Placed(token) => Some(("auth".to_owned(), token)),
        _ => None,
    };
    let parts = (u.auth_parts.iter().enumerate()).map(|(i, t)| (format!("auth.also[{i}]"), t));
    let mut problems = Vec::new();
    for (at, token) in placed.into_iter().chain(parts) {
        let (in_header, name) = token.place();
        let mut sent = d.operations.iter().filter_map(|e| {
            let also = match in_header {
                true => e.headers.iter().any(|(h, _)| h.as_str() == name),
                false => e.query.iter().any(|(q, _)| *q == name),
            };
            also.then(|| format!("`operations.{}`", e.role.name()))
        });
        let key = (in_header
            && d.idempotency_key
                .as_ref()
                .is_some_and(|k| k.as_str() == name))
        .then(|| "idempotency keys (`dialect.idempotency_key`)".to_owned());
        if let Some(other) = key.or_else(|| sent.next().map(|e| format!("{e}'s own value"))) {
            let place = if in_header {
                "header"
            } else {
                "query parameter"
            };
            problems.push(ConfigProblem {
                key: format!("upstreams.{}.{at}.name", u.name),
                message: format!(
                    "`{name}`: dialect `{}` sends {other} in this {place}, which would replace the credential or be sent beside it",
                    d.name
                ),
            });
        }
    }
    problems
}

/// An owner scope is never made up: where only one side of a surface has one, the one owner
/// the surface bridges must be said, in the format the side with owners declares.
fn owner_problems(s: &SurfaceConfig, d: &Dialect, upstream: &Dialect) -> Vec<ConfigProblem> {
    let key = format!("surfaces.{}.owner", s.name);
    let mut problems = Vec::new();
    // A call on one webhook that this dialect's clients make without an owner (its vendor
    // finds webhooks by id alone), where the upstream's calls name one.
    let by_id = |x: &Dialect| {
        x.operations
            .iter()
            .filter(|e| e.role.action().has_id())
            .any(|e| !e.names_owner)
    };
    let named = |x: &Dialect| {
        x.operations
            .iter()
            .filter(|e| e.role.action().has_id())
            .any(|e| e.names_owner)
    };
    let bridges_ids = d.name != upstream.name && by_id(d) && named(upstream);
    // Owners of a different number of path segments (a repository's `workspace/repo` against
    // an agent's id): no owner is one of both, so every request would be answered 404.
    let (mine, theirs) = (d.owner_segments, upstream.owner_segments);
    if d.has_owner() && upstream.has_owner() && mine != theirs {
        problems.push(ConfigProblem {
            key: format!("surfaces.{}.upstream", s.name),
            message: format!(
                "owners of {} span {mine} path segments, owners of upstream {} {theirs}: no owner is one of both, so this surface could serve none",
                s.dialect, s.upstream
            ),
        });
    }
    let message = match (d.has_owner(), upstream.has_owner(), &s.owner) {
        (true, true, None) if bridges_ids => Some(format!(
            "is required: {} finds a webhook by its id alone, but upstream {} names its owner; say which owner this surface uses where the client names none",
            s.dialect, s.upstream
        )),
        (false, true, None) => Some(format!(
            "is required: {} paths carry no owner, but upstream {} scopes webhooks by owner; say which owner this surface uses",
            s.dialect, s.upstream
        )),
        (true, false, None) => Some(format!(
            "is required: {} scopes webhooks by owner, but upstream {} keeps no owners; say the one owner this surface serves (others are answered 404)",
            s.dialect, s.upstream
        )),
        (true, true, Some(_)) if bridges_ids => None,
        (true, true, Some(_)) | (false, false, Some(_)) => Some(format!(
            "is only for a surface whose dialect and upstream differ in owner scope; {} and upstream {} agree",
            s.dialect, s.upstream
        )),
        _ => None,
    };
    if let Some(message) = message {
        problems.push(ConfigProblem {
            key: key.clone(),
            message,
        });
    }
    if let Some(owner) = &s.owner {
        // The owner is sent to whichever side scopes webhooks by owner: its rule is that side's.
        let (held, whose) = if upstream.has_owner() {
            (
                upstream,
                format!("upstream {} (dialect {})", s.upstream, upstream.name),
            )
        } else {
            (d, format!("dialect {}", d.name))
        };
        if !held.admits_owner(owner) {
            let shape = held.describe_owner();
            problems.push(ConfigProblem {
                key,
                message: format!("`{owner}` is not an owner of {whose}: its owners are {shape}"),
            });
        }
    }
    problems
}

/// How many connections the kernel completes for a listener before hookgate accepts them. A
/// burst beyond it has its handshakes dropped and retried a second later, which its clients
/// see as requests of one to three seconds: the standard library's and tokio's 128 did that to
/// a burst of 2000 connections (`bench/run.sh`'s storm). Linux caps it at
/// `net.core.somaxconn` (4096 by default since 5.4); nginx asks for 511 unless told more.
pub const BACKLOG: u32 = 4096;

/// Binds a listener, with a queue of [`BACKLOG`] connections; `key` names its address in the
/// configuration. Called on a runtime, whose reactor the listener is registered with.
pub fn bind(key: &str, addr: SocketAddr) -> Result<TcpListener, StartError> {
    let listen = || {
        let socket = match addr {
            SocketAddr::V4(_) => TcpSocket::new_v4()?,
            SocketAddr::V6(_) => TcpSocket::new_v6()?,
        };
        // As tokio's own `bind`: a restarted gateway rebinds while old connections linger.
        socket.set_reuseaddr(true)?;
        socket.bind(addr)?;
        socket.listen(BACKLOG)
    };
    listen().map_err(|source| StartError::Bind {
        key: key.to_owned(),
        addr,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A burst of connections that hookgate has not accepted yet is held by the kernel, not
    /// dropped: each connects at once, far past the 128 of the standard library's backlog.
    #[tokio::test]
    async fn holds_a_burst_of_connections_before_they_are_accepted() {
        // The kernel caps the backlog at `net.core.somaxconn`.
        let cap = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
            .unwrap_or(BACKLOG);
        let burst = cap.min(BACKLOG).min(600) as usize;
        assert!(
            burst > 128,
            "net.core.somaxconn is {cap}: nothing to tell apart"
        );
        let listener = bind("listen", "127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listener.local_addr().unwrap();
        let connected = tokio::task::spawn_blocking(move || {
            (0..burst)
                .map(|_| std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(500)))
                .collect::<Result<Vec<_>, _>>()
                .map(|streams| streams.len())
        })
        .await
        .unwrap();
        assert_eq!(connected.unwrap(), burst);
        drop(listener);
    }

    #[tokio::test]
    async fn names_the_address_it_could_not_bind() {
        let taken = bind("listen", "127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = taken.local_addr().unwrap();
        match bind("surfaces.s.listen", addr) {
            Err(StartError::Bind { key, addr: at, .. }) => {
                assert_eq!(key, "surfaces.s.listen");
                assert_eq!(at, addr);
            }
            other => panic!("bound twice: {other:?}"),
        }
    }
}
