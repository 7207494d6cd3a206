//! The `hookgate` binary: `check` on the shipped and on broken configurations and mapping
//! files (exit 64, every problem named by file and key), environment overrides, `emulate`.

mod support;

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_hookgate");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn hookgate(args: &[&str], env: &[(&str, &str)]) -> Output {
    support::hookgate_in(Path::new(ROOT), args, env)
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
[upstreams.userinfo]
dialect = "talkover"
base_url = "https://me:pw@example.com/api"
auth = { type = "none" }
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
        "upstreams.userinfo.base_url: the URL carries user information",
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
    assert!(
        !text.contains("me:pw"),
        "a URL's credential is not shown:
{text}"
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

/// `hookgate` in a folder that holds nothing, as after `cargo install`.
fn in_empty_folder(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    support::hookgate_in(dir, args, env)
}

#[test]
fn from_an_empty_folder_the_built_in_default_is_used_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = in_empty_folder(dir.path(), &["check"], &[]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("configuration: the built-in default configuration"),
        "{text}"
    );
    assert!(!text.contains("no API key"), "{text}");
    // The shipped dialects are compiled in: every one is loaded.
    for (name, _) in hookgate::mapping::load::SHIPPED {
        assert!(text.contains(name), "{name} not loaded: {text}");
    }
}

#[test]
fn every_problem_of_a_file_is_reported_at_once_with_suggestions() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(
        &file,
        r#"
listen = 8080
max_body_bytes = 5
[upstream.x]
dialect = "t"
[upstreams.live]
dialect = "talkover"
base_url = "https://example.com"
timeout = 5
retries = "three"
auth = { type = "bearr" }
[limits]
idle_timeout_ms = -1
[log]
level = "verbose"
format = "xml"
[inbound_auth]
mode = "off"
[surfaces.s]
dialect = "talkover"
upstream = "ghost"
prefix = "/s"
"#,
    )
    .unwrap();
    let out = hookgate(
        &["check", "--config", file.to_str().unwrap()],
        &[("HOOKGATE__LIMITS__MAX_CONECTIONS", "5")],
    );
    assert_eq!(out.status.code(), Some(64));
    let text = stderr(&out);
    for expected in [
        "listen: `8080`: expected a string",
        "max_body_bytes: unknown key; did you mean `limits.max_body_bytes`?",
        "upstream: unknown key; did you mean `upstreams`?",
        "upstreams.live.timeout: unknown key; did you mean `upstreams.live.timeout_ms`?",
        "upstreams.live.retries: `\"three\"`: expected a whole number",
        "upstreams.live.auth.type: `bearr`: expected `bearer`, `basic`, `header`, `query`, `passthrough` or `none`",
        "limits.idle_timeout_ms: `-1`: expected a whole number",
        "limits.max_conections: unknown key; did you mean `limits.max_connections`? (from environment variable HOOKGATE__LIMITS__MAX_CONECTIONS)",
        "log.level: `verbose`: would show none of hookgate's logs",
        "log.format: `xml`: expected `pretty` or `json`",
        "surfaces.s.upstream: `ghost` names no upstream; configured: live",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // A value left out for being wrong is not reported again for being absent.
    assert!(!text.contains("upstreams.live.auth: is required"), "{text}");
    assert!(!text.contains("missing field"), "{text}");
}

#[test]
fn relative_paths_are_taken_from_the_file_s_folder_and_errors_name_them_absolutely() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("conf");
    std::fs::create_dir_all(conf.join("maps")).unwrap();
    std::fs::write(conf.join("token"), "t0ken\n").unwrap();
    let file = conf.join("hookgate.toml");
    std::fs::write(
        &file,
        "mappings_dir = \"maps\"\n[inbound_auth]\nmode = \"off\"\n\
         [upstreams.live]\ndialect = \"talkover\"\nbase_url = \"https://example.com\"\n\
         auth = { type = \"bearer\", token_file = \"token\" }\n\
         [upstreams.other]\ndialect = \"talkover\"\nbase_url = \"https://example.com\"\n\
         auth = { type = \"bearer\", token_file = \"missing-token\" }\n",
    )
    .unwrap();
    // Run from elsewhere, naming the file relatively.
    let out = in_empty_folder(
        dir.path(),
        &["check", "--config", "conf/hookgate.toml"],
        &[],
    );
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(64), "{text}");
    let missing = std::path::absolute(conf.join("missing-token")).unwrap();
    assert!(
        text.contains(&format!(
            "upstreams.other.auth.token_file: {}: No such file",
            missing.display()
        )),
        "{text}"
    );
    assert!(
        !text.contains("upstreams.live"),
        "the token beside the file is read: {text}"
    );
    assert!(
        text.contains(&format!(
            "({})",
            std::path::absolute(&file).unwrap().display()
        )),
        "the report names the file absolutely: {text}"
    );
}

#[test]
fn a_stray_toml_in_mappings_dir_is_named_and_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.toml"), "title = \"notes\"\n").unwrap();
    let file = dir.path().join("c.toml");
    std::fs::write(
        &file,
        "mappings_dir = \".\"\n[inbound_auth]\nmode = \"off\"\n",
    )
    .unwrap();
    let out = hookgate(&["check", "--config", file.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(64));
    let notes = std::path::absolute(dir.path().join("notes.toml")).unwrap();
    assert!(
        stderr(&out).contains(&format!(
            "{}: (file): not a mapping file: it has no [dialect] table",
            notes.display()
        )),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_hookgate_variable_with_one_underscore_is_refused_by_check_with_the_right_spelling() {
    let out = hookgate(
        &["check"],
        &[
            ("HOOKGATE_LISTEN", "0.0.0.0:9999"),
            ("HOOKGATE_LIMITS_MAX_BODY_BYTES", "1"),
        ],
    );
    assert_eq!(out.status.code(), Some(64));
    let text = stderr(&out);
    assert!(
        text.contains("HOOKGATE_LISTEN: is not read")
            && text.contains("did you mean HOOKGATE__LISTEN?"),
        "{text}"
    );
    assert!(
        text.contains("did you mean HOOKGATE__LIMITS__MAX_BODY_BYTES?"),
        "{text}"
    );
}

#[test]
fn version_names_the_commit_and_each_shipped_mapping_file() {
    let out = hookgate(&["--version"], &[]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.starts_with(&format!("hookgate {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    for (name, _) in hookgate::mapping::load::SHIPPED {
        assert!(
            text.lines()
                .any(|l| l.trim().starts_with(&format!("{name} sha256:"))),
            "{name} missing: {text}"
        );
    }
}

#[test]
fn usage_errors_exit_64() {
    let out = hookgate(&["translate"], &[]);
    assert_eq!(out.status.code(), Some(64), "{}", stderr(&out));
    let out = hookgate(&["serve", "--listen", "nowhere"], &[]);
    assert_eq!(out.status.code(), Some(64), "{}", stderr(&out));
    let out = hookgate(&["--help"], &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Exit codes"));
}

#[test]
fn an_installed_gateway_serves_its_built_in_default_scrapes_every_series_and_passes_its_healthcheck()
 {
    use std::io::{BufRead, BufReader, Read, Write};
    let dir = tempfile::tempdir().unwrap();
    /// Ends the gateway however the test ends.
    struct Running(std::process::Child);
    impl Drop for Running {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    // A port found free is free only until someone binds it: the gateway's own emulators,
    // which bind ports the system picks before the gateway's listener, may take it. Another
    // port is tried then.
    let mut attempts = 0;
    // The reader is kept: the gateway logs into its pipe until it is stopped.
    let (listen, child, _reader, log) = loop {
        attempts += 1;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let listen = format!("127.0.0.1:{port}");
        let env = [
            ("HOOKGATE__LISTEN", listen.as_str()),
            ("HOOKGATE_LISTEN", "typo"),
        ];
        let mut cmd = Command::new(BIN);
        cmd.current_dir(dir.path())
            .env_remove("HOOKGATE_CONFIG")
            .env_remove("RUST_LOG")
            .env_remove("NO_COLOR")
            .envs(env)
            .stderr(std::process::Stdio::piped());
        let mut child = Running(cmd.spawn().unwrap());
        let mut reader = BufReader::new(child.0.stderr.take().unwrap());
        let mut log = String::new();
        while !log.contains("gateway listening") && reader.read_line(&mut log).unwrap() > 0 {}
        if log.contains("gateway listening") {
            break (listen, child, reader, log);
        }
        let taken = log.contains(&format!("cannot listen on {listen}"));
        assert!(taken && attempts < 5, "exited early:\n{log}");
    };
    let env = [
        ("HOOKGATE__LISTEN", listen.as_str()),
        ("HOOKGATE_LISTEN", "typo"),
    ];
    assert!(
        log.contains("source=the built-in default configuration"),
        "{log}"
    );
    assert!(
        log.contains("HOOKGATE_LISTEN") && log.contains("did you mean HOOKGATE__LISTEN?"),
        "a stray variable is warned about at startup:\n{log}"
    );
    assert!(!log.contains('\x1b'), "no colour into a pipe:\n{log}");

    let get = |path: &str| {
        let mut s = std::net::TcpStream::connect(&listen).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
        )
        .unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        text
    };
    let metrics = get("/metrics");
    assert!(
        metrics.contains(&format!(
            "hookgate_build_info{{version=\"{}\",commit=\"",
            env!("CARGO_PKG_VERSION")
        )),
        "{metrics}"
    );
    for family in [
        "hookgate_requests",
        "hookgate_upstream_request_duration_seconds",
        "hookgate_translation_errors",
        "hookgate_emulator_operations",
    ] {
        assert!(
            metrics.contains(&format!("# TYPE {family} ")),
            "{family}: {metrics}"
        );
    }
    let upstreams = get("/v1/upstreams");
    let body = &upstreams[upstreams.find("\r\n\r\n").unwrap() + 4..];
    let body = body.get(body.find('{').unwrap_or(0)..).unwrap_or(body);
    let body = &body[..body.rfind('}').map_or(body.len(), |i| i + 1)];
    let listed: serde_json::Value = serde_json::from_str(body).unwrap();
    let names: Vec<&str> = listed["data"]
        .as_array()
        .or(listed.as_array())
        .into_iter()
        .flatten()
        .filter_map(|u| u["name"].as_str())
        .collect();
    assert!(!names.is_empty(), "{upstreams}");
    for name in names {
        assert!(
            metrics.contains(&format!(
                "hookgate_translation_errors_total{{upstream=\"{name}\"}} 0"
            )),
            "{name} has no series before traffic: {metrics}"
        );
    }

    let probe = in_empty_folder(dir.path(), &["healthcheck"], &env);
    assert_eq!(probe.status.code(), Some(0), "{}", stderr(&probe));
    drop(child);
    let probe = in_empty_folder(dir.path(), &["healthcheck", "--timeout-ms", "2000"], &env);
    assert_eq!(probe.status.code(), Some(1));
}

#[test]
fn check_refuses_a_token_no_header_can_carry_and_a_key_configured_twice() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hookgate.toml");
    let digest = "a".repeat(64);
    std::fs::write(
        &config,
        format!(
            "[upstreams.v]\ndialect = \"talkover\"\nbase_url = \"https://api.example.com\"\n\
             auth = {{ type = \"bearer\", token_env = \"HG_TEST_BAD_TOKEN\" }}\n\
             [upstreams.w]\ndialect = \"talkover\"\nbase_url = \"https://api.example.com\"\n\
             auth = {{ type = \"header\", name = \"X-Key\", token_env = \"HG_TEST_BAD_TOKEN\" }}\n\
             [inbound_auth]\nmode = \"api_keys\"\n\
             [[inbound_auth.keys]]\nname = \"reader\"\nsha256 = \"{digest}\"\nscopes = [\"webhooks:read\"]\n\
             [[inbound_auth.keys]]\nname = \"writer\"\nsha256 = \"{}\"\nscopes = [\"webhooks:write\"]\n",
            digest.to_uppercase()
        ),
    )
    .unwrap();
    let token = "tok\u{1}en-with-a-control";
    let out = hookgate(
        &["check", "--config", config.to_str().unwrap()],
        &[("HG_TEST_BAD_TOKEN", token)],
    );
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(64), "{text}");
    // Every problem at once, the token never shown.
    assert!(text.contains("upstreams.v.auth.token_env"), "{text}");
    assert!(text.contains("upstreams.w.auth.token_env"), "{text}");
    assert!(text.contains("not text a header value can hold"), "{text}");
    assert!(!text.contains("with-a-control"), "{text}");
    assert!(
        text.contains("inbound_auth.keys[1].sha256: the same key as inbound_auth.keys[0]"),
        "{text}"
    );
}

#[test]
fn check_reads_the_emulators_fixtures_and_state_as_starting_does() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    std::fs::write(&state, "{\"hookgate_emulator_state\": 1, ").unwrap();
    let config = dir.path().join("hookgate.toml");
    for (emulator, says) in [
        (
            format!("fixtures = {:?}", dir.path().join("missing.json")),
            "upstreams.talkover.emulator.fixtures",
        ),
        (
            format!("state = {state:?}"),
            "upstreams.talkover.emulator.state",
        ),
        (
            format!("state = {:?}", dir.path().join("no-such-folder/state.json")),
            "no such folder to keep the state file in",
        ),
    ] {
        std::fs::write(
            &config,
            format!(
                "[upstreams.talkover]\ndialect = \"talkover\"\nemulate = true\n\
                 [upstreams.talkover.emulator]\n{emulator}\n[inbound_auth]\nmode = \"off\"\n"
            ),
        )
        .unwrap();
        let out = hookgate(&["check", "--config", config.to_str().unwrap()], &[]);
        let text = stderr(&out);
        assert_eq!(out.status.code(), Some(64), "{text}");
        assert!(text.contains(says), "{says}: {text}");
    }
    // The fixtures file the emulators' documentation uses is one.
    let documented = Path::new(ROOT).join("examples/fixtures/talkover.json");
    std::fs::write(
        &config,
        format!(
            "[upstreams.talkover]\ndialect = \"talkover\"\nemulate = true\n\
             [upstreams.talkover.emulator]\nfixtures = {documented:?}\n[inbound_auth]\nmode = \"off\"\n"
        ),
    )
    .unwrap();
    let out = hookgate(&["check", "--config", config.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// What `hookgate translate --json` shows of a canonical request and the vendor's answer to
/// it (`status`, `body` given as a file), through an upstream whose credential is `token`.
fn translated_answer(token: &str, request: &[&str], status: u16, body: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gw.toml");
    std::fs::write(
        &config,
        format!(
            "mappings_dir = {:?}\n[inbound_auth]\nmode = \"off\"\n[upstreams.live]\n\
             dialect = \"talkover\"\nbase_url = \"https://t.vendor.test\"\n\
             auth = {{ type = \"bearer\", token_env = \"HOOKGATE_TEST_VENDOR_TOKEN\" }}\n",
            support::MAPPINGS
        ),
    )
    .unwrap();
    let answer = dir.path().join("answer");
    std::fs::write(&answer, body).unwrap();
    let (config, answer, status) = (
        config.display().to_string(),
        answer.display().to_string(),
        status.to_string(),
    );
    let mut args = vec![
        "translate",
        "--json",
        "--config",
        &config,
        "--upstream",
        "live",
    ];
    args.extend(["--owner", "550e8400-e29b-41d4-a716-446655440000"]);
    args.extend(request);
    args.extend(["--response", &status, "--response-body", &answer]);
    let out = hookgate(&args, &[("HOOKGATE_TEST_VENDOR_TOKEN", token)]);
    assert_eq!(
        out.status.code().map(|c| c <= 1),
        Some(true),
        "{}",
        stderr(&out)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `hookgate translate` shows a vendor's answer as the gateway receives it: hookgate's own
/// credential at the vendor, however the answer spells it, is `[redacted]` in the canonical
/// result, an error's words and a webhook's members alike; and a problem is redacted of the
/// request's own secrets (the webhook's signing secret) as the gateway's are.
#[test]
fn translate_redacts_what_the_gateway_redacts_of_an_answer() {
    const TOKEN: &str = "talq-wrong/999999";
    const SECRET: &str = "whsec_translate_SECRET_0123456789";
    let one = "/webhooks/0199a1b2-0000-7000-8000-000000000001";
    let get = ["GET", one];
    let webhook = |name: &str| {
        serde_json::json!({"success": true, "data": {"id": "0199a1b2-0000-7000-8000-000000000001",
            "agent_id": "550e8400-e29b-41d4-a716-446655440000", "name": name,
            "webhook_url": "https://example.com/hook", "events": ["event_phone_call_started"],
            "enabled": true}})
        .to_string()
    };
    let create = serde_json::json!({"description": "d", "url": "https://example.com/hook",
        "events": ["event_phone_call_started"], "secret": SECRET})
    .to_string();
    let post = ["POST", "/webhooks", "--body", &create];
    let cases: Vec<(&[&str], u16, String, &str)> =
        vec![
        (
            &get,
            401,
            format!(r#"{{"success":false,"message":"Bad or missing token {TOKEN}"}}"#),
            "/result/body/detail",
        ),
        (
            &get,
            401,
            r#"{"success":false,"message":"Bad or missing token talq-wrong\/999999"}"#.into(),
            "/result/body/upstream/message",
        ),
        (
            &get,
            403,
            r#"{"success":false,"message":"see https://t.vendor.test/?token=talq-wrong%2F999999"}"#
                .into(),
            "/result/body/detail",
        ),
        (
            &post,
            422,
            format!(
                r#"{{"message":"invalid","errors":{{"webhook_url":["no {TOKEN} here"]}}}}"#
            ),
            "/result/body/errors/0/message",
        ),
        (&get, 200, webhook(&format!("for {TOKEN}")), "/result/body/description"),
        (
            &post,
            400,
            format!(r#"{{"success":false,"message":"secret {SECRET} is not accepted"}}"#),
            "/result/body/detail",
        ),
    ];
    for (request, status, body, at) in cases {
        let printed = translated_answer(TOKEN, request, status, &body);
        assert!(!printed.contains("talq-wrong"), "{body}:\n{printed}");
        let shown: serde_json::Value = serde_json::from_str(&printed).unwrap();
        // The vendor request a create makes shows the secret it sends; the result does not.
        let result = shown["result"].to_string();
        assert!(!result.contains(SECRET), "{body}:\n{printed}");
        let text = shown
            .pointer(at)
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        assert!(text.contains("[redacted]"), "{at} of {body}:\n{printed}");
    }
}

/// `hookgate ARGS` as [`hookgate`] runs it, stopped (and the test failed) if it is still
/// running after a minute: a command meant to exit that serves instead.
fn within_a_minute(args: &[&str]) -> Output {
    let mut child = Command::new(BIN)
        .current_dir(ROOT)
        .args(args)
        .env_remove("HOOKGATE_CONFIG")
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A minute of looks, 50 ms apart.
    for _ in 0..1200 {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    panic!("{args:?} is still running: {}", stderr(&out));
}

#[test]
fn serve_refuses_a_state_file_check_refuses_and_binds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let config = dir.path().join("hookgate.toml");
    for state in [
        dir.path().join("no-such-folder/state.json"),
        dir.path().join("no-such-folder/deeper/state.json"),
        file.join("state.json"),
    ] {
        std::fs::write(
            &config,
            format!(
                "listen = \"127.0.0.1:0\"\n[upstreams.talkover]\ndialect = \"talkover\"\nemulate = true\n\
                 [upstreams.talkover.emulator]\nstate = {state:?}\n[inbound_auth]\nmode = \"off\"\n"
            ),
        )
        .unwrap();
        for command in ["check", "serve"] {
            let out = within_a_minute(&[command, "--config", config.to_str().unwrap()]);
            let text = stderr(&out);
            assert_eq!(out.status.code(), Some(64), "{command} {state:?}: {text}");
            assert!(
                text.contains("upstreams.talkover.emulator.state: ")
                    && text.contains("no such folder to keep the state file in"),
                "{command} {state:?}: {text}"
            );
            assert!(!text.contains("listening"), "{command} {state:?}: {text}");
        }
    }
}

#[test]
fn faults_given_whole_by_a_variable_are_named_by_that_variable() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hookgate.toml");
    std::fs::write(
        &config,
        "[upstreams.u]\ndialect = \"talkover\"\nemulate = true\n[inbound_auth]\nmode = \"off\"\n",
    )
    .unwrap();
    let variable = "HOOKGATE__UPSTREAMS__U__EMULATOR__FAULTS";
    for (value, says) in [
        (
            "{scirpt=[{status=500}]}",
            "upstreams.u.emulator.faults.scirpt: unknown key; did you mean `upstreams.u.emulator.faults.script`?",
        ),
        (
            "{latency_ms=-1}",
            "upstreams.u.emulator.faults.latency_ms: invalid value",
        ),
        (
            "{latency_ms=[1,2,3]}",
            "upstreams.u.emulator.faults.latency_ms: invalid length 3",
        ),
        (
            "{script=[{status=200}]}",
            "upstreams.u.emulator.faults.script[0].status: expected a status from 400 to 599",
        ),
        (
            "{random=[{rate=2}]}",
            "upstreams.u.emulator.faults.random[0].rate: expected a share from 0 to 1",
        ),
    ] {
        let out = hookgate(
            &["check", "--config", config.to_str().unwrap()],
            &[(variable, value)],
        );
        let text = stderr(&out);
        assert_eq!(out.status.code(), Some(64), "{value}: {text}");
        assert!(
            text.contains(says)
                && text.contains(&format!("(from environment variable {variable})")),
            "{value}: {text}"
        );
        // Never a variable that does not exist, nor a list quoted inside quotes.
        assert!(!text.contains(&format!("{variable}__")), "{value}: {text}");
        assert!(!text.contains("`one of"), "{value}: {text}");
    }
}
