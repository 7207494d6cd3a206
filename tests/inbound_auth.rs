//! The canonical API's API keys: by hash, by scope, by upstream; and off only when said so.

mod support;

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use hookgate::config::{self, RawConfig};
use serde_json::json;
use support::{ALL_EMULATED, gateway, send};

/// SHA-256 of "reader-key" and of "writer-key".
const READER: &str = "reader-key";
const WRITER: &str = "writer-key";

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn keys_are_checked_by_hash_scope_and_upstream() {
    let gw = gateway(&format!(
        "{ALL_EMULATED}\n[inbound_auth]\nmode = \"api_keys\"\n\
         [[inbound_auth.keys]]\nname = \"reader\"\nsha256 = \"{}\"\nscopes = [\"webhooks:read\"]\n\
         [[inbound_auth.keys]]\nname = \"writer\"\nsha256 = \"{}\"\nscopes = [\"webhooks:read\", \"webhooks:write\"]\nupstreams = [\"agentmessage\"]\n",
        sha256_hex(READER),
        sha256_hex(WRITER)
    ))
    .await;
    let am = "/v1/upstreams/agentmessage/webhooks";
    let body = json!({"url": "https://h.example.com/a", "events": ["lookup.completed"]});

    let none = send(gw.addr, "GET", am, &[], None).await;
    assert_eq!(
        (none.status, none.json()["code"].clone()),
        (401, json!("unauthorized"))
    );
    let wrong = send(gw.addr, "GET", am, &[("x-api-key", "guess")], None).await;
    assert_eq!(wrong.status, 401);
    let read = send(gw.addr, "GET", am, &[("x-api-key", READER)], None).await;
    assert_eq!(read.status, 200);
    let upstreams = send(
        gw.addr,
        "GET",
        "/v1/upstreams",
        &[("x-api-key", READER)],
        None,
    )
    .await;
    assert_eq!(upstreams.status, 200);
    let write = send(gw.addr, "POST", am, &[("x-api-key", READER)], Some(&body)).await;
    assert_eq!(
        (write.status, write.json()["detail"].clone()),
        (403, json!("the API key lacks the scope webhooks:write"))
    );
    let created = send(gw.addr, "POST", am, &[("x-api-key", WRITER)], Some(&body)).await;
    assert_eq!(created.status, 201);
    let elsewhere = send(
        gw.addr,
        "GET",
        "/v1/upstreams/talkover/owners/550e8400-e29b-41d4-a716-446655440000/webhooks",
        &[("x-api-key", WRITER)],
        None,
    )
    .await;
    assert_eq!(
        (elsewhere.status, elsewhere.json()["detail"].clone()),
        (403, json!("the API key may not use upstream talkover"))
    );
    for a in [&none, &wrong, &write, &elsewhere] {
        assert!(
            !String::from_utf8_lossy(&a.body).contains("key\""),
            "no key material in problems"
        );
    }
    gw.stop().await;
}

fn load(toml: &str) -> Result<config::Config, config::ConfigReport> {
    let figment =
        Figment::from(Serialized::defaults(RawConfig::default())).merge(Toml::string(toml));
    config::from_figment(&figment, "test")
}

#[test]
fn authentication_is_off_only_when_said_so() {
    let report = load("").unwrap_err();
    assert!(
        report
            .to_string()
            .contains("inbound_auth.keys: no API key is configured"),
        "{report}"
    );
    assert!(load("[inbound_auth]\nmode = \"off\"\n").is_ok());
    let report = load("[inbound_auth]\nmode = \"api_keys\"\n[[inbound_auth.keys]]\nname = \"k\"\nsha256 = \"plaintext-key\"\nscopes = [\"webhooks:admin\"]\n").unwrap_err();
    let text = report.to_string();
    assert!(
        text.contains("inbound_auth.keys[0].sha256: expected 64 hex digits"),
        "{text}"
    );
    assert!(
        text.contains("inbound_auth.keys[0].scopes: `webhooks:admin`"),
        "{text}"
    );
}
