//! Wiring: upstreams, vendor surfaces and the main listener's routes, built from a [`Setup`](crate::setup::Setup).
//! Pure construction: nothing is bound or started here (`app.rs` and `reload.rs` do
//! that).

use crate::auth::{Inbound, Key, Scope};
use crate::config::{self, Config, ConfigProblem, ConfigReport, UpstreamAuth, UpstreamConfig};
use crate::frontend::canonical::CanonicalApi;
use crate::frontend::vendor::VendorApi;
use crate::frontend::{Admission, Backend};
use crate::http::body::Body;
use crate::http::client::Client;
use crate::http::connect::Origin;
use crate::http::inbound::Incoming;
use crate::mapping::Dialect;
use crate::mapping::model::ClientAuth;
use crate::setup::StartError;
use crate::upstream::resilience::Guard;
use crate::upstream::{Auth, HeaderSecret, Secret, Upstream};
use crate::url_policy::UrlPolicy;
use http::{Request, Response};
use sha2::Digest;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// What the main listener serves; replaced whole on reload.
pub struct Routes {
    /// The canonical API.
    pub canonical: CanonicalApi,
    /// Vendor surfaces by mount prefix.
    pub mounted: Vec<(String, VendorApi)>,
    /// Whether `POST /debug/translate` is served.
    pub preview: bool,
    /// What every request is held to.
    pub admission: Admission,
    /// What is served under a prefix of its own and built above the gateway: the emulators'
    /// admin APIs. Set by whoever runs the emulators; none in a dry run.
    pub admin: Option<Arc<dyn Mount>>,
}

/// A request being served by a [`Mount`].
pub type Serving<'a> = Pin<Box<dyn Future<Output = Response<Body>> + Send + 'a>>;

/// A handler the main listener serves under a path prefix, defined by a layer above the
/// gateway (which then needs no import of it).
pub trait Mount: Send + Sync {
    /// The path prefix, without a trailing slash.
    fn prefix(&self) -> &str;

    /// Serves one request whose path is under [`Mount::prefix`].
    fn serve<'a>(
        &'a self,
        admission: &'a Admission,
        request: Request<Incoming>,
        path: &'a str,
        request_id: &'a str,
    ) -> Serving<'a>;
}

/// The credential the gateway presents to the emulators it runs: minted at startup, never
/// configured or shown, so that an emulator behind inbound keys still answers its gateway.
#[derive(Clone)]
pub struct InternalKey(Secret);

impl InternalKey {
    /// A fresh random key.
    pub fn mint() -> InternalKey {
        InternalKey(Secret::new(format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        )))
    }

    /// The inbound keys of an emulator: the configured ones and this one (all scopes). With
    /// inbound authentication off, the emulator is open as its vendor is (any bearer token).
    pub fn admitted_by(&self, inbound: &Inbound) -> Inbound {
        match inbound {
            Inbound::Off => Inbound::Off,
            Inbound::Keys(keys) => {
                let mut keys = keys.clone();
                keys.push(Key {
                    name: "(gateway)".into(),
                    sha256: sha2::Sha256::digest(self.0.expose().as_bytes()).into(),
                    scopes: vec![Scope::Read, Scope::Write],
                    upstreams: None,
                });
                Inbound::Keys(keys)
            }
        }
    }

    /// The key as the gateway sends it to its emulators.
    pub fn secret(&self) -> &Secret {
        &self.0
    }
}

/// Builds an upstream of the configuration, reached at `base_url`; an emulated one is called
/// with the gateway's internal key.
pub fn upstream(
    u: &UpstreamConfig,
    dialect: Arc<Dialect>,
    base_url: String,
    client: Client,
    url_policy: Arc<UrlPolicy>,
    internal: &InternalKey,
) -> Result<Upstream, StartError> {
    let refused = |key: &str, message: String| {
        StartError::Config(ConfigReport {
            source: "credentials".into(),
            problems: vec![ConfigProblem {
                key: format!("upstreams.{}.{key}", u.name),
                message,
            }],
        })
    };
    // One header field, and what a vendor's message echoing it is redacted of.
    let own = |name: http::HeaderName, text: String, secrets: Vec<&str>| {
        let value = HeaderSecret::new(&text)
            .ok_or_else(|| refused("auth", "the token is not a valid header value".into()))?;
        Ok::<_, StartError>(Auth::Own {
            name,
            value,
            secrets: secrets
                .into_iter()
                .filter(|s| !s.is_empty())
                .map(Secret::new)
                .collect(),
        })
    };
    // The token as a query parameter, added to each request as it is sent.
    let query = |name: &str, token: &Secret| {
        let pair = crate::auth::query_pair(name, token.expose());
        let encoded = pair.split_once('=').map_or("", |(_, v)| v).to_owned();
        Auth::Query {
            secrets: vec![
                token.clone(),
                Secret::new(encoded),
                Secret::new(pair.clone()),
            ],
            pair: Secret::new(pair),
        }
    };
    let auth = match (&u.auth, u.emulate) {
        // The gateway's key, presented as the vendor's clients present theirs.
        (_, true) => match &dialect.client_auth {
            ClientAuth::Query { name } => query(name, internal.secret()),
            how => match crate::auth::present(how, internal.secret().expose()) {
                Some((name, value)) => Auth::Own {
                    name,
                    value: HeaderSecret::new(value.to_str().unwrap_or_default()).ok_or_else(
                        || refused("auth", "the key is not a valid header value".into()),
                    )?,
                    secrets: vec![internal.secret().clone()],
                },
                None => Auth::None,
            },
        },
        (UpstreamAuth::Bearer(token), false) => {
            let token = token.expose();
            own(
                http::header::AUTHORIZATION,
                format!("Bearer {token}"),
                vec![token],
            )?
        }
        (UpstreamAuth::Basic(pair), false) => {
            use base64::Engine;
            let pair = pair.expose();
            let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
            let (user, password) = pair.split_once(':').unwrap_or((pair, ""));
            let secret = if password.is_empty() { user } else { password };
            own(
                http::header::AUTHORIZATION,
                format!("Basic {encoded}"),
                vec![pair, &encoded, secret],
            )?
        }
        (
            UpstreamAuth::Header {
                name,
                prefix,
                token,
            },
            false,
        ) => {
            let token = token.expose();
            // A header the mapping file sends of its own would go out twice, or in its place.
            if dialect.idempotency_key.as_ref() == Some(name) {
                return Err(refused(
                    "auth.name",
                    format!(
                        "`{name}` is dialect {}'s idempotency key header",
                        dialect.name
                    ),
                ));
            }
            if let Some(e) = dialect
                .operations
                .iter()
                .find(|e| e.headers.iter().any(|(n, _)| n == name))
            {
                return Err(refused(
                    "auth.name",
                    format!(
                        "`{name}` is a header operation `{}` of dialect {} sends",
                        e.name(),
                        dialect.name
                    ),
                ));
            }
            own(name.clone(), format!("{prefix}{token}"), vec![token])?
        }
        (UpstreamAuth::Query { name, token }, false) => query(name, token),
        (UpstreamAuth::Passthrough, false) => Auth::Passthrough,
        (UpstreamAuth::None, false) => Auth::None,
    };
    let (origin, base_path) = Origin::split(&base_url).map_err(|message| {
        StartError::Config(ConfigReport {
            source: "configuration".into(),
            problems: vec![ConfigProblem {
                key: format!("upstreams.{}.base_url", u.name),
                message,
            }],
        })
    })?;
    // A base URL's path is a prefix: `/` alone adds nothing to the paths put after it.
    let base_path = base_path.trim_end_matches('/').to_owned();
    Ok(Upstream {
        name: u.name.clone(),
        dialect,
        origin,
        base_path,
        base_url,
        auth,
        guard: Guard::new(u.policy.clone()),
        emulated: u.emulate,
        client,
        url_policy,
        latency: crate::metrics::get().upstream_latency(&u.name),
        turns: Default::default(),
    })
}

/// What a configured name stands for among what was loaded or built (a dialect, an
/// upstream). [`setup::load`](crate::setup::load) and the configuration's own checks saw to it
/// that every name is there; a name that is not is still reported at `key`, never a panic.
pub fn resolve<T: Clone>(
    found: &BTreeMap<String, T>,
    name: &str,
    key: impl FnOnce() -> String,
) -> Result<T, StartError> {
    found.get(name).cloned().ok_or_else(|| {
        let known: Vec<&str> = found.keys().map(String::as_str).collect();
        StartError::Config(ConfigReport {
            source: "configuration against mapping files".into(),
            problems: vec![ConfigProblem {
                key: key(),
                message: format!("`{name}` is not one of: {}", known.join(", ")),
            }],
        })
    })
}

/// A vendor surface of the configuration in front of one of `upstreams`.
pub fn surface(
    s: &config::SurfaceConfig,
    dialects: &BTreeMap<String, Arc<Dialect>>,
    upstreams: &BTreeMap<String, Arc<Upstream>>,
) -> Result<VendorApi, StartError> {
    let key = |what: &str| format!("surfaces.{}.{what}", s.name);
    let dialect = resolve(dialects, &s.dialect, || key("dialect"))?;
    let upstream = resolve(upstreams, &s.upstream, || key("upstream"))?;
    // A credential in the query goes on only where the query does: to a vendor of the same
    // dialect, which is relayed the client's request as it is.
    if let (ClientAuth::Query { name }, Auth::Passthrough) = (&dialect.client_auth, &upstream.auth)
        && upstream.dialect.name != dialect.name
    {
        return Err(StartError::Config(ConfigReport {
            source: "configuration against mapping files".into(),
            problems: vec![ConfigProblem {
                key: key("upstream"),
                message: format!(
                    "`{}` passes credentials through, and {}'s clients send theirs in the query parameter {name}, which only a vendor of the same dialect is sent",
                    s.upstream, dialect.name
                ),
            }],
        }));
    }
    Ok(VendorApi::new(
        dialect,
        Backend::Upstream(upstream),
        s.owner.clone(),
    ))
}

/// The surfaces of `config` mounted on the main listener, by prefix, in front of `upstreams`.
pub fn mounted(
    config: &Config,
    dialects: &BTreeMap<String, Arc<Dialect>>,
    upstreams: &BTreeMap<String, Arc<Upstream>>,
) -> Result<Vec<(String, VendorApi)>, StartError> {
    config
        .surfaces
        .iter()
        .filter_map(|s| {
            let prefix = s.prefix.clone()?;
            Some(surface(s, dialects, upstreams).map(|api| (prefix, api)))
        })
        .collect()
}

/// The routes of `config` over built upstreams and [`mounted`] surfaces.
pub fn routes(
    config: &Config,
    upstreams: BTreeMap<String, Arc<Upstream>>,
    mounted: Vec<(String, VendorApi)>,
) -> Routes {
    Routes {
        canonical: CanonicalApi {
            upstreams,
            default_upstream: config.default_upstream.clone(),
        },
        mounted,
        preview: config.debug.translate,
        admission: Admission {
            inbound: config.inbound.clone(),
            body_limit: config.limits.body(),
        },
        admin: None,
    }
}

/// Says at startup which surfaces leave authentication to their vendor.
pub fn announce(surfaces: &[(String, &VendorApi)]) {
    for (name, api) in surfaces {
        if api.passes_credential() {
            tracing::info!(surface = %name, "the surface passes its clients' credentials to the vendor, which authenticates them; inbound keys do not apply to it");
        }
    }
}
