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
//!
//! Either way a client names only what a request can set. A place no rule reads from requests
//! (a member the vendor does not have, one only its answers hold such as the id, part of a
//! scalar) is refused, as the vendor refuses it, never ignored: an update that answers success
//! and changes nothing tells its client the change was made. An operation on an object that
//! holds places (`/config`) replaces each place in it: what its value holds there, cleared
//! where it holds nothing; a member of that value at no such place is refused too.

use super::json_path::{FieldPath, Step};
use super::model::PatchOps;
use super::rules::{ObjectMap, Rule};
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
        out.push_str(&dotted(at));
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

/// What a place a client names in an update is, by the places of the webhook's rules.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Naming<'m> {
    /// A place a request's rule reads whole.
    Place,
    /// An object (or array) that holds such places.
    Above,
    /// Part of the value at a place, which the rules read whole.
    Inside(&'m [Step]),
    /// A place only answers hold: an id, a member the vendor writes, a derived value.
    ReadOnly,
    /// No place of the webhook.
    Unknown,
}

/// How a client spells places: a patch's JSON Pointers, or a mask's dotted paths.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Spelling {
    Pointer,
    Mask,
}

impl Spelling {
    fn spell(self, steps: &[Step]) -> String {
        match self {
            Spelling::Pointer => pointer(steps),
            Spelling::Mask => dotted(steps),
        }
    }
}

/// Why a client cannot name `at`, in the client's spelling of places; `None` where it can.
fn refusal(naming: Naming, at: &[Step], spelling: Spelling) -> Option<String> {
    let shown = spelling.spell(at);
    match naming {
        Naming::Place | Naming::Above => None,
        Naming::Inside(place) => Some(match spelling {
            Spelling::Pointer => format!(
                "changes part of `{}`: replace the whole member",
                pointer(place)
            ),
            Spelling::Mask => format!(
                "`{shown}` names part of `{}`: name the whole member",
                dotted(place)
            ),
        }),
        Naming::ReadOnly => Some(format!("`{shown}` is read-only: it cannot be changed")),
        Naming::Unknown => Some(format!(
            "`{shown}` names no member of the webhook: it cannot be changed"
        )),
    }
}

/// The places of the webhook a client's update may name (those requests carry: a rule's
/// path, its aliases, its flags) and those it may not (those only answers hold).
struct Names<'m> {
    map: &'m ObjectMap,
    settable: Vec<&'m [Step]>,
    read_only: Vec<&'m [Step]>,
}

impl<'m> Names<'m> {
    fn of(map: &'m ObjectMap) -> Names<'m> {
        let (requested, answered): (Vec<_>, Vec<_>) = map.rules.iter().partition(|r| r.request);
        let steps = |rules: Vec<&'m Rule>| -> Vec<&'m [Step]> {
            rules
                .into_iter()
                .flat_map(|r| r.places())
                .map(FieldPath::steps)
                .collect()
        };
        let mut read_only = steps(answered);
        read_only.extend(map.derived.iter().map(|d| d.path.steps()));
        Names {
            map,
            settable: steps(requested),
            read_only,
        }
    }

    /// What `at` names. A place requests carry wins over one answers hold at the same steps
    /// (a field that requests spell where answers spell another).
    fn naming(&self, at: &[Step]) -> Naming<'m> {
        if self.settable.contains(&at) {
            return Naming::Place;
        }
        if let Some(place) = self
            .settable
            .iter()
            .find(|p| at.len() > p.len() && at.starts_with(p))
        {
            return Naming::Inside(place);
        }
        if self
            .settable
            .iter()
            .any(|p| p.len() > at.len() && p.starts_with(at))
        {
            return Naming::Above;
        }
        let related = |p: &&[Step]| at.starts_with(p) || p.starts_with(at);
        match self.read_only.iter().any(related) {
            true => Naming::ReadOnly,
            false => Naming::Unknown,
        }
    }

    /// The steps of a client's path of names (a pointer's tokens, a mask's names): a number is
    /// an array index where one of the rules' places has that index there, a member's name
    /// otherwise.
    fn steps<I: IntoIterator<Item = String>>(&self, names: I) -> Vec<Step> {
        let mut steps: Vec<Step> = Vec::new();
        for name in names {
            let index = self.settable.iter().chain(&self.read_only).find_map(|p| {
                match p.get(steps.len()) {
                    Some(Step::Index(i)) if p.starts_with(&steps) && i.to_string() == name => {
                        Some(*i)
                    }
                    _ => None,
                }
            });
            steps.push(match index {
                Some(i) => Step::Index(i),
                None => Step::Key(name),
            });
        }
        steps
    }

    /// The changes of a client that names `at` with `value`: at a place, the value; above
    /// places, each place the value holds, and each rule below `at` the value holds nothing
    /// of cleared, as replacing the object whole leaves it without them. Beside them, `at`
    /// itself where it is no place a request can set, or else each member of the value that
    /// is none, with why.
    fn changes(&self, at: &[Step], value: Value) -> Changes<'m> {
        let mut changes = Changes::default();
        match self.naming(at) {
            Naming::Place => changes.set.push((at.to_vec(), value)),
            Naming::Above => {
                self.spread(&mut at.to_vec(), &value, &mut changes);
                self.clear_left_out(at, &mut changes.set);
            }
            naming => changes.refused.push((at.to_vec(), Refusal::Named(naming))),
        }
        changes
    }

    /// Each member of `value` (the value of `at`, above places) at a place, into `changes`.
    fn spread(&self, at: &mut Vec<Step>, value: &Value, changes: &mut Changes<'m>) {
        let members: Vec<(Step, &Value)> = match value {
            Value::Null => return,
            Value::Object(members) => members
                .iter()
                .map(|(k, v)| (Step::Key(k.clone()), v))
                .collect(),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (Step::Index(i), v))
                .collect(),
            _ => {
                changes.refused.push((at.clone(), Refusal::NoMembers));
                return;
            }
        };
        for (step, member) in members {
            at.push(step);
            match self.naming(at) {
                Naming::Place => changes.set.push((at.clone(), member.clone())),
                Naming::Above => self.spread(at, member, changes),
                naming => changes.refused.push((at.clone(), Refusal::Named(naming))),
            }
            at.pop();
        }
    }

    /// Whether the places below `at` go on by an array's index: its value is an array.
    fn holds_items(&self, at: &[Step]) -> bool {
        self.settable.iter().any(|p| {
            p.len() > at.len() && p.starts_with(at) && matches!(p[at.len()], Step::Index(_))
        })
    }

    /// Clears each rule with a place below `at` that `set` gives no value at any of its places:
    /// `null`, or `false` for a flag (a flag left out of a whole object is off). Not a rule an
    /// update cannot change (it would be refused for what the client never named), a constant
    /// the vendor requires (`fill`), nor one answers never show (a write-only secret): a
    /// client cannot put back what it was never shown.
    fn clear_left_out(&self, at: &[Step], set: &mut Vec<(Vec<Step>, Value)>) {
        let below = |p: &&FieldPath| p.steps().len() > at.len() && p.steps().starts_with(at);
        let cleared_here = |r: &&Rule| r.request && r.response && r.ops.update && r.fill.is_none();
        let mut cleared = Vec::new();
        for rule in self.map.rules.iter().filter(cleared_here) {
            let given = rule
                .places()
                .filter(below)
                .any(|p| set.iter().any(|(s, _)| s == p.steps()));
            if given {
                continue;
            }
            let none = match rule.flags {
                Some(_) => Value::Bool(false),
                None => Value::Null,
            };
            let written = rule.written().filter(below);
            cleared.extend(written.map(|p| (p.steps().to_vec(), none.clone())));
        }
        set.extend(cleared);
    }
}

/// What naming a place changes, and what of it cannot be changed.
#[derive(Debug, Default)]
struct Changes<'m> {
    set: Vec<(Vec<Step>, Value)>,
    refused: Vec<(Vec<Step>, Refusal<'m>)>,
}

/// Why a place a client named cannot be changed.
#[derive(Debug)]
enum Refusal<'m> {
    /// It is no place a request can set.
    Named(Naming<'m>),
    /// An object (or array) that holds places was given a value of neither kind.
    NoMembers,
}

/// The members of a client's body that its field mask names (`mask` as given: paths of
/// member names joined by `.`, several joined by `,`), each place the mask names and the
/// body leaves out cleared (`null`), as the vendors that take masks read them; `*` names
/// every member the body holds, and a mask that names nothing is no mask. `Err` says, for
/// each path that names no member a request can set, why (the mask's query parameter is the
/// caller's to name).
pub fn masked(
    map: &ObjectMap,
    body: Map<String, Value>,
    mask: &[&str],
) -> Result<Map<String, Value>, Vec<String>> {
    let paths: Vec<&str> = mask
        .iter()
        .flat_map(|m| m.split(','))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if paths.is_empty() || paths.contains(&"*") {
        return Ok(body);
    }
    let names = Names::of(map);
    let body = Value::Object(body);
    let mut out = Value::Object(Map::new());
    let mut refused = Vec::new();
    for text in paths {
        let steps = names.steps(text.split('.').map(str::to_owned));
        let value = FieldPath::of_steps(steps.clone())
            .get(&body)
            .cloned()
            .unwrap_or(Value::Null);
        let changes = names.changes(&steps, value);
        // Only the mask's own paths are refused: members of the body the mask does not name,
        // wherever they are, are left as a merge leaves members no rule reads.
        for (at, why) in changes.refused {
            if let (true, Refusal::Named(naming)) = (at == steps, why) {
                refused.extend(refusal(naming, &at, Spelling::Mask));
            }
        }
        for (at, value) in changes.set {
            FieldPath::of_steps(at).set(&mut out, value);
        }
    }
    if !refused.is_empty() {
        return Err(refused);
    }
    match out {
        Value::Object(members) => Ok(members),
        _ => unreachable!("members are set into an object"),
    }
}

/// A place's names joined by `.` (`config.url`), as a field mask spells it.
fn dotted(steps: &[Step]) -> String {
    let mut out = String::new();
    for (i, step) in steps.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        match step {
            Step::Key(k) => out.push_str(k),
            Step::Index(n) => out.push_str(&n.to_string()),
        }
    }
    out
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
    let names = Names::of(map);
    let mut out = Value::Object(Map::new());
    let mut errors = Vec::new();
    for (i, op) in list.iter().enumerate() {
        match applied(&names, op) {
            Ok(set) => {
                for (steps, value) in set {
                    FieldPath::of_steps(steps).set(&mut out, value);
                }
            }
            Err(refused) => errors.extend(
                refused
                    .into_iter()
                    .map(|(member, message)| FieldError::new(format!("/{i}/{member}"), message)),
            ),
        }
    }
    match (errors.is_empty(), out) {
        (true, Value::Object(members)) => Ok(members),
        (true, _) => unreachable!("a patch's members are set into an object"),
        (false, _) => Err(Refused::Ops(errors)),
    }
}

/// A member of an operation that is wrong (`op`, `path`, `value`), and why.
type OpError = (&'static str, String);

/// One operation: the places it writes and what; or which of its members are wrong, and why.
fn applied(names: &Names, op: &Value) -> Result<Vec<(Vec<Step>, Value)>, Vec<OpError>> {
    let Value::Object(op) = op else {
        return Err(vec![("op", "an operation must be an object".into())]);
    };
    let value = match op.get("op").and_then(Value::as_str) {
        Some("add" | "replace") => match op.get("value") {
            Some(value) => value.clone(),
            None => return Err(vec![("value", "is required".into())]),
        },
        Some("remove") => Value::Null,
        Some(other @ ("move" | "copy" | "test")) => {
            return Err(vec![(
                "op",
                format!("`{other}` is not supported: send `add`, `replace` or `remove`"),
            )]);
        }
        _ => return Err(vec![("op", "must be one of: add, replace, remove".into())]),
    };
    let Some(text) = op.get("path").and_then(Value::as_str) else {
        return Err(vec![("path", "is required".into())]);
    };
    let not_a_pointer = || {
        vec![(
            "path",
            "must be a JSON Pointer to a member of the webhook".to_owned(),
        )]
    };
    let tokens = text
        .strip_prefix('/')
        .ok_or_else(not_a_pointer)?
        .split('/')
        .map(unescape)
        .collect::<Option<Vec<String>>>()
        .ok_or_else(not_a_pointer)?;
    let steps = names.steps(tokens);
    let changes = names.changes(&steps, value);
    if changes.refused.is_empty() {
        return Ok(changes.set);
    }
    Err(changes
        .refused
        .into_iter()
        .map(|(at, why)| match why {
            // The pointer itself names no place: the operation's path is wrong.
            Refusal::Named(naming) if at == steps => (
                "path",
                refusal(naming, &at, Spelling::Pointer).unwrap_or_default(),
            ),
            Refusal::Named(naming) => (
                "value",
                refusal(naming, &at, Spelling::Pointer).unwrap_or_default(),
            ),
            Refusal::NoMembers => (
                "value",
                format!(
                    "`{}` holds members: its value must be an {}",
                    pointer(&at),
                    match names.holds_items(&at) {
                        true => "array",
                        false => "object",
                    }
                ),
            ),
        })
        .collect())
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

[fields."extensions.tag"]
path = "$.config.tag"

[fields."extensions.created"]
path = "$.config.created"
in = ["response"]

[fields."extensions.spelt"]
path = "$['config/x']"

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
            {"op": "replace", "path": "/config~1x", "value": "y"}
        ]);
        assert_eq!(
            Value::Object(members(&d.webhook, &patch).unwrap()),
            json!({
                "config": {"url": "https://a.example/2"},
                "event_types": [{"name": "A"}],
                "notes": [null, null],
                "config/x": "y"
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

    /// Each spelling of a place no request can set, refused by where the operation names it.
    #[test]
    fn a_place_no_request_can_set_is_refused_wherever_it_is_named() {
        let d = dialect();
        let patch = json!([
            {"op": "replace", "path": "/foo", "value": 1},
            {"op": "replace", "path": "/id", "value": "zzz"},
            {"op": "add", "path": "/config/created", "value": 1},
            {"op": "replace", "path": "/config/unknown", "value": 1},
            {"op": "remove", "path": "/extensions"},
            {"op": "replace", "path": "/a~1b", "value": 1},
            {"op": "replace", "path": "/config/url/0", "value": "h"},
            {"op": "replace", "path": "/config", "value": {"url": "u", "unknown": 1, "created": 2}},
            {"op": "replace", "path": "/config", "value": 5},
            {"op": "replace", "path": "/", "value": 1},
            {"op": "remove", "path": "/config/created/at"}
        ]);
        let Err(Refused::Ops(errors)) = members(&d.webhook, &patch) else {
            panic!("refused");
        };
        let said: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(
            said,
            [
                (
                    "/0/path",
                    "`/foo` names no member of the webhook: it cannot be changed"
                ),
                ("/1/path", "`/id` is read-only: it cannot be changed"),
                (
                    "/2/path",
                    "`/config/created` is read-only: it cannot be changed"
                ),
                (
                    "/3/path",
                    "`/config/unknown` names no member of the webhook: it cannot be changed"
                ),
                (
                    "/4/path",
                    "`/extensions` names no member of the webhook: it cannot be changed"
                ),
                (
                    "/5/path",
                    "`/a~1b` names no member of the webhook: it cannot be changed"
                ),
                (
                    "/6/path",
                    "changes part of `/config/url`: replace the whole member"
                ),
                (
                    "/7/value",
                    "`/config/unknown` names no member of the webhook: it cannot be changed"
                ),
                (
                    "/7/value",
                    "`/config/created` is read-only: it cannot be changed"
                ),
                (
                    "/8/value",
                    "`/config` holds members: its value must be an object"
                ),
                (
                    "/9/path",
                    "`/` names no member of the webhook: it cannot be changed"
                ),
                (
                    "/10/path",
                    "`/config/created/at` is read-only: it cannot be changed"
                ),
            ]
        );
    }

    /// An object that holds places, named whole, is replaced whole: what its value leaves out
    /// is cleared, as RFC 6902 leaves the object without it.
    #[test]
    fn an_object_that_holds_places_is_replaced_whole() {
        let d = dialect();
        let patch = json!([{"op": "replace", "path": "/config", "value": {"url": "u"}}]);
        assert_eq!(
            Value::Object(members(&d.webhook, &patch).unwrap()),
            json!({"config": {"url": "u", "tag": null}})
        );
        let patch = json!([
            {"op": "replace", "path": "/config/tag", "value": "t"},
            {"op": "remove", "path": "/config"}
        ]);
        assert_eq!(
            Value::Object(members(&d.webhook, &patch).unwrap()),
            json!({"config": {"url": null, "tag": null}}),
            "a later operation on a place wins"
        );
    }

    #[test]
    fn a_mask_names_only_what_a_request_can_set() {
        let d = dialect();
        let body = || {
            json!({"config": {"url": "u", "tag": "t"}, "event_types": [{"name": "A"}], "x": 1})
                .as_object()
                .cloned()
                .unwrap()
        };
        let masked = |mask: &[&str]| super::masked(&d.webhook, body(), mask).map(Value::Object);
        assert_eq!(
            masked(&["config.url,notes.1"]),
            Ok(json!({"config": {"url": "u"}, "notes": [null, null]}))
        );
        assert_eq!(
            masked(&["config"]),
            Ok(json!({"config": {"url": "u", "tag": "t"}}))
        );
        assert_eq!(masked(&["*"]), Ok(Value::Object(body())));
        assert_eq!(masked(&[""]), Ok(Value::Object(body())), "no mask");
        assert_eq!(
            masked(&[
                "bogus",
                "config.url,id",
                "event_types.0",
                "config.created",
                "x"
            ]),
            Err(vec![
                "`bogus` names no member of the webhook: it cannot be changed".to_owned(),
                "`id` is read-only: it cannot be changed".to_owned(),
                "`event_types.0` names part of `event_types`: name the whole member".to_owned(),
                "`config.created` is read-only: it cannot be changed".to_owned(),
                "`x` names no member of the webhook: it cannot be changed".to_owned(),
            ])
        );
    }
}
