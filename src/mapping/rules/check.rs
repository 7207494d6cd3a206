//! The vendor's constraints, evaluated on a dialect body: each failure a [`Violation`] named by
//! its rule and check, in canonical or the vendor's own words.

use super::{ObjectMap, Rule};
use crate::mapping::checks::{Check, JsonType};
use crate::mapping::codec::Codec;
use crate::mapping::flags::{Flags, Given};
use crate::mapping::json_path::{FieldPath, Step};
use crate::model::Action;
use crate::problem::FieldError;
use serde_json::Value;

/// The key in a rule's `messages` of the words for a required member sent `null` where that
/// clears it (an update's), and for one sent blank (`""`, whitespace): the member was sent, so
/// its `required` words, which say it is missing, are not the vendor's for these.
pub const CLEARED: &str = "cleared";
/// See [`CLEARED`].
pub const EMPTY: &str = "empty";

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

impl ObjectMap {
    /// The vendor's constraints, evaluated on a dialect request body.
    pub fn check(&self, action: Action, dialect: &Value) -> Vec<Violation<'_>> {
        self.check_members(action, action == Action::Create, false, dialect)
    }

    /// The vendor's constraints on a merge into an object (a resource's PATCH): its members
    /// are required as in [`ObjectMap::check_whole`], and a `null` inside a member's map
    /// removes that entry, so it passes the `values` check (as in [`ObjectMap::check_patch`]).
    pub fn check_merge(&self, action: Action, dialect: &Value) -> Vec<Violation<'_>> {
        self.check_members(action, true, true, dialect)
    }

    /// The vendor's constraints on an RFC 7396 merge patch of the webhook (an update at a
    /// vendor of `strategy = "merge_patch"`, whether a surface's client wrote it or hookgate
    /// did): as [`ObjectMap::check`], and a `null` removes what it names, an entry of a
    /// member's map or a member itself, so it is no value of the wrong type (a member it is
    /// required is still refused).
    pub fn check_patch(&self, action: Action, dialect: &Value) -> Vec<Violation<'_>> {
        self.check_members(action, false, true, dialect)
    }

    /// The vendor's constraints on a body that is the whole object, as a create's is: a full
    /// replacement (PUT) or a resource's write body, where a required member left out is
    /// refused, not kept from before.
    pub fn check_whole(&self, action: Action, dialect: &Value) -> Vec<Violation<'_>> {
        self.check_members(action, true, false, dialect)
    }

    /// The fields a client's request gives at a rule's path and at an alias of it (or at two
    /// aliases) with different values: one would be taken and the other dropped unseen, so
    /// each is refused, naming both members. The same value in both is one value.
    pub fn aliases_disagree(&self, action: Action, body: &Value) -> Vec<FieldError> {
        let rules = (self.rules.iter())
            .filter(|r| r.request && r.applies_to(action) && !r.aliases.is_empty());
        let mut out = Vec::new();
        for rule in rules {
            let given = rule.path.iter().chain(&rule.aliases);
            let mut given = given.filter_map(|p| Some((p, p.get(body)?)));
            let Some((first, value)) = given.next() else {
                continue;
            };
            let Some((other, differs)) = given.find(|(_, v)| *v != value) else {
                continue;
            };
            let message = if rule.target.is_secret() {
                format!("`{first}` and `{other}` differ")
            } else {
                format!("`{first}` is {value} and `{other}` is {differs}")
            };
            out.push(FieldError::new(
                rule.target.name(),
                format!(
                    "{message}: both name one field; send one of them, or the same value in both"
                ),
            ));
        }
        out
    }

    /// The fields a client's request gives under an alias alone (`filterTypes` for
    /// `eventTypes`), each with the alias's dotted name: errors about them name the member as
    /// the client sent it. Fields named as the vendor reports their errors otherwise
    /// (`error_field`) keep that name.
    pub fn spelt_as(&self, body: &Value) -> Vec<(String, String)> {
        let rules = (self.rules.iter()).filter(|r| r.request && !r.aliases.is_empty());
        let mut out = Vec::new();
        for rule in rules {
            let Some(path) = &rule.path else { continue };
            if path.get(body).is_some() || rule.error_field != path.to_string() {
                continue;
            }
            if let Some(alias) = rule.aliases.iter().find(|a| a.get(body).is_some()) {
                out.push((rule.target.name(), alias.to_string()));
            }
        }
        out
    }

    /// The places in a request body that hold a value of the wrong kind where the rules read
    /// members inside them (`"webhook_config": "x"` where `webhook_config.api_schema.url` is
    /// read): each a type error on the container, under the name of the rule that reads it
    /// whole if one does, else as the vendor's own member (`extensions.…`). The members inside
    /// are not checked: what they lack is the container's kind, said once.
    pub fn misshapen_containers(
        &self,
        action: Action,
        body: &Value,
    ) -> Vec<(FieldPath, FieldError)> {
        let mut out: Vec<(FieldPath, FieldError)> = Vec::new();
        let rules = self
            .rules
            .iter()
            .filter(|r| r.request && r.applies_to(action));
        for path in rules.filter_map(|r| r.path.as_ref()) {
            let steps = path.steps();
            for depth in 1..steps.len() {
                let container = FieldPath::of_steps(steps[..depth].to_vec());
                let Some(value) = container.get(body).filter(|v| !v.is_null()) else {
                    break; // absent: nothing inside it is either
                };
                let kind = match steps[depth] {
                    Step::Key(_) => JsonType::Object,
                    Step::Index(_) => JsonType::Array,
                };
                let Some(message) = Check::Type(kind).test(value, false) else {
                    continue;
                };
                if !out.iter().any(|(p, _)| *p == container) {
                    let error = self.container_error(&container, message);
                    out.push((container, error));
                }
                break;
            }
        }
        out
    }

    /// A type error on a container, named as the vendor names errors there: by the rule that
    /// reads it whole; else within the field a rule inside it reports its errors under (its
    /// `error_field`: a `webhook_config`, whose message then names the rest,
    /// `api_schema must be an object`); else as the vendor's own member.
    fn container_error(&self, container: &FieldPath, message: String) -> FieldError {
        if let Some(rule) = (self.rules.iter()).find(|r| r.path.as_ref() == Some(container)) {
            return FieldError::new(rule.target.name(), message);
        }
        let dotted = container.to_string();
        let within = self.rules.iter().find_map(|r| {
            let inside = r.path.as_ref().is_some_and(|p| p.starts_with(container));
            let rest = dotted
                .strip_prefix(r.error_field.as_str())?
                .strip_prefix('.')?;
            inside.then(|| (r, rest.to_owned()))
        });
        match within {
            Some((rule, rest)) => FieldError::new(rule.target.name(), format!("{rest} {message}")),
            None => FieldError::new(format!("extensions.{dotted}"), message),
        }
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

    /// Each request rule's checks on `dialect`: `whole` where the body is the whole object (a
    /// member left out is missing), `merge` where a `null` in it removes what it names (an
    /// entry of a map, a member) rather than giving the member a value.
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
                (None, Codec::Wrap { .. }) => {
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
                // What a refusal of a required member says: that it is missing, or, where the
                // client sent it, what is wrong with what it sent.
                let mut worded = None;
                let message = match (check, value) {
                    // A required member is refused absent from a whole object, and `null`
                    // always: a vendor that refuses `""` for it does not take "no value" either.
                    // A create's `null` gives no value; a change's would clear the one held.
                    (Check::Required, None) if whole => Some("is required".to_owned()),
                    (Check::Required, Some(Value::Null)) if action == Action::Create => {
                        Some("is required".to_owned())
                    }
                    (Check::Required, Some(Value::Null)) => {
                        worded = Some(CLEARED);
                        Some("cannot be cleared".to_owned())
                    }
                    // Blank is no value either: `""` and whitespace are refused as `null` is.
                    (Check::Required, Some(Value::String(s))) if s.trim().is_empty() => {
                        worded = Some(EMPTY);
                        Some("cannot be empty".to_owned())
                    }
                    (Check::MinLength(_), Some(Value::Null))
                        if matches!(rule.codec, Codec::EmptyIsNull) =>
                    {
                        check.test(&Value::from(""), false)
                    }
                    // A member that is not `nullable` has no `null` of its type: a create's
                    // is a value of the wrong type, and so is a change's where the vendor
                    // clears the member otherwise (`""`, `empty_is_null`); any other change's
                    // `null` would clear a member the vendor cannot clear (a map, a number).
                    // In a merge patch a `null` is no value but the member's removal.
                    (Check::Type(_), Some(Value::Null)) if !rule.nullable && !merge => {
                        if action == Action::Create || matches!(rule.codec, Codec::EmptyIsNull) {
                            check.test(&Value::Null, false)
                        } else {
                            worded = Some(CLEARED);
                            Some("cannot be cleared".to_owned())
                        }
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
                    let key = value.map_or(check.key(), |v| check.worded_by(v));
                    out.push(Violation {
                        rule,
                        check: worded.unwrap_or(key),
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
}
