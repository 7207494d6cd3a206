//! The emulators' admin API, driven over loopback for every dialect that is loaded (never a
//! list of names): reset, seed (vendor shape and canonical), the stored webhooks, the request
//! journal and its filters, faults answered in each vendor's own error envelope, dropped
//! connections, determinism, inbound authentication, the gateway retrying against an
//! emulator scripted to fail, and lists that page across deletes where the emulator gives the
//! cursors, in both orders and across a restart from a state file.

mod support;

use bytes::Bytes;
use hookgate::mapping::Dialect;
use hookgate::model::{Action, Order};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;
use support::{canonical_base, create_body, gateway, ok, owner, send, send_raw};
use tokio::time::Instant;

fn dialects() -> Vec<Dialect> {
    hookgate::mapping::load_dir(Path::new(support::MAPPINGS)).unwrap()
}

/// One emulated upstream per loaded dialect, named after it, each with `extra` settings.
fn all_emulated(extra: &str) -> String {
    upstreams_emulating(&dialects(), extra)
}

/// The vendor's own list path, with the owner.
fn vendor_list(d: &Dialect) -> String {
    d.operation(Action::List)
        .expect("every dialect lists")
        .path
        .render(&[&d.base_path], owner(d).as_deref(), None)
}

const BEARER: (&str, &str) = ("authorization", "Bearer any-token-at-all");

/// One request that may be answered by a dropped connection (`Err`).
async fn try_send(addr: SocketAddr, method: &str, path: &str) -> Result<u16, String> {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string())
        .header(BEARER.0, BEARER.1)
        .body(Full::new(Bytes::new()))
        .unwrap();
    match sender.send_request(req).await {
        Ok(response) => {
            let status = response.status().as_u16();
            let _ = response.into_body().collect().await;
            Ok(status)
        }
        Err(e) => Err(e.to_string()),
    }
}

#[tokio::test]
async fn every_admin_action_works_for_every_dialect() {
    let gw = gateway(&all_emulated("")).await;
    let index = send(gw.addr, "GET", "/__hookgate/emulators", &[], None).await;
    ok(&index, 200, "index");
    assert_eq!(
        index.json()["emulators"].as_array().unwrap().len(),
        dialects().len()
    );
    for d in dialects() {
        let name = d.name.as_str();
        let emu = gw.emulators[name];
        let info = send(emu, "GET", "/__hookgate/emulator", &[], None).await;
        ok(&info, 200, name);
        assert_eq!(info.json()["dialect"], name);
        assert_eq!(info.json()["webhooks"], 0);

        // What the gateway sends its emulator is in the journal, its credential redacted.
        let body = create_body(&d);
        let created = send(gw.addr, "POST", &canonical_base(&d, name), &[], Some(&body)).await;
        ok(&created, 201, name);
        let id = created.json()["id"].as_str().unwrap().to_owned();
        let journal = send(emu, "GET", "/__hookgate/journal", &[], None).await;
        ok(&journal, 200, name);
        let text = String::from_utf8_lossy(&journal.body).into_owned();
        assert!(
            !text.contains("fixtureSecretValue1fixtureSecretValue1"),
            "{name}: a webhook secret reached the journal: {text}"
        );
        let entries = journal.json()["entries"].as_array().unwrap().clone();
        let create = entries
            .iter()
            .find(|e| e["operation"] == "create")
            .unwrap_or_else(|| panic!("{name}: no create in {text}"));
        assert_eq!(create["method"], "POST", "{name}");
        assert!(create["status"].as_u64().unwrap() < 300, "{name}");
        assert_eq!(create["headers"]["authorization"], "Bearer [redacted]");
        assert!(create["body"].is_object(), "{name}: the body as sent");
        let last = entries.last().unwrap()["seq"].as_u64().unwrap();
        for (query, expected) in [
            ("?operation=create".to_owned(), 1),
            ("?method=post&status=2xx".to_owned(), 1),
            (format!("?path={}", d.base_path), entries.len()),
            ("?status=503".to_owned(), 0),
            (format!("?since={last}"), 0),
        ] {
            let filtered = send(
                emu,
                "GET",
                &format!("/__hookgate/journal{query}"),
                &[],
                None,
            )
            .await;
            ok(&filtered, 200, &query);
            let n = filtered.json()["entries"].as_array().unwrap().len();
            assert_eq!(n, expected, "{name}: journal{query}");
        }
        let bad = send(emu, "GET", "/__hookgate/journal?colour=red", &[], None).await;
        ok(&bad, 400, name);
        assert_eq!(bad.header("content-type"), Some("application/problem+json"));
        ok(
            &send(emu, "DELETE", "/__hookgate/journal", &[], None).await,
            204,
            name,
        );
        let empty = send(emu, "GET", "/__hookgate/journal", &[], None).await;
        assert_eq!(empty.json()["entries"], json!([]), "{name}");

        // The stored webhooks, both shapes.
        let stored = send(
            emu,
            "GET",
            "/__hookgate/webhooks?shape=canonical",
            &[],
            None,
        )
        .await;
        ok(&stored, 200, name);
        assert_eq!(stored.json()["webhooks"][0]["id"], id.as_str(), "{name}");
        assert!(stored.json()["webhooks"][0].get("secret").is_none());
        let vendor = send(emu, "GET", "/__hookgate/webhooks", &[], None).await;
        assert_eq!(
            d.webhook.read(&vendor.json()["webhooks"][0]).unwrap()["id"],
            id.as_str(),
            "{name}: the vendor's shape"
        );
        ok(
            &send(emu, "DELETE", "/__hookgate/webhooks", &[], None).await,
            204,
            name,
        );
        let gone = send(
            gw.addr,
            "GET",
            &format!("{}/{id}", canonical_base(&d, name)),
            &[],
            None,
        )
        .await;
        ok(&gone, 404, name);

        // Seeded from the vendor's documented examples: the vendor's API shows them as
        // documented, and the canonical API finds them.
        let seed = json!({"owner": owner(&d), "webhooks": d.examples});
        let seeded = send(emu, "POST", "/__hookgate/webhooks", &[], Some(&seed)).await;
        ok(&seeded, 201, name);
        assert_eq!(seeded.json()["webhooks"], json!(d.examples), "{name}");
        let listed = send(emu, "GET", "/__hookgate/webhooks", &[], None).await;
        assert_eq!(listed.json()["webhooks"], json!(d.examples), "{name}");
        let seeded_id = d.webhook.read(&d.examples[0]).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let found = send(
            gw.addr,
            "GET",
            &format!("{}/{seeded_id}", canonical_base(&d, name)),
            &[],
            None,
        )
        .await;
        ok(&found, 200, name);
        // Canonical fixtures, via the main listener's path to the same emulator.
        let admin = format!("/__hookgate/emulators/{name}");
        let canonical =
            json!({"shape": "canonical", "owner": owner(&d), "webhooks": [create_body(&d)]});
        let seeded = send(
            gw.addr,
            "POST",
            &format!("{admin}/webhooks"),
            &[],
            Some(&canonical),
        )
        .await;
        ok(&seeded, 201, name);
        assert!(seeded.json()["webhooks"][0]["id"].is_string());
        let text = String::from_utf8_lossy(&seeded.body).into_owned();
        assert!(
            !text.contains("fixtureSecretValue1fixtureSecretValue1"),
            "{name}: {text}"
        );
        let wrong = json!({"shape": "canonical", "webhooks": [{"colour": "red"}, 5]});
        let refused = send(emu, "POST", "/__hookgate/webhooks", &[], Some(&wrong)).await;
        ok(&refused, 422, name);
        let fields: Vec<String> = refused.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect();
        assert!(
            fields.iter().any(|f| f == "webhooks[1]"),
            "{name}: {fields:?}"
        );
        let info = send(gw.addr, "GET", &format!("{admin}/emulator"), &[], None).await;
        assert_eq!(info.json()["webhooks"], d.examples.len() + 1, "{name}");

        // Faults answer in the vendor's own envelope, as its mapping file renders each status.
        let faults = json!({"script": [
            {"status": 503}, {"status": 429}, {"status": 500, "retry_after": 7}, {"drop": true}
        ]});
        let set = send(
            gw.addr,
            "PUT",
            &format!("{admin}/faults"),
            &[],
            Some(&faults),
        )
        .await;
        ok(&set, 200, name);
        assert_eq!(set.json(), faults);
        let list = vendor_list(&d);
        let rid = ("x-request-id", "fault-1");
        for (status, retry_after) in [(503, None), (429, Some("1")), (500, Some("7"))] {
            let a = send(emu, "GET", &list, &[BEARER, rid], None).await;
            ok(&a, status, name);
            assert_eq!(a.header("retry-after"), retry_after, "{name} {status}");
            let expected = hookgate::frontend::vendor::problem_response(
                &d,
                &hookgate::emulator::faults::problem(
                    status,
                    retry_after.map(|r| r.parse().unwrap()),
                ),
                "fault-1",
                "list",
            );
            let expected = expected.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(
                a.body, expected,
                "{name} {status}: the dialect's own error envelope"
            );
        }
        assert!(
            try_send(emu, "GET", &list).await.is_err(),
            "{name}: the connection is dropped"
        );
        assert_eq!(
            try_send(emu, "GET", &list).await,
            Ok(200),
            "{name}: then answered"
        );
        let journal = send(emu, "GET", "/__hookgate/journal?operation=list", &[], None).await;
        let statuses: Vec<Value> = journal.json()["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["status"].clone())
            .collect();
        assert_eq!(
            statuses,
            [json!(503), json!(429), json!(500), Value::Null, json!(200)]
        );

        // Random failures at a rate of 1, for one operation only.
        let faults = json!({"random": [{"operations": ["list"], "rate": 1.0, "status": 502}], "latency_ms": [1, 3]});
        ok(
            &send(emu, "PUT", "/__hookgate/faults", &[], Some(&faults)).await,
            200,
            name,
        );
        ok(&send(emu, "GET", &list, &[BEARER], None).await, 502, name);
        let bad = json!({"random": [{"rate": 2, "operations": ["explode"]}]});
        let refused = send(emu, "PUT", "/__hookgate/faults", &[], Some(&bad)).await;
        ok(&refused, 422, name);
        ok(
            &send(emu, "DELETE", "/__hookgate/faults", &[], None).await,
            204,
            name,
        );
        ok(&send(emu, "GET", &list, &[BEARER], None).await, 200, name);

        // A reset goes back to the start: nothing stored, no faults, an empty journal.
        ok(
            &send(emu, "PUT", "/__hookgate/faults", &[], Some(&faults)).await,
            200,
            name,
        );
        let reset = send(emu, "POST", "/__hookgate/reset", &[], None).await;
        ok(&reset, 200, name);
        let r = reset.json();
        assert_eq!(
            (
                r["webhooks"].clone(),
                r["journal"].clone(),
                r["faults"].clone()
            ),
            (json!(0), json!(0), json!({})),
            "{name}"
        );
        let doc = send(emu, "GET", "/__hookgate/openapi.json", &[], None).await;
        assert_eq!(doc.json()["servers"][0]["url"], "/__hookgate");
        let doc = send(gw.addr, "GET", &format!("{admin}/openapi.json"), &[], None).await;
        assert_eq!(doc.json()["servers"][0]["url"], admin.as_str());
    }
    let unknown = send(
        gw.addr,
        "GET",
        "/__hookgate/emulators/nobody/emulator",
        &[],
        None,
    )
    .await;
    ok(&unknown, 404, "unknown emulator");
    gw.stop().await;
}

#[tokio::test]
async fn a_seed_and_a_clock_make_every_answer_the_same_on_every_run() {
    let settings = "[upstreams.NAME.emulator]\nseed = 42\nclock = \"2025-01-01T00:00:00Z\"\nclock_step_ms = 1000\n";
    let mut runs = Vec::new();
    for _ in 0..2 {
        let gw = gateway(&all_emulated(settings)).await;
        let mut answers = Vec::new();
        for d in dialects() {
            for _ in 0..2 {
                let emu = gw.emulators[&d.name];
                let a = send(
                    gw.addr,
                    "POST",
                    &canonical_base(&d, &d.name),
                    &[],
                    Some(&create_body(&d)),
                )
                .await;
                ok(&a, 201, &d.name);
                answers.push(a.json());
                // A reset starts the ids, secrets and clock over: the same answer again.
                ok(
                    &send(emu, "POST", "/__hookgate/reset", &[], None).await,
                    200,
                    &d.name,
                );
            }
            let stored = send(
                gw.emulators[&d.name],
                "GET",
                "/__hookgate/webhooks",
                &[],
                None,
            )
            .await;
            answers.push(stored.json());
        }
        runs.push(answers);
        gw.stop().await;
    }
    assert_eq!(runs[0], runs[1]);
    for pair in runs[0].chunks(3) {
        assert_eq!(pair[0], pair[1], "the same after a reset");
        assert!(
            pair[0]["created_at"]
                .as_str()
                .unwrap()
                .starts_with("2025-01-01T00:00:00")
        );
    }
}

#[tokio::test]
async fn the_gateway_retries_an_emulator_scripted_to_fail_twice() {
    let scripted = "retries = 2\nbackoff_ms = 5\n[upstreams.NAME.emulator.faults]\nscript = [{ status = 503 }, { drop = true }]\n";
    let gw = gateway(&all_emulated(scripted)).await;
    for d in dialects() {
        let listed = send(gw.addr, "GET", &canonical_base(&d, &d.name), &[], None).await;
        ok(&listed, 200, &d.name);
        let journal = send(
            gw.emulators[&d.name],
            "GET",
            "/__hookgate/journal",
            &[],
            None,
        )
        .await;
        let seen: Vec<(Value, Value)> = journal.json()["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["status"].clone(), e["fault"].clone()))
            .collect();
        assert_eq!(
            seen,
            [
                (json!(503), json!("script")),
                (Value::Null, json!("script")),
                (json!(200), Value::Null)
            ],
            "{}: two failures, then the answer",
            d.name
        );
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_request_given_up_on_is_journaled_at_once_without_an_answer() {
    // The gateway gives up on each slow emulator after 300 ms, and closes its connection.
    let slow =
        "retries = 0\ntimeout_ms = 300\n[upstreams.NAME.emulator.faults]\nlatency_ms = 20000\n";
    let gw = gateway(&all_emulated(slow)).await;
    for d in dialects() {
        let listed = send(gw.addr, "GET", &canonical_base(&d, &d.name), &[], None).await;
        assert_eq!(listed.status, 504, "{}: {}", d.name, listed.json());
        let given_up = Instant::now();
        let entries = loop {
            let entries = support::journal(gw.emulators[&d.name]).await;
            if !entries.is_empty() || given_up.elapsed() > Duration::from_secs(5) {
                break entries;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let seen: Vec<(Value, Value, Value)> = entries
            .iter()
            .map(|e| {
                (
                    e["operation"].clone(),
                    e["status"].clone(),
                    e["latency_ms"].clone(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [(json!("list"), Value::Null, json!(20000))],
            "{}: journaled when its client went away, long before its latency ran out",
            d.name
        );
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_body_in_a_content_coding_is_refused_not_misread() {
    let gw = gateway(&all_emulated("")).await;
    for d in dialects() {
        let base = canonical_base(&d, &d.name);
        let body = Bytes::from(serde_json::to_vec(&create_body(&d)).unwrap());
        let json = ("content-type", "application/json");
        for coding in ["gzip", "br", "identity, gzip", "x-anything"] {
            let refused = send_raw(
                gw.addr,
                "POST",
                &base,
                &[json, ("content-encoding", coding)],
                body.clone(),
            )
            .await;
            assert_eq!(refused.status, 415, "{}, {coding}", d.name);
            assert_eq!(
                refused.json()["code"],
                "unsupported_media_type",
                "{}, {coding}",
                d.name
            );
            // The emulator refuses it too, in the vendor's own shape.
            let create = d
                .operation(Action::Create)
                .expect("every dialect creates")
                .path
                .render(&[&d.base_path], owner(&d).as_deref(), None);
            let vendor = send_raw(
                gw.emulators[&d.name],
                "POST",
                &create,
                &[BEARER, json, ("content-encoding", coding)],
                body.clone(),
            )
            .await;
            assert_eq!(vendor.status, 415, "{}'s emulator, {coding}", d.name);
        }
        let listed = send(gw.addr, "GET", &base, &[], None).await;
        ok(&listed, 200, &d.name);
        assert_eq!(
            listed.json()["data"],
            json!([]),
            "{}: nothing created",
            d.name
        );
        // A coding declared on a request without a body has nothing to refuse.
        let listed = send_raw(
            gw.emulators[&d.name],
            "GET",
            &vendor_list(&d),
            &[BEARER, ("content-encoding", "gzip")],
            Bytes::new(),
        )
        .await;
        ok(&listed, 200, &d.name);
        // No coding at all, said outright (in any letter case).
        let created = send_raw(
            gw.addr,
            "POST",
            &base,
            &[json, ("content-encoding", "Identity")],
            body.clone(),
        )
        .await;
        ok(&created, 201, &d.name);
    }
    gw.stop().await;
}

#[tokio::test]
async fn head_is_served_as_get_without_the_body() {
    let gw = gateway(&all_emulated("")).await;
    for d in dialects() {
        let base = canonical_base(&d, &d.name);
        let created = send(gw.addr, "POST", &base, &[], Some(&create_body(&d))).await;
        ok(&created, 201, &d.name);
        let one = format!("{base}/{}", created.json()["id"].as_str().unwrap());
        let places = [
            (gw.addr, base.clone(), vec![]),
            (gw.addr, one, vec![]),
            (gw.emulators[&d.name], vendor_list(&d), vec![BEARER]),
        ];
        for (addr, path, headers) in places {
            let got = send(addr, "GET", &path, &headers, None).await;
            ok(&got, 200, &format!("{}: GET {path}", d.name));
            let head = send(addr, "HEAD", &path, &headers, None).await;
            assert_eq!(head.status, 200, "{}: HEAD {path}", d.name);
            assert!(head.body.is_empty(), "{}: HEAD {path} has a body", d.name);
            assert_eq!(
                head.header("content-length"),
                Some(got.body.len().to_string().as_str()),
                "{}: HEAD {path} tells the GET's length",
                d.name
            );
        }
        // A path that serves no GET serves no HEAD either.
        let rotate = d
            .operation(Action::RotateSecret)
            .map(|_| format!("{base}/x/rotate-secret"));
        if let Some(path) = rotate {
            let refused = send(gw.addr, "HEAD", &path, &[], None).await;
            assert_eq!(refused.status, 405, "{}: HEAD {path}", d.name);
            assert_eq!(refused.header("allow"), Some("POST"), "{}", d.name);
        }
    }
    gw.stop().await;
}

/// The secret an emulated webhook holds, read the vendor's way (the resource that shows it);
/// `None` where the vendor never shows it again.
async fn secret_at_vendor(emulator: SocketAddr, d: &Dialect, id: &str) -> Option<String> {
    let shows = d
        .resources
        .iter()
        .find(|r| r.get.is_some() && r.fields.reading("secret").is_some())?;
    let get = shows.get.as_ref()?;
    let path = get
        .path
        .render(&[&d.base_path], owner(d).as_deref(), Some(id));
    let answer = send(emulator, "GET", &path, &[BEARER], None).await;
    ok(&answer, 200, &d.name);
    let item = match &get.item_path {
        Some(at) => at.extract(answer.json())?,
        None => answer.json(),
    };
    shows.fields.read_owned(item).unwrap()["secret"]
        .as_str()
        .map(str::to_owned)
}

#[tokio::test]
async fn a_rotation_takes_the_secret_its_client_chose_or_refuses_it() {
    const CHOSEN: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let gw = gateway(&all_emulated("")).await;
    let mut took_one = 0;
    for d in dialects() {
        let Some(rotation) = d.operation(Action::RotateSecret) else {
            continue;
        };
        let base = canonical_base(&d, &d.name);
        let created = send(gw.addr, "POST", &base, &[], Some(&create_body(&d))).await;
        ok(&created, 201, &d.name);
        let id = created.json()["id"].as_str().unwrap().to_owned();
        let rotate = format!("{base}/{id}/rotate-secret");
        let test = format!("{base}/{id}/test");
        let json = ("content-type", "application/json");
        let post = |path: &str, headers: Vec<(&'static str, &'static str)>, body: &str| {
            let (path, body) = (path.to_owned(), Bytes::from(body.to_owned()));
            async move { send_raw(gw.addr, "POST", &path, &headers, body).await }
        };
        // What an action does not take is refused, never ignored.
        for (path, body, field) in [
            (&rotate, r#"{"secret": 5}"#, "secret"),
            (&rotate, r#"{"sekret": "x"}"#, "sekret"),
            (&test, r#"{"event": "x"}"#, "event"),
            (&test, r#"{"secret": "x"}"#, "secret"),
        ] {
            let refused = post(path, vec![json], body).await;
            assert_eq!(refused.status, 422, "{}: {path} {body}", d.name);
            assert_eq!(refused.json()["errors"][0]["field"], field, "{}", d.name);
        }
        let refused = post(&rotate, vec![("content-type", "text/plain")], "{}").await;
        assert_eq!(refused.status, 415, "{}", d.name);
        // No body, or an empty object: the vendor mints the secret, shown once.
        for body in ["", "{}"] {
            let rotated = post(&rotate, vec![json], body).await;
            ok(&rotated, 200, &d.name);
            let minted = rotated.json()["secret"].as_str().map(str::to_owned);
            if let Some(minted) = minted {
                let held = secret_at_vendor(gw.emulators[&d.name], &d, &id).await;
                assert!(held.is_none_or(|h| h == minted), "{}", d.name);
            }
        }
        let body = format!(r#"{{"secret": "{CHOSEN}"}}"#);
        let chosen = post(&rotate, vec![json], &body).await;
        let takes_one = rotation
            .body
            .as_ref()
            .is_some_and(|b| b.slots().contains(&"secret"));
        if takes_one {
            took_one += 1;
            ok(&chosen, 200, &d.name);
            assert!(
                chosen.json().get("secret").is_none(),
                "{}: a secret the client chose is not shown back",
                d.name
            );
            let held = secret_at_vendor(gw.emulators[&d.name], &d, &id).await;
            assert_eq!(held.as_deref(), Some(CHOSEN), "{}", d.name);
            // The vendor's refusal of the secret names it as the client sent it.
            let short = post(&rotate, vec![json], r#"{"secret": "short"}"#).await;
            assert_eq!(short.status, 422, "{}", d.name);
            assert_eq!(short.json()["errors"][0]["field"], "secret", "{}", d.name);
        } else {
            assert_eq!(chosen.status, 422, "{}", d.name);
            assert_eq!(chosen.json()["code"], "unsupported_field", "{}", d.name);
        }
    }
    assert!(took_one > 0, "no dialect takes a chosen secret on rotation");
    gw.stop().await;
}

/// A page of a million is asked of each vendor as the largest it serves (its list's
/// `limit.max`), never refused by it: every emulator answers, each page within its bound.
#[tokio::test]
async fn a_page_of_a_million_is_asked_as_the_vendors_largest() {
    let gw = gateway(&all_emulated("")).await;
    let mut bounded = 0;
    for d in dialects() {
        let base = canonical_base(&d, &d.name);
        let listed = send(gw.addr, "GET", &format!("{base}?limit=1000000"), &[], None).await;
        assert_eq!(listed.status, 200, "{}: {}", d.name, listed.json());
        let journal = support::journal(gw.emulators[&d.name]).await;
        let asked = journal.iter().rev().find(|e| e["operation"] == "list");
        let query = asked.and_then(|e| e["query"].as_str()).unwrap_or_default();
        assert!(!query.contains("1000000"), "{}: {query}", d.name);
        if let Some((max, _)) = d.operation(Action::List).and_then(|l| l.max_limit.clone()) {
            assert!(query.contains(&max.to_string()), "{}: {query}", d.name);
            bounded += 1;
        }
    }
    assert!(bounded > 0, "no vendor declares its largest page");
    gw.stop().await;
}

#[tokio::test]
async fn a_cursor_no_page_gave_is_refused_whether_the_vendor_pages_or_not() {
    let gw = gateway(&all_emulated("")).await;
    for d in dialects() {
        let base = canonical_base(&d, &d.name);
        let listed = send(gw.addr, "GET", &format!("{base}?cursor=zzz"), &[], None).await;
        // A vendor that pages refuses it; in front of one that answers every webhook at
        // once, the gateway gives the cursors (of pages it cuts from that answer), and
        // refuses one it never gave.
        assert_eq!(listed.status, 422, "{}: {}", d.name, listed.json());
        assert_eq!(listed.json()["errors"][0]["field"], "cursor", "{}", d.name);
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_page_parameter_given_twice_is_refused_by_every_vendor_api() {
    let gw = gateway(&all_emulated("")).await;
    for d in dialects() {
        let list = d.operation(Action::List).expect("every dialect lists");
        let emulator = gw.emulators[d.name.as_str()];
        for slot in ["limit", "cursor"] {
            let Some(param) = list.param_of(slot) else {
                continue;
            };
            let path = format!("{}?{param}=1&{param}=2", vendor_list(&d));
            let answer = send(emulator, "GET", &path, &[BEARER], None).await;
            assert!(
                (400..500).contains(&answer.status),
                "{}: {path}: {} {}",
                d.name,
                answer.status,
                String::from_utf8_lossy(&answer.body)
            );
            let body = String::from_utf8_lossy(&answer.body).into_owned();
            assert!(
                body.contains("more than once"),
                "{}: {path}: {body}",
                d.name
            );
        }
    }
    gw.stop().await;
}

/// Two emulators of `d`'s dialect, `first` and `other`, behind inbound keys: `reader-key-1`
/// may read, `writer-key-1` may write, `elsewhere-key-1` may write at `other` alone.
fn keyed(d: &Dialect) -> String {
    use sha2::Digest;
    let hex = |key: &str| format!("{:x}", sha2::Sha256::digest(key.as_bytes()));
    format!(
        "[upstreams.first]\ndialect = \"{}\"\nemulate = true\n[upstreams.other]\ndialect = \"{}\"\nemulate = true\n\
         [inbound_auth]\nmode = \"api_keys\"\n\
         [[inbound_auth.keys]]\nname = \"reader\"\nsha256 = \"{}\"\nscopes = [\"webhooks:read\"]\n\
         [[inbound_auth.keys]]\nname = \"writer\"\nsha256 = \"{}\"\nscopes = [\"webhooks:read\", \"webhooks:write\"]\n\
         [[inbound_auth.keys]]\nname = \"elsewhere\"\nsha256 = \"{}\"\nscopes = [\"webhooks:read\", \"webhooks:write\"]\nupstreams = [\"other\"]\n",
        d.name,
        d.name,
        hex("reader-key-1"),
        hex("writer-key-1"),
        hex("elsewhere-key-1")
    )
}

#[tokio::test]
async fn the_admin_api_is_behind_inbound_keys() {
    let gw = gateway(&keyed(&dialects().remove(0))).await;
    let emu = gw.emulators["first"];
    for (addr, base) in [
        (emu, "/__hookgate".to_owned()),
        (gw.addr, "/__hookgate/emulators/first".to_owned()),
    ] {
        let faults = json!({"latency_ms": 1});
        let put = |key: &'static str| {
            let path = format!("{base}/faults");
            let faults = faults.clone();
            async move { send(addr, "PUT", &path, &[("x-api-key", key)], Some(&faults)).await }
        };
        let none = send(addr, "GET", &format!("{base}/emulator"), &[], None).await;
        ok(&none, 401, "no key");
        assert_eq!(
            none.header("content-type"),
            Some("application/problem+json")
        );
        let read = send(
            addr,
            "GET",
            &format!("{base}/emulator"),
            &[("authorization", "Bearer reader-key-1")],
            None,
        )
        .await;
        ok(&read, 200, "a read key reads");
        ok(&put("reader-key-1").await, 403, "a read key does not write");
        ok(&put("writer-key-1").await, 200, "a write key writes");
        ok(
            &put("elsewhere-key-1").await,
            403,
            "a key of another upstream",
        );
        // Public on the emulator's own listener, behind the key under a name.
        let doc = send(addr, "GET", &format!("{base}/openapi.json"), &[], None).await;
        ok(&doc, if addr == emu { 200 } else { 401 }, "the description");
        let doc = send(
            addr,
            "GET",
            &format!("{base}/openapi.json"),
            &[("x-api-key", "reader-key-1")],
            None,
        )
        .await;
        ok(&doc, 200, "the description, with a key");
    }
    gw.stop().await;
}

/// A request to an emulator's admin API (on its own listener, under its name on the main
/// one, or the main listener's index of emulators) that gives two different keys, one in
/// `X-Api-Key` and one as a bearer token, is refused as a surface refuses it, whichever of them
/// is valid or may do more: which was meant is not for the emulator to guess. The same key
/// both ways is one, and an empty one beside a key is none.
#[tokio::test]
async fn an_admin_request_with_two_different_keys_is_refused() {
    let gw = gateway(&keyed(&dialects().remove(0))).await;
    let emu = gw.emulators["first"];
    let faults = json!({"latency_ms": 1});
    for (addr, base) in [
        (emu, "/__hookgate".to_owned()),
        (gw.addr, "/__hookgate/emulators/first".to_owned()),
    ] {
        let put = |api_key: &'static str, bearer: &'static str| {
            let path = format!("{base}/faults");
            let faults = faults.clone();
            async move {
                let bearer = format!("Bearer {bearer}");
                let headers = [("x-api-key", api_key), ("authorization", bearer.as_str())];
                send(addr, "PUT", &path, &headers, Some(&faults)).await
            }
        };
        for (api_key, bearer) in [
            ("writer-key-1", "reader-key-1"),
            ("reader-key-1", "writer-key-1"),
            ("not-a-key", "writer-key-1"),
            ("writer-key-1", "elsewhere-key-1"),
            ("writer-key-1", "WRITER-KEY-1"),
        ] {
            let refused = put(api_key, bearer).await;
            ok(&refused, 400, &format!("{base}: {api_key} and {bearer}"));
            let problem = refused.json();
            assert_eq!(problem["code"], "bad_request", "{problem}");
            let detail = problem["detail"].as_str().unwrap();
            assert!(
                detail.contains(
                    "two different keys are given, in X-Api-Key and in Authorization: Bearer"
                ),
                "{detail}"
            );
        }
        ok(
            &put("writer-key-1", "writer-key-1").await,
            200,
            "one key both ways",
        );
        ok(
            &put(" ", "writer-key-1").await,
            200,
            "an empty key beside one",
        );
    }
    let index = send(
        gw.addr,
        "GET",
        "/__hookgate/emulators",
        &[
            ("x-api-key", "reader-key-1"),
            ("authorization", "Bearer writer-key-1"),
        ],
        None,
    )
    .await;
    ok(&index, 400, "the index of emulators");
    gw.stop().await;
}

#[tokio::test]
async fn a_state_file_keeps_webhooks_across_restarts_and_a_corrupt_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let settings = format!(
        "[upstreams.NAME.emulator]\nstate = \"{}/NAME.json\"\n",
        dir.path().display()
    );
    let mut ids = Vec::new();
    let gw = gateway(&all_emulated(&settings)).await;
    for d in dialects() {
        let a = send(
            gw.addr,
            "POST",
            &canonical_base(&d, &d.name),
            &[],
            Some(&create_body(&d)),
        )
        .await;
        ok(&a, 201, &d.name);
        ids.push(a.json()["id"].as_str().unwrap().to_owned());
    }
    gw.stop().await;
    let gw = gateway(&all_emulated(&settings)).await;
    for (d, id) in dialects().iter().zip(&ids) {
        let a = send(
            gw.addr,
            "GET",
            &format!("{}/{id}", canonical_base(d, &d.name)),
            &[],
            None,
        )
        .await;
        ok(&a, 200, &d.name);
        let file = dir.path().join(format!("{}.json", d.name));
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains(id.as_str()), "{}", d.name);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "{}: secrets are in it", d.name);
        }
    }
    gw.stop().await;
    let d = dialects().remove(0);
    std::fs::write(dir.path().join(format!("{}.json", d.name)), "{not json").unwrap();
    let toml = format!(
        "listen = \"127.0.0.1:0\"\nmappings_dir = {:?}\n[inbound_auth]\nmode = \"off\"\n{}",
        support::MAPPINGS,
        all_emulated(&settings)
    );
    let figment = figment::Figment::from(figment::providers::Serialized::defaults(
        hookgate::config::RawConfig::default(),
    ))
    .merge(<figment::providers::Toml as figment::providers::Format>::string(&toml));
    let config = hookgate::config::from_figment(&figment, "test").unwrap();
    let setup = hookgate::setup::load(config).unwrap();
    match hookgate::app::start(setup).await {
        Err(hookgate::setup::StartError::Config(report)) => {
            let text = report.to_string();
            assert!(text.contains("emulator.state"), "{text}");
            assert!(text.contains("not an emulator state file"), "{text}");
        }
        Err(e) => panic!("refused for another reason: {e}"),
        Ok(_) => panic!("a corrupt state file was accepted"),
    }
}

#[tokio::test]
async fn a_delete_between_pages_passes_over_no_webhook_where_the_vendor_gives_cursors() {
    let paged = support::emulators_page_across_deletes(Path::new(support::MAPPINGS)).await;
    let orders: Vec<_> = paged.iter().map(|(_, order)| *order).collect();
    assert!(
        orders.contains(&Order::Ascending) && orders.contains(&Order::Descending),
        "both orders: {orders:?}"
    );
}

#[tokio::test]
async fn a_cursor_given_before_a_restart_names_the_same_place_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let paged: Vec<Dialect> = dialects()
        .into_iter()
        .filter(support::gives_cursors)
        .collect();
    assert!(!paged.is_empty(), "no vendor gives cursors");
    let config: String = paged
        .iter()
        .map(|d| {
            format!(
                "[upstreams.{0}]\ndialect = \"{0}\"\nemulate = true\n\
                 [upstreams.{0}.emulator]\nstate = \"{1}/{0}.json\"\n",
                d.name,
                dir.path().display()
            )
        })
        .collect();
    let gw = gateway(&config).await;
    let mut kept = Vec::new();
    for d in &paged {
        let base = canonical_base(d, &d.name);
        let made = support::seed_alike(gw.addr, d, &d.name, 5).await;
        let (first, cursor) = support::canonical_page(gw.addr, &base, 2, None).await;
        // The oldest goes: were places counted afresh from the state file, every webhook
        // after it would move up one, and the page after the cursor with it.
        support::delete_webhook(gw.addr, &base, &made[0]).await;
        kept.push((first, cursor.expect("a page after the first"), made));
    }
    gw.stop().await;
    let gw = gateway(&config).await;
    for (d, (first, cursor, made)) in paged.iter().zip(kept) {
        let base = canonical_base(d, &d.name);
        let in_order: Vec<String> = match first[0] == made[0] {
            true => made.clone(),
            false => made.iter().rev().cloned().collect(),
        };
        let after: Vec<String> = in_order[2..]
            .iter()
            .filter(|id| **id != made[0])
            .take(2)
            .cloned()
            .collect();
        let (next, _) = support::canonical_page(gw.addr, &base, 2, Some(&cursor)).await;
        assert_eq!(next, after, "{}: the page after {cursor}", d.name);
    }
    gw.stop().await;

    // A state file of a hookgate that kept no places: its webhooks take them in its order,
    // and page as they did.
    for d in &paged {
        let file = dir.path().join(format!("{}.json", d.name));
        let mut state: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        let store = state["store"].as_object_mut().unwrap();
        assert!(store.remove("next_seq").is_some(), "{}", d.name);
        for webhook in store["webhooks"].as_array_mut().unwrap() {
            assert!(webhook.as_object_mut().unwrap().remove("seq").is_some());
        }
        std::fs::write(&file, serde_json::to_vec(&state).unwrap()).unwrap();
    }
    let gw = gateway(&config).await;
    for d in &paged {
        let base = canonical_base(d, &d.name);
        let (everything, _) = support::canonical_page(gw.addr, &base, 10, None).await;
        let (first, cursor) = support::canonical_page(gw.addr, &base, 2, None).await;
        let cursor = cursor.expect("a page after the first");
        let (second, last) = support::canonical_page(gw.addr, &base, 2, Some(&cursor)).await;
        assert_eq!([first, second].concat(), everything, "{}", d.name);
        assert_eq!((everything.len(), last), (4, None), "{}", d.name);
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_fixtures_document_with_two_webhooks_of_one_id_is_refused() {
    let gw = gateway(&all_emulated("")).await;
    for d in dialects() {
        let (name, emu) = (&d.name, gw.emulators[&d.name]);
        let id = d.webhook.read(&d.examples[0]).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (one, two) = (fixture_id(&d, 1), fixture_id(&d, 2));
        let mut canonical = create_body(&d);
        canonical["id"] = json!(one);
        let mut other = canonical.clone();
        other["url"] = json!("https://example.com/other");
        // The documented example twice, as the vendor shows it; the same id under two owners,
        // as no vendor holds it either; and, in canonical terms, between others.
        let mut documents = vec![(
            json!({"owner": owner(&d), "webhooks": [d.examples[0], d.examples[0]]}),
            1,
            d.webhook.vendor_name("id"),
            id.clone(),
        )];
        if let Some(elsewhere) = another_owner(&d) {
            let mut theirs = canonical.clone();
            theirs["owner"] = json!(elsewhere);
            documents.push((
                json!({"shape": "canonical", "owner": owner(&d), "webhooks": [canonical, theirs]}),
                1,
                "id".to_owned(),
                one.clone(),
            ));
        }
        let mut fresh = create_body(&d);
        fresh["id"] = json!(two);
        documents.push((
            json!({"shape": "canonical", "owner": owner(&d), "webhooks": [canonical, fresh, other]}),
            2,
            "id".to_owned(),
            one.clone(),
        ));
        for (document, at, field, id) in documents {
            let refused = send(emu, "POST", "/__hookgate/webhooks", &[], Some(&document)).await;
            ok(&refused, 422, name);
            let error = &refused.json()["errors"][0];
            assert_eq!(
                error["field"],
                format!("webhooks[{at}].{field}"),
                "{name}: {error}"
            );
            let message = error["message"].as_str().unwrap();
            assert!(
                message.contains(&format!("`{id}`")) && message.contains("webhooks[0]"),
                "{name}: {message}"
            );
        }
        let stored = send(emu, "GET", "/__hookgate/webhooks", &[], None).await;
        assert_eq!(
            stored.json()["webhooks"],
            json!([]),
            "{name}: nothing seeded"
        );
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_fixture_giving_an_id_held_under_another_owner_is_refused() {
    let gw = gateway(&all_emulated("")).await;
    let mut tried = 0;
    for d in dialects() {
        let Some(elsewhere) = another_owner(&d) else {
            continue;
        };
        let (name, emu) = (&d.name, gw.emulators[&d.name]);
        let one = fixture_id(&d, 1);
        let mut webhook = create_body(&d);
        webhook["id"] = json!(one);
        let seed = |owner: &str| json!({"shape": "canonical", "owner": owner, "webhooks": [webhook.clone()]});
        let mine = owner(&d).unwrap();
        let first = send(emu, "POST", "/__hookgate/webhooks", &[], Some(&seed(&mine))).await;
        ok(&first, 201, name);
        // Again under its owner: the webhook is replaced. Under another: refused, one id held
        // once.
        let again = send(emu, "POST", "/__hookgate/webhooks", &[], Some(&seed(&mine))).await;
        ok(&again, 201, name);
        let refused = send(
            emu,
            "POST",
            "/__hookgate/webhooks",
            &[],
            Some(&seed(&elsewhere)),
        )
        .await;
        ok(&refused, 422, name);
        let error = &refused.json()["errors"][0];
        assert_eq!(error["field"], "webhooks[0].id", "{name}: {error}");
        let message = error["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("`{one}`")) && message.contains(&format!("`{mine}`")),
            "{name}: {message}"
        );
        let stored = send(emu, "GET", "/__hookgate/webhooks", &[], None).await;
        let held = stored.json()["webhooks"].as_array().unwrap().len();
        assert_eq!(held, 1, "{name}: {}", stored.json());
        tried += 1;
    }
    assert!(tried > 0, "no dialect with owners");
    gw.stop().await;
}

/// The `n`th (1 to 9) of the ids a test gives its fixtures, of a shape dialect `d`'s paths
/// can name (its `id_format`'s, where it has one).
fn fixture_id(d: &Dialect, n: u8) -> String {
    [
        format!("fixture-id-{n}"),
        format!("100{n}"),
        format!("550e8400-e29b-41d4-a716-44665544000{n}"),
    ]
    .into_iter()
    .find(|id| d.id_unfit(id).is_none())
    .unwrap_or_else(|| panic!("{}: no fixture id of its format", d.name))
}

/// An owner dialect `d` admits other than [`owner`], where it has owners.
fn another_owner(d: &Dialect) -> Option<String> {
    let first = owner(d)?;
    [
        "550e8400-e29b-41d4-a716-446655440000",
        "9fbef0b7-8d4e-4a08-9207-66c22155721d",
        "2",
        "1",
        "acme/other",
        "other",
    ]
    .into_iter()
    .map(str::to_owned)
    .find(|o| *o != first && d.admits_owner(o))
}

/// Seeds `n` webhooks alike under `owner` at the emulator of upstream `name`, of dialect `d`.
async fn seed_under(addr: SocketAddr, d: &Dialect, name: &str, owner: &str, n: usize) {
    let seed = json!({"shape": "canonical", "owner": owner, "webhooks": vec![create_body(d); n]});
    let path = format!("/__hookgate/emulators/{name}/webhooks");
    ok(
        &send(addr, "POST", &path, &[], Some(&seed)).await,
        201,
        name,
    );
}

#[tokio::test]
async fn a_cursor_is_good_only_for_the_list_it_came_from_and_counts_nothing() {
    let paged: Vec<Dialect> = dialects()
        .into_iter()
        .filter(support::gives_cursors)
        .filter(|d| another_owner(d).is_some())
        .collect();
    assert!(!paged.is_empty(), "no vendor with owners gives cursors");
    // Seeded: the same calls give the same cursors, after a reset and in another gateway.
    let config: String = paged
        .iter()
        .map(|d| {
            format!(
                "[upstreams.{0}]\ndialect = \"{0}\"\nemulate = true\n[upstreams.{0}.emulator]\nseed = 7\n",
                d.name
            )
        })
        .collect();
    let mut given = Vec::new();
    for run in 0..2 {
        let gw = gateway(&config).await;
        for d in &paged {
            let name = &d.name;
            let (mine, theirs) = (owner(d).unwrap(), another_owner(d).unwrap());
            let base = |o: &str| format!("/v1/upstreams/{name}/owners/{o}/webhooks");
            for again in [false, true] {
                if again {
                    let reset = format!("/__hookgate/emulators/{name}/reset");
                    ok(&send(gw.addr, "POST", &reset, &[], None).await, 200, name);
                }
                seed_under(gw.addr, d, name, &mine, 3).await;
                seed_under(gw.addr, d, name, &theirs, 3).await;
                let (first, cursor) = support::canonical_page(gw.addr, &base(&mine), 2, None).await;
                let cursor = cursor.unwrap_or_else(|| panic!("{name}: a page after the first"));
                // The place of the second webhook stored: not written as a count of them.
                assert!(cursor.parse::<u128>().is_err(), "{name}: {cursor}");
                let (_, other) = support::canonical_page(gw.addr, &base(&theirs), 2, None).await;
                let other = other.unwrap_or_else(|| panic!("{name}: a page after the first"));
                assert_ne!(cursor, other, "{name}");
                assert!(other.parse::<u128>().is_err(), "{name}: {other}");
                // Another owner's list refuses it, as the vendor refuses a cursor it never gave,
                // in both directions.
                for (owner, cursor) in [(&theirs, &cursor), (&mine, &other)] {
                    let path = format!("{}?limit=2&cursor={cursor}", base(owner));
                    let refused = send(gw.addr, "GET", &path, &[], None).await;
                    let text = String::from_utf8_lossy(&refused.body);
                    assert!((400..500).contains(&refused.status), "{path}: {text}");
                    assert!(text.contains(&format!("`{cursor}`")), "{path}: {text}");
                }
                // Its own list goes on after it.
                let (next, _) =
                    support::canonical_page(gw.addr, &base(&mine), 2, Some(&cursor)).await;
                assert_eq!(next.len(), 1, "{name}: the third of three");
                assert!(!first.contains(&next[0]), "{name}");
                given.push((run, again, name.clone(), cursor));
            }
        }
        gw.stop().await;
    }
    let cursors: Vec<&String> = given.iter().map(|(_, _, _, c)| c).collect();
    let per_run = cursors.len() / 2;
    assert_eq!(cursors[..per_run], cursors[per_run..], "{given:?}");
    for pair in cursors.chunks(2) {
        assert_eq!(pair[0], pair[1], "the same after a reset: {given:?}");
    }
}

/// A setup from a TOML configuration, as `support::gateway` makes one.
fn setup(toml: &str) -> hookgate::setup::Setup {
    let toml = format!(
        "listen = \"127.0.0.1:0\"\nmappings_dir = {:?}\n[inbound_auth]\nmode = \"off\"\n{toml}",
        support::MAPPINGS
    );
    let figment = figment::Figment::from(figment::providers::Serialized::defaults(
        hookgate::config::RawConfig::default(),
    ))
    .merge(<figment::providers::Toml as figment::providers::Format>::string(&toml));
    hookgate::setup::load(hookgate::config::from_figment(&figment, "test").unwrap()).unwrap()
}

#[tokio::test]
async fn a_reload_reconfigures_faults_keeps_webhooks_and_a_state_file_outlives_a_rename() {
    let d = dialects().remove(0);
    let dir = tempfile::tempdir().unwrap();
    let upstream = |name: &str, extra: &str| {
        format!(
            "[upstreams.{name}]\ndialect = \"{}\"\nemulate = true\n[upstreams.{name}.emulator]\nstate = \"{}/kept.json\"\n{extra}",
            d.name,
            dir.path().display()
        )
    };
    let mut gw = gateway(&upstream("u", "")).await;
    let created = send(
        gw.addr,
        "POST",
        &canonical_base(&d, "u"),
        &[],
        Some(&create_body(&d)),
    )
    .await;
    ok(&created, 201, &d.name);
    let id = created.json()["id"].as_str().unwrap().to_owned();

    let slower = upstream(
        "u",
        "seed = 3\n[upstreams.u.emulator.faults]\nlatency_ms = 1\n",
    );
    let reloaded = gw.reload(setup(&slower)).await.unwrap();
    assert!(
        reloaded
            .changes
            .contains(&"emulator reconfigured: u".to_owned()),
        "{:?}",
        reloaded.changes
    );
    let keys: Vec<&str> = reloaded
        .needs_restart
        .iter()
        .map(|n| n.key.as_str())
        .collect();
    assert_eq!(keys, ["upstreams.u.emulator.seed"]);
    let emu = gw.emulators["u"];
    let faults = send(emu, "GET", "/__hookgate/faults", &[], None).await;
    assert_eq!(faults.json(), json!({"latency_ms": 1}));
    let info = send(emu, "GET", "/__hookgate/emulator", &[], None).await;
    assert_eq!(info.json()["webhooks"], 1, "kept across the reload");

    // Renamed: a new emulator, which reads the webhooks the old one left in the state file.
    let reloaded = gw.reload(setup(&upstream("v", ""))).await.unwrap();
    assert!(
        reloaded.changes.contains(&"emulator stopped: u".to_owned()),
        "{:?}",
        reloaded.changes
    );
    let found = send(
        gw.addr,
        "GET",
        &format!("{}/{id}", canonical_base(&d, "v")),
        &[],
        None,
    )
    .await;
    ok(&found, 200, &d.name);
    gw.stop().await;
}

#[tokio::test]
async fn a_body_that_cannot_be_read_is_journaled_only_where_it_holds_no_secret() {
    for d in dialects() {
        let Some(secret_at) = d
            .webhook
            .rules
            .iter()
            .find(|r| r.target.name() == "secret" && r.request)
            .and_then(|r| r.path.as_ref())
            .map(|p| p.to_string())
        else {
            continue;
        };
        let name = d.name.as_str();
        let gw = support::gateway_emulating(support::MAPPINGS, name).await;
        let emu = gw.emulators[name];
        let create = d.operation(Action::Create).unwrap();
        let owner = d
            .owner
            .as_ref()
            .map(|_| "550e8400-e29b-41d4-a716-446655440000");
        let path = create.path.render(&[&d.base_path], owner, None);
        let member = secret_at.rsplit('.').next().unwrap();
        for (body, shown) in [
            (format!("{{\"{member}\": \"whsecUnreadable0001\", "), false),
            (format!("{member}=whsecUnreadable0002"), false),
            ("{\"url\": \"https://example.com/h\", ".to_owned(), true),
        ] {
            let _ = support::send_raw(
                emu,
                "POST",
                &path,
                &[BEARER, ("content-type", "application/json")],
                Bytes::from(body.clone()),
            )
            .await;
            let journal = send(emu, "GET", "/__hookgate/journal", &[], None).await;
            let text = String::from_utf8_lossy(&journal.body).into_owned();
            assert!(!text.contains("whsecUnreadable"), "{name}: {text}");
            let last = journal.json()["entries"]
                .as_array()
                .unwrap()
                .last()
                .cloned();
            let logged = last.map(|e| e["body"].clone()).unwrap_or_default();
            assert_eq!(logged == body.as_str(), shown, "{name}: {logged}");
        }
        gw.stop().await;
    }
}

/// Whether the member at `path` (dotted) is none of `d`'s webhooks': no rule of its file covers
/// it, and its documented examples never show it.
fn unknown_to(d: &Dialect, path: &str) -> bool {
    let mut object = Value::Object(serde_json::Map::new());
    hookgate::mapping::json_path::FieldPath::of_keys(path.split('.')).set(&mut object, json!(1));
    let leftover = |read: serde_json::Map<String, Value>| {
        read.get("extensions").and_then(|e| e.get(path)).is_some()
    };
    // A member a field's rule reads is no unknown one, whatever it holds.
    d.webhook.read(&object).is_ok_and(leftover)
        && !d
            .examples
            .iter()
            .any(|e| d.webhook.read(e).is_ok_and(leftover))
}

/// A vendor-shape fixture is a webhook as the vendor shows one: a member its mapping file has
/// no rule for (and its documented objects never show), at the top, inside one of its own
/// objects, or one of another vendor's (an `enabled` flag at a vendor whose webhooks have none),
/// is refused with 422, each such member named, and nothing is stored. For every loaded
/// dialect, shipped or in `tests/dialects`, chosen by what its file declares.
#[tokio::test]
async fn a_vendor_shaped_fixture_with_members_the_vendor_lacks_is_refused_whole() {
    let mut all = dialects();
    all.extend(hookgate::mapping::load_dir(Path::new(support::TEST_DIALECTS)).unwrap());
    let config: String = all
        .iter()
        .map(|d| {
            format!(
                "[upstreams.{0}]\ndialect = \"{0}\"\nemulate = true\n",
                d.name
            )
        })
        .collect();
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n{config}",
        support::TEST_DIALECTS
    ))
    .await;
    let (mut nested, mut foreign, mut refused) = (0, 0, 0);
    for d in &all {
        let name = d.name.as_str();
        let emu = gw.emulators[name];
        let doc =
            |webhook: Value| json!({"shape": "vendor", "owner": owner(d), "webhooks": [webhook]});
        let example = d.examples[0].clone();
        // The documented object alone is taken, so that what follows is refused for its member.
        let taken = send(
            emu,
            "POST",
            "/__hookgate/webhooks",
            &[],
            Some(&doc(example.clone())),
        )
        .await;
        if taken.status != 201 {
            continue; // an owner none of the samples fits; the example is seeded elsewhere
        }
        ok(
            &send(emu, "DELETE", "/__hookgate/webhooks", &[], None).await,
            204,
            name,
        );

        let mut bad = example.clone();
        let mut named = Vec::new();
        bad["bogus"] = json!(1);
        named.push("webhooks[0].bogus".to_owned());
        // Inside an object the vendor's rules reach into (`webhook_config.bogus`).
        let mut container = d.webhook.rules.iter().filter_map(|r| {
            let steps = r.path.as_ref()?.steps();
            let keys: Vec<&str> = steps
                .iter()
                .take(steps.len().saturating_sub(1))
                .map_while(|s| match s {
                    hookgate::mapping::json_path::Step::Key(k) => Some(k.as_str()),
                    _ => None,
                })
                .collect();
            (!keys.is_empty() && keys.len() == steps.len() - 1).then(|| keys.join("."))
        });
        let held = |c: &String| {
            bad.pointer(&format!("/{}", c.replace('.', "/")))
                .is_some_and(Value::is_object)
        };
        if let Some(container) = container.find(held) {
            let at = format!("/{}", container.replace('.', "/"));
            bad.pointer_mut(&at).unwrap()["bogus"] = json!(2);
            named.push(format!("webhooks[0].{container}.bogus"));
            nested += 1;
        }
        // Members other vendors' webhooks have and this one's do not: their enabled flags
        // (`enabled`, `active`, `disabled` at a vendor whose webhooks are always on), else
        // another of their members.
        let others = || all.iter().filter(|o| o.name != d.name);
        let lacked = |p: &String| {
            !p.contains(['.', '[']) && unknown_to(d, p) && bad.get(p.as_str()).is_none()
        };
        let mut theirs: Vec<String> = others()
            .filter_map(|o| {
                o.webhook
                    .reading("enabled")?
                    .path
                    .as_ref()
                    .map(|p| p.to_string())
            })
            .filter(lacked)
            .collect();
        theirs.sort();
        theirs.dedup();
        if theirs.is_empty() {
            let rest = others().flat_map(|o| o.webhook.rules.iter().filter_map(|r| r.path.clone()));
            theirs.extend(rest.map(|p| p.to_string()).find(lacked));
        }
        for member in &theirs {
            bad[member.as_str()] = json!(false);
            named.push(format!("webhooks[0].{member}"));
            foreign += 1;
        }
        let a = send(
            emu,
            "POST",
            "/__hookgate/webhooks",
            &[],
            Some(&doc(bad.clone())),
        )
        .await;
        let what = format!("{name}: {bad}");
        assert_eq!(
            a.status,
            422,
            "{what}: {}",
            String::from_utf8_lossy(&a.body)
        );
        let fields: Vec<String> = a.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect();
        for member in &named {
            assert!(
                fields.contains(member),
                "{what}: {member} not named in {fields:?}"
            );
        }
        let stored = send(emu, "GET", "/__hookgate/webhooks", &[], None).await;
        assert_eq!(stored.json()["webhooks"], json!([]), "{what}: stored");
        refused += 1;
    }
    assert!(
        refused >= 10 && nested >= 3 && foreign >= 3,
        "{refused} refused, {nested} nested, {foreign} foreign"
    );
    gw.stop().await;
}

/// Emulators of `dialects` (from the mapping files of `mappings`), each an upstream named
/// after its dialect, with `extra` settings (`NAME` for the dialect).
fn emulated_from(mappings: &Path, dialects: &[Dialect], extra: &str) -> String {
    format!(
        "mappings_dir = {:?}\n{}",
        mappings.display().to_string(),
        upstreams_emulating(dialects, extra)
    )
}

/// An emulated upstream of each of `dialects`, named after it, with `extra` settings (`NAME`
/// for the dialect).
fn upstreams_emulating(dialects: &[Dialect], extra: &str) -> String {
    dialects
        .iter()
        .map(|d| {
            format!(
                "[upstreams.{0}]\ndialect = \"{0}\"\nemulate = true\n{1}\n",
                d.name,
                extra.replace("NAME", &d.name)
            )
        })
        .collect()
}

/// `n` owners dialect `d` admits, each other than the rest (its first [`owner`]), so that
/// values one webhook per owner may hold are free under each; `None` each where it has none.
fn owners(d: &Dialect, n: usize) -> Vec<Option<String>> {
    let Some(first) = owner(d) else {
        return vec![None; n];
    };
    // The first with its last character another, where the owner has a format of its own.
    let head = first[..first.len() - 1].to_owned();
    let others = (1..=n * 4)
        .flat_map(|i| {
            [
                format!("550e8400-e29b-41d4-a716-4466554400{i:02}"),
                i.to_string(),
                format!("other{i}"),
                format!("acme/other{i}"),
            ]
        })
        .chain(
            "0123456789ABCDEFabcdef"
                .chars()
                .map(|c| format!("{head}{c}")),
        );
    let mut out = vec![first];
    for o in others.filter(|o| d.admits_owner(o)) {
        if out.len() == n {
            break;
        }
        if !out.contains(&o) {
            out.push(o);
        }
    }
    assert_eq!(out.len(), n, "{}: owners {out:?}", d.name);
    out.into_iter().map(Some).collect()
}

/// The canonical path of the webhooks of `owner` at upstream `d.name`.
fn webhooks_of(d: &Dialect, owner: Option<&str>) -> String {
    match owner {
        Some(o) => format!("/v1/upstreams/{}/owners/{o}/webhooks", d.name),
        None => format!("/v1/upstreams/{}/webhooks", d.name),
    }
}

/// Creates one webhook of `owner` through the gateway at the emulator of `d`: its id, and the
/// secret the answer shows, if any.
async fn create_one(
    addr: SocketAddr,
    d: &Dialect,
    owner: Option<&str>,
) -> (String, Option<String>) {
    let mut body = create_body(d);
    body.as_object_mut().unwrap().remove("owner");
    let made = send(addr, "POST", &webhooks_of(d, owner), &[], Some(&body)).await;
    ok(&made, 201, &d.name);
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let secret = made.json()["secret"].as_str().map(str::to_owned);
    (id, secret)
}

/// Whether each of `ids`, of the owner beside it, answers a GET through the gateway at the
/// emulator of `d` as that webhook.
async fn each_answers(addr: SocketAddr, d: &Dialect, ids: &[(&String, Option<&str>)]) {
    for (id, owner) in ids {
        let got = send(
            addr,
            "GET",
            &format!("{}/{id}", webhooks_of(d, *owner)),
            &[],
            None,
        )
        .await;
        ok(&got, 200, &format!("{}: {id}", d.name));
        assert_eq!(got.json()["id"], id.as_str(), "{}", d.name);
    }
}

/// The property every emulator of `dialects` keeps: an id minted is never one a webhook
/// holds already, after a restart from a state file (which keeps where the seeded generator
/// has got to), from a state file that does not keep it (an older hookgate's, its integer
/// counter behind its ids too), and beside fixtures holding the ids a seeded run gave; and a
/// seeded emulator is as deterministic as it was. Minted secrets are never held twice either.
async fn minted_ids_are_never_held(mappings: &Path, dialects: &[Dialect]) {
    let dir = tempfile::tempdir().unwrap();
    let seeded = format!(
        "[upstreams.NAME.emulator]\nseed = 7\nstate = \"{}/NAME.json\"\n",
        dir.path().display()
    );
    let config = emulated_from(mappings, dialects, &seeded);
    let mut made: Vec<Vec<(String, Option<String>)>> = vec![Vec::new(); dialects.len()];
    for round in 0..3 {
        if round == 2 {
            // A state file of a hookgate that kept no generator, and whose integer counter is
            // behind the ids it holds: the seeded generator draws again what it drew before.
            for d in dialects {
                let file = dir.path().join(format!("{}.json", d.name));
                let mut state: Value =
                    serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
                let store = state["store"].as_object_mut().unwrap();
                assert!(store.remove("generator").is_some(), "{}", d.name);
                store.insert("next_id".into(), json!(1));
                std::fs::write(&file, serde_json::to_vec(&state).unwrap()).unwrap();
            }
        }
        let gw = gateway(&config).await;
        for (d, made) in dialects.iter().zip(&mut made) {
            // Each round under an owner of its own: an id held is held whoever owns it.
            let owners = owners(d, 3);
            made.push(create_one(gw.addr, d, owners[round].as_deref()).await);
            let ids: Vec<&String> = made.iter().map(|(id, _)| id).collect();
            let mut distinct = ids.clone();
            distinct.sort();
            distinct.dedup();
            assert_eq!(distinct.len(), ids.len(), "{}: ids {ids:?}", d.name);
            let mut secrets: Vec<&String> = made.iter().filter_map(|(_, s)| s.as_ref()).collect();
            let shown = secrets.len();
            secrets.sort();
            secrets.dedup();
            assert_eq!(secrets.len(), shown, "{}: a secret minted twice", d.name);
            let owned: Vec<(&String, Option<&str>)> = ids
                .iter()
                .zip(&owners)
                .map(|(id, o)| (*id, o.as_deref()))
                .collect();
            each_answers(gw.addr, d, &owned).await;
        }
        gw.stop().await;
    }

    // The same seed and state give the same ids: a second directory, the same calls.
    let again = tempfile::tempdir().unwrap();
    let config = emulated_from(
        mappings,
        dialects,
        &seeded.replace(
            &dir.path().display().to_string(),
            &again.path().display().to_string(),
        ),
    );
    for round in 0..2 {
        let gw = gateway(&config).await;
        for (d, made) in dialects.iter().zip(&made) {
            let owner = owners(d, 3).swap_remove(round);
            let (id, _) = create_one(gw.addr, d, owner.as_deref()).await;
            assert_eq!(id, made[round].0, "{}: round {round}", d.name);
        }
        gw.stop().await;
    }

    // Fixtures holding the id a seeded run gave first, under its owner: the same seed does not
    // mint it again beside them.
    let config = emulated_from(mappings, dialects, "[upstreams.NAME.emulator]\nseed = 7\n");
    let gw = gateway(&config).await;
    for (d, made) in dialects.iter().zip(&made) {
        let [first_owner, other, _] = <[Option<String>; 3]>::try_from(owners(d, 3)).unwrap();
        let first = &made[0].0;
        let mut held = create_body(d);
        held.as_object_mut().unwrap().remove("owner");
        held["id"] = json!(first);
        held["created_at"] = json!("2025-01-01T00:00:00Z");
        held["updated_at"] = json!("2025-01-01T00:00:00Z");
        let fixtures = json!({"shape": "canonical", "owner": first_owner, "webhooks": [held]});
        let path = format!("/__hookgate/emulators/{}/webhooks", d.name);
        ok(
            &send(gw.addr, "POST", &path, &[], Some(&fixtures)).await,
            201,
            &d.name,
        );
        // Under another owner too: ids are the vendor's, whoever owns them.
        let (id, _) = create_one(gw.addr, d, other.as_deref()).await;
        assert_ne!(
            &id, first,
            "{}: minted beside a fixture that holds it",
            d.name
        );
        each_answers(
            gw.addr,
            d,
            &[(first, first_owner.as_deref()), (&id, other.as_deref())],
        )
        .await;
    }
    gw.stop().await;
}

#[tokio::test]
async fn an_emulator_never_mints_an_id_it_holds_across_restarts_or_beside_fixtures() {
    minted_ids_are_never_held(Path::new(support::MAPPINGS), &dialects()).await;
}

#[tokio::test]
async fn an_emulator_of_drawn_ids_never_mints_one_it_holds() {
    // A test-local mapping file whose ids are drawn from an alphabet, after a prefix.
    let mappings = Path::new(support::TEST_DIALECTS);
    let drawn: Vec<Dialect> = hookgate::mapping::load_dir(mappings)
        .unwrap()
        .into_iter()
        .filter(|d| d.name == "ward")
        .collect();
    assert!(
        matches!(
            drawn[0].emulator.ids,
            hookgate::mapping::model::IdStyle::Drawn { .. }
        ),
        "ward draws its ids"
    );
    minted_ids_are_never_held(mappings, &drawn).await;
}

/// A test-local dialect whose emulator mints integer ids: Relay.
fn counting() -> Vec<Dialect> {
    let counting: Vec<Dialect> = hookgate::mapping::load_dir(Path::new(support::TEST_DIALECTS))
        .unwrap()
        .into_iter()
        .filter(|d| d.name == "relay")
        .collect();
    assert_eq!(
        counting[0].emulator.ids,
        hookgate::mapping::model::IdStyle::Integer,
        "relay counts its ids"
    );
    counting
}

#[tokio::test]
async fn an_integer_id_held_at_the_largest_leaves_every_other_to_mint() {
    let dialects = counting();
    let config = emulated_from(Path::new(support::TEST_DIALECTS), &dialects, "");
    let gw = gateway(&config).await;
    for d in &dialects {
        let owner = owner(d);
        let mut held = create_body(d);
        held.as_object_mut().unwrap().remove("owner");
        held["id"] = json!(u64::MAX.to_string());
        held["created_at"] = json!("2025-01-01T00:00:00Z");
        held["updated_at"] = json!("2025-01-01T00:00:00Z");
        let fixtures = json!({"shape": "canonical", "owner": owner, "webhooks": [held]});
        let path = format!("/__hookgate/emulators/{}/webhooks", d.name);
        ok(
            &send(gw.addr, "POST", &path, &[], Some(&fixtures)).await,
            201,
            &d.name,
        );
        let mut ids = vec![u64::MAX.to_string()];
        for _ in 0..3 {
            ids.push(create_one(gw.addr, d, owner.as_deref()).await.0);
        }
        let mut distinct = ids.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), ids.len(), "{}: {ids:?}", d.name);
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_stepping_clock_stops_at_the_last_second_rfc_3339_writes() {
    let dialects = counting();
    let clock =
        "[upstreams.NAME.emulator]\nclock = \"9999-12-31T23:59:58Z\"\nclock_step_ms = 1000\n";
    for (extra, what) in [
        (clock.to_owned(), "a step of a second"),
        (
            clock.replace("= 1000", "= 9223372036854775807"),
            "the largest step",
        ),
    ] {
        let config = emulated_from(Path::new(support::TEST_DIALECTS), &dialects, &extra);
        let gw = gateway(&config).await;
        for d in &dialects {
            let owner = owner(d);
            for _ in 0..3 {
                create_one(gw.addr, d, owner.as_deref()).await;
            }
            let listed = send(gw.addr, "GET", &webhooks_of(d, owner.as_deref()), &[], None).await;
            ok(&listed, 200, what);
            let last = listed.json()["data"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|w| w["created_at"].as_str().map(str::to_owned))
                .max();
            assert_eq!(
                last.as_deref(),
                Some("9999-12-31T23:59:59Z"),
                "{}: {what}",
                d.name
            );
        }
        gw.stop().await;
    }
}

/// A seed holding an integer beyond 64 bits is refused naming the member that holds it,
/// whatever the integer, beside a double written as such that reads as the same double.
#[tokio::test]
async fn a_seed_names_the_member_holding_an_integer_beyond_64_bits() {
    let gw = gateway(&all_emulated("")).await;
    for d in dialects() {
        let emu = gw.emulators[d.name.as_str()];
        for n in [
            "12345678901234567890123",
            "123456789012345678901234",
            "987654321098765432109876",
            "-123456789012345678901234",
        ] {
            let double = format!("{:e}", n.parse::<f64>().unwrap());
            let seed = format!(
                r#"{{"owner": {}, "webhooks": [{{"f": {double}, "deep": {{"n": {n}}}}}]}}"#,
                json!(owner(&d))
            );
            let headers = [("content-type", "application/json")];
            let a = send_raw(emu, "POST", "/__hookgate/webhooks", &headers, seed.into()).await;
            let what = format!("{} {n}: {}", d.name, String::from_utf8_lossy(&a.body));
            assert_eq!(a.status, 422, "{what}");
            assert_eq!(
                a.json()["errors"][0]["field"],
                "webhooks.0.deep.n",
                "{what}"
            );
        }
    }
    gw.stop().await;
}
