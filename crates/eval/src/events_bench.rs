//! `storyline bench events`: events and entities on whole news articles
//! with MEANTIME-style annotations (`events`: trigger spans; `entities`:
//! mentions with type, syntactic type and cross-document instance ids).
//!
//! Scored:
//! - event triggers: a found event's trigger matches the gold event
//!   mention it overlaps (one to one). storyline reports the main events
//!   of dated sentences, not every event word, so its recall is low by
//!   design; the baseline marks every word that has the form of a
//!   past-tense verb (the same verb test, without reading the sentence).
//! - named mentions (proper names of people, organisations and places):
//!   recall of the gold mentions (a found mention overlaps), and how many
//!   of those found have the gold type.
//! - cross-document linking: over the gold named mentions that were found,
//!   BCubed P/R/F1 of the linked entity ids against the gold instances.
//!   Baseline: linking by the mention's exact text (case-insensitive).

use crate::clustering::score;
use crate::dataset::{read_records, RecordsError};
use crate::resources::peak_rss_mb;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;
use storyline_extract::events::past_tense_words;
use storyline_extract::linking::Catalog;
use storyline_extract::ner::Tagger;
use storyline_extract::Analysis;

#[derive(Debug, Deserialize)]
struct Doc {
    id: String,
    text: String,
    published: Option<String>,
    #[serde(default)]
    events: Vec<GoldSpan>,
    #[serde(default)]
    entities: Vec<GoldEntity>,
}

#[derive(Debug, Deserialize)]
struct GoldSpan {
    start: usize,
    end: usize,
}

#[derive(Debug, Deserialize)]
struct GoldEntity {
    start: usize,
    end: usize,
    #[serde(rename = "type")]
    kind: Option<String>,
    syntactic_type: Option<String>,
    instance: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct EventScores {
    pub trigger_p: f64,
    pub trigger_r: f64,
    pub trigger_f1: f64,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct LinkScores {
    pub bcubed_p: f64,
    pub bcubed_r: f64,
    pub bcubed_f1: f64,
}

#[derive(Debug, Serialize)]
pub struct EventsReport {
    pub task: &'static str,
    pub dataset: String,
    pub documents: usize,
    pub gold_events: usize,
    pub gold_named_mentions: usize,
    pub systems: BTreeMap<&'static str, EventScores>,
    /// Share of the gold named mentions that storyline found.
    pub named_mention_recall: f64,
    /// Of those found, the share with the gold type.
    pub named_type_accuracy: f64,
    /// Cross-document linking of the found named mentions.
    pub linking: BTreeMap<&'static str, LinkScores>,
    pub tokens_per_s: f64,
    pub peak_rss_mb: Option<f64>,
}

fn overlap(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// (matched, found, gold) for one-to-one overlap matching.
fn match_spans(gold: &[(usize, usize)], found: &[(usize, usize)]) -> (usize, usize, usize) {
    let mut used = vec![false; gold.len()];
    let mut matched = 0;
    for &f in found {
        if let Some(i) = (0..gold.len()).find(|&i| !used[i] && overlap(gold[i], f)) {
            used[i] = true;
            matched += 1;
        }
    }
    (matched, found.len(), gold.len())
}

fn prf((right, found, gold): (usize, usize, usize)) -> EventScores {
    let p = right as f64 / found.max(1) as f64;
    let r = right as f64 / gold.max(1) as f64;
    EventScores {
        trigger_p: p,
        trigger_r: r,
        trigger_f1: if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 },
    }
}

fn gold_type(kind: &str) -> Option<&'static str> {
    match kind {
        "PER" => Some("PERSON"),
        "ORG" => Some("ORG"),
        "LOC" => Some("PLACE"),
        _ => None,
    }
}

fn published(d: &Doc) -> Option<NaiveDate> {
    let p = d.published.as_deref()?;
    NaiveDate::parse_from_str(p.get(..10).unwrap_or(p), "%Y-%m-%d").ok()
}

pub fn run(path: &Path, tagger: &Tagger) -> Result<EventsReport, RecordsError> {
    let mut docs: Vec<Doc> = read_records(path)?;
    docs.sort_by(|a, b| a.published.cmp(&b.published).then(a.id.cmp(&b.id)));
    let tokens: usize = docs.iter().map(|d| d.text.split_whitespace().count()).sum();
    let start = Instant::now();
    let analyses: Vec<Analysis> = docs
        .iter()
        .map(|d| storyline_extract::analyse(Some(tagger), &d.text, published(d)))
        .collect();
    let seconds = start.elapsed().as_secs_f64().max(1e-9);
    let mut catalog = Catalog::new();
    for (d, a) in docs.iter().zip(&analyses) {
        catalog.add_analysis(&d.id, a);
    }

    let (mut ours, mut base) = ((0, 0, 0), (0, 0, 0));
    let add = |total: &mut (usize, usize, usize), c: (usize, usize, usize)| {
        total.0 += c.0;
        total.1 += c.1;
        total.2 += c.2;
    };
    let (mut named, mut found, mut typed) = (0, 0, 0);
    let (mut gold_ids, mut linked_ids, mut text_ids) = (Vec::new(), Vec::new(), Vec::new());
    let mut gold_events = 0;
    for (d, a) in docs.iter().zip(&analyses) {
        let gold: Vec<(usize, usize)> = d.events.iter().map(|e| (e.start, e.end)).collect();
        gold_events += gold.len();
        let triggers: Vec<(usize, usize)> = a.events.iter().map(|e| e.trigger).collect();
        add(&mut ours, match_spans(&gold, &triggers));
        add(&mut base, match_spans(&gold, &past_tense_words(&d.text)));
        for g in &d.entities {
            let is_name = matches!(g.syntactic_type.as_deref(), Some("NAM") | Some("PRE.NAM"));
            let (Some(kind), Some(instance), true) = (
                g.kind.as_deref().and_then(gold_type),
                g.instance.as_ref(),
                is_name,
            ) else {
                continue;
            };
            named += 1;
            // The found mention that holds the gold mention's head (its
            // last character: "Airbus chief executive Noel Forgeard"),
            // else the one overlapping it most.
            let head = (g.end.saturating_sub(1), g.end);
            let hit = a
                .entities
                .iter()
                .flat_map(|e| e.mentions.iter().map(move |m| (e, m)))
                .filter(|(_, m)| overlap((m.start, m.end), (g.start, g.end)))
                .max_by_key(|(_, m)| {
                    let shared = m.end.min(g.end) - m.start.max(g.start);
                    (overlap((m.start, m.end), head), shared)
                });
            let Some((e, m)) = hit else {
                continue;
            };
            found += 1;
            typed += usize::from(e.kind == kind);
            gold_ids.push(instance.clone());
            linked_ids.push(
                catalog
                    .of_article(&d.id, &e.id)
                    .map_or_else(String::new, |c| c.id.clone()),
            );
            text_ids.push(m.text.to_lowercase());
        }
    }
    let mut systems = BTreeMap::new();
    systems.insert("storyline", prf(ours));
    systems.insert("baseline", prf(base));
    let link = |system: &[String]| {
        let s = score(&gold_ids, system);
        LinkScores {
            bcubed_p: s.bcubed_p,
            bcubed_r: s.bcubed_r,
            bcubed_f1: s.bcubed_f1,
        }
    };
    let mut linking = BTreeMap::new();
    linking.insert("storyline", link(&linked_ids));
    linking.insert("baseline", link(&text_ids));
    Ok(EventsReport {
        task: "events",
        dataset: path.display().to_string(),
        documents: docs.len(),
        gold_events,
        gold_named_mentions: named,
        systems,
        named_mention_recall: found as f64 / named.max(1) as f64,
        named_type_accuracy: typed as f64 / found.max(1) as f64,
        linking,
        tokens_per_s: tokens as f64 / seconds,
        peak_rss_mb: peak_rss_mb(),
    })
}

impl EventsReport {
    pub fn table(&self) -> String {
        let mut out = format!(
            "bench events: {} ({} documents, {} gold event mentions, {} gold named mentions)\n\
             {:<10} {:>10} {:>10} {:>10} {:>9} {:>9} {:>9}\n",
            self.dataset,
            self.documents,
            self.gold_events,
            self.gold_named_mentions,
            "system",
            "trigger P",
            "trigger R",
            "trigger F1",
            "link B3 P",
            "link B3 R",
            "link F1"
        );
        for (name, s) in &self.systems {
            let l = self.linking.get(name).copied().unwrap_or_default();
            out.push_str(&format!(
                "{name:<10} {:>10.3} {:>10.3} {:>10.3} {:>9.3} {:>9.3} {:>9.3}\n",
                s.trigger_p, s.trigger_r, s.trigger_f1, l.bcubed_p, l.bcubed_r, l.bcubed_f1
            ));
        }
        out.push_str(&format!(
            "baseline: triggers = every past-tense verb form; links = same mention text\n\
             named mentions found: {:.3} of the gold, {:.3} of those with the gold type\n\
             {:.0} tokens/s (whole analysis)\n",
            self.named_mention_recall, self.named_type_accuracy, self.tokens_per_s
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_to_one_overlap_matching() {
        let gold = [(0, 5), (10, 15)];
        assert_eq!(match_spans(&gold, &[(1, 3), (2, 4), (12, 20)]), (2, 3, 2));
        let s = prf((2, 3, 2));
        assert!((s.trigger_p - 2.0 / 3.0).abs() < 1e-9 && s.trigger_r == 1.0);
    }
}
