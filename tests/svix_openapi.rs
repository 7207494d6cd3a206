//! What svix-server's own OpenAPI description (run through schemathesis by
//! `scripts/schemathesis-svix.sh`) found a Svix surface taking that svix-server refuses, checked
//! over loopback on a Svix surface in front of an emulator of every dialect (Svix's own
//! included): a replacement or a headers write without its required member, numbers and names
//! outside svix-server's types and patterns, a list limit that is no count, ids longer than
//! svix-server's; and a test sends the event type the client names. Then the classes behind
//! them, on surfaces of every dialect that declares them: a body that is no JSON object, a
//! path segment that names nothing, members of the wrong JSON type, bodies of operations that
//! carry no webhook, a list's order and page size.

mod support;

use hookgate::mapping::Dialect;
use hookgate::mapping::errors::Failure;
use hookgate::mapping::model::Role;
use hookgate::model::Action;
use hookgate::problem::{Code, UpstreamInfo};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::Path;
use support::{Answer, MAPPINGS, gateway, send, send_raw};

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
    let gw = gateway(&surfaces_over(&all)).await;
    (gw, all)
}

/// The configuration of [`surfaces`] for `backends`.
fn surfaces_over(backends: &[Dialect]) -> String {
    let mut toml = String::new();
    for d in backends {
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
    toml
}

async fn call(addr: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> Answer {
    send(addr, method, path, &[AUTH], body).await
}

/// An endpoint created on the surface in front of `backend`, subscribed to an event of the
/// backend's own vocabulary (the first of its mapping's example); its id.
async fn created(addr: SocketAddr, backend: &Dialect) -> String {
    let event = backend.webhook.read(&backend.examples[0]).unwrap()["events"][0].clone();
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

/// A 422 in Svix's HTTPValidationError shape with an item at `loc`.
fn refused_with(a: &Answer, loc: Value, what: &str) {
    assert_eq!(
        a.status,
        422,
        "{what}: {}",
        String::from_utf8_lossy(&a.body)
    );
    let items = a.json()["detail"].as_array().cloned().unwrap_or_default();
    assert!(
        items.iter().any(|i| i["loc"] == loc),
        "{what}: no item at {loc}: {}",
        a.json()
    );
}

/// A 422 naming `member` of the body.
fn refused_at(a: &Answer, member: &str, what: &str) {
    refused_with(a, json!(["body", member]), what);
}

/// A 422 naming the body itself (`loc: ["body"]`).
fn refused_at_body(a: &Answer, what: &str) {
    refused_with(a, json!(["body"]), what);
}

/// A 422 naming the query parameter `param`.
fn refused_in_query(a: &Answer, param: &str, what: &str) {
    refused_with(a, json!(["query", param]), what);
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
        // Every request body of the description is `required`: none at all is unreadable.
        let empty = call(gw.addr, "PUT", &format!("{base}/{id}"), None).await;
        refused_at_body(&empty, &format!("{what}: PUT without a body"));
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
        ("eventTypes", json!("user.signup")),
        ("channels", json!("project_1")),
        ("disabled", json!(null)),
        ("disabled", json!("yes")),
        ("disabled", json!(0)),
        ("url", json!(5)),
        ("description", json!(5)),
        ("description", json!(null)),
        // MetadataIn: an object of strings, never null.
        ("metadata", json!([null, null])),
        ("metadata", json!({"a": 1})),
        ("metadata", json!({"a": null})),
        ("metadata", json!("a=b")),
        ("metadata", json!(null)),
        // `^(whsec_)?[a-zA-Z0-9+/=]{32,100}$`
        ("secret", json!("s3cret")),
        ("secret", json!(format!("whsec_{}", "A".repeat(31)))),
        ("secret", json!("A".repeat(101))),
        ("secret", json!(format!("whsec_{}_", "A".repeat(32)))),
        ("secret", json!(7)),
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

/// One gateway with a surface of every dialect at `/S-U` in front of an emulator of every
/// dialect U; where exactly one of the two keeps owners, the surface bridges [`APP`].
async fn matrix() -> (hookgate::app::Running, Vec<Dialect>) {
    let all = dialects();
    let mut toml = String::new();
    for u in &all {
        toml += &format!(
            "[upstreams.{n}]\ndialect = \"{n}\"\nemulate = true\n",
            n = u.name
        );
        for s in &all {
            let bridged = if s.has_owner() != u.has_owner() {
                format!("owner = \"{APP}\"\n")
            } else {
                String::new()
            };
            toml += &format!(
                "[surfaces.{s}-{u}]\ndialect = \"{s}\"\nupstream = \"{u}\"\nprefix = \"/{s}-{u}\"\n{bridged}",
                s = s.name,
                u = u.name
            );
        }
    }
    (gateway(&toml).await, all)
}

/// A webhook id of the shape `u` gives (a surface refuses any other as not found).
fn id_for(u: &Dialect) -> &'static str {
    ["0199a1b2-0000-7000-8000-000000000001", "1", "ep_1"]
        .into_iter()
        .find(|id| u.id_format.as_ref().is_none_or(|f| f.admits(id)))
        .expect("an id of the upstream's shape")
}

/// Every route of `s` whose request carries a body: (method, path) on the surface `/S-U`.
fn body_routes(s: &Dialect, u: &Dialect) -> Vec<(String, String)> {
    let prefix = format!("/{}-{}{}", s.name, u.name, s.base_path);
    let owner = s.has_owner().then_some(APP);
    let mut out: Vec<(String, String)> = s
        .operations
        .iter()
        .filter(|op| {
            matches!(op.role.action(), Action::Create | Action::Update) || op.body.is_some()
        })
        .map(|op| {
            let path = op.path.render(&[&prefix], owner, Some(id_for(u)));
            (op.method.to_string(), path)
        })
        .collect();
    for r in &s.resources {
        for e in [r.replace.as_ref(), r.update.as_ref()]
            .into_iter()
            .flatten()
        {
            let path = e.path.render(&[&prefix], owner, Some(id_for(u)));
            out.push((e.method.to_string(), path));
        }
    }
    out
}

/// The status `d`'s surfaces answer a problem of `code` with.
fn status_of(d: &Dialect, code: Code) -> u16 {
    d.errors.template_for(code).status.unwrap_or(code.status())
}

/// A surface's answer read back as its client reads it.
fn as_client(d: &Dialect, a: &Answer) -> hookgate::problem::Problem {
    let body: Value = serde_json::from_slice(&a.body).unwrap_or(Value::Null);
    let failure = Failure {
        status: a.status,
        body: Some(&body),
        header_request_id: None,
        retry_after: None,
        text: None,
        raw: &[],
    };
    d.errors.read(&failure, &d.webhook, UpstreamInfo::default())
}

#[tokio::test]
async fn a_body_that_is_no_object_is_refused_as_each_vendor_refuses_one_on_every_surface() {
    let (gw, all) = matrix().await;
    let spellings: [&[u8]; 7] = [
        b"[null, null]",
        b"[]",
        b"\"x\"",
        b"5",
        b"true",
        b"{bad",
        b"{",
    ];
    let mut declared = 0;
    for s in &all {
        let code = s.errors.unreadable_body;
        declared += usize::from(code != Code::BadRequest);
        for u in &all {
            for (method, path) in body_routes(s, u) {
                let mut bodies: Vec<&[u8]> = spellings.to_vec();
                if s.body_required {
                    bodies.push(b"");
                }
                for body in bodies {
                    let headers = [AUTH, ("content-type", "application/json")];
                    let a = send_raw(gw.addr, &method, &path, &headers, body.to_vec().into()).await;
                    let what = format!(
                        "{method} {path} with {}: {}",
                        String::from_utf8_lossy(body),
                        String::from_utf8_lossy(&a.body)
                    );
                    assert_eq!(a.status, status_of(s, code), "{what}");
                    if code != Code::BadRequest {
                        // The vendor's own validation failure, of the body as a whole.
                        let read = as_client(s, &a);
                        assert_eq!(read.code, code, "{what}");
                        assert!(
                            !read.errors.is_empty()
                                && read.errors.iter().all(|e| e.field.is_empty()),
                            "names no member: {what}"
                        );
                    }
                }
            }
        }
    }
    assert!(
        declared > 0,
        "no dialect declares how it refuses an unreadable body"
    );
}

#[tokio::test]
async fn a_path_segment_that_names_nothing_is_refused_as_each_vendor_refuses_one() {
    let (gw, all) = matrix().await;
    let mut declared = 0;
    for s in &all {
        let code = s.errors.unreadable_path;
        declared += usize::from(code != Code::BadRequest);
        let Some(get) = s.endpoint(Role::Action(Action::Get)) else {
            continue;
        };
        let owner = s.has_owner().then_some(APP);
        for u in &all {
            let prefix = format!("/{}-{}{}", s.name, u.name, s.base_path);
            for id in ["a%5Cb", "a%2Fb", "%5C", "%2E%2E", "ep%5C1"] {
                let path = get
                    .path
                    .render(&[&prefix], owner, Some("ID"))
                    .replace("ID", id);
                let a = call(gw.addr, "GET", &path, None).await;
                assert_eq!(
                    a.status,
                    status_of(s, code),
                    "GET {path}: {}",
                    String::from_utf8_lossy(&a.body)
                );
            }
        }
    }
    assert!(
        declared > 0,
        "no dialect declares how it refuses such a path"
    );
}

#[tokio::test]
async fn headers_replaced_with_null_values_are_refused_and_patched_ones_removed() {
    let (gw, backends) = surfaces().await;
    for backend in &backends {
        let name = &backend.name;
        let id = created(gw.addr, backend).await;
        let path = format!("/svix-{name}/api/v1/app/{APP}/endpoint/{id}/headers");
        for headers in [
            json!({"X-A": null}),
            json!({"X-A": "1", "X-B": null}),
            json!({"X-A": 1}),
            json!(["X-A"]),
            json!("X-A: 1"),
        ] {
            let body = json!({ "headers": headers });
            let a = call(gw.addr, "PUT", &path, Some(&body)).await;
            refused_at(&a, "headers", &format!("surface on {name}: PUT {body}"));
        }
        let a = call(
            gw.addr,
            "PATCH",
            &path,
            Some(&json!({"headers": {"X-A": 1}})),
        )
        .await;
        refused_at(&a, "headers", &format!("surface on {name}: PATCH a number"));
    }
    // A PATCH's `null` removes the header.
    let backend = backends.iter().find(|d| d.name == DIALECT).unwrap();
    let id = created(gw.addr, backend).await;
    let path = format!("/svix-{DIALECT}/api/v1/app/{APP}/endpoint/{id}/headers");
    let put = json!({"headers": {"X-A": "1", "X-B": "2"}});
    assert_eq!(call(gw.addr, "PUT", &path, Some(&put)).await.status, 204);
    let patch = json!({"headers": {"X-A": null}});
    assert_eq!(
        call(gw.addr, "PATCH", &path, Some(&patch)).await.status,
        204
    );
    let got = call(gw.addr, "GET", &path, None).await;
    assert_eq!(got.json()["headers"], json!({"X-B": "2"}), "{}", got.json());
}

#[tokio::test]
async fn send_example_and_rotation_take_only_bodies_of_their_schemas_on_every_surface() {
    let (gw, backends) = surfaces().await;
    for backend in &backends {
        let name = &backend.name;
        let id = created(gw.addr, backend).await;
        let base = format!("/svix-{name}/api/v1/app/{APP}/endpoint/{id}");
        let (send, rotate) = (
            format!("{base}/send-example"),
            format!("{base}/secret/rotate"),
        );
        for path in [&send, &rotate] {
            let none = call(gw.addr, "POST", path, None).await;
            refused_at_body(&none, &format!("POST {path} without a body"));
            for body in [json!([null]), json!("x"), json!(3)] {
                let a = call(gw.addr, "POST", path, Some(&body)).await;
                refused_at_body(&a, &format!("POST {path} {body}"));
            }
        }
        // EventExampleIn: eventType is a required event type name.
        for body in [
            json!({}),
            json!({"eventType": null}),
            json!({"eventType": {"a": 1}}),
            json!({"eventType": "user signup"}),
            json!({"eventType": "x".repeat(257)}),
            json!({"eventType": 5}),
        ] {
            let a = call(gw.addr, "POST", &send, Some(&body)).await;
            refused_at(&a, "eventType", &format!("{send} {body}"));
        }
        // EndpointSecretRotateIn: a key of the secret's pattern, a grace period of 0 to 7 days.
        for (member, value) in [
            ("key", json!("short")),
            ("key", json!(7)),
            ("key", json!(format!("whsec_{}!", "A".repeat(32)))),
            ("gracePeriodSeconds", json!(604801)),
            ("gracePeriodSeconds", json!(-1)),
            ("gracePeriodSeconds", json!(1.5)),
        ] {
            let body = json!({ member: value });
            let a = call(gw.addr, "POST", &rotate, Some(&body)).await;
            refused_at(&a, member, &format!("{rotate} {body}"));
        }
    }
    let backend = backends.iter().find(|d| d.name == DIALECT).unwrap();
    let id = created(gw.addr, backend).await;
    let base = format!("/svix-{DIALECT}/api/v1/app/{APP}/endpoint/{id}");
    for body in [json!({}), json!({"key": null, "gracePeriodSeconds": 0})] {
        let a = call(
            gw.addr,
            "POST",
            &format!("{base}/secret/rotate"),
            Some(&body),
        )
        .await;
        assert_eq!(
            a.status,
            204,
            "{body}: {}",
            String::from_utf8_lossy(&a.body)
        );
    }
}

/// A rotation's `key` becomes the endpoint's new secret wherever the upstream's rotation takes
/// one, and is refused, named, where the upstream mints its own secret: on a Svix surface in
/// front of an emulator of every dialect, and of a twin of Svix's own file under another name
/// (a surface in front of its own dialect relays bytes; in front of the twin the key goes
/// through the planner into the twin's request).
#[tokio::test]
async fn a_rotation_key_becomes_the_secret_or_is_refused_where_the_upstream_mints_its_own() {
    let twins = tempfile::tempdir().unwrap();
    let own = std::fs::read_to_string(Path::new(MAPPINGS).join(format!("{DIALECT}.toml")));
    std::fs::write(twins.path().join("twin.toml"), own.unwrap()).unwrap();
    let mut backends = dialects();
    backends.extend(hookgate::mapping::load_dir(twins.path()).unwrap());
    let toml = format!(
        "mappings_dir = {:?}\n{}",
        twins.path(),
        surfaces_over(&backends)
    );
    let gw = gateway(&toml).await;
    let key = json!("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    // The headers read through each surface in front of a vendor that takes a key.
    let mut reads = Vec::new();
    for backend in &backends {
        let name = &backend.name;
        let id = created(gw.addr, backend).await;
        let base = format!("/svix-{name}/api/v1/app/{APP}/endpoint/{id}");
        let rotate = format!("{base}/secret/rotate");
        let chosen = call(gw.addr, "POST", &rotate, Some(&json!({ "key": key }))).await;
        let what = format!(
            "surface on {name}: {}",
            String::from_utf8_lossy(&chosen.body)
        );
        let Some(rotation) = backend.operation(Action::RotateSecret) else {
            assert_eq!(chosen.status, 501, "{what}");
            continue;
        };
        if !rotation
            .body
            .as_ref()
            .is_some_and(|b| b.slots().contains(&"secret"))
        {
            refused_at(&chosen, "key", &what);
            // Without a key the rotation is the upstream's own, and the client reads the new
            // secret at `…/secret`: from the upstream, or, where it shows a secret only once,
            // from what the gateway kept of it.
            let minted = call(gw.addr, "POST", &rotate, Some(&json!({}))).await;
            let text = String::from_utf8_lossy(&minted.body).into_owned();
            assert_eq!(minted.status, 204, "surface on {name}: {text}");
            let secret = call(gw.addr, "GET", &format!("{base}/secret"), None).await;
            assert_eq!(secret.status, 200, "surface on {name}");
            assert!(secret.json()["key"].is_string(), "surface on {name}");
            continue;
        }
        assert_eq!(chosen.status, 204, "{what}");
        let secret = call(gw.addr, "GET", &format!("{base}/secret"), None).await;
        assert_eq!(secret.json(), json!({ "key": key }), "surface on {name}");
        // A rotation without one mints a new secret.
        let minted = call(gw.addr, "POST", &rotate, Some(&json!({}))).await;
        assert_eq!(minted.status, 204, "surface on {name}");
        let secret = call(gw.addr, "GET", &format!("{base}/secret"), None).await;
        assert_ne!(secret.json()["key"], key, "surface on {name}");
        // Each resource answers its own members only, translated or relayed alike.
        let headers = format!("{base}/headers");
        let put = json!({"headers": {"X-A": "1"}});
        assert_eq!(call(gw.addr, "PUT", &headers, Some(&put)).await.status, 204);
        reads.push((name, call(gw.addr, "GET", &headers, None).await.json()));
    }
    assert!(
        reads.len() >= 2,
        "the twin and its original both take a key"
    );
    let (first, expected) = &reads[0];
    for (name, read) in &reads[1..] {
        assert_eq!(read, expected, "{name} against {first}");
    }
}

#[tokio::test]
async fn lists_are_capped_at_250_and_ordered_as_asked_or_refused_where_they_cannot_be() {
    let (gw, backends) = surfaces().await;
    for name in backends.iter().map(|d| &d.name) {
        let base = format!("/svix-{name}/api/v1/app/{APP}/endpoint");
        for limit in ["251", "1000", "18446744073709551615"] {
            let a = call(gw.addr, "GET", &format!("{base}?limit={limit}"), None).await;
            refused_in_query(&a, "limit", &format!("surface on {name}: limit={limit}"));
        }
        let ok = call(gw.addr, "GET", &format!("{base}?limit=250"), None).await;
        assert_eq!(
            ok.status,
            200,
            "surface on {name}: limit=250: {}",
            ok.json()
        );
        for order in ["false", "Ascending", "asc", "", "null", "descending%20"] {
            let a = call(gw.addr, "GET", &format!("{base}?order={order}"), None).await;
            assert_eq!(a.status, 400, "surface on {name}: order={order}");
            assert_eq!(a.json()["code"], "generic_error", "order={order}");
        }
    }
    // An upstream that lists in an order of its own cannot be asked for another: refused, not
    // ignored (the order it has is unknown here).
    for backend in backends.iter().filter(|d| {
        d.endpoint(Role::Action(Action::List))
            .is_some_and(|e| e.order.is_none())
    }) {
        let base = format!("/svix-{}/api/v1/app/{APP}/endpoint", backend.name);
        for order in ["ascending", "descending"] {
            let a = call(gw.addr, "GET", &format!("{base}?order={order}"), None).await;
            refused_in_query(&a, "order", &format!("on {}: order={order}", backend.name));
        }
        let a = call(gw.addr, "GET", &base, None).await;
        assert_eq!(a.status, 200, "on {}: no order asked", backend.name);
    }
    // svix-server's own order: newest first unless asked otherwise, page after page.
    let backend = backends.iter().find(|d| d.name == DIALECT).unwrap();
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(created(gw.addr, backend).await);
    }
    let base = format!("/svix-{DIALECT}/api/v1/app/{APP}/endpoint");
    let listed = |a: &Answer| -> Vec<String> {
        a.json()["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let newest: Vec<String> = ids.iter().rev().cloned().collect();
    for query in ["", "?order=descending"] {
        let a = call(gw.addr, "GET", &format!("{base}{query}"), None).await;
        assert_eq!(listed(&a), newest, "{query}");
    }
    let first = call(
        gw.addr,
        "GET",
        &format!("{base}?order=ascending&limit=2"),
        None,
    )
    .await;
    assert_eq!(listed(&first), ids[..2], "{}", first.json());
    let next = first.json()["iterator"].as_str().unwrap().to_owned();
    let query = format!("{base}?order=ascending&limit=2&iterator={next}");
    let second = call(gw.addr, "GET", &query, None).await;
    assert_eq!(listed(&second), ids[2..], "{}", second.json());
    assert_eq!(second.json()["done"], true);
}
