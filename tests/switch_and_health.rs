//! One vendor member that says both whether a webhook is on and how its deliveries fare
//! (Nylas's `status`: `active`, `pause`, `failing`, `failed`): `enabled` and `status` read it
//! by value maps that agree, `enabled` written there alone. Read from the vendor, a webhook it
//! calls `failing` is on and failing, one it calls `failed` off and failing; written, a switch
//! is sent as the vendor's word for it; answered by a surface of the dialect, the member says
//! both, or the webhook is refused by name where no word of the vendor's does. Maps that would
//! say two things of one value are refused when the file loads.
//!
//! The dialect is a test-local file beside the test dialects, in front of a scripted double
//! and, for its surface, of the Relay test dialect's scripted vendor.

mod support;

use serde_json::{Value, json};
use support::{Double, Reply, gateway, gateway_over, ok, send};

/// A vendor spelt as Nylas's webhooks: `status` is `active` or `pause` as its clients set it,
/// and `failing` or `failed` as its deliveries fail (`failed`: switched off for failing).
const PULSE: &str = r#"
[dialect]
title = "Pulse webhooks"
base_path = "/v3"

[fields.id]
path = "$.id"
in = ["response"]

[fields.url]
path = "$.webhook_url"
required = true

[fields.events]
path = "$.trigger_types"
required = true

[fields.enabled]
path = "$.status"
codec = { map = { active = true, pause = false, failing = true, failed = false }, reverse = { true = "active", false = "pause" } }
write_as = { path = "$.status", codec = { map = { active = true, pause = false } } }
default = "active"

[fields.status]
path = "$.status"
in = ["response"]
codec = { map = { active = "active", pause = "disabled", failing = "failing", failed = "failing" }, reverse = { active = "active", disabled = "pause", failing = "failing" } }

[operations.list]
method = "GET"
path = "/webhooks"
response = { data = "{{items}}" }

[operations.get]
method = "GET"
path = "/webhooks/{id}"
response = { data = "{{webhook}}" }

[operations.create]
method = "POST"
path = "/webhooks"
body = "{{webhook}}"
response = { data = "{{webhook}}" }

[operations.update]
method = "PUT"
path = "/webhooks/{id}"
body = "{{webhook}}"
response = { data = "{{webhook}}" }

[operations.delete]
method = "DELETE"
path = "/webhooks/{id}"
response = { request_id = "{{request_id}}" }

[errors]
message = ["$.error.message"]

[errors.render.default]
body = { error = { type = "{{code}}", message = "{{message}}" } }

[[examples]]
id = "wh-1"
webhook_url = "https://example.com/nylas"
trigger_types = ["message.created"]
status = "failing"

[[examples]]
id = "wh-2"
webhook_url = "https://example.com/nylas"
trigger_types = ["message.created"]
status = "failed"
"#;

/// The test dialects with PULSE beside them, its text with `edits` made.
fn with_pulse(edits: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = support::dialects_with(&[]);
    std::fs::write(dir.path().join("pulse.toml"), pulse(edits)).unwrap();
    dir
}

fn pulse(edits: &[(&str, &str)]) -> String {
    let mut text = PULSE.to_owned();
    for (from, to) in edits {
        let edited = text.replacen(from, to, 1);
        assert_ne!(text, edited, "PULSE holds no {from:?}");
        text = edited;
    }
    text
}

fn compiled(text: &str) -> Result<hookgate::mapping::Dialect, Vec<String>> {
    hookgate::mapping::compile::compile("pulse", std::path::Path::new("pulse.toml"), text)
        .map_err(|errors| errors.iter().map(ToString::to_string).collect())
}

fn answer(status: &str) -> Value {
    json!({"data": {"id": "wh-1", "webhook_url": "https://example.com/nylas",
        "trigger_types": ["message.created"], "status": status}})
}

#[test]
fn the_file_loads_and_its_examples_come_back_as_they_were() {
    let dialect = compiled(PULSE).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        hookgate::examples::round_trip_all(std::iter::once(&dialect)),
        Vec::<String>::new()
    );
    // Without its own `write_as`, `enabled` is written by its own map, at the same member.
    let plain = pulse(&[(
        "write_as = { path = \"$.status\", codec = { map = { active = true, pause = false } } }\n",
        "",
    )]);
    compiled(&plain).unwrap_or_else(|e| panic!("{e:?}"));
}

#[test]
fn maps_that_say_two_things_of_one_value_are_refused_when_the_file_loads() {
    let status_map = "codec = { map = { active = \"active\", pause = \"disabled\", failing = \"failing\", failed = \"failing\" }, reverse = { active = \"active\", disabled = \"pause\", failing = \"failing\" } }";
    let cases = [
        (
            status_map,
            "codec = { map = { active = \"active\", pause = \"active\", failing = \"failing\", failed = \"disabled\" }, reverse = { active = \"active\", disabled = \"failed\", failing = \"failing\" } }",
            "`pause` is read as `status` `active` and as `enabled` `false`",
        ),
        (
            status_map,
            "codec = { map = { active = \"active\", pause = \"disabled\", failing = \"failing\" } }",
            "`failed` is read as `enabled` alone",
        ),
        (
            "codec = { map = { active = true, pause = false } } }",
            "codec = { map = { active = true, paused = false } } }",
            "requests write `paused`, which `status` does not read",
        ),
    ];
    for (from, to, says) in cases {
        let errors = compiled(&pulse(&[(from, to)]))
            .err()
            .unwrap_or_else(|| panic!("loaded: {to}"));
        assert!(
            errors
                .iter()
                .any(|e| e.contains("fields.status") && e.contains(says)),
            "{to}: {errors:?}"
        );
    }
    // A status that requests carry too, or read by no map, is the one member's twice.
    for (from, to) in [
        (
            "in = [\"response\"]\ncodec = { map = { active = \"active\"",
            "codec = { map = { active = \"active\"",
        ),
        (
            "[fields.status]\npath = \"$.status\"\nin = [\"response\"]\ncodec = { map = { active = \"active\", pause = \"disabled\", failing = \"failing\", failed = \"failing\" }, reverse = { active = \"active\", disabled = \"pause\", failing = \"failing\" } }",
            "[fields.status]\npath = \"$.status\"\nin = [\"response\"]",
        ),
    ] {
        let errors = compiled(&pulse(&[(from, to)]))
            .err()
            .unwrap_or_else(|| panic!("loaded: {to}"));
        assert!(
            errors
                .iter()
                .any(|e| e.contains("one member holds one field") || e.contains("also writes")),
            "{to}: {errors:?}"
        );
    }
}

#[tokio::test]
async fn the_gateway_reads_both_from_the_member_and_writes_the_switch_there() {
    let vendor = Double::start(vec![
        Reply::json(200, answer("active")),
        Reply::json(200, answer("pause")),
        Reply::json(200, answer("failing")),
        Reply::json(200, answer("failed")),
        Reply::json(200, answer("failed")),
        Reply::json(200, answer("pause")),
        Reply::json(200, answer("failing")),
        Reply::json(200, answer("active")),
    ])
    .await;
    let dir = with_pulse(&[]);
    let gw = gateway_over(dir.path().to_str().unwrap(), "pulse", &vendor).await;
    let hook = "/v1/upstreams/pulse/webhooks/wh-1";
    for (enabled, status) in [
        (true, "active"),
        (false, "disabled"),
        (true, "failing"),
        (false, "failing"),
    ] {
        let read = send(gw.addr, "GET", hook, &[], None).await;
        ok(&read, 200, "read");
        let webhook = read.json();
        assert_eq!(
            (&webhook["enabled"], &webhook["status"]),
            (&json!(enabled), &json!(status)),
            "{webhook}"
        );
        assert!(webhook.get("extensions").is_none(), "{webhook}");
    }
    // A switch is sent as the vendor's word for it, read first as the PUT is whole.
    for (enabled, word) in [(false, "pause"), (true, "active")] {
        let changed = send(
            gw.addr,
            "PATCH",
            hook,
            &[],
            Some(&json!({"enabled": enabled})),
        )
        .await;
        ok(&changed, 200, "switched");
        let sent = vendor.seen().last().unwrap().json().unwrap();
        assert_eq!(sent["status"], word, "{sent}");
    }
}

#[tokio::test]
async fn a_surface_says_both_in_the_one_member_or_refuses_by_name() {
    // Relay keeps `disabled` and a `state` apart: every pair of the two can stand behind.
    let relay = |disabled: bool, state: &str| {
        json!({"hook": {"hook_id": 7, "project": "p1", "topics": ["a"], "disabled": disabled,
            "state": state, "target": {"url": "https://example.com/hook"}}})
    };
    let cases = [
        (false, "live", Some("active")),
        (true, "paused", Some("pause")),
        (false, "broken", Some("failing")),
        (true, "broken", Some("failed")),
    ];
    let mut script: Vec<Reply> = cases
        .iter()
        .map(|(d, s, _)| Reply::json(200, relay(*d, s)))
        .collect();
    // A vendor without `failed` has no word for a webhook off and failing.
    script.push(Reply::json(200, relay(true, "broken")));
    let vendor = Double::start(script).await;
    let dir = with_pulse(&[]);
    let without_failed = dir.path().join("pulse_without_failed.toml");
    std::fs::write(
        &without_failed,
        pulse(&[
            ("failing = true, failed = false }", "failing = true }"),
            (
                "failing = \"failing\", failed = \"failing\" }",
                "failing = \"failing\" }",
            ),
        ]),
    )
    .unwrap();
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.relay]\ndialect = \"relay\"\nbase_url = {:?}\n\
         auth = {{ type = \"none\" }}\n[url_policy]\nallow_private = true\n\
         [surfaces.pulse]\ndialect = \"pulse\"\nupstream = \"relay\"\nprefix = \"/n\"\nowner = \"p1\"\n\
         [surfaces.bare]\ndialect = \"pulse_without_failed\"\nupstream = \"relay\"\nprefix = \"/b\"\nowner = \"p1\"\n",
        dir.path(),
        vendor.url()
    ))
    .await;
    let bearer = [("authorization", "Bearer t")];
    for (disabled, state, word) in cases {
        let read = send(gw.addr, "GET", "/n/v3/webhooks/7", &bearer, None).await;
        ok(&read, 200, state);
        let data = &read.json()["data"];
        assert_eq!(data["status"], json!(word), "{disabled} {state}: {data}");
    }
    let refused = send(gw.addr, "GET", "/b/v3/webhooks/7", &bearer, None).await;
    ok(&refused, 502, "no word for it");
    let message = refused.json()["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        message.contains("status") && message.contains("failing") && message.contains("enabled"),
        "{message}"
    );
}

#[tokio::test]
async fn its_emulator_answers_the_word_for_the_switch_it_was_given() {
    let dir = with_pulse(&[]);
    let gw = support::gateway_emulating(dir.path().to_str().unwrap(), "pulse").await;
    let at = gw.emulators["pulse"];
    let bearer = [("authorization", "Bearer t")];
    let made = send(
        at,
        "POST",
        "/v3/webhooks",
        &bearer,
        Some(&json!({"webhook_url": "https://example.com/nylas", "trigger_types": ["message.created"]})),
    )
    .await;
    ok(&made, 200, "create");
    assert_eq!(made.json()["data"]["status"], "active", "{}", made.json());
    let id = made.json()["data"]["id"].as_str().unwrap().to_owned();
    let hook = format!("/v3/webhooks/{id}");
    let body = |status: &str| json!({"webhook_url": "https://example.com/nylas", "trigger_types": ["message.created"], "status": status});
    let paused = send(at, "PUT", &hook, &bearer, Some(&body("pause"))).await;
    ok(&paused, 200, "pause");
    assert_eq!(paused.json()["data"]["status"], "pause");
    // A word the vendor's clients cannot write is refused in its words.
    let failing = send(at, "PUT", &hook, &bearer, Some(&body("failing"))).await;
    assert!(failing.status >= 400, "{}", failing.json());
    let canonical = send(
        gw.addr,
        "GET",
        &format!("/v1/upstreams/pulse/webhooks/{id}"),
        &[],
        None,
    )
    .await;
    ok(&canonical, 200, "canonical read");
    assert_eq!(
        (&canonical.json()["enabled"], &canonical.json()["status"]),
        (&json!(false), &json!("disabled"))
    );
}
