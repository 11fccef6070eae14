//! The JSON API under `/api/`. Errors are `application/problem+json` (RFC 9457).

use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use storyline_extract::linking::{Linked, LinkedQuote};
use storyline_relate::Filter;
use storyline_store::{StoreError, StoryEventKind};

/// An RFC 9457 problem response.
#[derive(Debug)]
pub struct Problem {
    status: StatusCode,
    title: &'static str,
    detail: String,
}

impl Problem {
    pub fn not_found(detail: String) -> Problem {
        Problem {
            status: StatusCode::NOT_FOUND,
            title: "Not Found",
            detail,
        }
    }
    pub fn internal(detail: String) -> Problem {
        tracing::error!(%detail, "internal error");
        Problem {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            title: "Internal Server Error",
            detail,
        }
    }
    pub fn unauthorized(detail: String) -> Problem {
        Problem {
            status: StatusCode::UNAUTHORIZED,
            title: "Unauthorized",
            detail,
        }
    }
    pub fn forbidden(detail: String) -> Problem {
        Problem {
            status: StatusCode::FORBIDDEN,
            title: "Forbidden",
            detail,
        }
    }
    pub fn unavailable(detail: String) -> Problem {
        Problem {
            status: StatusCode::SERVICE_UNAVAILABLE,
            title: "Service Unavailable",
            detail,
        }
    }
    pub fn bad_request(detail: String) -> Problem {
        Problem {
            status: StatusCode::BAD_REQUEST,
            title: "Bad Request",
            detail,
        }
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Problem {
        match e {
            StoreError::BadCursor(_) | StoreError::TooManyTerms { .. } => Problem::bad_request(e.to_string()),
            StoreError::OverBudget { .. } => Problem::unavailable(e.to_string()),
            other => {
                tracing::error!(error = %other, "store error");
                Problem {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    title: "Internal Server Error",
                    detail: other.to_string(),
                }
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = json!({"type": "about:blank", "title": self.title, "status": self.status.as_u16(), "detail": self.detail});
        (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body.to_string(),
        )
            .into_response()
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<usize>,
    /// Where to go on from: the `next_cursor` of the page before.
    pub cursor: Option<String>,
}

/// The body of every error (RFC 9457, `application/problem+json`).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ProblemDoc {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
}

pub const MAX_PAGE: usize = 200;

/// `page` with the article URLs that are not web links left out (see
/// `storyline_core::link`): clients put them in `href`s.
pub fn web_links_only(mut page: storyline_store::Page) -> storyline_store::Page {
    for a in &mut page.articles {
        a.url = a.url.as_deref().and_then(storyline_core::link::safe_href);
    }
    page
}

/// The page size asked for (50 by default), or a problem when out of range.
pub fn page_limit(limit: Option<usize>) -> Result<usize, Problem> {
    let limit = limit.unwrap_or(50);
    if limit == 0 || limit > MAX_PAGE {
        return Err(Problem::bad_request(format!(
            "limit must be between 1 and {MAX_PAGE}, got {limit}"
        )));
    }
    Ok(limit)
}

#[utoipa::path(get, path = "/api/articles", tag = "articles", params(ListParams),
    responses((status = 200, description = "A page of article summaries, newest first, and `next_cursor`", content_type = "application/json"),
              (status = 400, description = "A bad limit or cursor", body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn list_articles(
    State(state): State<AppState>,
    Query(p): Query<ListParams>,
) -> Result<Response, Problem> {
    let limit = page_limit(p.limit)?;
    let page = state
        .with_store(move |s| s.list(limit, p.cursor.as_deref()))
        .await?;
    Ok(Json(web_links_only(page)).into_response())
}

/// The article, plus its near-duplicate group: `duplicate_of` (the group's
/// canonical, earliest member, when that is another article) and `duplicates`
/// (the other members).
#[utoipa::path(get, path = "/api/articles/{id}", tag = "articles", params(("id" = String, Path, description = "Article id")),
    responses((status = 200, description = "The article, its near-duplicate group, its story and its extraction (entities, quotes, statements, timexes, events)", content_type = "application/json"),
              (status = 404, description = "No such article", body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn get_article(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    let Some((article, extraction)) = state.article(id.clone()).await? else {
        return Err(Problem::not_found(format!("no article with id {id:?}")));
    };
    let mut body = serde_json::to_value(&article).expect("articles serialise");
    if let Some((leader, copies)) = state.copies(article.id.clone()).await? {
        body["duplicate_of"] = json!((leader != article.id).then_some(leader));
        body["duplicates"] = json!(copies);
        body["story"] = json!(state.story_of(article.id.clone()).await?);
    }
    let catalog = state.entities_of(vec![article.id.clone()]).await?;
    body["entities"] = json!(extraction.entities);
    for (e, v) in extraction
        .entities
        .iter()
        .zip(body["entities"].as_array_mut().into_iter().flatten())
    {
        v["canonical_id"] = json!(catalog.of_article(&article.id, &e.id).map(|c| c.id.clone()));
    }
    body["quotes"] = json!(extraction.quotes);
    body["statements"] = json!(extraction.statements);
    body["timexes"] = json!(extraction.timexes);
    body["events"] = json!(extraction.events);
    Ok(Json(body).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SimilarParams {
    k: Option<usize>,
    /// Only articles at most this many days apart.
    window_days: Option<u32>,
    lang: Option<String>,
    /// Only this source.
    source: Option<String>,
    /// Never this source.
    exclude_source: Option<String>,
}

#[utoipa::path(get, path = "/api/articles/{id}/similar", tag = "articles", params(("id" = String, Path, description = "Article id"), SimilarParams),
    responses((status = 200, description = "Similar Posts, best first, each with its reasons (`why`) and the copies it stands for", content_type = "application/json"),
              (status = 400, description = "A bad parameter", body = ProblemDoc, content_type = "application/problem+json"),
              (status = 404, description = "No such article", body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn similar(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(p): Query<SimilarParams>,
) -> Result<Response, Problem> {
    let k = p.k.unwrap_or(5);
    if k == 0 || k > 100 {
        return Err(Problem::bad_request(format!(
            "k must be between 1 and 100, got {k}"
        )));
    }
    let filter = Filter {
        max_days_apart: p.window_days,
        lang: p.lang,
        sources: p.source.into_iter().collect(),
        exclude_sources: p.exclude_source.into_iter().collect(),
    };
    let Some(similar) = state.similar(id.clone(), k, filter).await? else {
        return Err(Problem::not_found(format!("no article with id {id:?}")));
    };
    // Each item's reasons also name the linked entities both articles name.
    let shown: Vec<String> = std::iter::once(id.clone())
        .chain(similar.similar.iter().map(|s| s.id.clone()))
        .collect();
    let catalog = state.entities_of(shown).await?;
    let mut body = serde_json::to_value(&similar).expect("similar lists serialise");
    for item in body["similar"].as_array_mut().into_iter().flatten() {
        let other = item["id"].as_str().unwrap_or_default().to_string();
        let shared: Vec<_> = catalog
            .shared(&id, &other)
            .into_iter()
            .map(|e| json!({"id": e.id, "name": e.name}))
            .collect();
        item["why"]["entities"] = json!(shared);
    }
    Ok(Json(body).into_response())
}

/// Stories, most recently active first; the cursor is the position to go on from.
#[utoipa::path(get, path = "/api/stories", tag = "stories", params(ListParams),
    responses((status = 200, description = "A page of stories, most recently active first, and `next_cursor`", content_type = "application/json"),
              (status = 400, description = "A bad limit or cursor", body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn list_stories(
    State(state): State<AppState>,
    Query(p): Query<ListParams>,
) -> Result<Response, Problem> {
    let (start, limit) = (offset_cursor(p.cursor.as_deref())?, page_limit(p.limit)?);
    let (page, more) = state.stories(None, start, limit).await?;
    let next_cursor = more.then(|| (start + page.len()).to_string());
    Ok(Json(json!({"stories": page, "next_cursor": next_cursor})).into_response())
}

/// A cursor that is an offset into a ranked list.
fn offset_cursor(cursor: Option<&str>) -> Result<usize, Problem> {
    match cursor {
        None => Ok(0),
        Some(c) => c
            .parse::<usize>()
            .map_err(|_| Problem::bad_request(format!("invalid page cursor {c:?}"))),
    }
}

/// The entities linked across articles, most widely named first.
#[utoipa::path(get, path = "/api/entities", tag = "entities", params(ListParams),
    responses((status = 200, description = "A page of entities linked across articles, most widely named first, and `next_cursor`", content_type = "application/json"),
              (status = 400, description = "A bad limit or cursor", body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn list_entities(
    State(state): State<AppState>,
    Query(p): Query<ListParams>,
) -> Result<Response, Problem> {
    let (start, limit) = (offset_cursor(p.cursor.as_deref())?, page_limit(p.limit)?);
    let mut page = state.entity_page(start, limit + 1).await?;
    let more = page.len() > limit;
    page.truncate(limit);
    let next_cursor = more.then(|| (start + limit).to_string());
    Ok(Json(json!({"entities": page, "next_cursor": next_cursor})).into_response())
}

/// One entity: names, roles, a page of the articles naming it (newest
/// linked first) with their mentions and its quotes there, quotes about it
/// and its totals.
#[utoipa::path(get, path = "/api/entities/{id}", tag = "entities",
    params(("id" = String, Path, description = "Entity id (ent-…)"), ListParams),
    responses((status = 200, description = "The entity: names, roles, `article_count` and `mention_count` in all; a page of the articles naming it (newest linked first, `limit` 1 to 200, default 50) with every mention there and its span, its quotes there, `quotes_about` (others' quotes that name it, with speakers) and `next_cursor` for older articles", content_type = "application/json"),
              (status = 400, description = "A bad limit or cursor", body = ProblemDoc, content_type = "application/problem+json"),
              (status = 404, description = "No such entity", body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn get_entity(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(p): Query<ListParams>,
) -> Result<Response, Problem> {
    let before = seq_cursor(p.cursor.as_deref())?;
    let limit = page_limit(p.limit)?;
    let Some(view) = state.entity(id.clone(), before, limit).await? else {
        return Err(Problem::not_found(format!("no entity with id {id:?}")));
    };
    let Some(answer) = view.answer() else {
        return Err(Problem::not_found(format!("no entity with id {id:?}")));
    };
    let mut body = serde_json::to_value(answer).expect("entities serialise");
    body["quotes_about"] = quote_list(view.catalog.quotes_about(&id, QUOTES_ABOUT));
    Ok(Json(body).into_response())
}

/// A cursor that is a change number (where the page before stopped).
pub fn seq_cursor(cursor: Option<&str>) -> Result<Option<u64>, Problem> {
    cursor
        .map(|c| {
            c.parse::<u64>()
                .map_err(|_| Problem::bad_request(format!("invalid page cursor {c:?}")))
        })
        .transpose()
}

/// Quotes shown about an entity, and from a story.
pub const QUOTES_ABOUT: usize = 10;
pub const KEY_QUOTES: usize = 6;

/// Quotes with their speakers, as the API gives them.
fn quote_list(quotes: Vec<(&Linked, &LinkedQuote)>) -> serde_json::Value {
    quotes
        .into_iter()
        .map(|(speaker, q)| {
            json!({
                "text": q.text, "article": q.article, "start": q.start, "end": q.end,
                "speaker": {"id": speaker.id, "name": speaker.name},
            })
        })
        .collect()
}

/// One story with its timeline.
#[utoipa::path(get, path = "/api/stories/{id}", tag = "stories", params(("id" = String, Path, description = "Story id")),
    responses((status = 200, description = "The story: headline, dates, sources, timeline, events, key entities, key quotes (`quotes`, with speakers) and history of merges and splits", content_type = "application/json"),
              (status = 404, description = "No such story (or one merged into another, named in `detail`)", body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn get_story(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    let history = {
        let id = id.clone();
        state.with_store(move |s| s.story_events(&id)).await?
    };
    let Some(story) = state.story(id.clone()).await? else {
        let merged_into = history
            .iter()
            .rev()
            .find(|e| e.kind == StoryEventKind::Merge && e.other == id);
        return Err(Problem::not_found(match merged_into {
            Some(e) => format!("story {id:?} was merged into story {:?}", e.story),
            None => format!("no story with id {id:?}"),
        }));
    };
    let events = state.shared_events(story.articles.clone()).await?;
    let catalog = state.entities_of(story.articles.clone()).await?;
    let entities: Vec<_> = catalog
        .key_entities(&story.articles, 10)
        .into_iter()
        .map(|(e, articles)| json!({"id": e.id, "name": e.name, "type": e.kind, "articles": articles}))
        .collect();
    let mut body = serde_json::to_value(&story).expect("stories serialise");
    body["events"] = json!(events);
    body["entities"] = json!(entities);
    body["quotes"] = quote_list(catalog.key_quotes(&story.articles, KEY_QUOTES, 2));
    body["history"] = json!(history);
    Ok(Json(body).into_response())
}
