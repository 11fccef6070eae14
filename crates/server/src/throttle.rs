//! How much work clients may ask for at once, and what is shed when they
//! ask for more.
//!
//! Every read that works on the store or renders a page is admitted only
//! while fewer than [`IN_FLIGHT_PER_CORE`] requests per core are being
//! worked on; one that finds no room within [`ADMISSION_WAIT`] is answered
//! 503 with `Retry-After` at once. Under overload the server thus answers
//! quickly, some requests with "try again", instead of queueing every
//! request until all of them time out. Liveness, readiness, metrics and
//! the static files are never held back.
//!
//! A search is the one read whose cost the client chooses: a query over
//! common words scores most of the store. So searches (the page, the API
//! and search feeds) also pass a gate of their own: at most a set number at
//! a time from one client address (`Access::searches_per_client`, default
//! [`PER_CLIENT`]; more: 429 with `Retry-After`), and at most as many at a
//! time overall as there are cores, fewer than the store's read
//! connections, so article pages and the API never wait behind searches. A
//! search that finds no free slot within [`SLOT_WAIT`] is shed with 503.
//! The work a search may do once admitted is bounded by the store
//! (`SearchQuery::budget`, see [`SEARCH_BUDGET`]): a search over it stops
//! and answers 503, it does not run on behind the answer.
//!
//! This module owns the gates; the query rules (distinct words, at most
//! `MAX_SEARCH_TERMS`) are the store's.

use crate::api::Problem;
use crate::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Searches one client address may have running at once, unless the
/// operator says otherwise (behind a proxy every client has its address).
pub const PER_CLIENT: usize = 2;
/// How long a search waits for a free slot before it is shed.
pub const SLOT_WAIT: Duration = Duration::from_millis(200);
/// Requests worked on at once per core, for routes that do work. Their
/// work is CPU (the store and index sit in the page cache), so a request
/// admitted beyond a few per core only waits for a core: it adds latency
/// to every admitted request (the time in the server is the requests in
/// flight over the rate they finish at) and no throughput. 16 per core
/// served the article page at a p99 of 231 ms under 1,000 connections on
/// two cores, 4 at 75 ms with 84 % of its rate (`scripts/load-bench`).
pub const IN_FLIGHT_PER_CORE: usize = 4;
/// How long a request waits for room before it is shed with 503.
pub const ADMISSION_WAIT: Duration = Duration::from_millis(25);
/// The most store work one search may take.
pub const SEARCH_BUDGET: Duration = Duration::from_secs(2);

/// The requests and searches running now, overall and per client.
pub struct Throttle {
    admitted: Semaphore,
    slots: Semaphore,
    per_client: usize,
    running: Mutex<HashMap<Option<IpAddr>, usize>>,
}

impl Throttle {
    /// Gates for a machine of `cores` cores that work on `in_flight`
    /// reads per core at once and let `per_client` searches of one client
    /// run at once (0: no such limit).
    pub fn new(cores: usize, in_flight: usize, per_client: usize) -> Throttle {
        let cores = cores.max(1);
        Throttle {
            admitted: Semaphore::new(cores * in_flight.max(1)),
            slots: Semaphore::new(cores),
            per_client,
            running: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a search of `client` in, unless it already has its share.
    fn enter(&self, client: Option<IpAddr>) -> bool {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        let n = running.entry(client).or_insert(0);
        if self.per_client > 0 && *n >= self.per_client {
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

/// Whether the route answers without work worth admitting.
fn is_free(path: &str) -> bool {
    matches!(
        path,
        "/healthz" | "/readyz" | "/metrics" | "/style.css" | "/widget.js" | "/api/openapi.json"
    )
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

fn overloaded(what: &str) -> Response {
    retry_later(Problem::unavailable(format!("{what}; try again in a moment")).into_response())
}

/// Admission, as middleware: reads that do work wait at most
/// [`ADMISSION_WAIT`] for room, else 503. Writes are not shed: they need
/// the token, and they queue for the one writing connection anyway.
pub async fn admit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let read = matches!(*request.method(), Method::GET | Method::HEAD);
    if !read || is_free(request.uri().path()) {
        return next.run(request).await;
    }
    let permit = match tokio::time::timeout(ADMISSION_WAIT, state.throttle().admitted.acquire()).await {
        Ok(Ok(permit)) => permit,
        _ => return overloaded("the server is busy"),
    };
    let response = next.run(request).await;
    drop(permit);
    response
}

/// The search gate, as middleware: other routes pass straight through.
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
            "at most {} searches at a time from one client; wait for one to finish",
            throttle.per_client
        ))
        .into_response();
        *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return retry_later(r);
    }
    let _entered = Entered { throttle, client };
    let permit = match tokio::time::timeout(SLOT_WAIT, throttle.slots.acquire()).await {
        Ok(Ok(permit)) => permit,
        _ => return overloaded("too many searches at once"),
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
        let t = Throttle::new(4, IN_FLIGHT_PER_CORE, 2);
        let a = Some(IpAddr::from([192, 0, 2, 1]));
        let b = Some(IpAddr::from([192, 0, 2, 2]));
        assert!(t.enter(a) && t.enter(a));
        assert!(!t.enter(a), "a third search of one client waits its turn");
        assert!(t.enter(b), "another client is not held up");
        t.leave(a);
        assert!(t.enter(a), "a finished search frees its place");
        let open = Throttle::new(1, IN_FLIGHT_PER_CORE, 0);
        assert!((0..100).all(|_| open.enter(a)), "0: no limit per client");
    }

    #[test]
    fn only_searches_pass_the_search_gate_and_probes_are_never_held() {
        assert!(is_search("/search") && is_search("/api/search") && is_search("/feeds/search.xml"));
        assert!(!is_search("/articles/x") && !is_search("/api/articles") && !is_search("/feeds/latest.xml"));
        assert!(is_free("/healthz") && is_free("/readyz") && !is_free("/articles/x") && !is_free("/"));
    }
}
