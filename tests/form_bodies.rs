//! A vendor that takes its requests as forms (`tests/dialects/tariff.toml`, spelt as Stripe's
//! are): the gateway writes it forms, checked byte for byte at a scripted vendor; its
//! emulator and its surfaces read forms back into the webhook's booleans, numbers and lists;
//! JSON clients reach it through surfaces of JSON vendors, and its clients reach those. As
//! Stripe, it merges its metadata key by key (`strategy = "merge_patch"`): a key removed is
//! sent empty, alone, and a client's empty key removes that key alone.

mod support;

use serde_json::{Value, json};
use support::{Double, Reply, gateway, gateway_over, journal, ok, send, send_raw};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
const BEARER: (&str, &str) = ("authorization", "Bearer t");
const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");
const ID: &str = "we_0123456789abcdef0123456789abcdef";

fn endpoint() -> Value {
    json!({"id": ID, "url": "https://example.com/a", "enabled_events": ["invoice.paid", "charge.failed"],
           "status": "enabled", "description": "Billing", "timeout_ms": 5000, "metadata": {"X-Env": "prod"},
           "created": 1_700_000_000})
}

#[tokio::test]
async fn the_gateway_writes_the_vendor_a_form() {
    let double = Double::start(vec![
        Reply::json(200, endpoint()),
        Reply::json(200, endpoint()),
        Reply::json(200, endpoint()),
    ])
    .await;
    let gw = gateway_over(DIR, "tariff", &double).await;
    let base = "/v1/upstreams/tariff/webhooks";
    let create = json!({"url": "https://example.com/a?b=c&d", "events": ["invoice.paid", "charge.failed"],
                        "enabled": true, "description": "Billing", "timeout_seconds": 5, "headers": {"X-Env": "prod"}});
    let made = send(gw.addr, "POST", base, &[], Some(&create)).await;
    ok(&made, 201, "create");
    let w = made.json();
    assert_eq!(
        (w["enabled"].clone(), w["timeout_seconds"].clone()),
        (json!(true), json!(5))
    );
    assert_eq!(w["created_at"], "2023-11-14T22:13:20Z");

    let patched = send(
        gw.addr,
        "PATCH",
        &format!("{base}/{ID}"),
        &[],
        Some(&json!({"enabled": false, "description": null})),
    )
    .await;
    ok(&patched, 200, "update");

    let seen = double.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    for request in &seen {
        assert_eq!(
            request.headers.get("content-type").unwrap(),
            "application/x-www-form-urlencoded"
        );
    }
    let created = String::from_utf8(seen[0].body.to_vec()).unwrap();
    for pair in [
        "url=https%3A%2F%2Fexample.com%2Fa%3Fb%3Dc%26d",
        "enabled_events%5B0%5D=invoice.paid",
        "enabled_events%5B1%5D=charge.failed",
        "disabled=false",
        "description=Billing",
        "timeout_ms=5000",
        "metadata%5BX-Env%5D=prod",
    ] {
        assert!(created.split('&').any(|p| p == pair), "{pair} in {created}");
    }
    assert_eq!(created.split('&').count(), 7, "{created}");
    // Only what changed, a cleared description as the vendor clears it: empty.
    let updated = String::from_utf8(seen[1].body.to_vec()).unwrap();
    let mut pairs: Vec<&str> = updated.split('&').collect();
    pairs.sort_unstable();
    assert_eq!(pairs, ["description=", "disabled=true"], "{updated}");
    assert_eq!(seen[1].path, format!("/v1/webhook_endpoints/{ID}"));
}

async fn tariff_gateway() -> hookgate::app::Running {
    gateway(&format!(
        "mappings_dir = {DIR:?}\n\
         [upstreams.tariff]\ndialect = \"tariff\"\nemulate = true\n\
         [upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [surfaces.relay-on-tariff]\ndialect = \"relay\"\nupstream = \"tariff\"\nprefix = \"/rt\"\nowner = \"p1\"\n\
         [surfaces.tariff-on-relay]\ndialect = \"tariff\"\nupstream = \"relay\"\nprefix = \"/tr\"\nowner = \"p1\"\n"
    ))
    .await
}

#[tokio::test]
async fn an_emulator_reads_forms_into_the_webhook() {
    let gw = tariff_gateway().await;
    let base = "/v1/upstreams/tariff/webhooks";
    let create = json!({"url": "https://example.com/a", "events": ["invoice.paid"], "enabled": false,
                        "description": "Billing", "timeout_seconds": 7, "headers": {"X-Env": "prod"}});
    let made = send(gw.addr, "POST", base, &[], Some(&create)).await;
    ok(&made, 201, "create");
    let w = made.json();
    for (k, v) in create.as_object().unwrap() {
        assert_eq!(&w[k], v, "{k}: {w}");
    }
    let id = w["id"].as_str().unwrap().to_owned();
    let read = send(gw.addr, "GET", &format!("{base}/{id}"), &[], None).await;
    assert_eq!(read.json()["timeout_seconds"], 7);
    // The journal shows the form as the object it encodes, custom header values redacted.
    let entries = journal(gw.emulators["tariff"]).await;
    let body = &entries[0]["body"];
    assert_eq!(body["enabled_events"], json!(["invoice.paid"]), "{body}");
    assert_eq!(body["timeout_ms"], "7000", "{body}");
    assert_ne!(body["metadata"]["X-Env"], "prod", "{body}");

    // The vendor's own client: a form of any spelling of arrays, one event given once.
    let emu = gw.emulators["tariff"];
    for form in [
        "url=https%3A%2F%2Fexample.com%2Fb&enabled_events=charge.failed&disabled=true&timeout_ms=3000",
        "url=https%3A%2F%2Fexample.com%2Fb&enabled_events%5B%5D=charge.failed&disabled=true&timeout_ms=3000",
    ] {
        let made = send_raw(
            emu,
            "POST",
            "/v1/webhook_endpoints",
            &[BEARER, FORM],
            form.into(),
        )
        .await;
        ok(&made, 200, form);
        let e = made.json();
        assert_eq!(
            (
                e["enabled_events"].clone(),
                e["status"].clone(),
                e["timeout_ms"].clone()
            ),
            (json!(["charge.failed"]), json!("disabled"), json!(3000)),
            "{form}: {e}"
        );
        // Answers report the status; what requests are sent is theirs alone.
        assert_eq!(e.get("disabled"), None, "{e}");
    }
    // Text where the vendor holds a boolean is refused by name, as a JSON body is.
    let refused = send_raw(
        emu,
        "POST",
        "/v1/webhook_endpoints",
        &[BEARER, FORM],
        "url=https%3A%2F%2Fexample.com%2Fb&enabled_events%5B0%5D=a&disabled=maybe".into(),
    )
    .await;
    ok(&refused, 400, "a word for a boolean");
    assert_eq!(
        refused.json()["error"]["param"],
        "disabled",
        "{}",
        refused.json()
    );
    // A hostile form: a key nested thousands deep, an index of billions.
    let deep = format!("url=u&a{}=1", "%5Bb%5D".repeat(5_000));
    let refused = send_raw(
        emu,
        "POST",
        "/v1/webhook_endpoints",
        &[BEARER, FORM],
        deep.into(),
    )
    .await;
    ok(&refused, 400, "a key nested thousands deep");
    let far = "url=https%3A%2F%2Fexample.com%2Ff&enabled_events%5B4000000000%5D=a.b";
    let made = send_raw(
        emu,
        "POST",
        "/v1/webhook_endpoints",
        &[BEARER, FORM],
        far.into(),
    )
    .await;
    ok(&made, 200, "an index of billions");
    assert_eq!(made.json()["enabled_events"], json!(["a.b"]));
    // A JSON body to a vendor that takes forms.
    let json_body = send_raw(
        emu,
        "POST",
        "/v1/webhook_endpoints",
        &[BEARER, ("content-type", "application/json")],
        r#"{"url": "https://example.com/c", "enabled_events": ["a"]}"#.into(),
    )
    .await;
    ok(&json_body, 415, "JSON to a form vendor");
}

#[tokio::test]
async fn json_clients_and_form_clients_reach_each_other() {
    let gw = tariff_gateway().await;
    // A Relay client (JSON) in front of Tariff (forms).
    let hook = json!({"hook": {"target": {"url": "https://example.com/r", "timeout_ms": 4000,
                      "headers": [{"name": "X-A", "value": "1"}]}, "topics": ["invoice.paid"], "disabled": true}});
    let made = send(
        gw.addr,
        "POST",
        "/rt/api/projects/p1/hooks",
        &[BEARER],
        Some(&hook),
    )
    .await;
    ok(&made, 201, "a Relay client at Tariff");
    let id = made.json()["hook"]["hook_id"].as_str().unwrap().to_owned();
    let at_tariff = send(
        gw.emulators["tariff"],
        "GET",
        &format!("/v1/webhook_endpoints/{id}"),
        &[BEARER],
        None,
    )
    .await;
    ok(&at_tariff, 200, "the same endpoint at Tariff");
    let e = at_tariff.json();
    assert_eq!(
        (
            e["status"].clone(),
            e["timeout_ms"].clone(),
            e["enabled_events"].clone()
        ),
        (json!("disabled"), json!(4000), json!(["invoice.paid"])),
        "{e}"
    );

    // A Tariff client (forms) in front of Relay (JSON).
    let form = "url=https%3A%2F%2Fexample.com%2Ft&enabled_events%5B0%5D=a.b&enabled_events%5B1%5D=c.d\
                &disabled=false&timeout_ms=9000&description=Ops";
    let made = send_raw(
        gw.addr,
        "POST",
        "/tr/v1/webhook_endpoints",
        &[BEARER, FORM],
        form.into(),
    )
    .await;
    ok(&made, 200, "a Tariff client at Relay");
    let hook_id = made.json()["id"].as_str().unwrap().to_owned();
    let at_relay = send(
        gw.emulators["relay"],
        "GET",
        &format!("/api/projects/p1/hooks/{hook_id}"),
        &[BEARER],
        None,
    )
    .await;
    ok(&at_relay, 200, "the same hook at Relay");
    let h = at_relay.json()["hook"].clone();
    assert_eq!(
        (
            h["topics"].clone(),
            h["disabled"].clone(),
            h["target"]["timeout_ms"].clone(),
            h["label"].clone()
        ),
        (
            json!(["a.b", "c.d"]),
            json!(false),
            json!(9000),
            json!("Ops")
        ),
        "{h}"
    );
}

#[test]
fn form_arrays_need_a_form_and_write_as_two_directions() {
    let text = std::fs::read_to_string(format!("{DIR}/tariff.toml")).unwrap();
    let json = text.replace("request_body = \"form\"\n", "");
    let errors =
        hookgate::mapping::Dialect::compile("tariff", std::path::Path::new("tariff.toml"), &json)
            .unwrap_err();
    assert!(
        errors.iter().any(|e| e.key == "dialect.form_arrays"),
        "{errors:?}"
    );
    // A field answers alone carry has no requests' spelling.
    let one_way = text.replace(
        "default = \"enabled\"\n",
        "default = \"enabled\"\nin = [\"response\"]\n",
    );
    assert_ne!(one_way, text);
    let errors = hookgate::mapping::Dialect::compile(
        "tariff",
        std::path::Path::new("tariff.toml"),
        &one_way,
    )
    .unwrap_err();
    assert!(
        errors.iter().any(|e| e.key == "fields.enabled.write_as"),
        "{errors:?}"
    );
}

/// The form pairs the vendor is sent for the canonical `change`, its endpoint holding `X-Env`
/// and `X-Team` in its metadata: its reads answer the endpoint, however many are made.
async fn metadata_sent(change: Value) -> Vec<String> {
    let mut held = endpoint();
    held["metadata"] = json!({"X-Env": "prod", "X-Team": "billing"});
    let double = Double::answering(move |_| Reply::json(200, held.clone())).await;
    let gw = gateway_over(DIR, "tariff", &double).await;
    let patched = send(
        gw.addr,
        "PATCH",
        &format!("/v1/upstreams/tariff/webhooks/{ID}"),
        &[],
        Some(&change),
    )
    .await;
    ok(&patched, 200, &change.to_string());
    let seen = double.seen();
    let update = seen
        .iter()
        .find(|r| r.method == "POST")
        .unwrap_or_else(|| panic!("{change}: no update in {seen:?}"));
    let body = String::from_utf8(update.body.to_vec()).unwrap();
    body.split('&').map(str::to_owned).collect()
}

#[tokio::test]
async fn a_key_removed_from_the_metadata_is_sent_empty_and_alone() {
    // Never the map whole without the key, which a vendor that merges keys would keep.
    for (headers, pairs) in [
        (json!({"X-Env": null}), vec!["metadata%5BX-Env%5D="]),
        (json!({"x-env": null}), vec!["metadata%5BX-Env%5D="]),
        (
            json!({"X-Env": null, "X-New": "1"}),
            vec!["metadata%5BX-Env%5D=", "metadata%5BX-New%5D=1"],
        ),
        // Another letter case: the old spelling removed first, then the new one set.
        (
            json!({"X-ENV": "staging"}),
            vec!["metadata%5BX-Env%5D=", "metadata%5BX-ENV%5D=staging"],
        ),
        (json!({"X-Team": "ops"}), vec!["metadata%5BX-Team%5D=ops"]),
        // The whole map cleared: each key it holds, by name.
        (
            Value::Null,
            vec!["metadata%5BX-Env%5D=", "metadata%5BX-Team%5D="],
        ),
    ] {
        let sent = metadata_sent(json!({ "headers": headers })).await;
        assert_eq!(sent, pairs, "{headers}");
    }
}

#[tokio::test]
async fn a_key_given_empty_removes_that_key_alone() {
    let gw = tariff_gateway().await;
    let base = "/v1/upstreams/tariff/webhooks";
    let create = json!({"url": "https://example.com/a", "events": ["invoice.paid"],
                        "headers": {"X-Env": "prod", "X-Team": "billing", "X-Region": "eu"}});
    let made = send(gw.addr, "POST", base, &[], Some(&create)).await;
    ok(&made, 201, "create");
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let one = format!("{base}/{id}");
    // The canonical API, the vendor's own client at its emulator, and one at its surface in
    // front of a vendor of JSON: each removes the key it names and keeps the others.
    let patched = send(
        gw.addr,
        "PATCH",
        &one,
        &[],
        Some(&json!({"headers": {"X-Env": null}})),
    )
    .await;
    ok(&patched, 200, "a canonical removal");
    assert_eq!(
        patched.json()["headers"],
        json!({"X-Team": "billing", "X-Region": "eu"})
    );
    let emu = gw.emulators["tariff"];
    let at = format!("/v1/webhook_endpoints/{id}");
    for (form, left) in [
        ("metadata%5BX-Team%5D=", json!({"X-Region": "eu"})),
        (
            "metadata%5BX-Region%5D=&metadata%5BX-New%5D=1&description=Ops",
            json!({"X-New": "1"}),
        ),
    ] {
        let answer = send_raw(emu, "POST", &at, &[BEARER, FORM], form.into()).await;
        ok(&answer, 200, form);
        assert_eq!(answer.json()["metadata"], left, "{form}");
        let read = send(gw.addr, "GET", &one, &[], None).await;
        assert_eq!(read.json()["headers"], left, "{form}, read canonically");
    }

    let made = send_raw(
        gw.addr,
        "POST",
        "/tr/v1/webhook_endpoints",
        &[BEARER, FORM],
        "url=https%3A%2F%2Fexample.com%2Ft&enabled_events%5B0%5D=a.b\
         &metadata%5BX-A%5D=1&metadata%5BX-B%5D=2&metadata%5BX-C%5D=3"
            .into(),
    )
    .await;
    ok(&made, 200, "a Tariff client at Relay");
    let hook_id = made.json()["id"].as_str().unwrap().to_owned();
    let at = format!("/tr/v1/webhook_endpoints/{hook_id}");
    let at_relay = format!("/v1/upstreams/relay/owners/p1/webhooks/{hook_id}");
    for (form, left) in [
        ("metadata%5BX-A%5D=", json!({"X-B": "2", "X-C": "3"})),
        (
            "metadata%5BX-B%5D=&metadata%5BX-D%5D=4",
            json!({"X-C": "3", "X-D": "4"}),
        ),
        ("metadata=", json!({})),
    ] {
        let answer = send_raw(gw.addr, "POST", &at, &[BEARER, FORM], form.into()).await;
        ok(&answer, 200, form);
        let read = send(gw.addr, "GET", &at_relay, &[], None).await;
        ok(&read, 200, &at_relay);
        assert_eq!(read.json()["headers"], left, "{form}, at Relay");
    }
}

#[tokio::test]
async fn a_form_whose_bytes_are_no_utf8_is_refused_never_changed() {
    let gw = tariff_gateway().await;
    let emu = gw.emulators["tariff"];
    let made = "url=https%3A%2F%2Fexample.com%2Fa&enabled_events%5B%5D=invoice.paid";
    // At the emulator, and through a surface in front of a JSON vendor, in a value and in a
    // name; nothing is made of any.
    for (at, path, form) in [
        (
            emu,
            "/v1/webhook_endpoints",
            format!("{made}&description=caf%E9"),
        ),
        (
            gw.addr,
            "/tr/v1/webhook_endpoints",
            format!("{made}&description=%FF%FE"),
        ),
        (
            gw.addr,
            "/tr/v1/webhook_endpoints",
            format!("{made}&metadata%5B%C3%28%5D=x"),
        ),
    ] {
        let refused = send_raw(at, "POST", path, &[BEARER, FORM], form.clone().into()).await;
        assert_eq!(refused.status, 400, "{form}: {:?}", refused.body);
        let text = String::from_utf8_lossy(&refused.body).into_owned();
        assert!(text.contains("no UTF-8"), "{form}: {text}");
    }
    let listed = send(
        gw.addr,
        "GET",
        "/v1/upstreams/relay/owners/p1/webhooks",
        &[],
        None,
    )
    .await;
    assert_eq!(listed.json()["data"], json!([]), "{}", listed.json());
    let listed = send(gw.addr, "GET", "/v1/upstreams/tariff/webhooks", &[], None).await;
    assert_eq!(listed.json()["data"], json!([]), "{}", listed.json());
    // Text that is UTF-8 once decoded goes on as it is.
    let form = format!("{made}&description=caf%C3%A9");
    let made = send_raw(
        emu,
        "POST",
        "/v1/webhook_endpoints",
        &[BEARER, FORM],
        form.into(),
    )
    .await;
    ok(&made, 200, "a form of UTF-8");
    assert_eq!(made.json()["description"], "café");
    gw.stop().await;
}
