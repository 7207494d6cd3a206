//! What a surface relaying to an upstream of its own dialect passes on of a sloppy vendor's
//! answer, and what the canonical API and a translating surface make of the same answer: no
//! webhook's signing secret to a key that may not read one, wherever the vendor shows it; no
//! answer in a content coding (hookgate asks for none); hookgate's own credential however the
//! vendor spells it; no empty body where the operation reads its answer; no redirect.
//!
//! The vendors are doubles speaking shipped dialects, each a fixture for what its file says:
//! Talkover's (an envelope, a secret its requests carry and its answers never show, a delete
//! whose answer is read for nothing), Svix's (a secret kept at a resource of its own, a delete
//! answered 204) and AgentMessage's (no owner, a delete answered 204).

mod support;

use bytes::Bytes;
use hookgate::mapping::Dialect;
use hookgate::mapping::json_path::FieldPath;
use hookgate::model::Action;
use hookgate::problem::Code;
use serde_json::{Value, json};
use support::{Answer, Double, Reply, gateway, secret_file, send};

const READER: &str = "reader-key-0001";
const WRITER: &str = "writer-key-0002";

/// hookgate's own credential at the vendors: bytes that percent-encoding and JSON spell
/// otherwise (`+`, `/`, `=`).
const TOKEN: &str = "vt+SECRET/TOKEN=98765";

/// A webhook's signing secret as a vendor would answer it.
const SECRET: &str = "whsec_czNjcmV0V0VCSE9PS3MzY3JldFdFQkhPT0s=";

/// The owner every path names, where the dialect has owners.
const OWNER: &str = "9fbef0b7-8d4e-4a08-9207-66c22155721d";

/// The shipped dialect `name`.
fn dialect(name: &str) -> Dialect {
    let all = hookgate::mapping::load_dir(std::path::Path::new(support::MAPPINGS)).unwrap();
    all.into_iter().find(|d| d.name == name).unwrap()
}

/// Inbound keys: a reader (`webhooks:read`) and a writer.
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

/// A gateway with, for each of `dialects`, an upstream of it at `vendor` (named after it, with
/// hookgate's [`TOKEN`] as its bearer credential) and a surface of it relaying there, under
/// `/s/NAME`; and `more` (further surfaces, keys).
async fn relaying(
    vendor: &Double,
    dir: &std::path::Path,
    dialects: &[&Dialect],
    more: &str,
) -> hookgate::app::Running {
    let token = secret_file(dir, "t", TOKEN);
    let mut config = String::from("[url_policy]\nallow_private = true\n");
    for d in dialects {
        let name = &d.name;
        config.push_str(&format!(
            "[upstreams.{name}]\ndialect = \"{name}\"\nbase_url = {:?}\n\
             auth = {{ type = \"bearer\", token_file = {token:?} }}\nretries = 0\n\
             [surfaces.{name}]\ndialect = \"{name}\"\nupstream = \"{name}\"\nprefix = \"/s/{name}\"\n",
            vendor.url()
        ));
    }
    config.push_str(more);
    gateway(&config).await
}

/// The path of `action` on webhook `id` (or on none) at the surface of `d`.
fn surface_path(d: &Dialect, action: Action, id: Option<&str>) -> String {
    let owner = d.owner.as_ref().map(|_| OWNER);
    let prefix = format!("/s/{}", d.name);
    let op = d.operation(action).unwrap();
    op.path.render(&[&prefix, &d.base_path], owner, id)
}

/// The canonical API's webhooks of upstream `d`.
fn canonical(d: &Dialect) -> String {
    match d.owner {
        Some(_) => format!("/v1/upstreams/{}/owners/{OWNER}/webhooks", d.name),
        None => format!("/v1/upstreams/{}/webhooks", d.name),
    }
}

/// Every path at which `d`'s webhook objects keep a signing secret.
fn secret_paths(d: &Dialect) -> Vec<&FieldPath> {
    let secret = d.webhook.rules.iter().filter(|r| r.target.is_secret());
    secret
        .flat_map(|r| r.path.iter().chain(&r.aliases))
        .collect()
}

/// An id of `d`'s own form, the `n`th: its documented webhook's, its last character made `n`.
fn id(d: &Dialect, n: u8) -> String {
    let at = d.webhook.reading("id").unwrap().path.as_ref().unwrap();
    let mut id = at.get(&d.examples[0]).unwrap().as_str().unwrap().to_owned();
    id.pop();
    id.push(char::from(b'0' + n));
    id
}

/// `d`'s documented webhook, with id `id` and [`SECRET`] wherever its webhooks keep a secret.
fn webhook_showing_secret(d: &Dialect, id: &str) -> Value {
    let mut webhook = d.examples[0].clone();
    d.webhook
        .reading("id")
        .unwrap()
        .path
        .as_ref()
        .unwrap()
        .set(&mut webhook, Value::from(id));
    for path in secret_paths(d) {
        path.set(&mut webhook, Value::from(SECRET));
    }
    webhook
}

/// `d`'s answer to `action` as its mapping file writes it, with `slots`.
fn answer_of(d: &Dialect, action: Action, slots: &dyn Fn(&str) -> Option<Value>) -> Value {
    let op = d.operation(action).unwrap();
    op.response
        .as_ref()
        .unwrap()
        .render(&|slot: &str| slots(slot))
        .unwrap()
}

/// A vendor's answer, its bytes as written.
fn json_reply(status: u16, body: &Value) -> Reply {
    Reply::Raw {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_string(),
    }
}

/// What `d`'s surface answers for a failure of `code`: its status.
fn status_of(d: &Dialect, code: Code) -> u16 {
    d.errors.template_for(code).status.unwrap_or(code.status())
}

fn text(answer: &Answer) -> String {
    String::from_utf8_lossy(&answer.body).into_owned()
}

/// The webhook a get's answer holds, and the webhooks of a list's, where `d` reads them.
fn webhooks_in(d: &Dialect, action: Action, answer: &Value) -> Vec<Value> {
    let op = d.operation(action).unwrap();
    if action == Action::List {
        let items = op
            .items_paths
            .iter()
            .find_map(|p| p.get(answer)?.as_array());
        return items.cloned().unwrap_or_default();
    }
    let webhook = op
        .item_paths
        .iter()
        .find_map(|p| p.get(answer).filter(|w| w.is_object()));
    webhook.cloned().into_iter().collect()
}

/// A surface of `d` relaying to a vendor whose get and list show each webhook's secret, where
/// its mapping file says the vendor never does: a key that may only read gets each answer
/// without it, the rest of it as the vendor wrote it; a key that may write, as it came.
async fn secret_withheld_from_a_reading_key(d: &Dialect) {
    let one = webhook_showing_secret(d, &id(d, 1));
    let two = webhook_showing_secret(d, &id(d, 2));
    let got = answer_of(d, Action::Get, &|slot| {
        (slot == "webhook").then(|| one.clone())
    });
    let listed = answer_of(d, Action::List, &|slot| match slot {
        "items" => Some(json!([one, two])),
        "done" => Some(Value::Bool(true)),
        "has_more" => Some(Value::Bool(false)),
        "count" => Some(Value::from(2)),
        _ => None,
    });
    let vendor = Double::start(vec![
        json_reply(200, &got),
        json_reply(200, &listed),
        json_reply(200, &got),
        json_reply(200, &listed),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let gw = relaying(&vendor, dir.path(), &[d], &keys()).await;
    let (get, list) = (
        surface_path(d, Action::Get, Some(&id(d, 1))),
        surface_path(d, Action::List, None),
    );
    for (path, action, vendors) in [(&get, Action::Get, &got), (&list, Action::List, &listed)] {
        let read = send(gw.addr, "GET", path, &[("x-api-key", READER)], None).await;
        support::ok(&read, 200, &format!("{}: {path}", d.name));
        assert!(
            !text(&read).contains(SECRET),
            "{}: {path}: {}",
            d.name,
            text(&read)
        );
        let mut expected = vendors.clone();
        for at in &d.operation(action).unwrap().item_paths {
            if let Some(webhook) = at.get_mut(&mut expected).filter(|w| w.is_object()) {
                secret_paths(d).iter().for_each(|p| drop(p.take(webhook)));
            }
        }
        for at in &d.operation(action).unwrap().items_paths {
            if let Some(Value::Array(items)) = at.get_mut(&mut expected) {
                for webhook in items {
                    secret_paths(d).iter().for_each(|p| drop(p.take(webhook)));
                }
            }
        }
        assert_eq!(read.json(), expected, "{}: {path}", d.name);
        assert_eq!(
            webhooks_in(d, action, &read.json()).len(),
            webhooks_in(d, action, vendors).len()
        );
    }
    for (path, vendors) in [(&get, &got), (&list, &listed)] {
        let written = send(gw.addr, "GET", path, &[("x-api-key", WRITER)], None).await;
        support::ok(&written, 200, &format!("{}: {path}", d.name));
        assert_eq!(
            written.body,
            vendors.to_string().as_bytes(),
            "{}: {path}",
            d.name
        );
    }
    // A resource that holds the secret takes `webhooks:write`, before anything is called.
    for r in d
        .resources
        .iter()
        .filter(|r| r.fields.reading("secret").is_some())
    {
        let prefix = format!("/s/{}", d.name);
        let path = r.get.as_ref().unwrap().path.render(
            &[&prefix, &d.base_path],
            Some(OWNER),
            Some(&id(d, 1)),
        );
        let refused = send(gw.addr, "GET", &path, &[("x-api-key", READER)], None).await;
        assert_eq!(
            refused.status,
            status_of(d, Code::Forbidden),
            "{path}: {}",
            text(&refused)
        );
    }
    assert_eq!(vendor.seen().len(), 4);
    gw.stop().await;
}

#[tokio::test]
async fn a_reading_key_gets_no_secret_a_vendor_shows_where_its_answers_never_hold_one() {
    secret_withheld_from_a_reading_key(&dialect("talkover")).await;
}

#[tokio::test]
async fn a_reading_key_gets_no_secret_a_vendor_shows_where_it_keeps_it_at_a_resource() {
    secret_withheld_from_a_reading_key(&dialect("svix")).await;
}

/// Talkover's delete answer, gzipped, holding hookgate's credential:
/// `{"success": true, "message": "deleted with key vt+SECRET/TOKEN=98765"}`.
const GZIPPED: [u8; 87] = [
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xab, 0x56, 0x2a, 0x2e, 0x4d, 0x4e,
    0x4e, 0x2d, 0x2e, 0x56, 0xb2, 0x52, 0x28, 0x29, 0x2a, 0x4d, 0xd5, 0x51, 0x50, 0xca, 0x05, 0xf2,
    0x12, 0xd3, 0x53, 0x81, 0x02, 0x4a, 0x29, 0xa9, 0x39, 0xa9, 0x25, 0xa9, 0x29, 0x0a, 0xe5, 0x99,
    0x25, 0x19, 0x0a, 0xd9, 0xa9, 0x95, 0x0a, 0x65, 0x25, 0xda, 0xc1, 0xae, 0xce, 0x41, 0xae, 0x21,
    0xfa, 0x21, 0xfe, 0xde, 0xae, 0x7e, 0xb6, 0x96, 0x16, 0xe6, 0x66, 0xa6, 0x4a, 0xb5, 0x00, 0x84,
    0xe8, 0xd2, 0x5f, 0x46, 0x00, 0x00, 0x00,
];

/// An answer in content coding `coding`, whatever its body.
fn coded(status: u16, coding: &str, body: Bytes) -> Reply {
    Reply::Bytes {
        status,
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("content-encoding".into(), coding.into()),
        ],
        body,
    }
}

#[tokio::test]
async fn an_answer_in_a_content_coding_is_refused_on_every_road_and_none_is_asked_for() {
    let to = dialect("talkover");
    let am = dialect("agentmessage");
    let gzipped = Bytes::from_static(&GZIPPED);
    let stored = json!({"success": true, "data": webhook_showing_secret(&to, &id(&to, 1))});
    let stored = Bytes::from(stored.to_string());
    // (the road, the method, the path, the coding)
    let roads = [
        (
            "relayed, read for nothing",
            "DELETE",
            surface_path(&to, Action::Delete, Some(&id(&to, 1))),
            "gzip",
        ),
        (
            "relayed",
            "GET",
            surface_path(&to, Action::Get, Some(&id(&to, 1))),
            "GZIP",
        ),
        (
            "canonical",
            "DELETE",
            format!("{}/{}", canonical(&to), id(&to, 1)),
            "gzip",
        ),
        (
            "canonical",
            "GET",
            format!("{}/{}", canonical(&to), id(&to, 1)),
            "br",
        ),
        (
            "translated",
            "GET",
            format!("/am/v1/webhooks/{}", id(&to, 1)),
            "identity, x-gzip",
        ),
    ];
    let mut script: Vec<Reply> = roads
        .iter()
        .map(|(_, method, _, coding)| {
            let body = if *method == "DELETE" {
                gzipped.clone()
            } else {
                stored.clone()
            };
            coded(200, coding, body)
        })
        .collect();
    // In no coding (`identity`, said or not), the same answer goes on.
    script.push(coded(200, "identity", stored.clone()));
    let vendor = Double::start(script).await;
    let dir = tempfile::tempdir().unwrap();
    let translated = format!(
        "[surfaces.am]\ndialect = \"agentmessage\"\nupstream = \"talkover\"\nprefix = \"/am\"\nowner = \"{OWNER}\"\n"
    );
    let gw = relaying(&vendor, dir.path(), &[&to], &translated).await;
    for (road, method, path, coding) in &roads {
        let answer = send(
            gw.addr,
            method,
            path,
            &[("authorization", "Bearer client-t0ken-4d2f")],
            None,
        )
        .await;
        let shown = text(&answer);
        let what = format!("{road} {method} {path}: {shown}");
        let d = if path.starts_with("/am") { &am } else { &to };
        let status = match road {
            &"canonical" => Code::UpstreamError.status(),
            _ => status_of(d, Code::UpstreamError),
        };
        assert_eq!(answer.status, status, "{what}");
        assert!(answer.header("content-encoding").is_none(), "{what}");
        let body = answer.json(); // JSON, not the vendor's coded bytes
        let named = coding
            .split(',')
            .map(str::trim)
            .find(|c| *c != "identity")
            .unwrap();
        assert!(shown.contains(named), "{what}");
        assert!(shown.contains("content coding"), "{what}");
        assert!(
            !shown.contains("SECRET") && !shown.contains(SECRET),
            "{what}"
        );
        if *road == "canonical" {
            assert_eq!(body["code"], "upstream_error", "{what}");
            assert_eq!(body["upstream"]["name"], "talkover", "{what}");
        }
    }
    let path = surface_path(&to, Action::Get, Some(&id(&to, 1)));
    let plain = send(
        gw.addr,
        "GET",
        &path,
        &[("authorization", "Bearer client-t0ken-4d2f")],
        None,
    )
    .await;
    support::ok(&plain, 200, "identity");
    assert_eq!(plain.body, stored);
    let seen = vendor.seen();
    assert_eq!(seen.len(), roads.len() + 1);
    for s in &seen {
        assert_eq!(
            s.headers.get("accept-encoding").map(|v| v.as_bytes()),
            Some(&b"identity"[..]),
            "{} {}",
            s.method,
            s.path
        );
    }
    gw.stop().await;
}

/// Spellings of [`TOKEN`] a vendor may echo: percent-encoded in lower case, in part, mixed
/// with JSON's escapes (of the `%` too).
const SPELLINGS: [&str; 6] = [
    "vt%2bSECRET%2fTOKEN%3d98765",
    "vt+SECRET%2FTOKEN%3D98765",
    "vt%2BSECRET%2fTOKEN=98765",
    "vt\\u002bSECRET%2f\\u0054OKEN\\u003d98765",
    "vt\\u00252bSECRET\\/TOKEN%3D98765",
    "\\u0076t%2BSECRET\\/TOKEN\\u003d98765",
];

/// Whether `shown` holds any of [`TOKEN`], however spelt: its middle as it is.
fn holds_token(shown: &str) -> bool {
    shown.contains("SECRET") || shown.contains("98765")
}

#[tokio::test]
async fn hookgates_credential_is_redacted_however_each_of_its_bytes_is_spelt() {
    let to = dialect("talkover");
    let refused = |spelling: &str| Reply::Raw {
        status: 400,
        headers: vec![("content-type".into(), "application/json".into())],
        body: format!(r#"{{"success": false, "message": "bad key {spelling} (was {spelling})"}}"#),
    };
    let listed = |spelling: &str| {
        let mut webhook = webhook_showing_secret(&to, &id(&to, 1));
        let url = to.webhook.reading("url").unwrap().path.as_ref().unwrap();
        url.set(&mut webhook, Value::from("https://example.com/h?key=KEY"));
        for path in secret_paths(&to) {
            drop(path.take(&mut webhook));
        }
        let page = answer_of(&to, Action::List, &|slot| match slot {
            "items" => Some(json!([webhook])),
            _ => None,
        });
        Reply::Raw {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: page.to_string().replace("KEY", spelling),
        }
    };
    let mut script = Vec::new();
    for spelling in SPELLINGS {
        script.extend([
            refused(spelling),
            refused(spelling),
            listed(spelling),
            listed(spelling),
        ]);
    }
    let vendor = Double::start(script).await;
    let dir = tempfile::tempdir().unwrap();
    let gw = relaying(&vendor, dir.path(), &[&to], "").await;
    let client = [("authorization", "Bearer client-t0ken-4d2f")];
    let get = surface_path(&to, Action::Get, Some(&id(&to, 1)));
    let list = surface_path(&to, Action::List, None);
    for spelling in SPELLINGS {
        for path in [
            &get,
            &format!("{}/{}", canonical(&to), id(&to, 1)),
            &list,
            &canonical(&to),
        ] {
            let answer = send(gw.addr, "GET", path, &client, None).await;
            let shown = text(&answer);
            let what = format!("{spelling} at {path}: {shown}");
            let read = answer.json().to_string(); // still JSON, and read, no escape hides it
            assert!(!holds_token(&shown) && !holds_token(&read), "{what}");
            assert!(shown.contains("[redacted]"), "{what}");
        }
    }
    gw.stop().await;
}

#[tokio::test]
async fn an_empty_answer_goes_on_only_where_the_operation_reads_nothing_from_it() {
    let dialects = [
        dialect("talkover"),
        dialect("agentmessage"),
        dialect("svix"),
    ];
    let empty = |status: u16| Reply::Bytes {
        status,
        headers: vec![],
        body: Bytes::new(),
    };
    let mut script = Vec::new();
    for _ in &dialects {
        script.extend([empty(200), empty(500), empty(200), empty(204)]);
    }
    let vendor = Double::start(script).await;
    let dir = tempfile::tempdir().unwrap();
    let all: Vec<&Dialect> = dialects.iter().collect();
    let gw = relaying(&vendor, dir.path(), &all, "").await;
    let client = [("authorization", "Bearer client-t0ken-4d2f")];
    for d in &dialects {
        let get = surface_path(d, Action::Get, Some(&id(d, 1)));
        let list = surface_path(d, Action::List, None);
        for (path, status) in [(&get, 200), (&get, 500), (&list, 200)] {
            let answer = send(gw.addr, "GET", path, &client, None).await;
            let what = format!(
                "{}: GET {path} answered {status}: {}",
                d.name,
                text(&answer)
            );
            assert_eq!(answer.status, status_of(d, Code::UpstreamError), "{what}");
            answer.json(); // the vendor's error shape
            if status == 200 {
                let named = format!("upstream {} sent an empty answer", d.name);
                assert!(text(&answer).contains(&named), "{what}");
            }
        }
        // A delete's answer is read for nothing: none will do, with the vendor's status.
        let delete = surface_path(d, Action::Delete, Some(&id(d, 1)));
        let deleted = send(gw.addr, "DELETE", &delete, &client, None).await;
        assert_eq!(deleted.status, 204, "{}: {}", d.name, text(&deleted));
        assert!(deleted.body.is_empty());
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_vendors_redirect_is_its_failure_never_passed_on() {
    let to = dialect("talkover");
    let sv = dialect("svix");
    let moved = |status: u16, body: &str, content_type: &str| Reply::Raw {
        status,
        headers: vec![
            ("content-type".into(), content_type.into()),
            ("location".into(), "https://elsewhere.example/api".into()),
        ],
        body: body.into(),
    };
    let answers = [
        moved(302, r#"{"message": "Found"}"#, "application/json"),
        moved(307, "<html>Temporary Redirect</html>", "text/html"),
        moved(301, "", "text/html"),
        moved(308, r#"{"detail": "moved"}"#, "application/json"),
    ];
    let mut script: Vec<Reply> = Vec::new();
    for _ in 0..4 {
        script.extend(answers.iter().cloned());
    }
    let vendor = Double::start(script).await;
    let dir = tempfile::tempdir().unwrap();
    let gw = relaying(&vendor, dir.path(), &[&to, &sv], "").await;
    let client = [("authorization", "Bearer client-t0ken-4d2f")];
    let roads = [
        (
            Some(&to),
            "GET",
            surface_path(&to, Action::Get, Some(&id(&to, 1))),
        ),
        (
            Some(&sv),
            "DELETE",
            surface_path(&sv, Action::Delete, Some(&id(&sv, 1))),
        ),
        (Some(&sv), "GET", surface_path(&sv, Action::List, None)),
        (None, "GET", format!("{}/{}", canonical(&to), id(&to, 1))),
    ];
    for (d, method, path) in &roads {
        for answer in &answers {
            let Reply::Raw { status, .. } = answer else {
                unreachable!()
            };
            let got = send(gw.addr, method, path, &client, None).await;
            let what = format!("{status} to {method} {path}: {}", text(&got));
            let expected = d.map_or(502, |d| status_of(d, Code::UpstreamError));
            assert_eq!(got.status, expected, "{what}");
            assert!(got.header("location").is_none(), "{what}");
            got.json();
            let name = d.map_or("talkover", |d| d.name.as_str());
            assert!(text(&got).contains(&format!("upstream {name}")), "{what}");
            assert!(text(&got).contains("redirect"), "{what}");
        }
    }
    gw.stop().await;
}
