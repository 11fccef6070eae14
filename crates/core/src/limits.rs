//! The bounds every input is held to, and the names they are reported by.
//!
//! storyline reads text from the open web, where a document is sometimes
//! broken and sometimes built to hurt. Each bound here turns "as large as
//! the input" into "at most this much": past a bound, the input is cut or
//! flattened with a warning, or rejected with a reason, and the rest of the
//! batch goes on. This module owns the settings and their defaults; the
//! stages that enforce them (ingest's readers, the HTML pruner, the feed
//! reader, analysis) take a [`Limits`] and report a [`Limit`] when one is
//! reached. Reading the settings from flags, environment and config file is
//! the binary's job.

use serde::Serialize;
use std::fmt;
use std::time::{Duration, Instant};

/// The bounds one run applies; [`Limits::default`] is what a user gets
/// without saying otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of one input file or stdin read whole (JSON Lines are streamed
    /// and held one line at a time instead); a larger one is rejected.
    /// Fetching has its own limit on a response body.
    pub file_bytes: u64,
    /// Bytes of one request body the server takes (a POST of articles).
    pub body_bytes: usize,
    /// Bytes of one JSON Lines record; a longer line is rejected with its
    /// line number, the other lines are read.
    pub line_bytes: usize,
    /// Bytes of text one article keeps; a longer text is cut at the last
    /// paragraph or word boundary before it.
    pub text_bytes: usize,
    /// How deep HTML elements nest before deeper tags are flattened (their
    /// text kept); browsers and html5ever walk their open-element stack per
    /// tag, so unbounded nesting costs quadratic time.
    pub html_depth: usize,
    /// Entries read from one RSS, Atom or JSON feed; the rest are left out.
    /// Feeds carry the latest few dozen; tens of thousands are an archive
    /// dump or an attack, and each item becomes an article to analyse and
    /// place in a story.
    pub feed_entries: usize,
    /// Time one document may take in extraction and in analysis, each; past
    /// it the work stops at its next check and keeps what it has.
    pub document_time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            file_bytes: 256 * 1024 * 1024,
            body_bytes: 32 * 1024 * 1024,
            line_bytes: 16 * 1024 * 1024,
            // Ten times a long feature story. Past it, a document is a book,
            // a dump or an attack, and every later stage pays for its length.
            text_bytes: 1 << 20,
            html_depth: 256,
            feed_entries: 10_000,
            document_time: Duration::from_secs(10),
        }
    }
}

/// Which bound was reached, for warnings and the ingest summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    FileBytes,
    BodyBytes,
    LineBytes,
    TextBytes,
    HtmlDepth,
    FeedEntries,
    DocumentTime,
}

impl Limit {
    /// The flag that sets this bound (the environment variable is
    /// `STORYLINE_` and the flag's name in capitals, the config key the
    /// flag's name with underscores).
    pub fn flag(self) -> &'static str {
        match self {
            Limit::FileBytes => "--max-file-size",
            Limit::BodyBytes => "--max-body-size",
            Limit::LineBytes => "--max-line-size",
            Limit::TextBytes => "--max-text-size",
            Limit::HtmlDepth => "--max-html-depth",
            Limit::FeedEntries => "--max-feed-entries",
            Limit::DocumentTime => "--document-time",
        }
    }

    /// The bound's value in `limits`, as a user would write it.
    pub fn value_in(self, limits: &Limits) -> String {
        match self {
            Limit::FileBytes => limits.file_bytes.to_string(),
            Limit::BodyBytes => limits.body_bytes.to_string(),
            Limit::LineBytes => limits.line_bytes.to_string(),
            Limit::TextBytes => limits.text_bytes.to_string(),
            Limit::HtmlDepth => limits.html_depth.to_string(),
            Limit::FeedEntries => limits.feed_entries.to_string(),
            Limit::DocumentTime => format!("{}ms", limits.document_time.as_millis()),
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Limit::FileBytes => "file size",
            Limit::BodyBytes => "request body size",
            Limit::LineBytes => "line size",
            Limit::TextBytes => "text size",
            Limit::HtmlDepth => "HTML depth",
            Limit::FeedEntries => "feed entries",
            Limit::DocumentTime => "document time",
        })
    }
}

/// A point in time past which one document's work stops. Checked
/// cooperatively: a stage calls [`Deadline::passed`] between units of work
/// (chunks of a page, sentences of a text), so the overshoot is one unit.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    at: Option<Instant>,
    budget: Duration,
}

impl Deadline {
    /// `budget` from now.
    pub fn after(budget: Duration) -> Deadline {
        Deadline {
            at: Instant::now().checked_add(budget),
            budget,
        }
    }

    /// No deadline (for tools that want every result however long it takes).
    pub fn none() -> Deadline {
        Deadline {
            at: None,
            budget: Duration::MAX,
        }
    }

    /// Whether the time is up.
    pub fn passed(&self) -> bool {
        self.at.is_some_and(|at| Instant::now() >= at)
    }

    /// The budget this deadline was set with.
    pub fn budget(&self) -> Duration {
        self.budget
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_pass_once_their_budget_is_spent() {
        assert!(Deadline::after(Duration::ZERO).passed());
        assert!(!Deadline::after(Duration::from_secs(3600)).passed());
        assert!(!Deadline::none().passed());
        // A budget too large for the clock never passes rather than panicking.
        assert!(!Deadline::after(Duration::MAX).passed());
    }

    #[test]
    fn every_limit_names_its_flag_and_value() {
        let limits = Limits::default();
        for limit in [
            Limit::FileBytes,
            Limit::BodyBytes,
            Limit::LineBytes,
            Limit::TextBytes,
            Limit::HtmlDepth,
            Limit::FeedEntries,
            Limit::DocumentTime,
        ] {
            assert!(limit.flag().starts_with("--"));
            assert!(!limit.value_in(&limits).is_empty());
        }
        assert_eq!(Limit::DocumentTime.value_in(&limits), "10000ms");
    }
}
