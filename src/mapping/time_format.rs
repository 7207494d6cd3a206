//! A vendor's own way of writing a time (`codec = { time = "…" }`): a `time` crate format
//! description, read into the canonical RFC 3339 UTC and written back from it.
//!
//! A time names an instant only with its zone. A format must therefore write an offset
//! (`[offset_hour]`), say in a literal that it writes UTC (`Z`, `UTC`), or have the file say
//! that the vendor writes UTC without saying so (`zone = "UTC"`, which the vendor's docs must
//! say): one that says none of these is refused when the file loads, rather than its times read
//! in a zone made up for them.

use time::format_description::well_known::Rfc3339;
use time::format_description::{Component, OwnedFormatItem};
use time::{Duration, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// The instant a format is tried on when the file loads: each of its parts differs from the
/// others, so a format that drops or confuses one cannot read it back.
const SAMPLE: &str = "2001-02-03T04:05:06Z";

/// A vendor's time format, as the file writes it and compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeFormat {
    /// The description as the file gives it, for messages.
    pub written: String,
    items: OwnedFormatItem,
    /// Whether the format writes an offset; without one, its times are in UTC.
    offset: bool,
}

impl TimeFormat {
    /// Compiles `written`, refusing a description that does not parse, one that writes no
    /// zone where the file names none (`utc`: the vendor's times are in UTC, unsaid), one that
    /// writes a zone where the file names one too, and one that cannot write and read back a
    /// whole date and time.
    pub fn new(written: &str, utc: bool) -> Result<TimeFormat, String> {
        let items = time::format_description::parse_owned::<2>(written)
            .map_err(|e| format!("`time`: `{written}` is no time format: {e}"))?;
        let offset = has_offset(&items);
        let said = offset || says_utc(&items);
        if utc && said {
            return Err(format!(
                "`time`: `{written}` writes its zone, so `zone = \"UTC\"` says nothing: leave it out"
            ));
        }
        if !said && !utc {
            return Err(format!(
                "`time`: `{written}` writes no zone: give `[offset_hour]`, or a literal `Z` or `UTC` where the vendor writes its times in UTC; where its docs say its times are in UTC though they do not say so (`2026-01-10 10:00:00`), say `zone = \"UTC\"` beside `time`; a time of no known zone names no instant, so keep it as it is written, as an extension (`[fields.\"extensions.NAME\"]` without a codec)"
            ));
        }
        let format = TimeFormat {
            written: written.to_owned(),
            items,
            offset,
        };
        let sample = OffsetDateTime::parse(SAMPLE, &Rfc3339).map_err(|e| e.to_string())?;
        let Ok(text) = sample.format(&format.items) else {
            return Err(format!(
                "`time`: `{written}` cannot write a date and time (`{SAMPLE}`)"
            ));
        };
        if format.read(&text).as_deref() != Some(SAMPLE) {
            return Err(format!(
                "`time`: `{written}` does not write a whole date and time (`{SAMPLE}` is written `{text}`, which does not read back as it)"
            ));
        }
        Ok(format)
    }

    /// The vendor's `text` as a canonical time (RFC 3339, UTC); `None` where the format does
    /// not read it.
    pub fn read(&self, text: &str) -> Option<String> {
        let time = if self.offset {
            OffsetDateTime::parse(text, &self.items).ok()?
        } else {
            PrimitiveDateTime::parse(text, &self.items)
                .ok()?
                .assume_utc()
        };
        let utc = time.checked_to_offset(UtcOffset::UTC)?;
        utc.format(&Rfc3339).ok()
    }

    /// The canonical time `canonical` written in the format, in UTC, as a request sends it.
    /// Refused where it is no RFC 3339 date-time, and where the format would write another
    /// instant (a fraction of a second the format does not keep): changed, it would say what
    /// the client did not.
    pub fn write(&self, canonical: &str) -> Result<String, String> {
        let time = instant(canonical, true)?;
        let (text, written) = self.written(time)?;
        if written != time {
            return Err(format!(
                "must be a time that `{}` writes whole (it keeps no finer part)",
                self.written
            ));
        }
        Ok(text)
    }

    /// The canonical time `canonical` written in the format, in UTC, as the vendor answers
    /// it: a fraction of a second the format does not keep is cut (the time floored to what
    /// it keeps), as the vendor's own API shows the instant and as its clients read it.
    /// Refused where it is no RFC 3339 date-time, and where the format would write anything
    /// but the instant less that fraction.
    pub fn show(&self, canonical: &str) -> Result<String, String> {
        let time = instant(canonical, false)?;
        let (text, written) = self.written(time)?;
        let cut = time - written;
        if cut.is_negative() || cut >= Duration::SECOND {
            return Err(format!("cannot be written `{}`", self.written));
        }
        Ok(text)
    }

    /// `time` written in the format, with the instant that text reads back as.
    fn written(&self, time: OffsetDateTime) -> Result<(String, OffsetDateTime), String> {
        let unwritten = || format!("cannot be written `{}`", self.written);
        let text = time.format(&self.items).map_err(|_| unwritten())?;
        let back = self
            .read(&text)
            .and_then(|back| OffsetDateTime::parse(&back, &Rfc3339).ok())
            .ok_or_else(unwritten)?;
        Ok((text, back))
    }
}

/// The instant a canonical time names, in UTC ([`parsed`]); refused where its year in UTC is
/// past 9999 (`9999-12-31T23:59:59-01:00`), which no format writes, in words of its own.
fn instant(canonical: &str, sent: bool) -> Result<OffsetDateTime, String> {
    parsed(canonical, sent)?
        .checked_to_offset(UtcOffset::UTC)
        .ok_or_else(|| PAST_9999.to_owned())
}

/// Why a time whose year in UTC is past 9999 is refused.
pub(crate) const PAST_9999: &str = "falls in a year past 9999 in UTC, which cannot be written";

/// A canonical time as the instant it names; refused where it is no RFC 3339 date-time. A
/// leap second (`23:59:60`) is read as the last instant before the next second, as the parser
/// reads it: in an answer (`sent` false) it is shown cut to the second before, as any finer
/// time is; sent by a client (`sent`), it is refused as what it is, which no vendor's clock
/// writes, rather than as finer than the vendor keeps.
pub(crate) fn parsed(canonical: &str, sent: bool) -> Result<OffsetDateTime, String> {
    let time = OffsetDateTime::parse(canonical, &Rfc3339)
        .map_err(|_| "must be an RFC 3339 date-time".to_owned())?;
    if sent && canonical.get(17..19) == Some("60") {
        return Err(
            "is a leap second (`:60`), which no vendor writes: give the second before or after it"
                .to_owned(),
        );
    }
    Ok(time)
}

/// Whether `item` writes an offset anywhere in it.
fn has_offset(item: &OwnedFormatItem) -> bool {
    match item {
        OwnedFormatItem::Component(
            Component::OffsetHour(_) | Component::OffsetMinute(_) | Component::OffsetSecond(_),
        ) => true,
        OwnedFormatItem::Compound(items) | OwnedFormatItem::First(items) => {
            items.iter().any(has_offset)
        }
        OwnedFormatItem::Optional(item) => has_offset(item),
        _ => false,
    }
}

/// Whether `item` writes, outside any optional part, a literal naming UTC (`Z`, `UTC`).
fn says_utc(item: &OwnedFormatItem) -> bool {
    match item {
        OwnedFormatItem::StringLiteral(text) => text.contains('Z') || text.contains("UTC"),
        OwnedFormatItem::Compound(items) => items.iter().any(says_utc),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: &str = "[year]-[month]-[day] [hour]:[minute]:[second] [offset_hour sign:mandatory][offset_minute] UTC";

    #[test]
    fn an_offset_is_read_as_the_same_instant_in_utc_and_written_as_utc() {
        let format = TimeFormat::new(SQUARE, false).unwrap();
        for (text, utc) in [
            ("2022-01-10 23:29:48 +0000 UTC", "2022-01-10T23:29:48Z"),
            ("2022-01-10 18:29:48 -0500 UTC", "2022-01-10T23:29:48Z"),
            ("2022-01-11 01:59:48 +0230 UTC", "2022-01-10T23:29:48Z"),
        ] {
            assert_eq!(format.read(text).as_deref(), Some(utc), "{text}");
        }
        assert_eq!(
            format.write("2022-01-10T18:29:48-05:00").unwrap(),
            "2022-01-10 23:29:48 +0000 UTC"
        );
    }

    #[test]
    fn a_literal_zone_reads_the_time_in_utc() {
        let format =
            TimeFormat::new("[day]/[month]/[year] [hour]:[minute]:[second]Z", false).unwrap();
        assert_eq!(
            format.read("03/02/2001 04:05:06Z").as_deref(),
            Some("2001-02-03T04:05:06Z")
        );
        assert_eq!(
            format.write("2001-02-03T04:05:06Z").unwrap(),
            "03/02/2001 04:05:06Z"
        );
    }

    #[test]
    fn a_time_finer_than_the_format_keeps_or_no_time_is_refused() {
        let format = TimeFormat::new(SQUARE, false).unwrap();
        assert!(format.write("2022-01-10T23:29:48.5Z").is_err());
        assert!(format.write("yesterday").is_err());
        assert!(format.show("yesterday").is_err());
        for text in ["2022-01-10T23:29:48Z", "2022-01-10 23:29:48 UTC", ""] {
            assert_eq!(format.read(text), None, "{text}");
        }
    }

    #[test]
    fn a_leap_second_and_a_year_past_9999_are_refused_in_words_of_their_own() {
        let format = TimeFormat::new(SQUARE, false).unwrap();
        let zoneless =
            TimeFormat::new("[year]-[month]-[day] [hour]:[minute]:[second]", true).unwrap();
        for f in [&format, &zoneless] {
            for leap in ["2016-12-31T23:59:60Z", "2016-12-31t23:59:60z"] {
                let refused = f.write(leap).unwrap_err();
                assert!(refused.contains("leap second"), "{leap}: {refused}");
            }
            let refused = f.write("9999-12-31T23:59:59-01:00").unwrap_err();
            assert!(refused.contains("past 9999"), "{refused}");
            assert!(f.write("9999-12-31T23:59:59+01:00").is_ok());
            assert_eq!(
                f.write("2022-01-10T23:29:48.5Z").unwrap_err(),
                format!(
                    "must be a time that `{}` writes whole (it keeps no finer part)",
                    f.written
                )
            );
        }
        for none in ["yesterday", "2022-01-10T23:29Z", "2022-02-30T00:00:00Z"] {
            assert_eq!(
                parsed(none, true).unwrap_err(),
                "must be an RFC 3339 date-time"
            );
        }
    }

    #[test]
    fn a_time_finer_than_the_format_keeps_is_shown_cut() {
        let format = TimeFormat::new(SQUARE, false).unwrap();
        for canonical in [
            "2022-01-10T23:29:48.5Z",
            "2022-01-10T23:29:48.999Z",
            "2022-01-10T23:29:48.000001Z",
            "2022-01-10T23:29:48.999999999Z",
            "2022-01-10T18:29:48.75-05:00",
            "2022-01-11T01:59:48.1+02:30",
        ] {
            assert_eq!(
                format.show(canonical).unwrap(),
                "2022-01-10 23:29:48 +0000 UTC",
                "{canonical}"
            );
        }
        let unsaid = TimeFormat::new("[year]-[month]-[day] [hour]:[minute]:[second]", true);
        assert_eq!(
            unsaid.unwrap().show("1999-12-31T23:59:59.9Z").unwrap(),
            "1999-12-31 23:59:59"
        );
    }

    #[test]
    fn a_format_without_a_zone_or_a_whole_time_is_refused() {
        for (written, said) in [
            (
                "[year]-[month]-[day] [hour]:[minute]:[second]",
                "writes no zone",
            ),
            (
                "[year]-[month]-[day] [hour]:[minute] Z",
                "does not write a whole",
            ),
            ("[year]-[month]-[day]Z", "does not write a whole"),
            ("[year]-[mnth]-[day]Z", "is no time format"),
            (
                "[year]-[month]-[day] [hour]:[minute]:[second][optional [Z]]",
                "writes no zone",
            ),
        ] {
            let e = TimeFormat::new(written, false).unwrap_err();
            assert!(e.contains(said), "{written}: {e}");
        }
    }

    #[test]
    fn a_format_without_a_zone_is_refused_saying_what_to_do_instead() {
        let e = TimeFormat::new("[year]-[month]-[day] [hour]:[minute]:[second]", false);
        let e = e.unwrap_err();
        assert!(e.contains("give `[offset_hour]`"), "{e}");
        assert!(e.contains("zone = \"UTC\""), "{e}");
        assert!(e.contains("as an extension"), "{e}");
    }

    #[test]
    fn a_zone_the_file_names_reads_and_writes_times_in_utc_unsaid() {
        let format = TimeFormat::new("[year]-[month]-[day] [hour]:[minute]:[second]", true);
        let format = format.unwrap();
        assert_eq!(
            format.read("2026-01-10 10:00:00").as_deref(),
            Some("2026-01-10T10:00:00Z")
        );
        assert_eq!(
            format.write("2026-01-10T12:00:00+02:00").unwrap(),
            "2026-01-10 10:00:00"
        );
        assert_eq!(format.read("2026-01-10 10:00:00Z"), None);
        assert_eq!(format.read("2026-01-10T10:00:00Z"), None);
    }

    #[test]
    fn a_zone_the_file_names_beside_a_format_that_writes_one_is_refused() {
        for written in [SQUARE, "[year]-[month]-[day]T[hour]:[minute]:[second]Z"] {
            let e = TimeFormat::new(written, true).unwrap_err();
            assert!(e.contains("writes its zone"), "{written}: {e}");
        }
    }
}
