//! Logs and signals: the tracing subscriber (pretty or JSON), the shutdown signal and the
//! reload signal.

use crate::config::{LogConfig, LogFormat};
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Whether stderr takes colour: a terminal, and no `NO_COLOR` (no-color.org). Files and pipes
/// never get escape sequences.
pub fn colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Installs the global subscriber; `RUST_LOG` wins over the configured level. A `RUST_LOG`
/// that does not parse is said, and the configured level used.
pub fn init(log: &LogConfig) {
    let from_env = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty());
    let rejected = from_env
        .as_ref()
        .and_then(|v| crate::config::check_filter(v.trim()).err());
    let level = match (&from_env, &rejected) {
        (Some(v), None) => v.trim(),
        _ => log.level.as_str(),
    };
    let filter = EnvFilter::try_new(level).unwrap_or_else(|_| EnvFilter::new("info"));
    // A log line that cannot be written (stderr closed by whoever started hookgate) is lost
    // quietly: the subscriber's own report of it would write to stderr too, and panic.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour())
        .log_internal_errors(false);
    let _ = if log.format == LogFormat::Json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init()
    } else {
        builder.try_init()
    };
    if let Some(why) = rejected {
        tracing::warn!(
            "RUST_LOG is not used ({why}); logging at the configured level `{}`",
            log.level
        );
    }
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("shutdown signal received: draining");
}

/// SIGHUP, the reload signal. Listening starts at creation, so that a SIGHUP arriving early
/// is not taken for the default action (terminating the process).
pub struct Hangups {
    #[cfg(unix)]
    signal: Option<tokio::signal::unix::Signal>,
}

impl Hangups {
    /// Starts listening for SIGHUP (nothing to listen for where there is no such signal).
    pub fn new() -> Hangups {
        Hangups {
            #[cfg(unix)]
            signal: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok(),
        }
    }

    /// Completes at the next SIGHUP; never where there is none.
    pub async fn recv(&mut self) {
        #[cfg(unix)]
        if let Some(signal) = &mut self.signal
            && signal.recv().await.is_some()
        {
            return;
        }
        std::future::pending::<()>().await
    }
}

impl Default for Hangups {
    fn default() -> Self {
        Hangups::new()
    }
}
