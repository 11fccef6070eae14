//! `storyline similar`: Similar Posts from the article index over the store.
//! `--all` always prints JSON Lines: it exists for scripts and scorers.

use crate::cli::SimilarArgs;
use crate::commands::{all_articles, find_article, Context};
use anyhow::Result;
use std::io::Write;
use std::process::ExitCode;
use storyline_relate::{ArticleIndex, Filter, IndexOptions, SimilarPosts};

pub fn run(ctx: &Context, args: &SimilarArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let store = ctx.open_store()?;
    let filter = Filter {
        max_days_apart: args.window,
        lang: args.lang.clone(),
        sources: args.sources.clone(),
        exclude_sources: args.exclude_sources.clone(),
    };
    if !args.all {
        let key = args.id.as_deref().expect("clap requires an id without --all");
        let Some(article) = find_article(&store, key)? else {
            eprintln!(
                "storyline: no article with id or URL {key:?} in {}",
                ctx.data_dir.display()
            );
            return Ok(ExitCode::FAILURE);
        };
        let index = ArticleIndex::build(all_articles(&store)?, IndexOptions::default());
        let similar = index
            .similar_filtered(&article.id, args.k, &filter)
            .expect("the article is in the index");
        if args.json {
            serde_json::to_writer(&mut *out, &similar)?;
            writeln!(out)?;
        } else {
            writeln!(out, "Similar Posts of {} “{}”", article.id, article.title)?;
            print_human(&similar, out)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let articles = all_articles(&store)?;
    let ids: Vec<String> = articles.iter().map(|a| a.id.clone()).collect();
    let index = ArticleIndex::build(articles, IndexOptions::default());
    for id in ids {
        let similar = index
            .similar_filtered(&id, args.k, &filter)
            .expect("every stored article is indexed");
        serde_json::to_writer(&mut *out, &similar)?;
        writeln!(out)?;
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
