//! Shared by the drop-in tests: a vendor surface of one dialect in front of an emulated upstream
//! of another, webhooks planted directly at that upstream, and comparison of response shapes.
#![allow(dead_code)]

pub use crate::support::id_text;
use crate::support::{Answer, send};
use hookgate::app::Running;
use serde_json::{Map, Value, json};
use std::net::SocketAddr;

/// The owner under which a surface of a dialect without owner scope (AgentMessage) keeps its
/// webhooks at an upstream that has one.
pub const DEFAULT_OWNER: &str = "6c0f1b52-3d0a-4f7e-9d5b-2f1c8e7a9b10";

pub const AUTH: (&str, &str) = ("authorization", "Bearer YOUR_TOKEN");

/// Two event names of an upstream's own vocabulary: the canonical model keeps them as they are,
/// so a client of any dialect subscribes with the upstream's names.
pub fn events(upstream: &str) -> [&'static str; 2] {
    match upstream {
        "talkover" => ["event_phone_call_started", "event_phone_call_ended"],
        "resemble" => ["pre_call", "post_call"],
        "agentmessage" => ["wallet.balance_low", "wallet.balance_zero"],
        "chirp" => ["MESSAGE_CREATED", "MESSAGE_DELIVERED"],
        other => panic!("no such dialect {other}"),
    }
}

fn shipped(dialect: &str) -> hookgate::mapping::Dialect {
    let dir = std::path::Path::new(crate::support::MAPPINGS);
    hookgate::mapping::load_dir(dir)
        .expect("the shipped mapping files compile")
        .into_iter()
        .find(|d| d.name == dialect)
        .unwrap_or_else(|| panic!("no dialect {dialect}"))
}

/// Whether a shipped dialect scopes webhooks by owner, as its mapping file says.
pub fn has_owner(dialect: &str) -> bool {
    shipped(dialect).has_owner()
}

/// Whether a shipped dialect's owners are UUIDs, as its mapping file says.
#[allow(dead_code)]
pub fn has_uuid_owners(dialect: &str) -> bool {
    shipped(dialect)
        .owner_format
        .is_some_and(|f| f == hookgate::mapping::url::Format::Uuid)
}

/// The config of one emulated upstream of `upstream`'s dialect, named after it, and one surface
/// of `client`'s dialect in front of it: mounted under `/surfaces/<client>`, or on a listener of
/// its own when `own_listener` (then the client's paths are the vendor's, unchanged). Where only
/// one side has an owner scope, the surface bridges one owner: `client_owner` (the one the
/// client's paths name) or [`DEFAULT_OWNER`] at the upstream.
pub fn config(client: &str, upstream: &str, own_listener: bool, client_owner: &str) -> String {
    let place = if own_listener {
        "listen = \"127.0.0.1:0\"".to_owned()
    } else {
        format!("prefix = \"/surfaces/{client}\"")
    };
    let owner = match (has_owner(client), has_owner(upstream)) {
        (true, false) => format!("owner = \"{client_owner}\"\n"),
        (false, true) => format!("owner = \"{DEFAULT_OWNER}\"\n"),
        _ => String::new(),
    };
    // The main listener too takes a free port (the test harness adds this only to a config
    // that names no `listen` at all).
    format!(
        "listen = \"127.0.0.1:0\"\n\n[upstreams.{upstream}]\ndialect = \"{upstream}\"\nemulate = true\n\n\
         [surfaces.{client}]\ndialect = \"{client}\"\nupstream = \"{upstream}\"\n{place}\n{owner}"
    )
}

/// Creates a webhook directly at the emulated upstream, through that vendor's own API, as another
/// application would; returns its id as a string.
pub async fn plant(running: &Running, upstream: &str, owner: &str, event: &str) -> String {
    let addr: SocketAddr = running.emulators[upstream];
    let url = "https://hooks.example.com/planted";
    let (path, body) = match upstream {
        "talkover" => (
            format!("/api/v1/agents/{owner}/webhooks"),
            json!({"name": "Planted", "webhook_url": url, "events": [event]}),
        ),
        "resemble" => (
            format!("/api/v2/agents/{owner}/webhooks"),
            json!({"webhook_type": event, "webhook_config": {"api_schema": {"url": url, "method": "POST"}, "assignments": []}}),
        ),
        "agentmessage" => (
            "/v1/webhooks".to_owned(),
            json!({"url": url, "events": [event], "description": "Planted"}),
        ),
        "chirp" => (
            format!("/v1/organization/apps/{owner}/webhooks"),
            json!({"url": url, "events": [event]}),
        ),
        other => panic!("no such dialect {other}"),
    };
    let answer = send(addr, "POST", &path, &[AUTH], Some(&body)).await;
    assert!(
        (200..300).contains(&answer.status),
        "planting at {upstream}: {}",
        text(&answer)
    );
    let body = answer.json();
    let item = match upstream {
        "talkover" => &body["data"],
        "resemble" => &body["item"],
        _ => &body,
    };
    id_text(&item["id"])
}

pub fn text(answer: &Answer) -> String {
    format!(
        "{} {}",
        answer.status,
        String::from_utf8_lossy(&answer.body)
    )
}

/// Asserts a status and an exact JSON body.
pub fn assert_exact(answer: &Answer, status: u16, body: &Value, what: &str) {
    assert_eq!(
        (answer.status, &answer.json()),
        (status, body),
        "{what}: {}",
        text(answer)
    );
}

/// Where two JSON documents differ in shape: the same object keys at every level (minus the
/// dotted paths in `absent`, plus those in `extra`), and the same JSON type wherever both hold
/// a non-null value. Arrays are compared by their first items.
pub fn shape_differences(
    documented: &Value,
    actual: &Value,
    absent: &[&str],
    extra: &[&str],
) -> Vec<String> {
    let mut out = Vec::new();
    walk(documented, actual, "", absent, extra, &mut out);
    out
}

fn walk(
    doc: &Value,
    got: &Value,
    at: &str,
    absent: &[&str],
    extra: &[&str],
    out: &mut Vec<String>,
) {
    let join = |k: &str| {
        if at.is_empty() {
            k.to_owned()
        } else {
            format!("{at}.{k}")
        }
    };
    match (doc, got) {
        (Value::Object(d), Value::Object(g)) => {
            for (k, dv) in d {
                let path = join(k);
                match g.get(k) {
                    None if absent.contains(&path.as_str()) => {}
                    None => out.push(format!("missing `{path}`")),
                    Some(_) if absent.contains(&path.as_str()) => {
                        out.push(format!("`{path}` was expected to be absent"))
                    }
                    Some(gv) => walk(dv, gv, &path, absent, extra, out),
                }
            }
            for k in g.keys().filter(|k| !d.contains_key(*k)) {
                let path = join(k);
                if !extra.contains(&path.as_str()) {
                    out.push(format!("undocumented `{path}`"));
                }
            }
        }
        (Value::Array(d), Value::Array(g)) => {
            if let (Some(dv), Some(gv)) = (d.first(), g.first()) {
                walk(dv, gv, &format!("{at}[]"), absent, extra, out);
            }
        }
        (Value::Null, _) | (_, Value::Null) => {}
        (d, g) if kind(d) != kind(g) => out.push(format!(
            "`{at}` is a {} where a {} is documented",
            kind(g),
            kind(d)
        )),
        _ => {}
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The members of a JSON object, without the ones named (values that differ by nature).
pub fn without(value: &Value, keys: &[&str]) -> Value {
    let mut map: Map<String, Value> = value.as_object().cloned().unwrap_or_default();
    for k in keys {
        map.shift_remove(*k);
    }
    Value::Object(map)
}
