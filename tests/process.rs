//! The gateway as a process: SIGTERM drains in-flight requests and exits 0; and at
//! `RUST_LOG=trace` no credential or webhook secret ever reaches the logs.

mod support;

use serde_json::json;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use support::{Double, Reply, send};

const BIN: &str = env!("CARGO_BIN_EXE_hookgate");

/// Starts `hookgate serve` on a config; returns the child and the gateway's address (read from
/// its own log line), and a handle collecting the rest of its stderr.
fn start(
    config: &str,
    log: &str,
    env: &[(&str, &str)],
) -> (Child, std::net::SocketAddr, std::thread::JoinHandle<String>) {
    let dir = tempfile::tempdir().unwrap().keep();
    let file = dir.join("hookgate.toml");
    std::fs::write(&file, format!("listen = \"127.0.0.1:0\"\nmappings_dir = {:?}\n[inbound_auth]\nmode = \"off\"\n{config}", support::MAPPINGS)).unwrap();
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--config", file.to_str().unwrap()])
        .env("RUST_LOG", log)
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut reader = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let addr = loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "hookgate exited early:\n{seen}"
        );
        seen.push_str(&line);
        if line.contains("gateway listening") {
            if line.starts_with('{') {
                let event: serde_json::Value = serde_json::from_str(&line).unwrap();
                break event["addr"]
                    .as_str()
                    .expect("the address is logged")
                    .parse()
                    .unwrap();
            }
            let at = line.find("addr=").expect("the address is logged") + 5;
            break line[at..]
                .split_whitespace()
                .next()
                .unwrap()
                .parse()
                .unwrap();
        }
    };
    let rest = std::thread::spawn(move || {
        let mut text = seen;
        let _ = reader.read_to_string(&mut text);
        text
    });
    (child, addr, rest)
}

fn terminate(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_in_flight_requests_then_exits_zero() {
    let webhook = json!({"success": true, "data": {"id": "0199a1b2-0000-7000-8000-000000000001", "agent_id": "550e8400-e29b-41d4-a716-446655440000", "name": "n", "webhook_url": "https://e.example", "events": ["event_action"], "enabled": true}});
    let slow = Reply::Slow(
        Duration::from_millis(700),
        Box::new(Reply::json(200, webhook)),
    );
    let double = Double::start(vec![slow; 24]).await;
    let (mut child, addr, _log) = start(
        &format!(
            "[upstreams.v]\ndialect = \"talkover\"\nbase_url = \"{}\"\nauth = {{ type = \"none\" }}\n",
            double.url()
        ),
        "info",
        &[],
    );
    let inflight: Vec<_> = (0..24)
        .map(|_| {
            tokio::spawn(async move {
                send(
                    addr,
                    "GET",
                    "/v1/upstreams/v/owners/550e8400-e29b-41d4-a716-446655440000/webhooks/0199a1b2-0000-7000-8000-000000000001",
                    &[],
                    None,
                )
                .await
                .status
            })
        })
        .collect();
    while double.seen().len() < 24 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    terminate(&child);
    let statuses: Vec<u16> = futures_join(inflight).await;
    assert_eq!(statuses, vec![200; 24], "every in-flight request completes");
    let code = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert_eq!(code.code(), Some(0));
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the listener is closed"
    );
}

async fn futures_join(handles: Vec<tokio::task::JoinHandle<u16>>) -> Vec<u16> {
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_the_logs_even_at_trace() {
    const VENDOR_TOKEN: &str = "talq_VENDOR_TOKEN_5e1f";
    const CLIENT_TOKEN: &str = "am_live_CLIENT_TOKEN_77ab";
    const WEBHOOK_SECRET: &str = "whsec_WEBHOOKSECRETc0deWEBHOOKSECRETc0de00";
    let double = Double::start(vec![Reply::json(
        200,
        json!({"success": true, "data": {"id": "0199a1b2-0000-7000-8000-000000000001", "agent_id": "550e8400-e29b-41d4-a716-446655440000", "name": "n", "webhook_url": "https://e.example", "events": ["event_action"], "enabled": true}}),
    )])
    .await;
    let (child, addr, log) = start(
        &format!(
            "[upstreams.live]\ndialect = \"talkover\"\nbase_url = \"{}\"\nauth = {{ type = \"bearer\", token_env = \"HOOKGATE_TEST_VENDOR_TOKEN\" }}\n\
             [upstreams.pass]\ndialect = \"agentmessage\"\nemulate = true\n\
             [upstreams.talk]\ndialect = \"talkover\"\nemulate = true\n",
            double.url()
        ),
        "trace",
        &[("HOOKGATE_TEST_VENDOR_TOKEN", VENDOR_TOKEN)],
    );
    let auth = format!("Bearer {CLIENT_TOKEN}");
    let a = send(
        addr,
        "PATCH",
        "/v1/upstreams/live/owners/550e8400-e29b-41d4-a716-446655440000/webhooks/0199a1b2-0000-7000-8000-000000000001",
        &[],
        Some(&json!({"secret": WEBHOOK_SECRET})),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.json());
    let created = send(
        addr,
        "POST",
        "/v1/upstreams/pass/webhooks",
        &[("authorization", &auth)],
        Some(&json!({"url": "https://h.example.com/x", "events": ["lookup.completed"]})),
    )
    .await;
    let minted = created.json()["secret"].as_str().unwrap().to_owned();
    let t = "/v1/upstreams/talk/owners/550e8400-e29b-41d4-a716-446655440000/webhooks";
    let body = json!({"description": "d", "url": "https://e.example", "events": ["event_action"], "secret": WEBHOOK_SECRET, "headers": {"Authorization": "Bearer receiver-secret-91"}});
    assert_eq!(send(addr, "POST", t, &[], Some(&body)).await.status, 201);
    assert_eq!(
        double.seen()[0].headers["authorization"],
        format!("Bearer {VENDOR_TOKEN}").as_str()
    );
    terminate(&child);
    let text = tokio::task::spawn_blocking(move || log.join().unwrap())
        .await
        .unwrap();
    assert!(
        text.contains("TRACE") || text.contains("DEBUG"),
        "the log ran at trace level"
    );
    for secret in [
        VENDOR_TOKEN,
        CLIENT_TOKEN,
        WEBHOOK_SECRET,
        minted.as_str(),
        "receiver-secret-91",
    ] {
        assert!(!text.contains(secret), "{secret} leaked into the logs");
    }
}

#[tokio::test]
async fn json_logs_carry_one_span_per_request() {
    let (child, addr, log) = start(
        "[log]\nformat = \"json\"\n[upstreams.talk]\ndialect = \"talkover\"\nemulate = true\n",
        "info",
        &[],
    );
    let a = send(
        addr,
        "GET",
        "/v1/upstreams/talk/owners/550e8400-e29b-41d4-a716-446655440000/webhooks/0199a1b2-0000-7000-8000-00000000dead",
        &[("x-request-id", "req-span-1")],
        None,
    )
    .await;
    assert_eq!(a.status, 404);
    terminate(&child);
    let text = log.join().unwrap();
    let events: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    // The emulator's own refusal of the vendor call is a request of its own, with its own span.
    let refused = events
        .iter()
        .find(|e| e["message"] == "request refused" && e["span"]["surface"] == "canonical")
        .unwrap_or_else(|| panic!("no request event in\n{text}"));
    let span = &refused["span"];
    assert_eq!(span["name"], "request", "{refused}");
    assert_eq!(span["request_id"], "req-span-1");
    assert_eq!(span["upstream"], "talk");
    assert_eq!(span["dialect"], "talkover");
    assert_eq!(span["operation"], "get");
    assert_eq!(refused["code"], "not_found");
    // One access record per request, with its route, outcome and request id, and nothing of
    // the request's body or headers.
    let access = events
        .iter()
        .find(|e| e["target"] == "hookgate::access" && e["surface"] == "canonical")
        .unwrap_or_else(|| panic!("no access event in\n{text}"));
    assert_eq!(access["method"], "GET", "{access}");
    assert_eq!(
        access["path"],
        "/v1/upstreams/talk/owners/550e8400-e29b-41d4-a716-446655440000/webhooks/0199a1b2-0000-7000-8000-00000000dead"
    );
    assert_eq!(access["operation"], "get");
    assert_eq!(access["upstream"], "talk");
    assert_eq!(access["status"], 404);
    assert_eq!(access["request_id"], "req-span-1");
    assert!(access["duration_ms"].as_f64().is_some(), "{access}");
}

#[tokio::test]
async fn the_access_log_names_a_surface_as_configured_and_the_path_as_its_client_sent_it() {
    let (child, addr, log) = start(
        "[log]\nformat = \"json\"\n[upstreams.talk]\ndialect = \"talkover\"\nemulate = true\n\
         [surfaces.agents-desk]\ndialect = \"svix\"\nupstream = \"talk\"\nprefix = \"/desk/svix\"\n\
         [surfaces.second]\ndialect = \"svix\"\nupstream = \"talk\"\nprefix = \"/second\"\n",
        "info",
        &[],
    );
    let app = "550e8400-e29b-41d4-a716-446655440000";
    let paths = [
        format!("/desk/svix/api/v1/app/{app}/endpoint"),
        format!("/second/api/v1/app/{app}/endpoint"),
    ];
    for path in &paths {
        let a = send(addr, "GET", path, &[("authorization", "Bearer t")], None).await;
        assert_eq!(a.status, 200, "{path}");
    }
    terminate(&child);
    let text = tokio::task::spawn_blocking(move || log.join().unwrap())
        .await
        .unwrap();
    let events: Vec<serde_json::Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    for (name, path) in [("agents-desk", &paths[0]), ("second", &paths[1])] {
        let access = events
            .iter()
            .find(|e| e["target"] == "hookgate::access" && e["surface"] == name)
            .unwrap_or_else(|| panic!("no access event of {name} in\n{text}"));
        assert_eq!(access["path"], path.as_str(), "{access}");
        assert_eq!(access["operation"], "list", "{access}");
        assert_eq!(access["upstream"], "talk", "{access}");
        // Every line the request causes is in its span, which names the surface too.
        assert!(
            events.iter().any(|e| e["span"]["surface"] == name),
            "no span of {name} in\n{text}"
        );
    }
    assert!(
        !events
            .iter()
            .any(|e| e["target"] == "hookgate::access" && e["surface"] == "svix"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_log_lines_hold_each_key_once_even_at_trace() {
    let hook = json!({"id": "0199a1b2-0000-7000-8000-000000000001", "agent_id": "550e8400-e29b-41d4-a716-446655440000", "name": "n", "webhook_url": "https://e.example", "events": ["event_action"], "enabled": true});
    let double = Double::start(vec![
        Reply::json(200, json!({"success": true, "data": hook})),
        Reply::json(
            503,
            json!({"success": false, "error": {"code": "busy", "message": "m"}}),
        ),
        Reply::json(200, json!({"success": true, "data": hook})),
    ])
    .await;
    let (child, addr, log) = start(
        &format!(
            "[log]\nformat = \"json\"\n\
             [upstreams.live]\ndialect = \"talkover\"\nbase_url = \"{}\"\nretries = 1\nbackoff_ms = 1\nauth = {{ type = \"none\" }}\n\
             [upstreams.talk]\ndialect = \"talkover\"\nemulate = true\n",
            double.url()
        ),
        "trace",
        &[],
    );
    let owner = "550e8400-e29b-41d4-a716-446655440000";
    let id = "0199a1b2-0000-7000-8000-000000000001";
    // A vendor call, one retried after a 503, an emulator's refusal and a route that is none:
    // the events of a request's every phase, its span's and the access record.
    for (method, path) in [
        (
            "GET",
            format!("/v1/upstreams/live/owners/{owner}/webhooks/{id}"),
        ),
        (
            "GET",
            format!("/v1/upstreams/live/owners/{owner}/webhooks/{id}"),
        ),
        (
            "GET",
            format!("/v1/upstreams/talk/owners/{owner}/webhooks/{id}"),
        ),
        ("GET", "/nowhere".to_owned()),
    ] {
        send(addr, method, &path, &[], None).await;
    }
    terminate(&child);
    let text = tokio::task::spawn_blocking(move || log.join().unwrap())
        .await
        .unwrap();
    assert!(text.contains("calling upstream"), "{text}");
    for line in text.lines() {
        if let Err(e) = serde_json::from_str::<KeysOnce>(line) {
            panic!("{e}: {line}");
        }
    }
}

/// A JSON value read strictly: an object that holds a key twice is an error (serde_json, as
/// most readers, would keep one of the two values without a word).
struct KeysOnce;

impl<'de> serde::Deserialize<'de> for KeysOnce {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(KeysOnce)
    }
}

impl<'de> serde::de::Visitor<'de> for KeysOnce {
    type Value = KeysOnce;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<KeysOnce, A::Error> {
        let mut seen = std::collections::BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!("the key `{key}` twice")));
            }
            map.next_value::<KeysOnce>()?;
        }
        Ok(KeysOnce)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<KeysOnce, A::Error> {
        while seq.next_element::<KeysOnce>()?.is_some() {}
        Ok(KeysOnce)
    }

    fn visit_bool<E>(self, _: bool) -> Result<KeysOnce, E> {
        Ok(KeysOnce)
    }

    fn visit_i64<E>(self, _: i64) -> Result<KeysOnce, E> {
        Ok(KeysOnce)
    }

    fn visit_u64<E>(self, _: u64) -> Result<KeysOnce, E> {
        Ok(KeysOnce)
    }

    fn visit_f64<E>(self, _: f64) -> Result<KeysOnce, E> {
        Ok(KeysOnce)
    }

    fn visit_str<E>(self, _: &str) -> Result<KeysOnce, E> {
        Ok(KeysOnce)
    }

    fn visit_unit<E>(self) -> Result<KeysOnce, E> {
        Ok(KeysOnce)
    }
}

/// A vendor double that answers a read of webhook ID with webhook ID (the last path segment),
/// so that every answer can be matched to its request; a read of `slow` answers after 700 ms,
/// and says on `arrived` that it came.
async fn echo_double(
    slow: &'static str,
    arrived: std::sync::Arc<tokio::sync::Notify>,
) -> std::net::SocketAddr {
    use http_body_util::Full;
    use hyper::service::service_fn;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let arrived = arrived.clone();
            let service = service_fn(move |req: http::Request<hyper::body::Incoming>| {
                let arrived = arrived.clone();
                async move {
                    let path = req.uri().path().to_owned();
                    let id = path.rsplit('/').next().unwrap_or_default().to_owned();
                    if id == slow {
                        arrived.notify_one();
                        tokio::time::sleep(Duration::from_millis(700)).await;
                    }
                    let body = json!({"success": true, "data": {"id": id, "agent_id": "550e8400-e29b-41d4-a716-446655440000", "name": "n", "webhook_url": "https://e.example", "events": ["event_action"], "enabled": true}});
                    Ok::<_, std::convert::Infallible>(
                        http::Response::builder()
                            .header("content-type", "application/json")
                            .body(Full::new(bytes::Bytes::from(body.to_string())))
                            .unwrap(),
                    )
                }
            });
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service),
            );
        }
    });
    addr
}

/// The names of the threads of process `pid` that serve as workers.
fn worker_threads(pid: u32) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| name.starts_with("hookgate-w"))
        .collect();
    names.sort();
    names
}

/// One keep-alive connection sending `ids` one after another: the id each answer carries.
async fn read_in_turn(addr: std::net::SocketAddr, ids: Vec<String>) -> Vec<(u16, String)> {
    use http_body_util::{BodyExt, Empty};
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    let mut answers = Vec::new();
    for id in ids {
        sender.ready().await.unwrap();
        let request = http::Request::get(format!(
            "/v1/upstreams/v/owners/550e8400-e29b-41d4-a716-446655440000/webhooks/{id}"
        ))
        .header("host", addr.to_string())
        .body(Empty::<bytes::Bytes>::new())
        .unwrap();
        let response = sender.send_request(request).await.unwrap();
        let status = response.status().as_u16();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let answer: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        answers.push((status, answer["id"].as_str().unwrap_or_default().to_owned()));
    }
    answers
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_worker_thread_serves_whole_connections_and_all_drain_on_sigterm() {
    const SLOW: &str = "0199a1b2-0000-7000-8000-0000000009ff";
    let arrived = std::sync::Arc::new(tokio::sync::Notify::new());
    let double = echo_double(SLOW, arrived.clone()).await;
    let config = format!(
        "[upstreams.v]\ndialect = \"talkover\"\nbase_url = \"http://{double}\"\nauth = {{ type = \"none\" }}\n\
         [upstreams.e]\ndialect = \"talkover\"\nemulate = true\n"
    );
    for (workers, threads) in [("1", vec![]), ("2", vec!["hookgate-w0", "hookgate-w1"])] {
        let (mut child, addr, _log) = start(&config, "info", &[("TOKIO_WORKER_THREADS", workers)]);
        assert_eq!(worker_threads(child.id()), threads, "{workers} worker(s)");
        // Six keep-alive connections at once, each reading twenty webhooks of its own in turn.
        let connections: Vec<_> = (0..6)
            .map(|c| {
                let ids: Vec<String> = (0..20)
                    .map(|r| format!("0199a1b2-0000-7000-8000-{:012x}", c * 100 + r))
                    .collect();
                (ids.clone(), tokio::spawn(read_in_turn(addr, ids)))
            })
            .collect();
        for (ids, answers) in connections {
            let expected: Vec<(u16, String)> = ids.into_iter().map(|id| (200, id)).collect();
            assert_eq!(answers.await.unwrap(), expected, "{workers} worker(s)");
        }
        // What one connection writes to an emulated vendor, another (on another worker) reads.
        let list = "/v1/upstreams/e/owners/550e8400-e29b-41d4-a716-446655440000/webhooks";
        let body =
            json!({"description": "d", "url": "https://e.example", "events": ["event_action"]});
        let created = send(addr, "POST", list, &[], Some(&body)).await;
        assert_eq!(created.status, 201, "{}", created.json());
        let id = created.json()["id"].as_str().unwrap().to_owned();
        let read = send(addr, "GET", &format!("{list}/{id}"), &[], None).await;
        assert_eq!((read.status, read.json()["id"].clone()), (200, json!(id)));
        // A request in flight when SIGTERM comes is answered before the process exits 0.
        let inflight = tokio::spawn(read_in_turn(addr, vec![SLOW.to_owned()]));
        arrived.notified().await;
        terminate(&child);
        assert_eq!(inflight.await.unwrap(), vec![(200, SLOW.to_owned())]);
        let code = tokio::task::spawn_blocking(move || child.wait().unwrap())
            .await
            .unwrap();
        assert_eq!(code.code(), Some(0), "{workers} worker(s)");
    }
}
