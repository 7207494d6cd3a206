//! HTTP plumbing shared by every surface and backend: the server loop and its serving
//! workers, the pooled upstream client, header hygiene and body helpers. Nothing here knows about webhooks.

pub mod body;
pub mod client;
pub mod connect;
pub mod edge;
pub mod framing;
pub mod h1;
pub mod handler;
pub mod head;
pub mod headers;
pub mod inbound;
pub mod respond;
pub mod server;
pub mod sniff;
pub mod timeouts;
pub mod wire;
pub mod workers;
