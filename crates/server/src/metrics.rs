//! Operations: `/metrics` in the Prometheus text format, and the request
//! middleware that feeds it and writes one structured log line per request.
//!
//! This module owns what is counted (requests by route pattern, method and
//! status; a latency histogram; the store's article and story counts and
//! the engine's work counters at scrape time), not how the store or stories are kept. Route patterns
//! ("/articles/{id}"), never raw paths, label requests, so the number of
//! series stays bounded however many articles there are.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::time::Instant;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

/// The server's metrics and their registry.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Histogram,
    articles: Gauge,
    stories: Gauge,
    ingest_lag: Gauge<f64, std::sync::atomic::AtomicU64>,
    analysed: Gauge,
    builds: Gauge,
    backlog: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("storyline");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        // 0.25 ms to about 4 s.
        let latency = Histogram::new(exponential_buckets(0.000_25, 2.0, 15));
        registry.register(
            "http_request_duration_seconds",
            "Time from request to response headers",
            latency.clone(),
        );
        let articles = Gauge::default();
        registry.register("articles", "Articles in the store", articles.clone());
        let stories = Gauge::default();
        registry.register(
            "stories",
            "Stories formed from the stored articles",
            stories.clone(),
        );
        let ingest_lag = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        registry.register(
            "ingest_lag_seconds",
            "From the ingest of the newest article to the moment pages served it (0 when it was stored before the server started)",
            ingest_lag.clone(),
        );
        let analysed = Gauge::default();
        registry.register(
            "engine_analysed",
            "Articles this server analysed (ran the tagger over) since it started",
            analysed.clone(),
        );
        let builds = Gauge::default();
        registry.register(
            "engine_builds",
            "Times this server built the catalogue, index and stories since it started",
            builds.clone(),
        );
        let backlog = Gauge::default();
        registry.register(
            "engine_backlog",
            "Articles waiting for their analysis by the current analysis code and model",
            backlog.clone(),
        );
        Metrics {
            registry,
            backlog,
            requests,
            latency,
            articles,
            stories,
            ingest_lag,
            analysed,
            builds,
        }
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_string(),
                route: route.to_string(),
                status,
            })
            .inc();
        self.latency.observe(seconds);
    }

    fn encode(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }
}

/// Times and counts every request and logs it (method, route, status, ms).
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(request).await;
    let seconds = start.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    state.metrics().observe(&method, &route, status, seconds);
    tracing::info!(%method, %route, status, ms = seconds * 1000.0, "request");
    response
}

/// `/metrics`: counts of the store and stories as of now, and the request metrics.
pub async fn scrape(State(state): State<AppState>) -> Result<Response, crate::api::Problem> {
    let articles = state.with_store(|s| s.count()).await?;
    let derived = state.derived().await?;
    let stories = state.with_store(|s| s.kept_story_count()).await?;
    let metrics = state.metrics();
    metrics.articles.set(articles as i64);
    metrics.stories.set(stories as i64);
    metrics.ingest_lag.set(derived.ingest_lag_seconds);
    let engine = state.engine().counters();
    metrics.analysed.set(engine.analysed() as i64);
    metrics.builds.set(engine.builds() as i64);
    metrics.backlog.set(state.analysis_backlog() as i64);
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.encode(),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_and_timed() {
        let m = Metrics::new();
        m.observe("GET", "/articles/{id}", 200, 0.002);
        m.observe("GET", "/articles/{id}", 200, 0.004);
        m.observe("GET", "/api/stories/{id}", 404, 0.001);
        let text = m.encode();
        assert!(
            text.contains(
                r#"storyline_http_requests_total{method="GET",route="/articles/{id}",status="200"} 2"#
            ),
            "{text}"
        );
        assert!(
            text.contains("storyline_http_request_duration_seconds_count 3"),
            "{text}"
        );
        assert!(text.contains("# TYPE storyline_articles gauge"), "{text}");
        assert!(text.ends_with("# EOF\n"));
    }
}
