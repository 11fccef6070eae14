//! Word classes learned from unlabelled text, for the tagger's features.
//!
//! A name the training data never showed ("Simmons") is still written in
//! the contexts names are written in ("Phil Simmons said", "told
//! Simmons"). Each frequent word of a corpus gets a vector of the words to
//! its left and right (positive pointwise mutual information over the most
//! frequent context words), reduced to 64 dimensions by a fixed random
//! projection, and is clustered by k-means (cosine) at four granularities:
//! 16, 64, 256 and 1,024 classes. The class ids then serve as features,
//! as Brown clusters do in Ratinov & Roth (2009), at a fraction of the
//! cost. The classes are stored in the model file; building them is part
//! of `storyline train ner --corpus …`, deterministic.

use rustc_hash::FxHashMap;

/// Words kept: seen at least this often in the corpus.
const MIN_COUNT: u32 = 3;
/// Context words: this many of the most frequent (lower case), plus "other".
const CONTEXTS: usize = 1000;
/// Dimensions after the random projection.
const DIMS: usize = 64;
/// The granularities (number of classes, bits of the packed id).
const LEVELS: [(usize, u32); 4] = [(16, 4), (64, 6), (256, 8), (1024, 10)];
const ITERATIONS: usize = 8;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct WordClasses {
    /// The class at each granularity, packed coarse to fine into 28 bits.
    classes: FxHashMap<String, u32>,
}

/// A deterministic standard-normal-like number for (dimension, plane):
/// the sum of four uniform hashes, centred.
fn direction(dim: usize, plane: usize) -> f32 {
    let mut sum = 0.0;
    for k in 0..4u64 {
        let h = xxhash_rust::xxh3::xxh3_64_with_seed(&((dim as u64) << 8 | plane as u64).to_le_bytes(), k);
        sum += (h >> 11) as f32 / (1u64 << 53) as f32;
    }
    sum - 2.0
}

/// Spherical k-means of unit `vectors` into `k` classes, started from
/// evenly spaced vectors (the input is in frequency order, so they are
/// common words of every kind); returns each vector's class.
fn kmeans(vectors: &[[f32; DIMS]], k: usize) -> Vec<u32> {
    let k = k.min(vectors.len()).max(1);
    let step = vectors.len() / k;
    let mut centres: Vec<[f32; DIMS]> = (0..k).map(|i| vectors[i * step]).collect();
    let mut assigned = vec![0u32; vectors.len()];
    for _ in 0..ITERATIONS {
        for (v, a) in vectors.iter().zip(assigned.iter_mut()) {
            let mut best = (f32::MIN, 0);
            for (c, centre) in centres.iter().enumerate() {
                let dot: f32 = v.iter().zip(centre).map(|(x, y)| x * y).sum();
                if dot > best.0 {
                    best = (dot, c);
                }
            }
            *a = best.1 as u32;
        }
        let mut sums = vec![[0f32; DIMS]; k];
        for (v, &a) in vectors.iter().zip(&assigned) {
            for (s, x) in sums[a as usize].iter_mut().zip(v) {
                *s += x;
            }
        }
        for (centre, sum) in centres.iter_mut().zip(sums) {
            let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt();
            if norm > 0.0 {
                *centre = sum.map(|x| x / norm);
            }
        }
    }
    assigned
}

impl WordClasses {
    /// Classes for the words of `sentences` (each a token list).
    pub fn build<'a>(sentences: impl Iterator<Item = &'a [String]> + Clone) -> WordClasses {
        let mut counts: FxHashMap<&str, u32> = FxHashMap::default();
        let mut lower_counts: FxHashMap<String, u32> = FxHashMap::default();
        for s in sentences.clone() {
            for t in s {
                *counts.entry(t.as_str()).or_default() += 1;
                *lower_counts.entry(t.to_lowercase()).or_default() += 1;
            }
        }
        let mut contexts: Vec<(String, u32)> = lower_counts.into_iter().collect();
        contexts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let context_id: FxHashMap<String, usize> = contexts
            .into_iter()
            .take(CONTEXTS)
            .enumerate()
            .map(|(i, (w, _))| (w, i))
            .collect();
        let ctx = |w: Option<&String>| -> usize {
            match w {
                None => CONTEXTS,
                Some(w) => context_id.get(&w.to_lowercase()).copied().unwrap_or(CONTEXTS),
            }
        };
        // Per kept word: left contexts in 0..=CONTEXTS, right ones after.
        let mut vectors: FxHashMap<&str, FxHashMap<usize, u32>> = FxHashMap::default();
        let mut context_totals = vec![0f64; 2 * (CONTEXTS + 1)];
        for s in sentences {
            for (i, t) in s.iter().enumerate() {
                if counts[t.as_str()] < MIN_COUNT {
                    continue;
                }
                let v = vectors.entry(t.as_str()).or_default();
                let left = ctx(i.checked_sub(1).and_then(|j| s.get(j)));
                let right = CONTEXTS + 1 + ctx(s.get(i + 1));
                *v.entry(left).or_default() += 1;
                *v.entry(right).or_default() += 1;
                context_totals[left] += 1.0;
                context_totals[right] += 1.0;
            }
        }
        let total: f64 = context_totals.iter().sum();
        let planes: Vec<Vec<f32>> = (0..DIMS)
            .map(|p| (0..2 * (CONTEXTS + 1)).map(|d| direction(d, p)).collect())
            .collect();
        // Most frequent first, then by form: a deterministic order.
        let mut words: Vec<(&str, FxHashMap<usize, u32>)> = vectors.into_iter().collect();
        words.sort_by(|a, b| counts[b.0].cmp(&counts[a.0]).then(a.0.cmp(b.0)));
        let dense: Vec<[f32; DIMS]> = words
            .iter()
            .map(|(_, v)| {
                let word_total: f64 = v.values().map(|&c| f64::from(c)).sum();
                let mut out = [0f32; DIMS];
                for (&d, &c) in v {
                    let pmi = (f64::from(c) * total / (word_total * context_totals[d])).ln();
                    if pmi > 0.0 {
                        for (o, plane) in out.iter_mut().zip(&planes) {
                            *o += pmi as f32 * plane[d];
                        }
                    }
                }
                let norm = out.iter().map(|x| x * x).sum::<f32>().sqrt();
                if norm > 0.0 {
                    out = out.map(|x| x / norm);
                }
                out
            })
            .collect();
        let mut packed = vec![0u32; words.len()];
        for (k, bits) in LEVELS {
            for (p, class) in packed.iter_mut().zip(kmeans(&dense, k)) {
                *p = (*p << bits) | class;
            }
        }
        let classes = words
            .into_iter()
            .zip(packed)
            .map(|((w, _), c)| (w.to_string(), c))
            .collect();
        WordClasses { classes }
    }

    /// The word's classes, coarse to fine.
    pub fn levels(&self, word: &str) -> Option<[u32; 4]> {
        let c = self.classes.get(word).copied()?;
        let mut out = [0u32; 4];
        let mut shift = 0;
        for (i, (_, bits)) in LEVELS.iter().enumerate().rev() {
            out[i] = (c >> shift) & ((1 << bits) - 1);
            shift += bits;
        }
        Some(out)
    }

    pub fn len(&self) -> usize {
        self.classes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.classes.is_empty()
    }

    /// The table as bytes: count, then (length, word, class) per word, sorted.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut words: Vec<(&String, &u32)> = self.classes.iter().collect();
        words.sort();
        let mut out = (words.len() as u64).to_le_bytes().to_vec();
        for (w, c) in words {
            let len = u16::try_from(w.len()).unwrap_or(u16::MAX);
            out.extend(len.to_le_bytes());
            out.extend(&w.as_bytes()[..len as usize]);
            out.extend(c.to_le_bytes());
        }
        out
    }

    /// Reads what [`to_bytes`](Self::to_bytes) wrote; `None` if malformed.
    pub fn from_bytes(bytes: &[u8]) -> Option<WordClasses> {
        Self::from_prefix(bytes).and_then(|(classes, used)| (used == bytes.len()).then_some(classes))
    }

    /// Reads what [`to_bytes`](Self::to_bytes) wrote at the start of
    /// `bytes`, with how many bytes it took; `None` if malformed.
    pub fn from_prefix(bytes: &[u8]) -> Option<(WordClasses, usize)> {
        let count = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?) as usize;
        let mut at = 8;
        let mut classes = FxHashMap::default();
        for _ in 0..count {
            let len = u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?) as usize;
            let word = std::str::from_utf8(bytes.get(at + 2..at + 2 + len)?).ok()?;
            let class = u32::from_le_bytes(bytes.get(at + 2 + len..at + 6 + len)?.try_into().ok()?);
            classes.insert(word.to_string(), class);
            at += 6 + len;
        }
        Some((WordClasses { classes }, at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences() -> Vec<Vec<String>> {
        let mut out = Vec::new();
        for name in ["Smith", "Jones", "Brown"] {
            for _ in 0..5 {
                out.push(
                    format!("Mr {name} said on Monday")
                        .split(' ')
                        .map(String::from)
                        .collect(),
                );
            }
        }
        for place in ["Paris", "Berlin", "Madrid"] {
            for _ in 0..5 {
                out.push(
                    format!("talks in {place} ended")
                        .split(' ')
                        .map(String::from)
                        .collect(),
                );
            }
        }
        out
    }

    #[test]
    fn words_used_alike_share_classes_and_the_table_round_trips() {
        let s = sentences();
        let c = WordClasses::build(s.iter().map(Vec::as_slice));
        let coarse = |w: &str| c.levels(w).map(|l| l[1]);
        assert_eq!(coarse("Smith"), coarse("Jones"), "same contexts, same class");
        assert_eq!(coarse("Paris"), coarse("Madrid"));
        assert_ne!(coarse("Smith"), coarse("Paris"), "different contexts");
        assert_eq!(WordClasses::from_bytes(&c.to_bytes()), Some(c.clone()));
        assert!(WordClasses::from_bytes(&c.to_bytes()[..5]).is_none());
    }
}
