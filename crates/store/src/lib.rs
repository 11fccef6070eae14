//! Durable article storage behind the [`Store`] trait.
//!
//! The pipeline talks to a `Store`; [`SqliteStore`] is the embedded default
//! (one file, WAL mode, versioned migrations) and [`PgStore`] the shared one
//! (one PostgreSQL database that several processes use at once), with the
//! same semantics: `tests/conformance.rs` checks both against one contract.
//! A store owns articles and nothing
//! derived from them: indexes and Similar Posts are rebuilt from it, so an
//! acknowledged article is all that must never be lost.

pub mod copy;
mod entities;
mod migrations;
mod pg;
mod sqlite;
mod stories;
mod watched;

pub use entities::{EntityArticle, KeptEntity, LinkedArticle, LinksUpdate};
pub use pg::{is_postgres_url, redacted, PgStore};
pub use sqlite::{SqliteStore, DB_FILE};
pub use stories::{Arrival, KeptStory, StoriesUpdate};
pub use watched::{FetchOutcome, FetchState, FetchedUrl, RobotsFile, WatchedSource};

use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use storyline_core::{Article, Published};

/// What an upsert did with one article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Upsert {
    /// A new article.
    Inserted,
    /// An existing id whose content changed.
    Updated,
    /// An existing id with the same content: nothing was written.
    Unchanged,
}

/// A line of an article listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleSummary {
    pub id: String,
    pub title: String,
    pub published: Option<Published>,
    pub source: Option<String>,
    pub url: Option<String>,
}

/// One source of articles, as the sources page lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceSummary {
    pub name: String,
    pub articles: u64,
    /// The earliest and latest publication among its dated articles.
    pub first_published: Option<Published>,
    pub last_published: Option<Published>,
}

/// One page of a listing, newest first, and the cursor of the next page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page {
    pub articles: Vec<ArticleSummary>,
    pub next_cursor: Option<String>,
}

/// Errors of any store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store at {path}: {source}")]
    Open { path: String, source: rusqlite::Error },
    #[error("store at {path} has schema version {found}, newer than this storyline ({supported}); upgrade storyline")]
    TooNew {
        path: String,
        found: i64,
        supported: i64,
    },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot connect to the PostgreSQL store at {url}: {source}")]
    OpenPostgres { url: String, source: ::postgres::Error },
    #[error("PostgreSQL error: {0}")]
    Postgres(#[from] ::postgres::Error),
    #[error("the target store {target} already holds {articles} articles; copy into an empty store")]
    TargetNotEmpty { target: String, articles: u64 },
    #[error("table {table}, column {column}: the value {value} does not fit the target's column")]
    CopyValue {
        table: String,
        column: String,
        value: String,
    },
    #[error("stored article {id} is unreadable: {source}")]
    Corrupt { id: String, source: serde_json::Error },
    #[error("the kept summary of story {id} is unreadable: {source}")]
    CorruptStory { id: String, source: serde_json::Error },
    #[error("the kept entity links are unreadable: {0}")]
    CorruptLinks(String),
    #[error("invalid page cursor {0:?}")]
    BadCursor(String),
    #[error("a watched source is already named {0:?}")]
    NameTaken(String),
    #[error("cannot create the data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("the search has {found} distinct words; at most {limit} are taken")]
    TooManyTerms { found: usize, limit: usize },
    #[error("the search needed more than its {} ms of work; narrow it (more words, a date range or a source)", .budget.as_millis())]
    OverBudget { budget: std::time::Duration },
}

/// Where articles live. Writes are atomic per call: after a crash, every
/// article of a call that returned `Ok` is there, and none of a call that did not.
pub trait Store: Send {
    /// Inserts or updates articles in one transaction. An article whose id is
    /// stored with the same content is left alone.
    fn upsert(&mut self, articles: &[Article]) -> Result<Vec<Upsert>, StoreError>;
    fn get(&self, id: &str) -> Result<Option<Article>, StoreError>;
    /// Looks an article up by its URL (compared in canonical form).
    fn get_by_url(&self, url: &str) -> Result<Option<Article>, StoreError>;
    fn count(&self) -> Result<u64, StoreError>;
    /// The listing lines of the articles `ids` that are stored, in the
    /// order given.
    fn article_summaries(&self, ids: &[String]) -> Result<Vec<ArticleSummary>, StoreError>;
    /// Newest first (by publication date; undated last), `limit` at a time.
    fn list(&self, limit: usize, cursor: Option<&str>) -> Result<Page, StoreError>;
    /// Like `list`, only the articles of `source`.
    fn list_source(&self, source: &str, limit: usize, cursor: Option<&str>) -> Result<Page, StoreError>;
    /// Every source with how many articles it has and when it published
    /// first and last, most articles first.
    fn sources(&self) -> Result<Vec<SourceSummary>, StoreError>;
    /// Every article in a stable order (by id), for rebuilding derived data and export.
    fn for_each(&self, f: &mut dyn FnMut(Article)) -> Result<(), StoreError>;
    /// A number that changes whenever any article is inserted or updated, so
    /// derived data can tell it is stale.
    fn generation(&self) -> Result<u64, StoreError>;
    /// The story of each article placed so far, as (article id, story id),
    /// in the order they were placed.
    fn story_members(&self) -> Result<Vec<(String, String)>, StoreError>;
    /// The articles of the story article `id` is in (itself among them),
    /// in the order they were placed; empty when it is in none.
    fn story_mates(&self, id: &str) -> Result<Vec<String>, StoreError>;
    /// Records story decisions in one transaction: each (article id, story
    /// id) is placed after everything placed before (an article already
    /// placed keeps its place and takes the new story), and `events` (the
    /// merges and splits those decisions make) are appended to the story
    /// history. With `replace_all` every earlier decision is dropped first;
    /// the history never is.
    fn save_story_members(
        &mut self,
        members: &[(String, String)],
        events: &[StoryEvent],
        replace_all: bool,
    ) -> Result<(), StoreError>;
    /// The recorded merges and splits that involve story `id` (as either
    /// side), oldest first.
    fn story_events(&self, id: &str) -> Result<Vec<StoryEvent>, StoreError>;
    /// Keeps story decisions, history, summaries and the placing progress
    /// in one transaction.
    fn save_stories(&mut self, update: &StoriesUpdate) -> Result<(), StoreError>;
    /// Drops every story decision and summary and the placing progress,
    /// so that every article is placed again (the history stays).
    fn forget_stories(&mut self) -> Result<(), StoreError>;
    /// Drops every kept story summary (decisions stay), so that they are
    /// written again from the articles as they are analysed now.
    fn forget_story_summaries(&mut self) -> Result<(), StoreError>;
    /// The kept summary of story `id`.
    fn kept_story(&self, id: &str) -> Result<Option<KeptStory>, StoreError>;
    /// How many stories have a kept summary.
    fn kept_story_count(&self) -> Result<u64, StoreError>;
    /// The story article `id` is in, if it was placed.
    fn story_of(&self, id: &str) -> Result<Option<String>, StoreError>;
    /// Every kept story, most recently active first (undated last, then
    /// by id), until `f` returns false.
    fn each_kept_story(&self, f: &mut dyn FnMut(KeptStory) -> bool) -> Result<(), StoreError>;
    /// The stories that may take an article published from day `days.0` to
    /// `days.1` (they have an article within those days; days since
    /// 1970-01-01), and those placed into since placement `placed_since`,
    /// each with its articles in placement order, oldest story first.
    fn live_stories(
        &self,
        days: Option<(i32, i32)>,
        placed_since: i64,
    ) -> Result<Vec<(String, Vec<String>)>, StoreError>;
    /// The articles changed after `after` up to change `through`, in change
    /// order, each with its publication sort key and the story it is in
    /// already.
    fn arrivals(&self, after: u64, through: u64) -> Result<Vec<Arrival>, StoreError>;
    /// The number of the last placement (-1: nothing placed).
    fn last_placed(&self) -> Result<i64, StoreError>;
    /// Up to `limit` stories that have articles and no kept summary, with
    /// their articles in placement order.
    fn unsummarised_stories(&self, limit: usize) -> Result<Vec<(String, Vec<String>)>, StoreError>;
    /// Records that no story lacks its kept summary when that holds, so
    /// that [`Store::unsummarised_stories`] answers without looking at
    /// every story again until summaries are dropped or members are
    /// written without them.
    fn settle_unsummarised(&mut self) -> Result<(), StoreError>;
    /// Full-text search over titles and texts, best match first.
    fn search(&self, query: &SearchQuery) -> Result<Vec<SearchHit>, StoreError>;
    /// Another connection to the same store for reading beside this one
    /// (it refuses writes), so readers need not wait for each other.
    fn reader(&self) -> Result<Box<dyn Store>, StoreError>;
    /// The analysis kept for article `id` if it was computed under `key`
    /// (what it was computed from); `None` when missing or stale.
    fn analysis(&self, id: &str, key: &str) -> Result<Option<String>, StoreError>;
    /// The analysis kept for article `id` whatever it was computed under,
    /// as (key, JSON): what pages serve while a newer analyser catches up.
    fn any_analysis(&self, id: &str) -> Result<Option<(String, String)>, StoreError>;
    /// Keeps analyses (article id, key, JSON) in one transaction, replacing
    /// older ones of the same articles, and with them `through`, how far
    /// the analysing component has got (so a crash cannot keep one without
    /// the other). Analyses are derived data: they do not change the
    /// generation or the change sequence.
    fn put_analyses(
        &mut self,
        analyses: &[(String, String, String)],
        through: Option<Progress>,
    ) -> Result<(), StoreError>;
    /// The linked entities kept for article `id` (JSON), if linked.
    fn entity_terms(&self, id: &str) -> Result<Option<String>, StoreError>;
    /// How many linked entities are kept (the next one's index).
    fn linked_count(&self) -> Result<u64, StoreError>;
    /// The kept values of those linker index entries (index, key) that
    /// have one, as (index, key, value).
    fn linker_keys(&self, keys: &[(u8, String)]) -> Result<Vec<(u8, String, String)>, StoreError>;
    /// The kept linked entities at `indexes` (those that exist).
    fn linked_entities(&self, indexes: &[u64]) -> Result<Vec<KeptEntity>, StoreError>;
    /// The kept linked entity with id `id`.
    fn linked_entity(&self, id: &str) -> Result<Option<KeptEntity>, StoreError>;
    /// Linked entities named anywhere, most widely named first (then most
    /// mentioned, then by name), from `skip`, at most `limit`.
    fn linked_entity_page(&self, skip: usize, limit: usize) -> Result<Vec<KeptEntity>, StoreError>;
    /// The articles naming entity `index`, newest linked first, at most
    /// `limit`: those linked at a change before `before` when given (the
    /// `seq` of the last row of the page before), so a widely named
    /// entity is read a page at a time.
    fn entity_articles(
        &self,
        index: u64,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<EntityArticle>, StoreError>;
    /// Those of `articles` that name entity `index`.
    fn naming_among(&self, index: u64, articles: &[String]) -> Result<HashSet<String>, StoreError>;
    /// The linked entities article `id` names, in order of first mention.
    fn article_entities(&self, id: &str) -> Result<Vec<EntityArticle>, StoreError>;
    /// Keeps a linking step in one transaction: entity records, linker
    /// index entries, each linked article's entities (replacing what it
    /// named before) and how far linking got.
    fn save_links(&mut self, update: &LinksUpdate) -> Result<(), StoreError>;
    /// Drops every article's linked entities, the linker's state, where
    /// entities are named and the linking progress, so that every article is linked again.
    fn forget_links(&mut self) -> Result<(), StoreError>;
    /// Drops every kept analysis and the analysis progress in one
    /// transaction, so the next catch-up analyses the whole store again.
    fn forget_analyses(&mut self) -> Result<(), StoreError>;
    /// The last number of the change sequence: every insert or update of
    /// an article takes the next one (0: nothing stored yet).
    fn last_seq(&self) -> Result<u64, StoreError>;
    /// The articles changed after `after`, in change order, at most `limit`,
    /// each with its number in the sequence (an article changed twice is
    /// listed once, at its last change).
    fn changes(&self, after: u64, limit: usize) -> Result<Vec<(u64, Article)>, StoreError>;
    /// How many articles changed after `after`.
    fn changes_after(&self, after: u64) -> Result<u64, StoreError>;
    /// How far `component` has applied the change sequence.
    fn progress(&self, component: Component) -> Result<Progress, StoreError>;
    /// Records how far a component has applied the change sequence.
    fn save_progress(&mut self, progress: Progress) -> Result<(), StoreError>;
    /// Like `upsert`, and records in the same transaction the URLs these
    /// articles (or rejections) were fetched from, so that a crash cannot
    /// leave an article stored but its URL due for fetching again.
    fn store_fetched(
        &mut self,
        articles: &[Article],
        fetched: &[FetchedUrl],
    ) -> Result<Vec<Upsert>, StoreError>;
    /// Those of `urls` that were recorded as fetched, or that a stored article
    /// has as its URL (compared in canonical form).
    fn fetched_before(&self, urls: &[String]) -> Result<HashSet<String>, StoreError>;
    /// Adds a web source to watch, or changes the name and interval of one
    /// watched already (its fetch state is kept). True when it is new.
    fn watch_source(&mut self, source: &WatchedSource) -> Result<bool, StoreError>;
    /// The watched sources, in the order they were added.
    fn watched_sources(&self) -> Result<Vec<WatchedSource>, StoreError>;
    /// Stops watching the source with this URL or name; its URL if there was one.
    fn unwatch_source(&mut self, url_or_name: &str) -> Result<Option<String>, StoreError>;
    /// Keeps what the last poll of source `url` learned.
    fn save_fetch_state(&mut self, url: &str, state: &FetchState) -> Result<(), StoreError>;
    /// The robots.txt files kept, one per origin.
    fn robots_files(&self) -> Result<Vec<RobotsFile>, StoreError>;
    /// Keeps a site's robots.txt, replacing the one kept before.
    fn save_robots_file(&mut self, file: &RobotsFile) -> Result<(), StoreError>;
    /// Takes the lock that lets one connection at a time apply the change
    /// sequence for `component` where order matters (linking numbers
    /// entities as it meets them; placing decides stories in arrival
    /// order): any other connection to the same store, in this process or
    /// another (on this machine for SQLite, anywhere for PostgreSQL), that
    /// holds it makes this wait when `wait`, else answer [`Lock::Busy`].
    /// Each component has its own lock, so linking and placing still run
    /// side by side. It is held until [`Store::unlock`], until this store
    /// is dropped, or until its process dies: a crashed holder never
    /// blocks the others.
    fn lock(&mut self, component: Component, wait: bool) -> Result<Lock, StoreError>;
    /// Releases the lock [`Store::lock`] took (nothing when not held).
    fn unlock(&mut self, component: Component) -> Result<(), StoreError>;
}

/// What [`Store::lock`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// This call took it: release it when done.
    Taken,
    /// This connection held it already (a caller up the stack took it).
    AlreadyHeld,
    /// Another connection holds it (only when not waiting).
    Busy,
}

/// A component of the engine that follows the change sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Component {
    /// Each article's analysis (entities, quotes, statements, times, events).
    Analysis,
    /// Placing articles in stories and keeping the stories' summaries.
    Stories,
    /// Linking each article's entities to the ones named before.
    Linking,
}

impl Component {
    pub const ALL: [Component; 3] = [Component::Analysis, Component::Stories, Component::Linking];

    pub fn as_str(self) -> &'static str {
        match self {
            Component::Analysis => "analysis",
            Component::Stories => "stories",
            Component::Linking => "linking",
        }
    }
}

/// How far a component has applied the change sequence: every change up
/// to `seq` is applied, under `fingerprint` (what the component computes
/// with; a component whose fingerprint changed starts again from 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub component: Component,
    pub seq: u64,
    pub fingerprint: String,
}

impl Progress {
    /// Nothing applied yet.
    pub fn start(component: Component) -> Progress {
        Progress {
            component,
            seq: 0,
            fingerprint: String::new(),
        }
    }
}

/// What to search for: words (all must occur; "quoted words" as a phrase)
/// and optional filters.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    /// First and last publication day to include (YYYY-MM-DD).
    pub from: Option<String>,
    pub to: Option<String>,
    pub source: Option<String>,
    pub lang: Option<String>,
    pub limit: usize,
    pub offset: usize,
    /// The longest the store may work on this query before it gives up with
    /// [`StoreError::OverBudget`]; `None`: no limit (the command line).
    pub budget: Option<std::time::Duration>,
}

/// The most distinct words a search may have (a phrase counts its words):
/// each costs a pass over its postings and a share of every score, and no
/// reader needs more to find an article.
pub const MAX_SEARCH_TERMS: usize = 16;

/// One search result. The snippet marks matched words with U+0002 before
/// and U+0003 after, for the caller to render (after escaping the text).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub id: String,
    pub title: String,
    pub published: Option<Published>,
    pub source: Option<String>,
    pub snippet: String,
    /// BM25 relevance (higher is better).
    pub score: f64,
}

/// Marks around a matched word in [`SearchHit::snippet`].
pub const MATCH_START: char = '\u{2}';
pub const MATCH_END: char = '\u{3}';

/// What a user typed as search terms: every word must occur, "quoted
/// words" as a phrase (one group of several words; an unquoted word is a
/// group of one). Anything not a letter or digit separates words, so no
/// input carries an operator into a backend's query language. A word or
/// phrase given twice counts once (it cannot narrow the match, only
/// multiply the work). An error past [`MAX_SEARCH_TERMS`] words.
pub(crate) fn search_terms(text: &str) -> Result<Vec<Vec<String>>, StoreError> {
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut seen = HashSet::new();
    let mut terms = 0;
    for (i, chunk) in text.split('"').enumerate() {
        let words: Vec<String> = chunk
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        if words.is_empty() {
            continue;
        }
        let phrase = i % 2 == 1 && words.len() > 1;
        let chunk_groups: Vec<Vec<String>> = if phrase {
            vec![words]
        } else {
            words.into_iter().map(|w| vec![w]).collect()
        };
        for group in chunk_groups {
            if seen.insert(group.clone()) {
                terms += group.len();
                groups.push(group);
            }
        }
    }
    if terms > MAX_SEARCH_TERMS {
        return Err(StoreError::TooManyTerms {
            found: terms,
            limit: MAX_SEARCH_TERMS,
        });
    }
    Ok(groups)
}

/// The FTS5 expression for what a user typed (see [`search_terms`]):
/// FTS5 operators in the input are taken as plain words, so no input is a
/// syntax error. `None` when nothing is left.
pub fn fts_expression(text: &str) -> Result<Option<String>, StoreError> {
    let parts: Vec<String> = search_terms(text)?
        .into_iter()
        .map(|group| format!("\"{}\"", group.join(" ")))
        .collect();
    Ok((!parts.is_empty()).then(|| parts.join(" ")))
}

/// What an upsert keeps of `article` and what it did, given the stored
/// row of its id (its JSON and when it was first stored), if any: the
/// first-stored time is kept across updates, and an article whose JSON
/// is what is stored is left alone. Both stores decide by this.
pub(crate) fn upsert_decision(
    article: &Article,
    existing: Option<(&str, &str)>,
    now: chrono::DateTime<chrono::Utc>,
) -> (Article, String, Upsert) {
    let mut stored = article.clone();
    stored.ingested_at = match existing {
        Some((_, at)) => chrono::DateTime::parse_from_rfc3339(at)
            .ok()
            .map(|d| d.to_utc())
            .or(Some(now)),
        None => article.ingested_at.or(Some(now)),
    };
    let doc = serde_json::to_string(&stored).expect("articles serialise");
    let outcome = match existing {
        Some((old_doc, _)) if old_doc == doc => Upsert::Unchanged,
        Some(_) => Upsert::Updated,
        None => Upsert::Inserted,
    };
    (stored, doc, outcome)
}

/// The article kept as JSON under `id`, read back.
pub(crate) fn decode_article(id: &str, doc: &str) -> Result<Article, StoreError> {
    serde_json::from_str(doc).map_err(|source| StoreError::Corrupt {
        id: id.to_string(),
        source,
    })
}

/// A listing cursor: the last line's sort key and id, hex-encoded so that
/// it is opaque and safe in a URL.
pub(crate) fn encode_cursor(sort: &str, id: &str) -> String {
    format!("{sort}~{id}")
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The sort key and id of a cursor made by [`encode_cursor`].
pub(crate) fn decode_cursor(cursor: &str) -> Result<(String, String), StoreError> {
    let bad = || StoreError::BadCursor(cursor.to_string());
    if !cursor.len().is_multiple_of(2) || !cursor.is_ascii() {
        return Err(bad());
    }
    let bytes = (0..cursor.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&cursor[i..i + 2], 16))
        .collect::<Result<Vec<u8>, _>>()
        .map_err(|_| bad())?;
    let s = String::from_utf8(bytes).map_err(|_| bad())?;
    let (sort, id) = s.split_once('~').ok_or_else(bad)?;
    Ok((sort.to_string(), id.to_string()))
}

/// Rows of (story, article) in placement order, grouped by story in the
/// order the stories first appear.
pub(crate) fn grouped<E>(
    rows: impl IntoIterator<Item = Result<(String, String), E>>,
) -> Result<Vec<(String, Vec<String>)>, StoreError>
where
    StoreError: From<E>,
{
    let mut stories: Vec<(String, Vec<String>)> = Vec::new();
    let mut slot: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for row in rows {
        let (story, article) = row?;
        let at = *slot.entry(story.clone()).or_insert_with(|| {
            stories.push((story, Vec::new()));
            stories.len() - 1
        });
        stories[at].1.push(article);
    }
    Ok(stories)
}

/// A change in a story's shape, kept so that stories never change behind
/// a reader's back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoryEvent {
    pub kind: StoryEventKind,
    /// For a merge, the story that lives on; for a split, the story that
    /// lost articles.
    pub story: String,
    /// For a merge, the story absorbed; for a split, the story the articles
    /// went to.
    pub other: String,
    /// How many articles moved.
    pub articles: usize,
    /// When it was recorded (RFC 3339, UTC); set by the store.
    #[serde(default)]
    pub at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoryEventKind {
    Merge,
    Split,
}

impl StoryEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StoryEventKind::Merge => "merge",
            StoryEventKind::Split => "split",
        }
    }

    pub fn parse(s: &str) -> Option<StoryEventKind> {
        match s {
            "merge" => Some(StoryEventKind::Merge),
            "split" => Some(StoryEventKind::Split),
            _ => None,
        }
    }
}
