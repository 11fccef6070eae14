//! `storyline bench scale`: the product's commands timed as a user meets
//! them, at growing store sizes.
//!
//! For each size a generated corpus (`storyline bench corpus`) is written to
//! a work folder and every step runs this same binary in a fresh process on
//! a store of its own: ingest from empty (articles/s and peak RSS), one
//! article's `similar` and `show`, 100 more articles ingested into the full
//! store (until their Similar Posts and stories are kept), `serve` from
//! start to the first article page answered and its RSS after 1,000 article
//! pages, and all-pairs top-5 (`similar --all -k 5`) beside scikit-learn's
//! TF-IDF + brute-force cosine kNN on the same file
//! (`scripts/similar-baseline`, when its venv is there; both left out above
//! `--all-pairs-up-to`). `--corpus FILE`
//! measures real JSON Lines corpora the same way. Peak RSS is the child's
//! own (`wait4`); a server's is read from `/proc` while it runs.
//!
//! Not here: quality (`bench similar`, `bench stories`) and the inner loops
//! (`bench similar --synthetic`).

use crate::cli::BenchScaleArgs;
use anyhow::{bail, Context as _, Result};
use serde::Serialize;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};
use storyline_eval::synthetic;

/// Article pages requested before the server's RSS is read.
const PAGE_REQUESTS: usize = 1_000;
/// Articles added to a full store.
const ADDED: usize = 100;

/// One whole command: its wall time and peak resident memory.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Run {
    pub seconds: f64,
    pub peak_rss_mb: f64,
}

/// What one store size (or corpus) measured.
#[derive(Debug, Serialize)]
pub struct ScaleRow {
    pub corpus: String,
    pub articles: usize,
    pub ingest: Run,
    pub ingest_articles_per_s: f64,
    pub similar_id: Run,
    pub show_id: Run,
    pub add_100: Option<Run>,
    pub serve_first_page_s: f64,
    pub serve_rss_mb_after_pages: f64,
    /// `None` above `--all-pairs-up-to`.
    pub all_pairs: Option<Run>,
    /// scikit-learn's TF-IDF + brute-force cosine kNN on the same file.
    pub baseline_all_pairs: Option<Run>,
}

pub fn run(args: &BenchScaleArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let me = std::env::current_exe().context("cannot find the storyline binary")?;
    let work = match &args.work_dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("storyline-scale-{}", std::process::id())),
    };
    std::fs::create_dir_all(&work).with_context(|| format!("cannot create {}", work.display()))?;
    let baseline = baseline_python(args)?;
    let mut rows = Vec::new();
    let mut made = Vec::new();
    for &n in &args.articles {
        let dir = work.join(format!("gen-{n}"));
        std::fs::create_dir_all(&dir)?;
        made.push(dir.clone());
        let corpus = dir.join("corpus.jsonl");
        let more = dir.join("more.jsonl");
        write_generated(&corpus, 0..n)?;
        write_generated(&more, n..n + ADDED)?;
        let probe = synthetic_id(n / 2);
        let row = measure(
            &me,
            &dir,
            &format!("generated:{n}"),
            n,
            &corpus,
            Some(&more),
            &probe,
            baseline.as_deref(),
            args.all_pairs_up_to,
        )?;
        print_progress(&row, args.json);
        rows.push(row);
    }
    for file in &args.corpus {
        let name = file.file_name().map_or_else(
            || file.display().to_string(),
            |f| f.to_string_lossy().into_owned(),
        );
        let dir = work.join(format!("corpus-{name}"));
        std::fs::create_dir_all(&dir)?;
        made.push(dir.clone());
        let (count, probe) = count_and_middle_id(file)?;
        let row = measure(
            &me,
            &dir,
            &name,
            count,
            file,
            None,
            &probe,
            baseline.as_deref(),
            args.all_pairs_up_to,
        )?;
        print_progress(&row, args.json);
        rows.push(row);
    }
    if args.json {
        for row in &rows {
            writeln!(out, "{}", serde_json::to_string(row)?)?;
        }
    } else {
        write_table(&rows, baseline.is_some(), out)?;
    }
    if !args.keep {
        // What this run wrote: its folders in a given work folder, or the
        // whole temporary one.
        match &args.work_dir {
            Some(_) => {
                for dir in &made {
                    let _ = std::fs::remove_dir_all(dir);
                }
            }
            None => {
                let _ = std::fs::remove_dir_all(&work);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The baseline's Python: the venv `scripts/similar-baseline --install`
/// makes, unless `--no-baseline`.
fn baseline_python(args: &BenchScaleArgs) -> Result<Option<PathBuf>> {
    if args.no_baseline {
        return Ok(None);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join("target/sklearn-venv/bin/python");
    let program = root.join("scripts/similar_baseline.py");
    if !python.exists() || !program.exists() {
        bail!(
            "the scikit-learn baseline is not installed: run `scripts/similar-baseline --install` (or pass --no-baseline)"
        );
    }
    Ok(Some(python))
}

fn synthetic_id(i: usize) -> String {
    synthetic::article(i)["id"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn write_generated(path: &Path, range: std::ops::Range<usize>) -> Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    for i in range {
        writeln!(file, "{}", synthetic::article(i))?;
    }
    file.flush()?;
    Ok(())
}

/// How many records `file` holds and the id of the one in the middle.
fn count_and_middle_id(file: &Path) -> Result<(usize, String)> {
    let lines = || -> Result<_> {
        Ok(BufReader::new(
            std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?,
        )
        .lines())
    };
    let count = lines()?
        .filter(|l| l.as_ref().is_ok_and(|l| !l.trim().is_empty()))
        .count();
    if count == 0 {
        bail!("{}: no articles", file.display());
    }
    let middle = lines()?
        .map_while(Result::ok)
        .filter(|l| !l.trim().is_empty())
        .nth(count / 2)
        .unwrap_or_default();
    let value: serde_json::Value = serde_json::from_str(&middle)
        .with_context(|| format!("{}: line {} is not JSON", file.display(), count / 2 + 1))?;
    let id = value["id"]
        .as_str()
        .with_context(|| format!("{}: the middle record has no id", file.display()))?;
    Ok((count, id.to_string()))
}

#[allow(clippy::too_many_arguments)]
fn measure(
    me: &Path,
    dir: &Path,
    corpus_name: &str,
    articles: usize,
    corpus: &Path,
    more: Option<&Path>,
    probe: &str,
    baseline: Option<&Path>,
    all_pairs_up_to: Option<usize>,
) -> Result<ScaleRow> {
    let store = dir.join("store");
    let _ = std::fs::remove_dir_all(&store);
    let data = store.to_str().context("a work folder path that is UTF-8")?;
    let storyline = |args: &[&str]| -> Result<Run> {
        let mut all = vec!["--quiet", "--data-dir", data];
        all.extend_from_slice(args);
        timed(Command::new(me).args(&all))
    };
    let corpus_arg = corpus.to_str().context("a corpus path that is UTF-8")?;
    let ingest = storyline(&["ingest", "--json", corpus_arg])?;
    let probe = &stored_probe(me, data, probe)?;
    // The median of three fresh processes: the first pays for a cold page cache.
    let similar_id = median_of_three(|| storyline(&["similar", probe, "--json"]))?;
    let show_id = median_of_three(|| storyline(&["show", probe, "--json"]))?;
    let (serve_first_page_s, serve_rss_mb_after_pages) = serve(me, data, probe)?;
    let pairs = all_pairs_up_to.is_none_or(|most| articles <= most);
    let all_pairs = match pairs {
        true => Some(storyline(&["similar", "--all", "-k", "5"])?),
        false => None,
    };
    let baseline_all_pairs = match baseline {
        Some(python) if pairs => {
            let program = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/similar_baseline.py");
            Some(timed(Command::new(python).arg(program).arg(corpus))?)
        }
        _ => None,
    };
    let add_100 = match more {
        Some(more) => Some(storyline(&[
            "ingest",
            "--json",
            more.to_str().context("a path that is UTF-8")?,
        ])?),
        None => None,
    };
    Ok(ScaleRow {
        corpus: corpus_name.to_string(),
        articles,
        ingest,
        ingest_articles_per_s: articles as f64 / ingest.seconds.max(1e-9),
        similar_id,
        show_id,
        add_100,
        serve_first_page_s,
        serve_rss_mb_after_pages,
        all_pairs,
        baseline_all_pairs,
    })
}

/// `probe` when the store holds it, else the newest stored article (a
/// record of a real corpus may have been stored as a copy under another id).
fn stored_probe(me: &Path, data: &str, probe: &str) -> Result<String> {
    let held = Command::new(me)
        .args(["--quiet", "--data-dir", data, "show", probe, "--json"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?
        .success();
    if held {
        return Ok(probe.to_string());
    }
    let listed = Command::new(me)
        .args(["--quiet", "--data-dir", data, "list", "--json", "--limit", "1"])
        .output()?;
    let first: serde_json::Value =
        serde_json::from_slice(listed.stdout.split(|&b| b == b'\n').next().unwrap_or_default())
            .context("the store lists no article")?;
    first["id"]
        .as_str()
        .map(String::from)
        .context("the store lists no article")
}

fn median_of_three(mut f: impl FnMut() -> Result<Run>) -> Result<Run> {
    let mut runs = [f()?, f()?, f()?];
    runs.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    Ok(runs[1])
}

/// Runs `command` to its end with its output discarded; fails when it fails.
fn timed(command: &mut Command) -> Result<Run> {
    let started = Instant::now();
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {command:?}"))?;
    let pid = child.id() as libc::pid_t;
    let mut stderr = String::new();
    if let Some(mut err) = child.stderr {
        std::io::Read::read_to_string(&mut err, &mut stderr)?;
    }
    let mut status = 0;
    // SAFETY: rusage is plain old data, and pid is our own unreaped child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if reaped != pid {
        bail!("waiting for {command:?} failed");
    }
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        bail!("{command:?} failed: {}", stderr.trim());
    }
    Ok(Run {
        seconds: started.elapsed().as_secs_f64(),
        peak_rss_mb: usage.ru_maxrss as f64 / 1024.0,
    })
}

/// Starts `serve` on the store in `data`, times it until the article page
/// of `probe` answers, requests `PAGE_REQUESTS` article pages and reads the
/// server's RSS; stops it.
fn serve(me: &Path, data: &str, probe: &str) -> Result<(f64, f64)> {
    let started = Instant::now();
    let mut child = Command::new(me)
        .args(["--quiet", "--data-dir", data, "serve", "--addr", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start storyline serve")?;
    let stdout = child.stdout.take().context("the server's output")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let result = (|| -> Result<(f64, f64)> {
        let base = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .map(|w| w.trim_end_matches('/').to_string())
            .with_context(|| format!("the server did not say where it listens: {line:?}"))?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .build()
            .into();
        // Ids may hold any character ("tech/401"): one path segment each.
        let page = |id: &str| -> Result<u16> {
            let id = percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC);
            Ok(agent
                .get(&format!("{base}/articles/{id}"))
                .call()?
                .status()
                .as_u16())
        };
        loop {
            if page(probe).unwrap_or(0) == 200 {
                break;
            }
            if started.elapsed() > Duration::from_secs(900) {
                bail!("the server never answered an article page");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let first = started.elapsed().as_secs_f64();
        let ids = article_ids(&agent, &base)?;
        for i in 0..PAGE_REQUESTS {
            let id = &ids[(i * 7919) % ids.len()];
            page(id)?;
        }
        Ok((first, rss_mb(child.id())?))
    })();
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let _ = child.wait();
    result
}

/// Up to a thousand article ids, read from the API's listing page by page.
fn article_ids(agent: &ureq::Agent, base: &str) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    while ids.len() < PAGE_REQUESTS {
        let url = match &cursor {
            Some(c) => format!("{base}/api/articles?limit=100&cursor={c}"),
            None => format!("{base}/api/articles?limit=100"),
        };
        let body = agent.get(&url).call()?.body_mut().read_to_string()?;
        let listed: serde_json::Value =
            serde_json::from_str(&body).with_context(|| format!("{url} answered {body:?}"))?;
        if !listed["articles"].is_array() {
            bail!("{url} answered {body:?}");
        }
        ids.extend(
            listed["articles"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a["id"].as_str().map(String::from)),
        );
        match listed["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    if ids.is_empty() {
        bail!("the server lists no articles");
    }
    Ok(ids)
}

fn rss_mb(pid: u32) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("no VmRSS in /proc")?;
    Ok(kb / 1024.0)
}

/// Each row on stderr as soon as it is measured (a large size takes long).
fn print_progress(row: &ScaleRow, json: bool) {
    if !json {
        eprintln!(
            "bench scale: {}: {}",
            row.corpus,
            serde_json::to_string(row).expect("rows serialise")
        );
    }
}

fn write_table(rows: &[ScaleRow], baseline: bool, out: &mut dyn Write) -> Result<()> {
    writeln!(
        out,
        "corpus                 articles  ingest art/s  ingest MB  similar ID s  show ID s  add 100 s  serve 1st page s  serve MB  all-pairs s  scikit-learn s  ratio"
    )?;
    for r in rows {
        let add = r
            .add_100
            .map_or_else(|| "–".to_string(), |a| format!("{:.2}", a.seconds));
        let pairs = r
            .all_pairs
            .map_or_else(|| "–".to_string(), |a| format!("{:.1}", a.seconds));
        let (base, ratio) = match (r.baseline_all_pairs, r.all_pairs) {
            (Some(b), Some(a)) => (
                format!("{:.1}", b.seconds),
                format!("{:.2}×", b.seconds / a.seconds.max(1e-9)),
            ),
            _ => ("–".to_string(), "–".to_string()),
        };
        writeln!(
            out,
            "{:<22} {:>8}  {:>12.0}  {:>9.0}  {:>12.3}  {:>9.3}  {:>9}  {:>16.2}  {:>8.0}  {:>11}  {:>14}  {:>5}",
            r.corpus,
            r.articles,
            r.ingest_articles_per_s,
            r.ingest.peak_rss_mb,
            r.similar_id.seconds,
            r.show_id.seconds,
            add,
            r.serve_first_page_s,
            r.serve_rss_mb_after_pages,
            pairs,
            base,
            ratio
        )?;
    }
    let generated: Vec<&ScaleRow> = rows.iter().filter(|r| r.add_100.is_some()).collect();
    if let (Some(first), Some(last)) = (generated.first(), generated.last()) {
        if first.articles < last.articles {
            let growth = |a: f64, b: f64| b / a.max(1e-9);
            writeln!(
                out,
                "growth {} → {} articles: similar ID {:.1}×, show ID {:.1}×, add 100 {:.1}×, serve start {:.1}×",
                first.articles,
                last.articles,
                growth(first.similar_id.seconds, last.similar_id.seconds),
                growth(first.show_id.seconds, last.show_id.seconds),
                growth(
                    first.add_100.map_or(0.0, |a| a.seconds),
                    last.add_100.map_or(0.0, |a| a.seconds)
                ),
                growth(first.serve_first_page_s, last.serve_first_page_s),
            )?;
        }
    }
    if !baseline {
        writeln!(out, "(no scikit-learn baseline: --no-baseline)")?;
    }
    writeln!(
        out,
        "each command a fresh process of this binary; ratio = scikit-learn's all-pairs time / storyline's"
    )?;
    Ok(())
}
