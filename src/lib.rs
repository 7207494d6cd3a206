//! hookgate: one canonical webhook-management API over many vendor dialects.
//!
//! One request's road, in one file ([`gateway`]):
//!
//! ```text
//! listener (http::server) ─► gateway::serve: route → authenticate → read body → plan → call → render → record
//!                                 │ frontend::canonical (the canonical API) or frontend::vendor (a vendor's API)
//!                                 ▼
//!                            backend: upstream (the plan's vendor calls over HTTP) or store (an emulator's memory)
//!                                 │ plan: canonical operation → vendor requests → canonical result, pure
//!                                 ▼ mapping: the dialect's rules, templates and error envelopes
//! ```
//!
//! The crate, from the bottom up (each layer imports only those below it):
//!
//! | layer | modules |
//! |---|---|
//! | values | [`model`] (the canonical webhook), [`problem`] (the one error value), [`exchange`] (a vendor request and reply), [`json`] |
//! | the mapping language | [`mapping`] (one file per dialect, compiled) |
//! | policies | [`url_policy`], [`auth`], [`metrics`], [`config`] |
//! | HTTP plumbing | [`http`] (server loop, client, edge, bodies) |
//! | planning and calling | [`plan`] (pure), [`upstream`] (runs a plan over HTTP), [`store`] (an emulator's memory) |
//! | frontends | [`frontend`] (canonical API, vendor APIs) |
//! | assembly | [`setup`] (load and check) → [`wiring`] (build) → [`preview`] → [`gateway`] (the road, the listeners) → [`emulator`] (an emulated vendor, its admin API, journal and faults; mounted on the main listener through [`wiring::Mount`]) → [`reload`] (diff and swap) → [`app`] (start and stop) |
//! | around | [`telemetry`] (logs, signals), [`examples`] (mapping examples' round trip), [`healthcheck`] (the exec probe) |
//!
//! Dialect knowledge lives only in mapping files (`mappings/*.toml`); no Rust code knows a
//! vendor.

#![warn(missing_docs)]

pub mod app;
pub mod auth;
pub mod config;
pub mod emulator;
pub mod examples;
pub mod exchange;
pub mod frontend;
pub mod gateway;
pub mod healthcheck;
pub mod http;
pub mod json;
pub mod mapping;
pub mod metrics;
pub mod model;
pub mod plan;
pub mod preview;
pub mod problem;
pub mod reload;
pub mod setup;
pub mod store;
pub mod telemetry;
pub mod upstream;
pub mod url_policy;
pub mod wiring;
