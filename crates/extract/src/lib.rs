//! Extraction: what an article says, as facts with evidence.
//!
//! So far this holds the named-entity tagger (`ner`): an averaged perceptron
//! over word, shape, affix and context features, trained on CoNLL-2003 by
//! `storyline train ner` and loaded from a file at run time. Mapping tags
//! onto article text, quotes, statements, times and events come next.

pub mod entities;
pub mod ner;
pub mod quotes;
pub mod timex;
