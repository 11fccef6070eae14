//! The entity catalogue as pages read it, from what linking kept
//! (`links`): the entities most widely named, one entity a page of the
//! articles naming it at a time, and the entities, quotes and statements of a few
//! articles (a story's, an article and its Similar Posts). Each answer
//! assembles a small catalogue from the store's rows, so the catalogue's
//! own methods (`key_quotes`, `quotes_about`, `named_with`, …) answer it
//! and no page links the store again.
//!
//! Not here: linking and keeping links (`links`), the linking rules and
//! the page queries themselves (`storyline_extract::linking`).

use crate::EngineError;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use storyline_extract::linking::{lookup_keys, Catalog, EntityRecord, Linked, NamedLinks};
use storyline_store::{EntityArticle, KeptEntity, Store, StoreError};

/// The newest articles of an entity's page whose other entities it reads
/// (for quotes about it and who is named with it).
const NEIGHBOURHOOD: usize = 500;

/// One entity in a list: its names and how widely it is named.
#[derive(Debug, Clone, Serialize)]
pub struct EntitySummary {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub aliases: Vec<String>,
    pub roles: Vec<String>,
    /// How many articles name it.
    pub articles: u64,
    /// How many mentions in all.
    pub mentions: u64,
}

fn record(e: &KeptEntity) -> Result<EntityRecord, EngineError> {
    serde_json::from_str(&e.record).map_err(|err| {
        StoreError::CorruptLinks(format!("the record of entity {} is unreadable: {err}", e.id)).into()
    })
}

/// Linked entities, most widely named first, from `skip`, at most `limit`.
pub fn entity_page(store: &dyn Store, skip: usize, limit: usize) -> Result<Vec<EntitySummary>, EngineError> {
    store
        .linked_entity_page(skip, limit)?
        .into_iter()
        .map(|e| {
            let r = record(&e)?;
            Ok(EntitySummary {
                id: e.id,
                name: e.name,
                kind: e.kind,
                aliases: r.aliases,
                roles: r.roles,
                articles: e.articles,
                mentions: e.mentions,
            })
        })
        .collect()
}

/// The id of the entity `id_or_name` is the id, name or alias of.
pub fn entity_id(store: &dyn Store, id_or_name: &str) -> Result<Option<String>, EngineError> {
    if let Some(e) = store.linked_entity(id_or_name)? {
        return Ok(Some(e.id));
    }
    let asked: Vec<(u8, String)> = lookup_keys(id_or_name)
        .into_iter()
        .map(|k| (k.map.code(), k.key))
        .collect();
    let mut found: Vec<u64> = store
        .linker_keys(&asked)?
        .into_iter()
        .filter_map(|(_, _, value)| value.trim().parse().ok())
        .collect();
    found.sort_unstable();
    Ok(store
        .linked_entities(&found[..found.len().min(1)])?
        .into_iter()
        .next()
        .map(|e| e.id))
}

/// The name of entity `id` and the newest `limit` articles naming it,
/// newest linked first; `None` when there is no such entity.
pub fn articles_naming(
    store: &dyn Store,
    id: &str,
    limit: usize,
) -> Result<Option<(String, Vec<String>)>, EngineError> {
    let Some(e) = store.linked_entity(id)? else {
        return Ok(None);
    };
    let articles = store
        .entity_articles(e.index, None, limit)?
        .into_iter()
        .map(|r| r.article)
        .collect();
    Ok(Some((e.name, articles)))
}

/// Those of `articles` that name entity `id` (none when there is no such
/// entity): a filter costing one look per candidate, however widely the
/// entity is named.
pub fn naming_among(
    store: &dyn Store,
    id: &str,
    articles: &[String],
) -> Result<HashSet<String>, EngineError> {
    match store.linked_entity(id)? {
        Some(e) => Ok(store.naming_among(e.index, articles)?),
        None => Ok(HashSet::new()),
    }
}

/// One page of an entity: a catalogue of a page of the articles naming
/// it (and of what the newest of those name), with its totals.
pub struct EntityView {
    /// The entity's id.
    pub id: String,
    /// Holds the page's articles only: the entity's `articles`, `mentions`
    /// and `quotes` are this page's.
    pub catalog: Catalog,
    /// How many articles name it, and with how many mentions, in all.
    pub articles: u64,
    pub mentions: u64,
    /// Where the next, older page starts (`before` of `around_entity`).
    pub next: Option<u64>,
}

/// The entity as the API and `storyline entity --json` give it: the
/// catalogue's entity (this page's articles, mentions and quotes) with
/// its totals and the cursor of the next page.
#[derive(Serialize)]
pub struct EntityAnswer<'a> {
    #[serde(flatten)]
    pub entity: &'a Linked,
    pub article_count: u64,
    pub mention_count: u64,
    pub next_cursor: Option<String>,
}

impl EntityView {
    /// The entity itself, as this page's catalogue links it.
    pub fn entity(&self) -> Option<&Linked> {
        self.catalog.get(&self.id)
    }

    pub fn answer(&self) -> Option<EntityAnswer<'_>> {
        Some(EntityAnswer {
            entity: self.entity()?,
            article_count: self.articles,
            mention_count: self.mentions,
            next_cursor: self.next.map(|n| n.to_string()),
        })
    }
}

/// A page of entity `id`: at most `limit` of the articles naming it,
/// newest linked first from `before` (the `next` of the page before), and
/// the other entities of the newest of those (`NEIGHBOURHOOD`). `None`
/// when no such entity is kept. Bounded by `limit` however widely the
/// entity is named (hundreds of thousands of articles in a large store).
pub fn around_entity(
    store: &dyn Store,
    id: &str,
    before: Option<u64>,
    limit: usize,
) -> Result<Option<EntityView>, EngineError> {
    let Some(me) = store.linked_entity(id)? else {
        return Ok(None);
    };
    let mut mine = store.entity_articles(me.index, before, limit.saturating_add(1))?;
    let next = if mine.len() > limit {
        mine.truncate(limit);
        mine.last().map(|r| r.seq)
    } else {
        None
    };
    let mut rows = Vec::new();
    for newest in mine.iter().take(NEIGHBOURHOOD) {
        rows.extend(
            store
                .article_entities(&newest.article)?
                .into_iter()
                .filter(|r| r.entity != me.index),
        );
    }
    rows.extend(mine);
    Ok(Some(EntityView {
        id: me.id,
        catalog: assemble(store, rows)?,
        articles: me.articles,
        mentions: me.mentions,
        next,
    }))
}

/// A catalogue of what `articles` name (a story's; an article and those
/// shown beside it).
pub fn of_articles(store: &dyn Store, articles: &[String]) -> Result<Catalog, EngineError> {
    let mut rows = Vec::new();
    for a in articles {
        rows.extend(store.article_entities(a)?);
    }
    assemble(store, rows)
}

/// A catalogue of kept rows: grouped by article in the order they were
/// linked, with the records of the entities they name and of the
/// speakers of statements about them. A row whose detail is unreadable
/// is left out, with a warning.
fn assemble(store: &dyn Store, mut rows: Vec<EntityArticle>) -> Result<Catalog, EngineError> {
    rows.sort_by(|a, b| (a.seq, &a.article, a.position).cmp(&(b.seq, &b.article, b.position)));
    rows.dedup_by(|a, b| a.entity == b.entity && a.article == b.article);
    let mut needed = BTreeSet::new();
    let mut articles: Vec<(String, Vec<NamedLinks>)> = Vec::new();
    for row in rows {
        let named: NamedLinks = match serde_json::from_str(&row.detail) {
            Ok(n) => n,
            Err(err) => {
                tracing::warn!(article = %row.article, "engine: unreadable kept links of an entity: {err}");
                continue;
            }
        };
        needed.insert(row.entity);
        needed.extend(named.said_about.iter().map(|(speaker, _)| *speaker as u64));
        match articles.last_mut() {
            Some((a, list)) if *a == row.article => list.push(named),
            _ => articles.push((row.article, vec![named])),
        }
    }
    let indexes: Vec<u64> = needed.into_iter().collect();
    let mut records = BTreeMap::new();
    for e in store.linked_entities(&indexes)? {
        records.insert(e.index as usize, record(&e)?);
    }
    Ok(Catalog::assemble(records.into_iter().collect(), articles))
}
