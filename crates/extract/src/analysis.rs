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

/// What one text says, each item with character offsets into it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Analysis {
    pub entities: Vec<Entity>,
    pub quotes: Vec<Quote>,
    pub statements: Vec<Statement>,
    pub timexes: Vec<Timex>,
    pub events: Vec<Event>,
}

/// Analyses `text` published on `published` (relative dates need it).
/// Without a tagger there are no entities, so no speakers: quotes,
/// statements and events are left out, times are still found.
pub fn analyse(tagger: Option<&Tagger>, text: &str, published: Option<NaiveDate>) -> Analysis {
    let timexes = timex::extract(text, published);
    let Some(tagger) = tagger else {
        return Analysis {
            timexes,
            ..Analysis::default()
        };
    };
    let entities = entities::extract(tagger, text);
    let statements = statements::extract(text, &entities);
    Analysis {
        quotes: quotes::extract(text, &entities, &statements),
        statements,
        events: events::extract(text, &entities, &timexes),
        entities,
        timexes,
    }
}
