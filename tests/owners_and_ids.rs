//! Where a vendor takes the owner and the id of a webhook, when not both in the path.
//! `tests/dialects/studio.toml` lists a team's webhooks under the team and finds one by its id
//! alone (the team in a create's body); `desk.toml` names the workspace in a query parameter,
//! `tally.toml` in a header of every call; `stream.toml` takes the id as a query parameter
//! beside the list of the same path. The gateway never acts on another owner's webhook: it
//! reads the webhook first and compares whose it is, and the vendor sees no write for an owner
//! that does not hold the webhook.

mod support;

use figment::providers::Format;
use hookgate::mapping::Dialect;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::Path;
use support::{Double, Reply, gateway, gateway_over, journal, ok, send};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
const BEARER: (&str, &str) = ("authorization", "Bearer t");

/// Both vendors emulated, and surfaces between them and an owner-in-path dialect.
async fn scoped_gateway() -> hookgate::app::Running {
    emulated(
        &["studio", "desk", "relay"],
        &[
            ("studio", "studio", "studio", None),
            ("studio-on-desk", "studio", "desk", None),
            ("studio-on-relay", "studio", "relay", Some("p1")),
            ("relay-on-studio", "relay", "studio", None),
        ],
    )
    .await
}

/// The gateway with `upstreams` emulated (each named after its dialect) and `surfaces`, each
/// `(name, dialect, upstream, owner)` and served under `/NAME`.
async fn emulated(
    upstreams: &[&str],
    surfaces: &[(&str, &str, &str, Option<&str>)],
) -> hookgate::app::Running {
    let mut config = format!("mappings_dir = {DIR:?}\n");
    for u in upstreams {
        config += &format!("[upstreams.{u}]\ndialect = \"{u}\"\nemulate = true\n");
    }
    for (name, dialect, upstream, owner) in surfaces {
        config += &format!(
            "[surfaces.{name}]\ndialect = \"{dialect}\"\nupstream = \"{upstream}\"\nprefix = \"/{name}\"\n"
        );
        if let Some(owner) = owner {
            config += &format!("owner = \"{owner}\"\n");
        }
    }
    gateway(&config).await
}

/// The two vendors, each with two owners that its format admits.
const VENDORS: [(&str, &str, &str); 2] = [("studio", "1234", "5678"), ("desk", "ws1", "ws2")];

fn webhooks(upstream: &str, owner: &str) -> String {
    format!("/v1/upstreams/{upstream}/owners/{owner}/webhooks")
}

async fn create(gw: SocketAddr, upstream: &str, owner: &str, url: &str) -> String {
    let created = send(
        gw,
        "POST",
        &webhooks(upstream, owner),
        &[],
        Some(&json!({"url": url, "events": ["file.update"]})),
    )
    .await;
    ok(&created, 201, &format!("{upstream}: create"));
    assert_eq!(created.json()["owner"], owner, "{upstream}");
    created.json()["id"].as_str().unwrap().to_owned()
}

/// The requests an emulator received, as `METHOD path?query`, from entry `from` on.
async fn calls(emulator: SocketAddr, from: usize) -> Vec<String> {
    journal(emulator)
        .await
        .iter()
        .skip(from)
        .map(|e| {
            let query = e["query"]
                .as_str()
                .map(|q| format!("?{q}"))
                .unwrap_or_default();
            format!(
                "{} {}{query}",
                e["method"].as_str().unwrap(),
                e["path"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test]
async fn an_owner_outside_the_path_lives_a_whole_lifecycle() {
    let gw = scoped_gateway().await;
    for (upstream, owner, other) in VENDORS {
        let emu = gw.emulators[upstream];
        let id = create(gw.addr, upstream, owner, "https://example.com/a").await;
        // The vendor was given the owner in the create's body, where its file says.
        let entries = journal(emu).await;
        let sent = entries.last().unwrap();
        assert!(
            sent["body"].to_string().contains(&format!("\"{owner}\"")),
            "{upstream}: {sent}"
        );

        let one = format!("{}/{id}", webhooks(upstream, owner));
        let read = send(gw.addr, "GET", &one, &[], None).await;
        ok(&read, 200, &format!("{upstream}: get"));
        assert_eq!(read.json()["owner"], owner);
        let patched = send(
            gw.addr,
            "PATCH",
            &one,
            &[],
            Some(&json!({"enabled": false})),
        )
        .await;
        ok(&patched, 200, &format!("{upstream}: update"));
        assert_eq!(patched.json()["enabled"], false);
        assert_eq!(patched.json()["url"], "https://example.com/a");
        assert_eq!(patched.json()["owner"], owner);

        let listed = send(gw.addr, "GET", &webhooks(upstream, owner), &[], None).await;
        ok(&listed, 200, &format!("{upstream}: list"));
        assert_eq!(
            listed.json()["data"].as_array().unwrap().len(),
            1,
            "{upstream}"
        );
        let others = send(gw.addr, "GET", &webhooks(upstream, other), &[], None).await;
        ok(&others, 200, &format!("{upstream}: another owner's list"));
        assert_eq!(others.json()["data"], json!([]), "{upstream}");

        if upstream == "studio" {
            let before = journal(emu).await.len();
            let tested = send(gw.addr, "POST", &format!("{one}/test"), &[], None).await;
            ok(&tested, 200, "test");
            let seen = calls(emu, before).await;
            assert_eq!(
                seen,
                [
                    format!("GET /v2/webhooks/{id}"),
                    format!("POST /v2/webhooks/{id}/ping")
                ]
            );
        }
        let deleted = send(gw.addr, "DELETE", &one, &[], None).await;
        ok(&deleted, 204, &format!("{upstream}: delete"));
        let gone = send(gw.addr, "GET", &one, &[], None).await;
        ok(&gone, 404, &format!("{upstream}: deleted"));
    }
    // Desk's list names the workspace in its query.
    let desk = calls(gw.emulators["desk"], 0).await;
    assert!(
        desk.iter()
            .any(|c| c == "GET /api/1.0/webhooks?workspace=ws1"),
        "{desk:?}"
    );
}

#[tokio::test]
async fn another_owners_webhook_is_neither_shown_nor_changed() {
    let gw = scoped_gateway().await;
    for (upstream, owner, other) in VENDORS {
        let emu = gw.emulators[upstream];
        let id = create(gw.addr, upstream, owner, "https://example.com/kept").await;
        let before = journal(emu).await.len();
        let theirs = format!("{}/{id}", webhooks(upstream, other));
        let attempts = [
            ("GET", None),
            ("PATCH", Some(json!({"url": "https://example.com/taken"}))),
            ("PATCH", Some(json!({"enabled": false}))),
            ("DELETE", None),
            ("POST /test", None),
        ];
        for (method, body) in &attempts {
            let (method, path) = match method.split_once(' ') {
                Some((m, tail)) => (m, format!("{theirs}{tail}")),
                None => (*method, theirs.clone()),
            };
            // A vendor without a test call has nothing to confirm: 501 before any call.
            if path.ends_with("/test") && upstream != "studio" {
                continue;
            }
            let answer = send(gw.addr, method, &path, &[], body.as_ref()).await;
            ok(
                &answer,
                404,
                &format!("{upstream}: {method} as another owner"),
            );
            assert_eq!(answer.json()["code"], "not_found");
        }
        // Each attempt was a read of the webhook, never a write, a delete or a test.
        let seen = calls(emu, before).await;
        let made = attempts.len() - usize::from(upstream != "studio");
        assert_eq!(seen.len(), made, "{upstream}: {seen:?}");
        assert!(
            seen.iter().all(|c| c.starts_with("GET ")),
            "{upstream}: {seen:?}"
        );

        let mine = send(
            gw.addr,
            "GET",
            &format!("{}/{id}", webhooks(upstream, owner)),
            &[],
            None,
        )
        .await;
        ok(&mine, 200, &format!("{upstream}: the owner's read"));
        assert_eq!(mine.json()["url"], "https://example.com/kept", "{upstream}");
        assert_eq!(mine.json()["enabled"], true, "{upstream}");
    }
}

#[tokio::test]
async fn a_sub_resource_found_by_id_alone_is_confirmed_too() {
    let gw = scoped_gateway().await;
    let emu = gw.emulators["studio"];
    let id = create(gw.addr, "studio", "1234", "https://example.com/h").await;
    let change = json!({"headers": {"X-Env": "prod"}});
    let before = journal(emu).await.len();
    let theirs = format!("{}/{id}", webhooks("studio", "5678"));
    let refused = send(gw.addr, "PATCH", &theirs, &[], Some(&change)).await;
    ok(&refused, 404, "another team's headers");
    assert_eq!(calls(emu, before).await, [format!("GET /v2/webhooks/{id}")]);

    let mine = format!("{}/{id}", webhooks("studio", "1234"));
    let before = journal(emu).await.len();
    let changed = send(gw.addr, "PATCH", &mine, &[], Some(&change)).await;
    ok(&changed, 200, "the team's own headers");
    assert_eq!(changed.json()["headers"], json!({"X-Env": "prod"}));
    let seen = calls(emu, before).await;
    assert_eq!(seen[0], format!("GET /v2/webhooks/{id}"), "{seen:?}");
    assert!(
        seen.contains(&format!("PUT /v2/webhooks/{id}/headers")),
        "{seen:?}"
    );
    let read = send(
        emu,
        "GET",
        &format!("/v2/webhooks/{id}/headers"),
        &[BEARER],
        None,
    )
    .await;
    assert_eq!(read.json()["headers"], json!({"X-Env": "prod"}));
}

/// A Studio double: it answers every read with `team_id` as given (or none), as a vendor that
/// finds webhooks by id alone does.
fn studio_webhook(team: Option<&str>) -> Value {
    let mut w = json!({"id": 9, "endpoint": "https://example.com/h", "event_type": "FILE_UPDATE", "active": true});
    if let Some(team) = team {
        w["team_id"] = Value::from(team);
    }
    w
}

#[tokio::test]
async fn a_vendor_that_finds_by_id_alone_is_asked_whose_first() {
    let base = webhooks("studio", "1234");
    // Another team's webhook: a 404, and only the read went out.
    for (method, body) in [
        ("GET", None),
        ("DELETE", None),
        ("PATCH", Some(json!({"description": "x"}))),
    ] {
        let double = Double::start(vec![Reply::json(200, studio_webhook(Some("5678")))]).await;
        let gw = gateway_over(DIR, "studio", &double).await;
        let answer = send(gw.addr, method, &format!("{base}/9"), &[], body.as_ref()).await;
        ok(&answer, 404, method);
        let seen = double.seen();
        assert_eq!(seen.len(), 1, "{method}: {seen:?}");
        assert_eq!(
            (seen[0].method.as_str(), seen[0].path.as_str()),
            ("GET", "/v2/webhooks/9")
        );
    }
    // An answer that does not say whose the webhook is cannot be shown or acted on.
    for method in ["GET", "DELETE"] {
        let double = Double::start(vec![Reply::json(200, studio_webhook(None))]).await;
        let gw = gateway_over(DIR, "studio", &double).await;
        let answer = send(gw.addr, method, &format!("{base}/9"), &[], None).await;
        ok(&answer, 502, method);
        assert!(
            answer.json()["detail"]
                .as_str()
                .unwrap()
                .contains("without its owner")
        );
        assert_eq!(double.seen().len(), 1, "{method}");
    }
    // A vendor that writes the team as a number is read as its decimal text.
    let mut numbered = studio_webhook(None);
    numbered["team_id"] = json!(1234);
    let double = Double::start(vec![Reply::json(200, numbered)]).await;
    let gw = gateway_over(DIR, "studio", &double).await;
    let answer = send(gw.addr, "GET", &format!("{base}/9"), &[], None).await;
    ok(&answer, 200, "a team written as a number");

    // The team's own: the read confirms it, then the delete goes out.
    let double = Double::start(vec![
        Reply::json(200, studio_webhook(Some("1234"))),
        Reply::json(200, studio_webhook(Some("1234"))),
    ])
    .await;
    let gw = gateway_over(DIR, "studio", &double).await;
    let answer = send(gw.addr, "DELETE", &format!("{base}/9"), &[], None).await;
    ok(&answer, 204, "delete");
    let seen: Vec<_> = double
        .seen()
        .iter()
        .map(|s| format!("{} {}", s.method, s.path))
        .collect();
    assert_eq!(seen, ["GET /v2/webhooks/9", "DELETE /v2/webhooks/9"]);
}

#[tokio::test]
async fn a_read_made_first_anyway_is_the_one_that_confirms() {
    // Studio with updates read, merged and written whole: the read before the write confirms
    // the owner, and no second read is made.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(format!("{DIR}/studio.toml")).unwrap().replace(
        "path = \"/v2/webhooks/{id}\"\nbody = \"{{webhook}}\"\nresponse",
        "path = \"/v2/webhooks/{id}\"\nbody = \"{{webhook}}\"\nstrategy = \"read_merge_write\"\nresponse",
    );
    assert!(text.contains("read_merge_write"));
    std::fs::write(dir.path().join("studio.toml"), text).unwrap();
    let mappings = dir.path().to_str().unwrap();
    let one = format!("{}/9", webhooks("studio", "1234"));
    let patch = json!({"description": "x"});

    let double = Double::start(vec![
        Reply::json(200, studio_webhook(Some("1234"))),
        Reply::json(200, studio_webhook(Some("1234"))),
    ])
    .await;
    let gw = gateway_over(mappings, "studio", &double).await;
    let answer = send(gw.addr, "PATCH", &one, &[], Some(&patch)).await;
    ok(&answer, 200, "the team's own update");
    let seen: Vec<_> = double
        .seen()
        .iter()
        .map(|s| format!("{} {}", s.method, s.path))
        .collect();
    assert_eq!(seen, ["GET /v2/webhooks/9", "PUT /v2/webhooks/9"]);
    // The whole webhook is written back, the owner it was read with left out of an update.
    let written = double.seen()[1].json().unwrap();
    assert_eq!(written["description"], "x");
    assert!(written.get("team_id").is_none(), "{written}");

    let double = Double::start(vec![Reply::json(200, studio_webhook(Some("5678")))]).await;
    let gw = gateway_over(mappings, "studio", &double).await;
    let answer = send(gw.addr, "PATCH", &one, &[], Some(&patch)).await;
    ok(&answer, 404, "another team's update");
    assert_eq!(double.seen().len(), 1);
}

#[tokio::test]
async fn the_emulators_find_by_id_and_ask_for_the_owner_where_the_vendor_does() {
    let gw = scoped_gateway().await;
    let studio = gw.emulators["studio"];
    let id = create(gw.addr, "studio", "5678", "https://example.com/s").await;
    // Read by its id alone, whoever owns it; its answer says whose it is.
    let read = send(
        studio,
        "GET",
        &format!("/v2/webhooks/{id}"),
        &[BEARER],
        None,
    )
    .await;
    ok(&read, 200, "the vendor's read by id");
    assert_eq!(read.json()["team_id"], "5678");
    // A create without the team is refused in the vendor's shape, naming the member.
    let missing = send(
        studio,
        "POST",
        "/v2/webhooks",
        &[BEARER],
        Some(&json!({"endpoint": "https://example.com/x", "event_type": "FILE_UPDATE"})),
    )
    .await;
    ok(&missing, 400, "a create without its team");
    assert!(
        missing.json()["message"]
            .as_str()
            .unwrap()
            .contains("team_id"),
        "{:?}",
        missing.json()
    );

    let desk = gw.emulators["desk"];
    let no_workspace = send(desk, "GET", "/api/1.0/webhooks", &[BEARER], None).await;
    ok(&no_workspace, 400, "a list without its workspace");
    let message = no_workspace.json()["errors"][0]["message"].clone();
    assert!(message.as_str().unwrap().contains("workspace"), "{message}");
    let no_workspace = send(
        desk,
        "POST",
        "/api/1.0/webhooks",
        &[BEARER],
        Some(&json!({"data": {"target": "https://example.com/d", "filters": ["a"]}})),
    )
    .await;
    ok(&no_workspace, 400, "a create without its workspace");
    let message = no_workspace.json()["errors"][0]["message"].clone();
    assert!(message.as_str().unwrap().contains("workspace"), "{message}");
    let created = send(
        desk,
        "POST",
        "/api/1.0/webhooks",
        &[BEARER],
        Some(&json!({"data": {"workspace": "ws9", "target": "https://example.com/d", "filters": ["a"]}})),
    )
    .await;
    ok(&created, 201, "the vendor's create");
    assert_eq!(created.json()["data"]["workspace"], "ws9");
    let listed = send(
        desk,
        "GET",
        "/api/1.0/webhooks?workspace=ws9",
        &[BEARER],
        None,
    )
    .await;
    ok(&listed, 200, "the vendor's list");
    assert_eq!(listed.json()["data"].as_array().unwrap().len(), 1);
    let elsewhere = send(
        desk,
        "GET",
        "/api/1.0/webhooks?workspace=ws8",
        &[BEARER],
        None,
    )
    .await;
    assert_eq!(elsewhere.json()["data"], json!([]));
}

#[tokio::test]
async fn surfaces_carry_an_owner_named_outside_the_path() {
    let gw = scoped_gateway().await;
    let body = json!({"team_id": "4242", "endpoint": "https://example.com/t", "event_type": "FILE_UPDATE"});
    // Studio's clients over Desk: the team is the workspace, in the create's body and back.
    let created = send(
        gw.addr,
        "POST",
        "/studio-on-desk/v2/webhooks",
        &[BEARER],
        Some(&body),
    )
    .await;
    ok(&created, 200, "create through the surface");
    assert_eq!(created.json()["team_id"], "4242");
    let id = created.json()["id"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| created.json()["id"].to_string());
    let desk = calls(gw.emulators["desk"], 0).await;
    assert!(
        desk.iter().any(|c| c == "POST /api/1.0/webhooks"),
        "{desk:?}"
    );
    let read = send(
        gw.addr,
        "GET",
        &format!("/studio-on-desk/v2/webhooks/{id}"),
        &[BEARER],
        None,
    )
    .await;
    ok(&read, 200, "read by id through the surface");
    assert_eq!(read.json()["team_id"], "4242");
    let listed = send(
        gw.addr,
        "GET",
        "/studio-on-desk/v2/teams/4242/webhooks",
        &[BEARER],
        None,
    )
    .await;
    ok(&listed, 200, "list through the surface");
    assert_eq!(listed.json()["webhooks"].as_array().unwrap().len(), 1);
    let desk = calls(gw.emulators["desk"], 0).await;
    assert!(
        desk.iter()
            .any(|c| c.starts_with("GET /api/1.0/webhooks?workspace=4242")),
        "{desk:?}"
    );

    // Studio's clients over Relay, which names its project on every call: the surface's
    // configured owner is the project for a call that names none.
    let created = send(
        gw.addr,
        "POST",
        "/studio-on-relay/v2/webhooks",
        &[BEARER],
        Some(&json!({"team_id": "p1", "endpoint": "https://example.com/r", "event_type": "a"})),
    )
    .await;
    ok(&created, 200, "create over relay");
    let id = created.json()["id"].to_string();
    let read = send(
        gw.addr,
        "GET",
        &format!("/studio-on-relay/v2/webhooks/{id}"),
        &[BEARER],
        None,
    )
    .await;
    ok(&read, 200, "read over relay");
    let relay = calls(gw.emulators["relay"], 0).await;
    assert!(
        relay
            .iter()
            .any(|c| c == &format!("GET /api/projects/p1/hooks/{id}")),
        "{relay:?}"
    );
    // It serves that one project: another named in a list or a create's body is not found.
    let other = send(
        gw.addr,
        "GET",
        "/studio-on-relay/v2/teams/p2/webhooks",
        &[BEARER],
        None,
    )
    .await;
    ok(&other, 404, "another project's list");
    let body = json!({"team_id": "p2", "endpoint": "https://example.com/r", "event_type": "a"});
    let other = send(
        gw.addr,
        "POST",
        "/studio-on-relay/v2/webhooks",
        &[BEARER],
        Some(&body),
    )
    .await;
    ok(&other, 404, "a create for another project");
    let listed = send(
        gw.addr,
        "GET",
        "/studio-on-relay/v2/teams/p1/webhooks",
        &[BEARER],
        None,
    )
    .await;
    ok(&listed, 200, "the project's own list");

    // Relay's clients over Studio: the project in the path is the team, confirmed on read.
    let mine = create(gw.addr, "studio", "1234", "https://example.com/m").await;
    let read = send(
        gw.addr,
        "GET",
        &format!("/relay-on-studio/api/projects/1234/hooks/{mine}"),
        &[BEARER],
        None,
    )
    .await;
    ok(&read, 200, "relay's read over studio");
    let wrong = send(
        gw.addr,
        "GET",
        &format!("/relay-on-studio/api/projects/5678/hooks/{mine}"),
        &[BEARER],
        None,
    )
    .await;
    ok(&wrong, 404, "relay's read of another project");
    assert_eq!(wrong.json()["error"]["kind"], "missing");
}

#[test]
fn a_surface_that_cannot_know_the_owner_is_refused_at_load() {
    let config = format!(
        "listen = \"127.0.0.1:0\"\nmappings_dir = {DIR:?}\n[inbound_auth]\nmode = \"off\"\n\
         [upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [surfaces.s]\ndialect = \"studio\"\nupstream = \"relay\"\nprefix = \"/s\"\n"
    );
    let figment = figment::Figment::from(figment::providers::Serialized::defaults(
        hookgate::config::RawConfig::default(),
    ))
    .merge(figment::providers::Toml::string(&config));
    let config = hookgate::config::from_figment(&figment, "test").unwrap();
    let message = match hookgate::setup::load(config) {
        Ok(_) => panic!("loaded"),
        Err(e) => e.to_string(),
    };
    assert!(message.contains("surfaces.s.owner"), "{message}");
    assert!(message.contains("by its id alone"), "{message}");
}

/// A file of an owner-scoped dialect whose list, get and delete are spelt as given.
fn scoped(fields: &str, list: &str, get: &str, delete: &str) -> String {
    format!(
        r#"
[dialect]
owner = "team"
[fields.id]
path = "$.id"
in = ["response"]
[fields.url]
path = "$.url"
{fields}
[operations.list]
method = "GET"
{list}
response = "{{{{items}}}}"
[operations.get]
method = "GET"
path = "{get}"
response = "{{{{webhook}}}}"
[operations.delete]
method = "DELETE"
path = "{delete}"
status = 204
[errors]
[errors.render.default]
body = {{ message = "{{{{message}}}}" }}
"#
    )
}

fn load_errors(text: &str) -> Vec<String> {
    match Dialect::compile("d", Path::new("d.toml"), text) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .iter()
            .map(|e| format!("{}: {}", e.key, e.message))
            .collect(),
    }
}

#[test]
fn where_the_owner_goes_is_checked_at_load() {
    let owner_read = "[fields.owner]\npath = \"$.team\"\nin = [\"response\"]";
    // Accepted: the owner in the path, in a query parameter, or left out of a webhook's own
    // calls where the answer says whose it is.
    for (fields, list, get, delete) in [
        (
            "",
            "path = \"/t/{owner}/w\"",
            "/t/{owner}/w/{id}",
            "/t/{owner}/w/{id}",
        ),
        (
            owner_read,
            "path = \"/w\"\nquery = { team = \"{{owner}}\" }",
            "/w/{id}",
            "/w/{id}",
        ),
        (
            "",
            "path = \"/t/{owner}/w\"",
            "/t/{owner}/w/{id}",
            "/w/{id}",
        ),
    ] {
        let errors = load_errors(&scoped(fields, list, get, delete));
        assert!(errors.is_empty(), "{list} {get} {delete}: {errors:?}");
    }
    // Refused: a list that names no owner; a webhook's call that names none where nothing
    // says whose the webhook is; `{{owner}}` without an owner scope.
    let errors = load_errors(&scoped(owner_read, "path = \"/w\"", "/w/{id}", "/w/{id}"));
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("operations.list.path") && e.contains("names no owner")),
        "{errors:?}"
    );
    let resource = |get: &str| {
        scoped(owner_read, "path = \"/t/{owner}/w\"", get, "/t/{owner}/w/{id}").replace(
            "[errors]",
            "[resources.h]\nget = { method = \"GET\", path = \"/w/{id}/h\" }\n[resources.h.fields.headers]\npath = \"$.h\"\n[errors]",
        )
    };
    assert!(load_errors(&resource("/t/{owner}/w/{id}")).is_empty());
    assert!(load_errors(&resource("/t/{owner}/w/{id}").replace(owner_read, "")).is_empty());
    let errors = load_errors(&resource("/w/{id}").replace(owner_read, ""));
    assert!(
        errors.iter().any(|e| e.starts_with("resources.h.get.path")),
        "{errors:?}"
    );
    let errors = load_errors(&scoped("", "path = \"/t/{owner}/w\"", "/w/{id}", "/w/{id}"));
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("operations.get.path") && e.contains("nothing confirms")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("operations.delete.path")),
        "{errors:?}"
    );
    let upsert = scoped("", "path = \"/t/{owner}/w\"", "/t/{owner}/w/{id}", "/w/{id}")
        .replace("[operations.delete]", "[operations.update]\nmethod = \"PUT\"\npath = \"/w/{id}\"\nbody = \"{{webhook}}\"\nresponse = \"{{webhook}}\"\nupsert = true\n[operations.delete]");
    let errors = load_errors(&upsert);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("operations.update.upsert")),
        "{errors:?}"
    );
    let unscoped = scoped(
        "",
        "path = \"/w\"\nquery = { team = \"{{owner}}\" }",
        "/w/{id}",
        "/w/{id}",
    )
    .replace("owner = \"team\"", "");
    let errors = load_errors(&unscoped);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("operations.list.query.team") && e.contains("owner")),
        "{errors:?}"
    );
}

/// Tally emulated, a Tally surface relaying to it, and a Tally surface over Desk.
async fn tenant_gateway() -> hookgate::app::Running {
    emulated(
        &["tally", "desk"],
        &[
            ("tally", "tally", "tally", None),
            ("tally-on-desk", "tally", "desk", None),
        ],
    )
    .await
}

#[tokio::test]
async fn an_owner_in_a_header_goes_with_every_call() {
    let gw = tenant_gateway().await;
    let emu = gw.emulators["tally"];
    let id = create(gw.addr, "tally", "t-1", "https://example.com/t").await;
    let one = format!("{}/{id}", webhooks("tally", "t-1"));
    ok(&send(gw.addr, "GET", &one, &[], None).await, 200, "get");
    let patched = send(
        gw.addr,
        "PATCH",
        &one,
        &[],
        Some(&json!({"enabled": false})),
    )
    .await;
    ok(&patched, 200, "update");
    assert_eq!(patched.json()["owner"], "t-1");
    let listed = send(gw.addr, "GET", &webhooks("tally", "t-1"), &[], None).await;
    assert_eq!(listed.json()["data"].as_array().unwrap().len(), 1);
    // Every call named the tenant, and the file's literal header, the vendor's way.
    let entries = journal(emu).await;
    assert_eq!(entries.len(), 4, "{entries:?}");
    for e in &entries {
        assert_eq!(e["headers"]["tally-tenant-id"], "t-1", "{e}");
        assert_eq!(e["headers"]["tally-version"], "2024-01", "{e}");
        assert!(!e["path"].as_str().unwrap().contains("t-1"), "{e}");
    }
    // The vendor scopes by the header: another tenant has nothing, and nothing is changed.
    let theirs = format!("{}/{id}", webhooks("tally", "t-2"));
    for method in ["GET", "DELETE"] {
        ok(
            &send(gw.addr, method, &theirs, &[], None).await,
            404,
            method,
        );
    }
    let others = send(gw.addr, "GET", &webhooks("tally", "t-2"), &[], None).await;
    assert_eq!(others.json()["data"], json!([]));
    ok(
        &send(gw.addr, "GET", &one, &[], None).await,
        200,
        "still there",
    );
}

#[tokio::test]
async fn a_surface_takes_and_relays_an_owner_in_a_header() {
    let gw = tenant_gateway().await;
    let emu = gw.emulators["tally"];
    // The vendor's own API: a call without its tenant is refused, naming the header.
    let bare = send(emu, "GET", "/api/webhooks", &[BEARER], None).await;
    ok(&bare, 400, "a list without its tenant");
    assert!(
        bare.json()["Detail"]
            .as_str()
            .unwrap()
            .contains("tally-tenant-id"),
        "{:?}",
        bare.json()
    );
    // Relayed as it is, header and all.
    let tenant = ("Tally-Tenant-Id", "t-3");
    let body = json!({"url": "https://example.com/r", "eventTypes": ["INVOICE.CREATED"]});
    let created = send(
        gw.addr,
        "POST",
        "/tally/api/webhooks",
        &[BEARER, tenant],
        Some(&body),
    )
    .await;
    ok(&created, 200, "a create through the relaying surface");
    let listed = send(gw.addr, "GET", &webhooks("tally", "t-3"), &[], None).await;
    assert_eq!(
        listed.json()["data"].as_array().unwrap().len(),
        1,
        "{:?}",
        listed.json()
    );
    let listed = send(
        gw.addr,
        "GET",
        "/tally/api/webhooks",
        &[BEARER, ("Tally-Tenant-Id", "t-4")],
        None,
    )
    .await;
    ok(&listed, 200, "another tenant's list through the surface");
    assert_eq!(listed.json()["webhooks"], json!([]));

    // Over Desk: the tenant in the header is the workspace in Desk's query.
    let created = send(
        gw.addr,
        "POST",
        "/tally-on-desk/api/webhooks",
        &[BEARER, ("Tally-Tenant-Id", "t-5")],
        Some(&body),
    )
    .await;
    ok(&created, 200, "a create over desk");
    let id = created.json()["webhooks"][0]["webhookId"]
        .as_str()
        .unwrap()
        .to_owned();
    let desk = calls(gw.emulators["desk"], 0).await;
    assert_eq!(desk, ["POST /api/1.0/webhooks"]);
    let listed = send(gw.addr, "GET", &webhooks("desk", "t-5"), &[], None).await;
    assert_eq!(listed.json()["data"][0]["id"], id.as_str());
    let read = send(
        gw.addr,
        "GET",
        &format!("/tally-on-desk/api/webhooks/{id}"),
        &[BEARER, ("Tally-Tenant-Id", "t-5")],
        None,
    )
    .await;
    ok(&read, 200, "a read over desk");
    let wrong = send(
        gw.addr,
        "GET",
        &format!("/tally-on-desk/api/webhooks/{id}"),
        &[BEARER, ("Tally-Tenant-Id", "t-6")],
        None,
    )
    .await;
    ok(&wrong, 404, "another tenant's read over desk");
    assert_eq!(wrong.json()["Title"], "Not Found");
}

#[tokio::test]
async fn a_header_owner_reaches_a_vendor_double() {
    let answer = json!({"webhooks": [{"webhookId": "w1", "url": "https://example.com/d", "eventTypes": ["A"], "isActive": true}]});
    let double = Double::start(vec![Reply::json(200, answer)]).await;
    let gw = gateway_over(DIR, "tally", &double).await;
    let read = send(
        gw.addr,
        "GET",
        &format!("{}/w1", webhooks("tally", "t-9")),
        &[],
        None,
    )
    .await;
    ok(&read, 200, "get");
    assert_eq!(read.json()["owner"], "t-9");
    let seen = double.seen();
    assert_eq!(seen[0].path, "/api/webhooks/w1");
    assert_eq!(seen[0].headers["tally-tenant-id"], "t-9");
    assert_eq!(seen[0].headers["tally-version"], "2024-01");

    // Without a declared owner format, an owner that no header can carry (a control
    // character) is refused before any call, whether the header holds it alone or in text.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(format!("{DIR}/tally.toml"))
        .unwrap()
        .replace("owner_format = { pattern = \"t-[0-9]+\" }\n", "")
        .replace(
            "Tally-Tenant-Id = \"{{owner}}\"",
            "Tally-Tenant-Id = \"org:{{owner}}\"",
        );
    assert!(!text.contains("owner_format") && text.contains("org:{{owner}}"));
    std::fs::write(dir.path().join("tally.toml"), text).unwrap();
    let answer = json!({"webhooks": [{"webhookId": "w1", "url": "https://example.com/d", "eventTypes": ["A"], "isActive": true}]});
    let double = Double::start(vec![Reply::json(200, answer)]).await;
    let gw = gateway_over(dir.path().to_str().unwrap(), "tally", &double).await;
    let read = send(
        gw.addr,
        "GET",
        &format!("{}/w1", webhooks("tally", "t-9")),
        &[],
        None,
    )
    .await;
    ok(&read, 200, "get, the tenant within text");
    assert_eq!(double.seen()[0].headers["tally-tenant-id"], "org:t-9");
    let bad = send(
        gw.addr,
        "GET",
        "/v1/upstreams/tally/owners/t%01x/webhooks/w1",
        &[],
        None,
    )
    .await;
    ok(&bad, 400, "an owner no header can carry");
    assert!(
        bad.json()["detail"].as_str().unwrap().contains("header"),
        "{:?}",
        bad.json()
    );
    assert_eq!(double.seen().len(), 1, "only the first read went out");
}

#[test]
fn request_headers_are_checked_at_load() {
    let with = |headers: &str, owner: bool| {
        let text = scoped(
            "",
            "path = \"/w\"\nquery = { team = \"{{owner}}\" }",
            "/t/{owner}/w/{id}",
            "/t/{owner}/w/{id}",
        )
        .replace(
            "[operations.delete]",
            &format!("headers = {headers}\n[operations.delete]"),
        );
        let text = if owner {
            text
        } else {
            text.replace("owner = \"team\"", "")
                .replace("query = { team = \"{{owner}}\" }", "")
                .replace("{owner}/", "")
        };
        load_errors(&text)
    };
    assert!(with("{ X-Team = \"{{owner}}\", X-Version = \"2\" }", true).is_empty());
    let errors = with("{ Authorization = \"x\" }", true);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("headers.Authorization") && e.contains("itself")),
        "{errors:?}"
    );
    let errors = with("{ X-Team = \"{{owner}}\" }", false);
    assert!(
        errors.iter().any(|e| e.contains("headers.X-Team")),
        "{errors:?}"
    );
    let errors = with("{ X-Team = \"{{limit}}\" }", true);
    assert!(
        errors.iter().any(|e| e.contains("headers.X-Team")),
        "{errors:?}"
    );
}

/// Stream emulated, a Stream surface relaying to it, Stream over Tariff (ids in paths) and
/// Tariff over Stream.
async fn stream_gateway() -> hookgate::app::Running {
    emulated(
        &["stream", "tariff"],
        &[
            ("stream", "stream", "stream", None),
            ("stream-on-tariff", "stream", "tariff", None),
            ("tariff-on-stream", "tariff", "stream", None),
        ],
    )
    .await
}

#[tokio::test]
async fn an_id_in_the_query_reads_and_deletes_one_webhook() {
    let gw = stream_gateway().await;
    let emu = gw.emulators["stream"];
    let base = "/v1/upstreams/stream/webhooks";
    let mut ids = Vec::new();
    for url in ["https://example.com/1", "https://example.com/2"] {
        let created = send(
            gw.addr,
            "POST",
            base,
            &[],
            Some(&json!({"url": url, "events": ["channel.follow"]})),
        )
        .await;
        ok(&created, 201, "create");
        ids.push(created.json()["id"].as_str().unwrap().to_owned());
    }
    let read = send(gw.addr, "GET", &format!("{base}/{}", ids[1]), &[], None).await;
    ok(&read, 200, "get");
    assert_eq!(read.json()["url"], "https://example.com/2");
    let deleted = send(gw.addr, "DELETE", &format!("{base}/{}", ids[0]), &[], None).await;
    ok(&deleted, 204, "delete");
    let listed = send(gw.addr, "GET", base, &[], None).await;
    let left: Vec<_> = listed.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].clone())
        .collect();
    assert_eq!(left, [json!(ids[1])]);
    let seen = calls(emu, 0).await;
    assert!(
        seen.contains(&format!("GET /helix/eventsub/subscriptions?id={}", ids[1])),
        "{seen:?}"
    );
    assert!(
        seen.contains(&format!(
            "DELETE /helix/eventsub/subscriptions?id={}",
            ids[0]
        )),
        "{seen:?}"
    );
    assert!(
        seen.contains(&"GET /helix/eventsub/subscriptions".to_owned()),
        "{seen:?}"
    );
    // An id that is not the vendor's shape never reaches it.
    let before = seen.len();
    ok(
        &send(gw.addr, "GET", &format!("{base}/not-a-uuid"), &[], None).await,
        404,
        "a foreign id",
    );
    assert_eq!(calls(emu, 0).await.len(), before);
}

#[tokio::test]
async fn the_vendors_own_api_tells_a_get_from_its_list_by_the_id() {
    let gw = stream_gateway().await;
    let emu = gw.emulators["stream"];
    let path = "/helix/eventsub/subscriptions";
    let body =
        json!({"type": "channel.follow", "transport": {"callback": "https://example.com/c"}});
    let created = send(emu, "POST", path, &[BEARER], Some(&body)).await;
    ok(&created, 202, "the vendor's create");
    let id = created.json()["data"][0]["id"].as_str().unwrap().to_owned();
    let listed = send(emu, "GET", path, &[BEARER], None).await;
    ok(&listed, 200, "the list: no id");
    assert_eq!(listed.json()["data"].as_array().unwrap().len(), 1);
    let read = send(emu, "GET", &format!("{path}?id={id}"), &[BEARER], None).await;
    ok(&read, 200, "the get: an id");
    assert_eq!(read.json()["data"][0]["id"], id.as_str());
    let missing = send(
        emu,
        "GET",
        &format!("{path}?id={}", uuid_other(&id)),
        &[BEARER],
        None,
    )
    .await;
    ok(&missing, 404, "an unknown id");
    // A delete without its id is refused, naming the parameter; nothing is deleted.
    let bare = send(emu, "DELETE", path, &[BEARER], None).await;
    ok(&bare, 400, "a delete without its id");
    assert!(
        bare.json()["message"].as_str().unwrap().contains("id"),
        "{:?}",
        bare.json()
    );
    let gone = send(emu, "DELETE", &format!("{path}?id={id}"), &[BEARER], None).await;
    ok(&gone, 204, "the delete");
    assert_eq!(
        send(emu, "GET", path, &[BEARER], None).await.json()["data"],
        json!([])
    );

    // Through surfaces: relayed as it is, and translated (over Tariff, ids in its paths).
    let mut id = String::new();
    for prefix in ["/stream", "/stream-on-tariff"] {
        let created = send(
            gw.addr,
            "POST",
            &format!("{prefix}{path}"),
            &[BEARER],
            Some(&body),
        )
        .await;
        ok(&created, 202, &format!("{prefix}: create"));
        id = created.json()["data"][0]["id"].as_str().unwrap().to_owned();
        let one = format!("{prefix}{path}?id={id}");
        let read = send(gw.addr, "GET", &one, &[BEARER], None).await;
        ok(&read, 200, &format!("{prefix}: get"));
        assert_eq!(read.json()["data"][0]["id"], id.as_str());
        let gone = send(gw.addr, "DELETE", &one, &[BEARER], None).await;
        ok(&gone, 204, &format!("{prefix}: delete"));
        let read = send(gw.addr, "GET", &one, &[BEARER], None).await;
        ok(&read, 404, &format!("{prefix}: deleted"));
    }
    let tariff = calls(gw.emulators["tariff"], 0).await;
    assert!(
        tariff.contains(&format!("GET /v1/webhook_endpoints/{id}")),
        "{tariff:?}"
    );
    assert!(
        tariff.contains(&format!("DELETE /v1/webhook_endpoints/{id}")),
        "{tariff:?}"
    );

    let made = send(
        gw.addr,
        "POST",
        "/v1/upstreams/stream/webhooks",
        &[],
        Some(&json!({"url": "https://example.com/t", "events": ["channel.follow"]})),
    )
    .await;
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let read = send(
        gw.addr,
        "GET",
        &format!("/tariff-on-stream/v1/webhook_endpoints/{id}"),
        &[BEARER],
        None,
    )
    .await;
    ok(&read, 200, "tariff over stream: get");
    assert_eq!(read.json()["url"], "https://example.com/t");
    let stream = calls(emu, 0).await;
    assert!(
        stream.contains(&format!("GET /helix/eventsub/subscriptions?id={id}")),
        "{stream:?}"
    );
}

/// Another UUID than `id`, of the same shape.
fn uuid_other(id: &str) -> String {
    let last = if id.ends_with('0') { '1' } else { '0' };
    format!("{}{last}", &id[..id.len() - 1])
}

#[test]
fn where_the_id_goes_is_checked_at_load() {
    let file = |get: &str| {
        format!(
            r#"
[dialect]
[fields.id]
path = "$.id"
in = ["response"]
[operations.list]
method = "GET"
path = "/w"
query = {{ after = "{{{{cursor}}}}" }}
response = "{{{{items}}}}"
[operations.get]
method = "GET"
{get}
response = "{{{{webhook}}}}"
[errors]
[errors.render.default]
body = {{ message = "{{{{message}}}}" }}
"#
        )
    };
    for fine in [
        "path = \"/w/{id}\"",
        "path = \"/w\"\nquery = { id = \"{{id}}\" }",
        "path = \"/w\"\nheaders = { X-Id = \"{{id}}\" }",
    ] {
        assert!(
            load_errors(&file(fine)).is_empty(),
            "{fine}: {:?}",
            load_errors(&file(fine))
        );
    }
    let errors = load_errors(&file("path = \"/w\""));
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("operations.get.path") && e.contains("{id}")),
        "{errors:?}"
    );
    let errors = load_errors(&file("path = \"/w\"\nquery = { id = \"x-{{id}}\" }"));
    assert!(
        errors.iter().any(|e| e.starts_with("operations.get.path")),
        "{errors:?}"
    );
    // A list has no id to send.
    let errors = load_errors(
        &file("path = \"/w/{id}\"").replace("after = \"{{cursor}}\"", "id = \"{{id}}\""),
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("operations.list.query.id")),
        "{errors:?}"
    );
}

#[tokio::test]
async fn an_owner_or_id_outside_the_path_is_one_value_never_more() {
    let gw = scoped_gateway().await;
    // An owner that holds a query's separators stays one owner: it is encoded, not spliced.
    let sly = "ws1&workspace=ws2";
    let encoded = "ws1%26workspace%3Dws2";
    let created = send(
        gw.addr,
        "POST",
        &webhooks("desk", encoded),
        &[],
        Some(&json!({"url": "https://example.com/s", "events": ["a"]})),
    )
    .await;
    ok(&created, 201, "create under an owner with separators");
    assert_eq!(created.json()["owner"], sly);
    for (owner, count) in [(encoded, 1), ("ws1", 0), ("ws2", 0)] {
        let listed = send(gw.addr, "GET", &webhooks("desk", owner), &[], None).await;
        ok(&listed, 200, owner);
        assert_eq!(
            listed.json()["data"].as_array().unwrap().len(),
            count,
            "{owner}"
        );
    }
    let desk = calls(gw.emulators["desk"], 0).await;
    assert!(
        desk.iter()
            .any(|c| c == &format!("GET /api/1.0/webhooks?workspace={encoded}")),
        "{desk:?}"
    );

    // Given twice, in the query or as a header, it is refused in the vendor's shape: which of
    // the two a parser takes is not to be guessed where it finds webhooks.
    let twice = send(
        gw.emulators["desk"],
        "GET",
        "/api/1.0/webhooks?workspace=ws1&workspace=ws2",
        &[BEARER],
        None,
    )
    .await;
    ok(&twice, 400, "a workspace given twice");
    let message = twice.json()["errors"][0]["message"].clone();
    assert!(
        message.as_str().unwrap().contains("more than once"),
        "{message}"
    );

    let gw = tenant_gateway().await;
    for target in [gw.emulators["tally"].to_string(), gw.addr.to_string()] {
        let prefix = if target == gw.addr.to_string() {
            "/tally"
        } else {
            ""
        };
        let answer = send_raw_headers(
            target.parse().unwrap(),
            &format!("{prefix}/api/webhooks"),
            &[
                ("authorization", "Bearer t"),
                ("tally-tenant-id", "t-1"),
                ("tally-tenant-id", "t-2"),
            ],
        )
        .await;
        ok(&answer, 400, "a tenant given twice");
        assert!(
            answer.json()["Detail"]
                .as_str()
                .unwrap()
                .contains("more than once")
        );
    }
    // The emulator journals the request made to it; the surface relayed nothing.
    assert_eq!(journal(gw.emulators["tally"]).await.len(), 1);

    let gw = stream_gateway().await;
    let path = "/helix/eventsub/subscriptions?id=f1c2a387-161a-49f9-a165-0f21d7a4e1c4&id=f1c2a387-161a-49f9-a165-0f21d7a4e1c5";
    for (target, prefix) in [(gw.emulators["stream"], ""), (gw.addr, "/stream-on-tariff")] {
        let answer = send(
            target,
            "DELETE",
            &format!("{prefix}{path}"),
            &[BEARER],
            None,
        )
        .await;
        ok(&answer, 400, "an id given twice");
        assert!(
            answer.json()["message"]
                .as_str()
                .unwrap()
                .contains("more than once")
        );
    }
}

/// A GET with the headers given, repeated names kept apart.
async fn send_raw_headers(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
) -> support::Answer {
    support::send_raw(addr, "GET", path, headers, bytes::Bytes::new()).await
}

#[test]
fn a_preview_shows_the_read_that_confirms_the_owner() {
    let (shown, _) = support::translated(
        &format!(
            "mappings_dir = {DIR:?}\n[inbound_auth]\nmode = \"off\"\n\
             [upstreams.studio]\ndialect = \"studio\"\nbase_url = \"https://api.studio.example\"\nauth = {{ type = \"none\" }}\n"
        ),
        &[
            "--upstream",
            "studio",
            "--owner",
            "1234",
            "DELETE",
            "/webhooks/9",
        ],
    );
    let requests = shown["requests"].as_array().unwrap();
    let steps: Vec<_> = requests
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["method"].as_str().unwrap(),
                r["url"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            "GET https://api.studio.example/v2/webhooks/9",
            "DELETE https://api.studio.example/v2/webhooks/9"
        ]
    );
    let note = requests[0]["note"].as_str().unwrap();
    assert!(note.contains("by its id alone"), "{note}");
}

#[tokio::test]
async fn a_surface_found_by_id_over_an_upstream_without_owners_serves_its_one_owner() {
    let gw = emulated(
        &["tariff"],
        &[("studio-on-tariff", "studio", "tariff", Some("42"))],
    )
    .await;
    let path = "/studio-on-tariff/v2/webhooks";
    let body = |team: &str| json!({"team_id": team, "endpoint": "https://example.com/o", "event_type": "a"});
    let created = send(gw.addr, "POST", path, &[BEARER], Some(&body("42"))).await;
    ok(&created, 200, "a create for the one team served");
    assert_eq!(created.json()["team_id"], "42");
    // Tariff's ids are no integers: Studio's clients see them as Tariff writes them.
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let read = send(gw.addr, "GET", &format!("{path}/{id}"), &[BEARER], None).await;
    ok(&read, 200, "a read by id");
    assert_eq!(read.json()["team_id"], "42", "{:?}", read.json());
    let listed = send(
        gw.addr,
        "GET",
        "/studio-on-tariff/v2/teams/42/webhooks",
        &[BEARER],
        None,
    )
    .await;
    assert_eq!(listed.json()["webhooks"].as_array().unwrap().len(), 1);
    // Another team is not served: neither its create nor its list reaches the upstream.
    let other = send(gw.addr, "POST", path, &[BEARER], Some(&body("43"))).await;
    ok(&other, 404, "a create for another team");
    let other = send(
        gw.addr,
        "GET",
        "/studio-on-tariff/v2/teams/43/webhooks",
        &[BEARER],
        None,
    )
    .await;
    ok(&other, 404, "another team's list");
    let tariff = calls(gw.emulators["tariff"], 0).await;
    assert_eq!(
        tariff.iter().filter(|c| c.starts_with("POST")).count(),
        1,
        "{tariff:?}"
    );
}

/// Every test dialect that names the owner alone in a query parameter or a header, as a
/// vendor that writes it within text of its own there (Calendly's
/// `?organization=https://api.calendly.com/organizations/ORG`): each such template's
/// `"{{owner}}"` becomes `"https://api.example/orgs/{{owner}}"`.
fn owners_within_text() -> (tempfile::TempDir, Vec<Dialect>) {
    use hookgate::model::Action;
    let dir = tempfile::tempdir().unwrap();
    let mut edited = Vec::new();
    for d in hookgate::mapping::load_dir(Path::new(DIR)).unwrap() {
        let outside = d
            .operations
            .iter()
            .any(|e| e.param_of("owner").is_some() || e.header_of("owner").is_some());
        if !outside || d.operation(Action::Delete).is_none() {
            continue;
        }
        let text = std::fs::read_to_string(format!("{DIR}/{}.toml", d.name)).unwrap();
        let within: String = text
            .lines()
            .map(|line| {
                let sent = line.starts_with("query =") || line.starts_with("headers =");
                let line = if sent {
                    line.replace("\"{{owner}}\"", "\"https://api.example/orgs/{{owner}}\"")
                } else {
                    line.to_owned()
                };
                line + "\n"
            })
            .collect();
        assert_ne!(within, text, "{}", d.name);
        let path = dir.path().join(format!("{}.toml", d.name));
        std::fs::write(&path, &within).unwrap();
        edited.push(Dialect::compile(&d.name, &path, &within).unwrap());
    }
    assert!(
        edited.len() >= 2,
        "{} dialects take the owner outside the path",
        edited.len()
    );
    (dir, edited)
}

#[tokio::test]
async fn an_owner_within_text_outside_the_path_is_sent_and_read_back() {
    let (dir, dialects) = owners_within_text();
    for d in &dialects {
        let name = &d.name;
        let gw = support::gateway_emulating(dir.path().to_str().unwrap(), name).await;
        let emu = gw.emulators[name.as_str()];
        let owner = support::owner(d)
            .or_else(|| {
                ["t-42", "PABC123", "12345"]
                    .into_iter()
                    .find(|o| d.admits_owner(o))
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| panic!("{name}: no owner"));
        let base = format!("/v1/upstreams/{name}/owners/{owner}/webhooks");
        let mut body = support::create_body(d);
        body.as_object_mut().unwrap().shift_remove("owner"); // named by the path
        let made = send(gw.addr, "POST", &base, &[], Some(&body)).await;
        ok(&made, 201, &format!("{name}: create"));
        let id = made.json()["id"].as_str().unwrap().to_owned();
        // The emulator reads the owner out of the text: the list is the owner's.
        let listed = send(gw.addr, "GET", &base, &[], None).await;
        ok(&listed, 200, &format!("{name}: list"));
        assert_eq!(
            listed.json()["data"].as_array().map(Vec::len),
            Some(1),
            "{name}: {}",
            listed.json()
        );
        assert_eq!(listed.json()["data"][0]["id"], json!(id), "{name}");
        let read = send(gw.addr, "GET", &format!("{base}/{id}"), &[], None).await;
        ok(&read, 200, &format!("{name}: get"));
        // Another owner's list holds none of it.
        let other = base.replace(&owner, "other1");
        let none = send(gw.addr, "GET", &other, &[], None).await;
        if none.status == 200 {
            assert_eq!(none.json()["data"], json!([]), "{name}: {}", none.json());
        }
        // What went to the vendor held the owner within its text, everywhere it was sent.
        let within = format!("https://api.example/orgs/{owner}");
        let encoded: String = url::form_urlencoded::byte_serialize(within.as_bytes()).collect();
        let sent = journal(emu).await;
        let named = sent.iter().filter(|e| {
            let text = e.to_string();
            text.contains(&encoded) || text.contains(&within)
        });
        assert!(named.count() >= 1, "{name}: {sent:?}");
        let gone = send(gw.addr, "DELETE", &format!("{base}/{id}"), &[], None).await;
        assert_eq!(gone.status, 204, "{name}: {}", gone.json());
        gw.stop().await;
    }
}

#[tokio::test]
async fn ids_in_braces_are_minted_written_in_paths_and_found_again() {
    // Tally's file with ids in braces, as Bitbucket writes its UUIDs, and a format that
    // admits them only so.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(Path::new(DIR).join("tally.toml"))
        .unwrap()
        .replace(
            "[emulator]\nid = \"uuid\"",
            "id_format = { pattern = '\\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\}' }\n\
             [emulator]\nid = \"braced_uuid\"",
        );
    assert!(text.contains("braced_uuid"));
    std::fs::write(dir.path().join("braced.toml"), text).unwrap();
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.b]\ndialect = \"braced\"\nemulate = true\n\
         [surfaces.b]\ndialect = \"braced\"\nupstream = \"b\"\nprefix = \"/b\"\n",
        dir.path()
    ))
    .await;
    let hooks = webhooks("b", "t-1");
    let created = send(
        gw.addr,
        "POST",
        &hooks,
        &[],
        Some(&json!({"url": "https://example.com/h", "events": ["INVOICE.CREATED"]})),
    )
    .await;
    ok(&created, 201, "create");
    let id = created.json()["id"].as_str().unwrap().to_owned();
    assert!(
        id.starts_with('{') && id.ends_with('}') && id.len() == 38,
        "{id}"
    );
    let encoded = id.replace('{', "%7B").replace('}', "%7D");
    let location = created.headers["location"].to_str().unwrap();
    assert_eq!(location, format!("{hooks}/{encoded}"));
    for spelt in [encoded.clone(), encoded.to_lowercase(), id.clone()] {
        let got = send(gw.addr, "GET", &format!("{hooks}/{spelt}"), &[], None).await;
        ok(&got, 200, &spelt);
        assert_eq!(got.json()["id"], id.as_str(), "{spelt}");
    }
    // Bare, it is another id, and not of the vendor's format.
    let bare = &id[1..id.len() - 1];
    let got = send(gw.addr, "GET", &format!("{hooks}/{bare}"), &[], None).await;
    assert_eq!(got.status, 404, "{bare}");
    let tenant = [("tally-tenant-id", "t-1"), BEARER];
    let got = send(
        gw.addr,
        "GET",
        &format!("/b/api/webhooks/{encoded}"),
        &tenant,
        None,
    )
    .await;
    ok(&got, 200, "surface");
    let deleted = send(gw.addr, "DELETE", &format!("{hooks}/{encoded}"), &[], None).await;
    ok(&deleted, 204, "delete");
}

/// A body's `{{id}}` is written as the vendor writes it: through the codec of the rule that
/// reads it (Relay's integer ids, `int_string`: `7`; a `prefix` codec's `hk_7`), and as the
/// path takes it where the codec would name another id (`007` read back is `7`) or refuses it
/// (`abc`). A query parameter and a header take the id as the path does.
#[tokio::test]
async fn a_bodys_id_is_written_as_the_vendor_writes_it() {
    let update = (
        "relay",
        "body = { hook = \"{{webhook}}\" }\nstrategy = \"read_merge_write\"",
        // Sent without a read: the vendor answers every id with its hook 7, which a read of
        // another id refuses, and the read of one is not this test's.
        "body = { hook = { \"$spread\" = \"{{webhook}}\", hook_id = \"{{id}}\" } }\n\
         query = { id = \"{{id}}\" }\nheaders = { X-Ref = \"{{id}}\" }",
    );
    let prefixed = (
        "relay",
        "path = \"$.hook_id\"\ncodec = \"int_string\"",
        "path = \"$.hook_id\"\ncodec = { prefix = \"hk_\" }",
    );
    let example = (
        "relay",
        "[[examples]]\nhook_id = 7",
        "[[examples]]\nhook_id = \"hk_7\"",
    );
    let cases = [
        (vec![update], "7", json!(7), json!(7)),
        (vec![update], "007", json!(7), json!("007")),
        (vec![update], "abc", json!(7), json!("abc")),
        (
            vec![update, prefixed, example],
            "7",
            json!("hk_7"),
            json!("hk_7"),
        ),
    ];
    for (edits, id, answered, sent) in cases {
        let dir = support::dialects_with(&edits);
        let hook = json!({"hook_id": answered, "project": "p1", "topics": ["a"],
            "disabled": false, "state": "live", "label": "x",
            "target": {"url": "https://example.com/h"}});
        let double = Double::answering(move |_| Reply::json(200, json!({"hook": hook}))).await;
        let gw = gateway_over(dir.path().to_str().unwrap(), "relay", &double).await;
        let path = format!("/v1/upstreams/relay/owners/p1/webhooks/{id}");
        let what = format!("{id}, sent as {sent}");
        send(
            gw.addr,
            "PATCH",
            &path,
            &[],
            Some(&json!({"description": "y"})),
        )
        .await;
        let put = double.seen().into_iter().find(|s| s.method == "PUT");
        let put = put.unwrap_or_else(|| panic!("{what}: no PUT"));
        assert_eq!(
            put.path,
            format!("/api/projects/p1/hooks/{id}?id={id}"),
            "{what}"
        );
        assert_eq!(put.headers["x-ref"], id, "{what}");
        let body = put.json().unwrap();
        assert_eq!(body["hook"]["hook_id"], sent, "{what}: {body}");
        gw.stop().await;
    }
}
