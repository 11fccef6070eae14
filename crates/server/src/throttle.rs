//! How much search work clients may ask for at once.
//!
//! A search is the one read whose cost the client chooses: a query over
//! common words scores most of the store. So searches (the page, the API
//! and search feeds) pass a gate: at most [`PER_CLIENT`] at a time from one
//! client address (more: 429 with `Retry-After`), and at most as many at a
//! time overall as there are cores, which is fewer than the store's read
//! connections, so article pages and the API never wait behind searches. A
//! search that finds no free slot within [`SLOT_WAIT`] is shed with 503.
//! The work a search may do once admitted is bounded by the store
//! (`SearchQuery::budget`, see [`SEARCH_BUDGET`]): a search over it stops
//! and answers 503, it does not run on behind the answer.
//!
//! This module owns the gate; the query rules (distinct words, at most
//! `MAX_SEARCH_TERMS`) are the store's.

use crate::api::Problem;
use crate::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Searches one client address may have running at once.
pub const PER_CLIENT: usize = 2;
/// How long a search waits for a free slot before it is shed.
pub const SLOT_WAIT: Duration = Duration::from_secs(1);
/// The most store work one search may take.
pub const SEARCH_BUDGET: Duration = Duration::from_secs(2);

/// The searches running now, overall and per client.
pub struct Throttle {
    slots: Semaphore,
    running: Mutex<HashMap<Option<IpAddr>, usize>>,
}

impl Throttle {
    /// A gate that lets `slots` searches run at once.
    pub fn new(slots: usize) -> Throttle {
        Throttle {
            slots: Semaphore::new(slots.max(1)),
            running: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a search of `client` in, unless it already has its share.
    fn enter(&self, client: Option<IpAddr>) -> bool {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        let n = running.entry(client).or_insert(0);
        if *n >= PER_CLIENT {
            return false;
        }
        *n += 1;
        true
    }

    fn leave(&self, client: Option<IpAddr>) {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = running.get_mut(&client) {
            *n -= 1;
            if *n == 0 {
                running.remove(&client);
            }
        }
    }
}

/// Whether the request is a search (page, API or feed).
fn is_search(path: &str) -> bool {
    path == "/search" || path == "/api/search" || path.starts_with("/feeds/search.")
}

/// Counts a client's search out again however its request ends.
struct Entered<'a> {
    throttle: &'a Throttle,
    client: Option<IpAddr>,
}

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        self.throttle.leave(self.client);
    }
}

fn retry_later(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// The gate, as middleware: other routes pass straight through.
pub async fn gate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !is_search(request.uri().path()) {
        return next.run(request).await;
    }
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let throttle = state.throttle();
    if !throttle.enter(client) {
        let mut r = Problem::unavailable(format!(
            "at most {PER_CLIENT} searches at a time from one client; wait for one to finish"
        ))
        .into_response();
        *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return retry_later(r);
    }
    let _entered = Entered { throttle, client };
    let permit = match tokio::time::timeout(SLOT_WAIT, throttle.slots.acquire()).await {
        Ok(Ok(permit)) => permit,
        _ => {
            return retry_later(
                Problem::unavailable("too many searches at once; try again in a moment".into())
                    .into_response(),
            )
        }
    };
    let response = next.run(request).await;
    drop(permit);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_client_gets_its_share_and_no_more() {
        let t = Throttle::new(4);
        let a = Some(IpAddr::from([192, 0, 2, 1]));
        let b = Some(IpAddr::from([192, 0, 2, 2]));
        assert!(t.enter(a) && t.enter(a));
        assert!(!t.enter(a), "a third search of one client waits its turn");
        assert!(t.enter(b), "another client is not held up");
        t.leave(a);
        assert!(t.enter(a), "a finished search frees its place");
    }

    #[test]
    fn only_searches_pass_the_gate() {
        assert!(is_search("/search") && is_search("/api/search") && is_search("/feeds/search.xml"));
        assert!(!is_search("/articles/x") && !is_search("/api/articles") && !is_search("/feeds/latest.xml"));
    }
}
