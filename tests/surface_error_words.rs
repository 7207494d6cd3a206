//! A surface's refusals in its vendor's own words: every status a surface answers (its own
//! refusals and its upstream's failures) carries the codes and types the dialect's mapping file
//! declares for a status of that kind, never a canonical code in capitals nor a server's type
//! on a client's error. And a field kept at a resource of the upstream is cleared there as that
//! resource clears it.

mod dropin;
mod support;

use hookgate::mapping::{Dialect, Role};
use hookgate::model::Action;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;
use support::{Answer, Double, Reply, gateway, send, send_raw};

const KEY: &str = "surface-words-key";
/// The largest body the gateway takes here.
const LIMIT: usize = 4096;
const READER: &str = "surface-words-reader";

fn shipped() -> Vec<Dialect> {
    hookgate::mapping::load_dir(std::path::Path::new(support::MAPPINGS)).unwrap()
}

/// The canonical status of a canonical code, as `errors.render` keys and `errors.codes` values
/// name them.
fn canonical_status(code: &str) -> Option<u16> {
    hookgate::problem::Code::ALL
        .iter()
        .find(|c| c.as_str() == code)
        .map(|c| c.status())
}

fn class(status: u16) -> u16 {
    status / 100
}

/// Every string a body holds under a member named `code` or `type`, at any depth.
fn words(body: &Value, out: &mut Vec<String>) {
    match body {
        Value::Object(members) => {
            for (k, v) in members {
                match (k.as_str(), v) {
                    ("code" | "type", Value::String(s)) => out.push(s.clone()),
                    _ => words(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| words(v, out)),
        _ => {}
    }
}

/// The words the mapping file of `name` declares for an answer of `status`: the vendor codes
/// `errors.codes` gives a canonical code of that kind (4xx, 5xx) or its general `bad_request`,
/// the words of a field error's item (on a 4xx), and the `code` and `type` members written
/// out in a render table of a code of that kind
/// (by its own `status`, else its code's). The `default` table is of no status, so its words
/// count only where a table of a status says them too.
fn declared(name: &str, status: u16) -> BTreeSet<String> {
    let file = std::path::Path::new(support::MAPPINGS).join(format!("{name}.toml"));
    let table: toml::Table = std::fs::read_to_string(file).unwrap().parse().unwrap();
    let errors = table["errors"].as_table().unwrap();
    let mut out = BTreeSet::new();
    for (vendor, code) in errors
        .get("codes")
        .and_then(|c| c.as_table())
        .into_iter()
        .flatten()
    {
        let code = code.as_str().unwrap();
        let of_kind = canonical_status(code).is_some_and(|s| class(s) == class(status));
        if of_kind || code == "bad_request" {
            out.insert(vendor.clone());
        }
    }
    // The words of a field error's item (svix's `type`), which only a refusal of a request
    // (a 4xx) lists.
    let items = errors.get("field_errors").and_then(|f| f.as_array());
    for item in items.into_iter().flatten().filter_map(|f| f.get("item")) {
        if class(status) == 4 {
            let mut found = Vec::new();
            words(&serde_json::to_value(item).unwrap(), &mut found);
            out.extend(found.into_iter().filter(|w| !w.contains("{{")));
        }
    }
    for (code, render) in errors["render"].as_table().unwrap() {
        let at = render
            .get("status")
            .and_then(|s| s.as_integer())
            .map(|s| s as u16)
            .or_else(|| canonical_status(code));
        if code == "default" || at.is_none_or(|s| class(s) != class(status)) {
            continue;
        }
        if let Some(body) = render.get("body") {
            let body: Value = serde_json::to_value(body).unwrap();
            let mut found = Vec::new();
            words(&body, &mut found);
            out.extend(found.into_iter().filter(|w| !w.contains("{{")));
        }
    }
    out
}

/// An upstream (any dialect but the surface's, so that the surface translates) and whether
/// the surface bridges one owner to it.
fn upstream_for<'a>(d: &Dialect, all: &'a [Dialect]) -> &'a Dialect {
    let others = || all.iter().filter(|u| u.name != d.name);
    others()
        .find(|u| u.has_owner() == d.has_owner())
        .or_else(|| others().next())
        .expect("another dialect")
}

fn bridged(d: &Dialect, u: &Dialect) -> String {
    match (d.has_owner(), u.has_owner()) {
        (true, false) => format!("owner = {:?}\n", support::owner(d).unwrap()),
        (false, true) => format!("owner = {:?}\n", support::owner(u).unwrap()),
        _ => String::new(),
    }
}

fn an_id(d: &Dialect) -> String {
    dropin::id_text(&d.webhook.read(&d.examples[0]).unwrap()["id"])
}

fn checked(name: &str, what: &str, answer: &Answer) {
    assert!(answer.status >= 400, "{name} {what}: {}", answer.status);
    if answer.body.is_empty() {
        return; // a refusal without a body says no word
    }
    let Ok(body) = serde_json::from_slice::<Value>(&answer.body) else {
        return; // a text refusal
    };
    let allowed = declared(name, answer.status);
    let mut found = Vec::new();
    words(&body, &mut found);
    for word in found {
        assert!(
            allowed.contains(&word),
            "{name} {what}: {} answered `{word}`, which its mapping file declares for no {}xx: {body} (declared: {allowed:?})",
            answer.status,
            class(answer.status)
        );
    }
}

/// For every shipped dialect's surface, its own refusals (401, 403, 405, 415, an
/// unreadable body) and its upstream's failures (404, 409, 429, 500, one unreachable, one too
/// slow) are answered in the words its mapping file declares for their status.
#[tokio::test]
async fn every_surface_refuses_in_its_vendors_words_for_each_status() {
    let all = shipped();
    let failing: [(&str, Reply); 5] = [
        ("404", Reply::json(404, json!({}))),
        ("409", Reply::json(409, json!({}))),
        ("429", Reply::json(429, json!({}))),
        ("500", Reply::json(500, json!({}))),
        (
            "slow",
            Reply::Slow(
                Duration::from_secs(3),
                Box::new(Reply::json(200, json!({}))),
            ),
        ),
    ];
    let mut toml = format!(
        "[limits]\nmax_body_bytes = {LIMIT}\n[url_policy]\nallow_private = true\n{}\
         [[inbound_auth.keys]]\nname = \"reader\"\nsha256 = \"{:x}\"\nscopes = [\"webhooks:read\"]\n",
        support::inbound_key(KEY),
        <sha2::Sha256 as sha2::Digest>::digest(READER.as_bytes())
    );
    let mut doubles = Vec::new();
    for d in &all {
        let u = upstream_for(d, &all);
        let mut bases: Vec<(String, String)> = vec![("down".into(), "http://127.0.0.1:9".into())];
        for (what, reply) in &failing {
            let double = Double::start(vec![reply.clone(); 8]).await;
            bases.push(((*what).into(), double.url()));
            doubles.push(double);
        }
        for (what, base) in &bases {
            let n = format!("{}-{what}", d.name);
            toml += &format!(
                "[upstreams.{n}]\ndialect = \"{u}\"\nbase_url = \"{base}\"\nauth = {{ type = \"none\" }}\n\
                 timeout_ms = 300\nretries = 0\n\
                 [surfaces.{n}]\ndialect = \"{s}\"\nupstream = \"{n}\"\nprefix = \"/{n}\"\n{b}",
                u = u.name,
                s = d.name,
                b = bridged(d, u)
            );
        }
    }
    let running = gateway(&toml).await;
    let key = format!("Bearer {KEY}");
    let auth = [("authorization", key.as_str())];
    for d in &all {
        let u = upstream_for(d, &all);
        // An owner both admit, where both have owners: the client's is the upstream's.
        let owner = support::owner(u)
            .filter(|o| d.admits_owner(o))
            .or_else(|| support::owner(d));
        let base = |what: &str| format!("/{}-{what}{}", d.name, d.base_path);
        let item = |what: &str| {
            let get = d.endpoint(Role::Action(Action::Get)).expect("a get");
            get.path
                .render(&[&base(what)], owner.as_deref(), Some(&an_id(d)))
        };
        let create = d.endpoint(Role::Action(Action::Create)).expect("a create");
        let collection = create.path.render(&[&base("down")], owner.as_deref(), None);
        let verb = create.method.as_str();
        // The upstream's failures, on a read.
        for (what, _) in &failing {
            let answer = send(running.addr, "GET", &item(what), &auth, None).await;
            checked(
                &d.name,
                &format!("a read of an upstream answering {what}"),
                &answer,
            );
        }
        let answer = send(running.addr, "GET", &item("down"), &auth, None).await;
        checked(&d.name, "a read of an unreachable upstream", &answer);
        // The surface's own refusals.
        let body = json!({"url": "https://example.com/a"});
        let answer = send(running.addr, verb, &collection, &[], Some(&body)).await;
        assert_eq!(answer.status, 401, "{}: no key", d.name);
        checked(&d.name, "a create without a key", &answer);
        let reader = format!("Bearer {READER}");
        let answer = send(
            running.addr,
            verb,
            &collection,
            &[("authorization", reader.as_str())],
            Some(&body),
        )
        .await;
        assert_eq!(answer.status, 403, "{}: a reader's create", d.name);
        checked(&d.name, "a reader's create", &answer);
        let answer = send(running.addr, "PATCH", &collection, &auth, Some(&body)).await;
        assert_eq!(answer.status, 405, "{}: PATCH of the collection", d.name);
        checked(&d.name, "a method the collection does not take", &answer);
        let latin = [
            auth[0],
            ("content-type", "application/json; charset=latin-1"),
        ];
        let answer = send(running.addr, verb, &collection, &latin, Some(&body)).await;
        assert_eq!(answer.status, 415, "{}: a body in latin-1", d.name);
        checked(&d.name, "a body in latin-1", &answer);
        let typed = [auth[0], ("content-type", "application/json")];
        let answer = send_raw(running.addr, verb, &collection, &typed, "[1]".into()).await;
        checked(&d.name, "a body that is no object", &answer);
        // Refused at the edge for its declared length, before it is routed or read.
        let large = format!("{{\"url\": \"{}\"}}", "a".repeat(LIMIT));
        let answer = send_raw(running.addr, verb, &collection, &typed, large.into()).await;
        assert_eq!(answer.status, 413, "{}: a body over the limit", d.name);
        checked(&d.name, "a body over the limit", &answer);
        assert_vendor_shape(&d.name, &answer);
    }
    drop(doubles);
}

/// An answer in the vendor's shape, not hookgate's own problem.
fn assert_vendor_shape(name: &str, answer: &support::Answer) {
    let media = answer.header("content-type").unwrap_or("");
    assert!(
        !media.contains("problem+json"),
        "{name}: answered as hookgate's own problem: {}",
        String::from_utf8_lossy(&answer.body)
    );
}

/// A body over the limit sent to a surface on a listener of its own is refused in the
/// surface's vendor's shape, as under a prefix of the main listener.
#[tokio::test]
async fn a_body_over_the_limit_is_refused_in_the_vendors_shape_on_its_own_listener() {
    let all = shipped();
    let mut toml = format!("[limits]\nmax_body_bytes = {LIMIT}\n");
    for d in &all {
        let u = upstream_for(d, &all);
        toml += &format!(
            "[upstreams.{n}-up]\ndialect = \"{u}\"\nemulate = true\n\
             [surfaces.{n}]\ndialect = \"{n}\"\nupstream = \"{n}-up\"\nlisten = \"127.0.0.1:0\"\n{b}",
            n = d.name,
            u = u.name,
            b = bridged(d, u)
        );
    }
    let running = gateway(&toml).await;
    for d in &all {
        let create = d.endpoint(Role::Action(Action::Create)).expect("a create");
        let owner = support::owner(d);
        let collection = create.path.render(&[&d.base_path], owner.as_deref(), None);
        let typed = [("content-type", "application/json")];
        let large = format!("{{\"url\": \"{}\"}}", "a".repeat(LIMIT));
        let addr = running.surfaces[&d.name];
        let answer = send_raw(
            addr,
            create.method.as_str(),
            &collection,
            &typed,
            large.into(),
        )
        .await;
        assert_eq!(answer.status, 413, "{}", d.name);
        checked(&d.name, "a body over the limit", &answer);
        assert_vendor_shape(&d.name, &answer);
    }
}

/// The words a render gives are the vendor's even where the file names no code for a status:
/// a 5xx is spelled with its code for a failure of its own, else its general code, never in
/// capitals of hookgate's own.
#[test]
fn no_status_is_spelled_in_canonical_capitals() {
    for d in shipped() {
        let file = std::path::Path::new(support::MAPPINGS).join(format!("{}.toml", d.name));
        if !std::fs::read_to_string(file).unwrap().contains("{{code}}") {
            continue; // its renders spell every code themselves
        }
        for code in hookgate::problem::Code::ALL {
            let spelled = d.errors.vendor_code(code);
            let named = d.errors.codes.iter().any(|(v, _)| *v == spelled);
            assert!(
                named,
                "{}: {} spelled `{spelled}`, a code its file does not name",
                d.name,
                code.as_str()
            );
        }
    }
}

/// A surface's client that clears a member its upstream keeps at a resource of its own, which
/// takes no `null` for it (Svix's headers, at `…/headers`): the member is cleared there, with a
/// webhook that held some and with one that held none, and in the same request as a change of
/// the webhook's own members.
#[tokio::test]
async fn a_clear_of_a_member_kept_at_a_resource_clears_it_there() {
    const APP: &str = "app_surface";
    let running = gateway(
        "[upstreams.svix]\ndialect = \"svix\"\nemulate = true\n\
         [surfaces.chirp]\ndialect = \"chirp\"\nupstream = \"svix\"\nprefix = \"/chirp\"\n",
    )
    .await;
    let collection = format!("/chirp/v1/organization/apps/{APP}/webhooks");
    let auth = [dropin::AUTH];
    let cases = [
        (json!({"X-A": "1"}), json!({"headers": null})),
        (
            json!({"X-A": "1", "X-B": "2"}),
            json!({"headers": null, "url": "https://example.com/d"}),
        ),
        (json!({}), json!({"headers": null})),
    ];
    for (held, change) in cases {
        let mut create = json!({"url": "https://example.com/c", "events": ["MESSAGE_CREATED"]});
        if held.as_object().is_some_and(|h| !h.is_empty()) {
            create["headers"] = held.clone();
        }
        let made = send(running.addr, "POST", &collection, &auth, Some(&create)).await;
        assert_eq!(made.status, 201, "create: {}", dropin::text(&made));
        let id = dropin::id_text(&made.json()["id"]);
        let item = format!("{collection}/{id}");
        let changed = send(running.addr, "PUT", &item, &auth, Some(&change)).await;
        assert_eq!(changed.status, 200, "{change}: {}", dropin::text(&changed));
        let read = send(
            running.addr,
            "GET",
            &format!("/v1/upstreams/svix/owners/{APP}/webhooks/{id}"),
            &[],
            None,
        )
        .await;
        assert_eq!(read.status, 200, "{}", dropin::text(&read));
        let headers = &read.json()["headers"];
        assert!(
            headers.is_null() || headers == &json!({}),
            "{change} after {held}: headers left {headers}"
        );
        if let Some(url) = change.get("url") {
            assert_eq!(&read.json()["url"], url, "the URL changed with the headers");
        }
    }
}
