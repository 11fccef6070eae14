//! Index terms: the words of a text, lower-cased, without stop words, stemmed.
//!
//! Every component that compares texts by their terms (the article index,
//! the baselines of the benchmarks) must cut text the same way, so the rules
//! live here once. (Near-duplicate shingles use plain lower-cased words: a
//! copy is a copy of the wording, not of the stems.) Word boundaries follow Unicode UAX #29; stop
//! words come from the stopwords-iso lists (`stop-words` crate) and stems from
//! the Snowball stemmers (`rust-stemmers`), both chosen by article language.

use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};
use thread_local::ThreadLocal;
use unicode_segmentation::UnicodeSegmentation;

/// Stems remembered per thread before the memo starts again: news text
/// repeats its words (Zipf), so a few tens of thousands cover nearly
/// every occurrence, and stemming was the costliest step of counting.
const STEMS_KEPT: usize = 65_536;

/// Cuts text into index terms for one language.
pub struct Analyzer {
    stemmer: Option<Stemmer>,
    stop_words: HashSet<&'static str>,
    /// Each thread's stems of the words it has seen (lower-cased word →
    /// stem); per thread, so counting on every core shares no lock.
    stems: ThreadLocal<RefCell<FxHashMap<Box<str>, Box<str>>>>,
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
            stems: ThreadLocal::new(),
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
        self.for_each_term(text, |_, t| out.push(t.to_string()));
        out
    }

    /// Calls `f` with each word of `text` (lower-cased) and its index term, in order.
    pub fn for_each_term(&self, text: &str, mut f: impl FnMut(&str, &str)) {
        // A callback that cuts text with this analyzer again finds the
        // memo in use and stems without it.
        let memo = self.stems.get_or_default();
        let mut memo = memo.try_borrow_mut().ok();
        for word in text.unicode_words() {
            let lower = normalise_word(word);
            if lower.chars().count() < 2 && !lower.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            if self.stop_words.contains(lower.as_ref()) {
                continue;
            }
            let Some(stemmer) = &self.stemmer else {
                f(&lower, &lower);
                continue;
            };
            match memo.as_deref_mut() {
                Some(memo) => {
                    if let Some(stem) = memo.get(lower.as_ref()) {
                        f(&lower, stem);
                        continue;
                    }
                    let stem: Box<str> = stemmer.stem(&lower).into();
                    f(&lower, &stem);
                    if memo.len() >= STEMS_KEPT {
                        memo.clear();
                    }
                    memo.insert(lower.into(), stem);
                }
                None => f(&lower, &stemmer.stem(&lower)),
            }
        }
    }

    /// Whether `word` (any case) is a stop word of this language.
    pub fn is_stop_word(&self, word: &str) -> bool {
        self.stop_words.contains(normalise_word(word).as_ref())
    }
}

/// Lower-cases and folds typographic apostrophes so that "Russia’s" and
/// "Russia's" stem alike.
fn normalise_word(word: &str) -> Cow<'_, str> {
    match lower_case(word) {
        Cow::Owned(lower) if lower.contains(['’', '‘']) => Cow::Owned(lower.replace(['’', '‘'], "'")),
        lower => lower,
    }
}

/// `word` lower-cased, borrowed when it is lower-case ASCII already (most
/// words of a text are: no copy for them).
pub fn lower_case(word: &str) -> Cow<'_, str> {
    if word.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        Cow::Borrowed(word)
    } else {
        Cow::Owned(word.to_lowercase())
    }
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

    #[test]
    fn remembered_stems_are_the_stemmers_also_when_cutting_again_inside_a_callback() {
        let a = Analyzer::new(Some("en"));
        let text = "Ministers MEETING in Russia’s capitals; meetings of ministers";
        let stemmer = Stemmer::create(Algorithm::English);
        let direct: Vec<String> = text
            .unicode_words()
            .map(normalise_word)
            .filter(|w| !a.is_stop_word(w))
            .map(|w| stemmer.stem(&w).into_owned())
            .collect();
        // The first pass fills the memo, the second reads it.
        assert_eq!(a.terms(text), direct);
        assert_eq!(a.terms(text), direct);
        // The memo is in use while the outer callback runs: the inner
        // pass stems without it and gives the same terms.
        let mut inner = Vec::new();
        a.for_each_term("meetings", |_, _| inner.extend(a.terms(text)));
        assert_eq!(inner, direct);
    }
}
