//! Evidence in the text: an article's paragraphs cut into runs, each run
//! marked with what was extracted there (a name, a quote, a date), so the
//! article page can highlight every fact where it was read.
//!
//! Extraction offsets are characters into the article's `text`; sections
//! hold the same paragraphs, so each paragraph is found in the text (in
//! order) and the marks falling inside it are cut out. A paragraph that
//! cannot be found is shown plain. This module only cuts: the template
//! escapes every run.

use storyline_core::Section;
use storyline_extract::quotes::QuotePart;
use storyline_extract::Analysis;

/// A piece of a paragraph; `class` is empty for plain text.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub text: String,
    pub class: String,
    pub title: String,
}

/// A section as the page shows it.
pub struct SectionView {
    pub heading: Option<String>,
    pub paragraphs: Vec<Vec<Run>>,
}

/// Something to highlight: a character span, CSS classes, a tooltip, and
/// a rank (a higher rank's tooltip wins where marks overlap).
struct Mark {
    start: usize,
    end: usize,
    class: String,
    title: String,
    rank: u8,
}

fn marks(analysis: &Analysis) -> Vec<Mark> {
    let mut out = Vec::new();
    for q in &analysis.quotes {
        let who = q
            .speaker
            .as_ref()
            .map_or("unattributed".to_string(), |s| format!("said by {}", s.name));
        // An interrupted quote is marked part by part, its attribution not.
        let whole = [QuotePart {
            start: q.start,
            end: q.end,
        }];
        let parts = if q.parts.is_empty() {
            &whole[..]
        } else {
            &q.parts[..]
        };
        for part in parts {
            out.push(Mark {
                start: part.start,
                end: part.end,
                class: "quote".into(),
                title: format!("quote, {who}"),
                rank: 0,
            });
        }
    }
    for t in &analysis.timexes {
        out.push(Mark {
            start: t.start,
            end: t.end,
            class: "time".into(),
            title: format!("{} {}", t.kind.as_str().to_lowercase(), t.value),
            rank: 1,
        });
    }
    for e in &analysis.entities {
        for m in &e.mentions {
            out.push(Mark {
                start: m.start,
                end: m.end,
                class: format!("ent {}", e.kind.to_lowercase()),
                title: format!("{} ({})", e.name, e.kind.to_lowercase()),
                rank: 2,
            });
        }
    }
    out
}

/// The sections of an article with `text`, their paragraphs cut into runs
/// at the marks of `analysis`.
pub fn sections(text: &str, sections: &[Section], analysis: &Analysis) -> Vec<SectionView> {
    let marks = marks(analysis);
    let mut cursor_byte = 0;
    let mut cursor_char = 0;
    sections
        .iter()
        .map(|s| SectionView {
            heading: s.heading.clone(),
            paragraphs: s
                .paragraphs
                .iter()
                .map(|p| match text[cursor_byte..].find(p.as_str()) {
                    Some(found) => {
                        let start_byte = cursor_byte + found;
                        let start = cursor_char + text[cursor_byte..start_byte].chars().count();
                        let len = p.chars().count();
                        cursor_byte = start_byte + p.len();
                        cursor_char = start + len;
                        runs(p, start, &marks)
                    }
                    None => vec![plain(p)],
                })
                .collect(),
        })
        .collect()
}

fn plain(p: &str) -> Run {
    Run {
        text: p.to_string(),
        class: String::new(),
        title: String::new(),
    }
}

/// `paragraph` (starting at character `start` of the text) cut at the
/// marks inside it.
fn runs(paragraph: &str, start: usize, marks: &[Mark]) -> Vec<Run> {
    let chars: Vec<char> = paragraph.chars().collect();
    let end = start + chars.len();
    let inside: Vec<&Mark> = marks
        .iter()
        .filter(|m| m.start < end && m.end > start && m.start < m.end)
        .collect();
    if inside.is_empty() {
        return vec![plain(paragraph)];
    }
    let mut cuts: Vec<usize> = vec![start, end];
    for m in &inside {
        cuts.push(m.start.clamp(start, end));
        cuts.push(m.end.clamp(start, end));
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out: Vec<Run> = Vec::new();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let mut covering: Vec<&&Mark> = inside.iter().filter(|m| m.start <= a && b <= m.end).collect();
        covering.sort_by_key(|m| m.rank);
        let text: String = chars[a - start..b - start].iter().collect();
        let class = covering
            .iter()
            .map(|m| m.class.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let title = covering.last().map_or(String::new(), |m| m.title.clone());
        match out.last_mut() {
            Some(last) if last.class == class && last.title == title => last.text.push_str(&text),
            _ => out.push(Run { text, class, title }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_cut_paragraphs_found_in_the_text() {
        let text = "Heading\nPutin said “no deal” on Friday.\nLast line.";
        let analysis: Analysis = Analysis {
            entities: serde_json::from_value(serde_json::json!([{
                "id": "e1", "name": "Vladimir Putin", "type": "PERSON", "aliases": [], "roles": [],
                "mentions": [{"text": "Putin", "start": 8, "end": 13}],
            }]))
            .unwrap(),
            quotes: serde_json::from_value(serde_json::json!([{
                "text": "no deal", "start": 20, "end": 27, "speaker": null,
            }]))
            .unwrap(),
            timexes: serde_json::from_value(serde_json::json!([{
                "text": "Friday", "start": 32, "end": 38, "type": "DATE", "value": "2023-06-23",
            }]))
            .unwrap(),
            ..Analysis::default()
        };
        let sections_in = vec![Section {
            heading: Some("Heading".into()),
            paragraphs: vec![
                "Putin said “no deal” on Friday.".into(),
                "Not in the text.".into(),
            ],
        }];
        let shown = sections(text, &sections_in, &analysis);
        let runs = &shown[0].paragraphs[0];
        let marked: Vec<(&str, &str)> = runs
            .iter()
            .filter(|r| !r.class.is_empty())
            .map(|r| (r.text.as_str(), r.class.as_str()))
            .collect();
        assert_eq!(
            marked,
            [("Putin", "ent person"), ("no deal", "quote"), ("Friday", "time")]
        );
        assert_eq!(
            runs.iter().map(|r| r.text.as_str()).collect::<String>(),
            "Putin said “no deal” on Friday."
        );
        assert_eq!(
            shown[0].paragraphs[1],
            [plain("Not in the text.")],
            "not found: plain"
        );
    }
}
