//! Lists of which the rules read some items only (`urls`, of which `url` is `urls[0]`): the
//! items no rule reads, refused by name where nothing would keep them, kept whole beside the
//! fields where the webhooks are this dialect's own (an emulator's), and found for the checks
//! that hold every item as they hold the one a rule reads.

use super::{ObjectMap, Rule};
use crate::mapping::json_path::{FieldPath, Step};
use crate::model::Action;
use crate::problem::FieldError;
use serde_json::{Map, Value};

/// A list of which rules read some items, and the rules that read them.
struct ItemList<'r> {
    /// Where the list lies in the vendor's object (`urls`, `config.urls`).
    list: FieldPath,
    /// Each rule that reads into an item, the item's index, and where in the item it reads
    /// (empty for the item itself; `url` for `targets[0].url`).
    readers: Vec<(&'r Rule, usize, FieldPath)>,
}

impl ItemList<'_> {
    /// Whether a rule that requests carry reads an item of it: a client may send the list.
    fn requested(&self) -> bool {
        self.readers.iter().any(|(r, _, _)| r.request)
    }

    /// The indexes that rules requests carry read.
    fn read_by_requests(&self) -> Vec<usize> {
        let requested = self.readers.iter().filter(|(r, _, _)| r.request);
        requested.map(|(_, i, _)| *i).collect()
    }

    /// Whether the list `dialect` holds has an item that no rule requests carry reads (a
    /// `null` item is no value).
    fn holds_unread(&self, dialect: &Value) -> bool {
        let Some(Value::Array(items)) = self.list.get(dialect) else {
            return false;
        };
        let read = self.read_by_requests();
        (items.iter().enumerate()).any(|(i, item)| !item.is_null() && !read.contains(&i))
    }

    /// Where in the vendor's object a rule reading `inside` item `i` of the list would read
    /// (`urls[1]`, `targets[1].url`).
    fn place(&self, i: usize, inside: &FieldPath) -> FieldPath {
        let steps = self.list.steps().iter().cloned();
        let steps = steps
            .chain([Step::Index(i)])
            .chain(inside.steps().iter().cloned());
        FieldPath::of_steps(steps.collect())
    }

    /// The name reading an answer keeps the list under in `extensions`, where it would be found
    /// at its place again (a list in an object the rules do not reach into, say, is not).
    fn kept_as(&self, map: &ObjectMap) -> Option<String> {
        let key = self.list.to_string();
        let by_keys = self.list.keys().is_some() && !self.list.is_root();
        (by_keys && !map.names_extension(&key) && map.leftover_path(&key) == self.list)
            .then_some(key)
    }
}

impl ObjectMap {
    /// The lists of which rules read some items, each once.
    fn item_lists(&self) -> Vec<ItemList<'_>> {
        let mut lists: Vec<ItemList<'_>> = Vec::new();
        for rule in &self.rules {
            let (Some(path), Some(item)) = (&rule.path, &rule.list_item) else {
                continue;
            };
            let inside = FieldPath::of_steps(path.steps()[item.list.steps().len() + 1..].to_vec());
            match lists.iter_mut().find(|l| l.list == item.list) {
                Some(found) => found.readers.push((rule, item.index, inside)),
                None => lists.push(ItemList {
                    list: item.list.clone(),
                    readers: vec![(rule, item.index, inside)],
                }),
            }
        }
        lists
    }

    /// A client's list of which the rules read some items only, holding others: refused under
    /// the field of its first rule rather than taken without them, where nothing would keep
    /// the others (webhooks of another vendor, which hold no such list).
    pub fn items_unread(&self, dialect: &Value) -> Vec<FieldError> {
        let lists = self.item_lists();
        (lists.iter())
            .filter_map(|list| unread_refused(list, dialect))
            .collect()
    }

    /// Keeps in a canonical `body`, read from a client's `dialect` body of `action`, each list
    /// of which the rules read some items whole, under `extensions` as reading an answer keeps
    /// it, for webhooks held as this dialect's (an emulator's): what the client sent is what
    /// the vendor holds, every item of it. A list sent empty or `null` is none kept, and so is
    /// the list of a field the body changes without sending the list (requests that spell it
    /// elsewhere, `write_as`, replace the list by that one value; a replacement that leaves it
    /// out clears it); a body that names neither leaves it as it is. An item that the checks
    /// of the rule reading the first refuse is refused by name, as is a list that could not
    /// be kept where it lies.
    pub fn keep_lists(
        &self,
        action: Action,
        dialect: &Value,
        body: &mut Map<String, Value>,
    ) -> Vec<FieldError> {
        let mut errors = Vec::new();
        for list in self.item_lists() {
            let sent = match list.requested() {
                true => list.list.get(dialect),
                false => None,
            };
            let changed = (list.readers.iter()).any(|(r, _, _)| r.target.get(body).is_some());
            let kept = match sent {
                Some(Value::Array(items)) if items.iter().any(|i| !i.is_null()) => {
                    errors.extend(self.items_refused(&list, items));
                    Value::Array(items.clone())
                }
                Some(Value::Array(_) | Value::Null) => Value::Null,
                None if changed => Value::Null,
                _ => continue,
            };
            if kept.is_null() && action == Action::Create {
                continue;
            }
            let Some(key) = list.kept_as(self) else {
                errors.extend(unread_refused(&list, dialect));
                continue;
            };
            let extensions = body
                .entry("extensions")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(extensions) = extensions {
                extensions.insert(key, kept);
            }
        }
        errors
    }

    /// The items of a list a client sent, other than those rules read, that the checks of the
    /// rule reading the first item refuse (a vendor holds each URL of `urls` to what it holds
    /// the first to), each named by its place.
    fn items_refused(&self, list: &ItemList<'_>, items: &[Value]) -> Vec<FieldError> {
        let read = list.read_by_requests();
        let Some((rule, _, inside)) = list.readers.iter().find(|(r, _, _)| r.request) else {
            return Vec::new();
        };
        let mut errors = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let Some(value) = inside.get(item).filter(|v| !v.is_null()) else {
                continue;
            };
            if read.contains(&i) {
                continue;
            }
            if let Some(message) = rule.checks.iter().find_map(|c| c.test(value, false)) {
                let place = list.place(i, inside);
                errors.push(FieldError::new(
                    rule.target.name(),
                    format!("`{place}` {message}"),
                ));
            }
        }
        errors
    }

    /// The values of canonical field `name` beside the one its rule reads, in the lists a
    /// vendor's body holds (the other URLs of `urls`, of which `url` is `urls[0]`), each with
    /// its place (`urls[1]`): held to what the field is held to, since the vendor keeps them.
    /// The lists are a client's as it sent them, or those [`ObjectMap::keep_lists`] kept in a
    /// canonical body, as `body` says.
    pub fn beside<'v>(&self, name: &str, body: Beside<'v>) -> Vec<(String, &'v Value)> {
        let mut found = Vec::new();
        for list in self.item_lists() {
            let Some((_, index, inside)) = (list.readers.iter())
                .find(|(r, _, _)| r.target.is(name) && (r.request || body.is_kept()))
            else {
                continue;
            };
            let items = match body {
                Beside::Sent(dialect) => list.list.get(dialect),
                Beside::Kept(canonical) => list
                    .kept_as(self)
                    .and_then(|key| canonical.get("extensions")?.get(key)),
            };
            let Some(Value::Array(items)) = items else {
                continue;
            };
            for (i, item) in items.iter().enumerate().filter(|(i, _)| i != index) {
                if let Some(value) = inside.get(item).filter(|v| !v.is_null()) {
                    found.push((list.place(i, inside).to_string(), value));
                }
            }
        }
        found
    }
}

/// Where [`ObjectMap::beside`] finds the lists.
#[derive(Clone, Copy)]
pub enum Beside<'v> {
    /// A vendor client's body, as it was sent.
    Sent(&'v Value),
    /// A canonical body, the lists kept under `extensions`.
    Kept(&'v Map<String, Value>),
}

impl Beside<'_> {
    fn is_kept(&self) -> bool {
        matches!(self, Beside::Kept(_))
    }
}

/// The refusal of the items of `list` in `dialect` that no rule reads, if it holds any.
fn unread_refused(list: &ItemList<'_>, dialect: &Value) -> Option<FieldError> {
    let (rule, _, _) = list.readers.iter().find(|(r, _, _)| r.request)?;
    if !list.holds_unread(dialect) {
        return None;
    }
    let Some(Value::Array(items)) = list.list.get(dialect) else {
        return None;
    };
    let path = rule.path.as_ref()?;
    Some(FieldError::new(
        rule.target.name(),
        format!(
            "`{}` holds {} values, and only the one at `{path}` can be kept: send that one alone",
            list.list,
            items.len()
        ),
    ))
}
