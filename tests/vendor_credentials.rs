//! Credentials the way each vendor takes them: hookgate's own at the vendor (`upstreams.NAME.auth`:
//! a bearer token, HTTP Basic, a header of the vendor's own with or without a prefix), and its
//! clients' at a surface or an emulator (`dialect.auth`): `tests/dialects/post.toml`, spelt as
//! Postmark's webhooks, whose clients send `X-Postmark-Server-Token`, and a Zen whose clients
//! authenticate with HTTP Basic, as Zendesk's API tokens do. Inbound keys are taken the vendor's
//! way; a credential passed through travels in the header it came in; none is ever shown in an
//! answer or a log.

mod support;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use support::{Double, Reply, gateway, inbound_key, ok, secret_file, send};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");

/// The test dialects, with Zen's clients authenticating with HTTP Basic.
fn dialects() -> tempfile::TempDir {
    support::dialects_with(&[("zen", "[dialect]\n", "[dialect]\nauth = \"basic\"\n")])
}

/// What the vendor saw of a list call made with `auth` (a TOML inline table).
async fn seen_with(auth: &str) -> (http::HeaderMap, Value) {
    let vendor = Double::start(vec![Reply::json(
        401,
        json!({"ErrorCode": 10, "Message": "Bad or missing Server API token: s3rv3r-t0ken-41 / QUN4eDphdXRoLXRva2VuLTk5 / auth-token-99"}),
    )])
    .await;
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.post]\ndialect = \"post\"\nbase_url = {:?}\n\
         auth = {auth}\n",
        vendor.url()
    ))
    .await;
    let answer = send(gw.addr, "GET", "/v1/upstreams/post/webhooks", &[], None).await;
    let seen = vendor.seen();
    assert_eq!(seen.len(), 1);
    (seen[0].headers.clone(), answer.json())
}

#[tokio::test]
async fn hookgates_own_credential_reaches_the_vendor_the_way_it_takes_it() {
    let dir = tempfile::tempdir().unwrap();
    let basic = secret_file(dir.path(), "basic", "ACxx:auth-token-99");
    let token = secret_file(dir.path(), "token", "s3rv3r-t0ken-41");
    let basic_secrets = ["auth-token-99", "QUN4eDphdXRoLXRva2VuLTk5"];
    let token_secrets = ["s3rv3r-t0ken-41"];
    let cases = [
        (
            format!("{{ type = \"basic\", token_file = {basic:?} }}"),
            "authorization",
            format!("Basic {}", STANDARD.encode("ACxx:auth-token-99")),
            &basic_secrets[..],
        ),
        (
            format!(
                "{{ type = \"header\", name = \"X-Postmark-Server-Token\", token_file = {token:?} }}"
            ),
            "x-postmark-server-token",
            "s3rv3r-t0ken-41".to_owned(),
            &token_secrets[..],
        ),
        (
            format!(
                "{{ type = \"header\", name = \"Authorization\", prefix = \"SSWS \", token_file = {token:?} }}"
            ),
            "authorization",
            "SSWS s3rv3r-t0ken-41".to_owned(),
            &token_secrets[..],
        ),
        (
            format!("{{ type = \"bearer\", token_file = {token:?} }}"),
            "authorization",
            "Bearer s3rv3r-t0ken-41".to_owned(),
            &token_secrets[..],
        ),
    ];
    for (auth, header, value, secrets) in cases {
        let (headers, problem) = seen_with(&auth).await;
        assert_eq!(
            headers.get(header).and_then(|v| v.to_str().ok()),
            Some(value.as_str()),
            "{auth}: {headers:?}"
        );
        // One credential, in one place.
        let credentials = ["authorization", "x-postmark-server-token"]
            .iter()
            .filter(|h| headers.contains_key(**h))
            .count();
        assert_eq!(credentials, 1, "{auth}: {headers:?}");
        // The vendor's message echoed it: the answer shows none of it.
        let text = problem.to_string();
        assert_eq!(problem["status"], 401, "{text}");
        assert!(text.contains("Bad or missing Server API token"), "{text}");
        for secret in secrets {
            assert!(!text.contains(secret), "{auth}: {secret} shown in {text}");
        }
        support::secrets::assert_none_logged();
    }
}

#[tokio::test]
async fn credentials_that_cannot_be_sent_are_refused_at_load() {
    let dir = tempfile::tempdir().unwrap();
    let no_colon = secret_file(dir.path(), "k", "sk_live_no_colon_here");
    let token = secret_file(dir.path(), "t", "tok3n-value");
    let cases = [
        (
            format!("{{ type = \"basic\", token_file = {no_colon:?} }}"),
            "upstreams.v.auth.token_file: a basic credential is `user:password`",
        ),
        (
            format!("{{ type = \"header\", name = \"Content-Type\", token_file = {token:?} }}"),
            "upstreams.v.auth.name: `Content-Type`: hookgate writes this header itself",
        ),
        (
            format!("{{ type = \"header\", name = \"Authorization\", token_file = {token:?} }}"),
            "upstreams.v.auth.prefix: is required with `Authorization` (its scheme, as `\"SSWS \"`, or `\"\"` where the whole header is the key)",
        ),
        (
            format!("{{ type = \"header\", name = \"X Token\", token_file = {token:?} }}"),
            "upstreams.v.auth.name: `X Token`: not a valid header name",
        ),
        (
            "{ type = \"header\", name = \"X-Token\" }".to_owned(),
            "upstreams.v.auth: a header credential needs exactly one of token_env or token_file",
        ),
        (
            format!("{{ type = \"query\", name = \"\", token_file = {token:?} }}"),
            "upstreams.v.auth.name: is required: the query parameter",
        ),
        (
            format!("{{ type = \"digest\", token_file = {token:?} }}"),
            "upstreams.v.auth.type",
        ),
    ];
    for (auth, says) in cases {
        let text = format!(
            "[upstreams.v]\ndialect = \"talkover\"\nbase_url = \"https://api.example.com\"\nauth = {auth}\n\
             [inbound_auth]\nmode = \"off\"\n"
        );
        let shown = support::refused(&text).await;
        assert!(shown.contains(says), "{says}: {shown}");
        assert!(!shown.contains("sk_live_no_colon_here"), "{shown}");
    }
}

#[tokio::test]
async fn a_header_an_operation_sends_cannot_carry_the_credential() {
    let dir = tempfile::tempdir().unwrap();
    let token = secret_file(dir.path(), "t", "tok3n-value");
    // Tally sends its owner in `Tally-Tenant-Id` on every call.
    let text = format!(
        "listen = \"127.0.0.1:0\"\nmappings_dir = {DIR:?}\n[upstreams.tally]\ndialect = \"tally\"\n\
         base_url = \"https://api.example.com\"\n\
         auth = {{ type = \"header\", name = \"Tally-Tenant-Id\", token_file = {token:?} }}\n\
         [inbound_auth]\nmode = \"off\"\n"
    );
    let shown = support::refused(&text).await;
    assert!(
        shown.contains("upstreams.tally.auth.name") && shown.contains("tally-tenant-id"),
        "{shown}"
    );
}

#[tokio::test]
async fn a_surface_takes_its_clients_key_the_way_their_vendor_takes_credentials() {
    let dir = dialects();
    let key = "hg-key-0123456789";
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [surfaces.post]\ndialect = \"post\"\nupstream = \"relay\"\nprefix = \"/post\"\nowner = \"3\"\n\
         [surfaces.zen]\ndialect = \"zen\"\nupstream = \"relay\"\nprefix = \"/zen\"\nowner = \"3\"\n{}",
        dir.path(),
        inbound_key(key)
    ))
    .await;
    let basic = |user: &str, password: &str| {
        format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
    };
    let admitted = [
        (
            "/post/webhooks",
            ("x-postmark-server-token", key.to_owned()),
        ),
        ("/post/webhooks", ("x-api-key", key.to_owned())),
        (
            "/zen/api/v2/webhooks",
            ("authorization", basic("jdoe@example.com/token", key)),
        ),
        ("/zen/api/v2/webhooks", ("authorization", basic(key, ""))),
        ("/zen/api/v2/webhooks", ("x-api-key", key.to_owned())),
    ];
    for (path, (name, value)) in &admitted {
        let answer = send(gw.addr, "GET", path, &[(name, value.as_str())], None).await;
        ok(&answer, 200, &format!("{path} with {name}"));
    }
    let refused = [
        (
            "/post/webhooks",
            ("x-postmark-server-token", "not-the-key".to_owned()),
            401,
        ),
        // Not the vendor's way: Post's clients send no bearer token.
        (
            "/post/webhooks",
            ("authorization", format!("Bearer {key}")),
            401,
        ),
        (
            "/zen/api/v2/webhooks",
            (
                "authorization",
                basic("jdoe@example.com/token", "nope-nope"),
            ),
            401,
        ),
        (
            "/zen/api/v2/webhooks",
            ("authorization", format!("Bearer {key}")),
            401,
        ),
    ];
    for (path, (name, value), status) in &refused {
        let answer = send(gw.addr, "GET", path, &[(name, value.as_str())], None).await;
        ok(&answer, *status, &format!("{path} with {name}: {value}"));
    }
    let missing = send(gw.addr, "GET", "/post/webhooks", &[], None).await;
    ok(&missing, 401, "no credential");
    assert_eq!(
        missing.json(),
        json!({"ErrorCode": 10, "Message": "an API key is required in X-Postmark-Server-Token or X-Api-Key"})
    );
    support::secrets::assert_none_logged();
}

#[tokio::test]
async fn an_emulator_behind_inbound_keys_answers_its_gateway_whatever_its_vendors_scheme() {
    let dir = dialects();
    let key = "hg-key-0123456789";
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.post]\ndialect = \"post\"\nemulate = true\n\
         [upstreams.zen]\ndialect = \"zen\"\nemulate = true\n{}",
        dir.path(),
        inbound_key(key)
    ))
    .await;
    for upstream in ["post", "zen"] {
        let listed = send(
            gw.addr,
            "GET",
            &format!("/v1/upstreams/{upstream}/webhooks"),
            &[("x-api-key", key)],
            None,
        )
        .await;
        ok(&listed, 200, upstream);
    }
    // Its own clients present a configured key their vendor's way.
    let post = send(
        gw.emulators["post"],
        "GET",
        "/webhooks",
        &[("x-postmark-server-token", key)],
        None,
    )
    .await;
    ok(&post, 200, "a Post client at the emulator");
    let stranger = send(
        gw.emulators["post"],
        "GET",
        "/webhooks",
        &[("x-postmark-server-token", "not-the-key")],
        None,
    )
    .await;
    ok(&stranger, 401, "a stranger at the emulator");
}

#[tokio::test]
async fn a_credential_passed_through_travels_in_the_header_it_came_in() {
    let vendor = Double::start(vec![Reply::json(200, json!({"Webhooks": []}))]).await;
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.post]\ndialect = \"post\"\nbase_url = {:?}\n\
         auth = {{ type = \"passthrough\" }}\n\
         [surfaces.post]\ndialect = \"post\"\nupstream = \"post\"\nprefix = \"/post\"\n{}",
        vendor.url(),
        inbound_key("hg-key-0123456789")
    ))
    .await;
    let answer = send(
        gw.addr,
        "GET",
        "/post/webhooks",
        &[("x-postmark-server-token", "client-server-token")],
        None,
    )
    .await;
    ok(&answer, 200, "passed through");
    let seen = vendor.seen();
    assert_eq!(
        seen[0]
            .headers
            .get("x-postmark-server-token")
            .and_then(|v| v.to_str().ok()),
        Some("client-server-token")
    );
    assert!(!seen[0].headers.contains_key("authorization"));
    support::secrets::assert_none_logged();
}

#[tokio::test]
async fn an_emulators_journal_shows_no_credential_whatever_its_header_is_called() {
    // A header whose name says nothing of a credential: redacted for being the dialect's.
    let dir = support::dialects_with(&[(
        "post",
        "{ header = \"X-Postmark-Server-Token\" }",
        "{ header = \"X-Account\" }",
    )]);
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.post]\ndialect = \"post\"\nemulate = true\n",
        dir.path()
    ))
    .await;
    let post = gw.emulators["post"];
    let listed = send(
        post,
        "GET",
        "/webhooks",
        &[("x-account", "client-server-token")],
        None,
    )
    .await;
    ok(&listed, 200, "a Post client");
    let entries = support::journal(post).await;
    let headers = &entries.last().unwrap()["headers"];
    assert_eq!(headers["x-account"], "[redacted]", "{headers}");
    assert!(
        !Value::Array(entries)
            .to_string()
            .contains("client-server-token")
    );
}

/// A folder of the test dialects with Sift's clients sending their key in the query, as
/// Google's API keys travel (`?key=…`).
fn with_query_key() -> tempfile::TempDir {
    support::dialects_with(&[(
        "sift",
        "[dialect]\n",
        "[dialect]\nauth = { query = \"key\" }\n",
    )])
}

#[tokio::test]
async fn a_token_in_the_query_is_sent_but_never_logged() {
    let dir = tempfile::tempdir().unwrap();
    let token = secret_file(dir.path(), "t", "q-t0ken/with&more");
    // The audit of the logs looks for the token as it was configured, and as it is sent.
    support::secrets::remember_request(
        &[
            ("x-api-key", "q-t0ken/with&more"),
            ("x-api-key", "q-t0ken%2Fwith%26more"),
        ],
        b"",
    );
    let vendor = Double::start(vec![
        Reply::json(200, json!({"webhooks": []})),
        Reply::json(
            400,
            json!({"error": {"code": 400, "status": "INVALID_ARGUMENT",
                "message": "API key q-t0ken/with&more is not valid for this project"}}),
        ),
    ])
    .await;
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.sift]\ndialect = \"sift\"\nbase_url = {:?}\n\
         auth = {{ type = \"query\", name = \"key\", token_file = {token:?} }}\n",
        vendor.url()
    ))
    .await;
    let hooks = "/v1/upstreams/sift/owners/p1/webhooks";
    let listed = send(gw.addr, "GET", &format!("{hooks}?limit=2"), &[], None).await;
    ok(&listed, 200, "list");
    let refused = send(gw.addr, "GET", &format!("{hooks}/wh-1"), &[], None).await;
    let text = refused.json().to_string();
    assert!(text.contains("is not valid for this project"), "{text}");
    assert!(!text.contains("q-t0ken"), "{text}");
    let seen = vendor.seen();
    assert_eq!(
        seen[0].path,
        "/v1/projects/p1/webhooks?page_size=2&key=q-t0ken%2Fwith%26more"
    );
    assert_eq!(
        seen[1].path,
        "/v1/projects/p1/webhooks/wh-1?key=q-t0ken%2Fwith%26more"
    );
    assert!(!seen[0].headers.contains_key("authorization"));
    support::secrets::assert_none_logged();
}

#[tokio::test]
async fn a_key_in_the_query_opens_a_surface_and_is_never_relayed() {
    let dir = with_query_key();
    let key = "hg-key-0123456789";
    let vendor = Double::start(vec![Reply::json(200, json!({"webhooks": []}))]).await;
    let token = secret_file(dir.path(), "vendor-token", "vendor-t0ken");
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [upstreams.sift]\ndialect = \"sift\"\nbase_url = {:?}\n\
         auth = {{ type = \"query\", name = \"key\", token_file = {token:?} }}\n\
         [surfaces.translated]\ndialect = \"sift\"\nupstream = \"relay\"\nprefix = \"/t\"\n\
         [surfaces.relayed]\ndialect = \"sift\"\nupstream = \"sift\"\nprefix = \"/r\"\n\
         [url_policy]\nallow_private = true\n{}",
        dir.path(),
        vendor.url(),
        inbound_key(key)
    ))
    .await;
    let hooks = "/t/v1/projects/p1/webhooks";
    let admitted = send(gw.addr, "GET", &format!("{hooks}?key={key}"), &[], None).await;
    ok(&admitted, 200, "the key in the query");
    let also = send(gw.addr, "GET", hooks, &[("x-api-key", key)], None).await;
    ok(&also, 200, "the key in X-Api-Key");
    let wrong = send(gw.addr, "GET", &format!("{hooks}?key=nope-nope"), &[], None).await;
    ok(&wrong, 401, "another key");
    let missing = send(gw.addr, "GET", hooks, &[], None).await;
    ok(&missing, 401, "no key");
    assert!(
        missing.json()["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("the query parameter key or X-Api-Key")),
        "{}",
        missing.json()
    );
    // Relayed to a vendor of the same dialect: hookgate's key there, never the client's.
    let relayed = send(
        gw.addr,
        "GET",
        &format!("/r/v1/projects/p1/webhooks?page_size=5&key={key}"),
        &[],
        None,
    )
    .await;
    ok(&relayed, 200, "relayed");
    assert_eq!(
        vendor.seen()[0].path,
        "/v1/projects/p1/webhooks?page_size=5&key=vendor-t0ken"
    );
}

#[tokio::test]
async fn an_emulator_taking_keys_in_the_query_answers_its_gateway_and_journals_none() {
    let dir = with_query_key();
    let key = "hg-key-0123456789";
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.sift]\ndialect = \"sift\"\nemulate = true\n{}",
        dir.path(),
        inbound_key(key)
    ))
    .await;
    let listed = send(
        gw.addr,
        "GET",
        "/v1/upstreams/sift/owners/p1/webhooks",
        &[("x-api-key", key)],
        None,
    )
    .await;
    ok(&listed, 200, "through the gateway");
    let direct = send(
        gw.emulators["sift"],
        "GET",
        &format!("/v1/projects/p1/webhooks?key={key}"),
        &[],
        None,
    )
    .await;
    ok(&direct, 200, "a client of the emulator");
    let journal = send(
        gw.emulators["sift"],
        "GET",
        "/__hookgate/journal",
        &[("x-api-key", key)],
        None,
    )
    .await;
    ok(&journal, 200, "the journal");
    let text = journal.json().to_string();
    assert!(!text.contains(key), "{text}");
    assert!(text.contains("key=[redacted]"), "{text}");
}

#[tokio::test]
async fn a_key_in_the_query_is_passed_through_only_to_its_own_dialect() {
    let dir = with_query_key();
    let text = format!(
        "listen = \"127.0.0.1:0\"\nmappings_dir = {:?}\n[upstreams.relay]\ndialect = \"relay\"\n\
         base_url = \"https://api.example.com\"\nauth = {{ type = \"passthrough\" }}\n\
         [surfaces.sift]\ndialect = \"sift\"\nupstream = \"relay\"\nprefix = \"/sift\"\n\
         [inbound_auth]\nmode = \"off\"\n",
        dir.path()
    );
    let shown = support::refused(&text).await;
    assert!(
        shown.contains("surfaces.sift.upstream") && shown.contains("query parameter key"),
        "{shown}"
    );
}

#[test]
fn a_preview_shows_where_a_token_in_the_query_goes_and_not_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let token = secret_file(dir.path(), "t", "q-t0ken-preview");
    let (shown, text) = support::translated(
        &format!(
            "mappings_dir = {DIR:?}\n[inbound_auth]\nmode = \"off\"\n[upstreams.sift]\n\
             dialect = \"sift\"\nbase_url = \"https://api.sift.example\"\n\
             auth = {{ type = \"query\", name = \"key\", token_file = {token:?} }}\n"
        ),
        &[
            "--upstream",
            "sift",
            "--owner",
            "p1",
            "GET",
            "/webhooks?limit=2",
        ],
    );
    assert_eq!(
        shown["requests"][0]["url"],
        "https://api.sift.example/v1/projects/p1/webhooks?page_size=2&key=[redacted]"
    );
    assert!(!text.contains("q-t0ken-preview"), "{text}");
}
