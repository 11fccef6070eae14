//! Linking each arriving article's entities to those named before, and
//! keeping the outcome: the article's linked entities (what the Similar
//! Posts index and story placing read), where each entity is named (what
//! entity pages read, `book`), and the linker's state as rows — entity
//! records and index entries — of which linking an article loads only
//! those its names touch, so linking one costs the same at a thousand
//! articles and at a million.
//!
//! Articles are linked in the order they changed, a batch at a time; each
//! batch keeps what it changed and the progress in one transaction, so a
//! crash resumes after the last batch kept. The rules that decide what is
//! one entity are `storyline_extract::linking`'s.

use crate::{Engine, EngineError, Served};
use rustc_hash::FxHashSet;
use std::collections::HashMap;
use storyline_core::{Article, EntityTerm};
use storyline_extract::linking::{
    ArticleLinks, Catalog, EntityRecord, IndexKey, KeptError, KeyMap, LinkerDelta, LinkerMemory,
};
use storyline_extract::Analysis;
use storyline_store::{
    Component, EntityArticle, KeptEntity, LinkedArticle, LinksUpdate, Progress, Store, StoreError,
};
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// The changes a kept linking step covers (see [`Linker::link`]).
const LINK_STEP: u64 = 1024;

/// Analyses a linker remembers, a few steps' worth (see [`Linker::remember`]).
const FRESH_KEPT: usize = 4 * LINK_STEP as usize;

/// Entities a linking process keeps loaded between batches before it
/// starts afresh (each batch loads again what its names touch).
const LOADED_ENTITIES: usize = 200_000;

/// Links the entities of every article changed since linking last caught
/// up, from the analyses pages serve (an older analyser's while an upgrade
/// is analysing the store again); returns whether every article was
/// linked again (the on-disk index is then written again).
///
/// The progress records the analyser whose analyses every linked article
/// had (none when some had an older one). Once an upgrade's catch-up has
/// analysed the whole store again, every article is linked again with the
/// new analyses. Kept state that does not hold together is dropped and
/// every article linked again, with a warning.
pub(crate) fn catch_up(engine: &Engine, store: &mut dyn Store) -> Result<bool, EngineError> {
    let progress = store.progress(Component::Linking)?;
    let current = engine.analyser.fingerprint();
    let settled = engine.backlog(store)? == 0;
    let mut relinked = false;
    if progress.seq > 0 && progress.fingerprint != current && settled {
        tracing::info!("engine: every article has a new analysis; linking them all again");
        store.forget_links()?;
        relinked = true;
    }
    match link_changed(engine, store) {
        Err(EngineError::Store(StoreError::CorruptLinks(why))) => {
            tracing::warn!("engine: {why}; linking every article again");
            store.forget_links()?;
            link_changed(engine, store)?;
            Ok(true)
        }
        done => done.map(|()| relinked),
    }
}

fn link_changed(engine: &Engine, store: &mut dyn Store) -> Result<(), EngineError> {
    Linker::new(engine, store)?.link(store, None)
}

/// One linking pass over the store's changes, which may be taken up again
/// as analyses arrive ([`Linker::link`] up to a change): the catalogue it
/// loaded is kept between its steps. It holds no store: every step is
/// given the writer.
pub(crate) struct Linker<'e> {
    engine: &'e Engine,
    /// The analyser's fingerprint.
    current: String,
    /// The last change linked.
    seq: u64,
    /// Whether every article linked so far had a current analysis.
    all_current: bool,
    catalog: Option<Catalog>,
    /// Every key the store holds, when this pass began on a store that held
    /// none (see [`FiledKeys`]).
    filed: Option<FiledKeys>,
    /// Keys this pass did not ask the store for, knowing it held none.
    unasked: u64,
    /// The entities the store holds after this pass's last step: another
    /// count means another process linked in between, and what this pass
    /// holds of the kept state is dropped.
    entities: u64,
    /// Analyses just computed, by their keys, not yet linked.
    fresh: HashMap<String, Analysis>,
}

/// The index keys a linking pass has filed, hashed, when it began on a
/// store that held none: every key the store holds is then one of them,
/// so a key not among them is not asked of the store. Most keys a new
/// name is looked up under (its name and initials under every type, its
/// surname, its organisation core) are kept for no entity, and while
/// linking a bulk load into an empty store asked for each, every lookup
/// in the keys' table (millions of rows) found nothing. A hash two keys
/// share only makes the other one asked for. Eight bytes a key: about
/// 30 MB at a million articles.
#[derive(Default)]
struct FiledKeys(FxHashSet<u64>);

impl FiledKeys {
    fn hash(key: &IndexKey) -> u64 {
        xxh3_64_with_seed(key.key.as_bytes(), u64::from(key.map.code()))
    }

    fn may_hold(&self, key: &IndexKey) -> bool {
        self.0.contains(&FiledKeys::hash(key))
    }

    fn file(&mut self, key: &IndexKey) {
        self.0.insert(FiledKeys::hash(key));
    }
}

impl<'e> Linker<'e> {
    /// A pass from where linking stopped, with the engine's analyser.
    pub(crate) fn new(engine: &'e Engine, store: &dyn Store) -> Result<Linker<'e>, EngineError> {
        let current = engine.analyser.fingerprint();
        let progress = store.progress(Component::Linking)?;
        let entities = store.linked_count()?;
        Ok(Linker {
            engine,
            seq: progress.seq,
            all_current: progress.seq == 0 || progress.fingerprint == current,
            current,
            catalog: None,
            filed: (entities == 0).then(FiledKeys::default),
            unasked: 0,
            entities,
            fresh: HashMap::new(),
        })
    }

    /// Takes analyses just computed (by their keys), so that linking them
    /// does not read them back from the store. An analysis not taken this
    /// way is read from the store, as it would be anyway: what is
    /// remembered is bounded by dropping what was never asked for.
    pub(crate) fn remember(&mut self, fresh: Vec<(String, Analysis)>) {
        if self.fresh.len() > FRESH_KEPT {
            self.fresh.clear();
        }
        self.fresh.extend(fresh);
    }

    /// Links what analysis has kept, up to change `through`, when there is
    /// a linker; after an error the linker is dropped, and what it did not
    /// reach is left to [`Engine::link_new`] (which starts from what was
    /// kept).
    pub(crate) fn link_behind(linker: &mut Option<Linker<'e>>, store: &mut dyn Store, through: u64) {
        if let Some(l) = linker {
            if let Err(e) = l.link(store, Some(through)) {
                tracing::debug!(error = %e, "engine: linking beside analysis stopped");
                *linker = None;
            }
        }
    }

    /// Links the articles changed after the last one linked, up to change
    /// `until` (every one when `None`), a kept step at a time. After an
    /// error the pass is dropped (its catalogue may hold what was not kept).
    ///
    /// A step covers a fixed range of change numbers (`LINK_STEP` of
    /// them), whatever `until` the calls bring: an article's entity names
    /// are taken when its step ends, so steps that followed how far
    /// analysis had got (which depends on timing when it follows an
    /// ingest) would link the same store differently from run to run. With
    /// an `until`, only whole steps up to it are linked.
    pub(crate) fn link(&mut self, store: &mut dyn Store, until: Option<u64>) -> Result<(), EngineError> {
        loop {
            self.take_up(store)?;
            let end = (self.seq / LINK_STEP + 1) * LINK_STEP;
            if until.is_some_and(|until| until < end) {
                return Ok(());
            }
            // Changes have distinct numbers: no more than `LINK_STEP` are
            // in the step; one more says whether later ones exist.
            let mut changes = store.changes(self.seq, LINK_STEP as usize + 1)?;
            let later = changes.last().is_some_and(|&(change, _)| change > end);
            changes.retain(|&(change, _)| change <= end);
            if let Some(&(through, _)) = changes.last() {
                self.step(store, &changes, through)?;
                self.seq = through;
            }
            if !later {
                return Ok(());
            }
            // A change after the step: none can join it any more.
            self.seq = end;
        }
    }

    /// Takes up from what another process kept, if one linked since this
    /// pass's last step (two linkers on one store: a server and an
    /// ingest): the catalogue this pass loaded and the keys it filed are
    /// no longer all there is.
    fn take_up(&mut self, store: &dyn Store) -> Result<(), EngineError> {
        let kept = store.progress(Component::Linking)?.seq;
        let entities = store.linked_count()?;
        if kept > self.seq || self.entities != entities {
            tracing::warn!(
                "engine: another process linked entities beside this one; going on from what it kept"
            );
            self.catalog = None;
            self.filed = None;
            self.seq = self.seq.max(kept);
            self.entities = entities;
        }
        Ok(())
    }

    /// Links `changes` and keeps what they changed with the progress `through`.
    fn step(
        &mut self,
        store: &mut dyn Store,
        changes: &[(u64, Article)],
        through: u64,
    ) -> Result<(), EngineError> {
        let mut analysed = Vec::with_capacity(changes.len());
        for (change, article) in changes {
            if let Some(analysis) = self.fresh.remove(&self.engine.analyser.key(article)) {
                analysed.push((*change, article, analysis));
                continue;
            }
            let analysis = match self.engine.serving_analysis(store, article)? {
                Served::Current(a) => a,
                Served::Older(a) => {
                    self.all_current = false;
                    a
                }
                Served::Missing => {
                    self.all_current = false;
                    Analysis::default()
                }
            };
            analysed.push((*change, article, analysis));
        }
        if self
            .catalog
            .as_ref()
            .is_some_and(|c| c.loaded() > LOADED_ENTITIES)
        {
            self.catalog = None;
        }
        let catalog = match &mut self.catalog {
            Some(c) => c,
            // `take_up` has just brought the count up to date.
            None => self.catalog.insert(Catalog::kept(self.entities as usize)),
        };
        let named: Vec<_> = analysed.iter().flat_map(|(_, _, a)| &a.entities).collect();
        let mut memory = Memory {
            store: &*store,
            filed: self.filed.as_ref(),
            unasked: 0,
        };
        let prepared = catalog.prepare(&named, &mut memory);
        self.unasked += memory.unasked;
        prepared.map_err(|e| match e {
            KeptError::Memory(e) => e,
            KeptError::Corrupt(why) => EngineError::Store(StoreError::CorruptLinks(why)),
        })?;
        for (_, article, analysis) in &analysed {
            catalog.add_analysis(&article.id, analysis);
        }
        let seqs: HashMap<&str, u64> = analysed.iter().map(|(s, a, _)| (a.id.as_str(), *s)).collect();
        let delta = catalog.take_delta();
        if let Some(filed) = &mut self.filed {
            delta.keys.iter().for_each(|(key, _)| filed.file(key));
        }
        let mut linked = catalog.take_articles();
        // An article naming no entity still replaces what it named before.
        let mut empty: Vec<ArticleLinks> = analysed
            .iter()
            .filter(|(_, a, _)| {
                linked
                    .binary_search_by(|l| l.article.as_str().cmp(&a.id))
                    .is_err()
            })
            .map(|(_, a, _)| ArticleLinks {
                article: a.id.clone(),
                named: Vec::new(),
                terms: Vec::new(),
            })
            .collect();
        linked.append(&mut empty);
        store.save_links(&update(
            delta,
            linked,
            &seqs,
            Progress {
                component: Component::Linking,
                seq: through,
                fingerprint: if self.all_current {
                    self.current.clone()
                } else {
                    String::new()
                },
            },
        ))?;
        self.entities = store.linked_count()?;
        Ok(())
    }
}

impl Drop for Linker<'_> {
    fn drop(&mut self) {
        if self.unasked > 0 {
            tracing::debug!(
                unasked = self.unasked,
                "engine: linking did not look up keys the store could not hold"
            );
        }
    }
}

/// What a linking step keeps, as the store takes it.
fn update(
    delta: LinkerDelta,
    linked: Vec<ArticleLinks>,
    seqs: &HashMap<&str, u64>,
    through: Progress,
) -> LinksUpdate {
    LinksUpdate {
        entities: delta
            .entities
            .into_iter()
            .map(|(i, record)| KeptEntity {
                index: i as u64,
                id: record.id.clone(),
                name: record.name.clone(),
                kind: record.kind.clone(),
                record: serde_json::to_string(&record).expect("a record serialises"),
                articles: 0,
                mentions: 0,
            })
            .collect(),
        keys: delta
            .keys
            .into_iter()
            .map(|(k, v)| (k.map.code(), k.key, v))
            .collect(),
        articles: linked
            .into_iter()
            .map(|l| {
                let seq = seqs.get(l.article.as_str()).copied().unwrap_or_default();
                LinkedArticle {
                    terms: serde_json::to_string(&l.terms).expect("terms serialise"),
                    named: l
                        .named
                        .iter()
                        .enumerate()
                        .map(|(position, n)| EntityArticle {
                            entity: n.entity as u64,
                            article: l.article.clone(),
                            seq,
                            position: position as u32,
                            mentions: n.mentions.len() as u64,
                            detail: serde_json::to_string(n).expect("links serialise"),
                        })
                        .collect(),
                    id: l.article,
                }
            })
            .collect(),
        through: Some(through),
    }
}

/// The kept linker state, read through the store: of the keys, only those
/// the store may hold.
struct Memory<'a> {
    store: &'a dyn Store,
    filed: Option<&'a FiledKeys>,
    /// Keys not asked for.
    unasked: u64,
}

impl LinkerMemory for Memory<'_> {
    type Error = EngineError;

    fn keys(&mut self, keys: &[IndexKey]) -> Result<Vec<(IndexKey, String)>, EngineError> {
        let asked: Vec<(u8, String)> = keys
            .iter()
            .filter(|k| self.filed.is_none_or(|filed| filed.may_hold(k)))
            .map(|k| (k.map.code(), k.key.clone()))
            .collect();
        self.unasked += (keys.len() - asked.len()) as u64;
        if asked.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .store
            .linker_keys(&asked)?
            .into_iter()
            .filter_map(|(map, key, value)| {
                Some((
                    IndexKey {
                        map: KeyMap::from_code(map)?,
                        key,
                    },
                    value,
                ))
            })
            .collect())
    }

    fn entities(&mut self, indexes: &[usize]) -> Result<Vec<(usize, EntityRecord)>, EngineError> {
        let asked: Vec<u64> = indexes.iter().map(|&i| i as u64).collect();
        self.store
            .linked_entities(&asked)?
            .into_iter()
            .map(|e| {
                let record = serde_json::from_str(&e.record).map_err(|err| {
                    StoreError::CorruptLinks(format!("the record of entity {} is unreadable: {err}", e.id))
                })?;
                Ok((e.index as usize, record))
            })
            .collect()
    }
}

/// The kept linked entities of `id` (none when not linked, or unreadable).
pub(crate) fn terms(store: &dyn Store, id: &str) -> Result<Vec<EntityTerm>, StoreError> {
    Ok(store
        .entity_terms(id)?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}

/// Each article with its kept linked entities, as the Similar Posts index
/// takes them (`ArticleIndex::build_linked`).
pub(crate) fn with_terms(
    store: &dyn Store,
    articles: Vec<Article>,
) -> Result<Vec<(Article, Vec<EntityTerm>)>, StoreError> {
    articles
        .into_iter()
        .map(|a| {
            let t = terms(store, &a.id)?;
            Ok((a, t))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::article;
    use std::path::Path;
    use storyline_core::Limits;
    use storyline_extract::ner::Tagger;
    use storyline_store::SqliteStore;

    fn engine() -> Engine {
        let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/ner-conll2003.bin");
        Engine::new(
            Some(Tagger::load(&model).expect("the model in models/")),
            &Limits::default(),
        )
    }

    /// More articles than a linking step takes, naming people and
    /// organisations that come back across steps, in full and in part.
    fn stored(engine: &Engine, n: usize) -> (tempfile::TempDir, SqliteStore) {
        const FIRST: [&str; 5] = ["Anna", "Boris", "Clara", "Dmitri", "Elena"];
        const LAST: [&str; 7] = [
            "Kovacs",
            "Lindqvist",
            "Moreau",
            "Novak",
            "Petrov",
            "Quist",
            "Rossi",
        ];
        const ORGS: [&str; 4] = [
            "Northwind Shipping",
            "Baltic Grain Union",
            "Harbour Authority",
            "Meridian Bank",
        ];
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(dir.path()).unwrap();
        let articles: Vec<_> = (0..n)
            .map(|i| {
                let (first, last) = (FIRST[i % 5], LAST[i % 7]);
                let org = ORGS[i % 4];
                let text = format!(
                    "{first} {last}, who heads {org}, met officials in Tallinn on Monday. \
                     {last} said the talks with {org} would go on. Report {i}."
                );
                article(&format!("a{i}"), &text)
            })
            .collect();
        store.upsert(&articles).unwrap();
        engine.catch_up(&mut store, &mut |_| {}).unwrap();
        (dir, store)
    }

    /// Every kept entity, and what each article names, as kept.
    fn kept(store: &SqliteStore, n: usize) -> (Vec<String>, Vec<Option<String>>) {
        let count = store.linked_count().unwrap();
        let entities = store
            .linked_entities(&(0..count).collect::<Vec<_>>())
            .unwrap()
            .into_iter()
            .map(|e| format!("{} {} {} {}", e.index, e.id, e.kind, e.record))
            .collect();
        let named = (0..n)
            .map(|i| store.entity_terms(&format!("a{i}")).unwrap())
            .collect();
        (entities, named)
    }

    #[test]
    fn a_pass_begun_on_an_empty_store_asks_only_for_keys_it_filed_and_links_alike() {
        let engine = engine();
        let n = LINK_STEP as usize + 200;
        let (_a, mut filtered) = stored(&engine, n);
        let (_b, mut asking) = stored(&engine, n);

        let mut linker = Linker::new(&engine, &filtered).unwrap();
        assert!(
            linker.filed.is_some(),
            "an empty store: every key will be filed here"
        );
        linker.link(&mut filtered, None).unwrap();
        assert!(linker.unasked > 0, "keys known to be absent were not looked up");
        let mut every = Linker::new(&engine, &asking).unwrap();
        every.filed = None;
        every.link(&mut asking, None).unwrap();
        assert_eq!(every.unasked, 0);

        let (entities, named) = kept(&filtered, n);
        assert!(
            entities.len() >= 10,
            "people and organisations linked: {entities:?}"
        );
        assert!(named.iter().all(Option::is_some));
        assert_eq!((entities, named), kept(&asking, n));
        // A pass on a store with kept links asks for every key.
        assert!(Linker::new(&engine, &filtered).unwrap().filed.is_none());
    }

    #[test]
    fn a_pass_drops_what_it_holds_when_another_links_beside_it() {
        let engine = engine();
        let n = LINK_STEP as usize + 100;
        let (_a, mut store) = stored(&engine, n);
        let (_b, mut alone) = stored(&engine, n);

        let mut first = Linker::new(&engine, &store).unwrap();
        first.link(&mut store, Some(LINK_STEP)).unwrap();
        assert!(first.filed.is_some());
        // Another process links the rest, filing keys the first pass
        // never saw.
        Linker::new(&engine, &store)
            .unwrap()
            .link(&mut store, None)
            .unwrap();
        first.link(&mut store, None).unwrap();
        assert!(
            first.filed.is_none(),
            "what it filed is not all the store holds any more"
        );

        Linker::new(&engine, &alone)
            .unwrap()
            .link(&mut alone, None)
            .unwrap();
        assert_eq!(kept(&store, n), kept(&alone, n));
    }
}
