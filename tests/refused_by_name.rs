//! What a vendor's value cannot carry is refused by name, in words that say why, before
//! anything reaches the vendor; and a vendor's answer that holds it loses none of it. For every
//! dialect (shipped or in `tests/dialects`) whose file declares the shape, chosen by what it
//! declares:
//!
//! - a header list kept as name and value pairs (a `pairs` codec) that names one header twice,
//!   in any letter case: refused on the canonical API, on a surface in front of the vendor's own
//!   dialect (which relays the client's bytes) and in front of another, and at the emulator;
//!   where the vendor answers such a list, the webhook reads with the list kept as it came;
//! - a value that is no integer (`100.0`, `1e2`, `"100"`) for a rule with a range: refused as
//!   no integer, in the vendor's words where its file gives them, never as out of a range it
//!   lies in.

mod support;

use bytes::Bytes;
use hookgate::mapping::Dialect;
use hookgate::mapping::codec::Codec;
use hookgate::mapping::model::{ClientAuth, CredentialPart, Role};
use hookgate::mapping::rules::Rule;
use hookgate::model::Action;
use hookgate::problem::Code;
use serde_json::{Map, Value, json};
use std::net::SocketAddr;
use std::path::Path;
use support::{Answer, Double, Reply, gateway, send, send_raw};

/// Every folder of mapping files, with its dialects.
fn folders() -> Vec<(&'static str, Vec<Dialect>)> {
    [support::MAPPINGS, support::TEST_DIALECTS]
        .into_iter()
        .map(|dir| (dir, hookgate::mapping::load_dir(Path::new(dir)).unwrap()))
        .collect()
}

fn text(a: &Answer) -> String {
    String::from_utf8_lossy(&a.body).into_owned()
}

/// The headers a client of `d` presents its credential in (inbound keys are off: any will do).
fn credential(d: &Dialect) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = hookgate::auth::present(&d.client_auth, "t")
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
        .into_iter()
        .collect();
    for part in &d.client_auth_parts {
        if let CredentialPart::Header(name) = part {
            out.push((name.to_string(), "x".into()));
        }
    }
    out
}

/// The query a client of `d` presents its credential in, where it takes it there.
fn credential_query(d: &Dialect) -> String {
    let mut pairs = Vec::new();
    if let ClientAuth::Query { name } = &d.client_auth {
        pairs.push(hookgate::auth::query_pair(name, "t"));
    }
    for part in &d.client_auth_parts {
        if let CredentialPart::Query(name) = part {
            pairs.push(hookgate::auth::query_pair(name, "x"));
        }
    }
    pairs.join("&")
}

/// `path` with the credential query of `d`, if any.
fn with_query(d: &Dialect, path: &str) -> String {
    match credential_query(d) {
        q if q.is_empty() => path.to_owned(),
        q if path.contains('?') => format!("{path}&{q}"),
        q => format!("{path}?{q}"),
    }
}

/// Sends `body` (JSON text) as a client of `d` would.
async fn as_client(
    addr: SocketAddr,
    d: &Dialect,
    method: &str,
    path: &str,
    body: String,
) -> Answer {
    let creds = credential(d);
    let mut headers: Vec<(&str, &str)> = creds
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    headers.push(("content-type", "application/json"));
    send_raw(
        addr,
        method,
        &with_query(d, path),
        &headers,
        Bytes::from(body),
    )
    .await
}

/// The journal of an emulator: the requests it received.
async fn received(emulator: SocketAddr) -> usize {
    support::journal(emulator).await.len()
}

/// A vendor request body of `role` around `webhook` (the operation's envelope, if any), at the
/// path for `owner` and `id`, under `prefix`.
fn request(
    d: &Dialect,
    role: Role,
    prefix: &str,
    owner: Option<&str>,
    id: Option<&str>,
    webhook: Value,
) -> Option<(String, String, Value)> {
    let endpoint = d.endpoint(role)?;
    let path = endpoint.path.render(&[prefix, &d.base_path], owner, id);
    let slot = move |name: &str| (name == "webhook").then(|| webhook.clone());
    let body = endpoint.body.as_ref().and_then(|t| t.render(&slot))?;
    Some((endpoint.method.to_string(), path, body))
}

/// The vendor's status for a validation failure.
fn validation_status(d: &Dialect) -> u16 {
    d.errors
        .template_for(Code::ValidationFailed)
        .status
        .unwrap_or(422)
}

// ------------------------------------------------------------------ header names given twice

/// The rule by which `d` keeps `headers` as a list of pairs, with the pair's two members.
fn pairs_rule(d: &Dialect) -> Option<(&Rule, &str, &str)> {
    let rule = d
        .webhook
        .rules
        .iter()
        .find(|r| r.target.is("headers") && r.path.is_some())?;
    match &rule.codec {
        Codec::Pairs { key, value } => Some((rule, key.as_str(), value.as_str())),
        _ => None,
    }
}

/// `X-Dup` given twice, the second time as `second`.
fn twice(key: &str, value: &str, second: &str) -> Value {
    json!([{key: "X-Dup", value: "one"}, {key: "Other", value: "1"}, {key: second, value: "two"}])
}

const SECOND: [&str; 3] = ["X-Dup", "x-dup", "X-DUP"];

/// Whether a configuration of a surface of `p` in front of `u` (in folder `dir`) loads: some
/// pairings need more said of them than this test says.
fn pairs_up(dir: &str, p: &Dialect, u: &Dialect) -> bool {
    let toml = format!(
        "mappings_dir = {dir:?}\n[upstreams.u]\ndialect = \"{}\"\nemulate = true\n\
         [surfaces.s]\ndialect = \"{}\"\nupstream = \"u\"\nprefix = \"/s\"\n",
        u.name, p.name
    );
    std::panic::catch_unwind(|| drop(support::setup(&toml))).is_ok()
}

/// The dialects of the same folder, other than `p`, that `keeps` picks, with owners as `p`
/// has them, that a surface of `p` can stand in front of; each with an owner both take.
fn partners<'a>(
    dir: &str,
    p: &Dialect,
    all: &'a [Dialect],
    keeps: impl Fn(&Dialect) -> bool,
) -> Vec<(&'a Dialect, Option<String>)> {
    all.iter()
        .filter_map(|u| {
            if u.name == p.name
                || u.has_owner() != p.has_owner()
                || !keeps(u)
                || !pairs_up(dir, p, u)
            {
                return None;
            }
            let owner = [support::owner(p), support::owner(u)]
                .into_iter()
                .flatten()
                .find(|o| p.admits_owner(o) && u.admits_owner(o));
            match (p.has_owner(), owner) {
                (false, _) => Some((u, None)),
                (true, Some(o)) => Some((u, Some(o))),
                (true, None) => None,
            }
        })
        .collect()
}

/// Refusals of a header named twice by a client of `p` at `addr` under `prefix`: a create, and
/// every update of webhook `id`; nothing reaches `behind`, the emulator behind a surface.
/// Returns how many were sent.
async fn surface_refuses_twice(
    addr: SocketAddr,
    p: &Dialect,
    (prefix, owner, id): (&str, Option<&str>, Option<&str>),
    behind: Option<SocketAddr>,
    what: &str,
) -> usize {
    let (rule, key, value) = pairs_rule(p).unwrap();
    let before = match behind {
        Some(emulator) => received(emulator).await,
        None => 0,
    };
    let canonical = support::create_body(p);
    let mut sent = 0;
    for (role, action) in [
        (Role::Action(Action::Create), Action::Create),
        (Role::Action(Action::Update), Action::Update),
        (Role::Replace, Action::Update),
    ] {
        if action == Action::Update && id.is_none() {
            continue;
        }
        let Ok(written) = p
            .webhook
            .write(action, canonical.as_object().unwrap(), true)
        else {
            continue;
        };
        for second in SECOND {
            let mut webhook = written.body.clone();
            rule.path
                .as_ref()
                .unwrap()
                .set(&mut webhook, twice(key, value, second));
            let Some((m, path, body)) = request(p, role, prefix, owner, id, webhook) else {
                continue;
            };
            let a = as_client(addr, p, &m, &path, body.to_string()).await;
            let what = format!("{what}: {m} {path} {body}");
            assert_eq!(a.status, validation_status(p), "{what}: {}", text(&a));
            let said = text(&a);
            assert!(
                said.contains(&rule.error_field),
                "{what}: names no member: {said}"
            );
            assert!(
                said.contains(&format!("names `{second}` more than once")),
                "{what}: says not why: {said}"
            );
            sent += 1;
        }
    }
    if let Some(emulator) = behind {
        assert_eq!(
            received(emulator).await,
            before,
            "{what}: the vendor was called"
        );
    }
    sent
}

/// A canonical webhook created at upstream `u` (under `owner`); its id.
async fn created(addr: SocketAddr, u: &Dialect, owner: Option<&str>) -> String {
    let base = match owner {
        Some(o) => format!("/v1/upstreams/{}/owners/{o}/webhooks", u.name),
        None => format!("/v1/upstreams/{}/webhooks", u.name),
    };
    let mut body = support::create_body(u);
    // The owner is the path's.
    body.as_object_mut().unwrap().remove("owner");
    let a = send(addr, "POST", &base, &[], Some(&body)).await;
    assert_eq!(a.status, 201, "{}: {}", u.name, text(&a));
    a.json()["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_header_named_twice_is_refused_by_name_before_the_vendor_hears_of_it() {
    let mut checked = Vec::new();
    for (dir, all) in folders() {
        let pairs: Vec<&Dialect> = all.iter().filter(|d| pairs_rule(d).is_some()).collect();
        // Each dialect with pairs emulated, and a surface of it in front of itself and of a
        // partner that keeps headers otherwise (or as pairs of other names).
        let mut toml = format!("mappings_dir = {dir:?}\n");
        let mut upstreams: Vec<&Dialect> = Vec::new();
        let mut surfaces: Vec<(&Dialect, &Dialect, Option<String>)> = Vec::new();
        for p in &pairs {
            surfaces.push((p, p, support::owner(p)));
            let headers = |u: &Dialect| {
                u.webhook.carries("headers", Action::Create) || u.resource_of("headers").is_some()
            };
            for (u, owner) in partners(dir, p, &all, headers) {
                surfaces.push((p, u, owner));
            }
        }
        for (p, u, _) in &surfaces {
            for d in [*p, *u] {
                if !upstreams.iter().any(|x| x.name == d.name) {
                    upstreams.push(d);
                    toml.push_str(&format!(
                        "[upstreams.{0}]\ndialect = \"{0}\"\nemulate = true\n",
                        d.name
                    ));
                }
            }
            toml.push_str(&format!(
                "[surfaces.{0}-on-{1}]\ndialect = \"{0}\"\nupstream = \"{1}\"\nprefix = \"/s/{0}-on-{1}\"\n",
                p.name, u.name
            ));
        }
        let gw = gateway(&toml).await;
        for (p, u, owner) in &surfaces {
            let emulator = gw.emulators[&u.name];
            let id = created(gw.addr, u, owner.as_deref()).await;
            let prefix = format!("/s/{}-on-{}", p.name, u.name);
            let what = format!("{} over {}", p.name, u.name);
            let owner = owner.as_deref();
            let at = (prefix.as_str(), owner, Some(id.as_str()));
            let n = surface_refuses_twice(gw.addr, p, at, Some(emulator), &what).await;
            assert!(n > 0, "{what}: nothing sent");
            checked.push(what);
        }
        for p in &pairs {
            // The emulator itself, as the vendor refuses it: nothing stored.
            let emulator = gw.emulators[&p.name];
            let owner = support::owner(p);
            let id = created(gw.addr, p, owner.as_deref()).await;
            let what = format!("{} emulator", p.name);
            let base = support::canonical_base(p, &p.name);
            let read = || send(gw.addr, "GET", &base, &[], None);
            let stored = read().await.json();
            let at = ("", owner.as_deref(), Some(id.as_str()));
            surface_refuses_twice(emulator, p, at, None, &what).await;
            assert_eq!(read().await.json(), stored, "{what}: changed");
            // The canonical API: `X-Dup` and `x-dup` are one header, which the vendor's list
            // could only hold twice.
            canonical_refuses_twice(gw.addr, p, owner.as_deref(), &id, emulator).await;
        }
        gw.stop().await;
    }
    // The shipped dialects have one (Talkover's custom_headers); the test dialects several.
    assert!(checked.len() >= 4, "{checked:?}");
}

/// The canonical API refuses headers that would name one header twice at `u`, on create and
/// on update of webhook `id`, as a 422 naming `headers`; nothing reaches `emulator`.
async fn canonical_refuses_twice(
    addr: SocketAddr,
    u: &Dialect,
    owner: Option<&str>,
    id: &str,
    emulator: SocketAddr,
) {
    let base = match owner {
        Some(o) => format!("/v1/upstreams/{}/owners/{o}/webhooks", u.name),
        None => format!("/v1/upstreams/{}/webhooks", u.name),
    };
    let before = received(emulator).await;
    for second in ["x-dup", "X-DUP"] {
        let headers = json!({"X-Dup": "one", "Other": "1", second: "two"});
        let mut create = support::create_body(u);
        create.as_object_mut().unwrap().remove("owner");
        create["headers"] = headers.clone();
        let patch = json!({ "headers": headers });
        for (m, path, body) in [
            ("POST", base.clone(), create),
            ("PATCH", format!("{base}/{id}"), patch),
        ] {
            let a = send(addr, m, &path, &[], Some(&body)).await;
            let what = format!("{}: {m} {path} {body}", u.name);
            assert_eq!(a.status, 422, "{what}: {}", text(&a));
            let problem = a.json();
            assert_eq!(
                problem["code"],
                json!("validation_failed"),
                "{what}: {problem}"
            );
            let errors = problem["errors"].as_array().unwrap();
            assert!(
                errors.iter().any(|e| e["field"] == json!("headers")
                    && e["message"]
                        .as_str()
                        .is_some_and(|m| m.contains(&format!("names `{second}` more than once")))),
                "{what}: {problem}"
            );
        }
    }
    // A merge's read may reach the vendor; no write does.
    let journal = support::journal(emulator).await;
    let writes: Vec<&Value> = journal[before..]
        .iter()
        .filter(|e| e["method"] != json!("GET"))
        .collect();
    assert!(writes.is_empty(), "{}: {writes:?}", u.name);
}

/// The dialect's answer to `action` around `webhook`.
fn envelope(d: &Dialect, action: Action, webhook: &Value) -> Value {
    let template = d.operation(action).and_then(|e| e.response.as_ref());
    let slot = |name: &str| (name == "webhook").then(|| webhook.clone());
    template
        .and_then(|t| t.render(&slot))
        .unwrap_or_else(|| webhook.clone())
}

/// A vendor that answers a list naming one header twice: the webhook reads whole, its headers
/// left out and the vendor's list kept under `extensions` as it came, both values in it; a
/// change that does not touch the headers and writes the webhook whole sends the list back as
/// it came, and one that gives new headers replaces it.
#[tokio::test]
async fn a_vendors_list_naming_a_header_twice_is_kept_as_it_came() {
    let (mut checked, mut sent_back) = (0, 0);
    for (dir, all) in folders() {
        for d in all.iter().filter(|d| pairs_rule(d).is_some()) {
            let (rule, key, value) = pairs_rule(d).unwrap();
            let Some(mut example) = d.examples.first().cloned() else {
                continue;
            };
            let list = twice(key, value, "x-dup");
            rule.path.as_ref().unwrap().set(&mut example, list.clone());
            let read = Reply::json(200, envelope(d, Action::Get, &example));
            let written = Reply::json(200, envelope(d, Action::Update, &example));
            let double = Double::start(vec![
                read.clone(),
                read.clone(),
                written,
                read.clone(),
                read,
            ])
            .await;
            let gw = support::gateway_over(dir, &d.name, &double).await;
            let id = d.webhook.read(&example).unwrap()["id"]
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| "1".into());
            let base = support::canonical_base(d, &d.name);
            let a = send(gw.addr, "GET", &format!("{base}/{id}"), &[], None).await;
            let what = format!("{}: {}", d.name, text(&a));
            assert_eq!(a.status, 200, "{what}");
            let webhook = a.json();
            assert!(webhook.get("headers").is_none(), "{what}");
            let kept = rule.path.as_ref().unwrap().to_string();
            assert_eq!(
                webhook["extensions"][&kept], list,
                "{what}: kept under extensions.{kept}"
            );
            // A change of another member: where the vendor is sent the webhook whole, the list
            // goes back as it came.
            let mut change = json!({"url": "https://example.com/changed"});
            if d.webhook.carries("secret", Action::Update) {
                change["secret"] = json!("fixtureSecretValue1fixtureSecretValue1");
            }
            let a = support::patch(gw.addr, &format!("{base}/{id}"), &change).await;
            let what = format!("{}: {}", d.name, text(&a));
            if a.status != 200 {
                // A change this vendor refuses for reasons of its own, never for the list.
                assert!(!what.contains("headers"), "{what}");
                gw.stop().await;
                checked += 1;
                continue;
            }
            let writes: Vec<Value> = double
                .seen()
                .iter()
                .filter(|s| s.method != "GET")
                .filter_map(support::Seen::json)
                .collect();
            assert_eq!(writes.len(), 1, "{what}");
            let body = match d
                .operation(Action::Update)
                .and_then(|e| e.body_item_path.as_ref())
            {
                Some(at) => at.get(&writes[0]).cloned().unwrap_or(Value::Null),
                None => writes[0].clone(),
            };
            if let Some(sent) = rule.path.as_ref().unwrap().get(&body) {
                assert_eq!(sent, &list, "{what}: sent back otherwise: {body}");
                sent_back += 1;
            }
            gw.stop().await;
            checked += 1;
        }
    }
    assert!(
        checked >= 3 && sent_back >= 1,
        "{checked} read, {sent_back} written whole"
    );
}

// ------------------------------------------------------------------ integers

/// The rules of `d` with a range that a request carries, with their bounds.
fn ranged(d: &Dialect) -> Vec<(&Rule, i64)> {
    use hookgate::mapping::checks::Check;
    d.webhook
        .rules
        .iter()
        .filter(|r| r.request && r.path.is_some() && r.flags.is_none())
        .filter_map(|r| {
            r.checks.iter().find_map(|c| match c {
                Check::Range { min, max } => Some((r, min.or(*max).unwrap_or(0).max(0))),
                _ => None,
            })
        })
        .collect()
}

/// Spellings of `n` that are no JSON integer, the number's own among them.
fn no_integers(n: i64) -> Vec<String> {
    vec![
        format!("{n}.0"),
        format!("{n}E0"),
        format!("{}e-1", n * 10),
        format!("\"{n}\""),
    ]
}

#[tokio::test]
async fn a_number_that_is_no_integer_is_refused_as_such_not_as_out_of_range() {
    let mut checked = Vec::new();
    for (dir, all) in folders() {
        let subjects: Vec<&Dialect> = all.iter().filter(|d| !ranged(d).is_empty()).collect();
        let mut toml = format!("mappings_dir = {dir:?}\n");
        let mut surfaces = Vec::new();
        let mut upstreams: Vec<&Dialect> = Vec::new();
        for s in &subjects {
            // In front of itself, and of every dialect it pairs with.
            let others = partners(dir, s, &all, |_| true);
            let owned = support::owner(s);
            for (u, owner) in std::iter::once((*s, owned)).chain(others) {
                if !upstreams.iter().any(|x| x.name == u.name) {
                    upstreams.push(u);
                    toml.push_str(&format!(
                        "[upstreams.{0}]\ndialect = \"{0}\"\nemulate = true\n",
                        u.name
                    ));
                }
                toml.push_str(&format!(
                    "[surfaces.{0}-on-{1}]\ndialect = \"{0}\"\nupstream = \"{1}\"\nprefix = \"/s/{0}-on-{1}\"\n",
                    s.name, u.name
                ));
                surfaces.push((*s, u, owner));
            }
        }
        let gw = gateway(&toml).await;
        for (s, u, owner) in &surfaces {
            let prefix = format!("/s/{}-on-{}", s.name, u.name);
            let emulator = gw.emulators[&u.name];
            let before = received(emulator).await;
            let what = format!("{} over {}", s.name, u.name);
            integers_refused(gw.addr, s, &prefix, owner.as_deref(), &what).await;
            assert_eq!(
                received(emulator).await,
                before,
                "{what}: the vendor was called"
            );
            checked.push(what);
        }
        for s in &subjects {
            let emulator = gw.emulators[&s.name];
            let what = format!("{} emulator", s.name);
            integers_refused(emulator, s, "", support::owner(s).as_deref(), &what).await;
            canonical_integers_refused(gw.addr, s).await;
        }
        gw.stop().await;
    }
    assert!(checked.len() >= 4, "{checked:?}");
}

/// A create by a client of `s` whose ranged members are each a number that is no integer:
/// refused, each in the vendor's words for a value that is no integer where its file gives
/// them, else as `must be an integer`; never with the words of the range.
async fn integers_refused(
    addr: SocketAddr,
    s: &Dialect,
    prefix: &str,
    owner: Option<&str>,
    what: &str,
) {
    let canonical = support::create_body(s);
    let written = s
        .webhook
        .write(Action::Create, canonical.as_object().unwrap(), true)
        .unwrap();
    for (rule, n) in ranged(s) {
        if !rule.applies_to(Action::Create) {
            continue;
        }
        for spelt in no_integers(n) {
            let mut webhook = written.body.clone();
            rule.path
                .as_ref()
                .unwrap()
                .set(&mut webhook, json!("__N__"));
            let (m, path, body) = request(
                s,
                Role::Action(Action::Create),
                prefix,
                owner,
                None,
                webhook,
            )
            .unwrap();
            let body = body.to_string().replace("\"__N__\"", &spelt);
            let a = as_client(addr, s, &m, &path, body.clone()).await;
            let what = format!("{what}: {m} {path} {body}");
            let said = text(&a);
            assert_eq!(a.status, validation_status(s), "{what}: {said}");
            let words = rule.message("type").unwrap_or("must be an integer");
            assert!(said.contains(words), "{what}: says not `{words}`: {said}");
            if let Some(range) = rule.message("range") {
                assert!(!said.contains(range), "{what}: {said}");
            }
            assert!(!said.contains("must be between"), "{what}: {said}");
        }
    }
}

/// The canonical API refuses such a number for a ranged member with `must be an integer`.
async fn canonical_integers_refused(addr: SocketAddr, s: &Dialect) {
    let base = support::canonical_base(s, &s.name);
    for (rule, n) in ranged(s) {
        let Ok(canonical) = rule.codec.decode(&json!(n)) else {
            continue;
        };
        let Some(n) = canonical.as_i64() else {
            continue;
        };
        let name = rule.target.name();
        for spelt in no_integers(n) {
            let mut body: Map<String, Value> = support::create_body(s).as_object().unwrap().clone();
            rule.target.set(&mut body, json!("__N__"));
            let text_body = Value::Object(body).to_string().replace("\"__N__\"", &spelt);
            let a = send_raw(
                addr,
                "POST",
                &base,
                &[("content-type", "application/json")],
                Bytes::from(text_body.clone()),
            )
            .await;
            let what = format!("{}: {text_body}: {}", s.name, text(&a));
            assert_eq!(a.status, 422, "{what}");
            assert!(
                a.json()["errors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|e| e["field"] == json!(name)
                        && e["message"] == json!("must be an integer")),
                "{what}"
            );
        }
    }
}

/// A header no vendor could send as named (a name that is no token: a space in it, a letter
/// outside ASCII, which a vendor might trim or fold into another header's name) or as valued
/// (a line break, which would end it early) is refused by name on the canonical API, on create
/// and update, wherever headers are kept, before any write reaches the vendor.
#[tokio::test]
async fn a_header_no_vendor_could_send_is_refused_by_name() {
    let mut checked = 0;
    for (dir, all) in folders() {
        let keeps = |u: &&Dialect| {
            u.webhook.carries("headers", Action::Create)
                && u.operation(Action::Update).is_some()
                && support::owner(u).is_some() == u.has_owner()
        };
        for u in all.iter().filter(keeps) {
            let gw = support::gateway_emulating(dir, &u.name).await;
            let emulator = gw.emulators[&u.name];
            let owner = support::owner(u);
            let id = created(gw.addr, u, owner.as_deref()).await;
            let base = support::canonical_base(u, &u.name);
            let before = received(emulator).await;
            for headers in [
                json!({"X-A ": "1"}),
                json!({" X-A": "1"}),
                json!({"X-\u{0430}": "1"}),
                json!({"X:A": "1"}),
                json!({"X-A": "one\r\nX-B: two"}),
                json!({"X-A": "one\ntwo"}),
            ] {
                let mut create = support::create_body(u);
                create.as_object_mut().unwrap().remove("owner");
                create["headers"] = headers.clone();
                for (m, path, body) in [
                    ("POST", base.clone(), create),
                    (
                        "PATCH",
                        format!("{base}/{id}"),
                        json!({ "headers": headers }),
                    ),
                ] {
                    let a = send(gw.addr, m, &path, &[], Some(&body)).await;
                    let what = format!("{}: {m} {path} {body}", u.name);
                    assert_eq!(a.status, 422, "{what}: {}", text(&a));
                    let errors = a.json()["errors"].clone();
                    assert!(
                        errors
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|e| e["field"] == "headers"),
                        "{what}: {errors}"
                    );
                }
            }
            let journal = support::journal(emulator).await;
            let writes: Vec<&Value> = (journal[before..].iter())
                .filter(|e| e["method"] != json!("GET"))
                .collect();
            assert!(writes.is_empty(), "{}: {writes:?}", u.name);
            gw.stop().await;
            checked += 1;
        }
    }
    assert!(checked >= 2, "{checked} upstreams keep headers");
}

/// A list sent where the vendor takes one value (an event type kept as one member, read as a
/// list of one) is refused as such, naming the member: never as "must be an array", which
/// would tell the client to send what it sent. At each emulator of a dialect that keeps a
/// list of one so, on create.
#[tokio::test]
async fn a_list_where_one_value_belongs_is_refused_as_one() {
    let mut checked = 0;
    for (dir, all) in folders() {
        for d in &all {
            let Some(rule) =
                d.webhook.rules.iter().find(|r| {
                    r.target.is("events") && r.request && matches!(r.codec, Codec::Single)
                })
            else {
                continue;
            };
            let Some(owner) = support::owner(d).or_else(|| (!d.has_owner()).then(String::new))
            else {
                continue;
            };
            let owner = Some(owner.as_str()).filter(|o| !o.is_empty());
            let gw = support::gateway_emulating(dir, &d.name).await;
            let emulator = gw.emulators[&d.name];
            let mut webhook = Value::Object(
                d.webhook
                    .write(
                        Action::Create,
                        &support::create_body(d).as_object().unwrap().clone(),
                        true,
                    )
                    .unwrap()
                    .body
                    .as_object()
                    .unwrap()
                    .clone(),
            );
            let at = rule.path.as_ref().unwrap();
            let one = at.get(&webhook).cloned().unwrap_or(json!("x"));
            at.set(&mut webhook, json!([one.clone(), one]));
            let Some((m, p, body)) =
                request(d, Role::Action(Action::Create), "", owner, None, webhook)
            else {
                gw.stop().await;
                continue;
            };
            let a = as_client(emulator, d, &m, &p, body.to_string()).await;
            let what = format!("{}: {m} {p} {body}", d.name);
            assert!((400..500).contains(&a.status), "{what}: {}", text(&a));
            assert!(
                text(&a).contains("must be a single value"),
                "{what}: {}",
                text(&a)
            );
            assert!(
                !text(&a).contains("must be an array"),
                "{what}: {}",
                text(&a)
            );
            gw.stop().await;
            checked += 1;
        }
    }
    assert!(
        checked >= 2,
        "{checked} dialects keep one event type as one member"
    );
}
