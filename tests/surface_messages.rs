//! A surface's refusals name the right thing, in its vendor's words: a webhook without event
//! types, which the client's vendor takes for one of every type, where the upstream must name
//! them; a clear of a member the upstream has no place for (not supported, as any member it
//! cannot carry); a vendor's message that names its field already, not named twice; a
//! container of the wrong kind, a type error on the container. And a member sent as the
//! surface shows one with no value is no value: accepted where the upstream holds none, shown
//! as the vendor always shows it. Fixtures: the shipped mapping files, each surface in front of
//! an emulator of another.

mod dropin;
mod support;

use serde_json::{Value, json};
use support::{Answer, gateway, journal, send};

const AGENT: &str = "6c0f1b52-3d0a-4f7e-9d5b-2f1c8e7a9b10";

/// A gateway with the surfaces `(name, dialect, upstream)` under `/{name}`, each upstream
/// emulated.
async fn surfaces(list: &[(&str, &str, &str)]) -> hookgate::app::Running {
    let mut toml = String::new();
    let mut upstreams: Vec<&str> = list.iter().map(|(_, _, u)| *u).collect();
    upstreams.dedup();
    for u in upstreams {
        toml += &format!("[upstreams.{u}]\ndialect = \"{u}\"\nemulate = true\n");
    }
    for (name, dialect, upstream) in list {
        toml += &format!(
            "[surfaces.{name}]\ndialect = \"{dialect}\"\nupstream = \"{upstream}\"\nprefix = \"/{name}\"\n"
        );
    }
    gateway(&toml).await
}

fn refused(answer: &Answer, status: u16, what: &str) -> Value {
    assert_eq!(answer.status, status, "{what}: {}", dropin::text(answer));
    answer.json()
}

/// Svix takes an endpoint without `eventTypes` (or with `null`) for one of every event type;
/// in front of an upstream whose webhooks must name theirs, each such write is refused saying
/// so, and nothing reaches the upstream.
#[tokio::test]
async fn a_webhook_of_every_event_type_is_refused_as_the_upstreams_lack() {
    let gw = surfaces(&[("s", "svix", "chirp")]).await;
    let emu = gw.emulators["chirp"];
    let col = "/s/api/v1/app/app_1/endpoint";
    let auth = [dropin::AUTH];
    let made = send(
        gw.addr,
        "POST",
        col,
        &auth,
        Some(&json!({"url": "https://example.com/a", "eventTypes": ["MESSAGE_CREATED"]})),
    )
    .await;
    assert_eq!(made.status, 201, "{}", dropin::text(&made));
    let item = format!("{col}/{}", made.json()["id"].as_str().unwrap());
    let before = journal(emu).await.len();
    let cases = [
        ("POST", col, json!({"url": "https://example.com/b"})),
        (
            "POST",
            col,
            json!({"url": "https://example.com/b", "eventTypes": null}),
        ),
        ("PUT", &item, json!({"url": "https://example.com/b"})),
        (
            "PUT",
            &item,
            json!({"url": "https://example.com/b", "eventTypes": null}),
        ),
        ("PATCH", &item, json!({"eventTypes": null})),
    ];
    for (method, path, body) in cases {
        let what = format!("{method} {body}");
        let answer = send(gw.addr, method, path, &auth, Some(&body)).await;
        let body = refused(&answer, 422, &what);
        let error = &body["detail"][0];
        assert_eq!(
            error["loc"],
            json!(["body", "eventTypes"]),
            "{what}: {body}"
        );
        let msg = error["msg"].as_str().unwrap();
        assert!(
            msg.contains("upstream chirp cannot carry every event type")
                && msg.contains("name the event types to send"),
            "{what}: {msg}"
        );
    }
    let writes: Vec<Value> = journal(emu).await[before..]
        .iter()
        .filter(|e| e["method"] != "GET")
        .cloned()
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
}

/// A clear of a member the upstream has no place for is refused as not supported there, as a
/// value of it would be, not as a member that cannot be cleared.
#[tokio::test]
async fn a_clear_of_a_member_the_upstream_lacks_is_not_supported_there() {
    let gw = surfaces(&[("t", "talkover", "svix")]).await;
    let col = format!("/t/api/v1/agents/{AGENT}/webhooks");
    let auth = [dropin::AUTH];
    let made = send(
        gw.addr,
        "POST",
        &col,
        &auth,
        Some(&json!({"name": "n", "webhook_url": "https://example.com/a", "events": ["event_phone_call_started"]})),
    )
    .await;
    assert_eq!(made.status, 200, "{}", dropin::text(&made));
    let item = format!("{col}/{}", made.json()["data"]["id"].as_str().unwrap());
    for member in ["timeout", "max_retries"] {
        for body in [json!({member: null}), json!({member: null, "name": "m"})] {
            let answer = send(gw.addr, "PUT", &item, &auth, Some(&body)).await;
            let body = refused(&answer, 422, member);
            assert_eq!(
                body["errors"][member],
                json!(["not supported by upstream svix"]),
                "{body}"
            );
        }
    }
    // The canonical API says the same of the same clear.
    let canonical = format!(
        "/v1/upstreams/svix/owners/{AGENT}/webhooks/{}",
        made.json()["data"]["id"].as_str().unwrap()
    );
    let answer = send(
        gw.addr,
        "PATCH",
        &canonical,
        &[],
        Some(&json!({"timeout_seconds": null})),
    )
    .await;
    let body = refused(&answer, 422, "canonical");
    assert_eq!(
        body["errors"][0]["message"],
        "not supported by upstream svix"
    );
}

/// A vendor's message that names its field (Chirp's `url must use HTTPS`) is said once, not
/// after the field's name again.
#[tokio::test]
async fn a_message_naming_its_field_names_it_once() {
    let gw = surfaces(&[("c", "chirp", "svix")]).await;
    let col = "/c/v1/organization/apps/app_1/webhooks";
    let auth = [dropin::AUTH];
    let cases = [
        (
            json!({"url": "http://example.com/a", "events": ["a.b"]}),
            "url must use HTTPS",
        ),
        (
            json!({"url": "not a url", "events": ["a.b"]}),
            "url must be a valid URI",
        ),
        (json!({"events": ["a.b"]}), "url is required"),
        (
            json!({"url": "https://example.com/a"}),
            "events is required",
        ),
    ];
    for (sent, said) in cases {
        let answer = send(gw.addr, "POST", col, &auth, Some(&sent)).await;
        assert_eq!(answer.status, 400, "{sent}: {}", dropin::text(&answer));
        assert_eq!(answer.json()["error"]["message"], said, "{sent}");
    }
}

/// A container of the wrong kind (Resemble's `webhook_config` as a string, a list, a number;
/// its `api_schema` as a string) is a type error on the container, not the members it should
/// hold said missing.
#[tokio::test]
async fn a_container_of_the_wrong_kind_is_a_type_error_on_it() {
    let gw = surfaces(&[("r", "resemble", "chirp")]).await;
    let col = format!("/r/api/v2/agents/{AGENT}/webhooks");
    let auth = [dropin::AUTH];
    for config in [json!("x"), json!([]), json!(5)] {
        let body = json!({"webhook_type": "post_call", "webhook_config": config});
        let answer = send(gw.addr, "POST", &col, &auth, Some(&body)).await;
        let body = refused(&answer, 422, &config.to_string());
        assert_eq!(
            body["errors"],
            json!({"webhook_config": ["must be an object"]}),
            "{config}"
        );
    }
    let body = json!({"webhook_type": "post_call", "webhook_config": {"api_schema": "x"}});
    let answer = send(gw.addr, "POST", &col, &auth, Some(&body)).await;
    let body = refused(&answer, 422, "api_schema");
    assert_eq!(
        body["errors"],
        json!({"webhook_config": ["api_schema must be an object"]})
    );
}

/// Resemble answers `assignments` for every `pre_call` webhook, `[]` where it has none, and
/// none for a `post_call` one. Through its surface in front of upstreams that hold no
/// assignments: `[]` is accepted, as none, and shown so; any assignment is refused by name.
#[tokio::test]
async fn assignments_sent_as_none_are_none() {
    let gw = surfaces(&[("rc", "resemble", "chirp"), ("rs", "resemble", "svix")]).await;
    let auth = [dropin::AUTH];
    let agents = [
        "0b6a7d5e-0c1f-4a4e-9f57-1d1f0f3c2a01",
        "0b6a7d5e-0c1f-4a4e-9f57-1d1f0f3c2a02",
        "0b6a7d5e-0c1f-4a4e-9f57-1d1f0f3c2a03",
    ];
    for (surface, upstream) in [("rc", "chirp"), ("rs", "svix")] {
        let schema = json!({"url": "https://example.com/pre", "method": "POST"});
        let cases = [
            json!({"webhook_type": "pre_call", "webhook_config": {"api_schema": schema, "assignments": []}}),
            json!({"webhook_type": "pre_call", "webhook_config": {"api_schema": schema}}),
            json!({"webhook_type": "post_call", "webhook_config": {"api_schema": schema, "assignments": []}}),
        ];
        for (body, agent) in cases.iter().zip(agents) {
            let col = format!("/{surface}/api/v2/agents/{agent}/webhooks");
            let made = send(gw.addr, "POST", &col, &auth, Some(body)).await;
            assert_eq!(
                made.status,
                201,
                "{upstream} {body}: {}",
                dropin::text(&made)
            );
            let id = dropin::id_text(&made.json()["item"]["id"]);
            let read = send(gw.addr, "GET", &format!("{col}/{id}"), &auth, None).await;
            assert_eq!(read.status, 200, "{}", dropin::text(&read));
            let shown = &read.json()["item"]["webhook_config"];
            match body["webhook_type"].as_str() {
                Some("pre_call") => {
                    assert_eq!(
                        shown["assignments"],
                        json!([]),
                        "{upstream} {body}: {shown}"
                    );
                    assert_eq!(
                        made.json()["item"]["webhook_config"]["assignments"],
                        json!([])
                    );
                }
                _ => assert!(
                    shown.get("assignments").is_none(),
                    "{upstream} {body}: {shown}"
                ),
            }
            // An update that sends the list as shown changes nothing there either.
            let update = json!({"webhook_config": {"api_schema": schema, "assignments": []}});
            let changed = send(
                gw.addr,
                "PATCH",
                &format!("{col}/{id}"),
                &auth,
                Some(&update),
            )
            .await;
            assert_eq!(
                changed.status,
                200,
                "{upstream}: {}",
                dropin::text(&changed)
            );
        }
        let col = format!("/{surface}/api/v2/agents/{AGENT}/webhooks");
        let body = json!({"webhook_type": "pre_call", "webhook_config": {"api_schema": schema, "assignments": [{"a": 1}]}});
        let answer = send(gw.addr, "POST", &col, &auth, Some(&body)).await;
        let body = refused(&answer, 422, upstream);
        assert_eq!(
            body["errors"]["webhook_config"],
            json!([format!("assignments not supported by upstream {upstream}")])
        );
    }
}
