//! Merges of a webhook's headers, whose names compare in any letter case, and vendors whose
//! update is an RFC 7396 JSON Merge Patch (a test-local "Mend", spelt as Zendesk's webhooks:
//! `PATCH` as `application/merge-patch+json`, custom headers an object of their own).
//!
//! - A canonical PATCH of `headers` replaces or removes a stored name whatever its letter case,
//!   keeping the client's spelling of a name it sets: at a vendor that merges (Chirp's PUT of
//!   the members named), one that replaces what it is sent (Relay's read-merge-write), one
//!   that keeps headers at a resource it patches (Svix's), and through a surface.
//! - A vendor whose update is a merge patch is sent the patch that makes its webhook what the
//!   client asked: a `null` for each header gone (under the name it holds), the headers set,
//!   and nothing else; its emulator and its surfaces read a client's merge patch as one (a
//!   `null` removes that header alone), in front of any upstream.

mod support;

use serde_json::{Value, json};
use std::net::SocketAddr;
use support::{Double, Reply, gateway, gateway_over, ok, send};

/// The merge-patch vendor: Zendesk-like webhooks, custom headers an object.
const MEND: &str = r#"
[dialect]
title = "Mend webhooks"
base_path = "/api/v2"

[emulator]
id = "prefix:01EJ"

[fields.id]
path = "$.id"
in = ["response"]

[fields.url]
path = "$.endpoint"
required = true

[fields.events]
path = "$.subscriptions"
required = true
min_items = 1

[fields.enabled]
path = "$.status"
codec = { map = { active = true, inactive = false } }
default = "active"

[fields.description]
path = "$.name"

[fields.headers]
path = "$.custom_headers"

[operations.list]
method = "GET"
path = "/webhooks"
response = { webhooks = "{{items}}" }

[operations.get]
method = "GET"
path = "/webhooks/{id}"
response = { webhook = "{{webhook}}" }

[operations.create]
method = "POST"
path = "/webhooks"
body = { webhook = "{{webhook}}" }
status = 201
response = { webhook = "{{webhook}}" }

[operations.update]
method = "PATCH"
path = "/webhooks/{id}"
content_type = "application/merge-patch+json"
body = { webhook = "{{webhook}}" }
status = 204
then = ["get"]

[operations.delete]
method = "DELETE"
path = "/webhooks/{id}"
status = 204

[errors]
message = ["$.error"]

[errors.render.default]
body = { error = "{{message}}" }
"#;

const ID: &str = "01EJFTSCC78X5V07NPY2MHR00M";
const BEARER: (&str, &str) = ("authorization", "Bearer t");
const MERGE: (&str, &str) = ("content-type", "application/merge-patch+json");

/// A folder of mapping files: Mend, Mend whose headers are checked as strings (`values`), and
/// the shipped or test dialects the cases put behind or in front of them.
fn mappings() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mend.toml"), MEND).unwrap();
    let strict = MEND.replace(
        "path = \"$.custom_headers\"",
        "path = \"$.custom_headers\"\ntype = \"object\"\nvalues = \"string\"",
    );
    std::fs::write(dir.path().join("mends.toml"), strict).unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    for from in [
        "mappings/chirp.toml",
        "mappings/svix.toml",
        "tests/dialects/relay.toml",
    ] {
        let name = from.rsplit('/').next().unwrap();
        std::fs::copy(format!("{root}/{from}"), dir.path().join(name)).unwrap();
    }
    dir
}

/// A config of `mappings` whose upstreams are each dialect named, emulated, and `more`.
fn emulating(dir: &tempfile::TempDir, dialects: &[&str], more: &str) -> String {
    let mut toml = format!("mappings_dir = {:?}\n", dir.path());
    for d in dialects {
        toml += &format!("[upstreams.{d}]\ndialect = \"{d}\"\nemulate = true\n");
    }
    toml + more
}

async fn patched(addr: SocketAddr, path: &str, patch: Value) -> Value {
    let answer = send(addr, "PATCH", path, &[], Some(&patch)).await;
    ok(&answer, 200, &format!("PATCH {patch}"));
    answer.json()
}

/// Canonical header patches in every letter case, and the headers each leaves: removals,
/// replacements (the client's spelling kept), additions and a rename, from `start`.
fn header_cases() -> (Value, Vec<(Value, Value)>) {
    let start = json!({"x-env": "a", "X-Other": "o", "X-Mixed": "m"});
    let cases = vec![
        (
            json!({"X-OTHER": null}),
            json!({"x-env": "a", "X-Mixed": "m"}),
        ),
        (json!({"X-Env": "b"}), json!({"X-Env": "b", "X-Mixed": "m"})),
        (
            json!({"x-mixed": "n", "X-NEW": "1"}),
            json!({"X-Env": "b", "x-mixed": "n", "X-NEW": "1"}),
        ),
        (
            json!({"x-env": null, "x-new": null}),
            json!({"x-mixed": "n"}),
        ),
        (
            json!({"x-mixed": null, "X-Mixed": "r"}),
            json!({"X-Mixed": "r"}),
        ),
        (json!({"X-ABSENT": null}), json!({"X-Mixed": "r"})),
    ];
    (start, cases)
}

/// Runs [`header_cases`] against the canonical webhooks at `base`, on a webhook made there with
/// `create` and the starting headers.
async fn headers_merge_in_any_case(addr: SocketAddr, base: &str, mut create: Value, what: &str) {
    let (start, cases) = header_cases();
    create["headers"] = start;
    let made = send(addr, "POST", base, &[], Some(&create)).await;
    ok(&made, 201, what);
    let one = format!("{base}/{}", made.json()["id"].as_str().unwrap());
    for (patch, left) in cases {
        let answer = patched(addr, &one, json!({ "headers": patch })).await;
        assert_eq!(answer["headers"], left, "{what}: {patch}");
        let read = send(addr, "GET", &one, &[], None).await;
        assert_eq!(read.json()["headers"], left, "{what}: {patch}, read again");
    }
}

#[tokio::test]
async fn a_header_patch_names_a_stored_header_in_any_letter_case() {
    let dir = mappings();
    let gw = gateway(&emulating(&dir, &["chirp", "relay", "svix", "mend"], "")).await;
    let create = |url: &str, event: &str| json!({"url": url, "events": [event]});
    // A vendor that takes the members named (Chirp's PUT).
    headers_merge_in_any_case(
        gw.addr,
        "/v1/upstreams/chirp/owners/app1/webhooks",
        create("https://example.com/a", "MESSAGE_CREATED"),
        "chirp",
    )
    .await;
    // A vendor that replaces what it is sent: read, merged, written whole.
    headers_merge_in_any_case(
        gw.addr,
        "/v1/upstreams/relay/owners/p1/webhooks",
        create("https://example.com/a", "push"),
        "relay",
    )
    .await;
    // A vendor that keeps the headers at a resource it patches.
    headers_merge_in_any_case(
        gw.addr,
        "/v1/upstreams/svix/owners/app_1/webhooks",
        create("https://example.com/a", "invoice.paid"),
        "svix",
    )
    .await;
    // A vendor that applies a merge patch.
    headers_merge_in_any_case(
        gw.addr,
        "/v1/upstreams/mend/webhooks",
        create("https://example.com/a", "ticket_events"),
        "mend",
    )
    .await;
    gw.stop().await;
}

#[tokio::test]
async fn a_refusal_by_a_vendor_that_names_its_field_names_it_once() {
    let dir = mappings();
    let gw = gateway(&emulating(&dir, &["chirp"], "")).await;
    let base = "/v1/upstreams/chirp/owners/app1/webhooks";
    let made = send(
        gw.addr,
        "POST",
        base,
        &[],
        Some(&json!({"url": "https://example.com/a", "events": ["MESSAGE_CREATED"]})),
    )
    .await;
    ok(&made, 201, "create");
    // The emulator names its field in its message (`url: …`), as a param beside it.
    let emulator = gw.emulators["chirp"];
    let own = format!(
        "/v1/organization/apps/app1/webhooks/{}",
        made.json()["id"].as_str().unwrap()
    );
    let refused = send(
        emulator,
        "PUT",
        &own,
        &[BEARER],
        Some(&json!({"headers": {"X-A": "1", "x-a": "2"}})),
    )
    .await;
    ok(&refused, 400, "the emulator's refusal");
    let said = refused.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(said.starts_with("headers: "), "{said}");
    // Read back by the gateway, that field error is named once.
    let vendor = Double::start(vec![Reply::json(400, refused.json())]).await;
    let over = gateway_over(dir.path().to_str().unwrap(), "chirp", &vendor).await;
    let answer = send(
        over.addr,
        "PATCH",
        &format!("{base}/w1"),
        &[],
        Some(&json!({"url": "https://example.com/b"})),
    )
    .await;
    ok(&answer, 422, "the vendor's refusal");
    let problem = answer.json();
    assert_eq!(problem["errors"][0]["field"], "headers");
    let message = problem["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("names `x-a` more than once"),
        "{problem}"
    );
    assert!(
        !problem["detail"]
            .as_str()
            .unwrap()
            .contains("headers: headers"),
        "{problem}"
    );
    over.stop().await;
    gw.stop().await;
}

/// Mend's webhook as its answers hold it, with these custom headers (none: `Null`).
fn mend_webhook(headers: Value) -> Value {
    let mut webhook = json!({
        "id": ID,
        "name": "Example Webhook",
        "status": "active",
        "endpoint": "https://example.com/status/200",
        "subscriptions": ["conditional_ticket_events"]
    });
    if !headers.is_null() {
        webhook["custom_headers"] = headers;
    }
    json!({ "webhook": webhook })
}

/// The body of the vendor's update when the canonical `patch` reaches it, the webhook holding
/// `stored` headers: the read, the update and the read after it answered in order.
async fn merge_patch_sent(stored: Value, patch: Value) -> Value {
    let dir = mappings();
    let vendor = Double::start(vec![
        Reply::json(200, mend_webhook(stored.clone())),
        Reply::json(204, Value::Null),
        Reply::json(200, mend_webhook(stored)),
    ])
    .await;
    let gw = gateway_over(dir.path().to_str().unwrap(), "mend", &vendor).await;
    let one = format!("/v1/upstreams/mend/webhooks/{ID}");
    let answer = send(gw.addr, "PATCH", &one, &[], Some(&patch)).await;
    ok(&answer, 200, &format!("PATCH {patch}"));
    gw.stop().await;
    let seen = vendor.seen();
    let update = seen
        .iter()
        .find(|s| s.method == "PATCH")
        .unwrap_or_else(|| panic!("{patch}: no update sent: {seen:?}"));
    assert_eq!(update.path, format!("/api/v2/webhooks/{ID}"));
    assert_eq!(
        update.headers["content-type"], "application/merge-patch+json",
        "{patch}"
    );
    let body = update.json().unwrap();
    // Removals come first, so that a vendor that compares names in any letter case and
    // applies members in order removes an old spelling before it sets the new one.
    if let Some(Value::Object(headers)) = body["webhook"].get("custom_headers") {
        let first_set = headers.values().position(|v| !v.is_null());
        let last_null = headers.values().rposition(Value::is_null);
        if let (Some(set), Some(null)) = (first_set, last_null) {
            assert!(null < set, "{patch}: {body}");
        }
    }
    body
}

#[tokio::test]
async fn a_vendor_of_merge_patches_is_sent_what_changes_and_a_null_for_what_goes() {
    let stored = json!({"X-Env": "a", "X-Other": "o"});
    let cases = [
        // Nested nulls and additions, under the names the vendor holds.
        (
            json!({"headers": {"X-Env": null, "X-New": "1"}}),
            json!({"custom_headers": {"X-Env": null, "X-New": "1"}}),
        ),
        (
            json!({"headers": {"x-env": null}}),
            json!({"custom_headers": {"X-Env": null}}),
        ),
        (
            json!({"headers": {"X-OTHER": null, "x-new": "2"}}),
            json!({"custom_headers": {"X-Other": null, "x-new": "2"}}),
        ),
        // A replacement in another letter case: the old spelling removed, the new one set.
        (
            json!({"headers": {"X-ENV": "b"}}),
            json!({"custom_headers": {"X-Env": null, "X-ENV": "b"}}),
        ),
        (
            json!({"headers": {"X-Env": "b"}}),
            json!({"custom_headers": {"X-Env": "b"}}),
        ),
        // The whole map cleared: each header it holds removed by name.
        (
            json!({"headers": null}),
            json!({"custom_headers": {"X-Env": null, "X-Other": null}}),
        ),
        // The whole map given in another mode's terms changes only what differs.
        (
            json!({"headers": {"X-Env": "a"}, "description": "d"}),
            json!({"name": "d"}),
        ),
    ];
    for (patch, sent) in cases {
        let body = merge_patch_sent(stored.clone(), patch.clone()).await;
        assert_eq!(body, json!({ "webhook": sent }), "{patch}");
    }
    // A map cleared where the vendor reported none: removed whole, not merged as `{}`.
    let body = merge_patch_sent(Value::Null, json!({"headers": null})).await;
    assert_eq!(body, json!({"webhook": {"custom_headers": null}}));
}

#[tokio::test]
async fn the_emulator_of_a_vendor_of_merge_patches_merges_its_clients_patch() {
    let dir = mappings();
    let gw = gateway(&emulating(&dir, &["mend", "mends"], "")).await;
    for dialect in ["mend", "mends"] {
        let emulator = gw.emulators[dialect];
        let made = send(
            emulator,
            "POST",
            "/api/v2/webhooks",
            &[BEARER],
            Some(&json!({"webhook": {
                "endpoint": "https://example.com/a",
                "subscriptions": ["ticket_events"],
                "custom_headers": {"X-A": "1", "X-B": "2", "x-c": "3"}
            }})),
        )
        .await;
        ok(&made, 201, dialect);
        let id = made.json()["webhook"]["id"].as_str().unwrap().to_owned();
        let one = format!("/api/v2/webhooks/{id}");
        let cases = [
            (
                json!({"custom_headers": {"X-A": null}}),
                json!({"X-B": "2", "x-c": "3"}),
            ),
            (
                json!({"custom_headers": {"X-C": "4", "X-D": "5"}}),
                json!({"X-B": "2", "X-C": "4", "X-D": "5"}),
            ),
            (
                json!({"custom_headers": {"x-b": null}, "name": "n"}),
                json!({"X-C": "4", "X-D": "5"}),
            ),
            (json!({"custom_headers": null}), Value::Null),
        ];
        for (patch, left) in cases {
            let answer = send(
                emulator,
                "PATCH",
                &one,
                &[BEARER, MERGE],
                Some(&json!({ "webhook": patch })),
            )
            .await;
            ok(&answer, 204, &format!("{dialect}: {patch}"));
            let read = send(emulator, "GET", &one, &[BEARER], None).await;
            let webhook = &read.json()["webhook"];
            assert_eq!(
                webhook.get("custom_headers").unwrap_or(&Value::Null),
                &left,
                "{dialect}: {patch}"
            );
            assert_eq!(webhook["endpoint"], "https://example.com/a", "{dialect}");
        }
    }
    gw.stop().await;
}

/// The headers of the one hook a Relay emulator holds under `p1`, as name → value.
async fn relay_headers(emulator: SocketAddr) -> Value {
    let hooks = support::relay_hooks(emulator, "p1").await;
    let pairs = hooks[0]["target"]["headers"].as_array().cloned();
    Value::Object(
        pairs
            .unwrap_or_default()
            .iter()
            .map(|p| {
                let name = p["name"].as_str().unwrap().to_owned();
                (name, p["value"].clone())
            })
            .collect(),
    )
}

#[tokio::test]
async fn a_surface_of_merge_patches_removes_only_what_its_client_names() {
    let dir = mappings();
    let surfaces = "[surfaces.mend]\ndialect = \"mend\"\nupstream = \"relay\"\nprefix = \"/mend\"\n\
         owner = \"p1\"\n[surfaces.mends]\ndialect = \"mends\"\nupstream = \"relay\"\n\
         prefix = \"/mends\"\nowner = \"p1\"\n";
    for surface in ["mend", "mends"] {
        let gw = gateway(&emulating(&dir, &["relay"], surfaces)).await;
        let emulator = gw.emulators["relay"];
        let base = format!("/{surface}/api/v2/webhooks");
        let made = send(
            gw.addr,
            "POST",
            &base,
            &[BEARER],
            Some(&json!({"webhook": {
                "endpoint": "https://example.com/a",
                "subscriptions": ["push"],
                "custom_headers": {"X-A": "1", "X-B": "2", "X-C": "3"}
            }})),
        )
        .await;
        ok(&made, 201, surface);
        let id = made.json()["webhook"]["id"].as_str().unwrap().to_owned();
        let one = format!("{base}/{id}");
        let cases = [
            (
                json!({"custom_headers": {"X-A": null}}),
                json!({"X-B": "2", "X-C": "3"}),
            ),
            (
                json!({"custom_headers": {"x-b": null, "x-c": "4", "X-D": "5"}}),
                json!({"x-c": "4", "X-D": "5"}),
            ),
            (
                json!({"name": "n", "custom_headers": {"X-C": "6"}}),
                json!({"X-C": "6", "X-D": "5"}),
            ),
            (json!({"custom_headers": null}), json!({})),
        ];
        for (patch, left) in cases {
            let answer = send(
                gw.addr,
                "PATCH",
                &one,
                &[BEARER, MERGE],
                Some(&json!({ "webhook": patch })),
            )
            .await;
            ok(&answer, 204, &format!("{surface}: {patch}"));
            assert_eq!(relay_headers(emulator).await, left, "{surface}: {patch}");
        }
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_surface_of_merge_patches_merges_into_a_vendor_that_merges_in_any_case() {
    let dir = mappings();
    let gw = gateway(&emulating(
        &dir,
        &["chirp"],
        "[surfaces.mend]\ndialect = \"mend\"\nupstream = \"chirp\"\nprefix = \"/mend\"\n\
         owner = \"app1\"\n",
    ))
    .await;
    let made = send(
        gw.addr,
        "POST",
        "/mend/api/v2/webhooks",
        &[BEARER],
        Some(&json!({"webhook": {
            "endpoint": "https://example.com/a",
            "subscriptions": ["MESSAGE_CREATED"],
            "custom_headers": {"X-Env": "a", "X-Other": "o"}
        }})),
    )
    .await;
    ok(&made, 201, "create");
    let id = made.json()["webhook"]["id"].as_str().unwrap().to_owned();
    let one = format!("/mend/api/v2/webhooks/{id}");
    let canonical = format!("/v1/upstreams/chirp/owners/app1/webhooks/{id}");
    for (patch, left) in [
        (
            json!({"custom_headers": {"X-OTHER": null}}),
            json!({"X-Env": "a"}),
        ),
        (
            json!({"custom_headers": {"x-env": "b", "X-New": "1"}}),
            json!({"x-env": "b", "X-New": "1"}),
        ),
    ] {
        let answer = send(
            gw.addr,
            "PATCH",
            &one,
            &[BEARER, MERGE],
            Some(&json!({ "webhook": patch })),
        )
        .await;
        ok(&answer, 204, &format!("{patch}"));
        let read = send(gw.addr, "GET", &canonical, &[], None).await;
        assert_eq!(read.json()["headers"], left, "{patch}");
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_merge_patch_is_said_by_its_media_type_or_its_strategy_and_never_contradicted() {
    let with = |from: &str, to: &str| {
        let text = MEND.replacen(from, to, 1);
        assert_ne!(text, MEND, "{from}");
        text
    };
    let update = "content_type = \"application/merge-patch+json\"\n";
    for strategy in ["merge", "read_merge_write", "json_patch"] {
        let text = with(update, &format!("{update}strategy = \"{strategy}\"\n"));
        let errors = support::refused_mapping("mend", &text);
        assert!(
            errors
                .iter()
                .any(|e| e.contains("operations.update.strategy")
                    && e.contains("RFC 7396 merge patch")),
            "{strategy}: {errors:?}"
        );
    }
    // Said by the strategy alone, of a vendor that takes its merge patches as JSON.
    let named = with(update, "strategy = \"merge_patch\"\n");
    let d = hookgate::mapping::compile::compile("mend", std::path::Path::new("mend.toml"), &named)
        .unwrap_or_else(|e| panic!("{e:?}"));
    let own = d.operation(hookgate::model::Action::Update).unwrap();
    assert_eq!(own.strategy, hookgate::mapping::model::Strategy::MergePatch);
    // Only an update merges.
    let on_create = with(
        "status = 201\n",
        "status = 201\nstrategy = \"merge_patch\"\n",
    );
    let errors = support::refused_mapping("mend", &on_create);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("operations.create.strategy") && e.contains("`update` only")),
        "{errors:?}"
    );
}

#[tokio::test]
async fn headers_given_whole_through_another_surface_leave_a_vendor_of_merge_patches_so() {
    let dir = mappings();
    let gw = gateway(&emulating(
        &dir,
        &["mend"],
        "[surfaces.chirp]\ndialect = \"chirp\"\nupstream = \"mend\"\nprefix = \"/chirp\"\n\
         owner = \"app1\"\n",
    ))
    .await;
    let base = "/chirp/v1/organization/apps/app1/webhooks";
    let made = send(
        gw.addr,
        "POST",
        base,
        &[BEARER],
        Some(&json!({
            "url": "https://example.com/a",
            "events": ["MESSAGE_CREATED"],
            "headers": {"X-Env": "a", "X-Other": "o"}
        })),
    )
    .await;
    ok(&made, 201, "create");
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let canonical = format!("/v1/upstreams/mend/webhooks/{id}");
    // Chirp's PUT names the members it changes, each whole: the headers it gives are all the
    // webhook keeps, though the vendor behind merges what it is sent.
    for (headers, left) in [
        (json!({"X-New": "1"}), json!({"X-New": "1"})),
        (
            json!({"x-new": "2", "X-B": "b"}),
            json!({"x-new": "2", "X-B": "b"}),
        ),
        (json!({"X-B": "c", "X-Gone": null}), json!({"X-B": "c"})),
        (json!({}), Value::Null),
    ] {
        let answer = send(
            gw.addr,
            "PUT",
            &format!("{base}/{id}"),
            &[BEARER],
            Some(&json!({ "headers": headers })),
        )
        .await;
        ok(&answer, 200, &format!("{headers}"));
        let read = send(gw.addr, "GET", &canonical, &[], None).await;
        let kept = read.json()["headers"].clone();
        let kept = if kept == json!({}) { Value::Null } else { kept };
        assert_eq!(kept, left, "{headers}");
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_vendor_that_patches_its_headers_is_sent_them_as_it_holds_them() {
    let dir = mappings();
    let endpoint = json!({
        "id": "ep_1", "uid": "u", "url": "https://example.com/webhook/", "description": "d",
        "disabled": false, "eventTypes": ["user.signup"], "channels": null,
        "throttleRate": null, "metadata": {},
        "createdAt": "2019-08-24T14:15:22Z", "updatedAt": "2019-08-24T14:15:22Z"
    });
    let stored = json!({"headers": {"x-env": "a", "X-Other": "o"}, "sensitive": []});
    let cases = [
        (json!({"X-OTHER": null}), json!({"X-Other": null})),
        (
            json!({"X-Env": "b", "x-other": null}),
            json!({"x-env": null, "X-Other": null, "X-Env": "b"}),
        ),
        (json!({"x-env": "c"}), json!({"x-env": "c"})),
        (json!({"X-New": "1"}), json!({"X-New": "1"})),
    ];
    for (patch, sent) in cases {
        let vendor = Double::start(vec![
            Reply::json(200, stored.clone()),
            Reply::Raw {
                status: 204,
                headers: Vec::new(),
                body: String::new(),
            },
            Reply::json(200, endpoint.clone()),
        ])
        .await;
        let gw = gateway_over(dir.path().to_str().unwrap(), "svix", &vendor).await;
        let one = "/v1/upstreams/svix/owners/app_1/webhooks/ep_1";
        let answer = send(
            gw.addr,
            "PATCH",
            one,
            &[],
            Some(&json!({ "headers": patch })),
        )
        .await;
        ok(&answer, 200, &format!("{patch}"));
        gw.stop().await;
        let seen = vendor.seen();
        let update = seen.iter().find(|s| s.method == "PATCH").unwrap();
        assert_eq!(update.path, "/api/v1/app/app_1/endpoint/ep_1/headers");
        assert_eq!(update.json(), Some(json!({ "headers": sent })), "{patch}");
    }
}

/// Mend with a map of its own, `metadata`, whose values are strings, its update as `update`
/// says (a `strategy`, or the merge patch its media type says).
fn mend_with_metadata(update: &str) -> String {
    let text = MEND
        .replacen(
            "[fields.headers]\n",
            "[fields.\"extensions.metadata\"]\npath = \"$.metadata\"\ntype = \"object\"\n\
             values = \"string\"\n\n[fields.headers]\n",
            1,
        )
        .replacen(
            "content_type = \"application/merge-patch+json\"\n",
            update,
            1,
        );
    assert!(text.contains("extensions.metadata") && text.contains(update));
    text
}

/// What a merge-patch vendor holding `metadata` is sent for the canonical `patch`, or the
/// gateway's refusal: its reads answer the webhook, its update 204, however many are made.
async fn metadata_patch_sent(patch: &Value) -> Result<Value, Value> {
    let dir = tempfile::tempdir().unwrap();
    let text = mend_with_metadata("content_type = \"application/merge-patch+json\"\n");
    std::fs::write(dir.path().join("mend.toml"), text).unwrap();
    let mut webhook = mend_webhook(Value::Null);
    webhook["webhook"]["metadata"] = json!({"team": "t", "env": "e"});
    let vendor = Double::answering(move |seen| match seen.method.as_str() {
        "GET" => Reply::json(200, webhook.clone()),
        _ => Reply::json(204, Value::Null),
    })
    .await;
    let gw = gateway_over(dir.path().to_str().unwrap(), "mend", &vendor).await;
    let answer = send(
        gw.addr,
        "PATCH",
        &format!("/v1/upstreams/mend/webhooks/{ID}"),
        &[],
        Some(patch),
    )
    .await;
    gw.stop().await;
    if answer.status != 200 {
        assert!(vendor.seen().iter().all(|s| s.method == "GET"), "{patch}");
        return Err(answer.json());
    }
    let seen = vendor.seen();
    let update = seen.iter().find(|s| s.method == "PATCH");
    Ok(update
        .unwrap_or_else(|| panic!("{patch}: no update sent"))
        .json()
        .unwrap())
}

#[tokio::test]
async fn a_merge_patch_that_removes_a_maps_entries_passes_its_values_check() {
    // A `null` in the map removes that entry alone: no value, of any type, is sent.
    for (patch, sent) in [
        (json!({"team": null}), json!({"metadata": {"team": null}})),
        (
            json!({"team": null, "owner": "o"}),
            json!({"metadata": {"team": null, "owner": "o"}}),
        ),
        (
            json!({"team": null, "env": null}),
            json!({"metadata": {"team": null, "env": null}}),
        ),
        // The whole map cleared: the patch's `null` removes the member, as the vendor can.
        (Value::Null, json!({"metadata": null})),
    ] {
        let change = json!({"extensions": {"metadata": patch}});
        let body = metadata_patch_sent(&change)
            .await
            .unwrap_or_else(|e| panic!("{change}: {e}"));
        assert_eq!(body, json!({ "webhook": sent }), "{change}");
    }
    // A value of the wrong type beside a removal is still refused, before any change.
    for patch in [
        json!({"team": null, "env": 1}),
        json!({"env": true}),
        json!("x"),
    ] {
        let change = json!({"extensions": {"metadata": patch}});
        let refused = metadata_patch_sent(&change)
            .await
            .expect_err("a wrong value");
        let message = &refused["errors"][0]["message"];
        assert_eq!(
            refused["errors"][0]["field"], "extensions.metadata",
            "{refused}"
        );
        assert!(
            message == "each value must be a string" || message == "must be an object",
            "{change}: {refused}"
        );
    }
}

#[tokio::test]
async fn a_map_cleared_whole_where_the_vendor_cannot_clear_it_says_so() {
    let dir = tempfile::tempdir().unwrap();
    for (name, update) in [
        ("merging", "strategy = \"merge\"\n"),
        ("replacing", "strategy = \"read_merge_write\"\n"),
    ] {
        std::fs::write(
            dir.path().join(format!("{name}.toml")),
            mend_with_metadata(update),
        )
        .unwrap();
    }
    let mut toml = format!("mappings_dir = {:?}\n", dir.path());
    for d in ["merging", "replacing"] {
        toml += &format!("[upstreams.{d}]\ndialect = \"{d}\"\nemulate = true\n");
    }
    let gw = gateway(&toml).await;
    for d in ["merging", "replacing"] {
        let base = format!("/v1/upstreams/{d}/webhooks");
        let create = json!({"url": "https://example.com/a", "events": ["ticket_events"],
                            "extensions": {"metadata": {"team": "t", "env": "e"}}});
        let made = send(gw.addr, "POST", &base, &[], Some(&create)).await;
        ok(&made, 201, d);
        let one = format!("{base}/{}", made.json()["id"].as_str().unwrap());
        // Whole: a `null` is not merged but sent, and the vendor takes no `null` for a map.
        let cleared = json!({"extensions": {"metadata": null}});
        let refused = send(gw.addr, "PATCH", &one, &[], Some(&cleared)).await;
        ok(&refused, 422, d);
        assert_eq!(
            refused.json()["errors"],
            json!([{"field": "extensions.metadata", "message": "cannot be cleared"}]),
            "{d}"
        );
        // Its own client is told so in the vendor's shape.
        let id = made.json()["id"].as_str().unwrap().to_owned();
        let at_vendor = send(
            gw.emulators[d],
            "PATCH",
            &format!("/api/v2/webhooks/{id}"),
            &[BEARER],
            Some(&json!({"webhook": {"metadata": null}})),
        )
        .await;
        ok(&at_vendor, 422, d);
        assert_eq!(
            at_vendor.json()["error"],
            "metadata: cannot be cleared",
            "{d}"
        );
        // An entry removed is merged here, and the map sent whole.
        let answer = patched(
            gw.addr,
            &one,
            json!({"extensions": {"metadata": {"team": null}}}),
        )
        .await;
        assert_eq!(answer["extensions"]["metadata"], json!({"env": "e"}), "{d}");
    }
    gw.stop().await;
}
