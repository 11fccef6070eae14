//! Watched web sources and the URLs fetched from them, in SQLite.
//!
//! `storyline watch` polls feeds, sitemaps and pages. What it must remember
//! across restarts lives here: each source with its polling interval and
//! the state of its last poll (validators for a conditional request, when
//! it is due next, how many polls in a row failed), and every article URL
//! it fetched with what came of it. The fetching and scheduling themselves
//! are `storyline-watch`'s; this module only keeps their records.

use crate::StoreError;
use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use std::collections::HashSet;
use storyline_core::id::canonical_url;

/// A web source `storyline watch` polls: a feed, a (news) sitemap or
/// sitemap index, or a single article page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WatchedSource {
    pub url: String,
    /// What its articles are filed under; the feed's or site's own name when unset.
    pub name: Option<String>,
    /// How often to poll it, in seconds.
    pub interval_secs: u64,
    /// When it was added (RFC 3339, UTC); set by the store.
    pub added_at: Option<String>,
    #[serde(flatten)]
    pub state: FetchState,
}

/// What the polls of a source have learned so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FetchState {
    /// The validators of the last full response, for a conditional request.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// When it was last polled and when it is due next (RFC 3339, UTC).
    pub last_polled: Option<String>,
    pub next_due: Option<String>,
    /// How many polls in a row failed (the interval backs off with it).
    pub errors: u32,
    pub last_error: Option<String>,
}

/// A site's robots.txt as it was fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RobotsFile {
    /// `scheme://host[:port]`.
    pub origin: String,
    /// The file; `None` when the site had none (a 4xx), which allows everything.
    pub body: Option<Vec<u8>>,
    /// When it was fetched (RFC 3339, UTC).
    pub fetched_at: String,
}

/// An article URL that was fetched, and what came of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedUrl {
    pub url: String,
    pub outcome: FetchOutcome,
    /// The article stored from it.
    pub article_id: Option<String>,
    /// Why it was rejected.
    pub note: Option<String>,
}

/// What came of fetching an article URL. Only final outcomes are kept: a
/// fetch that failed for a passing reason is tried again on a later poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchOutcome {
    Stored,
    Rejected,
}

impl FetchOutcome {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            FetchOutcome::Stored => "stored",
            FetchOutcome::Rejected => "rejected",
        }
    }
}

pub(crate) fn record_fetched(tx: &Transaction<'_>, fetched: &[FetchedUrl]) -> Result<(), StoreError> {
    let now = Utc::now().to_rfc3339();
    let mut insert = tx.prepare_cached(
        "INSERT INTO fetched_urls (url, fetched_at, outcome, article_id, note) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (url) DO UPDATE SET fetched_at = ?2, outcome = ?3, article_id = ?4, note = ?5",
    )?;
    for f in fetched {
        insert.execute(params![
            canonical_url(&f.url),
            now,
            f.outcome.as_str(),
            f.article_id,
            f.note
        ])?;
    }
    Ok(())
}

pub(crate) fn fetched_before(conn: &Connection, urls: &[String]) -> Result<HashSet<String>, StoreError> {
    // An article stored from this URL by any means (`ingest URL`, a feed
    // file) counts as fetched too.
    let mut find = conn.prepare_cached(
        "SELECT 1 FROM fetched_urls WHERE url = ?1 UNION ALL SELECT 1 FROM articles WHERE canonical_url = ?1",
    )?;
    let mut seen = HashSet::new();
    for url in urls {
        if find.exists([canonical_url(url)])? {
            seen.insert(url.clone());
        }
    }
    Ok(seen)
}

pub(crate) fn add(conn: &Connection, source: &WatchedSource) -> Result<bool, StoreError> {
    if let Some(name) = &source.name {
        let holder: Option<String> = conn
            .query_row("SELECT url FROM watched_sources WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()?;
        if holder.is_some_and(|url| url != source.url) {
            return Err(StoreError::NameTaken(name.clone()));
        }
    }
    let existed = conn
        .prepare_cached("SELECT 1 FROM watched_sources WHERE url = ?1")?
        .exists([&source.url])?;
    conn.execute(
        "INSERT INTO watched_sources (url, name, interval_secs, added_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (url) DO UPDATE SET name = ?2, interval_secs = ?3",
        params![
            source.url,
            source.name,
            source.interval_secs as i64,
            Utc::now().to_rfc3339()
        ],
    )?;
    Ok(!existed)
}

pub(crate) fn list(conn: &Connection) -> Result<Vec<WatchedSource>, StoreError> {
    let mut select = conn.prepare_cached(
        "SELECT url, name, interval_secs, added_at, etag, last_modified, last_polled, next_due, errors, last_error
         FROM watched_sources ORDER BY added_at, url",
    )?;
    let rows = select.query_map([], |r| {
        Ok(WatchedSource {
            url: r.get(0)?,
            name: r.get(1)?,
            interval_secs: r.get::<_, i64>(2)?.max(0) as u64,
            added_at: r.get(3)?,
            state: FetchState {
                etag: r.get(4)?,
                last_modified: r.get(5)?,
                last_polled: r.get(6)?,
                next_due: r.get(7)?,
                errors: r.get::<_, i64>(8)?.clamp(0, u32::MAX as i64) as u32,
                last_error: r.get(9)?,
            },
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn remove(conn: &Connection, url_or_name: &str) -> Result<Option<String>, StoreError> {
    let url: Option<String> = conn
        .query_row(
            "SELECT url FROM watched_sources WHERE url = ?1 OR name = ?1 ORDER BY url = ?1 DESC LIMIT 1",
            [url_or_name],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(url) = &url {
        conn.execute("DELETE FROM watched_sources WHERE url = ?1", [url])?;
    }
    Ok(url)
}

pub(crate) fn save_state(conn: &Connection, url: &str, state: &FetchState) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE watched_sources SET etag = ?2, last_modified = ?3, last_polled = ?4, next_due = ?5,
             errors = ?6, last_error = ?7
         WHERE url = ?1",
        params![
            url,
            state.etag,
            state.last_modified,
            state.last_polled,
            state.next_due,
            state.errors as i64,
            state.last_error
        ],
    )?;
    Ok(())
}

pub(crate) fn robots_files(conn: &Connection) -> Result<Vec<RobotsFile>, StoreError> {
    let mut select = conn.prepare_cached("SELECT origin, body, fetched_at FROM robots_files")?;
    let rows = select.query_map([], |r| {
        Ok(RobotsFile {
            origin: r.get(0)?,
            body: r.get(1)?,
            fetched_at: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn save_robots_file(conn: &Connection, file: &RobotsFile) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO robots_files (origin, body, fetched_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (origin) DO UPDATE SET body = ?2, fetched_at = ?3",
        params![file.origin, file.body, file.fetched_at],
    )?;
    Ok(())
}
