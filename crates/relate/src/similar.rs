//! Similar Posts: for one article, the stored articles most like it.
//!
//! The article's most distinctive terms become a BM25F query against the
//! index ("more like this"). Exact copies (same content hash) are never shown
//! twice: the list shows one member of each copy group and names the others
//! under `duplicates`, and copies of the article itself are named at the top
//! level instead of being listed. Every item says why it is there: the shared
//! terms that weighed most and the gap between publication dates. Scores are
//! normalised by the article's score against itself, so 1.0 means "as close
//! as the article is to itself". Ties break by id, so output is reproducible.

use crate::lexical::LexicalIndex;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use storyline_core::Published;

/// How many of an article's terms form its query.
const QUERY_TERMS: usize = 30;
/// How many shared terms an explanation names.
const WHY_TERMS: usize = 5;

/// Why an article is in another's Similar Posts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Why {
    /// The shared words that contributed most, strongest first.
    pub terms: Vec<String>,
    /// Days from the article to this one (positive: published later).
    pub days_apart: Option<i64>,
    /// The lexical (BM25F) score before normalisation.
    pub lexical: f32,
}

impl Why {
    /// The compact reason shown to readers: "wagner · prigozhin · 2 days later".
    pub fn compact(&self) -> String {
        let mut parts: Vec<String> = self.terms.iter().take(3).cloned().collect();
        match self.days_apart {
            Some(0) => parts.push("same day".into()),
            Some(1) => parts.push("1 day later".into()),
            Some(-1) => parts.push("1 day earlier".into()),
            Some(d) if d > 0 => parts.push(format!("{d} days later")),
            Some(d) => parts.push(format!("{} days earlier", -d)),
            None => {}
        }
        parts.join(" · ")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimilarPost {
    pub id: String,
    pub title: String,
    pub published: Option<Published>,
    pub score: f32,
    pub why: Why,
    /// Exact copies of this item that it stands for.
    pub duplicates: Vec<String>,
}

/// An article's Similar Posts, the shape of `storyline similar --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimilarPosts {
    pub id: String,
    pub similar: Vec<SimilarPost>,
    /// Exact copies of the article itself, which are not listed as similar.
    pub duplicates: Vec<String>,
}

struct Candidate {
    doc: u32,
    score: f32,
    terms: Vec<(u32, f32)>,
}

impl LexicalIndex {
    /// The `k` best Similar Posts of the stored article `id`, or `None` when
    /// the index does not hold it.
    pub fn similar(&self, id: &str, k: usize) -> Option<SimilarPosts> {
        let me = self.doc_of(id)?;
        let query = self.query_for(me, QUERY_TERMS);
        let mut acc: HashMap<u32, Candidate> = HashMap::new();
        self.score_terms(&query, |doc, term, s| {
            let c = acc.entry(doc).or_insert(Candidate {
                doc,
                score: 0.0,
                terms: Vec::new(),
            });
            c.score += s;
            c.terms.push((term, s));
        });
        let self_score = acc.get(&me).map_or(1.0, |c| c.score).max(f32::EPSILON);
        let my_hash = &self.doc(me).content_hash;
        let mut duplicates_of_me = Vec::new();
        let mut candidates: Vec<Candidate> = Vec::new();
        for (doc, c) in acc {
            if doc == me {
                continue;
            }
            if &self.doc(doc).content_hash == my_hash {
                duplicates_of_me.push(self.doc(doc).id.clone());
            } else {
                candidates.push(c);
            }
        }
        duplicates_of_me.sort();
        candidates.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| self.doc(a.doc).id.cmp(&self.doc(b.doc).id))
        });
        let similar = self.group_copies(me, candidates, k, self_score);
        Some(SimilarPosts {
            id: id.to_string(),
            similar,
            duplicates: duplicates_of_me,
        })
    }

    /// Keeps the best member of each copy group, up to `k` groups.
    fn group_copies(
        &self,
        me: u32,
        candidates: Vec<Candidate>,
        k: usize,
        self_score: f32,
    ) -> Vec<SimilarPost> {
        let mut shown: Vec<SimilarPost> = Vec::new();
        let mut group_of_hash: HashMap<&str, usize> = HashMap::new();
        for mut c in candidates {
            let info = self.doc(c.doc);
            if let Some(&g) = group_of_hash.get(info.content_hash.as_str()) {
                shown[g].duplicates.push(info.id.clone());
                continue;
            }
            if shown.len() == k {
                continue;
            }
            c.terms.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            group_of_hash.insert(info.content_hash.as_str(), shown.len());
            shown.push(SimilarPost {
                id: info.id.clone(),
                title: info.title.clone(),
                published: info.published,
                score: (c.score / self_score).min(1.0),
                why: Why {
                    terms: c
                        .terms
                        .iter()
                        .take(WHY_TERMS)
                        .map(|&(t, _)| self.surface(t).to_string())
                        .collect(),
                    days_apart: days_between(self.doc(me).published, info.published),
                    lexical: c.score,
                },
                duplicates: Vec::new(),
            });
        }
        shown
    }
}

fn days_between(from: Option<Published>, to: Option<Published>) -> Option<i64> {
    let (from, to) = (from?, to?);
    Some((to.day() - from.day()).num_days())
}

#[cfg(test)]
mod tests {
    use crate::lexical::tests::article;
    use crate::{IndexOptions, LexicalIndex};
    use storyline_core::Published;

    fn corpus() -> LexicalIndex {
        let mut dated = article(
            "a",
            "Wagner mutiny ends",
            "Prigozhin halted the Wagner mutiny near Moscow after talks.",
        );
        dated.published = Published::parse("2023-06-24");
        let mut b = article(
            "b",
            "Prigozhin leaves for Belarus",
            "The Wagner chief Prigozhin left Russia for Belarus after the mutiny.",
        );
        b.published = Published::parse("2023-06-26");
        let mut b_copy = b.clone();
        b_copy.id = "b-copy".into();
        let mut a_copy = dated.clone();
        a_copy.id = "a-copy".into();
        LexicalIndex::build(
            vec![
                dated,
                b,
                b_copy,
                a_copy,
                article("c", "Rates rise", "The central bank raised interest rates again."),
                article(
                    "d",
                    "Wagner fighters move",
                    "Wagner fighters moved to camps in Belarus.",
                ),
            ],
            IndexOptions::default(),
        )
    }

    #[test]
    fn related_story_first_copies_grouped_unrelated_absent() {
        let idx = corpus();
        let s = idx.similar("a", 5).unwrap();
        let ids: Vec<_> = s.similar.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, vec!["b", "d"], "the bank story shares nothing");
        assert_eq!(s.similar[0].duplicates, vec!["b-copy"]);
        assert_eq!(s.duplicates, vec!["a-copy"]);
        assert_eq!(s.similar[0].why.days_apart, Some(2));
        assert!(
            s.similar[0].why.compact().ends_with("2 days later"),
            "{}",
            s.similar[0].why.compact()
        );
        assert!(s.similar[0].why.terms.contains(&"prigozhin".to_string()));
        assert!(s.similar[0].score > 0.0 && s.similar[0].score <= 1.0);
        assert!(s.similar[0].score >= s.similar[1].score);
    }

    #[test]
    fn k_limits_and_unknown_ids_are_none() {
        let idx = corpus();
        assert_eq!(idx.similar("a", 1).unwrap().similar.len(), 1);
        assert!(idx.similar("nope", 5).is_none());
    }

    #[test]
    fn output_is_deterministic() {
        let a = serde_json::to_string(&corpus().similar("d", 5)).unwrap();
        let b = serde_json::to_string(&corpus().similar("d", 5)).unwrap();
        assert_eq!(a, b);
    }
}
