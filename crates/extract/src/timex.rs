//! Temporal expressions: found in text and normalised to TIMEX3 types and
//! ISO-8601 values against the publication date.
//!
//! Rules in the HeidelTime tradition, for news: calendar dates ("June 24",
//! "24 June 2023", "2023-06-24", "Saturday, April 25"), clock times ("10
//! p.m. Wednesday"), months, years and decades, quarters and reporting
//! periods ("the third quarter", "the year-ago quarter"), weekdays ("late on
//! Friday", "next Monday"), deictic words ("yesterday", "last week", "now"),
//! offsets ("two years ago", "a week earlier"), anaphoric ones ("later that
//! day", resolved against the last date the text named: the narrative
//! reference time), durations ("two days", "the past three months") and
//! sets ("every month").
//!
//! A date named without its year, a bare weekday or month is read in the
//! direction its clause points: back from the publication date unless the
//! clause speaks of what is to come ("will", "is scheduled to", "payable",
//! "by"), as reports of past events are the common case. A reporting period
//! ("the quarter", "a year ago" in a quarterly report) is read against the
//! last quarter the text named, or the last one completed before
//! publication. Offsets are character offsets into the text.
//!
//! What this module does not do: tell a date from a number by its meaning
//! ("Orion 1980" is a year to it), or resolve expressions that need world
//! knowledge ("the quarter ended July 31" of a company's fiscal calendar).

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use regex::{Regex, RegexSet};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;
use storyline_core::published::MONTH_NAMES;

/// The TIMEX3 type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum TimexKind {
    /// A calendar date or period: "June 24", "2023", "last week".
    Date,
    /// A time of day: "Saturday morning", "10 p.m. Wednesday".
    Time,
    /// A length of time: "two days".
    Duration,
    /// A recurrence: "every month".
    Set,
}

impl TimexKind {
    /// The TIMEX3 name: DATE, TIME, DURATION or SET.
    pub fn as_str(self) -> &'static str {
        match self {
            TimexKind::Date => "DATE",
            TimexKind::Time => "TIME",
            TimexKind::Duration => "DURATION",
            TimexKind::Set => "SET",
        }
    }

    /// Whether the expression names a point or period of the calendar
    /// (a date or a time), as opposed to a length or a recurrence.
    pub fn is_calendar(self) -> bool {
        matches!(self, TimexKind::Date | TimexKind::Time)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timex {
    pub text: String,
    pub start: usize,
    pub end: usize,
    #[serde(rename = "type")]
    pub kind: TimexKind,
    /// ISO-8601 (TIMEX3): "2023-06-24", "2023-06-24TMO", "2023-W25", "P2D", "PRESENT_REF".
    pub value: String,
}

const MONTHS: &str = r"(?:jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?|aug(?:ust|\.)?|sep(?:t(?:ember|\.)?|\.)?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?)";
const WEEKDAYS: &str = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)";
const NUMBER_WORDS: &str = r"(?:\d+(?:\.\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?|thirty|forty|fifty|sixty|hundred|several|few)";
/// Years said in words: "nineteen ninety-six", "the year two thousand".
const WORD_YEARS: &str = r"(?:nineteen[\s-](?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|hundred)|the\s+year\s+two\s+thousand(?:\s+(?:and\s+)?(?:one|two|three|four|five|six|seven|eight|nine|ten))?)";
const UNITS: &str = r"(?:years?|months?|weeks?|days?|decades?)";

/// The rules, each a kind of expression (an example beside each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// 2023-06-24
    Iso,
    /// 10 p.m. Wednesday, noon
    Clock,
    /// Thanksgiving Day, last Christmas Eve, Easter
    Holiday,
    /// Saturday, April 25
    WeekdayDate,
    /// June 24, Jan. 2 1990
    MonthDay,
    /// 24 June 2023
    DayMonth,
    /// July last year
    MonthOfYear,
    /// March 2022
    MonthYear,
    /// nineteen ninety-six
    WordYear,
    /// the third quarter
    Quarter,
    /// the quarter, the year-ago period
    Period,
    /// a year ago, year-earlier
    YearAgo,
    /// two years ago, three days later
    Offset,
    /// late on Friday, next Monday
    Weekday,
    /// every month
    Set,
    /// the late 1970s, the 20th century
    Decade,
    /// the next three quarters
    Quarters,
    /// later that day, that year
    Anaphoric,
    /// the year, the weekend, this summer
    Span,
    /// five-year
    AdjectiveLength,
    /// two days, the past three months
    Length,
    /// yesterday, last week
    Deictic,
    /// now, the future
    Vague,
    /// mid-November, last April
    Month,
    /// 1998, fiscal 1990
    Year,
}

/// The rules, longest forms first: where several match at one place, the
/// first in this order wins. `{m}` stands for a month, `{w}` a weekday,
/// `{n}` a number, `{u}` a calendar unit and `{wy}` a year in words.
const BRANCHES: [(Rule, &str); 25] = [
    (Rule::Iso, r"\d{4}-\d{2}-\d{2}"),
    (
        Rule::Clock,
        // Ends before a closing period ("10 p.m"): the match must end at
        // a word boundary.
        r"(?:(?:around|about)\s+)?(?:\d{1,2}(?::\d{2})?\s*(?:a\.m|p\.m|am|pm)|noon|midnight)(?:\.?\s+(?:[ecmp][sd]t|gmt|utc))?(?:,?\.?\s+(?:on\s+)?(?:{w}|today|yesterday|tomorrow|{m}\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?))?",
    ),
    (
        Rule::Holiday,
        r"(?:(?:last|next|this)\s+)?(?:thanksgiving(?:\s+day)?|christmas\s+(?:day|eve)|new\s+year['’]s\s+(?:day|eve)|independence\s+day|labor\s+day|memorial\s+day|veterans\s+day|election\s+day|halloween|easter(?:\s+sunday)?|valentine['’]s\s+day)",
    ),
    (
        Rule::WeekdayDate,
        r"{w},?\s+{m}\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?",
    ),
    (Rule::MonthDay, r"{m}\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?"),
    (
        Rule::DayMonth,
        r"\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?{m}(?:,?\s+\d{4})?",
    ),
    (Rule::MonthOfYear, r"{m}\s+(?:of\s+)?(?:last|this|next)\s+year"),
    (Rule::MonthYear, r"{m}\s+(?:of\s+)?\d{4}"),
    (Rule::WordYear, r"(?:{m}\s+(?:of\s+)?)?{wy}"),
    (
        Rule::Quarter,
        r"(?:(?:the|this\s+year's|last\s+year's|next\s+year's|the\s+(?:19|20)\d{2}|the\s+(?:comparable\s+)?year-(?:ago|earlier))\s+)?(?:first|second|third|fourth|1st|2nd|3rd|4th)[\s-](?:fiscal\s+)?quarter(?:\s+of\s+(?:fiscal\s+)?(?:19|20)\d{2})?",
    ),
    (
        Rule::Period,
        r"the\s+(?:comparable\s+|corresponding\s+|same\s+)?(?:year-(?:ago|earlier)|latest|recent|current|previous|prior)\s+(?:quarter|period)|the\s+(?:19|20)\d{2}\s+(?:quarter|period)|the\s+(?:comparable|corresponding|same)\s+(?:quarter|period)(?:\s+(?:of\s+)?last\s+year|\s+a\s+year\s+(?:ago|earlier))?|the\s+quarter(?:\s+a\s+year\s+(?:ago|earlier))?|(?:this|last|next)\s+quarter|last\s+year's\s+quarter",
    ),
    (
        Rule::YearAgo,
        r"(?:a|one)\s+year\s+(?:ago|earlier)|(?:the\s+)?year-(?:ago|earlier)",
    ),
    (
        Rule::Offset,
        r"{n}(?:\s+or\s+so)?\s+{u}(?:\s+or\s+so)?\s+(?:ago|earlier|later)",
    ),
    (
        Rule::Weekday,
        r"(?:(?:last|next|this\s+coming|coming|this|the\s+previous|the\s+following|earlier)\s+)?(?:(?:late|early)\s+(?:on\s+)?)?{w}(?:\s+(?:morning|afternoon|evening|night))?",
    ),
    (
        Rule::Set,
        r"(?:each|every)\s+(?:year|month|week|day|quarter|{w}|{m})",
    ),
    (
        Rule::Decade,
        r"(?:the\s+)?(?:(?:early|mid|late)[\s-]+)?(?:(?:19|20)\d0s|'\d0s)|(?:the\s+)?\d{1,2}(?:st|nd|rd|th)\s+century",
    ),
    (
        Rule::Quarters,
        r"(?:the\s+(?:past|last|next|first|previous|coming|following)\s+)?{n}\s+quarters",
    ),
    (
        Rule::Anaphoric,
        r"later\s+that\s+day|earlier\s+that\s+day|that\s+day|the\s+same\s+day|the\s+next\s+day|the\s+following\s+day|the\s+day\s+before|the\s+previous\s+day|that\s+year|the\s+following\s+year|the\s+previous\s+year|the\s+year\s+before",
    ),
    (
        Rule::Span,
        r"the\s+(?:fiscal\s+|full\s+)?year|the\s+week(?:end)?|(?:this|last|next)\s+(?:summer|spring|autumn|fall|winter|weekend)",
    ),
    (
        Rule::AdjectiveLength,
        r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty)-(?:year|month|week|day|hour)",
    ),
    (
        Rule::Length,
        r"(?:the\s+(?:past|last|next|first|previous|coming|following)\s+)?(?:a\s+couple\s+of|{n})\s+(?:years?|months?|weeks?|days?|hours?|minutes?|decades?|centuries|century)",
    ),
    (
        Rule::Deictic,
        r"yesterday|today|tomorrow|tonight|last\s+night|this\s+(?:morning|afternoon|evening|week|month|year)|(?:the\s+)?(?:last|next|this|past)\s+(?:week|month|year)|recently",
    ),
    (
        Rule::Vague,
        r"(?:right\s+)?now|currently|recent\s+(?:years|months|weeks|days)|the\s+(?:near\s+|distant\s+)?(?:past|future)|formerly",
    ),
    (Rule::Month, r"(?:(?:early|late|last|next|this)\s+|mid-?)?{m}"),
    (Rule::Year, r"(?:fiscal\s+)?(?:19|20)\d{2}"),
];

struct Rules {
    /// Every rule in one alternation: finds the expressions.
    all: Regex,
    /// Each rule alone, anchored: tells which one a found expression is
    /// (the first that matches it whole), far cheaper than captures.
    each: RegexSet,
    future: Regex,
    /// Verbs in the past tense a clause reports with: nearer the
    /// expression than a future cue, they decide ("they would appeal the
    /// decision, announced Wednesday").
    past: Regex,
}

/// A rule's pattern with its placeholders filled in.
fn expand(pattern: &str) -> String {
    pattern
        .replace("{m}", MONTHS)
        .replace("{wy}", WORD_YEARS)
        .replace("{w}", WEEKDAYS)
        .replace("{n}", NUMBER_WORDS)
        .replace("{u}", UNITS)
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| {
        let alternation: Vec<String> = BRANCHES.iter().map(|(_, p)| format!("(?:{})", expand(p))).collect();
        let all = format!(r"(?i)(?-u:\b)(?:{})(?-u:\b)", alternation.join("|"));
        let each = BRANCHES.iter().map(|(_, p)| format!(r"(?i)^(?:{})$", expand(p)));
        Rules {
            all: Regex::new(&all).expect("the time rules compile"),
            each: RegexSet::new(each).expect("the time rules compile"),
            future: Regex::new(
                r"(?i)\b(?:will|'ll|shall|would|scheduled|expected|expects|due|plans?|planned|planning|payable|effective|going\s+to|set\s+to|is\s+to|are\s+to|upcoming|as\s+(?:early|soon)\s+as)\b",
            )
            .expect("the future cues compile"),
            past: Regex::new(
                r"(?i)\b(?:said|told|announced|reported|added|predicted|confirmed|denied|warned|declared|insisted|acknowledged|admitted|claimed|noted|stated|wrote|asked|urged|agreed|decided|was|were|had|did|died|occurred|happened)\b",
            )
            .expect("the past cues compile"),
        }
    })
}

/// The month (1–12) a word names by its first three letters or more.
fn month_number(word: &str) -> Option<u32> {
    let w = word.to_lowercase();
    MONTH_NAMES
        .iter()
        .position(|m| w.starts_with(&m[..3]))
        .map(|i| i as u32 + 1)
}

const UNIT_WORDS: [&str; 20] = [
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

const TENS_WORDS: [&str; 8] = [
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

fn number_value(word: &str) -> Option<f64> {
    let w = word.to_lowercase().replace('-', " ");
    if let Ok(n) = w.parse::<f64>() {
        return Some(n);
    }
    if let Some(i) = UNIT_WORDS.iter().position(|u| *u == w) {
        return Some(i as f64);
    }
    match w.as_str() {
        "a" | "an" => return Some(1.0),
        "hundred" => return Some(100.0),
        _ => {}
    }
    let (tens, rest) = w.split_once(' ').unwrap_or((w.as_str(), ""));
    let t = TENS_WORDS.iter().position(|t| *t == tens)? as f64 * 10.0 + 20.0;
    if rest.is_empty() {
        return Some(t);
    }
    UNIT_WORDS[1..10]
        .iter()
        .position(|u| *u == rest.trim())
        .map(|i| t + i as f64 + 1.0)
}

/// The year of a year said in words ("nineteen ninety-six": 1996).
fn word_year(lower: &str) -> Option<i32> {
    if let Some(rest) = lower.split("two thousand").nth(1) {
        let rest = rest.trim().trim_start_matches("and").trim();
        let n = if rest.is_empty() { 0.0 } else { number_value(rest)? };
        return Some(2000 + n as i32);
    }
    let rest = lower.split("nineteen").nth(1)?.trim_start_matches(['-', ' ']);
    if rest == "hundred" {
        return Some(1900);
    }
    let n = number_value(rest)?;
    (10.0..100.0).contains(&n).then_some(1900 + n as i32)
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

/// The first `day` on or after `reference`.
fn next_weekday(reference: NaiveDate, day: Weekday) -> NaiveDate {
    let ahead = (day.num_days_from_monday() + 7 - reference.weekday().num_days_from_monday()) % 7;
    reference + Duration::days(i64::from(ahead))
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

fn iso_week(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// A quarter of a year: (year, 1..=4).
type Quarter = (i32, u32);

fn quarter_of(d: NaiveDate) -> Quarter {
    (d.year(), d.month0() / 3 + 1)
}

fn shift_quarter((year, q): Quarter, by: i32) -> Quarter {
    let n = year * 4 + q as i32 - 1 + by;
    (n.div_euclid(4), n.rem_euclid(4) as u32 + 1)
}

fn quarter_value((year, q): Quarter) -> String {
    format!("{year:04}-Q{q}")
}

/// `months` months after (before, when negative) `d`'s month, as YYYY-MM.
fn month_value(d: NaiveDate, months: i32) -> String {
    let m0 = d.year() * 12 + d.month0() as i32 + months;
    format!("{:04}-{:02}", m0.div_euclid(12), m0.rem_euclid(12) + 1)
}

/// Words after which "May" is the month.
const TIME_PREPOSITIONS: &[&str] = &[
    "in", "since", "until", "till", "by", "through", "from", "before", "after", "during", "of", "early",
    "late", "mid",
];

/// Which way a clause points from the publication date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// Nothing says: read as a report of the past.
    Unmarked,
    /// The clause speaks of what is to come.
    Future,
}

/// What an expression is read against.
struct Context {
    published: Option<NaiveDate>,
    /// The last day the text named (the narrative reference time).
    reference: Option<NaiveDate>,
    /// The last quarter the text named.
    quarter: Option<Quarter>,
    direction: Direction,
    /// The words right before and after the expression, lower case.
    word_before: String,
    word_after: String,
}

impl Context {
    /// The reporting quarter: the last one named, or the last one
    /// completed before publication.
    fn reporting_quarter(&self) -> Option<Quarter> {
        self.quarter
            .or_else(|| self.published.map(|p| shift_quarter(quarter_of(p), -1)))
    }
}

/// A normalised expression, with the day or quarter it names (for the
/// expressions after it).
struct Reading {
    kind: TimexKind,
    value: String,
    date: Option<NaiveDate>,
    quarter: Option<Quarter>,
}

fn reading(kind: TimexKind, value: String) -> Option<Reading> {
    Some(Reading {
        kind,
        value,
        date: None,
        quarter: None,
    })
}

fn day_reading(kind: TimexKind, value: String, date: NaiveDate) -> Option<Reading> {
    Some(Reading {
        kind,
        value,
        date: Some(date),
        quarter: None,
    })
}

/// A day of month named without a year (`month`, `day`), in the year its
/// clause points to.
fn undated_day(month: u32, day: u32, ctx: &Context) -> Option<NaiveDate> {
    in_year_meant(ctx, |year| NaiveDate::from_ymd_opt(year, month, day))
}

/// A day that falls once a year (`on` a year), named without one: in the
/// year its clause points to from the publication date.
fn in_year_meant(ctx: &Context, on: impl Fn(i32) -> Option<NaiveDate>) -> Option<NaiveDate> {
    let p = ctx.published?;
    let this_year = on(p.year())?;
    match ctx.direction {
        // A day just gone is this year's still: a deadline that passed
        // ("by Jan. 14", written on the 15th).
        Direction::Future if this_year + Duration::days(30) < p => on(p.year() + 1),
        // Without a year, a date months after publication is last year's.
        Direction::Unmarked if this_year > p + Duration::days(90) => on(p.year() - 1),
        _ => Some(this_year),
    }
}

/// The calendar date of "June 24", "24 June 2023" or "Jan. 2".
fn calendar_date(words: &[&str], ctx: &Context) -> Option<NaiveDate> {
    let month = words
        .iter()
        .find_map(|w| month_number(w).filter(|_| w.parse::<u32>().is_err()))?;
    let day = words.iter().find_map(|w| {
        w.trim_end_matches(|c: char| c.is_alphabetic())
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=31).contains(d))
    })?;
    match words
        .iter()
        .find_map(|w| w.parse::<i32>().ok().filter(|y| *y > 999))
    {
        Some(y) => NaiveDate::from_ymd_opt(y, month, day),
        None => undated_day(month, day, ctx),
    }
}

/// The day of holiday `name` (lower case) in `year`: fixed days, the
/// n-th or last weekday of a month, Easter by the Gregorian computus.
fn holiday_in(name: &str, year: i32) -> Option<NaiveDate> {
    let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d);
    let has = |w: &str| name.contains(w);
    Some(if has("thanksgiving") {
        next_weekday(day(11, 1)?, Weekday::Thu) + Duration::days(21)
    } else if has("christmas") {
        day(12, if has("eve") { 24 } else { 25 })?
    } else if has("new year") {
        if has("eve") {
            day(12, 31)?
        } else {
            day(1, 1)?
        }
    } else if has("independence") {
        day(7, 4)?
    } else if has("labor") {
        next_weekday(day(9, 1)?, Weekday::Mon)
    } else if has("memorial") {
        last_weekday(day(5, 31)?, Weekday::Mon)
    } else if has("veterans") {
        day(11, 11)?
    } else if has("election") {
        // The Tuesday after the first Monday of November.
        next_weekday(day(11, 2)?, Weekday::Tue)
    } else if has("halloween") {
        day(10, 31)?
    } else if has("valentine") {
        day(2, 14)?
    } else if has("easter") {
        let (a, b, c) = (year % 19, year / 100, year % 100);
        let (d, e) = (b / 4, b % 4);
        let g = (8 * b + 13) / 25;
        let h = (19 * a + b - d - g + 15) % 30;
        let (i, k) = (c / 4, c % 4);
        let l = (32 + 2 * e + 2 * i - h - k) % 7;
        let m = (a + 11 * h + 19 * l) / 433;
        let month = (h + l - 7 * m + 90) / 25;
        let day_of = (h + l - 7 * m + 33 * month + 19) % 32;
        day(month as u32, day_of as u32)?
    } else {
        return None;
    })
}

/// The holiday `lower` names, in the year its modifier or clause points
/// to, as a yearless date is ([`in_year_meant`]).
fn holiday_date(lower: &str, ctx: &Context) -> Option<NaiveDate> {
    let p = ctx.published?;
    let this_year = holiday_in(lower, p.year())?;
    let other = |year: i32| holiday_in(lower, year);
    Some(if lower.starts_with("last ") {
        if this_year < p {
            this_year
        } else {
            other(p.year() - 1)?
        }
    } else if lower.starts_with("next ") {
        if this_year > p {
            this_year
        } else {
            other(p.year() + 1)?
        }
    } else if lower.starts_with("this ") {
        this_year
    } else {
        in_year_meant(ctx, other)?
    })
}

/// The weekday `text` names, resolved by its modifier ("last", "next",
/// "the previous") or else by the direction of its clause.
fn weekday_date(lower: &str, ctx: &Context) -> Option<NaiveDate> {
    let day = weekday(lower)?;
    let p = ctx.published;
    let r = ctx.reference.or(p);
    let after = |d: NaiveDate| next_weekday(d + Duration::days(1), day);
    let before = |d: NaiveDate| last_weekday(d - Duration::days(1), day);
    Some(if lower.starts_with("last ") {
        before(p?)
    } else if lower.starts_with("next ") || lower.contains("coming ") {
        after(p?)
    } else if lower.starts_with("the previous ") {
        before(r?)
    } else if lower.starts_with("the following ") {
        after(r?)
    } else if ctx.direction == Direction::Future {
        next_weekday(p?, day)
    } else {
        last_weekday(p.or(r)?, day)
    })
}

/// A month named without a year, in the year its modifier or clause
/// points to.
fn month_reading(lower: &str, month_word: &str, ctx: &Context) -> Option<Reading> {
    let month = month_number(month_word)?;
    // "may" alone is far more often the verb, unless a preposition says
    // it is a time ("in May", "since May"); a month written in lower
    // case is a word ("a march of justice").
    let may_as_month = lower != "may" || TIME_PREPOSITIONS.contains(&ctx.word_before.as_str());
    if month_word.eq_ignore_ascii_case("may") && !may_as_month
        || month_word.ends_with('.') && month_word.len() <= 4
        || month_word.starts_with(char::is_lowercase)
    {
        return None;
    }
    let p = ctx.published?;
    let year = if lower.starts_with("last") {
        if month < p.month() {
            p.year()
        } else {
            p.year() - 1
        }
    } else if lower.starts_with("next") {
        if month > p.month() {
            p.year()
        } else {
            p.year() + 1
        }
    } else if lower.starts_with("this") {
        p.year()
    } else if ctx.direction == Direction::Future {
        if month >= p.month() {
            p.year()
        } else {
            p.year() + 1
        }
    } else if month > p.month() + 2 {
        // A month named after the publication month is usually last year's.
        p.year() - 1
    } else {
        p.year()
    };
    reading(TimexKind::Date, format!("{year:04}-{month:02}"))
}

/// The type and value of one match, and what it names for the
/// expressions after it.
fn normalise(rule: Rule, text: &str, ctx: &Context) -> Option<Reading> {
    use TimexKind::{Date, Duration as Length, Set, Time};
    let lower = text.to_lowercase();
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let year_in = |ws: &[&str]| ws.iter().find_map(|w| w.parse::<i32>().ok().filter(|y| *y > 999));
    match rule {
        Rule::Iso => {
            let d = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
            day_reading(Date, iso(d), d)
        }
        Rule::Clock => clock_reading(&lower, ctx),
        Rule::Holiday => {
            let d = holiday_date(&lower, ctx)?;
            day_reading(Date, iso(d), d)
        }
        Rule::WeekdayDate => {
            let d = calendar_date(&words[1..], ctx)?;
            day_reading(Date, iso(d), d)
        }
        Rule::MonthDay | Rule::DayMonth => {
            let d = calendar_date(&words, ctx)?;
            day_reading(Date, iso(d), d)
        }
        Rule::MonthOfYear => {
            let month = month_number(words.first()?)?;
            let p = ctx.published?;
            let year = match () {
                _ if lower.contains("last") => p.year() - 1,
                _ if lower.contains("next") => p.year() + 1,
                _ => p.year(),
            };
            reading(Date, format!("{year:04}-{month:02}"))
        }
        Rule::MonthYear => {
            let month = month_number(words.first()?)?;
            let year = year_in(&words)?;
            reading(Date, format!("{year:04}-{month:02}"))
        }
        Rule::WordYear => {
            let year = word_year(&lower)?;
            let month = words
                .first()
                .filter(|w| !w.eq_ignore_ascii_case("the"))
                .and_then(|w| month_number(w));
            match month {
                Some(m) => reading(Date, format!("{year:04}-{m:02}")),
                None => reading(Date, format!("{year:04}")),
            }
        }
        Rule::Quarter => {
            let q = ["first", "second", "third", "fourth", "1st", "2nd", "3rd", "4th"]
                .iter()
                .position(|w| lower.contains(w))? as u32
                % 4
                + 1;
            let p = ctx.published?;
            let current = quarter_of(p).1;
            let year = match year_in(&words) {
                Some(y) => y,
                None if lower.contains("last year's") => p.year() - 1,
                None if lower.contains("next year's") => p.year() + 1,
                None if lower.contains("this year's") => p.year(),
                None if lower.contains("year-") => ctx.reporting_quarter()?.0 - 1,
                // A quarter after the current one is last year's.
                None if q > current => p.year() - 1,
                None => p.year(),
            };
            Some(Reading {
                kind: Date,
                value: quarter_value((year, q)),
                date: None,
                quarter: Some((year, q)),
            })
        }
        Rule::Period => period_reading(&lower, &words, ctx),
        Rule::YearAgo => {
            // In a quarterly report, "a year ago" is the quarter a year
            // before the one reported.
            if ctx.quarter.is_some() {
                return reading(Date, quarter_value(shift_quarter(ctx.reporting_quarter()?, -4)));
            }
            let base = if lower.contains("ago") {
                ctx.published?
            } else {
                ctx.reference.or(ctx.published)?
            };
            reading(Date, format!("{:04}", base.year() - 1))
        }
        Rule::Offset => offset_reading(&lower, &words, ctx),
        Rule::Weekday => {
            let d = weekday_date(&lower, ctx)?;
            match part_of_day(&lower) {
                Some(part) => day_reading(Time, format!("{}T{part}", iso(d)), d),
                None => day_reading(Date, iso(d), d),
            }
        }
        Rule::Set => {
            let unit = words.last()?.to_lowercase();
            let value = match (weekday(&unit), month_number(&unit)) {
                (Some(d), _) => format!("XXXX-WXX-{}", d.number_from_monday()),
                (None, Some(m)) => format!("XXXX-{m:02}"),
                (None, None) if unit == "quarter" => "P1Q".into(),
                (None, None) => length_value("1", &unit)?,
            };
            reading(Set, value)
        }
        Rule::Decade => {
            if lower.ends_with("century") {
                let n: u32 = lower
                    .trim_start_matches("the ")
                    .trim_end_matches(|c: char| !c.is_ascii_digit())
                    .parse()
                    .ok()?;
                return reading(Date, format!("{:02}", n.checked_sub(1)?));
            }
            let digits: String = lower.chars().filter(char::is_ascii_digit).collect();
            let decade = match digits.len() {
                4 => digits[..3].to_string(),
                2 => format!("19{}", &digits[..1]),
                _ => return None,
            };
            reading(Date, decade)
        }
        Rule::Quarters => {
            let n = words
                .iter()
                .rev()
                .skip(1)
                .find_map(|w| number_value(w))
                .unwrap_or(1.0);
            // TIMEX3 has no quarter unit: three months each.
            reading(Length, format!("P{}M", 3 * n as i64))
        }
        Rule::Span => span_reading(&lower, ctx),
        Rule::AdjectiveLength => {
            let (n, unit) = lower.split_once('-')?;
            let n = number_value(n)? as i64;
            reading(Length, length_value(&n.to_string(), unit)?)
        }
        Rule::Anaphoric => {
            let r = ctx.reference.or(ctx.published)?;
            if lower.ends_with("year") || lower.ends_with("year before") {
                let year = match () {
                    _ if lower.contains("following") => r.year() + 1,
                    _ if lower.contains("previous") || lower.contains("before") => r.year() - 1,
                    _ => r.year(),
                };
                return reading(Date, format!("{year:04}"));
            }
            let d = if lower.contains("next") || lower.contains("following") {
                r + Duration::days(1)
            } else if lower.contains("before") || lower.contains("previous") {
                r - Duration::days(1)
            } else {
                r
            };
            day_reading(Date, iso(d), d)
        }
        Rule::Deictic => deictic_reading(&lower, ctx),
        Rule::Vague => {
            let value = if lower.contains("future") {
                "FUTURE_REF"
            } else if lower.ends_with("now") || lower == "currently" {
                "PRESENT_REF"
            } else {
                "PAST_REF"
            };
            reading(Date, value.into())
        }
        Rule::Length => duration_reading(&lower, &words),
        Rule::Month => {
            let month_word = text
                .rsplit(|c: char| c.is_whitespace() || c == '-')
                .next()
                .unwrap_or("");
            month_reading(&lower, month_word, ctx)
        }
        Rule::Year => reading(Date, lower.trim_start_matches("fiscal").trim().to_string()),
    }
}

/// "10 p.m. Wednesday", "noon", "around 7:15 p.m.": the day named (or the
/// reference day) at that hour.
fn clock_reading(lower: &str, ctx: &Context) -> Option<Reading> {
    let (hour, minute) = if lower.contains("noon") {
        (12, 0)
    } else if lower.contains("midnight") {
        (24, 0)
    } else {
        let digits = lower.trim_start_matches(|c: char| !c.is_ascii_digit());
        let clock: String = digits
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == ':')
            .collect();
        let (h, m) = clock.split_once(':').unwrap_or((&clock, "0"));
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        let rest = &digits[clock.len()..];
        let pm = rest.trim_start().starts_with('p');
        if !(1..=12).contains(&h) || m > 59 {
            return None;
        }
        let h = match (pm, h) {
            (true, 12) => 12,
            (true, h) => h + 12,
            (false, 12) => 0,
            (false, h) => h,
        };
        (h, m)
    };
    let p = ctx.published;
    let words: Vec<&str> = lower.split_whitespace().collect();
    let month_at = words
        .iter()
        .position(|w| month_number(w).is_some() && w.parse::<u32>().is_err());
    let day = if let Some(at) = month_at {
        // "5 p.m. EST Nov. 9": the date after the time.
        calendar_date(&words[at..], ctx)?
    } else if weekday(lower).is_some() {
        weekday_date(lower.rsplit(' ').next()?, ctx)?
    } else if lower.ends_with("yesterday") {
        p? - Duration::days(1)
    } else if lower.ends_with("tomorrow") {
        p? + Duration::days(1)
    } else if lower.ends_with("today") {
        p?
    } else {
        ctx.reference.or(p)?
    };
    day_reading(
        TimexKind::Time,
        format!("{}T{hour:02}:{minute:02}", iso(day)),
        day,
    )
}

/// "the quarter", "the year-ago period", "the 1988 quarter": a reporting
/// period read against the quarter the report is about.
fn period_reading(lower: &str, words: &[&str], ctx: &Context) -> Option<Reading> {
    let p = ctx.published?;
    let year_ago = [
        "year-ago",
        "year-earlier",
        "year ago",
        "year earlier",
        "last year",
        "comparable",
        "corresponding",
        "same",
    ]
    .iter()
    .any(|w| lower.contains(w));
    let named_year = words
        .iter()
        .find_map(|w| w.parse::<i32>().ok().filter(|y| *y > 999));
    // Without a quarter named, a "period" may be a half or a year: only
    // a quarter is read as one.
    if ctx.quarter.is_none() && lower.ends_with("period") {
        return match (named_year, year_ago) {
            (Some(y), _) => reading(TimexKind::Date, format!("{y:04}")),
            (None, true) => reading(TimexKind::Date, format!("{:04}", p.year() - 1)),
            (None, false) => None,
        };
    }
    let base = ctx.reporting_quarter()?;
    let q = if lower.contains("current") || lower.starts_with("this") {
        quarter_of(p)
    } else if lower.starts_with("next") {
        shift_quarter(quarter_of(p), 1)
    } else if lower.starts_with("last quarter") {
        shift_quarter(quarter_of(p), -1)
    } else if let Some(y) = named_year {
        (y, base.1)
    } else if year_ago {
        shift_quarter(base, -4)
    } else if lower.contains("previous") || lower.contains("prior") {
        shift_quarter(base, -1)
    } else {
        base
    };
    reading(TimexKind::Date, quarter_value(q))
}

/// "two years ago", "a week earlier", "three days later": a date that
/// many units from publication (ago) or from the reference day.
fn offset_reading(lower: &str, words: &[&str], ctx: &Context) -> Option<Reading> {
    let later = lower.ends_with("later");
    let base = if lower.ends_with("ago") {
        ctx.published?
    } else {
        ctx.reference.or(ctx.published)?
    };
    let unit = words.iter().map(|w| w.to_lowercase()).find(|w| {
        ["year", "month", "week", "day", "decade"]
            .iter()
            .any(|u| w.trim_end_matches('s') == *u)
    })?;
    if words
        .iter()
        .any(|w| matches!(w.to_lowercase().as_str(), "several" | "few"))
    {
        let value = if later { "FUTURE_REF" } else { "PAST_REF" };
        return reading(TimexKind::Date, value.into());
    }
    let n = words.iter().find_map(|w| number_value(w)).unwrap_or(1.0) as i64;
    let n = if later { n } else { -n };
    let value = match unit.trim_end_matches('s') {
        "year" => format!("{:04}", base.year() as i64 + n),
        "decade" => format!("{:03}", (base.year() as i64 + 10 * n) / 10),
        "month" => month_value(base, n as i32),
        "week" => iso_week(base + Duration::weeks(n)),
        _ => {
            let d = base + Duration::days(n);
            return day_reading(TimexKind::Date, iso(d), d);
        }
    };
    reading(TimexKind::Date, value)
}

/// "the year", "the weekend", "this summer".
fn span_reading(lower: &str, ctx: &Context) -> Option<Reading> {
    let p = ctx.published?;
    let value = if lower.ends_with("weekend") {
        // The weekend a report means is the last one begun, or with "next"
        // or a clause about what is to come, the next one.
        let saturday = if lower.starts_with("next") || ctx.direction == Direction::Future {
            next_weekday(p, Weekday::Sat)
        } else if lower.starts_with("last") {
            last_weekday(p, Weekday::Sat) - Duration::days(7)
        } else {
            last_weekday(p, Weekday::Sat)
        };
        format!("{}-WE", iso_week(saturday))
    } else if lower.ends_with("week") {
        iso_week(p)
    } else if lower.ends_with("year") && matches!(ctx.word_after.as_str(), "ended" | "ending") {
        // "the year ended March 31": a fiscal year, a year long.
        return reading(TimexKind::Duration, "P1Y".into());
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
        let year = match () {
            _ if lower.starts_with("last") => p.year() - 1,
            _ if lower.starts_with("next") => p.year() + 1,
            _ => p.year(),
        };
        format!("{year:04}-{season}")
    };
    reading(TimexKind::Date, value)
}

/// "yesterday", "tonight", "last week", "the past year".
fn deictic_reading(lower: &str, ctx: &Context) -> Option<Reading> {
    use TimexKind::{Date, Time};
    let p = ctx.published?;
    let words: Vec<&str> = lower.split_whitespace().filter(|w| *w != "the").collect();
    match words.as_slice() {
        ["today"] => day_reading(Date, iso(p), p),
        ["yesterday"] => day_reading(Date, iso(p - Duration::days(1)), p - Duration::days(1)),
        ["tomorrow"] => day_reading(Date, iso(p + Duration::days(1)), p + Duration::days(1)),
        ["tonight"] => day_reading(Time, format!("{}TNI", iso(p)), p),
        ["last", "night"] => {
            let d = p - Duration::days(1);
            day_reading(Time, format!("{}TNI", iso(d)), d)
        }
        ["recently"] => reading(Date, "PAST_REF".into()),
        ["this", part @ ("morning" | "afternoon" | "evening")] => {
            day_reading(Time, format!("{}T{}", iso(p), part_of_day(part)?), p)
        }
        [rel, unit] => {
            let shift: i32 = match *rel {
                "last" | "past" => -1,
                "next" => 1,
                _ => 0,
            };
            let value = match *unit {
                "week" => iso_week(p + Duration::weeks(i64::from(shift))),
                "month" => month_value(p, shift),
                "year" => format!("{:04}", p.year() + shift),
                _ => return None,
            };
            reading(Date, value)
        }
        _ => None,
    }
}

/// The TIMEX3 value of `n` (a number or "X") of `unit` ("years",
/// "hour"): "P2Y", "PT1H"; `None` for another word.
fn length_value(n: &str, unit: &str) -> Option<String> {
    Some(match unit.trim_end_matches('s') {
        "year" => format!("P{n}Y"),
        "decade" => format!("P{n}DE"),
        "month" => format!("P{n}M"),
        "week" => format!("P{n}W"),
        "day" => format!("P{n}D"),
        "hour" => format!("PT{n}H"),
        "minute" => format!("PT{n}M"),
        _ => return None,
    })
}

/// "two days", "the past three months", "a couple of years".
fn duration_reading(lower: &str, words: &[&str]) -> Option<Reading> {
    let n = words.len();
    let number = if lower.contains("couple") {
        Some(2.0)
    } else {
        // "twenty four hours": two number words first, then one.
        (n >= 3)
            .then(|| number_value(&format!("{}-{}", words[n - 3], words[n - 2])))
            .flatten()
            .or_else(|| words.iter().rev().skip(1).find_map(|w| number_value(w)))
    }
    .unwrap_or(1.0);
    let unit = words.last()?.to_lowercase();
    let n = if words
        .iter()
        .any(|w| matches!(w.to_lowercase().as_str(), "several" | "few"))
    {
        "X".to_string()
    } else if number.fract() == 0.0 {
        format!("{}", number as i64)
    } else {
        format!("{number}")
    };
    let value = match unit.as_str() {
        "centuries" | "century" => {
            let n = if unit == "centuries" && n == "1" {
                "X".into()
            } else {
                n
            };
            format!("P{n}C")
        }
        u => length_value(&n, u)?,
    };
    reading(TimexKind::Duration, value)
}

/// Rules that name a calendar date outright (the benchmark baseline).
const EXPLICIT: [Rule; 5] = [
    Rule::Iso,
    Rule::MonthDay,
    Rule::DayMonth,
    Rule::MonthYear,
    Rule::Year,
];

/// The temporal expressions of `text`, in order; `published` anchors
/// relative ones (without it they are left out).
pub fn extract(text: &str, published: Option<NaiveDate>) -> Vec<Timex> {
    extract_with(text, published, &|_| true)
}

/// Only explicit calendar dates and years: what a date regex finds, the
/// baseline the full rules are measured against.
pub fn extract_explicit(text: &str, published: Option<NaiveDate>) -> Vec<Timex> {
    extract_with(text, published, &|rule| EXPLICIT.contains(&rule))
}

/// How far back a clause is read for words that point to the future.
const CLAUSE_BYTES: usize = 160;

/// Which way the clause before byte `at` of `text` points: to the future
/// when it has a cue such as "will" or "is scheduled to", or the word
/// just before is "by", "until" or "before".
fn direction_at(text: &str, at: usize) -> Direction {
    let before = window_before(text, at, CLAUSE_BYTES);
    // The clause starts after the last sentence end (closing quotes
    // and all) or line break.
    let ends_sentence = |i: usize, c: char| {
        c == '\n'
            || matches!(c, '.' | '!' | '?' | ';')
                && before[i + 1..]
                    .trim_start_matches(['\'', '"', '’', '”', '`'])
                    .starts_with(char::is_whitespace)
    };
    let clause = before
        .char_indices()
        .rfind(|&(i, c)| ends_sentence(i, c))
        .map_or(before, |(i, _)| &before[i + 1..]);
    let last_word = clause
        .split(|c: char| !c.is_alphanumeric())
        .rfind(|w| !w.is_empty())
        .unwrap_or("");
    let last = |cues: &Regex| cues.find_iter(clause).last().map(|m| m.end());
    // The cue nearest the expression governs it.
    let future_cue = match (last(&rules().future), last(&rules().past)) {
        (Some(future), Some(past)) => future > past,
        (future, _) => future.is_some(),
    };
    if matches!(
        last_word.to_lowercase().as_str(),
        "by" | "until" | "till" | "before"
    ) || future_cue
    {
        Direction::Future
    } else {
        Direction::Unmarked
    }
}

/// Matches that look like expressions and are not: an age ("52 years
/// old"), a rate ("$1.76 a year", "700 seats a week"), a number with
/// decimals ("2082.1").
fn is_false_match(text: &str, rule: Rule, start: usize, end: usize) -> bool {
    let after = &text[end..];
    let before = text[..start].trim_end();
    let lower = text[start..end].to_lowercase();
    match rule {
        Rule::AdjectiveLength => after.starts_with("-old"),
        Rule::Length => {
            if after.trim_start().starts_with("old") {
                return true;
            }
            // "a week" after an amount: "$1.76 a year", "700 seats a week".
            let per = ["a ", "an ", "per "].iter().any(|w| lower.starts_with(w));
            let amount = before.rsplit(char::is_whitespace).take(2).any(|w| {
                w.chars().any(|c| c.is_ascii_digit())
                    || matches!(
                        w.to_lowercase().as_str(),
                        "million" | "billion" | "thousand" | "percent" | "times" | "cents"
                    )
            });
            per && amount
        }
        // "Jan Kavan", "April Ryan": a month alone before a capitalised
        // word is a first name, unless a preposition of time says it is a
        // month ("in June President Bush").
        Rule::Month if !lower.contains(char::is_whitespace) => {
            let next = after
                .strip_prefix(' ')
                .unwrap_or("")
                .split(|c: char| !c.is_alphabetic())
                .next()
                .unwrap_or("");
            let named = next.starts_with(char::is_uppercase)
                && month_number(next).is_none()
                && weekday(&next.to_lowercase()).is_none();
            let word_before = neighbour(before.split(|c: char| !c.is_alphanumeric()).rev());
            named && !TIME_PREPOSITIONS.contains(&word_before.as_str())
        }
        Rule::Year => {
            let mut rest = after.chars();
            let decimal =
                matches!(rest.next(), Some('.' | ',')) && rest.next().is_some_and(|c| c.is_ascii_digit());
            decimal || before.ends_with('$')
        }
        _ => false,
    }
}

/// How far around an expression its neighbouring words are looked for.
const NEIGHBOUR_BYTES: usize = 40;

/// Up to `bytes` of `text` before byte `at`.
fn window_before(text: &str, at: usize, bytes: usize) -> &str {
    let mut from = at.saturating_sub(bytes);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    &text[from..at]
}

/// Up to `bytes` of `text` after byte `at`.
fn window_after(text: &str, at: usize, bytes: usize) -> &str {
    let mut to = (at + bytes).min(text.len());
    while !text.is_char_boundary(to) {
        to -= 1;
    }
    &text[at..to]
}

/// The first word `words` yields, lower case.
fn neighbour<'a>(mut words: impl Iterator<Item = &'a str>) -> String {
    words.find(|w| !w.is_empty()).unwrap_or("").to_lowercase()
}

/// The expressions the rules `admit` lets in find in `text`.
fn extract_with(text: &str, published: Option<NaiveDate>, admit: &dyn Fn(Rule) -> bool) -> Vec<Timex> {
    let mut out = Vec::new();
    let mut ctx = Context {
        published,
        reference: None,
        quarter: None,
        direction: Direction::Unmarked,
        word_before: String::new(),
        word_after: String::new(),
    };
    let mut chars_before = 0;
    let mut last_byte = 0;
    let rules = rules();
    for found in rules.all.find_iter(text) {
        let Some(at) = rules.each.matches(found.as_str()).iter().next() else {
            continue;
        };
        let rule = BRANCHES[at].0;
        if !admit(rule) {
            continue;
        }
        let (start, end) = (found.start(), found.end());
        if is_false_match(text, rule, start, end) {
            continue;
        }
        ctx.direction = direction_at(text, start);
        let (before, after) = (
            window_before(text, start, NEIGHBOUR_BYTES),
            window_after(text, end, NEIGHBOUR_BYTES),
        );
        ctx.word_before = neighbour(before.split(|c: char| !c.is_alphanumeric()).rev());
        ctx.word_after = neighbour(after.split(|c: char| !c.is_alphanumeric()));
        let Some(read) = normalise(rule, found.as_str(), &ctx) else {
            continue;
        };
        if read.date.is_some() {
            ctx.reference = read.date;
        }
        if read.quarter.is_some() {
            ctx.quarter = read.quarter;
        }
        chars_before += text[last_byte..start].chars().count();
        let first = chars_before;
        let last = first + found.as_str().chars().count();
        chars_before = last;
        last_byte = end;
        out.push(Timex {
            text: found.as_str().to_string(),
            start: first,
            end: last,
            kind: read.kind,
            value: read.value,
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

    fn assert_has(v: &[(String, String)], expect: &[(&str, &str)]) {
        for (t, val) in expect {
            assert!(
                v.contains(&(t.to_string(), val.to_string())),
                "{t} = {val}: {v:?}"
            );
        }
    }

    #[test]
    fn weekdays_and_anaphora_resolve_against_the_publication_date() {
        let v = values(
            "The mutiny began late on Friday. On Saturday morning he spoke. Later that day it ended. On Sunday talks were held about June 24.",
            "2023-06-26",
        );
        assert_has(
            &v,
            &[
                ("late on Friday", "2023-06-23"),
                ("Saturday morning", "2023-06-24TMO"),
                ("Later that day", "2023-06-24"),
                ("Sunday", "2023-06-25"),
                ("June 24", "2023-06-24"),
            ],
        );
    }

    #[test]
    fn calendar_dates_deictics_and_durations() {
        let v = values(
            "On 24 June 2023, a year after March 2022, prices fell for five years; last week was calm, yesterday too, in the last twenty four hours.",
            "2023-06-26",
        );
        assert_has(
            &v,
            &[
                ("24 June 2023", "2023-06-24"),
                ("March 2022", "2022-03"),
                ("five years", "P5Y"),
                ("last week", "2023-W25"),
                ("yesterday", "2023-06-25"),
                ("the last twenty four hours", "PT24H"),
            ],
        );
    }

    #[test]
    fn offsets_are_characters_and_may_alone_is_a_verb() {
        let text = "“Déjà vu” on Friday; it may rain.";
        let t = extract(text, NaiveDate::from_ymd_opt(2023, 6, 26));
        assert_eq!(t.len(), 1, "{t:?}");
        let chars: Vec<char> = text.chars().collect();
        assert_eq!(chars[t[0].start..t[0].end].iter().collect::<String>(), "Friday");
        assert_eq!(t[0].kind, TimexKind::Date);
    }

    #[test]
    fn a_clause_about_what_is_to_come_reads_forward() {
        // Published on a Wednesday in November.
        let v = values(
            "Talks are scheduled to resume Monday. The king met Bush on Monday. The dividend is payable Jan. 2 to holders of record. The plant will reopen in February. It closed in February.",
            "1989-11-01",
        );
        assert_has(
            &v,
            &[
                ("Monday", "1989-11-06"),
                ("Monday", "1989-10-30"),
                ("Jan. 2", "1990-01-02"),
                ("February", "1990-02"),
                ("February", "1989-02"),
            ],
        );
        let v = values(
            "Shares fell last Wednesday, and the board meets next Wednesday.",
            "1989-11-01",
        );
        assert_has(
            &v,
            &[("last Wednesday", "1989-10-25"), ("next Wednesday", "1989-11-08")],
        );
    }

    #[test]
    fn the_tense_nearest_the_expression_decides() {
        // Published on a Thursday in January.
        let v = values(
            "They said they would appeal the decision, announced Wednesday by the agency. \
             His father could come as early as Tuesday. The court ordered the return by Jan. 5.",
            "2000-01-06",
        );
        assert_has(
            &v,
            &[
                // "announced" is nearer than "would": a report of the past.
                ("Wednesday", "2000-01-05"),
                ("Tuesday", "2000-01-11"),
                // A deadline just gone is this year's, not next year's.
                ("Jan. 5", "2000-01-05"),
            ],
        );
    }

    #[test]
    fn a_clock_time_alone_or_with_its_zone_and_date() {
        // Published on a Thursday.
        let v = values(
            "He was shot at 10 p.m. as he stood. The offer runs until 5 p.m. EST Nov. 9. They left at 4 a.m. EDT Thursday.",
            "1989-11-02",
        );
        assert_has(
            &v,
            &[
                ("10 p.m", "1989-11-02T22:00"),
                ("5 p.m. EST Nov. 9", "1989-11-09T17:00"),
                ("4 a.m. EDT Thursday", "1989-11-02T04:00"),
            ],
        );
    }

    #[test]
    fn holidays_fall_on_their_day_of_the_year_meant() {
        let v = values(
            "He was found last Thanksgiving. It will be a theme from now to Election Day. Christmas Eve was quiet.",
            "2000-02-10",
        );
        assert_has(
            &v,
            &[
                ("last Thanksgiving", "1999-11-25"),
                ("Election Day", "2000-11-07"),
                // Months ahead and nothing pointing forward: last year's.
                ("Christmas Eve", "1999-12-24"),
            ],
        );
        assert_eq!(holiday_in("easter", 2024), NaiveDate::from_ymd_opt(2024, 3, 31));
        assert_eq!(
            holiday_in("memorial day", 2023),
            NaiveDate::from_ymd_opt(2023, 5, 29)
        );
        assert_eq!(holiday_in("labor day", 2023), NaiveDate::from_ymd_opt(2023, 9, 4));
    }

    #[test]
    fn a_month_before_a_name_is_a_first_name() {
        let v = values(
            "Foreign Minister Jan Kavan said so, and April Ryan agreed. In June President Bush visited.",
            "1999-03-12",
        );
        assert_eq!(v, vec![("June".to_string(), "1998-06".to_string())]);
    }

    #[test]
    fn offsets_from_publication_and_from_the_reference_day() {
        let v = values(
            "Two years ago the plant opened; six weeks ago it closed, and 10 days ago it was sold. On March 2 the deal closed; three days later it fell apart.",
            "1998-03-22",
        );
        assert_has(
            &v,
            &[
                ("Two years ago", "1996"),
                ("six weeks ago", "1998-W06"),
                ("10 days ago", "1998-03-12"),
                ("three days later", "1998-03-05"),
            ],
        );
    }

    #[test]
    fn a_quarterly_report_reads_its_periods_against_the_quarter_it_reports() {
        let v = values(
            "Net income rose in the third quarter to $5 million from $3 million a year ago. In the year-earlier quarter, sales were flat. The quarter was strong.",
            "1989-11-02",
        );
        assert_has(
            &v,
            &[
                ("the third quarter", "1989-Q3"),
                ("a year ago", "1988-Q3"),
                ("the year-earlier quarter", "1988-Q3"),
                ("The quarter", "1989-Q3"),
            ],
        );
        // Without a quarter named, "the quarter" is the last one completed.
        let v = values("Profit fell in the latest quarter.", "1998-05-14");
        assert_has(&v, &[("the latest quarter", "1998-Q1")]);
    }

    #[test]
    fn clock_times_decades_words_years_and_sets() {
        let v = values(
            "He was taken at 10 p.m. Wednesday and freed at noon Thursday. Prices peaked in the late 1970s, a high last seen in the 20th century, in January nineteen ninety-seven and before the year two thousand. Flights leave each Thursday; reports come every month. Now the talks go on.",
            "1998-02-13",
        );
        assert_has(
            &v,
            &[
                ("10 p.m. Wednesday", "1998-02-11T22:00"),
                ("noon Thursday", "1998-02-12T12:00"),
                ("the late 1970s", "197"),
                ("the 20th century", "19"),
                ("January nineteen ninety-seven", "1997-01"),
                ("the year two thousand", "2000"),
                ("each Thursday", "XXXX-WXX-4"),
                ("every month", "P1M"),
                ("Now", "PRESENT_REF"),
            ],
        );
    }

    #[test]
    fn ages_rates_and_decimals_are_not_expressions() {
        let v = values(
            "Mr. Reupke, 52 years old, pays $1.76 a year on 700 seats a week; the index closed at 2082.1 after the past three months.",
            "1989-11-02",
        );
        let texts: Vec<&str> = v.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(texts, ["the past three months"], "{v:?}");
        assert_eq!(v[0].1, "P3M");
    }

    #[test]
    fn kinds_serialise_as_timex3_types() {
        let t = extract(
            "He spoke for two days, every week, on Saturday morning.",
            NaiveDate::from_ymd_opt(2023, 6, 26),
        );
        let kinds: Vec<&str> = t.iter().map(|t| t.kind.as_str()).collect();
        assert_eq!(kinds, ["DURATION", "SET", "TIME"]);
        let json = serde_json::to_value(&t[0]).unwrap();
        assert_eq!(json["type"], "DURATION");
    }
    #[test]
    fn may_after_a_preposition_and_a_fiscal_year_ended() {
        let v = values(
            "Prices may rise. Sales peaked in May and fell last May; for the year ended March 31, net rose.",
            "1989-11-02",
        );
        assert_has(
            &v,
            &[("May", "1989-05"), ("last May", "1989-05"), ("the year", "P1Y")],
        );
        assert!(!v.iter().any(|(t, _)| t == "may"), "{v:?}");
    }
}
