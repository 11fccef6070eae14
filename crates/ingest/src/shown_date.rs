//! The date a page shows its readers ("Published on July 18, 2025",
//! "Updated 23 Oct 2025"), for pages whose markup names none.
//!
//! Owns reading one short line of visible text as a calendar day. Which
//! lines of a page are looked at, and in what order, is `html`'s business;
//! dates in metadata, JSON-LD and addresses are read there first, because
//! a line of text is the weakest evidence of the three. Month names are
//! read in English only.

use chrono::NaiveDate;
use storyline_core::published::MONTH_NAMES;
use storyline_core::Published;

/// Lines longer than this are running text that mentions a date, not a
/// date line.
pub const MAX_LINE_CHARS: usize = 80;

/// The first calendar day written in `line`: "July 18, 2025", "18 July
/// 2025", "Jul. 18th, 2025", "2025-07-18". `None` for a line longer than
/// `MAX_LINE_CHARS` or without a whole date (a year is needed: "July 18"
/// alone could be any year).
pub fn in_line(line: &str) -> Option<Published> {
    if line.chars().count() > MAX_LINE_CHARS {
        return None;
    }
    let tokens: Vec<&str> = line
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .filter(|t| !t.is_empty())
        .collect();
    for (i, token) in tokens.iter().enumerate() {
        if let Some(p) = iso_day(token) {
            return Some(p);
        }
        let Some(month) = month(token) else {
            continue;
        };
        let after = |k: usize| tokens.get(i + k).copied();
        // July 18, 2025
        if let (Some(d), Some(y)) = (after(1).and_then(day), after(2).and_then(year)) {
            if let Some(p) = date(y, month, d) {
                return Some(p);
            }
        }
        // 18 July 2025
        let before = i.checked_sub(1).map(|b| tokens[b]);
        if let (Some(d), Some(y)) = (before.and_then(day), after(1).and_then(year)) {
            if let Some(p) = date(y, month, d) {
                return Some(p);
            }
        }
    }
    None
}

fn iso_day(token: &str) -> Option<Published> {
    let head = token.get(..10)?;
    let b = head.as_bytes();
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    date(
        year(&head[..4])?,
        head[5..7].parse().ok()?,
        head[8..].parse().ok()?,
    )
}

/// 1 to 12 for a month's name or its abbreviation ("Sept", "oct").
fn month(token: &str) -> Option<u32> {
    if token.len() < 3 || !token.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let lower = token.to_ascii_lowercase();
    MONTH_NAMES
        .iter()
        .position(|m| m.starts_with(&lower))
        .map(|i| i as u32 + 1)
}

/// A day of the month, with or without "st", "nd", "rd", "th".
fn day(token: &str) -> Option<u32> {
    let digits = token.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &token[digits.len()..];
    if !(suffix.is_empty() || ["st", "nd", "rd", "th"].contains(&suffix)) || digits.len() > 2 {
        return None;
    }
    digits.parse().ok().filter(|d| (1..=31).contains(d))
}

fn year(token: &str) -> Option<i32> {
    (token.len() == 4)
        .then(|| token.parse().ok())
        .flatten()
        .filter(|y| (1990..=2100).contains(y))
}

fn date(y: i32, m: u32, d: u32) -> Option<Published> {
    NaiveDate::from_ymd_opt(y, m, d).map(Published::Day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day_of(line: &str) -> Option<String> {
        in_line(line).map(|p| p.day().to_string())
    }

    #[test]
    fn date_lines_in_the_forms_pages_write_them() {
        for (line, want) in [
            ("Published on July 18, 2025", "2025-07-18"),
            ("Nov 21, 2018", "2018-11-21"),
            ("Updated on 23 Oct 2025", "2025-10-23"),
            ("Last updated on: October 1, 2025", "2025-10-01"),
            ("Jul. 4th, 2024 · 5 min read", "2024-07-04"),
            ("Posted 2023-06-08T23:03", "2023-06-08"),
            ("Sept 9 2019", "2019-09-09"),
        ] {
            assert_eq!(day_of(line).as_deref(), Some(want), "{line}");
        }
    }

    #[test]
    fn no_date_without_a_whole_day_or_in_running_text() {
        for line in [
            "July 18",
            "Mark 12, 2024",
            "Founded in May 2019",
            "February 30, 2024",
            "On July 18, 2025 the council met again to discuss the long-delayed plans for the bridge.",
        ] {
            assert_eq!(day_of(line), None, "{line}");
        }
    }
}
