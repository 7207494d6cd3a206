//! Placeholders read back through a `$switch`: a list whose next page is an object on a page
//! with more and `null` on the last (Asana's `next_page`), written with a `$switch` on
//! `has_more`, is read where the case that places `{{next_cursor}}` puts it, by the gateway
//! (`hookgate translate`, an emulator behind the canonical API) and written so by emulators
//! and surfaces. A file whose `$switch` leaves a reader no one place to read a placeholder
//! at (its cases place it at two, or another case writes something else there) is refused
//! when it loads, rather than a page lost or a cursor made up.

mod support;

use serde_json::{Value, json};
use support::{dialects_with, gateway, ok, send};

const BEARER: (&str, &str) = ("authorization", "Bearer t");

/// Desk's list (`tests/dialects/desk.toml`), paged by a position it computes.
const DESK_LIST: &str = "next = \"offset\"\nresponse = { data = \"{{items}}\" }";

/// Desk's list as Asana answers its own: the next page's offset in an object on a page with
/// more, `null` on the last.
const SWITCHED: &str = "response = { data = \"{{items}}\", next_page = { \"$switch\" = \"has_more\", \"true\" = { offset = \"{{next_cursor}}\" }, \"false\" = \"{{null}}\" } }";

/// The same list answer, spelt other ways that place the cursor only through a `$switch`.
const SPELLINGS: &[&str] = &[
    SWITCHED,
    // The last page's case left to `$default`.
    "response = { data = \"{{items}}\", next_page = { \"$switch\" = \"has_more\", \"true\" = { offset = \"{{next_cursor}}\" }, \"$default\" = \"{{null}}\" } }",
    // Switched on `done`, the last page's case writing nothing.
    "response = { data = \"{{items}}\", next_page = { \"$switch\" = \"done\", \"false\" = { offset = \"{{next_cursor}}\" } } }",
    // The whole envelope switched, its items in both cases at one place.
    "response = { \"$switch\" = \"has_more\", \"true\" = { data = \"{{items}}\", next_page = { offset = \"{{next_cursor}}\" } }, \"false\" = { data = \"{{items}}\", next_page = \"{{null}}\" } }",
];

fn config(dir: &std::path::Path, upstream: &str) -> String {
    format!(
        "mappings_dir = {:?}\n[inbound_auth]\nmode = \"off\"\n{upstream}",
        dir.to_str().unwrap()
    )
}

fn hook(gid: &str) -> Value {
    json!({"gid": gid, "workspace": "ws1", "target": "https://example.com/h", "filters": ["task.added"], "active": true})
}

/// The canonical page `hookgate translate` gives of a vendor's list answer `answer`.
fn translated_page(dir: &std::path::Path, answer: &Value) -> Value {
    let file = dir.join("answer.json");
    std::fs::write(&file, answer.to_string()).unwrap();
    let (shown, _) = support::translated(
        &config(
            dir,
            "[upstreams.desk]\ndialect = \"desk\"\nbase_url = \"https://desk.vendor.test\"\nauth = { type = \"none\" }\n",
        ),
        &[
            "--upstream",
            "desk",
            "--owner",
            "ws1",
            "GET",
            "/webhooks?limit=2",
            "--response",
            "200",
            "--response-body",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(shown["result"]["status"], 200, "{shown}");
    shown["result"]["body"].clone()
}

#[test]
fn a_cursor_placed_through_a_switch_is_read_where_the_vendor_gives_it() {
    for spelling in SPELLINGS {
        let dir = dialects_with(&[("desk", DESK_LIST, spelling)]);
        let more = json!({"data": [hook("wh_1"), hook("wh_2")], "next_page": {"offset": "eyJvIjoyfQ", "path": "/webhooks?offset=eyJvIjoyfQ", "uri": "https://desk.vendor.test/api/1.0/webhooks?offset=eyJvIjoyfQ"}});
        let page = translated_page(dir.path(), &more);
        assert_eq!(page["next_cursor"], "eyJvIjoyfQ", "{spelling}: {page}");
        assert_eq!(page["data"].as_array().unwrap().len(), 2, "{spelling}");
        // A number is a cursor too, as where no `$switch` stands.
        let numbered = json!({"data": [hook("wh_1")], "next_page": {"offset": 40}});
        assert_eq!(
            translated_page(dir.path(), &numbered)["next_cursor"],
            "40",
            "{spelling}"
        );
        // The last page: `null`, or nothing, where the cursor's object would be.
        for last in [
            json!({"data": [hook("wh_3")], "next_page": null}),
            json!({"data": [hook("wh_3")]}),
        ] {
            let page = translated_page(dir.path(), &last);
            assert_eq!(page["next_cursor"], Value::Null, "{spelling}: {last}");
            assert_eq!(page["data"][0]["id"], "wh_3", "{spelling}");
        }
    }
}

#[tokio::test]
async fn an_emulator_writes_and_the_gateway_reads_a_next_page_that_is_null_on_the_last() {
    let dir = dialects_with(&[("desk", DESK_LIST, SWITCHED)]);
    let gw = gateway(&config(
        dir.path(),
        "[upstreams.desk]\ndialect = \"desk\"\nemulate = true\n\
         [upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [surfaces.over-relay]\ndialect = \"desk\"\nupstream = \"relay\"\nprefix = \"/over-relay\"\nowner = \"p1\"\n",
    ))
    .await;
    let base = "/v1/upstreams/desk/owners/ws1/webhooks";
    let mut made = Vec::new();
    for i in 0..3 {
        let body = json!({"url": format!("https://example.com/{i}"), "events": ["task.added"]});
        let created = send(gw.addr, "POST", base, &[], Some(&body)).await;
        ok(&created, 201, "create");
        made.push(created.json()["id"].as_str().unwrap().to_owned());
    }
    // The emulator, as Asana answers: an object on a page with more, `null` on the last.
    let emulator = gw.emulators["desk"];
    let first = send(
        emulator,
        "GET",
        "/api/1.0/webhooks?workspace=ws1&limit=2",
        &[BEARER],
        None,
    )
    .await;
    ok(&first, 200, "the emulator's first page");
    let offset = first.json()["next_page"]["offset"].clone();
    assert!(offset.is_string(), "{}", first.json());
    assert_eq!(first.json()["data"].as_array().unwrap().len(), 2);
    let path = format!(
        "/api/1.0/webhooks?workspace=ws1&limit=2&offset={}",
        offset.as_str().unwrap()
    );
    let last = send(emulator, "GET", &path, &[BEARER], None).await;
    ok(&last, 200, "the emulator's last page");
    assert_eq!(last.json()["next_page"], Value::Null, "{}", last.json());
    assert_eq!(last.json()["data"].as_array().unwrap().len(), 1);

    // The canonical API reads the emulator's pages: every webhook once, a page at a time.
    let mut listed = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("{base}?limit=2&cursor={c}"),
            None => format!("{base}?limit=2"),
        };
        let page = send(gw.addr, "GET", &path, &[], None).await;
        ok(&page, 200, &path);
        pages += 1;
        let page = page.json();
        assert!(page["data"].as_array().unwrap().len() <= 2, "{page}");
        for item in page["data"].as_array().unwrap() {
            listed.push(item["id"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(pages < 5, "no last page: {listed:?}");
    }
    assert_eq!((listed, pages), (made, 2));

    // A surface of the dialect in front of another vendor writes its pages the same way.
    let relay = "/v1/upstreams/relay/owners/p1/webhooks";
    for i in 0..3 {
        let body = json!({"url": format!("https://example.com/{i}"), "events": ["a"]});
        ok(
            &send(gw.addr, "POST", relay, &[], Some(&body)).await,
            201,
            "create at relay",
        );
    }
    let surface = "/over-relay/api/1.0/webhooks?workspace=p1&limit=2";
    let first = send(gw.addr, "GET", surface, &[BEARER], None).await;
    ok(&first, 200, "the surface's first page");
    let offset = first.json()["next_page"]["offset"].clone();
    assert!(offset.is_string(), "{}", first.json());
    let path = format!("{surface}&offset={}", offset.as_str().unwrap());
    let last = send(gw.addr, "GET", &path, &[BEARER], None).await;
    ok(&last, 200, "the surface's last page");
    assert_eq!(last.json()["next_page"], Value::Null, "{}", last.json());
    assert_eq!(last.json()["data"].as_array().unwrap().len(), 1);
}

#[test]
fn a_switch_that_leaves_a_reader_no_one_place_is_refused_when_the_file_loads() {
    let desk = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/dialects/desk.toml"
    ))
    .unwrap();
    assert!(desk.contains(DESK_LIST));
    let cases: &[(&str, &str, &str)] = &[
        // Two places for the cursor.
        (
            DESK_LIST,
            "response = { data = \"{{items}}\", next_page = { \"$switch\" = \"has_more\", \"true\" = { offset = \"{{next_cursor}}\" }, \"$default\" = { cursor = \"{{next_cursor}}\" } } }",
            "operations.list.response: `{{next_cursor}}` stands at `$.next_page.offset` in case `true` of the `$switch` on `has_more` at `$.next_page` and at `$.next_page.cursor` in case `$default`",
        ),
        // Another case writes a literal where the cursor is read: it would be a cursor.
        (
            DESK_LIST,
            "response = { data = \"{{items}}\", next_page = { \"$switch\" = \"has_more\", \"true\" = { offset = \"{{next_cursor}}\" }, \"false\" = { offset = \"end\" } } }",
            "operations.list.response: case `false` of the `$switch` on `has_more` at `$.next_page` writes `\"end\"` where case `true` places `{{next_cursor}}` (`$.next_page.offset`)",
        ),
        // Another case writes another placeholder whose value may hold the place.
        (
            DESK_LIST,
            "response = { data = \"{{items}}\", next_page = { \"$switch\" = \"has_more\", \"true\" = { offset = \"{{next_cursor}}\" }, \"false\" = \"{{limit}}\" } }",
            "case `false` of the `$switch` on `has_more` at `$.next_page` writes `{{limit}}`",
        ),
        // A flag read from two places.
        (
            DESK_LIST,
            "response = { data = \"{{items}}\", meta = { \"$switch\" = \"done\", \"true\" = { last = \"{{done}}\" }, \"false\" = { end = \"{{done}}\" } } }",
            "`{{done}}` stands at `$.meta.last` in case `true`",
        ),
        // The items at two places, in a nested `$switch`.
        (
            DESK_LIST,
            "response = { page = { \"$switch\" = \"has_more\", \"true\" = { \"$switch\" = \"count\", \"0\" = { data = \"{{items}}\" }, \"$default\" = { hooks = \"{{items}}\" } } } }",
            "`{{items}}` stands at `$.page.data` in case `0` of the `$switch` on `count` at `$.page`",
        ),
        // A webhook answered at two places.
        (
            "response = { data = \"{{webhook}}\" }\n\n[operations.create]",
            "response = { \"$switch\" = \"webhook.enabled\", \"true\" = { data = \"{{webhook}}\" }, \"false\" = { paused = \"{{webhook}}\" } }\n\n[operations.create]",
            "operations.get.response: `{{webhook}}` stands at `$.data` in case `true`",
        ),
        // A client's webhook read from an update's body at two places.
        (
            "method = \"PUT\"\npath = \"/webhooks/{id}\"\nbody = { data = \"{{webhook}}\" }",
            "method = \"PUT\"\npath = \"/webhooks/{id}\"\nbody = { \"$switch\" = \"current.enabled\", \"true\" = { data = \"{{webhook}}\" }, \"false\" = { hook = \"{{webhook}}\" } }",
            "operations.update.body: `{{webhook}}` stands at `$.data` in case `true` of the `$switch` on `current.enabled` at `$`",
        ),
    ];
    for (from, to, expected) in cases {
        let text = desk.replacen(from, to, 1);
        assert_ne!(text, desk, "{from}");
        let errors = support::refused_mapping("desk", &text);
        assert!(
            errors.iter().any(|e| e.contains(expected)),
            "{to}: {errors:?}"
        );
    }
    // A `null` in another case, or nothing, is no value there: the file loads.
    for to in [
        "response = { data = \"{{items}}\", next_page = { \"$switch\" = \"has_more\", \"true\" = { offset = \"{{next_cursor}}\" }, \"false\" = { offset = \"{{null}}\" } } }",
        "response = { data = \"{{items}}\", next_page = { \"$switch\" = \"has_more\", \"true\" = { offset = \"{{next_cursor}}\" }, \"false\" = { more = false } } }",
    ] {
        let text = desk.replacen(DESK_LIST, to, 1);
        hookgate::mapping::compile::compile("desk", std::path::Path::new("desk.toml"), &text)
            .unwrap_or_else(|e| panic!("{to}: {e:?}"));
    }
}

/// Desk's file with `from` made `to`: refused, with an error holding `expected`.
fn refused_with(desk: &str, (from, to, expected): (&str, &str, &str)) {
    let text = desk.replacen(from, to, 1);
    assert_ne!(text, desk, "{from}");
    let errors = support::refused_mapping("desk", &text);
    assert!(
        errors.iter().any(|e| e.contains(expected)),
        "{to}: {errors:?}"
    );
}

fn desk_file() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/dialects/desk.toml"
    ))
    .unwrap()
}

/// Desk's get, create and update as the file writes them.
const DESK_GET: &str = "response = { data = \"{{webhook}}\" }\n\n[operations.create]";
const DESK_UPDATE: &str =
    "method = \"PUT\"\npath = \"/webhooks/{id}\"\nbody = { data = \"{{webhook}}\" }";

#[test]
fn what_every_answer_holds_placed_by_some_cases_of_a_switch_only_is_refused() {
    let desk = desk_file();
    let cases: &[(&str, &str, &str)] = &[
        // The items on a page with more, `null` on the last: the last page's items lost.
        (
            DESK_LIST,
            "response = { data = { \"$switch\" = \"has_more\", \"true\" = \"{{items}}\", \"false\" = \"{{null}}\" } }",
            "operations.list.response: case `false` of the `$switch` on `has_more` at `$.data` does not place `{{items}}`, which every answer holds",
        ),
        // The whole answer switched, the last page an empty array.
        (
            DESK_LIST,
            "response = { \"$switch\" = \"has_more\", \"true\" = { data = \"{{items}}\" }, \"false\" = [] }",
            "case `false` of the `$switch` on `has_more` at `$` does not place `{{items}}`",
        ),
        // Another case writes a literal where the items stand.
        (
            DESK_LIST,
            "response = { data = { \"$switch\" = \"done\", \"false\" = \"{{items}}\", \"$default\" = \"none\" } }",
            "case `$default` of the `$switch` on `done` at `$.data` does not place `{{items}}`",
        ),
        // The one case that places them, and no `$default`: the other value writes nothing.
        (
            DESK_LIST,
            "response = { data = { \"$switch\" = \"has_more\", \"true\" = \"{{items}}\" } }",
            "the `$switch` on `has_more` at `$.data` places `{{items}}` in its cases alone and has no `$default`",
        ),
        // Cases of a count, which takes more values than they name.
        (
            DESK_LIST,
            "response = { \"$switch\" = \"count\", \"0\" = { data = \"{{items}}\" }, \"1\" = { data = \"{{items}}\" } }",
            "the `$switch` on `count` at `$` places `{{items}}` in its cases alone",
        ),
        // A read of a disabled webhook answered without it.
        (
            DESK_GET,
            "response = { data = { \"$switch\" = \"webhook.enabled\", \"true\" = \"{{webhook}}\", \"false\" = \"{{null}}\" } }\n\n[operations.create]",
            "operations.get.response: case `false` of the `$switch` on `webhook.enabled` at `$.data` does not place `{{webhook}}`",
        ),
        // An update of a disabled webhook that would send none of it.
        (
            DESK_UPDATE,
            "method = \"PUT\"\npath = \"/webhooks/{id}\"\nbody = { \"$switch\" = \"current.enabled\", \"true\" = { data = \"{{webhook}}\" }, \"false\" = {} }",
            "operations.update.body: case `false` of the `$switch` on `current.enabled` at `$` does not place `{{webhook}}`, which every body holds",
        ),
    ];
    for case in cases {
        refused_with(&desk, *case);
    }
    // Every case places it, at one place, or a flag's two values cover it: the file loads.
    for (from, to) in [
        (
            DESK_LIST,
            "response = { \"$switch\" = \"count\", \"0\" = { data = \"{{items}}\", empty = true }, \"$default\" = { data = \"{{items}}\" } }",
        ),
        (
            DESK_GET,
            "response = { \"$switch\" = \"webhook.enabled\", \"true\" = { data = \"{{webhook}}\" }, \"false\" = { data = \"{{webhook}}\", paused = true } }\n\n[operations.create]",
        ),
    ] {
        let text = desk.replacen(from, to, 1);
        assert_ne!(text, desk, "{from}");
        hookgate::mapping::compile::compile("desk", std::path::Path::new("desk.toml"), &text)
            .unwrap_or_else(|e| panic!("{to}: {e:?}"));
    }
}

#[test]
fn a_case_no_value_of_its_switch_can_pick_is_refused() {
    let desk = desk_file();
    let cases: &[(&str, &str, &str)] = &[
        // A flag is `true` or `false`: the cursor would never be written.
        (
            DESK_LIST,
            "response = { data = \"{{items}}\", next_page = { \"$switch\" = \"has_more\", \"yes\" = { offset = \"{{next_cursor}}\" }, \"no\" = \"{{null}}\" } }",
            "case `yes` of the `$switch` on `has_more` is never taken: `{{has_more}}` is a boolean, whose cases are `true` and `false`",
        ),
        (
            DESK_LIST,
            "response = { data = \"{{items}}\", last = { \"$switch\" = \"done\", \"True\" = 1, \"$default\" = 0 } }",
            "case `True` of the `$switch` on `done` is never taken",
        ),
        // A canonical boolean field, in an answer and in a body.
        (
            DESK_GET,
            "response = { data = \"{{webhook}}\", state = { \"$switch\" = \"webhook.enabled\", \"on\" = \"live\", \"$default\" = \"off\" } }\n\n[operations.create]",
            "case `on` of the `$switch` on `webhook.enabled` is never taken",
        ),
        (
            DESK_UPDATE,
            "method = \"PUT\"\npath = \"/webhooks/{id}\"\nbody = { data = \"{{webhook}}\", paused = { \"$switch\" = \"current.enabled\", \"0\" = true, \"$default\" = false } }",
            "case `0` of the `$switch` on `current.enabled` is never taken",
        ),
        // A count is an integer.
        (
            DESK_LIST,
            "response = { data = \"{{items}}\", note = { \"$switch\" = \"count\", \"none\" = \"empty\", \"$default\" = \"some\" } }",
            "case `none` of the `$switch` on `count` is never taken: `{{count}}` is an integer, whose cases are integers as JSON writes them",
        ),
    ];
    for case in cases {
        refused_with(&desk, *case);
    }
}

#[test]
fn a_case_that_writes_the_value_a_flag_holds_in_it_loads_and_reads_so() {
    let desk = desk_file();
    let spellings = [
        // `has_more` switched on itself, its last page's value written by `$default`.
        (
            "response = { data = \"{{items}}\", more = { \"$switch\" = \"has_more\", \"true\" = \"{{has_more}}\", \"$default\" = false } }",
            json!({"more": true}),
            json!({"more": false}),
        ),
        // `done`, the negation of `has_more`, switched on `has_more`.
        (
            "response = { data = \"{{items}}\", page = { \"$switch\" = \"has_more\", \"true\" = { done = \"{{done}}\" }, \"false\" = { done = true } } }",
            json!({"page": {"done": false}}),
            json!({"page": {"done": true}}),
        ),
        // `done` switched on itself, `true` written by its own case.
        (
            "response = { data = \"{{items}}\", last = { \"$switch\" = \"done\", \"false\" = \"{{done}}\", \"true\" = true } }",
            json!({"last": false}),
            json!({"last": true}),
        ),
    ];
    for (spelling, more, last) in spellings {
        let dir = dialects_with(&[("desk", DESK_LIST, &format!("next = \"offset\"\n{spelling}"))]);
        let with = |flags: &Value| {
            let mut answer = json!({"data": [hook("wh_1"), hook("wh_2")]});
            answer
                .as_object_mut()
                .unwrap()
                .extend(flags.as_object().unwrap().clone());
            answer
        };
        let page = translated_page(dir.path(), &with(&more));
        assert_eq!(page["next_cursor"], "2", "{spelling}: {page}");
        let page = translated_page(dir.path(), &with(&last));
        assert_eq!(page["next_cursor"], Value::Null, "{spelling}: {page}");
    }
    // A literal other than the flag's value there is refused, saying what to write instead.
    refused_with(
        &desk,
        (
            DESK_LIST,
            "response = { data = \"{{items}}\", more = { \"$switch\" = \"has_more\", \"true\" = \"{{has_more}}\", \"$default\" = true } }",
            "case `$default` of the `$switch` on `has_more` at `$.more` writes `true` where case `true` places `{{has_more}}` (`$.more`): an answer would be read as holding it there; write `\"{{has_more}}\"` there, or `false`, the value `{{has_more}}` holds in that case",
        ),
    );
}

/// Relay's file (`tests/dialects/relay.toml`), whose status is read through a table of the
/// vendor's words: `live`, `paused` and `broken` are `active`, `disabled` and `failing`.
fn relay_file() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/dialects/relay.toml"
    ))
    .unwrap()
}

/// Relay's read and update as the file writes them.
const RELAY_GET: &str =
    "path = \"/projects/{owner}/hooks/{id}\"\nresponse = { hook = \"{{webhook}}\" }";
const RELAY_UPDATE: &str = "body = { hook = \"{{webhook}}\" }\nstrategy";

/// Relay's read, its answer holding `word` besides the webhook, switched as `cases` say on
/// `on`.
fn relay_get_switched(on: &str, cases: &str) -> String {
    format!(
        "path = \"/projects/{{owner}}/hooks/{{id}}\"\nresponse = {{ hook = \"{{{{webhook}}}}\", word = {{ \"$switch\" = \"{on}\", {cases} }} }}"
    )
}

#[test]
fn a_case_no_value_of_a_string_the_rules_enumerate_can_pick_is_refused() {
    let relay = relay_file();
    let get = |on: &str, cases: &str| relay_get_switched(on, cases);
    let cases: Vec<(&str, String, &str)> = vec![
        // The vendor's word, where the switch sees the canonical value.
        (
            RELAY_GET,
            get("webhook.status", "\"live\" = \"up\", \"$default\" = \"down\""),
            "operations.get.response: case `live` of the `$switch` on `webhook.status` is never taken: `{{webhook.status}}` is one of `active`, `disabled`, `failing`",
        ),
        // The value in another letter case.
        (
            RELAY_GET,
            get("webhook.status", "\"Active\" = \"up\", \"$default\" = \"down\""),
            "case `Active` of the `$switch` on `webhook.status` is never taken: `{{webhook.status}}` is one of `active`, `disabled`, `failing` (and `$default` where it has none): a case is the value as written, `active`",
        ),
        (
            RELAY_GET,
            get("webhook.status", "\"FAILING\" = \"down\", \"active\" = \"up\""),
            "case `FAILING` of the `$switch` on `webhook.status` is never taken",
        ),
        // A word no table gives, beside honest cases.
        (
            RELAY_GET,
            get(
                "webhook.status",
                "\"active\" = \"up\", \"disabled\" = \"off\", \"paused\" = \"off\"",
            ),
            "case `paused` of the `$switch` on `webhook.status` is never taken",
        ),
        // The webhook as read before a change, in a body.
        (
            RELAY_UPDATE,
            "body = { hook = \"{{webhook}}\", was = { \"$switch\" = \"current.status\", \"broken\" = \"down\", \"$default\" = \"up\" } }\nstrategy".into(),
            "operations.update.body: case `broken` of the `$switch` on `current.status` is never taken",
        ),
        // `null`, which a field never `null` does not take.
        (
            RELAY_GET,
            get("webhook.status", "\"null\" = \"none\", \"$default\" = \"some\""),
            "case `null` of the `$switch` on `webhook.status` is never taken",
        ),
    ];
    for (from, to, expected) in &cases {
        refused_with(&relay, (from, to, expected));
    }
    // A table that gives no `failing`: a case on it is never taken either (a status the
    // vendor reports none of is derived from `enabled`: `active` or `disabled`).
    let two = relay.replacen(
        "codec = { map = { live = \"active\", paused = \"disabled\", broken = \"failing\" } }",
        "codec = { map = { live = \"active\", paused = \"disabled\" } }",
        1,
    );
    let to = get(
        "webhook.status",
        "\"active\" = \"up\", \"failing\" = \"down\", \"$default\" = \"off\"",
    );
    refused_with(
        &two,
        (
            RELAY_GET,
            &to,
            "case `failing` of the `$switch` on `webhook.status` is never taken: `{{webhook.status}}` is one of `active`, `disabled` (and",
        ),
    );
}

#[test]
fn cases_a_string_can_take_load() {
    let relay = relay_file();
    let loads = |text: &str, what: &str| {
        hookgate::mapping::compile::compile("relay", std::path::Path::new("relay.toml"), text)
            .unwrap_or_else(|e| panic!("{what}: {e:?}"));
    };
    for (on, cases) in [
        // Every value the table gives, and the default.
        (
            "webhook.status",
            "\"active\" = \"up\", \"disabled\" = \"off\", \"failing\" = \"down\"",
        ),
        (
            "webhook.status",
            "\"failing\" = \"down\", \"$default\" = \"up\"",
        ),
        // A string whose values are open: any case may come.
        (
            "webhook.description",
            "\"Live\" = 1, \"paused\" = 2, \"$default\" = 0",
        ),
        (
            "webhook.url",
            "\"https://example.com/a\" = 1, \"$default\" = 0",
        ),
    ] {
        let text = relay.replacen(RELAY_GET, &relay_get_switched(on, cases), 1);
        assert_ne!(text, relay);
        loads(&text, cases);
    }
    let text = relay.replacen(
        RELAY_UPDATE,
        "body = { hook = \"{{webhook}}\", was = { \"$switch\" = \"current.status\", \"failing\" = \"down\", \"$default\" = \"up\" } }\nstrategy",
        1,
    );
    assert_ne!(text, relay);
    loads(&text, "current.status");
    // A table without `disabled`: `enabled` derives it where the vendor reports no status.
    let two = relay.replacen(
        "codec = { map = { live = \"active\", paused = \"disabled\", broken = \"failing\" } }",
        "codec = { map = { live = \"active\", broken = \"failing\" } }",
        1,
    );
    let text = two.replacen(
        RELAY_GET,
        &relay_get_switched(
            "webhook.status",
            "\"disabled\" = \"off\", \"failing\" = \"down\", \"$default\" = \"up\"",
        ),
        1,
    );
    loads(&text, "a table without `disabled`");
}

#[tokio::test]
async fn a_case_on_a_string_the_rules_enumerate_is_taken_by_its_canonical_value() {
    let switched = relay_get_switched(
        "webhook.status",
        "\"active\" = \"up\", \"failing\" = \"down\", \"$default\" = \"off\"",
    );
    let dir = dialects_with(&[("relay", RELAY_GET, &switched)]);
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.relay]\ndialect = \"relay\"\nemulate = true\n",
        dir.path().to_str().unwrap()
    ))
    .await;
    let emu = gw.emulators["relay"];
    for (id, state, word) in [
        (7, "live", "up"),
        (8, "broken", "down"),
        (9, "paused", "off"),
    ] {
        let hook = json!({"hook_id": id, "project": "p1", "topics": ["a"], "disabled": false,
            "state": state, "target": {"url": "https://example.com/hook"}});
        let seed = json!({"owner": "p1", "webhooks": [hook]});
        let seeded = send(emu, "POST", "/__hookgate/webhooks", &[], Some(&seed)).await;
        ok(&seeded, 201, state);
        let read = send(
            emu,
            "GET",
            &format!("/api/projects/p1/hooks/{id}"),
            &[BEARER],
            None,
        )
        .await;
        ok(&read, 200, state);
        assert_eq!(read.json()["word"], word, "{state}: {}", read.json());
    }
    gw.stop().await;
}
