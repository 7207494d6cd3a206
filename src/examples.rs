//! Round-trip checks of the example bodies a mapping file ships: dialect → canonical → dialect
//! must give back the example, so a rule that loses or bends a field is caught at load.

use crate::mapping::Dialect;
use serde_json::Value;

/// Every example of every dialect that does not survive the round trip, described.
pub fn round_trip_all<'a>(dialects: impl Iterator<Item = &'a Dialect>) -> Vec<String> {
    let mut problems = Vec::new();
    for dialect in dialects {
        for (i, example) in dialect.examples.iter().enumerate() {
            let canonical = match dialect.webhook.read(example) {
                Ok(canonical) => canonical,
                Err(misread) => {
                    problems.push(format!(
                        "  - {}: examples[{i}]: cannot be read: {misread}",
                        dialect.name
                    ));
                    continue;
                }
            };
            let back = dialect.webhook.render(&canonical);
            match back {
                Ok(back) if &back == example => {}
                Ok(back) => problems.push(format!(
                    "  - {}: examples[{i}]: became {} after a round trip through {}",
                    dialect.name,
                    back,
                    Value::Object(canonical)
                )),
                Err(refused) => problems.push(format!(
                    "  - {}: examples[{i}]: cannot be rendered back: {}",
                    dialect.name,
                    crate::problem::summarise(&refused)
                )),
            }
        }
    }
    problems
}
