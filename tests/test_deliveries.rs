//! A test delivery asked of a surface is answered in the surface's own vendor's envelope,
//! whatever vendor the webhooks live at, from what that vendor reports and nothing made up:
//! for every loaded dialect that declares a `test` operation (the shipped files and
//! `tests/dialects`), through its surface in front of an emulator of every such dialect, the
//! answer holds only members, of the same JSON type, that the surface's own vendor answers a
//! test with (its emulator, behind a surface of its own dialect), nothing of the other
//! vendor's, and every one the other vendor reports; where the surface's vendor always
//! answers a member the other never reports, the test is refused with 501 before any call.
//! The dialect whose test operation is the one Talkover's OpenAPI description documents is
//! held to that description's 200 schema and to the words its documentation prints, read from
//! `../shared/dialects/` at test time.

mod support;

use hookgate::mapping::Dialect;
use hookgate::mapping::model::Role;
use hookgate::model::Action;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use support::{gateway, send};

const AUTH: (&str, &str) = ("authorization", "Bearer any-token-at-all");
const TEST: Role = Role::Action(Action::Test);
const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/dialects");

/// Every loaded dialect that declares a test, shipped or in `tests/dialects`.
fn testers() -> Vec<Dialect> {
    let mut all = hookgate::mapping::load_dir(Path::new(support::MAPPINGS)).unwrap();
    all.extend(hookgate::mapping::load_dir(Path::new(support::TEST_DIALECTS)).unwrap());
    all.retain(|d| d.endpoint(TEST).is_some());
    all
}

/// An owner of the format of each of `ds` that keeps owners, from a few samples; `None` where
/// none fits them all, or their owners are paths of different lengths.
fn sample_owner(ds: &[&Dialect]) -> Option<String> {
    let scoped: Vec<&&Dialect> = ds.iter().filter(|d| d.has_owner()).collect();
    if scoped
        .windows(2)
        .any(|w| w[0].owner_segments != w[1].owner_segments)
    {
        return None;
    }
    let samples = [
        "550e8400-e29b-41d4-a716-446655440000",
        "12345",
        "app_1",
        "octo/site",
    ];
    samples
        .into_iter()
        .find(|o| scoped.iter().all(|d| d.admits_owner(o)))
        .map(str::to_owned)
}

/// The gateway with an emulator of `u` and a surface of `s` in front of it at `/s`, bridging
/// `owner` where the two keep owners differently (configured only where the pair needs it).
async fn surface_over(s: &Dialect, u: &Dialect, owner: Option<&str>) -> hookgate::app::Running {
    let base = format!(
        "mappings_dir = {:?}\n[upstreams.u]\ndialect = \"{}\"\nemulate = true\n\
         [surfaces.s]\ndialect = \"{}\"\nupstream = \"u\"\nprefix = \"/s\"\n",
        support::TEST_DIALECTS,
        u.name,
        s.name
    );
    // A pair that needs no configured owner refuses one, and one that needs it refuses none.
    match owner.map(|o| format!("{base}owner = \"{o}\"\n")) {
        Some(bridged) if loads(&bridged) => gateway(&bridged).await,
        _ => gateway(&base).await,
    }
}

/// Whether the configuration `toml` (as [`gateway`] completes it) loads.
fn loads(toml: &str) -> bool {
    use figment::providers::{Format, Serialized, Toml};
    let toml = format!("listen = \"127.0.0.1:0\"\n{toml}\n[inbound_auth]\nmode = \"off\"\n");
    let figment =
        figment::Figment::from(Serialized::defaults(hookgate::config::RawConfig::default()))
            .merge(Toml::string(&toml));
    hookgate::config::from_figment(&figment, "test")
        .is_ok_and(|config| hookgate::setup::load(config).is_ok())
}

/// A test asked of the surface `s` for a webhook seeded at the emulator of `u` (its documented
/// example, under `owner`): the answer's status and body. The client's body is the one its
/// vendor's test takes (the webhook's URL, or its first event type), where it takes one.
async fn tested(s: &Dialect, u: &Dialect, owner: Option<&str>) -> (u16, Value) {
    let gw = surface_over(s, u, owner).await;
    let emu = gw.emulators["u"];
    let mut webhook = support::create_body(u);
    if let Some(o) = owner.filter(|_| u.has_owner()) {
        webhook["owner"] = json!(o);
    }
    let seed = json!({"shape": "canonical", "webhooks": [webhook]});
    let seeded = send(emu, "POST", "/__hookgate/webhooks", &[], Some(&seed)).await;
    assert_eq!(seeded.status, 201, "{}: {}", u.name, seeded.json());
    let stored = seeded.json()["webhooks"][0].clone();
    let id = stored["id"].as_str().unwrap().to_owned();
    let endpoint = s.endpoint(TEST).unwrap();
    let path = endpoint
        .path
        .render(&[&s.base_path], owner.filter(|_| s.has_owner()), Some(&id));
    let (url, events) = (stored["url"].clone(), stored["events"].clone());
    let current = move |name: &str| match name {
        "current.url" => Some(url.clone()),
        "current.events" => Some(events.clone()),
        _ => None,
    };
    let body = endpoint.body.as_ref().and_then(|t| t.render(&current));
    let method = endpoint.method.as_str();
    let a = send(
        gw.addr,
        method,
        &format!("/s{path}"),
        &[AUTH],
        body.as_ref(),
    )
    .await;
    let answer = if a.body.is_empty() {
        Value::Null
    } else {
        a.json()
    };
    gw.stop().await;
    (a.status, answer)
}

/// Each member of `v` at any depth, by its dotted path, with its JSON type.
fn shape(v: &Value) -> BTreeMap<String, &'static str> {
    fn walk(v: &Value, at: String, out: &mut BTreeMap<String, &'static str>) {
        let kind = match v {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_f64() => "number",
            Value::Number(_) => "integer",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(members) => {
                for (k, m) in members {
                    let path = if at.is_empty() {
                        k.clone()
                    } else {
                        format!("{at}.{k}")
                    };
                    walk(m, path, out);
                }
                "object"
            }
        };
        out.insert(at, kind);
    }
    let mut out = BTreeMap::new();
    walk(v, String::new(), &mut out);
    out
}

#[tokio::test]
async fn a_test_through_a_surface_answers_what_the_upstream_reports_in_its_vendors_envelope() {
    let testers = testers();
    assert!(testers.len() >= 3, "too few dialects declare a test");
    let (mut compared, mut refused) = (0, 0);
    for s in &testers {
        // What the surface's own vendor answers a test with: its emulator's answer.
        let own_owner = sample_owner(&[s]);
        let (status, own) = tested(s, s, own_owner.as_deref()).await;
        assert_eq!(status, 200, "{}'s own emulator: {own}", s.name);
        let expected = shape(&own);
        for rule in s.test_result.rules.iter().filter(|r| r.response) {
            let at = rule.path.as_ref().map(ToString::to_string);
            let rendered = s.endpoint(TEST).unwrap().response.as_ref();
            // Where the result is the whole answer, each rule's member is in it.
            if let (Some(at), Some(true)) = (
                at,
                rendered.map(|t| t.path_of("result").is_some_and(|p| p.is_root())),
            ) {
                assert!(
                    expected.contains_key(&at),
                    "{}: the emulator's test answer lacks {at}: {own}",
                    s.name
                );
            }
        }
        for u in testers.iter().filter(|u| u.name != s.name) {
            let Some(owner) = sample_owner(&[s, u]).or_else(|| {
                (!s.has_owner() && !u.has_owner()).then(String::new) // no owner at all
            }) else {
                continue; // no owner is one of both: such a surface is refused at load
            };
            let owner = Some(owner.as_str()).filter(|o| !o.is_empty());
            let (status, answer) = tested(s, u, owner).await;
            let what = format!("a {} surface over {}", s.name, u.name);
            let unreported = never_reported(s, u);
            if !unreported.is_empty() {
                assert_eq!(status, 501, "{what}: {answer}");
                // Named as the client's API names them (Svix's `id`, not `event_id`).
                let said = answer.to_string();
                assert!(
                    (unreported.iter())
                        .all(|m| said.contains(&format!("`{}`", s.test_result.vendor_name(m)))),
                    "{what}: {said} names {unreported:?}"
                );
                refused += 1;
                continue;
            }
            // An event type asked of an upstream whose test sends its own is refused by name
            // rather than answered as sent.
            if !carries_event(s, u) {
                assert_eq!(status, 422, "{what}: {answer}");
                assert!(
                    answer.to_string().contains("sends only its own test event"),
                    "{what}: {answer}"
                );
                refused += 1;
                continue;
            }
            assert_eq!(status, 200, "{what}: {answer}");
            let got = shape(&answer);
            for (at, kind) in &got {
                assert_eq!(
                    expected.get(at),
                    Some(kind),
                    "{what}: `{at}` in {answer}, where {}'s own emulator answers {own}",
                    s.name
                );
            }
            // What the other vendor reports reaches the client, where its vendor has a place.
            for rule in s.test_result.rules.iter().filter(|r| r.response) {
                let name = rule.target.name();
                let reported = u.test_result.reading(&name).is_some_and(|r| r.response);
                if let (true, Some(at)) = (reported, rule.path.as_ref()) {
                    let at = at.to_string();
                    let at = at.trim_start_matches("$.");
                    assert!(got.contains_key(at), "{what}: `{at}` ({name}) in {answer}");
                }
            }
            compared += 1;
        }
    }
    assert!(compared >= 3, "only {compared} pairs compared");
    assert!(refused >= 1, "no test refused");
}

/// The members `s`'s test answer always holds (`render_required`) that `u`'s test never
/// reports; the event type is the client's own where `s`'s test names one, and the time it was
/// sent the time `u` answered.
/// Whether a test through a surface of `s` in front of `u` can send the event type its client
/// asks for: `s`'s test asks none, or `u`'s test takes one.
fn carries_event(s: &Dialect, u: &Dialect) -> bool {
    let takes = |d: &Dialect| {
        (d.endpoint(TEST).and_then(|e| e.body.as_ref()))
            .is_some_and(|b| b.slots().contains(&"current.events"))
    };
    !takes(s) || takes(u)
}

fn never_reported(s: &Dialect, u: &Dialect) -> Vec<String> {
    let asks_event = (s.endpoint(TEST).and_then(|e| e.body.as_ref()))
        .is_some_and(|b| b.slots().contains(&"current.events"));
    (s.test_result.rules.iter())
        .filter(|r| r.response && r.path.is_some() && r.render_required)
        .filter(|r| r.render_default.is_none() && !r.nullable)
        .map(|r| r.target.name())
        .filter(|name| !(asks_event && name == "event_type") && name != "sent_at")
        .filter(|name| !u.test_result.reading(name).is_some_and(|r| r.response))
        .collect()
}

/// The test operation of Talkover's OpenAPI description: its path after the server's base
/// path, segments that are parameters as `*`, and its 200 answer's schema.
fn documented_test() -> Option<(String, Value)> {
    let text = std::fs::read_to_string(format!("{SHARED}/talkover-openapi.json")).ok()?;
    let doc: Value = serde_json::from_str(&text).unwrap();
    let server = doc["servers"][0]["url"].as_str().unwrap();
    let base = server
        .splitn(4, '/')
        .nth(3)
        .map_or(String::new(), |p| format!("/{p}"));
    let (path, op) = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(p, v)| p.ends_with("/test") && v.get("post").is_some())
        .expect("a test operation");
    let schema = op["post"]["responses"]["200"]["content"]["application/json"]["schema"].clone();
    Some((
        pattern(&format!("{base}{path}"), |s| s.starts_with('{')),
        schema,
    ))
}

/// `path` with each segment `param` says is a parameter written `*`.
fn pattern(path: &str, param: impl Fn(&str) -> bool) -> String {
    path.split('/')
        .map(|s| if param(s) { "*" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

/// The body the vendor's documentation prints for a test's 200 (its table's `Test` row).
fn documented_body() -> Value {
    let text = std::fs::read_to_string(format!("{SHARED}/talkover.md")).unwrap();
    let row = text
        .lines()
        .find(|l| l.starts_with("| Test |"))
        .expect("the Test row");
    let printed = row
        .split("200 `")
        .nth(1)
        .unwrap()
        .split('`')
        .next()
        .unwrap();
    serde_json::from_str(printed).unwrap()
}

/// Where `v` is not as `schema` says, at every depth: a member of another type than the one
/// named, or a required one missing.
fn schema_misses(schema: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
    let typed = match schema["type"].as_str() {
        Some("object") => v.is_object(),
        Some("boolean") => v.is_boolean(),
        Some("integer") => v.is_i64() || v.is_u64(),
        Some("string") => v.is_string(),
        Some("array") => v.is_array(),
        _ => true,
    };
    if !typed {
        out.push(format!("{at}: not of type {}", schema["type"]));
        return;
    }
    let required: Vec<&str> = (schema["required"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .collect();
    if let Some(properties) = schema["properties"].as_object() {
        for (name, property) in properties {
            match v.get(name) {
                Some(member) => schema_misses(property, member, &format!("{at}.{name}"), out),
                None if required.contains(&name.as_str()) => {
                    out.push(format!("{at}.{name}: missing"))
                }
                None => {}
            }
        }
    }
}

#[tokio::test]
async fn a_talkover_shaped_test_answers_the_documented_body_in_front_of_every_vendor() {
    if !Path::new(SHARED).is_dir() {
        eprintln!("{SHARED} is not here: the vendors' documents are not checked against");
        return;
    }
    let (documented_path, schema) = documented_test().expect("Talkover's OpenAPI description");
    let printed = documented_body();
    let testers = testers();
    // The dialect whose test is the documented one, found by its path, not by its name.
    let s = testers
        .iter()
        .find(|d| {
            let path =
                d.endpoint(TEST)
                    .unwrap()
                    .path
                    .render(&[&d.base_path], Some("OWNER"), Some("ID"));
            pattern(&path, |seg| seg == "OWNER" || seg == "ID") == documented_path
        })
        .expect("a dialect of Talkover's test operation");
    let mut checked = 0;
    for u in &testers {
        let Some(owner) = sample_owner(&[s, u]) else {
            continue;
        };
        let (status, answer) = tested(s, u, Some(&owner)).await;
        let what = format!("a {} surface over {}", s.name, u.name);
        if !never_reported(s, u).is_empty() {
            assert_eq!(status, 501, "{what}: {answer}");
            continue;
        }
        assert_eq!(status, 200, "{what}: {answer}");
        assert!(answer.get("success").is_some(), "{what}: {answer}");
        let mut misses = Vec::new();
        schema_misses(&schema, &answer, "$", &mut misses);
        assert!(misses.is_empty(), "{what}: {answer}: {misses:?}");
        // Only the printed body's members, each of its type; its words as printed where the
        // delivery was reported a success.
        let printed_shape = shape(&printed);
        for (at, kind) in shape(&answer) {
            assert_eq!(
                printed_shape.get(&at),
                Some(&kind),
                "{what}: `{at}` in {answer}"
            );
        }
        if answer["success"] == json!(true) {
            assert_eq!(answer["message"], printed["message"], "{what}: {answer}");
        }
        checked += 1;
    }
    assert!(checked >= 2, "only {checked} upstreams checked");
}

#[tokio::test]
async fn a_test_through_a_surface_in_front_of_an_upstream_without_one_says_it_has_none() {
    // Every loaded dialect that declares no test, behind the surface of one that does (each
    // such surface in turn, the first whose owners fit).
    let mut all = hookgate::mapping::load_dir(Path::new(support::MAPPINGS)).unwrap();
    all.extend(hookgate::mapping::load_dir(Path::new(support::TEST_DIALECTS)).unwrap());
    let untested: Vec<&Dialect> = all.iter().filter(|d| d.endpoint(TEST).is_none()).collect();
    let testers = testers();
    let mut surfaces = std::collections::BTreeSet::new();
    let mut refused = 0;
    for (k, u) in untested.iter().enumerate() {
        let paired = (0..testers.len()).find_map(|turn| {
            let s = &testers[(k + turn) % testers.len()];
            let owner = sample_owner(&[s, u])
                .or_else(|| (!s.has_owner() && !u.has_owner()).then(String::new))?;
            Some((s, owner))
        });
        let Some((s, owner)) = paired else { continue };
        let owner = Some(owner.as_str()).filter(|o| !o.is_empty());
        let (status, answer) = tested(s, u, owner).await;
        let what = format!("a {} surface over {}", s.name, u.name);
        let said = answer.to_string();
        // An event type of the upstream's that the client's vendor would never take is
        // refused as that vendor refuses it, before anything else.
        if status == 422 && !said.contains("never reports") {
            continue;
        }
        assert_eq!(status, 501, "{what}: {answer}");
        // It has no test at all, rather than one that never reports a member.
        assert!(said.contains("does not support test"), "{what}: {said}");
        assert!(!said.contains("never reports"), "{what}: {said}");
        surfaces.insert(s.name.clone());
        refused += 1;
    }
    assert!(refused >= 3, "only {refused} pairs tried");
    assert!(surfaces.len() >= 2, "only the surfaces {surfaces:?} tried");
}
