//! Golden cases: every documented operation and error envelope of every dialect, from the
//! literal bodies of the vendors' docs (`tests/golden/<dialect>/*.json`, format in its README).
//! The gateway runs in front of a scripted vendor double; the test checks the exact requests
//! sent upstream and the exact canonical answer.

mod support;

use serde_json::Value;
use std::path::Path;
use support::{Double, Reply, gateway, send};

async fn run_case(dialect: &str, file: &Path) -> Result<(), String> {
    let case: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let exchanges = case["exchanges"].as_array().cloned().unwrap_or_default();
    let script = exchanges
        .iter()
        .map(|x| {
            let reply = &x["reply"];
            let status = reply["status"].as_u64().unwrap() as u16;
            let headers = reply["headers"]
                .as_object()
                .map(|h| {
                    h.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                        .collect()
                })
                .unwrap_or_default();
            if reply["raw"] == Value::Bool(true) {
                Reply::Raw {
                    status,
                    headers,
                    body: reply["body"].as_str().unwrap().to_owned(),
                }
            } else {
                Reply::Json {
                    status,
                    headers,
                    body: reply["body"].clone(),
                }
            }
        })
        .collect();
    let double = Double::start(script).await;
    let running = gateway(&format!(
        "[upstreams.{dialect}]\ndialect = \"{dialect}\"\nbase_url = \"{}\"\nauth = {{ type = \"passthrough\" }}\nretries = 0\n",
        double.url()
    ))
    .await;
    let req = &case["request"];
    let headers: Vec<(String, String)> = req["headers"]
        .as_object()
        .map(|h| {
            h.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let body = req.get("body");
    let answer = send(
        running.addr,
        req["method"].as_str().unwrap(),
        req["path"].as_str().unwrap(),
        &headers,
        body,
    )
    .await;
    running.stop().await;
    let mut errors = Vec::new();
    let seen = double.seen();
    if seen.len() != exchanges.len() {
        errors.push(format!(
            "expected {} upstream calls, saw {}: {:?}",
            exchanges.len(),
            seen.len(),
            seen.iter()
                .map(|s| format!(
                    "{} {} {}",
                    s.method,
                    s.path,
                    String::from_utf8_lossy(&s.body)
                ))
                .collect::<Vec<_>>()
        ));
    }
    for (i, (x, s)) in exchanges.iter().zip(&seen).enumerate() {
        let expect = &x["expect"];
        if expect["method"] != s.method.as_str() || expect["path"] != s.path.as_str() {
            errors.push(format!(
                "call {i}: expected {} {}, saw {} {}",
                expect["method"], expect["path"], s.method, s.path
            ));
        }
        let got = s.json().unwrap_or(Value::Null);
        if expect["body"] != got {
            errors.push(format!(
                "call {i}: body\n   expected {}\n   sent     {}",
                expect["body"], got
            ));
        }
    }
    let want = &case["response"];
    if want["status"] != answer.status {
        errors.push(format!(
            "status: expected {}, got {} {}",
            want["status"],
            answer.status,
            String::from_utf8_lossy(&answer.body)
        ));
    }
    if let Some(h) = want["headers"].as_object() {
        for (k, v) in h {
            if answer.header(k) != v.as_str() {
                errors.push(format!(
                    "header {k}: expected {v}, got {:?}",
                    answer.header(k)
                ));
            }
        }
    }
    let got = if answer.body.is_empty() {
        Value::Null
    } else {
        answer.json()
    };
    if want["body"] != got {
        errors.push(format!(
            "body\n   expected {}\n   got      {}",
            want["body"], got
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} ({}):\n  {}",
            file.display(),
            case["name"],
            errors.join("\n  ")
        ))
    }
}

/// Every case of one dialect's folder, through `run`.
async fn run_dialect<F, Fut>(dialect: &str, run: F)
where
    F: Fn(String, std::path::PathBuf) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(dialect);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no golden cases for {dialect}");
    let mut failures = Vec::new();
    for file in files {
        if let Err(e) = run(dialect.to_owned(), file.clone()).await {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{dialect}: {} cases failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[tokio::test]
async fn every_case_through_the_gateway() {
    for dialect in support::golden_dialects() {
        run_dialect(&dialect, |d, f| async move { run_case(&d, &f).await }).await;
    }
}

#[tokio::test]
async fn every_case_through_the_pure_plan() {
    for dialect in support::golden_dialects() {
        run_dialect(&dialect, |d, f| async move { plan_case(&d, &f) }).await;
    }
}

/// Every list case whose vendor answer holds its items in an array of objects, answered with
/// the same items written two other ways that mean the same: the member holding the items
/// repeated in front with nothing in it (of repeated keys the last one counts), and the whole
/// answer spelled with whitespace and escapes everywhere. (An item that is no object is no
/// webhook, and refuses the page: `tests/unusable_answers.rs`.) The canonical answer must not change, in
/// value or in spelling, however the answer is parsed.
#[tokio::test]
async fn list_answers_written_differently_read_the_same() {
    let scratch = std::env::temp_dir().join(format!("golden-variants-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let mut varied = 0;
    for dialect in support::golden_dialects() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(&dialect);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let case: Value =
                serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            for (i, variant) in list_variants(&case).into_iter().enumerate() {
                let name = format!(
                    "{dialect}-{}-{i}.json",
                    file.file_stem().unwrap().to_string_lossy()
                );
                let path = scratch.join(name);
                std::fs::write(&path, variant.to_string()).unwrap();
                plan_case(&dialect, &path).unwrap();
                run_case(&dialect, &path).await.unwrap();
                varied += 1;
            }
        }
    }
    std::fs::remove_dir_all(&scratch).ok();
    assert!(varied > 0, "no list case to vary");
}

/// The two variants of a successful list case with one vendor exchange whose answer has an
/// array of objects one level down (`{"k": [...]}`) or two (`{"k": {"m": [...]}}`).
fn list_variants(case: &Value) -> Vec<Value> {
    let answered_list = case["response"]["status"] == 200
        && case["response"]["body"]["data"].is_array()
        && case["exchanges"].as_array().is_some_and(|x| x.len() == 1);
    let reply = &case["exchanges"][0]["reply"];
    if !answered_list || reply["raw"] == Value::Bool(true) || !reply["body"].is_object() {
        return Vec::new();
    }
    let objects = |v: &Value| {
        v.as_array()
            .is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_object))
    };
    let body = reply["body"].as_object().unwrap();
    let found = body.iter().find_map(|(k, v)| {
        if objects(v) {
            return Some((k.clone(), None));
        }
        let inner = v.as_object()?;
        inner
            .iter()
            .find(|(_, w)| objects(w))
            .map(|(m, _)| (k.clone(), Some(m.clone())))
    });
    let Some((k, m)) = found else {
        return Vec::new();
    };
    // The member repeated in front, as raw text: a JSON value cannot hold a repeated key.
    let text = serde_json::to_string(&reply["body"]).unwrap();
    let empty = match &m {
        None => serde_json::json!([]),
        Some(m) => serde_json::json!({ m.as_str(): [] }),
    };
    let repeated_text = format!("{{{}:{},{}", Value::from(k.as_str()), empty, &text[1..]);
    let mut repeated = case.clone();
    let raw = &mut repeated["exchanges"][0]["reply"];
    raw["raw"] = Value::Bool(true);
    raw["body"] = Value::from(repeated_text);
    raw["headers"]["content-type"] = Value::from("application/json");
    // The same answer spelled otherwise: whitespace between every token, and characters of
    // every string written as escapes.
    let mut spelled = case.clone();
    let raw = &mut spelled["exchanges"][0]["reply"];
    raw["raw"] = Value::Bool(true);
    let mut text = String::new();
    spell_otherwise(&reply["body"], &mut text);
    raw["body"] = Value::from(text);
    raw["headers"]["content-type"] = Value::from("application/json");
    vec![repeated, spelled]
}

/// `value` as JSON text meaning the same, written as no writer would: a space and a line
/// break around every token, every `/` as `\/`, every third character of a string of odd
/// length as a `\u` escape, non-ASCII ones as UTF-16 escapes.
fn spell_otherwise(value: &Value, out: &mut String) {
    use std::fmt::Write;
    let string = |s: &str, out: &mut String| {
        out.push('"');
        for (i, c) in s.chars().enumerate() {
            match c {
                '/' => out.push_str("\\/"),
                c if (i % 3 == 0 && s.len() % 2 == 1)
                    || !c.is_ascii()
                    || c < ' '
                    || c == '"'
                    || c == '\\' =>
                {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        write!(out, "\\u{unit:04x}").unwrap();
                    }
                }
                c => out.push(c),
            }
        }
        out.push('"');
    };
    match value {
        Value::Object(map) => {
            out.push_str("{ \n");
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(" ,\n ");
                }
                string(k, out);
                out.push_str(" :\t");
                spell_otherwise(v, out);
            }
            out.push_str("\n}");
        }
        Value::Array(items) => {
            out.push_str("[ ");
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(" ,\r\n ");
                }
                spell_otherwise(v, out);
            }
            out.push_str(" ]");
        }
        Value::String(s) => string(s, out),
        other => out.push_str(&other.to_string()),
    }
}

/// A case through the request plan alone: no socket, the vendor's replies given as the case
/// scripts them, the answer rendered as the canonical API renders it.
fn plan_case(dialect: &str, file: &Path) -> Result<(), String> {
    use hookgate::frontend::canonical;
    use hookgate::http::respond;
    use hookgate::upstream::Call;
    let case: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let setup = support::setup(&format!(
        "[upstreams.{dialect}]\ndialect = \"{dialect}\"\nbase_url = \"http://vendor.invalid\"\nauth = {{ type = \"passthrough\" }}\nretries = 0\n"
    ));
    let api = hookgate::preview::offline(&setup).map_err(|e| e.to_string())?;
    let req = &case["request"];
    let header = |name: &str| {
        req["headers"]
            .as_object()
            .and_then(|h| h.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
            .and_then(|(_, v)| v.as_str())
    };
    let request_id = header("x-request-id").unwrap_or("req").to_owned();
    let method: http::Method = req["method"].as_str().unwrap().parse().unwrap();
    let (response, seen) = match api.operation_of(&method, req["path"].as_str().unwrap()) {
        Err(problem) => (respond::problem(&problem, &request_id), Vec::new()),
        Ok((upstream, mut op)) => {
            op.lenient = header("prefer").is_some_and(|p| p.contains("handling=lenient"));
            if let Some(Value::Object(body)) = req.get("body") {
                op.body = Some(body.clone());
            } else if matches!(
                op.action,
                hookgate::model::Action::Create | hookgate::model::Action::Update
            ) {
                return Ok(()); // a body refused before parsing: only the gateway sees it
            }
            let call = Call::new(
                &request_id,
                None,
                header("idempotency-key").and_then(|v| v.parse().ok()),
            );
            let plan = upstream.plan(op.clone(), &call, None);
            let exchanges = case["exchanges"].as_array().cloned().unwrap_or_default();
            let mut seen = Vec::new();
            let done = hookgate::plan::run_with(plan, |request| {
                let reply = exchanges
                    .get(seen.len())
                    .map(|x| scripted_reply(&x["reply"]))
                    .unwrap_or_else(|| {
                        scripted_reply(
                            &serde_json::json!({"status": 599, "body": "unscripted", "raw": true}),
                        )
                    });
                seen.push(request);
                Ok(reply)
            });
            let mut response = match done {
                Ok(done) => canonical::render(&upstream, &op, done),
                Err(problem) => respond::problem(&problem, &request_id),
            };
            if let Some(v) = hookgate::http::headers::value(&request_id) {
                response.headers_mut().insert("x-request-id", v);
            }
            (response, seen)
        }
    };
    let mut errors = Vec::new();
    let exchanges = case["exchanges"].as_array().cloned().unwrap_or_default();
    if seen.len() != exchanges.len() {
        errors.push(format!(
            "expected {} vendor requests, planned {}",
            exchanges.len(),
            seen.len()
        ));
    }
    for (i, (x, s)) in exchanges.iter().zip(&seen).enumerate() {
        let expect = &x["expect"];
        if expect["method"] != s.method.as_str() || expect["path"] != s.path.as_str() {
            errors.push(format!(
                "request {i}: expected {} {}, planned {} {}",
                expect["method"], expect["path"], s.method, s.path
            ));
        }
        let body = s.body.clone().unwrap_or(Value::Null);
        if expect["body"] != body {
            errors.push(format!(
                "request {i}: body\n   expected {}\n   planned  {body}",
                expect["body"]
            ));
        }
    }
    let (parts, body) = response.into_parts();
    let bytes = support::body_bytes(body);
    let want = &case["response"];
    if want["status"] != parts.status.as_u16() {
        errors.push(format!(
            "status: expected {}, got {}",
            want["status"], parts.status
        ));
    }
    for (k, v) in want["headers"].as_object().into_iter().flatten() {
        let got = parts.headers.get(k.as_str()).and_then(|h| h.to_str().ok());
        if got != v.as_str() {
            errors.push(format!("header {k}: expected {v}, got {got:?}"));
        }
    }
    let got: Value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    };
    // One spelling, whatever the vendor's: no whitespace, escapes only where JSON needs them,
    // numbers as serde_json writes them, however the answer was read.
    if !bytes.is_empty() && serde_json::to_vec(&got).unwrap() != bytes {
        errors.push(format!(
            "body not written as serde_json writes it: {}",
            String::from_utf8_lossy(&bytes)
        ));
    }
    if want["body"] != got {
        errors.push(format!(
            "body\n   expected {}\n   got      {got}",
            want["body"]
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} ({}), planned alone:\n  {}",
            file.display(),
            case["name"],
            errors.join("\n  ")
        ))
    }
}

/// A case's scripted vendor reply, as the transport would hand it to the plan.
fn scripted_reply(reply: &Value) -> hookgate::exchange::Reply {
    let mut headers = http::HeaderMap::new();
    for (k, v) in reply["headers"].as_object().into_iter().flatten() {
        headers.insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.as_str().unwrap().parse().unwrap(),
        );
    }
    let body = if reply["raw"] == Value::Bool(true) {
        reply["body"].as_str().unwrap().as_bytes().to_vec()
    } else {
        serde_json::to_vec(&reply["body"]).unwrap()
    };
    if !body.is_empty() && reply["raw"] != Value::Bool(true) {
        headers.insert("content-type", "application/json".parse().unwrap());
    }
    hookgate::exchange::Reply {
        status: http::StatusCode::from_u16(reply["status"].as_u64().unwrap() as u16).unwrap(),
        headers: (&headers).into(),
        body: body.into(),
    }
}
