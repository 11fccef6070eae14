//! What every response carries for safety, and the time limit on every
//! request.
//!
//! Pages load nothing but the site's own stylesheet, so the
//! Content-Security-Policy allows only that: no scripts run on storyline's
//! pages, whatever text an article brings. `/widget.js` and the fragment it
//! fetches are meant for other sites and say so with CORS; they run under
//! the host page's policy there. This module owns those headers and the
//! limit; body size limits sit on the routes that take bodies.

use crate::api::Problem;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
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
