//! The read direction: a vendor's answer into canonical terms, from its parsed value or while
//! its text is read (one object, or a list's items written as a page at once), the members no
//! rule names kept under `extensions`. A value of a kind its canonical field cannot be is no
//! webhook's: the object is refused ([`Misread`]), never passed on nor left out. A time is
//! held to RFC 3339 and written in UTC.

use super::{ObjectMap, Rule, Target};
use crate::json::scan::{Malformed, Scanner};
use crate::mapping::codec::Codec;
use crate::mapping::json_path::{FieldPath, Step};
use crate::mapping::reader::{Found, Gathered};
use crate::mapping::template::Template;
use crate::model::stamp::in_utc;
use crate::model::{
    Access, Assemble, Assembly, Field, Kind, Listed, Members, Piece, Writing, type_error,
};
use bytes::Bytes;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

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
    /// An object holding a value its field cannot be (boxed: seldom, and large).
    Misread(Box<Misread>),
}

/// A vendor's value that cannot be the canonical field its rule reads it as: of a kind the
/// field cannot be (a `url` that is a number, `events` that are one string, an id that is an
/// object), or an identifier its codec cannot read (an id `true` where ids are integers).
/// Passed on, it would break the canonical object's schema; left out, it would be lost, or made
/// up again (an owner taken from the request's path): the object is refused instead.
#[derive(Debug, Clone, PartialEq)]
pub struct Misread {
    /// The canonical field.
    pub field: &'static str,
    /// What the vendor sent, as a problem (which is logged) may show it: a scalar's JSON text, a
    /// container's kind and the first item that is not of the field's, only the kind of a
    /// secret's value.
    pub sent: String,
    /// What the field holds (`an array of strings`, `a time written `…``).
    pub wanted: Cow<'static, str>,
    /// The object's other fields, as far as they were read: what a create so answered made
    /// (its id, a secret minted), which its client could learn nowhere else.
    pub read: Members,
}

/// `` `events` is "MESSAGE_CREATED", which is not an array of strings ``.
impl fmt::Display for Misread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is {}, which is not {}",
            self.field, self.sent, self.wanted
        )
    }
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
                let misread = self.map.assemble(&mut gathered, &mut members);
                match misread {
                    Ok(()) => Item::Read(members.finish()),
                    Err(misread) => Item::Misread(Box::new(misread.with(members.finish()))),
                }
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
/// once as a canonical webhook. A value that is not an array, an item that is no object (a
/// list does not lose it without a word), one that must be read whole ([`Item::Ambiguous`]),
/// one holding a value its field cannot be ([`Misread`]) or one its caller refuses, is
/// refused: the answer is then parsed and read whole, which says why. A page is read in one go; nothing about a refusal needs
/// keeping on the way.
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
    /// given each webhook once its members are written, to add what the vendor left out, and
    /// says whether the webhook is one to pass on.
    pub fn read(
        self,
        scan: &mut Scanner<'_>,
        page: &mut Listed,
        mut complete: impl FnMut(&mut Writing<'_>) -> bool,
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
                    let read = map.assemble(&mut gathered, &mut webhook).is_ok();
                    if !(read && complete(&mut webhook)) {
                        return Err(Malformed);
                    }
                }
                // Not an object: no webhook, which the whole read names.
                Err(_) => return Err(Malformed),
            }
        }
        Ok(())
    }
}

impl ObjectMap {
    /// Dialect response → canonical. Vendor fields no rule names are kept under `extensions`;
    /// a value its field cannot be refuses the object.
    pub fn read(&self, dialect: &Value) -> Result<Map<String, Value>, Misread> {
        self.read_owned(dialect.clone())
    }

    /// Dialect response → canonical, in the order of the field table, taking the values out of
    /// the dialect object instead of copying them.
    pub fn read_owned(&self, mut dialect: Value) -> Result<Map<String, Value>, Misread> {
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

    /// These rules reading an object that shares its place with an envelope's members
    /// (`beside`, the others of a `$spread`): the same rules, those members read past rather
    /// than kept under `extensions`, which are the vendor's own members of the object alone.
    pub fn reading_past(&self, beside: &[(String, Template)]) -> ObjectMap {
        let mut map = self.clone();
        map.plan.read_past(beside);
        map
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
    fn assembled(&self, mut gathered: Gathered) -> Result<Map<String, Value>, Misread> {
        let mut members = Assembly::new(None, self.read_order.len());
        match self.assemble(&mut gathered, &mut members) {
            Ok(()) => Ok(members.finish().into_map()),
            Err(misread) => Err(misread.with(members.finish())),
        }
    }

    /// Hands what was gathered to `into`, the fields in the order of the field table, then the
    /// members of `extensions`. A string or array found as its text stays text where no codec
    /// changes it (a value map's string is looked up as it is). A field's value is held to its
    /// kind: the first that is not of it is the answer, the others handed over all the same
    /// (what a create so answered made is named by them).
    fn assemble<'a>(
        &self,
        gathered: &mut Gathered<'a>,
        into: &mut impl Assemble,
    ) -> Result<(), Misread> {
        let mut misread: Option<Misread> = None;
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
            let field = match &rule.target {
                Target::Field(f) => Some(*f),
                Target::Extension(_) => None, // any value
            };
            let value = match (found, &rule.codec) {
                // Taken as it is: anything but null (a value is never a null), of the field's
                // kind.
                (found, Codec::Identity) if !matches!(found, Found::Null) => match field {
                    None => found.piece(),
                    Some(f) => match fitted(f, found) {
                        Ok(piece) => piece,
                        Err(found) => {
                            misread.get_or_insert_with(|| unfit(f, found.into_value()));
                            continue;
                        }
                    },
                },
                (Found::Plain(text), codec @ Codec::Map { .. }) => match codec.decode_text(text) {
                    Some(decoded) => Piece::Borrowed(decoded),
                    None => {
                        kept_apart(rule, &mut apart, Piece::Plain(text));
                        continue;
                    }
                },
                // An integer beyond 64 bits, which a value would hold as the nearest double,
                // is read as the vendor's digits.
                (Found::Written(text), Codec::IntString) if integer(text) => {
                    Piece::Value(Value::from(text))
                }
                (found, codec) => {
                    let value = found.into_value();
                    if value.is_null() && !matches!(codec, Codec::EmptyIsNull) {
                        if !rule.target.nullable() {
                            continue;
                        }
                        Piece::Null
                    } else {
                        match (codec.decode(&value), field) {
                            (Ok(decoded), _) => Piece::Value(decoded),
                            // An id or owner written without its prefix is still the one.
                            (Err(_), None) if matches!(codec, Codec::Prefix(_)) => {
                                Piece::Value(value)
                            }
                            (Err(_), Some(f)) if matches!(codec, Codec::Prefix(_)) => {
                                match fitted(f, Found::from(value)) {
                                    Ok(piece) => piece,
                                    Err(found) => {
                                        misread.get_or_insert_with(|| unfit(f, found.into_value()));
                                        continue;
                                    }
                                }
                            }
                            // Kept apart, an id or owner would leave the object nameless, or
                            // named by the request rather than by the vendor.
                            (Err(e), Some(f)) if f.identifier => {
                                misread.get_or_insert_with(|| unread(f, &e, value));
                                continue;
                            }
                            // A time is a time or refused, as where the vendor writes RFC 3339:
                            // kept apart, the webhook would read as one never given one.
                            (Err(_), Some(f)) if f.time => {
                                misread.get_or_insert_with(|| written_otherwise(f, codec, value));
                                continue;
                            }
                            (Err(_), _) => {
                                kept_apart(rule, &mut apart, Piece::Value(value));
                                continue;
                            }
                        }
                    }
                }
            };
            // What a codec made: of its field's kind where the codec makes one kind (checked
            // when the file loads), not always where it hands on the vendor's values or the
            // file's (a value map, a pairs list's values, a single value).
            // (`matches!`, not `==`: the derived comparison of two codecs is a call per field
            // of every listed webhook.)
            let value = match (field, matches!(rule.codec, Codec::Identity), made(&value)) {
                (Some(f), false, Some(made)) if type_error(f.kind, made, false).is_some() => {
                    misread.get_or_insert_with(|| unfit(f, made.clone()));
                    continue;
                }
                (Some(f), false, Some(Value::String(text))) if f.time => match in_utc(text) {
                    Some(Cow::Borrowed(_)) => value,
                    Some(Cow::Owned(utc)) => Piece::Value(Value::String(utc)),
                    None => {
                        misread.get_or_insert_with(|| unfit(f, Value::from(text.as_str())));
                        continue;
                    }
                },
                _ => value,
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
        if !gathered.leftovers.is_empty() {
            for (key, found) in gathered.leftovers.drain(..) {
                // A member a parser that ignores letter case reads as the secret, or as a
                // member on the way to it (`WEBHOOK_SECRET` for `webhook_secret`), is the
                // secret to such a client: no more the vendor's own than the secret is.
                if !ruled.contains(&key.as_str()) && !self.on_the_way_to_secret(&key) {
                    into.extension(Cow::Owned(key), found.piece());
                }
            }
        }
        misread.map_or(Ok(()), Err)
    }

    /// Whether a vendor member kept under `extensions` by its dotted name lies, its names in
    /// any letter case ([`crate::json::folded::same`]), where a secret's rule reads the secret
    /// or on the way there.
    fn on_the_way_to_secret(&self, dotted: &str) -> bool {
        let secret = self.rules.iter().filter(|r| r.target.is_secret());
        let mut places = secret.flat_map(|r| r.path.iter().chain(&r.aliases));
        places.any(|path| {
            let mut keys = path.steps().iter().map_while(|s| match s {
                Step::Key(k) => Some(k.as_str()),
                Step::Index(_) => None,
            });
            dotted.split('.').all(|name| {
                keys.next()
                    .is_some_and(|k| crate::json::folded::same(name, k))
            })
        })
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

/// The value a codec made, where it is one to hold to its field's kind (`null` is held by
/// nullability, before).
fn made<'p>(piece: &'p Piece<'_>) -> Option<&'p Value> {
    let value: &Value = match piece {
        Piece::Borrowed(value) => value,
        Piece::Value(value) => value,
        _ => return None,
    };
    (!value.is_null()).then_some(value)
}

/// `found` as `field` holds it, where it is of the field's kind: as it was found, or, for an
/// identifier written as an integer, its decimal text (an id `7` is `"7"`). Otherwise it is
/// given back. What the scanner tells apart settles most values without a look inside them (a
/// list of plain strings is [`Found::Strings`]). Always inlined: it runs for every field of
/// every listed webhook.
#[inline(always)]
fn fitted<'a>(field: &Field, found: Found<'a>) -> Result<Piece<'a>, Found<'a>> {
    let fits = match (&found, field.kind) {
        (Found::Plain(_) | Found::String(_), Kind::String)
        | (Found::Bool(_), Kind::Bool)
        | (Found::Unsigned(_), Kind::Integer)
        | (Found::Strings(_), Kind::StringList) => true,
        // Text kept for an integer beyond 64 bits: the integer itself, or a container holding
        // one, which is no list of strings nor object of strings.
        (Found::Written(text), Kind::Integer) => integer(text),
        (Found::Written(text), Kind::Object) => text.starts_with('{'),
        (Found::Value(value), kind) => type_error(kind, value, false).is_none(),
        _ => false,
    };
    if fits {
        return if field.time {
            timed(found)
        } else {
            Ok(found.piece())
        };
    }
    let decimal = match &found {
        _ if !field.identifier => None,
        Found::Unsigned(n) => Some(n.to_string()),
        Found::Value(value) if value.is_i64() => Some(value.to_string()),
        Found::Written(text) if integer(text) => Some((*text).to_owned()),
        _ => None,
    };
    match decimal {
        Some(text) => Ok(Piece::Value(Value::String(text))),
        None => Err(found),
    }
}

/// A time, `found` as a string, in UTC: as it was found where it is already (no copy of a
/// page's text), the same instant written in UTC where the vendor wrote an offset. A string
/// that is no RFC 3339 date-time is given back: without a zone it names no instant, and one
/// made up would say what the vendor did not.
fn timed(found: Found<'_>) -> Result<Piece<'_>, Found<'_>> {
    let text = match &found {
        Found::Plain(text) => *text,
        Found::String(text) => text.as_str(),
        _ => return Ok(found.piece()),
    };
    let converted = match in_utc(text) {
        None => return Err(found),
        Some(Cow::Borrowed(_)) => None,
        Some(Cow::Owned(utc)) => Some(utc),
    };
    Ok(match converted {
        None => found.piece(),
        Some(utc) => Piece::Value(Value::String(utc)),
    })
}

/// The refusal of `value`, which `field`'s codec cannot read as a time: said as the codec
/// spells times (`a time written `[year]-…``), where it spells them in a format of its own.
#[cold]
fn written_otherwise(field: &'static Field, codec: &Codec, value: Value) -> Misread {
    let mut misread = unfit(field, value);
    match codec {
        Codec::Time(format) => {
            misread.wanted = Cow::Owned(format!("a time written `{}`", format.written));
        }
        Codec::UnixTime { millis: false } => {
            misread.wanted = Cow::Borrowed("an integer of seconds since 1970");
        }
        Codec::UnixTime { millis: true } => {
            misread.wanted = Cow::Borrowed("an integer of milliseconds since 1970");
        }
        _ => {}
    }
    misread
}

/// Whether `text`, a JSON value's, is an integer.
fn integer(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The refusal of `value`, which `field` cannot hold.
#[cold]
fn unfit(field: &'static Field, value: Value) -> Misread {
    // A number beyond 64 bits in an answer read whole is held as the nearest double: its
    // digits are not the vendor's, and quoting them would misquote it.
    if rounded(&value) {
        return Misread {
            field: field.name,
            sent: "a number beyond 64 bits".to_owned(),
            wanted: Cow::Borrowed("one whose digits are kept where this answer is read whole"),
            read: Members::default(),
        };
    }
    Misread {
        field: field.name,
        sent: sent(field, &value),
        wanted: Cow::Borrowed(field.described()),
        read: Members::default(),
    }
}

/// The refusal of `value`, which `field`'s codec cannot read: what the codec reads
/// (`an integer`, of `must be an integer`), where the codec says it, rather than what the
/// field holds once read (a string, for an id).
#[cold]
fn unread(field: &'static Field, e: &crate::mapping::codec::CodecError, value: Value) -> Misread {
    // A number beyond 64 bits says its own reason.
    let said = (!rounded(&value)).then_some(e.0.as_str());
    let mut misread = unfit(field, value);
    if let Some(wanted) = said.and_then(|said| said.strip_prefix("must be ")) {
        misread.wanted = Cow::Owned(wanted.to_owned());
    }
    misread
}

/// Whether `value` is a double that may stand for a number written beyond 64 bits.
fn rounded(value: &Value) -> bool {
    match value {
        Value::Number(n) if n.is_f64() => n
            .as_f64()
            .is_some_and(|f| f.abs() >= crate::json::BEYOND_64_BITS),
        _ => false,
    }
}

impl Misread {
    /// The refusal, with the object's other fields as far as they were read.
    fn with(mut self, read: Members) -> Misread {
        self.read = read;
        self
    }
}

/// What a vendor sent as a problem shows it: a scalar's JSON text (a long string cut short);
/// an array or object by its kind and, where the field holds strings in it, the first item
/// that is not one, by its text where it is a scalar (the others, a header's value say, may
/// be secret); only the kind of a write-once field's value.
fn sent(field: &Field, value: &Value) -> String {
    let item = |value: &Value| match value {
        Value::Array(_) | Value::Object(_) | Value::String(_) => {
            crate::json::kind(value).to_owned()
        }
        scalar => scalar.to_string(),
    };
    match value {
        _ if field.access == Access::WriteOnce => crate::json::kind(value).to_owned(),
        Value::String(text) => {
            const SHOWN: usize = 64;
            match text.char_indices().nth(SHOWN) {
                Some((cut, _)) => format!("{}…", Value::from(&text[..cut])),
                None => value.to_string(),
            }
        }
        Value::Array(items) => match items.iter().enumerate().find(|(_, i)| !i.is_string()) {
            Some((i, bad)) if field.kind == Kind::StringList => {
                format!("an array whose item {i} is {}", item(bad))
            }
            _ => "an array".to_owned(),
        },
        Value::Object(members) => match members.iter().find(|(_, v)| !v.is_string()) {
            Some((key, bad)) if field.kind == Kind::StringMap => {
                format!(
                    "an object whose {} is {}",
                    Value::from(key.as_str()),
                    item(bad)
                )
            }
            _ => "an object".to_owned(),
        },
        scalar => scalar.to_string(),
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
