//! Lists of vendors that name no next cursor (`next` in `[operations.list]`): by page number
//! (`tests/dialects/forge.toml`), by the last id listed (`ledger.toml`) and by position (a
//! copy of `relay.toml` made to page so). Each is paged through whole on the canonical API,
//! over its emulator and over a scripted vendor answering literal pages; surfaces follow a
//! cursor where the upstream pages the same way, and walk the upstream's pages to where a
//! page their client computed begins where it pages another way. Where the answer gives the
//! cursor (in its body, a `Link` header or a next page's URL), an emulator's cursor names a
//! place in the list, so that webhooks deleted between pages move none from one to another,
//! on the canonical API and through a surface, in both orders. A list answered whole is cut by
//! its ids of any kind, and one whose ids cannot tell its webhooks apart is the vendor's error
//! by name; an empty cursor, and a page value a surface never gave, are refused before the
//! upstream is called.

mod support;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use hookgate::mapping::{Dialect, Paging};
use hookgate::model::{Action, Listing, Order};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use support::{Double, Reply, follow, gateway, gateway_over, id_text, journal, ok, send};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
const BEARER: (&str, &str) = ("authorization", "Bearer t");

/// The test dialects; `tally`: Relay paging by position; `shelf`: Forge naming its next page
/// in a `Link` header, as Shopify does; `roomy`: Relay with a largest page.
fn dialects_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(DIR).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    let relay = std::fs::read_to_string(Path::new(DIR).join("relay.toml")).unwrap();
    let list = "query = { page_size = \"{{limit}}\", after = \"{{cursor}}\" }\n\
                response = { hooks = \"{{items}}\", next = \"{{next_cursor|null}}\" }";
    assert!(relay.contains(list));
    let tally = relay.replace(
        list,
        "query = { page_size = \"{{limit}}\", offset = \"{{cursor}}\" }\nnext = \"offset\"\n\
         response = { hooks = \"{{items}}\" }",
    );
    std::fs::write(dir.path().join("tally.toml"), tally).unwrap();
    let forge = std::fs::read_to_string(Path::new(DIR).join("forge.toml")).unwrap();
    let list = "query = { per_page = \"{{limit|30}}\", page = \"{{cursor}}\" }\nnext = \"page\"";
    assert!(forge.contains(list));
    let shelf = forge.replace(
        list,
        "query = { limit = \"{{limit|50}}\", page_info = \"{{cursor}}\" }\nnext = \"link\"",
    );
    std::fs::write(dir.path().join("shelf.toml"), shelf).unwrap();
    // Roomy: Relay serving pages of at most 50.
    let list = "query = { page_size = \"{{limit}}\", after = \"{{cursor}}\" }\n";
    let roomy = relay.replace(list, &format!("{list}limit = {{ max = 50 }}\n"));
    assert_ne!(roomy, relay);
    std::fs::write(dir.path().join("roomy.toml"), roomy).unwrap();
    dir
}

/// Every dialect of the folder emulated, under its own name.
async fn emulated(dir: &Path, more: &str) -> hookgate::app::Running {
    let mut toml = format!("mappings_dir = {:?}\n", dir.to_str().unwrap());
    for name in ["forge", "ledger", "relay", "tally", "shelf", "roomy"] {
        toml.push_str(&format!(
            "[upstreams.{name}]\ndialect = \"{name}\"\nemulate = true\n"
        ));
    }
    toml.push_str(more);
    gateway(&toml).await
}

/// Pages through a canonical list `limit` at a time: the ids in order, and the cursors given.
async fn page_through(
    addr: std::net::SocketAddr,
    base: &str,
    limit: u32,
) -> (Vec<String>, Vec<String>) {
    let (mut ids, mut cursors) = (Vec::new(), Vec::new());
    let mut cursor: Option<String> = None;
    for _ in 0..20 {
        let path = match &cursor {
            Some(c) => format!("{base}?limit={limit}&cursor={c}"),
            None => format!("{base}?limit={limit}"),
        };
        let page = send(addr, "GET", &path, &[], None).await;
        ok(&page, 200, &path);
        let page = page.json();
        for item in page["data"].as_array().unwrap() {
            ids.push(item["id"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(next) => {
                cursors.push(next.to_owned());
                cursor = Some(next.to_owned());
            }
            None => return (ids, cursors),
        }
    }
    panic!("no last page after 20: {ids:?}");
}

/// Creates `n` webhooks at `base`; their ids in order.
async fn create(addr: std::net::SocketAddr, base: &str, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let body = json!({"url": format!("https://example.com/{i}"), "events": ["a.b"]});
        let made = send(addr, "POST", base, &[], Some(&body)).await;
        ok(&made, 201, base);
        ids.push(made.json()["id"].as_str().unwrap().to_owned());
    }
    ids
}

#[tokio::test]
async fn every_way_of_paging_lists_every_webhook_once() {
    let dir = dialects_dir();
    let gw = emulated(dir.path(), "").await;
    for (upstream, owner) in [
        ("forge", "octo/site"),
        ("ledger", "acct_1"),
        ("tally", "p1"),
        ("shelf", "octo/site"),
    ] {
        let base = format!("/v1/upstreams/{upstream}/owners/{owner}/webhooks");
        let made = create(gw.addr, &base, 5).await;
        let (listed, cursors) = page_through(gw.addr, &base, 2).await;
        assert_eq!(listed, made, "{upstream}");
        // Shelf's cursors are its emulator's own (the place of the page's last webhook, which
        // they do not show), read from its `Link` header.
        let expected: Vec<String> = match upstream {
            "forge" => vec!["2".into(), "3".into()],
            "ledger" => vec![made[1].clone(), made[3].clone()],
            "shelf" => cursors.clone(),
            _ => vec!["2".into(), "4".into()],
        };
        assert_eq!(cursors, expected, "{upstream}");
        if upstream == "shelf" {
            assert_eq!(cursors.len(), 2, "{cursors:?}");
            assert!(
                cursors.iter().all(|c| c.parse::<u64>().is_err()),
                "no count: {cursors:?}"
            );
        }
        // A cursor no page gave is refused, never read as the first page: a client holding a
        // stale one would page forever.
        for stale in ["zzz", "-1", "99999999999999999999999"] {
            let refused = send(
                gw.addr,
                "GET",
                &format!("{base}?limit=2&cursor={stale}"),
                &[],
                None,
            )
            .await;
            assert_eq!(
                refused.status,
                422,
                "{upstream}, {stale}: {}",
                refused.json()
            );
            assert_eq!(
                refused.json()["errors"][0]["field"],
                "cursor",
                "{upstream}, {stale}"
            );
        }
        // A page size the list divides: without a flag to say it is the last, the last
        // full page leads to an empty one; Ledger says so.
        let (listed, cursors) = page_through(gw.addr, &base, 5).await;
        // Ledger says a page is the last; a `Link` header says so by naming no next page.
        let flagged = matches!(upstream, "ledger" | "shelf");
        assert_eq!(
            (listed.len(), cursors.is_empty()),
            (5, flagged),
            "{upstream}"
        );
    }
    // What the vendors were asked for: Forge's page numbers, Ledger's last ids.
    let queries = |entries: Vec<Value>| -> Vec<String> {
        entries
            .iter()
            .filter(|e| e["method"] == "GET")
            .map(|e| e["query"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let forge = queries(journal(gw.emulators["forge"]).await);
    assert!(forge.contains(&"page=3&per_page=2".to_owned()), "{forge:?}");
    let ledger = queries(journal(gw.emulators["ledger"]).await);
    assert!(
        ledger
            .iter()
            .any(|q| q.starts_with("limit=2&starting_after=we_")),
        "{ledger:?}"
    );
}

#[tokio::test]
async fn pages_are_computed_from_the_vendors_own_answers() {
    // A vendor paging by number with no flag: a full page has a next one, a short one ends.
    let hook = |id: u64| json!({"id": id, "active": true, "events": ["push"], "config": {"url": "https://example.com/h"}});
    let double = Double::start(vec![
        Reply::json(200, json!([hook(1), hook(2)])),
        Reply::json(200, json!([hook(3)])),
        Reply::json(200, json!((0..30).map(hook).collect::<Vec<_>>())),
    ])
    .await;
    let gw = gateway_over(DIR, "forge", &double).await;
    let base = "/v1/upstreams/forge/owners/octo/site/webhooks";
    let first = send(gw.addr, "GET", &format!("{base}?limit=2"), &[], None).await;
    ok(&first, 200, "page 1");
    assert_eq!(first.json()["next_cursor"], "2");
    let second = send(
        gw.addr,
        "GET",
        &format!("{base}?limit=2&cursor=2"),
        &[],
        None,
    )
    .await;
    assert_eq!(second.json()["next_cursor"], Value::Null);
    assert_eq!(second.json()["data"][0]["id"], "3");
    // No limit asked: the vendor's default page size (30) decides whether the page was full.
    let default = send(gw.addr, "GET", base, &[], None).await;
    assert_eq!(default.json()["next_cursor"], "2");
    let seen: Vec<String> = double.seen().iter().map(|s| s.path.clone()).collect();
    assert_eq!(
        seen,
        [
            "/repos/octo/site/hooks?per_page=2",
            "/repos/octo/site/hooks?page=2&per_page=2",
            "/repos/octo/site/hooks?per_page=30",
        ]
    );

    // A vendor paging by the last id, that says whether more follow.
    let endpoint = |id: &str| json!({"id": id, "url": "https://example.com/l", "enabled_events": "a.b", "status": "enabled", "created": 1_700_000_000, "account": "accounts/acct_1"});
    let double = Double::start(vec![
        Reply::json(200, json!({"object": "list", "data": [endpoint("we_1"), endpoint("we_2")], "has_more": true})),
        Reply::json(200, json!({"object": "list", "data": [endpoint("we_3"), endpoint("we_4")], "has_more": false})),
    ])
    .await;
    let gw = gateway_over(DIR, "ledger", &double).await;
    let base = "/v1/upstreams/ledger/owners/acct_1/webhooks";
    let first = send(gw.addr, "GET", &format!("{base}?limit=2"), &[], None).await;
    assert_eq!(first.json()["next_cursor"], "we_2", "{}", first.json());
    let second = send(
        gw.addr,
        "GET",
        &format!("{base}?limit=2&cursor=we_2"),
        &[],
        None,
    )
    .await;
    // A full page, but the vendor says it is the last.
    assert_eq!(
        second.json()["next_cursor"],
        Value::Null,
        "{}",
        second.json()
    );
    let seen: Vec<String> = double.seen().iter().map(|s| s.path.clone()).collect();
    assert_eq!(
        seen,
        [
            "/v1/accounts/acct_1/webhook_endpoints?limit=2",
            "/v1/accounts/acct_1/webhook_endpoints?limit=2&starting_after=we_2",
        ]
    );
}

#[tokio::test]
async fn a_next_page_named_by_a_url_is_followed_by_its_cursor() {
    let dir = dialects_dir();
    let hook = |id: u64| json!({"id": id, "active": true, "events": ["push"], "config": {"url": "https://example.com/h"}});
    // Shopify's way: the next page's absolute URL in a `Link` header, among other relations.
    let double = Double::start(vec![
        Reply::Json {
            status: 200,
            headers: vec![(
                "link".into(),
                "<https://shop.example/repos/octo/site/hooks?limit=2&page_info=eyJsYXN0IjoyfQ>; rel=\"next\", \
                 <https://shop.example/repos/octo/site/hooks?limit=2>; rel=\"first\""
                    .into(),
            )],
            body: json!([hook(1), hook(2)]),
        },
        Reply::Json {
            status: 200,
            headers: vec![(
                "link".into(),
                "<https://shop.example/repos/octo/site/hooks?limit=2>; rel=\"previous\"".into(),
            )],
            body: json!([hook(3), hook(4)]),
        },
    ])
    .await;
    let gw = gateway_over(dir.path().to_str().unwrap(), "shelf", &double).await;
    let base = "/v1/upstreams/shelf/owners/octo/site/webhooks";
    let first = send(gw.addr, "GET", &format!("{base}?limit=2"), &[], None).await;
    ok(&first, 200, "page 1");
    assert_eq!(first.json()["next_cursor"], "eyJsYXN0IjoyfQ");
    let path = format!("{base}?limit=2&cursor=eyJsYXN0IjoyfQ");
    let second = send(gw.addr, "GET", &path, &[], None).await;
    // A full page, but no `next` link: the last.
    assert_eq!(second.json()["next_cursor"], Value::Null);
    let seen: Vec<String> = double.seen().iter().map(|s| s.path.clone()).collect();
    assert_eq!(
        seen,
        [
            "/repos/octo/site/hooks?limit=2",
            "/repos/octo/site/hooks?limit=2&page_info=eyJsYXN0IjoyfQ",
        ]
    );

    // Twilio's way: the next page's URL in the body, where the mapping places `{{next_cursor}}`.
    let relay_hook = |id: u64| json!({"hook_id": id, "project": "p1", "topics": ["a"], "disabled": false, "target": {"url": "https://example.com/r"}});
    let double = Double::start(vec![Reply::json(
        200,
        json!({"hooks": [relay_hook(1)], "next": "/api/projects/p1/hooks?page_size=1&after=tok%2B2"}),
    )])
    .await;
    let gw = gateway_over(DIR, "relay", &double).await;
    let path = "/v1/upstreams/relay/owners/p1/webhooks?limit=1";
    let page = send(gw.addr, "GET", path, &[], None).await;
    ok(&page, 200, "a next page by URL");
    assert_eq!(page.json()["next_cursor"], "tok+2");
}

#[tokio::test]
async fn an_emulator_names_its_next_page_in_a_link_header() {
    let dir = dialects_dir();
    let gw = emulated(
        dir.path(),
        "[surfaces.shelf-on-forge]\ndialect = \"shelf\"\nupstream = \"forge\"\nprefix = \"/sf\"\n",
    )
    .await;
    create(gw.addr, "/v1/upstreams/shelf/owners/octo/site/webhooks", 3).await;
    let emu = gw.emulators["shelf"];
    let first = send(
        emu,
        "GET",
        "/repos/octo/site/hooks?limit=2",
        &[BEARER],
        None,
    )
    .await;
    ok(&first, 200, "page 1");
    // Absolute, as vendors write it, from the request's own `Host` and path; the cursor is
    // the emulator's own, which a client takes as it is.
    let link = first.header("link").unwrap();
    let cursor = link
        .split_once("&page_info=")
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(cursor, _)| cursor)
        .unwrap_or_else(|| panic!("{link}"));
    assert_eq!(
        link,
        format!("<http://{emu}/repos/octo/site/hooks?limit=2&page_info={cursor}>; rel=\"next\"")
    );
    // An HTTP/1.0 request that names no authority is linked to relatively.
    let head = "GET /repos/octo/site/hooks?limit=2 HTTP/1.0\r\nauthorization: Bearer t\r\n\r\n";
    let mut stream = tokio::net::TcpStream::connect(emu).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.0 200"), "{answer}");
    assert!(
        answer.contains(&format!(
            "\r\nlink: <?limit=2&page_info={cursor}>; rel=\"next\"\r\n"
        )),
        "{answer}"
    );
    let path = format!("/repos/octo/site/hooks?limit=2&page_info={cursor}");
    let last = send(emu, "GET", &path, &[BEARER], None).await;
    assert_eq!(last.json().as_array().map(Vec::len), Some(1));
    assert_eq!(last.header("link"), None);

    // A Shelf client in front of Forge follows Forge's page numbers through its `Link` header.
    let made = create(gw.addr, "/v1/upstreams/forge/owners/octo/docs/webhooks", 3).await;
    let mut seen = Vec::new();
    let mut path = "/sf/repos/octo/docs/hooks?limit=2".to_owned();
    loop {
        let page = send(gw.addr, "GET", &path, &[BEARER], None).await;
        ok(&page, 200, &path);
        for hook in page.json().as_array().unwrap() {
            seen.push(hook["id"].as_u64().unwrap().to_string());
        }
        match page.header("link") {
            Some(link) => {
                let origin = format!("<http://{}", gw.addr);
                let url = link
                    .strip_prefix(origin.as_str())
                    .unwrap_or_else(|| panic!("{link}"));
                let (next, rel) = url.split_once('>').unwrap();
                assert_eq!(rel, "; rel=\"next\"");
                assert!(next.starts_with("/sf/repos/octo/docs/hooks?"), "{link}");
                path = next.to_owned();
            }
            None => break,
        }
    }
    assert_eq!(seen, made);
}

#[tokio::test]
async fn a_cursor_that_is_no_page_of_the_vendors_is_refused() {
    let dir = dialects_dir();
    let gw = emulated(dir.path(), "").await;
    for (upstream, owner, words) in [
        ("forge", "octo/site", "page numbers"),
        ("tally", "p1", "item positions"),
    ] {
        let path = format!("/v1/upstreams/{upstream}/owners/{owner}/webhooks?cursor=abc");
        let refused = send(gw.addr, "GET", &path, &[], None).await;
        ok(&refused, 422, &path);
        assert_eq!(refused.json()["errors"][0]["field"], "cursor", "{path}");
        assert!(
            refused.json()["detail"].as_str().unwrap().contains(words),
            "{}",
            refused.json()
        );
    }
    // An id the vendor never listed is the vendor's own 400.
    let unknown = send(
        gw.emulators["ledger"],
        "GET",
        "/v1/accounts/acct_1/webhook_endpoints?starting_after=we_nobody",
        &[BEARER],
        None,
    )
    .await;
    ok(&unknown, 400, "an unknown id");
    let message = unknown.json()["error"]["message"].to_string();
    assert!(message.contains("we_nobody"), "{message}");
}

/// Pages through a surface's list whose client computes its cursor: `next` is the query of
/// the page after one (`None`: the first) that answered `page`, `None` once there is none.
async fn page_through_surface(
    addr: std::net::SocketAddr,
    path: &str,
    items: impl Fn(&Value) -> Vec<Value>,
    next: impl Fn(Option<&str>, &Value) -> Option<String>,
) -> Vec<String> {
    let mut seen = Vec::new();
    let mut query: Option<String> = None;
    for _ in 0..20 {
        let target = match &query {
            Some(q) => format!("{path}&{q}"),
            None => path.to_owned(),
        };
        let page = send(addr, "GET", &target, &[BEARER], None).await;
        ok(&page, 200, &target);
        let page = page.json();
        for item in items(&page) {
            // Forge's ids are numbers in its answers, strings in the canonical API's.
            let id = &item["id"];
            seen.push(id.as_str().map_or_else(|| id.to_string(), str::to_owned));
        }
        match next(query.as_deref(), &page) {
            Some(q) => query = Some(q),
            None => return seen,
        }
    }
    panic!("no last page after 20: {seen:?}");
}

#[tokio::test]
async fn surfaces_follow_a_cursor_the_upstream_gives_and_walk_to_one_their_client_computes() {
    let dir = dialects_dir();
    let gw = emulated(
        dir.path(),
        "[surfaces.relay-on-ledger]\ndialect = \"relay\"\nupstream = \"ledger\"\nprefix = \"/rl\"\n\
         [surfaces.ledger-on-relay]\ndialect = \"ledger\"\nupstream = \"relay\"\nprefix = \"/lr\"\n\
         [surfaces.forge-on-shelf]\ndialect = \"forge\"\nupstream = \"shelf\"\nprefix = \"/fs\"\n\
         [surfaces.tally-on-ledger]\ndialect = \"tally\"\nupstream = \"ledger\"\nprefix = \"/tl\"\n\
         [surfaces.forge-on-forge]\ndialect = \"forge\"\nupstream = \"forge\"\nprefix = \"/ff\"\n\
         [surfaces.ledger-on-roomy]\ndialect = \"ledger\"\nupstream = \"roomy\"\nprefix = \"/lm\"\n",
    )
    .await;
    // A Relay client (cursors it is given) in front of Ledger (last ids): the cursor it is
    // given is the last id, which Ledger follows.
    let made = create(gw.addr, "/v1/upstreams/ledger/owners/a1/webhooks", 5).await;
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/rl/api/projects/a1/hooks?page_size=2&after={a}"),
            None => "/rl/api/projects/a1/hooks?page_size=2".to_owned(),
        };
        let page = send(gw.addr, "GET", &path, &[BEARER], None).await;
        ok(&page, 200, &path);
        let page = page.json();
        for hook in page["hooks"].as_array().unwrap() {
            seen.push(hook["hook_id"].as_str().unwrap().to_owned());
        }
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, made);

    // A Ledger client (last ids) in front of Relay (cursors it gives): each page after the
    // first begins after the id the client names, found by walking Relay's own pages.
    let relayed = create(gw.addr, "/v1/upstreams/relay/owners/p1/webhooks", 5).await;
    let data = |page: &Value| page["data"].as_array().unwrap().clone();
    let seen = page_through_surface(
        gw.addr,
        "/lr/v1/accounts/p1/webhook_endpoints?limit=2",
        data,
        |_, page| {
            (page["has_more"] == true).then(|| {
                let last = page["data"].as_array().unwrap().last().unwrap();
                format!("starting_after={}", last["id"].as_str().unwrap())
            })
        },
    )
    .await;
    assert_eq!(seen, relayed);
    // Relay was asked with its own cursors, never with the client's ids.
    let relay = journal(gw.emulators["relay"]).await;
    let queries: Vec<&str> = relay
        .iter()
        .filter(|e| e["method"] == "GET")
        .filter_map(|e| e["query"].as_str())
        .collect();
    assert!(queries.iter().any(|q| q.contains("after=")), "{queries:?}");
    assert!(
        queries
            .iter()
            .all(|q| !q.contains("we_") && !q.contains("starting_after")),
        "{queries:?}"
    );
    // A page size that is not the walk's: three from after the first.
    let page = send(
        gw.addr,
        "GET",
        &format!(
            "/lr/v1/accounts/p1/webhook_endpoints?limit=3&starting_after={}",
            relayed[0]
        ),
        &[BEARER],
        None,
    )
    .await;
    ok(&page, 200, "three after the first");
    let ids: Vec<Value> = data(&page.json()).iter().map(|w| w["id"].clone()).collect();
    assert_eq!(ids, relayed[1..4], "{}", page.json());
    assert_eq!(page.json()["has_more"], true);
    // An id no webhook of the list has is refused in Ledger's words, on its parameter.
    let unknown = send(
        gw.addr,
        "GET",
        "/lr/v1/accounts/p1/webhook_endpoints?limit=2&starting_after=we_nobody",
        &[BEARER],
        None,
    )
    .await;
    assert!(
        unknown.status == 400 || unknown.status == 422,
        "{}",
        unknown.json()
    );
    let error = &unknown.json()["error"];
    assert_eq!(error["param"], "starting_after", "{error}");
    assert!(
        error["message"].as_str().unwrap().contains("we_nobody"),
        "{error}"
    );

    // A Forge client (page numbers) in front of Shelf (next pages named in a `Link` header):
    // page 2 of two is the third and fourth webhook, and the page after the last is empty.
    let shelved = create(gw.addr, "/v1/upstreams/shelf/owners/octo/site/webhooks", 5).await;
    let pages = |q: Option<&str>| {
        q.and_then(|q| q.strip_prefix("page="))
            .map_or(1, |n| n.parse::<u64>().unwrap())
    };
    let seen = page_through_surface(
        gw.addr,
        "/fs/repos/octo/site/hooks?per_page=2",
        |page| page.as_array().unwrap().clone(),
        |q, page| (!page.as_array().unwrap().is_empty()).then(|| format!("page={}", pages(q) + 1)),
    )
    .await;
    assert_eq!(seen, shelved);
    // Without a page size, Forge's own default (30) counts the pages: the second is empty.
    let second = send(
        gw.addr,
        "GET",
        "/fs/repos/octo/site/hooks?page=2",
        &[BEARER],
        None,
    )
    .await;
    ok(&second, 200, "Forge's second page of 30");
    assert_eq!(second.json(), json!([]));
    // A page that is no number is refused on its parameter.
    let refused = send(
        gw.addr,
        "GET",
        "/fs/repos/octo/site/hooks?page=two",
        &[BEARER],
        None,
    )
    .await;
    assert!((400..500).contains(&refused.status), "{}", refused.json());
    assert!(
        refused.json().to_string().contains("page"),
        "{}",
        refused.json()
    );

    // A Tally client (positions) in front of Ledger (last ids): three from the second on.
    let page = send(
        gw.addr,
        "GET",
        "/tl/api/projects/a1/hooks?page_size=3&offset=1",
        &[BEARER],
        None,
    )
    .await;
    ok(&page, 200, "Tally at Ledger");
    let ids: Vec<Value> = page.json()["hooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["hook_id"].clone())
        .collect();
    assert_eq!(ids, made[1..4], "{}", page.json());

    // Where the upstream says how large a page it serves, a walk reads pages that large: the
    // page after the first of five is one call.
    let roomed = create(gw.addr, "/v1/upstreams/roomy/owners/r1/webhooks", 5).await;
    let page = send(
        gw.addr,
        "GET",
        &format!(
            "/lm/v1/accounts/r1/webhook_endpoints?limit=2&starting_after={}",
            roomed[0]
        ),
        &[BEARER],
        None,
    )
    .await;
    ok(&page, 200, "a walk at Roomy");
    let ids: Vec<Value> = data(&page.json()).iter().map(|w| w["id"].clone()).collect();
    assert_eq!(ids, roomed[1..3], "{}", page.json());
    let walked: Vec<String> = journal(gw.emulators["roomy"])
        .await
        .iter()
        .filter(|e| e["method"] == "GET")
        .filter_map(|e| e["query"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(walked, ["page_size=50"], "{walked:?}");

    // A Forge client in front of Forge pages by number, relayed as it is.
    let page = send(
        gw.addr,
        "GET",
        "/ff/repos/octo/site/hooks?per_page=1&page=1",
        &[BEARER],
        None,
    )
    .await;
    ok(&page, 200, "Forge through Forge");
}

#[tokio::test]
async fn a_walk_to_a_client_s_page_reads_at_most_a_hundred_pages() {
    let dir = dialects_dir();
    let gw = emulated(
        dir.path(),
        "[surfaces.ledger-on-relay]\ndialect = \"ledger\"\nupstream = \"relay\"\nprefix = \"/lr\"\n",
    )
    .await;
    let made = create(gw.addr, "/v1/upstreams/relay/owners/p1/webhooks", 102).await;
    let path = |after: &str| {
        format!("/lr/v1/accounts/p1/webhook_endpoints?limit=1&starting_after={after}")
    };
    // The hundredth page is read: the webhook after it is answered.
    let near = send(gw.addr, "GET", &path(&made[98]), &[BEARER], None).await;
    ok(&near, 200, "99 pages in");
    assert_eq!(near.json()["data"][0]["id"], made[99].as_str());
    // One further in is refused on its parameter, never answered late.
    let far = send(gw.addr, "GET", &path(&made[100]), &[BEARER], None).await;
    assert_eq!(far.status, 422, "{}", far.json());
    let message = far.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("starting_after"), "{message}");
    assert!(message.contains("100 pages"), "{message}");
}

#[tokio::test]
async fn a_delete_between_pages_passes_over_no_webhook_at_an_emulator_that_gives_cursors() {
    let dir = dialects_dir();
    let paged = support::emulators_page_across_deletes(dir.path()).await;
    // Cursors in the body, in a `Link` header and in a next page's URL, in both orders.
    for paging in [Paging::Given, Paging::Link, Paging::Url] {
        let some = paged.iter().any(|(d, _)| {
            d.operation(Action::List)
                .is_some_and(|list| list.paging == paging)
        });
        assert!(some, "no dialect pages by {paging:?}");
    }
    for order in [Order::Ascending, Order::Descending] {
        assert!(
            paged.iter().any(|(_, listed)| *listed == order),
            "none listed {order:?}"
        );
    }
}

#[tokio::test]
async fn a_surface_in_front_of_an_emulator_pages_across_deletes_in_either_order() {
    // Quad's clients (given cursors, asking for an order) in front of an emulator of Oar,
    // which names its next page by URL: each cursor the surface gives is the emulator's.
    let dir = dialects_dir();
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.oar]\ndialect = \"oar\"\nemulate = true\n\
         [surfaces.square-on-oar]\ndialect = \"square\"\nupstream = \"oar\"\nprefix = \"/qo\"\n",
        dir.path()
    ))
    .await;
    let oar = hookgate::mapping::load_dir(dir.path())
        .unwrap()
        .into_iter()
        .find(|d| d.name == "oar")
        .unwrap();
    let base = support::canonical_base(&oar, "oar");
    let page = |order: &'static str, cursor: Option<String>| {
        let path = match cursor {
            Some(c) => {
                format!("/qo/v2/webhooks/subscriptions?limit=3&sort_order={order}&cursor={c}")
            }
            None => format!("/qo/v2/webhooks/subscriptions?limit=3&sort_order={order}"),
        };
        async move {
            let page = send(gw.addr, "GET", &path, &[BEARER], None).await;
            ok(&page, 200, &path);
            let page = page.json();
            let ids: Vec<String> = page["subscriptions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].as_str().unwrap().to_owned())
                .collect();
            (ids, page["cursor"].as_str().map(str::to_owned))
        }
    };
    for (order, newest_first) in [("ASC", false), ("DESC", true)] {
        let reset = send(
            gw.addr,
            "POST",
            "/__hookgate/emulators/oar/reset",
            &[],
            None,
        )
        .await;
        ok(&reset, 200, "reset");
        let mut made = support::seed_alike(gw.addr, &oar, "oar", 7).await;
        if newest_first {
            made.reverse();
        }
        let (first, cursor) = page(order, None).await;
        assert_eq!(first, made[..3], "{order}");
        // The webhook the cursor names goes, and one not listed yet.
        for gone in [2, 4] {
            support::delete_webhook(gw.addr, &base, &made[gone]).await;
        }
        let (second, last) = page(order, cursor).await;
        let after: Vec<String> = [3, 5, 6].map(|i| made[i].clone()).into();
        assert_eq!(second, after, "{order}");
        assert_eq!(last, None, "{order}");
    }
    gw.stop().await;
}

#[tokio::test]
async fn an_emulators_cursor_is_good_only_in_the_order_it_was_given_in() {
    // Square's clients in front of an emulator of Oar, as above: a cursor of a list newest
    // first names a place in that list, which in the other order is another list.
    let dir = dialects_dir();
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.oar]\ndialect = \"oar\"\nemulate = true\n\
         [surfaces.square-on-oar]\ndialect = \"square\"\nupstream = \"oar\"\nprefix = \"/qo\"\n",
        dir.path()
    ))
    .await;
    let oar = hookgate::mapping::load_dir(dir.path())
        .unwrap()
        .into_iter()
        .find(|d| d.name == "oar")
        .unwrap();
    support::seed_alike(gw.addr, &oar, "oar", 5).await;
    let list = |order: &str, cursor: Option<&str>| {
        let path = format!(
            "/qo/v2/webhooks/subscriptions?limit=2&sort_order={order}{}",
            cursor.map_or_else(String::new, |c| format!("&cursor={c}"))
        );
        async move { send(gw.addr, "GET", &path, &[BEARER], None).await }
    };
    for (given, other) in [("ASC", "DESC"), ("DESC", "ASC")] {
        let first = list(given, None).await;
        ok(&first, 200, given);
        let cursor = first.json()["cursor"].as_str().unwrap().to_owned();
        ok(&list(given, Some(&cursor)).await, 200, given);
        let refused = list(other, Some(&cursor)).await;
        assert!(
            (400..500).contains(&refused.status),
            "{given}'s cursor in {other}: {} {}",
            refused.status,
            String::from_utf8_lossy(&refused.body)
        );
    }
    gw.stop().await;
}

#[test]
fn computed_paging_is_checked_when_the_file_loads() {
    let base = std::fs::read_to_string(Path::new(DIR).join("ledger.toml")).unwrap();
    let list = "next = \"last_id\"\nresponse = { object = \"list\", data = \"{{items}}\", has_more = \"{{has_more}}\" }";
    assert!(base.contains(list));
    for (changed, message) in [
        (
            base.replace(list, "next = \"last_id\"\nresponse = { data = \"{{items}}\", next = \"{{next_cursor}}\" }"),
            "named by the answer or by `next`, not both",
        ),
        (
            base.replace(", starting_after = \"{{cursor}}\"", ""),
            "no query parameter sends `{{cursor}}`",
        ),
        (
            base.replace("[operations.get]\n", "[operations.get]\nnext = \"page\"\n"),
            "only `list` takes `next`",
        ),
    ] {
        let errors = Dialect::compile("ledger", &PathBuf::from("ledger.toml"), &changed).unwrap_err();
        assert!(
            errors.iter().any(|e| e.message.contains(message)),
            "{message}: {errors:?}"
        );
    }
}

/// A page asked larger than the vendor serves (`limit.max` in its list) is its largest, and
/// the next page continues where it ends: never refused by the vendor, never a page the
/// vendor was asked for beyond what it takes. For every loaded dialect that declares a
/// largest page and whose emulator gives the cursors.
#[tokio::test]
async fn a_page_asked_larger_than_the_vendor_serves_is_its_largest_and_goes_on() {
    let mut all = hookgate::mapping::load_dir(Path::new(support::MAPPINGS)).unwrap();
    all.extend(hookgate::mapping::load_dir(Path::new(DIR)).unwrap());
    let mut checked = 0;
    for d in all.iter().filter(|d| support::gives_cursors(d)) {
        let Some((max, _)) = d.operation(Action::List).and_then(|l| l.max_limit.clone()) else {
            continue;
        };
        let Some(max) = usize::try_from(max).ok().filter(|m| *m <= 250) else {
            continue;
        };
        let name = &d.name;
        let gw = support::gateway_emulating(DIR, name).await;
        let emu = gw.emulators[name.as_str()];
        let made = support::seed_alike(gw.addr, d, name, max + 1).await;
        let base = support::canonical_base(d, name);
        let first = send(
            gw.addr,
            "GET",
            &format!("{base}?limit={}", max + 5),
            &[],
            None,
        )
        .await;
        ok(&first, 200, &format!("{name}: a page of {}", max + 5));
        let page = first.json()["data"].as_array().map_or(0, Vec::len);
        assert_eq!(page, max, "{name}: {}", first.json()["next_cursor"]);
        let cursor = first.json()["next_cursor"].as_str().unwrap().to_owned();
        let at = format!("{base}?limit={}&cursor={cursor}", max + 5);
        let rest = send(gw.addr, "GET", &at, &[], None).await;
        ok(&rest, 200, &format!("{name}: the next page"));
        assert_eq!(
            rest.json()["data"].as_array().map_or(0, Vec::len),
            made.len() - max
        );
        // The vendor was never asked for more than it serves.
        for call in journal(emu)
            .await
            .iter()
            .filter(|c| c["operation"] == "list")
        {
            let query = call["query"].as_str().unwrap_or_default();
            // A value of its own, not digits inside a cursor that happen to spell it.
            let asked = (max + 5).to_string();
            let values = query.split('&').filter_map(|pair| pair.split_once('='));
            assert!(
                values.into_iter().all(|(_, value)| value != asked),
                "{name}: {query}"
            );
        }
        checked += 1;
        gw.stop().await;
    }
    assert!(checked > 0, "no dialect declares its largest page");
}

/// A vendor spelt as Bitbucket's: pages numbered by `page`, of `pagelen`, the next one named
/// by its URL; field errors as lists under `error.fields`.
const BUCKET: &str = r#"
[dialect]
title = "Bucket webhooks"
base_path = "/2.0"
auth = "bearer"

[emulator]
id = "uuid"

[fields.id]
path = "$.uuid"
in = ["response"]

[fields.url]
path = "$.url"
required = true

[fields.events]
path = "$.events"
required = true
min_items = 1

[fields.enabled]
path = "$.active"
default = true

[operations.list]
method = "GET"
path = "/hooks"
query = { pagelen = "{{limit|10}}", page = "{{cursor}}" }
next = "url"
response = { values = "{{items}}", pagelen = "{{limit|10}}", next = "{{next_cursor|null}}" }

[operations.get]
method = "GET"
path = "/hooks/{id}"
response = "{{webhook}}"

[operations.create]
method = "POST"
path = "/hooks"
body = "{{webhook}}"
status = 201
response = "{{webhook}}"

[operations.delete]
method = "DELETE"
path = "/hooks/{id}"
status = 204

[errors]
message = ["$.error.message"]
field_errors = [{ path = "$.error.fields", form = "lists" }]

[errors.render.default]
body = { type = "error", error = { message = "{{message}}", fields = "{{errors}}" } }
"#;

/// The test dialects with Chirp's and Svix's shipped files and Bucket's.
fn with_chirp_svix_and_bucket() -> tempfile::TempDir {
    let dir = dialects_dir();
    for name in ["chirp", "svix"] {
        let file = format!("{name}.toml");
        std::fs::copy(
            Path::new(support::MAPPINGS).join(&file),
            dir.path().join(&file),
        )
        .unwrap();
    }
    std::fs::write(dir.path().join("bucket.toml"), BUCKET).unwrap();
    dir
}

/// A gateway in front of `double` as upstream `name` of that dialect, with `surfaces` (TOML).
async fn over_double(
    dir: &Path,
    name: &str,
    double: &Double,
    surfaces: &str,
) -> hookgate::app::Running {
    gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.{name}]\ndialect = \"{name}\"\nbase_url = {:?}\n\
         auth = {{ type = \"none\" }}\n[url_policy]\nallow_private = true\n{surfaces}",
        dir.to_str().unwrap(),
        double.url()
    ))
    .await
}

/// Surfaces in front of the Chirp double: Svix (cursors it is given) and Ledger (last ids).
const ON_CHIRP: &str = "[surfaces.svix-on-chirp]\ndialect = \"svix\"\nupstream = \"chirp\"\n\
    prefix = \"/s\"\n[surfaces.ledger-on-chirp]\ndialect = \"ledger\"\nupstream = \"chirp\"\n\
    prefix = \"/l\"\n";

/// Chirp's whole list of webhooks of these ids, answered to as many calls as `calls`.
async fn chirp_double(ids: &[Value], calls: usize) -> Double {
    let hook = |id: &Value| {
        let mut hook = json!({"appId": "app1", "url": "https://example.com/h", "events": ["a"], "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-01T00:00:00Z"});
        if !id.is_null() {
            hook["id"] = id.clone();
        }
        hook
    };
    let list = json!({"webhooks": ids.iter().map(hook).collect::<Vec<_>>()});
    Double::start((0..calls).map(|_| Reply::json(200, list.clone())).collect()).await
}

#[tokio::test]
async fn a_list_answered_whole_is_cut_by_ids_of_any_kind_every_webhook_once() {
    let dir = with_chirp_svix_and_bucket();
    let base = "/v1/upstreams/chirp/owners/app1/webhooks";
    for ids in [
        json!([1, 2, 3, 4, 5]),
        json!(["a", 7, "b", 8, "c"]),
        json!(["x", "y", "z"]),
    ] {
        let ids = ids.as_array().unwrap().clone();
        let want: Vec<String> = ids.iter().map(id_text).collect();
        let double = chirp_double(&ids, 12).await;
        let gw = over_double(dir.path(), "chirp", &double, ON_CHIRP).await;
        // The canonical API: every cursor it gave taken, every webhook once.
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        for n in 0.. {
            assert!(n < 5, "{ids:?}: no last page");
            let path = match &cursor {
                Some(c) => format!("{base}?limit=2&cursor={c}"),
                None => format!("{base}?limit=2"),
            };
            let page = send(gw.addr, "GET", &path, &[], None).await;
            ok(&page, 200, &path);
            let page = page.json();
            seen.extend(
                page["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|w| id_text(&w["id"])),
            );
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen, want, "canonical");
        // A surface whose vendor gives cursors, and one whose clients name the last id seen.
        let svix = follow(
            gw.addr,
            "/s/api/v1/app/app1/endpoint?limit=2",
            &[BEARER],
            "data",
            "iterator",
            |p| (p["done"] == false).then(|| p["iterator"].as_str().unwrap().to_owned()),
        )
        .await;
        assert_eq!(svix.concat(), want, "svix");
        let ledger = follow(
            gw.addr,
            "/l/v1/accounts/app1/webhook_endpoints?limit=2",
            &[BEARER],
            "data",
            "starting_after",
            |p| {
                (p["has_more"] == true)
                    .then(|| id_text(&p["data"].as_array().unwrap().last().unwrap()["id"]))
            },
        )
        .await;
        assert_eq!(ledger.concat(), want, "ledger");
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_list_answered_whole_that_no_id_can_page_is_the_vendors_error_by_name() {
    let dir = with_chirp_svix_and_bucket();
    let base = "/v1/upstreams/chirp/owners/app1/webhooks";
    // Two webhooks of one id, first or last, a webhook without one, or of one that names none.
    for (ids, named) in [
        (json!(["a", "b", "a", "c"]), "`a`"),
        (json!(["a", "b", "c", "b"]), "`b`"),
        (json!([1, 2, 1]), "`1`"),
        (json!(["a", "b", null, "c"]), "webhook 3"),
        (json!(["a", "", "c"]), "webhook 2"),
        (json!([1.5, "b", "c"]), "webhook 1"),
        (json!(["a", {"x": 1}, "c"]), "webhook 2"),
        (json!(["a", true, "c"]), "webhook 2"),
    ] {
        let ids = ids.as_array().unwrap().clone();
        let double = chirp_double(&ids, 12).await;
        let gw = over_double(dir.path(), "chirp", &double, ON_CHIRP).await;
        for path in [
            format!("{base}?limit=2"),
            format!("{base}?limit=10"),
            "/s/api/v1/app/app1/endpoint?limit=2".to_owned(),
            "/l/v1/accounts/app1/webhook_endpoints?limit=2".to_owned(),
        ] {
            let page = send(gw.addr, "GET", &path, &[BEARER], None).await;
            let text = String::from_utf8_lossy(&page.body).into_owned();
            assert_eq!(page.status, 502, "{ids:?} {path}: {text}");
            // Named by its place in the list, or, where the id itself is no id, by what the
            // webhook holds there (read before any page is cut).
            let unusable = text.contains("sent a webhook that names no id")
                || text.contains("sent a webhook whose `id`");
            assert!(text.contains(named) || unusable, "{ids:?} {path}: {text}");
        }
        // Without a page size, a list of ids that only repeat is answered whole, as the
        // vendor gave it; one holding a webhook without a usable id is not answered at all.
        let whole = send(gw.addr, "GET", base, &[], None).await;
        let usable = ids
            .iter()
            .all(|id| id.as_str().is_some_and(|s| !s.is_empty()) || id.as_u64().is_some());
        if usable {
            ok(&whole, 200, base);
            assert_eq!(whole.json()["data"].as_array().unwrap().len(), ids.len());
        } else {
            assert_eq!(whole.status, 502, "{ids:?}");
        }
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_last_id_a_page_is_followed_by_may_be_a_number_and_must_be_there() {
    // Ledger pages by the last id; its vendor's ids here are numbers.
    let endpoint = |id: Value| json!({"id": id, "url": "https://example.com/l", "enabled_events": "a.b", "status": "enabled", "created": 1_700_000_000, "account": "accounts/acct_1"});
    let double = Double::start(vec![
        Reply::json(200, json!({"object": "list", "data": [endpoint(json!(1)), endpoint(json!(2))], "has_more": true})),
        Reply::json(200, json!({"object": "list", "data": [endpoint(json!(3))], "has_more": false})),
        Reply::json(200, json!({"object": "list", "data": [endpoint(json!(1)), endpoint(Value::Null)], "has_more": true})),
    ])
    .await;
    let gw = gateway_over(DIR, "ledger", &double).await;
    let base = "/v1/upstreams/ledger/owners/acct_1/webhooks";
    let first = send(gw.addr, "GET", &format!("{base}?limit=2"), &[], None).await;
    assert_eq!(first.json()["next_cursor"], "2", "{}", first.json());
    let second = send(
        gw.addr,
        "GET",
        &format!("{base}?limit=2&cursor=2"),
        &[],
        None,
    )
    .await;
    assert_eq!(
        second.json()["next_cursor"],
        Value::Null,
        "{}",
        second.json()
    );
    // More follow a webhook without an id: no next page can be asked for, and the list is not
    // said to end there.
    let last = send(gw.addr, "GET", &format!("{base}?limit=2"), &[], None).await;
    assert_eq!(last.status, 502, "{}", last.json());
    assert_eq!(last.json()["code"], "upstream_error");
    assert!(
        last.json()["detail"].as_str().unwrap().contains("no id"),
        "{}",
        last.json()
    );
}

#[tokio::test]
async fn an_empty_cursor_is_none_a_list_gave_on_every_api() {
    let dir = with_chirp_svix_and_bucket();
    let double = chirp_double(&[json!("a"), json!("b"), json!("c")], 0).await;
    let gw = over_double(dir.path(), "chirp", &double, ON_CHIRP).await;
    let base = "/v1/upstreams/chirp/owners/app1/webhooks";
    for (path, param) in [
        (format!("{base}?limit=2&cursor="), "cursor"),
        (format!("{base}?cursor="), "cursor"),
        (format!("{base}?cursor"), "cursor"),
        (
            "/s/api/v1/app/app1/endpoint?limit=2&iterator=".to_owned(),
            "iterator",
        ),
        (
            "/s/api/v1/app/app1/endpoint?iterator".to_owned(),
            "iterator",
        ),
        (
            "/l/v1/accounts/app1/webhook_endpoints?limit=2&starting_after=".to_owned(),
            "starting_after",
        ),
    ] {
        let refused = send(gw.addr, "GET", &path, &[BEARER], None).await;
        let text = String::from_utf8_lossy(&refused.body).into_owned();
        assert!(
            refused.status == 422 || refused.status == 400,
            "{path}: {} {text}",
            refused.status
        );
        assert!(
            text.contains(param) && text.contains("empty"),
            "{path}: {text}"
        );
    }
    assert!(double.seen().is_empty(), "{:?}", double.seen());
    gw.stop().await;

    // In front of a vendor that pages, and of an emulator, alike.
    let double = Double::start(vec![]).await;
    let gw = gateway_over(DIR, "ledger", &double).await;
    let refused = send(
        gw.addr,
        "GET",
        "/v1/upstreams/ledger/owners/acct_1/webhooks?limit=2&cursor=",
        &[],
        None,
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.json());
    assert_eq!(refused.json()["errors"][0]["field"], "cursor");
    assert!(double.seen().is_empty());
    let gw = emulated(dialects_dir().path(), "").await;
    for upstream in ["relay", "forge", "tally"] {
        let path = format!("/v1/upstreams/{upstream}/owners/p1/webhooks?cursor=");
        let refused = send(gw.addr, "GET", &path, &[], None).await;
        assert_eq!(refused.status, 422, "{path}: {}", refused.json());
    }
}

#[tokio::test]
async fn a_page_size_is_read_as_a_decimal_count() {
    // A sign or leading zeros are the same count; anything else is refused.
    let endpoint = |id: &str| json!({"id": id, "url": "https://example.com/l", "enabled_events": "a.b", "status": "enabled", "created": 1_700_000_000, "account": "accounts/acct_1"});
    let page = json!({"object": "list", "data": [endpoint("we_1")], "has_more": false});
    let double = Double::start(vec![Reply::json(200, page.clone()), Reply::json(200, page)]).await;
    let gw = gateway_over(DIR, "ledger", &double).await;
    let base = "/v1/upstreams/ledger/owners/acct_1/webhooks";
    for limit in ["%2B2", "02"] {
        let path = format!("{base}?limit={limit}");
        ok(&send(gw.addr, "GET", &path, &[], None).await, 200, &path);
    }
    let seen: Vec<String> = double.seen().iter().map(|s| s.path.clone()).collect();
    assert_eq!(
        seen, ["/v1/accounts/acct_1/webhook_endpoints?limit=2"; 2],
        "{seen:?}"
    );
    for limit in ["-2", "2.0", "0x2", "%202", "2%20", "", "0", "%E2%82%82"] {
        let path = format!("{base}?limit={limit}");
        let refused = send(gw.addr, "GET", &path, &[], None).await;
        assert_eq!(refused.status, 422, "{path}");
        assert_eq!(refused.json()["errors"][0]["field"], "limit", "{path}");
        assert_eq!(
            refused.json()["errors"][0]["message"],
            "must be a positive integer",
            "{path}"
        );
    }
    // A count too large for any page is told the bound, not that it is no integer.
    for limit in [
        "99999999999999999999",
        "18446744073709551616",
        "%2B18446744073709551616",
        "000018446744073709551616",
    ] {
        let path = format!("{base}?limit={limit}");
        let refused = send(gw.addr, "GET", &path, &[], None).await;
        assert_eq!(refused.status, 422, "{path}");
        let error = &refused.json()["errors"][0];
        assert_eq!(error["field"], "limit", "{path}");
        let message = error["message"].as_str().unwrap();
        assert!(
            message.ends_with("is too large: a positive integer, at most 18446744073709551615"),
            "{path}: {message}"
        );
    }
}

#[tokio::test]
async fn a_page_value_the_surface_never_gave_is_refused_before_the_upstream_is_called() {
    let dir = with_chirp_svix_and_bucket();
    // Zen pages with cursors of its own (`page[after]`).
    let hook = |id: &str| json!({"id": id, "endpoint": "https://example.com/z", "subscriptions": ["a"], "status": "active", "created_at": "2024-01-01T00:00:00Z"});
    let double = Double::start(vec![
        Reply::json(200, json!({"webhooks": [hook("z1"), hook("z2")], "meta": {"has_more": true, "after_cursor": "zc_2"}})),
        Reply::json(200, json!({"webhooks": [hook("z3")], "meta": {"has_more": false, "after_cursor": null}})),
        // A cursor it gave, refused since, naming no field.
        Reply::json(400, json!({"errors": [{"code": "InvalidPaginationParameter", "detail": "bad cursor"}]})),
    ])
    .await;
    let gw = over_double(
        dir.path(),
        "zen",
        &double,
        "[surfaces.bucket-on-zen]\ndialect = \"bucket\"\nupstream = \"zen\"\nprefix = \"/b\"\n",
    )
    .await;
    let first = send(gw.addr, "GET", "/b/2.0/hooks?pagelen=2", &[BEARER], None).await;
    ok(&first, 200, "page 1");
    let next = first.json()["next"].as_str().unwrap().to_owned();
    let sealed = next
        .split("page=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(sealed, "zc_2", "{next}");
    let path = format!("/b/2.0/hooks?pagelen=2&page={sealed}");
    let second = send(gw.addr, "GET", &path, &[BEARER], None).await;
    ok(&second, 200, &path);
    assert_eq!(second.json()["values"][0]["uuid"], "z3");
    assert_eq!(second.json()["next"], Value::Null);
    let asked: Vec<String> = double.seen().iter().map(|s| s.path.clone()).collect();
    assert_eq!(asked.len(), 2);
    assert!(
        asked[1].contains("zc_2"),
        "the upstream's own cursor: {asked:?}"
    );
    // A page number the client computed, the upstream's own cursor, one of another list, or
    // one cut short: none is a page this surface gave.
    let other = Listing {
        upstream: "zen",
        owner: None,
        order: Some(hookgate::model::Order::Ascending),
    }
    .seal("zc_2");
    for page in ["2", "1", "zc_2", &other, &sealed[1..], ""] {
        let path = format!("/b/2.0/hooks?pagelen=2&page={page}");
        let refused = send(gw.addr, "GET", &path, &[BEARER], None).await;
        assert!((400..500).contains(&refused.status), "{path}");
        let fields = &refused.json()["error"]["fields"];
        assert!(fields["page"].is_array(), "{path}: {}", refused.json());
    }
    assert_eq!(double.seen().len(), 2, "no call for a page never given");
    // The upstream's refusal of a cursor it gave, naming no field: in the message, never
    // under a field of no name.
    let refused = send(gw.addr, "GET", &path, &[BEARER], None).await;
    let body = refused.json();
    assert!((400..500).contains(&refused.status), "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("bad cursor"),
        "{body}"
    );
    assert!(
        body["error"]
            .get("fields")
            .is_none_or(|f| f.get("").is_none()),
        "{body}"
    );
}

/// A vendor that names the page just asked for as the next one (its cursor given back as it
/// was sent) would have a client that follows cursors ask for it forever: the page is refused,
/// naming the cursor, wherever it is asked for (the first page named by a cursor, a later one).
#[tokio::test]
async fn a_next_page_that_is_the_page_asked_for_is_refused() {
    let hook = |id: u64| {
        json!({"hook_id": id, "project": "p1", "topics": ["a"], "disabled": false,
            "state": "live", "label": "", "target": {"url": "https://example.com/h"}})
    };
    for cursor in ["same", "42"] {
        let vendor = Double::start(vec![
            Reply::json(200, json!({"hooks": [hook(1)], "next": cursor})),
            Reply::json(200, json!({"hooks": [hook(2)], "next": cursor})),
        ])
        .await;
        let gw = gateway(&format!(
            "mappings_dir = {DIR:?}\n[upstreams.relay]\ndialect = \"relay\"\nbase_url = {:?}\n\
             auth = {{ type = \"none\" }}\nretries = 0\n",
            vendor.url()
        ))
        .await;
        let hooks = "/v1/upstreams/relay/owners/p1/webhooks";
        let first = send(gw.addr, "GET", hooks, &[], None).await;
        ok(&first, 200, "the first page");
        assert_eq!(first.json()["next_cursor"], cursor);
        let again = send(
            gw.addr,
            "GET",
            &format!("{hooks}?cursor={cursor}"),
            &[],
            None,
        )
        .await;
        assert_eq!(
            again.status,
            502,
            "{}",
            String::from_utf8_lossy(&again.body)
        );
        let detail = again.json()["detail"].as_str().unwrap().to_owned();
        assert!(detail.contains(&format!("cursor \"{cursor}\"")), "{detail}");
    }
}
