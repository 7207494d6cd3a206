//! Emulated vendors: a vendor's own API over an in-memory store, on a listener of its own. The
//! gateway runs one for each `emulate = true` upstream; `hookgate emulate` runs one alone, for
//! other projects' test suites.

use crate::auth::Inbound;
use crate::config::{ConfigProblem, ConfigReport};
use crate::frontend::vendor::VendorApi;
use crate::frontend::{Admission, Backend, SharedAdmission};
use crate::gateway::Standalone;
use crate::http::server::{self, Limits};
use crate::mapping::{self, Dialect};
use crate::setup::StartError;
use crate::store::Store;
use crate::url_policy::UrlPolicy;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use tokio::net::TcpListener;

/// The API of an emulated vendor: its own surface in front of a fresh store, which applies the
/// webhook URL policy only when one is given.
pub fn api(dialect: Arc<Dialect>, url_policy: Option<Arc<UrlPolicy>>) -> VendorApi {
    let store = Store::new(dialect.clone()).with_url_policy(url_policy);
    VendorApi::new(dialect, Backend::Store(Arc::new(store)), None)
}

/// Serves an emulator's API on a bound listener until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    api: VendorApi,
    admission: SharedAdmission,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let handler = Arc::new(Standalone { api, admission });
    server::serve(listener, handler, limits, shutdown).await;
}

/// `hookgate emulate`: serves the emulator of `dialect` on `listen` until `shutdown` completes.
/// The dialects are the shipped ones and, with `mappings`, that folder's.
pub async fn run(
    dialect: &str,
    listen: SocketAddr,
    mappings: Option<&Path>,
    shutdown: impl Future<Output = ()>,
) -> Result<(), StartError> {
    let mut sources = mapping::load::shipped();
    if let Some(dir) = mappings {
        sources.extend(mapping::load::folder(dir).map_err(StartError::Mappings)?);
    }
    let dialects = mapping::load_sources(sources).map_err(StartError::Mappings)?;
    let names: Vec<String> = dialects.iter().map(|d| d.name.clone()).collect();
    let Some(found) = dialects.into_iter().find(|d| d.name == dialect) else {
        return Err(StartError::Config(ConfigReport {
            source: "command line".into(),
            problems: vec![ConfigProblem {
                key: "dialect".into(),
                message: format!(
                    "`{dialect}` has no mapping file; available: {}",
                    names.join(", ")
                ),
            }],
        }));
    };
    let listener = crate::setup::bind("--listen", listen).await?;
    let addr = listener.local_addr().unwrap_or(listen);
    tracing::info!(dialect, %addr, "emulator listening");
    let limits = Limits::default();
    let body_limit = crate::config::RawLimits::default().body();
    let admission = Admission {
        inbound: Inbound::Off,
        body_limit,
    };
    serve(
        listener,
        api(Arc::new(found), None),
        Arc::new(arc_swap::ArcSwap::from_pointee(admission)),
        limits,
        shutdown,
    )
    .await;
    Ok(())
}
