//! Sources: who published what. `/sources` lists every source with its
//! article count and first and last publication; `/sources/{name}` pages
//! through one source's articles, newest first; `/api/sources` and
//! `/api/sources/{name}` give the same as JSON.
//!
//! Counting and listing are the store's; this module shapes them for
//! readers and scripts.

use crate::api::{page_limit, ListParams, Problem};
use crate::pages::{date_span, not_found_page, render, Row};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Articles per page of a source.
const SOURCE_PAGE: usize = 30;

struct SourceRow {
    name: String,
    articles: u64,
    span: String,
}

#[derive(Template)]
#[template(path = "sources.html")]
struct SourcesPage {
    sources: Vec<SourceRow>,
}

#[derive(Template)]
#[template(path = "source.html")]
struct SourcePage {
    name: String,
    articles: Vec<Row>,
    next_cursor: Option<String>,
}

pub async fn page(State(state): State<AppState>) -> Result<Response, Problem> {
    let sources = state.with_store(|s| s.sources()).await?;
    Ok(render(SourcesPage {
        sources: sources
            .into_iter()
            .map(|s| SourceRow {
                span: date_span(s.first_published, s.last_published),
                name: s.name,
                articles: s.articles,
            })
            .collect(),
    }))
}

pub async fn source_page(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(p): Query<ListParams>,
) -> Result<Response, Problem> {
    let key = name.clone();
    let page = state
        .with_store(move |s| s.list_source(&key, SOURCE_PAGE, p.cursor.as_deref()))
        .await?;
    if page.articles.is_empty() && page.next_cursor.is_none() {
        return Ok(not_found_page(format!("There are no articles from “{name}”.")));
    }
    Ok(render(SourcePage {
        articles: page.articles.into_iter().map(Row::from).collect(),
        next_cursor: page.next_cursor,
        name,
    }))
}

#[utoipa::path(get, path = "/api/sources", tag = "sources",
    responses((status = 200, description = "`sources`: every source with `name`, `articles` (how many) and `first_published`/`last_published`, most articles first", content_type = "application/json")))]
pub async fn api(State(state): State<AppState>) -> Result<Response, Problem> {
    let sources = state.with_store(|s| s.sources()).await?;
    Ok(Json(json!({ "sources": sources })).into_response())
}

#[utoipa::path(get, path = "/api/sources/{name}", tag = "sources", params(("name" = String, Path, description = "Source name, as `/api/sources` gives it"), ListParams),
    responses((status = 200, description = "A page of the source's article summaries, newest first, and `next_cursor`", content_type = "application/json"),
              (status = 400, description = "A bad limit or cursor", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
              (status = 404, description = "No articles from this source", body = crate::api::ProblemDoc, content_type = "application/problem+json")))]
pub async fn api_source(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(p): Query<ListParams>,
) -> Result<Response, Problem> {
    let limit = page_limit(p.limit)?;
    let key = name.clone();
    let first_page = p.cursor.is_none();
    let page = state
        .with_store(move |s| s.list_source(&key, limit, p.cursor.as_deref()))
        .await?;
    if first_page && page.articles.is_empty() {
        return Err(Problem::not_found(format!("no articles from source {name:?}")));
    }
    Ok(Json(crate::api::web_links_only(page)).into_response())
}
