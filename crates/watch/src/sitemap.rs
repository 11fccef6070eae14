//! Sitemaps (sitemaps.org), news sitemaps (Google News) and sitemap indexes.
//!
//! A sitemap lists page URLs, each perhaps with a `lastmod`; a news
//! sitemap adds `news:publication_date` and `news:title`; an index lists
//! further sitemaps. This module reads those lists and nothing else:
//! deciding which of them to fetch is the watcher's. Namespaces are matched
//! by local name, since real sitemaps get their prefixes wrong often enough.

use crate::discover::Link;
use chrono::{DateTime, FixedOffset, NaiveDate};
use quick_xml::events::Event;
use quick_xml::Reader;

/// What a sitemap document lists.
#[derive(Debug, Clone, PartialEq)]
pub enum Sitemap {
    /// `<urlset>`: pages.
    Pages(Vec<Link>),
    /// `<sitemapindex>`: further sitemaps.
    Index(Vec<Link>),
}

/// Why a document is not a readable sitemap.
#[derive(Debug, thiserror::Error)]
pub enum SitemapError {
    #[error("not a sitemap: the root element is <{0}>, not <urlset> or <sitemapindex>")]
    NotASitemap(String),
    #[error("unreadable XML at byte {position}: {message}")]
    Xml { position: u64, message: String },
}

/// The element a text belongs to inside one `<url>` or `<sitemap>` entry.
#[derive(Clone, Copy, PartialEq)]
enum Field {
    Loc,
    LastMod,
    PublicationDate,
    Title,
    Other,
}

/// Reads a sitemap or sitemap index.
pub fn parse(bytes: &[u8]) -> Result<Sitemap, SitemapError> {
    let mut reader = Reader::from_reader(bytes);
    reader.config_mut().trim_text(true);
    let mut buf = Vec::new();
    let mut root: Option<bool> = None; // Some(true) for an index
    let mut links = Vec::new();
    let mut entry: Option<Link> = None;
    let mut field = Field::Other;
    let mut modified: Option<DateTime<FixedOffset>> = None;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| SitemapError::Xml {
            position: reader.buffer_position(),
            message: e.to_string(),
        })?;
        match event {
            Event::Start(start) => {
                let name = start.local_name().as_ref().to_ascii_lowercase();
                match (root, name.as_str()) {
                    (None, "urlset") => root = Some(false),
                    (None, "sitemapindex") => root = Some(true),
                    (None, _) => return Err(SitemapError::NotASitemap(name)),
                    (Some(_), "url" | "sitemap") => {
                        entry = Some(Link::default());
                        modified = None;
                    }
                    (Some(_), "loc") => field = Field::Loc,
                    (Some(_), "lastmod") => field = Field::LastMod,
                    (Some(_), "publication_date") => field = Field::PublicationDate,
                    (Some(_), "title") => field = Field::Title,
                    _ => field = Field::Other,
                }
            }
            Event::Text(text) => {
                let value = text.xml10_content().trim().to_string();
                take_text(entry.as_mut(), field, &value, &mut modified);
            }
            Event::CData(data) => {
                let value = data.trim().to_string();
                take_text(entry.as_mut(), field, &value, &mut modified);
            }
            Event::GeneralRef(reference) => {
                // `&amp;` in a <loc> arrives as its own event.
                let resolved = match &*reference {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                };
                if let (Some(link), Field::Loc) = (entry.as_mut(), field) {
                    link.url.push_str(resolved);
                }
            }
            Event::End(end) => {
                let local = end.local_name();
                let name = local.as_ref();
                if name.eq_ignore_ascii_case("url") || name.eq_ignore_ascii_case("sitemap") {
                    if let Some(mut link) = entry.take() {
                        link.published = link.published.or(modified.take());
                        if !link.url.is_empty() {
                            links.push(link);
                        }
                    }
                }
                field = Field::Other;
            }
            Event::Empty(start) if root.is_none() => {
                let name = start.local_name().as_ref().to_ascii_lowercase();
                return match name.as_str() {
                    "urlset" => Ok(Sitemap::Pages(Vec::new())),
                    "sitemapindex" => Ok(Sitemap::Index(Vec::new())),
                    _ => Err(SitemapError::NotASitemap(name)),
                };
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    match root {
        Some(true) => Ok(Sitemap::Index(links)),
        Some(false) => Ok(Sitemap::Pages(links)),
        None => Err(SitemapError::NotASitemap(String::new())),
    }
}

fn take_text(
    link: Option<&mut Link>,
    field: Field,
    value: &str,
    modified: &mut Option<DateTime<FixedOffset>>,
) {
    let Some(link) = link else { return };
    match field {
        Field::Loc => link.url.push_str(value),
        Field::LastMod => *modified = w3c_datetime(value),
        Field::PublicationDate => link.published = w3c_datetime(value),
        Field::Title => link.title = Some(value.to_string()).filter(|t| !t.is_empty()),
        Field::Other => {}
    }
}

/// A W3C datetime as sitemaps write it: a day, or a day and time with a
/// zone (seconds optional). A day alone is taken as its midnight UTC.
pub fn w3c_datetime(value: &str) -> Option<DateTime<FixedOffset>> {
    let value = value.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Some(t);
    }
    for format in [
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%dT%H:%M%#z",
        "%Y-%m-%dT%H:%M:%S%.f%#z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(value, format) {
            return Some(t);
        }
    }
    if let Some(zulu) = value.strip_suffix('Z') {
        return w3c_datetime(&format!("{zulu}+00:00"));
    }
    let day = NaiveDate::parse_from_str(value.get(..10)?, "%Y-%m-%d").ok()?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc().fixed_offset())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_news_sitemap_gives_urls_titles_and_dates() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://news.example/2026/11/27/harbour-reopens?a=1&amp;b=2</loc>
    <news:news>
      <news:publication><news:name>Example News</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2026-11-27T08:30:00+01:00</news:publication_date>
      <news:title><![CDATA[Harbour reopens after storm]]></news:title>
    </news:news>
  </url>
  <url><loc>https://news.example/about</loc><lastmod>2026-01-05</lastmod></url>
</urlset>"#;
        let Sitemap::Pages(links) = parse(xml).unwrap() else {
            panic!("a urlset lists pages")
        };
        assert_eq!(links.len(), 2);
        assert_eq!(
            links[0].url,
            "https://news.example/2026/11/27/harbour-reopens?a=1&b=2"
        );
        assert_eq!(links[0].title.as_deref(), Some("Harbour reopens after storm"));
        assert_eq!(
            links[0].published.unwrap().to_rfc3339(),
            "2026-11-27T08:30:00+01:00"
        );
        assert_eq!(
            links[1].published.unwrap().to_rfc3339(),
            "2026-01-05T00:00:00+00:00",
            "lastmod stands in for a publication date"
        );
        assert_eq!(
            links[1].title, None,
            "<news:name> is the publication's, not the page's"
        );
    }

    #[test]
    fn an_index_lists_sitemaps() {
        let xml = br#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <sitemap><loc>https://news.example/sitemap-1.xml</loc><lastmod>2026-11-26T10:00Z</lastmod></sitemap>
            <sitemap><loc> https://news.example/sitemap-2.xml </loc></sitemap></sitemapindex>"#;
        let Sitemap::Index(links) = parse(xml).unwrap() else {
            panic!("an index")
        };
        let urls: Vec<_> = links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://news.example/sitemap-1.xml",
                "https://news.example/sitemap-2.xml"
            ]
        );
        assert_eq!(
            links[0].published.unwrap().to_rfc3339(),
            "2026-11-26T10:00:00+00:00"
        );
    }

    #[test]
    fn other_documents_are_not_sitemaps() {
        assert!(matches!(
            parse(b"<rss><channel/></rss>"),
            Err(SitemapError::NotASitemap(n)) if n == "rss"
        ));
        // A document cut off mid-element reads as far as it goes, without panicking.
        let _ = parse(b"<urlset><url><loc>x</lo");
        assert_eq!(parse(b"<urlset/>").unwrap(), Sitemap::Pages(Vec::new()));
    }
}
