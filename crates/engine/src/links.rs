//! Linking each arriving article's entities to those named before, and
//! keeping the outcome: the article's linked entities (what the Similar
//! Posts index and story placing read) and the linker's state, which is all
//! the next article needs, so linking one costs the same at a thousand
//! articles and at a million.
//!
//! Articles are linked in the order they changed, a batch at a time; each
//! batch keeps its articles' entities, the linker's state and the progress
//! in one transaction, so a crash resumes after the last batch kept. The
//! rules that decide what is one entity are `storyline_extract::linking`'s;
//! the catalogue pages read (quotes, mentions, who is named with whom) is
//! built from the kept analyses by `Engine::build`.

use crate::{Engine, EngineError, Served};
use std::collections::HashMap;
use storyline_core::{Article, EntityTerm};
use storyline_extract::linking::{Catalog, LinkerState};
use storyline_extract::Analysis;
use storyline_store::{Component, Progress, Store, StoreError};

/// Changed articles linked per kept step.
const LINK_BATCH: usize = 4096;

/// Links the entities of every article changed since linking last caught
/// up, from the analyses pages serve (an older analyser's while an upgrade
/// is analysing the store again); returns how many articles were linked.
///
/// The progress records the analyser whose analyses every linked article
/// had (none when some had an older one). Once an upgrade's catch-up has
/// analysed the whole store again, every article is linked again with the
/// new analyses, and the caller is told so (`true`): the on-disk index is
/// then written again.
pub(crate) fn catch_up(engine: &Engine, store: &mut dyn Store) -> Result<bool, EngineError> {
    let progress = store.progress(Component::Linking)?;
    let current = engine.analyser.fingerprint();
    let settled = engine.backlog(store)? == 0;
    let mut seq = progress.seq;
    let mut relinked = false;
    if seq > 0 && progress.fingerprint != current && settled {
        tracing::info!("engine: every article has a new analysis; linking them all again");
        store.forget_links()?;
        seq = 0;
        relinked = true;
    }
    // Whether every article linked so far had a current analysis.
    let mut all_current = seq == 0 || progress.fingerprint == current;
    let mut catalog: Option<Catalog> = None;
    loop {
        let changes = store.changes(seq, LINK_BATCH)?;
        let Some(&(through, _)) = changes.last() else {
            return Ok(relinked);
        };
        let catalog = match &mut catalog {
            Some(c) => c,
            None => catalog.insert(resume(store, seq)?),
        };
        let mut terms = Vec::with_capacity(changes.len());
        for (_, article) in &changes {
            let analysis = match engine.serving_analysis(store, article)? {
                Served::Current(a) => a,
                Served::Older(a) => {
                    all_current = false;
                    a
                }
                Served::Missing => {
                    all_current = false;
                    Analysis::default()
                }
            };
            catalog.add_analysis(&article.id, &analysis);
            let json = serde_json::to_string(&catalog.terms_of(&article.id)).expect("terms serialise");
            terms.push((article.id.clone(), json));
        }
        let state = serde_json::to_string(&catalog.linker_state()).expect("a linker state serialises");
        store.save_links(
            &state,
            &terms,
            Progress {
                component: Component::Linking,
                seq: through,
                fingerprint: if all_current {
                    current.clone()
                } else {
                    String::new()
                },
            },
        )?;
        seq = through;
    }
}

/// The catalogue that goes on linking from `seq`: the kept state, or an
/// empty one when linking starts (or its state is unreadable, when every
/// article is linked again).
fn resume(store: &mut dyn Store, seq: u64) -> Result<Catalog, EngineError> {
    if seq == 0 {
        return Ok(Catalog::new());
    }
    let state = store.linker_state()?;
    let resumed = state
        .as_deref()
        .and_then(|json| serde_json::from_str::<LinkerState>(json).ok())
        .and_then(Catalog::resume);
    match resumed {
        Some(catalog) => Ok(catalog),
        None => {
            tracing::warn!(
                "engine: the kept entity linking state is unreadable; linking every article again"
            );
            store.forget_links()?;
            Ok(Catalog::new())
        }
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

/// The kept linked entities of `articles`, by article id.
pub(crate) fn terms_by_id(
    store: &dyn Store,
    articles: &[Article],
) -> Result<HashMap<String, Vec<EntityTerm>>, StoreError> {
    articles
        .iter()
        .map(|a| Ok((a.id.clone(), terms(store, &a.id)?)))
        .collect()
}
