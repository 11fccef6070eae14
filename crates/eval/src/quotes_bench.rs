//! `storyline bench quotes`: quotes and their speakers against PolNeAR's
//! attribution relations (source, cue, content as character spans).
//!
//! The corpus marks direct and indirect speech alike. As its README says,
//! the direct quotes are the relations whose content lies inside quotation
//! marks; each of their content spans is one gold quote, with the
//! relation's source as its speaker. Scored:
//! - quote spans: a found quote matches the gold quote it overlaps most
//!   (one to one); strict when both ends agree once space and punctuation
//!   at the edges are set aside. Found quotes that match no gold quote but
//!   lie inside the content of an indirect relation (the corpus marks the
//!   whole reported clause, not the words quoted in it) are not scored.
//! - speaker attribution: a matched quote whose speaker mention overlaps
//!   the gold source. Precision over the scored quotes given a speaker,
//!   recall over the gold quotes that have a source.
//! - attribution relations (all, direct and indirect) against storyline's
//!   statements and quotes: content overlaps and the source overlaps.
//! - the attribution metric of the outside checks (`polnear`), for the
//!   direct relations (content inside quotation marks) against the quotes
//!   given a speaker, and for all relations against statements and quotes:
//!   a prediction matches the gold relation whose content it overlaps most
//!   when the overlap is at least half the shorter of the two (each gold
//!   relation matched once: one prediction per reported content); it is
//!   right when its speaker mention overlaps the gold source or its
//!   speaker's name shares a word of three or more letters with it.
//!   Precision over the predictions, recall over the gold relations; as
//!   for quote spans, a quote that matches no direct relation but lies in
//!   an indirect one's content is not scored among the direct ones.
//!
//! Baseline: the same quotation marks, with the nearest person or
//! organisation named in the same paragraph as the speaker.
//! The annotator whose id sorts first is the gold where several annotated.

use crate::dataset::{read_records, RecordsError};
use crate::resources::peak_rss_mb;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;
use storyline_extract::entities::Entity;
use storyline_extract::ner::Tagger;
use storyline_extract::quotes::Quote;

#[derive(Debug, Deserialize)]
struct Doc {
    text: String,
    #[serde(default)]
    attributions_by_annotator: BTreeMap<String, Vec<Relation>>,
}

#[derive(Debug, Deserialize)]
struct Relation {
    source: Option<Part>,
    content: Option<Part>,
}

#[derive(Debug, Deserialize)]
struct Part {
    spans: Vec<(usize, usize)>,
}

/// A span found or gold, with its speaker's spans (character offsets)
/// and, for a found one, the name its speaker resolves to.
#[derive(Debug, Clone)]
struct Unit {
    span: (usize, usize),
    speaker: Vec<(usize, usize)>,
    speaker_name: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct QuoteScores {
    pub quote_p: f64,
    pub quote_r: f64,
    pub quote_f1: f64,
    pub quote_strict_f1: f64,
    pub speaker_p: f64,
    pub speaker_r: f64,
    pub speaker_f1: f64,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct RelationScores {
    pub p: f64,
    pub r: f64,
    pub f1: f64,
}

#[derive(Debug, Serialize)]
pub struct QuotesReport {
    pub task: &'static str,
    pub dataset: String,
    pub documents: usize,
    pub gold_quotes: usize,
    pub gold_relations: usize,
    pub systems: BTreeMap<&'static str, QuoteScores>,
    /// All attribution relations (direct and indirect) against statements.
    pub attributions: BTreeMap<&'static str, RelationScores>,
    /// The outside checks' metric: direct relations against quotes.
    pub polnear_direct: BTreeMap<&'static str, RelationScores>,
    /// The outside checks' metric: all relations against statements and quotes.
    pub polnear_all: BTreeMap<&'static str, RelationScores>,
    pub tokens_per_s: f64,
    pub peak_rss_mb: Option<f64>,
}

/// Character ranges inside quotation marks, marks included, per paragraph.
fn quoted_regions(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(char, usize)> = None;
    for (i, c) in text.chars().enumerate() {
        match (open, c) {
            (_, '\n') => open = None,
            (Some((close, s)), c) if c == close => {
                out.push((s, i + 1));
                open = None;
            }
            (None, '“') => open = Some(('”', i)),
            (None, '"') => open = Some(('"', i)),
            _ => {}
        }
    }
    out
}

/// The span without space and punctuation at its edges.
fn core(chars: &[char], (s, e): (usize, usize)) -> (usize, usize) {
    let keep = |c: &char| c.is_alphanumeric();
    let s2 = (s..e).find(|&i| keep(&chars[i])).unwrap_or(e);
    let e2 = (s2..e).rev().find(|&i| keep(&chars[i])).map_or(s2, |i| i + 1);
    (s2, e2)
}

fn overlap(a: (usize, usize), b: (usize, usize)) -> usize {
    a.1.min(b.1).saturating_sub(a.0.max(b.0))
}

/// Character spans, possibly discontinuous.
type Spans = Vec<(usize, usize)>;

/// The gold of one document: direct quote units, and all relations as
/// (content spans, source spans).
struct Gold {
    quotes: Vec<Unit>,
    relations: Vec<(Spans, Spans)>,
    /// The relations whose content is all inside quotation marks.
    direct: Vec<(Spans, Spans)>,
    /// The others.
    indirect: Vec<(Spans, Spans)>,
}

fn gold(doc: &Doc) -> Gold {
    let regions = quoted_regions(&doc.text);
    let relations: Vec<_> = doc
        .attributions_by_annotator
        .values()
        .next()
        .map(|rs| {
            rs.iter()
                .filter_map(|r| {
                    let content = r.content.as_ref()?.spans.clone();
                    let source = r.source.as_ref().map(|s| s.spans.clone()).unwrap_or_default();
                    (!content.is_empty()).then_some((content, source))
                })
                .collect()
        })
        .unwrap_or_default();
    let chars: Vec<char> = doc.text.chars().collect();
    let mut quotes = Vec::new();
    let (mut direct, mut indirect) = (Vec::new(), Vec::new());
    for (content, source) in &relations {
        let inside = |&(s, e): &(usize, usize)| {
            let (s, e) = core(&chars, (s, e.min(chars.len())));
            s < e && regions.iter().any(|&(qs, qe)| qs <= s && e <= qe)
        };
        if content.iter().all(inside) {
            quotes.extend(content.iter().map(|&span| Unit {
                span: core(&chars, span),
                speaker: source.clone(),
                speaker_name: None,
            }));
            direct.push((content.clone(), source.clone()));
        } else {
            indirect.push((content.clone(), source.clone()));
        }
    }
    Gold {
        quotes,
        relations,
        direct,
        indirect,
    }
}

#[derive(Default)]
struct QuoteCounts {
    found: usize,
    gold: usize,
    matched: usize,
    strict: usize,
    with_speaker: usize,
    gold_with_source: usize,
    speaker_right: usize,
}

impl QuoteCounts {
    fn add(&mut self, chars: &[char], gold: &Gold, found: &[Unit]) {
        self.gold += gold.quotes.len();
        self.gold_with_source += gold.quotes.iter().filter(|g| !g.speaker.is_empty()).count();
        let mut used = vec![false; gold.quotes.len()];
        for f in found {
            let best = gold
                .quotes
                .iter()
                .enumerate()
                .filter(|(i, g)| !used[*i] && overlap(g.span, f.span) > 0)
                .max_by_key(|(_, g)| overlap(g.span, f.span));
            let Some((i, g)) = best else {
                let in_indirect = gold
                    .relations
                    .iter()
                    .any(|(content, _)| content.iter().any(|&c| c.0 <= f.span.0 && f.span.1 <= c.1));
                if !in_indirect {
                    self.found += 1;
                    self.with_speaker += usize::from(!f.speaker.is_empty());
                }
                continue;
            };
            used[i] = true;
            self.found += 1;
            self.matched += 1;
            self.strict += usize::from(core(chars, f.span) == g.span);
            if !f.speaker.is_empty() {
                self.with_speaker += 1;
                let right = f
                    .speaker
                    .iter()
                    .any(|&s| g.speaker.iter().any(|&t| overlap(s, t) > 0));
                self.speaker_right += usize::from(right);
            }
        }
    }

    fn scores(&self) -> QuoteScores {
        let (quote_p, quote_r, quote_f1) = prf(self.matched, self.found, self.gold);
        let (_, _, quote_strict_f1) = prf(self.strict, self.found, self.gold);
        let (speaker_p, speaker_r, speaker_f1) =
            prf(self.speaker_right, self.with_speaker, self.gold_with_source);
        QuoteScores {
            quote_p,
            quote_r,
            quote_f1,
            quote_strict_f1,
            speaker_p,
            speaker_r,
            speaker_f1,
        }
    }
}

fn prf(right: usize, found: usize, gold: usize) -> (f64, f64, f64) {
    let p = right as f64 / found.max(1) as f64;
    let r = right as f64 / gold.max(1) as f64;
    (p, r, if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 })
}

#[derive(Default)]
struct RelationCounts {
    found: usize,
    gold: usize,
    right: usize,
}

impl RelationCounts {
    /// `found`: (content span, speaker span) pairs; right when the content
    /// overlaps a gold relation's content and the speaker its source.
    fn add(&mut self, gold: &Gold, found: &[Unit]) {
        self.gold += gold.relations.len();
        self.found += found.len();
        let mut used = vec![false; gold.relations.len()];
        for f in found {
            let hit = gold
                .relations
                .iter()
                .enumerate()
                .position(|(i, (content, source))| {
                    !used[i]
                        && content.iter().any(|&c| overlap(c, f.span) > 0)
                        && source
                            .iter()
                            .any(|&s| f.speaker.iter().any(|&t| overlap(s, t) > 0))
                });
            if let Some(i) = hit {
                used[i] = true;
                self.right += 1;
            }
        }
    }

    fn scores(&self) -> RelationScores {
        let (p, r, f1) = prf(self.right, self.found, self.gold);
        RelationScores { p, r, f1 }
    }
}

/// The outside checks' attribution metric (see the module's doc).
#[derive(Default)]
struct PolnearCounts {
    found: usize,
    gold: usize,
    right: usize,
}

/// The share of `content` and `span` in common, when it is at least half
/// the shorter of the two.
fn half_overlap(content: &Spans, span: (usize, usize)) -> Option<usize> {
    let shared: usize = content.iter().map(|&c| overlap(c, span)).sum();
    let gold_length: usize = content.iter().map(|&(s, e)| e.saturating_sub(s)).sum();
    let length = span.1.saturating_sub(span.0);
    (shared > 0 && 2 * shared >= length.min(gold_length)).then_some(shared)
}

impl PolnearCounts {
    /// Scores `found` against the `gold` relations; a prediction that
    /// matches none of them but lies in the content of one of `elsewhere`
    /// (relations outside this score: a quote inside reported speech that
    /// the corpus marks as indirect) is not scored.
    fn add(&mut self, chars: &[char], gold: &[(Spans, Spans)], elsewhere: &[(Spans, Spans)], found: &[Unit]) {
        self.gold += gold.len();
        let mut used = vec![false; gold.len()];
        for f in found.iter().filter(|f| !f.speaker.is_empty()) {
            let best = gold
                .iter()
                .enumerate()
                .filter(|(i, _)| !used[*i])
                .filter_map(|(i, (content, _))| half_overlap(content, f.span).map(|shared| (i, shared)))
                .max_by_key(|&(i, shared)| (shared, std::cmp::Reverse(i)));
            let Some((i, _)) = best else {
                let outside = elsewhere
                    .iter()
                    .any(|(content, _)| half_overlap(content, f.span).is_some());
                self.found += usize::from(!outside);
                continue;
            };
            used[i] = true;
            self.found += 1;
            self.right += usize::from(speaker_is_right(chars, &gold[i].1, f));
        }
    }

    fn scores(&self) -> RelationScores {
        let (p, r, f1) = prf(self.right, self.found, self.gold);
        RelationScores { p, r, f1 }
    }
}

/// Whether `found`'s speaker is the gold `source`: the mentions overlap,
/// or its name shares a word of three or more letters with the source.
fn speaker_is_right(chars: &[char], source: &Spans, found: &Unit) -> bool {
    if found
        .speaker
        .iter()
        .any(|&s| source.iter().any(|&t| overlap(s, t) > 0))
    {
        return true;
    }
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 3)
            .map(str::to_lowercase)
            .collect()
    };
    let source_text: String = source
        .iter()
        .map(|&(s, e)| {
            chars[s.min(chars.len())..e.min(chars.len())]
                .iter()
                .collect::<String>()
                + " "
        })
        .collect();
    let source_words = words(&source_text);
    found
        .speaker_name
        .as_deref()
        .is_some_and(|name| words(name).iter().any(|w| source_words.contains(w)))
}

/// Each part of an interrupted quote as a quote of its own, with the
/// quote's speaker: the unit the gold quotes are counted in.
fn split_parts(quotes: &[Quote]) -> Vec<Quote> {
    quotes
        .iter()
        .flat_map(|q| {
            let whole = vec![(q.start, q.end)];
            let spans = if q.parts.is_empty() {
                whole
            } else {
                q.parts.iter().map(|p| (p.start, p.end)).collect()
            };
            spans.into_iter().map(|(start, end)| Quote {
                text: String::new(),
                start,
                end,
                speaker: q.speaker.clone(),
                parts: Vec::new(),
            })
        })
        .collect()
}

fn quote_units(quotes: &[Quote]) -> Vec<Unit> {
    quotes
        .iter()
        .map(|q| Unit {
            span: (q.start, q.end),
            speaker: q.speaker.iter().map(|s| (s.start, s.end)).collect(),
            speaker_name: q.speaker.as_ref().map(|s| s.name.clone()),
        })
        .collect()
}

/// The baseline speaker: the person or organisation mention nearest to
/// the quote in its paragraph (before or after).
fn nearest_mention(text: &str, quotes: &[Quote], entities: &[Entity]) -> Vec<Unit> {
    let chars: Vec<char> = text.chars().collect();
    let paragraph = |i: usize| chars[..i.min(chars.len())].iter().filter(|&&c| c == '\n').count();
    let mentions: Vec<(usize, usize)> = entities
        .iter()
        .filter(|e| e.kind == "PERSON" || e.kind == "ORG")
        .flat_map(|e| e.mentions.iter().map(|m| (m.start, m.end)))
        .collect();
    quotes
        .iter()
        .map(|q| {
            let p = paragraph(q.start);
            let nearest = mentions
                .iter()
                .filter(|&&(s, e)| (e <= q.start || s >= q.end) && paragraph(s) == p)
                .min_by_key(|&&(s, e)| if e <= q.start { q.start - e } else { s - q.end });
            Unit {
                span: (q.start, q.end),
                speaker: nearest.into_iter().copied().collect(),
                speaker_name: nearest.map(|&(s, e)| chars[s..e.min(chars.len())].iter().collect()),
            }
        })
        .collect()
}

pub fn run(path: &Path, tagger: &Tagger) -> Result<QuotesReport, RecordsError> {
    let name = path.display().to_string();
    let docs: Vec<Doc> = read_records(path)?;
    let tokens: usize = docs.iter().map(|d| d.text.split_whitespace().count()).sum();
    let start = Instant::now();
    let analyses: Vec<_> = docs
        .iter()
        .map(|d| storyline_extract::analyse(Some(tagger), &d.text, None))
        .collect();
    let seconds = start.elapsed().as_secs_f64().max(1e-9);
    let (mut ours, mut base) = (QuoteCounts::default(), QuoteCounts::default());
    let (mut ours_rel, mut base_rel) = (RelationCounts::default(), RelationCounts::default());
    let (mut ours_direct, mut base_direct) = (PolnearCounts::default(), PolnearCounts::default());
    let (mut ours_all, mut base_all) = (PolnearCounts::default(), PolnearCounts::default());
    let mut gold_relations = 0;
    for (d, a) in docs.iter().zip(&analyses) {
        let g = gold(d);
        gold_relations += g.relations.len();
        let chars: Vec<char> = d.text.chars().collect();
        // Quote spans and speakers count the quoted parts, as the gold
        // does; the outside metric counts each quote once.
        let parts = split_parts(&a.quotes);
        let found = quote_units(&parts);
        let quotes = quote_units(&a.quotes);
        let nearest = nearest_mention(&d.text, &parts, &a.entities);
        ours.add(&chars, &g, &found);
        base.add(&chars, &g, &nearest);
        ours_direct.add(&chars, &g.direct, &g.indirect, &quotes);
        base_direct.add(&chars, &g.direct, &g.indirect, &nearest);
        // Relations: statements, plus quotes no statement covers.
        let mut relations: Vec<Unit> = a
            .statements
            .iter()
            .map(|s| Unit {
                span: (s.content.start, s.content.end),
                speaker: vec![(s.speaker.start, s.speaker.end)],
                speaker_name: Some(s.speaker.name.clone()),
            })
            .collect();
        relations.extend(
            quotes
                .iter()
                .filter(|q| {
                    !q.speaker.is_empty()
                        && !relations
                            .iter()
                            .any(|r| r.span.0 <= q.span.0 && q.span.1 <= r.span.1)
                })
                .cloned()
                .collect::<Vec<_>>(),
        );
        ours_rel.add(&g, &relations);
        ours_all.add(&chars, &g.relations, &[], &relations);
        let nearest: Vec<Unit> = nearest.into_iter().filter(|u| !u.speaker.is_empty()).collect();
        base_rel.add(&g, &nearest);
        base_all.add(&chars, &g.relations, &[], &nearest);
    }
    let mut systems = BTreeMap::new();
    systems.insert("storyline", ours.scores());
    systems.insert("baseline", base.scores());
    let mut attributions = BTreeMap::new();
    attributions.insert("storyline", ours_rel.scores());
    attributions.insert("baseline", base_rel.scores());
    let polnear_direct = BTreeMap::from([
        ("storyline", ours_direct.scores()),
        ("baseline", base_direct.scores()),
    ]);
    let polnear_all = BTreeMap::from([("storyline", ours_all.scores()), ("baseline", base_all.scores())]);
    Ok(QuotesReport {
        task: "quotes",
        dataset: name,
        documents: docs.len(),
        gold_quotes: ours.gold,
        gold_relations,
        systems,
        attributions,
        polnear_direct,
        polnear_all,
        tokens_per_s: tokens as f64 / seconds,
        peak_rss_mb: peak_rss_mb(),
    })
}

impl QuotesReport {
    pub fn table(&self) -> String {
        let mut out = format!(
            "bench quotes: {} ({} documents, {} gold direct quotes, {} attribution relations)\n\
             {:<10} {:>8} {:>8} {:>8} {:>9} {:>10} {:>10} {:>10} {:>10}\n",
            self.dataset,
            self.documents,
            self.gold_quotes,
            self.gold_relations,
            "system",
            "quote P",
            "quote R",
            "quote F1",
            "strict F1",
            "speaker P",
            "speaker R",
            "speaker F1",
            "attrib F1"
        );
        for (name, s) in &self.systems {
            let a = self.attributions.get(name).copied().unwrap_or_default();
            out.push_str(&format!(
                "{name:<10} {:>8.3} {:>8.3} {:>8.3} {:>9.3} {:>10.3} {:>10.3} {:>10.3} {:>10.3}\n",
                s.quote_p,
                s.quote_r,
                s.quote_f1,
                s.quote_strict_f1,
                s.speaker_p,
                s.speaker_r,
                s.speaker_f1,
                a.f1
            ));
        }
        out.push_str(&format!(
            "{:<10} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}  (PolNeAR metric: content overlap >= half, speaker right)\n",
            "system", "direct P", "direct R", "direct F1", "all P", "all R", "all F1"
        ));
        for (name, d) in &self.polnear_direct {
            let a = self.polnear_all.get(name).copied().unwrap_or_default();
            out.push_str(&format!(
                "{name:<10} {:>8.3} {:>8.3} {:>9.3} {:>8.3} {:>8.3} {:>8.3}\n",
                d.p, d.r, d.f1, a.p, a.r, a.f1
            ));
        }
        out.push_str(
            "baseline: the same quotes, speaker = nearest person or organisation in the paragraph\n\
             attrib F1: all relations (direct and indirect), content and source overlapping\n\
             PolNeAR metric: the outside checks' scoring; direct = relations quoted in full, against quotes given a speaker; all = every relation, against statements and quotes\n",
        );
        out.push_str(&format!("{:.0} tokens/s (whole analysis)\n", self.tokens_per_s));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_quotes_are_the_relations_inside_marks() {
        let text = "“We will win,” Smith said. Jones said that taxes were “too high” for many.";
        let doc: Doc = serde_json::from_value(serde_json::json!({
            "text": text,
            "attributions_by_annotator": {"a": [
                {"source": {"spans": [[15, 20]]}, "content": {"spans": [[1, 13]]}},
                {"source": {"spans": [[27, 32]]}, "content": {"spans": [[38, 73]]}},
            ]}
        }))
        .unwrap();
        let g = gold(&doc);
        assert_eq!(g.quotes.len(), 1, "the second relation is indirect");
        assert_eq!(g.quotes[0].span, (1, 12), "edges without punctuation");
        let chars: Vec<char> = text.chars().collect();
        let mut counts = QuoteCounts::default();
        let found = vec![
            Unit {
                span: (1, 13),
                speaker: vec![(15, 20)],
                speaker_name: Some("Smith".into()),
            },
            // A partial quote inside the indirect relation: not scored.
            Unit {
                span: (55, 63),
                speaker: vec![(27, 32)],
                speaker_name: Some("Jones".into()),
            },
        ];
        counts.add(&chars, &g, &found);
        let s = counts.scores();
        assert_eq!((s.quote_p, s.quote_r, s.quote_strict_f1), (1.0, 1.0, 1.0));
        assert_eq!((s.speaker_p, s.speaker_r), (1.0, 1.0));
        let mut wrong = QuoteCounts::default();
        wrong.add(
            &chars,
            &g,
            &[Unit {
                span: (1, 13),
                speaker: vec![(27, 32)],
                speaker_name: Some("Jones".into()),
            }],
        );
        assert_eq!(wrong.scores().speaker_f1, 0.0);
    }

    #[test]
    fn the_outside_metric_matches_half_the_content_and_speakers_by_name() {
        let text = "“We will win,” Smith said. Jones said that taxes were “too high” for many.";
        let chars: Vec<char> = text.chars().collect();
        let direct = vec![(vec![(1, 13)], vec![(15, 20)])];
        let indirect = vec![(vec![(38, 73)], vec![(27, 32)])];
        let unit = |span, speaker: (usize, usize), name: &str| Unit {
            span,
            speaker: vec![speaker],
            speaker_name: Some(name.into()),
        };
        let mut c = PolnearCounts::default();
        c.add(
            &chars,
            &direct,
            &indirect,
            &[
                // Right by its name, though its mention lies elsewhere.
                unit((1, 12), (60, 62), "John Smith"),
                // Inside the indirect relation: not scored here.
                unit((55, 63), (27, 32), "Jones"),
                // A second prediction for the same content: wrong.
                unit((2, 10), (15, 20), "Smith"),
            ],
        );
        let s = c.scores();
        assert_eq!((c.found, c.right, c.gold), (2, 1, 1));
        assert_eq!((s.p, s.r), (0.5, 1.0));
        // Less than half of the shorter span in common: no match.
        let mut d = PolnearCounts::default();
        d.add(&chars, &direct, &[], &[unit((11, 30), (15, 20), "Smith")]);
        assert_eq!((d.found, d.right), (1, 0));
    }
}
