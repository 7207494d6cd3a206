//! Every check that can refuse a change is made before the first call that changes anything:
//! a change that a resource of the upstream refuses (Svix's headers, kept at `…/headers`) is
//! refused with nothing made or changed, whether it comes with a create, with a change of the
//! webhook's own members, or with one that reads the resource first; and a surface's
//! replacement that leaves such a member out clears it there. Fixtures: the shipped Svix
//! mapping file (an upstream with a resource that takes writes), and `tests/dialects/latch.toml`
//! (a client whose update is a PUT of the whole hook).

mod dropin;
mod support;

use serde_json::{Value, json};
use std::net::SocketAddr;
use support::{gateway, journal, send};

const BASE: &str = "/v1/upstreams/svix/owners/app_1/webhooks";

/// The calls an emulator journaled after the first `from`, as `METHOD path`.
async fn calls_since(emulator: SocketAddr, from: usize) -> Vec<String> {
    let seen = journal(emulator).await;
    seen[from.min(seen.len())..]
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["method"].as_str().unwrap_or(""),
                e["path"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn writes(calls: &[String]) -> Vec<&String> {
    calls.iter().filter(|c| !c.starts_with("GET ")).collect()
}

#[tokio::test]
async fn a_change_a_resource_refuses_changes_nothing_first() {
    let gw = gateway("[upstreams.svix]\ndialect = \"svix\"\nemulate = true\n").await;
    let emu = gw.emulators["svix"];
    let made = send(
        gw.addr,
        "POST",
        BASE,
        &[],
        Some(&json!({"url": "https://example.com/a", "events": ["a.b"], "headers": {"X-A": "1"}})),
    )
    .await;
    assert_eq!(made.status, 201, "{}", dropin::text(&made));
    let item = format!("{BASE}/{}", made.json()["id"].as_str().unwrap());
    // `sensitive` is a member the resource answers and never takes.
    let sensitive = json!({"sensitive": ["X-A"]});
    let cases: [(&str, &str, Value); 5] = [
        (
            "a create",
            BASE,
            json!({"url": "https://example.com/c", "events": ["a.b"], "extensions": sensitive}),
        ),
        (
            "a create with headers",
            BASE,
            json!({"url": "https://example.com/c", "events": ["a.b"], "headers": {"X-B": "2"}, "extensions": sensitive}),
        ),
        (
            "a change of the webhook's own members",
            &item,
            json!({"url": "https://example.com/n", "extensions": sensitive}),
        ),
        (
            "a change with a header set",
            &item,
            json!({"description": "d", "headers": {"X-B": "2"}, "extensions": sensitive}),
        ),
        (
            "a change with a header removed, which reads the resource first",
            &item,
            json!({"url": "https://example.com/n", "headers": {"X-A": null}, "extensions": sensitive}),
        ),
    ];
    for (what, path, body) in cases {
        let before = journal(emu).await.len();
        let method = if path == BASE { "POST" } else { "PATCH" };
        let refused = send(gw.addr, method, path, &[], Some(&body)).await;
        assert_eq!(refused.status, 422, "{what}: {}", dropin::text(&refused));
        assert_eq!(
            refused.json()["errors"][0]["field"],
            "extensions.sensitive",
            "{what}: {}",
            dropin::text(&refused)
        );
        let calls = calls_since(emu, before).await;
        assert!(writes(&calls).is_empty(), "{what}: refused after {calls:?}");
    }
    let read = send(gw.addr, "GET", &item, &[], None).await;
    assert_eq!(read.json()["url"], "https://example.com/a");
    assert_eq!(read.json()["headers"], json!({"X-A": "1"}));
    // Allowed, the change that reads the resource reads it before it writes anything.
    let before = journal(emu).await.len();
    let body = json!({"url": "https://example.com/n", "headers": {"X-A": null}});
    let changed = send(gw.addr, "PATCH", &item, &[], Some(&body)).await;
    assert_eq!(changed.status, 200, "{}", dropin::text(&changed));
    let calls = calls_since(emu, before).await;
    let first_write = calls.iter().position(|c| !c.starts_with("GET ")).unwrap();
    assert!(
        calls[..first_write].iter().any(|c| c.ends_with("/headers")),
        "the headers were not read before the first write: {calls:?}"
    );
    let read = send(gw.addr, "GET", &item, &[], None).await;
    assert_eq!(read.json()["url"], "https://example.com/n");
    assert!(
        read.json()["headers"].is_null() || read.json()["headers"] == json!({}),
        "{}",
        dropin::text(&read)
    );
}

/// A surface's full replacement that leaves out a member the upstream keeps at a resource
/// clears it there, in front of the upstream's emulator: with the webhook holding some of it
/// and none.
#[tokio::test]
async fn a_replacement_without_a_member_kept_at_a_resource_clears_it_there() {
    let dir = support::TEST_DIALECTS;
    let gw = gateway(&format!(
        "mappings_dir = {dir:?}\n[upstreams.svix]\ndialect = \"svix\"\nemulate = true\n\
         [surfaces.latch]\ndialect = \"latch\"\nupstream = \"svix\"\nprefix = \"/latch\"\nowner = \"app_1\"\n"
    ))
    .await;
    let key = [("authorization", "SSWS t0ken")];
    let hook = |uri: &str, headers: Option<Value>| {
        let mut config = json!({"uri": uri});
        if let Some(h) = headers {
            config["headers"] = h;
        }
        json!({"name": "n", "events": {"type": "EVENT_TYPE", "items": ["user.created"]},
            "channel": {"type": "HTTP", "version": "1.0.0", "config": config}})
    };
    for held in [None, Some(json!([{"key": "X-A", "value": "1"}]))] {
        let made = send(
            gw.addr,
            "POST",
            "/latch/api/v1/eventHooks",
            &key,
            Some(&hook("https://example.com/h", held.clone())),
        )
        .await;
        assert_eq!(made.status, 200, "{}", dropin::text(&made));
        let id = made.json()["id"].as_str().unwrap().to_owned();
        let put = send(
            gw.addr,
            "PUT",
            &format!("/latch/api/v1/eventHooks/{id}"),
            &key,
            Some(&hook("https://example.com/z", None)),
        )
        .await;
        assert_eq!(put.status, 200, "{held:?}: {}", dropin::text(&put));
        let read = send(
            gw.addr,
            "GET",
            &format!("/v1/upstreams/svix/owners/app_1/webhooks/{id}"),
            &[],
            None,
        )
        .await;
        assert_eq!(read.json()["url"], "https://example.com/z");
        let headers = &read.json()["headers"];
        assert!(
            headers.is_null() || headers == &json!({}),
            "{held:?}: headers left {headers}"
        );
    }
}
