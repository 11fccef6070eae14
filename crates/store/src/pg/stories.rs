//! Story decisions, history and kept summaries on PostgreSQL (the same
//! rows and rules as [`crate::stories`] on SQLite).

use super::articles::save_progress_in;
use crate::{grouped, Arrival, Component, KeptStory, StoreError, StoriesUpdate, StoryEvent, StoryEventKind};
use chrono::Utc;
use postgres::{Client, GenericClient, Row, Transaction};

/// Appends `events` to the history and places `members` after everything
/// placed before. The `placing` row is locked to the commit, so two
/// writers cannot hand out the same placement numbers.
pub(super) fn record_members(
    tx: &mut Transaction<'_>,
    members: &[(String, String)],
    events: &[StoryEvent],
) -> Result<(), StoreError> {
    tx.execute(
        "SELECT value FROM store_meta WHERE key = 'placing' FOR UPDATE",
        &[],
    )?;
    let now = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let record = tx.prepare(
        "INSERT INTO story_events (at, kind, story_id, other_story_id, articles) VALUES ($1, $2, $3, $4, $5)",
    )?;
    for e in events {
        tx.execute(
            &record,
            &[&now, &e.kind.as_str(), &e.story, &e.other, &(e.articles as i64)],
        )?;
    }
    let next: i64 = tx
        .query_one("SELECT COALESCE(MAX(placed), -1) + 1 FROM story_members", &[])?
        .get(0);
    let write = tx.prepare(
        "INSERT INTO story_members (article_id, story_id, placed) VALUES ($1, $2, $3)
         ON CONFLICT (article_id) DO UPDATE SET story_id = excluded.story_id",
    )?;
    for (i, (article, story)) in members.iter().enumerate() {
        tx.execute(&write, &[article, story, &(next + i as i64)])?;
    }
    Ok(())
}

pub(super) fn save(tx: &mut Transaction<'_>, update: &StoriesUpdate) -> Result<(), StoreError> {
    record_members(tx, &update.members, &update.events)?;
    let remove = tx.prepare("DELETE FROM stories WHERE story_id = $1")?;
    for id in &update.removed {
        tx.execute(&remove, &[id])?;
    }
    let write = tx.prepare(
        "INSERT INTO stories (story_id, first_day, last_day, last_seen, last_placed, names, summary)
         VALUES ($1, $2, $3, $4,
                 (SELECT COALESCE(MAX(placed), 0) FROM story_members WHERE story_id = $1), $5, $6)
         ON CONFLICT (story_id) DO UPDATE SET first_day = excluded.first_day,
             last_day = excluded.last_day, last_seen = excluded.last_seen,
             last_placed = excluded.last_placed, names = excluded.names, summary = excluded.summary",
    )?;
    for s in &update.summaries {
        tx.execute(
            &write,
            &[
                &s.id,
                &s.first_day,
                &s.last_day,
                &s.last_seen.as_deref().unwrap_or(""),
                &s.names,
                &s.summary,
            ],
        )?;
    }
    if let Some(progress) = &update.through {
        save_progress_in(tx, progress)?;
    }
    Ok(())
}

pub(super) fn forget(tx: &mut Transaction<'_>) -> Result<(), StoreError> {
    tx.batch_execute("DELETE FROM story_members; DELETE FROM stories;")?;
    tx.execute(
        "DELETE FROM engine_progress WHERE component = $1",
        &[&Component::Stories.as_str()],
    )?;
    Ok(())
}

pub(super) fn members(c: &mut Client) -> Result<Vec<(String, String)>, StoreError> {
    Ok(c.query(
        "SELECT article_id, story_id FROM story_members ORDER BY placed",
        &[],
    )?
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect())
}

pub(super) fn mates(c: &mut Client, id: &str) -> Result<Vec<String>, StoreError> {
    Ok(c.query(
        "SELECT article_id FROM story_members WHERE story_id =
                 (SELECT story_id FROM story_members WHERE article_id = $1)
             ORDER BY placed",
        &[&id],
    )?
    .iter()
    .map(|r| r.get(0))
    .collect())
}

pub(super) fn events(c: &mut Client, id: &str) -> Result<Vec<StoryEvent>, StoreError> {
    c.query(
        "SELECT at, kind, story_id, other_story_id, articles FROM story_events
         WHERE story_id = $1 OR other_story_id = $1 ORDER BY seq",
        &[&id],
    )?
    .iter()
    .map(|r| {
        let kind: &str = r.get(1);
        Ok(StoryEvent {
            at: Some(r.get(0)),
            kind: StoryEventKind::parse(kind).ok_or_else(|| StoreError::CorruptStory {
                id: id.to_string(),
                source: serde::de::Error::custom(format!("unknown story event kind {kind:?}")),
            })?,
            story: r.get(2),
            other: r.get(3),
            articles: r.get::<_, i64>(4) as usize,
        })
    })
    .collect()
}

const KEPT_COLUMNS: &str = "story_id, first_day, last_day, last_seen, names, summary";

fn kept_from(r: &Row) -> KeptStory {
    let last_seen: String = r.get(3);
    KeptStory {
        id: r.get(0),
        first_day: r.get(1),
        last_day: r.get(2),
        last_seen: (!last_seen.is_empty()).then_some(last_seen),
        names: r.get(4),
        summary: r.get(5),
    }
}

pub(super) fn kept(c: &mut Client, id: &str) -> Result<Option<KeptStory>, StoreError> {
    Ok(c.query_opt(
        &format!("SELECT {KEPT_COLUMNS} FROM stories WHERE story_id = $1"),
        &[&id],
    )?
    .map(|r| kept_from(&r)))
}

/// Kept stories most recently seen first (undated last: '' sorts lowest),
/// then by id; those after `after` (its last seen and id), at most `limit`.
pub(super) fn kept_page(
    c: &mut Client,
    after: Option<&(String, String)>,
    limit: usize,
) -> Result<Vec<KeptStory>, StoreError> {
    let rows = match after {
        None => c.query(
            &format!("SELECT {KEPT_COLUMNS} FROM stories ORDER BY last_seen DESC, story_id LIMIT $1"),
            &[&(limit as i64)],
        )?,
        Some((seen, id)) => c.query(
            &format!(
                "SELECT {KEPT_COLUMNS} FROM stories
                 WHERE last_seen < $1 OR (last_seen = $1 AND story_id > $2)
                 ORDER BY last_seen DESC, story_id LIMIT $3"
            ),
            &[seen, id, &(limit as i64)],
        )?,
    };
    Ok(rows.iter().map(kept_from).collect())
}

pub(super) fn live(
    c: &mut Client,
    days: Option<(i32, i32)>,
    placed_since: i64,
) -> Result<Vec<(String, Vec<String>)>, StoreError> {
    let (from, to) = days.map_or((None, None), |(a, b)| (Some(a), Some(b)));
    let rows = c.query(
        "SELECT m.story_id, m.article_id FROM story_members m
         WHERE m.story_id IN (
             SELECT story_id FROM stories WHERE last_day >= $1 AND first_day <= $2
             UNION ALL SELECT story_id FROM stories WHERE last_placed >= $3)
         ORDER BY m.placed",
        &[&from, &to, &placed_since],
    )?;
    grouped(rows.iter().map(|r| Ok::<_, StoreError>((r.get(0), r.get(1)))))
}

pub(super) fn arrivals(c: &mut Client, after: u64, through: u64) -> Result<Vec<Arrival>, StoreError> {
    let through = i64::try_from(through).unwrap_or(i64::MAX);
    Ok(c.query(
        "SELECT a.seq, a.id, a.published_sort, m.story_id FROM articles a
             LEFT JOIN story_members m ON m.article_id = a.id
             WHERE a.seq > $1 AND a.seq <= $2 ORDER BY a.seq",
        &[&(after.min(i64::MAX as u64) as i64), &through],
    )?
    .iter()
    .map(|r| {
        let published: String = r.get(2);
        Arrival {
            seq: r.get::<_, i64>(0) as u64,
            id: r.get(1),
            published: (!published.is_empty()).then_some(published),
            story: r.get(3),
        }
    })
    .collect())
}

pub(super) fn last_placed(c: &mut impl GenericClient) -> Result<i64, StoreError> {
    Ok(
        c.query_one("SELECT COALESCE(MAX(placed), -1) FROM story_members", &[])?
            .get(0),
    )
}

pub(super) fn may_be_unsummarised(c: &mut impl GenericClient) -> Result<bool, StoreError> {
    let mark: Option<i64> = c
        .query_opt("SELECT value FROM store_meta WHERE key = 'unsummarised'", &[])?
        .map(|r| r.get(0));
    Ok(mark != Some(0))
}

pub(super) fn mark_unsummarised(tx: &mut Transaction<'_>) -> Result<(), StoreError> {
    tx.execute("UPDATE store_meta SET value = 1 WHERE key = 'unsummarised'", &[])?;
    Ok(())
}

pub(super) fn settle_unsummarised(tx: &mut Transaction<'_>) -> Result<(), StoreError> {
    if may_be_unsummarised(tx)? && unsummarised(tx, 1)?.is_empty() {
        tx.execute("UPDATE store_meta SET value = 0 WHERE key = 'unsummarised'", &[])?;
    }
    Ok(())
}

pub(super) fn unsummarised(
    c: &mut impl GenericClient,
    limit: usize,
) -> Result<Vec<(String, Vec<String>)>, StoreError> {
    if !may_be_unsummarised(c)? {
        return Ok(Vec::new());
    }
    let rows = c.query(
        "SELECT m.story_id, m.article_id FROM story_members m
         WHERE m.story_id IN (
             SELECT DISTINCT story_id FROM story_members o
             WHERE NOT EXISTS (SELECT 1 FROM stories s WHERE s.story_id = o.story_id) LIMIT $1)
         ORDER BY m.placed",
        &[&(limit.min(i64::MAX as usize) as i64)],
    )?;
    grouped(rows.iter().map(|r| Ok::<_, StoreError>((r.get(0), r.get(1)))))
}
