//! The read direction: a vendor's answer into canonical terms, from its parsed value or while
//! its text is read (one object, or a list's items written as a page at once), the members no
//! rule names kept under `extensions`.

use super::{ObjectMap, Rule, Target};
use crate::json::scan::{Malformed, Scanner};
use crate::mapping::codec::Codec;
use crate::mapping::json_path::{FieldPath, Step};
use crate::mapping::reader::{Found, Gathered};
use crate::model::{Assemble, Assembly, Listed, Members, Piece, Writing};
use bytes::Bytes;
use serde_json::{Map, Value};
use std::borrow::Cow;

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

impl ObjectMap {
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
        // Values a rule could not read, kept under `extensions` once every field is handed
        // over: a writer that writes members where they lie opens `extensions` last.
        let mut apart: Vec<(String, Piece<'_>)> = Vec::new();
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
                    None => {
                        kept_apart(rule, &mut apart, Piece::Plain(text));
                        continue;
                    }
                },
                (found, codec) => {
                    let value = found.into_value();
                    if value.is_null() && *codec != Codec::EmptyIsNull {
                        if !rule.target.nullable() {
                            continue;
                        }
                        Piece::Null
                    } else {
                        match codec.decode(&value) {
                            Ok(decoded) => Piece::Value(decoded),
                            // An id or owner written without its prefix is still the one.
                            Err(_) if matches!(codec, Codec::Prefix(_)) => Piece::Value(value),
                            Err(_) => {
                                kept_apart(rule, &mut apart, Piece::Value(value));
                                continue;
                            }
                        }
                    }
                }
            };
            match &rule.target {
                // Each field has one rule: no name comes twice.
                Target::Field(f) => into.field(f, value),
                Target::Extension(k) => {
                    flush(&mut apart, into);
                    ruled.push(k);
                    into.extension(Cow::Borrowed(k), value);
                }
            }
        }
        flush(&mut apart, into);
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
    pub(super) fn leftover_path(&self, name: &str) -> FieldPath {
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
}

/// A value `rule` cannot decode (a state the value map does not list, a timeout in
/// milliseconds that is no whole number of seconds) is no value of the field: taken as it is,
/// it would say what the vendor did not (1500 ms as 1500 s). It is kept under `extensions` by
/// its vendor path instead, as a member no rule covers is, and goes back there when the
/// webhook is written whole.
#[cold]
fn kept_apart<'p>(rule: &Rule, apart: &mut Vec<(String, Piece<'p>)>, piece: Piece<'p>) {
    if let Some(path) = &rule.path {
        apart.push((path.to_string(), piece));
    }
}

/// Hands the values kept apart to `into`, as members of `extensions`.
fn flush(apart: &mut Vec<(String, Piece<'_>)>, into: &mut impl Assemble) {
    for (key, piece) in apart.drain(..) {
        into.extension(Cow::Owned(key), piece);
    }
}
