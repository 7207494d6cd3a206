//! Header fields a mapping file sends as literal text (an API version the file was written
//! against): the vendor answers by them, so its emulators and its surfaces, in front of any
//! upstream, refuse a request that gives one another value, or gives it twice, in the vendor's
//! own validation error, naming the header and the value it must have, before anything is
//! called; one left out is the literal, and one spaced otherwise is the same value. A header
//! whose template holds a placeholder (the owner, text around the id) is no literal: any value
//! of it is served.

mod support;

use serde_json::{Value, json};
use std::net::SocketAddr;
use support::{Double, Reply, dialects_with, gateway, journal, ok, send};

const BEARER: (&str, &str) = ("authorization", "Bearer t");

/// One dialect with a literal header, as these tests use it.
struct Fixture {
    /// The dialect, and the emulated upstream of its name.
    dialect: &'static str,
    /// An owner of it, where it has owners: the canonical API's, and the header's value.
    owner: Option<&'static str>,
    /// The header holding the owner, where it takes one in a header.
    owner_header: Option<&'static str>,
    /// The literal header and its value.
    header: &'static str,
    literal: &'static str,
    /// Other values of it a client may write, each refused.
    others: &'static [&'static str],
    /// The list's path and one webhook's, after the dialect's base path.
    list: &'static str,
    one: &'static str,
    /// `header: message`, read from the vendor's validation error after checking its shape.
    said: fn(&Value) -> String,
}

/// Tally (`tests/dialects/tally.toml`): `Tally-Version = "2024-01"` on every operation, the
/// tenant in a header of its own; its errors are `{Title, Detail}`.
const TALLY: Fixture = Fixture {
    dialect: "tally",
    owner: Some("t-1"),
    owner_header: Some("Tally-Tenant-Id"),
    header: "Tally-Version",
    literal: "2024-01",
    others: &["2023-01", "2024-1", "2024-01-01", "2024-01;q=1"],
    list: "/api/webhooks",
    one: "/api/webhooks/",
    said: |error| {
        assert_eq!(error["Title"], "Validation Error", "{error}");
        error["Detail"].as_str().unwrap_or_default().to_owned()
    },
};

/// Pal (`tests/dialects/pal.toml`) given `Pal-Version = "v1"` on its list, read and delete
/// (and, on its read, `X-Ref = "hook-{{id}}"`, no literal); its errors list `details` that
/// say where each field is.
const PAL: Fixture = Fixture {
    dialect: "pal",
    owner: None,
    owner_header: None,
    header: "Pal-Version",
    literal: "v1",
    others: &["v2", "V1", "v1.0", "1"],
    list: "/v1/notifications/webhooks",
    one: "/v1/notifications/webhooks/",
    said: |error| {
        assert_eq!(error["name"], "VALIDATION_ERROR", "{error}");
        let detail = &error["details"][0];
        assert_eq!(detail["location"], "header", "{error}");
        format!(
            "{}: {}",
            detail["field"].as_str().unwrap(),
            detail["issue"].as_str().unwrap()
        )
    },
};

/// The test dialects, Pal given its literal headers.
fn literal_dialects() -> tempfile::TempDir {
    let op = |name: &str, method: &str, path: &str| {
        format!("[operations.{name}]\nmethod = \"{method}\"\npath = \"{path}\"\n")
    };
    let (list, get, delete) = (
        op("list", "GET", "/webhooks"),
        op("get", "GET", "/webhooks/{id}"),
        op("delete", "DELETE", "/webhooks/{id}"),
    );
    let version = "headers = { Pal-Version = \"v1\" }\n";
    dialects_with(&[
        ("pal", &list, &format!("{list}{version}")),
        (
            "pal",
            &get,
            &format!("{get}headers = {{ Pal-Version = \"v1\", X-Ref = \"hook-{{{{id}}}}\" }}\n"),
        ),
        ("pal", &delete, &format!("{delete}{version}")),
    ])
}

/// Tally and Pal emulated, Desk emulated beside them; a surface of each relaying to its own
/// emulator (`/tally`, `/pal`) and one of each over Desk (`/tally-on-desk`, `/pal-on-desk`,
/// bridging Desk's workspace `ws1`).
async fn literal_gateway(dir: &std::path::Path) -> hookgate::app::Running {
    gateway(&format!(
        "mappings_dir = {:?}\n\
         [upstreams.tally]\ndialect = \"tally\"\nemulate = true\n\
         [upstreams.pal]\ndialect = \"pal\"\nemulate = true\n\
         [upstreams.desk]\ndialect = \"desk\"\nemulate = true\n\
         [surfaces.tally]\ndialect = \"tally\"\nupstream = \"tally\"\nprefix = \"/tally\"\n\
         [surfaces.tally-on-desk]\ndialect = \"tally\"\nupstream = \"desk\"\nprefix = \"/tally-on-desk\"\n\
         [surfaces.pal]\ndialect = \"pal\"\nupstream = \"pal\"\nprefix = \"/pal\"\n\
         [surfaces.pal-on-desk]\ndialect = \"pal\"\nupstream = \"desk\"\nprefix = \"/pal-on-desk\"\nowner = \"ws1\"\n",
        dir.to_str().unwrap()
    ))
    .await
}

/// A webhook made through the canonical API at `upstream`, under `owner` where it has owners:
/// its id.
async fn made(gw: SocketAddr, upstream: &str, owner: Option<&str>) -> String {
    let base = match owner {
        Some(owner) => format!("/v1/upstreams/{upstream}/owners/{owner}/webhooks"),
        None => format!("/v1/upstreams/{upstream}/webhooks"),
    };
    let body = json!({"url": "https://example.com/h", "events": ["INVOICE.CREATED"]});
    let created = send(gw, "POST", &base, &[], Some(&body)).await;
    ok(&created, 201, &base);
    created.json()["id"].as_str().unwrap().to_owned()
}

/// The values of the literal header a client may send that are refused, each as the field
/// lines it is sent in, and what the vendor's error says of it.
fn refused_values(f: &Fixture) -> Vec<(Vec<String>, String)> {
    let (name, literal) = (f.header.to_ascii_lowercase(), f.literal);
    let not = |other: &str| format!("{name}: must be `{literal}`, not `{other}`");
    let mut cases: Vec<(Vec<String>, String)> = (f.others.iter())
        .map(|other| (vec![(*other).to_owned()], not(other)))
        .collect();
    let listed = format!("{literal}, {literal}");
    cases.extend([
        (vec![String::new()], not("")),
        (vec![listed.clone()], not(&listed)),
        (
            vec![literal.to_owned(), f.others[0].to_owned()],
            not(f.others[0]),
        ),
        (
            vec![f.others[0].to_owned(), literal.to_owned()],
            not(f.others[0]),
        ),
        (
            vec![literal.to_owned(), literal.to_owned()],
            format!("{name}: is given more than once"),
        ),
    ]);
    cases
}

/// The values of the literal header that are served: the literal, spaced otherwise, and none.
fn served_values(f: &Fixture) -> Vec<Vec<String>> {
    vec![
        vec![f.literal.to_owned()],
        vec![format!("  {}\t", f.literal)],
        Vec::new(),
    ]
}

/// `method path` at `addr` with the credential, the owner's header where the dialect takes
/// one, and `values` of the literal header, one field line each.
async fn call(
    addr: SocketAddr,
    f: &Fixture,
    (method, path): (&str, &str),
    owner: Option<&str>,
    values: &[String],
) -> support::Answer {
    let mut headers = vec![BEARER];
    if let (Some(name), Some(owner)) = (f.owner_header, owner) {
        headers.push((name, owner));
    }
    headers.extend(values.iter().map(|v| (f.header, v.as_str())));
    send(addr, method, path, &headers, None).await
}

/// Every refused value on `method path`, refused as the vendor refuses a bad field: 400,
/// naming the header and the value it must have.
async fn all_refused(addr: SocketAddr, f: &Fixture, call_at: (&str, &str), owner: Option<&str>) {
    for (values, expected) in refused_values(f) {
        let answer = call(addr, f, call_at, owner, &values).await;
        let what = format!("{} {} with {values:?}", call_at.0, call_at.1);
        ok(&answer, 400, &what);
        assert_eq!((f.said)(&answer.json()), expected, "{what}");
    }
}

/// The emulator of `f` at `emulator`, holding the webhook `id`: other values refused on its
/// list, read and delete, the literal and none served, nothing deleted by a refused delete.
async fn emulator_holds_to_its_literal(emulator: SocketAddr, f: &Fixture, id: &str) {
    let one = format!("{}{id}", f.one);
    for at in [
        ("GET", f.list),
        ("GET", one.as_str()),
        ("DELETE", one.as_str()),
    ] {
        all_refused(emulator, f, at, f.owner).await;
    }
    for values in served_values(f) {
        let listed = call(emulator, f, ("GET", f.list), f.owner, &values).await;
        ok(&listed, 200, &format!("a list with {values:?}"));
        assert!(listed.body.windows(id.len()).any(|w| w == id.as_bytes()));
        let read = call(emulator, f, ("GET", &one), f.owner, &values).await;
        ok(&read, 200, &format!("a read with {values:?}"));
    }
    let deleted = call(emulator, f, ("DELETE", &one), f.owner, &served_values(f)[1]).await;
    ok(&deleted, 204, "a delete with the literal");
    let gone = call(emulator, f, ("GET", &one), f.owner, &[]).await;
    ok(&gone, 404, "deleted");
}

#[tokio::test]
async fn an_emulator_refuses_a_literal_header_of_another_value() {
    let dir = literal_dialects();
    let gw = literal_gateway(dir.path()).await;
    for f in [&TALLY, &PAL] {
        let id = made(gw.addr, f.dialect, f.owner).await;
        emulator_holds_to_its_literal(gw.emulators[f.dialect], f, &id).await;
    }
}

#[tokio::test]
async fn a_create_and_an_update_hold_to_the_literal_too() {
    let dir = literal_dialects();
    let gw = literal_gateway(dir.path()).await;
    let emulator = gw.emulators["tally"];
    let id = made(gw.addr, "tally", TALLY.owner).await;
    let body = json!({"url": "https://example.com/u", "eventTypes": ["INVOICE.CREATED"]});
    let tenant = ("Tally-Tenant-Id", "t-1");
    for (path, what) in [
        ("/api/webhooks".to_owned(), "a create"),
        (format!("/api/webhooks/{id}"), "an update"),
    ] {
        let refused = send(
            emulator,
            "POST",
            &path,
            &[BEARER, tenant, ("Tally-Version", "2023-01")],
            Some(&body),
        )
        .await;
        ok(&refused, 400, what);
        assert_eq!(
            refused.json()["Detail"],
            "tally-version: must be `2024-01`, not `2023-01`"
        );
    }
    // Nothing was made or changed.
    let listed = send(emulator, "GET", "/api/webhooks", &[BEARER, tenant], None).await;
    assert_eq!(listed.json()["webhooks"].as_array().unwrap().len(), 1);
    assert_eq!(listed.json()["webhooks"][0]["url"], "https://example.com/h");
    for (path, what) in [
        ("/api/webhooks".to_owned(), "a create"),
        (format!("/api/webhooks/{id}"), "an update"),
    ] {
        let served = send(
            emulator,
            "POST",
            &path,
            &[BEARER, tenant, ("Tally-Version", "2024-01")],
            Some(&body),
        )
        .await;
        ok(&served, 200, what);
    }
}

#[tokio::test]
async fn a_surface_refuses_a_literal_header_of_another_value_in_front_of_any_upstream() {
    let dir = literal_dialects();
    let gw = literal_gateway(dir.path()).await;
    // Desk's workspace for the Tally surface is its tenant; the Pal surface bridges `ws1`.
    for (f, prefix, upstream, owner) in [
        (&TALLY, "/tally", "tally", TALLY.owner),
        (&TALLY, "/tally-on-desk", "desk", Some("t-5")),
        (&PAL, "/pal", "pal", None),
        (&PAL, "/pal-on-desk", "desk", Some("ws1")),
    ] {
        let id = made(gw.addr, upstream, owner).await;
        let called = journal(gw.emulators[upstream]).await.len();
        let list = format!("{prefix}{}", f.list);
        let one = format!("{prefix}{}{id}", f.one);
        let header_owner = owner.filter(|_| f.owner_header.is_some());
        for at in [("GET", list.as_str()), ("GET", &one), ("DELETE", &one)] {
            all_refused(gw.addr, f, at, header_owner).await;
        }
        // Refused before the upstream was called.
        assert_eq!(
            journal(gw.emulators[upstream]).await.len(),
            called,
            "{prefix}"
        );
        for values in served_values(f) {
            let listed = call(gw.addr, f, ("GET", &list), header_owner, &values).await;
            ok(&listed, 200, &format!("{prefix}: a list with {values:?}"));
            assert!(
                listed.body.windows(id.len()).any(|w| w == id.as_bytes()),
                "{prefix}: {:?}",
                listed.json()
            );
            let read = call(gw.addr, f, ("GET", &one), header_owner, &values).await;
            ok(&read, 200, &format!("{prefix}: a read with {values:?}"));
        }
        let deleted = call(gw.addr, f, ("DELETE", &one), header_owner, &[]).await;
        ok(&deleted, 204, &format!("{prefix}: a delete without it"));
    }
}

#[tokio::test]
async fn a_header_with_a_placeholder_is_no_literal() {
    let dir = literal_dialects();
    let gw = literal_gateway(dir.path()).await;
    let id = made(gw.addr, "pal", None).await;
    // `X-Ref = "hook-{{id}}"`: text around a placeholder, whatever the client writes there.
    for at in [gw.emulators["pal"], gw.addr] {
        let prefix = if at == gw.addr { "/pal" } else { "" };
        let path = format!("{prefix}/v1/notifications/webhooks/{id}");
        for x_ref in ["hook-other", "anything", ""] {
            let read = send(at, "GET", &path, &[BEARER, ("X-Ref", x_ref)], None).await;
            ok(&read, 200, &format!("{path} with X-Ref {x_ref:?}"));
        }
    }
    // `Tally-Tenant-Id = "{{owner}}"`: another tenant is another tenant's list, not refused.
    for tenant in ["t-2", "t-99"] {
        let listed = send(
            gw.emulators["tally"],
            "GET",
            "/api/webhooks",
            &[BEARER, ("Tally-Tenant-Id", tenant)],
            None,
        )
        .await;
        ok(&listed, 200, tenant);
        assert_eq!(listed.json()["webhooks"], json!([]));
    }
}

/// A surface relaying to a vendor of its own dialect sends the literal headers and query
/// parameters its client leaves out, as hookgate's own call does: the vendor answers by them
/// (its API version, a level), and without them it would answer by its default, not as the
/// dialect says. One the client gives as it is goes once.
#[tokio::test]
async fn a_relay_sends_the_literals_its_client_leaves_out() {
    let dir = literal_dialects();
    let relay = |double: &Double, dialect: &str| {
        format!(
            "mappings_dir = {:?}\n[upstreams.v]\ndialect = \"{dialect}\"\nbase_url = {:?}\n\
             auth = {{ type = \"none\" }}\n[url_policy]\nallow_private = true\n\
             [surfaces.r]\ndialect = \"{dialect}\"\nupstream = \"v\"\nprefix = \"/r\"\n",
            dir.path().to_str().unwrap(),
            double.url()
        )
    };
    let deleted = || Reply::Raw {
        status: 204,
        headers: vec![],
        body: String::new(),
    };
    for (f, given) in [(&TALLY, false), (&TALLY, true), (&PAL, false), (&PAL, true)] {
        let double = Double::start(vec![deleted()]).await;
        let gw = gateway(&relay(&double, f.dialect)).await;
        let mut headers = vec![BEARER];
        if let Some(name) = f.owner_header {
            headers.push((name, "t-1"));
        }
        if given {
            headers.push((f.header, f.literal));
        }
        let one = format!("/r{}12", f.one);
        ok(
            &send(gw.addr, "DELETE", &one, &headers, None).await,
            204,
            &format!("{one} given the literal: {given}"),
        );
        let seen = double.seen();
        let sent: Vec<_> = seen[0].headers.get_all(f.header).iter().collect();
        assert_eq!(sent, [f.literal], "{}: given {given}", f.dialect);
        gw.stop().await;
    }
    // A literal query parameter (Ward's list names the kind of its filter) likewise.
    let listed = || {
        Reply::json(
            200,
            json!({"webhook_subscriptions": [], "limit": 25, "offset": 0, "more": false, "total": null}),
        )
    };
    for query in [
        "filter_id=PABCDEF",
        "filter_id=PABCDEF&filter_type=service_reference",
    ] {
        let double = Double::start(vec![listed()]).await;
        let gw = gateway(&relay(&double, "ward")).await;
        let auth = ("authorization", "Token token=t0ken");
        let path = format!("/r/webhook_subscriptions?{query}");
        ok(
            &send(gw.addr, "GET", &path, &[auth], None).await,
            200,
            &path,
        );
        let sent = double.seen()[0].path.clone();
        let kinds = sent.matches("filter_type=service_reference").count();
        assert_eq!(kinds, 1, "{query}: {sent}");
        gw.stop().await;
    }
}
