//! `storyline bench extract`: how fast an article is understood (the whole
//! analysis: entities, quotes, statements, temporal expressions and events)
//! on any JSON Lines corpus, in articles/s and
//! words/s, and the time for one 5,000-word article (built by joining the
//! corpus's articles in order), the median of five runs. Articles are
//! analysed one at a time; a text over 12,000 bytes has its sentences
//! tagged on two threads, so the long article's time is its latency on
//! this machine, not one core's.

use crate::resources::{peak_rss_mb, quantile};
use serde::Serialize;
use std::path::Path;
use std::time::Instant;
use storyline_core::{Article, Limits};
use storyline_extract::ner::Tagger;
use storyline_ingest::{parse_bytes, Format};

#[derive(Debug, Serialize)]
pub struct ExtractReport {
    pub task: &'static str,
    pub dataset: String,
    pub articles: usize,
    pub words: usize,
    pub articles_per_s: f64,
    pub words_per_s: f64,
    /// One 5,000-word article, median of five runs.
    pub ms_per_5000_words: f64,
    pub entities: usize,
    pub timexes: usize,
    pub peak_rss_mb: Option<f64>,
}

fn analyse(tagger: &Tagger, a: &Article) -> (usize, usize) {
    let analysis = storyline_extract::analyse(Some(tagger), &a.text, a.published.map(|p| p.day()));
    let (found, t) = (analysis.entities, analysis.timexes.len());
    (found.len(), t)
}

pub fn run(path: &Path, tagger: &Tagger) -> std::io::Result<ExtractReport> {
    let bytes = std::fs::read(path)?;
    let parsed = parse_bytes(
        &path.display().to_string(),
        &bytes,
        Some(Format::Jsonl),
        &Limits::default(),
    );
    let articles: Vec<Article> = parsed
        .drafts
        .into_iter()
        .filter_map(|l| l.draft.finish().ok())
        .collect();
    let words: usize = articles.iter().map(|a| a.text.split_whitespace().count()).sum();
    let start = Instant::now();
    let (mut entities, mut timexes) = (0, 0);
    for a in &articles {
        let (e, t) = analyse(tagger, a);
        entities += e;
        timexes += t;
    }
    let seconds = start.elapsed().as_secs_f64().max(1e-9);

    let mut long = articles.first().cloned().unwrap_or_else(|| {
        storyline_core::ArticleDraft {
            text: "empty".into(),
            ..Default::default()
        }
        .finish()
        .expect("text given")
    });
    let mut text = String::new();
    for a in articles.iter().cycle().take(articles.len().max(1) * 50) {
        if text.split_whitespace().count() >= 5_000 {
            break;
        }
        text.push_str(&a.text);
        text.push_str("\n\n");
    }
    long.text = text;
    let mut runs: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            let _ = analyse(tagger, &long);
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    Ok(ExtractReport {
        task: "extract",
        dataset: path.display().to_string(),
        articles: articles.len(),
        words,
        articles_per_s: articles.len() as f64 / seconds,
        words_per_s: words as f64 / seconds,
        ms_per_5000_words: quantile(&mut runs, 0.5),
        entities,
        timexes,
        peak_rss_mb: peak_rss_mb(),
    })
}

impl ExtractReport {
    pub fn table(&self) -> String {
        format!(
            "bench extract: {} ({} articles, {} words)\n\
             {:.0} articles/s · {:.0} words/s (whole analysis: entities, quotes, statements, dates, events; one article at a time)\n\
             one 5,000-word article: {:.1} ms (median of 5; a text this long is tagged on two threads)\n\
             found {} entities and {} temporal expressions\n",
            self.dataset,
            self.articles,
            self.words,
            self.articles_per_s,
            self.words_per_s,
            self.ms_per_5000_words,
            self.entities,
            self.timexes
        )
    }
}
