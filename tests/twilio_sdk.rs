//! twilio (9.13.0, installed from PyPI into a virtual environment the first time), Twilio's
//! Python SDK, a client nobody here wrote, driven by `tests/sdk/twilio_webhooks.py` against
//! `tests/dialects/parley.toml`, a vendor spelt as Twilio's conversation webhooks: HTTP Basic,
//! forms whose keys hold dots, an update that keeps what it does not name, lists read one to a
//! page by the SDK following each page's `next_page_url`, and refusals as Twilio's numbered
//! errors. Against its emulator, and through its surface in front of an emulator of another
//! vendor. Also what the gateway sends and reads of such a vendor, over a scripted double.

mod support;

use serde_json::{Map, Value, json};
use support::{Double, Reply, gateway, gateway_over, ok, send};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sdk/twilio_webhooks.py");
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
const CONVERSATION: &str = "CHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

async fn drive(base: String) -> Map<String, Value> {
    let python = support::sdk::python_with("twilio", "9.13.0");
    support::sdk::steps(python, SCRIPT, vec![base, CONVERSATION.to_owned()]).await
}

/// What every run must show, wherever the webhooks are kept.
fn the_sdk_saw_the_vendors_answers(steps: &Map<String, Value>) {
    let made = json!({"url": "https://example.com/hooks/1",
        "filters": ["onMessageAdded", "onConversationRemoved"], "target": "webhook"});
    assert_eq!(steps["create"], made);
    assert_eq!(steps["fetch"], made);
    let mut updated = made.clone();
    updated["url"] = json!("https://example.com/hooks/2");
    assert_eq!(steps["update"], updated);
    assert_eq!(steps["list"]["sids"], steps["list"]["made"], "{steps:?}");
    assert_eq!(
        steps["no url"],
        json!({"status": 400, "code": 20001,
            "message": "Unable to create record: Configuration.Url: is required"})
    );
    assert_eq!(steps["delete"], json!(true));
    assert_eq!(steps["missing"]["status"], 404);
    assert_eq!(steps["missing"]["code"], 20404);
}

#[tokio::test]
async fn the_sdk_works_against_the_emulator() {
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.parley]\ndialect = \"parley\"\nemulate = true\n"
    ))
    .await;
    let steps = drive(format!("http://{}", gw.emulators["parley"])).await;
    the_sdk_saw_the_vendors_answers(&steps);
    // A target other than a webhook is kept as the client named it.
    let trigger = support::send_raw(
        gw.emulators["parley"],
        "POST",
        &format!("/v1/Conversations/{CONVERSATION}/Webhooks"),
        &[
            ("authorization", "Basic QUNhOnRva2Vu"),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        bytes::Bytes::from(
            "Target=trigger&Configuration.Url=https%3A%2F%2Fexample.com%2Ft\
             &Configuration.Filters=onMessageAdded",
        ),
    )
    .await;
    ok(&trigger, 201, "a trigger");
    assert_eq!(trigger.json()["target"], "trigger");
    // A form holds text: a member its rule says is an integer is read as one.
    let replay = support::send_raw(
        gw.emulators["parley"],
        "POST",
        &format!("/v1/Conversations/{CONVERSATION}/Webhooks"),
        &[
            ("authorization", "Basic QUNhOnRva2Vu"),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        bytes::Bytes::from(
            "Target=webhook&Configuration.Url=https%3A%2F%2Fexample.com%2Fr&Configuration.ReplayAfter=5",
        ),
    )
    .await;
    ok(&replay, 201, "a webhook that replays");
    assert_eq!(replay.json()["configuration"]["replay_after"], 5);
}

#[tokio::test]
async fn the_sdk_works_through_its_surface_in_front_of_another_vendor() {
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [surfaces.parley]\ndialect = \"parley\"\nupstream = \"relay\"\nprefix = \"/parley\"\n"
    ))
    .await;
    let steps = drive(format!("http://{}/parley", gw.addr)).await;
    the_sdk_saw_the_vendors_answers(&steps);
    // What Relay keeps, under the conversation as its project.
    let hooks = support::relay_hooks(gw.emulators["relay"], CONVERSATION).await;
    assert_eq!(
        hooks[0]["target"]["url"], "https://example.com/hooks/3",
        "{hooks:?}"
    );
    // A target the canonical model has no place for is refused, not made a webhook (with
    // event types named, which a webhook of every type in front of Relay would need).
    let trigger = support::send_raw(
        gw.addr,
        "POST",
        &format!("/parley/v1/Conversations/{CONVERSATION}/Webhooks"),
        &[
            ("authorization", "Basic QUNhOnRva2Vu"),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        bytes::Bytes::from(
            "Target=trigger&Configuration.Url=https%3A%2F%2Fexample.com%2Ft\
             &Configuration.Filters=onMessageAdded",
        ),
    )
    .await;
    ok(&trigger, 400, "a trigger");
    assert_eq!(trigger.json()["code"], 20001);
    assert_eq!(
        trigger.json()["message"],
        "Target: not supported by upstream relay"
    );
}

#[tokio::test]
async fn the_gateway_writes_forms_with_dotted_keys_and_follows_next_page_urls() {
    let page = |sids: &[&str], next: Value| {
        let hooks: Vec<Value> = sids
            .iter()
            .map(|sid| {
                json!({"sid": sid, "account_sid": "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    "conversation_sid": CONVERSATION, "target": "webhook",
                    "url": format!("https://conversations.twilio.com/v1/Conversations/{CONVERSATION}/Webhooks/{sid}"),
                    "configuration": {"url": "https://example.com", "method": "POST",
                        "filters": ["onMessageSent"]},
                    "date_created": "2016-03-24T21:05:50Z", "date_updated": "2016-03-24T21:05:50Z"})
            })
            .collect();
        json!({"webhooks": hooks, "meta": {"page": 0, "page_size": 1, "key": "webhooks",
            "next_page_url": next, "previous_page_url": null}})
    };
    let next = format!(
        "https://conversations.twilio.com/v1/Conversations/{CONVERSATION}/Webhooks?PageSize=1&Page=1&PageToken=PAWHbbb"
    );
    let vendor = Double::start(vec![
        Reply::json(201, page(&["WHaaa"], Value::Null)["webhooks"][0].clone()),
        Reply::json(200, page(&["WHaaa"], json!(next))),
        Reply::json(200, page(&["WHbbb"], Value::Null)),
    ])
    .await;
    let gw = gateway_over(DIR, "parley", &vendor).await;
    let hooks = format!("/v1/upstreams/parley/owners/{CONVERSATION}/webhooks");
    let made = send(
        gw.addr,
        "POST",
        &hooks,
        &[],
        Some(&json!({"url": "https://example.com", "events": ["onMessageSent", "onMessageAdded"], "method": "POST"})),
    )
    .await;
    ok(&made, 201, "create");
    assert_eq!(made.json()["extensions"]["target"], "webhook");
    let first = send(gw.addr, "GET", &format!("{hooks}?limit=1"), &[], None).await;
    ok(&first, 200, "first page");
    assert_eq!(first.json()["next_cursor"], "PAWHbbb");
    let second = send(
        gw.addr,
        "GET",
        &format!("{hooks}?limit=1&cursor=PAWHbbb"),
        &[],
        None,
    )
    .await;
    ok(&second, 200, "second page");
    assert_eq!(second.json()["data"][0]["id"], "WHbbb");
    assert_eq!(second.json()["next_cursor"], Value::Null);
    let seen = vendor.seen();
    // The form as Twilio's own clients write it: dotted keys, a filter per key.
    let form = String::from_utf8_lossy(&seen[0].body).into_owned();
    assert_eq!(
        form,
        "Configuration.Url=https%3A%2F%2Fexample.com&Configuration.Filters=onMessageSent\
         &Configuration.Filters=onMessageAdded&Configuration.Method=POST&Target=webhook"
    );
    assert!(
        seen[0]
            .headers
            .get("content-type")
            .is_some_and(|v| v == "application/x-www-form-urlencoded")
    );
    assert_eq!(
        seen[2].path,
        format!("/v1/Conversations/{CONVERSATION}/Webhooks?PageSize=1&PageToken=PAWHbbb")
    );
}

#[test]
fn a_next_page_url_is_one_the_answer_places() {
    let text = std::fs::read_to_string(format!("{DIR}/parley.toml")).unwrap();
    let without = text.replacen(", next_page_url = \"{{next_cursor|null}}\"", "", 1);
    assert_ne!(text, without);
    let Err(errors) = hookgate::mapping::compile::compile(
        "parley",
        std::path::Path::new("parley.toml"),
        &without,
    ) else {
        panic!("loaded");
    };
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        shown.iter().any(|e| e.contains(
            "operations.list.next: `url` names the next page at `{{next_cursor}}` in the response"
        )),
        "{shown:?}"
    );
}
