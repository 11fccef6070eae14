//! Feeds out: RSS 2.0, Atom and JSON Feed 1.1 of the latest articles, of a
//! story, of an entity and of a search.
//!
//! This module owns the three wire formats and the routes under `/feeds/`;
//! which articles a feed holds comes from the store, the stories and the
//! entity catalogue (see `state`). RSS and Atom are written by the `rss` and
//! `atom_syndication` crates, which escape every value; JSON Feed is plain
//! serde. Links are absolute: `STORYLINE_PUBLIC_URL` when set, else the
//! request's `Host`.

use crate::api::Problem;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use storyline_core::link::safe_href;
use storyline_core::Article;

/// How many items a feed carries.
const FEED_ITEMS: usize = 50;
/// How many of the articles naming an entity, newest linked first, its
/// feed picks its newest-published `FEED_ITEMS` from (articles are not
/// always linked in the order they were published).
const ENTITY_FEED_WINDOW: usize = 4 * FEED_ITEMS;
/// How many characters of the text an item's summary takes.
const SUMMARY_CHARS: usize = 400;

/// The three formats, by file suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Rss,
    Atom,
    Json,
}

impl Format {
    fn content_type(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml; charset=utf-8",
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Json => "application/feed+json; charset=utf-8",
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Format::Rss => "xml",
            Format::Atom => "atom",
            Format::Json => "json",
        }
    }
}

/// Splits "latest.atom" into ("latest", Atom).
fn split_file(file: &str) -> Result<(&str, Format), Problem> {
    let (stem, suffix) = file.rsplit_once('.').ok_or_else(|| {
        Problem::not_found(format!(
            "no feed {file:?}: name it NAME.xml, NAME.atom or NAME.json"
        ))
    })?;
    let format = match suffix {
        "xml" | "rss" => Format::Rss,
        "atom" => Format::Atom,
        "json" => Format::Json,
        _ => {
            return Err(Problem::not_found(format!(
                "no feed format {suffix:?}: use .xml (RSS 2.0), .atom or .json (JSON Feed)"
            )))
        }
    };
    Ok((stem, format))
}

/// One feed, whatever its format.
pub struct Feed {
    pub title: String,
    /// The HTML page the feed stands for.
    pub home: String,
    /// The feed's own URL.
    pub self_url: String,
    pub items: Vec<Article>,
}

/// The site's absolute root, without a trailing slash: `STORYLINE_PUBLIC_URL`,
/// else the request's own host (when it is a plain host name).
pub(crate) fn base_url(headers: &HeaderMap) -> String {
    if let Ok(url) = std::env::var("STORYLINE_PUBLIC_URL") {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

fn summary(text: &str) -> String {
    let mut s: String = text.chars().take(SUMMARY_CHARS).collect();
    if text.chars().count() > SUMMARY_CHARS {
        s.push('…');
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn timestamp(a: &Article) -> Option<DateTime<FixedOffset>> {
    a.published.map(|p| p.instant_utc().fixed_offset())
}

/// The newest date among the items, else now: Atom needs one.
fn updated(items: &[Article]) -> DateTime<FixedOffset> {
    items
        .iter()
        .filter_map(timestamp)
        .max()
        .unwrap_or_else(|| Utc::now().fixed_offset())
}

impl Feed {
    fn item_url(&self, base: &str, a: &Article) -> String {
        format!("{base}/articles/{}", a.id)
    }

    pub fn rss(&self, base: &str) -> String {
        let items = self
            .items
            .iter()
            .map(|a| rss::Item {
                title: Some(a.title.clone()),
                link: Some(self.item_url(base, a)),
                // RSS descriptions are read as HTML: the plain summary is escaped.
                description: Some(html_text(&summary(&a.text))),
                author: a.byline.clone(),
                guid: Some(rss::Guid {
                    value: self.item_url(base, a),
                    permalink: true,
                }),
                pub_date: timestamp(a).map(|t| t.to_rfc2822()),
                source: a.source.clone().map(|s| rss::Source {
                    url: a
                        .url
                        .as_deref()
                        .and_then(safe_href)
                        .unwrap_or_else(|| self.item_url(base, a)),
                    title: Some(s),
                }),
                ..Default::default()
            })
            .collect();
        let channel = rss::Channel {
            title: self.title.clone(),
            link: self.home.clone(),
            description: format!("{} (storyline)", self.title),
            last_build_date: Some(updated(&self.items).to_rfc2822()),
            generator: Some("storyline".into()),
            items,
            ..Default::default()
        };
        channel.to_string()
    }

    pub fn atom(&self, base: &str) -> String {
        let link = |href: String, rel: &str| atom_syndication::Link {
            href,
            rel: rel.to_string(),
            ..Default::default()
        };
        let entries = self
            .items
            .iter()
            .map(|a| {
                let url = self.item_url(base, a);
                let when = timestamp(a).unwrap_or_else(|| updated(&self.items));
                atom_syndication::Entry {
                    title: atom_syndication::Text::plain(a.title.clone()),
                    id: url.clone(),
                    updated: when,
                    published: timestamp(a),
                    links: vec![link(url, "alternate")],
                    summary: Some(atom_syndication::Text::plain(summary(&a.text))),
                    authors: a
                        .byline
                        .iter()
                        .chain(a.source.iter())
                        .take(1)
                        .map(|name| atom_syndication::Person {
                            name: name.clone(),
                            ..Default::default()
                        })
                        .collect(),
                    ..Default::default()
                }
            })
            .collect();
        let feed = atom_syndication::Feed {
            title: atom_syndication::Text::plain(self.title.clone()),
            id: self.self_url.clone(),
            updated: updated(&self.items),
            links: vec![
                link(self.home.clone(), "alternate"),
                link(self.self_url.clone(), "self"),
            ],
            authors: vec![atom_syndication::Person {
                name: "storyline".into(),
                ..Default::default()
            }],
            entries,
            ..Default::default()
        };
        feed.to_string()
    }

    pub fn json(&self, base: &str) -> String {
        let feed = JsonFeed {
            version: "https://jsonfeed.org/version/1.1",
            title: &self.title,
            home_page_url: &self.home,
            feed_url: &self.self_url,
            items: self
                .items
                .iter()
                .map(|a| JsonItem {
                    id: self.item_url(base, a),
                    url: self.item_url(base, a),
                    external_url: a.url.as_deref().and_then(safe_href),
                    title: a.title.clone(),
                    content_text: a.text.clone(),
                    summary: summary(&a.text),
                    date_published: timestamp(a).map(|t| t.to_rfc3339()),
                    language: a.lang.clone(),
                    authors: a
                        .byline
                        .iter()
                        .map(|name| JsonAuthor { name: name.clone() })
                        .collect(),
                })
                .collect(),
        };
        serde_json::to_string(&feed).expect("feeds serialise")
    }

    fn render(&self, base: &str, format: Format) -> Response {
        let body = match format {
            Format::Rss => self.rss(base),
            Format::Atom => self.atom(base),
            Format::Json => self.json(base),
        };
        ([(header::CONTENT_TYPE, format.content_type())], body).into_response()
    }
}

#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    feed_url: &'a str,
    items: Vec<JsonItem>,
}

#[derive(Serialize)]
struct JsonItem {
    id: String,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_url: Option<String>,
    title: String,
    content_text: String,
    summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<JsonAuthor>,
}

#[derive(Serialize)]
struct JsonAuthor {
    name: String,
}

/// Newest first (undated last), at most `FEED_ITEMS`.
fn newest_first(mut articles: Vec<Article>) -> Vec<Article> {
    articles.sort_by(|a, b| {
        b.published
            .is_some()
            .cmp(&a.published.is_some())
            .then_with(|| {
                b.published
                    .map(|p| p.sort_key())
                    .cmp(&a.published.map(|p| p.sort_key()))
            })
            .then_with(|| a.id.cmp(&b.id))
    });
    articles.truncate(FEED_ITEMS);
    articles
}

async fn articles(state: &AppState, ids: Vec<String>) -> Result<Vec<Article>, Problem> {
    let found = state
        .with_store(move |s| ids.iter().map(|id| s.get(id)).collect::<Result<Vec<_>, _>>())
        .await?;
    Ok(newest_first(found.into_iter().flatten().collect()))
}

#[derive(Deserialize)]
pub struct SearchParams {
    q: Option<String>,
}

/// `/feeds/latest.{xml,atom,json}` and `/feeds/search.{…}?q=…`.
pub async fn site_feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(p): Query<SearchParams>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let (stem, format) = split_file(&file)?;
    let base = base_url(&headers);
    let self_url = format!("{base}/feeds/{stem}.{}", format.suffix());
    let feed = match stem {
        "latest" => {
            let page = state.with_store(|s| s.list(FEED_ITEMS, None)).await?;
            let ids = page.articles.into_iter().map(|a| a.id).collect();
            Feed {
                title: "storyline: latest articles".into(),
                home: format!("{base}/"),
                self_url,
                items: articles(&state, ids).await?,
            }
        }
        "search" => {
            let q = p.q.unwrap_or_default();
            if q.trim().is_empty() {
                return Err(Problem::bad_request("a search feed needs a query: ?q=…".into()));
            }
            let query = storyline_store::SearchQuery {
                text: q.clone(),
                limit: FEED_ITEMS,
                budget: Some(crate::throttle::SEARCH_BUDGET),
                ..Default::default()
            };
            let ids = state
                .with_store(move |s| s.search(&query))
                .await?
                .into_iter()
                .map(|hit| hit.id)
                .collect();
            let query = url_query(&q);
            Feed {
                title: format!("storyline: search for {q}"),
                home: format!("{base}/search?q={query}"),
                self_url: format!("{self_url}?q={query}"),
                items: articles(&state, ids).await?,
            }
        }
        other => return Err(Problem::not_found(format!("no feed named {other:?}"))),
    };
    Ok(feed.render(&base, format))
}

/// `/feeds/stories/{id}.{xml,atom,json}`: the story's articles.
pub async fn story_feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let (id, format) = split_file(&file)?;
    let Some(story) = state.story(id.to_string()).await? else {
        return Err(Problem::not_found(format!("no story with id {id:?}")));
    };
    let base = base_url(&headers);
    let feed = Feed {
        title: format!("storyline story: {}", story.title),
        home: format!("{base}/stories/{id}"),
        self_url: format!("{base}/feeds/stories/{id}.{}", format.suffix()),
        items: articles(&state, story.articles.clone()).await?,
    };
    Ok(feed.render(&base, format))
}

/// `/feeds/entities/{id}.{xml,atom,json}`: the articles naming the entity.
pub async fn entity_feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let (id, format) = split_file(&file)?;
    let Some((name, ids)) = state.articles_naming(id.to_string(), ENTITY_FEED_WINDOW).await? else {
        return Err(Problem::not_found(format!("no entity with id {id:?}")));
    };
    let base = base_url(&headers);
    let feed = Feed {
        title: format!("storyline: {name}"),
        home: format!("{base}/entities/{id}"),
        self_url: format!("{base}/feeds/entities/{id}.{}", format.suffix()),
        items: articles(&state, ids).await?,
    };
    Ok(feed.render(&base, format))
}

/// `text` as HTML that shows it literally.
fn html_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query value for a URL.
pub fn url_query(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(id: &str, title: &str, published: &str) -> Article {
        storyline_core::ArticleDraft {
            id: Some(id.into()),
            title: Some(title.into()),
            text: format!("{title}. Body text with <b>markup</b> & an ampersand."),
            published: storyline_core::Published::parse(published),
            ..Default::default()
        }
        .finish()
        .unwrap()
    }

    fn feed() -> Feed {
        Feed {
            title: "Test <feed> & co".into(),
            home: "http://example.test/".into(),
            self_url: "http://example.test/feeds/latest.xml".into(),
            items: vec![
                article("a1", "First <script>alert(1)</script>", "2023-06-24T10:00:00Z"),
                article("a2", "Undated second", ""),
            ],
        }
    }

    #[test]
    fn every_format_parses_back_with_every_item() {
        let f = feed();
        for (format, body) in [
            (Format::Rss, f.rss("http://example.test")),
            (Format::Atom, f.atom("http://example.test")),
            (Format::Json, f.json("http://example.test")),
        ] {
            let parsed =
                feed_rs::parser::parse(body.as_bytes()).unwrap_or_else(|e| panic!("{format:?}: {e}\n{body}"));
            assert_eq!(parsed.entries.len(), 2, "{format:?}");
            let first = &parsed.entries[0];
            assert_eq!(
                first.title.as_ref().unwrap().content,
                "First <script>alert(1)</script>",
                "{format:?}: titles are text, escaped on the wire"
            );
            assert!(first
                .links
                .iter()
                .any(|l| l.href == "http://example.test/articles/a1"));
            assert!(first.published.is_some() || format == Format::Atom && first.updated.is_some());
            if format != Format::Json {
                assert!(!body.contains("<script>"), "{format:?}: no live markup\n{body}");
            }
        }
    }

    #[test]
    fn file_names_pick_the_format() {
        assert_eq!(split_file("latest.atom").unwrap(), ("latest", Format::Atom));
        assert_eq!(split_file("ab12.json").unwrap(), ("ab12", Format::Json));
        assert!(split_file("latest").is_err());
        assert!(split_file("latest.html").is_err());
        assert_eq!(url_query("wagner mutiny&x"), "wagner+mutiny%26x");
    }
}
