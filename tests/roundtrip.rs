//! Property: for every shipped dialect, canonical → dialect → canonical is the identity, for
//! request bodies (write, then parse as the vendor surface does) and for responses (render as
//! the emulator does, then read as the gateway does). Generators follow each file's own rules.

use hookgate::mapping::codec::Codec;
use hookgate::mapping::rules::{Rule, Target};
use hookgate::mapping::{Dialect, load_dir};
use hookgate::model::{Action, Kind};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value};
use std::path::Path;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

fn text() -> BoxedStrategy<Value> {
    "[a-zA-Z0-9 _./:-]{0,20}[a-zA-Z0-9]"
        .prop_map(Value::from)
        .boxed()
}

/// A canonical time (RFC 3339, UTC) between 1970 and 9999, with six fractional digits where
/// `micros` (as a vendor that writes microseconds answers it) and in whole seconds otherwise
/// (as a codec that spells the time in seconds, or in the vendor's own format, can write it).
fn instant(micros: bool) -> BoxedStrategy<Value> {
    let fraction = if micros { 0u32..1_000_000 } else { 0..1 };
    (0i64..253_402_300_800, fraction)
        .prop_map(move |(seconds, fraction)| {
            let time = OffsetDateTime::from_unix_timestamp(seconds).unwrap()
                + Duration::microseconds(fraction.into());
            let text = time.format(&Rfc3339).unwrap();
            let text = match (micros, text.strip_suffix('Z')) {
                (true, Some(body)) if body.len() == 19 => format!("{body}.000000Z"),
                (true, Some(body)) => format!("{body:0<26}Z"),
                _ => text,
            };
            Value::from(text)
        })
        .boxed()
}

/// Canonical values the rule's codec can spell.
fn value_for(rule: &Rule) -> BoxedStrategy<Value> {
    let kind = match &rule.target {
        Target::Field(f) => f.kind,
        Target::Extension(_) => Kind::String,
    };
    let time = matches!(rule.target, Target::Field(f) if f.time);
    match &rule.codec {
        Codec::UnixTime { .. } | Codec::Time(_) => instant(false),
        Codec::Identity if time => instant(true),
        Codec::IntString => (0u32..1_000_000)
            .prop_map(|n| Value::from(n.to_string()))
            .boxed(),
        Codec::Single => text().prop_map(|v| Value::Array(vec![v])).boxed(),
        Codec::Map { reverse, .. } => {
            let choices: Vec<Value> = reverse.iter().map(|(c, _)| c.clone()).collect();
            proptest::sample::select(choices).boxed()
        }
        Codec::Scale(_) => (0i64..10_000).prop_map(Value::from).boxed(),
        _ => match kind {
            Kind::String => text(),
            Kind::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
            Kind::Integer => (0i64..100_000).prop_map(Value::from).boxed(),
            Kind::StringList => proptest::collection::vec(text(), 0..4)
                .prop_map(Value::Array)
                .boxed(),
            Kind::StringMap => proptest::collection::btree_map("[A-Z][a-z-]{0,8}", text(), 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect()))
                .boxed(),
            Kind::Object => Just(Value::Object(Map::new())).boxed(),
        },
    }
}

/// A canonical object using any subset of the rules chosen by `pick`.
fn object(rules: Vec<&Rule>) -> BoxedStrategy<Map<String, Value>> {
    let parts: Vec<BoxedStrategy<Option<(Target, Value)>>> = rules
        .into_iter()
        .map(|r| {
            let target = r.target.clone();
            let value = value_for(r).prop_map(move |v| (target.clone(), v));
            // A member the vendor always answers is always there.
            if r.render_required {
                value.prop_map(Some).boxed()
            } else {
                proptest::option::of(value).boxed()
            }
        })
        .collect();
    parts
        .prop_map(|chosen| {
            let mut out = Map::new();
            for (target, value) in chosen.into_iter().flatten() {
                match target {
                    Target::Field(f) => {
                        out.insert(f.name.to_owned(), value);
                    }
                    Target::Extension(k) => {
                        let ext = out
                            .entry("extensions")
                            .or_insert_with(|| Value::Object(Map::new()));
                        ext.as_object_mut().unwrap().insert(k, value);
                    }
                }
            }
            out
        })
        .boxed()
}

fn dialects() -> Vec<Dialect> {
    load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings")).unwrap()
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    })
}

#[test]
fn requests_round_trip_through_every_dialect() {
    for d in dialects() {
        let rules: Vec<&Rule> = d
            .webhook
            .rules
            .iter()
            .filter(|r| r.request && r.path.is_some() && r.ops.create)
            .collect();
        runner()
            .run(&object(rules), |canonical| {
                let written = d
                    .webhook
                    .write(Action::Create, &canonical, false)
                    .expect("every generated field is carried");
                let mut parsed = d
                    .webhook
                    .parse(Action::Create, &written.body)
                    .expect("what was written parses");
                // One-way fills (vendor requirements) come back as the fields they fill.
                for rule in d.webhook.rules.iter().filter(|r| r.fill.is_some()) {
                    let filled = !canonical_has(&canonical, &rule.target);
                    if filled {
                        remove(&mut parsed, &rule.target);
                    }
                }
                prop_assert_eq!(&parsed, &canonical, "{}: via {}", d.name, written.body);
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{}: {e}", d.name));
    }
}

#[test]
fn responses_round_trip_through_every_dialect() {
    for d in dialects() {
        let rules: Vec<&Rule> = d
            .webhook
            .rules
            .iter()
            .filter(|r| r.response && r.path.is_some())
            .collect();
        runner()
            .run(&object(rules), |canonical| {
                let rendered = d
                    .webhook
                    .render(&canonical)
                    .expect("a generated webhook renders");
                let read = d.webhook.read(&rendered).unwrap();
                // A member the vendor always answers reads back as its render default, where
                // the answer is one it is shown in (the conditions of its `fill_when`).
                let mut canonical = canonical;
                for rule in d.webhook.rules.iter().filter(|r| r.response) {
                    let shown_here = rule.when.iter().all(|c| c.holds(&rendered));
                    if let (Some(default), false, true) = (
                        &rule.render_default,
                        canonical_has(&canonical, &rule.target),
                        shown_here,
                    ) && let Ok(value) = rule.codec.decode(default)
                        && !value.is_null()
                    {
                        rule.target.set(&mut canonical, value);
                    }
                }
                // A field the vendor reports as null when absent reads back as absent.
                let read: Map<String, Value> = read
                    .into_iter()
                    .filter(|(k, v)| !v.is_null() || canonical.contains_key(k))
                    .map(|(k, v)| match (k.as_str(), v) {
                        ("extensions", Value::Object(e)) => {
                            let e: Map<String, Value> =
                                e.into_iter().filter(|(_, v)| !v.is_null()).collect();
                            (k, Value::Object(e))
                        }
                        (_, v) => (k, v),
                    })
                    .filter(|(k, v)| {
                        !(k == "extensions" && v.as_object().is_some_and(Map::is_empty))
                    })
                    .collect();
                prop_assert_eq!(&read, &canonical, "{}: via {}", d.name, rendered);
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{}: {e}", d.name));
    }
}

fn canonical_has(object: &Map<String, Value>, target: &Target) -> bool {
    match target {
        Target::Field(f) => object.contains_key(f.name),
        Target::Extension(k) => object.get("extensions").and_then(|e| e.get(k)).is_some(),
    }
}

fn remove(object: &mut Map<String, Value>, target: &Target) {
    match target {
        Target::Field(f) => {
            object.shift_remove(f.name);
        }
        Target::Extension(k) => {
            if let Some(Value::Object(e)) = object.get_mut("extensions") {
                e.shift_remove(k);
                if e.is_empty() {
                    object.shift_remove("extensions");
                }
            }
        }
    }
}
