//! Running hookgate: from a [`Setup`] to listening sockets. [`start`] binds and starts
//! every listener (the emulators of emulated upstreams, the main listener, and surfaces on
//! listeners of their own) and returns their addresses; [`Running::stop`] drains them;
//! [`Running::reload`] applies a new setup to them ([`crate::reload`]).

use crate::config::{self, Origin};
use crate::gateway::{MainListener, Standalone};
use crate::http::server;
use crate::reload::{Live, Reloaded};
use crate::setup::{self, Setup, StartError};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// The listeners hookgate runs, and how to stop or reload them.
pub struct Running {
    /// The main listener's bound address.
    pub addr: SocketAddr,
    /// Each emulated upstream's listener address, by upstream name.
    pub emulators: BTreeMap<String, SocketAddr>,
    /// Each surface's own listener address, by surface name (surfaces that have one).
    pub surfaces: BTreeMap<String, SocketAddr>,
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
    live: Live,
}

impl Running {
    /// Stops accepting, drains in-flight requests, and returns when every listener is done and
    /// the creates carried on after their clients went away have ended, within the same drain.
    pub async fn stop(mut self) {
        let began = tokio::time::Instant::now();
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
        self.live.carried_ended(began).await;
    }

    /// Runs until `signal` completes, then stops.
    pub async fn until(self, signal: impl std::future::Future<Output = ()>) {
        signal.await;
        self.stop().await;
    }

    /// Applies a new setup without a restart ([`crate::reload`]), checked as starting checks
    /// one ([`verify`]); on error nothing changed.
    pub async fn reload(&mut self, setup: Setup) -> Result<Reloaded, StartError> {
        verify(&setup)?;
        let reloaded = self.live.apply(setup, &mut self.tasks).await?;
        self.emulators = self.live.emulator_addrs();
        Ok(reloaded)
    }
}

/// Starts every listener of a setup, once it passes what `hookgate check` checks
/// ([`verify`]).
pub async fn start(setup: Setup) -> Result<Running, StartError> {
    // What `hookgate check` refuses is refused here too, before anything is bound.
    verify(&setup)?;
    let config = setup.config.clone();
    let limits = config.limits.listener();
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
    live.apply(setup, &mut tasks).await?;
    let routes = live.routes();
    let tls = live.tls();

    let surfaces = own_listeners(&config, &mut live, &limits, &tls, &mut tasks, &shutdown).await?;

    if matches!(config.inbound, crate::auth::Inbound::Off) {
        // Off is off everywhere a key would be asked for: the notice says all of it.
        if config.listen.ip().is_loopback() {
            tracing::warn!(
                "inbound authentication is off: the canonical API, every vendor surface and the admin API (/__hookgate) answer anyone on this machine"
            );
        } else {
            tracing::warn!(listen = %config.listen, "inbound authentication is off on a non-loopback address: anyone who can reach it can manage webhooks through the canonical API, every vendor surface and the admin API (/__hookgate)");
        }
    }
    // A surface is named by its name, as the configuration and the surfaces with listeners of
    // their own are, not by where it is mounted.
    {
        let loaded = routes.load();
        let mounted: Vec<(String, &crate::frontend::vendor::VendorApi)> = config
            .surfaces
            .iter()
            .filter_map(|s| {
                let prefix = s.prefix.as_ref()?;
                let (_, api) = loaded.mounted.iter().find(|(p, _)| p == prefix)?;
                Some((s.name.clone(), api))
            })
            .collect();
        crate::wiring::announce(&mounted);
    }
    let listener = setup::bind("listen", config.listen)?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        key: "listen".into(),
        addr: config.listen,
        source,
    })?;
    tasks.spawn(server::serve_tls(
        listener,
        Arc::new(MainListener { routes }),
        limits,
        tls.clone(),
        shutdown(),
    ));
    let scheme = if tls.is_some() { "https" } else { "http" };
    tracing::info!(%addr, scheme, source = %config.source, "gateway listening");
    Ok(Running {
        addr,
        emulators: live.emulator_addrs(),
        surfaces,
        stop,
        tasks,
        live,
    })
}

/// Re-reads the configuration and mapping files exactly as startup does and applies them.
/// Logs the outcome either way; a refusal leaves the running configuration in force.
pub async fn reload(running: &mut Running, origin: &Origin) -> Result<Reloaded, StartError> {
    let result = match origin.load(config::Credentials::Required) {
        Ok(config) => match setup::load(config) {
            Ok(setup) => running.reload(setup).await,
            Err(e) => Err(e),
        },
        Err(report) => Err(StartError::Config(report)),
    };
    match &result {
        Ok(r) => {
            for n in &r.needs_restart {
                tracing::warn!(key = %n.key, "reload: needs a restart: {}", n.message);
            }
            let summary = if r.changes.is_empty() {
                "no change".to_owned()
            } else {
                r.changes.join("; ")
            };
            tracing::info!(
                needs_restart = r.needs_restart.len(),
                "reload applied: {summary}"
            );
        }
        Err(e) => {
            tracing::error!("reload refused, the running configuration stays in force: {e}");
        }
    }
    result
}

/// Starts the surfaces that have listeners of their own; returns their addresses by name.
async fn own_listeners<S: std::future::Future<Output = ()> + Send + 'static>(
    config: &config::Config,
    live: &mut Live,
    limits: &server::Limits,
    tls: &Option<server::Tls>,
    tasks: &mut JoinSet<()>,
    shutdown: &impl Fn() -> S,
) -> Result<BTreeMap<String, SocketAddr>, StartError> {
    let routes = live.routes();
    let mut surfaces = BTreeMap::new();
    for s in &config.surfaces {
        let Some(listen) = s.listen else { continue };
        let listener = setup::bind(&format!("surfaces.{}.listen", s.name), listen)?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            key: s.name.clone(),
            addr: listen,
            source,
        })?;
        let api = crate::wiring::surface(s, live.dialects(), &routes.load().canonical.upstreams)?;
        crate::wiring::announce(&[(s.name.clone(), &api)]);
        live.pin(&s.upstream);
        tasks.spawn(server::serve_tls(
            listener,
            Arc::new(Standalone {
                api,
                admission: live.surface_admission(),
            }),
            limits.clone(),
            tls.clone(),
            shutdown(),
        ));
        surfaces.insert(s.name.clone(), addr);
        tracing::info!(surface = %s.name, dialect = %s.dialect, upstream = %s.upstream, %addr, "vendor surface listening");
    }
    Ok(surfaces)
}

/// What a loaded setup is checked for before anything is bound, by `hookgate check`, by
/// starting and by a reload alike, so that what `check` passes starts and what it refuses does
/// not: each emulator's fixtures and state file as it would start from them, then every
/// mapping file's examples, which must survive a round trip.
pub fn verify(setup: &Setup) -> Result<(), StartError> {
    crate::emulator::check_configured(setup)?;
    setup::round_trips(setup.dialects.values().map(|d| d.as_ref()))
}
