//! Field rules: one declaration per canonical field, read in four directions.
//!
//! | direction | from → to | used by |
//! |---|---|---|
//! | [`ObjectMap::write`] | canonical request → dialect request | the planner, outbound |
//! | [`ObjectMap::read`] | dialect response → canonical | the planner, inbound |
//! | [`ObjectMap::parse`] | dialect request → canonical request | vendor surfaces |
//! | [`ObjectMap::render`] | canonical → dialect response | vendor surfaces, emulators |
//!
//! Vendor constraints ([`Check`]) are evaluated on dialect values and reported either under the
//! canonical name (gateway) or under the vendor's own name and message (surfaces).
//!
//! This file holds the rules and the [`ObjectMap`] that compiles what reading needs from them;
//! each direction has a file of its own (`write`, `read`, `parse`, `render`), and so do the
//! constraints (`check`) and the lists of which rules read some items (`lists`).

mod check;
mod lists;
mod parse;
mod read;
mod render;
mod write;

pub use check::{CLEARED, EMPTY, Violation};
pub use lists::Beside;
pub use read::{Item, ListReader, Misread, Reader};

use super::checks::Check;
use super::codec::Codec;
use super::flags::Flags;
use super::json_path::{FieldPath, ListItem, Step};
use super::reader::ReadPlan;
use crate::model::{Access, Action, Field, Kind};
use crate::problem::FieldError;
use serde_json::{Map, Value};

/// The canonical side of a rule: a named field or a key under `extensions`.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A field of the canonical table.
    Field(&'static Field),
    /// `extensions.NAME`.
    Extension(String),
}

impl Target {
    /// The canonical name (`url`, `extensions.tag`).
    pub fn name(&self) -> String {
        match self {
            Target::Field(f) => f.name.to_owned(),
            Target::Extension(k) => format!("extensions.{k}"),
        }
    }

    /// Whether this is the canonical field `name` (`url`, `extensions.tag`), without building
    /// the name.
    pub fn is(&self, name: &str) -> bool {
        match self {
            Target::Field(f) => f.name == name,
            Target::Extension(k) => name.strip_prefix("extensions.") == Some(k.as_str()),
        }
    }

    /// The value of this target in a canonical object.
    pub fn get<'m>(&self, obj: &'m Map<String, Value>) -> Option<&'m Value> {
        match self {
            Target::Field(f) => obj.get(f.name),
            Target::Extension(k) => obj.get("extensions")?.get(k),
        }
    }

    /// Sets this target in a canonical object.
    pub fn set(&self, obj: &mut Map<String, Value>, value: Value) {
        match self {
            Target::Field(f) => {
                obj.insert(f.name.to_owned(), value);
            }
            Target::Extension(k) => {
                let ext = obj
                    .entry("extensions")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(ext) = ext {
                    ext.insert(k.clone(), value);
                }
            }
        }
    }

    /// Takes this target out of a canonical object, and `extensions` with it when it was its
    /// last member.
    pub fn remove(&self, obj: &mut Map<String, Value>) -> Option<Value> {
        match self {
            Target::Field(f) => obj.shift_remove(f.name),
            Target::Extension(k) => {
                let ext = obj.get_mut("extensions")?.as_object_mut()?;
                let taken = ext.shift_remove(k);
                if ext.is_empty() {
                    obj.shift_remove("extensions");
                }
                taken
            }
        }
    }

    /// Position in a canonical field table; extensions come last.
    fn rank(&self, fields: &[Field]) -> usize {
        match self {
            Target::Field(f) => fields
                .iter()
                .position(|c| c.name == f.name)
                .unwrap_or(usize::MAX),
            Target::Extension(_) => usize::MAX,
        }
    }

    /// Whether a vendor's `null` is a canonical value (`description`, extensions).
    fn nullable(&self) -> bool {
        match self {
            Target::Field(f) => f.nullable,
            Target::Extension(_) => true,
        }
    }

    /// Whether this is the signing secret.
    pub fn is_secret(&self) -> bool {
        matches!(self, Target::Field(f) if f.access == Access::WriteOnce)
    }

    /// Whether an unencodable value is still shown as it is: an id or owner of another dialect
    /// is still that webhook's id or owner.
    fn shown_as_is(&self) -> bool {
        matches!(self, Target::Field(f) if matches!(f.name, "id" | "owner"))
    }

    /// Whether values of this target are JSON objects a merge patch merges into.
    pub fn is_map(&self) -> bool {
        matches!(self, Target::Field(f) if matches!(f.kind, Kind::StringMap | Kind::Object))
    }
}

/// Where a request rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ops {
    /// On create.
    pub create: bool,
    /// On update.
    pub update: bool,
}

/// A condition on the vendor body being built or rendered (`fill_when`): a member there holds
/// one value, or any.
#[derive(Debug, Clone)]
pub struct Condition {
    /// The member.
    pub at: FieldPath,
    /// The value it holds; `None`: any value but `null` (`"{{any}}"`), for a member the vendor
    /// takes only beside another (a signing secret's algorithm, sent with a secret alone).
    pub is: Option<Value>,
}

impl Condition {
    /// Whether `body` meets the condition.
    pub fn holds(&self, body: &Value) -> bool {
        match (self.at.get(body), &self.is) {
            (Some(value), Some(is)) => value == is,
            (Some(value), None) => !value.is_null(),
            (None, _) => false,
        }
    }
}

/// One compiled field rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The canonical side.
    pub target: Target,
    /// Where the value sits; absent for an `implied` rule and for one kept as `flags`.
    pub path: Option<FieldPath>,
    /// Event types kept as one boolean member each, in place of a `path`.
    pub flags: Option<Flags>,
    /// Other places an answer or a client's request may hold the value.
    pub aliases: Vec<FieldPath>,
    /// Renders write the aliases too.
    pub render_aliases: bool,
    /// How the value is spelt.
    pub codec: Codec,
    /// Requests carry it.
    pub request: bool,
    /// Answers carry it.
    pub response: bool,
    /// Which requests carry it.
    pub ops: Ops,
    /// The vendor's value is always this; writes of it are accepted and not sent.
    pub implied: Option<Value>,
    /// A value the vendor requires that the canonical model leaves out.
    pub fill: Option<Value>,
    /// Where `fill` is written into a request, and `render_default` into an answer: all hold.
    pub when: Vec<Condition>,
    /// What the vendor assumes when the field is absent on create.
    pub default: Option<Value>,
    /// What renders write when the canonical value is absent.
    pub render_default: Option<Value>,
    /// A render refuses an object without a value here.
    pub render_required: bool,
    /// The vendor reports `null` for an absent value.
    pub nullable: bool,
    /// The vendor's name for the field in its error bodies.
    pub error_field: String,
    /// The vendor's constraints.
    pub checks: Vec<Check>,
    /// The vendor's words for failed checks.
    pub messages: Vec<(String, String)>,
    /// One webhook per owner may hold a given value (enforced by emulators).
    pub unique_per_owner: bool,
    /// The item of a vendor's list that `path` reads (`urls[0]`), where it reads one. Found
    /// once, by [`ObjectMap::new`], from the rule's final path.
    pub list_item: Option<ListItem>,
    /// Whether answers give the field back: some rule of its field is read from them (a
    /// write-only secret's is not). The requests' spelling of a field that answers spell
    /// elsewhere (`write_as`) is reported, by the answers' rule. Found once, by
    /// [`ObjectMap::new`], which holds every rule of the object.
    pub reported: bool,
    /// Entries of the map (of headers) whose values the vendor never shows.
    pub hidden: Option<Hidden>,
}

/// Header names whose values a vendor never shows: left out of its answers, or shown as a
/// mask, and their names listed in a member of their own where the vendor lists them.
#[derive(Debug, Clone)]
pub struct Hidden {
    /// The names, in lower case (header names compare in any letter case).
    pub names: Vec<String>,
    /// What the vendor shows in a hidden value's place; `None`: it leaves the entry out.
    pub shown_as: Option<String>,
    /// The member of the same object that lists the names of the entries hidden.
    pub listed_in: Option<Target>,
}

impl Hidden {
    /// Whether the vendor hides the value of header `name`.
    pub fn hides(&self, name: &str) -> bool {
        self.names.iter().any(|n| n.eq_ignore_ascii_case(name))
    }
}

impl Rule {
    /// Whether the rule applies to requests of `action`.
    pub fn applies_to(&self, action: Action) -> bool {
        match action {
            Action::Create => self.ops.create,
            Action::Update => self.ops.update,
            _ => true,
        }
    }

    /// How the vendor spells "cleared": `null` where it takes one, `""` for a label cleared by
    /// an empty string, the empty collection for a map; `None` where it cannot be cleared.
    fn clear_value(&self) -> Option<Value> {
        if self.nullable {
            return Some(Value::Null);
        }
        match (&self.codec, &self.target) {
            (Codec::EmptyIsNull, _) => self.codec.encode(&Value::Null).ok(),
            (_, Target::Field(f)) if f.kind == Kind::StringMap => {
                self.codec.encode(&Value::Object(Map::new())).ok()
            }
            (_, Target::Extension(_)) => Some(Value::Null),
            _ => None,
        }
    }

    /// The vendor's message for a failed check, if the mapping file gives one.
    pub fn message(&self, check: &str) -> Option<&str> {
        self.messages
            .iter()
            .find(|(k, _)| k == check)
            .map(|(_, m)| m.as_str())
    }

    /// Whether the value lies in the vendor's object (at a path or in flags) rather than being
    /// implied.
    #[inline]
    pub fn is_placed(&self) -> bool {
        self.path.is_some() || self.flags.is_some()
    }

    /// Where the rule writes: its path, or each of its flags.
    pub fn written(&self) -> impl Iterator<Item = &FieldPath> {
        self.path
            .iter()
            .chain(self.flags.iter().flat_map(Flags::paths))
    }

    /// Whether an index into the vendor's value names an item of the canonical field: a
    /// list's (`events`, an extension), not a map's, whose entries a vendor's list of pairs
    /// holds in no order a client could name.
    pub fn lists_items(&self) -> bool {
        match (&self.target, &self.codec) {
            (_, Codec::Pairs { .. }) => false,
            (Target::Field(field), _) => field.kind == Kind::StringList,
            (Target::Extension(_), _) => true,
        }
    }

    /// Every place in the vendor's object the rule reads: its path, its aliases, its flags.
    pub fn places(&self) -> impl Iterator<Item = &FieldPath> {
        let flags = self.flags.iter().flat_map(Flags::paths);
        self.path.iter().chain(&self.aliases).chain(flags)
    }

    /// Writes `value`, spelt by the codec, where the rule keeps it; `Err` says why flags
    /// cannot hold it.
    #[inline]
    fn put(&self, out: &mut Value, value: Value) -> Result<(), String> {
        match (&self.path, &self.flags) {
            (Some(path), _) => path.set(out, value),
            (None, Some(flags)) => flags.write(out, &value)?,
            (None, None) => {}
        }
        Ok(())
    }

    /// The one value the vendor's requests hold here, where the rule is a constant: its
    /// `fill`, or a `default` that is the only value its `one_of` admits (a deprecated
    /// member whose one value is its default, Svix's `version`).
    pub fn constant(&self) -> Option<&Value> {
        if let Some(fill) = &self.fill {
            return Some(fill);
        }
        let default = self.default.as_ref()?;
        let only = self.checks.iter().any(|c| matches!(c, Check::OneOf(values) if values.as_slice() == std::slice::from_ref(default)));
        only.then_some(default)
    }

    /// The one value the vendor takes here, filled in where it is absent: a `fill` that is
    /// the only value its `one_of` admits.
    pub fn sole_value(&self) -> Option<&Value> {
        let fill = self.fill.as_ref()?;
        let only = self.checks.iter().any(|c| matches!(c, Check::OneOf(values) if values.as_slice() == std::slice::from_ref(fill)));
        only.then_some(fill)
    }

    /// Where a client's request holds the value: the rule's path, else an alias.
    fn find<'v>(&self, body: &'v Value) -> Option<&'v Value> {
        let path = self.path.as_ref()?;
        path.get(body)
            .or_else(|| self.aliases.iter().find_map(|a| a.get(body)))
    }
}

/// A dialect-only value computed from the canonical webhook when rendering.
#[derive(Debug, Clone)]
pub enum Derivation {
    /// The number of items of a canonical array (an `events_count`).
    Count(String),
    /// `true` when a canonical field is present (a `secret_displayed_once` flag), or an
    /// extension a rule reads (a flag the vendor derives from a member only requests carry,
    /// which an emulator keeps); else nothing, as a webhook read from another vendor may
    /// hold it unseen.
    Present(String),
}

/// A derived value and where it goes.
#[derive(Debug, Clone)]
pub struct Derived {
    /// Where in the vendor's object.
    pub path: FieldPath,
    /// What it is computed from.
    pub derivation: Derivation,
}

/// A canonical request body that failed to translate.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteError {
    /// Fields the dialect cannot carry.
    Unsupported(Vec<String>),
    /// Values the dialect cannot spell, under canonical names.
    Invalid(Vec<FieldError>),
}

/// A translated request body, and what lenient handling dropped from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Translated {
    /// The vendor's body.
    pub body: Value,
    /// Canonical fields left out.
    pub dropped: Vec<String>,
}

/// The rules for one object shape (the webhook, a resource, or a test result), with what
/// reading needs compiled from them once: built by [`ObjectMap::new`].
#[derive(Debug, Clone)]
pub struct ObjectMap {
    /// The rules, in file order.
    pub rules: Vec<Rule>,
    /// Derived values.
    pub derived: Vec<Derived>,
    /// The canonical field table of the shape, whose order canonical objects follow.
    pub fields: &'static [Field],
    /// Which dialect member each rule takes, and which members are the vendor's own.
    plan: ReadPlan,
    /// Rules whose value [`ObjectMap::read`] copies out before walking the dialect object: a
    /// path that goes through an array index, or that overlaps another rule's or derived path.
    copied: Vec<usize>,
    /// Rules with a path whose value is read back (a write-only secret's is not), in the order
    /// of the field table (extensions last, in file order).
    read_order: Vec<usize>,
    /// Whether a rule has aliases.
    aliased: bool,
    /// The vendor writes its times with six fractional digits (`emulator.timestamps`), which
    /// renders write them with.
    micros: bool,
    /// The request rules of each kind of write ([`write_slot`]), by the canonical name each
    /// writes, in file order: every member of every request body is looked up here, where a walk
    /// over all the rules cost a few comparisons per rule.
    writers: [Vec<(Writes, usize)>; 3],
    /// The rule by which answers show the signing secret, where they show it
    /// ([`ObjectMap::answered_secret`]).
    answered_secret: Option<usize>,
    /// The rules answers read at an item of a vendor's list, each with whether an update's
    /// requests write the field into that list too ([`ObjectMap::read_in_lists`]).
    in_lists: Vec<(usize, bool)>,
    /// The rules of `enabled` and of `status` where they read one vendor member that says
    /// both ([`switch_and_health`]).
    switch_and_health: Option<(usize, usize)>,
}

/// What a request rule writes, as [`ObjectMap::rule_for`] and
/// [`ObjectMap::rule_for_extension`] look it up.
#[derive(Debug, Clone)]
enum Writes {
    Field(&'static str),
    Extension(String),
}

/// Whether rule `i` is the requests' spelling of a field that answers spell otherwise
/// (`write_as`): carried by requests only, beside a rule of the same field that answers carry.
fn spelt_for_requests(rules: &[Rule], i: usize) -> bool {
    let rule = &rules[i];
    !rule.response && rules.iter().any(|r| r.response && r.target == rule.target)
}

/// The rules of `enabled` and of `status` that read one vendor member saying both whether the
/// webhook is on and how its deliveries fare (Nylas's `status`: `active`, `pause`, `failing`,
/// `failed`), each by a value map, the status's read from answers alone: the rule of
/// `enabled` that answers carry, and the status's. Whether their maps agree is checked when
/// the file loads.
pub fn switch_and_health(rules: &[Rule]) -> Option<(usize, usize)> {
    let mapped = |r: &Rule| matches!(r.codec, Codec::Map { .. }) && r.path.is_some();
    let status = (rules.iter())
        .position(|r| r.target.is("status") && r.response && !r.request && mapped(r))?;
    let enabled = (rules.iter()).position(|r| {
        r.target.is("enabled") && r.response && mapped(r) && r.path == rules[status].path
    })?;
    Some((enabled, status))
}

/// Whether `path` names a member of an object at every step (no index), below the root.
fn by_keys(path: &FieldPath) -> bool {
    !path.is_root() && path.steps().iter().all(|s| matches!(s, Step::Key(_)))
}

/// The places where requests spell a field (`write_as`, the rules `spelt` picks) that reading
/// an answer counts as covered, with no rule taking what lies there: an answer that echoes the
/// requests' spelling beside its own (`callback_url` beside `url`) does not show the value
/// twice. Only a place that names a member alone is so covered, not one that holds, or lies
/// in, a place answers are read at (the rules `read` picks, their aliases and flags, the
/// derived values): a container that answers read into (`resource`, where answers read
/// `resource.gid`) holds the vendor's other members (`resource.name`), which are its own, and
/// a place inside a member read whole is read with it. Nor is a place through an index, which
/// names no member: what lies at `targets[0]` is an item of `targets`, the vendor's own where
/// no rule reads it.
fn hidden_spellings<'r>(
    rules: &'r [Rule],
    derived: &'r [Derived],
    read: impl Fn(usize) -> bool,
    spelt: impl Fn(usize) -> bool,
) -> Vec<&'r FieldPath> {
    let places: Vec<&FieldPath> = rules
        .iter()
        .enumerate()
        .filter(|&(i, _)| read(i))
        .flat_map(|(_, r)| r.places())
        .chain(derived.iter().map(|d| &d.path))
        .collect();
    let apart = |path: &FieldPath| {
        places
            .iter()
            .all(|p| !(p.starts_with(path) || path.starts_with(p)))
    };
    rules
        .iter()
        .enumerate()
        .filter(|&(i, _)| spelt(i))
        .filter_map(|(_, r)| r.path.as_ref())
        .filter(|path| by_keys(path) && apart(path))
        .collect()
}

/// The place in [`ObjectMap`]'s `writers` of the rules that apply to `action`'s requests: a
/// rule may apply to creates only, to updates only, or to both, and every other request
/// takes them all (as [`Rule::applies_to`] has it).
fn write_slot(action: Action) -> usize {
    match action {
        Action::Create => 0,
        Action::Update => 1,
        _ => 2,
    }
}

impl ObjectMap {
    /// Compiles what reading needs, and the facts of each rule among the others that
    /// answers and updates look up ([`Rule::list_item`], [`Rule::reported`]).
    pub fn new(mut rules: Vec<Rule>, derived: Vec<Derived>, fields: &'static [Field]) -> ObjectMap {
        for i in 0..rules.len() {
            let reported = (rules.iter()).any(|r| r.response && r.target == rules[i].target);
            let rule = &mut rules[i];
            rule.reported = reported;
            rule.list_item = rule.path.as_ref().and_then(FieldPath::list_item);
        }
        // A write-only secret is never read back: its paths are covered (not the vendor's own
        // members), and no rule takes what lies there. Nor is the requests' spelling of a field
        // that answers spell otherwise (`write_as`), which covers only what it names alone
        // ([`hidden_spellings`]).
        let spelt = |i: usize| spelt_for_requests(&rules, i);
        let shown = |i: usize| (rules[i].response || !rules[i].target.is_secret()) && !spelt(i);
        let paths: Vec<(&FieldPath, Option<usize>)> = rules
            .iter()
            .enumerate()
            .filter(|&(i, _)| !spelt(i))
            .filter_map(|(i, r)| Some((r.path.as_ref()?, shown(i).then_some(i))))
            .chain(derived.iter().map(|d| (&d.path, None)))
            .collect();
        let aliases: Vec<(&FieldPath, usize)> = rules
            .iter()
            .enumerate()
            .flat_map(|(i, r)| r.aliases.iter().map(move |a| (a, i)))
            .collect();
        let spellings = hidden_spellings(&rules, &derived, shown, spelt);
        let all: Vec<&FieldPath> = paths
            .iter()
            .map(|(p, _)| *p)
            .chain(aliases.iter().map(|(p, _)| *p))
            .chain(spellings.iter().copied())
            .collect();
        let alone = |path: &FieldPath| {
            all.iter()
                .filter(|other| !(path.starts_with(other) || other.starts_with(path)))
                .count()
                == all.len() - 1
        };
        let mut plan = ReadPlan::default();
        let mut copied = Vec::new();
        for (path, rule) in &paths {
            let taken = rule.filter(|_| by_keys(path) && alone(path));
            if let (Some(i), None) = (rule, taken) {
                copied.push(*i);
            }
            plan.insert(path.steps(), taken);
        }
        // A write-only secret's paths are covered up to their first index: the member that
        // holds the secret is never kept as the vendor's own (under `extensions`).
        let hidden = rules
            .iter()
            .enumerate()
            .filter(|&(i, _)| !shown(i) && !spelt(i))
            .flat_map(|(_, r)| r.path.iter().chain(&r.aliases));
        for path in hidden {
            let steps = path.steps();
            let keys = steps
                .iter()
                .take_while(|s| matches!(s, Step::Key(_)))
                .count();
            plan.insert(&steps[..keys], None);
        }
        for path in &spellings {
            plan.insert(path.steps(), None);
        }
        for (path, rule) in &aliases {
            if !shown(*rule) {
                continue; // covered above
            } else if by_keys(path) && alone(path) {
                plan.insert_alias(path.steps(), *rule);
            } else {
                copied.push(*rule);
                plan.insert(path.steps(), None);
            }
        }
        // Flags are read from the object whole, one list out of several members, none of
        // which is the vendor's own.
        for (i, rule) in rules.iter().enumerate() {
            if let Some(flags) = &rule.flags {
                copied.push(i);
                for path in flags.paths() {
                    plan.insert(path.steps(), None);
                }
            }
        }
        copied.sort_unstable();
        copied.dedup();
        let mut read_order: Vec<usize> = (0..rules.len())
            .filter(|&i| rules[i].is_placed() && shown(i))
            .collect();
        read_order.sort_by_key(|i| rules[*i].target.rank(fields));
        let aliased = !aliases.is_empty();
        let writers = [Action::Create, Action::Update, Action::Get].map(|action| {
            let writes = |r: &Rule| match &r.target {
                Target::Field(f) => Writes::Field(f.name),
                Target::Extension(k) => Writes::Extension(k.clone()),
            };
            rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.request && r.applies_to(action))
                .map(|(i, r)| (writes(r), i))
                .collect()
        });
        let answered_secret = (rules.iter())
            .position(|r| r.is_placed() && r.target.is_secret())
            .filter(|&i| rules[i].response);
        let in_lists = in_lists(&rules, Action::Update);
        let switch_and_health = switch_and_health(&rules);
        ObjectMap {
            rules,
            writers,
            answered_secret,
            in_lists,
            derived,
            fields,
            plan,
            copied,
            aliased,
            read_order,
            micros: false,
            switch_and_health,
        }
    }

    /// Renders write times with six fractional digits, as a vendor that writes microseconds
    /// answers them.
    pub fn write_times_in_micros(&mut self) {
        self.micros = true;
    }

    /// `text`, a canonical value that a path names (an id: `name`), as the vendor writes it
    /// elsewhere in a request (a body's `{{id}}`): through the codec of the rule that reads it
    /// (`int_string`: `7`, where Shopify's body takes `"id": 7`, or a URI a `prefix` codec
    /// makes). As it is where no codec converts it, and where the codec's value reads back as
    /// another text (`007` is `7`) or the codec refuses it: the body then names the webhook
    /// as the path does, never another.
    pub fn spelt(&self, name: &str, text: &str) -> Value {
        let given = Value::from(text);
        let Some(codec) = self
            .rules
            .iter()
            .find(|r| r.target.is(name))
            .map(|r| &r.codec)
        else {
            return given;
        };
        match codec.encode(&given) {
            Ok(spelt) if codec.decode(&spelt).is_ok_and(|back| back == given) => spelt,
            _ => given,
        }
    }

    /// The first request rule for `action` that writes canonical field `name` (`url`,
    /// `extensions.tag`).
    pub fn rule_for(&self, name: &str, action: Action) -> Option<&Rule> {
        if let Some(key) = name.strip_prefix("extensions.") {
            return self.rule_for_extension(key, action);
        }
        self.writers[write_slot(action)]
            .iter()
            .find(|(w, _)| matches!(w, Writes::Field(f) if *f == name))
            .map(|&(_, i)| &self.rules[i])
    }

    /// The first request rule for `action` that writes `extensions.KEY`.
    fn rule_for_extension(&self, key: &str, action: Action) -> Option<&Rule> {
        self.writers[write_slot(action)]
            .iter()
            .find(|(w, _)| matches!(w, Writes::Extension(k) if k == key))
            .map(|&(_, i)| &self.rules[i])
    }

    /// Whether `name` is an extension this vendor answers and never takes (`in =
    /// ["response"]`: a member the vendor computes): a rule reads it, and none writes it in
    /// any request.
    pub fn answers_only_extension(&self, name: &str) -> bool {
        name.starts_with("extensions.")
            && self.rules.iter().any(|r| r.target.is(name))
            && !self.rules.iter().any(|r| r.request && r.target.is(name))
    }

    /// The rule that reads canonical field `name` from answers, if any.
    pub fn reading(&self, name: &str) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.is_placed() && r.target.is(name))
    }

    /// The key under `extensions` by which a read keeps the vendor's value of field `name`
    /// where its rule could not decode it (a `pairs` list naming a header twice): the
    /// answers' rule's vendor path. `None` for a field no answer carries at a path.
    pub fn kept_apart_key(&self, name: &str) -> Option<String> {
        (self.rules.iter())
            .filter(|r| r.response && r.target.is(name))
            .find_map(|r| r.path.as_ref())
            .map(ToString::to_string)
            .filter(|key| !self.names_extension(key))
    }

    /// The rules by which requests spell a field that answers spell otherwise (`write_as`), in
    /// file order.
    pub fn request_spellings(&self) -> impl Iterator<Item = &Rule> {
        (0..self.rules.len())
            .filter(|&i| spelt_for_requests(&self.rules, i))
            .map(|i| &self.rules[i])
    }

    /// Whether `action` requests may carry canonical field `name`.
    pub fn carries(&self, name: &str, action: Action) -> bool {
        self.rule_for(name, action).is_some_and(Rule::is_placed)
    }

    /// Whether a rule reads canonical field `name` from the vendor's answers.
    pub fn reports(&self, name: &str) -> bool {
        self.rules.iter().any(|r| r.reported && r.target.is(name))
    }

    /// Whether a rule names the extension `key`; other extensions are the vendor's own members,
    /// kept under their dotted paths.
    pub fn names_extension(&self, key: &str) -> bool {
        self.rules
            .iter()
            .any(|r| matches!(&r.target, Target::Extension(k) if k == key))
    }

    /// A vendor's field error under canonical names: a vendor field that a rule's path (or
    /// alias) spells becomes that rule's field (`webhook_url` → `url`); a place inside a
    /// rule's value (`config.url.host`; an item of a list, `events.1`, `events[1]`; a member of
    /// an item, `data.0.type`) becomes the field of the rule that holds it, the deepest where
    /// several do, with the item named in the message where the place is one of a list the
    /// field lists one for one (`events[0]: …`); any other vendor field keeps its vendor name
    /// under `extensions.`.
    pub fn field_error(&self, vendor_field: &str, message: &str) -> FieldError {
        self.read_field_error(vendor_field, message)
            .unwrap_or_else(|| FieldError::new(format!("extensions.{vendor_field}"), message))
    }

    /// [`ObjectMap::field_error`] of a vendor field a rule reads, or reads a place inside;
    /// `None` for one no rule reads.
    pub fn read_field_error(&self, vendor_field: &str, message: &str) -> Option<FieldError> {
        let spelled = |p: &FieldPath| p.is_spelled(vendor_field);
        if let Some(rule) = self.rules.iter().find(|r| r.places().any(spelled)) {
            return Some(FieldError::new(rule.target.name(), message));
        }
        let mut holder: Option<(&Rule, usize, &str)> = None;
        for rule in &self.rules {
            for path in rule.places() {
                let Some(rest) = path.spelled_inside(vendor_field) else {
                    continue;
                };
                if holder.is_none_or(|(_, depth, _)| path.steps().len() > depth) {
                    holder = Some((rule, path.steps().len(), rest));
                }
            }
        }
        let (rule, _, rest) = holder?;
        let field = rule.target.name();
        Some(match leading_index(rest).filter(|_| rule.lists_items()) {
            Some(index) => {
                let message = format!("{field}[{index}]: {message}");
                FieldError::new(field, message)
            }
            None => FieldError::new(field, message),
        })
    }

    /// The vendor's name of a canonical field, for errors rendered in the vendor's shape.
    pub fn vendor_name(&self, canonical_field: &str) -> String {
        // Errors are about requests: a field requests spell otherwise is named their way.
        let named = |r: &&Rule| r.target.is(canonical_field) && r.is_placed();
        self.rules
            .iter()
            .filter(named)
            .find(|r| r.request)
            .or_else(|| self.rules.iter().find(named))
            .map(|r| r.error_field.clone())
            .unwrap_or_else(|| {
                canonical_field
                    .strip_prefix("extensions.")
                    .unwrap_or(canonical_field)
                    .to_owned()
            })
    }

    /// The top-level dialect members whose value differs between two dialect bodies.
    pub fn changed_heads(before: &Value, after: &Value) -> Map<String, Value> {
        let mut out = Map::new();
        if let Value::Object(after) = after {
            for (key, value) in after {
                if before.get(key) != Some(value) {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        out
    }

    /// The fields answers read at an item of a vendor's list (`url` at `urls[0]`, of a vendor
    /// that keeps several URLs to one webhook), each with the list (`urls`) and whether an
    /// update's requests write the field into that list too: where they do, a body made from
    /// the webhook as it is sends the list whole with the field's item changed; where they
    /// write it elsewhere (`write_as = { path = "$.url" }`), what the vendor makes of the
    /// list's other items is not said. Found once, when the object is compiled.
    pub fn read_in_lists(&self) -> impl Iterator<Item = (&Rule, &FieldPath, bool)> + '_ {
        self.in_lists.iter().filter_map(|&(i, written_in)| {
            let rule = &self.rules[i];
            Some((rule, &rule.list_item.as_ref()?.list, written_in))
        })
    }

    /// The rule by which answers show the webhook's signing secret, where they show it (a
    /// vendor that answers it on create, or on every read): looked up once, when the object is
    /// compiled, rather than on every answer.
    pub fn answered_secret(&self) -> Option<&Rule> {
        self.answered_secret.map(|i| &self.rules[i])
    }

    /// The value the vendor always holds for canonical field `name`, where it has no such
    /// field (`implied`).
    pub fn implied(&self, name: &str) -> Option<&Value> {
        (self.rules.iter())
            .find(|r| r.target.is(name))
            .and_then(|r| r.implied.as_ref())
    }

    /// The status the vendor gives a webhook once it is made, or once its `enabled` is set:
    /// the one derived from `enabled` (the webhook's, else the one the vendor implies: a
    /// vendor whose webhooks are always on answers them `active`), unless its answers cannot
    /// say it (a status rule whose values are `active` and `failing` alone, a vendor whose
    /// status says something else than whether the webhook is on). The status it had stands
    /// then, and a new webhook has none. What an emulator answers, and what a change is held
    /// to before it is made.
    pub fn settle_status(&self, webhook: &mut Map<String, Value>) {
        let had = webhook.shift_remove("status");
        let enabled = (webhook.get("enabled").and_then(Value::as_bool))
            .or_else(|| self.implied("enabled").and_then(Value::as_bool));
        let derived = enabled.map(|on| Value::from(crate::model::status_of(on)));
        let shown = |status: &Value| {
            self.reading("status")
                .is_none_or(|rule| rule.codec.encode(status).is_ok())
        };
        if let Some(status) = derived.filter(shown).or_else(|| had.filter(shown)) {
            crate::model::insert_in_order(webhook, crate::model::WEBHOOK_FIELDS, "status", status);
        }
    }

    /// Rules of request fields the vendor never reports back (write-only), whose path lies
    /// under the top-level member `head`.
    pub fn write_only_under<'a>(&'a self, head: &'a str) -> impl Iterator<Item = &'a Rule> + 'a {
        self.rules.iter().filter(move |r| {
            r.request && !r.reported && r.path.as_ref().and_then(|p| p.head()) == Some(head)
        })
    }
}

/// The index a vendor's name of a place inside a value begins with (`.0.type`, `[0]`), where
/// it begins with one.
fn leading_index(rest: &str) -> Option<&str> {
    let (digits, after) = match rest.strip_prefix('[') {
        Some(r) => r.split_once(']')?,
        None => {
            let r = rest.strip_prefix('.')?;
            r.split_at(r.find(['.', '[']).unwrap_or(r.len()))
        }
    };
    let whole = after.is_empty() || after.starts_with('.') || after.starts_with('[');
    (whole && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// The rules of `rules` that answers read at an item of a vendor's list, each with whether the
/// requests of `action` write the field into that list too ([`ObjectMap::read_in_lists`]).
fn in_lists(rules: &[Rule], action: Action) -> Vec<(usize, bool)> {
    (rules.iter().enumerate())
        .filter(|(_, r)| r.response)
        .filter_map(|(i, r)| {
            let list = &r.list_item.as_ref()?.list;
            let written_in = (rules.iter())
                .filter(|w| w.request && w.target == r.target && w.applies_to(action))
                .filter_map(|w| w.path.as_ref())
                .all(|p| p.starts_with(list));
            Some((i, written_in))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::Dialect;
    use crate::model::Listed;
    use bytes::Bytes;
    use serde_json::json;
    use std::path::Path;

    const FILE: &str = r#"
[dialect]
auth = "none"

[fields.id]
path = "$.id"
in = ["response"]

[fields.url]
path = "$.cfg.target.url"

[fields.status]
path = "$.state"
in = ["response"]
codec = { map = { on = "active", off = "disabled" } }

[fields.description]
path = "$.label"

[fields.events]
path = "$.kinds[0]"
codec = "single"

[fields."extensions.tag"]
path = "$.cfg.tag"

[derived.count]
path = "$.count"
count = "events"

[operations.get]
method = "GET"
path = "/hooks/{id}"
response = "{{webhook}}"

[errors.render.default]
body = { message = "{{message}}" }
"#;

    #[test]
    fn a_status_is_settled_as_the_vendors_answers_can_say_it() {
        let settled = |file: &str, webhook: Value| {
            let d = Dialect::compile("t", Path::new("t.toml"), file).unwrap();
            let Value::Object(mut webhook) = webhook else {
                unreachable!()
            };
            d.webhook.settle_status(&mut webhook);
            webhook.get("status").cloned()
        };
        let none = FILE.replace(
            "[fields.status]\npath = \"$.state\"\nin = [\"response\"]\ncodec = { map = { on = \"active\", off = \"disabled\" } }\n",
            "",
        );
        assert_ne!(none, FILE);
        let failing = FILE.replace(
            "codec = { map = { on = \"active\", off = \"disabled\" } }",
            "type = \"boolean\"\ncodec = { map = { true = \"active\", false = \"failing\" } }",
        );
        assert_ne!(failing, FILE);
        let always_on = format!("{FILE}\n[fields.enabled]\nimplied = true\n");
        let cases = [
            // Derived from `enabled`, over the status it had.
            (
                none.as_str(),
                json!({"enabled": false, "status": "active"}),
                Some("disabled"),
            ),
            (
                &none,
                json!({"enabled": true, "status": "disabled"}),
                Some("active"),
            ),
            (
                FILE,
                json!({"enabled": false, "status": "active"}),
                Some("disabled"),
            ),
            (&none, json!({"url": "u"}), None),
            // A vendor whose status has no word for a disabled webhook keeps the one it had.
            (
                &failing,
                json!({"enabled": false, "status": "failing"}),
                Some("failing"),
            ),
            (&failing, json!({"enabled": false}), None),
            (
                &failing,
                json!({"enabled": true, "status": "failing"}),
                Some("active"),
            ),
            // A vendor whose webhooks are always on.
            (&always_on, json!({"url": "u"}), Some("active")),
        ];
        for (file, webhook, status) in cases {
            let what = webhook.to_string();
            assert_eq!(settled(file, webhook), status.map(Value::from), "{what}");
        }
    }

    #[test]
    fn reads_in_canonical_order_and_keeps_the_vendors_own_members() {
        let d = Dialect::compile("t", Path::new("t.toml"), FILE).unwrap();
        let vendor = json!({
            "state": "on", "kinds": ["a", "b"], "label": null,
            "cfg": {"target": {"url": "u", "port": 1}, "tag": "t", "x": 2},
            "count": 2, "id": "7", "other": true
        });
        let read = d.webhook.read(&vendor).unwrap();
        assert_eq!(
            serde_json::to_string(&read).unwrap(),
            r#"{"id":"7","url":"u","events":["a"],"description":null,"status":"active","extensions":{"tag":"t","kinds":["a","b"],"cfg.target.port":1,"cfg.x":2,"other":true}}"#
        );
        assert_eq!(d.webhook.read_owned(vendor).unwrap(), read);
    }

    #[test]
    fn reads_while_scanning_as_it_reads_parsed() {
        use crate::json::read_at;
        let file = FILE.replace("$.kinds[0]", "$.kinds");
        let d = Dialect::compile("t", Path::new("t.toml"), &file).unwrap();
        let reader = d.webhook.reader().expect("no path needs the object whole");
        let texts: [&str; 6] = [
            r#"{"state": "off", "kinds": ["a"], "label": null, "cfg": {"target": {"url": "u", "port": 1}, "tag": "t", "x": {"y": [2]}}, "count": 2, "id": "7", "other": true}"#,
            r#"{"st\u0061te": "on", "other": 1, "other": 2, "id": "1", "id": "2", "cfg": 3}"#,
            r#"{"cfg": {"tag": "a", "target": {"url": "v"}}, "x.y": 1, "cfg": {"x": 1}}"#,
            r#"{"cfg": {"target": {"url": "v"}, "target": {"port": 2}}}"#,
            "[1, {}]",
            "null",
        ];
        for text in texts {
            let parsed: serde_json::Value = serde_json::from_slice(text.as_bytes()).unwrap();
            let source = Bytes::copy_from_slice(text.as_bytes());
            let (_, item) =
                read_at(&source, &[] as &[&str], |scan| reader.read(scan, &source)).unwrap();
            match item.unwrap() {
                Item::Read(read) => assert_eq!(
                    {
                        let mut out = Vec::new();
                        read.write(&mut out);
                        String::from_utf8(out).unwrap()
                    },
                    serde_json::to_string(&d.webhook.read_owned(parsed).unwrap()).unwrap(),
                    "{text}"
                ),
                Item::Ambiguous => assert!(
                    text.contains(r#""cfg": {"x""#) || text.contains(r#""target": {"port""#),
                    "{text}"
                ),
                Item::NotAnObject => assert!(!parsed.is_object(), "{text}"),
                Item::Misread(misread) => panic!("{text}: {misread}"),
            }
        }
    }

    #[test]
    fn reads_a_list_while_scanning_and_writes_it_as_it_reads_parsed() {
        use crate::json::read_at;
        let file = FILE.replace("$.kinds[0]", "$.kinds");
        let d = Dialect::compile("t", Path::new("t.toml"), &file).unwrap();
        // Plain values (copied), escapes, whitespace, fractions, exponents, -0, long integers,
        // nulls, nested values, repeated keys, a vendor member named as a rule's extension.
        let items: [&str; 6] = [
            r#"{"state": "off", "kinds": ["a"], "label": null, "cfg": {"target": {"url": "u", "port": 1}, "tag": "t", "x": {"y": [2]}}, "count": 2, "id": "7", "other": true, "tag": "top"}"#,
            r#"{ "st\u0061te" : "on" , "other": 1, "other": 2, "id": "1", "id": "2\/\u00e9", "cfg": 3, "tag": "mine" }"#,
            r#"{"label": "a b", "n": [1.0, 1e2, -0, 12345678901234567890], "m": {"k" :  [ true , null ]}}"#,
            r#"{"kinds":["a","b"],"w":["a",1,true,null,[]],"v":[],"u":[0,18446744073709551615],"cfg":{"x":["é"]}}"#,
            r#"{"label": "", "state": "sleeping", "kinds": "one", "cfg": {"tag": 5, "target": "x"}}"#,
            r#"{}"#,
        ];
        let reader = d
            .webhook
            .list_reader()
            .expect("no path needs the object whole");
        // An item that is no object is no webhook: the list is not read without it.
        for odd in ["7", "\"x\"", "null", "[]"] {
            let body = format!("[{}, {odd}]", items.join(" ,\n"));
            let read = read_at(body.as_bytes(), &[] as &[&str], |scan| {
                reader.read(scan, &mut Listed::default(), |_| true)
            });
            assert!(read.is_err(), "{odd}");
        }
        let body = bytes::Bytes::from(format!("[{}]", items.join(" ,\n")));
        let mut page = Listed::default();
        let mut completed = 0;
        let (_, read) = read_at(&body, &[] as &[&str], |scan| {
            reader.read(scan, &mut page, |_| {
                completed += 1;
                true
            })
        })
        .unwrap();
        assert!(read.is_some());
        assert_eq!((page.len(), completed), (items.len(), items.len()));
        let parsed = || items.iter().map(|text| serde_json::from_str(text).unwrap());
        let written: Vec<String> = parsed()
            .map(|item| serde_json::to_string(&d.webhook.read_owned(item).unwrap()).unwrap())
            .collect();
        assert_eq!(
            String::from_utf8(page.text().to_vec()).unwrap(),
            written.join(",")
        );
        let maps: Vec<_> = parsed()
            .map(|item| d.webhook.read(&item).unwrap())
            .collect();
        assert_eq!(page.into_maps(), maps);
        // An item that only a whole reading can settle fails the list, to be read whole.
        let body = bytes::Bytes::from_static(br#"[{"cfg": {"tag": "a"}, "cfg": {"x": 1}}]"#);
        let reader = d.webhook.list_reader().unwrap();
        let mut page = Listed::default();
        assert!(
            read_at(&body, &[] as &[&str], |scan| reader.read(
                scan,
                &mut page,
                |_| true
            ))
            .is_err()
        );
    }

    /// A write-only secret is never read back, wherever its path leads: not under its field,
    /// not as the vendor's own member under `extensions`, whether the answer is read from its
    /// text, parsed, or as a list.
    #[test]
    fn a_write_only_secret_is_never_read_back() {
        use crate::json::read_at;
        for (path, answer) in [
            ("$.key", r#"{"id": "1", "key": "s3cr3t"}"#),
            (
                "$.auth.key",
                r#"{"id": "1", "auth": {"key": "s3cr3t", "kind": "hmac"}}"#,
            ),
            ("$.keys[0]", r#"{"id": "1", "keys": ["s3cr3t"]}"#),
            (
                "$.keys[0].value",
                r#"{"id": "1", "keys": [{"value": "s3cr3t"}]}"#,
            ),
        ] {
            let file = format!("{FILE}\n[fields.secret]\npath = \"{path}\"\nin = [\"request\"]\n");
            // A rule read through an index (`kinds[0]`) whose value is missing, without aliases.
            let d = Dialect::compile("t", Path::new("t.toml"), &file).unwrap();
            let parsed = d
                .webhook
                .read(&serde_json::from_str(answer).unwrap())
                .unwrap();
            assert!(!parsed.contains_key("events"));
            assert!(
                !Value::Object(parsed).to_string().contains("s3cr3t"),
                "{path}"
            );
            let body = bytes::Bytes::from(format!("[{answer}]"));
            if let Some(reader) = d.webhook.list_reader() {
                let mut page = Listed::default();
                read_at(&body, &[] as &[&str], |scan| {
                    reader.read(scan, &mut page, |_| true)
                })
                .unwrap();
                assert!(
                    !String::from_utf8_lossy(page.text()).contains("s3cr3t"),
                    "{path}"
                );
            }
            if let Some(reader) = d.webhook.reader() {
                let body = bytes::Bytes::from(answer.to_owned());
                let (_, item) =
                    read_at(&body, &[] as &[&str], |scan| reader.read(scan, &body)).unwrap();
                let Some(Item::Read(members)) = item else {
                    panic!("{path}")
                };
                assert!(
                    !Value::Object(members.into_map())
                        .to_string()
                        .contains("s3cr3t")
                );
            }
        }
    }

    #[test]
    fn aliases_are_read_after_the_path_and_rendered_when_asked() {
        let file = r#"
[dialect]
[fields.events]
path = "$.eventTypes"
aliases = ["$.filterTypes"]
render_aliases = true
[fields.description]
path = "$.description"
codec = "empty_is_null"
render_default = ""
[operations.get]
method = "GET"
path = "/e/{id}"
response = "{{webhook}}"
[errors.render.default]
body = {}
"#;
        let d = Dialect::compile("a", Path::new("a.toml"), file).unwrap();
        let read = d.webhook.read(&json!({"filterTypes": ["x"]})).unwrap();
        assert_eq!(Value::Object(read.clone()), json!({"events": ["x"]}));
        let both = d
            .webhook
            .read(&json!({"filterTypes": ["old"], "eventTypes": ["new"]}))
            .unwrap();
        assert_eq!(both["events"], json!(["new"]));
        assert_eq!(
            d.webhook.render(&read).unwrap(),
            json!({"eventTypes": ["x"], "filterTypes": ["x"], "description": ""})
        );
        let cleared = json!({"description": null}).as_object().cloned().unwrap();
        assert_eq!(d.webhook.render(&cleared).unwrap()["description"], "");
    }

    #[test]
    fn a_value_the_dialect_cannot_hold_is_refused_not_bent() {
        let d = Dialect::compile("t", Path::new("t.toml"), FILE).unwrap();
        let two = json!({"id": "x", "events": ["a", "b"]});
        let refused = d.webhook.render(two.as_object().unwrap()).unwrap_err();
        assert_eq!(refused[0].field, "events");
    }

    #[test]
    fn field_errors_on_items_name_the_field() {
        let d = Dialect::compile(
            "t",
            Path::new("t.toml"),
            FILE.replace("$.kinds[0]", "$.kinds").as_str(),
        )
        .unwrap();
        for (vendor, canonical, message) in [
            ("kinds.1", "events", "events[1]: bad"),
            ("kinds[0]", "events", "events[0]: bad"),
            ("cfg.target.url", "url", "bad"),
            ("cfg", "extensions.cfg", "bad"),
            ("kindsx", "extensions.kindsx", "bad"),
            // Deeper inside a field's value: the field, its item named where it lists some.
            ("kinds.0.type", "events", "events[0]: bad"),
            ("kinds[2].meta.kind", "events", "events[2]: bad"),
            ("kinds.x", "events", "bad"),
            ("cfg.target.url.host", "url", "bad"),
            ("cfg.target.url[0]", "url", "bad"),
            ("cfg.tag.0", "extensions.tag", "extensions.tag[0]: bad"),
            ("cfg.target", "extensions.cfg.target", "bad"),
            ("cfg.targets.url", "extensions.cfg.targets.url", "bad"),
        ] {
            let e = d.webhook.field_error(vendor, "bad");
            assert_eq!(
                (e.field.as_str(), e.message.as_str()),
                (canonical, message),
                "{vendor}"
            );
        }
    }
}
