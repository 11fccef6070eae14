//! Named-entity recognition: IOB2 tags (PER, ORG, LOC, MISC) for tokens.
//!
//! `features` turns a token in context into hashed features; `classes`
//! learns word classes from unlabelled text for them, `casing` how that
//! text usually writes each word, and `gazetteer` holds lists of names of
//! a kind (together, the [`Lexicon`]); `model` is the
//! averaged structured perceptron with beam search (training, tagging,
//! saving, loading); `spans` reads entities out of tags and scores them as
//! conlleval does.

pub mod casing;
pub mod classes;
pub mod features;
pub mod gazetteer;
pub mod model;
pub mod spans;

use casing::Casing;
use classes::WordClasses;
use gazetteer::Gazetteer;

pub use model::{ModelError, Tagger, Trainer, WordScores};
pub use spans::{entities, EntityScores, Span, SpanMeter};

/// The tags, in the order the model's weight rows use.
pub const TAGS: [&str; 9] = [
    "O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC",
];

/// The index of `tag` in [`TAGS`].
pub fn tag_index(tag: &str) -> Option<usize> {
    TAGS.iter().position(|t| *t == tag)
}

/// Whether `next` may follow `prev` in IOB2: an `I-X` only continues an `X`.
pub fn allowed(prev: usize, next: usize) -> bool {
    let n = TAGS[next];
    match n.strip_prefix("I-") {
        None => true,
        Some(kind) => TAGS[prev].len() > 2 && &TAGS[prev][2..] == kind,
    }
}

/// What the tagger knows of words beyond its training sentences: their
/// classes and usual case, learned from unlabelled text, and the lists
/// they are on. It travels in the model file with the weights learned
/// over it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lexicon {
    pub classes: WordClasses,
    pub casing: Casing,
    pub gazetteer: Gazetteer,
}
