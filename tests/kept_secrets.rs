//! A signing secret that an upstream shows once (in the answer that made it) is read where the
//! surface's client reads it, later (Svix's `GET …/endpoint/{id}/secret`): the gateway keeps
//! it for the webhook it was made for, so that a client whose SDK copies only the members it
//! knows from the create's answer, or whose rotation answers 204, learns the key its
//! deliveries are signed with. Kept per upstream, owner and id: the secret of a create, of an
//! update that created, of a rotation (in place of the one before), of a create whose later
//! calls failed; forgotten on delete; shown only to a key that may read secrets; and a webhook
//! whose secret the gateway never saw is refused by name, not answered with a made-up one. A
//! change relayed by a surface of the upstream's own dialect counts as one made through any
//! other API: what its answer shows, or its request sets, is kept, and one whose new secret
//! is not known forgets the one before.
//!
//! The fixtures are the shipped `svix.toml` (a surface whose secret is read at a resource of
//! its own), `agentmessage.toml` (an upstream that shows a secret once) and `talkover.toml`
//! (one that takes its client's secret and never shows it), emulated or in front of a vendor
//! double, and a test-local copy of `agentmessage.toml` whose create is read back after it is
//! made.

mod support;

use serde_json::{Value, json};
use std::net::SocketAddr;
use support::{Answer, Double, MAPPINGS, Reply, ok, send};

const AUTH: (&str, &str) = ("authorization", "Bearer testsk_hookgate");
/// The application the surface bridges to the upstream, which keeps no owners.
const APP: &str = "app_kept";
const WRITER: &str = "writer-key-0002";
const READER: &str = "reader-key-0001";

/// The gateway with an emulated AgentMessage upstream `am` and a Svix surface `/s` in front
/// of it, and the inbound section `inbound`.
async fn gateway(inbound: &str) -> hookgate::app::Running {
    support::gateway(&format!(
        "[upstreams.am]\ndialect = \"agentmessage\"\nemulate = true\n\
         [surfaces.s]\ndialect = \"svix\"\nupstream = \"am\"\nprefix = \"/s\"\nowner = \"{APP}\"\n\
         {inbound}"
    ))
    .await
}

fn endpoints() -> String {
    format!("/s/api/v1/app/{APP}/endpoint")
}

async fn call(addr: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> Answer {
    send(addr, method, path, &[AUTH], body).await
}

fn endpoint_body(n: usize) -> Value {
    json!({"url": format!("https://example.com/hooks/{n}"), "filterTypes": ["wallet.balance_low"]})
}

/// The secret a Svix client reads of endpoint `id`.
async fn secret_read(addr: SocketAddr, id: &str) -> Answer {
    call(addr, "GET", &format!("{}/{id}/secret", endpoints()), None).await
}

fn key_of(answer: &Answer, what: &str) -> String {
    ok(answer, 200, what);
    let body = answer.json();
    assert_eq!(body.as_object().map(|o| o.len()), Some(1), "{what}: {body}");
    body["key"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: {body}"))
        .to_owned()
}

#[tokio::test]
async fn a_secret_shown_once_is_read_at_the_surfaces_own_resource_after_every_way_it_is_made() {
    let gw = gateway("").await;
    // A create: the secret its answer held once is the one read later, again and again.
    let created = call(gw.addr, "POST", &endpoints(), Some(&endpoint_body(0))).await;
    ok(&created, 201, "create");
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let minted = created.json()["secret"].as_str().unwrap().to_owned();
    for n in 0..2 {
        let read = secret_read(gw.addr, &id).await;
        assert_eq!(key_of(&read, &format!("read {n}")), minted);
    }
    // A rotation answers 204 and changes what is read to the upstream's new secret.
    let rotate = format!("{}/{id}/secret/rotate", endpoints());
    ok(
        &call(gw.addr, "POST", &rotate, Some(&json!({}))).await,
        204,
        "rotate",
    );
    let rotated = key_of(&secret_read(gw.addr, &id).await, "after the rotation");
    assert_ne!(rotated, minted);
    let rotations = support::journal(gw.emulators["am"]).await;
    let rotations = rotations
        .iter()
        .filter(|e| e["operation"] == "rotate-secret");
    assert_eq!(rotations.count(), 1, "one rotation at the upstream");
    // A webhook made on the canonical API is the same webhook at the same upstream.
    let canonical = call(
        gw.addr,
        "POST",
        "/v1/upstreams/am/webhooks",
        Some(&json!({"url": "https://example.com/c", "events": ["wallet.balance_low"]})),
    )
    .await;
    ok(&canonical, 201, "canonical create");
    let (c_id, c_secret) = (
        canonical.json()["id"].as_str().unwrap().to_owned(),
        canonical.json()["secret"].as_str().unwrap().to_owned(),
    );
    assert_eq!(
        key_of(&secret_read(gw.addr, &c_id).await, "canonical"),
        c_secret
    );
    // A PUT of an unknown id creates the endpoint under a new id, as Svix does: its secret too.
    let unknown = "0190a1b2-c3d4-4e5f-a7b8-c9d0e1f2a3b4";
    let put = call(
        gw.addr,
        "PUT",
        &format!("{}/{unknown}", endpoints()),
        Some(&endpoint_body(1)),
    )
    .await;
    ok(&put, 201, "a PUT that creates");
    let put_id = put.json()["id"].as_str().unwrap().to_owned();
    assert_ne!(put_id, unknown);
    let put_secret = put.json()["secret"].as_str().unwrap().to_owned();
    assert_eq!(
        key_of(&secret_read(gw.addr, &put_id).await, "upsert"),
        put_secret
    );
    // Each webhook keeps its own.
    assert_eq!(
        key_of(&secret_read(gw.addr, &id).await, "first again"),
        rotated
    );
    // Deleted, the webhook is gone, and its secret with it.
    ok(
        &call(gw.addr, "DELETE", &format!("{}/{id}", endpoints()), None).await,
        204,
        "delete",
    );
    ok(
        &secret_read(gw.addr, &id).await,
        404,
        "the secret of a deleted endpoint",
    );
    gw.stop().await;
}

#[tokio::test]
async fn a_secret_the_gateway_never_saw_is_refused_by_name_and_none_made_up() {
    let gw = gateway("").await;
    // Made at the upstream itself: its secret was shown to another client, not through here.
    let emulator = gw.emulators["am"];
    let made = send(
        emulator,
        "POST",
        "/v1/webhooks",
        &[AUTH],
        Some(&json!({"url": "https://example.com/e", "events": ["wallet.balance_low"]})),
    )
    .await;
    ok(&made, 201, "a create at the emulator");
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let secret = made.json()["secret"].as_str().unwrap().to_owned();
    let read = secret_read(gw.addr, &id).await;
    ok(&read, 501, "a secret never seen");
    let text = String::from_utf8_lossy(&read.body).into_owned();
    assert!(!text.contains(&secret), "{text}");
    let detail = read.json()["detail"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        detail.contains("never shows") && detail.contains(&id),
        "{detail}"
    );
    // A rotation through the surface makes it known from then on.
    let rotate = format!("{}/{id}/secret/rotate", endpoints());
    ok(
        &call(gw.addr, "POST", &rotate, Some(&json!({}))).await,
        204,
        "rotate",
    );
    let rotated = key_of(&secret_read(gw.addr, &id).await, "after the rotation");
    assert_ne!(rotated, secret);
    // An endpoint that does not exist is not found, whatever is kept.
    let absent = "0190a1b2-c3d4-4e5f-a7b8-c9d0e1f2a3b5";
    ok(
        &secret_read(gw.addr, absent).await,
        404,
        "an unknown endpoint",
    );
    gw.stop().await;
}

#[tokio::test]
async fn a_kept_secret_is_read_only_with_a_key_that_may_write() {
    use sha2::Digest;
    let hash = |key: &str| format!("{:x}", sha2::Sha256::digest(key.as_bytes()));
    let inbound = format!(
        "[inbound_auth]\nmode = \"api_keys\"\n\
         [[inbound_auth.keys]]\nname = \"reader\"\nsha256 = \"{}\"\nscopes = [\"webhooks:read\"]\n\
         [[inbound_auth.keys]]\nname = \"writer\"\nsha256 = \"{}\"\nscopes = [\"webhooks:read\", \"webhooks:write\"]\n",
        hash(READER),
        hash(WRITER)
    );
    let gw = gateway(&inbound).await;
    let as_key = |key: &'static str| [("authorization", format!("Bearer {key}"))];
    let writer = as_key(WRITER);
    let writer: Vec<(&str, &str)> = writer.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let reader = as_key(READER);
    let reader: Vec<(&str, &str)> = reader.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let created = send(
        gw.addr,
        "POST",
        &endpoints(),
        &writer,
        Some(&endpoint_body(0)),
    )
    .await;
    ok(&created, 201, "create");
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let secret = created.json()["secret"].as_str().unwrap().to_owned();
    let path = format!("{}/{id}/secret", endpoints());
    for (who, headers, status) in [("reader", &reader, 403), ("writer", &writer, 200)] {
        let read = send(gw.addr, "GET", &path, headers, None).await;
        ok(&read, status, who);
        let text = String::from_utf8_lossy(&read.body);
        assert_eq!(text.contains(&secret), status == 200, "{who}: {text}");
    }
    // Nor does the endpoint itself show it, to either key.
    for headers in [&reader, &writer] {
        let got = send(
            gw.addr,
            "GET",
            &format!("{}/{id}", endpoints()),
            headers,
            None,
        )
        .await;
        ok(&got, 200, "get");
        assert!(!String::from_utf8_lossy(&got.body).contains(&secret));
    }
    gw.stop().await;
}

/// A copy of the shipped `agentmessage.toml` whose create is read back once it is made, so
/// that a create can fail after the webhook and its secret were made.
fn read_back_after_create() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in ["agentmessage", "svix"] {
        let text = std::fs::read_to_string(format!("{MAPPINGS}/{name}.toml")).unwrap();
        let text = match name {
            "agentmessage" => {
                let from = "status = 201                    # not documented; 201 as for a created resource\n";
                let edited = text.replacen(from, &format!("{from}then = [\"get\"]\n"), 1);
                assert_ne!(edited, text);
                edited
            }
            _ => text,
        };
        std::fs::write(dir.path().join(format!("{name}.toml")), text).unwrap();
    }
    dir
}

fn am_webhook(id: &str, secret: Option<&str>) -> Value {
    let mut hook = json!({"id": id, "url": "https://example.com/hooks/0",
        "events": ["wallet.balance_low"], "active": true, "api_version": "2026-04-01",
        "created_at": "2026-04-26T12:00:00Z", "updated_at": "2026-04-26T12:00:00Z"});
    if let Some(secret) = secret {
        hook["secret"] = Value::from(secret);
    }
    hook
}

#[tokio::test]
async fn a_secret_made_by_a_create_whose_later_call_failed_is_kept_too() {
    let id = "0190a1b2-c3d4-4e5f-a7b8-c9d0e1f2a3b6";
    let secret = "c2VjcmV0LW1hZGUtYnktYS1mYWlsZWQtY3JlYXRl";
    // Not found when read back (a read that fails is retried where a 5xx might pass).
    let failed = Reply::json(
        404,
        json!({"success": false, "error": {"code": "NOT_FOUND", "message": "not found"}}),
    );
    let double = Double::start(vec![
        Reply::json(201, am_webhook(id, Some(secret))),
        failed,
        Reply::json(200, am_webhook(id, None)),
    ])
    .await;
    let dir = read_back_after_create();
    let gw = support::gateway(&format!(
        "mappings_dir = {:?}\n\
         [upstreams.am]\ndialect = \"agentmessage\"\nbase_url = {:?}\nauth = {{ type = \"none\" }}\n\
         [surfaces.s]\ndialect = \"svix\"\nupstream = \"am\"\nprefix = \"/s\"\nowner = \"{APP}\"\n\
         [url_policy]\nallow_private = true\n",
        dir.path(),
        double.url()
    ))
    .await;
    let created = call(gw.addr, "POST", &endpoints(), Some(&endpoint_body(0))).await;
    assert!(
        created.status >= 500,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let detail = created.json()["detail"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        detail.contains(id),
        "the failure names what was made: {detail}"
    );
    assert_eq!(
        key_of(&secret_read(gw.addr, id).await, "after the failure"),
        secret
    );
    let seen: Vec<String> = double.seen().iter().map(|s| s.method.clone()).collect();
    assert_eq!(seen, ["POST", "GET", "GET"]);
    gw.stop().await;
}

/// Through an API of the upstream's own dialect, which relays each request as it came.
const RELAY: &str = "/s/am/v1/webhooks";
/// The application the second Svix surface bridges to the upstream.
const APP_ONE: &str = "app_one";

/// The gateway with AgentMessage upstream `am` (`upstream`: its settings), a Svix surface
/// `/s/svixam` and an AgentMessage surface `/s/am` in front of it, which relays.
async fn relaying_gateway(upstream: &str) -> hookgate::app::Running {
    support::gateway(&format!(
        "[upstreams.am]\ndialect = \"agentmessage\"\n{upstream}\n\
         [surfaces.svixam]\ndialect = \"svix\"\nupstream = \"am\"\nprefix = \"/s/svixam\"\nowner = \"{APP_ONE}\"\n\
         [surfaces.amsurf]\ndialect = \"agentmessage\"\nupstream = \"am\"\nprefix = \"/s/am\"\n"
    ))
    .await
}

fn svix_endpoints() -> String {
    format!("/s/svixam/api/v1/app/{APP_ONE}/endpoint")
}

/// The secret the Svix surface's client reads of endpoint `id`.
async fn svix_secret(addr: SocketAddr, id: &str) -> Answer {
    let path = format!("{}/{id}/secret", svix_endpoints());
    call(addr, "GET", &path, None).await
}

/// A relayed call's answer, which must be a success holding `field`.
fn text_of(answer: &Answer, status: u16, field: &str, what: &str) -> String {
    ok(answer, status, what);
    let body = answer.json();
    let data = if body.get("data").is_some() {
        &body["data"]
    } else {
        &body
    };
    data[field]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: {body}"))
        .to_owned()
}

fn am_body(n: usize) -> Value {
    json!({"url": format!("https://example.com/relayed/{n}"), "events": ["wallet.balance_low"]})
}

#[tokio::test]
async fn a_secret_made_or_rotated_through_a_relaying_surface_is_the_one_kept() {
    let gw = relaying_gateway("emulate = true").await;
    let rotate = |id: &str| format!("{RELAY}/{id}/rotate-secret");
    // Made through the Svix surface, rotated through the relay: the new secret is read.
    let created = call(gw.addr, "POST", &svix_endpoints(), Some(&endpoint_body(0))).await;
    let id = text_of(&created, 201, "id", "a Svix create");
    let first = text_of(&created, 201, "secret", "a Svix create");
    let rotated = call(gw.addr, "POST", &rotate(&id), Some(&json!({}))).await;
    let second = text_of(&rotated, 200, "secret", "a relayed rotation");
    assert_ne!(second, first);
    assert_eq!(key_of(&svix_secret(gw.addr, &id).await, "after it"), second);
    // Rotated again and again, through either, each time the last one is read.
    let svix_rotate = format!("{}/{id}/secret/rotate", svix_endpoints());
    ok(
        &call(gw.addr, "POST", &svix_rotate, Some(&json!({}))).await,
        204,
        "a Svix rotation",
    );
    let third = key_of(&svix_secret(gw.addr, &id).await, "after the Svix rotation");
    assert_ne!(third, second);
    let rotated = call(gw.addr, "POST", &rotate(&id), None).await;
    let fourth = text_of(&rotated, 200, "secret", "a relayed rotation without a body");
    assert_eq!(key_of(&svix_secret(gw.addr, &id).await, "fourth"), fourth);
    // Made and rotated on the canonical API, then rotated through the relay.
    let canonical = call(
        gw.addr,
        "POST",
        "/v1/upstreams/am/webhooks",
        Some(&json!({"url": "https://example.com/c", "events": ["wallet.balance_low"]})),
    )
    .await;
    let c_id = text_of(&canonical, 201, "id", "a canonical create");
    let path = format!("/v1/upstreams/am/webhooks/{c_id}/rotate-secret");
    let c_rotated = call(gw.addr, "POST", &path, Some(&json!({}))).await;
    let c_second = text_of(&c_rotated, 200, "secret", "a canonical rotation");
    let relayed = call(gw.addr, "POST", &rotate(&c_id), Some(&json!({}))).await;
    let c_third = text_of(&relayed, 200, "secret", "then a relayed one");
    assert_ne!(c_third, c_second);
    assert_eq!(
        key_of(&svix_secret(gw.addr, &c_id).await, "canonical"),
        c_third
    );
    // Made through the relay: its secret is kept as a Svix create's is.
    let made = call(gw.addr, "POST", RELAY, Some(&am_body(1))).await;
    let m_id = text_of(&made, 201, "id", "a relayed create");
    let m_secret = text_of(&made, 201, "secret", "a relayed create");
    assert_eq!(key_of(&svix_secret(gw.addr, &m_id).await, "made"), m_secret);
    // A relayed change that makes no secret leaves the one kept, and each webhook its own.
    let patched = call(
        gw.addr,
        "PATCH",
        &format!("{RELAY}/{m_id}"),
        Some(&json!({"description": "changed"})),
    )
    .await;
    ok(&patched, 200, "a relayed update");
    assert_eq!(
        key_of(&svix_secret(gw.addr, &m_id).await, "patched"),
        m_secret
    );
    assert_eq!(
        key_of(&svix_secret(gw.addr, &id).await, "the first"),
        fourth
    );
    // A relayed rotation the vendor refuses changes nothing kept.
    let absent = "0190a1b2-c3d4-4e5f-a7b8-c9d0e1f2a3b7";
    ok(
        &call(gw.addr, "POST", &rotate(absent), None).await,
        404,
        "a rotation of none",
    );
    assert_eq!(
        key_of(&svix_secret(gw.addr, &m_id).await, "still"),
        m_secret
    );
    // Deleted through the relay, the webhook is gone, and its secret with it.
    ok(
        &call(gw.addr, "DELETE", &format!("{RELAY}/{m_id}"), None).await,
        204,
        "a relayed delete",
    );
    ok(&svix_secret(gw.addr, &m_id).await, 404, "deleted");
    gw.stop().await;
}

/// Rotates webhook `id`'s secret through the relay, which must answer 200.
async fn rotated_through_the_relay(addr: SocketAddr, id: &str) {
    let answer = call(addr, "POST", &format!("{RELAY}/{id}/rotate-secret"), None).await;
    ok(&answer, 200, "rotated");
}

/// An AgentMessage answer in the envelope its errors page documents.
fn enveloped(hook: Value) -> Value {
    json!({"success": true, "data": hook})
}

#[tokio::test]
async fn a_relayed_change_keeps_what_its_answer_shows_and_forgets_what_it_cannot_tell() {
    let (one, two) = (
        "0190a1b2-c3d4-4e5f-a7b8-c9d0e1f2a3c1",
        "0190a1b2-c3d4-4e5f-a7b8-c9d0e1f2a3c2",
    );
    let secret = |n: usize| format!("c2VjcmV0LW51bWJlci0{n}-relayed");
    let hook = |id: &str, n: Option<usize>| am_webhook(id, n.map(secret).as_deref());
    let read_back = || Reply::json(200, hook(one, None));
    let failed = json!({"success": false, "error": {"code": "INTERNAL_ERROR", "message": "boom"}});
    let not_found =
        json!({"success": false, "error": {"code": "NOT_FOUND", "message": "not found"}});
    let double = Double::start(vec![
        // A Svix create, then rotations through the relay, each followed by a Svix read.
        Reply::json(201, hook(one, Some(1))),
        Reply::json(200, enveloped(hook(one, Some(2)))),
        read_back(),
        Reply::json(500, failed),
        read_back(),
        Reply::json(200, hook(one, Some(3))),
        read_back(),
        Reply::Raw {
            status: 200,
            headers: vec![],
            body: "OK".into(),
        },
        read_back(),
        Reply::json(200, hook(one, Some(4))),
        read_back(),
        Reply::json(200, enveloped(hook(one, None))),
        read_back(),
        Reply::json(200, hook(one, Some(5))),
        Reply::Hangup,
        read_back(),
        Reply::json(200, hook(one, Some(6))),
        Reply::json(404, not_found),
        read_back(),
        // A delete through the relay, the webhook still there when read.
        Reply::Raw {
            status: 204,
            headers: vec![],
            body: String::new(),
        },
        read_back(),
        // A create through the relay, in the envelope.
        Reply::json(201, enveloped(hook(two, Some(7)))),
        Reply::json(200, hook(two, None)),
    ])
    .await;
    let gw = relaying_gateway(&format!(
        "base_url = {:?}\nauth = {{ type = \"none\" }}\n[url_policy]\nallow_private = true",
        double.url()
    ))
    .await;
    let rotate = |id: &str| format!("{RELAY}/{id}/rotate-secret");
    let created = call(gw.addr, "POST", &svix_endpoints(), Some(&endpoint_body(0))).await;
    ok(&created, 201, "a Svix create");
    // Shown in the envelope: kept.
    let rotated = call(gw.addr, "POST", &rotate(one), None).await;
    ok(&rotated, 200, "a rotation answered in the envelope");
    assert_eq!(
        key_of(&svix_secret(gw.addr, one).await, "enveloped"),
        secret(2)
    );
    // Failed at the vendor's end: it may have rotated, so nothing is known.
    let rotated = call(gw.addr, "POST", &rotate(one), None).await;
    assert_eq!(rotated.status, 500, "{:?}", rotated.body);
    ok(&svix_secret(gw.addr, one).await, 501, "after a 500");
    // Shown bare: kept.
    rotated_through_the_relay(gw.addr, one).await;
    assert_eq!(key_of(&svix_secret(gw.addr, one).await, "bare"), secret(3));
    // A success that cannot be read: the secret it made is not known.
    let rotated = call(gw.addr, "POST", &rotate(one), None).await;
    assert!(rotated.status >= 500, "{:?}", rotated.body);
    ok(
        &svix_secret(gw.addr, one).await,
        501,
        "after an unreadable answer",
    );
    // A success that holds the webhook and shows no secret.
    rotated_through_the_relay(gw.addr, one).await;
    assert_eq!(
        key_of(&svix_secret(gw.addr, one).await, "fourth"),
        secret(4)
    );
    rotated_through_the_relay(gw.addr, one).await;
    ok(
        &svix_secret(gw.addr, one).await,
        501,
        "after an answer without it",
    );
    // No answer at all, once sent.
    rotated_through_the_relay(gw.addr, one).await;
    let rotated = call(gw.addr, "POST", &rotate(one), None).await;
    assert!(rotated.status >= 500, "{:?}", rotated.body);
    ok(&svix_secret(gw.addr, one).await, 501, "after a hang-up");
    // Refused: the one kept stays.
    rotated_through_the_relay(gw.addr, one).await;
    ok(
        &call(gw.addr, "POST", &rotate(one), None).await,
        404,
        "refused",
    );
    assert_eq!(
        key_of(&svix_secret(gw.addr, one).await, "refused"),
        secret(6)
    );
    // Deleted through the relay: forgotten, even where the webhook is still read.
    ok(
        &call(gw.addr, "DELETE", &format!("{RELAY}/{one}"), None).await,
        204,
        "a relayed delete",
    );
    ok(&svix_secret(gw.addr, one).await, 501, "after the delete");
    // Made through the relay, answered in the envelope.
    let made = call(gw.addr, "POST", RELAY, Some(&am_body(0))).await;
    ok(&made, 201, "a relayed create");
    assert_eq!(key_of(&svix_secret(gw.addr, two).await, "made"), secret(7));
    // Each call reached the vendor once: none of them was read again, nor repeated.
    let seen: Vec<String> = double.seen().iter().map(|s| s.method.clone()).collect();
    let mut expected = vec!["POST"];
    expected.extend(["POST", "GET"].repeat(6));
    expected.extend(["POST", "POST", "GET"].repeat(2));
    expected.extend(["DELETE", "GET", "POST", "GET"]);
    assert_eq!(seen, expected);
    gw.stop().await;
}

#[tokio::test]
async fn a_secret_a_relayed_change_sets_is_the_one_kept() {
    // Talkover takes a webhook's secret on a create or an update and never answers it.
    let gw = support::gateway(
        "[upstreams.to]\ndialect = \"talkover\"\nemulate = true\n\
         [surfaces.sv]\ndialect = \"svix\"\nupstream = \"to\"\nprefix = \"/s/sv\"\n\
         [surfaces.to]\ndialect = \"talkover\"\nupstream = \"to\"\nprefix = \"/s/to\"\n",
    )
    .await;
    let agent = "0190a1b2-c3d4-4e5f-a7b8-c9d0e1f2a3d1";
    let relayed = format!("/s/to/api/v1/agents/{agent}/webhooks");
    let read = |id: String| {
        let path = format!("/s/sv/api/v1/app/{agent}/endpoint/{id}/secret");
        async move { call(gw.addr, "GET", &path, None).await }
    };
    let body = |secret: Option<&str>| {
        let mut body = json!({"name": "relayed", "webhook_url": "https://example.com/t",
            "events": ["event_phone_call_started"]});
        if let Some(secret) = secret {
            body["webhook_secret"] = Value::from(secret);
        }
        body
    };
    let made = call(
        gw.addr,
        "POST",
        &relayed,
        Some(&body(Some("chosen-at-create"))),
    )
    .await;
    let id = text_of(&made, 200, "id", "a relayed create");
    assert_eq!(key_of(&read(id.clone()).await, "made"), "chosen-at-create");
    // An update that sets it replaces it; one that does not leaves it.
    let hook = format!("{relayed}/{id}");
    let update = |secret: Option<&'static str>| {
        let mut change = json!({"name": "renamed"});
        if let Some(secret) = secret {
            change["webhook_secret"] = Value::from(secret);
        }
        change
    };
    ok(
        &call(gw.addr, "PUT", &hook, Some(&update(Some("chosen-later")))).await,
        200,
        "an update that sets it",
    );
    assert_eq!(key_of(&read(id.clone()).await, "set"), "chosen-later");
    ok(
        &call(gw.addr, "PUT", &hook, Some(&update(None))).await,
        200,
        "an update that does not",
    );
    ok(
        &call(gw.addr, "PATCH", &format!("{hook}/toggle"), None).await,
        200,
        "a toggle",
    );
    assert_eq!(key_of(&read(id.clone()).await, "left"), "chosen-later");
    // One made without a secret has none known.
    let bare = call(gw.addr, "POST", &relayed, Some(&body(None))).await;
    let bare = text_of(&bare, 200, "id", "a create without one");
    ok(&read(bare).await, 501, "none chosen");
    gw.stop().await;
}
