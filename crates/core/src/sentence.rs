//! Sentence boundaries, as far as titles and snippets need them.
//!
//! This is a rule-based splitter: a sentence ends at `.`, `!` or `?` (and any
//! closing quotes or brackets after it) followed by white space and an
//! upper-case letter, digit or opening quote, unless the word before the stop
//! is a known abbreviation or a single capital (an initial). It does not
//! attempt full sentence segmentation for linguistics; the extraction stage
//! owns that.

const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "sen", "rep", "gov", "pres", "st",
    "jr", "sr", "inc", "ltd", "co", "corp", "vs", "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "e.g", "i.e",
];

/// The longest span returned, in bytes. Real sentences are far shorter
/// (a long one in news is 300 to 600 bytes); text without stops (a table
/// flattened to one line, a hostile page) is cut into pieces of at most
/// this, at white space where it can be, so that work done per sentence
/// (tagging, quote and statement reading) stays bounded by the input's
/// length rather than its square.
pub const MAX_SENTENCE_BYTES: usize = 2_000;

/// The byte ranges of the sentences in `text`, trimmed of surrounding
/// space, none longer than [`MAX_SENTENCE_BYTES`].
pub fn sentence_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (_, c) = chars[i];
        if matches!(c, '.' | '!' | '?') {
            let mut j = i + 1;
            while j < chars.len() && is_closer(chars[j].1) {
                j += 1;
            }
            let end = chars.get(j).map_or(text.len(), |&(b, _)| b);
            let next_starts = next_starts_sentence(&chars, j);
            if (j >= chars.len() || next_starts) && !(c == '.' && is_abbreviation(&text[start..chars[i].0])) {
                push_trimmed(text, start, end, &mut spans);
                start = end;
            }
            i = j;
        } else if c == '\n' {
            push_trimmed(text, start, chars[i].0, &mut spans);
            start = chars[i].0 + 1;
            i += 1;
        } else {
            i += 1;
        }
    }
    push_trimmed(text, start, text.len(), &mut spans);
    spans
}

/// The first sentence of `text`, if it has any words.
pub fn first_sentence(text: &str) -> Option<&str> {
    sentence_spans(text).first().map(|&(s, e)| &text[s..e])
}

fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | ')' | ']' | '”' | '’' | '»')
}

fn next_starts_sentence(chars: &[(usize, char)], mut j: usize) -> bool {
    let mut saw_space = false;
    while j < chars.len() && chars[j].1.is_whitespace() {
        saw_space = true;
        j += 1;
    }
    if !saw_space || j >= chars.len() {
        return saw_space;
    }
    let c = chars[j].1;
    c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '“' | '‘' | '\'' | '(' | '«')
}

fn is_abbreviation(before: &str) -> bool {
    // Only the last few bytes can hold an abbreviation: looking further
    // would make a long run without spaces quadratic.
    let mut from = before.len().saturating_sub(12);
    while !before.is_char_boundary(from) {
        from += 1;
    }
    let word = before[from..]
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("")
        .to_lowercase();
    let single_initial = word.chars().count() == 1 && word.chars().all(char::is_alphabetic);
    single_initial || ABBREVIATIONS.contains(&word.as_str())
}

fn push_trimmed(text: &str, start: usize, end: usize, spans: &mut Vec<(usize, usize)>) {
    if start >= end {
        return;
    }
    let slice = &text[start..end];
    let lead = slice.len() - slice.trim_start().len();
    let trail = slice.len() - slice.trim_end().len();
    if lead + trail >= slice.len() {
        return;
    }
    let (mut start, end) = (start + lead, end - trail);
    while end - start > MAX_SENTENCE_BYTES {
        let mut cut = start + MAX_SENTENCE_BYTES;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        // At the last white space of the piece, when it has one.
        if let Some(space) = text[start..cut].rfind(char::is_whitespace) {
            if space > 0 {
                cut = start + space;
            }
        }
        spans.push((start, cut));
        start = cut + text[cut..].len() - text[cut..].trim_start().len();
    }
    if start < end {
        spans.push((start, end));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<&str> {
        sentence_spans(text)
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect()
    }

    #[test]
    fn text_without_stops_comes_in_bounded_pieces() {
        let words = "word ".repeat(100_000);
        let spans = sentence_spans(&words);
        assert!(spans.len() >= words.len() / MAX_SENTENCE_BYTES);
        for &(s, e) in &spans {
            assert!(e - s <= MAX_SENTENCE_BYTES);
            assert!(!words[s..e].starts_with(' ') && !words[s..e].ends_with(' '));
        }
        let covered: usize = spans
            .iter()
            .map(|&(s, e)| words[s..e].split_whitespace().count())
            .sum();
        assert_eq!(covered, 100_000, "no word lost");
        let run = "é.".repeat(50_000);
        for &(s, e) in &sentence_spans(&run) {
            assert!(e - s <= MAX_SENTENCE_BYTES && run.is_char_boundary(s) && run.is_char_boundary(e));
        }
    }

    #[test]
    fn splits_on_stops_followed_by_capitals() {
        assert_eq!(
            sentences("Putin spoke. Prigozhin left! Why? Because."),
            vec!["Putin spoke.", "Prigozhin left!", "Why?", "Because."]
        );
    }

    #[test]
    fn keeps_abbreviations_initials_and_quotes_together() {
        assert_eq!(
            sentences("Mr. Smith met U.S. officials. J. Doe said “Stop.” Then left."),
            vec![
                "Mr. Smith met U.S. officials.",
                "J. Doe said “Stop.”",
                "Then left."
            ]
        );
        assert_eq!(sentences("Version 2.5 shipped."), vec!["Version 2.5 shipped."]);
    }

    #[test]
    fn first_sentence_of_empty_text_is_none() {
        assert_eq!(first_sentence("   "), None);
    }
}
