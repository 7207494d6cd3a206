//! The canonical API's API keys: by hash, by scope, by upstream; and off only when said so.

mod support;

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use hookgate::config::{self, RawConfig};
use serde_json::json;
use support::{ALL_EMULATED, gateway, send};

/// SHA-256 of "reader-key" and of "writer-key".
const READER: &str = "reader-key";
const WRITER: &str = "writer-key";

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn keys_are_checked_by_hash_scope_and_upstream() {
    let gw = gateway(&format!(
        "{ALL_EMULATED}\n[inbound_auth]\nmode = \"api_keys\"\n\
         [[inbound_auth.keys]]\nname = \"reader\"\nsha256 = \"{}\"\nscopes = [\"webhooks:read\"]\n\
         [[inbound_auth.keys]]\nname = \"writer\"\nsha256 = \"{}\"\nscopes = [\"webhooks:read\", \"webhooks:write\"]\nupstreams = [\"agentmessage\"]\n",
        sha256_hex(READER),
        sha256_hex(WRITER)
    ))
    .await;
    let am = "/v1/upstreams/agentmessage/webhooks";
    let body = json!({"url": "https://h.example.com/a", "events": ["lookup.completed"]});

    let none = send(gw.addr, "GET", am, &[], None).await;
    assert_eq!(
        (none.status, none.json()["code"].clone()),
        (401, json!("unauthorized"))
    );
    let wrong = send(gw.addr, "GET", am, &[("x-api-key", "guess")], None).await;
    assert_eq!(wrong.status, 401);
    let read = send(gw.addr, "GET", am, &[("x-api-key", READER)], None).await;
    assert_eq!(read.status, 200);
    let upstreams = send(
        gw.addr,
        "GET",
        "/v1/upstreams",
        &[("x-api-key", READER)],
        None,
    )
    .await;
    assert_eq!(upstreams.status, 200);
    let write = send(gw.addr, "POST", am, &[("x-api-key", READER)], Some(&body)).await;
    assert_eq!(
        (write.status, write.json()["detail"].clone()),
        (403, json!("the API key lacks the scope webhooks:write"))
    );
    let created = send(gw.addr, "POST", am, &[("x-api-key", WRITER)], Some(&body)).await;
    assert_eq!(created.status, 201);
    let elsewhere = send(
        gw.addr,
        "GET",
        "/v1/upstreams/talkover/owners/550e8400-e29b-41d4-a716-446655440000/webhooks",
        &[("x-api-key", WRITER)],
        None,
    )
    .await;
    assert_eq!(
        (elsewhere.status, elsewhere.json()["detail"].clone()),
        (403, json!("the API key may not use upstream talkover"))
    );
    for a in [&none, &wrong, &write, &elsewhere] {
        assert!(
            !String::from_utf8_lossy(&a.body).contains("key\""),
            "no key material in problems"
        );
    }
    gw.stop().await;
}

fn load(toml: &str) -> Result<config::Config, config::ConfigReport> {
    let figment =
        Figment::from(Serialized::defaults(RawConfig::default())).merge(Toml::string(toml));
    config::from_figment(&figment, "test")
}

#[test]
fn authentication_is_off_only_when_said_so() {
    let report = load("").unwrap_err();
    assert!(
        report
            .to_string()
            .contains("inbound_auth.keys: no API key is configured"),
        "{report}"
    );
    assert!(load("[inbound_auth]\nmode = \"off\"\n").is_ok());
    let report = load("[inbound_auth]\nmode = \"api_keys\"\n[[inbound_auth.keys]]\nname = \"k\"\nsha256 = \"plaintext-key\"\nscopes = [\"webhooks:admin\"]\n").unwrap_err();
    let text = report.to_string();
    assert!(
        text.contains("inbound_auth.keys[0].sha256: expected 64 hex digits"),
        "{text}"
    );
    assert!(
        text.contains("inbound_auth.keys[0].scopes: `webhooks:admin`"),
        "{text}"
    );
}

#[tokio::test]
async fn a_caller_without_a_key_cannot_tell_the_names_there_are_from_those_there_are_not() {
    const KEY: &str = "names-key-0001";
    let dialects = hookgate::mapping::load_dir(std::path::Path::new(support::MAPPINGS)).unwrap();
    let known = ["alpha", "beta", "gamma"];
    let unknown = ["nope", "alphax", "Alpha", "beta-2"];
    let mut toml = support::inbound_key(KEY);
    for (name, d) in known.iter().zip(&dialects) {
        toml.push_str(&format!(
            "[upstreams.{name}]\ndialect = \"{}\"\nemulate = true\n",
            d.name
        ));
    }
    let gw = gateway(&toml).await;
    // What a caller might ask of a name: the canonical API's webhooks (an owner of one
    // segment and of two, a query, a body, a path that leads nowhere) and an emulator's admin
    // API (its resources, one it does not have, a method a resource does not take).
    // Each with the status every name gets without a key: 401, or a refusal that names no
    // upstream's ways (a page size that is no number).
    type Asked = (&'static str, String, Option<serde_json::Value>, u16);
    let asked = |name: &str| -> Vec<Asked> {
        let hooks = format!("/v1/upstreams/{name}");
        let admin = format!("/__hookgate/emulators/{name}");
        vec![
            ("GET", format!("{hooks}/webhooks"), None, 401),
            (
                "GET",
                format!("{hooks}/owners/o1/webhooks?limit=2"),
                None,
                401,
            ),
            ("GET", format!("{hooks}/owners/a/b/webhooks/w1"), None, 401),
            ("PUT", format!("{hooks}/owners/a/b/webhooks/w1"), None, 405),
            ("GET", format!("{hooks}/webhooks?limit=none"), None, 422),
            (
                "POST",
                format!("{hooks}/webhooks"),
                Some(json!({"url": "https://example.com/h"})),
                401,
            ),
            ("DELETE", format!("{hooks}/webhooks/w1"), None, 401),
            ("GET", format!("{hooks}/nothing/here"), None, 401),
            ("GET", hooks.clone(), None, 401),
            ("GET", admin.clone(), None, 401),
            ("GET", format!("{admin}/emulator"), None, 401),
            ("POST", format!("{admin}/reset"), None, 401),
            ("GET", format!("{admin}/nothing"), None, 401),
            ("PUT", format!("{admin}/emulator"), None, 401),
            ("POST", format!("{admin}/openapi.json"), None, 401),
        ]
    };
    let without: [&[(&str, &str)]; 3] = [
        &[],
        &[("x-api-key", "not-a-key")],
        &[("authorization", "Bearer not-a-key")],
    ];
    for (i, (method, path, body, status)) in asked(known[0]).into_iter().enumerate() {
        for credential in without {
            let mut headers = vec![("x-request-id", "req-names")];
            headers.extend_from_slice(credential);
            let seen = send(gw.addr, method, &path, &headers, body.as_ref()).await;
            assert_eq!(seen.status, status, "{method} {path} {credential:?}");
            for name in known.iter().chain(&unknown) {
                let (method, path, body, _) = asked(name).swap_remove(i);
                let answer = send(gw.addr, method, &path, &headers, body.as_ref()).await;
                assert_eq!(
                    (answer.status, answer.header("content-type"), &answer.body),
                    (seen.status, seen.header("content-type"), &seen.body),
                    "{method} {path} {credential:?}"
                );
            }
        }
    }
    // With a key: the names there are are served, the others are not found.
    let keyed = [("x-api-key", KEY)];
    for name in known {
        let info = send(
            gw.addr,
            "GET",
            &format!("/__hookgate/emulators/{name}/emulator"),
            &keyed,
            None,
        )
        .await;
        assert_eq!(info.status, 200, "{name}");
    }
    for name in unknown {
        for path in [
            format!("/v1/upstreams/{name}/webhooks"),
            format!("/__hookgate/emulators/{name}/emulator"),
        ] {
            let missing = send(gw.addr, "GET", &path, &keyed, None).await;
            assert_eq!(
                (missing.status, missing.json()["code"].clone()),
                (404, json!("not_found")),
                "{path}"
            );
        }
    }
    // The admin API's description under a name tells no more: the same 401 without a key,
    // and with one, the description of an emulator or a 404.
    for (name, known) in known
        .iter()
        .map(|n| (n, true))
        .chain(unknown.iter().map(|n| (n, false)))
    {
        let path = format!("/__hookgate/emulators/{name}/openapi.json");
        let doc = send(gw.addr, "GET", &path, &[], None).await;
        assert_eq!(doc.status, 401, "{path}");
        let doc = send(gw.addr, "GET", &path, &keyed, None).await;
        if known {
            assert_eq!(doc.status, 200, "{path}");
            assert_eq!(
                doc.json()["servers"][0]["url"],
                format!("/__hookgate/emulators/{name}")
            );
        } else {
            assert_eq!(doc.status, 404, "{path}");
        }
    }
    gw.stop().await;
}

/// Upstreams `live` and `other`, both emulated, behind keys: `all-key` for every upstream,
/// `live-key` for `live` alone.
fn scoped_gateway_toml() -> String {
    let (dialect, _) = hookgate::mapping::load::SHIPPED[0];
    format!(
        "[upstreams.live]\ndialect = \"{dialect}\"\nemulate = true\n\
         [upstreams.other]\ndialect = \"{dialect}\"\nemulate = true\n\
         [inbound_auth]\nmode = \"api_keys\"\n\
         [[inbound_auth.keys]]\nname = \"all\"\nsha256 = \"{}\"\nscopes = [\"webhooks:read\", \"webhooks:write\"]\n\
         [[inbound_auth.keys]]\nname = \"live\"\nsha256 = \"{}\"\nscopes = [\"webhooks:read\"]\nupstreams = [\"live\"]\n",
        sha256_hex("all-key"),
        sha256_hex("live-key"),
    )
}

#[tokio::test]
async fn a_key_limited_to_some_upstreams_is_shown_those_alone() {
    let gw = gateway(&scoped_gateway_toml()).await;
    let names = |answer: &support::Answer, list: &str, field: &str| -> Vec<String> {
        assert_eq!(
            answer.status,
            200,
            "{}",
            String::from_utf8_lossy(&answer.body)
        );
        answer.json()[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u[field].as_str().unwrap().to_owned())
            .collect()
    };
    for (key, seen) in [
        ("all-key", vec!["live", "other"]),
        ("live-key", vec!["live"]),
    ] {
        let upstreams = send(gw.addr, "GET", "/v1/upstreams", &[("x-api-key", key)], None).await;
        assert_eq!(names(&upstreams, "data", "name"), seen, "{key}");
        for header in [
            ("x-api-key", key.to_owned()),
            ("authorization", format!("Bearer {key}")),
        ] {
            let emulators = send(
                gw.addr,
                "GET",
                "/__hookgate/emulators",
                &[(header.0, header.1.as_str())],
                None,
            )
            .await;
            assert_eq!(names(&emulators, "emulators", "upstream"), seen, "{key}");
            let text = String::from_utf8_lossy(&emulators.body).into_owned();
            if !seen.contains(&"other") {
                let other = gw.emulators["other"].to_string();
                assert!(!text.contains(&other), "{key}: {text}");
            }
        }
    }
    // Directly, an upstream the key may not use is refused, as on the canonical API.
    let admin = send(
        gw.addr,
        "GET",
        "/__hookgate/emulators/other/emulator",
        &[("x-api-key", "live-key")],
        None,
    )
    .await;
    assert_eq!(admin.status, 403);
    gw.stop().await;
}

#[tokio::test]
async fn an_emulator_s_description_under_a_name_is_behind_the_key_and_missing_for_a_name_that_is_none()
 {
    let gw = gateway(&scoped_gateway_toml()).await;
    let path = |name: &str| format!("/__hookgate/emulators/{name}/openapi.json");
    for name in ["live", "nobody", "other-ish"] {
        let keyless = send(gw.addr, "GET", &path(name), &[], None).await;
        assert_eq!(keyless.status, 401, "{name}");
    }
    let real = send(
        gw.addr,
        "GET",
        &path("live"),
        &[("x-api-key", "all-key")],
        None,
    )
    .await;
    assert_eq!(real.status, 200);
    assert_eq!(
        real.json()["servers"][0]["url"],
        "/__hookgate/emulators/live"
    );
    for name in ["nobody", "other-ish", "LIVE"] {
        let missing = send(
            gw.addr,
            "GET",
            &path(name),
            &[("x-api-key", "all-key")],
            None,
        )
        .await;
        assert_eq!(missing.status, 404, "{name}");
    }
    gw.stop().await;
    // With keys off, a name that is no emulator is not found either.
    let (dialect, _) = hookgate::mapping::load::SHIPPED[0];
    let open = gateway(&format!(
        "[upstreams.live]\ndialect = \"{dialect}\"\nemulate = true\n[inbound_auth]\nmode = \"off\"\n"
    ))
    .await;
    assert_eq!(
        send(open.addr, "GET", &path("live"), &[], None)
            .await
            .status,
        200
    );
    assert_eq!(
        send(open.addr, "GET", &path("nobody"), &[], None)
            .await
            .status,
        404
    );
    open.stop().await;
}
