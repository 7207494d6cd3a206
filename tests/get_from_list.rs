//! A vendor with no read of one webhook, only the list of them all (`[operations.get]` with
//! `from = "list"`): every read of one webhook is its list, read page after page, following the
//! vendor's own paging (a cursor in its body, a next page's URL, a `Link` header, positions,
//! page numbers, the last id), to the page that holds the webhook, asked as large as the
//! vendor serves. The canonical get, an update that reads the webhook first, a create read
//! again after, and a surface of another dialect in front of such a vendor are read so; the
//! webhook is found as a vendor's read of one is held to it (an integer id with leading zeros,
//! a UUID in another letter case, an `also_found_by` field); an id in no page is the vendor's
//! 404, two webhooks of it and a list longer than a walk reads are
//! its error (502). The vendor is a double that serves only its list (and the writes), and
//! answers any other read as a route it does not have; the dialect's emulator serves no read
//! of one webhook either, and `hookgate check` refuses the key's misuse by name.
//!
//! The dialects are copies of Relay (`tests/dialects/relay.toml`) whose `get` is read from the
//! list, each with its list paged one way.

mod support;

use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use support::{
    Double, Reply, Seen, gateway, gateway_over_unretried, ok, patch, refused_mapping, send,
};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
const BEARER: (&str, &str) = ("authorization", "Bearer t");

/// How many hooks the vendor holds at first, three to a page: pages `[1 2 3] [4 5 6] [7]`.
const HELD: u64 = 7;

/// The largest page the vendor serves, and the most it serves whatever it is asked.
const PER_PAGE: usize = 3;

/// Relay's list and get, as `relay.toml` declares them.
const RELAY_LIST: &str = "query = { page_size = \"{{limit}}\", after = \"{{cursor}}\" }\n\
                          response = { hooks = \"{{items}}\", next = \"{{next_cursor|null}}\" }";
const RELAY_GET: &str = "[operations.get]\nmethod = \"GET\"\n\
                         path = \"/projects/{owner}/hooks/{id}\"\n\
                         response = { hook = \"{{webhook}}\" }";
const RELAY_CREATE_ANSWER: &str = "status = 201\nresponse = { hook = \"{{webhook}}\" }";

/// How a vendor of the case names its next page.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Next {
    /// A cursor in its body (`after`), `null` on the last page.
    Cursor,
    /// A next page's URL in its body.
    Url,
    /// A `Link` header.
    Link,
    /// Nothing: its clients count positions (`offset`).
    Offset,
    /// Nothing: its clients number pages (`page`, from 1).
    Page,
    /// Nothing: its clients name the last id seen (`starting_after`).
    LastId,
}

/// A vendor of the case: its dialect's name, its list section, how it names its next page,
/// and the query parameter it takes a page size in, where it takes one.
struct Case {
    name: &'static str,
    list: &'static str,
    next: Next,
    size: Option<&'static str>,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "lone_cursor",
            list: "query = { page_size = \"{{limit}}\", after = \"{{cursor}}\" }\n\
                   limit = { max = 3 }\n\
                   response = { hooks = \"{{items}}\", next = \"{{next_cursor|null}}\" }",
            next: Next::Cursor,
            size: Some("page_size"),
        },
        Case {
            name: "lone_url",
            list: "query = { \"page[cursor]\" = \"{{cursor}}\" }\nnext = \"url\"\n\
                   response = { hooks = \"{{items}}\", next = \"{{next_cursor|null}}\" }",
            next: Next::Url,
            size: None,
        },
        Case {
            name: "lone_link",
            list: "query = { after = \"{{cursor}}\" }\nnext = \"link\"\n\
                   response = { hooks = \"{{items}}\" }",
            next: Next::Link,
            size: None,
        },
        Case {
            name: "lone_offset",
            list: "query = { page_size = \"{{limit}}\", offset = \"{{cursor}}\" }\n\
                   next = \"offset\"\nlimit = { max = 3 }\nresponse = { hooks = \"{{items}}\" }",
            next: Next::Offset,
            size: Some("page_size"),
        },
        Case {
            name: "lone_page",
            list: "query = { per_page = \"{{limit|2}}\", page = \"{{cursor}}\" }\n\
                   next = \"page\"\nlimit = { max = 3 }\nresponse = { hooks = \"{{items}}\" }",
            next: Next::Page,
            size: Some("per_page"),
        },
        Case {
            name: "lone_last_id",
            list: "query = { page_size = \"{{limit}}\", starting_after = \"{{cursor}}\" }\n\
                   next = \"last_id\"\nlimit = { max = 3 }\nresponse = { hooks = \"{{items}}\" }",
            next: Next::LastId,
            size: Some("page_size"),
        },
    ]
}

/// Relay with its `get` read from the list, paged as `list` says, and `then = ["get"]` after
/// its create.
fn lone(list: &str) -> String {
    let relay = std::fs::read_to_string(Path::new(DIR).join("relay.toml")).unwrap();
    for part in [RELAY_LIST, RELAY_GET, RELAY_CREATE_ANSWER] {
        assert!(relay.contains(part), "relay.toml holds no {part:?}");
    }
    relay
        .replace(RELAY_LIST, list)
        .replace(RELAY_GET, "[operations.get]\nfrom = \"list\"")
        .replace(
            RELAY_CREATE_ANSWER,
            &format!("{RELAY_CREATE_ANSWER}\nthen = [\"get\"]"),
        )
}

/// A folder holding Relay itself and a copy of it for each case.
fn dialects() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(DIR).join("relay.toml"),
        dir.path().join("relay.toml"),
    )
    .unwrap();
    for case in cases() {
        std::fs::write(
            dir.path().join(format!("{}.toml", case.name)),
            lone(case.list),
        )
        .unwrap();
    }
    dir
}

/// A hook in Relay's shape.
fn hook(id: u64) -> Value {
    json!({"hook_id": id, "project": "p1", "topics": ["a"], "disabled": false,
        "state": "live", "label": format!("hook {id}"),
        "target": {"url": format!("https://example.com/h{id}"), "timeout_ms": 5000}})
}

/// The value of query parameter `name` in a request's target, decoded.
fn param(target: &str, name: &str) -> Option<String> {
    let query = target.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Where the page a list request asks for begins, by the case's cursor.
fn page_start(next: Next, held: &[Value], seen: &Seen) -> Option<usize> {
    let cursor = match next {
        Next::Cursor | Next::Link => param(&seen.path, "after"),
        Next::Url => param(&seen.path, "page[cursor]"),
        Next::Offset => param(&seen.path, "offset"),
        Next::Page => param(&seen.path, "page"),
        Next::LastId => param(&seen.path, "starting_after"),
    };
    let Some(cursor) = cursor else { return Some(0) };
    match next {
        Next::Cursor | Next::Link | Next::Url => cursor.strip_prefix('c')?.parse().ok(),
        Next::Offset => cursor.parse().ok(),
        Next::Page => Some((cursor.parse::<usize>().ok()? - 1) * PER_PAGE),
        Next::LastId => {
            let last: u64 = cursor.parse().ok()?;
            let at = held.iter().position(|h| h["hook_id"] == last)?;
            Some(at + 1)
        }
    }
}

/// The vendor's answer to a list request: the page its cursor names, as the case names the
/// next one; past the last, an empty page.
fn list_page(next: Next, held: &[Value], seen: &Seen) -> Reply {
    let Some(at) = page_start(next, held, seen).map(|at| at.min(held.len())) else {
        return Reply::json(
            400,
            json!({"error": {"kind": "invalid", "text": "no such cursor"}}),
        );
    };
    let end = (at + PER_PAGE).min(held.len());
    let hooks = &held[at..end];
    let more = end < held.len();
    let following = format!("c{end}");
    let (body, headers) = match next {
        Next::Cursor => (
            json!({"hooks": hooks, "next": more.then_some(following)}),
            vec![],
        ),
        Next::Url => {
            let url = format!(
                "https://vendor.example/api/projects/p1/hooks?page%5Bcursor%5D={following}"
            );
            (json!({"hooks": hooks, "next": more.then_some(url)}), vec![])
        }
        Next::Link => {
            let link = format!(
                "<https://vendor.example/api/projects/p1/hooks?after={following}>; rel=\"next\""
            );
            let headers = match more {
                true => vec![("link".to_owned(), link)],
                false => vec![],
            };
            (json!({"hooks": hooks}), headers)
        }
        Next::Offset | Next::Page | Next::LastId => (json!({"hooks": hooks}), vec![]),
    };
    Reply::Json {
        status: 200,
        headers,
        body,
    }
}

/// A vendor of the case's paging holding `held`: it serves its list, creates (the next id),
/// replaces a hook whole with a PUT, and has no read of one hook, which it answers as a route
/// it does not have.
async fn vendor(next: Next, held: Arc<Mutex<Vec<Value>>>) -> Double {
    Double::answering(move |seen| {
        let mut held = held.lock().unwrap();
        let path = seen.path.split('?').next().unwrap_or_default();
        let missing = || {
            Reply::json(
                404,
                json!({"error": {"kind": "missing", "text": "no such route"}}),
            )
        };
        match (seen.method.as_str(), path) {
            ("GET", "/api/projects/p1/hooks") => list_page(next, &held, seen),
            ("POST", "/api/projects/p1/hooks") => {
                let mut made = seen.json().unwrap()["hook"].clone();
                let id = held.len() as u64 + 1;
                made["hook_id"] = json!(id);
                made["project"] = json!("p1");
                made["state"] = json!("live");
                held.push(made.clone());
                Reply::json(201, json!({"hook": made}))
            }
            ("PUT", _) => {
                let id: u64 = path.rsplit('/').next().unwrap().parse().unwrap();
                let Some(at) = held.iter().position(|h| h["hook_id"] == json!(id)) else {
                    return missing();
                };
                let mut put = seen.json().unwrap()["hook"].clone();
                put["hook_id"] = json!(id);
                put["project"] = json!("p1");
                put["state"] = json!("live");
                held[at] = put.clone();
                Reply::json(200, json!({"hook": put}))
            }
            _ => missing(),
        }
    })
    .await
}

/// The hooks a vendor holds at first.
fn held() -> Arc<Mutex<Vec<Value>>> {
    Arc::new(Mutex::new((1..=HELD).map(hook).collect()))
}

/// A Relay surface under `/front` in front of upstream `UP`.
const FRONT: &str =
    "[surfaces.front]\ndialect = \"relay\"\nupstream = \"UP\"\nprefix = \"/front\"\n";

/// For each case in turn, a vendor of its paging holding the hooks [`held`] gives, behind a
/// gateway with its upstream and `more` (TOML, `UP` standing for the upstream's name)
/// besides: `check` run with the case, its vendor and the gateway's address.
async fn over_each_case(more: &str, check: impl AsyncFn(&Case, &Double, SocketAddr)) {
    let dir = dialects();
    for case in cases() {
        let double = vendor(case.next, held()).await;
        let more = more.replace("UP", case.name);
        let gw = gateway_over_unretried(dir.path(), case.name, &double, &more).await;
        check(&case, &double, gw.addr).await;
        gw.stop().await;
    }
}

/// The canonical path of webhook `id` at upstream `name`.
fn canonical(name: &str, id: &str) -> String {
    format!("/v1/upstreams/{name}/owners/p1/webhooks/{id}")
}

/// How many pages a read of one webhook reads of the vendor's seven hooks to find none: its
/// three, and, where its paging has no end marker of its own, the empty page after them (a
/// page shorter than asked ends no such read).
fn to_end(next: Next) -> usize {
    match next {
        Next::Offset | Next::Page | Next::LastId => 4,
        Next::Cursor | Next::Url | Next::Link => 3,
    }
}

/// Every request the double saw was a GET of the list, each asking for the vendor's largest
/// page where the list takes a page size: `pages` of them.
fn only_lists(case: &Case, seen: &[Seen], pages: usize, what: &str) {
    let shown: Vec<String> = seen
        .iter()
        .map(|s| format!("{} {}", s.method, s.path))
        .collect();
    assert_eq!(seen.len(), pages, "{what}: {shown:?}");
    for s in seen {
        assert_eq!(s.method, "GET", "{what}: {shown:?}");
        assert!(
            s.path.starts_with("/api/projects/p1/hooks")
                && !s.path.starts_with("/api/projects/p1/hooks/"),
            "{what}: {shown:?}"
        );
        if let Some(size) = case.size {
            assert_eq!(
                param(&s.path, size).as_deref(),
                Some("3"),
                "{what}: {shown:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_webhook_is_read_from_the_page_of_the_list_that_holds_it() {
    over_each_case("", async |case, double, addr| {
        // On the first page, the middle one and the last one.
        let mut before = 0;
        for (id, pages) in [(1, 1), (5, 2), (7, 3)] {
            let what = format!("{}: webhook {id}", case.name);
            let path = canonical(case.name, &id.to_string());
            let answer = send(addr, "GET", &path, &[], None).await;
            ok(&answer, 200, &what);
            let webhook = answer.json();
            assert_eq!(webhook["id"], id.to_string(), "{what}: {webhook}");
            assert_eq!(
                webhook["url"],
                format!("https://example.com/h{id}"),
                "{what}"
            );
            assert_eq!(webhook["description"], format!("hook {id}"), "{what}");
            assert_eq!(webhook["owner"], "p1", "{what}");
            let seen = double.seen();
            only_lists(case, &seen[before..], pages, &what);
            before = seen.len();
        }
    })
    .await;
}

#[tokio::test]
async fn an_id_in_no_page_is_the_vendors_404_for_that_webhook() {
    over_each_case("", async |case, double, addr| {
        for id in ["99", "0", "70"] {
            let what = format!("{}: webhook {id}", case.name);
            let before = double.seen().len();
            let answer = send(addr, "GET", &canonical(case.name, id), &[], None).await;
            ok(&answer, 404, &what);
            assert_eq!(answer.json()["code"], "not_found", "{what}");
            // Every page was read, and nothing else.
            only_lists(case, &double.seen()[before..], to_end(case.next), &what);
            // As a change of it: nothing is sent but the list.
            let before = double.seen().len();
            let body = json!({"description": "x"});
            let answer = patch(addr, &canonical(case.name, id), &body).await;
            ok(&answer, 404, &what);
            assert_eq!(answer.json()["code"], "not_found", "{what}");
            only_lists(case, &double.seen()[before..], to_end(case.next), &what);
        }
    })
    .await;
}

#[tokio::test]
async fn a_missing_webhook_is_the_same_problem_where_the_vendor_reads_one() {
    // Relay itself answers its own 404 to a read of one webhook.
    let dir = dialects();
    let missing = Reply::json(404, json!({"error": {"kind": "missing", "text": "gone"}}));
    let relay = Double::start(vec![missing]).await;
    let gw = gateway_over_unretried(dir.path(), "relay", &relay, "").await;
    let by_get = send(gw.addr, "GET", &canonical("relay", "99"), &[], None).await;
    gw.stop().await;
    let double = vendor(Next::Cursor, held()).await;
    let gw = gateway_over_unretried(dir.path(), "lone_cursor", &double, "").await;
    let by_list = send(gw.addr, "GET", &canonical("lone_cursor", "99"), &[], None).await;
    assert_eq!(
        (by_list.status, &by_list.json()["code"]),
        (by_get.status, &by_get.json()["code"])
    );
    // The vendor answered its pages 200: no 404 is said to be its.
    let problem = by_list.json();
    assert_eq!(problem["upstream"]["name"], "lone_cursor", "{problem}");
    assert!(problem["upstream"].get("status").is_none(), "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("its list holds none"),
        "{problem}"
    );
}

#[tokio::test]
async fn two_webhooks_of_the_id_are_the_vendors_error_never_one_picked() {
    let dir = dialects();
    for case in cases() {
        // Webhook 5 twice on the second page, 2 twice on the first.
        let mut hooks: Vec<Value> = (1..=HELD).map(hook).collect();
        hooks[3] = hook(5);
        hooks[2] = hook(2);
        let double = vendor(case.next, Arc::new(Mutex::new(hooks))).await;
        let gw = gateway_over_unretried(dir.path(), case.name, &double, "").await;
        for id in ["5", "2"] {
            let what = format!("{}: webhook {id}", case.name);
            let answer = send(gw.addr, "GET", &canonical(case.name, id), &[], None).await;
            ok(&answer, 502, &what);
            let detail = answer.json()["detail"].as_str().unwrap().to_owned();
            assert!(detail.contains("two webhooks of id"), "{what}: {detail}");
            // An update of it is never sent.
            let body = json!({"description": "x"});
            let answer = patch(gw.addr, &canonical(case.name, id), &body).await;
            ok(&answer, 502, &what);
        }
        assert!(double.seen().iter().all(|s| s.method == "GET"));
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_list_longer_than_a_walk_reads_is_the_vendors_error() {
    // A vendor whose pages name a next one for ever, none holding the webhook.
    let double = Double::answering(|seen| {
        let at: u64 = param(&seen.path, "after")
            .and_then(|c| c.strip_prefix('c')?.parse().ok())
            .unwrap_or(0);
        let hooks: Vec<Value> = (at + 1..=at + 3).map(|n| hook(n + 1000)).collect();
        Reply::json(200, json!({"hooks": hooks, "next": format!("c{}", at + 3)}))
    })
    .await;
    let dir = dialects();
    let gw = gateway_over_unretried(dir.path(), "lone_cursor", &double, "").await;
    let answer = send(gw.addr, "GET", &canonical("lone_cursor", "5"), &[], None).await;
    ok(&answer, 502, "a list without end");
    let detail = answer.json()["detail"].as_str().unwrap().to_owned();
    assert!(detail.contains("after 100 pages"), "{detail}");
    assert_eq!(double.seen().len(), 100);
}

#[tokio::test]
async fn an_update_reads_the_webhook_from_the_list_and_sends_it_whole() {
    over_each_case("", async |case, double, addr| {
        for (id, pages) in [(2, 1), (6, 2), (7, 3)] {
            let what = format!("{}: webhook {id}", case.name);
            let before = double.seen().len();
            let body = json!({"description": "changed", "timeout_seconds": 9});
            let path = canonical(case.name, &id.to_string());
            let answer = patch(addr, &path, &body).await;
            ok(&answer, 200, &what);
            let webhook = answer.json();
            assert_eq!(webhook["description"], "changed", "{what}");
            assert_eq!(webhook["timeout_seconds"], 9, "{what}");
            assert_eq!(
                webhook["url"],
                format!("https://example.com/h{id}"),
                "{what}"
            );
            let seen = double.seen()[before..].to_vec();
            let (put, reads) = seen.split_last().unwrap();
            only_lists(case, reads, pages, &what);
            assert_eq!(put.method, "PUT", "{what}");
            assert_eq!(put.path, format!("/api/projects/p1/hooks/{id}"), "{what}");
            // Read-merge-write: each member that changed, whole, holding what it held.
            let sent = put.json().unwrap();
            assert_eq!(
                sent,
                json!({"hook": {"label": "changed", "target": {
                    "url": format!("https://example.com/h{id}"), "timeout_ms": 9000}}}),
                "{what}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_create_is_read_again_from_the_list() {
    over_each_case("", async |case, double, addr| {
        let what = case.name;
        let body = json!({"url": "https://example.com/new", "events": ["a"]});
        let path = format!("/v1/upstreams/{}/owners/p1/webhooks", case.name);
        let answer = send(addr, "POST", &path, &[], Some(&body)).await;
        ok(&answer, 201, what);
        let webhook = answer.json();
        assert_eq!(webhook["id"], (HELD + 1).to_string(), "{what}: {webhook}");
        assert_eq!(webhook["url"], "https://example.com/new", "{what}");
        let seen = double.seen();
        let (create, reads) = seen.split_first().unwrap();
        assert_eq!(create.method, "POST", "{what}");
        // Webhook 8 is on the third page.
        only_lists(case, reads, 3, what);
    })
    .await;
}

#[tokio::test]
async fn a_surface_of_a_dialect_that_reads_one_webhook_reads_it_from_the_list_behind_it() {
    // Relay's own read of one webhook, served in front of each case.
    over_each_case(FRONT, async |case, double, addr| {
        for (id, pages) in [(3, 1), (4, 2), (7, 3)] {
            let what = format!("{}: webhook {id}", case.name);
            let before = double.seen().len();
            let path = format!("/front/api/projects/p1/hooks/{id}");
            let answer = send(addr, "GET", &path, &[BEARER], None).await;
            ok(&answer, 200, &what);
            let hook = &answer.json()["hook"];
            assert_eq!(hook["hook_id"], id, "{what}: {hook}");
            assert_eq!(hook["target"]["url"], format!("https://example.com/h{id}"));
            only_lists(case, &double.seen()[before..], pages, &what);
        }
        let missing = send(
            addr,
            "GET",
            "/front/api/projects/p1/hooks/99",
            &[BEARER],
            None,
        )
        .await;
        ok(&missing, 404, "an unknown hook");
        assert_eq!(missing.json()["error"]["kind"], "missing");
    })
    .await;
}

#[tokio::test]
async fn the_emulator_and_surface_of_such_a_dialect_serve_no_read_of_one_webhook() {
    let dir = dialects();
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.lone_cursor]\ndialect = \"lone_cursor\"\nemulate = true\n\
         [surfaces.lone]\ndialect = \"lone_cursor\"\nupstream = \"lone_cursor\"\nprefix = \"/lone\"\n",
        dir.path().to_str().unwrap()
    ))
    .await;
    let base = "/v1/upstreams/lone_cursor/owners/p1/webhooks";
    let body = json!({"url": "https://example.com/h", "events": ["a"], "description": "one"});
    let made = send(gw.addr, "POST", base, &[], Some(&body)).await;
    ok(&made, 201, "a create, read again from the emulator's list");
    let id = made.json()["id"].as_str().unwrap().to_owned();
    // The canonical API reads it from the emulator's list; its update and toggle keep working.
    let read = send(gw.addr, "GET", &format!("{base}/{id}"), &[], None).await;
    ok(&read, 200, "a read from the list");
    assert_eq!(read.json()["description"], "one");
    let change = json!({"description": "two", "enabled": false});
    let changed = patch(gw.addr, &format!("{base}/{id}"), &change).await;
    ok(&changed, 200, "an update");
    assert_eq!(changed.json()["enabled"], false);
    let read = send(gw.addr, "GET", &format!("{base}/{id}"), &[], None).await;
    assert_eq!(read.json()["description"], "two");
    // Its emulator and its surface have no read of one webhook, as the vendor has none: the
    // answer of a route the vendor does not have (its update's and delete's path, no GET).
    let emulator = gw.emulators["lone_cursor"];
    let hook = format!("/api/projects/p1/hooks/{id}");
    for (addr, path) in [(emulator, hook.clone()), (gw.addr, format!("/lone{hook}"))] {
        let get = send(addr, "GET", &path, &[BEARER], None).await;
        let post = send(addr, "POST", &path, &[BEARER], None).await;
        assert_eq!(get.status, post.status, "{path}");
        assert_eq!(get.status, 405, "{path}");
        let allow = get.header("allow").unwrap_or_default().to_owned();
        assert!(!allow.contains("GET") && allow.contains("PUT"), "{allow}");
        // Its update keeps working there, read from its own store.
        let put = json!({"hook": {"label": "three", "topics": ["a"],
            "target": {"url": "https://example.com/h"}}});
        let answer = send(addr, "PUT", &path, &[BEARER], Some(&put)).await;
        ok(&answer, 200, &path);
        assert_eq!(answer.json()["hook"]["label"], "three");
    }
    let list = send(emulator, "GET", "/api/projects/p1/hooks", &[BEARER], None).await;
    ok(&list, 200, "the emulator's list");
    assert_eq!(list.json()["hooks"][0]["label"], "three");
    // The upstream says it reads one webhook, from the list.
    let described = send(gw.addr, "GET", "/v1/upstreams", &[], None).await;
    let upstream = described.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "lone_cursor")
        .cloned()
        .unwrap();
    let operations = upstream["operations"].as_array().unwrap();
    assert!(operations.contains(&json!("get")), "{upstream}");
    let note = upstream["composed"]["get"].as_str().unwrap_or_default();
    assert!(note.contains("from the list"), "{upstream}");
    gw.stop().await;
}

#[test]
fn check_refuses_a_read_from_the_list_misused_by_name() {
    let list = cases().remove(0).list;
    let file = lone(list);
    let get = "[operations.get]\nfrom = \"list\"";
    let refused = |name: &str, text: &str| refused_mapping(name, text).join("\n");
    // Keys that say something of a call beside it, each by name.
    for (key, value) in [
        ("method", "\"GET\""),
        ("path", "\"/projects/{owner}/hooks/{id}\""),
        ("response", "{ hook = \"{{webhook}}\" }"),
        ("query", "{ id = \"{{id}}\" }"),
        ("headers", "{ X-Version = \"1\" }"),
        ("then", "[\"get\"]"),
        ("status", "200"),
        ("accept", "[\"$.hook\"]"),
    ] {
        let text = file.replace(get, &format!("{get}\n{key} = {value}"));
        let why = refused("lone", &text);
        assert!(
            why.contains(&format!(
                "operations.get.{key}: means nothing beside `from = \"list\"`"
            )),
            "{key}: {why}"
        );
    }
    // No list to read it from.
    let list_section = format!(
        "[operations.list]\nmethod = \"GET\"\npath = \"/projects/{{owner}}/hooks\"\n{list}\n"
    );
    assert!(file.contains(&list_section));
    let why = refused("lone", &file.replace(&list_section, ""));
    assert!(
        why.contains("operations.get.from: `list` reads the webhook from the list's pages: declare `[operations.list]`"),
        "{why}"
    );
    // On another operation.
    let delete = "[operations.delete]\n";
    let why = refused(
        "lone",
        &file.replace(delete, &format!("{delete}from = \"list\"\n")),
    );
    assert!(
        why.contains("operations.delete.from: only `get` is read from the list"),
        "{why}"
    );
    // Another word.
    let why = refused(
        "lone",
        &file.replace(get, "[operations.get]\nfrom = \"lists\""),
    );
    assert!(
        why.contains("unknown variant `lists`, expected `list`"),
        "{why}"
    );
    // A `get` of neither kind: a call, or the list.
    let why = refused("lone", &file.replace(get, "[operations.get]\nnote = \"x\""));
    assert!(
        why.contains("operations.get.method: is required, or `from = \"list\"` for a vendor with no read of one webhook"),
        "{why}"
    );
    assert!(why.contains("operations.get.path: is required"), "{why}");
    // And a file with it loads.
    hookgate::mapping::compile::compile("lone", Path::new("lone.toml"), &file).unwrap();
}

/// `dir` with further copies of Relay: `name` reading its `get` from `list`, and each of
/// `edits` (of Relay's text, made before) made.
fn add_lone(dir: &Path, name: &str, list: &str, edits: &[(&str, &str)]) {
    let mut relay = std::fs::read_to_string(Path::new(DIR).join("relay.toml")).unwrap();
    for (from, to) in edits {
        assert!(relay.contains(from), "relay.toml holds no {from:?}");
        relay = relay.replacen(from, to, 1);
    }
    let text = relay
        .replace(RELAY_LIST, list)
        .replace(RELAY_GET, "[operations.get]\nfrom = \"list\"");
    std::fs::write(dir.join(format!("{name}.toml")), text).unwrap();
}

/// A hook in Relay's shape, of project `project`.
fn hook_of(id: u64, project: &str) -> Value {
    let mut hook = hook(id);
    hook["project"] = json!(project);
    hook
}

/// A vendor whose list ignores the project it is sent: every project's list is its hooks of
/// `p1` and `p2` alike, three to a page at cursors `cN`; it changes and deletes a hook by its
/// id alone (`/api/hooks/{id}`), and answers its own read of one (Relay's) with the hook of
/// the id, whatever the project.
async fn careless_vendor(held: Vec<Value>) -> Double {
    Double::answering(move |seen| {
        let path = seen.path.split('?').next().unwrap_or_default();
        let of_id = |id: &str| {
            held.iter()
                .find(|h| id.parse::<u64>().is_ok_and(|id| h["hook_id"] == id))
        };
        let segments: Vec<&str> = path.split('/').collect();
        match (seen.method.as_str(), segments.as_slice()) {
            ("GET", ["", "api", "projects", _, "hooks"]) => list_page(Next::Cursor, &held, seen),
            ("GET", ["", "api", "projects", _, "hooks", id]) => match of_id(id) {
                Some(hook) => Reply::json(200, json!({"hook": hook})),
                None => Reply::json(404, json!({"error": {"kind": "missing", "text": "no"}})),
            },
            ("PUT", ["", "api", "hooks", id]) => {
                let mut put = seen.json().unwrap()["hook"].clone();
                put["hook_id"] = json!(id.parse::<u64>().unwrap());
                put["project"] = of_id(id).unwrap()["project"].clone();
                Reply::json(200, json!({"hook": put}))
            }
            ("DELETE", ["", "api", "hooks", _]) => Reply::Raw {
                status: 204,
                headers: vec![],
                body: String::new(),
            },
            _ => Reply::json(
                404,
                json!({"error": {"kind": "missing", "text": "no route"}}),
            ),
        }
    })
    .await
}

#[tokio::test]
async fn another_owners_webhook_is_not_read_changed_or_deleted_where_the_vendor_ignores_the_owner()
{
    // Hooks 1, 2 and 6 are p1's, the others p2's, on pages `[1 2 3] [4 5 6] [7]`.
    let held: Vec<Value> = (1..=HELD)
        .map(|id| hook_of(id, if [1, 2, 6].contains(&id) { "p1" } else { "p2" }))
        .collect();
    let dir = dialects();
    let by_id = [
        (
            "method = \"PUT\"\npath = \"/projects/{owner}/hooks/{id}\"",
            "method = \"PUT\"\npath = \"/hooks/{id}\"",
        ),
        (
            "method = \"DELETE\"\npath = \"/projects/{owner}/hooks/{id}\"",
            "method = \"DELETE\"\npath = \"/hooks/{id}\"",
        ),
    ];
    add_lone(dir.path(), "lone_by_id", cases()[0].list, &by_id);
    let double = careless_vendor(held).await;
    let surface = FRONT.replace("UP", "lone_by_id");
    let gw = gateway_over_unretried(dir.path(), "lone_by_id", &double, &surface).await;
    let path = |id: u64| canonical("lone_by_id", &id.to_string());
    let change = json!({"description": "mine now"});
    for id in [3, 5, 7] {
        let what = format!("p2's webhook {id} under p1");
        let before = double.seen().len();
        let read = send(gw.addr, "GET", &path(id), &[], None).await;
        ok(&read, 404, &what);
        assert_eq!(read.json()["code"], "not_found", "{what}");
        assert!(
            !read.body.windows(2).any(|w| w == b"p2"),
            "{what}: {:?}",
            read.json()
        );
        let patched = patch(gw.addr, &path(id), &change).await;
        ok(&patched, 404, &what);
        let deleted = send(gw.addr, "DELETE", &path(id), &[], None).await;
        ok(&deleted, 404, &what);
        // Relay's read of one webhook, on a surface in front: not p1's either.
        let front = format!("/front/api/projects/p1/hooks/{id}");
        let read = send(gw.addr, "GET", &front, &[BEARER], None).await;
        ok(&read, 404, &what);
        assert_eq!(read.json()["error"]["kind"], "missing", "{what}");
        let seen = &double.seen()[before..];
        assert!(
            seen.iter().all(|s| s.method == "GET"),
            "{what}: nothing changed"
        );
    }
    // p1's own are read, changed and deleted as ever.
    let read = send(gw.addr, "GET", &path(6), &[], None).await;
    ok(&read, 200, "p1's webhook");
    assert_eq!(read.json()["owner"], "p1");
    let patched = patch(gw.addr, &path(6), &change).await;
    ok(&patched, 200, "p1's webhook changed");
    ok(
        &send(gw.addr, "DELETE", &path(1), &[], None).await,
        204,
        "p1's webhook deleted",
    );
    // p1's list, which holds p2's webhooks, is the vendor's error, naming neither.
    for list in [
        "/v1/upstreams/lone_by_id/owners/p1/webhooks",
        "/v1/upstreams/lone_by_id/owners/p1/webhooks?limit=2",
        "/front/api/projects/p1/hooks",
    ] {
        let listed = send(gw.addr, "GET", list, &[BEARER], None).await;
        if list.starts_with("/front") {
            assert_eq!(listed.status, 502, "{list}");
            assert!(!listed.body.windows(2).any(|w| w == b"p2"), "{list}");
            continue;
        }
        ok(&listed, 502, list);
        let detail = listed.json()["detail"].as_str().unwrap().to_owned();
        assert!(detail.contains("another owner's webhook"), "{detail}");
        assert!(!detail.contains("p2"), "{detail}");
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_read_naming_the_owner_that_answers_another_owners_webhook_is_not_found() {
    // Relay reads one webhook under its project; a vendor that ignores the project answers
    // another's, which is then neither shown nor changed.
    let dir = dialects();
    for (id, project) in [(5, "p2"), (6, "P1"), (7, "p1 ")] {
        let double = careless_vendor(vec![hook_of(id, project)]).await;
        let gw = gateway_over_unretried(dir.path(), "relay", &double, "").await;
        let what = format!("webhook {id} of {project:?}");
        let path = canonical("relay", &id.to_string());
        let read = send(gw.addr, "GET", &path, &[], None).await;
        ok(&read, 404, &what);
        assert_eq!(read.json()["code"], "not_found", "{what}");
        let body = json!({"description": "x"});
        ok(&patch(gw.addr, &path, &body).await, 404, &what);
        assert!(double.seen().iter().all(|s| s.method == "GET"), "{what}");
        gw.stop().await;
    }
}

/// A vendor of the case's paging holding `held` that answers its list at the page beginning
/// at `at` with `refusal` (in Relay's error shape) rather than the page.
async fn refusing_at(next: Next, held: Vec<Value>, at: usize, refusal: u16) -> Double {
    Double::answering(move |seen| {
        if page_start(next, &held, seen) == Some(at) {
            let kind = if refusal == 404 { "missing" } else { "invalid" };
            return Reply::json(refusal, json!({"error": {"kind": kind, "text": "not so"}}));
        }
        list_page(next, &held, seen)
    })
    .await
}

#[tokio::test]
async fn a_vendors_refusal_of_a_page_it_named_is_its_error_never_the_clients() {
    let dir = dialects();
    let held: Vec<Value> = (1..=12).map(hook).collect();
    for case in cases() {
        // The third page, at a cursor the vendor gave: any refusal is the vendor's error, but
        // of the credential or the rate, which are passed on.
        for (refusal, status) in [
            (404, 502),
            (400, 502),
            (422, 502),
            (409, 502),
            (410, 502),
            (401, 401),
            (403, 403),
            (429, 429),
        ] {
            let what = format!("{}: page 3 answered {refusal}", case.name);
            let double = refusing_at(case.next, held.clone(), 6, refusal).await;
            let gw = gateway_over_unretried(dir.path(), case.name, &double, "").await;
            let answer = send(gw.addr, "GET", &canonical(case.name, "11"), &[], None).await;
            ok(&answer, status, &what);
            if status == 502 {
                let problem = answer.json();
                assert_eq!(problem["code"], "upstream_error", "{what}");
                let detail = problem["detail"].as_str().unwrap_or_default();
                assert!(detail.contains("page 3 of its list"), "{what}: {detail}");
            }
            let body = json!({"description": "x"});
            let patched = patch(gw.addr, &canonical(case.name, "11"), &body).await;
            ok(&patched, status, &what);
            assert!(double.seen().iter().all(|s| s.method == "GET"), "{what}");
            gw.stop().await;
        }
        // The first page: a refusal of the page size hookgate chose is the vendor's error; a
        // 404 (no such owner) is passed on.
        for (refusal, status) in [(400, 502), (422, 502), (404, 404), (401, 401)] {
            let what = format!("{}: page 1 answered {refusal}", case.name);
            let double = refusing_at(case.next, held.clone(), 0, refusal).await;
            let gw = gateway_over_unretried(dir.path(), case.name, &double, "").await;
            let answer = send(gw.addr, "GET", &canonical(case.name, "2"), &[], None).await;
            ok(&answer, status, &what);
            if status == 502 {
                let detail = answer.json()["detail"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                assert!(
                    detail.contains("the first page of its list"),
                    "{what}: {detail}"
                );
            }
            gw.stop().await;
        }
    }
}

#[tokio::test]
async fn a_vendor_serving_pages_shorter_than_asked_is_read_to_its_end() {
    // Its mapping file says pages of 5; it serves 3. A page shorter than asked ends no read
    // of one webhook where the paging has no end marker of its own: an empty page does.
    let dir = dialects();
    let held: Vec<Value> = (1..=12).map(hook).collect();
    for case in cases() {
        let Some(size) = case.size else { continue };
        let name = format!("{}_short", case.name);
        let list = case
            .list
            .replace("limit = { max = 3 }", "limit = { max = 5 }");
        assert_ne!(list, case.list);
        add_lone(dir.path(), &name, &list, &[]);
        let shared = Arc::new(Mutex::new(held.clone()));
        let double = vendor(case.next, shared).await;
        let gw = gateway_over_unretried(dir.path(), &name, &double, "").await;
        // On the first page, the last full one, and the last.
        for (id, pages) in [(1, 1), (11, 4), (12, 4)] {
            let what = format!("{name}: webhook {id}");
            let before = double.seen().len();
            let answer = send(
                gw.addr,
                "GET",
                &canonical(&name, &id.to_string()),
                &[],
                None,
            )
            .await;
            ok(&answer, 200, &what);
            assert_eq!(answer.json()["id"], id.to_string(), "{what}");
            let seen = &double.seen()[before..];
            assert_eq!(seen.len(), pages, "{what}");
            assert!(
                seen.iter()
                    .all(|s| param(&s.path, size).as_deref() == Some("5")),
                "{what}"
            );
        }
        // An id in no page: every page is read, and the empty one after them.
        let before = double.seen().len();
        let what = format!("{name}: webhook 99");
        let answer = send(gw.addr, "GET", &canonical(&name, "99"), &[], None).await;
        ok(&answer, 404, &what);
        let calls = double.seen().len() - before;
        let expected = if case.next == Next::Cursor { 4 } else { 5 };
        assert_eq!(calls, expected, "{what}");
        // An update of webhook 10 reads it and sends it.
        let body = json!({"description": "ten"});
        let patched = patch(gw.addr, &canonical(&name, "10"), &body).await;
        ok(&patched, 200, &name);
        assert_eq!(patched.json()["description"], "ten", "{name}");
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_vendor_that_answers_one_page_again_is_its_error_not_a_webhook_missing() {
    // It ignores where a page begins: every page is its first, short or full.
    let dir = dialects();
    for case in cases() {
        let Some(size) = case.size else { continue };
        if case.next == Next::Cursor {
            continue;
        }
        for held in [3, 2] {
            let hooks: Vec<Value> = (1..=held).map(hook).collect();
            let double =
                Double::answering(move |_| Reply::json(200, json!({"hooks": hooks}))).await;
            let gw = gateway_over_unretried(dir.path(), case.name, &double, "").await;
            let what = format!("{}: {held} hooks, every page the first", case.name);
            let answer = send(gw.addr, "GET", &canonical(case.name, "9"), &[], None).await;
            ok(&answer, 502, &what);
            let detail = answer.json()["detail"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            assert!(detail.contains("as the page before it"), "{what}: {detail}");
            let seen = double.seen();
            assert_eq!(seen.len(), 2, "{what}");
            assert!(param(&seen[0].path, size).is_some(), "{what}");
            gw.stop().await;
        }
    }
}

/// Relay's rotation, which answers the hook with its new secret, and the secret's rule.
const ROTATION: &str = "\n[fields.secret]\npath = \"$.secret\"\nin = [\"response\"]\n\n\
                        [operations.rotate_secret]\nmethod = \"POST\"\n\
                        path = \"/projects/{owner}/hooks/{id}/rotate\"\n\
                        response = { hook = \"{{webhook}}\" }\n";

/// Relay's get, update and delete by the hook's id alone.
const BY_ID: &[(&str, &str)] = &[
    (
        "method = \"GET\"\npath = \"/projects/{owner}/hooks/{id}\"",
        "method = \"GET\"\npath = \"/hooks/{id}\"",
    ),
    (
        "method = \"PUT\"\npath = \"/projects/{owner}/hooks/{id}\"",
        "method = \"PUT\"\npath = \"/hooks/{id}\"",
    ),
];

/// A folder of copies of Relay with a rotation, whose answers say whose a hook is: `told`,
/// whose calls name the project in their paths; `prefixed`, which finds a hook by its id alone
/// and writes its project `prj_…`; `listed`, which reads one hook from its list and changes
/// it by its id alone.
fn owned_dialects() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let relay = std::fs::read_to_string(Path::new(DIR).join("relay.toml")).unwrap();
    let edited = |edits: &[(&str, &str)]| {
        let mut text = relay.clone();
        for (from, to) in edits {
            assert!(text.contains(from), "relay.toml holds no {from:?}");
            text = text.replacen(from, to, 1);
        }
        format!("{text}{ROTATION}")
    };
    let write = |name: &str, text: String| {
        std::fs::write(dir.path().join(format!("{name}.toml")), text).unwrap();
    };
    write("told", edited(&[]));
    let mut prefixed = BY_ID.to_vec();
    prefixed.push((
        "path = \"$.project\"\nin = [\"response\"]",
        "path = \"$.project\"\nin = [\"response\"]\ncodec = { prefix = \"prj_\" }",
    ));
    prefixed.push(("project = \"p1\"", "project = \"prj_p1\""));
    write("prefixed", edited(&prefixed));
    let listed = edited(&BY_ID[1..])
        .replace(RELAY_GET, "[operations.get]\nfrom = \"list\"")
        .replace(RELAY_LIST, cases()[0].list);
    write("listed", listed);
    dir
}

/// A vendor whose reads answer hook 5 as `read`'s (the project as the vendor writes it, or
/// `null`), and whose changes and creates answer it as `changed`'s, with a new secret.
async fn owned_vendor(read: Value, changed: Value) -> Double {
    Double::answering(move |seen| {
        let path = seen.path.split('?').next().unwrap_or_default();
        let mut hook = hook(5);
        hook["project"] = read.clone();
        match seen.method.as_str() {
            "GET" if path.ends_with("/hooks") => {
                Reply::json(200, json!({"hooks": [hook], "next": null}))
            }
            "GET" => Reply::json(200, json!({"hook": hook})),
            method => {
                hook["project"] = changed.clone();
                hook["secret"] = json!("whsec_new");
                let made = method == "POST" && path.ends_with("/hooks");
                Reply::json(if made { 201 } else { 200 }, json!({"hook": hook}))
            }
        }
    })
    .await
}

#[tokio::test]
async fn a_change_or_create_answered_as_another_owners_is_the_vendors_error_saying_it_was_made() {
    let dir = owned_dialects();
    for (name, p1, other) in [
        ("told", "p1", "p2"),
        ("told", "p1", "P1"),
        ("prefixed", "prj_p1", "prj_p2"),
        ("listed", "p1", "p2"),
    ] {
        let what = format!("{name}: answered as {other}'s");
        let double = owned_vendor(json!(p1), json!(other)).await;
        let gw = gateway_over_unretried(dir.path(), name, &double, "").await;
        let path = canonical(name, "5");
        let changes = [
            ("PATCH", path.clone(), Some(json!({"description": "x"}))),
            ("POST", format!("{path}/rotate-secret"), None),
        ];
        for (method, target, body) in changes {
            let answer = send(gw.addr, method, &target, &[], body.as_ref()).await;
            ok(&answer, 502, &format!("{what}: {method} {target}"));
            let detail = answer.json()["detail"].as_str().unwrap().to_owned();
            assert!(detail.contains("another owner's"), "{what}: {detail}");
            assert!(detail.contains("the change was made"), "{what}: {detail}");
            assert!(!detail.contains(other), "{what}: {detail}");
            // Who answered so is said, as every upstream's error says it.
            assert_eq!(answer.json()["upstream"]["name"], name, "{what}");
        }
        let created = send(
            gw.addr,
            "POST",
            &format!("/v1/upstreams/{name}/owners/p1/webhooks"),
            &[],
            Some(&json!({"url": "https://example.com/h", "events": ["a"]})),
        )
        .await;
        ok(&created, 502, &format!("{what}: a create"));
        assert!(created.header("location").is_none(), "{what}");
        let detail = created.json()["detail"].as_str().unwrap().to_owned();
        assert!(detail.contains("webhook 5 was created"), "{what}: {detail}");
        assert!(!detail.contains(other), "{what}: {detail}");
        gw.stop().await;
    }
}

#[tokio::test]
async fn an_owner_answered_null_is_the_named_owner_where_the_read_named_it() {
    let dir = owned_dialects();
    let double = owned_vendor(Value::Null, Value::Null).await;
    // Relay's read names the project; the listed dialect's list does.
    for name in ["told", "listed"] {
        let gw = gateway_over_unretried(dir.path(), name, &double, "").await;
        let read = send(gw.addr, "GET", &canonical(name, "5"), &[], None).await;
        ok(&read, 200, name);
        assert_eq!(read.json()["owner"], "p1", "{name}: {}", read.json());
        let list = format!("/v1/upstreams/{name}/owners/p1/webhooks");
        let listed = send(gw.addr, "GET", &list, &[], None).await;
        ok(&listed, 200, name);
        assert_eq!(listed.json()["data"][0]["owner"], "p1", "{name}");
        // A change whose call named the project: its answer's `null` is the project's too.
        let patched = send(
            gw.addr,
            "POST",
            &format!("{}/rotate-secret", canonical(name, "5")),
            &[],
            None,
        )
        .await;
        ok(&patched, 200, name);
        assert_eq!(patched.json()["owner"], "p1", "{name}");
        gw.stop().await;
    }
    // A read by the id alone whose answer does not say whose the hook is cannot confirm it.
    let gw = gateway_over_unretried(dir.path(), "prefixed", &double, "").await;
    let read = send(gw.addr, "GET", &canonical("prefixed", "5"), &[], None).await;
    ok(&read, 502, "prefixed");
    let detail = read.json()["detail"].as_str().unwrap().to_owned();
    assert!(detail.contains("without its owner"), "{detail}");
    gw.stop().await;
}

/// A vendor whose hook ids are its projects' own and whose list holds every project's: p2's
/// hook 3 is listed first, p1's own hook 3 on the page after. It changes p1's hooks under
/// their project, and rotates a hook's secret answering as `rotated` says.
async fn shared_ids_vendor(rotated: Reply) -> (Double, Arc<Mutex<Vec<Value>>>) {
    let mut first = hook_of(3, "p2");
    first["label"] = json!("p2's own");
    let held: Vec<Value> = [first, hook_of(1, "p1"), hook_of(2, "p1"), hook_of(4, "p1")]
        .into_iter()
        .chain([hook_of(3, "p1")])
        .map(|mut h| {
            h["secret"] = json!(format!(
                "s-{}-{}",
                h["project"].as_str().unwrap(),
                h["hook_id"]
            ));
            h
        })
        .collect();
    let held = Arc::new(Mutex::new(held));
    let kept = held.clone();
    let double = Double::answering(move |seen| {
        let mut held = kept.lock().unwrap();
        let path = seen.path.split('?').next().unwrap_or_default();
        let segments: Vec<&str> = path.split('/').collect();
        let at = |held: &[Value], project: &str, id: &str| {
            held.iter().position(|h| {
                h["project"] == project && id.parse::<u64>().is_ok_and(|id| h["hook_id"] == id)
            })
        };
        match (seen.method.as_str(), segments.as_slice()) {
            ("GET", ["", "api", "projects", _, "hooks"]) => list_page(Next::Cursor, &held, seen),
            ("PUT", ["", "api", "projects", project, "hooks", id]) => {
                let i = at(&held, project, id).unwrap();
                let mut put = seen.json().unwrap()["hook"].clone();
                for kept in ["hook_id", "project", "secret"] {
                    put[kept] = held[i][kept].clone();
                }
                held[i] = put.clone();
                Reply::json(200, json!({"hook": put}))
            }
            ("POST", ["", "api", "projects", project, "hooks", id, "rotate"]) => {
                let i = at(&held, project, id).unwrap();
                held[i]["secret"] = json!(format!("rotated-{project}-{id}"));
                rotated.clone()
            }
            _ => Reply::json(
                404,
                json!({"error": {"kind": "missing", "text": "no route"}}),
            ),
        }
    })
    .await;
    (double, held)
}

/// Relay read from its list (by cursor), with the secret it lists and a rotation.
fn with_secrets(dir: &Path) {
    let edits = [
        (
            "[fields.updated_at]",
            "[fields.secret]\npath = \"$.secret\"\nin = [\"response\"]\n\n[fields.updated_at]",
        ),
        (
            "[operations.create]",
            "[operations.rotate_secret]\nmethod = \"POST\"\n\
             path = \"/projects/{owner}/hooks/{id}/rotate\"\nresponse = { hook = \"{{webhook}}\" }\n\n\
             [operations.create]",
        ),
    ];
    add_lone(dir, "lone_secret", cases()[0].list, &edits);
}

#[tokio::test]
async fn another_owners_webhook_of_the_id_is_passed_over_for_the_owners_own() {
    let dir = dialects();
    with_secrets(dir.path());
    let (double, held) = shared_ids_vendor(Reply::json(200, json!({}))).await;
    let surface = FRONT.replace("UP", "lone_secret");
    let gw = gateway_over_unretried(dir.path(), "lone_secret", &double, &surface).await;
    let path = canonical("lone_secret", "3");
    let read = send(gw.addr, "GET", &path, &[], None).await;
    ok(&read, 200, "p1's hook 3, after p2's");
    assert_eq!(
        (&read.json()["owner"], &read.json()["description"]),
        (&json!("p1"), &json!("hook 3"))
    );
    let front = send(
        gw.addr,
        "GET",
        "/front/api/projects/p1/hooks/3",
        &[BEARER],
        None,
    )
    .await;
    ok(&front, 200, "p1's hook 3 on a surface");
    assert_eq!(front.json()["hook"]["label"], "hook 3");
    let patched = send(
        gw.addr,
        "PATCH",
        &path,
        &[],
        Some(&json!({"description": "mine"})),
    )
    .await;
    ok(&patched, 200, "p1's hook 3 changed");
    let held = held.lock().unwrap().clone();
    assert_eq!(held[0]["label"], "p2's own", "p2's untouched: {held:?}");
    assert_eq!(held[4]["label"], "mine", "{held:?}");
    // An id that only another owner has is not found, after the whole list.
    let before = double.seen().len();
    let other = send(gw.addr, "GET", &canonical("lone_secret", "9"), &[], None).await;
    ok(&other, 404, "an id of no one's");
    assert_eq!(double.seen().len() - before, 2, "both pages read");
    gw.stop().await;
}

#[tokio::test]
async fn a_rotation_answered_with_nothing_of_the_webhook_shows_the_secret_its_list_shows() {
    let dir = dialects();
    with_secrets(dir.path());
    let nothing = [
        Reply::json(200, json!({})),
        Reply::json(200, json!({"hook": {}})),
        Reply::json(200, Value::Null),
        Reply::Raw {
            status: 204,
            headers: vec![],
            body: String::new(),
        },
    ];
    for answer in nothing {
        let what = format!("{answer:?}");
        let (double, _) = shared_ids_vendor(answer).await;
        let gw = gateway_over_unretried(dir.path(), "lone_secret", &double, "").await;
        let path = canonical("lone_secret", "1");
        let rotated = send(gw.addr, "POST", &format!("{path}/rotate-secret"), &[], None).await;
        ok(&rotated, 200, &what);
        assert_eq!(rotated.json()["secret"], "rotated-p1-1", "{what}");
        // A read shows it no more.
        let read = send(gw.addr, "GET", &path, &[], None).await;
        ok(&read, 200, &what);
        assert!(
            read.json().get("secret").is_none(),
            "{what}: {}",
            read.json()
        );
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_listed_webhook_that_does_not_say_whose_it_is_is_not_taken_for_the_owners() {
    // p1's hook 3 is on the second page, after one of the id that says no owner, in a list
    // whose other webhooks say theirs: the owner's own is read, rotated, shown.
    for unsaid in [None, Some(Value::Null)] {
        let what = format!("an owner {unsaid:?}");
        let dir = dialects();
        with_secrets(dir.path());
        let (double, held) = shared_ids_vendor(Reply::json(200, json!({}))).await;
        {
            let mut held = held.lock().unwrap();
            match &unsaid {
                None => held[0].as_object_mut().unwrap().remove("project"),
                Some(v) => held[0]
                    .as_object_mut()
                    .unwrap()
                    .insert("project".into(), v.clone()),
            };
        }
        let gw = gateway_over_unretried(dir.path(), "lone_secret", &double, "").await;
        let path = canonical("lone_secret", "3");
        let read = send(gw.addr, "GET", &path, &[], None).await;
        ok(&read, 200, &what);
        assert_eq!(read.json()["description"], "hook 3", "{what}");
        let rotated = send(gw.addr, "POST", &format!("{path}/rotate-secret"), &[], None).await;
        ok(&rotated, 200, &what);
        assert_eq!(rotated.json()["secret"], "rotated-p1-3", "{what}");
        assert_eq!(
            held.lock().unwrap()[0]["secret"],
            "s-p2-3",
            "{what}: untouched"
        );
        // Where it is the only one of the id, whose it is cannot be confirmed.
        held.lock().unwrap().remove(4);
        let read = send(gw.addr, "GET", &path, &[], None).await;
        ok(&read, 502, &what);
        let detail = read.json()["detail"].as_str().unwrap().to_owned();
        assert!(detail.contains("cannot be confirmed"), "{what}: {detail}");
        gw.stop().await;
    }
    // A vendor whose list never says whose a webhook is: the list named the owner, and its
    // webhook is the owner's.
    let dir = dialects();
    with_secrets(dir.path());
    let (double, held) = shared_ids_vendor(Reply::json(200, json!({}))).await;
    {
        let mut held = held.lock().unwrap();
        held.remove(0);
        for hook in held.iter_mut() {
            hook.as_object_mut().unwrap().remove("project");
        }
    }
    let gw = gateway_over_unretried(dir.path(), "lone_secret", &double, "").await;
    let read = send(gw.addr, "GET", &canonical("lone_secret", "3"), &[], None).await;
    ok(&read, 200, "a list that never says");
    assert_eq!(read.json()["owner"], "p1");
    gw.stop().await;
}

#[tokio::test]
async fn an_integer_id_with_leading_zeros_is_read_from_the_list_as_its_number() {
    // Relay's ids are `int_string`: `005` is its hook 5, as its own read of one would take it.
    over_each_case(FRONT, async |case, double, addr| {
        for (asked, id, pages) in [("005", 5, 2), ("0001", 1, 1), ("00007", 7, 3)] {
            let what = format!("{}: webhook {asked}", case.name);
            let before = double.seen().len();
            let answer = send(addr, "GET", &canonical(case.name, asked), &[], None).await;
            ok(&answer, 200, &what);
            assert_eq!(answer.json()["id"], id.to_string(), "{what}");
            assert_eq!(answer.json()["url"], format!("https://example.com/h{id}"));
            only_lists(case, &double.seen()[before..], pages, &what);
            // A change of it reads it so before it writes it.
            let body = json!({"description": "changed"});
            let answer = patch(addr, &canonical(case.name, asked), &body).await;
            ok(&answer, 200, &what);
            assert_eq!(answer.json()["description"], "changed", "{what}");
            // And a surface's read of one, in front of the list.
            let path = format!("/front/api/projects/p1/hooks/{asked}");
            let answer = send(addr, "GET", &path, &[BEARER], None).await;
            ok(&answer, 200, &what);
            assert_eq!(answer.json()["hook"]["hook_id"], id, "{what}");
        }
        // Another number is none of them.
        let answer = send(addr, "GET", &canonical(case.name, "0070"), &[], None).await;
        ok(&answer, 404, case.name);
    })
    .await;
}

/// A vendor of UUID ids with no read of one webhook, its list paged by a cursor in its body.
const LONE_UUID: &str = r#"[dialect]
base_path = "/api"
id_format = "uuid"

[fields.id]
path = "$.id"
in = ["response"]

[fields.url]
path = "$.url"
required = true

[fields.events]
path = "$.events"
required = true

[fields.description]
path = "$.label"

[operations.list]
method = "GET"
path = "/hooks"
query = { after = "{{cursor}}" }
response = { hooks = "{{items}}", next = "{{next_cursor|null}}" }

[operations.get]
from = "list"

[operations.update]
method = "PUT"
path = "/hooks/{id}"
body = "{{webhook}}"
response = "{{webhook}}"

[errors]
message = ["$.message"]

[errors.render.default]
body = { message = "{{message}}" }
"#;

#[tokio::test]
async fn a_uuid_in_either_letter_case_is_read_from_the_list() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lone_uuid.toml"), LONE_UUID).unwrap();
    // Pages `[a B] [c]`: the vendor writes B's id in capitals.
    let ids = [
        "0b9f3c1e-6a2d-4f5e-8c7b-1a2b3c4d5e6f",
        "7E4D2C1B-9A8F-4E6D-B5C4-3A2B1C0D9E8F",
        "c3d2e1f0-a9b8-4c7d-9e6f-5a4b3c2d1e0f",
    ];
    let hooks: Vec<Value> = (ids.iter())
        .map(|id| json!({"id": id, "url": "https://example.com/h", "events": ["a"], "label": id}))
        .collect();
    let double = Double::answering(move |seen| match seen.method.as_str() {
        "GET" => match param(&seen.path, "after").as_deref() {
            None => Reply::json(200, json!({"hooks": hooks[..2], "next": "c2"})),
            Some(_) => Reply::json(200, json!({"hooks": hooks[2..], "next": null})),
        },
        _ => {
            let mut put = seen.json().unwrap();
            put["id"] = json!(seen.path.rsplit('/').next().unwrap().to_lowercase());
            Reply::json(200, put)
        }
    })
    .await;
    let gw = gateway_over_unretried(dir.path(), "lone_uuid", &double, "").await;
    for (held, pages) in [(ids[0], 1), (ids[1], 1), (ids[2], 2)] {
        for asked in [held.to_uppercase(), held.to_lowercase()] {
            let what = format!("webhook {asked}");
            let path = format!("/v1/upstreams/lone_uuid/webhooks/{asked}");
            let before = double.seen().len();
            let answer = send(gw.addr, "GET", &path, &[], None).await;
            ok(&answer, 200, &what);
            assert_eq!(answer.json()["description"], held, "{what}");
            assert_eq!(double.seen().len() - before, pages, "{what}");
            let answer = patch(gw.addr, &path, &json!({"description": "changed"})).await;
            ok(&answer, 200, &what);
            assert_eq!(answer.json()["description"], "changed", "{what}");
        }
    }
    let missing = "/v1/upstreams/lone_uuid/webhooks/0B9F3C1E-6A2D-4F5E-8C7B-1A2B3C4D5E60";
    ok(
        &send(gw.addr, "GET", missing, &[], None).await,
        404,
        "another UUID",
    );
    gw.stop().await;
}

#[tokio::test]
async fn a_webhook_is_read_from_the_list_by_a_field_its_vendor_also_finds_it_by() {
    // Ids of the vendor's, and a uid its clients choose, taken wherever an id is.
    let text = LONE_UUID.replace("id_format = \"uuid\"\n", "").replace(
        "[fields.url]",
        "[fields.\"extensions.uid\"]\npath = \"$.uid\"\n\n[emulator]\nalso_found_by = [\"extensions.uid\"]\n\n[fields.url]",
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lone_uid.toml"), text).unwrap();
    let hooks: Vec<Value> = ["a", "b", "c"]
        .iter()
        .map(|n| json!({"id": format!("ep_{n}"), "uid": format!("uid-{n}"), "url": "https://example.com/h", "events": ["a"]}))
        .collect();
    let double = Double::answering(move |seen| match param(&seen.path, "after").as_deref() {
        None => Reply::json(200, json!({"hooks": hooks[..2], "next": "c2"})),
        Some(_) => Reply::json(200, json!({"hooks": hooks[2..], "next": null})),
    })
    .await;
    let gw = gateway_over_unretried(dir.path(), "lone_uid", &double, "").await;
    for (asked, id) in [("uid-a", "ep_a"), ("uid-c", "ep_c"), ("ep_b", "ep_b")] {
        let path = format!("/v1/upstreams/lone_uid/webhooks/{asked}");
        let answer = send(gw.addr, "GET", &path, &[], None).await;
        ok(&answer, 200, asked);
        assert_eq!(answer.json()["id"], id, "{asked}");
    }
    let missing = "/v1/upstreams/lone_uid/webhooks/uid-d";
    ok(
        &send(gw.addr, "GET", missing, &[], None).await,
        404,
        "another uid",
    );
    gw.stop().await;
}
