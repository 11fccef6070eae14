//! `storyline stories`, `story` and `recluster`: the stories of the store.
//!
//! Every command first brings the stories up to date through the engine
//! (articles not analysed yet are analysed and kept, articles not placed
//! yet join a story now, and the decision and the story's summary are
//! stored), then reads the kept summaries: nothing is clustered again, so
//! they agree with what `ingest` decided and with each other.

use crate::cli::{ReclusterArgs, ReindexArgs, StoriesArgs, StoryArgs};
use crate::commands::Context;
use anyhow::{bail, Result};
use chrono::{DateTime, NaiveDate, Utc};
use std::io::Write;
use std::process::ExitCode;
use storyline_engine::Engine;
use storyline_extract::events::SharedEvent;
use storyline_relate::ArticleIndex;
use storyline_store::{KeptStory, Store, StoryEventKind};
use storyline_stories::Stories;

/// The index over the store and its stories, brought up to date by
/// `engine` (for reading every article's Similar Posts). With the NER
/// model, entities linked across the articles join the index's names.
pub fn current(engine: &Engine, store: &mut dyn Store) -> Result<(ArticleIndex, Stories)> {
    Ok(engine.related(store)?)
}

/// Brings analyses, the on-disk index and stories up to the store's last
/// change, with nothing built in memory but the windows placing needs.
pub fn keep_up(engine: &Engine, store: &mut dyn Store) -> Result<()> {
    engine.keep_up(store, &mut |_| {}, &mut |_| {})?;
    Ok(())
}

/// The instant `--since` names: a span back from `now`, or the start of a day.
fn since_instant(spec: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let spec = spec.trim();
    if let Ok(day) = NaiveDate::parse_from_str(spec, "%Y-%m-%d") {
        return Ok(day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc());
    }
    if spec.chars().all(|c| c.is_ascii_digit()) {
        bail!("--since {spec:?}: give a unit (7d, 12h, 30m, 2w) or a date such as 2023-06-20");
    }
    let span = crate::config::span(spec)
        .map_err(|e| anyhow::anyhow!("--since {e}; or a date such as 2023-06-20"))?;
    Ok(now - chrono::Duration::from_std(span)?)
}

/// Whether a story's kept names (lower-cased, one per line) hold `name`.
fn mentions(names: &str, name: &str) -> bool {
    let name = name.to_lowercase();
    names
        .lines()
        .any(|n| n.split_whitespace().eq(name.split_whitespace()) || n.contains(&name))
}

pub fn list(ctx: &Context, args: &StoriesArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let mut store = ctx.open_store()?;
    let since = args
        .since
        .as_deref()
        .map(|s| since_instant(s, Utc::now()))
        .transpose()?;
    let engine = crate::commands::engine(ctx)?;
    keep_up(&engine, &mut *store)?;
    let since_key = since.map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    let admits = |kept: &KeptStory| args.entity.as_deref().is_none_or(|e| mentions(&kept.names, e));
    let limit = args.limit.unwrap_or(usize::MAX);
    let (shown, _) = engine.kept_stories(&*store, since_key.as_deref(), (0, limit), &admits)?;
    for story in &shown {
        if args.json {
            serde_json::to_writer(&mut *out, story)?;
            writeln!(out)?;
            continue;
        }
        writeln!(
            out,
            "{}  {:>10}  {:>3} articles  {}",
            story.id,
            story
                .last_seen
                .map_or_else(|| "undated".to_string(), |p| p.day().to_string()),
            story.article_count,
            story.title
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn show(ctx: &Context, args: &StoryArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let mut store = ctx.open_store()?;
    let engine = crate::commands::engine(ctx)?;
    keep_up(&engine, &mut *store)?;
    let history = store.story_events(&args.id)?;
    let Some(story) = engine.kept_story(&*store, &args.id)? else {
        let merged_into = history
            .iter()
            .rev()
            .find(|e| e.kind == StoryEventKind::Merge && e.other == args.id);
        match merged_into {
            Some(e) => eprintln!("storyline: story {} was merged into story {}", args.id, e.story),
            None => eprintln!(
                "storyline: no story with id {:?} in {}",
                args.id,
                ctx.store_name()
            ),
        }
        return Ok(ExitCode::FAILURE);
    };
    let events = story_events(&engine, &mut *store, &story.articles)?;
    if args.json {
        let mut v = serde_json::to_value(&story)?;
        v["events"] = serde_json::to_value(&events)?;
        v["history"] = serde_json::to_value(&history)?;
        serde_json::to_writer(&mut *out, &v)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{}\n  story {} · {} articles",
        story.title, story.id, story.article_count
    )?;
    if let (Some(first), Some(last)) = (story.first_seen, story.last_seen) {
        writeln!(out, "  {} – {}", first.day(), last.day())?;
    }
    if !story.key_names.is_empty() {
        writeln!(out, "  names: {}", story.key_names.join(" · "))?;
    }
    for e in &history {
        let when = e.at.as_deref().unwrap_or("");
        match e.kind {
            StoryEventKind::Merge if e.story == story.id => writeln!(
                out,
                "  {when} took in story {} ({} articles)",
                e.other, e.articles
            )?,
            StoryEventKind::Merge => writeln!(out, "  {when} merged into story {}", e.story)?,
            StoryEventKind::Split if e.story == story.id => writeln!(
                out,
                "  {when} {} articles split off into story {}",
                e.articles, e.other
            )?,
            StoryEventKind::Split => writeln!(
                out,
                "  {when} began with {} articles split off story {}",
                e.articles, e.story
            )?,
        }
    }
    let sources: Vec<String> = story
        .sources
        .iter()
        .map(|s| format!("{} ({})", s.source, s.articles))
        .collect();
    if !sources.is_empty() {
        writeln!(out, "  sources: {}", sources.join(", "))?;
    }
    if !events.is_empty() {
        writeln!(out, "\nWhat happened")?;
        for e in &events {
            let reports = match e.reports.len() {
                1 => String::new(),
                n => format!("  ({n} reports)"),
            };
            writeln!(
                out,
                "  {:>10}  {}: {}{reports}",
                e.date,
                e.actors.join(", "),
                e.action
            )?;
        }
    }
    writeln!(out, "\nTimeline")?;
    for entry in &story.timeline {
        let date = entry
            .published
            .map_or_else(|| "undated".to_string(), |p| p.day().to_string());
        let copies = match entry.articles.len() {
            1 => String::new(),
            n => format!("  (+{} copies)", n - 1),
        };
        writeln!(
            out,
            "  {date:>10}  {}  [{}]{copies}",
            entry.title, entry.articles[0]
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The events the story's articles report, each once (none without a model).
/// The events the story's articles report, from their kept analyses.
fn story_events(engine: &Engine, store: &mut dyn Store, articles: &[String]) -> Result<Vec<SharedEvent>> {
    if engine.tagger().is_none() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    for id in articles {
        found.extend(store.get(id)?);
    }
    let analyses = engine.analyses(store, &found)?;
    Ok(engine.shared_events(&found, &analyses))
}

pub fn recluster(ctx: &Context, args: &ReclusterArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let mut store = ctx.open_store()?;
    crate::commands::engine(ctx)?.recluster(&mut *store)?;
    let mut stories = 0;
    store.each_kept_story(&mut |_| {
        stories += 1;
        true
    })?;
    let articles = store.count()?;
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::json!({"articles": articles, "stories": stories})
        )?;
    } else {
        writeln!(out, "{articles} articles in {stories} stories")?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn reindex(ctx: &Context, args: &ReindexArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let mut store = ctx.open_store()?;
    let engine = crate::commands::engine(ctx)?;
    let bar = crate::commands::ingest::derived_bar(ctx.chatty());
    let (done, derived) = engine.reindex(&mut *store, &mut |step| {
        bar.set_length(step.last.saturating_sub(step.from));
        bar.set_position(step.through.saturating_sub(step.from));
    })?;
    bar.finish_and_clear();
    let (groups, largest) = derived.index.copy_groups();
    let entities = storyline_store::Store::linked_count(&*store)?;
    if args.json {
        let summary = serde_json::json!({
            "articles": derived.index.len(),
            "analysed": done.analysed,
            "entities": entities,
            "copy_groups": groups,
            "largest_copy_group": largest,
            "stories": derived.stories.len(),
        });
        writeln!(out, "{summary}")?;
    } else {
        writeln!(
            out,
            "{} articles analysed again; {} entities, {} copy groups (largest {}), {} stories",
            done.analysed,
            entities,
            groups,
            largest,
            derived.stories.len()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_reads_spans_and_dates() {
        let now = DateTime::parse_from_rfc3339("2023-06-30T12:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            since_instant("7d", now).unwrap().to_rfc3339(),
            "2023-06-23T12:00:00+00:00"
        );
        assert_eq!(
            since_instant("2w", now).unwrap().to_rfc3339(),
            "2023-06-16T12:00:00+00:00"
        );
        assert_eq!(
            since_instant("2023-06-20", now).unwrap().to_rfc3339(),
            "2023-06-20T00:00:00+00:00"
        );
        assert!(since_instant("7y", now).is_err());
        assert!(since_instant("soon", now).is_err());
    }
}
