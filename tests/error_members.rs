//! A vendor whose field errors are a map of fields (the `lists` and `strings` forms) may keep
//! other members in the same object: its message (Sentry's `{"detail": "Not found"}`, its
//! field errors at the root), its code, its request id, a status or a flag. A member read as
//! the message, code or request id is not a field error, nor is one that holds no message;
//! an object holds the errors of its own members. Over test-local copies of
//! `tests/dialects/lab.toml` whose errors are spelt so, and a scripted vendor on loopback.

mod support;

use serde_json::{Value, json};
use support::{Double, Reply, dialects_with, gateway_over, send};

const ERRORS: &str = "message = [\"$.message\", \"$.error\"]\nfield_errors = [{ path = \"$.message\", form = \"lists\" }]";

/// The problem the gateway answers for a create the vendor refuses with `status` and `body`,
/// where lab's errors are spelt `errors`.
async fn refused(errors: &'static str, status: u16, body: Value) -> Value {
    let dir = dialects_with(&[("lab", ERRORS, errors)]);
    let vendor = Double::start(vec![Reply::json(status, body)]).await;
    let gw = gateway_over(dir.path().to_str().unwrap(), "lab", &vendor).await;
    let answer = send(
        gw.addr,
        "POST",
        "/v1/upstreams/lab/owners/3/webhooks",
        &[],
        Some(&json!({"url": "https://example.com/hook", "events": ["push_events"]})),
    )
    .await;
    let mut problem = answer.json();
    problem["status"] = json!(answer.status);
    problem
}

/// The field errors of a problem, none where it has none.
fn field_errors(problem: &Value) -> Value {
    problem.get("errors").cloned().unwrap_or(json!([]))
}

/// Sentry's: the message at `$.detail`, field errors at the root.
const ROOT: &str = "message = [\"$.detail\"]\nfield_errors = [{ path = \"$\", form = \"lists\" }]";

#[tokio::test]
async fn a_member_read_as_the_message_is_no_field_error() {
    let problem = refused(ROOT, 404, json!({"detail": "Not found"})).await;
    assert_eq!(problem["status"], 404, "{problem}");
    assert_eq!(problem["code"], "not_found", "{problem}");
    assert_eq!(problem["detail"], "Not found", "{problem}");
    assert_eq!(field_errors(&problem), json!([]), "{problem}");
    // Beside field errors, the message is the vendor's and the fields are the errors.
    let problem = refused(
        ROOT,
        400,
        json!({"detail": "Invalid input", "url": ["Enter a valid URL."]}),
    )
    .await;
    assert_eq!(problem["code"], "validation_failed", "{problem}");
    assert_eq!(
        field_errors(&problem),
        json!([{"field": "url", "message": "Enter a valid URL."}]),
        "{problem}"
    );
    assert_eq!(problem["upstream"]["message"], "Invalid input", "{problem}");
}

#[tokio::test]
async fn members_read_as_the_message_code_or_request_id_at_any_place_are_no_field_errors() {
    // The message, code and request id at other places of the root's map: in an object of
    // its own, and beside the fields.
    const AT: &str = "message = [\"$.error.message\", \"$.detail\"]\ncode = [\"$.error.code\", \"$.code\"]\nrequest_id = [\"$.request_id\"]\nfield_errors = [{ path = \"$\", form = \"lists\" }]";
    let problem = refused(
        AT,
        400,
        json!({"error": {"message": "Bad hook", "code": "invalid"}, "request_id": "req_1",
            "url": ["Enter a valid URL."]}),
    )
    .await;
    assert_eq!(
        field_errors(&problem),
        json!([{"field": "url", "message": "Enter a valid URL."}]),
        "{problem}"
    );
    assert_eq!(problem["upstream"]["message"], "Bad hook", "{problem}");
    assert_eq!(problem["upstream"]["code"], "invalid", "{problem}");
    assert_eq!(problem["upstream"]["request_id"], "req_1", "{problem}");
    // The second place of each, and a code that is a number.
    let problem = refused(
        AT,
        404,
        json!({"detail": "No such hook", "code": 404, "request_id": "req_2"}),
    )
    .await;
    assert_eq!(problem["code"], "not_found", "{problem}");
    assert_eq!(problem["detail"], "No such hook", "{problem}");
    assert_eq!(field_errors(&problem), json!([]), "{problem}");
    assert_eq!(problem["upstream"]["code"], "404", "{problem}");
    // A map of strings one of whose members is the message.
    const INSIDE: &str = "message = [\"$.errors.message\"]\nfield_errors = [{ path = \"$.errors\", form = \"strings\" }]";
    let problem = refused(
        INSIDE,
        422,
        json!({"errors": {"message": "The hook is invalid", "url": "is not a URL"}}),
    )
    .await;
    assert_eq!(
        field_errors(&problem),
        json!([{"field": "url", "message": "is not a URL"}]),
        "{problem}"
    );
    assert_eq!(problem["upstream"]["message"], "The hook is invalid");
}

#[tokio::test]
async fn a_member_at_a_message_place_that_holds_no_message_is_still_a_field_error() {
    // `detail` is where the message is, but here it is a list: no message was read there,
    // and the vendor's field of that name is not lost.
    let problem = refused(
        ROOT,
        400,
        json!({"detail": ["Ensure this field has no more than 200 characters."]}),
    )
    .await;
    assert_eq!(
        field_errors(&problem),
        json!([{"field": "extensions.detail",
            "message": "Ensure this field has no more than 200 characters."}]),
        "{problem}"
    );
}

#[tokio::test]
async fn a_member_that_holds_no_message_is_no_field_error() {
    let problem = refused(
        ROOT,
        400,
        json!({"url": ["Enter a valid URL."], "status": 400, "retryable": false, "hint": null,
            "codes": [1001, 1002], "events": [], "description": "is too long"}),
    )
    .await;
    assert_eq!(
        field_errors(&problem),
        json!([{"field": "url", "message": "Enter a valid URL."},
            {"field": "description", "message": "is too long"}]),
        "{problem}"
    );
    // The same of the `strings` form.
    const STRINGS: &str =
        "message = [\"$.detail\"]\nfield_errors = [{ path = \"$\", form = \"strings\" }]";
    let problem = refused(
        STRINGS,
        400,
        json!({"url": "Enter a valid URL.", "status": 400, "ok": false, "retry_in": 1.5}),
    )
    .await;
    assert_eq!(
        field_errors(&problem),
        json!([{"field": "url", "message": "Enter a valid URL."}]),
        "{problem}"
    );
}

#[tokio::test]
async fn an_object_holds_the_errors_of_its_members() {
    let problem = refused(
        ROOT,
        400,
        json!({"options": {"depth": ["Ensure this value is at most 3."], "": ["Options are invalid."]},
            "meta": {"status": 400}}),
    )
    .await;
    assert_eq!(
        field_errors(&problem),
        json!([{"field": "extensions.options.depth", "message": "Ensure this value is at most 3."},
            {"field": "extensions.options", "message": "Options are invalid."}]),
        "{problem}"
    );
}
