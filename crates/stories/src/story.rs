//! What a reader sees of a story: its headline, key names, sources,
//! languages, first and last sighting, and a timeline.
//!
//! A summary is computed from the story's articles in the index; it is not
//! stored. Until event extraction lands, the timeline's entries are the
//! story's reports by date, each near-duplicate group (a wire story and its
//! copies) shown once with every article that carries it.

use serde::{Deserialize, Serialize};
use storyline_core::Published;
use storyline_relate::ArticleIndex;
use xxhash_rust::xxh3::xxh3_64;

/// How many key names a summary lists.
const KEY_NAMES: usize = 8;

/// The stable id of a story: derived from its first article's id, so the
/// same input replayed gives the same ids and later articles never change it.
pub fn story_id(founder_article_id: &str) -> String {
    format!("{:016x}", xxh3_64(founder_article_id.as_bytes()))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceCount {
    pub source: String,
    pub articles: usize,
}

/// One report on a story's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// The earliest publication of the report (absent when undated).
    pub published: Option<Published>,
    pub title: String,
    /// The articles carrying the report: the original first, then copies.
    pub articles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Story {
    pub id: String,
    /// The headline of the story's most representative article.
    pub title: String,
    /// Article ids by publication (undated last), then arrival.
    pub articles: Vec<String>,
    pub first_seen: Option<Published>,
    pub last_seen: Option<Published>,
    pub article_count: usize,
    /// Sources by number of articles, then name.
    pub sources: Vec<SourceCount>,
    pub languages: Vec<String>,
    /// The names that weigh most across the story's articles.
    pub key_names: Vec<String>,
    pub timeline: Vec<TimelineEntry>,
}

/// Publication order: dated first by time, then undated, each by arrival.
fn by_publication(index: &ArticleIndex, docs: &[u32]) -> Vec<u32> {
    let mut ordered: Vec<(usize, u32)> = docs.iter().copied().enumerate().collect();
    ordered.sort_by_key(|&(arrival, d)| {
        let p = index.doc(d).published;
        (p.is_none(), p.map(|p| p.sort_key()), arrival)
    });
    ordered.into_iter().map(|(_, d)| d).collect()
}

/// The summary of story `id`, made of `docs` (founder first).
pub fn summarise(index: &ArticleIndex, id: &str, docs: &[u32]) -> Story {
    let ordered = by_publication(index, docs);
    let dated: Vec<Published> = ordered.iter().filter_map(|&d| index.doc(d).published).collect();
    let title = index
        .most_central(docs)
        .map_or_else(String::new, |d| index.doc(d).title.clone());
    Story {
        id: id.to_string(),
        title,
        articles: ordered.iter().map(|&d| index.doc(d).id.clone()).collect(),
        first_seen: dated.first().copied(),
        last_seen: dated.last().copied(),
        article_count: docs.len(),
        sources: sources(index, docs),
        languages: languages(index, docs),
        key_names: index.key_names(docs, KEY_NAMES),
        timeline: timeline(index, &ordered),
    }
}

fn sources(index: &ArticleIndex, docs: &[u32]) -> Vec<SourceCount> {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for &d in docs {
        if let Some(s) = index.doc(d).source.as_deref() {
            *counts.entry(s).or_default() += 1;
        }
    }
    let mut sources: Vec<SourceCount> = counts
        .into_iter()
        .map(|(source, articles)| SourceCount {
            source: source.to_string(),
            articles,
        })
        .collect();
    sources.sort_by(|a, b| b.articles.cmp(&a.articles).then(a.source.cmp(&b.source)));
    sources
}

fn languages(index: &ArticleIndex, docs: &[u32]) -> Vec<String> {
    let mut langs: Vec<String> = docs
        .iter()
        .filter_map(|&d| index.doc(d).lang.as_deref().map(String::from))
        .collect();
    langs.sort();
    langs.dedup();
    langs
}

/// One entry per near-duplicate group, in publication order.
fn timeline(index: &ArticleIndex, ordered: &[u32]) -> Vec<TimelineEntry> {
    let mut entries: Vec<(u32, TimelineEntry)> = Vec::new();
    for &d in ordered {
        let group = index.canonical(d);
        let info = index.doc(d);
        match entries.iter_mut().find(|(g, _)| *g == group) {
            Some((_, entry)) => entry.articles.push(info.id.clone()),
            None => entries.push((
                group,
                TimelineEntry {
                    published: info.published,
                    title: info.title.clone(),
                    articles: vec![info.id.clone()],
                },
            )),
        }
    }
    entries.into_iter().map(|(_, e)| e).collect()
}
