//! Search: the `/search` page and `/api/search`, full text (the store's
//! FTS5 index) with filters by date range, source, language, story and
//! entity, results best first with the matched words marked in a snippet.
//!
//! Matching and ranking are the store's; this module reads the query
//! string, applies the filters the store cannot know (story and entity
//! membership, from the derived stories and the entity catalogue) and
//! pages the results with an offset cursor.

use crate::api::Problem;
use crate::feeds::url_query;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use storyline_store::{SearchHit, SearchQuery, MATCH_END, MATCH_START};

/// Results per page.
const PAGE: usize = 20;
/// With a story or entity filter, how many matches are read to filter from.
const FILTER_WINDOW: usize = 2_000;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What to search for: every word must occur; "quoted words" as a phrase.
    #[serde(default)]
    pub q: String,
    /// First publication day (YYYY-MM-DD).
    pub from: Option<String>,
    /// Last publication day (YYYY-MM-DD).
    pub to: Option<String>,
    /// Only this source.
    pub source: Option<String>,
    /// Only this language (ISO 639-1).
    pub lang: Option<String>,
    /// Only articles of this story.
    pub story: Option<String>,
    /// Only articles naming this entity.
    pub entity: Option<String>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
}

/// Empty form fields are no filter.
fn given(v: &Option<String>) -> Option<String> {
    v.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn day(field: &str, v: &Option<String>) -> Result<Option<String>, Problem> {
    match given(v) {
        Some(d) if chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").is_err() => Err(Problem::bad_request(
            format!("{field} must be a date as YYYY-MM-DD, got {d:?}"),
        )),
        other => Ok(other),
    }
}

/// One page of results and the cursor of the next.
#[derive(Debug, Serialize)]
pub struct Results {
    pub query: String,
    pub hits: Vec<SearchHit>,
    pub next_cursor: Option<String>,
}

/// Runs the search `p` describes against the current store.
pub async fn run(state: &AppState, p: &SearchParams) -> Result<Results, Problem> {
    let offset = match given(&p.cursor) {
        Some(c) => c
            .parse::<usize>()
            .map_err(|_| Problem::bad_request(format!("invalid cursor {c:?}")))?,
        None => 0,
    };
    let story: Option<HashSet<String>> = match given(&p.story) {
        Some(id) => Some(
            state
                .story(id)
                .await?
                .map(|s| s.articles)
                .unwrap_or_default()
                .into_iter()
                .collect(),
        ),
        None => None,
    };
    let entity = given(&p.entity);
    let filtered = story.is_some() || entity.is_some();
    let query = SearchQuery {
        text: p.q.clone(),
        from: day("from", &p.from)?,
        to: day("to", &p.to)?,
        source: given(&p.source),
        lang: given(&p.lang),
        limit: if filtered { FILTER_WINDOW } else { PAGE + 1 },
        offset: if filtered { 0 } else { offset },
        budget: Some(crate::throttle::SEARCH_BUDGET),
    };
    let mut hits = state.with_store(move |s| s.search(&query)).await?;
    if let Some(allowed) = story {
        hits.retain(|h| allowed.contains(&h.id));
    }
    if let Some(id) = entity {
        // The matches are checked, not the entity's articles listed: an
        // entity can be named in most of a large store.
        let named = state
            .naming_among(id, hits.iter().map(|h| h.id.clone()).collect())
            .await?;
        hits.retain(|h| named.contains(&h.id));
    }
    if filtered {
        hits = hits.into_iter().skip(offset).take(PAGE + 1).collect();
    }
    let next_cursor = (hits.len() > PAGE).then(|| (offset + PAGE).to_string());
    hits.truncate(PAGE);
    Ok(Results {
        query: p.q.clone(),
        hits,
        next_cursor,
    })
}

/// `/api/search?q=…&from=&to=&source=&lang=&story=&entity=&cursor=`.
#[utoipa::path(get, path = "/api/search", tag = "search", params(SearchParams),
    responses((status = 200, description = "Matches, best first: id, title, published, source, snippet, score; and `next_cursor`", content_type = "application/json"),
              (status = 400, description = "No query, or a bad date or cursor", body = crate::api::ProblemDoc, content_type = "application/problem+json")))]
pub async fn api(State(state): State<AppState>, Query(p): Query<SearchParams>) -> Result<Response, Problem> {
    if p.q.trim().is_empty() {
        return Err(Problem::bad_request("q (what to search for) is required".into()));
    }
    let mut results = run(&state, &p).await?;
    for h in &mut results.hits {
        h.snippet = h.snippet.replace([MATCH_START, MATCH_END], "");
    }
    Ok(Json(results).into_response())
}

/// A piece of a snippet: matched or not (the template escapes both).
pub struct Run {
    pub text: String,
    pub matched: bool,
}

fn runs(snippet: &str) -> Vec<Run> {
    let mut out = Vec::new();
    let mut matched = false;
    let mut text = String::new();
    for c in snippet.chars() {
        if c == MATCH_START || c == MATCH_END {
            if !text.is_empty() {
                out.push(Run {
                    text: std::mem::take(&mut text),
                    matched,
                });
            }
            matched = c == MATCH_START;
        } else {
            text.push(c);
        }
    }
    if !text.is_empty() {
        out.push(Run { text, matched });
    }
    out
}

pub struct HitRow {
    pub id: String,
    pub title: String,
    pub date: String,
    pub source: String,
    pub snippet: Vec<Run>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    q: String,
    from: String,
    to: String,
    source: String,
    lang: String,
    story: String,
    entity: String,
    searched: bool,
    hits: Vec<HitRow>,
    /// The query string of the next page, when there is one.
    next: Option<String>,
    /// The query string, for the feed links.
    feed_query: String,
}

/// `/search?q=…` with the same filters as the API.
pub async fn page(State(state): State<AppState>, Query(p): Query<SearchParams>) -> Result<Response, Problem> {
    let searched = !p.q.trim().is_empty();
    let results = if searched {
        Some(run(&state, &p).await?)
    } else {
        None
    };
    let text = |v: &Option<String>| given(v).unwrap_or_default();
    let mut next = None;
    let mut hits = Vec::new();
    if let Some(r) = results {
        next = r.next_cursor.map(|c| {
            let mut q = format!("q={}", url_query(&p.q));
            for (k, v) in [
                ("from", &p.from),
                ("to", &p.to),
                ("source", &p.source),
                ("lang", &p.lang),
                ("story", &p.story),
                ("entity", &p.entity),
            ] {
                if let Some(v) = given(v) {
                    q.push_str(&format!("&{k}={}", url_query(&v)));
                }
            }
            format!("{q}&cursor={c}")
        });
        hits = r
            .hits
            .into_iter()
            .map(|h| HitRow {
                date: crate::pages::display_date(h.published),
                source: h.source.unwrap_or_default(),
                snippet: runs(&h.snippet),
                id: h.id,
                title: h.title,
            })
            .collect();
    }
    Ok(crate::pages::render(SearchPage {
        feed_query: url_query(&p.q),
        q: p.q.clone(),
        from: text(&p.from),
        to: text(&p.to),
        source: text(&p.source),
        lang: text(&p.lang),
        story: text(&p.story),
        entity: text(&p.entity),
        searched,
        hits,
        next,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_split_into_marked_runs() {
        let r = runs("a \u{2}Wagner\u{3} <b> \u{2}x\u{3}");
        let shown: Vec<(&str, bool)> = r.iter().map(|r| (r.text.as_str(), r.matched)).collect();
        assert_eq!(
            shown,
            [("a ", false), ("Wagner", true), (" <b> ", false), ("x", true)]
        );
    }
}
