//! `storyline bench similar --synthetic N`: Similar Posts speed and memory at
//! scale, on generated articles (see `synthetic`), against the exact TF-IDF
//! baseline on the same sample of queries.
//!
//! The index is built from a stream of articles, each dropped once indexed,
//! as it is built from a store; peak memory is read before the baseline runs
//! (the baseline needs every article in memory).

use crate::baselines::TfIdfCosine;
use crate::resources::{peak_rss_mb, quantile};
use crate::synthetic;
use serde::Serialize;
use std::time::Instant;
use storyline_core::Article;
use storyline_ingest::json::draft_from_record;
use storyline_relate::{ArticleIndex, IndexOptions};

/// Queries timed one by one (spread evenly over the corpus).
const SAMPLE_QUERIES: usize = 1_000;
/// The brute-force baseline holds every article in memory and scans them
/// all per query; above this size it only measures patience.
const BASELINE_MAX_ARTICLES: usize = 100_000;

#[derive(Debug, Serialize)]
pub struct ScaleReport {
    pub articles: usize,
    pub raw_text_mb: f64,
    pub index_seconds: f64,
    pub index_articles_per_s: f64,
    pub query_ms_p50: f64,
    pub query_ms_p99: f64,
    pub all_pairs_top5_seconds: f64,
    pub peak_rss_mb: Option<f64>,
    /// The exact TF-IDF baseline (run up to 100,000 articles).
    pub baseline_tfidf_query_ms_p50: Option<f64>,
    pub baseline_tfidf_query_ms_p99: Option<f64>,
}

/// The `i`-th generated article, finished.
pub fn synthetic_article(i: usize) -> Article {
    let serde_json::Value::Object(record) = synthetic::article(i) else {
        unreachable!("records are objects")
    };
    draft_from_record(record, &mut Vec::new())
        .expect("generated records are valid")
        .finish()
        .expect("generated records have text")
}

pub fn run(n: usize, options: &IndexOptions, threads: usize) -> ScaleReport {
    let mut raw_bytes = 0usize;
    let start = Instant::now();
    let index = ArticleIndex::build(
        (0..n).map(|i| {
            let a = synthetic_article(i);
            raw_bytes += a.text.len() + a.title.len();
            a
        }),
        options.clone(),
    );
    let index_seconds = start.elapsed().as_secs_f64().max(1e-9);
    eprintln!(
        "bench: indexed {n} articles in {index_seconds:.1} s, peak RSS so far {}",
        peak_rss_mb().map_or_else(|| "n/a".into(), |m| format!("{m:.1} MB"))
    );

    let step = (n / SAMPLE_QUERIES).max(1);
    let sample: Vec<usize> = (0..n).step_by(step).take(SAMPLE_QUERIES).collect();
    let mut latencies: Vec<f64> = sample
        .iter()
        .map(|&i| {
            let id = &index.doc(i as u32).id;
            let t = Instant::now();
            let _ = index.similar(id, 5);
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();

    eprintln!(
        "bench: {} single queries: p50 {:.3} ms, p99 {:.3} ms; all pairs next",
        sample.len(),
        quantile(&mut latencies, 0.5),
        quantile(&mut latencies, 0.99)
    );
    let t = Instant::now();
    std::thread::scope(|scope| {
        let index = &index;
        for part in 0..threads.max(1) {
            scope.spawn(move || {
                for d in (part..n).step_by(threads.max(1)) {
                    let _ = index.similar(&index.doc(d as u32).id, 5);
                }
            });
        }
    });
    let all_pairs = t.elapsed().as_secs_f64();
    let peak = peak_rss_mb();
    drop(index);
    eprintln!("bench: all pairs in {all_pairs:.1} s");

    let mut base_latencies = if n <= BASELINE_MAX_ARTICLES {
        eprintln!("bench: exact TF-IDF baseline next");
        baseline_latencies(n, &sample)
    } else {
        eprintln!("bench: no baseline above {BASELINE_MAX_ARTICLES} articles");
        Vec::new()
    };
    let baseline = |latencies: &mut Vec<f64>, q| (!latencies.is_empty()).then(|| quantile(latencies, q));

    ScaleReport {
        articles: n,
        raw_text_mb: raw_bytes as f64 / 1e6,
        index_seconds,
        index_articles_per_s: n as f64 / index_seconds,
        query_ms_p50: quantile(&mut latencies, 0.5),
        query_ms_p99: quantile(&mut latencies, 0.99),
        all_pairs_top5_seconds: all_pairs,
        peak_rss_mb: peak,
        baseline_tfidf_query_ms_p50: baseline(&mut base_latencies, 0.5),
        baseline_tfidf_query_ms_p99: baseline(&mut base_latencies, 0.99),
    }
}

/// Query latencies (ms) of the exact TF-IDF baseline on the same sample.
fn baseline_latencies(n: usize, sample: &[usize]) -> Vec<f64> {
    let articles: Vec<Article> = (0..n).map(synthetic_article).collect();
    let baseline = TfIdfCosine::new(&articles);
    sample
        .iter()
        .map(|&i| {
            let t = Instant::now();
            let _ = baseline.rank(i, 5);
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect()
}

impl ScaleReport {
    pub fn table(&self) -> String {
        format!(
            "bench similar --synthetic: {} generated articles, {:.1} MB of text\n\
             index        {:>8.2} s  {:>10.0} articles/s\n\
             query (k=5)  p50 {:.3} ms  p99 {:.3} ms   (exact TF-IDF baseline: {})\n\
             all pairs    {:>8.2} s  (top-5 for every article)\n\
             peak RSS     {}\n",
            self.articles,
            self.raw_text_mb,
            self.index_seconds,
            self.index_articles_per_s,
            self.query_ms_p50,
            self.query_ms_p99,
            match (self.baseline_tfidf_query_ms_p50, self.baseline_tfidf_query_ms_p99) {
                (Some(p50), Some(p99)) => format!("p50 {p50:.3} ms  p99 {p99:.3} ms"),
                _ => "not run above 100,000 articles".into(),
            },
            self.all_pairs_top5_seconds,
            self.peak_rss_mb.map_or_else(
                || "n/a".into(),
                |m| format!("{m:.1} MB ({:.2}× the text)", m / self.raw_text_mb)
            ),
        )
    }
}
