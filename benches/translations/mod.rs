//! The translations that `benches/translate.rs` times and `examples/translate_ir.rs` counts:
//! for every shipped dialect and each direction, the mapping-driven translation and the same
//! mapping written by hand as typed serde code, both from the same input bytes to JSON bytes.
//!
//! | direction | input | mapping-driven |
//! |---|---|---|
//! | `read` | the mapping file's documented vendor object | [`ObjectMap::reader`] or [`ObjectMap::read_owned`], as the gateway reads a fetched webhook |
//! | `render` | that object read into canonical terms | [`ObjectMap::render`] |
//! | `write` | the canonical object without read-only members, as an update | [`ObjectMap::write`] |
//!
//! The hand-written side is what a developer would write for one vendor: typed structs for the
//! vendor's documented fields, a conversion, and serde for parsing and printing. [`cases`]
//! checks that both sides print the same JSON (member order aside) before anything is timed.
//!
//! [`ObjectMap::read_owned`]: hookgate::mapping::rules::ObjectMap::read_owned
//! [`ObjectMap::reader`]: hookgate::mapping::rules::ObjectMap::reader
//! [`ObjectMap::render`]: hookgate::mapping::rules::ObjectMap::render
//! [`ObjectMap::write`]: hookgate::mapping::rules::ObjectMap::write

#![allow(dead_code)]

/// The gateway's own allocator (see `src/main.rs`), so that both sides allocate as they would
/// in the gateway.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use hookgate::json;
use hookgate::mapping::Dialect;
use hookgate::mapping::rules::{Item, Reader};
use hookgate::model::Action;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// One direction of a translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Read,
    Render,
    Write,
}

impl Direction {
    pub const ALL: [Direction; 3] = [Direction::Read, Direction::Render, Direction::Write];

    pub fn name(self) -> &'static str {
        match self {
            Direction::Read => "read",
            Direction::Render => "render",
            Direction::Write => "write",
        }
    }

    pub fn parse(name: &str) -> Option<Direction> {
        Direction::ALL.into_iter().find(|d| d.name() == name)
    }
}

/// A translation from JSON bytes to JSON bytes.
pub type Translate = fn(&[u8]) -> Vec<u8>;

/// One dialect and direction: its input, and both ways of translating it.
pub struct Case<'d> {
    pub dialect: &'d Dialect,
    pub direction: Direction,
    pub input: Vec<u8>,
    pub handwritten: Translate,
}

impl Case<'_> {
    /// The mapping-driven translation, JSON parsing and printing included as on the wire:
    /// parsed as the gateway parses a vendor's answer (read, render) or a client's request
    /// body (write, where a repeated key is refused).
    pub fn mapped(&self, input: &[u8]) -> Vec<u8> {
        let map = &self.dialect.webhook;
        let object = |strict: bool| {
            let parsed = if strict {
                json::from_slice(input)
            } else {
                json::from_slice_lenient(input)
            };
            match parsed.unwrap() {
                Value::Object(m) => m,
                other => panic!("not an object: {other}"),
            }
        };
        let out = match self.direction {
            // Read while parsed where the gateway reads a fetched webhook so (one place in the
            // answer), else parsed whole first.
            Direction::Read => match self.read_while_parsing() {
                Some(reader) => {
                    // The gateway holds the answer as shared bytes already.
                    let source = bytes::Bytes::copy_from_slice(input);
                    match json::read_at(&source, &[] as &[&str], |scan| reader.read(scan, &source))
                        .unwrap()
                    {
                        (_, Some(Item::Read(m))) => {
                            let mut out = Vec::with_capacity(input.len());
                            m.write(&mut out);
                            return out;
                        }
                        (_, other) => panic!("not read: {other:?}"),
                    }
                }
                None => map
                    .read_owned(json::from_slice_lenient(input).unwrap())
                    .unwrap(),
            },
            Direction::Render => return print(&map.render(&object(false)).unwrap()),
            Direction::Write => {
                return print(
                    &map.write(Action::Update, &object(true), false)
                        .unwrap()
                        .body,
                );
            }
        };
        print(&out)
    }

    pub fn name(&self) -> String {
        format!("{}/{}", self.dialect.name, self.direction.name())
    }

    /// The reader the gateway uses on this dialect's answer to a `get`, if it uses one.
    pub fn read_while_parsing(&self) -> Option<Reader<'_>> {
        let get = self.dialect.operation(Action::Get)?;
        self.dialect.webhook_reader(get).map(|(_, reader)| reader)
    }
}

/// Every dialect and direction that has a hand-written counterpart, checked to agree.
pub fn cases(dialects: &[Dialect]) -> Vec<Case<'_>> {
    let mut out = Vec::new();
    for dialect in dialects {
        let example = dialect
            .examples
            .first()
            .expect("every shipped file has an example");
        let vendor = serde_json::to_vec(example).unwrap();
        let canonical = dialect.webhook.read(example).unwrap();
        let request = update_request(dialect, &canonical);
        for direction in Direction::ALL {
            let Some(handwritten) = handwritten(&dialect.name, direction) else {
                continue;
            };
            let input = match direction {
                Direction::Read => vendor.clone(),
                Direction::Render => serde_json::to_vec(&canonical).unwrap(),
                Direction::Write => serde_json::to_vec(&request).unwrap(),
            };
            let case = Case {
                dialect,
                direction,
                input,
                handwritten,
            };
            let mapped: Value = serde_json::from_slice(&case.mapped(&case.input)).unwrap();
            let by_hand: Value = serde_json::from_slice(&handwritten(&case.input)).unwrap();
            assert_eq!(
                mapped,
                by_hand,
                "{}: the hand-written translation differs",
                case.name()
            );
            out.push(case);
        }
    }
    out
}

/// A canonical webhook as a client would send it back as an update: without the members no
/// client may write, and without extensions the dialect does not write.
fn update_request(dialect: &Dialect, canonical: &Map<String, Value>) -> Map<String, Value> {
    let mut request = canonical.clone();
    for read_only in [
        "id",
        "owner",
        "status",
        "created_at",
        "updated_at",
        "api_version",
        "secret",
    ] {
        request.shift_remove(read_only);
    }
    if let Some(Value::Object(ext)) = request.get_mut("extensions") {
        ext.retain(|k, _| {
            dialect
                .webhook
                .carries(&format!("extensions.{k}"), Action::Update)
        });
        if ext.is_empty() {
            request.shift_remove("extensions");
        }
    }
    request
}

/// The hand-written translation of a dialect and direction, where there is one.
pub fn handwritten(dialect: &str, direction: Direction) -> Option<Translate> {
    use Direction::*;
    Some(match (dialect, direction) {
        ("talkover", Read) => talkover::read,
        ("talkover", Render) => talkover::render,
        ("talkover", Write) => talkover::write,
        ("resemble", Read) => resemble::read,
        ("resemble", Render) => resemble::render,
        ("resemble", Write) => resemble::write,
        ("chirp", Read) => chirp::read,
        ("chirp", Render) => chirp::render,
        ("chirp", Write) => chirp::write,
        ("agentmessage", Read) => agentmessage::read,
        ("agentmessage", Render) => agentmessage::render,
        ("agentmessage", Write) => agentmessage::write,
        _ => return None,
    })
}

/// The canonical webhook as typed code would hold it; `E` is a dialect's extensions.
#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Canonical<E> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    events: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    headers: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    timeout_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_retries: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    api_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    updated_at: Option<String>,
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    extensions: Option<E>,
}

fn none<E>() -> Option<E> {
    None
}

/// A dialect without extensions of its own.
#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NoExtensions {}

/// Parsed as the gateway parses: the whole document checked as UTF-8 once, then read as `str`.
fn parse<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> T {
    serde_json::from_str(std::str::from_utf8(bytes).unwrap()).unwrap()
}

fn print<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

mod talkover {
    use super::*;

    #[derive(Serialize, Deserialize)]
    struct Webhook {
        id: String,
        agent_id: String,
        name: String,
        webhook_url: String,
        events: Vec<String>,
        timeout: i64,
        max_retries: i64,
        enabled: bool,
        created_at: String,
        updated_at: String,
        status: String,
        /// Derived from `events` when rendering; ignored when reading.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        events_count: Option<usize>,
    }

    #[derive(Serialize, Deserialize, Default)]
    #[serde(deny_unknown_fields)]
    struct Update {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        webhook_url: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        events: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_retries: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        enabled: Option<bool>,
    }

    fn status_in(s: &str) -> &'static str {
        match s {
            "active" => "active",
            "error" => "failing",
            _ => "disabled",
        }
    }

    fn status_out(s: &str) -> &'static str {
        match s {
            "active" => "active",
            "failing" => "error",
            _ => "disabled",
        }
    }

    pub fn read(bytes: &[u8]) -> Vec<u8> {
        let v: Webhook = parse(bytes);
        print(&Canonical::<NoExtensions> {
            id: Some(v.id),
            owner: Some(v.agent_id),
            url: Some(v.webhook_url),
            events: Some(v.events),
            enabled: Some(v.enabled),
            description: Some(v.name),
            timeout_seconds: Some(v.timeout),
            max_retries: Some(v.max_retries),
            status: Some(status_in(&v.status).to_owned()),
            created_at: Some(v.created_at),
            updated_at: Some(v.updated_at),
            ..Canonical::default()
        })
    }

    pub fn render(bytes: &[u8]) -> Vec<u8> {
        let c: Canonical<NoExtensions> = parse(bytes);
        let events = c.events.unwrap_or_default();
        print(&Webhook {
            id: c.id.unwrap_or_default(),
            agent_id: c.owner.unwrap_or_default(),
            name: c.description.unwrap_or_default(),
            webhook_url: c.url.unwrap_or_default(),
            events_count: Some(events.len()),
            events,
            timeout: c.timeout_seconds.unwrap_or(30),
            max_retries: c.max_retries.unwrap_or(3),
            enabled: c.enabled.unwrap_or(true),
            created_at: c.created_at.unwrap_or_default(),
            updated_at: c.updated_at.unwrap_or_default(),
            status: status_out(c.status.as_deref().unwrap_or("")).to_owned(),
        })
    }

    pub fn write(bytes: &[u8]) -> Vec<u8> {
        let c: Canonical<NoExtensions> = parse(bytes);
        print(&Update {
            name: c.description,
            webhook_url: c.url,
            events: c.events,
            timeout: c.timeout_seconds,
            max_retries: c.max_retries,
            enabled: c.enabled,
        })
    }
}

mod resemble {
    use super::*;

    #[derive(Serialize, Deserialize)]
    struct Webhook {
        id: i64,
        webhook_type: String,
        webhook_config: Config,
        created_at: String,
        updated_at: String,
    }

    #[derive(Serialize, Deserialize, Default)]
    #[serde(deny_unknown_fields)]
    struct Config {
        #[serde(skip_serializing_if = "Option::is_none")]
        api_schema: Option<Schema>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        assignments: Option<Vec<Value>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response_timeout_secs: Option<i64>,
    }

    #[derive(Serialize, Deserialize, Default)]
    #[serde(deny_unknown_fields)]
    struct Schema {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        method: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_headers: Option<BTreeMap<String, String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_body: Option<Value>,
    }

    #[derive(Serialize, Deserialize, Default)]
    #[serde(deny_unknown_fields)]
    struct Extensions {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        assignments: Option<Vec<Value>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_body: Option<Value>,
    }

    #[derive(Serialize)]
    struct Update {
        webhook_config: Config,
        #[serde(skip_serializing_if = "Option::is_none")]
        webhook_type: Option<String>,
    }

    fn single(events: Option<Vec<String>>) -> Option<String> {
        match events {
            Some(mut one) if one.len() == 1 => one.pop(),
            Some(_) => panic!("one webhook type per webhook"),
            None => None,
        }
    }

    fn config(c: &mut Canonical<Extensions>) -> Config {
        let ext = c.extensions.take().unwrap_or_default();
        Config {
            api_schema: Some(Schema {
                url: c.url.take(),
                method: c.method.take(),
                request_headers: c.headers.take(),
                request_body: ext.request_body,
            }),
            assignments: ext.assignments,
            response_timeout_secs: c.timeout_seconds,
        }
    }

    pub fn read(bytes: &[u8]) -> Vec<u8> {
        let v: Webhook = parse(bytes);
        let schema = v.webhook_config.api_schema.unwrap_or_default();
        print(&Canonical {
            id: Some(v.id.to_string()),
            url: schema.url,
            events: Some(vec![v.webhook_type]),
            headers: schema.request_headers,
            method: schema.method,
            timeout_seconds: v.webhook_config.response_timeout_secs,
            created_at: Some(v.created_at),
            updated_at: Some(v.updated_at),
            extensions: Some(Extensions {
                assignments: v.webhook_config.assignments,
                request_body: schema.request_body,
            }),
            ..Canonical::default()
        })
    }

    pub fn render(bytes: &[u8]) -> Vec<u8> {
        let mut c: Canonical<Extensions> = parse(bytes);
        print(&Webhook {
            id: c.id.as_deref().unwrap_or("0").parse().unwrap(),
            webhook_type: single(c.events.take()).unwrap_or_default(),
            webhook_config: config(&mut c),
            created_at: c.created_at.unwrap_or_default(),
            updated_at: c.updated_at.unwrap_or_default(),
        })
    }

    pub fn write(bytes: &[u8]) -> Vec<u8> {
        let mut c: Canonical<Extensions> = parse(bytes);
        print(&Update {
            webhook_type: single(c.events.take()),
            webhook_config: config(&mut c),
        })
    }
}

mod chirp {
    use super::*;

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Webhook {
        id: String,
        app_id: String,
        url: String,
        events: Vec<String>,
        headers: Option<BTreeMap<String, String>>,
        created_at: String,
        updated_at: String,
    }

    #[derive(Serialize)]
    struct Update {
        #[serde(skip_serializing_if = "Option::is_none")]
        url: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        events: Option<Vec<String>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        headers: Option<BTreeMap<String, String>>,
    }

    pub fn read(bytes: &[u8]) -> Vec<u8> {
        let v: Webhook = parse(bytes);
        print(&Canonical::<NoExtensions> {
            id: Some(v.id),
            owner: Some(v.app_id),
            url: Some(v.url),
            events: Some(v.events),
            headers: v.headers,
            created_at: Some(v.created_at),
            updated_at: Some(v.updated_at),
            ..Canonical::default()
        })
    }

    pub fn render(bytes: &[u8]) -> Vec<u8> {
        let c: Canonical<NoExtensions> = parse(bytes);
        print(&Webhook {
            id: c.id.unwrap_or_default(),
            app_id: c.owner.unwrap_or_default(),
            url: c.url.unwrap_or_default(),
            events: c.events.unwrap_or_default(),
            headers: c.headers,
            created_at: c.created_at.unwrap_or_default(),
            updated_at: c.updated_at.unwrap_or_default(),
        })
    }

    pub fn write(bytes: &[u8]) -> Vec<u8> {
        let c: Canonical<NoExtensions> = parse(bytes);
        print(&Update {
            url: c.url,
            events: c.events,
            headers: c.headers,
        })
    }
}

mod agentmessage {
    use super::*;

    #[derive(Serialize, Deserialize)]
    struct Webhook {
        id: String,
        org_id: String,
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        events: Vec<String>,
        active: bool,
        api_version: String,
        created_at: String,
        updated_at: String,
        deleted_at: Option<String>,
    }

    #[derive(Serialize, Deserialize, Default)]
    #[serde(deny_unknown_fields)]
    struct Extensions {
        deleted_at: Option<String>,
        org_id: String,
    }

    #[derive(Serialize)]
    struct Update {
        #[serde(skip_serializing_if = "Option::is_none")]
        url: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        events: Option<Vec<String>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        active: Option<bool>,
    }

    /// An empty label is no label.
    fn label(s: Option<String>) -> Option<String> {
        s.filter(|s| !s.trim().is_empty())
    }

    pub fn read(bytes: &[u8]) -> Vec<u8> {
        let v: Webhook = parse(bytes);
        print(&Canonical {
            id: Some(v.id),
            url: Some(v.url),
            events: Some(v.events),
            enabled: Some(v.active),
            description: label(v.description),
            api_version: Some(v.api_version),
            created_at: Some(v.created_at),
            updated_at: Some(v.updated_at),
            extensions: Some(Extensions {
                deleted_at: v.deleted_at,
                org_id: v.org_id,
            }),
            ..Canonical::default()
        })
    }

    pub fn render(bytes: &[u8]) -> Vec<u8> {
        let c: Canonical<Extensions> = parse(bytes);
        let ext = c.extensions.unwrap_or_default();
        print(&Webhook {
            id: c.id.unwrap_or_default(),
            org_id: ext.org_id,
            url: c.url.unwrap_or_default(),
            description: c.description,
            events: c.events.unwrap_or_default(),
            active: c.enabled.unwrap_or(true),
            api_version: c.api_version.unwrap_or_default(),
            created_at: c.created_at.unwrap_or_default(),
            updated_at: c.updated_at.unwrap_or_default(),
            deleted_at: ext.deleted_at,
        })
    }

    pub fn write(bytes: &[u8]) -> Vec<u8> {
        let c: Canonical<NoExtensions> = parse(bytes);
        print(&Update {
            url: c.url,
            description: c.description,
            events: c.events,
            active: c.enabled,
        })
    }
}
