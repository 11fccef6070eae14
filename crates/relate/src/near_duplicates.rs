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
//! are candidates.
//!
//! A group is one report and its copies: texts are taken in canonical
//! order (earliest published first) and each joins the group of the most
//! similar earlier canonical text it is a candidate with, else leads its
//! own. Every member is thus close to its group's canonical text itself;
//! two texts never join through a chain of partial overlaps (connected
//! components did that: 375 quarterly-dividend notices of 375 companies in
//! one group). And copies keep their names and numbers: a candidate pair
//! whose capitalised words and numbers mostly differ is a template filled
//! in twice (notices, results tables), not a copy. Those specifics are
//! sketched as the 16 smallest hashes of the set (bottom-k).
//!
//! Everything is deterministic across runs and releases: shingles are hashed
//! with xxh3 (fixed by its specification) and the 128 hash functions are
//! multiply-shift functions whose constants come from a fixed splitmix64
//! sequence, not from a random-number generator whose stream may change.

use std::borrow::Cow;
use std::collections::HashMap;
use storyline_core::terms::lower_case;
use unicode_segmentation::UnicodeSegmentation;
use xxhash_rust::xxh3::xxh3_64;

pub const SIGNATURE_LEN: usize = 128;
const ROWS_PER_BAND: usize = 2;
/// Band keys per signature (see [`band_keys`]).
pub(crate) const BANDS: usize = SIGNATURE_LEN / ROWS_PER_BAND;
/// Buckets shared by more texts than this are boilerplate, not evidence.
/// (The on-disk index counts, for each text it adds, the earlier texts
/// published within the copy rule's days of it: only they can be copies.)
pub(crate) const MAX_BUCKET: usize = 64;

/// Two texts are near-duplicates at this estimated Jaccard similarity of
/// their word 3-shingles. Light rewrites of a wire story score 0.35–0.6,
/// independent reports of one event below 0.1.
pub const DEFAULT_THRESHOLD: f32 = 0.3;

/// Specifics (capitalised words and numbers) kept per text, as the
/// smallest hashes of the set.
const SPECIFICS: usize = 16;

/// Texts with at least this many specifics each are compared on them.
const MIN_SPECIFICS: usize = 4;

/// Two copies share at least this share of their specifics (estimated
/// Jaccard of the sketches). Rewrites of one wire story keep the names,
/// places, figures and dates; two notices of one template share only the
/// template's few.
pub const DEFAULT_SPECIFICS_THRESHOLD: f32 = 0.5;

/// The MinHash signature of one text, and the sketch of its specifics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature(pub [u16; SIGNATURE_LEN], pub Specifics);

/// The smallest hashes of a text's capitalised words and numbers, ascending.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Specifics(Vec<u32>);

impl Specifics {
    /// A sketch from hashes kept earlier (see [`Specifics::hashes`]).
    pub fn from_hashes(hashes: Vec<u32>) -> Specifics {
        Specifics(hashes)
    }

    /// The sketch's hashes, ascending.
    pub fn hashes(&self) -> &[u32] {
        &self.0
    }

    fn of(words: &[&str]) -> Specifics {
        let mut hashes: Vec<u32> = words
            .iter()
            .filter(|w| {
                w.chars().any(|c| c.is_ascii_digit()) || w.chars().next().is_some_and(char::is_uppercase)
            })
            .map(|w| (xxh3_64(w.to_lowercase().as_bytes()) >> 32) as u32)
            .collect();
        hashes.sort_unstable();
        hashes.dedup();
        hashes.truncate(SPECIFICS);
        Specifics(hashes)
    }

    /// Whether two texts may be copies by their specifics: they agree on
    /// at least `threshold` of them, or one has too few to tell.
    pub fn agree(&self, other: &Specifics, threshold: f32) -> bool {
        if self.0.len() < MIN_SPECIFICS || other.0.len() < MIN_SPECIFICS {
            return true;
        }
        // Bottom-k estimate: of the k smallest hashes of the union, the
        // share both sketches hold.
        let k = self.0.len().min(other.0.len());
        let (mut i, mut j, mut taken, mut both) = (0, 0, 0, 0);
        while taken < k && i < self.0.len() && j < other.0.len() {
            match self.0[i].cmp(&other.0[j]) {
                std::cmp::Ordering::Equal => {
                    both += 1;
                    i += 1;
                    j += 1;
                }
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
            }
            taken += 1;
        }
        both as f32 / taken.max(1) as f32 >= threshold
    }
}

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
    let raw: Vec<&str> = text.unicode_words().collect();
    let specifics = Specifics::of(&raw);
    let words: Vec<Cow<str>> = raw.iter().map(|w| lower_case(w)).collect();
    // Each shingle is its words joined by spaces, hashed; one buffer
    // serves them all.
    let mut joined = String::new();
    let mut hash = |words: &[Cow<str>]| {
        joined.clear();
        for (i, w) in words.iter().enumerate() {
            if i > 0 {
                joined.push(' ');
            }
            joined.push_str(w);
        }
        xxh3_64(joined.as_bytes())
    };
    let mut shingles: Vec<u64> = if words.len() < 3 {
        vec![hash(&words)]
    } else {
        words.windows(3).map(hash).collect()
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
    Signature(mins.map(|m| (m >> 48) as u16), specifics)
}

impl Signature {
    /// The estimated Jaccard similarity of the two shingle sets.
    pub fn similarity(&self, other: &Signature) -> f32 {
        let same = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        same as f32 / SIGNATURE_LEN as f32
    }
}

/// When two texts are copies of one report.
#[derive(Debug, Clone, Copy)]
pub struct CopyRule {
    /// Estimated Jaccard of their word 3-shingles, at least.
    pub threshold: f32,
    /// Share of their capitalised words and numbers, at least.
    pub specifics: f32,
    /// Days between their publication dates, at most (when both are dated):
    /// copies of a report run within days of it; a template filled in
    /// again weeks later is another report.
    pub max_days_apart: u32,
}

/// The default for `CopyRule::max_days_apart`.
pub const DEFAULT_MAX_DAYS_APART: u32 = 3;

impl CopyRule {
    /// The estimated similarity of two texts when they are copies of one
    /// report by this rule (`day`s since 1970, when known), else `None`.
    pub fn copies(
        &self,
        a: &Signature,
        b: &Signature,
        day_a: Option<i32>,
        day_b: Option<i32>,
    ) -> Option<f32> {
        let sim = a.similarity(b);
        (sim >= self.threshold && self.close(day_a, day_b) && a.1.agree(&b.1, self.specifics)).then_some(sim)
    }

    /// Whether two publication days are near enough for copies (undated
    /// texts always are): the rule's cheapest test, worth making first.
    pub fn close(&self, day_a: Option<i32>, day_b: Option<i32>) -> bool {
        match (day_a, day_b) {
            (Some(x), Some(y)) => x.abs_diff(y) <= self.max_days_apart,
            _ => true,
        }
    }
}

/// The locality-sensitive hashing keys of a signature, one per band of
/// `ROWS_PER_BAND` values: two texts sharing a key are worth comparing.
pub fn band_keys(signature: &[u16; SIGNATURE_LEN]) -> impl Iterator<Item = u64> + '_ {
    (0..BANDS).map(|band| band_key(signature, band))
}

/// Bits of a band key its bucket keeps (see [`bucket_of`]).
const BUCKET_BITS: u32 = 16;

/// The bucket of band `band`'s key `key`: the band's number and the key's
/// top [`BUCKET_BITS`] bits, so there are at most 64 × 65,536 buckets
/// however many texts. Texts sharing a key share its bucket; texts sharing
/// a bucket may not share the key ([`band_key`] tells). Why: an index
/// keyed by band key holds a key for nearly every band of every text (64
/// million at a million texts), and building that term dictionary was
/// most of the time a merge of the whole index took; keyed by bucket, a
/// bucket holds about one text in 65,536 of its band, and the few a
/// lookup reads that do not share the key are dropped.
pub(crate) fn bucket_of(band: usize, key: u64) -> u64 {
    ((band as u64) << BUCKET_BITS) | (key >> (64 - BUCKET_BITS))
}

pub(crate) fn band_key(signature: &[u16; SIGNATURE_LEN], band: usize) -> u64 {
    let mut key = (band as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for &r in &signature[band * ROWS_PER_BAND..(band + 1) * ROWS_PER_BAND] {
        key = (key ^ u64::from(r))
            .wrapping_mul(0xFF51_AFD7_ED55_8CCD)
            .rotate_left(29);
    }
    key
}

impl Default for CopyRule {
    fn default() -> Self {
        CopyRule {
            threshold: DEFAULT_THRESHOLD,
            specifics: DEFAULT_SPECIFICS_THRESHOLD,
            max_days_apart: DEFAULT_MAX_DAYS_APART,
        }
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
    /// canonicity (smaller first: earlier publication, then id). Texts are
    /// copies at `rule`'s shingle Jaccard and share of names and numbers,
    /// published (`day`, days since 1970, when known) within its days.
    pub fn find<K: Ord>(
        signatures: &[Signature],
        rule: &CopyRule,
        day: impl Fn(u32) -> Option<i32>,
        order: impl Fn(u32) -> K,
    ) -> NearDuplicates {
        let n = signatures.len();
        // Candidate pairs, each once, with their similarity.
        let mut similar: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n];
        let mut buckets: HashMap<u64, Vec<u32>> = HashMap::new();
        for band in 0..BANDS {
            buckets.clear();
            for (doc, sig) in signatures.iter().enumerate() {
                buckets
                    .entry(band_key(&sig.0, band))
                    .or_default()
                    .push(doc as u32);
            }
            for docs in buckets.values().filter(|d| d.len() > 1 && d.len() <= MAX_BUCKET) {
                for (i, &a) in docs.iter().enumerate() {
                    for &b in &docs[i + 1..] {
                        if similar[a as usize].iter().any(|&(x, _)| x == b) {
                            continue;
                        }
                        let (sa, sb) = (&signatures[a as usize], &signatures[b as usize]);
                        if let Some(sim) = rule.copies(sa, sb, day(a), day(b)) {
                            similar[a as usize].push((b, sim));
                            similar[b as usize].push((a, sim));
                        }
                    }
                }
            }
        }
        // In canonical order, each text joins the most similar earlier
        // leader among its candidates (ties: the earlier leader), or leads.
        let mut by_order: Vec<u32> = (0..n as u32).collect();
        by_order.sort_by_cached_key(|&d| (order(d), d));
        let mut rank = vec![0u32; n];
        for (r, &d) in by_order.iter().enumerate() {
            rank[d as usize] = r as u32;
        }
        let mut canonical: Vec<u32> = (0..n as u32).collect();
        for &d in &by_order {
            let leader = similar[d as usize]
                .iter()
                .filter(|&&(other, _)| {
                    rank[other as usize] < rank[d as usize] && canonical[other as usize] == other
                })
                .max_by(|a, b| {
                    a.1.total_cmp(&b.1)
                        .then(rank[b.0 as usize].cmp(&rank[a.0 as usize]))
                })
                .map(|&(other, _)| other);
            if let Some(l) = leader {
                canonical[d as usize] = l;
            }
        }
        NearDuplicates { canonical }
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
    fn a_shared_band_key_is_a_shared_bucket_of_that_band_only() {
        let (a, b) = (signature(ORIGINAL).0, signature(REWRITE).0);
        let mut shared = 0;
        for band in 0..BANDS {
            let (ka, kb) = (band_key(&a, band), band_key(&b, band));
            assert_eq!(bucket_of(band, ka) >> BUCKET_BITS, band as u64);
            if ka == kb {
                shared += 1;
                assert_eq!(bucket_of(band, ka), bucket_of(band, kb));
            }
            // The same key in another band is another bucket.
            assert_ne!(bucket_of(band, ka), bucket_of((band + 1) % BANDS, ka));
        }
        assert!(shared > 0, "a rewrite shares a band with its original");
    }

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
        let groups = NearDuplicates::find(&sigs, &CopyRule::default(), |_| None, |d| d);
        assert_eq!(groups.canonical, vec![0, 1, 2, 1, 0]);
    }

    /// A notice of one template, filled in for one company.
    fn notice(company: &str, cents: u32, day: u32) -> String {
        format!(
            "{company} said its board declared a quarterly cash dividend of {cents} cts a share, \
             payable April {day} to shareholders of record March {}. The board also said the \
             company expects to maintain the dividend at the current rate for the rest of the year.",
            day + 1
        )
    }

    #[test]
    fn a_template_filled_in_twice_is_not_a_copy_and_groups_do_not_chain() {
        let a = notice("Acme Tool Corp", 12, 15);
        let b = notice("Borealis Mining Ltd", 30, 20);
        let (sa, sb) = (signature(&a), signature(&b));
        assert!(
            sa.similarity(&sb) >= DEFAULT_THRESHOLD,
            "the shingles alone would link them"
        );
        assert!(
            !sa.1.agree(&sb.1, DEFAULT_SPECIFICS_THRESHOLD),
            "their names and numbers differ"
        );
        let groups = NearDuplicates::find(&[sa, sb], &CopyRule::default(), |_| None, |d| d);
        assert_eq!(groups.canonical, vec![0, 1]);
        // A chain: each text overlaps the next by half, the first and the
        // last by a fifth. Every member must be close to its leader.
        // Distinct lower-case words without digits: no specifics to compare.
        let letters = |mut i: usize| {
            let mut w = String::new();
            for _ in 0..4 {
                w.push((b'a' + (i % 26) as u8) as char);
                i /= 26;
            }
            w
        };
        let words: Vec<String> = (0..600).map(|i| letters(i * 7919 % 456_976)).collect();
        let part = |from: usize| words[from..from + 300].join(" ");
        let chain = [part(0), part(100), part(200)];
        let sigs: Vec<Signature> = chain.iter().map(|t| signature(t)).collect();
        assert!(sigs[0].similarity(&sigs[1]) >= DEFAULT_THRESHOLD);
        assert!(sigs[0].similarity(&sigs[2]) < DEFAULT_THRESHOLD);
        let groups = NearDuplicates::find(&sigs, &CopyRule::default(), |_| None, |d| d);
        assert_eq!(
            groups.canonical,
            vec![0, 0, 2],
            "the third is no copy of the first"
        );
    }
}
