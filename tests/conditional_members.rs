//! Members a vendor takes or answers only beside another (`fill_when` with `"{{any}}"`): a
//! signing secret's `algorithm`, sent with a secret the client gives and never alone; a note
//! an answer holds only where the webhook has a label. The fill is written where the other
//! member has any value, and nowhere else, on creates and on the whole-webhook writes of a
//! read-merge-write; an emulator's answers show the `render_default` under the same
//! condition. A `fill_when` beside neither `fill` nor `render_default` is refused at load. A
//! flag the vendor answers for a member it never shows (`hasPassword`) is derived from that
//! member's presence (`present` naming an extension) where it is known, and left out where a
//! surface cannot know it.
//!
//! The fixture is `signed`, inline, over a vendor double on 127.0.0.1 (and emulated).

mod support;

use serde_json::{Value, json};
use support::{Double, Reply, ok, send};

/// `signed.toml`: the secret at `signing_secret.secret` with its `algorithm` filled beside it,
/// a `kind` filled beside a label, a `notes` answered as `""` beside one; updates as
/// `update` says.
fn signed(update: &str) -> String {
    format!(
        r#"[dialect]
title = "Signed webhooks"
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

[fields.description]
path = "$.label"

[fields.secret]
path = "$.signing_secret.secret"
in = ["request"]

[fields."extensions.algorithm"]
path = "$.signing_secret.algorithm"
in = ["request"]
fill = "sha256"
one_of = ["sha256"]
fill_when = {{ "$.signing_secret.secret" = "{{{{any}}}}" }}

[fields."extensions.kind"]
path = "$.kind"
in = ["request"]
fill = "labelled"
one_of = ["labelled"]
fill_when = {{ "$.label" = " {{{{any}}}} " }}

[fields."extensions.notes"]
path = "$.notes"
in = ["response"]
render_default = ""
fill_when = {{ "$.label" = "{{{{any}}}}" }}

[fields."extensions.password"]
path = "$.password"
in = ["request"]

[derived.has_password]
path = "$.hasPassword"
present = "extensions.password"

[operations.create]
method = "POST"
path = "/webhooks"
body = "{{{{webhook}}}}"
response = "{{{{webhook}}}}"
status = 201

[operations.get]
method = "GET"
path = "/webhooks/{{id}}"
response = "{{{{webhook}}}}"

{update}

[operations.delete]
method = "DELETE"
path = "/webhooks/{{id}}"
status = 204

[errors]
message = ["$.message"]

[errors.render.default]
body = {{ message = "{{{{message}}}}" }}
"#
    )
}

/// A whole-webhook update, the vendor's PUT of a read-merge-write.
const REPLACE: &str = "[operations.update]\nmethod = \"PUT\"\npath = \"/webhooks/{id}\"\nbody = \"{{webhook}}\"\nresponse = \"{{webhook}}\"\nstrategy = \"read_merge_write\"";

/// A folder holding `signed.toml`.
fn mappings(update: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("signed.toml"), signed(update)).unwrap();
    dir
}

/// A vendor double that answers a create and a PUT with the webhook it was sent (id 7), and a
/// read of webhook 7 with `read`.
async fn vendor(read: Value) -> Double {
    Double::answering(move |seen| {
        let sent = || {
            let mut body: Value = serde_json::from_slice(&seen.body).unwrap_or(json!({}));
            body["id"] = json!(7);
            body
        };
        match (seen.method.as_str(), seen.path.as_str()) {
            ("POST", "/v1/webhooks") => Reply::json(201, sent()),
            ("PUT", "/v1/webhooks/7") => Reply::json(200, sent()),
            ("GET", "/v1/webhooks/7") => Reply::json(200, read.clone()),
            _ => Reply::json(404, json!({"message": "no such webhook"})),
        }
    })
    .await
}

/// The body of the vendor's `index`th call.
fn sent(double: &Double, index: usize) -> Value {
    serde_json::from_slice(&double.seen()[index].body).unwrap()
}

#[tokio::test]
async fn a_fill_beside_another_member_is_sent_only_where_that_member_has_a_value() {
    let dir = mappings(REPLACE);
    // Each create, and what the vendor is sent beside the client's own members.
    let cases = [
        (
            json!({"url": "https://example.com/h", "events": ["a"], "secret": "whsec_abcdefabcdef"}),
            json!({"signing_secret": {"secret": "whsec_abcdefabcdef", "algorithm": "sha256"}}),
        ),
        (
            json!({"url": "https://example.com/h", "events": ["a"], "description": "Support"}),
            json!({"label": "Support", "kind": "labelled"}),
        ),
        (
            // An empty text is a value all the same.
            json!({"url": "https://example.com/h", "events": ["a"], "description": "", "secret": "whsec_abcdefabcdef"}),
            json!({"label": "", "kind": "labelled",
                "signing_secret": {"secret": "whsec_abcdefabcdef", "algorithm": "sha256"}}),
        ),
        (
            json!({"url": "https://example.com/h", "events": ["a"]}),
            json!({}),
        ),
    ];
    for (create, beside) in cases {
        let double = vendor(json!({})).await;
        let gw = support::gateway_over(dir.path().to_str().unwrap(), "signed", &double).await;
        let answer = send(
            gw.addr,
            "POST",
            "/v1/upstreams/signed/webhooks",
            &[],
            Some(&create),
        )
        .await;
        ok(&answer, 201, &create.to_string());
        let mut expected = json!({"url": "https://example.com/h", "events": ["a"]});
        for (k, v) in beside.as_object().unwrap() {
            expected[k] = v.clone();
        }
        assert_eq!(sent(&double, 0), expected, "{create}");
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_read_merge_write_sends_the_fill_only_beside_its_member() {
    let dir = mappings(REPLACE);
    let read = json!({"id": 7, "url": "https://example.com/h", "events": ["a"]});
    // Each change, and what the vendor is sent: the members that changed, a fill beside the
    // member it goes with.
    let cases = [
        (
            json!({"url": "https://example.com/new"}),
            json!({"url": "https://example.com/new"}),
        ),
        (
            json!({"description": "Support"}),
            json!({"label": "Support", "kind": "labelled"}),
        ),
        (
            json!({"secret": "whsec_abcdefabcdef"}),
            json!({"signing_secret": {"secret": "whsec_abcdefabcdef", "algorithm": "sha256"}}),
        ),
    ];
    for (change, put) in cases {
        let double = vendor(read.clone()).await;
        let gw = support::gateway_over(dir.path().to_str().unwrap(), "signed", &double).await;
        let path = "/v1/upstreams/signed/webhooks/7";
        let answer = send(gw.addr, "PATCH", path, &[], Some(&change)).await;
        ok(&answer, 200, &change.to_string());
        assert_eq!(sent(&double, 1), put, "{change}");
        gw.stop().await;
    }
    // A vendor that answers the member after all (its rule says requests alone carry it) has
    // it sent back as it answered it, never reset nor refused as one it never reports.
    let told = json!({"id": 7, "url": "https://example.com/h", "events": ["a"],
        "signing_secret": {"algorithm": "sha512"}});
    let open = signed(REPLACE).replace("one_of = [\"sha256\"]\n", "");
    let several = tempfile::tempdir().unwrap();
    std::fs::write(several.path().join("signed.toml"), open).unwrap();
    let double = vendor(told).await;
    let gw = support::gateway_over(several.path().to_str().unwrap(), "signed", &double).await;
    let change = json!({"secret": "whsec_abcdefabcdef"});
    let path = "/v1/upstreams/signed/webhooks/7";
    let answer = send(gw.addr, "PATCH", path, &[], Some(&change)).await;
    ok(
        &answer,
        200,
        "a change of the secret beside an algorithm answered",
    );
    let put = json!({"signing_secret": {"secret": "whsec_abcdefabcdef", "algorithm": "sha512"}});
    assert_eq!(sent(&double, 1), put);
    gw.stop().await;
    // A fill the rule does not hold to be its one value may stand where the vendor, which
    // never answers it, holds another (one a client gave): sent whole, it would be reset.
    let open = signed(REPLACE).replace("one_of = [\"labelled\"]\n", "");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("signed.toml"), open).unwrap();
    let double = vendor(read.clone()).await;
    let gw = support::gateway_over(dir.path().to_str().unwrap(), "signed", &double).await;
    let change = json!({"description": "Support"});
    let path = "/v1/upstreams/signed/webhooks/7";
    let answer = send(gw.addr, "PATCH", path, &[], Some(&change)).await;
    assert_eq!(answer.status, 422, "{:?}", answer.body);
    assert_eq!(answer.json()["errors"][0]["field"], "extensions.kind");
    assert_eq!(double.seen().len(), 1, "nothing written");
    gw.stop().await;
}

#[tokio::test]
async fn an_emulator_answers_a_default_only_beside_its_member() {
    let dir = mappings(REPLACE);
    let gw = support::gateway_emulating(dir.path().to_str().unwrap(), "signed").await;
    let emulator = gw.emulators["signed"];
    let auth = [("authorization", "Bearer any")];
    for (create, notes) in [
        (
            json!({"url": "https://example.com/h", "events": ["a"], "label": "Support"}),
            Some(json!("")),
        ),
        (
            json!({"url": "https://example.com/h", "events": ["a"]}),
            None,
        ),
    ] {
        let made = send(emulator, "POST", "/v1/webhooks", &auth, Some(&create)).await;
        ok(&made, 201, &create.to_string());
        let id = made.json()["id"].clone();
        let id = id.as_i64().map(|n| n.to_string()).unwrap();
        let read = send(emulator, "GET", &format!("/v1/webhooks/{id}"), &auth, None).await;
        ok(&read, 200, &create.to_string());
        assert_eq!(read.json().get("notes").cloned(), notes, "{}", read.json());
        assert_eq!(made.json().get("notes").cloned(), notes, "{}", made.json());
    }
    gw.stop().await;
}

#[test]
fn conditions_without_a_fill_or_a_default_are_refused() {
    let text = signed(REPLACE).replace(
        "render_default = \"\"\nfill_when",
        "note = \"answered beside a label\"\nfill_when",
    );
    let errors = support::refused_mapping("signed", &text);
    assert!(
        errors.iter().any(|e| e.contains("extensions.notes")
            && e.contains("fill_when")
            && e.contains("`fill` or `render_default`")),
        "{errors:?}"
    );
}

#[tokio::test]
async fn a_flag_is_derived_from_a_member_the_vendor_never_shows() {
    // The vendor emulated, and a surface of its dialect in front of another vendor of the same
    // shape (`other`), which translates: its reads cannot give back a password.
    let dir = mappings(REPLACE);
    std::fs::write(dir.path().join("other.toml"), signed(REPLACE)).unwrap();
    let gw = support::gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.other]\ndialect = \"other\"\nemulate = true\n\
         [surfaces.s]\ndialect = \"signed\"\nupstream = \"other\"\nprefix = \"/s\"\n\
         [inbound_auth]\nmode = \"off\"\n",
        dir.path()
    ))
    .await;
    let emulator = gw.emulators["other"];
    let auth = [("authorization", "Bearer any")];
    for (password, flag) in [
        (Some("p4ss"), Some(true)),
        (Some(""), Some(true)),
        (None, None),
    ] {
        let mut create = json!({"url": "https://example.com/h", "events": ["a"]});
        if let Some(password) = password {
            create["password"] = json!(password);
        }
        let made = send(emulator, "POST", "/v1/webhooks", &auth, Some(&create)).await;
        ok(&made, 201, &create.to_string());
        let id = made.json()["id"].as_i64().unwrap();
        let read = send(emulator, "GET", &format!("/v1/webhooks/{id}"), &auth, None).await;
        for answer in [made.json(), read.json()] {
            assert_eq!(
                answer.get("hasPassword").cloned(),
                flag.map(Value::from),
                "{answer}"
            );
            assert!(answer.get("password").is_none(), "{answer}");
        }
        // The canonical API reads the flag as the vendor's fact, kept under no field; the
        // surface says nothing of it rather than `false`.
        let at = format!("/v1/upstreams/other/webhooks/{id}");
        let canonical = send(gw.addr, "GET", &at, &[], None).await.json();
        assert!(
            canonical["extensions"].get("hasPassword").is_none(),
            "{canonical}"
        );
        let surfaced = send(gw.addr, "GET", &format!("/s/v1/webhooks/{id}"), &auth, None).await;
        ok(&surfaced, 200, "the surface's read");
        assert!(
            surfaced.json().get("hasPassword").is_none(),
            "{}",
            surfaced.json()
        );
    }
    gw.stop().await;
}

#[test]
fn a_flag_of_a_member_no_rule_reads_is_refused() {
    let undeclared = signed(REPLACE).replace(
        "present = \"extensions.password\"",
        "present = \"extensions.passcode\"",
    );
    let errors = support::refused_mapping("signed", &undeclared);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("derived.has_password") && e.contains("an extension a rule reads")),
        "{errors:?}"
    );
}
