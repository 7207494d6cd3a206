//! A page asked for holds at most `limit` webhooks even where the vendor's page holds more:
//! a vendor that takes no page size, whatever way it names its next page (a cursor in its
//! body, a next page's URL, a `Link` header, a flag beside a cursor, positions it leaves its
//! clients to count), a vendor that serves more than it is asked for, and one whose smallest
//! page is larger than the one asked. The page is cut from the vendor's, the next one begins
//! with the webhooks not given (asking for the same vendor page again, as it was asked),
//! and every webhook is listed once, to the end, for page sizes below, at and above the
//! vendor's, and where webhooks are deleted or created between pages, in either order. A surface in front of such a vendor pages its client alike; a cursor of a cut
//! page is opened only for the list it was given for.
//!
//! The vendor is a double that answers each list by the page its cursor names: pages of
//! [`PER_PAGE`], in Relay's shape (`tests/dialects/relay.toml`), with the way it names its
//! next page changed per case in a copy of that file.

mod support;

use serde_json::{Value, json};
use std::path::Path;
use std::sync::{Arc, Mutex};
use support::{Double, Reply, Seen, follow, gateway, gateway_over_unretried, id_text, ok, send};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
const BEARER: (&str, &str) = ("authorization", "Bearer t");

/// How many webhooks the vendor holds.
const HELD: u64 = 5;

/// How many of them it serves to a page, whatever it is asked for.
const PER_PAGE: usize = 2;

/// The page sizes a client asks for: below the vendor's, its own, above it, far above.
const LIMITS: [u64; 4] = [1, 2, 3, 10];

/// Relay's list, as `relay.toml` declares it.
const RELAY_LIST: &str = "query = { page_size = \"{{limit}}\", after = \"{{cursor}}\" }\n\
                          response = { hooks = \"{{items}}\", next = \"{{next_cursor|null}}\" }";

/// How a vendor of the case names its next page.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Next {
    /// A cursor in its body, `null` on the last page.
    InBody,
    /// A next page's URL in its body.
    Url,
    /// A `Link` header.
    Link,
    /// A cursor on every page, and a `done` flag on the last.
    Flag,
    /// Nothing: its clients count positions.
    Offset,
}

/// A vendor of the case: its dialect's name, its list section, how it names its next page.
struct Case {
    name: &'static str,
    list: &'static str,
    next: Next,
}

/// Vendors that take no page size, one for each way of naming a next page; one that takes a
/// page size and serves [`PER_PAGE`] whatever it is asked (Relay itself); one whose smallest
/// page is [`PER_PAGE`].
fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "tail",
            list: "query = { after = \"{{cursor}}\" }\n\
                   response = { hooks = \"{{items}}\", next = \"{{next_cursor|null}}\" }",
            next: Next::InBody,
        },
        Case {
            name: "trail",
            list: "query = { \"page[cursor]\" = \"{{cursor}}\" }\nnext = \"url\"\n\
                   response = { hooks = \"{{items}}\", next = \"{{next_cursor|null}}\" }",
            next: Next::Url,
        },
        Case {
            name: "chain",
            list: "query = { after = \"{{cursor}}\" }\nnext = \"link\"\n\
                   response = { hooks = \"{{items}}\" }",
            next: Next::Link,
        },
        Case {
            name: "flagged",
            list: "query = { after = \"{{cursor}}\" }\n\
                   response = { hooks = \"{{items}}\", next = \"{{next_cursor}}\", done = \"{{done}}\" }",
            next: Next::Flag,
        },
        Case {
            name: "counted",
            list: "query = { offset = \"{{cursor}}\" }\nnext = \"offset\"\n\
                   response = { hooks = \"{{items}}\" }",
            next: Next::Offset,
        },
        Case {
            name: "relay",
            list: RELAY_LIST,
            next: Next::InBody,
        },
        Case {
            name: "floored",
            list: "query = { page_size = \"{{limit}}\", after = \"{{cursor}}\" }\n\
                   limit = { min = 2, max = 100 }\n\
                   response = { hooks = \"{{items}}\", next = \"{{next_cursor|null}}\" }",
            next: Next::InBody,
        },
    ]
}

/// The test dialects, with a copy of Relay for each case, and Forge's whose smallest page is
/// three (`thick`).
fn dialects() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(DIR).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    let relay = std::fs::read_to_string(Path::new(DIR).join("relay.toml")).unwrap();
    assert!(relay.contains(RELAY_LIST));
    for case in cases().iter().filter(|c| c.name != "relay") {
        let file = relay.replace(RELAY_LIST, case.list);
        std::fs::write(dir.path().join(format!("{}.toml", case.name)), file).unwrap();
    }
    let forge = std::fs::read_to_string(Path::new(DIR).join("forge.toml")).unwrap();
    let list = "query = { per_page = \"{{limit|30}}\", page = \"{{cursor}}\" }\n";
    assert!(forge.contains(list));
    let thick = forge.replace(list, &format!("{list}limit = {{ min = 3, max = 100 }}\n"));
    std::fs::write(dir.path().join("thick.toml"), thick).unwrap();
    dir
}

/// A hook in Relay's shape.
fn hook(id: u64) -> Value {
    json!({"hook_id": id, "project": "p1", "topics": ["a"], "disabled": false,
        "state": "live", "label": "", "target": {"url": "https://example.com/h"}})
}

/// The value of query parameter `name` in a request's target, decoded.
fn param(target: &str, name: &str) -> Option<String> {
    let query = target.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The page a request asks for, by its cursor (`c2` is the page that begins at the third
/// webhook; an offset is a count), as the vendor answers it: a 400 for a cursor it never gave.
fn vendor_page(next: Next, held: &[u64], seen: &Seen) -> Reply {
    let cursor = match next {
        Next::Url => param(&seen.path, "page[cursor]"),
        Next::Offset => param(&seen.path, "offset"),
        _ => param(&seen.path, "after"),
    };
    let at = match cursor.as_deref() {
        None => Some(0),
        Some(c) if next == Next::Offset => c.parse::<usize>().ok(),
        Some(c) => c.strip_prefix('c').and_then(|n| n.parse().ok()),
    };
    let Some(at) = at.filter(|at| *at <= held.len()) else {
        return Reply::json(
            400,
            json!({"error": {"kind": "invalid", "text": "no such cursor"}}),
        );
    };
    let end = (at + PER_PAGE).min(held.len());
    let hooks: Vec<Value> = held[at..end].iter().map(|id| hook(*id)).collect();
    let more = end < held.len();
    let following = format!("c{end}");
    let url = format!("https://vendor.example/api/projects/p1/hooks?page%5Bcursor%5D={following}");
    let (body, headers) = match next {
        Next::InBody => (
            json!({"hooks": hooks, "next": more.then_some(following)}),
            vec![],
        ),
        Next::Url => (json!({"hooks": hooks, "next": more.then_some(url)}), vec![]),
        Next::Link => {
            let link = format!(
                "<https://vendor.example/api/projects/p1/hooks?after={following}>; rel=\"next\""
            );
            let headers = if more {
                vec![("link".to_owned(), link)]
            } else {
                vec![]
            };
            (json!({"hooks": hooks}), headers)
        }
        Next::Flag => (
            json!({"hooks": hooks, "next": following, "done": !more}),
            vec![],
        ),
        Next::Offset => (json!({"hooks": hooks}), vec![]),
    };
    Reply::Json {
        status: 200,
        headers,
        body,
    }
}

/// A vendor of the case's paging holding the webhooks `held` (shared, so that a test may
/// delete one between pages).
async fn vendor(next: Next, held: Arc<Mutex<Vec<u64>>>) -> Double {
    Double::answering(move |seen| vendor_page(next, &held.lock().unwrap(), seen)).await
}

/// Every webhook of `pages` once, in order, and no page of more than `limit`.
fn every_one_once(pages: &[Vec<String>], limit: u64, what: &str) {
    let want: Vec<String> = (1..=HELD).map(|n| n.to_string()).collect();
    assert_eq!(pages.concat(), want, "{what}: {pages:?}");
    assert!(
        pages.iter().all(|p| p.len() as u64 <= limit),
        "{what}: a page of more than {limit}: {pages:?}"
    );
}

/// The canonical next cursor of a page.
fn next_cursor(page: &Value) -> Option<String> {
    page["next_cursor"].as_str().map(str::to_owned)
}

#[tokio::test]
async fn a_canonical_page_holds_at_most_its_limit_whatever_the_vendors_page_holds() {
    let dir = dialects();
    for case in cases() {
        for limit in LIMITS {
            let held = Arc::new(Mutex::new((1..=HELD).collect()));
            let double = vendor(case.next, held).await;
            let gw = gateway_over_unretried(dir.path(), case.name, &double, "").await;
            let base = format!(
                "/v1/upstreams/{}/owners/p1/webhooks?limit={limit}",
                case.name
            );
            let what = format!("{} at limit {limit}", case.name);
            let pages = follow(gw.addr, &base, &[BEARER], "data", "cursor", next_cursor).await;
            every_one_once(&pages, limit, &what);
            // Pages as large as the limit and the vendor's page allow, but the last (and an
            // empty one after it, of a vendor whose clients page until one is empty).
            let most = limit.min(PER_PAGE as u64) as usize;
            let full = pages.iter().filter(|p| !p.is_empty()).rev().skip(1);
            assert!(full.clone().all(|p| p.len() == most), "{what}: {pages:?}");
            // A vendor page asked for again is asked for as it was: by its cursor, and in the
            // size it was first asked in, never less than the vendor's smallest.
            for seen in double.seen() {
                let size = param(&seen.path, "page_size");
                match case.name {
                    "relay" => assert_eq!(size, Some(limit.to_string()), "{what}: {}", seen.path),
                    "floored" => {
                        let at_least = limit.max(2).to_string();
                        assert_eq!(size, Some(at_least), "{what}: {}", seen.path);
                    }
                    _ => assert_eq!(size, None, "{what}: {}", seen.path),
                }
            }
            gw.stop().await;
        }
    }
}

#[tokio::test]
async fn a_page_cut_part_way_goes_on_with_the_webhooks_not_given_at_any_next_page_size() {
    let dir = dialects();
    let held = Arc::new(Mutex::new((1..=HELD).collect::<Vec<u64>>()));
    let double = vendor(Next::InBody, Arc::clone(&held)).await;
    let gw = gateway_over_unretried(dir.path(), "tail", &double, "").await;
    let base = "/v1/upstreams/tail/owners/p1/webhooks";
    let page = |query: String| {
        let target = format!("{base}?{query}");
        async move {
            let page = send(gw.addr, "GET", &target, &[], None).await;
            ok(&page, 200, &target);
            let page = page.json();
            let ids: Vec<String> = (page["data"].as_array().unwrap().iter())
                .map(|w| id_text(&w["id"]))
                .collect();
            (ids, next_cursor(&page))
        }
    };
    let (first, cursor) = page("limit=1".into()).await;
    assert_eq!(first, ["1"]);
    let cursor = cursor.expect("more follow");
    assert_ne!(cursor, "c2", "the vendor's page is not done: {cursor}");
    // Without a limit, the rest of the vendor's page; with a larger one, no more than that
    // rest: the next page is the vendor's.
    for query in [
        format!("cursor={cursor}"),
        format!("limit=5&cursor={cursor}"),
    ] {
        let (rest, next) = page(query.clone()).await;
        assert_eq!(
            (rest, next.as_deref()),
            (vec!["2".into()], Some("c2")),
            "{query}"
        );
    }
    // The same cursor, once the webhook before the one it begins with is deleted: the page
    // still begins with that one, and goes on from there.
    *held.lock().unwrap() = vec![2, 3, 4, 5];
    let (moved, next) = page(format!("limit=1&cursor={cursor}")).await;
    assert_eq!(moved, ["2"]);
    let (then, next) = page(format!("limit=1&cursor={}", next.unwrap())).await;
    assert_eq!(then, ["3"]);
    // The vendor's page given whole, but for the webhook given from it and deleted since: the
    // next page is the vendor's next, named by a cursor of hookgate's that passes it over.
    let next = next.expect("more follow");
    assert_ne!(
        next, "c2",
        "the deleted webhook is passed over on the vendor's next page"
    );
    let (after, next) = page(format!("cursor={next}")).await;
    assert_eq!((after, next), (vec!["4".into(), "5".into()], None));
    // The one it begins with deleted instead: after the last one given.
    *held.lock().unwrap() = vec![1, 3, 4, 5];
    let (after_last, _) = page(format!("limit=1&cursor={cursor}")).await;
    assert_eq!(after_last, ["3"]);
    gw.stop().await;
}

#[tokio::test]
async fn a_cut_pages_cursor_opens_only_for_its_own_list_and_no_hand_made_one_does() {
    let dir = dialects();
    let held = Arc::new(Mutex::new((1..=HELD).collect::<Vec<u64>>()));
    let double = vendor(Next::InBody, held).await;
    let gw = gateway_over_unretried(dir.path(), "tail", &double, "").await;
    let base = "/v1/upstreams/tail/owners";
    let first = send(
        gw.addr,
        "GET",
        &format!("{base}/p1/webhooks?limit=1"),
        &[],
        None,
    )
    .await;
    ok(&first, 200, "the first page");
    let cursor = next_cursor(&first.json()).expect("more follow");
    assert_ne!(cursor, "c2", "a page cut part way has a cursor of its own");
    let mut flipped = cursor.clone().into_bytes();
    flipped[3] = if flipped[3] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    // Another owner's list, a mangled cursor, one cut short: none is opened as a page cut
    // part way, but passed on as the vendor's own, which it refuses.
    for (owner, given) in [
        ("p2", cursor.as_str()),
        ("p1", flipped.as_str()),
        ("p1", &cursor[..cursor.len() - 2]),
    ] {
        let before = double.seen().len();
        let target = format!("{base}/{owner}/webhooks?limit=1&cursor={given}");
        let answer = send(gw.addr, "GET", &target, &[], None).await;
        assert!(answer.status >= 400, "{target}: {}", answer.status);
        let asked = &double.seen()[before];
        assert_eq!(
            param(&asked.path, "after").as_deref(),
            Some(given),
            "{target}"
        );
    }
    gw.stop().await;
}

#[tokio::test]
async fn surfaces_page_their_clients_at_their_own_limit_in_front_of_such_a_vendor() {
    let dir = dialects();
    let surfaces = "[surfaces.relay-here]\ndialect = \"relay\"\nupstream = \"UP\"\nprefix = \"/r\"\n\
                    [surfaces.ledger-here]\ndialect = \"ledger\"\nupstream = \"UP\"\nprefix = \"/l\"\n";
    for case in cases().iter().filter(|c| c.name != "relay") {
        let more = surfaces.replace("UP", case.name);
        for limit in LIMITS {
            let held = Arc::new(Mutex::new((1..=HELD).collect()));
            let double = vendor(case.next, held).await;
            let gw = gateway_over_unretried(dir.path(), case.name, &double, &more).await;
            let what = format!("{} at limit {limit}", case.name);
            // A client given cursors (Relay's own, sealed by the surface).
            let hooks = follow_hooks(gw.addr, limit).await;
            every_one_once(&hooks, limit, &format!("relay surface, {what}"));
            // A client that names the last id it saw.
            let ledger = follow(
                gw.addr,
                &format!("/l/v1/accounts/p1/webhook_endpoints?limit={limit}"),
                &[BEARER],
                "data",
                "starting_after",
                |p| {
                    (p["has_more"] == true)
                        .then(|| id_text(&p["data"].as_array().unwrap().last().unwrap()["id"]))
                },
            )
            .await;
            every_one_once(&ledger, limit, &format!("ledger surface, {what}"));
            gw.stop().await;
        }
    }
}

/// Pages a Relay surface's client through its hooks, `limit` at a time: the pages, as ids.
async fn follow_hooks(addr: std::net::SocketAddr, limit: u64) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..20 {
        let target = match &after {
            Some(a) => format!("/r/api/projects/p1/hooks?page_size={limit}&after={a}"),
            None => format!("/r/api/projects/p1/hooks?page_size={limit}"),
        };
        let page = send(addr, "GET", &target, &[BEARER], None).await;
        ok(&page, 200, &target);
        let page = page.json();
        let hooks = page["hooks"].as_array().unwrap().iter();
        pages.push(hooks.map(|h| id_text(&h["hook_id"])).collect());
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => return pages,
        }
    }
    panic!("no last page after 20: {pages:?}");
}

/// A vendor that numbers its pages and serves none smaller than three: the canonical API
/// cuts a smaller page from its smallest, and a surface whose client numbers pages of two
/// walks to its page rather than number the vendor's pages of three as its own.
#[tokio::test]
async fn pages_smaller_than_a_numbered_vendors_smallest_are_cut_from_it_and_numbered_alike() {
    let dir = dialects();
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.thick]\ndialect = \"thick\"\nemulate = true\n\
         [surfaces.forge-here]\ndialect = \"forge\"\nupstream = \"thick\"\nprefix = \"/f\"\n",
        dir.path().to_str().unwrap()
    ))
    .await;
    let base = "/v1/upstreams/thick/owners/octo/site/webhooks";
    let mut made = Vec::new();
    for i in 0..HELD {
        let body = json!({"url": format!("https://example.com/{i}"), "events": ["push"]});
        let answer = send(gw.addr, "POST", base, &[], Some(&body)).await;
        ok(&answer, 201, base);
        made.push(id_text(&answer.json()["id"]));
    }
    for limit in [1, 2] {
        let pages = follow(
            gw.addr,
            &format!("{base}?limit={limit}"),
            &[BEARER],
            "data",
            "cursor",
            next_cursor,
        )
        .await;
        assert_eq!(pages.concat(), made, "limit {limit}: {pages:?}");
        assert!(pages.iter().all(|p| p.len() <= limit), "{pages:?}");
        // Forge's client: page numbers, until a page shorter than asked.
        let mut forge = Vec::new();
        for number in 1..=10 {
            let target = format!("/f/repos/octo/site/hooks?per_page={limit}&page={number}");
            let page = send(gw.addr, "GET", &target, &[BEARER], None).await;
            ok(&page, 200, &target);
            let ids: Vec<String> = (page.json().as_array().unwrap().iter())
                .map(|w| id_text(&w["id"]))
                .collect();
            let short = ids.len() < limit;
            forge.push(ids);
            if short {
                break;
            }
        }
        assert_eq!(forge.concat(), made, "forge, per_page {limit}: {forge:?}");
    }
    gw.stop().await;
}

/// A vendor that takes no page size and pages by the last id it served (`after:3`), as a
/// client of its own would be given it, listing its webhooks by id, oldest first or newest
/// first, `per_page` to a page: a webhook deleted or created between pages moves no other
/// page's bounds but the ones it was on.
async fn keyed(per_page: usize, newest_first: bool, held: Arc<Mutex<Vec<u64>>>) -> Double {
    Double::answering(move |seen| {
        let mut ids = held.lock().unwrap().clone();
        ids.sort_unstable();
        if newest_first {
            ids.reverse();
        }
        let after = param(&seen.path, "after");
        let key = after
            .as_deref()
            .map(|a| a.strip_prefix("after:")?.parse::<u64>().ok());
        let beyond: Vec<u64> = match key {
            None => ids,
            Some(Some(key)) => (ids.into_iter())
                .filter(|id| if newest_first { *id < key } else { *id > key })
                .collect(),
            Some(None) => {
                let error = json!({"error": {"kind": "invalid", "text": "no such cursor"}});
                return Reply::json(400, error);
            }
        };
        let page = &beyond[..per_page.min(beyond.len())];
        let next = (page.len() < beyond.len()).then(|| format!("after:{}", page[page.len() - 1]));
        let hooks: Vec<Value> = page.iter().map(|id| hook(*id)).collect();
        Reply::json(200, json!({"hooks": hooks, "next": next}))
    })
    .await
}

/// A change to the vendor's webhooks between two pages.
#[derive(Debug, Clone, Copy)]
enum Change {
    /// These are deleted.
    Delete(&'static [u64]),
    /// This many are created, each of an id above every one held before.
    Create(u64),
    /// These are deleted and this many created.
    Both(&'static [u64], u64),
}

impl Change {
    /// Makes the change to `held`: the ids deleted, and those created.
    fn make(self, held: &mut Vec<u64>) -> (Vec<u64>, Vec<u64>) {
        let (delete, create) = match self {
            Change::Delete(ids) => (ids, 0),
            Change::Create(n) => (&[][..], n),
            Change::Both(ids, n) => (ids, n),
        };
        held.retain(|id| !delete.contains(id));
        let top = 100 + held.len() as u64;
        let made: Vec<u64> = (top..top + create).collect();
        held.extend(&made);
        (delete.to_vec(), made)
    }
}

/// Pages through `upstream`'s list, `limit` at a time, making `change` to `held` once the page
/// numbered `when` (from 1) was given: the pages, as ids.
async fn paged_through_a_change(
    addr: std::net::SocketAddr,
    upstream: &str,
    limit: u64,
    held: &Mutex<Vec<u64>>,
    (when, change): (usize, Change),
) -> (Vec<Vec<u64>>, Vec<u64>, Vec<u64>) {
    let base = format!("/v1/upstreams/{upstream}/owners/p1/webhooks?limit={limit}");
    let (mut pages, mut deleted, mut made) = (Vec::new(), Vec::new(), Vec::new());
    let mut cursor: Option<String> = None;
    for _ in 0..30 {
        let target = match &cursor {
            Some(c) => format!("{base}&cursor={c}"),
            None => base.clone(),
        };
        let page = send(addr, "GET", &target, &[], None).await;
        ok(&page, 200, &target);
        let page = page.json();
        let ids = page["data"].as_array().unwrap().iter();
        pages.push(ids.map(|w| id_text(&w["id"]).parse().unwrap()).collect());
        if pages.len() == when {
            (deleted, made) = change.make(&mut held.lock().unwrap());
        }
        match next_cursor(&page) {
            Some(c) => cursor = Some(c),
            None => return (pages, deleted, made),
        }
    }
    panic!("no last page after 30: {pages:?}");
}

/// Every webhook held from the first page to the last listed, none listed twice, none that
/// was never held, and no page of more than `limit`.
fn none_passed_over_nor_twice(pages: &[Vec<u64>], limit: u64, held: &[u64], what: &str) {
    let listed = pages.concat();
    let mut once = listed.clone();
    once.sort_unstable();
    once.dedup();
    assert_eq!(once.len(), listed.len(), "{what}: listed twice: {pages:?}");
    for id in held {
        assert!(listed.contains(id), "{what}: {id} passed over: {pages:?}");
    }
    assert!(
        pages.iter().all(|p| p.len() as u64 <= limit),
        "{what}: {pages:?}"
    );
}

/// As reported: a vendor page of three cut to two, the second and third deleted before the
/// next page, whose webhooks the vendor's page read again now begins with.
#[tokio::test]
async fn a_cut_page_whose_given_and_next_webhooks_were_deleted_goes_on_with_those_not_given() {
    let dir = dialects();
    let held = Arc::new(Mutex::new((1..=HELD).collect::<Vec<u64>>()));
    let double = keyed(3, false, Arc::clone(&held)).await;
    let gw = gateway_over_unretried(dir.path(), "tail", &double, "").await;
    let change = (1, Change::Delete(&[2, 3]));
    let (pages, ..) = paged_through_a_change(gw.addr, "tail", 2, &held, change).await;
    assert_eq!(pages, [vec![1, 2], vec![4, 5]]);
    // Deleted with the one before them instead, and all those given.
    for (gone, rest) in [(&[1, 2, 3][..], [4, 5]), (&[1, 2], [3, 4])] {
        *held.lock().unwrap() = (1..=HELD).collect();
        let change = (1, Change::Delete(gone));
        let (pages, ..) = paged_through_a_change(gw.addr, "tail", 2, &held, change).await;
        assert_eq!(pages.concat()[2..4], rest, "{gone:?} deleted: {pages:?}");
        none_passed_over_nor_twice(&pages, 2, &[4, 5], &format!("{gone:?} deleted"));
    }
    gw.stop().await;
}

/// Webhooks deleted and created between pages, before, among and after those given, in
/// either order, at page sizes below the vendor's (several pages cut from one of its pages in
/// a row): every webhook held throughout is listed, none twice, whether created ahead of the
/// place the pages have reached (pushing those given onto the vendor's next page) or after it.
/// No more are created between two pages than a vendor's page holds.
#[tokio::test]
async fn pages_cut_from_a_vendors_page_pass_none_over_and_none_twice_whatever_changes_between() {
    let dir = dialects();
    let changes = [
        Change::Delete(&[1]),
        Change::Delete(&[2]),
        Change::Delete(&[2, 3]),
        Change::Delete(&[1, 2, 3]),
        Change::Delete(&[1, 2, 3, 4, 5]),
        Change::Delete(&[3, 4]),
        Change::Delete(&[4, 5, 6]),
        Change::Delete(&[6]),
        Change::Delete(&[5, 6, 7]),
        Change::Delete(&[2, 4, 6]),
        Change::Create(1),
        Change::Create(3),
        Change::Create(2),
        Change::Both(&[2], 1),
        Change::Both(&[6, 7], 2),
        Change::Both(&[1, 2, 3, 4, 5, 6, 7], 2),
    ];
    for per_page in [3, 5] {
        for newest_first in [false, true] {
            let held = Arc::new(Mutex::new(Vec::new()));
            let double = keyed(per_page, newest_first, Arc::clone(&held)).await;
            let gw = gateway_over_unretried(dir.path(), "tail", &double, "").await;
            for limit in [1, 2, 4] {
                for when in [1, 2] {
                    for change in changes {
                        let what = format!(
                            "{per_page} a page, newest first {newest_first}, limit {limit}, \
                             {change:?} after page {when}"
                        );
                        *held.lock().unwrap() = (1..=7).collect();
                        let (pages, deleted, _) =
                            paged_through_a_change(gw.addr, "tail", limit, &held, (when, change))
                                .await;
                        let kept: Vec<u64> = (1..=7).filter(|id| !deleted.contains(id)).collect();
                        none_passed_over_nor_twice(&pages, limit, &kept, &what);
                        let listed = pages.concat();
                        let held_once = |id: &u64| *id <= 7 || held.lock().unwrap().contains(id);
                        assert!(listed.iter().all(held_once), "{what}: {pages:?}");
                    }
                }
            }
            gw.stop().await;
        }
    }
}
