//! Prometheus metrics: requests by surface, upstream, operation and status; upstream latency;
//! vendor answers hookgate could not translate; emulator operations; the build. Served at
//! `/metrics` in the OpenMetrics text format.
//!
//! Every series is there from the first scrape: the families are described at registration,
//! the build info is set once, and each configured upstream's counters and histogram are
//! created at zero when the gateway starts or reloads ([`Metrics::upstreams`]), so that a
//! dashboard or an alert on a rate sees 0, not "no data", before the first request.

use hashbrown::{Equivalent, HashMap};
use prometheus_client::encoding::{EncodeLabelSet, EncodeMetric, MetricEncoder};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::cell::RefCell;
use std::sync::OnceLock;

/// The labels of `hookgate_requests_total`: one series per surface, upstream, operation and status.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// What answered, as the access record names it: `canonical`, a vendor surface's or an
    /// emulator's dialect, `emulator-admin`, `emulators` (the gate before emulators served by
    /// name), `preview`, or `edge` (refused before it was routed).
    pub surface: String,
    /// The upstream's configured name; empty when the request reached none.
    pub upstream: String,
    /// The canonical operation, or `none` when the request was not routed to one.
    pub operation: &'static str,
    /// The HTTP status answered.
    pub status: u16,
}

thread_local! {
    /// This thread's handles on the series of `hookgate_requests_total` it has counted into
    /// ([`Metrics::request`]); the process has one [`Metrics`].
    static SERIES: RefCell<HashMap<RequestLabels, Counter>> = RefCell::new(HashMap::new());
}

/// [`RequestLabels`] borrowed: the same fields in the same order, so that both hash alike.
#[derive(Hash)]
struct Labels<'a> {
    surface: &'a str,
    upstream: &'a str,
    operation: &'static str,
    status: u16,
}

impl Equivalent<RequestLabels> for Labels<'_> {
    fn equivalent(&self, key: &RequestLabels) -> bool {
        self.status == key.status
            && self.operation == key.operation
            && self.surface == key.surface
            && self.upstream == key.upstream
    }
}

/// The labels of the per-upstream series: latency and translation errors.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct UpstreamLabels {
    /// The upstream's configured name.
    pub upstream: String,
}

/// The labels of `hookgate_build_info`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BuildLabels {
    /// The crate's version ([`VERSION`]).
    pub version: &'static str,
    /// The git commit built, or `unknown`.
    pub commit: &'static str,
}

/// The version and git commit of this build (`build.rs` captures the commit).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The git commit built, or `unknown` when it could not be read.
pub const COMMIT: &str = env!("BUILD_GIT_COMMIT");

/// The labels of `hookgate_emulator_operations_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EmulatorLabels {
    /// The emulated vendor's dialect.
    pub dialect: String,
    /// The canonical operation the emulator carried out.
    pub operation: &'static str,
}

/// The process's metric families and the registry that serves them at `/metrics`.
pub struct Metrics {
    registry: Registry,
    /// `hookgate_requests_total`: requests answered, each one the access log records, an
    /// emulator's own included.
    pub requests: Family<RequestLabels, Counter>,
    /// `hookgate_upstream_request_duration_seconds`: each attempt sent to a vendor, 0.5 ms to about
    /// 16 s.
    pub upstream_latency: Family<UpstreamLabels, Histogram>,
    /// `hookgate_translation_errors_total`: vendor answers hookgate could not translate (answered
    /// 502).
    pub translation_errors: Family<UpstreamLabels, Counter>,
    /// `hookgate_emulator_operations_total`: operations served by emulated vendors.
    pub emulator_operations: Family<EmulatorLabels, Counter>,
    /// `hookgate_upstream_pending_calls`: calls waiting for one of an upstream's slots now.
    pub upstream_pending: Family<UpstreamLabels, Gauge>,
}

/// A family described from the first scrape: prometheus-client leaves a family out of the
/// exposition until it has a series, and a family whose labels are only known from traffic
/// (a status, an operation) cannot be created at zero ahead of it.
#[derive(Debug)]
struct Described<M>(M);

impl<M: EncodeMetric> EncodeMetric for Described<M> {
    fn encode(&self, encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        self.0.encode(encoder)
    }

    fn metric_type(&self) -> MetricType {
        self.0.metric_type()
    }

    fn is_empty(&self) -> bool {
        false
    }
}

fn latency_histogram() -> Histogram {
    // 0.5 ms to ~16 s.
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(
        0.0005, 2.0, 16,
    ))
}

/// The process's metrics, registered once.
pub fn get() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(|| {
        let mut registry = Registry::with_prefix("hookgate");
        let requests = Family::default();
        let upstream_latency = Family::new_with_constructor(latency_histogram as fn() -> Histogram);
        let translation_errors = Family::default();
        let emulator_operations = Family::default();
        let upstream_pending = Family::default();
        let build_info = Family::<BuildLabels, Gauge>::default();
        build_info
            .get_or_create(&BuildLabels {
                version: VERSION,
                commit: COMMIT,
            })
            .set(1);
        registry.register(
            "build_info",
            "The running build: its version and git commit (value 1)",
            build_info,
        );
        registry.register(
            "requests",
            "Requests answered, by surface, upstream, operation and status",
            Described(requests.clone()),
        );
        registry.register(
            "upstream_request_duration_seconds",
            "Duration of each call to an upstream",
            Described(upstream_latency.clone()),
        );
        registry.register(
            "translation_errors",
            "Vendor answers that could not be translated",
            Described(translation_errors.clone()),
        );
        registry.register(
            "emulator_operations",
            "Operations carried out by emulated vendors",
            Described(emulator_operations.clone()),
        );
        registry.register(
            "upstream_pending_calls",
            "Calls waiting for a slot under an upstream's max_concurrency",
            Described(upstream_pending.clone()),
        );
        Metrics {
            registry,
            requests,
            upstream_latency,
            translation_errors,
            emulator_operations,
            upstream_pending,
        }
    })
}

impl Metrics {
    /// Creates each upstream's series at zero: its latency histogram, its translation errors
    /// and its waiting calls. Series of upstreams no longer configured stay until restart, as
    /// counters must.
    pub fn upstreams<'a>(&self, names: impl Iterator<Item = &'a str>) {
        for name in names {
            let labels = UpstreamLabels {
                upstream: name.to_owned(),
            };
            let _ = self.upstream_latency.get_or_create(&labels);
            let _ = self.translation_errors.get_or_create(&labels);
            let _ = self.upstream_pending.get_or_create(&labels);
        }
    }

    /// Counts one answered request.
    ///
    /// Through this thread's handle on the series (`SERIES`): the family's own lookup builds
    /// the labels (two strings) and hashes them with SipHash under a lock, about 850
    /// instructions a request; a handle is found with the labels as they are given and a
    /// faster hash. Series are never removed from the family, so a handle always counts into
    /// the series `/metrics` shows.
    pub fn request(&self, surface: &str, upstream: &str, operation: &'static str, status: u16) {
        let labels = Labels {
            surface,
            upstream,
            operation,
            status,
        };
        SERIES.with_borrow_mut(|series| {
            if let Some(counter) = series.get(&labels) {
                counter.inc();
                return;
            }
            let owned = RequestLabels {
                surface: surface.to_owned(),
                upstream: upstream.to_owned(),
                operation,
                status,
            };
            let counter = self.requests.get_or_create_owned(&owned);
            counter.inc();
            series.insert(owned, counter);
        });
    }

    /// The series of `upstream`'s call durations: kept by the upstream, so that recording a
    /// call looks nothing up (a family's lookup hashes its labels under a lock).
    pub fn upstream_latency(&self, upstream: &str) -> Histogram {
        self.upstream_latency
            .get_or_create(&UpstreamLabels {
                upstream: upstream.to_owned(),
            })
            .clone()
    }

    /// The gauge of `upstream`'s calls waiting for a slot, looked up only when one waits.
    pub fn pending(&self, upstream: &str) -> Gauge {
        self.upstream_pending
            .get_or_create(&UpstreamLabels {
                upstream: upstream.to_owned(),
            })
            .clone()
    }

    /// Counts one vendor answer that could not be translated.
    pub fn translation_error(&self, upstream: &str) {
        self.translation_errors
            .get_or_create(&UpstreamLabels {
                upstream: upstream.to_owned(),
            })
            .inc();
    }

    /// Counts one operation an emulated vendor carried out.
    pub fn emulated(&self, dialect: &str, operation: &'static str) {
        self.emulator_operations
            .get_or_create(&EmulatorLabels {
                dialect: dialect.to_owned(),
                operation,
            })
            .inc();
    }

    /// The OpenMetrics text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// `GET /metrics` on the main listener.
pub fn response() -> http::Response<crate::http::body::Body> {
    let text = get().render();
    let mut response = http::Response::new(crate::http::body::Body::from(text));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        ),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each request counts into the series of its own labels, from any thread, the first time
    /// and every time after; labels that differ in one field are another series.
    #[test]
    fn counts_each_request_into_the_series_of_its_labels() {
        let metrics = get();
        let count = |surface: &str, upstream: &str, status: u16| {
            metrics
                .requests
                .get_or_create(&RequestLabels {
                    surface: surface.into(),
                    upstream: upstream.into(),
                    operation: "get_webhook",
                    status,
                })
                .get()
        };
        let cases = [
            ("series-test-a", "up", 200),
            ("series-test-a", "up", 404),
            ("series-test-b", "up", 200),
            ("series-test-a", "up2", 200),
            ("series-test-a", "", 200),
        ];
        for (n, (surface, upstream, status)) in cases.into_iter().enumerate() {
            for _ in 0..=n {
                metrics.request(surface, upstream, "get_webhook", status);
            }
        }
        std::thread::spawn(move || metrics.request("series-test-b", "up", "get_webhook", 200))
            .join()
            .unwrap();
        metrics.request("series-test-a", "up", "list_webhooks", 200);
        assert_eq!(count("series-test-a", "up", 200), 1);
        assert_eq!(count("series-test-a", "up", 404), 2);
        assert_eq!(count("series-test-b", "up", 200), 3 + 1);
        assert_eq!(count("series-test-a", "up2", 200), 4);
        assert_eq!(count("series-test-a", "", 200), 5);
    }
}
