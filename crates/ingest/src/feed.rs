//! RSS 0.9–2.0, Atom and JSON Feed files, parsed with feed-rs.
//!
//! Each item becomes an article: its link is the URL (and so the id), its full
//! content when the feed carries it, else its summary, is read as HTML. The
//! feed's title is the source. Items without any text are rejected by number.

use crate::blocks;
use crate::html::fragment_blocks;
use crate::{Located, Parsed, Rejection};
use chrono::{DateTime, Utc};
use feed_rs::model::Entry;
use storyline_core::{ArticleDraft, Limit, Limits, Published};

/// The articles of one feed, at most `limits.feed_entries` of them.
pub fn parse(input: &str, bytes: &[u8], limits: &Limits) -> Parsed {
    let max = limits.feed_entries;
    let feed = match feed_rs::parser::parse(bytes) {
        Ok(f) => f,
        Err(e) => {
            return Parsed::rejected(input, None, format!("not a readable RSS, Atom or JSON feed: {e}"))
        }
    };
    let source = feed.title.as_ref().map(|t| plain(&t.content));
    let lang = feed.language.clone();
    let mut parsed = Parsed::default();
    let entries = feed.entries.len();
    if entries > max {
        parsed.rejected.push(Rejection::at_limit(
            input,
            None,
            Limit::FeedEntries,
            format!(
                "the feed has {entries} items; the first {max} were read and the other {} left out ({})",
                entries - max,
                Limit::FeedEntries.flag()
            ),
        ));
    }
    for (i, entry) in feed.entries.into_iter().take(max).enumerate() {
        let title = entry.title.as_ref().map(|t| plain(&t.content));
        match draft_from_entry(entry, source.clone(), lang.clone()) {
            Some(draft) => parsed.drafts.push(Located {
                input: input.into(),
                line: None,
                draft,
                page_type: None,
            }),
            None => parsed.rejected.push(Rejection::new(
                input,
                None,
                format!(
                    "feed item {} ({}): no content or summary text",
                    i + 1,
                    title.as_deref().unwrap_or("untitled")
                ),
            )),
        }
    }
    parsed
}

fn draft_from_entry(entry: Entry, source: Option<String>, lang: Option<String>) -> Option<ArticleDraft> {
    let body = entry
        .content
        .as_ref()
        .and_then(|c| c.body.clone())
        .or_else(|| entry.summary.as_ref().map(|s| s.content.clone()))?;
    let structure = blocks::assemble(fragment_blocks(&body), true);
    if structure.sections.iter().all(|s| s.paragraphs.is_empty()) {
        return None;
    }
    let url = entry
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .map(|l| l.href.clone())
        .or_else(|| entry.id.starts_with("http").then(|| entry.id.clone()));
    Some(ArticleDraft {
        title: entry.title.map(|t| plain(&t.content)),
        url,
        source,
        lang,
        byline: entry.authors.first().and_then(|p| p.name.clone()),
        published: entry.published.or(entry.updated).map(utc_published),
        sections: structure.sections,
        related_references: structure.related,
        ..Default::default()
    })
}

fn utc_published(dt: DateTime<Utc>) -> Published {
    Published::Instant(dt.fixed_offset())
}

/// Feed titles may carry markup; keep their text.
fn plain(s: &str) -> String {
    let blocks = fragment_blocks(s);
    let text = blocks
        .iter()
        .map(|b| match b {
            blocks::Block::Paragraph(t)
            | blocks::Block::Heading { text: t, .. }
            | blocks::Block::ListItem { text: t, .. } => t.as_str(),
        })
        .collect::<Vec<_>>()
        .join(" ");
    if text.is_empty() {
        s.trim().to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_items_become_articles() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>Example Wire</title>
            <item><title>Storm hits coast</title><link>https://wire.example/storm</link>
            <pubDate>Mon, 11 Sep 2023 08:00:00 GMT</pubDate>
            <description>&lt;p&gt;Heavy rain fell.&lt;/p&gt;&lt;p&gt;Roofs were lost.&lt;/p&gt;</description></item>
            <item><title>Empty</title><link>https://wire.example/empty</link></item>
            </channel></rss>"#;
        let p = parse("f.rss", rss, &Limits::default());
        assert_eq!(p.drafts.len(), 1);
        assert_eq!(p.rejected.len(), 1);
        assert!(p.rejected[0].reason.contains("item 2 (Empty)"));
        let a = p.drafts[0].draft.clone().finish().unwrap();
        assert_eq!(a.title, "Storm hits coast");
        assert_eq!(a.source.as_deref(), Some("Example Wire"));
        assert_eq!(a.url.as_deref(), Some("https://wire.example/storm"));
        assert_eq!(a.text, "Heavy rain fell.\n\nRoofs were lost.");
        assert_eq!(a.published.unwrap().to_string(), "2023-09-11T08:00:00+00:00");
    }

    #[test]
    fn atom_entries_become_articles() {
        let atom = br#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
            <title>Atom Daily</title><id>urn:x</id><updated>2023-09-11T08:00:00Z</updated>
            <entry><title>Quake</title><id>urn:e1</id><link href="https://atom.example/quake"/>
            <updated>2023-09-09T01:00:00Z</updated><content type="html">&lt;p&gt;The ground shook.&lt;/p&gt;</content></entry></feed>"#;
        let p = parse("f.atom", atom, &Limits::default());
        assert_eq!(p.drafts.len(), 1, "{:?}", p.rejected);
        let a = p.drafts[0].draft.clone().finish().unwrap();
        assert_eq!(a.text, "The ground shook.");
        assert_eq!(a.source.as_deref(), Some("Atom Daily"));
    }

    #[test]
    fn garbage_is_rejected() {
        let p = parse("f.xml", b"<rss><channel><item>", &Limits::default());
        assert!(p.drafts.is_empty());
        assert!(p.rejected[0].reason.starts_with("not a readable"));
    }
}
