//! Where `hookgate check` reads its configuration from, and what its report says: a file that
//! is there but cannot be read is refused by name rather than replaced by the open built-in
//! default; every mapping file's problems come in one pass, with the configuration's against
//! the files that loaded; a wrong value's knock-on effects are not reported; and a value from
//! the environment is named as such, whichever check refuses it.

use std::path::Path;

mod support;

use support::hookgate_in as hookgate;

/// What `check` said, having refused the configuration with exit 64.
fn refused(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = hookgate(dir, args, env);
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(64), "{args:?} {env:?}: {text}");
    assert!(!text.contains("ok:"), "{text}");
    text
}

/// A folder holding `config/hookgate.toml` as `make` leaves it.
fn with_default_path(make: impl FnOnce(&Path)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("config")).unwrap();
    make(&dir.path().join("config/hookgate.toml"));
    dir
}

#[test]
fn something_unusable_at_the_default_path_is_refused_never_replaced_by_the_open_default() {
    let cases: Vec<(tempfile::TempDir, &str)> = vec![
        (
            with_default_path(|p| {
                std::os::unix::fs::symlink("/nonexistent/hookgate.toml", p).unwrap()
            }),
            "is a symbolic link to /nonexistent/hookgate.toml, which does not exist",
        ),
        (
            with_default_path(|p| {
                std::os::unix::fs::symlink(p.with_file_name("gone.toml"), p).unwrap()
            }),
            "is a symbolic link to ",
        ),
        (
            with_default_path(|p| std::fs::create_dir(p).unwrap()),
            "is a directory",
        ),
    ];
    for (dir, why) in &cases {
        let text = refused(dir.path(), &["check"], &[]);
        let at = std::path::absolute(dir.path().join("config/hookgate.toml")).unwrap();
        assert!(
            text.contains(&format!("{} {why}", at.display())),
            "{why}: {text}"
        );
        assert!(!text.contains("built-in default"), "{text}");
        // Serving refuses it too, before anything is bound.
        let out = hookgate(dir.path(), &["serve", "--listen", "127.0.0.1:0"], &[]);
        assert_eq!(out.status.code(), Some(64), "{why}");
    }
    // A file that cannot be read (only where permissions hold: not for root).
    let dir = with_default_path(|p| {
        std::fs::write(p, "[inbound_auth]\nmode = \"api_keys\"\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o000)).unwrap();
    });
    if std::fs::File::open(dir.path().join("config/hookgate.toml")).is_err() {
        let text = refused(dir.path(), &["check"], &[]);
        assert!(text.contains("cannot be read"), "{text}");
    }
    // Nothing at all there: the built-in default, as documented.
    let empty = tempfile::tempdir().unwrap();
    let out = hookgate(empty.path(), &["check"], &[]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_named_configuration_that_is_a_folder_or_an_empty_variable_is_said_to_be_so() {
    let dir = tempfile::tempdir().unwrap();
    let folder = std::path::absolute(dir.path()).unwrap();
    let shown = folder.display().to_string();
    for (args, env) in [
        (vec!["check", "--config", shown.as_str()], vec![]),
        (vec!["check"], vec![("HOOKGATE_CONFIG", shown.as_str())]),
    ] {
        let text = refused(dir.path(), &args, &env);
        assert!(text.contains(&format!("{shown} is a directory")), "{text}");
        assert!(!text.contains("does not exist"), "{text}");
    }
    let text = refused(dir.path(), &["check"], &[("HOOKGATE_CONFIG", "")]);
    assert!(text.contains("HOOKGATE_CONFIG is set but empty"), "{text}");
    let missing = folder.join("missing.toml");
    let text = refused(
        dir.path(),
        &["check", "--config", missing.to_str().unwrap()],
        &[],
    );
    assert!(
        text.contains(&format!("{} does not exist", missing.display())),
        "{text}"
    );
}

/// A configuration file in `dir` holding `toml`, with authentication off; its path.
fn config(dir: &Path, toml: &str) -> String {
    let file = dir.join("hookgate.toml");
    std::fs::write(&file, format!("{toml}\n[inbound_auth]\nmode = \"off\"\n")).unwrap();
    file.display().to_string()
}

#[test]
fn every_mapping_file_s_problems_come_in_one_pass_with_the_configuration_s_against_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let maps = dir.path().join("maps");
    std::fs::create_dir(&maps).unwrap();
    let (shipped, text) = hookgate::mapping::load::SHIPPED[0];
    std::fs::write(maps.join("broken.toml"), "not = [valid\n").unwrap();
    std::fs::write(maps.join("nodialect.toml"), "[x]\na=1\n").unwrap();
    std::fs::write(
        maps.join("unknownkey.toml"),
        text.replacen("[dialect]\n", "[dialect]\nno_such_key = 1\n", 1),
    )
    .unwrap();
    std::fs::write(maps.join("fine.toml"), text).unwrap();
    let file = config(
        dir.path(),
        "mappings_dir = \"maps\"\n\
         [upstreams.a]\ndialect = \"broken\"\nemulate = true\n\
         [upstreams.b]\ndialect = \"unknownkey\"\nemulate = true\n\
         [upstreams.c]\ndialect = \"nowhere\"\nemulate = true\n\
         [upstreams.d]\ndialect = \"fine\"\nemulate = true\n",
    );
    let text = refused(dir.path(), &["check", "--config", &file], &[]);
    for expected in [
        "broken.toml: line 1",
        "nodialect.toml: (file): not a mapping file",
        "unknownkey.toml: line",
        "no_such_key",
        "upstreams.a.dialect: `broken`'s mapping file does not load",
        "upstreams.b.dialect: `unknownkey`'s mapping file does not load",
        "upstreams.c.dialect: `nowhere` has no mapping file",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    assert!(!text.contains("upstreams.d"), "{text}");
    assert!(!text.contains("`broken` has no mapping file"), "{text}");
    // A broken file of a shipped dialect's name is not stood in for by the shipped one.
    std::fs::write(maps.join(format!("{shipped}.toml")), "nor = [this\n").unwrap();
    let file = config(
        dir.path(),
        &format!(
            "mappings_dir = \"maps\"\n[upstreams.s]\ndialect = \"{shipped}\"\nemulate = true\n"
        ),
    );
    let text = refused(dir.path(), &["check", "--config", &file], &[]);
    assert!(
        text.contains(&format!(
            "upstreams.s.dialect: `{shipped}`'s mapping file does not load"
        )),
        "{text}"
    );
}

#[test]
fn what_a_wrong_value_s_absence_causes_is_not_reported_again() {
    let dir = tempfile::tempdir().unwrap();
    let live = "[upstreams.live]\ndialect = \"x\"\nbase_url = \"https://api.example.com\"\nauth = { type = \"none\" }\n";
    for (toml, env, wrong, knock_on) in [
        // A mode misspelt: no key is what `api_keys`, its default, would need.
        (
            "",
            ("HOOKGATE__INBOUND_AUTH__MODE", "of"),
            "inbound_auth.mode",
            "inbound_auth.keys",
        ),
        (
            "",
            ("HOOKGATE__INBOUND_AUTH__MODE", "apikeys"),
            "inbound_auth.mode",
            "no API key",
        ),
        // Whether emulated, not known: what an upstream that is not would need.
        (
            "[upstreams.e]\ndialect = \"x\"\n",
            ("HOOKGATE__UPSTREAMS__E__EMULATE", "maybe"),
            "upstreams.e.emulate",
            "upstreams.e.base_url",
        ),
        (
            "[upstreams.e]\ndialect = \"x\"\n",
            ("HOOKGATE__UPSTREAMS__E__EMULATE", "maybe"),
            "upstreams.e.emulate",
            "upstreams.e.auth",
        ),
        // A timeout of the wrong type stands as its default, which the deadline is under.
        (
            "[upstreams.e]\ndialect = \"x\"\nemulate = true\ndeadline_ms = 5\n",
            ("HOOKGATE__UPSTREAMS__E__TIMEOUT_MS", "soon"),
            "upstreams.e.timeout_ms",
            "upstreams.e.deadline_ms",
        ),
        // An upstream left out whole: the names pointing at it are not "names no upstream".
        (
            &format!(
                "default_upstream = \"e\"\n[upstreams.e]\nemulate = true\n{live}[surfaces.s]\ndialect = \"x\"\nupstream = \"e\"\nprefix = \"/s\"\n"
            ),
            ("HOOKGATE__LOG__LEVEL", "info"),
            "upstreams.e",
            "names no upstream",
        ),
        // A surface's prefix of the wrong type: that it has neither prefix nor listener is not.
        (
            &format!("{live}[surfaces.s]\ndialect = \"x\"\nupstream = \"live\"\n"),
            ("HOOKGATE__SURFACES__S__PREFIX", "[1]"),
            "surfaces.s.prefix",
            "needs a `prefix`",
        ),
    ] {
        let file = dir.path().join("c.toml");
        let body = if toml.contains("inbound_auth") || env.0.contains("INBOUND_AUTH") {
            toml.to_owned()
        } else {
            format!("{toml}\n[inbound_auth]\nmode = \"off\"\n")
        };
        std::fs::write(&file, body).unwrap();
        let text = refused(
            dir.path(),
            &["check", "--config", file.to_str().unwrap()],
            &[env],
        );
        assert!(text.contains(wrong), "{wrong}: {text}");
        assert!(!text.contains(knock_on), "{knock_on} after {wrong}: {text}");
    }
}

#[test]
fn a_value_from_the_environment_is_named_so_whichever_check_refuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = config(dir.path(), "");
    for (variable, value, key) in [
        ("HOOKGATE__LISTEN", "notanaddr", "listen"),
        ("HOOKGATE__LISTEN", "127.0.0.1", "listen"),
        ("HOOKGATE__DEFAULT_UPSTREAM", "nobody", "default_upstream"),
        ("HOOKGATE__LOG__LEVEL", "hookgate=loud", "log.level"),
        (
            "HOOKGATE__LIMITS__MAX_BODY_BYTES",
            "0",
            "limits.max_body_bytes",
        ),
        (
            "HOOKGATE__UPSTREAMS__X__TIMEOUT_MS",
            "0",
            "upstreams.x.timeout_ms",
        ),
    ] {
        let text = refused(
            dir.path(),
            &["check", "--config", &file],
            &[
                (variable, value),
                ("HOOKGATE__UPSTREAMS__X__DIALECT", "x"),
                ("HOOKGATE__UPSTREAMS__X__EMULATE", "true"),
            ],
        );
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("- {key}:")))
            .unwrap_or_else(|| panic!("{key}: {text}"));
        assert!(
            line.ends_with(&format!("(from environment variable {variable})")),
            "{variable}: {line}"
        );
    }
    // A key inside a list the environment set is named by the list's variable.
    let text = refused(
        dir.path(),
        &["check", "--config", &file],
        &[
            ("HOOKGATE__INBOUND_AUTH__MODE", "api_keys"),
            (
                "HOOKGATE__INBOUND_AUTH__KEYS",
                "[{name = \"ci\", sha256 = \"abc\", scopes = [\"webhooks:read\"]}]",
            ),
        ],
    );
    assert!(
        text.contains(
            "inbound_auth.keys[0].sha256: expected 64 hex digits: the SHA-256 of the key, never the key (from environment variable HOOKGATE__INBOUND_AUTH__KEYS)"
        ),
        "{text}"
    );
}

#[test]
fn a_problem_from_the_environment_names_the_variable_as_it_was_set() {
    let dir = tempfile::tempdir().unwrap();
    let file = config(dir.path(), "");
    let sha = "a".repeat(64);
    for (env, line) in [
        // A misspelt section is named by the variable beneath it, not by the section's name.
        (
            vec![("HOOKGATE__LIMTS__MAX_BODY_BYTES", "5".to_owned())],
            "- limts: unknown key; did you mean `limits`? (from environment variable HOOKGATE__LIMTS__MAX_BODY_BYTES)",
        ),
        (
            vec![
                ("HOOKGATE__LIMTS__MAX_BODY_BYTES", "5".to_owned()),
                ("HOOKGATE__LIMTS__IDLE_TIMEOUT_MS", "5".to_owned()),
            ],
            "- limts: unknown key; did you mean `limits`? (from environment variables HOOKGATE__LIMTS__IDLE_TIMEOUT_MS, HOOKGATE__LIMTS__MAX_BODY_BYTES)",
        ),
        (
            vec![("HOOKGATE__LOGG__LEVEL", "info".to_owned())],
            "(from environment variable HOOKGATE__LOGG__LEVEL)",
        ),
        // A key misspelt inside a list given whole is named by the list's variable.
        (
            vec![
                ("HOOKGATE__INBOUND_AUTH__MODE", "api_keys".to_owned()),
                (
                    "HOOKGATE__INBOUND_AUTH__KEYS",
                    format!("[{{name = \"ci\", sha256 = \"{sha}\", scope = [\"webhooks:read\"]}}]"),
                ),
            ],
            "- inbound_auth.keys[0].scope: unknown key; did you mean `inbound_auth.keys[0].scopes`? (from environment variable HOOKGATE__INBOUND_AUTH__KEYS)",
        ),
        (
            vec![
                ("HOOKGATE__INBOUND_AUTH__MODE", "api_keys".to_owned()),
                (
                    "HOOKGATE__INBOUND_AUTH__KEYS",
                    format!(
                        "[{{name = \"ci\", sha256 = \"{sha}\", scopes = [\"webhooks:read\"], colour = 1}}]"
                    ),
                ),
            ],
            "(from environment variable HOOKGATE__INBOUND_AUTH__KEYS)",
        ),
    ] {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let text = refused(dir.path(), &["check", "--config", &file], &env);
        assert!(text.contains(line), "{env:?}: {text}");
        assert!(!text.contains("[0]__"), "{env:?}: {text}");
    }
}

#[test]
fn a_count_from_the_environment_beyond_what_the_runtime_holds_is_refused_by_check() {
    let dir = tempfile::tempdir().unwrap();
    let file = config(dir.path(), "");
    for (variable, key, range) in [
        (
            "HOOKGATE__LIMITS__MAX_CONNECTIONS",
            "limits.max_connections",
            "1 to 1000000",
        ),
        (
            "HOOKGATE__UPSTREAMS__T__MAX_CONCURRENCY",
            "upstreams.t.max_concurrency",
            "1 to 100000",
        ),
    ] {
        let text = refused(
            dir.path(),
            &["check", "--config", &file],
            &[
                (variable, "2305843009213693952"),
                ("HOOKGATE__UPSTREAMS__T__DIALECT", "talkover"),
                ("HOOKGATE__UPSTREAMS__T__EMULATE", "true"),
            ],
        );
        assert!(
            text.contains(&format!(
                "- {key}: `2305843009213693952`: expected {range} (from environment variable {variable})"
            )),
            "{variable}: {text}"
        );
    }
}
