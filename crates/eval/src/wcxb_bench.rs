//! `storyline bench extract --dataset DIR` on a folder laid out as the Web
//! Content Extraction Benchmark (WCXB) is: `SPLIT/html/NNNN.html.gz`,
//! `SPLIT/ground-truth/NNNN.json` (the gold `main_content`, `title`,
//! `author`, `publish_date`, and the page type), and `metadata.json` (each
//! page's domain). `DIR` is the benchmark's folder (its `dev` split is
//! read) or a split's folder.
//!
//! Every page is scored with the benchmark's own metric (lowercase `\w+`
//! words, multiset overlap, per-page F1, mean over pages; an empty gold
//! text scores 1 only when nothing is extracted) and with the 4-word
//! shingle metric of `main_text_bench`, per page type and overall;
//! trafilatura extracts the same pages in the same run when its venv is
//! there (see `trafilatura`). Pages are grouped into folds by domain, so
//! the spread over folds shows how much the score depends on which sites
//! it is measured on. Pages are read and extracted one at a time and each
//! output is scored at once and dropped: the peak RSS is the extractor's
//! and the gold texts', not every output's.
//!
//! Not here: the ScrapingHub layout (`main_text_bench`).

use crate::main_text_bench::{extract_page, page_scores, read_gzipped, read_json, Extracted, MainTextError};
use crate::resources::peak_rss_mb;
use crate::trafilatura;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;
use storyline_extract::ner::spans::Prf;
use storyline_ingest::PageType;

/// How many folds pages are grouped into by domain.
pub const FOLDS: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum WcxbError {
    #[error(transparent)]
    Input(#[from] MainTextError),
    #[error(transparent)]
    Trafilatura(#[from] trafilatura::TrafilaturaError),
}

/// Whether `dir` is laid out as WCXB (the benchmark's folder or a split's).
pub fn is_wcxb(dir: &Path) -> bool {
    split_dir(dir).is_some()
}

fn split_dir(dir: &Path) -> Option<PathBuf> {
    [dir.join("dev"), dir.to_path_buf()]
        .into_iter()
        .find(|d| d.join("html").is_dir() && d.join("ground-truth").is_dir())
}

/// One page's gold.
struct Gold {
    key: String,
    page_type: String,
    domain: String,
    url: String,
    text: String,
    title: Option<String>,
    author: Option<String>,
    date: Option<String>,
}

/// Word precision, recall and F1 of one page by the benchmark's metric.
pub fn word_scores(gold: &str, extracted: &str) -> (f64, f64, f64) {
    let (g, e) = (word_counts(gold), word_counts(extracted));
    let (gn, en): (usize, usize) = (g.values().sum(), e.values().sum());
    if gn == 0 {
        return if en == 0 { (1.0, 1.0, 1.0) } else { (0.0, 0.0, 0.0) };
    }
    if en == 0 {
        return (0.0, 0.0, 0.0);
    }
    let overlap: usize = e
        .iter()
        .map(|(w, &n)| n.min(g.get(w).copied().unwrap_or(0)))
        .sum();
    let s = Prf::from_rates(overlap as f64 / en as f64, overlap as f64 / gn as f64);
    (s.precision, s.recall, s.f1)
}

/// Lowercase runs of word characters (letters, digits, `_`), counted.
fn word_counts(text: &str) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for w in text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
    {
        *out.entry(w.to_lowercase()).or_insert(0) += 1;
    }
    out
}

/// Per-page scores of one system.
#[derive(Debug, Clone, Copy, Default)]
struct PageScore {
    word: (f64, f64, f64),
    /// Shingle precision and recall (F1 comes from means over pages).
    shingle: (f64, f64),
}

fn page_score(gold: &str, extracted: &str) -> PageScore {
    PageScore {
        word: word_scores(gold, extracted),
        shingle: page_scores(gold, extracted),
    }
}

/// Scores of one system over a set of pages.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct SetScores {
    pub pages: usize,
    /// The benchmark's metric: means over pages.
    pub word_precision: f64,
    pub word_recall: f64,
    pub word_f1: f64,
    /// The 4-word shingle F1 (of mean precision and mean recall).
    pub shingle_f1: f64,
}

impl SetScores {
    fn of<'a>(scores: impl IntoIterator<Item = &'a PageScore>) -> SetScores {
        let mut s = SetScores::default();
        let (mut sp, mut sr) = (0.0, 0.0);
        for p in scores {
            s.pages += 1;
            s.word_precision += p.word.0;
            s.word_recall += p.word.1;
            s.word_f1 += p.word.2;
            sp += p.shingle.0;
            sr += p.shingle.1;
        }
        if s.pages == 0 {
            return s;
        }
        let n = s.pages as f64;
        s.word_precision /= n;
        s.word_recall /= n;
        s.word_f1 /= n;
        s.shingle_f1 = Prf::from_rates(sp / n, sr / n).f1;
        s
    }
}

/// One system's scores: overall, per page type, per fold.
#[derive(Debug, Clone, Serialize)]
pub struct SystemScores {
    pub overall: SetScores,
    pub by_type: BTreeMap<String, SetScores>,
    /// Word F1 of each fold (pages grouped by domain).
    pub folds: Vec<f64>,
    /// Exact-match rates of the metadata, over the pages whose gold has it.
    pub metadata: MetadataRates,
    /// Pages per second of extraction alone (one thread).
    pub pages_per_s: f64,
}

/// Exact-match rates (normalised case and spaces; dates as `YYYY-MM-DD`).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct MetadataRates {
    pub title: f64,
    pub author: f64,
    pub date: f64,
    /// Gold values there were of each.
    pub titles: usize,
    pub authors: usize,
    pub dates: usize,
}

#[derive(Debug, Serialize)]
pub struct WcxbReport {
    pub task: &'static str,
    pub dataset: String,
    pub pages: usize,
    pub systems: BTreeMap<String, SystemScores>,
    /// storyline's pages per second over trafilatura's, same pages, same run.
    pub speed_ratio: Option<f64>,
    pub peak_rss_mb: Option<f64>,
    /// storyline's page types against the benchmark's labels.
    pub page_types: PageTypeScores,
    /// Why no trafilatura column, when there is none.
    pub baseline_missing: Option<String>,
    /// storyline's 40 lowest word F1s, for looking into (key, type, F1).
    pub worst_pages: Vec<(String, String, f64)>,
}

/// How well page types are told, beside always saying "article".
#[derive(Debug, Clone, Default, Serialize)]
pub struct PageTypeScores {
    pub accuracy: f64,
    /// The share of pages labelled article: what always saying so scores.
    pub majority_baseline: f64,
    /// Per type: precision, recall, F1 and labelled pages.
    pub by_type: BTreeMap<String, (f64, f64, f64, usize)>,
    /// Labelled type → told type → pages ("none": no article text was found).
    pub confusion: BTreeMap<String, BTreeMap<String, usize>>,
}

fn page_type_scores(golds: &[Gold], outputs: &[Output]) -> PageTypeScores {
    let mut out = PageTypeScores::default();
    let told = |o: &Output| o.page_type.map_or("none", PageType::as_str);
    for (g, o) in golds.iter().zip(outputs) {
        *out.confusion
            .entry(g.page_type.clone())
            .or_default()
            .entry(told(o).to_string())
            .or_insert(0) += 1;
    }
    let n = golds.len().max(1) as f64;
    let right = golds
        .iter()
        .zip(outputs)
        .filter(|(g, o)| g.page_type == told(o))
        .count();
    out.accuracy = right as f64 / n;
    out.majority_baseline = golds.iter().filter(|g| g.page_type == "article").count() as f64 / n;
    for t in PageType::ALL.map(PageType::as_str) {
        let tp = golds
            .iter()
            .zip(outputs)
            .filter(|(g, o)| g.page_type == t && told(o) == t)
            .count();
        let said = outputs.iter().filter(|o| told(o) == t).count();
        let labelled = golds.iter().filter(|g| g.page_type == t).count();
        let s = Prf::from_rates(tp as f64 / said.max(1) as f64, tp as f64 / labelled.max(1) as f64);
        out.by_type
            .insert(t.to_string(), (s.precision, s.recall, s.f1, labelled));
    }
    out
}

fn read_gold(split: &Path, domains: &HashMap<String, String>) -> Result<Vec<Gold>, WcxbError> {
    let dir = split.join("ground-truth");
    let listing = std::fs::read_dir(&dir).map_err(|source| MainTextError::Read {
        path: dir.display().to_string(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = listing
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let mut out = Vec::with_capacity(paths.len());
    for path in paths {
        let json = read_json(&path)?;
        let key = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let gt = &json["ground_truth"];
        let text_of = |field: &str| {
            gt[field]
                .as_str()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
        };
        // As the benchmark's `evaluate.py` reads it (its `category` is a
        // collection); a label storyline has no type for is kept as it is.
        let label = json["_internal"]["page_type"]["primary"]
            .as_str()
            .or(json["_internal"]["page_type"].as_str())
            .unwrap_or("article");
        let page_type = PageType::parse(label).map_or_else(|| label.to_string(), |t| t.as_str().to_string());
        out.push(Gold {
            domain: domains
                .get(&key)
                .cloned()
                .unwrap_or_else(|| host_of(json["url"].as_str().unwrap_or(""))),
            url: json["url"].as_str().unwrap_or_default().to_string(),
            text: gt["main_content"].as_str().unwrap_or_default().to_string(),
            title: text_of("title"),
            author: text_of("author"),
            date: text_of("publish_date"),
            page_type,
            key,
        });
    }
    Ok(out)
}

fn host_of(url: &str) -> String {
    url.split("://")
        .nth(1)
        .unwrap_or(url)
        .split('/')
        .next()
        .unwrap_or("")
        .to_string()
}

/// Each page's domain from `metadata.json` beside the split, when there.
fn domains(dir: &Path, split: &Path) -> Result<HashMap<String, String>, WcxbError> {
    let Some(path) = [dir.join("metadata.json"), split.join("../metadata.json")]
        .into_iter()
        .find(|p| p.is_file())
    else {
        return Ok(HashMap::new());
    };
    let json = read_json(&path)?;
    Ok(json["files"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v["domain"].as_str()?.to_string())))
        .collect())
}

fn html_path(split: &Path, key: &str) -> PathBuf {
    split.join("html").join(format!("{key}.html.gz"))
}

/// A system's extraction of one page, as scored: its text is scored
/// against the gold as soon as it is read and not kept, so that the
/// benchmark's memory is the extractor's and not every page's text.
struct Output {
    score: PageScore,
    title: Option<String>,
    author: Option<String>,
    date: Option<String>,
    page_type: Option<PageType>,
}

impl Output {
    fn of(e: Extracted, gold: &Gold) -> Output {
        Output {
            score: page_score(&gold.text, &e.text),
            title: e.title,
            author: e.author,
            date: e.published.map(|p| p.day().format("%Y-%m-%d").to_string()),
            page_type: e.page_type,
        }
    }
}

fn normalised(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn rates(golds: &[Gold], outputs: &[Output]) -> MetadataRates {
    let mut r = MetadataRates::default();
    let (mut title, mut author, mut date) = (0usize, 0usize, 0usize);
    let same = |g: &Option<String>, o: &Option<String>| match (g, o) {
        (Some(g), Some(o)) => normalised(g) == normalised(o),
        _ => false,
    };
    let day = |s: &Option<String>| {
        s.as_deref()
            .map(|d| d.trim().chars().take(10).collect::<String>())
    };
    for (g, o) in golds.iter().zip(outputs) {
        if g.title.is_some() {
            r.titles += 1;
            title += usize::from(same(&g.title, &o.title));
        }
        if g.author.is_some() {
            r.authors += 1;
            author += usize::from(same(&g.author, &o.author));
        }
        if g.date.is_some() {
            r.dates += 1;
            date += usize::from(day(&g.date).is_some() && day(&g.date) == day(&o.date));
        }
    }
    let rate = |n: usize, of: usize| if of == 0 { 0.0 } else { n as f64 / of as f64 };
    r.title = rate(title, r.titles);
    r.author = rate(author, r.authors);
    r.date = rate(date, r.dates);
    r
}

/// The fold of each domain: domains sorted, dealt round.
fn folds_of(golds: &[Gold]) -> HashMap<&str, usize> {
    let mut domains: Vec<&str> = golds.iter().map(|g| g.domain.as_str()).collect();
    domains.sort_unstable();
    domains.dedup();
    domains
        .into_iter()
        .enumerate()
        .map(|(i, d)| (d, i % FOLDS))
        .collect()
}

fn system_scores(golds: &[Gold], outputs: &[Output], seconds: f64) -> (SystemScores, Vec<PageScore>) {
    let scores: Vec<PageScore> = outputs.iter().map(|o| o.score).collect();
    let mut by_type: BTreeMap<String, Vec<PageScore>> = BTreeMap::new();
    for (g, s) in golds.iter().zip(&scores) {
        by_type.entry(g.page_type.clone()).or_default().push(*s);
    }
    let fold = folds_of(golds);
    let folds = (0..FOLDS)
        .map(|f| {
            SetScores::of(
                golds
                    .iter()
                    .zip(&scores)
                    .filter(|(g, _)| fold[g.domain.as_str()] == f)
                    .map(|(_, s)| s),
            )
            .word_f1
        })
        .collect();
    let system = SystemScores {
        overall: SetScores::of(&scores),
        by_type: by_type
            .iter()
            .map(|(t, s)| (t.clone(), SetScores::of(s)))
            .collect(),
        folds,
        metadata: rates(golds, outputs),
        pages_per_s: golds.len() as f64 / seconds.max(1e-9),
    };
    (system, scores)
}

/// The benchmark on `dir`, with trafilatura beside storyline when its
/// venv is found (see [`trafilatura::find_python`]).
pub fn run(dir: &Path) -> Result<WcxbReport, WcxbError> {
    run_with(dir, trafilatura::find_python().as_deref())
}

/// The benchmark on `dir`, with trafilatura run by `python` when given.
pub fn run_with(dir: &Path, python: Option<&Path>) -> Result<WcxbReport, WcxbError> {
    let split = split_dir(dir).ok_or_else(|| MainTextError::Format {
        path: dir.display().to_string(),
        reason: "no html/ and ground-truth/ folders (nor dev/ holding them)".into(),
    })?;
    let golds = read_gold(&split, &domains(dir, &split)?)?;
    let mut outputs = Vec::with_capacity(golds.len());
    let mut seconds = 0.0;
    for g in &golds {
        let html = read_gzipped(&html_path(&split, &g.key))?;
        let start = Instant::now();
        let extracted = extract_page(&g.key, &html, &g.url);
        seconds += start.elapsed().as_secs_f64();
        outputs.push(Output::of(extracted, g));
    }
    let peak_rss_mb = peak_rss_mb();
    let page_types = page_type_scores(&golds, &outputs);
    let mut systems = BTreeMap::new();
    let (ours, page_scores) = system_scores(&golds, &outputs, seconds);
    let mut worst: Vec<(String, String, f64)> = golds
        .iter()
        .zip(&page_scores)
        .map(|(g, s)| (g.key.clone(), g.page_type.clone(), s.word.2))
        .collect();
    worst.sort_by(|a, b| a.2.total_cmp(&b.2).then_with(|| a.0.cmp(&b.0)));
    worst.truncate(40);
    let ours_speed = ours.pages_per_s;
    systems.insert("storyline".to_string(), ours);
    let (mut speed_ratio, mut baseline_missing) = (None, None);
    match python {
        None => {
            baseline_missing = Some(
                "no trafilatura venv (scripts/extract-speed makes target/trafilatura-venv; or set STORYLINE_TRAFILATURA)"
                    .to_string(),
            )
        }
        Some(python) => {
            let paths: Vec<PathBuf> = golds.iter().map(|g| html_path(&split, &g.key)).collect();
            let run = trafilatura::run(python, &paths)?;
            let by_path: HashMap<&Path, &trafilatura::Extraction> =
                run.pages.iter().map(|p| (p.path.as_path(), p)).collect();
            let outputs: Vec<Output> = paths
                .iter()
                .zip(&golds)
                .map(|(p, g)| {
                    let e = by_path.get(p.as_path()).copied().cloned().unwrap_or_default();
                    Output {
                        score: page_score(&g.text, &e.text),
                        title: e.title,
                        author: e.author,
                        date: e.date,
                        page_type: None,
                    }
                })
                .collect();
            let seconds: f64 = run.pages.iter().map(|p| p.seconds).sum();
            let (theirs, _) = system_scores(&golds, &outputs, seconds);
            speed_ratio = Some(ours_speed / theirs.pages_per_s.max(1e-9));
            systems.insert(format!("trafilatura {}", run.version), theirs);
        }
    }
    Ok(WcxbReport {
        task: "main-text-wcxb",
        dataset: split.display().to_string(),
        pages: golds.len(),
        systems,
        speed_ratio,
        peak_rss_mb,
        page_types,
        baseline_missing,
        worst_pages: worst,
    })
}

impl WcxbReport {
    /// Per page type and overall, both metrics, each system; then folds,
    /// metadata and speed.
    pub fn table(&self) -> String {
        let names: Vec<&String> = self.systems.keys().collect();
        let mut out = format!(
            "bench extract (WCXB): {} ({} pages; word F1 = the benchmark's metric, mean over pages; shingle F1 = 4-word shingles)\n",
            self.dataset, self.pages
        );
        out.push_str(&format!("{:<14} {:>5}", "page type", "pages"));
        for n in &names {
            out.push_str(&format!(" {:>24}", format!("{} word/shingle", short(n))));
        }
        out.push('\n');
        let mut types: Vec<&str> = PageType::ALL.map(PageType::as_str).to_vec();
        for s in self.systems.values() {
            for t in s.by_type.keys() {
                if !types.contains(&t.as_str()) {
                    types.push(t);
                }
            }
        }
        let row = |label: &str, pick: &dyn Fn(&SystemScores) -> Option<SetScores>| {
            let first = self.systems.values().next().and_then(pick);
            let Some(first) = first else {
                return String::new();
            };
            let mut line = format!("{label:<14} {:>5}", first.pages);
            for n in &names {
                let s = pick(&self.systems[*n]).unwrap_or_default();
                line.push_str(&format!(
                    " {:>24}",
                    format!("{:.3} / {:.3}", s.word_f1, s.shingle_f1)
                ));
            }
            line.push('\n');
            line
        };
        for t in types {
            out.push_str(&row(t, &|s| s.by_type.get(t).copied()));
        }
        out.push_str(&row("all", &|s| Some(s.overall)));
        for (n, s) in &self.systems {
            let (lo, hi) = s
                .folds
                .iter()
                .fold((f64::MAX, f64::MIN), |(lo, hi), &f| (lo.min(f), hi.max(f)));
            let m = s.metadata;
            out.push_str(&format!(
                "{n}: word F1 by domain fold {} (spread {:.3}); metadata exact match: title {:.3} ({}), author {:.3} ({}), date {:.3} ({}); {:.0} pages/s\n",
                s.folds.iter().map(|f| format!("{f:.3}")).collect::<Vec<_>>().join(" "),
                hi - lo,
                m.title,
                m.titles,
                m.author,
                m.authors,
                m.date,
                m.dates,
                s.pages_per_s
            ));
        }
        let pt = &self.page_types;
        out.push_str(&format!(
            "page types: accuracy {:.3} (always \"article\": {:.3}); precision/recall per type:",
            pt.accuracy, pt.majority_baseline
        ));
        for (t, (p, r, _, n)) in &pt.by_type {
            out.push_str(&format!(" {t} {p:.2}/{r:.2} ({n})"));
        }
        out.push('\n');
        if let Some(r) = self.speed_ratio {
            out.push_str(&format!(
                "storyline is {r:.1}x trafilatura's pages/s on these pages (extraction alone, one thread)\n"
            ));
        }
        if let Some(why) = &self.baseline_missing {
            out.push_str(&format!("trafilatura not run: {why}\n"));
        }
        out.push_str(&format!(
            "storyline peak RSS {}\n",
            self.peak_rss_mb
                .map_or_else(|| "n/a".to_string(), |m| format!("{m:.1} MB"))
        ));
        out
    }
}

fn short(name: &str) -> &str {
    name.split(' ').next().unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_scores_follow_the_benchmark() {
        assert_eq!(word_scores("", ""), (1.0, 1.0, 1.0));
        assert_eq!(word_scores("", "menu"), (0.0, 0.0, 0.0));
        assert_eq!(word_scores("some text", ""), (0.0, 0.0, 0.0));
        // Case and punctuation do not count; repeated words count as often
        // as they occur in both.
        let (p, r, f) = word_scores("The cat, the hat.", "the CAT sat");
        assert!((p - 2.0 / 3.0).abs() < 1e-9, "{p}");
        assert!((r - 0.5).abs() < 1e-9, "{r}");
        assert!((f - 2.0 * p * r / (p + r)).abs() < 1e-9);
        // Words are Unicode: accented and non-Latin letters are word characters.
        assert_eq!(word_scores("Übersee café 東京", "übersee CAFÉ 東京").2, 1.0);
    }

    #[test]
    fn folds_keep_a_domain_together() {
        let gold = |key: &str, domain: &str| Gold {
            key: key.into(),
            page_type: "article".into(),
            domain: domain.into(),
            url: String::new(),
            text: String::new(),
            title: None,
            author: None,
            date: None,
        };
        let golds: Vec<Gold> = (0..20)
            .map(|i| gold(&i.to_string(), &format!("site{}.example", i % 7)))
            .collect();
        let folds = folds_of(&golds);
        assert_eq!(folds.len(), 7);
        assert!(folds.values().all(|&f| f < FOLDS));
        assert_eq!(
            folds.values().collect::<std::collections::HashSet<_>>().len(),
            FOLDS
        );
    }

    /// A two-page folder in the benchmark's layout: both pages scored,
    /// by type, with their metadata and page types.
    #[test]
    fn reads_the_benchmark_layout() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let split = dir.path().join("dev");
        std::fs::create_dir_all(split.join("html")).unwrap();
        std::fs::create_dir_all(split.join("ground-truth")).unwrap();
        let body = "The port reopened on Monday after three weeks of repairs to the quay, officials said.";
        let pages = [
            (
                "0001",
                "article",
                "https://a.example/2024/05/02/port",
                format!("<article><h1>Port reopens</h1><p>{body}</p><p>{body}</p></article>"),
            ),
            (
                "0002",
                "forum",
                "https://b.example/t/port/12",
                format!("<div class='post'><p>{body}</p></div>"),
            ),
        ];
        for (key, kind, url, html) in &pages {
            let page = format!("<html><head><title>Port reopens</title><link rel='canonical' href='{url}'></head><body>{html}</body></html>");
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            gz.write_all(page.as_bytes()).unwrap();
            std::fs::write(
                split.join("html").join(format!("{key}.html.gz")),
                gz.finish().unwrap(),
            )
            .unwrap();
            let gold = serde_json::json!({
                "url": url,
                "_internal": {"page_type": {"primary": kind}},
                "ground_truth": {"title": "Port reopens", "main_content": format!("{body}\n\n{body}"), "publish_date": "2024-05-02"},
            });
            std::fs::write(
                split.join("ground-truth").join(format!("{key}.json")),
                gold.to_string(),
            )
            .unwrap();
        }
        assert!(is_wcxb(dir.path()));
        let report = run_with(dir.path(), None).unwrap();
        assert_eq!(report.pages, 2);
        let ours = &report.systems["storyline"];
        assert_eq!(ours.by_type["article"].pages, 1);
        assert_eq!(ours.by_type["article"].word_f1, 1.0);
        assert!(
            ours.by_type["forum"].word_recall < 1.0,
            "one of the two paragraphs"
        );
        assert_eq!(ours.metadata.title, 1.0);
        // The article's day is in its address; the thread shows none.
        assert_eq!((ours.metadata.date, ours.metadata.dates), (0.5, 2));
        assert_eq!(
            report.page_types.accuracy, 1.0,
            "{:?}",
            report.page_types.confusion
        );
        assert!(report.baseline_missing.is_some());
        assert!(report.table().contains("forum"));
    }

    #[test]
    fn metadata_matches_ignore_case_and_spacing_and_dates_compare_by_day() {
        let g = Gold {
            key: "1".into(),
            page_type: "article".into(),
            domain: "a.example".into(),
            url: String::new(),
            text: String::new(),
            title: Some("Floods  close the Danube ports".into()),
            author: Some("Jane Doe".into()),
            date: Some("2024-05-02".into()),
        };
        let o = Output {
            score: PageScore::default(),
            title: Some("floods close the danube ports".into()),
            author: Some("John Doe".into()),
            date: Some("2024-05-02T10:00:00+02:00".into()),
            page_type: None,
        };
        let r = rates(&[g], &[o]);
        assert_eq!((r.title, r.author, r.date), (1.0, 0.0, 1.0));
        assert_eq!((r.titles, r.authors, r.dates), (1, 1, 1));
    }
}
