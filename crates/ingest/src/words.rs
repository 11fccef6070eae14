//! How much text a block holds, in words, whatever its script: the
//! extractor's thresholds ("a paragraph of 20 words is article text") are
//! counted here, so they mean the same in languages written without
//! spaces. Chinese and Japanese text runs for a whole sentence without
//! one; counted by whitespace, a long paragraph would be one word.
//! Their characters count half a word each (words there are one to three
//! characters long, two on average); Korean puts spaces between words
//! and counts as other scripts do.
//!
//! Not here: splitting text into words for indexing (`storyline_core::terms`).

/// Words in `text`: whitespace-separated tokens, a token written in
/// Chinese or Japanese counting one word per two of its characters.
pub(crate) fn count(text: &str) -> usize {
    if text.is_ascii() {
        return text.split_whitespace().count();
    }
    text.split_whitespace()
        .map(|token| {
            let unspaced = token.chars().filter(|&c| is_unspaced(c)).count();
            if unspaced == 0 {
                1
            } else {
                let other = token.chars().any(|c| !is_unspaced(c) && c.is_alphanumeric());
                unspaced.div_ceil(2) + usize::from(other)
            }
        })
        .sum()
}

/// Whether `c` belongs to a script written without spaces between words:
/// Han ideographs, hiragana, katakana (and their punctuation block).
fn is_unspaced(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{30FF}'   // CJK punctuation, hiragana, katakana
        | '\u{3400}'..='\u{4DBF}' // CJK extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}' // compatibility ideographs
        | '\u{FF66}'..='\u{FF9F}' // half-width katakana
        | '\u{20000}'..='\u{2FA1F}')
}

/// Whether `c` separates clauses (what the container vote counts as a
/// sign of running text): the comma of Latin, CJK and Arabic scripts.
pub(crate) fn is_comma(c: char) -> bool {
    matches!(c, ',' | '，' | '、' | '،')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaced_scripts_count_tokens() {
        assert_eq!(count("The council voted on Tuesday."), 5);
        assert_eq!(count("서울시는 화요일에 항구를 다시 열었다."), 5);
        assert_eq!(count(""), 0);
    }

    #[test]
    fn chinese_and_japanese_count_by_characters() {
        // 20 characters of Japanese: about ten words.
        assert_eq!(count("東京都は火曜日に港の再開を決めたと発表した。"), 11);
        // Mixed tokens: the Latin part is a word of its own.
        assert_eq!(count("iPhone発売"), 2);
        assert!(count("北京市政府周二宣布，港口将在三周的维修后重新开放，首批货船已于今晨出港。") >= 15);
    }

    #[test]
    fn commas_of_several_scripts() {
        assert!(['，', '、', ',', '،'].iter().all(|&c| is_comma(c)));
        assert!(!is_comma('.'));
    }
}
