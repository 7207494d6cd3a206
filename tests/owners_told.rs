//! A call that names the owner, wherever it names it (a create's body, a query parameter, a
//! header), told the vendor whose the webhook is: its answer is the owner's even where it
//! leaves the owner out. Where a call's answer cannot say whose the webhook is, a read declared
//! after it (`then = ["get"]`) is made, and the owner is held to what that read answers, the
//! whole result; a read by id alone that answers no owner is refused as ever.
//!
//! The vendor is a test-local file (`mailer`), spelt as a vendor that scopes webhooks by a
//! type (`transactional`, `marketing`), lists them by `?type=`, finds one by its id alone and
//! answers a create with its id alone; the owner is placed in each way a create may name it.

mod support;

use serde_json::{Value, json};
use std::net::SocketAddr;
use support::{Answer, Double, Reply, Seen, gateway, ok, send};

const OWNER: &str = "transactional";
const CANONICAL: &str = "/v1/upstreams/mailer/owners/transactional/webhooks";
const SURFACE: &str = "/s/api/v1/app/transactional/endpoint";
const BEARER: (&str, &str) = ("authorization", "Bearer testsk_hookgate");

/// Where a create names its owner.
#[derive(Debug, Clone, Copy)]
enum Placement {
    /// In its body, where a `[fields.owner]` rule on create writes it (`$.type`).
    Body,
    /// In a query parameter (`?type=`).
    Query,
    /// In a header (`X-Webhook-Type`).
    Header,
}

const PLACEMENTS: [Placement; 3] = [Placement::Body, Placement::Query, Placement::Header];

/// The vendor's file: the create names the owner as `placement` says, and `then` is declared
/// on the create and the update where `then` is true.
fn mailer(placement: Placement, then: bool) -> String {
    let (owner_rule, create_names) = match placement {
        Placement::Body => ("on = [\"create\"]", ""),
        Placement::Query => ("in = [\"response\"]", "query = { type = \"{{owner}}\" }"),
        Placement::Header => (
            "in = [\"response\"]",
            "headers = { \"X-Webhook-Type\" = \"{{owner}}\" }",
        ),
    };
    let then = if then { "then = [\"get\"]" } else { "" };
    format!(
        r#"
[dialect]
title = "Mailer webhooks"
owner = "type"
id_format = "integer"

[emulator]
id = "integer"

[fields.id]
path = "$.id"
codec = "int_string"
in = ["response"]

[fields.owner]
path = "$.type"
{owner_rule}

[fields.url]
path = "$.url"
required = true

[fields.description]
path = "$.description"

[fields.created_at]
path = "$.createdAt"
in = ["response"]

[fields.updated_at]
path = "$.updatedAt"
in = ["response"]

[operations.list]
method = "GET"
path = "/webhooks"
query = {{ type = "{{{{owner}}}}" }}
response = {{ webhooks = "{{{{items}}}}" }}

[operations.get]
method = "GET"
path = "/webhooks/{{id}}"
response = "{{{{webhook}}}}"

[operations.create]
method = "POST"
path = "/webhooks"
{create_names}
body = "{{{{webhook}}}}"
status = 201
response = "{{{{webhook}}}}"
{then}

[operations.update]
method = "PUT"
path = "/webhooks/{{id}}"
body = "{{{{webhook}}}}"
response = "{{{{webhook}}}}"
{then}

[operations.delete]
method = "DELETE"
path = "/webhooks/{{id}}"
status = 204

[errors]
message = ["$.message"]

[errors.render.default]
body = {{ code = "error", message = "{{{{message}}}}" }}
"#
    )
}

/// The webhook as the vendor's read answers it, with the owner (`type`) given, or none.
fn whole(owner: Option<&str>) -> Value {
    let mut w = json!({
        "id": 101,
        "url": "https://example.com/h",
        "description": "from the read",
        "createdAt": "2026-01-10T10:00:00Z",
        "updatedAt": "2026-01-10T10:00:00Z",
    });
    if let Some(owner) = owner {
        w["type"] = Value::from(owner);
    }
    w
}

/// A vendor that answers a create and an update with the id alone (`{"id": 101}`), and a read
/// with the webhook whole, its owner as `read_owner` says.
async fn vendor(read_owner: Option<&'static str>) -> Double {
    Double::answering(move |seen: &Seen| match seen.method.as_str() {
        "POST" => Reply::json(201, json!({"id": 101})),
        "PUT" => Reply::json(200, json!({"id": 101})),
        _ => Reply::json(200, whole(read_owner)),
    })
    .await
}

/// The gateway over `double` with the file written for `placement` and `then`, and a Svix
/// surface in front of it under `/s`.
async fn gateway_for(
    placement: Placement,
    then: bool,
    double: &Double,
) -> (hookgate::app::Running, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mailer.toml"), mailer(placement, then)).unwrap();
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.mailer]\ndialect = \"mailer\"\nbase_url = {:?}\n\
         auth = {{ type = \"none\" }}\n[url_policy]\nallow_private = true\n\
         [surfaces.s]\ndialect = \"svix\"\nupstream = \"mailer\"\nprefix = \"/s\"\n",
        dir.path().to_str().unwrap(),
        double.url()
    ))
    .await;
    (gw, dir)
}

async fn create(addr: SocketAddr, path: &str) -> Answer {
    let body = json!({"url": "https://example.com/h"});
    send(addr, "POST", path, &[BEARER], Some(&body)).await
}

/// The create the vendor was sent names the owner as `placement` says.
fn named_owner(placement: Placement, seen: &Seen) {
    assert_eq!(seen.method, "POST");
    match placement {
        Placement::Body => {
            assert_eq!(seen.path, "/webhooks");
            assert_eq!(seen.json().unwrap()["type"], OWNER, "{seen:?}");
        }
        Placement::Query => assert_eq!(seen.path, "/webhooks?type=transactional"),
        Placement::Header => {
            assert_eq!(seen.path, "/webhooks");
            assert_eq!(seen.headers["x-webhook-type"], OWNER);
        }
    }
}

/// The calls the vendor saw, as `METHOD path`.
fn calls(double: &Double) -> Vec<String> {
    (double.seen().iter())
        .map(|s| format!("{} {}", s.method, s.path.split('?').next().unwrap()))
        .collect()
}

#[tokio::test]
async fn a_create_that_names_its_owner_anywhere_is_the_owners_when_its_answer_leaves_it_out() {
    for placement in PLACEMENTS {
        let double = vendor(Some(OWNER)).await;
        let (gw, _dir) = gateway_for(placement, false, &double).await;
        let answer = create(gw.addr, CANONICAL).await;
        ok(&answer, 201, &format!("{placement:?}"));
        let made = answer.json();
        assert_eq!(made["id"], "101", "{placement:?}: {made}");
        assert_eq!(made["owner"], OWNER, "{placement:?}: {made}");
        assert_eq!(calls(&double), ["POST /webhooks"], "{placement:?}");
        named_owner(placement, &double.seen()[0]);
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_declared_read_after_a_create_that_named_its_owner_is_made_and_answers_it() {
    for placement in PLACEMENTS {
        let double = vendor(Some(OWNER)).await;
        let (gw, _dir) = gateway_for(placement, true, &double).await;
        // The canonical API: the webhook as the read answers it.
        let answer = create(gw.addr, CANONICAL).await;
        ok(&answer, 201, &format!("{placement:?}"));
        let made = answer.json();
        assert_eq!(made["id"], "101", "{placement:?}: {made}");
        assert_eq!(made["owner"], OWNER, "{placement:?}: {made}");
        assert_eq!(
            made["description"], "from the read",
            "{placement:?}: {made}"
        );
        assert_eq!(made["created_at"], "2026-01-10T10:00:00Z");
        assert_eq!(
            calls(&double),
            ["POST /webhooks", "GET /webhooks/101"],
            "{placement:?}"
        );
        named_owner(placement, &double.seen()[0]);
        // A Svix client in front of it: the endpoint, as Svix answers one.
        let answer = create(gw.addr, SURFACE).await;
        ok(&answer, 201, &format!("{placement:?} through a surface"));
        let made = answer.json();
        assert_eq!(made["id"], "101", "{placement:?}: {made}");
        assert_eq!(
            made["description"], "from the read",
            "{placement:?}: {made}"
        );
        assert_eq!(
            calls(&double).len(),
            4,
            "{placement:?}: {:?}",
            calls(&double)
        );
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_declared_read_after_a_create_that_answers_no_owner_or_another_is_refused_naming_what_was_made()
 {
    for placement in PLACEMENTS {
        for (read_owner, what) in [
            (None, "answered webhook 101 without its owner"),
            (
                Some("marketing"),
                "no webhook 101 under owner transactional",
            ),
        ] {
            let double = vendor(read_owner).await;
            let (gw, _dir) = gateway_for(placement, true, &double).await;
            for path in [CANONICAL, SURFACE] {
                let answer = create(gw.addr, path).await;
                let case = format!("{placement:?}, read answering {read_owner:?}, at {path}");
                ok(&answer, 502, &case);
                let text = String::from_utf8_lossy(&answer.body).into_owned();
                assert!(text.contains(what), "{case}: {text}");
            }
            let problem = create(gw.addr, CANONICAL).await.json();
            assert_eq!(problem["code"], "upstream_error", "{problem}");
            let detail = problem["detail"].as_str().unwrap();
            assert!(detail.contains("webhook 101 was created"), "{detail}");
            assert_eq!(problem["webhook"]["id"], "101", "{problem}");
            assert_eq!(
                calls(&double)[..2],
                ["POST /webhooks", "GET /webhooks/101"],
                "{placement:?}"
            );
            gw.stop().await;
        }
    }
}

#[tokio::test]
async fn a_change_by_id_alone_answered_without_its_owner_is_held_to_the_read_declared_after_it() {
    let at = format!("{CANONICAL}/101");
    let change = json!({"url": "https://example.com/b"});
    for placement in PLACEMENTS {
        // Declared, the read after the change says whose the webhook is.
        let double = vendor(Some(OWNER)).await;
        let (gw, _dir) = gateway_for(placement, true, &double).await;
        let answer = send(gw.addr, "PATCH", &at, &[], Some(&change)).await;
        ok(&answer, 200, &format!("{placement:?}"));
        let changed = answer.json();
        assert_eq!(changed["owner"], OWNER, "{placement:?}: {changed}");
        assert_eq!(changed["description"], "from the read", "{changed}");
        assert_eq!(
            calls(&double),
            [
                "GET /webhooks/101",
                "PUT /webhooks/101",
                "GET /webhooks/101"
            ],
            "{placement:?}: whose it is, the change, the declared read"
        );
        gw.stop().await;

        // A declared read that answers no owner is refused, the change said to be made.
        let double = vendor(None).await;
        let (gw, _dir) = gateway_for(placement, true, &double).await;
        let answer = send(gw.addr, "PATCH", &at, &[], Some(&change)).await;
        ok(
            &answer,
            502,
            &format!("{placement:?}: a read without its owner"),
        );
        let detail = answer.json()["detail"].as_str().unwrap().to_owned();
        assert!(detail.contains("without its owner"), "{detail}");
        gw.stop().await;

        // Undeclared, the change's own answer is all there is: one that leaves the owner out
        // is refused, saying the change was made.
        let double = Double::answering(|seen: &Seen| match seen.method.as_str() {
            "PUT" => Reply::json(200, json!({"id": 101, "url": "https://example.com/b"})),
            _ => Reply::json(200, whole(Some(OWNER))),
        })
        .await;
        let (gw, _dir) = gateway_for(placement, false, &double).await;
        let answer = send(gw.addr, "PATCH", &at, &[], Some(&change)).await;
        ok(&answer, 502, &format!("{placement:?}: no read declared"));
        let detail = answer.json()["detail"].as_str().unwrap().to_owned();
        assert!(detail.contains("without its owner"), "{detail}");
        assert!(detail.contains("the change was made"), "{detail}");
        assert_eq!(
            calls(&double),
            ["GET /webhooks/101", "PUT /webhooks/101"],
            "{placement:?}"
        );
        gw.stop().await;

        // An answer that names the webhook alone says nothing of it: it is read back, and
        // the read says whose it is.
        let double = Double::answering(|seen: &Seen| match seen.method.as_str() {
            "PUT" => Reply::json(200, json!({"id": 101})),
            _ => Reply::json(200, whole(Some(OWNER))),
        })
        .await;
        let (gw, _dir) = gateway_for(placement, false, &double).await;
        let answer = send(gw.addr, "PATCH", &at, &[], Some(&change)).await;
        ok(&answer, 200, &format!("{placement:?}: the id alone"));
        assert_eq!(answer.json()["owner"], OWNER, "{placement:?}");
        assert_eq!(
            calls(&double),
            [
                "GET /webhooks/101",
                "PUT /webhooks/101",
                "GET /webhooks/101"
            ],
            "{placement:?}"
        );
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_read_by_id_alone_that_answers_no_owner_is_still_refused() {
    for placement in PLACEMENTS {
        for then in [false, true] {
            let double = vendor(None).await;
            let (gw, _dir) = gateway_for(placement, then, &double).await;
            let answer = send(gw.addr, "GET", &format!("{CANONICAL}/101"), &[], None).await;
            ok(&answer, 502, &format!("{placement:?}, then {then}"));
            let detail = answer.json()["detail"].as_str().unwrap().to_owned();
            assert!(detail.contains("webhook 101 without its owner"), "{detail}");
            let answer = send(gw.addr, "GET", &format!("{SURFACE}/101"), &[BEARER], None).await;
            ok(
                &answer,
                502,
                &format!("{placement:?}, then {then}, through a surface"),
            );
            gw.stop().await;
        }
    }
}
