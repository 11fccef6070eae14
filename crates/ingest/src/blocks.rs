//! From a flat list of text blocks to title, sections and related references.
//!
//! Text, Markdown and HTML parsers each cut their input into [`Block`]s; the
//! rules that turn blocks into an article's structure are the same for all of
//! them and live here: a level-1 heading or a short first line is the title; a
//! short line ending in ":" that is followed by text is a section heading (the
//! seed article's style); a trailing "Similar Posts:" / "Related:" / "Read more:"
//! block of short items is the page's related references, not body text.

use storyline_core::{RelatedReference, Section};

/// One block of an input, in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A heading the markup marks as such (`#`, `<h2>`); level 1 is a title.
    Heading {
        level: u8,
        text: String,
    },
    Paragraph(String),
    ListItem {
        text: String,
        url: Option<String>,
    },
}

/// The structure found in a list of blocks.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Structure {
    pub title: Option<String>,
    pub sections: Vec<Section>,
    pub related: Vec<RelatedReference>,
}

/// Labels of related-links trailers, compared lower-cased without the colon.
const RELATED_LABELS: &[&str] = &[
    "similar posts",
    "similar articles",
    "similar stories",
    "related",
    "related posts",
    "related articles",
    "related stories",
    "related news",
    "related coverage",
    "read more",
    "read also",
    "see also",
    "more on this story",
    "more on this topic",
    "you may also like",
    "you might also like",
    "recommended",
    "recommended reading",
    "further reading",
    "more stories",
];

const MAX_HEADING_WORDS: usize = 14;
const MAX_HEADING_CHARS: usize = 120;
const MAX_TITLE_WORDS: usize = 25;
const MAX_TITLE_CHARS: usize = 200;
const MAX_REFERENCE_WORDS: usize = 40;

/// Applies the structure rules. `title_known` says the input already gave a
/// title (front matter, meta tags), so the first block is body, not title.
pub fn assemble(mut blocks: Vec<Block>, title_known: bool) -> Structure {
    let mut structure = Structure::default();
    if !title_known {
        structure.title = take_title(&mut blocks);
    }
    structure.related = take_related_trailer(&mut blocks);
    structure.sections = sections_of(&blocks);
    structure
}

fn take_title(blocks: &mut Vec<Block>) -> Option<String> {
    let title = match blocks.first()? {
        Block::Heading { level: 1, text } => text.clone(),
        Block::Paragraph(text) if blocks.len() > 1 && is_title_like(text) => text.clone(),
        _ => return None,
    };
    blocks.remove(0);
    Some(title)
}

fn is_title_like(text: &str) -> bool {
    let t = text.trim();
    crate::words::count(t) <= MAX_TITLE_WORDS
        && t.chars().count() <= MAX_TITLE_CHARS
        && !t.ends_with(['.', ':', ';', ','])
}

/// The heading text of a block, if it reads as a heading.
pub(crate) fn heading_text(block: &Block) -> Option<&str> {
    match block {
        Block::Heading { text, .. } => Some(text),
        Block::Paragraph(text) => {
            let t = text.trim();
            let is_heading = t.ends_with(':')
                && crate::words::count(t) <= MAX_HEADING_WORDS
                && t.chars().count() <= MAX_HEADING_CHARS
                && !t.contains(['“', '"']);
            is_heading.then_some(t)
        }
        Block::ListItem { .. } => None,
    }
}

pub(crate) fn is_related_label(heading: &str) -> bool {
    let label = heading.trim().trim_end_matches(':').trim().to_lowercase();
    RELATED_LABELS.contains(&label.as_str())
}

fn take_related_trailer(blocks: &mut Vec<Block>) -> Vec<RelatedReference> {
    let Some(pos) = blocks
        .iter()
        .rposition(|b| heading_text(b).is_some_and(is_related_label))
    else {
        return Vec::new();
    };
    let items = &blocks[pos + 1..];
    let all_short = !items.is_empty()
        && items.iter().all(|b| match b {
            Block::ListItem { text, .. } | Block::Paragraph(text) => {
                crate::words::count(text) <= MAX_REFERENCE_WORDS
            }
            Block::Heading { .. } => false,
        });
    if !all_short {
        return Vec::new();
    }
    let refs = items
        .iter()
        .filter_map(|b| match b {
            Block::ListItem { text, url } => Some(reference(text, url.clone())),
            Block::Paragraph(text) => Some(reference(text, None)),
            Block::Heading { .. } => None,
        })
        .filter(|r| !r.title.is_empty())
        .collect();
    blocks.truncate(pos);
    refs
}

/// Splits "Title https://…" or "Title (https://…)" into its parts.
fn reference(text: &str, url: Option<String>) -> RelatedReference {
    let text = text.trim();
    if url.is_none() {
        if let Some(i) = text.rfind("http://").or_else(|| text.rfind("https://")) {
            let link = text[i..].trim_end_matches(')').trim().to_string();
            if !link.contains(' ') {
                let title = text[..i]
                    .trim()
                    .trim_end_matches(['(', '-', '–', '—', '|', ':'])
                    .trim();
                return RelatedReference {
                    title: title.to_string(),
                    url: Some(link),
                };
            }
        }
    }
    RelatedReference {
        title: text.to_string(),
        url,
    }
}

fn sections_of(blocks: &[Block]) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    let mut current = Section {
        heading: None,
        paragraphs: Vec::new(),
    };
    for (i, block) in blocks.iter().enumerate() {
        let followed_by_text = blocks
            .get(i + 1)
            .is_some_and(|next| !matches!(next, Block::Heading { .. }) && heading_text(next).is_none());
        let heading =
            heading_text(block).filter(|_| matches!(block, Block::Heading { .. }) || followed_by_text);
        if let Some(h) = heading {
            if current.heading.is_some() || !current.paragraphs.is_empty() {
                sections.push(std::mem::replace(
                    &mut current,
                    Section {
                        heading: None,
                        paragraphs: Vec::new(),
                    },
                ));
            }
            current.heading = Some(h.to_string());
            continue;
        }
        match block {
            Block::Paragraph(t) | Block::ListItem { text: t, .. } | Block::Heading { text: t, .. } => {
                current.paragraphs.push(t.clone())
            }
        }
    }
    if current.heading.is_some() || !current.paragraphs.is_empty() {
        sections.push(current);
    }
    sections
}

/// Parses a Markdown-style list marker ("- ", "* ", "• ", "1. ") off a line.
pub fn strip_list_marker(line: &str) -> Option<&str> {
    let t = line.trim_start();
    for m in ["- ", "* ", "• ", "– ", "+ "] {
        if let Some(rest) = t.strip_prefix(m) {
            return Some(rest.trim());
        }
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && digits < 4 {
        let rest = &t[digits..];
        if let Some(r) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return Some(r.trim());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Block {
        Block::Paragraph(s.into())
    }
    fn li(s: &str) -> Block {
        Block::ListItem {
            text: s.into(),
            url: None,
        }
    }

    #[test]
    fn seed_style_structure() {
        let blocks = vec![
            p("A long lead paragraph that tells the story in one sentence, as news leads do."),
            p("First Part:"),
            p("Body one."),
            p("Second Part:"),
            p("Body two."),
            p("Body three."),
            p("Similar Posts:"),
            li("One related title"),
            li("Another related title https://example.com/x"),
        ];
        let s = assemble(blocks, false);
        assert_eq!(s.title, None, "a long sentence is not a title");
        let headings: Vec<_> = s.sections.iter().map(|s| s.heading.clone()).collect();
        assert_eq!(
            headings,
            vec![None, Some("First Part:".into()), Some("Second Part:".into())]
        );
        assert_eq!(s.sections[2].paragraphs, vec!["Body two.", "Body three."]);
        assert_eq!(s.related.len(), 2);
        assert_eq!(s.related[1].url.as_deref(), Some("https://example.com/x"));
        assert_eq!(s.related[1].title, "Another related title");
    }

    #[test]
    fn short_first_line_is_the_title() {
        let s = assemble(vec![p("Storm hits the coast"), p("Body.")], false);
        assert_eq!(s.title.as_deref(), Some("Storm hits the coast"));
        let s = assemble(vec![p("Storm hits the coast"), p("Body.")], true);
        assert_eq!(s.title, None);
        assert_eq!(s.sections[0].paragraphs.len(), 2);
    }

    #[test]
    fn a_colon_line_at_the_end_is_text_not_a_heading() {
        let s = assemble(vec![p("Lead."), p("He said:")], true);
        assert_eq!(s.sections.len(), 1);
        assert_eq!(s.sections[0].paragraphs, vec!["Lead.", "He said:"]);
    }

    #[test]
    fn related_label_followed_by_long_text_is_kept_as_body() {
        let long = "word ".repeat(60);
        let s = assemble(vec![p("Lead."), p("Related:"), p(&long)], true);
        assert!(s.related.is_empty());
    }

    #[test]
    fn list_markers() {
        assert_eq!(strip_list_marker("- item"), Some("item"));
        assert_eq!(strip_list_marker("12. item"), Some("item"));
        assert_eq!(strip_list_marker("2023 was a year"), None);
    }
}
