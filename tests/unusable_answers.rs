//! A vendor's webhook that cannot be passed on as a canonical one: a value of a kind its field
//! cannot be, no id, an id no path can carry or outside the vendor's own format. Each is a 502
//! naming what the vendor sent, in a read, a list, a create and on a surface; an integer id is
//! its decimal text.

mod support;

use serde_json::{Value, json};
use support::{Double, Reply, gateway, send};

const OWNER: &str = "550e8400-e29b-41d4-a716-446655440000";

/// A gateway with upstream `c` of `dialect` in front of `double`, and a Talkover surface in
/// front of it under `/s`.
async fn gateway_over(dialect: &str, double: &Double) -> hookgate::app::Running {
    gateway(&format!(
        "[upstreams.c]\ndialect = \"{dialect}\"\nbase_url = {:?}\nauth = {{ type = \"none\" }}\n\
         retries = 0\n[surfaces.s]\ndialect = \"talkover\"\nupstream = \"c\"\nprefix = \"/s\"\n",
        double.url()
    ))
    .await
}

/// A Chirp webhook as its API answers one, with `changes` made to it (`null` takes a member
/// out).
fn chirp(changes: Value) -> Value {
    let mut webhook = json!({"id": "whk_1", "appId": OWNER, "url": "https://example.com/h",
        "events": ["MESSAGE_CREATED"], "headers": {"X-Team": "core"},
        "createdAt": "2021-08-01T00:00:00Z"});
    for (key, value) in changes.as_object().unwrap() {
        match value {
            Value::Null => webhook.as_object_mut().unwrap().remove(key),
            value => webhook
                .as_object_mut()
                .unwrap()
                .insert(key.clone(), value.clone()),
        };
    }
    webhook
}

/// Values a Chirp webhook's members cannot hold as canonical fields, and what the refusal says.
fn misread() -> Vec<(Value, &'static str)> {
    vec![
        (json!({"id": true}), "`id` is true, which is not a string"),
        (
            json!({"id": {"a": 1}}),
            "`id` is an object, which is not a string",
        ),
        (
            json!({"id": [7]}),
            "`id` is an array, which is not a string",
        ),
        (json!({"id": 1.5}), "`id` is 1.5, which is not a string"),
        (
            json!({"events": "MESSAGE_CREATED"}),
            r#"`events` is "MESSAGE_CREATED", which is not an array of strings"#,
        ),
        (
            json!({"events": [1, null]}),
            "`events` is an array whose item 0 is 1, which is not an array of strings",
        ),
        (
            json!({"events": ["A", {"b": 1}]}),
            "`events` is an array whose item 1 is an object",
        ),
        (json!({"events": 3}), "`events` is 3, which is not"),
        (json!({"url": 12}), "`url` is 12, which is not a string"),
        (
            json!({"url": false}),
            "`url` is false, which is not a string",
        ),
        (
            json!({"headers": [1, 2]}),
            "`headers` is an array, which is not an object of strings",
        ),
        (
            json!({"headers": {"X-Team": 1}}),
            r#"`headers` is an object whose "X-Team" is 1, which is not an object of strings"#,
        ),
        (
            json!({"createdAt": 1700000000}),
            "`created_at` is 1700000000, which is not an RFC 3339 date-time",
        ),
        (json!({"appId": {"id": 1}}), "`owner` is an object"),
        // No id at all: nothing a client could reach again.
        (json!({"id": null}), "a webhook that names no id"),
    ]
}

/// Ids no path can carry: the gateway answers 400 to each in a request's path.
const UNADDRESSABLE: &[&str] = &["", "a/b", "..", ".", "../../admin?x=1#f", "a\\b"];

fn refused(answer: &support::Answer, expected: &str, what: &str) -> Value {
    let problem = answer.json();
    assert_eq!(answer.status, 502, "{what}: {problem}");
    assert_eq!(problem["code"], "upstream_error", "{what}: {problem}");
    assert_eq!(
        answer.header("content-type"),
        Some("application/problem+json")
    );
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains(expected), "{what}: {detail}");
    assert!(
        detail.contains("upstream c sent a webhook"),
        "{what}: {detail}"
    );
    problem
}

#[tokio::test]
async fn a_fetched_webhook_holding_a_value_its_field_cannot_be_is_refused_by_name() {
    let cases = misread();
    let script = cases
        .iter()
        .map(|(changes, _)| Reply::json(200, chirp(changes.clone())))
        .chain([Reply::json(200, json!({"error": {"message": "nope"}}))])
        .collect();
    let double = Double::start(script).await;
    let gw = gateway_over("chirp", &double).await;
    let path = format!("/v1/upstreams/c/owners/{OWNER}/webhooks/whk_1");
    for (changes, expected) in &cases {
        let answer = send(gw.addr, "GET", &path, &[], None).await;
        let problem = refused(&answer, expected, &changes.to_string());
        assert!(problem.get("webhook").is_none(), "{problem}");
    }
    // A success holding what reads as an error: no webhook, answered as none.
    let answer = send(gw.addr, "GET", &path, &[], None).await;
    refused(
        &answer,
        "a webhook that names no id",
        "an error as a success",
    );
    gw.stop().await;
}

#[tokio::test]
async fn a_listed_webhook_holding_a_value_its_field_cannot_be_refuses_the_page() {
    let cases = misread();
    // The page in Chirp's envelope, read as its text is, and as a bare array, which Chirp's
    // file accepts too; the bad webhook after a good one.
    let script = cases
        .iter()
        .flat_map(|(changes, _)| {
            let items = json!([chirp(json!({})), chirp(changes.clone())]);
            [
                Reply::json(200, json!({"webhooks": items.clone(), "totalCount": 2})),
                Reply::json(200, items),
            ]
        })
        .collect();
    let double = Double::start(script).await;
    let gw = gateway_over("chirp", &double).await;
    let path = format!("/v1/upstreams/c/owners/{OWNER}/webhooks");
    for (changes, expected) in &cases {
        for shape in ["enveloped", "bare"] {
            let answer = send(gw.addr, "GET", &path, &[], None).await;
            refused(&answer, expected, &format!("{shape} {changes}"));
        }
    }
    gw.stop().await;
}

#[tokio::test]
async fn an_id_no_path_can_carry_is_refused_in_a_read_and_a_list() {
    let script = UNADDRESSABLE
        .iter()
        .flat_map(|id| {
            let webhook = chirp(json!({"id": id}));
            [
                Reply::json(200, webhook.clone()),
                Reply::json(200, json!({"webhooks": [webhook], "totalCount": 1})),
            ]
        })
        .collect();
    let double = Double::start(script).await;
    let gw = gateway_over("chirp", &double).await;
    let base = format!("/v1/upstreams/c/owners/{OWNER}/webhooks");
    for id in UNADDRESSABLE {
        let expected = format!("`id` is {}, which no path can carry", json!(id));
        let read = send(gw.addr, "GET", &format!("{base}/whk_1"), &[], None).await;
        refused(&read, &expected, id);
        let list = send(gw.addr, "GET", &base, &[], None).await;
        refused(&list, &expected, id);
    }
    gw.stop().await;
}

#[tokio::test]
async fn an_integer_id_is_its_decimal_text_in_a_read_a_list_and_a_create() {
    let ids = ["7", "0", "-3", "18446744073709551615"];
    let raw = |status: u16, body: Value, id: &str| Reply::Raw {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_string().replace("\"@id\"", id),
    };
    let script = ids
        .iter()
        .flat_map(|id| {
            let webhook = chirp(json!({"id": "@id"}));
            [
                raw(200, webhook.clone(), id),
                raw(
                    200,
                    json!({"webhooks": [webhook.clone()], "totalCount": 1}),
                    id,
                ),
                raw(201, webhook, id),
            ]
        })
        .collect();
    let double = Double::start(script).await;
    let gw = gateway_over("chirp", &double).await;
    let base = format!("/v1/upstreams/c/owners/{OWNER}/webhooks");
    let body = json!({"url": "https://example.com/h", "events": ["MESSAGE_CREATED"]});
    for id in ids {
        let read = send(gw.addr, "GET", &format!("{base}/{id}"), &[], None).await;
        support::ok(&read, 200, id);
        assert_eq!(read.json()["id"], id);
        let list = send(gw.addr, "GET", &base, &[], None).await;
        support::ok(&list, 200, id);
        assert_eq!(list.json()["data"][0]["id"], id);
        let made = send(gw.addr, "POST", &base, &[], Some(&body)).await;
        support::ok(&made, 201, id);
        assert_eq!(made.json()["id"], id);
        assert_eq!(
            made.header("location"),
            Some(format!("{base}/{id}").as_str())
        );
    }
    gw.stop().await;
}

#[tokio::test]
async fn an_integer_id_beyond_64_bits_is_kept_exactly_or_refused_never_rounded() {
    let webhook = chirp(json!({"id": "@id"}));
    let raw = |body: Value| Reply::Raw {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body
            .to_string()
            .replace("\"@id\"", "123456789012345678901234567890"),
    };
    let double = Double::start(vec![
        raw(webhook.clone()),
        raw(json!({"webhooks": [webhook], "totalCount": 1})),
    ])
    .await;
    let gw = gateway_over("chirp", &double).await;
    let base = format!("/v1/upstreams/c/owners/{OWNER}/webhooks");
    // A webhook read as its text is: the vendor's digits.
    let read = send(
        gw.addr,
        "GET",
        &format!("{base}/123456789012345678901234567890"),
        &[],
        None,
    )
    .await;
    support::ok(&read, 200, "read");
    assert_eq!(read.json()["id"], "123456789012345678901234567890");
    // Chirp's list, whose items have two possible places, is parsed whole, where such an
    // integer is held as the nearest double: its digits are not the vendor's, and the id is
    // refused rather than made up, or quoted in digits the vendor never wrote.
    let list = send(gw.addr, "GET", &base, &[], None).await;
    let problem = refused(
        &list,
        "`id` is a number beyond 64 bits, which is not one whose digits are kept where this answer is read whole",
        "list",
    );
    assert!(!problem.to_string().contains("e+29"), "{problem}");
    gw.stop().await;
}

#[tokio::test]
async fn a_create_answered_with_an_id_no_path_can_carry_says_what_it_made() {
    let mut answers: Vec<(Value, String)> = UNADDRESSABLE
        .iter()
        .map(|id| {
            let expected = format!("`id` is {}, which no path can carry", json!(id));
            (chirp(json!({"id": id})), expected)
        })
        .collect();
    // Made, with a value that cannot be passed on: its id is named all the same.
    answers.push((
        chirp(json!({"id": "whk_9", "url": 12})),
        "`url` is 12, which is not a string".to_owned(),
    ));
    let script = answers
        .iter()
        .map(|(answer, _)| Reply::json(201, answer.clone()))
        .collect();
    let double = Double::start(script).await;
    let gw = gateway_over("chirp", &double).await;
    let base = format!("/v1/upstreams/c/owners/{OWNER}/webhooks");
    let body = json!({"url": "https://example.com/h", "events": ["MESSAGE_CREATED"]});
    for (answered, expected) in &answers {
        let answer = send(gw.addr, "POST", &base, &[], Some(&body)).await;
        let problem = refused(&answer, expected, &answered.to_string());
        assert!(answer.header("location").is_none(), "{problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains("the change was made at upstream c"),
            "{detail}"
        );
        assert!(detail.contains("was created"), "{detail}");
        assert!(!detail.contains("changed in part"), "{detail}");
        assert_eq!(problem["webhook"]["id"], answered["id"], "{problem}");
    }
    assert_eq!(double.seen().len(), answers.len(), "each create sent once");
    gw.stop().await;
}

#[tokio::test]
async fn an_id_outside_the_vendors_own_format_is_refused() {
    // Talkover's ids are UUIDs: a client's other id is a 404 before any call, so a vendor's is
    // one its client could never name again.
    let webhook = |id: &str| {
        json!({"id": id, "agent_id": OWNER, "name": "n", "webhook_url": "https://example.com/h",
            "events": ["event_phone_call_started"], "enabled": true})
    };
    let ids = ["w1", "1", "0199a1b2-0000-7000-8000-00000000000"];
    let script = ids
        .iter()
        .flat_map(|id| {
            [
                Reply::json(200, json!({"success": true, "data": webhook(id)})),
                Reply::json(
                    200,
                    json!({"success": true, "data": {"webhooks": [webhook(id)]}}),
                ),
            ]
        })
        .collect();
    let double = Double::start(script).await;
    let gw = gateway_over("talkover", &double).await;
    let base = format!("/v1/upstreams/c/owners/{OWNER}/webhooks");
    for id in ids {
        let expected = format!("`id` is \"{id}\", which is not a UUID");
        let path = format!("{base}/0199a1b2-0000-7000-8000-000000000001");
        let read = send(gw.addr, "GET", &path, &[], None).await;
        refused(&read, &expected, id);
        let list = send(gw.addr, "GET", &base, &[], None).await;
        refused(&list, &expected, id);
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_webhook_read_as_its_text_is_held_to_the_same_kinds() {
    // Talkover's webhooks, alone and listed, are read while their text is scanned.
    let webhook = |changes: Value| {
        let mut webhook = json!({"id": "0199a1b2-0000-7000-8000-000000000001", "agent_id": OWNER,
            "name": "n", "webhook_url": "https://example.com/h",
            "events": ["event_action"], "timeout": 30, "max_retries": 3, "enabled": true});
        for (key, value) in changes.as_object().unwrap() {
            webhook[key] = value.clone();
        }
        webhook
    };
    let cases = [
        (
            json!({"webhook_url": 12}),
            "`url` is 12, which is not a string",
        ),
        (
            json!({"events": "event_action"}),
            r#"`events` is "event_action", which is not an array of strings"#,
        ),
        (
            json!({"events": ["event_action", 1]}),
            "`events` is an array whose item 1 is 1",
        ),
        (
            json!({"enabled": "yes"}),
            r#"`enabled` is "yes", which is not a boolean"#,
        ),
        (
            json!({"max_retries": 1.5}),
            "`max_retries` is 1.5, which is not an integer",
        ),
        (
            json!({"timeout": "30"}),
            r#"`timeout_seconds` is "30", which is not an integer"#,
        ),
        (
            json!({"name": 5}),
            "`description` is 5, which is not a string",
        ),
        // A codec's value, of the vendor's making.
        (
            json!({"custom_headers": [{"key": "X-Team", "value": 1}]}),
            r#"`headers` is an object whose "X-Team" is 1"#,
        ),
        // An integer id is its decimal text, which is no UUID.
        (json!({"id": 7}), r#"`id` is "7", which is not a UUID"#),
    ];
    let script = cases
        .iter()
        .flat_map(|(changes, _)| {
            let webhook = webhook(changes.clone());
            [
                Reply::json(200, json!({"success": true, "data": webhook.clone()})),
                Reply::json(
                    200,
                    json!({"success": true, "data": {"webhooks": [webhook]}}),
                ),
            ]
        })
        .collect();
    let double = Double::start(script).await;
    let gw = gateway_over("talkover", &double).await;
    let base = format!("/v1/upstreams/c/owners/{OWNER}/webhooks");
    for (changes, expected) in &cases {
        let path = format!("{base}/0199a1b2-0000-7000-8000-000000000001");
        let read = send(gw.addr, "GET", &path, &[], None).await;
        refused(&read, expected, &changes.to_string());
        let list = send(gw.addr, "GET", &base, &[], None).await;
        refused(&list, expected, &changes.to_string());
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_surface_answers_such_a_webhook_as_its_vendor_answers_a_failure() {
    let cases = [
        (
            chirp(json!({"events": "MESSAGE_CREATED"})),
            r#"`events` is "MESSAGE_CREATED", which is not an array of strings"#.to_owned(),
        ),
        (
            chirp(json!({"id": {"a": 1}})),
            "`id` is an object".to_owned(),
        ),
        (
            chirp(json!({"id": "a/b"})),
            "`id` is \"a/b\", which no path can carry".to_owned(),
        ),
        (
            chirp(json!({"url": 12})),
            "`url` is 12, which is not a string".to_owned(),
        ),
    ];
    let script = cases
        .iter()
        .flat_map(|(webhook, _)| {
            [
                Reply::json(200, webhook.clone()),
                Reply::json(200, json!({"webhooks": [webhook], "totalCount": 1})),
            ]
        })
        .collect();
    let double = Double::start(script).await;
    let gw = gateway_over("chirp", &double).await;
    let base = format!("/s/api/v1/agents/{OWNER}/webhooks");
    let bearer = [("authorization", "Bearer t")];
    for (webhook, expected) in &cases {
        for path in [format!("{base}/whk_1"), base.clone()] {
            let answer = send(gw.addr, "GET", &path, &bearer, None).await;
            let body = answer.json();
            assert_eq!(answer.status, 502, "{webhook} {path}: {body}");
            // Talkover's own failure shape.
            assert_eq!(body["success"], false, "{body}");
            let message = body["message"].as_str().unwrap();
            assert!(message.contains(expected.as_str()), "{path}: {message}");
        }
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_listed_item_that_is_no_webhook_refuses_the_page() {
    // After a good webhook, an item that is no object: Chirp's pages are read whole,
    // Talkover's while their text is scanned; neither answers the page without it.
    let talkover = json!({"id": "0199a1b2-0000-7000-8000-000000000001", "agent_id": OWNER,
        "name": "n", "webhook_url": "https://example.com/h", "events": ["event_action"]});
    let odd = [
        (json!(7), "item 2 is no webhook but a number"),
        (json!("str"), "item 2 is no webhook but a string"),
        (json!(null), "item 2 is no webhook but null"),
        (json!([1]), "item 2 is no webhook but an array"),
        (json!(false), "item 2 is no webhook but a boolean"),
    ];
    for (dialect, page) in [
        (
            "chirp",
            Box::new(|item: &Value| json!({"webhooks": [chirp(json!({})), item], "totalCount": 2}))
                as Box<dyn Fn(&Value) -> Value>,
        ),
        (
            "talkover",
            Box::new(
                |item: &Value| json!({"success": true, "data": {"webhooks": [talkover.clone(), item]}}),
            ),
        ),
    ] {
        let script = odd
            .iter()
            .map(|(item, _)| Reply::json(200, page(item)))
            .collect();
        let double = Double::start(script).await;
        let gw = gateway_over(dialect, &double).await;
        let path = format!("/v1/upstreams/c/owners/{OWNER}/webhooks");
        for (item, expected) in &odd {
            let answer = send(gw.addr, "GET", &path, &[], None).await;
            let problem = answer.json();
            assert_eq!(answer.status, 502, "{dialect} {item}: {problem}");
            assert_eq!(
                problem["code"], "upstream_error",
                "{dialect} {item}: {problem}"
            );
            let detail = problem["detail"].as_str().unwrap();
            assert!(detail.contains(expected), "{dialect} {item}: {detail}");
        }
        gw.stop().await;
    }
}

#[tokio::test]
async fn an_integer_ids_surface_never_shows_another_vendors_id_as_another_number() {
    // Resemble's ids are integers; Chirp's are text, of which `007` and `7` are two webhooks.
    let list = json!({"webhooks": [chirp(json!({"id": "007"})), chirp(json!({"id": "7"}))],
        "totalCount": 2});
    let double = Double::answering(move |_| Reply::json(200, list.clone())).await;
    let gw = support::gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.c]\ndialect = \"chirp\"\nbase_url = {:?}\n\
         auth = {{ type = \"none\" }}\nretries = 0\n[url_policy]\nallow_private = true\n\
         [surfaces.r]\ndialect = \"resemble\"\nupstream = \"c\"\nprefix = \"/r\"\n",
        support::MAPPINGS,
        double.url()
    ))
    .await;
    let path = format!("/r/api/v2/agents/{OWNER}/webhooks");
    let answer = send(
        gw.addr,
        "GET",
        &path,
        &[("authorization", "Bearer t")],
        None,
    )
    .await;
    let text = String::from_utf8_lossy(&answer.body).into_owned();
    assert_eq!(answer.status, 200, "{text}");
    let ids: Vec<Value> = (answer.json()["items"].as_array().unwrap().iter())
        .map(|w| w["id"].clone())
        .collect();
    // The one an integer writes as it is, the other as its text, as the codec reads it back.
    assert_eq!(ids, vec![json!("007"), json!(7)], "{text}");
    gw.stop().await;
}
