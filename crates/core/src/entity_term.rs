//! An article's linked entity as the relating stages see it: a canonical
//! id, a readable name and a mention count.
//!
//! Extraction (`storyline_extract::linking`) decides which names in which
//! articles are one real thing; the Similar Posts index and story
//! clustering only need the outcome, so "Prigozhin", "Evgeny Prigozhin" and
//! "Evgeniy Prigozhin" in three articles meet as one term. This type is
//! that outcome and nothing more.

use serde::{Deserialize, Serialize};

/// One entity an article names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityTerm {
    /// The canonical id across articles ("ent-…").
    pub id: String,
    /// The readable form shown as a reason ("Yevgeny Prigozhin").
    pub name: String,
    /// How often the article names it.
    pub mentions: usize,
    /// How the article writes it, lower-cased ("prigozhin", "evgeny prigozhin").
    pub forms: Vec<String>,
}
