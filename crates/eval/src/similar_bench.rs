//! `storyline bench similar`: every labelled article is a query; relevant =
//! the other articles of its story. storyline's Similar Posts are scored as a
//! scorer reads `similar --json`: each shown item, then the copies it stands
//! for. The TF-IDF and BM25 baselines run in the same process on the same data.

use crate::baselines::{Bm25Plain, TfIdfCosine};
use crate::metrics::{RankingMeter, RankingScores};
use crate::resources::{peak_rss_mb, quantile};
use crate::Dataset;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;
use storyline_core::EntityTerm;
use storyline_extract::ner::Tagger;
use storyline_relate::disk::{DiskIndex, DiskWriter};
use storyline_relate::{ArticleIndex, Filter, IndexOptions, SimilarPosts};
use storyline_stories::{ClusterOptions, Stories};

const K: usize = 10;

#[derive(Debug, Serialize)]
pub struct SimilarReport {
    pub dataset: String,
    pub articles: usize,
    pub queries: usize,
    pub systems: BTreeMap<&'static str, RankingScores>,
    pub index_articles_per_s: f64,
    pub query_ms_p50: f64,
    pub query_ms_p99: f64,
    pub peak_rss_mb: Option<f64>,
    /// Near-duplicate groups of two or more, and the largest one's size.
    pub copy_groups: usize,
    pub largest_copy_group: usize,
    /// The on-disk index over the same articles, written as the engine
    /// writes it (commits of `DISK_BATCH` articles), queried with the same
    /// stories: its scores sit in `systems` as `storyline (disk)`.
    pub disk: Option<DiskRun>,
}

/// How the on-disk index did: written from empty, then queried.
#[derive(Debug, Serialize)]
pub struct DiskRun {
    pub index_articles_per_s: f64,
    pub query_ms_p50: f64,
    pub query_ms_p99: f64,
    pub size_mb: f64,
}

/// Articles per commit of the on-disk index (as the engine's catch-up steps).
const DISK_BATCH: usize = 1024;

/// The ranked dataset indexes a scorer reads from one Similar Posts answer.
pub fn flatten(similar: &SimilarPosts, position: &HashMap<&str, usize>) -> Vec<usize> {
    similar
        .similar
        .iter()
        .flat_map(|p| std::iter::once(&p.id).chain(p.duplicates.iter()))
        .filter_map(|id| position.get(id.as_str()).copied())
        .take(K)
        .collect()
}

/// Scores `ds`; with a tagger, the index links entities across the
/// articles first (and that counts as indexing time).
pub fn run(ds: &Dataset, options: &IndexOptions, tagger: Option<&Tagger>) -> SimilarReport {
    let relevant = ds.relevant();
    let position: HashMap<&str, usize> = ds
        .articles
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();

    let start = Instant::now();
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get());
    let terms = crate::linked::entity_terms(&ds.articles, tagger, threads);
    let index = ArticleIndex::build_linked(
        ds.articles.iter().cloned().zip(terms.iter().cloned()),
        options.clone(),
    );
    // Stories are part of the ranking (the same story first), so building
    // them counts as indexing.
    let (stories, _) = Stories::update(&index, &[], &ClusterOptions::default(), threads);
    let index_s = start.elapsed().as_secs_f64().max(1e-9);

    let mut storyline = RankingMeter::default();
    let mut latencies = Vec::with_capacity(ds.articles.len());
    for (i, a) in ds.articles.iter().enumerate() {
        let t = Instant::now();
        let similar = stories
            .similar(&index, &a.id, K, &Filter::default())
            .expect("every article is indexed");
        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
        storyline.add(&flatten(&similar, &position), &relevant[i]);
    }

    let tfidf = TfIdfCosine::new(&ds.articles);
    let bm25 = Bm25Plain::new(&ds.articles);
    let (mut tfidf_meter, mut bm25_meter) = (RankingMeter::default(), RankingMeter::default());
    for (i, rel) in relevant.iter().enumerate() {
        tfidf_meter.add(&tfidf.rank(i, K), rel);
        bm25_meter.add(&bm25.rank(i, K), rel);
    }

    let (copy_groups, largest_copy_group) = index.copy_groups();
    let mut systems = BTreeMap::new();
    let disk = match disk_run(ds, &terms, options, &stories, &index, &position, &relevant) {
        Ok((run, scores)) => {
            systems.insert("storyline (disk)", scores);
            Some(run)
        }
        Err(e) => {
            eprintln!("bench similar: the on-disk index could not be measured: {e}");
            None
        }
    };
    systems.insert("storyline", storyline.means());
    systems.insert("tfidf", tfidf_meter.means());
    systems.insert("bm25", bm25_meter.means());
    SimilarReport {
        dataset: ds.name.clone(),
        articles: ds.articles.len(),
        queries: storyline.queries(),
        systems,
        index_articles_per_s: ds.articles.len() as f64 / index_s,
        query_ms_p50: quantile(&mut latencies, 0.5),
        query_ms_p99: quantile(&mut latencies, 0.99),
        peak_rss_mb: peak_rss_mb(),
        copy_groups,
        largest_copy_group,
        disk,
    }
}

/// Writes the on-disk index of `ds` in a temporary folder and scores it
/// with the same stories (the same story first) as the in-memory run.
fn disk_run(
    ds: &Dataset,
    terms: &[Vec<EntityTerm>],
    options: &IndexOptions,
    stories: &Stories,
    index: &ArticleIndex,
    position: &HashMap<&str, usize>,
    relevant: &[Vec<usize>],
) -> Result<(DiskRun, RankingScores), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let start = Instant::now();
    let mut writer = DiskWriter::open(dir.path(), options.clone())?;
    for (i, (a, t)) in ds.articles.iter().zip(terms).enumerate() {
        writer.add(a, t)?;
        if (i + 1) % DISK_BATCH == 0 {
            writer.commit(i as u64 + 1)?;
        }
    }
    writer.commit(ds.articles.len() as u64)?;
    let index_s = start.elapsed().as_secs_f64().max(1e-9);
    let disk = DiskIndex::open(dir.path(), options.clone())?;
    let mut meter = RankingMeter::default();
    let mut latencies = Vec::with_capacity(ds.articles.len());
    for (i, a) in ds.articles.iter().enumerate() {
        let story: Vec<String> = index
            .doc_of(&a.id)
            .and_then(|d| stories.id_of(d))
            .and_then(|s| stories.members(s))
            .map(|members| members.iter().map(|&d| index.doc(d).id.clone()).collect())
            .unwrap_or_default();
        let t = Instant::now();
        let similar = disk
            .similar(&a.id, K, &Filter::default(), &story)?
            .ok_or("an article missing from the on-disk index")?;
        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
        meter.add(&flatten(&similar, position), &relevant[i]);
    }
    let size: u64 = std::fs::read_dir(dir.path())?
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    let run = DiskRun {
        index_articles_per_s: ds.articles.len() as f64 / index_s,
        query_ms_p50: quantile(&mut latencies, 0.5),
        query_ms_p99: quantile(&mut latencies, 0.99),
        size_mb: size as f64 / 1e6,
    };
    Ok((run, meter.means()))
}

impl SimilarReport {
    /// The table printed for people.
    pub fn table(&self) -> String {
        let mut out = format!(
            "bench similar: {} ({} articles, {} queries with relevant items)\n",
            self.dataset, self.articles, self.queries
        );
        out.push_str(&format!(
            "{:<16} {:>7} {:>7} {:>7} {:>7} {:>8}\n",
            "system", "P@1", "P@5", "R@10", "MAP@10", "nDCG@10"
        ));
        for name in ["storyline", "storyline (disk)", "tfidf", "bm25"] {
            if let Some(s) = self.systems.get(name) {
                out.push_str(&format!(
                    "{name:<16} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>8.3}\n",
                    s.p1, s.p5, s.r10, s.map10, s.ndcg10
                ));
            }
        }
        out.push_str(&format!(
            "copy groups {} (largest {} articles)\n",
            self.copy_groups, self.largest_copy_group
        ));
        out.push_str(&format!(
            "index {:.0} articles/s · query p50 {:.2} ms, p99 {:.2} ms · peak RSS {}\n",
            self.index_articles_per_s,
            self.query_ms_p50,
            self.query_ms_p99,
            self.peak_rss_mb
                .map_or_else(|| "n/a".to_string(), |m| format!("{m:.1} MB"))
        ));
        if let Some(d) = &self.disk {
            out.push_str(&format!(
                "on disk: written {:.0} articles/s · query p50 {:.2} ms, p99 {:.2} ms · {:.1} MB\n",
                d.index_articles_per_s, d.query_ms_p50, d.query_ms_p99, d.size_mb
            ));
        }
        out
    }
}
