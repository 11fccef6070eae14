//! `storyline bench stories`: story clustering quality and speed on a
//! story-labelled JSONL dataset, articles fed in publication order (undated
//! ones after the dated, in file order), beside a single-pass TF-IDF
//! baseline.
//!
//! The baseline is the textbook online clusterer: each article joins the
//! story whose centroid (sum of TF-IDF vectors) has the highest cosine with
//! it when that reaches one global threshold, else starts a story. It is
//! run at every threshold from 0.05 to 0.95 and reported at its best, which
//! needs the answers: an upper bound for it, never for storyline, whose
//! settings are fixed beforehand.

use crate::baselines::TfIdfCosine;
use crate::clustering::{score, ClusteringScores};
use crate::dataset::Dataset;
use crate::resources::peak_rss_mb;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;
use storyline_core::Article;
use storyline_extract::ner::Tagger;
use storyline_relate::{ArticleIndex, IndexOptions};
use storyline_stories::{ClusterOptions, Clustering, Decided, StoryStream};

#[derive(Debug, Serialize)]
pub struct StoriesReport {
    pub dataset: String,
    pub articles: usize,
    pub systems: BTreeMap<&'static str, ClusteringScores>,
    /// Articles per second through indexing and clustering together.
    pub articles_per_s: f64,
    pub peak_rss_mb: Option<f64>,
    /// Stories storyline formed, and stories in the gold standard.
    pub stories: usize,
    pub gold_stories: usize,
    /// The threshold at which the baseline scored best (no baseline on generated data).
    pub baseline_threshold: Option<f32>,
    /// The most articles the story stream held in memory at once (live
    /// stories and arrivals); the rest were paged out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_live_articles: Option<usize>,
    /// Each article's gold story and storyline's, in feed order, for error
    /// analysis (`bench stories --assignments FILE`); not in the JSON report.
    #[serde(skip)]
    pub assignments: Vec<Assignment>,
}

/// Where one article went: its id, its gold story and storyline's story number.
#[derive(Debug, Clone, Serialize)]
pub struct Assignment {
    pub id: String,
    pub gold: String,
    pub story: u32,
}

/// The dataset's articles in publication order (positions into `ds.articles`).
fn feed_order(articles: &[Article]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..articles.len()).collect();
    order.sort_by_key(|&i| {
        let p = articles[i].published;
        (p.is_none(), p.map(|p| p.sort_key()), i)
    });
    order
}

/// Arrivals gathered before each round of the story stream (more when
/// more articles are live; see `StoryStream`).
const ROUND: usize = 2048;

/// Clusters `articles` (already in feed order) as a stream, the way the
/// stories bench measures storyline, and returns a story number per
/// article; with a tagger, entities are linked across each round's
/// articles first and join the evidence.
pub fn cluster(
    articles: &[Article],
    index_options: &IndexOptions,
    options: &ClusterOptions,
    tagger: Option<&Tagger>,
    threads: usize,
) -> Vec<u32> {
    let mut stream = stream(index_options, options, tagger, threads);
    let mut decided = Vec::with_capacity(articles.len());
    for a in articles {
        decided.extend(stream.push(a.clone()));
    }
    decided.extend(stream.finish());
    let story: HashMap<String, u32> = decided.into_iter().map(|d| (d.id, d.story as u32)).collect();
    articles.iter().map(|a| story[&a.id]).collect()
}

fn stream<'a>(
    index_options: &'a IndexOptions,
    options: &ClusterOptions,
    tagger: Option<&'a Tagger>,
    threads: usize,
) -> StoryStream<'a> {
    StoryStream::new(
        options.clone(),
        Box::new(move |window: &[Article]| crate::linked::index(window, index_options, tagger, threads)),
        threads,
        ROUND,
    )
}

/// A story number per document of `index`, placed in index order.
fn cluster_index(index: &ArticleIndex, options: &ClusterOptions, threads: usize) -> Vec<u32> {
    let mut clustering = Clustering::new(index.len());
    let order: Vec<u32> = (0..index.len() as u32).collect();
    clustering.place_all(index, &order, options, threads);
    clustering.settle(index, options, threads);
    (0..index.len() as u32)
        .map(|d| clustering.story_of(d).expect("every article is placed"))
        .collect()
}

pub fn run(
    ds: &Dataset,
    index_options: &IndexOptions,
    options: &ClusterOptions,
    tagger: Option<&Tagger>,
    threads: usize,
) -> StoriesReport {
    let (articles, gold) = labelled_in_order(ds);
    let start = Instant::now();
    let labels = cluster(&articles, index_options, options, tagger, threads);
    let seconds = start.elapsed().as_secs_f64().max(1e-9);
    let peak = peak_rss_mb();
    let (baseline_threshold, baseline) = best_single_pass(&articles, &gold);
    let mut systems = BTreeMap::new();
    systems.insert("storyline", score(&gold, &labels));
    systems.insert("single-pass-tfidf", baseline);
    let mut distinct = labels.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let mut gold_distinct = gold.clone();
    gold_distinct.sort();
    gold_distinct.dedup();
    StoriesReport {
        dataset: ds.name.clone(),
        articles: articles.len(),
        systems,
        articles_per_s: articles.len() as f64 / seconds,
        peak_rss_mb: peak,
        stories: distinct.len(),
        gold_stories: gold_distinct.len(),
        baseline_threshold: Some(baseline_threshold),
        peak_live_articles: None,
        assignments: articles
            .iter()
            .zip(&gold)
            .zip(&labels)
            .map(|((a, g), &story)| Assignment {
                id: a.id.clone(),
                gold: g.clone(),
                story,
            })
            .collect(),
    }
}

/// Speed and memory on `n` generated articles (stories of eight, 320 a
/// day), streamed through the clusterer in publication order as a feed
/// would bring them; the scores against the generator's stories come
/// along. No baseline: it compares every article with every story.
pub fn run_synthetic(
    n: usize,
    index_options: &IndexOptions,
    options: &ClusterOptions,
    threads: usize,
) -> StoriesReport {
    let start = Instant::now();
    let mut stream = stream(index_options, options, None, threads);
    // Decisions are kept as the store would keep them: one number per article.
    let mut labels = vec![u32::MAX; n];
    let mut keep = |decided: Vec<Decided>| {
        for d in decided {
            let i: usize =
                d.id.trim_start_matches("gen-")
                    .parse()
                    .expect("generated ids are numbered");
            labels[i] = d.story as u32;
        }
    };
    for i in 0..n {
        keep(stream.push(crate::scale_bench::synthetic_article(i)));
    }
    let peak_live = stream.peak_held();
    keep(stream.finish());
    let seconds = start.elapsed().as_secs_f64().max(1e-9);
    // Read before scoring, whose tables grow with the articles.
    let peak = peak_rss_mb();
    let gold: Vec<String> = (0..n).map(|i| (i / 8).to_string()).collect();
    let mut systems = BTreeMap::new();
    systems.insert("storyline", score(&gold, &labels));
    let mut distinct = labels.clone();
    distinct.sort_unstable();
    distinct.dedup();
    StoriesReport {
        dataset: format!("synthetic:{n}"),
        articles: n,
        systems,
        articles_per_s: n as f64 / seconds,
        peak_rss_mb: peak,
        stories: distinct.len(),
        gold_stories: n.div_ceil(8),
        baseline_threshold: None,
        peak_live_articles: Some(peak_live),
        assignments: Vec::new(),
    }
}

/// storyline's scores at each join threshold, other settings as given:
/// the documented way its threshold was fitted on dev data.
pub fn sweep(
    ds: &Dataset,
    index_options: &IndexOptions,
    options: &ClusterOptions,
    tagger: Option<&Tagger>,
    thresholds: &[f32],
) -> Vec<(f32, ClusteringScores)> {
    let (articles, gold) = labelled_in_order(ds);
    let index = crate::linked::index(&articles, index_options, tagger, 2);
    thresholds
        .iter()
        .map(|&t| {
            let mut o = options.clone();
            o.join_threshold = t;
            (t, score(&gold, &cluster_index(&index, &o, 2)))
        })
        .collect()
}

/// The labelled articles in feed order, with their gold labels.
fn labelled_in_order(ds: &Dataset) -> (Vec<Article>, Vec<String>) {
    feed_order(&ds.articles)
        .into_iter()
        .filter_map(|i| ds.stories[i].clone().map(|s| (ds.articles[i].clone(), s)))
        .unzip()
}

/// The single-pass baseline at its best threshold.
fn best_single_pass(articles: &[Article], gold: &[String]) -> (f32, ClusteringScores) {
    let tfidf = TfIdfCosine::new(articles);
    (1..20)
        .map(|i| i as f32 * 0.05)
        .map(|t| (t, score(gold, &single_pass(&tfidf, articles.len(), t))))
        .max_by(|a, b| a.1.bcubed_f1.total_cmp(&b.1.bcubed_f1))
        .expect("thresholds are tried")
}

/// Single-pass clustering on centroid cosine with one threshold.
pub fn single_pass(tfidf: &TfIdfCosine, n: usize, threshold: f32) -> Vec<u32> {
    let mut centroids: Vec<HashMap<u32, f32>> = Vec::new();
    let mut labels = Vec::with_capacity(n);
    for doc in 0..n {
        let v = tfidf.vector(doc);
        let best = centroids
            .iter()
            .enumerate()
            .map(|(c, centroid)| {
                let norm = centroid
                    .values()
                    .map(|w| w * w)
                    .sum::<f32>()
                    .sqrt()
                    .max(f32::EPSILON);
                let dot: f32 = v
                    .iter()
                    .map(|(t, w)| w * centroid.get(t).copied().unwrap_or(0.0))
                    .sum();
                (c, dot / norm)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        let c = match best {
            Some((c, sim)) if sim >= threshold => c,
            _ => {
                centroids.push(HashMap::new());
                centroids.len() - 1
            }
        };
        for &(t, w) in v {
            *centroids[c].entry(t).or_default() += w;
        }
        labels.push(c as u32);
    }
    labels
}

impl StoriesReport {
    pub fn table(&self) -> String {
        let mut out = format!(
            "bench stories: {} ({} articles, {} gold stories; storyline formed {})\n",
            self.dataset, self.articles, self.gold_stories, self.stories
        );
        out.push_str(&format!(
            "{:<20} {:>7} {:>7} {:>7} {:>7} {:>7}\n",
            "system", "B3 P", "B3 R", "B3 F1", "ARI", "NMI"
        ));
        for (name, s) in &self.systems {
            let label = match self.baseline_threshold {
                Some(t) if *name == "single-pass-tfidf" => format!("{name} @{t:.2}*"),
                _ => name.to_string(),
            };
            out.push_str(&format!(
                "{label:<20} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>7.3}\n",
                s.bcubed_p, s.bcubed_r, s.bcubed_f1, s.ari, s.nmi
            ));
        }
        if self.baseline_threshold.is_some() {
            out.push_str("* the baseline's threshold is its best on this data (chosen with the answers)\n");
        }
        out.push_str(&format!(
            "{:.0} articles/s (index and clustering) · peak RSS {}\n",
            self.articles_per_s,
            self.peak_rss_mb
                .map_or_else(|| "n/a".to_string(), |m| format!("{m:.1} MB"))
        ));
        if let Some(live) = self.peak_live_articles {
            out.push_str(&format!(
                "at most {live} articles held at once (live stories and arrivals); dormant stories paged out\n"
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use storyline_core::ArticleDraft;

    fn article(id: &str, text: &str, published: &str) -> Article {
        ArticleDraft {
            id: Some(id.into()),
            text: text.into(),
            lang: Some("en".into()),
            published: storyline_core::Published::parse(published),
            ..Default::default()
        }
        .finish()
        .unwrap()
    }

    #[test]
    fn feed_order_is_by_date_then_file_order() {
        let articles = vec![
            article("u", "Undated text here.", ""),
            article("late", "Late text here.", "2023-06-26"),
            article("early", "Early text here.", "2023-06-24"),
        ];
        assert_eq!(feed_order(&articles), vec![2, 1, 0]);
    }

    #[test]
    fn single_pass_joins_close_texts_only() {
        let articles = vec![
            article(
                "a",
                "Wagner fighters march on Moscow, Prigozhin says.",
                "2023-06-24",
            ),
            article("b", "Prigozhin halts Wagner march on Moscow.", "2023-06-24"),
            article("c", "Central bank raises interest rates again.", "2023-06-25"),
        ];
        let tfidf = TfIdfCosine::new(&articles);
        let labels = single_pass(&tfidf, 3, 0.2);
        assert_eq!(labels[0], labels[1]);
        assert_ne!(labels[0], labels[2]);
    }
}
