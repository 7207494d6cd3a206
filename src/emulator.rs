//! `hookgate emulate`: one vendor's API over an in-memory store, on a listener of its own.

use crate::app::{Standalone, StartError};
use crate::backend::Backend;
use crate::backend::store::Store;
use crate::config::{ConfigProblem, ConfigReport};
use crate::http::body::BodyLimit;
use crate::http::server::{self, Limits};
use crate::mapping;
use crate::surface::vendor::VendorSurface;
use crate::url_policy::UrlPolicy;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

/// The surface of an emulated vendor: its own API in front of a fresh store, which applies the
/// webhook URL policy only when one is given.
pub fn surface(
    dialect: Arc<mapping::Dialect>,
    body_limit: BodyLimit,
    url_policy: Option<Arc<UrlPolicy>>,
) -> VendorSurface {
    VendorSurface {
        backend: Backend::Store(Arc::new(
            Store::new(dialect.clone()).with_url_policy(url_policy),
        )),
        dialect,
        default_owner: None,
        body_limit,
    }
}

/// Serves the emulator of `dialect` on `listen` until `shutdown` completes.
pub async fn run(
    dialect: &str,
    listen: SocketAddr,
    mappings: &Path,
    shutdown: impl Future<Output = ()>,
) -> Result<(), StartError> {
    let dialects = mapping::load_dir(mappings).map_err(StartError::Mappings)?;
    let names: Vec<String> = dialects.iter().map(|d| d.name.clone()).collect();
    let Some(found) = dialects.into_iter().find(|d| d.name == dialect) else {
        return Err(StartError::Config(ConfigReport {
            source: "command line".into(),
            problems: vec![ConfigProblem {
                key: "dialect".into(),
                message: format!(
                    "`{dialect}` has no mapping file in {}; available: {}",
                    mappings.display(),
                    names.join(", ")
                ),
            }],
        }));
    };
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| StartError::Bind {
            key: "--listen".into(),
            addr: listen,
            source,
        })?;
    let addr = listener.local_addr().unwrap_or(listen);
    tracing::info!(dialect, %addr, "emulator listening");
    let handler = Arc::new(Standalone(surface(
        Arc::new(found),
        crate::config::RawLimits::default().body(),
        None,
    )));
    server::serve(listener, handler, Limits::default(), shutdown).await;
    Ok(())
}
