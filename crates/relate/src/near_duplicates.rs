//! Near-duplicates: syndicated copies and light rewrites of one text.
//!
//! Texts are compared as sets of word 3-shingles. A MinHash signature of 128
//! values estimates the Jaccard similarity of two sets. Each value keeps only
//! the top 16 bits of its minimum (b-bit MinHash, Li & König 2010): two
//! different minima then agree by chance once in 65,536 comparisons, a bias
//! far below the estimate's own noise, for a quarter of the memory of 64-bit
//! values (the signatures are the index's largest transient). Locality-sensitive
//! hashing over 64 bands of 2 values finds the pairs worth comparing without
//! comparing all pairs. Pairs whose estimated Jaccard reaches the threshold
//! are linked, and linked texts form a group (connected components) whose
//! canonical member is the earliest published.
//!
//! Everything is deterministic across runs and releases: shingles are hashed
//! with xxh3 (fixed by its specification) and the 128 hash functions are
//! multiply-shift functions whose constants come from a fixed splitmix64
//! sequence, not from a random-number generator whose stream may change.

use std::collections::HashMap;
use unicode_segmentation::UnicodeSegmentation;
use xxhash_rust::xxh3::xxh3_64;

pub const SIGNATURE_LEN: usize = 128;
const ROWS_PER_BAND: usize = 2;
/// Buckets shared by more texts than this are boilerplate, not evidence.
const MAX_BUCKET: usize = 64;

/// Two texts are near-duplicates at this estimated Jaccard similarity of
/// their word 3-shingles. Light rewrites of a wire story score 0.35–0.6,
/// independent reports of one event below 0.1.
pub const DEFAULT_THRESHOLD: f32 = 0.3;

/// The MinHash signature of one text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature(pub [u16; SIGNATURE_LEN]);

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The fixed hash family: (a, b) pairs with odd `a`.
fn family() -> &'static [(u64, u64); SIGNATURE_LEN] {
    static FAMILY: std::sync::OnceLock<[(u64, u64); SIGNATURE_LEN]> = std::sync::OnceLock::new();
    FAMILY.get_or_init(|| {
        let mut state = 0x5354_4F52_594C_494E; // "STORYLIN"
        std::array::from_fn(|_| (splitmix64(&mut state) | 1, splitmix64(&mut state)))
    })
}

/// The signature of `text` (lower-cased words, 3-shingles; a text of fewer
/// than three words is one shingle).
pub fn signature(text: &str) -> Signature {
    let words: Vec<String> = text.unicode_words().map(str::to_lowercase).collect();
    let mut shingles: Vec<u64> = if words.len() < 3 {
        vec![xxh3_64(words.join(" ").as_bytes())]
    } else {
        words
            .windows(3)
            .map(|w| xxh3_64(w.join(" ").as_bytes()))
            .collect()
    };
    shingles.sort_unstable();
    shingles.dedup();
    let mut mins = [u64::MAX; SIGNATURE_LEN];
    for &h in &shingles {
        for (m, &(a, b)) in mins.iter_mut().zip(family()) {
            // Multiply-shift: the high bits of a·h + b are the well-mixed ones.
            let v = a.wrapping_mul(h).wrapping_add(b);
            if v < *m {
                *m = v;
            }
        }
    }
    Signature(mins.map(|m| (m >> 48) as u16))
}

impl Signature {
    /// The estimated Jaccard similarity of the two shingle sets.
    pub fn similarity(&self, other: &Signature) -> f32 {
        let same = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        same as f32 / SIGNATURE_LEN as f32
    }
}

/// Groups of near-duplicate texts, by position in the input.
#[derive(Debug, Clone)]
pub struct NearDuplicates {
    /// For each text, the canonical member of its group (itself when alone).
    pub canonical: Vec<u32>,
}

impl NearDuplicates {
    /// Finds the groups among `signatures`; `order` ranks members for
    /// canonicity (smaller first: earlier publication, then id).
    pub fn find<K: Ord>(
        signatures: &[Signature],
        threshold: f32,
        order: impl Fn(u32) -> K,
    ) -> NearDuplicates {
        let n = signatures.len();
        let mut parent: Vec<u32> = (0..n as u32).collect();
        let mut buckets: HashMap<u64, Vec<u32>> = HashMap::new();
        for band in 0..SIGNATURE_LEN / ROWS_PER_BAND {
            buckets.clear();
            for (doc, sig) in signatures.iter().enumerate() {
                let rows = &sig.0[band * ROWS_PER_BAND..(band + 1) * ROWS_PER_BAND];
                let mut key = (band as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                for &r in rows {
                    key = (key ^ u64::from(r))
                        .wrapping_mul(0xFF51_AFD7_ED55_8CCD)
                        .rotate_left(29);
                }
                buckets.entry(key).or_default().push(doc as u32);
            }
            for docs in buckets.values().filter(|d| d.len() > 1 && d.len() <= MAX_BUCKET) {
                for (i, &a) in docs.iter().enumerate() {
                    for &b in &docs[i + 1..] {
                        if find(&mut parent, a) != find(&mut parent, b)
                            && signatures[a as usize].similarity(&signatures[b as usize]) >= threshold
                        {
                            union(&mut parent, a, b);
                        }
                    }
                }
            }
        }
        let mut best: HashMap<u32, u32> = HashMap::new();
        for doc in 0..n as u32 {
            let root = find(&mut parent, doc);
            let slot = best.entry(root).or_insert(doc);
            if order(doc) < order(*slot) {
                *slot = doc;
            }
        }
        let canonical = (0..n as u32).map(|d| best[&find(&mut parent, d)]).collect();
        NearDuplicates { canonical }
    }
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let up = parent[parent[x as usize] as usize];
        parent[x as usize] = up;
        x = up;
    }
    x
}

fn union(parent: &mut [u32], a: u32, b: u32) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra.max(rb) as usize] = ra.min(rb);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGINAL: &str = "Wagner chief Yevgeny Prigozhin ordered his fighters to turn back late on Saturday, ending a rebellion that had brought his columns within about 200 kilometres of Moscow. The office of Belarusian President Alexander Lukashenko said he had negotiated the agreement with Prigozhin during the day, with the Kremlin's consent.";
    const REWRITE: &str = "Wagner leader Yevgeny Prigozhin ordered his fighters to turn around late on Saturday, ending a rebellion that had brought his columns to within roughly 200 kilometres of Moscow. The office of Belarusian President Alexander Lukashenko said he had negotiated the deal with Prigozhin during the day, with the consent of the Kremlin.";
    const OTHER: &str = "The European Central Bank raised its key interest rates by a quarter of a percentage point on Thursday, its ninth consecutive increase, taking the deposit rate to 3.75 percent.";
    const SAME_STORY: &str = "Russia's security service closed the criminal case over the armed mutiny on Tuesday, and Lukashenko said Prigozhin had arrived in Belarus.";

    #[test]
    fn signatures_are_stable_and_estimate_jaccard() {
        assert_eq!(signature(ORIGINAL), signature(ORIGINAL));
        assert_eq!(signature(ORIGINAL).similarity(&signature(ORIGINAL)), 1.0);
        assert!(signature(ORIGINAL).similarity(&signature(REWRITE)) >= DEFAULT_THRESHOLD);
        assert!(signature(ORIGINAL).similarity(&signature(OTHER)) < 0.05);
        // Fixed seeds: the first value never changes between releases.
        assert_eq!(signature("a b c").0[0], signature("A, b; c.").0[0]);
    }

    #[test]
    fn rewrites_group_and_unrelated_texts_do_not() {
        let texts = [OTHER, REWRITE, SAME_STORY, ORIGINAL, OTHER];
        let sigs: Vec<Signature> = texts.iter().map(|t| signature(t)).collect();
        // Canonical = the smallest rank; here rank by position, so 1 leads {1, 3}.
        let groups = NearDuplicates::find(&sigs, DEFAULT_THRESHOLD, |d| d);
        assert_eq!(groups.canonical, vec![0, 1, 2, 1, 0]);
    }
}
