//! Reloading the real `hookgate` binary with SIGHUP: a changed configuration and mapping file
//! take effect without a restart while emulated webhooks survive; an invalid change is refused,
//! named by file and key, and the running configuration keeps serving; and reloads under load
//! over keep-alive connections fail no request.

mod support;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::send;
use tokio::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_hookgate");

/// How long to wait for the gateway to log something before giving up: a bound against a
/// hang, never an expectation of speed.
const PATIENCE: Duration = Duration::from_secs(60);

/// A gateway process on a configuration in a folder of its own, with a copy of the mappings.
struct Gateway {
    child: Child,
    addr: SocketAddr,
    dir: PathBuf,
    log: Arc<Mutex<String>>,
    lines: mpsc::Receiver<String>,
}

impl Gateway {
    fn start(config: &str) -> Gateway {
        let dir = tempfile::tempdir().unwrap().keep();
        let mappings = dir.join("mappings");
        std::fs::create_dir(&mappings).unwrap();
        for entry in std::fs::read_dir(support::MAPPINGS).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|x| x == "toml") {
                std::fs::copy(&path, mappings.join(path.file_name().unwrap())).unwrap();
            }
        }
        let gateway_dir = dir.clone();
        std::fs::write(dir.join("hookgate.toml"), config).unwrap();
        let mut child = Command::new(BIN)
            .current_dir(&dir)
            .args(["serve", "--config", "hookgate.toml"])
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .env_remove("HOOKGATE_CONFIG")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let reader = BufReader::new(child.stderr.take().unwrap());
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, lines) = mpsc::channel();
        let all = log.clone();
        std::thread::spawn(move || {
            for line in reader.lines() {
                let Ok(line) = line else { return };
                all.lock().unwrap().push_str(&format!("{line}\n"));
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let mut gateway = Gateway {
            child,
            addr: "127.0.0.1:0".parse().unwrap(),
            dir: gateway_dir,
            log,
            lines,
        };
        let line = gateway.next_line_with("gateway listening");
        let at = line.find("addr=").expect("the address is logged") + 5;
        gateway.addr = line[at..]
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        gateway
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits for the next log line containing `needle`.
    fn next_line_with(&self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => panic!("no log line with {needle:?}:\n{}", self.log()),
            }
        }
    }

    /// Waits until the whole log so far contains `needle` (a report spans several lines).
    fn wait_for_log(&self, needle: &str) {
        let deadline = Instant::now() + PATIENCE;
        while !self.log().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "the log never said {needle:?}:\n{}",
                self.log()
            );
            let _ = self.lines.recv_timeout(Duration::from_millis(50));
        }
    }

    fn write(&self, name: &str, text: &str) {
        // Written whole, then renamed: a reload never reads half a file.
        let path = self.dir.join(name);
        let fresh = path.with_extension("new");
        std::fs::write(&fresh, text).unwrap();
        std::fs::rename(&fresh, &path).unwrap();
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name)).unwrap()
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Sends SIGHUP and waits for the reload's outcome line.
    fn reload(&self) -> String {
        self.signal("HUP");
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains("reload applied") || line.contains("reload refused") => {
                    return line;
                }
                Ok(_) => {}
                Err(_) => panic!("no reload outcome:\n{}", self.log()),
            }
        }
    }

    /// SIGTERM; returns the exit code.
    fn stop(mut self) -> Option<i32> {
        self.signal("TERM");
        self.child.wait().unwrap().code()
    }
}

impl Drop for Gateway {
    /// A failed test leaves no gateway behind.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn config(body: &str) -> String {
    format!(
        "listen = \"127.0.0.1:0\"\nmappings_dir = \"mappings\"\n{body}\n[inbound_auth]\nmode = \"off\"\n"
    )
}

const TALKOVER: &str = "[upstreams.talkover]\ndialect = \"talkover\"\nemulate = true\n";

fn upstreams(answer: &support::Answer) -> Vec<Value> {
    answer.json()["data"].as_array().unwrap().clone()
}

fn find<'a>(list: &'a [Value], name: &str) -> Option<&'a Value> {
    list.iter().find(|u| u["name"] == name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_applies_upstreams_surfaces_and_mappings_and_keeps_emulated_webhooks() {
    let before = config(&format!(
        "{TALKOVER}[upstreams.flex]\ndialect = \"agentmessage\"\nemulate = true\n\
         [surfaces.talkover]\ndialect = \"talkover\"\nupstream = \"talkover\"\nprefix = \"/surfaces/talkover\"\n"
    ));
    let gw = Gateway::start(&before);
    let addr = gw.addr;
    let hooks = "/v1/upstreams/talkover/owners/550e8400-e29b-41d4-a716-446655440000/webhooks";
    let created = send(
        addr,
        "POST",
        hooks,
        &[],
        Some(&json!({"description": "Calls", "url": "https://example.com/hook", "events": ["event_phone_call_started"]})),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.json());
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let chirp_list = "/surfaces/chirp/v1/organization/apps/app_1/webhooks";
    let bearer = [("authorization", "Bearer any")];
    assert_eq!(
        send(addr, "GET", chirp_list, &bearer, None).await.status,
        404
    );
    let listed = upstreams(&send(addr, "GET", "/v1/upstreams", &[], None).await);
    assert_eq!(find(&listed, "flex").unwrap()["dialect"], "agentmessage");
    assert!(find(&listed, "chirp").is_none());

    // A new emulated upstream with a mounted surface, another dialect for `flex`, and an
    // edited mapping file.
    let after = config(&format!(
        "{TALKOVER}[upstreams.flex]\ndialect = \"chirp\"\nemulate = true\n\
         [upstreams.chirp]\ndialect = \"chirp\"\nemulate = true\n\
         [surfaces.talkover]\ndialect = \"talkover\"\nupstream = \"talkover\"\nprefix = \"/surfaces/talkover\"\n\
         [surfaces.chirp]\ndialect = \"chirp\"\nupstream = \"chirp\"\nprefix = \"/surfaces/chirp\"\n"
    ));
    gw.write("hookgate.toml", &after);
    let mapping = gw.read("mappings/talkover.toml");
    assert!(mapping.contains("title = \"Talkover agent webhooks\""));
    gw.write(
        "mappings/talkover.toml",
        &mapping.replace(
            "title = \"Talkover agent webhooks\"",
            "title = \"Talkover, reloaded\"",
        ),
    );
    let outcome = gw.reload();
    assert!(outcome.contains("reload applied"), "{}", gw.log());
    for change in [
        "upstreams added: chirp",
        "upstreams changed: flex, talkover",
        "mounted surfaces added: chirp",
        "mapping files changed: talkover",
        "emulator stopped: flex",
        "emulator started: chirp",
        "emulator started: flex",
    ] {
        assert!(
            outcome.contains(change),
            "{change:?} missing from {outcome}"
        );
    }
    gw.wait_for_log("the emulator keeps the talkover mapping it started with");

    let listed = upstreams(&send(addr, "GET", "/v1/upstreams", &[], None).await);
    assert_eq!(find(&listed, "flex").unwrap()["dialect"], "chirp");
    assert_eq!(find(&listed, "chirp").unwrap()["emulated"], true);
    assert_eq!(
        find(&listed, "talkover").unwrap()["title"],
        "Talkover, reloaded"
    );
    let kept = send(addr, "GET", &format!("{hooks}/{id}"), &[], None).await;
    assert_eq!(kept.status, 200, "the emulated webhook survives the reload");
    assert_eq!(kept.json()["description"], "Calls");
    let at_chirp = send(
        addr,
        "POST",
        "/v1/upstreams/chirp/owners/app_1/webhooks",
        &[],
        Some(&json!({"url": "https://example.com/c", "events": ["MESSAGE_CREATED"]})),
    )
    .await;
    assert_eq!(at_chirp.status, 201, "{}", at_chirp.json());
    let through_surface = send(addr, "GET", chirp_list, &bearer, None).await;
    assert_eq!(through_surface.status, 200);
    assert_eq!(
        through_surface
            .json()
            .to_string()
            .matches("https://example.com/c")
            .count(),
        1,
        "{}",
        through_surface.json()
    );
    assert_eq!(gw.stop(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_change_is_refused_named_and_the_running_configuration_keeps_serving() {
    let good = config(TALKOVER);
    let gw = Gateway::start(&good);
    let addr = gw.addr;
    let hooks = "/v1/upstreams/talkover/owners/550e8400-e29b-41d4-a716-446655440000/webhooks";
    assert_eq!(send(addr, "GET", hooks, &[], None).await.status, 200);

    gw.write(
        "hookgate.toml",
        &config(&format!(
            "default_upstream = \"ghost\"\n{TALKOVER}timeout_ms = 0\n[upstreams.more]\ndialect = \"nope\"\nemulate = true\n"
        )),
    );
    let outcome = gw.reload();
    assert!(outcome.contains("ERROR"), "logged as an error: {outcome}");
    assert!(outcome.contains("reload refused"), "{outcome}");
    gw.wait_for_log("upstreams.talkover.timeout_ms: `0`: expected 1 to 300000");
    gw.wait_for_log("default_upstream: `ghost` names no upstream");
    // The file named on the command line, by the absolute path read.
    gw.wait_for_log(&format!(
        "invalid configuration ({}):",
        std::path::absolute(gw.dir.join("hookgate.toml"))
            .unwrap()
            .display()
    ));
    assert_eq!(send(addr, "GET", hooks, &[], None).await.status, 200);
    let listed = upstreams(&send(addr, "GET", "/v1/upstreams", &[], None).await);
    assert_eq!(listed.len(), 1, "nothing of the refused change applies");
    assert_eq!(send(addr, "GET", "/readyz", &[], None).await.status, 200);

    // Valid configuration, but a mapping file breaks, and a dialect is unknown.
    gw.write(
        "hookgate.toml",
        &config(&format!(
            "{TALKOVER}[upstreams.more]\ndialect = \"nope\"\nemulate = true\n"
        )),
    );
    let outcome = gw.reload();
    assert!(outcome.contains("reload refused"), "{outcome}");
    gw.wait_for_log("upstreams.more.dialect: `nope` has no mapping file");
    let chirp = gw.read("mappings/chirp.toml");
    gw.write(
        "mappings/chirp.toml",
        &chirp.replace("path = \"$.url\"", "path = \"$.url[*]\""),
    );
    gw.write("hookgate.toml", &good);
    let outcome = gw.reload();
    assert!(outcome.contains("reload refused"), "{outcome}");
    gw.wait_for_log("chirp.toml: fields.url.path: `$.url[*]`");
    assert_eq!(send(addr, "GET", hooks, &[], None).await.status, 200);

    gw.write("mappings/chirp.toml", &chirp);
    let outcome = gw.reload();
    assert!(outcome.contains("reload applied"), "{}", gw.log());
    assert_eq!(send(addr, "GET", hooks, &[], None).await.status, 200);
    assert_eq!(gw.stop(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_limit_changed_on_reload_waits_for_the_restart_it_is_reported_to_need() {
    let gw = Gateway::start(&config(TALKOVER));
    let hooks = "/v1/upstreams/talkover/owners/550e8400-e29b-41d4-a716-446655440000/webhooks";
    let body = json!({"description": "a webhook of more than a hundred bytes, described at length",
        "url": "https://example.com/h", "events": ["event_phone_call_started"]});
    gw.write(
        "hookgate.toml",
        &config(&format!("{TALKOVER}[limits]\nmax_body_bytes = 100\n")),
    );
    let outcome = gw.reload();
    assert!(outcome.contains("reload applied"), "{}", gw.log());
    assert!(
        gw.log().contains("key=limits.max_body_bytes"),
        "{}",
        gw.log()
    );
    let made = send(gw.addr, "POST", hooks, &[], Some(&body)).await;
    assert_eq!(made.status, 201, "the limit in force until restart");
    assert_eq!(gw.stop(), Some(0));
}

#[tokio::test]
async fn listener_changes_are_reported_as_needing_a_restart() {
    let own = "[surfaces.own]\ndialect = \"talkover\"\nupstream = \"talkover\"\nlisten = \"127.0.0.1:0\"\n";
    let gw = Gateway::start(&config(&format!("{TALKOVER}{own}")));
    let line = gw
        .log()
        .lines()
        .find(|l| l.contains("vendor surface listening"))
        .unwrap()
        .to_owned();
    let surface: SocketAddr = line[line.find("addr=").unwrap() + 5..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let bearer = [("authorization", "Bearer t")];
    let hooks = "/api/v1/agents/550e8400-e29b-41d4-a716-446655440000/webhooks";
    let body = json!({"name": "n", "webhook_url": "https://example.com/h", "events": ["event_phone_call_started"]});
    assert_eq!(
        send(surface, "POST", hooks, &bearer, Some(&body))
            .await
            .status,
        200
    );

    // Another main address, a listener limit, and neither the surface nor its upstream.
    gw.write(
        "hookgate.toml",
        &config("[limits]\nmax_connections = 7\n[upstreams.other]\ndialect = \"chirp\"\nemulate = true\n")
            .replace("listen = \"127.0.0.1:0\"", "listen = \"127.0.0.2:0\""),
    );
    let outcome = gw.reload();
    assert!(outcome.contains("reload applied"), "{}", gw.log());
    assert!(outcome.contains("upstreams removed: talkover"), "{outcome}");
    assert!(outcome.contains("needs_restart=4"), "{outcome}");
    let log = gw.log();
    for key in [
        "key=listen",
        "key=limits.max_connections",
        "key=surfaces.own.listen",
        "key=upstreams.talkover",
    ] {
        assert!(log.contains(key), "{key} missing:\n{log}");
    }
    // Still served where it was, and the surface on its own listener keeps its emulator.
    let listed = upstreams(&send(gw.addr, "GET", "/v1/upstreams", &[], None).await);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["name"], "other");
    let kept = send(surface, "GET", hooks, &bearer, None).await;
    assert_eq!(kept.status, 200);
    let text = kept.json().to_string();
    assert_eq!(text.matches("https://example.com/h").count(), 1, "{text}");
    assert_eq!(gw.stop(), Some(0));
}

/// A client on one keep-alive connection.
struct KeepAlive {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    addr: SocketAddr,
}

impl KeepAlive {
    async fn open(addr: SocketAddr) -> KeepAlive {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(conn);
        KeepAlive { sender, addr }
    }

    /// One GET; an error is a transport failure.
    async fn get(&mut self, path: &str, auth: Option<&str>) -> Result<u16, String> {
        self.sender.ready().await.map_err(|e| e.to_string())?;
        let mut req = http::Request::get(path).header("host", self.addr.to_string());
        if let Some(auth) = auth {
            req = req.header("authorization", auth);
        }
        let response = self
            .sender
            .send_request(req.body(Full::new(Bytes::new())).unwrap())
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?;
        Ok(status)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reloads_under_load_fail_no_request() {
    let surface = "[surfaces.talkover]\ndialect = \"talkover\"\nupstream = \"talkover\"\nprefix = \"/surfaces/talkover\"\n";
    let base = config(&format!("{TALKOVER}{surface}"));
    // Alternates with `base`: another emulated upstream and surface, and a changed timeout
    // that rebuilds the upstream every request uses.
    let grown = config(&format!(
        "{TALKOVER}timeout_ms = 9000\n{surface}[upstreams.extra]\ndialect = \"chirp\"\nemulate = true\n\
         [surfaces.extra]\ndialect = \"chirp\"\nupstream = \"extra\"\nprefix = \"/surfaces/extra\"\n"
    ));
    let gw = Gateway::start(&base);
    let addr = gw.addr;
    let created = send(
        addr,
        "POST",
        "/v1/upstreams/talkover/owners/550e8400-e29b-41d4-a716-446655440000/webhooks",
        &[],
        Some(&json!({"description": "d", "url": "https://example.com/h", "events": ["event_phone_call_started"]})),
    )
    .await;
    assert_eq!(created.status, 201);

    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut clients = Vec::new();
    for n in 0..4 {
        let (stop, done, failures) = (stop.clone(), done.clone(), failures.clone());
        clients.push(tokio::spawn(async move {
            let mut conn = KeepAlive::open(addr).await;
            // Bounded whatever happens: at most this many requests per client.
            for i in 0..200_000u64 {
                if stop.load(Ordering::Acquire) {
                    break;
                }
                let (path, auth) = if (i + n) % 2 == 0 {
                    ("/v1/upstreams/talkover/owners/550e8400-e29b-41d4-a716-446655440000/webhooks", None)
                } else {
                    (
                        "/surfaces/talkover/api/v1/agents/550e8400-e29b-41d4-a716-446655440000/webhooks",
                        Some("Bearer t"),
                    )
                };
                match conn.get(path, auth).await {
                    Ok(200) => {}
                    Ok(other) => failures.lock().unwrap().push(format!("{path}: {other}")),
                    Err(e) => failures.lock().unwrap().push(format!("{path}: {e}")),
                }
                done.fetch_add(1, Ordering::AcqRel);
            }
        }));
    }
    let reloads = 6;
    let mut last = 0;
    for i in 0..reloads {
        // Each reload happens while requests flow: wait for some since the last one.
        let started = Instant::now();
        while done.load(Ordering::Acquire) < last + 150 {
            assert!(started.elapsed() < PATIENCE, "no requests are flowing");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        gw.write("hookgate.toml", if i % 2 == 0 { &grown } else { &base });
        let outcome = tokio::task::block_in_place(|| gw.reload());
        assert!(outcome.contains("reload applied"), "{}", gw.log());
        last = done.load(Ordering::Acquire);
    }
    let before_stop = done.load(Ordering::Acquire);
    while done.load(Ordering::Acquire) < before_stop + 50 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    stop.store(true, Ordering::Release);
    for c in clients {
        c.await.unwrap();
    }
    let failures = failures.lock().unwrap().clone();
    let total = done.load(Ordering::Acquire);
    assert!(
        failures.is_empty(),
        "{} of {total} failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );
    assert!(total >= 150 * reloads);
    eprintln!(
        "{reloads} reloads under load: {total} requests over 4 keep-alive connections, none failed"
    );
    assert_eq!(gw.log().matches("reload applied").count(), reloads as usize);
    assert_eq!(gw.stop(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_begun_before_a_reload_takes_turns_with_one_begun_after_it() {
    // Resemble takes an update whole: a read, a merge and a write. One begun before a reload
    // that changes its upstream, and one begun after, must not both read the webhook as it was.
    let agent = "550e8400-e29b-41d4-a716-446655440000";
    let stored = json!({"success": true, "item": {"id": 1, "webhook_type": "pre_call",
        "webhook_config": {"api_schema": {"url": "https://e.example/a", "method": "POST"},
        "response_timeout_secs": 15}}});
    let slow = |r: support::Reply| support::Reply::Slow(Duration::from_millis(1500), Box::new(r));
    let double = support::Double::start(vec![
        slow(support::Reply::json(200, stored.clone())),
        support::Reply::json(200, stored.clone()),
        support::Reply::json(200, stored.clone()),
        support::Reply::json(200, stored),
    ])
    .await;
    let upstream = |timeout: u32| {
        config(&format!(
            "[upstreams.res]\ndialect = \"resemble\"\nbase_url = \"{}\"\n\
             auth = {{ type = \"none\" }}\nretries = 0\ntimeout_ms = {timeout}\n",
            double.url()
        ))
    };
    let gw = Gateway::start(&upstream(10000));
    let path = format!("/v1/upstreams/res/owners/{agent}/webhooks/1");
    let addr = gw.addr;
    let first = {
        let path = path.clone();
        tokio::spawn(async move {
            let change = json!({"url": "https://e.example/new"});
            send(addr, "PATCH", &path, &[], Some(&change)).await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    gw.write("hookgate.toml", &upstream(10001));
    let outcome = gw.reload();
    assert!(outcome.contains("reload applied"), "{outcome}");
    let change = json!({"timeout_seconds": 30});
    let second = send(addr, "PATCH", &path, &[], Some(&change)).await;
    let first = first.await.unwrap();
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert_eq!(second.status, 200, "{:?}", second.body);
    let order: Vec<String> = double.seen().iter().map(|s| s.method.clone()).collect();
    assert_eq!(order, ["GET", "PATCH", "GET", "PATCH"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_check_would_refuse_is_refused_by_a_reload_too() {
    let good = config(TALKOVER);
    let gw = Gateway::start(&good);
    let addr = gw.addr;
    let hooks = "/v1/upstreams/talkover/owners/550e8400-e29b-41d4-a716-446655440000/webhooks";
    assert_eq!(send(addr, "GET", hooks, &[], None).await.status, 200);
    let missing = gw.dir.join("no-such-folder/state.json");
    // A new emulator's state file, and the running one's, each with no folder to keep it in.
    for changed in [
        format!(
            "{TALKOVER}[upstreams.more]\ndialect = \"agentmessage\"\nemulate = true\n\
             [upstreams.more.emulator]\nstate = {missing:?}\n"
        ),
        format!("{TALKOVER}[upstreams.talkover.emulator]\nstate = {missing:?}\n"),
    ] {
        gw.write("hookgate.toml", &config(&changed));
        let outcome = gw.reload();
        assert!(outcome.contains("reload refused"), "{changed}: {outcome}");
        gw.wait_for_log("no such folder to keep the state file in");
        let listed = upstreams(&send(addr, "GET", "/v1/upstreams", &[], None).await);
        assert_eq!(listed.len(), 1, "nothing of the refused change applies");
        assert_eq!(send(addr, "GET", hooks, &[], None).await.status, 200);
    }
    assert!(!gw.dir.join("no-such-folder").exists());
    // A mapping file whose example does not survive a round trip, as `hookgate check` says.
    let chirp = gw.read("mappings/chirp.toml");
    let broken = chirp.replacen(
        "events = [\"MESSAGE_CREATED\", \"MESSAGE_SENT\"]",
        "events = \"MESSAGE_CREATED\"",
        1,
    );
    assert_ne!(chirp, broken);
    gw.write("mappings/chirp.toml", &broken);
    gw.write("hookgate.toml", &good);
    let outcome = gw.reload();
    assert!(outcome.contains("reload refused"), "{outcome}");
    gw.wait_for_log("mapping examples do not round-trip");
    assert_eq!(send(addr, "GET", hooks, &[], None).await.status, 200);
    gw.write("mappings/chirp.toml", &chirp);
    let outcome = gw.reload();
    assert!(outcome.contains("reload applied"), "{}", gw.log());
    assert_eq!(gw.stop(), Some(0));
}
