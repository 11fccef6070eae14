//! The shared store: one PostgreSQL database that several storyline
//! processes, on one machine or many, read and write at once.
//!
//! Owns the connection, the schema's migrations and the [`Store`]
//! semantics on PostgreSQL: the same as [`crate::SqliteStore`]'s (idempotent
//! upserts by id and content, one transaction per call, a gap-free change
//! sequence, story decisions with their history, watched sources), so that
//! every front end and the engine run unchanged on either. It does not own
//! the work queue or deciding which process does what.
//!
//! Writers to the change sequence are serialised by a row lock taken for
//! the length of their transaction (see [`articles`]): numbers are handed
//! out in commit order, so a follower that has read up to N never misses a
//! change numbered below N that commits later. Storing articles is cheap
//! beside analysing them; that lock is the ceiling on how fast articles go
//! in, not on how fast they are analysed.
//!
//! The client is the blocking `postgres` crate: the `Store` trait is
//! synchronous, and async callers (the web server) already call the store
//! from blocking tasks.

mod articles;
mod entities;
mod schema;
mod stories;
mod watched;

use crate::{
    Arrival, ArticleSummary, Component, EntityArticle, FetchState, FetchedUrl, KeptEntity, KeptStory,
    LinksUpdate, Lock, Page, Progress, RobotsFile, SearchHit, SearchQuery, SourceSummary, Store, StoreError,
    StoriesUpdate, StoryEvent, Upsert, WatchedSource,
};
use postgres::{Client, NoTls};
use std::cell::RefCell;
use std::collections::HashSet;
use storyline_core::Article;

/// A store in a PostgreSQL database, named by a `postgres://` URL.
pub struct PgStore {
    /// `&self` reads need the client mutably (it owns the socket); calls
    /// never nest, since no row iterator outlives the call that opened it.
    pub(crate) client: RefCell<Client>,
    url: String,
    read_only: bool,
    /// The component locks ([`Store::lock`]) this connection holds.
    locks: Vec<Component>,
}

/// The advisory lock key of a component's [`Store::lock`]: a session lock,
/// so the server drops it with the connection of a process that died.
fn lock_key(component: Component) -> i64 {
    7_263_500_010 + Component::ALL.iter().position(|c| *c == component).unwrap_or(0) as i64
}

/// Whether `s` names a PostgreSQL database rather than a data directory.
pub fn is_postgres_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

/// `url` with its password replaced, for messages and logs.
pub fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db`)
    /// and migrates it to this version's schema.
    pub fn open(url: &str) -> Result<PgStore, StoreError> {
        let store = PgStore {
            client: RefCell::new(connect(url)?),
            url: url.to_string(),
            read_only: false,
            locks: Vec::new(),
        };
        store.migrate()?;
        Ok(store)
    }

    /// The URL it was opened with, password hidden.
    pub fn url(&self) -> String {
        redacted(&self.url)
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let mut client = self.client.borrow_mut();
        let mut tx = client.transaction()?;
        // One process migrates; the others wait here, then find it done.
        tx.execute("SELECT pg_advisory_xact_lock(7263500001)", &[])?;
        let exists: bool = tx
            .query_one("SELECT to_regclass('store_meta') IS NOT NULL", &[])?
            .get(0);
        let version: i64 = if exists {
            tx.query_opt("SELECT value FROM store_meta WHERE key = 'schema_version'", &[])?
                .map_or(0, |r| r.get(0))
        } else {
            0
        };
        let supported = schema::MIGRATIONS.len() as i64;
        if version > supported {
            return Err(StoreError::TooNew {
                path: redacted(&self.url),
                found: version,
                supported,
            });
        }
        for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.batch_execute(sql)?;
            tx.execute(
                "INSERT INTO store_meta (key, value) VALUES ('schema_version', $1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&((i + 1) as i64)],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn write<T>(
        &self,
        f: impl FnOnce(&mut postgres::Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut client = self.client.borrow_mut();
        let mut tx = client.transaction()?;
        let out = f(&mut tx)?;
        tx.commit()?;
        Ok(out)
    }

    fn read<T>(&self, f: impl FnOnce(&mut Client) -> Result<T, StoreError>) -> Result<T, StoreError> {
        f(&mut self.client.borrow_mut())
    }
}

fn connect(url: &str) -> Result<Client, StoreError> {
    Client::connect(url, NoTls).map_err(|source| StoreError::OpenPostgres {
        url: redacted(url),
        source,
    })
}

impl Store for PgStore {
    fn lock(&mut self, component: Component, wait: bool) -> Result<Lock, StoreError> {
        if self.locks.contains(&component) {
            return Ok(Lock::AlreadyHeld);
        }
        let key = lock_key(component);
        let client = self.client.get_mut();
        let taken = if wait {
            client.execute("SELECT pg_advisory_lock($1)", &[&key])?;
            true
        } else {
            client
                .query_one("SELECT pg_try_advisory_lock($1)", &[&key])?
                .get(0)
        };
        if taken {
            self.locks.push(component);
        }
        Ok(if taken { Lock::Taken } else { Lock::Busy })
    }

    fn unlock(&mut self, component: Component) -> Result<(), StoreError> {
        if self.locks.contains(&component) {
            self.locks.retain(|c| *c != component);
            self.client
                .get_mut()
                .execute("SELECT pg_advisory_unlock($1)", &[&lock_key(component)])?;
        }
        Ok(())
    }

    fn upsert(&mut self, articles: &[Article]) -> Result<Vec<Upsert>, StoreError> {
        self.write(|tx| articles::upsert_in(tx, articles))
    }

    fn store_fetched(
        &mut self,
        articles: &[Article],
        fetched: &[FetchedUrl],
    ) -> Result<Vec<Upsert>, StoreError> {
        self.write(|tx| {
            let outcomes = articles::upsert_in(tx, articles)?;
            watched::record_fetched(tx, fetched)?;
            Ok(outcomes)
        })
    }

    fn fetched_before(&self, urls: &[String]) -> Result<HashSet<String>, StoreError> {
        self.read(|c| watched::fetched_before(c, urls))
    }

    fn watch_source(&mut self, source: &WatchedSource) -> Result<bool, StoreError> {
        self.write(|tx| watched::add(tx, source))
    }

    fn watched_sources(&self) -> Result<Vec<WatchedSource>, StoreError> {
        self.read(watched::list)
    }

    fn unwatch_source(&mut self, url_or_name: &str) -> Result<Option<String>, StoreError> {
        self.write(|tx| watched::remove(tx, url_or_name))
    }

    fn save_fetch_state(&mut self, url: &str, state: &FetchState) -> Result<(), StoreError> {
        self.write(|tx| watched::save_state(tx, url, state))
    }

    fn robots_files(&self) -> Result<Vec<RobotsFile>, StoreError> {
        self.read(watched::robots_files)
    }

    fn save_robots_file(&mut self, file: &RobotsFile) -> Result<(), StoreError> {
        self.write(|tx| watched::save_robots_file(tx, file))
    }

    fn get(&self, id: &str) -> Result<Option<Article>, StoreError> {
        self.read(|c| articles::get(c, id))
    }

    fn get_by_url(&self, url: &str) -> Result<Option<Article>, StoreError> {
        self.read(|c| articles::get_by_url(c, url))
    }

    fn count(&self) -> Result<u64, StoreError> {
        self.read(|c| {
            Ok(c.query_one("SELECT COUNT(*) FROM articles", &[])?
                .get::<_, i64>(0) as u64)
        })
    }

    fn article_summaries(&self, ids: &[String]) -> Result<Vec<ArticleSummary>, StoreError> {
        self.read(|c| articles::summaries(c, ids))
    }

    fn list(&self, limit: usize, cursor: Option<&str>) -> Result<Page, StoreError> {
        self.read(|c| articles::list_where(c, None, limit, cursor))
    }

    fn list_source(&self, source: &str, limit: usize, cursor: Option<&str>) -> Result<Page, StoreError> {
        self.read(|c| articles::list_where(c, Some(source), limit, cursor))
    }

    fn sources(&self) -> Result<Vec<SourceSummary>, StoreError> {
        self.read(articles::sources)
    }

    fn for_each(&self, f: &mut dyn FnMut(Article)) -> Result<(), StoreError> {
        // A batch at a time by id, the client released between batches,
        // so `f` may use this store too.
        let mut after = String::new();
        loop {
            let batch = self.read(|c| articles::batch_after(c, &after, articles::BATCH))?;
            let Some(last) = batch.last() else {
                return Ok(());
            };
            after = last.id.clone();
            let full = batch.len() == articles::BATCH;
            batch.into_iter().for_each(&mut *f);
            if !full {
                return Ok(());
            }
        }
    }

    fn generation(&self) -> Result<u64, StoreError> {
        self.read(|c| articles::meta(c, "generation"))
    }

    fn story_members(&self) -> Result<Vec<(String, String)>, StoreError> {
        self.read(stories::members)
    }

    fn story_mates(&self, id: &str) -> Result<Vec<String>, StoreError> {
        self.read(|c| stories::mates(c, id))
    }

    fn save_story_members(
        &mut self,
        members: &[(String, String)],
        events: &[StoryEvent],
        replace_all: bool,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            if replace_all {
                tx.execute("DELETE FROM story_members", &[])?;
            }
            stories::record_members(tx, members, events)?;
            stories::mark_unsummarised(tx)
        })
    }

    fn story_events(&self, id: &str) -> Result<Vec<StoryEvent>, StoreError> {
        self.read(|c| stories::events(c, id))
    }

    fn save_stories(&mut self, update: &StoriesUpdate) -> Result<(), StoreError> {
        self.write(|tx| stories::save(tx, update))
    }

    fn forget_stories(&mut self) -> Result<(), StoreError> {
        self.write(stories::forget)
    }

    fn forget_story_summaries(&mut self) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute("DELETE FROM stories", &[])?;
            stories::mark_unsummarised(tx)
        })
    }

    fn kept_story(&self, id: &str) -> Result<Option<KeptStory>, StoreError> {
        self.read(|c| stories::kept(c, id))
    }

    fn kept_story_count(&self) -> Result<u64, StoreError> {
        self.read(|c| Ok(c.query_one("SELECT COUNT(*) FROM stories", &[])?.get::<_, i64>(0) as u64))
    }

    fn story_of(&self, id: &str) -> Result<Option<String>, StoreError> {
        self.read(|c| {
            Ok(
                c.query_opt("SELECT story_id FROM story_members WHERE article_id = $1", &[&id])?
                    .map(|r| r.get(0)),
            )
        })
    }

    fn each_kept_story(&self, f: &mut dyn FnMut(KeptStory) -> bool) -> Result<(), StoreError> {
        // A page at a time, the client released between pages (see `for_each`).
        let mut after: Option<(String, String)> = None;
        loop {
            let page = self.read(|c| stories::kept_page(c, after.as_ref(), articles::BATCH))?;
            let full = page.len() == articles::BATCH;
            for story in page {
                after = Some((story.last_seen.clone().unwrap_or_default(), story.id.clone()));
                if !f(story) {
                    return Ok(());
                }
            }
            if !full {
                return Ok(());
            }
        }
    }

    fn live_stories(
        &self,
        days: Option<(i32, i32)>,
        placed_since: i64,
    ) -> Result<Vec<(String, Vec<String>)>, StoreError> {
        self.read(|c| stories::live(c, days, placed_since))
    }

    fn arrivals(&self, after: u64, through: u64) -> Result<Vec<Arrival>, StoreError> {
        self.read(|c| stories::arrivals(c, after, through))
    }

    fn last_placed(&self) -> Result<i64, StoreError> {
        self.read(stories::last_placed)
    }

    fn unsummarised_stories(&self, limit: usize) -> Result<Vec<(String, Vec<String>)>, StoreError> {
        self.read(|c| stories::unsummarised(c, limit))
    }

    fn settle_unsummarised(&mut self) -> Result<(), StoreError> {
        if !self.read(stories::may_be_unsummarised)? {
            return Ok(());
        }
        self.write(stories::settle_unsummarised)
    }

    fn search(&self, query: &SearchQuery) -> Result<Vec<SearchHit>, StoreError> {
        self.read(|c| articles::search(c, query))
    }

    fn reader(&self) -> Result<Box<dyn Store>, StoreError> {
        let mut client = connect(&self.url)?;
        client.batch_execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")?;
        Ok(Box::new(PgStore {
            client: RefCell::new(client),
            url: self.url.clone(),
            read_only: true,
            locks: Vec::new(),
        }))
    }

    fn analysis(&self, id: &str, key: &str) -> Result<Option<String>, StoreError> {
        self.read(|c| {
            Ok(c.query_opt(
                "SELECT json FROM analyses WHERE article_id = $1 AND key = $2",
                &[&id, &key],
            )?
            .map(|r| r.get(0)))
        })
    }

    fn any_analysis(&self, id: &str) -> Result<Option<(String, String)>, StoreError> {
        self.read(|c| {
            Ok(
                c.query_opt("SELECT key, json FROM analyses WHERE article_id = $1", &[&id])?
                    .map(|r| (r.get(0), r.get(1))),
            )
        })
    }

    fn put_analyses(
        &mut self,
        analyses: &[(String, String, String)],
        through: Option<Progress>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let insert = tx.prepare(
                "INSERT INTO analyses (article_id, key, json) VALUES ($1, $2, $3)
                 ON CONFLICT (article_id) DO UPDATE SET key = excluded.key, json = excluded.json",
            )?;
            for (id, key, json) in analyses {
                tx.execute(&insert, &[id, key, json])?;
            }
            if let Some(p) = through {
                articles::save_progress_in(tx, &p)?;
            }
            Ok(())
        })
    }

    fn entity_terms(&self, id: &str) -> Result<Option<String>, StoreError> {
        self.read(|c| {
            Ok(
                c.query_opt("SELECT terms FROM entity_terms WHERE article_id = $1", &[&id])?
                    .map(|r| r.get(0)),
            )
        })
    }

    fn linked_count(&self) -> Result<u64, StoreError> {
        self.read(entities::count)
    }

    fn linker_keys(&self, keys: &[(u8, String)]) -> Result<Vec<(u8, String, String)>, StoreError> {
        self.read(|c| entities::keys(c, keys))
    }

    fn linked_entities(&self, indexes: &[u64]) -> Result<Vec<KeptEntity>, StoreError> {
        self.read(|c| entities::by_index(c, indexes))
    }

    fn linked_entity(&self, id: &str) -> Result<Option<KeptEntity>, StoreError> {
        self.read(|c| entities::by_id(c, id))
    }

    fn linked_entity_page(&self, skip: usize, limit: usize) -> Result<Vec<KeptEntity>, StoreError> {
        self.read(|c| entities::page(c, skip, limit))
    }

    fn entity_articles(
        &self,
        index: u64,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<EntityArticle>, StoreError> {
        self.read(|c| entities::articles_of(c, index, before, limit))
    }

    fn naming_among(&self, index: u64, articles: &[String]) -> Result<HashSet<String>, StoreError> {
        self.read(|c| entities::naming_among(c, index, articles))
    }

    fn article_entities(&self, id: &str) -> Result<Vec<EntityArticle>, StoreError> {
        self.read(|c| entities::named_in(c, id))
    }

    fn save_links(&mut self, update: &LinksUpdate) -> Result<(), StoreError> {
        self.write(|tx| entities::save(tx, update))
    }

    fn forget_links(&mut self) -> Result<(), StoreError> {
        self.write(|tx| {
            entities::forget(tx)?;
            tx.execute(
                "DELETE FROM engine_progress WHERE component = $1",
                &[&Component::Linking.as_str()],
            )?;
            Ok(())
        })
    }

    fn forget_analyses(&mut self) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.batch_execute("DELETE FROM analyses")?;
            tx.execute(
                "DELETE FROM engine_progress WHERE component = $1",
                &[&Component::Analysis.as_str()],
            )?;
            Ok(())
        })
    }

    fn last_seq(&self) -> Result<u64, StoreError> {
        self.read(|c| articles::meta(c, "seq"))
    }

    fn changes(&self, after: u64, limit: usize) -> Result<Vec<(u64, Article)>, StoreError> {
        self.read(|c| articles::changes(c, after, limit))
    }

    fn changes_after(&self, after: u64) -> Result<u64, StoreError> {
        self.read(|c| {
            Ok(
                c.query_one("SELECT COUNT(*) FROM articles WHERE seq > $1", &[&(after as i64)])?
                    .get::<_, i64>(0) as u64,
            )
        })
    }

    fn progress(&self, component: Component) -> Result<Progress, StoreError> {
        self.read(|c| articles::progress(c, component))
    }

    fn save_progress(&mut self, progress: Progress) -> Result<(), StoreError> {
        self.write(|tx| articles::save_progress_in(tx, &progress))
    }
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("url", &redacted(&self.url))
            .field("read_only", &self.read_only)
            .finish()
    }
}
