//! `storyline bench extract --dataset DIR`: how well and how fast the main
//! text of a web page is pulled out of its HTML, on a folder laid out as
//! `../shared/data/article-extraction` is (`html/KEY.html.gz`,
//! `ground-truth.json` with each page's gold `articleBody`, and
//! `reference-outputs/NAME.json` with other extractors' outputs).
//!
//! The metric is the public article-extraction benchmark's (described in
//! `../shared/data/README.md`): per page, 4-word shingles of the gold and
//! the extracted text counted with multiplicity; precision and recall are
//! means over pages, F1 comes from the two means. The reference extractors
//! are scored on their published outputs in the same run, so the table
//! compares like with like. Speed is storyline's own: decoding, parsing
//! and extraction of every page, in pages per second.

use crate::resources::peak_rss_mb;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;
use std::time::Instant;
use storyline_extract::ner::spans::Prf;

/// How many times the pages are extracted for the speed figure.
const TIMED_PASSES: usize = 5;

/// Precision, recall and F1 of one system's texts.
pub type TextScores = Prf;

#[derive(Debug, Serialize)]
pub struct MainTextReport {
    pub task: &'static str,
    pub dataset: String,
    pub pages: usize,
    /// storyline and each reference extractor, by name.
    pub systems: BTreeMap<String, TextScores>,
    /// storyline's pages per second (decode, parse, extract).
    pub pages_per_s: f64,
    pub peak_rss_mb: Option<f64>,
    /// Pages storyline found no article text in.
    pub empty_pages: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum MainTextError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: {reason}")]
    Format { path: String, reason: String },
}

/// One page: its key, the raw HTML bytes, its URL and gold text.
struct Page {
    key: String,
    html: Vec<u8>,
    url: String,
    gold: String,
}

/// The words of `text`: runs of Unicode word characters.
fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect()
}

/// The 4-word shingles of `text` with their counts (a text of fewer than
/// four words is one shingle).
fn shingles(text: &str) -> HashMap<Vec<&str>, usize> {
    let w = words(text);
    let mut out = HashMap::new();
    if w.is_empty() {
        return out;
    }
    if w.len() < 4 {
        out.insert(w, 1);
        return out;
    }
    for s in w.windows(4) {
        *out.entry(s.to_vec()).or_insert(0) += 1;
    }
    out
}

/// Precision and recall of one page's extraction against its gold text.
pub fn page_scores(gold: &str, extracted: &str) -> (f64, f64) {
    let (g, e) = (shingles(gold), shingles(extracted));
    let tp: usize = e
        .iter()
        .map(|(s, &n)| n.min(g.get(s).copied().unwrap_or(0)))
        .sum();
    let fp = e.values().sum::<usize>() - tp;
    let fn_ = g.values().sum::<usize>() - tp;
    if fp == 0 && fn_ == 0 {
        return (1.0, 1.0);
    }
    if tp == 0 {
        return (0.0, 0.0);
    }
    (tp as f64 / (tp + fp) as f64, tp as f64 / (tp + fn_) as f64)
}

/// Mean precision and recall over pages, and F1 from the two means.
pub fn score<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> TextScores {
    let (mut p, mut r, mut n) = (0.0, 0.0, 0usize);
    for (gold, extracted) in pairs {
        let (pp, rr) = page_scores(gold, extracted);
        p += pp;
        r += rr;
        n += 1;
    }
    if n == 0 {
        return Prf::default();
    }
    Prf::from_rates(p / n as f64, r / n as f64)
}

/// What storyline makes of one page, as `storyline extract PAGE.html
/// --json` gives it: the main text (empty when no article text was
/// found) and the page's title, byline and publication date.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    pub text: String,
    pub title: Option<String>,
    pub author: Option<String>,
    pub published: Option<storyline_core::Published>,
    /// The kind of page it is (see `storyline_ingest::page_type`).
    pub page_type: Option<storyline_ingest::PageType>,
}

/// storyline's main text of one page, as `storyline extract PAGE.html
/// --json` gives it (`text`); empty when no article text was found.
pub fn extract_text(key: &str, html: &[u8], url: &str) -> String {
    extract_page(key, html, url).text
}

/// storyline's extraction of one page (see [`Extracted`]).
pub fn extract_page(key: &str, html: &[u8], url: &str) -> Extracted {
    let page = storyline_ingest::decode::decode_html(html);
    // Named by its address when there is one: a page without a canonical
    // link is then classified by the address it was read from.
    let input = if url.contains("://") { url } else { key };
    let parsed = storyline_ingest::html::parse(input, &page, &storyline_core::Limits::default());
    let Some(located) = parsed.drafts.into_iter().next() else {
        return Extracted::default();
    };
    let page_type = located.page_type;
    let mut draft = located.draft;
    if draft.url.is_none() {
        draft.url = Some(url.to_string());
    }
    let (title, author, published) = (draft.title.clone(), draft.byline.clone(), draft.published);
    let text = draft.finish().map(|a| a.text).unwrap_or_default();
    Extracted {
        text,
        title,
        author,
        published,
        page_type,
    }
}

pub(crate) fn read_json(path: &Path) -> Result<serde_json::Value, MainTextError> {
    let text = std::fs::read_to_string(path).map_err(|source| MainTextError::Read {
        path: path.display().to_string(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| MainTextError::Format {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

fn load_pages(dir: &Path) -> Result<Vec<Page>, MainTextError> {
    let truth_path = dir.join("ground-truth.json");
    let truth = read_json(&truth_path)?;
    let entries = truth.as_object().ok_or_else(|| MainTextError::Format {
        path: truth_path.display().to_string(),
        reason: "expected an object of pages by key".into(),
    })?;
    let mut pages = Vec::with_capacity(entries.len());
    for (key, entry) in entries {
        let html = read_gzipped(&dir.join("html").join(format!("{key}.html.gz")))?;
        pages.push(Page {
            key: key.clone(),
            html,
            url: entry["url"].as_str().unwrap_or_default().to_string(),
            gold: entry["articleBody"].as_str().unwrap_or_default().to_string(),
        });
    }
    Ok(pages)
}

/// The bytes of the gzipped file at `path`.
pub(crate) fn read_gzipped(path: &Path) -> Result<Vec<u8>, MainTextError> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| flate2::read::GzDecoder::new(f).read_to_end(&mut bytes))
        .map_err(|source| MainTextError::Read {
            path: path.display().to_string(),
            source,
        })?;
    Ok(bytes)
}

/// The reference extractors' outputs: name → page key → text.
fn references(dir: &Path) -> Result<BTreeMap<String, HashMap<String, String>>, MainTextError> {
    let mut out = BTreeMap::new();
    let Ok(listing) = std::fs::read_dir(dir.join("reference-outputs")) else {
        return Ok(out);
    };
    let mut files: Vec<_> = listing.flatten().map(|e| e.path()).collect();
    files.sort();
    for path in files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let json = read_json(&path)?;
        let outputs = json
            .get("output")
            .unwrap_or(&json)
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v["articleBody"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        out.insert(name, outputs);
    }
    Ok(out)
}

pub fn run(dir: &Path) -> Result<MainTextReport, MainTextError> {
    let pages = load_pages(dir)?;
    let extracted: Vec<String> = pages
        .iter()
        .map(|p| extract_text(&p.key, &p.html, &p.url))
        .collect();
    let start = Instant::now();
    for _ in 0..TIMED_PASSES {
        for p in &pages {
            std::hint::black_box(extract_text(&p.key, &p.html, &p.url));
        }
    }
    let seconds = start.elapsed().as_secs_f64().max(1e-9);
    let mut systems = BTreeMap::new();
    systems.insert(
        "storyline".to_string(),
        score(
            pages
                .iter()
                .zip(&extracted)
                .map(|(p, e)| (p.gold.as_str(), e.as_str())),
        ),
    );
    for (name, outputs) in references(dir)? {
        let empty = String::new();
        let pairs = pages
            .iter()
            .map(|p| (p.gold.as_str(), outputs.get(&p.key).unwrap_or(&empty).as_str()));
        systems.insert(name, score(pairs));
    }
    Ok(MainTextReport {
        task: "main-text",
        dataset: dir.display().to_string(),
        pages: pages.len(),
        systems,
        pages_per_s: (pages.len() * TIMED_PASSES) as f64 / seconds,
        peak_rss_mb: peak_rss_mb(),
        empty_pages: pages
            .iter()
            .zip(&extracted)
            .filter(|(_, e)| e.trim().is_empty())
            .map(|(p, _)| p.key.clone())
            .collect(),
    })
}

impl MainTextReport {
    /// The table: every system by F1, best first, storyline marked.
    pub fn table(&self) -> String {
        let mut out = format!(
            "bench extract (main text): {} ({} pages; 4-word shingle P/R/F1, means over pages)\n",
            self.dataset, self.pages
        );
        out.push_str(&format!(
            "{:<22} {:>9} {:>7} {:>7}\n",
            "system", "precision", "recall", "F1"
        ));
        let mut rows: Vec<(&String, &TextScores)> = self.systems.iter().collect();
        rows.sort_by(|a, b| b.1.f1.total_cmp(&a.1.f1).then(a.0.cmp(b.0)));
        for (name, s) in rows {
            let mark = if name == "storyline" { " ←" } else { "" };
            out.push_str(&format!(
                "{name:<22} {:>9.3} {:>7.3} {:>7.3}{mark}\n",
                s.precision, s.recall, s.f1
            ));
        }
        out.push_str(&format!(
            "storyline: {:.0} pages/s (decode, parse, extract; one thread) · peak RSS {}\n",
            self.pages_per_s,
            self.peak_rss_mb
                .map_or_else(|| "n/a".to_string(), |m| format!("{m:.1} MB"))
        ));
        if !self.empty_pages.is_empty() {
            out.push_str(&format!(
                "no article text found in {} pages\n",
                self.empty_pages.len()
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shingle_scores_follow_the_benchmark() {
        let gold = "The quick brown fox jumps over the lazy dog";
        assert_eq!(page_scores(gold, gold), (1.0, 1.0));
        assert_eq!(page_scores("", ""), (1.0, 1.0));
        assert_eq!(page_scores(gold, ""), (0.0, 0.0));
        // Half the text: every shingle right, about half found.
        let (p, r) = page_scores(gold, "The quick brown fox jumps");
        assert_eq!(p, 1.0);
        assert!((r - 2.0 / 6.0).abs() < 1e-9, "{r}");
        // Boilerplate around the text costs precision only.
        let (p, r) = page_scores(
            gold,
            &format!("Menu Home Sport News Weather. {gold}. Share this on Facebook"),
        );
        assert_eq!(r, 1.0);
        assert!(p < 0.6, "{p}");
        // Short texts are one shingle; punctuation is not a word.
        assert_eq!(page_scores("Hello, world!", "hello world"), (0.0, 0.0));
        assert_eq!(page_scores("Hello, world!", "Hello world"), (1.0, 1.0));
    }

    #[test]
    fn scores_are_means_over_pages() {
        let s = score([("a b c d e", "a b c d e"), ("a b c d e", "")]);
        assert_eq!((s.precision, s.recall), (0.5, 0.5));
        assert!((s.f1 - 0.5).abs() < 1e-9);
    }

    #[test]
    fn extracts_the_article_body_from_a_page() {
        let html = b"<html><head><title>Floods close the Danube ports</title></head><body>\
            <nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/sport'>Sport</a></nav>\
            <article><h1>Floods close the Danube ports</h1>\
            <p>River traffic on the Danube stopped on Monday as floods closed the ports of Passau and Regensburg.</p>\
            <p>Officials said the water would peak on Wednesday before it slowly falls.</p></article>\
            <footer>Copyright 2024 Example News. All rights reserved.</footer></body></html>";
        let text = extract_text("page", html, "https://example.com/floods");
        assert!(text.starts_with("River traffic on the Danube"), "{text}");
        assert!(text.contains("slowly falls."));
        assert!(!text.contains("Copyright") && !text.contains("Sport"), "{text}");
    }
}
