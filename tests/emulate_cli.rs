//! `hookgate emulate <dialect>`: one vendor's API, alone, for other projects' test suites.

mod support;

use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulate_serves_the_vendors_own_api() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hookgate"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "emulate",
            "talkover",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Ready once it says so: the line is written after the listener is bound.
    let stderr = child.stderr.take().unwrap();
    let ready = tokio::task::spawn_blocking(move || {
        BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .any(|l| l.contains("emulator listening"))
    });
    assert!(
        tokio::time::timeout(std::time::Duration::from_secs(10), ready)
            .await
            .unwrap()
            .unwrap()
    );
    let addr = format!("127.0.0.1:{port}").parse().unwrap();
    let base = "/api/v1/agents/9fbef0b7-8d4e-4a08-9207-66c22155721d/webhooks";
    let auth = [("authorization", "Bearer YOUR_TOKEN")];
    let body = json!({"name": "My Webhook", "webhook_url": "https://example.com/webhook", "events": ["event_phone_call_started", "event_phone_call_ended"]});
    let created = support::send(addr, "POST", base, &auth, Some(&body)).await;
    let missing = support::send(addr, "GET", base, &[], None).await;
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(created.status, 200);
    let c = created.json();
    assert_eq!(
        (c["success"].clone(), c["message"].clone()),
        (json!(true), json!("Webhook created successfully"))
    );
    assert_eq!(c["data"]["timeout"], 30, "Talkover's default timeout");
    assert_eq!(c["data"]["events_count"], 2);
    assert_eq!(
        (missing.status, missing.json()),
        (401, json!({"message": "Missing Bearer Token"}))
    );
}

/// Starts `hookgate emulate ARGS…` and returns it with the lines it printed on standard output
/// once `lines` of them are there.
fn spawn(args: &[&str], lines: usize) -> (std::process::Child, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hookgate"))
        .arg("emulate")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("RUST_LOG", "warn")
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let printed: Option<Vec<String>> = (0..lines)
        .map(|_| rx.recv_timeout(std::time::Duration::from_secs(30)).ok())
        .collect();
    match printed {
        Some(printed) => (child, printed),
        None => {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "no address line from {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

fn stop(mut child: std::process::Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn loaded() -> Vec<hookgate::mapping::Dialect> {
    hookgate::mapping::load_dir(std::path::Path::new(support::MAPPINGS)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_dialects_print_one_address_line_each_on_a_listener_each_or_by_prefix() {
    let dialects = loaded();
    let names: Vec<&str> = dialects.iter().map(|d| d.name.as_str()).collect();
    for one_listener in [false, true] {
        let mut args = names.clone();
        args.extend(["--listen", "127.0.0.1:0"]);
        if one_listener {
            args.push("--one-listener");
        }
        let (child, lines) = spawn(&args, names.len());
        let mut ports = std::collections::BTreeSet::new();
        for (line, name) in lines.iter().zip(&names) {
            let words: Vec<&str> = line.split(' ').collect();
            assert_eq!(
                (words.len(), words[0], words[2]),
                (3, "listening", *name),
                "{line}"
            );
            let url = words[1].strip_prefix("http://127.0.0.1:").unwrap();
            let (port, prefix) = url
                .split_once('/')
                .map_or((url, String::new()), |(p, rest)| (p, format!("/{rest}")));
            assert_eq!(prefix.is_empty(), !one_listener, "{line}");
            ports.insert(port.to_owned());
            let addr = format!("127.0.0.1:{port}").parse().unwrap();
            let info = support::send(
                addr,
                "GET",
                &format!("{prefix}/__hookgate/emulator"),
                &[],
                None,
            )
            .await;
            assert_eq!(info.json()["dialect"], *name, "{line}");
        }
        assert_eq!(ports.len(), if one_listener { 1 } else { names.len() });
        stop(child);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixtures_state_and_configuration_apply_and_a_corrupt_state_file_exits_64() {
    use sha2::Digest;
    let d = loaded().remove(0);
    let dir = tempfile::tempdir().unwrap();
    let owner = d
        .webhook
        .read(&d.examples[0])
        .unwrap()
        .get("owner")
        .and_then(|o| o.as_str())
        .map(str::to_owned)
        .or_else(|| d.owner.as_ref().map(|_| "1".to_owned()));
    let fixtures = dir.path().join("fixtures.json");
    std::fs::write(
        &fixtures,
        json!({"owner": owner, "webhooks": d.examples, "faults": {"script": [{"status": 503}]}})
            .to_string(),
    )
    .unwrap();
    let state = dir.path().join("state.json");
    let key = "cli-admin-key-1";
    let config = dir.path().join("hookgate.toml");
    std::fs::write(
        &config,
        format!(
            "[inbound_auth]\nmode = \"api_keys\"\n[[inbound_auth.keys]]\nname = \"ci\"\nsha256 = \"{:x}\"\nscopes = [\"webhooks:read\", \"webhooks:write\"]\n",
            sha2::Sha256::digest(key.as_bytes())
        ),
    )
    .unwrap();
    let fixtures_arg = format!("{}={}", d.name, fixtures.display());
    let args = [
        "--config",
        config.to_str().unwrap(),
        d.name.as_str(),
        "--listen",
        "127.0.0.1:0",
        "--fixtures",
        &fixtures_arg,
        "--state",
        state.to_str().unwrap(),
    ];
    let (child, lines) = spawn(&args, 1);
    let addr = lines[0].split(' ').nth(1).unwrap()["http://".len()..]
        .parse()
        .unwrap();
    let keyed = [("x-api-key", key)];
    let refused = support::send(addr, "GET", "/__hookgate/webhooks", &[], None).await;
    assert_eq!(refused.status, 401, "the configuration's keys apply");
    let listed = support::send(addr, "GET", "/__hookgate/webhooks", &keyed, None).await;
    assert_eq!(listed.json()["webhooks"], json!(d.examples));
    let list = d
        .operation(hookgate::model::Action::List)
        .unwrap()
        .path
        .render(&[&d.base_path], owner.as_deref(), None);
    let failed = support::send(addr, "GET", &list, &keyed, None).await;
    assert_eq!(failed.status, 503, "the fixtures' scripted fault");
    stop(child);
    let kept = std::fs::read_to_string(&state).unwrap();
    assert!(kept.contains("hookgate_emulator_state"), "{kept}");

    std::fs::write(&state, "{\"hookgate_emulator_state\": 1, ").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hookgate"))
        .args([
            "emulate",
            d.name.as_str(),
            "--listen",
            "127.0.0.1:0",
            "--state",
        ])
        .arg(&state)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not an emulator state file"), "{stderr}");
    let unknown = Command::new(env!("CARGO_BIN_EXE_hookgate"))
        .args(["emulate", "no-such-dialect"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(64));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_limited_to_some_upstreams_may_use_only_the_emulators_of_those_names() {
    use sha2::Digest;
    let dialects = loaded();
    let (mine, other) = (&dialects[0].name, &dialects[1].name);
    let dir = tempfile::tempdir().unwrap();
    let key = "limited-key-0042";
    let config = dir.path().join("hookgate.toml");
    std::fs::write(
        &config,
        format!(
            "[upstreams.{mine}]\ndialect = \"{mine}\"\nemulate = true\n\
             [inbound_auth]\nmode = \"api_keys\"\n[[inbound_auth.keys]]\nname = \"one\"\n\
             sha256 = \"{:x}\"\nscopes = [\"webhooks:read\", \"webhooks:write\"]\n\
             upstreams = [\"{mine}\"]\n",
            sha2::Sha256::digest(key.as_bytes())
        ),
    )
    .unwrap();
    let args = [
        "--config",
        config.to_str().unwrap(),
        mine.as_str(),
        other.as_str(),
        "--listen",
        "127.0.0.1:0",
    ];
    let (child, lines) = spawn(&args, 2);
    let addr_of = |name: &str| -> std::net::SocketAddr {
        let line = lines
            .iter()
            .find(|l| l.ends_with(&format!(" {name}")))
            .unwrap();
        line.split(' ').nth(1).unwrap()["http://".len()..]
            .parse()
            .unwrap()
    };
    let keyed = [("x-api-key", key)];
    let own = support::send(addr_of(mine), "GET", "/__hookgate/webhooks", &keyed, None).await;
    assert_eq!(own.status, 200, "its own upstream's emulator");
    let elsewhere =
        support::send(addr_of(other), "GET", "/__hookgate/webhooks", &keyed, None).await;
    assert_eq!(elsewhere.status, 403, "another's");
    stop(child);
}

/// A fixtures file is read as a request body is: a number the store could keep only as
/// another, or a member named twice, stops the emulator with exit code 64 and the reason,
/// rather than being settled silently.
#[test]
fn a_fixtures_file_that_cannot_be_kept_as_written_exits_64() {
    let d = loaded().remove(0);
    let dir = tempfile::tempdir().unwrap();
    let webhook = d.examples[0].to_string();
    let body = &webhook[1..];
    for (what, text, said) in [
        (
            "an integer beyond 64 bits",
            format!(r#"{{"webhooks": [{{"n": 12345678901234567890123, {body}]}}"#),
            "too large to be carried exactly",
        ),
        (
            "a member named twice",
            format!(r#"{{"webhooks": [], "webhooks": [{{{body}]}}"#),
            "is repeated",
        ),
    ] {
        let fixtures = dir.path().join("fixtures.json");
        std::fs::write(&fixtures, text).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_hookgate"))
            .args([
                "emulate",
                d.name.as_str(),
                "--listen",
                "127.0.0.1:0",
                "--fixtures",
            ])
            .arg(format!("{}={}", d.name, fixtures.display()))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(64), "{what}: {stderr}");
        assert!(stderr.contains(said), "{what}: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixtures_with_two_webhooks_of_one_id_are_refused_naming_the_id_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    for d in loaded() {
        let id = d.webhook.read(&d.examples[0]).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let owner = support::owner(&d);
        // The documented example, then another webhook, then the example again.
        let mut other = d.examples[0].clone();
        if let Some(members) = other.as_object_mut() {
            members.shift_remove(&d.webhook.vendor_name("id"));
        }
        let fixtures = dir.path().join(format!("{}-fixtures.json", d.name));
        std::fs::write(
            &fixtures,
            json!({"owner": owner, "webhooks": [d.examples[0], other, d.examples[0]]}).to_string(),
        )
        .unwrap();
        let says = |text: &str, key: &str| {
            for part in [
                key.to_owned(),
                fixtures.display().to_string(),
                "webhooks[2]".to_owned(),
                format!("`{id}` is the id of webhooks[0] too"),
            ] {
                assert!(text.contains(&part), "{}: no {part:?} in {text}", d.name);
            }
        };
        // `hookgate emulate`, which binds nothing.
        let out = Command::new(env!("CARGO_BIN_EXE_hookgate"))
            .args(["emulate", &d.name, "--listen", "127.0.0.1:0", "--fixtures"])
            .arg(&fixtures)
            .env_remove("HOOKGATE_CONFIG")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(64), "{}", d.name);
        says(&String::from_utf8_lossy(&out.stderr), "emulator.fixtures");
        // An emulated upstream: `hookgate check`, and the gateway itself, refuse it alike.
        let config = format!(
            "[upstreams.kept]\ndialect = \"{}\"\nemulate = true\n[upstreams.kept.emulator]\n\
             fixtures = {fixtures:?}\n[inbound_auth]\nmode = \"off\"\n",
            d.name
        );
        let file = dir.path().join(format!("{}.toml", d.name));
        std::fs::write(&file, &config).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_hookgate"))
            .args(["check", "--config"])
            .arg(&file)
            .env_remove("HOOKGATE_CONFIG")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(64), "{}", d.name);
        says(
            &String::from_utf8_lossy(&out.stderr),
            "upstreams.kept.emulator.fixtures",
        );
        let refused = support::refused(&format!(
            "listen = \"127.0.0.1:0\"\nmappings_dir = {:?}\n{config}",
            support::MAPPINGS
        ))
        .await;
        says(&refused, "upstreams.kept.emulator.fixtures");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulators_served_by_name_tell_a_caller_without_a_key_nothing_of_their_names() {
    use sha2::Digest;
    let dialects = loaded();
    let names: Vec<&str> = dialects.iter().map(|d| d.name.as_str()).collect();
    let dir = tempfile::tempdir().unwrap();
    let key = "one-listener-key-7";
    let config = dir.path().join("hookgate.toml");
    std::fs::write(
        &config,
        format!(
            "[inbound_auth]\nmode = \"api_keys\"\n[[inbound_auth.keys]]\nname = \"ci\"\n\
             sha256 = \"{:x}\"\nscopes = [\"webhooks:read\", \"webhooks:write\"]\n",
            sha2::Sha256::digest(key.as_bytes())
        ),
    )
    .unwrap();
    let mut args = vec!["--config", config.to_str().unwrap()];
    args.extend(names.iter().copied());
    args.extend(["--listen", "127.0.0.1:0", "--one-listener"]);
    let (child, lines) = spawn(&args, names.len());
    let addr: std::net::SocketAddr = lines[0].split(' ').nth(1).unwrap()["http://".len()..]
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let unknown = vec![
        "nope".to_owned(),
        format!("{}x", names[0]),
        names[0].to_uppercase(),
        "__hookgate".to_owned(),
    ];
    // What a caller might ask of each dialect's name: its vendor API (a list, a path it does
    // not have) and its admin API (a resource, a change, one it does not have); of a name
    // that is none, the same paths.
    for d in &dialects {
        let list = d
            .operation(hookgate::model::Action::List)
            .unwrap()
            .path
            .render(&[&d.base_path], support::owner(d).as_deref(), None);
        let asked = |name: &str| -> Vec<(&'static str, String)> {
            vec![
                ("GET", format!("/{name}{list}")),
                ("DELETE", format!("/{name}{list}")),
                ("GET", format!("/{name}/no/such/path")),
                ("GET", format!("/{name}")),
                ("GET", format!("/{name}/__hookgate/emulator")),
                ("POST", format!("/{name}/__hookgate/reset")),
                ("GET", format!("/{name}/__hookgate/nothing")),
                ("POST", format!("/{name}/__hookgate/openapi.json")),
            ]
        };
        // Without a key, with one that is none, and with one presented as the vendor's
        // clients present their credential.
        let mut without: Vec<Vec<(String, String)>> = vec![
            vec![],
            vec![("x-api-key".into(), "not-a-key".into())],
            vec![("authorization".into(), "Bearer not-a-key".into())],
        ];
        without.extend(
            hookgate::auth::present(&d.client_auth, "not-a-key")
                .map(|(n, v)| vec![(n.to_string(), v.to_str().unwrap().to_owned())]),
        );
        for (i, (method, path)) in asked(&d.name).into_iter().enumerate() {
            for credential in &without {
                let mut headers = vec![("x-request-id", "req-names")];
                headers.extend(credential.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                let seen = support::send(addr, method, &path, &headers, None).await;
                assert_eq!(seen.status, 401, "{method} {path} {credential:?}");
                for name in names
                    .iter()
                    .copied()
                    .chain(unknown.iter().map(String::as_str))
                {
                    let (method, path) = asked(name).swap_remove(i);
                    let answer = support::send(addr, method, &path, &headers, None).await;
                    assert_eq!(
                        (answer.status, answer.header("content-type"), &answer.body),
                        (seen.status, seen.header("content-type"), &seen.body),
                        "{method} {path} {credential:?}"
                    );
                }
            }
        }
        // With a key, in `X-Api-Key` or the vendor's own way: the name is served.
        let keyed = [("x-api-key", key)];
        let path = format!("/{}{list}", d.name);
        let listed = support::send(addr, "GET", &path, &keyed, None).await;
        assert_eq!(listed.status, 200, "{path}");
        if let Some((n, v)) = hookgate::auth::present(&d.client_auth, key) {
            let own = [(n.as_str(), v.to_str().unwrap())];
            let listed = support::send(addr, "GET", &path, &own, None).await;
            assert_eq!(listed.status, 200, "{path}, the vendor's way");
        }
        let admin = format!("/{}/__hookgate/emulator", d.name);
        let info = support::send(addr, "GET", &admin, &keyed, None).await;
        assert_eq!(info.json()["dialect"], d.name.as_str(), "{admin}");
    }
    // A name that is none is said to be so to a client with a key, its description too; a
    // name's description is behind the key as the rest of it is.
    for name in &unknown {
        for path in [
            format!("/{name}/__hookgate/emulator"),
            format!("/{name}/__hookgate/openapi.json"),
        ] {
            let missing = support::send(addr, "GET", &path, &[("x-api-key", key)], None).await;
            assert_eq!(missing.status, 404, "{path}");
        }
    }
    for &name in &names {
        let path = format!("/{name}/__hookgate/openapi.json");
        let keyless = support::send(addr, "GET", &path, &[], None).await;
        assert_eq!(keyless.status, 401, "{path}");
        let doc = support::send(addr, "GET", &path, &[("x-api-key", key)], None).await;
        assert_eq!(doc.status, 200, "{path}");
        assert_eq!(
            doc.json()["servers"][0]["url"],
            format!("/{name}/__hookgate"),
            "{path}"
        );
    }
    stop(child);
}

#[test]
fn a_state_file_with_no_folder_to_keep_it_in_exits_64_with_nothing_bound() {
    let d = loaded().remove(0);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    for (state, says) in [
        (dir.path().join("missing/state.json"), "does not exist"),
        (
            dir.path().join("missing/deeper/state.json"),
            "does not exist",
        ),
        (file.join("state.json"), "is not a folder"),
    ] {
        for given in [
            state.display().to_string(),
            format!("{}={}", d.name, state.display()),
        ] {
            let out = Command::new(env!("CARGO_BIN_EXE_hookgate"))
                .args([
                    "emulate",
                    d.name.as_str(),
                    "--listen",
                    "127.0.0.1:0",
                    "--state",
                ])
                .arg(&given)
                .env_remove("HOOKGATE_CONFIG")
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(64), "{given}: {stderr}");
            assert!(
                stderr.contains("emulator.state: ")
                    && stderr.contains("no such folder to keep the state file in")
                    && stderr.contains(says),
                "{given}: {stderr}"
            );
            assert!(out.stdout.is_empty(), "{given}: nothing listens");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clock_takes_any_rfc_3339_time_and_refuses_the_rest_naming_the_flag() {
    let d = loaded().remove(0);
    // One instant, as RFC 3339 lets it be written: any offset, `T` and `Z` in either case.
    for clock in [
        "2025-01-01T00:00:00Z",
        "2025-01-01t00:00:00z",
        "2025-01-01T02:00:00+02:00",
        "2024-12-31t16:30:00-07:30",
    ] {
        let (child, lines) = spawn(
            &[d.name.as_str(), "--listen", "127.0.0.1:0", "--clock", clock],
            1,
        );
        let url = lines[0].split(' ').nth(1).unwrap();
        let addr = url.strip_prefix("http://").unwrap().parse().unwrap();
        let info = support::send(addr, "GET", "/__hookgate/emulator", &[], None).await;
        assert_eq!(
            info.json()["clock"]["start"],
            "2025-01-01T00:00:00Z",
            "{clock}"
        );
        stop(child);
    }
    for clock in [
        "2025-01-01 00:00:00Z",
        "2025-01-01T00:00:00",
        "1969-12-31T23:59:59Z",
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_hookgate"))
            .args([
                "emulate",
                d.name.as_str(),
                "--listen",
                "127.0.0.1:0",
                "--clock",
                clock,
            ])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(64), "{clock}: {stderr}");
        assert!(
            stderr.contains(&format!("--clock: `{clock}`: expected")),
            "{clock}: {stderr}"
        );
    }
}
