//! The paths hookgate serves itself: the canonical API's root, the probes, the OpenAPI
//! description, the metrics, the preview endpoint and the emulators' admin prefix, and how a
//! path is told to lie below a prefix. Named here, below everything that routes by them (the
//! listeners) or keeps surfaces off them (the configuration's check of prefixes), so that both
//! read one list.

/// The canonical API's root on the main listener: it and every path below it are its.
pub const CANONICAL: &str = "/v1";
/// The liveness probe, answered on every listener.
pub const HEALTHZ: &str = "/healthz";
/// The readiness probe, answered on every listener.
pub const READYZ: &str = "/readyz";
/// The OpenAPI description, on the main listener.
pub const OPENAPI: &str = "/openapi.json";
/// The Prometheus metrics, on the main listener.
pub const METRICS: &str = "/metrics";
/// The preview endpoint (`hookgate translate` over HTTP), on the main listener when on.
pub const PREVIEW: &str = "/debug/translate";
/// The reserved prefix of hookgate's own paths: the emulators' admin API, on the main listener
/// and on each vendor's listener.
pub const ADMIN: &str = "/__hookgate";

/// Every path the main listener serves itself, ahead of any surface mounted on it, each with
/// what it is: a surface's prefix that is one of them, lies below one or holds one below it
/// would be shadowed, whole or in part. Read by the configuration's check of prefixes, so
/// that a route added here is refused as a prefix with no second list to keep.
pub const OWN_PATHS: &[(&str, &str)] = &[
    (CANONICAL, "the canonical API"),
    (HEALTHZ, "the liveness probe"),
    (READYZ, "the readiness probe"),
    (OPENAPI, "the OpenAPI description"),
    (METRICS, "the metrics"),
    (PREVIEW, "the preview endpoint"),
    (ADMIN, "the emulators' admin API"),
];

/// What follows `prefix` in `path`, when `path` is `prefix` or below it.
pub fn under<'p>(path: &'p str, prefix: &str) -> Option<&'p str> {
    path.strip_prefix(prefix)
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
}
