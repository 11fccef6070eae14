//! Watched sources, fetched URLs and robots.txt files on PostgreSQL (the
//! same rows and rules as [`crate::watched`] on SQLite).

use crate::{FetchState, FetchedUrl, RobotsFile, StoreError, WatchedSource};
use chrono::Utc;
use postgres::{Client, Transaction};
use std::collections::HashSet;
use storyline_core::id::canonical_url;

pub(super) fn record_fetched(tx: &mut Transaction<'_>, fetched: &[FetchedUrl]) -> Result<(), StoreError> {
    let now = Utc::now().to_rfc3339();
    let insert = tx.prepare(
        "INSERT INTO fetched_urls (url, fetched_at, outcome, article_id, note) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (url) DO UPDATE SET fetched_at = $2, outcome = $3, article_id = $4, note = $5",
    )?;
    for f in fetched {
        tx.execute(
            &insert,
            &[
                &canonical_url(&f.url),
                &now,
                &f.outcome.as_str(),
                &f.article_id,
                &f.note,
            ],
        )?;
    }
    Ok(())
}

pub(super) fn fetched_before(c: &mut Client, urls: &[String]) -> Result<HashSet<String>, StoreError> {
    let canonical: Vec<String> = urls.iter().map(|u| canonical_url(u)).collect();
    let seen: HashSet<String> = c
        .query(
            "SELECT url FROM fetched_urls WHERE url = ANY($1)
             UNION SELECT canonical_url FROM articles WHERE canonical_url = ANY($1)",
            &[&canonical],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    Ok(urls
        .iter()
        .zip(&canonical)
        .filter(|(_, c)| seen.contains(*c))
        .map(|(u, _)| u.clone())
        .collect())
}

pub(super) fn add(tx: &mut Transaction<'_>, source: &WatchedSource) -> Result<bool, StoreError> {
    if let Some(name) = &source.name {
        let holder: Option<String> = tx
            .query_opt("SELECT url FROM watched_sources WHERE name = $1", &[name])?
            .map(|r| r.get(0));
        if holder.is_some_and(|url| url != source.url) {
            return Err(StoreError::NameTaken(name.clone()));
        }
    }
    let existed = tx
        .query_opt("SELECT 1 FROM watched_sources WHERE url = $1", &[&source.url])?
        .is_some();
    tx.execute(
        "INSERT INTO watched_sources (url, name, interval_secs, added_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (url) DO UPDATE SET name = $2, interval_secs = $3",
        &[
            &source.url,
            &source.name,
            &(source.interval_secs.min(i64::MAX as u64) as i64),
            &Utc::now().to_rfc3339(),
        ],
    )?;
    Ok(!existed)
}

pub(super) fn list(c: &mut Client) -> Result<Vec<WatchedSource>, StoreError> {
    Ok(c
        .query(
            "SELECT url, name, interval_secs, added_at, etag, last_modified, last_polled, next_due, errors, last_error
             FROM watched_sources ORDER BY added_at, url",
            &[],
        )?
        .iter()
        .map(|r| WatchedSource {
            url: r.get(0),
            name: r.get(1),
            interval_secs: r.get::<_, i64>(2).max(0) as u64,
            added_at: r.get(3),
            state: FetchState {
                etag: r.get(4),
                last_modified: r.get(5),
                last_polled: r.get(6),
                next_due: r.get(7),
                errors: r.get::<_, i64>(8).clamp(0, u32::MAX as i64) as u32,
                last_error: r.get(9),
            },
        })
        .collect())
}

pub(super) fn remove(tx: &mut Transaction<'_>, url_or_name: &str) -> Result<Option<String>, StoreError> {
    let url: Option<String> = tx
        .query_opt(
            "SELECT url FROM watched_sources WHERE url = $1 OR name = $1 ORDER BY url = $1 DESC LIMIT 1",
            &[&url_or_name],
        )?
        .map(|r| r.get(0));
    if let Some(url) = &url {
        tx.execute("DELETE FROM watched_sources WHERE url = $1", &[url])?;
    }
    Ok(url)
}

pub(super) fn save_state(tx: &mut Transaction<'_>, url: &str, state: &FetchState) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE watched_sources SET etag = $2, last_modified = $3, last_polled = $4, next_due = $5,
             errors = $6, last_error = $7
         WHERE url = $1",
        &[
            &url,
            &state.etag,
            &state.last_modified,
            &state.last_polled,
            &state.next_due,
            &i64::from(state.errors),
            &state.last_error,
        ],
    )?;
    Ok(())
}

pub(super) fn robots_files(c: &mut Client) -> Result<Vec<RobotsFile>, StoreError> {
    Ok(c.query("SELECT origin, body, fetched_at FROM robots_files", &[])?
        .iter()
        .map(|r| RobotsFile {
            origin: r.get(0),
            body: r.get(1),
            fetched_at: r.get(2),
        })
        .collect())
}

pub(super) fn save_robots_file(tx: &mut Transaction<'_>, file: &RobotsFile) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO robots_files (origin, body, fetched_at) VALUES ($1, $2, $3)
         ON CONFLICT (origin) DO UPDATE SET body = $2, fetched_at = $3",
        &[&file.origin, &file.body, &file.fetched_at],
    )?;
    Ok(())
}
