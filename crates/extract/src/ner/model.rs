//! The averaged perceptron (Collins 2002) behind the tagger: training,
//! greedy left-to-right tagging under the IOB2 constraint, and the model
//! file.
//!
//! A model is a table from feature hash to one weight per tag. Training
//! keeps, beside each weight, its running total for the average, which is
//! what tags best on unseen text. The file is a small header and the
//! averaged weights of every feature that has any, as 16-bit integers
//! against one scale: a few MB for CoNLL-2003.

use super::features::Sentence;
use super::{allowed, tag_index, TAGS};
use rustc_hash::FxHashMap;
use std::io::{Read, Write};
use std::path::Path;

const N: usize = TAGS.len();
const MAGIC: &[u8; 8] = b"SLNER001";

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
    weights: FxHashMap<u64, [f32; N]>,
}

impl Tagger {
    /// The IOB2 tags of `tokens`.
    pub fn tag(&self, tokens: &[String]) -> Vec<&'static str> {
        let sentence = Sentence::new(tokens);
        let mut features = Vec::with_capacity(64);
        let mut tags: Vec<usize> = Vec::with_capacity(tokens.len());
        for i in 0..sentence.len() {
            let prev = tags.last().copied().unwrap_or(0);
            let prev2 = if i >= 2 { tags[i - 2] } else { 0 };
            sentence.features(i, tag_name(i, 1, prev), tag_name(i, 2, prev2), &mut features);
            let scores = score(&self.weights, &features);
            tags.push(best_allowed(&scores, if i == 0 { 0 } else { prev }));
        }
        tags.into_iter().map(|t| TAGS[t]).collect()
    }

    /// How many features carry weights.
    pub fn features(&self) -> usize {
        self.weights.len()
    }

    pub fn save(&self, path: &Path) -> Result<(), ModelError> {
        let err = |source| ModelError::Write {
            path: path.display().to_string(),
            source,
        };
        let max = self
            .weights
            .values()
            .flat_map(|w| w.iter())
            .fold(0f32, |m, w| m.max(w.abs()))
            .max(f32::EPSILON);
        let scale = max / i16::MAX as f32;
        let mut keys: Vec<&u64> = self.weights.keys().collect();
        keys.sort_unstable();
        let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(err)?);
        out.write_all(MAGIC).map_err(err)?;
        out.write_all(&(N as u32).to_le_bytes()).map_err(err)?;
        out.write_all(&scale.to_le_bytes()).map_err(err)?;
        out.write_all(&(keys.len() as u64).to_le_bytes()).map_err(err)?;
        for k in keys {
            out.write_all(&k.to_le_bytes()).map_err(err)?;
            for w in &self.weights[k] {
                out.write_all(&((w / scale).round() as i16).to_le_bytes())
                    .map_err(err)?;
            }
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
        if bytes.len() != 24 + count * row {
            return Err(bad("truncated or padded"));
        }
        let mut weights = FxHashMap::default();
        weights.reserve(count);
        for r in bytes[24..].chunks_exact(row) {
            let key = u64::from_le_bytes(r[..8].try_into().expect("8 bytes"));
            let mut w = [0f32; N];
            for (t, c) in r[8..].chunks_exact(2).enumerate() {
                w[t] = i16::from_le_bytes([c[0], c[1]]) as f32 * scale;
            }
            weights.insert(key, w);
        }
        Ok(Tagger { weights })
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

fn score(weights: &FxHashMap<u64, [f32; N]>, features: &[u64]) -> [f32; N] {
    let mut scores = [0f32; N];
    for f in features {
        if let Some(w) = weights.get(f) {
            for (s, w) in scores.iter_mut().zip(w) {
                *s += w;
            }
        }
    }
    scores
}

/// The best tag that may follow `prev` (ties to the lower index).
fn best_allowed(scores: &[f32; N], prev: usize) -> usize {
    (0..N)
        .filter(|&t| allowed(prev, t))
        .fold(None, |best: Option<usize>, t| match best {
            Some(b) if scores[b] >= scores[t] => Some(b),
            _ => Some(t),
        })
        .unwrap_or(0)
}

/// Trains a tagger on tagged sentences.
pub struct Trainer {
    weights: FxHashMap<u64, [f32; N]>,
    /// Per feature: running totals and the step of each weight's last change.
    totals: FxHashMap<u64, ([f32; N], [u32; N])>,
    step: u32,
}

impl Default for Trainer {
    fn default() -> Self {
        Trainer::new()
    }
}

impl Trainer {
    pub fn new() -> Trainer {
        Trainer {
            weights: FxHashMap::default(),
            totals: FxHashMap::default(),
            step: 0,
        }
    }

    /// One pass over `sentences` (tokens, IOB2 tags), in the order given;
    /// returns the share of tokens tagged right during the pass.
    pub fn epoch(&mut self, sentences: &[(Vec<String>, Vec<String>)]) -> Result<f64, ModelError> {
        let (mut right, mut total) = (0usize, 0usize);
        let mut features = Vec::with_capacity(64);
        for (n, (tokens, gold)) in sentences.iter().enumerate() {
            let gold: Vec<usize> = gold
                .iter()
                .map(|t| {
                    tag_index(t).ok_or_else(|| ModelError::UnknownTag {
                        sentence: n,
                        tag: t.clone(),
                    })
                })
                .collect::<Result<_, _>>()?;
            let sentence = Sentence::new(tokens);
            let mut predicted: Vec<usize> = Vec::with_capacity(tokens.len());
            for i in 0..sentence.len() {
                // Features see the predicted history, as at tagging time.
                let prev = predicted.last().copied().unwrap_or(0);
                let prev2 = if i >= 2 { predicted[i - 2] } else { 0 };
                sentence.features(i, tag_name(i, 1, prev), tag_name(i, 2, prev2), &mut features);
                let guess = best_allowed(&score(&self.weights, &features), if i == 0 { 0 } else { prev });
                self.step += 1;
                if guess != gold[i] {
                    for &f in &features {
                        self.update(f, gold[i], 1.0);
                        self.update(f, guess, -1.0);
                    }
                } else {
                    right += 1;
                }
                total += 1;
                predicted.push(guess);
            }
        }
        Ok(right as f64 / total.max(1) as f64)
    }

    fn update(&mut self, feature: u64, tag: usize, delta: f32) {
        let w = self.weights.entry(feature).or_insert([0.0; N]);
        let (sum, last) = self.totals.entry(feature).or_insert(([0.0; N], [0; N]));
        sum[tag] += (self.step - last[tag]) as f32 * w[tag];
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
                avg[t] = (sum[t] + (step - last[t]) as f32 * w[t]) / step as f32;
            }
            if avg.iter().any(|a| a.abs() > 1e-6) {
                weights.insert(f, avg);
            }
        }
        Tagger { weights }
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
            trainer.epoch(&data).unwrap();
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
        let err = t.epoch(&[sentence("a b", "O B-CITY")]).unwrap_err();
        assert!(err.to_string().contains("B-CITY"));
    }

    #[test]
    fn tags_obey_iob2() {
        let scores = {
            let mut s = [0f32; N];
            s[tag_index("I-PER").unwrap()] = 5.0;
            s
        };
        assert_ne!(TAGS[best_allowed(&scores, 0)], "I-PER", "no I- after O");
        assert_eq!(TAGS[best_allowed(&scores, tag_index("B-PER").unwrap())], "I-PER");
    }
}
