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

use super::checks::Check;
use super::codec::Codec;
use super::flags::{Flags, Given};
use super::json_path::{FieldPath, Step};
use super::reader::{Found, Gathered, ReadPlan};
use crate::json::scan::{Malformed, Scanner};
use crate::model::{
    Access, Action, Assemble, Assembly, Field, Kind, Listed, Members, Piece, Writing,
};
use crate::problem::FieldError;
use bytes::Bytes;
use serde_json::{Map, Value};
use std::borrow::Cow;

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
    /// A value the vendor requires that the canonical model leaves out, and when.
    pub fill: Option<(Value, Vec<(FieldPath, Value)>)>,
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
    /// `true` when a canonical field is present (a `secret_displayed_once` flag).
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

/// A constraint a dialect body broke: which rule, which check, and the canonical message.
#[derive(Debug, Clone)]
pub struct Violation<'r> {
    /// The rule whose check failed.
    pub rule: &'r Rule,
    /// The check's key.
    pub check: &'static str,
    /// The canonical message.
    pub message: String,
}

impl Violation<'_> {
    /// Under the canonical name, in canonical words.
    pub fn canonical(&self) -> FieldError {
        FieldError::new(self.rule.target.name(), self.message.clone())
    }

    /// Under the canonical name, in the vendor's words where the mapping gives them: what a
    /// vendor surface renders under the vendor's own field name.
    pub fn in_vendor_words(&self) -> FieldError {
        let message = self.rule.message(self.check).unwrap_or(&self.message);
        FieldError::new(self.rule.target.name(), message)
    }
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

/// What reading an object while its text is read found.
#[derive(Debug, PartialEq)]
pub enum Item {
    /// An object, read into canonical terms: its members in the order of the field table.
    Read(Members),
    /// A value that is not an object.
    NotAnObject,
    /// An object whose text repeats a key that paths continue inside: it must be parsed whole
    /// and read with [`ObjectMap::read_owned`].
    Ambiguous,
}

/// Reads one dialect object while its text is read, as [`ObjectMap::read_owned`] reads it once
/// parsed; made by [`ObjectMap::reader`].
#[derive(Clone, Copy)]
pub struct Reader<'m> {
    map: &'m ObjectMap,
}

impl Reader<'_> {
    /// The value that comes next in `scan`, read from `source`, the text `scan` reads: a
    /// string or an array the vendor wrote as the writer would is kept as a slice of it.
    pub fn read(self, scan: &mut Scanner<'_>, source: &Bytes) -> Result<Item, Malformed> {
        let mut gathered = self.map.gathered();
        Ok(match self.gather(scan, &mut gathered)? {
            Ok(()) => {
                let mut members = Assembly::new(Some(source), self.map.read_order.len());
                self.map.assemble(&mut gathered, &mut members);
                Item::Read(members.finish())
            }
            Err(item) => item,
        })
    }

    /// Gathers the object that comes next into `gathered`, which is empty; what it is instead
    /// when it cannot be read so.
    fn gather<'a>(
        self,
        scan: &mut Scanner<'a>,
        gathered: &mut Gathered<'a>,
    ) -> Result<Result<(), Item>, Malformed> {
        if !self.map.plan.gather(scan, gathered)? {
            scan.skip()?;
            return Ok(Err(Item::NotAnObject));
        }
        Ok(if gathered.ambiguous {
            Err(Item::Ambiguous)
        } else {
            Ok(())
        })
    }
}

/// Reads a list's items while its text is read: each object with [`Reader`] and written at
/// once as a canonical webhook, anything else in the array skipped. A value that is not an
/// array, or an item that must be read whole ([`Item::Ambiguous`]), is refused: the answer is
/// then parsed and read whole.
///
/// A string the vendor wrote without escapes, or an array spelled as the writer spells it, is
/// copied from the vendor's text to the page's as it is: most of a page's webhooks is copied,
/// not parsed into values and written again, and no webhook is held as an object.
#[derive(Clone, Copy)]
pub struct ListReader<'m> {
    item: Reader<'m>,
}

impl ListReader<'_> {
    /// The array that comes next in `scan`, its objects written to `page`; `complete` is
    /// given each webhook once its members are written, to add what the vendor left out.
    pub fn read(
        self,
        scan: &mut Scanner<'_>,
        page: &mut Listed,
        mut complete: impl FnMut(&mut Writing<'_>),
    ) -> Result<(), Malformed> {
        if !scan.array()? {
            return Err(Malformed);
        }
        let map = self.item.map;
        // One for every item: its room is kept.
        let mut gathered = map.gathered();
        let mut first = true;
        while scan.element(first)? {
            first = false;
            gathered.clear();
            match self.item.gather(scan, &mut gathered)? {
                Ok(()) => {
                    let mut webhook = page.start();
                    map.assemble(&mut gathered, &mut webhook);
                    complete(&mut webhook);
                }
                Err(Item::Ambiguous) => return Err(Malformed),
                Err(_) => {} // not an object
            }
        }
        Ok(())
    }
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
}

impl ObjectMap {
    /// Compiles what reading needs.
    pub fn new(rules: Vec<Rule>, derived: Vec<Derived>, fields: &'static [Field]) -> ObjectMap {
        // A write-only secret is never read back: its paths are covered (not the vendor's own
        // members), and no rule takes what lies there.
        let shown = |i: usize| rules[i].response || !rules[i].target.is_secret();
        let paths: Vec<(&FieldPath, Option<usize>)> = rules
            .iter()
            .enumerate()
            .filter_map(|(i, r)| Some((r.path.as_ref()?, shown(i).then_some(i))))
            .chain(derived.iter().map(|d| (&d.path, None)))
            .collect();
        let aliases: Vec<(&FieldPath, usize)> = rules
            .iter()
            .enumerate()
            .flat_map(|(i, r)| r.aliases.iter().map(move |a| (a, i)))
            .collect();
        let all: Vec<&FieldPath> = paths
            .iter()
            .map(|(p, _)| *p)
            .chain(aliases.iter().map(|(p, _)| *p))
            .collect();
        let alone = |path: &FieldPath| {
            all.iter()
                .filter(|other| !(path.starts_with(other) || other.starts_with(path)))
                .count()
                == all.len() - 1
        };
        let by_key = |path: &FieldPath| {
            !path.is_root() && path.steps().iter().all(|s| matches!(s, Step::Key(_)))
        };
        let mut plan = ReadPlan::default();
        let mut copied = Vec::new();
        for (path, rule) in &paths {
            let taken = rule.filter(|_| by_key(path) && alone(path));
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
            .filter(|&(i, _)| !shown(i))
            .flat_map(|(_, r)| r.path.iter().chain(&r.aliases));
        for path in hidden {
            let steps = path.steps();
            let keys = steps
                .iter()
                .take_while(|s| matches!(s, Step::Key(_)))
                .count();
            plan.insert(&steps[..keys], None);
        }
        for (path, rule) in &aliases {
            if !shown(*rule) {
                continue; // covered above
            } else if by_key(path) && alone(path) {
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
        ObjectMap {
            rules,
            derived,
            fields,
            plan,
            copied,
            aliased,
            read_order,
        }
    }

    fn rule_for(&self, name: &str, action: Action) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.request && r.applies_to(action) && r.target.is(name))
    }

    fn rule_for_extension(&self, key: &str, action: Action) -> Option<&Rule> {
        self.rules.iter().find(|r| {
            r.request
                && r.applies_to(action)
                && matches!(&r.target, Target::Extension(k) if k == key)
        })
    }

    /// The rule that reads canonical field `name` from answers, if any.
    pub fn reading(&self, name: &str) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.is_placed() && r.target.is(name))
    }

    /// Whether `action` requests may carry canonical field `name`.
    pub fn carries(&self, name: &str, action: Action) -> bool {
        self.rule_for(name, action).is_some_and(Rule::is_placed)
    }

    /// Canonical request → dialect request. `body` is an update (as its mode says) or a full
    /// body (create). With `lenient`, fields the dialect cannot carry are dropped and listed.
    pub fn write(
        &self,
        action: Action,
        body: &Map<String, Value>,
        lenient: bool,
    ) -> Result<Translated, WriteError> {
        let mut out = Value::Object(Map::with_capacity(body.len()));
        let mut unsupported = Vec::new();
        let mut invalid = Vec::new();
        // `name` spells the canonical name, only needed when the member is refused.
        let mut attempt = |rule: Option<&Rule>, name: &dyn Fn() -> String, value: &Value| {
            let Some(rule) = rule else {
                unsupported.push(name());
                return;
            };
            let Some(path) = &rule.path else {
                match &rule.flags {
                    Some(flags) => {
                        if let Err(e) = Self::write_flags(flags, action, value, &mut out) {
                            invalid.push(FieldError::new(name(), e));
                        }
                    }
                    // An implied value: writing the same value changes nothing at the vendor.
                    None if rule.implied.as_ref() != Some(value) => unsupported.push(name()),
                    None => {}
                }
                return;
            };
            if value.is_null() && action == Action::Create {
                return;
            }
            if value.is_null() {
                match rule.clear_value() {
                    // A required member is refused as a blank one is, whatever clearing is.
                    _ if rule.checks.contains(&Check::Required) => {
                        invalid.push(FieldError::new(name(), "is required"))
                    }
                    Some(cleared) => path.set(&mut out, cleared),
                    None => invalid.push(FieldError::new(
                        name(),
                        "cannot be cleared at this upstream",
                    )),
                }
                return;
            }
            match rule.codec.encode(value) {
                Ok(v) => path.set(&mut out, v),
                Err(e) => invalid.push(FieldError::new(name(), e.0)),
            }
        };
        for (name, value) in body {
            if name == "extensions" {
                if let Value::Object(ext) = value {
                    for (key, v) in ext {
                        let rule = self.rule_for_extension(key, action);
                        attempt(rule, &|| format!("extensions.{key}"), v);
                    }
                }
            } else {
                attempt(self.rule_for(name, action), &|| name.clone(), value);
            }
        }
        if !invalid.is_empty() {
            return Err(WriteError::Invalid(invalid));
        }
        if !unsupported.is_empty() && !lenient {
            return Err(WriteError::Unsupported(unsupported));
        }
        if action == Action::Create {
            self.fill(&mut out);
        }
        Ok(Translated {
            body: out,
            dropped: unsupported,
        })
    }

    /// Writes a canonical list of event types as `flags`, every one of them; `null` is "not
    /// given" on a create, and cannot be sent on an update. Apart from [`ObjectMap::write`],
    /// whose members are most often at a path: the few vendors that keep flags pay for them.
    #[cold]
    fn write_flags(
        flags: &Flags,
        action: Action,
        value: &Value,
        out: &mut Value,
    ) -> Result<(), String> {
        match value {
            Value::Null if action == Action::Create => Ok(()),
            Value::Null => Err("cannot be cleared at this upstream".into()),
            list => flags.write(out, list),
        }
    }

    /// Adds the values the vendor requires but the canonical model leaves out (one-way).
    fn fill(&self, out: &mut Value) {
        for rule in &self.rules {
            let (Some(path), Some((value, when))) = (&rule.path, &rule.fill) else {
                continue;
            };
            let applies = when.iter().all(|(p, v)| p.get(out) == Some(v));
            if applies && path.get(out).is_none() {
                path.set(out, value.clone());
            }
        }
    }

    /// Translates a whole canonical webhook (as read back) for a read-merge-write: fields the
    /// dialect does not write are skipped, and unnamed extensions return to where they came from.
    pub fn write_all(&self, action: Action, webhook: &Map<String, Value>) -> Value {
        let mut out = Value::Object(Map::new());
        for rule in self
            .rules
            .iter()
            .filter(|r| r.request && r.applies_to(action))
        {
            let Some(value) = rule.target.get(webhook) else {
                continue;
            };
            if let Ok(v) = rule.codec.encode(value) {
                // What cannot be written now could not be written before either.
                let _ = rule.put(&mut out, v);
            }
        }
        if let Some(Value::Object(ext)) = webhook.get("extensions") {
            for (key, value) in ext {
                if !self.names_extension(key) {
                    self.leftover_path(key).set(&mut out, value.clone());
                }
            }
        }
        out
    }

    /// Whether a rule names the extension `key`; other extensions are the vendor's own members,
    /// kept under their dotted paths.
    pub fn names_extension(&self, key: &str) -> bool {
        self.rules
            .iter()
            .any(|r| matches!(&r.target, Target::Extension(k) if k == key))
    }

    /// Dialect response → canonical. Vendor fields no rule names are kept under `extensions`.
    pub fn read(&self, dialect: &Value) -> Map<String, Value> {
        self.read_owned(dialect.clone())
    }

    /// Dialect response → canonical, in the order of the field table, taking the values out of
    /// the dialect object instead of copying them.
    pub fn read_owned(&self, mut dialect: Value) -> Map<String, Value> {
        let mut gathered = self.gathered();
        for &i in &self.copied {
            let rule = &self.rules[i];
            if let Some(flags) = &rule.flags {
                gathered.found[i] = flags.read(&dialect).map(Found::from);
                continue;
            }
            let found = rule.path.as_ref().and_then(|p| p.get(&dialect));
            gathered.found[i] = found.cloned().map(Found::from);
            // Room for aliases is made only where a rule has some.
            if found.is_none()
                && let Some(aliased) = rule.aliases.iter().find_map(|a| a.get(&dialect))
            {
                gathered.aliased[i] = Some(aliased.clone().into());
            }
        }
        if let Value::Object(object) = dialect.take() {
            self.plan.walk(object, "", &mut gathered);
        }
        self.assembled(gathered)
    }

    /// Reads vendor objects fastest when they are written in the order of `example`, an
    /// object as the vendor documents it (see `ReadPlan::follow`).
    pub fn follow(&mut self, example: &Value) {
        self.plan.follow(example);
    }

    /// Reads a dialect object while its JSON text is read, as [`ObjectMap::read_owned`]
    /// reads it once parsed; `None` where a rule needs the object whole (a path through an
    /// array index, or paths that overlap).
    pub fn reader(&self) -> Option<Reader<'_>> {
        (self.copied.is_empty() && !self.plan.whole).then_some(Reader { map: self })
    }

    /// Reads a list of dialect objects while their JSON text is read; `None` where
    /// [`ObjectMap::reader`] is.
    pub fn list_reader(&self) -> Option<ListReader<'_>> {
        Some(ListReader {
            item: self.reader()?,
        })
    }

    /// Room for what reading an object gathers.
    fn gathered<'a>(&self) -> Gathered<'a> {
        Gathered::new(self.rules.len(), self.aliased)
    }

    /// The canonical object from what was gathered, in the order of the field table.
    fn assembled(&self, mut gathered: Gathered) -> Map<String, Value> {
        let mut members = Assembly::new(None, self.read_order.len());
        self.assemble(&mut gathered, &mut members);
        members.finish().into_map()
    }

    /// Hands what was gathered to `into`, the fields in the order of the field table, then the
    /// members of `extensions`. A string or array found as its text stays text where no codec
    /// changes it (a value map's string is looked up as it is).
    fn assemble<'a>(&self, gathered: &mut Gathered<'a>, into: &mut impl Assemble) {
        // The extensions rules filled: they win over a vendor's member of the same name.
        let mut ruled: Vec<&str> = Vec::new();
        for &i in &self.read_order {
            let Some(found) = gathered.take(i) else {
                continue;
            };
            let rule = &self.rules[i];
            let value = match (found, &rule.codec) {
                // Taken as it is: anything but null (a value is never a null).
                (found, Codec::Identity) if !matches!(found, Found::Null) => found.piece(),
                (Found::Plain(text), codec @ Codec::Map { .. }) => match codec.decode_text(text) {
                    Some(decoded) => Piece::Borrowed(decoded),
                    // A value the rule cannot decode is kept as the vendor sent it.
                    None => Piece::Plain(text),
                },
                (found, codec) => {
                    let value = found.into_value();
                    if value.is_null() && *codec != Codec::EmptyIsNull {
                        if !rule.target.nullable() {
                            continue;
                        }
                        Piece::Null
                    } else {
                        Piece::Value(codec.decode_or_keep(value))
                    }
                }
            };
            match &rule.target {
                // Each field has one rule: no name comes twice.
                Target::Field(f) => into.field(f, value),
                Target::Extension(k) => {
                    ruled.push(k);
                    into.extension(Cow::Borrowed(k), value);
                }
            }
        }
        if gathered.leftovers.is_empty() {
            return; // the vendor's members all have rules, as most often
        }
        for (key, found) in gathered.leftovers.drain(..) {
            if !ruled.contains(&key.as_str()) {
                into.extension(Cow::Owned(key), found.piece());
            }
        }
    }

    fn covered(&self) -> impl Iterator<Item = &FieldPath> {
        self.rules
            .iter()
            .flat_map(Rule::places)
            .chain(self.derived.iter().map(|d| &d.path))
    }

    /// Where a vendor member kept under `extensions` by [`ObjectMap::read`] came from: a member
    /// inside a container that rules reach into is named by the container's dotted path and the
    /// member's own key. The longest such container prefix is split off and the rest is one
    /// key: a vendor's member name (`tags[0]`, say) is a name, never a JSONPath to evaluate, so
    /// it cannot make up array indexes.
    fn leftover_path(&self, name: &str) -> FieldPath {
        let mut best: Option<(usize, FieldPath)> = None;
        for covered in self.covered() {
            let steps = covered.steps();
            for len in 1..steps.len() {
                let keys: Option<Vec<&str>> = steps[..len]
                    .iter()
                    .map(|s| match s {
                        Step::Key(k) => Some(k.as_str()),
                        Step::Index(_) => None,
                    })
                    .collect();
                let Some(keys) = keys else { break };
                let container = FieldPath::of_keys(keys);
                let shown = container.to_string();
                let inside = name
                    .strip_prefix(shown.as_str())
                    .is_some_and(|rest| rest.len() > 1 && rest.starts_with('.'));
                if inside && best.as_ref().is_none_or(|(n, _)| shown.len() > *n) {
                    best = Some((shown.len(), container));
                }
            }
        }
        match best {
            Some((n, container)) => container.child(Step::Key(name[n + 1..].to_owned())),
            None => FieldPath::of_keys([name]),
        }
    }

    /// Canonical → dialect response, as the vendor would answer. A value this dialect cannot
    /// spell (two events where it holds one, say) is refused under its canonical name: a client
    /// never gets a value of a type its vendor does not document. An id or owner of another
    /// dialect is shown as it is.
    pub fn render(&self, canonical: &Map<String, Value>) -> Result<Value, Vec<FieldError>> {
        let mut out = Value::Object(Map::with_capacity(self.rules.len() + self.derived.len()));
        let mut refused = Vec::new();
        // In the order of the canonical field table, whatever order the canonical object has.
        for rule in self
            .read_order
            .iter()
            .map(|i| &self.rules[*i])
            .filter(|r| r.response)
        {
            if !rule.is_placed() {
                continue;
            }
            match Self::rendered(rule, rule.target.get(canonical)) {
                Ok(Some(v)) => {
                    if rule.render_aliases {
                        for alias in &rule.aliases {
                            alias.set(&mut out, v.clone());
                        }
                    }
                    if let Err(e) = rule.put(&mut out, v) {
                        refused.push(FieldError::new(rule.target.name(), e));
                    }
                }
                Ok(None) => {}
                Err(e) => refused.push(e),
            }
        }
        // Members only requests carry, which the vendor's answers still hold as a placeholder
        // (`passcode: ""`): the placeholder, never the value.
        for rule in self.rules.iter().filter(|r| !r.response) {
            if let (Some(path), Some(placeholder)) = (&rule.path, &rule.render_default) {
                path.set(&mut out, placeholder.clone());
            }
        }
        self.render_derived(canonical, &mut out);
        if let Some(Value::Object(ext)) = canonical.get("extensions") {
            for (key, value) in ext {
                if !self.names_extension(key) {
                    self.leftover_path(key).set(&mut out, value.clone());
                }
            }
        }
        if refused.is_empty() {
            Ok(out)
        } else {
            Err(refused)
        }
    }

    /// What one rule renders of a canonical value (`None`: the member is left out), or why
    /// the value cannot be shown in this dialect. A missing or null value takes the rule's
    /// render default, or `null` where the dialect allows it; a dialect that always answers
    /// the member refuses to leave it out.
    fn rendered(rule: &Rule, value: Option<&Value>) -> Result<Option<Value>, FieldError> {
        Ok(match value {
            Some(Value::Null) if rule.nullable => Some(Value::Null),
            Some(Value::Null) if rule.codec == Codec::EmptyIsNull => {
                rule.codec.encode(&Value::Null).ok()
            }
            None | Some(Value::Null) if rule.render_default.is_some() => {
                rule.render_default.clone()
            }
            None if rule.nullable => Some(Value::Null),
            None | Some(Value::Null) if rule.render_required => {
                return Err(FieldError::new(
                    rule.target.name(),
                    "has no value, and this API always answers one",
                ));
            }
            None | Some(Value::Null) => None,
            Some(value) => match rule.codec.encode(value) {
                Ok(v) => Some(v),
                Err(_) if rule.target.shown_as_is() => Some(value.clone()),
                Err(e) => return Err(FieldError::new(rule.target.name(), e.0)),
            },
        })
    }

    /// The dialect-only values computed from the canonical object (a count, a flag).
    fn render_derived(&self, canonical: &Map<String, Value>, out: &mut Value) {
        for derived in &self.derived {
            let value = match &derived.derivation {
                Derivation::Count(field) => canonical
                    .get(field)
                    .and_then(Value::as_array)
                    .map(|a| Value::from(a.len())),
                Derivation::Present(field) => {
                    canonical.contains_key(field).then_some(Value::Bool(true))
                }
            };
            if let Some(value) = value {
                derived.path.set(out, value);
            }
        }
    }

    /// Dialect request → canonical request, for a vendor surface. Values the rules cannot
    /// decode are reported under canonical names (a surface renders them in its own).
    pub fn parse(
        &self,
        action: Action,
        dialect: &Value,
    ) -> Result<Map<String, Value>, Vec<FieldError>> {
        self.parse_as(action, action == Action::Create, dialect)
    }

    /// [`ObjectMap::parse`] of a body that is the whole object, as a create's is (a full
    /// replacement): a flag it leaves out is off, not kept from before.
    pub fn parse_whole(
        &self,
        action: Action,
        dialect: &Value,
    ) -> Result<Map<String, Value>, Vec<FieldError>> {
        self.parse_as(action, true, dialect)
    }

    fn parse_as(
        &self,
        action: Action,
        whole: bool,
        dialect: &Value,
    ) -> Result<Map<String, Value>, Vec<FieldError>> {
        let mut out = Map::new();
        let mut errors = Vec::new();
        for rule in self.rules.iter().filter(|r| r.request) {
            let value = match &rule.flags {
                Some(flags) => match Self::parse_flags(rule, flags, whole, dialect) {
                    Ok(Some(value)) => Cow::Owned(value),
                    Ok(None) => continue,
                    Err(e) => {
                        errors.push(e);
                        continue;
                    }
                },
                None => match rule.find(dialect) {
                    Some(value) => Cow::Borrowed(value),
                    None => continue,
                },
            };
            // A constant the vendor requires and only requests carry (a `fill`): the client
            // sending it says nothing more, and nothing is kept of it.
            if !rule.response && rule.fill.as_ref().is_some_and(|(fill, _)| *fill == *value) {
                continue;
            }
            if !rule.applies_to(action) {
                // A field the vendor takes on one operation only (an immutable version, say) is
                // refused on the other, never ignored.
                let message = match action {
                    Action::Update => "cannot be changed after create",
                    _ => "can only be set on update",
                };
                errors.push(FieldError::new(rule.target.name(), message));
                continue;
            }
            if value.is_null() && rule.codec != Codec::EmptyIsNull {
                if action == Action::Update {
                    rule.target.set(&mut out, Value::Null);
                }
                continue;
            }
            match rule.codec.decode(&value) {
                Ok(v) => rule.target.set(&mut out, v),
                Err(e) => errors.push(FieldError::new(rule.target.name(), e.0)),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }

    /// What a client's flags say, as a canonical value: the list of event types switched on
    /// where it names every flag, or where the body is `whole` (a flag left out, or every
    /// flag, is off unless the vendor's `default` switches it on); on an update that names only some, an object
    /// of each type named and whether it is switched on, which the update applies to the
    /// webhook's list as it is ([`crate::model::Operation::switched`]).
    fn parse_flags(
        rule: &Rule,
        flags: &Flags,
        whole: bool,
        dialect: &Value,
    ) -> Result<Option<Value>, FieldError> {
        let given = flags.given(dialect).map_err(|member| {
            FieldError::new(rule.target.name(), format!("`{member}` must be a boolean"))
        })?;
        let listed = |on: Vec<String>| Value::Array(on.into_iter().map(Value::from).collect());
        // A whole body: each flag as named, else as the vendor's default has it.
        let defaults = rule.default.as_ref().and_then(Value::as_array);
        let named_or_default = |named: Vec<(String, bool)>| {
            let on = flags
                .types()
                .filter(|kind| match named.iter().find(|(k, _)| k == kind) {
                    Some((_, on)) => *on,
                    None => defaults.is_some_and(|d| d.iter().any(|v| v.as_str() == Some(kind))),
                });
            Some(listed(on.map(str::to_owned).collect()))
        };
        Ok(match given {
            Given::Nothing if !whole => None,
            Given::All(on) => Some(listed(on)),
            Given::Some(named) if whole => named_or_default(named),
            Given::Nothing => named_or_default(Vec::new()),
            Given::Some(named) => Some(Value::Object(
                named
                    .into_iter()
                    .map(|(k, on)| (k, Value::Bool(on)))
                    .collect(),
            )),
        })
    }

    /// What a client of this dialect means by the members it left out of a full replacement:
    /// each writable rule's default (decoded), or `null` (no value). Rules whose value `body`
    /// has are left alone, and so are the fields `kept` says the webhooks behind do not keep
    /// (resetting what is not there changes nothing).
    pub fn replacement_defaults(&self, body: &mut Map<String, Value>, kept: impl Fn(&str) -> bool) {
        for rule in self
            .rules
            .iter()
            .filter(|r| r.request && r.ops.update && r.is_placed())
        {
            if rule.target.get(body).is_some() || rule.target.is_secret() {
                continue;
            }
            if !kept(&rule.target.name()) {
                continue;
            }
            let value = match &rule.default {
                Some(d) => rule.codec.decode(d).unwrap_or(Value::Null),
                // Flags left out of a replacement are all off.
                None if rule.flags.is_some() => Value::Array(Vec::new()),
                None => Value::Null,
            };
            rule.target.set(body, value);
        }
    }

    /// The vendor's constraints, evaluated on a dialect request body.
    pub fn check(&self, action: Action, dialect: &Value) -> Vec<Violation<'_>> {
        self.check_members(action, action == Action::Create, false, dialect)
    }

    /// The vendor's constraints on a merge into an object (a resource's PATCH): its members
    /// are required as in [`ObjectMap::check_whole`], and a `null` inside a member's map
    /// removes that entry, so it passes the `values` check.
    pub fn check_merge(&self, action: Action, dialect: &Value) -> Vec<Violation<'_>> {
        self.check_members(action, true, true, dialect)
    }

    /// The vendor's constraints on a body that is the whole object, as a create's is: a full
    /// replacement (PUT) or a resource's write body, where a required member left out is
    /// refused, not kept from before.
    pub fn check_whole(&self, action: Action, dialect: &Value) -> Vec<Violation<'_>> {
        self.check_members(action, true, false, dialect)
    }

    /// What the checks see of `flags` in a request body: the list of the event types switched
    /// on where the flags are all given, or where the body is `whole` (a flag left out of it
    /// is off); nothing where an update names only some of them, which switch the others'
    /// values as they are.
    #[cold]
    fn flags_checked(flags: &Flags, body: &Value, whole: bool) -> Option<Value> {
        match flags.given(body) {
            Ok(Given::Some(_)) if !whole => None,
            _ => flags.read(body),
        }
    }

    fn check_members(
        &self,
        action: Action,
        whole: bool,
        merge: bool,
        dialect: &Value,
    ) -> Vec<Violation<'_>> {
        let mut out = Vec::new();
        for rule in self
            .rules
            .iter()
            .filter(|r| r.request && r.applies_to(action))
        {
            if !rule.is_placed() {
                continue;
            }
            let listed: Option<Value>;
            let value = match (&rule.flags, &rule.codec) {
                (None, Codec::Wrap(_)) => {
                    // Checks name the values (`one_of` event types), not the objects holding
                    // them; an item that holds none is refused by the parse, in the codec's
                    // words.
                    listed = rule.find(dialect).and_then(|v| rule.codec.decode(v).ok());
                    listed.as_ref()
                }
                (None, _) => rule.find(dialect),
                (Some(flags), _) => {
                    listed = Self::flags_checked(flags, dialect, whole);
                    listed.as_ref()
                }
            };
            for check in &rule.checks {
                let message = match (check, value) {
                    // A required member is refused absent from a whole object, and `null`
                    // always: a vendor that refuses `""` for it does not take "no value" either.
                    (Check::Required, None) if whole => Some("is required".to_owned()),
                    (Check::Required, Some(Value::Null)) => Some("is required".to_owned()),
                    // Blank is no value either: `""` and whitespace are refused as `null` is.
                    (Check::Required, Some(Value::String(s))) if s.trim().is_empty() => {
                        Some("is required".to_owned())
                    }
                    (Check::MinLength(_), Some(Value::Null))
                        if rule.codec == Codec::EmptyIsNull =>
                    {
                        check.test(&Value::from(""), false)
                    }
                    // A member that is not `nullable` has no `null` of its type.
                    (Check::Type(_), Some(Value::Null)) if !rule.nullable => {
                        check.test(&Value::Null, false)
                    }
                    (Check::Values(_), Some(Value::Object(members))) if merge => {
                        let set = members.iter().filter(|(_, v)| !v.is_null());
                        check.test(
                            &Value::Object(set.map(|(k, v)| (k.clone(), v.clone())).collect()),
                            false,
                        )
                    }
                    (_, Some(v)) if !v.is_null() => check.test(v, rule.target.is("events")),
                    _ => None,
                };
                if let Some(message) = message {
                    out.push(Violation {
                        rule,
                        check: check.key(),
                        message,
                    });
                    break;
                }
            }
        }
        // Reported in the order of the canonical field table, whatever the file's order.
        out.sort_by_key(|v| v.rule.target.rank(self.fields));
        out
    }

    /// A vendor's field error under canonical names: a vendor field that a rule's path (or
    /// alias) spells becomes that rule's field (`webhook_url` → `url`); an item of it
    /// (`events.1`, `events[1]`) becomes the field with the item named in the message; any other
    /// vendor field keeps its vendor name under `extensions.`.
    pub fn field_error(&self, vendor_field: &str, message: &str) -> FieldError {
        let spelled = |p: &FieldPath| p.is_spelled(vendor_field);
        if let Some(rule) = self.rules.iter().find(|r| r.places().any(spelled)) {
            return FieldError::new(rule.target.name(), message);
        }
        for rule in &self.rules {
            for path in rule.path.iter().chain(&rule.aliases) {
                let shown = path.to_string();
                let item = vendor_field
                    .strip_prefix(shown.as_str())
                    .and_then(|rest| {
                        rest.strip_prefix('.')
                            .or_else(|| rest.strip_prefix('[')?.strip_suffix(']'))
                    })
                    .filter(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit()));
                if let Some(index) = item {
                    let field = rule.target.name();
                    let message = format!("{field}[{index}]: {message}");
                    return FieldError::new(field, message);
                }
            }
        }
        FieldError::new(format!("extensions.{vendor_field}"), message)
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

    /// Rules of request fields the vendor never reports back (write-only), whose path lies
    /// under the top-level member `head`.
    pub fn write_only_under<'a>(&'a self, head: &'a str) -> impl Iterator<Item = &'a Rule> + 'a {
        self.rules.iter().filter(move |r| {
            r.request && !r.response && r.path.as_ref().and_then(|p| p.head()) == Some(head)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::Dialect;
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
    fn reads_in_canonical_order_and_keeps_the_vendors_own_members() {
        let d = Dialect::compile("t", Path::new("t.toml"), FILE).unwrap();
        let vendor = json!({
            "state": "on", "kinds": ["a", "b"], "label": null,
            "cfg": {"target": {"url": "u", "port": 1}, "tag": "t", "x": 2},
            "count": 2, "id": "7", "other": true
        });
        let read = d.webhook.read(&vendor);
        assert_eq!(
            serde_json::to_string(&read).unwrap(),
            r#"{"id":"7","url":"u","events":["a"],"description":null,"status":"active","extensions":{"tag":"t","kinds":["a","b"],"cfg.target.port":1,"cfg.x":2,"other":true}}"#
        );
        assert_eq!(d.webhook.read_owned(vendor), read);
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
                    serde_json::to_string(&d.webhook.read_owned(parsed)).unwrap(),
                    "{text}"
                ),
                Item::Ambiguous => assert!(
                    text.contains(r#""cfg": {"x""#) || text.contains(r#""target": {"port""#),
                    "{text}"
                ),
                Item::NotAnObject => assert!(!parsed.is_object(), "{text}"),
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
        let body = bytes::Bytes::from(format!("[{}, 7, \"x\"]", items.join(" ,\n")));
        let reader = d
            .webhook
            .list_reader()
            .expect("no path needs the object whole");
        let mut page = Listed::default();
        let mut completed = 0;
        let (_, read) = read_at(&body, &[] as &[&str], |scan| {
            reader.read(scan, &mut page, |_| completed += 1)
        })
        .unwrap();
        assert!(read.is_some());
        assert_eq!((page.len(), completed), (items.len(), items.len()));
        let parsed = || items.iter().map(|text| serde_json::from_str(text).unwrap());
        let written: Vec<String> = parsed()
            .map(|item| serde_json::to_string(&d.webhook.read_owned(item)).unwrap())
            .collect();
        assert_eq!(
            String::from_utf8(page.text().to_vec()).unwrap(),
            written.join(",")
        );
        let maps: Vec<_> = parsed().map(|item| d.webhook.read(&item)).collect();
        assert_eq!(page.into_maps(), maps);
        // An item that only a whole reading can settle fails the list, to be read whole.
        let body = bytes::Bytes::from_static(br#"[{"cfg": {"tag": "a"}, "cfg": {"x": 1}}]"#);
        let reader = d.webhook.list_reader().unwrap();
        let mut page = Listed::default();
        assert!(
            read_at(&body, &[] as &[&str], |scan| reader.read(
                scan,
                &mut page,
                |_| {}
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
            let parsed = d.webhook.read(&serde_json::from_str(answer).unwrap());
            assert!(!parsed.contains_key("events"));
            assert!(
                !Value::Object(parsed).to_string().contains("s3cr3t"),
                "{path}"
            );
            let body = bytes::Bytes::from(format!("[{answer}]"));
            if let Some(reader) = d.webhook.list_reader() {
                let mut page = Listed::default();
                read_at(&body, &[] as &[&str], |scan| {
                    reader.read(scan, &mut page, |_| {})
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
        let read = d.webhook.read(&json!({"filterTypes": ["x"]}));
        assert_eq!(Value::Object(read.clone()), json!({"events": ["x"]}));
        let both = d
            .webhook
            .read(&json!({"filterTypes": ["old"], "eventTypes": ["new"]}));
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
