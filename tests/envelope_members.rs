//! Members an envelope keeps beside the webhook's in one object (`$spread` beside others:
//! Microsoft Graph's `"@odata.context"`, a request id, a `$switch`) are the envelope's, never
//! the webhook's. Read from a vendor's answer, they are read past, so that one webhook shows
//! the same extensions whether it was read alone or in a list; written by emulators and
//! surfaces, they are there; sent by a surface's client in a body, they are no unknown
//! members. Over a test-local copy of `tests/dialects/squeeze.toml` (a JSON:API vendor whose
//! `type` a rule reads), a scripted vendor, its emulator, and a surface of it.

mod support;

use serde_json::{Value, json};
use support::{Double, Reply, dialects_with, gateway, gateway_over, ok, send};

const TYPE: &str = "application/vnd.api+json";
const CONTEXT: &str = "https://api.example.com/v1/$metadata#webhooks/$entity";

/// The envelope's members beside the webhook's, in each spelling: text, a number, a boolean,
/// an object of text and placeholders, a placeholder, a `$switch`; and `type`, which a rule
/// reads.
const SPREAD: &str = r#"data = { "$spread" = "{{webhook}}", type = "webhooks", "@odata.context" = "https://api.example.com/v1/$metadata#webhooks/$entity", version = 2, live = true, meta = { served_by = "api", op = "{{operation}}" }, request = "{{request_id}}", via = { "$switch" = "operation", create = "made", "$default" = "read" } }"#;

/// The test dialects with squeeze's get and create answering the webhook beside the
/// envelope's members, and `more` edits.
fn enveloped(more: &[(&str, &str, &str)]) -> tempfile::TempDir {
    let get = format!("path = \"/webhooks/{{id}}\"\nresponse = {{ {SPREAD} }}");
    let create = format!("status = 201\nresponse = {{ {SPREAD} }}");
    let mut edits = vec![
        (
            "squeeze",
            "path = \"/webhooks/{id}\"\nresponse = { data = \"{{webhook}}\" }",
            get.as_str(),
        ),
        (
            "squeeze",
            "status = 201\nresponse = { data = \"{{webhook}}\" }",
            create.as_str(),
        ),
    ];
    edits.extend_from_slice(more);
    dialects_with(&edits)
}

/// Webhook 1 as the vendor answers it, with `beside` in its object.
fn answered(beside: Value) -> Value {
    let mut data = json!({
        "type": "webhooks",
        "id": "1",
        "attributes": {
            "store_id": 1,
            "url": "https://mysite.com/webhooks/",
            "events": ["order_created"],
            "created_at": "2022-06-07T08:32:47.000000Z",
            "updated_at": "2022-06-07T08:32:47.000000Z",
            "test_mode": false
        }
    });
    for (k, v) in beside.as_object().unwrap() {
        data[k] = v.clone();
    }
    json!({"data": data})
}

/// What the vendor answers beside the webhook, as its envelope spells it.
fn envelope(via: &str, op: &str) -> Value {
    json!({"@odata.context": CONTEXT, "version": 2, "live": true,
        "meta": {"served_by": "api", "op": op}, "request": "req_9", "via": via})
}

#[tokio::test]
async fn an_answers_own_members_beside_the_webhook_are_not_its_extensions() {
    let dir = enveloped(&[]);
    let listed = answered(json!({}));
    // A get answered with a key repeated in the webhook's object is read whole: both ways of
    // reading an answer read the envelope's members past.
    let repeated = {
        let text = serde_json::to_string(&answered(envelope("read", "get"))).unwrap();
        text.replacen(
            "\"attributes\":",
            "\"attributes\":{\"url\":\"https://old.example.com\"},\"attributes\":",
            1,
        )
    };
    let vendor = Double::start(vec![
        Reply::json(201, answered(envelope("made", "create"))),
        Reply::json(200, answered(envelope("read", "get"))),
        Reply::Raw {
            status: 200,
            headers: vec![("content-type".into(), TYPE.into())],
            body: repeated,
        },
        Reply::json(200, json!({"data": [listed["data"]]})),
    ])
    .await;
    let gw = gateway_over(dir.path().to_str().unwrap(), "squeeze", &vendor).await;
    let hooks = "/v1/upstreams/squeeze/owners/1/webhooks";
    let made = send(
        gw.addr,
        "POST",
        hooks,
        &[],
        Some(&json!({"url": "https://mysite.com/webhooks/", "events": ["order_created"]})),
    )
    .await;
    ok(&made, 201, "create");
    let read = send(gw.addr, "GET", &format!("{hooks}/1"), &[], None).await;
    ok(&read, 200, "get");
    let read_whole = send(gw.addr, "GET", &format!("{hooks}/1"), &[], None).await;
    ok(&read_whole, 200, "get read whole");
    let list = send(gw.addr, "GET", hooks, &[], None).await;
    ok(&list, 200, "list");
    let item = list.json()["data"][0].clone();
    // The member a rule reads is the webhook's, and so are the vendor's own members (its
    // `test_mode`), however it is read; the envelope's are not.
    assert_eq!(
        item["extensions"],
        json!({"type": "webhooks", "attributes.test_mode": false}),
        "{item}"
    );
    for (what, answer) in [
        ("create", &made),
        ("get", &read),
        ("get whole", &read_whole),
    ] {
        let webhook = answer.json();
        assert_eq!(
            webhook["extensions"], item["extensions"],
            "{what}: {webhook}"
        );
        assert_eq!(webhook["url"], "https://mysite.com/webhooks/", "{what}");
    }
    // The vendor was sent its own create body: the envelope's members are no webhook's to
    // send.
    let sent = vendor.seen()[0].json().unwrap();
    assert_eq!(sent["data"]["type"], "webhooks", "{sent}");
    assert!(sent["data"].get("@odata.context").is_none(), "{sent}");
}

#[tokio::test]
async fn a_rule_that_reads_inside_an_envelopes_member_keeps_the_vendors_others_there() {
    // `meta.served_by` is read by a rule: `meta` is the webhook's to look into, and the
    // envelope's `meta.op` alone is read past; a member of `meta` neither spells is the
    // vendor's own.
    let dir = enveloped(&[(
        "squeeze",
        "[fields.url]",
        "[fields.\"extensions.served_by\"]\npath = \"$.meta.served_by\"\nin = [\"response\"]\n\n[fields.url]",
    )]);
    let mut beside = envelope("read", "get");
    beside["meta"]["region"] = json!("eu");
    let vendor = Double::start(vec![Reply::json(200, answered(beside))]).await;
    let gw = gateway_over(dir.path().to_str().unwrap(), "squeeze", &vendor).await;
    let read = send(
        gw.addr,
        "GET",
        "/v1/upstreams/squeeze/owners/1/webhooks/1",
        &[],
        None,
    )
    .await;
    ok(&read, 200, "get");
    assert_eq!(
        read.json()["extensions"],
        json!({"served_by": "api", "type": "webhooks", "attributes.test_mode": false, "meta.region": "eu"}),
        "{}",
        read.json()
    );
}

#[tokio::test]
async fn emulators_and_surfaces_write_the_envelopes_members_and_read_them_past() {
    let dir = enveloped(&[]);
    let at = dir.path().to_str().unwrap();
    let gw = gateway(&format!(
        "mappings_dir = {at:?}\n[upstreams.squeeze]\ndialect = \"squeeze\"\nemulate = true\n\
         [upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [surfaces.squeeze]\ndialect = \"squeeze\"\nupstream = \"relay\"\nprefix = \"/sq\"\nowner = \"1\"\n"
    ))
    .await;
    let bearer = [("authorization", "Bearer t"), ("content-type", TYPE)];
    for (at, prefix) in [(gw.emulators["squeeze"], ""), (gw.addr, "/sq")] {
        let hooks = format!("{prefix}/v1/webhooks");
        let create = json!({"data": {"type": "webhooks",
            "attributes": {"url": "https://mysite.com/webhooks/", "events": ["order_created"]},
            "relationships": {"store": {"data": {"type": "stores", "id": "1"}}}}});
        let made = send(at, "POST", &hooks, &bearer, Some(&create)).await;
        ok(&made, 201, &hooks);
        let data = made.json()["data"].clone();
        let id = data["id"].as_str().unwrap().to_owned();
        let read = send(at, "GET", &format!("{hooks}/{id}"), &bearer, None).await;
        ok(&read, 200, "get");
        let shown = read.json()["data"].clone();
        for (what, data, op, via) in [
            ("create", &data, "create", "made"),
            ("get", &shown, "get", "read"),
        ] {
            assert_eq!(data["type"], "webhooks", "{hooks} {what}: {data}");
            assert_eq!(data["@odata.context"], CONTEXT, "{hooks} {what}: {data}");
            assert_eq!(data["version"], 2, "{hooks} {what}: {data}");
            assert_eq!(data["live"], true, "{hooks} {what}: {data}");
            assert_eq!(
                data["meta"],
                json!({"served_by": "api", "op": op}),
                "{hooks} {what}"
            );
            assert_eq!(data["via"], via, "{hooks} {what}: {data}");
            assert!(
                data["request"].as_str().is_some_and(|r| !r.is_empty()),
                "{data}"
            );
            assert_eq!(data["attributes"]["url"], "https://mysite.com/webhooks/");
        }
    }
    // The gateway reads the emulator's answers: the envelope's members are no extension.
    let hooks = "/v1/upstreams/squeeze/owners/1/webhooks";
    let made = send(
        gw.addr,
        "POST",
        hooks,
        &[],
        Some(&json!({"url": "https://mysite.com/b", "events": ["order_created"]})),
    )
    .await;
    ok(&made, 201, "canonical create");
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let read = send(gw.addr, "GET", &format!("{hooks}/{id}"), &[], None).await;
    ok(&read, 200, "canonical get");
    let list = send(gw.addr, "GET", hooks, &[], None).await;
    ok(&list, 200, "canonical list");
    let item = list.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == id.as_str())
        .cloned()
        .unwrap();
    for (what, webhook) in [
        ("create", made.json()),
        ("get", read.json()),
        ("list", item),
    ] {
        assert_eq!(
            webhook["extensions"],
            json!({"type": "webhooks"}),
            "{what}: {webhook}"
        );
    }
}

/// A create body of squeeze's that keeps members of its own beside the webhook's, and a
/// vendor that refuses members it does not know.
fn refusing() -> tempfile::TempDir {
    dialects_with(&[
        (
            "squeeze",
            "media_type = \"application/vnd.api+json\"",
            "media_type = \"application/vnd.api+json\"\nunknown_members = \"refused\"",
        ),
        (
            "squeeze",
            "body = { data = { \"$spread\" = \"{{webhook}}\", type = \"webhooks\" } }",
            "body = { data = { \"$spread\" = \"{{webhook}}\", type = \"webhooks\", \"@odata.type\" = \"#webhook\", version = 2, live = true, meta = { source = \"api\", via = \"web\" } } }",
        ),
    ])
}

#[tokio::test]
async fn a_clients_body_may_hold_the_envelopes_members_beside_the_webhook() {
    let dir = refusing();
    let at = dir.path().to_str().unwrap();
    let gw = gateway(&format!(
        "mappings_dir = {at:?}\n[upstreams.squeeze]\ndialect = \"squeeze\"\nemulate = true\n\
         [upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [surfaces.squeeze]\ndialect = \"squeeze\"\nupstream = \"relay\"\nprefix = \"/sq\"\nowner = \"1\"\n"
    ))
    .await;
    let bearer = [("authorization", "Bearer t"), ("content-type", TYPE)];
    let body = |data: Value| {
        let mut create = json!({"data": {"type": "webhooks",
            "attributes": {"url": "https://mysite.com/webhooks/", "events": ["order_created"]},
            "relationships": {"store": {"data": {"type": "stores", "id": "1"}}}}});
        for (k, v) in data.as_object().unwrap() {
            create["data"][k] = v.clone();
        }
        create
    };
    for (at, prefix) in [(gw.emulators["squeeze"], ""), (gw.addr, "/sq")] {
        let hooks = format!("{prefix}/v1/webhooks");
        // Each of the envelope's members, alone and together, as the envelope spells them.
        for members in [
            json!({"@odata.type": "#webhook"}),
            json!({"version": 2}),
            json!({"live": true}),
            json!({"meta": {"source": "api"}}),
            json!({"meta": {"via": "web", "source": "api"}}),
            json!({"@odata.type": "#webhook", "version": 2, "live": true, "meta": {}}),
        ] {
            let made = send(at, "POST", &hooks, &bearer, Some(&body(members.clone()))).await;
            ok(&made, 201, &format!("{hooks} {members}"));
        }
        // Spelt otherwise, they say the body is another than the one the vendor takes: a
        // conflict, naming each.
        for (members, named) in [
            (
                json!({"live": false}),
                vec!["data.live: must be `true`, not `false`"],
            ),
            (
                json!({"meta": {"via": "cli", "source": "cli"}}),
                vec![
                    "data.meta.source: must be `api`, not `cli`",
                    "data.meta.via: must be `web`, not `cli`",
                ],
            ),
            (
                json!({"@odata.type": "#hook", "version": 3}),
                vec![
                    "data.@odata.type: must be `#webhook`, not `#hook`",
                    "data.version: must be `2`, not `3`",
                ],
            ),
        ] {
            let refused = send(at, "POST", &hooks, &bearer, Some(&body(members.clone()))).await;
            ok(&refused, 409, &format!("{hooks} {members}"));
            let detail = refused.json()["errors"][0]["detail"].clone();
            assert_eq!(detail, json!(named.join("; ")), "{hooks} {members}");
        }
        // What neither the envelope nor a rule names is refused by its place, inside the
        // envelope's object member too.
        for (members, named) in [
            (json!({"colour": "red"}), "colour"),
            (json!({"meta": {"source": "api", "extra": 1}}), "meta.extra"),
            (json!({"@odata.type": "#webhook", "odata": 1}), "odata"),
        ] {
            let refused = send(at, "POST", &hooks, &bearer, Some(&body(members.clone()))).await;
            ok(&refused, 422, &format!("{hooks} {members}"));
            let details: Vec<Value> = refused.json()["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["detail"].clone())
                .collect();
            assert_eq!(
                details,
                [json!(format!("`{named}` is not a member this API takes"))],
                "{hooks} {members}"
            );
        }
    }
}
