//! The article: what every stage reads and writes.
//!
//! Parsers fill an [`ArticleDraft`] with what their input says; [`ArticleDraft::finish`]
//! turns it into an [`Article`] by applying the rules that must hold for every
//! article whatever its source: an id, a title (derived from the first sentence
//! when the input has none, and marked so), a language, sections, a content hash.
//! Reading inputs is `storyline-ingest`'s job; storing articles is `storyline-store`'s.

use crate::limits::{Limit, Limits};
use crate::{id, lang, sentence, Published};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A titled block of an article: the lead has no heading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub heading: Option<String>,
    pub paragraphs: Vec<String>,
}

/// A link from a page's "Similar Posts:" / "Related:" trailer. The title is
/// what the page showed; the URL is there when the page linked it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedReference {
    pub title: String,
    pub url: Option<String>,
}

/// A stored (or storable) news article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Stable id: the input's own id, else derived from the canonical URL,
    /// else from the body text.
    pub id: String,
    pub url: Option<String>,
    /// The outlet or site that published the article.
    pub source: Option<String>,
    pub title: String,
    /// True when the input had no title and `title` was taken from the text.
    pub title_derived: bool,
    pub byline: Option<String>,
    pub published: Option<Published>,
    /// ISO 639-1 code, declared by the input or detected.
    pub lang: Option<String>,
    /// The body in reading order: section headings and paragraphs separated by
    /// blank lines; for JSON inputs, the input's text verbatim.
    pub text: String,
    pub sections: Vec<Section>,
    pub related_references: Vec<RelatedReference>,
    /// Input fields storyline has no column for (dataset labels such as `story`).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub metadata: Map<String, Value>,
    /// Hash of the white-space-normalised text: equal hashes are exact duplicates.
    pub content_hash: String,
    /// When the store first accepted the article; absent before storing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingested_at: Option<DateTime<Utc>>,
}

/// What a parser found, before the article rules are applied.
#[derive(Debug, Clone, Default)]
pub struct ArticleDraft {
    pub id: Option<String>,
    /// The given title was itself derived from the text (a re-ingested export).
    pub title_derived: bool,
    /// When a store first accepted the article (a re-ingested export keeps it).
    pub ingested_at: Option<DateTime<Utc>>,
    pub url: Option<String>,
    pub source: Option<String>,
    pub title: Option<String>,
    pub byline: Option<String>,
    pub published: Option<Published>,
    pub lang: Option<String>,
    /// Body text kept verbatim; when empty it is assembled from `sections`.
    pub text: String,
    /// When empty, the text's lines become the paragraphs of one section.
    pub sections: Vec<Section>,
    pub related_references: Vec<RelatedReference>,
    pub metadata: Map<String, Value>,
}

/// Why a draft cannot become an article.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DraftError {
    #[error("no article text (title: {title:?})")]
    NoText { title: Option<String> },
}

/// Derived titles longer than this are cut at a word boundary.
const MAX_DERIVED_TITLE_CHARS: usize = 140;

impl ArticleDraft {
    /// Drops every link the draft carries that is not a web link (see
    /// [`crate::link`]): its URL and its related references' URLs. Returns
    /// what was dropped and why, for the caller's warnings. `finish` does
    /// this too, so no path can store such a link; call it first to say so.
    pub fn drop_unsafe_links(&mut self) -> Vec<String> {
        drop_unsafe_links(&mut self.url, &mut self.related_references)
    }

    /// Cuts a text longer than `max_bytes` (and the sections it is read
    /// from) at the last paragraph or word boundary before the limit; what
    /// was done, for the caller's warnings.
    pub fn limit_text(&mut self, max_bytes: usize) -> Option<String> {
        let text_len = self.text.len();
        let sections_len: usize = self
            .sections
            .iter()
            .map(|s| {
                s.heading.as_ref().map_or(0, String::len)
                    + s.paragraphs.iter().map(String::len).sum::<usize>()
            })
            .sum();
        if text_len <= max_bytes && sections_len <= max_bytes {
            return None;
        }
        self.text.truncate(boundary_before(&self.text, max_bytes));
        let mut left = max_bytes;
        let mut kept = Vec::new();
        for mut section in std::mem::take(&mut self.sections) {
            if left == 0 {
                break;
            }
            left = left.saturating_sub(section.heading.as_ref().map_or(0, String::len));
            let mut paragraphs = Vec::new();
            for mut p in section.paragraphs {
                if left == 0 {
                    break;
                }
                if p.len() > left {
                    p.truncate(boundary_before(&p, left));
                }
                left -= p.len().min(left);
                paragraphs.push(p);
            }
            section.paragraphs = paragraphs;
            kept.push(section);
        }
        self.sections = kept;
        Some(format!(
            "text of {} bytes cut to the first {max_bytes} (the limit for one article, {})",
            text_len.max(sections_len),
            Limit::TextBytes.flag()
        ))
    }

    /// Applies the bounds every stored article keeps to: links that are not
    /// web links dropped, the text cut at `limits.text_bytes`. What was
    /// done, for warnings. `finish` drops unsafe links too, so no path can
    /// store one; the text limit is the caller's setting, so it is here only.
    pub fn bound(&mut self, limits: &Limits) -> Vec<Bounded> {
        let mut done: Vec<Bounded> = self
            .drop_unsafe_links()
            .into_iter()
            .map(|what| Bounded { limit: None, what })
            .collect();
        done.extend(self.limit_text(limits.text_bytes).map(|what| Bounded {
            limit: Some(Limit::TextBytes),
            what,
        }));
        done
    }

    /// Applies the article rules. Fails only when there is no text at all.
    pub fn finish(mut self) -> Result<Article, DraftError> {
        self.drop_unsafe_links();
        let mut sections = clean_sections(self.sections);
        let text = if self.text.trim().is_empty() {
            text_of_sections(&sections)
        } else {
            self.text
        };
        if text.trim().is_empty() {
            return Err(DraftError::NoText { title: self.title });
        }
        if sections.is_empty() {
            sections = vec![Section {
                heading: None,
                paragraphs: text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(String::from)
                    .collect(),
            }];
        }
        let title = self.title.map(|t| collapse(&t)).filter(|t| !t.is_empty());
        let (title, title_derived) = match title {
            Some(t) => (t, self.title_derived),
            None => (derive_title(&text), true),
        };
        let url = self.url.map(|u| u.trim().to_string()).filter(|u| !u.is_empty());
        let id = self
            .id
            .map(|i| i.trim().to_string())
            .filter(|i| !i.is_empty())
            .unwrap_or_else(|| match &url {
                Some(u) => id::id_from_url(u),
                None => id::id_from_text(&text),
            });
        let lang = self
            .lang
            .map(|l| l.trim().to_ascii_lowercase())
            .filter(|l| !l.is_empty())
            .or_else(|| lang::detect(&text).map(String::from));
        Ok(Article {
            id,
            url,
            source: non_empty(self.source),
            title,
            title_derived,
            byline: non_empty(self.byline),
            published: self.published,
            lang,
            content_hash: id::content_hash(&text),
            text,
            sections,
            related_references: self.related_references,
            metadata: self.metadata,
            ingested_at: self.ingested_at,
        })
    }
}

impl Article {
    /// Drops the links that are not web links, as [`ArticleDraft::drop_unsafe_links`]
    /// does: outputs call it so that an article stored before that policy,
    /// or written to a store by hand, cannot bring one to a reader.
    pub fn drop_unsafe_links(&mut self) -> Vec<String> {
        drop_unsafe_links(&mut self.url, &mut self.related_references)
    }

    /// The first paragraph that is not a heading, for teasers and lead weighting.
    pub fn lead(&self) -> &str {
        self.sections
            .iter()
            .flat_map(|s| s.paragraphs.iter())
            .next()
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The dataset's story label, when the input carried one.
    pub fn story_label(&self) -> Option<&str> {
        self.metadata.get("story").and_then(Value::as_str)
    }
}

/// One thing [`ArticleDraft::bound`] did to a draft, and the limit behind
/// it (none for a dropped link, which is a policy rather than a setting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounded {
    pub limit: Option<Limit>,
    pub what: String,
}

/// The largest index up to `limit` that ends a paragraph, else a word,
/// else a character, in `text`.
fn boundary_before(text: &str, limit: usize) -> usize {
    if text.len() <= limit {
        return text.len();
    }
    let mut cut = limit;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = &text[..cut];
    head.rfind("\n\n")
        .filter(|&i| i > cut / 2)
        .or_else(|| head.rfind(char::is_whitespace).filter(|&i| i > cut / 2))
        .unwrap_or(cut)
}

/// Keeps `url` and the references' URLs only where they are web links;
/// what was dropped, and why.
fn drop_unsafe_links(url: &mut Option<String>, references: &mut [RelatedReference]) -> Vec<String> {
    let mut dropped = Vec::new();
    let mut check = |what: &str, slot: &mut Option<String>| {
        let Some(raw) = slot.take() else { return };
        if raw.trim().is_empty() {
            return;
        }
        match crate::link::web_link(&raw) {
            Ok(link) => *slot = Some(link),
            Err(why) => dropped.push(format!("{what} {raw:?} dropped: {why}")),
        }
    };
    check("url", url);
    for r in references {
        check("related link", &mut r.url);
    }
    dropped
}

/// Joins headings and paragraphs in reading order, one blank line between blocks.
pub fn text_of_sections(sections: &[Section]) -> String {
    let mut blocks: Vec<&str> = Vec::new();
    for s in sections {
        if let Some(h) = &s.heading {
            blocks.push(h);
        }
        blocks.extend(s.paragraphs.iter().map(String::as_str));
    }
    blocks.join("\n\n")
}

/// The title a reader would give an untitled article: its first sentence,
/// shortened at a word boundary when long.
pub fn derive_title(text: &str) -> String {
    let first = sentence::first_sentence(text).unwrap_or(text);
    let first = collapse(first);
    if first.chars().count() <= MAX_DERIVED_TITLE_CHARS {
        return first.trim_end_matches('.').to_string();
    }
    let mut cut = String::new();
    for word in first.split(' ') {
        if cut.chars().count() + word.chars().count() + 1 > MAX_DERIVED_TITLE_CHARS - 1 {
            break;
        }
        if !cut.is_empty() {
            cut.push(' ');
        }
        cut.push_str(word);
    }
    let cut = cut.trim_end_matches([',', ';', ':', '-', '–']);
    format!("{cut}…")
}

fn clean_sections(sections: Vec<Section>) -> Vec<Section> {
    sections
        .into_iter()
        .map(|s| Section {
            heading: s.heading.map(|h| collapse(&h)).filter(|h| !h.is_empty()),
            paragraphs: s
                .paragraphs
                .iter()
                .map(|p| collapse(p))
                .filter(|p| !p.is_empty())
                .collect(),
        })
        .filter(|s| s.heading.is_some() || !s.paragraphs.is_empty())
        .collect()
}

fn collapse(s: &str) -> String {
    id::normalise_whitespace(s)
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|v| collapse(&v)).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_past_the_limit_is_cut_at_a_boundary_and_said() {
        const MAX: usize = 1 << 20;
        let mut d = ArticleDraft {
            text: "word ".repeat(MAX / 4),
            ..Default::default()
        };
        let said = d.limit_text(MAX).expect("cut");
        assert!(said.contains("cut to the first 1048576"), "{said}");
        assert!(d.text.len() <= MAX && d.text.ends_with("word"));
        let mut d = ArticleDraft {
            sections: vec![Section {
                heading: Some("H".into()),
                paragraphs: vec!["é".repeat(MAX / 3); 4],
            }],
            ..Default::default()
        };
        assert!(d.limit_text(MAX).is_some());
        let kept: usize = d.sections[0].paragraphs.iter().map(String::len).sum();
        assert!(kept <= MAX && kept > MAX / 2, "{kept}");
        let mut small = ArticleDraft {
            text: "Short.".into(),
            ..Default::default()
        };
        assert_eq!(small.limit_text(MAX), None);
    }

    fn draft(text: &str) -> ArticleDraft {
        ArticleDraft {
            text: text.to_string(),
            ..Default::default()
        }
    }

    #[test]
    fn untitled_articles_get_their_first_sentence_as_a_derived_title() {
        let a = draft("Talks were held in Beijing. They went well.")
            .finish()
            .unwrap();
        assert_eq!(a.title, "Talks were held in Beijing");
        assert!(a.title_derived);
    }

    #[test]
    fn long_derived_titles_are_cut_at_a_word() {
        let long = "word ".repeat(60) + ".";
        let t = derive_title(&long);
        assert!(t.ends_with('…'));
        assert!(t.chars().count() <= MAX_DERIVED_TITLE_CHARS);
        assert!(!t.contains("word…") || t.ends_with("word…"));
    }

    #[test]
    fn text_is_assembled_from_sections_when_absent() {
        let a = ArticleDraft {
            title: Some("T".into()),
            sections: vec![
                Section {
                    heading: None,
                    paragraphs: vec!["Lead.".into()],
                },
                Section {
                    heading: Some("Part:".into()),
                    paragraphs: vec!["Body  text.".into()],
                },
            ],
            ..Default::default()
        }
        .finish()
        .unwrap();
        assert_eq!(a.text, "Lead.\n\nPart:\n\nBody text.");
        assert_eq!(a.lead(), "Lead.");
    }

    #[test]
    fn ids_prefer_the_input_then_the_url_then_the_text() {
        let mut d = draft("Some text here.");
        assert_eq!(
            d.clone().finish().unwrap().id,
            id::id_from_text("Some text here.")
        );
        d.url = Some("https://example.com/a".into());
        assert_eq!(
            d.clone().finish().unwrap().id,
            id::id_from_url("https://example.com/a")
        );
        d.id = Some("rec-1".into());
        assert_eq!(d.finish().unwrap().id, "rec-1");
    }

    #[test]
    fn no_text_is_an_error() {
        let d = ArticleDraft {
            title: Some("Only a title".into()),
            ..Default::default()
        };
        assert_eq!(
            d.finish(),
            Err(DraftError::NoText {
                title: Some("Only a title".into())
            })
        );
    }

    #[test]
    fn json_round_trip_keeps_every_field() {
        let mut a = draft("Body.").finish().unwrap();
        a.published = Published::parse("2023-06-26T10:00:00+03:00");
        a.metadata.insert("story".into(), Value::from("s1"));
        a.related_references.push(RelatedReference {
            title: "Other".into(),
            url: None,
        });
        let back: Article = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
        assert_eq!(a, back);
        assert_eq!(back.story_label(), Some("s1"));
    }
}
