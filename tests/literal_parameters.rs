//! Query parameters a mapping file sends as literal text (`scope = "organization"`, an API
//! version): the vendor answers by them, so its emulators and its surfaces, in front of any
//! upstream, refuse a request that gives one another value, or gives it twice, in the
//! vendor's own error shape, naming the parameter and the value it must have, before anything
//! is called; one left out is the literal. Lists, reads and deletes alike.

mod support;

use serde_json::{Value, json};
use std::net::SocketAddr;
use support::{dialects_with, gateway, journal, ok, send};

const BEARER: (&str, &str) = ("authorization", "Bearer t");

/// Desk (`tests/dialects/desk.toml`) with a literal parameter on its list, its read and its
/// delete, as Calendly's list takes `scope` and Asana's calls take `opt_pretty`.
fn literal_desk() -> tempfile::TempDir {
    dialects_with(&[
        (
            "desk",
            "query = { workspace = \"{{owner}}\", limit",
            "query = { workspace = \"{{owner}}\", scope = \"workspace\", limit",
        ),
        (
            "desk",
            "[operations.get]\nmethod = \"GET\"\npath = \"/webhooks/{id}\"\n",
            "[operations.get]\nmethod = \"GET\"\npath = \"/webhooks/{id}\"\nquery = { opt_pretty = \"true\" }\n",
        ),
        (
            "desk",
            "[operations.delete]\nmethod = \"DELETE\"\npath = \"/webhooks/{id}\"\n",
            "[operations.delete]\nmethod = \"DELETE\"\npath = \"/webhooks/{id}\"\nquery = { version = \"2\" }\n",
        ),
    ])
}

/// Desk emulated; surfaces of it in front of Relay and in front of Desk itself.
async fn literal_gateway(dir: &std::path::Path) -> hookgate::app::Running {
    gateway(&format!(
        "mappings_dir = {:?}\n\
         [upstreams.desk]\ndialect = \"desk\"\nemulate = true\n\
         [upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [surfaces.over-relay]\ndialect = \"desk\"\nupstream = \"relay\"\nprefix = \"/over-relay\"\nowner = \"p1\"\n\
         [surfaces.over-desk]\ndialect = \"desk\"\nupstream = \"desk\"\nprefix = \"/over-desk\"\n",
        dir.to_str().unwrap()
    ))
    .await
}

/// A webhook made through the canonical API at `upstream` under `owner`: its id.
async fn made(gw: SocketAddr, upstream: &str, owner: &str) -> String {
    let base = format!("/v1/upstreams/{upstream}/owners/{owner}/webhooks");
    let body = json!({"url": "https://example.com/h", "events": ["a"]});
    let created = send(gw, "POST", &base, &[], Some(&body)).await;
    ok(&created, 201, &base);
    match &created.json()["id"] {
        Value::String(id) => id.clone(),
        other => other.to_string(),
    }
}

/// Asserts that `path` is refused as Desk refuses a bad parameter: 400, its error naming
/// `expected`.
async fn refused(addr: SocketAddr, method: &str, path: &str, expected: &str) {
    let answer = send(addr, method, path, &[BEARER], None).await;
    ok(&answer, 400, path);
    let message = answer.json()["errors"][0]["message"].clone();
    assert!(
        message.as_str().is_some_and(|m| m.contains(expected)),
        "{path}: {message}"
    );
}

/// The list queries that give `scope` another value than `workspace`, or give it twice, and
/// what Desk's error says of each.
const BAD_SCOPES: &[(&str, &str)] = &[
    ("scope=group", "scope: must be `workspace`, not `group`"),
    ("scope=user", "scope: must be `workspace`, not `user`"),
    ("scope=", "scope: must be `workspace`, not ``"),
    (
        "scope=Workspace",
        "scope: must be `workspace`, not `Workspace`",
    ),
    (
        "scope=workspace%20",
        "scope: must be `workspace`, not `workspace `",
    ),
    (
        "scope=workspace&scope=group",
        "scope: must be `workspace`, not `group`",
    ),
    (
        "scope=group&scope=workspace",
        "scope: must be `workspace`, not `group`",
    ),
    (
        "scope=workspace&scope=workspace",
        "scope: is given more than once",
    ),
];

#[tokio::test]
async fn an_emulator_refuses_a_literal_parameter_of_another_value() {
    let dir = literal_desk();
    let gw = literal_gateway(dir.path()).await;
    // The gateway sends the literals: the canonical API is served as before.
    let id = made(gw.addr, "desk", "ws1").await;
    let listed = send(
        gw.addr,
        "GET",
        "/v1/upstreams/desk/owners/ws1/webhooks",
        &[],
        None,
    )
    .await;
    ok(&listed, 200, "the canonical list");
    let sent: Vec<String> = journal(gw.emulators["desk"])
        .await
        .iter()
        .map(|e| e["query"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        sent.iter().any(|q| q.contains("scope=workspace")),
        "{sent:?}"
    );

    let emulator = gw.emulators["desk"];
    let list = "/api/1.0/webhooks?workspace=ws1";
    for (bad, expected) in BAD_SCOPES {
        refused(emulator, "GET", &format!("{list}&{bad}"), expected).await;
    }
    // The literal, or none, is the list.
    for good in [format!("{list}&scope=workspace"), list.to_owned()] {
        let answer = send(emulator, "GET", &good, &[BEARER], None).await;
        ok(&answer, 200, &good);
        assert_eq!(answer.json()["data"][0]["gid"], id.as_str(), "{good}");
    }
    // A read and a delete, by their own literals.
    let one = format!("/api/1.0/webhooks/{id}");
    for (bad, expected) in [
        (
            "opt_pretty=false",
            "opt_pretty: must be `true`, not `false`",
        ),
        ("opt_pretty=1", "opt_pretty: must be `true`, not `1`"),
        (
            "opt_pretty=true&opt_pretty=false",
            "opt_pretty: must be `true`, not `false`",
        ),
    ] {
        refused(emulator, "GET", &format!("{one}?{bad}"), expected).await;
    }
    for good in [format!("{one}?opt_pretty=true"), one.clone()] {
        ok(
            &send(emulator, "GET", &good, &[BEARER], None).await,
            200,
            &good,
        );
    }
    for (bad, expected) in [
        ("version=3", "version: must be `2`, not `3`"),
        ("version=2&version=2", "version: is given more than once"),
    ] {
        refused(emulator, "DELETE", &format!("{one}?{bad}"), expected).await;
    }
    // Nothing was deleted.
    ok(
        &send(emulator, "GET", &one, &[BEARER], None).await,
        200,
        "still there",
    );
    let deleted = send(
        emulator,
        "DELETE",
        &format!("{one}?version=2"),
        &[BEARER],
        None,
    )
    .await;
    ok(&deleted, 200, "deleted with its version");
    ok(
        &send(emulator, "GET", &one, &[BEARER], None).await,
        404,
        "gone",
    );
}

#[tokio::test]
async fn a_surface_refuses_a_literal_parameter_of_another_value_in_front_of_any_upstream() {
    let dir = literal_desk();
    let gw = literal_gateway(dir.path()).await;
    let at_relay = made(gw.addr, "relay", "p1").await;
    let at_desk = made(gw.addr, "desk", "ws1").await;
    for (prefix, owner, id, upstream) in [
        ("/over-relay", "p1", &at_relay, "relay"),
        ("/over-desk", "ws1", &at_desk, "desk"),
    ] {
        let called = journal(gw.emulators[upstream]).await.len();
        let list = format!("{prefix}/api/1.0/webhooks?workspace={owner}");
        for (bad, expected) in BAD_SCOPES {
            refused(gw.addr, "GET", &format!("{list}&{bad}"), expected).await;
        }
        let one = format!("{prefix}/api/1.0/webhooks/{id}");
        refused(
            gw.addr,
            "GET",
            &format!("{one}?opt_pretty=false"),
            "opt_pretty: must be `true`, not `false`",
        )
        .await;
        refused(
            gw.addr,
            "DELETE",
            &format!("{one}?version=1"),
            "version: must be `2`, not `1`",
        )
        .await;
        // Refused before the upstream was called.
        assert_eq!(
            journal(gw.emulators[upstream]).await.len(),
            called,
            "{prefix}"
        );
        for good in [format!("{list}&scope=workspace"), list.clone()] {
            let answer = send(gw.addr, "GET", &good, &[BEARER], None).await;
            ok(&answer, 200, &good);
            assert_eq!(answer.json()["data"].as_array().unwrap().len(), 1, "{good}");
        }
        ok(
            &send(
                gw.addr,
                "GET",
                &format!("{one}?opt_pretty=true"),
                &[BEARER],
                None,
            )
            .await,
            200,
            "a read with its literal",
        );
        ok(
            &send(
                gw.addr,
                "DELETE",
                &format!("{one}?version=2"),
                &[BEARER],
                None,
            )
            .await,
            200,
            "a delete with its literal",
        );
    }
}

#[tokio::test]
async fn a_literal_parameter_is_named_as_the_client_sends_it() {
    // `enabled` is also the canonical name of Desk's `active`: the parameter is not it.
    let dir = dialects_with(&[(
        "desk",
        "query = { workspace = \"{{owner}}\", limit",
        "query = { workspace = \"{{owner}}\", enabled = \"true\", limit",
    )]);
    let gw = literal_gateway(dir.path()).await;
    let list = "/api/1.0/webhooks?workspace=ws1";
    for at in [gw.emulators["desk"], gw.addr] {
        let prefix = if at == gw.addr { "/over-desk" } else { "" };
        for (bad, expected) in [
            ("enabled=false", "enabled: must be `true`, not `false`"),
            (
                "enabled=true&enabled=true",
                "enabled: is given more than once",
            ),
        ] {
            refused(at, "GET", &format!("{prefix}{list}&{bad}"), expected).await;
        }
    }
}
