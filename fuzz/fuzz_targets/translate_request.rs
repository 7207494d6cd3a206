//! Arbitrary JSON as a canonical request body, translated to each shipped dialect's request for
//! create and update (merge and replace, strict and lenient), as the gateway does before calling
//! the vendor; and as a canonical webhook rendered in each dialect's shape, as a vendor surface
//! answers. Refusals are fine; a panic, or a body that does not serialise, is not.

#![no_main]

use hookgate::http::json;
use hookgate_fuzz::{create_request, current_webhook, dialects, update_request};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    // The canonical API parses request bodies strictly and takes only objects.
    let Ok(Value::Object(body)) = json::from_slice(data) else {
        return;
    };
    for d in dialects() {
        let current = current_webhook(d);
        for lenient in [false, true] {
            if let Some(sent) = create_request(d, &body, lenient) {
                serde_json::to_vec(&sent).expect("a create body serialises");
            }
            for replace_objects in [false, true] {
                if let Some(sent) = update_request(d, &current, &body, lenient, replace_objects) {
                    serde_json::to_vec(&sent).expect("an update body serialises");
                }
            }
        }
        let rendered = d.webhook.render(&body);
        serde_json::to_vec(&rendered).expect("a rendered webhook serialises");
        let _ = d.test_result.render(&body);
    }
});
