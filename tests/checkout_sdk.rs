//! checkout-sdk (4.8.1, installed from PyPI into a virtual environment the first time),
//! Checkout.com's Python SDK, a client nobody here wrote, driven by
//! `tests/sdk/checkout_webhooks.py` against `tests/dialects/till.toml`, a vendor spelt as
//! Checkout.com's webhooks of its previous platform: the secret key as the whole
//! `Authorization` header, a list that is a 204 without a body when there is nothing to list,
//! a full update by PUT and a partial one by PATCH, refusals as a list of error codes each
//! standing for a field (`url_invalid`), and a missing webhook as a 404 without a body. Against
//! its emulator, and through its surface in front of an emulator of another vendor. And the
//! gateway against a double answering Checkout's documented bodies.

mod support;

use serde_json::{Map, Value, json};
use support::gateway;

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/sdk/checkout_webhooks.py"
);
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");

async fn drive(base: String) -> Map<String, Value> {
    let python = support::sdk::python_with("checkout-sdk", "4.8.1");
    support::sdk::steps(python, SCRIPT, vec![base]).await
}

/// What every run must show, wherever the webhooks are kept.
fn the_sdk_saw_the_vendors_answers(steps: &Map<String, Value>) {
    // Nothing to list: a 204 without a body, which the SDK reads as no items.
    assert_eq!(steps["none yet"], json!({"status": 204, "ids": []}));
    let made = json!({"url": "https://example.com/webhooks", "active": true,
        "headers": {"authorization": "1234"}, "event_types": ["payment_approved", "payment_pending"]});
    let mut registered = made.clone();
    registered["status"] = json!(201);
    assert_eq!(steps["register"], registered);
    assert_eq!(steps["retrieve"], made);
    let mut patched = made.clone();
    patched["active"] = json!(false);
    assert_eq!(steps["patch"], patched, "a PATCH changes what it names");
    assert_eq!(
        steps["update"],
        json!({"url": "https://example.com/replaced", "active": true,
            "headers": {"authorization": "5678"}, "event_types": ["payment_captured"]}),
        "a PUT replaces the webhook"
    );
    assert_eq!(steps["list"]["status"], 200);
    assert_eq!(steps["list"]["ids"], steps["list"]["made"], "{steps:?}");
    // Refusals as the vendor's codes, each a field and what is wrong with it.
    for (step, code) in [
        ("bad url", "url_invalid"),
        ("no events", "event_types_required"),
    ] {
        assert_eq!(
            steps[step],
            json!({"status": 422, "error_type": "request_invalid", "error_codes": [code]}),
            "{step}"
        );
    }
    // A missing webhook: a 404 without a body.
    assert_eq!(
        steps["missing"],
        json!({"status": 404, "error_type": null, "error_codes": null})
    );
    assert_eq!(steps["none left"], json!({"status": 204, "ids": []}));
}

#[tokio::test]
async fn the_sdk_works_against_the_emulator() {
    let gw = support::gateway_emulating(DIR, "till").await;
    let steps = drive(format!("http://{}", gw.emulators["till"])).await;
    the_sdk_saw_the_vendors_answers(&steps);
    assert!(
        steps["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("wh_") && id.len() == 35),
        "{steps:?}"
    );
    assert_eq!(steps["content_type"], "accepted");
}

#[tokio::test]
async fn the_sdk_works_through_its_surface_in_front_of_another_vendor() {
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.tariff]\ndialect = \"tariff\"\nemulate = true\n\
         [surfaces.till]\ndialect = \"till\"\nupstream = \"tariff\"\nprefix = \"/till\"\n"
    ))
    .await;
    let steps = drive(format!("http://{}/till", gw.addr)).await;
    the_sdk_saw_the_vendors_answers(&steps);
    // A member the vendor behind has no place for is refused in the vendor's shape, its
    // field named by a code as the vendor names its fields.
    assert_eq!(steps["content_type"]["status"], 422);
    assert_eq!(
        steps["content_type"]["error_codes"],
        json!(["content_type_invalid"])
    );
}

/// An answer without a body.
fn bare(status: u16) -> support::Reply {
    support::Reply::Raw {
        status,
        headers: Vec::new(),
        body: String::new(),
    }
}

#[tokio::test]
async fn the_gateway_reads_the_vendors_codes_an_empty_list_and_a_bare_404() {
    let dir = tempfile::tempdir().unwrap();
    let key = support::secret_file(
        dir.path(),
        "key",
        "sk_test_fde517a8-3f01-41ef-b4bd-4282384b0a64",
    );
    let vendor = support::Double::start(vec![
        bare(204),
        support::Reply::json(
            422,
            json!({"request_id": "0HL80RJLS76I7", "error_type": "request_invalid",
                "error_codes": ["url_invalid", "event_types_required", "card_expired"]}),
        ),
        bare(404),
    ])
    .await;
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.till]\ndialect = \"till\"\nbase_url = {:?}\n\
         auth = {{ type = \"header\", name = \"Authorization\", prefix = \"\", token_file = {key:?} }}\n\
         [url_policy]\nallow_private = true\n",
        vendor.url()
    ))
    .await;
    let hooks = "/v1/upstreams/till/webhooks";
    let listed = support::send(gw.addr, "GET", hooks, &[], None).await;
    support::ok(&listed, 200, "a list the vendor answers with 204");
    assert_eq!(listed.json()["data"], json!([]));
    assert_eq!(listed.json()["next_cursor"], Value::Null);

    let body = json!({"url": "https://example.com/hooks", "events": ["payment_approved"]});
    let refused = support::send(gw.addr, "POST", hooks, &[], Some(&body)).await;
    support::ok(&refused, 422, "the vendor's codes");
    let problem = refused.json();
    assert_eq!(problem["code"], "validation_failed");
    // Each code the file knows is its field and message; one it does not is the request's,
    // in the vendor's word, never dropped.
    assert_eq!(
        problem["errors"],
        json!([{"field": "url", "message": "must be a URL"},
            {"field": "events", "message": "is required"},
            {"field": "", "message": "card_expired"}])
    );
    assert_eq!(problem["upstream"]["request_id"], "0HL80RJLS76I7");
    assert_eq!(problem["upstream"]["code"], "request_invalid");

    let missing = support::send(
        gw.addr,
        "GET",
        &format!("{hooks}/wh_387ac7a83a054e37ae140105429d76b5"),
        &[],
        None,
    )
    .await;
    support::ok(&missing, 404, "a 404 without a body");
    assert_eq!(missing.json()["code"], "not_found");

    // The key is the whole header, as the vendor takes it.
    for seen in vendor.seen() {
        assert_eq!(
            seen.headers
                .get("authorization")
                .and_then(|v| v.to_str().ok()),
            Some("sk_test_fde517a8-3f01-41ef-b4bd-4282384b0a64")
        );
    }
}

#[test]
fn codes_and_bodiless_refusals_are_checked_when_the_file_loads() {
    let till = std::fs::read_to_string(format!("{DIR}/till.toml")).unwrap();
    hookgate::mapping::compile::compile("till", std::path::Path::new("till.toml"), &till)
        .unwrap_or_else(|e| panic!("{e:?}"));
    let cases = [
        (
            till.replacen("item = \"{{field}}_invalid\"\n", "", 1),
            "errors.field_errors[0].item: is required by the `codes` form",
        ),
        (
            till.replacen(
                "item = \"{{field}}_invalid\"",
                "item = { code = \"{{field}}\" }",
                1,
            ),
            "errors.field_errors[0].item: must be a string: the code written",
        ),
        (
            till.replacen("form = \"codes\"", "form = \"lists\"", 1),
            "errors.field_errors[0].meanings: only the `codes` form takes it",
        ),
        (
            till.replacen("empty_status = 204", "empty_status = 404", 1),
            "operations.list.empty_status: `404`: expected a success status, 200 to 299",
        ),
        (
            till.replacen(
                "path = \"/webhooks/{id}\"\nresponse = \"{{webhook}}\"",
                "path = \"/webhooks/{id}\"\nempty_status = 204\nresponse = \"{{webhook}}\"",
                1,
            ),
            "operations.get.empty_status: only `list` takes `empty_status`",
        ),
        (
            till.replacen(", prefix = \"\" }", " }", 1),
            "dialect.auth: `Authorization` needs a `prefix`",
        ),
    ];
    for (text, says) in cases {
        assert_ne!(text, till, "{says}");
        let shown = support::refused_mapping("till", &text);
        assert!(shown.iter().any(|e| e.contains(says)), "{says}: {shown:?}");
    }
}

#[tokio::test]
async fn a_surface_whose_vendor_lists_whole_reads_every_page_of_an_upstream_that_pages() {
    // Tariff, spelt as Stripe's endpoints, two to a page unless asked otherwise.
    let dir = support::dialects_with(&[(
        "tariff",
        "query = { limit = \"{{limit}}\"",
        "query = { limit = \"{{limit|2}}\"",
    )]);
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.tariff]\ndialect = \"tariff\"\nemulate = true\n\
         [surfaces.till]\ndialect = \"till\"\nupstream = \"tariff\"\nprefix = \"/till\"\n",
        dir.path()
    ))
    .await;
    let key = [(
        "authorization",
        "sk_test_fde517a8-3f01-41ef-b4bd-4282384b0a64",
    )];
    let mut made = Vec::new();
    for n in 0..5 {
        let body =
            json!({"url": format!("https://example.com/{n}"), "event_types": ["payment_paid"]});
        let hook = support::send(gw.addr, "POST", "/till/webhooks", &key, Some(&body)).await;
        support::ok(&hook, 201, "a webhook made");
        made.push(hook.json()["id"].clone());
    }
    let listed = support::send(gw.addr, "GET", "/till/webhooks", &key, None).await;
    support::ok(&listed, 200, "the whole list");
    let ids: Vec<Value> = listed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].clone())
        .collect();
    assert_eq!(ids, made, "every page of the upstream, in its order");
    // The upstream's own clients still read it two to a page.
    let page = support::send(gw.addr, "GET", "/v1/upstreams/tariff/webhooks", &[], None).await;
    assert_eq!(page.json()["data"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn a_refusal_of_the_request_as_a_whole_reaches_the_client_as_a_code() {
    // A vendor spelt as GitHub's repository hooks refuses a hook that exists already, naming
    // no field.
    let vendor = support::Double::start(vec![support::Reply::json(
        422,
        json!({"message": "Validation Failed", "errors": [{"resource": "Hook", "code": "custom",
            "message": "Hook already exists on this repository"}]}),
    )])
    .await;
    let gw = gateway(&format!(
        "mappings_dir = {DIR:?}\n[upstreams.forge]\ndialect = \"forge\"\nbase_url = {:?}\n\
         auth = {{ type = \"none\" }}\n[surfaces.till]\ndialect = \"till\"\nupstream = \"forge\"\n\
         prefix = \"/till\"\nowner = \"octo/site\"\n[url_policy]\nallow_private = true\n",
        vendor.url()
    ))
    .await;
    let body = json!({"url": "https://example.com/hooks", "event_types": ["push"]});
    let refused = support::send(
        gw.addr,
        "POST",
        "/till/webhooks",
        &[(
            "authorization",
            "sk_test_fde517a8-3f01-41ef-b4bd-4282384b0a64",
        )],
        Some(&body),
    )
    .await;
    support::ok(&refused, 422, "the vendor behind's refusal");
    assert_eq!(
        refused.json()["error_codes"],
        json!(["Hook already exists on this repository"]),
        "{}",
        refused.json()
    );
}
