//! `[fields.NAME]` and `[derived.NAME]`: the field rules, their codecs and checks, compiled into
//! the object map every direction reads and writes a webhook by.

use super::Compiler;
use crate::mapping::MappingError;
use crate::mapping::checks::{Check, JsonType, Pattern};
use crate::mapping::codec::{Catalogue, Codec};
use crate::mapping::file::{self, FieldSection};
use crate::mapping::flags::Flags;
use crate::mapping::json_path::FieldPath;
use crate::mapping::model::MemberCheck;
use crate::mapping::rules::{Condition, Derivation, Derived, Hidden, ObjectMap, Ops, Rule, Target};
use crate::mapping::template::file_value;
use crate::mapping::time_format::TimeFormat;
use crate::model::{self, Field, Kind};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

impl Compiler<'_> {
    /// Refuses a rule that reads into an array where its object is (`$[0].type`): the
    /// webhook, a resource or a test's result is an object, whose members its rules read, and
    /// a vendor that answers a list there has it read as no object at all.
    fn reads_members(&mut self, key: &str, rule: &crate::mapping::rules::Rule) {
        let into_array = rule.places().find(|p| {
            matches!(
                p.steps().first(),
                Some(super::super::json_path::Step::Index(_))
            )
        });
        if let Some(path) = into_array {
            self.error(
                key,
                format!(
                    "`${path}` reads an item of an array, but the object its rules read (a webhook, a resource, a test's result) is an object: its rules read its members; where the vendor answers a list, place the placeholder on the member that holds an object"
                ),
            );
        }
    }

    pub(super) fn object_map(
        &mut self,
        table: &str,
        fields: &BTreeMap<String, FieldSection>,
        derived: &BTreeMap<String, file::DerivedSection>,
        table_fields: &'static [Field],
    ) -> ObjectMap {
        let lookup = |name: &str| table_fields.iter().find(|f| f.name == name);
        let mut rules = Vec::new();
        for (name, section) in fields {
            let key = format!("{table}.{name}");
            let target = match name.strip_prefix("extensions.") {
                Some(ext) if !ext.is_empty() => Target::Extension(ext.to_owned()),
                _ => match lookup(name) {
                    Some(field) if field.name != "extensions" => Target::Field(field),
                    _ => {
                        self.error(&key, "not a canonical field (see the canonical model in mappings/README.md); vendor-only fields go under `extensions.NAME`");
                        continue;
                    }
                },
            };
            if let Some(rule) = self.rule(&key, target, section) {
                self.reads_members(&key, &rule);
                match &section.write_as {
                    None => rules.push(rule),
                    Some(spelling) => {
                        let named = section.error_field.is_some();
                        rules.extend(self.split_for_requests(&key, rule, spelling, named));
                    }
                }
            }
        }
        // Two rules writing one vendor member would make a request ambiguous.
        for (i, a) in rules.iter().enumerate() {
            for b in &rules[..i] {
                for (pa, pb) in a
                    .written()
                    .flat_map(|pa| b.written().map(move |pb| (pa, pb)))
                {
                    let overlap = pa.starts_with(pb) || pb.starts_with(pa);
                    if overlap && a.request && b.request && a.ops.create == b.ops.create {
                        self.errors.push(MappingError {
                            file: self.file.to_owned(),
                            key: format!("{table}.{}", a.target.name()),
                            message: format!(
                                "writes `{pa}`, which `{table}.{}` also writes",
                                b.target.name()
                            ),
                        });
                    }
                }
            }
        }
        self.one_member_one_field(table, &rules);
        // The list of hidden names is a member answers carry, beside the map.
        for rule in &rules {
            let Some(listed) = rule.hidden.as_ref().and_then(|h| h.listed_in.as_ref()) else {
                continue;
            };
            if !rules
                .iter()
                .any(|r| r.target == *listed && r.response && r.is_placed())
            {
                self.errors.push(MappingError {
                    file: self.file.to_owned(),
                    key: format!("{table}.{}.hidden.listed_in", rule.target.name()),
                    message: format!(
                        "names `{}`, which no rule of `{table}` answers",
                        listed.name()
                    ),
                });
            }
        }
        // A rule that reads the object holding the secret whole would show the secret in its
        // own field, past every rule that keeps the secret unshown (every rule but the
        // secret's reads its value back, whatever its `in`).
        for secret in rules.iter().filter(|r| r.target.is_secret()) {
            let Some(ps) = &secret.path else { continue };
            for other in rules.iter().filter(|r| !r.target.is_secret()) {
                for po in other.written().filter(|po| ps.starts_with(po)) {
                    self.errors.push(MappingError {
                        file: self.file.to_owned(),
                        key: format!("{table}.{}", other.target.name()),
                        message: format!(
                            "reads `{po}` whole, which holds the secret at `{ps}`: the secret \
                             would be shown in it; read the members beside the secret instead"
                        ),
                    });
                }
            }
        }
        let mut derived_values = Vec::new();
        for (name, section) in derived {
            let key = format!("derived.{name}");
            let Some(path) = self.path(&format!("{key}.path"), &section.path) else {
                continue;
            };
            // An extension a rule reads names a member the vendor's webhook has (a write-only
            // password whose presence the vendor shows as a flag).
            let extension = |f: &str| {
                f.starts_with("extensions.") && rules.iter().any(|r| r.target.name() == f)
            };
            let derivation = match (&section.count, &section.present) {
                (Some(f), None) if model::webhook_field(f).is_some() => {
                    Derivation::Count(f.clone())
                }
                (None, Some(f)) if model::webhook_field(f).is_some() || extension(f) => {
                    Derivation::Present(f.clone())
                }
                _ => {
                    self.error(
                        &key,
                        "needs exactly one of `count` or `present`, naming a canonical field or an extension a rule reads",
                    );
                    continue;
                }
            };

            derived_values.push(Derived { path, derivation });
        }
        ObjectMap::new(rules, derived_values, table_fields)
    }

    /// One vendor member holds one field, whichever way it goes. Two fields whose places
    /// overlap where answers carry both (an id and a description both read at `id`, or a
    /// member read whole beside a member inside it) would have a read show the one's value as
    /// the other's, and an emulator or a surface answer the one over the other: its id the
    /// description a client chose. Nor may a member that requests write for one field be the
    /// one answers read as another (a vendor whose create sends the event type as `id`, by
    /// which its answers name the webhook). Where requests carry both, [`Self::object_map`] refuses the
    /// overlap already (but where `on` parts them). Two of a vendor's own members
    /// (`extensions.…`) may share a member taken one way each: one member asked one way and
    /// answered another; and one field's two rules (`write_as`) are its two ways.
    fn one_member_one_field(&mut self, table: &str, rules: &[Rule]) {
        let shared = crate::mapping::rules::switch_and_health(rules);
        if let Some(pair) = shared {
            self.switch_and_health_agree(table, rules, pair);
        }
        // `enabled` and `status` reading one member that says both, by maps that agree.
        let one_member_says_both = |a: &Rule, b: &Rule| {
            shared.is_some_and(|(_, s)| {
                let status = &rules[s];
                [(a, b), (b, a)].into_iter().any(|(x, y)| {
                    x.target == status.target
                        && x.path == status.path
                        && y.target.is("enabled")
                        && y.path == status.path
                })
            })
        };
        for (i, a) in rules.iter().enumerate() {
            for b in rules[..i].iter().filter(|b| b.target != a.target) {
                if one_member_says_both(a, b) {
                    continue;
                }
                let answered = a.response && b.response;
                let apart = (a.request && !a.response && b.response && !b.request)
                    || (b.request && !b.response && a.response && !a.request);
                // Both read from requests (a surface's or an emulator's client's body): their
                // paths are held apart by `object_map`, an alias here.
                let requested = a.request && b.request;
                let fields =
                    matches!(a.target, Target::Field(_)) && matches!(b.target, Target::Field(_));
                // Each place with whether it is an alias: answers and requests are read at
                // aliases too.
                let read = answered || requested || apart;
                let (places_a, places_b) = (places(a, read), places(b, read));
                let clash = places_a.iter().find_map(|&(pa, alias_a)| {
                    places_b.iter().find_map(|&(pb, alias_b)| {
                        let same = pa == pb;
                        let nested = pa.starts_with(pb) || pb.starts_with(pa);
                        let by_alias = requested && (alias_a || alias_b) && nested;
                        ((answered && nested) || (apart && fields && same) || by_alias)
                            .then_some((pa, alias_a, pb, alias_b))
                    })
                });
                let Some((pa, alias_a, pb, alias_b)) = clash else {
                    continue;
                };
                let (a_name, b_name) = (a.target.name(), b.target.name());
                let alias = |is: bool| if is { " (an alias)" } else { "" };
                let (alias_a, alias_b) = (alias(alias_a), alias(alias_b));
                let where_ = if pa == pb {
                    format!("is at `{pa}`{alias_a}, where `{table}.{b_name}` is too{alias_b}")
                } else if pa.starts_with(pb) {
                    format!(
                        "is at `{pa}`{alias_a}, inside `{pb}`, where `{table}.{b_name}` is{alias_b}"
                    )
                } else {
                    format!(
                        "is at `{pa}`{alias_a}, which holds `{pb}`, where `{table}.{b_name}` is{alias_b}"
                    )
                };
                self.errors.push(MappingError {
                    file: self.file.to_owned(),
                    key: format!("{table}.{a_name}"),
                    message: format!("{where_}: one member holds one field, whichever way it goes"),
                });
            }
        }
    }

    /// `enabled` and `status` may read one vendor member (Nylas's `status`: `active`,
    /// `pause`, `failing`, `failed`) where each of its values says one thing of both: both
    /// maps read the same values, a value the status reads as `active` is on and one it reads
    /// as `disabled` is off (`failing` may be either), and what requests write there is a value
    /// the status reads. Otherwise a webhook would be shown on and paused at once.
    fn switch_and_health_agree(&mut self, table: &str, rules: &[Rule], (e, s): (usize, usize)) {
        let (
            Codec::Map {
                forward: health, ..
            },
            Codec::Map {
                forward: switch, ..
            },
        ) = (&rules[s].codec, &rules[e].codec)
        else {
            return;
        };
        let at = rules[s]
            .path
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let read = |table: &[(Value, Value)], v: &Value| {
            table
                .iter()
                .find(|(from, _)| from == v)
                .map(|(_, to)| to.clone())
        };
        let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
        let mut problems = Vec::new();
        for (word, status) in health {
            let (on, word) = (read(switch, word), text(word));
            let says = match status.as_str() {
                Some("active") => Some(Value::Bool(true)),
                Some("disabled") => Some(Value::Bool(false)),
                _ => None,
            };
            match on {
                None => problems.push(format!("`{word}` is read as `status` alone")),
                Some(on) if !on.is_boolean() => {}
                Some(on) if says.as_ref().is_some_and(|says| *says != on) => {
                    problems.push(format!(
                        "`{word}` is read as `status` `{}` and as `enabled` `{on}`",
                        text(status)
                    ))
                }
                Some(_) => {}
            }
        }
        for (word, _) in switch.iter().filter(|(w, _)| read(health, w).is_none()) {
            problems.push(format!("`{}` is read as `enabled` alone", text(word)));
        }
        // What requests write there (`enabled`'s `write_as` at the same place) is read back.
        let spellings = rules
            .iter()
            .filter(|r| r.target.is("enabled") && r.request && r.path == rules[s].path);
        for spelling in spellings {
            let Codec::Map { reverse, .. } = &spelling.codec else {
                continue;
            };
            for (_, word) in reverse.iter().filter(|(_, w)| read(health, w).is_none()) {
                problems.push(format!(
                    "requests write `{}`, which `status` does not read",
                    text(word)
                ));
            }
        }
        if let Some(first) = problems.first() {
            self.errors.push(MappingError {
                file: self.file.to_owned(),
                key: format!("{table}.status"),
                message: format!(
                    "is at `{at}`, where `{table}.enabled` is too: one member may hold both only \
                     where each of its values says one thing of both, and {first}"
                ),
            });
        }
    }

    /// One field rule, its keys in the order `mappings/README.md` documents them; its checks
    /// and the vendor values it writes are compiled by steps of their own.
    fn rule(&mut self, key: &str, target: Target, s: &FieldSection) -> Option<Rule> {
        // A rule with a path implies nothing: its value is the vendor's.
        let path = match (&s.path, &s.implied, s.flags.is_empty()) {
            (Some(p), None, true) => Some(self.path(&format!("{key}.path"), p)?),
            (None, Some(_), true) | (None, None, false) => None,
            _ => {
                self.error(key, "needs exactly one of `path`, `implied` or `flags`");
                return None;
            }
        };
        let flags = self.flags(key, &target, s)?;
        let aliases = self.paths(&format!("{key}.aliases"), &s.aliases);
        if s.render_aliases && aliases.is_empty() {
            self.error(format!("{key}.render_aliases"), "the rule has no `aliases`");
        }
        let codec = match &s.codec {
            None => Codec::Identity,
            Some(v) => match compile_codec(v, s.type_) {
                Ok(c) => c,
                Err(e) => {
                    self.error(format!("{key}.codec"), e);
                    return None;
                }
            },
        };
        if let (Target::Field(field), Some(kind)) = (&target, codec_kind(&codec)) {
            let fits = field.kind == kind;
            if !fits {
                self.error(
                    format!("{key}.codec"),
                    format!(
                        "makes {} of the vendor's value, and `{}` is {}",
                        kind.described(),
                        field.name,
                        field.kind.described()
                    ),
                );
                return None;
            }
        }
        let (request, response) = match &s.in_ {
            None => (true, true),
            Some(list) => (
                list.contains(&file::Direction::Request),
                list.contains(&file::Direction::Response),
            ),
        };
        let ops = match &s.on {
            None => Ops {
                create: true,
                update: true,
            },
            Some(list) => Ops {
                create: list.contains(&file::OnAction::Create),
                update: list.contains(&file::OnAction::Update),
            },
        };
        let when = self.conditions(key, s);
        let catalogued = codec.catalogued();
        let also: &[&str] = match catalogued {
            Some(_) => &["unique_per_owner", "one_of"],
            None => &["unique_per_owner"],
        };
        let mut checks = self.checks(key, s, also);
        if let (None, Some(known)) = (&s.one_of, catalogued) {
            // A vendor's catalogue is every value it knows: the others it refuses, as a
            // `one_of` of them would (in the checks table's order: before a pattern or range).
            let at = checks
                .iter()
                .position(|c| matches!(c, Check::Pattern(_) | Check::Range { .. }))
                .unwrap_or(checks.len());
            checks.insert(at, Check::OneOf(known));
        }
        self.check_vendor_values(key, s, &codec);
        let error_field = s
            .error_field
            .clone()
            .or_else(|| path.as_ref().map(ToString::to_string))
            .unwrap_or_else(|| target.name());
        let hidden = s.hidden.as_ref().and_then(|h| self.hidden(key, &target, h));
        Some(Rule {
            target,
            path,
            flags,
            aliases,
            render_aliases: s.render_aliases,
            codec,
            request,
            response,
            ops,
            implied: s.implied.clone(),
            fill: s.fill.clone(),
            when,
            default: s.default.clone(),
            render_default: s.render_default.as_ref().map(file_value),
            render_required: s.render_required,
            nullable: s.nullable,
            error_field,
            checks,
            messages: s.messages.clone().into_iter().collect(),
            unique_per_owner: s.unique_per_owner,
            // Found among the object's other rules, once its rules are all made.
            list_item: None,
            reported: false,
            hidden,
        })
    }

    /// A rule's `hidden`: header names whose values the vendor never shows. Only a map of
    /// headers has them, and the member that lists them is one of the object's own.
    fn hidden(&mut self, key: &str, target: &Target, h: &file::HiddenSection) -> Option<Hidden> {
        let at = format!("{key}.hidden");
        if !matches!(target, Target::Field(f) if f.kind == Kind::StringMap) {
            self.error(&at, "only a map of headers hides values");
            return None;
        }
        if h.names.is_empty() {
            self.error(format!("{at}.names"), "names no header");
        }
        let listed_in = match h.listed_in.as_deref() {
            None => None,
            Some(name) => match name.strip_prefix("extensions.") {
                Some(ext) if !ext.is_empty() => Some(Target::Extension(ext.to_owned())),
                _ => {
                    self.error(
                        format!("{at}.listed_in"),
                        "is no `extensions.NAME`: the list of hidden names is the vendor's own member",
                    );
                    return None;
                }
            },
        };
        Some(Hidden {
            names: h.names.iter().map(|n| n.to_ascii_lowercase()).collect(),
            shown_as: h.shown_as.clone(),
            listed_in,
        })
    }

    /// A rule's `flags`: event types kept as boolean members. Only `events` is a list of event
    /// types; the list is the flags' own, so no key that spells or bounds a single value
    /// applies, and a `default` lists the types a create switches on when it leaves their
    /// members out.
    fn flags(&mut self, key: &str, target: &Target, s: &FieldSection) -> Option<Option<Flags>> {
        if s.flags.is_empty() {
            return Some(None);
        }
        let at = format!("{key}.flags");
        if !target.is("events") {
            self.error(&at, "only `events` is kept as flags");
            return None;
        }
        let spelling = [
            ("aliases", !s.aliases.is_empty()),
            ("render_aliases", s.render_aliases),
            ("codec", s.codec.is_some()),
            ("nullable", s.nullable),
            ("fill", s.fill.is_some()),
            ("render_default", s.render_default.is_some()),
            ("write_as", s.write_as.is_some()),
            ("one_of", s.one_of.is_some()),
            ("type", s.type_.is_some()),
            ("values", s.values.is_some()),
        ];
        for (what, _) in spelling.iter().filter(|(_, given)| *given) {
            self.error(
                format!("{key}.{what}"),
                "does not apply to `flags`: the event types are the flags' own, each member a boolean",
            );
        }
        let mut members = Vec::new();
        for (kind, text) in &s.flags {
            members.push((kind.clone(), self.path(&format!("{at}.{kind}"), text)?));
        }
        for (i, (a, pa)) in members.iter().enumerate() {
            for (b, pb) in &members[..i] {
                if pa.starts_with(pb) || pb.starts_with(pa) {
                    self.error(
                        format!("{at}.{a}"),
                        format!("writes `{pa}`, which `{b}` also writes"),
                    );
                }
            }
        }
        if let Some(default) = &s.default {
            let known = |v: &Value| v.as_str().is_some_and(|k| s.flags.contains_key(k));
            if !default.as_array().is_some_and(|d| d.iter().all(known)) {
                self.error(
                    format!("{key}.default"),
                    "must list event types the flags name",
                );
            }
        }
        Some(Some(Flags::new(members)))
    }

    /// A field that requests spell otherwise than answers (`write_as`: a vendor that reports
    /// `status: "enabled"` and is sent `disabled=true`): two rules of the one field, the
    /// answers' at `path` (read and rendered) and the requests' at `write_as.path` (written and
    /// parsed, with the checks, fills and error name requests need: its own dotted path,
    /// unless the file `named` one).
    fn split_for_requests(
        &mut self,
        key: &str,
        rule: Rule,
        spelling: &file::WriteAsSection,
        named: bool,
    ) -> Vec<Rule> {
        let at = format!("{key}.write_as");
        if !(rule.request && rule.response) || rule.path.is_none() {
            self.error(
                &at,
                "only a field that requests and answers both carry, at a `path`, is written elsewhere",
            );
            return vec![rule];
        }
        let Some(path) = self.path(&format!("{at}.path"), &spelling.path) else {
            return vec![rule];
        };
        // The rule's checks, its `type` among them, hold the value requests carry.
        let vendor_type = rule.checks.iter().find_map(|c| match c {
            Check::Type(t) => Some(*t),
            _ => None,
        });
        let codec = match spelling
            .codec
            .as_ref()
            .map(|c| compile_codec(c, vendor_type))
        {
            None => Codec::Identity,
            Some(Ok(codec)) => codec,
            Some(Err(e)) => {
                self.error(format!("{at}.codec"), e);
                return vec![rule];
            }
        };
        let mut requests = rule.clone();
        if !named {
            requests.error_field = path.to_string();
        }
        requests.path = Some(path);
        requests.codec = codec;
        requests.aliases = Vec::new();
        requests.render_aliases = false;
        requests.response = false;
        requests.default = None;
        requests.render_default = None;
        requests.render_required = false;
        let mut answers = rule;
        answers.request = false;
        answers.checks = Vec::new();
        answers.fill = None;
        vec![answers, requests]
    }

    /// A rule's `fill_when`: each member's value, or any (`"{{any}}"`). Conditions of a
    /// `fill` or a `render_default`, which a rule without either cannot have.
    fn conditions(&mut self, key: &str, s: &FieldSection) -> Vec<Condition> {
        let at = format!("{key}.fill_when");
        if !s.fill_when.is_empty() && s.fill.is_none() && s.render_default.is_none() {
            self.error(
                &at,
                "conditions of `fill` or `render_default`, and this rule has neither",
            );
        }
        let mut out = Vec::with_capacity(s.fill_when.len());
        for (path, value) in &s.fill_when {
            let Some(path) = self.path(&at, path) else {
                continue;
            };
            let is = match value {
                Value::String(text) if text.trim() == "{{any}}" => None,
                other => Some(file_value(other)),
            };
            out.push(Condition { at: path, is });
        }
        out
    }

    /// A rule's or a request member's checks, in the order of the checks table, and its
    /// `messages`, which may only name checks it has (and the keys of `also`).
    fn checks(&mut self, key: &str, s: &FieldSection, also: &[&str]) -> Vec<Check> {
        let mut checks = checks_of(s);
        if s.one_of.as_ref().is_some_and(Vec::is_empty) {
            // No value would pass, and its refusal could name none the vendor takes.
            self.error(
                format!("{key}.one_of"),
                "lists no value, so that none would pass: list the values the vendor takes, or leave `one_of` out",
            );
        }
        if let Some(source) = &s.pattern {
            // In the order of the checks table: after `one_of`, before the range.
            let at = checks
                .iter()
                .position(|c| matches!(c, Check::Range { .. }))
                .unwrap_or(checks.len());
            match Pattern::new(source) {
                Ok(p) => checks.insert(at, Check::Pattern(p)),
                Err(e) => self.error(format!("{key}.pattern"), e),
            }
        }
        let mut known: Vec<&str> = checks.iter().map(Check::key).collect();
        // A range refuses a value that is no integer with the words of `type`, which a rule
        // with a range may give without declaring the type.
        if known.contains(&"range") && !known.contains(&"type") {
            known.push("type");
        }
        // A required member sent `null` in an update, or blank, is refused in words of its own.
        if known.contains(&"required") {
            known.extend([crate::mapping::rules::CLEARED, crate::mapping::rules::EMPTY]);
        }
        for message_key in s.messages.keys() {
            if !known.contains(&message_key.as_str()) && !also.contains(&message_key.as_str()) {
                self.error(
                    format!("{key}.messages.{message_key}"),
                    format!("no such check on this field; it has: {}", known.join(", ")),
                );
            }
        }
        checks
    }

    /// Vendor values the file writes (`default`, `render_default`) must be ones the codec
    /// reads back as they are, or a value written would come back as another.
    fn check_vendor_values(&mut self, key: &str, s: &FieldSection, codec: &Codec) {
        // Checks see the vendor's spelling, which is text here: a range would refuse every
        // value as no integer.
        if matches!(codec, Codec::StringInt) && (s.min.is_some() || s.max.is_some()) {
            self.error(
                key,
                "`min` and `max` check the vendor's value, which `string_int` writes as text: bound its digits with `pattern` or `max_length` instead",
            );
        }
        // A `null` shown for none is written as it is, never through the codec.
        let shown = s.render_default.as_ref().map(file_value);
        let vendor_values = [
            ("default", s.default.as_ref()),
            ("render_default", shown.as_ref().filter(|v| !v.is_null())),
            ("fill", s.fill.as_ref().filter(|v| !v.is_null())),
        ];
        // A vendor's value given where the codec speaks text alone must be text it reads: a
        // `one_of` of numbers beside `string_int` would refuse every value, as would a `type`
        // other than a string.
        let one_of = s.one_of.iter().flatten();
        let one_of = one_of.filter(|_| matches!(codec, Codec::StringInt));
        let vendor_values = vendor_values
            .into_iter()
            .chain(one_of.map(|v| ("one_of", Some(v))));
        if matches!(codec, Codec::StringInt)
            && s.type_
                .is_some_and(|t| t != crate::mapping::checks::JsonType::String)
        {
            self.error(
                format!("{key}.type"),
                "checks the vendor's value, which `string_int` writes as text: give `\"string\"`, or leave it out",
            );
        }
        for (what, value) in vendor_values {
            if let Some(v) = value
                && codec.decode(v).and_then(|c| codec.encode(&c)).as_ref() != Ok(v)
            {
                self.error(
                    format!("{key}.{what}"),
                    format!("`{v}` does not survive the codec both ways"),
                );
            }
        }
    }

    /// The checks of one member of a client's body that is no webhook: only checks and their
    /// messages, at `path` (`$.NAME` by default).
    pub(super) fn member_check(
        &mut self,
        key: &str,
        name: &str,
        s: &FieldSection,
    ) -> Option<MemberCheck> {
        let path = self.path(
            &format!("{key}.path"),
            s.path.as_deref().unwrap_or(&format!("$.{name}")),
        )?;
        if s.codec.is_some() || s.implied.is_some() || s.default.is_some() || s.fill.is_some() {
            self.error(key, "a request member takes checks and messages only");
        }
        let checks = self.checks(key, s, &[]);
        Some(MemberCheck {
            name: name.to_owned(),
            path,
            checks,
            messages: s.messages.clone().into_iter().collect(),
        })
    }
}

/// The places a rule takes its value at, each with whether it is an alias: the places it
/// writes, and where `answered`, its aliases, which answers are read at too.
fn places(rule: &Rule, answered: bool) -> Vec<(&FieldPath, bool)> {
    let aliases = rule.aliases.iter().filter(|_| answered);
    (rule.written().map(|p| (p, false)))
        .chain(aliases.map(|p| (p, true)))
        .collect()
}

/// The checks a field section declares, in the order they run.
fn checks_of(s: &FieldSection) -> Vec<Check> {
    let mut checks = Vec::new();
    if s.required {
        checks.push(Check::Required);
    }
    if let Some(t) = s.type_ {
        checks.push(Check::Type(t));
    }
    if let Some(t) = s.values {
        checks.push(Check::Values(t));
    }
    if s.url {
        checks.push(Check::Url);
    }
    if s.https {
        checks.push(Check::Https);
    }
    if let Some(n) = s.min_length {
        checks.push(Check::MinLength(n));
    }
    if let Some(n) = s.max_length {
        checks.push(Check::MaxLength(n));
    }
    if s.min_items.is_some() || s.max_items.is_some() {
        checks.push(Check::Items {
            min: s.min_items,
            max: s.max_items,
        });
    }
    if s.unique_items {
        checks.push(Check::UniqueItems);
    }
    if let Some(list) = &s.one_of {
        checks.push(Check::OneOf(list.clone()));
    }
    if s.min.is_some() || s.max.is_some() {
        checks.push(Check::Range {
            min: s.min,
            max: s.max,
        });
    }
    checks
}

/// The kind of canonical value a codec makes of a vendor's, where it makes one kind only.
fn codec_kind(codec: &Codec) -> Option<model::Kind> {
    use model::Kind;
    Some(match codec {
        Codec::Single | Codec::Join(_) | Codec::Wrap { .. } => Kind::StringList,
        Codec::Pairs { .. } => Kind::StringMap,
        Codec::Negate => Kind::Bool,
        Codec::Scale(_) | Codec::StringInt => Kind::Integer,
        Codec::IntString
        | Codec::UnixTime { .. }
        | Codec::Time(_)
        | Codec::Prefix(_)
        | Codec::EmptyIsNull => Kind::String,
        Codec::Identity | Codec::Map { .. } => return None,
    })
}

/// A codec as a rule writes it. `vendor_type` is the rule's `type`: a `map` whose vendor values
/// are booleans or numbers says so there, its keys (TOML keys are strings) then read as JSON.
fn compile_codec(v: &Value, vendor_type: Option<JsonType>) -> Result<Codec, String> {
    match v {
        Value::String(name) => match name.as_str() {
            "identity" => Ok(Codec::Identity),
            "int_string" => Ok(Codec::IntString),
            "string_int" => Ok(Codec::StringInt),
            "single" => Ok(Codec::Single),
            "negate" => Ok(Codec::Negate),
            "empty_is_null" => Ok(Codec::EmptyIsNull),
            "unix_seconds" => Ok(Codec::UnixTime { millis: false }),
            "unix_millis" => Ok(Codec::UnixTime { millis: true }),
            other => Err(format!(
                "`{other}`: expected identity, int_string, string_int, single, negate, empty_is_null, unix_seconds, unix_millis, {{pairs}}, {{map}}, {{scale}}, {{join}}, {{prefix}}, {{time}} or {{wrap}}"
            )),
        },
        Value::Object(table) => {
            codec_keys(table)?;
            if let Some(pairs) = table.get("pairs") {
                let key = pairs
                    .get("key")
                    .and_then(Value::as_str)
                    .ok_or("`pairs` needs `key`")?;
                let value = pairs
                    .get("value")
                    .and_then(Value::as_str)
                    .ok_or("`pairs` needs `value`")?;
                return Ok(Codec::Pairs {
                    key: key.into(),
                    value: value.into(),
                });
            }
            if let Some(factor) = table.get("scale") {
                return match factor.as_i64() {
                    Some(f) if f != 0 => Ok(Codec::Scale(f)),
                    _ => Err("`scale` must be a non-zero integer".into()),
                };
            }
            if let Some(Value::Object(map)) = table.get("map") {
                let forward = map
                    .iter()
                    .map(|(k, v)| Ok((vendor_value(k, vendor_type)?, v.clone())))
                    .collect::<Result<_, String>>()?;
                let reverse = match table.get("reverse") {
                    Some(Value::Object(rev)) => Some(
                        rev.iter()
                            .map(|(k, v)| {
                                let vendor = match v {
                                    Value::String(text) => vendor_value(text, vendor_type)?,
                                    other => other.clone(),
                                };
                                Ok((parse_key(k), vendor))
                            })
                            .collect::<Result<_, String>>()?,
                    ),
                    Some(_) => return Err("`reverse` must be a table".into()),
                    None => None,
                };
                return Codec::value_map(forward, reverse);
            }
            if let Some(prefix) = table.get("prefix") {
                return match prefix.as_str() {
                    Some(text) if !text.is_empty() => Ok(Codec::Prefix(text.to_owned())),
                    _ => Err("`prefix` must be a non-empty string".into()),
                };
            }
            if let Some(key) = table.get("wrap") {
                return match key.as_str() {
                    Some(key) if !key.is_empty() => {
                        let with = constants(key, table.get("with"))?;
                        let catalogue = catalogue(key, table.get("catalogue"))?;
                        let otherwise = otherwise(key, table)?;
                        described_apart(&with, &catalogue, otherwise.as_ref())?;
                        Ok(Codec::Wrap {
                            key: key.to_owned(),
                            with,
                            catalogue,
                            otherwise,
                        })
                    }
                    _ => Err("`wrap` must be a non-empty string".into()),
                };
            }
            if let Some(format) = table.get("time") {
                let utc = match table.get("zone") {
                    None => false,
                    Some(Value::String(zone)) if zone == "UTC" => true,
                    Some(other) => {
                        return Err(format!(
                            "`zone` must be \"UTC\", the zone a vendor's docs say its times are in where they do not write one, not {other}"
                        ));
                    }
                };
                return match format.as_str() {
                    Some(written) => TimeFormat::new(written, utc).map(Codec::Time),
                    None => Err("`time` must be a string: a time format".into()),
                };
            }
            if let Some(separator) = table.get("join") {
                return match separator.as_str() {
                    Some(sep) if !sep.is_empty() => Ok(Codec::Join(sep.to_owned())),
                    _ => Err("`join` must be a non-empty string".into()),
                };
            }
            Err(
                "a codec table needs `pairs`, `map`, `scale`, `join`, `prefix`, `time` or `wrap`"
                    .into(),
            )
        }
        _ => Err("a codec is a name or a table".into()),
    }
}

/// The keys a codec table of each kind takes besides its own: a key it ignored would be a
/// spelling the file's author meant to take effect (`catalog` for `catalogue`).
fn codec_keys(table: &Map<String, Value>) -> Result<(), String> {
    const KINDS: [(&str, &[&str]); 7] = [
        ("pairs", &[]),
        ("scale", &[]),
        ("map", &["reverse"]),
        ("prefix", &[]),
        ("wrap", &["with", "catalogue", "default"]),
        ("join", &[]),
        ("time", &["zone"]),
    ];
    let Some((kind, others)) = KINDS.iter().find(|(kind, _)| table.contains_key(*kind)) else {
        return Ok(());
    };
    match table
        .keys()
        .find(|k| k.as_str() != *kind && !others.contains(&k.as_str()))
    {
        Some(stray) if others.is_empty() => Err(format!("a `{kind}` codec takes no `{stray}`")),
        Some(stray) => Err(format!(
            "a `{kind}` codec takes no `{stray}` (only {})",
            others
                .iter()
                .map(|o| format!("`{o}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        None => Ok(()),
    }
}

/// A `wrap` codec's `with`: the members every object holds beside the value, whatever the
/// value (JSON:API's `type` in a linkage object), none of them the wrapped member itself.
fn constants(key: &str, table: Option<&Value>) -> Result<Map<String, Value>, String> {
    let Some(table) = table else {
        return Ok(Map::new());
    };
    match table.as_object() {
        Some(members) if members.is_empty() => {
            Err("`with` must name the members every object holds beside the value".into())
        }
        Some(members) if members.contains_key(key) => {
            Err(format!("`with` holds `{key}`, which is the value itself"))
        }
        Some(members) => Ok(members.clone()),
        None => Err("`with` must be a table of the members every object holds".into()),
    }
}

/// A constant member (`with`) is the same beside every value: a `catalogue` entry or a
/// `default` that describes it too would answer another value for it than requests send.
fn described_apart(
    with: &Map<String, Value>,
    catalogue: &Catalogue,
    otherwise: Option<&Map<String, Value>>,
) -> Result<(), String> {
    let entries = (catalogue.iter())
        .map(|(value, entry)| (format!("catalogue.{value}"), entry))
        .chain(otherwise.map(|entry| ("default".to_owned(), entry)));
    for (at, entry) in entries {
        if let Some(name) = entry.keys().find(|name| with.contains_key(*name)) {
            return Err(format!(
                "`{at}` holds `{name}`, which `with` gives every object"
            ));
        }
    }
    Ok(())
}

/// A `wrap` codec's `catalogue`: a table of the vendor's description of each value, by the
/// value, none of them holding the wrapped member itself.
fn catalogue(key: &str, table: Option<&Value>) -> Result<Catalogue, String> {
    let Some(table) = table else {
        return Ok(Catalogue::new());
    };
    let Some(entries) = table.as_object().filter(|t| !t.is_empty()) else {
        return Err("`catalogue` must be a table of the values the vendor describes".into());
    };
    entries
        .iter()
        .map(|(value, entry)| match entry.as_object() {
            Some(members) if members.contains_key(key) => Err(format!(
                "`catalogue.{value}` holds `{key}`, which is the value itself"
            )),
            Some(members) => Ok((value.clone(), members.clone())),
            None => Err(format!(
                "`catalogue.{value}` must be a table of the members answered beside it"
            )),
        })
        .collect()
}

/// A `wrap` codec's `default`: the members answered beside a value its `catalogue` does not
/// describe; only beside a catalogue, and never holding the wrapped member itself.
fn otherwise(key: &str, table: &Map<String, Value>) -> Result<Option<Map<String, Value>>, String> {
    let Some(given) = table.get("default") else {
        return Ok(None);
    };
    match given.as_object() {
        _ if !table.contains_key("catalogue") => {
            Err("`default` describes the values a `catalogue` does not: give one".into())
        }
        Some(members) if members.contains_key(key) => Err(format!(
            "`default` holds `{key}`, which is the value itself"
        )),
        Some(members) => Ok(Some(members.clone())),
        None => Err("`default` must be a table of the members answered beside a value".into()),
    }
}

/// A `reverse` table's keys are canonical values written as TOML keys: `"true"` is `true`.
/// A vendor value of a `map`, written as text: the text itself, or, where the rule's `type`
/// says the vendor's values are booleans or numbers, the JSON it reads as.
fn vendor_value(text: &str, vendor_type: Option<JsonType>) -> Result<Value, String> {
    match vendor_type {
        Some(t @ (JsonType::Boolean | JsonType::Integer | JsonType::Number)) => {
            serde_json::from_str::<Value>(text)
                .ok()
                .filter(|v| t.holds(v))
                .ok_or_else(|| format!("`{text}` is not {} (the rule's `type`)", t.described()))
        }
        _ => Ok(Value::from(text)),
    }
}

fn parse_key(k: &str) -> Value {
    serde_json::from_str(k).unwrap_or_else(|_| Value::from(k))
}

/// Where a form body's text must be read as something else: each request rule's vendor value,
/// found by writing a sample of its canonical field through its codec (`negate` writes a
/// boolean, `scale` and `int_string` numbers, `join` text), and each label the vendor clears
/// as `""` (`empty_is_null`), where an empty value, otherwise `null`, is that `""`.
pub(super) fn form_shapes(webhook: &ObjectMap) -> Vec<(FieldPath, crate::form::Shape)> {
    use crate::form::{Scalar, Shape};
    use crate::model::Kind;
    webhook
        .rules
        .iter()
        .filter(|r| r.request)
        .filter_map(|rule| {
            if matches!(rule.codec, Codec::EmptyIsNull) {
                let label = Shape {
                    list: false,
                    scalar: Scalar::Label,
                };
                return Some((rule.path.clone()?, label));
            }
            let written = match &rule.target {
                Target::Field(field) => {
                    // A time is text the way a date-time codec reads it.
                    let samples = match field.kind {
                        Kind::Bool => vec![Value::Bool(true)],
                        Kind::Integer => vec![Value::from(1)],
                        Kind::String => {
                            vec![Value::from("1"), Value::from("2020-01-01T00:00:00Z")]
                        }
                        Kind::StringList => vec![Value::Array(vec![Value::from("a")])],
                        Kind::StringMap | Kind::Object => Vec::new(),
                    };
                    samples.iter().find_map(|s| rule.codec.encode(s).ok())?
                }
                Target::Extension(_) => extension_sample(rule)?,
            };
            Some((rule.path.clone()?, Shape::of(&written)?))
        })
        .collect()
}

/// What a vendor member no canonical field stands for holds, as far as its rule says: its
/// `type`, a range (an integer), or the type of a value the file gives it.
fn extension_sample(rule: &Rule) -> Option<Value> {
    use crate::mapping::checks::JsonType;
    let item = |t: JsonType| match t {
        JsonType::Boolean => Some(Value::Bool(true)),
        JsonType::Integer | JsonType::Number => Some(Value::from(1)),
        JsonType::String => Some(Value::from("a")),
        JsonType::Object | JsonType::Array => None,
    };
    let values = rule.checks.iter().find_map(|c| match c {
        Check::Values(t) => Some(*t),
        _ => None,
    });
    let checked = rule.checks.iter().find_map(|c| match c {
        Check::Type(JsonType::Array) => Some(Value::Array(vec![
            values.and_then(item).unwrap_or_else(|| Value::from("a")),
        ])),
        Check::Type(t) => item(*t),
        Check::Range { .. } => Some(Value::from(1)),
        _ => None,
    });
    let given = || {
        [
            rule.default.as_ref(),
            rule.render_default.as_ref(),
            rule.fill.as_ref(),
        ]
        .into_iter()
        .flatten()
        .find(|v| !v.is_null())
        .cloned()
    };
    checked.or_else(given)
}
