//! python-gitlab (8.6.0, installed from PyPI into a virtual environment the first time),
//! GitLab's Python client, a client nobody here wrote, driven by `tests/sdk/gitlab_hooks.py`
//! against `tests/dialects/lab.toml`, a vendor spelt as GitLab's project hooks: event types as
//! boolean members, switched by the client's `save()` two at a time, and lists read two to a
//! page by the client following each page's `Link` header. Against its emulator (a hook made
//! with a signing token), and through its surface in front of an emulator of a vendor that
//! lists event types (and keeps no token). The client's own attribute lists
//! say which members a hook takes: every flag of the file must be one of them.

mod support;

use serde_json::{Map, Value, json};
use std::path::PathBuf;
use support::gateway;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sdk/gitlab_hooks.py");
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");

/// A Python with the client (see [`support::sdk`]).
fn python() -> PathBuf {
    support::sdk::python_with("python-gitlab", "8.6.0")
}

/// Runs the script against `base`, in project 3; its steps by name.
async fn drive(base: String, token: bool) -> Map<String, Value> {
    let mut args = vec![base, "3".to_owned()];
    if token {
        args.push("--token".to_owned());
    }
    support::sdk::steps(python(), SCRIPT, args).await
}

/// What every run must show, wherever the hooks are kept.
fn the_client_saw_gitlabs_answers(steps: &Map<String, Value>) {
    // Push events on by default; issues and notes as asked.
    assert_eq!(
        steps["create"],
        json!({"push_events": true, "issues_events": true, "note_events": true, "job_events": false})
    );
    // `save()` switched two flags and kept the others.
    let switched = json!({"push_events": true, "issues_events": false, "note_events": true, "job_events": true});
    assert_eq!(steps["save"], switched);
    assert_eq!(steps["get"], switched);
    assert_eq!(
        steps["default"],
        json!({"push_events": true, "issues_events": false, "note_events": false, "job_events": false})
    );
    assert_eq!(steps["list"]["ids"], steps["list"]["made"], "{steps:?}");
    assert_eq!(steps["invalid"]["status"], 400, "{steps:?}");
    assert_eq!(
        steps["invalid"]["message"],
        json!({"events": ["`push_events` must be a boolean"]})
    );
    assert_eq!(steps["missing"], json!({"status": 404}));
}

/// Every flag the file names is a member the client sends, on create and on update.
fn every_flag_is_one_the_client_takes(steps: &Map<String, Value>) {
    let dialect = hookgate::mapping::load_dir(std::path::Path::new(DIR))
        .unwrap()
        .into_iter()
        .find(|d| d.name == "lab")
        .unwrap();
    let rule = dialect.webhook.reading("events").unwrap();
    let flags = rule.flags.as_ref().expect("events kept as flags");
    for verb in ["create", "update"] {
        let takes = steps["attributes"][verb].as_array().unwrap();
        for path in flags.paths() {
            let member = path.to_string();
            assert!(
                takes.contains(&json!(member)),
                "python-gitlab's {verb} takes no `{member}`: {takes:?}"
            );
        }
    }
}

#[tokio::test]
async fn the_client_works_against_the_emulator() {
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.lab]\ndialect = \"lab\"\nemulate = true\n"
    ))
    .await;
    let steps = drive(format!("http://{}", gw.emulators["lab"]), true).await;
    the_client_saw_gitlabs_answers(&steps);
    every_flag_is_one_the_client_takes(&steps);
}

#[tokio::test]
async fn the_client_works_through_its_surface_in_front_of_a_vendor_that_lists_event_types() {
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [surfaces.lab]\ndialect = \"lab\"\nupstream = \"relay\"\nprefix = \"/lab\"\n"
    ))
    .await;
    let steps = drive(format!("http://{}/lab", gw.addr), false).await;
    the_client_saw_gitlabs_answers(&steps);
    // What Relay keeps: the list the flags stand for.
    let listed = support::relay_hooks(gw.emulators["relay"], "3").await;
    let kept: Vec<&Value> = listed.iter().map(|h| &h["topics"]).collect();
    assert_eq!(
        kept,
        [&json!(["push_events"]), &json!(["job_events"])],
        "{listed:?}"
    );
}
