//! A create answered `201 Created` with no body (or one without the id), the new webhook named
//! in an answer header alone (`Resource-ID: 123`, `Location: https://…/v2/webhooks/123`, a
//! path-only `Location`), as an operation's `response_headers` declare: the gateway reads the
//! id there, through the `id` rule's codec, and reads the webhook back; a body and a header
//! that name two webhooks are refused as a change made; a header missing or of another form
//! keeps the create's 502 that says the change may have been made, naming why. The dialect's
//! surfaces (in front of another vendor, or relaying to its own) and emulators answer a create
//! with the headers as the vendor writes them, and `check` refuses a template that names no
//! webhook.
//!
//! The fixture is `inbox`, inline: a vendor whose create answers 201 with no body and the id
//! in two headers, over a vendor double on 127.0.0.1.

mod support;

use serde_json::{Value, json};
use support::{Double, Reply, Seen, ok, send};

/// The vendor's webhook 123 as its read answers it.
fn webhook() -> Value {
    json!({"id": 123, "url": "https://example.com/h", "events": ["convo.created"], "label": "Support"})
}

/// `inbox.toml`, its create answered as `create` says (keys of `[operations.create]` after
/// its method, path, body and status), its id read by `id` (keys of `[fields.id]` after its
/// path).
fn inbox(create: &str, id: &str) -> String {
    format!(
        r#"[dialect]
title = "Inbox webhooks"
base_path = "/v2"

[emulator]
id = "integer"

[fields.id]
path = "$.id"
in = ["response"]
{id}

[fields.url]
path = "$.url"
required = true

[fields.events]
path = "$.events"
required = true
min_items = 1

[fields.description]
path = "$.label"

[operations.create]
method = "POST"
path = "/webhooks"
body = "{{{{webhook}}}}"
status = 201
{create}

[operations.get]
method = "GET"
path = "/webhooks/{{id}}"
response = "{{{{webhook}}}}"

[operations.delete]
method = "DELETE"
path = "/webhooks/{{id}}"
status = 204

[errors]
message = ["$.message"]

[errors.render.default]
body = {{ message = "{{{{message}}}}" }}
"#
    )
}

/// Integer ids, read as their decimal text.
const INTEGERS: &str = "codec = \"int_string\"";

/// Both headers, the webhook read after the create.
const BOTH: &str = "response_headers = { Resource-ID = \"{{id}}\", Location = { path = \"/v2/webhooks/{{id}}\", absolute = true } }\nthen = [\"get\"]";

/// A folder holding `inbox.toml` of `create` and `id`.
fn mappings(create: &str, id: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("inbox.toml"), inbox(create, id)).unwrap();
    dir
}

/// A vendor double answering a create 201 with `headers` and `body` (none where empty), and
/// a read of webhook 123 with [`webhook`] (read as `read` says, where given).
async fn vendor(headers: &[(&str, &str)], body: &str, read: Option<Value>) -> Double {
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    let body = body.to_owned();
    let read = read.unwrap_or_else(webhook);
    Double::answering(
        move |seen| match (seen.method.as_str(), seen.path.as_str()) {
            ("POST", "/v2/webhooks") => {
                let mut headers = headers.clone();
                if !body.is_empty() {
                    headers.push(("content-type".into(), "application/json".into()));
                }
                Reply::Raw {
                    status: 201,
                    headers,
                    body: body.clone(),
                }
            }
            ("GET", "/v2/webhooks/123") => Reply::json(200, read.clone()),
            _ => Reply::json(404, json!({"message": "no such webhook"})),
        },
    )
    .await
}

/// The calls the vendor received, as `METHOD path`.
fn calls(seen: &[Seen]) -> Vec<String> {
    seen.iter()
        .map(|s| format!("{} {}", s.method, s.path))
        .collect()
}

/// A canonical create of webhook `https://example.com/h` through a gateway over `double` with
/// the mapping files of `dir`.
async fn created(dir: &tempfile::TempDir, double: &Double) -> support::Answer {
    let gw = support::gateway_over(dir.path().to_str().unwrap(), "inbox", double).await;
    let body = json!({"url": "https://example.com/h", "events": ["convo.created"], "description": "Support"});
    let answer = send(
        gw.addr,
        "POST",
        "/v1/upstreams/inbox/webhooks",
        &[],
        Some(&body),
    )
    .await;
    gw.stop().await;
    answer
}

#[tokio::test]
async fn a_create_named_in_a_header_alone_is_the_webhook_of_that_id_read_back_whole() {
    let only = |name: &str, value: &str| vec![(name.to_owned(), value.to_owned())];
    // Each spelling a vendor names the new webhook with.
    let answers = [
        only("Resource-ID", "123"),
        only("Location", "https://api.example.net/v2/webhooks/123"),
        only("Location", "/v2/webhooks/123"),
        only(
            "location",
            "https://api.example.net:8443/v2/webhooks/123?expand=all",
        ),
    ];
    // A declared read after the create, and none: a header's id is read back all the same.
    let creates = [
        BOTH.to_owned(),
        BOTH.replace("\nthen = [\"get\"]", ""),
        "response_headers = { Location = \"/v2/webhooks/{{id}}\" }\nthen = [\"get\"]".to_owned(),
    ];
    for create in &creates {
        let dir = mappings(create, INTEGERS);
        for headers in &answers {
            let what = format!("{create} answered {headers:?}");
            if !create.contains("Resource-ID") && headers[0].0 == "Resource-ID" {
                continue; // a header the file does not declare names nothing
            }
            let sent: Vec<(&str, &str)> = headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            let double = vendor(&sent, "", None).await;
            let answer = created(&dir, &double).await;
            ok(&answer, 201, &what);
            let made = answer.json();
            assert_eq!(made["id"], "123", "{what}: {made}");
            assert_eq!(made["url"], "https://example.com/h", "{what}: {made}");
            assert_eq!(made["description"], "Support", "{what}: {made}");
            assert_eq!(
                calls(&double.seen()),
                ["POST /v2/webhooks", "GET /v2/webhooks/123"],
                "{what}"
            );
        }
    }
}

#[tokio::test]
async fn a_body_without_the_id_is_completed_by_the_header_and_the_read() {
    // The body holds part of the webhook, and no id: the header names it, the read completes it.
    let create = format!("response = \"{{{{webhook}}}}\"\n{BOTH}");
    let dir = mappings(&create, INTEGERS);
    let double = vendor(
        &[("Resource-ID", "123")],
        r#"{"url": "https://example.com/h"}"#,
        None,
    )
    .await;
    let answer = created(&dir, &double).await;
    ok(&answer, 201, "a body without the id");
    assert_eq!(answer.json()["id"], "123");
    assert_eq!(answer.json()["events"], json!(["convo.created"]));
    // A body that names the same webhook as the header is that webhook's.
    let double = vendor(&[("Resource-ID", "123")], &webhook().to_string(), None).await;
    let answer = created(&dir, &double).await;
    ok(&answer, 201, "a body and a header that agree");
    assert_eq!(answer.json()["id"], "123");
}

#[tokio::test]
async fn a_body_and_a_header_that_name_two_webhooks_are_refused_as_a_change_made() {
    let create = format!("response = \"{{{{webhook}}}}\"\n{BOTH}");
    let dir = mappings(&create, INTEGERS);
    let mut seven = webhook();
    seven["id"] = json!(7);
    for (headers, body, names) in [
        (vec![("Resource-ID", "8")], seven.to_string(), ["7", "8"]),
        (
            vec![("Resource-ID", "7"), ("Location", "/v2/webhooks/8")],
            String::new(),
            ["7", "8"],
        ),
    ] {
        let what = format!("{headers:?} beside {body}");
        let double = vendor(&headers, &body, None).await;
        let answer = created(&dir, &double).await;
        ok(&answer, 502, &what);
        let problem = answer.json();
        let detail = problem["detail"].as_str().unwrap();
        for id in names {
            assert!(
                detail.contains(&format!("webhook {id}")),
                "{what}: {detail}"
            );
        }
        assert!(detail.contains("the change was made"), "{what}: {detail}");
        assert!(!detail.contains("may have been made"), "{what}: {detail}");
        // Neither is told as the one made: which it is, is not known.
        assert!(problem.get("webhook").is_none(), "{what}: {problem}");
        assert_eq!(calls(&double.seen()), ["POST /v2/webhooks"], "{what}");
    }
}

#[tokio::test]
async fn a_header_missing_or_of_another_form_says_the_webhook_may_have_been_made() {
    let dir = mappings(BOTH, INTEGERS);
    for (headers, says) in [
        (
            vec![],
            vec!["`Resource-ID` is missing", "`Location` is missing"],
        ),
        (
            vec![("Location", "https://api.example.net/v3/hooks/123")],
            vec![
                "`Resource-ID` is missing",
                "`Location` is not of the form `/v2/webhooks/{{id}}`",
            ],
        ),
    ] {
        let what = format!("{headers:?}");
        let double = vendor(&headers, "", None).await;
        let answer = created(&dir, &double).await;
        ok(&answer, 502, &what);
        let problem = answer.json();
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("may have been made"), "{what}: {detail}");
        for said in says {
            assert!(detail.contains(said), "{what}: {detail}");
        }
        // The header's value is not guessed at, nor quoted.
        assert!(!detail.contains("/v3/hooks"), "{what}: {detail}");
        assert!(problem.get("webhook").is_none(), "{what}: {problem}");
        assert_eq!(calls(&double.seen()), ["POST /v2/webhooks"], "{what}");
    }
}

#[tokio::test]
async fn a_header_id_is_read_through_the_id_rules_codec() {
    // Ids written as the vendor's URIs: the whole `Location` is the id, its prefix taken off.
    let uris = "codec = { prefix = \"https://api.example.net/v2/webhooks/\" }";
    let create = "response_headers = { Location = \"{{id}}\" }\nthen = [\"get\"]";
    let dir = mappings(create, uris);
    let mut read = webhook();
    read["id"] = json!("https://api.example.net/v2/webhooks/123");
    let at = [("Location", "https://api.example.net/v2/webhooks/123")];
    let double = vendor(&at, "", Some(read.clone())).await;
    let answer = created(&dir, &double).await;
    ok(&answer, 201, "an id written as a URI");
    assert_eq!(answer.json()["id"], "123");
    assert_eq!(
        calls(&double.seen()),
        ["POST /v2/webhooks", "GET /v2/webhooks/123"]
    );
    // A URI of another host is no id of this vendor's.
    let elsewhere = [("Location", "https://other.example/v2/webhooks/123")];
    let double = vendor(&elsewhere, "", Some(read)).await;
    let answer = created(&dir, &double).await;
    ok(&answer, 502, "a URI of another host");
    let detail = answer.json()["detail"].as_str().unwrap().to_owned();
    assert!(detail.contains("does not read as an id"), "{detail}");
    assert!(detail.contains("may have been made"), "{detail}");
}

#[tokio::test]
async fn a_change_named_in_a_header_is_held_to_the_webhook_its_request_named() {
    // A full update answered 204, naming the webhook in a header: read back after it.
    let update = "[operations.update]\nmethod = \"PUT\"\npath = \"/webhooks/{id}\"\n\
                  body = \"{{webhook}}\"\nresponse_headers = { Location = \"/v2/webhooks/{{id}}\" }\n";
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{}\n{update}", inbox(BOTH, INTEGERS));
    std::fs::write(dir.path().join("inbox.toml"), text).unwrap();
    for (named, status) in [("/v2/webhooks/123", 200), ("/v2/webhooks/124", 502)] {
        let double = Double::answering(move |seen| match seen.method.as_str() {
            "PUT" => Reply::Raw {
                status: 204,
                headers: vec![("Location".into(), named.into())],
                body: String::new(),
            },
            _ => Reply::json(200, webhook()),
        })
        .await;
        let gw = support::gateway_over(dir.path().to_str().unwrap(), "inbox", &double).await;
        let change = json!({"description": "Support"});
        let answer = send(
            gw.addr,
            "PATCH",
            "/v1/upstreams/inbox/webhooks/123",
            &[],
            Some(&change),
        )
        .await;
        ok(&answer, status, named);
        if status == 200 {
            assert_eq!(answer.json()["id"], "123");
            let calls = calls(&double.seen());
            assert_eq!(calls.last().unwrap(), "GET /v2/webhooks/123", "{calls:?}");
        } else {
            let detail = answer.json()["detail"].as_str().unwrap().to_owned();
            assert!(detail.contains("webhook 124"), "{detail}");
            assert!(detail.contains("webhook 123"), "{detail}");
            assert!(detail.contains("the change was made"), "{detail}");
            assert_eq!(calls(&double.seen()), ["PUT /v2/webhooks/123"]);
        }
        gw.stop().await;
    }
}

#[tokio::test]
async fn an_owner_a_header_names_is_held_to_the_one_the_request_named() {
    // Webhooks under teams, the new one named with its team in the `Location`'s path.
    let create = "response_headers = { Location = \"/v2/teams/{{owner}}/webhooks/{{id}}\" }";
    let text = inbox(create, INTEGERS)
        .replacen(
            "base_path = \"/v2\"",
            "base_path = \"/v2\"\nowner = \"team\"",
            1,
        )
        .replace("path = \"/webhooks", "path = \"/teams/{owner}/webhooks");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("inbox.toml"), text).unwrap();
    for (team, status) in [("t1", 201), ("t2", 502)] {
        let location = format!("https://api.example.net/v2/teams/{team}/webhooks/123");
        let double = Double::answering(move |seen| match seen.method.as_str() {
            "POST" => Reply::Raw {
                status: 201,
                headers: vec![("Location".into(), location.clone())],
                body: String::new(),
            },
            _ => Reply::json(200, webhook()),
        })
        .await;
        let gw = support::gateway_over(dir.path().to_str().unwrap(), "inbox", &double).await;
        let body = json!({"url": "https://example.com/h", "events": ["convo.created"]});
        let answer = send(
            gw.addr,
            "POST",
            "/v1/upstreams/inbox/owners/t1/webhooks",
            &[],
            Some(&body),
        )
        .await;
        ok(&answer, status, team);
        let shown = answer.json();
        if status == 201 {
            assert_eq!(shown["id"], "123", "{shown}");
            assert_eq!(shown["owner"], "t1", "{shown}");
        } else {
            // Made, and named as made; the other owner is not named.
            let detail = shown["detail"].as_str().unwrap();
            assert!(detail.contains("another owner's"), "{detail}");
            assert!(!detail.contains("t2"), "{detail}");
            assert_eq!(shown["webhook"]["id"], "123", "{shown}");
        }
        gw.stop().await;
    }
}

/// The second dialect of the surface tests: webhooks of UUIDs, made with a create that answers
/// the webhook.
const HOOKS: &str = r#"[dialect]
base_path = "/api"
id_format = "uuid"

[emulator]
id = "uuid"

[fields.id]
path = "$.id"
in = ["response"]

[fields.url]
path = "$.url"
required = true

[fields.events]
path = "$.events"
required = true

[fields.description]
path = "$.description"

[operations.create]
method = "POST"
path = "/hooks"
body = "{{webhook}}"
status = 201
response = "{{webhook}}"

[operations.get]
method = "GET"
path = "/hooks/{id}"
response = "{{webhook}}"

[errors]
message = ["$.message"]

[errors.render.default]
body = { message = "{{message}}" }
"#;

const AUTH: [(&str, &str); 1] = [("authorization", "Bearer any")];

#[tokio::test]
async fn a_surface_answers_a_create_with_the_headers_as_the_vendor_writes_them() {
    let dir = mappings(BOTH, INTEGERS);
    std::fs::write(dir.path().join("hooks.toml"), HOOKS).unwrap();
    let gw = support::gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.hooks]\ndialect = \"hooks\"\nemulate = true\n\
         [surfaces.s]\ndialect = \"inbox\"\nupstream = \"hooks\"\nprefix = \"/s\"\n",
        dir.path().to_str().unwrap()
    ))
    .await;
    let body = json!({"url": "https://example.com/h", "events": ["convo.created"]});
    let answer = send(gw.addr, "POST", "/s/v2/webhooks", &AUTH, Some(&body)).await;
    ok(&answer, 201, "a create at the surface");
    // No body, as the vendor's `response` is none: the new webhook is in the headers alone.
    assert!(answer.body.is_empty(), "{:?}", answer.body);
    let id = answer.header("resource-id").unwrap().to_owned();
    assert!(uuid::Uuid::try_parse(&id).is_ok(), "{id}");
    let location = answer.header("location").unwrap();
    assert_eq!(location, format!("http://{}/s/v2/webhooks/{id}", gw.addr));
    // Where it points is the webhook made.
    let path = location.split_once(&gw.addr.to_string()).unwrap().1;
    let read = send(gw.addr, "GET", path, &AUTH, None).await;
    ok(&read, 200, "the webhook the Location names");
    assert_eq!(read.json()["id"], id.as_str());
    assert_eq!(read.json()["url"], "https://example.com/h");
    // A create given again under its idempotency key names the same webhook, as the first.
    let keyed = [AUTH[0], ("idempotency-key", "k-1")];
    let first = send(gw.addr, "POST", "/s/v2/webhooks", &keyed, Some(&body)).await;
    ok(&first, 201, "a keyed create");
    let again = send(gw.addr, "POST", "/s/v2/webhooks", &keyed, Some(&body)).await;
    ok(&again, 201, "the keyed create again");
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let made = first.header("resource-id").unwrap();
    assert_ne!(made, id);
    assert_eq!(again.header("resource-id"), Some(made));
    assert_eq!(again.header("location"), first.header("location"));
    gw.stop().await;
}

#[tokio::test]
async fn a_surface_relaying_to_its_own_vendor_names_the_webhook_at_its_own_address() {
    let dir = mappings(BOTH, INTEGERS);
    let double = vendor(
        &[("Location", "https://api.example.net/v2/webhooks/123")],
        "",
        None,
    )
    .await;
    let gw = relaying(&dir, &double).await;
    let body = json!({"url": "https://example.com/h", "events": ["convo.created"]});
    let answer = send(gw.addr, "POST", "/s/v2/webhooks", &AUTH, Some(&body)).await;
    ok(&answer, 201, "a relayed create");
    assert!(answer.body.is_empty(), "{:?}", answer.body);
    // The vendor's own address is not passed on: the webhook is named at the surface's.
    assert_eq!(
        answer.header("location"),
        Some(format!("http://{}/s/v2/webhooks/123", gw.addr).as_str())
    );
    assert_eq!(answer.header("resource-id"), Some("123"));
    gw.stop().await;
}

#[tokio::test]
async fn an_emulator_answers_a_create_with_the_headers_and_the_gateway_reads_them() {
    let dir = mappings(BOTH, INTEGERS);
    let gw = support::gateway_emulating(dir.path().to_str().unwrap(), "inbox").await;
    let emulator = gw.emulators["inbox"];
    let body = json!({"url": "https://example.com/h", "events": ["convo.created"]});
    let answer = send(emulator, "POST", "/v2/webhooks", &AUTH, Some(&body)).await;
    ok(&answer, 201, "a create at the emulator");
    assert!(answer.body.is_empty(), "{:?}", answer.body);
    assert_eq!(answer.header("resource-id"), Some("1"));
    assert_eq!(
        answer.header("location"),
        Some(format!("http://{emulator}/v2/webhooks/1").as_str())
    );
    let read = send(emulator, "GET", "/v2/webhooks/1", &AUTH, None).await;
    ok(&read, 200, "the webhook made");
    assert_eq!(read.json()["id"], 1);
    // The canonical API in front of the emulator reads the new id where the vendor gives it.
    let body =
        json!({"url": "https://example.com/h2", "events": ["convo.created"], "description": "Two"});
    let made = send(
        gw.addr,
        "POST",
        "/v1/upstreams/inbox/webhooks",
        &[],
        Some(&body),
    )
    .await;
    ok(&made, 201, "a canonical create");
    assert_eq!(made.json()["id"], "2");
    assert_eq!(made.json()["url"], "https://example.com/h2");
    assert_eq!(made.json()["description"], "Two");
    gw.stop().await;
}

/// `GET /v1/upstreams` shows, by operation, the answer headers that name the webhook's id as
/// the mapping file writes them: text, a path, a path written as an absolute URL; an
/// operation that declares none is left out, and an upstream whose operations declare none
/// shows none.
#[tokio::test]
async fn the_upstreams_introspection_shows_each_operations_id_headers() {
    let update = "[operations.update]\nmethod = \"PUT\"\npath = \"/webhooks/{id}\"\n\
                  body = \"{{webhook}}\"\nresponse_headers = { Location = \"/v2/webhooks/{{id}}\", X-Hook = \"wh_{{id}}\" }\n";
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{}\n{update}", inbox(BOTH, INTEGERS));
    std::fs::write(dir.path().join("inbox.toml"), text).unwrap();
    let plain = inbox("response = \"{{webhook}}\"", INTEGERS).replace("Inbox", "Plain");
    std::fs::write(dir.path().join("plain.toml"), plain).unwrap();
    let gw = support::gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.inbox]\ndialect = \"inbox\"\nemulate = true\n\
         [upstreams.plain]\ndialect = \"plain\"\nemulate = true\n",
        dir.path()
    ))
    .await;
    let listed = send(gw.addr, "GET", "/v1/upstreams", &[], None).await;
    ok(&listed, 200, "the upstreams");
    let data = listed.json()["data"].as_array().unwrap().clone();
    let shown = |name: &str| {
        let upstream = data.iter().find(|u| u["name"] == name).unwrap();
        upstream["response_headers"].clone()
    };
    assert_eq!(
        shown("inbox"),
        json!({
            "create": {
                "Resource-ID": "{{id}}",
                "Location": {"path": "/v2/webhooks/{{id}}", "absolute": true},
            },
            "update": {"Location": "/v2/webhooks/{{id}}", "X-Hook": "wh_{{id}}"},
        })
    );
    assert_eq!(shown("plain"), json!({}));
    gw.stop().await;
}

#[tokio::test]
async fn check_refuses_a_header_template_that_names_no_webhook() {
    let header = |template: &str| format!("response_headers = {{ {template} }}\nthen = [\"get\"]");
    let cases = [
        (
            header("Location = \"/v2/webhooks\""),
            "operations.create.response_headers.Location",
            "holds no `{{id}}`",
        ),
        (
            header("Location = \"/v2/webhooks/{{webhook}}\""),
            "operations.create.response_headers.Location",
            "unknown placeholder `{{webhook}}`",
        ),
        (
            header("Location = \"/teams/{{owner}}/webhooks/{{id}}\""),
            "operations.create.response_headers.Location",
            "no owner scope",
        ),
        (
            header("Location = \"https://api.example.net/v2/webhooks/{{id}}\""),
            "operations.create.response_headers.Location",
            "write the path alone",
        ),
        (
            header("Resource-ID = { path = \"{{id}}\", absolute = true }"),
            "operations.create.response_headers.Resource-ID",
            "is no path",
        ),
        (
            header("Location = \"/v2/webhooks/wh_{{id}}\""),
            "operations.create.response_headers.Location",
            "whole segment",
        ),
        (
            header("Content-Type = \"{{id}}\""),
            "operations.create.response_headers.Content-Type",
            "hookgate writes this header itself",
        ),
    ];
    for (create, key, says) in &cases {
        let refused = support::refused_mapping("inbox", &inbox(create, INTEGERS));
        assert!(
            refused.iter().any(|e| e.contains(key) && e.contains(says)),
            "{create}: {refused:?}"
        );
    }
    // An operation whose answer names no webhook a change made.
    let text = inbox(BOTH, INTEGERS).replacen(
        "path = \"/webhooks/{id}\"\nstatus = 204\n",
        "path = \"/webhooks/{id}\"\nstatus = 204\nresponse_headers = { Resource-ID = \"{{id}}\" }\n",
        1,
    );
    let refused = support::refused_mapping("inbox", &text);
    assert!(
        refused.iter().any(|e| {
            e.contains("operations.delete.response_headers") && e.contains("answers none")
        }),
        "{refused:?}"
    );
    // And `hookgate check` says so, as it does of every problem of a file.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("m")).unwrap();
    std::fs::write(
        dir.path().join("m/inbox.toml"),
        inbox(&cases[0].0, INTEGERS),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("hookgate.toml"),
        "mappings_dir = \"m\"\n[inbound_auth]\nmode = \"off\"\n",
    )
    .unwrap();
    let out = support::hookgate_in(dir.path(), &["check", "--config", "hookgate.toml"], &[]);
    let said =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(64), "{said}");
    assert!(said.contains("holds no `{{id}}`"), "{said}");
}

/// A create answered 201 with `headers` and `body` (none where empty), whose webhook is read
/// back at any path as `read`: the calls the vendor received, and the gateway's answer to a
/// canonical create, over `dir`'s `inbox`.
async fn created_reading(
    dir: &tempfile::TempDir,
    headers: &[(&str, &str)],
    body: &str,
    read: Value,
) -> (support::Answer, Vec<String>) {
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    let body = body.to_owned();
    let double = Double::answering(move |seen| match seen.method.as_str() {
        "POST" => {
            let mut headers = headers.clone();
            if !body.is_empty() {
                headers.push(("content-type".into(), "application/json".into()));
            }
            Reply::Raw {
                status: 201,
                headers,
                body: body.clone(),
            }
        }
        _ => Reply::json(200, read.clone()),
    })
    .await;
    let answer = created(dir, &double).await;
    (answer, calls(&double.seen()))
}

/// A folder of mapping files.
type Dir = tempfile::TempDir;

/// An answer's header lines, each its name and value.
type Lines<'a> = Vec<(&'a str, String)>;

/// Ids of UUIDs, the vendor's as it writes them in lower case.
const UUID: &str = "5f0c6a52-3b1e-4c8e-9d2a-7b4e1f0a9c31";

#[tokio::test]
async fn one_id_under_two_spellings_in_an_answers_headers_is_one_webhook() {
    let create = format!("response = \"{{{{webhook}}}}\"\n{BOTH}");
    let integers = mappings(&create, INTEGERS);
    let uuids = mappings(&create, "");
    let upper = UUID.to_uppercase();
    let mut uuid_hook = webhook();
    uuid_hook["id"] = json!(UUID);
    // Each pair of spellings the vendor's reads take for one id, in either header, in either
    // order, beside a body that names it or none; the id kept is the one the vendor writes.
    let cases = [
        (&integers, "123", "/v2/webhooks/0123", "", "123", webhook()),
        (&integers, "0123", "/v2/webhooks/123", "", "123", webhook()),
        (
            &integers,
            "00123",
            "https://api.example.net/v2/webhooks/123",
            "",
            "123",
            webhook(),
        ),
        (
            &integers,
            "0123",
            "/v2/webhooks/0123",
            r#"{"id": 123, "url": "https://example.com/h"}"#,
            "123",
            webhook(),
        ),
        (
            &uuids,
            UUID,
            &format!("/v2/webhooks/{upper}"),
            "",
            UUID,
            uuid_hook.clone(),
        ),
        (
            &uuids,
            &upper,
            &format!("/v2/webhooks/{UUID}"),
            &format!(r#"{{"id": "{UUID}"}}"#),
            UUID,
            uuid_hook.clone(),
        ),
    ];
    for (dir, resource_id, location, body, id, read) in cases {
        let what = format!("Resource-ID {resource_id} beside Location {location} and {body:?}");
        let headers = [("Resource-ID", resource_id), ("Location", location)];
        let (answer, calls) = created_reading(dir, &headers, body, read).await;
        ok(&answer, 201, &what);
        assert_eq!(answer.json()["id"], id, "{what}: {}", answer.json());
        assert_eq!(calls[0], "POST /v2/webhooks", "{what}");
    }
}

#[tokio::test]
async fn an_answer_naming_two_webhooks_in_one_header_is_refused_as_a_change_made() {
    let create = format!("response = \"{{{{webhook}}}}\"\n{BOTH}");
    let integers = mappings(&create, INTEGERS);
    let uris = "codec = { prefix = \"https://api.example.net/v2/webhooks/\" }";
    let prefixed = mappings("response_headers = { Location = \"{{id}}\" }", uris);
    let other = "6b1e2f3a-0c4d-4e5f-8a9b-1c2d3e4f5a6b";
    let uuids = mappings(&create, "");
    let location = |id: &str| format!("https://api.example.net/v2/webhooks/{id}");
    // Two lines a proxy merged into one, and two lines that name two webhooks: of each header
    // form, under each codec.
    let cases: Vec<(&Dir, Lines, [&str; 2])> = vec![
        (
            &integers,
            vec![("Resource-ID", "123, 124".into())],
            ["123", "124"],
        ),
        (
            &integers,
            vec![("Resource-ID", "123,0124".into())],
            ["123", "0124"],
        ),
        (
            &integers,
            vec![("Resource-ID", "123".into()), ("Resource-ID", "124".into())],
            ["123", "124"],
        ),
        (
            &integers,
            vec![(
                "Location",
                format!("{}, {}", location("123"), location("124")),
            )],
            ["123", "124"],
        ),
        (
            &integers,
            vec![
                ("Location", location("123")),
                ("Location", "/v2/webhooks/124".into()),
            ],
            ["123", "124"],
        ),
        (
            &prefixed,
            vec![(
                "Location",
                format!("{},{}", location("AAA"), location("BBB")),
            )],
            ["AAA", "BBB"],
        ),
        (
            &uuids,
            vec![("Resource-ID", format!("{UUID}, {other}"))],
            [UUID, other],
        ),
    ];
    for (dir, headers, names) in cases {
        let what = format!("{headers:?}");
        let sent: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let (answer, calls) = created_reading(dir, &sent, "", webhook()).await;
        ok(&answer, 502, &what);
        let problem = answer.json();
        let detail = problem["detail"].as_str().unwrap();
        for id in names {
            assert!(
                detail.contains(&format!("names webhook {id}")),
                "{what}: {detail}"
            );
        }
        assert!(detail.contains("the change was made"), "{what}: {detail}");
        assert!(!detail.contains("may have been made"), "{what}: {detail}");
        assert!(problem.get("webhook").is_none(), "{what}: {problem}");
        assert_eq!(calls, ["POST /v2/webhooks"], "{what}");
    }
    // One webhook in each element of a merged line, and an id that holds a comma in a path.
    let same: Vec<(&Dir, Lines, &str)> = vec![
        (&integers, vec![("Resource-ID", "123, 123".into())], "123"),
        (&integers, vec![("Resource-ID", "0123, 123".into())], "123"),
        (&uuids, vec![("Location", "/v2/webhooks/a,b".into())], "a,b"),
    ];
    for (dir, headers, id) in same {
        let what = format!("{headers:?}");
        let sent: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let mut read = webhook();
        read["id"] = json!(id);
        let (answer, _) = created_reading(dir, &sent, "", read).await;
        ok(&answer, 201, &what);
        assert_eq!(answer.json()["id"], id, "{what}");
    }
}

#[tokio::test]
async fn a_change_named_in_a_header_under_another_spelling_is_the_webhook_its_request_named() {
    let update = "[operations.update]\nmethod = \"PUT\"\npath = \"/webhooks/{id}\"\n\
                  body = \"{{webhook}}\"\nresponse_headers = { Location = \"/v2/webhooks/{{id}}\" }\n";
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{}\n{update}", inbox(BOTH, INTEGERS));
    std::fs::write(dir.path().join("inbox.toml"), text).unwrap();
    // The request's spelling and the answer's, each the other's.
    for (asked, named) in [("0123", "/v2/webhooks/123"), ("123", "/v2/webhooks/00123")] {
        let what = format!("{asked} answered {named}");
        let double = Double::answering(move |seen| match seen.method.as_str() {
            "PUT" => Reply::Raw {
                status: 204,
                headers: vec![("Location".into(), named.into())],
                body: String::new(),
            },
            _ => Reply::json(200, webhook()),
        })
        .await;
        let gw = support::gateway_over(dir.path().to_str().unwrap(), "inbox", &double).await;
        let change = json!({"description": "Support"});
        let path = format!("/v1/upstreams/inbox/webhooks/{asked}");
        let answer = send(gw.addr, "PATCH", &path, &[], Some(&change)).await;
        ok(&answer, 200, &what);
        assert_eq!(answer.json()["id"], "123", "{what}");
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_relayed_create_whose_answer_names_two_webhooks_is_refused_in_the_vendors_shape() {
    // Two dialects, each relaying to its own vendor: integer ids answered without a body, and
    // ids as they are answered with the webhook.
    let integers = mappings(BOTH, INTEGERS);
    let create = format!("response = \"{{{{webhook}}}}\"\n{BOTH}");
    let texts = mappings(&create, "");
    let other = "6b1e2f3a-0c4d-4e5f-8a9b-1c2d3e4f5a6b";
    let mut uuid_hook = webhook();
    uuid_hook["id"] = json!(UUID);
    let at = |id: &str| format!("https://api.example.net/v2/webhooks/{id}");
    let cases: Vec<(&Dir, Lines, String, [&str; 2])> = vec![
        (
            &integers,
            vec![("Location", at("123")), ("Location", at("124"))],
            String::new(),
            ["123", "124"],
        ),
        (
            &integers,
            vec![("Resource-ID", "123, 124".into())],
            String::new(),
            ["123", "124"],
        ),
        (
            &integers,
            vec![("Resource-ID", "123".into()), ("Resource-ID", "124".into())],
            String::new(),
            ["123", "124"],
        ),
        (
            &texts,
            vec![("Location", at(UUID)), ("Location", at(other))],
            uuid_hook.to_string(),
            [UUID, other],
        ),
        (
            &texts,
            vec![("Resource-ID", format!("{UUID}, {other}"))],
            uuid_hook.to_string(),
            [UUID, other],
        ),
    ];
    for (dir, headers, body, names) in cases {
        let what = format!("{headers:?} and {body:?}");
        let sent: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let double = vendor(&sent, &body, None).await;
        let gw = relaying(dir, &double).await;
        let made = json!({"url": "https://example.com/h", "events": ["convo.created"]});
        let answer = send(gw.addr, "POST", "/s/v2/webhooks", &AUTH, Some(&made)).await;
        ok(&answer, 502, &what);
        // The vendor's error shape, saying the change was made and naming neither as made.
        let message = answer.json()["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        for id in names {
            assert!(
                message.contains(&format!("names webhook {id}")),
                "{what}: {message}"
            );
        }
        assert!(message.contains("the change was made"), "{what}: {message}");
        assert!(!message.contains("may have been made"), "{what}: {message}");
        assert_eq!(answer.header("location"), None, "{what}");
        assert_eq!(answer.header("resource-id"), None, "{what}");
        assert_eq!(calls(&double.seen()), ["POST /v2/webhooks"], "{what}");
        gw.stop().await;
    }
    // One webhook under two spellings is named once, as the vendor writes its id.
    let both = [("Resource-ID", "0123"), ("Location", "/v2/webhooks/123")];
    let double = vendor(&both, "", None).await;
    let gw = relaying(&integers, &double).await;
    let made = json!({"url": "https://example.com/h", "events": ["convo.created"]});
    let answer = send(gw.addr, "POST", "/s/v2/webhooks", &AUTH, Some(&made)).await;
    ok(&answer, 201, "one webhook under two spellings");
    assert_eq!(answer.header("resource-id"), Some("123"));
    assert_eq!(
        answer.header("location"),
        Some(format!("http://{}/s/v2/webhooks/123", gw.addr).as_str())
    );
    gw.stop().await;
}

/// A gateway whose surface `/s` of `inbox` relays to its own vendor, `double`.
async fn relaying(dir: &tempfile::TempDir, double: &Double) -> hookgate::app::Running {
    support::gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.inbox]\ndialect = \"inbox\"\nbase_url = {:?}\n\
         auth = {{ type = \"none\" }}\n[url_policy]\nallow_private = true\n\
         [surfaces.s]\ndialect = \"inbox\"\nupstream = \"inbox\"\nprefix = \"/s\"\n",
        dir.path().to_str().unwrap(),
        double.url()
    ))
    .await
}
