//! `storyline similar`: Similar Posts from the article index over the store,
//! the article's story first. One article's are read from the on-disk index,
//! brought up to the store's last change first when it is behind (only the
//! new articles are written); `--all` indexes the whole store in memory.
//! `--all` always prints JSON Lines: it exists for scripts and scorers.

use crate::cli::SimilarArgs;
use crate::commands::stories::current;
use crate::commands::{find_article, Context};
use anyhow::Result;
use std::io::Write;
use std::process::ExitCode;
use storyline_core::parallel::map_in_order;
use storyline_relate::{Filter, SimilarPosts};

/// Articles whose Similar Posts are found at once by `--all` (bounds what
/// waits to be printed).
const QUERY_CHUNK: usize = 1_024;

pub fn run(ctx: &Context, args: &SimilarArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let mut store = ctx.open_store()?;
    let filter = Filter {
        max_days_apart: args.window,
        lang: args.lang.clone(),
        sources: args.sources.clone(),
        exclude_sources: args.exclude_sources.clone(),
    };
    if !args.all {
        let key = args.id.as_deref().expect("clap requires an id without --all");
        let Some(article) = find_article(&*store, key)? else {
            eprintln!(
                "storyline: no article with id or URL {key:?} in {}",
                ctx.store_name()
            );
            return Ok(ExitCode::FAILURE);
        };
        // No model is needed to read the on-disk index; only a build loads one.
        let reading = crate::commands::engine_with(ctx, None)?;
        let similar = match reading.similar_on_disk(&*store, &article.id, args.k, &filter)? {
            Some(similar) => similar,
            None => {
                // Behind the store: bring it up (only what is new), then read it.
                let engine = crate::commands::engine(ctx)?;
                crate::commands::stories::keep_up(&engine, &mut *store)?;
                match engine.similar_on_disk(&*store, &article.id, args.k, &filter)? {
                    Some(similar) => similar,
                    // No usable index (locked by another writer, damaged):
                    // the whole store in memory.
                    None => {
                        let (index, stories) = current(&engine, &mut *store)?;
                        stories
                            .similar(&index, &article.id, args.k, &filter)
                            .expect("the article is in the index")
                    }
                }
            }
        };
        if args.json {
            serde_json::to_writer(&mut *out, &similar)?;
            writeln!(out)?;
        } else {
            writeln!(out, "Similar Posts of {} “{}”", article.id, article.title)?;
            print_human(&similar, out)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (index, stories) = current(&crate::commands::engine(ctx)?, &mut *store)?;
    // Each article's query is independent: a chunk at a time on every
    // core, printed in index order.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let docs: Vec<u32> = (0..index.len() as u32).collect();
    for chunk in docs.chunks(QUERY_CHUNK) {
        let found = map_in_order(chunk, threads, |&doc| {
            stories
                .similar(&index, &index.doc(doc).id, args.k, &filter)
                .expect("every stored article is indexed")
        });
        for similar in found {
            serde_json::to_writer(&mut *out, &similar)?;
            writeln!(out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_human(s: &SimilarPosts, out: &mut dyn Write) -> Result<()> {
    if s.similar.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for (i, p) in s.similar.iter().enumerate() {
        writeln!(
            out,
            "{:>2}. {:.3}  {}  {}  [{}]",
            i + 1,
            p.score,
            p.published
                .map_or_else(|| "date unknown".to_string(), |d| d.day().to_string()),
            p.title,
            p.id
        )?;
        writeln!(out, "       why: {}", p.why.compact())?;
        if !p.duplicates.is_empty() {
            writeln!(out, "       copies: {}", p.duplicates.join(", "))?;
        }
    }
    if !s.duplicates.is_empty() {
        writeln!(
            out,
            "Copies and rewrites of this article: {}",
            s.duplicates.join(", ")
        )?;
    }
    Ok(())
}
