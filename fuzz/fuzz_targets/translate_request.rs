//! Arbitrary JSON as a canonical request body, carried out by the gateway's own plan at each
//! shipped dialect for create and update (a merge patch, a vendor's partial update and its full
//! replacement, strict and lenient), the vendor answering with its documented webhook; and as a
//! canonical webhook rendered in each dialect's shape, as a vendor surface answers. Refusals are
//! fine; a panic, or a vendor body that does not serialise, is not.

#![no_main]

use hookgate::json;
use hookgate::model::{Action, UpdateMode};
use hookgate_fuzz::{dialects, example_reply, operation, run, scripted};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    // The canonical API parses request bodies strictly and takes only objects.
    let Ok(Value::Object(body)) = json::from_slice(data) else {
        return;
    };
    for d in dialects() {
        for lenient in [false, true] {
            let mut ops = vec![operation(d, Action::Create, Some(body.clone()))];
            for mode in [UpdateMode::Merge, UpdateMode::Members, UpdateMode::Replace] {
                let mut op = operation(d, Action::Update, Some(body.clone()));
                op.mode = mode;
                ops.push(op);
            }
            for mut op in ops {
                op.lenient = lenient;
                let (sent, _) = run(d, op, scripted(d, example_reply(d)));
                for request in sent {
                    serde_json::to_vec(&request.body).expect("a vendor body serialises");
                }
            }
        }
        if let Ok(rendered) = d.webhook.render(&body) {
            serde_json::to_vec(&rendered).expect("a rendered webhook serialises");
        }
        let _ = d.test_result.render(&body);
    }
});
