//! hookgate: one canonical webhook-management API over many vendor dialects.
//!
//! A request's way through:
//!
//! ```text
//! client ─► server ─► surface (canonical API, or a vendor's own API)   surface/
//!                       │  HTTP → canonical Operation                   canonical.rs
//!                       ▼
//!                     backend: an upstream over HTTP, or an emulator's store   backend/
//!                       │  canonical → dialect request → vendor → canonical     mapping/
//!                       ▼
//!                     surface renders the Outcome or Problem in its own shape   problem.rs
//! ```
//!
//! Dialect knowledge lives only in mapping files (`mappings/*.toml`), compiled by [`mapping`].

pub mod app;
pub mod auth;
pub mod backend;
pub mod canonical;
pub mod config;
pub mod emulator;
pub mod examples;
pub mod http;
pub mod mapping;
pub mod metrics;
pub mod problem;
pub mod reload;
pub mod surface;
pub mod telemetry;
pub mod translate;
pub mod url_policy;
