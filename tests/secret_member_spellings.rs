//! A vendor's answer that spells the place of a webhook's signing secret more than one way: a
//! member on the way to it named twice (`{"data": {…secret…}, "data": {…}}`, the secret's own
//! member twice, `data` beside `DATA`), or the secret's member in another letter case
//! (`WEBHOOK_SECRET`), which a client whose parser ignores letter case (Go's `encoding/json`)
//! reads as the secret. A key without `webhooks:write` is never shown the secret so: a surface
//! that relays the vendor's bytes refuses an answer that names a member on the way twice (502
//! in the vendor's shape) and withholds a secret in another letter case as it withholds the
//! secret, on a get and on every item of a list; the canonical API and a surface in front of
//! another vendor, which write the answer anew, show it to no key.
//!
//! The vendors are doubles speaking the test dialects whose get and list answer JSON and whose
//! webhooks keep a secret at a member.

mod support;

use hookgate::mapping::Dialect;
use hookgate::mapping::json_path::{FieldPath, Step};
use hookgate::model::Action;
use hookgate::problem::Code;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use support::{Double, Reply, gateway, secret_file, send};

const READER: &str = "reader-key-0001";
const WRITER: &str = "writer-key-0002";

/// A webhook's signing secret as a vendor would answer it.
const SECRET: &str = "whsec_TOPSECRETSIGNINGKEY123";

fn keys() -> String {
    use sha2::Digest;
    let hash = |key: &str| format!("{:x}", sha2::Sha256::digest(key.as_bytes()));
    format!(
        "[inbound_auth]\nmode = \"api_keys\"\n\
         [[inbound_auth.keys]]\nname = \"reader\"\nsha256 = \"{}\"\nscopes = [\"webhooks:read\"]\n\
         [[inbound_auth.keys]]\nname = \"writer\"\nsha256 = \"{}\"\nscopes = [\"webhooks:read\", \"webhooks:write\"]\n",
        hash(READER),
        hash(WRITER)
    )
}

/// The keys of `path`, where it is made of keys alone.
fn keys_of(path: &FieldPath) -> Option<Vec<Step>> {
    let keyed = path.steps().iter().all(|s| matches!(s, Step::Key(_)));
    keyed.then(|| path.steps().to_vec())
}

/// Where `d`'s webhooks keep their secret: the first path of a secret's rule made of keys.
fn secret_path(d: &Dialect) -> Option<Vec<Step>> {
    let secret = d.webhook.rules.iter().filter(|r| r.target.is_secret());
    secret.flat_map(|r| r.path.iter()).find_map(keys_of)
}

/// The place of the webhook in `d`'s answer to `action` (of its second item, for a list's).
fn webhook_place(d: &Dialect, action: Action) -> Option<Vec<Step>> {
    let op = d.operation(action)?;
    op.response.as_ref()?;
    Some(match action {
        Action::List => {
            let mut at = keys_of(op.items_paths.first()?)?;
            at.push(Step::Index(1));
            at
        }
        _ => keys_of(op.item_paths.first()?)?,
    })
}

/// The test dialects this is about: JSON answers to a get and a list, each holding its
/// webhooks where a path of keys reads them, and a secret kept at a member.
fn dialects() -> Vec<Dialect> {
    let all = hookgate::mapping::load_dir(std::path::Path::new(support::TEST_DIALECTS)).unwrap();
    let fits = |d: &Dialect| {
        secret_path(d).is_some_and(|p| !p.is_empty())
            && d.form.is_none()
            && d.media_type.to_str().unwrap().ends_with("json")
            && d.webhook.reading("id").is_some()
            && !d.examples.is_empty()
            && webhook_place(d, Action::Get).is_some()
            && webhook_place(d, Action::List).is_some()
            && [Action::Get, Action::List]
                .iter()
                .all(|&a| owner_in_path(d, a))
    };
    let fit: Vec<Dialect> = all.into_iter().filter(fits).collect();
    let names: Vec<&str> = fit.iter().map(|d| d.name.as_str()).collect();
    assert!(fit.len() >= 3, "{names:?}");
    fit
}

/// Whether a request to `action` names its owner, where `d` has owners, in its path alone.
fn owner_in_path(d: &Dialect, action: Action) -> bool {
    let op = d.operation(action).unwrap();
    let at = |owner| op.path.render(&["", &d.base_path], Some(owner), Some("1"));
    d.owner.is_none() || (at("a") != at("b") && op.query.is_empty())
}

fn path(steps: &[Step]) -> FieldPath {
    FieldPath::of_steps(steps.to_vec())
}

/// `value` as JSON text, with the member at `at` written twice: first as `first`, then as it
/// is (or only as `first`, where `value` has no member there).
fn twice(value: &Value, at: &[Step], first: &Value) -> String {
    match (value, at) {
        (Value::Object(m), [Step::Key(key), rest @ ..]) => {
            let mut members: Vec<String> = Vec::new();
            for (k, v) in m {
                if k != key {
                    members.push(format!("{}:{v}", json!(k)));
                } else if rest.is_empty() {
                    members.push(format!("{}:{first}", json!(k)));
                    members.push(format!("{}:{v}", json!(k)));
                } else {
                    members.push(format!("{}:{}", json!(k), twice(v, rest, first)));
                }
            }
            format!("{{{}}}", members.join(","))
        }
        (Value::Array(items), [Step::Index(n), rest @ ..]) => {
            let items: Vec<String> = items
                .iter()
                .enumerate()
                .map(|(i, v)| match i == *n {
                    true => twice(v, rest, first),
                    false => v.to_string(),
                })
                .collect();
            format!("[{}]", items.join(","))
        }
        _ => panic!("nothing at {at:?} in {value}"),
    }
}

/// `at` with its last step a key named `name` instead.
fn renamed(at: &[Step], name: &str) -> Vec<Step> {
    let mut other = at.to_vec();
    *other.last_mut().unwrap() = Step::Key(name.to_owned());
    other
}

/// Each spelling of `answer` (whose webhooks show no secret) that shows the secret of its
/// webhook at `webhook` more than one way, where that webhook keeps it at `secret`: with
/// whether a relay refuses it (a member on the way named twice, in one letter case or two) or
/// withholds the secret as it does where the member is spelt as the mapping file spells it (a
/// secret's member in another letter case alone).
fn spellings(
    answer: &Value,
    webhook: &[Step],
    secret: &[Step],
) -> Vec<(&'static str, String, bool)> {
    let whole: Vec<Step> = webhook.iter().chain(secret).cloned().collect();
    let mut showing = answer.clone();
    path(&whole).set(&mut showing, Value::from(SECRET));
    let mut nulled = answer.clone();
    path(&whole).set(&mut nulled, Value::Null);
    // The first member on the way (after a list's item, where the list is the answer).
    let k = whole
        .iter()
        .position(|s| matches!(s, Step::Key(_)))
        .unwrap();
    let (Step::Key(head), Step::Key(last)) = (&whole[k], whole.last().unwrap()) else {
        unreachable!("a secret's path of keys")
    };
    let shown = path(&whole[..=k]).get(&showing).unwrap();
    let mut out = vec![
        (
            "the first member on the way twice",
            twice(&nulled, &whole[..=k], shown),
            true,
        ),
        (
            "the secret's member twice",
            twice(&nulled, &whole, &json!(SECRET)),
            true,
        ),
    ];
    // The first member on the way beside itself in capitals, which hold the secret.
    if head.to_uppercase() != *head {
        let mut beside = nulled.clone();
        let object = path(&whole[..k]).get_mut(&mut beside).unwrap();
        let mut members = serde_json::Map::new();
        for (name, v) in object.as_object().unwrap() {
            members.insert(name.clone(), v.clone());
            if name == head {
                members.insert(name.to_uppercase(), shown.clone());
            }
        }
        *object = Value::Object(members);
        out.push((
            "the first member on the way in capitals beside it",
            beside.to_string(),
            true,
        ));
    }
    let capitalised: String = last
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("_");
    for name in [last.to_uppercase(), capitalised] {
        if name == *last {
            continue;
        }
        let mut alone = answer.clone();
        path(&renamed(&whole, &name)).set(&mut alone, Value::from(SECRET));
        out.push((
            "the secret's member in another letter case",
            alone.to_string(),
            false,
        ));
        let mut beside = nulled.clone();
        path(&renamed(&whole, &name)).set(&mut beside, Value::from(SECRET));
        out.push((
            "the secret's member in another letter case beside it",
            beside.to_string(),
            true,
        ));
    }
    out
}

/// `d`'s answer to `action` as its mapping file writes it, its webhooks its documented one
/// with ids ending in 1 and 2, showing no secret.
fn answer_of(d: &Dialect, action: Action) -> Value {
    let webhook = |n: char| {
        let mut w = d.examples[0].clone();
        let at = d.webhook.reading("id").unwrap().path.as_ref().unwrap();
        let mut id = at.get(&w).unwrap().as_str().unwrap().to_owned();
        id.pop();
        id.push(n);
        at.set(&mut w, Value::from(id));
        for rule in d.webhook.rules.iter().filter(|r| r.target.is_secret()) {
            for p in rule.path.iter().chain(&rule.aliases) {
                drop(p.take(&mut w));
            }
        }
        w
    };
    let op = d.operation(action).unwrap();
    let slots = |slot: &str| match slot {
        "webhook" => Some(webhook('1')),
        "items" => Some(json!([webhook('1'), webhook('2')])),
        "done" => Some(Value::Bool(true)),
        "has_more" => Some(Value::Bool(false)),
        "count" => Some(Value::from(2)),
        _ => None,
    };
    op.response.as_ref().unwrap().render(&slots).unwrap()
}

/// The id the answers' first webhook has.
fn first_id(d: &Dialect) -> String {
    let at = d.webhook.reading("id").unwrap().path.as_ref().unwrap();
    let mut id = at.get(&d.examples[0]).unwrap().as_str().unwrap().to_owned();
    id.pop();
    id.push('1');
    id
}

/// The path of `action` at the surface of `d` under `prefix`.
fn surface_path(d: &Dialect, prefix: &str, action: Action, id: &str) -> String {
    let owner = support::owner(d);
    let op = d.operation(action).unwrap();
    let id = (action != Action::List).then_some(id);
    op.path
        .render(&[prefix, &d.base_path], owner.as_deref(), id)
}

/// What `d`'s surface answers for a failure of `code`: its status.
fn status_of(d: &Dialect, code: Code) -> u16 {
    d.errors.template_for(code).status.unwrap_or(code.status())
}

#[tokio::test]
async fn a_secret_spelt_more_than_one_way_reaches_no_key_without_webhooks_write() {
    let dialects = dialects();
    for (n, d) in dialects.iter().enumerate() {
        // A surface of another of them in front of the same vendor.
        let other = &dialects[(n + 1) % dialects.len()];
        let body = Arc::new(Mutex::new(String::new()));
        let answering = body.clone();
        let vendor = Double::answering(move |_| Reply::Raw {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: answering.lock().unwrap().clone(),
        })
        .await;
        let dir = tempfile::tempdir().unwrap();
        let token = secret_file(dir.path(), "t", "vendor-token");
        let name = &d.name;
        let gw = gateway(&format!(
            "mappings_dir = {:?}\n[url_policy]\nallow_private = true\n\
             [upstreams.vendor]\ndialect = \"{name}\"\nbase_url = {:?}\n\
             auth = {{ type = \"bearer\", token_file = {token:?} }}\nretries = 0\n\
             [surfaces.relayed]\ndialect = \"{name}\"\nupstream = \"vendor\"\nprefix = \"/r\"\n\
             [surfaces.translated]\ndialect = \"{}\"\nupstream = \"vendor\"\nprefix = \"/t\"\n{}",
            support::TEST_DIALECTS,
            vendor.url(),
            other.name,
            keys()
        ))
        .await;
        let id = first_id(d);
        let secret = secret_path(d).unwrap();
        for action in [Action::Get, Action::List] {
            let canonical = match action {
                Action::List => support::canonical_base(d, "vendor"),
                _ => format!("{}/{id}", support::canonical_base(d, "vendor")),
            };
            let relayed = surface_path(d, "/r", action, &id);
            let translated = surface_path(other, "/t", action, &id);
            let answer = answer_of(d, action);
            let webhook = webhook_place(d, action).unwrap();
            for (what, spelt, refused) in spellings(&answer, &webhook, &secret) {
                let case = format!("{name} {action:?} ({what}): {spelt}");
                *body.lock().unwrap() = spelt.clone();
                let read = send(gw.addr, "GET", &relayed, &[("x-api-key", READER)], None).await;
                let shown = String::from_utf8_lossy(&read.body).into_owned();
                assert!(!shown.contains(SECRET), "{case}: {shown}");
                if refused {
                    assert_eq!(
                        read.status,
                        status_of(d, Code::UpstreamError),
                        "{case}: {shown}"
                    );
                    assert!(shown.contains("cannot be shown without"), "{case}: {shown}");
                } else {
                    assert_eq!(read.status, 200, "{case}: {shown}");
                }
                // A key that may write reads the answer as the vendor wrote it.
                let written = send(gw.addr, "GET", &relayed, &[("x-api-key", WRITER)], None).await;
                assert_eq!(written.status, 200, "{case}");
                assert_eq!(String::from_utf8_lossy(&written.body), spelt, "{case}");
                // Answers written anew show the secret to no key.
                for (path, key) in [
                    (&canonical, READER),
                    (&canonical, WRITER),
                    (&translated, READER),
                    (&translated, WRITER),
                ] {
                    let anew = send(gw.addr, "GET", path, &[("x-api-key", key)], None).await;
                    let shown = String::from_utf8_lossy(&anew.body).into_owned();
                    assert!(!shown.contains(SECRET), "{case}: {path}: {shown}");
                }
                let anew = send(gw.addr, "GET", &canonical, &[("x-api-key", READER)], None).await;
                assert_eq!(anew.status, 200, "{case}: {canonical}");
            }
        }
        gw.stop().await;
    }
}
