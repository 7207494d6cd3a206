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
        // The items of a list no rule reads (`urls`, of which `url` is `urls[0]`) are the
        // caller's: kept beside the field (`ObjectMap::keep_lists`) or refused by name
        // (`ObjectMap::items_unread`), as the webhooks behind can hold them or not.
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
                    // A list sent empty or `null` where the rule reads an item of it: the
                    // field cleared, as a `null` item would be, not left as it was.
                    None if emptied_list(rule, dialect) => Cow::Owned(Value::Null),
                    None => continue,
                },
            };
            // A constant the vendor requires and only requests carry (a `fill`): the client
            // sending it says nothing more, and nothing is kept of it.
            if !rule.response && rule.constant() == Some(&*value) {
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

    /// The members of a client's request body that no rule names, by their place in it
    /// (`webhook_config.yyy`): an object that holds rules' places (`webhook_config`, where a
    /// rule reads `webhook_config.url`) is looked into, a member a rule reads whole (or one
    /// only answers hold, or a derived value's) is named.
    pub fn unnamed_members(&self, dialect: &Map<String, Value>) -> Vec<FieldPath> {
        let places: Vec<&FieldPath> = (self.rules.iter())
            .flat_map(Rule::places)
            .chain(self.derived.iter().map(|d| &d.path))
            .collect();
        let mut out = Vec::new();
        unnamed_within(&places, &FieldPath::default(), dialect, &mut out);
        out
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
    let Some(item) = &rule.list_item else {
        return false;
    };
    match item.list.get(dialect) {
        Some(Value::Null) => true,
        Some(Value::Array(items)) => items.len() <= item.index,
        _ => false,
    }
}

/// The members of `object` (at `at`) that lie at none of `places`, nor hold one, nor lie in
/// one; an object that holds one is looked into.
fn unnamed_within(
    places: &[&FieldPath],
    at: &FieldPath,
    object: &Map<String, Value>,
    out: &mut Vec<FieldPath>,
) {
    for (key, member) in object {
        let path = at.clone().child(Step::Key(key.clone()));
        if places.iter().any(|p| path.starts_with(p)) {
            continue;
        }
        if !places.iter().any(|p| p.starts_with(&path)) {
            out.push(path);
        } else if let Value::Object(inner) = member {
            unnamed_within(places, &path, inner, out);
        }
    }
}
