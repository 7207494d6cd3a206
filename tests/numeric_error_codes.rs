//! A vendor whose error codes are integers (`[errors] code_type = "integer"`): its emulators
//! and surfaces write `{{code}}` as a JSON number, whether the code is the one the file names
//! for the failure, its general one, or the code a vendor of the same dialect behind a surface
//! answered; a `codes` form writes each field error's code as a number too. A file that says
//! its codes are integers and names one that is not, or none for `bad_request`, is refused.
//! Fixtures: `tests/dialects/ward.toml` (PagerDuty's `{"error": {"code": 2001, …}}`) and
//! `tests/dialects/till.toml` (a `codes` form), edited to number their codes.

mod support;

use serde_json::{Value, json};
use support::{gateway_emulating, ok, send, send_raw};

const WARD_AUTH: (&str, &str) = ("authorization", "Token token=t0ken");
const TILL_AUTH: (&str, &str) = ("authorization", "sk_t0ken");

/// Ward with integer codes, each of its renders writing `{{code}}`.
const WARD_EDITS: &[(&str, &str, &str)] = &[
    ("ward", "[errors]\n", "[errors]\ncode_type = \"integer\"\n"),
    (
        "ward",
        "\"2100\" = \"not_found\"\n",
        "\"2100\" = \"not_found\"\n\"2000\" = \"bad_request\"\n\"2006\" = \"unauthorized\"\n",
    ),
    ("ward", "code = 2100 }", "code = \"{{code}}\" }"),
    ("ward", "code = 2006 }", "code = \"{{code}}\" }"),
    ("ward", "code = 2000 }", "code = \"{{code}}\" }"),
    (
        "ward",
        "message = \"Invalid Input Provided\", code = 2001,",
        "message = \"Invalid Input Provided\", code = \"{{code}}\",",
    ),
];

/// Till with integer codes in its `codes` form of field errors and in `errors.codes`.
const TILL_EDITS: &[(&str, &str, &str)] = &[
    ("till", "[errors]\n", "[errors]\ncode_type = \"integer\"\n"),
    ("till", "url_required = ", "\"1001\" = "),
    ("till", "url_invalid = ", "\"1002\" = "),
    ("till", "event_types_required = ", "\"1003\" = "),
    ("till", "event_types_invalid = ", "\"1004\" = "),
    ("till", "content_type_invalid = ", "\"1005\" = "),
    ("till", "item = \"{{field}}_invalid\"", "item = \"1000\""),
    (
        "till",
        "request_invalid = \"validation_failed\"",
        "\"4000\" = \"validation_failed\"\n\"4001\" = \"bad_request\"",
    ),
    (
        "till",
        "error_type = \"request_invalid\"",
        "error_type = \"{{code}}\"",
    ),
];

fn error_code(a: &support::Answer) -> Value {
    a.json()["error"]["code"].clone()
}

#[tokio::test]
async fn an_emulator_writes_each_failures_code_as_a_number() {
    let dir = support::dialects_with(WARD_EDITS);
    let gw = gateway_emulating(dir.path().to_str().unwrap(), "ward").await;
    let emu = gw.emulators["ward"];
    let missing = send(
        emu,
        "GET",
        "/webhook_subscriptions/PABCDEF",
        &[WARD_AUTH],
        None,
    )
    .await;
    ok(&missing, 404, "an unknown subscription");
    assert_eq!(error_code(&missing), json!(2100), "{}", missing.json());
    let refused = send(emu, "GET", "/webhook_subscriptions/PABCDEF", &[], None).await;
    ok(&refused, 401, "no credential");
    assert_eq!(error_code(&refused), json!(2006), "{}", refused.json());
    let invalid = send(
        emu,
        "POST",
        "/webhook_subscriptions",
        &[WARD_AUTH],
        Some(&json!({"webhook_subscription": {"type": "webhook_subscription"}})),
    )
    .await;
    ok(&invalid, 400, "a subscription without its members");
    assert_eq!(error_code(&invalid), json!(2001), "{}", invalid.json());
    // A failure the file names no code for (a method the vendor does not serve) is written
    // with its code for `bad_request`, a number as the others.
    let unserved = send(emu, "PATCH", "/webhook_subscriptions", &[WARD_AUTH], None).await;
    assert_eq!(error_code(&unserved), json!(2000), "{}", unserved.json());
    gw.stop().await;
}

#[tokio::test]
async fn a_surface_writes_its_codes_as_numbers_in_front_of_another_dialect() {
    let dir = support::dialects_with(WARD_EDITS);
    let svix = concat!(env!("CARGO_MANIFEST_DIR"), "/mappings/svix.toml");
    std::fs::copy(svix, dir.path().join("svix.toml")).unwrap();
    let gw = support::gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.svix]\ndialect = \"svix\"\nemulate = true\n\
         [surfaces.w]\ndialect = \"ward\"\nupstream = \"svix\"\nprefix = \"/w\"\n\
         owner = \"app_1\"\n",
        dir.path().to_str().unwrap()
    ))
    .await;
    let path = "/w/webhook_subscriptions/PABCDEF";
    let missing = send(gw.addr, "GET", path, &[WARD_AUTH], None).await;
    ok(&missing, 404, "an unknown subscription behind the surface");
    assert_eq!(error_code(&missing), json!(2100), "{}", missing.json());
    let refused = send(gw.addr, "GET", path, &[], None).await;
    assert_eq!(error_code(&refused), json!(2006), "{}", refused.json());
    let unreadable = send_raw(
        gw.addr,
        "PUT",
        path,
        &[WARD_AUTH, ("content-type", "application/json")],
        bytes::Bytes::from_static(b"[1]"),
    )
    .await;
    assert!(error_code(&unreadable).is_i64(), "{}", unreadable.json());
    gw.stop().await;
}

#[tokio::test]
async fn a_codes_form_writes_each_field_errors_code_as_a_number() {
    let dir = support::dialects_with(TILL_EDITS);
    let gw = gateway_emulating(dir.path().to_str().unwrap(), "till").await;
    let emu = gw.emulators["till"];
    let a = send(
        emu,
        "POST",
        "/webhooks",
        &[TILL_AUTH],
        Some(&json!({"content_type": "json"})),
    )
    .await;
    ok(&a, 422, "a webhook without a URL or event types");
    let body = a.json();
    assert_eq!(body["error_type"], json!(4000), "{body}");
    let codes = body["error_codes"].as_array().expect("codes").clone();
    assert!(codes.contains(&json!(1001)), "{body}");
    assert!(codes.contains(&json!(1003)), "{body}");
    assert!(codes.iter().all(Value::is_i64), "{body}");
    gw.stop().await;
}

#[test]
fn a_file_whose_integer_codes_are_not_integers_is_refused() {
    let ward = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/dialects/ward.toml"
    ))
    .unwrap();
    let numbered = ward.replacen("[errors]\n", "[errors]\ncode_type = \"integer\"\n", 1);
    let cases = [
        ("\"2100\" = \"not_found\"", "invalid_input = \"not_found\""),
        ("\"2100\" = \"not_found\"", "\"02100\" = \"not_found\""),
        ("\"2100\" = \"not_found\"", "\"+2100\" = \"not_found\""),
    ];
    for (from, to) in cases {
        let text = numbered.replacen(from, to, 1).replacen(
            "\"2001\" = \"validation_failed\"",
            "\"2001\" = \"validation_failed\"\n\"2000\" = \"bad_request\"",
            1,
        );
        let errors = support::refused_mapping("ward", &text).join("\n");
        let code = to.split(" = ").next().unwrap().trim_matches('"');
        assert!(
            errors.contains(&format!("`{code}` is no integer")),
            "{to}: {errors}"
        );
    }
    // Without a code for `bad_request`, a failure no other code says would be written in
    // capitals where a number is read.
    let errors = support::refused_mapping("ward", &numbered).join("\n");
    assert!(errors.contains("bad_request"), "{errors}");
    // Said so, with one for it, the file loads.
    let whole = numbered.replacen(
        "\"2100\" = \"not_found\"",
        "\"2100\" = \"not_found\"\n\"2000\" = \"bad_request\"",
        1,
    );
    hookgate::mapping::compile::compile("ward", std::path::Path::new("ward.toml"), &whole)
        .expect("integer codes with one for bad_request load");
}
