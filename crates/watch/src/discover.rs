//! What a watched source's document names: article links from a feed or a
//! sitemap, further sitemaps from an index, or itself as a web page.
//!
//! Kinds are told from the document, not from the URL or media type
//! alone, because servers label feeds `text/html` and sitemaps `text/plain`
//! often enough. Links are made absolute against the document's URL, kept
//! to http(s), and deduplicated. Fetching them is the watcher's business.

use crate::sitemap::{self, Sitemap};
use chrono::{DateTime, FixedOffset};
use url::Url;

/// An article (or sitemap) URL with what the listing says about it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Link {
    pub url: String,
    pub title: Option<String>,
    /// When it was published (or, in a plain sitemap, last modified).
    pub published: Option<DateTime<FixedOffset>>,
}

/// What a source document turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum Discovery {
    /// An RSS, Atom or JSON feed: its title and its items' links.
    Feed { title: Option<String>, links: Vec<Link> },
    /// A sitemap or news sitemap: its pages.
    Sitemap(Vec<Link>),
    /// A sitemap index: further sitemaps.
    SitemapIndex(Vec<Link>),
    /// Anything else: a web page, an article or an index of articles (the
    /// watcher tells which, see `storyline_ingest::html::index_links`).
    Page,
}

/// Tells what `bytes`, fetched from `base` and served as `media_type`, are.
pub fn discover(base: &str, media_type: Option<&str>, bytes: &[u8]) -> Discovery {
    let root = root_element(bytes);
    let discovery = match root.as_deref() {
        Some("urlset" | "sitemapindex") => match sitemap::parse(bytes) {
            Ok(Sitemap::Pages(links)) => Discovery::Sitemap(links),
            Ok(Sitemap::Index(links)) => Discovery::SitemapIndex(links),
            Err(_) => Discovery::Page,
        },
        Some("rss" | "feed" | "rdf") => feed(bytes).unwrap_or(Discovery::Page),
        None if looks_like_json_feed(media_type, bytes) => feed(bytes).unwrap_or(Discovery::Page),
        _ => Discovery::Page,
    };
    absolute(base, discovery)
}

/// The local name of the first element of an XML or HTML document,
/// lower-cased; `None` for documents that do not start with markup.
fn root_element(bytes: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let mut rest = head.trim_start_matches('\u{feff}').trim_start();
    loop {
        rest = rest.strip_prefix('<')?;
        if let Some(after) = rest.strip_prefix("!--") {
            rest = after.split_once("-->")?.1.trim_start();
        } else if rest.starts_with('?') || rest.starts_with('!') {
            rest = rest.split_once('>')?.1.trim_start();
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || matches!(c, ':' | '-' | '_' | '.'))
                .collect();
            let local = name.rsplit(':').next().unwrap_or(&name);
            return Some(local.to_ascii_lowercase());
        }
    }
}

fn looks_like_json_feed(media_type: Option<&str>, bytes: &[u8]) -> bool {
    let json = media_type.is_some_and(|m| m.contains("json"));
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]);
    json || head.trim_start().starts_with('{') && head.contains("jsonfeed.org")
}

fn feed(bytes: &[u8]) -> Option<Discovery> {
    let feed = feed_rs::parser::parse(bytes).ok()?;
    let links = feed
        .entries
        .into_iter()
        .filter_map(|entry| {
            let url = entry
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .map(|l| l.href.clone())
                .or_else(|| entry.id.starts_with("http").then(|| entry.id.clone()))?;
            Some(Link {
                url,
                title: entry.title.map(|t| t.content.trim().to_string()),
                published: entry.published.or(entry.updated).map(|d| d.fixed_offset()),
            })
        })
        .collect();
    Some(Discovery::Feed {
        title: feed.title.map(|t| t.content.trim().to_string()),
        links,
    })
}

/// Makes every link absolute against `base`, drops what is not http(s)
/// and keeps the first of each URL.
fn absolute(base: &str, discovery: Discovery) -> Discovery {
    let base = Url::parse(base).ok();
    let fix = |links: Vec<Link>| -> Vec<Link> {
        let mut seen = std::collections::HashSet::new();
        links
            .into_iter()
            .filter_map(|mut link| {
                let parsed = match &base {
                    Some(b) => b.join(link.url.trim()).ok()?,
                    None => Url::parse(link.url.trim()).ok()?,
                };
                if !matches!(parsed.scheme(), "http" | "https") {
                    return None;
                }
                link.url = parsed.to_string();
                seen.insert(link.url.clone()).then_some(link)
            })
            .collect()
    };
    match discovery {
        Discovery::Feed { title, links } => Discovery::Feed {
            title,
            links: fix(links),
        },
        Discovery::Sitemap(links) => Discovery::Sitemap(fix(links)),
        Discovery::SitemapIndex(links) => Discovery::SitemapIndex(fix(links)),
        Discovery::Page => Discovery::Page,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feeds_sitemaps_and_pages_are_told_apart() {
        let rss = br#"<?xml version="1.0"?><!-- generator --><rss version="2.0"><channel><title>Wire</title>
            <item><title>One</title><link>/2026/one</link><pubDate>Thu, 26 Nov 2026 08:00:00 GMT</pubDate></item>
            <item><title>Dup</title><link>https://wire.example/2026/one</link></item>
            <item><title>Mail</title><link>mailto:desk@wire.example</link></item>
            </channel></rss>"#;
        let Discovery::Feed { title, links } = discover("https://wire.example/feed", Some("text/html"), rss)
        else {
            panic!("an RSS feed, whatever its media type")
        };
        assert_eq!(title.as_deref(), Some("Wire"));
        assert_eq!(
            links.len(),
            1,
            "made absolute, deduplicated, http only: {links:?}"
        );
        assert_eq!(links[0].url, "https://wire.example/2026/one");
        assert_eq!(links[0].title.as_deref(), Some("One"));
        assert!(links[0].published.is_some());

        let sitemap = b"<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>https://a.example/x</loc></url></urlset>";
        assert!(
            matches!(discover("https://a.example/sitemap.xml", None, sitemap), Discovery::Sitemap(l) if l.len() == 1)
        );
        let index = b"<sitemapindex><sitemap><loc>/s1.xml</loc></sitemap></sitemapindex>";
        let Discovery::SitemapIndex(children) = discover("https://a.example/sitemap.xml", None, index) else {
            panic!("an index")
        };
        assert_eq!(children[0].url, "https://a.example/s1.xml");

        let page = b"<!DOCTYPE html><html><body><article><p>Text.</p></article></body></html>";
        assert_eq!(
            discover("https://a.example/story", Some("text/html"), page),
            Discovery::Page
        );
    }

    #[test]
    fn json_feeds_are_feeds() {
        let json = br#"{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","url":"https://j.example/1","content_text":"Hi"}]}"#;
        let Discovery::Feed { links, .. } =
            discover("https://j.example/feed.json", Some("application/feed+json"), json)
        else {
            panic!("a JSON feed")
        };
        assert_eq!(links[0].url, "https://j.example/1");
    }
}
