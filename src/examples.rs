//! Round-trip checks of the example bodies a mapping file ships: dialect → canonical → dialect
//! must give back the example, so a rule that loses or bends a field is caught at load. A
//! failure names the members that differ, and the requests' spelling of a field (`write_as`)
//! where one lies at or around them. A time the vendor wrote with an offset comes back in UTC
//! (`08:59:06-05:00` as `13:59:06Z`): another spelling of the same instant, not a difference.

use crate::mapping::Dialect;
use crate::mapping::json_path::{FieldPath, Step};
use crate::mapping::rules::Target;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// How many differing members a failure names; the others are counted.
const NAMED: usize = 3;

/// Every example of every dialect that does not survive the round trip, described.
pub fn round_trip_all<'a>(dialects: impl Iterator<Item = &'a Dialect>) -> Vec<String> {
    let mut problems = Vec::new();
    for dialect in dialects {
        for (i, example) in dialect.examples.iter().enumerate() {
            let canonical = match dialect.webhook.read(example) {
                Ok(canonical) => canonical,
                Err(misread) => {
                    problems.push(format!(
                        "  - {}: examples[{i}]: cannot be read: {misread}",
                        dialect.name
                    ));
                    continue;
                }
            };
            let back = dialect.webhook.render(&canonical);
            match back {
                Ok(back) if &back == example || differing(dialect, example, &back).is_empty() => {}
                Ok(back) => problems.push(format!(
                    "  - {}: examples[{i}]: {}; became {} after a round trip through {}",
                    dialect.name,
                    cause(dialect, example, &back),
                    back,
                    Value::Object(canonical)
                )),
                Err(refused) => problems.push(format!(
                    "  - {}: examples[{i}]: cannot be rendered back: {}",
                    dialect.name,
                    crate::problem::summarise(&refused)
                )),
            }
        }
    }
    problems
}

/// One member that differs between an example and its round trip.
enum Difference<'v> {
    /// In the example, not after.
    Lost(FieldPath, &'v Value),
    /// After, not in the example.
    Added(FieldPath, &'v Value),
    /// In both, with another value (or of another length, for an array).
    Changed(FieldPath, &'v Value, &'v Value),
}

impl Difference<'_> {
    fn path(&self) -> &FieldPath {
        match self {
            Difference::Lost(p, _) | Difference::Added(p, _) | Difference::Changed(p, ..) => p,
        }
    }

    /// `` `resource.name` is lost (the example's is "Bug Task") ``.
    fn describe(&self) -> String {
        match self {
            // A `null` no rule keeps: a rule reads it as no value unless it says `null` is
            // one of the vendor's.
            Difference::Lost(p, Value::Null) => format!(
                "`{p}` is lost (the example's is null): a rule that reads it keeps a `null` the vendor answers with `nullable = true`"
            ),
            Difference::Lost(p, was) => format!("`{p}` is lost (the example's is {was})"),
            Difference::Added(p, now) => format!("`{p}` is added ({now})"),
            Difference::Changed(p, was, now) => {
                format!("`{p}` is {now}, where the example's is {was}")
            }
        }
    }
}

/// Why `back` is not `example`: the first members that differ, each with the requests'
/// spelling of a field (`write_as`) that lies at, inside or around it.
fn cause(dialect: &Dialect, example: &Value, back: &Value) -> String {
    let found = differing(dialect, example, back);
    if found.is_empty() {
        // Every leaf is compared: two values that differ differ at one of them.
        return "it comes back otherwise".to_owned();
    }
    let mut named: Vec<String> = found
        .iter()
        .take(NAMED)
        .map(|d| d.describe() + &spelt_there(dialect, d.path()))
        .collect();
    if found.len() > NAMED {
        named.push(format!("{} more", found.len() - NAMED));
    }
    named.join(", ")
}

/// The members of `back` that differ from `example`, but for times that name the same instant.
fn differing<'v>(dialect: &Dialect, example: &'v Value, back: &'v Value) -> Vec<Difference<'v>> {
    let mut found = Vec::new();
    differences(example, back, &FieldPath::of_steps(Vec::new()), &mut found);
    found.retain(|d| !same_instant(dialect, d));
    found
}

/// Whether `difference` is a time field's value written two ways for one instant: each read
/// by the field's codec into RFC 3339, and the two equal as instants.
fn same_instant(dialect: &Dialect, difference: &Difference<'_>) -> bool {
    let Difference::Changed(path, was, now) = difference else {
        return false;
    };
    let Some(rule) =
        dialect.webhook.rules.iter().find(|r| {
            matches!(r.target, Target::Field(f) if f.time) && r.places().any(|p| p == path)
        })
    else {
        return false;
    };
    let instant = |value: &Value| {
        let text = rule.codec.decode(value).ok()?;
        OffsetDateTime::parse(text.as_str()?, &Rfc3339).ok()
    };
    matches!((instant(was), instant(now)), (Some(a), Some(b)) if a == b)
}

/// The members of `after` that differ from `before`, at `at` and inside it: objects member by
/// member, arrays of the same length item by item.
fn differences<'v>(
    before: &'v Value,
    after: &'v Value,
    at: &FieldPath,
    out: &mut Vec<Difference<'v>>,
) {
    let inside = |step: Step| at.clone().child(step);
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            for (key, was) in b {
                match a.get(key) {
                    Some(now) => differences(was, now, &inside(Step::Key(key.clone())), out),
                    None => out.push(Difference::Lost(inside(Step::Key(key.clone())), was)),
                }
            }
            for (key, now) in a.iter().filter(|(key, _)| !b.contains_key(*key)) {
                out.push(Difference::Added(inside(Step::Key(key.clone())), now));
            }
        }
        (Value::Array(b), Value::Array(a)) if b.len() == a.len() => {
            for (n, (was, now)) in b.iter().zip(a).enumerate() {
                differences(was, now, &inside(Step::Index(n)), out);
            }
        }
        (was, now) if was != now => out.push(Difference::Changed(at.clone(), was, now)),
        _ => {}
    }
}

/// `` (requests spell `owner` at `resource`, `write_as`; answers, at `resource.gid`) `` for each
/// request spelling at, inside or around `path`; empty where none is.
fn spelt_there(dialect: &Dialect, path: &FieldPath) -> String {
    let map = &dialect.webhook;
    map.request_spellings()
        .filter_map(|r| Some((r, r.path.as_ref()?)))
        .filter(|(_, p)| p.starts_with(path) || path.starts_with(p))
        .map(|(r, p)| {
            let name = r.target.name();
            let answered = map
                .reading(&name)
                .and_then(|a| a.path.as_ref())
                .map_or_else(String::new, |a| format!("; answers, at `{a}`"));
            format!(" (requests spell `{name}` at `{p}`, `write_as`{answered})")
        })
        .collect()
}
