//! Updates that name what they change in a field mask (`tests/dialects/sift.toml`:
//! `PATCH …?update_mask=target,display_name`, as Google's APIs and Sinch's Conversation API
//! take them): the mask the gateway sends is the places its body writes, no more; the vendor's
//! emulator and a surface of it in front of a vendor of plain merges change what a client's
//! mask names, clear what it names and the body leaves out, and leave the rest as it was; a
//! mask path that names no member a request can set is refused on the mask's parameter.

mod support;

use serde_json::{Value, json};
use std::net::SocketAddr;
use support::{Double, Reply, gateway, gateway_over, ok, send};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
const BEARER: (&str, &str) = ("authorization", "Bearer t");

fn webhook(target: &str, name: Value) -> Value {
    json!({"id": "wh-1", "target": target, "triggers": ["MESSAGE_DELIVERY"], "display_name": name})
}

#[tokio::test]
async fn the_gateway_masks_an_update_to_the_places_it_writes() {
    let vendor = Double::start(vec![
        Reply::json(200, webhook("https://example.com/2", Value::Null)),
        Reply::json(200, webhook("https://example.com/2", Value::Null)),
    ])
    .await;
    let gw = gateway_over(DIR, "sift", &vendor).await;
    let one = "/v1/upstreams/sift/owners/p1/webhooks/wh-1";
    let changed = send(
        gw.addr,
        "PATCH",
        one,
        &[],
        Some(&json!({"url": "https://example.com/2", "description": null})),
    )
    .await;
    ok(&changed, 200, "update");
    let events = send(
        gw.addr,
        "PATCH",
        one,
        &[],
        Some(&json!({"events": ["MESSAGE_DELIVERY", "EVENT_INBOUND"]})),
    )
    .await;
    ok(&events, 200, "update of the event types");
    let seen = vendor.seen();
    assert_eq!(
        seen[0].path,
        "/v1/projects/p1/webhooks/wh-1?update_mask=target%2Cdisplay_name"
    );
    assert_eq!(
        seen[0].json(),
        Some(json!({"target": "https://example.com/2", "display_name": null}))
    );
    assert_eq!(
        seen[1].path,
        "/v1/projects/p1/webhooks/wh-1?update_mask=triggers"
    );
    assert_eq!(
        seen[1].json(),
        Some(json!({"triggers": ["MESSAGE_DELIVERY", "EVENT_INBOUND"]}))
    );
}

/// Where a Sift client's calls land, and the path of its project's webhooks there.
async fn sift_api(through_surface: bool) -> (hookgate::app::Running, SocketAddr, String) {
    if through_surface {
        let gw = gateway(&format!(
            "mappings_dir = {DIR:?}\n[upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
             [surfaces.sift]\ndialect = \"sift\"\nupstream = \"relay\"\nprefix = \"/sift\"\n"
        ))
        .await;
        let addr = gw.addr;
        (gw, addr, "/sift/v1/projects/p1/webhooks".to_owned())
    } else {
        let gw = gateway(&format!(
            "mappings_dir = {DIR:?}\n[upstreams.sift]\ndialect = \"sift\"\nemulate = true\n"
        ))
        .await;
        let addr = gw.emulators["sift"];
        (gw, addr, "/v1/projects/p1/webhooks".to_owned())
    }
}

async fn a_clients_mask_says_what_changes(through_surface: bool) {
    let (_gw, addr, hooks) = sift_api(through_surface).await;
    let made = send(
        addr,
        "POST",
        &hooks,
        &[BEARER],
        Some(
            &json!({"target": "https://example.com/1", "triggers": ["MESSAGE_DELIVERY"],
            "display_name": "first"}),
        ),
    )
    .await;
    ok(&made, 200, "create");
    let one = format!("{hooks}/{}", made.json()["id"].as_str().unwrap());
    let patch = |mask: &'static str, body: Value| {
        let one = one.clone();
        async move {
            let path = match mask {
                "" => one,
                mask => format!("{one}?update_mask={mask}"),
            };
            send(addr, "PATCH", &path, &[BEARER], Some(&body)).await
        }
    };
    // The body's target is not in the mask: left as it was.
    let named = patch(
        "display_name",
        json!({"target": "https://example.com/ignored", "display_name": "second"}),
    )
    .await;
    ok(&named, 200, "a mask of one member");
    assert_eq!(named.json()["target"], "https://example.com/1");
    assert_eq!(named.json()["display_name"], "second");
    // Named and left out: cleared.
    let cleared = patch("display_name", json!({})).await;
    ok(&cleared, 200, "a member named and left out");
    assert_eq!(cleared.json()["display_name"], Value::Null);
    assert_eq!(cleared.json()["triggers"], json!(["MESSAGE_DELIVERY"]));
    // Two members, comma-separated; and every member the body holds, with `*`.
    let two = patch(
        "target,triggers",
        json!({"target": "https://example.com/2", "triggers": ["EVENT_INBOUND"]}),
    )
    .await;
    ok(&two, 200, "a mask of two members");
    assert_eq!(two.json()["target"], "https://example.com/2");
    assert_eq!(two.json()["triggers"], json!(["EVENT_INBOUND"]));
    let all = patch("*", json!({"display_name": "third"})).await;
    ok(&all, 200, "a mask of every member given");
    assert_eq!(all.json()["display_name"], "third");
    assert_eq!(all.json()["target"], "https://example.com/2");
    // No mask: a merge of what the body holds.
    let merged = patch("", json!({"target": "https://example.com/3"})).await;
    ok(&merged, 200, "no mask");
    assert_eq!(merged.json()["target"], "https://example.com/3");
    assert_eq!(merged.json()["display_name"], "third");
    // An empty mask names nothing: a merge of what the body holds, as without one.
    let body = json!({"display_name": "fourth"});
    for path in [
        format!("{one}?update_mask="),
        format!("{one}?update_mask=%20,"),
    ] {
        let empty = send(addr, "PATCH", &path, &[BEARER], Some(&body)).await;
        ok(&empty, 200, &path);
        assert_eq!(empty.json()["display_name"], "fourth");
        assert_eq!(empty.json()["target"], "https://example.com/3");
    }
    // A path that names no member a request can set is refused on the mask's parameter, in
    // the vendor's shape, whatever else the mask names; and nothing changes.
    for (mask, said) in [
        (
            "bogus",
            "`bogus` names no member of the webhook: it cannot be changed",
        ),
        (
            "display_name,bogus",
            "`bogus` names no member of the webhook: it cannot be changed",
        ),
        ("id", "`id` is read-only: it cannot be changed"),
        (
            "display_name.text",
            "`display_name.text` names part of `display_name`: name the whole member",
        ),
        (
            "triggers.0",
            "`triggers.0` names part of `triggers`: name the whole member",
        ),
        (
            "extensions",
            "`extensions` names no member of the webhook: it cannot be changed",
        ),
        (
            "display%5Fname%2Cdisplay_name.",
            "`display_name.` names part of `display_name`: name the whole member",
        ),
    ] {
        let refused = patch(mask, json!({"display_name": "n4"})).await;
        ok(&refused, 400, mask);
        let error = &refused.json()["error"];
        assert_eq!(error["status"], "INVALID_ARGUMENT", "{mask}");
        assert_eq!(error["message"], format!("update_mask: {said}"), "{mask}");
    }
    let read = send(addr, "GET", &one, &[BEARER], None).await;
    assert_eq!(read.json()["display_name"], "fourth");
    // A required member named and left out is refused, and nothing changes.
    let refused = patch("target", json!({})).await;
    ok(&refused, 400, "a required member cleared");
    assert_eq!(refused.json()["error"]["status"], "INVALID_ARGUMENT");
    let read = send(addr, "GET", &one, &[BEARER], None).await;
    assert_eq!(read.json()["target"], "https://example.com/3");
    assert_eq!(read.json()["display_name"], "fourth");
}

#[tokio::test]
async fn the_emulator_changes_what_a_clients_mask_names() {
    a_clients_mask_says_what_changes(false).await;
}

#[tokio::test]
async fn a_surface_in_front_of_a_vendor_of_merges_changes_what_a_clients_mask_names() {
    a_clients_mask_says_what_changes(true).await;
}

#[test]
fn a_mask_is_an_updates_whole_query_parameter() {
    let sift = std::fs::read_to_string(format!("{DIR}/sift.toml")).unwrap();
    let cases = [
        (
            sift.replacen(
                "update_mask = \"{{update_mask}}\"",
                "update_mask = \"paths:{{update_mask}}\"",
                1,
            ),
            "operations.update.query.update_mask: `{{update_mask}}` is a parameter's whole value",
        ),
        (
            sift.replacen(
                "query = { page_size = \"{{limit}}\", page_token = \"{{cursor}}\" }",
                "query = { page_size = \"{{limit}}\", page_token = \"{{cursor}}\", m = \"{{update_mask}}\" }",
                1,
            ),
            "operations.list.query.m",
        ),
        (
            sift.replacen(
                "query = { update_mask = \"{{update_mask}}\" }",
                "query = { update_mask = \"{{update_mask}}\" }\nstrategy = \"json_patch\"",
                1,
            ),
            "operations.update.query: a JSON Patch names the places it changes",
        ),
    ];
    for (text, says) in cases {
        assert_ne!(text, sift, "{says}");
        let Err(errors) =
            hookgate::mapping::compile::compile("sift", std::path::Path::new("sift.toml"), &text)
        else {
            panic!("loaded: {says}");
        };
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(shown.iter().any(|e| e.contains(says)), "{says}: {shown:?}");
    }
}
