//! What every response carries for safety, and the time limit on every
//! request.
//!
//! Pages load nothing but the site's own stylesheet, so the
//! Content-Security-Policy allows only that: no scripts run on storyline's
//! pages, whatever text an article brings. `/widget.js` and the fragment it
//! fetches are meant for other sites and say so with CORS; they run under
//! the host page's policy there. The JSON API answers browsers from the
//! origins the operator allows (`--cors-origin`), preflights included.
//! This module owns those headers and the limit; body size limits sit on
//! the routes that take bodies.

use crate::api::Problem;
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Duration;

/// Longest a request may take before it is answered 503. Generous: the
/// first request after a large ingest rebuilds the index.
pub const REQUEST_TIME_LIMIT: Duration = Duration::from_secs(30);

const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
                   base-uri 'none'; frame-ancestors 'none'";

/// Adds the security headers and enforces the time limit.
pub async fn protect(request: Request, next: Next) -> Response {
    let mut response = match tokio::time::timeout(REQUEST_TIME_LIMIT, next.run(request)).await {
        Ok(r) => r,
        Err(_) => Problem::unavailable(format!(
            "the request took longer than {} s; try again shortly",
            REQUEST_TIME_LIMIT.as_secs()
        ))
        .into_response(),
    };
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
    ] {
        headers
            .entry(name)
            .or_insert_with(|| HeaderValue::from_static(value));
    }
    response
}

/// CORS for `/api/`: allowed origins get their origin echoed back (with
/// `Vary: Origin`); a preflight from one is answered here, 204, with the
/// methods and headers the API takes. Other origins get no CORS headers,
/// so browsers keep their pages out.
pub async fn cors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .map(str::to_string);
    let api = request.uri().path().starts_with("/api/");
    let allowed = origin.filter(|o| api && state.cors_allows(o));
    let preflight = request.method() == Method::OPTIONS;
    let mut response = match (&allowed, preflight) {
        (Some(_), true) => {
            let mut r = StatusCode::NO_CONTENT.into_response();
            let h = r.headers_mut();
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST, OPTIONS"),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("authorization, content-type"),
            );
            h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
            r
        }
        _ => next.run(request).await,
    };
    if let Some(origin) = allowed.and_then(|o| HeaderValue::from_str(&o).ok()) {
        let h = response.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.append(header::VARY, HeaderValue::from_static("origin"));
    }
    response
}
