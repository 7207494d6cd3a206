//! A dialect that exists only as a mapping file under `tests/dialects/` (no Rust knows it)
//! lives a whole lifecycle: served by its emulator, reached through the canonical API, and
//! spoken by a drop-in client of its own.

mod support;

use serde_json::json;
use support::{gateway, send};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");

#[tokio::test]
async fn a_new_vendor_needs_only_its_mapping_file() {
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [surfaces.relay]\ndialect = \"relay\"\nupstream = \"relay\"\nprefix = \"/relay\"\n"
    ))
    .await;
    let base = "/v1/upstreams/relay/owners/p1/webhooks";
    let body = json!({"url": "https://example.com/hook", "events": ["invoice.paid"], "description": "billing",
                      "timeout_seconds": 5, "headers": {"X-Env": "prod"}, "enabled": false});
    let created = send(gw.addr, "POST", base, &[], Some(&body)).await;
    assert_eq!(created.status, 201, "{}", created.json());
    let w = created.json();
    assert_eq!(w["id"], "1");
    assert_eq!(w["owner"], "p1");
    assert_eq!(w["status"], "disabled");
    for (k, v) in body.as_object().unwrap() {
        assert_eq!(&w[k], v, "{k}");
    }

    // The vendor's own shape, as its clients see it.
    let raw = send(
        gw.addr,
        "GET",
        "/relay/api/projects/p1/hooks/1",
        &[("authorization", "Bearer t")],
        None,
    )
    .await;
    assert_eq!(
        raw.json()["hook"]["target"],
        json!({"url": "https://example.com/hook", "timeout_ms": 5000, "headers": [{"name": "X-Env", "value": "prod"}]})
    );
    assert_eq!(raw.json()["hook"]["disabled"], true);
    assert_eq!(raw.json()["hook"]["state"], "paused");

    // Read-merge-write keeps what the patch does not name.
    let patched = send(
        gw.addr,
        "PATCH",
        &format!("{base}/1"),
        &[],
        Some(&json!({"enabled": true, "description": null})),
    )
    .await;
    assert_eq!(patched.status, 200, "{}", patched.json());
    let p = patched.json();
    assert_eq!(
        (
            p["enabled"].clone(),
            p["status"].clone(),
            p["description"].clone()
        ),
        (json!(true), json!("active"), json!(null))
    );
    assert_eq!(p["headers"], json!({"X-Env": "prod"}));
    assert_eq!(p["timeout_seconds"], 5);

    let refused = send(
        gw.addr,
        "PATCH",
        &format!("{base}/1"),
        &[],
        Some(&json!({"timeout_seconds": 60, "events": ["a", "a"]})),
    )
    .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.json()["errors"],
        json!([{"field": "events", "message": "must not contain duplicates"}, {"field": "timeout_seconds", "message": "must be between 1000 and 30000"}])
    );
    let unsupported = send(gw.addr, "POST", &format!("{base}/1/test"), &[], None).await;
    assert_eq!(unsupported.status, 501);

    let listed = send(gw.addr, "GET", &format!("{base}?limit=1"), &[], None)
        .await
        .json();
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    assert_eq!(
        send(gw.addr, "DELETE", &format!("{base}/1"), &[], None)
            .await
            .status,
        204
    );
    let gone = send(
        gw.addr,
        "GET",
        "/relay/api/projects/p1/hooks/1",
        &[("authorization", "Bearer t")],
        None,
    )
    .await;
    assert_eq!(
        (gone.status, gone.json()),
        (
            404,
            json!({"error": {"kind": "missing", "text": "no such hook"}})
        )
    );
    gw.stop().await;
}

#[test]
fn its_examples_round_trip() {
    let dialects = hookgate::mapping::load_dir(std::path::Path::new(DIR)).unwrap();
    assert!(!dialects[0].examples.is_empty());
    assert_eq!(
        hookgate::examples::round_trip_all(dialects.iter()),
        Vec::<String>::new()
    );
}
