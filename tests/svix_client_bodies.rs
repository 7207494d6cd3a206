//! What Svix's own clients send (the official SDKs' `EndpointIn`, `EndpointUpdate` and
//! `EndpointPatch`, which know only some of svix-server's names), taken as the vendor takes it
//! by the Svix emulator and by a Svix surface in front of an emulator of every dialect (Svix's
//! own included), over loopback:
//!
//! - `headers` given on create are the endpoint's headers (hidden ones as Svix hides them), or
//!   refused by name where the upstream cannot hold headers; `version`, deprecated, is taken
//!   as its one value and refused as any other.
//! - A field given under its name and an alias with two values is refused, naming both.
//! - A PUT of an unknown id that creates the endpoint carries what a create carries.
//! - A secret given without `whsec_` is kept, and read back, with it.
//! - Refusals name a member as the client sent it (`filterTypes`, `rateLimit`).
//! - A create without a member the upstream requires and Svix does not says so.

mod support;

use hookgate::mapping::Dialect;
use hookgate::model::Action;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::Path;
use support::{Answer, MAPPINGS, gateway, journal, ok, send};

const DIALECT: &str = "svix";
/// An application id every dialect's owner format takes (a UUID is also a Svix uid).
const APP: &str = "550e8400-e29b-41d4-a716-446655440000";
const AUTH: (&str, &str) = ("authorization", "Bearer testsk");

/// One gateway with a Svix surface at `/svix-NAME` in front of an emulator of every dialect;
/// the surface serves the one application [`APP`] where its upstream keeps no owners.
async fn surfaces() -> (hookgate::app::Running, Vec<Dialect>) {
    let all = hookgate::mapping::load_dir(Path::new(MAPPINGS)).unwrap();
    let mut toml = String::new();
    for d in &all {
        let bridged = match d.owner {
            None => format!("owner = \"{APP}\"\n"),
            Some(_) => String::new(),
        };
        toml += &format!(
            "[upstreams.{n}]\ndialect = \"{n}\"\nemulate = true\n\
             [surfaces.svix-{n}]\ndialect = \"{DIALECT}\"\nupstream = \"{n}\"\nprefix = \"/svix-{n}\"\n{bridged}",
            n = d.name
        );
    }
    (gateway(&toml).await, all)
}

async fn call(addr: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> Answer {
    send(addr, method, path, &[AUTH], body).await
}

/// The endpoints of the surface in front of `backend`.
fn base(backend: &Dialect) -> String {
    format!("/svix-{}/api/v1/app/{APP}/endpoint", backend.name)
}

/// An event type of the backend's own vocabulary (the first of its mapping's example).
fn event(backend: &Dialect) -> Value {
    backend.webhook.read(&backend.examples[0]).unwrap()["events"][0].clone()
}

/// A create's body for the surface in front of `backend`, as the SDK spells it
/// (`filterTypes`), with a description where the backend keeps one, and `more` beside.
fn endpoint_in(backend: &Dialect, more: Value) -> Value {
    let mut body = json!({"url": "https://example.com/sdk", "filterTypes": [event(backend)]});
    if backend.webhook.carries("description", Action::Create) {
        body["description"] = json!("from the SDK");
    }
    for (k, v) in more.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

/// A 422 in Svix's HTTPValidationError shape with an item at `["body", member]`; its message.
fn refused_at(a: &Answer, member: &str, what: &str) -> String {
    ok(a, 422, what);
    let items = a.json()["detail"].as_array().cloned().unwrap_or_default();
    let item = items
        .iter()
        .find(|i| i["loc"] == json!(["body", member]))
        .unwrap_or_else(|| panic!("{what}: no item at {member}: {}", a.json()));
    item["msg"].as_str().unwrap().to_owned()
}

/// Whether the webhooks of `backend` can hold custom headers.
fn holds_headers(backend: &Dialect) -> bool {
    backend.webhook.carries("headers", Action::Create) || backend.resource_of("headers").is_some()
}

/// Whether `backend`'s answers (or a resource of its) report custom headers.
fn reports_headers(backend: &Dialect) -> bool {
    backend
        .webhook
        .reading("headers")
        .is_some_and(|r| r.response)
        || backend.resource_of("headers").is_some()
}

/// The vendor body of the last request of `operation` an emulator received, read by its
/// mapping file.
async fn last_sent(emulator: SocketAddr, backend: &Dialect, operation: &str) -> Value {
    let entries = journal(emulator).await;
    let entry = entries
        .iter()
        .rev()
        .find(|e| e["operation"] == operation)
        .unwrap_or_else(|| panic!("{}: no {operation} sent", backend.name));
    let webhook = backend.operation(Action::Create).unwrap();
    let item = webhook
        .body_item_path
        .as_ref()
        .and_then(|p| p.get(&entry["body"]).cloned())
        .unwrap_or_else(|| entry["body"].clone());
    Value::Object(backend.webhook.read(&item).unwrap())
}

#[tokio::test]
async fn headers_given_on_create_are_kept_hidden_as_svix_hides_them_or_refused_by_name() {
    let (gw, backends) = surfaces().await;
    let given = json!({"X-Created": "yes", "Authorization": "Bearer s3cret-value"});
    // The emulator itself, and a surface in front of each upstream.
    let emulator = gw.emulators[DIALECT];
    let at = format!("/api/v1/app/{APP}/endpoint");
    let body = json!({"url": "https://example.com/h", "filterTypes": ["a.b"], "headers": given});
    let created = call(emulator, "POST", &at, Some(&body)).await;
    ok(&created, 201, "the emulator");
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let read = call(emulator, "GET", &format!("{at}/{id}/headers"), None).await;
    ok(&read, 200, "the emulator's headers");
    assert_eq!(
        read.json(),
        json!({"headers": {"X-Created": "yes"}, "sensitive": ["Authorization"]}),
        "the emulator"
    );
    for backend in &backends {
        let name = &backend.name;
        let base = base(backend);
        let body = endpoint_in(backend, json!({"headers": given}));
        let a = call(gw.addr, "POST", &base, Some(&body)).await;
        if !holds_headers(backend) {
            let why = refused_at(&a, "headers", name);
            assert!(why.contains("not supported by upstream"), "{name}: {why}");
            continue;
        }
        ok(&a, 201, name);
        let id = a.json()["id"].as_str().unwrap().to_owned();
        if reports_headers(backend) {
            let read = call(gw.addr, "GET", &format!("{base}/{id}/headers"), None).await;
            ok(&read, 200, name);
            let text = String::from_utf8_lossy(&read.body);
            assert!(!text.contains("s3cret-value"), "{name}: {text}");
            assert_eq!(
                read.json()["headers"],
                json!({"X-Created": "yes"}),
                "{name}"
            );
            assert_eq!(read.json()["sensitive"], json!(["Authorization"]), "{name}");
        } else {
            // Sent with the create (the journal shows the names, never the values).
            let sent = last_sent(gw.emulators[name.as_str()], backend, "create").await;
            let names: Vec<&String> = sent["headers"].as_object().unwrap().keys().collect();
            assert_eq!(names, ["X-Created", "Authorization"], "{name}: {sent}");
        }
    }
    // A value that is no string, on the emulator and on every surface, is refused by name.
    for value in [json!({"X-A": 1}), json!({"X-A": null}), json!(["X-A"])] {
        let body = json!({"url": "https://example.com/h", "headers": value});
        let a = call(emulator, "POST", &at, Some(&body)).await;
        refused_at(&a, "headers", &format!("the emulator: {value}"));
        for backend in &backends {
            let body = endpoint_in(backend, json!({"headers": value}));
            let a = call(gw.addr, "POST", &base(backend), Some(&body)).await;
            refused_at(&a, "headers", &format!("{}: {value}", backend.name));
        }
    }
    gw.stop().await;
}

#[tokio::test]
async fn the_deprecated_version_is_taken_as_its_one_value_and_refused_as_any_other() {
    let (gw, backends) = surfaces().await;
    let emulator = gw.emulators[DIALECT];
    let at = format!("/api/v1/app/{APP}/endpoint");
    let body = json!({"url": "https://example.com/v", "version": 1});
    ok(
        &call(emulator, "POST", &at, Some(&body)).await,
        201,
        "emulator",
    );
    for version in [json!(2), json!(0), json!("1"), json!(1.5)] {
        let body = json!({"url": "https://example.com/v", "version": version});
        let a = call(emulator, "POST", &at, Some(&body)).await;
        refused_at(&a, "version", &format!("emulator: {version}"));
    }
    for backend in &backends {
        let name = &backend.name;
        let one = endpoint_in(backend, json!({"version": 1}));
        let a = call(gw.addr, "POST", &base(backend), Some(&one)).await;
        ok(&a, 201, name);
        let two = endpoint_in(backend, json!({"version": 2}));
        let a = call(gw.addr, "POST", &base(backend), Some(&two)).await;
        refused_at(&a, "version", name);
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_field_given_under_two_names_with_two_values_is_refused_naming_both() {
    let (gw, backends) = surfaces().await;
    let emulator = gw.emulators[DIALECT];
    let at = format!("/api/v1/app/{APP}/endpoint");
    let disagreeing = [
        (
            json!({"throttleRate": 5, "rateLimit": 9}),
            "throttleRate",
            "rateLimit",
        ),
        (
            json!({"rateLimit": 9, "throttleRate": null}),
            "throttleRate",
            "rateLimit",
        ),
        (
            json!({"eventTypes": ["a.b"], "filterTypes": ["c.d"]}),
            "eventTypes",
            "filterTypes",
        ),
        (
            json!({"eventTypes": ["a.b", "c.d"], "filterTypes": ["c.d", "a.b"]}),
            "eventTypes",
            "filterTypes",
        ),
    ];
    for (more, path, alias) in &disagreeing {
        let mut body = json!({"url": "https://example.com/al"});
        body.as_object_mut()
            .unwrap()
            .extend(more.as_object().unwrap().clone());
        let what = format!("emulator create {more}");
        let why = refused_at(&call(emulator, "POST", &at, Some(&body)).await, path, &what);
        assert!(
            why.contains(&format!("`{path}`")) && why.contains(&format!("`{alias}`")),
            "{what}: {why}"
        );
    }
    // The same value under both names is one value.
    let same = json!({"url": "https://example.com/al", "throttleRate": 5, "rateLimit": 5,
                      "eventTypes": ["a.b"], "filterTypes": ["a.b"]});
    let made = call(emulator, "POST", &at, Some(&same)).await;
    ok(&made, 201, "the same value twice");
    assert_eq!(made.json()["throttleRate"], 5);
    let id = made.json()["id"].as_str().unwrap().to_owned();
    // A change is held to it too, and changes nothing.
    for method in ["PATCH", "PUT"] {
        let body = json!({"url": "https://example.com/al", "throttleRate": 3, "rateLimit": 4});
        let a = call(emulator, method, &format!("{at}/{id}"), Some(&body)).await;
        refused_at(&a, "throttleRate", method);
    }
    let read = call(emulator, "GET", &format!("{at}/{id}"), None).await;
    assert_eq!(read.json()["throttleRate"], 5, "{}", read.json());
    // Every surface, whatever stands behind it.
    for backend in &backends {
        let event = event(backend);
        let other = json!("other.event");
        let body = endpoint_in(
            backend,
            json!({"eventTypes": [event], "filterTypes": [other]}),
        );
        let a = call(gw.addr, "POST", &base(backend), Some(&body)).await;
        let why = refused_at(&a, "eventTypes", &backend.name);
        assert!(why.contains("`filterTypes`"), "{}: {why}", backend.name);
        let body = endpoint_in(backend, json!({"throttleRate": 5, "rateLimit": 9}));
        let a = call(gw.addr, "POST", &base(backend), Some(&body)).await;
        refused_at(&a, "throttleRate", &backend.name);
    }
    gw.stop().await;
}

#[tokio::test]
async fn refusals_name_a_member_as_the_client_sent_it() {
    let (gw, backends) = surfaces().await;
    let emulator = gw.emulators[DIALECT];
    let at = format!("/api/v1/app/{APP}/endpoint");
    for (member, value) in [
        ("filterTypes", json!([])),
        ("eventTypes", json!([])),
        ("rateLimit", json!(0)),
        ("throttleRate", json!(0)),
    ] {
        let body = json!({"url": "https://example.com/n", member: value});
        let a = call(emulator, "POST", &at, Some(&body)).await;
        refused_at(&a, member, &format!("emulator {member}"));
    }
    for backend in &backends {
        let name = &backend.name;
        for member in ["filterTypes", "eventTypes"] {
            let mut body = endpoint_in(backend, json!({}));
            body.as_object_mut().unwrap().remove("filterTypes");
            body[member] = json!([]);
            let a = call(gw.addr, "POST", &base(backend), Some(&body)).await;
            refused_at(&a, member, &format!("{name}: {member} []"));
        }
        // What the upstream refuses is named as sent too: a rate it cannot hold.
        if !backend
            .webhook
            .carries("extensions.throttleRate", Action::Create)
        {
            for member in ["rateLimit", "throttleRate"] {
                let body = endpoint_in(backend, json!({member: 4}));
                let a = call(gw.addr, "POST", &base(backend), Some(&body)).await;
                let why = refused_at(&a, member, &format!("{name}: {member}"));
                assert!(why.contains("not supported by upstream"), "{name}: {why}");
            }
        }
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_put_that_creates_carries_what_a_create_carries() {
    let (gw, backends) = surfaces().await;
    for backend in &backends {
        let name = &backend.name;
        if backend.operation(Action::Create).is_none() {
            continue;
        }
        let unknown = match backend.webhook.reading("id").map(|r| &r.codec) {
            Some(hookgate::mapping::codec::Codec::IntString) => "12345".to_owned(),
            _ => "9fbef0b7-8d4e-4a08-9207-66c22155721d".to_owned(),
        };
        let body = endpoint_in(backend, json!({}));
        let posted = call(gw.addr, "POST", &base(backend), Some(&body)).await;
        ok(&posted, 201, &format!("{name}: POST"));
        let created = last_sent(gw.emulators[name.as_str()], backend, "create").await;
        let mut body = endpoint_in(backend, json!({}));
        body["url"] = json!("https://example.com/up");
        // An upstream that keeps one endpoint per event type takes no second one of it.
        if backend
            .webhook
            .rules
            .iter()
            .any(|r| r.unique_per_owner && r.target.is("events"))
        {
            let path = format!(
                "{}/{}",
                base(backend),
                posted.json()["id"].as_str().unwrap()
            );
            ok(&call(gw.addr, "DELETE", &path, None).await, 204, name);
        }
        let put = call(
            gw.addr,
            "PUT",
            &format!("{}/{unknown}", base(backend)),
            Some(&body),
        )
        .await;
        ok(&put, 201, &format!("{name}: PUT of an unknown id"));
        let upserted = last_sent(gw.emulators[name.as_str()], backend, "create").await;
        // What the create stated that the body did not (deliveries as POSTs), the PUT did too.
        for (field, value) in created.as_object().unwrap() {
            if field != "url" {
                assert_eq!(
                    upserted.get(field),
                    Some(value),
                    "{name}: {field}: POST sent {created}, PUT sent {upserted}"
                );
            }
        }
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_secret_given_without_its_prefix_is_kept_and_read_with_it() {
    let (gw, _) = surfaces().await;
    let emulator = gw.emulators[DIALECT];
    // The emulator, and a surface that relays to it.
    for at in [
        format!("/api/v1/app/{APP}/endpoint"),
        format!("/svix-{DIALECT}/api/v1/app/{APP}/endpoint"),
    ] {
        let addr = if at.starts_with("/api") {
            emulator
        } else {
            gw.addr
        };
        let bare = "A".repeat(32);
        let prefixed = format!("whsec_{}", "C".repeat(32));
        for (given, kept) in [
            (bare.clone(), format!("whsec_{bare}")),
            (prefixed.clone(), prefixed.clone()),
        ] {
            let body = json!({"url": "https://example.com/s", "secret": given});
            let made = call(addr, "POST", &at, Some(&body)).await;
            ok(&made, 201, &at);
            let id = made.json()["id"].as_str().unwrap().to_owned();
            let read = call(addr, "GET", &format!("{at}/{id}/secret"), None).await;
            assert_eq!(read.json(), json!({"key": kept}), "{at}: {given}");
            for key in ["B".repeat(40), format!("whsec_{}", "D".repeat(32))] {
                let rotate = format!("{at}/{id}/secret/rotate");
                ok(
                    &call(addr, "POST", &rotate, Some(&json!({"key": key}))).await,
                    204,
                    &rotate,
                );
                let read = call(addr, "GET", &format!("{at}/{id}/secret"), None).await;
                let expected = match key.starts_with("whsec_") {
                    true => key.clone(),
                    false => format!("whsec_{key}"),
                };
                assert_eq!(
                    read.json(),
                    json!({"key": expected}),
                    "{at}: rotated to {key}"
                );
            }
        }
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_create_without_a_member_the_upstream_requires_says_the_upstream_requires_it() {
    let (gw, backends) = surfaces().await;
    let mut seen = 0;
    for backend in &backends {
        let name = &backend.name;
        let requires = backend
            .webhook
            .rule_for("description", Action::Create)
            .is_some_and(|r| {
                r.checks
                    .contains(&hookgate::mapping::checks::Check::Required)
            });
        if !requires {
            continue;
        }
        seen += 1;
        let mut left_out = endpoint_in(backend, json!({}));
        left_out.as_object_mut().unwrap().remove("description");
        let empty = endpoint_in(backend, json!({"description": ""}));
        for body in [left_out, empty] {
            let a = call(gw.addr, "POST", &base(backend), Some(&body)).await;
            let why = refused_at(&a, "description", &format!("{name}: {body}"));
            assert_eq!(
                why, "must have a value: the upstream requires it",
                "{name}: {body}"
            );
        }
    }
    assert!(seen > 0, "no upstream requires a description");
    gw.stop().await;
}
