//! `storyline serve` and `storyline demo`.

use crate::cli::{DemoArgs, LimitArgs, PoliteArgs, ServeArgs};
use crate::commands::watch::watch_options;
use crate::commands::{ingest::progress_bar, Context};
use crate::config::{self, DEFAULT_BATCH_SIZE};
use crate::sample;
use anyhow::{Context as _, Result};
use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use storyline_core::Limits;
use storyline_ingest::Pipeline;
use storyline_server::Access;
use storyline_store::{SqliteStore, Store};

pub fn serve(ctx: &Context, args: &ServeArgs) -> Result<ExitCode> {
    let store = ctx.open_store()?;
    let addr = config::addr(args.addr, &ctx.file);
    let dir = ctx.store_name();
    let limits = config::limits(&args.limits, args.max_body_size, &ctx.file)?;
    let watcher = args
        .watch
        .then(|| start_watch(ctx, &args.polite, limits))
        .transpose()?;
    if ctx.file.in_flight_per_core == Some(0) {
        anyhow::bail!("config file: in_flight_per_core must be at least 1");
    }
    let access = Access {
        api_token: args.api_token.clone(),
        cors_origins: args.cors_origins.clone(),
        searches_per_client: args.searches_per_client.or(ctx.file.searches_per_client),
        in_flight_per_core: args
            .in_flight_per_core
            .or(ctx.file.in_flight_per_core)
            .map(usize::from),
    };
    let index = ctx.data_dir.join("index");
    let served = run_server(store, index, addr, access, limits, move |a| {
        println!("storyline: serving {dir} on http://{a}/")
    });
    if let Some((stop, handle)) = watcher {
        // The server has stopped (a signal, or it could not start): so does the watch.
        stop.store(true, Ordering::Relaxed);
        let _ = handle.join();
    }
    served?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `storyline watch` on its own thread and store connection; the
/// server notices what it stores (the store's generation) and places the
/// new articles in stories itself.
fn start_watch(
    ctx: &Context,
    polite: &PoliteArgs,
    limits: Limits,
) -> Result<(Arc<AtomicBool>, JoinHandle<()>)> {
    let mut store = ctx.open_store()?;
    let options = watch_options(polite, limits, &ctx.file)?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let handle =
        std::thread::Builder::new().name("watch".into()).spawn(move || {
            match storyline_watch::watch(&mut *store, &options, &flag, &mut |_, _| {}) {
                Ok(tally) => tracing::info!(
                    stored = tally.stored,
                    updated = tally.updated,
                    polls = tally.polls,
                    "watch stopped"
                ),
                Err(e) => tracing::error!("watching stopped: {e}"),
            }
        })?;
    Ok((stop, handle))
}

pub fn demo(ctx: &Context, args: &DemoArgs, out: &mut dyn Write) -> Result<ExitCode> {
    // A fresh store each time, unless the user names one.
    let temp;
    let dir = if ctx.data_dir_explicit {
        ctx.data_dir.clone()
    } else {
        temp = tempfile::Builder::new().prefix("storyline-demo-").tempdir()?;
        temp.path().to_path_buf()
    };
    let mut store =
        SqliteStore::open(&dir).with_context(|| format!("cannot open the store in {}", dir.display()))?;
    let progress = progress_bar(ctx.chatty() && !args.no_serve);
    // The sample is read with the default bounds; serving it, the config
    // file's apply.
    let limits = config::limits(&LimitArgs::default(), None, &ctx.file)?;
    let mut pipeline = Pipeline::new(&mut store, DEFAULT_BATCH_SIZE, Limits::default());
    for parsed in sample::parsed() {
        pipeline.accept(parsed)?;
    }
    let summary = pipeline.finish()?;
    progress.finish_and_clear();
    for r in &summary.rejected {
        eprintln!("storyline: sample {}: {}", r.input, r.reason);
    }
    writeln!(
        out,
        "loaded {} sample articles into {}",
        summary.accepted(),
        dir.display()
    )?;
    out.flush()?;
    if args.no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    let addr = config::addr(args.addr, &ctx.file);
    run_server(
        Box::new(store),
        dir.join("index"),
        addr,
        Access {
            api_token: args.api_token.clone(),
            cors_origins: args.cors_origins.clone(),
            ..Access::default()
        },
        limits,
        |a| {
            println!("storyline demo: open http://{a}/ (Ctrl-C to stop)");
        },
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Serves `store`, keeping the on-disk Similar Posts index in `index`.
fn run_server(
    store: Box<dyn Store>,
    index: std::path::PathBuf,
    addr: SocketAddr,
    access: Access,
    limits: Limits,
    ready: impl FnOnce(SocketAddr),
) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime
        .block_on(storyline_server::serve(
            store,
            storyline_engine::Engine::new(crate::commands::ner::article_tagger(), &limits).with_index(index),
            access,
            limits,
            addr,
            ready,
        ))
        .with_context(|| format!("cannot serve on {addr}"))
}
