//! Changes guarded by the version a vendor requires (optimistic concurrency), over loopback:
//! the gateway reads the webhook first and sends the version it read in the vendor's header
//! (`tests/dialects/vellum.toml`'s `X-Contentful-Version`, `tests/dialects/quire.toml`'s quoted
//! `If-Match`); an emulator keeps the version and refuses a stale or missing one in the
//! vendor's conflict shape; a surface holds its clients to the version of an upstream that
//! reports one, and relays the header to an upstream of its own dialect.

mod support;

use serde_json::{Value, json};
use std::net::SocketAddr;
use support::{Double, Reply, gateway, gateway_emulating, gateway_over, ok, send};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
const SPACE: &str = "yadj1kx9rmg0";
const AUTH: (&str, &str) = ("authorization", "Bearer t");
const MEDIA: (&str, &str) = (
    "content-type",
    "application/vnd.contentful.management.v1+json",
);

/// A webhook definition as the vendor answers it, at `version` (or without one).
fn definition(id: &str, name: &str, version: Option<u64>) -> Value {
    let mut sys = json!({"type": "WebhookDefinition", "id": id,
        "space": {"sys": {"type": "Link", "linkType": "Space", "id": SPACE}},
        "createdAt": "2015-05-18T11:29:46.809Z", "updatedAt": "2015-05-18T11:29:46.809Z"});
    if let Some(v) = version {
        sys["version"] = json!(v);
    }
    json!({"sys": sys, "name": name, "url": "https://www.example.com/test",
        "topics": ["Entry.create", "ContentType.*"], "filters": [],
        "headers": [{"key": "X-Foo", "value": "bar"}], "httpBasicUsername": "yolo",
        "active": true})
}

fn canonical_one(id: &str) -> String {
    format!("/v1/upstreams/vellum/owners/{SPACE}/webhooks/{id}")
}

/// A change that names the password the vendor never answers, which a full replacement would
/// otherwise reset.
fn rename(name: &str) -> Value {
    json!({"description": name, "extensions": {"http_basic_password": "pw"}})
}

#[tokio::test]
async fn a_canonical_patch_reads_first_and_sends_the_version_it_read() {
    let double = Double::start(vec![
        Reply::json(200, definition("wh1", "Old", Some(3))),
        Reply::json(200, definition("wh1", "New", Some(4))),
    ])
    .await;
    let gw = gateway_over(DIR, "vellum", &double).await;
    let answer = send(
        gw.addr,
        "PATCH",
        &canonical_one("wh1"),
        &[],
        Some(&rename("New")),
    )
    .await;
    ok(&answer, 200, "the patch");
    assert_eq!(answer.json()["extensions"]["version"], 4);
    let seen = double.seen();
    assert_eq!(seen.len(), 2, "one read, one write: {seen:?}");
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[1].method, "PUT");
    assert_eq!(
        seen[1].path,
        format!("/spaces/{SPACE}/webhook_definitions/wh1")
    );
    assert_eq!(seen[1].headers["x-contentful-version"], "3");
    let body = seen[1].json().unwrap();
    assert_eq!(body["name"], "New");
    assert_eq!(body["url"], "https://www.example.com/test");
    assert_eq!(body["topics"], json!(["Entry.create", "ContentType.*"]));
    assert_eq!(body["httpBasicPassword"], "pw");
    assert!(
        body.get("sys").is_none(),
        "the vendor's own members: {body}"
    );
    // The listing says that the update reads first, and why.
    let listed = send(gw.addr, "GET", "/v1/upstreams", &[], None).await;
    let composed = &listed.json()["data"][0]["composed"]["replace"];
    assert!(
        composed
            .as_str()
            .is_some_and(|n| n.contains("x-contentful-version")),
        "{composed}"
    );
}

#[tokio::test]
async fn a_version_mismatch_at_the_vendor_is_a_canonical_conflict() {
    let double = Double::start(vec![
        Reply::json(200, definition("wh1", "Old", Some(3))),
        Reply::json(
            409,
            json!({"sys": {"type": "Error", "id": "VersionMismatch"}, "requestId": "r-1"}),
        ),
    ])
    .await;
    let gw = gateway_over(DIR, "vellum", &double).await;
    let answer = send(
        gw.addr,
        "PATCH",
        &canonical_one("wh1"),
        &[],
        Some(&rename("New")),
    )
    .await;
    ok(&answer, 409, "a stale version");
    let problem = answer.json();
    assert_eq!(problem["code"], "conflict", "{problem}");
}

#[tokio::test]
async fn a_webhook_without_the_version_is_refused_naming_the_field() {
    let double = Double::start(vec![Reply::json(200, definition("wh1", "Old", None))]).await;
    let gw = gateway_over(DIR, "vellum", &double).await;
    let answer = send(
        gw.addr,
        "PATCH",
        &canonical_one("wh1"),
        &[],
        Some(&rename("New")),
    )
    .await;
    ok(&answer, 502, "no version to send");
    let detail = answer.json()["detail"].as_str().unwrap().to_owned();
    assert!(detail.contains("`extensions.version`"), "{detail}");
    assert!(detail.contains("x-contentful-version"), "{detail}");
    assert_eq!(double.seen().len(), 1, "nothing was sent after the read");
}

#[tokio::test]
async fn a_quoted_etag_goes_in_if_match_on_updates_and_deletes() {
    let hook = |tag: &str| {
        json!({"id": "qw_1", "url": "https://example.com/hook", "events": ["order.paid"],
            "enabled": true, "etag": tag})
    };
    let double = Double::start(vec![
        Reply::json(200, hook("33a64df5")),
        Reply::json(200, hook("9c1e02aa")),
        Reply::json(200, hook("9c1e02aa")),
        Reply::json(204, Value::Null),
    ])
    .await;
    let gw = gateway_over(DIR, "quire", &double).await;
    let one = "/v1/upstreams/quire/webhooks/qw_1";
    let changed = send(
        gw.addr,
        "PATCH",
        one,
        &[],
        Some(&json!({"description": "x"})),
    )
    .await;
    ok(&changed, 200, "the patch");
    let gone = send(gw.addr, "DELETE", one, &[], None).await;
    ok(&gone, 204, "the delete");
    let seen = double.seen();
    let methods: Vec<&str> = seen.iter().map(|s| s.method.as_str()).collect();
    assert_eq!(methods, ["GET", "PATCH", "GET", "DELETE"]);
    assert_eq!(seen[1].headers["if-match"], "\"33a64df5\"");
    assert_eq!(seen[1].json().unwrap(), json!({"description": "x"}));
    assert_eq!(seen[3].headers["if-match"], "\"9c1e02aa\"");
}

/// Creates a definition at a vellum emulator (or surface) at `addr`; returns it.
async fn create_at(addr: SocketAddr, prefix: &str) -> Value {
    let path = format!("{prefix}/spaces/{SPACE}/webhook_definitions");
    let body = json!({"name": "Mine", "url": "https://example.com/h", "topics": ["Entry.create"]});
    let made = send(addr, "POST", &path, &[AUTH, MEDIA], Some(&body)).await;
    ok(&made, 201, "the create");
    made.json()
}

async fn put_at(
    addr: SocketAddr,
    prefix: &str,
    id: &str,
    version: Option<&str>,
    name: &str,
) -> support::Answer {
    let path = format!("{prefix}/spaces/{SPACE}/webhook_definitions/{id}");
    let mut headers = vec![AUTH, MEDIA];
    if let Some(v) = version {
        headers.push(("x-contentful-version", v));
    }
    let body = json!({"name": name, "url": "https://example.com/h", "topics": ["Entry.create"]});
    send(addr, "PUT", &path, &headers, Some(&body)).await
}

fn assert_mismatch(answer: &support::Answer, what: &str) {
    ok(answer, 409, what);
    let body = answer.json();
    assert_eq!(
        body["sys"],
        json!({"type": "Error", "id": "VersionMismatch"}),
        "{body}"
    );
    assert!(body["requestId"].is_string(), "{body}");
}

#[tokio::test]
async fn the_emulator_keeps_the_version_and_refuses_a_stale_or_missing_one() {
    let gw = gateway_emulating(DIR, "vellum").await;
    let vendor = gw.emulators["vellum"];
    let made = create_at(vendor, "").await;
    assert_eq!(made["sys"]["version"], 1, "{made}");
    let id = made["sys"]["id"].as_str().unwrap().to_owned();
    let changed = put_at(vendor, "", &id, Some("1"), "Renamed").await;
    ok(&changed, 200, "the right version");
    assert_eq!(changed.json()["sys"]["version"], 2);
    assert_eq!(changed.json()["name"], "Renamed");
    assert_mismatch(
        &put_at(vendor, "", &id, Some("1"), "Stale").await,
        "a stale version",
    );
    assert_mismatch(&put_at(vendor, "", &id, None, "Blind").await, "no version");
    assert_mismatch(
        &put_at(vendor, "", &id, Some("two"), "Odd").await,
        "no number",
    );
    let path = format!("/spaces/{SPACE}/webhook_definitions/{id}");
    let read = send(vendor, "GET", &path, &[AUTH], None).await;
    ok(&read, 200, "the read");
    assert_eq!(read.json()["sys"]["version"], 2, "nothing changed");
    assert_eq!(read.json()["name"], "Renamed");
    // The same body again changes nothing, and the version stays.
    let same = put_at(vendor, "", &id, Some("2"), "Renamed").await;
    ok(&same, 200, "no change");
    assert_eq!(same.json()["sys"]["version"], 2);
}

#[tokio::test]
async fn the_canonical_api_in_front_of_the_emulator_sends_the_version_it_reads() {
    let gw = gateway_emulating(DIR, "vellum").await;
    let base = format!("/v1/upstreams/vellum/owners/{SPACE}/webhooks");
    let body =
        json!({"description": "Mine", "url": "https://example.com/h", "events": ["Entry.create"]});
    let made = send(gw.addr, "POST", &base, &[], Some(&body)).await;
    ok(&made, 201, "the create");
    assert_eq!(made.json()["extensions"]["version"], 1);
    let id = made.json()["id"].as_str().unwrap().to_owned();
    for (round, name) in [(2, "Two"), (3, "Three")] {
        let changed = send(
            gw.addr,
            "PATCH",
            &format!("{base}/{id}"),
            &[],
            Some(&rename(name)),
        )
        .await;
        ok(&changed, 200, name);
        assert_eq!(changed.json()["extensions"]["version"], round);
        assert_eq!(changed.json()["description"], name);
    }
}

/// The gateway with an emulator of `upstream` and a vellum surface in front of it, on a
/// listener of its own.
async fn surface_over(upstream: &str) -> hookgate::app::Running {
    gateway(&format!(
        "mappings_dir = {DIR:?}\nlisten = \"127.0.0.1:0\"\n[upstreams.{upstream}]\ndialect = \"{upstream}\"\n\
         emulate = true\n[surfaces.vellum]\ndialect = \"vellum\"\nupstream = \"{upstream}\"\n\
         listen = \"127.0.0.1:0\"\n"
    ))
    .await
}

#[tokio::test]
async fn a_surface_relays_the_version_to_its_own_dialect() {
    let gw = surface_over("vellum").await;
    let surface = gw.surfaces["vellum"];
    let made = create_at(surface, "").await;
    let id = made["sys"]["id"].as_str().unwrap().to_owned();
    assert_mismatch(
        &put_at(surface, "", &id, Some("7"), "Stale").await,
        "a stale version",
    );
    assert_mismatch(&put_at(surface, "", &id, None, "Blind").await, "no version");
    let changed = put_at(surface, "", &id, Some("1"), "Renamed").await;
    ok(&changed, 200, "the right version");
    assert_eq!(changed.json()["sys"]["version"], 2);
    let journal = support::journal(gw.emulators["vellum"]).await;
    let puts = journal.iter().filter(|e| e["method"] == "PUT").count();
    assert_eq!(
        puts, 3,
        "every change reached the vendor, which refused two"
    );
}

#[tokio::test]
async fn a_surface_holds_its_clients_to_an_upstream_that_reports_the_version() {
    // Quire's clients send `If-Match`; the vellum emulator behind keeps `extensions.version`.
    // (Without vellum's write-only password, which a full replacement from a client that
    // cannot name it would reset, and which is refused as such before any precondition.)
    let dir = support::dialects_with(&[(
        "vellum",
        "[fields.\"extensions.http_basic_password\"]\npath = \"$.httpBasicPassword\"\nin = [\"request\"]",
        "",
    )]);
    let dir = dir.path().to_str().unwrap();
    let gw = gateway(&format!(
        "mappings_dir = {dir:?}\nlisten = \"127.0.0.1:0\"\n[upstreams.vellum]\ndialect = \"vellum\"\n\
         emulate = true\n[surfaces.quire]\ndialect = \"quire\"\nupstream = \"vellum\"\n\
         listen = \"127.0.0.1:0\"\nowner = \"{SPACE}\"\n"
    ))
    .await;
    let surface = gw.surfaces["quire"];
    let body =
        json!({"url": "https://example.com/h", "events": ["Entry.create"], "description": "Mine"});
    let made = send(surface, "POST", "/v1/webhooks", &[AUTH], Some(&body)).await;
    ok(&made, 201, "the create");
    assert_eq!(made.json()["etag"], 1, "{}", made.json());
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let one = format!("/v1/webhooks/{id}");
    let change = json!({"description": "Renamed"});
    for (tag, what) in [
        (Some("\"0\""), "a stale tag"),
        (Some("1"), "an unquoted tag"),
        (None, "no tag"),
    ] {
        let mut headers = vec![AUTH];
        if let Some(tag) = tag {
            headers.push(("if-match", tag));
        }
        let refused = send(surface, "PATCH", &one, &headers, Some(&change)).await;
        ok(&refused, 409, what);
        assert_eq!(refused.json()["error"]["code"], "precondition_failed");
    }
    let writes = support::journal(gw.emulators["vellum"]).await;
    assert!(
        writes.iter().all(|e| e["method"] != "PUT"),
        "a refused change reached the upstream"
    );
    let changed = send(
        surface,
        "PATCH",
        &one,
        &[AUTH, ("if-match", "\"1\"")],
        Some(&change),
    )
    .await;
    ok(&changed, 200, "the right tag");
    assert_eq!(changed.json()["etag"], 2);
    assert_eq!(changed.json()["description"], "Renamed");
}

#[tokio::test]
async fn a_surface_in_front_of_an_upstream_without_versions_takes_the_change() {
    // Relay's hooks carry no version at all: the surface answers the one every definition
    // starts at (vellum.toml's `render_default`, which Contentful's SDK needs to save at all).
    let gw = surface_over("relay").await;
    let surface = gw.surfaces["vellum"];
    let made = create_at(surface, "").await;
    assert_eq!(made["sys"]["version"], 1, "{made}");
    let id = made["sys"]["id"].as_str().unwrap().to_owned();
    let changed = put_at(surface, "", &id, None, "Renamed").await;
    ok(&changed, 200, "no version to hold the client to");
    let again = put_at(surface, "", &id, Some("41"), "Again").await;
    ok(&again, 200, "a version the upstream cannot check");
    assert_eq!(again.json()["name"], "Again");
}

#[test]
fn a_header_names_a_field_the_webhook_has_on_an_operation_on_one_webhook() {
    let text = std::fs::read_to_string(format!("{DIR}/vellum.toml")).unwrap();
    let refused = |from: &str, to: &str| {
        let edited = text.replacen(from, to, 1);
        assert_ne!(edited, text, "{from}");
        support::refused_mapping("vellum", &edited).join("\n")
    };
    let header = "headers = { X-Contentful-Version = \"{{current.extensions.version}}\" }";
    let unknown = refused(
        header,
        "headers = { X-Contentful-Version = \"{{current.extensions.revision}}\" }",
    );
    assert!(
        unknown.contains("operations.replace.headers.X-Contentful-Version"),
        "{unknown}"
    );
    assert!(unknown.contains("current.extensions.revision"), "{unknown}");
    let not_canonical = refused(header, "headers = { X-V = \"{{current.revision}}\" }");
    assert!(
        not_canonical.contains("names no canonical field"),
        "{not_canonical}"
    );
    let on_a_list = refused(
        "path = \"/spaces/{owner}/webhook_definitions\"\nquery",
        "path = \"/spaces/{owner}/webhook_definitions\"\nheaders = { X-V = \"{{current.url}}\" }\nquery",
    );
    assert!(
        on_a_list.contains("operation on one webhook"),
        "{on_a_list}"
    );
    let defaulted = refused(
        header,
        "headers = { X-V = \"{{current.extensions.version|1}}\" }",
    );
    assert!(
        defaulted.contains("without an index or a default"),
        "{defaulted}"
    );
    let two = refused(
        header,
        "headers = { X-V = \"{{current.extensions.version}}-{{id}}\" }",
    );
    assert!(two.contains("no other placeholder"), "{two}");
    let version = refused(
        "version = \"extensions.version\"",
        "version = \"extensions.filters\"",
    );
    assert!(version.contains("emulator.version"), "{version}");
    assert!(version.contains("answers only"), "{version}");
    let nameless = refused("version = \"extensions.version\"", "version = \"url\"");
    assert!(
        nameless.contains("expected `extensions.NAME`"),
        "{nameless}"
    );
}
