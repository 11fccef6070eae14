//! Server-rendered HTML pages. Every value goes through askama's HTML
//! escaping; no page includes markup that came from an input.

use crate::api::Problem;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use storyline_core::{Published, RelatedReference, Section};

const HOME_PAGE_SIZE: usize = 30;
const SIMILAR_ON_PAGE: usize = 5;

struct Row {
    id: String,
    title: String,
    source: String,
    date: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    articles: Vec<Row>,
    next_cursor: Option<String>,
}

struct SimilarRow {
    id: String,
    title: String,
    date: String,
    why: String,
    copies: usize,
}

#[derive(Template)]
#[template(path = "article.html")]
struct ArticlePage {
    title: String,
    title_derived: bool,
    lang: String,
    description: String,
    source: String,
    byline: Option<String>,
    url: Option<String>,
    date: String,
    date_iso: String,
    sections: Vec<Section>,
    similar: Vec<SimilarRow>,
    references: Vec<RelatedReference>,
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage {
    message: String,
}

/// "26 June 2023", or "date unknown".
pub fn display_date(p: Option<Published>) -> String {
    p.map_or_else(
        || "date unknown".to_string(),
        |p| p.day().format("%-d %B %Y").to_string(),
    )
}

fn render(t: impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "page could not be rendered").into_response()
        }
    }
}

#[derive(Deserialize)]
pub struct HomeParams {
    cursor: Option<String>,
}

pub async fn home(State(state): State<AppState>, Query(p): Query<HomeParams>) -> Result<Response, Problem> {
    let page = state
        .with_store(move |s| s.list(HOME_PAGE_SIZE, p.cursor.as_deref()))
        .await?;
    let articles = page
        .articles
        .into_iter()
        .map(|a| Row {
            date: display_date(a.published),
            source: a.source.unwrap_or_default(),
            id: a.id,
            title: a.title,
        })
        .collect();
    Ok(render(HomePage {
        articles,
        next_cursor: page.next_cursor,
    }))
}

pub async fn article(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    let key = id.clone();
    let Some(a) = state.with_store(move |s| s.get(&key)).await? else {
        return Ok(not_found_page(format!("There is no article with id “{id}”.")));
    };
    let index = state.index().await?;
    let similar = index
        .similar(&a.id, SIMILAR_ON_PAGE)
        .map(|s| s.similar)
        .unwrap_or_default()
        .into_iter()
        .map(|s| SimilarRow {
            why: s.why.compact(),
            date: display_date(s.published),
            copies: s.duplicates.len(),
            id: s.id,
            title: s.title,
        })
        .collect();
    let description: String = a.lead().chars().take(200).collect();
    Ok(render(ArticlePage {
        title: a.title.clone(),
        title_derived: a.title_derived,
        lang: a.lang.clone().unwrap_or_else(|| "en".into()),
        description,
        source: a.source.clone().unwrap_or_default(),
        byline: a.byline.clone(),
        url: a
            .url
            .clone()
            .filter(|u| u.starts_with("http://") || u.starts_with("https://")),
        date: display_date(a.published),
        date_iso: a.published.map(|p| p.to_string()).unwrap_or_default(),
        sections: a.sections,
        similar,
        references: a
            .related_references
            .into_iter()
            .map(|mut r| {
                r.url = r
                    .url
                    .filter(|u| u.starts_with("http://") || u.starts_with("https://"));
                r
            })
            .collect(),
    }))
}

fn not_found_page(message: String) -> Response {
    let mut r = render(NotFoundPage { message });
    *r.status_mut() = StatusCode::NOT_FOUND;
    r
}

pub async fn not_found() -> Response {
    not_found_page("There is no page at this address.".into())
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../assets/style.css"),
    )
        .into_response()
}
