//! Codecs of time, of joined text and of a prefix, through a vendor that exists only as a
//! mapping file (`tests/dialects/ledger.toml`: Unix seconds and milliseconds, comma-joined
//! event types, its account as `accounts/NAME`):
//! on its emulator's wire, on the canonical API, and through surfaces of a vendor that spells
//! both otherwise (`relay.toml`: RFC 3339 times, an array of topics), both ways.

mod support;

use serde_json::{Value, json};
use support::{gateway, journal, ok, send};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
const BEARER: (&str, &str) = ("authorization", "Bearer t");
const BASE: &str = "/v1/upstreams/ledger/owners/acct_1/webhooks";

async fn ledger_gateway() -> hookgate::app::Running {
    gateway(&format!(
        "mappings_dir = {DIR:?}\n\
         [upstreams.ledger]\ndialect = \"ledger\"\nemulate = true\n\
         [upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [surfaces.relay-on-ledger]\ndialect = \"relay\"\nupstream = \"ledger\"\nprefix = \"/relay-on-ledger\"\n\
         [surfaces.ledger-on-relay]\ndialect = \"ledger\"\nupstream = \"relay\"\nprefix = \"/ledger-on-relay\"\n"
    ))
    .await
}

/// A canonical create of a webhook for `events` at Ledger's account `acct_1`.
async fn create(gw: &hookgate::app::Running, events: &Value) -> support::Answer {
    let body = json!({"url": "https://example.com/b", "events": events});
    send(gw.addr, "POST", BASE, &[], Some(&body)).await
}

/// Unix seconds of an RFC 3339 text.
fn unix(text: &Value) -> i64 {
    let text = text
        .as_str()
        .unwrap_or_else(|| panic!("not a time: {text}"));
    OffsetDateTime::parse(text, &Rfc3339)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .unix_timestamp()
}

#[tokio::test]
async fn unix_times_and_joined_events_are_canonical_times_and_arrays() {
    let gw = ledger_gateway().await;
    let events = json!(["invoice.paid", "invoice.payment_failed"]);
    let created = create(&gw, &events).await;
    ok(&created, 201, "create");
    let w = created.json();
    assert_eq!(w["events"], events);
    let id = w["id"].as_str().unwrap().to_owned();

    // On the vendor's wire: one string of events, integers of time, the same instants.
    let raw = send(
        gw.emulators["ledger"],
        "GET",
        &format!("/v1/accounts/acct_1/webhook_endpoints/{id}"),
        &[BEARER],
        None,
    )
    .await;
    ok(&raw, 200, "the vendor's own read");
    let v = raw.json();
    assert_eq!(v["enabled_events"], "invoice.paid,invoice.payment_failed");
    assert_eq!(
        (v["account"].clone(), w["owner"].clone()),
        (json!("accounts/acct_1"), json!("acct_1"))
    );
    assert_eq!(
        v["created"].as_i64(),
        Some(unix(&w["created_at"])),
        "{v} {w}"
    );
    let updated_ms = v["updated_ms"].as_i64().expect("milliseconds");
    assert_eq!(
        updated_ms.div_euclid(1000),
        unix(&w["updated_at"]),
        "{v} {w}"
    );
    assert!(w["created_at"].as_str().unwrap().ends_with('Z'), "{w}");

    // A merge of the events is sent joined, and read back as an array.
    let patched = send(
        gw.addr,
        "PATCH",
        &format!("{BASE}/{id}"),
        &[],
        Some(&json!({"events": ["charge.refunded"]})),
    )
    .await;
    ok(&patched, 200, "update");
    assert_eq!(patched.json()["events"], json!(["charge.refunded"]));
    let sent = journal(gw.emulators["ledger"])
        .await
        .iter()
        .rev()
        .find(|e| e["method"] == "POST" && e["path"].as_str().unwrap().ends_with(&id))
        .map(|e| e["body"].clone())
        .expect("the update in the journal");
    assert_eq!(sent["enabled_events"], "charge.refunded", "{sent}");
}

#[tokio::test]
async fn what_a_joined_text_cannot_carry_is_refused_by_name() {
    let gw = ledger_gateway().await;
    for (events, message) in [
        (
            json!(["a,b"]),
            "an item holds `,`, which separates them here",
        ),
        (json!(["a", ""]), "an item is empty"),
        (json!(["a", 5]), "must be an array of strings"),
    ] {
        let refused = create(&gw, &events).await;
        ok(&refused, 422, &events.to_string());
        assert_eq!(
            refused.json()["errors"],
            json!([{"field": "events", "message": message}]),
            "{events}"
        );
    }
    assert_eq!(journal(gw.emulators["ledger"]).await, Vec::<Value>::new());
}

#[tokio::test]
async fn surfaces_spell_times_and_events_their_own_way_both_ways() {
    let gw = ledger_gateway().await;
    // A Relay client in front of Ledger: topics as an array, times as RFC 3339 text.
    let hook = json!({"hook": {"target": {"url": "https://example.com/r"}, "topics": ["invoice.paid", "invoice.voided"]}});
    let made = send(
        gw.addr,
        "POST",
        "/relay-on-ledger/api/projects/acct_2/hooks",
        &[BEARER],
        Some(&hook),
    )
    .await;
    ok(&made, 201, "create through a Relay surface");
    let r = made.json()["hook"].clone();
    assert_eq!(r["topics"], json!(["invoice.paid", "invoice.voided"]));
    let id = r["hook_id"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| r["hook_id"].to_string());
    let raw = send(
        gw.emulators["ledger"],
        "GET",
        &format!("/v1/accounts/acct_2/webhook_endpoints/{id}"),
        &[BEARER],
        None,
    )
    .await;
    ok(&raw, 200, "the same endpoint at Ledger");
    assert_eq!(raw.json()["enabled_events"], "invoice.paid,invoice.voided");
    assert_eq!(raw.json()["account"], "accounts/acct_2");
    assert_eq!(r["project"], "acct_2");
    assert_eq!(Some(unix(&r["created"])), raw.json()["created"].as_i64());

    // A Ledger client in front of Relay: Relay's RFC 3339 times become Unix seconds and
    // milliseconds, its topics one string.
    let made = send(
        gw.addr,
        "POST",
        "/ledger-on-relay/v1/accounts/p9/webhook_endpoints",
        &[BEARER],
        Some(&json!({"url": "https://example.com/l", "enabled_events": "a.b,c.d"})),
    )
    .await;
    ok(&made, 200, "create through a Ledger surface");
    let l = made.json();
    assert_eq!(l["enabled_events"], "a.b,c.d");
    assert_eq!(l["account"], "accounts/p9");
    let created = l["created"].as_i64().unwrap_or_else(|| panic!("{l}"));
    assert!(l["updated_ms"].is_i64(), "{l}");
    let hook_id = l["id"].as_str().unwrap();
    let at_relay = send(
        gw.emulators["relay"],
        "GET",
        &format!("/api/projects/p9/hooks/{hook_id}"),
        &[BEARER],
        None,
    )
    .await;
    ok(&at_relay, 200, "the same hook at Relay");
    let h = at_relay.json()["hook"].clone();
    assert_eq!(h["topics"], json!(["a.b", "c.d"]));
    assert_eq!(unix(&h["created"]), created);
}

/// A Relay hook as the vendor answers it, its timeout and state as given.
fn relay_hook(timeout_ms: u64, state: &str) -> Value {
    json!({"hook": {"hook_id": 7, "project": "p1", "label": "billing", "topics": ["invoice.paid"],
        "disabled": false, "state": state,
        "target": {"url": "https://example.com/hook", "timeout_ms": timeout_ms}}})
}

#[tokio::test]
async fn a_value_the_rules_cannot_read_is_kept_as_the_vendors_never_taken_in_another_unit() {
    use support::{Double, Reply};
    let vendor = Double::start(vec![
        // 1.5 s is no whole number of the canonical seconds; `asleep` no state the file lists.
        Reply::json(200, relay_hook(1500, "asleep")),
        // A change of the URL: read, then the target written back whole.
        Reply::json(200, relay_hook(1500, "asleep")),
        Reply::json(200, relay_hook(1500, "asleep")),
        // A change of the timeout itself: the field's value wins.
        Reply::json(200, relay_hook(1500, "asleep")),
        Reply::json(200, relay_hook(5000, "live")),
    ])
    .await;
    let gw = support::gateway_over(DIR, "relay", &vendor).await;
    let hook = "/v1/upstreams/relay/owners/p1/webhooks/7";
    let read = send(gw.addr, "GET", hook, &[], None).await;
    ok(&read, 200, "a read");
    let webhook = read.json();
    assert_eq!(webhook.get("timeout_seconds"), None, "{webhook}");
    assert_eq!(
        webhook["extensions"]["target.timeout_ms"], 1500,
        "{webhook}"
    );
    assert_ne!(webhook.get("status"), Some(&json!("asleep")), "{webhook}");
    assert_eq!(webhook["extensions"]["state"], "asleep", "{webhook}");

    let moved = json!({"url": "https://example.com/moved"});
    let changed = send(gw.addr, "PATCH", hook, &[], Some(&moved)).await;
    ok(&changed, 200, "a change of the URL");
    let put = vendor.seen()[2].json().expect("the target written back");
    assert_eq!(put["hook"]["target"]["url"], "https://example.com/moved");
    assert_eq!(
        put["hook"]["target"]["timeout_ms"], 1500,
        "as it was: {put}"
    );

    let retimed = json!({"timeout_seconds": 5});
    let changed = send(gw.addr, "PATCH", hook, &[], Some(&retimed)).await;
    ok(&changed, 200, "a change of the timeout");
    let put = vendor.seen()[4].json().expect("the hook written back");
    assert_eq!(put["hook"]["target"]["timeout_ms"], 5000, "{put}");
    assert_eq!(changed.json()["timeout_seconds"], 5);
}

/// Relay as a vendor whose status is a boolean of its own, `healthy`, that says whether it
/// still delivers, not whether it is enabled: `true` is active, `false` failing.
fn healthy_relay() -> tempfile::TempDir {
    support::dialects_with(&[(
        "relay",
        "path = \"$.state\"\nin = [\"response\"]\ncodec = { map = { live = \"active\", paused = \"disabled\", broken = \"failing\" } }",
        "path = \"$.healthy\"\nin = [\"response\"]\ntype = \"boolean\"\ncodec = { map = { true = \"active\", false = \"failing\" } }",
    )])
}

#[tokio::test]
async fn a_value_map_reads_and_writes_a_vendors_booleans_as_booleans() {
    use support::{Double, Reply};
    let dir = healthy_relay();
    let dir = dir.path().to_str().unwrap();
    let hook = |healthy: bool| {
        json!({"hook": {"hook_id": 7, "project": "p1", "topics": ["a"], "disabled": false,
            "healthy": healthy, "target": {"url": "https://example.com/hook"}}})
    };
    let vendor = Double::start(vec![
        Reply::json(200, hook(false)),
        Reply::json(200, hook(true)),
    ])
    .await;
    let gw = support::gateway_over(dir, "relay", &vendor).await;
    let at = "/v1/upstreams/relay/owners/p1/webhooks/7";
    for status in ["failing", "active"] {
        let read = send(gw.addr, "GET", at, &[], None).await;
        ok(&read, 200, "a read");
        assert_eq!(read.json()["status"], status, "{}", read.json());
        assert_eq!(read.json()["enabled"], true, "{}", read.json());
    }
    gw.stop().await;

    // Its emulator writes the boolean, and a status the map cannot show (a disabled webhook's
    // `disabled`) is not derived: the webhook keeps the status it had.
    let gw = support::gateway_emulating(dir, "relay").await;
    let emu = gw.emulators["relay"];
    let base = "/v1/upstreams/relay/owners/p1/webhooks";
    let body = json!({"url": "https://example.com/h", "events": ["a"]});
    let made = send(gw.addr, "POST", base, &[], Some(&body)).await;
    ok(&made, 201, "a create");
    assert_eq!(made.json()["status"], "active", "{}", made.json());
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let off = json!({"enabled": false});
    let changed = send(gw.addr, "PATCH", &format!("{base}/{id}"), &[], Some(&off)).await;
    ok(&changed, 200, "disabled");
    assert_eq!(changed.json()["enabled"], false, "{}", changed.json());
    assert_eq!(changed.json()["status"], "active", "{}", changed.json());
    let listed = send(gw.addr, "GET", base, &[], None).await;
    ok(&listed, 200, "the list");
    let native = send(emu, "GET", "/api/projects/p1/hooks", &[BEARER], None).await;
    ok(&native, 200, "the emulator's own list");
    assert_eq!(
        native.json()["hooks"][0]["healthy"],
        json!(true),
        "{}",
        native.json()
    );
    gw.stop().await;
}

#[test]
fn a_value_map_of_booleans_holds_booleans_only() {
    let text = std::fs::read_to_string(format!("{DIR}/relay.toml")).unwrap();
    for (keys, wrong) in [
        (
            "{ true = \"active\", yes = \"failing\" }",
            "`yes` is not a boolean",
        ),
        (
            "{ true = \"active\", 0 = \"failing\" }",
            "`0` is not a boolean",
        ),
    ] {
        let edited = text.replacen(
            "path = \"$.state\"\nin = [\"response\"]\ncodec = { map = { live = \"active\", paused = \"disabled\", broken = \"failing\" } }",
            &format!("path = \"$.healthy\"\nin = [\"response\"]\ntype = \"boolean\"\ncodec = {{ map = {keys} }}"),
            1,
        );
        assert_ne!(edited, text);
        let errors = support::refused_mapping("relay", &edited);
        assert!(
            errors
                .iter()
                .any(|e| e.contains("fields.status.codec") && e.contains(wrong)),
            "{errors:?}"
        );
    }
}

/// Relay as a vendor that keeps several URLs (`urls`), of which the canonical `url` is the
/// first: a rule that reads part of a member.
fn relay_of_urls() -> tempfile::TempDir {
    support::dialects_with(&[
        ("relay", "path = \"$.target.url\"", "path = \"$.urls[0]\""),
        (
            "relay",
            "target = { url = \"https://example.com/hook\", ",
            "urls = [\"https://example.com/hook\", \"https://example.com/second\"]\ntarget = { ",
        ),
    ])
}

#[tokio::test]
async fn a_change_of_a_field_read_from_part_of_a_member_shows_and_keeps_the_rest() {
    let dir = relay_of_urls();
    let gw = support::gateway_emulating(dir.path().to_str().unwrap(), "relay").await;
    let emu = gw.emulators["relay"];
    let hook = json!({"hook_id": 7, "project": "p1", "topics": ["a"], "disabled": false,
        "urls": ["https://example.com/first", "https://example.com/second"]});
    let seed = json!({"owner": "p1", "webhooks": [hook]});
    let seeded = send(emu, "POST", "/__hookgate/webhooks", &[], Some(&seed)).await;
    ok(&seeded, 201, "a vendor-shaped seed");
    let at = "/v1/upstreams/relay/owners/p1/webhooks/7";
    let read = send(gw.addr, "GET", at, &[], None).await;
    ok(&read, 200, "a read");
    assert_eq!(
        read.json()["url"],
        "https://example.com/first",
        "{}",
        read.json()
    );
    let change = json!({"url": "https://example.com/moved"});
    let changed = send(gw.addr, "PATCH", at, &[], Some(&change)).await;
    ok(&changed, 200, "a change of the URL");
    assert_eq!(
        changed.json()["url"],
        "https://example.com/moved",
        "{}",
        changed.json()
    );
    let read = send(gw.addr, "GET", at, &[], None).await;
    assert_eq!(
        read.json()["url"],
        "https://example.com/moved",
        "{}",
        read.json()
    );
    let native = send(emu, "GET", "/api/projects/p1/hooks/7", &[BEARER], None).await;
    ok(&native, 200, "the emulator's own read");
    assert_eq!(
        native.json()["hook"]["urls"],
        json!(["https://example.com/moved", "https://example.com/second"]),
        "{}",
        native.json()
    );
    gw.stop().await;
}
