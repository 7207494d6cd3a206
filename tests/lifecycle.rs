//! End to end over loopback: the gateway in front of each vendor's emulator, driven through
//! the canonical API for a webhook's whole life.

mod support;

use serde_json::{Value, json};
use support::{ALL_EMULATED, Answer, gateway, send};

const AGENT: &str = "9fbef0b7-8d4e-4a08-9207-66c22155721d";

struct Vendor {
    base: String,
    create: Value,
    update: Value,
    /// Whether the vendor can disable a webhook without deleting it.
    can_disable: bool,
    can_test: bool,
    can_rotate: bool,
}

fn vendors() -> Vec<(&'static str, Vendor)> {
    vec![
        (
            "talkover",
            Vendor {
                base: format!("/v1/upstreams/talkover/owners/{AGENT}/webhooks"),
                create: json!({"description": "Calls", "url": "https://example.com/hook", "events": ["event_phone_call_started"], "secret": "s3cret", "headers": {"X-Env": "prod"}, "method": "POST"}),
                update: json!({"events": ["event_phone_call_ended"], "max_retries": 5, "description": "Calls v2"}),
                can_disable: true,
                can_test: true,
                can_rotate: false,
            },
        ),
        (
            "resemble",
            Vendor {
                base: format!("/v1/upstreams/resemble/owners/{AGENT}/webhooks"),
                create: json!({"url": "https://api.example.com/pre-call", "events": ["pre_call"], "method": "POST", "timeout_seconds": 10}),
                update: json!({"url": "https://api.example.com/v2/pre-call", "timeout_seconds": 15}),
                can_disable: false,
                can_test: false,
                can_rotate: false,
            },
        ),
        (
            "agentmessage",
            Vendor {
                base: "/v1/upstreams/agentmessage/webhooks".into(),
                create: json!({"url": "https://hooks.example.com/ops", "events": ["wallet.balance_low"], "description": "ops"}),
                update: json!({"events": ["wallet.balance_low", "wallet.balance_zero"], "description": null}),
                can_disable: true,
                can_test: true,
                can_rotate: true,
            },
        ),
        (
            "chirp",
            Vendor {
                base: "/v1/upstreams/chirp/owners/app_1/webhooks".into(),
                create: json!({"url": "https://example.com/webhook", "events": ["MESSAGE_CREATED"], "headers": {"X-Custom-Header": "value"}}),
                update: json!({"events": ["MESSAGE_CREATED", "MESSAGE_DELIVERED"], "headers": {"X-Custom-Header": null, "X-New": "1"}}),
                can_disable: false,
                can_test: false,
                can_rotate: false,
            },
        ),
    ]
}

fn assert_status(a: &Answer, status: u16, what: &str) {
    assert_eq!(
        a.status,
        status,
        "{what}: {}",
        String::from_utf8_lossy(&a.body)
    );
}

#[tokio::test]
async fn every_vendor_lives_a_whole_lifecycle_through_its_emulator() {
    let gw = gateway(ALL_EMULATED).await;
    for (name, v) in vendors() {
        let rid = [("x-request-id", "life-1")];
        let created = send(gw.addr, "POST", &v.base, &rid, Some(&v.create)).await;
        assert_status(&created, 201, name);
        assert_eq!(created.header("x-request-id"), Some("life-1"));
        let webhook = created.json();
        let id = webhook["id"].as_str().unwrap().to_owned();
        assert!(
            webhook.get("secret").is_none() || name == "agentmessage",
            "{name} shows a secret it did not mint"
        );
        if name == "agentmessage" {
            assert!(
                webhook["secret"].as_str().is_some_and(|s| s.len() >= 40),
                "minted secret shown once"
            );
        }
        let location = created.header("location").unwrap().to_owned();
        assert!(location.ends_with(&format!("/webhooks/{id}")), "{location}");
        for (key, value) in v.create.as_object().unwrap() {
            if key != "secret" && !(name == "talkover" && (key == "headers" || key == "method")) {
                assert_eq!(&webhook[key], value, "{name}: {key} after create");
            }
        }

        let item = format!("{}/{id}", v.base);
        let got = send(gw.addr, "GET", &item, &[], None).await;
        assert_status(&got, 200, name);
        assert!(
            got.json().get("secret").is_none(),
            "{name}: a secret is never read back"
        );

        let listed = send(gw.addr, "GET", &v.base, &[], None).await;
        assert_status(&listed, 200, name);
        let list = listed.json();
        assert_eq!(list["next_cursor"], Value::Null);
        assert!(
            list["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w["id"] == id.as_str()),
            "{name}: listed"
        );

        let updated = send(
            gw.addr,
            "PATCH",
            &item,
            &[("content-type", "application/merge-patch+json")],
            Some(&v.update),
        )
        .await;
        assert_status(&updated, 200, name);
        let after = updated.json();
        for (key, value) in v.update.as_object().unwrap() {
            match (key.as_str(), value) {
                ("headers", Value::Object(patch)) => {
                    for (h, hv) in patch {
                        assert_eq!(
                            after["headers"].get(h).unwrap_or(&Value::Null),
                            hv,
                            "{name}: header {h}"
                        );
                    }
                }
                ("description", Value::Null) => {
                    assert!(after["description"].is_null(), "{name}: cleared")
                }
                _ => assert_eq!(&after[key], value, "{name}: {key} after update"),
            }
        }
        let again = send(gw.addr, "GET", &item, &[], None).await.json();
        assert_eq!(
            again["updated_at"], after["updated_at"],
            "{name}: the update persisted"
        );

        let disable = send(
            gw.addr,
            "PATCH",
            &item,
            &[("content-type", "application/json")],
            Some(&json!({"enabled": false})),
        )
        .await;
        if v.can_disable {
            assert_status(&disable, 200, name);
            assert_eq!(disable.json()["enabled"], false);
            assert_eq!(disable.json()["status"], "disabled");
        } else {
            assert_status(&disable, 422, name);
            assert_eq!(disable.json()["code"], "unsupported_field");
            assert_eq!(disable.json()["errors"][0]["field"], "enabled");
        }

        let tested = send(gw.addr, "POST", &format!("{item}/test"), &[], None).await;
        if v.can_test {
            assert_status(&tested, 200, name);
            assert_eq!(tested.json()["delivered"], true);
        } else {
            assert_status(&tested, 501, name);
            assert_eq!(tested.json()["code"], "unsupported_operation");
        }

        let rotated = send(gw.addr, "POST", &format!("{item}/rotate-secret"), &[], None).await;
        if v.can_rotate {
            assert_status(&rotated, 200, name);
            assert_ne!(rotated.json()["secret"], webhook["secret"], "a new secret");
        } else {
            assert_status(&rotated, 501, name);
        }

        let deleted = send(gw.addr, "DELETE", &item, &[], None).await;
        assert_status(&deleted, 204, name);
        assert!(deleted.body.is_empty());
        let gone = send(gw.addr, "GET", &item, &[("x-request-id", "gone-1")], None).await;
        assert_status(&gone, 404, name);
        let problem = gone.json();
        assert_eq!(
            gone.header("content-type"),
            Some("application/problem+json")
        );
        assert_eq!(problem["code"], "not_found");
        assert_eq!(problem["request_id"], "gone-1");
        assert_eq!(problem["upstream"]["name"], name);
        assert_eq!(problem["upstream"]["status"], 404);
    }
    gw.stop().await;
}

#[tokio::test]
async fn the_canonical_api_refuses_what_it_cannot_carry() {
    let gw = gateway(ALL_EMULATED).await;
    let am = "/v1/upstreams/agentmessage/webhooks";
    let body = json!({"url": "https://h.example.com/x", "events": ["lookup.completed"], "headers": {"A": "1"}, "max_retries": 2});
    let refused = send(gw.addr, "POST", am, &[], Some(&body)).await;
    assert_status(&refused, 422, "unsupported");
    let p = refused.json();
    assert_eq!(p["code"], "unsupported_field");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["headers", "max_retries"]);

    let lenient = send(
        gw.addr,
        "POST",
        am,
        &[("prefer", "handling=lenient")],
        Some(&body),
    )
    .await;
    assert_status(&lenient, 201, "lenient");
    assert_eq!(
        lenient.header("preference-applied"),
        Some("handling=lenient")
    );
    assert_eq!(
        lenient.header("hookgate-dropped-fields"),
        Some("headers, max_retries")
    );

    let unknown = send(
        gw.addr,
        "POST",
        am,
        &[],
        Some(&json!({"url": "https://a.example", "colour": "red", "id": "x"})),
    )
    .await;
    assert_status(&unknown, 422, "unknown");
    assert_eq!(
        unknown.json()["errors"],
        json!([{"field": "colour", "message": "unknown field"}, {"field": "id", "message": "is read-only"}])
    );

    let precheck = send(
        gw.addr,
        "POST",
        am,
        &[],
        Some(&json!({"url": "http://plain.example.com", "events": ["nope"]})),
    )
    .await;
    assert_status(&precheck, 422, "precheck");
    assert_eq!(
        precheck.json()["errors"],
        json!([{"field": "url", "message": "must use https"}, {"field": "events", "message": "unknown event: nope"}])
    );
    gw.stop().await;
}

/// Method, path, headers, body, expected status and problem code.
type Case<'a> = (
    &'a str,
    &'a str,
    Vec<(&'a str, &'a str)>,
    Option<Value>,
    u16,
    &'a str,
);

#[tokio::test]
async fn owners_upstreams_methods_and_media_types_are_checked() {
    let gw = gateway(&format!("default_upstream = \"talkover\"\n{ALL_EMULATED}")).await;
    let cases: Vec<Case> = vec![
        ("GET", "/v1/webhooks", vec![], None, 404, "not_found"),
        (
            "GET",
            "/v1/upstreams/agentmessage/owners/x/webhooks",
            vec![],
            None,
            404,
            "not_found",
        ),
        (
            "GET",
            "/v1/upstreams/nope/webhooks",
            vec![],
            None,
            404,
            "not_found",
        ),
        (
            "PUT",
            "/v1/upstreams/agentmessage/webhooks/1",
            vec![],
            None,
            405,
            "method_not_allowed",
        ),
        (
            "POST",
            "/v1/upstreams/agentmessage/webhooks",
            vec![("content-type", "text/plain")],
            None,
            415,
            "unsupported_media_type",
        ),
        (
            "GET",
            "/v1/upstreams/agentmessage/webhooks?limit=0",
            vec![],
            None,
            422,
            "validation_failed",
        ),
        ("GET", "/nowhere", vec![], None, 404, "not_found"),
    ];
    for (method, path, headers, body, status, code) in cases {
        let a = send(gw.addr, method, path, &headers, body.as_ref()).await;
        assert_status(&a, status, path);
        assert_eq!(a.json()["code"], code, "{method} {path}");
        assert!(a.header("x-request-id").is_some());
    }
    let a = send(
        gw.addr,
        "PUT",
        "/v1/upstreams/agentmessage/webhooks/1",
        &[],
        None,
    )
    .await;
    assert_eq!(a.header("allow"), Some("GET, HEAD, PATCH, DELETE"));
    let bad = support::send_raw(
        gw.addr,
        "POST",
        "/v1/upstreams/agentmessage/webhooks",
        &[("content-type", "application/json")],
        "{\"url\":".into(),
    )
    .await;
    assert_status(&bad, 400, "bad json");
    let big = "x".repeat(2 * 1024 * 1024);
    let too_big = support::send_raw(
        gw.addr,
        "POST",
        "/v1/upstreams/agentmessage/webhooks",
        &[("content-type", "application/json")],
        big.into(),
    )
    .await;
    assert_status(&too_big, 413, "too large");
    let upstreams = send(gw.addr, "GET", "/v1/upstreams", &[], None)
        .await
        .json();
    let names: Vec<&str> = upstreams["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    // Every upstream the configuration names, in order of name.
    let mut configured: Vec<&str> = ALL_EMULATED
        .lines()
        .filter_map(|l| l.strip_prefix("[upstreams.")?.strip_suffix(']'))
        .collect();
    configured.sort();
    assert_eq!(names, configured);
    let chirp = &upstreams["data"][1];
    assert_eq!(
        chirp["operations"],
        json!(["list", "create", "get", "update", "delete"])
    );
    assert_eq!(upstreams["data"][3]["default"], true);
    gw.stop().await;
}

#[tokio::test]
async fn vendor_constraints_hold_at_the_edges_of_their_types() {
    let gw = gateway(ALL_EMULATED).await;
    let talkover = "/v1/upstreams/talkover/owners/550e8400-e29b-41d4-a716-446655440000/webhooks";
    let body = |extra: Value| {
        let mut b = json!({"description": "Calls", "url": "https://example.com/hook", "events": ["event_phone_call_started"]});
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    // Talkover's name is required the Laravel way: an empty one is refused, as what it is.
    let empty = send(
        gw.addr,
        "POST",
        talkover,
        &[],
        Some(&body(json!({"description": ""}))),
    )
    .await;
    assert_status(&empty, 422, "empty name");
    assert_eq!(
        empty.json()["errors"],
        json!([{"field": "description", "message": "cannot be empty"}])
    );
    // An integer beyond i64 is still outside Talkover's 5 to 120 seconds.
    let huge = send(
        gw.addr,
        "POST",
        talkover,
        &[],
        Some(&body(json!({"timeout_seconds": u64::MAX}))),
    )
    .await;
    assert_status(&huge, 422, "huge timeout");
    assert_eq!(
        huge.json()["errors"],
        json!([{"field": "timeout_seconds", "message": "must be between 5 and 120"}])
    );
    let created = send(gw.addr, "POST", talkover, &[], Some(&body(json!({})))).await;
    assert_status(&created, 201, "create");
    let list = send(gw.addr, "GET", talkover, &[], None).await.json();
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    gw.stop().await;
}

#[tokio::test]
async fn probes_answer_get_and_head_only() {
    let gw = gateway(ALL_EMULATED).await;
    for path in ["/healthz", "/readyz", "/openapi.json"] {
        let get = send(gw.addr, "GET", path, &[("x-request-id", "probe-1")], None).await;
        assert_status(&get, 200, path);
        assert_eq!(get.header("x-request-id"), Some("probe-1"));
        let head = send(gw.addr, "HEAD", path, &[], None).await;
        assert_status(&head, 200, path);
        let post = send(gw.addr, "POST", path, &[], None).await;
        assert_status(&post, 405, path);
        assert_eq!(post.header("allow"), Some("GET, HEAD"));
        assert_eq!(post.json()["code"], "method_not_allowed");
    }
    for (name, addr) in &gw.emulators {
        let post = send(*addr, "POST", "/healthz", &[], None).await;
        assert_status(&post, 405, name);
    }
    gw.stop().await;
}
