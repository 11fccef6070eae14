//! The embeddable Similar Posts widget: `/widget.js`, which a publisher
//! puts under an article on their own site, and `/fragments/similar`, the
//! HTML fragment it renders (also usable as a server-side include).
//!
//! The fragment is rendered here with askama (every value escaped) and
//! served to any origin (CORS `*`: it is public, read-only data); the
//! script only places it in a shadow root. Ranking is `storyline-stories`'
//! Similar Posts with the article's story first.

use crate::api::Problem;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use storyline_core::link::safe_href;
use storyline_relate::Filter;

/// The script, as shipped in `assets/`.
pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        include_str!("../assets/widget.js"),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct FragmentParams {
    /// The article's URL as the publisher links it.
    url: Option<String>,
    /// Or its storyline id.
    id: Option<String>,
    k: Option<usize>,
    title: Option<String>,
}

struct Item {
    href: String,
    title: String,
    why: String,
}

#[derive(Template)]
#[template(path = "similar_fragment.html")]
struct Fragment {
    id: String,
    heading: String,
    items: Vec<Item>,
}

/// Why an item is listed, in a few words.
fn reason(why: &storyline_relate::Why) -> String {
    let mut parts = Vec::new();
    if why.same_story {
        parts.push("Same story".to_string());
    }
    if !why.names.is_empty() {
        parts.push(why.names.iter().take(3).cloned().collect::<Vec<_>>().join(", "));
    } else if !why.terms.is_empty() {
        parts.push(why.terms.iter().take(3).cloned().collect::<Vec<_>>().join(", "));
    }
    parts.join(" · ")
}

/// `/fragments/similar?url=…` (or `?id=…`), `k` items (1 to 20, default 5).
pub async fn fragment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<FragmentParams>,
) -> Result<Response, Problem> {
    // The fragment is shown on other sites: links to storyline's own pages
    // must be absolute, or they would lead into the host site.
    let base = crate::feeds::base_url(&headers);
    let k = p.k.unwrap_or(5);
    if !(1..=20).contains(&k) {
        return Err(Problem::bad_request(format!(
            "k must be between 1 and 20, got {k}"
        )));
    }
    let (url, id) = (p.url.clone(), p.id.clone());
    let article = state
        .with_store(move |s| match (&id, &url) {
            (Some(id), _) => s.get(id),
            (None, Some(url)) => s.get_by_url(url),
            (None, None) => Ok(None),
        })
        .await?;
    let Some(article) = article else {
        let asked = p.id.or(p.url).unwrap_or_default();
        return Err(Problem::not_found(format!(
            "no article {asked:?} (give ?url= or ?id=)"
        )));
    };
    let similar = state
        .similar(article.id.clone(), k, Filter::default())
        .await?
        .ok_or_else(|| Problem::not_found(format!("article {:?} is not indexed yet", article.id)))?;
    let ids: Vec<String> = similar.similar.iter().map(|s| s.id.clone()).collect();
    let urls = state
        .with_store(move |s| {
            ids.iter()
                .map(|id| s.get(id).map(|a| a.and_then(|a| a.url)))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    let items = similar
        .similar
        .iter()
        .zip(urls)
        .map(|(s, url)| Item {
            // The publisher's own page when there is one, else storyline's.
            // An unsafe link (see `storyline_core::link`) is never emitted.
            href: url
                .as_deref()
                .and_then(safe_href)
                .unwrap_or_else(|| format!("{base}/articles/{}", s.id)),
            title: s.title.clone(),
            why: reason(&s.why),
        })
        .collect();
    let html = Fragment {
        id: article.id,
        heading: p.title.unwrap_or_else(|| "Similar Posts".into()),
        items,
    }
    .render()
    .map_err(|e| Problem::internal(format!("the fragment could not be rendered: {e}")))?;
    Ok((
        [
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        Html(html),
    )
        .into_response())
}
