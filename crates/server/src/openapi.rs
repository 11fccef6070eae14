//! The API's OpenAPI 3 document, generated from the handlers' own
//! annotations (utoipa), served at `/api/openapi.json`, and a reference
//! page rendered from it at `/api/docs`.
//!
//! This module owns the document's assembly only; each route documents
//! itself where it is written (`api`, `search`).

use crate::pages::render;
use askama::Template;
use axum::response::{IntoResponse, Json, Response};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "storyline API",
        description = "Articles, their Similar Posts and extraction, stories, entities and search. Errors are application/problem+json (RFC 9457). Lists page with `limit` and an opaque `cursor`."
    ),
    paths(
        crate::api::list_articles,
        crate::writes::post_articles,
        crate::api::get_article,
        crate::api::similar,
        crate::api::list_stories,
        crate::api::get_story,
        crate::api::list_entities,
        crate::api::get_entity,
        crate::search::api,
        crate::sources::api,
        crate::sources::api_source,
    ),
    components(schemas(crate::api::ProblemDoc)),
    modifiers(&BearerAuth),
    tags(
        (name = "articles", description = "Stored articles, their extraction and Similar Posts"),
        (name = "stories", description = "Articles grouped by the real-world event they report"),
        (name = "entities", description = "People, organisations, places linked across articles"),
        (name = "search", description = "Full-text search with filters"),
        (name = "sources", description = "Who published the articles"),
    )
)]
pub struct ApiDoc;

/// Declares the bearer token the write endpoints name.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// `/api/openapi.json`.
pub async fn document() -> Response {
    Json(ApiDoc::openapi()).into_response()
}

struct Operation {
    method: String,
    path: String,
    summary: String,
    params: Vec<(String, String, String)>,
    responses: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct DocsPage {
    operations: Vec<Operation>,
}

/// `/api/docs`: every operation with its parameters and responses.
pub async fn page() -> Response {
    let doc = serde_json::to_value(ApiDoc::openapi()).expect("the document serialises");
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
            operations.push(Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                summary: text(&op["summary"]),
                params: op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| (text(&p["name"]), text(&p["in"]), text(&p["description"])))
                    .collect(),
                responses: op["responses"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(status, r)| (status.clone(), text(&r["description"])))
                    .collect(),
            });
        }
    }
    render(DocsPage { operations })
}
