//! An emulator's journal redacts the secrets of the bodies it records, and only them: the
//! members its mapping file says hold the webhook's signing secret (by the rule's path, its
//! aliases, the place requests spell it, `write_as`, and a rotation's `{{secret}}`), and the
//! values of its custom headers, wherever the body holds the webhook (an envelope, a form).
//! A member whose name merely says secret or token (the algorithm inside a `signing_secret`
//! object, a `secret_label` or a `token_url` the vendor answers) is no secret, and is shown as
//! sent; one named as a credential that the vendor never shows (an OAuth client's secret, a
//! member the mapping does not know) is redacted.
//!
//! The fixtures are test-local dialects written inline, each emulated alone, sent its own
//! vendor's bodies directly.

mod support;

use serde_json::{Value, json};
use support::{journal, send, send_raw};

const BEARER: (&str, &str) = ("authorization", "Bearer t");
const REDACTED: &str = "[redacted]";

/// A dialect `title`, its secret's (and other members') rules `fields`, its create's `body`,
/// and operations beyond the five every fixture has (`more`).
fn dialect(fields: &str, body: &str, more: &str) -> String {
    format!(
        r#"
[dialect]
title = "Journal fixture"

[fields.id]
path = "$.id"
in = ["response"]

[fields.url]
path = "$.url"
required = true

[fields.events]
path = "$.events"

[fields.enabled]
implied = true

{fields}

[operations.list]
method = "GET"
path = "/hooks"
response = {{ hooks = "{{{{items}}}}" }}

[operations.get]
method = "GET"
path = "/hooks/{{id}}"
response = "{{{{webhook}}}}"

[operations.create]
method = "POST"
path = "/hooks"
body = {body}
status = 201
response = "{{{{webhook}}}}"

[operations.update]
method = "PATCH"
path = "/hooks/{{id}}"
body = {body}
response = "{{{{webhook}}}}"

[operations.delete]
method = "DELETE"
path = "/hooks/{{id}}"
status = 204

{more}

[errors]
message = ["$.message"]

[errors.render.default]
body = {{ message = "{{{{message}}}}" }}
"#
    )
}

/// The secret inside an object beside a member that is none.
fn nested() -> String {
    dialect(
        "[fields.secret]\npath = \"$.signing_secret.value\"\nin = [\"request\"]\n\n\
         [fields.\"extensions.algorithm\"]\npath = \"$.signing_secret.algorithm\"\n\n\
         [fields.\"extensions.token_url\"]\npath = \"$.token_url\"",
        "\"{{webhook}}\"",
        "",
    )
}

/// The webhook in an envelope, its secret under a name that says nothing of one, an older
/// name for it (`aliases`), a member whose name says secret beside it, and a rotation whose
/// body places the client's new secret beside a member that is none.
fn envelope() -> String {
    dialect(
        "[fields.secret]\npath = \"$.key\"\naliases = [\"$.hmac\"]\nin = [\"request\"]\n\n\
         [fields.\"extensions.secret_label\"]\npath = \"$.secret_label\"",
        "{ data = \"{{webhook}}\" }",
        "[operations.rotate_secret]\nmethod = \"POST\"\npath = \"/hooks/{id}/rotate\"\n\
         body = { next = \"{{secret}}\", kind = \"hmac\" }\nresponse = \"{{webhook}}\"",
    )
}

/// A secret answers show at one place and requests spell at another (`write_as`), and custom
/// headers whose values are redacted, their names kept.
fn spelt_apart() -> String {
    dialect(
        "[fields.secret]\npath = \"$.secret\"\nwrite_as = { path = \"$.credentials.hmac\" }\n\n\
         [fields.\"extensions.scheme\"]\npath = \"$.credentials.scheme\"\n\n\
         [fields.headers]\npath = \"$.custom_headers\"\ncodec = { pairs = { key = \"name\", value = \"value\" } }",
        "\"{{webhook}}\"",
        "",
    )
}

/// Starts an emulator of each fixture (named as given) and returns the gateway.
async fn emulating(files: &[(&str, String)]) -> (hookgate::app::Running, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = format!("mappings_dir = {:?}\n", dir.path());
    for (name, text) in files {
        std::fs::write(dir.path().join(format!("{name}.toml")), text).unwrap();
        config.push_str(&format!(
            "[upstreams.{name}]\ndialect = \"{name}\"\nemulate = true\n"
        ));
    }
    (support::gateway(&config).await, dir)
}

/// The body the journal recorded of the last request to `emulator`.
async fn last_body(emulator: std::net::SocketAddr) -> Value {
    let entries = journal(emulator).await;
    entries.last().expect("a request was journaled")["body"].clone()
}

#[tokio::test]
async fn the_journal_redacts_the_mappings_secrets_and_shows_the_members_beside_them() {
    let (gw, _dir) = emulating(&[
        ("nested", nested()),
        ("envelope", envelope()),
        ("spelt", spelt_apart()),
    ])
    .await;
    let url = "https://example.com/h";

    // A secret inside an object whose name says secret: the value alone is redacted.
    let nested = gw.emulators["nested"];
    let sent = json!({"url": url, "signing_secret": {"value": "s3cret-nested", "algorithm": "hmac-sha256"},
                      "token_url": "https://auth.example/token"});
    send(nested, "POST", "/hooks", &[BEARER], Some(&sent)).await;
    let body = last_body(nested).await;
    assert_eq!(body["signing_secret"]["value"], REDACTED, "{body}");
    assert_eq!(body["signing_secret"]["algorithm"], "hmac-sha256", "{body}");
    assert_eq!(body["token_url"], "https://auth.example/token", "{body}");
    assert_eq!(body["url"], url, "{body}");
    // A credential the mapping does not know, named as one, whatever the vendor makes of it.
    for name in ["oauth_client_secret", "password", "api_key"] {
        let sent = json!({"url": url, name: "s3cret-unknown"});
        send(nested, "POST", "/hooks", &[BEARER], Some(&sent)).await;
        let body = last_body(nested).await;
        assert_eq!(body[name], REDACTED, "{name}: {body}");
    }
    // The same as a form, whose members nest by brackets.
    let form = "url=https%3A%2F%2Fexample.com%2Fh&signing_secret[value]=s3cret-form\
                &signing_secret[algorithm]=hmac-sha256";
    let form_type = ("content-type", "application/x-www-form-urlencoded");
    send_raw(nested, "POST", "/hooks", &[BEARER, form_type], form.into()).await;
    let body = last_body(nested).await;
    assert_eq!(body["signing_secret"]["value"], REDACTED, "{body}");
    assert_eq!(body["signing_secret"]["algorithm"], "hmac-sha256", "{body}");

    // In an envelope, under a name that says nothing of a secret, or its older name.
    let envelope = gw.emulators["envelope"];
    for name in ["key", "hmac"] {
        let sent =
            json!({"data": {"url": url, name: "s3cret-envelope", "secret_label": "primary"}});
        send(envelope, "POST", "/hooks", &[BEARER], Some(&sent)).await;
        let body = last_body(envelope).await;
        assert_eq!(body["data"][name], REDACTED, "{name}: {body}");
        assert_eq!(body["data"]["secret_label"], "primary", "{name}: {body}");
    }
    // A rotation's new secret, beside a member of the body that is none.
    let sent = json!({"next": "s3cret-rotated", "kind": "hmac"});
    send(envelope, "POST", "/hooks/h1/rotate", &[BEARER], Some(&sent)).await;
    let body = last_body(envelope).await;
    assert_eq!(body, json!({"next": REDACTED, "kind": "hmac"}));

    // Where requests spell the secret, beside a member that is none; custom header values.
    let spelt = gw.emulators["spelt"];
    let sent = json!({"url": url, "credentials": {"hmac": "s3cret-spelt", "scheme": "v1"},
                      "custom_headers": [{"name": "X-Env", "value": "s3cret-header"}]});
    send(spelt, "POST", "/hooks", &[BEARER], Some(&sent)).await;
    let body = last_body(spelt).await;
    assert_eq!(body["credentials"]["hmac"], REDACTED, "{body}");
    assert_eq!(body["credentials"]["scheme"], "v1", "{body}");
    assert_eq!(
        body["custom_headers"],
        json!([{"name": "X-Env", "value": REDACTED}]),
        "{body}"
    );

    // No secret reached any journal.
    for name in ["nested", "envelope", "spelt"] {
        let text = Value::Array(journal(gw.emulators[name]).await).to_string();
        assert!(!text.contains("s3cret-"), "{name}: {text}");
    }
    gw.stop().await;
}
