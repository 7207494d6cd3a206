//! Arbitrary text as a mapping file: the compiler answers with a dialect or with
//! `MappingError`s, never a panic. A dialect it accepts is then put through what `hookgate check`
//! and a vendor surface do with it: its examples round-tripped, read, parsed and written back,
//! and every problem code rendered in its error shape.

#![no_main]

use hookgate::frontend::vendor::problem_response;
use hookgate::mapping::Dialect;
use hookgate::model::Action;
use hookgate::problem::{Code, FieldError, Problem};
use hookgate_fuzz::body_bytes;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let dialect = match Dialect::compile("fuzzed", Path::new("fuzzed.toml"), text) {
        Ok(d) => d,
        Err(errors) => {
            assert!(!errors.is_empty(), "a refusal names at least one problem");
            return;
        }
    };
    let _ = hookgate::examples::round_trip_all(std::iter::once(&dialect));
    for example in &dialect.examples {
        // An example no rule can read (a value its field cannot be) is refused, not a panic.
        let Ok(canonical) = dialect.webhook.read(example) else {
            continue;
        };
        let _ = dialect.webhook.render(&canonical);
        let _ = dialect.test_result.read(example);
        for kind in [Action::Create, Action::Update] {
            let _ = dialect.webhook.check(kind, example);
            if let Ok(parsed) = dialect.webhook.parse(kind, example)
                && let Ok(written) = dialect.webhook.write(kind, &parsed, true)
            {
                let _ = dialect.webhook.check(kind, &written.body);
            }
            let _ = dialect.webhook.write_all(kind, &canonical);
        }
    }
    for code in Code::ALL {
        let mut problem = Problem::with_errors(code, vec![FieldError::new("url", "is invalid")]);
        problem.allow = Some("GET".into());
        let body = body_bytes(problem_response(&dialect, &problem, "req-1", "create"));
        serde_json::from_slice::<serde_json::Value>(&body).expect("an error body is JSON");
    }
});
