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
use crate::mapping::model::{ClientAuth, CredentialPart, CredentialPlace};
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
    let mut own = Own::default();
    match (&u.auth, u.emulate) {
        // The gateway's key, presented as the vendor's clients present theirs, and a stand-in
        // for each further part of their credential, which the emulator only asks to be there.
        (_, true) => {
            let key = internal.secret().expose();
            match &dialect.client_auth {
                ClientAuth::Query { name } => own.query(name, key),
                how => {
                    if let Some((name, value)) = crate::auth::present(how, key) {
                        let text = value.to_str().unwrap_or_default().to_owned();
                        own.header(name, text, &[key])
                            .map_err(|m| refused("auth", m))?;
                    }
                }
            }
            for part in &dialect.client_auth_parts {
                match part {
                    CredentialPart::Header(name) => own
                        .header(name.clone(), "hookgate".into(), &[])
                        .map_err(|m| refused("auth", m))?,
                    CredentialPart::Query(name) => own.query(name, "hookgate"),
                }
            }
        }
        (UpstreamAuth::Bearer(token), false) => {
            let token = token.expose();
            own.header(
                http::header::AUTHORIZATION,
                format!("Bearer {token}"),
                &[token],
            )
            .map_err(|m| refused("auth", m))?;
        }
        (UpstreamAuth::Basic(pair), false) => {
            use base64::Engine;
            let pair = pair.expose();
            let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
            let (user, password) = pair.split_once(':').unwrap_or((pair, ""));
            let secret = if password.is_empty() { user } else { password };
            own.header(
                http::header::AUTHORIZATION,
                format!("Basic {encoded}"),
                &[pair, &encoded, secret],
            )
            .map_err(|m| refused("auth", m))?;
        }
        (UpstreamAuth::Placed(_) | UpstreamAuth::Passthrough | UpstreamAuth::None, false) => {}
    }
    // Tokens in the vendor's own places: the credential's, then each further part's.
    let main = match (&u.auth, u.emulate) {
        (UpstreamAuth::Placed(placed), false) => Some(("auth".to_owned(), placed)),
        _ => None,
    };
    let parts = (u.auth_parts.iter().enumerate()).map(|(i, p)| (format!("auth.also[{i}]"), p));
    for (at, placed) in main.into_iter().chain(parts) {
        match placed {
            config::PlacedToken::Header {
                name,
                prefix,
                token,
            } => {
                sent_by_dialect(&dialect, name).map_err(|m| refused(&format!("{at}.name"), m))?;
                let token = token.expose();
                own.header(name.clone(), format!("{prefix}{token}"), &[token])
                    .map_err(|m| refused(&at, m))?;
            }
            config::PlacedToken::Query { name, token } => own.query(name, token.expose()),
        }
    }
    let auth = match (&u.auth, u.emulate) {
        (UpstreamAuth::Passthrough, false) => Auth::Passthrough,
        _ if own.headers.is_empty() && own.query.is_empty() => Auth::None,
        _ => own.into_auth(),
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
        kept: Default::default(),
    })
}

/// hookgate's own credential at a vendor, gathered part by part: each header field and query
/// parameter as it is sent, and the texts a vendor's message echoing one is redacted of.
#[derive(Default)]
struct Own {
    headers: Vec<(http::HeaderName, HeaderSecret)>,
    query: Vec<String>,
    secrets: Vec<Secret>,
}

impl Own {
    /// A header field `name: text`, its secret parts `secrets`.
    fn header(
        &mut self,
        name: http::HeaderName,
        text: String,
        secrets: &[&str],
    ) -> Result<(), String> {
        let value =
            HeaderSecret::new(&text).ok_or("the token is not a valid header value".to_owned())?;
        self.headers.push((name, value));
        self.keep(secrets);
        Ok(())
    }

    /// A query parameter `name=token`, kept as it is sent and as a message may show it.
    fn query(&mut self, name: &str, token: &str) {
        let pair = crate::auth::query_pair(name, token);
        let encoded = pair.split_once('=').map_or("", |(_, v)| v).to_owned();
        self.keep(&[token, &encoded, &pair]);
        self.query.push(pair);
    }

    /// Keeps `secrets` as a vendor's answer may echo them: as sent, percent-encoded (a URL it
    /// quotes) and with JSON's optional escape of `/` (`\/`), each once.
    fn keep(&mut self, secrets: &[&str]) {
        for secret in secrets.iter().filter(|s| !s.is_empty()) {
            let encoded: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
            let escaped = secret.replace('/', "\\/");
            for spelling in [secret.to_string(), encoded, escaped] {
                if !self.secrets.iter().any(|s| s.expose() == spelling) {
                    self.secrets.push(Secret::new(spelling));
                }
            }
        }
    }

    fn into_auth(self) -> Auth {
        Auth::Own {
            headers: self.headers,
            query: (!self.query.is_empty()).then(|| Secret::new(self.query.join("&"))),
            secrets: self.secrets,
        }
    }
}

/// Refuses a header for hookgate's credential that the mapping file sends of its own: it
/// would go out twice, or in the credential's place.
fn sent_by_dialect(dialect: &Dialect, name: &http::HeaderName) -> Result<(), String> {
    if dialect.idempotency_key.as_ref() == Some(name) {
        return Err(format!(
            "`{name}` is dialect {}'s idempotency key header",
            dialect.name
        ));
    }
    match dialect
        .operations
        .iter()
        .find(|e| e.headers.iter().any(|(n, _)| n == name))
    {
        Some(e) => Err(format!(
            "`{name}` is a header operation `{}` of dialect {} sends",
            e.name(),
            dialect.name
        )),
        None => Ok(()),
    }
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
        let message = match known.is_empty() {
            true => format!("`{name}` is not there: there is none to choose from"),
            false => format!("`{name}` is not one of: {}", known.join(", ")),
        };
        StartError::Config(ConfigReport {
            source: "configuration against mapping files".into(),
            problems: vec![ConfigProblem {
                key: key(),
                message,
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
    // A credential in the query (or a part of one) goes on only where the query does: to a
    // vendor of the same dialect, which is relayed the client's request as it is.
    let in_query = dialect.credential_places().find_map(|place| match place {
        CredentialPlace::Query(name) => Some(name),
        CredentialPlace::Header(_) => None,
    });
    if let (Some(name), Auth::Passthrough) = (in_query, &upstream.auth)
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
    Ok(VendorApi::new(dialect, Backend::Upstream(upstream), s.owner.clone()).named(&s.name))
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
            replays: Default::default(),
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
