//! Credentials of several parts: a vendor that takes a key beside a token, both in the query
//! (Trello's `?key=…&token=…`, Vonage's `api_key` and `api_secret`), or an account's e-mail in
//! a header beside its key (Cloudflare's `X-Auth-Email` and `X-Auth-Key`). hookgate's own at the
//! vendor (`upstreams.NAME.auth.also`) goes out whole on every call and is never shown; its
//! clients' at a surface or an emulator (`dialect.auth.also`) must be there whole, is passed
//! through whole, and is shown in no journal.

mod support;

use hookgate::mapping::Dialect;
use serde_json::{Value, json};
use std::path::Path;
use support::{Double, Reply, gateway, inbound_key, ok, secret_file, send};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");

/// The test dialects, with Sift's clients sending a token and a key in the query (as Trello's
/// do) and Post's a key and the account's e-mail in headers of their own (as Cloudflare's).
fn dialects() -> tempfile::TempDir {
    support::dialects_with(&[
        (
            "sift",
            "[dialect]\n",
            "[dialect]\nauth = { query = \"token\", also = [{ query = \"key\" }] }\n",
        ),
        (
            "post",
            "auth = { header = \"X-Postmark-Server-Token\" }",
            "auth = { header = \"X-Auth-Key\", also = [{ header = \"X-Auth-Email\" }] }",
        ),
    ])
}

#[tokio::test]
async fn hookgates_own_credential_goes_out_whole_and_is_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    let token = secret_file(dir.path(), "token", "tr-t0ken/99");
    let key = secret_file(dir.path(), "key", "tr-k3y&77");
    let email = secret_file(dir.path(), "email", "ops@example.com");
    support::secrets::remember_request(
        &[
            ("x-api-key", "tr-t0ken/99"),
            ("x-api-key", "tr-k3y&77"),
            ("x-api-key", "tr-k3y%2677"),
        ],
        b"",
    );
    let vendor = Double::start(vec![
        Reply::json(200, json!({"webhooks": []})),
        Reply::json(
            400,
            json!({"error": {"code": 400, "status": "INVALID_ARGUMENT",
                "message": "invalid key tr-k3y&77 for token tr-t0ken/99 (ops@example.com)"}}),
        ),
    ])
    .await;
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.sift]\ndialect = \"sift\"\nbase_url = {:?}\n\
         auth = {{ type = \"query\", name = \"token\", token_file = {token:?}, also = [\
         {{ type = \"query\", name = \"key\", token_file = {key:?} }}, \
         {{ type = \"header\", name = \"X-Auth-Email\", token_file = {email:?} }}] }}\n",
        vendor.url()
    ))
    .await;
    let hooks = "/v1/upstreams/sift/owners/p1/webhooks";
    ok(
        &send(gw.addr, "GET", &format!("{hooks}?limit=2"), &[], None).await,
        200,
        "list",
    );
    let refused = send(gw.addr, "GET", &format!("{hooks}/wh-1"), &[], None).await;
    let text = refused.json().to_string();
    assert!(text.contains("invalid key"), "{text}");
    for secret in ["tr-k3y", "tr-t0ken", "ops@example.com"] {
        assert!(!text.contains(secret), "{secret}: {text}");
    }
    let seen = vendor.seen();
    assert_eq!(
        seen[0].path,
        "/v1/projects/p1/webhooks?page_size=2&token=tr-t0ken%2F99&key=tr-k3y%2677"
    );
    assert_eq!(
        seen[1].path,
        "/v1/projects/p1/webhooks/wh-1?token=tr-t0ken%2F99&key=tr-k3y%2677"
    );
    for s in &seen {
        assert_eq!(s.headers["x-auth-email"], "ops@example.com");
        assert!(!s.headers.contains_key("authorization"));
    }
    support::secrets::assert_none_logged();
}

#[tokio::test]
async fn a_bearer_token_goes_out_with_a_header_beside_it() {
    // An account named in a header of its own beside the bearer token, as Harvest's API asks.
    let dir = tempfile::tempdir().unwrap();
    let token = secret_file(dir.path(), "token", "pat-123");
    let account = secret_file(dir.path(), "account", "42");
    let vendor = Double::start(vec![Reply::json(200, json!({"Webhooks": []}))]).await;
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.post]\ndialect = \"post\"\nbase_url = {:?}\n\
         auth = {{ type = \"bearer\", token_file = {token:?}, also = [\
         {{ type = \"header\", name = \"Harvest-Account-Id\", token_file = {account:?} }}, \
         {{ type = \"header\", name = \"X-Account\", prefix = \"acct \", token_file = {account:?} }}] }}\n",
        vendor.url()
    ))
    .await;
    let listed = send(gw.addr, "GET", "/v1/upstreams/post/webhooks", &[], None).await;
    ok(&listed, 200, "list");
    let seen = &vendor.seen()[0];
    assert_eq!(seen.headers["authorization"], "Bearer pat-123");
    assert_eq!(seen.headers["harvest-account-id"], "42");
    assert_eq!(seen.headers["x-account"], "acct 42");
    assert!(!seen.path.contains('?'), "{}", seen.path);
}

#[tokio::test]
async fn parts_that_cannot_be_sent_are_refused_at_load() {
    let dir = tempfile::tempdir().unwrap();
    let token = secret_file(dir.path(), "t", "tok3n-value");
    let cases = [
        (
            format!(
                "{{ type = \"query\", name = \"token\", token_file = {token:?}, also = [{{ type = \"query\", name = \"key\" }}] }}"
            ),
            "upstreams.v.auth.also[0]: a query credential needs exactly one of token_env or token_file",
        ),
        (
            format!(
                "{{ type = \"query\", name = \"token\", token_file = {token:?}, also = [{{ type = \"query\", name = \"token\", token_file = {token:?} }}] }}"
            ),
            "upstreams.v.auth.also[0].name: `token`: another part of the credential is sent there",
        ),
        (
            format!(
                "{{ type = \"bearer\", token_file = {token:?}, also = [{{ type = \"header\", name = \"Authorization\", prefix = \"Key \", token_file = {token:?} }}] }}"
            ),
            "upstreams.v.auth.also[0].name: `authorization`: another part of the credential is sent there",
        ),
        (
            format!(
                "{{ type = \"header\", name = \"X-Auth-Key\", token_file = {token:?}, also = [{{ type = \"header\", name = \"Content-Type\", token_file = {token:?} }}] }}"
            ),
            "upstreams.v.auth.also[0].name: `Content-Type`: hookgate writes this header itself",
        ),
        (
            format!(
                "{{ type = \"basic\", token_file = {token:?}, also = [{{ type = \"cookie\", name = \"k\", token_file = {token:?} }}] }}"
            ),
            "upstreams.v.auth.also[0].type",
        ),
        (
            format!(
                "{{ type = \"basic\", token_file = {token:?}, also = [{{ type = \"query\", name = \"\", token_file = {token:?} }}] }}"
            ),
            "upstreams.v.auth.also[0].name: is required",
        ),
        (
            format!(
                "{{ type = \"passthrough\", also = [{{ type = \"query\", name = \"key\", token_file = {token:?} }}] }}"
            ),
            "also",
        ),
        (
            format!("{{ type = \"none\", token_file = {token:?} }}"),
            "token_file",
        ),
    ];
    for (auth, says) in cases {
        let text = format!(
            "[upstreams.v]\ndialect = \"talkover\"\nbase_url = \"https://api.example.com\"\nauth = {auth}\n\
             [inbound_auth]\nmode = \"off\"\n"
        );
        let shown = support::refused(&text).await;
        assert!(shown.contains(says), "{says}: {shown}");
        assert!(!shown.contains("tok3n-value"), "{shown}");
    }
    // A part in a header the mapping file sends of its own (Tally's owner).
    let text = format!(
        "listen = \"127.0.0.1:0\"\nmappings_dir = {DIR:?}\n[upstreams.tally]\ndialect = \"tally\"\n\
         base_url = \"https://api.example.com\"\nauth = {{ type = \"bearer\", token_file = {token:?}, \
         also = [{{ type = \"header\", name = \"Tally-Tenant-Id\", token_file = {token:?} }}] }}\n\
         [inbound_auth]\nmode = \"off\"\n"
    );
    let shown = support::refused(&text).await;
    assert!(
        shown.contains("upstreams.tally.auth.also[0].name") && shown.contains("tally-tenant-id"),
        "{shown}"
    );
}

#[test]
fn a_preview_shows_where_each_part_goes_and_not_the_part() {
    let dir = tempfile::tempdir().unwrap();
    let token = secret_file(dir.path(), "t", "q-t0ken-preview");
    let key = secret_file(dir.path(), "k", "q-k3y-preview");
    let (shown, text) = support::translated(
        &format!(
            "mappings_dir = {DIR:?}\n[inbound_auth]\nmode = \"off\"\n[upstreams.sift]\n\
             dialect = \"sift\"\nbase_url = \"https://api.sift.example\"\n\
             auth = {{ type = \"query\", name = \"token\", token_file = {token:?}, \
             also = [{{ type = \"query\", name = \"key\", token_file = {key:?} }}] }}\n"
        ),
        &["--upstream", "sift", "--owner", "p1", "GET", "/webhooks"],
    );
    assert_eq!(
        shown["requests"][0]["url"],
        "https://api.sift.example/v1/projects/p1/webhooks?token=[redacted]&key=[redacted]"
    );
    assert!(!text.contains("preview"), "{text}");
}

#[tokio::test]
async fn an_emulator_asks_for_every_part_and_journals_none() {
    let dir = dialects();
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.sift]\ndialect = \"sift\"\nemulate = true\n\
         [upstreams.post]\ndialect = \"post\"\nemulate = true\n",
        dir.path()
    ))
    .await;
    // The gateway presents every part to its own emulators.
    for hooks in [
        "/v1/upstreams/sift/owners/p1/webhooks",
        "/v1/upstreams/post/webhooks",
    ] {
        ok(&send(gw.addr, "GET", hooks, &[], None).await, 200, hooks);
    }
    let sift = gw.emulators["sift"];
    let hooks = "/v1/projects/p1/webhooks";
    let whole = send(
        sift,
        "GET",
        &format!("{hooks}?token=tk-1&key=ky-1"),
        &[],
        None,
    )
    .await;
    ok(&whole, 200, "token and key");
    for (query, lacking) in [
        ("?token=tk-1", "the query parameter key"),
        ("?token=tk-1&key=", "the query parameter key"),
        ("?key=ky-1", "the query parameter token"),
    ] {
        let refused = send(sift, "GET", &format!("{hooks}{query}"), &[], None).await;
        ok(&refused, 401, query);
        let message = refused.json()["error"]["message"].clone();
        assert!(
            message.as_str().is_some_and(|m| m.contains(lacking)),
            "{query}: {message}"
        );
    }
    let post = gw.emulators["post"];
    let both = [("x-auth-key", "pk-1"), ("x-auth-email", "me@example.com")];
    ok(
        &send(post, "GET", "/webhooks", &both, None).await,
        200,
        "key and e-mail",
    );
    let refused = send(post, "GET", "/webhooks", &both[..1], None).await;
    ok(&refused, 401, "no e-mail");
    assert_eq!(
        refused.json(),
        json!({"ErrorCode": 10, "Message": "missing credentials in X-Auth-Email"})
    );
    let entries = Value::Array(support::journal(sift).await).to_string();
    assert!(
        entries.contains("token=[redacted]&key=[redacted]"),
        "{entries}"
    );
    assert!(
        !entries.contains("tk-1") && !entries.contains("ky-1"),
        "{entries}"
    );
    let entries = support::journal(post).await;
    let whole = entries.iter().rev().find(|e| e["status"] == 200).unwrap();
    let headers = &whole["headers"];
    assert_eq!(headers["x-auth-email"], "[redacted]", "{headers}");
    assert_eq!(headers["x-auth-key"], "[redacted]", "{headers}");
}

#[tokio::test]
async fn a_surface_takes_its_key_the_vendors_way_and_never_relays_the_parts() {
    let dir = dialects();
    let key = "hg-key-0123456789";
    let vendor = Double::start(vec![Reply::json(200, json!({"webhooks": []}))]).await;
    let token = secret_file(dir.path(), "vendor-token", "vendor-t0ken");
    let vendor_key = secret_file(dir.path(), "vendor-key", "vendor-k3y");
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [upstreams.sift]\ndialect = \"sift\"\nbase_url = {:?}\n\
         auth = {{ type = \"query\", name = \"token\", token_file = {token:?}, \
         also = [{{ type = \"query\", name = \"key\", token_file = {vendor_key:?} }}] }}\n\
         [surfaces.translated]\ndialect = \"sift\"\nupstream = \"relay\"\nprefix = \"/t\"\n\
         [surfaces.relayed]\ndialect = \"sift\"\nupstream = \"sift\"\nprefix = \"/r\"\n\
         [url_policy]\nallow_private = true\n{}",
        dir.path(),
        vendor.url(),
        inbound_key(key)
    ))
    .await;
    let hooks = "/t/v1/projects/p1/webhooks";
    // With inbound keys on, the key is the token; the client's own key is its vendor's
    // business, and hookgate's key may come in `X-Api-Key` instead.
    let admitted = send(
        gw.addr,
        "GET",
        &format!("{hooks}?key=app&token={key}"),
        &[],
        None,
    )
    .await;
    ok(&admitted, 200, "hookgate's key as the token");
    let also = send(gw.addr, "GET", hooks, &[("x-api-key", key)], None).await;
    ok(&also, 200, "hookgate's key in X-Api-Key");
    let wrong = send(
        gw.addr,
        "GET",
        &format!("{hooks}?key={key}&token=nope"),
        &[],
        None,
    )
    .await;
    ok(&wrong, 401, "hookgate's key in the wrong part");
    let relayed = send(
        gw.addr,
        "GET",
        &format!("/r/v1/projects/p1/webhooks?key=app&page_size=5&token={key}"),
        &[],
        None,
    )
    .await;
    ok(&relayed, 200, "relayed");
    assert_eq!(
        vendor.seen()[0].path,
        "/v1/projects/p1/webhooks?page_size=5&token=vendor-t0ken&key=vendor-k3y"
    );
}

#[tokio::test]
async fn every_part_is_passed_through_where_the_vendor_authenticates() {
    let dir = dialects();
    let vendor = Double::start(vec![
        Reply::json(200, json!({"webhooks": []})),
        Reply::json(200, json!({"Webhooks": []})),
        Reply::json(200, json!({"hooks": [], "next": null})),
    ])
    .await;
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n\
         [upstreams.sift]\ndialect = \"sift\"\nbase_url = {url:?}\nauth = {{ type = \"passthrough\" }}\n\
         [upstreams.post]\ndialect = \"post\"\nbase_url = {url:?}\nauth = {{ type = \"passthrough\" }}\n\
         [upstreams.relay]\ndialect = \"relay\"\nbase_url = {url:?}\nauth = {{ type = \"passthrough\" }}\n\
         [surfaces.sift]\ndialect = \"sift\"\nupstream = \"sift\"\nprefix = \"/sift\"\n\
         [surfaces.post]\ndialect = \"post\"\nupstream = \"post\"\nprefix = \"/post\"\n\
         [surfaces.post-on-relay]\ndialect = \"post\"\nupstream = \"relay\"\nprefix = \"/pr\"\n\
         owner = \"o1\"\n\
         [url_policy]\nallow_private = true\n{}",
        dir.path(),
        inbound_key("hg-key-0123456789"),
        url = vendor.url(),
    ))
    .await;
    let sift = send(
        gw.addr,
        "GET",
        "/sift/v1/projects/p1/webhooks?token=c-tok&key=c-key",
        &[],
        None,
    )
    .await;
    ok(&sift, 200, "sift, relayed");
    let both = [("x-auth-key", "c-key"), ("x-auth-email", "c@example.com")];
    ok(
        &send(gw.addr, "GET", "/post/webhooks", &both, None).await,
        200,
        "post, relayed",
    );
    let missing = send(gw.addr, "GET", "/post/webhooks", &both[..1], None).await;
    ok(&missing, 401, "post without its e-mail");
    ok(
        &send(gw.addr, "GET", "/pr/webhooks", &both, None).await,
        200,
        "post, translated to relay",
    );
    let seen = vendor.seen();
    assert_eq!(seen.len(), 3, "the refusal reached no vendor");
    assert_eq!(
        seen[0].path,
        "/v1/projects/p1/webhooks?token=c-tok&key=c-key"
    );
    for s in &seen[1..] {
        assert_eq!(s.headers["x-auth-key"], "c-key", "{}", s.path);
        assert_eq!(s.headers["x-auth-email"], "c@example.com", "{}", s.path);
    }
    // A part in the query reaches only a vendor of the same dialect, which is relayed the
    // query as it is.
    let in_query = support::dialects_with(&[(
        "post",
        "auth = { header = \"X-Postmark-Server-Token\" }",
        "auth = { header = \"X-Auth-Key\", also = [{ query = \"account\" }] }",
    )]);
    let text = format!(
        "listen = \"127.0.0.1:0\"\nmappings_dir = {:?}\n[upstreams.relay]\ndialect = \"relay\"\n\
         base_url = \"https://api.example.com\"\nauth = {{ type = \"passthrough\" }}\n\
         [surfaces.post]\ndialect = \"post\"\nupstream = \"relay\"\nprefix = \"/post\"\n\
         owner = \"o1\"\n[inbound_auth]\nmode = \"off\"\n",
        in_query.path()
    );
    let shown = support::refused(&text).await;
    assert!(
        shown.contains("surfaces.post.upstream") && shown.contains("query parameter account"),
        "{shown}"
    );
}

#[test]
fn parts_a_mapping_file_cannot_mean_are_refused_when_it_loads() {
    let base = std::fs::read_to_string(format!("{DIR}/post.toml")).unwrap();
    let from = "auth = { header = \"X-Postmark-Server-Token\" }";
    for (auth, message) in [
        (
            "auth = { header = \"X-Key\", also = { query = \"k\" } }",
            "expected a list",
        ),
        (
            "auth = { header = \"X-Key\", also = [{ cookie = \"k\" }] }",
            "expected { header = \"NAME\" } or { query = \"NAME\" }",
        ),
        (
            "auth = { header = \"X-Key\", also = [{ header = \"k\", query = \"k\" }] }",
            "expected { header = \"NAME\" } or { query = \"NAME\" }",
        ),
        (
            "auth = { header = \"X-Key\", also = [{ header = \"X Key\" }] }",
            "not a valid header name",
        ),
        (
            "auth = { header = \"X-Key\", also = [{ header = \"x-key\" }] }",
            "another part of the credential",
        ),
        (
            "auth = { query = \"key\", also = [{ query = \"token\" }, { query = \"token\" }] }",
            "another part of the credential",
        ),
        (
            "auth = { query = \"key\", also = [{ query = \"key\" }] }",
            "another part of the credential",
        ),
        (
            "auth = { query = \"key\", scheme = \"x\" }",
            "unknown key `scheme`",
        ),
    ] {
        let text = base.replacen(from, auth, 1);
        let errors = Dialect::compile("post", Path::new("post.toml"), &text).unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| e.key.starts_with("dialect.auth") && e.message.contains(message)),
            "{auth}: {errors:?}"
        );
    }
    let fine = base.replacen(
        from,
        "auth = { header = \"X-Key\", also = [{ header = \"X-Email\" }, { query = \"account\" }] }",
        1,
    );
    let dialect = Dialect::compile("post", Path::new("post.toml"), &fine).unwrap();
    assert_eq!(dialect.client_auth_parts.len(), 2);
}

#[test]
fn each_part_is_read_from_the_environment_or_its_absence_named() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hookgate.toml");
    std::fs::write(
        &config,
        format!(
            "mappings_dir = {DIR:?}\n[inbound_auth]\nmode = \"off\"\n[upstreams.sift]\n\
             dialect = \"sift\"\nbase_url = \"https://api.sift.example\"\n\
             auth = {{ type = \"query\", name = \"token\", token_env = \"HG_PART_TOKEN\", \
             also = [{{ type = \"query\", name = \"key\", token_env = \"HG_PART_KEY\" }}] }}\n"
        ),
    )
    .unwrap();
    let run = |command: &[&str], env: &[(&str, &str)]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_hookgate"))
            .args(command)
            .args(["--config", config.to_str().unwrap()])
            .args(["--upstream", "sift", "--owner", "p1", "GET", "/webhooks"])
            .env_remove("HOOKGATE_CONFIG")
            .env_remove("HG_PART_KEY")
            .envs(env.iter().copied())
            .output()
            .unwrap()
    };
    let both = [("HG_PART_TOKEN", "env-t0ken"), ("HG_PART_KEY", "env-k3y")];
    let out = run(&["translate", "--json"], &both);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("/v1/projects/p1/webhooks?token=[redacted]&key=[redacted]"),
        "{text}"
    );
    assert!(
        !text.contains("env-t0ken") && !text.contains("env-k3y"),
        "{text}"
    );
    // `check` reads every token, as serving would.
    let check = |env: &[(&str, &str)]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_hookgate"))
            .args(["check", "--config", config.to_str().unwrap()])
            .env_remove("HOOKGATE_CONFIG")
            .env_remove("HG_PART_KEY")
            .envs(env.iter().copied())
            .output()
            .unwrap()
    };
    assert!(check(&both).status.success());
    let out = check(&both[..1]);
    let shown = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(64), "{shown}");
    assert!(
        shown.contains(
            "upstreams.sift.auth.also[0].token_env: environment variable HG_PART_KEY is not set"
        ),
        "{shown}"
    );
}

#[tokio::test]
async fn a_relay_sends_no_client_parameter_where_hookgates_own_query_credential_goes() {
    // A surface of Sift's own dialect relays to a Sift upstream whose credential is a `key`
    // and an `acct` in the query and a header besides: a client's parameter a vendor's parser
    // may read as either (percent-encoded, in another letter case, with spaces, a NUL or a
    // `[]` around it) never reaches the vendor; one of another name goes on as it came.
    let dir = tempfile::tempdir().unwrap();
    let key = secret_file(dir.path(), "key", "vendorsecret123");
    let acct = secret_file(dir.path(), "acct", "acct-9");
    let vendor = Double::answering(|_| Reply::json(200, json!({"webhooks": []}))).await;
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.sift]\ndialect = \"sift\"\nbase_url = {:?}\n\
         auth = {{ type = \"query\", name = \"key\", token_file = {key:?}, also = [\
         {{ type = \"query\", name = \"acct\", token_file = {acct:?} }}, \
         {{ type = \"header\", name = \"X-Acct\", token_file = {acct:?} }}] }}\n\
         [surfaces.s]\ndialect = \"sift\"\nupstream = \"sift\"\nprefix = \"/s\"\n",
        vendor.url()
    ))
    .await;
    let hooks = "/s/v1/projects/p1/webhooks";
    for (query, kept) in [
        ("key=EVIL", vec![]),
        ("key=EVIL&KEY=EVIL2&page_size=2", vec!["page_size=2"]),
        ("k%65y=EVIL&page_size=2", vec!["page_size=2"]),
        ("acct=other&key=EVIL&key=again", vec![]),
        ("%61cct=other&Acct=other&ACCT=other", vec![]),
        ("key&acct=", vec![]),
        (
            "%20key=EVIL&key%00=EVIL&key[]=EVIL&Key[0]=EVIL&+key=EVIL",
            vec![],
        ),
        (
            "keys=kept&akey=kept&page_size=2",
            vec!["keys=kept", "akey=kept"],
        ),
        ("key;=EVIL&%E2%84%AAey=EVIL&key%E2%80%8B=EVIL", vec![]),
    ] {
        let before = vendor.seen().len();
        let bearer = ("authorization", "Bearer t");
        let answer = send(gw.addr, "GET", &format!("{hooks}?{query}"), &[bearer], None).await;
        ok(&answer, 200, query);
        let seen = &vendor.seen()[before];
        let sent = seen.path.split_once('?').map_or("", |(_, q)| q);
        let pairs: Vec<(String, String)> = form_urlencoded::parse(sent.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let of = |name: &str| -> Vec<&str> {
            (pairs.iter())
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .collect()
        };
        assert_eq!(of("key"), ["vendorsecret123"], "{query}: {sent}");
        assert_eq!(of("acct"), ["acct-9"], "{query}: {sent}");
        for pair in kept {
            assert!(
                sent.split('&').any(|p| p == pair),
                "{query}: {pair} in {sent}"
            );
        }
        assert_eq!(seen.headers["x-acct"], "acct-9", "{query}");
        assert!(
            !sent.contains("EVIL") && !sent.contains("other"),
            "{query}: {sent}"
        );
    }
    // After a `;` within a pair, which some parsers split on and others keep in the value, a
    // credential's name is refused before any call: cut out, it would change the value.
    for query in [
        "page_token=a;key=EVIL",
        "page_size=2;%20ACCT=EVIL",
        "x=1;y=2;key[]=EVIL",
    ] {
        let before = vendor.seen().len();
        let bearer = ("authorization", "Bearer t");
        let answer = send(gw.addr, "GET", &format!("{hooks}?{query}"), &[bearer], None).await;
        assert!(
            matches!(answer.status, 400 | 422),
            "{query}: {:?}",
            answer.body
        );
        let said = String::from_utf8_lossy(&answer.body).into_owned();
        assert!(said.contains("credential"), "{query}: {said}");
        assert_eq!(vendor.seen().len(), before, "{query}");
    }
    // A name sent raw beyond ASCII, which no request target carries as it is, goes on
    // percent-encoded, as any parser reads it, never a failure of the gateway's own.
    let before = vendor.seen().len();
    let target = format!("{hooks}?\u{ff2b}\u{ff25}\u{ff39}=x&k\u{e9}=y");
    let status = raw_status(gw.addr, &target).await;
    assert_eq!(status, 200, "{target}");
    let sent = vendor.seen()[before].path.clone();
    assert!(
        sent.contains("%EF%BC%AB%EF%BC%A5%EF%BC%B9=x") && sent.contains("k%C3%A9=y"),
        "{sent}"
    );
    // A `;` elsewhere goes on as it came.
    let before = vendor.seen().len();
    let bearer = ("authorization", "Bearer t");
    let answer = send(
        gw.addr,
        "GET",
        &format!("{hooks}?page_token=a;b"),
        &[bearer],
        None,
    )
    .await;
    ok(&answer, 200, "a `;` in a value");
    assert!(
        vendor.seen()[before].path.contains("page_token=a;b"),
        "{:?}",
        vendor.seen()[before].path
    );
    gw.stop().await;
}

/// The status a GET of `target`, written to the gateway byte for byte as given (a request
/// target no URI type would take), is answered with.
async fn raw_status(addr: std::net::SocketAddr, target: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer t\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let head = String::from_utf8_lossy(&answer);
    head.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}
