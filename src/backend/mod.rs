//! Backends carry out canonical operations: [`upstream::Upstream`] by translating them into a
//! vendor's dialect and calling it over HTTP, [`store::Store`] by keeping webhooks in memory
//! (the heart of an emulator). Surfaces hold one of them and do not care which.

pub mod rehearsal;
pub mod resilience;
pub mod store;
pub mod upstream;

use crate::canonical::{Operation, Outcome};
use crate::problem::Problem;
use http::{HeaderName, HeaderValue};
use std::sync::Arc;

/// What a backend is told about the request besides the operation, and what it hands back
/// besides the outcome.
#[derive(Debug, Default)]
pub struct Call {
    pub request_id: String,
    /// The client's `Authorization`, for upstreams that pass it through.
    pub client_auth: Option<HeaderValue>,
    /// The client's `Idempotency-Key`: sent upstream, and what makes a create safe to retry.
    pub idempotency_key: Option<HeaderValue>,
    /// The vendor's rate-limit headers of the last answer, for the client.
    pub rate_limits: std::sync::Mutex<Vec<(HeaderName, HeaderValue)>>,
    /// When set, vendor requests are recorded and answered from a script, never sent.
    pub rehearsal: Option<Arc<rehearsal::Rehearsal>>,
}

impl Call {
    pub fn new(request_id: &str, headers: &http::HeaderMap) -> Call {
        Call {
            request_id: request_id.to_owned(),
            client_auth: headers.get(http::header::AUTHORIZATION).cloned(),
            idempotency_key: headers.get(&crate::http::headers::IDEMPOTENCY_KEY).cloned(),
            rate_limits: std::sync::Mutex::default(),
            rehearsal: None,
        }
    }

    /// Keeps the vendor's rate-limit headers of an answer.
    pub fn surface_rate_limits(&self, headers: &http::HeaderMap) {
        let found: Vec<_> = crate::http::headers::RATE_LIMIT
            .iter()
            .filter_map(|name| Some((name.clone(), headers.get(name)?.clone())))
            .collect();
        if !found.is_empty() {
            *self.rate_limits.lock().unwrap_or_else(|p| p.into_inner()) = found;
        }
    }

    /// Adds the kept rate-limit headers to a response.
    pub fn apply_rate_limits(&self, headers: &mut http::HeaderMap) {
        for (name, value) in self
            .rate_limits
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            headers.insert(name.clone(), value.clone());
        }
    }
}

/// An outcome, and the canonical fields lenient handling dropped on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Done {
    pub outcome: Outcome,
    pub dropped: Vec<String>,
}

impl From<Outcome> for Done {
    fn from(outcome: Outcome) -> Self {
        Done {
            outcome,
            dropped: Vec::new(),
        }
    }
}

/// Where a surface sends its operations.
#[derive(Clone)]
pub enum Backend {
    Upstream(Arc<upstream::Upstream>),
    Store(Arc<store::Store>),
}

impl Backend {
    pub async fn execute(&self, op: Operation, call: &Call) -> Result<Done, Problem> {
        match self {
            Backend::Upstream(u) => u.execute(op, call).await,
            Backend::Store(s) => s.execute(op),
        }
    }

    /// Whether operations need an owner scope.
    pub fn has_owner(&self) -> bool {
        match self {
            Backend::Upstream(u) => u.dialect.has_owner(),
            Backend::Store(s) => s.dialect().has_owner(),
        }
    }
}
