//! An in-memory inverted index with BM25F scoring over title, lead and body.
//!
//! Each article is cut into index terms (see `storyline_core::terms`) per
//! field; a term's frequency in a document is the field-weighted sum, so a
//! word in the headline counts more than one deep in the body, as BM25F
//! prescribes. The index also keeps each document's own term vector so that a
//! stored article can be turned into a query ("more like this") without
//! re-reading it. It is built from a store in one pass and replaced, not
//! patched, when the store changes.

use std::collections::HashMap;
use storyline_core::terms::Analyzer;
use storyline_core::{Article, Published};

/// Weights and BM25 parameters.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    pub title_weight: f32,
    pub lead_weight: f32,
    pub body_weight: f32,
    pub k1: f32,
    pub b: f32,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            title_weight: 3.0,
            lead_weight: 1.5,
            body_weight: 1.0,
            k1: 1.2,
            b: 0.75,
        }
    }
}

/// What the index keeps of an article besides its terms.
#[derive(Debug, Clone)]
pub struct DocInfo {
    pub id: String,
    pub title: String,
    pub published: Option<Published>,
    pub source: Option<String>,
    pub lang: Option<String>,
    pub content_hash: String,
}

pub struct LexicalIndex {
    options: IndexOptions,
    docs: Vec<DocInfo>,
    by_id: HashMap<String, u32>,
    term_ids: HashMap<String, u32>,
    /// A readable word for each term (the first surface form seen).
    surface: Vec<String>,
    /// Term → (doc, weighted term frequency), docs ascending.
    postings: Vec<Vec<(u32, f32)>>,
    /// Doc → (term, weighted term frequency).
    forward: Vec<Vec<(u32, f32)>>,
    doc_len: Vec<f32>,
    avg_len: f32,
}

impl LexicalIndex {
    /// Indexes `articles`; a later article with an id already seen replaces nothing
    /// (ids are unique in a store).
    pub fn build(articles: impl IntoIterator<Item = Article>, options: IndexOptions) -> LexicalIndex {
        let mut index = LexicalIndex {
            options,
            docs: Vec::new(),
            by_id: HashMap::new(),
            term_ids: HashMap::new(),
            surface: Vec::new(),
            postings: Vec::new(),
            forward: Vec::new(),
            doc_len: Vec::new(),
            avg_len: 0.0,
        };
        for a in articles {
            index.add(&a);
        }
        let total: f32 = index.doc_len.iter().sum();
        index.avg_len = if index.docs.is_empty() {
            1.0
        } else {
            (total / index.docs.len() as f32).max(1.0)
        };
        index
    }

    fn add(&mut self, a: &Article) {
        if self.by_id.contains_key(&a.id) {
            return;
        }
        let doc = self.docs.len() as u32;
        let analyzer = Analyzer::shared(a.lang.as_deref());
        let mut tf: HashMap<u32, f32> = HashMap::new();
        let lead = a.lead();
        let body_rest = a.text.replacen(lead, "", 1);
        let fields = [
            (a.title.as_str(), self.options.title_weight),
            (lead, self.options.lead_weight),
            (body_rest.as_str(), self.options.body_weight),
        ];
        let mut len = 0.0;
        for (text, weight) in fields {
            analyzer.for_each_term(text, |word, term| {
                let next = self.term_ids.len() as u32;
                let t = *self.term_ids.entry(term).or_insert_with(|| {
                    self.surface.push(word.to_string());
                    self.postings.push(Vec::new());
                    next
                });
                *tf.entry(t).or_default() += weight;
                len += weight;
            });
        }
        let mut terms: Vec<(u32, f32)> = tf.into_iter().collect();
        terms.sort_unstable_by_key(|&(t, _)| t);
        for &(t, f) in &terms {
            self.postings[t as usize].push((doc, f));
        }
        self.forward.push(terms);
        self.doc_len.push(len);
        self.by_id.insert(a.id.clone(), doc);
        self.docs.push(DocInfo {
            id: a.id.clone(),
            title: a.title.clone(),
            published: a.published,
            source: a.source.clone(),
            lang: a.lang.clone(),
            content_hash: a.content_hash.clone(),
        });
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    pub fn doc(&self, doc: u32) -> &DocInfo {
        &self.docs[doc as usize]
    }

    pub fn doc_of(&self, id: &str) -> Option<u32> {
        self.by_id.get(id).copied()
    }

    pub fn docs(&self) -> impl Iterator<Item = (u32, &DocInfo)> {
        self.docs.iter().enumerate().map(|(i, d)| (i as u32, d))
    }

    /// The readable form of a term.
    pub fn surface(&self, term: u32) -> &str {
        &self.surface[term as usize]
    }

    /// Inverse document frequency (BM25's, floored at a small positive value).
    pub fn idf(&self, term: u32) -> f32 {
        let n = self.docs.len() as f32;
        let df = self.postings[term as usize].len() as f32;
        ((n - df + 0.5) / (df + 0.5) + 1.0).ln().max(1e-3)
    }

    /// The `max_terms` most distinctive terms of a stored document, with
    /// query weights (tf·idf), as a "more like this" query.
    pub fn query_for(&self, doc: u32, max_terms: usize) -> Vec<(u32, f32)> {
        let mut q: Vec<(u32, f32)> = self.forward[doc as usize]
            .iter()
            .filter(|&&(t, _)| self.postings[t as usize].len() > 1)
            .map(|&(t, tf)| (t, (1.0 + tf.ln()) * self.idf(t)))
            .collect();
        q.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        q.truncate(max_terms);
        q
    }

    /// BM25F contribution of each query term to each matching document.
    /// Calls `f(doc, term, contribution)`.
    pub fn score_terms(&self, query: &[(u32, f32)], mut f: impl FnMut(u32, u32, f32)) {
        let IndexOptions { k1, b, .. } = self.options;
        for &(t, qw) in query {
            let idf = self.idf(t);
            for &(doc, tf) in &self.postings[t as usize] {
                let norm = k1 * (1.0 - b + b * self.doc_len[doc as usize] / self.avg_len);
                f(doc, t, qw * idf * tf * (k1 + 1.0) / (tf + norm));
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use storyline_core::ArticleDraft;

    pub(crate) fn article(id: &str, title: &str, text: &str) -> Article {
        ArticleDraft {
            id: Some(id.into()),
            title: Some(title.into()),
            text: text.into(),
            lang: Some("en".into()),
            ..Default::default()
        }
        .finish()
        .unwrap()
    }

    #[test]
    fn queries_pick_distinctive_shared_terms() {
        let idx = LexicalIndex::build(
            vec![
                article(
                    "a",
                    "Wagner mutiny ends",
                    "Prigozhin halted the mutiny near Moscow.",
                ),
                article(
                    "b",
                    "Prigozhin leaves",
                    "The Wagner chief Prigozhin left for Belarus.",
                ),
                article("c", "Rates rise", "The central bank raised interest rates."),
            ],
            IndexOptions::default(),
        );
        let a = idx.doc_of("a").unwrap();
        let q = idx.query_for(a, 10);
        let words: Vec<_> = q.iter().map(|&(t, _)| idx.surface(t)).collect();
        assert!(
            words.contains(&"wagner") && words.contains(&"prigozhin"),
            "{words:?}"
        );
        assert!(
            !words.contains(&"mutiny"),
            "terms only in the query doc cannot match others"
        );
        let mut hit_b = 0.0;
        idx.score_terms(&q, |doc, _, s| {
            if idx.doc(doc).id == "b" {
                hit_b += s
            }
        });
        assert!(hit_b > 0.0);
    }
}
