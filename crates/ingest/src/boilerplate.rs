//! Clutter told by its text: the blocks of a page's main container that
//! are not the article, once the container has been chosen by its markup.
//!
//! Article containers carry more than the article: a kicker and a
//! dateline above it, "Advertisement" slots inside it, tags, an author
//! box and teasers below it. In the jusText tradition a block is judged
//! by its length and by its neighbours: the article runs from the first
//! to the last substantial paragraph, so short blocks before or after
//! that run are dropped (a heading right before the first paragraph, and
//! a related-links trailer at the end, stay). Inside the run only stock
//! lines such as "Advertisement" go. The markup's part (containers, link
//! density, boilerplate classes) is `html`'s.

use crate::blocks::{self, Block};

/// A paragraph with at least this many words is article text wherever it is.
const SUBSTANTIAL_WORDS: usize = 20;
/// A shorter one still is if it reads as a sentence (ends like one) and
/// has at least this many words.
const SENTENCE_WORDS: usize = 10;

/// Lines that pages put among the paragraphs and that are never article
/// text (compared lower-cased, without trailing punctuation).
const STOCK_LINES: &[&str] = &[
    "advertisement",
    "advertising",
    "advert",
    "sponsored",
    "sponsored content",
    "story continues below advertisement",
    "article continues below advertisement",
    "continue reading below",
    "continue reading",
    "share this story",
    "share this article",
    "share",
    "tweet",
    "email",
    "print",
    "subscribe",
    "recommended",
    "recommended stories",
    "skip advertisement",
];

/// Drops the clutter around and inside the article's run of paragraphs.
pub fn trim(blocks: &mut Vec<Block>) {
    drop_stock_lines(blocks);
    let Some(first) = blocks.iter().position(is_substantial) else {
        return;
    };
    let mut last = blocks.iter().rposition(is_substantial).unwrap_or(first);
    // Short closing sentences ("He did not reply.") still belong to it.
    while blocks.get(last + 1).is_some_and(is_closing_sentence) {
        last += 1;
    }
    // Headings right before the first paragraph introduce it.
    let mut start = first;
    while start > 0 && matches!(blocks[start - 1], Block::Heading { .. }) {
        start -= 1;
    }
    // A related-links trailer after the last paragraph is kept whole for
    // `blocks::assemble` to recognise; anything else after it is dropped.
    let trailer = blocks[last + 1..]
        .iter()
        .position(|b| blocks::heading_text(b).is_some_and(blocks::is_related_label))
        .map(|i| last + 1 + i);
    let mut tail = trailer.map(|at| blocks.split_off(at)).unwrap_or_default();
    // The trailer is its label and the items up to the next heading
    // ("More on this story", its links, then "Features", "Elsewhere …").
    if let Some(end) = tail
        .iter()
        .skip(1)
        .position(|b| matches!(b, Block::Heading { .. }))
    {
        tail.truncate(end + 1);
    }
    blocks.truncate(last + 1);
    blocks.drain(..start);
    blocks.extend(tail);
}

/// A block that is article text wherever it stands.
/// Drops only the stock lines ("Advertisement"), wherever they are.
pub fn drop_stock_lines(blocks: &mut Vec<Block>) {
    blocks.retain(|b| !is_stock_line(b));
}

fn is_substantial(block: &Block) -> bool {
    let (Block::Paragraph(text) | Block::ListItem { text, .. }) = block else {
        return false;
    };
    let words = crate::words::count(text);
    words >= SUBSTANTIAL_WORDS || (words >= SENTENCE_WORDS && ends_like_sentence(text))
}

/// A short paragraph that reads as a sentence: it ends like one and has
/// a few words (datelines and captions rarely do both).
fn is_closing_sentence(block: &Block) -> bool {
    let Block::Paragraph(text) = block else {
        return false;
    };
    crate::words::count(text) >= 3 && ends_like_sentence(text)
}

fn ends_like_sentence(text: &str) -> bool {
    text.trim_end()
        .trim_end_matches(['"', '\'', '”', '’', ')'])
        .ends_with(['.', '!', '?', '…'])
}

fn is_stock_line(block: &Block) -> bool {
    let text = match block {
        Block::Paragraph(t) | Block::Heading { text: t, .. } | Block::ListItem { text: t, .. } => t,
    };
    if text.len() > 48 {
        return false;
    }
    let line = text
        .trim()
        .trim_end_matches([':', '.', '!', '»', '›', '→'])
        .trim()
        .to_lowercase();
    STOCK_LINES.contains(&line.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Block {
        Block::Paragraph(text.to_string())
    }

    fn h(text: &str) -> Block {
        Block::Heading {
            level: 2,
            text: text.to_string(),
        }
    }

    #[test]
    fn clutter_around_the_run_of_paragraphs_goes() {
        let body =
            "The council voted on Tuesday to reopen the harbour after three weeks of repairs to the quay.";
        let short_end = "Crews will work through the weekend to finish the job.";
        let mut blocks = vec![
            p("Health"),
            p("By Jane Doe"),
            p("November 18, 2019 | 4:10pm"),
            h("What happened"),
            p(body),
            p("Advertisement"),
            p("Why?"),
            p(short_end),
            p("He did not reply."),
            p("Filed under harbours, repairs"),
            p("13 hours ago"),
            h("Related stories"),
            Block::ListItem {
                text: "Harbour closes for repairs".into(),
                url: Some("https://a.example/1".into()),
            },
            h("Elsewhere on the site"),
            p("Lyrics quiz"),
        ];
        trim(&mut blocks);
        assert_eq!(
            blocks[..5],
            [
                h("What happened"),
                p(body),
                p("Why?"),
                p(short_end),
                p("He did not reply.")
            ],
            "the heading before the run, short lines inside it and a closing sentence stay"
        );
        assert_eq!(
            blocks.len(),
            7,
            "the related trailer stays for assemble: {blocks:?}"
        );
    }

    #[test]
    fn pages_without_a_substantial_paragraph_are_left_alone() {
        let mut blocks = vec![p("Short note."), p("Another line")];
        trim(&mut blocks);
        assert_eq!(blocks.len(), 2);
    }
}
