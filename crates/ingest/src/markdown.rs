//! Markdown articles, parsed with pulldown-cmark (CommonMark).
//!
//! Markup is reduced to blocks of plain text: `#` is the title, `##`… are
//! section headings, list items keep the first link they hold (so a
//! "Related:" list keeps its URLs), inline emphasis and links keep their text.

use crate::blocks::Block;
use crate::Parsed;
use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

pub fn parse(input: &str, text: &str) -> Parsed {
    crate::plain::parse_document(input, text, markdown_blocks)
}

/// Reduces Markdown to blocks of plain text.
pub fn markdown_blocks(body: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut text = String::new();
    let mut item_depth = 0usize;
    let mut item_url: Option<String> = None;
    for event in Parser::new(body) {
        match event {
            Event::Start(Tag::Item) => {
                item_depth += 1;
                text.clear();
                item_url = None;
            }
            Event::End(TagEnd::Item) => {
                item_depth = item_depth.saturating_sub(1);
                push_text(
                    &mut text,
                    |t| Block::ListItem {
                        text: t,
                        url: item_url.take(),
                    },
                    &mut blocks,
                );
            }
            Event::Start(Tag::Link { dest_url, .. }) if item_depth > 0 && item_url.is_none() => {
                item_url = Some(dest_url.to_string());
            }
            Event::End(TagEnd::Heading(level)) => {
                let level = heading_level(level);
                push_text(&mut text, |t| Block::Heading { level, text: t }, &mut blocks);
            }
            Event::End(TagEnd::Paragraph) if item_depth == 0 => {
                push_text(&mut text, Block::Paragraph, &mut blocks);
            }
            Event::End(TagEnd::Paragraph) => text.push(' '),
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    blocks
}

fn push_text(text: &mut String, make: impl FnOnce(String) -> Block, blocks: &mut Vec<Block>) {
    let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
    text.clear();
    if !t.is_empty() {
        blocks.push(make(t));
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_article_with_sections_and_related_links() {
        let md = "---\nsource: Example Wire\n---\n# Storm *hits* coast\n\nLead with a [link](https://x.test).\n\n## Damage\n\nRoofs gone.\n\nRelated:\n\n- [Earlier storm](https://example.com/earlier)\n- Another story\n";
        let p = parse("a.md", md);
        let a = p.drafts[0].draft.clone().finish().unwrap();
        assert_eq!(a.title, "Storm hits coast");
        assert_eq!(a.source.as_deref(), Some("Example Wire"));
        assert_eq!(a.sections[0].paragraphs, vec!["Lead with a link."]);
        assert_eq!(a.sections[1].heading.as_deref(), Some("Damage"));
        assert_eq!(a.related_references.len(), 2);
        assert_eq!(
            a.related_references[0].url.as_deref(),
            Some("https://example.com/earlier")
        );
        assert!(!a.text.contains("Earlier storm"));
    }
}
