//! What an article contributes to each vector space, and how a count
//! becomes a weight: the one definition the in-memory index
//! (`index`) and the on-disk index (`disk`) both use, so the two score
//! alike.
//!
//! Words are the article's index terms (see `storyline_core::terms`),
//! counted per field with field weights (a headline word counts more than
//! one deep in the body). Names are capitalised phrases
//! (`storyline_core::names`), numbers and codes, and the ids of the linked
//! entities the article names. Not here: the vectors themselves, their
//! storage, or queries.

use crate::near_duplicates::{signature, Signature};
use crate::IndexOptions;
use rustc_hash::{FxHashMap, FxHashSet};
use storyline_core::names::names;
use storyline_core::terms::Analyzer;
use storyline_core::{Article, EntityTerm};
use unicode_segmentation::UnicodeSegmentation;

/// The two vector spaces an article is indexed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpaceKind {
    Words,
    Names,
}

/// The sublinear tf-idf weight of a term counted `tf` times in one of `n`
/// documents, `df` of which contain it: (1 + ln tf) × (ln(n / df) + 1).
pub(crate) fn tf_idf(tf: f32, n: f32, df: f32) -> f32 {
    (1.0 + tf.ln()) * ((n / df).ln() + 1.0)
}

/// Numbers and codes ("2013", "MS08-078", "6.1") pin a story to its own
/// event as names do: two earthquakes share words, not magnitudes and years.
/// They join the names space, keyed apart from words by a `#`.
fn numbers(text: &str) -> impl Iterator<Item = (&str, String)> + '_ {
    text.unicode_words()
        .filter(|w| w.len() >= 2 && w.chars().any(|c| c.is_ascii_digit()))
        .map(|w| (w, format!("#{}", w.to_lowercase())))
}

/// Calls `count(space, surface, key, weight)` for every occurrence of a
/// term in `article`, with the linked `entities` it names: `key` is what
/// is indexed, `surface` how the text writes it (for explanations).
pub fn count_terms(
    options: &IndexOptions,
    article: &Article,
    entities: &[EntityTerm],
    mut count: impl FnMut(SpaceKind, &str, &str, f32),
) {
    let analyzer = Analyzer::shared(article.lang.as_deref());
    let lead = article.lead();
    let body_rest = article.text.replacen(lead, "", 1);
    for (text, weight) in [
        (article.title.as_str(), options.title_weight),
        (lead, options.lead_weight),
        (body_rest.as_str(), options.body_weight),
    ] {
        analyzer.for_each_term(text, |word, term| count(SpaceKind::Words, word, term, weight));
    }
    // A derived title is the text's first words: counting its names
    // again would double them.
    let titles: &[&str] = if article.title_derived {
        &[]
    } else {
        &[article.title.as_str()]
    };
    let linked = options.entity_weight > 0.0;
    let covered: FxHashSet<&str> = if linked && options.entities_replace_names > 0.0 {
        entities
            .iter()
            .flat_map(|e| &e.forms)
            .flat_map(|f| [f.as_str(), f.rsplit(' ').next().unwrap_or(f)])
            .collect()
    } else {
        FxHashSet::default()
    };
    for &text in titles.iter().chain([&article.text.as_str()]) {
        for m in names(text, &analyzer) {
            if !covered.contains(m.key.as_str()) {
                count(SpaceKind::Names, &text[m.start..m.end], &m.key, 1.0);
            }
        }
    }
    for text in [article.title.as_str(), article.text.as_str()] {
        for (surface, key) in numbers(text) {
            count(SpaceKind::Names, surface, &key, 1.0);
        }
    }
    if linked {
        for e in entities {
            // At least one: a count below one would weigh less than absence.
            let weight = (options.entity_weight * e.mentions as f32).max(1.0);
            count(SpaceKind::Names, &e.name, &format!("@{}", e.id), weight);
        }
    }
}

/// One article's terms counted, before they join an index's vocabulary:
/// per space (words, names) each term's key, its first surface form and
/// its summed weight, in the order the terms first occur; and the text's
/// near-duplicate signature. Counting needs nothing shared, so articles
/// are counted on every core. The terms are kept in one buffer (a few
/// kilobytes an article), since story placing keeps the counts of every
/// article in its window between rounds.
pub struct Counted {
    /// Each term's key, then its surface form when that differs.
    text: String,
    spaces: [Vec<CountedTerm>; 2],
    pub(crate) signature: Signature,
}

/// Where a counted term's key and surface are in [`Counted`]'s buffer.
struct CountedTerm {
    start: u32,
    key_len: u32,
    /// 0 when the surface is the key.
    surface_len: u32,
    weight: f32,
}

impl Counted {
    pub fn of(options: &IndexOptions, article: &Article, entities: &[EntityTerm]) -> Counted {
        let mut text = String::new();
        let mut spaces: [Vec<CountedTerm>; 2] = Default::default();
        let mut at: [FxHashMap<String, usize>; 2] = Default::default();
        count_terms(options, article, entities, |space, surface, key, weight| {
            let (terms, at) = (&mut spaces[space as usize], &mut at[space as usize]);
            match at.get(key) {
                Some(&i) => terms[i].weight += weight,
                None => {
                    at.insert(key.to_string(), terms.len());
                    let start = text.len() as u32;
                    text.push_str(key);
                    let surface_len = if surface == key {
                        0
                    } else {
                        text.push_str(surface);
                        surface.len() as u32
                    };
                    terms.push(CountedTerm {
                        start,
                        key_len: key.len() as u32,
                        surface_len,
                        weight,
                    });
                }
            }
        });
        text.shrink_to_fit();
        spaces.iter_mut().for_each(Vec::shrink_to_fit);
        Counted {
            text,
            spaces,
            signature: signature(&article.text),
        }
    }

    /// The distinct term keys of space `kind`, in the order they first occur.
    pub fn keys(&self, kind: SpaceKind) -> impl Iterator<Item = &str> + '_ {
        self.terms(kind).map(|(key, _, _)| key)
    }

    /// The terms of space `kind`: key, surface and summed weight, in the
    /// order they first occur.
    pub(crate) fn terms(&self, kind: SpaceKind) -> impl Iterator<Item = (&str, &str, f32)> + '_ {
        self.spaces[kind as usize].iter().map(|t| {
            let start = t.start as usize;
            let key_end = start + t.key_len as usize;
            let key = &self.text[start..key_end];
            let surface = match t.surface_len {
                0 => key,
                n => &self.text[key_end..key_end + n as usize],
            };
            (key, surface, t.weight)
        })
    }
}
