//! What a vendor holds beside what a change names is neither lost nor made up: the other
//! items of a list of which a field is one (`url` read at `urls[0]`), and whose the webhook
//! is where the vendor's answers say it. Each dialect here is a file of the test's own,
//! in front of a scripted vendor or an emulator.

mod support;

use serde_json::{Value, json};
use support::{Double, Reply, gateway_emulating, gateway_over, ok, send};

/// A folder holding one mapping file, `NAME.toml`.
fn folder_of(name: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(format!("{name}.toml")), text).unwrap();
    dir
}

/// A vendor that keeps several URLs to one webhook (`urls`), of which the canonical `url`
/// is the first; `url_rule` says where requests write it, `update` how the vendor changes a
/// webhook (an `[operations.update]` with its strategy, or an `[operations.replace]`).
fn several_urls(url_rule: &str, update: &str) -> String {
    format!(
        r#"
[dialect]
title = "Several URLs"

[fields.id]
path = "$.id"
in = ["response"]

[fields.url]
path = "$.urls[0]"
{url_rule}

[fields.description]
path = "$.description"

[operations.get]
method = "GET"
path = "/hooks/{{id}}"
response = {{ hook = "{{{{webhook}}}}" }}

[operations.create]
method = "POST"
path = "/hooks"
body = {{ hook = "{{{{webhook}}}}" }}
status = 201
response = {{ hook = "{{{{webhook}}}}" }}

{update}
method = "PUT"
path = "/hooks/{{id}}"
body = {{ hook = "{{{{webhook}}}}" }}
response = {{ hook = "{{{{webhook}}}}" }}

[errors.render.default]
body = {{ message = "{{{{message}}}}" }}
"#
    )
}

/// The ways a vendor may take an update, as `several_urls` writes them.
const UPDATES: [&str; 4] = [
    "[operations.update]\nstrategy = \"merge\"",
    "[operations.update]\nstrategy = \"read_merge_write\"",
    "[operations.update]\nstrategy = \"merge_patch\"",
    "[operations.replace]",
];

/// A webhook the vendor holds, with `urls`.
fn held(urls: &[&str]) -> Reply {
    Reply::json(
        200,
        json!({"hook": {"id": "h1", "urls": urls, "description": "d"}}),
    )
}

/// The bodies of the vendor's requests other than reads.
fn written(double: &Double) -> Vec<Value> {
    double
        .seen()
        .iter()
        .filter(|s| s.method != "GET")
        .map(|s| s.json().unwrap_or(Value::Null))
        .collect()
}

/// The webhook `h1` of the upstream `several` changed to the URL `https://example.com/b`.
async fn change_url(addr: std::net::SocketAddr) -> support::Answer {
    let change = json!({"url": "https://example.com/b"});
    let at = "/v1/upstreams/several/webhooks/h1";
    send(addr, "PATCH", at, &[], Some(&change)).await
}

#[tokio::test]
async fn a_url_sent_apart_from_a_list_of_several_is_refused_by_name() {
    let a = "https://example.com/a";
    let c = "https://example.com/c";
    for update in UPDATES {
        let dir = folder_of(
            "several",
            &several_urls("write_as = { path = \"$.url\" }", update),
        );
        // A change of the URL, and (where the vendor takes the whole webhook) of another
        // field, which sends the URL all the same.
        let mut changes = vec![json!({"url": "https://example.com/b"})];
        if update.contains("replace") {
            changes.push(json!({"description": "e"}));
        }
        for change in changes {
            let double = Double::start(vec![held(&[a, c])]).await;
            let gw = gateway_over(dir.path().to_str().unwrap(), "several", &double).await;
            let at = "/v1/upstreams/several/webhooks/h1";
            let refused = send(gw.addr, "PATCH", at, &[], Some(&change)).await;
            ok(&refused, 422, &format!("{update}: {change}"));
            let problem = refused.json();
            assert_eq!(problem["errors"][0]["field"], "url", "{update}: {problem}");
            let message = problem["errors"][0]["message"].as_str().unwrap();
            assert!(
                message.contains("holds 2 values at `urls`") && message.contains("only one"),
                "{update}: {message}"
            );
            assert_eq!(
                written(&double),
                Vec::<Value>::new(),
                "{update}: nothing sent"
            );
            gw.stop().await;
        }
        // One URL held: the change is the whole list.
        let double = Double::start(vec![held(&[a]), held(&["https://example.com/b"])]).await;
        let gw = gateway_over(dir.path().to_str().unwrap(), "several", &double).await;
        let changed = change_url(gw.addr).await;
        ok(&changed, 200, update);
        let sent = written(&double);
        assert_eq!(
            sent[0]["hook"]["url"], "https://example.com/b",
            "{update}: {sent:?}"
        );
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_url_written_into_its_list_sends_the_list_whole() {
    let a = "https://example.com/a";
    let c = "https://example.com/c";
    for update in UPDATES {
        let dir = folder_of("several", &several_urls("", update));
        let after = held(&["https://example.com/b", c]);
        let double = Double::start(vec![held(&[a, c]), after]).await;
        let gw = gateway_over(dir.path().to_str().unwrap(), "several", &double).await;
        let changed = change_url(gw.addr).await;
        ok(&changed, 200, update);
        let sent = written(&double);
        assert_eq!(sent.len(), 1, "{update}: {sent:?}");
        assert_eq!(
            sent[0]["hook"]["urls"],
            json!(["https://example.com/b", c]),
            "{update}: {sent:?}"
        );
        // The answer keeps the list beside the URL.
        let answer = changed.json();
        assert_eq!(answer["url"], "https://example.com/b", "{answer}");
        assert_eq!(
            answer["extensions"]["urls"],
            json!(["https://example.com/b", c]),
            "{update}: {answer}"
        );
        gw.stop().await;
    }
}

#[tokio::test]
async fn answers_holding_several_urls_keep_them_all() {
    let urls = json!(["https://example.com/a", "https://example.com/c"]);
    let dir = folder_of(
        "several",
        &several_urls("write_as = { path = \"$.url\" }", UPDATES[0]),
    );
    let made = Reply::json(201, json!({"hook": {"id": "h1", "urls": urls}}));
    let read = Reply::json(200, json!({"hook": {"id": "h1", "urls": urls}}));
    let double = Double::start(vec![made, read]).await;
    let gw = gateway_over(dir.path().to_str().unwrap(), "several", &double).await;
    let base = "/v1/upstreams/several/webhooks";
    let create = json!({"url": "https://example.com/a"});
    let created = send(gw.addr, "POST", base, &[], Some(&create)).await;
    ok(&created, 201, "a create");
    let got = send(gw.addr, "GET", &format!("{base}/h1"), &[], None).await;
    ok(&got, 200, "a read");
    for answer in [created.json(), got.json()] {
        assert_eq!(answer["url"], "https://example.com/a", "{answer}");
        assert_eq!(answer["extensions"]["urls"], urls, "{answer}");
    }
    gw.stop().await;
}

/// The emulator's own answer to a read of hook `id`, and the canonical API's.
async fn read_both(gw: &hookgate::app::Running, emulator: &str, id: &str) -> (Value, Value) {
    let emu = gw.emulators[emulator];
    let native = send(emu, "GET", &format!("/hooks/{id}"), &BEARER, None).await;
    ok(&native, 200, "the emulator's own read");
    let at = format!("/v1/upstreams/{emulator}/webhooks/{id}");
    let canonical = send(gw.addr, "GET", &at, &[], None).await;
    ok(&canonical, 200, "a canonical read");
    (native.json(), canonical.json())
}

/// Asserts that hook `id` holds `urls` (or, `null`, no URL), read through the emulator's own
/// API and the canonical one.
async fn holds(gw: &hookgate::app::Running, emulator: &str, id: &str, urls: &Value, what: &str) {
    let (native, canonical) = read_both(gw, emulator, id).await;
    assert_eq!(native["hook"]["urls"], *urls, "{what}: {native}");
    assert_eq!(canonical["url"], urls[0], "{what}: {canonical}");
    assert_eq!(
        canonical["extensions"]["urls"], *urls,
        "{what}: {canonical}"
    );
}

const BEARER: [(&str, &str); 1] = [("authorization", "Bearer t")];

/// `n` URLs, told apart by `tag`.
fn urls(tag: &str, n: usize) -> Value {
    (0..n)
        .map(|i| Value::from(format!("https://example.com/{tag}{i}")))
        .collect()
}

#[tokio::test]
async fn an_emulators_own_client_keeps_every_url_it_sends() {
    for update in UPDATES {
        let dir = folder_of("several", &several_urls("", update));
        let gw = gateway_emulating(dir.path().to_str().unwrap(), "several").await;
        let emu = gw.emulators["several"];
        for n in [1, 2, 3] {
            let sent = urls("made", n);
            let body = json!({"hook": {"urls": sent, "description": "d"}});
            let made = send(emu, "POST", "/hooks", &BEARER, Some(&body)).await;
            ok(&made, 201, &format!("{update}: {n} URLs"));
            assert_eq!(
                made.json()["hook"]["urls"],
                sent,
                "{update}: {}",
                made.json()
            );
            let id = made.json()["hook"]["id"].as_str().unwrap().to_owned();
            holds(
                &gw,
                "several",
                &id,
                &sent,
                &format!("{update}: made with {n}"),
            )
            .await;
            // An update that lists URLs: the list it sends, whatever the webhook held.
            for m in [3, 1, 2] {
                let sent = urls(&format!("changed{m}"), m);
                let body = json!({"hook": {"urls": sent, "description": "d"}});
                let at = format!("/hooks/{id}");
                let changed = send(emu, "PUT", &at, &BEARER, Some(&body)).await;
                ok(&changed, 200, &format!("{update}: {n} to {m}"));
                assert_eq!(changed.json()["hook"]["urls"], sent, "{update}: {n} to {m}");
                holds(&gw, "several", &id, &sent, &format!("{update}: {n} to {m}")).await;
            }
        }
        gw.stop().await;
    }
}

#[tokio::test]
async fn an_update_that_does_not_name_the_list_leaves_it_or_replaces_it_as_the_vendor_does() {
    for update in UPDATES {
        let dir = folder_of("several", &several_urls("", update));
        let gw = gateway_emulating(dir.path().to_str().unwrap(), "several").await;
        let emu = gw.emulators["several"];
        let sent = urls("a", 3);
        let body = json!({"hook": {"urls": sent}});
        let made = send(emu, "POST", "/hooks", &BEARER, Some(&body)).await;
        let id = made.json()["hook"]["id"].as_str().unwrap().to_owned();
        let body = json!({"hook": {"description": "e"}});
        let changed = send(emu, "PUT", &format!("/hooks/{id}"), &BEARER, Some(&body)).await;
        ok(&changed, 200, update);
        // A replacement is the whole webhook: what it leaves out, it clears.
        let left = match update.contains("replace") {
            true => Value::Null,
            false => sent.clone(),
        };
        let (native, canonical) = read_both(&gw, "several", &id).await;
        assert_eq!(native["hook"]["urls"], left, "{update}: {native}");
        assert_eq!(native["hook"]["description"], "e", "{update}: {native}");
        assert_eq!(canonical["url"], left[0], "{update}: {canonical}");
        // A list sent empty or `null` is the field cleared, the other URLs with it.
        let body = json!({"hook": {"urls": sent}});
        send(emu, "PUT", &format!("/hooks/{id}"), &BEARER, Some(&body)).await;
        for cleared in [json!([]), Value::Null] {
            let body = json!({"hook": {"urls": cleared}});
            let changed = send(emu, "PUT", &format!("/hooks/{id}"), &BEARER, Some(&body)).await;
            ok(&changed, 200, &format!("{update}: {cleared}"));
            let (native, canonical) = read_both(&gw, "several", &id).await;
            assert_eq!(native["hook"]["urls"], Value::Null, "{update}: {native}");
            assert_eq!(canonical.get("url"), None, "{update}: {canonical}");
            assert_eq!(canonical.get("extensions"), None, "{update}: {canonical}");
        }
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_canonical_change_of_the_url_keeps_the_others_an_emulators_client_sent() {
    let dir = folder_of("several", &several_urls("", UPDATES[0]));
    let gw = gateway_emulating(dir.path().to_str().unwrap(), "several").await;
    let emu = gw.emulators["several"];
    let sent = urls("a", 3);
    let made = send(
        emu,
        "POST",
        "/hooks",
        &BEARER,
        Some(&json!({"hook": {"urls": sent}})),
    )
    .await;
    let id = made.json()["hook"]["id"].as_str().unwrap().to_owned();
    let at = format!("/v1/upstreams/several/webhooks/{id}");
    let change = json!({"url": "https://example.com/b"});
    let changed = send(gw.addr, "PATCH", &at, &[], Some(&change)).await;
    ok(&changed, 200, "a canonical change of the URL");
    let mut now = sent.clone();
    now[0] = json!("https://example.com/b");
    holds(&gw, "several", &id, &now, "the first URL changed").await;
    gw.stop().await;
}

#[tokio::test]
async fn a_list_of_objects_is_kept_whole_with_what_no_rule_reads() {
    let file = several_urls("", UPDATES[0]).replacen("$.urls[0]", "$.targets[0].url", 1);
    let dir = folder_of("targets", &file);
    let gw = gateway_emulating(dir.path().to_str().unwrap(), "targets").await;
    let emu = gw.emulators["targets"];
    for targets in [
        json!([{"url": "https://example.com/a", "kind": "main"}]),
        json!([{"url": "https://example.com/a"}, {"url": "https://example.com/b"}]),
        json!([{"url": "https://example.com/a"}, null, {"url": "https://example.com/c", "kind": "x"}]),
    ] {
        let body = json!({"hook": {"targets": targets}});
        let made = send(emu, "POST", "/hooks", &BEARER, Some(&body)).await;
        ok(&made, 201, &targets.to_string());
        let id = made.json()["hook"]["id"].as_str().unwrap().to_owned();
        let (native, canonical) = read_both(&gw, "targets", &id).await;
        assert_eq!(native["hook"]["targets"], targets, "{native}");
        assert_eq!(canonical["url"], "https://example.com/a", "{canonical}");
        assert_eq!(canonical["extensions"]["targets"], targets, "{canonical}");
        let moved = json!([{"url": "https://example.com/m", "kind": "moved"}]);
        let body = json!({"hook": {"targets": moved}});
        let changed = send(emu, "PUT", &format!("/hooks/{id}"), &BEARER, Some(&body)).await;
        ok(&changed, 200, &targets.to_string());
        let (native, _) = read_both(&gw, "targets", &id).await;
        assert_eq!(native["hook"]["targets"], moved, "{native}");
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_url_written_apart_from_its_list_replaces_the_list_at_an_emulator() {
    let dir = folder_of(
        "several",
        &several_urls("write_as = { path = \"$.url\" }", UPDATES[0]),
    );
    let gw = gateway_emulating(dir.path().to_str().unwrap(), "several").await;
    let emu = gw.emulators["several"];
    // Webhooks of several URLs, as the vendor may hold them.
    for n in [2, 3] {
        let held = urls("a", n);
        let webhook = json!({"url": held[0], "extensions": {"urls": held}});
        let seed = json!({"shape": "canonical", "webhooks": [webhook]});
        let seeded = send(emu, "POST", "/__hookgate/webhooks", &[], Some(&seed)).await;
        ok(&seeded, 201, "a canonical seed");
        let id = seeded.json()["webhooks"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        holds(&gw, "several", &id, &held, "seeded").await;
        // The vendor's client sends `url`, which its vendor takes for the whole list.
        let body = json!({"hook": {"url": "https://example.com/b"}});
        let changed = send(emu, "PUT", &format!("/hooks/{id}"), &BEARER, Some(&body)).await;
        ok(&changed, 200, "a change of `url`");
        let one = json!(["https://example.com/b"]);
        let (native, canonical) = read_both(&gw, "several", &id).await;
        assert_eq!(native["hook"]["urls"], one, "{native}");
        assert_eq!(canonical["url"], one[0], "{canonical}");
        // Another member changed: the list stays as it is.
        let body = json!({"hook": {"description": "e"}});
        send(emu, "PUT", &format!("/hooks/{id}"), &BEARER, Some(&body)).await;
        let (native, _) = read_both(&gw, "several", &id).await;
        assert_eq!(native["hook"]["urls"], one, "{native}");
    }
    gw.stop().await;
}

#[tokio::test]
async fn every_url_of_a_list_is_held_to_the_checks_of_the_first() {
    let file = several_urls("https = true", UPDATES[0]);
    let dir = folder_of("several", &file);
    let gw = gateway_emulating(dir.path().to_str().unwrap(), "several").await;
    let emu = gw.emulators["several"];
    for (urls, at) in [
        (
            json!(["https://example.com/a", "http://example.com/b"]),
            "urls[1]",
        ),
        (
            json!(["https://example.com/a", "https://example.com/b", "ftp://c"]),
            "urls[2]",
        ),
    ] {
        let body = json!({"hook": {"urls": urls}});
        let refused = send(emu, "POST", "/hooks", &BEARER, Some(&body)).await;
        ok(&refused, 422, &urls.to_string());
        let said = refused.json()["message"].to_string();
        assert!(said.contains(at) && said.contains("https"), "{said}");
    }
    gw.stop().await;
}

#[tokio::test]
async fn every_url_of_a_list_is_held_to_the_url_policy() {
    let private = ["https://10.0.0.1/hook", "https://169.254.169.254/latest"];
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("several.toml"),
        several_urls("", UPDATES[0]),
    )
    .unwrap();
    let mappings = dir.path().to_str().unwrap();
    // An emulator that applies the policy.
    let gw = support::gateway(&format!(
        "mappings_dir = {mappings:?}\n[upstreams.several]\ndialect = \"several\"\n\
         emulate = true\n[url_policy]\napply_to_emulators = true\n"
    ))
    .await;
    let emu = gw.emulators["several"];
    for bad in private {
        for (urls, at) in [
            (json!(["https://example.com/a", bad]), "`urls[1]`"),
            (json!(["https://example.com/a", null, bad]), "`urls[2]`"),
        ] {
            let body = json!({"hook": {"urls": urls}});
            let refused = send(emu, "POST", "/hooks", &BEARER, Some(&body)).await;
            ok(&refused, 422, &urls.to_string());
            let said = refused.json()["message"].to_string();
            assert!(said.contains(at) && said.contains("must not"), "{said}");
        }
    }
    let made = send(
        emu,
        "POST",
        "/hooks",
        &BEARER,
        Some(&json!({"hook": {"urls": urls("a", 2)}})),
    )
    .await;
    ok(&made, 201, "public URLs");
    let id = made.json()["hook"]["id"].as_str().unwrap().to_owned();
    let body = json!({"hook": {"urls": ["https://example.com/a", private[0]]}});
    let refused = send(emu, "PUT", &format!("/hooks/{id}"), &BEARER, Some(&body)).await;
    ok(&refused, 422, "an update");
    holds(&gw, "several", &id, &urls("a", 2), "nothing changed").await;
    gw.stop().await;
}

#[tokio::test]
async fn every_url_a_surface_relays_is_held_to_the_url_policy() {
    let private = ["https://10.0.0.1/hook", "https://169.254.169.254/latest"];
    let dir = folder_of("several", &several_urls("", UPDATES[0]));
    let mappings = dir.path().to_str().unwrap();
    // A surface in front of a vendor of its own dialect, which relays what its client sends.
    let double = Double::start(vec![Reply::json(201, json!({"hook": {"id": "h1"}}))]).await;
    let gw = support::gateway(&format!(
        "mappings_dir = {mappings:?}\n[upstreams.several]\ndialect = \"several\"\n\
         base_url = {:?}\nauth = {{ type = \"none\" }}\n[surfaces.several]\ndialect = \"several\"\n\
         upstream = \"several\"\nprefix = \"/s\"\n",
        double.url()
    ))
    .await;
    for bad in private {
        for (method, at) in [("PUT", "/s/hooks/h1"), ("POST", "/s/hooks")] {
            let body = json!({"hook": {"urls": ["https://example.com/a", bad]}});
            let refused = send(gw.addr, method, at, &BEARER, Some(&body)).await;
            ok(&refused, 422, &format!("{method} {bad}"));
            let said = refused.json()["message"].to_string();
            assert!(
                said.contains("`urls[1]`") && said.contains("must not"),
                "{said}"
            );
        }
    }
    assert!(
        double.seen().is_empty(),
        "nothing sent: {:?}",
        double.seen()
    );
    gw.stop().await;
}

#[tokio::test]
async fn a_vendor_client_creating_with_several_urls_in_front_of_another_vendor_is_refused_by_name()
{
    let dir = tempfile::tempdir().unwrap();
    let single =
        several_urls("", UPDATES[0]).replacen("path = \"$.urls[0]\"", "path = \"$.url\"", 1);
    std::fs::write(dir.path().join("single.toml"), single).unwrap();
    std::fs::write(
        dir.path().join("several.toml"),
        several_urls("", UPDATES[0]),
    )
    .unwrap();
    let gw = support::gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.single]\ndialect = \"single\"\nemulate = true\n\
         [surfaces.several]\ndialect = \"several\"\nupstream = \"single\"\nprefix = \"/s\"\n",
        dir.path().to_str().unwrap()
    ))
    .await;
    for urls in [
        json!(["https://example.com/a", "https://example.com/c"]),
        json!(["https://example.com/a", null, "https://example.com/c"]),
        json!([null, "https://example.com/c"]),
    ] {
        let body = json!({"hook": {"urls": urls}});
        let refused = send(gw.addr, "POST", "/s/hooks", &BEARER, Some(&body)).await;
        ok(&refused, 422, &urls.to_string());
        let said = refused.json()["message"].to_string();
        assert!(said.contains("`urls` holds"), "{said}");
    }
    let emu = gw.emulators["single"];
    let held = send(emu, "GET", "/__hookgate/webhooks", &[], None).await;
    assert_eq!(
        held.json()["webhooks"],
        json!([]),
        "nothing made: {}",
        held.json()
    );
    let one = json!({"hook": {"urls": ["https://example.com/a"]}});
    let made = send(gw.addr, "POST", "/s/hooks", &BEARER, Some(&one)).await;
    ok(&made, 201, "one URL");
    gw.stop().await;
}

/// A vendor whose webhooks carry their owner in a member they share with another
/// (`target`, Box's: `{"id": …, "type": "folder"}`), read and changed by their id alone, or
/// (`by_owner`) under their owner, changed as `strategy` says and switched off by a verb of
/// its own.
fn owned_in_target(by_owner: bool, strategy: &str) -> String {
    let one = if by_owner {
        "/folders/{owner}/hooks/{id}"
    } else {
        "/hooks/{id}"
    };
    format!(
        r#"
[dialect]
title = "Owned in target"
owner = "folder"

[fields.id]
path = "$.id"
in = ["response"]

[fields.owner]
path = "$.target.id"
on = ["create"]

[fields."extensions.target_type"]
path = "$.target.type"

[fields.url]
path = "$.address"

[operations.list]
method = "GET"
path = "/folders/{{owner}}/hooks"
response = {{ entries = "{{{{items}}}}" }}

[operations.get]
method = "GET"
path = "{one}"
response = "{{{{webhook}}}}"

[operations.create]
method = "POST"
path = "/hooks"
body = "{{{{webhook}}}}"
status = 201
response = "{{{{webhook}}}}"

[operations.update]
method = "PUT"
path = "{one}"
strategy = "{strategy}"
body = "{{{{webhook}}}}"
response = "{{{{webhook}}}}"

[operations.enable]
method = "POST"
path = "{one}/enable"
response = "{{{{webhook}}}}"

[operations.disable]
method = "POST"
path = "{one}/disable"
response = "{{{{webhook}}}}"

[errors.render.default]
body = {{ message = "{{{{message}}}}" }}
"#
    )
}

/// The webhook as the vendor holds it, `target` as given.
fn hook(target: Value) -> Reply {
    Reply::json(
        200,
        json!({"id": "h1", "target": target, "address": "https://example.com/a", "active": true}),
    )
}

#[tokio::test]
async fn a_change_answered_without_its_owner_is_not_given_the_one_asked_under() {
    let dir = folder_of("owned", &owned_in_target(false, "merge"));
    let at = "/v1/upstreams/owned/owners/4444/webhooks/h1";
    let whole = json!({"id": "4444", "type": "folder"});
    // The change, and the target the vendor answers it with.
    for (change, target) in [
        (
            json!({"extensions": {"target_type": "file"}}),
            json!({"type": "file"}),
        ),
        (
            json!({"extensions": {"target_type": "file"}}),
            json!({"id": null, "type": "file"}),
        ),
        (json!({"url": "https://example.com/b"}), json!({})),
        (json!({"enabled": false}), json!({"type": "folder"})),
    ] {
        let double = Double::start(vec![hook(whole.clone()), hook(target.clone())]).await;
        let gw = gateway_over(dir.path().to_str().unwrap(), "owned", &double).await;
        let answer = send(gw.addr, "PATCH", at, &[], Some(&change)).await;
        ok(&answer, 502, &format!("{change} answered with {target}"));
        let detail = answer.json()["detail"].as_str().unwrap().to_owned();
        assert!(detail.contains("without its owner"), "{detail}");
        assert!(detail.contains("the change was made"), "{detail}");
        assert_eq!(double.seen().len(), 2, "{change}: a read, then the change");
        gw.stop().await;
    }
    // Answered with it, the change is answered.
    let double = Double::start(vec![hook(whole.clone()), hook(whole.clone())]).await;
    let gw = gateway_over(dir.path().to_str().unwrap(), "owned", &double).await;
    let change = json!({"url": "https://example.com/b"});
    let answer = send(gw.addr, "PATCH", at, &[], Some(&change)).await;
    ok(&answer, 200, "an answer holding the owner");
    assert_eq!(answer.json()["owner"], "4444");
    gw.stop().await;
}

#[tokio::test]
async fn a_create_answered_without_its_owner_is_of_the_owner_its_body_named() {
    // The create told the vendor whose the webhook is: its answer, which leaves the owner out
    // of the member that holds it, is of a webhook made for that owner.
    let dir = folder_of("owned", &owned_in_target(false, "merge"));
    let made = Reply::json(
        201,
        json!({"id": "h9", "target": {"type": "folder"}, "address": "https://example.com/a"}),
    );
    let double = Double::start(vec![made]).await;
    let gw = gateway_over(dir.path().to_str().unwrap(), "owned", &double).await;
    let body = json!({"url": "https://example.com/a", "extensions": {"target_type": "folder"}});
    let base = "/v1/upstreams/owned/owners/4444/webhooks";
    let answer = send(gw.addr, "POST", base, &[], Some(&body)).await;
    ok(&answer, 201, "a create answered without its owner");
    let webhook = answer.json();
    assert_eq!(webhook["id"], "h9", "{webhook}");
    assert_eq!(webhook["owner"], "4444", "{webhook}");
    assert_eq!(
        double.seen()[0].json().unwrap()["target"]["id"],
        "4444",
        "the create named the owner"
    );
    gw.stop().await;
}

#[tokio::test]
async fn a_vendor_that_finds_webhooks_under_their_owner_is_taken_at_its_word() {
    // Its read names the owner, and so does its change: the vendor found the webhook there.
    let dir = folder_of("owned", &owned_in_target(true, "merge"));
    let double = Double::start(vec![hook(json!({"type": "file"}))]).await;
    let gw = gateway_over(dir.path().to_str().unwrap(), "owned", &double).await;
    let at = "/v1/upstreams/owned/owners/4444/webhooks/h1";
    let change = json!({"extensions": {"target_type": "file"}});
    let answer = send(gw.addr, "PATCH", at, &[], Some(&change)).await;
    ok(&answer, 200, "a change under the owner");
    assert_eq!(answer.json()["owner"], "4444");
    gw.stop().await;
}

#[tokio::test]
async fn a_member_sent_whole_keeps_the_owner_it_holds() {
    // A vendor that replaces what it is sent is sent `target` whole: with the owner in it,
    // which a change cannot name.
    let dir = folder_of("owned", &owned_in_target(false, "read_merge_write"));
    let at = "/v1/upstreams/owned/owners/4444/webhooks/h1";
    let whole = json!({"id": "4444", "type": "folder"});
    for (change, sent) in [
        (
            json!({"extensions": {"target_type": "file"}}),
            json!({"target": {"id": "4444", "type": "file"}}),
        ),
        (
            json!({"url": "https://example.com/b"}),
            json!({"address": "https://example.com/b"}),
        ),
    ] {
        let after = hook(json!({"id": "4444", "type": "file"}));
        let double = Double::start(vec![hook(whole.clone()), after]).await;
        let gw = gateway_over(dir.path().to_str().unwrap(), "owned", &double).await;
        let answer = send(gw.addr, "PATCH", at, &[], Some(&change)).await;
        ok(&answer, 200, &change.to_string());
        assert_eq!(answer.json()["owner"], "4444");
        assert_eq!(written(&double), vec![sent], "{change}");
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_vendor_client_changing_several_urls_in_front_of_another_vendor_is_refused_by_name() {
    let a = "https://example.com/a";
    let dir = tempfile::tempdir().unwrap();
    // The webhooks behind keep one URL (`url`), in the vendor's own file.
    let single =
        several_urls("", UPDATES[0]).replacen("path = \"$.urls[0]\"", "path = \"$.url\"", 1);
    std::fs::write(dir.path().join("single.toml"), single).unwrap();
    // Each way the file's update takes a change, by `PUT` (as `several_urls` writes it).
    for update in [UPDATES[0], UPDATES[2], UPDATES[3]] {
        let method = "PUT";
        std::fs::write(dir.path().join("several.toml"), several_urls("", update)).unwrap();
        let gw = support::gateway(&format!(
            "mappings_dir = {:?}\n[upstreams.single]\ndialect = \"single\"\nemulate = true\n\
             [surfaces.several]\ndialect = \"several\"\nupstream = \"single\"\nprefix = \"/s\"\n",
            dir.path().to_str().unwrap()
        ))
        .await;
        let canonical = "/v1/upstreams/single/webhooks";
        let made = send(gw.addr, "POST", canonical, &[], Some(&json!({"url": a}))).await;
        ok(&made, 201, "a create");
        let id = made.json()["id"].as_str().unwrap().to_owned();
        let at = format!("/s/hooks/{id}");
        let bearer = [("authorization", "Bearer t")];
        // Several URLs, of which only the first could be kept.
        for urls in [
            json!(["https://example.com/b", "https://example.com/c"]),
            json!(["https://example.com/b", null, "https://example.com/c"]),
        ] {
            let body = json!({"hook": {"urls": urls, "description": "d"}});
            let refused = send(gw.addr, method, &at, &bearer, Some(&body)).await;
            ok(&refused, 422, &format!("{update}: {urls}"));
            let said = refused.json()["message"].to_string();
            assert!(
                said.contains("urls[0]: `urls` holds") && said.contains("send that one alone"),
                "{update}: {said}"
            );
        }
        // No URL left: the field cleared, which the webhooks behind require.
        for urls in [json!([]), Value::Null] {
            let body = json!({"hook": {"urls": urls, "description": "d"}});
            let refused = send(gw.addr, method, &at, &bearer, Some(&body)).await;
            ok(&refused, 422, &format!("{update}: {urls}"));
            let said = refused.json()["message"].to_string();
            assert!(said.contains("urls[0]"), "{update}: {said}");
        }
        let read = send(gw.addr, "GET", &format!("{canonical}/{id}"), &[], None).await;
        assert_eq!(read.json()["url"], a, "{update}: nothing changed");
        // One URL: the change is made.
        let body = json!({"hook": {"urls": ["https://example.com/d"], "description": "d"}});
        let changed = send(gw.addr, method, &at, &bearer, Some(&body)).await;
        ok(&changed, 200, update);
        assert_eq!(
            changed.json()["hook"]["urls"],
            json!(["https://example.com/d"]),
            "{update}"
        );
        gw.stop().await;
    }
}
