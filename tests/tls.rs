//! TLS where users need it, with certificates made at test time: the listener serves HTTPS on
//! HTTP/1.1 and HTTP/2 (ALPN) and takes a renewed certificate on SIGHUP; an upstream behind a
//! private CA is reached only when that CA is configured; a gateway process goes through the
//! CONNECT proxy `HTTPS_PROXY` names, and sends `http://` calls to the proxy `HTTP_PROXY` names in
//! absolute form with its credentials; `hookgate healthcheck` probes a plain and a TLS listener.

mod support;
#[path = "support/tls.rs"]
mod tls_support;

use serde_json::json;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;
use tls_support::{Ca, TlsDouble};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_hookgate");
const PATIENCE: Duration = Duration::from_secs(20);

/// A vendor's answer to reading one webhook, in the dialect the tests' upstream uses.
fn webhook() -> serde_json::Value {
    json!({"success": true, "data": {"id": "0199a1b2-0000-7000-8000-000000000001", "agent_id": "550e8400-e29b-41d4-a716-446655440000", "name": "n", "webhook_url": "https://e.example", "events": ["event_action"], "enabled": true}})
}

/// The dialect `webhook()` is written in.
const DIALECT: &str = "talkover";

fn upstream(base_url: &str) -> String {
    format!(
        "[upstreams.v]\ndialect = \"{DIALECT}\"\nbase_url = \"{base_url}\"\nauth = {{ type = \"none\" }}\nretries = 0\n"
    )
}

const READ: &str = "/v1/upstreams/v/owners/550e8400-e29b-41d4-a716-446655440000/webhooks/0199a1b2-0000-7000-8000-000000000001";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_serves_https_on_http1_and_http2_by_alpn() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("hookgate test CA");
    let leaf = ca.leaf(&["localhost", "127.0.0.1"]);
    let (cert, key) = leaf.write(dir.path(), "");
    let gw = support::gateway(&format!(
        "[tls]\ncert_file = {cert:?}\nkey_file = {key:?}\n"
    ))
    .await;
    for (offered, expected) in [
        (&[b"http/1.1".as_slice()][..], b"http/1.1".as_slice()),
        (
            &[b"h2".as_slice(), b"http/1.1".as_slice()][..],
            b"h2".as_slice(),
        ),
    ] {
        for path in ["/healthz", "/v1/upstreams"] {
            let seen = tls_support::get(gw.addr, ca.der(), offered, path).await;
            assert_eq!(seen.alpn.as_deref(), Some(expected));
            assert_eq!(seen.status, 200, "{path}: {:?}", seen.body);
            assert_eq!(seen.certificate, leaf.cert_der());
        }
    }
    // Plain HTTP on the TLS port gets no HTTP answer.
    let mut plain = tokio::net::TcpStream::connect(gw.addr).await.unwrap();
    plain
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(PATIENCE, plain.read_to_end(&mut answer)).await;
    assert!(
        !answer.starts_with(b"HTTP/1.1 200"),
        "plain HTTP was served"
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_next_page_link_names_https_on_http1_and_http2() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("hookgate test CA");
    let leaf = ca.leaf(&["localhost", "127.0.0.1"]);
    let (cert, key) = leaf.write(dir.path(), "");
    let dialects = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
    // A surface whose vendor names its next page in a `Link` header, in front of another.
    let gw = support::gateway(&format!(
        "mappings_dir = {dialects:?}
[tls]
cert_file = {cert:?}
key_file = {key:?}
         [upstreams.relay]
dialect = \"relay\"
emulate = true
         [surfaces.lab]
dialect = \"lab\"
upstream = \"relay\"
prefix = \"/lab\"
"
    ))
    .await;
    for i in 0..3 {
        let made = support::send(
            gw.emulators["relay"],
            "POST",
            "/api/projects/3/hooks",
            &[("authorization", "Bearer t")],
            Some(&json!({"hook": {"target": {"url": format!("https://example.com/{i}")}, "topics": ["push_events"]}})),
        )
        .await;
        support::ok(&made, 201, "a hook at Relay");
    }
    let path = "/lab/api/v4/projects/3/hooks?per_page=2";
    for alpn in [b"http/1.1".as_slice(), b"h2".as_slice()] {
        let bearer = [("authorization", "Bearer t")];
        let seen = tls_support::get_with(gw.addr, ca.der(), &[alpn], path, &bearer).await;
        assert_eq!(seen.status, 200, "{:?}", seen.body);
        let link = seen.headers["link"].to_str().unwrap();
        assert!(
            link.starts_with("<https://localhost")
                && link.contains("/lab/api/v4/projects/3/hooks?per_page=2&page="),
            "{}: {link}",
            String::from_utf8_lossy(alpn)
        );
    }
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_behind_a_private_ca_is_reached_only_when_that_ca_is_configured() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("vendor CA");
    let vendor = TlsDouble::start(&ca.leaf(&["localhost"]), 200, webhook()).await;
    let base = format!("https://localhost:{}", vendor.addr.port());

    let untrusted = support::gateway(&upstream(&base)).await;
    let refused = support::send(untrusted.addr, "GET", READ, &[], None).await;
    assert_eq!(refused.status, 502, "{}", refused.json());
    assert_eq!(
        vendor.requests(),
        0,
        "no request crossed an untrusted TLS session"
    );
    untrusted.stop().await;

    let ca_file = ca.write(dir.path(), "vendor-ca.pem");
    let trusted = support::gateway(&format!(
        "{}[client]\nca_files = [{ca_file:?}]\n",
        upstream(&base)
    ))
    .await;
    let read = support::send(trusted.addr, "GET", READ, &[], None).await;
    assert_eq!(read.status, 200, "{}", read.json());
    assert_eq!(read.json()["id"], "0199a1b2-0000-7000-8000-000000000001");
    assert_eq!(vendor.requests(), 1);
    trusted.stop().await;
}

/// A gateway process and its log, line by line.
struct Gateway {
    child: Child,
    addr: SocketAddr,
    lines: mpsc::Receiver<String>,
    log: Arc<Mutex<String>>,
}

impl Gateway {
    /// `hookgate serve --config FILE [--listen ADDR]` with `env`; waits until it listens.
    fn start(config: &Path, listen: Option<&str>, env: &[(&str, &str)]) -> Gateway {
        let mut cmd = Command::new(BIN);
        cmd.args(["serve", "--config"]).arg(config);
        if let Some(listen) = listen {
            cmd.args(["--listen", listen]);
        }
        cmd.env_remove("HOOKGATE_CONFIG")
            .env("RUST_LOG", "info")
            .stderr(Stdio::piped());
        for var in [
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
            "ALL_PROXY",
            "all_proxy",
            "NO_PROXY",
            "no_proxy",
        ] {
            cmd.env_remove(var);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let reader = BufReader::new(child.stderr.take().unwrap());
        let (tx, lines) = mpsc::channel();
        let log = Arc::new(Mutex::new(String::new()));
        let all = log.clone();
        std::thread::spawn(move || {
            for line in reader.lines() {
                let Ok(line) = line else { return };
                all.lock().unwrap().push_str(&format!("{line}\n"));
                let _ = tx.send(line);
            }
        });
        let mut gateway = Gateway {
            child,
            addr: "127.0.0.1:0".parse().unwrap(),
            lines,
            log,
        };
        let line = gateway.wait_for("gateway listening");
        let at = line.find("addr=").expect("the address is logged") + 5;
        gateway.addr = line[at..]
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        gateway
    }

    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => panic!("no log line with {needle:?}:\n{}", self.log.lock().unwrap()),
            }
        }
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn stop(mut self) {
        self.signal("TERM");
        let _ = self.child.wait();
    }
}

/// A request head read a byte at a time (nothing after it is taken from the connection);
/// `None` at the connection's end or past 8 KiB.
async fn read_head(client: &mut tokio::net::TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if client.read_exact(&mut byte).await.is_err() || head.len() > 8192 {
            return None;
        }
        head.push(byte[0]);
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

/// A CONNECT proxy that sends every tunnel to `to`, whatever host it names, and records the
/// targets it was asked for.
async fn connect_proxy(to: SocketAddr) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let asked = Arc::new(Mutex::new(Vec::new()));
    let record = asked.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let record = record.clone();
            tokio::spawn(async move {
                let Some(head) = read_head(&mut client).await else {
                    return;
                };
                let target = head
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or_default()
                    .to_owned();
                record.lock().unwrap().push(format!(
                    "{} {target}",
                    head.split_whitespace().next().unwrap_or_default()
                ));
                let Ok(mut vendor) = tokio::net::TcpStream::connect(to).await else {
                    return;
                };
                let _ = client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await;
                let _ = tokio::io::copy_bidirectional(&mut client, &mut vendor).await;
            });
        }
    });
    (addr, asked)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_process_goes_through_the_proxy_https_proxy_names() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("vendor CA");
    // `vendor.test` resolves nowhere: only a proxy can reach it.
    let vendor = TlsDouble::start(&ca.leaf(&["vendor.test"]), 200, webhook()).await;
    ca.write(dir.path(), "vendor-ca.pem");
    let config = dir.path().join("hookgate.toml");
    // A relative CA file: read from the configuration file's folder, whatever the working
    // directory.
    std::fs::write(
        &config,
        format!(
            "mappings_dir = {:?}\n[inbound_auth]\nmode = \"off\"\n[client]\nca_files = [\"vendor-ca.pem\"]\n{}",
            support::MAPPINGS,
            upstream("https://vendor.test")
        ),
    )
    .unwrap();
    let (proxy, asked) = connect_proxy(vendor.addr).await;
    let gw = Gateway::start(
        &config,
        Some("127.0.0.1:0"),
        &[("HTTPS_PROXY", &format!("http://{proxy}"))],
    );
    let read = support::send(gw.addr, "GET", READ, &[], None).await;
    assert_eq!(read.status, 200, "{}", read.json());
    assert_eq!(read.json()["id"], "0199a1b2-0000-7000-8000-000000000001");
    assert_eq!(*asked.lock().unwrap(), ["CONNECT vendor.test:443"]);
    // The gateway's own emulators and other loopback addresses never go through the proxy.
    let health = support::send(gw.addr, "GET", "/v1/upstreams", &[], None).await;
    assert_eq!(health.status, 200);
    assert_eq!(asked.lock().unwrap().len(), 1);
    gw.stop();
}

/// A forwarding proxy that answers every request itself with `webhook()`, as the vendor
/// behind it would, and records each request's line and `Proxy-Authorization`.
async fn forwarding_proxy() -> (SocketAddr, Arc<Mutex<Vec<(String, String)>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let asked = Arc::new(Mutex::new(Vec::new()));
    let record = asked.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let record = record.clone();
            tokio::spawn(async move {
                loop {
                    let Some(head) = read_head(&mut client).await else {
                        return;
                    };
                    let credentials = head
                        .lines()
                        .find_map(|l| {
                            let (name, value) = l.split_once(':')?;
                            name.eq_ignore_ascii_case("proxy-authorization")
                                .then(|| value.trim().to_owned())
                        })
                        .unwrap_or_default();
                    let line = head.lines().next().unwrap_or_default().to_owned();
                    record.lock().unwrap().push((line, credentials));
                    let body = webhook().to_string();
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if client.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (addr, asked)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_process_forwards_http_calls_through_the_proxy_http_proxy_names() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hookgate.toml");
    // `vendor.test` resolves nowhere: only the proxy can answer for it.
    std::fs::write(
        &config,
        format!(
            "mappings_dir = {:?}\n[inbound_auth]\nmode = \"off\"\n{}",
            support::MAPPINGS,
            upstream("http://vendor.test:8080")
        ),
    )
    .unwrap();
    let (proxy, asked) = forwarding_proxy().await;
    let gw = Gateway::start(
        &config,
        Some("127.0.0.1:0"),
        &[("HTTP_PROXY", &format!("http://user:p%40ss@{proxy}"))],
    );
    for _ in 0..2 {
        let read = support::send(gw.addr, "GET", READ, &[], None).await;
        assert_eq!(read.status, 200, "{}", read.json());
        assert_eq!(read.json()["id"], "0199a1b2-0000-7000-8000-000000000001");
    }
    let asked = asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 2, "{asked:?}");
    for (line, credentials) in &asked {
        // Absolute form, with the proxy's credentials (`user:p@ss`, decoded from the URL).
        assert!(
            line.starts_with("GET http://vendor.test:8080/api/v1/agents/550e8400-")
                && line.ends_with(" HTTP/1.1"),
            "{line}"
        );
        assert_eq!(credentials, "Basic dXNlcjpwQHNz", "{line}");
    }
    gw.stop();
}

fn healthcheck(config: &Path) -> std::process::Output {
    Command::new(BIN)
        .args(["healthcheck", "--timeout-ms", "5000", "--config"])
        .arg(config)
        .env_remove("HOOKGATE_CONFIG")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_takes_a_renewed_certificate_on_sighup_and_healthcheck_probes_it() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("hookgate test CA");
    let first = ca.leaf(&["localhost"]);
    first.write(dir.path(), "");
    let port = {
        // A port for the healthcheck to find in the file: bound, then freed for the gateway.
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let config = dir.path().join("hookgate.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:{port}\"\n[inbound_auth]\nmode = \"off\"\n[tls]\ncert_file = \"cert.pem\"\nkey_file = \"key.pem\"\n"
        ),
    )
    .unwrap();
    let gw = Gateway::start(&config, None, &[]);
    let seen = tls_support::get(gw.addr, ca.der(), &[b"h2"], "/healthz").await;
    assert_eq!(seen.certificate, first.cert_der());

    let out = tokio::task::spawn_blocking({
        let config = config.clone();
        move || healthcheck(&config)
    })
    .await
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let renewed = ca.leaf(&["localhost"]);
    renewed.write(dir.path(), "");
    gw.signal("HUP");
    gw.wait_for("tls: certificate and key read again");
    let seen = tls_support::get(gw.addr, ca.der(), &[b"http/1.1"], "/healthz").await;
    assert_eq!(seen.certificate, renewed.cert_der());
    assert_eq!(seen.status, 200);
    gw.stop();

    let out = tokio::task::spawn_blocking(move || healthcheck(&config))
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "the gateway is gone");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("127.0.0.1:{port}")),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
