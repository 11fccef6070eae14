//! `storyline bench`: measured runs with a baseline computed in the same run.
//!
//! `bench similar` scores Similar Posts on story-labelled datasets beside
//! TF-IDF and BM25 baselines, `bench stories` the story clustering beside a
//! single-pass TF-IDF clusterer (see `storyline-eval`).
//!
//! `bench ingest` times the whole ingest path (read, parse, language
//! detection, serialisation, transactional upsert) on generated articles,
//! against a baseline that inserts the same JSON lines into SQLite with the
//! same durability settings and no processing at all. The ratio says what
//! storyline's work costs over bare storage on this machine.

use crate::cli::{
    BenchCorpusArgs, BenchIngestArgs, BenchSimilarArgs, BenchStoriesArgs, BenchTimeArgs, ModelArg,
};
use crate::commands::{ingest::ingest_inputs, Context};
use crate::config::DEFAULT_BATCH_SIZE;
use anyhow::{Context as _, Result};
use indicatif::ProgressBar;
use serde_json::json;
use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;
use storyline_core::Limits;
use storyline_eval::resources::peak_rss_mb;
use storyline_eval::{load_dataset, scale_bench, similar_bench, stories_bench, synthetic};
use storyline_extract::ner::Tagger;
use storyline_fetch::FetchOptions;
use storyline_relate::IndexOptions;
use storyline_store::SqliteStore;
use storyline_stories::ClusterOptions;

pub fn corpus(args: &BenchCorpusArgs, out: &mut dyn Write) -> Result<ExitCode> {
    for i in 0..args.articles {
        writeln!(out, "{}", synthetic::article(i))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn similar(args: &BenchSimilarArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let mut options = IndexOptions::default();
    for assignment in &args.set {
        options
            .set(assignment)
            .map_err(|e| anyhow::anyhow!("--set {e}"))?;
    }
    if let Some(n) = args.synthetic {
        let threads = std::thread::available_parallelism().map_or(1, |p| p.get());
        let report = scale_bench::run(n, &options, threads);
        if args.json {
            writeln!(out, "{}", serde_json::to_string(&report)?)?;
        } else {
            write!(out, "{}", report.table())?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let tagger = entity_tagger(args.no_entities, &args.model);
    for path in &args.dataset {
        let dataset = load_dataset(path)?;
        for problem in &dataset.rejected {
            eprintln!("storyline: {}: {problem}", path.display());
        }
        let report = similar_bench::run(&dataset, &options, tagger.as_ref());
        if args.json {
            writeln!(out, "{}", serde_json::to_string(&report)?)?;
        } else {
            writeln!(out, "{}", report.table())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The tagger that links entities for the Similar Posts and stories
/// benchmarks, as the product would use it; a note on stderr says when
/// they run without.
fn entity_tagger(off: bool, model: &ModelArg) -> Option<Tagger> {
    if off {
        eprintln!("bench: linked entities left out (--no-entities)");
        return None;
    }
    match super::ner::load_model(model) {
        Ok(t) => Some(t),
        Err(e) => {
            eprintln!("bench: linked entities left out: {e:#}");
            None
        }
    }
}

pub fn stories(args: &BenchStoriesArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let mut index_options = IndexOptions::default();
    let mut options = ClusterOptions::default();
    for assignment in &args.set {
        // Clustering options first; anything else is a ranking option.
        if let Err(cluster_error) = options.set(assignment) {
            index_options
                .set(assignment)
                .map_err(|e| anyhow::anyhow!("--set {cluster_error}; {e}"))?;
        }
    }
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get());
    if let Some(n) = args.synthetic {
        let report = stories_bench::run_synthetic(n, &index_options, &options, threads);
        print_stories(&report, args.json, out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let tagger = entity_tagger(args.no_entities, &args.model);
    for path in &args.dataset {
        let dataset = load_dataset(path)?;
        for problem in &dataset.rejected {
            eprintln!("storyline: {}: {problem}", path.display());
        }
        if args.sweep {
            let thresholds: Vec<f32> = (1..=18).map(|i| i as f32 * 0.05).collect();
            writeln!(out, "sweep: {}", path.display())?;
            writeln!(
                out,
                "{:>9} {:>7} {:>7} {:>7} {:>7} {:>7}",
                "threshold", "B3 P", "B3 R", "B3 F1", "ARI", "NMI"
            )?;
            for (t, s) in
                stories_bench::sweep(&dataset, &index_options, &options, tagger.as_ref(), &thresholds)
            {
                writeln!(
                    out,
                    "{t:>9.2} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>7.3}",
                    s.bcubed_p, s.bcubed_r, s.bcubed_f1, s.ari, s.nmi
                )?;
            }
            continue;
        }
        let report = stories_bench::run(&dataset, &index_options, &options, tagger.as_ref(), threads);
        if let Some(file) = &args.assignments {
            let mut lines = String::new();
            for a in &report.assignments {
                lines.push_str(&serde_json::to_string(a)?);
                lines.push('\n');
            }
            std::fs::write(file, lines).with_context(|| format!("cannot write {}", file.display()))?;
        }
        print_stories(&report, args.json, out)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_stories(report: &stories_bench::StoriesReport, json: bool, out: &mut dyn Write) -> Result<()> {
    if json {
        writeln!(out, "{}", serde_json::to_string(report)?)?;
    } else {
        writeln!(out, "{}", report.table())?;
    }
    Ok(())
}

pub fn timexes(args: &BenchTimeArgs, out: &mut dyn Write) -> Result<ExitCode> {
    for path in &args.dataset {
        let report = storyline_eval::time_bench::run(path)?;
        if args.json {
            writeln!(out, "{}", serde_json::to_string(&report)?)?;
        } else {
            writeln!(out, "{}", report.table())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn ingest(ctx: &Context, args: &BenchIngestArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let dir = tempfile::Builder::new().prefix("storyline-bench-").tempdir()?;
    let input = dir.path().join("articles.jsonl");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&input)?);
        corpus(
            &BenchCorpusArgs {
                articles: args.articles,
            },
            &mut f,
        )?;
        f.flush()?;
    }
    if ctx.chatty() {
        eprintln!("bench ingest: {} generated articles", args.articles);
    }
    let n = args.articles as f64;

    let baseline_s = time(|| sqlite_baseline(&input, &dir.path().join("baseline.db")))?;
    let rss_after_baseline = peak_rss_mb();

    let mut store = SqliteStore::open(&dir.path().join("store"))?;
    let inputs = [input.display().to_string()];
    let hidden = ProgressBar::hidden();
    let mut run_ingest = || {
        ingest_inputs(
            &mut store,
            &inputs,
            &Limits::default(),
            &FetchOptions::default(),
            DEFAULT_BATCH_SIZE,
            &hidden,
            &|| {},
        )
    };
    let mut accepted = 0;
    let storyline_s = time(|| {
        accepted = run_ingest()?.ingested;
        Ok(())
    })?;
    let reingest_s = time(|| run_ingest().map(|_| ()))?;
    let peak = peak_rss_mb();

    let report = json!({
        "bench": "ingest",
        "articles": args.articles,
        "stored": accepted,
        "systems": {
            "storyline": {"seconds": storyline_s, "articles_per_s": n / storyline_s},
            "storyline-reingest": {"seconds": reingest_s, "articles_per_s": n / reingest_s},
            "sqlite-insert": {"seconds": baseline_s, "articles_per_s": n / baseline_s},
        },
        "ratio_storyline_to_baseline_time": storyline_s / baseline_s,
        "peak_rss_mb": peak,
        "peak_rss_mb_after_baseline": rss_after_baseline,
    });
    if args.json {
        writeln!(out, "{report}")?;
    } else {
        writeln!(
            out,
            "bench ingest: {} generated articles (JSONL), batches of {DEFAULT_BATCH_SIZE}, synchronous=FULL",
            args.articles
        )?;
        writeln!(
            out,
            "{:<20} {:>10} {:>14} {:>10}",
            "system", "seconds", "articles/s", "time ×"
        )?;
        for (name, s) in [
            ("sqlite-insert", baseline_s),
            ("storyline", storyline_s),
            ("storyline-reingest", reingest_s),
        ] {
            writeln!(
                out,
                "{name:<20} {s:>10.2} {:>14.0} {:>10.2}",
                n / s,
                s / baseline_s
            )?;
        }
        match peak {
            Some(mb) => writeln!(out, "peak RSS: {mb:.1} MB")?,
            None => writeln!(out, "peak RSS: not available on this system")?,
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn time(f: impl FnOnce() -> Result<()>) -> Result<f64> {
    let start = Instant::now();
    f()?;
    Ok(start.elapsed().as_secs_f64().max(1e-9))
}

/// The same lines stored as they are: no parsing, no analysis.
fn sqlite_baseline(input: &Path, db: &Path) -> Result<()> {
    let mut conn = rusqlite::Connection::open(db)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch("CREATE TABLE raw (n INTEGER PRIMARY KEY, doc TEXT NOT NULL)")?;
    let reader = std::io::BufReader::new(std::fs::File::open(input)?);
    let mut lines = reader.lines().peekable();
    while lines.peek().is_some() {
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare_cached("INSERT INTO raw (doc) VALUES (?1)")?;
            for line in lines.by_ref().take(DEFAULT_BATCH_SIZE) {
                insert.execute([line?])?;
            }
        }
        tx.commit()?;
    }
    Ok(())
}
