//! The Rust recipe of `docs/emulators.md`, run as a real test: a small helper that starts
//! `hookgate emulate`, waits for its address lines and stops it when dropped, then a test
//! suite's usual moves (reset, seed, call the vendor, assert on the journal, script a
//! failure) against every dialect that is loaded.

mod support;

/// The helper a project copies into its own tests (it needs only the standard library).
mod hookgate_emulator {
    use std::collections::BTreeMap;
    use std::io::{BufRead, BufReader};
    use std::process::{Child, Command, Stdio};
    use std::sync::mpsc;
    use std::time::Duration;

    /// `hookgate emulate` running for one test binary; stopped when dropped.
    pub struct Emulators {
        child: Child,
        /// Each dialect's base URL (`http://127.0.0.1:PORT`).
        pub urls: BTreeMap<String, String>,
    }

    impl Emulators {
        /// Starts `binary emulate DIALECT… --listen 127.0.0.1:0 EXTRA…` and waits until every
        /// dialect has announced `listening URL DIALECT` on standard output.
        pub fn start(binary: &str, dialects: &[&str], extra: &[&str]) -> Emulators {
            let mut child = Command::new(binary)
                .arg("emulate")
                .args(dialects)
                .args(["--listen", "127.0.0.1:0"])
                .args(extra)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("hookgate starts");
            let stdout = child.stdout.take().expect("a piped stdout");
            let (lines, received) = mpsc::channel();
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if lines.send(line).is_err() {
                        break;
                    }
                }
            });
            let mut urls = BTreeMap::new();
            while urls.len() < dialects.len() {
                let line = received
                    .recv_timeout(Duration::from_secs(30))
                    .expect("hookgate announced its address");
                let mut words = line.split_whitespace();
                if let (Some("listening"), Some(url), Some(dialect)) =
                    (words.next(), words.next(), words.next())
                {
                    urls.insert(dialect.to_owned(), url.to_owned());
                }
            }
            Emulators { child, urls }
        }
    }

    impl Drop for Emulators {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

use hookgate::model::Action;
use hookgate_emulator::Emulators;
use serde_json::json;
use std::net::SocketAddr;

fn addr(url: &str) -> SocketAddr {
    url.trim_start_matches("http://").parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_suite_drives_every_emulator_through_its_admin_api() {
    let dialects = hookgate::mapping::load_dir(std::path::Path::new(support::MAPPINGS)).unwrap();
    let names: Vec<&str> = dialects.iter().map(|d| d.name.as_str()).collect();
    let emulators = Emulators::start(env!("CARGO_BIN_EXE_hookgate"), &names, &["--seed", "7"]);
    for d in &dialects {
        let at = addr(&emulators.urls[&d.name]);
        // Before each test: back to the start state, then this test's webhooks.
        let reset = support::send(at, "POST", "/__hookgate/reset", &[], None).await;
        assert_eq!(reset.status, 200);
        let owner = d
            .webhook
            .read(&d.examples[0])
            .unwrap()
            .get("owner")
            .and_then(|o| o.as_str())
            .map(str::to_owned)
            .or_else(|| {
                d.owner
                    .as_ref()
                    .map(|_| "9fbef0b7-8d4e-4a08-9207-66c22155721d".to_owned())
            });
        let seed = json!({"owner": owner, "webhooks": d.examples});
        let seeded = support::send(at, "POST", "/__hookgate/webhooks", &[], Some(&seed)).await;
        assert_eq!(seeded.status, 201, "{}", seeded.json());

        // The code under test calls the vendor...
        let list =
            d.operation(Action::List)
                .unwrap()
                .path
                .render(&[&d.base_path], owner.as_deref(), None);
        let auth = [("authorization", "Bearer test-token")];
        let listed = support::send(at, "GET", &list, &auth, None).await;
        assert_eq!(listed.status, 200, "{}: {}", d.name, listed.json());

        // ...and the test asserts on what it sent.
        let journal =
            support::send(at, "GET", "/__hookgate/journal?operation=list", &[], None).await;
        let entries = journal.json()["entries"].as_array().unwrap().clone();
        assert_eq!(entries.len(), 1, "{}", d.name);
        assert_eq!(entries[0]["path"], list.as_str());

        // Its retry path, deterministically: the next call fails, then calls succeed.
        let script = json!({"script": [{"status": 503}]});
        let set = support::send(at, "PUT", "/__hookgate/faults", &[], Some(&script)).await;
        assert_eq!(set.status, 200);
        assert_eq!(
            support::send(at, "GET", &list, &auth, None).await.status,
            503
        );
        assert_eq!(
            support::send(at, "GET", &list, &auth, None).await.status,
            200
        );
    }
}
