//! Emulated vendors: a vendor's own API over an in-memory store, on a listener of its own,
//! with what a test suite needs around it. The gateway runs one for each `emulate = true`
//! upstream; `hookgate emulate` runs one or more alone, for other projects' test suites.
//!
//! | module | its one job |
//! |---|---|
//! | this file | an [`Emulator`] (store, journal, faults, state file) and its listener |
//! | [`admin`] | the admin API under `/__hookgate/`: reset, seed, webhooks, journal, faults; the gate of emulators served by name |
//! | [`faults`] | injected latency, failures, dropped connections and scripts |
//! | [`journal`] | the requests received, redacted, with filters |
//! | [`fixtures`] | webhooks (and faults) a test sets up, in the vendor's shape or canonical |
//! | [`settings`] | an emulator's settings, raw and checked |
//! | [`state`] | the optional state file, written atomically |

pub mod admin;
pub mod faults;
pub mod fixtures;
pub mod journal;
pub mod settings;
pub mod state;

use crate::auth::Inbound;
use crate::config::{self, ConfigProblem, ConfigReport};
use crate::frontend::vendor::VendorApi;
use crate::frontend::{Admission, Backend, Frontend, Head, SharedAdmission};
use crate::http::body::{self, Body};
use crate::http::headers::{self, X_REQUEST_ID};
use crate::http::inbound::Incoming;
use crate::http::server::{self, Hangup, Limits};
use crate::mapping::{self, Dialect};
use crate::problem::{FieldError, Problem};
use crate::setup::{Setup, StartError};
use crate::store::{Owned, Store};
use crate::url_policy::UrlPolicy;
use bytes::Bytes;
use faults::{Effect, Faults, Injector};
use fixtures::Fixtures;
use http::{Request, Response};
use http_body_util::Full;
use journal::Journal;
pub use settings::{RawEmulator, Settings};
use state::StateFile;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::net::TcpListener;

/// What a reset goes back to.
struct Start {
    webhooks: Vec<Owned>,
    faults: Faults,
    /// The journal's size as last configured.
    journal_limit: usize,
    /// The faults are the fixtures file's, which a reload leaves alone.
    faults_from_fixtures: bool,
}

impl Start {
    /// The start state `settings` give: their faults, and the fixtures file's webhooks (and
    /// faults) when there is one, all checked before anything is stored.
    fn from_settings(
        settings: &Settings,
        dialect: &Dialect,
        key: &str,
    ) -> Result<Start, StartError> {
        let mut start = Start {
            webhooks: Vec::new(),
            faults: settings.faults.clone(),
            journal_limit: settings.journal_limit,
            faults_from_fixtures: false,
        };
        let Some(path) = &settings.fixtures else {
            return Ok(start);
        };
        let fixtures = Fixtures::read(path)
            .map_err(|message| unreadable(path, &format!("{key}.fixtures"), &[message]))?;
        let mut errors = match fixtures.webhooks(dialect) {
            Ok(webhooks) => {
                start.webhooks = webhooks;
                Vec::new()
            }
            Err(errors) => errors,
        };
        if let Some(faults) = fixtures.faults {
            errors.extend(faults.check("faults"));
            start.faults = faults;
            start.faults_from_fixtures = true;
        }
        if errors.is_empty() {
            return Ok(start);
        }
        // Named under the setting that names the file, and the file in each message: `hookgate
        // check` reports every emulator's problems together, where nothing else would say
        // which file a `webhooks[1].id` is in.
        Err(StartError::Config(ConfigReport {
            source: path.display().to_string(),
            problems: errors
                .into_iter()
                .map(|e| ConfigProblem {
                    key: format!("{key}.fixtures"),
                    message: format!("{}: {}: {}", path.display(), e.field, e.message),
                })
                .collect(),
        }))
    }
}

/// What an emulator starts from, read and checked before anything is stored or written: its
/// start state, its state file and the webhooks that file holds.
struct Read {
    start: Start,
    state: Option<StateFile>,
    held: Option<crate::store::Snapshot>,
}

impl Read {
    /// Reads the fixtures and the state file `settings` name; a problem with either is a
    /// configuration problem under `key`.
    fn from_settings(
        settings: &Settings,
        dialect: &Dialect,
        key: &str,
    ) -> Result<Read, StartError> {
        let start = Start::from_settings(settings, dialect, key)?;
        let Some(path) = &settings.state else {
            return Ok(Read {
                start,
                state: None,
                held: None,
            });
        };
        let (file, held) = StateFile::open(path, dialect)
            .map_err(|why| unreadable(path, &format!("{key}.state"), &why))?;
        Ok(Read {
            start,
            state: Some(file),
            held,
        })
    }
}

/// Fixtures the store refused to seed (no id left to mint for one), named under `key`.
fn fixtures_refused(settings: &Settings, key: &str, problem: &Problem) -> StartError {
    let path = settings
        .fixtures
        .as_deref()
        .unwrap_or(std::path::Path::new(""));
    unreadable(
        path,
        &format!("{key}.fixtures"),
        std::slice::from_ref(&problem.detail),
    )
}

/// A file named under `key` that cannot be read or is not what it should be, for each reason
/// in `why`.
fn unreadable(path: &std::path::Path, key: &str, why: &[String]) -> StartError {
    StartError::Config(ConfigReport {
        source: path.display().to_string(),
        problems: why
            .iter()
            .map(|message| ConfigProblem {
                key: key.to_owned(),
                message: format!("{}: {message}", path.display()),
            })
            .collect(),
    })
}

/// One emulated vendor: its API in front of a store, the journal of what it was sent, the
/// faults it injects, and its state file.
pub struct Emulator {
    /// The upstream it stands for, or its dialect when run alone.
    name: String,
    /// The upstream, when the gateway runs it: keys restricted to other upstreams may not
    /// use its admin API.
    upstream: Option<String>,
    dialect: Arc<Dialect>,
    api: VendorApi,
    store: Arc<Store>,
    journal: Journal,
    injector: Mutex<Injector>,
    start: Mutex<Start>,
    state: Option<StateFile>,
    settings: Settings,
}

impl Emulator {
    /// An emulator of `dialect` as `settings` say: its fixtures read and checked, its state
    /// file read (whose webhooks win over the fixtures'). A fixtures or state file that cannot
    /// be used is a configuration problem under `key`.
    pub fn new(
        name: &str,
        upstream: Option<&str>,
        dialect: Arc<Dialect>,
        url_policy: Option<Arc<UrlPolicy>>,
        settings: Settings,
        key: &str,
    ) -> Result<Emulator, StartError> {
        let Read { start, state, held } = Read::from_settings(&settings, &dialect, key)?;
        let store = Arc::new(
            Store::with_determinism(dialect.clone(), settings.determinism)
                .with_url_policy(url_policy),
        );
        let fresh = held.is_none();
        if let (Some(snapshot), Some(file)) = (held, &state) {
            tracing::info!(emulator = name, file = %file.path().display(), webhooks = snapshot.webhooks.len(), "emulator state read");
            store.restore(snapshot);
        }
        if fresh {
            store
                .seed(start.webhooks.clone())
                .map_err(|p| fixtures_refused(&settings, key, &p))?;
        }
        let emulator = Emulator {
            name: name.to_owned(),
            upstream: upstream.map(str::to_owned),
            api: VendorApi::new(dialect.clone(), Backend::Store(store.clone()), None)
                .standing_for(upstream),
            dialect: dialect.clone(),
            store,
            journal: Journal::new(&dialect, settings.journal_limit),
            injector: Mutex::new(Injector::new(
                start.faults.clone(),
                settings.determinism.seed,
            )),
            start: Mutex::new(start),
            state,
            settings,
        };
        if fresh {
            emulator.persist();
        }
        Ok(emulator)
    }

    /// The upstream it stands for, or its dialect.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The dialect it emulates.
    pub fn dialect(&self) -> &Arc<Dialect> {
        &self.dialect
    }

    /// The settings it was started with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// How many webhooks it holds.
    pub fn webhook_count(&self) -> usize {
        self.store.len()
    }

    /// Where its webhooks are kept across restarts, if anywhere.
    pub fn state_file(&self) -> Option<&std::path::Path> {
        self.state.as_ref().map(StateFile::path)
    }

    fn injector(&self) -> MutexGuard<'_, Injector> {
        // A decision is taken whole under the lock: nothing is left half-done by a panic.
        self.injector.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn start(&self) -> MutexGuard<'_, Start> {
        self.start.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Back to the start state: the fixtures' webhooks (or none), ids, generator and clock
    /// from their start, the configured faults, an empty journal numbered from 1.
    pub fn reset(&self) {
        let (webhooks, faults) = {
            let start = self.start();
            (start.webhooks.clone(), start.faults.clone())
        };
        self.store.reset();
        if let Err(p) = self.store.seed(webhooks) {
            // Seeded as at start, into as empty a store: refused only where the state file
            // started it instead and the fixtures were never stored.
            tracing::error!(emulator = %self.name, error = %p.detail, "the emulator's fixtures could not be stored at a reset");
        }
        self.injector().set(faults);
        self.journal.reset();
        self.persist();
    }

    /// Faults and a journal size configured anew by a reload: in force now, and the faults
    /// after every reset too. A fixtures file's faults stay: the file is read at start only.
    /// Says whether anything changed.
    pub fn reconfigure(&self, faults: &Faults, journal_limit: usize) -> bool {
        let mut start = self.start();
        let mut changed = false;
        if !start.faults_from_fixtures && start.faults != *faults {
            start.faults = faults.clone();
            self.injector().set(faults.clone());
            changed = true;
        }
        if start.journal_limit != journal_limit {
            start.journal_limit = journal_limit;
            self.journal.set_limit(journal_limit);
            changed = true;
        }
        changed
    }

    /// Writes the state file, if there is one. A failure is logged: the emulator goes on
    /// serving from memory.
    fn persist(&self) {
        if let Some(file) = &self.state
            && let Err(e) = file.save(self.store.snapshot())
        {
            tracing::error!(emulator = %self.name, file = %file.path().display(), error = %e, "the emulator's state file could not be written");
        }
    }

    /// Serves one request of the vendor's API: the faults decide its fate, the journal records
    /// it, and a change is written to the state file.
    pub async fn vendor(
        &self,
        request: Request<Incoming>,
        path: &str,
        admission: &Admission,
        request_id: &str,
    ) -> Response<Body> {
        let started = tokio::time::Instant::now();
        let (parts, incoming) = request.into_parts();
        let routed = self.api.route(&Head {
            method: &parts.method,
            path,
            query: parts.uri.query(),
            headers: &parts.headers,
            uri: Some(&parts.uri),
            secure: false, // an emulator listens without TLS
        });
        let routed = routed.ok();
        let operation = routed.as_ref().map_or("none", |r| r.operation());
        let decision = self.injector().decide(operation);
        // The whole body is read first, whatever happens next, so that the journal shows what
        // was sent even when the answer is a refusal or a fault.
        let read = body::read_limited(incoming, admission.body_limit).await;
        let (method, uri, request_headers) = (
            parts.method.clone(),
            parts.uri.clone(),
            parts.headers.clone(),
        );
        let sent = read.as_ref().map(Bytes::clone).unwrap_or_default();
        let latency_ms = decision.latency.as_millis() as u64;
        // From here the request is journaled even if its client goes away before the answer.
        let mut unanswered = Unanswered {
            emulator: self,
            entry: Some(journal::Request {
                method: &method,
                uri: &uri,
                headers: &request_headers,
                body: &sent,
                operation,
                status: None,
                fault: decision.by,
                latency_ms,
            }),
        };
        if !decision.latency.is_zero() {
            tokio::time::sleep(decision.latency).await;
        }
        let refusal = |problem: &Problem| {
            let mut response = self.api.refuse(routed.as_ref(), problem, request_id);
            self.api
                .decorate(routed.as_ref(), &mut response, request_id);
            if let Some(id) = headers::value(request_id) {
                response.headers_mut().insert(X_REQUEST_ID.clone(), id);
            }
            response
        };
        // An answer the emulator gives before serving the request is recorded here, as
        // `serve` records the requests it serves.
        let recorded = |response: Response<Body>| {
            let status = match response.extensions().get::<Hangup>() {
                Some(_) => crate::gateway::DROPPED,
                None => response.status().as_u16(),
            };
            let road = (&parts, started);
            crate::gateway::record_unserved(&self.api, routed.as_ref(), road, status, request_id);
            response
        };
        let response = match (read, decision.effect) {
            (Err(e), _) => recorded(refusal(&crate::gateway::body_problem(e))),
            (Ok(_), Effect::Drop) => {
                let mut response = body::empty(500);
                response.extensions_mut().insert(Hangup);
                recorded(response)
            }
            (
                Ok(_),
                Effect::Fail {
                    status,
                    retry_after,
                },
            ) => {
                let mut response = refusal(&faults::problem(status, retry_after));
                if let Ok(s) = http::StatusCode::from_u16(status) {
                    *response.status_mut() = s;
                }
                recorded(response)
            }
            (Ok(bytes), Effect::Pass) => {
                let request = Request::from_parts(parts, Full::new(bytes));
                crate::gateway::serve(&self.api, admission, request, path, request_id).await
            }
        };
        if let Some(mut entry) = unanswered.entry.take() {
            let dropped = response.extensions().get::<Hangup>().is_some();
            entry.status = (!dropped).then(|| response.status().as_u16());
            // A request refused for its credential is journaled without its body: a client
            // without a key would otherwise fill the journal (a thousand entries) with the
            // largest bodies it may send.
            if entry.status == Some(401) {
                entry.body = b"";
            }
            self.after(entry);
        }
        response
    }

    /// After an answer: the fault logged, the request journaled, and a change kept in the
    /// state file.
    fn after(&self, request: journal::Request<'_>) {
        let (operation, status) = (request.operation, request.status);
        if let Some(by) = request.fault {
            tracing::info!(emulator = %self.name, operation, fault = by, status, "fault injected");
        }
        self.journal.record(request);
        let changes = !matches!(operation, "none" | "list" | "get" | "test");
        if changes && status.is_some_and(|s| (200..300).contains(&s)) {
            self.persist();
        }
    }
}

/// A request's journal entry, written without an answer if the request's future is dropped
/// first (its client went away); taken out to be written with its answer otherwise.
struct Unanswered<'a> {
    emulator: &'a Emulator,
    entry: Option<journal::Request<'a>>,
}

impl Drop for Unanswered<'_> {
    fn drop(&mut self) {
        if let Some(entry) = self.entry.take() {
            self.emulator.after(entry);
        }
    }
}

/// Emulators on one listener, by prefix (empty: the root).
pub type Mounts = Vec<(String, Arc<Emulator>)>;

/// An emulator's listener: the probes, then each mounted emulator's vendor API at its prefix
/// (empty: the root), with its admin API under `{prefix}/__hookgate/`.
pub struct Listener {
    /// (prefix, emulator).
    pub mounts: Vec<(String, Arc<Emulator>)>,
    /// What requests are held to, swapped on reload.
    pub admission: SharedAdmission,
}

impl server::Handler for Listener {
    async fn handle(self: Arc<Self>, request: Request<Incoming>) -> Response<Body> {
        let request_id = headers::request_id(request.headers());
        if let Some(response) = crate::gateway::probes(&request, &request_id, false) {
            return response;
        }
        let path = request.uri().path().to_owned();
        let mounted = self.mounts.iter().find_map(|(prefix, e)| {
            let rest = path.strip_prefix(prefix.as_str())?;
            (rest.is_empty() || rest.starts_with('/')).then_some((prefix, e, rest))
        });
        let admission = self.admission.load_full();
        // Emulators served by name: what is asked of a name goes past the gate first (see
        // `admin::Gate`), so that only a client with a key learns which names there are.
        if self.mounts.iter().any(|(prefix, _)| !prefix.is_empty()) {
            let gate = admin::Gate {
                found: mounted.is_some(),
                missing: Problem::not_found(format!("no route for {path}")),
                ways: self
                    .mounts
                    .iter()
                    .map(|(_, e)| &e.dialect.client_auth)
                    .collect(),
            };
            let (headers, query) = (request.headers(), request.uri().query());
            if !gate.passes(&admission.inbound, headers, query) {
                return crate::gateway::serve(&gate, &admission, request, &path, &request_id).await;
            }
        }
        let Some((prefix, emulator, rest)) = mounted else {
            return crate::gateway::no_route(&request, &path, &request_id);
        };
        if let Some(admin_path) = admin::under_prefix(rest) {
            let api = admin::AdminApi {
                emulator,
                base: format!("{prefix}{}", admin::PREFIX),
            };
            let admin_path = admin_path.to_owned();
            return crate::gateway::serve(&api, &admission, request, &admin_path, &request_id)
                .await;
        }
        let rest = rest.to_owned();
        emulator
            .vendor(request, &rest, &admission, &request_id)
            .await
    }

    fn too_large(&self, path: &str, problem: &Problem, request_id: &str) -> Response<Body> {
        let mounted = self.mounts.iter().find_map(|(prefix, e)| {
            let rest = path.strip_prefix(prefix.as_str())?;
            let vendor = rest.is_empty() || rest.starts_with('/');
            (vendor && admin::under_prefix(rest).is_none()).then_some(e)
        });
        match mounted {
            Some(emulator) => crate::gateway::refused_unrouted(&emulator.api, problem, request_id),
            None => crate::http::respond::problem(problem, request_id),
        }
    }
}

/// Serves emulators on a bound listener until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    mounts: Vec<(String, Arc<Emulator>)>,
    admission: SharedAdmission,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let handler = Arc::new(Listener { mounts, admission });
    server::serve(listener, handler, limits, shutdown).await;
}

/// What `hookgate emulate` was asked for.
#[derive(Debug, Default)]
pub struct Options {
    /// The dialects, one emulator each.
    pub dialects: Vec<String>,
    /// Where they listen: one address per dialect, or one for all (port 0: a free port each;
    /// another port: that port and the next ones).
    pub listen: Vec<SocketAddr>,
    /// One listener for all, each dialect under `/DIALECT`.
    pub one_listener: bool,
    /// A folder of mapping files that add dialects or replace shipped ones.
    pub mappings: Option<PathBuf>,
    /// The configuration given with `--config`: its inbound keys, limits, URL policy and
    /// mappings folder apply.
    pub config: Option<config::Config>,
    /// `[DIALECT=]FILE`: fixtures of one dialect, or of every one.
    pub fixtures: Vec<String>,
    /// `[DIALECT=]FILE`: the state file of one dialect (of the only one without `DIALECT=`).
    pub state: Vec<String>,
    /// The seed, the clock and the journal's size, for every emulator.
    pub settings: RawEmulator,
}

/// One listener's address, as `hookgate emulate` announces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listening {
    /// The base URL of the dialect's API (its own base path not included).
    pub url: String,
    /// The dialect.
    pub dialect: String,
}

impl std::fmt::Display for Listening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "listening {} {}", self.url, self.dialect)
    }
}

fn usage(key: &str, message: String) -> StartError {
    StartError::Config(ConfigReport {
        source: "command line".into(),
        problems: vec![ConfigProblem {
            key: key.into(),
            message,
        }],
    })
}

/// Which file of `[DIALECT=]FILE` assignments belongs to `dialect`.
fn assigned(
    flag: &str,
    values: &[String],
    dialects: &[String],
) -> Result<Vec<(Option<String>, PathBuf)>, StartError> {
    let mut out: Vec<(Option<String>, PathBuf)> = Vec::new();
    for value in values {
        let (whose, file) = match value.split_once('=') {
            Some((d, file)) if dialects.iter().any(|x| x == d) => (Some(d.to_owned()), file),
            _ => (None, value.as_str()),
        };
        if out.iter().any(|(w, _)| *w == whose) {
            return Err(usage(
                flag,
                format!(
                    "given twice for {}",
                    whose.as_deref().unwrap_or("every dialect")
                ),
            ));
        }
        out.push((whose, PathBuf::from(file)));
    }
    Ok(out)
}

/// `hookgate emulate`: serves an emulator of each dialect asked for until `shutdown`
/// completes; `announce` is told each listener's address once it is bound.
pub async fn run(
    options: Options,
    mut announce: impl FnMut(&Listening),
    shutdown: impl Future<Output = ()>,
) -> Result<(), StartError> {
    let chosen = chosen_dialects(&options)?;
    let emulators = build(&options, &chosen)?;
    let addrs = addresses(&options, chosen.len())?;
    let config = options.config.as_ref();
    let limits = config.map_or_else(
        || config::Limits::default().listener(),
        |c| c.limits.listener(),
    );
    let admission = Admission {
        inbound: config.map_or(Inbound::Off, |c| c.inbound.clone()),
        body_limit: config.map_or_else(|| config::Limits::default().body(), |c| c.limits.body()),
        replays: Default::default(),
    };
    let admission: SharedAdmission = Arc::new(arc_swap::ArcSwap::from_pointee(admission));
    let mut groups: Vec<(SocketAddr, Mounts)> = Vec::new();
    if options.one_listener {
        let mounts = emulators
            .iter()
            .map(|e| (format!("/{}", e.dialect.name), e.clone()))
            .collect();
        groups.push((addrs[0], mounts));
    } else {
        for (addr, e) in addrs.iter().zip(&emulators) {
            groups.push((*addr, vec![(String::new(), e.clone())]));
        }
    }
    // Every listener is bound before any serves: a clash fails the run with nothing served.
    let mut bound = Vec::new();
    for (addr, mounts) in groups {
        let listener = crate::setup::bind("--listen", addr)?;
        let at = listener.local_addr().unwrap_or(addr);
        for (prefix, e) in &mounts {
            tracing::info!(dialect = %e.dialect.name, addr = %at, prefix = %prefix, "emulator listening");
            announce(&Listening {
                url: format!("http://{at}{prefix}"),
                dialect: e.dialect.name.clone(),
            });
        }
        bound.push((listener, mounts));
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    for (listener, mounts) in bound {
        let mut rx = stopped.clone();
        tasks.spawn(serve(
            listener,
            mounts,
            admission.clone(),
            limits.clone(),
            async move {
                let _ = rx.wait_for(|s| *s).await;
            },
        ));
    }
    shutdown.await;
    let _ = stop.send(true);
    while tasks.join_next().await.is_some() {}
    Ok(())
}

/// The dialects asked for, each once, from the shipped mapping files and the folders given.
fn chosen_dialects(options: &Options) -> Result<Vec<Arc<Dialect>>, StartError> {
    let mut sources = mapping::load::shipped();
    let mut errors = Vec::new();
    // Every folder's every file is read before any is refused: one pass reports them all.
    let folders = [
        options
            .config
            .as_ref()
            .and_then(|c| c.mappings_dir.as_ref()),
        options.mappings.as_ref(),
    ];
    for dir in folders.into_iter().flatten() {
        let mut found = mapping::load::read_folder(dir);
        sources.append(&mut found.sources);
        errors.append(&mut found.errors);
    }
    let mut compiled = mapping::load::compile_sources(sources);
    errors.append(&mut compiled.errors);
    if !errors.is_empty() {
        return Err(StartError::Mappings(errors));
    }
    // Examples that do not survive a round trip are refused as `hookgate check` refuses them.
    crate::setup::round_trips(compiled.dialects.iter())?;
    let dialects = compiled.dialects;
    let names: Vec<String> = dialects.iter().map(|d| d.name.clone()).collect();
    let mut chosen = Vec::new();
    for wanted in &options.dialects {
        let Some(found) = dialects.iter().find(|d| &d.name == wanted) else {
            return Err(usage(
                "dialect",
                format!(
                    "`{wanted}` has no mapping file; available: {}",
                    names.join(", ")
                ),
            ));
        };
        if chosen.iter().any(|d: &Arc<Dialect>| d.name == found.name) {
            return Err(usage("dialect", format!("`{wanted}` is given twice")));
        }
        chosen.push(Arc::new(found.clone()));
    }
    if chosen.is_empty() {
        return Err(usage("dialect", "name at least one dialect".into()));
    }
    Ok(chosen)
}

/// The emulators' start of each emulated upstream, read as starting reads it (its fixtures and
/// state files, and what they hold), without binding or writing anything: what would stop the
/// gateway from starting, found first by `hookgate check`, by starting and by a reload alike.
/// Every problem at once.
pub fn check_configured(setup: &Setup) -> Result<(), StartError> {
    let mut problems = Vec::new();
    for u in setup.config.upstreams.iter().filter(|u| u.emulate) {
        let Some(dialect) = setup.dialects.get(&u.dialect) else {
            continue;
        };
        let key = format!("upstreams.{}.emulator", u.name);
        match Read::from_settings(&u.emulator, dialect, &key) {
            Ok(_) => {}
            Err(StartError::Config(report)) => problems.extend(report.problems),
            Err(other) => problems.push(ConfigProblem {
                key,
                message: other.to_string(),
            }),
        }
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(StartError::Config(ConfigReport {
            source: "emulators' fixtures and state files".into(),
            problems,
        })),
    }
}

/// One emulator per chosen dialect, with its fixtures, state file and settings.
fn build(options: &Options, chosen: &[Arc<Dialect>]) -> Result<Vec<Arc<Emulator>>, StartError> {
    let fixtures = assigned("--fixtures", &options.fixtures, &options.dialects)?;
    let state = assigned("--state", &options.state, &options.dialects)?;
    if chosen.len() > 1 && state.iter().any(|(w, _)| w.is_none()) {
        return Err(usage(
            "--state",
            "with several dialects, say whose each file is: --state DIALECT=FILE".into(),
        ));
    }
    let url_policy = options
        .config
        .as_ref()
        .map(|c| c.url_policy.clone())
        .filter(|p| p.apply_to_emulators);
    let mut emulators = Vec::new();
    for dialect in chosen {
        let pick = |list: &[(Option<String>, PathBuf)]| {
            list.iter()
                .find(|(w, _)| w.as_deref() == Some(dialect.name.as_str()))
                .or_else(|| list.iter().find(|(w, _)| w.is_none()))
                .map(|(_, f)| f.clone())
        };
        let raw = RawEmulator {
            fixtures: pick(&fixtures),
            state: pick(&state),
            ..options.settings.clone()
        };
        let settings = Settings::from_raw(&raw, "emulator").map_err(flag_problems)?;
        // Run alone, an emulator stands for its dialect's name: a key limited to some
        // upstreams may use the emulators of those names only.
        emulators.push(Arc::new(Emulator::new(
            &dialect.name,
            Some(&dialect.name),
            dialect.clone(),
            url_policy.clone(),
            settings,
            "emulator",
        )?));
    }
    Ok(emulators)
}

/// Settings problems named as the flags that set them: `emulator.clock_step_ms` is
/// `--clock-step-ms`.
fn flag_problems(problems: Vec<FieldError>) -> StartError {
    let problems = problems
        .into_iter()
        .map(|p| ConfigProblem {
            key: match p.field.strip_prefix("emulator.") {
                Some(rest) if !rest.starts_with("faults") => {
                    format!("--{}", rest.replace('_', "-"))
                }
                _ => p.field,
            },
            message: p.message,
        })
        .collect();
    StartError::Config(ConfigReport {
        source: "command line".into(),
        problems,
    })
}

/// The listeners' addresses: one per dialect (or one for all with a prefix each); a single
/// `--listen` with a fixed port counts up from it.
fn addresses(options: &Options, dialects: usize) -> Result<Vec<SocketAddr>, StartError> {
    let listen = if options.listen.is_empty() {
        vec![SocketAddr::from(([127, 0, 0, 1], 9000))]
    } else {
        options.listen.clone()
    };
    let wanted = if options.one_listener { 1 } else { dialects };
    match listen.len() {
        n if n == wanted => Ok(listen),
        1 => {
            let first = listen[0];
            Ok((0..wanted)
                .map(|i| {
                    let mut a = first;
                    if first.port() != 0 {
                        a.set_port(first.port().saturating_add(i as u16));
                    }
                    a
                })
                .collect())
        }
        n => Err(usage(
            "--listen",
            format!("{n} addresses for {wanted} listeners: give one per dialect, or one for all"),
        )),
    }
}
