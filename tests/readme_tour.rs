//! The tours, run as printed (only the gateway's address changes) against the shipped
//! configuration: the README's short tour and the tour across the emulated vendors in
//! `docs/canonical-api.md`. Every status a tour promises must be what the gateway answers.
//!
//! With `TOUR_GATEWAY_URL` set (`http://127.0.0.1:PORT`), the tours run against that gateway
//! instead of one started here: CI runs them so against an installed binary on its built-in
//! default, started from an empty folder (`scripts/install-check.sh`). The two tours use
//! different owners, so that they may run at once against one gateway.

mod support;

const README: &str = include_str!("../README.md");
const CANONICAL_API: &str = include_str!("../docs/canonical-api.md");
const CONFIG: &str = include_str!("../config/hookgate.toml");

/// The `sh` block between `<!-- tour -->` and `<!-- /tour -->` of a document.
fn tour(doc: &str, name: &str) -> String {
    let start = doc
        .find("<!-- tour -->")
        .unwrap_or_else(|| panic!("{name} marks its tour"));
    let end = doc
        .find("<!-- /tour -->")
        .unwrap_or_else(|| panic!("{name} closes its tour"));
    let block = &doc[start..end];
    let code_start = block.find("```sh\n").expect("a sh block") + "```sh\n".len();
    let code_end = block[code_start..].find("```").unwrap() + code_start;
    block[code_start..code_end].to_owned()
}

/// Runs a tour with bash and curl against a gateway on the shipped configuration (or the one
/// `TOUR_GATEWAY_URL` names), and checks each `api` line's status against its comment.
async fn run_as_printed(name: &str, script: String, at_least: usize) {
    let expected: Vec<String> = script
        .lines()
        .filter(|l| l.starts_with("api "))
        .map(|l| {
            l.rsplit_once("# ")
                .expect("each api line states its status")
                .1
                .trim()
                .to_owned()
        })
        .collect();
    assert!(
        expected.len() >= at_least,
        "{name}: the tour has {} api lines, fewer than {at_least}",
        expected.len()
    );

    let external = std::env::var("TOUR_GATEWAY_URL").ok();
    let gw = match &external {
        Some(_) => None,
        None => {
            let config = CONFIG.replace("listen = \"127.0.0.1:8080\"", "listen = \"127.0.0.1:0\"");
            Some(support::gateway(&config).await)
        }
    };
    let url = match (&external, &gw) {
        (Some(url), _) => url.trim_end_matches('/').to_owned(),
        (None, Some(gw)) => format!("http://{}", gw.addr),
        (None, None) => unreachable!("a gateway was started"),
    };
    let script = script.replace("http://127.0.0.1:8080", &url);
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("bash")
            .arg("-c")
            .arg(script)
            .output()
            .expect("bash and curl are installed")
    })
    .await
    .unwrap();
    if let Some(gw) = gw {
        gw.stop().await;
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{name}: the tour failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen: Vec<String> = stdout
        .lines()
        .filter_map(|l| {
            l.rsplit_once(" [")
                .map(|(_, code)| code.trim_end_matches(']').to_owned())
        })
        .collect();
    assert_eq!(
        seen, expected,
        "{name}: statuses differ from the document; output:\n{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_tour_works_as_printed() {
    run_as_printed("README.md", tour(README, "README.md"), 8).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_canonical_api_tour_works_as_printed() {
    let name = "docs/canonical-api.md";
    // Four vendors, a lifecycle each.
    run_as_printed(name, tour(CANONICAL_API, name), 16).await;
}
