//! How text usually writes a word: in lower case, capitalised, or in
//! capitals, learned from unlabelled text, for the tagger's features.
//!
//! Case is the strongest sign of a name, and it is missing exactly where
//! names are hardest: the first word of a sentence ("Such", "Shearer"),
//! headlines and results lines in capitals ("CUNNINGHAM WINS"). How the
//! word is written elsewhere tells: "such" is written in lower case, so
//! "Such" opening a sentence is not a name; "Cunningham" is capitalised
//! wherever it appears, so "CUNNINGHAM" is likely one. Only words that are
//! not the first of their sentence, in sentences not all in capitals, are
//! counted.
//!
//! Not here: which features the profile becomes (`features`).

use rustc_hash::FxHashMap;

/// Words seen fewer times than this (where case tells) are not kept.
const MIN_COUNT: u32 = 3;

/// How a word is usually written, as a share of the times its case could
/// be seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Usually {
    /// Capitalised under 5 % of the time.
    Lower = 0,
    /// 5–50 %.
    MostlyLower = 1,
    /// 50–95 %.
    MostlyCapitalised = 2,
    /// 95 % or more.
    Capitalised = 3,
    /// In capitals half the time or more ("NATO").
    Capitals = 4,
}

impl Usually {
    fn from_code(code: u8) -> Option<Usually> {
        [
            Usually::Lower,
            Usually::MostlyLower,
            Usually::MostlyCapitalised,
            Usually::Capitalised,
            Usually::Capitals,
        ]
        .get(usize::from(code))
        .copied()
    }
}

/// Each kept word's usual case, by its lower-case form.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Casing {
    usual: FxHashMap<String, Usually>,
}

impl Casing {
    /// The usual case of the words of `sentences` (each a token list).
    pub fn build<'a>(sentences: impl Iterator<Item = &'a [String]>) -> Casing {
        // Per lower-case form: times in lower case, capitalised, in capitals.
        let mut counts: FxHashMap<String, [u32; 3]> = FxHashMap::default();
        for sentence in sentences {
            let in_capitals = sentence
                .iter()
                .filter(|t| t.chars().any(char::is_alphabetic))
                .all(|t| !t.chars().any(char::is_lowercase));
            if in_capitals {
                continue;
            }
            for token in sentence.iter().skip(1) {
                let Some(first) = token.chars().next() else {
                    continue;
                };
                if !first.is_alphabetic() {
                    continue;
                }
                let upper = token.chars().filter(|c| c.is_uppercase()).count();
                let letters = token.chars().filter(|c| c.is_alphabetic()).count();
                let way = if upper == 0 {
                    0
                } else if letters > 1 && upper == letters {
                    2
                } else if first.is_uppercase() {
                    1
                } else {
                    continue;
                };
                counts.entry(token.to_lowercase()).or_default()[way] += 1;
            }
        }
        let usual = counts
            .into_iter()
            .filter_map(|(word, [lower, capitalised, capitals])| {
                let total = lower + capitalised + capitals;
                if total < MIN_COUNT {
                    return None;
                }
                let share = f64::from(capitalised + capitals) / f64::from(total);
                let usually = if f64::from(capitals) * 2.0 >= f64::from(total) {
                    Usually::Capitals
                } else if share < 0.05 {
                    Usually::Lower
                } else if share < 0.5 {
                    Usually::MostlyLower
                } else if share < 0.95 {
                    Usually::MostlyCapitalised
                } else {
                    Usually::Capitalised
                };
                Some((word, usually))
            })
            .collect();
        Casing { usual }
    }

    /// How `word` is usually written (any case of it), if it was seen often enough.
    pub fn usually(&self, word_lower: &str) -> Option<Usually> {
        self.usual.get(word_lower).copied()
    }

    pub fn len(&self) -> usize {
        self.usual.len()
    }

    pub fn is_empty(&self) -> bool {
        self.usual.is_empty()
    }

    /// The profile as bytes, for the model file (words sorted).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut words: Vec<(&String, &Usually)> = self.usual.iter().collect();
        words.sort_unstable_by_key(|&(w, _)| w);
        let mut out = (words.len() as u64).to_le_bytes().to_vec();
        for (w, u) in words {
            let len = u16::try_from(w.len()).unwrap_or(u16::MAX);
            out.extend(len.to_le_bytes());
            out.extend(&w.as_bytes()[..len as usize]);
            out.push(*u as u8);
        }
        out
    }

    /// Reads what [`to_bytes`](Self::to_bytes) wrote at the start of
    /// `bytes`, with how many bytes it took; `None` if malformed.
    pub fn from_prefix(bytes: &[u8]) -> Option<(Casing, usize)> {
        let count = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?) as usize;
        let mut at = 8;
        let mut usual = FxHashMap::default();
        for _ in 0..count {
            let len = u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?) as usize;
            let word = std::str::from_utf8(bytes.get(at + 2..at + 2 + len)?).ok()?;
            let usually = Usually::from_code(*bytes.get(at + 2 + len)?)?;
            usual.insert(word.to_string(), usually);
            at += 3 + len;
        }
        Some((Casing { usual }, at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(lines: &[&str]) -> Vec<Vec<String>> {
        lines
            .iter()
            .map(|l| l.split(' ').map(String::from).collect())
            .collect()
    }

    #[test]
    fn learns_the_usual_case_where_case_tells() {
        let text = sentences(&[
            "Such talks were held with Cunningham and NATO .",
            "Officials said such talks with Cunningham and NATO failed .",
            "Talks like such ones need Cunningham and NATO .",
            // A sentence in capitals and first words tell nothing.
            "SUCH TALKS WITH CUNNINGHAM .",
            "Such such .",
        ]);
        let casing = Casing::build(text.iter().map(Vec::as_slice));
        assert_eq!(casing.usually("such"), Some(Usually::Lower));
        assert_eq!(casing.usually("cunningham"), Some(Usually::Capitalised));
        assert_eq!(casing.usually("nato"), Some(Usually::Capitals));
        assert_eq!(
            casing.usually("officials"),
            None,
            "seen once, first in its sentence"
        );
        let bytes = casing.to_bytes();
        let (back, used) = Casing::from_prefix(&bytes).expect("reads");
        assert_eq!((back, used), (casing, bytes.len()));
        assert!(Casing::from_prefix(&bytes[..bytes.len() - 1]).is_none());
    }
}
