//! One article analysed: every kind of fact the crate extracts, read in
//! the order they depend on each other (entities, then quotes and
//! statements that need speakers, times, then events that need dates).
//!
//! Callers (the CLI, the server, benchmarks) take this whole record rather
//! than chaining the steps themselves.

use crate::entities::{self, Entity};
use crate::events::{self, Event};
use crate::ner::Tagger;
use crate::quotes::{self, Quote};
use crate::statements::{self, Statement};
use crate::timex::{self, Timex};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use storyline_core::sentence::sentence_spans;
use storyline_core::Deadline;

/// What one text says, each item with character offsets into it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Analysis {
    pub entities: Vec<Entity>,
    pub quotes: Vec<Quote>,
    pub statements: Vec<Statement>,
    pub timexes: Vec<Timex>,
    pub events: Vec<Event>,
    /// Set when the analysis stopped at its time budget: what it left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unfinished: Option<Unfinished>,
}

/// A stage of the analysis that can be left out, in the order they run
/// (times are always read: they come first and are cheap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Entities,
    Statements,
    Quotes,
    Events,
}

/// How far an analysis that ran out of time got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unfinished {
    /// The time budget it had, in milliseconds.
    pub budget_ms: u64,
    /// The character offset up to which names were read (facts past it
    /// are missing); the text's length when the names were all read.
    pub names_read_to: usize,
    /// The stages that did not run at all.
    pub left_out: Vec<Stage>,
}

/// Analyses `text` published on `published` (relative dates need it).
/// Without a tagger there are no entities, so no speakers: quotes,
/// statements and events are left out, times are still found.
pub fn analyse(tagger: Option<&Tagger>, text: &str, published: Option<NaiveDate>) -> Analysis {
    analyse_within(tagger, text, published, &Deadline::none())
}

/// Like [`analyse`], within a time budget: the deadline is looked at
/// between stages and between the sentences the tagger reads, so the
/// overshoot is one sentence or one stage. What was found in time is kept;
/// [`Analysis::unfinished`] says what is missing.
pub fn analyse_within(
    tagger: Option<&Tagger>,
    text: &str,
    published: Option<NaiveDate>,
    deadline: &Deadline,
) -> Analysis {
    let timexes = timex::extract(text, published);
    let Some(tagger) = tagger else {
        return Analysis {
            timexes,
            ..Analysis::default()
        };
    };
    let unfinished = |names_read_to: usize, left_out: Vec<Stage>| Unfinished {
        budget_ms: u64::try_from(deadline.budget().as_millis()).unwrap_or(u64::MAX),
        names_read_to,
        left_out,
    };
    if deadline.passed() {
        return Analysis {
            timexes,
            unfinished: Some(unfinished(
                0,
                vec![Stage::Entities, Stage::Statements, Stage::Quotes, Stage::Events],
            )),
            ..Analysis::default()
        };
    }
    // Every stage reads the text sentence by sentence.
    let sentences = sentence_spans(text);
    let (entities, names_stopped) = entities::extract_over(tagger, text, &sentences, deadline);
    let mut left_out = Vec::new();
    let mut unless_late = |stage: Stage| {
        let late = deadline.passed();
        if late {
            left_out.push(stage);
        }
        !late
    };
    let statements = if unless_late(Stage::Statements) {
        statements::extract_over(text, &sentences, &entities)
    } else {
        Vec::new()
    };
    let quotes = if unless_late(Stage::Quotes) {
        quotes::extract_over(text, &sentences, &entities, &statements)
    } else {
        Vec::new()
    };
    let events = if unless_late(Stage::Events) {
        events::extract_over(text, &sentences, &entities, &timexes)
    } else {
        Vec::new()
    };
    let unfinished = (names_stopped.is_some() || !left_out.is_empty())
        .then(|| unfinished(names_stopped.unwrap_or_else(|| text.chars().count()), left_out));
    Analysis {
        quotes,
        statements,
        events,
        entities,
        timexes,
        unfinished,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ner::Trainer;
    use std::time::Duration;

    fn toy_tagger() -> Tagger {
        let words = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        let data = [
            (
                words("Putin met Lukashenko in Minsk ."),
                words("B-PER O B-PER O B-LOC O"),
            ),
            (
                words("Reuters reported from Moscow ."),
                words("B-ORG O O B-LOC O"),
            ),
        ];
        let mut trainer = Trainer::new();
        for _ in 0..10 {
            trainer
                .epoch(data.iter().map(|(t, g)| (t.as_slice(), g.as_slice())))
                .unwrap();
        }
        trainer.finish()
    }

    const TEXT: &str = "Putin met Lukashenko in Minsk on Friday. “We agreed,” Putin said.";

    #[test]
    fn a_budget_that_is_spent_keeps_the_times_and_says_what_is_missing() {
        let tagger = toy_tagger();
        let published = NaiveDate::from_ymd_opt(2023, 6, 26);
        let late = analyse_within(Some(&tagger), TEXT, published, &Deadline::after(Duration::ZERO));
        assert_eq!(
            late.timexes.len(),
            1,
            "Friday is read before the clock is looked at"
        );
        assert!(late.entities.is_empty() && late.quotes.is_empty());
        let unfinished = late.unfinished.expect("said");
        assert_eq!(unfinished.budget_ms, 0);
        assert_eq!(unfinished.names_read_to, 0);
        assert_eq!(
            unfinished.left_out,
            vec![Stage::Entities, Stage::Statements, Stage::Quotes, Stage::Events]
        );
        let in_time = analyse_within(
            Some(&tagger),
            TEXT,
            published,
            &Deadline::after(Duration::from_secs(60)),
        );
        assert!(in_time.unfinished.is_none());
        assert!(!in_time.entities.is_empty());
        let full = analyse(Some(&tagger), TEXT, published);
        assert_eq!(
            serde_json::to_value(&full).unwrap(),
            serde_json::to_value(&in_time).unwrap()
        );
    }

    #[test]
    fn names_stop_at_a_sentence_when_the_time_is_up() {
        let tagger = toy_tagger();
        let (entities, stopped) = entities::extract_within(&tagger, TEXT, &Deadline::after(Duration::ZERO));
        assert!(entities.is_empty());
        assert_eq!(stopped, Some(0));
        let (entities, stopped) = entities::extract_within(&tagger, TEXT, &Deadline::none());
        assert_eq!(stopped, None);
        assert!(entities.iter().any(|e| e.name == "Putin"), "{entities:?}");
    }
}
