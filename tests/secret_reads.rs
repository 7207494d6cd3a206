//! A webhook's signing secret and the keys that read it. Where a vendor shows the secret on
//! every read (`[emulator] secret_shown = "always"`, Paddle's `endpoint_secret_key`), a key
//! with only `webhooks:read` never sees it: not at the emulator, not through a surface that
//! relays the vendor's answers as they are, on no page of a list; its answers show what the
//! vendor's would show of a webhook without a secret (the member's `render_default`, `null`, or
//! nothing), or, where its clients require the secret itself, the key is refused with the
//! vendor's 403. A key that may write sees what the vendor shows, and so does every client
//! where inbound keys are off. The canonical API, and a surface in front of another vendor,
//! show the secret to no read at all.
//!
//! The fixtures are test dialects that answer the secret on every read: `oar.toml` (answered
//! as `""` where there is none), and copies of `square.toml` (left out), of the shipped
//! `agentmessage.toml` made `nullable` (`null`) and of `square.toml` made `render_required`
//! (the reading key refused).

mod support;

use hookgate::mapping::Dialect;
use hookgate::mapping::model::Paging;
use hookgate::mapping::rules::Rule;
use hookgate::model::Action;
use hookgate::problem::Code;
use serde_json::Value;
use std::net::SocketAddr;
use support::{Answer, send};

const READER: &str = "reader-key-0001";
const WRITER: &str = "writer-key-0002";

/// The webhooks made at each upstream: enough for a list of one to a page to have several.
const MADE: usize = 3;

fn keys() -> String {
    use sha2::Digest;
    let hash = |key: &str| format!("{:x}", sha2::Sha256::digest(key.as_bytes()));
    format!(
        "[inbound_auth]\nmode = \"api_keys\"\n\
         [[inbound_auth.keys]]\nname = \"reader\"\nsha256 = \"{}\"\nscopes = [\"webhooks:read\"]\n\
         [[inbound_auth.keys]]\nname = \"writer\"\nsha256 = \"{}\"\nscopes = [\"webhooks:read\", \"webhooks:write\"]\n",
        hash(READER),
        hash(WRITER)
    )
}

/// A folder of the fixture dialects: `oar` as it is; `square`, `agentmessage` (made
/// `nullable`) and `quad` (`square` made `render_required`), each showing its secret on every
/// read.
fn fixtures() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let read = |path: String| std::fs::read_to_string(path).unwrap();
    let always = |text: String, emulator: &str| {
        let edited = text.replacen(
            emulator,
            &format!("{emulator}secret_shown = \"always\"\n"),
            1,
        );
        assert_ne!(edited, text, "no {emulator:?}");
        edited
    };
    let edit = |text: String, from: &str, to: &str| {
        let edited = text.replacen(from, to, 1);
        assert_ne!(edited, text, "no {from:?}");
        edited
    };
    let square = always(
        read(format!("{}/square.toml", support::TEST_DIALECTS)),
        "secret = \"base64\"\n",
    );
    // Its example with the key its answers always hold.
    let quad = edit(
        edit(
            square.clone(),
            "path = \"$.signature_key\"\n",
            "path = \"$.signature_key\"\nrender_required = true\n",
        ),
        "[[examples]]\n",
        "[[examples]]\nsignature_key = \"1k9bIJKCeTmSQwyagtNRLg\"\n",
    );
    let agentmessage = edit(
        always(
            read(format!("{}/agentmessage.toml", support::MAPPINGS)),
            "secret = \"base64\"               # minted on create and rotate-secret, shown once\n",
        ),
        "[fields.secret]\npath = \"$.secret\"\n",
        "[fields.secret]\npath = \"$.secret\"\nnullable = true\n",
    );
    // Its example with no secret shown, as `null` now says.
    let agentmessage = edit(
        agentmessage,
        "\"active\": true,",
        "\"active\": true, \"secret\": null,",
    );
    let oar = read(format!("{}/oar.toml", support::TEST_DIALECTS));
    for (name, text) in [
        ("oar", oar),
        ("square", square),
        ("quad", quad),
        ("agentmessage", agentmessage),
    ] {
        std::fs::write(dir.path().join(format!("{name}.toml")), text).unwrap();
    }
    dir
}

/// The configuration of a gateway with an emulator of `d` (`vendor`) and one of `other`, a
/// surface of `d` relaying to its emulator (`/r`), one of `d` in front of `other` (`/t`); and
/// `auth`.
fn config(dir: &std::path::Path, d: &Dialect, other: &Dialect, auth: &str) -> String {
    let (name, other) = (&d.name, &other.name);
    format!(
        "mappings_dir = {dir:?}\n\
         [upstreams.vendor]\ndialect = \"{name}\"\nemulate = true\n\
         [upstreams.other]\ndialect = \"{other}\"\nemulate = true\n\
         [surfaces.relayed]\ndialect = \"{name}\"\nupstream = \"vendor\"\nprefix = \"/r\"\n\
         [surfaces.translated]\ndialect = \"{name}\"\nupstream = \"other\"\nprefix = \"/t\"\n{auth}"
    )
}

/// The rule by which `d`'s webhooks show their secret.
fn secret_rule(d: &Dialect) -> &Rule {
    d.webhook
        .reading("secret")
        .filter(|r| r.response)
        .unwrap_or_else(|| panic!("{}: answers no secret", d.name))
}

/// Makes [`MADE`] webhooks at upstream `upstream` of dialect `d` with the writer's key, on the
/// canonical API: their ids and the secrets minted for them, which the creates show once.
async fn made(addr: SocketAddr, d: &Dialect, upstream: &str) -> Vec<(String, String)> {
    let base = support::canonical_base(d, upstream);
    let mut out = Vec::new();
    for n in 0..MADE {
        let mut body = support::create_body(d);
        body["url"] = Value::from(format!("https://example.com/hooks/{n}"));
        let answer = send(addr, "POST", &base, &[("x-api-key", WRITER)], Some(&body)).await;
        support::ok(&answer, 201, &format!("{}: a create", d.name));
        let made = answer.json();
        let secret = made["secret"].as_str();
        let secret = secret.unwrap_or_else(|| panic!("{}: no secret minted: {made}", d.name));
        out.push((made["id"].as_str().unwrap().to_owned(), secret.to_owned()));
    }
    out
}

/// Every page of `d`'s list at `addr` under `prefix`, one webhook to a page, asked with
/// `headers`: each answer, and the webhooks listed in it.
async fn every_page(
    addr: SocketAddr,
    d: &Dialect,
    prefix: &str,
    headers: &[(&str, &str)],
) -> Vec<(Answer, Vec<Value>)> {
    let list = d.operation(Action::List).unwrap();
    let first = list.path.render(&[prefix, &d.base_path], None, None);
    let limit = list.param_of("limit").unwrap();
    let mut path = format!("{first}?{limit}=1");
    let mut pages = Vec::new();
    for _ in 0..=MADE + 1 {
        let answer = send(addr, "GET", &path, headers, None).await;
        support::ok(&answer, 200, &format!("{}: {path}", d.name));
        let body = answer.json();
        let items = (list.items_paths.iter()).find_map(|at| at.get(&body).filter(|i| i.is_array()));
        let items = match items.cloned() {
            Some(Value::Array(items)) => items,
            other => panic!("{}: {path}: no items but {other:?}", d.name),
        };
        let next = list.cursor_path.as_ref().and_then(|at| at.get(&body));
        let next = next.and_then(Value::as_str).filter(|n| !n.is_empty());
        let next = match (list.paging, next) {
            (_, None) => None,
            // A next page's URL, on the gateway: its path and query.
            (Paging::Url, Some(url)) => {
                let url: http::Uri = url.parse().unwrap();
                Some(url.path_and_query().unwrap().to_string())
            }
            (Paging::Given, Some(cursor)) => {
                let param = list.param_of("cursor").unwrap();
                Some(format!("{first}?{limit}=1&{param}={cursor}"))
            }
            (paging, _) => panic!("{}: a fixture paged by {paging:?}", d.name),
        };
        pages.push((answer, items));
        match next {
            Some(next) => path = next,
            None => return pages,
        }
    }
    panic!("{}: more pages than webhooks", d.name)
}

/// What `d`'s answer shows where a webhook's secret would be.
fn shown_secret(d: &Dialect, webhook: &Value) -> Option<Value> {
    let rule = secret_rule(d);
    rule.path.as_ref().unwrap().get(webhook).cloned()
}

/// What `d` shows of a webhook whose secret is not shown: its `render_default`, `null` where
/// its vendor reports one so, else nothing.
fn no_secret(d: &Dialect) -> Option<Value> {
    let rule = secret_rule(d);
    (rule.render_default.clone()).or_else(|| rule.nullable.then_some(Value::Null))
}

/// Whether any of `secrets` is in `answer`, anywhere.
fn holds_any(answer: &Answer, secrets: &[(String, String)]) -> bool {
    let text = String::from_utf8_lossy(&answer.body);
    secrets.iter().any(|(_, s)| text.contains(s.as_str()))
}

/// The gets and every page of the list of `d` at `addr` under `prefix`, with `headers`: the
/// secret each webhook shows is its own (`shown`) or the one of a webhook without one, and no
/// answer holds any other.
async fn reads_show(
    addr: SocketAddr,
    d: &Dialect,
    prefix: &str,
    headers: &[(&str, &str)],
    secrets: &[(String, String)],
    shown: bool,
) {
    let what = |step: &str| format!("{} {prefix} {headers:?}: {step}", d.name);
    let expected = |id: &str| match shown {
        true => secrets
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, s)| Value::from(s.as_str())),
        false => no_secret(d),
    };
    let get = d.operation(Action::Get).unwrap();
    for (id, _) in secrets {
        let path = get.path.render(&[prefix, &d.base_path], None, Some(id));
        let answer = send(addr, "GET", &path, headers, None).await;
        support::ok(&answer, 200, &what(&path));
        let body = answer.json();
        let webhook = (get.item_paths.iter())
            .find_map(|at| at.get(&body).filter(|w| w.is_object()))
            .unwrap_or_else(|| panic!("{}: {body}", what(&path)));
        assert_eq!(shown_secret(d, webhook), expected(id), "{}", what(&path));
        if !shown {
            assert!(!holds_any(&answer, secrets), "{}", what(&path));
        }
    }
    let pages = every_page(addr, d, prefix, headers).await;
    assert_eq!(pages.len(), MADE, "{}", what("one webhook to a page"));
    for (answer, items) in pages {
        for webhook in items {
            let id = webhook["id"].as_str().unwrap();
            assert_eq!(
                shown_secret(d, &webhook),
                expected(id),
                "{}",
                what("a list")
            );
        }
        if !shown {
            assert!(!holds_any(&answer, secrets), "{}", what("a list"));
        }
    }
}

/// The canonical API's gets and lists of upstream `upstream` (of dialect `d`) show none of
/// `secrets`, to the reader or the writer.
async fn canonical_reads_show_none(
    addr: SocketAddr,
    d: &Dialect,
    upstream: &str,
    secrets: &[(String, String)],
) {
    let base = support::canonical_base(d, upstream);
    for key in [READER, WRITER] {
        let mut paths: Vec<String> = secrets
            .iter()
            .map(|(id, _)| format!("{base}/{id}"))
            .collect();
        paths.push(base.clone());
        paths.push(format!("{base}?limit=1"));
        for path in paths {
            let answer = send(addr, "GET", &path, &[("x-api-key", key)], None).await;
            support::ok(&answer, 200, &path);
            assert!(
                !holds_any(&answer, secrets),
                "{}: {path} with {key}: {}",
                d.name,
                String::from_utf8_lossy(&answer.body)
            );
        }
    }
}

fn load(dir: &std::path::Path) -> Vec<Dialect> {
    hookgate::mapping::load_dir(dir).unwrap()
}

#[tokio::test]
async fn a_reading_key_never_sees_a_secret_the_vendor_shows_on_every_read() {
    let dir = fixtures();
    let dialects = load(dir.path());
    let shown_on_reads: Vec<&Dialect> = dialects
        .iter()
        .filter(|d| !secret_rule(d).render_required)
        .collect();
    assert_eq!(shown_on_reads.len(), 3);
    for (i, d) in shown_on_reads.iter().enumerate() {
        let other = shown_on_reads[(i + 1) % shown_on_reads.len()];
        let gw = support::gateway(&config(dir.path(), d, other, &keys())).await;
        let secrets = made(gw.addr, d, "vendor").await;
        let theirs = made(gw.addr, other, "other").await;
        let emulator = gw.emulators["vendor"];
        // The key as the vendor's clients present it, or in `X-Api-Key`.
        let bearer = format!("Bearer {READER}");
        for reader in [
            [("x-api-key", READER)],
            [("authorization", bearer.as_str())],
        ] {
            reads_show(emulator, d, "", &reader, &secrets, false).await;
            reads_show(gw.addr, d, "/r", &reader, &secrets, false).await;
        }
        let writer = [("x-api-key", WRITER)];
        reads_show(emulator, d, "", &writer, &secrets, true).await;
        reads_show(gw.addr, d, "/r", &writer, &secrets, true).await;
        // The canonical API, and a surface in front of another vendor that shows its secrets
        // on every read: none, whatever the key.
        canonical_reads_show_none(gw.addr, d, "vendor", &secrets).await;
        canonical_reads_show_none(gw.addr, other, "other", &theirs).await;
        for key in [READER, WRITER] {
            let headers = [("x-api-key", key)];
            for (answer, _) in every_page(gw.addr, d, "/t", &headers).await {
                let what = format!("{} in front of {}: {key}", d.name, other.name);
                assert!(!holds_any(&answer, &theirs), "{what}");
            }
        }
        gw.stop().await;

        // Keys off: every client sees what the vendor shows.
        let gw = support::gateway(&config(dir.path(), d, other, "")).await;
        let secrets = made(gw.addr, d, "vendor").await;
        let anyone = [("authorization", "Bearer anything")];
        reads_show(gw.emulators["vendor"], d, "", &anyone, &secrets, true).await;
        reads_show(gw.addr, d, "/r", &anyone, &secrets, true).await;
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_reading_key_is_refused_where_every_answer_holds_the_secret() {
    let dir = fixtures();
    let dialects = load(dir.path());
    let d = dialects.iter().find(|d| d.name == "quad").unwrap();
    let other = dialects.iter().find(|d| d.name == "oar").unwrap();
    let gw = support::gateway(&config(dir.path(), d, other, &keys())).await;
    let secrets = made(gw.addr, d, "vendor").await;
    let (get, list) = (
        d.operation(Action::Get).unwrap(),
        d.operation(Action::List).unwrap(),
    );
    let forbidden = d.errors.template_for(Code::Forbidden).status.unwrap_or(403);
    for (addr, prefix) in [(gw.emulators["vendor"], ""), (gw.addr, "/r")] {
        let mut paths: Vec<String> = (secrets.iter())
            .map(|(id, _)| get.path.render(&[prefix, &d.base_path], None, Some(id)))
            .collect();
        paths.push(list.path.render(&[prefix, &d.base_path], None, None));
        for path in paths {
            let answer = send(addr, "GET", &path, &[("x-api-key", READER)], None).await;
            let text = String::from_utf8_lossy(&answer.body);
            assert_eq!(answer.status, forbidden, "{path}: {text}");
            assert!(text.contains("webhooks:write"), "{path}: {text}");
            assert!(!holds_any(&answer, &secrets), "{path}: {text}");
        }
        reads_show(addr, d, prefix, &[("x-api-key", WRITER)], &secrets, true).await;
    }
    // The surface's refusals reached no vendor: the emulator's journal holds its own
    // refusals alone.
    let journal = send(
        gw.emulators["vendor"],
        "GET",
        "/__hookgate/journal",
        &[("x-api-key", READER)],
        None,
    )
    .await;
    let entries = journal.json()["entries"].as_array().unwrap().clone();
    let refused = entries.iter().filter(|e| e["status"] == forbidden).count();
    assert_eq!(refused, MADE + 1, "{entries:?}");
    gw.stop().await;
}

/// Paddle's documented notification setting, as its get answers it, with `extra` members.
fn documented(extra: &str) -> String {
    format!(
        r#"{{"data": {{"id": "ntfset_01gkpjp8bkm3tm53kdgkx6sms7", "description": "Slack notifications",
        "type": "url", "destination": "https://hooks.slack.com/example", "active": true,
        "api_version": 1, "include_sensitive_fields": false, "traffic_source": "all",
        "subscribed_events": [], {extra}
        "endpoint_secret_key": "pdl_ntfset_01gkpjp8bkm3tm53kdgkx6sms7_6h3qd3uFSi9YCD3OLYAShQI90XTI5vEI"}},
        "meta": {{"request_id": "5e2c6b3f-8e7a-4c1e-9f3b-2a4d6c8e0f12"}}}}"#
    )
}

#[tokio::test]
async fn a_relayed_answer_is_changed_for_a_reading_key_only_where_it_shows_the_secret() {
    let raw = |body: String| support::Reply::Raw {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body,
    };
    let huge = r#""sequence": 123456789012345678901234567890,"#;
    // A success of a shape the mapping file does not read a webhook from: its secret cannot
    // be found to be taken out.
    let elsewhere = documented("").replacen("\"data\"", "\"result\"", 1);
    let vendor = support::Double::start(vec![
        raw(documented("")),
        raw(documented(huge)),
        raw(documented(huge)),
        raw(elsewhere.clone()),
        raw(elsewhere),
    ])
    .await;
    let gw = support::gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.oar]\ndialect = \"oar\"\nbase_url = {:?}\n\
         auth = {{ type = \"none\" }}\n[url_policy]\nallow_private = true\n\
         [surfaces.relayed]\ndialect = \"oar\"\nupstream = \"oar\"\nprefix = \"/r\"\n{}",
        support::TEST_DIALECTS,
        vendor.url(),
        keys()
    ))
    .await;
    let path = "/r/notification-settings/ntfset_01gkpjp8bkm3tm53kdgkx6sms7";
    let secret = "pdl_ntfset_01gkpjp8bkm3tm53kdgkx6sms7";
    // The secret member as a webhook without one shows it; every other member as sent.
    let read = send(gw.addr, "GET", path, &[("x-api-key", READER)], None).await;
    support::ok(&read, 200, "a reading key");
    let mut expected: Value = serde_json::from_str(&documented("")).unwrap();
    expected["data"]["endpoint_secret_key"] = Value::from("");
    assert_eq!(read.json(), expected);
    // An answer that could not be written again exactly without its secret: refused to the
    // reading key, in the vendor's shape, and passed on as it came to the writing one.
    let refused = send(gw.addr, "GET", path, &[("x-api-key", READER)], None).await;
    let text = String::from_utf8_lossy(&refused.body);
    assert_eq!(refused.status, 403, "{text}");
    assert!(
        text.contains("webhooks:write") && !text.contains(secret),
        "{text}"
    );
    let written = send(gw.addr, "GET", path, &[("x-api-key", WRITER)], None).await;
    assert_eq!(written.body, documented(huge).as_bytes());
    let refused = send(gw.addr, "GET", path, &[("x-api-key", READER)], None).await;
    let text = String::from_utf8_lossy(&refused.body);
    assert_eq!(refused.status, 403, "a shape of its own: {text}");
    assert!(!text.contains(secret), "{text}");
    let written = send(gw.addr, "GET", path, &[("x-api-key", WRITER)], None).await;
    assert!(String::from_utf8_lossy(&written.body).contains(secret));
    assert_eq!(vendor.seen().len(), 5);
    gw.stop().await;
}

#[tokio::test]
async fn a_vendor_that_shows_the_secret_on_every_read_shows_its_clients_own_on_create() {
    // Oar as it would be if its clients chose the secret.
    let dir = support::dialects_with(&[(
        "oar",
        "path = \"$.endpoint_secret_key\"\nin = [\"response\"]\n",
        "path = \"$.endpoint_secret_key\"\n",
    )]);
    let gw = support::gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.vendor]\ndialect = \"oar\"\nemulate = true\n",
        dir.path()
    ))
    .await;
    let emulator = gw.emulators["vendor"];
    let anyone = [("authorization", "Bearer anything")];
    let body = serde_json::json!({"description": "Ops", "destination": "https://example.com/h",
        "type": "url", "subscribed_events": ["transaction.completed"],
        "endpoint_secret_key": "pdl_ntfset_chosen-by-the-client"});
    let made = send(
        emulator,
        "POST",
        "/notification-settings",
        &anyone,
        Some(&body),
    )
    .await;
    support::ok(&made, 201, "create");
    let shown = &made.json()["data"]["endpoint_secret_key"];
    assert_eq!(shown, "pdl_ntfset_chosen-by-the-client", "{}", made.json());
    let id = made.json()["data"]["id"].as_str().unwrap().to_owned();
    let read = send(
        emulator,
        "GET",
        &format!("/notification-settings/{id}"),
        &anyone,
        None,
    )
    .await;
    assert_eq!(&read.json()["data"]["endpoint_secret_key"], shown);
    gw.stop().await;
}
