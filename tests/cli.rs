//! The `hookgate` binary: `check` on the shipped and on broken configurations and mapping
//! files (exit 64, every problem named by file and key), environment overrides, `emulate`.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_hookgate");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn hookgate(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(ROOT)
        .args(args)
        .env_remove("HOOKGATE_CONFIG")
        .env_remove("RUST_LOG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The dialects of the shipped mapping files, by file stem, in name order.
fn shipped_dialects() -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/mappings"))
            .unwrap()
            .filter_map(|e| {
                let path = e.unwrap().path();
                (path.extension()? == "toml")
                    .then(|| path.file_stem()?.to_str().map(str::to_owned))?
            })
            .collect();
    names.sort();
    names
}

#[test]
fn the_shipped_configuration_checks_clean() {
    let out = hookgate(&["check"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let names = shipped_dialects();
    let expected = format!("{} dialects ({})", names.len(), names.join(", "));
    assert!(stderr(&out).contains(&expected), "{}", stderr(&out));
}

#[test]
fn a_broken_configuration_lists_every_problem_and_exits_64() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(
        &file,
        r#"
listen = "not-an-address"
default_upstream = "ghost"
colour = "blue"
[upstreams.live]
dialect = "talkover"
base_url = "ftp://example.com"
auth = { type = "bearer", token_env = "HOOKGATE_TEST_UNSET_TOKEN" }
"#,
    )
    .unwrap();
    let out = hookgate(&["check", "--config", file.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(64));
    let text = stderr(&out);
    assert!(text.contains("colour"), "unknown keys are named: {text}");

    std::fs::write(
        &file,
        r#"
listen = "not-an-address"
default_upstream = "ghost"
[upstreams.live]
dialect = "talkover"
base_url = "ftp://example.com"
auth = { type = "bearer", token_env = "HOOKGATE_TEST_UNSET_TOKEN" }
[upstreams.empty]
dialect = "talkover"
base_url = "https://example.com"
auth = { type = "bearer", token_file = "EMPTY" }
[upstreams.absent]
dialect = "talkover"
base_url = "https://example.com"
auth = { type = "bearer", token_file = "/nonexistent/token" }
[upstreams.both]
dialect = "talkover"
base_url = "https://example.com"
auth = { type = "bearer", token_env = "HOME", token_file = "/nonexistent/token" }
"#
        .replace("EMPTY", dir.path().join("empty").to_str().unwrap()),
    )
    .unwrap();
    std::fs::write(dir.path().join("empty"), " \n").unwrap();
    let out = hookgate(&["check", "--config", file.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(64));
    let text = stderr(&out);
    for expected in [
        "listen: `not-an-address` is not a socket address",
        "default_upstream: `ghost` names no upstream",
        "upstreams.live.base_url: `ftp://example.com` is not an http:// or https:// URL",
        "upstreams.live.auth.token_env: environment variable HOOKGATE_TEST_UNSET_TOKEN is not set",
        "upstreams.empty.auth.token_file: ",
        "/empty is empty",
        "upstreams.absent.auth.token_file: /nonexistent/token: No such file",
        "upstreams.both.auth: a bearer credential needs exactly one of token_env or token_file",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(
        text.contains(file.to_str().unwrap()),
        "the report names its file"
    );
}

#[test]
fn a_missing_named_file_is_an_error() {
    let out = hookgate(&["check", "--config", "/nonexistent/hookgate.toml"], &[]);
    assert_eq!(out.status.code(), Some(64));
    assert!(stderr(&out).contains("/nonexistent/hookgate.toml does not exist"));
    let out = hookgate(&["check"], &[("HOOKGATE_CONFIG", "/nonexistent/env.toml")]);
    assert_eq!(out.status.code(), Some(64));
}

#[test]
fn environment_variables_override_the_file() {
    let out = hookgate(
        &["check"],
        &[("HOOKGATE__UPSTREAMS__TALKOVER__TIMEOUT_MS", "0")],
    );
    assert_eq!(out.status.code(), Some(64));
    assert!(
        stderr(&out).contains("upstreams.talkover.timeout_ms: `0`"),
        "{}",
        stderr(&out)
    );
    let out = hookgate(&["check"], &[("HOOKGATE__LISTEN", "0.0.0.0:9999")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_broken_mapping_file_names_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["talkover", "chirp"] {
        std::fs::copy(
            Path::new(ROOT).join(format!("mappings/{name}.toml")),
            dir.path().join(format!("{name}.toml")),
        )
        .unwrap();
    }
    let broken = std::fs::read_to_string(dir.path().join("chirp.toml"))
        .unwrap()
        .replace("path = \"$.url\"", "path = \"$.url[*]\"")
        .replace("codec = { map = { active", "codec = { map = { x")
        .replacen(
            "inferred = true\nresponse = \"{{webhook}}\"",
            "inferred = true\nresponse = { \"$switch\" = 1 }",
            1,
        );
    std::fs::write(
        dir.path().join("chirp.toml"),
        broken + "\n[fields.colour]\npath = \"$.colour\"\n",
    )
    .unwrap();
    let other = tempfile::tempdir().unwrap();
    let config = other.path().join("c.toml");
    std::fs::write(
        &config,
        format!("mappings_dir = {:?}\n[inbound_auth]\nmode = \"off\"\n[upstreams.c]\ndialect = \"chirp\"\nemulate = true\n[upstreams.t]\ndialect = \"nope\"\nemulate = true\n", dir.path()),
    )
    .unwrap();
    let out = hookgate(&["check", "--config", config.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(64));
    let text = stderr(&out);
    assert!(
        text.contains("chirp.toml: fields.url.path: `$.url[*]`"),
        "{text}"
    );
    assert!(
        text.contains("chirp.toml: fields.colour: not a canonical field"),
        "{text}"
    );
    // A response template that does not compile is reported once, as itself.
    assert!(
        text.contains("chirp.toml: operations.get.response: `$switch` must name a value"),
        "{text}"
    );
    assert!(!text.contains("needs a `response` template"), "{text}");

    std::fs::write(
        dir.path().join("chirp.toml"),
        std::fs::read(Path::new(ROOT).join("mappings/chirp.toml")).unwrap(),
    )
    .unwrap();
    let out = hookgate(&["check", "--config", config.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(64));
    assert!(
        stderr(&out).contains("upstreams.t.dialect: `nope` has no mapping file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn emulate_refuses_an_unknown_dialect() {
    let out = hookgate(&["emulate", "nope", "--listen", "127.0.0.1:0"], &[]);
    assert_eq!(out.status.code(), Some(64));
    assert!(
        stderr(&out).contains(&format!("available: {}", shipped_dialects().join(", "))),
        "{}",
        stderr(&out)
    );
}
