//! Language identification.
//!
//! Articles carry an ISO 639-1 code. When an input does not declare one it is
//! detected with whatlang (trigram based, pure Rust); a detection that whatlang
//! itself does not find reliable is dropped rather than guessed.

use whatlang::Lang;

/// The ISO 639-1 code of the language of `text`, when it can be told reliably.
pub fn detect(text: &str) -> Option<&'static str> {
    let sample: String = text.chars().take(2000).collect();
    let info = whatlang::detect(&sample)?;
    if !info.is_reliable() && info.confidence() < 0.5 {
        return None;
    }
    iso639_1(info.lang())
}

/// Maps whatlang's languages to ISO 639-1 codes (those that have one).
pub fn iso639_1(lang: Lang) -> Option<&'static str> {
    Some(match lang {
        Lang::Eng => "en",
        Lang::Deu => "de",
        Lang::Fra => "fr",
        Lang::Spa => "es",
        Lang::Ita => "it",
        Lang::Por => "pt",
        Lang::Nld => "nl",
        Lang::Rus => "ru",
        Lang::Ukr => "uk",
        Lang::Pol => "pl",
        Lang::Ces => "cs",
        Lang::Swe => "sv",
        Lang::Dan => "da",
        Lang::Nob => "no",
        Lang::Fin => "fi",
        Lang::Hun => "hu",
        Lang::Ron => "ro",
        Lang::Tur => "tr",
        Lang::Ell => "el",
        Lang::Ara => "ar",
        Lang::Heb => "he",
        Lang::Hin => "hi",
        Lang::Cmn => "zh",
        Lang::Jpn => "ja",
        Lang::Kor => "ko",
        Lang::Vie => "vi",
        Lang::Ind => "id",
        Lang::Tha => "th",
        Lang::Pes => "fa",
        Lang::Bul => "bg",
        Lang::Hrv => "hr",
        Lang::Srp => "sr",
        Lang::Slk => "sk",
        Lang::Slv => "sl",
        Lang::Lit => "lt",
        Lang::Lav => "lv",
        Lang::Est => "et",
        Lang::Cat => "ca",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_common_news_languages() {
        assert_eq!(
            detect("The foreign ministry said on Sunday that talks had taken place in Beijing."),
            Some("en")
        );
        assert_eq!(
            detect("Le ministère des affaires étrangères a déclaré dimanche que des discussions avaient eu lieu."),
            Some("fr")
        );
        assert_eq!(
            detect("Das Außenministerium teilte am Sonntag mit, dass Gespräche stattgefunden hätten."),
            Some("de")
        );
    }
}
