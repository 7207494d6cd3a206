//! The parse direction: a vendor client's request body into a canonical one, for surfaces and
//! emulators, with what a full replacement's absent members mean.

use super::{ObjectMap, Rule};
use crate::mapping::codec::Codec;
use crate::mapping::flags::{Flags, Given};
use crate::mapping::json_path::{FieldPath, Step};
use crate::model::Action;
use crate::problem::FieldError;
use serde_json::{Map, Value};
use std::borrow::Cow;

impl ObjectMap {
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
        // An update's other items are the webhook's as it holds them (an emulator keeps
        // them beside the field, and the gateway sends them back so); a create's would be lost.
        let mut errors = match action {
            Action::Create => self.items_unread(dialect),
            _ => Vec::new(),
        };
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
                    // A list sent empty or `null` where the rule reads an item of it: the
                    // field cleared, as a `null` item would be, not left as it was.
                    None if emptied_list(rule, dialect) => Cow::Owned(Value::Null),
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
            if value.is_null() && !matches!(rule.codec, Codec::EmptyIsNull) {
                if action == Action::Update {
                    rule.target.set(&mut out, Value::Null);
                }
                continue;
            }
            match rule.codec.decode(&value) {
                Ok(v) => rule.target.set(&mut out, v),
                Err(e) => {
                    let name = rule.target.name();
                    let message = e.of(&name);
                    errors.push(FieldError::new(name, message));
                }
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }

    /// A client's list of which the rules read some items only (`urls`, of which `url` is
    /// `urls[0]`), holding others: refused under the field of its first rule rather than
    /// taken without them, since nothing would keep the others (a create's, and an update's
    /// sent to webhooks of another vendor, which hold no such list).
    pub fn items_unread(&self, dialect: &Value) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut seen: Vec<FieldPath> = Vec::new();
        for rule in self.rules.iter().filter(|r| r.request) {
            let Some(path) = &rule.path else { continue };
            let Some(at) = path
                .steps()
                .iter()
                .position(|s| matches!(s, Step::Index(_)))
            else {
                continue;
            };
            let list = FieldPath::of_steps(path.steps()[..at].to_vec());
            if seen.contains(&list) {
                continue;
            }
            let Some(Value::Array(items)) = list.get(dialect) else {
                continue;
            };
            let read: Vec<usize> = (self.rules.iter())
                .filter(|r| r.request)
                .filter_map(|r| r.path.as_ref())
                .filter(|p| p.starts_with(&list))
                .filter_map(|p| match p.steps().get(at) {
                    Some(Step::Index(i)) => Some(*i),
                    _ => None,
                })
                .collect();
            let unread =
                (items.iter().enumerate()).any(|(i, item)| !item.is_null() && !read.contains(&i));
            if unread {
                errors.push(FieldError::new(
                    rule.target.name(),
                    format!(
                        "`{list}` holds {} values, and only the one at `{path}` can be kept: send that one alone",
                        items.len()
                    ),
                ));
            }
            seen.push(list);
        }
        errors
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
        let given = flags
            .given(dialect)
            .map_err(|why| FieldError::new(rule.target.name(), why))?;
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
}

/// Whether a client's body holds, where `rule` reads an item of a list (`urls[0]`), that list
/// as `null` or without that item (`[]`).
fn emptied_list(rule: &Rule, dialect: &Value) -> bool {
    let Some(path) = &rule.path else {
        return false;
    };
    let steps = path.steps();
    let Some(at) = steps.iter().position(|s| matches!(s, Step::Index(_))) else {
        return false;
    };
    let Step::Index(i) = steps[at] else {
        return false;
    };
    match FieldPath::of_steps(steps[..at].to_vec()).get(dialect) {
        Some(Value::Null) => true,
        Some(Value::Array(items)) => items.len() <= i,
        _ => false,
    }
}
