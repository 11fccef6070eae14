//! The Similar Posts index the benchmarks score: built as the product
//! builds it, with entities linked across the articles when a tagger is
//! at hand, so a benchmark measures what users get.

use storyline_core::{Article, EntityTerm};
use storyline_extract::linking::Catalog;
use storyline_extract::ner::Tagger;
use storyline_relate::{ArticleIndex, IndexOptions};

/// The index of `articles`; with a tagger, each article's linked
/// entities (found on `threads` threads) join its names.
pub fn index(
    articles: &[Article],
    options: &IndexOptions,
    tagger: Option<&Tagger>,
    threads: usize,
) -> ArticleIndex {
    let terms = entity_terms(articles, tagger, threads);
    ArticleIndex::build_linked(articles.iter().cloned().zip(terms), options.clone())
}

/// Each article's linked entities (none without a tagger).
pub fn entity_terms(articles: &[Article], tagger: Option<&Tagger>, threads: usize) -> Vec<Vec<EntityTerm>> {
    let Some(tagger) = tagger else {
        return vec![Vec::new(); articles.len()];
    };
    let catalog = Catalog::build_entities(tagger, articles, threads);
    articles.iter().map(|a| catalog.terms_of(&a.id)).collect()
}
