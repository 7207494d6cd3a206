//! An operation's path that ends in `/` (Sentry's `/api/0/projects/{org}/{project}/hooks/`,
//! whose Django server cannot send a POST on to the path with the slash) keeps it: in every
//! request hookgate makes to the vendor, whatever stands last and whatever query follows, and
//! in the routes its emulators and surfaces serve, which answer the path without the slash as
//! the vendor does, with 404. Test-local copies of `tests/dialects` fixtures with every
//! operation's path given a trailing `/` stand for such vendors; the fixtures as they are, for
//! vendors whose paths end without one, which are served as before.

mod support;

use hookgate::mapping::Dialect;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::Path;
use support::{Double, Reply, TEST_DIALECTS, gateway, journal, ok, send};

const BEARER: (&str, &str) = ("authorization", "Bearer t");

/// The text of fixture `name` with a `/` after every operation's and resource call's path
/// (JSONPaths start with `$`, and are left as they are).
fn slashed_text(name: &str) -> String {
    let text =
        std::fs::read_to_string(Path::new(TEST_DIALECTS).join(format!("{name}.toml"))).unwrap();
    let paths = regex::Regex::new(r#"path = "(/[^"]*[^/"])""#).unwrap();
    let edited = paths.replace_all(&text, r#"path = "$1/""#).into_owned();
    assert_ne!(text, edited, "{name}.toml has no operation path");
    edited
}

/// A copy of the test dialects in which the files of `names` have their paths slashed, and
/// each of them is also there as it is, as `NAME_bare`: a vendor of the same shapes whose
/// paths end without the slash.
fn slashed(names: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(TEST_DIALECTS).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    for name in names {
        let file = dir.path().join(format!("{name}.toml"));
        std::fs::rename(&file, dir.path().join(format!("{name}_bare.toml"))).unwrap();
        std::fs::write(file, slashed_text(name)).unwrap();
    }
    dir
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

/// A Relay hook (`tests/dialects/relay.toml`) as its vendor answers one.
fn hook(id: u64, project: &str) -> Value {
    json!({"hook_id": id, "project": project, "topics": ["invoice.paid"], "disabled": false,
           "state": "live", "target": {"url": "https://example.com/hook", "timeout_ms": 5000},
           "created": "2026-01-02T03:04:05Z", "updated": "2026-01-02T03:04:05Z"})
}

#[tokio::test]
async fn every_call_is_sent_with_the_slash_the_file_writes() {
    let dir = slashed(&["relay"]);
    // Owners as the client writes them: plain, and one percent-encoded into its segment.
    for (owner, encoded) in [("p1", "p1"), ("p%201", "p%201")] {
        let project = percent_encoding::percent_decode_str(owner)
            .decode_utf8()
            .unwrap()
            .into_owned();
        let empty = || Reply::Raw {
            status: 204,
            headers: vec![],
            body: String::new(),
        };
        let double = Double::start(vec![
            Reply::json(201, json!({"hook": hook(7, &project)})),
            Reply::json(200, json!({"hook": hook(7, &project)})),
            Reply::json(200, json!({"hooks": [hook(7, &project)], "next": "8"})),
            Reply::json(200, json!({"hooks": [], "next": null})),
            Reply::json(200, json!({"hook": hook(7, &project)})),
            Reply::json(200, json!({"hook": hook(7, &project)})),
            empty(),
        ])
        .await;
        let gw = support::gateway_over(dir.path().to_str().unwrap(), "relay", &double).await;
        let base = format!("/v1/upstreams/relay/owners/{owner}/webhooks");
        let one = format!("{base}/7");
        let body = json!({"url": "https://example.com/hook", "events": ["invoice.paid"]});
        ok(
            &send(gw.addr, "POST", &base, &[], Some(&body)).await,
            201,
            "create",
        );
        ok(&send(gw.addr, "GET", &one, &[], None).await, 200, "get");
        let first = send(gw.addr, "GET", &format!("{base}?limit=5"), &[], None).await;
        ok(&first, 200, "list");
        let cursor = first.json()["next_cursor"].as_str().unwrap().to_owned();
        let next = format!("{base}?limit=5&cursor={cursor}");
        ok(&send(gw.addr, "GET", &next, &[], None).await, 200, "page 2");
        let patch = json!({"enabled": false});
        ok(
            &send(gw.addr, "PATCH", &one, &[], Some(&patch)).await,
            200,
            "update",
        );
        ok(
            &send(gw.addr, "DELETE", &one, &[], None).await,
            204,
            "delete",
        );
        let seen: Vec<String> = double
            .seen()
            .iter()
            .map(|s| format!("{} {}", s.method, s.path))
            .collect();
        let at = format!("/api/projects/{encoded}/hooks/");
        assert_eq!(
            seen,
            [
                format!("POST {at}"),
                format!("GET {at}7/"),
                format!("GET {at}?page_size=5"),
                format!("GET {at}?after=8&page_size=5"),
                // Read, merged, written whole.
                format!("GET {at}7/"),
                format!("PUT {at}7/"),
                format!("DELETE {at}7/"),
            ],
            "{owner}"
        );
        gw.stop().await;
    }
}

/// An owner of several segments, an id inside the path and at its end, sub-resources and the
/// actions (test, rotate) of the vendors of `tests/dialects` that have them, slashed.
#[tokio::test]
async fn owners_of_several_segments_sub_resources_and_actions_keep_the_slash() {
    let dir = slashed(&["forge", "beacon", "studio"]);
    let mut config = format!("mappings_dir = {:?}\n", dir.path());
    for u in ["forge", "beacon", "studio"] {
        config += &format!("[upstreams.{u}]\ndialect = \"{u}\"\nemulate = true\n");
    }
    let gw = gateway(&config).await;
    let body = |event: &str| json!({"url": "https://example.com/a", "events": [event]});

    // Forge: the owner is two segments.
    let base = "/v1/upstreams/forge/owners/octo/site/webhooks";
    let created = send(gw.addr, "POST", base, &[], Some(&body("push"))).await;
    ok(&created, 201, "forge: create");
    let id = created.json()["id"].as_str().unwrap().to_owned();
    ok(
        &send(gw.addr, "GET", &format!("{base}?limit=2"), &[], None).await,
        200,
        "forge: list",
    );
    ok(
        &send(gw.addr, "GET", &format!("{base}/{id}"), &[], None).await,
        200,
        "forge: get",
    );
    ok(
        &send(gw.addr, "DELETE", &format!("{base}/{id}"), &[], None).await,
        204,
        "forge: delete",
    );
    assert_eq!(
        calls(gw.emulators["forge"], 0).await,
        [
            "POST /repos/octo/site/hooks/".to_owned(),
            "GET /repos/octo/site/hooks/?per_page=2".to_owned(),
            format!("GET /repos/octo/site/hooks/{id}/"),
            format!("DELETE /repos/octo/site/hooks/{id}/"),
        ]
    );

    // Beacon: headers and the signing secret at paths of their own, and a rotation.
    let base = "/v1/upstreams/beacon/owners/ws-1/webhooks";
    let mut with_headers = body("build.finished");
    with_headers["headers"] = json!({"X-A": "1"});
    let created = send(gw.addr, "POST", base, &[], Some(&with_headers)).await;
    ok(&created, 201, "beacon: create");
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let rotate = format!("{base}/{id}/rotate-secret");
    ok(
        &send(gw.addr, "POST", &rotate, &[], None).await,
        200,
        "beacon: rotate",
    );
    let seen = calls(gw.emulators["beacon"], 0).await;
    let at = format!("/v2/workspaces/ws-1/subscriptions/{id}/");
    for call in [
        "POST /v2/workspaces/ws-1/subscriptions/".to_owned(),
        format!("PUT {at}headers/"),
        format!("GET {at}signing/"),
        format!("POST {at}signing/rotate/"),
    ] {
        assert!(seen.contains(&call), "{call} in {seen:?}");
    }
    assert!(seen.iter().all(|c| c.ends_with('/')), "{seen:?}");

    // Studio: the test action, by the id alone.
    let base = "/v1/upstreams/studio/owners/1234/webhooks";
    let created = send(gw.addr, "POST", base, &[], Some(&body("file.update"))).await;
    ok(&created, 201, "studio: create");
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let before = journal(gw.emulators["studio"]).await.len();
    let tested = format!("{base}/{id}/test");
    ok(
        &send(gw.addr, "POST", &tested, &[], None).await,
        200,
        "studio: test",
    );
    assert_eq!(
        calls(gw.emulators["studio"], before).await,
        [
            format!("GET /v2/webhooks/{id}/"),
            format!("POST /v2/webhooks/{id}/ping/")
        ]
    );
    gw.stop().await;
}

/// `hookgate translate` shows the slash, after a base URL that ends in `/` or not.
#[test]
fn a_preview_shows_the_slash() {
    let dir = slashed(&["forge"]);
    for base_url in [
        "https://api.forge.example/api/0",
        "https://api.forge.example/api/0/",
    ] {
        let (shown, text) = support::translated(
            &format!(
                "mappings_dir = {:?}\n[inbound_auth]\nmode = \"off\"\n\
                 [upstreams.forge]\ndialect = \"forge\"\nbase_url = {base_url:?}\nauth = {{ type = \"none\" }}\n",
                dir.path()
            ),
            &[
                "--upstream",
                "forge",
                "--owner",
                "octo/site",
                "GET",
                "/webhooks/12",
            ],
        );
        let url = shown["requests"][0]["url"].as_str().unwrap_or_default();
        assert_eq!(
            url, "https://api.forge.example/api/0/repos/octo/site/hooks/12/",
            "{text}"
        );
    }
}

/// The emulator of a vendor whose paths end in `/` serves them with it, and the path without
/// it as that vendor does: 404 in its shape, and nothing done. One whose paths end without it
/// still passes a client's trailing `/` over.
#[tokio::test]
async fn an_emulator_serves_each_path_as_its_vendor_writes_it() {
    let dir = slashed(&["relay"]);
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n\
         [upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [upstreams.relay_bare]\ndialect = \"relay_bare\"\nemulate = true\n",
        dir.path()
    ))
    .await;
    let emu = gw.emulators["relay"];
    let hooks = "/api/projects/p1/hooks";
    let body = json!({"hook": {"target": {"url": "https://example.com/a"}, "topics": ["x"]}});
    let created = send(emu, "POST", &format!("{hooks}/"), &[BEARER], Some(&body)).await;
    ok(&created, 201, "create");
    let id = created.json()["hook"]["hook_id"].to_string();
    let one = format!("{hooks}/{id}");
    for (method, path, body) in [
        ("GET", format!("{hooks}/"), None),
        ("GET", format!("{hooks}/?page_size=1"), None),
        ("GET", format!("{one}/"), None),
        ("PUT", format!("{one}/"), Some(&body)),
    ] {
        ok(
            &send(emu, method, &path, &[BEARER], body).await,
            200,
            &format!("{method} {path}"),
        );
    }
    // Without the slash: no route, whatever the method, and nothing created, changed or gone.
    for (method, path, body) in [
        ("POST", hooks.to_owned(), Some(&body)),
        ("GET", hooks.to_owned(), None),
        ("GET", format!("{hooks}?page_size=1"), None),
        ("GET", one.clone(), None),
        ("PUT", one.clone(), Some(&body)),
        ("DELETE", one.clone(), None),
    ] {
        let answer = send(emu, method, &path, &[BEARER], body).await;
        ok(&answer, 404, &format!("{method} {path}"));
        assert_eq!(answer.json()["error"]["kind"], "missing", "{method} {path}");
    }
    let listed = send(emu, "GET", &format!("{hooks}/"), &[BEARER], None).await;
    assert_eq!(listed.json()["hooks"].as_array().map(Vec::len), Some(1));
    ok(
        &send(emu, "DELETE", &format!("{one}/"), &[BEARER], None).await,
        204,
        "delete",
    );

    // The vendor whose paths end without the slash: either spelling, as before.
    let bare = gw.emulators["relay_bare"];
    for path in [hooks.to_owned(), format!("{hooks}/")] {
        let created = send(bare, "POST", &path, &[BEARER], Some(&body)).await;
        ok(&created, 201, &format!("POST {path}"));
        let id = created.json()["hook"]["hook_id"].to_string();
        for one in [format!("{hooks}/{id}"), format!("{hooks}/{id}/")] {
            ok(&send(bare, "GET", &one, &[BEARER], None).await, 200, &one);
        }
        ok(&send(bare, "GET", &path, &[BEARER], None).await, 200, &path);
    }
    gw.stop().await;
}

/// A surface of the vendor whose paths end in `/` serves them so, in front of an upstream of
/// its own dialect (relayed: the upstream is called at the path with its slash) and of another
/// (translated); and a surface of the vendor without the slash, in front of the one with it,
/// has its calls sent with the slash.
#[tokio::test]
async fn surfaces_serve_and_send_the_slash_as_each_vendor_writes_it() {
    let dir = slashed(&["relay"]);
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n\
         [upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [upstreams.relay_bare]\ndialect = \"relay_bare\"\nemulate = true\n\
         [surfaces.same]\ndialect = \"relay\"\nupstream = \"relay\"\nprefix = \"/same\"\n\
         [surfaces.over]\ndialect = \"relay\"\nupstream = \"relay_bare\"\nprefix = \"/over\"\n\
         [surfaces.bare]\ndialect = \"relay_bare\"\nupstream = \"relay\"\nprefix = \"/bare\"\n",
        dir.path()
    ))
    .await;
    let body = json!({"hook": {"target": {"url": "https://example.com/a"}, "topics": ["x"]}});
    for (prefix, upstream, slash) in [
        ("/same", "relay", "/"),
        ("/over", "relay_bare", "/"),
        ("/bare", "relay", ""),
    ] {
        let emu = gw.emulators[upstream];
        let before = journal(emu).await.len();
        let hooks = format!("{prefix}/api/projects/p1/hooks");
        let created = send(
            gw.addr,
            "POST",
            &format!("{hooks}{slash}"),
            &[BEARER],
            Some(&body),
        )
        .await;
        ok(&created, 201, &format!("{prefix}: create"));
        let id = created.json()["hook"]["hook_id"].to_string();
        let one = format!("{hooks}/{id}{slash}");
        for (method, path, body, status) in [
            ("GET", format!("{hooks}{slash}?page_size=5"), None, 200),
            ("GET", one.clone(), None, 200),
            ("PUT", one.clone(), Some(&body), 200),
            ("DELETE", one.clone(), None, 204),
        ] {
            ok(
                &send(gw.addr, method, &path, &[BEARER], body).await,
                status,
                &format!("{method} {path}"),
            );
        }
        if !slash.is_empty() {
            for (method, path, body) in [
                ("POST", hooks.clone(), Some(&body)),
                ("GET", format!("{hooks}/{id}"), None),
            ] {
                let answer = send(gw.addr, method, &path, &[BEARER], body).await;
                ok(&answer, 404, &format!("{method} {path}"));
                assert_eq!(answer.json()["error"]["kind"], "missing", "{path}");
            }
        }
        // The upstream was called at its own paths: with the slash where its file writes one.
        let sent = calls(emu, before).await;
        assert!(sent.len() >= 5, "{prefix}: {sent:?}");
        for call in &sent {
            let path = call.split(['?', ' ']).nth(1).unwrap_or_default();
            assert!(
                path.starts_with("/api/projects/p1/hooks"),
                "{prefix}: {call}"
            );
            assert_eq!(path.ends_with('/'), upstream == "relay", "{prefix}: {call}");
        }
    }
    gw.stop().await;
}

/// The path of every operation and sub-resource call of every file, shipped or under
/// `tests/dialects`, and of the slashed copies, is kept as the file writes it, trailing `/` and
/// all.
#[test]
fn every_path_is_kept_as_its_file_writes_it() {
    const SLASHED: [&str; 4] = ["relay", "forge", "beacon", "studio"];
    let slashed_copy = slashed(&SLASHED);
    for dir in [
        Path::new(support::MAPPINGS),
        Path::new(TEST_DIALECTS),
        slashed_copy.path(),
    ] {
        for d in hookgate::mapping::load_dir(dir).unwrap() {
            let text = std::fs::read_to_string(dir.join(format!("{}.toml", d.name))).unwrap();
            let file: toml::Value = toml::from_str(&text).unwrap();
            let mut written: Vec<String> = Vec::new();
            collect_paths(&file["operations"], &mut written);
            if let Some(resources) = file.get("resources") {
                collect_paths(resources, &mut written);
            }
            let mut loaded: Vec<String> = d.operations.iter().map(|e| e.path.to_string()).collect();
            for r in &d.resources {
                for e in [&r.get, &r.replace, &r.update].into_iter().flatten() {
                    loaded.push(e.path.to_string());
                }
            }
            written.sort();
            loaded.sort();
            assert_eq!(loaded, written, "{}", d.name);
            // Slashed where the copy's edit gave them one, and nowhere else.
            let slashes = d
                .operations
                .iter()
                .filter(|e| e.path.trailing_slash)
                .count();
            let edited = dir == slashed_copy.path() && SLASHED.contains(&d.name.as_str());
            assert_eq!(
                slashes,
                if edited { d.operations.len() } else { 0 },
                "{}",
                d.name
            );
        }
    }
}

/// Every `path` under `value` that is a URL path (JSONPaths start with `$`).
fn collect_paths(value: &toml::Value, out: &mut Vec<String>) {
    match value {
        toml::Value::Table(table) => {
            for (key, value) in table {
                match value {
                    toml::Value::String(s) if key == "path" && s.starts_with('/') => {
                        out.push(s.clone())
                    }
                    other => collect_paths(other, out),
                }
            }
        }
        toml::Value::Array(items) => items.iter().for_each(|v| collect_paths(v, out)),
        _ => {}
    }
}

#[test]
fn an_empty_segment_is_refused_when_the_file_loads() {
    let relay = std::fs::read_to_string(Path::new(TEST_DIALECTS).join("relay.toml")).unwrap();
    for (from, to, key) in [
        (
            "path = \"/projects/{owner}/hooks/{id}\"",
            "path = \"/projects/{owner}//hooks/{id}\"",
            "operations.get.path",
        ),
        (
            "path = \"/projects/{owner}/hooks\"",
            "path = \"//projects/{owner}/hooks\"",
            "operations.list.path",
        ),
        (
            "path = \"/projects/{owner}/hooks/{id}\"",
            "path = \"/projects/{owner}/hooks/{id}//\"",
            "operations.get.path",
        ),
        (
            "base_path = \"/api\"",
            "base_path = \"/api//v1\"",
            "dialect.base_path",
        ),
    ] {
        let text = relay.replacen(from, to, 1);
        assert_ne!(text, relay, "{from}");
        let errors = Dialect::compile("relay", Path::new("relay.toml"), &text).unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| e.key == key && e.message.contains("empty segment (`//`)")),
            "{to}: {errors:?}"
        );
    }
    // A base path's own trailing `/` is still no segment: it is dropped.
    let text = relay.replacen("base_path = \"/api\"", "base_path = \"/api/\"", 1);
    let d = Dialect::compile("relay", Path::new("relay.toml"), &text).unwrap();
    assert_eq!(d.base_path, "/api");
}

/// A path with the slash and one without are one route to a surface that passes a client's
/// trailing `/` over: two calls of one method at them are refused, as two at one path are.
#[test]
fn a_path_with_the_slash_and_one_without_are_one_route() {
    let relay = std::fs::read_to_string(Path::new(TEST_DIALECTS).join("relay.toml")).unwrap();
    let text = format!(
        "{relay}\n[operations.toggle]\nmethod = \"PUT\"\npath = \"/projects/{{owner}}/hooks/{{id}}/\"\nresponse = {{ hook = \"{{{{webhook}}}}\" }}\n"
    );
    let errors = Dialect::compile("relay", Path::new("relay.toml"), &text).unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.to_string().contains("operations.toggle")
                && e.message.contains("method and path")),
        "{errors:?}"
    );
}
