//! The webhook URL policy through the real gateway over loopback: every refused spelling comes
//! back as a 422 on `url` (or as the vendor's own validation error on its URL field, on a
//! drop-in surface) and never reaches the vendor; every allowed one is created and updated.

mod support;

use serde_json::{Value, json};
use support::{Answer, Double, gateway, send};

const AGENT: &str = "9fbef0b7-8d4e-4a08-9207-66c22155721d";
const AUTH: (&str, &str) = ("authorization", "Bearer YOUR_TOKEN");

/// Webhook URLs the shipped policy refuses, each for one reason or one spelling of it.
const REFUSED: &[&str] = &[
    // Scheme.
    "http://example.com/hook",
    "ftp://example.com/hook",
    "javascript:alert(1)",
    // Loopback, every IPv4 spelling.
    "https://127.0.0.1/hook",
    "https://127.0.0.1:8443/hook",
    "https://127.1/",
    "https://2130706433/",
    "https://0x7f000001/",
    "https://0x7f.1/",
    "https://0177.0.0.1/",
    "https://017700000001/",
    "https://127.000.000.001/",
    "https://127.0.0.1./",
    "https://%31%32%37.0.0.1/",
    "https://\u{ff11}\u{ff12}\u{ff17}.0.0.1/",
    "https:///127.0.0.1/",
    // Loopback names.
    "https://localhost/hook",
    "https://LOCALHOST./hook",
    "https://api.localhost/hook",
    "https://%6c%6f%63%61%6c%68%6f%73%74/",
    // Loopback and unspecified IPv6, and IPv6 forms that carry IPv4.
    "https://[::1]/",
    "https://[0:0:0:0:0:0:0:1]/",
    "https://[::]/",
    "https://0.0.0.0/",
    "https://0/",
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:7f00:1]/",
    "https://[::127.0.0.1]/",
    "https://[64:ff9b::10.0.0.1]/",
    "https://[2002:7f00:1::]/",
    // Private, shared and link-local.
    "https://10.0.0.1/",
    "https://10.1/",
    "https://172.16.5.4/",
    "https://192.168.1.1/",
    "https://3232235777/",
    "https://100.64.0.1/",
    "https://169.254.1.1/",
    "https://[fe80::1]/",
    "https://[fc00::1]/",
    "https://[fd12:3456::1]/",
    // Cloud metadata.
    "https://169.254.169.254/latest/meta-data/",
    "https://0xa9fea9fe/",
    "https://[::ffff:a9fe:a9fe]/",
    "https://[64:ff9b::a9fe:a9fe]/",
    "https://[fd00:ec2::254]/",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://metadata/",
    "https://100.100.100.200/",
    // Multicast, broadcast, reserved, documentation.
    "https://224.0.0.1/",
    "https://[ff02::1]/",
    "https://255.255.255.255/",
    "https://240.0.0.1/",
    "https://198.18.0.1/",
    "https://192.0.2.1/",
    "https://[2001:db8::1]/",
    // Internal and unqualified names.
    "https://db.internal/",
    "https://printer.local/",
    "https://router.home.arpa/",
    "https://wiki/",
    // Userinfo, and spellings two parsers may read differently.
    "https://good.example.com@127.0.0.1/",
    "https://user:pass@example.com/hook",
    "https://@example.com/hook",
    "https://127.0.0.1\\@good.example.com/",
    "https://exa\tmple.com/hook",
    " https://example.com/hook",
];

/// Webhook URLs the shipped policy lets through.
const ALLOWED: &[&str] = &[
    "https://example.com/hook",
    "https://api.example.com/pre-call",
    "https://hooks.example.com:8443/path?q=1#frag",
    "https://EXAMPLE.com./hook",
    "https://8.8.8.8/hook",
    "https://1.1.1.1:443/hook",
    "https://172.32.0.1/hook",
    "https://100.128.0.1/hook",
    "https://192.169.0.1/hook",
    "https://[2606:4700:4700::1111]/hook",
    "https://[64:ff9b::808:808]/hook",
    "https://b\u{fc}cher.example/hook",
    "https://xn--bcher-kva.example/hook",
    "https://localhost.example.com/hook",
    "https://metadata.example.com/hook",
    "https://internal.example.com/hook",
    "https://example.com/a/@127.0.0.1?next=http://127.0.0.1/#@10.0.0.1",
];

fn problem_on_url(answer: &Answer) -> Result<(), String> {
    let body = answer.json();
    let ok = answer.status == 422
        && answer.header("content-type") == Some("application/problem+json")
        && body["code"] == "validation_failed"
        && body["errors"].as_array().is_some_and(|e| {
            e.len() == 1 && e[0]["field"] == "url" && e[0]["message"].as_str().is_some()
        });
    if ok {
        Ok(())
    } else {
        Err(format!("{} {body}", answer.status))
    }
}

/// A vendor double behind a Talkover, an AgentMessage and a Resemble upstream, with drop-in
/// surfaces: Talkover in front of Talkover and of AgentMessage, Chirp and AgentMessage in
/// front of AgentMessage, Resemble in front of Resemble.
fn double_config(double: &Double, policy: &str) -> String {
    let url = double.url();
    format!(
        r#"
[upstreams.to]
dialect = "talkover"
base_url = "{url}"
auth = {{ type = "none" }}
retries = 0
[upstreams.am]
dialect = "agentmessage"
base_url = "{url}"
auth = {{ type = "none" }}
retries = 0
[surfaces.talkover]
dialect = "talkover"
upstream = "to"
prefix = "/surfaces/talkover"
[surfaces.tam]
dialect = "talkover"
upstream = "am"
prefix = "/surfaces/tam"
owner = "9fbef0b7-8d4e-4a08-9207-66c22155721d"
[surfaces.chirp]
dialect = "chirp"
upstream = "am"
prefix = "/surfaces/chirp"
owner = "app_1"
[upstreams.rs]
dialect = "resemble"
base_url = "{url}"
auth = {{ type = "none" }}
retries = 0
[surfaces.resemble]
dialect = "resemble"
upstream = "rs"
prefix = "/surfaces/resemble"
[surfaces.agentmessage]
dialect = "agentmessage"
upstream = "am"
prefix = "/surfaces/agentmessage"
{policy}
"#
    )
}

fn canonical_create(url: &str) -> Value {
    json!({"description": "Calls", "url": url, "events": ["event_phone_call_started"]})
}

#[tokio::test]
async fn refused_urls_are_422_on_url_and_never_reach_the_vendor() {
    assert!(REFUSED.len() >= 40, "{} vectors", REFUSED.len());
    let double = Double::start(vec![]).await;
    let gw = gateway(&double_config(&double, "")).await;
    let collection = format!("/v1/upstreams/to/owners/{AGENT}/webhooks");
    let item = format!("{collection}/0199a1b2-0000-7000-8000-000000000001");
    let mut failures = Vec::new();
    for url in REFUSED {
        let created = send(
            gw.addr,
            "POST",
            &collection,
            &[],
            Some(&canonical_create(url)),
        )
        .await;
        if let Err(e) = problem_on_url(&created) {
            failures.push(format!("create {url:?}: {e}"));
        }
        // A merge patch, as JSON and as merge-patch+json alongside another member.
        let updates = [
            ("application/json", json!({"url": url})),
            (
                "application/merge-patch+json",
                json!({"max_retries": 3, "url": url}),
            ),
        ];
        for (media_type, body) in updates {
            let headers = [("content-type", media_type)];
            let updated = send(gw.addr, "PATCH", &item, &headers, Some(&body)).await;
            if let Err(e) = problem_on_url(&updated) {
                failures.push(format!("update ({media_type}) {url:?}: {e}"));
            }
        }
    }
    gw.stop().await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        double.seen().is_empty(),
        "a refused URL reached the vendor: {:?}",
        double.seen()
    );
}

#[tokio::test]
async fn vendor_surfaces_refuse_in_their_own_shape_on_their_own_field() {
    let double = Double::start(vec![]).await;
    let gw = gateway(&double_config(&double, "")).await;
    let mut failures = Vec::new();
    for url in REFUSED {
        // Talkover's own API, in front of Talkover and of AgentMessage.
        let surfaces = [
            ("/surfaces/talkover", "event_phone_call_started"),
            ("/surfaces/tam", "wallet.balance_low"),
        ];
        for (prefix, event) in surfaces {
            let body = json!({"name": "Calls", "webhook_url": url, "events": [event]});
            let path = format!("{prefix}/api/v1/agents/{AGENT}/webhooks");
            let created = send(gw.addr, "POST", &path, &[AUTH], Some(&body)).await;
            let answer = created.json();
            let fields: Vec<&String> = answer["errors"]
                .as_object()
                .map(|e| e.keys().collect())
                .unwrap_or_default();
            if created.status != 422
                || answer["message"] != "The given data was invalid."
                || fields != ["webhook_url"]
                || !answer["errors"]["webhook_url"][0].is_string()
            {
                failures.push(format!(
                    "{prefix} create {url:?}: {} {answer}",
                    created.status
                ));
            }
            let path = format!(
                "{prefix}/api/v1/agents/{AGENT}/webhooks/0199a1b2-0000-7000-8000-000000000001"
            );
            let updated = send(
                gw.addr,
                "PUT",
                &path,
                &[AUTH],
                Some(&json!({"webhook_url": url})),
            )
            .await;
            let answer = updated.json();
            if updated.status != 422 || !answer["errors"]["webhook_url"][0].is_string() {
                failures.push(format!(
                    "{prefix} update {url:?}: {} {answer}",
                    updated.status
                ));
            }
        }
        // Resemble's own API: its 422 on the member that holds the URL.
        let path = format!("/surfaces/resemble/api/v2/agents/{AGENT}/webhooks");
        let body = json!({"webhook_type": "pre_call", "webhook_config": {"api_schema": {"url": url, "method": "POST"}, "assignments": []}});
        let created = send(gw.addr, "POST", &path, &[AUTH], Some(&body)).await;
        let answer = created.json();
        let fields: Vec<&String> = answer["errors"]
            .as_object()
            .map(|e| e.keys().collect())
            .unwrap_or_default();
        if created.status != 422 || answer["success"] != false || fields != ["webhook_config"] {
            failures.push(format!(
                "resemble create {url:?}: {} {answer}",
                created.status
            ));
        }
        // AgentMessage's own API: its VALIDATION_FAILED with `details.url`.
        let path = "/surfaces/agentmessage/v1/webhooks";
        let body = json!({"url": url, "events": ["wallet.balance_low"]});
        let created = send(gw.addr, "POST", path, &[AUTH], Some(&body)).await;
        let answer = created.json();
        let details: Vec<&String> = answer["error"]["details"]
            .as_object()
            .map(|e| e.keys().collect())
            .unwrap_or_default();
        if created.status != 422
            || answer["error"]["code"] != "VALIDATION_FAILED"
            || details != ["url"]
        {
            failures.push(format!(
                "agentmessage create {url:?}: {} {answer}",
                created.status
            ));
        }
        // Chirp's own API in front of AgentMessage: Chirp's 400 naming its `url` parameter.
        let path = "/surfaces/chirp/v1/organization/apps/app_1/webhooks";
        let body = json!({"url": url, "events": ["wallet.balance_low"]});
        let created = send(gw.addr, "POST", path, &[AUTH], Some(&body)).await;
        let answer = created.json();
        if created.status != 400
            || answer["error"]["code"] != "parameter_invalid"
            || answer["error"]["param"] != "url"
        {
            failures.push(format!("chirp create {url:?}: {} {answer}", created.status));
        }
    }
    gw.stop().await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        double.seen().is_empty(),
        "a refused URL reached the vendor: {:?}",
        double.seen()
    );
}

#[tokio::test]
async fn the_refusal_says_why_in_canonical_and_vendor_words() {
    let double = Double::start(vec![]).await;
    let gw = gateway(&double_config(&double, "")).await;
    let collection = format!("/v1/upstreams/to/owners/{AGENT}/webhooks");
    let created = send(
        gw.addr,
        "POST",
        &collection,
        &[("x-request-id", "req-policy-1")],
        Some(&canonical_create("https://0x7f.1/hook")),
    )
    .await;
    assert_eq!(
        created.json(),
        json!({
            "type": "https://hookgate.dev/problems/validation-failed",
            "title": "Validation failed",
            "status": 422,
            "detail": "url: must not point to a loopback address (127.0.0.1)",
            "code": "validation_failed",
            "errors": [{"field": "url", "message": "must not point to a loopback address (127.0.0.1)"}],
            "request_id": "req-policy-1"
        })
    );
    let path = format!("/surfaces/talkover/api/v1/agents/{AGENT}/webhooks");
    let body = json!({"name": "Calls", "webhook_url": "https://169.254.169.254/", "events": ["event_phone_call_started"]});
    let created = send(gw.addr, "POST", &path, &[AUTH], Some(&body)).await;
    assert_eq!(created.status, 422);
    assert_eq!(
        created.json(),
        json!({"message": "The given data was invalid.", "errors": {"webhook_url": ["must not point to a cloud metadata service (169.254.169.254)"]}})
    );
    // The vendor's own constraint keeps its word where it refuses the URL too, and every other
    // field error is still reported with the policy's.
    let am = "/v1/upstreams/am/webhooks";
    let both = send(
        gw.addr,
        "POST",
        am,
        &[],
        Some(&json!({"url": "https://10.0.0.1/", "events": ["nope"]})),
    )
    .await;
    assert_eq!(
        both.json()["errors"],
        json!([{"field": "url", "message": "must not point to a private address (10.0.0.1)"}, {"field": "events", "message": "unknown event: nope"}])
    );
    gw.stop().await;
    assert!(double.seen().is_empty());
}

#[tokio::test]
async fn allowed_urls_are_created_and_updated() {
    let gw = gateway(
        r#"
[upstreams.to]
dialect = "talkover"
emulate = true
[surfaces.talkover]
dialect = "talkover"
upstream = "to"
prefix = "/surfaces/talkover"
"#,
    )
    .await;
    let collection = format!("/v1/upstreams/to/owners/{AGENT}/webhooks");
    let mut failures = Vec::new();
    for (i, url) in ALLOWED.iter().enumerate() {
        let created = send(
            gw.addr,
            "POST",
            &collection,
            &[],
            Some(&canonical_create(url)),
        )
        .await;
        if created.status != 201 {
            failures.push(format!(
                "create {url:?}: {} {:?}",
                created.status, created.body
            ));
            continue;
        }
        let id = created.json()["id"].as_str().unwrap().to_owned();
        let next = ALLOWED[(i + 1) % ALLOWED.len()];
        let updated = send(
            gw.addr,
            "PATCH",
            &format!("{collection}/{id}"),
            &[],
            Some(&json!({"url": next})),
        )
        .await;
        if updated.status != 200 || updated.json()["url"] != next {
            failures.push(format!(
                "update to {next:?}: {} {:?}",
                updated.status, updated.body
            ));
        }
        let path = format!("/surfaces/talkover/api/v1/agents/{AGENT}/webhooks");
        let body =
            json!({"name": "Calls", "webhook_url": url, "events": ["event_phone_call_started"]});
        let dropin = send(gw.addr, "POST", &path, &[AUTH], Some(&body)).await;
        if dropin.status != 200 {
            failures.push(format!(
                "surface create {url:?}: {} {:?}",
                dropin.status, dropin.body
            ));
        }
    }
    gw.stop().await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn the_policy_follows_its_configuration() {
    let double = Double::start(vec![]).await;
    let gw = gateway(&format!(
        r#"
[upstreams.local]
dialect = "talkover"
emulate = true
[upstreams.dbl]
dialect = "talkover"
base_url = "{}"
auth = {{ type = "none" }}
retries = 0
[url_policy]
https_only = false
allow_private = true
deny_hosts = ["*.evil.example", "203.0.113.0/24"]
"#,
        double.url()
    ))
    .await;
    let local = format!("/v1/upstreams/local/owners/{AGENT}/webhooks");
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost:9/hook",
        "https://10.1.2.3/hook",
        "http://receiver.internal/hook",
    ] {
        let created = send(gw.addr, "POST", &local, &[], Some(&canonical_create(url))).await;
        assert_eq!(created.status, 201, "{url}: {:?}", created.body);
    }
    let dbl = format!("/v1/upstreams/dbl/owners/{AGENT}/webhooks");
    for url in [
        "http://169.254.169.254/",
        "https://a.evil.example/hook",
        "https://203.0.113.9/hook",
        "https://[ff02::1]/",
    ] {
        let created = send(gw.addr, "POST", &dbl, &[], Some(&canonical_create(url))).await;
        problem_on_url(&created).unwrap_or_else(|e| panic!("{url}: {e}"));
    }
    gw.stop().await;
    assert!(double.seen().is_empty());

    // An allow list exempts named hosts only; the rest of the policy stands.
    let gw = gateway(
        r#"
[upstreams.local]
dialect = "talkover"
emulate = true
[url_policy]
allow_hosts = ["hooks.corp.internal", "10.20.0.0/16"]
"#,
    )
    .await;
    let local = format!("/v1/upstreams/local/owners/{AGENT}/webhooks");
    for (url, status) in [
        ("https://hooks.corp.internal/a", 201),
        ("https://10.20.1.2/a", 201),
        ("https://other.corp.internal/a", 422),
        ("https://10.21.1.2/a", 422),
        ("http://10.20.1.2/a", 422),
    ] {
        let created = send(gw.addr, "POST", &local, &[], Some(&canonical_create(url))).await;
        assert_eq!(created.status, status, "{url}: {:?}", created.body);
    }
    gw.stop().await;
}

#[tokio::test]
async fn emulators_enforce_the_policy_only_when_told_to() {
    let body = json!({"name": "Calls", "webhook_url": "https://127.0.0.1/hook", "events": ["event_phone_call_started"]});
    let path = format!("/api/v1/agents/{AGENT}/webhooks");
    for (apply, status) in [(false, 200), (true, 422)] {
        let gw = gateway(&format!(
            "[upstreams.to]\ndialect = \"talkover\"\nemulate = true\n[url_policy]\napply_to_emulators = {apply}\n"
        ))
        .await;
        let emulator = gw.emulators["to"];
        let created = send(emulator, "POST", &path, &[AUTH], Some(&body)).await;
        assert_eq!(created.status, status, "{:?}", created.body);
        if apply {
            assert_eq!(
                created.json()["errors"],
                json!({"webhook_url": ["must not point to a loopback address (127.0.0.1)"]})
            );
        }
        gw.stop().await;
    }
}

#[test]
fn bad_host_rules_stop_startup_naming_each_one() {
    use figment::Figment;
    use figment::providers::{Format, Serialized, Toml};
    use hookgate::config::{self, RawConfig};
    let toml = r#"
[inbound_auth]
mode = "off"
[url_policy]
allow_hosts = ["ok.example.com", "10.0.0.0/40"]
deny_hosts = ["*.", "bad host"]
"#;
    let figment =
        Figment::from(Serialized::defaults(RawConfig::default())).merge(Toml::string(toml));
    let report = config::from_figment(&figment, "test").unwrap_err();
    let keys: Vec<&str> = report.problems.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "url_policy.allow_hosts[1]",
            "url_policy.deny_hosts[0]",
            "url_policy.deny_hosts[1]"
        ],
        "{report}"
    );
}
