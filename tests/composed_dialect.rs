//! A dialect that exists only under `tests/dialects/` (`beacon.toml`), whose vendor keeps custom
//! headers and the signing secret at paths of their own, answers some calls without the
//! webhook, and ends its lists by a flag: sub-resources, composed calls and flag-ended lists are
//! data, carried out with no Rust that knows of it. Through the canonical API in front of its
//! emulator (so its own surface serves the other side), and in front of a scripted vendor whose
//! requests are checked one by one.

mod support;

use serde_json::{Value, json};
use std::path::Path;
use support::{Double, Reply, gateway, send};

const DIALECTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");

fn config(upstream: &str) -> String {
    format!("mappings_dir = {:?}\n{upstream}", Path::new(DIALECTS))
}

#[tokio::test]
async fn a_lifecycle_through_sub_resources_and_composed_calls() {
    let gw = gateway(&config(
        "[upstreams.b]\ndialect = \"beacon\"\nemulate = true\n",
    ))
    .await;
    let base = "/v1/upstreams/b/owners/ws-1/webhooks";
    let body = json!({"url": "https://example.com/hook", "events": ["build.finished"],
        "description": "CI", "headers": {"X-A": "1", "X-B": "2"}});
    let created = send(gw.addr, "POST", base, &[], Some(&body)).await;
    assert_eq!(created.status, 201, "{}", created.json());
    let c = created.json();
    let id = c["id"].as_str().unwrap().to_owned();
    assert!(
        c["secret"].as_str().unwrap().starts_with("bsk_"),
        "a minted secret, read from its own path: {c}"
    );
    assert_eq!(
        c["headers"],
        json!({"X-A": "1", "X-B": "2"}),
        "written at their own path: {c}"
    );

    let got = send(gw.addr, "GET", &format!("{base}/{id}"), &[], None)
        .await
        .json();
    assert_eq!(got["headers"], json!({"X-A": "1", "X-B": "2"}), "{got}");
    assert!(got.get("secret").is_none());

    // Headers can only be replaced whole: the merge is made here, on what is read first.
    let patch = json!({"headers": {"X-A": null, "X-C": "3"}, "description": "CI v2"});
    let patched = send(gw.addr, "PATCH", &format!("{base}/{id}"), &[], Some(&patch)).await;
    assert_eq!(patched.status, 200, "{}", patched.json());
    let p = patched.json();
    assert_eq!(p["headers"], json!({"X-B": "2", "X-C": "3"}), "{p}");
    assert_eq!(p["description"], "CI v2");
    assert_eq!(
        p["events"],
        json!(["build.finished"]),
        "what was not named stays"
    );

    let rotated = send(
        gw.addr,
        "POST",
        &format!("{base}/{id}/rotate-secret"),
        &[],
        None,
    )
    .await
    .json();
    let secret = rotated["secret"].as_str().unwrap();
    assert!(
        secret.starts_with("bsk_") && secret != c["secret"].as_str().unwrap(),
        "{rotated}"
    );
    assert_eq!(
        rotated["headers"],
        json!({"X-B": "2", "X-C": "3"}),
        "{rotated}"
    );

    for n in 0..3 {
        let more = json!({"url": format!("https://example.com/{n}"), "events": ["build.started"]});
        assert_eq!(
            send(gw.addr, "POST", base, &[], Some(&more)).await.status,
            201
        );
    }
    let mut sizes = Vec::new();
    let mut cursor = None::<String>;
    loop {
        let path = match &cursor {
            Some(c) => format!("{base}?limit=3&cursor={c}"),
            None => format!("{base}?limit=3"),
        };
        let page = send(gw.addr, "GET", &path, &[], None).await.json();
        sizes.push(page["data"].as_array().unwrap().len());
        match &page["next_cursor"] {
            Value::String(c) => cursor = Some(c.clone()),
            _ => break,
        }
        assert!(sizes.len() < 5, "paging never ended");
    }
    assert_eq!(sizes, [3, 1], "the flag ends the list: no empty page");

    assert_eq!(
        send(gw.addr, "DELETE", &format!("{base}/{id}"), &[], None)
            .await
            .status,
        204
    );
    assert_eq!(
        send(gw.addr, "GET", &format!("{base}/{id}"), &[], None)
            .await
            .status,
        404
    );
    let refused = send(
        gw.addr,
        "GET",
        &format!("{base}/not-one-of-its-ids"),
        &[],
        None,
    )
    .await;
    assert_eq!(
        refused.status, 404,
        "an id of another shape never reaches the vendor"
    );
    gw.stop().await;
}

#[tokio::test]
async fn each_vendor_call_is_the_one_the_file_declares() {
    let id = "sub_0123456789abcdef0123456789abcdef";
    let sub = |title: &str| {
        json!({"subscription_id": id, "target": "https://example.com/beacon", "topics": ["build.finished"],
               "title": title, "paused": false, "created": "2026-11-23T09:00:00Z", "updated": "2026-11-23T09:00:00Z"})
    };
    let empty = || Reply::Raw {
        status: 204,
        headers: vec![],
        body: String::new(),
    };
    let vendor = Double::start(vec![
        Reply::json(200, sub("CI")), // the subscription as it is
        // The headers as they are, read before anything changes: the change to them is made
        // and checked before the first write.
        Reply::json(200, json!({"headers": {"X-A": "1", "X-B": "2"}})),
        empty(),                        // the full update, answered without a body
        empty(),                        // the headers, whole
        Reply::json(200, sub("CI v2")), // read again: the update said nothing
    ])
    .await;
    let gw = gateway(&config(&format!(
        "[upstreams.b]\ndialect = \"beacon\"\nbase_url = \"{}\"\nauth = {{ type = \"none\" }}\nretries = 0\n",
        vendor.url()
    )))
    .await;
    let patch = json!({"description": "CI v2", "headers": {"X-A": null}});
    let answer = send(
        gw.addr,
        "PATCH",
        &format!("/v1/upstreams/b/owners/ws-1/webhooks/{id}"),
        &[],
        Some(&patch),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.json());
    assert_eq!(answer.json()["description"], "CI v2");
    assert_eq!(answer.json()["headers"], json!({"X-B": "2"}));
    let at = format!("/v2/workspaces/ws-1/subscriptions/{id}");
    let seen: Vec<(String, String, Option<Value>)> = vendor
        .seen()
        .into_iter()
        .map(|s| (s.method.clone(), s.path.clone(), s.json()))
        .collect();
    assert_eq!(
        seen,
        [
            ("GET".into(), at.clone(), None),
            ("GET".into(), format!("{at}/headers"), None),
            (
                "PUT".into(),
                at.clone(),
                Some(
                    json!({"target": "https://example.com/beacon", "topics": ["build.finished"],
                            "title": "CI v2", "paused": false})
                )
            ),
            (
                "PUT".into(),
                format!("{at}/headers"),
                Some(json!({"headers": {"X-B": "2"}}))
            ),
            ("GET".into(), at.clone(), None),
        ]
    );
    gw.stop().await;
}

#[tokio::test]
async fn a_resources_answer_names_the_request_where_its_envelope_asks() {
    let dir = support::dialects_with(&[(
        "beacon",
        "response = { headers = \"{{resource}}\" }",
        "response = { headers = \"{{resource}}\", request_id = \"{{request_id}}\" }",
    )]);
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.b]\ndialect = \"beacon\"\nemulate = true\n",
        dir.path()
    ))
    .await;
    let body = json!({"url": "https://example.com/hook", "events": ["build.finished"],
        "headers": {"X-A": "1"}});
    let created = send(
        gw.addr,
        "POST",
        "/v1/upstreams/b/owners/ws-1/webhooks",
        &[],
        Some(&body),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.json());
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let headers = send(
        gw.emulators["b"],
        "GET",
        &format!("/v2/workspaces/ws-1/subscriptions/{id}/headers"),
        &[("authorization", "Bearer t")],
        None,
    )
    .await;
    assert_eq!(headers.status, 200, "{}", headers.json());
    let named = headers.headers["x-request-id"].to_str().unwrap();
    assert_eq!(headers.json()["request_id"], named, "{}", headers.json());
    assert_eq!(headers.json()["headers"], json!({"X-A": "1"}));
}
