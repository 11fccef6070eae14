//! The one owner of storyline's derived data: each article's analysis, the
//! entity catalogue linked across articles, the Similar Posts index, the
//! near-duplicate groups and the stories.
//!
//! Every front end (the CLI commands, the server, `watch`) asks the engine
//! and none analyses an article or builds an index itself, so they agree
//! with each other and work is done once. Analysis happens when an article
//! arrives: [`Engine::catch_up`] follows the store's change sequence from
//! where the analysis component stopped, analyses what changed and keeps
//! each analysis with the sequence number it reached, in one transaction,
//! so a crash at any point resumes where it stopped and applies nothing
//! twice. Reading derived data ([`Engine::build`]) then runs no tagger on
//! an article already analysed; the counters say how often one ran.
//!
//! The rest of the write path ([`Engine::keep_up`]) follows the same
//! sequence, each step with its own progress: `links` links each changed
//! article's entities and keeps them with the linker's state as rows;
//! the Similar Posts index on disk (`storyline_relate::disk`, in the
//! folder [`Engine::with_index`] names) gets its document; `placing`
//! places it in a story and keeps the story's summary. Readers read what
//! was kept: [`Engine::similar_on_disk`] a fresh `similar ID` in
//! milliseconds, `book` entity and story pages, [`Engine::kept_stories`]
//! story lists. Only `reindex` ([`Engine::build`]) and `similar --all`
//! ([`Engine::related`]) hold a whole-store index in memory. The on-disk
//! index is an accelerator: when it is missing, behind the store, locked
//! by another writer or damaged, readers build as before and nothing
//! fails.
//!
//! Not owned here: keeping articles (`storyline-store`), how an article is
//! analysed (`storyline-extract`), how articles are ranked
//! (`storyline-relate`) and clustered (`storyline-stories`).

mod analyses;
mod answers;
pub mod book;
#[cfg(test)]
mod fixtures;
mod links;
mod placing;

pub use analyses::Analyser;
pub use placing::Placed;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use storyline_core::{Article, EntityTerm, Limits};
use storyline_extract::events::{shared_events, Event, SharedEvent};
use storyline_extract::ner::Tagger;
use storyline_extract::Analysis;
use storyline_relate::disk::{DiskError, DiskIndex, DiskWriter};
use storyline_relate::{ArticleIndex, Filter, IndexOptions, SimilarPosts};
use storyline_store::{Component, KeptStory, Lock, Progress, Store, StoreError};
use storyline_stories::{ClusterOptions, Stories, Story};

/// Changed articles read from the store per step of a catch-up.
const CATCH_UP_BATCH: usize = 1024;

/// Steps read and waiting for the analysing thread beside the one it
/// analyses (so up to one more ahead of the steps kept and linked):
/// enough that analysing never waits for a step to be read, few enough
/// that what a crash throws away is small.
const ANALYSED_AHEAD: usize = 2;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What keeping or reading the on-disk index can meet.
#[derive(Debug, thiserror::Error)]
enum IndexSync {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Disk(#[from] DiskError),
}

/// The whole store's Similar Posts index in memory and its stories.
pub struct Derived {
    pub index: ArticleIndex,
    pub stories: Stories,
}

/// How far a catch-up got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CatchUp {
    /// Changed articles looked at.
    pub seen: u64,
    /// Of those, the ones analysed now (the others had a current analysis).
    pub analysed: u64,
    /// Where it began: the change sequence was applied up to here.
    pub from: u64,
    /// The change sequence is applied up to here.
    pub through: u64,
    /// The store's last change when the catch-up began.
    pub last: u64,
}

/// An analysis as pages may serve it.
pub enum Served {
    /// Computed by this engine's analyser.
    Current(Analysis),
    /// Kept from an older analyser (other code or model); the background
    /// catch-up will replace it.
    Older(Analysis),
    /// Not analysed yet.
    Missing,
}

/// The changed articles of one catch-up step, read and not yet analysed.
pub struct Pending {
    /// Changed articles read.
    seen: u64,
    progress: Progress,
    todo: Vec<(Article, String)>,
    /// How many of `todo` have an analysis by an older analyser.
    older: usize,
}

impl Pending {
    /// Whether any of its articles needs analysing (else only the progress moves).
    pub fn needs_work(&self) -> bool {
        !self.todo.is_empty()
    }

    /// Whether it replaces analyses pages may be serving (made by an
    /// older analyser), rather than only analysing new articles.
    pub fn replaces_older(&self) -> bool {
        self.older > 0
    }
}

/// One catch-up step analysed, not yet kept.
pub struct Analysed {
    /// How many articles were analysed.
    count: usize,
    rows: Vec<(String, String, String)>,
    /// The analyses by their keys, for a linker that links them next
    /// (rather than reading back what it was just given to keep).
    fresh: Vec<(String, Analysis)>,
    progress: Progress,
}

/// How much work the engine has done in this process: what tests and
/// `/metrics` assert on (a read path must not analyse, a fetched article
/// must not rebuild the index).
#[derive(Debug, Default)]
pub struct Counters {
    analysed: AtomicU64,
    builds: AtomicU64,
    foresights: AtomicU64,
}

impl Counters {
    /// Articles analysed (the tagger run over them).
    pub fn analysed(&self) -> u64 {
        self.analysed.load(Ordering::Relaxed)
    }

    /// Times the Similar Posts index was built (with the catalogue before
    /// it and the stories after).
    pub fn builds(&self) -> u64 {
        self.builds.load(Ordering::Relaxed)
    }

    /// Times a bulk load of the on-disk index read every change it writes
    /// twice, once to foresee them (when placing did not gather them).
    pub fn foresights(&self) -> u64 {
        self.foresights.load(Ordering::Relaxed)
    }
}

pub struct Engine {
    tagger: Option<Tagger>,
    analyser: Analyser,
    threads: usize,
    counters: Counters,
    /// Where the on-disk Similar Posts index lives, when the engine keeps one.
    index_dir: Option<PathBuf>,
    /// That index opened once, for a process that reads it again and
    /// again (the server), with when it was last reloaded.
    opened: Mutex<Option<(Arc<DiskIndex>, Instant)>>,
    /// Set when this engine wrote the index since it was last reloaded.
    wrote: AtomicBool,
    /// Similar Posts answered from the opened index, kept for its version.
    answers: answers::Answers,
    /// The terms placing counted for its last window, kept for the next
    /// catch-up (see `placing::catch_up`).
    counted: Mutex<placing::Counts>,
    /// How far linking and placing had got (their progress) when this
    /// engine last let go of the store's placing lock: when placing moved
    /// on (or linking went back) before it takes the lock again, another
    /// process placed or linked again, and what this one counted is stale.
    left_at: Mutex<Option<(u64, u64)>>,
}

/// How often an opened on-disk index looks for commits of other processes.
const RELOAD_EVERY: Duration = Duration::from_secs(1);

impl Engine {
    /// An engine analysing with `tagger` (without one there are no
    /// entities, so no quotes, statements or events; times are still
    /// read), each article within `limits.document_time`.
    pub fn new(tagger: Option<Tagger>, limits: &Limits) -> Engine {
        Engine {
            analyser: Analyser::new(tagger.as_ref(), limits.document_time),
            tagger,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            counters: Counters::default(),
            index_dir: None,
            opened: Mutex::new(None),
            wrote: AtomicBool::new(false),
            answers: Default::default(),
            counted: Default::default(),
            left_at: Default::default(),
        }
    }

    /// Runs `f` holding the store's lock for `component` ([`Store::lock`],
    /// waiting for it): linking numbers entities in the order it meets
    /// them and placing decides stories in arrival order, so two processes
    /// doing either at once over one store (two servers over a shared
    /// PostgreSQL, an ingest beside a server) would number entities twice
    /// and place articles twice. A caller up the stack that holds the lock
    /// keeps it. Placing's counts are this process's: when another process
    /// placed (or linking started again) since this one let go, they are
    /// dropped and counted again from the store.
    fn exclusively<T>(
        &self,
        store: &mut dyn Store,
        component: Component,
        f: impl FnOnce(&mut dyn Store) -> Result<T, EngineError>,
    ) -> Result<T, EngineError> {
        if store.lock(component, true)? == Lock::AlreadyHeld {
            return f(store);
        }
        let out = (|| {
            if component == Component::Stories {
                let now = self.placing_position(store)?;
                let left = *self.left_at.lock().unwrap_or_else(|p| p.into_inner());
                if left.is_some_and(|(linked, placed)| placed != now.1 || now.0 < linked) {
                    self.counted.lock().unwrap_or_else(|p| p.into_inner()).clear();
                }
            }
            let out = f(store)?;
            if component == Component::Stories {
                *self.left_at.lock().unwrap_or_else(|p| p.into_inner()) = Some(self.placing_position(store)?);
            }
            Ok(out)
        })();
        store.unlock(component)?;
        out
    }

    /// How far linking and placing have got (their progress).
    fn placing_position(&self, store: &dyn Store) -> Result<(u64, u64), EngineError> {
        Ok((
            store.progress(Component::Linking)?.seq,
            store.progress(Component::Stories)?.seq,
        ))
    }

    /// Keeps the on-disk Similar Posts index in `dir` (a store's is
    /// `DATA_DIR/index`): every build brings it up to the store's last
    /// change, and [`Engine::similar_on_disk`] reads it.
    pub fn with_index(mut self, dir: PathBuf) -> Engine {
        self.index_dir = Some(dir);
        self
    }

    pub fn tagger(&self) -> Option<&Tagger> {
        self.tagger.as_ref()
    }

    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Analyses every article changed since the last catch-up (all of them
    /// after the analysis code or model changed), keeping each analysis
    /// with the change it reached; `on_step` is told after each step. The
    /// steps ([`Engine::pending`], [`Engine::analyse`], [`Engine::commit`])
    /// are there for a caller that holds the store differently for each
    /// (the server reads beside its writer and writes briefly).
    pub fn catch_up(
        &self,
        store: &mut dyn Store,
        on_step: &mut dyn FnMut(&CatchUp),
    ) -> Result<CatchUp, EngineError> {
        self.catch_up_linking(store, false, &mut || false, on_step)
    }

    /// Analyses and links articles while another connection stores them
    /// (an ingest): whenever it has caught up with what is stored, `more`
    /// waits for the writer's next commit, and says `false` once the
    /// writer is done. Analysing then takes the cores storing leaves idle
    /// rather than waiting for storing to end. What is stored after the last
    /// catch-up is left to [`Engine::keep_up`], which the caller runs once
    /// storing ends.
    pub fn follow(
        &self,
        store: &mut dyn Store,
        more: &mut dyn FnMut() -> bool,
        on_step: &mut dyn FnMut(&CatchUp),
    ) -> Result<CatchUp, EngineError> {
        self.linking_if_free(store, more, on_step)
    }

    /// [`Engine::catch_up_linking`], linking only when this connection can
    /// have linking's lock now: when another process links, this one
    /// analyses beside it (analysing needs no lock) and leaves the linking
    /// to it, or to the [`Engine::link_new`] that follows.
    fn linking_if_free(
        &self,
        store: &mut dyn Store,
        more: &mut dyn FnMut() -> bool,
        on_step: &mut dyn FnMut(&CatchUp),
    ) -> Result<CatchUp, EngineError> {
        let lock = store.lock(Component::Linking, false)?;
        let done = self.catch_up_linking(store, lock != Lock::Busy, more, on_step);
        if lock == Lock::Taken {
            store.unlock(Component::Linking)?;
        }
        done
    }

    /// [`Engine::catch_up`], linking (when `link`) what was analysed while
    /// the engine's threads analyse what comes next. Analysing runs on its
    /// own thread, up to [`ANALYSED_AHEAD`] + 1 steps ahead of the steps
    /// kept here: this thread reads each step's articles, keeps what came
    /// back analysed and links it, and neither side waits for the other to
    /// end a round (in lockstep, with linking on one core and analysing on
    /// the others, each round waited for the slower of the two). Linking
    /// stays behind the analyses kept (it reads them), and what it has not
    /// reached at the end is left to [`Engine::link_new`], as is anything
    /// after a linking error (it then starts from what was kept). Once every
    /// stored change is read, `more` says whether to wait for more
    /// ([`Engine::follow`]).
    fn catch_up_linking(
        &self,
        store: &mut dyn Store,
        link: bool,
        more: &mut dyn FnMut() -> bool,
        on_step: &mut dyn FnMut(&CatchUp),
    ) -> Result<CatchUp, EngineError> {
        let mut read = self.progress(store)?;
        let mut done = CatchUp {
            from: read.seq,
            through: read.seq,
            last: store.last_seq()?,
            ..CatchUp::default()
        };
        let mut linker = match link && self.tagger.is_some() {
            true => Some(links::Linker::new(self, store)?),
            false => None,
        };
        std::thread::scope(|scope| {
            let (to_analyse, todo) = std::sync::mpsc::sync_channel::<Pending>(ANALYSED_AHEAD);
            let (back, analysed) = std::sync::mpsc::channel::<(u64, Analysed)>();
            let analysing = scope.spawn(move || {
                for pending in todo {
                    let seen = pending.seen;
                    if back.send((seen, self.analyse(pending))).is_err() {
                        break;
                    }
                }
            });
            let mut under_way = 0;
            let kept: Result<(), EngineError> = (|| loop {
                // Keep analysing fed: the steps read and not yet kept.
                while under_way <= ANALYSED_AHEAD {
                    let Some(pending) = self.pending_from(store, read.clone(), CATCH_UP_BATCH)? else {
                        break;
                    };
                    read = pending.progress.clone();
                    if to_analyse.send(pending).is_err() {
                        // The analysing thread is gone: its panic is raised below.
                        return Ok(());
                    }
                    under_way += 1;
                }
                if under_way == 0 {
                    // Every stored change is analysed: link them while waiting.
                    links::Linker::link_behind(&mut linker, store, done.through);
                    if more() {
                        done.last = store.last_seq()?;
                        continue;
                    }
                    return Ok(());
                }
                links::Linker::link_behind(&mut linker, store, done.through);
                let Ok((seen, mut step)) = analysed.recv() else {
                    return Ok(());
                };
                under_way -= 1;
                done.seen += seen;
                done.analysed += step.count as u64;
                let fresh = std::mem::take(&mut step.fresh);
                done.through = self.commit(store, step)?;
                if let Some(l) = &mut linker {
                    l.remember(fresh);
                }
                on_step(&done);
            })();
            drop(to_analyse);
            analysing
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            kept
        })?;
        if done.seen > 0 {
            tracing::info!(
                seen = done.seen,
                analysed = done.analysed,
                through = done.through,
                "engine: caught up with the store"
            );
        }
        Ok(done)
    }

    /// Rebuilds derived data from the store alone: every kept analysis is
    /// dropped and every article analysed again, then the catalogue, index
    /// and stories are built (story decisions are kept: ids do not move).
    pub fn reindex(
        &self,
        store: &mut dyn Store,
        on_step: &mut dyn FnMut(&CatchUp),
    ) -> Result<(CatchUp, Derived), EngineError> {
        self.exclusively(store, Component::Linking, |store| {
            self.exclusively(store, Component::Stories, |store| {
                store.forget_analyses()?;
                store.forget_links()?;
                self.remove_index();
                store.forget_story_summaries()?;
                let done = self.catch_up(store, on_step)?;
                let derived = self.build(store)?;
                Ok((done, derived))
            })
        })
    }

    /// The analysis progress, started again from 0 when it was made with
    /// other code or another model (articles this analyser already did are
    /// then found and skipped, not analysed again).
    fn progress(&self, store: &dyn Store) -> Result<Progress, EngineError> {
        let fingerprint = self.analyser.fingerprint();
        let progress = store.progress(Component::Analysis)?;
        Ok(if progress.fingerprint == fingerprint {
            progress
        } else {
            Progress {
                component: Component::Analysis,
                seq: 0,
                fingerprint,
            }
        })
    }

    /// How many articles wait for their analysis by this analyser.
    pub fn backlog(&self, store: &dyn Store) -> Result<u64, EngineError> {
        Ok(store.changes_after(self.progress(store)?.seq)?)
    }

    /// The next `limit` changed articles past the analysis progress, with
    /// those of them that have no current analysis; `None` when the
    /// progress has reached the store's last change.
    pub fn pending(&self, store: &dyn Store, limit: usize) -> Result<Option<Pending>, EngineError> {
        self.pending_from(store, self.progress(store)?, limit)
    }

    /// [`Engine::pending`] past `progress` rather than the kept progress
    /// (analysing reads ahead of what is kept).
    fn pending_from(
        &self,
        store: &dyn Store,
        mut progress: Progress,
        limit: usize,
    ) -> Result<Option<Pending>, EngineError> {
        let changes = store.changes(progress.seq, limit)?;
        let Some(&(through, _)) = changes.last() else {
            return Ok(None);
        };
        let seen = changes.len() as u64;
        let mut todo = Vec::new();
        let mut older = 0;
        for (_, article) in changes {
            let key = self.analyser.key(&article);
            if analyses::kept(store, &article, &key)?.is_none() {
                older += usize::from(store.any_analysis(&article.id)?.is_some());
                todo.push((article, key));
            }
        }
        progress.seq = through;
        Ok(Some(Pending {
            seen,
            progress,
            todo,
            older,
        }))
    }

    /// Analyses what `pending` needs, on the engine's threads; touches no store.
    pub fn analyse(&self, pending: Pending) -> Analysed {
        let (articles, keys): (Vec<Article>, Vec<String>) = pending.todo.into_iter().unzip();
        let analyses = self.compute(&articles);
        Analysed {
            count: analyses.len(),
            rows: articles
                .iter()
                .zip(&keys)
                .zip(&analyses)
                .map(|((article, key), analysis)| analyses::row(&article.id, key.clone(), analysis))
                .collect(),
            fresh: keys.into_iter().zip(analyses).collect(),
            progress: pending.progress,
        }
    }

    /// Keeps what [`Engine::analyse`] computed and the progress it reached,
    /// in one transaction.
    pub fn commit(&self, store: &mut dyn Store, analysed: Analysed) -> Result<u64, EngineError> {
        let through = analysed.progress.seq;
        store.put_analyses(&analysed.rows, Some(analysed.progress))?;
        Ok(through)
    }

    /// What pages serve for `article` without analysing it: its current
    /// analysis, else one kept from an older analyser (served until the
    /// background catch-up replaces it), else none.
    pub fn serving_analysis(&self, store: &dyn Store, article: &Article) -> Result<Served, EngineError> {
        if let Some(current) = analyses::kept(store, article, &self.analyser.key(article))? {
            return Ok(Served::Current(current));
        }
        let older = store
            .any_analysis(&article.id)?
            .and_then(|(_, json)| serde_json::from_str(&json).ok());
        Ok(older.map_or(Served::Missing, Served::Older))
    }

    /// Analyses `articles` on the engine's threads, touching no store (keep
    /// the results with [`Engine::keep`]).
    pub fn compute(&self, articles: &[Article]) -> Vec<Analysis> {
        let analyses = storyline_core::parallel::map_in_order(articles, self.threads, |article| {
            analyses::analyse(self.tagger.as_ref(), self.analyser, article)
        });
        self.count_analysed(analyses.len());
        analyses
    }

    /// Keeps analyses [`Engine::compute`] made, in one transaction.
    pub fn keep(
        &self,
        store: &mut dyn Store,
        articles: &[Article],
        analyses: &[Analysis],
    ) -> Result<(), EngineError> {
        let rows: Vec<(String, String, String)> = articles
            .iter()
            .zip(analyses)
            .map(|(a, analysis)| analyses::row(&a.id, self.analyser.key(a), analysis))
            .collect();
        Ok(store.put_analyses(&rows, None)?)
    }

    /// The analysis of `article`: kept, else computed now and kept.
    pub fn analysis(&self, store: &mut dyn Store, article: &Article) -> Result<Analysis, EngineError> {
        let (analysis, computed) =
            analyses::analysis_of(store, self.tagger.as_ref(), self.analyser, article)?;
        if computed {
            tracing::info!(article = %article.id, analysed = 1, "engine: analysed an article on demand");
        }
        self.count_analysed(usize::from(computed));
        Ok(analysis)
    }

    /// The analyses of `articles`, in order: kept ones read, any missing
    /// computed and kept.
    pub fn analyses(
        &self,
        store: &mut dyn Store,
        articles: &[Article],
    ) -> Result<Vec<Analysis>, EngineError> {
        let (analyses, computed) =
            analyses::analyses_of(store, self.tagger.as_ref(), self.analyser, articles, self.threads)?;
        self.count_analysed(computed);
        Ok(analyses)
    }

    /// The events `articles` (a story's) report, with their `analyses`:
    /// each event once, with all its reports.
    pub fn shared_events(&self, articles: &[Article], analyses: &[Analysis]) -> Vec<SharedEvent> {
        let reports: Vec<(&str, &[Event])> = articles
            .iter()
            .zip(analyses)
            .map(|(a, analysis)| (a.id.as_str(), analysis.events.as_slice()))
            .collect();
        shared_events(&reports)
    }

    /// The Similar Posts index of `articles`, with the linked entities kept
    /// for each ([`Engine::link_new`]) in its names space.
    pub fn index(&self, store: &dyn Store, articles: Vec<Article>) -> Result<ArticleIndex, EngineError> {
        self.counters.builds.fetch_add(1, Ordering::Relaxed);
        Ok(ArticleIndex::build_linked(
            links::with_terms(store, articles)?,
            IndexOptions::default(),
        ))
    }

    /// The next `limit` articles changed since linking last caught up:
    /// what the next `link_new` links.
    pub fn pending_links(&self, store: &dyn Store, limit: usize) -> Result<Vec<Article>, EngineError> {
        let seq = store.progress(Component::Linking)?.seq;
        Ok(store.changes(seq, limit)?.into_iter().map(|(_, a)| a).collect())
    }

    /// Links the entities of the articles changed since linking last
    /// caught up and keeps what they name (see `links`; entity pages read
    /// it through `book`). Without a tagger there are no entities, and
    /// nothing to link.
    pub fn link_new(&self, store: &mut dyn Store) -> Result<(), EngineError> {
        if self.tagger.is_none() {
            return Ok(());
        }
        if self.exclusively(store, Component::Linking, |store| links::catch_up(self, store))? {
            // Every article's linked entities changed.
            self.counted.lock().unwrap_or_else(|p| p.into_inner()).clear();
            // The on-disk index is written again from the new links, each
            // document replaced in place, so it answers meanwhile. (Story
            // summaries keep their names until their story changes, or
            // `reindex`.)
            self.restart_index();
        }
        Ok(())
    }

    /// Has the on-disk index written again from the store's first change,
    /// each document replaced in place.
    fn restart_index(&self) {
        let Some(dir) = self.index_dir.as_deref().filter(|d| d.exists()) else {
            return;
        };
        let restarted = DiskWriter::open(dir, IndexOptions::default()).and_then(|mut w| w.restart());
        match restarted {
            Ok(()) => {}
            Err(DiskError::Busy) => tracing::warn!(
                "engine: another process is writing the on-disk index; it keeps the old links until `storyline reindex`"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "engine: the on-disk index could not be restarted; removing it");
                self.remove_index();
            }
        }
    }

    /// Deletes the on-disk index (the next write rewrites it from the store).
    fn remove_index(&self) {
        *self.opened.lock().unwrap_or_else(|p| p.into_inner()) = None;
        if let Some(dir) = &self.index_dir {
            if let Err(e) = std::fs::remove_dir_all(dir) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(dir = %dir.display(), error = %e, "engine: the on-disk index could not be removed");
                }
            }
        }
    }

    /// The stories kept in `store` over `index` (an article the store did
    /// not place is placed in memory only, and said so).
    fn kept_stories_of(&self, store: &dyn Store, index: &ArticleIndex) -> Result<Stories, StoreError> {
        let kept = store.story_members()?;
        let (stories, unplaced) = Stories::update(index, &kept, &ClusterOptions::default(), self.threads);
        if !unplaced.is_empty() {
            tracing::warn!(
                articles = unplaced.len(),
                "engine: articles the store did not place were placed in memory only"
            );
        }
        Ok(stories)
    }

    /// Places the articles that arrived since placing last caught up in
    /// stories, a bounded window at a time, and keeps their decisions and
    /// the summaries of the stories they touched (see `placing`). Their
    /// entities must be linked first ([`Engine::link_new`]).
    pub fn place_new(
        &self,
        store: &mut dyn Store,
        on_round: &mut dyn FnMut(&Placed),
    ) -> Result<Placed, EngineError> {
        self.exclusively(store, Component::Stories, |store| {
            self.place_through(store, None, on_round)
        })
    }

    /// Places what another connection has linked so far (an ingest's
    /// [`Engine::follow`]), in whole spans of changes: the articles placed
    /// are the same whenever this is called, and what it leaves is placed
    /// by the next [`Engine::keep_up`]. The stories then take the cores
    /// linking leaves idle rather than waiting for linking to end.
    pub fn place_linked(
        &self,
        store: &mut dyn Store,
        on_round: &mut dyn FnMut(&Placed),
    ) -> Result<Placed, EngineError> {
        self.exclusively(store, Component::Stories, |store| {
            let linked = store.progress(Component::Linking)?.seq;
            self.place_through(store, Some(linked), on_round)
        })
    }

    /// Places the spans of changes up to `until` (every arrival when
    /// `None`), with the terms counted for earlier windows.
    fn place_through(
        &self,
        store: &mut dyn Store,
        until: Option<u64>,
        on_round: &mut dyn FnMut(&Placed),
    ) -> Result<Placed, EngineError> {
        let mut counted = self.counted.lock().unwrap_or_else(|p| p.into_inner());
        self.look_for_bulk_load(store, &mut counted)?;
        Ok(placing::catch_up(
            store,
            &ClusterOptions::default(),
            self.threads,
            &mut counted,
            until,
            on_round,
        )?)
    }

    /// Once a process (and again after links are forgotten): when what
    /// placing is about to place is all the on-disk index will hold (it
    /// is empty, and as far as the stories got), the index is written in
    /// bulk once placing is done, and placing gathers what that needs to
    /// know beforehand (`placing::Gathered`). Says whether it gathers.
    fn look_for_bulk_load(
        &self,
        store: &dyn Store,
        counted: &mut placing::Counts,
    ) -> Result<bool, EngineError> {
        if counted.looked_for_bulk_load() {
            return Ok(counted.gathering());
        }
        let Some(dir) = &self.index_dir else {
            return Ok(false);
        };
        let placed = store.progress(Component::Stories)?.seq;
        let from = if !dir.exists() {
            (placed == 0).then_some(0)
        } else {
            match DiskIndex::open(dir, IndexOptions::default()) {
                Ok(index) => {
                    let empty = index.is_empty();
                    index
                        .progress()
                        .ok()
                        .filter(|p| empty && p.seq == placed)
                        .map(|p| p.seq)
                }
                Err(_) => None,
            }
        };
        if let Some(from) = from {
            counted.gather_from(from);
        }
        Ok(from.is_some())
    }

    /// Whether stories or the on-disk index are behind the store (so that
    /// bringing them up needs the catalogue).
    fn derived_behind(&self, store: &dyn Store) -> Result<bool, EngineError> {
        let last = store.last_seq()?;
        if store.progress(Component::Stories)?.seq < last || !store.unsummarised_stories(1)?.is_empty() {
            return Ok(true);
        }
        Ok(match self.index_dir.as_deref().filter(|d| d.exists()) {
            None => self.index_dir.is_some() && last > 0,
            Some(dir) => match DiskIndex::open(dir, IndexOptions::default()).and_then(|i| i.progress()) {
                Ok(progress) => progress.seq != last,
                Err(_) => true,
            },
        })
    }

    /// Brings everything derived up to the store's last change, as a
    /// write path does, with nothing built over the whole store: each
    /// changed article is analysed and its entities linked (both kept),
    /// then it is written to the on-disk index and placed in a story.
    /// Nothing is done when nothing changed.
    pub fn keep_up(
        &self,
        store: &mut dyn Store,
        on_step: &mut dyn FnMut(&CatchUp),
        on_round: &mut dyn FnMut(&Placed),
    ) -> Result<(CatchUp, Placed), EngineError> {
        let before = self.counters.analysed();
        let caught_up = self.linking_if_free(store, &mut || false, on_step)?;
        let placed = self.keep_derived(store, on_round)?;
        tracing::info!(
            analysed = self.counters.analysed() - before,
            placed = placed.placed,
            summarised = placed.summarised,
            "engine: derived data is up to date"
        );
        Ok((caught_up, placed))
    }

    /// What [`Engine::keep_up`] does after analysing, from the analyses
    /// pages serve (an older analyser's while a catch-up replaces them):
    /// the changed articles' entities are linked, they are written to the
    /// on-disk index and placed in stories. For a caller that analyses on
    /// its own schedule (the server).
    pub fn keep_derived(
        &self,
        store: &mut dyn Store,
        on_round: &mut dyn FnMut(&Placed),
    ) -> Result<Placed, EngineError> {
        self.link_new(store)?;
        // A store from before the mark (or whose summaries were dropped)
        // is looked over once, so the check below stays a lookup.
        store.settle_unsummarised()?;
        if !self.derived_behind(store)? {
            return Ok(Placed::default());
        }
        // The on-disk index and the stories are built from the same kept
        // links and neither reads the other, so the index is written on
        // its own read connection while the stories are placed.
        let reader = match self.index_dir {
            Some(_) => Some(store.reader()?),
            None => None,
        };
        let gathering = {
            let mut counted = self.counted.lock().unwrap_or_else(|p| p.into_inner());
            self.look_for_bulk_load(store, &mut counted)?
        };
        if let (true, Some(reader)) = (gathering, &reader) {
            // Placing gathers what the index's bulk load needs: it goes first.
            let placed = self.place_new(store, on_round);
            self.keep_index(&**reader);
            return placed;
        }
        std::thread::scope(|scope| {
            let indexing = reader.map(|reader| scope.spawn(move || self.keep_index(&*reader)));
            let placed = self.place_new(store, on_round);
            if let Some(indexing) = indexing {
                indexing
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            }
            placed
        })
    }

    /// The Similar Posts index of the whole store in memory, with its
    /// stories as kept, after bringing derived data up to date
    /// ([`Engine::keep_up`]): what answers every article's Similar Posts at
    /// once (`similar --all`). No catalogue is linked and nothing placed.
    pub fn related(&self, store: &mut dyn Store) -> Result<(ArticleIndex, Stories), EngineError> {
        self.keep_up(store, &mut |_| {}, &mut |_| {})?;
        let mut articles = Vec::new();
        store.for_each(&mut |a| articles.push(a))?;
        let index = self.index(store, articles)?;
        let stories = self.kept_stories_of(store, &index)?;
        Ok((index, stories))
    }

    /// Places every article again, from nothing (`storyline recluster`):
    /// story ids may change; the history of earlier merges and splits stays.
    pub fn recluster(&self, store: &mut dyn Store) -> Result<Placed, EngineError> {
        // Linking's lock before placing's, as everywhere both are held.
        self.exclusively(store, Component::Linking, |store| {
            self.exclusively(store, Component::Stories, |store| {
                self.catch_up(store, &mut |_| {})?;
                self.link_new(store)?;
                store.forget_stories()?;
                self.place_new(store, &mut |_| {})
            })
        })
    }

    /// The kept summary of story `id` (as placing last wrote it).
    pub fn kept_story(&self, store: &dyn Store, id: &str) -> Result<Option<Story>, EngineError> {
        store.kept_story(id)?.map(|k| read_story(&k)).transpose()
    }

    /// Kept stories, most recently active first (undated last, then by
    /// id): of those active at or after `since` (a publication sort key)
    /// that `keep` admits, `limit` after skipping `skip`; and whether more
    /// follow.
    pub fn kept_stories(
        &self,
        store: &dyn Store,
        since: Option<&str>,
        (skip, limit): (usize, usize),
        keep: &dyn Fn(&KeptStory) -> bool,
    ) -> Result<(Vec<Story>, bool), EngineError> {
        let (mut seen, mut more) = (0, false);
        let mut found = Vec::new();
        let mut failed = None;
        store.each_kept_story(&mut |kept| {
            if since.is_some_and(|s| kept.last_seen.as_deref().is_none_or(|l| l < s)) {
                // The rest are older still (or undated).
                return false;
            }
            if !keep(&kept) {
                return true;
            }
            seen += 1;
            if seen <= skip {
                return true;
            }
            if found.len() == limit {
                more = true;
                return false;
            }
            match read_story(&kept) {
                Ok(story) => found.push(story),
                Err(e) => {
                    failed = Some(e);
                    return false;
                }
            }
            true
        })?;
        match failed {
            Some(e) => Err(e),
            None => Ok((found, more)),
        }
    }

    /// The index and stories over the whole store, from the kept analyses
    /// (any missing are computed and kept first) and linked entities; the
    /// links, the on-disk index and the kept stories are brought up to
    /// date on the way.
    pub fn build(&self, store: &mut dyn Store) -> Result<Derived, EngineError> {
        let before = self.counters.analysed();
        let started = Instant::now();
        let mut articles = Vec::new();
        store.for_each(&mut |a| articles.push(a))?;
        self.analyses(store, &articles)?;
        self.link_new(store)?;
        let linked = started.elapsed();
        self.keep_index(store);
        let kept = started.elapsed();
        let count = articles.len();
        let index = self.index(store, articles)?;
        let indexed = started.elapsed();
        self.place_new(store, &mut |_| {})?;
        let stories = self.kept_stories_of(store, &index)?;
        let placed = started.elapsed();
        let ms = |d: Duration| d.as_millis() as u64;
        tracing::info!(
            articles = count,
            analysed = self.counters.analysed() - before,
            link_ms = ms(linked),
            disk_index_ms = ms(kept - linked),
            index_ms = ms(indexed - kept),
            stories_ms = ms(placed - indexed),
            "engine: index and stories built"
        );
        Ok(Derived { index, stories })
    }

    /// Brings the on-disk index up to the store's last change: the
    /// articles changed since its last commit are written with their kept
    /// linked entities, a commit per step. Failing here fails
    /// nothing else (the index is rebuilt from the store at any time), so
    /// it warns; another process writing it already is no failure at all.
    fn keep_index(&self, store: &dyn Store) {
        let Some(dir) = &self.index_dir else {
            return;
        };
        match self.write_index(dir, store) {
            Ok(0) => {}
            Ok(written) => {
                self.wrote.store(true, Ordering::Relaxed);
                tracing::info!(written, "engine: the on-disk index caught up with the store")
            }
            Err(IndexSync::Disk(DiskError::Busy)) => {
                tracing::debug!("engine: another process is writing the on-disk index")
            }
            Err(e) => tracing::warn!(
                error = %e,
                "engine: the on-disk index could not be brought up to date (`storyline reindex` writes it again)"
            ),
        }
    }

    fn write_index(&self, dir: &Path, store: &dyn Store) -> Result<u64, IndexSync> {
        let mut writer = DiskWriter::open(dir, IndexOptions::default())?;
        if writer.progress().seq > store.last_seq()? {
            // Ahead of the store: it was made from another copy of it (a
            // store restored from a backup). Start it again.
            tracing::warn!(dir = %dir.display(), "engine: the on-disk index is ahead of the store; writing it again");
            drop(writer);
            std::fs::remove_dir_all(dir).map_err(DiskError::from)?;
            writer = DiskWriter::open(dir, IndexOptions::default())?;
        }
        let start = writer.progress().seq;
        // Each step's documents are prepared (or foreseen) on every core:
        // counting their terms is most of the work, and needs nothing of
        // the index. The writer, on its own thread, adds (or foresees)
        // them in order while the next step is prepared.
        let options = IndexOptions::default();
        // A catch-up that at least doubles the index (a bulk load) tells
        // the writer of its articles first, so each is written once with
        // the lengths of the index it ends in: from what placing gathered
        // when that covers exactly these changes, or by a pass of its own.
        let pending = store.changes_after(start)?;
        let gathered = self
            .counted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take_gathered();
        let last = store.last_seq()?;
        let gathered = gathered.filter(|g| {
            let whole = g.from == start && g.through == last && g.sight.count() == pending;
            if !whole {
                tracing::debug!(
                    from = g.from,
                    through = g.through,
                    counted = g.sight.count(),
                    start,
                    last,
                    pending,
                    "engine: what placing gathered is not what the index writes; it foresees on its own"
                );
            }
            whole
        });
        if let (Some(g), true) = (gathered, pending > 0 && pending >= writer.docs()) {
            tracing::info!(
                articles = pending,
                "engine: the on-disk index is written in bulk, foreseen by placing"
            );
            writer.foresee_all(g.sight);
        } else if pending > 0 && pending >= writer.docs() {
            self.counters.foresights.fetch_add(1, Ordering::Relaxed);
            writer = self.each_step_ahead(
                store,
                start,
                writer,
                |article, entities| DiskWriter::foreseen(&options, article, entities),
                |writer, _, docs| {
                    docs.iter().for_each(|doc| writer.foresee(doc));
                    Ok(())
                },
            )?;
        }
        let mut written = 0;
        let mut writer = self.each_step_ahead(
            store,
            start,
            writer,
            |article, entities| DiskWriter::prepare(&options, article, entities),
            |writer, through, docs| {
                written += docs.len() as u64;
                for doc in docs {
                    writer.add_prepared(doc)?;
                }
                writer.commit(through)
            },
        )?;
        writer.finish()?;
        writer.close()?;
        Ok(written)
    }

    /// Goes through the store's changes after `start` a step at a time:
    /// `make` of each changed article with the entities linked in it, on
    /// every core, then `take` of the step's results (in the changes'
    /// order, with the last change of the step) on a thread of its own
    /// that holds the writer. Three steps are under way at once: this
    /// thread reads the next step's articles and their entities from the
    /// store while the one before is made and the one before that taken,
    /// so no stage waits for another (reading alone was a tenth of the
    /// work). Hands the writer back when every step is taken.
    fn each_step_ahead<T: Send>(
        &self,
        store: &dyn Store,
        start: u64,
        writer: DiskWriter,
        make: impl Fn(&Article, &[EntityTerm]) -> T + Sync,
        mut take: impl FnMut(&mut DiskWriter, u64, Vec<T>) -> Result<(), DiskError> + Send,
    ) -> Result<DiskWriter, IndexSync> {
        let threads = self.threads;
        std::thread::scope(|scope| {
            // Each stage waits while the next holds a step: memory stays at
            // a few steps.
            let (steps, taken) = std::sync::mpsc::sync_channel::<(u64, Vec<T>)>(1);
            let (read, to_make) = std::sync::mpsc::sync_channel::<(u64, Vec<(Article, Vec<EntityTerm>)>)>(1);
            let taking = scope.spawn(move || {
                let mut writer = writer;
                for (through, made) in taken {
                    take(&mut writer, through, made)?;
                }
                Ok::<_, DiskError>(writer)
            });
            let make = &make;
            scope.spawn(move || {
                for (through, items) in to_make {
                    let made =
                        storyline_core::parallel::map_in_order(&items, threads, |(article, entities)| {
                            make(article, entities)
                        });
                    // The writer stopped: its error is the one to report.
                    if steps.send((through, made)).is_err() {
                        break;
                    }
                }
            });
            let mut seq = start;
            let reading = loop {
                let changes = match store.changes(seq, CATCH_UP_BATCH) {
                    Ok(changes) => changes,
                    Err(e) => break Err(IndexSync::from(e)),
                };
                let Some(&(through, _)) = changes.last() else {
                    break Ok(());
                };
                let items = changes
                    .into_iter()
                    .map(|(_, article)| {
                        let entities = links::terms(store, &article.id)?;
                        Ok((article, entities))
                    })
                    .collect::<Result<Vec<_>, StoreError>>();
                let items = match items {
                    Ok(items) => items,
                    Err(e) => break Err(IndexSync::from(e)),
                };
                if read.send((through, items)).is_err() {
                    break Ok(());
                }
                seq = through;
            };
            drop(read);
            let writer = taking
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            reading.map(|()| writer)
        })
    }

    /// Similar Posts of article `id` from the on-disk index, the articles of
    /// its story (as kept in the store) first; `None` when there is no such
    /// index, or it is not at the store's last change (a build brings it
    /// there), or it does not hold `id`.
    pub fn similar_on_disk(
        &self,
        store: &dyn Store,
        id: &str,
        k: usize,
        filter: &Filter,
    ) -> Result<Option<SimilarPosts>, EngineError> {
        let Some(dir) = self.index_dir.as_deref().filter(|d| d.exists()) else {
            return Ok(None);
        };
        let read = || -> Result<Option<SimilarPosts>, IndexSync> {
            let index = DiskIndex::open(dir, IndexOptions::default())?;
            if index.progress()?.seq != store.last_seq()? {
                return Ok(None);
            }
            similar_in(&index, store, id, k, filter)
        };
        answer(read())
    }

    /// Similar Posts of article `id` from the on-disk index as it is, for a
    /// process that answers many (the server): the index is opened once
    /// and looks for new commits at most once a second (at once after this
    /// engine wrote it). `None` when there is no index or it does not hold
    /// `id` yet. Answers are kept while the index version and the article's
    /// story mates stay as they were (see `answers`), so a page viewed
    /// again is not ranked again.
    pub fn similar_served(
        &self,
        store: &dyn Store,
        id: &str,
        k: usize,
        filter: &Filter,
    ) -> Result<Option<SimilarPosts>, EngineError> {
        self.served(|index| {
            let asked = answers::Asked {
                id: id.to_string(),
                k,
                filter: filter.clone(),
                mates: store.story_mates(id)?,
            };
            let version = index.version();
            if let Some(kept) = self.answers.get(version, &asked) {
                return Ok(kept);
            }
            let answer = index.similar(id, k, filter, &asked.mates)?;
            self.answers.keep(version, asked, answer.clone());
            Ok(answer)
        })
    }

    /// The near-duplicate group of article `id` from the on-disk index as
    /// it is (see [`Engine::similar_served`]): the article it is a copy of
    /// (itself when it leads its group) and the group's other articles.
    pub fn copies_served(&self, id: &str) -> Result<Option<(String, Vec<String>)>, EngineError> {
        self.served(|index| Ok(index.copies(id)?))
    }

    /// What `read` finds in the opened on-disk index; `None` when there is
    /// none or it cannot be read (it is opened again next time).
    fn served<T>(
        &self,
        read: impl FnOnce(&DiskIndex) -> Result<Option<T>, IndexSync>,
    ) -> Result<Option<T>, EngineError> {
        let found = self
            .opened_index()
            .map_err(IndexSync::from)
            .and_then(|index| match index {
                Some(index) => read(&index),
                None => Ok(None),
            });
        if matches!(found, Err(IndexSync::Disk(_))) {
            *self.opened.lock().unwrap_or_else(|p| p.into_inner()) = None;
        }
        answer(found)
    }

    /// The on-disk index, opened once and reloaded when it may have moved.
    fn opened_index(&self) -> Result<Option<Arc<DiskIndex>>, DiskError> {
        let Some(dir) = self.index_dir.as_deref().filter(|d| d.exists()) else {
            return Ok(None);
        };
        let mut opened = self.opened.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((index, reloaded)) = opened.as_mut() {
            if self.wrote.swap(false, Ordering::Relaxed) || reloaded.elapsed() >= RELOAD_EVERY {
                index.reload()?;
                *reloaded = Instant::now();
            }
            return Ok(Some(index.clone()));
        }
        let index = Arc::new(DiskIndex::open(dir, IndexOptions::default())?);
        self.wrote.store(false, Ordering::Relaxed);
        *opened = Some((index.clone(), Instant::now()));
        Ok(Some(index))
    }

    fn count_analysed(&self, n: usize) {
        self.counters.analysed.fetch_add(n as u64, Ordering::Relaxed);
    }
}

/// Similar Posts of article `id` in `index`, its story's articles (as kept
/// in `store`) first.
fn similar_in(
    index: &DiskIndex,
    store: &dyn Store,
    id: &str,
    k: usize,
    filter: &Filter,
) -> Result<Option<SimilarPosts>, IndexSync> {
    let mates = store.story_mates(id)?;
    Ok(index.similar(id, k, filter, &mates)?)
}

/// A read of the on-disk index as callers take it: the store failing is an
/// error; the index failing (damaged, or removed under the reader) is
/// warned about and read as no answer, since the store can always answer.
fn answer<T>(found: Result<Option<T>, IndexSync>) -> Result<Option<T>, EngineError> {
    match found {
        Ok(found) => Ok(found),
        Err(IndexSync::Store(e)) => Err(e.into()),
        Err(IndexSync::Disk(e)) => {
            tracing::warn!(error = %e, "engine: the on-disk index could not be read");
            Ok(None)
        }
    }
}

fn read_story(kept: &KeptStory) -> Result<Story, EngineError> {
    serde_json::from_str(&kept.summary).map_err(|source| {
        EngineError::Store(StoreError::CorruptStory {
            id: kept.id.clone(),
            source,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{article, articles};
    use storyline_store::SqliteStore;

    #[test]
    fn catch_up_analyses_each_change_once_and_resumes_where_it_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(dir.path()).unwrap();
        let engine = Engine::new(None, &Limits::default());
        store
            .upsert(&[
                article("a", "Talks resumed on Sunday."),
                article("b", "They ended on Monday."),
            ])
            .unwrap();
        let first = engine.catch_up(&mut store, &mut |_| {}).unwrap();
        assert_eq!((first.seen, first.analysed, first.through), (2, 2, 2));
        assert_eq!(
            engine.catch_up(&mut store, &mut |_| {}).unwrap().seen,
            0,
            "nothing new"
        );
        store.upsert(&[article("c", "More on Tuesday.")]).unwrap();
        // Another process (a fresh engine) picks up from the kept progress.
        let other = Engine::new(None, &Limits::default());
        let next = other.catch_up(&mut store, &mut |_| {}).unwrap();
        assert_eq!((next.seen, next.analysed, next.through), (1, 1, 3));
        // Building reads what was kept: nothing is analysed again.
        let derived = other.build(&mut store).unwrap();
        assert_eq!(other.counters().analysed(), 1);
        assert_eq!(derived.index.len(), 3);
        assert_eq!(other.counters().builds(), 1);
    }

    #[test]
    fn reindex_analyses_everything_again_and_gives_the_same_index() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(dir.path()).unwrap();
        let engine = Engine::new(None, &Limits::default());
        store
            .upsert(&[
                article("a", "Talks on the harbour resumed on Sunday in Rostov."),
                article("b", "The harbour talks in Rostov ended on Monday."),
                article("c", "A storm closed the airport."),
            ])
            .unwrap();
        engine.catch_up(&mut store, &mut |_| {}).unwrap();
        let before = engine.build(&mut store).unwrap();
        let (done, after) = engine.reindex(&mut store, &mut |_| {}).unwrap();
        assert_eq!((done.seen, done.analysed), (3, 3), "every article analysed again");
        let filter = storyline_relate::Filter::default();
        for id in ["a", "b", "c"] {
            let similar = |d: &Derived| {
                let s = d.stories.similar(&d.index, id, 5, &filter).unwrap();
                serde_json::to_value(&s).unwrap()
            };
            assert_eq!(similar(&before), similar(&after), "{id}");
        }
    }

    #[test]
    fn a_new_analyser_looks_at_every_article_again() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(dir.path()).unwrap();
        store.upsert(&[article("a", "Talks resumed on Sunday.")]).unwrap();
        Engine::new(None, &Limits::default())
            .catch_up(&mut store, &mut |_| {})
            .unwrap();
        // Progress recorded under another fingerprint (other code or model).
        store
            .save_progress(Progress {
                component: Component::Analysis,
                seq: 1,
                fingerprint: "older".into(),
            })
            .unwrap();
        let engine = Engine::new(None, &Limits::default());
        let again = engine.catch_up(&mut store, &mut |_| {}).unwrap();
        assert_eq!(again.seen, 1, "looked at again");
        assert_eq!(again.analysed, 0, "its analysis under the current key is kept");
        assert_eq!(
            store.progress(Component::Analysis).unwrap().fingerprint,
            engine.analyser.fingerprint()
        );
    }

    #[test]
    fn the_on_disk_index_answers_as_a_build_does_once_it_has_caught_up() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(dir.path()).unwrap();
        let engine = Engine::new(None, &Limits::default()).with_index(dir.path().join("index"));
        let texts = [
            (
                "a",
                "Talks on the harbour in Rostov resumed on Sunday, the mayor of Rostov said.",
            ),
            ("b", "The harbour talks in Rostov ended on Monday without a deal."),
            (
                "c",
                "A storm closed the airport in Oslo and flights were cancelled.",
            ),
            ("d", "Flights resumed at the Oslo airport after the storm."),
            ("e", "The mayor of Rostov said the harbour would reopen."),
        ];
        store.upsert(&articles(&texts[..4])).unwrap();
        let filter = Filter::default();
        assert!(
            engine.similar_on_disk(&store, "a", 5, &filter).unwrap().is_none(),
            "no index before the first build"
        );
        engine.catch_up(&mut store, &mut |_| {}).unwrap();
        let derived = engine.build(&mut store).unwrap();
        for (id, _) in &texts[..4] {
            let built = derived.stories.similar(&derived.index, id, 5, &filter).unwrap();
            let read = engine.similar_on_disk(&store, id, 5, &filter).unwrap().unwrap();
            let ids = |s: &SimilarPosts| s.similar.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
            assert_eq!(ids(&read), ids(&built), "{id}");
            for (r, b) in read.similar.iter().zip(&built.similar) {
                assert!(
                    (r.score - b.score).abs() < 1e-4,
                    "{id}: {} vs {}",
                    r.score,
                    b.score
                );
                assert_eq!(r.why.same_story, b.why.same_story, "{id}");
            }
        }
        // A new article: the index is behind until a build brings it along.
        store.upsert(&[article("e", texts[4].1)]).unwrap();
        assert!(engine.similar_on_disk(&store, "a", 5, &filter).unwrap().is_none());
        engine.catch_up(&mut store, &mut |_| {}).unwrap();
        engine.build(&mut store).unwrap();
        let read = engine.similar_on_disk(&store, "a", 5, &filter).unwrap().unwrap();
        assert!(read.similar.iter().any(|p| p.id == "e"), "{read:?}");
    }

    #[test]
    fn a_bulk_load_is_foreseen_from_the_terms_placing_counted() {
        let texts = [
            (
                "a",
                "Talks on the harbour in Rostov resumed on Sunday, the mayor said.",
            ),
            ("b", "The harbour talks in Rostov ended on Monday without a deal."),
            (
                "c",
                "A storm closed the airport in Oslo and flights were cancelled.",
            ),
            ("d", "Flights resumed at the Oslo airport after the storm."),
            ("e", "The mayor of Rostov said the harbour would reopen."),
            ("f", "Oslo airport staff cleared snow from the runway overnight."),
        ];
        let on_disk = |placed_first: bool| {
            let dir = tempfile::tempdir().unwrap();
            let mut store = SqliteStore::open(dir.path()).unwrap();
            store.upsert(&articles(&texts)).unwrap();
            let engine = Engine::new(None, &Limits::default()).with_index(dir.path().join("index"));
            if placed_first {
                // As an ingest does: placing counts every article before the
                // index is written, which needs no pass of its own.
                engine.keep_up(&mut store, &mut |_| {}, &mut |_| {}).unwrap();
                assert_eq!(engine.counters().foresights(), 0);
            } else {
                // Written before anything is placed: the index reads the
                // store once to foresee, once to write.
                engine.catch_up(&mut store, &mut |_| {}).unwrap();
                engine.build(&mut store).unwrap();
                assert_eq!(engine.counters().foresights(), 1);
            }
            texts
                .iter()
                .map(|(id, _)| {
                    let read = engine
                        .similar_on_disk(&store, id, 5, &Filter::default())
                        .unwrap()
                        .unwrap();
                    read.similar
                        .iter()
                        .map(|p| (p.id.clone(), p.score.to_bits()))
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        };
        let (gathered, foreseen) = (on_disk(true), on_disk(false));
        assert!(gathered.iter().any(|s| !s.is_empty()));
        assert_eq!(gathered, foreseen, "the same documents with the same lengths");
    }

    #[test]
    fn an_index_made_from_another_copy_of_the_store_is_written_again() {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        let filter = Filter::default();
        let engine = Engine::new(None, &Limits::default()).with_index(index.clone());
        let texts = [
            ("a", "Talks on the harbour in Rostov resumed on Sunday."),
            ("b", "The harbour talks in Rostov ended on Monday."),
            ("c", "The mayor of Rostov said the harbour talks would go on."),
        ];
        let mut bigger = SqliteStore::open(&dir.path().join("bigger")).unwrap();
        bigger.upsert(&articles(&texts)).unwrap();
        engine.build(&mut bigger).unwrap();
        assert!(engine
            .similar_on_disk(&bigger, "a", 5, &filter)
            .unwrap()
            .is_some());
        // An older copy of the store, with fewer changes than the index saw.
        let mut older = SqliteStore::open(&dir.path().join("older")).unwrap();
        older.upsert(&articles(&texts[..2])).unwrap();
        assert!(engine.similar_on_disk(&older, "a", 5, &filter).unwrap().is_none());
        engine.build(&mut older).unwrap();
        let read = engine.similar_on_disk(&older, "a", 5, &filter).unwrap().unwrap();
        assert_eq!(
            read.similar.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
            ["b"],
            "only what this store holds"
        );
    }
}
