//! The averaged structured perceptron (Collins 2002) behind the tagger:
//! training, beam-search tagging under the IOB2 constraint, and the model
//! file.
//!
//! Tagging keeps the best few tag histories at each token, so a choice can
//! be revised by what follows; training decodes the same way and, when the
//! gold history falls out of the beam, updates on the prefixes there
//! (early update, Collins & Roark 2004). That, not a greedy tagger trained
//! on its own history, is what makes histories comparable (dev F1 0.869 →
//! 0.905 on CoNLL-2003 with the same features).
//!
//! A model is a table from feature hash to one weight per tag. Training
//! keeps, beside each weight, its running total for the average, which is
//! what tags best on unseen text. The file is a small header, the averaged
//! weights of every feature that has any as 16-bit integers against one
//! scale (a few MB for CoNLL-2003), then the word-class table and the
//! gazetteer when there are any. Tagging reads the 16-bit weights as stored.

use super::casing::Casing;
use super::classes::WordClasses;
use super::features::{edge, history_pair, Sentence, NEIGHBOURS};
use super::gazetteer::Gazetteer;
use super::{allowed, tag_index, Lexicon, TAGS};
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

const N: usize = TAGS.len();
/// Histories kept by the decoder.
const BEAM: usize = 4;
const MAGIC: &[u8; 8] = b"SLNER001";
/// Marks the optional word-class table after the weights.
const CLASSES_MAGIC: &[u8; 8] = b"SLWCLS01";
/// Marks the optional casing profile, after any word classes.
const CASING_MAGIC: &[u8; 8] = b"SLCASE01";
/// Marks the optional gazetteer, after the weights and any word classes
/// and casing profile.
const GAZETTEER_MAGIC: &[u8; 8] = b"SLGAZ001";

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("cannot read the NER model {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("cannot write the NER model {path}: {source}")]
    Write { path: String, source: std::io::Error },
    #[error("{path} is not a storyline NER model ({reason})")]
    Format { path: String, reason: String },
    #[error("sentence {sentence}: unknown tag {tag:?} (expected IOB2: O, B-PER, I-ORG, …)")]
    UnknownTag { sentence: usize, tag: String },
}

/// A trained tagger.
pub struct Tagger {
    weights: Quantised,
    lexicon: Lexicon,
    /// This process's number for it, telling kept word scores apart.
    id: u64,
}

/// Weights as the model file keeps them: 16-bit integers against one
/// scale. Half the memory of floats, so more of the table stays in cache
/// while tagging, and tagging reads exactly what was saved.
struct Quantised {
    weights: FxHashMap<u64, [i16; N]>,
    scale: f32,
}

impl Quantised {
    fn from_floats(floats: FxHashMap<u64, [f32; N]>) -> Quantised {
        let max = floats
            .values()
            .flat_map(|w| w.iter())
            .fold(0f32, |m, w| m.max(w.abs()))
            .max(f32::EPSILON);
        let scale = max / i16::MAX as f32;
        let weights = floats
            .into_iter()
            .map(|(k, w)| (k, w.map(|x| (x / scale).round() as i16)))
            .collect();
        Quantised { weights, scale }
    }
}

/// What scores features: the training weights (floats) or a tagger's.
trait Scorer {
    /// The summed weights of `features`, per tag.
    fn score(&self, features: &[u64]) -> [f32; N];
}

impl Scorer for FxHashMap<u64, [f32; N]> {
    fn score(&self, features: &[u64]) -> [f32; N] {
        let mut scores = [0f32; N];
        for w in features.iter().filter_map(|f| self.get(f)) {
            for (s, w) in scores.iter_mut().zip(w) {
                *s += w;
            }
        }
        scores
    }
}

impl Scorer for Quantised {
    fn score(&self, features: &[u64]) -> [f32; N] {
        let mut sums = [0i32; N];
        for w in features.iter().filter_map(|f| self.weights.get(f)) {
            for (s, &w) in sums.iter_mut().zip(w) {
                *s += i32::from(w);
            }
        }
        sums.map(|s| s as f32 * self.scale)
    }
}

impl Tagger {
    /// The IOB2 tags of `tokens`: a beam search over tag sequences (the
    /// best few histories kept at each token), so an early choice can be
    /// undone by what follows it.
    pub fn tag(&self, tokens: &[String]) -> Vec<&'static str> {
        self.tag_with(tokens, &mut WordScores::default())
    }

    /// [`tag`](Self::tag), keeping the scores of each word in `cache`
    /// for the next sentences.
    pub fn tag_with(&self, tokens: &[String], cache: &mut WordScores) -> Vec<&'static str> {
        if cache.tagger != self.id {
            *cache = WordScores {
                tagger: self.id,
                ..WordScores::default()
            };
        }
        let sentence = Sentence::new(tokens, &self.lexicon);
        decode(&self.weights, &sentence, None, Some(cache))
            .0
            .into_iter()
            .map(|t| TAGS[t])
            .collect()
    }

    /// The word scores this thread kept from tagging with this tagger
    /// (an empty table if it kept none); give them back with
    /// [`Tagger::keep_word_scores`].
    pub fn word_scores(&self) -> WordScores {
        KEPT.with(|kept| kept.borrow_mut().take())
            .filter(|kept| kept.tagger == self.id)
            .unwrap_or_default()
    }

    /// Keeps `scores` on this thread for its next texts, unless they
    /// outgrew [`KEPT_WORDS`].
    pub fn keep_word_scores(&self, scores: WordScores) {
        if scores.tagger == self.id && scores.words.len() <= KEPT_WORDS {
            KEPT.with(|kept| *kept.borrow_mut() = Some(scores));
        }
    }

    /// A hash of everything the tagger decides with (weights, scale, word
    /// classes, casing, gazetteer): equal for the same model however it was loaded, so
    /// results kept from one run can tell whether another model made them.
    pub fn fingerprint(&self) -> u64 {
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        let Quantised { weights, scale } = &self.weights;
        let mut keys: Vec<&u64> = weights.keys().collect();
        keys.sort_unstable();
        hasher.update(&scale.to_le_bytes());
        for k in keys {
            hasher.update(&k.to_le_bytes());
            for w in &weights[k] {
                hasher.update(&w.to_le_bytes());
            }
        }
        hasher.update(&self.lexicon.classes.to_bytes());
        hasher.update(&self.lexicon.casing.to_bytes());
        hasher.update(&self.lexicon.gazetteer.to_bytes());
        hasher.digest()
    }

    /// How many features carry weights.
    pub fn features(&self) -> usize {
        self.weights.weights.len()
    }

    pub fn save(&self, path: &Path) -> Result<(), ModelError> {
        let err = |source| ModelError::Write {
            path: path.display().to_string(),
            source,
        };
        let Quantised { weights, scale } = &self.weights;
        let mut keys: Vec<&u64> = weights.keys().collect();
        keys.sort_unstable();
        let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(err)?);
        out.write_all(MAGIC).map_err(err)?;
        out.write_all(&(N as u32).to_le_bytes()).map_err(err)?;
        out.write_all(&scale.to_le_bytes()).map_err(err)?;
        out.write_all(&(keys.len() as u64).to_le_bytes()).map_err(err)?;
        for k in keys {
            out.write_all(&k.to_le_bytes()).map_err(err)?;
            for w in &weights[k] {
                out.write_all(&w.to_le_bytes()).map_err(err)?;
            }
        }
        if !self.lexicon.classes.is_empty() {
            out.write_all(CLASSES_MAGIC).map_err(err)?;
            out.write_all(&self.lexicon.classes.to_bytes()).map_err(err)?;
        }
        if !self.lexicon.casing.is_empty() {
            out.write_all(CASING_MAGIC).map_err(err)?;
            out.write_all(&self.lexicon.casing.to_bytes()).map_err(err)?;
        }
        if !self.lexicon.gazetteer.is_empty() {
            out.write_all(GAZETTEER_MAGIC).map_err(err)?;
            out.write_all(&self.lexicon.gazetteer.to_bytes()).map_err(err)?;
        }
        out.flush().map_err(err)
    }

    pub fn load(path: &Path) -> Result<Tagger, ModelError> {
        let name = path.display().to_string();
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map_err(|source| ModelError::Read {
                path: name.clone(),
                source,
            })?;
        let bad = |reason: &str| ModelError::Format {
            path: name.clone(),
            reason: reason.to_string(),
        };
        if bytes.len() < 24 || &bytes[..8] != MAGIC {
            return Err(bad("no model header"));
        }
        let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().expect("4 bytes"));
        if u32_at(8) as usize != N {
            return Err(bad("a different tag set"));
        }
        let scale = f32::from_le_bytes(bytes[12..16].try_into().expect("4 bytes"));
        let count = u64::from_le_bytes(bytes[16..24].try_into().expect("8 bytes")) as usize;
        let row = 8 + 2 * N;
        let weights_end = 24 + count * row;
        if bytes.len() < weights_end {
            return Err(bad("truncated"));
        }
        let mut lexicon = Lexicon::default();
        let mut rest = &bytes[weights_end..];
        if let Some(after) = rest.strip_prefix(CLASSES_MAGIC) {
            let (classes, used) =
                WordClasses::from_prefix(after).ok_or_else(|| bad("malformed word classes"))?;
            lexicon.classes = classes;
            rest = &after[used..];
        }
        if let Some(after) = rest.strip_prefix(CASING_MAGIC) {
            let (casing, used) = Casing::from_prefix(after).ok_or_else(|| bad("malformed casing profile"))?;
            lexicon.casing = casing;
            rest = &after[used..];
        }
        if let Some(after) = rest.strip_prefix(GAZETTEER_MAGIC) {
            let (gazetteer, used) =
                Gazetteer::from_prefix(after).ok_or_else(|| bad("malformed gazetteer"))?;
            lexicon.gazetteer = gazetteer;
            rest = &after[used..];
        }
        if !rest.is_empty() {
            return Err(bad("unexpected bytes after the weights"));
        }
        let mut weights = FxHashMap::default();
        weights.reserve(count);
        for r in bytes[24..weights_end].chunks_exact(row) {
            let key = u64::from_le_bytes(r[..8].try_into().expect("8 bytes"));
            let mut w = [0i16; N];
            for (t, c) in r[8..].chunks_exact(2).enumerate() {
                w[t] = i16::from_le_bytes([c[0], c[1]]);
            }
            weights.insert(key, w);
        }
        Ok(Tagger {
            weights: Quantised { weights, scale },
            lexicon,
            id: NEXT_TAGGER.fetch_add(1, Ordering::Relaxed),
        })
    }
}

/// The tag name a feature sees for a previous position ("<s>" before the sentence).
fn tag_name(i: usize, back: usize, tag: usize) -> &'static str {
    if i < back {
        "<s>"
    } else {
        TAGS[tag]
    }
}

/// The scores of what a word brings whatever its context: its own
/// features, and its history features after each previous tag (the tag
/// with the word, its shape and its class). Kept across the sentences of a
/// text and, per thread, across texts ([`Tagger::word_scores`]): a word
/// recurs, and scoring is most of tagging.
#[derive(Default)]
pub struct WordScores {
    /// The tagger whose weights these are (0: none in particular).
    tagger: u64,
    /// Where each word's scores are in `words`.
    plain: FxHashMap<String, u32>,
    /// Words of sentences in capitals, whose own features differ.
    capitals: FxHashMap<String, u32>,
    words: Vec<KeptWord>,
    /// History scores, each word's after the previous tags met so far.
    after: Vec<[f32; N]>,
}

/// One word's kept scores.
struct KeptWord {
    own: [f32; N],
    /// The features it gives its neighbours ([`Sentence::beside`]).
    beside: [[u64; 2]; 4],
    /// Where its history scores after each previous tag are in
    /// [`WordScores::after`] (the last: at the start of a sentence), or
    /// [`UNSCORED`].
    after: [u32; N + 1],
}

const UNSCORED: u32 = u32::MAX;

/// Words a thread keeps scores of between texts: past it they are
/// forgotten (a few MB; common words come back within a few texts).
const KEPT_WORDS: usize = 16_384;

static NEXT_TAGGER: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// This thread's word scores between texts.
    static KEPT: RefCell<Option<WordScores>> = const { RefCell::new(None) };
}

impl WordScores {
    /// Where the scores of token `i`'s word are, scoring its own features
    /// when it is new.
    fn word(&mut self, weights: &impl Scorer, sentence: &Sentence, i: usize) -> usize {
        let word = sentence.token(i);
        let table = if sentence.all_caps() {
            &mut self.capitals
        } else {
            &mut self.plain
        };
        if let Some(&at) = table.get(word) {
            return at as usize;
        }
        let mut features = Vec::with_capacity(24);
        sentence.word_features(i, &mut features);
        let at = self.words.len();
        self.words.push(KeptWord {
            own: weights.score(&features),
            beside: sentence.beside(i),
            after: [UNSCORED; N + 1],
        });
        table.insert(word.to_string(), at as u32);
        at
    }

    /// The history scores of word `at` after tag `prev` (`None`: at the
    /// start of a sentence), from `score` when not kept yet.
    fn after(&mut self, at: usize, prev: Option<usize>, score: impl FnOnce() -> [f32; N]) -> [f32; N] {
        let slot = &mut self.words[at].after[prev.unwrap_or(N)];
        if *slot == UNSCORED {
            *slot = self.after.len() as u32;
            self.after.push(score());
        }
        self.after[*slot as usize]
    }
}

/// One history kept in the beam: its score, last two tags, where it came
/// from in the previous column, and whether it is the gold history.
#[derive(Clone, Copy)]
struct Item {
    score: f32,
    tag: usize,
    prev: usize,
    parent: usize,
    gold: bool,
}

/// Beam search for the best tag sequence of `sentence`. With `gold`
/// (training), it stops at the first token where the gold history falls
/// out of the beam (early update, Collins & Roark 2004) and returns the
/// best history up to there and `true`.
fn decode(
    weights: &impl Scorer,
    sentence: &Sentence,
    gold: Option<&[usize]>,
    mut cache: Option<&mut WordScores>,
) -> (Vec<usize>, bool) {
    let mut local = Vec::with_capacity(64);
    let mut history = Vec::with_capacity(8);
    let mut columns: Vec<Vec<Item>> = Vec::with_capacity(sentence.len());
    let start = Item {
        score: 0.0,
        tag: 0,
        prev: 0,
        parent: 0,
        gold: true,
    };
    let mut early = false;
    // Scores of the tag-pair features, by (prev2, prev), from the third
    // token on (before it the history is the sentence start).
    let mut pairs: [[Option<[f32; N]>; N]; N] = [[None; N]; N];
    // Where each token's word is kept: its neighbours' features are read
    // from there too.
    let words: Vec<usize> = match cache.as_deref_mut() {
        Some(cache) => (0..sentence.len())
            .map(|i| cache.word(weights, sentence, i))
            .collect(),
        None => Vec::new(),
    };
    for i in 0..sentence.len() {
        local.clear();
        let base = match cache.as_deref_mut() {
            Some(cache) => {
                // The features of `Sentence::context_features`: the same
                // set, so the same sum (the weights are integers).
                for (n, &j) in NEIGHBOURS.iter().enumerate() {
                    let k = i as isize + j;
                    match usize::try_from(k).ok().and_then(|k| words.get(k)) {
                        Some(&at) => local.extend(cache.words[at].beside[n]),
                        None => local.extend(edge(n)),
                    }
                }
                sentence.context_rest(i, &mut local);
                let mut base = weights.score(&local);
                for (b, w) in base.iter_mut().zip(cache.words[words[i]].own) {
                    *b += w;
                }
                base
            }
            None => {
                sentence.local(i, &mut local);
                weights.score(&local)
            }
        };
        // Scores of the token's history features, by previous tag.
        let mut by_prev: [Option<[f32; N]>; N] = [None; N];
        let previous: &[Item] = columns.last().map_or(std::slice::from_ref(&start), Vec::as_slice);
        // The best BEAM candidates, best first (a small insertion list).
        let mut next: Vec<Item> = Vec::with_capacity(BEAM + 1);
        for (parent, item) in previous.iter().enumerate() {
            let (prev, prev2) = if i == 0 { (0, 0) } else { (item.tag, item.prev) };
            let token_part = *by_prev[prev].get_or_insert_with(|| {
                let mut score = || {
                    history.clear();
                    sentence.history_token(i, tag_name(i, 1, prev), &mut history);
                    weights.score(&history)
                };
                match (cache.as_deref_mut(), words.get(i)) {
                    (Some(cache), Some(&at)) => cache.after(at, (i > 0).then_some(prev), score),
                    _ => score(),
                }
            });
            let mut pair = || {
                history.clear();
                history_pair(tag_name(i, 1, prev), tag_name(i, 2, prev2), &mut history);
                weights.score(&history)
            };
            let pair_part = if i >= 2 {
                *pairs[prev2][prev].get_or_insert_with(pair)
            } else {
                pair()
            };
            for t in (0..N).filter(|&t| allowed(prev, t)) {
                let candidate = Item {
                    score: item.score + base[t] + token_part[t] + pair_part[t],
                    tag: t,
                    prev,
                    parent,
                    gold: item.gold && gold.is_some_and(|g| g[i] == t),
                };
                // Best first; ties by tag, then by parent.
                let before = |x: &Item| {
                    x.score
                        .total_cmp(&candidate.score)
                        .reverse()
                        .then(x.tag.cmp(&candidate.tag))
                        .then(x.parent.cmp(&candidate.parent))
                        .is_lt()
                };
                // A full beam whose last history is better keeps out every
                // history not better than it (most candidates): no search.
                if next.len() == BEAM && next.last().is_some_and(before) {
                    continue;
                }
                let at = next.partition_point(before);
                if at < BEAM {
                    next.insert(at, candidate);
                    next.truncate(BEAM);
                }
            }
        }
        let lost_gold = gold.is_some() && !next.iter().any(|item| item.gold);
        columns.push(next);
        if lost_gold {
            early = true;
            break;
        }
    }
    // Follow the best last item back.
    let mut tags = vec![0; columns.len()];
    let mut at = 0;
    for (i, column) in columns.iter().enumerate().rev() {
        tags[i] = column[at].tag;
        at = column[at].parent;
    }
    (tags, early)
}

/// Trains a tagger on tagged sentences.
pub struct Trainer {
    weights: FxHashMap<u64, [f32; N]>,
    lexicon: Lexicon,
    /// Per feature: running totals and the step of each weight's last change.
    totals: FxHashMap<u64, ([f64; N], [u32; N])>,
    step: u32,
}

impl Default for Trainer {
    fn default() -> Self {
        Trainer::new()
    }
}

impl Trainer {
    pub fn new() -> Trainer {
        Trainer::with_lexicon(Lexicon::default())
    }

    /// A trainer whose features include what `lexicon` says of words
    /// (classes learned from unlabelled text, gazetteer lists).
    pub fn with_lexicon(lexicon: Lexicon) -> Trainer {
        Trainer {
            lexicon,
            weights: FxHashMap::default(),
            totals: FxHashMap::default(),
            step: 0,
        }
    }

    /// One pass over `sentences` (tokens, IOB2 tags), in the order given;
    /// returns the share of tokens tagged right during the pass.
    pub fn epoch<'s>(
        &mut self,
        sentences: impl IntoIterator<Item = (&'s [String], &'s [String])>,
    ) -> Result<f64, ModelError> {
        let (mut right, mut total) = (0usize, 0usize);
        let mut features = Vec::with_capacity(64);
        for (n, (tokens, gold)) in sentences.into_iter().enumerate() {
            let gold: Vec<usize> = gold
                .iter()
                .map(|t| {
                    tag_index(t).ok_or_else(|| ModelError::UnknownTag {
                        sentence: n,
                        tag: t.clone(),
                    })
                })
                .collect::<Result<_, _>>()?;
            let sentence = Sentence::new(tokens, &self.lexicon);
            let (predicted, _early) = decode(&self.weights, &sentence, Some(&gold), None);
            self.step += 1;
            total += predicted.len();
            right += predicted.iter().zip(&gold).filter(|(p, g)| p == g).count();
            if predicted[..] != gold[..predicted.len()] {
                self.update_paths(&sentence, &gold[..predicted.len()], &predicted, &mut features);
            }
        }
        Ok(right as f64 / total.max(1) as f64)
    }

    /// The structured perceptron's update: the gold path's features up,
    /// the predicted path's down, where the two differ.
    fn update_paths(
        &mut self,
        sentence: &Sentence,
        gold: &[usize],
        predicted: &[usize],
        features: &mut Vec<u64>,
    ) {
        let history_of = |tags: &[usize], i: usize| {
            let prev = if i >= 1 { tags[i - 1] } else { 0 };
            let prev2 = if i >= 2 { tags[i - 2] } else { 0 };
            (prev, prev2)
        };
        for i in 0..gold.len() {
            let (g, p) = (history_of(gold, i), history_of(predicted, i));
            if gold[i] == predicted[i] && g == p {
                continue;
            }
            sentence.features(i, tag_name(i, 1, g.0), tag_name(i, 2, g.1), features);
            for &f in features.iter() {
                self.update(f, gold[i], 1.0);
            }
            sentence.features(i, tag_name(i, 1, p.0), tag_name(i, 2, p.1), features);
            for &f in features.iter() {
                self.update(f, predicted[i], -1.0);
            }
        }
    }

    fn update(&mut self, feature: u64, tag: usize, delta: f32) {
        let w = self.weights.entry(feature).or_insert([0.0; N]);
        let (sum, last) = self.totals.entry(feature).or_insert(([0.0; N], [0; N]));
        sum[tag] += f64::from(self.step - last[tag]) * f64::from(w[tag]);
        last[tag] = self.step;
        w[tag] += delta;
    }

    /// The averaged weights as a tagger; features whose averaged weights
    /// are all (nearly) zero are left out.
    pub fn finish(self) -> Tagger {
        let step = self.step.max(1);
        let mut weights = FxHashMap::default();
        for (f, w) in self.weights {
            let (sum, last) = self.totals[&f];
            let mut avg = [0f32; N];
            for t in 0..N {
                avg[t] = ((sum[t] + f64::from(step - last[t]) * f64::from(w[t])) / f64::from(step)) as f32;
            }
            if avg.iter().any(|a| a.abs() > 1e-6) {
                weights.insert(f, avg);
            }
        }
        Tagger {
            weights: Quantised::from_floats(weights),
            lexicon: self.lexicon,
            id: NEXT_TAGGER.fetch_add(1, Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(words: &str, tags: &str) -> (Vec<String>, Vec<String>) {
        (
            words.split(' ').map(String::from).collect(),
            tags.split(' ').map(String::from).collect(),
        )
    }

    fn toy() -> Vec<(Vec<String>, Vec<String>)> {
        vec![
            sentence("Putin met Lukashenko in Minsk .", "B-PER O B-PER O B-LOC O"),
            sentence("Vladimir Putin visited Moscow .", "B-PER I-PER O B-LOC O"),
            sentence("The Wagner Group left Rostov .", "O B-ORG I-ORG O B-LOC O"),
            sentence("Lukashenko spoke in Moscow on Friday .", "B-PER O O B-LOC O O O"),
            sentence("Reuters reported from Minsk .", "B-ORG O O B-LOC O"),
        ]
    }

    #[test]
    fn learns_a_toy_set_and_survives_a_round_trip() {
        let data = toy();
        let mut trainer = Trainer::new();
        for _ in 0..10 {
            trainer
                .epoch(data.iter().map(|(t, g)| (t.as_slice(), g.as_slice())))
                .unwrap();
        }
        let tagger = trainer.finish();
        for (tokens, gold) in &data {
            assert_eq!(tagger.tag(tokens), *gold, "{tokens:?}");
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ner.bin");
        tagger.save(&path).unwrap();
        let loaded = Tagger::load(&path).unwrap();
        assert_eq!(loaded.features(), tagger.features());
        for (tokens, _) in &data {
            assert_eq!(loaded.tag(tokens), tagger.tag(tokens));
        }
        let unseen: Vec<String> = "Putin met Prigozhin in Moscow ."
            .split(' ')
            .map(String::from)
            .collect();
        let tags = loaded.tag(&unseen);
        assert_eq!(tags[0], "B-PER");
        assert_eq!(tags[4], "B-LOC");
    }

    #[test]
    fn kept_word_scores_tag_alike_and_stay_with_their_tagger() {
        let train = |epochs: usize, data: &[(Vec<String>, Vec<String>)]| {
            let mut trainer = Trainer::new();
            for _ in 0..epochs {
                trainer
                    .epoch(data.iter().map(|(t, g)| (t.as_slice(), g.as_slice())))
                    .unwrap();
            }
            trainer.finish()
        };
        let data = toy();
        let (one, other) = (train(10, &data), train(1, &data[..2]));
        let texts = [
            "Putin met Lukashenko in Minsk .",
            "MOSCOW REPORTED FROM MINSK ON FRIDAY .",
            "Lukashenko met Putin in Rostov .",
            "Reuters reported that Prigozhin left Moscow .",
        ]
        .map(|t| t.split(' ').map(String::from).collect::<Vec<_>>());
        // Three passes a tagger on this thread: the later ones start from
        // the scores the earlier kept.
        for tagger in [&one, &other] {
            for pass in 0..3 {
                let mut kept = tagger.word_scores();
                assert_eq!(kept.words.is_empty(), pass == 0);
                for tokens in &texts {
                    let tags = tagger.tag_with(tokens, &mut kept);
                    assert_eq!(tags, tagger.tag(tokens), "{tokens:?}");
                    // As scored without anything kept, feature by feature.
                    let sentence = Sentence::new(tokens, &tagger.lexicon);
                    let anew = decode(&tagger.weights, &sentence, None, None).0;
                    assert_eq!(tags, anew.iter().map(|&t| TAGS[t]).collect::<Vec<_>>());
                }
                tagger.keep_word_scores(kept);
            }
        }
        let mut kept = one.word_scores();
        assert!(kept.words.is_empty(), "the other tagger's scores were kept last");
        one.tag_with(&texts[0], &mut kept);
        assert_eq!(kept.words.len(), 6);
        // Given another tagger's scores, tagging starts afresh.
        assert_eq!(other.tag_with(&texts[0], &mut kept), other.tag(&texts[0]));
        assert_eq!(kept.tagger, other.id);
    }

    #[test]
    fn bad_files_and_tags_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.bin");
        std::fs::write(&path, b"not a model").unwrap();
        assert!(matches!(Tagger::load(&path), Err(ModelError::Format { .. })));
        assert!(matches!(
            Tagger::load(&dir.path().join("none")),
            Err(ModelError::Read { .. })
        ));
        let mut t = Trainer::new();
        let (tokens, tags) = sentence("a b", "O B-CITY");
        let err = t.epoch([(tokens.as_slice(), tags.as_slice())]).unwrap_err();
        assert!(err.to_string().contains("B-CITY"));
    }

    #[test]
    fn tags_obey_iob2_however_the_weights_pull() {
        let tokens: Vec<String> = "a b c".split(' ').map(String::from).collect();
        let lexicon = Lexicon::default();
        let sentence = Sentence::new(&tokens, &lexicon);
        let mut weights = FxHashMap::default();
        let mut local = Vec::new();
        for i in 0..tokens.len() {
            sentence.local(i, &mut local);
        }
        let mut pull = [0f32; N];
        pull[tag_index("I-PER").unwrap()] = 5.0;
        for f in local {
            weights.insert(f, pull);
        }
        let (tags, _) = decode(&weights, &sentence, None, None);
        let names: Vec<&str> = tags.iter().map(|&t| TAGS[t]).collect();
        assert_eq!(names, ["B-PER", "I-PER", "I-PER"], "no I- without a B- before it");
    }

    #[test]
    fn word_classes_and_gazetteer_travel_with_the_model() {
        let data = toy();
        let sentences: Vec<Vec<String>> = data.iter().map(|(t, _)| t.clone()).collect();
        let mut gazetteer = Gazetteer::builtin();
        gazetteer.add(super::super::gazetteer::List::City, "Moscow");
        let lexicon = Lexicon {
            classes: WordClasses::build(sentences.iter().map(Vec::as_slice)),
            casing: Casing::build(sentences.iter().map(Vec::as_slice)),
            gazetteer,
        };
        assert!(!lexicon.classes.is_empty());
        let mut trainer = Trainer::with_lexicon(lexicon.clone());
        trainer
            .epoch(data.iter().map(|(t, g)| (t.as_slice(), g.as_slice())))
            .unwrap();
        let tagger = trainer.finish();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ner.bin");
        tagger.save(&path).unwrap();
        let loaded = Tagger::load(&path).unwrap();
        assert_eq!(loaded.lexicon, lexicon);
        assert_eq!(loaded.fingerprint(), tagger.fingerprint());
        assert_eq!(loaded.tag(&data[0].0), tagger.tag(&data[0].0));
    }
}
