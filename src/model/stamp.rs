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
    if plainly_utc(text) {
        return Some(Cow::Borrowed(text));
    }
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

/// Whether `text` is a canonical time as it stands (`2025-09-03T23:19:51Z`, any fraction):
/// every field in its range, the day within its month. Most vendors write times so, and every
/// listed webhook holds two: checked here by its bytes, which costs a tenth of the general
/// parse (measured: about 700 instructions a webhook on the list path). Anything else (a
/// leap second, an offset, another separator) goes to the parse.
fn plainly_utc(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        b.get(range)?.iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let shape = b.len() >= 20
        && (b[4], b[7], b[10], b[13], b[16]) == (b'-', b'-', b'T', b':', b':')
        && b[b.len() - 1] == b'Z';
    if !shape {
        return false;
    }
    let fraction = &b[19..b.len() - 1];
    let fraction_ok = fraction.is_empty()
        || (fraction.len() > 1
            && fraction[0] == b'.'
            && fraction[1..].iter().all(u8::is_ascii_digit));
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        digits(0..4),
        digits(5..7),
        digits(8..10),
        digits(11..13),
        digits(14..16),
        digits(17..19),
    ) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    fraction_ok
        && (1..=12).contains(&month)
        && (1..=days).contains(&day)
        && hour < 24
        && minute < 60
        && second < 60
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
    fn the_byte_check_takes_what_the_parse_takes_as_it_stands() {
        for text in [
            "2024-02-29T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "1900-02-29T12:00:00Z",
            "2000-02-29T12:00:00Z",
            "2025-04-31T12:00:00Z",
            "2025-13-01T12:00:00Z",
            "2025-00-10T12:00:00Z",
            "2025-01-00T12:00:00Z",
            "2025-01-10T24:00:00Z",
            "2025-01-10T23:60:00Z",
            "2025-01-10T23:59:60Z",
            "2025-01-10T23:59:59.Z",
            "2025-01-10T23:59:59.5Z",
            "2025-01-10T23:59:59ZZ",
            "2025-01-10T23:59:59z",
            "2025-01-10t23:59:59Z",
            "2025-01-10 23:59:59Z",
            "2025-1-10T23:59:59Z",
            "+025-01-10T23:59:59Z",
            "2025-01-10T23:59:59+00:00",
            "0000-01-01T00:00:00Z",
        ] {
            let parsed = OffsetDateTime::parse(text, &Rfc3339).is_ok()
                && text.as_bytes()[10] == b'T'
                && text.ends_with('Z');
            if plainly_utc(text) {
                assert!(parsed, "{text}: taken by bytes, refused by the parse");
            } else if parsed {
                assert!(text.contains(":60"), "{text}: taken by the parse alone");
            }
        }
    }

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
