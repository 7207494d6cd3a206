//! py-trello (0.20.1, installed from PyPI into a virtual environment the first time), the
//! community's Python client for Trello, a client nobody here wrote, driven by
//! `tests/sdk/trello_webhooks.py` against `tests/dialects/cork.toml`, a vendor spelt as Trello's
//! webhooks: a credential of two parts in every request's query (`?key=…&token=…`), a token's
//! webhooks listed (a bare array) and created under the token, changed and deleted by their id
//! alone, a webhook that watches one model rather than event types, ids of 24 hex digits, a
//! delete that answers `{"_value": null}`, refusals in plain text. Against its emulator, and through its surface in front of an emulator of
//! another vendor. A request without either part is refused with 401 and the client raises;
//! the emulator's journal shows neither part. py-trello's own `create_hook`, which sends the key
//! in a form body and the token in its path alone, is refused as a request without its
//! credential, and makes nothing. The canonical API speaks to the same emulator, the token
//! as the owner and the model watched as the one event.

mod support;

use serde_json::{Map, Value, json};
use std::net::SocketAddr;
use support::gateway;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sdk/trello_webhooks.py");
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
/// The two parts of the client's credential: values that no answer or path holds by chance.
const KEY: &str = "k3y-0f-the-app";
const TOKEN: &str = "t0ken-0f-the-member";
const BOARD: &str = "4d5ea62fd76aa1136000000c";
const CARD: &str = "5a1b2c3d4e5f60718293a4b5";

/// Runs the script against `base` with the credential above; its steps by name.
async fn drive(base: String, form: bool) -> Map<String, Value> {
    let python = support::sdk::python_with("py-trello", "0.20.1");
    let mut args = vec![base, KEY.to_owned(), TOKEN.to_owned()];
    if form {
        args.push("--form".to_owned());
    }
    support::sdk::steps(python, SCRIPT, args).await
}

/// The emulator of Cork, alone.
async fn cork() -> hookgate::app::Running {
    gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.cork]\ndialect = \"cork\"\nemulate = true\n"
    ))
    .await
}

/// What every run must show, wherever the webhooks are kept.
fn the_client_saw_trellos_answers(steps: &Map<String, Value>) {
    let made = &steps["list"]["made"];
    let id = &steps["create"]["id"];
    assert!(made.as_array().unwrap().contains(id), "{steps:?}");
    let webhook = json!({"id": id, "description": "Board activity", "idModel": BOARD,
        "callbackURL": "https://example.com/trello/1", "active": true,
        "consecutiveFailures": 0, "firstConsecutiveFailDate": null});
    assert_eq!(steps["create"], webhook);
    // The token's list holds both, as py-trello's `WebHook`s read them: the second, made
    // inactive and without a description, with Trello's empty one.
    let other = made.as_array().unwrap().iter().find(|m| *m != id).unwrap();
    assert_eq!(
        steps["list"]["hooks"],
        json!([
            {"id": id, "desc": "Board activity", "id_model": BOARD,
             "callback_url": "https://example.com/trello/1", "active": true},
            {"id": other, "desc": "", "id_model": CARD,
             "callback_url": "https://example.com/trello/2", "active": false},
        ])
    );
    assert_eq!(steps["get"], webhook);
    let mut updated = webhook.clone();
    updated["description"] = json!("Paused");
    updated["active"] = json!(false);
    assert_eq!(steps["update"], updated);
    // `WebHook.delete()`, then the list without it.
    assert_eq!(steps["delete"], json!([other]));
    assert_eq!(steps["missing"]["raised"], "ResourceUnavailable");
    assert_eq!(steps["missing"]["status"], 404);
    assert_eq!(
        steps["invalid"],
        json!({"raised": "ResourceUnavailable", "status": 400,
               "body": "callbackURL: must be a valid URL"})
    );
    for (step, part) in [("no key", "key"), ("no token", "token")] {
        assert_eq!(
            steps[step],
            json!({"raised": "Unauthorized", "status": 401,
                   "body": format!("missing credentials in the query parameter {part}")}),
            "{step}"
        );
    }
}

/// Neither part of the credential is in the journal of `emulator`, but for the token where
/// Trello's own paths name it: the owner of `/1/tokens/{token}/webhooks`.
async fn the_journal_shows_no_credential(emulator: SocketAddr) -> Vec<Value> {
    let journal = support::journal(emulator).await;
    assert!(!journal.is_empty());
    for entry in &journal {
        let mut shown = entry.clone();
        let path = shown["path"].take();
        let path = path.as_str().unwrap();
        let text = shown.to_string();
        assert!(!text.contains(KEY) && !text.contains(TOKEN), "{entry}");
        assert!(!path.contains(KEY), "{entry}");
        assert!(
            !path.contains(TOKEN) || path.starts_with(&format!("/1/tokens/{TOKEN}/webhooks")),
            "{entry}"
        );
    }
    journal
}

#[tokio::test]
async fn the_client_works_against_the_emulator() {
    let gw = cork().await;
    let emulator = gw.emulators["cork"];
    let steps = drive(format!("http://{emulator}"), false).await;
    the_client_saw_trellos_answers(&steps);
    // Ids as Trello's are: 24 hex digits.
    for id in steps["list"]["made"].as_array().unwrap() {
        let id = id.as_str().unwrap();
        assert!(
            id.len() == 24
                && id
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{id}"
        );
    }
    let journal = the_journal_shows_no_credential(emulator).await;
    // Every call the client made with its credential shows both parts, redacted; each refused
    // one shows the part it had.
    let queries: Vec<(&str, u64)> = journal
        .iter()
        .map(|e| (e["query"].as_str().unwrap(), e["status"].as_u64().unwrap()))
        .collect();
    let whole = "key=[redacted]&token=[redacted]";
    let refused: Vec<&(&str, u64)> = queries.iter().filter(|(q, _)| *q != whole).collect();
    assert_eq!(queries.len() - refused.len(), 9, "{queries:?}");
    assert_eq!(
        refused,
        [&("token=[redacted]", 401), &("key=[redacted]", 401)]
    );
}

#[tokio::test]
async fn the_clients_create_hook_is_refused_without_its_credential_in_the_query() {
    let gw = cork().await;
    let emulator = gw.emulators["cork"];
    let steps = drive(format!("http://{emulator}"), true).await;
    // The key goes in a form body and the token in the path alone, where Trello reads them and
    // Cork asks for neither: a request without its credential, which makes nothing.
    assert_eq!(
        steps["create_hook"],
        "Webhook creating failed: missing credentials in the query parameter token"
    );
    assert_eq!(steps["list"], json!([]));
    let journal = support::journal(emulator).await;
    assert_eq!(journal[0]["method"], "POST");
    assert_eq!(journal[0]["status"], 401);
    assert_eq!(
        journal[0]["headers"]["content-type"],
        "application/x-www-form-urlencoded"
    );
    // A request refused for its credential is journaled without its body: the key in the
    // form is not kept, not even redacted.
    assert_eq!(journal[0]["body"], json!(null), "{}", journal[0]);
    assert!(!journal[0].to_string().contains(KEY), "{}", journal[0]);
}

#[tokio::test]
async fn the_client_works_through_its_surface_in_front_of_another_vendor() {
    // Trello's webhooks belong to the token that made them, which names them in the paths of a
    // list, a create and a read; a change and a delete name the webhook's id alone. Relay names
    // its project on every call, so the surface serves one owner there: the client's token.
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [surfaces.cork]\ndialect = \"cork\"\nupstream = \"relay\"\nprefix = \"/cork\"\nowner = {TOKEN:?}\n"
    ))
    .await;
    let steps = drive(format!("http://{}/cork", gw.addr), false).await;
    the_client_saw_trellos_answers(&steps);
    // What Relay keeps: the model watched as its one topic, the inactive webhook disabled.
    let hooks = support::relay_hooks(gw.emulators["relay"], TOKEN).await;
    assert_eq!(hooks.len(), 1, "{hooks:?}");
    assert_eq!(hooks[0]["topics"], json!([CARD]), "{}", hooks[0]);
    assert_eq!(hooks[0]["disabled"], true, "{}", hooks[0]);
    assert_eq!(
        hooks[0]["target"]["url"], "https://example.com/trello/2",
        "{}",
        hooks[0]
    );
    // The client's credential is its own at the surface: no part of it is passed to Relay.
    for entry in support::journal(gw.emulators["relay"]).await {
        assert!(entry.get("query").is_none(), "{entry}");
        assert!(!entry.to_string().contains(KEY), "{entry}");
    }
}

#[tokio::test]
async fn the_canonical_api_speaks_to_it_by_token() {
    // The gateway's side of the same file: the token is the owner, the model the one event.
    let gw = cork().await;
    let hooks = format!("/v1/upstreams/cork/owners/{TOKEN}/webhooks");
    let made = support::send(
        gw.addr,
        "POST",
        &hooks,
        &[],
        Some(
            &json!({"url": "https://example.com/c", "events": [BOARD], "description": "Canonical"}),
        ),
    )
    .await;
    support::ok(&made, 201, "create");
    let made = made.json();
    assert_eq!(made["owner"], TOKEN, "{made}");
    assert_eq!(made["events"], json!([BOARD]), "{made}");
    assert_eq!(made["enabled"], true, "{made}");
    assert_eq!(
        made["extensions"],
        json!({"consecutiveFailures": 0, "firstConsecutiveFailDate": null})
    );
    // A webhook watches one model: two are no list Trello can keep.
    let two = support::send(
        gw.addr,
        "POST",
        &hooks,
        &[],
        Some(&json!({"url": "https://example.com/c", "events": [BOARD, CARD]})),
    )
    .await;
    support::ok(&two, 422, "two models");
    let one = format!("{hooks}/{}", made["id"].as_str().unwrap());
    let paused = support::send(
        gw.addr,
        "PATCH",
        &one,
        &[],
        Some(&json!({"enabled": false})),
    )
    .await;
    support::ok(&paused, 200, "update");
    assert_eq!(paused.json()["enabled"], false);
    let listed = support::send(gw.addr, "GET", &hooks, &[], None).await;
    support::ok(&listed, 200, "list");
    assert_eq!(listed.json()["data"][0]["description"], "Canonical");
    support::ok(
        &support::send(gw.addr, "DELETE", &one, &[], None).await,
        204,
        "delete",
    );
    // Trello's answer to a delete, `null` and all.
    let other = support::send(
        gw.addr,
        "POST",
        &hooks,
        &[],
        Some(&json!({"url": "https://example.com/d", "events": [CARD]})),
    )
    .await;
    support::ok(&other, 201, "another");
    let deleted = support::send(
        gw.emulators["cork"],
        "DELETE",
        &format!(
            "/1/webhooks/{}?key={KEY}&token={TOKEN}",
            other.json()["id"].as_str().unwrap()
        ),
        &[],
        None,
    )
    .await;
    support::ok(&deleted, 200, "a client's delete");
    assert_eq!(deleted.json(), json!({"_value": null}));
    // Cork refuses in text, as Trello does: its words are the problem's.
    let gone = support::send(gw.addr, "GET", &one, &[], None).await;
    support::ok(&gone, 404, "gone");
    assert_eq!(gone.json()["code"], "not_found");
    let direct = support::send(
        gw.emulators["cork"],
        "GET",
        &format!(
            "/1/tokens/{TOKEN}/webhooks/{}?key={KEY}&token={TOKEN}",
            made["id"].as_str().unwrap()
        ),
        &[],
        None,
    )
    .await;
    assert_eq!(
        direct.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    let words = String::from_utf8(direct.body.to_vec()).unwrap();
    assert!(!words.is_empty() && !words.starts_with('{'), "{words}");
    assert_eq!(gone.json()["detail"], words.as_str());
    assert_eq!(gone.json()["upstream"]["message"], words.as_str());
}

#[test]
fn a_text_refusal_is_written_as_a_string() {
    let base = std::fs::read_to_string(format!("{DIR}/cork.toml")).unwrap();
    let text = base.replacen(
        "[errors.render.default]\nbody = \"{{message}}\"",
        "[errors.render.default]\nbody = { message = \"{{message}}\" }",
        1,
    );
    assert_ne!(text, base);
    let errors =
        hookgate::mapping::compile::compile("cork", std::path::Path::new("cork.toml"), &text)
            .expect_err("loaded a text dialect with a JSON error body");
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        shown
            .iter()
            .any(|e| e.contains("errors.render.default.body: `errors.content_type` is text")),
        "{shown:?}"
    );
}
