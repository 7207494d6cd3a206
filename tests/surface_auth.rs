//! Inbound authentication on every route that reaches a vendor, for every loaded dialect. A
//! vendor surface that spends the upstream's own credential, an emulator on its own listener
//! and `/debug/translate` take only configured keys (presented the vendor's way, as the bearer
//! token, or in `X-Api-Key`), hold them to their scopes and upstreams, and refuse in the
//! surface's own 401 and 403; nothing reaches the vendor before that. A surface that passes its
//! client's credential through leaves authentication to the vendor and says so at start.

mod support;

use hookgate::mapping::Dialect;
use hookgate::mapping::model::ClientAuth;
use hookgate::model::Action;
use hookgate::problem::Code;
use serde_json::json;
use std::net::SocketAddr;
use support::{Answer, gateway, send};

const READER: &str = "reader-key-0001";
const WRITER: &str = "writer-key-0002";

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn dialects() -> Vec<Dialect> {
    hookgate::mapping::load::load_sources(hookgate::mapping::load::shipped()).unwrap()
}

/// A value of the shape a dialect declares (an owner or an id), or a uuid where it declares none.
fn value_for(format: Option<&hookgate::mapping::url::Format>) -> &'static str {
    let candidates = ["0190a1b2-0000-4000-8000-000000000000", "12345", "app_1"];
    format.map_or(candidates[0], |f| {
        candidates
            .into_iter()
            .find(|c| f.admits(c))
            .expect("a sample value of the declared format")
    })
}

/// The path of an operation of `d`, under `prefix`, for a sample owner and id.
fn path(d: &Dialect, action: Action, prefix: &str) -> Option<(String, String)> {
    let endpoint = d.operation(action)?;
    let owner = d.owner.as_ref().map(|_| value_for(d.owner_format.as_ref()));
    let id = value_for(d.id_format.as_ref());
    let path = endpoint
        .path
        .render(&[prefix, &d.base_path], owner, Some(id));
    Some((endpoint.method.to_string(), path))
}

fn keys() -> String {
    format!(
        "[inbound_auth]\nmode = \"api_keys\"\n\
         [[inbound_auth.keys]]\nname = \"reader\"\nsha256 = \"{}\"\nscopes = [\"webhooks:read\"]\n\
         [[inbound_auth.keys]]\nname = \"writer\"\nsha256 = \"{}\"\nscopes = [\"webhooks:read\", \"webhooks:write\"]\nupstreams = [\"vendor\"]\n",
        sha256_hex(READER),
        sha256_hex(WRITER)
    )
}

fn config(d: &Dialect) -> String {
    let name = &d.name;
    // The main listener's own address too: `listen` in a surface's table would otherwise
    // leave it on the default port.
    format!(
        "listen = \"127.0.0.1:0\"\n[debug]\ntranslate = true\n\
         [upstreams.vendor]\ndialect = \"{name}\"\nemulate = true\n\
         [upstreams.other]\ndialect = \"{name}\"\nemulate = true\n\
         [surfaces.mounted]\ndialect = \"{name}\"\nupstream = \"vendor\"\nprefix = \"/s\"\n\
         [surfaces.own]\ndialect = \"{name}\"\nupstream = \"vendor\"\nlisten = \"127.0.0.1:0\"\n\
         [surfaces.elsewhere]\ndialect = \"{name}\"\nupstream = \"other\"\nprefix = \"/e\"\n{}",
        keys()
    )
}

/// A refusal in the dialect's own shape: the status, and not the canonical problem document.
fn refused_the_vendor_way(answer: &Answer, status: u16, what: &str) {
    assert_eq!(
        answer.status,
        status,
        "{what}: {}",
        String::from_utf8_lossy(&answer.body)
    );
    let body: serde_json::Value =
        serde_json::from_slice(&answer.body).unwrap_or_else(|e| panic!("{what}: not JSON ({e})"));
    assert!(
        body.get("type")
            .is_none_or(|t| !t.as_str().is_some_and(|t| t.contains("hookgate")))
            && body.get("code")
                != Some(&json!(if status == 401 {
                    "unauthorized"
                } else {
                    "forbidden"
                })),
        "{what}: the canonical problem instead of the vendor's shape: {body}"
    );
}

async fn call(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
    send(addr, method, path, headers, None).await
}

/// Every way a surface can be asked without a valid key, and with each key.
async fn surface_holds_keys(addr: SocketAddr, d: &Dialect, prefix: &str, what: &str) {
    let (list_method, list) = path(d, Action::List, prefix).unwrap();
    let what = |step: &str| format!("{} {what}: {step}", d.name);
    let bearer = |key: &str| format!("Bearer {key}");
    let guess = bearer("not-a-configured-key");
    for (headers, step) in [
        (vec![], "no credential"),
        (
            vec![("authorization", guess.as_str())],
            "an unknown bearer token",
        ),
        (
            vec![("x-api-key", "not-a-configured-key")],
            "an unknown X-Api-Key",
        ),
        (
            vec![("authorization", "Basic cmVhZGVyOmtleQ==")],
            "another scheme",
        ),
    ] {
        let answer = call(addr, &list_method, &list, &headers).await;
        refused_the_vendor_way(&answer, 401, &what(step));
    }
    let reader = bearer(READER);
    for (headers, step) in [
        (
            vec![("authorization", reader.as_str())],
            "the key as bearer token",
        ),
        (vec![("x-api-key", READER)], "the key in X-Api-Key"),
    ] {
        let answer = call(addr, &list_method, &list, &headers).await;
        assert_eq!(
            answer.status,
            200,
            "{}: {}",
            what(step),
            String::from_utf8_lossy(&answer.body)
        );
    }
    // A read-only key cannot write, whatever the write.
    for action in [Action::Create, Action::Update, Action::Delete] {
        let Some((method, p)) = path(d, action, prefix) else {
            continue;
        };
        let answer = call(addr, &method, &p, &[("authorization", reader.as_str())]).await;
        refused_the_vendor_way(
            &answer,
            403,
            &what(&format!("{action} with a read-only key")),
        );
    }
    // The writer reaches the vendor: an unknown webhook is the vendor's 404, not a refusal.
    let (method, p) = path(d, Action::Delete, prefix).unwrap();
    let writer = bearer(WRITER);
    let answer = call(addr, &method, &p, &[("authorization", writer.as_str())]).await;
    assert_eq!(
        answer.status,
        404,
        "{}",
        what("delete of an unknown webhook with the writer's key")
    );
}

#[tokio::test]
async fn every_route_to_a_vendor_takes_only_configured_keys() {
    for d in dialects() {
        let gw = gateway(&config(&d)).await;
        surface_holds_keys(gw.addr, &d, "/s", "mounted surface").await;
        surface_holds_keys(gw.surfaces["own"], &d, "", "surface on its own listener").await;
        surface_holds_keys(gw.emulators["vendor"], &d, "", "emulator").await;

        // A key limited to other upstreams: the vendor's 403, for reads and writes alike.
        let writer = format!("Bearer {WRITER}");
        for action in [Action::List, Action::Delete] {
            let (method, p) = path(&d, action, "/e").unwrap();
            let answer = call(gw.addr, &method, &p, &[("authorization", writer.as_str())]).await;
            refused_the_vendor_way(
                &answer,
                403,
                &format!("{}: {action} at an upstream the key may not use", d.name),
            );
        }
        let (method, p) = path(&d, Action::List, "").unwrap();
        let answer = call(
            gw.emulators["other"],
            &method,
            &p,
            &[("authorization", writer.as_str())],
        )
        .await;
        refused_the_vendor_way(
            &answer,
            403,
            &format!(
                "{}: the emulator of an upstream the key may not use",
                d.name
            ),
        );

        // The debug endpoint: the canonical problem, read scope.
        let description = json!({"upstream": "vendor", "method": "GET", "path": "/webhooks",
            "owner": d.owner.as_ref().map(|_| value_for(d.owner_format.as_ref()))});
        let none = send(gw.addr, "POST", "/debug/translate", &[], Some(&description)).await;
        assert_eq!(
            (none.status, none.json()["code"].clone()),
            (401, json!("unauthorized"))
        );
        let wrong = send(
            gw.addr,
            "POST",
            "/debug/translate",
            &[("x-api-key", "guess-guess")],
            Some(&description),
        )
        .await;
        assert_eq!(wrong.status, 401);
        let read = send(
            gw.addr,
            "POST",
            "/debug/translate",
            &[("x-api-key", READER)],
            Some(&description),
        )
        .await;
        assert_eq!(read.status, 200, "{}", String::from_utf8_lossy(&read.body));
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_surface_that_passes_the_clients_credential_leaves_it_to_the_vendor() {
    for d in dialects() {
        let name = &d.name;
        // The vendor is an emulator on a port of its own, reached as a real vendor is.
        let vendor = gateway(&format!(
            "[upstreams.vendor]\ndialect = \"{name}\"\nemulate = true\n[inbound_auth]\nmode = \"off\"\n"
        ))
        .await;
        let gw = gateway(&format!(
            "[upstreams.vendor]\ndialect = \"{name}\"\nbase_url = \"http://{}\"\nauth = {{ type = \"passthrough\" }}\n\
             [surfaces.through]\ndialect = \"{name}\"\nupstream = \"vendor\"\nprefix = \"/p\"\n{}",
            vendor.emulators["vendor"],
            keys()
        ))
        .await;
        let (method, p) = path(&d, Action::List, "/p").unwrap();
        // No inbound key: the client's own credential goes to the vendor, which takes it.
        let answer = call(
            gw.addr,
            &method,
            &p,
            &[("authorization", "Bearer the-clients-own-token")],
        )
        .await;
        assert_eq!(
            answer.status,
            200,
            "{name}: {}",
            String::from_utf8_lossy(&answer.body)
        );
        // Without one, the vendor's own 401.
        let answer = call(gw.addr, &method, &p, &[]).await;
        refused_the_vendor_way(
            &answer,
            401,
            &format!("{name}: passthrough without a credential"),
        );
        let logged = support::secrets::logged();
        assert!(
            logged.contains("the surface passes its clients' credentials to the vendor"),
            "{name}: the start does not say who authenticates the surface's clients"
        );
        // By the surface's name, as the configuration names it, not by where it is mounted.
        let notice = logged
            .lines()
            .find(|l| l.contains("the surface passes its clients' credentials"))
            .unwrap();
        assert!(notice.contains("surface=through"), "{name}: {notice}");
        assert!(!notice.contains("surface=/p"), "{name}: {notice}");
        gw.stop().await;
        vendor.stop().await;
    }
}

/// A refusal of a credential header given more than once: a bad request (`status`), naming
/// the header where the answer's shape holds a message (`says`).
fn refused_as_repeated(answer: &Answer, status: u16, says: bool, header: &str, what: &str) {
    let body = String::from_utf8_lossy(&answer.body);
    assert_eq!(answer.status, status, "{what}: {body}");
    assert!(
        !says || body.contains(&format!("the header {header} is given more than once")),
        "{what}: names no {header}: {body}"
    );
}

/// Whether `d`'s answer to a bad request says why (some vendors answer only a code).
fn says_why(d: &Dialect) -> bool {
    let probe = |slot: &str| (slot == "message").then(|| json!("PROBE"));
    let body = d.errors.template_for(Code::BadRequest).body.as_ref();
    body.and_then(|t| t.render(&probe))
        .is_some_and(|b| b.to_string().contains("PROBE"))
}

/// Two credentials in one request are refused before anything else, whichever order they come
/// in (a read-only key then a read-write one, or the other way), in `X-Api-Key` or the vendor's
/// own header, on a route that exists or not; so is a header given twice in two letter cases.
async fn two_credentials_are_refused(addr: SocketAddr, d: &Dialect, prefix: &str, what: &str) {
    let (method, create) = collection(d, Action::Create, prefix);
    let unknown = format!("{prefix}/no/such/route");
    let vendor_header = match &d.client_auth {
        ClientAuth::Bearer | ClientAuth::Basic => Some("authorization".to_owned()),
        ClientAuth::Header { name, .. } => Some(name.as_str().to_owned()),
        _ => None,
    };
    let token = |key: &str| match &d.client_auth {
        ClientAuth::Bearer => format!("Bearer {key}"),
        ClientAuth::Header { prefix, .. } => format!("{prefix}{key}"),
        other => panic!("{}: a test of {other:?} credentials", d.name),
    };
    let (reader, writer) = (token(READER), token(WRITER));
    let mut cases = vec![
        (
            "X-Api-Key",
            vec![("x-api-key", READER), ("x-api-key", WRITER)],
        ),
        (
            "X-Api-Key",
            vec![("x-api-key", WRITER), ("X-API-KEY", READER)],
        ),
        (
            "X-Api-Key",
            vec![("x-api-key", WRITER), ("x-api-key", WRITER)],
        ),
    ];
    if let Some(name) = &vendor_header {
        cases.push((name, vec![(name, reader.as_str()), (name, writer.as_str())]));
        cases.push((name, vec![(name, writer.as_str()), (name, reader.as_str())]));
        // One in the vendor's header, two in X-Api-Key: still two of one header.
        cases.push((
            "X-Api-Key",
            vec![
                (name, writer.as_str()),
                ("x-api-key", WRITER),
                ("x-api-key", READER),
            ],
        ));
    }
    for (header, headers) in cases {
        let header = header_spelt(header);
        for (m, p) in [
            (method.as_str(), create.as_str()),
            ("GET", unknown.as_str()),
        ] {
            let answer = call(addr, m, p, &headers).await;
            let what = format!("{} {what}: {m} {p} with {headers:?}", d.name);
            // 400, or the status the vendor answers a bad request with, in its own shape.
            let status = (d.errors.template_for(Code::BadRequest).status).unwrap_or(400);
            refused_as_repeated(&answer, status, says_why(d), &header, &what);
            refused_the_vendor_way(&answer, status, &what);
        }
    }
}

/// The path of an operation on the whole collection of `d` (create, list), under `prefix`,
/// for an owner of its format.
fn collection(d: &Dialect, action: Action, prefix: &str) -> (String, String) {
    let endpoint = d.operation(action).unwrap();
    let owner = support::owner(d);
    let path = endpoint
        .path
        .render(&[prefix, &d.base_path], owner.as_deref(), None);
    (endpoint.method.to_string(), path)
}

/// A header's name as the refusal spells it (`X-Postmark-Server-Token`).
fn header_spelt(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or_else(String::new, |f| {
                f.to_ascii_uppercase().to_string() + c.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[tokio::test]
async fn a_credential_given_twice_is_refused_before_anything_else() {
    // The shipped dialects (bearer tokens), and the test dialects whose clients present their
    // credential in a vendor's own header, with or without a prefix.
    let own_header = hookgate::mapping::load_dir(std::path::Path::new(support::TEST_DIALECTS))
        .unwrap()
        .into_iter()
        .filter(|d| matches!(d.client_auth, ClientAuth::Header { .. }));
    let mut checked = 0;
    for (dir, d) in dialects()
        .into_iter()
        .map(|d| (support::MAPPINGS, d))
        .chain(own_header.map(|d| (support::TEST_DIALECTS, d)))
    {
        let gw = gateway(&format!("mappings_dir = {dir:?}\n{}", config(&d))).await;
        two_credentials_are_refused(gw.addr, &d, "/s", "mounted surface").await;
        two_credentials_are_refused(gw.surfaces["own"], &d, "", "surface on its own listener")
            .await;
        // Nothing reached the vendor.
        let journal = call(
            gw.emulators["vendor"],
            "GET",
            "/__hookgate/journal",
            &[("x-api-key", READER)],
        )
        .await;
        assert_eq!(journal.status, 200);
        let entries = journal.json()["entries"].clone();
        assert!(
            entries.as_array().unwrap().is_empty(),
            "{}: {entries}",
            d.name
        );
        two_credentials_are_refused(gw.emulators["vendor"], &d, "", "emulator").await;
        // The canonical API: its own problem, before the route is looked at.
        for (path, headers) in [
            (
                "/v1/upstreams/vendor/webhooks",
                [("x-api-key", READER), ("x-api-key", WRITER)],
            ),
            (
                "/v1/nowhere",
                [("x-api-key", WRITER), ("X-Api-Key", READER)],
            ),
        ] {
            let answer = call(gw.addr, "GET", path, &headers).await;
            let what = format!("{}: {path}", d.name);
            refused_as_repeated(&answer, 400, true, "X-Api-Key", &what);
            assert_eq!(answer.json()["code"], json!("bad_request"));
        }
        // One key is taken as before (what the vendor then says of the list is its own).
        let (m, p) = collection(&d, Action::List, "/s");
        let answer = call(gw.addr, &m, &p, &[("x-api-key", READER)]).await;
        let said = String::from_utf8_lossy(&answer.body);
        assert!(
            !matches!(answer.status, 401 | 403) && !said.contains("more than once"),
            "{}: {said}",
            d.name
        );
        gw.stop().await;
        checked += 1;
    }
    assert!(
        checked > dialects().len(),
        "no dialect takes a header of its own"
    );
}

/// A credential in the query given twice (`?token=a&token=b`, as a vendor of query-parameter
/// credentials takes them), whichever comes first, is refused before anything else, as a
/// header given twice is: for every test dialect whose clients present a credential, or a part
/// of one, in the query.
#[tokio::test]
async fn a_credential_in_the_query_given_twice_is_refused_before_anything_else() {
    use hookgate::mapping::model::CredentialPlace;
    let in_query = hookgate::mapping::load_dir(std::path::Path::new(support::TEST_DIALECTS))
        .unwrap()
        .into_iter()
        .filter(|d| {
            d.credential_places()
                .any(|p| matches!(p, CredentialPlace::Query(_)))
        });
    let mut checked = 0;
    for d in in_query {
        let dir = support::TEST_DIALECTS;
        let gw = gateway(&format!("mappings_dir = {dir:?}\n{}", config(&d))).await;
        let params: Vec<String> = (d.credential_places())
            .filter_map(|p| match p {
                CredentialPlace::Query(name) => Some(name.to_owned()),
                CredentialPlace::Header(_) => None,
            })
            .collect();
        let (m, p) = collection(&d, Action::Create, "/s");
        for twice in &params {
            let others: String = (params.iter().filter(|o| *o != twice))
                .map(|o| format!("&{o}={WRITER}"))
                .collect();
            for (first, second) in [(READER, WRITER), (WRITER, READER)] {
                let path = format!("{p}?{twice}={first}&{twice}={second}{others}");
                let answer = call(gw.addr, &m, &path, &[]).await;
                let body = String::from_utf8_lossy(&answer.body);
                let status = (d.errors.template_for(Code::BadRequest).status).unwrap_or(400);
                assert_eq!(answer.status, status, "{}: {path}: {body}", d.name);
                assert!(
                    !says_why(&d) || body.contains("is given more than once"),
                    "{}: {path}: {body}",
                    d.name
                );
            }
        }
        let journal = call(
            gw.emulators["vendor"],
            "GET",
            "/__hookgate/journal",
            &[("x-api-key", READER)],
        )
        .await;
        let entries = journal.json()["entries"].clone();
        assert!(
            entries.as_array().unwrap().is_empty(),
            "{}: {entries}",
            d.name
        );
        gw.stop().await;
        checked += 1;
    }
    assert!(checked > 0, "no dialect takes a credential in the query");
}

#[tokio::test]
async fn two_different_keys_one_each_way_are_refused() {
    let own_header = hookgate::mapping::load_dir(std::path::Path::new(support::TEST_DIALECTS))
        .unwrap()
        .into_iter()
        .filter(|d| matches!(d.client_auth, ClientAuth::Header { .. }));
    for (dir, d) in dialects()
        .into_iter()
        .map(|d| (support::MAPPINGS, d))
        .chain(own_header.map(|d| (support::TEST_DIALECTS, d)))
    {
        let (name, prefix) = match &d.client_auth {
            ClientAuth::Bearer => ("authorization", "Bearer "),
            ClientAuth::Header { name, prefix } => (name.as_str(), prefix.as_str()),
            _ => continue,
        };
        let token = |key: &str| format!("{prefix}{key}");
        let gw = gateway(&format!("mappings_dir = {dir:?}\n{}", config(&d))).await;
        let (method, create) = collection(&d, Action::Create, "/s");
        let (reader, writer) = (token(READER), token(WRITER));
        for (addr, path, what) in [
            (gw.addr, create.clone(), "mounted surface"),
            (
                gw.emulators["vendor"],
                create.replacen("/s", "", 1),
                "emulator",
            ),
        ] {
            for headers in [
                [(name, reader.as_str()), ("x-api-key", WRITER)],
                [(name, writer.as_str()), ("x-api-key", READER)],
            ] {
                let answer = call(addr, &method, &path, &headers).await;
                let said = String::from_utf8_lossy(&answer.body);
                let what = format!("{} {what}: {headers:?}", d.name);
                let status = (d.errors.template_for(Code::BadRequest).status).unwrap_or(400);
                assert_eq!(answer.status, status, "{what}: {said}");
                if says_why(&d) {
                    assert!(said.contains("two different keys"), "{what}: {said}");
                }
            }
            // The same key both ways is one credential.
            let headers = [(name, writer.as_str()), ("x-api-key", WRITER)];
            let answer = call(addr, &method, &path, &headers).await;
            let said = String::from_utf8_lossy(&answer.body);
            assert!(
                !matches!(answer.status, 401 | 403) && !said.contains("two different keys"),
                "{} {what}: {said}",
                d.name
            );
        }
        gw.stop().await;
    }
}

/// A credential with no value, in `X-Api-Key` or the vendor's way, is no credential, wherever
/// it is given: beside a key given the other way it is that key alone (never a second, other
/// key), and alone it is answered as no credential at all is; on every surface and emulator
/// of every loaded dialect whose clients present a credential, on the emulator's admin API,
/// and on the canonical API.
#[tokio::test]
async fn an_empty_credential_is_none_wherever_it_is_given() {
    use base64::Engine;
    let test_dialects = hookgate::mapping::load_dir(std::path::Path::new(support::TEST_DIALECTS))
        .unwrap()
        .into_iter()
        .map(|d| (support::TEST_DIALECTS, d));
    let all = dialects()
        .into_iter()
        .map(|d| (support::MAPPINGS, d))
        .chain(test_dialects);
    let mut checked = 0;
    for (dir, d) in all {
        // The vendor's way of presenting `key`, as a header or a query parameter.
        let way = |key: &str| -> (Option<(String, String)>, String) {
            match &d.client_auth {
                ClientAuth::Bearer => (
                    Some(("authorization".into(), format!("Bearer {key}"))),
                    String::new(),
                ),
                ClientAuth::Basic => {
                    let pair = base64::engine::general_purpose::STANDARD.encode(format!(":{key}"));
                    (
                        Some(("authorization".into(), format!("Basic {pair}"))),
                        String::new(),
                    )
                }
                ClientAuth::Header { name, prefix } => (
                    Some((name.as_str().to_owned(), format!("{prefix}{key}"))),
                    String::new(),
                ),
                ClientAuth::Query { name } => (None, format!("{name}={key}")),
                ClientAuth::None => (None, String::new()),
            }
        };
        if matches!(d.client_auth, ClientAuth::None) {
            continue;
        }
        let gw = gateway(&format!("mappings_dir = {dir:?}\n{}", config(&d))).await;
        let (method, list) = collection(&d, Action::List, "/s");
        for (addr, list, what) in [
            (gw.addr, list.clone(), "mounted surface"),
            (
                gw.emulators["vendor"],
                list.replacen("/s", "", 1),
                "emulator",
            ),
        ] {
            let ask = |api_key: Option<&'static str>, vendor: Option<&str>| {
                let (header, param) = match vendor {
                    Some(key) => way(key),
                    None => (None, String::new()),
                };
                let join = if list.contains('?') { '&' } else { '?' };
                let path = match param.is_empty() {
                    true => list.clone(),
                    false => format!("{list}{join}{param}"),
                };
                let method = method.clone();
                async move {
                    let mut headers: Vec<(&str, &str)> = Vec::new();
                    if let Some(key) = api_key {
                        headers.push(("x-api-key", key));
                    }
                    if let Some((name, value)) = &header {
                        headers.push((name, value));
                    }
                    call(addr, &method, &path, &headers).await
                }
            };
            let none = ask(None, None).await;
            let one = ask(Some(READER), None).await;
            assert!(!matches!(one.status, 401 | 403), "{}: {what}", d.name);
            for (api_key, vendor, step) in [
                (
                    Some(""),
                    Some(READER),
                    "an empty X-Api-Key beside the key the vendor's way",
                ),
                (
                    Some("   "),
                    Some(READER),
                    "a blank X-Api-Key beside the key the vendor's way",
                ),
                (
                    Some(READER),
                    Some(""),
                    "the key in X-Api-Key beside an empty one the vendor's way",
                ),
            ] {
                let answer = ask(api_key, vendor).await;
                let said = String::from_utf8_lossy(&answer.body);
                let what = format!("{} {what}: {step}", d.name);
                assert_eq!(answer.status, one.status, "{what}: {said}");
            }
            for (api_key, vendor, step) in [
                (Some(""), Some(""), "an empty key both ways"),
                (Some(""), None, "an empty X-Api-Key alone"),
                (None, Some(""), "an empty key the vendor's way alone"),
            ] {
                let answer = ask(api_key, vendor).await;
                let said = String::from_utf8_lossy(&answer.body);
                let what = format!("{} {what}: {step}", d.name);
                assert_eq!(answer.status, none.status, "{what}: {said}");
                assert!(!said.contains("two different keys"), "{what}: {said}");
            }
        }
        // The emulator's admin API, which takes a key in `X-Api-Key` or as a bearer token.
        let journal = "/__hookgate/journal";
        let emulator = gw.emulators["vendor"];
        let bearer = format!("Bearer {READER}");
        for headers in [
            [("x-api-key", ""), ("authorization", bearer.as_str())],
            [("x-api-key", READER), ("authorization", "Bearer ")],
        ] {
            let answer = call(emulator, "GET", journal, &headers).await;
            assert_eq!(answer.status, 200, "{} admin: {headers:?}", d.name);
        }
        gw.stop().await;
        checked += 1;
    }
    assert!(checked > 0);
    // The canonical API takes its key in `X-Api-Key` alone: an empty one is none.
    let name = &dialects()[0].name;
    let config = format!(
        "[upstreams.vendor]\ndialect = \"{name}\"\nemulate = true\n{}",
        keys()
    );
    let gw = gateway(&config).await;
    let none = call(gw.addr, "GET", "/v1/upstreams", &[]).await;
    for key in ["", "  "] {
        let answer = call(gw.addr, "GET", "/v1/upstreams", &[("x-api-key", key)]).await;
        assert_eq!(answer.status, 401, "{key:?}");
        assert_eq!(answer.json()["detail"], none.json()["detail"], "{key:?}");
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_resource_holding_the_signing_secret_takes_a_writing_key() {
    let all = dialects()
        .into_iter()
        .map(|d| (support::MAPPINGS, d))
        .chain(
            hookgate::mapping::load_dir(std::path::Path::new(support::TEST_DIALECTS))
                .unwrap()
                .into_iter()
                .map(|d| (support::TEST_DIALECTS, d)),
        );
    let mut checked = 0;
    for (dir, d) in all {
        let Some(endpoint) = d
            .resources
            .iter()
            .filter(|r| r.fields.reading("secret").is_some())
            .find_map(|r| r.get.as_ref())
        else {
            continue;
        };
        let credential = match &d.client_auth {
            ClientAuth::Bearer => "authorization",
            ClientAuth::Header { name, .. } if name.as_str() != "authorization" => name.as_str(),
            _ => continue,
        };
        let token = |key: &str| match &d.client_auth {
            ClientAuth::Header { prefix, .. } => format!("{prefix}{key}"),
            _ => format!("Bearer {key}"),
        };
        let gw = gateway(&format!("mappings_dir = {dir:?}\n{}", config(&d))).await;
        // A sample of each declared format, or a UUID: the id names no webhook, which a key
        // that may read the secret learns only after the key is taken.
        let sample = |format: Option<&hookgate::mapping::url::Format>| {
            let candidates = [
                "0190a1b2-0000-4000-8000-000000000000",
                "12345",
                "app_1",
                "ep_1",
            ];
            format.map_or(Some(candidates[0]), |f| {
                candidates.into_iter().find(|c| f.admits(c))
            })
        };
        let owner = support::owner(&d);
        let Some(id) = sample(d.id_format.as_ref()) else {
            continue;
        };
        let path = endpoint
            .path
            .render(&["/s", &d.base_path], owner.as_deref(), Some(id));
        let method = endpoint.method.as_str();
        for (key, refused) in [(READER, true), (WRITER, false)] {
            for headers in [[("x-api-key", key)], [(credential, &*token(key))]] {
                let answer = call(gw.addr, method, &path, &headers).await;
                let what = format!("{}: {method} {path} with {headers:?}", d.name);
                if refused {
                    let status = d.errors.template_for(Code::Forbidden).status.unwrap_or(403);
                    refused_the_vendor_way(&answer, status, &what);
                } else {
                    assert!(
                        !matches!(answer.status, 401 | 403),
                        "{what}: {}",
                        String::from_utf8_lossy(&answer.body)
                    );
                }
            }
        }
        gw.stop().await;
        checked += 1;
    }
    assert!(checked > 0, "no dialect keeps its secret at a resource");
}

#[tokio::test]
async fn an_emulator_keeps_no_body_of_a_request_refused_for_its_credential() {
    for d in dialects() {
        let gw = gateway(&format!(
            "mappings_dir = {:?}\n{}",
            support::MAPPINGS,
            config(&d)
        ))
        .await;
        let emulator = gw.emulators["vendor"];
        let (method, create) = collection(&d, Action::Create, "");
        let big = json!({"filler": "x".repeat(64 * 1024)});
        let guess = [("authorization", "Bearer not-a-configured-key")];
        for headers in [&[][..], &guess[..]] {
            let refused = send(emulator, &method, &create, headers, Some(&big)).await;
            assert_eq!(refused.status, 401, "{}: {headers:?}", d.name);
        }
        let journal = call(
            emulator,
            "GET",
            "/__hookgate/journal",
            &[("x-api-key", READER)],
        )
        .await;
        let entries = journal.json()["entries"].as_array().unwrap().clone();
        assert_eq!(entries.len(), 2, "{}: {entries:?}", d.name);
        for entry in entries {
            assert_eq!(entry["status"], 401, "{}: {entry}", d.name);
            assert_eq!(
                entry["body"],
                serde_json::Value::Null,
                "{}: {entry}",
                d.name
            );
        }
        gw.stop().await;
    }
}

#[tokio::test]
async fn authentication_off_is_announced_for_every_route_it_opens() {
    let (dialect, _) = hookgate::mapping::load::SHIPPED[0];
    let gw = gateway(&format!(
        "[upstreams.e]\ndialect = \"{dialect}\"\nemulate = true\n\
         [surfaces.s]\ndialect = \"{dialect}\"\nupstream = \"e\"\nprefix = \"/s\"\n\
         [inbound_auth]\nmode = \"off\"\n"
    ))
    .await;
    let logged = support::secrets::logged();
    let notice = logged
        .lines()
        .find(|l| l.contains("inbound authentication is off"))
        .unwrap_or_else(|| panic!("no notice: {logged}"));
    for open in [
        "the canonical API",
        "every vendor surface",
        "the admin API (/__hookgate)",
    ] {
        assert!(notice.contains(open), "{open}: {notice}");
    }
    gw.stop().await;
}

/// A surface of `d` (loaded from `mappings_dir`) over an emulator of it, with keys on: what it
/// answers a list asked with no credential, and with one that is there but no key.
async fn missing_and_refused(mappings_dir: &str, d: &Dialect) -> (Answer, Answer) {
    let name = &d.name;
    let gw = gateway(&format!(
        "mappings_dir = {mappings_dir:?}\n[upstreams.vendor]\ndialect = \"{name}\"\nemulate = true\n\
         [surfaces.mounted]\ndialect = \"{name}\"\nupstream = \"vendor\"\nprefix = \"/s\"\n{}",
        keys()
    ))
    .await;
    let (method, list) = path(d, Action::List, "/s").unwrap();
    let missing = call(gw.addr, &method, &list, &[]).await;
    let (header, value) = hookgate::auth::present(&d.client_auth, "not-a-configured-key").unwrap();
    let value = value.to_str().unwrap().to_owned();
    let refused = call(
        gw.addr,
        &method,
        &list,
        &[(header.as_str(), value.as_str())],
    )
    .await;
    gw.stop().await;
    (missing, refused)
}

#[tokio::test]
async fn a_surface_answers_a_missing_credential_and_a_refused_one_as_its_vendor_does() {
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/mappings");
    let dialects = dialects();
    let fixture = |name: &str| dialects.iter().find(|d| d.name == name).unwrap();
    // Talkover's webhook pages answer a request without a token in one shape, and its other
    // pages a token that is not valid in another.
    let (missing, refused) = missing_and_refused(shipped, fixture("talkover")).await;
    assert_eq!(
        (missing.status, missing.json()),
        (401, json!({"message": "Missing Bearer Token"}))
    );
    assert_eq!(
        (refused.status, refused.json()),
        (
            401,
            json!({"success": false, "message": "Unauthenticated."})
        )
    );
    // A file that says one answer keeps it for both.
    for (name, both) in [
        (
            "resemble",
            json!({"success": false, "message": "Invalid or missing API token"}),
        ),
        (
            "chirp",
            json!({"error": {"type": "authentication_error", "message": "Invalid API key"}}),
        ),
    ] {
        let (missing, refused) = missing_and_refused(shipped, fixture(name)).await;
        assert_eq!(
            (missing.status, missing.json()),
            (401, both.clone()),
            "{name}"
        );
        assert_eq!((refused.status, refused.json()), (401, both), "{name}");
    }
}

#[tokio::test]
async fn a_missing_credential_of_any_scheme_takes_its_own_answer_where_the_file_gives_one() {
    // A vendor whose token is a header of its own, and one that takes HTTP Basic.
    let missing = "[errors.render.missing_credential]\nstatus = 401\n\
                   body = { ErrorCode = 11, Message = \"No token was given\" }\n\n\
                   [errors.render.default]";
    let dir = support::dialects_with(&[
        ("post", "[errors.render.default]", missing),
        ("parley", "[errors.render.default]", missing),
    ]);
    let folder = dir.path().to_str().unwrap();
    let loaded = hookgate::mapping::load::load_dir(dir.path()).unwrap();
    for name in ["post", "parley"] {
        let d = loaded.iter().find(|d| d.name == name).unwrap();
        let (missing, refused) = missing_and_refused(folder, d).await;
        assert_eq!(missing.status, 401, "{name}");
        assert_eq!(
            missing.json(),
            json!({"ErrorCode": 11, "Message": "No token was given"}),
            "{name}"
        );
        assert_eq!(refused.status, 401, "{name}");
        assert_ne!(refused.json(), missing.json(), "{name}");
    }
}

/// With keys off, a surface asks only that a credential be there, as its vendor does: none at
/// all is its vendor's 401, and any value the vendor's way or in `X-Api-Key` is let in, for
/// every loaded dialect, mounted and on a listener of its own.
#[tokio::test]
async fn with_keys_off_a_surface_lets_in_any_credential_the_vendors_way_or_in_x_api_key() {
    for d in dialects() {
        let name = &d.name;
        let gw = gateway(&format!(
            "listen = \"127.0.0.1:0\"\n[upstreams.vendor]\ndialect = \"{name}\"\nemulate = true\n\
             [surfaces.mounted]\ndialect = \"{name}\"\nupstream = \"vendor\"\nprefix = \"/s\"\n\
             [surfaces.own]\ndialect = \"{name}\"\nupstream = \"vendor\"\nlisten = \"127.0.0.1:0\"\n\
             [inbound_auth]\nmode = \"off\"\n"
        ))
        .await;
        let own = gw.surfaces["own"];
        for (addr, prefix) in [(gw.addr, "/s"), (own, "")] {
            let (method, list) = path(&d, Action::List, prefix).unwrap();
            let what = format!("{name} {list}");
            let (header, value) = hookgate::auth::present(&d.client_auth, "any-value").unwrap();
            let value = value.to_str().unwrap().to_owned();
            let theirs = call(addr, &method, &list, &[(header.as_str(), value.as_str())]).await;
            assert_eq!(
                theirs.status,
                200,
                "{what}, the vendor's way: {}",
                String::from_utf8_lossy(&theirs.body)
            );
            let ours = call(addr, &method, &list, &[("x-api-key", "any-value")]).await;
            assert_eq!(
                ours.status,
                200,
                "{what}, in X-Api-Key: {}",
                String::from_utf8_lossy(&ours.body)
            );
            if !matches!(d.client_auth, ClientAuth::None) {
                let none = call(addr, &method, &list, &[]).await;
                refused_the_vendor_way(&none, 401, &format!("{what}, with none"));
                for empty in ["", " "] {
                    let empty = call(addr, &method, &list, &[("x-api-key", empty)]).await;
                    refused_the_vendor_way(&empty, 401, &format!("{what}, an empty X-Api-Key"));
                }
            }
        }
        gw.stop().await;
    }
}
