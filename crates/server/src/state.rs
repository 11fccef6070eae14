//! Shared server state: the store, and what is derived from it (the
//! entities linked across articles, the Similar Posts index that uses them,
//! and the stories).
//!
//! Derived data is rebuilt when the store's generation moves on (an ingest
//! from another process, or a later write endpoint), so pages reflect what
//! is stored without the server watching files; while a rebuild runs, the
//! data built before is served, so no reader waits for it. Rebuilding
//! places any article not yet in a story and stores that decision, as
//! `ingest` does. How derived data is made is the engine's
//! (`storyline-engine`); this module decides when, and which connection
//! each step holds.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use storyline_core::{Article, Limits};
use storyline_engine::book::{self, EntitySummary, EntityView};
use storyline_engine::{Engine, EngineError, Served};
use storyline_extract::events::SharedEvent;
use storyline_extract::linking::Catalog;
use storyline_extract::Analysis;
use storyline_relate::{Filter, SimilarPosts};
use storyline_store::{Store, StoreError};
use storyline_stories::Story;

/// What derived data is built for: the store's generation and the
/// background catch-up's epoch.
type Version = (u64, u64);

/// Changed articles the background catch-up analyses per step.
const CATCH_UP_STEP: usize = 256;

/// How long the background catch-up waits before looking for work again
/// when it found none.
const CATCH_UP_IDLE: Duration = Duration::from_millis(500);

/// The engine's errors as the server's handlers report them.
fn store_error(e: EngineError) -> StoreError {
    match e {
        EngineError::Store(e) => e,
    }
}

/// How long derived data is used without asking the store whether it
/// changed: what another process (an `ingest` beside the server) stores
/// shows within this time.
const GENERATION_CHECK_INTERVAL: Duration = Duration::from_secs(1);

/// Articles stored since linking last caught up that a store change
/// analyses before linking them, at most (more come from a bulk ingest
/// beside the server, which analyses its own).
const PENDING_ANALYSED: usize = 4096;

/// What the server keeps per store generation besides what the store
/// and the engine's on-disk index hold.
pub struct Derived {
    /// How long the newest article waited, from its ingest until this was
    /// ready (0 when it was stored before the server started).
    pub ingest_lag_seconds: f64,
}

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    /// The connection that writes (and builds derived data).
    store: Mutex<Box<dyn Store>>,
    /// Read-only connections, one per core, so page views do not queue
    /// behind each other (empty when the store cannot open more; reads
    /// then use `store`).
    readers: Vec<Mutex<Box<dyn Store>>>,
    /// Which reader the next read tries first.
    next_reader: std::sync::atomic::AtomicUsize,
    started: chrono::DateTime<chrono::Utc>,
    /// The owner of derived data (and of the tagger, when a model was loaded).
    engine: Engine,
    /// The derived data and the version of the store it was built for.
    derived: RwLock<Option<(Version, Arc<Derived>)>>,
    /// Moved on by the background catch-up when it has kept new analyses
    /// for articles that were served older ones: derived data built
    /// before is then stale.
    analysis_epoch: AtomicU64,
    /// Articles waiting for their analysis, as the catch-up last counted.
    backlog: AtomicU64,
    /// Whether a rebuild of `derived` is under way on its own thread.
    rebuilding: std::sync::atomic::AtomicBool,
    /// Held by the build under way, so that two never run at once.
    building: Mutex<()>,
    /// When the derived data was last found current. Within
    /// `GENERATION_CHECK_INTERVAL` of that, requests use it without asking
    /// the store; the server's own writes clear it.
    checked: Mutex<Option<Instant>>,
    metrics: crate::metrics::Metrics,
    access: Access,
    /// The gate searches pass (see `throttle`).
    throttle: crate::throttle::Throttle,
    /// The bounds written articles are held to.
    limits: Limits,
}

/// Who may do what beyond reading pages.
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// The bearer token write endpoints need; `None` (or empty) turns them off.
    pub api_token: Option<String>,
    /// Origins whose pages may call the API from a browser ("*": any).
    pub cors_origins: Vec<String>,
    /// Searches one client address may run at once (0: no limit; `None`:
    /// the default, `throttle::PER_CLIENT`).
    pub searches_per_client: Option<usize>,
    /// Reads worked on at once per core before more wait and are shed
    /// (`None`: the default, `throttle::IN_FLIGHT_PER_CORE`).
    pub in_flight_per_core: Option<usize>,
}

impl Inner {
    /// The version derived data must be built for to be current.
    fn version(&self) -> Result<Version, StoreError> {
        let generation = self.read(|store| store.generation())?;
        Ok((generation, self.analysis_epoch.load(Ordering::Acquire)))
    }

    /// One step of the background catch-up: the next changed articles read
    /// beside the writer, analysed on no lock, kept with the writer held
    /// only for the write. `None` when there was nothing to do, else
    /// whether it replaced analyses pages may serve (an older analyser's;
    /// a new article's analysis is made by the build that first serves it).
    fn catch_up_step(&self) -> Result<Option<bool>, StoreError> {
        let pending = self.read(|store| self.engine.pending(store, CATCH_UP_STEP).map_err(store_error))?;
        let Some(pending) = pending else {
            self.backlog.store(0, Ordering::Relaxed);
            return Ok(None);
        };
        let replaced = pending.replaces_older();
        let analysed = self.engine.analyse(pending);
        {
            let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
            self.engine
                .commit(store.as_mut(), analysed)
                .map_err(store_error)?;
        }
        let backlog = self.read(|store| self.engine.backlog(store).map_err(store_error))?;
        self.backlog.store(backlog, Ordering::Relaxed);
        Ok(Some(replaced))
    }

    /// The analysis to show for `article`: the one served, else (never
    /// analysed: stored a moment ago) computed now, outside the writer
    /// lock, and kept.
    fn served_or_analysed(&self, article: &Article, served: Served) -> Result<Analysis, StoreError> {
        match served {
            Served::Current(a) | Served::Older(a) => Ok(a),
            Served::Missing => Ok(self
                .analyse_and_keep(std::slice::from_ref(article))?
                .pop()
                .expect("one analysis per article")),
        }
    }

    /// Analyses `articles` outside the writer lock, then keeps the results
    /// with the writer held only for the write.
    fn analyse_and_keep(&self, articles: &[Article]) -> Result<Vec<Analysis>, StoreError> {
        let fresh = self.engine.compute(articles);
        let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        self.engine
            .keep(store.as_mut(), articles, &fresh)
            .map_err(store_error)?;
        Ok(fresh)
    }

    /// Runs `f` on a free reader (waiting for one when all are busy), or
    /// on the writing connection when there are none.
    fn read<T>(&self, f: impl FnOnce(&dyn Store) -> Result<T, StoreError>) -> Result<T, StoreError> {
        if self.readers.is_empty() {
            let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
            return f(store.as_ref());
        }
        let first = self
            .next_reader
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let n = self.readers.len();
        let free = (0..n).find_map(|i| self.readers[(first + i) % n].try_lock().ok());
        let reader = match free {
            Some(guard) => guard,
            None => self.readers[first % n].lock().unwrap_or_else(|p| p.into_inner()),
        };
        f(reader.as_ref())
    }
}

/// Builds the derived data for the store's current generation and makes
/// it current; a build that finds it already current returns that. The
/// writing connection is held only where the build writes (analyses kept,
/// story decisions); reading the articles and indexing them leave it free
/// for writes.
fn build_derived(inner: &Inner) -> Result<Arc<Derived>, StoreError> {
    let _one_build = inner.building.lock().unwrap_or_else(|p| p.into_inner());
    let generation = inner.version()?;
    let now = Instant::now();
    if let Some((g, d)) = inner.derived.read().unwrap_or_else(|p| p.into_inner()).as_ref() {
        if *g == generation {
            *inner.checked.lock().unwrap_or_else(|p| p.into_inner()) = Some(now);
            return Ok(d.clone());
        }
    }
    // Articles stored since linking last caught up that were never
    // analysed (stored through this server a moment ago) are analysed
    // here, outside the writer, so that they are linked with their
    // entities; an older analyser's analysis is served until the
    // background catch-up replaces it.
    let engine = &inner.engine;
    let missing = inner.read(|store| {
        let mut missing = Vec::new();
        for a in engine
            .pending_links(store, PENDING_ANALYSED)
            .map_err(store_error)?
        {
            if matches!(
                engine.serving_analysis(store, &a).map_err(store_error)?,
                Served::Missing
            ) {
                missing.push(a);
            }
        }
        Ok(missing)
    })?;
    if !missing.is_empty() {
        inner.analyse_and_keep(&missing)?;
    }
    // What is new is linked, written to the on-disk index and placed in
    // stories, each step kept in the store: work for the new articles
    // only, on the writing connection. What it applies is listed with
    // the writer held, so a write that lands after the list above (and
    // is applied by this build) still counts in this build's lag.
    let newest_ingest = {
        let mut store = inner.store.lock().unwrap_or_else(|p| p.into_inner());
        let applied = engine
            .pending_links(store.as_ref(), PENDING_ANALYSED)
            .map_err(store_error)?;
        engine
            .keep_derived(store.as_mut(), &mut |_| {})
            .map_err(store_error)?;
        applied.iter().filter_map(|a| a.ingested_at).max()
    };
    let ready = chrono::Utc::now();
    // A build that applied nothing new (an earlier build applied it)
    // keeps the lag that build measured.
    let earlier_lag = || {
        inner
            .derived
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map_or(0.0, |(_, d)| d.ingest_lag_seconds)
    };
    let ingest_lag_seconds = match newest_ingest {
        None => earlier_lag(),
        Some(at) if at > inner.started => (ready - at).num_milliseconds().max(0) as f64 / 1000.0,
        Some(_) => 0.0,
    };
    let d = Arc::new(Derived { ingest_lag_seconds });
    *inner.derived.write().unwrap_or_else(|p| p.into_inner()) = Some((generation, d.clone()));
    *inner.checked.lock().unwrap_or_else(|p| p.into_inner()) = Some(now);
    Ok(d)
}

impl AppState {
    /// The state over `store`, with `engine` owning derived data (its
    /// tagger adds entities to article pages and JSON; its on-disk index
    /// answers Similar Posts), writes and browser access as `access` says,
    /// and what is written and analysed held to `limits`.
    pub fn with_access(store: Box<dyn Store>, engine: Engine, access: Access, limits: Limits) -> AppState {
        let access = Access {
            api_token: access.api_token.filter(|t| !t.is_empty()),
            cors_origins: access
                .cors_origins
                .iter()
                .map(|o| o.trim().trim_end_matches('/').to_string())
                .filter(|o| !o.is_empty())
                .collect(),
            searches_per_client: access.searches_per_client,
            in_flight_per_core: access.in_flight_per_core,
        };
        let per_client = access.searches_per_client.unwrap_or(crate::throttle::PER_CLIENT);
        let in_flight = access
            .in_flight_per_core
            .unwrap_or(crate::throttle::IN_FLIGHT_PER_CORE);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        // Twice the cores: searches may hold at most one per core (see
        // `throttle`), and the rest stay free for pages and the API.
        let readers = (0..2 * cores)
            .map_while(|_| store.reader().ok())
            .map(Mutex::new)
            .collect();
        let state = AppState {
            inner: Arc::new(Inner {
                readers,
                next_reader: Default::default(),
                started: chrono::Utc::now(),
                store: Mutex::new(store),
                engine,
                limits,
                derived: RwLock::new(None),
                analysis_epoch: AtomicU64::new(0),
                backlog: AtomicU64::new(0),
                rebuilding: Default::default(),
                building: Mutex::new(()),
                checked: Mutex::new(None),
                metrics: crate::metrics::Metrics::new(),
                access,
                throttle: crate::throttle::Throttle::new(cores, in_flight, per_client),
            }),
        };
        state.start_catch_up();
        state
    }

    /// Starts the background catch-up: it analyses what the store holds
    /// without a current analysis (articles written through the API or by
    /// a watch, or every article after the analysis code or model changed)
    /// while pages serve what was kept; it waits for the first build of
    /// derived data, so a start is not slowed by it. Derived data is marked stale when a
    /// pass ends, and at most every `STALE_EVERY` while a long one runs, so
    /// a re-analysis of the whole store does not rebuild per step. It ends
    /// when the state is dropped.
    fn start_catch_up(&self) {
        const STALE_EVERY: Duration = Duration::from_secs(60);
        let weak = Arc::downgrade(&self.inner);
        let spawned = std::thread::Builder::new()
            .name("catch-up".into())
            .spawn(move || {
                // Re-analysis takes the cores readers leave idle.
                storyline_core::parallel::lower_priority();
                let mut dirty = false;
                let mut marked = Instant::now();
                loop {
                    let Some(inner) = weak.upgrade() else {
                        return;
                    };
                    // Pages first: the catch-up starts once derived data
                    // was built (from what was kept) and pages are served.
                    if inner.derived.read().unwrap_or_else(|p| p.into_inner()).is_none() {
                        drop(inner);
                        std::thread::sleep(CATCH_UP_IDLE);
                        continue;
                    }
                    let step = inner.catch_up_step();
                    let idle = match step {
                        Ok(Some(replaced)) => {
                            dirty |= replaced;
                            false
                        }
                        Ok(None) => true,
                        Err(e) => {
                            tracing::error!(error = %e, "the background analysis failed; trying again");
                            true
                        }
                    };
                    if dirty && (idle || marked.elapsed() >= STALE_EVERY) {
                        inner.analysis_epoch.fetch_add(1, Ordering::AcqRel);
                        dirty = false;
                        marked = Instant::now();
                    }
                    drop(inner);
                    if idle {
                        std::thread::sleep(CATCH_UP_IDLE);
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "the background analysis could not start");
        }
    }

    /// Articles waiting for their analysis (by the background catch-up).
    pub fn analysis_backlog(&self) -> u64 {
        self.inner.backlog.load(Ordering::Relaxed)
    }

    /// Whether a page from `origin` may call the API.
    pub fn cors_allows(&self, origin: &str) -> bool {
        self.inner
            .access
            .cors_origins
            .iter()
            .any(|o| o == "*" || o == origin)
    }

    /// The owner of derived data.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The bounds written articles and request bodies are held to.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// The token write endpoints need, when writes are on.
    pub fn api_token(&self) -> Option<&str> {
        self.inner.access.api_token.as_deref()
    }

    /// Runs `f` with the store, writable, on a blocking thread.
    pub async fn with_store_mut<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut dyn Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut store = inner.store.lock().unwrap_or_else(|p| p.into_inner());
            *inner.checked.lock().unwrap_or_else(|p| p.into_inner()) = None;
            f(store.as_mut())
        })
        .await
        .expect("store task panicked")
    }

    /// The gate searches pass.
    pub fn throttle(&self) -> &crate::throttle::Throttle {
        &self.inner.throttle
    }

    /// The request and store metrics served at `/metrics`.
    pub fn metrics(&self) -> &crate::metrics::Metrics {
        &self.inner.metrics
    }

    /// Article `id` with what is extracted from it (entities, quotes,
    /// statements and events need the tagger; times do not), in one trip
    /// to the store. The extraction is kept once computed (see `analyses`).
    /// Links that are not web links are dropped (`storyline_core::link`),
    /// so no page or API answer built from it carries one.
    pub async fn article(&self, id: String) -> Result<Option<(Article, Analysis)>, StoreError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let (article, kept) = inner.read(|store| {
                let Some(article) = store.get(&id)? else {
                    return Ok((None, None));
                };
                let served = inner
                    .engine
                    .serving_analysis(store, &article)
                    .map_err(store_error)?;
                Ok((Some(article), Some(served)))
            })?;
            let (Some(mut article), Some(served)) = (article, kept) else {
                return Ok(None);
            };
            article.drop_unsafe_links();
            let analysis = inner.served_or_analysed(&article, served)?;
            Ok(Some((article, analysis)))
        })
        .await
        .expect("article task panicked")
    }

    /// Runs `f` with the store on a blocking thread (SQLite calls block).
    pub async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || inner.read(f))
            .await
            .expect("store task panicked")
    }

    /// The index and stories to serve now. When the store has moved on,
    /// a rebuild starts on its own thread and the data built before is
    /// served until it is done, so readers never wait for a write's
    /// rebuild; only the very first build is waited for.
    pub async fn derived(&self) -> Result<Arc<Derived>, StoreError> {
        if let Some(d) = self.recently_checked() {
            return Ok(d);
        }
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            // Asked of a reader, so that the check never waits behind a write.
            let generation = inner.version()?;
            let now = Instant::now();
            let current = inner.derived.read().unwrap_or_else(|p| p.into_inner()).clone();
            match current {
                Some((g, d)) if g == generation => {
                    *inner.checked.lock().unwrap_or_else(|p| p.into_inner()) = Some(now);
                    Ok(d)
                }
                Some((_, d)) => {
                    // Stale: rebuild behind the readers' backs.
                    *inner.checked.lock().unwrap_or_else(|p| p.into_inner()) = Some(now);
                    if !inner.rebuilding.swap(true, std::sync::atomic::Ordering::AcqRel) {
                        let builder = inner.clone();
                        std::thread::spawn(move || {
                            /// Clears the flag however the build ends, a panic included.
                            struct Done<'a>(&'a std::sync::atomic::AtomicBool);
                            impl Drop for Done<'_> {
                                fn drop(&mut self) {
                                    self.0.store(false, std::sync::atomic::Ordering::Release);
                                }
                            }
                            let _done = Done(&builder.rebuilding);
                            // Readers keep the cores while it catches up.
                            storyline_core::parallel::lower_priority();
                            if let Err(e) = build_derived(&builder) {
                                tracing::error!(error = %e, "rebuilding the derived data failed");
                            }
                        });
                    }
                    Ok(d)
                }
                None => build_derived(&inner),
            }
        })
        .await
        .expect("index task panicked")
    }

    /// Whether pages can be served without first building the derived data:
    /// it was built at least once (later rebuilds serve it meanwhile).
    pub fn ready(&self) -> bool {
        self.inner
            .derived
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    /// The derived data, when it was found current a moment ago.
    fn recently_checked(&self) -> Option<Arc<Derived>> {
        let checked = *self.inner.checked.lock().unwrap_or_else(|p| p.into_inner());
        if checked.is_none_or(|at| at.elapsed() >= GENERATION_CHECK_INTERVAL) {
            return None;
        }
        let derived = self.inner.derived.read().unwrap_or_else(|p| p.into_inner());
        derived.as_ref().map(|(_, d)| d.clone())
    }

    /// The entities of every article linked across articles, for the
    /// store's current generation (empty without a tagger).
    /// The kept summary of story `id`, once derived data has caught up
    /// with the store (placing keeps summaries as stories change).
    pub async fn story(&self, id: String) -> Result<Option<Story>, StoreError> {
        self.ask_engine(move |engine, store| engine.kept_story(store, &id))
            .await
    }
    /// Kept stories, most recently active first: those active at or after
    /// `since` (a publication sort key), `limit` after skipping `skip`;
    /// and whether more follow.
    pub async fn stories(
        &self,
        since: Option<String>,
        skip: usize,
        limit: usize,
    ) -> Result<(Vec<Story>, bool), StoreError> {
        self.ask_engine(move |engine, store| {
            engine.kept_stories(store, since.as_deref(), (skip, limit), &|_| true)
        })
        .await
    }

    /// Similar Posts of article `id` from the on-disk index (its story's
    /// articles first), once derived data has caught up with the store;
    /// `None` when the index does not hold it.
    pub async fn similar(
        &self,
        id: String,
        k: usize,
        filter: Filter,
    ) -> Result<Option<SimilarPosts>, StoreError> {
        self.ask_engine(move |engine, store| engine.similar_served(store, &id, k, &filter))
            .await
    }

    /// What `read` asks the engine, on a reader, once derived data has
    /// caught up with the store.
    async fn ask_engine<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Engine, &dyn Store) -> Result<T, EngineError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.derived().await?;
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            inner.read(|store| read(&inner.engine, store).map_err(store_error))
        })
        .await
        .expect("store task panicked")
    }

    /// The near-duplicate group of article `id`: the article it is a copy
    /// of (itself when it leads) and the group's other articles.
    pub async fn copies(&self, id: String) -> Result<Option<(String, Vec<String>)>, StoreError> {
        self.ask_engine(move |engine, _| engine.copies_served(&id)).await
    }

    /// The story article `id` is in.
    pub async fn story_of(&self, id: String) -> Result<Option<String>, StoreError> {
        self.derived().await?;
        self.with_store(move |s| s.story_of(&id)).await
    }

    /// What `articles` name, linked across articles: a catalogue holding
    /// only them (empty without a tagger).
    pub async fn entities_of(&self, articles: Vec<String>) -> Result<Catalog, StoreError> {
        self.ask_engine(move |_, store| book::of_articles(store, &articles))
            .await
    }

    /// A page of entity `id`: at most `limit` of the articles naming it,
    /// newest first from `before`, and what the newest of those name;
    /// `None` when there is no such entity.
    pub async fn entity(
        &self,
        id: String,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Option<EntityView>, StoreError> {
        self.ask_engine(move |_, store| book::around_entity(store, &id, before, limit))
            .await
    }

    /// Entities, most widely named first, from `skip`, at most `limit`.
    pub async fn entity_page(&self, skip: usize, limit: usize) -> Result<Vec<EntitySummary>, StoreError> {
        self.ask_engine(move |_, store| book::entity_page(store, skip, limit))
            .await
    }

    /// The name of entity `id` and the newest `limit` articles naming it;
    /// `None` when there is no such entity.
    pub async fn articles_naming(
        &self,
        id: String,
        limit: usize,
    ) -> Result<Option<(String, Vec<String>)>, StoreError> {
        self.ask_engine(move |_, store| book::articles_naming(store, &id, limit))
            .await
    }

    /// Those of `articles` that name entity `id`.
    pub async fn naming_among(
        &self,
        id: String,
        articles: Vec<String>,
    ) -> Result<HashSet<String>, StoreError> {
        self.ask_engine(move |_, store| book::naming_among(store, &id, &articles))
            .await
    }

    /// The events reported by `article_ids` (a story's articles), each
    /// event once with all its reports (empty without a tagger).
    pub async fn shared_events(&self, article_ids: Vec<String>) -> Result<Vec<SharedEvent>, StoreError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            if inner.engine.tagger().is_none() {
                return Ok(Vec::new());
            }
            // Read beside the writer; only an analysis missing from the
            // store (an article stored a moment ago) needs the writer.
            let found = inner.read(|store| {
                let mut found = Vec::new();
                for id in &article_ids {
                    if let Some(article) = store.get(id)? {
                        let served = inner
                            .engine
                            .serving_analysis(store, &article)
                            .map_err(store_error)?;
                        found.push((article, served));
                    }
                }
                Ok(found)
            })?;
            let mut articles = Vec::with_capacity(found.len());
            let mut analyses = Vec::with_capacity(found.len());
            for (article, served) in found {
                let analysis = inner.served_or_analysed(&article, served)?;
                articles.push(article);
                analyses.push(analysis);
            }
            Ok(inner.engine.shared_events(&articles, &analyses))
        })
        .await
        .expect("event task panicked")
    }
}
