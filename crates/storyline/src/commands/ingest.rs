//! `storyline ingest`: inputs → pipeline → store, with a progress line and a summary.

use crate::cli::{FetchArgs, IngestArgs};
use crate::commands::Context;
use crate::config::DEFAULT_BATCH_SIZE;
use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::Write;
use std::process::ExitCode;
use storyline_core::Limits;
use storyline_fetch::{fetch, FetchOptions};
use storyline_ingest::{parse_served, read_input, Format, Parsed, Pipeline, Summary};
use storyline_store::Store;

pub fn run(ctx: &Context, args: &IngestArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let mut store = ctx.open_store()?;
    let limits = crate::config::limits(&args.limits, None, &ctx.file)?;
    let batch_size = args
        .batch_size
        .or(ctx.file.batch_size)
        .unwrap_or(DEFAULT_BATCH_SIZE);
    let progress = progress_bar(ctx.chatty());
    let fetch_options = fetch_options(&args.fetch);
    let engine = match args.no_wait {
        true => None,
        false => Some(crate::commands::engine(ctx)?),
    };
    let mut store_inputs = |committed: &dyn Fn()| {
        ingest_inputs(
            &mut *store,
            &args.inputs,
            &limits,
            &fetch_options,
            batch_size,
            &progress,
            committed,
        )
    };
    let summary = match &engine {
        Some(engine) => analysed_beside(ctx, engine, store_inputs)?,
        None => store_inputs(&|| {})?,
    };
    progress.finish_and_clear();
    if let Some(engine) = engine.filter(|_| summary.ingested + summary.updated > 0) {
        // Each new article is analysed and joins its story now; both are kept.
        let bar = derived_bar(ctx.chatty());
        let placing = summary.ingested + summary.updated;
        engine.keep_up(
            &mut *store,
            &mut |step| {
                // Changes of the sequence, a bound on the articles to look at.
                bar.set_length(step.last.saturating_sub(step.from));
                bar.set_position(step.through.saturating_sub(step.from));
            },
            &mut |round| {
                bar.set_message("placing in stories");
                bar.set_length(placing as u64);
                bar.set_position(round.placed);
            },
        )?;
        bar.finish_and_clear();
    }
    if args.json {
        serde_json::to_writer(&mut *out, &summary)?;
        writeln!(out)?;
    } else {
        print_summary(&summary, out)?;
    }
    if summary.accepted() == 0 {
        eprintln!("storyline: nothing could be ingested");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `store_inputs`, telling the engine of each commit (the callback it
/// is given): on a connection of its own, the engine analyses and links
/// what is stored while the inputs are read and stored, and on a third it
/// places in stories what is linked, on the cores storing leaves idle.
/// Their failing fails nothing (what they did not do, `keep_up` does
/// after), so it is only noted.
fn analysed_beside(
    ctx: &Context,
    engine: &storyline_engine::Engine,
    store_inputs: impl FnOnce(&dyn Fn()) -> Result<Summary>,
) -> Result<Summary> {
    let (committed, commits) = std::sync::mpsc::channel::<()>();
    let (linked, links) = std::sync::mpsc::channel::<()>();
    std::thread::scope(|scope| {
        let following = scope.spawn(move || -> Result<()> {
            let mut store = ctx.open_store()?;
            let mut more = || {
                // Wait for a commit, and take every one made meanwhile.
                let more = commits.recv().is_ok();
                while commits.try_recv().is_ok() {}
                more
            };
            engine.follow(&mut *store, &mut more, &mut |_| {
                let _ = linked.send(());
            })?;
            Ok(())
        });
        let placing = scope.spawn(move || -> Result<()> {
            // Linking sets the pace (one core); placing follows it and
            // takes what linking and analysis leave idle.
            storyline_core::parallel::lower_priority();
            let mut store = ctx.open_store()?;
            while links.recv().is_ok() {
                while links.try_recv().is_ok() {}
                engine.place_linked(&mut *store, &mut |_| {})?;
            }
            Ok(())
        });
        let summary = store_inputs(&|| {
            // The engine stopped early: what it leaves is done after.
            let _ = committed.send(());
        });
        drop(committed);
        for (work, done) in [("analysing", following.join()), ("placing", placing.join())] {
            match done {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "{work} beside storing stopped; it is done after storing")
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        summary
    })
}

/// Reads every input into the store, calling `committed` after each
/// transaction; shared with `bench ingest`.
pub fn ingest_inputs(
    store: &mut dyn Store,
    inputs: &[String],
    limits: &Limits,
    fetch_options: &FetchOptions,
    batch_size: usize,
    progress: &ProgressBar,
    committed: &dyn Fn(),
) -> Result<Summary> {
    let mut pipeline = Pipeline::new(store, batch_size, *limits).on_commit(|s| {
        progress.set_message(format!("{} stored, {} rejected", s.accepted(), s.rejected.len()));
        committed();
    });
    let mut failure = None;
    for input in inputs {
        if is_url(input) {
            pipeline.accept(read_url(input, fetch_options, limits))?;
            progress.tick();
            continue;
        }
        read_input(input, limits, &mut |parsed| {
            if failure.is_none() {
                if let Err(e) = pipeline.accept(parsed) {
                    failure = Some(e);
                }
            }
            progress.tick();
        });
        if let Some(e) = failure.take() {
            return Err(e.into());
        }
    }
    Ok(pipeline.finish()?)
}

/// The fetch settings the flags give.
pub fn fetch_options(args: &FetchArgs) -> FetchOptions {
    FetchOptions {
        allow_private: args.allow_private,
        timeout: std::time::Duration::from_secs(args.fetch_timeout.max(1)),
        ..FetchOptions::default()
    }
}

fn is_url(input: &str) -> bool {
    let lower = input.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Fetches one URL and parses it by its media type; the URL is the article's
/// URL unless the page names a canonical one.
fn read_url(url: &str, options: &FetchOptions, limits: &Limits) -> Parsed {
    let fetched = match fetch(url, options) {
        Ok(f) => f,
        Err(e) => {
            let mut parsed = Parsed::default();
            parsed
                .rejected
                .push(storyline_ingest::Rejection::new(url, None, e.to_string()));
            return parsed;
        }
    };
    let format = fetched.media_type.as_deref().and_then(Format::from_media_type);
    let mut parsed = parse_served(url, &fetched.bytes, format, fetched.charset.as_deref(), limits);
    if parsed.drafts.len() == 1 {
        let draft = &mut parsed.drafts[0].draft;
        draft.url = draft.url.take().or_else(|| Some(fetched.url.clone()));
    }
    parsed
}

/// A bar on stderr for the derived work of the articles just stored, when
/// it is a terminal and not silenced; hidden otherwise.
pub fn derived_bar(chatty: bool) -> ProgressBar {
    if !chatty || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} analysing: {pos}/{len} {msg} [{elapsed}]")
            .expect("valid template"),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// A spinner on stderr when it is a terminal and not silenced; hidden otherwise.
pub fn progress_bar(chatty: bool) -> ProgressBar {
    if !chatty {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} ingesting: {msg} [{elapsed}]").expect("valid template"),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

fn print_summary(s: &Summary, out: &mut dyn Write) -> Result<()> {
    writeln!(
        out,
        "ingested {}, updated {}, unchanged {}, rejected {}",
        s.ingested,
        s.updated,
        s.unchanged,
        s.rejected.len()
    )?;
    for (label, list) in [("rejected", &s.rejected), ("warning", &s.warnings)] {
        for r in list {
            match r.line {
                Some(l) => writeln!(out, "{label}: {}:{l}: {}", r.input, r.reason)?,
                None => writeln!(out, "{label}: {}: {}", r.input, r.reason)?,
            }
        }
    }
    for (limit, times) in &s.limits_hit {
        writeln!(out, "limit reached: {limit} ({}) {times}×", limit.flag())?;
    }
    Ok(())
}
