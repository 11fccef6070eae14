//! Plain-text articles: optional front matter, a title line or none, short
//! "Heading:" lines, and a related-links trailer (see [`crate::blocks`]).
//!
//! Paragraphs are separated by blank lines; a text without any blank line (as
//! the seed article, one paragraph per line) has one paragraph per line.

use crate::blocks::{self, Block};
use crate::{front_matter, Parsed, Rejection};
use storyline_core::ArticleDraft;

pub fn parse(input: &str, text: &str) -> Parsed {
    parse_document(input, text, text_blocks)
}

/// The flow shared by text and Markdown: front matter, then blocks cut by
/// `cut`, then the structure rules of [`blocks::assemble`].
pub fn parse_document(input: &str, text: &str, cut: fn(&str) -> Vec<Block>) -> Parsed {
    let (pairs, body, _) = front_matter::split(text);
    let mut draft = ArticleDraft::default();
    let problems = front_matter::apply(pairs, &mut draft);
    let structure = blocks::assemble(cut(body), draft.title.is_some());
    draft.title = draft.title.or(structure.title);
    draft.sections = structure.sections;
    draft.related_references = structure.related;
    let mut parsed = Parsed::one(input, draft);
    parsed.warnings.extend(
        problems
            .into_iter()
            .map(|reason| Rejection::new(input, None, reason)),
    );
    parsed
}

/// Cuts text into blocks: paragraphs, list items, `#` headings.
pub fn text_blocks(body: &str) -> Vec<Block> {
    let one_per_line = !body.trim().contains("\n\n") && !body.trim().contains("\n\r\n");
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let flush = |paragraph: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !paragraph.is_empty() {
            blocks.push(Block::Paragraph(paragraph.join(" ")));
            paragraph.clear();
        }
    };
    for line in body.lines() {
        let l = line.trim();
        if l.is_empty() {
            flush(&mut paragraph, &mut blocks);
            continue;
        }
        if let Some(level) = atx_heading_level(l) {
            flush(&mut paragraph, &mut blocks);
            blocks.push(Block::Heading {
                level,
                text: l[level as usize..].trim().to_string(),
            });
        } else if let Some(item) = blocks::strip_list_marker(l) {
            flush(&mut paragraph, &mut blocks);
            blocks.push(Block::ListItem {
                text: item.to_string(),
                url: None,
            });
        } else if one_per_line {
            blocks.push(Block::Paragraph(l.to_string()));
        } else {
            paragraph.push(l);
        }
    }
    flush(&mut paragraph, &mut blocks);
    blocks
}

fn atx_heading_level(line: &str) -> Option<u8> {
    let hashes = line.chars().take_while(|&c| c == '#').count();
    ((1..=6).contains(&hashes) && line[hashes..].starts_with(' ')).then_some(hashes as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_paragraphs_join_and_blank_lines_separate() {
        let b = text_blocks("Title here\n\nFirst line\nsecond line.\n\n- item\n");
        assert_eq!(
            b,
            vec![
                Block::Paragraph("Title here".into()),
                Block::Paragraph("First line second line.".into()),
                Block::ListItem {
                    text: "item".into(),
                    url: None
                },
            ]
        );
    }

    #[test]
    fn front_matter_title_and_date() {
        let p = parse(
            "a.txt",
            "---\ntitle: Storm\ndate: 2023-09-11\n---\nRain fell.\nWind blew.\n",
        );
        let a = p.drafts[0].draft.clone().finish().unwrap();
        assert_eq!(a.title, "Storm");
        assert!(!a.title_derived);
        assert_eq!(a.published.unwrap().to_string(), "2023-09-11");
        assert_eq!(a.sections[0].paragraphs, vec!["Rain fell.", "Wind blew."]);
    }
}
