//! A vendor's PUT of an unknown id that creates the webhook (`upsert` on `replace`): under the
//! id the path names where the vendor's clients choose ids (`upsert = "given_id"`, or `true`),
//! under one minted as a create's is where the vendor mints it (`upsert = "new_id"`, Svix's).
//! Emulators create as their vendor does; a surface in front of another upstream creates there
//! by the upstream's create where its vendor mints the id, never under the path's segment, and
//! answers 404 where its vendor keeps the path's id and the upstream cannot create under it.
//! Fixtures: the shipped `svix.toml`, and `tests/dialects/latch.toml` made to create on its PUT.

mod support;

use serde_json::{Value, json};
use std::net::SocketAddr;
use support::{gateway, ok, send};

const SVIX_AUTH: (&str, &str) = ("authorization", "Bearer t0ken");
const LATCH_AUTH: (&str, &str) = ("authorization", "SSWS t0ken");
const LATCH_PUT: &str =
    "path = \"/eventHooks/{id}\"\nbody = \"{{webhook}}\"\nresponse = \"{{webhook}}\"\n";

/// The test dialects, Latch's PUT declared with `upsert` (the TOML value `upsert`), beside the
/// shipped Svix.
fn dialects(upsert: Option<&str>) -> tempfile::TempDir {
    let edits: Vec<(&str, &str, String)> = upsert
        .map(|u| ("latch", LATCH_PUT, format!("{LATCH_PUT}upsert = {u}\n")))
        .into_iter()
        .collect();
    let edits: Vec<(&str, &str, &str)> =
        edits.iter().map(|(n, f, t)| (*n, *f, t.as_str())).collect();
    let dir = support::dialects_with(&edits);
    let svix = concat!(env!("CARGO_MANIFEST_DIR"), "/mappings/svix.toml");
    std::fs::copy(svix, dir.path().join("svix.toml")).unwrap();
    dir
}

/// A whole Latch event hook.
fn hook(uri: &str) -> Value {
    json!({"name": "n", "events": {"type": "EVENT_TYPE", "items": ["user.created"]},
        "channel": {"type": "HTTP", "version": "1.0.0", "config": {"uri": uri,
            "headers": [{"key": "X-A", "value": "1"}]}}})
}

/// Whether `id` is of the shape `[emulator] id = "prefix:ep_"` mints (Svix's).
fn svix_minted(id: &str) -> bool {
    id.strip_prefix("ep_")
        .is_some_and(|hex| hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether `id` is of the shape Latch's emulator mints (`who` and 17 letters or digits).
fn latch_minted(id: &str) -> bool {
    id.strip_prefix("who")
        .is_some_and(|rest| rest.len() == 17 && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

async fn get(addr: SocketAddr, path: &str, auth: (&str, &str)) -> Value {
    let a = send(addr, "GET", path, &[auth], None).await;
    ok(&a, 200, path);
    a.json()
}

#[tokio::test]
async fn an_emulated_vendor_that_mints_ids_creates_an_unknown_id_under_a_new_one() {
    let gw = gateway("[upstreams.svix]\ndialect = \"svix\"\nemulate = true\n").await;
    let emu = gw.emulators["svix"];
    let base = "/api/v1/app/app_up/endpoint";
    // (the path's segment, the body's uid)
    let cases = [
        ("my-new-uid", None),
        ("my-other-uid", Some("orders-uid")),
        ("ep_0123456789abcdef0123456789abcdef", Some("ep-shaped")),
    ];
    for (segment, uid) in cases {
        let mut body = json!({"url": "https://example.com/up", "eventTypes": ["a.b"]});
        if let Some(uid) = uid {
            body["uid"] = json!(uid);
        }
        let a = send(
            emu,
            "PUT",
            &format!("{base}/{segment}"),
            &[SVIX_AUTH],
            Some(&body),
        )
        .await;
        ok(&a, 201, segment);
        let made = a.json();
        let id = made["id"].as_str().unwrap().to_owned();
        assert!(svix_minted(&id), "{segment}: {made}");
        assert_ne!(id, segment, "{made}");
        assert_eq!(
            made["uid"],
            json!(uid),
            "the uid is the body's alone: {made}"
        );
        let by_id = get(emu, &format!("{base}/{id}"), SVIX_AUTH).await;
        assert_eq!(by_id["url"], "https://example.com/up", "{by_id}");
        if let Some(uid) = uid {
            assert_eq!(
                get(emu, &format!("{base}/{uid}"), SVIX_AUTH).await["id"],
                id.as_str()
            );
        }
        // The path's segment names nothing: it was dropped.
        let unknown = send(emu, "GET", &format!("{base}/{segment}"), &[SVIX_AUTH], None).await;
        ok(&unknown, 404, segment);
    }
    // A PUT of a known id (or uid) changes it: nothing more is created.
    let body =
        json!({"url": "https://example.com/again", "eventTypes": ["a.b"], "uid": "orders-uid"});
    let a = send(
        emu,
        "PUT",
        &format!("{base}/orders-uid"),
        &[SVIX_AUTH],
        Some(&body),
    )
    .await;
    ok(&a, 200, "a PUT of a known uid");
    let listed = get(emu, base, SVIX_AUTH).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 3, "{listed}");
    gw.stop().await;
}

#[tokio::test]
async fn an_emulated_vendor_whose_clients_choose_ids_creates_under_the_id_given() {
    for spelling in ["true", "\"given_id\""] {
        let dir = dialects(Some(spelling));
        let gw = support::gateway_emulating(dir.path().to_str().unwrap(), "latch").await;
        let emu = gw.emulators["latch"];
        let id = "whoABCDEFGHIJKLMNOPQ";
        let path = format!("/api/v1/eventHooks/{id}");
        let a = send(
            emu,
            "PUT",
            &path,
            &[LATCH_AUTH],
            Some(&hook("https://example.com/g")),
        )
        .await;
        ok(&a, 201, spelling);
        assert_eq!(a.json()["id"], id, "{spelling}: {}", a.json());
        assert_eq!(get(emu, &path, LATCH_AUTH).await["id"], id, "{spelling}");
        gw.stop().await;
    }
}

#[tokio::test]
async fn another_emulated_vendor_that_mints_ids_mints_one_of_its_own_shape() {
    let dir = dialects(Some("\"new_id\""));
    let gw = support::gateway_emulating(dir.path().to_str().unwrap(), "latch").await;
    let emu = gw.emulators["latch"];
    let asked = "whoABCDEFGHIJKLMNOPQ";
    let a = send(
        emu,
        "PUT",
        &format!("/api/v1/eventHooks/{asked}"),
        &[LATCH_AUTH],
        Some(&hook("https://example.com/n")),
    )
    .await;
    ok(&a, 201, "a PUT of an unknown id");
    let id = a.json()["id"].as_str().unwrap().to_owned();
    assert!(latch_minted(&id) && id != asked, "{}", a.json());
    get(emu, &format!("/api/v1/eventHooks/{id}"), LATCH_AUTH).await;
    let gone = send(
        emu,
        "GET",
        &format!("/api/v1/eventHooks/{asked}"),
        &[LATCH_AUTH],
        None,
    )
    .await;
    ok(&gone, 404, "the id the path named");
    gw.stop().await;
}

/// A gateway with the dialects of `dir`, an emulated `upstream` and a surface of `surface` in
/// front of it at `/s` (serving owner `app_1` where only one of them has owners).
async fn surface(dir: &tempfile::TempDir, surface: &str, upstream: &str) -> hookgate::app::Running {
    let owners = |name: &str| name == "svix";
    let mut toml = format!(
        "mappings_dir = {:?}\n[upstreams.{upstream}]\ndialect = \"{upstream}\"\nemulate = true\n\
         [surfaces.s]\ndialect = \"{surface}\"\nupstream = \"{upstream}\"\nprefix = \"/s\"\n",
        dir.path().to_str().unwrap()
    );
    if owners(surface) != owners(upstream) {
        toml.push_str("owner = \"app_1\"\n");
    }
    gateway(&toml).await
}

/// The webhooks an emulator holds, in canonical terms.
async fn held(gw: &hookgate::app::Running, upstream: &str) -> Vec<Value> {
    let owner = if upstream == "svix" {
        "owners/app_1/"
    } else {
        ""
    };
    let path = format!("/v1/upstreams/{upstream}/{owner}webhooks");
    let a = send(gw.addr, "GET", &path, &[], None).await;
    ok(&a, 200, &path);
    a.json()["data"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_surface_whose_vendor_mints_ids_creates_by_the_upstreams_create() {
    // Latch's PUT creating nothing, or creating under the path's id: a Svix client's PUT of
    // an unknown id makes one webhook, by Latch's create, under an id Latch minted.
    for upsert in [None, Some("true"), Some("\"given_id\"")] {
        let dir = dialects(upsert);
        let gw = surface(&dir, "svix", "latch").await;
        let segment = "whoABCDEFGHIJKLMNOPQ";
        let body = json!({"url": "https://example.com/s", "eventTypes": ["user.created"],
            "description": "n"});
        let a = send(
            gw.addr,
            "PUT",
            &format!("/s/api/v1/app/app_1/endpoint/{segment}"),
            &[SVIX_AUTH],
            Some(&body),
        )
        .await;
        ok(&a, 201, &format!("{upsert:?}"));
        let id = a.json()["id"].as_str().unwrap().to_owned();
        assert!(
            latch_minted(&id) && id != segment,
            "{upsert:?}: {}",
            a.json()
        );
        let hooks = held(&gw, "latch").await;
        assert_eq!(hooks.len(), 1, "{upsert:?}: {hooks:?}");
        assert_eq!(hooks[0]["id"], id.as_str(), "{upsert:?}");
        assert_eq!(hooks[0]["url"], "https://example.com/s", "{upsert:?}");
        let again = send(
            gw.addr,
            "GET",
            &format!("/s/api/v1/app/app_1/endpoint/{id}"),
            &[SVIX_AUTH],
            None,
        )
        .await;
        ok(&again, 200, "the webhook made, through the surface");
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_surface_whose_vendor_mints_ids_in_front_of_one_that_does_too_passes_the_put_on() {
    let dir = dialects(Some("\"new_id\""));
    let gw = surface(&dir, "latch", "svix").await;
    let segment = "whoABCDEFGHIJKLMNOPQ";
    let a = send(
        gw.addr,
        "PUT",
        &format!("/s/api/v1/eventHooks/{segment}"),
        &[LATCH_AUTH],
        Some(&hook("https://example.com/l")),
    )
    .await;
    ok(&a, 201, "a PUT of an unknown id");
    let id = a.json()["id"].as_str().unwrap().to_owned();
    assert!(svix_minted(&id), "{}", a.json());
    let hooks = held(&gw, "svix").await;
    assert_eq!(hooks.len(), 1, "{hooks:?}");
    assert_eq!(hooks[0]["id"], id.as_str());
    gw.stop().await;
}

#[tokio::test]
async fn a_surface_whose_vendor_keeps_the_given_id_finds_nothing_where_the_upstream_mints_ids() {
    for spelling in ["true", "\"given_id\""] {
        let dir = dialects(Some(spelling));
        let gw = surface(&dir, "latch", "svix").await;
        let a = send(
            gw.addr,
            "PUT",
            "/s/api/v1/eventHooks/whoABCDEFGHIJKLMNOPQ",
            &[LATCH_AUTH],
            Some(&hook("https://example.com/k")),
        )
        .await;
        ok(&a, 404, spelling);
        assert!(held(&gw, "svix").await.is_empty(), "{spelling}");
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_surface_whose_vendor_creates_nothing_finds_nothing_where_the_upstream_would_create() {
    // Latch's PUT creates nothing; Svix's would, under a new id.
    let dir = dialects(None);
    let gw = surface(&dir, "latch", "svix").await;
    let a = send(
        gw.addr,
        "PUT",
        "/s/api/v1/eventHooks/whoABCDEFGHIJKLMNOPQ",
        &[LATCH_AUTH],
        Some(&hook("https://example.com/z")),
    )
    .await;
    ok(&a, 404, "a PUT of an unknown id");
    assert!(held(&gw, "svix").await.is_empty());
    gw.stop().await;
}
