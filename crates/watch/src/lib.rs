//! Live ingestion: watching feeds, sitemaps and pages, and fetching their
//! new articles politely.
//!
//! `storyline watch` and `serve --watch` run [`watch`]. The pieces, each in
//! its module:
//! - [`discover`]: what a source's document names (feed items, sitemap
//!   pages, an index's sitemaps, or the page itself);
//! - [`sitemap`]: reading sitemaps, news sitemaps and indexes;
//! - [`robots`]: robots.txt, fetched once per origin and obeyed;
//! - [`hosts`]: the queue that keeps one request at a time per host, with
//!   a pause between requests, and a global limit (the workers);
//! - [`watcher`]: the loop that polls due sources, fetches, and stores.
//!
//! One fetch (limits, private addresses, conditional requests, retries
//! after 429/5xx) is `storyline-fetch`'s; turning a page into an article is
//! `storyline-ingest`'s; what must survive a restart (sources, their poll
//! state, the URLs fetched) is kept by `storyline-store`.

pub mod discover;
pub mod hosts;
pub mod robots;
pub mod sitemap;
pub mod watcher;

pub use watcher::{watch, PollReport};

use serde::Serialize;
use std::time::Duration;
use storyline_core::Limits;
use storyline_fetch::FetchOptions;
use storyline_store::StoreError;

/// How to watch.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub fetch: FetchOptions,
    /// The least pause between two requests to one host.
    pub host_delay: Duration,
    /// The longest Crawl-delay honoured (a site asking for more gets this).
    pub max_crawl_delay: Duration,
    /// Fetches under way at once, across all hosts.
    pub workers: usize,
    /// Poll every source once, fetch what is new, and return.
    pub once: bool,
    /// The most new articles one poll of one source fetches; the rest wait
    /// for the next poll (a first poll of a large sitemap would otherwise
    /// take hours before the source's state is saved).
    pub max_new_per_poll: usize,
    /// The most sitemaps of an index read in one poll, newest first.
    pub max_child_sitemaps: usize,
    /// The product token robots.txt rules are matched against.
    pub robots_agent: String,
    /// How long a robots.txt is trusted.
    pub robots_ttl: Duration,
    /// The bounds fetched pages and articles are held to.
    pub limits: Limits,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            fetch: FetchOptions::default(),
            host_delay: Duration::from_secs(1),
            max_crawl_delay: Duration::from_secs(60),
            workers: 4,
            once: false,
            max_new_per_poll: 200,
            max_child_sitemaps: 20,
            robots_agent: "storyline".to_string(),
            robots_ttl: Duration::from_secs(24 * 3600),
            limits: Limits::default(),
        }
    }
}

/// The most problems a tally keeps (the counts go on).
const MAX_PROBLEMS: usize = 200;

/// What a watch did, as `storyline watch --json` prints it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    /// Source polls started.
    pub polls: u64,
    /// Polls answered "304 Not Modified".
    pub not_modified: u64,
    /// Polls whose source could not be fetched.
    pub poll_errors: u64,
    /// New article URLs found and queued.
    pub discovered: u64,
    /// Articles stored for the first time.
    pub stored: u64,
    /// Articles stored before whose content changed.
    pub updated: u64,
    pub unchanged: u64,
    /// Pages that gave no article (or a lasting HTTP error); not fetched again.
    pub rejected: u64,
    /// Fetches that failed for a passing reason; tried again next poll.
    pub fetch_errors: u64,
    /// URLs robots.txt did not allow.
    pub disallowed: u64,
    /// The first problems met, with their URLs.
    pub problems: Vec<Problem>,
}

impl Tally {
    fn note(&mut self, problem: Problem) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(problem);
        }
    }
}

/// A URL that could not be fetched or read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub url: String,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no sources to watch: add one with `storyline sources add URL`")]
    NoSources,
}
