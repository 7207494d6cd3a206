//! ShopifyAPI (12.7.0, installed from PyPI into a virtual environment the first time),
//! Shopify's Python library, a client nobody here wrote, driven by
//! `tests/sdk/shopify_webhooks.py` against `tests/dialects/shop.toml`, a vendor spelt as
//! Shopify's REST Admin API webhooks: paths that end in `.json` after the id, a token in a
//! header of the vendor's own, one topic per webhook, the whole webhook saved back with a PUT,
//! lists followed page by page through `Link` headers, refusals as `{"errors": …}`. Against its
//! emulator, and through its surface in front of an emulator of another vendor.

mod support;

use serde_json::{Map, Value, json};
use support::gateway;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sdk/shopify_webhooks.py");
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");

async fn drive(base: String) -> Map<String, Value> {
    let python = support::sdk::python_with("ShopifyAPI", "12.7.0");
    support::sdk::steps(python, SCRIPT, vec![base]).await
}

/// What every run must show, wherever the webhooks are kept.
fn the_library_saw_the_vendors_answers(steps: &Map<String, Value>) {
    let made =
        json!({"address": "https://example.com/1", "topic": "orders/create", "format": "json"});
    let mut created = made.clone();
    created["errors"] = json!([]);
    assert_eq!(steps["create"], created);
    assert_eq!(steps["find"], made);
    let mut saved = made.clone();
    saved["address"] = json!("https://example.com/2");
    let mut answered = saved.clone();
    answered["ok"] = json!(true);
    assert_eq!(steps["save"], answered);
    assert_eq!(steps["find again"], saved);
    assert_eq!(steps["pages"]["ids"], steps["pages"]["made"], "{steps:?}");
    assert_eq!(steps["pages"]["ids"].as_array().map(Vec::len), Some(3));
    assert_eq!(steps["blank"], json!({"errors": ["can't be blank"]}));
    assert_eq!(
        steps["missing"],
        json!({"kind": "ResourceNotFound", "status": 404})
    );
}

#[tokio::test]
async fn the_library_works_against_the_emulator() {
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.shop]\ndialect = \"shop\"\nemulate = true\n"
    ))
    .await;
    let steps = drive(format!("http://{}", gw.emulators["shop"])).await;
    the_library_saw_the_vendors_answers(&steps);
}

#[tokio::test]
async fn the_library_works_through_its_surface_in_front_of_another_vendor() {
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [surfaces.shop]\ndialect = \"shop\"\nupstream = \"relay\"\nprefix = \"/shop\"\nowner = \"7\"\n"
    ))
    .await;
    let steps = drive(format!("http://{}/shop", gw.addr)).await;
    the_library_saw_the_vendors_answers(&steps);
    // What Relay keeps, under the one project the surface bridges: a topic each.
    let hooks = support::relay_hooks(gw.emulators["relay"], "7").await;
    let topics: Vec<&Value> = hooks.iter().map(|h| &h["topics"]).collect();
    assert_eq!(
        topics,
        [&json!(["orders/paid"]), &json!(["app/uninstalled"])],
        "{hooks:?}"
    );
}
