//! Shared server state: the store and the Similar Posts index built from it.
//!
//! The index is derived data. It is rebuilt when the store's generation moves
//! on (an ingest from another process, or a later write endpoint), so pages
//! always reflect what is stored without the server watching files.

use std::sync::{Arc, Mutex, RwLock};
use storyline_relate::{ArticleIndex, IndexOptions};
use storyline_store::{Store, StoreError};

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Mutex<Box<dyn Store>>,
    index: RwLock<Option<(u64, Arc<ArticleIndex>)>>,
}

impl AppState {
    pub fn new(store: Box<dyn Store>) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                store: Mutex::new(store),
                index: RwLock::new(None),
            }),
        }
    }

    /// Runs `f` with the store on a blocking thread (SQLite calls block).
    pub async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let store = inner.store.lock().unwrap_or_else(|p| p.into_inner());
            f(store.as_ref())
        })
        .await
        .expect("store task panicked")
    }

    /// The index for the store's current generation, rebuilt if stale.
    pub async fn index(&self) -> Result<Arc<ArticleIndex>, StoreError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let store = inner.store.lock().unwrap_or_else(|p| p.into_inner());
            let generation = store.generation()?;
            if let Some((g, idx)) = inner.index.read().unwrap_or_else(|p| p.into_inner()).as_ref() {
                if *g == generation {
                    return Ok(idx.clone());
                }
            }
            let mut articles = Vec::new();
            store.for_each(&mut |a| articles.push(a))?;
            let idx = Arc::new(ArticleIndex::build(articles, IndexOptions::default()));
            *inner.index.write().unwrap_or_else(|p| p.into_inner()) = Some((generation, idx.clone()));
            Ok(idx)
        })
        .await
        .expect("index task panicked")
    }
}
