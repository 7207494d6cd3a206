//! The README's tour, run as printed (only the gateway's address changes) against the shipped
//! configuration: every status the README promises must be what the gateway answers.
//!
//! With `TOUR_GATEWAY_URL` set (`http://127.0.0.1:PORT`), the tour runs against that gateway
//! instead of one started here: CI runs it so against an installed binary on its built-in
//! default, started from an empty folder (`scripts/install-check.sh`).

mod support;

const README: &str = include_str!("../README.md");
const CONFIG: &str = include_str!("../config/hookgate.toml");

fn tour() -> String {
    let start = README
        .find("<!-- tour -->")
        .expect("the README marks its tour");
    let end = README
        .find("<!-- /tour -->")
        .expect("the README closes its tour");
    let block = &README[start..end];
    let code_start = block.find("```sh\n").expect("a sh block") + "```sh\n".len();
    let code_end = block[code_start..].find("```").unwrap() + code_start;
    block[code_start..code_end].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_tour_works_as_printed() {
    let script = tour();
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
    assert!(expected.len() >= 16, "the tour covers the four vendors");

    let external = std::env::var("TOUR_GATEWAY_URL").ok();
    let gw = match &external {
        Some(_) => None,
        None => {
            let config = CONFIG
                .replace("listen = \"127.0.0.1:8080\"", "listen = \"127.0.0.1:0\"")
                .replace("mappings_dir = \"mappings\"\n", "");
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
        "the tour failed:\n{stdout}\n{}",
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
        "statuses differ from the README; output:\n{stdout}"
    );
}
