//! The trafilatura baseline, run in the same benchmark run as storyline:
//! a Python interpreter with trafilatura installed (the venv
//! `scripts/extract-speed` makes) extracts the same pages, and each page's
//! text, title, author, date and extraction time come back as JSON lines.
//!
//! Not here: scoring (the benchmark that asked scores both systems alike).

use serde::Deserialize;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Reads each path given on standard input (gzipped when it ends in
/// `.gz`), times `trafilatura.extract` on it alone, and prints one JSON
/// line per page.
const SCRIPT: &str = r#"
import gzip, json, sys, time
import trafilatura

for line in sys.stdin:
    path = line.rstrip("\n")
    with open(path, "rb") as f:
        raw = f.read()
    html = gzip.decompress(raw) if path.endswith(".gz") else raw
    start = time.perf_counter()
    out = trafilatura.extract(html, output_format="json", with_metadata=True)
    seconds = time.perf_counter() - start
    doc = json.loads(out) if out else {}
    print(json.dumps({
        "path": path,
        "text": doc.get("text") or "",
        "title": doc.get("title"),
        "author": doc.get("author"),
        "date": doc.get("date"),
        "seconds": seconds,
    }))
print(json.dumps({"version": trafilatura.__version__}))
"#;

/// What trafilatura made of one page.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Extraction {
    pub path: PathBuf,
    pub text: String,
    pub title: Option<String>,
    pub author: Option<String>,
    pub date: Option<String>,
    /// Time spent in `trafilatura.extract` for this page.
    pub seconds: f64,
}

/// trafilatura's extractions of a run, in the order the pages were given.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub version: String,
    pub pages: Vec<Extraction>,
}

#[derive(Debug, thiserror::Error)]
pub enum TrafilaturaError {
    #[error("cannot run {python}: {source}")]
    Spawn { python: String, source: std::io::Error },
    #[error("{python} failed ({status}): {stderr}")]
    Failed {
        python: String,
        status: std::process::ExitStatus,
        stderr: String,
    },
    #[error("trafilatura's output, line {line}: {reason}")]
    Output { line: usize, reason: String },
}

/// The venv's interpreter when one is found: `STORYLINE_TRAFILATURA` (a
/// Python with trafilatura; set but empty: none), else
/// `target/trafilatura-venv` under the working directory or beside the
/// running binary's `target` folder.
pub fn find_python() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("STORYLINE_TRAFILATURA") {
        return (!p.is_empty()).then(|| PathBuf::from(p));
    }
    let venv = |target: &Path| target.join("trafilatura-venv/bin/python");
    let mut candidates = vec![venv(Path::new("target"))];
    if let Ok(exe) = std::env::current_exe() {
        // target/release/storyline → target/
        if let Some(target) = exe.parent().and_then(Path::parent) {
            candidates.push(venv(target));
        }
    }
    candidates.into_iter().find(|p| p.is_file())
}

/// Runs trafilatura with `python` on `pages`.
pub fn run(python: &Path, pages: &[PathBuf]) -> Result<Run, TrafilaturaError> {
    let shown = python.display().to_string();
    let mut child = Command::new(python)
        .arg("-c")
        .arg(SCRIPT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| TrafilaturaError::Spawn {
            python: shown.clone(),
            source,
        })?;
    let mut stdin = child.stdin.take().expect("piped");
    let stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let mut run = Run::default();
    let read = std::thread::scope(|scope| {
        // Paths go in on their own thread: the pages' JSON fills the
        // output pipe meanwhile.
        scope.spawn(move || {
            for p in pages {
                if writeln!(stdin, "{}", p.display()).is_err() {
                    break;
                }
            }
        });
        let errors = scope.spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
            text
        });
        let mut failure = None;
        for (n, line) in BufReader::new(stdout).lines().enumerate() {
            let Ok(line) = line else { break };
            if let Ok(end) = serde_json::from_str::<Version>(&line) {
                run.version = end.version;
                continue;
            }
            match serde_json::from_str::<Extraction>(&line) {
                Ok(page) => run.pages.push(page),
                Err(e) => {
                    failure.get_or_insert(TrafilaturaError::Output {
                        line: n + 1,
                        reason: e.to_string(),
                    });
                }
            }
        }
        (failure, errors.join().unwrap_or_default())
    });
    let status = child.wait().map_err(|source| TrafilaturaError::Spawn {
        python: shown.clone(),
        source,
    })?;
    let (failure, stderr) = read;
    if !status.success() {
        return Err(TrafilaturaError::Failed {
            python: shown,
            status,
            stderr: stderr.lines().rev().take(5).collect::<Vec<_>>().join(" | "),
        });
    }
    if let Some(e) = failure {
        return Err(e);
    }
    Ok(run)
}

#[derive(Deserialize)]
struct Version {
    version: String,
}
