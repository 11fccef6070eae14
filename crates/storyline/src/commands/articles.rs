//! `list`, `show` and `export`: reading articles back out of the store.

use crate::cli::{ExportArgs, ExportFormat, ListArgs, ShowArgs};
use crate::commands::{find_article, Context};
use crate::render;
use anyhow::{Context as _, Result};
use serde_json::json;
use std::io::Write;
use std::process::ExitCode;

pub fn list(ctx: &Context, args: &ListArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let store = ctx.open_store()?;
    let mut remaining = args.limit.unwrap_or(usize::MAX);
    let mut cursor = None;
    while remaining > 0 {
        let page = store.list(remaining.min(500), cursor.as_deref())?;
        for a in &page.articles {
            if args.json {
                let line = json!({"id": a.id, "title": a.title, "published": a.published, "source": a.source, "url": a.url});
                writeln!(out, "{line}")?;
            } else {
                let date = a
                    .published
                    .map_or_else(|| "----------".to_string(), |p| p.day().to_string());
                writeln!(
                    out,
                    "{}  {date}  {}  {}",
                    a.id,
                    a.source.as_deref().unwrap_or("-"),
                    a.title
                )?;
            }
        }
        remaining -= page.articles.len();
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn show(ctx: &Context, args: &ShowArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let mut store = ctx.open_store()?;
    let Some(a) = find_article(&*store, &args.id)? else {
        eprintln!(
            "storyline: no article with id or URL {:?} in {}",
            args.id,
            ctx.store_name()
        );
        return Ok(ExitCode::FAILURE);
    };
    // The analysis kept in the store (made once, when the article came).
    let engine = crate::commands::engine_with(ctx, crate::commands::ner::article_tagger())?;
    let analysis = engine.analysis(&mut *store, &a)?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &crate::commands::ner::article_json(&a, &analysis))?;
        writeln!(out)?;
    } else {
        render::article(&a, out)?;
        crate::commands::ner::print_extraction(&analysis, out)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn export(ctx: &Context, args: &ExportArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let store = ctx.open_store()?;
    let ExportFormat::Jsonl = args.format;
    let mut file;
    let sink: &mut dyn Write = match &args.output {
        Some(path) => {
            file = std::io::BufWriter::new(
                std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
            );
            &mut file
        }
        None => out,
    };
    let mut failure = None;
    store.for_each(&mut |a| {
        if failure.is_none() {
            if let Err(e) = serde_json::to_writer(&mut *sink, &a)
                .map_err(std::io::Error::from)
                .and_then(|_| writeln!(sink))
            {
                failure = Some(e);
            }
        }
    })?;
    if let Some(e) = failure {
        return Err(e.into());
    }
    sink.flush()?;
    Ok(ExitCode::SUCCESS)
}
