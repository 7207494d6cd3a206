//! The shape of a configuration, checked before serde sees it, so that every unknown key and
//! every value of the wrong type is reported at once (serde stops at the first).
//!
//! The shape is not written down a second time: it is [`RawConfig::sample`] (every optional
//! key filled, one entry in each table of named entries) serialised to a value tree. Tables
//! whose only sample key is [`NAME`] hold entries of any name; a list's first sample element is
//! the shape of every element. The same tree lists the keys ([`keys`]) for the configuration
//! reference and its test.
//!
//! The walk also resolves paths: a key whose name ends in `_file`, `_files` or `_dir` names a
//! file or folder, and a relative one is taken from the folder of the file that set it (the
//! working directory for the environment and the built-in default), made absolute so that
//! every error names the path actually tried.

use super::{ConfigProblem, RawConfig};
use figment::Figment;
use figment::value::{Dict, Num, Tag, Value};
use std::path::{Path, PathBuf};

/// The sample key standing for any entry name in a table of named entries.
pub const NAME: &str = "<name>";

/// Values some string keys are limited to, checked here so that a wrong one is reported
/// alongside every other problem (serde would stop at a wrong enum tag).
const CHOICES: &[(&str, &[&str])] = &[
    (
        "upstreams.<name>.auth.type",
        &["bearer", "basic", "header", "query", "passthrough", "none"],
    ),
    ("upstreams.<name>.auth.also[].type", &["header", "query"]),
    ("log.format", &["pretty", "json"]),
    ("inbound_auth.mode", &["api_keys", "off"]),
];

/// The range of each number key, least and most, by key pattern; a key not listed takes any
/// whole number from 0. Read by validation, which refuses a number outside it, and here, so
/// that a value of the wrong type, or past the most, is told the range the key takes. A count
/// that sizes a semaphore, a queue or a buffer has a most the runtime can hold: a semaphore of
/// more permits than tokio's `MAX_PERMITS` panics when it is made, after `check` has passed.
/// A key held in fewer bits than 64 has a most its type can hold (`breaker_failures`, 32).
const RANGES: &[(&str, u64, u64)] = &[
    ("upstreams.<name>.timeout_ms", 1, 300_000),
    ("upstreams.<name>.deadline_ms", 1, 3_600_000),
    ("upstreams.<name>.retries", 0, 10),
    ("upstreams.<name>.backoff_ms", 0, 300_000),
    ("upstreams.<name>.breaker_failures", 1, u32::MAX as u64),
    ("upstreams.<name>.breaker_cooldown_ms", 0, 3_600_000),
    ("upstreams.<name>.max_concurrency", 1, MAX_CALLS),
    ("upstreams.<name>.max_pending", 0, MAX_CALLS),
    (
        "upstreams.<name>.emulator.journal_limit",
        1,
        crate::emulator::settings::MAX_JOURNAL as u64,
    ),
    ("limits.max_body_bytes", 1, MAX_BODY_BYTES),
    ("limits.body_read_timeout_ms", 1, 3_600_000),
    ("limits.max_upstream_body_bytes", 1, MAX_BODY_BYTES),
    ("limits.header_read_timeout_ms", 1, 3_600_000),
    ("limits.idle_timeout_ms", 1, 3_600_000),
    ("limits.send_timeout_ms", 1, 3_600_000),
    ("limits.connect_timeout_ms", 1, 3_600_000),
    ("limits.max_connections", 1, MAX_CONNECTIONS),
    ("limits.drain_timeout_ms", 0, 3_600_000),
    ("limits.max_header_bytes", 8192, MAX_HEADER_BYTES),
];

/// The most calls to one upstream in flight, or waiting for a slot, at once: each in flight
/// holds a connection to the vendor.
const MAX_CALLS: u64 = 100_000;
/// The most open client connections per listener: more than any process's file descriptors.
const MAX_CONNECTIONS: u64 = 1_000_000;
/// The largest body read whole into memory, a request's or a vendor answer's: 1 GiB.
const MAX_BODY_BYTES: u64 = 1 << 30;
/// The largest request head, held whole while it is read: 1 MiB.
const MAX_HEADER_BYTES: u64 = 1 << 20;

/// The range of the number key `pattern` (`upstreams.<name>.timeout_ms`).
pub fn range(pattern: &str) -> (u64, u64) {
    RANGES
        .iter()
        .find(|(p, _, _)| *p == pattern)
        .map_or((0, u64::MAX), |(_, least, most)| (*least, *most))
}

/// The range `(least, most)` as messages say it: `1 to 300000`, `at least 1`.
pub fn range_text((least, most): (u64, u64)) -> String {
    if most == u64::MAX {
        format!("at least {least}")
    } else {
        format!("{least} to {most}")
    }
}

/// `value` at `key` (of pattern `pattern`) when it is outside the key's range: what was found
/// and what is accepted.
pub fn out_of_range(pattern: &str, value: u64) -> Option<String> {
    let (least, most) = range(pattern);
    (!(least..=most).contains(&value))
        .then(|| format!("`{value}`: expected {}", range_text((least, most))))
}

/// Tables told apart by their `type`, and the keys each type takes besides `type` (the shape
/// has every key of every type): a key of another type is refused naming the types it goes
/// with, rather than serde's "unknown field" naming the fields of the variant alone.
const TYPED: &[(&str, &[TypeKeys])] = &[
    (
        "upstreams.<name>.auth",
        &[
            ("bearer", &["token_env", "token_file", "also"]),
            ("basic", &["token_env", "token_file", "also"]),
            (
                "header",
                &["name", "prefix", "token_env", "token_file", "also"],
            ),
            ("query", &["name", "token_env", "token_file", "also"]),
            ("passthrough", &[]),
            ("none", &[]),
        ],
    ),
    (
        "upstreams.<name>.auth.also[]",
        &[
            ("header", &["name", "prefix", "token_env", "token_file"]),
            ("query", &["name", "token_env", "token_file"]),
        ],
    ),
];

/// A type of a table told apart by its `type`, and the keys it takes besides `type`.
type TypeKeys = (&'static str, &'static [&'static str]);

/// What a type takes besides `type`, as a message says it.
fn type_takes(takes: &[&str]) -> String {
    if takes.is_empty() {
        "takes no other key".into()
    } else {
        format!("takes {}", list(takes))
    }
}

/// Keys whose values are paths besides those named `…_file`, `…_files` and `…_dir`.
const PATHS: &[&str] = &[
    "upstreams.<name>.emulator.state",
    "upstreams.<name>.emulator.fixtures",
];

/// Keys whose values have a shape of their own, checked by their reader (an emulator's
/// faults: numbers or ranges, lists of rules).
const OPAQUE: &[&str] = &["upstreams.<name>.emulator.faults"];

/// The shape: the sample configuration as a value tree.
pub fn shape() -> Value {
    Value::serialize(RawConfig::sample())
        .expect("the sample is plain data with string keys, which always serialises")
}

/// Every key a configuration may set, dotted; `<name>` for an entry name, `[]` for the
/// elements of a list of tables. Lists of values are one key.
pub fn keys() -> Vec<String> {
    fn walk(prefix: &str, value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Dict(..) if OPAQUE.contains(&prefix) => out.push(prefix.to_owned()),
            Value::Dict(_, dict) => {
                for (k, v) in dict {
                    walk(&join(prefix, k), v, out);
                }
            }
            Value::Array(_, items) if matches!(items.first(), Some(Value::Dict(..))) => {
                walk(&format!("{prefix}[]"), &items[0], out);
            }
            _ => out.push(prefix.to_owned()),
        }
    }
    let mut out = Vec::new();
    walk("", &shape(), &mut out);
    out
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Walks a merged configuration against the shape: returns the tree with unknown keys and
/// wrongly typed values left out (so that serde can still read the rest) and paths resolved,
/// and a problem for each left out.
pub fn check(figment: &Figment, merged: &Value) -> Checked {
    let shape = shape();
    let mut walk = Walk {
        figment,
        problems: Vec::new(),
        leaves: Vec::new(),
        dropped: Vec::new(),
    };
    collect_leaves("", &shape, &mut walk.leaves);
    let cleaned = walk
        .value("", "", merged, &shape)
        .unwrap_or_else(|| Value::from(Dict::new()));
    Checked {
        cleaned,
        problems: walk.problems,
        dropped: walk.dropped,
    }
}

/// What [`check`] found.
pub struct Checked {
    /// The tree with what was wrong left out, and paths resolved.
    pub cleaned: Value,
    /// A problem for each value left out.
    pub problems: Vec<ConfigProblem>,
    /// The elements left out of lists, each by its list's key and its index as written: the
    /// elements after one sit one place earlier in the cleaned tree.
    pub dropped: Vec<(String, usize)>,
}

fn collect_leaves(prefix: &str, value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Dict(_, dict) => dict
            .iter()
            .for_each(|(k, v)| collect_leaves(&join(prefix, k), v, out)),
        Value::Array(_, items) if matches!(items.first(), Some(Value::Dict(..))) => {
            collect_leaves(&format!("{prefix}[]"), &items[0], out)
        }
        _ => out.push(prefix.to_owned()),
    }
}

struct Walk<'a> {
    figment: &'a Figment,
    problems: Vec<ConfigProblem>,
    /// Every leaf key of the shape, for suggestions across sections.
    leaves: Vec<String>,
    /// The list elements left out, by the list's key and the element's index.
    dropped: Vec<(String, usize)>,
}

impl Walk<'_> {
    /// `key` is the path as reported (`upstreams.main.timeout_ms`, `keys[0]`), `pattern`
    /// the same in the shape (`upstreams.<name>.timeout_ms`, `keys[]`).
    fn value(&mut self, key: &str, pattern: &str, value: &Value, shape: &Value) -> Option<Value> {
        if OPAQUE.contains(&pattern) {
            return Some(value.clone());
        }
        match (value, shape) {
            (Value::Dict(tag, dict), Value::Dict(_, fields)) => {
                Some(Value::Dict(*tag, self.table(key, pattern, dict, fields)))
            }
            (Value::Array(tag, items), Value::Array(_, sample)) => {
                let element = sample.first()?;
                let mut kept = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let at = format!("{key}[{i}]");
                    match self.value(&at, &format!("{pattern}[]"), item, element) {
                        Some(item) => kept.push(item),
                        None => self.dropped.push((key.to_owned(), i)),
                    }
                }
                Some(Value::Array(*tag, kept))
            }
            (_, Value::Dict(..) | Value::Array(..)) => {
                self.wrong(key, value, &kind(pattern, shape));
                None
            }
            _ => self.scalar(key, pattern, value, shape),
        }
    }

    fn table(&mut self, key: &str, pattern: &str, dict: &Dict, fields: &Dict) -> Dict {
        let named = fields.len() == 1 && fields.contains_key(NAME);
        // A table told apart by its `type` takes the keys of its type only.
        let typed = TYPED
            .iter()
            .find(|(p, _)| *p == pattern)
            .and_then(|(_, types)| {
                let given = dict.get("type")?.as_str()?;
                let (_, takes) = types.iter().find(|(t, _)| *t == given)?;
                Some((given, *takes, *types))
            });
        let mut out = Dict::new();
        for (k, v) in dict {
            if let Some((given, takes, types)) = typed
                && k != "type"
                && !takes.contains(&k.as_str())
            {
                match fields.contains_key(k) {
                    true => self.not_of_type(key, k, v.tag(), given, takes, types),
                    false => self.unknown_of_type(key, k, v.tag(), given, takes),
                }
                continue;
            }
            let (field, shape) = match fields.get(k) {
                Some(shape) => (k.as_str(), shape),
                None if named => (NAME, &fields[NAME]),
                None => {
                    self.unknown(key, k, v.tag(), fields);
                    continue;
                }
            };
            if let Some(v) = self.value(&join(key, k), &join(pattern, field), v, shape) {
                out.insert(k.clone(), v);
            }
        }
        out
    }

    fn scalar(&mut self, key: &str, pattern: &str, value: &Value, shape: &Value) -> Option<Value> {
        let from_env = self.set_by_env(value.tag());
        let ok = match (value, shape) {
            (Value::String(..), Value::String(..)) => Some(value.clone()),
            // The environment's values are parsed (`5000` is a number): a string key takes
            // them as written.
            (Value::Num(tag, n), Value::String(..)) if from_env => {
                Some(Value::String(*tag, num_text(n)))
            }
            (Value::Bool(tag, b), Value::String(..)) if from_env => {
                Some(Value::String(*tag, b.to_string()))
            }
            (Value::Num(_, n), Value::Num(..))
                if n.to_u128().is_some() || n.to_i128().is_some_and(|i| i >= 0) =>
            {
                Some(value.clone())
            }
            (Value::Bool(..), Value::Bool(..)) => Some(value.clone()),
            _ => None,
        };
        let Some(mut ok) = ok else {
            self.wrong(key, value, &kind(pattern, shape));
            return None;
        };
        // A number past the key's most is told the key's range here, before serde would refuse
        // one its type cannot hold in its own words (`expected u32`).
        if let (Value::Num(_, n), Value::Num(..)) = (value, shape)
            && n.to_u128_lossy()
                .is_some_and(|v| v > u128::from(range(pattern).1))
        {
            let range = range_text(range(pattern));
            let found = num_text(n);
            self.problem(key, format!("`{found}`: expected {range}"), value.tag());
            return None;
        }
        if let Some((_, choices)) = CHOICES.iter().find(|(p, _)| *p == pattern)
            && let Some(text) = ok.as_str()
            && !choices.contains(&text)
        {
            self.problem(
                key,
                format!("`{text}`: expected {}", list(choices)),
                value.tag(),
            );
            return None;
        }
        let base = pattern.trim_end_matches("[]");
        let names_path = ["_file", "_files", "_dir"]
            .iter()
            .any(|s| base.ends_with(s))
            || PATHS.contains(&base);
        if names_path && let Value::String(tag, text) = &ok {
            ok = Value::String(*tag, self.resolve(text, *tag));
        }
        Some(ok)
    }

    /// A path as written, made absolute against the folder of the file that set it.
    fn resolve(&self, text: &str, tag: Tag) -> String {
        if text.is_empty() || Path::new(text).is_absolute() {
            return text.to_owned();
        }
        let base: Option<PathBuf> = self
            .figment
            .get_metadata(tag)
            .and_then(|m| m.source.as_ref())
            .and_then(|s| s.file_path())
            .and_then(Path::parent)
            .map(Path::to_path_buf);
        let joined = match base {
            Some(dir) => dir.join(text),
            None => PathBuf::from(text),
        };
        std::path::absolute(&joined)
            .unwrap_or(joined)
            .display()
            .to_string()
    }

    fn set_by_env(&self, tag: Tag) -> bool {
        self.figment
            .get_metadata(tag)
            .is_some_and(|m| m.name.contains("environment variable"))
    }

    fn unknown(&mut self, key: &str, name: &str, tag: Tag, fields: &Dict) {
        let full = join(key, name);
        let siblings = fields.keys().map(String::as_str);
        let suggestion = closest(name, siblings).map(|s| join(key, s)).or_else(|| {
            // The right key in the wrong section: `max_body_bytes` at the top.
            self.leaves
                .iter()
                .find(|l| l.rsplit('.').next() == Some(name))
                .cloned()
        });
        let message = match suggestion {
            Some(s) => format!("unknown key; did you mean `{s}`?"),
            None => format!(
                "unknown key; {} takes {}",
                if key.is_empty() { "the top level" } else { key },
                list(&fields.keys().map(String::as_str).collect::<Vec<_>>())
            ),
        };
        self.problem(&full, message, tag);
    }

    /// A key of a table told apart by its `type` that goes with other types than `given`.
    fn not_of_type(
        &mut self,
        key: &str,
        name: &str,
        tag: Tag,
        given: &str,
        takes: &[&str],
        types: &[TypeKeys],
    ) {
        let others: Vec<&str> = (types.iter())
            .filter(|(_, keys)| keys.contains(&name))
            .map(|(t, _)| *t)
            .collect();
        let message = format!(
            "`type = \"{given}\"` {}; `{name}` goes with {} only",
            type_takes(takes),
            list(&others)
        );
        self.problem(&join(key, name), message, tag);
    }

    /// A key no type of a table told apart by its `type` takes.
    fn unknown_of_type(&mut self, key: &str, name: &str, tag: Tag, given: &str, takes: &[&str]) {
        let message = match closest(name, takes.iter().copied()) {
            Some(s) => format!("unknown key; did you mean `{}`?", join(key, s)),
            None => format!("unknown key; `type = \"{given}\"` {}", type_takes(takes)),
        };
        self.problem(&join(key, name), message, tag);
    }

    fn wrong(&mut self, key: &str, value: &Value, expected: &str) {
        let found = match value {
            Value::String(_, s) => format!("`{s:?}`"),
            Value::Num(_, n) => format!("`{}`", num_text(n)),
            Value::Bool(_, b) => format!("`{b}`"),
            Value::Dict(..) => "a table".into(),
            Value::Array(..) => "a list".into(),
            Value::Char(_, c) => format!("`{c}`"),
            Value::Empty(..) => "nothing".into(),
        };
        self.problem(key, format!("{found}: expected {expected}"), value.tag());
    }

    fn problem(&mut self, key: &str, message: String, tag: Tag) {
        let message = if self.set_by_env(tag) {
            format!("{message} (from {})", variables_at(key))
        } else {
            message
        };
        self.problems.push(ConfigProblem {
            key: if key.is_empty() {
                "(root)".into()
            } else {
                key.into()
            },
            message,
        });
    }
}

/// Leaves out the value at `path` (keys of tables, indexes of lists); false when there is
/// none to leave out.
pub fn remove(value: &mut Value, path: &[String]) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut at = value;
    for key in parents {
        at = match at {
            Value::Dict(_, dict) => match dict.get_mut(key) {
                Some(v) => v,
                None => return false,
            },
            Value::Array(_, items) => {
                match key.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                    Some(v) => v,
                    None => return false,
                }
            }
            _ => return false,
        };
    }
    match at {
        Value::Dict(_, dict) => dict.remove(last).is_some(),
        Value::Array(_, items) => match last.parse::<usize>() {
            Ok(i) if i < items.len() => {
                items.remove(i);
                true
            }
            _ => false,
        },
        _ => false,
    }
}

/// The environment variables that set the table at `path` in `value`, when they set every
/// value in it; none when it is no table or a file set any of it.
pub fn made_by_env(figment: &Figment, value: &Value, path: &[String]) -> Vec<String> {
    fn leaves(figment: &Figment, key: &str, value: &Value, out: &mut Vec<Option<String>>) {
        match value {
            Value::Dict(_, dict) => dict
                .iter()
                .for_each(|(k, v)| leaves(figment, &join(key, k), v, out)),
            _ => out.push(
                figment
                    .get_metadata(value.tag())
                    .is_some_and(|m| m.name.contains("environment variable"))
                    .then(|| setting_variable(key).unwrap_or_else(|| env_name(key))),
            ),
        }
    }
    let mut at = value;
    for key in path {
        match at {
            Value::Dict(_, dict) if dict.contains_key(key) => at = &dict[key],
            _ => return Vec::new(),
        }
    }
    if !matches!(at, Value::Dict(_, dict) if !dict.is_empty()) {
        return Vec::new();
    }
    let mut found = Vec::new();
    leaves(figment, &path.join("."), at, &mut found);
    let mut found = found
        .into_iter()
        .collect::<Option<Vec<_>>>()
        .unwrap_or_default();
    // A table or list given whole by one variable sets each of its values.
    found.dedup();
    found
}

/// The environment variable that set the value reported at `key` (`listen`,
/// `inbound_auth.keys[0].sha256`) in `value`, when one did: a list is set whole, so a key
/// inside one is named by the list's variable. None for a table, which no one variable sets.
pub fn env_source(figment: &Figment, value: &Value, key: &str) -> Option<String> {
    let mut at = value;
    let mut named: Option<String> = None;
    let mut walked: Vec<&str> = Vec::new();
    for segment in key.split('.') {
        let (field, indexes) = segment.split_once('[').unwrap_or((segment, ""));
        at = match at {
            Value::Dict(_, dict) => dict.get(field)?,
            _ => return None,
        };
        walked.push(field);
        for index in indexes.split('[').filter(|i| !i.is_empty()) {
            named.get_or_insert_with(|| walked.join("."));
            let i: usize = index.trim_end_matches(']').parse().ok()?;
            at = match at {
                Value::Array(_, items) => items.get(i)?,
                _ => return None,
            };
        }
    }
    if matches!(at, Value::Dict(..)) {
        return None;
    }
    figment
        .get_metadata(at.tag())
        .is_some_and(|m| m.name.contains("environment variable"))
        .then(|| setting_variable(key).unwrap_or_else(|| env_name(named.as_deref().unwrap_or(key))))
}

/// The environment variable that set the value at `path` in `value` (figment's path: keys and
/// list indexes), when one did: the value, or the deepest one the path reaches, came from the
/// environment. Named as it is set, not as the key would spell it: a table or list given whole
/// (`…__FAULTS='{script = […]}'`) is named by its own variable.
pub fn env_variable(figment: &Figment, value: &Value, path: &[String]) -> Option<String> {
    let mut at = value;
    for step in path {
        let next = match at {
            Value::Dict(_, dict) => dict.get(step),
            Value::Array(_, items) => step.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        match next {
            Some(next) => at = next,
            None => break,
        }
    }
    let from_env = figment
        .get_metadata(at.tag())
        .is_some_and(|m| m.name.contains("environment variable"));
    from_env.then(|| setting_variable(&path.join(".")))?
}

/// The `HOOKGATE__` variable set in the environment whose key is `key` or holds it (the
/// longest such), as it is spelt there.
fn setting_variable(key: &str) -> Option<String> {
    let fields = key_fields(key);
    hookgate_variables()
        .filter(|(_, steps)| {
            steps.len() <= fields.len() && steps.iter().zip(&fields).all(|(a, b)| a == b)
        })
        .max_by_key(|(_, steps)| steps.len())
        .map(|(name, _)| name)
}

/// The environment variables that set `key`, as a message names them: the one that holds it
/// (`HOOKGATE__INBOUND_AUTH__KEYS` for `inbound_auth.keys[0].scope`), else those beneath it
/// (`HOOKGATE__LIMTS__MAX_BODY_BYTES` for the table `limts` it made), as each is spelt where it
/// is set; the name that would set it where none is found.
fn variables_at(key: &str) -> String {
    if let Some(holder) = setting_variable(key) {
        return format!("environment variable {holder}");
    }
    match variables_beneath(key).as_slice() {
        [] => format!("environment variable {}", env_name(key)),
        [one] => format!("environment variable {one}"),
        many => format!("environment variables {}", many.join(", ")),
    }
}

/// The `HOOKGATE__` variables set in the environment whose keys lie inside the table `key`,
/// sorted.
fn variables_beneath(key: &str) -> Vec<String> {
    let fields = key_fields(key);
    let mut found: Vec<String> = hookgate_variables()
        .filter(|(_, steps)| {
            steps.len() > fields.len() && steps.iter().zip(&fields).all(|(a, b)| a == b)
        })
        .map(|(name, _)| name)
        .collect();
    found.sort();
    found
}

/// The names of a key's tables and its own, without list indexes:
/// `inbound_auth.keys[0].scope` is `inbound_auth`, `keys`, `scope`.
fn key_fields(key: &str) -> Vec<&str> {
    key.split('.')
        .map(|s| s.split('[').next().unwrap_or(s))
        .collect()
}

/// Each `HOOKGATE__` variable set in the environment, as it is spelt there, and the keys it
/// steps through, in lower case as settings are read.
fn hookgate_variables() -> impl Iterator<Item = (String, Vec<String>)> {
    let prefix = "HOOKGATE__";
    std::env::vars_os()
        .filter_map(|(name, _)| name.into_string().ok())
        .filter_map(move |name| {
            let rest = name
                .get(..prefix.len())
                .filter(|p| p.eq_ignore_ascii_case(prefix))
                .map(|_| &name[prefix.len()..])?;
            let steps = rest.split("__").map(str::to_ascii_lowercase).collect();
            Some((name, steps))
        })
}

/// The environment variable that sets `key`.
pub fn env_name(key: &str) -> String {
    format!("HOOKGATE__{}", key.replace('.', "__").to_ascii_uppercase())
}

/// What the key of `pattern`, of the sample value `shape`, takes: a number key its range.
fn kind(pattern: &str, shape: &Value) -> String {
    let said = match shape {
        Value::String(..) => "a string",
        Value::Num(..) => {
            return format!("a whole number, {}", range_text(range(pattern)));
        }
        Value::Bool(..) => "true or false",
        Value::Dict(..) => "a table",
        Value::Array(..) => "a list",
        _ => "a value",
    };
    said.to_owned()
}

fn num_text(n: &Num) -> String {
    n.to_u128()
        .map(|u| u.to_string())
        .or_else(|| n.to_i128().map(|i| i.to_string()))
        .or_else(|| n.to_f64().map(|f| f.to_string()))
        .unwrap_or_default()
}

/// Words as a message lists them: `` `a`, `b` or `c` ``.
pub fn list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}

/// The known name closest to `unknown`, if close enough to be a likely typo.
pub fn closest<'a>(unknown: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    known
        .filter(|k| *k != NAME)
        .map(|k| (strsim::jaro_winkler(unknown, k), k))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// `HOOKGATE_*` variables hookgate does not read: one underscore where two are meant
/// (`HOOKGATE_LISTEN` for `HOOKGATE__LISTEN`), or a setting that does not exist. Variables a
/// `token_env` names, and `HOOKGATE_CONFIG`, are hookgate's. Each comes with its likely meaning.
pub fn stray_env(token_envs: &[String]) -> Vec<ConfigProblem> {
    let keys = keys();
    let mut out = Vec::new();
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        let Some(rest) = name.strip_prefix("HOOKGATE_") else {
            continue;
        };
        if rest.starts_with('_')
            || name == "HOOKGATE_CONFIG"
            || token_envs.iter().any(|t| t == name)
        {
            continue;
        }
        let wanted = squash(rest);
        let meant = keys.iter().find_map(|k| {
            let (head, tail) = k.split_once(NAME).unwrap_or((k, ""));
            let (head, tail) = (squash(head), squash(tail));
            let hit = if k.contains(NAME) {
                wanted.len() > head.len() + tail.len()
                    && wanted.starts_with(&head)
                    && wanted.ends_with(&tail)
            } else {
                wanted == head
            };
            hit.then(|| env_name(&k.replace(NAME, "NAME")))
        });
        let message = match meant {
            Some(var) => format!(
                "is not read: settings take two underscores after HOOKGATE and between levels; did you mean {var}?"
            ),
            None => "is not read: hookgate reads HOOKGATE_CONFIG (the file) and HOOKGATE__SECTION__KEY settings".into(),
        };
        out.push(ConfigProblem {
            key: name.to_owned(),
            message,
        });
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

/// A key or variable name without separators, lower case: `limits.max_body_bytes` and
/// `LIMITS_MAX_BODY_BYTES` are both `limitsmaxbodybytes`.
fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_range_choice_and_path_names_a_key_a_configuration_may_set() {
        // A pattern misspelt here would leave its key unchecked: any number taken, any word.
        let keys = keys();
        let patterns = (RANGES.iter().map(|(p, _, _)| *p))
            .chain(CHOICES.iter().map(|(p, _)| *p))
            .chain(PATHS.iter().copied());
        for pattern in patterns {
            assert!(keys.iter().any(|k| k == pattern), "{pattern} is no key");
        }
    }

    #[test]
    fn suggests_close_names_only() {
        let known = ["timeout_ms", "retries", "backoff_ms"];
        assert_eq!(closest("timeout", known.into_iter()), Some("timeout_ms"));
        assert_eq!(closest("retry", known.into_iter()), Some("retries"));
        assert_eq!(closest("colour", known.into_iter()), None);
    }

    #[test]
    fn keys_cover_named_entries_and_lists_of_tables() {
        let keys = keys();
        for k in [
            "listen",
            "upstreams.<name>.auth.token_file",
            "inbound_auth.keys[].sha256",
            "limits.idle_timeout_ms",
            "tls.cert_file",
            "client.ca_files",
        ] {
            assert!(keys.iter().any(|x| x == k), "{k} missing from {keys:?}");
        }
    }
}
