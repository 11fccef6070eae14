//! The web site and JSON API over a storyline store.
//!
//! This crate owns HTTP: routes, pages, JSON shapes on the wire and the
//! in-memory Similar Posts index the pages read. It does not parse inputs or
//! decide what is similar; it asks `storyline-relate` and `storyline-store`.
//! Pages are server-rendered with askama, whose templates escape every value.

mod api;
mod charts;
mod feeds;
mod guard;
mod highlight;
mod metrics;
mod openapi;
mod pages;
mod search;
mod sources;
mod state;
mod throttle;
mod widget;
mod writes;

pub use state::{Access, AppState};

use axum::routing::{get, MethodRouter};
use axum::Router;
use std::net::SocketAddr;
use storyline_store::Store;

/// The JSON API's data routes: each is documented in the OpenAPI document
/// (`openapi::ApiDoc`), which a test checks against this list.
fn api_routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        (
            "/api/articles",
            get(api::list_articles).post(writes::post_articles),
        ),
        ("/api/articles/{id}", get(api::get_article)),
        ("/api/articles/{id}/similar", get(api::similar)),
        ("/api/stories", get(api::list_stories)),
        ("/api/stories/{id}", get(api::get_story)),
        ("/api/entities", get(api::list_entities)),
        ("/api/entities/{id}", get(api::get_entity)),
        ("/api/search", get(search::api)),
        ("/api/sources", get(sources::api)),
        ("/api/sources/{name}", get(sources::api_source)),
    ]
}

/// The whole site: pages, API, feeds, widget and operations.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for (path, route) in api_routes() {
        router = router.route(path, route);
    }
    router
        .route("/api/openapi.json", get(openapi::document))
        .route("/api/docs", get(openapi::page))
        .route("/", get(pages::home))
        .route("/articles/{id}", get(pages::article))
        .route("/style.css", get(pages::stylesheet))
        .route("/healthz", get(liveness))
        .route("/readyz", get(readiness))
        .route("/stories/{id}", get(pages::story))
        .route("/entities/{id}", get(pages::entity))
        .route("/search", get(search::page))
        .route("/sources", get(sources::page))
        .route("/sources/{name}", get(sources::source_page))
        .route("/feeds/{file}", get(feeds::site_feed))
        .route("/feeds/stories/{file}", get(feeds::story_feed))
        .route("/feeds/entities/{file}", get(feeds::entity_feed))
        .route("/metrics", get(metrics::scrape))
        .route("/widget.js", get(widget::script))
        .route("/fragments/similar", get(widget::fragment))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            throttle::gate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            throttle::admit,
        ))
        .layer(axum::middleware::from_fn(guard::protect))
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard::cors))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state)
}

/// `/readyz`: 200 once pages can be served (the derived data is built),
/// 503 before. `/healthz` is liveness: the process answers at all.
async fn readiness(axum::extract::State(state): axum::extract::State<AppState>) -> axum::response::Response {
    use axum::response::IntoResponse;
    if state.ready() {
        "ready".into_response()
    } else {
        (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            [(axum::http::header::RETRY_AFTER, "5")],
            "not ready: the index and stories are being built",
        )
            .into_response()
    }
}

/// `/healthz`: the process answers. `ok`, and how many articles wait for
/// the background analysis when any do (no store work: it must stay cheap
/// under load).
async fn liveness(axum::extract::State(state): axum::extract::State<AppState>) -> String {
    match state.analysis_backlog() {
        0 => "ok".to_string(),
        n => format!("ok, {n} articles waiting for analysis"),
    }
}

/// Connections waiting to be accepted (the kernel caps it at
/// `net.core.somaxconn`, 4,096 by default).
const LISTEN_BACKLOG: u32 = 4096;

/// Serves `store` on `addr` until Ctrl-C or SIGTERM, with `engine` owning
/// derived data (its on-disk index answers Similar Posts); `ready` is told
/// the bound address. `access` says who may write and which origins may call
/// the API from their pages; `limits` bound what is written and analysed.
pub async fn serve(
    store: Box<dyn Store>,
    engine: storyline_engine::Engine,
    access: Access,
    limits: storyline_core::Limits,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    // A deep accept queue: a burst of new connections (a thousand clients
    // connecting at once) must not overflow it, or the kernel drops SYNs
    // and a client (a health check among them) waits a second to retry.
    let socket = match addr {
        SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
        SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    let listener = socket.listen(LISTEN_BACKLOG)?;
    ready(listener.local_addr()?);
    // Opening the readers is blocking work (a connection each, for a
    // shared store): off the async threads, like every store call.
    let state = tokio::task::spawn_blocking(move || AppState::with_access(store, engine, access, limits))
        .await
        .map_err(std::io::Error::other)?;
    // Derived data is built now rather than on the first page view, and
    // `/readyz` says when it is there.
    let warm = state.clone();
    tokio::spawn(async move {
        if let Err(e) = warm.derived().await {
            tracing::error!(error = %e, "building the derived data failed");
        }
    });
    let app = router(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use utoipa::OpenApi;

    #[test]
    fn the_openapi_document_lists_every_api_route() {
        let doc = serde_json::to_value(crate::openapi::ApiDoc::openapi()).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        let paths = doc["paths"].as_object().unwrap();
        for (path, _) in super::api_routes() {
            assert!(paths.contains_key(path), "{path} is not in the OpenAPI document");
        }
        assert_eq!(paths.len(), super::api_routes().len(), "and nothing else");
    }
}
