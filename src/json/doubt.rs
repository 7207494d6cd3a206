//! What a JSON text says that its tree, written again, would not say: a member given twice in
//! one object (the tree keeps the last, another parser the first), and a number the writer
//! would write as another value or kind (a decimal a double holds only rounded, an integer
//! beyond 64 bits, `-0`, which is read as the double `-0.0`) or cannot hold at all (`1e400`,
//! beyond a double's range). Looked for only where a text is acted on: a vendor's webhook read
//! before a change is composed from it, and a body the parser refused.

use super::scan::{Malformed, Scanner, Token};
use std::collections::HashSet;

/// What is doubtful about one member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Doubt {
    /// Given more than once in its object.
    Repeated,
    /// A number, as written, that the writer would write as another value or kind.
    Inexact(String),
    /// A number, as written, beyond a double's range.
    OutOfRange(String),
}

/// A doubtful member and its place: object keys and array indexes from the value read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doubtful {
    /// Keys and indexes, outermost first.
    pub place: Vec<String>,
    /// What is doubtful there.
    pub doubt: Doubt,
}

impl Doubtful {
    /// The place as a dotted name (`webhook_config.api_schema.method`, `events.0`).
    pub fn dotted(&self) -> String {
        self.place.join(".")
    }

    /// What the doubt is, as a refusal says it after the member's name.
    pub fn what(&self) -> String {
        match &self.doubt {
            Doubt::Repeated => "is given more than once".to_owned(),
            Doubt::Inexact(n) => {
                format!("holds the number {n}, which hookgate would write as another")
            }
            Doubt::OutOfRange(n) => {
                format!("holds the number {n}, which is out of range (beyond a double)")
            }
        }
    }
}

/// Every doubtful member of the JSON text `text`, in the order they lie in it.
pub fn doubts(text: &str) -> Result<Vec<Doubtful>, Malformed> {
    let mut scan = Scanner::new(text);
    let mut found = Vec::new();
    value(&mut scan, &mut Vec::new(), &mut found)?;
    scan.end()?;
    Ok(found)
}

/// Reads the value that comes next, noting what is doubtful in it.
fn value(
    scan: &mut Scanner<'_>,
    place: &mut Vec<String>,
    found: &mut Vec<Doubtful>,
) -> Result<(), Malformed> {
    if scan.object()? {
        let mut seen = HashSet::new();
        let mut first = true;
        while let Some(key) = scan.key(first)? {
            first = false;
            let key = key.into_owned();
            place.push(key.clone());
            if !seen.insert(key) {
                let place = place.clone();
                found.push(Doubtful {
                    place,
                    doubt: Doubt::Repeated,
                });
            }
            value(scan, place, found)?;
            place.pop();
        }
        return Ok(());
    }
    if scan.array()? {
        let mut i = 0usize;
        while scan.element(i == 0)? {
            place.push(i.to_string());
            value(scan, place, found)?;
            place.pop();
            i += 1;
        }
        return Ok(());
    }
    if let Token::Other(text) = scan.value()?
        && let Some(doubt) = number(text)
    {
        let place = place.clone();
        found.push(Doubtful { place, doubt });
    }
    Ok(())
}

/// What is doubtful about `text`, where it is a number (anything else is not looked at): it is
/// carried where the writer writes the double serde_json reads it as with the same decimal
/// value, and as an integer where it was written as one. Integers within 64 bits are held as
/// such, save `-0`, which serde_json reads as the double `-0.0`.
pub fn number(text: &str) -> Option<Doubt> {
    if !text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        return None;
    }
    if !text.contains(['.', 'e', 'E']) {
        let held = text.parse::<i64>().is_ok() || text.parse::<u64>().is_ok();
        return (!held || text == "-0").then(|| Doubt::Inexact(text.to_owned()));
    }
    let Ok(double) = serde_json::from_str::<f64>(text) else {
        return Some(Doubt::OutOfRange(text.to_owned()));
    };
    let mut written = Vec::new();
    super::write(&mut written, &double);
    let written = String::from_utf8_lossy(&written);
    (decimal(text) != decimal(&written)).then(|| Doubt::Inexact(text.to_owned()))
}

/// A number's text as its decimal value: the sign, the significant digits, and the power of
/// ten of the last; zero as no digits.
fn decimal(text: &str) -> (bool, String, i64) {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.trim_start_matches('+').parse::<i64>().unwrap_or(0)),
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: String = whole.chars().chain(fraction.chars()).collect();
    let leading = digits.trim_start_matches('0');
    let significant = leading.trim_end_matches('0');
    if significant.is_empty() {
        return (negative, String::new(), 0);
    }
    let trailing = (leading.len() - significant.len()) as i64;
    let power = exponent
        .saturating_sub(fraction.len() as i64)
        .saturating_add(trailing);
    (negative, significant.to_owned(), power)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_repeated_members_and_numbers_written_as_others_where_they_lie() {
        let text = r#"{"a": {"m": "POST", "m": "PUT"}, "n": [1, 1.5, 1.00000000000000000000001],
            "z": -0, "e": 1e2, "E": 1E400, "big": 12345678901234567890123, "k": 1, "k": {"x": 0.1}}"#;
        let found: Vec<(String, Doubt)> = doubts(text)
            .unwrap()
            .into_iter()
            .map(|d| (d.dotted(), d.doubt))
            .collect();
        let inexact = |n: &str| Doubt::Inexact(n.to_owned());
        assert_eq!(
            found,
            [
                ("a.m".to_owned(), Doubt::Repeated),
                ("n.2".to_owned(), inexact("1.00000000000000000000001")),
                ("z".to_owned(), inexact("-0")),
                ("E".to_owned(), Doubt::OutOfRange("1E400".to_owned())),
                ("big".to_owned(), inexact("12345678901234567890123")),
                ("k".to_owned(), Doubt::Repeated),
            ]
        );
    }

    #[test]
    fn a_number_the_writer_writes_with_its_value_and_kind_is_carried() {
        // serde_json reads `-0` as a double, to keep its sign: it goes back as `-0.0`.
        let zero: serde_json::Value = serde_json::from_str("-0").unwrap();
        assert_eq!(zero.to_string(), "-0.0");
        for carried in [
            "0",
            "-1",
            "18446744073709551615",
            "-9223372036854775808",
            "0.1",
            "1.50",
            "1e2",
            "1E+2",
            "-0.0",
            "0.0",
            "1e30",
            "1.7861287000149973e+21",
            "5e-324",
            "0e999",
        ] {
            assert_eq!(number(carried), None, "{carried}");
        }
        for other in [
            "-0",
            "18446744073709551616",
            "1.00000000000000000000001",
            "0.30000000000000001",
            "1e-400",
            "123456789012345678901234.5",
        ] {
            assert_eq!(number(other), Some(Doubt::Inexact(other.into())), "{other}");
        }
        for beyond in ["1e400", "-1.5e309"] {
            assert_eq!(number(beyond), Some(Doubt::OutOfRange(beyond.into())));
        }
    }
}
