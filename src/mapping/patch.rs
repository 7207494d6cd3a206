//! An update as the places it changes, both ways: an RFC 6902 JSON Patch as its body
//! (`strategy = "json_patch"`), or a field mask beside a merge's body (`{{update_mask}}`).
//!
//! Written: the members an update sends become one `replace` each (or `add`, and `remove` for
//! one cleared, where the mapping file says), at the JSON Pointer of the place a rule writes
//! (`/config/url`, not the whole `/config`), so that a member the client did not name is never
//! sent, even where it shares an object with one it did. Read (a
//! client of a surface or an emulator): `add` and `replace` set a member, `remove` clears it
//! (`null`, as a merge does), and the members so named are parsed by the rules as a merge's
//! body is. An operation that changes part of a rule's value (`/event_types/0`), and `move`,
//! `copy` and `test`, are refused: the rules read whole values, and a patch applied in part
//! would change what the client did not ask for. A mask names the same places
//! (`url,config.url`); a client's mask keeps of its body what the mask names, and clears what
//! the mask names and the body leaves out.

use super::json_path::{FieldPath, Step};
use super::model::PatchOps;
use super::rules::ObjectMap;
use crate::problem::FieldError;
use serde_json::{Map, Value};

/// The places an update's rules write, as steps from the webhook's root.
fn places(map: &ObjectMap) -> Vec<&[Step]> {
    map.rules
        .iter()
        .filter(|r| r.request)
        .flat_map(|r| r.written())
        .map(FieldPath::steps)
        .collect()
}

/// The patch that makes the changes `body` (the members an update writes, as a merge sends
/// them) names: one operation per member, at the depth of the places the rules write; a
/// `replace` (or an `add`) of its value, or a `remove` of an object's member written as
/// `null`, as `how` says the vendor takes them.
pub fn ops(map: &ObjectMap, body: Value, how: PatchOps) -> Value {
    let mut out = Vec::new();
    changed(map, &body, &mut |at, value| {
        let mut op = Map::with_capacity(3);
        // An array's element is cleared in place: removing it would move those after it.
        let member = matches!(at.last(), Some(Step::Key(_)));
        let name = match (value.is_null() && member, how) {
            (
                true,
                PatchOps {
                    clear_with_remove: true,
                    ..
                },
            ) => "remove",
            (
                _,
                PatchOps {
                    set_with_add: true, ..
                },
            ) => "add",
            _ => "replace",
        };
        op.insert("op".into(), Value::from(name));
        op.insert("path".into(), Value::from(pointer(at)));
        if name != "remove" {
            op.insert("value".into(), value.clone());
        }
        out.push(Value::Object(op));
    });
    Value::Array(out)
}

/// The field mask of the changes `body` names: the same places as [`ops`], each written as
/// its members' names joined by `.`, the places joined by `,` (`url,config.secret`), as
/// vendors that take an update's mask in a query parameter read it.
pub fn mask(map: &ObjectMap, body: &Value) -> String {
    let mut out = String::new();
    changed(map, body, &mut |at, _| {
        if !out.is_empty() {
            out.push(',');
        }
        for (i, step) in at.iter().enumerate() {
            if i > 0 {
                out.push('.');
            }
            match step {
                Step::Key(k) => out.push_str(k),
                Step::Index(n) => out.push_str(&n.to_string()),
            }
        }
    });
    out
}

/// Each place `body` changes, with its value: a member whole, or deeper only where a rule
/// writes below it.
fn changed(map: &ObjectMap, body: &Value, each: &mut impl FnMut(&[Step], &Value)) {
    let places = places(map);
    walk(&places, &mut Vec::new(), body, each);
}

fn walk(
    places: &[&[Step]],
    at: &mut Vec<Step>,
    value: &Value,
    each: &mut impl FnMut(&[Step], &Value),
) {
    let above = |at: &[Step]| {
        at.is_empty()
            || places
                .iter()
                .any(|p| p.len() > at.len() && p.starts_with(at))
    };
    match value {
        Value::Object(members) if above(at) => {
            for (key, value) in members {
                at.push(Step::Key(key.clone()));
                walk(places, at, value, each);
                at.pop();
            }
        }
        Value::Array(items) if !at.is_empty() && above(at) => {
            for (i, value) in items.iter().enumerate() {
                at.push(Step::Index(i));
                walk(places, at, value, each);
                at.pop();
            }
        }
        value => each(at, value),
    }
}

/// The members of a client's body that its field mask names (`mask` as given: paths of
/// member names joined by `.`, several joined by `,`), each place the mask names and the
/// body leaves out cleared (`null`), as the vendors that take masks read them; `*` names
/// every member the body holds.
pub fn masked(body: Map<String, Value>, mask: &[&str]) -> Map<String, Value> {
    let paths: Vec<&str> = mask
        .iter()
        .flat_map(|m| m.split(','))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if paths.contains(&"*") {
        return body;
    }
    let body = Value::Object(body);
    let mut out = Value::Object(Map::new());
    for text in paths {
        let path = FieldPath::of_keys(text.split('.'));
        let value = path.get(&body).cloned().unwrap_or(Value::Null);
        path.set(&mut out, value);
    }
    match out {
        Value::Object(members) => members,
        _ => unreachable!("members are set into an object"),
    }
}

/// The JSON Pointer (RFC 6901) of a place: `~` and `/` in a name escaped as `~0` and `~1`.
fn pointer(steps: &[Step]) -> String {
    let mut out = String::new();
    for step in steps {
        out.push('/');
        match step {
            Step::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
            Step::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

/// Why a client's patch cannot be applied.
#[derive(Debug)]
pub enum Refused {
    /// The body is no array of operations.
    NotAPatch,
    /// Operations that cannot be applied, each named by its pointer in the patch (`/1/op`).
    Ops(Vec<FieldError>),
}

/// The members a client's patch changes, as the object a merge would have sent: for the
/// rules to check and parse. Operations apply in order; a later one on a place wins.
pub fn members(map: &ObjectMap, patch: &Value) -> Result<Map<String, Value>, Refused> {
    let Value::Array(list) = patch else {
        return Err(Refused::NotAPatch);
    };
    let places = places(map);
    let mut out = Value::Object(Map::new());
    let mut errors = Vec::new();
    for (i, op) in list.iter().enumerate() {
        match applied(&places, op) {
            Ok((steps, value)) => FieldPath::of_steps(steps).set(&mut out, value),
            Err((member, message)) => {
                errors.push(FieldError::new(format!("/{i}/{member}"), message))
            }
        }
    }
    match (errors.is_empty(), out) {
        (true, Value::Object(members)) => Ok(members),
        (true, _) => unreachable!("a patch's members are set into an object"),
        (false, _) => Err(Refused::Ops(errors)),
    }
}

/// One operation: where it writes and what; or which of its members is wrong, and why.
fn applied(places: &[&[Step]], op: &Value) -> Result<(Vec<Step>, Value), (&'static str, String)> {
    let Value::Object(op) = op else {
        return Err(("op", "an operation must be an object".into()));
    };
    let value = match op.get("op").and_then(Value::as_str) {
        Some("add" | "replace") => match op.get("value") {
            Some(value) => value.clone(),
            None => return Err(("value", "is required".into())),
        },
        Some("remove") => Value::Null,
        Some(other @ ("move" | "copy" | "test")) => {
            return Err((
                "op",
                format!("`{other}` is not supported: send `add`, `replace` or `remove`"),
            ));
        }
        _ => return Err(("op", "must be one of: add, replace, remove".into())),
    };
    let Some(text) = op.get("path").and_then(Value::as_str) else {
        return Err(("path", "is required".into()));
    };
    let steps = parse_pointer(places, text).ok_or((
        "path",
        "must be a JSON Pointer to a member of the webhook".into(),
    ))?;
    if let Some(place) = places
        .iter()
        .find(|p| steps.len() > p.len() && steps.starts_with(p))
    {
        return Err((
            "path",
            format!(
                "changes part of `{}`: replace the whole member",
                pointer(place)
            ),
        ));
    }
    Ok((steps, value))
}

/// A JSON Pointer's steps: a number is an array index where a rule's place has one there, a
/// member's name otherwise. `None` for the root (the whole webhook) and for text that is no
/// pointer.
fn parse_pointer(places: &[&[Step]], text: &str) -> Option<Vec<Step>> {
    let rest = text.strip_prefix('/')?;
    let mut steps: Vec<Step> = Vec::new();
    for token in rest.split('/') {
        let name = unescape(token)?;
        let index = places.iter().find_map(|p| match p.get(steps.len()) {
            Some(Step::Index(i)) if p.starts_with(&steps) && i.to_string() == name => Some(*i),
            _ => None,
        });
        steps.push(match index {
            Some(i) => Step::Index(i),
            None => Step::Key(name),
        });
    }
    Some(steps)
}

/// A pointer's token unescaped: `~1` is `/`, `~0` is `~`; any other `~` is no pointer.
fn unescape(token: &str) -> Option<String> {
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        match c {
            '~' => match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return None,
            },
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::Dialect;
    use serde_json::json;
    use std::path::Path;

    const FILE: &str = r#"
[dialect]
base_path = "/v1"

[fields.id]
path = "$.id"
in = ["response"]

[fields.url]
path = "$.config.url"

[fields.events]
path = "$.event_types"
codec = { wrap = "name" }

[fields.description]
path = "$.notes[1]"

[operations.get]
method = "GET"
path = "/hooks/{id}"
response = "{{webhook}}"

[operations.update]
method = "PATCH"
path = "/hooks/{id}"
body = "{{webhook}}"
response = "{{webhook}}"
strategy = "json_patch"

[errors.render.default]
body = { message = "{{message}}" }
"#;

    fn dialect() -> Dialect {
        Dialect::compile("t", Path::new("t.toml"), FILE).unwrap()
    }

    #[test]
    fn an_update_is_one_replace_per_place_a_rule_writes() {
        let d = dialect();
        let body = json!({
            "config": {"url": "https://a.example/h", "content_type": "json"},
            "event_types": [{"name": "A"}],
            "notes": [null, "n"],
            "a/b~c": 1
        });
        assert_eq!(
            ops(&d.webhook, body, PatchOps::default()),
            json!([
                {"op": "replace", "path": "/config/url", "value": "https://a.example/h"},
                {"op": "replace", "path": "/config/content_type", "value": "json"},
                {"op": "replace", "path": "/event_types", "value": [{"name": "A"}]},
                {"op": "replace", "path": "/notes/0", "value": null},
                {"op": "replace", "path": "/notes/1", "value": "n"},
                {"op": "replace", "path": "/a~1b~0c", "value": 1}
            ])
        );
    }

    #[test]
    fn a_vendor_may_take_adds_and_removes() {
        let d = dialect();
        let body = json!({"config": {"url": "https://a.example/h", "content_type": null}, "notes": [null]});
        let how = PatchOps {
            set_with_add: true,
            clear_with_remove: true,
        };
        assert_eq!(
            ops(&d.webhook, body.clone(), how),
            json!([
                {"op": "add", "path": "/config/url", "value": "https://a.example/h"},
                {"op": "remove", "path": "/config/content_type"},
                {"op": "add", "path": "/notes/0", "value": null}
            ])
        );
        let how = PatchOps {
            set_with_add: false,
            clear_with_remove: true,
        };
        assert_eq!(
            ops(&d.webhook, body, how)[0]["op"],
            "replace",
            "a member set is replaced unless the file says `add`"
        );
    }

    #[test]
    fn a_clients_patch_is_the_members_it_names() {
        let d = dialect();
        let patch = json!([
            {"op": "replace", "path": "/config/url", "value": "https://a.example/1"},
            {"op": "add", "path": "/event_types", "value": [{"name": "A"}]},
            {"op": "replace", "path": "/config/url", "value": "https://a.example/2"},
            {"op": "remove", "path": "/notes/1"},
            {"op": "replace", "path": "/a~1b", "value": 1}
        ]);
        assert_eq!(
            Value::Object(members(&d.webhook, &patch).unwrap()),
            json!({
                "config": {"url": "https://a.example/2"},
                "event_types": [{"name": "A"}],
                "notes": [null, null],
                "a/b": 1
            })
        );
    }

    #[test]
    fn what_cannot_be_applied_whole_is_refused_by_its_place_in_the_patch() {
        let d = dialect();
        assert!(matches!(
            members(&d.webhook, &json!({"op": "replace"})),
            Err(Refused::NotAPatch)
        ));
        let patch = json!([
            {"op": "replace", "path": "/event_types/0", "value": {"name": "A"}},
            {"op": "move", "from": "/a", "path": "/b"},
            {"op": "replace", "path": "/config/url"},
            {"op": "replace", "path": "", "value": {}},
            {"op": "replace", "path": "/a~2", "value": 1},
            {"path": "/a", "value": 1},
            "replace",
            {"op": "replace", "value": 1},
            {"op": "replace", "path": "/config/url/x", "value": 1}
        ]);
        let Err(Refused::Ops(errors)) = members(&d.webhook, &patch) else {
            panic!("refused");
        };
        let said: Vec<(String, String)> =
            errors.into_iter().map(|e| (e.field, e.message)).collect();
        let pointer = "must be a JSON Pointer to a member of the webhook";
        let expected = [
            (
                "/0/path",
                "changes part of `/event_types`: replace the whole member",
            ),
            (
                "/1/op",
                "`move` is not supported: send `add`, `replace` or `remove`",
            ),
            ("/2/value", "is required"),
            ("/3/path", pointer),
            ("/4/path", pointer),
            ("/5/op", "must be one of: add, replace, remove"),
            ("/6/op", "an operation must be an object"),
            ("/7/path", "is required"),
            (
                "/8/path",
                "changes part of `/config/url`: replace the whole member",
            ),
        ];
        assert_eq!(
            said,
            expected
                .iter()
                .map(|(f, m)| ((*f).to_owned(), (*m).to_owned()))
                .collect::<Vec<_>>()
        );
    }
}
