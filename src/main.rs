//! The `hookgate` command: `serve` (the default), `check` and `emulate`.

use clap::{Parser, Subcommand};
use hookgate::app::{self, StartError};
use hookgate::config::{self, ConfigReport};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// The exit code for a configuration or mapping problem (sysexits EX_USAGE).
const EXIT_CONFIG: u8 = 64;

#[derive(Parser)]
#[command(
    name = "hookgate",
    version,
    about = "One canonical webhook API over every vendor's dialect"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Configuration file (else HOOKGATE_CONFIG, else config/hookgate.toml).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the gateway (the default command).
    Serve,
    /// Load the configuration and every mapping file, report all problems, exit 0 or 64.
    Check,
    /// Run one vendor emulator alone, for other projects' test suites.
    Emulate {
        /// The dialect to emulate (a file stem in the mappings folder).
        dialect: String,
        #[arg(long, default_value = "127.0.0.1:9000")]
        listen: SocketAddr,
        /// The mappings folder.
        #[arg(long, default_value = "mappings")]
        mappings: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("hookgate: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => runtime.block_on(serve(cli.config)),
        Command::Check => check(cli.config),
        Command::Emulate {
            dialect,
            listen,
            mappings,
        } => runtime.block_on(emulate(dialect, listen, mappings)),
    }
}

fn load(flag: Option<PathBuf>) -> Result<config::Config, ConfigReport> {
    let file = config::choose_file(flag.as_deref())?;
    config::load(file.as_deref())
}

fn fail(e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("hookgate: {e}");
    ExitCode::from(EXIT_CONFIG)
}

fn check(flag: Option<PathBuf>) -> ExitCode {
    let config = match load(flag) {
        Ok(c) => c,
        Err(report) => return fail(&report),
    };
    let (upstreams, surfaces) = (config.upstreams.len(), config.surfaces.len());
    match app::plan(config) {
        Ok(plan) => {
            let problems =
                hookgate::examples::round_trip_all(plan.dialects.values().map(|d| d.as_ref()));
            if !problems.is_empty() {
                return fail(&format!(
                    "mapping examples do not round-trip:\n{}",
                    problems.join("\n")
                ));
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

async fn serve(flag: Option<PathBuf>) -> ExitCode {
    let config = match load(flag) {
        Ok(c) => c,
        Err(report) => return fail(&report),
    };
    hookgate::telemetry::init(&config.log);
    let running = match app::plan(config) {
        Ok(plan) => app::start(plan).await,
        Err(e) => Err(e),
    };
    match running {
        Ok(running) => {
            running.until(hookgate::telemetry::shutdown_signal()).await;
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

async fn emulate(dialect: String, listen: SocketAddr, mappings: PathBuf) -> ExitCode {
    hookgate::telemetry::init(&config::RawLog::default());
    match hookgate::emulator::run(
        &dialect,
        listen,
        &mappings,
        hookgate::telemetry::shutdown_signal(),
    )
    .await
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e @ StartError::Bind { .. }) => {
            eprintln!("hookgate: {e}");
            ExitCode::FAILURE
        }
        Err(e) => fail(&e),
    }
}
