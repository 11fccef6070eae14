//! Stories as the store keeps them, in SQLite: which story each article
//! is in, the history of merges and splits, and each story's summary with
//! the columns lists and live windows are queried by.
//!
//! Deciding stories and writing their summaries is `storyline-stories`'s
//! and the engine's; a summary is kept here as the JSON they hand over, so
//! the store does not depend on how a story is summarised.

use crate::{Component, Progress, StoreError, StoryEvent};
use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

/// A story's summary as kept, with what lists and windows query it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptStory {
    pub id: String,
    /// Publication days (days since 1970-01-01) of its first and newest
    /// dated articles; `None` when none is dated.
    pub first_day: Option<i32>,
    pub last_day: Option<i32>,
    /// The sort key of its newest dated article (what lists order by).
    pub last_seen: Option<String>,
    /// The names it mentions, lower-cased, one per line (what a list
    /// filtered by a name reads).
    pub names: String,
    /// The summary, as JSON.
    pub summary: String,
}

/// Story decisions, history and summaries to keep in one transaction.
#[derive(Debug, Clone, Default)]
pub struct StoriesUpdate {
    /// (article id, story id): articles placed after everything placed
    /// before, or moved to another story (they keep their place).
    pub members: Vec<(String, String)>,
    /// The merges and splits those decisions make.
    pub events: Vec<StoryEvent>,
    /// Summaries written or replaced.
    pub summaries: Vec<KeptStory>,
    /// Stories that no longer exist (merged away), whose summaries go.
    pub removed: Vec<String>,
    /// How far placing has applied the change sequence, when this update
    /// completes a step.
    pub through: Option<Progress>,
}

/// A changed article as placing sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    pub seq: u64,
    pub id: String,
    /// Its publication sort key (`None`: undated).
    pub published: Option<String>,
    /// The story it is in already, if it was placed before.
    pub story: Option<String>,
}

/// Appends `events` to the history and records `members` (see
/// `Store::save_story_members`), inside `tx`.
pub(crate) fn record_members(
    tx: &Transaction<'_>,
    members: &[(String, String)],
    events: &[StoryEvent],
) -> Result<(), StoreError> {
    let now = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut record = tx.prepare_cached(
        "INSERT INTO story_events (at, kind, story_id, other_story_id, articles) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for e in events {
        record.execute(params![now, e.kind.as_str(), e.story, e.other, e.articles as i64])?;
    }
    let next: i64 = tx.query_row(
        "SELECT COALESCE(MAX(placed), -1) + 1 FROM story_members",
        [],
        |r| r.get(0),
    )?;
    let mut write = tx.prepare_cached(
        "INSERT INTO story_members (article_id, story_id, placed) VALUES (?1, ?2, ?3)
         ON CONFLICT (article_id) DO UPDATE SET story_id = ?2",
    )?;
    for (i, (article, story)) in members.iter().enumerate() {
        write.execute(params![article, story, next + i as i64])?;
    }
    Ok(())
}

/// Keeps `update` inside `tx`.
pub(crate) fn save(tx: &Transaction<'_>, update: &StoriesUpdate) -> Result<(), StoreError> {
    record_members(tx, &update.members, &update.events)?;
    let mut remove = tx.prepare_cached("DELETE FROM stories WHERE story_id = ?1")?;
    for id in &update.removed {
        remove.execute([id])?;
    }
    let mut write = tx.prepare_cached(
        "INSERT INTO stories (story_id, first_day, last_day, last_seen, last_placed, names, summary)
         VALUES (?1, ?2, ?3, ?4,
                 (SELECT COALESCE(MAX(placed), 0) FROM story_members WHERE story_id = ?1), ?5, ?6)
         ON CONFLICT (story_id) DO UPDATE SET first_day = excluded.first_day,
             last_day = excluded.last_day, last_seen = excluded.last_seen,
             last_placed = excluded.last_placed, names = excluded.names, summary = excluded.summary",
    )?;
    for s in &update.summaries {
        write.execute(params![
            s.id,
            s.first_day,
            s.last_day,
            s.last_seen.as_deref().unwrap_or(""),
            s.names,
            s.summary
        ])?;
    }
    if let Some(progress) = &update.through {
        crate::sqlite::save_progress_in(tx, progress.clone())?;
    }
    Ok(())
}

/// Drops every story decision and summary and the placing progress (the
/// history stays), inside `tx`.
pub(crate) fn forget(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute("DELETE FROM story_members", [])?;
    tx.execute("DELETE FROM stories", [])?;
    tx.execute(
        "DELETE FROM engine_progress WHERE component = ?1",
        [Component::Stories.as_str()],
    )?;
    Ok(())
}

fn kept_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<KeptStory> {
    let last_seen: String = r.get(3)?;
    Ok(KeptStory {
        id: r.get(0)?,
        first_day: r.get(1)?,
        last_day: r.get(2)?,
        last_seen: (!last_seen.is_empty()).then_some(last_seen),
        names: r.get(4)?,
        summary: r.get(5)?,
    })
}

const KEPT_COLUMNS: &str = "story_id, first_day, last_day, last_seen, names, summary";

pub(crate) fn kept(conn: &Connection, id: &str) -> Result<Option<KeptStory>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("SELECT {KEPT_COLUMNS} FROM stories WHERE story_id = ?1"))?
        .query_row([id], kept_from)
        .optional()?)
}

/// Every kept story, most recently active first (undated last, then by
/// id), until `f` says stop.
pub(crate) fn each(conn: &Connection, f: &mut dyn FnMut(KeptStory) -> bool) -> Result<(), StoreError> {
    // Dated, then undated: two walks of `stories_by_last_seen`, so the
    // first page reads its rows only (one ORDER BY putting undated last
    // sorted every story first).
    for sql in [
        "WHERE last_seen != '' ORDER BY last_seen DESC, story_id",
        "WHERE last_seen = '' ORDER BY last_seen DESC, story_id",
    ] {
        let mut select = conn.prepare_cached(&format!("SELECT {KEPT_COLUMNS} FROM stories {sql}"))?;
        let mut rows = select.query([])?;
        while let Some(row) = rows.next()? {
            if !f(kept_from(row)?) {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// The members of the stories live in a span of days or placed into
/// lately, in placement order: read from `story_members_by_story` alone
/// (it holds the article ids), as placing reads them for every round.
pub(crate) const LIVE_MEMBERS: &str = "SELECT m.story_id, m.article_id FROM story_members m
     WHERE m.story_id IN (
         SELECT story_id FROM stories WHERE last_day >= ?1 AND first_day <= ?2
         UNION ALL SELECT story_id FROM stories WHERE last_placed >= ?3)
     ORDER BY m.placed";

/// The stories live for arrivals published from day `days.0` to `days.1`
/// (some article within those days) or placed into since placement
/// `placed_since`, each with its articles in placement order.
pub(crate) fn live(
    conn: &Connection,
    days: Option<(i32, i32)>,
    placed_since: i64,
) -> Result<Vec<(String, Vec<String>)>, StoreError> {
    let (from, to) = days.map_or((None, None), |(a, b)| (Some(a), Some(b)));
    let mut select = conn.prepare_cached(LIVE_MEMBERS)?;
    let rows = select.query_map(params![from, to, placed_since], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    crate::grouped(rows)
}

/// The articles changed after `after`, in change order, with their
/// publication sort keys and the story each is in already.
pub(crate) fn arrivals(conn: &Connection, after: u64, through: u64) -> Result<Vec<Arrival>, StoreError> {
    let mut select = conn.prepare_cached(
        "SELECT a.seq, a.id, a.published_sort, m.story_id FROM articles a
         LEFT JOIN story_members m ON m.article_id = a.id
         WHERE a.seq > ?1 AND a.seq <= ?2 ORDER BY a.seq",
    )?;
    let through = i64::try_from(through).unwrap_or(i64::MAX);
    let rows = select.query_map([after as i64, through], |r| {
        let published: String = r.get(2)?;
        Ok(Arrival {
            seq: r.get::<_, i64>(0)? as u64,
            id: r.get(1)?,
            published: (!published.is_empty()).then_some(published),
            story: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The last placement number (-1: nothing placed).
pub(crate) fn last_placed(conn: &Connection) -> Result<i64, StoreError> {
    Ok(
        conn.query_row("SELECT COALESCE(MAX(placed), -1) FROM story_members", [], |r| {
            r.get(0)
        })?,
    )
}

/// Whether a story may lack its kept summary: set where members are
/// written without summaries or summaries are dropped, cleared by
/// [`settle_unsummarised`]. Placing writes a story's members and summary in
/// one transaction, so in a store kept by placing it stays clear and the
/// check below costs a lookup instead of a scan of every member.
pub(crate) fn may_be_unsummarised(conn: &Connection) -> Result<bool, StoreError> {
    let mark: Option<i64> = conn
        .query_row(
            "SELECT value FROM store_meta WHERE key = 'unsummarised'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(mark != Some(0))
}

/// Marks that a story may now lack its kept summary, inside `tx`.
pub(crate) fn mark_unsummarised(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute(
        "INSERT OR REPLACE INTO store_meta (key, value) VALUES ('unsummarised', 1)",
        [],
    )?;
    Ok(())
}

/// Clears the mark when no story lacks its summary (checked once, by a
/// scan), inside `tx`.
pub(crate) fn settle_unsummarised(tx: &Transaction<'_>) -> Result<(), StoreError> {
    if may_be_unsummarised(tx)? && unsummarised(tx, 1)?.is_empty() {
        tx.execute(
            "INSERT OR REPLACE INTO store_meta (key, value) VALUES ('unsummarised', 0)",
            [],
        )?;
    }
    Ok(())
}

/// Up to `limit` stories with placed articles and no kept summary (placed
/// before summaries were kept, or after they were dropped), oldest first.
pub(crate) fn unsummarised(
    conn: &Connection,
    limit: usize,
) -> Result<Vec<(String, Vec<String>)>, StoreError> {
    if !may_be_unsummarised(conn)? {
        return Ok(Vec::new());
    }
    let mut select = conn.prepare_cached(
        "SELECT m.story_id, m.article_id FROM story_members m
         WHERE m.story_id IN (
             SELECT DISTINCT story_id FROM story_members
             WHERE story_id NOT IN (SELECT story_id FROM stories) LIMIT ?1)
         ORDER BY m.placed",
    )?;
    let rows = select.query_map([limit.min(i64::MAX as usize) as i64], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    crate::grouped(rows)
}
