//! Member names as a parser that ignores letter case reads them (Go's `encoding/json` matches
//! a member to a field so): whether two names are one to it, and whether a document names a
//! member more than once on the way to a place, which such a parser, or one that keeps the
//! first of repeated members where serde_json keeps the last, may read otherwise than
//! hookgate does.

use super::scan::{Malformed, Scanner};

/// One step of a way into a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Along<'p> {
    /// An object's member, its name in any letter case.
    Key(&'p str),
    /// An array's item, by index from 0.
    Index(usize),
    /// Every item of an array.
    Each,
}

/// Whether two member names are one to a parser that ignores letter case as Go's does: each
/// character's lower case, with the long `ſ` read as `s` (the Kelvin sign's lower case is
/// `k` already).
pub fn same(a: &str, b: &str) -> bool {
    a == b || folded(a) == folded(b)
}

fn folded(name: &str) -> Vec<char> {
    name.chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ſ' { 's' } else { c })
        .collect()
}

/// The first member on any of `ways` into the document `bytes` that its object names more
/// than once, names compared as [`same`] compares them (`data` twice, `data` beside `DATA`):
/// its place, as the document spells its names, with item numbers (`data.1.secret`). `None`
/// where each member on the way comes once; [`Malformed`] for a text that is no JSON document.
pub fn repeated_along(bytes: &[u8], ways: &[Vec<Along<'_>>]) -> Result<Option<String>, Malformed> {
    let text = std::str::from_utf8(bytes).map_err(|_| Malformed)?;
    let mut scan = Scanner::new(text);
    let ways: Vec<&[Along<'_>]> = ways.iter().map(Vec::as_slice).collect();
    let mut at = Vec::new();
    let found = walk(&mut scan, &ways, &mut at)?;
    if found.is_none() {
        scan.end()?;
    }
    Ok(found)
}

/// Reads the value that comes next, which `ways` go on into (`at`: where it lies).
fn walk(
    scan: &mut Scanner<'_>,
    ways: &[&[Along<'_>]],
    at: &mut Vec<String>,
) -> Result<Option<String>, Malformed> {
    let ways: Vec<&[Along<'_>]> = ways.iter().copied().filter(|w| !w.is_empty()).collect();
    if ways.is_empty() {
        scan.skip()?;
        return Ok(None);
    }
    if scan.object()? {
        // The names on the way met in this object, folded.
        let mut met: Vec<Vec<char>> = Vec::new();
        let mut first = true;
        while let Some(name) = scan.key(first)? {
            first = false;
            let below: Vec<&[Along<'_>]> = ways
                .iter()
                .filter_map(|w| match w[0] {
                    Along::Key(key) if same(key, &name) => Some(&w[1..]),
                    _ => None,
                })
                .collect();
            if below.is_empty() {
                scan.skip()?;
                continue;
            }
            at.push(name.clone().into_owned());
            let name = folded(&name);
            if met.contains(&name) {
                return Ok(Some(at.join(".")));
            }
            met.push(name);
            if let Some(found) = walk(scan, &below, at)? {
                return Ok(Some(found));
            }
            at.pop();
        }
        return Ok(None);
    }
    if scan.array()? {
        let mut n = 0;
        while scan.element(n == 0)? {
            let below: Vec<&[Along<'_>]> = ways
                .iter()
                .filter_map(|w| match w[0] {
                    Along::Each => Some(&w[1..]),
                    Along::Index(i) if i == n => Some(&w[1..]),
                    _ => None,
                })
                .collect();
            at.push(n.to_string());
            if let Some(found) = walk(scan, &below, at)? {
                return Ok(Some(found));
            }
            at.pop();
            n += 1;
        }
        return Ok(None);
    }
    scan.skip()?;
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repeated(text: &str, ways: &[&[Along<'_>]]) -> Option<String> {
        let ways: Vec<Vec<Along<'_>>> = ways.iter().map(|w| w.to_vec()).collect();
        repeated_along(text.as_bytes(), &ways).unwrap()
    }

    #[test]
    fn names_compare_as_a_case_blind_parser_compares_them() {
        for (a, b) in [
            ("webhook_secret", "WEBHOOK_SECRET"),
            ("webhook_secret", "Webhook_Secret"),
            ("key", "\u{212a}ey"),
            ("secret", "\u{17f}ecret"),
        ] {
            assert!(same(a, b), "{a} {b}");
        }
        assert!(!same("secret", "secrets"));
    }

    #[test]
    fn a_member_repeated_on_the_way_is_found_in_any_letter_case() {
        use Along::{Each, Key};
        let one: &[Along<'_>] = &[Key("data"), Key("secret")];
        let items: &[Along<'_>] = &[Key("data"), Each, Key("secret")];
        for (text, ways, found) in [
            (r#"{"data":{"secret":"s"},"data":{}}"#, one, Some("data")),
            (r#"{"data":{"secret":"s"},"DATA":{}}"#, one, Some("DATA")),
            (
                r#"{"data":{"secret":"s","Secret":1}}"#,
                one,
                Some("data.Secret"),
            ),
            (r#"{"d\u0061ta":{},"data":{}}"#, one, Some("data")),
            (
                r#"{"data":[{},{"secret":1,"secret":2}]}"#,
                items,
                Some("data.1.secret"),
            ),
            (r#"{"data":{"secret":"s"},"meta":1,"meta":2}"#, one, None),
            (
                r#"{"data":{"secret":"s","other":{"secret":1,"secret":2}}}"#,
                one,
                None,
            ),
            (r#"{"data":[{"secret":1},{"secret":2}]}"#, items, None),
            (r#"{"data":"text","data2":1}"#, one, None),
        ] {
            assert_eq!(repeated(text, &[ways]).as_deref(), found, "{text}");
        }
        assert_eq!(
            repeated_along(b"{\"data\":", &[one.to_vec()]),
            Err(Malformed)
        );
    }
}
