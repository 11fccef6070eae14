//! Extraction: what an article says, as facts with evidence.
//!
//! The named-entity tagger (`ner`) is an averaged perceptron over word,
//! shape, affix and context features, trained on CoNLL-2003 by `storyline
//! train ner` and loaded from a file at run time. `entities` maps its tags
//! onto article text; `quotes`, `statements`, `timex` and `events` read the
//! rest; `analysis` runs them all on one text; `linking` joins the entities
//! of many articles into one catalogue.

pub mod analysis;
pub mod entities;
pub mod events;
pub mod linking;
mod mentions;
pub mod ner;
pub mod quotes;
pub mod statements;
pub mod timex;

/// A fingerprint of the analysis code (this crate's and `storyline-core`'s
/// sources, hashed by `build.rs`): a build that may analyse differently
/// does not reuse what an older one kept, and one that cannot, does.
pub const CODE_FINGERPRINT: &str = env!("STORYLINE_ANALYSIS_CODE");

pub use analysis::{analyse, analyse_within, Analysis, Stage, Unfinished};
