//! Similar Posts: for one article, the stored articles most like it.
//!
//! The article's strongest terms in each space (words and names) are run
//! against the index; a candidate's score is its words cosine plus the
//! weighted names cosine, scaled down with the gap between publication dates
//! (only the `time_weight` share decays, with a half-life), so an older
//! article on the same story still ranks, below a fresh one.
//!
//! Copies are never shown twice: near-duplicates (syndicated copies, light
//! rewrites; see `near_duplicates`) form groups, the list shows the best
//! member of each group and names the others under `duplicates`. Copies of
//! the article itself are one such group, marked `near_duplicate` (readers
//! see "same report"; scorers still count them) and also named at the top level. Every item says why it is there: the shared names and words that
//! weighed most, the date gap, and the score parts. Ties break by id, so the
//! output is reproducible.

use crate::index::ArticleIndex;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use storyline_core::Published;

/// How many shared terms (per space) an explanation names.
const WHY_TERMS: usize = 5;

/// Why an article is in another's Similar Posts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Why {
    /// Shared names (people, places, organisations) that weighed most.
    pub names: Vec<String>,
    /// Shared words that weighed most, strongest first.
    pub terms: Vec<String>,
    /// Days from the article to this one (positive: published later).
    pub days_apart: Option<i64>,
    /// Cosine of the word vectors.
    pub words_score: f32,
    /// Cosine of the name vectors.
    pub names_score: f32,
    /// The factor (at most 1) the date gap applied.
    pub time_factor: f32,
    /// This item is a near-duplicate (copy or light rewrite) of the article itself.
    pub near_duplicate: bool,
}

impl Why {
    /// The compact reason shown to readers: "Wagner · Prigozhin · 2 days later".
    pub fn compact(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if self.near_duplicate {
            parts.push("same report".into());
        }
        parts.extend(self.names.iter().take(3).cloned());
        if parts.is_empty() {
            parts.extend(self.terms.iter().take(3).cloned());
        }
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

#[derive(Default)]
struct Candidate {
    words: f32,
    names: f32,
    word_terms: Vec<(u32, f32)>,
    name_terms: Vec<(u32, f32)>,
}

struct Scored {
    doc: u32,
    score: f32,
    time_factor: f32,
    candidate: Candidate,
}

impl ArticleIndex {
    /// The `k` best Similar Posts of the stored article `id`, or `None` when
    /// the index does not hold it.
    pub fn similar(&self, id: &str, k: usize) -> Option<SimilarPosts> {
        let me = self.doc_of(id)?;
        let o = &self.options;
        let (words_q, names_q) = (
            self.words.query(me, o.query_terms),
            self.names.query(me, o.query_terms),
        );
        let mut acc = self.candidates(&words_q, &names_q);
        if o.feedback_docs > 0 {
            let feedback = self.feedback(me, &acc);
            let words_q = self
                .words
                .expand(&words_q, &feedback, o.feedback_weight, o.query_terms * 2);
            let names_q = self
                .names
                .expand(&names_q, &feedback, o.feedback_weight, o.query_terms * 2);
            acc = self.candidates(&words_q, &names_q);
        }
        let mut scored: Vec<Scored> = Vec::new();
        for (doc, c) in acc {
            if doc == me {
                continue;
            }
            let time_factor = self.time_factor(me, doc);
            let score = (c.words + self.options.names_weight * c.names) * time_factor;
            scored.push(Scored {
                doc,
                score,
                time_factor,
                candidate: c,
            });
        }
        scored.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| self.doc(a.doc).id.cmp(&self.doc(b.doc).id))
        });
        let similar = self.group_copies(me, scored, k);
        Some(SimilarPosts {
            id: id.to_string(),
            similar,
            duplicates: self.copies_of(me),
        })
    }

    fn candidates(&self, words_q: &[(u32, f32)], names_q: &[(u32, f32)]) -> HashMap<u32, Candidate> {
        let mut acc: HashMap<u32, Candidate> = HashMap::new();
        self.words.score(words_q, |doc, term, s| {
            let c = acc.entry(doc).or_default();
            c.words += s;
            c.word_terms.push((term, s));
        });
        self.names.score(names_q, |doc, term, s| {
            let c = acc.entry(doc).or_default();
            c.names += s;
            c.name_terms.push((term, s));
        });
        acc
    }

    /// The first pass's best documents (not the article, not its copies).
    fn feedback(&self, me: u32, acc: &HashMap<u32, Candidate>) -> Vec<u32> {
        let my_group = self.canonical(me);
        let mut first: Vec<(u32, f32)> = acc
            .iter()
            .filter(|(&d, _)| self.canonical(d) != my_group)
            .map(|(&d, c)| {
                (
                    d,
                    (c.words + self.options.names_weight * c.names) * self.time_factor(me, d),
                )
            })
            .collect();
        first.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        first
            .into_iter()
            .take(self.options.feedback_docs)
            .map(|(d, _)| d)
            .collect()
    }

    /// 1 for the same day (or an unknown date), falling towards
    /// `1 - time_weight` as the gap grows.
    fn time_factor(&self, a: u32, b: u32) -> f32 {
        match days_between(self.doc(a).published, self.doc(b).published) {
            Some(days) => {
                let o = &self.options;
                let decay = 0.5f32.powf(days.unsigned_abs() as f32 / o.time_half_life_days.max(f32::EPSILON));
                1.0 - o.time_weight + o.time_weight * decay
            }
            None => 1.0,
        }
    }

    /// Keeps the best member of each copy group, up to `k` groups.
    fn group_copies(&self, me: u32, scored: Vec<Scored>, k: usize) -> Vec<SimilarPost> {
        let mut shown: Vec<SimilarPost> = Vec::new();
        let mut shown_group: HashMap<u32, usize> = HashMap::new();
        let max_score = 1.0 + self.options.names_weight;
        for s in scored {
            let info = self.doc(s.doc);
            if let Some(&g) = shown_group.get(&self.canonical(s.doc)) {
                shown[g].duplicates.push(info.id.clone());
                continue;
            }
            if shown.len() == k {
                continue;
            }
            shown_group.insert(self.canonical(s.doc), shown.len());
            let Candidate {
                words,
                names,
                mut word_terms,
                mut name_terms,
            } = s.candidate;
            shown.push(SimilarPost {
                id: info.id.clone(),
                title: info.title.clone(),
                published: info.published,
                score: (s.score / max_score).min(1.0),
                why: Why {
                    names: strongest(&mut name_terms, |t| self.names.surface(t)),
                    terms: strongest(&mut word_terms, |t| self.words.surface(t)),
                    days_apart: days_between(self.doc(me).published, info.published),
                    words_score: words,
                    names_score: names,
                    time_factor: s.time_factor,
                    near_duplicate: self.canonical(s.doc) == self.canonical(me),
                },
                duplicates: Vec::new(),
            });
        }
        shown
    }
}

fn strongest<'a>(terms: &mut [(u32, f32)], surface: impl Fn(u32) -> &'a str) -> Vec<String> {
    terms.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    terms
        .iter()
        .take(WHY_TERMS)
        .map(|&(t, _)| surface(t).to_string())
        .collect()
}

fn days_between(from: Option<Published>, to: Option<Published>) -> Option<i64> {
    let (from, to) = (from?, to?);
    Some((to.day() - from.day()).num_days())
}

#[cfg(test)]
mod tests {
    use crate::index::tests::article;
    use crate::{ArticleIndex, IndexOptions};
    use storyline_core::Published;

    fn corpus() -> ArticleIndex {
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
        ArticleIndex::build(
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
        let mut s = idx.similar("a", 5).unwrap();
        let ids: Vec<_> = s.similar.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, vec!["a-copy", "b", "d"], "the bank story shares nothing");
        assert!(
            s.similar[0].why.near_duplicate,
            "the article's own copy comes first, marked"
        );
        assert!(s.similar[0].why.compact().starts_with("same report"));
        assert_eq!(s.duplicates, vec!["a-copy"]);
        s.similar.remove(0);
        assert!(!s.similar[0].why.near_duplicate);
        assert_eq!(s.similar[0].duplicates, vec!["b-copy"]);
        assert_eq!(s.similar[0].why.days_apart, Some(2));
        assert!(
            s.similar[0].why.compact().ends_with("2 days later"),
            "{}",
            s.similar[0].why.compact()
        );
        assert!(
            s.similar[0].why.names.contains(&"Prigozhin".to_string()),
            "{:?}",
            s.similar[0].why
        );
        assert!(s.similar[0].why.words_score > 0.0 && s.similar[0].why.names_score > 0.0);
        assert!(s.similar[0].why.time_factor < 1.0 && s.similar[0].why.time_factor > 0.8);
        assert!(s.similar[0].score > 0.0 && s.similar[0].score <= 1.0);
        assert!(s.similar[0].score >= s.similar[1].score);
    }

    #[test]
    fn k_limits_and_unknown_ids_are_none() {
        let idx = corpus();
        assert_eq!(idx.similar("a", 1).unwrap().similar.len(), 1);
        assert_eq!(
            idx.similar("a", 2).unwrap().similar[1].duplicates,
            vec!["b-copy"],
            "copies do not use up k"
        );
        assert!(idx.similar("nope", 5).is_none());
    }

    #[test]
    fn output_is_deterministic() {
        let a = serde_json::to_string(&corpus().similar("d", 5)).unwrap();
        let b = serde_json::to_string(&corpus().similar("d", 5)).unwrap();
        assert_eq!(a, b);
    }
}
