//! Everything loaded and cross-checked before anything is bound: the validated configuration
//! and the dialects it uses ([`Setup`]), why hookgate could not start ([`StartError`]), and
//! binding a listener. Nothing here serves a request.

use crate::config::{Config, ConfigProblem, ConfigReport, SurfaceConfig};
use crate::mapping::{self, Dialect, MappingError};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Why hookgate could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration is invalid.
    #[error("{0}")]
    Config(ConfigReport),
    /// Mapping files do not compile.
    #[error("invalid mapping files:\n{}", .0.iter().map(|e| format!("  - {e}")).collect::<Vec<_>>().join("\n"))]
    Mappings(Vec<MappingError>),
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
    let mut sources = mapping::load::shipped();
    if let Some(dir) = &config.mappings_dir {
        sources.extend(mapping::load::folder(dir).map_err(StartError::Mappings)?);
    }
    mapping::load_sources(sources).map_err(StartError::Mappings)
}

/// Loads the mapping files and checks the configuration against them.
pub fn load(config: Config) -> Result<Setup, StartError> {
    let dialects: BTreeMap<String, Arc<Dialect>> = dialects(&config)?
        .into_iter()
        .map(|d| (d.name.clone(), Arc::new(d)))
        .collect();
    let known = || dialects.keys().cloned().collect::<Vec<_>>().join(", ");
    let mut problems = Vec::new();
    for u in &config.upstreams {
        if !dialects.contains_key(&u.dialect) {
            problems.push(ConfigProblem {
                key: format!("upstreams.{}.dialect", u.name),
                message: format!(
                    "`{}` has no mapping file; available: {}",
                    u.dialect,
                    known()
                ),
            });
        }
    }
    for s in &config.surfaces {
        let Some(d) = dialects.get(&s.dialect) else {
            problems.push(ConfigProblem {
                key: format!("surfaces.{}.dialect", s.name),
                message: format!(
                    "`{}` has no mapping file; available: {}",
                    s.dialect,
                    known()
                ),
            });
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
    if !problems.is_empty() {
        return Err(StartError::Config(ConfigReport {
            source: "configuration against mapping files".into(),
            problems,
        }));
    }
    Ok(Setup { config, dialects })
}

/// An owner scope is never made up: where only one side of a surface has one, the one owner
/// the surface bridges must be said, in the format the side with owners declares.
fn owner_problems(s: &SurfaceConfig, d: &Dialect, upstream: &Dialect) -> Vec<ConfigProblem> {
    let key = format!("surfaces.{}.owner", s.name);
    let mut problems = Vec::new();
    let message = match (d.has_owner(), upstream.has_owner(), &s.owner) {
        (false, true, None) => Some(format!(
            "is required: {} paths carry no owner, but upstream {} scopes webhooks by owner; say which owner this surface uses",
            s.dialect, s.upstream
        )),
        (true, false, None) => Some(format!(
            "is required: {} scopes webhooks by owner, but upstream {} keeps no owners; say the one owner this surface serves (others are answered 404)",
            s.dialect, s.upstream
        )),
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
        let format = if d.has_owner() {
            d.owner_format.as_ref()
        } else {
            upstream.owner_format.as_ref()
        };
        if let Some(f) = format
            && !f.admits(owner)
        {
            problems.push(ConfigProblem {
                key,
                message: format!(
                    "`{owner}` is not an owner of this dialect: owners are {}",
                    f.describe()
                ),
            });
        }
    }
    problems
}

/// Binds a listener; `key` names its address in the configuration.
pub async fn bind(key: &str, addr: SocketAddr) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind {
            key: key.to_owned(),
            addr,
            source,
        })
}
