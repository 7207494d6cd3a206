//! A canonical create or update body, made ready before any call: split by where the vendor
//! keeps each member (the webhook itself, or a resource of its own), refused where the vendor
//! cannot carry or merge it, translated through the rules and checked against the vendor's
//! constraints and the webhook URL policy.

use super::Context;
use crate::json::doubt::{Doubt, Doubtful};
use crate::mapping::checks::Check;
use crate::mapping::json_path::FieldPath;
use crate::mapping::rules::{ObjectMap, Rule, Translated, WriteError};
use crate::model::{self, Action, UpdateMode};
use crate::problem::{Code, FieldError, Problem};
use serde_json::{Map, Value};

/// A body split by where its members live.
#[derive(Debug, Default)]
pub(super) struct Split {
    /// Members the webhook itself holds (and those no one can hold, for the rules to refuse).
    pub main: Map<String, Value>,
    /// Members held by a writable resource, by the resource's index.
    pub resources: Vec<(usize, Map<String, Value>)>,
}

/// How much of the vendor's object a body is, which says which of its members must be there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Extent {
    /// The members that change: one left out keeps its value.
    Part,
    /// The whole object (a create, a full replacement): a required member left out is refused,
    /// not kept from before.
    Whole,
    /// A resource's merge: whole, and a `null` inside a member's map removes that entry.
    Merge,
    /// An RFC 7396 merge patch of the webhook (an update at a vendor of `strategy =
    /// "merge_patch"`): the members that change, and a `null` removes what it names, an entry
    /// of a member's map or the member itself.
    Patch,
}

impl Extent {
    /// The extent of the body an update sends the webhook's own endpoint: the whole webhook
    /// where that endpoint replaces it, a merge patch at a vendor that merges one, else the
    /// members that change.
    pub(super) fn of_update(whole: bool, merge_patch: bool) -> Extent {
        match (whole, merge_patch) {
            (true, _) => Extent::Whole,
            (false, true) => Extent::Patch,
            (false, false) => Extent::Part,
        }
    }
}

impl Context<'_> {
    /// Splits a canonical body: a member goes to the webhook when its rules carry it on this
    /// action, else to the resource that holds it (and can be written), else to the webhook,
    /// whose rules refuse it. An empty `extensions` holds nothing and goes nowhere.
    pub(super) fn split(&self, action: Action, mut body: Map<String, Value>) -> Split {
        let holder = |name: &str| {
            if self.dialect.webhook.carries(name, action) {
                return None;
            }
            self.dialect
                .resources
                .iter()
                .position(|r| r.holds(name) && (r.replace.is_some() || r.update.is_some()))
        };
        let held = |key: &str, value: &Value| match (key, value) {
            ("extensions", Value::Object(ext)) => ext
                .keys()
                .any(|k| holder(&format!("extensions.{k}")).is_some()),
            _ => holder(key).is_some(),
        };
        // Most bodies are the webhook's alone: kept as they are, not rebuilt member by member.
        if !body.iter().any(|(k, v)| held(k, v)) {
            if body
                .get("extensions")
                .and_then(Value::as_object)
                .is_some_and(Map::is_empty)
            {
                body.shift_remove("extensions");
            }
            return Split {
                main: body,
                resources: Vec::new(),
            };
        }
        let mut split = Split::default();
        let put = |holder: Option<usize>,
                   extension: bool,
                   key: String,
                   value: Value,
                   split: &mut Split| {
            let target = match holder {
                Some(i) => {
                    let at = match split.resources.iter().position(|(r, _)| *r == i) {
                        Some(at) => at,
                        None => {
                            split.resources.push((i, Map::new()));
                            split.resources.len() - 1
                        }
                    };
                    &mut split.resources[at].1
                }
                None => &mut split.main,
            };
            if extension {
                let bag = target
                    .entry("extensions")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(bag) = bag {
                    bag.insert(key, value);
                }
            } else {
                target.insert(key, value);
            }
        };
        for (key, value) in body {
            match value {
                Value::Object(ext) if key == "extensions" => {
                    for (k, v) in ext {
                        put(holder(&format!("extensions.{k}")), true, k, v, &mut split);
                    }
                }
                value => put(holder(&key), false, key, value, &mut split),
            }
        }
        split
    }

    /// Translates the webhook's part of a body, refusing what the vendor cannot carry (unless
    /// lenient) or spell. A field the vendor takes on one of create and update alone, named in
    /// the other, is refused as one that cannot be changed after create, or can only be set on
    /// update (as the vendor's own surfaces say), not as one the vendor has no place for.
    pub(super) fn write(
        &self,
        map: &ObjectMap,
        action: Action,
        body: &Map<String, Value>,
        lenient: bool,
    ) -> Result<Translated, Problem> {
        map.write(action, body, lenient).map_err(|e| match e {
            WriteError::Unsupported(fields) => Problem::with_errors(
                Code::UnsupportedField,
                fields
                    .into_iter()
                    .map(|f| {
                        let why = unwritable(map, &f, action);
                        FieldError::new(f, format!("{why} {}", self.upstream))
                    })
                    .collect(),
            ),
            WriteError::Invalid(errors) => Problem::validation(errors),
        })
    }

    /// The vendor's declared constraints on a dialect body, and the URL policy's refusal if any,
    /// checked before the call. Where the vendor's own constraints already refuse the URL,
    /// their word is kept. How much of the object the body is says which members must be there.
    pub(super) fn precheck(
        &self,
        map: &ObjectMap,
        action: Action,
        body: &Value,
        url_refusal: Option<FieldError>,
        extent: Extent,
    ) -> Result<(), Problem> {
        let violations = match extent {
            Extent::Part => map.check(action, body),
            Extent::Whole => map.check_whole(action, body),
            Extent::Merge => map.check_merge(action, body),
            Extent::Patch => map.check_patch(action, body),
        };
        let mut errors: Vec<FieldError> = violations.iter().map(|v| v.canonical()).collect();
        if let Some(refusal) = url_refusal
            && !errors.iter().any(|e| e.field == refusal.field)
        {
            errors.insert(0, refusal);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Problem::validation(errors))
        }
    }

    /// Members of a merge patch that would merge into an object the vendor never reports back
    /// (a write-only header list, say): the result cannot be known, so the change cannot be
    /// made. Refused, or with `lenient`, dropped from the patch and listed.
    ///
    /// A vendor that merges what it is sent (`merge_patch`) merges a member sent whole into
    /// what it holds too, so there every object is refused so, whatever the mode.
    pub(super) fn unmergeable(
        &self,
        patch: &mut Map<String, Value>,
        (mode, merge_patch): (UpdateMode, bool),
        lenient: bool,
        dropped: &mut Vec<String>,
    ) -> Result<(), Problem> {
        if mode != UpdateMode::Merge && !merge_patch {
            return Ok(()); // every member named is replaced whole
        }
        let map = &self.dialect.webhook;
        let blind = |name: &str| {
            map.rules
                .iter()
                .any(|r| r.target.is(name) && r.request && r.is_placed())
                && !map.rules.iter().any(|r| r.target.is(name) && r.response)
        };
        let mut refused = Vec::new();
        for (key, value) in patch.iter() {
            if key == "extensions" {
                for (k, v) in value.as_object().into_iter().flatten() {
                    let name = format!("extensions.{k}");
                    if v.is_object() && blind(&name) {
                        refused.push(name);
                    }
                }
            } else if value.is_object() && blind(key) {
                refused.push(key.clone());
            }
        }
        if refused.is_empty() {
            return Ok(());
        }
        // What lenient handling drops is what the upstream cannot carry: refused as such.
        if !lenient {
            return Err(Problem::with_errors(
                Code::UnsupportedField,
                refused
                    .into_iter()
                    .map(|name| {
                        FieldError::new(
                            name,
                            format!(
                                "upstream {} never reports its current value, so a change cannot be merged into it: set it whole on create, clear it with null, or send Prefer: handling=lenient to leave it as it is",
                                self.upstream
                            ),
                        )
                    })
                    .collect(),
            ));
        }
        drop_from_patch(patch, refused, dropped);
        Ok(())
    }

    /// Members of a merge patch that would merge into a value the webhook holds only as the
    /// vendor wrote it: one its rule could not read (a header list whose items hold more than
    /// a name and a value), kept under `extensions` by its vendor path. What the merge leaves
    /// cannot be known, and sending the patch's members alone would drop what the client did
    /// not name: refused as a merge into a value never reported is, or with `lenient`, dropped
    /// from the patch and listed.
    pub(super) fn merges_into_unread(
        &self,
        current: &Map<String, Value>,
        patch: &mut Map<String, Value>,
        (mode, merge_patch): (UpdateMode, bool),
        lenient: bool,
        dropped: &mut Vec<String>,
    ) -> Result<(), Problem> {
        if mode != UpdateMode::Merge && !merge_patch {
            return Ok(()); // every member named is replaced whole
        }
        let refused: Vec<(String, String)> = unread_held(&self.dialect.webhook, current, patch)
            .filter(|(name, _)| named(patch, name).is_some_and(Value::is_object))
            .collect();
        if refused.is_empty() {
            return Ok(());
        }
        if !lenient {
            return Err(Problem::validation(
                refused
                    .into_iter()
                    .map(|(name, key)| {
                        FieldError::new(
                            name,
                            format!(
                                "upstream {} holds a value here that cannot be read as one (kept as `extensions.{key}`), so a change cannot be merged into it: set it whole after clearing it with null, or send Prefer: handling=lenient to leave it as it is",
                                self.upstream
                            ),
                        )
                    })
                    .collect(),
            ));
        }
        drop_from_patch(patch, refused.into_iter().map(|(name, _)| name), dropped);
        Ok(())
    }

    /// Whether an update of the webhook's part needs the webhook as it is: the vendor replaces
    /// what it is sent, or a member merges into an object. At a vendor that merges what it is
    /// sent (`merge_patch`), an object the change names in any mode, and a map it clears: the
    /// patch that makes the vendor's object what the change leaves names the members it holds
    /// (in the letter case it holds them) to remove them.
    pub(super) fn needs_current(
        &self,
        patch: &Map<String, Value>,
        (mode, merge_patch): (UpdateMode, bool),
        whole: bool,
    ) -> bool {
        if whole || self.changes_a_listed_item(patch) {
            return true;
        }
        let object = |k: &str, v: &Value| {
            v.is_object() || (merge_patch && v.is_null() && model::names_headers(k))
        };
        (mode == UpdateMode::Merge || merge_patch)
            && patch.iter().any(|(k, v)| match (k.as_str(), v) {
                ("extensions", Value::Object(ext)) => ext.values().any(Value::is_object),
                (k, v) => object(k, v),
            })
    }

    /// Whether the change names a field answers read at an item of a vendor's list (`url` at
    /// `urls[0]`): its body is made from the webhook as it is, which sends the list whole with
    /// the item changed, or tells how many items a change sent elsewhere would replace.
    fn changes_a_listed_item(&self, patch: &Map<String, Value>) -> bool {
        (self.dialect.webhook.read_in_lists()).any(|(r, _, _)| r.target.get(patch).is_some())
    }

    /// Refuses a change that sends a field answers read at an item of a vendor's list
    /// somewhere else than in that list (`url` read at `urls[0]` and sent as `url`), while the
    /// webhook holds several items there (`before`, the webhook as it is, written as the
    /// vendor's): the vendor would be given one value where it holds several, and the others
    /// are not sent; they would be lost. Sent inside the list, the list goes whole, its other
    /// items as they are.
    fn keeps_several(&self, before: &Value, sent: &Value) -> Result<(), Problem> {
        let map = &self.dialect.webhook;
        let mut refused = Vec::new();
        for (rule, list, written_in) in map.read_in_lists() {
            if written_in {
                continue;
            }
            let held = list
                .get(before)
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            let sent_at = (map.rules.iter())
                .filter(|w| w.request && w.target == rule.target && w.applies_to(Action::Update))
                .filter_map(|w| w.path.as_ref())
                .find(|p| p.get(sent).is_some());
            let (true, Some(sent_at)) = (held > 1, sent_at) else {
                continue;
            };
            let field = rule.target.name();
            refused.push(FieldError::new(
                field.clone(),
                format!(
                    "upstream {} holds {held} values at `{list}` for this webhook, of which `{field}` is the first, and this change sends `{field}` as one value (at `{sent_at}`), which would keep only one of them",
                    self.upstream
                ),
            ));
        }
        if refused.is_empty() {
            Ok(())
        } else {
            Err(Problem::validation(refused))
        }
    }

    /// What a body that is the whole webhook would reset: members the vendor never reports
    /// back, which the change does not name. (One the vendor requires is refused as missing by
    /// the checks of the body, and a value it requires that the model leaves out is filled in.)
    /// A field that requests write elsewhere than answers read it (`write_as`) is reported,
    /// and sent as it is.
    pub(super) fn reset_by_whole(&self, patch: &Map<String, Value>) -> Vec<FieldError> {
        let map = &self.dialect.webhook;
        map.rules
            .iter()
            .filter(|r| r.request && !r.reported && r.applies_to(Action::Update))
            // A constant (a `fill`, or a default that is the one value taken) is never reset.
            .filter(|r| r.constant().is_none() && !r.checks.contains(&Check::Required))
            .filter(|r| r.target.get(patch).is_none())
            .map(|r| {
                FieldError::new(
                    r.target.name(),
                    format!(
                        "would be reset: upstream {} never reports it, and takes the whole webhook; include it in the change, or send Prefer: handling=lenient to make the change without it (the upstream then resets it)",
                        self.upstream
                    ),
                )
            })
            .collect()
    }

    /// The vendor body of an update computed from the webhook as it is: the update applied
    /// canonically, both versions written through the rules, and each top-level vendor member
    /// that changed sent whole (with any member the change clears) — or, for a vendor that
    /// takes the whole webhook, all of it. `None` when nothing changes.
    pub(super) fn merged_body(
        &self,
        current: &Map<String, Value>,
        patch: &Map<String, Value>,
        (mode, merge_patch): (UpdateMode, bool),
        written: &Value,
        whole: bool,
        doubts: Option<&[Doubtful]>,
    ) -> Result<Option<Value>, Problem> {
        let map = &self.dialect.webhook;
        let mut merged = model::apply_update(current, patch, mode);
        // A value the vendor wrote that its rule could not read goes back as it came unless
        // the change gives the field a value or clears it: then it is gone, never sent beside
        // (or in place of) what the change asks.
        let replaced: Vec<String> = unread_held(map, current, patch)
            .map(|(_, key)| key)
            .collect();
        if let Some(Value::Object(ext)) = merged.get_mut("extensions") {
            for key in &replaced {
                ext.shift_remove(key);
            }
            if ext.is_empty() {
                merged.shift_remove("extensions");
            }
        }
        let before = map.write_all(Action::Update, current);
        let after = map.write_all(Action::Update, &merged);
        let body =
            self.composed_body(current, &before, after, patch, merge_patch, written, whole)?;
        if let Some(body) = &body {
            match doubts {
                Some(doubts) => self.sends_no_doubt(body, written, doubts)?,
                // The read's text was not read for what it says doubtfully: what the tree
                // tells of it alone, a number beyond 64 bits read as the nearest double.
                None => self.carried_exactly(body)?,
            }
            self.keeps_several(&before, body)?;
        }
        Ok(body)
    }

    /// Refuses `body` where it would send back, unnamed by the change (`written`, the change
    /// alone as the vendor's), a member the vendor's read said doubtfully (`doubts`, placed in
    /// the webhook as the vendor wrote it): one given twice, which the read holds as the last
    /// where a vendor that keeps the first would see it changed (a 502: the answer says two
    /// things), or a number it would write as another value or kind (`1.00000000000000000000001`
    /// as `1.0`, `-0` as `-0.0`: a 422, as a number beyond 64 bits is).
    fn sends_no_doubt(
        &self,
        body: &Value,
        written: &Value,
        doubts: &[Doubtful],
    ) -> Result<(), Problem> {
        // Named by the change: a value it gives on the way there, which replaces what the read
        // held whole, or all that is sent there. An object it gives is merged into the read's
        // (whose other members a change leaves as they are): an object given twice is named
        // only where nothing of the read's is sent in it.
        let named = |place: &[String]| {
            let whole =
                (1..place.len()).any(|n| at(written, &place[..n]).is_some_and(|v| !v.is_object()));
            let given = at(written, place);
            whole || given.is_some_and(|v| !v.is_object() || Some(v) == at(body, place))
        };
        let Some((doubtful, sent)) = doubts.iter().find_map(|d| {
            let sent = at(body, &d.place)?;
            (!named(&d.place)).then_some((d, sent))
        }) else {
            return Ok(());
        };
        let place = doubtful.dotted();
        match &doubtful.doubt {
            Doubt::Repeated => {
                let (what, whose) = match place.is_empty() {
                    true => ("the webhook", "a webhook given".to_owned()),
                    false => (
                        "the member",
                        format!("a webhook whose member `{place}` is given"),
                    ),
                };
                let detail = format!(
                    "upstream {} answered {whose} more than once, which a change would send back as one of them; remove the repeated member there first",
                    self.upstream
                );
                let mut p = Problem::new(Code::UpstreamError, detail);
                p.upstream = Some(Box::new(self.info()));
                p.untranslatable = true;
                p.errors = vec![FieldError::new(
                    place.clone(),
                    format!("{what} is given more than once in the upstream's answer"),
                )];
                Err(p)
            }
            Doubt::Inexact(n) | Doubt::OutOfRange(n) => {
                let mut again = Vec::new();
                crate::json::write(&mut again, sent);
                let again = String::from_utf8_lossy(&again);
                Err(Problem::with_errors(
                    Code::UnsupportedField,
                    vec![FieldError::new(
                        place,
                        format!(
                            "holds the number {n} at upstream {}, which this change would send back as another ({again}); change it there first",
                            self.upstream
                        ),
                    )],
                ))
            }
        }
    }

    /// The body [`Self::merged_body`] sends, from the webhook as it is (`before`) and as the
    /// change leaves it (`after`), both written as the vendor's.
    #[allow(clippy::too_many_arguments)] // the two versions, both ways, and how they go
    fn composed_body(
        &self,
        current: &Map<String, Value>,
        before: &Value,
        mut after: Value,
        patch: &Map<String, Value>,
        merge_patch: bool,
        written: &Value,
        whole: bool,
    ) -> Result<Option<Value>, Problem> {
        let map = &self.dialect.webhook;
        // The paths the vendor's requests write, where a member the change clears is sent as
        // `written` spells its clearing.
        let paths = || {
            (map.rules.iter())
                .filter(|r| r.request)
                .filter_map(|r| r.path.as_ref())
        };
        if merge_patch && !whole {
            return self.merge_patch_body(before, after, written);
        }
        if whole {
            // A member the change clears is sent cleared (`""`, `null`, `{}`), as `written`
            // spells it, not left out: a vendor whose full update keeps what it is not sent
            // would keep it, and one that resets it takes the cleared value alike.
            for path in paths() {
                if let (Some(cleared), None) = (path.get(written), path.get(&after)) {
                    path.set(&mut after, cleared.clone());
                }
            }
            let sent = (*before != after || !patch.is_empty()).then_some(after);
            return match sent {
                Some(body) => Ok(Some(body)),
                None => Ok(None),
            };
        }
        let mut changed = ObjectMap::changed_heads(before, &after);
        if let Value::Object(cleared) = written {
            for (key, value) in cleared {
                if after.get(key).is_none() {
                    changed.insert(key.clone(), value.clone());
                }
            }
        }
        // A member the change clears inside a member sent whole is sent cleared, as `written`
        // spells it: left out, a vendor that merges into the containing member would keep it.
        let mut sent = Value::Object(changed);
        for path in paths() {
            let sent_whole = path.head().is_some_and(|h| sent.get(h).is_some());
            if let (true, Some(cleared), None) = (sent_whole, path.get(written), path.get(&after)) {
                path.set(&mut sent, cleared.clone());
            }
        }
        self.carry_create_only(current, &mut sent);
        // A member sent whole resets what it holds that the vendor never reports back, unless
        // the change names it: refuse rather than lose it. Nothing is lost where what is sent
        // is what the read held there (a vendor that answers it after all), or the one value
        // the rule admits, filled in (`fill` beside a `one_of` of it alone), as a replace
        // sends it.
        let mut lost = Vec::new();
        let not_reset = |rule: &Rule| {
            let Some(path) = rule.path.as_ref() else {
                return false;
            };
            let sent_here = path.get(&sent);
            let held = sent_here.is_some() && path.get(before) == sent_here;
            held || (sent_here.is_some() && sent_here == rule.sole_value())
        };
        // A path that starts with a member sets inside the object, never replaces it.
        let heads = sent.as_object().into_iter().flat_map(|m| m.keys());
        for head in heads {
            for rule in map.write_only_under(head) {
                if rule.target.get(patch).is_none() && !not_reset(rule) {
                    lost.push(FieldError::new(
                        rule.target.name(),
                        format!(
                            "would be reset: upstream {} never reports it, and `{head}` is sent whole; include it in the change",
                            self.upstream
                        ),
                    ));
                }
            }
        }
        if !lost.is_empty() {
            return Err(Problem::validation(lost));
        }
        if sent.as_object().is_none_or(Map::is_empty) {
            return Ok(None);
        }
        Ok(Some(sent))
    }

    /// A member sent whole (`target`) holds what the webhook has there that only a create
    /// carries and answers show (its owner at `target.id`): sent without it, the member
    /// would lose it at a vendor that replaces what it is sent, so it goes as the webhook
    /// has it.
    fn carry_create_only(&self, current: &Map<String, Value>, sent: &mut Value) {
        let map = &self.dialect.webhook;
        let carried: Vec<&FieldPath> = map
            .rules
            .iter()
            .filter(|r| r.request && !r.applies_to(Action::Update) && r.reported)
            .filter_map(|r| r.path.as_ref())
            .filter(|p| p.steps().len() > 1)
            .filter(|p| p.head().is_some_and(|h| sent.get(h).is_some()) && p.get(sent).is_none())
            .collect();
        if carried.is_empty() {
            return;
        }
        let created = self.dialect.webhook.write_all(Action::Create, current);
        for path in carried {
            if let Some(value) = path.get(&created) {
                path.set(sent, value.clone());
            }
        }
    }

    /// The body of an update at a vendor that applies an RFC 7396 merge patch: the patch that
    /// makes the vendor's webhook as it is (`before`) into the one the change leaves (`after`),
    /// so that a map loses exactly the members the change removes, under the names the vendor
    /// holds, and a member the change does not name is not sent. A member the change clears is
    /// spelled as `written` spells it; one whose clearing is an object (`{}`, which a merge
    /// would merge as nothing) is emptied member by member where the vendor reported it, and
    /// removed (`null`) where it did not. `None` when nothing changes.
    fn merge_patch_body(
        &self,
        before: &Value,
        mut after: Value,
        written: &Value,
    ) -> Result<Option<Value>, Problem> {
        let mut removed = Vec::new();
        for path in (self.dialect.webhook.rules.iter())
            .filter(|r| r.request)
            .filter_map(|r| r.path.as_ref())
        {
            let (Some(cleared), None) = (path.get(written), path.get(&after)) else {
                continue;
            };
            if cleared.is_object() && path.get(before).is_none() {
                removed.push(path);
            } else {
                path.set(&mut after, cleared.clone());
            }
        }
        let mut body =
            model::merge_diff(before, &after).unwrap_or_else(|| Value::Object(Map::new()));
        for path in removed {
            path.set(&mut body, Value::Null);
        }
        match body {
            Value::Object(members) if members.is_empty() => Ok(None),
            body => Ok(Some(body)),
        }
    }

    /// Refuses `body`, composed from the webhook as the vendor answered it, where it would
    /// send back a number the vendor wrote beyond 64 bits: read as the nearest double (a
    /// request's own are refused when read), it would go back as another value the client
    /// never named. Only where the read's text was not read for its doubts, which tell such a
    /// number from a double the vendor wrote as one.
    fn carried_exactly(&self, body: &Value) -> Result<(), Problem> {
        let Some((mut steps, n)) = rounded(body) else {
            return Ok(());
        };
        steps.reverse();
        let at = steps.join(".");
        Err(Problem::with_errors(
            Code::UnsupportedField,
            vec![FieldError::new(
                at,
                format!(
                    "holds a number beyond 64 bits at upstream {}, which this change would send back as another ({n}); change it there first",
                    self.upstream
                ),
            )],
        ))
    }
}

/// What `value` holds at `place` (object keys and array indexes), if anything.
fn at<'v>(value: &'v Value, place: &[String]) -> Option<&'v Value> {
    place.iter().try_fold(value, |v, step| match v {
        Value::Object(members) => members.get(step),
        Value::Array(items) => items.get(step.parse::<usize>().ok()?),
        _ => None,
    })
}

/// The member of a canonical change or webhook named `name` (`headers`, `extensions.tag`).
fn named<'v>(body: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    match name.strip_prefix("extensions.") {
        Some(k) => body.get("extensions")?.get(k),
        None => body.get(name),
    }
}

/// The fields `patch` names that the webhook as it is (`current`) holds no value of, its
/// vendor's value of them kept under `extensions` because their rule could not read it: each
/// field's name and the key it is kept by.
fn unread_held<'a>(
    map: &'a ObjectMap,
    current: &'a Map<String, Value>,
    patch: &'a Map<String, Value>,
) -> impl Iterator<Item = (String, String)> + 'a {
    let extensions = patch.get("extensions").and_then(Value::as_object);
    let names = (patch.keys().filter(|k| *k != "extensions").cloned()).chain(
        extensions
            .into_iter()
            .flat_map(|e| e.keys().map(|k| format!("extensions.{k}"))),
    );
    names.filter_map(move |name| {
        let key = map.kept_apart_key(&name)?;
        let kept = current.get("extensions")?.get(&key).is_some();
        (kept && named(current, &name).is_none()).then_some((name, key))
    })
}

/// The vendor path of the first number in `value` that a double may hold only rounded (one at
/// or beyond 2^63 in magnitude, where no 64-bit integer of both signs reaches: an integer the
/// vendor wrote that large, or a double it wrote so, which its answer's reading does not tell
/// apart, so both are held back), its steps innermost first; built only on the way back from
/// one found.
fn rounded(value: &Value) -> Option<(Vec<String>, f64)> {
    use crate::json::BEYOND_64_BITS;
    let within = |(step, (mut path, n)): (String, (Vec<String>, f64))| {
        path.push(step);
        (path, n)
    };
    match value {
        Value::Number(n) => n
            .as_f64()
            .filter(|f| n.is_f64() && f.abs() >= BEYOND_64_BITS)
            .map(|f| (Vec::new(), f)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| Some((i.to_string(), rounded(v)?)))
            .map(within),
        Value::Object(map) => map
            .iter()
            .find_map(|(k, v)| Some((k.clone(), rounded(v)?)))
            .map(within),
        _ => None,
    }
}

/// Takes canonical fields (`extensions.NAME` among them) out of a patch made leniently, listing
/// each as dropped; an `extensions` left empty goes too, as an empty object would be a change
/// of its own.
fn drop_from_patch(
    patch: &mut Map<String, Value>,
    names: impl IntoIterator<Item = String>,
    dropped: &mut Vec<String>,
) {
    for name in names {
        match name.strip_prefix("extensions.") {
            Some(k) => {
                if let Some(Value::Object(ext)) = patch.get_mut("extensions") {
                    ext.shift_remove(k);
                }
            }
            None => {
                patch.shift_remove(&name);
            }
        }
        dropped.push(name);
    }
    if patch
        .get("extensions")
        .and_then(Value::as_object)
        .is_some_and(Map::is_empty)
    {
        patch.shift_remove("extensions");
    }
}

/// Why the upstream cannot take `field` in a body of `action`: its rules write it on create
/// alone or on update alone, and this is the other ("cannot be changed after create", "can
/// only be set on update", as a surface says of its own rules); else it has no place for it.
fn unwritable(map: &ObjectMap, field: &str, action: Action) -> &'static str {
    let only_on = |other: Action| {
        (map.rule_for(field, other)).is_some_and(|r| r.applies_to(other) && !r.applies_to(action))
    };
    match action {
        Action::Update if only_on(Action::Create) => "cannot be changed after create at upstream",
        Action::Create if only_on(Action::Update) => "can only be set on update at upstream",
        _ => "not supported by upstream",
    }
}
