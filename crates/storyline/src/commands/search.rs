//! `storyline search`: full-text search over the store from the command
//! line, as `/search` does on the web (the store's FTS5 index, best match
//! first, with date, source and language filters). Like grep, it exits 1
//! when nothing matches.

use crate::cli::SearchArgs;
use crate::commands::Context;
use anyhow::{bail, Result};
use serde_json::json;
use std::io::Write;
use std::process::ExitCode;
use storyline_store::{SearchQuery, MATCH_END, MATCH_START};

pub fn run(ctx: &Context, args: &SearchArgs, out: &mut dyn Write) -> Result<ExitCode> {
    for (flag, day) in [("--from", &args.from), ("--to", &args.to)] {
        if let Some(d) = day {
            if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
                bail!("{flag} must be a date as YYYY-MM-DD, got {d:?}");
            }
        }
    }
    let text = args.query.join(" ");
    if text.trim().is_empty() {
        bail!("nothing to search for: give one or more words");
    }
    let store = ctx.open_store()?;
    let hits = store.search(&SearchQuery {
        text,
        from: args.from.clone(),
        to: args.to.clone(),
        source: args.source.clone(),
        lang: args.lang.clone(),
        limit: args.limit.max(1),
        offset: 0,
        budget: None,
    })?;
    for h in &hits {
        if args.json {
            let line = json!({
                "id": h.id,
                "title": h.title,
                "published": h.published,
                "source": h.source,
                "snippet": h.snippet.replace([MATCH_START, MATCH_END], ""),
                "score": h.score,
            });
            writeln!(out, "{line}")?;
        } else {
            let date = h
                .published
                .map_or_else(|| "----------".to_string(), |p| p.day().to_string());
            let source = h.source.as_deref().unwrap_or("-");
            writeln!(out, "{}  {date}  {source}  {}", h.id, h.title)?;
            let snippet = h.snippet.replace([MATCH_START, MATCH_END], "*");
            writeln!(
                out,
                "    {}",
                snippet.split_whitespace().collect::<Vec<_>>().join(" ")
            )?;
        }
    }
    Ok(if hits.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
