//! Index terms: the words of a text, lower-cased, without stop words, stemmed.
//!
//! Every component that compares texts by their terms (the article index,
//! the baselines of the benchmarks) must cut text the same way, so the rules
//! live here once. (Near-duplicate shingles use plain lower-cased words: a
//! copy is a copy of the wording, not of the stems.) Word boundaries follow Unicode UAX #29; stop
//! words come from the stopwords-iso lists (`stop-words` crate) and stems from
//! the Snowball stemmers (`rust-stemmers`), both chosen by article language.

use rust_stemmers::{Algorithm, Stemmer};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};
use unicode_segmentation::UnicodeSegmentation;

/// Cuts text into index terms for one language.
pub struct Analyzer {
    stemmer: Option<Stemmer>,
    stop_words: HashSet<&'static str>,
}

impl Analyzer {
    /// The analyzer for an ISO 639-1 code; unknown or absent languages get
    /// lower-casing and word splitting only.
    pub fn new(lang: Option<&str>) -> Analyzer {
        let lang = lang.unwrap_or("");
        let stop_words = stop_words::lookup(lang)
            .map(|w| w.iter().copied().collect())
            .unwrap_or_default();
        Analyzer {
            stemmer: stemming_algorithm(lang).map(Stemmer::create),
            stop_words,
        }
    }

    /// A shared analyzer per language, built once per process.
    pub fn shared(lang: Option<&str>) -> Arc<Analyzer> {
        static CACHE: OnceLock<Mutex<HashMap<String, Arc<Analyzer>>>> = OnceLock::new();
        let key = lang.unwrap_or("").to_string();
        let mut cache = CACHE
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        cache
            .entry(key)
            .or_insert_with(|| Arc::new(Analyzer::new(lang)))
            .clone()
    }

    /// The index terms of `text`, in order, repeats kept.
    pub fn terms(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.for_each_term(text, |_, t| out.push(t));
        out
    }

    /// Calls `f` with each word of `text` (lower-cased) and its index term, in order.
    pub fn for_each_term(&self, text: &str, mut f: impl FnMut(&str, String)) {
        for word in text.unicode_words() {
            let lower = normalise_word(word);
            if lower.chars().count() < 2 && !lower.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            if self.stop_words.contains(lower.as_str()) {
                continue;
            }
            let term = match &self.stemmer {
                Some(s) => s.stem(&lower).into_owned(),
                None => lower.clone(),
            };
            f(&lower, term);
        }
    }

    /// Whether `word` (any case) is a stop word of this language.
    pub fn is_stop_word(&self, word: &str) -> bool {
        self.stop_words.contains(normalise_word(word).as_str())
    }
}

/// Lower-cases and folds typographic apostrophes so that "Russia’s" and
/// "Russia's" stem alike.
fn normalise_word(word: &str) -> String {
    word.to_lowercase().replace(['’', '‘'], "'")
}

fn stemming_algorithm(lang: &str) -> Option<Algorithm> {
    Some(match lang {
        "ar" => Algorithm::Arabic,
        "da" => Algorithm::Danish,
        "nl" => Algorithm::Dutch,
        "en" => Algorithm::English,
        "fi" => Algorithm::Finnish,
        "fr" => Algorithm::French,
        "de" => Algorithm::German,
        "el" => Algorithm::Greek,
        "hu" => Algorithm::Hungarian,
        "it" => Algorithm::Italian,
        "no" => Algorithm::Norwegian,
        "pt" => Algorithm::Portuguese,
        "ro" => Algorithm::Romanian,
        "ru" => Algorithm::Russian,
        "es" => Algorithm::Spanish,
        "sv" => Algorithm::Swedish,
        "ta" => Algorithm::Tamil,
        "tr" => Algorithm::Turkish,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_terms_are_stemmed_without_stop_words() {
        let a = Analyzer::new(Some("en"));
        assert_eq!(
            a.terms("The ministers were meeting in Russia’s capital"),
            vec!["minist", "meet", "russia", "capit"]
        );
    }

    #[test]
    fn unknown_language_only_lowercases() {
        let a = Analyzer::new(None);
        assert_eq!(a.terms("The Wagner Group"), vec!["the", "wagner", "group"]);
    }

    #[test]
    fn numbers_survive() {
        let a = Analyzer::shared(Some("en"));
        assert!(a.terms("In 2023, 7 people").contains(&"2023".to_string()));
    }
}
