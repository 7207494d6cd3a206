//! A vendor whose `Link` header names a next page on its last page too, and says by a parameter
//! of that link whether it holds anything (Sentry's `rel="next"; results="false"`), declared
//! by `link_ends` in a copy of `tests/dialects/shop.toml`: the canonical list ends on the page
//! so marked, however the parameter is spelt, and goes on past links marked otherwise; a
//! surface relaying the vendor's list passes its links on as written, its pages' named on the gateway; the dialect's emulator, and
//! surfaces of the dialect in front of it and of an upstream that lists another way, mark
//! every next link and page to the end; a file that declares the key where it makes no sense
//! is refused when it loads.

mod support;

use hookgate::mapping::Dialect;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::PathBuf;
use support::{Double, Reply, canonical_page, gateway, gateway_over, id_text, ok, send};

const TOKEN: (&str, &str) = ("x-shopify-access-token", "t");
const LIST: &str = "/admin/api/2024-01/webhooks.json";
const NEXT: &str = "next = \"link\"";
const MARKED: &str =
    "next = \"link\"\nlink_ends = { results = { last = \"false\", more = \"true\" } }";

/// The test dialects, Shop's list marking its last page's next link as Sentry's does.
fn marked() -> tempfile::TempDir {
    support::dialects_with(&[("shop", NEXT, MARKED)])
}

/// A Shop webhook as the vendor answers it.
fn hook(id: u64) -> Value {
    json!({"id": id, "address": "https://example.com/h", "topic": "orders/create", "format": "json"})
}

/// A page of Shop webhooks with the `Link` field given.
fn linked(link: &str, ids: [u64; 2]) -> Reply {
    Reply::Json {
        status: 200,
        headers: vec![("link".into(), link.into())],
        body: json!({"webhooks": [hook(ids[0]), hook(ids[1])]}),
    }
}

#[tokio::test]
async fn the_canonical_list_ends_on_the_page_whose_next_link_says_it_holds_nothing() {
    let dir = marked();
    let v = format!("https://vendor.example{LIST}");
    // The first page's links: a next one to go on to, among links marked as holding nothing
    // that are no next link (Sentry's `previous` on its first page).
    let first = format!(
        "<{v}?limit=2&page_info=P0>; rel=\"previous\"; results=\"false\"; cursor=\"0:0:1\", \
         <{v}?limit=2&page_info=P2>; rel=\"next\"; results=\"true\"; cursor=\"0:2:0\""
    );
    for last in [
        // Sentry's, as it writes it.
        format!(
            "<{v}?limit=2&page_info=P0>; rel=\"previous\"; results=\"true\"; cursor=\"0:0:1\", \
             <{v}?&page_info=P3>; rel=\"next\"; results=\"false\"; cursor=\"0:4:0\""
        ),
        // Unquoted, and without spaces.
        format!("<{v}?page_info=P3>;rel=next;results=false"),
        // Before `rel`, its name in another case.
        format!("<{v}?page_info=P3>; RESULTS=\"false\"; rel=\"next\""),
        // Among other parameters, one of them quoting `;`, `,` and a link.
        format!(
            "<{v}?page_info=P3>; title=\"a; b, <{v}?page_info=P9>; rel=next\"; Results = \"false\" ; rel=\"next last\"; cursor=x"
        ),
    ] {
        let double = Double::start(vec![linked(&first, [1, 2]), linked(&last, [3, 4])]).await;
        let gw = gateway_over(dir.path().to_str().unwrap(), "shop", &double).await;
        let base = "/v1/upstreams/shop/webhooks";
        let (ids, next) = canonical_page(gw.addr, base, 2, None).await;
        assert_eq!(
            (ids, next.as_deref()),
            (vec!["1".into(), "2".into()], Some("P2"))
        );
        // A full page, but its next link says it holds nothing: the last.
        let (ids, next) = canonical_page(gw.addr, base, 2, Some("P2")).await;
        assert_eq!((ids, next), (vec!["3".into(), "4".into()], None), "{last}");
        let seen: Vec<String> = double.seen().iter().map(|s| s.path.clone()).collect();
        assert_eq!(
            seen,
            [
                format!("{LIST}?limit=2"),
                format!("{LIST}?limit=2&page_info=P2")
            ]
        );
        gw.stop().await;
    }

    // A value other than the file's `last` (another case of it too: values are compared
    // exactly), or no such parameter, goes on.
    for more in [
        "results=\"true\"",
        "results=\"False\"",
        "results=\"\"",
        "cursor=\"0:4:0\"",
    ] {
        let link = format!("<{v}?page_info=P3>; rel=\"next\"; {more}");
        let double = Double::start(vec![linked(&link, [1, 2])]).await;
        let gw = gateway_over(dir.path().to_str().unwrap(), "shop", &double).await;
        let (_, next) = canonical_page(gw.addr, "/v1/upstreams/shop/webhooks", 2, None).await;
        assert_eq!(next.as_deref(), Some("P3"), "{link}");
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_surface_relaying_the_vendors_list_passes_its_links_on_as_written_named_here() {
    let dir = marked();
    let v = format!("https://vendor.example{LIST}");
    let double = Double::start(vec![
        linked(
            &format!("<{v}?limit=2&page_info=P2>; rel=\"next\"; results=\"true\""),
            [1, 2],
        ),
        linked(
            &format!(
                "<{v}?limit=2&page_info=P0>; rel=\"previous\"; results=\"true\"; cursor=\"0:0:1\", \
                 <https://docs.example/paging>; rel=\"help\", \
                 <{v}?limit=2&page_info=P3>; rel=next; RESULTS=false; cursor=\"0:4:0\""
            ),
            [3, 4],
        ),
        // A last page's next link without a query: the list's own URL is named.
        linked(
            "<https://vendor.example/elsewhere>; rel=\"next\"; results=\"false\"",
            [5, 6],
        ),
    ])
    .await;
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.up]\ndialect = \"shop\"\nbase_url = {:?}\n\
         auth = {{ type = \"none\" }}\nretries = 0\n[url_policy]\nallow_private = true\n\
         [surfaces.p]\ndialect = \"shop\"\nupstream = \"up\"\nprefix = \"/p\"\n",
        dir.path(),
        double.url()
    ))
    .await;
    let here = format!("http://{}/p{LIST}", gw.addr);
    for (path, link) in [
        (
            format!("/p{LIST}?limit=2"),
            format!("<{here}?limit=2&page_info=P2>; rel=\"next\"; results=\"true\""),
        ),
        (
            format!("/p{LIST}?limit=2&page_info=P2"),
            // Every link and parameter as the vendor wrote it (the `cursor` its own clients
            // read), the pages' named here, the documentation's left where it is.
            format!(
                "<{here}?limit=2&page_info=P0>; rel=\"previous\"; results=\"true\"; cursor=\"0:0:1\", \
                 <https://docs.example/paging>; rel=\"help\", \
                 <{here}?limit=2&page_info=P3>; rel=next; RESULTS=false; cursor=\"0:4:0\""
            ),
        ),
        (
            format!("/p{LIST}?limit=2&page_info=P3"),
            format!("<{here}>; rel=\"next\"; results=\"false\""),
        ),
    ] {
        let page = send(gw.addr, "GET", &path, &[TOKEN], None).await;
        ok(&page, 200, &path);
        assert_eq!(page.header("link"), Some(link.as_str()), "{path}");
    }
    gw.stop().await;
}

/// Pages through a Shop list from `first` on `addr` as a Sentry client does: on while the
/// page's next link says `results="true"`, to the end where it says `results="false"`, which
/// names the page itself. The ids listed, and how many pages.
async fn walk(addr: SocketAddr, first: &str) -> (Vec<String>, usize) {
    let origin = format!("<http://{addr}");
    let (mut path, mut ids) = (first.to_owned(), Vec::new());
    for pages in 1..=10 {
        let page = send(addr, "GET", &path, &[TOKEN], None).await;
        ok(&page, 200, &path);
        for hook in page.json()["webhooks"].as_array().unwrap() {
            ids.push(id_text(&hook["id"]));
        }
        let link = page
            .header("link")
            .unwrap_or_else(|| panic!("{path}: no next link"));
        let (target, params) = link
            .strip_prefix(origin.as_str())
            .and_then(|l| l.split_once('>'))
            .unwrap_or_else(|| panic!("{link}"));
        match params {
            "; rel=\"next\"; results=\"true\"" => path = target.to_owned(),
            "; rel=\"next\"; results=\"false\"" => {
                assert_eq!(target, path, "the last page's next link names it");
                return (ids, pages);
            }
            _ => panic!("{path}: {link}"),
        }
    }
    panic!("{first}: paged on past ten pages")
}

#[tokio::test]
async fn the_emulator_and_surfaces_mark_every_next_link_and_page_to_the_end() {
    let dir = marked();
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.shop]\ndialect = \"shop\"\nemulate = true\n\
         [upstreams.quire]\ndialect = \"quire\"\nemulate = true\n\
         [surfaces.ss]\ndialect = \"shop\"\nupstream = \"shop\"\nprefix = \"/ss\"\n\
         [surfaces.sq]\ndialect = \"shop\"\nupstream = \"quire\"\nprefix = \"/sq\"\n",
        dir.path()
    ))
    .await;
    let emu = gw.emulators["shop"];
    // Nothing to list: one page, the last.
    assert_eq!(walk(emu, &format!("{LIST}?limit=2")).await, (vec![], 1));
    let mut made = Vec::new();
    for upstream in ["shop", "quire"] {
        let mut ids = Vec::new();
        for _ in 0..5 {
            let body = json!({"url": "https://example.com/h", "events": ["orders/create"]});
            let path = format!("/v1/upstreams/{upstream}/webhooks");
            let created = send(gw.addr, "POST", &path, &[], Some(&body)).await;
            ok(&created, 201, &path);
            ids.push(created.json()["id"].as_str().unwrap().to_owned());
        }
        made.push(ids);
    }
    let shop = &made[0];
    // Five by two: two pages that go on, and the last; four by two: two, the second the last.
    for (limit, pages) in [(2, 3), (4, 2), (5, 1), (9, 1)] {
        let first = format!("{LIST}?limit={limit}");
        assert_eq!(walk(emu, &first).await, (shop.clone(), pages), "{first}");
        let first = format!("/ss{LIST}?limit={limit}");
        assert_eq!(
            walk(gw.addr, &first).await,
            (shop.clone(), pages),
            "{first}"
        );
        let first = format!("/sq{LIST}?limit={limit}");
        assert_eq!(
            walk(gw.addr, &first).await,
            (made[1].clone(), pages),
            "{first}"
        );
    }
    // The canonical list over the emulator reads its marks and ends.
    let (mut ids, mut cursor) = (Vec::new(), None);
    for _ in 0..10 {
        let (page, next) =
            canonical_page(gw.addr, "/v1/upstreams/shop/webhooks", 2, cursor.as_deref()).await;
        ids.extend(page);
        cursor = next;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!((&ids, cursor), (shop, None));
    gw.stop().await;
}

#[test]
fn link_ends_is_refused_where_it_makes_no_sense() {
    let base =
        std::fs::read_to_string(PathBuf::from(support::TEST_DIALECTS).join("shop.toml")).unwrap();
    assert!(base.contains(NEXT));
    let marked = |ends: &str| base.replacen(NEXT, &format!("{NEXT}\nlink_ends = {ends}"), 1);
    for (changed, message) in [
        (
            base.replacen(NEXT, "link_ends = { results = \"false\" }", 1),
            "only beside `next = \"link\"`",
        ),
        (
            base.replace(
                "[operations.get]\n",
                "[operations.get]\nlink_ends = { results = \"false\" }\n",
            ),
            "only beside `next = \"link\"`",
        ),
        (marked("{}"), "names no parameter"),
        (marked("{ rel = \"last\" }"), "`rel` names the link"),
        (marked("{ REL = \"last\" }"), "`rel` names the link"),
        (
            marked("{ results = \"false\", RESULTS = \"no\" }"),
            "named already",
        ),
        (marked("{ \"a b\" = \"false\" }"), "no parameter name"),
        (
            marked("{ results = { last = \"false\", more = \"false\" } }"),
            "a link would say both",
        ),
        (marked("{ results = \"f\\u00e4lse\" }"), "printable ASCII"),
        (
            marked("{ results = { last = \"false\", more = \"t\\nrue\" } }"),
            "printable ASCII",
        ),
    ] {
        let errors = Dialect::compile("shop", &PathBuf::from("shop.toml"), &changed).unwrap_err();
        assert!(
            errors.iter().any(|e| e.message.contains(message)),
            "{message}: {errors:?}"
        );
    }
    // A table that is neither shape is no file either.
    let odd = marked("{ results = { last = \"false\", then = \"true\" } }");
    assert!(Dialect::compile("shop", &PathBuf::from("shop.toml"), &odd).is_err());
    // Both shapes load.
    for ends in [
        "{ results = \"false\" }",
        "{ results = { last = \"false\" } }",
        "{ results = { last = \"false\", more = \"true\" }, more = \"no\" }",
    ] {
        let loaded = Dialect::compile("shop", &PathBuf::from("shop.toml"), &marked(ends));
        assert!(loaded.is_ok(), "{ends}: {:?}", loaded.err());
    }
}

#[tokio::test]
async fn a_link_field_sent_one_line_a_link_is_read_whole() {
    // RFC 9110 §5.3: links sent as field lines of their own are the field the lines joined
    // make; the next link in a later line is the next page, and its mark in a later line too.
    let dir = marked();
    let v = format!("https://vendor.example{LIST}");
    let lines = |links: &[String]| Reply::Json {
        status: 200,
        headers: links.iter().map(|l| ("link".into(), l.clone())).collect(),
        body: json!({"webhooks": [hook(1), hook(2)]}),
    };
    let double = Double::start(vec![
        lines(&[
            format!("<{v}?limit=2&page_info=P0>; rel=\"previous\"; results=\"false\""),
            format!("<{v}?limit=2&page_info=P2>; rel=\"next\"; results=\"true\""),
        ]),
        lines(&[
            format!("<{v}?limit=2&page_info=P2>; rel=\"previous\"; results=\"true\""),
            format!("<{v}?limit=2&page_info=P4>; rel=\"next\"; results=\"false\""),
        ]),
    ])
    .await;
    let gw = gateway_over(dir.path().to_str().unwrap(), "shop", &double).await;
    let base = "/v1/upstreams/shop/webhooks";
    let (_, next) = canonical_page(gw.addr, base, 2, None).await;
    assert_eq!(next.as_deref(), Some("P2"));
    let (_, next) = canonical_page(gw.addr, base, 2, Some("P2")).await;
    assert_eq!(next, None);
    gw.stop().await;
}
