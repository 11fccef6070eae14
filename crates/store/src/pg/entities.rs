//! Linked entities on PostgreSQL: the linker's records and index entries,
//! and where each entity is named (the same rows and rules as
//! [`crate::entities`] on SQLite).

use super::articles::save_progress_in;
use crate::{EntityArticle, KeptEntity, LinksUpdate, StoreError};
use postgres::{Client, Row, Transaction};
use std::collections::{BTreeMap, HashSet};

const ENTITY_COLUMNS: &str = "idx, entity_id, name, kind, record, articles, mentions";

fn entity(r: &Row) -> KeptEntity {
    KeptEntity {
        index: r.get::<_, i64>(0) as u64,
        id: r.get(1),
        name: r.get(2),
        kind: r.get(3),
        record: r.get(4),
        articles: r.get::<_, i64>(5) as u64,
        mentions: r.get::<_, i64>(6) as u64,
    }
}

const NAMED_COLUMNS: &str = "entity_idx, article_id, seq, position, mentions, detail";

fn named(r: &Row) -> EntityArticle {
    EntityArticle {
        entity: r.get::<_, i64>(0) as u64,
        article: r.get(1),
        seq: r.get::<_, i64>(2) as u64,
        position: r.get::<_, i32>(3) as u32,
        mentions: r.get::<_, i64>(4) as u64,
        detail: r.get(5),
    }
}

pub(super) fn count(c: &mut Client) -> Result<u64, StoreError> {
    Ok(
        c.query_one("SELECT COALESCE(MAX(idx) + 1, 0) FROM linked_entities", &[])?
            .get::<_, i64>(0) as u64,
    )
}

/// The kept values of the index entries `keys`, in one round trip.
pub(super) fn keys(c: &mut Client, keys: &[(u8, String)]) -> Result<Vec<(u8, String, String)>, StoreError> {
    let maps: Vec<i16> = keys.iter().map(|(m, _)| i16::from(*m)).collect();
    let names: Vec<&str> = keys.iter().map(|(_, k)| k.as_str()).collect();
    Ok(c.query(
        "SELECT k.map, k.key, k.value
             FROM unnest($1::smallint[], $2::text[]) WITH ORDINALITY AS wanted(map, key, n)
             JOIN linker_keys k ON k.map = wanted.map AND k.key = wanted.key
             ORDER BY wanted.n",
        &[&maps, &names],
    )?
    .iter()
    .map(|r| (r.get::<_, i16>(0) as u8, r.get(1), r.get(2)))
    .collect())
}

pub(super) fn by_index(c: &mut Client, indexes: &[u64]) -> Result<Vec<KeptEntity>, StoreError> {
    let wanted: Vec<i64> = indexes.iter().map(|&i| i.min(i64::MAX as u64) as i64).collect();
    Ok(c.query(
        &format!(
            "SELECT {ENTITY_COLUMNS} FROM unnest($1::bigint[]) WITH ORDINALITY AS wanted(idx, n)
                 JOIN linked_entities USING (idx) ORDER BY wanted.n"
        ),
        &[&wanted],
    )?
    .iter()
    .map(entity)
    .collect())
}

pub(super) fn by_id(c: &mut Client, id: &str) -> Result<Option<KeptEntity>, StoreError> {
    Ok(c.query_opt(
        &format!("SELECT {ENTITY_COLUMNS} FROM linked_entities WHERE entity_id = $1"),
        &[&id],
    )?
    .map(|r| entity(&r)))
}

pub(super) fn page(c: &mut Client, skip: usize, limit: usize) -> Result<Vec<KeptEntity>, StoreError> {
    Ok(c.query(
        &format!(
            "SELECT {ENTITY_COLUMNS} FROM linked_entities WHERE articles > 0
                 ORDER BY articles DESC, mentions DESC, name, idx LIMIT $1 OFFSET $2"
        ),
        &[
            &(limit.min(i64::MAX as usize) as i64),
            &(skip.min(i64::MAX as usize) as i64),
        ],
    )?
    .iter()
    .map(entity)
    .collect())
}

pub(super) fn articles_of(
    c: &mut Client,
    index: u64,
    before: Option<u64>,
    limit: usize,
) -> Result<Vec<EntityArticle>, StoreError> {
    let before = before.map_or(i64::MAX, |b| b.min(i64::MAX as u64) as i64);
    Ok(c.query(
        &format!(
            "SELECT {NAMED_COLUMNS} FROM entity_articles
                 WHERE entity_idx = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3"
        ),
        &[
            &(index.min(i64::MAX as u64) as i64),
            &before,
            &(limit.min(i64::MAX as usize) as i64),
        ],
    )?
    .iter()
    .map(named)
    .collect())
}

pub(super) fn naming_among(
    c: &mut Client,
    index: u64,
    articles: &[String],
) -> Result<HashSet<String>, StoreError> {
    Ok(c.query(
        "SELECT DISTINCT article_id FROM entity_articles
             WHERE entity_idx = $1 AND article_id = ANY($2)",
        &[&(index.min(i64::MAX as u64) as i64), &articles],
    )?
    .iter()
    .map(|r| r.get(0))
    .collect())
}

pub(super) fn named_in(c: &mut Client, article: &str) -> Result<Vec<EntityArticle>, StoreError> {
    Ok(c.query(
        &format!("SELECT {NAMED_COLUMNS} FROM entity_articles WHERE article_id = $1 ORDER BY position"),
        &[&article],
    )?
    .iter()
    .map(named)
    .collect())
}

/// Keeps a linking step (see [`crate::Store::save_links`]); the entities'
/// counts move by what each article named before and names now.
pub(super) fn save(tx: &mut Transaction<'_>, update: &LinksUpdate) -> Result<(), StoreError> {
    let upsert = tx.prepare(
        "INSERT INTO linked_entities (idx, entity_id, name, kind, record) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (idx) DO UPDATE SET name = excluded.name, kind = excluded.kind, record = excluded.record",
    )?;
    for e in &update.entities {
        tx.execute(&upsert, &[&(e.index as i64), &e.id, &e.name, &e.kind, &e.record])?;
    }
    let key = tx.prepare(
        "INSERT INTO linker_keys (map, key, value) VALUES ($1, $2, $3)
         ON CONFLICT (map, key) DO UPDATE SET value = excluded.value",
    )?;
    for (map, k, value) in &update.keys {
        tx.execute(&key, &[&i16::from(*map), k, value])?;
    }
    let mut moved: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    let before =
        tx.prepare("DELETE FROM entity_articles WHERE article_id = $1 RETURNING entity_idx, mentions")?;
    let insert = tx.prepare(&format!(
        "INSERT INTO entity_articles ({NAMED_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
    ))?;
    let terms = tx.prepare(
        "INSERT INTO entity_terms (article_id, terms) VALUES ($1, $2)
         ON CONFLICT (article_id) DO UPDATE SET terms = excluded.terms",
    )?;
    for a in &update.articles {
        for r in tx.query(&before, &[&a.id])? {
            let m = moved.entry(r.get(0)).or_default();
            m.0 -= 1;
            m.1 -= r.get::<_, i64>(1);
        }
        for n in &a.named {
            tx.execute(
                &insert,
                &[
                    &(n.entity as i64),
                    &a.id,
                    &(n.seq as i64),
                    &(n.position.min(i32::MAX as u32) as i32),
                    &(n.mentions as i64),
                    &n.detail,
                ],
            )?;
            let m = moved.entry(n.entity as i64).or_default();
            m.0 += 1;
            m.1 += n.mentions as i64;
        }
        tx.execute(&terms, &[&a.id, &a.terms])?;
    }
    let count = tx.prepare(
        "UPDATE linked_entities SET articles = articles + $2, mentions = mentions + $3 WHERE idx = $1",
    )?;
    for (idx, (articles, mentions)) in moved {
        if (articles, mentions) != (0, 0) {
            tx.execute(&count, &[&idx, &articles, &mentions])?;
        }
    }
    if let Some(p) = &update.through {
        save_progress_in(tx, p)?;
    }
    Ok(())
}

pub(super) fn forget(tx: &mut Transaction<'_>) -> Result<(), StoreError> {
    tx.batch_execute(
        "DELETE FROM entity_terms; DELETE FROM linked_entities; DELETE FROM linker_keys;
         DELETE FROM entity_articles;",
    )?;
    Ok(())
}
