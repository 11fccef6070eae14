//! The baselines every Similar Posts figure is printed beside.
//!
//! Both read the same terms as storyline (title and text, stop words removed,
//! stemmed), so a difference in scores comes from ranking, not tokenising.
//! - `TfIdfCosine`: sublinear tf (1 + ln tf) times idf (ln(N/df) + 1), L2
//!   normalised, exact cosine against every other article.
//! - `Bm25Plain`: BM25 (k1 1.2, b 0.75) over one field, the whole article as
//!   the query, no re-ranking.

use std::collections::HashMap;
use storyline_core::terms::Analyzer;
use storyline_core::Article;

/// Term ids and counts per document, shared by both baselines.
struct Corpus {
    docs: Vec<Vec<(u32, f32)>>,
    postings: Vec<Vec<(u32, f32)>>,
    lens: Vec<f32>,
}

impl Corpus {
    fn new(articles: &[Article]) -> Corpus {
        let mut vocab: HashMap<String, u32> = HashMap::new();
        let mut docs = Vec::with_capacity(articles.len());
        let mut lens = Vec::with_capacity(articles.len());
        for a in articles {
            let analyzer = Analyzer::shared(a.lang.as_deref());
            let mut tf: HashMap<u32, f32> = HashMap::new();
            let mut len = 0.0;
            for text in [a.title.as_str(), a.text.as_str()] {
                analyzer.for_each_term(text, |_, term| {
                    let id = match vocab.get(term) {
                        Some(&id) => id,
                        None => {
                            let id = vocab.len() as u32;
                            vocab.insert(term.to_string(), id);
                            id
                        }
                    };
                    *tf.entry(id).or_default() += 1.0;
                    len += 1.0;
                });
            }
            let mut v: Vec<(u32, f32)> = tf.into_iter().collect();
            v.sort_unstable_by_key(|&(t, _)| t);
            docs.push(v);
            lens.push(len);
        }
        let mut postings = vec![Vec::new(); vocab.len()];
        for (d, v) in docs.iter().enumerate() {
            for &(t, f) in v {
                postings[t as usize].push((d as u32, f));
            }
        }
        Corpus { docs, postings, lens }
    }

    fn df(&self, t: u32) -> f32 {
        self.postings[t as usize].len() as f32
    }
}

/// Keeps the `k` best (score, doc) pairs, best first, ties by doc index.
fn top_k(scores: HashMap<u32, f32>, exclude: usize, k: usize) -> Vec<usize> {
    let mut v: Vec<(u32, f32)> = scores
        .into_iter()
        .filter(|&(d, s)| d as usize != exclude && s > 0.0)
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v.into_iter().take(k).map(|(d, _)| d as usize).collect()
}

/// Exact TF-IDF cosine similarity.
pub struct TfIdfCosine {
    /// Normalised weights per document.
    weights: Vec<Vec<(u32, f32)>>,
    /// Postings with normalised weights.
    postings: Vec<Vec<(u32, f32)>>,
}

impl TfIdfCosine {
    pub fn new(articles: &[Article]) -> TfIdfCosine {
        let corpus = Corpus::new(articles);
        let n = articles.len() as f32;
        let weights: Vec<Vec<(u32, f32)>> = corpus
            .docs
            .iter()
            .map(|v| {
                let w: Vec<(u32, f32)> = v
                    .iter()
                    .map(|&(t, tf)| (t, (1.0 + tf.ln()) * ((n / corpus.df(t)).ln() + 1.0)))
                    .collect();
                let norm = w.iter().map(|(_, x)| x * x).sum::<f32>().sqrt().max(f32::EPSILON);
                w.into_iter().map(|(t, x)| (t, x / norm)).collect()
            })
            .collect();
        let mut postings = vec![Vec::new(); corpus.postings.len()];
        for (d, v) in weights.iter().enumerate() {
            for &(t, w) in v {
                postings[t as usize].push((d as u32, w));
            }
        }
        TfIdfCosine { weights, postings }
    }

    /// The normalised weights of document `doc`, terms ascending.
    pub fn vector(&self, doc: usize) -> &[(u32, f32)] {
        &self.weights[doc]
    }

    /// The `k` documents with the highest cosine to document `doc`.
    pub fn rank(&self, doc: usize, k: usize) -> Vec<usize> {
        let mut scores: HashMap<u32, f32> = HashMap::new();
        for &(t, w) in &self.weights[doc] {
            for &(d, w2) in &self.postings[t as usize] {
                *scores.entry(d).or_default() += w * w2;
            }
        }
        top_k(scores, doc, k)
    }
}

/// BM25 with the whole document as the query.
pub struct Bm25Plain {
    corpus: Corpus,
    avg_len: f32,
}

impl Bm25Plain {
    pub fn new(articles: &[Article]) -> Bm25Plain {
        let corpus = Corpus::new(articles);
        let avg_len = (corpus.lens.iter().sum::<f32>() / corpus.lens.len().max(1) as f32).max(1.0);
        Bm25Plain { corpus, avg_len }
    }

    pub fn rank(&self, doc: usize, k: usize) -> Vec<usize> {
        let (k1, b) = (1.2f32, 0.75f32);
        let n = self.corpus.docs.len() as f32;
        let mut scores: HashMap<u32, f32> = HashMap::new();
        for &(t, _) in &self.corpus.docs[doc] {
            let df = self.corpus.df(t);
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            for &(d, tf) in &self.corpus.postings[t as usize] {
                let norm = k1 * (1.0 - b + b * self.corpus.lens[d as usize] / self.avg_len);
                *scores.entry(d).or_default() += idf * tf * (k1 + 1.0) / (tf + norm);
            }
        }
        top_k(scores, doc, k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use storyline_core::ArticleDraft;

    fn a(text: &str) -> Article {
        ArticleDraft {
            text: text.into(),
            title: Some(String::new()),
            lang: Some("en".into()),
            ..Default::default()
        }
        .finish()
        .unwrap()
    }

    #[test]
    fn both_baselines_rank_the_shared_topic_first() {
        let docs = vec![
            a("Earthquake shakes the mountain villages near Marrakech."),
            a("Rescuers search villages after the Marrakech earthquake."),
            a("The central bank raised interest rates."),
            a("Interest rates rise again at the bank."),
        ];
        let t = TfIdfCosine::new(&docs);
        assert_eq!(t.rank(0, 3)[0], 1);
        assert_eq!(t.rank(2, 3)[0], 3);
        assert!(!t.rank(0, 3).contains(&0), "never the query itself");
        let b = Bm25Plain::new(&docs);
        assert_eq!(b.rank(1, 3)[0], 0);
        assert_eq!(b.rank(3, 3)[0], 2);
    }
}
