//! The official Stripe Python SDK (stripe 16.1.0, installed from PyPI into a virtual
//! environment the first time), a client nobody here wrote, driven by
//! `tests/sdk/stripe_endpoints.py` against `tests/dialects/tariff.toml`, a vendor spelt as
//! Stripe's webhook endpoints are: form bodies, `status` read and `disabled` sent, Unix times,
//! lists paged after the last id. Against its emulator, and through its surface in front of an
//! emulator of another vendor that takes JSON and gives its own cursors; paged two at a time by
//! the SDK's own auto-pagination in both, the surface walking the other vendor's pages to each
//! page the SDK asks for after its last id.

mod support;

use serde_json::{Value, json};
use std::path::PathBuf;
use support::gateway;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sdk/stripe_endpoints.py");
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");

/// A Python with the SDK (see [`support::sdk`]).
fn python() -> PathBuf {
    support::sdk::python_with("stripe", "16.1.0")
}

/// Runs the script against `base`; its steps by name.
async fn drive(base: String, pages: bool) -> serde_json::Map<String, Value> {
    let mut args = vec![base];
    if pages {
        args.push("--pages".to_owned());
    }
    support::sdk::steps(python(), SCRIPT, args).await
}

/// What every run must show, wherever the endpoints are kept.
fn the_sdk_saw_stripes_answers(steps: &serde_json::Map<String, Value>) {
    assert_eq!(
        steps["create"],
        json!({"object": "webhook_endpoint", "status": "enabled", "enabled_events": ["invoice.paid", "charge.failed"],
               "description": "Billing", "url": "https://example.com/hooks/2"})
    );
    assert_eq!(steps["retrieve"]["url"], "https://example.com/hooks/0");
    assert_eq!(
        steps["modify"],
        json!({"status": "disabled", "description": "Paused"})
    );
    assert_eq!(
        steps["enable"],
        json!({"status": "enabled", "description": "Paused"})
    );
    assert_eq!(steps["list"]["ids"], steps["list"]["made"], "{steps:?}");
    assert_eq!(steps["delete"]["id"], steps["delete"]["made"]);
    assert_eq!(steps["delete"]["deleted"], true);
    assert_eq!(steps["missing"]["status"], 404);
    assert_eq!(
        steps["invalid"],
        json!({"status": 400, "param": "enabled_events"})
    );
}

#[tokio::test]
async fn the_sdk_works_against_the_emulator_page_by_page() {
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.tariff]\ndialect = \"tariff\"\nemulate = true\n"
    ))
    .await;
    let steps = drive(format!("http://{}", gw.emulators["tariff"]), true).await;
    the_sdk_saw_stripes_answers(&steps);
}

#[tokio::test]
async fn the_sdk_works_through_its_surface_in_front_of_a_json_vendor() {
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [surfaces.tariff]\ndialect = \"tariff\"\nupstream = \"relay\"\nprefix = \"/tariff\"\nowner = \"p1\"\n"
    ))
    .await;
    let steps = drive(format!("http://{}/tariff", gw.addr), true).await;
    the_sdk_saw_stripes_answers(&steps);
    // Relay was paged with its own cursors, never asked after a Stripe-style id.
    let journal = support::journal(gw.emulators["relay"]).await;
    let lists: Vec<&str> = journal
        .iter()
        .filter(|e| e["method"] == "GET" && e["path"] == "/api/projects/p1/hooks")
        .filter_map(|e| e["query"].as_str())
        .collect();
    assert!(lists.iter().any(|q| q.contains("after=")), "{lists:?}");
    assert!(
        lists.iter().all(|q| !q.contains("starting_after")),
        "{lists:?}"
    );
    // What Relay was sent: JSON, the SDK's form read into Relay's own members.
    let hooks = support::relay_hooks(gw.emulators["relay"], "p1").await;
    let first = &hooks[0];
    assert_eq!(
        first["topics"],
        json!(["invoice.paid", "charge.failed"]),
        "{first}"
    );
    assert_eq!(first["disabled"], false, "{first}");
}
