//! An emulator mints signing secrets written as its vendor writes them (`[emulator] secret`):
//! base64 (svix-server's `whsec_…`), base64 with the URL-safe alphabet and no padding, or
//! lower- or uppercase hexadecimal (Sentry's 64 digits, Adyen's HMAC keys), after the vendor's
//! prefix, with as many random
//! bytes as `secret_bytes` says, on a create and on a rotation. Over test-local copies of
//! `tests/dialects/beacon.toml`, emulated.

mod support;

use serde_json::json;
use support::{dialects_with, gateway, ok, send};

const STYLE: &str = "secret = \"base64\"";

#[tokio::test]
async fn created_and_rotated_secrets_are_written_as_the_vendor_writes_them() {
    type Check = fn(&str) -> bool;
    let cases: [(&str, usize, Check); 5] = [
        ("hex", 32, |s| {
            s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        }),
        ("base64url", 32, |s| {
            s.len() == 43
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        }),
        ("base64", 16, |s| {
            s.len() == 24
                && s.ends_with("==")
                && (s.trim_end_matches('=').bytes())
                    .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        }),
        ("upper_hex", 32, |s| {
            s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'A'..=b'F'))
        }),
        ("hex", 17, |s| {
            s.len() == 34 && s.bytes().all(|b| b.is_ascii_hexdigit())
        }),
    ];
    for (style, bytes, check) in cases {
        let dir = dialects_with(&[(
            "beacon",
            STYLE,
            &format!("secret = \"{style}\"\nsecret_bytes = {bytes}"),
        )]);
        let gw = gateway(&format!(
            "mappings_dir = {:?}\n[upstreams.up]\ndialect = \"beacon\"\nemulate = true\n",
            dir.path()
        ))
        .await;
        let base = "/v1/upstreams/up/owners/ws1/webhooks";
        let body = json!({"url": "https://example.com/h", "events": ["call.ended"]});
        let made = send(gw.addr, "POST", base, &[], Some(&body)).await;
        ok(&made, 201, style);
        let id = made.json()["id"].as_str().unwrap().to_owned();
        let rotated = send(
            gw.addr,
            "POST",
            &format!("{base}/{id}/rotate-secret"),
            &[],
            None,
        )
        .await;
        ok(&rotated, 200, style);
        for (what, answer) in [("create", &made), ("rotation", &rotated)] {
            let json = answer.json();
            let secret = json["secret"].as_str().unwrap_or_default();
            let bare = secret
                .strip_prefix("bsk_")
                .unwrap_or_else(|| panic!("{style} {what}: {secret:?} lacks the vendor's prefix"));
            assert!(check(bare), "{style}, {bytes} bytes, {what}: {secret:?}");
        }
        assert_ne!(made.json()["secret"], rotated.json()["secret"], "{style}");
        gw.stop().await;
    }
}

#[test]
fn a_style_the_language_does_not_know_is_refused_when_the_file_loads() {
    let path = std::path::Path::new(support::TEST_DIALECTS).join("beacon.toml");
    let base = std::fs::read_to_string(&path).unwrap();
    assert!(base.contains(STYLE));
    let text = base.replacen(STYLE, "secret = \"base32\"", 1);
    let errors = hookgate::mapping::Dialect::compile("beacon", &path, &text).unwrap_err();
    let report = format!("{errors:?}");
    for word in ["base32", "base64", "base64url", "hex", "upper_hex"] {
        assert!(report.contains(word), "{word}: {report}");
    }
}
