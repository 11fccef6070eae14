//! Entities as token spans read from IOB2 tags, and their scoring with
//! conlleval's semantics: an entity counts only when its type and both ends
//! match exactly; an `I-X` that does not continue an `X` starts one.

use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Span {
    pub kind: String,
    /// First token.
    pub start: usize,
    /// One past the last token.
    pub end: usize,
}

/// The entities in `tags`.
pub fn entities<S: AsRef<str>>(tags: &[S]) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    let mut open: Option<Span> = None;
    for (i, tag) in tags.iter().enumerate() {
        let tag = tag.as_ref();
        let (prefix, kind) = match tag.split_once('-') {
            Some((p, k)) => (p, k),
            None => ("O", ""),
        };
        let continues = prefix == "I" && open.as_ref().is_some_and(|s| s.kind == kind);
        if continues {
            if let Some(s) = open.as_mut() {
                s.end = i + 1;
            }
            continue;
        }
        out.extend(open.take());
        if prefix == "B" || prefix == "I" {
            open = Some(Span {
                kind: kind.to_string(),
                start: i,
                end: i + 1,
            });
        }
    }
    out.extend(open);
    out
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Prf {
    fn from_counts(right: usize, predicted: usize, gold: usize) -> Prf {
        let precision = if predicted == 0 {
            0.0
        } else {
            right as f64 / predicted as f64
        };
        let recall = if gold == 0 {
            0.0
        } else {
            right as f64 / gold as f64
        };
        Prf::from_rates(precision, recall)
    }

    /// Precision and recall with their harmonic mean.
    pub fn from_rates(precision: f64, recall: f64) -> Prf {
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Prf {
            precision,
            recall,
            f1,
        }
    }
}

/// Micro-averaged scores and scores per entity type.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EntityScores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub per_type: BTreeMap<String, Prf>,
}

/// Counts right, predicted and gold entities over sentences.
#[derive(Debug, Default)]
pub struct SpanMeter {
    /// Per type: (right, predicted, gold).
    counts: BTreeMap<String, (usize, usize, usize)>,
}

impl SpanMeter {
    pub fn add<S: AsRef<str>, T: AsRef<str>>(&mut self, gold: &[S], predicted: &[T]) {
        let gold = entities(gold);
        let predicted = entities(predicted);
        let gold_set: HashSet<&Span> = gold.iter().collect();
        for s in &predicted {
            let c = self.counts.entry(s.kind.clone()).or_default();
            c.1 += 1;
            if gold_set.contains(s) {
                c.0 += 1;
            }
        }
        for s in &gold {
            self.counts.entry(s.kind.clone()).or_default().2 += 1;
        }
    }

    /// Adds what `other` counted.
    pub fn merge(&mut self, other: &SpanMeter) {
        for (kind, c) in &other.counts {
            let mine = self.counts.entry(kind.clone()).or_default();
            mine.0 += c.0;
            mine.1 += c.1;
            mine.2 += c.2;
        }
    }

    pub fn scores(&self) -> EntityScores {
        let (r, p, g) = self
            .counts
            .values()
            .fold((0, 0, 0), |a, c| (a.0 + c.0, a.1 + c.1, a.2 + c.2));
        let micro = Prf::from_counts(r, p, g);
        EntityScores {
            precision: micro.precision,
            recall: micro.recall,
            f1: micro.f1,
            per_type: self
                .counts
                .iter()
                .map(|(k, c)| (k.clone(), Prf::from_counts(c.0, c.1, c.2)))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_follow_conlleval() {
        let e = entities(&["B-PER", "I-PER", "O", "I-LOC", "I-LOC", "B-ORG", "B-ORG", "I-PER"]);
        let got: Vec<(String, usize, usize)> = e.into_iter().map(|s| (s.kind, s.start, s.end)).collect();
        assert_eq!(
            got,
            vec![
                ("PER".into(), 0, 2),
                ("LOC".into(), 3, 5),
                ("ORG".into(), 5, 6),
                ("ORG".into(), 6, 7),
                ("PER".into(), 7, 8)
            ]
        );
    }

    #[test]
    fn exact_matches_only() {
        let mut m = SpanMeter::default();
        m.add(&["B-PER", "I-PER", "O", "B-LOC"], &["B-PER", "O", "O", "B-LOC"]);
        let s = m.scores();
        assert_eq!((s.precision, s.recall), (0.5, 0.5));
        assert_eq!(s.per_type["LOC"].f1, 1.0);
        assert_eq!(s.per_type["PER"].f1, 0.0);
    }
}
