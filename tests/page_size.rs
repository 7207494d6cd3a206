//! A page asked for is the page answered, whichever side pages. For every pair of a surface
//! whose vendor pages (by a cursor it gives or one its client computes, with a page size) and
//! an upstream whose vendor answers every webhook at once, chosen by what the mapping files
//! declare: the surface's client walks the list two at a time, each page holds at most two,
//! every webhook appears exactly once, and a cursor the surface never gave is refused in the
//! client's vendor's shape on its own parameter. The other way round, a surface whose vendor
//! answers a list whole, in front of an upstream that pages, answers every webhook; and the
//! canonical API honours its `limit` and `cursor` in front of an upstream that does not page.

mod support;

use hookgate::mapping::template::Template;
use hookgate::mapping::{Dialect, Endpoint, Paging};
use hookgate::model::Action;
use serde_json::{Value, json};
use std::net::SocketAddr;
use support::{TEST_DIALECTS, gateway, ok, send};

/// How many webhooks each list holds: more than three pages of two.
const MADE: usize = 7;

/// Every dialect: the shipped files and the test ones.
fn every_dialect() -> Vec<Dialect> {
    let mut all = hookgate::mapping::load_dir(std::path::Path::new(support::MAPPINGS)).unwrap();
    all.extend(hookgate::mapping::load_dir(std::path::Path::new(TEST_DIALECTS)).unwrap());
    all
}

fn list(d: &Dialect) -> Option<&Endpoint> {
    d.operation(Action::List)
}

/// A surface whose client asks for a page size and is told of a next page, and whose
/// credential travels in a header.
fn pages(d: &Dialect) -> bool {
    list(d).is_some_and(|l| l.names_next_page() && l.param_of("limit").is_some())
        && hookgate::auth::present(&d.client_auth, "t0ken").is_some()
}

/// An upstream that answers every webhook at once, and whose emulator can be seeded (under
/// an owner of its format, where it has owners).
fn answers_whole(d: &Dialect) -> bool {
    list(d).is_some_and(|l| !l.names_next_page()) && seedable(d)
}

fn seedable(d: &Dialect) -> bool {
    !d.examples.is_empty() && (!d.has_owner() || support::owner(d).is_some())
}

/// The owners of surface `s` in front of upstream `u`: the one its client names in paths, the
/// one the upstream keeps its webhooks under, and the one its configuration bridges where the
/// two differ in owner scope (as `hookgate check` asks). `None` where no owner serves both.
struct Owners {
    client: Option<String>,
    upstream: Option<String>,
    bridged: Option<String>,
}

fn owners(s: &Dialect, u: &Dialect) -> Option<Owners> {
    if s.has_owner() && u.has_owner() && s.owner_segments != u.owner_segments {
        return None;
    }
    let mut candidates = [support::owner(u), support::owner(s)]
        .into_iter()
        .flatten()
        .chain([
            "9fbef0b7-8d4e-4a08-9207-66c22155721d".to_owned(),
            "1".into(),
            "acme/hooks".into(),
        ]);
    let admitted = |d: &Dialect, o: &str| !d.has_owner() || d.admits_owner(o);
    let owner = candidates.find(|o| admitted(s, o) && admitted(u, o))?;
    // A client that finds webhooks by id alone, in front of an upstream that names owners.
    let by_id = s
        .operations
        .iter()
        .any(|e| e.role.action().has_id() && !e.names_owner);
    let named = u
        .operations
        .iter()
        .any(|e| e.role.action().has_id() && e.names_owner);
    let bridges = s.has_owner() != u.has_owner() || (s.has_owner() && by_id && named);
    Some(Owners {
        client: s.has_owner().then(|| owner.clone()),
        upstream: u.has_owner().then(|| owner.clone()),
        bridged: bridges.then_some(owner),
    })
}

/// The surfaces' section of a configuration: surface `s` in front of upstream `u`.
fn surface(s: &Dialect, u: &Dialect, owners: &Owners) -> String {
    let owner = owners
        .bridged
        .as_ref()
        .map(|o| format!("owner = \"{o}\"\n"))
        .unwrap_or_default();
    format!(
        "[surfaces.{0}-on-{1}]\ndialect = \"{0}\"\nupstream = \"{1}\"\nprefix = \"/{0}-on-{1}\"\n{owner}",
        s.name, u.name
    )
}

/// Seeds `n` webhooks at the emulator of `u` under `owner`: their canonical ids.
async fn seed(addr: SocketAddr, u: &Dialect, owner: Option<&str>, n: usize) -> Vec<String> {
    // Enabled, where the vendor says so: a surface whose webhooks are always on shows no
    // other.
    let mut webhook = support::create_body(u);
    if u.webhook.carries("enabled", Action::Create) {
        webhook["enabled"] = Value::Bool(true);
    }
    let body = json!({
        "shape": "canonical",
        "owner": owner,
        "webhooks": vec![webhook; n],
    });
    let path = format!("/__hookgate/emulators/{}/webhooks", u.name);
    let seeded = send(addr, "POST", &path, &[], Some(&body)).await;
    ok(&seeded, 201, &u.name);
    seeded.json()["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The list's path at surface `s` mounted at `prefix`, with the query parameters its vendor
/// always sends (an owner, a literal): `(path, query)`.
fn list_target(s: &Dialect, prefix: &str, owner: Option<&str>) -> (String, Vec<(String, String)>) {
    let l = list(s).unwrap();
    let path = l.path.render(&[prefix, &s.base_path], owner, None);
    let mut query = Vec::new();
    for (param, template) in &l.query {
        let value = match template {
            Template::Literal(Value::String(v)) => v.clone(),
            Template::Literal(v) => v.to_string(),
            Template::Slot { name, .. } if name == "owner" => owner.unwrap_or_default().into(),
            _ => continue,
        };
        query.push((param.clone(), value));
    }
    (path, query)
}

fn with_query(path: &str, query: &[(String, String)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in query {
        q.append_pair(k, v);
    }
    format!("{path}?{}", q.finish())
}

/// The path and query of a next page's URL (absolute or relative to `path`).
fn followed(url: &str, path: &str) -> String {
    let rest = match url.split_once("://") {
        Some((_, rest)) => &rest[rest.find('/').unwrap_or(rest.len())..],
        None => url,
    };
    match rest.strip_prefix('?') {
        Some(q) => format!("{path}?{q}"),
        None => rest.to_owned(),
    }
}

/// One page of a surface's list: the canonical ids it holds, and the request for the next
/// page, if the answer (or the client's own computation) names one.
struct Page {
    ids: Vec<String>,
    next: Option<String>,
}

async fn page(
    addr: SocketAddr,
    s: &Dialect,
    auth: &[(&str, &str)],
    path: &str,
    base: &[(String, String)],
    cursor: Option<&str>,
    target: &str,
) -> Page {
    let l = list(s).unwrap();
    let answer = send(addr, "GET", target, auth, None).await;
    ok(&answer, l.status, &format!("{}: {target}", s.name));
    let body = if answer.body.is_empty() {
        Value::Null
    } else {
        answer.json()
    };
    let items: Vec<Value> = l
        .items_paths
        .iter()
        .find_map(|p| p.get(&body).and_then(Value::as_array).cloned())
        .unwrap_or_default();
    let ids: Vec<String> = items
        .iter()
        .map(|item| {
            let read = s.webhook.read(item).unwrap();
            let id = &read["id"];
            id.as_str().map_or_else(|| id.to_string(), str::to_owned)
        })
        .collect();
    let flag = |p: &Option<hookgate::mapping::json_path::FieldPath>| {
        p.as_ref()
            .and_then(|p| p.get(&body))
            .and_then(Value::as_bool)
    };
    let last = flag(&l.done_path) == Some(true) || flag(&l.more_path) == Some(false);
    let limit_param = l.param_of("limit").unwrap();
    let cursor_param = l.param_of("cursor").unwrap();
    let mut query = base.to_vec();
    query.push((limit_param.into(), "2".into()));
    let next = match l.paging {
        _ if last => None,
        Paging::Link => answer
            .header("link")
            .and_then(|link| link.split_once('<'))
            .and_then(|(_, rest)| rest.split_once('>'))
            .map(|(url, _)| followed(url, path)),
        Paging::Given | Paging::Url => l
            .cursor_path
            .as_ref()
            .and_then(|p| p.get(&body))
            .and_then(Value::as_str)
            .filter(|c| !c.is_empty())
            .map(|c| match l.paging {
                Paging::Url => followed(c, path),
                _ => {
                    query.push((cursor_param.into(), c.into()));
                    with_query(path, &query)
                }
            }),
        computed => {
            let vendor_id = |item: &Value| {
                let id = s.webhook.read(item).unwrap()["id"].clone();
                id.as_str().map_or_else(|| id.to_string(), str::to_owned)
            };
            let short = items.len() < 2;
            let next = computed.following(cursor, items.len(), || items.last().map(vendor_id));
            next.filter(|_| !short).map(|c| {
                query.push((cursor_param.into(), c));
                with_query(path, &query)
            })
        }
    };
    Page { ids, next }
}

/// The cursor a request for a next page names, at the list's cursor parameter.
fn cursor_of(target: &str, param: &str) -> Option<String> {
    let (_, query) = target.split_once('?')?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == param)
        .map(|(_, v)| v.into_owned())
}

#[tokio::test]
async fn a_surface_cuts_its_clients_pages_from_an_upstream_that_answers_every_webhook_at_once() {
    let all = every_dialect();
    let surfaces: Vec<&Dialect> = all.iter().filter(|d| pages(d)).collect();
    let upstreams: Vec<&Dialect> = all.iter().filter(|d| answers_whole(d)).collect();
    assert!(surfaces.len() >= 10, "surfaces that page");
    assert!(upstreams.len() >= 5, "upstreams that answer whole");
    let (mut walked, mut unshown) = (0, Vec::new());
    for u in &upstreams {
        // One gateway per upstream, a surface of each paging vendor in front of it.
        let mut toml = format!(
            "mappings_dir = {TEST_DIALECTS:?}\n[upstreams.{0}]\ndialect = \"{0}\"\nemulate = true\n",
            u.name
        );
        let mut pairs = Vec::new();
        for s in &surfaces {
            let Some(o) = owners(s, u) else {
                continue;
            };
            toml.push_str(&surface(s, u, &o));
            pairs.push((*s, o.client, o.upstream));
        }
        let gw = gateway(&toml).await;
        // The webhooks of each owner the pairs list, made at the upstream.
        let mut made = std::collections::BTreeMap::new();
        for (_, _, owner) in &pairs {
            if !made.contains_key(owner) {
                let mut ids = seed(gw.addr, u, owner.as_deref(), MADE).await;
                ids.sort();
                made.insert(owner.clone(), ids);
            }
        }
        for (s, client, owner) in &pairs {
            let made = &made[owner];
            let what = format!("{} on {}", s.name, u.name);
            let (name, value) = hookgate::auth::present(&s.client_auth, "t0ken").unwrap();
            let auth = [(name.as_str(), value.to_str().unwrap())];
            let prefix = format!("/{}-on-{}", s.name, u.name);
            let (path, base) = list_target(s, &prefix, client.as_deref());
            let l = list(s).unwrap();
            let mut query = base.clone();
            query.push((l.param_of("limit").unwrap().into(), "2".into()));
            let first = with_query(&path, &query);
            // A vendor whose webhooks always hold what the upstream never keeps
            // (`render_required`), or that has no words for the upstream's event types,
            // answers no list of them at all, paged or not: nothing to page.
            let whole = if base.is_empty() {
                path.clone()
            } else {
                with_query(&path, &base)
            };
            let probe = send(gw.addr, "GET", &whole, &auth, None).await;
            if probe.status >= 300 {
                unshown.push(format!(
                    "{what}: {} {}",
                    probe.status,
                    String::from_utf8_lossy(&probe.body)
                ));
                continue;
            }
            let mut seen = Vec::new();
            let mut target = first;
            let mut given = None;
            for n in 0.. {
                assert!(n < 10, "{what}: no last page after 10: {seen:?}");
                let cursor = cursor_of(&target, l.param_of("cursor").unwrap());
                let p = page(gw.addr, s, &auth, &path, &base, cursor.as_deref(), &target).await;
                assert!(p.ids.len() <= 2, "{what}: {target}: {:?}", p.ids);
                seen.extend(p.ids);
                match p.next {
                    Some(next) => {
                        given = given.or(cursor_of(&next, l.param_of("cursor").unwrap()));
                        target = next;
                    }
                    None => break,
                }
            }
            let mut sorted = seen.clone();
            sorted.sort();
            assert_eq!(&sorted, made, "{what}: each webhook once: {seen:?}");
            // A cursor this surface never gave: refused in the vendor's shape, on the
            // vendor's own parameter, never read as the first page.
            let param = l.param_of("cursor").unwrap();
            let given = given.unwrap_or_else(|| panic!("{what}: no cursor given"));
            let forged = match l.paging {
                Paging::Offset | Paging::Page => "zzz".to_owned(),
                Paging::LastId => "we_nobody".to_owned(),
                // The last character changed (to one it is not).
                _ => {
                    let other = if given.ends_with('x') { 'y' } else { 'x' };
                    format!("{}{other}", &given[..given.len() - 1])
                }
            };
            let mut q = base.clone();
            q.push((l.param_of("limit").unwrap().into(), "2".into()));
            q.push((param.into(), forged.clone()));
            let bad = with_query(&path, &q);
            let refused = send(gw.addr, "GET", &bad, &auth, None).await;
            let text = String::from_utf8_lossy(&refused.body).into_owned();
            assert!(
                refused.status == 400 || refused.status == 422,
                "{what}: {bad}: {} {text}",
                refused.status
            );
            assert!(text.contains(param), "{what}: names `{param}`: {text}");
            walked += 1;
        }
        gw.stop().await;
    }
    eprintln!("pairs walked: {walked}; not shown: {unshown:?}");
    assert!(
        walked >= 50,
        "pairs walked: {walked}; not shown: {unshown:?}"
    );
}

#[tokio::test]
async fn a_surface_that_answers_a_list_whole_gathers_every_page_of_an_upstream_that_pages() {
    let all = every_dialect();
    // Upstreams that page with a page size of their own when asked for none, small enough to
    // fill a few pages.
    let upstreams: Vec<(&Dialect, u64)> = all
        .iter()
        .filter(|d| seedable(d))
        .filter_map(|d| {
            let l = list(d)?;
            let size = l.default_limit().filter(|_| l.names_next_page())?;
            (size <= 30).then_some((d, size))
        })
        .collect();
    let surfaces: Vec<&Dialect> = all
        .iter()
        .filter(|d| list(d).is_some_and(|l| !l.names_next_page()))
        .filter(|d| hookgate::auth::present(&d.client_auth, "t0ken").is_some())
        .collect();
    assert!(upstreams.len() >= 2 && surfaces.len() >= 5);
    let mut walked = 0;
    for (u, size) in upstreams {
        let mut toml = format!(
            "mappings_dir = {TEST_DIALECTS:?}\n[upstreams.{0}]\ndialect = \"{0}\"\nemulate = true\n",
            u.name
        );
        let mut pairs = Vec::new();
        for s in &surfaces {
            let Some(o) = owners(s, u) else {
                continue;
            };
            toml.push_str(&surface(s, u, &o));
            pairs.push((*s, o.client, o.upstream));
        }
        let gw = gateway(&toml).await;
        let n = usize::try_from(size).unwrap() * 2 + 1;
        let mut made = std::collections::BTreeMap::new();
        for (_, _, owner) in &pairs {
            if !made.contains_key(owner) {
                let mut ids = seed(gw.addr, u, owner.as_deref(), n).await;
                ids.sort();
                made.insert(owner.clone(), ids);
            }
        }
        for (s, client, owner) in &pairs {
            let made = &made[owner];
            let what = format!("{} on {}", s.name, u.name);
            let (name, value) = hookgate::auth::present(&s.client_auth, "t0ken").unwrap();
            let auth = [(name.as_str(), value.to_str().unwrap())];
            let prefix = format!("/{}-on-{}", s.name, u.name);
            let (path, base) = list_target(s, &prefix, client.as_deref());
            let target = if base.is_empty() {
                path
            } else {
                with_query(&path, &base)
            };
            let answer = send(gw.addr, "GET", &target, &auth, None).await;
            // Webhooks this vendor cannot show (see above): no list at all.
            if answer.status >= 300 {
                continue;
            }
            ok(&answer, list(s).unwrap().status, &what);
            let body = answer.json();
            let items: Vec<Value> = list(s)
                .unwrap()
                .items_paths
                .iter()
                .find_map(|p| p.get(&body).and_then(Value::as_array).cloned())
                .unwrap_or_default();
            let mut ids: Vec<String> = items
                .iter()
                .map(|item| {
                    let id = s.webhook.read(item).unwrap()["id"].clone();
                    id.as_str().map_or_else(|| id.to_string(), str::to_owned)
                })
                .collect();
            ids.sort();
            assert_eq!(&ids, made, "{what}: every webhook of every page, once");
            walked += 1;
        }
        gw.stop().await;
    }
    assert!(walked >= 10, "pairs walked: {walked}");
}

#[tokio::test]
async fn the_canonical_api_honours_limit_and_cursor_where_the_vendor_answers_whole() {
    let all = every_dialect();
    let upstreams: Vec<&Dialect> = all.iter().filter(|d| answers_whole(d)).collect();
    let mut toml = format!("mappings_dir = {TEST_DIALECTS:?}\n");
    for u in &upstreams {
        toml.push_str(&format!(
            "[upstreams.{0}]\ndialect = \"{0}\"\nemulate = true\n",
            u.name
        ));
    }
    let gw = gateway(&toml).await;
    for u in &upstreams {
        let owner = support::owner(u);
        let mut made = seed(gw.addr, u, owner.as_deref(), MADE).await;
        let base = support::canonical_base(u, &u.name);
        // Pages of two, each cursor the one the page before gave, in the vendor's order.
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut cursors = Vec::new();
        for n in 0.. {
            assert!(n < 10, "{}: no last page", u.name);
            let (ids, next) = support::canonical_page(gw.addr, &base, 2, cursor.as_deref()).await;
            assert!(ids.len() <= 2, "{}: {ids:?}", u.name);
            seen.extend(ids);
            match next {
                Some(next) => {
                    cursors.push(next.clone());
                    cursor = Some(next);
                }
                None => break,
            }
        }
        assert_eq!(seen.len(), MADE, "{}: {seen:?}", u.name);
        seen.sort();
        made.sort();
        assert_eq!(seen, made, "{}", u.name);
        // Without a limit, the whole list on one page, as before.
        let whole = send(gw.addr, "GET", &base, &[], None).await;
        ok(&whole, 200, &base);
        assert_eq!(whole.json()["data"].as_array().unwrap().len(), MADE);
        assert_eq!(whole.json()["next_cursor"], Value::Null);
        // The webhook a cursor names, deleted: the page begins where it was.
        let at = cursors[0].clone();
        let (from, _) = support::canonical_page(gw.addr, &base, 2, Some(&at)).await;
        support::delete_webhook(gw.addr, &base, &from[0]).await;
        let (after, _) = support::canonical_page(gw.addr, &base, 2, Some(&at)).await;
        assert_eq!(
            after[0], from[1],
            "{}: resumed where the webhook was",
            u.name
        );
        // The webhook a cursor names and one of the page before, deleted: the next page still
        // begins after the last webhook of the page before, passing over none.
        let (first, at) = support::canonical_page(gw.addr, &base, 2, None).await;
        let at = at.unwrap();
        let (named, _) = support::canonical_page(gw.addr, &base, 2, Some(&at)).await;
        support::delete_webhook(gw.addr, &base, &first[0]).await;
        support::delete_webhook(gw.addr, &base, &named[0]).await;
        let (after, _) = support::canonical_page(gw.addr, &base, 2, Some(&at)).await;
        assert_eq!(after[0], named[1], "{}: none passed over", u.name);
        // A cursor it never gave, or gave for another list, is refused on `cursor`.
        let other = upstreams
            .iter()
            .find(|o| o.name != u.name && support::owner(o) == owner)
            .map(|o| support::canonical_base(o, &o.name));
        let mut never = vec!["zzz".to_owned(), format!("{}A", cursors[0])];
        if let Some(other) = other {
            // The other list's first cursor, which names a webhook this list does not have.
            let (_, c) = support::canonical_page(gw.addr, &other, 2, None).await;
            never.extend(c);
        }
        for c in never {
            let path = format!("{base}?limit=2&cursor={c}");
            let refused = send(gw.addr, "GET", &path, &[], None).await;
            assert_eq!(refused.status, 422, "{path}");
            assert_eq!(refused.json()["errors"][0]["field"], "cursor", "{path}");
        }
    }
    gw.stop().await;
}
