//! A change composed from the vendor's read of a webhook sends back only what that read says
//! one way: a member the read gives twice, or a number hookgate would write as another value
//! or kind, is refused, naming it, where the change would send it back unnamed; and a number
//! beyond a double's range is named. Each dialect here is a file of the test's own, in front
//! of a scripted vendor.

mod support;

use serde_json::json;
use support::{Double, Reply, gateway_over, send};

/// A folder holding one mapping file, `NAME.toml`.
fn folder_of(name: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(format!("{name}.toml")), text).unwrap();
    dir
}

/// A vendor whose webhook lies at `envelope` in its answers (`""`: the answer is the
/// webhook), its URL inside an object of its own beside the vendor's other members, changed
/// with `update` (an `[operations.update]` with its strategy).
fn vendor(envelope: &str, update: &str) -> String {
    let wrapped = |inner: &str| match envelope {
        "" => format!("\"{inner}\""),
        key => format!("{{ {key} = \"{inner}\" }}"),
    };
    let webhook = wrapped("{{webhook}}");
    format!(
        r#"
[dialect]
title = "Doubtful"

[fields.id]
path = "$.id"
in = ["response"]

[fields.url]
path = "$.config.target.url"

[fields.description]
path = "$.description"

[operations.get]
method = "GET"
path = "/hooks/{{id}}"
response = {webhook}

{update}
path = "/hooks/{{id}}"
body = {webhook}
response = {webhook}

[errors.render.default]
body = {{ message = "{{{{message}}}}" }}
"#
    )
}

/// The ways a vendor may take an update that sends back what it read: the objects the change
/// is part of (`config`), or the whole webhook (a replacement).
const UPDATES: [&str; 4] = [
    "[operations.update]\nmethod = \"PUT\"\nstrategy = \"read_merge_write\"",
    "[operations.update]\nmethod = \"POST\"\nstrategy = \"read_merge_write\"",
    "[operations.update]\nmethod = \"PATCH\"\nstrategy = \"merge\"",
    "[operations.replace]\nmethod = \"PUT\"",
];

/// Whether `update` sends back the member at `place` when a change names `url` alone (a merge
/// sends `config.target.url` alone).
fn sends_back(update: &str, place: &str) -> bool {
    update.contains("replace")
        || (update.contains("read_merge_write") && place.starts_with("config"))
}

/// The envelopes of the vendors' answers: a member, or none.
const ENVELOPES: [&str; 2] = ["hook", ""];

/// The webhook `inner` (the members of its `config` besides `target`, and its own besides)
/// as `envelope` wraps it.
fn answer(envelope: &str, config: &str, own: &str) -> Reply {
    let webhook = format!(
        r#"{{"id": "h1", "description": "d", {own}
            "config": {{"target": {{"url": "https://a.example/h", "method": "POST"}}, {config} "timeout": 10}}}}"#
    );
    let body = match envelope {
        "" => webhook,
        key => format!(r#"{{"{key}": {webhook}}}"#),
    };
    Reply::Raw {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body,
    }
}

const AT: &str = "/v1/upstreams/doubtful/webhooks/h1";

#[tokio::test]
async fn a_member_read_twice_is_never_sent_back_as_one_of_them() {
    // Where in the read a member is given twice (config and own members), and its place.
    let twice = [
        (r#""retry": {"max": 1, "max": 2},"#, "", "config.retry.max"),
        (
            "",
            r#""headers": {"X-Env": "prod", "X-Env": "stage"},"#,
            "headers.X-Env",
        ),
        (
            r#""retry": {"max": 1}, "retry": {"max": 2},"#,
            "",
            "config.retry",
        ),
        (r#""mode": "a", "mode": "b","#, "", "config.mode"),
        // The webhook's own member, an object, given twice: a change of a member inside it
        // names it no more than a change beside it does.
        (
            "",
            r#""config": {"target": {"url": "https://c.example/h", "method": "PUT"}, "timeout": 3},"#,
            "config",
        ),
        (
            "",
            r#""co\u006efig": {"target": {"url": "https://c.example/h", "method": "PUT"}},"#,
            "config",
        ),
    ];
    for envelope in ENVELOPES {
        for update in UPDATES {
            let dir = folder_of("doubtful", &vendor(envelope, update));
            for (config, own, place) in twice {
                let read = answer(envelope, config, own);
                let double = Double::start(vec![read.clone(), read]).await;
                let gw = gateway_over(dir.path().to_str().unwrap(), "doubtful", &double).await;
                let change = json!({"url": "https://b.example/h"});
                let a = send(gw.addr, "PATCH", AT, &[], Some(&change)).await;
                let text = String::from_utf8_lossy(&a.body).into_owned();
                let what = format!("{update} at {envelope:?}, {place}: {text}");
                // Sent whole (a replacement) or in the object that holds it (`config`, whose
                // `target` changes): refused, nothing written.
                let sends_it = sends_back(update, place);
                let written = double.seen().iter().any(|s| s.method != "GET");
                if sends_it {
                    assert_eq!(a.status, 502, "{what}");
                    let problem = a.json();
                    assert!(
                        problem["detail"]
                            .as_str()
                            .unwrap()
                            .contains(&format!("`{place}`")),
                        "{what}"
                    );
                    assert_eq!(problem["errors"][0]["field"], place, "{what}");
                    assert!(!written, "{what}: nothing is written");
                } else {
                    assert_eq!(a.status, 200, "{what}");
                }
                gw.stop().await;
            }
        }
    }
    a_member_the_change_names_is_sent_as_the_change_says().await;
}

/// A change that names the member given twice (`description`) sends its own value.
async fn a_member_the_change_names_is_sent_as_the_change_says() {
    for envelope in ENVELOPES {
        for update in UPDATES {
            let dir = folder_of("doubtful", &vendor(envelope, update));
            let read = answer(envelope, "", r#""description": "x","#);
            let double = Double::start(vec![read.clone(), read]).await;
            let gw = gateway_over(dir.path().to_str().unwrap(), "doubtful", &double).await;
            let change = json!({"description": "new"});
            let a = send(gw.addr, "PATCH", AT, &[], Some(&change)).await;
            let what = format!(
                "{update} at {envelope:?}: {}",
                String::from_utf8_lossy(&a.body)
            );
            assert_eq!(a.status, 200, "{what}");
            let sent = double.seen().into_iter().find(|s| s.method != "GET");
            let sent = String::from_utf8_lossy(&sent.expect("written").body).into_owned();
            assert!(sent.contains(r#""description":"new""#), "{what}: {sent}");
            gw.stop().await;
        }
    }
}

#[tokio::test]
async fn a_number_the_gateway_would_write_as_another_is_never_sent_back() {
    for envelope in ENVELOPES {
        for update in UPDATES {
            let dir = folder_of("doubtful", &vendor(envelope, update));
            // Written back as another value (a double holds it rounded) or kind (`-0` as the
            // double `-0.0`): refused, naming its member, before anything is written.
            for n in [
                "1.00000000000000000000001",
                "0.30000000000000001",
                "-0",
                "1e-400",
                "9007199254740993.0",
            ] {
                for (config, own, place) in [
                    (format!(r#""rate": {n},"#), String::new(), "config.rate"),
                    (
                        format!(r#""rates": [1, {n}],"#),
                        String::new(),
                        "config.rates.1",
                    ),
                    (
                        String::new(),
                        format!(r#""weight": {{"w": {n}}},"#),
                        "weight.w",
                    ),
                ] {
                    let read = answer(envelope, &config, &own);
                    let double = Double::start(vec![read.clone(), read]).await;
                    let gw = gateway_over(dir.path().to_str().unwrap(), "doubtful", &double).await;
                    let change = json!({"url": "https://b.example/h"});
                    let a = send(gw.addr, "PATCH", AT, &[], Some(&change)).await;
                    let text = String::from_utf8_lossy(&a.body).into_owned();
                    let what = format!("{update} at {envelope:?}, {n} at {place}: {text}");
                    let sends_it = sends_back(update, place);
                    if sends_it {
                        assert_eq!(a.status, 422, "{what}");
                        let problem = a.json();
                        assert_eq!(problem["code"], "unsupported_field", "{what}");
                        assert_eq!(problem["errors"][0]["field"], place, "{what}");
                        let message = problem["errors"][0]["message"].as_str().unwrap();
                        assert!(message.contains(n), "{what}");
                        assert!(
                            double.seen().iter().all(|s| s.method == "GET"),
                            "{what}: nothing is written"
                        );
                    } else {
                        assert_eq!(a.status, 200, "{what}");
                    }
                    gw.stop().await;
                }
            }
            // Written back as the same value and kind, spelled as hookgate spells it.
            // A double of 2^64 or more is one too, however large: no integer beyond 64 bits.
            for (n, again) in [
                ("1.50", "1.5"),
                ("1e2", "100.0"),
                ("0.1", "0.1"),
                ("-0.0", "-0.0"),
                ("1e19", "1e+19"),
                ("-1.5e300", "-1.5e+300"),
                ("1E22", "1e+22"),
            ] {
                let config = format!(r#""rate": {n},"#);
                let read = answer(envelope, &config, "");
                let double = Double::start(vec![read.clone(), read]).await;
                let gw = gateway_over(dir.path().to_str().unwrap(), "doubtful", &double).await;
                let change = json!({"url": "https://b.example/h"});
                let a = send(gw.addr, "PATCH", AT, &[], Some(&change)).await;
                let what = format!("{update}, {n}: {}", String::from_utf8_lossy(&a.body));
                assert_eq!(a.status, 200, "{what}");
                let sent = double.seen().into_iter().find(|s| s.method != "GET");
                let sent = String::from_utf8_lossy(&sent.expect("written").body).into_owned();
                let carried = sent.contains(&format!(r#""rate":{again}"#));
                assert_eq!(carried, sends_back(update, "config.rate"), "{what}: {sent}");
                gw.stop().await;
            }
        }
    }
}

#[tokio::test]
async fn a_number_beyond_a_double_is_named() {
    for envelope in ENVELOPES {
        let dir = folder_of("doubtful", &vendor(envelope, UPDATES[0]));
        for n in ["1e400", "-1.5E309", "1e99999999999999999999"] {
            for (config, own, place) in [
                (format!(r#""rate": {n},"#), String::new(), "config.rate"),
                (String::new(), format!(r#""w": [{n}],"#), "w.0"),
            ] {
                let double = Double::start(vec![answer(envelope, &config, &own)]).await;
                let gw = gateway_over(dir.path().to_str().unwrap(), "doubtful", &double).await;
                let a = send(gw.addr, "GET", AT, &[], None).await;
                let text = String::from_utf8_lossy(&a.body).into_owned();
                assert_eq!(a.status, 502, "{n}: {text}");
                let detail = a.json()["detail"].as_str().unwrap().to_owned();
                let place = match envelope {
                    "" => place.to_owned(),
                    key => format!("{key}.{place}"),
                };
                assert!(detail.contains(&format!("`{place}`")), "{n}: {detail}");
                assert!(
                    detail.contains(n) && detail.contains("out of range"),
                    "{detail}"
                );
                gw.stop().await;
            }
        }
    }
}

/// A vendor read from its list alone (no read of one webhook), changed with `update`.
fn listed_vendor(update: &str) -> String {
    format!(
        r#"
[dialect]
title = "Doubtful list"

[fields.id]
path = "$.id"
in = ["response"]

[fields.url]
path = "$.config.target.url"

[operations.get]
from = "list"

[operations.list]
method = "GET"
path = "/hooks"
response = {{ hooks = "{{{{items}}}}" }}

{update}
path = "/hooks/{{id}}"
body = "{{{{webhook}}}}"
response = "{{{{webhook}}}}"

[errors.render.default]
body = {{ message = "{{{{message}}}}" }}
"#
    )
}

#[tokio::test]
async fn a_member_read_twice_in_a_list_is_never_sent_back_for_its_webhook_alone() {
    let item = |id: &str, config: &str| {
        format!(
            r#"{{"id": "{id}", "config": {{"target": {{"url": "https://a.example/h"}}, {config} "timeout": 10}}}}"#
        )
    };
    let page = |doubtful: &str| Reply::Raw {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: format!(
            r#"{{"hooks": [{}, {}]}}"#,
            item("h0", ""),
            item("h1", doubtful)
        ),
    };
    for update in UPDATES.iter().filter(|u| u.contains("read_merge_write")) {
        let dir = folder_of("listed", &listed_vendor(update));
        for (doubtful, place) in [
            (r#""retry": {"max": 1, "max": 2},"#, "config.retry.max"),
            (r#""rate": 1.00000000000000000000001,"#, "config.rate"),
            (r#""rate": -0,"#, "config.rate"),
        ] {
            let written = Reply::Raw {
                status: 200,
                headers: vec![("content-type".into(), "application/json".into())],
                body: item("h0", ""),
            };
            let double = Double::start(vec![page(doubtful), page(doubtful), written]).await;
            let gw = gateway_over(dir.path().to_str().unwrap(), "listed", &double).await;
            let change = json!({"url": "https://b.example/h"});
            let at = "/v1/upstreams/listed/webhooks";
            let a = send(gw.addr, "PATCH", &format!("{at}/h1"), &[], Some(&change)).await;
            let what = format!("{update}, {place}: {}", String::from_utf8_lossy(&a.body));
            assert!([422, 502].contains(&a.status), "{what}");
            assert_eq!(a.json()["errors"][0]["field"], place, "{what}");
            // Another webhook of the same page is changed.
            let a = send(gw.addr, "PATCH", &format!("{at}/h0"), &[], Some(&change)).await;
            let what = format!("{update}, {place}: {}", String::from_utf8_lossy(&a.body));
            assert_eq!(a.status, 200, "{what}");
            gw.stop().await;
        }
    }
}

#[tokio::test]
async fn a_surface_of_another_dialect_refuses_so_in_its_own_shape() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        ("doubtful", vendor("hook", UPDATES[0])),
        ("listed", listed_vendor(UPDATES[0])),
    ];
    for (name, text) in files {
        std::fs::write(dir.path().join(format!("{name}.toml")), text).unwrap();
    }
    for (config, place, status) in [
        (r#""retry": {"max": 1, "max": 2},"#, "config.retry.max", 502),
        (r#""rate": 1.00000000000000000000001,"#, "config.rate", 422),
        (r#""rate": -0,"#, "config.rate", 422),
    ] {
        let double = Double::start(vec![answer("hook", config, "")]).await;
        let gw = support::gateway(&format!(
            "mappings_dir = {:?}\n[upstreams.doubtful]\ndialect = \"doubtful\"\nbase_url = {:?}\n\
             auth = {{ type = \"none\" }}\n[url_policy]\nallow_private = true\n\
             [surfaces.s]\ndialect = \"listed\"\nupstream = \"doubtful\"\nprefix = \"/s\"\n",
            dir.path().to_str().unwrap(),
            double.url()
        ))
        .await;
        let change = json!({"config": {"target": {"url": "https://b.example/h"}}});
        let auth = [("authorization", "Bearer t")];
        let a = send(gw.addr, "PUT", "/s/hooks/h1", &auth, Some(&change)).await;
        let text = String::from_utf8_lossy(&a.body).into_owned();
        assert_eq!(a.status, status, "{place}: {text}");
        // The surface's own shape (its `message`), naming the member.
        assert!(
            a.json()["message"].as_str().unwrap().contains(place),
            "{text}"
        );
        assert!(
            double.seen().iter().all(|s| s.method == "GET"),
            "{place}: nothing is written"
        );
        gw.stop().await;
    }
}
