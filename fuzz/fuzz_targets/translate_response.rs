//! Arbitrary bytes as a vendor's answer, read for every operation of each shipped dialect under
//! success and failure statuses, as the gateway does: a webhook, list or test result in canonical
//! form, or the vendor's error envelope translated into a problem. The canonical webhook read
//! back is then written whole again, as a read-merge-write update does. As JSON, the same bytes
//! are also a vendor request body on a drop-in surface, parsed into canonical terms.

#![no_main]

use hookgate::canonical::{self, OpKind};
use hookgate_fuzz::{Answer, dialects, parse_answer, read_answer};
use libfuzzer_sys::fuzz_target;

/// Failure statuses whose canonical codes differ; a failure is read the same for every
/// operation, so these are tried on one.
const FAILURES: [u16; 6] = [400, 404, 409, 422, 429, 503];

fuzz_target!(|data: &[u8]| {
    let parsed = parse_answer(data);
    for d in dialects() {
        let successes = d.operations.iter().map(|spec| (spec, 200));
        let get = d
            .operation(OpKind::Get)
            .expect("every dialect reads a webhook");
        let failures = FAILURES.into_iter().map(|status| (get, status));
        for (spec, status) in successes.chain(failures) {
            match read_answer(d, spec, status, data, parsed.as_ref()) {
                Answer::Webhooks(webhooks) => {
                    for webhook in &webhooks {
                        let _ = d.webhook.write_all(OpKind::Update, webhook);
                        serde_json::to_vec(webhook).expect("a webhook serialises");
                    }
                }
                Answer::TestResult(result) => {
                    serde_json::to_vec(&result).expect("a test result serialises");
                }
                Answer::Malformed => {}
                Answer::Failed(problem) => {
                    assert!(
                        (400..600).contains(&problem.status()),
                        "a vendor failure is an error status"
                    );
                    serde_json::to_vec(&problem.to_json("req-1")).expect("a problem serialises");
                }
            }
        }
        if let Ok(body) = hookgate::http::json::from_slice(data) {
            for kind in [OpKind::Create, OpKind::Update] {
                let _ = d.webhook.check(kind, &body);
                if let Ok(parsed) = d.webhook.parse(kind, &body) {
                    let _ = canonical::check_body(kind, &parsed);
                }
            }
        }
    }
});
