//! Fixtures: webhooks (and faults) a test sets up in an emulator, from a file at start
//! (`--fixtures`, `fixtures = "…"`) or in a request body (`POST /__hookgate/webhooks`). Webhooks
//! are written in the vendor's own shape, as its API shows them, or in canonical terms.

use super::faults::Faults;
use crate::mapping::Dialect;
use crate::model::{self, Action};
use crate::problem::FieldError;
use crate::store::{self, Owned};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::Path;

/// The most webhooks one fixtures document may seed.
pub const MAX_WEBHOOKS: usize = 1_000;

/// A fixtures document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    /// How `webhooks` are written.
    #[serde(default)]
    pub shape: Shape,
    /// The owner of webhooks that name none (their vendor object may not carry it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The webhooks, each a JSON object.
    #[serde(default)]
    pub webhooks: Vec<Value>,
    /// Faults put in force, instead of the configured ones.
    #[serde(
        default,
        deserialize_with = "super::faults::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub faults: Option<Faults>,
}

/// How fixtures' webhooks are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// As the vendor's API shows a webhook (its documented `examples` are such objects).
    #[default]
    Vendor,
    /// The canonical webhook of hookgate's own API, `owner` included.
    Canonical,
}

impl Fixtures {
    /// Reads a fixtures file: TOML when its name ends in `.toml`, JSON otherwise.
    pub fn read(path: &Path) -> Result<Fixtures, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot be read: {e}"))?;
        if path.extension().is_some_and(|x| x == "toml") {
            toml::from_str(&text).map_err(|e| format!("is not a fixtures file: {e}"))
        } else {
            // Read as a request body is: a member named twice, or a number the store could
            // keep only as another, is refused rather than settled silently.
            crate::json::from_slice(text.as_bytes())
                .and_then(serde_json::from_value)
                .map_err(|e| format!("is not a fixtures file: {e}"))
        }
    }

    /// The webhooks in canonical terms, each with its owner; every problem is named under
    /// `webhooks[i]`.
    pub fn webhooks(&self, dialect: &Dialect) -> Result<Vec<Owned>, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.webhooks.len() > MAX_WEBHOOKS {
            errors.push(FieldError::new("webhooks", "at most 1000 webhooks at once"));
            return Err(errors);
        }
        let mut out = Vec::with_capacity(self.webhooks.len());
        // Where each id given was first, whatever its owner: the store mints each id once, so
        // a vendor never holds two webhooks of one id, and of two, one would be stored over
        // the other (or found in its place by id) without a word.
        let mut ids: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for (i, item) in self.webhooks.iter().enumerate() {
            let at = format!("webhooks[{i}]");
            let Value::Object(object) = item else {
                errors.push(FieldError::new(at, "expected an object"));
                continue;
            };
            let mut webhook = match self.shape {
                Shape::Canonical => object.clone(),
                Shape::Vendor => {
                    let read = match dialect.webhook.read(item) {
                        Ok(read) => read,
                        // A value its field cannot be: a webhook no answer of the vendor's
                        // could be read as.
                        Err(misread) => {
                            let name = dialect.webhook.vendor_name(misread.field);
                            errors.push(FieldError::new(
                                format!("{at}.{name}"),
                                format!("must be {}", misread.wanted),
                            ));
                            continue;
                        }
                    };
                    let mut refused = undecodable(dialect, item, &at);
                    refused.extend(unknown_members(dialect, &read, &at));
                    if !refused.is_empty() {
                        errors.extend(refused);
                        continue;
                    }
                    from_vendor(dialect, read, item)
                }
            };
            let owner = match webhook.shift_remove("owner") {
                Some(Value::String(o)) => Some(o),
                Some(Value::Null) | None => self.owner.clone(),
                Some(_) => {
                    errors.push(FieldError::new(format!("{at}.owner"), "must be a string"));
                    continue;
                }
            };
            owner_errors(&at, owner.as_deref(), dialect, &mut errors);
            if let Some(id) = store::given_id(webhook.get("id")) {
                let field = match self.shape {
                    Shape::Canonical => "id".to_owned(),
                    Shape::Vendor => dialect.webhook.vendor_name("id"),
                };
                // An id the vendor's own paths cannot name: the webhook would be listed, and
                // never read, changed or deleted.
                if let Some(why) = dialect.id_unfit_why(&id) {
                    errors.push(FieldError::new(
                        format!("{at}.{field}"),
                        format!("`{id}` names no webhook of this vendor, {why}"),
                    ));
                }
                match ids.get(&id) {
                    Some(first) => {
                        errors.push(FieldError::new(
                            format!("{at}.{field}"),
                            format!(
                                "`{id}` is the id of webhooks[{first}] too: give each webhook an id of its own"
                            ),
                        ));
                    }
                    None => {
                        ids.insert(id, i);
                    }
                }
            }
            for (name, value) in &webhook {
                match model::webhook_field(name) {
                    None => errors.push(FieldError::new(
                        format!("{at}.{name}"),
                        "is not a field of the canonical webhook",
                    )),
                    Some(field) => {
                        if !value.is_null()
                            && let Some(why) = model::type_error(field.kind, value, false)
                        {
                            errors.push(FieldError::new(format!("{at}.{name}"), why));
                        }
                    }
                }
            }
            // What the vendor's API could never show is refused now, not when it is read.
            if let Err(refused) = dialect.webhook.render(&store::as_seeded(dialect, &webhook)) {
                errors.extend(refused.into_iter().map(|e| {
                    FieldError::new(
                        format!("{at}.{}", e.field),
                        format!("cannot be shown by this vendor: {}", e.message),
                    )
                }));
            }
            out.push(Owned {
                owner,
                webhook,
                seq: None,
            });
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }
}

/// Whether a fixture's owner is one the vendor can hold: present where it keeps webhooks per
/// owner, in its declared format, and absent where it keeps none.
fn owner_errors(at: &str, owner: Option<&str>, dialect: &Dialect, errors: &mut Vec<FieldError>) {
    match (owner, &dialect.owner) {
        (None, Some(name)) => errors.push(FieldError::new(
            format!("{at}.owner"),
            format!("is required: the vendor keeps webhooks per owner ({name}); give `owner`"),
        )),
        (Some(_), None) => errors.push(FieldError::new(
            format!("{at}.owner"),
            "the vendor keeps no owners: leave it out",
        )),
        (Some(o), Some(_)) => {
            if !dialect.admits_owner(o) {
                let shape = dialect.describe_owner();
                errors.push(FieldError::new(
                    format!("{at}.owner"),
                    format!("is not an owner of this vendor: owners are {shape}"),
                ));
            }
        }
        (None, None) => {}
    }
}

/// The members of a vendor object that its rules cannot read (a timeout in milliseconds that
/// is no whole number of the canonical seconds, a flag that is no boolean): a webhook the
/// vendor could not have, and one that, kept as it came, would be read in the wrong unit.
fn undecodable(dialect: &Dialect, item: &Value, at: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for rule in &dialect.webhook.rules {
        let (Some(path), true) = (&rule.path, rule.response) else {
            continue;
        };
        let Some(value) = path.get(item).filter(|v| !v.is_null()) else {
            continue;
        };
        if let Err(e) = rule.codec.decode(value) {
            errors.push(FieldError::new(format!("{at}.{path}"), e.0));
        }
    }
    errors
}

/// The members of a vendor object that no rule of its mapping file covers, at any depth
/// (`bogus`, `config.bogus`, another vendor's `enabled`), unless the vendor's own
/// documented objects (the file's `examples`) show them: a member the vendor's webhooks never
/// have. Read from an answer, such a member is kept under `extensions` (nothing is lost);
/// seeded, it would make a webhook the vendor could never hold, answered with a member its
/// clients have never seen.
fn unknown_members(dialect: &Dialect, read: &Map<String, Value>, at: &str) -> Vec<FieldError> {
    let Some(Value::Object(leftovers)) = read.get("extensions") else {
        return Vec::new();
    };
    let unknown: Vec<&String> = leftovers
        .keys()
        .filter(|key| !dialect.webhook.names_extension(key))
        .collect();
    if unknown.is_empty() {
        return Vec::new(); // the usual fixture: every member has a rule
    }
    let documented: Vec<Map<String, Value>> = dialect
        .examples
        .iter()
        .filter_map(|example| dialect.webhook.read(example).ok())
        .collect();
    let shown_by_examples = |key: &str| {
        documented.iter().any(|example| {
            matches!(example.get("extensions"), Some(Value::Object(ext)) if ext.contains_key(key))
        })
    };
    unknown
        .into_iter()
        .filter(|key| !shown_by_examples(key))
        .map(|key| {
            FieldError::new(
                format!("{at}.{key}"),
                "is no member of this vendor's webhooks: its mapping file has no rule for it",
            )
        })
        .collect()
}

/// A vendor object in canonical terms (`read`, what the vendor's answers show of it), with
/// what its requests may carry besides (a write-only secret, fields its answers leave out).
fn from_vendor(dialect: &Dialect, read: Map<String, Value>, item: &Value) -> Map<String, Value> {
    let mut webhook = read;
    if let Ok(written) = dialect.webhook.parse(Action::Create, item) {
        for (k, v) in written {
            webhook.entry(k).or_insert(v);
        }
    }
    webhook
}
