//! Nothing lost, nothing invented, over loopback: the gateway in front of an emulator of every
//! loaded dialect, and vendor surfaces of every dialect in front of them.
//!
//! - A canonical merge patch changes only what it names: a merge into a member the vendor never
//!   reports back is refused (or, with `Prefer: handling=lenient`, skipped), and a random patch
//!   followed by a read gives the merge of the old webhook and the patch, or a refusal that
//!   changed nothing.
//! - A surface client's update keeps every member it did not send, nested ones included.
//! - An owner scope is never made up: a surface whose upstream keeps no owners serves only its
//!   configured owner.
//! - A required member refuses `null`, `""` and whitespace, on the canonical API and on
//!   surfaces, saying what is wrong with what was sent: `""` and whitespace alike cannot be
//!   empty; `null` in a change cannot clear it.
//!
//! Dialects are chosen by what their mapping files declare, never by name.

mod support;

use hookgate::mapping::checks::Check;
use hookgate::mapping::rules::{Rule, Target};
use hookgate::mapping::url::Format;
use hookgate::mapping::{Dialect, Role, load_dir};
use hookgate::model::{Action, Kind, UpdateMode, Upsert, apply_update};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Map, Value, json};
use std::net::SocketAddr;
use std::path::Path;
use support::{Answer, gateway, send};

/// The owner used wherever a dialect scopes webhooks by one (a UUID suits every owner format
/// but integers, which no shipped owner uses).
const OWNER: &str = "550e8400-e29b-41d4-a716-446655440000";
/// Another owner, in the same format.
const OTHER: &str = "550e8400-e29b-41d4-a716-446655440099";
const AUTH: (&str, &str) = ("authorization", "Bearer YOUR_TOKEN");
const LENIENT: (&str, &str) = ("prefer", "handling=lenient");

fn dialects() -> Vec<Dialect> {
    load_dir(Path::new(support::MAPPINGS)).expect("the shipped mapping files compile")
}

/// One emulated upstream per loaded dialect, named after it.
fn all_emulated(dialects: &[Dialect]) -> String {
    dialects
        .iter()
        .map(|d| {
            format!(
                "[upstreams.{0}]\ndialect = \"{0}\"\nemulate = true\n",
                d.name
            )
        })
        .collect()
}

/// An owner of the dialect's format, numbered.
fn owner_of(d: &Dialect, n: u32) -> Option<String> {
    d.owner.as_ref()?;
    Some(match d.owner_format {
        Some(Format::Integer) => (n + 1).to_string(),
        _ => format!("550e8400-e29b-41d4-a716-{:012}", n),
    })
}

/// The canonical collection path of an upstream.
fn base(d: &Dialect, owner: Option<&str>) -> String {
    match owner {
        Some(o) => format!("/v1/upstreams/{}/owners/{o}/webhooks", d.name),
        None => format!("/v1/upstreams/{}/webhooks", d.name),
    }
}

/// The rules a request to the dialect's webhook carries on `action`, one per canonical member.
fn writable(d: &Dialect, action: Action) -> Vec<&Rule> {
    let mut out: Vec<&Rule> = Vec::new();
    for r in &d.webhook.rules {
        if r.request
            && r.path.is_some()
            && r.applies_to(action)
            && !r.target.is_secret()
            && !out.iter().any(|o| o.target == r.target)
        {
            out.push(r);
        }
    }
    out
}

fn one_of(rule: &Rule) -> Option<&Vec<Value>> {
    rule.checks.iter().find_map(|c| match c {
        Check::OneOf(v) => Some(v),
        _ => None,
    })
}

fn has_check(rule: &Rule, f: impl Fn(&Check) -> bool) -> bool {
    rule.checks.iter().any(f)
}

/// A canonical value the rule takes, `alt` choosing among a few.
fn value(rule: &Rule, alt: usize) -> Value {
    let decode = |v: &Value| rule.codec.decode(v).unwrap_or_else(|_| v.clone());
    if let Some(choices) = one_of(rule) {
        let v = &choices[alt % choices.len()];
        return match &rule.target {
            Target::Field(f) if f.kind == Kind::StringList => json!([v]),
            _ => decode(v),
        };
    }
    if let Some((min, max)) = rule.checks.iter().find_map(|c| match c {
        Check::Range { min, max } => Some((*min, *max)),
        _ => None,
    }) {
        let v = if alt.is_multiple_of(2) {
            min.or(max)
        } else {
            max.or(min)
        };
        return decode(&Value::from(v.unwrap_or(alt as i64)));
    }
    let name = rule.target.name();
    match &rule.target {
        Target::Field(f) => match f.kind {
            Kind::String if name == "url" => json!(format!("https://hooks.example.com/{alt}")),
            Kind::String if name == "method" => json!(["POST", "PUT"][alt % 2]),
            Kind::String => json!(format!("Label {alt}")),
            Kind::Bool => json!(alt.is_multiple_of(2)),
            Kind::Integer => json!(10 + alt),
            Kind::StringList => json!([format!("order.created{alt}")]),
            Kind::StringMap => json!({"X-Keep": "kept", "X-Alt": format!("v{alt}")}),
            Kind::Object => json!({"keep": "kept", "alt": alt}),
        },
        Target::Extension(_) => {
            if has_check(rule, |c| matches!(c, Check::Items { .. })) {
                json!([format!("c{alt}")])
            } else if rule.unique_per_owner || has_check(rule, |c| matches!(c, Check::MinLength(_)))
            {
                json!(format!("x{alt}"))
            } else {
                json!({"keep": "kept", "alt": format!("v{alt}")})
            }
        }
    }
}

/// A whole canonical webhook the dialect takes on create: every member it carries.
fn full_body(d: &Dialect, alt: usize) -> Map<String, Value> {
    let mut body = Map::new();
    for rule in writable(d, Action::Create) {
        rule.target.set(&mut body, value(rule, alt));
    }
    body
}

/// Canonical members the dialect never reports back and whose values merge (maps, extension
/// objects): a partial change to them cannot be computed.
fn unreadable_maps(d: &Dialect) -> Vec<&Rule> {
    writable(d, Action::Update)
        .into_iter()
        .filter(|r| {
            let name = r.target.name();
            !d.webhook
                .rules
                .iter()
                .any(|o| o.target.is(&name) && o.response)
                && d.resource_of(&name).is_none()
                && value(r, 0).is_object()
        })
        .collect()
}

/// A double that answers a read and then a write with the vendor's `example`, and a gateway
/// in front of it that retries nothing.
async fn read_then_write(
    d: &Dialect,
    example: &Value,
) -> (support::Double, hookgate::app::Running) {
    let double = support::Double::start(vec![
        support::Reply::json(200, envelope(d, Action::Get, example)),
        support::Reply::json(200, envelope(d, Action::Update, example)),
    ])
    .await;
    let gw = gateway(&format!(
        "[upstreams.{0}]\ndialect = \"{0}\"\nbase_url = \"{1}\"\nauth = {{ type = \"passthrough\" }}\nretries = 0\n",
        d.name,
        double.url()
    ))
    .await;
    (double, gw)
}

fn text(a: &Answer) -> String {
    format!("{} {}", a.status, String::from_utf8_lossy(&a.body))
}

/// The webhooks an emulator stores, canonical (write-only members included, secrets not).
async fn stored(emulator: SocketAddr) -> Vec<Map<String, Value>> {
    let a = send(
        emulator,
        "GET",
        "/__hookgate/webhooks?shape=canonical",
        &[],
        None,
    )
    .await;
    assert_eq!(a.status, 200, "{}", text(&a));
    serde_json::from_value(a.json()["webhooks"].clone()).unwrap()
}

async fn stored_one(emulator: SocketAddr, id: &str) -> Map<String, Value> {
    stored(emulator)
        .await
        .into_iter()
        .find(|w| w.get("id").and_then(Value::as_str) == Some(id))
        .unwrap_or_else(|| panic!("no stored webhook {id}"))
}

/// A webhook without what every change moves (its update time and the status derived from it).
fn settled(mut w: Map<String, Value>) -> Map<String, Value> {
    w.shift_remove("updated_at");
    w.shift_remove("status");
    w.shift_remove("events_count");
    w
}

async fn create(addr: SocketAddr, path: &str, body: &Map<String, Value>) -> String {
    let a = send(addr, "POST", path, &[], Some(&Value::Object(body.clone()))).await;
    assert_eq!(a.status, 201, "create at {path}: {}", text(&a));
    a.json()["id"].as_str().unwrap().to_owned()
}

/// The field errors of a canonical problem, by field.
fn error_fields(a: &Answer) -> Vec<String> {
    a.json()["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str().map(str::to_owned))
        .collect()
}

// ------------------------------------------------------------------ 7. merges into unread members

#[tokio::test]
async fn a_merge_into_a_member_never_read_back_is_refused_or_left_alone() {
    let all = dialects();
    let gw = gateway(&all_emulated(&all)).await;
    let mut checked = 0;
    for d in &all {
        let blind = unreadable_maps(d);
        if blind.is_empty() {
            continue;
        }
        let owner = owner_of(d, 7);
        let path = base(d, owner.as_deref());
        let emu = gw.emulators[&d.name];
        let id = create(gw.addr, &path, &full_body(d, 0)).await;
        let mut before = settled(stored_one(emu, &id).await);
        for rule in &blind {
            let name = rule.target.name();
            let whole = value(rule, 0);
            let first = whole.as_object().unwrap().keys().next().unwrap().clone();
            let mut removal = Map::new();
            removal.insert(first.clone(), Value::Null);
            let mut addition = Map::new();
            addition.insert("X-Added".into(), json!("new"));
            for partial in [removal, addition] {
                refused_then_skipped(
                    gw.addr,
                    emu,
                    d,
                    (&format!("{path}/{id}"), &id),
                    rule,
                    partial,
                    &before,
                )
                .await;
            }
            // Clearing is a whole value: it goes through, and clears.
            let mut clear = Map::new();
            rule.target.set(&mut clear, Value::Null);
            let at = format!("{path}/{id}");
            let a = send(gw.addr, "PATCH", &at, &[], Some(&Value::Object(clear))).await;
            assert_eq!(a.status, 200, "{}: {}", d.name, text(&a));
            let after = stored_one(emu, &id).await;

            assert!(
                rule.target
                    .get(&after)
                    .is_none_or(|v| v.as_object().is_some_and(Map::is_empty)),
                "{}: {name} cleared: {after:?}",
                d.name
            );
            before = settled(after);
            checked += 1;
        }
    }
    assert!(
        checked > 0,
        "some loaded dialect has a member it never reports back"
    );
}

/// A partial change to a member the vendor never reports back: refused naming it, nothing
/// changed; with lenient handling, the rest of the change made and that member left alone.
async fn refused_then_skipped(
    gw: SocketAddr,
    emu: SocketAddr,
    d: &Dialect,
    (at, id): (&str, &str),
    rule: &Rule,
    partial: Map<String, Value>,
    before: &Map<String, Value>,
) {
    let name = rule.target.name();
    let mut patch = Map::new();
    rule.target.set(&mut patch, Value::Object(partial.clone()));
    let patch = Value::Object(patch);
    let a = send(gw, "PATCH", at, &[], Some(&patch)).await;
    assert_eq!(a.status, 422, "{}: {patch}: {}", d.name, text(&a));
    // What lenient handling drops is refused as what the upstream cannot carry.
    assert_eq!(
        a.json()["code"],
        "unsupported_field",
        "{}: {}",
        d.name,
        text(&a)
    );
    assert_eq!(
        error_fields(&a),
        std::slice::from_ref(&name),
        "{}: {}",
        d.name,
        text(&a)
    );
    let message = a.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("whole"),
        "{}: the refusal says to send the whole value: {message}",
        d.name
    );
    assert_eq!(settled(stored_one(emu, id).await), *before, "{}", d.name);

    // Lenient: the rest of the change is made, that member is left as it is.
    let mut both = patch.as_object().unwrap().clone();
    let label = writable(d, Action::Update)
        .into_iter()
        .find(|r| r.target.is("url"))
        .expect("every dialect writes url");
    label.target.set(&mut both, value(label, 1));
    let a = send(gw, "PATCH", at, &[LENIENT], Some(&Value::Object(both))).await;
    assert_eq!(a.status, 200, "{}: {}", d.name, text(&a));

    let dropped = a.header("hookgate-dropped-fields").unwrap_or_default();
    assert!(dropped.contains(&name), "{}: dropped {dropped:?}", d.name);
    let after = settled(stored_one(emu, id).await);
    assert_eq!(
        rule.target.get(&after),
        rule.target.get(before),
        "{}: {name} kept",
        d.name
    );
    assert_eq!(after.get("url"), Some(&value(label, 1)), "{}", d.name);
    // Back as it was.
    let undo = json!({"url": before["url"]});
    let a = send(gw, "PATCH", at, &[], Some(&undo)).await;
    assert_eq!(a.status, 200, "{}: {}", d.name, text(&a));
}

// ------------------------------------------------------------------ 7. the property

/// A random merge patch of the dialect's update members: each absent, a new value, `null`,
/// or (for an object) a partial change.
fn patch_strategy(d: &Dialect) -> BoxedStrategy<Map<String, Value>> {
    let parts: Vec<BoxedStrategy<Option<(Target, Value)>>> = writable(d, Action::Update)
        .into_iter()
        .map(|rule| {
            let target = rule.target.clone();
            let mut choices = vec![value(rule, 1), value(rule, 2), Value::Null];
            if let Value::Object(whole) = value(rule, 0) {
                let first = whole.keys().next().unwrap().clone();
                choices.push(json!({ first: null }));
                choices.push(json!({"X-Added": "new"}));
            }
            proptest::option::weighted(0.35, proptest::sample::select(choices))
                .prop_map(move |v| v.map(|v| (target.clone(), v)))
                .boxed()
        })
        .collect();
    parts
        .prop_map(|chosen| {
            let mut patch = Map::new();
            for (target, value) in chosen.into_iter().flatten() {
                target.set(&mut patch, value);
            }
            patch
        })
        .boxed()
}

/// A member's value. `null` and an empty map are no value, as in a merge patch (a vendor's
/// cleared header list reads back empty, a cleared nullable member as `null`).
fn member<'a>(w: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    match name.strip_prefix("extensions.") {
        Some(e) => w.get("extensions").and_then(|x| x.get(e)),
        None => w.get(name),
    }
    .filter(|v| !v.is_null() && !v.as_object().is_some_and(Map::is_empty))
}

/// Whether `value` is what the dialect's answers show for field `name` when it has none.
fn shown_for_none(d: &Dialect, name: &str, value: &Value) -> bool {
    let rule = d
        .webhook
        .rules
        .iter()
        .find(|r| r.response && r.target.is(name));
    rule.and_then(|r| r.codec.decode(r.render_default.as_ref()?).ok())
        .is_some_and(|none| &none == value)
}

/// Every member of either webhook.
fn members(a: &Map<String, Value>, b: &Map<String, Value>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in [a, b] {
        for (k, v) in w {
            match (k.as_str(), v) {
                ("extensions", Value::Object(ext)) => {
                    out.extend(ext.keys().map(|e| format!("extensions.{e}")))
                }
                _ => out.push(k.clone()),
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// What one random patch did: its status and answer, the stored webhook before and after, and
/// what a read showed before and after.
type Outcome = (
    u16,
    String,
    Map<String, Value>,
    Map<String, Value>,
    Value,
    Value,
);

/// Whether the patch was merged; an error where it changed what it did not name, or changed
/// anything though refused.
fn judge(
    d: &Dialect,
    patch: &Map<String, Value>,
    (status, answer, before, after, read_before, read_after): Outcome,
) -> Result<bool, TestCaseError> {
    match status {
        200 => {
            let expected = apply_update(&before, patch, UpdateMode::Merge);
            for m in members(&expected, &after) {
                prop_assert_eq!(
                    member(&after, &m),
                    member(&expected, &m),
                    "{}: `{}` after {:?}: {}",
                    &d.name,
                    &m,
                    patch,
                    &answer
                );
            }
            // What a read shows is the merge of what it showed before and the patch, for every
            // member it shows.
            let shown_before: Map<String, Value> = serde_json::from_value(read_before).unwrap();
            let shown_after: Map<String, Value> = serde_json::from_value(read_after).unwrap();
            let shown_expected = apply_update(&shown_before, patch, UpdateMode::Merge);
            for m in members(&shown_before, &shown_after) {
                if matches!(m.as_str(), "updated_at" | "status" | "events_count") {
                    continue;
                }
                // A member the vendor answers for none (its `render_default`: Resemble's
                // `assignments: []` on a `pre_call` webhook) is none.
                if member(&shown_expected, &m).is_none()
                    && member(&shown_after, &m).is_some_and(|v| shown_for_none(d, &m, v))
                {
                    continue;
                }
                prop_assert_eq!(
                    member(&shown_after, &m),
                    member(&shown_expected, &m),
                    "{}: read `{}` after {:?}",
                    &d.name,
                    &m,
                    patch
                );
            }
            Ok(true)
        }
        400 | 409 | 422 => {
            prop_assert_eq!(
                &after,
                &before,
                "{}: refused, yet changed: {}",
                &d.name,
                &answer
            );
            Ok(false)
        }
        other => Err(TestCaseError::fail(format!(
            "{}: {other} for {patch:?}: {answer}",
            d.name
        ))),
    }
}

#[test]
fn a_random_merge_patch_changes_what_it_names_and_nothing_else() {
    let all = dialects();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let gw = runtime.block_on(gateway(&all_emulated(&all)));
    for d in &all {
        let emu = gw.emulators[&d.name];
        let merged = std::cell::Cell::new(0u32);
        let n = std::cell::Cell::new(100u32);
        let mut runner = TestRunner::new(Config {
            cases: 48,
            failure_persistence: None,
            ..Config::default()
        });
        let result = runner.run(&patch_strategy(d), |patch| {
            n.set(n.get() + 1);
            let owner = owner_of(d, n.get());
            let path = base(d, owner.as_deref());
            let outcome: Outcome = runtime.block_on(async {
                let id = create(gw.addr, &path, &full_body(d, 0)).await;
                let at = format!("{path}/{id}");
                let before = settled(stored_one(emu, &id).await);
                let read_before = send(gw.addr, "GET", &at, &[], None).await.json();
                let body = Value::Object(patch.clone());
                let a = send(gw.addr, "PATCH", &at, &[], Some(&body)).await;
                let after = settled(stored_one(emu, &id).await);
                let read_after = send(gw.addr, "GET", &at, &[], None).await.json();
                send(gw.addr, "DELETE", &at, &[], None).await;
                (a.status, text(&a), before, after, read_before, read_after)
            });
            let merges = judge(d, &patch, outcome)?;
            merged.set(merged.get() + u32::from(merges));
            Ok(())
        });
        if let Err(e) = result {
            panic!("{e}");
        }
        assert!(merged.get() > 0, "{}: some random patch was merged", d.name);
    }
}

// ------------------------------------------------------------------ surfaces

/// A gateway with one emulated upstream of `upstream`'s dialect and a surface of every loaded
/// dialect in front of it, each under `/surfaces/<dialect>`; where only one side has an owner
/// scope, the surface bridges [`OWNER`].
async fn surfaces_over(all: &[Dialect], upstream: &Dialect) -> hookgate::app::Running {
    gateway(&surfaces_config(all, upstream, true)).await
}

fn surfaces_config(all: &[Dialect], upstream: &Dialect, with_owner: bool) -> String {
    let mut toml = format!(
        "listen = \"127.0.0.1:0\"\n[upstreams.{0}]\ndialect = \"{0}\"\nemulate = true\n",
        upstream.name
    );
    for s in all {
        toml.push_str(&format!(
            "[surfaces.{0}]\ndialect = \"{0}\"\nupstream = \"{1}\"\nprefix = \"/surfaces/{0}\"\n",
            s.name, upstream.name
        ));
        if with_owner && s.has_owner() != upstream.has_owner() {
            toml.push_str(&format!("owner = \"{OWNER}\"\n"));
        }
    }
    toml
}

/// Plants a canonical webhook at an emulator, as stored; returns it.
async fn seed(
    emu: SocketAddr,
    owner: Option<&str>,
    webhook: &Map<String, Value>,
) -> Map<String, Value> {
    let mut doc = json!({"shape": "canonical", "webhooks": [webhook]});
    if let Some(o) = owner {
        doc["owner"] = json!(o);
        doc["webhooks"][0]["owner"] = json!(o);
    }
    let a = send(emu, "POST", "/__hookgate/webhooks", &[], Some(&doc)).await;
    assert_eq!(a.status, 201, "seed: {}", text(&a));
    serde_json::from_value(a.json()["webhooks"][0].clone()).unwrap()
}

async fn clear(emu: SocketAddr) {
    let a = send(emu, "DELETE", "/__hookgate/webhooks", &[], None).await;
    assert_eq!(a.status, 204, "{}", text(&a));
}

/// The rule by which `d` writes canonical member `name`, in the webhook or a resource.
fn rule_of<'d>(d: &'d Dialect, name: &str) -> Option<&'d Rule> {
    let carried = |r: &&Rule| r.target.is(name) && r.request && r.path.is_some();
    d.webhook.rules.iter().find(carried).or_else(|| {
        d.resources
            .iter()
            .filter(|r| r.replace.is_some() || r.update.is_some())
            .find_map(|r| r.fields.rules.iter().find(carried))
    })
}

/// A surface client's request of `role` for webhook `id`: method, path and vendor body.
fn surface_request(
    s: &Dialect,
    role: Role,
    id: &str,
    owner: Option<&str>,
    body: Value,
) -> Option<(String, String, Value)> {
    let endpoint = s.endpoint(role)?;
    let path = endpoint.path.render(&[&s.base_path], owner, Some(id));
    let slot = move |name: &str| (name == "webhook").then(|| body.clone());
    let body = endpoint
        .body
        .as_ref()
        .and_then(|t| t.render(&slot))
        .unwrap_or(Value::Null);
    Some((
        endpoint.method.to_string(),
        format!("/surfaces/{}{path}", s.name),
        body,
    ))
}

/// Canonical members a surface client of `s` can change on update that `u` keeps.
fn shared_members(s: &Dialect, u: &Dialect) -> Vec<String> {
    writable(s, Action::Update)
        .into_iter()
        .map(|r| r.target.name())
        .filter(|name| {
            u.webhook.carries(name, Action::Update)
                && u.webhook
                    .rules
                    .iter()
                    .any(|r| r.target.is(name) && r.path.is_some())
                || u.resource_of(name).is_some()
        })
        .collect()
}

/// The sets of members a surface test sends: each member alone, and each group of members
/// that share a top-level vendor member, less one.
fn member_sets(s: &Dialect, members: &[String]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = members.iter().map(|m| vec![m.clone()]).collect();
    let head = |m: &String| {
        rule_of(s, m)
            .and_then(|r| r.path.as_ref())
            .and_then(|p| p.head().map(str::to_owned))
    };
    for m in members {
        let group: Vec<String> = members
            .iter()
            .filter(|o| head(o) == head(m) && *o != m)
            .cloned()
            .collect();
        if !group.is_empty() {
            out.push(group);
        }
    }
    out
}

#[tokio::test]
async fn a_surface_update_keeps_every_member_it_does_not_send() {
    let all = dialects();
    let mut nested = 0;
    let mut checked = 0;
    for u in &all {
        let gw = surfaces_over(&all, u).await;
        let emu = gw.emulators[&u.name];
        let u_owner = u.has_owner().then_some(OWNER);
        for s in all
            .iter()
            .filter(|s| s.endpoint(Role::Action(Action::Update)).is_some())
        {
            let s_owner = s.has_owner().then_some(OWNER);
            let shared = shared_members(s, u);
            for sent in member_sets(s, &shared) {
                let mut change = Map::new();
                for m in &sent {
                    let rule = rule_of(u, m).or_else(|| rule_of(s, m)).unwrap();
                    rule.target.set(&mut change, value(rule, 1));
                }
                let Ok(written) = s.webhook.write(Action::Update, &change, false) else {
                    continue; // a value the client's dialect cannot spell
                };
                clear(emu).await;
                let before = settled(seed(emu, u_owner, &full_body(u, 0)).await);
                let id = before["id"].as_str().unwrap().to_owned();
                let (method, path, body) =
                    surface_request(s, Role::Action(Action::Update), &id, s_owner, written.body)
                        .unwrap();
                let a = send(gw.addr, &method, &path, &[AUTH], Some(&body)).await;
                let what = format!("{} over {}: {method} {path} {body}", s.name, u.name);
                assert!((200..300).contains(&a.status), "{what}: {}", text(&a));
                let after = settled(stored_one(emu, &id).await);
                let expected = apply_update(&before, &change, UpdateMode::Members);
                for m in members(&expected, &after) {
                    assert_eq!(
                        member(&after, &m),
                        member(&expected, &m),
                        "{what}: `{m}` (sent {sent:?})"
                    );
                }
                checked += 1;
                if sent.len() > 1 {
                    nested += 1;
                }
            }
        }
        clear(emu).await;
    }
    assert!(
        checked > 0 && nested > 0,
        "{checked} updates, {nested} of nested members"
    );
}

/// Whether `u` never reports canonical member `name`: no rule reads it from its answers, no
/// resource of its holds it, and none implies it.
fn never_reported(u: &Dialect, name: &str) -> bool {
    let read = u.webhook.reading(name).is_some_and(|r| r.response);
    let implied = (u.webhook.rules.iter()).any(|r| r.target.is(name) && r.implied.is_some());
    !read && !implied && u.resource_of(name).is_none()
}

#[tokio::test]
async fn a_surface_replacement_never_resets_what_its_client_could_not_see() {
    let mut all = dialects();
    all.extend(load_dir(Path::new(support::TEST_DIALECTS)).expect("the test dialects compile"));
    let (mut refused, mut kept) = (0, 0);
    for u in all
        .iter()
        .filter(|u| !u.has_owner() || u.admits_owner(OWNER))
    {
        // Surfaces whose full replacement writes a member they show, that `u` keeps and never
        // reports: a read through the surface shows none of it.
        let mut pairs: Vec<(Dialect, Vec<&Rule>)> = Vec::new();
        for s in &all {
            let owners_alike = !(s.has_owner() && u.has_owner())
                || (s.owner_segments == u.owner_segments && s.admits_owner(OWNER));
            let presented = s.client_auth_parts.is_empty()
                && hookgate::auth::present(&s.client_auth, "t0ken-any").is_some();
            if s.endpoint(Role::Replace).is_none() || s.name == u.name || !owners_alike {
                continue;
            }
            if !presented && !matches!(s.client_auth, hookgate::mapping::model::ClientAuth::None) {
                continue;
            }
            let unseen: Vec<&Rule> = writable(s, Action::Update)
                .into_iter()
                .filter(|r| {
                    let name = r.target.name();
                    s.webhook.reading(&name).is_some_and(|x| x.response)
                        && u.webhook.carries(&name, Action::Update)
                        && never_reported(u, &name)
                })
                .collect();
            if !unseen.is_empty() {
                pairs.push((s.clone(), unseen));
            }
        }
        if pairs.is_empty() {
            continue;
        }
        let surfaces: Vec<Dialect> = pairs.iter().map(|(s, _)| s.clone()).collect();
        let gw = gateway(&format!(
            "mappings_dir = {:?}\n{}",
            support::TEST_DIALECTS,
            surfaces_config(&surfaces, u, true)
        ))
        .await;
        let emu = gw.emulators[&u.name];
        let u_owner = u.has_owner().then_some(OWNER);
        for (s, unseen) in &pairs {
            let s_owner = s.has_owner().then_some(OWNER);
            let key = hookgate::auth::present(&s.client_auth, "t0ken-any");
            let key: Vec<(&str, &str)> = key
                .iter()
                .map(|(n, v)| (n.as_str(), v.to_str().unwrap()))
                .collect();
            for rule in unseen {
                let name = rule.target.name();
                clear(emu).await;
                let before = settled(seed(emu, u_owner, &full_body(u, 0)).await);
                assert!(
                    rule.target.get(&before).is_some(),
                    "{name} planted at {}",
                    u.name
                );
                let id = before["id"].as_str().unwrap().to_owned();
                // What the surface's client read, written back whole: every member it writes
                // as stored, but the one no read showed it.
                let mut echo = Map::new();
                for r in writable(s, Action::Update) {
                    if let Some(v) = r.target.get(&before).filter(|_| r.target != rule.target) {
                        r.target.set(&mut echo, v.clone());
                    }
                }
                let Ok(written) = s.webhook.write(Action::Update, &echo, false) else {
                    continue;
                };
                let (method, path, body) =
                    surface_request(s, Role::Replace, &id, s_owner, written.body).unwrap();
                let a = send(gw.addr, &method, &path, &key, Some(&body)).await;
                let what = format!("{} over {}: `{name}` left out of {body}", s.name, u.name);
                assert!((400..500).contains(&a.status), "{what}: {}", text(&a));
                // Named, in words where the vendor's errors carry words (some carry codes only).
                let member = rule.path.as_ref().unwrap().to_string();
                let member = member.rsplit(['.', '$']).next().unwrap().to_owned();
                assert!(
                    text(&a).contains("would be reset") || text(&a).contains(&member),
                    "{what}: {}",
                    text(&a)
                );
                assert_eq!(settled(stored_one(emu, &id).await), before, "{what}");
                refused += 1;
                // Sent back as the surface shows none of it (its `render_default`), it is left
                // as it is.
                let Some(shown) =
                    (rule.render_default.as_ref()).and_then(|d| rule.codec.decode(d).ok())
                else {
                    continue;
                };
                rule.target.set(&mut echo, shown);
                // So are the members it shows with no value that `u` cannot hold at all.
                for r in s.webhook.rules.iter().filter(|r| r.request && r.ops.update) {
                    let unheld = !u.webhook.carries(&r.target.name(), Action::Update);
                    let none = r
                        .render_default
                        .as_ref()
                        .and_then(|d| r.codec.decode(d).ok());
                    if let Some(none) = none.filter(|_| unheld) {
                        r.target.set(&mut echo, none);
                    }
                }
                let written = s.webhook.write(Action::Update, &echo, false).unwrap();
                let (method, path, body) =
                    surface_request(s, Role::Replace, &id, s_owner, written.body).unwrap();
                let a = send(gw.addr, &method, &path, &key, Some(&body)).await;
                let what = format!(
                    "{} over {}: `{name}` sent as shown in {body}",
                    s.name, u.name
                );
                assert!((200..300).contains(&a.status), "{what}: {}", text(&a));
                let after = stored_one(emu, &id).await;
                assert_eq!(rule.target.get(&after), rule.target.get(&before), "{what}");
                kept += 1;
            }
        }
        gw.stop().await;
    }
    assert!(refused > 0 && kept > 0, "{refused} refused, {kept} kept");
}

// ------------------------------------------------------------------ 9. owner scope

/// An id of the dialect's format that names no webhook.
fn missing_id(d: &Dialect) -> String {
    match d.id_format {
        Some(Format::Integer) => "987654".into(),
        Some(Format::Uuid) => "0199a1b2-0000-7000-8000-000000000999".into(),
        _ => "missing-webhook".into(),
    }
}

/// A JSON document's shape: its object keys at every level, request ids aside.
fn shape(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.to_ascii_lowercase().contains("request_id"))
                .map(|(k, v)| (k.clone(), shape(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().take(1).map(shape).collect()),
        _ => Value::Null,
    }
}

/// Without an owner said, a surface and an upstream that differ in owner scope do not start.
fn refused_without_owner(s: &Dialect, u: &Dialect) {
    let toml = format!(
        "mappings_dir = {:?}\n{}\n[inbound_auth]\nmode = \"off\"\n",
        support::MAPPINGS,
        surfaces_config(std::slice::from_ref(s), u, false)
    );
    let figment = figment::Figment::from(figment::providers::Serialized::defaults(
        hookgate::config::RawConfig::default(),
    ))
    .merge(<figment::providers::Toml as figment::providers::Format>::string(&toml));
    let config = hookgate::config::from_figment(&figment, "test").unwrap();
    let refused = hookgate::setup::load(config).err().map(|e| e.to_string());
    assert!(
        refused
            .as_deref()
            .is_some_and(|e| e.contains(&format!("surfaces.{}.owner", s.name))),
        "{} over {} without an owner: {refused:?}",
        s.name,
        u.name
    );
}

/// Every operation on webhook `id` but list and create, asked under [`OTHER`].
async fn as_another_owner(
    gw: SocketAddr,
    s: &Dialect,
    u: &Dialect,
    id: &str,
) -> Vec<(String, Answer)> {
    let change = s
        .webhook
        .write(Action::Update, &full_body(u, 1), true)
        .map(|t| t.body)
        .unwrap_or(json!({}));
    let mut answers = Vec::new();
    for role in s.operations.iter().map(|o| o.role) {
        if matches!(role, Role::Action(Action::List | Action::Create)) {
            continue;
        }
        let (m, p, b) = surface_request(s, role, id, Some(OTHER), change.clone()).unwrap();
        let body = (!b.is_null()).then_some(b);
        let a = send(gw, &m, &p, &[AUTH], body.as_ref()).await;
        answers.push((format!("{m} {p}"), a));
    }
    answers
}

#[tokio::test]
async fn a_surface_over_an_upstream_without_owners_serves_its_one_owner_only() {
    let all = dialects();
    let mut pairs = 0;
    for u in all.iter().filter(|u| !u.has_owner()) {
        for s in all.iter().filter(|s| s.has_owner()) {
            refused_without_owner(s, u);
        }
        let gw = surfaces_over(&all, u).await;
        let emu = gw.emulators[&u.name];
        for s in all.iter().filter(|s| s.has_owner()) {
            clear(emu).await;
            let planted = seed(emu, None, &full_body(u, 0)).await;
            let id = planted["id"].as_str().unwrap().to_owned();
            let stored_before = stored(emu).await;
            let list = |owner: &str| {
                let e = s.endpoint(Role::Action(Action::List)).unwrap();
                format!(
                    "/surfaces/{}{}",
                    s.name,
                    e.path.render(&[&s.base_path], Some(owner), None)
                )
            };
            // The configured owner sees the webhook.
            let mine = send(gw.addr, "GET", &list(OWNER), &[AUTH], None).await;
            assert_eq!(mine.status, 200, "{}: {}", s.name, text(&mine));
            assert!(
                String::from_utf8_lossy(&mine.body).contains(&id),
                "{}",
                s.name
            );
            let (m, p, _) =
                surface_request(s, Role::Action(Action::Get), &id, Some(OWNER), Value::Null)
                    .unwrap();
            let got = send(gw.addr, &m, &p, &[AUTH], None).await;
            assert_eq!(got.status, 200, "{}: {}", s.name, text(&got));
            // Not found in the surface's own shape, as an unknown webhook is.
            let (m, p, _) = surface_request(
                s,
                Role::Action(Action::Get),
                &missing_id(u),
                Some(OWNER),
                Value::Null,
            )
            .unwrap();
            let unknown = send(gw.addr, &m, &p, &[AUTH], None).await;
            assert_eq!(unknown.status, 404, "{}: {}", s.name, text(&unknown));
            // Any other owner names nothing: listing, reading, changing or deleting.
            let theirs = send(gw.addr, "GET", &list(OTHER), &[AUTH], None).await;
            let mut answers = vec![("list".to_owned(), theirs)];
            answers.extend(as_another_owner(gw.addr, s, u, &id).await);
            for (what, a) in &answers {
                assert_eq!(
                    a.status,
                    404,
                    "{} over {}: {what}: {}",
                    s.name,
                    u.name,
                    text(a)
                );
                assert_eq!(
                    shape(&a.json()),
                    shape(&unknown.json()),
                    "{} over {}: {what}: in the surface's shape",
                    s.name,
                    u.name
                );
                assert!(!String::from_utf8_lossy(&a.body).contains(&id), "{what}");
            }
            assert_eq!(
                stored(emu).await,
                stored_before,
                "{} over {}",
                s.name,
                u.name
            );
            pairs += 1;
        }
        clear(emu).await;
    }
    assert!(
        pairs > 0,
        "some owner-scoped dialect over some dialect without owners"
    );
}

#[tokio::test]
async fn a_surface_without_owners_over_an_owner_scoped_upstream_sees_its_owner_only() {
    let all = dialects();
    let mut pairs = 0;
    for u in all.iter().filter(|u| u.has_owner()) {
        let gw = surfaces_over(&all, u).await;
        let emu = gw.emulators[&u.name];
        for s in all.iter().filter(|s| !s.has_owner()) {
            clear(emu).await;
            let mine = seed(emu, Some(OWNER), &full_body(u, 0)).await;
            let theirs = seed(emu, Some(OTHER), &full_body(u, 0)).await;
            let e = s.endpoint(Role::Action(Action::List)).unwrap();
            let path = format!(
                "/surfaces/{}{}",
                s.name,
                e.path.render(&[&s.base_path], None, None)
            );
            let a = send(gw.addr, "GET", &path, &[AUTH], None).await;
            assert_eq!(a.status, 200, "{}: {}", s.name, text(&a));
            let listed = String::from_utf8_lossy(&a.body).to_string();
            let id = |w: &Map<String, Value>| w["id"].as_str().unwrap().to_owned();
            assert!(
                listed.contains(&format!("\"{}\"", id(&mine)))
                    || listed.contains(&format!(":{}", id(&mine))),
                "{}: {listed}",
                s.name
            );
            assert!(
                !listed.contains(&format!("\"{}\"", id(&theirs))),
                "{}: {listed}",
                s.name
            );
            let (m, p, _) = surface_request(
                s,
                Role::Action(Action::Get),
                &id(&theirs),
                None,
                Value::Null,
            )
            .unwrap();
            let a = send(gw.addr, &m, &p, &[AUTH], None).await;
            assert_eq!(a.status, 404, "{} over {}: {}", s.name, u.name, text(&a));
            pairs += 1;
        }
        clear(emu).await;
    }
    assert!(pairs > 0);
}

// ------------------------------------------------------------------ 10. required members

/// Required string members a request of `action` carries, with the rule.
fn required_strings(d: &Dialect, action: Action) -> Vec<&Rule> {
    writable(d, action)
        .into_iter()
        .filter(|r| has_check(r, |c| matches!(c, Check::Required)) && value(r, 0).is_string())
        .collect()
}

/// A body with request ids taken out, to compare answers.
fn without_ids(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.to_ascii_lowercase().contains("request_id"))
                .map(|(k, v)| (k.clone(), without_ids(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

const BLANKS: [&str; 3] = ["null", "\"\"", "\"  \\t \""];

#[tokio::test]
async fn a_required_member_refuses_null_empty_and_blank_saying_which_on_the_canonical_api() {
    let all = dialects();
    let gw = gateway(&all_emulated(&all)).await;
    let mut checked = 0;
    for d in &all {
        let owner = owner_of(d, 3);
        let path = base(d, owner.as_deref());
        let emu = gw.emulators[&d.name];
        let id = create(gw.addr, &path, &full_body(d, 0)).await;
        let before = settled(stored_one(emu, &id).await);
        for rule in required_strings(d, Action::Update) {
            let name = rule.target.name();
            let mut answers = Vec::new();
            for blank in BLANKS {
                let mut patch = Map::new();
                rule.target
                    .set(&mut patch, serde_json::from_str(blank).unwrap());
                let a = send(
                    gw.addr,
                    "PATCH",
                    &format!("{path}/{id}"),
                    &[],
                    Some(&Value::Object(patch)),
                )
                .await;
                assert_eq!(a.status, 422, "{}: {name} = {blank}: {}", d.name, text(&a));
                assert_eq!(
                    error_fields(&a),
                    std::slice::from_ref(&name),
                    "{}: {}",
                    d.name,
                    text(&a)
                );
                answers.push(a.json()["errors"].clone());
                assert_eq!(settled(stored_one(emu, &id).await), before, "{}", d.name);
            }
            // Sent, the member is not missing: the refusal says what is wrong with it.
            let said = |i: usize| {
                answers[i][0]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            };
            assert!(
                said(0).starts_with("cannot be cleared"),
                "{}: {name}: {answers:?}",
                d.name
            );
            assert_eq!(
                said(1),
                "cannot be empty",
                "{}: {name}: {answers:?}",
                d.name
            );
            assert!(
                answers[1..].windows(2).all(|w| w[0] == w[1]),
                "{}: {name}: {answers:?}",
                d.name
            );
            checked += 1;
        }
        for rule in required_strings(d, Action::Create) {
            let name = rule.target.name();
            let mut answers = Vec::new();
            for blank in BLANKS {
                let mut body = full_body(d, 1);
                rule.target
                    .set(&mut body, serde_json::from_str(blank).unwrap());
                let a = send(gw.addr, "POST", &path, &[], Some(&Value::Object(body))).await;
                assert_eq!(a.status, 422, "{}: {name} = {blank}: {}", d.name, text(&a));
                assert_eq!(
                    error_fields(&a),
                    std::slice::from_ref(&name),
                    "{}: {}",
                    d.name,
                    text(&a)
                );
                answers.push(a.json()["errors"].clone());
            }
            // A create's `null` gives no value: it is missing; `""` and whitespace were sent.
            assert_eq!(
                answers[0][0]["message"], "is required",
                "{}: {name}",
                d.name
            );
            assert_eq!(
                answers[1][0]["message"], "cannot be empty",
                "{}: {name}",
                d.name
            );
            assert!(
                answers[1..].windows(2).all(|w| w[0] == w[1]),
                "{}: {name}: {answers:?}",
                d.name
            );
        }
    }
    assert!(checked > 1, "required string members exist");
}

#[tokio::test]
async fn a_required_member_refuses_null_empty_and_blank_saying_which_on_surfaces() {
    let all = dialects();
    let mut checked = 0;
    for u in &all {
        let gw = surfaces_over(&all, u).await;
        let emu = gw.emulators[&u.name];
        let u_owner = u.has_owner().then_some(OWNER);
        clear(emu).await;
        let planted = seed(emu, u_owner, &full_body(u, 0)).await;
        let id = planted["id"].as_str().unwrap().to_owned();
        let before = stored(emu).await;
        for s in &all {
            let s_owner = s.has_owner().then_some(OWNER);
            for (role, action) in [
                (Role::Action(Action::Update), Action::Update),
                (Role::Replace, Action::Update),
                (Role::Action(Action::Create), Action::Create),
            ] {
                if s.endpoint(role).is_none() {
                    continue;
                }
                for rule in required_strings(s, action) {
                    let mut canonical = full_body(s, 0);
                    if let Some(events) = rule_of(u, "events") {
                        events.target.set(&mut canonical, value(events, 0));
                    }
                    let Ok(written) = s.webhook.write(action, &canonical, true) else {
                        continue;
                    };
                    let mut answers = Vec::new();
                    for blank in BLANKS {
                        let mut body = written.body.clone();
                        rule.path
                            .as_ref()
                            .unwrap()
                            .set(&mut body, serde_json::from_str(blank).unwrap());
                        let (m, p, b) = surface_request(s, role, &id, s_owner, body).unwrap();
                        let a = send(gw.addr, &m, &p, &[AUTH], Some(&b)).await;
                        let what = format!("{} over {}: {m} {p} {b}", s.name, u.name);
                        assert!(matches!(a.status, 400 | 422), "{what}: {}", text(&a));
                        let said = String::from_utf8_lossy(&a.body).to_string();
                        assert!(
                            said.contains(&rule.error_field)
                                || rule.message("required").is_some_and(|m| said.contains(m)),
                            "{what}: names `{}`: {said}",
                            rule.error_field
                        );
                        answers.push((a.status, without_ids(&a.json())));
                    }
                    // `""` and whitespace alike; `null` is refused too, in words of its own.
                    assert!(
                        answers[1..].windows(2).all(|w| w[0] == w[1]),
                        "{} over {}: {:?}: {answers:?}",
                        s.name,
                        u.name,
                        rule.target.name()
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(
            stored(emu).await,
            before,
            "over {}: nothing changed",
            u.name
        );
        clear(emu).await;
    }
    assert!(checked > 0);
}

// ------------------------------------------------------------------ 7. against the vendor's own bodies

/// The dialect's answer to `action`, around a webhook object (its documented example).
fn envelope(d: &Dialect, action: Action, webhook: &Value) -> Value {
    let template = d.operation(action).and_then(|e| e.response.as_ref());
    let slot = |name: &str| (name == "webhook").then(|| webhook.clone());
    template
        .and_then(|t| t.render(&slot))
        .unwrap_or_else(|| webhook.clone())
}

/// Where a read-merge-write vendor keeps several members inside one: clearing one of them
/// sends the containing member whole, the cleared one as the vendor spells "cleared", and every
/// sibling as the vendor's documented object holds it.
#[tokio::test]
async fn a_read_merge_write_clears_one_nested_member_and_keeps_its_siblings() {
    let mut checked = 0;
    for d in dialects() {
        let Some(update) = d.operation(Action::Update) else {
            continue;
        };
        let Some(example) = d.examples.first() else {
            continue;
        };
        if update.strategy != hookgate::mapping::Strategy::ReadMergeWrite {
            continue;
        }
        let current = d.webhook.read(example).unwrap();
        let owner = owner_of(&d, 1);
        let id = current["id"].as_str().unwrap().to_owned();
        // Members nested inside another, present in the example, that a change may clear.
        let nested = writable(&d, Action::Update).into_iter().filter(|r| {
            let deep = r.path.as_ref().is_some_and(|p| p.to_string().contains('.'));
            let clearable = matches!(r.target, Target::Extension(_)) || r.nullable;
            deep && clearable && r.target.get(&current).is_some()
        });
        for rule in nested {
            let path = rule.path.as_ref().unwrap();
            let head = path.head().unwrap().to_owned();
            let (double, gw) = read_then_write(&d, example).await;
            let mut patch = Map::new();
            rule.target.set(&mut patch, Value::Null);
            let at = format!("{}/{id}", base(&d, owner.as_deref()));
            let a = send(gw.addr, "PATCH", &at, &[AUTH], Some(&Value::Object(patch))).await;
            assert_eq!(a.status, 200, "{}: {}", d.name, text(&a));
            let seen = double.seen();
            let write = seen.last().unwrap().json().unwrap();
            let what = format!("{}: clearing {} sent {write}", d.name, rule.target.name());
            assert!(path.get(&write).is_some(), "{what}: the clear is sent");
            // Every sibling inside the member sent whole is as the vendor holds it.
            for other in d
                .webhook
                .rules
                .iter()
                .filter(|o| o.request && o.target != rule.target)
            {
                let Some(p) = &other.path else { continue };
                if p.head() == Some(head.as_str()) && p.get(example).is_some() {
                    assert_eq!(p.get(&write), p.get(example), "{what}: {p} kept");
                }
            }
            checked += 1;
        }
    }
    assert!(
        checked > 0,
        "some read-merge-write dialect nests clearable members"
    );
}

/// Against a double that answers with the vendor's documented object (which never holds the
/// member): a partial change to a member never reported back reaches the vendor in no form,
/// and with lenient handling the rest of the change goes without it.
#[tokio::test]
async fn a_merge_into_a_member_never_read_back_never_reaches_the_vendor() {
    let mut checked = 0;
    for d in dialects() {
        let Some(example) = d.examples.first() else {
            continue;
        };
        let current = d.webhook.read(example).unwrap();
        let id = current["id"].as_str().unwrap().to_owned();
        // The owner the double's answers name: the example's.
        let at = format!("{}/{id}", base(&d, support::owner(&d).as_deref()));
        for rule in unreadable_maps(&d) {
            let (double, gw) = read_then_write(&d, example).await;
            let mut patch = Map::new();
            rule.target.set(&mut patch, json!({"X-Remove-Me": null}));
            let a = send(
                gw.addr,
                "PATCH",
                &at,
                &[AUTH],
                Some(&Value::Object(patch.clone())),
            )
            .await;
            assert_eq!(a.status, 422, "{}: {}", d.name, text(&a));
            assert!(double.seen().is_empty(), "{}: nothing is sent", d.name);
            let url = writable(&d, Action::Update)
                .into_iter()
                .find(|r| r.target.is("url"))
                .unwrap();
            url.target.set(&mut patch, value(url, 1));
            let a = send(
                gw.addr,
                "PATCH",
                &at,
                &[AUTH, LENIENT],
                Some(&Value::Object(patch)),
            )
            .await;
            assert_eq!(a.status, 200, "{}: {}", d.name, text(&a));
            let seen = double.seen();
            let write = seen.last().unwrap().json().unwrap();
            let path = rule.path.as_ref().unwrap();
            assert!(path.get(&write).is_none(), "{}: {write}", d.name);
            assert_eq!(
                url.path.as_ref().unwrap().get(&write),
                Some(&value(url, 1)),
                "{}",
                d.name
            );
            checked += 1;
        }
    }
    assert!(checked > 0);
}

#[tokio::test]
async fn two_updates_of_one_webhook_at_once_both_hold() {
    let all = dialects();
    // Every emulated call takes a while, so that the two updates overlap at the vendor.
    let config: String = all
        .iter()
        .map(|d| {
            format!(
                "[upstreams.{0}]\ndialect = \"{0}\"\nemulate = true\n\
                 [upstreams.{0}.emulator.faults]\nlatency_ms = 150\n",
                d.name
            )
        })
        .collect();
    let gw = gateway(&config).await;
    let mut tried = 0;
    for d in &all {
        let path = base(d, owner_of(d, 7).as_deref());
        let body = full_body(d, 0);
        let id = create(gw.addr, &path, &body).await;
        // Two canonical fields (not extensions, which some vendors never show back), each
        // changed to a value other than the one it was created with; `url` first, since every
        // vendor's own update carries it (a flag may have a call of its own).
        // The second is one the vendor keeps under the same member as the url where there is
        // one (Resemble's `webhook_config`): an update sent whole carries both.
        let top = |r: &Rule| {
            r.path.as_ref().map(|p| {
                p.to_string()
                    .split(['.', '['])
                    .next()
                    .unwrap_or("")
                    .to_owned()
            })
        };
        let mut rules = writable(d, Action::Update);
        let url_top = rules
            .iter()
            .find(|r| r.target.name() == "url")
            .and_then(|r| top(r));
        rules.sort_by_key(|r| (r.target.name() != "url", top(r) != url_top));
        let changes: Vec<(String, Value)> = rules
            .into_iter()
            .filter(|r| {
                matches!(r.target, Target::Field(_))
                    && !unreadable_maps(d).iter().any(|u| u.target == r.target)
            })
            .filter_map(|r| {
                let (name, changed) = (r.target.name(), value(r, 1));
                (body.get(&name) != Some(&changed)).then_some((name, changed))
            })
            .take(2)
            .collect();
        let [(a, a_value), (b, b_value)] = &changes[..] else {
            continue;
        };
        tried += 1;
        let item = format!("{path}/{id}");
        let merge = [("content-type", "application/merge-patch+json")];
        let (patch_a, patch_b) = (json!({ a: a_value }), json!({ b: b_value }));
        let (first, second) = tokio::join!(
            send(gw.addr, "PATCH", &item, &merge, Some(&patch_a)),
            send(gw.addr, "PATCH", &item, &merge, Some(&patch_b)),
        );
        assert_eq!(first.status, 200, "{}: {}", d.name, text(&first));
        assert_eq!(second.status, 200, "{}: {}", d.name, text(&second));
        let now = send(gw.addr, "GET", &item, &[], None).await;
        // Each change as its own answer showed it (the vendor's spelling of it), both kept.
        assert_eq!(now.json()[a], first.json()[a], "{}: {a} was lost", d.name);
        assert_eq!(now.json()[b], second.json()[b], "{}: {b} was lost", d.name);
    }
    assert!(tried > 0, "no dialect updates two fields");
    gw.stop().await;
}

// ------------------------------------------------------------------ 11. numbers carried exactly

/// Integers beyond 64 bits, which a JSON parser without big numbers reads as the nearest
/// double (12345678901234567890123 as 1.2345678901234568e22), some of which a double read
/// from their text by another parser lies a unit in the last place from.
const BEYOND_64_BITS: [&str; 7] = [
    "12345678901234567890123",
    "18446744073709551616",
    "-9223372036854775809",
    "100000000000000000000000000000",
    "123456789012345678901234",
    "987654321098765432109876",
    "-123456789012345678901234",
];

/// What every text of a refusal of such a number says.
const INEXACT: &str = "too large to be carried exactly";

/// `template` with its `"__N__"` replaced by the number `n`, as JSON text.
fn with_number(template: &Value, n: &str) -> String {
    template.to_string().replace("\"__N__\"", n)
}

async fn post_text(addr: SocketAddr, path: &str, text: String) -> Answer {
    let headers = [AUTH, ("content-type", "application/json")];
    support::send_raw(addr, "POST", path, &headers, bytes::Bytes::from(text)).await
}

/// A number the gateway could only carry on as another is refused rather than rounded, on the
/// canonical API at every dialect wherever in the body it lies; one within 64 bits is not
/// refused for it.
#[tokio::test]
async fn integers_beyond_64_bits_are_refused_not_rounded() {
    let all = dialects();
    let gw = gateway(&all_emulated(&all)).await;
    let bodies = [
        (
            json!({"url": "https://a.example/h", "extensions": {"n": "__N__"}}),
            "extensions.n",
        ),
        (
            json!({"extensions": {"deep": [{"n": "__N__"}]}, "url": "https://a.example/h"}),
            "extensions.deep.0.n",
        ),
        (
            json!({"url": "https://a.example/h", "max_retries": "__N__"}),
            "max_retries",
        ),
        // Beside a double written as such, which reads as the same double: the member named
        // is the one that holds the integer.
        (
            json!({"url": "https://a.example/h", "extensions": {"f": "__F__", "n": "__N__"}}),
            "extensions.n",
        ),
    ];
    for d in &all {
        let at = base(d, owner_of(d, 1).as_deref());
        for (body, place) in &bodies {
            for n in BEYOND_64_BITS {
                let double = format!("{:e}", n.parse::<f64>().unwrap());
                let sent = with_number(body, n).replace("\"__F__\"", &double);
                let a = post_text(gw.addr, &at, sent).await;
                let what = format!("{} {n} in {body}: {}", d.name, text(&a));
                assert_eq!(a.status, 422, "{what}");
                let problem = a.json();
                assert_eq!(problem["code"], "validation_failed", "{what}");
                assert_eq!(problem["errors"][0]["field"], *place, "{what}");
                let message = problem["errors"][0]["message"].as_str().unwrap();
                assert!(message.contains(INEXACT) && message.contains(n), "{what}");
            }
            // Within 64 bits, or a double as written (carried as the double it is).
            for n in [
                "18446744073709551615",
                "-9223372036854775808",
                "1.5",
                "1e30",
                "1.7861287000149973e+21",
            ] {
                let a = post_text(gw.addr, &at, with_number(body, n)).await;
                assert!(!text(&a).contains(INEXACT), "{} {n}: {}", d.name, text(&a));
            }
        }
        assert!(
            stored_count(&gw, d).await == 0,
            "{}: nothing was made",
            d.name
        );
    }
    gw.stop().await;
}

/// How many webhooks the canonical API lists at `d` for its first owner.
async fn stored_count(gw: &hookgate::app::Running, d: &Dialect) -> usize {
    let a = send(
        gw.addr,
        "GET",
        &base(d, owner_of(d, 1).as_deref()),
        &[AUTH],
        None,
    )
    .await;
    assert_eq!(a.status, 200, "{}: {}", d.name, text(&a));
    a.json()["data"].as_array().unwrap().len()
}

/// Through a surface in front of another dialect, whose body hookgate reads and writes again,
/// such a number is refused in the vendor's shape, saying why; through a surface in front of
/// its own dialect, which relays the client's bytes, it reaches the vendor exactly.
#[tokio::test]
async fn a_surface_refuses_or_relays_integers_beyond_64_bits_exactly() {
    let all = dialects();
    let (mut refused, mut relayed) = (0, 0);
    for u in &all {
        let gw = surfaces_over(&all, u).await;
        for s in all.iter().filter(|s| s.name != u.name) {
            let owner = s.has_owner().then_some(OWNER);
            let placed = json!({"n": "__N__"});
            let Some((_, path, body)) =
                surface_request(s, Role::Action(Action::Create), "", owner, placed)
            else {
                continue;
            };
            for n in BEYOND_64_BITS {
                let a = post_text(gw.addr, &path, with_number(&body, n)).await;
                let what = format!("{} over {}, {n}: {}", s.name, u.name, text(&a));
                assert!((400..500).contains(&a.status), "{what}");
                assert!(text(&a).contains(INEXACT), "{what}");
                // The member that holds it is named, whatever the number.
                let named = [r#""n""#, "n: is an integer"];
                assert!(named.iter().any(|n| text(&a).contains(n)), "{what}");
            }
            refused += 1;
        }
        gw.stop().await;
    }
    for d in &all {
        let double = support::Double::start(vec![]).await;
        let toml = format!(
            "[upstreams.u]\ndialect = \"{0}\"\nbase_url = {1:?}\nauth = {{ type = \"none\" }}\n\
             [url_policy]\nallow_private = true\n\
             [surfaces.s]\ndialect = \"{0}\"\nupstream = \"u\"\nprefix = \"/surfaces/{0}\"\n",
            d.name,
            double.url()
        );
        let gw = gateway(&toml).await;
        let owner = d.has_owner().then_some(OWNER);
        // The vendor's documented webhook, with a member of the vendor's own beside it.
        let Some(mut webhook) = d.examples.first().cloned() else {
            continue;
        };
        // The answer's owner is another than the one the request names, which a body may
        // not contradict: left out, the request's is meant.
        for rule in d.webhook.rules.iter().filter(|r| r.target.is("owner")) {
            for place in rule.places() {
                place.take(&mut webhook);
            }
        }
        let Value::Object(mut webhook) = webhook else {
            continue;
        };
        webhook.insert("n".into(), json!("__N__"));
        let webhook = Value::Object(webhook);
        let (_, path, body) =
            surface_request(d, Role::Action(Action::Create), "", owner, webhook).unwrap();
        let n = BEYOND_64_BITS[0];
        let a = post_text(gw.addr, &path, with_number(&body, n)).await;
        let seen = double.seen();
        assert_eq!(seen.len(), 1, "{}: relayed: {}", d.name, text(&a));
        let sent = String::from_utf8_lossy(&seen[0].body).into_owned();
        assert!(sent.contains(n), "{}: {sent}", d.name);
        relayed += 1;
        gw.stop().await;
    }
    assert!(
        refused > 0 && relayed > 0,
        "{refused} refused, {relayed} relayed"
    );
}

// ------------------------------------------------------------------ 12. minted secrets

/// Whether `secret` is what `d`'s vendor mints: its prefix, then the base64 of its random bytes.
fn minted_by(d: &Dialect, secret: &str) -> bool {
    use base64::Engine;
    let mint = d
        .emulator
        .mints_secret
        .as_ref()
        .expect("a vendor that mints");
    secret
        .strip_prefix(mint.prefix.as_str())
        .is_some_and(|b64| {
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .is_ok_and(|bytes| bytes.len() == mint.bytes)
        })
}

/// The webhook a surface client of `s` reads in the answer to `role`, out of its envelope.
fn webhook_in(s: &Dialect, role: Role, answer: &Value) -> Option<Value> {
    let at = s.endpoint(role)?.response.as_ref()?.path_of("webhook")?;
    at.get(answer).cloned()
}

/// An upstream that mints a webhook's signing secret: a surface client of every other dialect
/// gets that secret where its own vendor keeps one, in its own answer to the create, where it
/// could read it nowhere else (its vendor never answers secrets, since its clients choose them,
/// or shows them at a resource the upstream cannot answer). A rotation that answers no webhook
/// shows the new secret at the client's vendor's resource for it, which the gateway answers
/// where the upstream showed it once; one whose new secret its client could read nowhere is
/// refused before it reaches the upstream.
#[tokio::test]
async fn a_secret_the_upstream_mints_reaches_the_surface_client() {
    let all = dialects();
    let (mut shown, mut refused) = (0, 0);
    for u in all.iter().filter(|u| u.emulator.mints_secret.is_some()) {
        let gw = surfaces_over(&all, u).await;
        let emu = gw.emulators[&u.name];
        // A client that reads secrets at its vendor's resource for them, in front of an upstream
        // that answers one, reads it there (the Svix suites); every other is shown it.
        let reads_later =
            |s: &Dialect| s.secret_resource().is_some() && u.secret_resource().is_some();
        for s in all.iter().filter(|s| s.name != u.name && !reads_later(s)) {
            let Some(secret_at) = s.webhook.reading("secret").and_then(|r| r.path.clone()) else {
                continue; // a vendor that keeps no secret of a webhook's
            };
            let s_owner = s.has_owner().then_some(OWNER);
            // What both vendors hold, and what the client's vendor requires; no secret, so that
            // the upstream mints one.
            let required: Vec<String> = writable(s, Action::Create)
                .into_iter()
                .filter(|r| has_check(r, |c| matches!(c, Check::Required)))
                .map(|r| r.target.name())
                .collect();
            let mut canonical: Map<String, Value> = full_body(s, 0)
                .into_iter()
                .filter(|(k, _)| {
                    k != "secret" && (u.webhook.carries(k, Action::Create) || required.contains(k))
                })
                .collect();
            for (name, rule) in [("events", rule_of(u, "events")), ("url", rule_of(u, "url"))] {
                if let Some(rule) = rule.filter(|_| canonical.contains_key(name)) {
                    rule.target.set(&mut canonical, value(rule, 0));
                }
            }
            let Ok(written) = s.webhook.write(Action::Create, &canonical, true) else {
                continue;
            };
            let create = Role::Action(Action::Create);
            let (m, p, b) = surface_request(s, create, "", s_owner, written.body).unwrap();
            let a = send(gw.addr, &m, &p, &[AUTH], Some(&b)).await;
            let what = format!("{} over {}: {m} {p} {b}", s.name, u.name);
            if !(200..300).contains(&a.status) {
                continue; // a webhook the upstream cannot hold, refused as such elsewhere
            }
            let webhook = webhook_in(s, create, &a.json()).unwrap_or_else(|| a.json());
            let secret = secret_at.get(&webhook).and_then(Value::as_str);
            assert!(
                secret.is_some_and(|k| minted_by(u, k)),
                "{what}: the minted secret at {secret_at}: {}",
                text(&a)
            );
            shown += 1;

            // A rotation that mints a new secret: shown where the answer holds the webhook,
            // refused before anything changes where it holds none.
            let rotate = Role::Action(Action::RotateSecret);
            if s.endpoint(rotate).is_none() || u.endpoint(rotate).is_none() {
                continue;
            }
            let id = s
                .webhook
                .reading("id")
                .and_then(|r| r.path.as_ref()?.get(&webhook))
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .expect("the created webhook's id");
            let rotations = |journal: Vec<Value>| {
                journal
                    .iter()
                    .filter(|e| e["operation"] == "rotate-secret")
                    .count()
            };
            let before = rotations(support::journal(emu).await);
            let (m, p, b) = surface_request(s, rotate, &id, s_owner, json!({})).unwrap();
            let a = send(gw.addr, &m, &p, &[AUTH], Some(&b)).await;
            let what = format!("{} over {}: {m} {p}", s.name, u.name);
            let answered = (!a.body.is_empty()).then(|| a.json());
            // Where the rotation answers no webhook, the new secret is read at the client's
            // vendor's resource for it (the gateway kept the one the upstream showed once).
            let read_later = s.secret_resource().map(|i| &s.resources[i]);
            match answered
                .as_ref()
                .and_then(|answer| webhook_in(s, rotate, answer))
            {
                Some(webhook) if (200..300).contains(&a.status) => {
                    let new = secret_at.get(&webhook).and_then(Value::as_str);
                    assert!(
                        new.is_some_and(|k| minted_by(u, k) && Some(k) != secret),
                        "{what}: {}",
                        text(&a)
                    );
                    shown += 1;
                }
                None if (200..300).contains(&a.status) && read_later.is_some() => {
                    let resource = read_later.unwrap();
                    let get = resource.get.as_ref().expect("a resource read");
                    let path = get.path.render(&[&s.base_path], s_owner, Some(&id));
                    let path = format!("/surfaces/{}{path}", s.name);
                    let read = send(gw.addr, "GET", &path, &[AUTH], None).await;
                    assert_eq!(read.status, 200, "{what}: {}", text(&read));
                    let rule = resource
                        .fields
                        .reading("secret")
                        .expect("the secret's rule");
                    let at = rule.path.as_ref().expect("a path");
                    let new = at
                        .get(&read.json())
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    assert!(
                        new.as_deref()
                            .is_some_and(|k| minted_by(u, k) && Some(k) != secret),
                        "{what}: {}",
                        text(&read)
                    );
                    assert_eq!(rotations(support::journal(emu).await), before + 1, "{what}");
                    shown += 1;
                }
                _ => {
                    assert_eq!(a.status, 501, "{what}: {}", text(&a));
                    assert!(
                        text(&a).contains("never shows it again"),
                        "{what}: {}",
                        text(&a)
                    );
                    let after = rotations(support::journal(emu).await);
                    assert_eq!(after, before, "{what}: nothing rotated");
                    refused += 1;
                }
            }
        }
        gw.stop().await;
    }
    // Every shipped and test dialect whose rotation answers no webhook reads its secret at a
    // resource of its own, so none may be refused: counted all the same.
    assert!(shown > 0, "{shown} shown, {refused} refused");
}

/// The gateway with an emulator of `u` and a surface of `s` in front of it (the test dialects
/// loaded too), bridging an owner of both formats where only one keeps owners; with the owner
/// a client of `s` names, if any. `None` where no sample owner fits, or no owner could be one
/// of both (owners of other numbers of segments).
async fn surface_over(
    s: &Dialect,
    u: &Dialect,
) -> Option<(hookgate::app::Running, Option<String>)> {
    let owner = sample_owner(&[s, u]);
    let apart = s.has_owner() && u.has_owner() && s.owner_segments != u.owner_segments;
    if apart || ((s.has_owner() || u.has_owner()) && owner.is_none()) {
        return None; // refused as configured: no owner is one of both
    }
    let mut toml = format!(
        "mappings_dir = {:?}\n[upstreams.{u}]\ndialect = \"{u}\"\nemulate = true\n\
         [surfaces.{s}]\ndialect = \"{s}\"\nupstream = \"{u}\"\nprefix = \"/surfaces/{s}\"\n",
        support::TEST_DIALECTS,
        u = u.name,
        s = s.name,
    );
    if let Some(o) = owner.as_ref().filter(|_| s.has_owner() != u.has_owner()) {
        toml.push_str(&format!("owner = \"{o}\"\n"));
    }
    Some((gateway(&toml).await, owner.filter(|_| s.has_owner())))
}

/// A create's body in `s`'s words, of members `u` holds too (its event types `u`'s), without
/// a secret; `None` where `s` cannot spell it.
fn create_over(s: &Dialect, u: &Dialect) -> Option<Value> {
    let mut canonical: Map<String, Value> = full_body(s, 0)
        .into_iter()
        .filter(|(k, _)| k != "secret" && (u.webhook.carries(k, Action::Create) || k == "url"))
        .collect();
    if let Some(rule) = rule_of(u, "events") {
        rule.target.set(&mut canonical, value(rule, 0));
    }
    Some(s.webhook.write(Action::Create, &canonical, true).ok()?.body)
}

/// Where the client's vendor keeps a webhook's secret only at a resource of its own (a
/// `…/signing` read), a secret the upstream mints and never shows again is shown once in the
/// create's answer, where that resource holds it; the resource itself, which the upstream
/// cannot answer, says so.
#[tokio::test]
async fn a_secret_kept_at_a_resource_is_shown_where_the_resource_holds_it() {
    let shipped = dialects();
    let tested = load_dir(Path::new(support::TEST_DIALECTS)).expect("the test dialects compile");
    let mut shown = 0;
    let at_a_resource_only =
        |s: &&Dialect| s.webhook.reading("secret").is_none() && s.secret_resource().is_some();
    let never_again =
        |u: &&Dialect| u.emulator.mints_secret.is_some() && u.secret_resource().is_none();
    for s in tested.iter().filter(at_a_resource_only) {
        for u in shipped.iter().filter(never_again) {
            let (gw, s_owner) = surface_over(s, u).await.expect("an owner of both formats");
            let body = create_over(s, u).expect("a create the client's dialect spells");
            let create = Role::Action(Action::Create);
            let (m, p, b) = surface_request(s, create, "", s_owner.as_deref(), body).unwrap();
            let a = send(gw.addr, &m, &p, &[AUTH], Some(&b)).await;
            let what = format!("{} over {}: {m} {p} {b}", s.name, u.name);
            assert!((200..300).contains(&a.status), "{what}: {}", text(&a));
            let webhook = webhook_in(s, create, &a.json()).unwrap_or_else(|| a.json());
            let r = &s.resources[s.secret_resource().unwrap()];
            let at = r
                .fields
                .reading("secret")
                .and_then(|r| r.path.clone())
                .unwrap();
            let secret = at.get(&webhook).and_then(Value::as_str);
            assert!(
                secret.is_some_and(|k| minted_by(u, k)),
                "{what}: the minted secret at {at}: {}",
                text(&a)
            );
            shown += 1;
            gw.stop().await;
        }
    }
    assert!(shown > 0);
}

// ------------------------------------------------------------------ 13. answers a surface could not give

/// An owner of the format of each of `ds` that keeps owners, from a few samples; `None` where
/// none fits them all.
fn sample_owner(ds: &[&Dialect]) -> Option<String> {
    let samples = [OWNER, "12345", "app_1", "PABC123", "octo/site", "ws1"];
    let fits = |o: &&str| {
        ds.iter()
            .filter(|d| d.has_owner())
            .all(|d| d.admits_owner(o))
    };
    samples.into_iter().find(fits).map(str::to_owned)
}

/// Canonical fields every webhook `s` answers must hold (an SDK's required member, with no
/// placeholder) that `u`'s webhooks never hold.
fn never_held(s: &Dialect, u: &Dialect) -> Vec<String> {
    let always = s.webhook.rules.iter().filter(|r| {
        r.response && r.path.is_some() && r.render_required && r.render_default.is_none()
    });
    always
        .filter(|r| !r.nullable)
        .map(|r| r.target.name())
        .filter(|name| !matches!(name.as_str(), "id" | "owner" | "status"))
        .filter(|name| {
            let read = u.webhook.rules.iter().any(|r| {
                r.target.is(name) && ((r.response && r.path.is_some()) || r.implied.is_some())
            });
            !read && u.resource_of(name).is_none()
        })
        .collect()
}

/// A surface whose vendor's webhooks always hold a member the upstream's never do could answer
/// no create, get or list: each is refused (501 in the vendor's shape, naming the member)
/// before anything reaches the upstream, rather than a webhook made and its answer a 502 that
/// the client's retry would make twice.
#[tokio::test]
async fn an_answer_a_surface_could_not_give_is_refused_before_the_upstream_acts() {
    let mut all = dialects();
    all.extend(load_dir(Path::new(support::TEST_DIALECTS)).expect("the test dialects compile"));
    let mut refused = 0;
    for s in &all {
        for u in all.iter().filter(|u| u.name != s.name) {
            let missing = never_held(s, u);
            if missing.is_empty() {
                continue;
            }
            let Some((gw, s_owner)) = surface_over(s, u).await else {
                continue;
            };
            let emu = gw.emulators[&u.name];
            let Some(written) = create_over(s, u) else {
                gw.stop().await;
                continue;
            };
            for role in [Role::Action(Action::Create), Role::Action(Action::List)] {
                let body = (role == Role::Action(Action::Create)).then(|| written.clone());
                let Some((m, p, b)) =
                    surface_request(s, role, "", s_owner.as_deref(), body.unwrap_or_default())
                else {
                    continue;
                };
                let b = (m != "GET").then_some(b);
                let a = send(gw.addr, &m, &p, &[AUTH], b.as_ref()).await;
                let what = format!("{} over {}: {m} {p}", s.name, u.name);
                assert_eq!(a.status, 501, "{what}: {}", text(&a));
                let said = text(&a);
                assert!(
                    missing.iter().all(|m| said.contains(m.as_str())),
                    "{what}: {said}"
                );
                refused += 1;
            }
            assert!(
                support::journal(emu).await.is_empty(),
                "{} over {}: nothing reached the upstream",
                s.name,
                u.name
            );
            gw.stop().await;
        }
    }
    assert!(refused > 0);
}

// ------------------------------------------------------------------ 14. a list's own parameters

/// A cursor the upstream refuses is named to a surface's client as its own vendor names the
/// parameter (Svix's `iterator`, in the query), whatever the upstream's vendor called it or
/// where it said it lay: never as the upstream's field, nor as one the client's API lacks.
#[tokio::test]
async fn a_refused_cursor_is_named_as_the_surface_client_sent_it() {
    let all = dialects();
    let mut named = 0;
    for u in &all {
        let gw = surfaces_over(&all, u).await;
        for s in all.iter().filter(|s| s.name != u.name) {
            let list = Role::Action(Action::List);
            let Some(param) = s.endpoint(list).and_then(|e| e.param_of("cursor")) else {
                continue;
            };
            let owner = s.has_owner().then_some(OWNER);
            let (_, path, _) = surface_request(s, list, "", owner, Value::Null).unwrap();
            let sep = if path.contains('?') { '&' } else { '?' };
            let path = format!("{path}{sep}{param}=not-a-cursor");
            let a = send(gw.addr, "GET", &path, &[AUTH], None).await;
            let what = format!("{} over {}: GET {path}", s.name, u.name);
            if (200..300).contains(&a.status) {
                continue; // a list the surface reads whole, whose cursor it computes itself
            }
            let said = text(&a);
            assert!((400..500).contains(&a.status), "{what}: {said}");
            assert!(said.contains(param), "{what}: names `{param}`: {said}");
            assert!(!said.contains("no field for"), "{what}: {said}");
            named += 1;
        }
        gw.stop().await;
    }
    assert!(named > 0);
}

// ------------------------------------------------------------------ 15. clears in a whole replacement

/// A vendor whose only update is a full replacement (a PUT): a canonical merge patch that
/// clears a member sends it cleared as the mapping spells it (`""` for an `empty_is_null`
/// member, `null` for a nullable one), never leaves it out, which a vendor that keeps what its
/// PUT is not sent would read as "unchanged".
#[tokio::test]
async fn a_clear_is_sent_cleared_in_a_whole_replacement() {
    use hookgate::mapping::codec::Codec;
    let mut all = dialects();
    all.extend(load_dir(Path::new(support::TEST_DIALECTS)).expect("the test dialects compile"));
    let mut cleared = 0;
    for d in all.iter().filter(|d| {
        d.endpoint(Role::Action(Action::Update)).is_none() && d.endpoint(Role::Replace).is_some()
    }) {
        let Some(rule) = d.webhook.rules.iter().find(|r| {
            r.target.is("description")
                && r.request
                && r.path.is_some()
                && (r.codec == Codec::EmptyIsNull || r.nullable)
        }) else {
            continue;
        };
        let spelt = if rule.codec == Codec::EmptyIsNull {
            json!("")
        } else {
            Value::Null
        };
        let gw = gateway(&format!(
            "mappings_dir = {:?}\n[upstreams.{d}]\ndialect = \"{d}\"\nemulate = true\n",
            support::TEST_DIALECTS,
            d = d.name
        ))
        .await;
        let owner = sample_owner(&[d]).filter(|_| d.has_owner());
        let Value::Object(mut body) = support::create_body(d) else {
            unreachable!("a create body is an object")
        };
        body.remove("owner"); // named by the path
        body.insert("description".into(), json!("to be cleared"));
        let collection = base(d, owner.as_deref());
        let id = create(gw.addr, &collection, &body).await;
        // A member the vendor never reports back, which its replacement requires, is given
        // again (else it would be reset, and the change is refused saying so).
        let mut patch = json!({"description": null});
        if let Some(secret) = body.get("secret") {
            patch["secret"] = secret.clone();
        }
        let a = send(
            gw.addr,
            "PATCH",
            &format!("{collection}/{id}"),
            &[],
            Some(&patch),
        )
        .await;
        let what = format!("{}: clear the description", d.name);
        assert_eq!(a.status, 200, "{what}: {}", text(&a));
        let journal = support::journal(gw.emulators[&d.name]).await;
        let put = journal
            .iter()
            .rev()
            .find(|e| e["method"] == "PUT")
            .unwrap_or_else(|| panic!("{what}: no PUT in {journal:?}"));
        let path = rule.path.as_ref().unwrap();
        assert_eq!(path.get(&put["body"]), Some(&spelt), "{what}: {put}");
        // Its update is composed (read, merge, replace), and the upstreams list says so.
        let upstreams = send(gw.addr, "GET", "/v1/upstreams", &[], None)
            .await
            .json();
        let composed = &upstreams["data"][0]["composed"];
        assert!(composed.get("replace").is_some(), "{what}: {upstreams}");
        cleared += 1;
        gw.stop().await;
    }
    assert!(cleared > 0);
}

/// A change through a surface whose vendor cannot show the webhook it would leave (event
/// types it has no name or flag for) is refused before the upstream acts, as its answer would
/// have been refused after: a client told its change failed must find it not made.
#[tokio::test]
async fn a_change_whose_answer_a_surface_could_not_give_is_not_made() {
    let mut all = dialects();
    all.extend(load_dir(Path::new(support::TEST_DIALECTS)).expect("the test dialects compile"));
    let mut refused = 0;
    for s in all
        .iter()
        .filter(|s| s.endpoint(Role::Action(Action::Update)).is_some())
    {
        let Some(key) = hookgate::auth::present(&s.client_auth, "t0ken-any") else {
            continue;
        };
        if !s.client_auth_parts.is_empty() || !s.webhook.carries("url", Action::Update) {
            continue;
        }
        let key = [(key.0.as_str(), key.1.to_str().unwrap())];
        for u in all.iter().filter(|u| u.name != s.name) {
            // A webhook of `u` that `s` cannot show.
            let planted = full_body(u, 0);
            let mut seen = planted.clone();
            seen.insert("id".into(), json!("1"));
            if s.webhook.render(&seen).is_ok() {
                continue;
            }
            let Some((gw, s_owner)) = surface_over(s, u).await else {
                continue;
            };
            let emu = gw.emulators[&u.name];
            let u_owner = sample_owner(&[s, u]).filter(|_| u.has_owner());
            let stored = seed(emu, u_owner.as_deref(), &planted).await;
            let mut as_seen = stored.clone();
            as_seen.shift_remove("extensions");
            if s.webhook.render(&as_seen).is_ok() {
                gw.stop().await;
                continue;
            }
            let before = settled(stored);
            let id = before["id"].as_str().unwrap().to_owned();
            let mut change = Map::new();
            change.insert("url".into(), json!("https://hooks.example.com/moved"));
            let written = s.webhook.write(Action::Update, &change, false).unwrap();
            let update = Role::Action(Action::Update);
            let (m, p, b) =
                surface_request(s, update, &id, s_owner.as_deref(), written.body).unwrap();
            let a = send(gw.addr, &m, &p, &key, Some(&b)).await;
            let what = format!("{} over {}: {m} {p} {b}", s.name, u.name);
            assert!(!(200..300).contains(&a.status), "{what}: {}", text(&a));
            assert_eq!(settled(stored_one(emu, &id).await), before, "{what}");
            let writes: Vec<Value> = (support::journal(emu).await.into_iter())
                .filter(|e| e["method"] != "GET")
                .collect();
            assert!(writes.is_empty(), "{what}: {writes:?}");
            refused += 1;
            gw.stop().await;
        }
    }
    assert!(refused > 0);
}

/// A surface update of an unknown id that its upstream answers by making the webhook (Svix's
/// PUT, under an id it mints) shows a secret the upstream minted for it, as the surface's create
/// would: `tests/dialects/latch.toml`, whose full update is made to create too (under a new
/// id), in front of every upstream whose update creates so and that shows a minted secret only
/// at a resource.
#[tokio::test]
async fn an_update_that_creates_shows_the_secret_minted_for_it() {
    let dir = support::dialects_with(&[(
        "latch",
        "path = \"/eventHooks/{id}\"\nbody = \"{{webhook}}\"\nresponse = \"{{webhook}}\"\n",
        "path = \"/eventHooks/{id}\"\nbody = \"{{webhook}}\"\nresponse = \"{{webhook}}\"\nupsert = \"new_id\"\n",
    )]);
    let dir = dir.path().to_str().unwrap();
    let upstreams: Vec<Dialect> = dialects()
        .into_iter()
        .filter(|u| {
            let creates = [Role::Replace, Role::Action(Action::Update)]
                .iter()
                .any(|r| {
                    u.endpoint(*r)
                        .is_some_and(|e| e.upsert == Some(Upsert::NewId))
                });
            creates && u.secret_resource().is_some() && u.emulator.mints_secret.is_some()
        })
        .collect();
    assert!(
        !upstreams.is_empty(),
        "no upstream creates on update and mints a secret"
    );
    for u in &upstreams {
        let owner = u.has_owner().then_some("app_1");
        let mut toml = format!(
            "mappings_dir = {dir:?}\n[upstreams.{0}]\ndialect = \"{0}\"\nemulate = true\n\
             [surfaces.latch]\ndialect = \"latch\"\nupstream = \"{0}\"\nprefix = \"/latch\"\n",
            u.name
        );
        if let Some(o) = owner {
            toml.push_str(&format!("owner = \"{o}\"\n"));
        }
        let gw = gateway(&toml).await;
        let emu = gw.emulators[&u.name];
        let body = json!({"name": "n", "events": {"type": "EVENT_TYPE", "items": ["user.created"]},
            "channel": {"type": "HTTP", "version": "1.0.0", "config": {
                "uri": "https://example.com/h", "headers": [{"key": "X-A", "value": "1"}]}}});
        let id = "whoABCDEFGHIJKLMNOPQ";
        let key = [("authorization", "SSWS t0ken")];
        let a = send(
            gw.addr,
            "PUT",
            &format!("/latch/api/v1/eventHooks/{id}"),
            &key,
            Some(&body),
        )
        .await;
        assert_eq!(a.status, 201, "{} behind: {}", u.name, text(&a));
        let shown = a.json()["channel"]["config"]["authScheme"]["value"].clone();
        // The secret the upstream holds, read where it shows it.
        let shows = &u.resources[u.secret_resource().unwrap()];
        let get = shows.get.as_ref().unwrap();
        // Under the id the upstream minted, which the answer names.
        let made = a.json()["id"].as_str().unwrap().to_owned();
        assert_ne!(made, id, "{}", u.name);
        let path = get.path.render(&[&u.base_path], owner, Some(&made));
        let held = send(emu, "GET", &path, &[AUTH], None).await;
        assert_eq!(held.status, 200, "{}: {}", u.name, text(&held));
        let item = match &get.item_path {
            Some(at) => at.extract(held.json()).unwrap(),
            None => held.json(),
        };
        let minted = shows.fields.read_owned(item).unwrap()["secret"].clone();
        assert!(shown.is_string(), "{}: {}", u.name, text(&a));
        assert_eq!(shown, minted, "{}", u.name);
        gw.stop().await;
    }
}

/// A rotation asked through a surface in front of an upstream that rotates nothing is refused
/// as such (501, "does not support"), never as one whose new secret would be lost.
#[tokio::test]
async fn a_rotation_in_front_of_an_upstream_without_one_says_so() {
    let all = dialects();
    let rotate = Role::Action(Action::RotateSecret);
    let mut checked = 0;
    for s in all.iter().filter(|s| s.endpoint(rotate).is_some()) {
        for u in all.iter().filter(|u| u.endpoint(rotate).is_none()) {
            let Some((gw, s_owner)) = surface_over(s, u).await else {
                continue;
            };
            let emu = gw.emulators[&u.name];
            let Some(written) = create_over(s, u) else {
                gw.stop().await;
                continue;
            };
            let create = Role::Action(Action::Create);
            let (m, p, b) = surface_request(s, create, "", s_owner.as_deref(), written).unwrap();
            let made = send(gw.addr, &m, &p, &[AUTH], Some(&b)).await;
            if !(200..300).contains(&made.status) {
                gw.stop().await;
                continue; // a pair that cannot make a webhook at all
            }
            let id = (s.webhook.reading("id").and_then(|r| r.path.as_ref()))
                .and_then(|p| p.get(&made.json()).cloned())
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .unwrap_or_else(|| missing_id(s));
            let before = support::journal(emu).await.len();
            let Some((m, p, b)) = surface_request(s, rotate, &id, s_owner.as_deref(), json!({}))
            else {
                gw.stop().await;
                continue;
            };
            let b = (!b.is_null()).then_some(b);
            let a = send(gw.addr, &m, &p, &[AUTH], b.as_ref()).await;
            let what = format!("{} over {}: {m} {p}", s.name, u.name);
            assert_eq!(a.status, 501, "{what}: {}", text(&a));
            assert!(
                text(&a).contains("does not support"),
                "{what}: {}",
                text(&a)
            );
            assert!(!text(&a).contains("mints"), "{what}: {}", text(&a));
            assert_eq!(support::journal(emu).await.len(), before, "{what}");
            checked += 1;
            gw.stop().await;
        }
    }
    assert!(
        checked > 0,
        "no surface rotates in front of an upstream that cannot"
    );
}

/// A vendor's file: `enabled` as `on` (with `enabled`), a timeout (with `timeout`) and retries
/// (with `retries`), each line as given, under `/hooks`.
fn defaults_file(enabled: &str, timeout: &str, retries: &str) -> String {
    format!(
        r#"
[dialect]
base_path = "/api"
[fields.id]
path = "$.id"
in = ["response"]
[fields.url]
path = "$.url"
required = true
[fields.events]
path = "$.events"
[fields.enabled]
path = "$.on"
{enabled}
[fields.timeout_seconds]
path = "$.timeout"
{timeout}
[fields.max_retries]
path = "$.retries"
{retries}
[operations.list]
method = "GET"
path = "/hooks"
response = {{ hooks = "{{{{items}}}}" }}
[operations.get]
method = "GET"
path = "/hooks/{{id}}"
response = "{{{{webhook}}}}"
[operations.create]
method = "POST"
path = "/hooks"
body = "{{{{webhook}}}}"
status = 201
response = "{{{{webhook}}}}"
[operations.delete]
method = "DELETE"
path = "/hooks/{{id}}"
status = 204
[errors]
message = ["$.message"]
[errors.render.default]
body = {{ message = "{{{{message}}}}" }}
"#
    )
}

#[tokio::test]
async fn a_surface_create_asks_for_what_its_vendor_assumes_where_the_upstream_would_not() {
    let dir = tempfile::tempdir().unwrap();
    // The client's vendor assumes a webhook on, a 30 s timeout and 3 retries; the upstream
    // requires `enabled`, assumes 10 s and 3 retries, and keeps no order of its own.
    std::fs::write(
        dir.path().join("asker.toml"),
        defaults_file("default = true", "default = 30", "default = 3"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("keeper.toml"),
        defaults_file("required = true", "default = 10", "default = 3"),
    )
    .unwrap();
    let made = json!({"id": "h1", "url": "https://example.com/h", "events": ["a"], "on": true,
        "timeout": 30, "retries": 3});
    let vendor = support::Double::start(vec![support::Reply::json(201, made.clone()); 3]).await;
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.keeper]\ndialect = \"keeper\"\nbase_url = {:?}\n\
         auth = {{ type = \"none\" }}\nretries = 0\n\
         [surfaces.asker]\ndialect = \"asker\"\nupstream = \"keeper\"\nprefix = \"/a\"\n\
         [url_policy]\nallow_private = true\n",
        dir.path(),
        vendor.url()
    ))
    .await;
    let bearer = [("authorization", "Bearer t")];
    let create = |body: Value| async move {
        let answer = send(gw.addr, "POST", "/a/api/hooks", &bearer, Some(&body)).await;
        assert_eq!(answer.status, 201, "{body}: {:?}", answer.body);
    };
    // Left out: each is asked as the client's vendor assumes it, but the retries, which the
    // upstream assumes the same.
    create(json!({"url": "https://example.com/h", "events": ["a"]})).await;
    // Named: as named.
    create(
        json!({"url": "https://example.com/h", "events": ["a"], "on": false, "timeout": 5,
        "retries": 1}),
    )
    .await;
    let seen: Vec<Value> = vendor.seen().iter().map(|s| s.json().unwrap()).collect();
    assert_eq!(
        seen[0],
        json!({"url": "https://example.com/h", "events": ["a"], "on": true, "timeout": 30})
    );
    assert_eq!(
        seen[1],
        json!({"url": "https://example.com/h", "events": ["a"], "on": false, "timeout": 5,
            "retries": 1})
    );
    // The canonical API asks for nothing its client did not name.
    let canonical = json!({"url": "https://example.com/h", "events": ["a"], "enabled": true});
    let answer = send(
        gw.addr,
        "POST",
        "/v1/upstreams/keeper/webhooks",
        &[],
        Some(&canonical),
    )
    .await;
    assert_eq!(answer.status, 201, "{:?}", answer.body);
    assert_eq!(
        vendor.seen()[2].json().unwrap(),
        json!({"url": "https://example.com/h", "events": ["a"], "on": true})
    );
}

#[tokio::test]
async fn a_lenient_request_that_drops_nothing_names_no_dropped_field() {
    let all = dialects();
    let gw = gateway(&all_emulated(&all)).await;
    for d in &all {
        let at = base(d, owner_of(d, 7).as_deref());
        let answered = |a: &Answer, status: u16, what: &str| {
            assert_eq!(a.status, status, "{}: {what}: {}", d.name, text(a));
            assert_eq!(
                a.header("preference-applied"),
                Some("handling=lenient"),
                "{}: {what}",
                d.name
            );
            assert_eq!(
                a.header("hookgate-dropped-fields"),
                None,
                "{}: {what}: nothing was dropped",
                d.name
            );
        };
        let body = Value::Object(full_body(d, 0));
        let made = send(gw.addr, "POST", &at, &[LENIENT], Some(&body)).await;
        answered(&made, 201, "create");
        let id = made.json()["id"].as_str().unwrap().to_owned();
        let one = format!("{at}/{id}");
        let url = writable(d, Action::Update)
            .into_iter()
            .find(|r| r.target.is("url"))
            .expect("every dialect writes url");
        let mut changes = vec![json!({ "url": value(url, 1) })];
        if writable(d, Action::Update)
            .iter()
            .any(|r| r.target.is("enabled"))
        {
            changes.push(json!({"enabled": true}));
            changes.push(json!({"enabled": false, "url": value(url, 2)}));
        }
        for change in changes {
            let a = send(gw.addr, "PATCH", &one, &[LENIENT], Some(&change)).await;
            answered(&a, 200, &change.to_string());
        }
    }
    gw.stop().await;
}
