//! An owner that is a path of several segments (a repository, `octo/site`): declared by
//! `dialect.owner_segments` in `tests/dialects/forge.toml`, written as that many segments on
//! the canonical API, on the vendor's wire and on its surfaces, and never confused with an
//! owner of another number of segments.

mod support;

use hookgate::mapping::Dialect;
use serde_json::{Value, json};
use std::path::Path;
use support::{gateway, journal, ok, send};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
const BEARER: (&str, &str) = ("authorization", "Bearer t");

/// Forge and Relay (owners of one segment) emulated, and a Forge surface in front of Forge
/// (the same dialect: relayed).
async fn forge_gateway() -> hookgate::app::Running {
    gateway(&format!(
        "mappings_dir = {DIR:?}\n\
         [upstreams.forge]\ndialect = \"forge\"\nemulate = true\n\
         [upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [surfaces.forge]\ndialect = \"forge\"\nupstream = \"forge\"\nprefix = \"/forge\"\n"
    ))
    .await
}

/// The paths an emulator was asked for, oldest first.
async fn paths(emulator: std::net::SocketAddr) -> Vec<String> {
    journal(emulator)
        .await
        .iter()
        .map(|e| e["path"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_repository_owner_lives_a_whole_lifecycle() {
    let gw = forge_gateway().await;
    let base = "/v1/upstreams/forge/owners/octo/site/webhooks";
    let created = send(
        gw.addr,
        "POST",
        base,
        &[],
        Some(&json!({"url": "https://example.com/a", "events": ["push"]})),
    )
    .await;
    ok(&created, 201, "create");
    let id = created.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(created.json()["owner"], "octo/site");
    assert_eq!(
        created.header("location"),
        Some(format!("{base}/{id}").as_str())
    );

    // The vendor's wire: the owner as two segments, the request as the emulator received it.
    let emu = gw.emulators["forge"];
    let raw = send(
        emu,
        "GET",
        &format!("/repos/octo/site/hooks/{id}"),
        &[BEARER],
        None,
    )
    .await;
    ok(&raw, 200, "the vendor's own read");
    assert_eq!(raw.json()["config"]["url"], "https://example.com/a");
    let paths = paths(emu).await;
    assert!(
        paths.iter().any(|p| p == "/repos/octo/site/hooks"),
        "{paths:?}"
    );

    let read = send(gw.addr, "GET", &format!("{base}/{id}"), &[], None).await;
    ok(&read, 200, "get");
    assert_eq!(read.json()["owner"], "octo/site");
    let patched = send(
        gw.addr,
        "PATCH",
        &format!("{base}/{id}"),
        &[],
        Some(&json!({"enabled": false})),
    )
    .await;
    ok(&patched, 200, "update");
    assert_eq!(patched.json()["enabled"], false);
    assert_eq!(patched.json()["url"], "https://example.com/a");

    // Owners are apart: another repository of the same account has nothing.
    let listed = send(gw.addr, "GET", base, &[], None).await;
    ok(&listed, 200, "list");
    assert_eq!(listed.json()["data"].as_array().unwrap().len(), 1);
    let other = send(
        gw.addr,
        "GET",
        "/v1/upstreams/forge/owners/octo/docs/webhooks",
        &[],
        None,
    )
    .await;
    ok(&other, 200, "another repository");
    assert_eq!(other.json()["data"], json!([]));
    let missing = send(
        gw.addr,
        "GET",
        &format!("/v1/upstreams/forge/owners/octo/docs/webhooks/{id}"),
        &[],
        None,
    )
    .await;
    ok(&missing, 404, "another repository's webhook");

    // A repository named `webhooks` is an owner's segment like any other.
    let named = "/v1/upstreams/forge/owners/octo/webhooks/webhooks";
    let in_named = send(
        gw.addr,
        "POST",
        named,
        &[],
        Some(&json!({"url": "https://example.com/b", "events": ["push"]})),
    )
    .await;
    ok(&in_named, 201, "create under octo/webhooks");
    assert_eq!(in_named.json()["owner"], "octo/webhooks");

    // The listing of upstreams says how many segments an owner is.
    let upstreams = send(gw.addr, "GET", "/v1/upstreams", &[], None).await;
    let spans: Vec<(Value, Value)> = upstreams.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["name"].clone(), u["owner_segments"].clone()))
        .collect();
    assert!(spans.contains(&(json!("forge"), json!(2))), "{spans:?}");
    assert!(spans.contains(&(json!("relay"), json!(1))), "{spans:?}");

    let deleted = send(gw.addr, "DELETE", &format!("{base}/{id}"), &[], None).await;
    ok(&deleted, 204, "delete");
    let gone = send(gw.addr, "GET", &format!("{base}/{id}"), &[], None).await;
    ok(&gone, 404, "deleted");
}

#[tokio::test]
async fn an_owner_of_another_shape_never_reaches_the_vendor() {
    let gw = forge_gateway().await;
    for (path, status) in [
        // One segment: the next one is taken as the second, and no route is left.
        ("/v1/upstreams/forge/owners/octo/webhooks", 404),
        // A segment the vendor's names never have.
        ("/v1/upstreams/forge/owners/oc%20to/site/webhooks", 404),
        ("/v1/upstreams/forge/owners/octo/si%3Ate/webhooks", 404),
        // A segment that names nothing, however spelt.
        ("/v1/upstreams/forge/owners/octo/%2e%2e/webhooks", 400),
        ("/v1/upstreams/forge/owners/octo%2Fsite/x/webhooks", 400),
        // Two segments at a vendor whose owners are one.
        ("/v1/upstreams/relay/owners/octo/site/webhooks", 404),
    ] {
        let answer = send(gw.addr, "GET", path, &[], None).await;
        ok(&answer, status, path);
        assert_eq!(
            answer.header("content-type"),
            Some("application/problem+json"),
            "{path}"
        );
    }
    let shaped = send(
        gw.addr,
        "GET",
        "/v1/upstreams/forge/owners/oc%20to/site/webhooks",
        &[],
        None,
    )
    .await;
    let detail = shaped.json()["detail"].as_str().unwrap().to_owned();
    assert!(detail.contains("2 path segments"), "{detail}");
    // Nothing of it reached the emulator.
    assert_eq!(journal(gw.emulators["forge"]).await, Vec::<Value>::new());
}

#[tokio::test]
async fn an_owner_of_another_number_of_segments_is_told_the_upstreams_form() {
    let gw = forge_gateway().await;
    for (method, path, told) in [
        (
            "GET",
            "/v1/upstreams/forge/owners/octo/webhooks",
            "an owner at upstream forge is 2 path segments (repository), and this path gives 1 segment: use /v1/upstreams/forge/owners/{segment-1}/{segment-2}/webhooks",
        ),
        (
            "GET",
            "/v1/upstreams/forge/owners/octo/webhooks/1",
            "an owner at upstream forge is 2 path segments",
        ),
        (
            "POST",
            "/v1/upstreams/forge/owners/a/b/c/webhooks",
            "and this path gives 3 segments",
        ),
        (
            "GET",
            "/v1/upstreams/relay/owners/octo/site/webhooks",
            "an owner at upstream relay is 1 path segment (project), and this path gives 2 segments: use /v1/upstreams/relay/owners/{owner}/webhooks",
        ),
    ] {
        let answer = send(gw.addr, method, path, &[], None).await;
        ok(&answer, 404, path);
        let detail = answer.json()["detail"].as_str().unwrap().to_owned();
        assert!(
            detail.starts_with(&format!("no route for {path}: ")),
            "{detail}"
        );
        assert!(detail.contains(told), "{detail}");
    }
    // A path of no upstream's is told no more than that.
    let answer = send(
        gw.addr,
        "GET",
        "/v1/upstreams/forge/owners/octo/hooks",
        &[],
        None,
    )
    .await;
    ok(&answer, 404, "no route");
    assert_eq!(
        answer.json()["detail"],
        "no route for /v1/upstreams/forge/owners/octo/hooks"
    );
}

#[tokio::test]
async fn surfaces_read_the_owner_as_many_segments_as_their_vendor_writes() {
    let gw = forge_gateway().await;
    let hook =
        json!({"config": {"url": "https://example.com/s"}, "events": ["push"], "active": true});
    // A Forge client in front of Forge: relayed as it is.
    let created = send(
        gw.addr,
        "POST",
        "/forge/repos/octo/site/hooks",
        &[BEARER],
        Some(&hook),
    )
    .await;
    ok(&created, 201, "create through the surface");
    let id = created.json()["id"].clone();
    let canonical = send(
        gw.addr,
        "GET",
        &format!("/v1/upstreams/forge/owners/octo/site/webhooks/{id}"),
        &[],
        None,
    )
    .await;
    ok(&canonical, 200, "the same webhook on the canonical API");
    let listed = send(
        gw.addr,
        "GET",
        "/forge/repos/octo/site/hooks",
        &[BEARER],
        None,
    )
    .await;
    ok(&listed, 200, "list through the surface");
    assert_eq!(listed.json()[0]["id"], id);
    // One segment too few or too many is no route of the vendor's.
    for path in ["/forge/repos/octo/hooks", "/forge/repos/a/b/c/hooks"] {
        let answer = send(gw.addr, "GET", path, &[BEARER], None).await;
        ok(&answer, 404, path);
    }

    // Relay heard nothing, Forge only its own repository's paths.
    assert_eq!(paths(gw.emulators["relay"]).await, Vec::<String>::new());
    let forge = paths(gw.emulators["forge"]).await;
    assert!(
        !forge.is_empty()
            && forge
                .iter()
                .all(|p| p.starts_with("/repos/octo/site/hooks")),
        "{forge:?}"
    );
}

/// A surface whose owners are of another number of segments than its upstream's could serve
/// no owner (a repository is no project, a project no repository): refused when the
/// configuration is read, naming both, rather than answering 404 to every request.
#[tokio::test]
async fn a_surface_over_owners_of_another_number_of_segments_is_refused() {
    for (surface, dialect, upstream, counts) in [
        (
            "forge-on-relay",
            "forge",
            "relay",
            "owners of forge span 2 path segments, owners of upstream relay 1",
        ),
        (
            "relay-on-forge",
            "relay",
            "forge",
            "owners of relay span 1 path segments, owners of upstream forge 2",
        ),
    ] {
        let said = support::refused(&format!(
            "mappings_dir = {DIR:?}\n[inbound_auth]\nmode = \"off\"\n\
             [upstreams.{upstream}]\ndialect = \"{upstream}\"\nemulate = true\n\
             [surfaces.{surface}]\ndialect = \"{dialect}\"\nupstream = \"{upstream}\"\nprefix = \"/{surface}\"\n"
        ))
        .await;
        assert!(
            said.contains(&format!("surfaces.{surface}.upstream")),
            "{said}"
        );
        assert!(said.contains(counts), "{said}");
    }
}

/// `hookgate translate --owner octo/site` names the repository as its two segments, as the
/// canonical path does, and shows the vendor request under it.
#[test]
fn a_preview_takes_an_owner_of_several_segments() {
    let (shown, text) = support::translated(
        &format!(
            "mappings_dir = {DIR:?}\n[inbound_auth]\nmode = \"off\"\n\
             [upstreams.forge]\ndialect = \"forge\"\nbase_url = \"https://api.forge.example\"\nauth = {{ type = \"none\" }}\n"
        ),
        &[
            "--upstream",
            "forge",
            "--owner",
            "octo/site",
            "GET",
            "/webhooks",
        ],
    );
    let url = shown["requests"][0]["url"].as_str().unwrap_or_default();
    assert_eq!(
        url, "https://api.forge.example/repos/octo/site/hooks?per_page=30",
        "{text}"
    );
}

#[test]
fn the_number_of_segments_is_checked_when_the_file_loads() {
    let base = std::fs::read_to_string(format!("{DIR}/forge.toml")).unwrap();
    for (change, message) in [
        (
            ("owner_segments = 2", "owner_segments = 0"),
            "an owner is 1 to 8 path segments",
        ),
        (
            ("owner_segments = 2", "owner_segments = 9"),
            "an owner is 1 to 8 path segments",
        ),
        (
            ("owner = \"repository\"\n", ""),
            "the dialect declares no owner scope",
        ),
    ] {
        let text = base.replace(change.0, change.1);
        let errors = Dialect::compile("forge", Path::new("forge.toml"), &text).unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| e.key == "dialect.owner_segments" && e.message.contains(message)),
            "{change:?}: {errors:?}"
        );
    }
}
