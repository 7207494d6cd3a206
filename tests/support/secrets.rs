//! Every test's traffic doubles as a secrets audit. The first gateway a test binary starts
//! installs a `TRACE`-level subscriber that writes into memory; every credential and webhook
//! secret a test sends is remembered; and after each exchange the log written so far must
//! contain none of them, so a leak fails the test whose traffic caused it.

use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::sync::{Mutex, Once};

/// Shorter values (a token of `t`, say) would match ordinary words.
const SHORTEST: usize = 6;

static LOG: Mutex<Vec<u8>> = Mutex::new(Vec::new());
static SECRETS: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

struct Sink;

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOG.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures everything hookgate logs in this process, at the most verbose level.
pub fn capture() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(|| Sink)
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
}

fn remember(value: &str) {
    let value = value.trim();
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("Basic "))
        .unwrap_or(value);
    if token.len() >= SHORTEST {
        SECRETS.lock().unwrap().insert(token.to_owned());
    }
}

/// Remembers the credentials of a request and the secrets its JSON body carries.
pub fn remember_request(headers: &[(&str, &str)], body: &[u8]) {
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        // Credentials in vendors' own headers too (`X-Postmark-Server-Token`).
        if name.ends_with("authorization") || name.ends_with("token") || name == "x-api-key" {
            remember(value);
        }
        // A basic credential decoded: its password, and the pair.
        if let Some(pair) = value
            .strip_prefix("Basic ")
            .and_then(|b| {
                base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b).ok()
            })
            .and_then(|b| String::from_utf8(b).ok())
        {
            if let Some((_, password)) = pair.split_once(':') {
                remember(password);
            }
            remember(&pair);
        }
    }
    if let Ok(json) = serde_json::from_slice::<Value>(body) {
        remember_in(&json);
    }
}

/// Secret-named members, and header maps' credential values, at any depth.
fn remember_in(value: &Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let key = key.to_ascii_lowercase();
                let secret_named = key.contains("secret") || key == "authorization";
                match v {
                    Value::String(s) if secret_named => remember(s),
                    _ => remember_in(v),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(remember_in),
        _ => {}
    }
}

/// Everything logged so far in this process.
#[allow(dead_code)]
pub fn logged() -> String {
    String::from_utf8_lossy(&LOG.lock().unwrap()).into_owned()
}

/// Fails if anything logged so far shows a remembered secret.
pub fn assert_none_logged() {
    let log = LOG.lock().unwrap();
    if log.is_empty() {
        return;
    }
    let text = String::from_utf8_lossy(&log);
    for secret in SECRETS.lock().unwrap().iter() {
        if let Some(at) = text.find(secret.as_str()) {
            let line = text[..at].rfind('\n').map_or(0, |n| n + 1);
            let end = text[at..].find('\n').map_or(text.len(), |n| at + n);
            panic!("a secret reached the logs: {}", &text[line..end]);
        }
    }
}
