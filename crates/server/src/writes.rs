//! Write endpoints: `POST /api/articles` ingests a JSON article or JSON
//! Lines of articles (the shared article format), with a bearer token.
//!
//! This module owns the gate (no token configured: writes are off; a
//! wrong or missing token: 401) and the HTTP shape of the answer; parsing
//! and storing are `storyline-ingest`'s, so the API accepts exactly what
//! `storyline ingest` accepts and rejects bad records the same way, one by
//! one, without losing the good ones.

use crate::api::Problem;
use crate::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use storyline_core::Limit;
use storyline_ingest::{parse_bytes, Format, Pipeline};

/// Articles written per transaction.
const BATCH: usize = 500;

/// Compares in time independent of where the strings differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The token of an `Authorization: Bearer …` header; the scheme's name is
/// case-insensitive (RFC 9110 §11.1).
fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once([' ', '\t'])?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The answer to a request that may not write, or `None` when it may.
fn refusal(state: &AppState, headers: &HeaderMap) -> Option<Response> {
    let Some(token) = state.api_token() else {
        return Some(
            Problem::forbidden("writes are off: start the server with STORYLINE_API_TOKEN set".into())
                .into_response(),
        );
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token);
    match given {
        Some(g) if same_secret(g, token) => None,
        _ => {
            let mut r =
                Problem::unauthorized("a valid bearer token is required (Authorization: Bearer …)".into())
                    .into_response();
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                "Bearer realm=\"storyline\"".parse().expect("a valid header"),
            );
            Some(r)
        }
    }
}

/// `POST /api/articles`: the ingest summary (`ingested`, `updated`,
/// `unchanged`, `rejected` with line and reason); 201 when anything new
/// was stored, 200 when nothing changed, 422 when every record was refused.
#[utoipa::path(post, path = "/api/articles", tag = "articles",
    request_body(content = String, description = "One JSON article, or JSON Lines of articles (fields as in the shared article format: id, title, text, published, source, url, lang …)", content_type = "application/x-ndjson"),
    responses((status = 201, description = "Stored: the ingest summary", content_type = "application/json"),
              (status = 200, description = "Nothing new: the ingest summary", content_type = "application/json"),
              (status = 401, description = "No or a wrong bearer token", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "Writes are off (no STORYLINE_API_TOKEN)", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
              (status = 413, description = "The body is too large"),
              (status = 422, description = "No record could be ingested: the summary says why, per line", content_type = "application/json")),
    security(("bearer" = [])))]
pub async fn post_articles(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    // The token is checked before a byte of the body is read, so requests
    // without one cost nothing however large they are.
    if let Some(refused) = refusal(&state, &headers) {
        return refused;
    }
    let limits = *state.limits();
    let body = match axum::body::to_bytes(body, limits.body_bytes).await {
        Ok(b) => b,
        Err(e) => {
            let mut r = Problem::bad_request(format!(
                "the body could not be read (at most {} bytes, {}): {e}",
                limits.body_bytes,
                Limit::BodyBytes.flag()
            ))
            .into_response();
            *r.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
            return r;
        }
    };
    let parsed = parse_bytes("request body", &body, Some(Format::Jsonl), &limits);
    let summary = state
        .with_store_mut(move |store| {
            let mut pipeline = Pipeline::new(store, BATCH, limits);
            pipeline.accept(parsed)?;
            pipeline.finish()
        })
        .await;
    let summary = match summary {
        Ok(s) => s,
        Err(e) => return Problem::from(e).into_response(),
    };
    let status = if summary.ingested + summary.updated > 0 {
        StatusCode::CREATED
    } else if summary.accepted() == 0 && !summary.rejected.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, Json(summary)).into_response()
}

#[cfg(test)]
mod tests {
    use super::{bearer_token, same_secret};

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        for h in [
            "Bearer s3cret",
            "bearer s3cret",
            "BEARER  s3cret ",
            "Bearer\ts3cret",
        ] {
            assert_eq!(bearer_token(h), Some("s3cret"), "{h:?}");
        }
        assert_eq!(bearer_token("Basic czNjcmV0"), None);
        assert_eq!(bearer_token("Bearers3cret"), None);
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("s3cret", "s3cret"));
        assert!(!same_secret("s3cret", "s3creT"));
        assert!(!same_secret("s3cret", "s3cre"));
        assert!(!same_secret("", "x"));
    }
}
