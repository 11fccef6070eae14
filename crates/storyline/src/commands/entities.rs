//! `storyline entities` and `storyline entity`: the people, organisations
//! and places of the store, linked across articles.
//!
//! The catalogue is the engine's, read from what linking kept in the
//! store (`storyline_engine::book`); articles stored since are analysed
//! and linked first, so it needs the NER model.

use crate::cli::{EntitiesArgs, EntityArgs};
use crate::commands::Context;
use crate::commands::{engine_with, ner::load_model};
use anyhow::Result;
use std::io::Write;
use std::process::ExitCode;
use storyline_engine::book;
use storyline_store::Store;

/// Entities read from the store per page while listing.
const PAGE: usize = 1000;

/// The store, with every stored article analysed and linked.
fn linked_store(ctx: &Context, model: &crate::cli::ModelArg) -> Result<Box<dyn Store>> {
    let engine = engine_with(ctx, Some(load_model(model)?))?;
    let mut store = ctx.open_store()?;
    engine.keep_up(&mut *store, &mut |_| {}, &mut |_| {})?;
    Ok(store)
}

pub fn list(ctx: &Context, args: &EntitiesArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let store = linked_store(ctx, &args.model)?;
    let wanted = args.kind.as_deref().map(str::to_uppercase);
    let mut left = args.limit.unwrap_or(usize::MAX);
    let mut skip = 0;
    while left > 0 {
        let page = book::entity_page(&*store, skip, PAGE)?;
        skip += page.len();
        let last = page.len() < PAGE;
        for e in page
            .into_iter()
            .filter(|e| wanted.as_deref().is_none_or(|k| e.kind == k))
            .take(left)
        {
            left -= 1;
            if args.json {
                serde_json::to_writer(&mut *out, &e)?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "{}  {:<6}  {:>3} articles  {}",
                    e.id, e.kind, e.articles, e.name
                )?;
            }
        }
        if last {
            break;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn show(ctx: &Context, args: &EntityArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let store = linked_store(ctx, &args.model)?;
    let found = book::entity_id(&*store, &args.entity)?;
    let limit = usize::try_from(args.limit).unwrap_or(usize::MAX);
    let view = match &found {
        Some(id) => book::around_entity(&*store, id, None, limit)?,
        None => None,
    };
    let Some((view, e)) = view.as_ref().and_then(|v| Some((v, v.entity()?))) else {
        eprintln!(
            "storyline: no entity with id or name {:?} in {}",
            args.entity,
            ctx.store_name()
        );
        return Ok(ExitCode::FAILURE);
    };
    if args.json {
        serde_json::to_writer(&mut *out, &view.answer())?;
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
    let ids: Vec<String> = e.articles.iter().map(|(a, _)| a.clone()).collect();
    let titles: std::collections::HashMap<String, String> = store
        .article_summaries(&ids)?
        .into_iter()
        .map(|a| (a.id, a.title))
        .collect();
    write!(
        out,
        "\nNamed in {} articles, {} mentions",
        view.articles, view.mentions
    )?;
    if view.next.is_some() {
        write!(out, " (the newest {} listed)", e.articles.len())?;
    }
    writeln!(out)?;
    for (article, mentions) in e.articles.iter().rev() {
        let title = titles.get(article).map_or("", String::as_str);
        writeln!(out, "  {article}  ×{mentions}  {title}")?;
    }
    if !e.quotes.is_empty() {
        writeln!(out, "\nQuoted")?;
        for q in &e.quotes {
            writeln!(out, "  “{}”  ({})", q.text, q.article)?;
        }
    }
    let with = view.catalog.named_with(&e.id, 10);
    if !with.is_empty() {
        writeln!(out, "\nNamed with")?;
        for (c, shared) in with {
            writeln!(out, "  {} ({shared})", c.name)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
