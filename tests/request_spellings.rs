//! A field that requests spell otherwise than answers (`write_as`) hides in answers only what
//! its request spelling names alone: never a container whose other members the answers' rules
//! do not read (Asana's `resource`, sent as the gid and answered as `{"gid", "name",
//! "resource_type"}`). Proved over loopback with test-local mapping files, each spelling a
//! field another way, in front of a vendor double that answers literal bodies: canonical
//! create, get and list, a surface of the dialect, its emulator, the way back (a whole
//! replacement, a change naming such a member), and `hookgate check`'s account of an example
//! that does not come back.

mod support;

use hookgate::mapping::Dialect;
use serde_json::{Value, json};
use std::path::Path;
use support::{Double, Reply, gateway, ok, send};

/// The owner every call names.
const OWNER: &str = "1001";
const BASE: &str = "/v1/upstreams/spelt/owners/1001/webhooks";
/// What the dialect's own clients send, at a surface or the emulator.
const BEARER: (&str, &str) = ("authorization", "Bearer t");

/// A vendor whose webhooks are found by id alone and made with their owner in the body, as
/// Asana's are; `OWNER_RULE` and `URL_RULE` are each case's, `MORE` any rules it adds.
const FILE: &str = r#"
[dialect]
title = "Spelt webhooks"
base_path = "/api/1.0"
owner = "resource"

[emulator]
id = "prefix:wh_"

[fields.id]
path = "$.gid"
in = ["response"]

OWNER_RULE

URL_RULE

[fields.events]
path = "$.filters"

[fields.enabled]
path = "$.active"

MORE

[operations.list]
method = "GET"
path = "/webhooks"
query = { resource = "{{owner}}" }
response = { data = "{{items}}" }

[operations.get]
method = "GET"
path = "/webhooks/{id}"
response = { data = "{{webhook}}" }

[operations.create]
method = "POST"
path = "/webhooks"
body = { data = "{{webhook}}" }
status = 201
response = { data = "{{webhook}}" }

[operations.replace]
method = "PUT"
path = "/webhooks/{id}"
body = { data = "{{webhook}}" }
response = { data = "{{webhook}}" }

[operations.delete]
method = "DELETE"
path = "/webhooks/{id}"
response = { data = {} }

[errors]
message = ["$.errors[0].message"]

[errors.render.default]
body = { errors = [{ message = "{{message}}" }] }
"#;

/// The owner where answers give it as it is, and creates send it.
const OWNER_PLAIN: &str = "[fields.owner]\npath = \"$.workspace\"\non = [\"create\"]";
/// The owner as Asana spells it: answered as the gid of an object, sent as the gid.
const OWNER_IN_RESOURCE: &str = "[fields.owner]\npath = \"$.resource.gid\"\n\
    write_as = { path = \"$.resource\" }\non = [\"create\"]";
const URL_PLAIN: &str = "[fields.url]\npath = \"$.target\"";

/// One way of spelling a field for requests.
struct Case {
    name: &'static str,
    owner: &'static str,
    url: &'static str,
    more: &'static str,
    /// The webhook as the vendor answers it.
    answer: Value,
    /// What the canonical webhook holds under `extensions`.
    extensions: Value,
    /// Where a create's body holds the requests' spelling, and what.
    sent: (&'static str, Value),
}

const URL: &str = "https://example.com/hook";

fn cases() -> Vec<Case> {
    vec![
        // The requests' spelling is the container the answers' rule reads into.
        Case {
            name: "a container the answers read into",
            owner: OWNER_IN_RESOURCE,
            url: URL_PLAIN,
            more: "",
            answer: json!({"gid": "wh_1", "resource": {"gid": OWNER, "name": "Bug Task", "resource_type": "task"},
                           "target": URL, "filters": ["task.added"], "active": true}),
            extensions: json!({"resource.name": "Bug Task", "resource.resource_type": "task"}),
            sent: ("/data/resource", json!(OWNER)),
        },
        // ... and that holds another rule's member too.
        Case {
            name: "a container holding another rule's member",
            owner: OWNER_IN_RESOURCE,
            url: URL_PLAIN,
            more: "[fields.\"extensions.kind\"]\npath = \"$.resource.resource_type\"\nin = [\"response\"]",
            answer: json!({"gid": "wh_1", "resource": {"gid": OWNER, "name": "Bug Task", "resource_type": "task"},
                           "target": URL, "filters": ["task.added"], "active": true}),
            extensions: json!({"kind": "task", "resource.name": "Bug Task"}),
            sent: ("/data/resource", json!(OWNER)),
        },
        // Another field, another container: `target` sent as the URL, answered as an object.
        Case {
            name: "a container of the url",
            owner: OWNER_PLAIN,
            url: "[fields.url]\npath = \"$.target.url\"\nwrite_as = { path = \"$.target\" }",
            more: "",
            answer: json!({"gid": "wh_1", "workspace": OWNER, "target": {"url": URL, "verified": true},
                           "filters": ["task.added"], "active": true}),
            extensions: json!({"target.verified": true}),
            sent: ("/data/target", json!(URL)),
        },
        // An item of a list, which names no member: the list is the vendor's.
        Case {
            name: "an item of a list",
            owner: OWNER_PLAIN,
            url: "[fields.url]\npath = \"$.url\"\nwrite_as = { path = \"$.targets[0]\" }",
            more: "",
            answer: json!({"gid": "wh_1", "workspace": OWNER, "url": URL,
                           "targets": [URL, "https://example.com/mirror"],
                           "filters": ["task.added"], "active": true}),
            extensions: json!({"targets": [URL, "https://example.com/mirror"]}),
            sent: ("/data/targets/0", json!(URL)),
        },
        // A member of its own beside the answers' (`callback_url` beside `url`): echoed, it is
        // the url again, not the vendor's own.
        Case {
            name: "a sibling",
            owner: OWNER_PLAIN,
            url: "[fields.url]\npath = \"$.url\"\nwrite_as = { path = \"$.callback_url\" }",
            more: "",
            answer: json!({"gid": "wh_1", "workspace": OWNER, "url": URL, "callback_url": URL,
                           "note": "kept", "filters": ["task.added"], "active": true}),
            extensions: json!({"note": "kept"}),
            sent: ("/data/callback_url", json!(URL)),
        },
        // A member of a container other rules read into.
        Case {
            name: "a member beside other rules' members",
            owner: OWNER_PLAIN,
            url: "[fields.url]\npath = \"$.config.url\"\nwrite_as = { path = \"$.config.callback\" }",
            more: "[fields.\"extensions.live\"]\npath = \"$.config.live\"\nin = [\"response\"]",
            answer: json!({"gid": "wh_1", "workspace": OWNER,
                           "config": {"url": URL, "callback": URL, "live": true, "region": "eu"},
                           "filters": ["task.added"], "active": true}),
            extensions: json!({"live": true, "config.region": "eu"}),
            sent: ("/data/config/callback", json!(URL)),
        },
        // Inside a member the answers read whole.
        Case {
            name: "inside a member read whole",
            owner: OWNER_PLAIN,
            url: URL_PLAIN,
            more: "[fields.\"extensions.scope\"]\npath = \"$.scope\"\nwrite_as = { path = \"$.scope.gid\" }",
            answer: json!({"gid": "wh_1", "workspace": OWNER, "target": URL,
                           "scope": {"gid": "7", "name": "Board"},
                           "filters": ["task.added"], "active": true}),
            extensions: json!({"scope": {"gid": "7", "name": "Board"}}),
            sent: ("/data/scope/gid", json!("7")),
        },
        // The same place, spelt otherwise: event types sent as names, answered as objects.
        Case {
            name: "the same place",
            owner: OWNER_PLAIN,
            url: URL_PLAIN,
            more: "",
            answer: json!({"gid": "wh_1", "workspace": OWNER, "target": URL,
                           "filters": [{"name": "task.added"}], "active": true, "region": "eu"}),
            extensions: json!({"region": "eu"}),
            sent: ("/data/filters", json!(["task.added"])),
        },
    ]
}

/// The mapping file of `case`.
fn file_of(case: &Case) -> String {
    let file = FILE
        .replace("OWNER_RULE", case.owner)
        .replace("URL_RULE", case.url)
        .replace("MORE", case.more);
    if case.name == "the same place" {
        file.replace(
            "[fields.events]\npath = \"$.filters\"",
            "[fields.events]\npath = \"$.filters\"\ncodec = { wrap = \"name\" }\n\
             write_as = { path = \"$.filters\" }",
        )
    } else {
        file
    }
}

/// A folder holding the mapping file of `case`, as `spelt.toml`, and, as `named.toml`, the
/// same file with a rule of each member it keeps from inside a container
/// ([`naming_rules`]).
fn folder_of(case: &Case) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let file = file_of(case);
    std::fs::write(dir.path().join("spelt.toml"), &file).unwrap();
    let named = file.replace("title = \"Spelt webhooks\"", "title = \"Named webhooks\"");
    std::fs::write(
        dir.path().join("named.toml"),
        format!("{named}\n{}", naming_rules(case)),
    )
    .unwrap();
    dir
}

/// A rule, read from answers, of each member of `case`'s vendor that it keeps under
/// `extensions` by a dotted path, at that path: a dialect whose surface shows them, where
/// extensions of another dialect are not shown unless named.
fn naming_rules(case: &Case) -> String {
    let kept = case.extensions.as_object().unwrap().keys();
    kept.filter(|key| key.contains('.'))
        .map(|key| {
            format!("[fields.\"extensions.{key}\"]\npath = \"$.{key}\"\nin = [\"response\"]\n")
        })
        .collect()
}

/// The gateway with upstream `spelt` in front of `double`, a surface of the dialect in front
/// of it at `/surface`, and one of the dialect that names what it keeps at `/named`.
async fn gateway_over(dir: &tempfile::TempDir, double: &Double) -> hookgate::app::Running {
    gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.spelt]\ndialect = \"spelt\"\nbase_url = {:?}\n\
         auth = {{ type = \"none\" }}\n[url_policy]\nallow_private = true\n\
         [surfaces.own]\ndialect = \"spelt\"\nupstream = \"spelt\"\nprefix = \"/surface\"\n\
         [surfaces.named]\ndialect = \"named\"\nupstream = \"spelt\"\nprefix = \"/named\"\n",
        dir.path(),
        double.url()
    ))
    .await
}

/// The canonical webhook each case's answer is, whether answered to a create, a get or a
/// list: its owner and url read, its other members kept under `extensions`, and the create
/// sent with the requests' spelling.
#[tokio::test]
async fn answers_keep_every_member_the_requests_spelling_does_not_name_alone() {
    for case in cases() {
        let dir = folder_of(&case);
        let double = Double::start(vec![
            Reply::json(201, json!({"data": case.answer})),
            Reply::json(200, json!({"data": case.answer})),
            Reply::json(200, json!({"data": [case.answer, case.answer]})),
        ])
        .await;
        let gw = gateway_over(&dir, &double).await;
        let mut body = json!({"url": URL, "events": ["task.added"]});
        if case.name == "inside a member read whole" {
            body["extensions"] = json!({"scope": "7"});
        }
        let created = send(gw.addr, "POST", BASE, &[], Some(&body)).await;
        ok(&created, 201, case.name);
        let got = send(gw.addr, "GET", &format!("{BASE}/wh_1"), &[], None).await;
        ok(&got, 200, case.name);
        let listed = send(gw.addr, "GET", BASE, &[], None).await;
        ok(&listed, 200, case.name);
        let listed = listed.json();
        for (how, webhook) in [
            ("create", &created.json()),
            ("get", &got.json()),
            ("list", &listed["data"][0]),
            ("list", &listed["data"][1]),
        ] {
            assert_eq!(
                (&webhook["owner"], &webhook["url"], &webhook["extensions"]),
                (&json!(OWNER), &json!(URL), &case.extensions),
                "{}: {how}: {webhook}",
                case.name
            );
        }
        let seen = double.seen();
        let sent = seen[0].json().unwrap();
        let (at, spelt) = &case.sent;
        assert_eq!(sent.pointer(at), Some(spelt), "{}: {sent}", case.name);
    }
}

/// A surface answers what the vendor's answers spell: the container whole, with its gid and
/// the members the vendor gave beside it, to a get, a list and a create. A surface of the
/// dialect relays the vendor's answers; one of a dialect that names those members renders
/// them from the canonical webhook read.
#[tokio::test]
async fn a_surface_answers_the_container_whole() {
    for case in cases()
        .into_iter()
        .filter(|c| c.name.starts_with("a container"))
    {
        for surface in ["/surface", "/named"] {
            let dir = folder_of(&case);
            let double = Double::start(vec![
                Reply::json(200, json!({"data": case.answer})),
                Reply::json(200, json!({"data": [case.answer]})),
                Reply::json(201, json!({"data": case.answer})),
            ])
            .await;
            let gw = gateway_over(&dir, &double).await;
            let base = format!("{surface}/api/1.0/webhooks");
            let got = send(gw.addr, "GET", &format!("{base}/wh_1"), &[BEARER], None).await;
            ok(&got, 200, case.name);
            let listed = format!("{base}?resource={OWNER}");
            let listed = send(gw.addr, "GET", &listed, &[BEARER], None).await;
            ok(&listed, 200, case.name);
            let (at, spelt) = &case.sent;
            let mut made = json!({"filters": ["task.added"]});
            if case.owner == OWNER_PLAIN {
                made["workspace"] = json!(OWNER);
            }
            if case.url == URL_PLAIN {
                made["target"] = json!(URL);
            }
            made[at.trim_start_matches("/data/")] = spelt.clone();
            let made = json!({"data": made});
            let created = send(gw.addr, "POST", &base, &[BEARER], Some(&made)).await;
            ok(&created, 201, case.name);
            for (how, webhook) in [
                ("get", &got.json()["data"]),
                ("list", &listed.json()["data"][0]),
                ("create", &created.json()["data"]),
            ] {
                assert_eq!(webhook, &case.answer, "{}: {surface}: {how}", case.name);
            }
            let sent = double.seen()[2].json().unwrap();
            assert_eq!(sent.pointer(at), Some(spelt), "{}: {sent}", case.name);
        }
    }
}

/// The vendor's members kept from inside a place requests spell otherwise are its answers'
/// alone: a change that names one is refused by name and sends nothing, and a whole
/// replacement leaves them out, never sending the place as an object where requests send it
/// as a string.
#[tokio::test]
async fn members_answered_inside_a_requests_spelling_are_never_sent() {
    for case in cases()
        .into_iter()
        .filter(|c| c.name.starts_with("a container"))
    {
        let dir = folder_of(&case);
        let changed = {
            let mut a = case.answer.clone();
            a["active"] = json!(false);
            a
        };
        let double = Double::start(vec![
            Reply::json(200, json!({"data": case.answer})),
            Reply::json(200, json!({"data": changed})),
        ])
        .await;
        let gw = gateway_over(&dir, &double).await;
        let url = format!("{BASE}/wh_1");
        let (key, _) = case
            .extensions
            .as_object()
            .unwrap()
            .iter()
            .find(|(k, _)| k.contains('.'))
            .unwrap();
        let refused = send(
            gw.addr,
            "PATCH",
            &url,
            &[],
            Some(&json!({"extensions": {key.as_str(): "Other"}})),
        )
        .await;
        ok(&refused, 422, case.name);
        let problem = refused.json();
        assert_eq!(problem["code"], "unsupported_field", "{problem}");
        assert!(
            problem.to_string().contains(&format!("extensions.{key}")),
            "{}: {problem}",
            case.name
        );
        assert!(double.seen().is_empty(), "{}", case.name);

        let patched = send(
            gw.addr,
            "PATCH",
            &url,
            &[],
            Some(&json!({"enabled": false})),
        )
        .await;
        ok(&patched, 200, case.name);
        assert_eq!(
            patched.json()["extensions"],
            case.extensions,
            "{}",
            case.name
        );
        let seen = double.seen();
        assert_eq!(seen.len(), 2, "{}: a read, then the replacement", case.name);
        let sent = seen[1].json().unwrap();
        let (at, spelt) = &case.sent;
        let place = sent["data"].get(at.trim_start_matches("/data/"));
        // Where the spelling applies to updates, its value; never the answers' object.
        assert!(place.is_none_or(|v| v == spelt), "{}: {sent}", case.name);
        assert_eq!(sent["data"]["active"], false, "{}: {sent}", case.name);
    }
}

/// An emulator of the dialect keeps what its clients send: the owner, which it answers in the
/// container the vendor answers, as far as it knows it.
#[tokio::test]
async fn an_emulator_answers_the_container_with_what_it_keeps() {
    let case = cases().remove(0);
    let dir = folder_of(&case);
    let gw = support::gateway_emulating(dir.path().to_str().unwrap(), "spelt").await;
    let body = json!({"url": URL, "events": ["task.added"]});
    let created = send(gw.addr, "POST", BASE, &[], Some(&body)).await;
    ok(&created, 201, "create");
    let w = created.json();
    assert_eq!(w["owner"], OWNER, "{w}");
    assert_eq!(w.get("extensions"), None, "{w}");
    let id = w["id"].as_str().unwrap();
    let raw = send(
        gw.emulators["spelt"],
        "GET",
        &format!("/api/1.0/webhooks/{id}"),
        &[BEARER],
        None,
    )
    .await;
    ok(&raw, 200, "the vendor's own read");
    assert_eq!(raw.json()["data"]["resource"], json!({"gid": OWNER}));
}

/// The examples a file ships come back from a round trip when they hold the container a
/// request spelling writes; one that does not come back names the member that differs and the
/// request spelling there.
#[test]
fn check_names_what_an_example_lost_and_the_request_spelling_there() {
    for case in cases() {
        // `examples` is a top-level key: it goes before the first table.
        let file = format!("examples = ['''\n{}\n''']\n{}", case.answer, file_of(&case));
        let dialect = Dialect::compile("spelt", Path::new("spelt.toml"), &file)
            .unwrap_or_else(|e| panic!("{}: {e:?}", case.name));
        let problems = hookgate::examples::round_trip_all(std::iter::once(&dialect));
        match case.name {
            // An echo of the requests' spelling is the field again, which renders do not write.
            "a sibling" | "a member beside other rules' members" => {
                assert_eq!(problems.len(), 1, "{}: {problems:?}", case.name);
                let (member, path) = if case.name == "a sibling" {
                    ("callback_url", "url")
                } else {
                    ("config.callback", "config.url")
                };
                let cause = format!(
                    "`{member}` is lost (the example's is \"{URL}\") (requests spell `url` at \
                     `{member}`, `write_as`; answers, at `{path}`)"
                );
                assert!(problems[0].contains(&cause), "{}: {problems:?}", case.name);
            }
            _ => assert!(problems.is_empty(), "{}: {problems:?}", case.name),
        }
    }
    // Where no request spelling is, the member alone is named: a member requests carry and
    // answers do not, which renders do not write.
    let case = cases().remove(0);
    let example = json!({"gid": "wh_1", "resource": {"gid": OWNER}, "target": URL, "verb": "POST"});
    let file = format!("examples = ['''\n{example}\n''']\n{}", file_of(&case)).replace(
        "[fields.enabled]",
        "[fields.method]\npath = \"$.verb\"\nin = [\"request\"]\n\n[fields.enabled]",
    );
    let dialect = Dialect::compile("spelt", Path::new("spelt.toml"), &file).unwrap();
    let problems = hookgate::examples::round_trip_all(std::iter::once(&dialect));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("examples[0]: `verb` is lost (the example's is \"POST\"); became"),
        "{problems:?}"
    );
}
