//! A resource's fields in the answer to a create or an update are what the vendor answered, or
//! what a read after the write shows: never a value only the request carried (a flag the
//! vendor takes and never shows, a header value it hides). The answer of a resource's write is
//! read where its `response` places the resource, as the key a vendor makes when signing is
//! turned on. Through a surface, a refusal of a resource's member names it as the client sent
//! it, and a read of a resource the upstream keeps nothing of is refused as a route it cannot
//! answer, before any call. A merge that removes a hidden header by name removes it, in
//! whatever letter case it names it.
//!
//! Fixtures: `tests/dialects/beacon.toml` with a `signed` resource added (spelt as SendGrid's
//! signed Event Webhook: `PATCH …/signed` takes `{"enabled": true}` and answers the key it made),
//! in front of a vendor double; a test-local "Signet" whose surface serves such a resource in
//! front of it, or in front of an emulator of Beacon as it ships, which has none; and Svix's
//! shipped file, whose emulator hides some headers' values.

mod support;

use serde_json::{Value, json};
use support::{Answer, Double, Reply, Seen, ok, send};

const ID: &str = "sub_0123456789abcdef0123456789abcdef";
const BASE: &str = "/v1/upstreams/beacon/owners/ws-1/webhooks";
const KEY: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE";
const SIGNED: &str =
    "/v2/workspaces/ws-1/subscriptions/sub_0123456789abcdef0123456789abcdef/signed";

/// How Beacon's `signed` resource is declared, and how its vendor answers it.
struct Spelling {
    what: &'static str,
    /// The `[resources.signed]` table's verbs.
    verbs: String,
    /// The answer to a write of it: `None` for a 204.
    written: Option<Value>,
    /// The answer to a read of it.
    read: Value,
    /// Whether a create can carry the flag (a create's whole value at a vendor that only
    /// merges is merged into the resource as read).
    creates: bool,
    /// Whether an update can (a merge at a vendor that only replaces is merged into the
    /// resource as read).
    updates: bool,
    /// Whether an answer or a read tells the key.
    tells_key: bool,
}

fn spellings() -> Vec<Spelling> {
    let key = json!({"id": "k1", "public_key": KEY});
    let path = "/workspaces/{owner}/subscriptions/{id}/signed";
    vec![
        Spelling {
            what: "a merge answered with the resource",
            verbs: format!(
                "get = {{ method = \"GET\", path = \"{path}\" }}\n\
                 update = {{ method = \"PATCH\", path = \"{path}\", response = \"{{{{resource}}}}\" }}"
            ),
            written: Some(key.clone()),
            read: json!({"id": "k1"}),
            creates: true,
            updates: true,
            tells_key: true,
        },
        Spelling {
            what: "a merge answered with the resource in an envelope",
            verbs: format!(
                "get = {{ method = \"GET\", path = \"{path}\", response = {{ signed = \"{{{{resource}}}}\" }} }}\n\
                 update = {{ method = \"PATCH\", path = \"{path}\", response = {{ signed = \"{{{{resource}}}}\" }} }}"
            ),
            written: Some(json!({"signed": key})),
            read: json!({"signed": {"id": "k1"}}),
            creates: true,
            updates: true,
            tells_key: true,
        },
        Spelling {
            what: "a merge answered without a body, read after",
            verbs: format!(
                "get = {{ method = \"GET\", path = \"{path}\" }}\n\
                 update = {{ method = \"PATCH\", path = \"{path}\" }}"
            ),
            written: None,
            read: key.clone(),
            creates: true,
            updates: true,
            tells_key: true,
        },
        Spelling {
            what: "a replacement answered with the resource",
            verbs: format!(
                "get = {{ method = \"GET\", path = \"{path}\" }}\n\
                 replace = {{ method = \"PUT\", path = \"{path}\", response = \"{{{{resource}}}}\" }}"
            ),
            written: Some(key.clone()),
            read: json!({"id": "k1"}),
            creates: true,
            updates: true,
            tells_key: true,
        },
        Spelling {
            what: "a merge answered with the resource, and no read of it",
            verbs: format!(
                "update = {{ method = \"PATCH\", path = \"{path}\", response = \"{{{{resource}}}}\" }}"
            ),
            written: Some(key.clone()),
            read: Value::Null,
            creates: false,
            updates: true,
            tells_key: true,
        },
        Spelling {
            what: "a replacement answered without a body, and no read of it",
            verbs: format!("replace = {{ method = \"PUT\", path = \"{path}\" }}"),
            written: None,
            read: Value::Null,
            creates: true,
            updates: false,
            tells_key: false,
        },
    ]
}

/// Beacon's `signed` resource, with `verbs`: a flag only requests carry, and the key only
/// answers show.
fn signed_resource(verbs: &str) -> String {
    format!(
        "[resources.signed]\n{verbs}\n\n\
         [resources.signed.fields.\"extensions.signed\"]\npath = \"$.enabled\"\nin = [\"request\"]\n\n\
         [resources.signed.fields.\"extensions.public_key\"]\npath = \"$.public_key\"\nin = [\"response\"]\n\n\
         [operations.list]"
    )
}

/// Beacon's subscription as its vendor answers it.
fn subscription() -> Value {
    json!({"subscription_id": ID, "target": "https://example.com/beacon",
        "topics": ["build.finished"], "title": "CI", "paused": false,
        "created": "2026-11-23T09:00:00Z", "updated": "2026-11-23T09:00:00Z"})
}

/// A Beacon vendor that answers every call as `spelling` says.
async fn beacon_vendor(spelling: &Spelling) -> Double {
    let (written, read) = (spelling.written.clone(), spelling.read.clone());
    Double::answering(move |seen: &Seen| {
        let last = seen.path.rsplit('/').next().unwrap_or_default();
        match (seen.method.as_str(), last) {
            ("POST", "subscriptions") => Reply::json(201, subscription()),
            ("PATCH" | "PUT", "signed") => match &written {
                Some(body) => Reply::json(200, body.clone()),
                None => Reply::json(204, Value::Null),
            },
            ("GET", "signed") => Reply::json(200, read.clone()),
            ("GET", "headers") => Reply::json(200, json!({"headers": {}})),
            ("GET", "signing") => Reply::json(200, json!({"secret": "bsk_c2VjcmV0"})),
            ("GET", _) => Reply::json(200, subscription()),
            ("PUT", _) => Reply::json(204, Value::Null),
            _ => Reply::json(500, json!({"message": "unscripted"})),
        }
    })
    .await
}

/// The flags sent to the vendor's `…/signed`, in order.
fn flags_sent(vendor: &Double) -> Vec<Value> {
    (vendor.seen().iter())
        .filter(|s| s.path == SIGNED && s.method != "GET")
        .map(|s| s.json().unwrap_or_default()["enabled"].clone())
        .collect()
}

/// Asserts that `answer`, a webhook answered 200 or 201, holds the key where the vendor told it
/// and never the flag only the request carried.
fn shows_only_what_was_answered(answer: &Answer, status: u16, tells_key: bool, what: &str) {
    ok(answer, status, what);
    let webhook = answer.json();
    let extensions = &webhook["extensions"];
    assert!(
        extensions.get("signed").is_none(),
        "{what}: a flag only the request carried is shown: {webhook}"
    );
    match tells_key {
        true => assert_eq!(extensions["public_key"], KEY, "{what}: {webhook}"),
        false => assert!(
            extensions.get("public_key").is_none(),
            "{what}: a key no answer told: {webhook}"
        ),
    }
}

#[tokio::test]
async fn a_create_or_update_answers_what_the_vendor_said_of_a_resource_not_what_was_sent() {
    for spelling in spellings() {
        let what = spelling.what;
        let dir = support::dialects_with(&[(
            "beacon",
            "[operations.list]",
            &signed_resource(&spelling.verbs),
        )]);
        let vendor = beacon_vendor(&spelling).await;
        let gw = support::gateway_over_unretried(dir.path(), "beacon", &vendor, "").await;
        let mut sent = Vec::new();
        if spelling.creates {
            let body = json!({"url": "https://example.com/beacon", "events": ["build.finished"],
                "extensions": {"signed": true}});
            let created = send(gw.addr, "POST", BASE, &[], Some(&body)).await;
            shows_only_what_was_answered(&created, 201, spelling.tells_key, what);
            sent.push(json!(true));
        }
        if spelling.updates {
            let change = json!({"extensions": {"signed": false}});
            let updated = support::patch(gw.addr, &format!("{BASE}/{ID}"), &change).await;
            shows_only_what_was_answered(&updated, 200, spelling.tells_key, what);
            sent.push(json!(false));
        }
        assert_eq!(
            flags_sent(&vendor),
            sent,
            "{what}: the flag reaches the vendor"
        );
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_header_value_the_vendor_hides_is_answered_as_a_read_shows_it() {
    let gw = support::gateway("[upstreams.svix]\ndialect = \"svix\"\nemulate = true\n").await;
    let base = "/v1/upstreams/svix/owners/app_1/webhooks";
    let body = json!({"url": "https://example.com/hook", "events": ["a.b"],
        "headers": {"Authorization": "Bearer one", "X-A": "1"}});
    let created = send(gw.addr, "POST", base, &[], Some(&body)).await;
    ok(&created, 201, "create");
    // The create's answer shows no hidden value: its name is listed, as a read lists it.
    let created = created.json();
    assert_eq!(created["headers"], json!({"X-A": "1"}), "{created}");
    assert_eq!(
        created["extensions"]["sensitive"],
        json!(["Authorization"]),
        "{created}"
    );
    let id = created["id"].as_str().unwrap().to_owned();
    let one = format!("{base}/{id}");
    // Each change, and the hidden headers the vendor holds after it (lower case, sorted).
    let changes = [
        (
            json!({"Authorization": "Bearer two"}),
            vec!["authorization"],
        ),
        (
            json!({"X-B": "2", "x-auth-token": "t"}),
            vec!["authorization", "x-auth-token"],
        ),
        // Removed by name, in the letter case the vendor holds it in or another.
        (json!({"authorization": null}), vec!["x-auth-token"]),
        (
            json!({"AUTHORIZATION": "Bearer three"}),
            vec!["authorization", "x-auth-token"],
        ),
        (
            json!({"X-Auth-Token": null, "X-A": null}),
            vec!["authorization"],
        ),
        (json!({"Authorization": null}), vec![]),
        (
            json!({"Authorization": "Bearer four", "X-C": "3"}),
            vec!["authorization"],
        ),
        // Set again in another letter case: listed as the vendor then holds it.
        (
            json!({"AUTHORIZATION": "Bearer five"}),
            vec!["authorization"],
        ),
        (
            json!({"authorization": "Bearer six", "x-c": "4"}),
            vec!["authorization"],
        ),
        // Cleared whole: the hidden ones too.
        (Value::Null, vec![]),
    ];
    let listed = |w: &Value| {
        w["extensions"]
            .get("sensitive")
            .cloned()
            .unwrap_or(json!([]))
    };
    for (headers, hidden) in changes {
        let change = json!({ "headers": headers });
        let updated = support::patch(gw.addr, &one, &change).await;
        ok(&updated, 200, &change.to_string());
        let read = send(gw.addr, "GET", &one, &[], None).await;
        ok(&read, 200, "read");
        let (answered, read) = (updated.json(), read.json());
        assert_eq!(answered["headers"], read["headers"], "{change}: {answered}");
        assert_eq!(listed(&answered), listed(&read), "{change}: {answered}");
        let mut held: Vec<String> = (listed(&read).as_array().unwrap().iter())
            .map(|n| n.as_str().unwrap().to_ascii_lowercase())
            .collect();
        held.sort();
        assert_eq!(held, hidden, "{change}: {read}");
    }
    gw.stop().await;
}

/// "Signet", a vendor whose webhooks have signing turned on at a path of their own by a flag it
/// never shows again, answering with the key it made; a create may carry the flag too.
const SIGNET: &str = r#"
[dialect]
title = "Signet webhooks"
base_path = "/s1"

[fields.id]
path = "$.id"
in = ["response"]

[fields.url]
path = "$.url"
required = true

[fields.events]
path = "$.events"
required = true

[resources.signed]
get = { method = "GET", path = "/hooks/{id}/signed" }
update = { method = "PATCH", path = "/hooks/{id}/signed", response = "{{resource}}", status = 200 }
in_create = { "extensions.signed" = "$.signed" }

[resources.signed.fields."extensions.signed"]
path = "$.enabled"
in = ["request"]
type = "boolean"

[resources.signed.fields."extensions.public_key"]
path = "$.public_key"
in = ["response"]

[operations.list]
method = "GET"
path = "/hooks"
response = { hooks = "{{items}}" }

[operations.get]
method = "GET"
path = "/hooks/{id}"
response = "{{webhook}}"

[operations.create]
method = "POST"
path = "/hooks"
body = "{{webhook}}"
status = 201
response = "{{webhook}}"

[operations.update]
method = "PATCH"
path = "/hooks/{id}"
body = "{{webhook}}"
response = "{{webhook}}"

[operations.delete]
method = "DELETE"
path = "/hooks/{id}"
status = 204

[errors]
message = ["$.message"]

[[errors.field_errors]]
path = "$.errors"
form = "items"
field = "$.field"
message = "$.message"
item = { field = "{{field}}", message = "{{message}}" }

[errors.render.default]
body = { message = "{{message}}", errors = "{{errors}}" }

[[examples]]
id = "h1"
url = "https://example.com/signet"
events = ["build.finished"]
"#;

/// The mapping files of `tests/dialects` with Beacon's edits and Signet (as `signet`, with the
/// edits given).
fn with_signet(beacon: &[(&str, &str, &str)], signet: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = support::dialects_with(beacon);
    let mut text = SIGNET.to_owned();
    for (from, to) in signet {
        let edited = text.replacen(from, to, 1);
        assert_ne!(edited, text, "Signet holds no {from:?}");
        text = edited;
    }
    std::fs::write(dir.path().join("signet.toml"), text).unwrap();
    dir
}

/// A gateway with a Signet surface under `/s` in front of upstream `beacon` (emulated where
/// `vendor` is `None`), bridging workspace `ws-1`.
async fn signet_over(dir: &tempfile::TempDir, vendor: Option<&Double>) -> hookgate::app::Running {
    let upstream = match vendor {
        Some(v) => format!(
            "base_url = {:?}\nauth = {{ type = \"none\" }}\nretries = 0\n",
            v.url()
        ),
        None => "emulate = true\n".to_owned(),
    };
    support::gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.beacon]\ndialect = \"beacon\"\n{upstream}\
         [surfaces.s]\ndialect = \"signet\"\nupstream = \"beacon\"\nprefix = \"/s\"\n\
         owner = \"ws-1\"\n[url_policy]\nallow_private = true\n",
        dir.path()
    ))
    .await
}

const AUTH: (&str, &str) = ("authorization", "Bearer any");

#[tokio::test]
async fn a_surface_answers_a_resources_write_as_the_vendor_did() {
    for spelling in spellings().into_iter().filter(|s| s.creates && s.updates) {
        let what = spelling.what;
        let dir = with_signet(
            &[(
                "beacon",
                "[operations.list]",
                &signed_resource(&spelling.verbs),
            )],
            &[],
        );
        let vendor = beacon_vendor(&spelling).await;
        let gw = signet_over(&dir, Some(&vendor)).await;
        let body = json!({"url": "https://example.com/beacon", "events": ["build.finished"],
            "signed": true});
        let created = send(gw.addr, "POST", "/s/s1/hooks", &[AUTH], Some(&body)).await;
        ok(&created, 201, what);
        let shown = created.json();
        assert!(shown.get("signed").is_none(), "{what}: {shown}");
        let path = format!("/s/s1/hooks/{ID}/signed");
        let off = json!({"enabled": false});
        let patched = send(gw.addr, "PATCH", &path, &[AUTH], Some(&off)).await;
        ok(&patched, 200, what);
        let expected = match spelling.tells_key {
            true => json!({"public_key": KEY}),
            false => json!({}),
        };
        assert_eq!(patched.json(), expected, "{what}");
        assert_eq!(flags_sent(&vendor), [json!(true), json!(false)], "{what}");
        gw.stop().await;
    }
}

/// A webhook made through the Signet surface, by its id; `what` names the case.
async fn hook_made(addr: std::net::SocketAddr, what: &str) -> String {
    let body = json!({"url": "https://example.com/a", "events": ["build.finished"]});
    let created = send(addr, "POST", "/s/s1/hooks", &[AUTH], Some(&body)).await;
    ok(&created, 201, what);
    created.json()["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_surface_names_a_resources_member_as_its_client_sent_it() {
    // Each spelling of the member, and the name its refusal gives.
    let spellings: [(&[(&str, &str)], &str); 3] = [
        (&[], "enabled"),
        (
            &[(
                "in = [\"request\"]\ntype",
                "in = [\"request\"]\nerror_field = \"signing.enabled\"\ntype",
            )],
            "signing.enabled",
        ),
        // The resource's body is the flag itself, inside the member that holds it.
        (
            &[
                (
                    "update = { method = \"PATCH\", path = \"/hooks/{id}/signed\",",
                    "update = { method = \"PATCH\", path = \"/hooks/{id}/signed\", body = { on = \"{{resource}}\" },",
                ),
                ("path = \"$.enabled\"", "path = \"$\""),
            ],
            "on",
        ),
    ];
    for (edits, member) in spellings {
        let dir = with_signet(&[], edits);
        // Beacon as it ships keeps no such flag.
        let gw = signet_over(&dir, None).await;
        let id = hook_made(gw.addr, member).await;
        let path = format!("/s/s1/hooks/{id}/signed");
        let flag = |on: Value| match member {
            "on" => json!({"on": on}),
            _ => json!({"enabled": on}),
        };
        // Refused by the upstream, which cannot hold it; and here, for a value of another type.
        for sent in [flag(json!(true)), flag(json!("yes"))] {
            let refused = send(gw.addr, "PATCH", &path, &[AUTH], Some(&sent)).await;
            ok(&refused, 422, &sent.to_string());
            let errors = refused.json()["errors"].clone();
            assert_eq!(errors[0]["field"], member, "{sent}: {errors}");
            assert!(
                !refused.json().to_string().contains("\"signed\""),
                "{sent}: {}",
                refused.json()
            );
        }
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_surfaces_read_of_a_resource_the_upstream_keeps_nothing_of_is_refused() {
    // A resource whose members the upstream never reports, or that answers none at all.
    let spellings: [(&str, &[(&str, &str)]); 2] = [
        ("a key the upstream never reports", &[]),
        (
            "a flag only written",
            &[(
                "[resources.signed.fields.\"extensions.public_key\"]\npath = \"$.public_key\"\nin = [\"response\"]\n",
                "",
            )],
        ),
    ];
    for (what, edits) in spellings {
        let dir = with_signet(&[], edits);
        let gw = signet_over(&dir, None).await;
        let id = hook_made(gw.addr, what).await;
        let calls = support::journal(gw.emulators["beacon"]).await.len();
        let read = send(
            gw.addr,
            "GET",
            &format!("/s/s1/hooks/{id}/signed"),
            &[AUTH],
            None,
        )
        .await;
        ok(&read, 501, what);
        let message = read.json()["message"].as_str().unwrap().to_owned();
        assert!(
            message.contains("has nothing to answer a read of `signed` with"),
            "{what}: {message}"
        );
        assert_eq!(
            support::journal(gw.emulators["beacon"]).await.len(),
            calls,
            "{what}: refused before any call"
        );
        gw.stop().await;
    }
    // In front of an upstream that keeps the key at a resource of its own, it is read there.
    let spelling = read_tells_key();
    let dir = with_signet(
        &[(
            "beacon",
            "[operations.list]",
            &signed_resource(&spelling.verbs),
        )],
        &[],
    );
    let vendor = beacon_vendor(&spelling).await;
    let gw = signet_over(&dir, Some(&vendor)).await;
    let read = send(
        gw.addr,
        "GET",
        &format!("/s/s1/hooks/{ID}/signed"),
        &[AUTH],
        None,
    )
    .await;
    ok(&read, 200, "a key the upstream keeps");
    assert_eq!(read.json(), json!({"public_key": KEY}));
    gw.stop().await;
}

/// A spelling of Beacon's resource whose read tells the key.
fn read_tells_key() -> Spelling {
    spellings()
        .into_iter()
        .find(|s| s.read.get("public_key").is_some())
        .unwrap()
}

/// A create at a vendor that shows a minted secret at a resource of its own (Svix's
/// `…/secret`): the secret is read right after the create, so that a later part of the change
/// that fails (its headers' write) is refused with it, beside the webhook made.
#[tokio::test]
async fn a_minted_secret_is_shown_where_a_later_part_of_the_create_fails() {
    let endpoint = json!({"id": "ep_2", "url": "https://example.com/h2", "version": 1,
        "description": "", "disabled": false, "filterTypes": null, "channels": null,
        "rateLimit": null, "uid": null, "metadata": {},
        "createdAt": "2025-01-01T00:00:00Z", "updatedAt": "2025-01-01T00:00:00Z"});
    let vendor = Double::answering(move |seen| {
        let path = seen.path.split('?').next().unwrap_or_default();
        match (seen.method.as_str(), path) {
            ("POST", "/api/v1/app/app_1/endpoint") => Reply::json(201, endpoint.clone()),
            ("GET", "/api/v1/app/app_1/endpoint/ep_2/secret") => Reply::json(
                200,
                json!({"key": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}),
            ),
            _ => Reply::json(500, json!({"code": "internal", "detail": "boom"})),
        }
    })
    .await;
    let gw = support::gateway_over(support::MAPPINGS, "svix", &vendor).await;
    let body = json!({"url": "https://example.com/h2", "headers": {"X-Plain": "p"}});
    let made = send(
        gw.addr,
        "POST",
        "/v1/upstreams/svix/owners/app_1/webhooks",
        &[],
        Some(&body),
    )
    .await;
    assert_eq!(made.status, 502, "{}", made.json());
    assert_eq!(
        made.json()["webhook"],
        json!({"id": "ep_2", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}),
        "{}",
        made.json()
    );
    let calls: Vec<String> = vendor
        .seen()
        .iter()
        .map(|s| format!("{} {}", s.method, s.path))
        .collect();
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with("PUT /api/v1/app/app_1/endpoint/ep_2/headers")),
        "{calls:?}"
    );
    gw.stop().await;
}

#[tokio::test]
async fn a_surfaces_change_of_a_resource_needs_no_webhook_it_could_show() {
    // A Svix surface in front of a vendor that keeps no `updatedAt`, which a Svix endpoint
    // must show: its headers' answer (a 204) shows no endpoint, so their change is made.
    let dir = tempfile::tempdir().unwrap();
    for (from, name) in [
        (support::MAPPINGS, "svix.toml"),
        (support::TEST_DIALECTS, "tariff.toml"),
    ] {
        std::fs::copy(format!("{from}/{name}"), dir.path().join(name)).unwrap();
    }
    let gw = support::gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.t]\ndialect = \"tariff\"\nemulate = true\n\
         [surfaces.s]\ndialect = \"svix\"\nupstream = \"t\"\nprefix = \"/s\"\nowner = \"app_1\"\n",
        dir.path()
    ))
    .await;
    let made = send(
        gw.addr,
        "POST",
        "/v1/upstreams/t/webhooks",
        &[],
        Some(&json!({"url": "https://example.com/a", "events": ["invoice.paid"]})),
    )
    .await;
    ok(&made, 201, "made");
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let headers = format!("/s/api/v1/app/app_1/endpoint/{id}/headers");
    let bearer = [("authorization", "Bearer t")];
    for (method, body) in [
        ("PATCH", json!({"headers": {"X-Team": "ops"}})),
        (
            "PUT",
            json!({"headers": {"X-Team": "core", "X-Env": "prod"}}),
        ),
    ] {
        let changed = send(gw.addr, method, &headers, &bearer, Some(&body)).await;
        assert_eq!(changed.status, 204, "{method}: {:?}", changed.body);
    }
    let read = send(gw.addr, "GET", &headers, &bearer, None).await;
    ok(&read, 200, "read");
    assert_eq!(
        read.json()["headers"],
        json!({"X-Team": "core", "X-Env": "prod"}),
        "{}",
        read.json()
    );
    gw.stop().await;
}
