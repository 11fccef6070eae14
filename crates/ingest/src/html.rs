//! HTML pages: metadata from meta tags and JSON-LD, main text as blocks.
//!
//! Metadata comes from the places publishers put it, in order of reliability:
//! JSON-LD `NewsArticle`, Open Graph and `article:` meta tags, then `<title>`,
//! `<time>` and `<link rel=canonical>`. The main text is a first pass: the
//! most specific element (an `<article>`, `itemprop=articleBody`, `<main>`)
//! that holds most of the page's paragraph text, read without navigation,
//! asides, footers, forms and known boilerplate classes. The later extraction
//! work replaces that heuristic; the metadata rules stay.

use crate::blocks::{self, Block};
use crate::{Parsed, Rejection};
use scraper::{ElementRef, Html, Selector};
use serde_json::Value;
use storyline_core::{ArticleDraft, Published};

/// Elements whose content is never article text.
const SKIPPED_ELEMENTS: &[&str] = &[
    "script", "style", "noscript", "nav", "footer", "aside", "form", "button", "iframe", "svg", "figure",
    "header", "select", "template",
];
/// Class or id fragments that mark boilerplate containers.
const BOILERPLATE_HINTS: &[&str] = &[
    "comment",
    "share",
    "social",
    "newsletter",
    "advert",
    "promo",
    "cookie",
    "subscribe",
    "sidebar",
    "breadcrumb",
    "related-posts",
    "paywall",
    "popup",
    "modal",
];
const ARTICLE_TYPES: &[&str] = &[
    "NewsArticle",
    "Article",
    "ReportageNewsArticle",
    "BlogPosting",
    "AnalysisNewsArticle",
];

pub fn parse(input: &str, page: &str) -> Parsed {
    let doc = Html::parse_document(page);
    let mut draft = metadata(&doc);
    let root = main_element(&doc);
    let mut blocks = Vec::new();
    if let Some(root) = root {
        collect_blocks(root, &mut blocks);
    }
    if let Some(title) = &draft.title {
        blocks.retain(|b| !matches!(b, Block::Heading { level: 1, text } if text == title));
    }
    let structure = blocks::assemble(blocks, draft.title.is_some());
    draft.title = draft.title.or(structure.title);
    if structure.sections.iter().all(|s| s.paragraphs.is_empty()) {
        return Parsed {
            drafts: Vec::new(),
            rejected: vec![Rejection {
                input: input.into(),
                line: None,
                reason: "HTML page with no article text (no paragraphs found)".into(),
            }],
            warnings: Vec::new(),
        };
    }
    draft.sections = structure.sections;
    draft.related_references = structure.related;
    Parsed::one(input, draft)
}

/// Reads an HTML fragment (a feed item's content) as plain paragraphs.
pub fn fragment_blocks(fragment: &str) -> Vec<Block> {
    let doc = Html::parse_fragment(fragment);
    let mut blocks = Vec::new();
    collect_blocks(doc.root_element(), &mut blocks);
    if blocks.is_empty() {
        let text = doc.root_element().text().collect::<String>();
        blocks.extend(crate::plain::text_blocks(&text));
    }
    blocks
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("static selector is valid")
}

fn meta(doc: &Html, selectors: &[&str]) -> Option<String> {
    selectors.iter().find_map(|s| {
        doc.select(&sel(s))
            .filter_map(|e| e.value().attr("content").or_else(|| e.value().attr("href")))
            .map(str::trim)
            .find(|v| !v.is_empty())
            .map(String::from)
    })
}

fn metadata(doc: &Html) -> ArticleDraft {
    let ld = json_ld_article(doc);
    let ld_str = |key: &str| {
        ld.as_ref()
            .and_then(|v| v.get(key))
            .and_then(Value::as_str)
            .map(String::from)
    };
    let ld_name = |key: &str| {
        ld.as_ref().and_then(|v| v.get(key)).and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Array(a) => a
                .first()
                .and_then(|x| x.get("name"))
                .and_then(Value::as_str)
                .map(String::from),
            other => other.get("name").and_then(Value::as_str).map(String::from),
        })
    };
    let title = ld_str("headline")
        .or_else(|| meta(doc, &["meta[property='og:title']", "meta[name='twitter:title']"]))
        .or_else(|| first_text(doc, "title"))
        .or_else(|| first_text(doc, "h1"));
    let published = ld_str("datePublished")
        .or_else(|| {
            meta(
                doc,
                &[
                    "meta[property='article:published_time']",
                    "meta[itemprop='datePublished']",
                    "meta[name='pubdate']",
                    "meta[name='publishdate']",
                    "meta[name='date']",
                    "meta[name='dc.date']",
                    "meta[name='DC.date.issued']",
                    "meta[name='parsely-pub-date']",
                ],
            )
        })
        .or_else(|| {
            doc.select(&sel("time[datetime]"))
                .find_map(|e| e.value().attr("datetime").map(String::from))
        });
    ArticleDraft {
        title,
        published: published.as_deref().and_then(Published::parse),
        url: meta(doc, &["link[rel='canonical']", "meta[property='og:url']"]).or_else(|| ld_str("url")),
        source: meta(doc, &["meta[property='og:site_name']"]).or_else(|| ld_name("publisher")),
        byline: ld_name("author")
            .or_else(|| meta(doc, &["meta[name='author']", "meta[property='article:author']"])),
        lang: doc
            .select(&sel("html"))
            .next()
            .and_then(|h| h.value().attr("lang"))
            .map(|l| l.split(['-', '_']).next().unwrap_or(l).to_ascii_lowercase()),
        ..Default::default()
    }
}

fn first_text(doc: &Html, selector: &str) -> Option<String> {
    doc.select(&sel(selector))
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .find(|t| !t.is_empty())
}

/// The first JSON-LD object of an article type, searching arrays and `@graph`.
fn json_ld_article(doc: &Html) -> Option<Value> {
    doc.select(&sel("script[type='application/ld+json']"))
        .filter_map(|s| serde_json::from_str::<Value>(&s.text().collect::<String>()).ok())
        .find_map(|v| find_article(&v).cloned())
}

fn find_article(v: &Value) -> Option<&Value> {
    match v {
        Value::Array(items) => items.iter().find_map(find_article),
        Value::Object(o) => {
            let is_article = match o.get("@type") {
                Some(Value::String(t)) => ARTICLE_TYPES.contains(&t.as_str()),
                Some(Value::Array(ts)) => ts
                    .iter()
                    .any(|t| t.as_str().is_some_and(|t| ARTICLE_TYPES.contains(&t))),
                _ => false,
            };
            if is_article {
                Some(v)
            } else {
                o.get("@graph").and_then(find_article)
            }
        }
        _ => None,
    }
}

/// The most specific candidate container that holds most of the paragraph text.
fn main_element(doc: &Html) -> Option<ElementRef<'_>> {
    let body = doc.select(&sel("body")).next()?;
    let total = paragraph_chars(body);
    let candidates = sel("[itemprop='articleBody'], article, main, [role='main']");
    let mut best: Option<(ElementRef, usize)> = None;
    for el in doc.select(&candidates) {
        let chars = paragraph_chars(el);
        if chars * 10 < total * 6 {
            continue;
        }
        // Prefer the smaller element: it carries less surrounding clutter.
        let size = el.text().map(str::len).sum::<usize>();
        if best.is_none_or(|(_, s)| size < s) {
            best = Some((el, size));
        }
    }
    Some(best.map_or(body, |(e, _)| e))
}

fn paragraph_chars(el: ElementRef) -> usize {
    el.select(&sel("p"))
        .map(|p| p.text().map(str::len).sum::<usize>())
        .sum()
}

fn is_boilerplate(el: &ElementRef) -> bool {
    let v = el.value();
    if SKIPPED_ELEMENTS.contains(&v.name())
        || v.attr("hidden").is_some()
        || v.attr("aria-hidden") == Some("true")
    {
        return true;
    }
    let marks =
        format!("{} {}", v.attr("class").unwrap_or(""), v.attr("id").unwrap_or("")).to_ascii_lowercase();
    BOILERPLATE_HINTS.iter().any(|h| marks.contains(h))
}

fn collect_blocks(el: ElementRef, out: &mut Vec<Block>) {
    for child in el.children().filter_map(ElementRef::wrap) {
        if is_boilerplate(&child) {
            continue;
        }
        let name = child.value().name();
        let text = || {
            child
                .text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        match name {
            "p" => {
                let t = text();
                if !t.is_empty() {
                    out.push(Block::Paragraph(t));
                }
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let t = text();
                if !t.is_empty() {
                    out.push(Block::Heading {
                        level: name[1..].parse().unwrap_or(2),
                        text: t,
                    });
                }
            }
            "li" => {
                let t = text();
                if !t.is_empty() {
                    let url = child
                        .select(&sel("a[href]"))
                        .next()
                        .and_then(|a| a.value().attr("href"))
                        .map(String::from);
                    out.push(Block::ListItem { text: t, url });
                }
            }
            _ => collect_blocks(child, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!doctype html><html lang="en-GB"><head>
        <title>Storm hits coast | Example News</title>
        <meta property="og:site_name" content="Example News">
        <meta property="article:published_time" content="2023-09-11T08:00:00+02:00">
        <link rel="canonical" href="https://news.example/storm">
        <script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"NewsArticle","headline":"Storm hits the coast","author":[{"name":"A. Writer"}]}]}</script>
        </head><body><nav><p>Home News Sport and other menu links that go on for a while</p></nav>
        <article><h1>Storm hits the coast</h1><p>Heavy rain fell overnight.</p>
        <h2>Damage</h2><p>Roofs were torn off.</p>
        <div class="share-tools"><p>Share this on every network you know about</p></div>
        <h3>Related</h3><ul><li><a href="/older">Older storm story</a></li></ul></article>
        <footer><p>Copyright</p></footer></body></html>"#;

    #[test]
    fn reads_metadata_and_main_text() {
        let p = parse("page.html", PAGE);
        assert!(p.rejected.is_empty(), "{:?}", p.rejected);
        let a = p.drafts[0].draft.clone().finish().unwrap();
        assert_eq!(a.title, "Storm hits the coast");
        assert_eq!(a.url.as_deref(), Some("https://news.example/storm"));
        assert_eq!(a.source.as_deref(), Some("Example News"));
        assert_eq!(a.byline.as_deref(), Some("A. Writer"));
        assert_eq!(a.lang.as_deref(), Some("en"));
        assert_eq!(a.published.unwrap().to_string(), "2023-09-11T08:00:00+02:00");
        assert_eq!(
            a.text,
            "Heavy rain fell overnight.\n\nDamage\n\nRoofs were torn off."
        );
        assert_eq!(a.related_references[0].title, "Older storm story");
        assert_eq!(a.related_references[0].url.as_deref(), Some("/older"));
    }

    #[test]
    fn page_without_article_text_is_rejected() {
        let p = parse(
            "empty.html",
            "<html><body><nav><a href='/'>Home</a></nav></body></html>",
        );
        assert!(p.drafts.is_empty());
        assert!(p.rejected[0].reason.contains("no article text"));
    }
}
