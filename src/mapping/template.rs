//! Body templates: JSON with `{{placeholders}}`, compiled once at load.
//!
//! A template is how a mapping file spells a vendor envelope (`{"success": true, "data":
//! "{{webhook}}"}`). Rendering fills the placeholders; reading uses the same template backwards:
//! the path where `{{webhook}}` stands is where the webhook is found in the vendor's answer.

use super::json_path::{FieldPath, Step};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// One compiled template node.
#[derive(Debug, Clone, PartialEq)]
pub enum Template {
    /// A JSON value written as it is.
    Literal(Value),
    /// `"{{name}}"` or `"{{name|default}}"`, standing alone as a whole JSON value; `index`
    /// picks items of an array value (`{{current.events[0]}}`).
    Slot {
        /// The placeholder's name, e.g. `webhook` or `current.events`.
        name: String,
        /// Indexes into an array value, outermost first; empty for the whole value.
        index: Vec<usize>,
        /// The value used when the placeholder has none.
        default: Option<Value>,
    },
    /// A string with placeholders inside it: `"Failed to {{operation}} webhook"`.
    Text(Vec<Piece>),
    /// `{"$switch": "webhook.enabled", "true": …, "false": …, "$default": …}`: picks by a
    /// value's JSON text, else the default.
    Switch {
        /// The placeholder whose value's JSON text picks the case.
        on: String,
        /// Each case: a value's JSON text and the template it picks.
        cases: Vec<(String, Template)>,
        /// The `$default` case, when given.
        default: Option<Box<Template>>,
    },
    /// An object whose members are templates, in order.
    Object(Vec<(String, Template)>),
    /// `{"$spread": "{{webhook}}", "type": "hooks", …}`: the members of the object a
    /// placeholder holds, then these (one of the same name replaces the placeholder's): for a
    /// vendor whose envelope keeps members of its own beside the webhook's, in one object
    /// (JSON:API's `{"data": {"type": …, "id": …, "attributes": …}}`).
    Spread {
        /// The placeholder whose object is spread.
        name: String,
        /// The members beside it, in order.
        members: Vec<(String, Template)>,
    },
    /// An array whose items are templates.
    Array(Vec<Template>),
}

/// A piece of text with placeholders.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// Text as it is.
    Text(String),
    /// A placeholder's value, as text.
    Slot(String, Vec<usize>),
}

impl Piece {
    /// The literal text of `pieces`, their placeholders left out: what stands around one.
    pub fn text_of(pieces: &[Piece]) -> String {
        pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.as_str(),
                Piece::Slot(..) => "",
            })
            .collect()
    }
}

/// What fills the placeholders of a template while it is rendered.
pub trait Slots {
    /// The value of a placeholder, or `None` when it has none (the member is then omitted).
    fn slot(&self, name: &str) -> Option<Value>;

    /// The same value, borrowed where the slots hold it whole (for [`Template::written`]).
    fn slot_ref(&self, name: &str) -> Option<Cow<'_, Value>> {
        self.slot(name).map(Cow::Owned)
    }
}

impl Template {
    /// Compiles a JSON value; placeholder names are checked by the caller with [`Self::slots`].
    pub fn compile(value: &Value) -> Result<Template, String> {
        Ok(match value {
            Value::String(s) => compile_text(s)?,
            Value::Array(items) => Template::Array(
                items
                    .iter()
                    .map(Template::compile)
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) if map.contains_key("$switch") => {
                let on = map["$switch"]
                    .as_str()
                    .filter(|on| !on.trim().is_empty())
                    .ok_or("`$switch` must name a value")?
                    .to_owned();
                let cases = map
                    .iter()
                    .filter(|(k, _)| *k != "$switch" && *k != "$default")
                    .map(|(k, v)| Ok((k.clone(), Template::compile(v)?)))
                    .collect::<Result<_, String>>()?;
                let default = match map.get("$default") {
                    Some(v) => Some(Box::new(Template::compile(v)?)),
                    None => None,
                };
                Template::Switch { on, cases, default }
            }
            Value::Object(map) if map.contains_key("$spread") => {
                let spread = map["$spread"].as_str().map(compile_text);
                let Some(Ok(Template::Slot {
                    name,
                    index,
                    default: None,
                })) = spread
                else {
                    return Err("`$spread` must be one placeholder alone, `\"{{name}}\"`".into());
                };
                if !index.is_empty() {
                    return Err("`$spread` takes a whole placeholder, not an item of one".into());
                }
                let members = map
                    .iter()
                    .filter(|(k, _)| *k != "$spread")
                    .map(|(k, v)| Ok((k.clone(), Template::compile(v)?)))
                    .collect::<Result<_, String>>()?;
                Template::Spread { name, members }
            }
            Value::Object(map) => Template::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), Template::compile(v)?)))
                    .collect::<Result<_, String>>()?,
            ),
            other => Template::Literal(other.clone()),
        })
    }

    /// Every placeholder name used, for load-time checks.
    pub fn slots(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_slots(&mut out);
        out
    }

    fn collect_slots<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Template::Literal(_) => {}
            Template::Slot { name, .. } => out.push(name),
            Template::Text(pieces) => out.extend(pieces.iter().filter_map(|p| match p {
                Piece::Slot(s, _) => Some(s.as_str()),
                Piece::Text(_) => None,
            })),
            Template::Switch { on, cases, default } => {
                out.push(on);
                cases.iter().for_each(|(_, t)| t.collect_slots(out));
                default.iter().for_each(|t| t.collect_slots(out));
            }
            Template::Object(members) => members.iter().for_each(|(_, t)| t.collect_slots(out)),
            Template::Spread { name, members } => {
                out.push(name);
                members.iter().for_each(|(_, t)| t.collect_slots(out));
            }
            Template::Array(items) => items.iter().for_each(|t| t.collect_slots(out)),
        }
    }

    /// The members of a body spelt by this template that it names nowhere, by their place: of
    /// an object it spells, a member it has no template for. What a placeholder stands for
    /// (the webhook, which its rules name, or a value such as `{{idempotency_key}}`) is named
    /// whole, and so is what any other template spells.
    pub fn unnamed_members(&self, body: &Map<String, Value>) -> Vec<FieldPath> {
        let mut out = Vec::new();
        self.unnamed_within(&FieldPath::default(), body, &mut out);
        out
    }

    fn unnamed_within(&self, at: &FieldPath, given: &Map<String, Value>, out: &mut Vec<FieldPath>) {
        if let Template::Object(members) = self {
            unnamed_among(members, at, given, out);
        }
    }

    /// Of `unnamed`, the members of an object where `name` is spread (a client's webhook)
    /// that its rules name nowhere, those this template does not spell beside it either (a
    /// `$spread`'s others, `"@odata.type"`): a member either names is known. What one names
    /// whole the other may name in part: a member is unnamed down to where neither names it.
    pub fn unnamed_beside(
        &self,
        name: &str,
        item: &Map<String, Value>,
        unnamed: Vec<FieldPath>,
    ) -> Vec<FieldPath> {
        let Some(beside) = self.beside(name) else {
            return unnamed;
        };
        let mut spelt = Vec::new();
        unnamed_among(beside, &FieldPath::default(), item, &mut spelt);
        let within = |paths: &[FieldPath], p: &FieldPath| paths.iter().any(|q| p.starts_with(q));
        let mut out: Vec<FieldPath> = (unnamed.iter())
            .filter(|p| within(&spelt, p))
            .cloned()
            .collect();
        out.extend(
            (spelt.iter())
                .filter(|p| within(&unnamed, p) && !unnamed.contains(p))
                .cloned(),
        );
        out
    }

    /// The values this template writes itself beside the placeholder `item` (the webhook a
    /// request body carries), each at its place: every literal member, down to its texts,
    /// numbers, booleans and arrays (JSON:API's `data.type`), and every placeholder other than
    /// `item` standing whole (`data.id = "{{id}}"`). What a `$switch` picks, text with
    /// placeholders inside and a placeholder's item (`{{current.events[0]}}`) are no one
    /// value, and are left out.
    pub fn held_values(&self, item: &str) -> Vec<(FieldPath, Held<'_>)> {
        let mut out = Vec::new();
        self.held_within(FieldPath::default(), item, &mut out);
        out
    }

    fn held_within<'t>(&'t self, at: FieldPath, item: &str, out: &mut Vec<(FieldPath, Held<'t>)>) {
        match self {
            Template::Literal(value) => literal_leaves(value, at, out),
            Template::Slot { name, index, .. } if name != item && index.is_empty() => {
                out.push((at, Held::Placeholder(name)));
            }
            Template::Object(members) | Template::Spread { members, .. } => {
                for (key, t) in members {
                    t.held_within(at.clone().child(Step::Key(key.clone())), item, out);
                }
            }
            Template::Array(items) => {
                for (i, t) in items.iter().enumerate() {
                    t.held_within(at.clone().child(Step::Index(i)), item, out);
                }
            }
            Template::Slot { .. } | Template::Text(_) | Template::Switch { .. } => {}
        }
    }

    /// The members a `$spread` of `name` keeps beside that placeholder's own, where one stands
    /// in this template (in a case of a `$switch` too): the envelope's, which share the
    /// object with the placeholder's members (`"@odata.context"`, JSON:API's `type`, a
    /// `{{request_id}}`). `None` where `name` is not spread, or is spread alone.
    pub fn beside(&self, name: &str) -> Option<&[(String, Template)]> {
        match self {
            Template::Spread { name: n, members } if n == name => {
                (!members.is_empty()).then_some(members.as_slice())
            }
            Template::Object(members) | Template::Spread { members, .. } => {
                members.iter().find_map(|(_, t)| t.beside(name))
            }
            Template::Array(items) => items.iter().find_map(|t| t.beside(name)),
            Template::Switch { cases, default, .. } => cases
                .iter()
                .map(|(_, t)| t)
                .chain(default.as_deref())
                .find_map(|t| t.beside(name)),
            Template::Literal(_) | Template::Slot { .. } | Template::Text(_) => None,
        }
    }

    /// The member this template writes at the vendor's dotted place `field` (`idempotency_key`,
    /// `meta.source`), or around it, leaving out what the placeholder `item` holds (the
    /// webhook, whose rules name its members): the envelope's member a vendor's field error
    /// names, if it names one.
    pub fn envelope_member(&self, field: &str, item: &str) -> Option<&Template> {
        let mut found = None;
        self.find_member(&FieldPath::default(), field, item, &mut found);
        found
    }

    fn find_member<'a>(
        &'a self,
        at: &FieldPath,
        field: &str,
        item: &str,
        found: &mut Option<&'a Template>,
    ) {
        let names =
            |place: &FieldPath| place.is_spelled(field) || place.spelled_inside(field).is_some();
        let members = match self {
            Template::Object(members) | Template::Spread { members, .. } => members,
            Template::Switch { cases, default, .. } => {
                for t in cases.iter().map(|(_, t)| t).chain(default.as_deref()) {
                    t.find_member(at, field, item, found);
                }
                return;
            }
            Template::Array(items) => {
                for (i, t) in items.iter().enumerate() {
                    let place = at.clone().child(Step::Index(i));
                    if names(&place) {
                        t.find_member(&place, field, item, found);
                    }
                }
                return;
            }
            _ => return,
        };
        for (key, t) in members {
            let place = at.clone().child(Step::Key(key.clone()));
            if !names(&place) || found.is_some() {
                continue;
            }
            match t {
                // The webhook, or the object it is spread in: its rules name its members.
                Template::Slot { name, .. } if name == item => {}
                Template::Spread { name, .. } if name == item && place.is_spelled(field) => {}
                Template::Object(_)
                | Template::Spread { .. }
                | Template::Switch { .. }
                | Template::Array(_)
                    if !place.is_spelled(field) =>
                {
                    t.find_member(&place, field, item, found)
                }
                _ => *found = Some(t),
            }
        }
    }

    /// The default of the whole-value placeholder `name` (`{{has_more|false}}`), where it
    /// stands with one.
    pub fn default_of(&self, name: &str) -> Option<&Value> {
        match self {
            Template::Slot {
                name: n,
                index,
                default,
            } if n == name && index.is_empty() => default.as_ref(),
            Template::Switch { cases, default, .. } => cases
                .iter()
                .map(|(_, t)| t)
                .chain(default.as_deref())
                .find_map(|t| t.default_of(name)),
            Template::Object(members) | Template::Spread { members, .. } => {
                members.iter().find_map(|(_, t)| t.default_of(name))
            }
            Template::Array(items) => items.iter().find_map(|t| t.default_of(name)),
            _ => None,
        }
    }

    /// The path at which the whole-value placeholder `name` stands, if it does.
    pub fn path_of(&self, name: &str) -> Option<FieldPath> {
        self.path_of_item(name, &[])
    }

    /// Where the slot `{{name[i]…}}` with exactly these indexes stands in this template, as
    /// [`Template::path_of`] (`{{current.events[0]}}` in a test's body: the event sent).
    pub fn path_of_item(&self, name: &str, index: &[usize]) -> Option<FieldPath> {
        let mut steps = Vec::new();
        self.find(name, index, &mut steps).then(|| {
            let mut path = FieldPath::default();
            for step in steps {
                path = path.child(step);
            }
            path
        })
    }

    fn find(&self, name: &str, at: &[usize], steps: &mut Vec<Step>) -> bool {
        match self {
            Template::Slot { name: n, index, .. } => n == name && index == at,
            // A reader cannot know the value that picked a case: the placeholder stands where
            // the case that places it puts it (the one place, checked at load with
            // [`Template::unread_in_switch`]), and an answer of another case has nothing there.
            Template::Switch { cases, default, .. } => cases
                .iter()
                .map(|(_, t)| t)
                .chain(default.as_deref())
                .any(|t| t.find(name, at, steps)),
            // The spread placeholder's object is this one.
            Template::Spread { name: n, .. } if n == name && at.is_empty() => true,
            Template::Object(members) | Template::Spread { members, .. } => {
                members.iter().any(|(k, t)| {
                    steps.push(Step::Key(k.clone()));
                    t.find(name, at, steps) || {
                        steps.pop();
                        false
                    }
                })
            }
            Template::Array(items) => items.iter().enumerate().any(|(i, t)| {
                steps.push(Step::Index(i));
                t.find(name, at, steps) || {
                    steps.pop();
                    false
                }
            }),
            _ => false,
        }
    }

    /// Every place at which the whole-value placeholder `{{name[i]…}}` with exactly these
    /// indexes stands, each once, in the template's order: the cases of a `$switch` that
    /// place it at one place give one.
    pub fn places_of(&self, name: &str, index: &[usize]) -> Vec<FieldPath> {
        let mut out = Vec::new();
        self.collect_places((name, index), &mut Vec::new(), &mut out);
        out
    }

    fn collect_places(
        &self,
        (name, at): (&str, &[usize]),
        steps: &mut Vec<Step>,
        out: &mut Vec<FieldPath>,
    ) {
        // A spread's object is one place, and its own members may be others.
        if matches!(self, Template::Spread { name: n, .. } if n == name && at.is_empty()) {
            let here = FieldPath::of_steps(steps.clone());
            if !out.contains(&here) {
                out.push(here);
            }
        }
        let mut inside = |step: Step, t: &Template, out: &mut Vec<FieldPath>| {
            steps.push(step);
            t.collect_places((name, at), steps, out);
            steps.pop();
        };
        match self {
            Template::Slot { name: n, index, .. } if n == name && index == at => {
                let here = FieldPath::of_steps(steps.clone());
                if !out.contains(&here) {
                    out.push(here);
                }
            }
            Template::Switch { cases, default, .. } => {
                for t in cases.iter().map(|(_, t)| t).chain(default.as_deref()) {
                    t.collect_places((name, at), steps, out);
                }
            }
            Template::Object(members) | Template::Spread { members, .. } => {
                for (k, t) in members {
                    inside(Step::Key(k.clone()), t, out);
                }
            }
            Template::Array(items) => {
                for (i, t) in items.iter().enumerate() {
                    inside(Step::Index(i), t, out);
                }
            }
            Template::Literal(_) | Template::Slot { .. } | Template::Text(_) => {}
        }
    }

    /// Why `{{name[index]…}}` could not be read where a `$switch` of this template places it,
    /// if it could not. A reader reads into the case that places it (see `Template::find`):
    /// cases that place it at different places leave the reader one of them, and another case
    /// that writes something else at its place would be read as its value (a literal `"end"`
    /// taken for a cursor). A `null` there is read as no value, as the vendor means it.
    pub fn unread_in_switch(&self, name: &str, index: &[usize]) -> Option<String> {
        self.switch_conflict(name, index, &mut Vec::new())
    }

    fn switch_conflict(&self, name: &str, at: &[usize], steps: &mut Vec<Step>) -> Option<String> {
        let inside = |step: Step, t: &Template, steps: &mut Vec<Step>| {
            steps.push(step);
            let found = t.switch_conflict(name, at, steps);
            steps.pop();
            found
        };
        match self {
            Template::Object(members) | Template::Spread { members, .. } => members
                .iter()
                .find_map(|(k, t)| inside(Step::Key(k.clone()), t, steps)),
            Template::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, t)| inside(Step::Index(i), t, steps)),
            Template::Switch { on, cases, default } => {
                let all: Vec<(&str, &Template)> = cases
                    .iter()
                    .map(|(k, t)| (k.as_str(), t))
                    .chain(default.as_deref().map(|t| ("$default", t)))
                    .collect();
                if let Some(found) = all
                    .iter()
                    .find_map(|(_, t)| t.switch_conflict(name, at, steps))
                {
                    return Some(found);
                }
                let placed: Vec<(&str, FieldPath)> = all
                    .iter()
                    .filter_map(|(k, t)| Some((*k, t.path_of_item(name, at)?)))
                    .collect();
                let (first_case, first) = placed.first()?;
                let slot = slot_text(name, at);
                let here = jsonpath(&FieldPath::of_steps(steps.clone()));
                let switch = format!("the `$switch` on `{on}` at `{here}`");
                // Places shown whole, from the template's root.
                let whole = |p: &FieldPath| {
                    jsonpath(&FieldPath::of_steps(
                        steps.iter().chain(p.steps()).cloned().collect(),
                    ))
                };
                let first = whole(first);
                if let Some((case, other)) = placed.iter().find(|(_, p)| p != &placed[0].1) {
                    let other = whole(other);
                    return Some(format!(
                        "`{slot}` stands at `{first}` in case `{first_case}` of {switch} and at `{other}` in case `{case}`: an answer is read at one place"
                    ));
                }
                let keys: Vec<&str> = all.iter().map(|(k, _)| *k).collect();
                all.iter()
                    .filter(|(_, t)| t.path_of_item(name, at).is_none())
                    .find_map(|(case, t)| {
                        let place = placed[0].1.steps();
                        let what = t.written_at(place)?;
                        // A flag's own value in the case that writes it is what a reader
                        // would read there: nothing is made up.
                        let holds = at
                            .is_empty()
                            .then(|| flag_in_case(name, on, case, &keys))
                            .flatten();
                        let literal = t.literal_at(place);
                        let instead = match holds {
                            Some(value) if literal == Some(&Value::Bool(value)) => return None,
                            Some(value) => format!(
                                "write `\"{slot}\"` there, or `{value}`, the value `{{{{{name}}}}}` holds in that case"
                            ),
                            None => "write `\"{{null}}\"` or nothing there".to_owned(),
                        };
                        Some(format!(
                            "case `{case}` of {switch} writes {what} where case `{first_case}` places `{slot}` (`{first}`): an answer would be read as holding it there; {instead}"
                        ))
                    })
            }
            _ => None,
        }
    }

    /// Why a placeholder a reader needs in every answer (a list's `{{items}}`, a read's
    /// `{{webhook}}`) or every body (a write's `{{webhook}}`) could be missing from one that a
    /// `$switch` of this template places, if it could: a case that does not place it (one
    /// that leaves it out, or writes `null` or anything else there), or cases that do not
    /// cover every value the switch can see, without a `$default`. `every` says what must
    /// hold it (`every answer`); `flag` whether a placeholder is a boolean that always holds
    /// a value (`true` and `false` then cover it).
    pub fn not_always_placed(
        &self,
        (name, index): (&str, &[usize]),
        every: &str,
        flag: &dyn Fn(&str) -> bool,
    ) -> Option<String> {
        self.left_out((name, index), (every, flag), &mut Vec::new())
    }

    fn left_out(
        &self,
        (name, at): (&str, &[usize]),
        (every, flag): (&str, &dyn Fn(&str) -> bool),
        steps: &mut Vec<Step>,
    ) -> Option<String> {
        let mut inside = |step: Step, t: &Template| {
            steps.push(step);
            let found = t.left_out((name, at), (every, flag), steps);
            steps.pop();
            found
        };
        match self {
            Template::Object(members) | Template::Spread { members, .. } => members
                .iter()
                .find_map(|(k, t)| inside(Step::Key(k.clone()), t)),
            Template::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, t)| inside(Step::Index(i), t)),
            Template::Switch { on, cases, default } => {
                let all: Vec<(&str, &Template)> = cases
                    .iter()
                    .map(|(k, t)| (k.as_str(), t))
                    .chain(default.as_deref().map(|t| ("$default", t)))
                    .collect();
                if all.iter().all(|(_, t)| t.path_of_item(name, at).is_none()) {
                    return None;
                }
                let slot = slot_text(name, at);
                let here = jsonpath(&FieldPath::of_steps(steps.clone()));
                let switch = format!("the `$switch` on `{on}` at `{here}`");
                if let Some((case, _)) =
                    all.iter().find(|(_, t)| t.path_of_item(name, at).is_none())
                {
                    return Some(format!(
                        "case `{case}` of {switch} does not place `{slot}`, which {every} holds: one of that case would be read as holding none; place it in every case, at one place"
                    ));
                }
                let both = ["true", "false"]
                    .iter()
                    .all(|k| all.iter().any(|(c, _)| c == k));
                if default.is_none() && !(flag(on) && both) {
                    return Some(format!(
                        "{switch} places `{slot}` in its cases alone and has no `$default`: where `{{{{{on}}}}}` is none of them, nothing is written there, and {every} holds `{slot}`; add a `$default` that places it"
                    ));
                }
                all.iter()
                    .find_map(|(_, t)| t.left_out((name, at), (every, flag), steps))
            }
            _ => None,
        }
    }

    /// The literal value this template writes at `steps`, where it writes one there.
    fn literal_at(&self, steps: &[Step]) -> Option<&Value> {
        let Some((step, rest)) = steps.split_first() else {
            return match self {
                Template::Literal(v) => Some(v),
                _ => None,
            };
        };
        match (self, step) {
            (Template::Literal(v), _) => FieldPath::of_steps(steps.to_vec()).get(v),
            (Template::Object(members) | Template::Spread { members, .. }, Step::Key(k)) => {
                members.iter().find(|(m, _)| m == k)?.1.literal_at(rest)
            }
            (Template::Array(items), Step::Index(i)) => items.get(*i)?.literal_at(rest),
            _ => None,
        }
    }

    /// Every `$switch` of this template: the placeholder it switches on, and its case keys
    /// (`$default` apart), for load-time checks.
    pub fn switches(&self) -> Vec<(&str, Vec<&str>)> {
        let mut out = Vec::new();
        self.collect_switches(&mut out);
        out
    }

    fn collect_switches<'a>(&'a self, out: &mut Vec<(&'a str, Vec<&'a str>)>) {
        match self {
            Template::Switch { on, cases, default } => {
                out.push((on, cases.iter().map(|(k, _)| k.as_str()).collect()));
                cases.iter().for_each(|(_, t)| t.collect_switches(out));
                default.iter().for_each(|t| t.collect_switches(out));
            }
            Template::Object(members) | Template::Spread { members, .. } => {
                members.iter().for_each(|(_, t)| t.collect_switches(out));
            }
            Template::Array(items) => items.iter().for_each(|t| t.collect_switches(out)),
            _ => {}
        }
    }

    /// What this template writes at `steps` (or over it: a placeholder's value may hold it),
    /// described for a message; `None` where it writes nothing there, or `null`.
    fn written_at(&self, steps: &[Step]) -> Option<String> {
        let Some((step, rest)) = steps.split_first() else {
            return match self {
                Template::Literal(Value::Null) => None,
                Template::Literal(v) => Some(format!("`{v}`")),
                Template::Slot { name, index, .. } => Some(format!("`{}`", slot_text(name, index))),
                Template::Text(_) => Some("text".to_owned()),
                Template::Switch { .. } => self.case_written_at(steps),
                Template::Object(_) | Template::Spread { .. } => Some("an object".to_owned()),
                Template::Array(_) => Some("an array".to_owned()),
            };
        };
        match (self, step) {
            (Template::Literal(v), _) => {
                let inner = FieldPath::of_steps(steps.to_vec()).get(v)?;
                (!inner.is_null()).then(|| format!("`{inner}`"))
            }
            (Template::Slot { name, index, .. }, _) => Some(format!(
                "`{}` (whose value may reach there)",
                slot_text(name, index)
            )),
            (Template::Switch { .. }, _) => self.case_written_at(steps),
            (Template::Object(members), Step::Key(k)) => {
                members.iter().find(|(m, _)| m == k)?.1.written_at(rest)
            }
            (Template::Spread { name, members }, Step::Key(k)) => {
                match members.iter().find(|(m, _)| m == k) {
                    Some((_, t)) => t.written_at(rest),
                    None => Some(format!("`{{{{{name}}}}}` (whose value may reach there)")),
                }
            }
            (Template::Array(items), Step::Index(i)) => items.get(*i)?.written_at(rest),
            _ => None,
        }
    }

    /// What any case of a `$switch` writes at `steps`.
    fn case_written_at(&self, steps: &[Step]) -> Option<String> {
        let Template::Switch { cases, default, .. } = self else {
            return None;
        };
        cases
            .iter()
            .map(|(_, t)| t)
            .chain(default.as_deref())
            .find_map(|t| t.written_at(steps))
    }

    /// Whether the template is the placeholder `{{name}}` alone, which renders its value as it
    /// is (no default, no index).
    pub fn is_slot(&self, name: &str) -> bool {
        matches!(self, Template::Slot { name: n, index, default: None } if n == name && index.is_empty())
    }

    /// Renders the template; a placeholder without a value drops its member.
    pub fn render(&self, slots: &dyn Slots) -> Option<Value> {
        match self {
            Template::Literal(v) => Some(v.clone()),
            Template::Slot {
                name,
                index,
                default,
            } => indexed(slots.slot(name), index).or_else(|| default.clone()),
            Template::Text(pieces) => {
                let mut out = String::new();
                for piece in pieces {
                    match piece {
                        Piece::Text(t) => out.push_str(t),
                        Piece::Slot(s, index) => match indexed(slots.slot(s), index)? {
                            Value::String(v) => out.push_str(&v),
                            other => out.push_str(&other.to_string()),
                        },
                    }
                }
                Some(Value::String(out))
            }
            Template::Switch { .. } => self.case(slots).and_then(|t| t.render(slots)),
            Template::Object(members) => {
                let mut map = Map::with_capacity(members.len());
                for (k, t) in members {
                    if let Some(v) = t.render(slots) {
                        map.insert(k.clone(), v);
                    }
                }
                Some(Value::Object(map))
            }
            Template::Spread { name, members } => {
                let mut map = match slots.slot(name) {
                    Some(Value::Object(map)) => map,
                    _ => Map::with_capacity(members.len()),
                };
                for (k, t) in members {
                    if let Some(v) = t.render(slots) {
                        // After the placeholder's own, in its place, as `Written` writes it.
                        map.shift_remove(k);
                        map.insert(k.clone(), v);
                    }
                }
                Some(Value::Object(map))
            }
            Template::Array(items) => Some(Value::Array(
                items.iter().filter_map(|t| t.render(slots)).collect(),
            )),
        }
    }
}

/// A value a template writes itself ([`Template::held_values`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Held<'t> {
    /// Written as it is.
    Literal(&'t Value),
    /// The value of the placeholder so named (`id`, `owner`).
    Placeholder(&'t str),
}

/// The values of a literal at `at`: an object's by its members, any other value whole.
fn literal_leaves<'t>(value: &'t Value, at: FieldPath, out: &mut Vec<(FieldPath, Held<'t>)>) {
    match value {
        Value::Object(members) => {
            for (key, v) in members {
                literal_leaves(v, at.clone().child(Step::Key(key.clone())), out);
            }
        }
        value => out.push((at, Held::Literal(value))),
    }
}

/// The members of `given`, an object at `at`, that `members` (an object's templates) spell
/// nowhere, by their place: an object a member spells as an object is looked into.
fn unnamed_among(
    members: &[(String, Template)],
    at: &FieldPath,
    given: &Map<String, Value>,
    out: &mut Vec<FieldPath>,
) {
    for (key, value) in given {
        let path = at.clone().child(Step::Key(key.clone()));
        match (members.iter().find(|(k, _)| k == key), value) {
            (Some((_, inner)), Value::Object(value)) => inner.unnamed_within(&path, value, out),
            (Some(_), _) => {}
            (None, _) => out.push(path),
        }
    }
}

/// A template with its slots, serialised as [`Template::render`] would build it, without
/// copying the slot values or building the tree first.
pub struct Written<'a> {
    template: &'a Template,
    slots: &'a dyn Slots,
}

impl Template {
    /// The template ready to be serialised, or `None` where [`Template::render`] gives `None`.
    pub fn written<'a>(&'a self, slots: &'a dyn Slots) -> Option<Written<'a>> {
        self.present(slots).then_some(Written {
            template: self,
            slots,
        })
    }

    /// Whether rendering gives a value (else the member is omitted).
    fn present(&self, slots: &dyn Slots) -> bool {
        match self {
            Template::Literal(_)
            | Template::Object(_)
            | Template::Spread { .. }
            | Template::Array(_) => true,
            Template::Slot {
                name,
                index,
                default,
            } => default.is_some() || indexed_ref(slots.slot_ref(name), index).is_some(),
            Template::Text(pieces) => pieces.iter().all(|p| match p {
                Piece::Text(_) => true,
                Piece::Slot(s, index) => indexed_ref(slots.slot_ref(s), index).is_some(),
            }),
            Template::Switch { .. } => self.case(slots).is_some_and(|t| t.present(slots)),
        }
    }

    /// The case a `$switch` picks: the one named by the value's text, else the default.
    fn case(&self, slots: &dyn Slots) -> Option<&Template> {
        let Template::Switch { on, cases, default } = self else {
            return None;
        };
        let found = slots.slot_ref(on).and_then(|value| {
            let key = match value.as_ref() {
                Value::String(s) => Cow::Borrowed(s.as_str()),
                other => Cow::Owned(other.to_string()),
            };
            cases.iter().find(|(k, _)| *k == key).map(|(_, t)| t)
        });
        found.or(default.as_deref())
    }
}

impl Serialize for Written<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let slots = self.slots;
        let nested = |template| Written { template, slots };
        match self.template {
            Template::Literal(v) => v.serialize(s),
            Template::Slot {
                name,
                index,
                default,
            } => match indexed_ref(slots.slot_ref(name), index) {
                Some(v) => v.serialize(s),
                None => default.serialize(s),
            },
            Template::Text(_) => self.template.render(slots).serialize(s),
            Template::Switch { .. } => match self.template.case(slots) {
                Some(case) => nested(case).serialize(s),
                None => s.serialize_none(),
            },
            Template::Object(members) => {
                let mut map = s.serialize_map(None)?;
                for (k, t) in members.iter().filter(|(_, t)| t.present(slots)) {
                    map.serialize_entry(k, &nested(t))?;
                }
                map.end()
            }
            Template::Spread { name, members } => {
                let present: Vec<&(String, Template)> =
                    members.iter().filter(|(_, t)| t.present(slots)).collect();
                let mut map = s.serialize_map(None)?;
                if let Some(spread) = slots.slot_ref(name)
                    && let Value::Object(own) = spread.as_ref()
                {
                    // Its members where the render keeps them: those named beside it come
                    // after, in their place.
                    for (k, v) in own {
                        if !present.iter().any(|(m, _)| m == k) {
                            map.serialize_entry(k, v)?;
                        }
                    }
                }
                for (k, t) in present {
                    map.serialize_entry(k, &nested(t))?;
                }
                map.end()
            }
            Template::Array(items) => {
                let mut seq = s.serialize_seq(None)?;
                for t in items.iter().filter(|t| t.present(slots)) {
                    seq.serialize_element(&nested(t))?;
                }
                seq.end()
            }
        }
    }
}

/// A value a mapping file gives outside a template (a rule's `render_default`), spelt as a
/// template spells it: `"{{null}}"` is `null`, which TOML cannot write.
pub fn file_value(value: &Value) -> Value {
    match value {
        Value::String(s) if compile_text(s) == Ok(Template::Literal(Value::Null)) => Value::Null,
        other => other.clone(),
    }
}

fn compile_text(s: &str) -> Result<Template, String> {
    let trimmed = s.trim();
    if let Some(inner) = trimmed
        .strip_prefix("{{")
        .and_then(|r| r.strip_suffix("}}"))
        && !inner.contains("{{")
    {
        // TOML has no null: `"{{null}}"` writes one.
        if inner.trim() == "null" {
            return Ok(Template::Literal(Value::Null));
        }
        let (name, default) = match inner.split_once('|') {
            Some((name, default)) => (
                name.trim(),
                Some(
                    serde_json::from_str(default.trim())
                        .map_err(|e| format!("default of `{{{{{inner}}}}}` is not JSON: {e}"))?,
                ),
            ),
            None => (inner.trim(), None),
        };
        let (name, index) = split_index(name)?;
        return Ok(Template::Slot {
            name,
            index,
            default,
        });
    }
    if !s.contains("{{") {
        return Ok(Template::Literal(Value::from(s)));
    }
    let mut pieces = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            pieces.push(Piece::Text(rest[..start].to_owned()));
        }
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("unclosed placeholder in `{s}`"))?;
        let (name, index) = split_index(after[..end].trim())?;
        pieces.push(Piece::Slot(name, index));
        rest = &after[end + 2..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_owned()));
    }
    Ok(Template::Text(pieces))
}

/// `current.events[0]` → (`current.events`, [0]): a placeholder's name and the array items it
/// picks.
fn split_index(text: &str) -> Result<(String, Vec<usize>), String> {
    let Some(open) = text.find('[') else {
        return Ok((text.to_owned(), Vec::new()));
    };
    let mut index = Vec::new();
    let mut rest = &text[open..];
    while let Some(inner) = rest.strip_prefix('[') {
        let close = inner
            .find(']')
            .ok_or_else(|| format!("unclosed `[` in `{{{{{text}}}}}`"))?;
        let n: usize = inner[..close]
            .trim()
            .parse()
            .map_err(|_| format!("`{{{{{text}}}}}`: an index is a non-negative integer"))?;
        index.push(n);
        rest = &inner[close + 1..];
    }
    if !rest.is_empty() {
        return Err(format!("`{{{{{text}}}}}`: only indexes may follow `[`…`]`"));
    }
    Ok((text[..open].to_owned(), index))
}

/// The page flags, whose values say one another: `done` is `has_more`'s negation.
const PAGE_FLAGS: [&str; 2] = ["has_more", "done"];

/// The value the page flag `name` holds in case `case` of a `$switch` on the page flag `on`
/// (of which `keys` are the cases), where that is known: `true` or `false` names it, and
/// `$default` beside one of them is the other.
fn flag_in_case(name: &str, on: &str, case: &str, keys: &[&str]) -> Option<bool> {
    if !PAGE_FLAGS.contains(&name) || !PAGE_FLAGS.contains(&on) {
        return None;
    }
    let named = |k: &str| keys.contains(&k);
    let on_value = match case {
        "true" => true,
        "false" => false,
        "$default" if named("true") && !named("false") => false,
        "$default" if named("false") && !named("true") => true,
        _ => return None,
    };
    Some(if name == on { on_value } else { !on_value })
}

/// A place in a template as JSONPath: `$`, `$.next_page.offset`.
pub(crate) fn jsonpath(path: &FieldPath) -> String {
    match path.steps().first() {
        None | Some(Step::Index(_)) => format!("${path}"),
        Some(Step::Key(_)) => format!("$.{path}"),
    }
}

/// A placeholder as a file writes it: `{{name}}`, `{{current.events[0]}}`.
/// The placeholder `{{name[i]…}}` as a mapping file writes it.
pub(crate) fn slot_text(name: &str, index: &[usize]) -> String {
    let index: String = index.iter().map(|i| format!("[{i}]")).collect();
    format!("{{{{{name}{index}}}}}")
}

/// The items an index picks out of a placeholder's value.
fn indexed(value: Option<Value>, index: &[usize]) -> Option<Value> {
    let mut value = value?;
    for i in index {
        value = match value {
            Value::Array(mut items) if *i < items.len() => items.swap_remove(*i),
            _ => return None,
        };
    }
    Some(value)
}

fn indexed_ref<'v>(value: Option<Cow<'v, Value>>, index: &[usize]) -> Option<Cow<'v, Value>> {
    if index.is_empty() {
        return value;
    }
    match value? {
        Cow::Borrowed(v) => {
            let mut cur = v;
            for i in index {
                cur = cur.as_array()?.get(*i)?;
            }
            Some(Cow::Borrowed(cur))
        }
        Cow::Owned(v) => indexed(Some(v), index).map(Cow::Owned),
    }
}

impl<F: Fn(&str) -> Option<Value>> Slots for F {
    fn slot(&self, name: &str) -> Option<Value> {
        self(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn null_is_written_where_toml_cannot_spell_it() {
        let t = Template::compile(&json!({"_value": "{{null}}", "at": "{{ null }}"})).unwrap();
        assert!(t.slots().is_empty());
        assert_eq!(
            t.render(&|_: &str| None),
            Some(json!({"_value": null, "at": null}))
        );
    }

    #[test]
    fn renders_and_locates_slots() {
        let t = Template::compile(&json!({
            "success": true,
            "message": {"$switch": "enabled", "true": "Webhook enabled", "false": "Webhook disabled"},
            "data": "{{webhook}}",
            "note": "Failed to {{operation}} webhook",
            "limit": "{{limit|50}}",
            "gone": "{{missing}}"
        }))
        .unwrap();
        let slots = |name: &str| match name {
            "webhook" => Some(json!({"id": "1"})),
            "enabled" => Some(json!(false)),
            "operation" => Some(json!("create")),
            _ => None,
        };
        assert_eq!(
            t.render(&slots).unwrap(),
            json!({"success": true, "message": "Webhook disabled", "data": {"id": "1"},
                   "note": "Failed to create webhook", "limit": 50})
        );
        assert_eq!(
            serde_json::to_string(&t.written(&slots).unwrap()).unwrap(),
            t.render(&slots).unwrap().to_string()
        );
        for switch in [json!(true), json!("x")] {
            let other = |name: &str| match name {
                "enabled" => Some(switch.clone()),
                _ => slots(name),
            };
            assert_eq!(
                serde_json::to_string(&t.written(&other).unwrap()).unwrap(),
                t.render(&other).unwrap().to_string()
            );
        }
        let indexed = Template::compile(&json!({"one": "{{list[1]}}", "t": "first {{list[0]}}",
            "s": {"$switch": "x", "a": 1, "$default": 2}}))
        .unwrap();
        let list = |name: &str| match name {
            "list" => Some(json!(["a", "b"])),
            "x" => Some(json!("z")),
            _ => None,
        };
        assert_eq!(
            indexed.render(&list).unwrap(),
            json!({"one": "b", "t": "first a", "s": 2})
        );
        assert_eq!(
            serde_json::to_string(&indexed.written(&list).unwrap()).unwrap(),
            r#"{"one":"b","t":"first a","s":2}"#
        );
        assert_eq!(indexed.slots(), ["list", "list", "x"]);
        let alone = Template::compile(&json!("{{missing}}")).unwrap();
        assert!(alone.written(&slots).is_none() && alone.render(&slots).is_none());
        assert_eq!(t.path_of("webhook").unwrap(), FieldPath::of_keys(["data"]));
        assert!(t.slots().contains(&"missing"));
    }

    #[test]
    fn a_placeholder_in_a_switch_is_read_where_its_case_puts_it() {
        let t = Template::compile(
            &json!({"data": "{{items}}", "next_page": {"$switch": "has_more",
            "true": {"offset": "{{next_cursor}}"}, "false": "{{null}}"}}),
        )
        .unwrap();
        assert_eq!(
            t.path_of("next_cursor").unwrap(),
            FieldPath::of_keys(["next_page", "offset"])
        );
        assert_eq!(t.unread_in_switch("next_cursor", &[]), None);
        // Rendered, the object on a page with more and `null` on the last.
        for (more, next_page) in [(true, json!({"offset": "c"})), (false, Value::Null)] {
            let slots = |name: &str| match name {
                "has_more" => Some(json!(more)),
                "next_cursor" => more.then(|| json!("c")),
                _ => None,
            };
            assert_eq!(t.render(&slots).unwrap()["next_page"], next_page);
        }
        for (bad, says) in [
            (
                json!({"$switch": "x", "a": {"p": "{{next_cursor}}"}, "$default": {"q": "{{next_cursor}}"}}),
                "at `$.q` in case `$default`",
            ),
            (
                json!({"n": {"$switch": "x", "a": {"p": "{{next_cursor}}"}, "b": {"p": 0}}}),
                "writes `0` where case `a` places `{{next_cursor}}` (`$.n.p`)",
            ),
            (
                json!({"$switch": "x", "a": {"p": "{{next_cursor}}"}, "b": {"$spread": "{{webhook}}"}}),
                "writes `{{webhook}}` (whose value may reach there)",
            ),
            (
                json!([{"$switch": "x", "a": ["{{next_cursor}}"], "b": ["t {{y}}"]}]),
                "writes text where",
            ),
        ] {
            let t = Template::compile(&bad).unwrap();
            let why = t.unread_in_switch("next_cursor", &[]).unwrap_or_default();
            assert!(why.contains(says), "{bad}: {why}");
        }
        let nulls = Template::compile(&json!({"$switch": "x", "a": {"p": "{{next_cursor}}"},
            "b": {"p": "{{null}}", "q": 1}, "c": [1]}))
        .unwrap();
        assert_eq!(nulls.unread_in_switch("next_cursor", &[]), None);
    }

    #[test]
    fn spreads_an_object_beside_members_of_its_own() {
        let t = Template::compile(&json!({"data": {"$spread": "{{webhook}}", "type": "hooks",
            "id": "{{id}}", "gone": "{{missing}}"}}))
        .unwrap();
        let slots = |name: &str| match name {
            "webhook" => Some(json!({"id": "old", "attributes": {"url": "u"}, "extra": 1})),
            "id" => Some(json!("7")),
            _ => None,
        };
        let rendered = t.render(&slots).unwrap();
        assert_eq!(
            rendered,
            json!({"data": {"attributes": {"url": "u"}, "extra": 1, "type": "hooks", "id": "7"}})
        );
        // Written as rendered, members in the same order.
        assert_eq!(
            serde_json::to_string(&t.written(&slots).unwrap()).unwrap(),
            rendered.to_string()
        );
        assert_eq!(t.path_of("webhook").unwrap(), FieldPath::of_keys(["data"]));
        assert_eq!(t.slots(), ["webhook", "id", "missing"]);
        // Without the placeholder's value, the members alone.
        let none = |name: &str| (name == "id").then(|| json!("7"));
        assert_eq!(
            t.render(&none).unwrap(),
            json!({"data": {"type": "hooks", "id": "7"}})
        );
        for bad in [
            json!({"$spread": "x {{webhook}}"}),
            json!({"$spread": "{{a[0]}}"}),
            json!({"$spread": 1}),
            json!({"$spread": "{{webhook|{}}}"}),
        ] {
            assert!(Template::compile(&bad).is_err(), "{bad}");
        }
    }
}
