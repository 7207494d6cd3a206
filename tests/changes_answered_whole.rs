//! A change's answer is the webhook whole, as a read gives it, and a change made in part says
//! so: over loopback, the gateway in front of emulators of every dialect whose webhooks keep a
//! part (their custom headers) at a sub-resource read with the webhook. And what cannot be said
//! is refused rather than taken some other way: `"extensions": null`, and a vendor-shaped seed
//! whose value the rules cannot read.
//!
//! Dialects are chosen by what their mapping files declare, never by name.

mod support;

use hookgate::mapping::codec::Codec;
use hookgate::mapping::{Dialect, load_dir};
use serde_json::{Map, Value, json};
use std::path::Path;
use support::{gateway, ok, send};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
const OWNER: &str = "p1";

fn every_dialect() -> Vec<Dialect> {
    let mut all = load_dir(Path::new(support::MAPPINGS)).expect("shipped files");
    all.extend(load_dir(Path::new(DIR)).expect("test dialects"));
    all
}

/// Dialects whose custom headers live at a resource read with every webhook, and that can
/// create a webhook from a URL, events and headers alone.
fn headers_apart() -> Vec<Dialect> {
    every_dialect()
        .into_iter()
        .filter(|d| {
            d.resources
                .iter()
                .any(|r| r.read_with_webhook && r.fields.reading("headers").is_some())
        })
        .filter(|d| d.owner_format.as_ref().is_none_or(|f| f.admits(OWNER)))
        .collect()
}

fn webhooks(d: &Dialect) -> String {
    match d.has_owner() {
        true => format!("/v1/upstreams/{}/owners/{OWNER}/webhooks", d.name),
        false => format!("/v1/upstreams/{}/webhooks", d.name),
    }
}

async fn emulating(d: &Dialect) -> hookgate::app::Running {
    gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.{0}]\ndialect = \"{0}\"\nemulate = true\n",
        d.name
    ))
    .await
}

/// The id of a webhook created at `path` with `body`.
async fn created(addr: std::net::SocketAddr, path: &str, body: &Value, what: &str) -> String {
    let made = send(addr, "POST", path, &[], Some(body)).await;
    ok(&made, 201, what);
    made.json()["id"].as_str().unwrap().to_owned()
}

fn a_webhook(d: &Dialect) -> Value {
    let mut body = json!({"url": "https://example.com/h",
        "headers": {"X-A": "1", "X-B": "2"}});
    if d.webhook.carries("events", hookgate::model::Action::Create) {
        body["events"] = json!(["a.b"]);
    }
    body
}

#[tokio::test]
async fn an_update_answers_the_webhook_whole_with_the_parts_kept_apart() {
    let all = headers_apart();
    assert!(all.len() >= 2, "dialects with headers apart: {}", all.len());
    for d in &all {
        let gw = emulating(d).await;
        let hooks = webhooks(d);
        let id = created(gw.addr, &hooks, &a_webhook(d), &d.name).await;
        let one = format!("{hooks}/{id}");
        // A change of the webhook itself: the headers it did not name are still answered.
        let changed = send(
            gw.addr,
            "PATCH",
            &one,
            &[],
            Some(&json!({"url": "https://example.com/moved"})),
        )
        .await;
        ok(&changed, 200, &d.name);
        let read = send(gw.addr, "GET", &one, &[], None).await;
        assert_eq!(changed.json(), read.json(), "{}: answered as read", d.name);
        assert_eq!(changed.json()["headers"], json!({"X-A": "1", "X-B": "2"}));
        // A change of the headers alone: the webhook whole, not the headers alone.
        let headers = send(
            gw.addr,
            "PATCH",
            &one,
            &[],
            Some(&json!({"headers": {"X-C": "3"}})),
        )
        .await;
        ok(&headers, 200, &d.name);
        let answer = headers.json();
        assert_eq!(answer["id"], id.as_str(), "{}: {answer}", d.name);
        assert_eq!(answer["url"], "https://example.com/moved", "{}", d.name);
        assert_eq!(
            answer["headers"],
            json!({"X-A": "1", "X-B": "2", "X-C": "3"})
        );
        // All of them cleared, as `null` says, at a vendor that merges into them.
        let cleared = send(gw.addr, "PATCH", &one, &[], Some(&json!({"headers": null}))).await;
        ok(&cleared, 200, &d.name);
        let read = send(gw.addr, "GET", &one, &[], None).await.json();
        let none = read["headers"].as_object().is_none_or(Map::is_empty);
        assert!(none, "{}: {read}", d.name);
        assert_eq!(read["url"], "https://example.com/moved");
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_change_made_in_part_says_so() {
    for d in headers_apart() {
        let gw = emulating(&d).await;
        let hooks = webhooks(&d);
        let id = created(gw.addr, &hooks, &a_webhook(&d), &d.name).await;
        // The webhook's own update is made, the headers' refused.
        let faults = json!({"script": [{"operations": ["update"]},
            {"operations": ["update"], "status": 400}]});
        let put = send(
            gw.addr,
            "PUT",
            &format!("/__hookgate/emulators/{}/faults", d.name),
            &[],
            Some(&faults),
        )
        .await;
        ok(&put, 200, "faults");
        let change = json!({"url": "https://example.com/half", "headers": {"X-H": "1"}});
        let failed = send(
            gw.addr,
            "PATCH",
            &format!("{hooks}/{id}"),
            &[],
            Some(&change),
        )
        .await;
        let detail = failed.json()["detail"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(failed.status >= 400, "{}: {detail}", d.name);
        assert!(
            detail.contains("the webhook is changed in part"),
            "{}: {detail}",
            d.name
        );
        assert!(!detail.contains("reading it back"), "{}: {detail}", d.name);
        gw.stop().await;
    }
}

#[tokio::test]
async fn extensions_are_cleared_by_name_never_all_at_once() {
    let gw = support::gateway_emulating(DIR, "relay").await;
    let hooks = "/v1/upstreams/relay/owners/p1/webhooks";
    let id = created(
        gw.addr,
        hooks,
        &json!({"url": "https://example.com/h", "events": ["a"]}),
        "made",
    )
    .await;
    let refused = send(
        gw.addr,
        "PATCH",
        &format!("{hooks}/{id}"),
        &[],
        Some(&json!({"extensions": null})),
    )
    .await;
    ok(&refused, 422, "all extensions at once");
    assert_eq!(refused.json()["errors"][0]["field"], "extensions");
}

#[tokio::test]
async fn a_vendor_seed_whose_value_the_rules_cannot_read_is_refused() {
    // A rule that keeps a value in a finer unit than the canonical one (milliseconds).
    let scaled = every_dialect().into_iter().find_map(|d| {
        let rule = d
            .webhook
            .rules
            .iter()
            .find(|r| r.response && matches!(r.codec, Codec::Scale(n) if n > 1))?;
        let path = rule.path.clone()?;
        let Codec::Scale(n) = rule.codec else {
            unreachable!()
        };
        Some((d, path, n))
    });
    let (d, path, n) = scaled.expect("a dialect with a scaled rule");
    let mut item = d.examples.first().cloned().expect("an example");
    path.set(&mut item, json!(n + n / 2));
    let gw = emulating(&d).await;
    let owner = d.webhook.reading("owner").and_then(|r| r.path.as_ref());
    let owner = owner.and_then(|p| p.get(&item)).and_then(Value::as_str);
    let mut seed = json!({"shape": "vendor", "webhooks": [item]});
    if let Some(owner) = owner {
        seed["owner"] = json!(owner);
    }
    let refused = send(
        gw.addr,
        "POST",
        &format!("/__hookgate/emulators/{}/webhooks", d.name),
        &[],
        Some(&seed),
    )
    .await;
    ok(&refused, 422, &d.name);
    let field = refused.json()["errors"][0]["field"].to_string();
    assert!(field.contains(&path.to_string()), "{}: {field}", d.name);
}

/// An owner a dialect's format admits.
fn an_owner(d: &Dialect) -> Option<&'static str> {
    ["p1", "550e8400-e29b-41d4-a716-446655440000", "1", "P393ZNQ"]
        .into_iter()
        .find(|o| d.owner_format.as_ref().is_none_or(|f| f.admits(o)))
}

#[tokio::test]
async fn a_surface_refuses_to_show_a_webhook_as_doing_what_its_vendor_implies_it_does() {
    use hookgate::model::Action;
    let all = every_dialect();
    // A vendor behind that keeps webhooks of no owner, on or off.
    let behind = all
        .iter()
        .find(|d| {
            !d.has_owner()
                && d.webhook.carries("enabled", Action::Create)
                && d.operation(Action::Create).is_some()
                && d.resources.is_empty()
        })
        .expect("a vendor that switches webhooks off");
    let implying: Vec<&Dialect> = all
        .iter()
        .filter(|d| {
            d.webhook
                .rules
                .iter()
                .any(|r| r.target.name() == "enabled" && r.implied == Some(Value::Bool(true)))
        })
        .filter(|d| !d.has_owner() || an_owner(d).is_some())
        .filter(|d| hookgate::auth::present(&d.client_auth, "t0ken-any").is_some())
        .collect();
    assert!(implying.len() >= 2, "vendors whose webhooks are always on");
    for s in implying {
        let owner = s.has_owner().then(|| an_owner(s).unwrap());
        let owner_line = owner
            .map(|o| format!("owner = \"{o}\"\n"))
            .unwrap_or_default();
        let gw = gateway(&format!(
            "mappings_dir = {DIR:?}\n[upstreams.{0}]\ndialect = \"{0}\"\nemulate = true\n\
             [surfaces.s]\ndialect = \"{1}\"\nupstream = \"{0}\"\nprefix = \"/s\"\n{owner_line}",
            behind.name, s.name
        ))
        .await;
        // Its documented example's event types, which it knows.
        let example = behind.webhook.read(&behind.examples[0]).unwrap();
        let mut body = json!({"url": "https://example.com/off", "enabled": false});
        for (name, value) in [
            ("events", example["events"].clone()),
            ("description", json!("off")),
        ] {
            if behind.webhook.carries(name, Action::Create) {
                body[name] = value;
            }
        }
        let made = send(
            gw.addr,
            "POST",
            &webhooks(behind),
            &[("prefer", "handling=lenient")],
            Some(&body),
        )
        .await;
        ok(&made, 201, &behind.name);
        let id = made.json()["id"].as_str().unwrap().to_owned();
        let get = s.operation(Action::Get).unwrap();
        let path = get.path.render(&[&s.base_path], owner, Some(&id));
        // The client's credential, the way its vendor's clients present one.
        let (name, value) =
            hookgate::auth::present(&s.client_auth, "t0ken-any").expect("a credential in a header");
        let auth = [(name.as_str(), value.to_str().unwrap())];
        let shown = send(gw.addr, "GET", &format!("/s{path}"), &auth, None).await;
        let text = String::from_utf8_lossy(&shown.body).into_owned();
        // In the vendor's error shape and status (a 502 unless its file says otherwise).
        assert!(shown.status >= 400, "{}: {text}", s.name);
        assert!(
            text.contains("enabled: cannot be shown in this API"),
            "{}: {text}",
            s.name
        );
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_change_the_vendor_could_hold_nothing_of_sends_nothing() {
    use hookgate::mapping::Strategy;
    use hookgate::model::Action;
    // Vendors whose webhooks are always on and whose update merges what it is sent.
    let all: Vec<Dialect> = every_dialect()
        .into_iter()
        .filter(|d| {
            let implied_on = d
                .webhook
                .rules
                .iter()
                .any(|r| r.target.name() == "enabled" && r.implied == Some(Value::Bool(true)));
            let merges = d.operation(Action::Update).is_some_and(|u| {
                u.role == hookgate::mapping::Role::Action(Action::Update)
                    && u.strategy == Strategy::Merge
                    && !u.needs_current
            });
            implied_on && merges && (!d.has_owner() || an_owner(d).is_some())
        })
        .collect();
    assert!(!all.is_empty(), "a vendor always on that merges");
    for d in &all {
        let gw = emulating(d).await;
        let hooks = match d.has_owner() {
            true => format!(
                "/v1/upstreams/{}/owners/{}/webhooks",
                d.name,
                an_owner(d).unwrap()
            ),
            false => format!("/v1/upstreams/{}/webhooks", d.name),
        };
        let example = d.webhook.read(&d.examples[0]).unwrap();
        let mut body = json!({"url": "https://example.com/on"});
        if d.webhook.carries("events", Action::Create) {
            body["events"] = example["events"].clone();
        }
        let made = send(
            gw.addr,
            "POST",
            &hooks,
            &[("prefer", "handling=lenient")],
            Some(&body),
        )
        .await;
        ok(&made, 201, &d.name);
        let id = made.json()["id"].as_str().unwrap().to_owned();
        let on = json!({"enabled": true});
        let same = send(gw.addr, "PATCH", &format!("{hooks}/{id}"), &[], Some(&on)).await;
        ok(&same, 200, &d.name);
        assert_eq!(
            same.json()["id"],
            id.as_str(),
            "{}: the webhook as it is",
            d.name
        );
        let updates = support::journal(gw.emulators[d.name.as_str()])
            .await
            .into_iter()
            .filter(|e| e["operation"] == "update")
            .count();
        assert_eq!(updates, 0, "{}: no update sent", d.name);
        gw.stop().await;
    }
}
