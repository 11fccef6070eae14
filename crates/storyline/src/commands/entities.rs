//! `storyline entities` and `storyline entity`: the people, organisations
//! and places of the store, linked across articles.
//!
//! The catalogue is the engine's: linked from the analyses kept in the
//! store (articles not analysed yet are analysed first), in publication
//! order, so it needs the NER model.

use crate::cli::{EntitiesArgs, EntityArgs};
use crate::commands::Context;
use crate::commands::{all_articles, engine_with, ner::load_model};
use anyhow::Result;
use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;
use storyline_extract::linking::{Catalog, Linked};

/// The catalogue of the stored articles, and the articles' titles by id.
fn catalog(ctx: &Context, model: &crate::cli::ModelArg) -> Result<(Catalog, HashMap<String, String>)> {
    let engine = engine_with(ctx, Some(load_model(model)?))?;
    let mut store = ctx.open_store()?;
    engine.catch_up(&mut store, &mut |_| {})?;
    let articles = all_articles(&store)?;
    let analyses = engine.analyses(&mut store, &articles)?;
    let catalog = engine.link(&articles, &analyses);
    let titles = articles.into_iter().map(|a| (a.id, a.title)).collect();
    Ok((catalog, titles))
}

pub fn list(ctx: &Context, args: &EntitiesArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let (catalog, _) = catalog(ctx, &args.model)?;
    let wanted = args.kind.as_deref().map(str::to_uppercase);
    let shown = catalog
        .all()
        .into_iter()
        .filter(|e| wanted.as_deref().is_none_or(|k| e.kind == k))
        .take(args.limit.unwrap_or(usize::MAX));
    for e in shown {
        if args.json {
            serde_json::to_writer(&mut *out, &summary(e))?;
            writeln!(out)?;
        } else {
            writeln!(
                out,
                "{}  {:<6}  {:>3} articles  {}",
                e.id,
                e.kind,
                e.articles.len(),
                e.name
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One line of `entities --json`: everything but the per-article lists.
fn summary(e: &Linked) -> serde_json::Value {
    serde_json::json!({
        "id": e.id,
        "name": e.name,
        "type": e.kind,
        "aliases": e.aliases,
        "roles": e.roles,
        "articles": e.articles.len(),
        "mentions": e.mention_count(),
    })
}

pub fn show(ctx: &Context, args: &EntityArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let (catalog, titles) = catalog(ctx, &args.model)?;
    let Some(e) = catalog.get(&args.entity).or_else(|| catalog.find(&args.entity)) else {
        eprintln!(
            "storyline: no entity with id or name {:?} in {}",
            args.entity,
            ctx.data_dir.display()
        );
        return Ok(ExitCode::FAILURE);
    };
    if args.json {
        serde_json::to_writer(&mut *out, e)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{} ({})\n  entity {}", e.name, e.kind, e.id)?;
    if !e.roles.is_empty() {
        writeln!(out, "  roles: {}", e.roles.join(", "))?;
    }
    if !e.aliases.is_empty() {
        writeln!(out, "  also: {}", e.aliases.join(" · "))?;
    }
    writeln!(out, "\nNamed in {} articles", e.articles.len())?;
    for (article, mentions) in &e.articles {
        let title = titles.get(article).map_or("", String::as_str);
        writeln!(out, "  {article}  ×{mentions}  {title}")?;
    }
    if !e.quotes.is_empty() {
        writeln!(out, "\nQuoted")?;
        for q in &e.quotes {
            writeln!(out, "  “{}”  ({})", q.text, q.article)?;
        }
    }
    let with = catalog.named_with(&e.id, 10);
    if !with.is_empty() {
        writeln!(out, "\nNamed with")?;
        for (c, shared) in with {
            writeln!(out, "  {} ({shared})", c.name)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
