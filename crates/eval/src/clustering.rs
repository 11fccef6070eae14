//! Clustering metrics for stories: BCubed precision, recall and F1 (Bagga &
//! Baldwin 1998, item-averaged), the adjusted Rand index (Hubert & Arabie
//! 1985) and normalised mutual information (arithmetic-mean normalisation,
//! as scikit-learn's default). Inputs are one label per item for the gold
//! standard and for the system; items without a gold label are skipped by
//! the caller.

use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ClusteringScores {
    pub bcubed_p: f64,
    pub bcubed_r: f64,
    pub bcubed_f1: f64,
    pub ari: f64,
    pub nmi: f64,
}

/// Scores `system` against `gold` (same length, one label per item).
pub fn score<G: Eq + std::hash::Hash, S: Eq + std::hash::Hash>(gold: &[G], system: &[S]) -> ClusteringScores {
    assert_eq!(gold.len(), system.len(), "one system label per gold label");
    let n = gold.len();
    if n == 0 {
        return ClusteringScores::default();
    }
    let g = dense(gold);
    let s = dense(system);
    let mut joint: HashMap<(usize, usize), usize> = HashMap::new();
    for i in 0..n {
        *joint.entry((g[i], s[i])).or_default() += 1;
    }
    let gold_sizes = sizes(&g);
    let system_sizes = sizes(&s);
    // BCubed: for item i, precision = |gold(i) ∩ sys(i)| / |sys(i)|, recall
    // = the same over |gold(i)|; averaged over items.
    let (mut p, mut r) = (0.0, 0.0);
    for i in 0..n {
        let both = joint[&(g[i], s[i])] as f64;
        p += both / system_sizes[s[i]] as f64;
        r += both / gold_sizes[g[i]] as f64;
    }
    let (p, r) = (p / n as f64, r / n as f64);
    ClusteringScores {
        bcubed_p: p,
        bcubed_r: r,
        bcubed_f1: if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 },
        ari: ari(n, &joint, &gold_sizes, &system_sizes),
        nmi: nmi(n, &joint, &gold_sizes, &system_sizes),
    }
}

fn dense<T: Eq + std::hash::Hash>(labels: &[T]) -> Vec<usize> {
    let mut ids: HashMap<&T, usize> = HashMap::new();
    labels
        .iter()
        .map(|l| {
            let next = ids.len();
            *ids.entry(l).or_insert(next)
        })
        .collect()
}

fn sizes(labels: &[usize]) -> Vec<usize> {
    let mut sizes = vec![0; labels.iter().max().map_or(0, |m| m + 1)];
    for &l in labels {
        sizes[l] += 1;
    }
    sizes
}

fn pairs(x: usize) -> f64 {
    (x * x.saturating_sub(1)) as f64 / 2.0
}

fn ari(n: usize, joint: &HashMap<(usize, usize), usize>, a: &[usize], b: &[usize]) -> f64 {
    let index: f64 = joint.values().map(|&c| pairs(c)).sum();
    let sum_a: f64 = a.iter().map(|&c| pairs(c)).sum();
    let sum_b: f64 = b.iter().map(|&c| pairs(c)).sum();
    let expected = sum_a * sum_b / pairs(n).max(1.0);
    let max = (sum_a + sum_b) / 2.0;
    if (max - expected).abs() < f64::EPSILON {
        // Both partitions trivial in the same way: perfect agreement.
        return 1.0;
    }
    (index - expected) / (max - expected)
}

fn nmi(n: usize, joint: &HashMap<(usize, usize), usize>, a: &[usize], b: &[usize]) -> f64 {
    let n = n as f64;
    let entropy = |sizes: &[usize]| -> f64 {
        sizes
            .iter()
            .filter(|&&c| c > 0)
            .map(|&c| {
                let p = c as f64 / n;
                -p * p.ln()
            })
            .sum()
    };
    let mi: f64 = joint
        .iter()
        .map(|(&(i, j), &c)| {
            let c = c as f64;
            c / n * (c * n / (a[i] as f64 * b[j] as f64)).ln()
        })
        .sum();
    let (ha, hb) = (entropy(a), entropy(b));
    if ha + hb == 0.0 {
        return 1.0;
    }
    (2.0 * mi / (ha + hb)).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_clustering_scores_one() {
        let s = score(&["a", "a", "b", "c"], &[7, 7, 1, 2]);
        assert_eq!((s.bcubed_p, s.bcubed_r, s.bcubed_f1), (1.0, 1.0, 1.0));
        assert!((s.ari - 1.0).abs() < 1e-12 && (s.nmi - 1.0).abs() < 1e-12);
    }

    #[test]
    fn known_values() {
        // Gold {0,1,2} {3,4}; system {0,1} {2,3,4}.
        let s = score(&[0, 0, 0, 1, 1], &[0, 0, 1, 1, 1]);
        // Precision: items 0,1: 2/2; 2: 1/3; 3,4: 2/3 -> (1+1+1/3+2/3+2/3)/5.
        assert!((s.bcubed_p - (11.0 / 3.0) / 5.0).abs() < 1e-12);
        // Recall: 0,1: 2/3; 2: 1/3; 3,4: 2/2 -> (2/3+2/3+1/3+1+1)/5.
        assert!((s.bcubed_r - (11.0 / 3.0) / 5.0).abs() < 1e-12);
        // ARI: index = C(2,2)+C(1,2)+C(1,2)+C(2,2) = 2; sums 3+1 = 4 and 1+3 = 4;
        // expected 4*4/10 = 1.6; max 4 -> (2-1.6)/(4-1.6) = 1/6.
        assert!((s.ari - 1.0 / 6.0).abs() < 1e-12, "{}", s.ari);
        assert!(s.nmi > 0.0 && s.nmi < 1.0);
    }

    #[test]
    fn all_in_one_cluster_has_full_recall_low_precision() {
        let s = score(&[0, 0, 1, 1], &[0, 0, 0, 0]);
        assert_eq!(s.bcubed_r, 1.0);
        assert_eq!(s.bcubed_p, 0.5);
        assert_eq!(s.nmi, 0.0);
    }
}
