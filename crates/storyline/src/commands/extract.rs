//! `storyline extract FILE`: what storyline reads from one input, without a store.

use crate::cli::ExtractArgs;
use crate::commands::Context;
use crate::render;
use anyhow::{bail, Result};
use std::io::Write;
use std::process::ExitCode;
use storyline_core::Published;
use storyline_engine::Engine;
use storyline_ingest::{read_input, Parsed};

pub fn run(ctx: &Context, args: &ExtractArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let published = match &args.published {
        Some(raw) => match Published::parse(raw) {
            Some(p) => Some(p),
            None => {
                bail!("--published {raw:?} is not a date (use e.g. 2023-06-26 or 2023-06-26T10:00:00+03:00)")
            }
        },
        None => None,
    };
    let limits = crate::config::limits(&args.limits, None, &ctx.file)?;
    let mut parsed = Parsed::default();
    read_input(&args.file, &limits, &mut |p| {
        parsed.drafts.extend(p.drafts);
        parsed.rejected.extend(p.rejected);
        parsed.warnings.extend(p.warnings);
    });
    for r in parsed.rejected.iter().chain(&parsed.warnings) {
        let place = r
            .line
            .map_or_else(|| r.input.clone(), |l| format!("{}:{l}", r.input));
        eprintln!("storyline: {place}: {}", r.reason);
    }
    let mut shown = 0;
    // The engine analyses as it would on ingest, within these limits; the
    // result is shown, not kept.
    let engine = Engine::new(crate::commands::ner::article_tagger(), &limits);
    for located in parsed.drafts {
        let page_type = located.page_type;
        let mut draft = located.draft;
        if draft.published.is_none() {
            draft.published = published;
        }
        if draft.url.is_none() {
            draft.url = args.url.clone();
        }
        if draft.published.is_none() {
            draft.published = draft.url.as_deref().and_then(storyline_ingest::html::date_in_url);
        }
        for done in draft.bound(&limits) {
            eprintln!("storyline: {}: {}", located.input, done.what);
        }
        let article = match draft.finish() {
            Ok(a) => a,
            Err(e) => {
                eprintln!("storyline: {}: {e}", located.input);
                continue;
            }
        };
        let analysis = engine
            .compute(std::slice::from_ref(&article))
            .pop()
            .expect("one analysis per article");
        if args.json {
            let mut json = crate::commands::ner::article_json(&article, &analysis);
            if let Some(kind) = page_type {
                json["page_type"] = serde_json::json!(kind);
            }
            serde_json::to_writer_pretty(&mut *out, &json)?;
            writeln!(out)?;
        } else {
            if shown > 0 {
                writeln!(out, "\n---\n")?;
            }
            render::article(&article, out)?;
            crate::commands::ner::print_extraction(&analysis, out)?;
        }
        shown += 1;
    }
    Ok(if shown > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
