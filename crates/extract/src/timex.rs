//! Temporal expressions: found in text and normalised to TIMEX3 types and
//! ISO-8601 values against the publication date.
//!
//! Rules in the HeidelTime tradition, for news: calendar dates ("June 24",
//! "24 June 2023", "2023-06-24"), months and years, weekdays ("late on
//! Friday", "Saturday morning", resolved to the most recent such day up to
//! the publication date, as reports of past events use them), deictic words
//! ("yesterday", "last week", "this year"), anaphoric ones ("later that
//! day", resolved against the last date the text named: the narrative
//! reference time), and durations ("two days", "five year"). Offsets are
//! character offsets into the text.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timex {
    pub text: String,
    pub start: usize,
    pub end: usize,
    /// DATE, TIME or DURATION.
    #[serde(rename = "type")]
    pub kind: String,
    /// ISO-8601 (TIMEX3): "2023-06-24", "2023-06-24TMO", "2023-W25", "P2D", "PRESENT_REF".
    pub value: String,
}

const MONTHS: &str = r"(?:jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?|aug(?:ust|\.)?|sep(?:t(?:ember|\.)?|\.)?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?)";
const WEEKDAYS: &str = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)";
const NUMBER_WORDS: &str = r"(?:\d+(?:\.\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?|thirty|forty|fifty|sixty|hundred|several|few)";

struct Rules {
    all: Regex,
}

/// One alternation, longest forms first; each branch is a named group.
fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| {
        let pattern = format!(
            r"(?ix)(?-u:\b)(?:
            (?P<iso>\d{{4}}-\d{{2}}-\d{{2}})
          | (?P<mdy>{m}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?)
          | (?P<dmy>\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{m}(?:,?\s+\d{{4}})?)
          | (?P<my>{m}\s+\d{{4}})
          | (?P<wday>(?:(?:late|early)\s+(?:on\s+)?)?{w}(?:\s+(?:morning|afternoon|evening|night))?)
          | (?P<quarter>(?:the\s+)?(?:first|second|third|fourth|1st|2nd|3rd|4th)[\s-]quarter|the\s+(?:latest\s+|current\s+|recent\s+)?quarter)
          | (?P<span>the\s+(?:fiscal\s+)?year|the\s+week(?:end)?|this\s+(?:summer|spring|autumn|fall|winter))
          | (?P<vague>recent\s+(?:years|months|weeks|days)|the\s+past|the\s+future|formerly)
          | (?P<adjdur>(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty)-(?:year|month|week|day|hour))
          | (?P<that>later\s+that\s+day|earlier\s+that\s+day|that\s+day|the\s+same\s+day|the\s+next\s+day|the\s+following\s+day|the\s+day\s+before)
          | (?P<deictic>yesterday|today|tomorrow|tonight|this\s+(?:morning|afternoon|evening|week|month|year)|(?:last|next|this|past)\s+(?:week|month|year)|a\s+year\s+ago|recently)
          | (?P<duration>(?:the\s+(?:past|last|next)\s+)?{n}\s+(?:years?|months?|weeks?|days?|hours?|minutes?|decades?)(?:\s+ago)?)
          | (?P<month>(?:early\s+|late\s+|mid-?|last\s+)?{m})
          | (?P<year>(?:19|20)\d{{2}})
        )(?-u:\b)",
            m = MONTHS,
            w = WEEKDAYS,
            n = NUMBER_WORDS
        );
        Rules {
            all: Regex::new(&pattern).expect("the time rules compile"),
        }
    })
}

fn month_number(word: &str) -> Option<u32> {
    let w = word.to_lowercase();
    let names = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    names.iter().position(|n| w.starts_with(n)).map(|i| i as u32 + 1)
}

fn number_value(word: &str) -> Option<f64> {
    let w = word.to_lowercase().replace('-', " ");
    if let Ok(n) = w.parse::<f64>() {
        return Some(n);
    }
    let units = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    if let Some(i) = units.iter().position(|u| *u == w) {
        return Some(i as f64);
    }
    match w.as_str() {
        "a" | "an" => Some(1.0),
        "thirty" => Some(30.0),
        "forty" => Some(40.0),
        "fifty" => Some(50.0),
        "sixty" => Some(60.0),
        "hundred" => Some(100.0),
        _ => {
            let rest = w.strip_prefix("twenty")?.trim();
            if rest.is_empty() {
                return Some(20.0);
            }
            units.iter().position(|u| *u == rest).map(|i| 20.0 + i as f64)
        }
    }
}

fn weekday(word: &str) -> Option<Weekday> {
    let w = word.to_lowercase();
    [
        ("monday", Weekday::Mon),
        ("tuesday", Weekday::Tue),
        ("wednesday", Weekday::Wed),
        ("thursday", Weekday::Thu),
        ("friday", Weekday::Fri),
        ("saturday", Weekday::Sat),
        ("sunday", Weekday::Sun),
    ]
    .into_iter()
    .find(|(n, _)| w.contains(n))
    .map(|(_, d)| d)
}

/// The most recent `day` on or before `reference`.
fn last_weekday(reference: NaiveDate, day: Weekday) -> NaiveDate {
    let back = (reference.weekday().num_days_from_monday() + 7 - day.num_days_from_monday()) % 7;
    reference - Duration::days(i64::from(back))
}

fn part_of_day(text: &str) -> Option<&'static str> {
    let t = text.to_lowercase();
    [
        ("morning", "MO"),
        ("afternoon", "AF"),
        ("evening", "EV"),
        ("night", "NI"),
    ]
    .into_iter()
    .find(|(w, _)| t.contains(w))
    .map(|(_, c)| c)
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The type and value of one match, and the date it names (for anaphora).
fn normalise(
    group: &str,
    text: &str,
    published: Option<NaiveDate>,
    reference: Option<NaiveDate>,
) -> Option<(&'static str, String, Option<NaiveDate>)> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let year_in = |ws: &[&str]| ws.iter().find_map(|w| w.parse::<i32>().ok().filter(|y| *y > 999));
    match group {
        "iso" => {
            let d = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
            Some(("DATE", iso(d), Some(d)))
        }
        "mdy" | "dmy" => {
            let month = words
                .iter()
                .find_map(|w| month_number(w).filter(|_| w.parse::<u32>().is_err()))?;
            let day = words.iter().find_map(|w| {
                w.trim_end_matches(|c: char| c.is_alphabetic())
                    .parse::<u32>()
                    .ok()
                    .filter(|d| *d <= 31)
            })?;
            let (d, explicit) = match year_in(&words) {
                Some(y) => (NaiveDate::from_ymd_opt(y, month, day)?, true),
                None => (NaiveDate::from_ymd_opt(published?.year(), month, day)?, false),
            };
            // Without a year, a date months after publication is last year's.
            let d = match published {
                Some(p) if !explicit && d > p + Duration::days(90) => {
                    NaiveDate::from_ymd_opt(d.year() - 1, month, day)?
                }
                _ => d,
            };
            Some(("DATE", iso(d), Some(d)))
        }
        "my" => {
            let month = month_number(words.first()?)?;
            let year = year_in(&words)?;
            Some(("DATE", format!("{year:04}-{month:02}"), None))
        }
        "month" => {
            let month = month_number(words.last()?)?;
            // "may" alone is far more often the verb; a month written in
            // lower case is a word ("a march of justice").
            let month_word = text.split_whitespace().last().unwrap_or("");
            if lower == "may"
                || lower.ends_with('.') && lower.len() <= 4
                || month_word.starts_with(char::is_lowercase)
            {
                return None;
            }
            let p = published?;
            // A month named after the publication month is usually last year's.
            let year = if month > p.month() + 2 || lower.starts_with("last") {
                p.year() - 1
            } else {
                p.year()
            };
            Some(("DATE", format!("{year:04}-{month:02}"), None))
        }
        "year" => Some(("DATE", text.to_string(), None)),
        "quarter" => {
            let p = published?;
            let current = (p.month0() / 3 + 1) as i32;
            let n = ["first", "second", "third", "fourth", "1st", "2nd", "3rd", "4th"]
                .iter()
                .position(|w| lower.contains(w))
                .map(|i| (i % 4) as i32 + 1);
            let (year, q) = match n {
                // A quarter after the current one is last year's.
                Some(q) if q > current => (p.year() - 1, q),
                Some(q) => (p.year(), q),
                None => (p.year(), current),
            };
            Some(("DATE", format!("{year:04}-Q{q}"), None))
        }
        "span" => {
            let p = published?;
            let value = if lower.ends_with("weekend") {
                let w = p.iso_week();
                format!("{}-W{:02}-WE", w.year(), w.week())
            } else if lower.ends_with("week") {
                let w = p.iso_week();
                format!("{}-W{:02}", w.year(), w.week())
            } else if lower.ends_with("year") {
                format!("{:04}", p.year())
            } else {
                let season = [
                    ("summer", "SU"),
                    ("spring", "SP"),
                    ("autumn", "FA"),
                    ("fall", "FA"),
                    ("winter", "WI"),
                ]
                .into_iter()
                .find(|(w, _)| lower.ends_with(w))?
                .1;
                format!("{:04}-{season}", p.year())
            };
            Some(("DATE", value, None))
        }
        "vague" => {
            let value = if lower.contains("future") || lower == "soon" {
                "FUTURE_REF"
            } else if lower == "current" {
                "PRESENT_REF"
            } else {
                "PAST_REF"
            };
            Some(("DATE", value.into(), None))
        }
        "adjdur" => {
            let (n, unit) = lower.split_once('-')?;
            let n = number_value(n)? as i64;
            let value = match unit {
                "year" => format!("P{n}Y"),
                "month" => format!("P{n}M"),
                "week" => format!("P{n}W"),
                "day" => format!("P{n}D"),
                _ => format!("PT{n}H"),
            };
            Some(("DURATION", value, None))
        }
        "wday" => {
            // Reports of past events name the most recent such day.
            let d = last_weekday(published.or(reference)?, weekday(text)?);
            match part_of_day(text) {
                Some(part) => Some(("TIME", format!("{}T{part}", iso(d)), Some(d))),
                None => Some(("DATE", iso(d), Some(d))),
            }
        }
        "that" => {
            let r = reference.or(published)?;
            let d = if lower.contains("next") || lower.contains("following") {
                r + Duration::days(1)
            } else if lower.contains("before") {
                r - Duration::days(1)
            } else {
                r
            };
            Some(("DATE", iso(d), Some(d)))
        }
        "deictic" => {
            let p = published?;
            let (kind, value, date) = match lower.split_whitespace().collect::<Vec<_>>().as_slice() {
                ["today"] => ("DATE", iso(p), Some(p)),
                ["yesterday"] => ("DATE", iso(p - Duration::days(1)), Some(p - Duration::days(1))),
                ["tomorrow"] => ("DATE", iso(p + Duration::days(1)), Some(p + Duration::days(1))),
                ["tonight"] => ("TIME", format!("{}TNI", iso(p)), Some(p)),
                ["recently"] => ("DATE", "PAST_REF".into(), None),
                ["this", part @ ("morning" | "afternoon" | "evening")] => {
                    ("TIME", format!("{}T{}", iso(p), part_of_day(part)?), Some(p))
                }
                [rel, unit] | [rel, _, unit] => {
                    let shift: i32 = match *rel {
                        "last" | "past" | "a" => -1,
                        "next" => 1,
                        _ => 0,
                    };
                    match *unit {
                        "week" => {
                            let d = p + Duration::weeks(i64::from(shift));
                            let w = d.iso_week();
                            ("DATE", format!("{}-W{:02}", w.year(), w.week()), None)
                        }
                        "month" => {
                            let m0 = p.year() * 12 + p.month0() as i32 + shift;
                            (
                                "DATE",
                                format!("{:04}-{:02}", m0.div_euclid(12), m0.rem_euclid(12) + 1),
                                None,
                            )
                        }
                        "year" | "ago" => ("DATE", format!("{:04}", p.year() + shift), None),
                        _ => return None,
                    }
                }
                _ => return None,
            };
            Some((kind, value, date))
        }
        "duration" => {
            let n = words.len();
            // "twenty four hours": two number words first, then one.
            let number = (n >= 3)
                .then(|| number_value(&format!("{}-{}", words[n - 3], words[n - 2])))
                .flatten()
                .or_else(|| words.iter().rev().skip(1).find_map(|w| number_value(w)))
                .unwrap_or(1.0);
            let unit = words.last()?.to_lowercase();
            let n = if number.fract() == 0.0 {
                format!("{}", number as i64)
            } else {
                format!("{number}")
            };
            let n = if words
                .iter()
                .any(|w| matches!(w.to_lowercase().as_str(), "several" | "few"))
            {
                "X".into()
            } else {
                n
            };
            let value = match unit.trim_end_matches('s') {
                "year" => format!("P{n}Y"),
                "decade" => format!("P{n}DE"),
                "month" => format!("P{n}M"),
                "week" => format!("P{n}W"),
                "day" => format!("P{n}D"),
                "hour" => format!("PT{n}H"),
                "minute" => format!("PT{n}M"),
                "ago" => return None,
                _ => return None,
            };
            Some(("DURATION", value, None))
        }
        _ => None,
    }
}

/// Where a rule matched in the whole text.
struct Span<'a> {
    start: usize,
    end: usize,
    text: &'a str,
}

impl<'a> Span<'a> {
    fn start(&self) -> usize {
        self.start
    }
    fn end(&self) -> usize {
        self.end
    }
    fn as_str(&self) -> &'a str {
        self.text
    }
}

/// Rule groups that name a calendar date outright (the benchmark baseline).
const EXPLICIT: [&str; 5] = ["iso", "mdy", "dmy", "my", "year"];

/// The temporal expressions of `text`, in order; `published` anchors
/// relative ones (without it they are left out).
pub fn extract(text: &str, published: Option<NaiveDate>) -> Vec<Timex> {
    extract_groups(
        text,
        published,
        &[
            "iso", "mdy", "dmy", "my", "wday", "quarter", "span", "vague", "adjdur", "that", "deictic",
            "duration", "month", "year",
        ],
    )
}

/// Only explicit calendar dates and years: what a date regex finds, the
/// baseline the full rules are measured against.
pub fn extract_explicit(text: &str, published: Option<NaiveDate>) -> Vec<Timex> {
    extract_groups(text, published, &EXPLICIT)
}

fn extract_groups(text: &str, published: Option<NaiveDate>, names: &[&str]) -> Vec<Timex> {
    let mut out = Vec::new();
    let mut reference: Option<NaiveDate> = None;
    let mut chars_before = 0;
    let mut last_byte = 0;
    let re = &rules().all;
    // Finding matches is fast (a DFA); telling which rule matched needs
    // captures, which are slow on a long text, so they run on the match alone.
    for found in re.find_iter(text) {
        let Some(caps) = re.captures(found.as_str()) else {
            continue;
        };
        let Some((group, local)) = names.iter().find_map(|n| caps.name(n).map(|m| (*n, m))) else {
            continue;
        };
        let m = Span {
            start: found.start() + local.start(),
            end: found.start() + local.end(),
            text: local.as_str(),
        };
        // "a 6-year-old boy" is an age, not a duration.
        if group == "adjdur" && text[m.end()..].starts_with("-old") {
            continue;
        }
        let Some((kind, value, date)) = normalise(group, m.as_str(), published, reference) else {
            continue;
        };
        if date.is_some() {
            reference = date;
        }
        chars_before += text[last_byte..m.start()].chars().count();
        let start = chars_before;
        let end = start + m.as_str().chars().count();
        chars_before = end;
        last_byte = m.end();
        out.push(Timex {
            text: m.as_str().to_string(),
            start,
            end,
            kind: kind.to_string(),
            value,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str, published: &str) -> Vec<(String, String)> {
        let p = NaiveDate::parse_from_str(published, "%Y-%m-%d").ok();
        extract(text, p).into_iter().map(|t| (t.text, t.value)).collect()
    }

    #[test]
    fn weekdays_and_anaphora_resolve_against_the_publication_date() {
        let v = values(
            "The mutiny began late on Friday. On Saturday morning he spoke. Later that day it ended. On Sunday talks were held about June 24.",
            "2023-06-26",
        );
        let expect = [
            ("late on Friday", "2023-06-23"),
            ("Saturday morning", "2023-06-24TMO"),
            ("Later that day", "2023-06-24"),
            ("Sunday", "2023-06-25"),
            ("June 24", "2023-06-24"),
        ];
        for (t, val) in expect {
            assert!(v.contains(&(t.to_string(), val.to_string())), "{t}: {v:?}");
        }
    }

    #[test]
    fn calendar_dates_deictics_and_durations() {
        let v = values(
            "On 24 June 2023, a year after March 2022, prices fell for five years; last week was calm, yesterday too, in the last twenty four hours.",
            "2023-06-26",
        );
        for (t, val) in [
            ("24 June 2023", "2023-06-24"),
            ("March 2022", "2022-03"),
            ("five years", "P5Y"),
            ("last week", "2023-W25"),
            ("yesterday", "2023-06-25"),
            ("the last twenty four hours", "PT24H"),
        ] {
            assert!(v.contains(&(t.to_string(), val.to_string())), "{t}: {v:?}");
        }
    }

    #[test]
    fn offsets_are_characters_and_may_alone_is_a_verb() {
        let text = "“Déjà vu” on Friday; it may rain.";
        let t = extract(text, NaiveDate::from_ymd_opt(2023, 6, 26));
        assert_eq!(t.len(), 1, "{t:?}");
        let chars: Vec<char> = text.chars().collect();
        assert_eq!(chars[t[0].start..t[0].end].iter().collect::<String>(), "Friday");
    }
}
