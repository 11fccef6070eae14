//! `storyline bench time`: temporal expressions against TempEval-3 gold
//! TIMEX3 annotations, scored as the TempEval-3 scorer does: strict span
//! P/R/F1 (both ends exact), relaxed span P/R/F1 (any overlap, each gold
//! expression matched once), and value accuracy over the relaxed matches
//! (value F1 = relaxed F1 × value accuracy). Baseline: the same rules
//! restricted to explicit calendar dates and years.

use crate::dataset::{read_records, RecordsError};
use crate::resources::peak_rss_mb;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;
use storyline_extract::timex::{extract, extract_explicit, Timex};

#[derive(Debug, Deserialize)]
struct Doc {
    text: String,
    published: Option<String>,
    #[serde(default)]
    timexes: Vec<Gold>,
}

#[derive(Debug, Deserialize)]
struct Gold {
    start: usize,
    end: usize,
    value: String,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct TimeScores {
    pub strict_p: f64,
    pub strict_r: f64,
    pub strict_f1: f64,
    pub relaxed_p: f64,
    pub relaxed_r: f64,
    pub relaxed_f1: f64,
    pub value_accuracy: f64,
    pub value_f1: f64,
}

#[derive(Default)]
struct Counts {
    predicted: usize,
    gold: usize,
    strict: usize,
    relaxed: usize,
    value: usize,
}

impl Counts {
    fn add(&mut self, gold: &[Gold], found: &[Timex]) {
        self.predicted += found.len();
        self.gold += gold.len();
        let mut used = vec![false; found.len()];
        for g in gold {
            let hit = found
                .iter()
                .enumerate()
                .filter(|(i, t)| !used[*i] && t.start < g.end && g.start < t.end)
                .max_by_key(|(_, t)| {
                    (
                        t.start == g.start && t.end == g.end,
                        t.end.min(g.end) - t.start.max(g.start),
                    )
                });
            if let Some((i, t)) = hit {
                used[i] = true;
                self.relaxed += 1;
                if t.start == g.start && t.end == g.end {
                    self.strict += 1;
                }
                if t.value == g.value {
                    self.value += 1;
                }
            }
        }
    }

    fn scores(&self) -> TimeScores {
        let f = |right: usize| {
            let p = right as f64 / self.predicted.max(1) as f64;
            let r = right as f64 / self.gold.max(1) as f64;
            (p, r, if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 })
        };
        let (sp, sr, sf) = f(self.strict);
        let (rp, rr, rf) = f(self.relaxed);
        let accuracy = self.value as f64 / self.relaxed.max(1) as f64;
        TimeScores {
            strict_p: sp,
            strict_r: sr,
            strict_f1: sf,
            relaxed_p: rp,
            relaxed_r: rr,
            relaxed_f1: rf,
            value_accuracy: accuracy,
            value_f1: rf * accuracy,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct TimeReport {
    pub task: &'static str,
    pub dataset: String,
    pub documents: usize,
    pub gold_timexes: usize,
    pub systems: BTreeMap<&'static str, TimeScores>,
    pub tokens_per_s: f64,
    pub peak_rss_mb: Option<f64>,
}

pub fn run(path: &Path) -> Result<TimeReport, RecordsError> {
    let name = path.display().to_string();
    let docs: Vec<Doc> = read_records(path)?;
    let published = |d: &Doc| {
        d.published
            .as_deref()
            .and_then(|p| NaiveDate::parse_from_str(p.get(..10).unwrap_or(p), "%Y-%m-%d").ok())
    };
    let tokens: usize = docs.iter().map(|d| d.text.split_whitespace().count()).sum();
    let (mut ours, mut base) = (Counts::default(), Counts::default());
    let start = Instant::now();
    let found: Vec<Vec<Timex>> = docs.iter().map(|d| extract(&d.text, published(d))).collect();
    let seconds = start.elapsed().as_secs_f64().max(1e-9);
    for (d, f) in docs.iter().zip(&found) {
        ours.add(&d.timexes, f);
        base.add(&d.timexes, &extract_explicit(&d.text, published(d)));
    }
    let mut systems = BTreeMap::new();
    systems.insert("storyline", ours.scores());
    systems.insert("baseline", base.scores());
    Ok(TimeReport {
        task: "time",
        dataset: name,
        documents: docs.len(),
        gold_timexes: ours.gold,
        systems,
        tokens_per_s: tokens as f64 / seconds,
        peak_rss_mb: peak_rss_mb(),
    })
}

impl TimeReport {
    pub fn table(&self) -> String {
        let mut out = format!(
            "bench time: {} ({} documents, {} gold TIMEX3)\n{:<10} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n",
            self.dataset, self.documents, self.gold_timexes, "system", "strict P", "strict R", "strict F1", "relax P", "relax R", "relax F1", "value acc", "value F1"
        );
        for (name, s) in &self.systems {
            out.push_str(&format!(
                "{name:<10} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3}\n",
                s.strict_p,
                s.strict_r,
                s.strict_f1,
                s.relaxed_p,
                s.relaxed_r,
                s.relaxed_f1,
                s.value_accuracy,
                s.value_f1
            ));
        }
        out.push_str("baseline: explicit calendar dates and years only; value F1 = relaxed F1 × value accuracy (TempEval-3)\n");
        out.push_str(&format!("{:.0} tokens/s\n", self.tokens_per_s));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_relaxed_and_values_count_as_tempeval_does() {
        let gold = vec![
            Gold {
                start: 0,
                end: 6,
                value: "2023-06-23".into(),
            },
            Gold {
                start: 10,
                end: 20,
                value: "P2D".into(),
            },
            Gold {
                start: 30,
                end: 34,
                value: "2015".into(),
            },
        ];
        let t = |s, e, v: &str| Timex {
            text: String::new(),
            start: s,
            end: e,
            kind: storyline_extract::timex::TimexKind::Date,
            value: v.into(),
        };
        let found = vec![t(0, 6, "2023-06-23"), t(12, 20, "P3D"), t(40, 44, "2016")];
        let mut c = Counts::default();
        c.add(&gold, &found);
        let s = c.scores();
        assert!((s.strict_p - 1.0 / 3.0).abs() < 1e-9);
        assert!((s.relaxed_r - 2.0 / 3.0).abs() < 1e-9);
        assert!((s.value_accuracy - 0.5).abs() < 1e-9);
    }
}
