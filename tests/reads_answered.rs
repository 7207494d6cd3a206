//! A read of one webhook by its id, answered with another webhook, is refused (502), whether
//! it is the client's read or the read an update makes before it writes: taken, the other
//! webhook would be shown as the one asked, or its members written into the one the client
//! named. A webhook is the one asked where its id is (as its rule reads it, an integer's
//! digits too; a UUID in either letter case), or where a field by which its vendor also finds
//! webhooks is (`also_found_by`, Svix's `uid`).

mod support;

use serde_json::{Value, json};
use support::{Double, Reply, Seen, send};

/// Relay's hook `id` of project `p1`, as its vendor writes it.
fn relay_hook(id: u64, url: &str) -> Value {
    json!({"hook": {"hook_id": id, "project": "p1", "label": "x", "topics": ["invoice.paid"],
        "disabled": false, "state": "live",
        "target": {"url": url, "timeout_ms": 9000, "headers": [{"name": "X-Two", "value": "2"}]}}})
}

/// The vendor's calls, as method and path.
fn calls(vendor: &Double) -> Vec<String> {
    vendor
        .seen()
        .iter()
        .map(|s: &Seen| format!("{} {}", s.method, s.path))
        .collect()
}

#[tokio::test]
async fn a_read_answered_with_another_webhook_is_refused_and_nothing_is_written() {
    // Every read of hook 1 answers hook 2.
    let vendor =
        Double::answering(|_| Reply::json(200, relay_hook(2, "https://example.com/TWO"))).await;
    let gw = support::gateway_over(support::TEST_DIALECTS, "relay", &vendor).await;
    let hook = "/v1/upstreams/relay/owners/p1/webhooks/1";
    let read = send(gw.addr, "GET", hook, &[], None).await;
    assert_eq!(read.status, 502, "{}", read.json());
    let detail = read.json()["detail"].as_str().unwrap().to_owned();
    assert!(detail.contains("asked for webhook 1"), "{detail}");
    assert!(!read.json().to_string().contains("TWO"), "{}", read.json());
    // An update reads first, to merge into: answered another webhook, it writes nothing.
    for change in [
        json!({"timeout_seconds": 10}),
        json!({"headers": {"X-New": "n"}}),
    ] {
        let before = vendor.seen().len();
        let answer = support::patch(gw.addr, hook, &change).await;
        assert_eq!(answer.status, 502, "{change}: {}", answer.json());
        let made: Vec<String> = calls(&vendor)[before..].to_vec();
        assert_eq!(made, ["GET /api/projects/p1/hooks/1"], "{change}");
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_surface_read_answered_with_another_webhook_is_refused() {
    let vendor =
        Double::answering(|_| Reply::json(200, relay_hook(2, "https://example.com/TWO"))).await;
    let dir = support::TEST_DIALECTS;
    let gw = support::gateway(&format!(
        "mappings_dir = {dir:?}\n[upstreams.relay]\ndialect = \"relay\"\nbase_url = {:?}\n\
         auth = {{ type = \"none\" }}\nretries = 0\n[url_policy]\nallow_private = true\n\
         [surfaces.z]\ndialect = \"zen\"\nupstream = \"relay\"\nprefix = \"/z\"\nowner = \"p1\"\n",
        vendor.url()
    ))
    .await;
    let bearer = [("authorization", "Bearer t")];
    let read = send(gw.addr, "GET", "/z/api/v2/webhooks/1", &bearer, None).await;
    assert!(read.status >= 500, "{}: {:?}", read.status, read.body);
    assert!(!String::from_utf8_lossy(&read.body).contains("TWO"));
    let before = vendor.seen().len();
    let change = json!({"webhook": {"name": "renamed"}});
    let answer = send(
        gw.addr,
        "PATCH",
        "/z/api/v2/webhooks/1",
        &bearer,
        Some(&change),
    )
    .await;
    assert!(answer.status >= 500, "{}: {:?}", answer.status, answer.body);
    assert!(
        calls(&vendor)[before..]
            .iter()
            .all(|c| c.starts_with("GET ")),
        "{:?}",
        calls(&vendor)
    );
    gw.stop().await;
}

#[tokio::test]
async fn a_read_answered_with_the_webhook_asked_under_another_spelling_is_taken() {
    // An integer id the client names by its digits, with leading zeros too, as its vendor
    // reads them.
    let vendor =
        Double::answering(|_| Reply::json(200, relay_hook(7, "https://example.com/h"))).await;
    let gw = support::gateway_over(support::TEST_DIALECTS, "relay", &vendor).await;
    for id in ["7", "007"] {
        let path = format!("/v1/upstreams/relay/owners/p1/webhooks/{id}");
        let read = send(gw.addr, "GET", &path, &[], None).await;
        assert_eq!(read.status, 200, "{id}: {}", read.json());
        assert_eq!(read.json()["id"], "7");
    }
    gw.stop().await;

    // A UUID asked in capitals, which its vendor writes in small letters.
    let id = "0199a1b2-0000-7000-8000-00000000000a";
    let agent = "9fbef0b7-8d4e-4a08-9207-66c22155721d";
    let vendor = Double::answering(move |_| {
        Reply::json(
            200,
            json!({"success": true, "data": {"id": id, "agent_id": agent, "name": "n",
                "webhook_url": "https://example.com/h", "events": ["event_phone_call_started"],
                "timeout": 30, "max_retries": 3, "enabled": true}}),
        )
    })
    .await;
    let gw = support::gateway_over(support::MAPPINGS, "talkover", &vendor).await;
    let path = format!(
        "/v1/upstreams/talkover/owners/{agent}/webhooks/{}",
        id.to_uppercase()
    );
    let read = send(gw.addr, "GET", &path, &[], None).await;
    assert_eq!(read.status, 200, "{}", read.json());
    assert_eq!(read.json()["id"], id);
    gw.stop().await;

    // A webhook asked by the uid its vendor also finds it by.
    let vendor = Double::answering(|_| {
        Reply::json(
            200,
            json!({"id": "ep_2", "uid": "billing", "url": "https://example.com/h",
                "version": 1, "description": "", "disabled": false, "filterTypes": null,
                "channels": null, "rateLimit": null, "metadata": {},
                "createdAt": "2025-01-01T00:00:00Z", "updatedAt": "2025-01-01T00:00:00Z"}),
        )
    })
    .await;
    let gw = support::gateway_over(support::MAPPINGS, "svix", &vendor).await;
    let path = "/v1/upstreams/svix/owners/app_1/webhooks/billing";
    let read = send(gw.addr, "GET", path, &[], None).await;
    assert_eq!(read.status, 200, "{}", read.json());
    assert_eq!(read.json()["id"], "ep_2");
    let other = send(
        gw.addr,
        "GET",
        "/v1/upstreams/svix/owners/app_1/webhooks/invoices",
        &[],
        None,
    )
    .await;
    assert_eq!(other.status, 502, "{}", other.json());
    gw.stop().await;
}

#[tokio::test]
async fn a_status_the_vendor_reports_in_words_its_rule_does_not_know_is_none() {
    // Relay's `state` is read by a value map of three words; a fourth is no status it can say,
    // never one made up from `disabled`.
    let mut hook = relay_hook(1, "https://example.com/h");
    hook["hook"]["state"] = json!("exploded");
    let listed = json!({"hooks": [hook["hook"].clone()], "next": null});
    let vendor = Double::answering(move |seen| match seen.path.contains("/hooks/") {
        true => Reply::json(200, hook.clone()),
        false => Reply::json(200, listed.clone()),
    })
    .await;
    let gw = support::gateway_over(support::TEST_DIALECTS, "relay", &vendor).await;
    let base = "/v1/upstreams/relay/owners/p1/webhooks";
    let read = send(gw.addr, "GET", &format!("{base}/1"), &[], None).await;
    assert_eq!(read.status, 200, "{}", read.json());
    let list = send(gw.addr, "GET", base, &[], None).await;
    assert_eq!(list.status, 200, "{}", list.json());
    for webhook in [read.json(), list.json()["data"][0].clone()] {
        assert!(webhook.get("status").is_none(), "{webhook}");
        assert_eq!(webhook["enabled"], true, "{webhook}");
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_change_answered_with_the_webhook_under_another_spelling_is_taken() {
    // Svix changed by uid, answered with the endpoint its uid names; Relay changed by an id
    // with leading zeros, answered with its number.
    let endpoint = json!({"id": "ep_2", "uid": "billing", "url": "https://example.com/h",
        "version": 1, "description": "", "disabled": false, "filterTypes": null,
        "channels": null, "rateLimit": null, "metadata": {},
        "createdAt": "2025-01-01T00:00:00Z", "updatedAt": "2025-01-01T00:00:00Z"});
    let vendor = Double::answering(move |_| Reply::json(200, endpoint.clone())).await;
    let gw = support::gateway_over(support::MAPPINGS, "svix", &vendor).await;
    let path = "/v1/upstreams/svix/owners/app_1/webhooks/billing";
    let changed = support::patch(gw.addr, path, &json!({"description": "ops"})).await;
    assert_eq!(changed.status, 200, "{}", changed.json());
    assert_eq!(changed.json()["id"], "ep_2");
    gw.stop().await;

    let vendor =
        Double::answering(|_| Reply::json(200, relay_hook(7, "https://example.com/h"))).await;
    let gw = support::gateway_over(support::TEST_DIALECTS, "relay", &vendor).await;
    let path = "/v1/upstreams/relay/owners/p1/webhooks/007";
    let changed = support::patch(gw.addr, path, &json!({"timeout_seconds": 10})).await;
    assert_eq!(changed.status, 200, "{}", changed.json());
    gw.stop().await;
}
