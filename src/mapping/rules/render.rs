//! The render direction: a canonical webhook as the vendor would answer with it, a value the
//! dialect cannot spell refused under its canonical name.

use super::{Condition, Derivation, ObjectMap, Rule, Target};
use crate::mapping::codec::Codec;
use crate::mapping::json_path::FieldPath;
use crate::model::stamp::with_micros;
use crate::problem::FieldError;
use serde_json::{Map, Value};
use std::borrow::Cow;

impl ObjectMap {
    /// Canonical → dialect response, as the vendor would answer. A value this dialect cannot
    /// spell (two events where it holds one, say) is refused under its canonical name: a client
    /// never gets a value of a type its vendor does not document. An id or owner of another
    /// dialect is shown as it is.
    pub fn render(&self, canonical: &Map<String, Value>) -> Result<Value, Vec<FieldError>> {
        // What the vendor never shows is not shown here, whatever webhook stands behind.
        let withheld = self.withheld(canonical);
        let canonical = withheld.as_ref().unwrap_or(canonical);
        let mut out = Value::Object(Map::with_capacity(self.rules.len() + self.derived.len()));
        let mut refused = Vec::new();
        // A vendor's member that holds what a rule reads part of (`urls`, of which a rule
        // reads `urls[0]`) is written first, and the rule's value over its part: the member
        // keeps its other items, and a change of the rule's field shows. Any other is written
        // last, where it may stand for a value the rule could not read.
        let leftovers = self.leftovers(canonical);
        let holds_rule = |path: &FieldPath| {
            self.rules.iter().any(|r| {
                r.response
                    && r.path
                        .as_ref()
                        .is_some_and(|p| p.starts_with(path) && p != path)
            })
        };
        for (path, value) in leftovers.iter().filter(|(path, _)| holds_rule(path)) {
            path.set(&mut out, (*value).clone());
        }
        // A member shown for none only where its conditions hold (`fill_when`), which are of
        // the answer: written once the rest of it is.
        let mut conditional = Vec::new();
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
            let value = rule.target.get(canonical);
            if Self::shown_for_none_when(rule).is_some() && value.is_none_or(Value::is_null) {
                conditional.push(rule);
                continue;
            }
            let timed = self.time_as_written(rule, value);
            match Self::rendered(rule, timed.as_ref().or(value)) {
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
        self.render_switch_and_health(canonical, &mut out, &mut refused);
        // A value the vendor implies (its webhooks always on, always delivered by POST): a
        // webhook that is otherwise (one kept by another vendor behind a surface) cannot be
        // shown as this vendor's without saying what it is not.
        for rule in self.rules.iter().filter(|r| !r.is_placed()) {
            let held = rule.target.get(canonical).filter(|v| !v.is_null());
            if let (Some(implied), Some(value)) = (&rule.implied, held)
                && value != implied
            {
                refused.push(FieldError::new(
                    rule.target.name(),
                    format!("is {value}, and this API's webhooks are always {implied}"),
                ));
            }
        }
        for rule in conditional {
            let Some((shown, when)) = Self::shown_for_none_when(rule) else {
                continue;
            };
            if when.iter().all(|c| c.holds(&out))
                && let Err(e) = rule.put(&mut out, shown.clone())
            {
                refused.push(FieldError::new(rule.target.name(), e));
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
        for (path, value) in leftovers.into_iter().filter(|(path, _)| !holds_rule(path)) {
            path.set(&mut out, value.clone());
        }
        if refused.is_empty() {
            Ok(out)
        } else {
            Err(refused)
        }
    }

    /// The one vendor member that says both `enabled` and `status` (Nylas's `status`), where
    /// the webhook has both: the word the status is spelt by where it says the webhook's
    /// `enabled` too (`failing` of a webhook that is on), else another word the vendor reads
    /// as both (`failed` of one that is off). A webhook of which no word says both (failing
    /// and off, where the vendor has no word for it) is refused by name rather than shown on
    /// or off otherwise than it is. Either alone is written as its own rule writes it.
    fn render_switch_and_health(
        &self,
        canonical: &Map<String, Value>,
        out: &mut Value,
        refused: &mut Vec<FieldError>,
    ) {
        let Some((e, s)) = self.switch_and_health else {
            return;
        };
        let (switch, health) = (&self.rules[e], &self.rules[s]);
        let (Some(on), Some(status), Some(path)) = (
            canonical.get("enabled").and_then(Value::as_bool),
            canonical.get("status").filter(|v| !v.is_null()),
            &health.path,
        ) else {
            return;
        };
        let Codec::Map { forward, .. } = &health.codec else {
            return;
        };
        let says_both = |word: &Value| {
            health.codec.decode(word).ok().as_ref() == Some(status)
                && switch.codec.decode(word).ok() == Some(Value::Bool(on))
        };
        let spelt = health.codec.encode(status).ok().filter(says_both);
        match spelt.or_else(|| forward.iter().map(|(w, _)| w).find(|w| says_both(w)).cloned()) {
            Some(word) => {
                // A word found past the status's own spelling says it after all.
                refused.retain(|e| e.field != "status");
                path.set(out, word);
            }
            None if refused.iter().any(|e| e.field == "status") => {}
            None => refused.push(FieldError::new(
                "status",
                format!(
                    "is {status} while `enabled` is {on}, which this API's `{path}` cannot say at once"
                ),
            )),
        }
    }

    /// The canonical object as this vendor shows it, where it hides some header values
    /// (`hidden`): each hidden entry left out or masked, and its name listed where the vendor
    /// lists them, after the names already listed (those a vendor behind hid). `None` where
    /// nothing is hidden.
    fn withheld(&self, canonical: &Map<String, Value>) -> Option<Map<String, Value>> {
        let mut out: Option<Map<String, Value>> = None;
        for rule in &self.rules {
            let Some(hidden) = &rule.hidden else { continue };
            let Some(Value::Object(map)) = rule.target.get(canonical) else {
                continue;
            };
            let (mut shown, mut names) = (Map::new(), Vec::new());
            for (name, value) in map {
                match &hidden.shown_as {
                    _ if !hidden.hides(name) => {
                        shown.insert(name.clone(), value.clone());
                    }
                    Some(mask) => {
                        shown.insert(name.clone(), Value::from(mask.as_str()));
                    }
                    None => {}
                }
                if hidden.hides(name) {
                    names.push(name.clone());
                }
            }
            if names.is_empty() {
                continue;
            }
            let object = out.get_or_insert_with(|| canonical.clone());
            rule.target.set(object, Value::Object(shown));
            if let Some(listed) = &hidden.listed_in {
                let mut all = listed_names(listed.get(object));
                for name in names {
                    if !all.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
                        all.push(name);
                    }
                }
                listed.set(object, Value::from(all));
            }
        }
        out
    }

    /// Canonical fields this vendor took, as its answers show them after: only those its
    /// answers give back (one only its requests carry, a write-only flag, is never shown), each
    /// value it hides withheld and listed as [`ObjectMap::render`] withholds it. What a write
    /// that answers nothing is known to have left, without a value only its request carried.
    pub fn as_answered(&self, taken: &Map<String, Value>) -> Map<String, Value> {
        let withheld = self.withheld(taken);
        let taken = withheld.as_ref().unwrap_or(taken);
        let mut shown = Map::new();
        for rule in self.rules.iter().filter(|r| r.response) {
            if let Some(value) = rule.target.get(taken) {
                rule.target.set(&mut shown, value.clone());
            }
        }
        shown
    }

    /// The names an object lists as hidden (`hidden`'s `listed_in`) as `change` leaves them:
    /// those it removes dropped (each entry of the map it names `null`, or every one where it
    /// clears the map whole), and those it sets under another letter case spelt as it sets
    /// them, which is the spelling the vendor then holds. The vendor lists only the entries it
    /// holds, as it holds them.
    pub fn relist_changed(&self, object: &mut Map<String, Value>, change: &Map<String, Value>) {
        for rule in &self.rules {
            let Some(listed) = rule.hidden.as_ref().and_then(|h| h.listed_in.as_ref()) else {
                continue;
            };
            let changed = rule.target.get(change);
            let removed = |name: &str| match changed {
                Some(Value::Null) => true,
                Some(Value::Object(map)) => (map.iter())
                    .any(|(key, value)| value.is_null() && key.eq_ignore_ascii_case(name)),
                _ => false,
            };
            let respelt = |name: &str| match changed {
                Some(Value::Object(map)) => (map.iter())
                    .find(|(key, value)| !value.is_null() && key.eq_ignore_ascii_case(name))
                    .map(|(key, _)| key.clone()),
                _ => None,
            };
            let Some(held) = listed.get(object) else {
                continue;
            };
            let before = listed_names(Some(held));
            let names: Vec<String> = (before.iter())
                .filter(|name| !removed(name))
                .map(|name| respelt(name).unwrap_or_else(|| name.clone()))
                .collect();
            if names != before {
                listed.set(object, Value::from(names));
            }
        }
    }

    /// Takes out of a canonical object read from this vendor the values it masks (`hidden`'s
    /// `shown_as`), which are no values: their names are listed where the vendor lists hidden
    /// ones, so that what reads them knows the headers are there.
    pub fn unmask(&self, canonical: &mut Map<String, Value>) {
        for rule in &self.rules {
            let Some(hidden) = &rule.hidden else { continue };
            let Some(mask) = &hidden.shown_as else {
                continue;
            };
            let Some(Value::Object(map)) = rule.target.get(canonical) else {
                continue;
            };
            let masked: Vec<String> = (map.iter())
                .filter(|(name, value)| hidden.hides(name) && value.as_str() == Some(mask))
                .map(|(name, _)| name.clone())
                .collect();
            if masked.is_empty() {
                continue;
            }
            let mut map = map.clone();
            map.retain(|name, _| !masked.contains(name));
            rule.target.set(canonical, Value::Object(map));
            if let Some(listed) = &hidden.listed_in {
                let mut all = listed_names(listed.get(canonical));
                for name in masked {
                    if !all.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
                        all.push(name);
                    }
                }
                listed.set(canonical, Value::from(all));
            }
        }
    }

    /// A canonical object read from this vendor with each header it lists as hidden (`hidden`'s
    /// `listed_in`) put back in its map, valued `{}`, which no header's value is: a merge into
    /// it removes such a header by the name the vendor holds it by, and a merge patch computed
    /// from it leaves one it does not name as it is. `None` where nothing is listed.
    pub fn with_hidden_held(&self, read: &Map<String, Value>) -> Option<Map<String, Value>> {
        let mut out: Option<Map<String, Value>> = None;
        for rule in &self.rules {
            let Some(listed) = rule.hidden.as_ref().and_then(|h| h.listed_in.as_ref()) else {
                continue;
            };
            let names = listed_names(listed.get(read));
            if names.is_empty() {
                continue;
            }
            let object = out.get_or_insert_with(|| read.clone());
            let mut map = match rule.target.get(object) {
                Some(Value::Object(map)) => map.clone(),
                _ => Map::new(),
            };
            for name in names {
                if !map.keys().any(|k| k.eq_ignore_ascii_case(&name)) {
                    map.insert(name, Value::Object(Map::new()));
                }
            }
            rule.target.set(object, Value::Object(map));
        }
        out
    }

    /// Whether `rule` reads where this vendor lists the headers it hides (`hidden`'s
    /// `listed_in`): a member whose value the headers held say.
    pub fn lists_hidden(&self, rule: &Rule) -> bool {
        (self.rules.iter())
            .filter_map(|r| r.hidden.as_ref()?.listed_in.as_ref())
            .any(|listed| *listed == rule.target)
    }

    /// The names of the headers this vendor hides that a canonical object read from it lists
    /// (`hidden`'s `listed_in`): headers it holds whose values no read shows.
    pub fn hidden_names(&self, canonical: &Map<String, Value>) -> Vec<String> {
        (self.rules.iter())
            .filter_map(|r| r.hidden.as_ref()?.listed_in.as_ref())
            .flat_map(|listed| listed_names(listed.get(canonical)))
            .collect()
    }

    /// What a rule shows for no value, and the conditions of the answer under which it does:
    /// a `render_default` beside `fill_when` (a vendor answering `assignments: []` for a
    /// `pre_call` webhook without any, and nothing for a `post_call` one).
    fn shown_for_none_when(rule: &Rule) -> Option<(&Value, &[Condition])> {
        let shown = rule.render_default.as_ref()?;
        (!rule.when.is_empty()).then_some((shown, rule.when.as_slice()))
    }

    /// The vendor's own members a canonical object keeps under `extensions`, each with the
    /// place it came from.
    fn leftovers<'c>(&self, canonical: &'c Map<String, Value>) -> Vec<(FieldPath, &'c Value)> {
        match canonical.get("extensions") {
            Some(Value::Object(ext)) => ext
                .iter()
                .filter(|(key, _)| !self.names_extension(key))
                .map(|(key, value)| (self.leftover_path(key), value))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// A canonical time as this vendor writes it, where it writes it otherwise: with six
    /// fractional digits (`…:51Z` as `…:51.000000Z`), whatever precision the vendor behind gave
    /// it. A finer time is written as it is: cut, it would lose what the vendor behind said.
    fn time_as_written(&self, rule: &Rule, value: Option<&Value>) -> Option<Value> {
        let timed = matches!(rule.target, Target::Field(f) if f.time);
        match value {
            Some(Value::String(text))
                if self.micros && timed && matches!(rule.codec, Codec::Identity) =>
            {
                match with_micros(text) {
                    Cow::Owned(text) => Some(Value::String(text)),
                    Cow::Borrowed(_) => None,
                }
            }
            _ => None,
        }
    }

    /// What one rule renders of a canonical value (`None`: the member is left out), or why
    /// the value cannot be shown in this dialect. A missing or null value takes the rule's
    /// render default, or `null` where the dialect allows it; a dialect that always answers
    /// the member refuses to leave it out.
    fn rendered(rule: &Rule, value: Option<&Value>) -> Result<Option<Value>, FieldError> {
        Ok(match value {
            Some(Value::Null) if rule.nullable => Some(Value::Null),
            Some(Value::Null) if matches!(rule.codec, Codec::EmptyIsNull) => {
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
            Some(value) => match rule.codec.render(value) {
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
                    let present = match field.strip_prefix("extensions.") {
                        Some(name) => (canonical.get("extensions"))
                            .and_then(|e| e.get(name))
                            .is_some_and(|v| !v.is_null()),
                        None => canonical.contains_key(field),
                    };
                    present.then_some(Value::Bool(true))
                }
            };
            if let Some(value) = value {
                derived.path.set(out, value);
            }
        }
    }
}

/// The names a list of hidden header names holds (strings; anything else is none).
fn listed_names(list: Option<&Value>) -> Vec<String> {
    list.and_then(Value::as_array)
        .map(|names| {
            (names.iter())
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}
