//! A list whose vendor leaves out an empty array (Square answers a list of none as `{}`),
//! said by a default of the items' placeholder (`{{items|[]}}`): an answer whose items are
//! left out of the object that would hold them lists none, on the canonical API and through a
//! surface; one that holds something else there (`null`, an object), or lacks that object too,
//! is still no list, and so is an answer without them where the file gives no default. A
//! default other than `[]` is refused when the file loads. Emulators and surfaces write an
//! empty page's items as `[]`. The fixture is `tests/dialects/square.toml` with its list's
//! `response` made as each case says.

mod support;

use serde_json::{Value, json};
use support::{Double, Reply, ok, send};

/// Square's list as `square.toml` writes it.
const LIST: &str =
    "response = { subscriptions = \"{{items}}\", cursor = \"{{next_cursor|null}}\" }";

/// `square.toml` with its list answered as `response` says.
fn quad(response: &str) -> String {
    let square =
        std::fs::read_to_string(format!("{}/square.toml", support::TEST_DIALECTS)).unwrap();
    assert!(
        square.contains(LIST),
        "square.toml's list is no longer as it was"
    );
    square.replacen(LIST, response, 1)
}

/// A folder holding `quad.toml` with its list answered as `response` says.
fn mappings(response: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("quad.toml"), quad(response)).unwrap();
    dir
}

/// Lists of the upstream `quad`, a vendor double answering `answer`, on the canonical API and
/// through a Svix surface in front of it: the two answers.
async fn listed(response: &str, answer: Value) -> [support::Answer; 2] {
    let dir = mappings(response);
    let double = Double::answering(move |_| Reply::json(200, answer.clone())).await;
    let gw = support::gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.quad]\ndialect = \"quad\"\nbase_url = {:?}\n\
         auth = {{ type = \"none\" }}\nretries = 0\n[url_policy]\nallow_private = true\n\
         [surfaces.s]\ndialect = \"svix\"\nupstream = \"quad\"\nprefix = \"/s\"\nowner = \"app_quad\"\n",
        dir.path().to_str().unwrap(),
        double.url()
    ))
    .await;
    let canonical = send(gw.addr, "GET", "/v1/upstreams/quad/webhooks", &[], None).await;
    let auth = [("authorization", "Bearer testsk_hookgate")];
    let path = "/s/api/v1/app/app_quad/endpoint";
    let surface = send(gw.addr, "GET", path, &auth, None).await;
    gw.stop().await;
    [canonical, surface]
}

/// The list with its items defaulted to none, at the answer's root and within an object.
const DEFAULTED: &str =
    "response = { subscriptions = \"{{items|[]}}\", cursor = \"{{next_cursor|null}}\" }";
const NESTED: &str =
    "response = { page = { subscriptions = \"{{items|[]}}\" }, cursor = \"{{next_cursor|null}}\" }";

#[tokio::test]
async fn items_left_out_list_none_where_the_default_says_so() {
    for (response, answer) in [
        (DEFAULTED, json!({})),
        (DEFAULTED, json!({"cursor": null})),
        (NESTED, json!({"page": {}})),
        (NESTED, json!({"page": {}, "cursor": null})),
    ] {
        let what = format!("{response} answered {answer}");
        let [canonical, surface] = listed(response, answer).await;
        ok(&canonical, 200, &what);
        assert_eq!(
            canonical.json(),
            json!({"data": [], "next_cursor": null}),
            "{what}"
        );
        ok(&surface, 200, &what);
        assert_eq!(surface.json()["data"], json!([]), "{what}");
        assert_eq!(surface.json()["done"], json!(true), "{what}");
    }
    // Items of another kind, or left out with the object that would hold them, are no list;
    // nor are items left out where the file gives no default.
    for (response, answer) in [
        (DEFAULTED, json!({"subscriptions": null})),
        (DEFAULTED, json!({"subscriptions": {}})),
        (DEFAULTED, json!([])),
        (NESTED, json!({})),
        (NESTED, json!({"page": null})),
        (LIST, json!({})),
    ] {
        let what = format!("{response} answered {answer}");
        let [canonical, _] = listed(response, answer).await;
        ok(&canonical, 502, &what);
        let detail = canonical.json()["detail"].as_str().unwrap().to_owned();
        assert!(
            detail.contains("a list without an array of its items"),
            "{what}: {detail}"
        );
    }
    // An emulator of the dialect writes a list of none with its items' array, and so does a
    // surface of it in front of another upstream.
    let dir = mappings(DEFAULTED);
    let gw = support::gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.quad]\ndialect = \"quad\"\nemulate = true\n\
         [upstreams.am]\ndialect = \"agentmessage\"\nemulate = true\n\
         [surfaces.q]\ndialect = \"quad\"\nupstream = \"am\"\nprefix = \"/q\"\n",
        dir.path().to_str().unwrap()
    ))
    .await;
    let auth = [("authorization", "Bearer quad-token")];
    for (addr, prefix) in [(gw.emulators["quad"], ""), (gw.addr, "/q")] {
        let path = format!("{prefix}/v2/webhooks/subscriptions");
        let listed = send(addr, "GET", &path, &auth, None).await;
        ok(&listed, 200, &path);
        assert_eq!(listed.json()["subscriptions"], json!([]), "{path}");
    }
    gw.stop().await;
}

#[test]
fn a_default_of_the_items_other_than_none_is_refused() {
    for default in [
        "null",
        "{}",
        "[{\\\"id\\\": \\\"wbhk_1\\\"}]",
        "\\\"none\\\"",
    ] {
        let response = format!(
            "response = {{ subscriptions = \"{{{{items|{default}}}}}\", cursor = \"{{{{next_cursor|null}}}}\" }}"
        );
        let shown = support::refused_mapping("quad", &quad(&response));
        assert!(
            shown
                .iter()
                .any(|e| e.contains("operations.list.response: `{{items|")
                    && e.contains("a list of none: write `{{items|[]}}`")),
            "{default}: {shown:?}"
        );
    }
}
