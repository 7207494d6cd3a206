//! What Svix's API promises, kept by its emulator and by its surfaces in front of emulated
//! upstreams of other dialects (each a shipped mapping file used as a fixture, or a test-local
//! copy of one):
//!
//! - Header values the vendor never shows (`hidden`): left out of `headers` and their names
//!   listed in `sensitive`, by the emulator, by a surface in front of an upstream that shows
//!   them, and in the canonical read of the vendor; a whole replacement that leaves one out is
//!   refused rather than removing it unseen.
//! - A test's event type: carried where the upstream's test takes one, refused by name where
//!   it sends its own test event (unless that is the type asked for).
//! - An endpoint found by its uid is the endpoint, for its secret too.
//! - A page of none tells the client that more follow, in front of any upstream.
//! - A member sent as the surface shows one with no value is accepted by a PATCH as by a PUT.
//! - Refusals say what is wrong with what was sent, and name members in the client's words.

mod support;

use serde_json::{Value, json};
use std::net::SocketAddr;
use support::{Answer, MAPPINGS, gateway, ok, send};

const AUTH: (&str, &str) = ("authorization", "Bearer testsk_hookgate");
/// An application id of both Svix's and Talkover's shape.
const APP: &str = "9fbef0b7-8d4e-4a08-9207-66c22155721d";
const SECRET_VALUE: &str = "Bearer topsecret-7781";
const TOKEN_VALUE: &str = "tok-5529";

async fn call(addr: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> Answer {
    send(addr, method, path, &[AUTH], body).await
}

/// The headers an endpoint is given: two whose values Svix never shows, one it shows.
fn headers() -> Value {
    json!({"Authorization": SECRET_VALUE, "X-Env": "a", "x-auth-token": TOKEN_VALUE})
}

/// A Svix headers answer shows the header it shows and lists the others by name alone.
fn withheld(answer: &Answer, what: &str) {
    ok(answer, 200, what);
    let text = String::from_utf8_lossy(&answer.body);
    assert!(
        !text.contains(SECRET_VALUE) && !text.contains(TOKEN_VALUE),
        "{what}: {text}"
    );
    let body = answer.json();
    assert_eq!(body["headers"], json!({"X-Env": "a"}), "{what}: {body}");
    let mut listed: Vec<String> = body["sensitive"]
        .as_array()
        .unwrap_or_else(|| panic!("{what}: {body}"))
        .iter()
        .map(|n| n.as_str().unwrap().to_ascii_lowercase())
        .collect();
    listed.sort();
    assert_eq!(listed, ["authorization", "x-auth-token"], "{what}: {body}");
}

/// Creates an endpoint at a Svix API under `base` (`…/api/v1`); its id.
async fn svix_endpoint(addr: SocketAddr, base: &str, body: Value) -> String {
    let created = call(
        addr,
        "POST",
        &format!("{base}/app/{APP}/endpoint"),
        Some(&body),
    )
    .await;
    ok(&created, 201, "create");
    created.json()["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn svix_never_shows_the_values_of_its_sensitive_headers_wherever_it_is_spoken() {
    let gw = gateway(
        "[upstreams.sv]\ndialect = \"svix\"\nemulate = true\n\
         [upstreams.ch]\ndialect = \"chirp\"\nemulate = true\n\
         [surfaces.front]\ndialect = \"svix\"\nupstream = \"sv\"\nprefix = \"/front\"\n\
         [surfaces.over]\ndialect = \"svix\"\nupstream = \"ch\"\nprefix = \"/over\"\n",
    )
    .await;
    let emulator = gw.emulators["sv"];
    // The emulator, and a surface in front of it.
    let id = svix_endpoint(
        emulator,
        "/api/v1",
        json!({"url": "https://example.com/h", "uid": "u-hidden"}),
    )
    .await;
    let at = format!("/api/v1/app/{APP}/endpoint/{id}/headers");
    let put = call(emulator, "PUT", &at, Some(&json!({"headers": headers()}))).await;
    ok(&put, 204, "put headers");
    withheld(&call(emulator, "GET", &at, None).await, "the emulator");
    withheld(
        &call(gw.addr, "GET", &format!("/front{at}"), None).await,
        "a surface in front of the emulator",
    );
    // The canonical read knows the hidden headers by name.
    let canonical = call(
        gw.addr,
        "GET",
        &format!("/v1/upstreams/sv/owners/{APP}/webhooks/{id}"),
        None,
    )
    .await;
    ok(&canonical, 200, "canonical read");
    let text = String::from_utf8_lossy(&canonical.body);
    assert!(!text.contains(SECRET_VALUE), "{text}");
    let body = canonical.json();
    assert_eq!(body["headers"], json!({"X-Env": "a"}), "{body}");
    assert_eq!(
        body["extensions"]["sensitive"],
        json!(["Authorization", "x-auth-token"]),
        "{body}"
    );
    // A surface in front of an upstream that shows every header withholds them as Svix does.
    let created = call(
        gw.addr,
        "POST",
        &format!("/v1/upstreams/ch/owners/{APP}/webhooks"),
        Some(
            &json!({"url": "https://example.com/t", "events": ["MESSAGE_CREATED"],
                     "headers": headers()}),
        ),
    )
    .await;
    ok(&created, 201, "canonical create at Chirp");
    let to_id = created.json()["id"].as_str().unwrap().to_owned();
    withheld(
        &call(
            gw.addr,
            "GET",
            &format!("/over/api/v1/app/{APP}/endpoint/{to_id}/headers"),
            None,
        )
        .await,
        "a surface in front of Chirp",
    );
    gw.stop().await;
}

#[tokio::test]
async fn a_whole_replacement_of_headers_never_removes_one_it_could_not_see() {
    let gw = gateway(
        "[upstreams.sv]\ndialect = \"svix\"\nemulate = true\n\
         [surfaces.chirp]\ndialect = \"chirp\"\nupstream = \"sv\"\nprefix = \"/chirp\"\n",
    )
    .await;
    let emulator = gw.emulators["sv"];
    let id = svix_endpoint(
        emulator,
        "/api/v1",
        json!({"url": "https://example.com/h", "eventTypes": ["user.signup"],
               "description": "d"}),
    )
    .await;
    let at = format!("/api/v1/app/{APP}/endpoint/{id}/headers");
    let put = call(emulator, "PUT", &at, Some(&json!({"headers": headers()}))).await;
    ok(&put, 204, "put headers");
    // A Chirp client's update names its headers whole.
    let chirp = format!("/chirp/v1/organization/apps/{APP}/webhooks/{id}");
    for (given, what) in [
        (json!({"X-Env": "b"}), "leaving both out"),
        (
            json!({"X-Env": "b", "authorization": "Bearer new"}),
            "leaving one out",
        ),
    ] {
        let refused = call(gw.addr, "PUT", &chirp, Some(&json!({"headers": given}))).await;
        // In Chirp's shape: its validation errors are 400s.
        ok(&refused, 400, what);
        let text = String::from_utf8_lossy(&refused.body);
        assert!(text.contains("x-auth-token"), "{what}: {text}");
        assert!(text.contains("never shows"), "{what}: {text}");
    }
    let unchanged = call(emulator, "GET", &at, None).await;
    withheld(&unchanged, "after the refusals");
    // Named, each is changed or kept; the vendor still hides them.
    let named = json!({"headers": {"X-Env": "a", "Authorization": SECRET_VALUE,
                                    "X-Auth-Token": TOKEN_VALUE}});
    ok(
        &call(gw.addr, "PUT", &chirp, Some(&named)).await,
        200,
        "every header named",
    );
    withheld(&call(emulator, "GET", &at, None).await, "after the update");
    gw.stop().await;
}

/// A test-local AgentMessage whose mapping says which event its test sends.
fn agentmessage_sending(event: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in ["svix", "agentmessage"] {
        let text = std::fs::read_to_string(format!("{MAPPINGS}/{name}.toml")).unwrap();
        let text = match name {
            "agentmessage" => text.replacen(
                "[test_result.event_id]",
                &format!("[test_result.event_type]\nimplied = {event:?}\n\n[test_result.event_id]"),
                1,
            ),
            _ => text,
        };
        std::fs::write(dir.path().join(format!("{name}.toml")), text).unwrap();
    }
    dir
}

/// The message of a Svix validation error's first item, which must be at `["body", member]`.
fn refused_at(answer: &Answer, member: &str, what: &str) -> String {
    ok(answer, 422, what);
    let body = answer.json();
    assert_eq!(
        body["detail"][0]["loc"],
        json!(["body", member]),
        "{what}: {body}"
    );
    body["detail"][0]["msg"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_test_sends_the_event_type_asked_for_or_is_refused_naming_what_the_upstream_sends() {
    // The shipped AgentMessage, whose test sends an event of its own it does not name; the
    // same file saying it sends `webhook.test`.
    for (dir, own) in [
        (None, None),
        (
            Some(agentmessage_sending("webhook.test")),
            Some("webhook.test"),
        ),
    ] {
        let mappings = dir
            .as_ref()
            .map_or(MAPPINGS.to_owned(), |d| d.path().display().to_string());
        let gw = gateway(&format!(
            "mappings_dir = {mappings:?}\n\
             [upstreams.am]\ndialect = \"agentmessage\"\nemulate = true\n\
             [surfaces.over]\ndialect = \"svix\"\nupstream = \"am\"\nprefix = \"/over\"\nowner = \"{APP}\"\n"
        ))
        .await;
        let base = "/over/api/v1";
        let id = svix_endpoint(
            gw.addr,
            base,
            json!({"url": "https://example.com/h", "eventTypes": ["wallet.balance_low"]}),
        )
        .await;
        let test = format!("{base}/app/{APP}/endpoint/{id}/send-example");
        // Asked for one it never sends (one the endpoint has, one made up): refused by name.
        for asked in ["totally.made.up", "wallet.balance_low", "webhook.test.not"] {
            let refused = call(gw.addr, "POST", &test, Some(&json!({"eventType": asked}))).await;
            let msg = refused_at(&refused, "eventType", asked);
            assert!(
                msg.contains("sends only its own test event"),
                "{asked}: {msg}"
            );
            if let Some(own) = own {
                assert!(msg.contains(own), "{asked}: {msg}");
            }
        }
        // The one it sends is sent.
        if let Some(own) = own {
            let sent = call(gw.addr, "POST", &test, Some(&json!({"eventType": own}))).await;
            ok(&sent, 200, own);
            assert_eq!(sent.json()["eventType"], own);
        }
        gw.stop().await;
    }
    // Where the upstream's test takes the event type, it is carried: Svix's own.
    let gw = gateway(
        "[upstreams.sv]\ndialect = \"svix\"\nemulate = true\n\
         [surfaces.front]\ndialect = \"svix\"\nupstream = \"sv\"\nprefix = \"/front\"\n",
    )
    .await;
    let id = svix_endpoint(
        gw.addr,
        "/front/api/v1",
        json!({"url": "https://example.com/h", "eventTypes": ["user.signup"]}),
    )
    .await;
    let test = format!("/front/api/v1/app/{APP}/endpoint/{id}/send-example");
    let sent = call(
        gw.addr,
        "POST",
        &test,
        Some(&json!({"eventType": "invoice.paid"})),
    )
    .await;
    ok(&sent, 200, "carried");
    assert_eq!(sent.json()["eventType"], "invoice.paid");
    gw.stop().await;
}

#[tokio::test]
async fn an_endpoint_found_by_its_uid_is_found_for_everything_it_holds() {
    let gw = gateway("[upstreams.sv]\ndialect = \"svix\"\nemulate = true\n").await;
    let emulator = gw.emulators["sv"];
    for uid in ["u-sec-1", "another.uid_2"] {
        let id = svix_endpoint(
            emulator,
            "/api/v1",
            json!({"url": "https://example.com/h", "uid": uid}),
        )
        .await;
        let by = |name: &str| format!("/api/v1/app/{APP}/endpoint/{name}");
        let by_id = call(emulator, "GET", &format!("{}/secret", by(&id)), None).await;
        ok(&by_id, 200, "secret by id");
        let by_uid = call(emulator, "GET", &format!("{}/secret", by(uid)), None).await;
        ok(&by_uid, 200, "secret by uid");
        assert_eq!(by_uid.json()["key"], by_id.json()["key"], "{uid}");
        // A header set by uid is the endpoint's.
        let put = call(
            emulator,
            "PUT",
            &format!("{}/headers", by(uid)),
            Some(&json!({"headers": {"X-Env": uid}})),
        )
        .await;
        ok(&put, 204, "headers by uid");
        let read = call(emulator, "GET", &format!("{}/headers", by(&id)), None).await;
        assert_eq!(read.json()["headers"]["X-Env"], uid);
        // A rotation by uid changes the secret read by either name.
        let rotated = call(
            emulator,
            "POST",
            &format!("{}/secret/rotate", by(uid)),
            Some(&json!({})),
        )
        .await;
        ok(&rotated, 204, "rotate by uid");
        let after = call(emulator, "GET", &format!("{}/secret", by(uid)), None).await;
        assert_ne!(after.json()["key"], by_id.json()["key"], "{uid}");
        let after_id = call(emulator, "GET", &format!("{}/secret", by(&id)), None).await;
        assert_eq!(after.json()["key"], after_id.json()["key"], "{uid}");
    }
    gw.stop().await;
}

/// Whether a Svix list page says more webhooks follow, with a cursor that reaches them.
async fn page_of_none_goes_on(addr: SocketAddr, list: &str, what: &str) {
    let none = call(addr, "GET", &format!("{list}?limit=0"), None).await;
    ok(&none, 200, what);
    let body = none.json();
    assert_eq!(body["data"], json!([]), "{what}: {body}");
    assert_eq!(body["done"], false, "{what}: {body}");
    let iterator = body["iterator"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: no iterator: {body}"));
    let next = call(
        addr,
        "GET",
        &format!("{list}?limit=1&iterator={iterator}"),
        None,
    )
    .await;
    ok(&next, 200, what);
    assert_eq!(
        next.json()["data"].as_array().map(Vec::len),
        Some(1),
        "{what}"
    );
    // Asked in either order, a page of none is not the end.
    let ascending = call(
        addr,
        "GET",
        &format!("{list}?limit=0&order=ascending"),
        None,
    )
    .await;
    if ascending.status == 200 {
        assert_eq!(
            ascending.json()["done"],
            false,
            "{what}: {:?}",
            ascending.json()
        );
    }
}

#[tokio::test]
async fn a_page_of_none_tells_the_client_that_more_follow_whatever_the_upstream_serves() {
    let gw = gateway(&format!(
        "[upstreams.sv]\ndialect = \"svix\"\nemulate = true\n\
         [upstreams.am]\ndialect = \"agentmessage\"\nemulate = true\n\
         [upstreams.to]\ndialect = \"talkover\"\nemulate = true\n\
         [surfaces.front]\ndialect = \"svix\"\nupstream = \"sv\"\nprefix = \"/front\"\n\
         [surfaces.am]\ndialect = \"svix\"\nupstream = \"am\"\nprefix = \"/am\"\nowner = \"{APP}\"\n\
         [surfaces.to]\ndialect = \"svix\"\nupstream = \"to\"\nprefix = \"/to\"\n",
    ))
    .await;
    let emulator = gw.emulators["sv"];
    let events = [
        ("sv", "user.signup"),
        ("am", "wallet.balance_low"),
        ("to", "event_action"),
    ];
    for (prefix, event) in events {
        let base = match prefix {
            "sv" => "/api/v1".to_owned(),
            other => format!("/{other}/api/v1"),
        };
        let addr = if prefix == "sv" { emulator } else { gw.addr };
        for n in 0..2 {
            svix_endpoint(
                addr,
                &base,
                json!({"url": format!("https://example.com/{n}"), "eventTypes": [event],
                       "description": "d"}),
            )
            .await;
        }
        let list = format!("{base}/app/{APP}/endpoint");
        page_of_none_goes_on(addr, &list, &base).await;
    }
    page_of_none_goes_on(
        gw.addr,
        &format!("/front/api/v1/app/{APP}/endpoint"),
        "a surface in front of the emulator",
    )
    .await;
    // The upstream is never asked for a page smaller than it serves.
    let journal = support::journal(gw.emulators["am"]).await;
    assert!(
        journal
            .iter()
            .all(|e| !e["path"].as_str().unwrap_or("").contains("limit=0")
                && !e["query"].as_str().unwrap_or("").contains("limit=0")),
        "{journal:?}"
    );
    // The emulated AgentMessage refuses one, as AgentMessage does (`limit` is 1–100).
    let own = send(
        gw.emulators["am"],
        "GET",
        "/v1/webhooks?limit=0",
        &[AUTH],
        None,
    )
    .await;
    ok(&own, 422, "AgentMessage's own limit");
    gw.stop().await;
}

#[tokio::test]
async fn a_patch_takes_a_member_sent_as_the_surface_shows_one_with_no_value() {
    let gw = gateway(&format!(
        "[upstreams.am]\ndialect = \"agentmessage\"\nemulate = true\n\
         [surfaces.am]\ndialect = \"svix\"\nupstream = \"am\"\nprefix = \"/am\"\nowner = \"{APP}\"\n",
    ))
    .await;
    let base = "/am/api/v1";
    let id = svix_endpoint(
        gw.addr,
        base,
        json!({"url": "https://example.com/h", "eventTypes": ["wallet.balance_low"]}),
    )
    .await;
    let one = format!("{base}/app/{APP}/endpoint/{id}");
    let shown = call(gw.addr, "GET", &one, None).await.json();
    for member in ["channels", "uid", "throttleRate", "rateLimit"] {
        assert_eq!(shown[member], Value::Null, "{member}: {shown}");
        let patched = call(gw.addr, "PATCH", &one, Some(&json!({member: null}))).await;
        ok(&patched, 200, member);
        assert_eq!(patched.json()[member], Value::Null, "{member}");
    }
    let all = json!({"channels": null, "uid": null, "throttleRate": null, "description": "x"});
    let patched = call(gw.addr, "PATCH", &one, Some(&all)).await;
    ok(&patched, 200, "together");
    assert_eq!(patched.json()["description"], "x");
    // A value it cannot hold is still refused by name.
    let refused = call(gw.addr, "PATCH", &one, Some(&json!({"channels": ["a"]}))).await;
    assert_eq!(refused.status, 422, "{:?}", refused.json());
    gw.stop().await;
}

#[tokio::test]
async fn refusals_say_what_is_wrong_with_what_was_sent_in_the_clients_words() {
    let gw = gateway(
        "[upstreams.sv]\ndialect = \"svix\"\nemulate = true\n\
         [upstreams.to]\ndialect = \"talkover\"\nemulate = true\n\
         [surfaces.to]\ndialect = \"svix\"\nupstream = \"to\"\nprefix = \"/to\"\n",
    )
    .await;
    let emulator = gw.emulators["sv"];
    let id = svix_endpoint(emulator, "/api/v1", json!({"url": "https://example.com/h"})).await;
    let one = format!("/api/v1/app/{APP}/endpoint/{id}");
    // A required member sent with no value is not missing.
    let cleared = call(emulator, "PATCH", &one, Some(&json!({"url": null}))).await;
    assert_eq!(refused_at(&cleared, "url", "url null"), "cannot be cleared");
    for blank in ["", "  "] {
        let empty = call(emulator, "PATCH", &one, Some(&json!({"url": blank}))).await;
        assert_eq!(refused_at(&empty, "url", blank), "cannot be empty");
    }
    // In front of Talkover, whose name is required: Svix's `""` (or whitespace) clears a
    // description.
    let to_id = svix_endpoint(
        gw.addr,
        "/to/api/v1",
        json!({"url": "https://example.com/t", "eventTypes": ["event_action"], "description": "d"}),
    )
    .await;
    let to_one = format!("/to/api/v1/app/{APP}/endpoint/{to_id}");
    for sent in [json!(""), json!(" ")] {
        let refused = call(
            gw.addr,
            "PATCH",
            &to_one,
            Some(&json!({"description": sent})),
        )
        .await;
        let msg = refused_at(&refused, "description", "description");
        assert!(msg.starts_with("cannot be cleared"), "{sent}: {msg}");
    }
    // Canonically, at Talkover.
    let canonical = format!("/v1/upstreams/to/owners/{APP}/webhooks/{to_id}");
    let blank = call(
        gw.addr,
        "PATCH",
        &canonical,
        Some(&json!({"description": ""})),
    )
    .await;
    ok(&blank, 422, "canonical blank description");
    let errors = blank.json()["errors"].clone();
    assert_eq!(errors[0]["field"], "description", "{errors}");
    assert_ne!(errors[0]["message"], "is required", "{errors}");
    // A test result member the upstream never reports, named as the client's API names it.
    let test = call(
        gw.addr,
        "POST",
        &format!("{to_one}/send-example"),
        Some(&json!({"eventType": "event_action"})),
    )
    .await;
    ok(&test, 501, "a test in front of Talkover");
    let detail = test.json()["detail"].as_str().unwrap().to_owned();
    assert!(detail.contains("a test's `id`"), "{detail}");
    assert!(!detail.contains("event_id"), "{detail}");
    gw.stop().await;
}
