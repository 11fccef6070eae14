//! Each article's extraction (entities, quotes, statements, times,
//! events), computed once and kept in the store.
//!
//! Analysing an article takes milliseconds; a page view must take far less,
//! and the entity catalogue needs every article's analysis whenever the
//! store changes. So analyses are kept in the store under a key of what
//! they were computed from: the article's text and date, the analysis code
//! (a fingerprint of its sources, made at build time) and the tagger's model. A
//! kept analysis whose key no longer matches is computed again and
//! replaced. This module owns that bookkeeping; analysing is
//! `storyline-extract`'s, and keeping is the store's. When the work is done
//! (on arrival, by `Engine::catch_up`) is the engine's.

use std::time::Duration;
use storyline_core::{Article, Deadline};
use storyline_extract::ner::Tagger;
use storyline_extract::Analysis;
use storyline_store::{Store, StoreError};
use xxhash_rust::xxh3::Xxh3;

/// How many fresh analyses are written per transaction.
const WRITE_BATCH: usize = 512;

/// What analyses are computed with: the analysis code and the tagger's
/// model (which make the key they are kept under), and the time one
/// article's analysis may take (which does not: an analysis cut short is
/// kept and says so in `unfinished`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Analyser {
    fingerprint: u64,
    budget: Duration,
}

impl Analyser {
    pub fn new(tagger: Option<&Tagger>, budget: Duration) -> Analyser {
        let mut hasher = Xxh3::new();
        hasher.update(storyline_extract::CODE_FINGERPRINT.as_bytes());
        hasher.update(&tagger.map_or(0, Tagger::fingerprint).to_le_bytes());
        Analyser {
            fingerprint: hasher.digest(),
            budget,
        }
    }

    /// What analyses are computed with, as the engine records it beside
    /// its progress: a new one means every kept analysis is stale.
    pub fn fingerprint(self) -> String {
        format!("{:016x}", self.fingerprint)
    }

    /// The key an analysis of `article` is kept under.
    pub fn key(self, article: &Article) -> String {
        let mut hasher = Xxh3::new();
        hasher.update(&self.fingerprint.to_le_bytes());
        hasher.update(article.text.as_bytes());
        hasher.update(&[0]);
        if let Some(p) = article.published {
            hasher.update(&p.day_number().to_le_bytes());
        }
        format!("{:016x}", hasher.digest())
    }
}

/// Analyses one article within the analyser's time budget.
pub(crate) fn analyse(tagger: Option<&Tagger>, analyser: Analyser, article: &Article) -> Analysis {
    let deadline = Deadline::after(analyser.budget);
    let analysis = storyline_extract::analyse_within(
        tagger,
        &article.text,
        article.published.map(|p| p.day()),
        &deadline,
    );
    if let Some(u) = &analysis.unfinished {
        tracing::warn!(
            "{}: analysis stopped at its time budget of {} ms (--document-time): names read to character {} of {}, left out: {:?}; what it found is kept",
            article.id,
            u.budget_ms,
            u.names_read_to,
            article.text.chars().count(),
            u.left_out
        );
    }
    analysis
}

/// The kept analysis of `article` under `key`, if any and readable.
pub(crate) fn kept(store: &dyn Store, article: &Article, key: &str) -> Result<Option<Analysis>, StoreError> {
    Ok(store
        .analysis(&article.id, key)?
        .and_then(|json| serde_json::from_str(&json).ok()))
}

/// The analysis of one article: kept, else computed and kept; and whether
/// it was computed.
pub fn analysis_of(
    store: &mut dyn Store,
    tagger: Option<&Tagger>,
    analyser: Analyser,
    article: &Article,
) -> Result<(Analysis, bool), StoreError> {
    let key = analyser.key(article);
    if let Some(found) = kept(store, article, &key)? {
        return Ok((found, false));
    }
    let fresh = analyse(tagger, analyser, article);
    store.put_analyses(&[row(&article.id, key, &fresh)], None)?;
    Ok((fresh, true))
}

/// The row an analysis is kept as: (article id, key, JSON).
pub(crate) fn row(article_id: &str, key: String, analysis: &Analysis) -> (String, String, String) {
    let json = serde_json::to_string(analysis).expect("analyses serialise");
    (article_id.to_string(), key, json)
}

/// The analyses of `articles`, in order: those kept are read, the others
/// computed on `threads` threads and kept; and how many were computed.
pub fn analyses_of(
    store: &mut dyn Store,
    tagger: Option<&Tagger>,
    analyser: Analyser,
    articles: &[Article],
    threads: usize,
) -> Result<(Vec<Analysis>, usize), StoreError> {
    let keys: Vec<String> = articles.iter().map(|a| analyser.key(a)).collect();
    let mut found: Vec<Option<Analysis>> = articles
        .iter()
        .zip(&keys)
        .map(|(a, key)| kept(store, a, key))
        .collect::<Result<_, _>>()?;
    let missing: Vec<usize> = (0..articles.len()).filter(|&i| found[i].is_none()).collect();
    for batch in missing.chunks(WRITE_BATCH * threads.max(1)) {
        let fresh = storyline_core::parallel::map_in_order(batch, threads, |&i| {
            analyse(tagger, analyser, &articles[i])
        });
        let rows: Vec<(String, String, String)> = batch
            .iter()
            .zip(&fresh)
            .map(|(&i, analysis)| row(&articles[i].id, keys[i].clone(), analysis))
            .collect();
        store.put_analyses(&rows, None)?;
        for (&i, analysis) in batch.iter().zip(fresh) {
            found[i] = Some(analysis);
        }
    }
    let analyses = found
        .into_iter()
        .map(|a| a.expect("every analysis is kept or fresh"))
        .collect();
    Ok((analyses, missing.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::article;
    use storyline_store::SqliteStore;

    #[test]
    fn analyses_are_kept_and_recomputed_when_the_text_changes() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(dir.path()).unwrap();
        let a = article("a", "On Sunday the talks resumed. They ended on Monday.");
        store.upsert(std::slice::from_ref(&a)).unwrap();
        let analyser = Analyser::new(None, std::time::Duration::from_secs(10));
        let (first, computed) = analyses_of(&mut store, None, analyser, std::slice::from_ref(&a), 2).unwrap();
        assert_eq!(computed, 1);
        assert_eq!(first[0].timexes.len(), 2);
        let key = analyser.key(&a);
        let kept_json = store.analysis("a", &key).unwrap().expect("kept");
        assert!(kept_json.contains("Sunday"));
        // Read back, not recomputed: a doctored copy under the same key wins.
        let doctored = kept_json.replace("Sunday", "Sabbath");
        store
            .put_analyses(&[("a".into(), key.clone(), doctored)], None)
            .unwrap();
        let (again, computed) = analysis_of(&mut store, None, analyser, &a).unwrap();
        assert!(!computed);
        assert_eq!(again.timexes[0].text, "Sabbath");
        // A changed text has another key: analysed afresh.
        let changed = article("a", "On Tuesday the talks resumed.");
        assert_ne!(analyser.key(&changed), key);
        let (fresh, _) = analysis_of(&mut store, None, analyser, &changed).unwrap();
        assert_eq!(fresh.timexes[0].text, "Tuesday");
        assert!(
            store.analysis("a", &key).unwrap().is_none(),
            "the stale one was replaced"
        );
    }
}
