//! Small charts drawn on the server as inline SVG: a story's articles per
//! day and an entity's mentions over time (a sparkline).
//!
//! This module owns the drawing only: callers give dated counts, and the
//! SVG holds nothing but numbers and dates this module formats, so it is
//! safe to place in a page as it is. No script, no style sheet needed.

use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::fmt::Write;

/// How many bars a chart may have before days are pooled into weeks (and
/// weeks into months).
const MAX_BARS: i64 = 90;

/// Counts per bucket of `days` (one count per dated item): by day when the
/// span is short, else by week, else by 30-day period. Returns the bucket
/// starts with their counts, empty buckets included, and the bucket length.
fn buckets(days: &[NaiveDate]) -> (Vec<(NaiveDate, usize)>, i64) {
    let (Some(&first), Some(&last)) = (days.iter().min(), days.iter().max()) else {
        return (Vec::new(), 1);
    };
    let span = (last - first).num_days() + 1;
    let size = [1, 7, 30, 365]
        .into_iter()
        .find(|s| (span + s - 1) / s <= MAX_BARS)
        .unwrap_or(365);
    let mut counts: BTreeMap<i64, usize> = (0..(span + size - 1) / size).map(|b| (b, 0)).collect();
    for d in days {
        *counts.entry((*d - first).num_days() / size).or_default() += 1;
    }
    let out = counts
        .into_iter()
        .map(|(b, n)| (first + chrono::Duration::days(b * size), n))
        .collect();
    (out, size)
}

/// A bar chart of `days` (one entry per dated article or mention), `width`
/// by `height` pixels, with the first and last dates written under it and
/// a title per bar for hover. `None` when nothing is dated.
pub fn bars(days: &[NaiveDate], width: u32, height: u32, what: &str) -> Option<String> {
    let (counts, size) = buckets(days);
    if counts.is_empty() {
        return None;
    }
    let max = counts.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1) as f64;
    let plot = f64::from(height) - 16.0;
    let step = f64::from(width) / counts.len() as f64;
    let bar = (step - 1.0).max(1.0);
    let unit = match size {
        1 => "day",
        7 => "week from",
        30 => "30 days from",
        _ => "year from",
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{what} per {unit}</title>"##
    );
    for (i, (start, n)) in counts.iter().enumerate() {
        let h = (*n as f64 / max * plot).max(if *n > 0 { 2.0 } else { 0.0 });
        let _ = write!(
            svg,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#4a6fa5"><title>{} {}: {}</title></rect>"##,
            i as f64 * step,
            plot - h,
            bar,
            h,
            unit,
            start.format("%-d %b %Y"),
            n
        );
    }
    let (first, last) = (counts[0].0, counts[counts.len() - 1].0);
    let _ = write!(
        svg,
        r##"<text x="0" y="{height}" font-size="11" fill="#555">{}</text><text x="{width}" y="{height}" font-size="11" fill="#555" text-anchor="end">{}</text></svg>"##,
        first.format("%-d %b %Y"),
        last.format("%-d %b %Y")
    );
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn days_then_weeks_and_every_bucket_drawn() {
        let days = [day("2023-06-24"), day("2023-06-24"), day("2023-06-26")];
        let (b, size) = buckets(&days);
        assert_eq!(size, 1);
        assert_eq!(
            b,
            [
                (day("2023-06-24"), 2),
                (day("2023-06-25"), 0),
                (day("2023-06-26"), 1)
            ]
        );
        let (b, size) = buckets(&[day("2023-01-01"), day("2023-12-31")]);
        assert_eq!(size, 7);
        assert_eq!(b.iter().map(|(_, n)| n).sum::<usize>(), 2);
        let svg = bars(&days, 300, 80, "Articles").unwrap();
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(bars(&[], 300, 80, "Articles").is_none());
    }
}
