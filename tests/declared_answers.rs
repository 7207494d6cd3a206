//! A vendor's answers read as its mapping file declares them: a read a change declares after
//! it (`then = ["get"]`) is made even where the change's answer names the webhook's id alone;
//! a create whose answer can name no id is refused when the file loads, and no call ever goes
//! out naming an empty id; a vendor's error code that is a number is read as its decimal text;
//! and a list the vendor answers in part, paging by a request header, is refused rather than
//! passed on short.

mod support;

use bytes::Bytes;
use hookgate::exchange::{Reply as VendorReply, VendorRequest};
use hookgate::mapping::Dialect;
use hookgate::model::{Action, Operation};
use hookgate::plan::{self, Context, Plan};
use hookgate::url_policy::UrlPolicy;
use serde_json::{Value, json};
use support::{Double, Reply, gateway_over, refused_mapping, send};

/// A vendor whose answers come in an envelope, whose changes answer the webhook's id alone
/// (`{"result": {"id": …}}`), and whose error codes are numbers.
const CREST: &str = r#"
[dialect]
title = "Crest webhooks"
base_path = "/v4"
owner = "account_id"

[fields.id]
path = "$.id"
in = ["response"]

[fields.description]
path = "$.name"

[fields.url]
path = "$.url"
required = true

[fields.created_at]
path = "$.created_at"
in = ["response"]

[fields.updated_at]
path = "$.updated_at"
in = ["response"]

[operations.list]
method = "GET"
path = "/accounts/{owner}/hooks"
response = { success = true, result = "{{items}}" }

[operations.get]
method = "GET"
path = "/accounts/{owner}/hooks/{id}"
response = { success = true, result = "{{webhook}}" }

[operations.create]
method = "POST"
path = "/accounts/{owner}/hooks"
body = "{{webhook}}"
response = { success = true, result = "{{webhook}}" }
then = ["get"]

[operations.replace]
method = "PUT"
path = "/accounts/{owner}/hooks/{id}"
body = "{{webhook}}"
response = { success = true, result = "{{webhook}}" }
then = ["get"]

[operations.delete]
method = "DELETE"
path = "/accounts/{owner}/hooks/{id}"
response = { success = true }

[errors]
flag = "$.success"
message = ["$.errors[0].message"]
code = ["$.errors[0].code"]

[errors.codes]
"1001" = "validation_failed"
"1002" = "not_found"

[errors.render.default]
body = { success = false, errors = [{ code = "{{code}}", message = "{{message}}" }] }
"#;

const BASE: &str = "/v1/upstreams/crest/owners/acc1/webhooks";

/// A folder holding `crest.toml` as `text`.
fn mappings(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("crest.toml"), text).unwrap();
    dir
}

/// `CREST` with the first `from` made `to` (an edit that changes nothing fails the test).
fn crest_with(from: &str, to: &str) -> String {
    let edited = CREST.replacen(from, to, 1);
    assert_ne!(edited, CREST, "no {from:?} in the file");
    edited
}

/// The webhook `d1` as the vendor's read answers it.
fn whole() -> Value {
    json!({"success": true, "result": {"id": "d1", "name": "Ops", "url": "https://example.com/h",
        "created_at": "2024-01-02T03:04:05Z", "updated_at": "2024-01-02T03:04:05Z"}})
}

#[tokio::test]
async fn a_declared_read_follows_a_create_whatever_its_answer_holds() {
    let dir = mappings(CREST);
    // The create's answer: the id alone, the id with part of the webhook, the webhook whole.
    for answered in [
        json!({"success": true, "result": {"id": "d1"}}),
        json!({"success": true, "result": {"id": "d1", "name": "Ops"}}),
        whole(),
    ] {
        let vendor = Double::start(vec![
            Reply::json(200, answered.clone()),
            Reply::json(200, whole()),
        ])
        .await;
        let gw = gateway_over(dir.path().to_str().unwrap(), "crest", &vendor).await;
        let body = json!({"url": "https://example.com/h", "description": "Ops"});
        let answer = send(gw.addr, "POST", BASE, &[], Some(&body)).await;
        let made = answer.json();
        assert_eq!(answer.status, 201, "{answered}: {made}");
        assert_eq!(made["id"], "d1", "{made}");
        assert_eq!(made["url"], "https://example.com/h", "{answered}: {made}");
        assert_eq!(made["description"], "Ops", "{answered}: {made}");
        assert_eq!(
            made["created_at"], "2024-01-02T03:04:05Z",
            "{answered}: {made}"
        );
        let seen = vendor.seen();
        assert_eq!(seen.len(), 2, "{answered}: {seen:?}");
        assert_eq!(
            (seen[1].method.as_str(), seen[1].path.as_str()),
            ("GET", "/v4/accounts/acc1/hooks/d1")
        );
        gw.stop().await;
    }
}

/// A gateway with upstream `crest` of the file in `dir` in front of `vendor`, and a surface of
/// a dialect with a whole replacement (`svix`) in front of it under `/s`.
async fn gateway_with_surface(dir: &tempfile::TempDir, vendor: &Double) -> hookgate::app::Running {
    support::gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.crest]\ndialect = \"crest\"\nbase_url = {:?}\n\
         auth = {{ type = \"none\" }}\n[url_policy]\nallow_private = true\n\
         [surfaces.s]\ndialect = \"svix\"\nupstream = \"crest\"\nprefix = \"/s\"\n",
        dir.path().to_str().unwrap(),
        vendor.url()
    ))
    .await
}

#[tokio::test]
async fn a_declared_read_follows_a_replacement_and_a_composed_update() {
    let composed = crest_with(
        "[operations.replace]\nmethod = \"PUT\"",
        "[operations.update]\nstrategy = \"read_merge_write\"\nmethod = \"PUT\"",
    );
    let id_only = json!({"success": true, "result": {"id": "d1"}});
    let cases = [
        // A replacement (the surface's PUT, whose client's API answers what the change left):
        // the read first, the PUT, then the read after it.
        (
            CREST.to_owned(),
            "PUT",
            "/s/api/v1/app/acc1/endpoint/d1",
            vec!["GET", "PUT", "GET"],
        ),
        // An update composed of a read, a whole PUT and the read after it.
        (
            composed,
            "PATCH",
            "/v1/upstreams/crest/owners/acc1/webhooks/d1",
            vec!["GET", "PUT", "GET"],
        ),
    ];
    for (text, method, path, calls) in cases {
        let dir = mappings(&text);
        let mut script: Vec<Reply> = calls
            .iter()
            .map(|m| match *m {
                "PUT" => Reply::json(200, id_only.clone()),
                _ => Reply::json(200, whole()),
            })
            .collect();
        // The read after it shows the change.
        let mut after = whole();
        after["result"]["name"] = json!("Renamed");
        *script.last_mut().unwrap() = Reply::json(200, after);
        let vendor = Double::start(script).await;
        let gw = gateway_with_surface(&dir, &vendor).await;
        let (body, renamed) = match method {
            "PUT" => (
                json!({"url": "https://example.com/h", "description": "Renamed"}),
                "/description",
            ),
            _ => (json!({"description": "Renamed"}), "/description"),
        };
        let auth = [("authorization", "Bearer t0k3n")];
        let answer = send(gw.addr, method, path, &auth, Some(&body)).await;
        let changed = answer.json();
        assert_eq!(answer.status, 200, "{method}: {changed}");
        assert_eq!(
            changed.pointer(renamed),
            Some(&json!("Renamed")),
            "{method}: {changed}"
        );
        let created = ["/created_at", "/createdAt"]
            .iter()
            .find_map(|p| changed.pointer(p));
        assert_eq!(
            created,
            Some(&json!("2024-01-02T03:04:05Z")),
            "{method}: {changed}"
        );
        let seen: Vec<_> = vendor.seen().iter().map(|s| s.method.clone()).collect();
        assert_eq!(seen, calls, "{method}");
        gw.stop().await;
    }
}

#[tokio::test]
async fn an_answer_holding_the_webhook_is_not_read_again_where_no_read_is_declared() {
    let dir = mappings(&crest_with("then = [\"get\"]\n", ""));
    let vendor = Double::start(vec![Reply::json(200, whole())]).await;
    let gw = gateway_over(dir.path().to_str().unwrap(), "crest", &vendor).await;
    let body = json!({"url": "https://example.com/h"});
    let answer = send(gw.addr, "POST", BASE, &[], Some(&body)).await;
    assert_eq!(answer.status, 201, "{}", answer.json());
    assert_eq!(answer.json()["created_at"], "2024-01-02T03:04:05Z");
    assert_eq!(vendor.seen().len(), 1);
    gw.stop().await;
}

#[test]
fn a_create_whose_answer_can_name_no_id_is_refused_when_the_file_loads() {
    let create = "response = { success = true, result = \"{{webhook}}\" }\nthen = [\"get\"]";
    for answer in [
        "then = [\"get\"]",
        "response = { success = true }\nthen = [\"get\"]",
        "response = { success = true, count = \"{{count}}\" }\nthen = [\"get\"]",
    ] {
        let errors = refused_mapping("crest", &crest_with(create, answer));
        assert!(
            errors
                .iter()
                .any(|e| e.contains("operations.create.response")
                    && e.contains("must place `{{webhook}}`")
                    && e.contains("id")),
            "{answer}: {errors:?}"
        );
    }
    // An answer that holds the webhook elsewhere, named by `accept`, names its id.
    let accepted = crest_with(
        create,
        "response = { success = true }\naccept = [\"$.result\"]\nthen = [\"get\"]",
    );
    hookgate::mapping::compile::compile("crest", std::path::Path::new("crest.toml"), &accepted)
        .unwrap_or_else(|e| panic!("{e:?}"));
}

/// A reply of the vendor, for a plan run without a network.
fn vendor_reply(status: u16, body: Value) -> VendorReply {
    let headers = http::HeaderMap::new();
    VendorReply {
        status: http::StatusCode::from_u16(status).unwrap(),
        headers: (&headers).into(),
        body: Bytes::from(serde_json::to_vec(&body).unwrap()),
    }
}

#[test]
fn no_call_goes_out_naming_an_empty_id() {
    // A dialect whose create's answer says nothing of the webhook, as no file that loads can
    // say: its plan is run over scripted answers.
    let mut d: Dialect =
        hookgate::mapping::compile::compile("crest", std::path::Path::new("crest.toml"), CREST)
            .unwrap();
    let create = d
        .operations
        .iter_mut()
        .find(|e| e.role.action() == Action::Create)
        .unwrap();
    create.item_paths.clear();
    let policy = UrlPolicy::permissive();
    for answered in [
        json!({"success": true}),
        json!({"success": true, "result": {"id": ""}}),
    ] {
        let mut op = Operation::new(Action::Create);
        op.owner = Some("acc1".into());
        op.body = json!({"url": "https://example.com/h"}).as_object().cloned();
        let plan = Plan::new(Context::new(&d, "crest", &policy, None), op);
        let mut sent: Vec<VendorRequest> = Vec::new();
        let done = plan::run_with(plan, |request| {
            sent.push(request);
            Ok(vendor_reply(200, answered.clone()))
        });
        let problem = done.expect_err("a read of no id is refused");
        let paths: Vec<_> = sent.iter().map(|r| r.path.clone()).collect();
        assert_eq!(paths, ["/v4/accounts/acc1/hooks"], "{answered}");
        assert_eq!(problem.code.status(), 502, "{problem:?}");
        assert!(problem.detail.contains("names no id"), "{}", problem.detail);
        assert!(
            problem.detail.contains("the change may have been made"),
            "{}",
            problem.detail
        );
    }
}

#[tokio::test]
async fn a_numeric_error_code_is_read_as_its_decimal_text() {
    let dir = mappings(CREST);
    let failure =
        |code: Value| json!({"success": false, "errors": [{"code": code, "message": "bad"}]});
    let cases = [
        (400, failure(json!(1001)), "1001", "validation_failed"),
        (400, failure(json!("1001")), "1001", "validation_failed"),
        (400, failure(json!(1002)), "1002", "not_found"),
        // A failure flagged in a 200.
        (200, failure(json!(1002)), "1002", "not_found"),
        (422, failure(json!(-7)), "-7", "validation_failed"),
    ];
    for (status, body, code, canonical) in cases {
        let vendor = Double::start(vec![Reply::json(status, body.clone())]).await;
        let gw = gateway_over(dir.path().to_str().unwrap(), "crest", &vendor).await;
        let answer = send(gw.addr, "GET", &format!("{BASE}/d1"), &[], None).await;
        let problem = answer.json();
        assert_eq!(problem["upstream"]["code"], code, "{body}: {problem}");
        assert_eq!(problem["code"], canonical, "{body}: {problem}");
        gw.stop().await;
    }
}

#[test]
fn a_code_table_that_no_code_is_read_for_is_refused() {
    let errors = refused_mapping("crest", &crest_with("code = [\"$.errors[0].code\"]\n", ""));
    assert!(
        errors
            .iter()
            .any(|e| e.contains("errors.codes.1001") && e.contains("can never match")),
        "{errors:?}"
    );
}

#[tokio::test]
async fn a_list_answered_in_part_by_a_header_is_refused_not_cut_short() {
    let dir = mappings(CREST);
    let page = json!({"success": true, "result": [whole()["result"].clone()]});
    let header = |name: &str, value: &str| vec![(name.to_owned(), value.to_owned())];
    let cases = [
        (206, vec![], "206 Partial Content"),
        (
            206,
            header("Next-Range", "]d1..; max=1"),
            "206 Partial Content",
        ),
        (200, header("Next-Range", "]d1..; max=1"), "Next-Range"),
        (200, header("Content-Range", "items 0-0/3"), "Content-Range"),
    ];
    for (status, headers, why) in cases {
        let reply = Reply::Json {
            status,
            headers: headers.clone(),
            body: page.clone(),
        };
        let vendor = Double::start(vec![reply]).await;
        let gw = gateway_over(dir.path().to_str().unwrap(), "crest", &vendor).await;
        let answer = send(gw.addr, "GET", BASE, &[], None).await;
        let problem = answer.json();
        assert_eq!(answer.status, 502, "{headers:?}: {problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(why), "{detail}");
        assert!(detail.contains("pages by a request header"), "{detail}");
        gw.stop().await;
    }
    // A range that is the whole list is the whole list.
    for range in ["items 0-0/1", "id d1..d1; max=200"] {
        let reply = Reply::Json {
            status: 200,
            headers: header("Content-Range", range),
            body: page.clone(),
        };
        let vendor = Double::start(vec![reply]).await;
        let gw = gateway_over(dir.path().to_str().unwrap(), "crest", &vendor).await;
        let answer = send(gw.addr, "GET", BASE, &[], None).await;
        assert_eq!(answer.status, 200, "{range}: {}", answer.json());
        assert_eq!(answer.json()["data"][0]["id"], "d1", "{}", answer.json());
        gw.stop().await;
    }
}
