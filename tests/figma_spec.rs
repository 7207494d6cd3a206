//! Owners outside the path, held to a vendor's own description: `tests/dialects/canvas.toml` is
//! spelt as Figma's webhooks v2 API, and Figma's OpenAPI file (the `@figma/rest-api-spec`
//! package, fetched from the npm registry and checked against its digest) says what the
//! gateway must send and what it will be answered. The vendor is a scripted double answering
//! bodies that the file's `WebhookV2` schema accepts; every request the gateway makes is
//! matched to one of the file's operations and its body to that operation's schema. The
//! dialect's emulator, and a surface of it in front of another vendor, answer Figma's clients
//! with bodies of the schemas the file gives each answer.

mod support;

use serde_json::{Value, json};
use sha2::Digest;
use std::path::Path;
use std::process::Command;
use std::sync::LazyLock;
use support::{Double, Reply, gateway_over, ok, send};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
const VERSION: &str = "0.43.0";
const SHA256: &str = "208361544008cc68250678a717665d10e32194deddb1fac0c276ef6ab16582f6";

/// Figma's OpenAPI description, fetched once per build folder and read once per run: the
/// tests of this binary run in parallel and share it.
fn figma_openapi() -> &'static Value {
    static DESCRIPTION: LazyLock<Value> = LazyLock::new(fetch_and_read);
    &DESCRIPTION
}

fn fetch_and_read() -> Value {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let archive = dir.join(format!("figma-rest-api-spec-{VERSION}.tgz"));
    if !archive.exists() {
        // A name of this process's own, so that no other run's download is renamed under it.
        let part = archive.with_extension(format!("{}.part", std::process::id()));
        let url = format!(
            "https://registry.npmjs.org/@figma/rest-api-spec/-/rest-api-spec-{VERSION}.tgz"
        );
        let fetched = Command::new("curl")
            .args(["-fsSL", "--retry", "3", "-o"])
            .arg(&part)
            .arg(&url)
            .status()
            .expect("curl runs");
        assert!(fetched.success(), "fetching {url} failed");
        std::fs::rename(&part, &archive).unwrap();
    }
    let bytes = std::fs::read(&archive).unwrap();
    let digest = format!("{:x}", sha2::Sha256::digest(&bytes));
    assert_eq!(
        digest,
        SHA256,
        "{} is not the package it should be",
        archive.display()
    );
    let out = Command::new("tar")
        .args(["-xzOf"])
        .arg(&archive)
        .arg("package/openapi/openapi.yaml")
        .output()
        .expect("tar runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_norway::from_slice(&out.stdout).expect("the description is YAML")
}

/// Validates `instance` against `schema`, its references resolved within the description.
fn conforms(doc: &Value, schema: &Value, instance: &Value, what: &str) {
    let mut root = schema.as_object().expect("a schema object").clone();
    root.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    root.insert("components".into(), doc["components"].clone());
    let validator = jsonschema::options()
        .build(&Value::Object(root))
        .unwrap_or_else(|e| panic!("{what}: the schema does not compile: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:?} in {instance}");
}

/// The description's operation for `method` and a concrete `path` (its templates matched
/// segment by segment), with the query parameters it documents.
fn operation<'a>(doc: &'a Value, method: &str, path: &str) -> &'a Value {
    let parts: Vec<&str> = path.split('/').collect();
    let (_, item) = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(template, item)| {
            let t: Vec<&str> = template.split('/').collect();
            t.len() == parts.len()
                && t.iter()
                    .zip(&parts)
                    .all(|(t, p)| t.starts_with('{') || t == p)
                && item.get(method).is_some()
        })
        .unwrap_or_else(|| panic!("Figma documents no {method} {path}"));
    &item[method]
}

/// Checks one request the vendor received against the description: a documented operation,
/// documented query parameters (the required ones given), and a body of its schema.
fn documented(doc: &Value, seen: &support::Seen) -> Value {
    let (path, query) = seen.path.split_once('?').unwrap_or((&seen.path, ""));
    let method = seen.method.to_ascii_lowercase();
    let op = operation(doc, &method, path);
    let params: Vec<&Value> = op["parameters"]
        .as_array()
        .map(|p| p.iter().collect())
        .unwrap_or_default();
    let given: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split('=').next().unwrap())
        .collect();
    for name in &given {
        assert!(
            params
                .iter()
                .any(|p| p["in"] == "query" && p["name"] == *name),
            "{method} {path}: `{name}` is no query parameter of {}",
            op["operationId"]
        );
    }
    for p in params
        .iter()
        .filter(|p| p["in"] == "query" && p["required"] == true)
    {
        assert!(
            given.contains(&p["name"].as_str().unwrap()),
            "{method} {path}: {} is required",
            p["name"]
        );
    }
    if let Some(body) = seen.json() {
        let schema = &op["requestBody"]["content"]["application/json"]["schema"];
        assert!(schema.is_object(), "{method} {path} takes no body");
        conforms(doc, schema, &body, &format!("{method} {path}"));
    }
    op["operationId"].clone()
}

/// A webhook as Figma answers it, checked against the description's own schema.
fn figma_webhook(doc: &Value, id: &str, team: &str) -> Value {
    let w = json!({
        "id": id,
        "event_type": "FILE_UPDATE",
        "team_id": team,
        "context": "TEAM",
        "context_id": team,
        "plan_api_id": "organization-1",
        "status": "ACTIVE",
        "client_id": null,
        "passcode": "",
        "endpoint": "https://example.com/figma",
        "description": null
    });
    conforms(
        doc,
        &json!({"$ref": "#/components/schemas/WebhookV2"}),
        &w,
        "a scripted answer",
    );
    w
}

#[tokio::test]
async fn the_gateway_speaks_figmas_webhooks_as_its_description_says() {
    let doc = figma_openapi();
    let base = "/v1/upstreams/canvas/owners/1234/webhooks";
    let mine = figma_webhook(doc, "22", "1234");
    let theirs = figma_webhook(doc, "23", "5678");
    let listed = json!({"webhooks": [mine.clone()]});
    conforms(
        doc,
        &json!({"$ref": "#/components/responses/GetWebhooksResponse/content/application~1json/schema"}),
        &listed,
        "a scripted list",
    );
    let double = Double::start(vec![
        Reply::json(200, mine.clone()),   // create
        Reply::json(200, listed),         // list
        Reply::json(200, mine.clone()),   // get
        Reply::json(200, theirs.clone()), // get of another team's: 404
        Reply::json(200, theirs),         // delete of another team's: its read, 404
        Reply::json(200, mine.clone()),   // delete: its read
        Reply::json(200, mine),           // delete
    ])
    .await;
    let gw = gateway_over(DIR, "canvas", &double).await;

    let body =
        json!({"url": "https://example.com/figma", "events": ["FILE_UPDATE"], "secret": "s3cret"});
    let created = send(gw.addr, "POST", base, &[], Some(&body)).await;
    ok(&created, 201, "create");
    assert_eq!(created.json()["owner"], "1234");
    let listed = send(gw.addr, "GET", base, &[], None).await;
    ok(&listed, 200, "list");
    assert_eq!(listed.json()["data"][0]["id"], "22");
    let read = send(gw.addr, "GET", &format!("{base}/22"), &[], None).await;
    ok(&read, 200, "get");
    assert_eq!(read.json()["enabled"], true);
    assert!(
        read.json().get("secret").is_none(),
        "a passcode is never shown"
    );
    ok(
        &send(gw.addr, "GET", &format!("{base}/23"), &[], None).await,
        404,
        "another team's",
    );
    ok(
        &send(gw.addr, "DELETE", &format!("{base}/23"), &[], None).await,
        404,
        "another team's delete",
    );
    ok(
        &send(gw.addr, "DELETE", &format!("{base}/22"), &[], None).await,
        204,
        "delete",
    );

    let seen = double.seen();
    let operations: Vec<Value> = seen.iter().map(|s| documented(doc, s)).collect();
    assert_eq!(
        operations,
        [
            "postWebhook",
            "getWebhooks",
            "getWebhook",
            "getWebhook",
            "getWebhook",
            "getWebhook",
            "deleteWebhook"
        ],
        "{:?}",
        seen.iter()
            .map(|s| format!("{} {}", s.method, s.path))
            .collect::<Vec<_>>()
    );
    // The team went where Figma takes it: the list's query, the create's body.
    assert_eq!(seen[1].path, "/v2/webhooks?context=team&context_id=1234");
    let created = seen[0].json().unwrap();
    assert_eq!(
        (&created["context"], &created["context_id"]),
        (&json!("team"), &json!("1234"))
    );
    assert_eq!(created["passcode"], "s3cret");
}

#[tokio::test]
async fn an_update_is_figmas_whole_put_and_names_the_passcode() {
    let doc = figma_openapi();
    let one = "/v1/upstreams/canvas/owners/1234/webhooks/22";
    let mine = figma_webhook(doc, "22", "1234");
    let mut paused = mine.clone();
    paused["status"] = json!("PAUSED");
    let double = Double::start(vec![
        Reply::json(200, mine.clone()),
        Reply::json(200, paused),
    ])
    .await;
    let gw = gateway_over(DIR, "canvas", &double).await;
    let patched = send(
        gw.addr,
        "PATCH",
        one,
        &[],
        Some(&json!({"enabled": false, "secret": "s3cret"})),
    )
    .await;
    ok(&patched, 200, "an update that names the passcode");
    assert_eq!(patched.json()["enabled"], false);
    let seen = double.seen();
    let operations: Vec<Value> = seen.iter().map(|s| documented(doc, s)).collect();
    assert_eq!(operations, ["getWebhook", "putWebhook"]);
    let put = seen[1].json().unwrap();
    assert_eq!(
        (&put["status"], &put["passcode"]),
        (&json!("PAUSED"), &json!("s3cret"))
    );

    // Without it, Figma's PUT cannot be made: refused by name, and nothing is written.
    let double = Double::start(vec![Reply::json(200, mine)]).await;
    let gw = gateway_over(DIR, "canvas", &double).await;
    let refused = send(gw.addr, "PATCH", one, &[], Some(&json!({"enabled": false}))).await;
    ok(&refused, 422, "an update without the passcode");
    assert_eq!(
        refused.json()["errors"][0]["field"],
        "secret",
        "{}",
        refused.json()
    );
    let seen: Vec<_> = double
        .seen()
        .iter()
        .map(|s| format!("{} {}", s.method, s.path))
        .collect();
    assert_eq!(seen, ["GET /v2/webhooks/22"]);
}

/// The schema of the answer `status` that the description gives `operation_id`.
fn answer_schema<'a>(doc: &'a Value, method: &str, path: &str, status: &str) -> &'a Value {
    let op = operation(doc, method, path);
    let mut answer = &op["responses"][status];
    if let Some(reference) = answer["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap();
        answer = &doc["components"]["responses"][name];
    }
    let schema = &answer["content"]["application/json"]["schema"];
    assert!(
        schema.is_object(),
        "{method} {path}: no {status} body documented"
    );
    schema
}

#[tokio::test]
async fn the_emulator_answers_every_member_figma_documents() {
    let doc = figma_openapi();
    let gw = support::gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.canvas]\ndialect = \"canvas\"\nemulate = true\n\
         [upstreams.studio]\ndialect = \"studio\"\nemulate = true\n\
         [surfaces.canvas-on-studio]\ndialect = \"canvas\"\nupstream = \"studio\"\nprefix = \"/figma\"\n"
    ))
    .await;
    let emu = gw.emulators["canvas"];
    let auth = [("authorization", "Bearer figd_token")];
    // Each request as Figma's clients send it (checked against the description first), each
    // answer against the description's schema for it.
    let exchange = |method: &'static str, path: String, body: Option<Value>| {
        let doc = &doc;
        async move {
            let op = operation(
                doc,
                &method.to_ascii_lowercase(),
                path.split('?').next().unwrap(),
            );
            if let Some(body) = &body {
                let schema = &op["requestBody"]["content"]["application/json"]["schema"];
                conforms(doc, schema, body, &format!("our {method} {path}"));
            }
            let answer = send(emu, method, &path, &auth, body.as_ref()).await;
            ok(&answer, 200, &format!("{method} {path}"));
            let schema = answer_schema(
                doc,
                &method.to_ascii_lowercase(),
                path.split('?').next().unwrap(),
                "200",
            );
            conforms(
                doc,
                schema,
                &answer.json(),
                &format!("the answer to {method} {path}"),
            );
            answer.json()
        }
    };
    let created = exchange(
        "POST",
        "/v2/webhooks".into(),
        Some(json!({
            "event_type": "FILE_UPDATE", "context": "team", "context_id": "1234",
            "endpoint": "https://example.com/figma", "passcode": "s3cret", "description": "files"
        })),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["context_id"], "1234");
    assert_eq!(created["passcode"], "", "a passcode is never answered");
    let listed = exchange(
        "GET",
        "/v2/webhooks?context=team&context_id=1234".into(),
        None,
    )
    .await;
    assert_eq!(listed["webhooks"][0]["id"], id.as_str());
    let read = exchange("GET", format!("/v2/webhooks/{id}"), None).await;
    assert_eq!(read["status"], "ACTIVE");
    let put = json!({
        "event_type": "FILE_COMMENT", "team_id": "1234", "endpoint": "https://example.com/figma",
        "passcode": "s3cret", "status": "PAUSED", "description": "comments"
    });
    let replaced = exchange("PUT", format!("/v2/webhooks/{id}"), Some(put)).await;
    assert_eq!(
        (&replaced["status"], &replaced["event_type"]),
        (&json!("PAUSED"), &json!("FILE_COMMENT"))
    );
    let deleted = exchange("DELETE", format!("/v2/webhooks/{id}"), None).await;
    assert_eq!(
        deleted["id"],
        id.as_str(),
        "the answer is the webhook deleted"
    );

    // Through a surface in front of another vendor (Studio, by id alone too): the delete's
    // answer is the webhook as it was read before it went, in Figma's shape.
    let made = send(
        gw.addr,
        "POST",
        "/v1/upstreams/studio/owners/1234/webhooks",
        &[],
        Some(&json!({"url": "https://example.com/s", "events": ["FILE_UPDATE"]})),
    )
    .await;
    ok(&made, 201, "a webhook at the other vendor");
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let path = format!("/v2/webhooks/{id}");
    let deleted = send(gw.addr, "DELETE", &format!("/figma{path}"), &auth, None).await;
    ok(&deleted, 200, "a delete through the surface");
    let schema = answer_schema(doc, "delete", &path, "200");
    conforms(doc, schema, &deleted.json(), "the surface's delete answer");
    assert_eq!(
        (&deleted.json()["id"], &deleted.json()["context_id"]),
        (&json!(id), &json!("1234"))
    );
    let gone = send(
        gw.addr,
        "GET",
        "/v1/upstreams/studio/owners/1234/webhooks",
        &[],
        None,
    )
    .await;
    assert_eq!(gone.json()["data"], json!([]));
}
