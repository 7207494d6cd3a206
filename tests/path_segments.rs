//! No dot segment, and no owner or id outside its dialect's declared format, ever reaches a
//! vendor: on the canonical API, on a vendor surface in front of the vendor, and on an
//! emulator's own listener, for every loaded dialect, decoded or not. Each spelling is
//! refused (400 or 404) and the vendor double behind the gateway sees nothing.

mod support;

use hookgate::mapping::Dialect;
use hookgate::mapping::url::Format;
use hookgate::model::Action;
use support::{Double, gateway, send};

/// Segments that are, or decode to, a dot segment or hold a separator.
const NEVER: &[&str] = &[
    ".", "..", "%2e", "%2E", "%2e%2e", "%2E%2E", ".%2e", "%2e.", "a%2Fb", "a%2fb", "a%5Cb", "%00",
];

/// Values outside a declared format, by format.
fn outside(format: &Format) -> Vec<&'static str> {
    let all = [
        "1.5",
        "abc",
        "1e3",
        "1%2F2",
        "-1",
        "+1",
        "0x10",
        "01",
        "1%202",
        "not-a-uuid",
        "%7B550e8400-e29b-41d4-a716-446655440000%7D",
        "550e8400e29b41d4a716446655440000x",
        "550e8400-e29b-41d4-a716-44665544000g",
    ];
    all.into_iter()
        .filter(|v| {
            let decoded = percent_encoding::percent_decode_str(v).decode_utf8_lossy();
            !format.admits(&decoded)
        })
        .collect()
}

/// What a vendor's client presents: with inbound authentication off, any bearer token passes.
const CREDENTIAL: &[(&str, &str)] = &[("authorization", "Bearer any-token")];

fn dialects() -> Vec<Dialect> {
    hookgate::mapping::load_dir(std::path::Path::new(support::MAPPINGS)).unwrap()
}

/// A value of the declared format (an owner or an id), or a UUID where none is declared.
fn valid(format: Option<&Format>) -> &'static str {
    let candidates = ["550e8400-e29b-41d4-a716-446655440000", "12345", "app_1"];
    format.map_or(candidates[0], |f| {
        candidates
            .into_iter()
            .find(|c| f.admits(c))
            .expect("a sample value of the declared format")
    })
}

/// A vendor path of `d`'s `action` with `owner` and `id` written into it as given (raw).
fn vendor_path(d: &Dialect, action: Action, owner: &str, id: &str) -> Option<(String, String)> {
    let endpoint = d.operation(action)?;
    let has_owner = d.owner.is_some();
    let path = endpoint.path.render(
        &[&d.base_path],
        has_owner.then_some("OWNER-SLOT"),
        Some("ID-SLOT"),
    );
    Some((
        endpoint.method.to_string(),
        path.replace("OWNER-SLOT", owner).replace("ID-SLOT", id),
    ))
}

/// The canonical path of one webhook of upstream `u`.
fn canonical(d: &Dialect, owner: &str, id: &str) -> String {
    if d.owner.is_some() {
        format!("/v1/upstreams/u/owners/{owner}/webhooks/{id}")
    } else {
        format!("/v1/upstreams/u/webhooks/{id}")
    }
}

fn refused(status: u16, what: &str, body: &[u8]) {
    assert!(
        status == 400 || status == 404,
        "{what}: {status} {}",
        String::from_utf8_lossy(body)
    );
}

/// Sends each of `cases` (method, path) to the gateway at `addr`: every one is refused, and
/// none reaches the vendor double behind it.
async fn all_refused(
    addr: std::net::SocketAddr,
    d: &Dialect,
    cases: &[(String, String)],
    double: &Double,
) {
    let body = serde_json::json!({});
    for (method, path) in cases {
        let with_body = matches!(method.as_str(), "PATCH" | "PUT" | "POST");
        let a = send(addr, method, path, CREDENTIAL, with_body.then_some(&body)).await;
        refused(a.status, &format!("{} {method} {path}", d.name), &a.body);
    }
    assert!(
        double.seen().is_empty(),
        "{}: the vendor was reached: {:?}",
        d.name,
        double
            .seen()
            .iter()
            .map(|s| format!("{} {}", s.method, s.path))
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn no_dot_segment_or_foreign_shape_reaches_a_vendor() {
    for d in dialects() {
        let double = Double::start(Vec::new()).await;
        let gw = gateway(&format!(
            "[upstreams.u]\ndialect = \"{name}\"\nbase_url = \"{url}\"\nauth = {{ type = \"none\" }}\nretries = 0\n\
             [upstreams.e]\ndialect = \"{name}\"\nemulate = true\n\
             [surfaces.s]\ndialect = \"{name}\"\nupstream = \"u\"\nprefix = \"/s\"\n",
            name = d.name,
            url = double.url()
        ))
        .await;
        let owner = valid(d.owner_format.as_ref());
        let id = valid(d.id_format.as_ref());
        let mut bad_ids: Vec<&str> = NEVER.to_vec();
        if let Some(f) = &d.id_format {
            bad_ids.extend(outside(f));
        }
        let mut bad_owners: Vec<&str> = NEVER.to_vec();
        if let Some(f) = &d.owner_format {
            bad_owners.extend(outside(f));
        }
        let mut cases: Vec<(String, String)> = Vec::new();
        for bad in &bad_ids {
            for method in ["GET", "PATCH", "DELETE"] {
                cases.push((method.into(), canonical(&d, owner, bad)));
            }
            cases.push(("POST".into(), format!("{}/test", canonical(&d, owner, bad))));
            for action in [Action::Get, Action::Update, Action::Delete] {
                if let Some((method, path)) = vendor_path(&d, action, owner, bad) {
                    cases.push((method, format!("/s{path}")));
                }
            }
        }
        if d.owner.is_some() {
            for bad in &bad_owners {
                cases.push((
                    "GET".into(),
                    format!("/v1/upstreams/u/owners/{bad}/webhooks"),
                ));
                cases.push(("DELETE".into(), canonical(&d, bad, id)));
                if let Some((method, path)) = vendor_path(&d, Action::Delete, bad, id) {
                    cases.push((method, format!("/s{path}")));
                }
                if let Some((method, path)) = vendor_path(&d, Action::List, bad, id) {
                    cases.push((method, format!("/s{path}")));
                }
            }
        }
        all_refused(gw.addr, &d, &cases, &double).await;

        // The emulator on its own listener holds its vendor's paths to the same rules.
        let emulator = gw.emulators["e"];
        for bad in &bad_ids {
            for action in [Action::Get, Action::Delete] {
                if let Some((method, path)) = vendor_path(&d, action, owner, bad) {
                    let a = send(emulator, &method, &path, CREDENTIAL, None).await;
                    refused(
                        a.status,
                        &format!("{} emulator {method} {path}", d.name),
                        &a.body,
                    );
                }
            }
        }
        gw.stop().await;
    }
}

#[tokio::test]
async fn an_empty_segment_where_an_owner_or_id_would_be_reaches_no_vendor() {
    for d in dialects() {
        let double = Double::start(Vec::new()).await;
        let gw = gateway(&format!(
            "[upstreams.u]\ndialect = \"{name}\"\nbase_url = \"{url}\"\nauth = {{ type = \"none\" }}\nretries = 0\n\
             [surfaces.s]\ndialect = \"{name}\"\nupstream = \"u\"\nprefix = \"/s\"\n",
            name = d.name,
            url = double.url()
        ))
        .await;
        let owner = valid(d.owner_format.as_ref());
        let id = valid(d.id_format.as_ref());
        let mut cases: Vec<(String, String)> = vec![
            // Closed up, each would read another route: a get of `test`, a get of the id.
            ("POST".into(), format!("{}/test", canonical(&d, owner, ""))),
            ("GET".into(), canonical(&d, owner, &format!("/{id}"))),
            ("DELETE".into(), canonical(&d, owner, &format!("{id}//"))),
        ];
        if d.owner.is_some() {
            cases.push(("GET".into(), "/v1/upstreams/u/owners//webhooks".into()));
            cases.push(("DELETE".into(), canonical(&d, "", id)));
        }
        for action in [
            Action::Test,
            Action::RotateSecret,
            Action::Get,
            Action::List,
        ] {
            for (o, i) in [(owner, ""), ("", id)] {
                let Some((method, path)) = vendor_path(&d, action, o, i) else {
                    continue;
                };
                // Only where the empty place is between two segments: a trailing `/` is not.
                if path.contains("//") && !path.ends_with("//") && !path.ends_with('/') {
                    cases.push((method, format!("/s{path}")));
                }
            }
        }
        all_refused(gw.addr, &d, &cases, &double).await;
        gw.stop().await;
    }
}

#[tokio::test]
async fn an_empty_segment_right_after_a_surface_s_prefix_reaches_no_vendor() {
    for d in dialects() {
        let double = Double::start(Vec::new()).await;
        let gw = gateway(&format!(
            "[upstreams.u]\ndialect = \"{name}\"\nbase_url = \"{url}\"\nauth = {{ type = \"none\" }}\nretries = 0\n\
             [surfaces.s]\ndialect = \"{name}\"\nupstream = \"u\"\nprefix = \"/s\"\n\
             [surfaces.deep]\ndialect = \"{name}\"\nupstream = \"u\"\nprefix = \"/surfaces/deep\"\n",
            name = d.name,
            url = double.url()
        ))
        .await;
        let owner = valid(d.owner_format.as_ref());
        let id = valid(d.id_format.as_ref());
        let mut cases: Vec<(String, String)> = Vec::new();
        for action in [Action::List, Action::Get, Action::Test, Action::Delete] {
            let Some((method, path)) = vendor_path(&d, action, owner, id) else {
                continue;
            };
            // Closed up, each would be the route the path names without the empty place.
            for prefix in ["/s/", "/s//", "/surfaces/deep/"] {
                cases.push((method.clone(), format!("{prefix}{path}")));
            }
        }
        assert!(!cases.is_empty(), "{}", d.name);
        for (method, path) in &cases {
            let a = send(gw.addr, method, path, CREDENTIAL, None).await;
            refused(a.status, &format!("{} {method} {path}", d.name), &a.body);
            let text = String::from_utf8_lossy(&a.body);
            assert!(
                text.contains("empty segment (`//`) right after `/s`")
                    || text.contains("empty segment (`//`) right after `/surfaces/deep`"),
                "{} {method} {path}: {text}",
                d.name
            );
        }
        assert!(
            double.seen().is_empty(),
            "{}: the vendor was reached",
            d.name
        );
        gw.stop().await;
    }
}
