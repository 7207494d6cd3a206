//! Vendor values kept whole, over loopback: a test-local dialect whose webhooks carry their
//! custom headers as a list of `{key, value}` items and their id and owner deep inside a
//! member of the vendor's own (`sys.id`, `sys.space.sys.id`), in front of a scripted vendor,
//! and surfaces and emulators of it.
//!
//! - A client's header item holding a member beside the name and value (`secret`) is refused
//!   by name, never sent on without it.
//! - A vendor's header item holding one is no map of headers: the list is kept as the vendor
//!   wrote it, under `extensions`, and goes back as it came.
//! - A merge into such a value is refused (or, lenient, left out); a value or a clear given to
//!   the field replaces it.
//! - A whole replacement leaves out a member holding only answers' places whole, never cut.

mod support;

use serde_json::{Value, json};
use support::{Answer, Double, Reply, gateway, journal, ok, send};

const LENIENT: (&str, &str) = ("prefer", "handling=lenient");
const BEARER: (&str, &str) = ("authorization", "Bearer t");
const WEBHOOK: &str = "/v1/upstreams/defs/owners/space1/webhooks/wh1";

/// A dialect spelt as webhook definitions: `update` is the operation given (its method and
/// strategy), and `url_path` where the URL lies.
fn dialect(update: &str, url_path: &str) -> String {
    format!(
        r#"
[dialect]
base_path = ""
owner = "space_id"
owner_format = "token"

[fields.id]
path = "$.sys.id"
in = ["response"]

[fields.owner]
path = "$.sys.space.sys.id"
in = ["response"]

[fields.description]
path = "$.name"

[fields.url]
path = "{url_path}"
required = true

[fields.events]
path = "$.topics"

[fields.headers]
path = "$.headers"
codec = {{ pairs = {{ key = "key", value = "value" }} }}

[operations.get]
method = "GET"
path = "/spaces/{{owner}}/webhook_definitions/{{id}}"
response = "{{{{webhook}}}}"

[operations.create]
method = "POST"
path = "/spaces/{{owner}}/webhook_definitions"
body = "{{{{webhook}}}}"
status = 201
response = "{{{{webhook}}}}"

{update}
path = "/spaces/{{owner}}/webhook_definitions/{{id}}"
body = "{{{{webhook}}}}"
response = "{{{{webhook}}}}"

[errors]
message = ["$.message"]

[errors.render.validation_failed]
status = 422
body = {{ message = "{{{{message}}}}", errors = "{{{{errors}}}}" }}

[errors.render.default]
body = {{ message = "{{{{message}}}}" }}
"#
    )
}

/// The updates a vendor may take: a PUT of what changed, read and merged; a PATCH of what
/// changed; a PUT of the whole webhook.
const UPDATES: [&str; 3] = [
    "[operations.update]\nmethod = \"PUT\"\nstrategy = \"read_merge_write\"",
    "[operations.update]\nmethod = \"PATCH\"",
    "[operations.replace]\nmethod = \"PUT\"",
];

/// A folder holding dialect `defs` as given, and a copy of the test dialect Relay.
fn mappings(defs: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("defs.toml"), defs).unwrap();
    let relay = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects/relay.toml");
    std::fs::copy(relay, dir.path().join("relay.toml")).unwrap();
    dir
}

/// The gateway with `defs` in front of `double`, and emulated too (`defs_emulated`), with a
/// `defs` surface in front of an emulated Relay.
async fn start(dir: &tempfile::TempDir, double: &Double) -> hookgate::app::Running {
    gateway(&format!(
        "mappings_dir = {:?}\n\
         [upstreams.defs]\ndialect = \"defs\"\nbase_url = {:?}\nauth = {{ type = \"none\" }}\n\
         [upstreams.defs_emulated]\ndialect = \"defs\"\nemulate = true\n\
         [upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [surfaces.defs]\ndialect = \"defs\"\nupstream = \"relay\"\nprefix = \"/defs\"\n\
         [url_policy]\nallow_private = true\n",
        dir.path().to_str().unwrap(),
        double.url()
    ))
    .await
}

/// A definition as the vendor answers it, with the header items given.
fn definition(headers: Value) -> Value {
    json!({
        "sys": {"id": "wh1", "type": "WebhookDefinition", "version": 3,
                "space": {"sys": {"type": "Link", "linkType": "Space", "id": "space1"}}},
        "name": "hook", "url": "https://example.com/h", "topics": ["Entry.publish"],
        "filters": [{"equals": [{"doc": "sys.environment.sys.id"}, "master"]}],
        "headers": headers
    })
}

/// Vendor header lists that are no map of names to values: an item holding a member beside
/// its name and value, anywhere in the list, or one without its value.
fn unreadable_lists() -> Vec<Value> {
    vec![
        json!([{"key": "X-Api-Key", "value": "SUPERSECRETHDR", "secret": true}]),
        json!([{"key": "X-Pub", "value": "p"}, {"key": "X-Sec", "secret": true}]),
        json!([{"key": "X-Pub", "value": "p"}, {"key": "X-Sec", "value": "s", "secret": false}]),
        json!([{"key": "X-Pub", "value": "p", "note": "kept"}]),
    ]
}

fn text(a: &Answer) -> String {
    String::from_utf8_lossy(&a.body).into_owned()
}

#[tokio::test]
async fn a_clients_header_item_with_more_than_a_name_and_value_is_refused_by_name() {
    let dir = mappings(&dialect(UPDATES[0], "$.url"));
    let double = Double::start(vec![]).await;
    let gw = start(&dir, &double).await;
    let emulated = gw.emulators["defs_emulated"];
    let relay = gw.emulators["relay"];
    for (headers, named) in [
        (
            json!([{"key": "X-Api-Key", "value": "SUPERSECRETHDR", "secret": true}]),
            "headers[0].secret",
        ),
        (
            json!([{"key": "X-A", "value": "1"}, {"key": "X-B", "value": "2", "secret": false}]),
            "headers[1].secret",
        ),
        (
            json!([{"key": "X-A", "value": "1", "description": "who reads it"}]),
            "headers[0].description",
        ),
    ] {
        let body = json!({"name": "hook", "url": "https://example.com/h",
            "topics": ["a"], "headers": headers});
        for (addr, path) in [
            (emulated, "/spaces/space1/webhook_definitions"),
            (gw.addr, "/defs/spaces/space1/webhook_definitions"),
        ] {
            let made = send(addr, "POST", path, &[BEARER], Some(&body)).await;
            ok(&made, 422, path);
            assert!(text(&made).contains(named), "{path}: {}", text(&made));
            assert!(!text(&made).contains("SUPERSECRETHDR"), "{}", text(&made));
        }
    }
    // Nothing reached the upstream behind the surface, nor the vendor.
    assert_eq!(journal(relay).await, Vec::<Value>::new());
    assert!(double.seen().is_empty());
    // Relay's own items are `{name, value}`, inside `target`: the same, at its emulator.
    let hook = json!({"hook": {"target": {"url": "https://example.com/h",
        "headers": [{"name": "X-A", "value": "1", "secret": true}]}, "topics": ["a"]}});
    let made = send(
        relay,
        "POST",
        "/api/projects/p1/hooks",
        &[BEARER],
        Some(&hook),
    )
    .await;
    ok(&made, 400, "relay");
    assert!(
        text(&made).contains("target.headers[0].secret"),
        "{}",
        text(&made)
    );
}

#[tokio::test]
async fn a_vendors_header_item_with_more_than_a_name_and_value_is_kept_and_sent_back_whole() {
    for update in UPDATES {
        let dir = mappings(&dialect(update, "$.url"));
        for headers in unreadable_lists() {
            let answered = definition(headers.clone());
            let mut renamed = answered.clone();
            renamed["name"] = json!("renamed");
            let double = Double::start(vec![
                Reply::json(200, answered.clone()),
                Reply::json(200, answered.clone()),
                Reply::json(200, renamed),
            ])
            .await;
            let gw = start(&dir, &double).await;
            let read = send(gw.addr, "GET", WEBHOOK, &[], None).await;
            ok(&read, 200, update);
            let read = read.json();
            assert_eq!(read.get("headers"), None, "{update}: {read}");
            assert_eq!(read["extensions"]["headers"], headers, "{update}: {read}");

            let patch = json!({"description": "renamed"});
            let changed = send(gw.addr, "PATCH", WEBHOOK, &[], Some(&patch)).await;
            ok(&changed, 200, update);
            let seen = double.seen();
            let sent = seen.last().unwrap().json().unwrap();
            assert_eq!(sent["name"], "renamed", "{update}: {sent}");
            // The change does not name `headers`: where the vendor is sent them, they go as
            // they came, never as the two members a map would keep.
            if sent.get("headers").is_some() || update.contains("replace") {
                assert_eq!(sent["headers"], headers, "{update}: {sent}");
            }
        }
    }
}

#[tokio::test]
async fn a_merge_into_headers_the_vendor_wrote_unreadably_is_refused_and_a_value_replaces_them() {
    let held = json!([{"key": "X-Pub", "value": "p"}, {"key": "X-Sec", "secret": true}]);
    for update in UPDATES {
        let dir = mappings(&dialect(update, "$.url"));
        // A merge, strict and lenient, with and without another member beside it.
        for (patch, lenient) in [
            (json!({"headers": {"X-New": "n"}}), false),
            (json!({"headers": {"X-Pub": null}}), false),
            (json!({"headers": {"X-New": "n"}}), true),
            (json!({"headers": {"X-New": "n"}, "description": "d"}), true),
        ] {
            let answered = definition(held.clone());
            let double = Double::start(vec![
                Reply::json(200, answered.clone()),
                Reply::json(200, answered.clone()),
            ])
            .await;
            let gw = start(&dir, &double).await;
            let headers: &[(&str, &str)] = if lenient { &[LENIENT] } else { &[] };
            let a = send(gw.addr, "PATCH", WEBHOOK, headers, Some(&patch)).await;
            let what = format!("{update} {patch} lenient={lenient}");
            let sent: Vec<Value> = (double.seen().iter())
                .filter(|s| s.method != "GET")
                .filter_map(|s| s.json())
                .collect();
            if !lenient {
                ok(&a, 422, &what);
                let problem = a.json();
                assert_eq!(
                    problem["errors"][0]["field"], "headers",
                    "{what}: {problem}"
                );
                assert!(
                    text(&a).contains("extensions.headers") && text(&a).contains("lenient"),
                    "{what}: {problem}"
                );
                assert!(sent.is_empty(), "{what}: {sent:?}");
                continue;
            }
            ok(&a, 200, &what);
            assert_eq!(
                a.header("hookgate-dropped-fields"),
                Some("headers"),
                "{what}"
            );
            // Whatever is sent holds the headers as the vendor has them, or none of them.
            for body in &sent {
                if let Some(h) = body.get("headers") {
                    assert_eq!(*h, held, "{what}: {body}");
                }
            }
            if patch.get("description").is_none() {
                assert!(sent.is_empty(), "{what}: {sent:?}");
            }
        }
        // A value given, or a clear, replaces what the vendor holds, alone.
        for (patch, expected) in [
            (json!({"headers": null}), json!([])),
            (json!({"headers": null, "description": "d"}), json!([])),
        ] {
            let answered = definition(held.clone());
            let double = Double::start(vec![
                Reply::json(200, answered.clone()),
                Reply::json(200, answered.clone()),
            ])
            .await;
            let gw = start(&dir, &double).await;
            let a = send(gw.addr, "PATCH", WEBHOOK, &[], Some(&patch)).await;
            ok(&a, 200, &format!("{update} {patch}"));
            let seen = double.seen();
            let sent = seen.iter().rev().find(|s| s.method != "GET").unwrap();
            let sent = sent.json().unwrap();
            assert_eq!(sent["headers"], expected, "{update} {patch}: {sent}");
        }
    }
}

#[tokio::test]
async fn a_whole_replacement_leaves_out_a_member_that_holds_only_answers_places() {
    for update in [UPDATES[0], UPDATES[2]] {
        // Nothing requests write lies in `sys`: it is left out whole. The URL written inside
        // it: `sys` goes back, its `space` (the owner's alone) left out, its `id` cut.
        for (url_path, expected_sys) in [
            ("$.url", None),
            (
                "$.sys.url",
                Some(json!({"type": "WebhookDefinition", "version": 3,
                    "url": "https://example.com/new"})),
            ),
        ] {
            let dir = mappings(&dialect(update, url_path));
            let mut answered = definition(json!([{"key": "X-A", "value": "1"}]));
            if url_path == "$.sys.url" {
                let url = answered.as_object_mut().unwrap().remove("url").unwrap();
                answered["sys"]["url"] = url;
            }
            let double = Double::start(vec![
                Reply::json(200, answered.clone()),
                Reply::json(200, answered.clone()),
            ])
            .await;
            let gw = start(&dir, &double).await;
            let patch = json!({"description": "renamed", "url": "https://example.com/new"});
            let a = send(gw.addr, "PATCH", WEBHOOK, &[], Some(&patch)).await;
            ok(&a, 200, update);
            let seen = double.seen();
            let sent = seen.iter().find(|s| s.method == "PUT").unwrap();
            let sent = sent.json().unwrap();
            assert_eq!(sent.get("sys"), expected_sys.as_ref(), "{update}: {sent}");
            if update.contains("replace") {
                // Members beside it go back as they came.
                assert_eq!(sent["filters"], answered["filters"], "{update}: {sent}");
            }
        }
    }
}

#[tokio::test]
async fn a_change_that_would_reset_a_write_only_member_says_how_to_make_it_anyway() {
    let secret = "\n[fields.secret]\npath = \"$.secret\"\nin = [\"request\"]\n";
    let dir = mappings(&(dialect(UPDATES[2], "$.url") + secret));
    let answered = definition(json!([]));
    let double = Double::start(vec![
        Reply::json(200, answered.clone()),
        Reply::json(200, answered.clone()),
    ])
    .await;
    let gw = start(&dir, &double).await;
    for patch in [
        json!({"description": "d"}),
        json!({"url": "https://example.com/new"}),
        json!({"events": ["a"], "headers": {"X-A": "1"}}),
    ] {
        let a = send(gw.addr, "PATCH", WEBHOOK, &[], Some(&patch)).await;
        ok(&a, 422, &patch.to_string());
        let problem = a.json();
        assert_eq!(problem["errors"][0]["field"], "secret", "{problem}");
        let said = problem["errors"][0]["message"].as_str().unwrap();
        assert!(
            said.contains("would be reset") && said.contains("Prefer: handling=lenient"),
            "{said}"
        );
    }
    // Clearing it is no way out: the upstream cannot clear it.
    let cleared = json!({"description": "d", "secret": null});
    let a = send(gw.addr, "PATCH", WEBHOOK, &[], Some(&cleared)).await;
    ok(&a, 422, "cleared");
    assert!(text(&a).contains("cannot be cleared"), "{}", text(&a));
    assert!(double.seen().is_empty());
    // The way the message says.
    let patch = json!({"description": "d"});
    let a = send(gw.addr, "PATCH", WEBHOOK, &[LENIENT], Some(&patch)).await;
    ok(&a, 200, "lenient");
    assert_eq!(a.header("hookgate-dropped-fields"), Some("secret"));
}
