//! Field rules: one declaration per canonical field, read in four directions.
//!
//! | direction | from → to | used by |
//! |---|---|---|
//! | [`ObjectMap::write`] | canonical request → dialect request | gateway, outbound |
//! | [`ObjectMap::read`] | dialect response → canonical | gateway, inbound |
//! | [`ObjectMap::parse`] | dialect request → canonical request | vendor surfaces |
//! | [`ObjectMap::render`] | canonical → dialect response | vendor surfaces, emulators |
//!
//! Vendor constraints ([`Check`]) are evaluated on dialect values and reported either under the
//! canonical name (gateway) or under the vendor's own name and message (surfaces).

use super::codec::Codec;
use super::path::{FieldPath, Step};
use super::reader::{Gathered, ReadPlan, Reader};
use crate::canonical::{Field, OpKind};
use crate::problem::FieldError;
use serde_json::{Map, Value};

/// The canonical side of a rule: a named field or a key under `extensions`.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Field(&'static Field),
    Extension(String),
}

impl Target {
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

    fn get<'m>(&self, obj: &'m Map<String, Value>) -> Option<&'m Value> {
        match self {
            Target::Field(f) => obj.get(f.name),
            Target::Extension(k) => obj.get("extensions")?.get(k),
        }
    }

    fn set(&self, obj: &mut Map<String, Value>, value: Value) {
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

    fn nullable(&self) -> bool {
        match self {
            Target::Field(f) => f.nullable,
            Target::Extension(_) => true,
        }
    }

    fn is_secret(&self) -> bool {
        matches!(self, Target::Field(f) if f.access == crate::canonical::Access::WriteOnce)
    }
}

/// A vendor constraint on one dialect value.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    Required,
    Https,
    Url,
    /// At least this many characters: `1` is a vendor's "required" that also refuses `""`.
    MinLength(usize),
    MaxLength(usize),
    Items {
        min: Option<usize>,
        max: Option<usize>,
    },
    UniqueItems,
    OneOf(Vec<Value>),
    Range {
        min: Option<i64>,
        max: Option<i64>,
    },
}

impl Check {
    /// The key of this check in a rule's `messages` table.
    pub fn key(&self) -> &'static str {
        match self {
            Check::Required => "required",
            Check::Https => "https",
            Check::Url => "url",
            Check::MinLength(_) => "min_length",
            Check::MaxLength(_) => "max_length",
            Check::Items { .. } => "items",
            Check::UniqueItems => "unique_items",
            Check::OneOf(_) => "one_of",
            Check::Range { .. } => "range",
        }
    }

    /// The canonical message of a failed check, or `None` when `value` passes.
    fn test(&self, value: &Value, target: &Target) -> Option<String> {
        match self {
            Check::Required => None,
            Check::Https => {
                let s = value.as_str()?;
                (!s.get(..8)
                    .is_some_and(|p| p.eq_ignore_ascii_case("https://")))
                .then(|| "must use https".to_owned())
            }
            Check::Url => {
                let s = value.as_str()?;
                (!is_absolute_http_url(s)).then(|| "must be a valid URL".to_owned())
            }
            Check::MinLength(min) => {
                let len = value.as_str()?.chars().count();
                (len < *min).then(|| match min {
                    1 => "must not be empty".to_owned(),
                    _ => format!("must be at least {min} characters"),
                })
            }
            Check::MaxLength(max) => {
                let len = value.as_str()?.chars().count();
                (len > *max).then(|| format!("must be at most {max} characters"))
            }
            Check::Items { min, max } => {
                let len = value.as_array()?.len();
                let low = min.is_some_and(|m| len < m);
                let high = max.is_some_and(|m| len > m);
                (low || high).then(|| match (min, max) {
                    (Some(a), Some(b)) => format!("must contain between {a} and {b} items"),
                    (Some(a), None) => format!("must contain at least {a} items"),
                    (None, Some(b)) => format!("must contain at most {b} items"),
                    (None, None) => unreachable!("a bound failed"),
                })
            }
            Check::UniqueItems => {
                let items = value.as_array()?;
                let dup = items
                    .iter()
                    .enumerate()
                    .any(|(i, v)| items[..i].contains(v));
                dup.then(|| "must not contain duplicates".to_owned())
            }
            Check::OneOf(allowed) => {
                let bad = match value {
                    Value::Array(items) => items.iter().find(|v| !allowed.contains(v)),
                    other => (!allowed.contains(other)).then_some(other),
                }?;
                let shown = bad
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| bad.to_string());
                Some(if target.is("events") {
                    format!("unknown event: {shown}")
                } else {
                    let list: Vec<String> = allowed
                        .iter()
                        .map(|v| {
                            v.as_str()
                                .map(str::to_owned)
                                .unwrap_or_else(|| v.to_string())
                        })
                        .collect();
                    format!("must be one of: {}", list.join(", "))
                })
            }
            Check::Range { min, max } => {
                // Widened, so that an integer beyond i64 (JSON has no limit) is out of range
                // rather than unchecked.
                let n = value
                    .as_i64()
                    .map(i128::from)
                    .or_else(|| value.as_u64().map(i128::from))?;
                let out = min.is_some_and(|m| n < i128::from(m))
                    || max.is_some_and(|m| n > i128::from(m));
                out.then(|| match (min, max) {
                    (Some(a), Some(b)) => format!("must be between {a} and {b}"),
                    (Some(a), None) => format!("must be at least {a}"),
                    (None, Some(b)) => format!("must be at most {b}"),
                    (None, None) => unreachable!("a bound failed"),
                })
            }
        }
    }
}

fn is_absolute_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .or_else(|| {
            s.get(..8)
                .filter(|p| p.eq_ignore_ascii_case("https://"))
                .map(|_| &s[8..])
        })
        .or_else(|| {
            s.get(..7)
                .filter(|p| p.eq_ignore_ascii_case("http://"))
                .map(|_| &s[7..])
        });
    match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

/// Where a request rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ops {
    pub create: bool,
    pub update: bool,
}

/// One compiled field rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub target: Target,
    /// Absent for an `implied` rule.
    pub path: Option<FieldPath>,
    pub codec: Codec,
    pub request: bool,
    pub response: bool,
    pub ops: Ops,
    /// The vendor's value is always this; writes of it are accepted and not sent.
    pub implied: Option<Value>,
    pub fill: Option<(Value, Vec<(FieldPath, Value)>)>,
    /// What the vendor assumes when the field is absent on create.
    pub default: Option<Value>,
    /// The vendor reports `null` for an absent value.
    pub nullable: bool,
    pub error_field: String,
    pub checks: Vec<Check>,
    pub messages: Vec<(String, String)>,
    /// One webhook per owner may hold a given value (enforced by emulators).
    pub unique_per_owner: bool,
}

impl Rule {
    fn applies_to(&self, op: OpKind) -> bool {
        match op {
            OpKind::Create => self.ops.create,
            OpKind::Update => self.ops.update,
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
            (_, Target::Field(f)) if f.kind == crate::canonical::Kind::StringMap => {
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
}

/// A dialect-only value computed from the canonical webhook when rendering.
#[derive(Debug, Clone)]
pub enum Derivation {
    /// The number of items of a canonical array (an `events_count`).
    Count(String),
    /// `true` when a canonical field is present (a `secret_displayed_once` flag).
    Present(String),
}

#[derive(Debug, Clone)]
pub struct Derived {
    pub path: FieldPath,
    pub derivation: Derivation,
}

/// A constraint a dialect body broke: which rule, which check, and the canonical message.
#[derive(Debug, Clone)]
pub struct Violation<'r> {
    pub rule: &'r Rule,
    pub check: &'static str,
    pub message: String,
}

impl Violation<'_> {
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
pub struct Written {
    pub body: Value,
    pub dropped: Vec<String>,
}

/// The rules for one object shape (the webhook, or a test result), with what reading needs
/// compiled from them once: built by [`ObjectMap::new`].
#[derive(Debug, Clone)]
pub struct ObjectMap {
    pub rules: Vec<Rule>,
    pub derived: Vec<Derived>,
    /// The canonical field table of the shape, whose order canonical objects follow.
    pub fields: &'static [Field],
    /// Which dialect member each rule takes, and which members are the vendor's own.
    plan: ReadPlan,
    /// Rules whose value [`ObjectMap::read`] copies out before walking the dialect object: a
    /// path that goes through an array index, or that overlaps another rule's or derived path.
    copied: Vec<usize>,
    /// Rules with a path, in the order of the field table (extensions last, in file order).
    read_order: Vec<usize>,
}

impl ObjectMap {
    pub fn new(rules: Vec<Rule>, derived: Vec<Derived>, fields: &'static [Field]) -> ObjectMap {
        let paths: Vec<(&FieldPath, Option<usize>)> = rules
            .iter()
            .enumerate()
            .filter_map(|(i, r)| Some((r.path.as_ref()?, Some(i))))
            .chain(derived.iter().map(|d| (&d.path, None)))
            .collect();
        let mut plan = ReadPlan::default();
        let mut copied = Vec::new();
        for (n, (path, rule)) in paths.iter().enumerate() {
            let by_key = !path.is_root() && path.steps().iter().all(|s| matches!(s, Step::Key(_)));
            let alone = paths.iter().enumerate().all(|(m, (other, _))| {
                m == n || !(path.starts_with(other) || other.starts_with(path))
            });
            let taken = rule.filter(|_| by_key && alone);
            if let (Some(i), None) = (rule, taken) {
                copied.push(*i);
            }
            plan.insert(path.steps(), taken);
        }
        let mut read_order: Vec<usize> = (0..rules.len())
            .filter(|i| rules[*i].path.is_some())
            .collect();
        read_order.sort_by_key(|i| rules[*i].target.rank(fields));
        ObjectMap {
            rules,
            derived,
            fields,
            plan,
            copied,
            read_order,
        }
    }

    fn rule_for(&self, name: &str, op: OpKind) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.request && r.applies_to(op) && r.target.is(name))
    }

    fn rule_for_extension(&self, key: &str, op: OpKind) -> Option<&Rule> {
        self.rules.iter().find(|r| {
            r.request && r.applies_to(op) && matches!(&r.target, Target::Extension(k) if k == key)
        })
    }

    /// Whether `op` requests may carry canonical field `name`.
    pub fn carries(&self, name: &str, op: OpKind) -> bool {
        self.rule_for(name, op).is_some_and(|r| r.path.is_some())
    }

    /// Canonical request → dialect request. `patch` is a merge patch (update) or a full body
    /// (create). With `lenient`, fields the dialect cannot carry are dropped and listed.
    pub fn write(
        &self,
        op: OpKind,
        body: &Map<String, Value>,
        lenient: bool,
    ) -> Result<Written, WriteError> {
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
                // An implied value: writing the same value changes nothing at the vendor.
                if rule.implied.as_ref() != Some(value) {
                    unsupported.push(name());
                }
                return;
            };
            if value.is_null() && op == OpKind::Create {
                return;
            }
            if value.is_null() {
                match rule.clear_value() {
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
                        let rule = self.rule_for_extension(key, op);
                        attempt(rule, &|| format!("extensions.{key}"), v);
                    }
                }
            } else {
                attempt(self.rule_for(name, op), &|| name.clone(), value);
            }
        }
        if !invalid.is_empty() {
            return Err(WriteError::Invalid(invalid));
        }
        if !unsupported.is_empty() && !lenient {
            return Err(WriteError::Unsupported(unsupported));
        }
        if op == OpKind::Create {
            self.fill(&mut out);
        }
        Ok(Written {
            body: out,
            dropped: unsupported,
        })
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
    pub fn write_all(&self, op: OpKind, webhook: &Map<String, Value>) -> Value {
        let mut out = Value::Object(Map::new());
        for rule in self.rules.iter().filter(|r| r.request && r.applies_to(op)) {
            let (Some(path), Some(value)) = (&rule.path, rule.target.get(webhook)) else {
                continue;
            };
            if let Ok(v) = rule.codec.encode(value) {
                path.set(&mut out, v);
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
        let mut gathered = Gathered::new(self.rules.len());
        for &i in &self.copied {
            let path = self.rules[i].path.as_ref();
            gathered.found[i] = path.and_then(|p| p.get(&dialect)).cloned();
        }
        if let Value::Object(object) = dialect.take() {
            self.plan.walk(object, "", &mut gathered);
        }
        self.assemble(gathered)
    }

    /// Reads a dialect object while its JSON text is parsed, as [`ObjectMap::read_owned`]
    /// reads it once parsed; `None` where a rule needs the object whole (a path through an
    /// array index, or paths that overlap).
    pub fn reader(&self) -> Option<Reader<'_>> {
        (self.copied.is_empty() && !self.plan.whole).then_some(Reader { map: self })
    }

    pub(super) fn plan(&self) -> &ReadPlan {
        &self.plan
    }

    /// The canonical object from what was gathered, in the order of the field table.
    pub(super) fn assemble(&self, mut gathered: Gathered) -> Map<String, Value> {
        let mut out = Map::with_capacity(self.read_order.len() + 1);
        let mut extensions = Map::new();
        for &i in &self.read_order {
            let rule = &self.rules[i];
            let Some(value) = gathered.found[i].take() else {
                continue;
            };
            if rule.target.is_secret() && !rule.response {
                continue; // a write-only secret is never read back
            }
            let value = if value.is_null() && rule.codec != Codec::EmptyIsNull {
                if !rule.target.nullable() {
                    continue;
                }
                Value::Null
            } else {
                // A value the rule cannot decode is kept as the vendor sent it.
                rule.codec.decode_or_keep(value)
            };
            match &rule.target {
                Target::Field(f) => {
                    out.insert(f.name.to_owned(), value);
                }
                Target::Extension(k) => {
                    extensions.insert(k.clone(), value);
                }
            }
        }
        for (key, value) in gathered.leftovers {
            extensions.entry(key).or_insert(value);
        }
        if !extensions.is_empty() {
            // Last in every canonical field table.
            out.insert("extensions".to_owned(), Value::Object(extensions));
        }
        out
    }

    fn covered(&self) -> impl Iterator<Item = &FieldPath> {
        self.rules
            .iter()
            .filter_map(|r| r.path.as_ref())
            .chain(self.derived.iter().map(|d| &d.path))
    }

    /// Where a vendor member kept under `extensions` by [`ObjectMap::read`] came from: the
    /// inverse of [`Self::collect_leftovers`], which names a member inside a container that rules
    /// reach into by the container's dotted path and the member's own key. The longest such
    /// container prefix is split off and the rest is one key: a vendor's member name (`tags[0]`,
    /// say) is a name, never a JSONPath to evaluate, so it cannot make up array indexes.
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

    /// Canonical → dialect response, as the vendor would answer.
    pub fn render(&self, canonical: &Map<String, Value>) -> Value {
        let mut out = Value::Object(Map::with_capacity(self.rules.len() + self.derived.len()));
        let mut put = |rule: &Rule, value: &Value| {
            let Some(path) = &rule.path else { return };
            match value {
                Value::Null if rule.nullable => path.set(&mut out, Value::Null),
                Value::Null => {}
                // A value the rule cannot encode (another dialect's id, say) is kept as is.
                value => path.set(
                    &mut out,
                    rule.codec.encode(value).unwrap_or_else(|_| value.clone()),
                ),
            }
        };
        // One pass over the canonical members, each to where its rule puts it.
        for (name, value) in canonical {
            if name == "extensions" {
                for (key, value) in value.as_object().into_iter().flatten() {
                    let rule =
                        self.response_rule(|t| matches!(t, Target::Extension(k) if k == key));
                    if let Some(rule) = rule {
                        put(rule, value);
                    }
                }
            } else if let Some(rule) =
                self.response_rule(|t| matches!(t, Target::Field(f) if f.name == name))
            {
                put(rule, value);
            }
        }
        // A member the vendor reports as `null` when it has no value.
        for rule in self.rules.iter().filter(|r| r.response && r.nullable) {
            if let (Some(path), None) = (&rule.path, rule.target.get(canonical)) {
                path.set(&mut out, Value::Null);
            }
        }
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
                derived.path.set(&mut out, value);
            }
        }
        if let Some(Value::Object(ext)) = canonical.get("extensions") {
            for (key, value) in ext {
                if !self.names_extension(key) {
                    self.leftover_path(key).set(&mut out, value.clone());
                }
            }
        }
        out
    }

    /// The rule that renders a canonical member into vendor answers.
    fn response_rule(&self, is: impl Fn(&Target) -> bool) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.response && r.path.is_some() && is(&r.target))
    }

    /// Dialect request → canonical request, for a vendor surface. Values the rules cannot
    /// decode are reported under canonical names (a surface renders them in its own).
    pub fn parse(
        &self,
        op: OpKind,
        dialect: &Value,
    ) -> Result<Map<String, Value>, Vec<FieldError>> {
        let mut out = Map::new();
        let mut errors = Vec::new();
        for rule in self.rules.iter().filter(|r| r.request) {
            let Some(path) = &rule.path else { continue };
            let Some(value) = path.get(dialect) else {
                continue;
            };
            if !rule.applies_to(op) {
                // A field the vendor takes on one operation only (an immutable version, say) is
                // refused on the other, never ignored.
                let message = match op {
                    OpKind::Update => "cannot be changed after create",
                    _ => "can only be set on update",
                };
                errors.push(FieldError::new(rule.target.name(), message));
                continue;
            }
            if value.is_null() && rule.codec != Codec::EmptyIsNull {
                if op == OpKind::Update {
                    rule.target.set(&mut out, Value::Null);
                }
                continue;
            }
            match rule.codec.decode(value) {
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

    /// The vendor's constraints, evaluated on a dialect request body.
    pub fn check(&self, op: OpKind, dialect: &Value) -> Vec<Violation<'_>> {
        let mut out = Vec::new();
        for rule in self.rules.iter().filter(|r| r.request && r.applies_to(op)) {
            let Some(path) = &rule.path else { continue };
            let value = path.get(dialect);
            for check in &rule.checks {
                let message = match (check, value) {
                    (Check::Required, None | Some(Value::Null)) if op == OpKind::Create => {
                        Some("is required".to_owned())
                    }
                    (_, Some(v)) if !v.is_null() => check.test(v, &rule.target),
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

    /// The canonical name of a vendor field named in a vendor error (`webhook_url` → `url`);
    /// a vendor field no rule names exactly (a container such as `webhook_config`) keeps its
    /// vendor name under `extensions.`.
    pub fn canonical_name(&self, vendor_field: &str) -> String {
        self.rules
            .iter()
            .find(|r| r.path.as_ref().is_some_and(|p| p.is_spelled(vendor_field)))
            .map(|r| r.target.name())
            .unwrap_or_else(|| format!("extensions.{vendor_field}"))
    }

    /// The vendor's name of a canonical field, for errors rendered in the vendor's shape.
    pub fn vendor_name(&self, canonical_field: &str) -> String {
        self.rules
            .iter()
            .find(|r| r.target.name() == canonical_field && r.path.is_some())
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::Dialect;
    use serde_json::json;
    use std::path::Path;

    fn ext(name: &str) -> Target {
        Target::Extension(name.to_owned())
    }

    #[test]
    fn ranges_hold_for_integers_beyond_i64() {
        let range = Check::Range {
            min: Some(5),
            max: Some(120),
        };
        assert_eq!(range.test(&json!(30), &ext("timeout_seconds")), None);
        assert_eq!(
            range
                .test(&json!(u64::MAX), &ext("timeout_seconds"))
                .as_deref(),
            Some("must be between 5 and 120")
        );
        assert_eq!(
            range
                .test(&json!(i64::MIN), &ext("timeout_seconds"))
                .as_deref(),
            Some("must be between 5 and 120")
        );
    }

    #[test]
    fn min_length_counts_characters() {
        assert_eq!(
            Check::MinLength(1)
                .test(&json!(""), &ext("description"))
                .as_deref(),
            Some("must not be empty")
        );
        assert_eq!(
            Check::MinLength(1).test(&json!("é"), &ext("description")),
            None
        );
        assert_eq!(
            Check::MinLength(3)
                .test(&json!("ab"), &ext("description"))
                .as_deref(),
            Some("must be at least 3 characters")
        );
    }

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
    fn reads_while_parsing_as_it_reads_parsed() {
        use crate::http::json::from_slice_lenient_at;
        use crate::mapping::reader::Item;
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
            let (_, item) = from_slice_lenient_at(text.as_bytes(), &[], reader).unwrap();
            match item.unwrap() {
                Item::Read(read) => assert_eq!(
                    serde_json::to_string(&read).unwrap(),
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
}
