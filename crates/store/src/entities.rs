//! Linked entities as the store keeps them, in SQLite: each entity's
//! record with how widely it is named, the linker's index entries, and
//! where each entity is named (one row per entity and article, with the
//! mentions, quotes and statements there), so that linking the next
//! article and every entity page read rows instead of linking the store.
//!
//! What is one entity is `storyline-extract`'s linking; records, index
//! values and details are kept as the strings it hands over, so the store
//! does not depend on how entities are linked.

use crate::{Progress, StoreError};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use std::collections::HashSet;

/// A linked entity as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptEntity {
    /// Its index in the linker (the order entities were first named).
    pub index: u64,
    pub id: String,
    pub name: String,
    pub kind: String,
    /// The linker's record of it (JSON).
    pub record: String,
    /// How many articles name it, and with how many mentions in all.
    pub articles: u64,
    pub mentions: u64,
}

/// Where one entity is named: one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityArticle {
    pub entity: u64,
    pub article: String,
    /// The article's change number when it was linked (link order).
    pub seq: u64,
    /// Its place among the article's entities, by first mention.
    pub position: u32,
    pub mentions: u64,
    /// Its mentions, quotes and statements about it there (JSON).
    pub detail: String,
}

/// One linked article to keep: its linked entities as the index reads
/// them (JSON) and where each entity is named in it.
#[derive(Debug, Clone, Default)]
pub struct LinkedArticle {
    pub id: String,
    pub terms: String,
    pub named: Vec<EntityArticle>,
}

/// What one linking step keeps, in one transaction.
#[derive(Debug, Clone, Default)]
pub struct LinksUpdate {
    /// Entity records written or replaced (their counts are the store's).
    pub entities: Vec<KeptEntity>,
    /// Linker index entries: (index, key, value).
    pub keys: Vec<(u8, String, String)>,
    /// Articles linked (again): what they named before is replaced.
    pub articles: Vec<LinkedArticle>,
    pub through: Option<Progress>,
}

const ENTITY_COLUMNS: &str = "idx, entity_id, name, kind, record, articles, mentions";

fn entity(r: &Row<'_>) -> rusqlite::Result<KeptEntity> {
    Ok(KeptEntity {
        index: r.get::<_, i64>(0)? as u64,
        id: r.get(1)?,
        name: r.get(2)?,
        kind: r.get(3)?,
        record: r.get(4)?,
        articles: r.get::<_, i64>(5)? as u64,
        mentions: r.get::<_, i64>(6)? as u64,
    })
}

const NAMED_COLUMNS: &str = "entity_idx, article_id, seq, position, mentions, detail";

fn named(r: &Row<'_>) -> rusqlite::Result<EntityArticle> {
    Ok(EntityArticle {
        entity: r.get::<_, i64>(0)? as u64,
        article: r.get(1)?,
        seq: r.get::<_, i64>(2)? as u64,
        position: r.get(3)?,
        mentions: r.get::<_, i64>(4)? as u64,
        detail: r.get(5)?,
    })
}

pub(crate) fn count(conn: &Connection) -> Result<u64, StoreError> {
    Ok(
        conn.query_row("SELECT COALESCE(MAX(idx) + 1, 0) FROM linked_entities", [], |r| {
            r.get::<_, i64>(0)
        })? as u64,
    )
}

/// The kept values of `keys`. The lookups share one read transaction:
/// linking a batch asks for tens of thousands, and each statement on its
/// own would take and release the database's read lock.
pub(crate) fn keys(
    conn: &Connection,
    keys: &[(u8, String)],
) -> Result<Vec<(u8, String, String)>, StoreError> {
    let tx = conn.unchecked_transaction()?;
    let mut found = Vec::new();
    {
        let mut select = tx.prepare_cached("SELECT value FROM linker_keys WHERE map = ?1 AND key = ?2")?;
        for (map, key) in keys {
            if let Some(value) = select
                .query_row(params![map, key], |r| r.get::<_, String>(0))
                .optional()?
            {
                found.push((*map, key.clone(), value));
            }
        }
    }
    tx.finish()?;
    Ok(found)
}

/// The kept entities at `indexes`, read in one transaction (see `keys`).
pub(crate) fn by_index(conn: &Connection, indexes: &[u64]) -> Result<Vec<KeptEntity>, StoreError> {
    let tx = conn.unchecked_transaction()?;
    let mut found = Vec::with_capacity(indexes.len());
    {
        let mut select = tx.prepare_cached(&format!(
            "SELECT {ENTITY_COLUMNS} FROM linked_entities WHERE idx = ?1"
        ))?;
        for &i in indexes {
            if let Some(e) = select.query_row([i as i64], entity).optional()? {
                found.push(e);
            }
        }
    }
    tx.finish()?;
    Ok(found)
}

pub(crate) fn by_id(conn: &Connection, id: &str) -> Result<Option<KeptEntity>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {ENTITY_COLUMNS} FROM linked_entities WHERE entity_id = ?1"
        ))?
        .query_row([id], entity)
        .optional()?)
}

pub(crate) fn page(conn: &Connection, skip: usize, limit: usize) -> Result<Vec<KeptEntity>, StoreError> {
    let mut select = conn.prepare_cached(&format!(
        "SELECT {ENTITY_COLUMNS} FROM linked_entities WHERE articles > 0
         ORDER BY articles DESC, mentions DESC, name, idx LIMIT ?1 OFFSET ?2"
    ))?;
    let rows = select.query_map(params![limit as i64, skip as i64], entity)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The change numbers of one era of `entity_articles_by_era` are those
/// with the same `seq >> ERA_BITS` (the index's expression must read the
/// same, or SQLite does not use it).
///
/// Why eras: where entities are named is an inverted list that grows at
/// random places, one row per entity of each article linked. Indexed on
/// (entity, seq), a linking step of a thousand articles put its
/// seventeen thousand rows in about as many index pages once the store
/// held a million articles, each written to the write-ahead log and again
/// to the database: most of what an ingest wrote. With the era first,
/// a step writes only the latest era's part of the index (at most 16,384
/// changes' rows), whatever the store's size; reading an entity's articles
/// in order looks it up in each era in turn, one index search per era.
const ERA_BITS: u32 = 14;

pub(crate) fn articles_of(
    conn: &Connection,
    index: u64,
    before: Option<u64>,
    limit: usize,
) -> Result<Vec<EntityArticle>, StoreError> {
    let last: Option<i64> = conn
        .prepare_cached(&format!("SELECT MAX(seq >> {ERA_BITS}) FROM entity_articles"))?
        .query_row([], |r| r.get(0))?;
    let Some(mut last) = last else {
        return Ok(Vec::new());
    };
    let before = match before {
        Some(0) => return Ok(Vec::new()),
        Some(b) => {
            let b = b.min(i64::MAX as u64) as i64;
            last = last.min((b - 1) >> ERA_BITS);
            b
        }
        None => i64::MAX,
    };
    let mut select = conn.prepare_cached(&format!(
        "SELECT {NAMED_COLUMNS} FROM entity_articles
         WHERE seq >> {ERA_BITS} = ?1 AND entity_idx = ?2 AND seq < ?3 ORDER BY seq DESC LIMIT ?4"
    ))?;
    let mut found = Vec::new();
    for era in (0..=last).rev() {
        let wanted = limit - found.len();
        if wanted == 0 {
            break;
        }
        let rows = select.query_map(
            params![era, index as i64, before, wanted.min(i64::MAX as usize) as i64],
            named,
        )?;
        for row in rows {
            found.push(row?);
        }
    }
    Ok(found)
}

pub(crate) fn naming_among(
    conn: &Connection,
    index: u64,
    articles: &[String],
) -> Result<HashSet<String>, StoreError> {
    // One look at each article's few rows (`entity_articles_by_article`),
    // whatever the number of articles naming the entity.
    let mut names = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM entity_articles WHERE article_id = ?1 AND entity_idx = ?2)",
    )?;
    let mut found = HashSet::new();
    for a in articles {
        if names.query_row(params![a, index as i64], |r| r.get::<_, bool>(0))? {
            found.insert(a.clone());
        }
    }
    Ok(found)
}

pub(crate) fn named_in(conn: &Connection, article: &str) -> Result<Vec<EntityArticle>, StoreError> {
    let mut select = conn.prepare_cached(&format!(
        "SELECT {NAMED_COLUMNS} FROM entity_articles WHERE article_id = ?1 ORDER BY position"
    ))?;
    let rows = select.query_map([article], named)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Keeps `update` inside `tx`: records first, then each article's rows
/// replacing what it named before, with the entities' counts moved along.
pub(crate) fn save(tx: &Transaction<'_>, update: &LinksUpdate) -> Result<(), StoreError> {
    let mut upsert = tx.prepare_cached(
        "INSERT INTO linked_entities (idx, entity_id, name, kind, record) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (idx) DO UPDATE SET name = excluded.name, kind = excluded.kind, record = excluded.record",
    )?;
    for e in &update.entities {
        upsert.execute(params![e.index as i64, e.id, e.name, e.kind, e.record])?;
    }
    let mut key = tx.prepare_cached(
        "INSERT INTO linker_keys (map, key, value) VALUES (?1, ?2, ?3)
         ON CONFLICT (map, key) DO UPDATE SET value = excluded.value",
    )?;
    for (map, k, value) in &update.keys {
        key.execute(params![map, k, value])?;
    }
    // Each entity's counts move once per step, by what the step's
    // articles named less what they named before.
    let mut moved: std::collections::BTreeMap<i64, (i64, i64)> = Default::default();
    let mut before =
        tx.prepare_cached("SELECT entity_idx, mentions FROM entity_articles WHERE article_id = ?1")?;
    let mut drop = tx.prepare_cached("DELETE FROM entity_articles WHERE article_id = ?1")?;
    let mut insert = tx.prepare_cached(&format!(
        "INSERT INTO entity_articles ({NAMED_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    ))?;
    let mut terms = tx.prepare_cached(
        "INSERT INTO entity_terms (article_id, terms) VALUES (?1, ?2)
         ON CONFLICT (article_id) DO UPDATE SET terms = excluded.terms",
    )?;
    for a in &update.articles {
        let old: Vec<(i64, i64)> = before
            .query_map([&a.id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        if !old.is_empty() {
            drop.execute([&a.id])?;
        }
        for (idx, mentions) in old {
            let m = moved.entry(idx).or_default();
            m.0 -= 1;
            m.1 -= mentions;
        }
        for n in &a.named {
            insert.execute(params![
                n.entity as i64,
                a.id,
                n.seq as i64,
                n.position,
                n.mentions as i64,
                n.detail
            ])?;
            let m = moved.entry(n.entity as i64).or_default();
            m.0 += 1;
            m.1 += n.mentions as i64;
        }
        terms.execute(params![a.id, a.terms])?;
    }
    let mut count = tx.prepare_cached(
        "UPDATE linked_entities SET articles = articles + ?2, mentions = mentions + ?3 WHERE idx = ?1",
    )?;
    for (idx, (articles, mentions)) in moved {
        if (articles, mentions) != (0, 0) {
            count.execute(params![idx, articles, mentions])?;
        }
    }
    if let Some(p) = &update.through {
        crate::sqlite::save_progress_in(tx, p.clone())?;
    }
    Ok(())
}

/// Drops every kept link, inside `tx`.
pub(crate) fn forget(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute_batch(
        "DELETE FROM entity_terms; DELETE FROM linked_entities; DELETE FROM linker_keys;
         DELETE FROM entity_articles;",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SqliteStore, Store};

    fn entity(index: u64, id: &str) -> KeptEntity {
        KeptEntity {
            index,
            id: id.into(),
            name: id.to_uppercase(),
            kind: "PERSON".into(),
            record: "{}".into(),
            articles: 0,
            mentions: 0,
        }
    }

    fn named(entity: u64, article: &str, seq: u64, position: u32, mentions: u64) -> EntityArticle {
        EntityArticle {
            entity,
            article: article.into(),
            seq,
            position,
            mentions,
            detail: format!("{{\"at\":{position}}}"),
        }
    }

    fn linked(id: &str, named: Vec<EntityArticle>) -> LinkedArticle {
        LinkedArticle {
            id: id.into(),
            terms: "[]".into(),
            named,
        }
    }

    #[test]
    fn an_entitys_articles_come_in_link_order_across_eras() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(dir.path()).unwrap();
        let era = 1u64 << ERA_BITS;
        // Linked out of order on purpose: the order is the change numbers'.
        let seqs = [era + 1, 1, 3 * era + 7, era - 1, era, 5 * era];
        let articles = seqs
            .iter()
            .map(|&seq| {
                let id = format!("a{seq}");
                linked(&id, vec![named(0, &id, seq, 0, 1), named(1, &id, seq, 1, 1)])
            })
            .chain([linked("other", vec![named(1, "other", 2 * era, 0, 1)])])
            .collect();
        store
            .save_links(&LinksUpdate {
                entities: vec![entity(0, "ent-a"), entity(1, "ent-b")],
                articles,
                ..LinksUpdate::default()
            })
            .unwrap();
        let mut sorted = seqs.to_vec();
        sorted.sort_unstable();
        let ids = |seqs: &[u64]| seqs.iter().map(|s| format!("a{s}")).collect::<Vec<_>>();
        let read = |before, limit| -> Vec<String> {
            store
                .entity_articles(0, before, limit)
                .unwrap()
                .into_iter()
                .map(|r| r.article)
                .collect()
        };
        let newest: Vec<u64> = sorted.iter().rev().copied().collect();
        assert_eq!(read(None, usize::MAX), ids(&newest));
        assert_eq!(
            read(None, 4),
            ids(&newest[..4]),
            "the newest four span three eras"
        );
        assert!(read(None, 0).is_empty());
        // Paged by the change number of the last row read.
        let mut paged = Vec::new();
        let mut before = None;
        loop {
            let page = store.entity_articles(0, before, 2).unwrap();
            let Some(last) = page.last() else { break };
            before = Some(last.seq);
            paged.extend(page.into_iter().map(|r| r.article));
        }
        assert_eq!(paged, ids(&newest));
        assert_eq!(
            read(Some(era), 10),
            ids(&[era - 1, 1]),
            "before an era's first change"
        );
        assert_eq!(read(Some(era + 1), 10), ids(&[era, era - 1, 1]));
        assert!(read(Some(1), 10).is_empty());
        assert!(read(Some(0), 10).is_empty());
        assert_eq!(
            store.entity_articles(1, None, usize::MAX).unwrap().len(),
            seqs.len() + 1
        );
        assert!(store.entity_articles(7, None, 10).unwrap().is_empty());
        let among = store
            .naming_among(
                0,
                &ids(&[1, 2 * era])
                    .into_iter()
                    .chain(["other".to_string(), "nowhere".into()])
                    .collect::<Vec<_>>(),
            )
            .unwrap();
        assert_eq!(among, HashSet::from(["a1".to_string()]));
        assert_eq!(
            store
                .naming_among(1, &["other".to_string(), "a1".into()])
                .unwrap()
                .len(),
            2
        );
        // Each era is one search of the era index (its expression and
        // ERA_BITS agree), not a scan.
        let plan: String = Connection::open(store.path())
            .unwrap()
            .query_row(
                &format!(
                    "EXPLAIN QUERY PLAN SELECT {NAMED_COLUMNS} FROM entity_articles
                     WHERE seq >> {ERA_BITS} = 1 AND entity_idx = 0 AND seq < 99999 ORDER BY seq DESC LIMIT 5"
                ),
                [],
                |r| r.get(3),
            )
            .unwrap();
        assert!(plan.contains("USING INDEX entity_articles_by_era"), "{plan}");
    }
}
