//! Reloading without a restart: what the main listener serves is one [`Routes`] value behind
//! an atomic pointer. A reload builds the next one from a new [`Setup`] (the same loading and
//! checks as startup, the same [`wiring`]), then swaps it in: requests in flight finish on the
//! routes they started with, new ones see the new. A setup that fails to load, or to apply,
//! changes nothing. This module only compares and swaps.
//!
//! Reloadable: upstreams (added, removed, changed), surfaces mounted by prefix, mapping files,
//! inbound keys, the default upstream, the translate endpoint, the per-request limits
//! (upstream timeouts and retries, `connect_timeout_ms`, `max_upstream_body_bytes`), the
//! client's trust (`[client]`), and the TLS certificate and key (their files are read again).
//! Listeners are not: the main `listen` address, listener limits (idle and send timeouts
//! included), turning TLS on or off, the log settings, surfaces on their own listeners and
//! emulators' addresses keep their startup values, and each such change is reported as needing
//! a restart. An emulated upstream whose name and dialect stay keeps its
//! emulator, and so its webhooks; a new one gets a new emulator.

use crate::config::{self, Config, ConfigProblem, ConfigReport, UpstreamConfig};
use crate::frontend::vendor::VendorApi;
use crate::frontend::{Admission, SharedAdmission};
use crate::http::body::BodyLimit;
use crate::http::client::Client;
use crate::http::server::Limits;
use crate::idempotency::Replays;
use crate::mapping::Dialect;
use crate::setup::{self, Setup, StartError};
use crate::upstream::Upstream;
use crate::wiring::{self, InternalKey, Routes};
use arc_swap::ArcSwap;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// The loaded dialects, by name.
type Dialects = BTreeMap<String, Arc<Dialect>>;

/// A running emulator and what it was started from.
struct Emulator {
    dialect: String,
    /// The configured address (port 0: any free port) and the bound one.
    listen: SocketAddr,
    addr: SocketAddr,
    source_sha256: [u8; 32],
    /// Stops this emulator alone.
    stop: watch::Sender<bool>,
    /// What it serves: its store, journal and faults.
    core: Arc<crate::emulator::Emulator>,
}

/// An emulator bound during a reload, started only once the whole reload succeeds.
struct Pending {
    name: String,
    listener: TcpListener,
    emulator: Emulator,
    stopped: watch::Receiver<bool>,
}

/// What a successful reload did.
#[derive(Debug, Default)]
pub struct Reloaded {
    /// What changed, for the log (`upstreams added: billing`).
    pub changes: Vec<String>,
    /// Changes that are not applied until a restart, by key.
    pub needs_restart: Vec<ConfigProblem>,
}

/// The reloadable state of a running gateway.
pub struct Live {
    routes: Arc<ArcSwap<Routes>>,
    /// What emulators' requests are held to: the inbound keys and the gateway's own.
    emulator_admission: SharedAdmission,
    /// What requests to surfaces on listeners of their own are held to.
    surface_admission: SharedAdmission,
    /// The key the gateway presents to its emulators.
    internal: InternalKey,
    /// What listeners started with: a restart is needed until a reload matches it again.
    startup: Option<Config>,
    /// The configuration last applied.
    config: Option<Config>,
    dialects: BTreeMap<String, Arc<Dialect>>,
    emulators: BTreeMap<String, Emulator>,
    /// Upstreams used by surfaces on their own listeners, which keep them until restart.
    pinned: Vec<String>,
    /// Emulators no longer configured but still used by such a surface.
    lingering: Vec<Emulator>,
    client: Client,
    client_settings: ClientSettings,
    /// The listeners' TLS configuration, swapped by a reload.
    tls: Option<TlsHandle>,
    /// Listener settings: fixed at startup.
    limits: Limits,
    body_limit: BodyLimit,
    /// The answers of creates whose key the gateway honours itself: kept across reloads.
    replays: Arc<Replays>,
    stopped: watch::Receiver<bool>,
}

impl Live {
    /// Empty routes; [`Live::apply`] fills them. `stopped` stops every emulator.
    pub fn new(config: &Config, limits: Limits, stopped: watch::Receiver<bool>) -> Live {
        let body_limit = config.limits.body();
        let internal = InternalKey::mint();
        let replays = Arc::new(Replays::default());
        let mut routes = wiring::routes(config, BTreeMap::new(), Vec::new());
        routes.admission.replays = replays.clone();
        let admission = Admission {
            inbound: internal.admitted_by(&config.inbound),
            body_limit,
            replays: replays.clone(),
        };
        Live {
            routes: Arc::new(ArcSwap::from_pointee(routes)),
            emulator_admission: Arc::new(ArcSwap::from_pointee(admission)),
            surface_admission: Arc::new(ArcSwap::from_pointee(Admission {
                inbound: config.inbound.clone(),
                body_limit,
                replays: replays.clone(),
            })),
            replays,
            internal,
            startup: None,
            config: None,
            dialects: BTreeMap::new(),
            emulators: BTreeMap::new(),
            pinned: Vec::new(),
            lingering: Vec::new(),
            client: client(config),
            client_settings: ClientSettings::of(config),
            tls: config
                .tls
                .as_ref()
                .map(|t| Arc::new(ArcSwap::new(t.server.clone()))),
            limits,
            body_limit,
            stopped,
        }
    }

    /// Swaps in the TLS configuration a reload read: its files were read again by the load, so
    /// a renewed certificate takes effect for the next handshake; connections already open
    /// keep theirs. Turning TLS on or off is a restart note ([`restart_notes`]).
    fn renew_tls(&self, config: &Config, reloaded: &mut Reloaded) {
        if let (Some(handle), Some(tls), Some(_)) = (&self.tls, &config.tls, &self.config) {
            handle.store(tls.server.clone());
            reloaded
                .changes
                .push("tls: certificate and key read again".into());
        }
    }

    /// The listeners' TLS configuration, which a reload replaces with the files read again;
    /// `None` when the gateway serves plain HTTP.
    pub fn tls(&self) -> Option<TlsHandle> {
        self.tls.clone()
    }

    /// The routes handle the main listener reads on every request.
    pub fn routes(&self) -> Arc<ArcSwap<Routes>> {
        self.routes.clone()
    }

    /// The dialects in force, by name: shipped ones and those of `mappings_dir`.
    pub fn dialects(&self) -> &BTreeMap<String, Arc<Dialect>> {
        &self.dialects
    }

    /// What requests to surfaces on listeners of their own are held to.
    pub fn surface_admission(&self) -> SharedAdmission {
        self.surface_admission.clone()
    }

    /// Each running emulator's listener address, by upstream name.
    pub fn emulator_addrs(&self) -> BTreeMap<String, SocketAddr> {
        self.emulators
            .iter()
            .map(|(name, e)| (name.clone(), e.addr))
            .collect()
    }

    /// Returns once the creates carried on after their clients went away have ended
    /// ([`Replays::carry`]), or the drain that `began` then is over.
    pub async fn carried_ended(&self, began: tokio::time::Instant) {
        let deadline = began + self.limits.drain_timeout;
        if tokio::time::timeout_at(deadline, self.replays.settled())
            .await
            .is_err()
        {
            tracing::warn!("drain deadline reached with creates still carried on");
        }
    }

    /// Keeps the emulator of `upstream` running even when a reload removes it: a surface on
    /// its own listener uses it until restart.
    pub fn pin(&mut self, upstream: &str) {
        self.pinned.push(upstream.to_owned());
    }

    /// Applies a plan: binds new emulators, builds and swaps in the routes, then starts the new
    /// emulators and stops those no longer configured. On error nothing has changed.
    pub async fn apply(
        &mut self,
        setup: Setup,
        tasks: &mut JoinSet<()>,
    ) -> Result<Reloaded, StartError> {
        let Setup { config, dialects } = setup;
        let mut reloaded = Reloaded::default();
        if let Some(startup) = &self.startup {
            reloaded.needs_restart = restart_notes(startup, &config);
        }
        let client_settings = ClientSettings::of(&config);
        let client = if client_settings == self.client_settings {
            self.client.clone()
        } else {
            reloaded
                .changes
                .push("upstream client: new connection pool".into());
            client(&config)
        };
        let (kept, pending) = self
            .bind_emulators(&config, &dialects, &mut reloaded)
            .await?;
        let upstreams = self.upstreams(
            &config,
            &dialects,
            &client,
            &client_settings,
            &kept,
            &pending,
        )?;
        if let Some(old) = &self.config {
            reloaded
                .changes
                .extend(changes(old, &config, &self.dialects, &dialects));
        }
        let mounted = wiring::mounted(&config, &dialects, &upstreams)?;
        // Nothing below fails: from here on the reload takes effect.
        self.swap_routes(&config, upstreams, mounted, &kept, &pending);
        self.retire_emulators(&config, kept, &mut reloaded);
        self.start_emulators(pending, tasks, &mut reloaded);
        self.renew_tls(&config, &mut reloaded);
        if self.startup.is_none() {
            self.startup = Some(config.clone());
        }
        self.config = Some(config);
        self.dialects = dialects;
        self.client = client;
        self.client_settings = client_settings;
        Ok(reloaded)
    }

    /// Every configured upstream, built; an unchanged one is kept whole, and so are its
    /// breaker and concurrency state.
    fn upstreams(
        &self,
        config: &Config,
        dialects: &Dialects,
        client: &Client,
        client_settings: &ClientSettings,
        kept: &[String],
        pending: &[Pending],
    ) -> Result<BTreeMap<String, Arc<Upstream>>, StartError> {
        let addr_of = |name: &str| {
            self.emulators
                .get(name)
                .filter(|_| kept.iter().any(|k| k == name))
                .map(|e| e.addr)
                .or_else(|| {
                    pending
                        .iter()
                        .find(|p| p.name == name)
                        .map(|p| p.emulator.addr)
                })
        };
        let old_routes = self.routes.load_full();
        let mut upstreams = BTreeMap::new();
        for u in &config.upstreams {
            let dialect = wiring::resolve(dialects, &u.dialect, || {
                format!("upstreams.{}.dialect", u.name)
            })?;
            let base_url = match (u.emulate, addr_of(&u.name)) {
                (true, Some(addr)) => format!("http://{addr}"),
                _ => u.base_url.clone().unwrap_or_default(),
            };
            let same = self.config.as_ref().and_then(|c| {
                let before = c.upstreams.iter().find(|o| o.name == u.name)?;
                let running = old_routes.canonical.upstreams.get(&u.name)?;
                (before == u
                    && running.base_url == base_url
                    && running.dialect.source_sha256 == dialect.source_sha256
                    && *client_settings == self.client_settings
                    && running.url_policy == config.url_policy)
                    .then(|| running.clone())
            });
            let built = match same {
                Some(running) => running,
                None => {
                    let mut built = wiring::upstream(
                        u,
                        dialect,
                        base_url,
                        client.clone(),
                        config.url_policy.clone(),
                        &self.internal,
                    )?;
                    // Writes still under way on the upstream replaced take turns with those
                    // that start on this one.
                    if let Some(running) = old_routes.canonical.upstreams.get(&u.name) {
                        built.turns = running.turns.clone();
                        // The secrets its webhooks were shown once stay theirs while it is
                        // the same vendor account: at the same address, in the same dialect.
                        if running.base_url == built.base_url
                            && running.dialect.name == built.dialect.name
                        {
                            built.kept = running.kept.clone();
                        }
                    }
                    Arc::new(built)
                }
            };
            upstreams.insert(u.name.clone(), built);
        }
        Ok(upstreams)
    }

    /// Swaps in the new routes (with the emulators' admin APIs) and admissions: the next
    /// request sees them.
    fn swap_routes(
        &self,
        config: &Config,
        upstreams: BTreeMap<String, Arc<Upstream>>,
        mounted: Vec<(String, VendorApi)>,
        kept: &[String],
        pending: &[Pending],
    ) {
        let mut routes = wiring::routes(config, upstreams, mounted);
        // The body limits are the listeners', kept until restart (as the reload says): the
        // listener refuses a larger declared body before any route sees it.
        routes.admission.body_limit = self.body_limit;
        // The keys the gateway honours itself are the process's, not the configuration's.
        routes.admission.replays = self.replays.clone();
        let mut emulators = crate::emulator::admin::Running::new();
        for name in kept {
            if let Some(e) = self.emulators.get(name) {
                emulators.insert(name.clone(), (e.addr, e.core.clone()));
            }
        }
        for p in pending {
            emulators.insert(p.name.clone(), (p.emulator.addr, p.emulator.core.clone()));
        }
        routes.admin = Some(Arc::new(crate::emulator::admin::MainMount { emulators }));
        self.routes.store(Arc::new(routes));
        crate::metrics::get().upstreams(config.upstreams.iter().map(|u| u.name.as_str()));
        self.emulator_admission.store(Arc::new(Admission {
            inbound: self.internal.admitted_by(&config.inbound),
            body_limit: self.body_limit,
            replays: self.replays.clone(),
        }));
        self.surface_admission.store(Arc::new(Admission {
            inbound: config.inbound.clone(),
            body_limit: self.body_limit,
            replays: self.replays.clone(),
        }));
    }

    /// Reconfigures the kept emulators and stops the others (a pinned one lingers until
    /// restart), saying what became of their webhooks.
    fn retire_emulators(&mut self, config: &Config, kept: Vec<String>, reloaded: &mut Reloaded) {
        for u in config.upstreams.iter().filter(|u| kept.contains(&u.name)) {
            if let Some(e) = self.emulators.get(&u.name)
                && e.core
                    .reconfigure(&u.emulator.faults, u.emulator.journal_limit)
            {
                reloaded
                    .changes
                    .push(format!("emulator reconfigured: {}", u.name));
            }
        }
        let mut retired = std::mem::take(&mut self.emulators);
        for name in kept {
            if let Some(e) = retired.remove(&name) {
                self.emulators.insert(name, e);
            }
        }
        for (name, e) in retired {
            if self.pinned.contains(&name) {
                reloaded.needs_restart.push(ConfigProblem {
                    key: format!("upstreams.{name}"),
                    message: format!(
                        "its emulator on {} keeps running for a surface on its own listener until restart",
                        e.addr
                    ),
                });
                self.lingering.push(e);
                continue;
            }
            let _ = e.stop.send(true);
            let held = e.core.webhook_count();
            match e.core.state_file() {
                Some(file) => {
                    tracing::info!(upstream = %name, addr = %e.addr, file = %file.display(), "emulator stopped; its webhooks are kept in its state file")
                }
                None if held > 0 => {
                    tracing::warn!(upstream = %name, addr = %e.addr, webhooks = held, "emulator stopped: its webhooks were discarded (it has no state file)")
                }
                None => tracing::info!(upstream = %name, addr = %e.addr, "emulator stopped"),
            }
            reloaded.changes.push(format!("emulator stopped: {name}"));
        }
    }

    /// Starts serving the newly bound emulators.
    fn start_emulators(
        &mut self,
        pending: Vec<Pending>,
        tasks: &mut JoinSet<()>,
        reloaded: &mut Reloaded,
    ) {
        for p in pending {
            let Pending {
                name,
                listener,
                emulator,
                stopped,
            } = p;
            let dialect = emulator.core.dialect().clone();
            tasks.spawn(crate::emulator::serve(
                listener,
                vec![(String::new(), emulator.core.clone())],
                self.emulator_admission.clone(),
                self.limits.clone(),
                either(self.stopped.clone(), stopped),
            ));
            tracing::info!(upstream = %name, dialect = %dialect.name, addr = %emulator.addr, "emulator listening");
            if self.config.is_some() {
                reloaded.changes.push(format!("emulator started: {name}"));
            }
            self.emulators.insert(name, emulator);
        }
    }

    /// Decides, for each emulated upstream, whether its emulator is kept or a new one is
    /// bound; returns the kept names and the newly bound emulators (not yet serving).
    async fn bind_emulators(
        &self,
        config: &Config,
        dialects: &Dialects,
        reloaded: &mut Reloaded,
    ) -> Result<(Vec<String>, Vec<Pending>), StartError> {
        let mut kept = Vec::new();
        let mut pending = Vec::new();
        for u in config.upstreams.iter().filter(|u| u.emulate) {
            let dialect = wiring::resolve(dialects, &u.dialect, || {
                format!("upstreams.{}.dialect", u.name)
            })?;
            match self.emulators.get(&u.name) {
                Some(e) if e.dialect == u.dialect => {
                    reloaded.needs_restart.extend(kept_notes(e, u, &dialect));
                    kept.push(u.name.clone());
                }
                previous => pending.push(self.bind_emulator(config, u, dialect, previous).await?),
            }
        }
        Ok((kept, pending))
    }

    /// Binds a new emulator for `u` (not yet serving); `previous` is the one it replaces.
    async fn bind_emulator(
        &self,
        config: &Config,
        u: &UpstreamConfig,
        dialect: Arc<Dialect>,
        previous: Option<&Emulator>,
    ) -> Result<Pending, StartError> {
        let key = format!("upstreams.{}.emulator_listen", u.name);
        // A fixed address still held by the emulator this one replaces.
        if u.emulator_listen.port() != 0
            && self
                .emulators
                .values()
                .chain(&self.lingering)
                .any(|e| e.addr == u.emulator_listen)
        {
            return Err(StartError::Config(ConfigReport {
                source: "reload".into(),
                problems: vec![ConfigProblem {
                    key,
                    message: format!(
                        "{} is held by the running emulator{}; restart to apply",
                        u.emulator_listen,
                        previous
                            .map(|e| format!(" of dialect {}", e.dialect))
                            .unwrap_or_default()
                    ),
                }],
            }));
        }
        let listener = setup::bind(&key, u.emulator_listen)?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            key,
            addr: u.emulator_listen,
            source,
        })?;
        let core = crate::emulator::Emulator::new(
            &u.name,
            Some(&u.name),
            dialect.clone(),
            config
                .url_policy
                .apply_to_emulators
                .then(|| config.url_policy.clone()),
            u.emulator.clone(),
            &format!("upstreams.{}.emulator", u.name),
        )?;
        let (stop, stopped) = watch::channel(false);
        Ok(Pending {
            name: u.name.clone(),
            listener,
            emulator: Emulator {
                dialect: u.dialect.clone(),
                listen: u.emulator_listen,
                addr,
                source_sha256: dialect.source_sha256,
                stop,
                core: Arc::new(core),
            },
            stopped,
        })
    }
}

/// What a kept emulator keeps as it started, though the configuration changed it.
fn kept_notes(e: &Emulator, u: &UpstreamConfig, dialect: &Dialect) -> Vec<ConfigProblem> {
    let mut notes = Vec::new();
    let before = e.core.settings();
    for (key, same) in [
        (
            "seed",
            before.determinism.seed == u.emulator.determinism.seed,
        ),
        (
            "clock",
            before.determinism.clock == u.emulator.determinism.clock,
        ),
        ("state", before.state == u.emulator.state),
        ("fixtures", before.fixtures == u.emulator.fixtures),
    ] {
        if !same {
            notes.push(ConfigProblem {
                key: format!("upstreams.{}.emulator.{key}", u.name),
                message: "the running emulator keeps the setting it started with until restart"
                    .into(),
            });
        }
    }
    if e.listen != u.emulator_listen {
        notes.push(ConfigProblem {
            key: format!("upstreams.{}.emulator_listen", u.name),
            message: format!("the emulator stays on {} until restart", e.addr),
        });
    }
    if e.source_sha256 != dialect.source_sha256 {
        notes.push(ConfigProblem {
            key: format!("upstreams.{}", u.name),
            message: format!(
                "the emulator keeps the {} mapping it started with, and its webhooks; restart to apply the changed mapping file",
                u.dialect
            ),
        });
    }
    notes
}

/// Completes when either flag turns true, or its sender is gone.
async fn either(mut a: watch::Receiver<bool>, mut b: watch::Receiver<bool>) {
    tokio::select! {
        _ = a.wait_for(|s| *s) => {}
        _ = b.wait_for(|s| *s) => {}
    }
}

/// What changed between two configurations, in words.
fn changes(
    old: &Config,
    new: &Config,
    old_dialects: &BTreeMap<String, Arc<Dialect>>,
    new_dialects: &BTreeMap<String, Arc<Dialect>>,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut diff = |what: &str, added: Vec<String>, removed: Vec<String>, changed: Vec<String>| {
        for (verb, names) in [("added", added), ("removed", removed), ("changed", changed)] {
            if !names.is_empty() {
                out.push(format!("{what} {verb}: {}", names.join(", ")));
            }
        }
    };
    let (a, r, c) = by_name(
        &old.upstreams,
        &new.upstreams,
        |u| &u.name,
        |o, n| {
            o != n
                || old_dialects.get(&o.dialect).map(|d| d.source_sha256)
                    != new_dialects.get(&n.dialect).map(|d| d.source_sha256)
        },
    );
    diff("upstreams", a, r, c);
    let mounted = |c: &Config| -> Vec<config::SurfaceConfig> {
        c.surfaces
            .iter()
            .filter(|s| s.prefix.is_some())
            .cloned()
            .collect()
    };
    let (a, r, c) = by_name(&mounted(old), &mounted(new), |s| &s.name, |o, n| o != n);
    diff("mounted surfaces", a, r, c);
    let old_files: Vec<(String, [u8; 32])> = old_dialects
        .iter()
        .map(|(k, d)| (k.clone(), d.source_sha256))
        .collect();
    let new_files: Vec<(String, [u8; 32])> = new_dialects
        .iter()
        .map(|(k, d)| (k.clone(), d.source_sha256))
        .collect();
    let (a, r, c) = by_name(&old_files, &new_files, |f| &f.0, |o, n| o.1 != n.1);
    diff("mapping files", a, r, c);
    if old.inbound != new.inbound {
        out.push("inbound authentication changed".into());
    }
    if old.default_upstream != new.default_upstream {
        out.push(format!(
            "default upstream: {}",
            new.default_upstream.as_deref().unwrap_or("(none)")
        ));
    }
    if old.debug != new.debug {
        out.push(format!(
            "debug translate endpoint: {}",
            if new.debug.translate { "on" } else { "off" }
        ));
    }
    out
}

/// Names added, removed and changed between two lists keyed by name.
fn by_name<T>(
    old: &[T],
    new: &[T],
    name: impl Fn(&T) -> &String,
    differs: impl Fn(&T, &T) -> bool,
) -> (Vec<String>, Vec<String>, Vec<String>) {
    let find = |list: &[T], n: &String| list.iter().find(|x| name(x) == n).is_some();
    let added = new
        .iter()
        .filter(|x| !find(old, name(x)))
        .map(|x| name(x).clone())
        .collect();
    let removed = old
        .iter()
        .filter(|x| !find(new, name(x)))
        .map(|x| name(x).clone())
        .collect();
    let changed = new
        .iter()
        .filter_map(|n| {
            let o = old.iter().find(|o| name(o) == name(n))?;
            differs(o, n).then(|| name(n).clone())
        })
        .collect();
    (added, removed, changed)
}

/// A listener's TLS configuration, shared with its accept loop and replaced by a reload.
pub type TlsHandle = crate::http::server::Tls;

/// What the upstream client is built from: a change means a new client and connection pool.
#[derive(Debug, Clone, PartialEq)]
struct ClientSettings {
    connect_timeout: Duration,
    max_body: usize,
    trust: config::ClientConfig,
}

impl ClientSettings {
    fn of(config: &Config) -> ClientSettings {
        ClientSettings {
            connect_timeout: config.limits.connect_timeout,
            max_body: config.limits.max_upstream_body_bytes,
            trust: config.client.clone(),
        }
    }
}

/// The upstream client of a configuration.
fn client(config: &Config) -> Client {
    Client::new(
        config.limits.connect_timeout,
        config.limits.max_upstream_body_bytes,
        config.client.roots.clone(),
    )
}

/// The changes between `old` and `new` that only a restart applies.
fn restart_notes(old: &Config, new: &Config) -> Vec<ConfigProblem> {
    let mut notes = Vec::new();
    let mut note = |key: String, message: String| notes.push(ConfigProblem { key, message });
    listener_notes(old, new, &mut note);
    own_listener_notes(old, new, &mut note);
    notes
}

/// The gateway's own listener, limits, TLS and log: kept as started.
fn listener_notes(old: &Config, new: &Config, note: &mut dyn FnMut(String, String)) {
    if old.listen != new.listen {
        note(
            "listen".into(),
            format!("the gateway stays on {} until restart", old.listen),
        );
    }
    let (o, n) = (&old.limits, &new.limits);
    let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    for (key, before, after) in [
        (
            "header_read_timeout_ms",
            ms(o.header_read_timeout),
            ms(n.header_read_timeout),
        ),
        ("idle_timeout_ms", ms(o.idle_timeout), ms(n.idle_timeout)),
        ("send_timeout_ms", ms(o.send_timeout), ms(n.send_timeout)),
        (
            "max_connections",
            o.max_connections as u64,
            n.max_connections as u64,
        ),
        ("drain_timeout_ms", ms(o.drain_timeout), ms(n.drain_timeout)),
        (
            "max_header_bytes",
            o.max_header_bytes as u64,
            n.max_header_bytes as u64,
        ),
        (
            "max_body_bytes",
            o.max_body_bytes as u64,
            n.max_body_bytes as u64,
        ),
        (
            "body_read_timeout_ms",
            ms(o.body_read_timeout),
            ms(n.body_read_timeout),
        ),
    ] {
        if before != after {
            note(
                format!("limits.{key}"),
                format!("a listener setting: {before} stays in force until restart"),
            );
        }
    }
    match (&old.tls, &new.tls) {
        (None, Some(_)) => note(
            "tls".into(),
            "the listeners serve plain HTTP until restart".into(),
        ),
        (Some(_), None) => note(
            "tls".into(),
            "the listeners serve HTTPS, with the certificate they have, until restart".into(),
        ),
        _ => {}
    }
    if old.log != new.log {
        note(
            "log".into(),
            "the log format and level stay until restart".into(),
        );
    }
}

/// Surfaces on listeners of their own: started, and served as started, until restart.
fn own_listener_notes(old: &Config, new: &Config, note: &mut dyn FnMut(String, String)) {
    let own = |c: &Config, name: &str| {
        c.surfaces
            .iter()
            .find(|s| s.name == name && s.listen.is_some())
            .cloned()
    };
    let upstream = |c: &Config, name: &str| c.upstreams.iter().find(|u| u.name == name).cloned();
    let mut names: Vec<&String> = old
        .surfaces
        .iter()
        .chain(&new.surfaces)
        .map(|s| &s.name)
        .collect();
    names.sort();
    names.dedup();
    for name in names {
        let key = format!("surfaces.{name}");
        match (own(old, name), own(new, name)) {
            (None, None) => {}
            (None, Some(s)) => note(
                format!("{key}.listen"),
                format!(
                    "a surface on a listener of its own ({}) starts on restart",
                    s.listen.map(|a| a.to_string()).unwrap_or_default()
                ),
            ),
            (Some(s), None) => note(
                format!("{key}.listen"),
                format!(
                    "the surface's own listener on {} keeps serving it as it started until restart",
                    s.listen.map(|a| a.to_string()).unwrap_or_default()
                ),
            ),
            (Some(o), Some(n)) => {
                let same_upstream = upstream(old, &o.upstream) == upstream(new, &n.upstream);
                let (mut o, mut n) = (o, n);
                // The mounted part is reloaded; only the own listener is compared.
                o.prefix = None;
                n.prefix = None;
                if o != n || !same_upstream {
                    note(
                        key,
                        format!(
                            "the surface's own listener on {} keeps serving it, and its upstream {}, as they started until restart",
                            o.listen.map(|a| a.to_string()).unwrap_or_default(),
                            o.upstream
                        ),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use figment::Figment;
    use figment::providers::{Format, Serialized, Toml};

    fn config(toml: &str) -> Config {
        let figment = Figment::from(Serialized::defaults(config::RawConfig::default()))
            .merge(Toml::string(toml))
            .merge(Toml::string("[inbound_auth]\nmode = \"off\"\n"));
        config::from_figment(&figment, "test").unwrap()
    }

    const BASE: &str = "[upstreams.a]\ndialect = \"voice\"\nemulate = true\n\
        [surfaces.s]\ndialect = \"voice\"\nupstream = \"a\"\nlisten = \"127.0.0.1:9101\"\nprefix = \"/s\"\n";

    #[test]
    fn listener_settings_need_a_restart() {
        let old = config(BASE);
        assert!(restart_notes(&old, &old).is_empty());
        let new = config(&format!(
            "listen = \"127.0.0.1:9999\"\n[limits]\nmax_connections = 5\nidle_timeout_ms = 5\nsend_timeout_ms = 5\n[log]\nlevel = \"debug\"\nformat = \"pretty\"\n{BASE}"
        ));
        let keys: Vec<String> = restart_notes(&old, &new)
            .into_iter()
            .map(|n| n.key)
            .collect();
        assert_eq!(
            keys,
            [
                "listen",
                "limits.idle_timeout_ms",
                "limits.send_timeout_ms",
                "limits.max_connections",
                "log"
            ]
        );
    }

    #[test]
    fn surfaces_on_their_own_listener_need_a_restart_but_prefixes_do_not() {
        let old = config(BASE);
        let moved_prefix = config(&BASE.replace("prefix = \"/s\"", "prefix = \"/t\""));
        assert!(restart_notes(&old, &moved_prefix).is_empty());
        let slower = config(&BASE.replace("emulate = true\n", "emulate = true\ntimeout_ms = 5\n"));
        let notes = restart_notes(&old, &slower);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(notes[0].key, "surfaces.s");
        let gone = config("[upstreams.a]\ndialect = \"voice\"\nemulate = true\n");
        assert_eq!(restart_notes(&old, &gone)[0].key, "surfaces.s.listen");
    }

    #[test]
    fn changes_are_named() {
        let old = config(BASE);
        let new = config(
            "default_upstream = \"b\"\n[upstreams.b]\ndialect = \"billing\"\nemulate = true\n",
        );
        let d = BTreeMap::new();
        assert_eq!(
            changes(&old, &new, &d, &d),
            [
                "upstreams added: b",
                "upstreams removed: a",
                "mounted surfaces removed: s",
                "default upstream: b"
            ]
        );
    }
}
