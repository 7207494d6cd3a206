//! Arbitrary bytes as a vendor's answer, read by the gateway's own plan for every operation of
//! each shipped dialect under success and failure statuses: a webhook, list or test result in
//! canonical form, or the vendor's error envelope translated into a problem. As JSON, the same
//! bytes are also a vendor request body on a drop-in surface, parsed into canonical terms.

#![no_main]

use hookgate::model::{self, Action};
use hookgate_fuzz::{creatable, dialects, operation, reply, run};
use libfuzzer_sys::fuzz_target;

/// Failure statuses whose canonical codes differ.
const STATUSES: [u16; 8] = [200, 201, 204, 400, 404, 409, 422, 503];

fuzz_target!(|data: &[u8]| {
    for d in dialects() {
        for endpoint in &d.operations {
            let action = endpoint.role.action();
            let body = match action {
                Action::Create => Some(creatable(d)),
                Action::Update => Some(serde_json::Map::new()),
                _ => None,
            };
            for status in STATUSES {
                let op = operation(d, action, body.clone());
                let (_, done) = run(d, op, |_| reply(status, data.to_vec()));
                match done {
                    Ok(done) => {
                        serde_json::to_vec(&format!("{:?}", done.outcome))
                            .expect("an outcome serialises");
                    }
                    Err(problem) => {
                        assert!(
                            (400..600).contains(&problem.status()),
                            "a failure is an error status"
                        );
                        serde_json::to_vec(&problem.to_json("req-1"))
                            .expect("a problem serialises");
                    }
                }
            }
        }
        if let Ok(body) = hookgate::json::from_slice(data) {
            for action in [Action::Create, Action::Update] {
                let _ = d.webhook.check(action, &body);
                if let Ok(parsed) = d.webhook.parse(action, &body) {
                    let _ = model::check_body(action, &parsed);
                }
            }
        }
    }
});
