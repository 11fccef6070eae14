//! Publication dates as news sources write them.
//!
//! Feeds, meta tags and datasets write dates in many forms; a store needs one.
//! A date-time is kept with its UTC offset; a bare day stays a day rather than
//! pretending to know the hour. A date-time without an offset is taken as UTC,
//! the convention of wire services and of most CMS exports.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// When an article was published: an instant with its offset, or a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Published {
    Instant(DateTime<FixedOffset>),
    Day(NaiveDate),
}

const NAIVE_DATE_TIME_FORMATS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    // Reuters-21578: 26-FEB-1987 15:01:01.79
    "%d-%b-%Y %H:%M:%S%.f",
];
const DATE_TIME_FORMATS: &[&str] = &["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z"];
const DATE_FORMATS: &[&str] = &["%Y-%m-%d", "%Y/%m/%d", "%d %B %Y", "%B %d, %Y", "%d-%b-%Y"];

/// The months' names in English, lower-cased, January first.
pub const MONTH_NAMES: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The years a date may name: what RFC 3339 can write. A year 0 or a
/// negative one (`-0001-01-01`) is a template's placeholder, not a date.
const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

impl Published {
    /// Parses the date forms found in feeds, meta tags and datasets; `None`
    /// for anything else, and for a year outside 1 to 9999.
    pub fn parse(raw: &str) -> Option<Published> {
        Self::parse_any(raw).filter(|p| YEARS.contains(&chrono::Datelike::year(&p.day())))
    }

    /// The date at the start of `raw` when junk follows it, as in
    /// `27-MAR-1987 00:02:59.13&#5;&#5;RM`: the longest run of leading words
    /// (cut before the first character no date form uses) that parses.
    pub fn parse_prefix(raw: &str) -> Option<Published> {
        let end = raw
            .find(|c: char| !(c.is_alphanumeric() || " :.,/+-".contains(c)))
            .unwrap_or(raw.len());
        let mut head = raw[..end].trim();
        loop {
            if let Some(p) = Self::parse(head) {
                return Some(p);
            }
            head = head.rsplit_once([' ', '.'])?.0.trim_end();
        }
    }

    fn parse_any(raw: &str) -> Option<Published> {
        let s = raw.trim();
        if s.is_empty() {
            return None;
        }
        if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
            return Some(Published::Instant(dt));
        }
        if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
            return Some(Published::Instant(dt));
        }
        for f in DATE_TIME_FORMATS {
            if let Ok(dt) = DateTime::parse_from_str(s, f) {
                return Some(Published::Instant(dt));
            }
        }
        let upper_month = title_case_months(s);
        for f in NAIVE_DATE_TIME_FORMATS {
            if let Ok(ndt) = NaiveDateTime::parse_from_str(&upper_month, f) {
                return Some(Published::Instant(ndt.and_utc().fixed_offset()));
            }
        }
        for f in DATE_FORMATS {
            if let Ok(d) = NaiveDate::parse_from_str(&upper_month, f) {
                return Some(Published::Day(d));
            }
        }
        None
    }

    /// The instant used for ordering and time gaps: a day counts from its noon
    /// UTC, so that it sits in the middle of every time zone's version of it.
    pub fn instant_utc(&self) -> DateTime<Utc> {
        match self {
            Published::Instant(dt) => dt.with_timezone(&Utc),
            Published::Day(d) => d.and_hms_opt(12, 0, 0).expect("noon exists").and_utc(),
        }
    }

    /// The calendar day in the article's own time zone.
    pub fn day(&self) -> NaiveDate {
        match self {
            Published::Instant(dt) => dt.date_naive(),
            Published::Day(d) => *d,
        }
    }

    /// The calendar day as days since 1970-01-01, for cheap day gaps.
    pub fn day_number(&self) -> i32 {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
        (self.day() - epoch).num_days() as i32
    }

    /// A key that sorts chronologically as a string (UTC, RFC 3339).
    pub fn sort_key(&self) -> String {
        self.instant_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }
}

/// chrono's `%b` wants "Feb", Reuters writes "FEB".
fn title_case_months(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_alpha = false;
    for c in s.chars() {
        if c.is_ascii_alphabetic() {
            if prev_alpha {
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c.to_ascii_uppercase());
            }
            prev_alpha = true;
        } else {
            out.push(c);
            prev_alpha = false;
        }
    }
    out
}

impl fmt::Display for Published {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Published::Instant(dt) => write!(f, "{}", dt.to_rfc3339()),
            Published::Day(d) => write!(f, "{}", d.format("%Y-%m-%d")),
        }
    }
}

impl Serialize for Published {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Published {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Published::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("not a date: {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_years_are_no_date() {
        assert_eq!(Published::parse("-0001-01-01"), None);
        assert_eq!(Published::parse("0000-01-01"), None);
        assert!(Published::parse("0001-01-01").is_some());
    }

    #[test]
    fn a_date_with_junk_after_it_is_recovered() {
        let p = Published::parse_prefix("27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM").unwrap();
        assert_eq!(p.to_string(), "1987-03-27T00:02:59.130+00:00");
        assert_eq!(
            Published::parse_prefix("2023-06-25 (updated)").unwrap(),
            Published::Day(NaiveDate::from_ymd_opt(2023, 6, 25).unwrap())
        );
        assert_eq!(Published::parse_prefix("sometime soon"), None);
        assert_eq!(Published::parse_prefix(""), None);
    }

    #[test]
    fn parses_the_forms_news_uses() {
        let cases = [
            ("2023-06-26T10:15:00+03:00", "2023-06-26T10:15:00+03:00"),
            ("Mon, 26 Jun 2023 10:15:00 GMT", "2023-06-26T10:15:00+00:00"),
            ("2023-06-26 10:15:00", "2023-06-26T10:15:00+00:00"),
            ("26-FEB-1987 15:01:01.79", "1987-02-26T15:01:01.790+00:00"),
            ("2023-06-26", "2023-06-26"),
            ("June 26, 2023", "2023-06-26"),
        ];
        for (raw, want) in cases {
            let p = Published::parse(raw).unwrap_or_else(|| panic!("{raw} did not parse"));
            assert_eq!(p.to_string(), want, "{raw}");
        }
        assert_eq!(Published::parse("soon"), None);
        assert_eq!(Published::parse(""), None);
    }

    #[test]
    fn round_trips_through_json() {
        for raw in ["2023-06-26T10:15:00+03:00", "2023-06-26"] {
            let p = Published::parse(raw).unwrap();
            let json = serde_json::to_string(&p).unwrap();
            let back: Published = serde_json::from_str(&json).unwrap();
            assert_eq!(p, back);
        }
    }

    #[test]
    fn sort_keys_order_chronologically_across_offsets() {
        let a = Published::parse("2023-06-26T01:00:00+03:00").unwrap();
        let b = Published::parse("2023-06-25T23:30:00+00:00").unwrap();
        assert!(a.sort_key() < b.sort_key());
    }
}
