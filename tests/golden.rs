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

async fn run_dialect(dialect: &str) {
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
    for file in &files {
        if let Err(e) = run_case(dialect, file).await {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}

#[tokio::test]
async fn resemble() {
    run_dialect("resemble").await;
}

#[tokio::test]
async fn talkover() {
    run_dialect("talkover").await;
}

#[tokio::test]
async fn agentmessage() {
    run_dialect("agentmessage").await;
}

#[tokio::test]
async fn chirp() {
    run_dialect("chirp").await;
}
