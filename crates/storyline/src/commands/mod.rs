//! One module per subcommand, and the context they share.

pub mod articles;
pub mod bench;
pub mod entities;
pub mod extract;
pub mod ingest;
pub mod migrate;
pub mod ner;
pub mod scale;
pub mod search;
pub mod serve;
pub mod similar;
pub mod stories;
pub mod watch;

use crate::cli::Cli;
use crate::config::{self, FileConfig};
use anyhow::{Context as _, Result};
use std::path::PathBuf;
use storyline_core::Article;
use storyline_engine::Engine;
use storyline_store::{PgStore, SqliteStore, Store};

/// What every subcommand may need: resolved settings.
pub struct Context {
    pub data_dir: PathBuf,
    /// The shared PostgreSQL store, when one is named.
    pub store_url: Option<String>,
    /// The data directory was chosen explicitly (flag, environment or config file).
    pub data_dir_explicit: bool,
    pub file: FileConfig,
    pub quiet: bool,
}

impl Context {
    pub fn new(cli: &Cli) -> Result<Context> {
        let file = FileConfig::load(cli.config.as_deref())?;
        Ok(Context {
            data_dir: config::data_dir(cli.data_dir.as_deref(), &file),
            store_url: config::store(cli.store.as_deref(), &file)?,
            data_dir_explicit: cli.data_dir.is_some() || file.data_dir.is_some(),
            file,
            quiet: cli.quiet,
        })
    }

    /// The store: the shared PostgreSQL one when named, else the SQLite
    /// file in the data directory.
    pub fn open_store(&self) -> Result<Box<dyn Store>> {
        Ok(match &self.store_url {
            Some(url) => Box::new(PgStore::open(url)?),
            None => Box::new(
                SqliteStore::open(&self.data_dir)
                    .with_context(|| format!("cannot open the store in {}", self.data_dir.display()))?,
            ),
        })
    }

    /// What the store is, for messages: its URL (password hidden) or folder.
    pub fn store_name(&self) -> String {
        match &self.store_url {
            Some(url) => storyline_store::redacted(url),
            None => self.data_dir.display().to_string(),
        }
    }

    /// Whether to draw progress bars and notes on stderr.
    pub fn chatty(&self) -> bool {
        !self.quiet
    }
}

/// The engine a command reads derived data through: the NER model found
/// as `ner::quiet_tagger` finds it, the config file's limits.
pub fn engine(ctx: &Context) -> Result<Engine> {
    engine_with(ctx, ner::quiet_tagger())
}

/// Like [`engine`], with a tagger the command loaded itself.
pub fn engine_with(ctx: &Context, tagger: Option<storyline_extract::ner::Tagger>) -> Result<Engine> {
    let limits = config::limits(&crate::cli::LimitArgs::default(), None, &ctx.file)?;
    Ok(Engine::new(tagger, &limits).with_index(ctx.data_dir.join("index")))
}

/// Finds an article by id, else by URL.
pub fn find_article(store: &dyn Store, key: &str) -> Result<Option<Article>> {
    if let Some(a) = store.get(key)? {
        return Ok(Some(a));
    }
    if key.contains("://") {
        return Ok(store.get_by_url(key)?);
    }
    Ok(None)
}
