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
use hookgate::mapping::Dialect;
use hookgate::model::{Action, Order};
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

    /// The idempotency key the vendor was sent in `header`, checked to be the client's `key`
    /// scoped to it ([`scoped_key`]).
    pub fn key_in(&self, header: &str, key: &str) -> String {
        let sent = self.headers.get(header).map(|v| v.to_str().unwrap());
        scoped_key(sent.unwrap_or_else(|| panic!("no {header} sent")), key)
    }
}

/// `sent`, the key a vendor that takes idempotency keys was sent for a client's `key`, checked
/// to be what the gateway sends: the key scoped to its client, written as a version 8 UUID in
/// lowercase, never the client's own.
pub fn scoped_key(sent: &str, key: &str) -> String {
    let uuid = uuid::Uuid::try_parse(sent).ok();
    assert!(
        uuid.is_some_and(|u| u.get_version_num() == 8 && u.hyphenated().to_string() == sent),
        "the vendor was sent `{sent}` for `{key}`"
    );
    assert_ne!(sent, key);
    sent.to_owned()
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
    /// A body of any bytes (gzip, say), with no media type but the ones `headers` give.
    Bytes {
        status: u16,
        headers: Vec<(String, String)>,
        body: Bytes,
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

/// How a double answering by request answers one: from what it received.
type Answering = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

/// A scripted vendor: answers requests in order and records what it saw.
#[derive(Clone)]
pub struct Double {
    pub addr: SocketAddr,
    script: Arc<Mutex<VecDeque<Reply>>>,
    /// Where set, answers each request from what it asked for, in place of the script.
    answering: Option<Answering>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Double {
    pub async fn start(script: Vec<Reply>) -> Double {
        Double::serve(script, None).await
    }

    /// A vendor that answers each request by `answer`, from what it asked for (a list's page
    /// by its cursor, say), however many are sent and in whatever order.
    pub async fn answering(answer: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Double {
        Double::serve(Vec::new(), Some(Arc::new(answer))).await
    }

    async fn serve(script: Vec<Reply>, answering: Option<Answering>) -> Double {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let double = Double {
            addr,
            script: Arc::new(Mutex::new(script.into())),
            answering,
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
        let seen = Seen {
            method: parts.method.to_string(),
            path: parts
                .uri
                .path_and_query()
                .map(|p| p.to_string())
                .unwrap_or_default(),
            headers: parts.headers,
            body,
        };
        let answered = self.answering.as_ref().map(|answer| answer(&seen));
        self.seen.lock().unwrap().push(seen);
        let reply = answered.or_else(|| self.script.lock().unwrap().pop_front());
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
                    return Ok(build(
                        status,
                        &headers,
                        text.into(),
                        Some("application/json"),
                    ));
                }
                Reply::Raw {
                    status,
                    headers,
                    body,
                } => return Ok(build(status, &headers, body.into(), Some("text/html"))),
                Reply::Bytes {
                    status,
                    headers,
                    body,
                } => return Ok(build(status, &headers, body, None)),
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
    body: Bytes,
    content_type: Option<&str>,
) -> http::Response<Full<Bytes>> {
    let mut b = http::Response::builder().status(status);
    // The reply's own media type, where the script gives one, in place of the default.
    let given = headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
    if let Some(content_type) = content_type.filter(|_| !body.is_empty() && !given) {
        b = b.header("content-type", content_type);
    }
    for (k, v) in headers {
        b = b.header(k, v);
    }
    b.body(Full::new(body)).unwrap()
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

/// Starts the gateway with the mapping files of `dir` and one upstream of dialect `name` (named
/// after it) in front of `double`, which it calls without a credential and never retries, so
/// that each call a test counts is one the gateway chose; and `more` (TOML) besides.
pub async fn gateway_over_unretried(
    dir: &std::path::Path,
    name: &str,
    double: &Double,
    more: &str,
) -> Running {
    gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.{name}]\ndialect = \"{name}\"\nbase_url = {:?}\n\
         auth = {{ type = \"none\" }}\nretries = 0\n[url_policy]\nallow_private = true\n{more}",
        dir.to_str().unwrap(),
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

/// Sends `change` to `path` as an update on the canonical API (a PATCH, with no headers): the
/// answer, as it came.
pub async fn patch(addr: SocketAddr, path: &str, change: &Value) -> Answer {
    send(addr, "PATCH", path, &[], Some(change)).await
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

/// `hookgate ARGS` run in `dir` with `env` set, no configuration named by the environment and
/// no log filter: what a user gets typing the command there.
pub fn hookgate_in(
    dir: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_hookgate"));
    cmd.current_dir(dir)
        .args(args)
        .env_remove("HOOKGATE_CONFIG")
        .env_remove("RUST_LOG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
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

/// An owner dialect `d` admits: the one its documented example names, else a UUID, else a
/// number, else two path segments. `None` for dialects without owners.
pub fn owner(d: &Dialect) -> Option<String> {
    d.owner.as_ref()?;
    let from_example = d.examples.iter().find_map(|e| {
        d.webhook
            .read(e)
            .unwrap()
            .get("owner")?
            .as_str()
            .map(str::to_owned)
    });
    from_example
        .into_iter()
        .chain([
            "9fbef0b7-8d4e-4a08-9207-66c22155721d".to_owned(),
            "1".into(),
            "acme/hooks".into(),
        ])
        .find(|o| d.admits_owner(o))
}

/// The canonical API's webhooks of upstream `name`, of dialect `d`, under its [`owner`].
pub fn canonical_base(d: &Dialect, name: &str) -> String {
    match owner(d) {
        Some(o) => format!("/v1/upstreams/{name}/owners/{o}/webhooks"),
        None => format!("/v1/upstreams/{name}/webhooks"),
    }
}

/// A canonical create body from the vendor's documented example, with a secret where the
/// vendor takes one.
pub fn create_body(d: &Dialect) -> Value {
    let example = d.webhook.read(&d.examples[0]).unwrap();
    let mut body: serde_json::Map<String, Value> = example
        .into_iter()
        .filter(|(k, _)| d.webhook.carries(k, Action::Create))
        .collect();
    if d.webhook.carries("secret", Action::Create) {
        body.insert(
            "secret".into(),
            Value::from("fixtureSecretValue1fixtureSecretValue1"),
        );
    }
    Value::Object(body)
}

/// Whether dialect `d`'s list pages by cursors its answers give (in the body, a `Link` header
/// or a next page's URL), which its emulator makes, rather than ones its clients compute; and
/// can be asked for a page size and a webhook deleted.
pub fn gives_cursors(d: &Dialect) -> bool {
    let deletes = d.operation(Action::Delete).is_some();
    d.operation(Action::List).is_some_and(|list| {
        list.paging.is_given()
            && list.param_of("cursor").is_some()
            && list.param_of("limit").is_some()
    }) && deletes
}

/// A copy of the mapping files of `dir`, with, beside each whose list has an order it lists in
/// when asked for none, a copy named `NAME-reversed` that lists in the other one then.
pub fn with_orders_reversed(dir: &std::path::Path) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, out.path().join(path.file_name().unwrap())).unwrap();
    }
    for d in hookgate::mapping::load_dir(dir).unwrap() {
        let list = d.operation(Action::List);
        let Some(ordering) = list.and_then(|l| l.order.as_ref()) else {
            continue;
        };
        let Some(default) = ordering.default else {
            continue;
        };
        let other = match default {
            Order::Ascending => Order::Descending,
            Order::Descending => Order::Ascending,
        };
        let text = std::fs::read_to_string(dir.join(format!("{}.toml", d.name))).unwrap();
        let from = format!("default = \"{}\"", ordering.spell(default));
        let to = format!("default = \"{}\"", ordering.spell(other));
        let reversed: Vec<String> = text
            .lines()
            .map(|line| match line.starts_with("order =") {
                true => line.replace(&from, &to),
                false => line.to_owned(),
            })
            .collect();
        let reversed = reversed.join("\n");
        assert_ne!(reversed, text, "{}: no {from} in its list's order", d.name);
        std::fs::write(
            out.path().join(format!("{}-reversed.toml", d.name)),
            reversed,
        )
        .unwrap();
    }
    out
}

/// A webhook's id as a client puts it in a path: a string as it is, a number's decimal text.
pub fn id_text(id: &Value) -> String {
    match id {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => panic!("not an id: {other}"),
    }
}

/// Pages through `path` (its query begun) with `headers`, following the cursor `next` reads
/// from each page, given back in `param`: the pages, each as the ids of its `items`.
pub async fn follow(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    items: &str,
    param: &str,
    next: impl Fn(&Value) -> Option<String>,
) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..20 {
        let target = match &cursor {
            Some(c) => format!("{path}&{param}={c}"),
            None => path.to_owned(),
        };
        let page = send(addr, "GET", &target, headers, None).await;
        ok(&page, 200, &target);
        let page = page.json();
        let listed = page[items].as_array();
        let listed = listed.unwrap_or_else(|| panic!("{target}: no `{items}`: {page}"));
        pages.push(listed.iter().map(|w| id_text(&w["id"])).collect());
        match next(&page) {
            Some(c) => cursor = Some(c),
            None => return pages,
        }
    }
    panic!("no last page after 20: {pages:?}");
}

/// A page of a canonical list: its webhooks' ids and its next cursor.
pub async fn canonical_page(
    addr: SocketAddr,
    base: &str,
    limit: u32,
    cursor: Option<&str>,
) -> (Vec<String>, Option<String>) {
    let path = match cursor {
        Some(c) => format!("{base}?limit={limit}&cursor={c}"),
        None => format!("{base}?limit={limit}"),
    };
    let page = send(addr, "GET", &path, &[], None).await;
    ok(&page, 200, &path);
    let page = page.json();
    let ids = page["data"]
        .as_array()
        .unwrap_or_else(|| panic!("{path}: {page}"))
        .iter()
        .map(|w| w["id"].as_str().unwrap().to_owned())
        .collect();
    (ids, page["next_cursor"].as_str().map(str::to_owned))
}

/// Deletes webhook `id` of a canonical list at `base`.
pub async fn delete_webhook(addr: SocketAddr, base: &str, id: &str) {
    let path = format!("{base}/{id}");
    let deleted = send(addr, "DELETE", &path, &[], None).await;
    assert!(
        (200..300).contains(&deleted.status),
        "{path}: {} {}",
        deleted.status,
        String::from_utf8_lossy(&deleted.body)
    );
}

/// Seeds `n` webhooks alike (a fixture is held to none of the vendor's caps or one-per-owner
/// values) at the emulator of upstream `name`, of dialect `d`, through the gateway's admin
/// API: their ids, in the order they were stored.
pub async fn seed_alike(addr: SocketAddr, d: &Dialect, name: &str, n: usize) -> Vec<String> {
    let seed = serde_json::json!({
        "shape": "canonical",
        "owner": owner(d),
        "webhooks": vec![create_body(d); n],
    });
    let path = format!("/__hookgate/emulators/{name}/webhooks");
    let seeded = send(addr, "POST", &path, &[], Some(&seed)).await;
    ok(&seeded, 201, name);
    seeded.json()["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Pages through upstream `name`, an emulator of dialect `d` whose answers give the cursor
/// ([`gives_cursors`]), on the canonical API three at a time, with webhooks deleted between
/// pages: the one each cursor names, one listed before it and one not listed yet. Each
/// webhook is listed once, in the vendor's order, none still there passed over; a cursor the
/// emulator never gave is refused. Returns the order it listed in.
pub async fn pages_across_deletes(addr: SocketAddr, d: &Dialect, name: &str) -> Order {
    let list = d.operation(Action::List).expect("it lists");
    let order = list
        .order
        .as_ref()
        .and_then(|o| o.default)
        .unwrap_or(Order::Ascending);
    let base = canonical_base(d, name);
    let mut made = seed_alike(addr, d, name, 9).await;
    if order == Order::Descending {
        made.reverse();
    }
    let at =
        |places: &[usize]| -> Vec<String> { places.iter().map(|&i| made[i].clone()).collect() };
    let (first, cursor) = canonical_page(addr, &base, 3, None).await;
    assert_eq!(first, at(&[0, 1, 2]), "{name}: the first page");
    let cursor = cursor.unwrap_or_else(|| panic!("{name}: no page after the first"));
    for gone in [2, 0, 4] {
        delete_webhook(addr, &base, &made[gone]).await;
    }
    let (second, next) = canonical_page(addr, &base, 3, Some(&cursor)).await;
    assert_eq!(
        second,
        at(&[3, 5, 6]),
        "{name}: the page after {cursor}, the webhook it names gone"
    );
    let next = next.unwrap_or_else(|| panic!("{name}: no page after the second"));
    for gone in [6, 7] {
        delete_webhook(addr, &base, &made[gone]).await;
    }
    let (third, last) = canonical_page(addr, &base, 3, Some(&next)).await;
    assert_eq!(third, at(&[8]), "{name}: the page after {next}");
    assert_eq!(last, None, "{name}: the last page");
    // A cursor kept from before is as good as it was: it names a place, not a count.
    let (again, _) = canonical_page(addr, &base, 3, Some(&cursor)).await;
    assert_eq!(again, at(&[3, 5, 8]), "{name}: {cursor} again");
    // One written otherwise, or beyond any the emulator gave, is refused, never read as the
    // first page, in the emulator's words.
    for never in [
        format!("0{cursor}"),
        format!("+{cursor}"),
        "4000000000".into(),
    ] {
        let path = format!("{base}?limit=3&cursor={}", never.replace('+', "%2B"));
        let refused = send(addr, "GET", &path, &[], None).await;
        // Refused as the vendor refuses a query parameter: 422, or its own status for one.
        let text = String::from_utf8_lossy(&refused.body);
        assert!((400..500).contains(&refused.status), "{path}: {text}");
        assert!(text.contains(&format!("`{never}`")), "{path}: {text}");
    }
    order
}

/// Every dialect of the folder `dir` whose answers give the cursor ([`gives_cursors`]), and a
/// copy of each that lists in the other order when asked for none
/// ([`with_orders_reversed`]), each emulated and paged through across deletes
/// ([`pages_across_deletes`]): the dialects paged, each with the order it listed in.
pub async fn emulators_page_across_deletes(dir: &std::path::Path) -> Vec<(Dialect, Order)> {
    let dir = with_orders_reversed(dir);
    let paged: Vec<Dialect> = hookgate::mapping::load_dir(dir.path())
        .unwrap()
        .into_iter()
        .filter(gives_cursors)
        .collect();
    let mut toml = format!("mappings_dir = {:?}\n", dir.path());
    for d in &paged {
        toml.push_str(&format!(
            "[upstreams.{0}]\ndialect = \"{0}\"\nemulate = true\n",
            d.name
        ));
    }
    let gw = gateway(&toml).await;
    let mut out = Vec::new();
    for d in paged {
        let order = pages_across_deletes(gw.addr, &d, &d.name).await;
        out.push((d, order));
    }
    gw.stop().await;
    out
}
