//! Wiring: from a validated [`Config`] and the mapping files to running listeners.
//!
//! [`start`] loads and cross-checks everything before binding anything, starts one emulator per
//! emulated upstream, the main listener (canonical API plus mounted vendor surfaces) and any
//! surface with a listener of its own, and returns their addresses. [`Running::stop`] drains
//! them; [`Running::reload`] applies a new plan to them ([`crate::reload`]).

use crate::config::{Config, ConfigProblem, ConfigReport};
use crate::http::body::Body;
use crate::http::headers;
use crate::http::server::{self, Handler, Limits};
use crate::mapping::{self, Dialect, MappingError};
use crate::problem::Problem;
use crate::reload::{self, Live, Reloaded, Routes};
use crate::surface::vendor::VendorSurface;
use arc_swap::ArcSwap;
use http::{Request, Response};
use hyper::body::Incoming;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Why hookgate could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Config(ConfigReport),
    #[error("invalid mapping files:\n{}", .0.iter().map(|e| format!("  - {e}")).collect::<Vec<_>>().join("\n"))]
    Mappings(Vec<MappingError>),
    #[error("{key}: cannot listen on {addr}: {source}")]
    Bind {
        key: String,
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// Everything loaded and cross-checked, nothing bound yet.
pub struct Plan {
    pub config: Config,
    pub dialects: BTreeMap<String, Arc<Dialect>>,
}

/// Loads the mapping files and checks the config against them.
pub fn plan(config: Config) -> Result<Plan, StartError> {
    let dialects: BTreeMap<String, Arc<Dialect>> = mapping::load_dir(&config.mappings_dir)
        .map_err(StartError::Mappings)?
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
                    "`{}` has no mapping file in {}; available: {}",
                    u.dialect,
                    config.mappings_dir.display(),
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
        let upstream_has_owner = config
            .upstreams
            .iter()
            .find(|u| u.name == s.upstream)
            .and_then(|u| dialects.get(&u.dialect))
            .is_some_and(|ud| ud.has_owner());
        if !d.has_owner() && upstream_has_owner && s.default_owner.is_none() {
            problems.push(ConfigProblem {
                key: format!("surfaces.{}.default_owner", s.name),
                message: format!("is required: {} paths carry no owner, but upstream {} scopes webhooks by owner", s.dialect, s.upstream),
            });
        }
    }
    if !problems.is_empty() {
        return Err(StartError::Config(ConfigReport {
            source: "configuration against mapping files".into(),
            problems,
        }));
    }
    Ok(Plan { config, dialects })
}

/// The listeners hookgate runs, and how to stop or reload them.
pub struct Running {
    pub addr: SocketAddr,
    pub emulators: BTreeMap<String, SocketAddr>,
    pub surfaces: BTreeMap<String, SocketAddr>,
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
    live: Live,
}

impl Running {
    /// Stops accepting, drains in-flight requests, and returns when every listener is done.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
    }

    /// Runs until `signal` completes, then stops.
    pub async fn until(self, signal: impl std::future::Future<Output = ()>) {
        signal.await;
        self.stop().await;
    }

    /// Applies a new plan without a restart ([`crate::reload`]); on error nothing changed.
    pub async fn reload(&mut self, plan: Plan) -> Result<Reloaded, StartError> {
        let reloaded = self.live.apply(plan, &mut self.tasks).await?;
        self.emulators = self.live.emulator_addrs();
        Ok(reloaded)
    }
}

pub(crate) async fn bind(key: &str, addr: SocketAddr) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind {
            key: key.to_owned(),
            addr,
            source,
        })
}

/// Starts every listener of a plan.
pub async fn start(plan: Plan) -> Result<Running, StartError> {
    let config = plan.config.clone();
    let limits = Limits {
        header_read_timeout: Duration::from_millis(config.limits.header_read_timeout_ms),
        idle_timeout: Duration::from_millis(config.limits.idle_timeout_ms),
        send_timeout: Duration::from_millis(config.limits.send_timeout_ms),
        max_connections: config.limits.max_connections,
        drain_timeout: Duration::from_millis(config.limits.drain_timeout_ms),
        max_header_bytes: config.limits.max_header_bytes,
        max_body_bytes: config.limits.max_body_bytes,
    };
    let (stop, stopped) = watch::channel(false);
    let shutdown = move || {
        let mut rx = stopped.clone();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    };
    let mut tasks = JoinSet::new();
    // Emulators, upstreams and the routes of the main listener.
    let mut live = Live::new(&config, limits.clone(), stop.subscribe());
    live.apply(plan, &mut tasks).await?;
    let routes = live.routes();

    let mut surfaces = BTreeMap::new();
    for s in &config.surfaces {
        let Some(listen) = s.listen else { continue };
        let listener = bind(&format!("surfaces.{}.listen", s.name), listen).await?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            key: s.name.clone(),
            addr: listen,
            source,
        })?;
        let surface = reload::surface(
            s,
            live.dialects(),
            &routes.load().api.upstreams,
            config.limits.body(),
        );
        live.pin(&s.upstream);
        tasks.spawn(server::serve(
            listener,
            Arc::new(Standalone(surface)),
            limits.clone(),
            shutdown(),
        ));
        surfaces.insert(s.name.clone(), addr);
        tracing::info!(surface = %s.name, dialect = %s.dialect, upstream = %s.upstream, %addr, "vendor surface listening");
    }

    if matches!(config.inbound, crate::auth::Inbound::Off) {
        if config.listen.ip().is_loopback() {
            tracing::warn!(
                "inbound authentication is off: the canonical API answers anyone on this machine"
            );
        } else {
            tracing::warn!(listen = %config.listen, "inbound authentication is off on a non-loopback address: anyone who can reach it can manage webhooks");
        }
    }
    let listener = bind("listen", config.listen).await?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        key: "listen".into(),
        addr: config.listen,
        source,
    })?;
    tasks.spawn(server::serve(
        listener,
        Arc::new(Gateway { routes }),
        limits,
        shutdown(),
    ));
    tracing::info!(%addr, "gateway listening");
    Ok(Running {
        addr,
        emulators: live.emulator_addrs(),
        surfaces,
        stop,
        tasks,
        live,
    })
}

/// The main listener: probes, `/openapi.json`, the canonical API under `/v1`, vendor surfaces
/// under their prefixes.
struct Gateway {
    routes: Arc<ArcSwap<Routes>>,
}

impl Handler for Gateway {
    async fn handle(self: Arc<Self>, request: Request<Incoming>) -> Response<Body> {
        let path = request.uri().path().to_owned();
        let request_id = headers::request_id(request.headers());
        if let Some(response) = crate::surface::health(&request, &request_id)
            .or_else(|| crate::surface::openapi(&request, &request_id))
        {
            return response;
        }
        if path == "/metrics" {
            return crate::metrics::response();
        }
        // The routes of this request: a reload swaps in new ones for the next request only.
        let routes = self.routes.load_full();
        if path == "/v1" || path.starts_with("/v1/") {
            return routes.api.handle(request, &request_id).await;
        }
        if routes.translate && path == crate::translate::ENDPOINT {
            return crate::translate::endpoint(&routes.api, request, &request_id).await;
        }
        for (prefix, surface) in &routes.mounted {
            if let Some(rest) = path
                .strip_prefix(prefix.as_str())
                .filter(|r| r.is_empty() || r.starts_with('/'))
            {
                let rest = rest.to_owned();
                return surface.handle(request, &rest, &request_id).await;
            }
        }
        Problem::not_found(format!("no route for {path}")).response(&request_id)
    }
}

/// A vendor surface on a listener of its own (an emulator, or a drop-in surface).
pub struct Standalone(pub VendorSurface);

impl Handler for Standalone {
    async fn handle(self: Arc<Self>, request: Request<Incoming>) -> Response<Body> {
        let path = request.uri().path().to_owned();
        let request_id = headers::request_id(request.headers());
        if let Some(response) = crate::surface::health(&request, &request_id) {
            return response;
        }
        self.0.handle(request, &path, &request_id).await
    }
}
