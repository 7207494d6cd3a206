//! The canonical times (`created_at`, `updated_at`, a test's `sent_at`): RFC 3339 in UTC,
//! whatever offset the vendor wrote them with. A vendor's time is the same instant in the
//! canonical spelling, never one made up: a time without a zone names no instant, and is
//! refused rather than given one.

use std::borrow::Cow;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// `text` as a canonical time: as it is where it is one already (`T`, then `Z`), else the
/// same instant in UTC, its fractional seconds as given (`2025-09-03T16:19:51.5-07:00` is
/// `2025-09-03T23:19:51.5Z`); `None` where it is no RFC 3339 date-time (no zone, a date alone,
/// another separator than `T`, `t` or a space, a year the conversion takes outside 0000 to 9999).
pub fn in_utc(text: &str) -> Option<Cow<'_, str>> {
    // Where the date ends: RFC 3339 writes `T`, or (its note) `t` or a space; the parser
    // takes any byte.
    let separator = *text.as_bytes().get(10)?;
    if !matches!(separator, b'T' | b't' | b' ') {
        return None;
    }
    let time = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    if separator == b'T' && text.ends_with('Z') {
        return Some(Cow::Borrowed(text));
    }
    Some(Cow::Owned(utc_text(text, time)?))
}

/// The instant `time`, read from `text`, written in UTC with `text`'s fractional seconds.
#[cold]
fn utc_text(text: &str, time: OffsetDateTime) -> Option<String> {
    let utc = time.checked_to_offset(UtcOffset::UTC)?;
    if !(0..=9999).contains(&utc.year()) {
        return None;
    }
    // `hh:mm:ss` ends at byte 19; the fraction, where there is one, is `.` and digits.
    let rest = &text[19..];
    let digits = rest[1..].bytes().take_while(u8::is_ascii_digit).count();
    let fraction = if rest.starts_with('.') {
        &rest[..=digits]
    } else {
        ""
    };
    // A leap second (`23:59:60`) is read as the last instant before the next minute: written
    // so, it would lose the second it names.
    let second = if &text[17..19] == "60" {
        60
    } else {
        utc.second()
    };
    Some(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{second:02}{fraction}Z",
        utc.year(),
        u8::from(utc.month()),
        utc.day(),
        utc.hour(),
        utc.minute(),
    ))
}

/// `text`, a canonical time, written with six fractional digits (`…:51Z` is `…:51.000000Z`),
/// as a vendor that writes microseconds writes it; as it is where it holds six or more.
pub fn with_micros(text: &str) -> Cow<'_, str> {
    let Some(body) = text.strip_suffix('Z').filter(|b| b.len() >= 19) else {
        return Cow::Borrowed(text);
    };
    let (whole, fraction) = body.split_at(19);
    let digits = fraction.strip_prefix('.').unwrap_or(fraction);
    if digits.len() >= 6 {
        return Cow::Borrowed(text);
    }
    Cow::Owned(format!("{whole}.{digits:0<6}Z"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_utc_time_is_borrowed_as_it_is() {
        for text in [
            "2025-09-03T23:19:51Z",
            "2025-09-03T23:19:51.000000Z",
            "2025-09-03T23:19:51.123456789Z",
        ] {
            assert!(matches!(in_utc(text), Some(Cow::Borrowed(t)) if t == text));
        }
    }

    #[test]
    fn an_offset_or_a_lower_case_is_the_same_instant_in_utc() {
        for (text, utc) in [
            ("2025-09-03T16:19:51-07:00", "2025-09-03T23:19:51Z"),
            ("2025-09-04T01:49:51+02:30", "2025-09-03T23:19:51Z"),
            ("2025-09-03T23:19:51+00:00", "2025-09-03T23:19:51Z"),
            ("2025-09-03T23:19:51-00:00", "2025-09-03T23:19:51Z"),
            ("2025-09-03T16:19:51.5-07:00", "2025-09-03T23:19:51.5Z"),
            (
                "2025-09-03T16:19:51.500000-07:00",
                "2025-09-03T23:19:51.500000Z",
            ),
            ("2025-09-03t23:19:51z", "2025-09-03T23:19:51Z"),
            ("2025-09-03 23:19:51Z", "2025-09-03T23:19:51Z"),
            ("2025-12-31T23:30:00-01:00", "2026-01-01T00:30:00Z"),
            ("2016-12-31T15:59:60-08:00", "2016-12-31T23:59:60Z"),
        ] {
            assert_eq!(in_utc(text).as_deref(), Some(utc), "{text}");
        }
    }

    #[test]
    fn a_time_without_a_zone_or_no_time_is_none() {
        for text in [
            "2025-09-03 23:19:51",
            "2025-09-03T23:19:51",
            "2025-09-03T23:19:51.5",
            "2025-09-03",
            "2025-09-03X23:19:51Z",
            "2025-09-03T23:19Z",
            "2025-13-03T23:19:51Z",
            "2025-09-03T23:19:51 Z",
            "2025-09-03T23:19:51+0700",
            "2025-09-03T23:19:51Z trailing",
            "1756941591",
            "yesterday",
            "",
            "0000-01-01T00:30:00+01:00",
        ] {
            assert_eq!(in_utc(text), None, "{text}");
        }
    }

    #[test]
    fn micros_pad_a_shorter_fraction_and_keep_a_longer_one() {
        for (text, micros) in [
            ("2025-09-03T23:19:51Z", "2025-09-03T23:19:51.000000Z"),
            ("2025-09-03T23:19:51.5Z", "2025-09-03T23:19:51.500000Z"),
            ("2025-09-03T23:19:51.123456Z", "2025-09-03T23:19:51.123456Z"),
            (
                "2025-09-03T23:19:51.123456789Z",
                "2025-09-03T23:19:51.123456789Z",
            ),
        ] {
            assert_eq!(with_micros(text), micros, "{text}");
        }
    }
}
