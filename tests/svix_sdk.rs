//! The official Svix Python SDK (svix 2.9.1, installed from PyPI into a virtual environment
//! the first time) driven through hookgate by `tests/sdk/svix_endpoints.py`, one JSON line per
//! operation: against the Svix emulator, through a Svix surface in front of it (a pass-through),
//! and through a Svix surface in front of an emulator of every other shipped dialect. Every
//! endpoint operation the SDK has either works or is refused in Svix's own error shape for a
//! reason the answer gives.

mod support;

use hookgate::mapping::Dialect;
use hookgate::model::Action;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{MAPPINGS, gateway};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sdk/svix_endpoints.py");
const DIALECT: &str = "svix";

/// A Python with the SDK (see [`support::sdk`]).
fn python() -> PathBuf {
    support::sdk::python_with("svix", "2.9.1")
}

/// One operation's line.
#[derive(Debug, Clone)]
struct Line(Value);

impl Line {
    fn op(&self) -> &str {
        self.0["op"].as_str().unwrap_or_default()
    }
    fn ok(&self) -> bool {
        self.0["ok"] == true
    }
    fn skipped(&self) -> bool {
        self.0["skipped"] == true
    }
    fn status(&self) -> Option<u64> {
        self.0["status"].as_u64()
    }
    fn error(&self) -> &str {
        self.0["error"].as_str().unwrap_or_default()
    }
}

/// Runs the script against `server_url`; returns its lines by operation.
async fn drive(
    server_url: String,
    app: String,
    event: String,
    omit: Vec<&'static str>,
) -> Vec<Line> {
    let python = python();
    tokio::task::spawn_blocking(move || {
        let mut cmd = Command::new(python);
        cmd.arg(SCRIPT)
            .args([
                "--server-url",
                &server_url,
                "--app-id",
                &app,
                "--token",
                "testsk_hookgate",
            ])
            .args(["--event-type", &event])
            .env("NO_PROXY", "127.0.0.1,localhost");
        for member in omit {
            cmd.args(["--omit", member]);
        }
        let out = cmd.output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.lines()
            .map(|l| Line(serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))))
            .collect()
    })
    .await
    .unwrap()
}

fn line<'a>(lines: &'a [Line], op: &str) -> &'a Line {
    lines
        .iter()
        .find(|l| l.op() == op)
        .unwrap_or_else(|| panic!("no `{op}` in {lines:#?}"))
}

fn dialects() -> Vec<Dialect> {
    hookgate::mapping::load_dir(Path::new(MAPPINGS)).unwrap()
}

/// An owner of a dialect's shape.
fn owner_for(d: &Dialect) -> String {
    match &d.owner_format {
        Some(f) if !f.admits("app_hookgate") => "9fbef0b7-8d4e-4a08-9207-66c22155721d".into(),
        _ => "app_hookgate".into(),
    }
}

/// An event type of a dialect's own vocabulary: the first of its documented example.
fn event_for(d: &Dialect) -> String {
    let example = d.webhook.read(&d.examples[0]).unwrap();
    example["events"][0]
        .as_str()
        .unwrap_or("user.signup")
        .to_owned()
}

/// What a Svix client sees when a request is refused: Svix's own error shapes, with a reason.
fn refused_in_svix_shape(l: &Line, what: &str) {
    let body = &l.0["body"];
    match l.error() {
        "HttpError" => {
            let detail = body["detail"].as_str().unwrap_or_default();
            assert!(
                body["code"].is_string() && !detail.is_empty(),
                "{what}: `{}` refused without a reason: {:?}",
                l.op(),
                l.0
            );
        }
        "HTTPValidationError" => {
            let items = body["detail"].as_array().cloned().unwrap_or_default();
            assert!(
                !items.is_empty()
                    && items.iter().all(|i| {
                        i["loc"][0] == "body" && i["msg"].as_str().is_some_and(|m| !m.is_empty())
                    }),
                "{what}: `{}` refused without a field and a reason: {:?}",
                l.op(),
                l.0
            );
            assert_eq!(l.status(), Some(422), "{what}: {:?}", l.0);
        }
        other => panic!(
            "{what}: `{}` failed with {other}, not in Svix's shape: {:?}",
            l.op(),
            l.0
        ),
    }
}

/// svix 2.9.1 reads a body from a rotation that svix-server answers with 204 and none: the
/// rotation happens, the SDK cannot parse its answer, against Svix itself too.
fn rotation_as_against_svix(lines: &[Line], what: &str) {
    for op in ROTATIONS {
        let rotate = line(lines, op);
        if !rotate.ok() && rotate.status() == Some(204) {
            assert_eq!(rotate.error(), "JSONDecodeError", "{what}: {:?}", rotate.0);
        }
    }
}

/// The rotations the script makes: the server's new key, then one the client chose.
const ROTATIONS: [&str; 2] = ["rotate_secret", "rotate_secret_with_key"];

/// A rotation to a key the client chose: the key is the secret after it where the upstream's
/// rotation takes one, refused at `["body", "key"]` where it mints its own, and 501 where it
/// cannot rotate at all.
fn chosen_key(lines: &[Line], upstream: &Dialect, what: &str) {
    let keyed = line(lines, "rotate_secret_with_key");
    let Some(rotation) = upstream.operation(Action::RotateSecret) else {
        assert_eq!(keyed.status(), Some(501), "{what}: {:?}", keyed.0);
        return;
    };
    if rotation
        .body
        .as_ref()
        .is_some_and(|b| b.slots().contains(&"secret"))
    {
        let after = line(lines, "get_secret_after_chosen_rotate");
        assert_eq!(after.0["result"]["chosen"], true, "{what}: {:?}", after.0);
    } else {
        assert_eq!(keyed.status(), Some(422), "{what}: {:?}", keyed.0);
        let loc = &keyed.0["body"]["detail"][0]["loc"];
        assert_eq!(
            loc,
            &serde_json::json!(["body", "key"]),
            "{what}: {:?}",
            keyed.0
        );
    }
}

/// Paging went to the last page the server named, and no further.
fn paged_to_the_end(lines: &[Line], what: &str) {
    let list = line(lines, "list");
    assert!(list.ok(), "{what}: {:?}", list.0);
    let summary = &list.0["result"];
    assert_eq!(summary["done_reached"], true, "{what}: {summary}");
    assert_eq!(summary["all_created_seen"], true, "{what}: {summary}");
    let sizes: Vec<u64> = summary["page_sizes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_u64().unwrap())
        .collect();
    assert!(
        sizes.len() == 1 || sizes.iter().all(|s| *s > 0),
        "{what}: an empty page was asked for: {sizes:?}"
    );
}

/// Everything works against Svix's own API, as it does against svix-server.
fn all_work(lines: &[Line], event: &str, what: &str) {
    for l in lines {
        match l.op() {
            op if ROTATIONS.contains(&op) => {}
            "create_duplicate_uid" => {
                assert_eq!(
                    (l.status(), l.error()),
                    (Some(409), "HttpError"),
                    "{what}: {:?}",
                    l.0
                );
                assert_eq!(l.0["body"]["code"], "conflict");
            }
            "create_invalid_url" => {
                assert_eq!(l.status(), Some(422), "{what}: {:?}", l.0);
                refused_in_svix_shape(l, what);
                assert_eq!(l.0["body"]["detail"][0]["loc"][1], "url");
            }
            "get_after_delete" => {
                assert_eq!(
                    (l.status(), l.error()),
                    (Some(404), "HttpError"),
                    "{what}: {:?}",
                    l.0
                );
            }
            _ => assert!(l.ok(), "{what}: {:?}", l.0),
        }
    }
    rotation_as_against_svix(lines, what);
    let chosen = line(lines, "get_secret_after_chosen_rotate");
    assert_eq!(chosen.0["result"]["chosen"], true, "{what}: {:?}", chosen.0);
    let rotated = line(lines, "get_secret_after_rotate");
    assert_eq!(
        rotated.0["result"]["changed"], true,
        "{what}: the rotation happened"
    );
    assert!(
        rotated.0["result"]["key"]
            .as_str()
            .is_some_and(|k| k.starts_with("whsec_")),
        "{what}: {:?}",
        rotated.0
    );
    let created = &line(lines, "create").0["result"];
    assert_eq!(
        created["eventTypes"],
        serde_json::json!([event]),
        "{what}: {created}"
    );
    assert_eq!(
        created["metadata"]["suite"], "hookgate",
        "{what}: {created}"
    );
    let headers = &line(lines, "get_headers_after_put").0["result"];
    assert_eq!(
        headers["headers"]["X-Hookgate-Suite"], "svix",
        "{what}: {headers}"
    );
    assert_eq!(line(lines, "send_example").0["result"]["eventType"], event);
    paged_to_the_end(lines, what);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sdk_works_against_the_emulator_and_through_a_pass_through_surface() {
    let running = gateway(&format!(
        "[upstreams.vendor]\ndialect = \"{DIALECT}\"\nemulate = true\n\
         [surfaces.client]\ndialect = \"{DIALECT}\"\nupstream = \"vendor\"\nprefix = \"/svix\"\n"
    ))
    .await;
    let d = dialects().into_iter().find(|d| d.name == DIALECT).unwrap();
    let event = "user.signup".to_owned();
    let emulator = format!("http://{}", running.emulators["vendor"]);
    let lines = drive(emulator, owner_for(&d), event.clone(), vec![]).await;
    all_work(&lines, &event, "the emulator");
    let surface = format!("http://{}/svix", running.addr);
    let lines = drive(surface, owner_for(&d), event.clone(), vec![]).await;
    all_work(&lines, &event, "a surface in front of the emulator");
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sdk_works_through_a_surface_in_front_of_every_other_dialect() {
    let all = dialects();
    let svix = all.iter().find(|d| d.name == DIALECT).unwrap();
    for upstream in all.iter().filter(|d| d.name != DIALECT) {
        let what = format!("a {DIALECT} surface in front of {}", upstream.name);
        let owner = owner_for(svix);
        let bridged = match (svix.has_owner(), upstream.has_owner()) {
            (true, false) => format!("owner = \"{owner}\"\n"),
            _ => String::new(),
        };
        let app = if upstream.has_owner() {
            owner_for(upstream)
        } else {
            owner
        };
        let running = gateway(&format!(
            "[upstreams.vendor]\ndialect = \"{}\"\nemulate = true\n\
             [surfaces.client]\ndialect = \"{DIALECT}\"\nupstream = \"vendor\"\nprefix = \"/svix\"\n{bridged}",
            upstream.name
        ))
        .await;
        // Members the upstream cannot keep are left out, as a client of it would.
        let mut omit = vec!["uid", "metadata"];
        if !upstream.webhook.carries("description", Action::Create) {
            omit.push("description");
        }
        let event = event_for(upstream);
        let lines = drive(
            format!("http://{}/svix", running.addr),
            app,
            event.clone(),
            omit,
        )
        .await;
        for l in &lines {
            if l.ok() || l.skipped() || (ROTATIONS.contains(&l.op()) && l.status() == Some(204)) {
                continue;
            }
            refused_in_svix_shape(l, &what);
        }
        rotation_as_against_svix(&lines, &what);
        chosen_key(&lines, upstream, &what);
        for op in ["create", "get", "update", "get_after_patch", "delete"] {
            assert!(line(&lines, op).ok(), "{what}: {:?}", line(&lines, op).0);
        }
        let created = &line(&lines, "create").0["result"];
        assert_eq!(
            created["eventTypes"],
            serde_json::json!([event]),
            "{what}: {created}"
        );
        assert_eq!(
            line(&lines, "get_after_delete").status(),
            Some(404),
            "{what}"
        );
        assert_eq!(
            line(&lines, "create_invalid_url").status(),
            Some(422),
            "{what}"
        );
        paged_to_the_end(&lines, &what);
        running.stop().await;
    }
}
