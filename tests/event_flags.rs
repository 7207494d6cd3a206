//! Event types kept as one boolean member each (`tests/dialects/lab.toml`, spelt as GitLab's
//! project hooks): the canonical `events` list is written as every flag and read back from
//! them; the vendor's own clients, at its emulator or at a surface in front of a vendor that
//! lists event types, switch flags one by one and keep the others; a create that leaves a flag
//! out gets the vendor's default; and what flags cannot hold is refused, never dropped. Flags
//! deep inside the webhook, beside members of their own (`tests/dialects/post.toml`, spelt as
//! Postmark's `Triggers.Open.Enabled`), are switched without those members.

mod support;

use serde_json::{Value, json};
use std::net::SocketAddr;
use support::{gateway, journal, ok, send};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
const BEARER: (&str, &str) = ("authorization", "Bearer t");

/// Every flag of the file, in the order of its event types.
const FLAGS: [&str; 12] = [
    "confidential_issues_events",
    "confidential_note_events",
    "deployment_events",
    "issues_events",
    "job_events",
    "merge_requests_events",
    "note_events",
    "pipeline_events",
    "push_events",
    "releases_events",
    "tag_push_events",
    "wiki_page_events",
];

/// The flags of a hook that are switched on.
fn on(hook: &Value) -> Vec<&str> {
    FLAGS.iter().copied().filter(|f| hook[*f] == true).collect()
}

/// Every flag is answered, each a boolean.
fn all_answered(hook: &Value) {
    for flag in FLAGS {
        assert!(hook[flag].is_boolean(), "{flag} in {hook}");
    }
}

/// The gateway with Lab emulated, Relay (which lists event types, at most three) emulated, and
/// a Lab surface in front of Relay at `/lab`.
async fn lab_and_relay() -> hookgate::app::Running {
    gateway(&format!(
        "mappings_dir = {DIR:?}\n\
         [upstreams.lab]\ndialect = \"lab\"\nemulate = true\n\
         [upstreams.relay]\ndialect = \"relay\"\nemulate = true\n\
         [surfaces.lab]\ndialect = \"lab\"\nupstream = \"relay\"\nprefix = \"/lab\"\n"
    ))
    .await
}

/// The methods of the requests an emulator received from entry `from` on.
async fn methods_since(emulator: SocketAddr, from: usize) -> Vec<String> {
    journal(emulator).await[from..]
        .iter()
        .map(|e| e["method"].as_str().unwrap().to_owned())
        .collect()
}

async fn put(at: SocketAddr, path: &str, body: Value) -> support::Answer {
    send(at, "PUT", path, &[BEARER], Some(&body)).await
}

/// A PUT by a client of Post, whose server token travels in a header of its own.
async fn put_token(at: SocketAddr, path: &str, body: Value) -> support::Answer {
    send(
        at,
        "PUT",
        path,
        &[("x-postmark-server-token", "t")],
        Some(&body),
    )
    .await
}

async fn post(at: SocketAddr, path: &str, body: Value) -> support::Answer {
    send(at, "POST", path, &[BEARER], Some(&body)).await
}

#[tokio::test]
async fn the_canonical_list_is_written_as_every_flag_and_read_back() {
    let gw = lab_and_relay().await;
    let hooks = "/v1/upstreams/lab/owners/3/webhooks";
    let made = send(
        gw.addr,
        "POST",
        hooks,
        &[],
        Some(&json!({"url": "https://example.com/h", "events": ["note_events", "issues_events"]})),
    )
    .await;
    ok(&made, 201, "create");
    // Read back in the order of the flags, whatever order the list was given in.
    assert_eq!(
        made.json()["events"],
        json!(["issues_events", "note_events"])
    );
    let id = made.json()["id"].as_str().unwrap().to_owned();
    // The vendor was sent every flag: push events off, though the vendor's default is on.
    let sent = journal(gw.emulators["lab"]).await;
    let body = &sent.last().unwrap()["body"];
    all_answered(body);
    assert_eq!(on(body), ["issues_events", "note_events"], "{body}");
    // An update of the list replaces it: every flag is sent again.
    let changed = send(
        gw.addr,
        "PATCH",
        &format!("{hooks}/{id}"),
        &[],
        Some(&json!({"events": ["push_events"]})),
    )
    .await;
    ok(&changed, 200, "update");
    assert_eq!(changed.json()["events"], json!(["push_events"]));
    let sent = journal(gw.emulators["lab"]).await;
    let body = &sent.last().unwrap()["body"];
    all_answered(body);
    assert_eq!(on(body), ["push_events"], "{body}");
    // A list of no event type switches every flag off.
    let none = send(
        gw.addr,
        "PATCH",
        &format!("{hooks}/{id}"),
        &[],
        Some(&json!({"events": []})),
    )
    .await;
    ok(&none, 200, "update to none");
    assert_eq!(none.json()["events"], json!([]));
    // An update that does not name the list leaves every flag alone.
    let other = send(
        gw.addr,
        "PATCH",
        &format!("{hooks}/{id}"),
        &[],
        Some(&json!({"description": "ci"})),
    )
    .await;
    ok(&other, 200, "update of another member");
    let body = &journal(gw.emulators["lab"]).await.last().unwrap()["body"].clone();
    assert_eq!(body, &json!({"description": "ci"}));
}

#[tokio::test]
async fn what_flags_cannot_hold_is_refused_before_any_call() {
    let gw = lab_and_relay().await;
    let hooks = "/v1/upstreams/lab/owners/3/webhooks";
    let before = journal(gw.emulators["lab"]).await.len();
    let refused = [
        (
            json!({"url": "https://example.com/h", "events": ["push_events", "build"]}),
            "`build` is not an event type of this API",
        ),
        (
            json!({"url": "https://example.com/h", "events": "push_events"}),
            "must be an array of strings",
        ),
        (
            json!({"url": "https://example.com/h", "events": [true]}),
            "must be an array of strings",
        ),
    ];
    for (body, says) in refused {
        let answer = send(gw.addr, "POST", hooks, &[], Some(&body)).await;
        ok(&answer, 422, &body.to_string());
        let problem = answer.json();
        assert_eq!(problem["errors"][0]["field"], "events", "{problem}");
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(says), "{message}");
    }
    let made = send(
        gw.addr,
        "POST",
        hooks,
        &[],
        Some(&json!({"url": "https://example.com/h", "events": ["push_events"]})),
    )
    .await;
    ok(&made, 201, "create");
    let id = made.json()["id"].as_str().unwrap().to_owned();
    // A list of event types cannot be cleared: the flags have no "none given".
    let cleared = send(
        gw.addr,
        "PATCH",
        &format!("{hooks}/{id}"),
        &[],
        Some(&json!({"events": null})),
    )
    .await;
    ok(&cleared, 422, "clear");
    let calls = journal(gw.emulators["lab"]).await;
    let writes: Vec<&Value> = calls[before..]
        .iter()
        .filter(|e| e["method"] != "GET")
        .collect();
    assert_eq!(writes.len(), 1, "only the good create was sent: {writes:?}");
}

#[tokio::test]
async fn the_emulator_switches_the_flags_a_request_names_and_keeps_the_rest() {
    let gw = lab_and_relay().await;
    let lab = gw.emulators["lab"];
    let hooks = "/api/v4/projects/3/hooks";
    // A create that leaves push events out gets them, as GitLab's default has it.
    let made = post(
        lab,
        hooks,
        json!({"url": "https://example.com/h", "issues_events": true}),
    )
    .await;
    ok(&made, 201, "create");
    all_answered(&made.json());
    assert_eq!(on(&made.json()), ["issues_events", "push_events"]);
    assert_eq!(made.json()["project_id"], 3);
    let id = made.json()["id"].as_u64().unwrap();
    let hook = format!("{hooks}/{id}");
    // A create that names it off has it off.
    let quiet = post(
        lab,
        hooks,
        json!({"url": "https://example.com/q", "push_events": false}),
    )
    .await;
    ok(&quiet, 201, "create with push events off");
    assert!(on(&quiet.json()).is_empty(), "{}", quiet.json());
    // An update names two flags: those two change, the others are as they were.
    let switched = put(
        lab,
        &hook,
        json!({"issues_events": false, "job_events": true}),
    )
    .await;
    ok(&switched, 200, "update");
    assert_eq!(on(&switched.json()), ["job_events", "push_events"]);
    let read = send(lab, "GET", &hook, &[BEARER], None).await;
    assert_eq!(on(&read.json()), ["job_events", "push_events"]);
    // An update that names no flag changes none.
    let renamed = put(lab, &hook, json!({"description": "ci"})).await;
    ok(&renamed, 200, "update of another member");
    assert_eq!(on(&renamed.json()), ["job_events", "push_events"]);
    // A flag that is not a boolean is refused in the vendor's shape, naming it.
    for bad in [json!("yes"), json!(1), json!(null), json!(["on"])] {
        let refused = put(lab, &hook, json!({"push_events": bad})).await;
        ok(&refused, 400, &bad.to_string());
        let message = refused.json()["message"]["events"][0]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(message, "`push_events` must be a boolean", "{bad}");
    }
    let read = send(lab, "GET", &hook, &[BEARER], None).await;
    assert_eq!(on(&read.json()), ["job_events", "push_events"]);
    // The canonical API reads what the vendor's client switched.
    let canonical = send(
        gw.addr,
        "GET",
        &format!("/v1/upstreams/lab/owners/3/webhooks/{id}"),
        &[],
        None,
    )
    .await;
    assert_eq!(
        canonical.json()["events"],
        json!(["job_events", "push_events"])
    );
}

#[tokio::test]
async fn a_surface_switches_flags_against_the_list_of_the_vendor_behind() {
    let gw = lab_and_relay().await;
    let hooks = "/lab/api/v4/projects/3/hooks";
    let made = post(
        gw.addr,
        hooks,
        json!({"url": "https://example.com/h", "issues_events": true, "note_events": true}),
    )
    .await;
    ok(&made, 201, "create");
    all_answered(&made.json());
    // The default switched push events on; Relay was sent the list.
    assert_eq!(
        on(&made.json()),
        ["issues_events", "note_events", "push_events"]
    );
    let id = made.json()["id"].as_u64().unwrap();
    let relay = gw.emulators["relay"];
    let topics = || async {
        let path = format!("/api/projects/3/hooks/{id}");
        send(relay, "GET", &path, &[BEARER], None).await.json()["hook"]["topics"].take()
    };
    assert_eq!(
        topics().await,
        json!(["issues_events", "note_events", "push_events"])
    );
    // Two flags switched: Relay's list is read, and sent back with those two changed.
    let from = journal(relay).await.len();
    let hook = format!("{hooks}/{id}");
    let switched = put(
        gw.addr,
        &hook,
        json!({"note_events": false, "job_events": true}),
    )
    .await;
    ok(&switched, 200, "update");
    assert_eq!(
        on(&switched.json()),
        ["issues_events", "job_events", "push_events"]
    );
    assert_eq!(methods_since(relay, from).await, ["GET", "PUT"]);
    assert_eq!(
        journal(relay).await.last().unwrap()["body"]["hook"]["topics"],
        json!(["issues_events", "push_events", "job_events"])
    );
    // A switch that leaves nothing to add changes nothing it does not name.
    let again = put(gw.addr, &hook, json!({"issues_events": true})).await;
    ok(&again, 200, "switched on again");
    assert_eq!(
        on(&again.json()),
        ["issues_events", "job_events", "push_events"]
    );
    // Another project's hook is not found, and nothing is written to it.
    let before = journal(relay).await.len();
    let elsewhere = put(
        gw.addr,
        &format!("/lab/api/v4/projects/4/hooks/{id}"),
        json!({"push_events": false}),
    )
    .await;
    ok(&elsewhere, 404, "another project");
    assert_eq!(elsewhere.json(), json!({"message": "404 Not found"}));
    let methods = methods_since(relay, before).await;
    assert!(methods.iter().all(|m| m == "GET"), "{methods:?}");
    // The vendor behind refuses a fourth event type, in its own words, rendered here.
    let fourth = put(gw.addr, &hook, json!({"tag_push_events": true})).await;
    ok(&fourth, 400, "a fourth event type");
    assert_eq!(
        topics().await,
        json!(["issues_events", "push_events", "job_events"])
    );
}

#[tokio::test]
async fn a_surface_refuses_to_show_an_event_type_it_has_no_flag_for() {
    let gw = lab_and_relay().await;
    let made = send(
        gw.addr,
        "POST",
        "/v1/upstreams/relay/owners/3/webhooks",
        &[],
        Some(&json!({"url": "https://example.com/h", "events": ["push_events", "invoice.paid"]})),
    )
    .await;
    ok(&made, 201, "create at Relay");
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let read = send(
        gw.addr,
        "GET",
        &format!("/lab/api/v4/projects/3/hooks/{id}"),
        &[BEARER],
        None,
    )
    .await;
    // Never shown as push events alone: the hook listens to more than its flags can say.
    assert_ne!(read.status, 200, "{}", String::from_utf8_lossy(&read.body));
    let text = String::from_utf8_lossy(&read.body);
    assert!(text.contains("invoice.paid"), "{text}");
}

#[test]
fn a_file_that_cannot_keep_event_types_as_flags_is_refused() {
    let head = "[dialect]\nauth = \"none\"\n[fields.id]\npath = \"$.id\"\nin = [\"response\"]\n\
                [fields.url]\npath = \"$.url\"\n\
                [errors.render.default]\nbody = { message = \"{{message}}\" }\n";
    let cases = [
        (
            "[fields.description]\nflags = { a = \"$.a\" }\n",
            "fields.description.flags: only `events` is kept as flags",
        ),
        (
            "[fields.events]\npath = \"$.events\"\nflags = { a = \"$.a\" }\n",
            "fields.events: needs exactly one of `path`, `implied` or `flags`",
        ),
        (
            "[fields.events]\nflags = { a = \"$.a\" }\ncodec = \"single\"\n",
            "fields.events.codec: does not apply to `flags`",
        ),
        (
            "[fields.events]\nflags = { a = \"$.a\" }\none_of = [\"a\"]\n",
            "fields.events.one_of: does not apply to `flags`",
        ),
        (
            "[fields.events]\nflags = { a = \"$.a\" }\ndefault = [\"b\"]\n",
            "fields.events.default: must list event types the flags name",
        ),
        (
            "[fields.events]\nflags = { a = \"$.on\", b = \"$.on.b\" }\n",
            "fields.events.flags.b: writes `on.b`, which `a` also writes",
        ),
        (
            "[fields.events]\nflags = { a = \"$.url\" }\n",
            "writes `url`, which `fields.",
        ),
        (
            "[fields.events]\nflags = { a = \"$.hooks[*]\" }\n",
            "fields.events.flags.a",
        ),
    ];
    for (rule, says) in cases {
        let text = format!("{head}{rule}");
        let errors =
            hookgate::mapping::compile::compile("x", std::path::Path::new("x.toml"), &text)
                .err()
                .unwrap_or_else(|| panic!("loaded: {rule}"));
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(shown.iter().any(|e| e.contains(says)), "{rule}: {shown:?}");
    }
}

#[tokio::test]
async fn flags_deep_in_the_webhook_keep_the_members_beside_them() {
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.post]\ndialect = \"post\"\nemulate = true\n"
    ))
    .await;
    let post = gw.emulators["post"];
    let made = send(
        gw.addr,
        "POST",
        "/v1/upstreams/post/webhooks",
        &[],
        Some(&json!({"url": "https://example.com/h", "events": ["Open", "Bounce"], "extensions": {"first_open_only": true}})),
    )
    .await;
    ok(&made, 201, "create");
    assert_eq!(made.json()["events"], json!(["Bounce", "Open"]));
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let sent = journal(post).await;
    assert_eq!(
        sent.last().unwrap()["body"]["Triggers"],
        json!({
            "Bounce": {"Enabled": true}, "Click": {"Enabled": false}, "Delivery": {"Enabled": false},
            "Open": {"Enabled": true, "PostFirstOpenOnly": true}, "SpamComplaint": {"Enabled": false},
            "SubscriptionChange": {"Enabled": false}
        })
    );
    // The vendor's own client switches two triggers; the member beside the open flag stays.
    let hook = format!("/webhooks/{id}");
    let switched = put_token(
        post,
        &hook,
        json!({"Triggers": {"Open": {"Enabled": false}, "Click": {"Enabled": true}}}),
    )
    .await;
    ok(&switched, 200, "switch two triggers");
    let triggers = &switched.json()["Triggers"];
    assert_eq!(
        triggers["Open"],
        json!({"Enabled": false, "PostFirstOpenOnly": true})
    );
    assert_eq!(triggers["Click"], json!({"Enabled": true}));
    assert_eq!(triggers["Bounce"], json!({"Enabled": true}));
    // The member beside a flag changes alone.
    let first_only = put_token(
        post,
        &hook,
        json!({"Triggers": {"Open": {"PostFirstOpenOnly": false}}}),
    )
    .await;
    ok(&first_only, 200, "the member beside the flag");
    let triggers = &first_only.json()["Triggers"];
    assert_eq!(
        triggers["Open"],
        json!({"Enabled": false, "PostFirstOpenOnly": false})
    );
    assert_eq!(triggers["Click"], json!({"Enabled": true}));
    let read = send(
        gw.addr,
        "GET",
        &format!("/v1/upstreams/post/webhooks/{id}"),
        &[],
        None,
    )
    .await;
    assert_eq!(read.json()["events"], json!(["Bounce", "Click"]));
    assert_eq!(read.json()["extensions"], json!({"first_open_only": false}));
    // Nothing unnamed is kept of the triggers: every member there has its rule.
    let listed = send(gw.addr, "GET", "/v1/upstreams/post/webhooks", &[], None).await;
    assert_eq!(
        listed.json()["data"][0]["extensions"],
        json!({"first_open_only": false})
    );
    // What holds the flags and is no object holds none of them: refused, not read as none
    // given, which a whole body would take for every flag at its default.
    for holder in [
        json!({"Triggers": ["Open"]}),
        json!({"Triggers": "Open"}),
        json!({"Triggers": 42}),
        json!({"Triggers": {"Open": true}}),
        json!({"Triggers": {"Open": []}}),
    ] {
        let refused = put_token(post, &hook, holder.clone()).await;
        assert!(
            (400..500).contains(&refused.status),
            "{holder}: {}",
            refused.json()
        );
        assert!(
            refused.json().to_string().contains("must be an object"),
            "{holder}: {}",
            refused.json()
        );
    }
    let still = send(
        gw.addr,
        "GET",
        &format!("/v1/upstreams/post/webhooks/{id}"),
        &[],
        None,
    )
    .await;
    assert_eq!(still.json()["events"], json!(["Bounce", "Click"]));
}

#[tokio::test]
async fn switches_at_a_vendor_that_finds_webhooks_by_id_alone_are_held_to_the_owner() {
    // Desk reads, changes and deletes a webhook by its id alone: whose it is comes from the
    // read that the switches need anyway.
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n\
         [upstreams.desk]\ndialect = \"desk\"\nemulate = true\n\
         [surfaces.lab]\ndialect = \"lab\"\nupstream = \"desk\"\nprefix = \"/lab\"\n"
    ))
    .await;
    let made = post(
        gw.addr,
        "/lab/api/v4/projects/7/hooks",
        json!({"url": "https://example.com/h", "issues_events": true}),
    )
    .await;
    ok(&made, 201, "create");
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let desk = gw.emulators["desk"];
    let before = journal(desk).await.len();
    let elsewhere = put(
        gw.addr,
        &format!("/lab/api/v4/projects/8/hooks/{id}"),
        json!({"push_events": false}),
    )
    .await;
    ok(&elsewhere, 404, "another project's hook");
    assert_eq!(methods_since(desk, before).await, ["GET"]);
    let mine = put(
        gw.addr,
        &format!("/lab/api/v4/projects/7/hooks/{id}"),
        json!({"push_events": false, "note_events": true}),
    )
    .await;
    ok(&mine, 200, "its own project");
    assert_eq!(on(&mine.json()), ["issues_events", "note_events"]);
    // One read serves both the owner's confirmation and the switches.
    assert_eq!(methods_since(desk, before + 1).await, ["GET", "PUT"]);
}

/// A refusal of the event types by the vendor behind a surface whose vendor keeps them as
/// flags names them as this API's own field: never as "`events` of upstream …, which this
/// API has no field for", which its flags are.
#[tokio::test]
async fn a_refusal_of_the_event_types_behind_is_of_this_apis_flags() {
    let gw = lab_and_relay().await;
    let relay = gw.emulators["relay"];
    let before = journal(relay).await.len();
    let mut none_on: serde_json::Map<String, Value> = FLAGS
        .iter()
        .map(|f| ((*f).to_owned(), json!(false)))
        .collect();
    none_on.insert("url".into(), json!("https://example.com/h"));
    let a = post(
        gw.addr,
        "/lab/api/v4/projects/p1/hooks",
        Value::Object(none_on),
    )
    .await;
    let said = String::from_utf8_lossy(&a.body).into_owned();
    assert!((400..500).contains(&a.status), "{said}");
    assert!(said.contains("events"), "{said}");
    assert!(!said.contains("no field for"), "{said}");
    assert!(
        methods_since(relay, before)
            .await
            .iter()
            .all(|m| m == "GET"),
        "nothing written"
    );
}
