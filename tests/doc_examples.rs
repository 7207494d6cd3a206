//! The command examples of `docs/`, run as printed with bash: the `hookgate translate` previews
//! of `docs/canonical-api.md` (their output must show every line the page shows), the drop-in
//! request of `docs/drop-in.md` against a gateway on the shipped configuration, and the reload
//! walk-through of `docs/operations.md`. `hookgate` is the binary under test, found on `PATH`
//! as a user who ran `cargo install` finds it; only the gateway's address changes.

mod support;

use std::path::Path;
use std::process::{Command, Output};

const CANONICAL_API: &str = include_str!("../docs/canonical-api.md");
const DROP_IN: &str = include_str!("../docs/drop-in.md");
const OPERATIONS: &str = include_str!("../docs/operations.md");
const CONFIG: &str = include_str!("../config/hookgate.toml");

/// One marked example: its `sh` block, and the `text` block that follows it, if any.
struct Example {
    script: String,
    shown: Option<String>,
}

/// Every block between `<!-- NAME -->` and `<!-- /NAME -->`, in order.
fn examples(doc: &str, name: &str) -> Vec<Example> {
    let (open, close) = (format!("<!-- {name} -->"), format!("<!-- /{name} -->"));
    let mut out = Vec::new();
    let mut rest = doc;
    while let Some(start) = rest.find(&open) {
        let end = rest[start..].find(&close).expect("a closed block") + start;
        let script = fenced(&rest[start..end], "sh").expect("a sh block");
        let after = &rest[end + close.len()..];
        // The output shown is the next fenced block when it is text, before any other example.
        let shown = fenced(after, "text").filter(|_| {
            let text_at = after.find("```text").unwrap_or(usize::MAX);
            after.find("```sh").is_none_or(|sh| text_at < sh)
        });
        out.push(Example { script, shown });
        rest = after;
    }
    assert!(!out.is_empty(), "no {open} block");
    out
}

fn fenced(text: &str, lang: &str) -> Option<String> {
    let fence = format!("```{lang}\n");
    let start = text.find(&fence)? + fence.len();
    let end = text[start..].find("```")? + start;
    Some(text[start..end].to_owned())
}

/// Runs a script with bash in `dir`, the binary under test first on `PATH`, within a minute.
fn bash(script: &str, dir: &Path) -> Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_hookgate")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("timeout")
        .args(["60", "bash", "-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("HOOKGATE_CONFIG")
        .output()
        .expect("bash and timeout are installed")
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("hookgate-doc-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every line the page shows must be in the output, but for elisions and the request id,
/// which is fresh on every run.
fn assert_shows(shown: &str, output: &Output, what: &str) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().map(str::trim_end).collect();
    for want in shown.lines().map(str::trim_end) {
        if want.trim() == "..." || want.contains("x-request-id") || want.is_empty() {
            continue;
        }
        assert!(
            lines.contains(&want),
            "{what}: the page shows {want:?}, the command printed:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn the_translate_examples_print_what_the_page_shows() {
    let all = examples(CANONICAL_API, "translate");
    assert!(
        all.len() >= 3,
        "a preview, a read-merge-write and a vendor answer"
    );
    // In an empty folder: the built-in default configuration, as an installed binary has it.
    let dir = temp_dir("translate");
    for (i, ex) in all.iter().enumerate() {
        let out = bash(&ex.script, &dir);
        assert!(
            out.status.code().is_some_and(|c| c == 0 || c == 1),
            "translate example {i}: exit {:?}\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        let shown = ex.shown.as_deref().expect("each example shows its output");
        assert_shows(shown, &out, &format!("translate example {i}"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drop_in_example_creates_the_webhook_at_the_upstream() {
    let all = examples(DROP_IN, "dropin");
    let config = CONFIG.replace("listen = \"127.0.0.1:8080\"", "listen = \"127.0.0.1:0\"");
    let gw = support::gateway(&config).await;
    let url = format!("http://{}", gw.addr);
    for (i, ex) in all.iter().enumerate() {
        let script = ex.script.replace("http://127.0.0.1:8080", &url);
        let dir = std::env::temp_dir();
        let out = tokio::task::spawn_blocking(move || bash(&script, &dir))
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "drop-in example {i}: {stdout}");
        // The page says: Talkover's envelope, the webhook at the upstream.
        assert!(
            stdout.starts_with(
                r#"{"success":true,"message":"Webhook created successfully","data":{"#
            ),
            "drop-in example {i}: {stdout}"
        );
    }
    let listed = support::send(
        gw.addr,
        "GET",
        "/v1/upstreams/agentmessage/webhooks",
        &[],
        None,
    )
    .await
    .json();
    let urls: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["url"].as_str())
        .collect();
    assert_eq!(urls, vec!["https://example.com/webhook"; all.len()]);
    gw.stop().await;
}

#[test]
fn the_reload_example_works_as_printed() {
    let all = examples(OPERATIONS, "reload");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for (i, ex) in all.iter().enumerate() {
        let want: Vec<&str> = ex
            .script
            .lines()
            .filter_map(|l| l.split_once("   # ").map(|(_, out)| out.trim()))
            .collect();
        assert!(!want.is_empty(), "reload example {i} states what it prints");
        let script = ex
            .script
            .replace("127.0.0.1:8081", &format!("127.0.0.1:{port}"));
        // From the repository's root, as the page says.
        let out = bash(&script, Path::new(env!("CARGO_MANIFEST_DIR")));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "reload example {i}: exit {:?}\n{stdout}\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            stdout.lines().collect::<Vec<_>>(),
            want,
            "reload example {i}"
        );
    }
}
