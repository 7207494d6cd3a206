//! The `hookgate` command: `serve` (the default), `check`, `emulate`, `translate` and
//! `healthcheck`. Exit codes: 0 success; 1 an error result (a translation whose canonical
//! result is an error, a failed health check, a listener that cannot bind); 64 a usage or
//! configuration problem (sysexits EX_USAGE).

use clap::{Args, Parser, Subcommand};
use hookgate::config::{self, ConfigReport};
use hookgate::preview::{Description, ScriptedReply};
use hookgate::setup::{self, StartError};
use hookgate::{allocator, app};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

// The process's allocator: see [`hookgate::allocator`] for why mimalloc, and how.
#[global_allocator]
static ALLOCATOR: allocator::Mimalloc = allocator::Mimalloc;

/// The exit code for a usage, configuration or mapping problem (sysexits EX_USAGE).
const EXIT_CONFIG: u8 = 64;
/// The exit code for an error result: a translation to an error, a failed health check.
const EXIT_ERROR: u8 = 1;

/// `--version`: the version and commit; `--version` also lists the shipped mapping files.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("BUILD_GIT_COMMIT"),
    ")"
);
const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("BUILD_GIT_COMMIT"),
    ")\nshipped mapping files:\n",
    include_str!(concat!(env!("OUT_DIR"), "/mapping_versions.txt"))
);

#[derive(Parser)]
#[command(
    name = "hookgate",
    version = VERSION,
    long_version = LONG_VERSION,
    about = "One canonical webhook API over every vendor's dialect",
    after_help = "Exit codes: 0 success; 1 an error result (translate), a failed health check, \
                  or a listener that cannot bind; 64 a usage, configuration or mapping problem."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Configuration file (else HOOKGATE_CONFIG, else ./config/hookgate.toml if present, else
    /// the built-in default; `emulate` reads one only when it is given).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the gateway (the default command).
    Serve {
        /// Listen on ADDR instead of the configuration's `listen`.
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
    },
    /// Load the configuration and every mapping file, report all problems, exit 0 or 64.
    Check,
    /// Run vendor emulators alone, for other projects' test suites. Prints one line per
    /// dialect on standard output once it listens: `listening http://ADDR[/DIALECT] DIALECT`.
    /// With --config, that file's inbound keys, limits, URL policy, log settings and mappings
    /// folder apply (else none is read).
    Emulate(EmulateArgs),
    /// GET /healthz on the configured listener: exit 0 when it answers 200, else 1 (an exec
    /// probe for images without a shell or curl).
    Healthcheck {
        /// Give up after this many milliseconds.
        #[arg(long, value_name = "MS", default_value_t = 5000,
              value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
        timeout_ms: u64,
    },
    /// Print the vendor request(s) a canonical request becomes, without sending anything, and
    /// the canonical answer a vendor's answer becomes.
    Translate(TranslateArgs),
}

#[derive(Args)]
struct EmulateArgs {
    /// The dialects to emulate (file stems in the mappings folder), one emulator each.
    #[arg(required = true, value_name = "DIALECT")]
    dialects: Vec<String>,
    /// Where to listen: one address per dialect, or one for all (port 0: a free port each;
    /// another port: that port and the next ones). Default 127.0.0.1:9000.
    #[arg(long, value_name = "ADDR")]
    listen: Vec<SocketAddr>,
    /// Serve every dialect on one listener, each under /DIALECT.
    #[arg(long)]
    one_listener: bool,
    /// A folder of mapping files that add dialects or replace the shipped ones.
    #[arg(long)]
    mappings: Option<PathBuf>,
    /// Webhooks (and faults) set up at start and on every reset: a JSON or TOML fixtures
    /// file, for every dialect or (DIALECT=FILE) for one; repeatable.
    #[arg(long, value_name = "[DIALECT=]FILE")]
    fixtures: Vec<String>,
    /// Keep the webhooks in this file across restarts ([DIALECT=]FILE; repeatable).
    #[arg(long, value_name = "[DIALECT=]FILE")]
    state: Vec<String>,
    /// Seed the ids, secrets and fault draws the emulators make up.
    #[arg(long)]
    seed: Option<u64>,
    /// A fixed clock: the RFC 3339 time stamped on webhooks (2025-01-01T00:00:00Z).
    #[arg(long, value_name = "TIME")]
    clock: Option<String>,
    /// With --clock: how far the clock moves on after each reading.
    #[arg(long, value_name = "MS")]
    clock_step_ms: Option<u64>,
    /// How many requests each journal keeps (default 1000).
    #[arg(long, value_name = "N")]
    journal_limit: Option<usize>,
}

#[derive(Args)]
struct TranslateArgs {
    /// The upstream (else the default upstream).
    #[arg(long)]
    upstream: Option<String>,
    /// The owner (agent, app) for dialects that scope webhooks by owner.
    #[arg(long)]
    owner: Option<String>,
    /// The canonical method: GET, POST, PATCH or DELETE.
    method: String,
    /// /webhooks, /webhooks/ID, /webhooks/ID/test or /webhooks/ID/rotate-secret, with any
    /// query; or a whole /v1/... path instead of --upstream and --owner.
    path: String,
    /// The canonical JSON body.
    #[arg(long, conflicts_with = "body_file")]
    body: Option<String>,
    /// The canonical JSON body, read from FILE (`-`: standard input).
    #[arg(long, value_name = "FILE")]
    body_file: Option<PathBuf>,
    /// A request header, `Name: value` (Prefer, Idempotency-Key, X-Request-Id, and
    /// Authorization for passthrough upstreams); repeatable.
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    headers: Vec<String>,
    /// The vendor's answer (status 200) to a read made first, read from FILE (`-`: standard
    /// input): read-merge-write updates, and tests that send the current webhook.
    #[arg(long, value_name = "FILE")]
    current: Option<PathBuf>,
    /// The status of the vendor's answer to the request: shows the canonical result.
    #[arg(long, value_name = "STATUS")]
    response: Option<u16>,
    /// The body of that answer, read from FILE (`-`: standard input, the default).
    #[arg(long, value_name = "FILE", requires = "response")]
    response_body: Option<PathBuf>,
    /// A header of that answer, `Name: value` (Retry-After, X-Request-Id); repeatable.
    #[arg(long = "response-header", value_name = "HEADER", requires = "response")]
    response_headers: Vec<String>,
    /// Every answer of the vendor, in the order of the requests, read from FILE (`-`:
    /// standard input): a JSON array of `{"status", "headers", "body"}` (or `"raw"` for a body
    /// that is not JSON). Replaces --current and --response.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["current", "response"])]
    replies: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// How many workers serve: `TOKIO_WORKER_THREADS`, else one per core.
fn worker_count() -> usize {
    std::env::var("TOKIO_WORKER_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .or_else(|| std::thread::available_parallelism().ok().map(usize::from))
        .unwrap_or(1)
}

/// A single-threaded runtime, whose thread collects its heap before it waits for work. The
/// control runtime (signals, reload, accept loops; with one worker, all the serving too) and
/// each serving worker's are one of these: no work stealing, no hand-off between threads.
fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .on_thread_park(allocator::on_park)
        .build()
}

/// With more than one worker, starts them (`hookgate::http::workers`): one thread and one
/// runtime each, woken every second so that a quiet one still collects its heap.
fn start_workers() -> std::io::Result<()> {
    let count = worker_count();
    if count < 2 {
        return Ok(());
    }
    let runtimes = (0..count)
        .map(|_| {
            let runtime = runtime()?;
            runtime.spawn(allocator::wake());
            Ok(runtime)
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    hookgate::http::workers::start(runtimes)
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            let _ = e.print();
            return match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => ExitCode::SUCCESS,
                _ => ExitCode::from(EXIT_CONFIG),
            };
        }
    };
    let runtime = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("hookgate: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Only the commands that serve have workers; the others run on the control runtime.
    let serves = matches!(
        cli.command,
        None | Some(Command::Serve { .. } | Command::Emulate(_))
    );
    if let Err(e) = serves.then(start_workers).transpose() {
        eprintln!("hookgate: cannot start the serving workers: {e}");
        return ExitCode::FAILURE;
    }
    let origin = |listen| config::Origin {
        file: cli.config.clone(),
        listen,
    };
    runtime.spawn(allocator::tick());
    match cli.command.unwrap_or(Command::Serve { listen: None }) {
        Command::Serve { listen } => runtime.block_on(serve(origin(listen))),
        Command::Check => check(origin(None)),
        Command::Healthcheck { timeout_ms } => {
            runtime.block_on(healthcheck(origin(None), timeout_ms))
        }
        Command::Emulate(args) => runtime.block_on(emulate(cli.config, args)),
        Command::Translate(args) => runtime.block_on(translate(origin(None), args)),
    }
}

fn fail(e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("hookgate: {e}");
    ExitCode::from(EXIT_CONFIG)
}

fn check(origin: config::Origin) -> ExitCode {
    let config = match origin.load(config::Credentials::Required) {
        Ok(c) => c,
        Err(report) => return fail(&report),
    };
    let source = config.source.clone();
    eprintln!("hookgate: configuration: {source}");
    // A variable meant for hookgate that it does not read is a problem here, where nothing
    // is running yet; serving only warns of it.
    let stray = config.stray_env();
    if !stray.is_empty() {
        return fail(&ConfigReport {
            source: "environment".into(),
            problems: stray,
        });
    }
    let (upstreams, surfaces) = (config.upstreams.len(), config.surfaces.len());
    match setup::load(config) {
        Ok(plan) => {
            if let Err(e) = app::verify(&plan) {
                return fail(&e);
            }
            eprintln!(
                "hookgate: ok: {} dialects ({}), {upstreams} upstreams, {surfaces} surfaces",
                plan.dialects.len(),
                plan.dialects.keys().cloned().collect::<Vec<_>>().join(", ")
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

async fn serve(origin: config::Origin) -> ExitCode {
    let config = match origin.load(config::Credentials::Required) {
        Ok(c) => c,
        Err(report) => return fail(&report),
    };
    hookgate::telemetry::init(&config.log);
    for p in config.stray_env() {
        tracing::warn!(variable = %p.key, "{}", p.message);
    }
    let mut hangups = hookgate::telemetry::Hangups::new();
    let running = match setup::load(config) {
        Ok(setup) => app::start(setup).await,
        Err(e) => Err(e),
    };
    match running {
        Ok(mut running) => {
            let shutdown = hookgate::telemetry::shutdown_signal();
            tokio::pin!(shutdown);
            loop {
                tokio::select! {
                    () = &mut shutdown => break,
                    () = hangups.recv() => {
                        tracing::info!("SIGHUP: reloading the configuration and mapping files");
                        // The outcome is logged; a refused reload keeps the running configuration.
                        let _ = hookgate::app::reload(&mut running, &origin).await;
                    }
                }
            }
            running.stop().await;
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(e @ StartError::Bind { .. }) => {
            eprintln!("hookgate: {e}");
            ExitCode::FAILURE
        }
        Err(e) => fail(&e),
    }
}

/// `hookgate healthcheck`: quiet on success, one line on stderr otherwise.
async fn healthcheck(origin: config::Origin, timeout_ms: u64) -> ExitCode {
    // The probe needs the listener's address and TLS only: no vendor credential is read.
    let config = match origin.load(config::Credentials::Deferred) {
        Ok(c) => c,
        Err(report) => return fail(&report),
    };
    let timeout = std::time::Duration::from_millis(timeout_ms);
    match hookgate::healthcheck::probe(&config, timeout).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hookgate: healthcheck: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

async fn emulate(flag: Option<PathBuf>, args: EmulateArgs) -> ExitCode {
    // Only a configuration named on the command line: an emulator stands for a vendor, and
    // the gateway's own file (HOOKGATE_CONFIG, config/hookgate.toml) is not its.
    let config = match flag {
        Some(file) => match (config::Origin {
            file: Some(file),
            listen: None,
        })
        .load(config::Credentials::Deferred)
        {
            Ok(c) => Some(c),
            Err(report) => return fail(&report),
        },
        None => None,
    };
    let quiet = config::LogConfig::default();
    hookgate::telemetry::init(config.as_ref().map_or(&quiet, |c| &c.log));
    let options = hookgate::emulator::Options {
        dialects: args.dialects,
        listen: args.listen,
        one_listener: args.one_listener,
        mappings: args.mappings,
        config,
        fixtures: args.fixtures,
        state: args.state,
        settings: hookgate::emulator::RawEmulator {
            seed: args.seed,
            clock: args.clock,
            clock_step_ms: args.clock_step_ms,
            journal_limit: args.journal_limit,
            ..hookgate::emulator::RawEmulator::default()
        },
    };
    // One line per listener, flushed at once: test runners wait for it to learn the port.
    let announce = |listening: &hookgate::emulator::Listening| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{listening}");
        let _ = out.flush();
    };
    match hookgate::emulator::run(options, announce, hookgate::telemetry::shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e @ StartError::Bind { .. }) => {
            eprintln!("hookgate: {e}");
            ExitCode::FAILURE
        }
        Err(e) => fail(&e),
    }
}

/// Reads FILE, or standard input for `-`.
fn read_input(path: &Path) -> Result<String, String> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("standard input: {e}"))?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// `Name: value` pairs.
/// The `Name: value` lines of `flag`, by name. A name given twice is refused rather than the
/// last one taken: which was meant (of two idempotency keys, say) is not for the command to
/// guess, as the gateway does not.
fn header_pairs(lines: &[String], flag: &str) -> Result<BTreeMap<String, String>, String> {
    let mut pairs = BTreeMap::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("{flag} `{line}`: expected `Name: value`"))?;
        let name = name.trim().to_ascii_lowercase();
        if pairs.contains_key(&name) {
            return Err(format!("{flag} `{name}` is given more than once"));
        }
        pairs.insert(name, value.trim().to_owned());
    }
    Ok(pairs)
}

fn describe(args: TranslateArgs) -> Result<Description, String> {
    let stdin_uses = [
        &args.body_file,
        &args.current,
        &args.response_body,
        &args.replies,
    ]
    .iter()
    .filter(|p| p.as_deref() == Some(Path::new("-")))
    .count()
        + usize::from(args.response.is_some() && args.response_body.is_none());
    if stdin_uses > 1 {
        return Err("only one input can come from standard input".into());
    }
    let body_text = match (&args.body, &args.body_file) {
        (Some(text), _) => Some(text.clone()),
        (None, Some(path)) => Some(read_input(path)?),
        (None, None) => None,
    };
    let body = body_text
        .map(|t| serde_json::from_str(&t).map_err(|e| format!("the body is not JSON: {e}")))
        .transpose()?;
    let current = args
        .current
        .as_deref()
        .map(|path| {
            Ok::<_, String>(ScriptedReply {
                status: 200,
                headers: BTreeMap::new(),
                body: None,
                raw: Some(read_input(path)?),
            })
        })
        .transpose()?;
    let response = match args.response {
        None => None,
        Some(status) => {
            let path = args.response_body.as_deref().unwrap_or(Path::new("-"));
            if path == Path::new("-") && std::io::stdin().is_terminal() {
                return Err(
                    "--response: give the body with --response-body FILE or on standard input"
                        .into(),
                );
            }
            Some(ScriptedReply {
                status,
                headers: header_pairs(&args.response_headers, "--response-header")?,
                body: None,
                raw: Some(read_input(path)?),
            })
        }
    };
    let replies = match &args.replies {
        None => Vec::new(),
        Some(path) => serde_json::from_str(&read_input(path)?)
            .map_err(|e| format!("--replies: not a JSON array of replies: {e}"))?,
    };
    Ok(Description {
        upstream: args.upstream,
        owner: args.owner,
        method: args.method,
        path: args.path,
        headers: header_pairs(&args.headers, "--header")?,
        body,
        current,
        response,
        replies,
    })
}

async fn translate(origin: config::Origin, args: TranslateArgs) -> ExitCode {
    let json = args.json;
    let config = match origin.load(config::Credentials::Deferred) {
        Ok(c) => c,
        Err(report) => return fail(&report),
    };
    let api = match setup::load(config).and_then(|setup| hookgate::preview::offline(&setup)) {
        Ok(api) => api,
        Err(e) => return fail(&e),
    };
    let description = match describe(args) {
        Ok(d) => d,
        Err(e) => return fail(&e),
    };
    let prepared = match hookgate::preview::prepare(&api, description, None) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let translation = prepared.run();
    let text = if json {
        serde_json::to_string_pretty(&translation).unwrap_or_default() + "\n"
    } else {
        translation.to_string()
    };
    // A canonical result that is an error (4xx, 5xx) is a result, printed in full, and said
    // by the exit code too, so that scripts need not parse it.
    let failed = translation.result.as_ref().is_some_and(|r| r.status >= 400);
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) if failed => ExitCode::from(EXIT_ERROR),
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}
