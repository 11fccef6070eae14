//! `storyline serve` and `storyline demo`.

use crate::cli::{DemoArgs, ServeArgs};
use crate::commands::{ingest::progress_bar, Context};
use crate::config::{self, DEFAULT_BATCH_SIZE};
use crate::sample;
use anyhow::{Context as _, Result};
use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use storyline_ingest::Pipeline;
use storyline_server::Access;
use storyline_store::{SqliteStore, Store};

pub fn serve(ctx: &Context, args: &ServeArgs) -> Result<ExitCode> {
    let store = ctx.open_store()?;
    let addr = config::addr(args.addr, &ctx.file);
    let dir = ctx.data_dir.display().to_string();
    run_server(
        Box::new(store),
        addr,
        access(args.api_token.clone(), args.cors_origins.clone()),
        move |a| println!("storyline: serving {dir} on http://{a}/"),
    )?;
    Ok(ExitCode::SUCCESS)
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
    let mut pipeline = Pipeline::new(&mut store, DEFAULT_BATCH_SIZE);
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
        addr,
        access(args.api_token.clone(), args.cors_origins.clone()),
        |a| {
            println!("storyline demo: open http://{a}/ (Ctrl-C to stop)");
        },
    )?;
    Ok(ExitCode::SUCCESS)
}

fn access(api_token: Option<String>, cors_origins: Vec<String>) -> Access {
    Access {
        api_token,
        cors_origins,
    }
}

fn run_server(
    store: Box<dyn Store>,
    addr: SocketAddr,
    access: Access,
    ready: impl FnOnce(SocketAddr),
) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime
        .block_on(storyline_server::serve(
            store,
            crate::commands::ner::article_tagger(),
            access,
            addr,
            ready,
        ))
        .with_context(|| format!("cannot serve on {addr}"))
}
