//! `storyline sources …` and `storyline watch`: the watched web sources and
//! the loop that polls them (the loop itself is `storyline-watch`'s).

use crate::cli::{PoliteArgs, SourcesAddArgs, SourcesListArgs, SourcesRemoveArgs, WatchArgs};
use crate::commands::Context;
use crate::config::{span, FileConfig};
use anyhow::{bail, Result};
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};
use storyline_core::Limits;
use storyline_engine::Engine;
use storyline_fetch::FetchOptions;
use storyline_store::{FetchState, Store, WatchedSource};
use storyline_watch::{PollReport, Tally, WatchOptions};

/// The least time between two story placements while watching: placing
/// rebuilds the index, so a busy watch places in batches.
const PLACE_STORIES_EVERY: Duration = Duration::from_secs(60);

pub fn add(ctx: &Context, args: &SourcesAddArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let url = web_url(&args.url)?;
    storyline_fetch::check_target(&url, args.allow_private)?;
    let interval = span(&args.interval).map_err(|e| anyhow::anyhow!("--interval: {e}"))?;
    if interval.is_zero() {
        bail!("--interval {:?}: must be longer than zero", args.interval);
    }
    let mut store = ctx.open_store()?;
    let source = WatchedSource {
        url: url.clone(),
        name: args.name.clone().filter(|n| !n.trim().is_empty()),
        interval_secs: interval.as_secs().max(1),
        added_at: None,
        state: FetchState::default(),
    };
    let new = store.watch_source(&source)?;
    let verb = if new { "watching" } else { "updated" };
    writeln!(out, "{verb} {url} (every {})", args.interval)?;
    Ok(ExitCode::SUCCESS)
}

pub fn list(ctx: &Context, args: &SourcesListArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let store = ctx.open_store()?;
    let sources = store.watched_sources()?;
    for source in &sources {
        if args.json {
            serde_json::to_writer(&mut *out, source)?;
            writeln!(out)?;
            continue;
        }
        let name = source.name.as_deref().unwrap_or("-");
        let polled = source.state.last_polled.as_deref().unwrap_or("never");
        let due = source.state.next_due.as_deref().unwrap_or("now");
        writeln!(
            out,
            "{name}\t{}\tevery {}s\tlast polled {polled}\tnext {due}",
            source.url, source.interval_secs
        )?;
        if let Some(error) = &source.state.last_error {
            writeln!(out, "\t{} failure(s) in a row: {error}", source.state.errors)?;
        }
    }
    if sources.is_empty() && !args.json && ctx.chatty() {
        eprintln!("storyline: no sources; add one with `storyline sources add URL`");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn remove(ctx: &Context, args: &SourcesRemoveArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let mut store = ctx.open_store()?;
    match store.unwatch_source(&args.source)? {
        Some(url) => {
            writeln!(out, "no longer watching {url}")?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            eprintln!(
                "storyline: no watched source has the URL or name {:?}",
                args.source
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

pub fn run(ctx: &Context, args: &WatchArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let mut store = ctx.open_store()?;
    let limits = crate::config::limits(&args.limits, None, &ctx.file)?;
    let mut options = watch_options(&args.polite, limits, &ctx.file)?;
    options.once = args.once;
    let stop = stop_on_signals()?;
    let place = !args.no_stories;
    let engine = crate::commands::engine(ctx)?;
    let mut placed_at: Option<Instant> = None;
    let mut pending = false;
    let mut on_poll = |store: &mut dyn Store, _: &PollReport| {
        pending = true;
        if place && !args.once && placed_at.is_none_or(|at| at.elapsed() >= PLACE_STORIES_EVERY) {
            place_stories(&engine, store);
            placed_at = Some(Instant::now());
            pending = false;
        }
    };
    let tally = storyline_watch::watch(&mut *store, &options, &stop, &mut on_poll)?;
    if place && pending {
        place_stories(&engine, &mut *store);
    }
    if args.json {
        serde_json::to_writer(&mut *out, &tally)?;
        writeln!(out)?;
    } else {
        print_tally(&tally, out)?;
    }
    let all_failed = tally.polls > 0 && tally.poll_errors == tally.polls;
    Ok(if all_failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The watch settings the flags (or environment, or config file) give;
/// shared with `serve --watch`.
/// The watch settings the flags and config file give; fetched pages are
/// held to `limits`.
pub fn watch_options(args: &PoliteArgs, limits: Limits, file: &FileConfig) -> Result<WatchOptions> {
    let defaults = WatchOptions::default();
    let host_delay = match args.host_delay.as_ref().or(file.host_delay.as_ref()) {
        Some(spec) => span(spec).map_err(|e| anyhow::anyhow!("host delay: {e}"))?,
        None => defaults.host_delay,
    };
    let workers = args
        .fetch_workers
        .or(file.fetch_workers)
        .unwrap_or(defaults.workers);
    let user_agent = match args.contact.as_ref().or(file.contact.as_ref()) {
        Some(contact) => format!("storyline/{} (+{contact})", env!("CARGO_PKG_VERSION")),
        None => FetchOptions::default().user_agent,
    };
    Ok(WatchOptions {
        fetch: FetchOptions {
            user_agent,
            ..crate::commands::ingest::fetch_options(&args.fetch)
        },
        host_delay,
        workers: workers.max(1),
        max_new_per_poll: args.max_new.max(1),
        limits,
        ..defaults
    })
}

fn place_stories(engine: &Engine, store: &mut dyn Store) {
    if let Err(e) = crate::commands::stories::keep_up(engine, store) {
        tracing::warn!("placing new articles in stories failed: {e:#}");
    }
}

/// A flag that SIGINT and SIGTERM set; a second signal ends the process at once.
fn stop_on_signals() -> Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register_conditional_shutdown(signal, 130, stop.clone())?;
        signal_hook::flag::register(signal, stop.clone())?;
    }
    Ok(stop)
}

fn print_tally(t: &Tally, out: &mut dyn Write) -> Result<()> {
    writeln!(
        out,
        "polled {} (not modified {}, failed {}); new links {}; stored {}, updated {}, unchanged {}; \
         rejected {}, fetch errors {}, disallowed by robots.txt {}",
        t.polls,
        t.not_modified,
        t.poll_errors,
        t.discovered,
        t.stored,
        t.updated,
        t.unchanged,
        t.rejected,
        t.fetch_errors,
        t.disallowed
    )?;
    for p in &t.problems {
        writeln!(out, "problem: {}: {}", p.url, p.reason)?;
    }
    Ok(())
}

/// An http(s) URL with a host, or a clear error.
fn web_url(input: &str) -> Result<String> {
    let trimmed = input.trim();
    let lower = trimmed.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("http://")
        .or_else(|| lower.strip_prefix("https://"));
    match rest {
        Some(r) if !r.is_empty() && !r.starts_with('/') => Ok(trimmed.to_string()),
        _ => bail!("{input:?} is not an http(s) URL with a host"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_config_file_which_wins_over_defaults() {
        let args = |host_delay: Option<&str>| PoliteArgs {
            fetch: crate::cli::FetchArgs {
                allow_private: false,
                fetch_timeout: 30,
            },
            host_delay: host_delay.map(str::to_string),
            fetch_workers: None,
            max_new: 200,
            contact: None,
        };
        let file = FileConfig {
            host_delay: Some("3s".into()),
            contact: Some("https://ops.example/bot".into()),
            ..Default::default()
        };
        let from_file = watch_options(&args(None), Limits::default(), &file).unwrap();
        assert_eq!(from_file.host_delay, Duration::from_secs(3));
        assert!(from_file.fetch.user_agent.ends_with("(+https://ops.example/bot)"));
        assert_eq!(from_file.workers, WatchOptions::default().workers);
        let from_flag = watch_options(&args(Some("250ms")), Limits::default(), &file).unwrap();
        assert_eq!(from_flag.host_delay, Duration::from_millis(250));
        let defaults = watch_options(&args(None), Limits::default(), &FileConfig::default()).unwrap();
        assert_eq!(defaults.host_delay, WatchOptions::default().host_delay);
        assert!(watch_options(&args(Some("soon")), Limits::default(), &file).is_err());
    }

    #[test]
    fn only_web_urls_are_sources() {
        assert!(web_url("https://news.example/feed").is_ok());
        assert!(web_url("ftp://news.example/feed").is_err());
        assert!(web_url("http:///feed").is_err());
    }
}
