//! An answer to a call on one webhook, whose id the request named, that does not name the id
//! itself (a rotation answered `{"signature_key": …}` alone, an update answered
//! `{"result": "ok"}`, a switch answered with the webhook's `enabled` alone) is that webhook's:
//! what it holds is kept, and the read the operation declares after it (`then = ["get"]`)
//! completes it. An answer that names another webhook is refused, and a create's answer must
//! still name the webhook made. A `{{webhook.FIELD}}` that a response places whole is read
//! back from the vendor's answer, as `{{webhook}}` is.
//!
//! The fixture is `tests/dialects/square.toml` with a rotation, a test and verbs that set
//! `enabled`, in front of a vendor double answering the literal bodies, on the canonical API
//! and through a Svix surface; and its own emulator, and a surface of it in front of another
//! upstream, answering its rotation with the key alone.

mod support;

use serde_json::{Value, json};
use support::{Double, Reply, Seen, ok, send};

const ID: &str = "wbhk_0123456789abcdef0123456789abcdef";
/// The vendor's calls a change makes, as [`calls`] shows them.
const ROTATE: &str =
    "POST /v2/webhooks/subscriptions/wbhk_0123456789abcdef0123456789abcdef/signature-key";
const PUT: &str = "PUT /v2/webhooks/subscriptions/wbhk_0123456789abcdef0123456789abcdef";
const DISABLE: &str =
    "POST /v2/webhooks/subscriptions/wbhk_0123456789abcdef0123456789abcdef/disable";
const OTHER: &str = "wbhk_fedcba9876543210fedcba9876543210";
const KEY: &str = "bmV3LXNpZ25hdHVyZS1rZXktb25jZQ==";
/// The application a Svix surface bridges to the upstream, which keeps no owners.
const APP: &str = "app_quad";

/// Square's webhook as its read answers it: without its signature key, which it shows once.
fn subscription() -> Value {
    json!({"subscription": {
        "id": ID,
        "name": "Payments",
        "enabled": true,
        "event_types": ["payment.created"],
        "notification_url": "https://example.com/h",
        "api_version": "2021-12-15",
        "created_at": "2022-01-10 23:29:48 +0000 UTC",
        "updated_at": "2022-01-11 08:00:00 +0000 UTC"
    }})
}

/// `square.toml` with its update answered as `update` says, and a rotation (answered as
/// `rotation` says), a test and the verbs that set `enabled`, each read back after it.
fn quad(update: &str, rotation: &str) -> String {
    let square =
        std::fs::read_to_string(format!("{}/square.toml", support::TEST_DIALECTS)).unwrap();
    let from = "body = { subscription = \"{{webhook}}\" }\nresponse = { subscription = \"{{webhook}}\" }\n";
    assert!(
        square.contains(from),
        "square.toml's update is no longer as it was"
    );
    let edited = square.replacen(
        from,
        &format!("body = {{ subscription = \"{{{{webhook}}}}\" }}\n{update}\n"),
        1,
    );
    format!(
        "{edited}\n\
         [operations.rotate_secret]\nmethod = \"POST\"\n\
         path = \"/webhooks/subscriptions/{{id}}/signature-key\"\nbody = {{}}\n{rotation}\n\
         then = [\"get\"]\n\n\
         [operations.enable]\nmethod = \"POST\"\npath = \"/webhooks/subscriptions/{{id}}/enable\"\n\
         response = {{ subscription = \"{{{{webhook}}}}\" }}\nthen = [\"get\"]\n\n\
         [operations.disable]\nmethod = \"POST\"\npath = \"/webhooks/subscriptions/{{id}}/disable\"\n\
         response = {{ subscription = \"{{{{webhook}}}}\" }}\nthen = [\"get\"]\n"
    )
}

/// The response forms of a rotation answered `{"signature_key": …}` alone: the webhook at the
/// answer's root, read by `[fields.secret]`, and the secret placed by its canonical name.
const ROTATIONS: &[&str] = &[
    "response = \"{{webhook}}\"",
    "response = { signature_key = \"{{webhook.secret}}\" }",
];

/// A folder holding `quad.toml` made of `update` and `rotation`.
fn mappings(update: &str, rotation: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("quad.toml"), quad(update, rotation)).unwrap();
    dir
}

/// The calls the vendor received, as `METHOD path`.
fn calls(seen: &[Seen]) -> Vec<String> {
    seen.iter()
        .map(|s| format!("{} {}", s.method, s.path))
        .collect()
}

fn one() -> String {
    format!("/v1/upstreams/quad/webhooks/{ID}")
}

fn vendor(path: &str) -> String {
    format!("/v2/webhooks/subscriptions/{ID}{path}")
}

#[tokio::test]
async fn a_rotation_answered_with_its_key_alone_is_the_webhook_the_path_named() {
    for rotation in ROTATIONS {
        let dir = mappings("response = { subscription = \"{{webhook}}\" }", rotation);
        let double = Double::start(vec![
            Reply::json(200, json!({"signature_key": KEY})),
            Reply::json(200, subscription()),
        ])
        .await;
        let gw = support::gateway_over(dir.path().to_str().unwrap(), "quad", &double).await;
        let answer = send(
            gw.addr,
            "POST",
            &format!("{}/rotate-secret", one()),
            &[],
            None,
        )
        .await;
        ok(&answer, 200, rotation);
        let webhook = answer.json();
        assert_eq!(webhook["id"], ID, "{rotation}: {webhook}");
        assert_eq!(
            webhook["secret"], KEY,
            "{rotation}: the new key is shown once"
        );
        assert_eq!(webhook["description"], "Payments", "{rotation}: {webhook}");
        assert_eq!(
            calls(&double.seen()),
            [
                format!("POST {}", vendor("/signature-key")),
                format!("GET {}", vendor("")),
            ],
            "{rotation}"
        );
        gw.stop().await;
    }
}

/// A call of the vendor's (as [`calls`] shows it), the status it is answered with, and the
/// body's JSON text.
type Change = (&'static str, u16, &'static str);

/// A vendor double answering each call by its method and path: `POST …/signature-key`,
/// `PUT …`, `POST …/enable` and `POST …/disable` as `changes` says, a read with the webhook.
async fn vendor_answering(changes: Vec<Change>) -> Double {
    Double::answering(move |seen| {
        let path = seen.path.split('?').next().unwrap_or_default();
        match changes
            .iter()
            .find(|(call, _, _)| *call == format!("{} {path}", seen.method))
        {
            Some((_, 204, _)) => Reply::Raw {
                status: 204,
                headers: Vec::new(),
                body: String::new(),
            },
            Some((_, status, body)) => Reply::json(*status, serde_json::from_str(body).unwrap()),
            None if seen.method == "GET" => Reply::json(200, subscription()),
            None => Reply::json(
                404,
                json!({"errors": [{"code": "NOT_FOUND", "detail": "no"}]}),
            ),
        }
    })
    .await
}

/// A gateway over a vendor answering `changes` ([`vendor_answering`]), with `quad.toml`'s
/// update answered as `update` says, sent a change of the webhook's description: the vendor,
/// and the answer, checked to be 200.
async fn description_changed(
    update: &str,
    changes: Vec<Change>,
    what: &str,
) -> (Double, support::Answer) {
    let dir = mappings(update, ROTATIONS[0]);
    let double = vendor_answering(changes).await;
    let gw = support::gateway_over(dir.path().to_str().unwrap(), "quad", &double).await;
    let body = json!({"description": "Payments"});
    let answer = send(gw.addr, "PATCH", &one(), &[], Some(&body)).await;
    ok(&answer, 200, what);
    gw.stop().await;
    (double, answer)
}

#[tokio::test]
async fn a_change_answered_without_the_id_is_read_back_whole() {
    let cases: &[(&str, &[Change])] = &[
        // The webhook at the answer's root, of which the answer holds one member.
        (
            "response = \"{{webhook}}\"\nthen = [\"get\"]",
            &[(PUT, 200, r#"{"name": "Payments"}"#)],
        ),
        // Where the vendor answers none of it.
        (
            "response = { subscription = \"{{webhook}}\" }\nthen = [\"get\"]",
            &[(PUT, 200, r#"{"subscription": {"enabled": true}}"#)],
        ),
        ("then = [\"get\"]", &[(PUT, 204, "")]),
        (
            "response = { subscription = \"{{webhook}}\" }",
            &[(
                PUT,
                200,
                r#"{"subscription": {"name": "Payments", "id": null}}"#,
            )],
        ),
    ];
    for (update, answers) in cases {
        let (double, answer) = description_changed(update, answers.to_vec(), update).await;
        let webhook = answer.json();
        assert_eq!(webhook["id"], ID, "{update}: {webhook}");
        assert_eq!(
            webhook["url"], "https://example.com/h",
            "{update}: {webhook}"
        );
        assert!(webhook.get("secret").is_none(), "{update}: {webhook}");
        let calls = calls(&double.seen());
        // The update, then the webhook read back after it.
        assert_eq!(
            calls,
            [PUT.to_owned(), format!("GET {}", vendor(""))],
            "{update}"
        );
    }
}

#[tokio::test]
async fn a_switch_answered_without_the_id_is_read_back_whole() {
    let dir = tempfile::tempdir().unwrap();
    let text = quad(
        "response = { subscription = \"{{webhook}}\" }",
        ROTATIONS[0],
    );
    // `enabled` is set by the vendor's verbs alone.
    let from = "[fields.enabled]\npath = \"$.enabled\"\n";
    assert!(text.contains(from));
    let text = text.replacen(from, &format!("{from}in = [\"response\"]\n"), 1);
    std::fs::write(dir.path().join("quad.toml"), text).unwrap();
    for answered in [
        r#"{"subscription": {"enabled": false}}"#,
        r#"{"subscription": {}}"#,
    ] {
        let double = vendor_answering(vec![(DISABLE, 200, answered)]).await;
        let gw = support::gateway_over(dir.path().to_str().unwrap(), "quad", &double).await;
        let body = json!({"enabled": false});
        let answer = send(gw.addr, "PATCH", &one(), &[], Some(&body)).await;
        ok(&answer, 200, answered);
        assert_eq!(answer.json()["id"], ID, "{answered}");
        let calls = calls(&double.seen());
        assert_eq!(
            calls.last().unwrap(),
            &format!("GET {}", vendor("")),
            "{calls:?}"
        );
        assert!(calls.contains(&DISABLE.to_owned()), "{calls:?}");
        gw.stop().await;
    }
}

#[tokio::test]
async fn an_answer_naming_another_webhook_is_refused_and_a_create_must_name_its_own() {
    for rotation in ROTATIONS {
        let dir = mappings("response = { subscription = \"{{webhook}}\" }", rotation);
        // A rotation answered as another webhook's: its key is not this one's.
        let other = match *rotation == ROTATIONS[0] {
            true => json!({"signature_key": KEY, "id": OTHER}),
            false => json!({"signature_key": KEY, "subscription_id": OTHER}),
        };
        if *rotation == ROTATIONS[0] {
            let double = Double::start(vec![Reply::json(200, other.clone())]).await;
            let gw = support::gateway_over(dir.path().to_str().unwrap(), "quad", &double).await;
            let path = format!("{}/rotate-secret", one());
            let answer = send(gw.addr, "POST", &path, &[], None).await;
            ok(&answer, 502, rotation);
            let detail = answer.json()["detail"].as_str().unwrap().to_owned();
            assert!(detail.contains(OTHER) && detail.contains(ID), "{detail}");
            assert!(detail.contains("the change was made"), "{detail}");
            // Another webhook's members, its key among them, are shown to no one.
            let shown = String::from_utf8_lossy(&answer.body).into_owned();
            assert!(!shown.contains(KEY), "{shown}");
            assert_eq!(double.seen().len(), 1, "nothing is read after it");
            gw.stop().await;
        }
        // An update answered as another webhook.
        let mut elsewhere = subscription();
        elsewhere["subscription"]["id"] = json!(OTHER);
        let double = Double::start(vec![Reply::json(200, elsewhere)]).await;
        let gw = support::gateway_over(dir.path().to_str().unwrap(), "quad", &double).await;
        let body = json!({"description": "Payments"});
        let answer = send(gw.addr, "PATCH", &one(), &[], Some(&body)).await;
        ok(&answer, 502, "an update answered as another webhook");
        let detail = answer.json()["detail"].as_str().unwrap().to_owned();
        assert!(detail.contains(OTHER), "{detail}");
        gw.stop().await;
        // A create's answer names the webhook made, or is refused: no id is the request's.
        let double = Double::start(vec![Reply::json(
            200,
            json!({"subscription": {"name": "Payments", "signature_key": KEY}}),
        )])
        .await;
        let gw = support::gateway_over(dir.path().to_str().unwrap(), "quad", &double).await;
        let body = json!({"url": "https://example.com/h", "events": ["payment.created"]});
        let answer = send(
            gw.addr,
            "POST",
            "/v1/upstreams/quad/webhooks",
            &[],
            Some(&body),
        )
        .await;
        ok(&answer, 502, "a create answered without its id");
        let problem = answer.json();
        assert!(
            problem["detail"].as_str().unwrap().contains("names no id"),
            "{problem}"
        );
        assert_eq!(problem["webhook"]["secret"], KEY, "{problem}");
        gw.stop().await;
    }
}

/// A gateway with upstream `quad`, of the mapping files in `dir`, in front of `double`, and a
/// Svix surface under `/s` bridging [`APP`] to it.
async fn svix_surface_over(dir: &tempfile::TempDir, double: &Double) -> hookgate::app::Running {
    support::gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.quad]\ndialect = \"quad\"\nbase_url = {:?}\n\
         auth = {{ type = \"none\" }}\n[url_policy]\nallow_private = true\n\
         [surfaces.s]\ndialect = \"svix\"\nupstream = \"quad\"\nprefix = \"/s\"\nowner = \"{APP}\"\n",
        dir.path().to_str().unwrap(),
        double.url()
    ))
    .await
}

/// Rotates the secret of endpoint [`ID`] at the Svix surface of the gateway at `addr`, then
/// reads it there: the key read, each answer checked (204, then 200).
async fn key_rotated_at_the_surface(addr: std::net::SocketAddr, what: &str) -> Value {
    let auth = [("authorization", "Bearer testsk_hookgate")];
    let endpoint = format!("/s/api/v1/app/{APP}/endpoint/{ID}");
    let rotate = format!("{endpoint}/secret/rotate");
    let rotated = send(addr, "POST", &rotate, &auth, Some(&json!({}))).await;
    ok(&rotated, 204, what);
    let read = send(addr, "GET", &format!("{endpoint}/secret"), &auth, None).await;
    ok(&read, 200, what);
    read.json()["key"].take()
}

#[tokio::test]
async fn a_svix_surface_reads_the_key_a_rotation_answered_alone() {
    let rotate = [(
        ROTATE,
        200,
        r#"{"signature_key": "bmV3LXNpZ25hdHVyZS1rZXktb25jZQ=="}"#,
    )];
    for rotation in ROTATIONS {
        let dir = mappings("response = { subscription = \"{{webhook}}\" }", rotation);
        let double = vendor_answering(rotate.to_vec()).await;
        let gw = svix_surface_over(&dir, &double).await;
        let key = key_rotated_at_the_surface(gw.addr, rotation).await;
        assert_eq!(key, KEY, "{rotation}: the new key is the one read");
        let calls = calls(&double.seen());
        assert_eq!(
            calls.iter().filter(|c| c.starts_with("POST")).count(),
            1,
            "{calls:?}"
        );
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_rotation_answered_as_another_webhook_keeps_no_key_for_either() {
    // The key kept for the webhook rotated is no longer known to be its own, and the key the
    // answer showed is another webhook's, which nobody rotated: neither is read at a surface.
    let other = format!(r#"{{"id": "{OTHER}", "signature_key": "{KEY}"}}"#);
    let other: &'static str = Box::leak(other.into_boxed_str());
    let rotate = [(ROTATE, 200, other)];
    let dir = mappings(
        "response = { subscription = \"{{webhook}}\" }",
        ROTATIONS[0],
    );
    let double = vendor_answering(rotate.to_vec()).await;
    let gw = svix_surface_over(&dir, &double).await;
    let auth = [("authorization", "Bearer testsk_hookgate")];
    let endpoints = format!("/s/api/v1/app/{APP}/endpoint");
    let rotate = format!("{endpoints}/{ID}/secret/rotate");
    let rotated = send(gw.addr, "POST", &rotate, &auth, Some(&json!({}))).await;
    assert!(rotated.status >= 500, "{:?}", rotated.body);
    let shown = String::from_utf8_lossy(&rotated.body).into_owned();
    assert!(!shown.contains(KEY), "{shown}");
    for id in [ID, OTHER] {
        let read = send(
            gw.addr,
            "GET",
            &format!("{endpoints}/{id}/secret"),
            &auth,
            None,
        )
        .await;
        let said = String::from_utf8_lossy(&read.body).into_owned();
        assert!(!said.contains(KEY), "{id}: {said}");
        assert_ne!(read.status, 200, "{id}: {said}");
    }
    gw.stop().await;
}

/// A vendor double that answers a rotation with its new key alone, and whose reads show the
/// signing key as `read` says: the first read only, where `once`.
async fn vendor_showing(read: &'static str, once: bool) -> Double {
    let reads = std::sync::atomic::AtomicUsize::new(0);
    Double::answering(move |seen| {
        if seen.method != "GET" {
            return Reply::json(200, json!({"signature_key": KEY}));
        }
        let first = reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0;
        let mut answer = subscription();
        if first || !once {
            answer["subscription"]["signature_key"] = json!(read);
        }
        Reply::json(200, answer)
    })
    .await
}

/// The webhook a rotation of [`ID`] answers, through a gateway over `double` with the
/// mapping files of `dir`: answered 200, the rotation and a read after it the vendor's only
/// calls, and the description the read's.
async fn rotated_and_read_back(dir: &tempfile::TempDir, double: &Double, what: &str) -> Value {
    let gw = support::gateway_over(dir.path().to_str().unwrap(), "quad", double).await;
    let path = format!("{}/rotate-secret", one());
    let answer = send(gw.addr, "POST", &path, &[], None).await;
    ok(&answer, 200, what);
    let webhook = answer.json();
    assert_eq!(webhook["description"], "Payments", "{what}: {webhook}");
    assert_eq!(
        calls(&double.seen()),
        [ROTATE.to_owned(), format!("GET {}", vendor(""))],
        "{what}"
    );
    gw.stop().await;
    webhook
}

/// What a read after a rotation shows of the key: masked, or the key before it.
const READ_KEYS: &[&str] = &["whsec_****", "b2xkLXNpZ25hdHVyZS1rZXk="];

#[tokio::test]
async fn the_key_a_rotation_answered_wins_over_the_key_the_read_after_it_shows() {
    for rotation in ROTATIONS {
        for read in READ_KEYS {
            let what = format!("{rotation}, read as {read}");
            let dir = mappings("response = { subscription = \"{{webhook}}\" }", rotation);
            let double = vendor_showing(read, false).await;
            // Every other member is the read's.
            let webhook = rotated_and_read_back(&dir, &double, &what).await;
            assert_eq!(webhook["secret"], KEY, "{what}: {webhook}");
            let path = format!("{}/rotate-secret", one());
            // `hookgate translate` over the same replies shows the same.
            let replies = tempfile::NamedTempFile::new().unwrap();
            let mut read_answer = subscription();
            read_answer["subscription"]["signature_key"] = json!(read);
            let shown = json!([
                {"status": 200, "body": {"signature_key": KEY}},
                {"status": 200, "body": read_answer},
            ]);
            std::fs::write(replies.path(), shown.to_string()).unwrap();
            let (printed, _) = support::translated(
                &format!(
                    "mappings_dir = {:?}\n[upstreams.quad]\ndialect = \"quad\"\n\
                     base_url = \"https://vendor.example\"\nauth = {{ type = \"none\" }}\n\
                     [inbound_auth]\nmode = \"off\"\n",
                    dir.path().to_str().unwrap()
                ),
                &["POST", &path, "--replies", replies.path().to_str().unwrap()],
            );
            assert_eq!(
                printed["result"]["body"]["secret"], KEY,
                "{what}: {printed}"
            );
        }
    }
}

#[tokio::test]
async fn a_svix_surface_keeps_the_key_a_rotation_answered_over_a_read_that_masks_it() {
    for rotation in ROTATIONS {
        let dir = mappings("response = { subscription = \"{{webhook}}\" }", rotation);
        // The read after the rotation shows the key masked; later reads show none.
        let double = vendor_showing(READ_KEYS[0], true).await;
        let gw = svix_surface_over(&dir, &double).await;
        let key = key_rotated_at_the_surface(gw.addr, rotation).await;
        assert_eq!(key, KEY, "{rotation}: the key kept");
        gw.stop().await;
    }
}

/// An answer that names the webhook changed and says nothing else of it.
const ID_ALONE: &str = r#"{"subscription": {"id": "wbhk_0123456789abcdef0123456789abcdef"}}"#;

#[tokio::test]
async fn a_change_answered_with_nothing_of_the_webhook_is_read_back() {
    let wrapped = "response = { subscription = \"{{webhook}}\" }";
    // A rotation whose answer holds nothing of the webhook (no body, `{}`, its key `null`).
    for (rotation, body) in [
        (ROTATIONS[0], ""),
        (ROTATIONS[1], ""),
        (ROTATIONS[1], "{}"),
        (ROTATIONS[1], r#"{"signature_key": null}"#),
        (wrapped, "{}"),
        (wrapped, r#"{"subscription": {}}"#),
        (wrapped, "null"),
        (wrapped, "[]"),
        (wrapped, r#""""#),
        (wrapped, r#"{"subscription": null}"#),
        (wrapped, r#"{"subscription": []}"#),
        (wrapped, ID_ALONE),
    ] {
        let what = format!("{rotation} answered {body:?}");
        let dir = mappings(wrapped, rotation);
        let status = if body.is_empty() { 204 } else { 200 };
        let double = vendor_answering(vec![(ROTATE, status, body)]).await;
        let webhook = rotated_and_read_back(&dir, &double, &what).await;
        assert_eq!(webhook["id"], ID, "{what}: {webhook}");
    }
    // An update that declares no read after it, whose answer holds nothing of the webhook.
    for (update, body) in [
        (wrapped, ""),
        (wrapped, "{}"),
        (wrapped, "null"),
        (wrapped, ID_ALONE),
        ("response = \"{{webhook}}\"", ""),
    ] {
        let what = format!("{update} answered {body:?}");
        let status = if body.is_empty() { 204 } else { 200 };
        let (double, answer) = description_changed(update, vec![(PUT, status, body)], &what).await;
        assert_eq!(answer.json()["url"], "https://example.com/h", "{what}");
        assert_eq!(
            calls(&double.seen()),
            [PUT.to_owned(), format!("GET {}", vendor(""))],
            "{what}"
        );
    }
}

/// Makes a subscription at the quad API served at `addr` under `prefix` (an emulator's, or a
/// surface's), then rotates its key there: the key shown when it was made, and the rotation's
/// answer. Each call carries a token, as the vendor's clients send theirs.
async fn made_and_rotated(
    addr: std::net::SocketAddr,
    prefix: &str,
    what: &str,
) -> (String, support::Answer) {
    let auth = [("authorization", "Bearer quad-token")];
    let made = send(
        addr,
        "POST",
        &format!("{prefix}/v2/webhooks/subscriptions"),
        &auth,
        Some(&json!({"subscription": {
            "notification_url": "https://example.com/h",
            "event_types": ["payment.created"],
        }})),
    )
    .await;
    ok(&made, 200, what);
    let made = made.json();
    let id = made["subscription"]["id"].as_str().unwrap().to_owned();
    let key = made["subscription"]["signature_key"].as_str();
    let key = key.unwrap_or_else(|| panic!("{what}: {made}")).to_owned();
    let path = format!("{prefix}/v2/webhooks/subscriptions/{id}/signature-key");
    let rotated = send(addr, "POST", &path, &auth, Some(&json!({}))).await;
    (key, rotated)
}

/// A rotation answered with its new key alone (`{{webhook.secret}}`, as `{{webhook}}`)
/// shows the key it mints: an emulator of the dialect answers it, and so does a surface of
/// the dialect in front of another upstream whose rotation shows the new key.
#[tokio::test]
async fn a_rotation_answered_with_its_key_alone_shows_the_key_at_emulators_and_surfaces() {
    for rotation in ROTATIONS {
        let dir = mappings("response = { subscription = \"{{webhook}}\" }", rotation);
        // The same vendor under another name, whose rotation answers the whole webhook.
        let whole = quad(
            "response = { subscription = \"{{webhook}}\" }",
            "response = { subscription = \"{{webhook}}\" }",
        );
        std::fs::write(dir.path().join("whole.toml"), whole).unwrap();
        let gw = support::gateway(&format!(
            "mappings_dir = {:?}\n[upstreams.quad]\ndialect = \"quad\"\nemulate = true\n\
             [upstreams.whole]\ndialect = \"whole\"\nemulate = true\n\
             [surfaces.s]\ndialect = \"quad\"\nupstream = \"whole\"\nprefix = \"/s\"\n",
            dir.path().to_str().unwrap()
        ))
        .await;
        for (addr, prefix, what) in [
            (gw.emulators["quad"], "", "the emulator"),
            (gw.addr, "/s", "a surface over another upstream"),
        ] {
            let what = format!("{rotation}, {what}");
            let (before, rotated) = made_and_rotated(addr, prefix, &what).await;
            ok(&rotated, 200, &what);
            let key = rotated.json()["signature_key"].take();
            let key = key.as_str().unwrap_or_else(|| panic!("{what}: {key}"));
            assert!(!key.is_empty() && key != before, "{what}: {key}");
        }
        let journal = support::journal(gw.emulators["whole"]).await;
        let rotations = journal
            .iter()
            .filter(|e| e["operation"] == "rotate-secret")
            .count();
        assert_eq!(rotations, 1, "{rotation}: the upstream rotated once");
        gw.stop().await;
    }
}
