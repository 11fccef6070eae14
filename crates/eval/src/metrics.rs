//! Ranking metrics for Similar Posts, with binary relevance.
//!
//! Definitions follow the usual IR conventions: P@k divides by k (missing
//! results count as misses); R@k divides by all relevant items; AP@k divides
//! by min(|relevant|, k) so that a perfect top-k scores 1; nDCG@k uses gains
//! 1/log2(rank+1) against the ideal ranking. Queries without any relevant
//! item are not scored.

use serde::Serialize;
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct RankingScores {
    #[serde(rename = "p@1")]
    pub p1: f64,
    #[serde(rename = "p@5")]
    pub p5: f64,
    #[serde(rename = "r@10")]
    pub r10: f64,
    #[serde(rename = "map@10")]
    pub map10: f64,
    #[serde(rename = "ndcg@10")]
    pub ndcg10: f64,
}

/// Accumulates per-query scores into means.
#[derive(Debug, Default)]
pub struct RankingMeter {
    sum: RankingScores,
    queries: usize,
}

impl RankingMeter {
    /// Scores one query's `ranked` results against its `relevant` set.
    pub fn add(&mut self, ranked: &[usize], relevant: &[usize]) {
        if relevant.is_empty() {
            return;
        }
        let rel: HashSet<usize> = relevant.iter().copied().collect();
        let hit = |i: usize| ranked.get(i).is_some_and(|d| rel.contains(d));
        let hits_at = |k: usize| (0..k).filter(|&i| hit(i)).count() as f64;
        let s = &mut self.sum;
        s.p1 += hits_at(1);
        s.p5 += hits_at(5) / 5.0;
        s.r10 += hits_at(10) / rel.len() as f64;
        let mut found = 0.0;
        let mut ap = 0.0;
        let mut dcg = 0.0;
        for i in 0..10 {
            if hit(i) {
                found += 1.0;
                ap += found / (i + 1) as f64;
                dcg += 1.0 / ((i + 2) as f64).log2();
            }
        }
        let ideal_n = rel.len().min(10);
        s.map10 += ap / ideal_n as f64;
        let idcg: f64 = (0..ideal_n).map(|i| 1.0 / ((i + 2) as f64).log2()).sum();
        s.ndcg10 += dcg / idcg;
        self.queries += 1;
    }

    pub fn queries(&self) -> usize {
        self.queries
    }

    pub fn means(&self) -> RankingScores {
        let n = self.queries.max(1) as f64;
        let s = self.sum;
        RankingScores {
            p1: s.p1 / n,
            p5: s.p5 / n,
            r10: s.r10 / n,
            map10: s.map10 / n,
            ndcg10: s.ndcg10 / n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_empty_rankings() {
        let mut m = RankingMeter::default();
        m.add(&[1, 2], &[1, 2]);
        let s = m.means();
        assert_eq!((s.p1, s.r10, s.map10, s.ndcg10), (1.0, 1.0, 1.0, 1.0));
        assert!((s.p5 - 0.4).abs() < 1e-12, "two hits in five");
        let mut m = RankingMeter::default();
        m.add(&[], &[1]);
        assert_eq!(m.means(), RankingScores::default());
        m.add(&[5], &[]);
        assert_eq!(m.queries(), 1, "queries without relevant items are skipped");
    }

    #[test]
    fn average_precision_by_hand() {
        // Relevant {1,2,3}; ranking 9,1,8,2: AP = (1/2 + 2/4) / 3.
        let mut m = RankingMeter::default();
        m.add(&[9, 1, 8, 2], &[1, 2, 3]);
        let s = m.means();
        assert!((s.map10 - (0.5 + 0.5) / 3.0).abs() < 1e-12);
        assert!((s.r10 - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(s.p1, 0.0);
        let dcg = 1.0 / 3f64.log2() + 1.0 / 5f64.log2();
        let idcg = 1.0 + 1.0 / 3f64.log2() + 1.0 / 4f64.log2();
        assert!((s.ndcg10 - dcg / idcg).abs() < 1e-12);
    }
}
