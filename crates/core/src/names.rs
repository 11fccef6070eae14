//! Capitalised phrases: a cheap, language-light signal for names.
//!
//! Runs of capitalised words ("Evgeny Prigozhin", "Rostov-on-Don", "ECB")
//! are the names of people, organisations and places in most news text.
//! Sentence-initial function words ("The", "In") are not names. For a phrase
//! of several words the last word is also reported on its own, so "Prigozhin"
//! in one article meets "Evgeny Prigozhin" in another. This is a relatedness
//! signal, not named-entity recognition; the extraction stage owns that.

use crate::sentence::sentence_spans;
use crate::terms::Analyzer;
use unicode_segmentation::UnicodeSegmentation;

/// Words that may sit inside a name ("Bank of England", "Rostov-on-Don").
const CONNECTORS: &[&str] = &[
    "of", "on", "de", "del", "la", "le", "al", "bin", "von", "van", "der", "du", "da",
];

/// The weekdays, in lower case. Calendar words (these and `published::MONTH_NAMES`) are capitalised in
/// English but name no one: "on Tuesday" links every Tuesday story. (A lone "May" is left out too, at the cost of
/// the surname, which still counts inside "Theresa May".)
pub const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];
/// A name found in text: its key (lower-cased) and its byte span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameMention {
    pub key: String,
    pub start: usize,
    pub end: usize,
}

fn is_capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

fn strip_possessive(word: &str) -> &str {
    word.strip_suffix("’s")
        .or_else(|| word.strip_suffix("'s"))
        .unwrap_or(word)
}

/// The capitalised phrases of `text`, in order; multi-word phrases are
/// followed by their last word as a mention of its own.
pub fn names(text: &str, analyzer: &Analyzer) -> Vec<NameMention> {
    let mut out = Vec::new();
    for (s_start, s_end) in sentence_spans(text) {
        let sentence = &text[s_start..s_end];
        let words: Vec<(usize, &str)> = sentence.unicode_word_indices().collect();
        let mut i = 0;
        while i < words.len() {
            let (pos, word) = words[i];
            let sentence_initial = i == 0;
            if !is_capitalised(word) || (sentence_initial && analyzer.is_stop_word(word)) {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < words.len() {
                let (_, w) = words[j];
                if is_capitalised(w) && !gap_breaks(sentence, &words, j) {
                    j += 1;
                } else if CONNECTORS.contains(&w)
                    && words.get(j + 1).is_some_and(|&(_, n)| is_capitalised(n))
                    && !gap_breaks(sentence, &words, j)
                {
                    j += 2;
                } else {
                    break;
                }
            }
            let (last_pos, last_word) = words[j - 1];
            let last_word = strip_possessive(last_word);
            let end = last_pos + last_word.len();
            let phrase = &sentence[pos..end];
            let key = phrase
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            let single_initial_word = j == i + 1 && sentence_initial;
            let calendar = j == i + 1
                && (WEEKDAYS.contains(&key.as_str())
                    || crate::published::MONTH_NAMES.contains(&key.as_str()));
            if !calendar && (!single_initial_word || !analyzer.is_stop_word(&key)) {
                out.push(NameMention {
                    key,
                    start: s_start + pos,
                    end: s_start + end,
                });
                let hyphenated = sentence[..last_pos].ends_with('-');
                if j - i > 1 && !hyphenated && !CONNECTORS.contains(&last_word) {
                    out.push(NameMention {
                        key: last_word.to_lowercase(),
                        start: s_start + last_pos,
                        end: s_start + end,
                    });
                }
            }
            i = j;
        }
    }
    out
}

/// Words of one name are separated by spaces or hyphens only; any other
/// punctuation (a comma, a full stop, a quote) ends the name.
fn gap_breaks(sentence: &str, words: &[(usize, &str)], j: usize) -> bool {
    let (prev_pos, prev) = words[j - 1];
    let gap = &sentence[prev_pos + prev.len()..words[j].0];
    !gap.chars().all(|c| c == ' ' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        names(text, &Analyzer::new(Some("en")))
            .into_iter()
            .map(|m| m.key)
            .collect()
    }

    #[test]
    fn finds_people_places_and_organisations() {
        assert_eq!(
            keys("The chief of Wagner, Evgeny Prigozhin, marched towards Moscow. In Rostov-on-Don the Bank of England was quiet."),
            vec!["wagner", "evgeny prigozhin", "prigozhin", "moscow", "rostov-on-don", "bank of england", "england"]
        );
    }

    #[test]
    fn weekdays_and_months_alone_are_not_names() {
        assert_eq!(
            keys("The talks resumed on Tuesday in March. Theresa May spoke."),
            vec!["theresa may", "may"]
        );
    }

    #[test]
    fn possessives_and_spans() {
        let text = "Russia’s army left.";
        let m = names(text, &Analyzer::new(Some("en")));
        assert_eq!(m[0].key, "russia");
        assert_eq!(&text[m[0].start..m[0].end], "Russia");
    }
}
