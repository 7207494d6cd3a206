//! Test support: real servers on 127.0.0.1:0. A scripted vendor double, the gateway itself
//! started from a TOML config, and a minimal HTTP client.
#![allow(dead_code)]

pub mod sdk;
pub mod secrets;

use bytes::Bytes;
use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use hookgate::app::{self, Running};
use hookgate::config::{self, RawConfig};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;

pub const MAPPINGS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/mappings");

/// The dialects with golden cases: every folder under `tests/golden`, sorted.
#[allow(dead_code)]
pub fn golden_dialects() -> Vec<String> {
    let mut out: Vec<String> =
        std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden"))
            .unwrap()
            .filter_map(|e| {
                let p = e.unwrap().path();
                p.is_dir()
                    .then(|| p.file_name().unwrap().to_str().unwrap().to_owned())
            })
            .collect();
    out.sort();
    out
}

/// A request the double received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query.
    pub path: String,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Seen {
    pub fn json(&self) -> Option<Value> {
        if self.body.is_empty() {
            None
        } else {
            serde_json::from_slice(&self.body).ok()
        }
    }
}

/// How the double answers one request.
#[derive(Debug, Clone)]
pub enum Reply {
    Json {
        status: u16,
        headers: Vec<(String, String)>,
        body: Value,
    },
    Raw {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Answers after a delay.
    Slow(Duration, Box<Reply>),
    /// Closes the connection without answering.
    Hangup,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        Reply::Json {
            status,
            headers: Vec::new(),
            body,
        }
    }
}

/// A scripted vendor: answers requests in order and records what it saw.
#[derive(Clone)]
pub struct Double {
    pub addr: SocketAddr,
    script: Arc<Mutex<VecDeque<Reply>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Double {
    pub async fn start(script: Vec<Reply>) -> Double {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let double = Double {
            addr,
            script: Arc::new(Mutex::new(script.into())),
            seen: Arc::new(Mutex::new(Vec::new())),
        };
        let d = double.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let d = d.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req: http::Request<Incoming>| {
                        let d = d.clone();
                        async move { d.answer(req).await }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        double
    }

    async fn answer(
        &self,
        req: http::Request<Incoming>,
    ) -> Result<http::Response<Full<Bytes>>, std::io::Error> {
        let (parts, body) = req.into_parts();
        let body = body
            .collect()
            .await
            .map(|c| c.to_bytes())
            .unwrap_or_default();
        self.seen.lock().unwrap().push(Seen {
            method: parts.method.to_string(),
            path: parts
                .uri
                .path_and_query()
                .map(|p| p.to_string())
                .unwrap_or_default(),
            headers: parts.headers,
            body,
        });
        let reply = self.script.lock().unwrap().pop_front();
        let mut reply = reply.unwrap_or(Reply::Raw {
            status: 599,
            headers: vec![],
            body: "unscripted request".into(),
        });
        loop {
            match reply {
                Reply::Slow(delay, inner) => {
                    tokio::time::sleep(delay).await;
                    reply = *inner;
                }
                Reply::Hangup => return Err(std::io::Error::other("hang up")),
                Reply::Json {
                    status,
                    headers,
                    body,
                } => {
                    let text = serde_json::to_string(&body).unwrap();
                    return Ok(build(status, &headers, text, "application/json"));
                }
                Reply::Raw {
                    status,
                    headers,
                    body,
                } => return Ok(build(status, &headers, body, "text/html")),
            }
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

fn build(
    status: u16,
    headers: &[(String, String)],
    body: String,
    content_type: &str,
) -> http::Response<Full<Bytes>> {
    let mut b = http::Response::builder().status(status);
    // The reply's own media type, where the script gives one, in place of the default.
    let given = headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
    if !body.is_empty() && !given {
        b = b.header("content-type", content_type);
    }
    for (k, v) in headers {
        b = b.header(k, v);
    }
    b.body(Full::new(Bytes::from(body))).unwrap()
}

/// A setup from a TOML config, as [`gateway`] completes it, without starting anything.
pub fn setup(toml: &str) -> hookgate::setup::Setup {
    let toml = if toml.contains("mappings_dir") {
        toml.to_owned()
    } else {
        format!("mappings_dir = {MAPPINGS:?}\n{toml}")
    };
    let toml = if toml.contains("inbound_auth") {
        toml
    } else {
        format!("{toml}\n[inbound_auth]\nmode = \"off\"\n")
    };
    let figment =
        Figment::from(Serialized::defaults(RawConfig::default())).merge(Toml::string(&toml));
    let config = config::from_figment(&figment, "test").unwrap_or_else(|e| panic!("{e}"));
    hookgate::setup::load(config).unwrap_or_else(|e| panic!("{e}"))
}

/// The bytes of a response body held in memory.
pub fn body_bytes(body: hookgate::http::body::Body) -> Vec<u8> {
    use hyper::body::Body as _;
    let mut body = std::pin::pin!(body);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let mut out = Vec::new();
    while let std::task::Poll::Ready(Some(Ok(frame))) = body.as_mut().poll_frame(&mut cx) {
        if let Ok(data) = frame.into_data() {
            out.extend_from_slice(&data);
        }
    }
    out
}

/// Starts the gateway from a TOML config (mappings default to the shipped folder).
pub async fn gateway(toml: &str) -> Running {
    secrets::capture();
    let toml = if toml.contains("mappings_dir") {
        toml.to_owned()
    } else {
        format!("mappings_dir = {MAPPINGS:?}\n{toml}")
    };
    let toml = if toml.contains("listen =") {
        toml
    } else {
        format!("listen = \"127.0.0.1:0\"\n{toml}")
    };
    // Tests opt into inbound authentication; the canonical API is open unless they do.
    let toml = if toml.contains("inbound_auth") {
        toml
    } else {
        format!("{toml}\n[inbound_auth]\nmode = \"off\"\n")
    };
    let figment =
        Figment::from(Serialized::defaults(RawConfig::default())).merge(Toml::string(&toml));
    let config = config::from_figment(&figment, "test").unwrap_or_else(|e| panic!("{e}"));
    let setup = hookgate::setup::load(config).unwrap_or_else(|e| panic!("{e}"));
    app::start(setup).await.unwrap_or_else(|e| panic!("{e}"))
}

/// The test dialects of `tests/dialects`.
#[allow(dead_code)] // not every test binary edits dialects
pub const TEST_DIALECTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");

/// A copy of the test dialects with each edit made: in the file of dialect `name`, the first
/// `from` becomes `to` (an edit that changes nothing fails the test).
#[allow(dead_code)] // not every test binary edits dialects
pub fn dialects_with(edits: &[(&str, &str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(TEST_DIALECTS).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    for (name, from, to) in edits {
        let file = dir.path().join(format!("{name}.toml"));
        let text = std::fs::read_to_string(&file).unwrap();
        let edited = text.replacen(from, to, 1);
        assert_ne!(text, edited, "{name}.toml holds no {from:?}");
        std::fs::write(file, edited).unwrap();
    }
    dir
}

/// What a configuration (TOML) is refused with when it is read, or by the gateway that would
/// start from it; a configuration that starts fails the test.
#[allow(dead_code)] // not every test binary has configurations refused
pub async fn refused(toml: &str) -> String {
    let figment =
        Figment::from(Serialized::defaults(RawConfig::default())).merge(Toml::string(toml));
    let config = match config::from_figment(&figment, "test") {
        Ok(config) => config,
        Err(report) => return report.to_string(),
    };
    let setup = match hookgate::setup::load(config) {
        Ok(setup) => setup,
        Err(e) => return e.to_string(),
    };
    match app::start(setup).await {
        Ok(_) => panic!("started: {toml}"),
        Err(e) => e.to_string(),
    }
}

/// Starts the gateway with the mapping files of `mappings_dir` and an emulator of `dialect`, an
/// upstream named after it.
#[allow(dead_code)] // not every test binary emulates a dialect of its own
pub async fn gateway_emulating(mappings_dir: &str, dialect: &str) -> Running {
    gateway(&format!(
        "mappings_dir = {mappings_dir:?}\n[upstreams.{dialect}]\ndialect = \"{dialect}\"\n\
         emulate = true\n"
    ))
    .await
}

/// Starts the gateway with the mapping files of `mappings_dir` and one upstream of `dialect`
/// (named after it) in front of `double`, which it calls without a credential.
pub async fn gateway_over(mappings_dir: &str, dialect: &str, double: &Double) -> Running {
    gateway(&format!(
        "mappings_dir = {mappings_dir:?}\n[upstreams.{dialect}]\ndialect = \"{dialect}\"\n\
         base_url = {:?}\nauth = {{ type = \"none\" }}\n[url_policy]\nallow_private = true\n",
        double.url()
    ))
    .await
}

/// Starts the gateway with the `[limits]` given (TOML lines) and one emulated upstream, for
/// tests of connections rather than of translation; returns it and its address.
pub async fn gateway_with_limits(limits: &str) -> (Running, SocketAddr) {
    let gw = gateway(&format!(
        "[limits]\n{limits}\n[upstreams.am]\ndialect = \"agentmessage\"\nemulate = true\n"
    ))
    .await;
    let addr = gw.addr;
    (gw, addr)
}

/// An HTTP answer, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {:?}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Asserts an answer's status, showing its body when it is not the one expected.
pub fn ok(answer: &Answer, status: u16, what: &str) {
    assert_eq!(
        answer.status,
        status,
        "{what}: {}",
        String::from_utf8_lossy(&answer.body)
    );
}

/// The hooks an emulator of Relay (`tests/dialects/relay.toml`) keeps under `project`, as
/// it lists them: what a surface in front of it wrote there.
pub async fn relay_hooks(emulator: SocketAddr, project: &str) -> Vec<Value> {
    let path = format!("/api/projects/{project}/hooks");
    let listed = send(
        emulator,
        "GET",
        &path,
        &[("authorization", "Bearer t")],
        None,
    )
    .await;
    ok(&listed, 200, &path);
    match listed.json()["hooks"].take() {
        Value::Array(hooks) => hooks,
        other => panic!("no hooks: {other}"),
    }
}

/// The entries of an emulator's journal: the requests it received, oldest first.
pub async fn journal(emulator: SocketAddr) -> Vec<Value> {
    let answer = send(emulator, "GET", "/__hookgate/journal", &[], None).await;
    ok(&answer, 200, "the journal");
    match answer.json()["entries"].take() {
        Value::Array(entries) => entries,
        other => panic!("no entries: {other}"),
    }
}

/// Sends one request over a fresh HTTP/1.1 connection.
pub async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Answer {
    let text = body
        .map(|b| serde_json::to_vec(b).unwrap())
        .unwrap_or_default();
    let mut all: Vec<(&str, &str)> = headers.to_vec();
    if body.is_some()
        && !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        all.push(("content-type", "application/json"));
    }
    send_raw(addr, method, path, &all, Bytes::from(text)).await
}

pub async fn send_raw(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Bytes,
) -> Answer {
    secrets::remember_request(headers, &body);
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let response = sender
        .send_request(req.body(Full::new(body)).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    secrets::assert_none_logged();
    Answer {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
    }
}

/// A config with one upstream per shipped dialect, all emulated.
pub const ALL_EMULATED: &str = r#"
[upstreams.talkover]
dialect = "talkover"
emulate = true
[upstreams.resemble]
dialect = "resemble"
emulate = true
[upstreams.agentmessage]
dialect = "agentmessage"
emulate = true
[upstreams.chirp]
dialect = "chirp"
emulate = true
"#;

/// A file in `dir` holding `text`, as a secret is kept for hookgate to read: its path.
pub fn secret_file(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("{text}\n")).unwrap();
    path.display().to_string()
}

/// `[inbound_auth]` with one key, `key`, that may read and write at every upstream.
pub fn inbound_key(key: &str) -> String {
    use sha2::Digest;
    format!(
        "[inbound_auth]\nmode = \"api_keys\"\n[[inbound_auth.keys]]\nname = \"app\"\nsha256 = \"{:x}\"\n\
         scopes = [\"webhooks:read\", \"webhooks:write\"]\n",
        sha2::Sha256::digest(key.as_bytes())
    )
}

/// What `hookgate translate --json` shows of `args` with the configuration `toml` (written to a
/// file in a folder of its own): its JSON, and its text as printed.
pub fn translated(toml: &str, args: &[&str]) -> (Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hookgate.toml");
    std::fs::write(&config, toml).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hookgate"))
        .args(["translate", "--json", "--config"])
        .arg(&config)
        .args(args)
        .env_remove("HOOKGATE_CONFIG")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let shown = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    (shown, text)
}

/// Why mapping file `text`, loaded as dialect `name`, is refused: each error as `hookgate
/// check` shows it. Panics where the file loads.
#[allow(dead_code)] // not every test binary loads a file of its own
pub fn refused_mapping(name: &str, text: &str) -> Vec<String> {
    let file = format!("{name}.toml");
    match hookgate::mapping::compile::compile(name, std::path::Path::new(&file), text) {
        Ok(_) => panic!("loaded: {text}"),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}
