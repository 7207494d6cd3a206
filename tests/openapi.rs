//! The OpenAPI description (`openapi/hookgate.json`, served at `/openapi.json`) is kept true:
//! it is an OpenAPI 3.1 document whose references resolve, every path and method it documents
//! is routed by the gateway, and every answer of a live lifecycle through the real gateway (on
//! emulators, on vendor doubles that fail, behind inbound API keys) is documented for its
//! operation and status, with its headers, media type and body valid against the document.

mod support;

use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::time::Duration;
use support::{ALL_EMULATED, Answer, Double, Reply, gateway, send, send_raw};

const AGENT: &str = "9fbef0b7-8d4e-4a08-9207-66c22155721d";
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
/// Headers of HTTP itself, which an OpenAPI document does not describe.
const TRANSPORT_HEADERS: [&str; 5] = [
    "content-type",
    "content-length",
    "date",
    "connection",
    "transfer-encoding",
];

fn document() -> Value {
    serde_json::from_str(hookgate::gateway::OPENAPI_JSON).expect("openapi/hookgate.json is JSON")
}

/// The document, and what a live run of the gateway showed of it.
struct Spec {
    doc: Value,
    /// Operation id → statuses seen, with the problem code for errors.
    seen: BTreeMap<String, BTreeSet<(u16, String)>>,
}

impl Spec {
    fn new() -> Spec {
        Spec {
            doc: document(),
            seen: BTreeMap::new(),
        }
    }

    /// Follows a local `$ref`.
    fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let target = self
                    .doc
                    .pointer(r.strip_prefix('#').expect("local reference"))
                    .unwrap_or_else(|| panic!("{r} does not resolve"));
                self.resolve(target)
            }
            None => value,
        }
    }

    /// The documented path template a concrete path falls under.
    fn template(&self, path: &str) -> Option<&str> {
        let path = path.split('?').next().unwrap_or(path);
        let parts: Vec<&str> = path.split('/').collect();
        let matches: Vec<&str> = self.doc["paths"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .filter(|t| {
                let tparts: Vec<&str> = t.split('/').collect();
                tparts.len() == parts.len()
                    && tparts.iter().zip(&parts).all(|(t, p)| {
                        (t.starts_with('{') && t.ends_with('}') && !p.is_empty()) || t == p
                    })
            })
            .collect();
        assert!(matches.len() <= 1, "{path} matches {matches:?}");
        matches.first().copied()
    }

    /// Checks one answer against the document and records it.
    fn check(&mut self, method: &str, path: &str, answer: &Answer) {
        let what = format!(
            "{method} {path} -> {} {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        );
        let template = self
            .template(path)
            .unwrap_or_else(|| panic!("undocumented path: {what}"))
            .to_owned();
        let item = self.doc["paths"][&template].clone();
        let Some(op) = item.get(method.to_ascii_lowercase()) else {
            // A method the path does not serve: 405, naming exactly the documented methods.
            assert_eq!(answer.status, 405, "undocumented method: {what}");
            let documented: BTreeSet<String> = METHODS
                .iter()
                .filter(|m| item.get(**m).is_some())
                .map(|m| m.to_ascii_uppercase())
                .collect();
            let allowed: BTreeSet<String> = answer
                .header("allow")
                .unwrap_or_else(|| panic!("405 without Allow: {what}"))
                .split(',')
                .map(|m| m.trim().to_owned())
                .filter(|m| m != "HEAD")
                .collect();
            assert_eq!(allowed, documented, "Allow of {template}");
            let response = self.doc["components"]["responses"]["MethodNotAllowed"].clone();
            self.check_response(&response, answer, &what);
            self.record(&format!("{method} {template}"), answer);
            return;
        };
        let id = op["operationId"].as_str().unwrap().to_owned();
        let response = op["responses"]
            .get(answer.status.to_string())
            .unwrap_or_else(|| panic!("status not documented for {id}: {what}"))
            .clone();
        self.check_response(&response, answer, &what);
        self.record(&id, answer);
    }

    fn record(&mut self, key: &str, answer: &Answer) {
        let code = if answer.status >= 400 {
            answer.json()["code"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        } else {
            String::new()
        };
        self.seen
            .entry(key.to_owned())
            .or_default()
            .insert((answer.status, code));
    }

    fn check_response(&self, response: &Value, answer: &Answer, what: &str) {
        let response = self.resolve(response);
        let documented = response["headers"].as_object().cloned().unwrap_or_default();
        for (name, header) in &documented {
            let header = self.resolve(header);
            match answer.header(name) {
                Some(value) => self.validate(&header["schema"], &json!(value), what),
                None => assert!(header["required"] != true, "missing header {name}: {what}"),
            }
        }
        for name in answer.headers.keys() {
            let name = name.as_str();
            assert!(
                TRANSPORT_HEADERS.contains(&name)
                    || documented.keys().any(|d| d.eq_ignore_ascii_case(name)),
                "undocumented header {name}: {what}"
            );
        }
        match response.get("content").and_then(Value::as_object) {
            Some(content) => {
                let media = answer
                    .header("content-type")
                    .unwrap_or_else(|| panic!("no content-type: {what}"));
                let essence = media.split(';').next().unwrap().trim();
                let schema = &content
                    .get(essence)
                    .unwrap_or_else(|| panic!("media type {essence} not documented: {what}"))["schema"];
                let body: Value = serde_json::from_slice(&answer.body)
                    .unwrap_or_else(|_| panic!("body is not JSON: {what}"));
                self.validate(schema, &body, what);
            }
            None => assert!(answer.body.is_empty(), "undocumented body: {what}"),
        }
    }

    /// Validates an instance against a schema of the document, its references resolved within it.
    fn validate(&self, schema: &Value, instance: &Value, what: &str) {
        let mut root = match schema {
            Value::Object(m) => m.clone(),
            other => panic!("schema is not an object: {other}"),
        };
        root.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        root.insert("components".into(), self.doc["components"].clone());
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&Value::Object(root))
            .unwrap_or_else(|e| panic!("schema does not compile: {e}"));
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:?}: {what}");
    }
}

/// Sends a request, checks the answer against the document, and returns it.
async fn call(
    spec: &mut Spec,
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Answer {
    let answer = send(addr, method, path, headers, body).await;
    spec.check(method, path, &answer);
    answer
}

#[test]
fn the_document_is_openapi_3_1_and_its_references_resolve() {
    let spec = Spec::new();
    let doc = &spec.doc;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1."),
        "{}",
        doc["openapi"]
    );
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    assert_eq!(
        doc["components"]["securitySchemes"]["ApiKey"],
        json!({"type": "apiKey", "in": "header", "name": "X-Api-Key", "description": doc["components"]["securitySchemes"]["ApiKey"]["description"]})
    );
    // Every reference resolves.
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(doc, &mut all);
    assert!(all.len() > 100);
    for r in &all {
        assert!(
            doc.pointer(r.strip_prefix('#').unwrap()).is_some(),
            "{r} does not resolve"
        );
    }
    // Operation ids are unique, every path parameter is declared, and every operation says
    // what it answers.
    let mut ids = BTreeSet::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        let declared: BTreeSet<String> = item["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| spec.resolve(p))
            .filter(|p| p["in"] == "path")
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect();
        let in_template: BTreeSet<String> = template
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .map(str::to_owned)
            .collect();
        assert_eq!(declared, in_template, "{template}");
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            assert!(
                ids.insert(op["operationId"].as_str().unwrap().to_owned()),
                "duplicate {}",
                op["operationId"]
            );
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.keys().any(|s| s.starts_with('2')), "{template}");
            // Links name operations that exist, with parameters that exist.
            for response in responses.values() {
                let links = spec.resolve(response)["links"].as_object().cloned();
                for link in links.unwrap_or_default().values() {
                    let target = link["operationId"].as_str().unwrap();
                    assert!(
                        doc["paths"]
                            .as_object()
                            .unwrap()
                            .values()
                            .any(|i| METHODS.iter().any(|m| i[*m]["operationId"] == target)),
                        "link to {target}"
                    );
                }
            }
        }
    }
    assert_eq!(ids.len(), 4 * 7 + 4);
}

#[tokio::test]
async fn every_documented_route_is_served() {
    let spec = Spec::new();
    let gw = gateway(&format!("default_upstream = \"talkover\"\n{ALL_EMULATED}")).await;
    let mut checked = 0;
    for (template, item) in spec.doc["paths"].as_object().unwrap() {
        let path = template
            .replace("{upstream}", "chirp")
            .replace("{owner}", "app_1")
            .replace("{id}", "42");
        for method in METHODS {
            if item.get(method).is_none() {
                continue;
            }
            let method = method.to_ascii_uppercase();
            let body = matches!(method.as_str(), "POST" | "PATCH").then(|| json!({}));
            let a = send(gw.addr, &method, &path, &[], body.as_ref()).await;
            assert_ne!(a.status, 405, "{method} {path}");
            if a.status == 404 {
                let detail = a.json()["detail"].as_str().unwrap().to_owned();
                assert!(!detail.starts_with("no route"), "{method} {path}: {detail}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 4 * 7 + 4);
    gw.stop().await;
}

/// Creates, reads, lists, updates (both media types), tests, rotates and deletes one webhook
/// under `base`, checking every answer.
async fn lifecycle(spec: &mut Spec, addr: SocketAddr, base: &str, create: Value, update: Value) {
    let created = call(spec, addr, "POST", base, &[], Some(&create)).await;
    assert_eq!(created.status, 201, "{base}");
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let item = format!("{base}/{id}");
    let location = created.header("location").unwrap();
    assert!(
        location.starts_with("/v1/upstreams/") && location.ends_with(&format!("/webhooks/{id}")),
        "{location}"
    );
    assert_eq!(call(spec, addr, "GET", &item, &[], None).await.status, 200);
    let list = call(spec, addr, "GET", &format!("{base}?limit=10"), &[], None).await;
    assert_eq!(list.status, 200);
    let merge = [("content-type", "application/merge-patch+json")];
    assert_eq!(
        call(spec, addr, "PATCH", &item, &merge, Some(&update))
            .await
            .status,
        200
    );
    assert_eq!(
        call(spec, addr, "PATCH", &item, &[], Some(&update))
            .await
            .status,
        200
    );
    let test = call(spec, addr, "POST", &format!("{item}/test"), &[], None).await;
    assert!(matches!(test.status, 200 | 501), "{base}");
    let rotate = call(
        spec,
        addr,
        "POST",
        &format!("{item}/rotate-secret"),
        &[],
        None,
    )
    .await;
    assert!(matches!(rotate.status, 200 | 501), "{base}");
    if rotate.status == 200 {
        assert!(rotate.json()["secret"].is_string());
    }
    assert_eq!(
        call(spec, addr, "DELETE", &item, &[], None).await.status,
        204
    );
    assert_eq!(call(spec, addr, "GET", &item, &[], None).await.status, 404);
    assert_eq!(
        call(spec, addr, "DELETE", &item, &[], None).await.status,
        404
    );
}

#[tokio::test]
async fn a_live_run_through_the_gateway_conforms_to_the_document() {
    let mut spec = Spec::new();
    let spec = &mut spec;
    let limits = "[limits]\nmax_body_bytes = 4096\n";

    // Emulated upstreams, through every path form.
    let gw = gateway(&format!(
        "default_upstream = \"agentmessage\"\n{ALL_EMULATED}{limits}"
    ))
    .await;
    let owned = gateway(&format!("default_upstream = \"talkover\"\n{ALL_EMULATED}")).await;
    let am = json!({"url": "https://hooks.example.com/ops", "events": ["wallet.balance_low"], "description": "ops"});
    let am_update = json!({"events": ["wallet.balance_low", "wallet.balance_zero"], "description": null, "enabled": false});
    let talkover = json!({"description": "Calls", "url": "https://example.com/hook", "events": ["event_phone_call_started"], "secret": "s3cret", "headers": {"X-Env": "prod"}});
    let talkover_update =
        json!({"events": ["event_phone_call_ended"], "max_retries": 5, "headers": null});
    let resemble = json!({"url": "https://api.example.com/pre-call", "events": ["pre_call"], "method": "POST", "timeout_seconds": 10});
    let resemble_update = json!({"timeout_seconds": 15});
    let chirp = json!({"url": "https://example.com/webhook", "events": ["MESSAGE_CREATED"], "headers": {"X-Custom-Header": "value"}});
    let chirp_update = json!({"events": ["MESSAGE_CREATED", "MESSAGE_DELIVERED"]});
    let runs = [
        (gw.addr, "/v1/webhooks".to_owned(), &am, &am_update),
        (
            gw.addr,
            "/v1/upstreams/agentmessage/webhooks".to_owned(),
            &am,
            &am_update,
        ),
        (
            owned.addr,
            format!("/v1/owners/{AGENT}/webhooks"),
            &talkover,
            &talkover_update,
        ),
        (
            gw.addr,
            format!("/v1/upstreams/talkover/owners/{AGENT}/webhooks"),
            &talkover,
            &talkover_update,
        ),
        (
            gw.addr,
            format!("/v1/upstreams/resemble/owners/{AGENT}/webhooks"),
            &resemble,
            &resemble_update,
        ),
        (
            gw.addr,
            "/v1/upstreams/chirp/owners/app_1/webhooks".to_owned(),
            &chirp,
            &chirp_update,
        ),
    ];
    for (addr, base, create, update) in runs {
        lifecycle(spec, addr, &base, create.clone(), update.clone()).await;
    }

    // The gateway's own refusals.
    let am_base = "/v1/upstreams/agentmessage/webhooks";
    let talkover_base = format!("/v1/upstreams/talkover/owners/{AGENT}/webhooks");
    let with_headers = json!({"url": "https://h.example.com/x", "events": ["wallet.balance_low"], "headers": {"A": "1"}});
    let a = call(spec, gw.addr, "POST", am_base, &[], Some(&with_headers)).await;
    assert_eq!(a.json()["code"], "unsupported_field");
    let lenient = [("prefer", "handling=lenient"), ("x-request-id", "run-1")];
    let a = call(
        spec,
        gw.addr,
        "POST",
        am_base,
        &lenient,
        Some(&with_headers),
    )
    .await;
    assert_eq!(a.status, 201);
    assert_eq!(a.header("hookgate-dropped-fields"), Some("headers"));
    assert_eq!(a.header("x-request-id"), Some("run-1"));
    let a = call(
        spec,
        gw.addr,
        "POST",
        am_base,
        &[],
        Some(&json!({"id": "1", "colour": "red"})),
    )
    .await;
    assert_eq!(a.json()["code"], "validation_failed");
    let a = call(
        spec,
        gw.addr,
        "POST",
        am_base,
        &[],
        Some(&json!({"url": "http://plain.example.com"})),
    )
    .await;
    assert_eq!(a.status, 422);
    let a = call(
        spec,
        gw.addr,
        "GET",
        &format!("{am_base}?limit=0"),
        &[],
        None,
    )
    .await;
    assert_eq!(a.status, 422);
    let a = call(
        spec,
        gw.addr,
        "POST",
        am_base,
        &[("content-type", "text/plain")],
        Some(&json!({})),
    )
    .await;
    assert_eq!(a.status, 415);
    for body in ["{\"url\":", "[1]", ""] {
        let a = send_raw(
            gw.addr,
            "POST",
            am_base,
            &[("content-type", "application/json")],
            body.to_owned().into(),
        )
        .await;
        spec.check("POST", am_base, &a);
        assert_eq!(a.status, 400, "{body:?}");
    }
    let big = format!("{{\"description\": \"{}\"}}", "x".repeat(8192));
    let a = send_raw(
        gw.addr,
        "POST",
        am_base,
        &[("content-type", "application/json")],
        big.into(),
    )
    .await;
    spec.check("POST", am_base, &a);
    assert_eq!(a.status, 413);
    for path in [
        "/v1/upstreams/nope/webhooks".to_owned(),
        "/v1/upstreams/agentmessage/owners/x/webhooks".to_owned(),
        "/v1/upstreams/talkover/webhooks".to_owned(),
        format!("{talkover_base}/missing"),
    ] {
        assert_eq!(
            call(spec, gw.addr, "GET", &path, &[], None).await.status,
            404,
            "{path}"
        );
    }
    let a = call(spec, owned.addr, "GET", "/v1/webhooks", &[], None).await;
    assert_eq!(a.status, 404);
    let resemble_base = format!("/v1/upstreams/resemble/owners/{AGENT}/webhooks");
    assert_eq!(
        call(spec, gw.addr, "POST", &resemble_base, &[], Some(&resemble))
            .await
            .status,
        201
    );
    // Resemble keeps one webhook per type per agent.
    let a = call(spec, gw.addr, "POST", &resemble_base, &[], Some(&resemble)).await;
    assert_eq!(a.status, 422);
    let chirp_item = "/v1/upstreams/chirp/owners/app_1/webhooks/1";
    for (method, path) in [
        ("PUT", chirp_item.to_owned()),
        ("POST", chirp_item.to_owned()),
        ("GET", format!("{chirp_item}/test")),
        (
            "DELETE",
            "/v1/upstreams/chirp/owners/app_1/webhooks".to_owned(),
        ),
        ("DELETE", "/v1/upstreams".to_owned()),
        ("POST", "/healthz".to_owned()),
        ("PUT", "/openapi.json".to_owned()),
    ] {
        assert_eq!(
            call(spec, gw.addr, method, &path, &[], None).await.status,
            405,
            "{method} {path}"
        );
    }
    for path in ["/v1/upstreams", "/healthz", "/readyz", "/openapi.json"] {
        assert_eq!(
            call(spec, gw.addr, "GET", path, &[], None).await.status,
            200,
            "{path}"
        );
    }
    gw.stop().await;
    owned.stop().await;

    // Inbound API keys.
    let sha = |k: &str| {
        use sha2::Digest;
        sha2::Sha256::digest(k.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let keyed = gateway(&format!(
        "{ALL_EMULATED}[inbound_auth]\nmode = \"api_keys\"\n[[inbound_auth.keys]]\nname = \"reader\"\nsha256 = \"{}\"\nscopes = [\"webhooks:read\"]\n",
        sha("read-key")
    ))
    .await;
    let reader = [("x-api-key", "read-key")];
    assert_eq!(
        call(spec, keyed.addr, "GET", am_base, &[], None)
            .await
            .status,
        401
    );
    assert_eq!(
        call(
            spec,
            keyed.addr,
            "GET",
            "/v1/upstreams",
            &[("x-api-key", "wrong")],
            None
        )
        .await
        .status,
        401
    );
    assert_eq!(
        call(spec, keyed.addr, "GET", am_base, &reader, None)
            .await
            .status,
        200
    );
    assert_eq!(
        call(spec, keyed.addr, "POST", am_base, &reader, Some(&am))
            .await
            .status,
        403
    );
    assert_eq!(
        call(spec, keyed.addr, "GET", "/healthz", &[], None)
            .await
            .status,
        200
    );
    keyed.stop().await;

    // A vendor that fails in every way the contract names.
    let rate = |status: u16| Reply::Json {
        status,
        headers: vec![
            ("retry-after".into(), "7".into()),
            ("x-ratelimit-limit".into(), "100".into()),
            ("x-ratelimit-remaining".into(), "0".into()),
            ("x-ratelimit-reset".into(), "1700000000".into()),
        ],
        body: json!({"message": "slow down"}),
    };
    let script = vec![
        Reply::json(400, json!({"message": "bad"})),
        Reply::json(401, json!({"message": "Unauthenticated."})),
        Reply::json(
            403,
            json!({"message": "Token doesn't have required permissions"}),
        ),
        Reply::json(404, json!({"message": "Webhook not found."})),
        Reply::json(405, json!({"message": "no"})),
        Reply::json(409, json!({"message": "conflict"})),
        Reply::json(410, json!({"message": "gone"})),
        Reply::json(413, json!({"message": "too big"})),
        Reply::json(415, json!({"message": "json please"})),
        Reply::json(418, json!({"message": "teapot"})),
        Reply::json(
            422,
            json!({"message": "The given data was invalid.", "errors": {"webhook_url": ["The webhook url must be a valid URL."]}}),
        ),
        rate(429),
        Reply::json(500, json!({"message": "oops"})),
        rate(503),
        Reply::json(504, json!({"message": "late"})),
        Reply::Raw {
            status: 502,
            headers: vec![],
            body: "<html>bad gateway</html>".into(),
        },
        Reply::Hangup,
        Reply::Slow(
            Duration::from_secs(2),
            Box::new(Reply::json(200, json!({}))),
        ),
    ];
    let expected = [
        400, 401, 403, 404, 405, 409, 410, 413, 415, 400, 422, 429, 502, 503, 504, 502, 502, 504,
    ];
    let double = Double::start(script).await;
    let failing = gateway(&format!(
        "[upstreams.v]\ndialect = \"talkover\"\nbase_url = \"{}\"\nauth = {{ type = \"none\" }}\ntimeout_ms = 300\nretries = 0\nbreaker_failures = 1000\n",
        double.url()
    ))
    .await;
    let path = "/v1/upstreams/v/owners/550e8400-e29b-41d4-a716-446655440000/webhooks/0199a1b2-0000-7000-8000-000000000001";
    for status in expected {
        let a = call(spec, failing.addr, "GET", path, &[], None).await;
        assert_eq!(a.status, status, "{}", String::from_utf8_lossy(&a.body));
        assert!(a.json()["upstream"]["name"] == "v");
        if status == 405 {
            assert_eq!(a.header("allow"), Some("GET, HEAD, PATCH, DELETE"));
        }
    }
    failing.stop().await;

    // Every status of the contract was exercised, and checked.
    let statuses: BTreeSet<u16> = spec.seen.values().flatten().map(|(s, _)| *s).collect();
    let wanted: BTreeSet<u16> = [
        200, 201, 204, 400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 429, 501, 502, 503, 504,
    ]
    .into();
    assert_eq!(
        wanted.difference(&statuses).collect::<Vec<_>>(),
        Vec::<&u16>::new()
    );
    let codes: BTreeSet<&str> = spec
        .seen
        .values()
        .flatten()
        .map(|(_, c)| c.as_str())
        .filter(|c| !c.is_empty())
        .collect();
    assert!(codes.contains("unsupported_field") && codes.contains("validation_failed"));
    // Every documented operation was exercised live.
    let missed: Vec<&str> = spec.doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|i| METHODS.iter().filter_map(|m| i.get(*m)))
        .map(|op| op["operationId"].as_str().unwrap())
        .filter(|id| !spec.seen.contains_key(*id))
        .collect();
    assert!(missed.is_empty(), "not exercised: {missed:?}");
}
