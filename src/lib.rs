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
//! The crate, from the bottom up. Imports point one way: each row imports only the rows
//! before it, and within assembly each module only those before it in the row
//! (`tests/layering.rs` fails on any two files that import each other, directly or through
//! others):
//!
//! | layer | modules |
//! |---|---|
//! | values | [`model`] (the canonical webhook), [`problem`] (the one error value), [`exchange`] (a vendor request and reply), [`json`], [`form`], [`routes`] (the paths hookgate serves itself) |
//! | the mapping language | [`mapping`] (one file per dialect, compiled) |
//! | policies | [`url_policy`], [`auth`], [`metrics`], [`config`] |
//! | HTTP plumbing | [`http`] (server loop, client, edge, bodies) |
//! | planning and calling | [`plan`] (pure), [`upstream`] (runs a plan over HTTP), [`store`] (an emulator's memory) |
//! | frontends | [`idempotency`] (keys the gateway honours itself) → [`frontend`] (canonical API, vendor APIs) |
//! | assembly | [`setup`] (load and check) → [`wiring`] (build) → [`preview`] → [`gateway`] (the road, the listeners) → [`emulator`] (an emulated vendor, its admin API, journal and faults; mounted on the main listener through [`wiring::Mount`]) → [`reload`] (diff and swap) → [`app`] (start and stop) |
//! | around | [`telemetry`] (logs, signals), [`examples`] (mapping examples' round trip), [`healthcheck`] (the exec probe) |
//!
//! Where a lower file names a higher one, that file names nothing that leads back:
//! [`config`] builds the listener's and bodies' limits (`http/server.rs`, `http/body.rs`), the
//! retry policy (`upstream/resilience.rs`) and an emulator's settings (`emulator/settings.rs`,
//! `emulator/faults.rs`) and checks a base URL as a vendor connection will split it
//! (`http/connect.rs`), and [`metrics`] answers `/metrics` with an `http/body.rs` body.
//!
//! Every file, with its one job:
//!
//! ```text
//! src/
//!   main.rs             the command line: serve (the default), check, emulate, translate, healthcheck
//!   allocator.rs        mimalloc through its plain entry points; heaps collected after a burst
//!   lib.rs              the crate map
//!   -- values
//!   model/mod.rs        the canonical webhook: the canonical actions, checks, merge patch
//!     fields.rs           the field tables: names, kinds, who may write them
//!     object.rs           a canonical object as a map or as members read from a vendor
//!     listed.rs           a page of webhooks as JSON text, written as it is read
//!     resume.rs           the cursors of pages cut from a list a vendor answers whole
//!     stamp.rs            the canonical times: RFC 3339 in UTC, from whatever offset
//!   problem.rs          RFC 9457 problems: the one error value, its closed set of codes
//!   routes.rs           the paths hookgate serves itself, which no surface may take
//!   exchange/mod.rs     what crosses to a vendor: one planned request, one reply
//!     fields.rs           a reply's header fields, looked up where they lie in its head
//!   json.rs             JSON documents in: strict for request bodies
//!   json/doubt.rs       what a JSON text says that its tree written again would not
//!   json/folded.rs      member names as a case-blind parser reads them; one named twice on a way
//!   json/scan.rs        a JSON text read a token at a time, each value lent as it lies
//!   form.rs             form-encoded bodies as JSON values, both ways
//!   -- the mapping language
//!   mapping/mod.rs      the language's map; the loader and the compiled Dialect, re-exported
//!     file.rs             the TOML as written (serde structures)
//!     compile/mod.rs      a file into a Dialect, every problem reported
//!     compile/dialect.rs  [dialect] and [emulator]: what every operation shares
//!     compile/fields.rs   [fields] and [derived]: rules, codecs, checks
//!     compile/operations.rs [operations] and [resources]: paths, bodies, paging
//!     compile/errors.rs   [errors]: envelopes read into problems, written back
//!     model.rs            the compiled dialect
//!     load.rs             shipped files (compiled in) and a mappings_dir
//!     json_path.rs        singular JSON paths
//!     rules/mod.rs        field rules and the object map that holds them
//!     rules/write.rs      canonical request -> vendor request
//!     rules/read.rs       vendor answer -> canonical, from the text as it is read
//!     rules/parse.rs      vendor client's request -> canonical request
//!     rules/render.rs     canonical -> vendor answer
//!     rules/check.rs      the vendor's constraints on a dialect body
//!     rules/lists.rs      lists of which rules read some items (`urls[0]`)
//!     reader.rs           reading a vendor object in one walk, from its text or parsed
//!     codec.rs            invertible value codecs (int_string, negate, pairs, ...)
//!     time_format.rs      a vendor's own way of writing a time, read into RFC 3339 UTC
//!     flags.rs            event types kept as one boolean member each
//!     patch.rs            an update sent, or taken, as an RFC 6902 JSON Patch
//!     template.rs         body templates with {{placeholders}}
//!     url.rs              vendor URL path templates
//!     id_header.rs        answer headers that name a webhook's id (`Location`), read and written
//!     checks.rs           declared vendor constraints, checked before a call
//!     errors.rs           error envelopes, read into problems and rendered back
//!   -- policies
//!   url_policy.rs       which webhook URLs may be written to a vendor
//!   auth.rs             inbound API keys (SHA-256), scopes, upstreams; the caller a key admits
//!   metrics.rs          Prometheus series and /metrics
//!   config.rs           figment layers and the typed configuration; credentials (Secret)
//!   config/raw.rs       the configuration as written: each section's serde form
//!   config/schema.rs    the configuration's shape, checked before serde sees it
//!   config/tls.rs       certificate and key files, read and paired at load
//!   config/validate.rs  each raw section into its typed form, one report of every problem
//!   -- HTTP plumbing
//!   http/mod.rs         the plumbing's map; nothing in it knows about webhooks
//!     server.rs           the accept loop, TLS, the drain; HTTP/2 (and undecided first bytes) through hyper
//!     sniff.rs            a connection's protocol, told from its first bytes before hyper reads them
//!     handler.rs          what a listener serves: the handler, its hang-up mark, connection limits
//!     h1.rs               HTTP/1.1 connections: heads parsed where they lie, answers written, timers
//!     inbound.rs          a request's body: read with its head, read when asked, or hyper's
//!     head.rs             a request's head, copied out of hyper's read buffer (HTTP/2)
//!     workers.rs          serving workers: a thread and a single-threaded runtime per core
//!     edge.rs             what every request must satisfy before a handler reads it
//!     framing.rs          request framing on the raw bytes hyper reads (smuggling shapes)
//!     timeouts.rs         header, idle and send timers on the connections hyper serves
//!     headers.rs          request ids, media types, Prefer, hop-by-hop hygiene
//!     body.rs             size-limited bodies, JSON answers
//!     respond.rs          a problem as application/problem+json: hookgate's own error shape
//!     client.rs           the upstream client: kept connections per worker, a deadline per call
//!     connect.rs          a connection to a vendor: direct or through a proxy, then TLS
//!     wire.rs             HTTP/1.1 on a vendor connection: a request written, its answer read
//!   -- planning and calling
//!   plan/mod.rs         the pure planner: canonical operation -> vendor requests -> canonical result
//!     layout.rs           the stages an operation takes, laid out when the plan is made
//!     scope.rs            whose the webhook is: owners and ids checked, owners confirmed
//!     body.rs             a create or update body made ready before any call
//!     request.rs          a stage's vendor request, written from the operation and answers
//!     walk.rs             a vendor's pages walked to where a client's page begins, or cut to it
//!     cut.rs              a client's page cut from a vendor's page that holds more than its limit
//!     answer.rs           reading a vendor's reply
//!   upstream/mod.rs     one configured vendor endpoint: runs a plan over HTTP, or relays
//!     resilience.rs       retries, backoff, Retry-After, circuit breaker, concurrency cap
//!     scrub.rs            a vendor's answer with hookgate's own credential taken out
//!     turns.rs            one composed write at a time per webhook
//!     kept.rs             the secrets a vendor showed once, kept for its webhooks' later reads
//!   store/mod.rs        the in-memory store behind an emulated vendor; an operation on it
//!     list.rs             a page of an owner's webhooks, its cursor read as the vendor pages
//!     cursor.rs           the cursors it gives: a place, bound to its list, that tells no count
//!     mint.rs             ids, secrets, test event ids and timestamps it makes up, seeded or not
//!     snapshot.rs         the store as state files and fixtures see it: snapshots, seeds, resets
//!   -- frontends
//!   idempotency.rs      keys the gateway honours itself: a create answered once, its answer replayed
//!   frontend/mod.rs     the Frontend trait (one hook per phase of the road), Routed, Job, Outcome
//!     canonical.rs        /v1/... routes, bodies and answers
//!     vendor/mod.rs       a vendor's own API (drop-in surfaces, relays and emulators): routes, keys
//!     vendor/given.rs     what a request gives outside its path: its query parsed once, one value
//!                         per parameter or header, the literals held to
//!     vendor/request.rs   a client's body read in the vendor's terms, or relayed as it is
//!     vendor/lists.rs     a list's query, held to what the backend can do
//!     vendor/pages.rs     a relayed page's links to its other pages, named here
//!     vendor/answer.rs    answers and problems in the vendor's shape
//!   -- assembly, each importing those before it
//!   setup.rs            everything loaded and cross-checked before anything is bound
//!   wiring.rs           upstreams, surfaces and the main listener's routes, built from a Setup
//!   echoes.rs           the secrets a vendor's message may echo of a request, redacted from problems
//!   preview.rs          `hookgate translate` and POST /debug/translate: plans, not sent
//!   gateway.rs          the one road (a canonical PATCH and a surface request walked through it), the listeners
//!   emulator/mod.rs     an emulator: a vendor's API over a store, on its own listener
//!     admin.rs            the admin API under /__hookgate/, and the gate of emulators served by name
//!     fixtures.rs         webhooks and faults set up at start and on reset
//!     journal.rs          what the code under test sent
//!     faults.rs           latency, failure rates, scripts, dropped connections
//!     settings.rs         [upstreams.NAME.emulator] as written and as checked
//!     state.rs            the state file
//!   reload.rs           SIGHUP: what the main listener serves, rebuilt, diffed and swapped
//!   app.rs              from a Setup to listening sockets; start and stop
//!   -- around
//!   telemetry.rs        logs (pretty or JSON), signals
//!   examples.rs         round trip of the example bodies a mapping file ships
//!   healthcheck.rs      `hookgate healthcheck`
//! ```
//!
//! Dialect knowledge lives only in mapping files (`mappings/*.toml`); no Rust code knows a
//! vendor.

#![warn(missing_docs)]

pub mod allocator;
pub mod app;
pub mod auth;
pub mod config;
pub mod echoes;
pub mod emulator;
pub mod examples;
pub mod exchange;
pub mod form;
pub mod frontend;
pub mod gateway;
pub mod healthcheck;
pub mod http;
pub mod idempotency;
pub mod json;
pub mod mapping;
pub mod metrics;
pub mod model;
pub mod plan;
pub mod preview;
pub mod problem;
pub mod reload;
pub mod routes;
pub mod setup;
pub mod store;
pub mod telemetry;
pub mod upstream;
pub mod url_policy;
pub mod wiring;
