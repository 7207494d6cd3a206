//! A vendor that writes integers as text (`"responseCode": "200"`, a count or a retry limit
//! as `"5"`), read and written by the `string_int` codec: the canonical API shows integers and
//! sends text, a test delivery's status reads as the integer it is, the vendor's emulator
//! keeps and answers text, and text that is no integer's (`"007"`, `"2e2"`) is never read as
//! another number: a vendor's is kept as it wrote it, an extension, and a client's is refused.
//! `check` refuses a range beside the codec, which would see text.
//!
//! The fixture is `texty`, inline, over a vendor double on 127.0.0.1 (and emulated).

mod support;

use serde_json::{Value, json};
use support::{Double, Reply, ok, send};

/// `texty.toml`.
const TEXTY: &str = r#"[dialect]
title = "Texty webhooks"
base_path = "/v1"

[emulator]
id = "integer"

[fields.id]
path = "$.id"
in = ["response"]
codec = "int_string"

[fields.url]
path = "$.url"
required = true

[fields.events]
path = "$.events"
required = true

[fields.max_retries]
path = "$.retries"
codec = "string_int"
pattern = "^[0-9]$"

[test_result.delivered]
path = "$.ok"

[test_result.response_status]
path = "$.responseCode"
codec = "string_int"

[operations.create]
method = "POST"
path = "/webhooks"
body = "{{webhook}}"
response = "{{webhook}}"
status = 201

[operations.get]
method = "GET"
path = "/webhooks/{id}"
response = "{{webhook}}"

[operations.delete]
method = "DELETE"
path = "/webhooks/{id}"
status = 204

[operations.test]
method = "POST"
path = "/webhooks/{id}/test"
response = "{{result}}"

[errors]
message = ["$.message"]

[errors.render.default]
body = { message = "{{message}}" }
"#;

/// A folder holding `texty.toml`.
fn mappings() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("texty.toml"), TEXTY).unwrap();
    dir
}

/// A vendor double answering a create with what it was sent (id 7), a read with `read` and a
/// test with `tested`.
async fn vendor(read: Value, tested: Value) -> Double {
    Double::answering(
        move |seen| match (seen.method.as_str(), seen.path.as_str()) {
            ("POST", "/v1/webhooks") => {
                let mut body: Value = serde_json::from_slice(&seen.body).unwrap();
                body["id"] = json!(7);
                Reply::json(201, body)
            }
            ("GET", "/v1/webhooks/7") => Reply::json(200, read.clone()),
            ("POST", "/v1/webhooks/7/test") => Reply::json(200, tested.clone()),
            _ => Reply::json(404, json!({"message": "no such webhook"})),
        },
    )
    .await
}

#[tokio::test]
async fn integers_the_vendor_writes_as_text_are_integers_canonically() {
    let dir = mappings();
    let read = json!({"id": 7, "url": "https://example.com/h", "events": ["a"], "retries": "5"});
    let double = vendor(read, json!({"ok": true, "responseCode": "204"})).await;
    let gw = support::gateway_over(dir.path().to_str().unwrap(), "texty", &double).await;
    let at = "/v1/upstreams/texty/webhooks";
    let create = json!({"url": "https://example.com/h", "events": ["a"], "max_retries": 3});
    let made = send(gw.addr, "POST", at, &[], Some(&create)).await;
    ok(&made, 201, "create");
    assert_eq!(made.json()["max_retries"], 3, "{}", made.json());
    let sent: Value = serde_json::from_slice(&double.seen()[0].body).unwrap();
    assert_eq!(sent["retries"], "3", "{sent}");
    let got = send(gw.addr, "GET", &format!("{at}/7"), &[], None).await;
    ok(&got, 200, "get");
    assert_eq!(got.json()["max_retries"], 5, "{}", got.json());
    let tested = send(gw.addr, "POST", &format!("{at}/7/test"), &[], None).await;
    ok(&tested, 200, "test");
    assert_eq!(tested.json()["response_status"], 204, "{}", tested.json());
    // A canonical value that is no integer never reaches the vendor.
    for bad in [json!("3"), json!(2.5)] {
        let create = json!({"url": "https://example.com/h", "events": ["a"], "max_retries": bad});
        let refused = send(gw.addr, "POST", at, &[], Some(&create)).await;
        assert_eq!(refused.status, 422, "{bad}: {:?}", refused.body);
    }
    assert_eq!(double.seen().len(), 3, "no call for a refused create");
    gw.stop().await;
}

#[tokio::test]
async fn text_that_is_no_integer_s_is_kept_as_written_never_read_as_another_number() {
    let dir = mappings();
    for text in ["007", "2e2", "+5", "five"] {
        let read =
            json!({"id": 7, "url": "https://example.com/h", "events": ["a"], "retries": text});
        let tested = json!({"ok": true, "responseCode": text});
        let double = vendor(read, tested).await;
        let gw = support::gateway_over(dir.path().to_str().unwrap(), "texty", &double).await;
        let at = "/v1/upstreams/texty/webhooks/7";
        // Kept as the vendor wrote it, beside the fields, as any value a codec cannot read.
        let got = send(gw.addr, "GET", at, &[], None).await;
        ok(&got, 200, text);
        assert!(got.json().get("max_retries").is_none(), "{}", got.json());
        assert_eq!(got.json()["extensions"]["retries"], text, "{}", got.json());
        let tested = send(gw.addr, "POST", &format!("{at}/test"), &[], None).await;
        ok(&tested, 200, text);
        assert!(
            tested.json().get("response_status").is_none(),
            "{}",
            tested.json()
        );
        assert_eq!(tested.json()["extensions"]["responseCode"], text);
        gw.stop().await;
    }
}

#[tokio::test]
async fn an_emulator_keeps_and_answers_the_vendor_s_text() {
    let dir = mappings();
    let gw = support::gateway_emulating(dir.path().to_str().unwrap(), "texty").await;
    let emulator = gw.emulators["texty"];
    let auth = [("authorization", "Bearer any")];
    let create = json!({"url": "https://example.com/h", "events": ["a"], "retries": "4"});
    let made = send(emulator, "POST", "/v1/webhooks", &auth, Some(&create)).await;
    ok(&made, 201, "create at the emulator");
    assert_eq!(made.json()["retries"], "4", "{}", made.json());
    let id = made.json()["id"].as_i64().unwrap();
    let read = send(emulator, "GET", &format!("/v1/webhooks/{id}"), &auth, None).await;
    assert_eq!(read.json()["retries"], "4", "{}", read.json());
    // The canonical API in front of it reads the integer.
    let at = format!("/v1/upstreams/texty/webhooks/{id}");
    let got = send(gw.addr, "GET", &at, &[], None).await;
    ok(&got, 200, "canonical read");
    assert_eq!(got.json()["max_retries"], 4, "{}", got.json());
    // Text that is no integer's is the vendor's own refusal.
    let bad = json!({"url": "https://example.com/h", "events": ["a"], "retries": "04"});
    let refused = send(emulator, "POST", "/v1/webhooks", &auth, Some(&bad)).await;
    assert!(
        refused.status == 400 || refused.status == 422,
        "{:?}",
        refused.body
    );
    gw.stop().await;
}

#[test]
fn a_range_beside_the_codec_is_refused() {
    // Keys that see the vendor's text, given what no text is: each would refuse every value,
    // or send one no integer is written as.
    for (key, given) in [
        ("one_of", "one_of = [1, 2]"),
        ("type", "type = \"integer\""),
        ("fill", "fill = \"x1\""),
        ("default", "default = \"007\""),
    ] {
        let text = TEXTY.replace("pattern = \"^[0-9]$\"", given);
        let errors = support::refused_mapping("texty", &text);
        assert!(
            errors
                .iter()
                .any(|e| e.contains(&format!("fields.max_retries.{key}"))),
            "{given}: {errors:?}"
        );
    }
    // Text the codec reads is taken.
    let fine = TEXTY.replace(
        "pattern = \"^[0-9]$\"",
        "one_of = [\"1\", \"2\"]\nfill = \"1\"",
    );
    assert!(
        hookgate::mapping::compile::compile("texty", std::path::Path::new("texty.toml"), &fine)
            .is_ok()
    );
    for bound in ["min = 0", "max = 9"] {
        let text = TEXTY.replace("pattern = \"^[0-9]$\"", bound);
        let errors = support::refused_mapping("texty", &text);
        assert!(
            errors
                .iter()
                .any(|e| e.contains("fields.max_retries") && e.contains("string_int")),
            "{bound}: {errors:?}"
        );
    }
}
