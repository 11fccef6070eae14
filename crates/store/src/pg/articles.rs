//! Articles on PostgreSQL: upserts and the change sequence, reading and
//! listing, search, and the engine's progress marks.

use crate::{
    decode_article, decode_cursor, encode_cursor, search_terms, upsert_decision, ArticleSummary, Component,
    Page, Progress, SearchHit, SearchQuery, SourceSummary, StoreError, Upsert,
};
use chrono::Utc;
use postgres::error::SqlState;
use postgres::{Client, GenericClient, Row, Transaction};
use storyline_core::{id, Article, Published};

/// Rows read per round trip when a whole table is walked.
pub(super) const BATCH: usize = 1000;

/// Inserts or updates `articles` inside `tx` (see [`crate::Store::upsert`]).
///
/// The `seq` row of `store_meta` is locked first and held to the commit:
/// writers take turns, so change numbers are committed in order and a
/// follower never sees N+1 before N.
pub(super) fn upsert_in(tx: &mut Transaction<'_>, articles: &[Article]) -> Result<Vec<Upsert>, StoreError> {
    let now = Utc::now();
    let mut seq: i64 = tx
        .query_one("SELECT value FROM store_meta WHERE key = 'seq' FOR UPDATE", &[])?
        .get(0);
    let find = tx.prepare("SELECT doc, ingested_at FROM articles WHERE id = $1")?;
    let write = tx.prepare(
        "INSERT INTO articles (id, url, canonical_url, source, title, published, published_sort,
                               content_hash, ingested_at, updated_at, doc, seq)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (id) DO UPDATE SET url = $2, canonical_url = $3, source = $4, title = $5,
             published = $6, published_sort = $7, content_hash = $8, updated_at = $10, doc = $11,
             seq = $12",
    )?;
    let mut outcomes = Vec::with_capacity(articles.len());
    for article in articles {
        let existing: Option<(String, String)> =
            tx.query_opt(&find, &[&article.id])?.map(|r| (r.get(0), r.get(1)));
        let (stored, doc, outcome) = upsert_decision(
            article,
            existing.as_ref().map(|(d, at)| (d.as_str(), at.as_str())),
            now,
        );
        if outcome != Upsert::Unchanged {
            seq += 1;
            tx.execute(
                &write,
                &[
                    &stored.id,
                    &stored.url,
                    &stored.url.as_deref().map(id::canonical_url),
                    &stored.source,
                    &stored.title,
                    &stored.published.map(|p| p.to_string()),
                    &stored.published.map(|p| p.sort_key()).unwrap_or_default(),
                    &stored.content_hash,
                    &stored.ingested_at.unwrap_or(now).to_rfc3339(),
                    &now.to_rfc3339(),
                    &doc,
                    &seq,
                ],
            )?;
        }
        outcomes.push(outcome);
    }
    if outcomes.iter().any(|o| *o != Upsert::Unchanged) {
        tx.execute(
            "UPDATE store_meta SET value = value + 1 WHERE key = 'generation'",
            &[],
        )?;
        tx.execute("UPDATE store_meta SET value = $1 WHERE key = 'seq'", &[&seq])?;
    }
    Ok(outcomes)
}

/// A counter of `store_meta`.
pub(super) fn meta(c: &mut Client, key: &str) -> Result<u64, StoreError> {
    Ok(
        c.query_one("SELECT value FROM store_meta WHERE key = $1", &[&key])?
            .get::<_, i64>(0) as u64,
    )
}

pub(super) fn get(c: &mut Client, id: &str) -> Result<Option<Article>, StoreError> {
    c.query_opt("SELECT doc FROM articles WHERE id = $1", &[&id])?
        .map(|r| decode_article(id, r.get(0)))
        .transpose()
}

pub(super) fn get_by_url(c: &mut Client, url: &str) -> Result<Option<Article>, StoreError> {
    c.query_opt(
        "SELECT id, doc FROM articles WHERE canonical_url = $1 ORDER BY id LIMIT 1",
        &[&id::canonical_url(url)],
    )?
    .map(|r| decode_article(r.get(0), r.get(1)))
    .transpose()
}

fn summary(r: &Row) -> ArticleSummary {
    let published: Option<&str> = r.get(2);
    ArticleSummary {
        id: r.get(0),
        title: r.get(1),
        published: published.and_then(Published::parse),
        source: r.get(3),
        url: r.get(4),
    }
}

pub(super) fn summaries(c: &mut Client, ids: &[String]) -> Result<Vec<ArticleSummary>, StoreError> {
    let rows = c.query(
        "SELECT a.id, a.title, a.published, a.source, a.url
         FROM unnest($1::text[]) WITH ORDINALITY AS wanted(id, n)
         JOIN articles a ON a.id = wanted.id ORDER BY wanted.n",
        &[&ids],
    )?;
    Ok(rows.iter().map(summary).collect())
}

/// A page of article summaries newest first, of one source or all.
pub(super) fn list_where(
    c: &mut Client,
    source: Option<&str>,
    limit: usize,
    cursor: Option<&str>,
) -> Result<Page, StoreError> {
    let limit = limit.max(1);
    let (sort, after_id) = match cursor {
        Some(cur) => decode_cursor(cur)?,
        None => ("\u{10FFFF}".to_string(), "\u{10FFFF}".to_string()),
    };
    let rows = c.query(
        "SELECT id, title, published, source, url, published_sort FROM articles
         WHERE ($4::text IS NULL OR source = $4)
           AND (published_sort, id) < ($1, $2)
         ORDER BY published_sort DESC, id DESC LIMIT $3",
        &[&sort, &after_id, &((limit + 1) as i64), &source],
    )?;
    let mut articles: Vec<ArticleSummary> = rows.iter().map(summary).collect();
    let next_cursor = if articles.len() > limit {
        articles.pop();
        let last = &rows[limit - 1];
        Some(encode_cursor(last.get(5), last.get(0)))
    } else {
        None
    };
    Ok(Page {
        articles,
        next_cursor,
    })
}

pub(super) fn sources(c: &mut Client) -> Result<Vec<SourceSummary>, StoreError> {
    let rows = c.query(
        // Sort key, then the date as given: the earliest and latest by
        // instant, each read back as it was published.
        "SELECT source, COUNT(*),
                MIN(CASE WHEN published IS NOT NULL THEN published_sort || '|' || published END),
                MAX(CASE WHEN published IS NOT NULL THEN published_sort || '|' || published END)
         FROM articles WHERE source IS NOT NULL
         GROUP BY source ORDER BY COUNT(*) DESC, source",
        &[],
    )?;
    let day = |v: Option<&str>| {
        v.and_then(|v| v.split_once('|'))
            .and_then(|(_, published)| Published::parse(published))
    };
    Ok(rows
        .iter()
        .map(|r| SourceSummary {
            name: r.get(0),
            articles: r.get::<_, i64>(1) as u64,
            first_published: day(r.get(2)),
            last_published: day(r.get(3)),
        })
        .collect())
}

/// Up to `limit` articles with ids after `after`, by id.
pub(super) fn batch_after(c: &mut Client, after: &str, limit: usize) -> Result<Vec<Article>, StoreError> {
    c.query(
        "SELECT id, doc FROM articles WHERE id > $1 ORDER BY id LIMIT $2",
        &[&after, &(limit as i64)],
    )?
    .iter()
    .map(|r| decode_article(r.get(0), r.get(1)))
    .collect()
}

pub(super) fn changes(c: &mut Client, after: u64, limit: usize) -> Result<Vec<(u64, Article)>, StoreError> {
    c.query(
        "SELECT seq, id, doc FROM articles WHERE seq > $1 ORDER BY seq LIMIT $2",
        &[
            &(after.min(i64::MAX as u64) as i64),
            &(limit.min(i64::MAX as usize) as i64),
        ],
    )?
    .iter()
    .map(|r| Ok((r.get::<_, i64>(0) as u64, decode_article(r.get(1), r.get(2))?)))
    .collect()
}

pub(super) fn progress(c: &mut Client, component: Component) -> Result<Progress, StoreError> {
    let found = c.query_opt(
        "SELECT seq, fingerprint FROM engine_progress WHERE component = $1",
        &[&component.as_str()],
    )?;
    Ok(match found {
        Some(r) => Progress {
            component,
            seq: r.get::<_, i64>(0) as u64,
            fingerprint: r.get(1),
        },
        None => Progress::start(component),
    })
}

/// Records `progress` inside `tx`.
pub(super) fn save_progress_in(tx: &mut impl GenericClient, progress: &Progress) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO engine_progress (component, seq, fingerprint) VALUES ($1, $2, $3)
         ON CONFLICT (component) DO UPDATE SET seq = excluded.seq, fingerprint = excluded.fingerprint",
        &[
            &progress.component.as_str(),
            &(progress.seq as i64),
            &progress.fingerprint,
        ],
    )?;
    Ok(())
}

/// The `to_tsquery` text for what a user typed: words joined by `&`, a
/// phrase's words by `<->`. Words are letters and digits only (see
/// [`search_terms`]), so nothing typed is read as an operator.
fn tsquery_text(groups: &[Vec<String>]) -> String {
    groups
        .iter()
        .map(|g| match g.as_slice() {
            [word] => word.clone(),
            words => format!("({})", words.join(" <-> ")),
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// Full-text search with PostgreSQL's own text search (English stems,
/// title words weighing more), under the query's time budget: the
/// statement is cancelled by the server when the budget is spent.
pub(super) fn search(c: &mut Client, query: &SearchQuery) -> Result<Vec<SearchHit>, StoreError> {
    let groups = search_terms(&query.text)?;
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = c.transaction()?;
    if let Some(budget) = query.budget {
        tx.batch_execute(&format!(
            "SET LOCAL statement_timeout = {}",
            budget.as_millis().clamp(1, i32::MAX as u128)
        ))?;
    }
    let found = tx.query(
        "WITH q AS (SELECT to_tsquery('english', $1) AS q),
         ranked AS (
             SELECT a.id, ts_rank(a.search, q.q) AS score FROM articles a, q
             WHERE a.search @@ q.q
               AND ($2::text IS NULL OR substr(a.published_sort, 1, 10) >= $2)
               AND ($3::text IS NULL OR (a.published_sort != '' AND substr(a.published_sort, 1, 10) <= $3))
               AND ($4::text IS NULL OR a.source = $4)
               AND ($5::text IS NULL OR (a.doc::json)->>'lang' = $5)
             ORDER BY score DESC, a.id LIMIT $6 OFFSET $7)
         SELECT a.id, a.title, a.published, a.source,
                ts_headline('english', left((a.doc::json)->>'text', 262144), q.q,
                    'MaxFragments=1, MaxWords=24, MinWords=12, FragmentDelimiter=…, StartSel=' || chr(2) || ', StopSel=' || chr(3)),
                r.score
         FROM ranked r JOIN articles a ON a.id = r.id, q
         ORDER BY r.score DESC, a.id",
        &[
            &tsquery_text(&groups),
            &query.from,
            &query.to,
            &query.source,
            &query.lang,
            &(query.limit.max(1) as i64),
            &(query.offset as i64),
        ],
    );
    let rows = match found {
        Err(e) if e.code() == Some(&SqlState::QUERY_CANCELED) => {
            return Err(StoreError::OverBudget {
                budget: query.budget.unwrap_or_default(),
            })
        }
        other => other?,
    };
    tx.commit()?;
    Ok(rows
        .iter()
        .map(|r| {
            let published: Option<&str> = r.get(2);
            SearchHit {
                id: r.get(0),
                title: r.get(1),
                published: published.and_then(Published::parse),
                source: r.get(3),
                snippet: r.get::<_, Option<String>>(4).unwrap_or_default(),
                score: f64::from(r.get::<_, f32>(5)),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_phrases_make_a_tsquery_without_operators_from_the_input() {
        let groups = search_terms("Moscow \"marched on\" & | ! <-> (x").unwrap();
        assert_eq!(tsquery_text(&groups), "moscow & (marched <-> on) & x");
    }
}
