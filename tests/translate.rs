//! `hookgate translate` and `POST /debug/translate`: every golden case of every dialect, run
//! through the binary, prints exactly the vendor requests the gateway sends for it and exactly
//! the canonical answer it gives to the vendor's replies; a read-merge-write without the read's
//! answer is shown with the write depending on it; credentials never print; and the debug
//! endpoint of a running gateway answers the same, behind inbound authentication, sending
//! nothing.

mod support;

use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use support::{ALL_EMULATED, gateway, send};

const BIN: &str = env!("CARGO_BIN_EXE_hookgate");

fn base_url(dialect: &str) -> String {
    format!("https://{dialect}.vendor.test")
}

/// A configuration file in `dir`: the shipped mapping files, inbound authentication off, and
/// `upstreams`.
fn config_with(dir: &Path, upstreams: &str) -> PathBuf {
    let file = dir.join("hookgate.toml");
    let text = format!(
        "mappings_dir = {:?}\n[inbound_auth]\nmode = \"off\"\n{upstreams}",
        support::MAPPINGS
    );
    std::fs::write(&file, text).unwrap();
    file
}

/// A configuration with one live upstream per dialect, named after it, as in the golden cases.
fn golden_config(dir: &Path) -> PathBuf {
    let upstreams: String = support::golden_dialects()
        .iter()
        .map(|d| {
            format!(
                "[upstreams.{d}]\ndialect = \"{d}\"\nbase_url = \"{}\"\nauth = {{ type = \"passthrough\" }}\nretries = 0\n",
                base_url(d)
            )
        })
        .collect();
    config_with(dir, &upstreams)
}

fn translate(config: &Path, args: &[String], stdin: Option<&str>, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("translate")
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("HOOKGATE_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input
        .write_all(stdin.unwrap_or_default().as_bytes())
        .unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

/// The printed translation; the exit code says whether its canonical result is an error (1)
/// or not (0).
fn json_out(out: &Output) -> Value {
    let printed: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    let failed = printed["result"]["status"]
        .as_u64()
        .is_some_and(|s| s >= 400);
    assert_eq!(
        out.status.code(),
        Some(if failed { 1 } else { 0 }),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    printed
}

fn headers_args(flag: &str, headers: &Value) -> Vec<String> {
    headers
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(k, v)| [flag.to_owned(), format!("{k}: {}", v.as_str().unwrap())])
        .collect()
}

/// The reply body of an exchange, as the vendor would send it.
fn reply_text(reply: &Value) -> String {
    if reply["raw"] == Value::Bool(true) {
        reply["body"].as_str().unwrap().to_owned()
    } else {
        reply["body"].to_string()
    }
}

/// Runs one golden case through `hookgate translate`; returns what differs.
fn run_case(config: &Path, scratch: &Path, dialect: &str, file: &Path) -> Vec<String> {
    let case: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let request = &case["request"];
    let method = request["method"].as_str().unwrap();
    let mut args = vec![
        "--json".to_owned(),
        method.to_owned(),
        request["path"].as_str().unwrap().to_owned(),
    ];
    args.extend(headers_args("--header", &request["headers"]));
    if let Some(body) = request.get("body") {
        args.extend(["--body".to_owned(), body.to_string()]);
    }
    let exchanges = case["exchanges"].as_array().unwrap();
    let replies: Vec<Value> = exchanges
        .iter()
        .map(|x| {
            let reply = &x["reply"];
            let mut shown = json!({"status": reply["status"], "raw": reply_text(reply)});
            if let Some(h) = reply.get("headers") {
                shown["headers"] = h.clone();
            }
            shown
        })
        .collect();
    let file_of_replies = scratch.join("replies.json");
    std::fs::write(&file_of_replies, Value::from(replies).to_string()).unwrap();
    args.extend([
        "--replies".to_owned(),
        file_of_replies.to_str().unwrap().to_owned(),
    ]);
    let shown = json_out(&translate(config, &args, None, &[]));
    let mut errors = Vec::new();
    let requests = shown["requests"].as_array().unwrap();
    if requests.len() != exchanges.len() {
        errors.push(format!(
            "expected {} vendor requests, printed {}: {shown}",
            exchanges.len(),
            requests.len()
        ));
    }
    for (i, (x, r)) in exchanges.iter().zip(requests).enumerate() {
        let expect = &x["expect"];
        let url = format!("{}{}", base_url(dialect), expect["path"].as_str().unwrap());
        if r["method"] != expect["method"] || r["url"] != url.as_str() {
            errors.push(format!(
                "request {i}: expected {} {url}, printed {} {}",
                expect["method"], r["method"], r["url"]
            ));
        }
        if r["body"] != expect["body"] {
            errors.push(format!(
                "request {i}: body\n   expected {}\n   printed  {}",
                expect["body"], r["body"]
            ));
        }
    }
    let want = &case["response"];
    let result = &shown["result"];
    if result["status"] != want["status"] {
        errors.push(format!(
            "result status: expected {}, printed {}",
            want["status"], result["status"]
        ));
    }
    if result["body"] != want["body"] {
        errors.push(format!(
            "result body\n   expected {}\n   printed  {}",
            want["body"], result["body"]
        ));
    }
    for (k, v) in want["headers"].as_object().into_iter().flatten() {
        if result["headers"][k.to_ascii_lowercase()] != *v {
            errors.push(format!(
                "result header {k}: expected {v}, printed {}",
                result["headers"][k.to_ascii_lowercase()]
            ));
        }
    }
    errors
        .into_iter()
        .map(|e| format!("{} ({}): {e}", file.display(), case["name"]))
        .collect()
}

#[test]
fn every_golden_case_prints_the_vendor_requests_and_the_canonical_result() {
    let dir = tempfile::tempdir().unwrap();
    let config = golden_config(dir.path());
    let mut failures = Vec::new();
    let mut count = 0;
    for dialect in support::golden_dialects() {
        let dialect = dialect.as_str();
        let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(dialect);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let kinds: Vec<String> = files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert!(
            kinds.iter().any(|k| k.contains("-create"))
                && kinds.iter().any(|k| k.contains("-update")),
            "{dialect}: golden creates and updates"
        );
        for file in &files {
            failures.extend(run_case(&config, dir.path(), dialect, file));
            count += 1;
        }
    }
    assert!(count >= 80, "only {count} golden cases");
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn read_merge_write_without_the_read_shows_the_write_depending_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = golden_config(dir.path());
    let args: Vec<String> = [
        "--upstream",
        "resemble",
        "--owner",
        "550e8400-e29b-41d4-a716-446655440000",
        "PATCH",
        "/webhooks/1",
        "--body",
        r#"{"timeout_seconds":15}"#,
        "--json",
    ]
    .map(String::from)
    .to_vec();
    let shown = json_out(&translate(&config, &args, None, &[]));
    let base = "https://resemble.vendor.test/api/v2/agents/550e8400-e29b-41d4-a716-446655440000/webhooks/1";
    assert_eq!(shown["operation"], "update");
    let requests = shown["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 2, "{shown}");
    assert_eq!(
        (
            &requests[0]["role"],
            &requests[0]["method"],
            &requests[0]["url"]
        ),
        (&json!("read"), &json!("GET"), &json!(base))
    );
    assert_eq!(
        (
            &requests[1]["role"],
            &requests[1]["method"],
            &requests[1]["url"]
        ),
        (&json!("request"), &json!("PATCH"), &json!(base))
    );
    assert_eq!(requests[1]["depends_on"], 1);
    assert_eq!(requests[1]["pending"], true);
    assert!(
        requests[1]["note"]
            .as_str()
            .unwrap()
            .contains("depends on the answer to request 1")
    );
    assert!(shown["result"].is_null());

    // The same as text.
    let out = translate(&config, &args[..args.len() - 1], None, &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("1. GET {base}")), "{text}");
    assert!(text.contains(&format!("2. PATCH {base}")), "{text}");
    assert!(text.contains("the body is computed from the answer to the read"));
}

#[test]
fn a_vendor_error_body_from_standard_input_becomes_the_canonical_problem() {
    let dir = tempfile::tempdir().unwrap();
    let config = golden_config(dir.path());
    let args: Vec<String> = [
        "--upstream",
        "talkover",
        "--owner",
        "550e8400-e29b-41d4-a716-446655440000",
        "-H",
        "x-request-id: r-1",
        "GET",
        "/webhooks/0199a1b2-0000-7000-8000-000000000001",
        "--response",
        "404",
        "--json",
    ]
    .map(String::from)
    .to_vec();
    let shown = json_out(&translate(
        &config,
        &args,
        Some(r#"{"success": false, "message": "Webhook not found."}"#),
        &[],
    ));
    let result = &shown["result"];
    assert_eq!(result["status"], 404);
    assert_eq!(
        result["headers"]["content-type"],
        "application/problem+json"
    );
    assert_eq!(result["body"]["code"], "not_found");
    assert_eq!(result["body"]["detail"], "Webhook not found.");
    assert_eq!(result["body"]["request_id"], "r-1");
    assert_eq!(result["body"]["upstream"]["status"], 404);

    // What hookgate refuses by itself is shown without any vendor request.
    let refused = json_out(&translate(
        &config,
        &[
            "--upstream",
            "resemble",
            "--owner",
            "550e8400-e29b-41d4-a716-446655440000",
            "PATCH",
            "/webhooks/1",
            "--body",
            r#"{"enabled":false}"#,
            "--json",
        ]
        .map(String::from),
        None,
        &[],
    ));
    assert_eq!(refused["requests"], json!([]));
    assert_eq!(refused["result"]["status"], 422);
    assert_eq!(refused["result"]["body"]["code"], "unsupported_field");
}

#[test]
fn credentials_are_redacted_in_the_printed_headers() {
    const VENDOR_TOKEN: &str = "talq_VENDOR_TOKEN_5e1f";
    const CLIENT_TOKEN: &str = "am_live_CLIENT_TOKEN_77ab";
    const WEBHOOK_SECRET: &str = "whsec_WEBHOOKSECRETc0deWEBHOOKSECRETc0de00";
    let dir = tempfile::tempdir().unwrap();
    let config = config_with(
        dir.path(),
        "[upstreams.live]\ndialect = \"talkover\"\nbase_url = \"https://t.vendor.test\"\nauth = { type = \"bearer\", token_env = \"HOOKGATE_TEST_VENDOR_TOKEN\" }\n\
         [upstreams.pass]\ndialect = \"agentmessage\"\nbase_url = \"https://a.vendor.test\"\nauth = { type = \"passthrough\" }\n",
    );
    let env = [("HOOKGATE_TEST_VENDOR_TOKEN", VENDOR_TOKEN)];
    let body = json!({"description": "d", "url": "https://e.example/h", "events": ["event_phone_call_started"], "secret": WEBHOOK_SECRET}).to_string();
    let live = [
        "--upstream",
        "live",
        "--owner",
        "550e8400-e29b-41d4-a716-446655440000",
        "POST",
        "/webhooks",
        "--body",
        &body,
    ]
    .map(String::from)
    .to_vec();
    let auth = format!("authorization: Bearer {CLIENT_TOKEN}");
    let pass = [
        "--upstream",
        "pass",
        "-H",
        &auth,
        "POST",
        "/webhooks/0199a1b2-0000-7000-8000-000000000001/rotate-secret",
    ]
    .map(String::from)
    .to_vec();
    for args in [live, pass] {
        for json in [false, true] {
            let mut args = args.clone();
            if json {
                args.push("--json".into());
            }
            let out = translate(&config, &args, None, &env);
            assert_eq!(out.status.code(), Some(0));
            let printed = String::from_utf8_lossy(&out.stdout);
            assert!(
                printed.contains("authorization: [redacted]")
                    || printed.contains(r#""authorization": "[redacted]""#),
                "{printed}"
            );
            for secret in [VENDOR_TOKEN, CLIENT_TOKEN] {
                assert!(!printed.contains(secret), "{secret} printed:\n{printed}");
            }
            if json {
                let shown: Value = serde_json::from_str(&printed).unwrap();
                for r in shown["requests"].as_array().unwrap() {
                    let headers = r["headers"].to_string();
                    assert!(!headers.contains(WEBHOOK_SECRET), "{headers}");
                }
            }
        }
    }
}

#[test]
fn a_preview_needs_no_vendor_credential_where_serving_does() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_with(
        dir.path(),
        "[upstreams.live]\ndialect = \"talkover\"\nbase_url = \"https://t.vendor.test\"\nauth = { type = \"bearer\", token_env = \"HOOKGATE_TEST_UNSET_VENDOR_TOKEN\" }\n",
    );
    let args = [
        "--upstream",
        "live",
        "--owner",
        "550e8400-e29b-41d4-a716-446655440000",
        "GET",
        "/webhooks/0199a1b2-0000-7000-8000-000000000001",
        "--json",
    ]
    .map(String::from)
    .to_vec();
    let out = translate(&config, &args, None, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["requests"][0]["method"], "GET");
    assert_eq!(
        shown["requests"][0]["headers"]["authorization"],
        "[redacted]"
    );

    let check = Command::new(BIN)
        .args(["check", "--config"])
        .arg(&config)
        .env_remove("HOOKGATE_CONFIG")
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(64));
    assert!(
        String::from_utf8_lossy(&check.stderr)
            .contains("upstreams.live.auth.token_env: environment variable HOOKGATE_TEST_UNSET_VENDOR_TOKEN is not set"),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn the_debug_endpoint_translates_through_the_running_gateway_and_sends_nothing() {
    const KEY: &str = "talkover-reader";
    let gw = gateway(&format!(
        "{ALL_EMULATED}\n[debug]\ntranslate = true\n[inbound_auth]\nmode = \"api_keys\"\n\
         [[inbound_auth.keys]]\nname = \"r\"\nsha256 = \"{}\"\nscopes = [\"webhooks:read\", \"webhooks:write\"]\nupstreams = [\"talkover\"]\n",
        sha256_hex(KEY)
    ))
    .await;
    let key = [("x-api-key", KEY)];
    let description = json!({
        "upstream": "talkover",
        "owner": "550e8400-e29b-41d4-a716-446655440000",
        "method": "POST",
        "path": "/webhooks",
        "headers": {"x-request-id": "dbg-1"},
        "body": {"description": "d", "url": "https://e.example/h", "events": ["event_phone_call_started"]},
        "response": {"status": 200, "body": {"success": true, "data": {"id": "0199a1b2-0000-7000-8000-000000000001", "agent_id": "550e8400-e29b-41d4-a716-446655440000", "name": "d", "webhook_url": "https://e.example/h", "events": ["event_phone_call_started"], "enabled": true}}}
    });

    let anonymous = send(gw.addr, "POST", "/debug/translate", &[], Some(&description)).await;
    assert_eq!(anonymous.status, 401);
    let elsewhere =
        json!({"upstream": "chirp", "owner": "app", "method": "GET", "path": "/webhooks"});
    let forbidden = send(gw.addr, "POST", "/debug/translate", &key, Some(&elsewhere)).await;
    assert_eq!(forbidden.status, 403, "{}", forbidden.json());

    let answer = send(
        gw.addr,
        "POST",
        "/debug/translate",
        &key,
        Some(&description),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.json());
    let shown = answer.json();
    let emulator = gw.emulators["talkover"];
    assert_eq!(shown["requests"][0]["method"], "POST");
    assert_eq!(
        shown["requests"][0]["url"],
        format!("http://{emulator}/api/v1/agents/550e8400-e29b-41d4-a716-446655440000/webhooks")
    );
    assert_eq!(
        shown["requests"][0]["body"],
        json!({"name": "d", "webhook_url": "https://e.example/h", "events": ["event_phone_call_started"]})
    );
    assert_eq!(
        shown["requests"][0]["headers"]["authorization"],
        "[redacted]"
    );
    assert_eq!(shown["requests"][0]["headers"]["x-request-id"], "dbg-1");
    assert_eq!(shown["result"]["status"], 201);
    assert_eq!(
        shown["result"]["body"]["id"],
        "0199a1b2-0000-7000-8000-000000000001"
    );
    assert_eq!(
        shown["result"]["headers"]["location"],
        "/v1/upstreams/talkover/owners/550e8400-e29b-41d4-a716-446655440000/webhooks/0199a1b2-0000-7000-8000-000000000001"
    );

    let mut unnamed = description.clone();
    unnamed["headers"] = json!({});
    let answer = send(
        gw.addr,
        "POST",
        "/debug/translate",
        &[("x-api-key", KEY), ("x-request-id", "outer-7")],
        Some(&unnamed),
    )
    .await;
    assert_eq!(
        answer.json()["requests"][0]["headers"]["x-request-id"],
        "outer-7"
    );

    // Nothing reached the emulator.
    let listed = send(
        gw.addr,
        "GET",
        "/v1/upstreams/talkover/owners/550e8400-e29b-41d4-a716-446655440000/webhooks",
        &key,
        None,
    )
    .await;
    assert_eq!(listed.json()["data"], json!([]));

    let bad = send(
        gw.addr,
        "POST",
        "/debug/translate",
        &key,
        Some(&json!({"method": "PATCH"})),
    )
    .await;
    assert_eq!(bad.status, 400);
    let get = send(gw.addr, "GET", "/debug/translate", &key, None).await;
    assert_eq!(get.status, 405);
    gw.stop().await;

    let off = gateway(ALL_EMULATED).await;
    let answer = send(
        off.addr,
        "POST",
        "/debug/translate",
        &[],
        Some(&description),
    )
    .await;
    assert_eq!(answer.status, 404, "off unless configured");
    off.stop().await;
}

#[test]
fn a_translated_answer_shows_its_times_in_utc_and_refuses_one_without_a_zone() {
    let dir = tempfile::tempdir().unwrap();
    let config = golden_config(dir.path());
    let args: Vec<String> = [
        "--upstream",
        "talkover",
        "--owner",
        "550e8400-e29b-41d4-a716-446655440000",
        "GET",
        "/webhooks/0199a1b2-0000-7000-8000-000000000001",
        "--response",
        "200",
        "--json",
    ]
    .map(String::from)
    .to_vec();
    let answer = |created: &str, updated: &str| {
        json!({"success": true, "data": {"id": "0199a1b2-0000-7000-8000-000000000001",
            "agent_id": "550e8400-e29b-41d4-a716-446655440000", "name": "d",
            "webhook_url": "https://e.example/h", "events": ["event_phone_call_started"],
            "enabled": true, "created_at": created, "updated_at": updated}})
        .to_string()
    };
    let shown = json_out(&translate(
        &config,
        &args,
        Some(&answer(
            "2025-09-03T16:19:51.000000-07:00",
            "2025-09-04T01:49:51+02:30",
        )),
        &[],
    ));
    let body = &shown["result"]["body"];
    assert_eq!(body["created_at"], "2025-09-03T23:19:51.000000Z", "{shown}");
    assert_eq!(body["updated_at"], "2025-09-03T23:19:51Z", "{shown}");
    let shown = json_out(&translate(
        &config,
        &args,
        Some(&answer("2025-09-03T23:19:51Z", "2025-09-03 23:19:51")),
        &[],
    ));
    let body = &shown["result"]["body"];
    assert_eq!(shown["result"]["status"], 502, "{shown}");
    assert!(
        body["detail"].as_str().is_some_and(|d| d.contains(
            r#"`updated_at` is "2025-09-03 23:19:51", which is not an RFC 3339 date-time"#
        )),
        "{shown}"
    );
}

/// `POST /debug/translate` gives the canonical answer the gateway gives to the same vendor
/// answer: hookgate's own credential at the vendor, echoed by the vendor however it spells it,
/// is `[redacted]` in both, in an error's words and in a webhook's members.
#[tokio::test]
async fn the_debug_endpoint_redacts_an_answer_as_the_gateway_does() {
    const TOKEN: &str = "talq-wrong/999999";
    let owner = "550e8400-e29b-41d4-a716-446655440000";
    let id = "0199a1b2-0000-7000-8000-000000000001";
    let webhook = json!({"success": true, "data": {"id": id, "agent_id": owner,
        "name": format!("for {TOKEN}"), "webhook_url": "https://example.com/hook",
        "events": ["event_phone_call_started"], "enabled": true}});
    let answers = [
        (
            401,
            json!({"success": false, "message": format!("Bad or missing token {TOKEN}")}),
        ),
        (
            401,
            json!({"success": false, "message": "see ?token=talq-wrong%2F999999"}),
        ),
        (
            403,
            json!({"success": false, "error": {"message": format!("<{TOKEN}>"), "code": TOKEN}}),
        ),
        (200, webhook),
    ];
    let double = support::Double::start(
        answers
            .iter()
            .map(|(status, body)| support::Reply::json(*status, body.clone()))
            .collect(),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let token = support::secret_file(dir.path(), "token", TOKEN);
    let gw = gateway(&format!(
        "[debug]\ntranslate = true\n[upstreams.live]\ndialect = \"talkover\"\nbase_url = \"{}\"\n\
         auth = {{ type = \"bearer\", token_file = {token:?} }}\nretries = 0\n",
        double.url()
    ))
    .await;
    let path = format!("/webhooks/{id}");
    for (n, (status, body)) in answers.iter().enumerate() {
        let request_id = format!("echo-{n}");
        let headers = [("x-request-id", request_id.as_str())];
        let live = send(
            gw.addr,
            "GET",
            &format!("/v1/upstreams/live/owners/{owner}{path}"),
            &headers,
            None,
        )
        .await;
        let description = json!({"upstream": "live", "owner": owner, "method": "GET",
            "path": path, "headers": {"x-request-id": request_id},
            "response": {"status": status, "body": body}});
        let shown = send(gw.addr, "POST", "/debug/translate", &[], Some(&description)).await;
        assert_eq!(shown.status, 200, "{}", shown.json());
        let result = &shown.json()["result"];
        assert_eq!(result["status"], live.status, "{body}");
        assert_eq!(result["body"], live.json(), "{body}");
        assert!(!result.to_string().contains("talq-wrong"), "{result}");
        assert!(result.to_string().contains("[redacted]"), "{result}");
    }
    gw.stop().await;
}

#[test]
fn a_translation_shows_the_idempotency_key_the_vendor_is_sent_and_refuses_two() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_with(
        dir.path(),
        "[upstreams.sv]\ndialect = \"svix\"\nbase_url = \"https://s.vendor.test\"\nauth = { type = \"none\" }\n",
    );
    let body = json!({"url": "https://e.example/h", "events": ["a.b"]}).to_string();
    let args = |keys: &[&str]| {
        let mut args = ["--upstream", "sv", "--owner", "app_1", "--json"]
            .map(String::from)
            .to_vec();
        for key in keys {
            args.extend(["-H".to_owned(), format!("Idempotency-Key: {key}")]);
        }
        args.extend(["POST", "/webhooks", "--body", &body].map(String::from));
        args
    };
    let sent = |keys: &[&str]| {
        let shown = json_out(&translate(&config, &args(keys), None, &[]));
        shown["requests"][0]["headers"]["idempotency-key"].clone()
    };
    let key = sent(&["k-1"]);
    support::scoped_key(key.as_str().unwrap(), "k-1");
    assert_eq!(sent(&["k-1"]), key, "the same request, the same key");
    assert_ne!(sent(&["k-2"]), key);
    // Given twice, the key is refused, as the gateway refuses it.
    let out = translate(&config, &args(&["k-1", "k-2"]), None, &[]);
    assert_eq!(out.status.code(), Some(64));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("idempotency-key` is given more than once"),
        "{said}"
    );
}
