//! What svix-server's own OpenAPI description (run through schemathesis by
//! `scripts/schemathesis-svix.sh`) found a Svix surface taking that svix-server refuses, checked
//! over loopback on a Svix surface in front of an emulator of every dialect (Svix's own
//! included): a replacement or a headers write without its required member, numbers and names
//! outside svix-server's types and patterns, a list limit that is no count, ids longer than
//! svix-server's; and a test sends the event type the client names.

mod support;

use hookgate::mapping::Dialect;
use hookgate::model::Action;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::Path;
use support::{Answer, MAPPINGS, gateway, send};

const DIALECT: &str = "svix";
/// An application id every dialect's owner format takes (a UUID is also a Svix uid).
const APP: &str = "550e8400-e29b-41d4-a716-446655440000";
const AUTH: (&str, &str) = ("authorization", "Bearer testsk");

fn dialects() -> Vec<Dialect> {
    hookgate::mapping::load_dir(Path::new(MAPPINGS)).unwrap()
}

/// One gateway with a Svix surface at `/svix-NAME` in front of an emulator of each dialect;
/// the surface serves the one application [`APP`] where its upstream keeps no owners.
async fn surfaces() -> (hookgate::app::Running, Vec<Dialect>) {
    let all = dialects();
    let mut toml = String::new();
    for d in &all {
        let bridged = if d.owner.is_none() {
            format!("owner = \"{APP}\"\n")
        } else {
            String::new()
        };
        toml += &format!(
            "[upstreams.{n}]\ndialect = \"{n}\"\nemulate = true\n\
             [surfaces.svix-{n}]\ndialect = \"{DIALECT}\"\nupstream = \"{n}\"\nprefix = \"/svix-{n}\"\n{bridged}",
            n = d.name
        );
    }
    let gw = gateway(&toml).await;
    (gw, all)
}

async fn call(addr: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> Answer {
    send(addr, method, path, &[AUTH], body).await
}

/// An endpoint created on the surface in front of `backend`, subscribed to an event of the
/// backend's own vocabulary (the first of its mapping's example); its id.
async fn created(addr: SocketAddr, backend: &Dialect) -> String {
    let event = backend.webhook.read(&backend.examples[0])["events"][0].clone();
    let mut body = json!({"url": "https://example.com/hook", "eventTypes": [event]});
    // Some backends require a description; some have none.
    if backend.webhook.carries("description", Action::Create) {
        body["description"] = json!("conformance");
    }
    let path = format!("/svix-{}/api/v1/app/{APP}/endpoint", backend.name);
    let a = call(addr, "POST", &path, Some(&body)).await;
    assert_eq!(a.status, 201, "{}: {}", backend.name, a.json());
    a.json()["id"].as_str().unwrap().to_owned()
}

/// A 422 in Svix's HTTPValidationError shape naming `member` of the body.
fn refused_at(a: &Answer, member: &str, what: &str) {
    assert_eq!(
        a.status,
        422,
        "{what}: {}",
        String::from_utf8_lossy(&a.body)
    );
    let items = a.json()["detail"].as_array().cloned().unwrap_or_default();
    assert!(
        items.iter().any(|i| i["loc"] == json!(["body", member])),
        "{what}: no item at body.{member}: {}",
        a.json()
    );
}

#[tokio::test]
async fn whole_bodies_need_their_required_members_on_every_surface() {
    let (gw, backends) = surfaces().await;
    for backend in &backends {
        let name = &backend.name;
        let id = created(gw.addr, backend).await;
        let base = format!("/svix-{name}/api/v1/app/{APP}/endpoint");
        let what = format!("surface on {name}");
        // PUT replaces the whole endpoint: `url` is required.
        for body in [
            json!({}),
            json!({"description": "no url"}),
            json!({"url": null}),
        ] {
            let put = call(gw.addr, "PUT", &format!("{base}/{id}"), Some(&body)).await;
            refused_at(&put, "url", &format!("{what}: PUT {body}"));
        }
        let empty = call(gw.addr, "PUT", &format!("{base}/{id}"), None).await;
        refused_at(&empty, "url", &format!("{what}: PUT without a body"));
        // Both headers writes take EndpointHeaders(Patch)In, whose `headers` is required.
        for method in ["PUT", "PATCH"] {
            for body in [json!({}), json!({"other": {"X-A": "1"}})] {
                let path = format!("{base}/{id}/headers");
                let a = call(gw.addr, method, &path, Some(&body)).await;
                refused_at(&a, "headers", &format!("{what}: {method} headers {body}"));
            }
        }
    }
}

#[tokio::test]
async fn values_outside_svix_types_and_patterns_are_refused_on_every_surface() {
    let (gw, backends) = surfaces().await;
    let huge: Value = serde_json::from_str("1786128700014997274624").unwrap();
    let bad: Vec<(&str, Value)> = vec![
        ("throttleRate", huge),
        ("throttleRate", json!(1.5)),
        ("throttleRate", json!(0)),
        ("throttleRate", json!(65536)),
        ("throttleRate", json!("5")),
        ("channels", json!([3])),
        ("channels", json!(["a b"])),
        ("channels", json!(["x".repeat(129)])),
        ("uid", json!("not/a uid")),
        ("eventTypes", json!(["user signup"])),
    ];
    for name in backends.iter().map(|d| &d.name) {
        let base = format!("/svix-{name}/api/v1/app/{APP}/endpoint");
        for (member, value) in &bad {
            let mut body = json!({"url": "https://example.com/hook"});
            body[*member] = value.clone();
            let a = call(gw.addr, "POST", &base, Some(&body)).await;
            refused_at(
                &a,
                member,
                &format!("surface on {name}: {member} = {value}"),
            );
        }
        let long_url = format!("https://example.com/{}", "a".repeat(65536));
        let a = call(gw.addr, "POST", &base, Some(&json!({"url": long_url}))).await;
        refused_at(&a, "url", &format!("surface on {name}: a URL over 65536"));
    }
}

#[tokio::test]
async fn a_limit_that_is_no_count_and_ids_beyond_256_are_refused_on_every_surface() {
    let (gw, backends) = surfaces().await;
    for name in backends.iter().map(|d| &d.name) {
        let base = format!("/svix-{name}/api/v1/app/{APP}/endpoint");
        for limit in ["null", "abc", "-1", "1.5", ""] {
            let a = call(gw.addr, "GET", &format!("{base}?limit={limit}"), None).await;
            assert_eq!(a.status, 400, "surface on {name}: limit={limit}");
            assert_eq!(a.json()["code"], "generic_error", "limit={limit}");
        }
        let ok = call(gw.addr, "GET", &format!("{base}?limit=5"), None).await;
        assert_eq!(ok.status, 200, "surface on {name}: {}", ok.json());
    }
    // Svix's own ids (a surface in front of another dialect holds that dialect's ids, of its
    // shape): at most 256 characters, in the application id as in the endpoint id.
    let base = format!("/svix-{DIALECT}/api/v1/app/{APP}/endpoint");
    let long = "a".repeat(257);
    let a = call(gw.addr, "GET", &format!("{base}/{long}"), None).await;
    assert_eq!(a.status, 404, "a 257-character endpoint id");
    let app = format!("/svix-{DIALECT}/api/v1/app/{long}/endpoint");
    assert_eq!(call(gw.addr, "GET", &app, None).await.status, 404);
    let fits = format!("/svix-{DIALECT}/api/v1/app/{}/endpoint", "a".repeat(256));
    assert_eq!(call(gw.addr, "GET", &fits, None).await.status, 200);
}

#[tokio::test]
async fn send_example_sends_the_event_type_asked_for() {
    let (gw, _) = surfaces().await;
    let base = format!("/svix-{DIALECT}/api/v1/app/{APP}/endpoint");
    // Subscribed to every event (no eventTypes), then to two: either way the one asked for.
    for events in [None, Some(json!(["user.signup", "user.deleted"]))] {
        let mut body = json!({"url": "https://example.com/hook"});
        if let Some(e) = &events {
            body["eventTypes"] = e.clone();
        }
        let created = call(gw.addr, "POST", &base, Some(&body)).await;
        assert_eq!(created.status, 201, "{}", created.json());
        let id = created.json()["id"].as_str().unwrap().to_owned();
        for asked in ["user.deleted", "invoice.paid"] {
            let path = format!("{base}/{id}/send-example");
            let sent = call(gw.addr, "POST", &path, Some(&json!({"eventType": asked}))).await;
            assert_eq!(sent.status, 200, "{events:?} {asked}: {}", sent.json());
            assert_eq!(sent.json()["eventType"], asked, "{}", sent.json());
        }
    }
}
