//! The write direction: a canonical request body into the dialect's, each rule writing its
//! field where the vendor keeps it (flags switched one by one, values the vendor requires
//! filled in), or the fields it cannot carry refused.

use super::{ObjectMap, Rule, Translated, WriteError};
use crate::mapping::checks::Check;
use crate::mapping::flags::Flags;
use crate::mapping::json_path::FieldPath;
use crate::model::Action;
use crate::problem::FieldError;
use serde_json::{Map, Value};

impl ObjectMap {
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
                // A member of the vendor's own that it answers and never takes is the client's
                // to read, not to write, whatever lenient handling drops: refused as a
                // read-only field of the canonical table is.
                let name = name();
                match self.answers_only_extension(&name) {
                    true => invalid.push(FieldError::new(name, "is read-only")),
                    false => unsupported.push(name),
                }
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
                    // A required member is refused as a blank one is, whatever clearing is: sent,
                    // it is not missing, and the refusal says what is wrong with it.
                    _ if rule.checks.contains(&Check::Required) => invalid.push(FieldError::new(
                        name(),
                        "cannot be cleared: the upstream requires it",
                    )),
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
            self.fill(&mut out, |_| true);
        }
        Ok(Translated {
            body: out,
            dropped: unsupported,
        })
    }

    /// Whether a vendor's own member at `path` is one its answers give and its requests do not
    /// take: it lies inside a place requests spell otherwise (`spelt`, the `write_as` paths).
    /// Answers give `resource` as an object and requests send `resource` as the gid:
    /// `resource.name`, sent back, would make `resource` an object again, which the vendor
    /// does not take, and is left out. (A member at the place itself is the vendor's value
    /// there, as a rule could not read it, and goes back as it came.)
    fn answered_only(path: &FieldPath, spelt: &[&FieldPath]) -> bool {
        spelt.iter().any(|s| path.starts_with(s) && path != *s)
    }

    /// The vendor members a whole webhook sent back leaves out: each outermost member that
    /// holds the place of a field only answers carry (an id at `sys.id`, an owner at
    /// `sys.space.sys.id`) and that no request rule writes, at, inside or around it (`sys`).
    /// Sent back without that place, such a member would be one the vendor never wrote (a link
    /// without the id it links to); it is the vendor's to keep, and goes whole or not at all.
    /// A member a request rule writes into is sent back, only the place itself cut.
    fn answers_own(&self) -> Vec<FieldPath> {
        let writes = |at: &FieldPath| {
            (self.rules.iter().filter(|r| r.request))
                .flat_map(Rule::places)
                .any(|w| w.starts_with(at) || at.starts_with(w))
        };
        let mut out: Vec<FieldPath> = Vec::new();
        let answered = (self.rules.iter())
            .filter(|r| r.response && !r.request)
            // A field requests write elsewhere (`write_as`) is one the vendor takes.
            .filter(|r| !self.rules.iter().any(|w| w.request && w.target == r.target))
            .filter_map(|r| r.path.as_ref());
        for place in answered {
            let steps = place.steps();
            let outermost = (1..=steps.len())
                .map(|n| FieldPath::of_steps(steps[..n].to_vec()))
                .find(|member| !writes(member));
            if let Some(member) = outermost
                && !out.contains(&member)
            {
                out.push(member);
            }
        }
        out
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

    /// Adds the values the vendor requires but the canonical model leaves out (one-way), of the
    /// rules `which` picks.
    fn fill(&self, out: &mut Value, which: impl Fn(&Rule) -> bool) {
        for rule in self.rules.iter().filter(|r| which(r)) {
            let (Some(path), Some(value)) = (&rule.path, &rule.fill) else {
                continue;
            };
            let applies = rule.when.iter().all(|c| c.holds(out));
            if applies && path.get(out).is_none() {
                path.set(out, value.clone());
            }
        }
    }

    /// Translates a whole canonical webhook (as read back) for a read-merge-write: fields the
    /// dialect does not write are skipped, unnamed extensions return to where they came from
    /// (unless requests spell that place otherwise: `ObjectMap::answered_only`), and the
    /// values the vendor requires that its answers never give back (a request-only rule's
    /// `fill`) are filled in, as on a create: a vendor that takes the whole webhook requires
    /// them on each write. A fill of a rule that is read too is not: the webhook read holds its
    /// value, or the change cleared it.
    pub fn write_all(&self, action: Action, webhook: &Map<String, Value>) -> Value {
        let mut out = Value::Object(Map::new());
        // The vendor's own members first: a rule's value, set after, wins where the two meet
        // (a value the rule could not read, kept at the rule's own path, which the change
        // gives the field a value for).
        if let Some(Value::Object(ext)) = webhook.get("extensions") {
            let spelt: Vec<&FieldPath> = self
                .request_spellings()
                .filter_map(|r| r.path.as_ref())
                .collect();
            let unsent = self.answers_own();
            for (key, value) in ext {
                if self.names_extension(key) {
                    continue;
                }
                let path = self.leftover_path(key);
                let left_out = unsent.iter().any(|m| path.starts_with(m));
                if !left_out && !Self::answered_only(&path, &spelt) {
                    path.set(&mut out, value.clone());
                }
            }
        }
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
        self.fill(&mut out, |r| !r.response);
        out
    }
}
