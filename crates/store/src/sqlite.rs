//! The embedded store: one SQLite file in the data directory.
//!
//! WAL mode lets the web server read while an ingest writes; `synchronous=FULL`
//! makes a commit durable before it is acknowledged, so a crash (even of the
//! machine) never loses an acknowledged article. Each article is one row
//! holding its full JSON, so a half-written article cannot exist.

use crate::entities;
use crate::migrations::MIGRATIONS;

use crate::stories;
use crate::watched;
use crate::Lock;
use crate::{
    decode_article, decode_cursor, encode_cursor, fts_expression, Arrival, ArticleSummary, Component,
    EntityArticle, FetchState, FetchedUrl, KeptEntity, KeptStory, LinksUpdate, Page, Progress, RobotsFile,
    SearchHit, SearchQuery, SourceSummary, Store, StoreError, StoriesUpdate, StoryEvent, StoryEventKind,
    Upsert, WatchedSource,
};
use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use storyline_core::{id, Article};

/// The writing connection's page cache, in KiB.
const WRITER_CACHE_KIB: i64 = 64 * 1024;

/// Write-ahead log pages (4 KiB each) after which a writer's commit copies
/// the log into the database (see [`SqliteStore::open`]).
const CHECKPOINT_PAGES: i64 = 16 * 1024;

/// The file name of the database inside the data directory.
pub const DB_FILE: &str = "storyline.db";

pub struct SqliteStore {
    pub(crate) conn: Connection,
    path: PathBuf,
    /// The lock files of [`Store::lock`] held, each open while it is.
    locks: Vec<(Component, std::fs::File)>,
    /// When the statement running now must stop, if it has a budget.
    deadline: Arc<Deadline>,
}

/// A point in time that SQLite's progress handler compares against while a
/// budgeted statement runs, so the work itself stops when the budget is
/// spent (not only the wait for it). Nanoseconds since [`epoch`]; 0: none.
#[derive(Default)]
struct Deadline(AtomicU64);

/// How many SQLite virtual-machine steps pass between deadline checks: a
/// check is one atomic load and a clock read, and ten thousand steps take
/// well under a millisecond.
const STEPS_PER_CHECK: i32 = 10_000;

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

impl Deadline {
    fn set(&self, budget: Option<Duration>) {
        let at = budget.map_or(0, |b| (epoch().elapsed() + b).as_nanos().max(1) as u64);
        self.0.store(at, Ordering::Relaxed);
    }

    fn passed(&self) -> bool {
        let at = self.0.load(Ordering::Relaxed);
        at != 0 && epoch().elapsed().as_nanos() as u64 > at
    }
}

/// Opens the database at `path` with the settings every connection shares,
/// and the progress handler that enforces `deadline`.
fn connect(path: &Path, deadline: &Arc<Deadline>) -> Result<Connection, StoreError> {
    let open_err = |source| StoreError::Open {
        path: path.display().to_string(),
        source,
    };
    let mut conn = Connection::open(path).map_err(open_err)?;
    conn.busy_timeout(Duration::from_secs(10)).map_err(open_err)?;
    // Statement journals (an upsert's undo within its transaction) and
    // sorts in memory: they are small, and as temporary files each cost
    // writes and system calls.
    conn.pragma_update(None, "temp_store", "MEMORY")
        .map_err(open_err)?;
    let watched = deadline.clone();
    conn.progress_handler(STEPS_PER_CHECK, Some(move || watched.passed()))
        .map_err(open_err)?;
    Ok(conn)
}

impl SqliteStore {
    /// A write transaction, holding the write lock from its start. Another
    /// connection may write the store too (an ingest's analyses are kept
    /// beside its storing): a transaction that read first and then wrote
    /// after the other's commit would fail at once, where one that takes
    /// the lock first waits its turn (the busy timeout).
    pub(crate) fn write(&mut self) -> rusqlite::Result<Transaction<'_>> {
        self.conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
    }

    /// Opens (creating if needed) the store in `data_dir` and migrates it.
    pub fn open(data_dir: &Path) -> Result<SqliteStore, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
        let path = data_dir.join(DB_FILE);
        let open_err = |source| StoreError::Open {
            path: path.display().to_string(),
            source,
        };
        let deadline = Arc::new(Deadline::default());
        let conn = connect(&path, &deadline)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open_err)?;
        // The writer's page cache (negative: KiB), grown as it is used: a
        // catch-up writes rows across several tables and indexes, which
        // SQLite's 2 MB default spills to disk and reads back.
        conn.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)
            .map_err(open_err)?;
        // Copy the write-ahead log into the database every 64 MiB rather
        // than SQLite's 4 MiB: a page that several transactions change in
        // between (an index's hot pages, an entity's counts) is copied
        // once, not once per transaction.
        conn.pragma_update(None, "wal_autocheckpoint", CHECKPOINT_PAGES)
            .map_err(open_err)?;
        let mut store = SqliteStore {
            conn,
            path,
            deadline,
            locks: Vec::new(),
        };
        store.migrate()?;
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The search itself, for [`Store::search`] to run under its budget.
    ///
    /// Two steps: the page of matches is ranked first, reading only the
    /// full-text index when there are no filters (joining every match to
    /// its article row costs more than ranking it), and only then are the
    /// page's titles and snippets read, one match at a time by rowid.
    fn run_search(&self, expression: &str, query: &SearchQuery) -> rusqlite::Result<Vec<SearchHit>> {
        let filtered =
            query.from.is_some() || query.to.is_some() || query.source.is_some() || query.lang.is_some();
        let (limit, offset) = (query.limit.max(1) as i64, query.offset as i64);
        let ranked: Vec<(i64, f64)> = if filtered {
            let mut select = self.conn.prepare_cached(
                "SELECT a.rowid, -bm25(articles_fts, 3.0, 1.0)
                 FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid
                 WHERE articles_fts MATCH ?1
                   AND (?2 IS NULL OR substr(a.published_sort, 1, 10) >= ?2)
                   AND (?3 IS NULL OR (a.published_sort != '' AND substr(a.published_sort, 1, 10) <= ?3))
                   AND (?4 IS NULL OR a.source = ?4)
                   AND (?5 IS NULL OR json_extract(a.doc, '$.lang') = ?5)
                 ORDER BY bm25(articles_fts, 3.0, 1.0), a.rowid
                 LIMIT ?6 OFFSET ?7",
            )?;
            let rows = select.query_map(
                params![
                    expression,
                    query.from,
                    query.to,
                    query.source,
                    query.lang,
                    limit,
                    offset
                ],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            rows.collect::<rusqlite::Result<_>>()?
        } else {
            let mut select = self.conn.prepare_cached(
                "SELECT rowid, -bm25(articles_fts, 3.0, 1.0) FROM articles_fts
                 WHERE articles_fts MATCH ?1
                 ORDER BY bm25(articles_fts, 3.0, 1.0), rowid
                 LIMIT ?2 OFFSET ?3",
            )?;
            let rows =
                select.query_map(params![expression, limit, offset], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut read = self.conn.prepare_cached(
            "SELECT a.id, a.title, a.published, a.source,
                    snippet(articles_fts, 1, char(2), char(3), '…', 24)
             FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid
             WHERE articles_fts MATCH ?1 AND articles_fts.rowid = ?2",
        )?;
        let mut hits = Vec::with_capacity(ranked.len());
        for (rowid, score) in ranked {
            let hit = read
                .query_row(params![expression, rowid], |r| {
                    let published: Option<String> = r.get(2)?;
                    Ok(SearchHit {
                        id: r.get(0)?,
                        title: r.get(1)?,
                        published: published.as_deref().and_then(storyline_core::Published::parse),
                        source: r.get(3)?,
                        snippet: r.get(4)?,
                        score,
                    })
                })
                .optional()?;
            hits.extend(hit);
        }
        Ok(hits)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let version: i64 = self.conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let supported = MIGRATIONS.len() as i64;
        if version > supported {
            return Err(StoreError::TooNew {
                path: self.path.display().to_string(),
                found: version,
                supported,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self.write()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Runs SQLite's own consistency check; `Ok("ok")` when the file is sound.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        Ok(self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    /// A page of article summaries newest first, of one source or all.
    fn list_where(
        &self,
        source: Option<&str>,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page, StoreError> {
        let limit = limit.max(1);
        let (sort, after_id) = match cursor {
            Some(c) => decode_cursor(c)?,
            None => ("\u{10FFFF}".to_string(), String::new()),
        };
        // Two statements, so each can walk its own index.
        let mut stmt = self.conn.prepare_cached(match source {
            None => {
                "SELECT id, title, published, source, url, published_sort FROM articles
                 WHERE (published_sort < ?1 OR (published_sort = ?1 AND id < ?2)) AND ?4 IS NULL
                 ORDER BY published_sort DESC, id DESC LIMIT ?3"
            }
            Some(_) => {
                "SELECT id, title, published, source, url, published_sort FROM articles
                 WHERE source = ?4 AND (published_sort < ?1 OR (published_sort = ?1 AND id < ?2))
                 ORDER BY published_sort DESC, id DESC LIMIT ?3"
            }
        })?;
        let after_id = if cursor.is_some() {
            after_id
        } else {
            "\u{10FFFF}".to_string()
        };
        let mut rows = stmt.query(params![sort, after_id, (limit + 1) as i64, source])?;
        let mut articles = Vec::new();
        let mut sort_keys = Vec::new();
        while let Some(r) = rows.next()? {
            let published: Option<String> = r.get(2)?;
            articles.push(ArticleSummary {
                id: r.get(0)?,
                title: r.get(1)?,
                published: published.as_deref().and_then(storyline_core::Published::parse),
                source: r.get(3)?,
                url: r.get(4)?,
            });
            sort_keys.push(r.get::<_, String>(5)?);
        }
        let next_cursor = if articles.len() > limit {
            articles.pop();
            let last = articles.last().expect("limit >= 1");
            Some(encode_cursor(&sort_keys[limit - 1], &last.id))
        } else {
            None
        };
        Ok(Page {
            articles,
            next_cursor,
        })
    }
}

/// The lock files beside the database, one per component: `flock`ed, so
/// a lock goes with the process that held it, and two handles in one
/// process exclude each other as two processes do.
fn lock_file(db: &Path, component: Component) -> PathBuf {
    db.with_file_name(format!("storyline.{}.lock", component.as_str()))
}

impl Store for SqliteStore {
    fn lock(&mut self, component: Component, wait: bool) -> Result<Lock, StoreError> {
        use fs4::fs_std::FileExt;
        if self.locks.iter().any(|(c, _)| *c == component) {
            return Ok(Lock::AlreadyHeld);
        }
        let path = lock_file(&self.path, component);
        let lock_err = |source| StoreError::DataDir {
            path: path.display().to_string(),
            source,
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(lock_err)?;
        if wait {
            file.lock_exclusive().map_err(lock_err)?;
        } else if !file.try_lock_exclusive().map_err(lock_err)? {
            return Ok(Lock::Busy);
        }
        self.locks.push((component, file));
        Ok(Lock::Taken)
    }

    fn unlock(&mut self, component: Component) -> Result<(), StoreError> {
        // Closing a lock file releases its lock.
        self.locks.retain(|(c, _)| *c != component);
        Ok(())
    }

    fn upsert(&mut self, articles: &[Article]) -> Result<Vec<Upsert>, StoreError> {
        let tx = self.write()?;
        let outcomes = upsert_in(&tx, articles)?;
        tx.commit()?;
        Ok(outcomes)
    }

    fn store_fetched(
        &mut self,
        articles: &[Article],
        fetched: &[FetchedUrl],
    ) -> Result<Vec<Upsert>, StoreError> {
        let tx = self.write()?;
        let outcomes = upsert_in(&tx, articles)?;
        watched::record_fetched(&tx, fetched)?;
        tx.commit()?;
        Ok(outcomes)
    }

    fn fetched_before(&self, urls: &[String]) -> Result<HashSet<String>, StoreError> {
        watched::fetched_before(&self.conn, urls)
    }

    fn watch_source(&mut self, source: &WatchedSource) -> Result<bool, StoreError> {
        watched::add(&self.conn, source)
    }

    fn watched_sources(&self) -> Result<Vec<WatchedSource>, StoreError> {
        watched::list(&self.conn)
    }

    fn unwatch_source(&mut self, url_or_name: &str) -> Result<Option<String>, StoreError> {
        watched::remove(&self.conn, url_or_name)
    }

    fn save_fetch_state(&mut self, url: &str, state: &FetchState) -> Result<(), StoreError> {
        watched::save_state(&self.conn, url, state)
    }

    fn robots_files(&self) -> Result<Vec<RobotsFile>, StoreError> {
        watched::robots_files(&self.conn)
    }

    fn save_robots_file(&mut self, file: &RobotsFile) -> Result<(), StoreError> {
        watched::save_robots_file(&self.conn, file)
    }

    fn get(&self, id: &str) -> Result<Option<Article>, StoreError> {
        let doc: Option<String> = self
            .conn
            .query_row("SELECT doc FROM articles WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        doc.map(|d| decode_article(id, &d)).transpose()
    }

    fn get_by_url(&self, url: &str) -> Result<Option<Article>, StoreError> {
        let row: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT id, doc FROM articles WHERE canonical_url = ?1 ORDER BY id LIMIT 1",
                [id::canonical_url(url)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(id, d)| decode_article(&id, &d)).transpose()
    }

    fn count(&self) -> Result<u64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM articles", [], |r| r.get::<_, i64>(0))? as u64)
    }

    fn list(&self, limit: usize, cursor: Option<&str>) -> Result<Page, StoreError> {
        self.list_where(None, limit, cursor)
    }

    fn list_source(&self, source: &str, limit: usize, cursor: Option<&str>) -> Result<Page, StoreError> {
        self.list_where(Some(source), limit, cursor)
    }

    fn sources(&self) -> Result<Vec<SourceSummary>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            // Sort key, then the date as given: the earliest and latest by
            // instant, each read back as it was published.
            "SELECT source, COUNT(*),
                    MIN(CASE WHEN published IS NOT NULL THEN published_sort || '|' || published END),
                    MAX(CASE WHEN published IS NOT NULL THEN published_sort || '|' || published END)
             FROM articles WHERE source IS NOT NULL
             GROUP BY source ORDER BY COUNT(*) DESC, source",
        )?;
        let rows = stmt.query_map([], |r| {
            let day = |i: usize| -> rusqlite::Result<Option<storyline_core::Published>> {
                Ok(r.get::<_, Option<String>>(i)?
                    .as_deref()
                    .and_then(|v| v.split_once('|'))
                    .and_then(|(_, published)| storyline_core::Published::parse(published)))
            };
            Ok(SourceSummary {
                name: r.get(0)?,
                articles: r.get::<_, i64>(1)? as u64,
                first_published: day(2)?,
                last_published: day(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
    fn for_each(&self, f: &mut dyn FnMut(Article)) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare("SELECT id, doc FROM articles ORDER BY id")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let doc: String = r.get(1)?;
            f(decode_article(&id, &doc)?);
        }
        Ok(())
    }

    fn story_members(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut select = self
            .conn
            .prepare("SELECT article_id, story_id FROM story_members ORDER BY placed")?;
        let rows = select.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn story_mates(&self, id: &str) -> Result<Vec<String>, StoreError> {
        let mut select = self.conn.prepare_cached(
            "SELECT article_id FROM story_members WHERE story_id =
                 (SELECT story_id FROM story_members WHERE article_id = ?1)
             ORDER BY placed",
        )?;
        let rows = select.query_map([id], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn save_story_members(
        &mut self,
        members: &[(String, String)],
        events: &[StoryEvent],
        replace_all: bool,
    ) -> Result<(), StoreError> {
        let tx = self.write()?;
        if replace_all {
            tx.execute("DELETE FROM story_members", [])?;
        }
        stories::record_members(&tx, members, events)?;
        stories::mark_unsummarised(&tx)?;
        tx.commit()?;
        Ok(())
    }

    fn save_stories(&mut self, update: &StoriesUpdate) -> Result<(), StoreError> {
        let tx = self.write()?;
        stories::save(&tx, update)?;
        tx.commit()?;
        Ok(())
    }

    fn forget_stories(&mut self) -> Result<(), StoreError> {
        let tx = self.write()?;
        stories::forget(&tx)?;
        tx.commit()?;
        Ok(())
    }

    fn forget_story_summaries(&mut self) -> Result<(), StoreError> {
        let tx = self.write()?;
        tx.execute("DELETE FROM stories", [])?;
        stories::mark_unsummarised(&tx)?;
        tx.commit()?;
        Ok(())
    }

    fn settle_unsummarised(&mut self) -> Result<(), StoreError> {
        // Settled already (the usual case): no write transaction, so a
        // command that only reads never waits for another's writes here.
        if !stories::may_be_unsummarised(&self.conn)? {
            return Ok(());
        }
        let tx = self.write()?;
        stories::settle_unsummarised(&tx)?;
        tx.commit()?;
        Ok(())
    }

    fn kept_story(&self, id: &str) -> Result<Option<KeptStory>, StoreError> {
        stories::kept(&self.conn, id)
    }

    fn kept_story_count(&self) -> Result<u64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM stories", [], |r| r.get::<_, i64>(0))? as u64)
    }

    fn article_summaries(&self, ids: &[String]) -> Result<Vec<ArticleSummary>, StoreError> {
        let mut select = self
            .conn
            .prepare_cached("SELECT id, title, published, source, url FROM articles WHERE id = ?1")?;
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            let row = select
                .query_row([id], |r| {
                    let published: Option<String> = r.get(2)?;
                    Ok(ArticleSummary {
                        id: r.get(0)?,
                        title: r.get(1)?,
                        published: published.as_deref().and_then(storyline_core::Published::parse),
                        source: r.get(3)?,
                        url: r.get(4)?,
                    })
                })
                .optional()?;
            found.extend(row);
        }
        Ok(found)
    }

    fn story_of(&self, id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT story_id FROM story_members WHERE article_id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?)
    }

    fn each_kept_story(&self, f: &mut dyn FnMut(KeptStory) -> bool) -> Result<(), StoreError> {
        stories::each(&self.conn, f)
    }

    fn live_stories(
        &self,
        days: Option<(i32, i32)>,
        placed_since: i64,
    ) -> Result<Vec<(String, Vec<String>)>, StoreError> {
        stories::live(&self.conn, days, placed_since)
    }

    fn arrivals(&self, after: u64, through: u64) -> Result<Vec<Arrival>, StoreError> {
        stories::arrivals(&self.conn, after, through)
    }

    fn last_placed(&self) -> Result<i64, StoreError> {
        stories::last_placed(&self.conn)
    }

    fn unsummarised_stories(&self, limit: usize) -> Result<Vec<(String, Vec<String>)>, StoreError> {
        stories::unsummarised(&self.conn, limit)
    }

    fn search(&self, query: &SearchQuery) -> Result<Vec<SearchHit>, StoreError> {
        let Some(expression) = fts_expression(&query.text)? else {
            return Ok(Vec::new());
        };
        self.deadline.set(query.budget);
        let found = self.run_search(&expression, query);
        self.deadline.set(None);
        match found {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::OperationInterrupted =>
            {
                Err(StoreError::OverBudget {
                    budget: query.budget.unwrap_or_default(),
                })
            }
            other => Ok(other?),
        }
    }

    fn story_events(&self, id: &str) -> Result<Vec<StoryEvent>, StoreError> {
        let mut select = self.conn.prepare_cached(
            "SELECT at, kind, story_id, other_story_id, articles FROM story_events
             WHERE story_id = ?1 OR other_story_id = ?1 ORDER BY seq",
        )?;
        let rows = select.query_map([id], |r| {
            let kind: String = r.get(1)?;
            let kind = StoryEventKind::parse(&kind)
                .ok_or_else(|| rusqlite::Error::InvalidColumnType(1, kind, rusqlite::types::Type::Text))?;
            Ok(StoryEvent {
                at: Some(r.get(0)?),
                kind,
                story: r.get(2)?,
                other: r.get(3)?,
                articles: r.get::<_, i64>(4)? as usize,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn reader(&self) -> Result<Box<dyn Store>, StoreError> {
        let open_err = |source| StoreError::Open {
            path: self.path.display().to_string(),
            source,
        };
        let deadline = Arc::new(Deadline::default());
        let conn = connect(&self.path, &deadline)?;
        conn.pragma_update(None, "query_only", true).map_err(open_err)?;
        Ok(Box::new(SqliteStore {
            conn,
            path: self.path.clone(),
            deadline,
            locks: Vec::new(),
        }))
    }

    fn analysis(&self, id: &str, key: &str) -> Result<Option<String>, StoreError> {
        let mut select = self
            .conn
            .prepare_cached("SELECT json FROM analyses WHERE article_id = ?1 AND key = ?2")?;
        Ok(select.query_row([id, key], |r| r.get(0)).optional()?)
    }

    fn any_analysis(&self, id: &str) -> Result<Option<(String, String)>, StoreError> {
        let mut select = self
            .conn
            .prepare_cached("SELECT key, json FROM analyses WHERE article_id = ?1")?;
        Ok(select
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn changes_after(&self, after: u64) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT COUNT(*) FROM articles WHERE seq > ?1")?
            .query_row([after as i64], |r| r.get(0))?;
        Ok(n as u64)
    }

    fn put_analyses(
        &mut self,
        analyses: &[(String, String, String)],
        through: Option<Progress>,
    ) -> Result<(), StoreError> {
        let tx = self.write()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO analyses (article_id, key, json) VALUES (?1, ?2, ?3)
                 ON CONFLICT (article_id) DO UPDATE SET key = excluded.key, json = excluded.json",
            )?;
            for (id, key, json) in analyses {
                insert.execute([id, key, json])?;
            }
        }
        if let Some(p) = through {
            save_progress_in(&tx, p)?;
        }
        tx.commit()?;
        Ok(())
    }

    fn entity_terms(&self, id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT terms FROM entity_terms WHERE article_id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?)
    }

    fn linked_count(&self) -> Result<u64, StoreError> {
        entities::count(&self.conn)
    }

    fn linker_keys(&self, keys: &[(u8, String)]) -> Result<Vec<(u8, String, String)>, StoreError> {
        entities::keys(&self.conn, keys)
    }

    fn linked_entities(&self, indexes: &[u64]) -> Result<Vec<KeptEntity>, StoreError> {
        entities::by_index(&self.conn, indexes)
    }

    fn linked_entity(&self, id: &str) -> Result<Option<KeptEntity>, StoreError> {
        entities::by_id(&self.conn, id)
    }

    fn linked_entity_page(&self, skip: usize, limit: usize) -> Result<Vec<KeptEntity>, StoreError> {
        entities::page(&self.conn, skip, limit)
    }

    fn entity_articles(
        &self,
        index: u64,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<EntityArticle>, StoreError> {
        entities::articles_of(&self.conn, index, before, limit)
    }

    fn naming_among(&self, index: u64, articles: &[String]) -> Result<HashSet<String>, StoreError> {
        entities::naming_among(&self.conn, index, articles)
    }

    fn article_entities(&self, id: &str) -> Result<Vec<EntityArticle>, StoreError> {
        entities::named_in(&self.conn, id)
    }

    fn save_links(&mut self, update: &LinksUpdate) -> Result<(), StoreError> {
        let tx = self.write()?;
        entities::save(&tx, update)?;
        tx.commit()?;
        Ok(())
    }

    fn forget_links(&mut self) -> Result<(), StoreError> {
        let tx = self.write()?;
        entities::forget(&tx)?;
        tx.execute(
            "DELETE FROM engine_progress WHERE component = ?1",
            [Component::Linking.as_str()],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn forget_analyses(&mut self) -> Result<(), StoreError> {
        let tx = self.write()?;
        tx.execute("DELETE FROM analyses", [])?;
        tx.execute(
            "DELETE FROM engine_progress WHERE component = ?1",
            [Component::Analysis.as_str()],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn last_seq(&self) -> Result<u64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM store_meta WHERE key = 'seq'", [], |r| {
                r.get::<_, i64>(0)
            })? as u64)
    }

    fn changes(&self, after: u64, limit: usize) -> Result<Vec<(u64, Article)>, StoreError> {
        let mut select = self
            .conn
            .prepare_cached("SELECT seq, id, doc FROM articles WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
        let rows = select.query_map(params![after as i64, limit.min(i64::MAX as usize) as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, id, doc) = row?;
            out.push((seq as u64, decode_article(&id, &doc)?));
        }
        Ok(out)
    }

    fn progress(&self, component: Component) -> Result<Progress, StoreError> {
        let found: Option<(i64, String)> = self
            .conn
            .prepare_cached("SELECT seq, fingerprint FROM engine_progress WHERE component = ?1")?
            .query_row([component.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok(match found {
            Some((seq, fingerprint)) => Progress {
                component,
                seq: seq as u64,
                fingerprint,
            },
            None => Progress::start(component),
        })
    }

    fn save_progress(&mut self, progress: Progress) -> Result<(), StoreError> {
        let tx = self.write()?;
        save_progress_in(&tx, progress)?;
        tx.commit()?;
        Ok(())
    }

    fn generation(&self) -> Result<u64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM store_meta WHERE key = 'generation'", [], |r| {
                r.get::<_, i64>(0)
            })? as u64)
    }
}

/// Inserts or updates `articles` inside `tx` (see [`Store::upsert`]).
fn upsert_in(tx: &rusqlite::Transaction<'_>, articles: &[Article]) -> Result<Vec<Upsert>, StoreError> {
    let now = Utc::now();
    let mut outcomes = Vec::with_capacity(articles.len());
    let mut full_text: Vec<(i64, &Article, Upsert)> = Vec::new();
    // Each change takes the next number of the change sequence.
    let mut seq: i64 = tx.query_row("SELECT value FROM store_meta WHERE key = 'seq'", [], |r| r.get(0))?;
    {
        let mut find = tx.prepare_cached("SELECT doc, ingested_at FROM articles WHERE id = ?1")?;
        let mut write = tx.prepare_cached(
            "INSERT INTO articles (id, url, canonical_url, source, title, published, published_sort,
                                   content_hash, ingested_at, updated_at, doc, seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT (id) DO UPDATE SET url = ?2, canonical_url = ?3, source = ?4, title = ?5,
                 published = ?6, published_sort = ?7, content_hash = ?8, updated_at = ?10, doc = ?11,
                 seq = ?12
             RETURNING rowid",
        )?;
        // FTS5 writes its pending terms out at every statement savepoint
        // once the transaction has touched it, and an upsert opens one:
        // interleaved, that made one tiny segment per article, merged
        // again and again. So the full-text rows are written after every
        // article row, one row each, by rowid.
        let mut unindex = tx.prepare_cached("DELETE FROM articles_fts WHERE rowid = ?1")?;
        let mut reindex =
            tx.prepare_cached("INSERT INTO articles_fts (rowid, title, text) VALUES (?1, ?2, ?3)")?;

        for article in articles {
            let existing: Option<(String, String)> = find
                .query_row([&article.id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let (stored, doc, outcome) = crate::upsert_decision(
                article,
                existing.as_ref().map(|(d, at)| (d.as_str(), at.as_str())),
                now,
            );
            if outcome != Upsert::Unchanged {
                let rowid: i64 = write.query_row(
                    params![
                        stored.id,
                        stored.url,
                        stored.url.as_deref().map(id::canonical_url),
                        stored.source,
                        stored.title,
                        stored.published.map(|p| p.to_string()),
                        stored.published.map(|p| p.sort_key()).unwrap_or_default(),
                        stored.content_hash,
                        stored.ingested_at.unwrap_or(now).to_rfc3339(),
                        now.to_rfc3339(),
                        doc,
                        seq + 1,
                    ],
                    |r| r.get(0),
                )?;
                seq += 1;
                full_text.push((rowid, article, outcome));
            }
            outcomes.push(outcome);
        }
        for (rowid, article, outcome) in full_text {
            if outcome == Upsert::Updated {
                unindex.execute([rowid])?;
            }
            reindex.execute(params![rowid, article.title, article.text])?;
        }
    }
    if outcomes.iter().any(|o| *o != Upsert::Unchanged) {
        tx.execute(
            "UPDATE store_meta SET value = value + 1 WHERE key = 'generation'",
            [],
        )?;
        tx.execute("UPDATE store_meta SET value = ?1 WHERE key = 'seq'", [seq])?;
    }
    Ok(outcomes)
}

/// Records `progress` inside `tx`.
pub(crate) fn save_progress_in(tx: &rusqlite::Transaction<'_>, progress: Progress) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO engine_progress (component, seq, fingerprint) VALUES (?1, ?2, ?3)
         ON CONFLICT (component) DO UPDATE SET seq = excluded.seq, fingerprint = excluded.fingerprint",
    )?
    .execute(params![
        progress.component.as_str(),
        progress.seq as i64,
        progress.fingerprint
    ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use storyline_core::{ArticleDraft, Published};

    fn article(id: &str, text: &str, published: Option<&str>) -> Article {
        ArticleDraft {
            id: Some(id.into()),
            title: Some(format!("Title {id}")),
            text: text.into(),
            published: published.and_then(Published::parse),
            url: Some(format!("https://example.com/{id}")),
            ..Default::default()
        }
        .finish()
        .unwrap()
    }

    #[test]
    fn reopening_keeps_articles_and_schema() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut s = SqliteStore::open(dir.path()).unwrap();
            s.upsert(&[article("a", "A.", None)]).unwrap();
        }
        let s = SqliteStore::open(dir.path()).unwrap();
        assert_eq!(s.count().unwrap(), 1);
        assert_eq!(s.integrity_check().unwrap(), "ok");
        let mut seen = Vec::new();
        s.for_each(&mut |a| seen.push(a.id)).unwrap();
        assert_eq!(seen, vec!["a"]);
    }

    #[test]
    fn the_check_for_unsummarised_stories_trusts_its_mark_once_settled() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SqliteStore::open(dir.path()).unwrap();
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        let kept = |id: &str| crate::KeptStory {
            id: id.into(),
            first_day: None,
            last_day: None,
            last_seen: None,
            names: String::new(),
            summary: "{}".into(),
        };
        let lacking = |s: &SqliteStore| s.unsummarised_stories(10).unwrap().len();
        s.save_story_members(&[pair("a", "s1"), pair("b", "s2")], &[], false)
            .unwrap();
        assert_eq!(lacking(&s), 2, "members written without summaries");
        s.settle_unsummarised().unwrap();
        assert_eq!(lacking(&s), 2, "the mark stays while a story lacks its summary");
        s.save_stories(&crate::StoriesUpdate {
            summaries: vec![kept("s1"), kept("s2")],
            ..Default::default()
        })
        .unwrap();
        s.settle_unsummarised().unwrap();
        // A summary lost behind the store's back is not looked for: the
        // settled mark answers without reading the members.
        s.conn
            .execute("DELETE FROM stories WHERE story_id = 's1'", [])
            .unwrap();
        assert_eq!(lacking(&s), 0);
        s.forget_story_summaries().unwrap();
        assert_eq!(lacking(&s), 2, "dropping the summaries marks them missing again");
        // The next placement number is found by the index on it.
        let plan: String = s
            .conn
            .query_row(
                "EXPLAIN QUERY PLAN SELECT COALESCE(MAX(placed), -1) + 1 FROM story_members",
                [],
                |r| r.get(3),
            )
            .unwrap();
        assert!(plan.contains("story_members_by_placed"), "{plan}");
        // Live stories are found by their indexes (not a scan of every
        // story, which SQLite chose for a UNION of the two) and their
        // members read from their index alone.
        let mut explain = s
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {}", crate::stories::LIVE_MEMBERS))
            .unwrap();
        let plan: Vec<String> = explain
            .query_map(params![1, 2, 3], |r| r.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let uses = |what: &str| plan.iter().any(|step| step.contains(what));
        assert!(
            uses("SEARCH m USING COVERING INDEX story_members_by_story"),
            "{plan:?}"
        );
        assert!(uses("SEARCH stories USING INDEX stories_by_last_day"), "{plan:?}");
        assert!(
            uses("SEARCH stories USING INDEX stories_by_last_placed"),
            "{plan:?}"
        );
        assert!(!uses("SCAN"), "{plan:?}");
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = SqliteStore::open(dir.path()).unwrap();
            s.conn.pragma_update(None, "user_version", 99).unwrap();
        }
        assert!(matches!(
            SqliteStore::open(dir.path()),
            Err(StoreError::TooNew { found: 99, .. })
        ));
    }
}
