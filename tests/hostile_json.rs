//! Hostile JSON bodies, each with its documented answer: nothing panics, nothing reaches the
//! vendor that should not, and large integers survive translation exactly.

mod support;

use bytes::Bytes;
use serde_json::json;
use support::{ALL_EMULATED, Double, Reply, gateway, send, send_raw};

const AM: &str = "/v1/upstreams/agentmessage/webhooks";

async fn post(addr: std::net::SocketAddr, body: Vec<u8>) -> support::Answer {
    send_raw(
        addr,
        "POST",
        AM,
        &[("content-type", "application/json")],
        Bytes::from(body),
    )
    .await
}

#[tokio::test]
async fn hostile_bodies_get_their_documented_answers() {
    let gw = gateway(ALL_EMULATED).await;
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "nesting bomb",
            ("[".repeat(100_000) + &"]".repeat(100_000)).into_bytes(),
            400,
            "recursion limit",
        ),
        (
            "object nesting",
            (r#"{"a":"#.repeat(1000) + "1" + &"}".repeat(1000)).into_bytes(),
            400,
            "recursion limit",
        ),
        (
            "invalid UTF-8",
            b"{\"url\": \"https://a.example/\xff\"}".to_vec(),
            400,
            "not valid JSON",
        ),
        (
            "repeated key",
            br#"{"url": "https://a.example", "url": "http://169.254.169.254"}"#.to_vec(),
            400,
            "`url` is repeated",
        ),
        (
            "huge string",
            format!(r#"{{"description": "{}"}}"#, "a".repeat(2_000_000)).into_bytes(),
            413,
            "larger than",
        ),
        (
            "not an object",
            b"[1, 2]".to_vec(),
            400,
            "must be a JSON object",
        ),
        (
            "trailing garbage",
            br#"{"url": "https://a.example"} x"#.to_vec(),
            400,
            "not valid JSON",
        ),
    ];
    for (name, body, status, detail) in cases {
        let a = post(gw.addr, body).await;
        assert_eq!(
            a.status,
            status,
            "{name}: {}",
            String::from_utf8_lossy(&a.body)
        );
        let problem = a.json();
        assert!(
            problem["detail"].as_str().unwrap().contains(detail),
            "{name}: {problem}"
        );
    }
    // The gateway still answers after all of them.
    assert_eq!(send(gw.addr, "GET", AM, &[], None).await.status, 200);
    gw.stop().await;
}

#[tokio::test]
async fn integers_beyond_2_to_the_53_are_kept_exactly() {
    let big = json!({"success": true, "data": {"id": "0199a1b2-0000-7000-8000-000000000001", "agent_id": "550e8400-e29b-41d4-a716-446655440000", "name": "n", "webhook_url": "https://e.example",
        "events": ["event_action"], "enabled": true, "max_retries": 9007199254740993u64, "sequence": 18446744073709551615u64}});
    let double = Double::start(vec![Reply::json(200, big)]).await;
    let gw = gateway(&format!(
        "[upstreams.v]\ndialect = \"talkover\"\nbase_url = \"{}\"\nauth = {{ type = \"none\" }}\n",
        double.url()
    ))
    .await;
    let a = send(
        gw.addr,
        "GET",
        "/v1/upstreams/v/owners/550e8400-e29b-41d4-a716-446655440000/webhooks/0199a1b2-0000-7000-8000-000000000001",
        &[],
        None,
    )
    .await;
    let text = String::from_utf8_lossy(&a.body).into_owned();
    assert!(text.contains("\"max_retries\":9007199254740993"), "{text}");
    assert!(text.contains("\"sequence\":18446744073709551615"), "{text}");
    gw.stop().await;
}

#[tokio::test]
async fn vendor_member_names_that_look_like_paths_go_back_verbatim() {
    // Members no rule names are kept under `extensions` and written back on a read-merge-write.
    // Their names are names: `huge[999999999999]` once made the gateway pad an array up to that
    // index and abort, and `tags[1]` came back as an array.
    let item = json!({"id": 1, "webhook_type": "pre_call",
        "webhook_config": {"api_schema": {"url": "https://api.example.com/pre-call", "method": "POST",
            "tags[1]": "kept", "huge[999999999999]": true}, "response_timeout_secs": 10},
        "created_at": "2025-01-27T10:00:00Z", "updated_at": "2025-01-27T10:00:00Z",
        "labels[99999999999]": "top"});
    let reply = Reply::json(200, json!({"success": true, "item": item}));
    let double = Double::start(vec![reply.clone(), reply]).await;
    let gw = gateway(&format!(
        "[upstreams.r]\ndialect = \"resemble\"\nbase_url = \"{}\"\nauth = {{ type = \"none\" }}\n",
        double.url()
    ))
    .await;
    let a = send(
        gw.addr,
        "PATCH",
        "/v1/upstreams/r/owners/550e8400-e29b-41d4-a716-446655440000/webhooks/1",
        &[],
        Some(&json!({"timeout_seconds": 15})),
    )
    .await;
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    let seen = double.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].method, "PATCH");
    let sent = seen[1].json().unwrap();
    let schema = &sent["webhook_config"]["api_schema"];
    assert_eq!(schema["tags[1]"], "kept", "{sent}");
    assert_eq!(schema["huge[999999999999]"], true, "{sent}");
    assert!(
        schema.get("tags").is_none() && schema.get("huge").is_none(),
        "{sent}"
    );
    // Unchanged top-level members are not sent; the gateway's answer keeps this one verbatim.
    assert!(sent.get("labels").is_none(), "{sent}");
    assert_eq!(a.json()["extensions"]["labels[99999999999]"], "top");
    assert_eq!(
        sent["webhook_config"]["response_timeout_secs"], 15,
        "{sent}"
    );
    gw.stop().await;
}

#[test]
fn vendor_member_names_are_never_evaluated_as_paths() {
    // What a read-merge-write and a vendor surface do with a webhook read from a vendor: the
    // members no rule names are written back where they came from, each under its own name.
    let dialects = hookgate::mapping::load_dir(std::path::Path::new(support::MAPPINGS)).unwrap();
    for d in &dialects {
        let example = d
            .examples
            .first()
            .expect("every shipped file has an example");
        let mut vendor = example.clone();
        vendor["zz[999999999999]"] = json!(1);
        vendor["a.b"] = json!(2);
        let canonical = d.webhook.read(&vendor).unwrap();
        for written in [
            d.webhook
                .write_all(hookgate::model::Action::Update, &canonical),
            d.webhook.render(&canonical).unwrap(),
        ] {
            assert_eq!(written["zz[999999999999]"], 1, "{}: {written}", d.name);
            assert_eq!(written["a.b"], 2, "{}: {written}", d.name);
            assert!(written.get("zz").is_none() && written.get("a").is_none());
        }
    }
}

/// A number the vendor wrote beyond 64 bits is read as the nearest double; a change composed
/// from the webhook as read (a read-merge-write, a whole replacement) that would send it back
/// is refused, naming where it lies, and one that leaves its member alone goes through.
#[tokio::test]
async fn a_vendors_number_beyond_64_bits_is_never_sent_back_rounded() {
    let item = |big: &str| {
        let text = format!(
            r#"{{"success": true, "item": {{"id": 1, "webhook_type": "pre_call",
            "webhook_config": {{"api_schema": {{"url": "https://api.example.com/pre-call", "method": "POST",
                "sequence": {big}}}, "response_timeout_secs": 10}},
            "created_at": "2025-01-27T10:00:00Z", "updated_at": "2025-01-27T10:00:00Z"}}}}"#
        );
        Reply::Raw {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: text,
        }
    };
    let at = "/v1/upstreams/r/owners/550e8400-e29b-41d4-a716-446655440000/webhooks/1";
    for big in ["12345678901234567890123", "-9223372036854775809"] {
        let double = Double::start(vec![item(big), item(big), item(big)]).await;
        let gw = gateway(&format!(
            "[upstreams.r]\ndialect = \"resemble\"\nbase_url = \"{}\"\nauth = {{ type = \"none\" }}\n",
            double.url()
        ))
        .await;
        // The member that holds it would be sent whole: refused before any write.
        let change = json!({"timeout_seconds": 15});
        let a = send(gw.addr, "PATCH", at, &[], Some(&change)).await;
        let text = String::from_utf8_lossy(&a.body).into_owned();
        assert_eq!(a.status, 422, "{big}: {text}");
        let problem = a.json();
        assert_eq!(problem["code"], "unsupported_field", "{text}");
        let field = problem["errors"][0]["field"].as_str().unwrap();
        assert_eq!(field, "webhook_config.api_schema.sequence", "{text}");
        assert!(
            double.seen().iter().all(|s| s.method == "GET"),
            "{big}: nothing is written"
        );
        // A change that leaves that member alone is made.
        let a = send(
            gw.addr,
            "PATCH",
            at,
            &[],
            Some(&json!({"events": ["pre_call"]})),
        )
        .await;
        assert_ne!(a.status, 422, "{big}: {}", String::from_utf8_lossy(&a.body));
        gw.stop().await;
    }
}

/// A number the vendor wrote beyond 64 bits reaches the canonical client as the vendor wrote
/// it, in a webhook and in a list's page, alone or inside an object of the vendor's own: never
/// as the nearest double (1.2345678901234568e22). An object that names a member twice is read
/// one way only, as its last member, whatever it holds.
#[tokio::test]
async fn a_vendors_number_beyond_64_bits_is_shown_as_written() {
    let webhook = |id: u32, big: &str| {
        format!(
            r#"{{"id": {id}, "webhook_type": "pre_call",
            "webhook_config": {{"api_schema": {{"url": "https://api.example.com/pre-call", "method": "POST",
                "sequence": {big}}}, "response_timeout_secs": 10}},
            "meta": {{"n":{big},"tag":"x"}},
            "twice": {{"k":1,"k":{big}}},
            "created_at": "2025-01-27T10:00:00Z", "updated_at": "2025-01-27T10:00:00Z"}}"#
        )
    };
    let reply = |body: String| Reply::Raw {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body,
    };
    let owner = "/v1/upstreams/r/owners/550e8400-e29b-41d4-a716-446655440000/webhooks";
    for big in ["12345678901234567890123", "-9223372036854775809"] {
        let double = Double::start(vec![
            reply(format!(
                r#"{{"success": true, "item": {}}}"#,
                webhook(1, big)
            )),
            reply(format!(
                r#"{{"success": true, "items": [{}, {}], "count": 2}}"#,
                webhook(1, big),
                webhook(2, big)
            )),
        ])
        .await;
        let gw = gateway(&format!(
            "[upstreams.r]\ndialect = \"resemble\"\nbase_url = \"{}\"\nauth = {{ type = \"none\" }}\n",
            double.url()
        ))
        .await;
        for (path, shown) in [(format!("{owner}/1"), 1), (owner.to_owned(), 2)] {
            let a = send(gw.addr, "GET", &path, &[], None).await;
            let text = String::from_utf8_lossy(&a.body).into_owned();
            assert_eq!(a.status, 200, "{big}: {text}");
            let exact = format!(r#""webhook_config.api_schema.sequence":{big}"#);
            let nested = format!(r#""meta":{{"n":{big},"tag":"x"}}"#);
            assert_eq!(text.matches(&exact).count(), shown, "{big}: {text}");
            assert_eq!(text.matches(&nested).count(), shown, "{big}: {text}");
            // A member named twice in an object reads as the last one, as everywhere, never
            // as both: that object is the one value shown as the nearest double.
            assert!(!text.contains(r#""k":1,"#), "{big}: {text}");
            let rounded = text.matches("e+22").count() + text.matches("e+18").count();
            assert_eq!(rounded, shown, "{big}: {text}");
            // And the answer is JSON still.
            serde_json::from_slice::<serde_json::Value>(&a.body).expect("a JSON answer");
        }
        gw.stop().await;
    }
}
