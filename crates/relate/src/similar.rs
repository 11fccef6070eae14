//! Similar Posts: for one article, the stored articles most like it.
//!
//! The article's strongest terms in each space (words and names) are run
//! against the index; a candidate's score is its words cosine plus the
//! weighted names cosine, scaled down with the gap between publication dates
//! (only the `time_weight` share decays, with a half-life), so an older
//! article on the same story still ranks, below a fresh one.
//!
//! Copies are never shown twice: near-duplicates (syndicated copies, light
//! rewrites; see `near_duplicates`) form groups, the list shows the best
//! member of each group and names the others under `duplicates`. Copies of
//! the article itself are one such group, marked `near_duplicate` (readers
//! see "same report"; scorers still count them) and also named at the top level. Every item says why it is there: the shared names and words that
//! weighed most, the date gap, and the score parts. Ties break by id, so the
//! output is reproducible.

use crate::article_terms::SpaceKind;
use crate::index::{ArticleIndex, DocInfo, IndexOptions};
use crate::scratch::Zeroed;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use storyline_core::Published;

/// A query in one space: (term, weight), strongest first.
pub(crate) type Query = Vec<(u32, f32)>;

/// A document holding a term, with the term's weight in it.
pub(crate) type Posting = (u32, f32);

/// How many shared terms (per space) an explanation names.
const WHY_TERMS: usize = 5;

/// Why an article is in another's Similar Posts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Why {
    /// Shared names (people, places, organisations) that weighed most.
    pub names: Vec<String>,
    /// Shared words that weighed most, strongest first.
    pub terms: Vec<String>,
    /// Days from the article to this one (positive: published later).
    pub days_apart: Option<i64>,
    /// Cosine of the word vectors.
    pub words_score: f32,
    /// Cosine of the name vectors.
    pub names_score: f32,
    /// The factor (at most 1) the date gap applied.
    pub time_factor: f32,
    /// This item is a near-duplicate (copy or light rewrite) of the article itself.
    pub near_duplicate: bool,
    /// This item belongs to the article's story (see `similar_in_story`).
    #[serde(default)]
    pub same_story: bool,
}

/// A candidate's final score and whether the story boost applied.
#[derive(Debug, Clone, Copy)]
struct Score {
    value: f32,
    in_story: bool,
}

impl Why {
    /// The compact reason shown to readers: "Wagner · Prigozhin · 2 days later".
    pub fn compact(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if self.near_duplicate {
            parts.push("same report".into());
        }
        parts.extend(self.names.iter().take(3).cloned());
        if parts.is_empty() {
            parts.extend(self.terms.iter().take(3).cloned());
        }
        match self.days_apart {
            Some(0) => parts.push("same day".into()),
            Some(1) => parts.push("1 day later".into()),
            Some(-1) => parts.push("1 day earlier".into()),
            Some(d) if d > 0 => parts.push(format!("{d} days later")),
            Some(d) => parts.push(format!("{} days earlier", -d)),
            None => {}
        }
        parts.join(" · ")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimilarPost {
    pub id: String,
    pub title: String,
    pub published: Option<Published>,
    pub score: f32,
    pub why: Why,
    /// Exact copies of this item that it stands for.
    pub duplicates: Vec<String>,
}

/// An article's Similar Posts, the shape of `storyline similar --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimilarPosts {
    pub id: String,
    pub similar: Vec<SimilarPost>,
    /// Exact copies of the article itself, which are not listed as similar.
    pub duplicates: Vec<String>,
}

/// Which articles a Similar Posts list may show. The default shows all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Filter {
    /// Only articles published at most this many days before or after
    /// (articles without a date are left out when this is set).
    pub max_days_apart: Option<u32>,
    /// Only articles in this language (ISO 639-1).
    pub lang: Option<String>,
    /// Only articles from these sources (case-insensitive), when not empty.
    pub sources: Vec<String>,
    /// Never articles from these sources (case-insensitive).
    pub exclude_sources: Vec<String>,
}

impl Filter {
    pub(crate) fn is_open(&self) -> bool {
        self.max_days_apart.is_none()
            && self.lang.is_none()
            && self.sources.is_empty()
            && self.exclude_sources.is_empty()
    }

    fn passes(&self, me: &DocInfo, doc: &DocInfo) -> bool {
        let source = doc.source.as_deref().unwrap_or("");
        self.admits(
            days_between(me.day, doc.day),
            |lang| doc.lang.as_deref() == Some(lang),
            |name| name.eq_ignore_ascii_case(source),
        )
    }

    /// The one decision, whatever holds the document: `days_apart` from
    /// the article, whether the document is in language `lang`, whether
    /// it is from the source named `name` (case-insensitive).
    pub(crate) fn admits(
        &self,
        days_apart: Option<i64>,
        in_lang: impl Fn(&str) -> bool,
        from_source: impl Fn(&str) -> bool,
    ) -> bool {
        if let Some(window) = self.max_days_apart {
            match days_apart {
                Some(d) if d.unsigned_abs() <= u64::from(window) => {}
                _ => return false,
            }
        }
        if let Some(lang) = &self.lang {
            if !in_lang(lang) {
                return false;
            }
        }
        let named = |list: &[String]| list.iter().any(|s| from_source(s));
        (self.sources.is_empty() || named(&self.sources)) && !named(&self.exclude_sources)
    }
}

/// Per-query scratch space: a dense array of scores and a bitmap of the
/// documents touched, reused across queries on a thread so a query
/// allocates nothing large. One `f32` per document keeps the array within
/// a core's cache at 100,000 articles (the words and names parts of the
/// few documents shown are recomputed from their vectors). The touched
/// documents are read off the bitmap, in ascending order, rather than kept
/// in a list: a list cost a write per new document and, at a million
/// articles, megabytes more to fault in.
#[derive(Default)]
struct Accumulator {
    /// Per document: words score + names weight × names score (or, until
    /// scaled, the unscaled words sum; see [`accumulate`]).
    scores: Zeroed<f32>,
    /// A bit per document: whether this query touched it.
    listed: Zeroed<u64>,
}

impl Accumulator {
    fn prepare(&mut self, n: usize) {
        self.clear();
        if self.scores.len() < n {
            // At least doubled, so an index growing by an article a query
            // does not map anew each time; cleared arrays hold only zeros.
            let len = n.max(self.scores.len() * 2);
            self.scores = Zeroed::new(len);
            self.listed = Zeroed::new(len.div_ceil(64));
        }
    }

    fn clear(&mut self) {
        let scores = self.scores.as_mut_slice();
        for (word, bits) in self.listed.as_mut_slice().iter_mut().enumerate() {
            for d in set_bits(word, *bits) {
                scores[d as usize] = 0.0;
            }
            *bits = 0;
        }
    }

    /// Calls `each` with the touched documents, ascending.
    fn each_touched(&self, each: impl FnMut(u32)) {
        each_touched(self.listed.as_slice(), each)
    }

    fn score(&self, doc: u32) -> f32 {
        self.scores.as_slice()[doc as usize]
    }
}

/// Calls `each` with the documents whose bits are set in `listed`,
/// ascending. A loop rather than an iterator: a flattened iterator over
/// hundreds of thousands of documents (a million-article query) cost
/// several per cent of the query in its own bookkeeping.
fn each_touched(listed: &[u64], mut each: impl FnMut(u32)) {
    for (word, &bits) in listed.iter().enumerate() {
        if bits != 0 {
            set_bits(word, bits).for_each(&mut each);
        }
    }
}

/// The documents of bitmap word `word` whose bits are set in `bits`.
fn set_bits(word: usize, mut bits: u64) -> impl Iterator<Item = u32> {
    let base = (word * 64) as u32;
    std::iter::from_fn(move || {
        (bits != 0).then(|| {
            let d = base + bits.trailing_zeros();
            bits &= bits - 1;
            d
        })
    })
}

/// Adds `weight` times each posting's weight of `run` to `sums`, and marks
/// its documents touched.
fn add_run(sums: &mut [f32], listed: &mut [u64], run: &[Posting], weight: f32) {
    add_scaled_run(sums, listed, run, weight, std::iter::repeat(1.0));
}

/// [`add_run`] with each posting's weight also times its document's
/// factor from `factors` (in the run's order).
fn add_scaled_run(
    sums: &mut [f32],
    listed: &mut [u64],
    run: &[Posting],
    weight: f32,
    factors: impl Iterator<Item = f32>,
) {
    for (&(doc, w), factor) in run.iter().zip(factors) {
        let d = doc as usize;
        listed[d / 64] |= 1 << (d % 64);
        sums[d] += weight * w * factor;
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Accumulator> = std::cell::RefCell::new(Accumulator::default());
}

/// What ranking needs of an index. The in-memory [`ArticleIndex`] and the
/// on-disk index (`crate::disk`) both answer it, so Similar Posts and story
/// neighbours are ranked by one piece of code whichever holds the vectors.
/// Documents are numbered below [`Corpus::capacity`]; a space's terms are
/// numbered by the implementation (stable for one query at least).
pub(crate) trait Corpus {
    fn options(&self) -> &IndexOptions;
    /// Documents are numbered below this.
    fn capacity(&self) -> usize;
    fn id(&self, doc: u32) -> Cow<'_, str>;
    /// The publication day as days since 1970-01-01.
    fn day(&self, doc: u32) -> Option<i32>;
    fn same_source(&self, a: u32, b: u32) -> bool;
    /// Whether `filter` lets `doc` into `me`'s list.
    fn passes(&self, filter: &Filter, me: u32, doc: u32) -> bool;
    /// A key of `doc`'s near-duplicate group (equal keys, one group).
    fn group(&self, doc: u32) -> u64;
    /// The other members of `doc`'s near-duplicate group, by id, sorted.
    fn copies_of(&self, doc: u32) -> Vec<String>;
    fn title_and_date(&self, doc: u32) -> (String, Option<Published>);
    /// The strongest `max_terms` useful terms of `doc` in `space`.
    fn query(&self, space: SpaceKind, doc: u32, max_terms: usize) -> Query;
    /// Rocchio expansion: `query` plus `weight` times the mean of the
    /// `feedback` documents' vectors, cut to its `max_terms` strongest terms.
    fn expand(
        &self,
        space: SpaceKind,
        query: &[(u32, f32)],
        feedback: &[u32],
        weight: f32,
        max_terms: usize,
    ) -> Query;
    /// Calls `each` with the `(doc, weight)` of every document holding
    /// `term`, a run at a time (a call per document cost as much as the
    /// adding it does): the weight in the document's vector, or, where
    /// [`Corpus::unscaled`] says so, that weight before the document's own
    /// factor ([`Corpus::scales`]).
    fn postings(&self, space: SpaceKind, term: u32, each: &mut dyn FnMut(&[Posting]));
    /// Whether posting weights are still to be multiplied by a factor per
    /// document (one over its vector's length, on disk): scaling each
    /// document's words sum once after adding up, rather than every
    /// posting as it is read, spares a column read per posting.
    fn unscaled(&self) -> bool {
        false
    }
    /// The factor in `space` of each of `docs` (ascending), into `out`
    /// (cleared first), when postings are [`Corpus::unscaled`].
    fn scales(&self, _space: SpaceKind, docs: &[u32], out: &mut Vec<f32>) {
        out.clear();
        out.resize(docs.len(), 1.0);
    }
    /// The dot product of `doc`'s vector in `space` with `query`.
    fn dot(&self, space: SpaceKind, doc: u32, query: &[(u32, f32)]) -> f32;
    /// The readable forms of the query terms `doc` contains, strongest first.
    fn shared_terms(&self, space: SpaceKind, doc: u32, query: &[(u32, f32)], max: usize) -> Vec<String>;
}

/// Rocchio expansion over vectors at hand: `query` plus `weight` times the
/// mean of `feedback`, cut to its `max_terms` strongest terms.
pub(crate) fn rocchio<'v>(
    query: &[(u32, f32)],
    feedback: impl ExactSizeIterator<Item = &'v [(u32, f32)]>,
    weight: f32,
    max_terms: usize,
) -> Query {
    if feedback.len() == 0 || weight == 0.0 {
        return query.to_vec();
    }
    let mut q: rustc_hash::FxHashMap<u32, f32> = query.iter().copied().collect();
    let share = weight / feedback.len() as f32;
    for vector in feedback {
        for &(t, w) in vector {
            *q.entry(t).or_default() += share * w;
        }
    }
    strongest(q.into_iter().collect(), max_terms)
}

/// The `max_terms` strongest of `terms`, strongest first (ties by term).
pub(crate) fn strongest(mut terms: Query, max_terms: usize) -> Query {
    terms.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    terms.truncate(max_terms);
    terms
}

/// Of `vector` (terms ascending), the query terms it holds with their
/// contribution (query weight × its weight), strongest first.
pub(crate) fn contributions(vector: &[(u32, f32)], query: &[(u32, f32)]) -> Query {
    let shared: Query = query
        .iter()
        .filter_map(|&(t, qw)| {
            vector
                .binary_search_by_key(&t, |&(vt, _)| vt)
                .ok()
                .map(|i| (t, qw * vector[i].1))
        })
        .collect();
    strongest(shared, usize::MAX)
}

/// The first `max` of `surfaces`, each once: a linked entity and the
/// capitalised phrase naming it read alike.
pub(crate) fn readable<'s>(surfaces: impl Iterator<Item = &'s str>, max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(max.min(64));
    for surface in surfaces {
        if out.len() == max {
            break;
        }
        if !out.iter().any(|o| o.eq_ignore_ascii_case(surface)) {
            out.push(surface.to_string());
        }
    }
    out
}

/// The `k` best Similar Posts of document `me` of `corpus`.
pub(crate) fn similar_posts<C: Corpus + ?Sized>(
    corpus: &C,
    me: u32,
    k: usize,
    filter: &Filter,
    same_story: &[u32],
) -> SimilarPosts {
    SCRATCH.with(|scratch| {
        let mut acc = scratch.borrow_mut();
        acc.prepare(corpus.capacity());
        let similar = rank(corpus, me, k, filter, same_story, &mut acc);
        acc.clear();
        SimilarPosts {
            id: corpus.id(me).into_owned(),
            similar,
            duplicates: corpus.copies_of(me),
        }
    })
}

/// The documents most like `me` among those `admit` lets in, scored on
/// the Similar Posts scale (see [`ArticleIndex::neighbours`]).
pub(crate) fn neighbours<C: Corpus + ?Sized>(
    corpus: &C,
    me: u32,
    n: usize,
    names_weight: f32,
    admit: &dyn Fn(u32) -> bool,
) -> Vec<(u32, f32)> {
    SCRATCH.with(|scratch| {
        let mut acc = scratch.borrow_mut();
        acc.prepare(corpus.capacity());
        let (words_q, names_q) = query(corpus, me, admit, &mut acc);
        accumulate(corpus, &words_q, &names_q, names_weight, &mut acc);
        let max_score = 1.0 + names_weight;
        let found = best(corpus, me, &acc, n, false, admit);
        // Ranked with the date factors, scored without: whether two
        // articles tell one event is a matter of content; how long a
        // story stays open is the clusterer's call.
        let mut scored: Vec<(u32, f32)> = found
            .into_iter()
            .map(|(d, _)| (d, (acc.score(d) / max_score).min(1.0)))
            .collect();
        acc.clear();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored
    })
}

/// The query of `me` in both spaces: its strongest terms, expanded with
/// the best few admitted documents a shorter query finds (leaves `acc`
/// clear). The full query reads again the postings the shorter one read:
/// keeping them cost more than reading them (measured at 1M articles on
/// disk, where reading a posting reads no column).
fn query<C: Corpus + ?Sized>(
    corpus: &C,
    me: u32,
    admit: &dyn Fn(u32) -> bool,
    acc: &mut Accumulator,
) -> (Query, Query) {
    let o = corpus.options();
    let full = (
        corpus.query(SpaceKind::Words, me, o.query_terms),
        corpus.query(SpaceKind::Names, me, o.query_terms),
    );
    if o.feedback_docs == 0 {
        return full;
    }
    // A short query finds the feedback documents; the expanded query
    // is then cut back to the full query's size.
    let first = (
        corpus.query(SpaceKind::Words, me, o.first_pass_terms),
        corpus.query(SpaceKind::Names, me, o.first_pass_terms),
    );
    accumulate(corpus, &first.0, &first.1, o.names_weight, acc);
    let feedback: Vec<u32> = best(corpus, me, acc, o.feedback_docs, true, admit)
        .into_iter()
        .map(|(d, _)| d)
        .collect();
    acc.clear();
    let (weight, size) = (o.feedback_weight, o.expanded_terms);
    (
        corpus.expand(SpaceKind::Words, &full.0, &feedback, weight, size),
        corpus.expand(SpaceKind::Names, &full.1, &feedback, weight, size),
    )
}

fn rank<C: Corpus + ?Sized>(
    corpus: &C,
    me: u32,
    k: usize,
    filter: &Filter,
    same_story: &[u32],
    acc: &mut Accumulator,
) -> Vec<SimilarPost> {
    let (words_q, names_q) = query(corpus, me, &|_| true, acc);
    let open = filter.is_open();
    let admit = |d: u32| open || corpus.passes(filter, me, d);
    // Enough candidates for k groups even when copies crowd the top.
    let mut wanted = (k + 1) * 4 + 16;
    let names_weight = corpus.options().names_weight;
    accumulate(corpus, &words_q, &names_q, names_weight, acc);
    loop {
        let found = best(corpus, me, acc, wanted, false, &admit);
        let exhausted = found.len() < wanted;
        let ranked = story_first(corpus, me, found, same_story, acc, &admit);
        let shown = group_copies(corpus, me, &ranked, k, &words_q, &names_q);
        if shown.len() >= k || exhausted {
            return shown;
        }
        wanted *= 4;
    }
}

/// Final scores (0..1) and order: the normalised score, plus
/// `story_weight` for an article of the same story, over 1 + that
/// weight. Story articles that matched the query but fell outside the
/// candidates join them first, so a boost can lift any of them.
fn story_first<C: Corpus + ?Sized>(
    corpus: &C,
    me: u32,
    mut candidates: Vec<(u32, f32)>,
    same_story: &[u32],
    acc: &Accumulator,
    admit: &dyn Fn(u32) -> bool,
) -> Vec<(u32, Score)> {
    let o = corpus.options();
    // Without another article of the story there is nothing to boost,
    // and scores keep the plain scale.
    let weight = if same_story.iter().any(|&d| d != me) {
        o.story_weight.max(0.0)
    } else {
        0.0
    };
    for &d in same_story {
        if d != me && acc.score(d) > 0.0 && admit(d) && !candidates.iter().any(|c| c.0 == d) {
            candidates.push((d, score_of(corpus, me, d, acc)));
        }
    }
    let max_score = 1.0 + o.names_weight;
    let mut ranked: Vec<(u32, Score, Cow<'_, str>)> = candidates
        .into_iter()
        .map(|(d, s)| {
            let in_story = same_story.contains(&d);
            let boost = if in_story { weight } else { 0.0 };
            let value = ((s / max_score).min(1.0) + boost) / (1.0 + weight);
            (d, Score { value, in_story }, corpus.id(d))
        })
        .collect();
    ranked.sort_by(|a, b| b.1.value.total_cmp(&a.1.value).then_with(|| a.2.cmp(&b.2)));
    ranked.into_iter().map(|(d, s, _)| (d, s)).collect()
}

/// Adds every document's score for the query to `acc`: words cosine plus
/// `names_weight` times names cosine. Where postings are unscaled, the
/// words sums are scaled once all are in ([`scale_words`]) and names
/// postings as they are read, a run's lengths at a time: names are about a
/// fifth of the postings, and a second array to sum them apart cost a
/// fresh process more (4 MB more to fault in at a million articles) than
/// the reads it spared.
fn accumulate<C: Corpus + ?Sized>(
    corpus: &C,
    words_q: &[(u32, f32)],
    names_q: &[(u32, f32)],
    names_weight: f32,
    acc: &mut Accumulator,
) {
    let unscaled = corpus.unscaled();
    let (scores, listed) = (acc.scores.as_mut_slice(), acc.listed.as_mut_slice());
    for &(t, qw) in words_q {
        corpus.postings(SpaceKind::Words, t, &mut |run: &[Posting]| {
            add_run(scores, listed, run, qw)
        });
    }
    if unscaled {
        scale_words(corpus, scores, listed);
    }
    let (mut docs, mut factors) = (Vec::new(), Vec::new());
    for &(t, qw) in names_q {
        let qw = qw * names_weight;
        corpus.postings(SpaceKind::Names, t, &mut |run: &[Posting]| {
            if !unscaled {
                return add_run(scores, listed, run, qw);
            }
            docs.clear();
            docs.extend(run.iter().map(|&(d, _)| d));
            corpus.scales(SpaceKind::Names, &docs, &mut factors);
            add_scaled_run(scores, listed, run, qw, factors.iter().copied());
        });
    }
}

/// Turns the unscaled words sums of the touched documents into words
/// cosines: each times its words factor.
fn scale_words<C: Corpus + ?Sized>(corpus: &C, scores: &mut [f32], listed: &[u64]) {
    // A few thousand documents at a time, in ascending order (a run of
    // reads per segment then goes forward): buffers as long as the touched
    // documents (hundreds of thousands at a million articles) cost a page
    // fault per page in a fresh process.
    let (mut chunk, mut factors) = (Vec::with_capacity(SCALED_AT_ONCE), Vec::new());
    let mut scale = |chunk: &mut Vec<u32>| {
        corpus.scales(SpaceKind::Words, chunk, &mut factors);
        for (&d, &factor) in chunk.iter().zip(&factors) {
            scores[d as usize] *= factor;
        }
        chunk.clear();
    };
    each_touched(listed, |d| {
        chunk.push(d);
        if chunk.len() == SCALED_AT_ONCE {
            scale(&mut chunk);
        }
    });
    if !chunk.is_empty() {
        scale(&mut chunk);
    }
}

/// How many documents [`scale_words`] scales at once.
const SCALED_AT_ONCE: usize = 4096;

fn score_of<C: Corpus + ?Sized>(corpus: &C, me: u32, doc: u32, acc: &Accumulator) -> f32 {
    let source_factor = if corpus.same_source(me, doc) {
        corpus.options().same_source_factor
    } else {
        1.0
    };
    acc.score(doc) * time_factor(corpus, me, doc) * source_factor
}

/// The `n` best-scoring documents (never the article itself; without its
/// copies when `skip_copies`), best first, ties by id.
fn best<C: Corpus + ?Sized>(
    corpus: &C,
    me: u32,
    acc: &Accumulator,
    n: usize,
    skip_copies: bool,
    admit: &dyn Fn(u32) -> bool,
) -> Vec<(u32, f32)> {
    let my_group = corpus.group(me);
    let eligible = |d: u32| d != me && !(skip_copies && corpus.group(d) == my_group) && admit(d);
    let scores = acc.scores.as_slice();
    let raw = |d: u32| scores[d as usize];
    // The date and source factors only scale scores down, by at most
    // their own floors; so the best `n` can only come from raw scores at
    // or above `floor` times the n-th best raw score. One pass over the
    // touched documents (hundreds of thousands at a million articles)
    // finds that score with a small heap and keeps the documents at or
    // above `floor` times the n-th best so far: the score only rises, so
    // they hold every document above the final cut.
    let o = corpus.options();
    let floor = (1.0 - o.time_weight) * o.same_source_factor.min(1.0);
    let mut top = TopScores::new(n);
    let mut candidates = Vec::new();
    let mut kept_from = top.nth() * floor;
    acc.each_touched(|d| {
        let s = raw(d);
        // The cheap test first: most documents are not near the top.
        if s >= kept_from && eligible(d) {
            if top.admits(s) {
                top.push(s);
                kept_from = top.nth() * floor;
            }
            candidates.push(d);
        }
    });
    let cut = top.nth() * floor;
    let mut scored: Vec<(u32, f32)> = candidates
        .into_iter()
        .filter(|&d| raw(d) >= cut)
        .map(|d| (d, score_of(corpus, me, d, acc)))
        .collect();
    // Ids are read only to break ties: reading one from the index costs
    // more than scoring, and hundreds of documents can pass the cut.
    let order = |a: &(u32, f32), b: &(u32, f32)| {
        b.1.total_cmp(&a.1)
            .then_with(|| corpus.id(a.0).cmp(&corpus.id(b.0)))
    };
    if scored.len() > n {
        scored.select_nth_unstable_by(n, order);
        scored.truncate(n);
    }
    scored.sort_by(order);
    scored
}

/// 1 for the same day (or an unknown date), falling towards
/// `1 - time_weight` as the gap grows.
fn time_factor<C: Corpus + ?Sized>(corpus: &C, a: u32, b: u32) -> f32 {
    match days_between(corpus.day(a), corpus.day(b)) {
        Some(days) => {
            let o = corpus.options();
            let decay = 0.5f32.powf(days.unsigned_abs() as f32 / o.time_half_life_days.max(f32::EPSILON));
            1.0 - o.time_weight + o.time_weight * decay
        }
        None => 1.0,
    }
}

/// Keeps the best member of each near-duplicate group, up to `k` groups;
/// each shown item names the other members of its group.
fn group_copies<C: Corpus + ?Sized>(
    corpus: &C,
    me: u32,
    best: &[(u32, Score)],
    k: usize,
    words_q: &[(u32, f32)],
    names_q: &[(u32, f32)],
) -> Vec<SimilarPost> {
    let mut shown: Vec<SimilarPost> = Vec::new();
    let mut seen_groups: Vec<u64> = Vec::new();
    let my_id = corpus.id(me);
    let my_group = corpus.group(me);
    for &(doc, score) in best {
        let group = corpus.group(doc);
        if seen_groups.contains(&group) {
            continue;
        }
        seen_groups.push(group);
        let mut duplicates = corpus.copies_of(doc);
        duplicates.retain(|d| *d != my_id);
        let (title, published) = corpus.title_and_date(doc);
        shown.push(SimilarPost {
            id: corpus.id(doc).into_owned(),
            title,
            published,
            score: score.value,
            why: Why {
                names: corpus.shared_terms(SpaceKind::Names, doc, names_q, WHY_TERMS),
                terms: corpus.shared_terms(SpaceKind::Words, doc, words_q, WHY_TERMS),
                days_apart: days_between(corpus.day(me), corpus.day(doc)),
                words_score: corpus.dot(SpaceKind::Words, doc, words_q),
                names_score: corpus.dot(SpaceKind::Names, doc, names_q),
                time_factor: time_factor(corpus, me, doc),
                near_duplicate: group == my_group,
                same_story: score.in_story,
            },
            duplicates,
        });
        if shown.len() == k {
            break;
        }
    }
    shown
}

impl ArticleIndex {
    /// The `k` best Similar Posts of the stored article `id`, or `None` when
    /// the index does not hold it.
    pub fn similar(&self, id: &str, k: usize) -> Option<SimilarPosts> {
        self.similar_filtered(id, k, &Filter::default())
    }

    /// Like [`ArticleIndex::similar`], showing only articles that pass `filter`.
    pub fn similar_filtered(&self, id: &str, k: usize, filter: &Filter) -> Option<SimilarPosts> {
        self.similar_in_story(id, k, filter, &[])
    }

    /// The documents most like `doc` among those `admit` lets in (never
    /// `doc` itself), with their scores on the Similar Posts scale (0..1),
    /// best first, copies not grouped: the raw material of stories, which
    /// may only look at articles already placed. Feedback documents for
    /// the query come from the admitted ones too. `names_weight` replaces
    /// the index's own for the scores (telling one event from another of
    /// the same kind leans on names more than ranking does).
    pub fn neighbours(
        &self,
        doc: u32,
        n: usize,
        names_weight: f32,
        admit: &dyn Fn(u32) -> bool,
    ) -> Vec<(u32, f32)> {
        neighbours(self, doc, n, names_weight, admit)
    }

    /// Like [`ArticleIndex::similar_filtered`], with the articles of `me`'s
    /// story (`same_story`, as the story layer knows it) ranked up by the
    /// `story_weight` option: the same story first.
    pub fn similar_in_story(
        &self,
        id: &str,
        k: usize,
        filter: &Filter,
        same_story: &[u32],
    ) -> Option<SimilarPosts> {
        let me = self.doc_of(id)?;
        Some(similar_posts(self, me, k, filter, same_story))
    }
}

impl Corpus for ArticleIndex {
    fn options(&self) -> &IndexOptions {
        &self.options
    }

    fn capacity(&self) -> usize {
        self.len()
    }

    fn id(&self, doc: u32) -> Cow<'_, str> {
        Cow::Borrowed(&self.doc(doc).id)
    }

    fn day(&self, doc: u32) -> Option<i32> {
        self.doc(doc).day
    }

    fn same_source(&self, a: u32, b: u32) -> bool {
        let (a, b) = (self.doc(a), self.doc(b));
        a.source_key.is_some() && a.source_key == b.source_key
    }

    fn passes(&self, filter: &Filter, me: u32, doc: u32) -> bool {
        filter.passes(self.doc(me), self.doc(doc))
    }

    fn group(&self, doc: u32) -> u64 {
        u64::from(self.canonical(doc))
    }

    fn copies_of(&self, doc: u32) -> Vec<String> {
        ArticleIndex::copies_of(self, doc)
    }

    fn title_and_date(&self, doc: u32) -> (String, Option<Published>) {
        let info = self.doc(doc);
        (info.title.clone(), info.published)
    }

    fn query(&self, space: SpaceKind, doc: u32, max_terms: usize) -> Query {
        self.space(space).query(doc, max_terms)
    }

    fn expand(
        &self,
        space: SpaceKind,
        query: &[(u32, f32)],
        feedback: &[u32],
        weight: f32,
        max_terms: usize,
    ) -> Query {
        let space = self.space(space);
        rocchio(
            query,
            feedback.iter().map(|&d| space.forward.row(d as usize)),
            weight,
            max_terms,
        )
    }

    fn postings(&self, space: SpaceKind, term: u32, each: &mut dyn FnMut(&[Posting])) {
        each(self.space(space).postings(term));
    }

    fn dot(&self, space: SpaceKind, doc: u32, query: &[(u32, f32)]) -> f32 {
        self.space(space).dot(doc, query)
    }

    fn shared_terms(&self, space: SpaceKind, doc: u32, query: &[(u32, f32)], max: usize) -> Vec<String> {
        self.space(space).shared_terms(doc, query, max)
    }
}

/// The `n` largest scores offered so far (a min-heap), for the `n`-th best.
struct TopScores {
    n: usize,
    heap: std::collections::BinaryHeap<std::cmp::Reverse<OrderedScore>>,
}

impl TopScores {
    fn new(n: usize) -> TopScores {
        TopScores {
            n,
            heap: std::collections::BinaryHeap::with_capacity(n + 1),
        }
    }

    /// Whether `score` would enter the best `n`.
    fn admits(&self, score: f32) -> bool {
        self.n > 0 && (self.heap.len() < self.n || self.heap.peek().is_some_and(|min| score > min.0 .0))
    }

    fn push(&mut self, score: f32) {
        self.heap.push(std::cmp::Reverse(OrderedScore(score)));
        if self.heap.len() > self.n {
            self.heap.pop();
        }
    }

    /// The `n`-th largest score offered (0 when fewer were; infinite for `n` = 0).
    fn nth(&self) -> f32 {
        match self.heap.peek() {
            _ if self.n == 0 => f32::INFINITY,
            Some(min) if self.heap.len() == self.n => min.0 .0,
            _ => 0.0,
        }
    }
}

/// An `f32` ordered by `total_cmp`, for the heap.
#[derive(PartialEq)]
struct OrderedScore(f32);

impl Eq for OrderedScore {}

impl PartialOrd for OrderedScore {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OrderedScore {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

pub(crate) fn days_between(from: Option<i32>, to: Option<i32>) -> Option<i64> {
    Some(i64::from(to?) - i64::from(from?))
}

#[cfg(test)]
mod tests {
    use crate::index::tests::article;
    use crate::{ArticleIndex, Filter, IndexOptions};
    use storyline_core::Published;

    fn corpus() -> ArticleIndex {
        let mut dated = article(
            "a",
            "Wagner mutiny ends",
            "Prigozhin halted the Wagner mutiny near Moscow after talks.",
        );
        dated.published = Published::parse("2023-06-24");
        let mut b = article(
            "b",
            "Prigozhin leaves for Belarus",
            "The Wagner chief Prigozhin left Russia for Belarus after the mutiny.",
        );
        b.published = Published::parse("2023-06-26");
        let mut b_copy = b.clone();
        b_copy.id = "b-copy".into();
        let mut a_copy = dated.clone();
        a_copy.id = "a-copy".into();
        ArticleIndex::build(
            vec![
                dated,
                b,
                b_copy,
                a_copy,
                article("c", "Rates rise", "The central bank raised interest rates again."),
                article(
                    "d",
                    "Wagner fighters move",
                    "Wagner fighters moved to camps in Belarus.",
                ),
            ],
            IndexOptions::default(),
        )
    }

    #[test]
    fn related_story_first_copies_grouped_unrelated_absent() {
        let idx = corpus();
        let mut s = idx.similar("a", 5).unwrap();
        let ids: Vec<_> = s.similar.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, vec!["a-copy", "b", "d"], "the bank story shares nothing");
        assert!(
            s.similar[0].why.near_duplicate,
            "the article's own copy comes first, marked"
        );
        assert!(s.similar[0].why.compact().starts_with("same report"));
        assert_eq!(s.duplicates, vec!["a-copy"]);
        s.similar.remove(0);
        assert!(!s.similar[0].why.near_duplicate);
        assert_eq!(s.similar[0].duplicates, vec!["b-copy"]);
        assert_eq!(s.similar[0].why.days_apart, Some(2));
        assert!(
            s.similar[0].why.compact().ends_with("2 days later"),
            "{}",
            s.similar[0].why.compact()
        );
        assert!(
            s.similar[0].why.names.contains(&"Prigozhin".to_string()),
            "{:?}",
            s.similar[0].why
        );
        assert!(s.similar[0].why.words_score > 0.0 && s.similar[0].why.names_score > 0.0);
        assert!(s.similar[0].why.time_factor < 1.0 && s.similar[0].why.time_factor > 0.8);
        assert!(s.similar[0].score > 0.0 && s.similar[0].score <= 1.0);
        assert!(s.similar[0].score >= s.similar[1].score);
    }

    #[test]
    fn k_limits_and_unknown_ids_are_none() {
        let idx = corpus();
        assert_eq!(idx.similar("a", 1).unwrap().similar.len(), 1);
        assert_eq!(
            idx.similar("a", 2).unwrap().similar[1].duplicates,
            vec!["b-copy"],
            "copies do not use up k"
        );
        assert!(idx.similar("nope", 5).is_none());
    }

    #[test]
    fn filters_limit_what_is_shown() {
        let idx = corpus();
        let window = Filter {
            max_days_apart: Some(1),
            ..Filter::default()
        };
        let ids: Vec<String> = idx
            .similar_filtered("a", 5, &window)
            .unwrap()
            .similar
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, vec!["a-copy"], "b is two days later, c and d undated");
        let french = Filter {
            lang: Some("fr".into()),
            ..Filter::default()
        };
        assert!(idx.similar_filtered("a", 5, &french).unwrap().similar.is_empty());
        let mut with_source = corpus_with_sources();
        let only = Filter {
            sources: vec!["wire two".into()],
            ..Filter::default()
        };
        let shown = with_source.similar_filtered("a", 5, &only).unwrap().similar;
        assert!(shown.iter().all(|p| p.id == "d"), "{shown:?}");
        let not = Filter {
            exclude_sources: vec!["Wire Two".into()],
            ..Filter::default()
        };
        assert!(with_source
            .similar_filtered("a", 5, &not)
            .unwrap()
            .similar
            .iter()
            .all(|p| p.id != "d"));
        with_source.options.same_source_factor = 0.0;
        let penalised = with_source.similar("a", 5).unwrap().similar;
        assert!(
            penalised.last().is_some_and(|p| p.id == "b"),
            "same source as a sinks to the end: {penalised:?}"
        );
    }

    fn corpus_with_sources() -> ArticleIndex {
        let mut a = article(
            "a",
            "Wagner mutiny ends",
            "Prigozhin halted the Wagner mutiny near Moscow after talks.",
        );
        a.source = Some("Wire One".into());
        let mut b = article(
            "b",
            "Prigozhin leaves for Belarus",
            "The Wagner chief Prigozhin left Russia for Belarus after the mutiny.",
        );
        b.source = Some("Wire One".into());
        let mut d = article(
            "d",
            "Wagner fighters move",
            "Wagner fighters moved to camps in Belarus.",
        );
        d.source = Some("Wire Two".into());
        ArticleIndex::build(vec![a, b, d], IndexOptions::default())
    }

    #[test]
    fn the_same_story_comes_first_and_says_so() {
        let mut idx = corpus();
        idx.options.story_weight = 1.0;
        let plain = idx.similar("a", 5).unwrap();
        let ids: Vec<&str> = plain.similar.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, vec!["a-copy", "b", "d"]);
        assert!(plain.similar.iter().all(|p| !p.why.same_story));
        // Say d is in a's story (as a's copy is) and b is not: d moves above b.
        let story = [
            idx.doc_of("a").unwrap(),
            idx.doc_of("a-copy").unwrap(),
            idx.doc_of("d").unwrap(),
        ];
        let boosted = idx.similar_in_story("a", 5, &Filter::default(), &story).unwrap();
        let ids: Vec<&str> = boosted.similar.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, vec!["a-copy", "d", "b"]);
        let d = &boosted.similar[1];
        assert!(d.why.same_story && d.score <= 1.0 && boosted.similar[0].why.same_story);
        assert!(!boosted.similar[2].why.same_story);
        // A story of the article alone changes nothing.
        let alone = idx
            .similar_in_story("a", 5, &Filter::default(), &story[..1])
            .unwrap();
        assert_eq!(alone, plain);
    }

    #[test]
    fn top_scores_keep_the_nth_best() {
        let mut top = super::TopScores::new(2);
        assert_eq!(top.nth(), 0.0, "fewer than n offered");
        for v in [0.1, 0.7, 0.3, 0.9] {
            if top.admits(v) {
                top.push(v);
            }
        }
        assert_eq!(top.nth(), 0.7);
        assert!(!top.admits(0.5) && top.admits(0.8));
        assert_eq!(super::TopScores::new(0).nth(), f32::INFINITY);
    }

    #[test]
    fn best_is_the_n_best_of_every_touched_document() {
        // Scores spread so the date and source factors reorder them, and
        // ties, so ids must break them.
        let articles: Vec<_> = (0..300)
            .map(|i| {
                let mut a = article(&format!("n{i:03}"), "Title", "Some text of the article.");
                a.published = Published::parse(&format!("2023-{:02}-{:02}", 1 + i % 12, 1 + i % 28));
                a.source = Some(format!("source-{}", i % 7));
                a
            })
            .collect();
        let idx = ArticleIndex::build(articles, IndexOptions::default());
        let mut acc = super::Accumulator::default();
        acc.prepare(super::Corpus::capacity(&idx));
        let mut state = 7u64;
        for d in 0..300u32 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            if state >> 62 == 0 {
                continue; // untouched
            }
            let score = ((state >> 40) % 50) as f32 / 50.0;
            acc.scores.as_mut_slice()[d as usize] = score;
            acc.listed.as_mut_slice()[d as usize / 64] |= 1 << (d % 64);
        }
        let me = 3;
        for n in [0, 1, 5, 40, 300] {
            let found = super::best(&idx, me, &acc, n, false, &|d| d % 11 != 0);
            let mut every: Vec<(u32, f32)> = Vec::new();
            acc.each_touched(|d| {
                if d != me && d % 11 != 0 {
                    every.push((d, super::score_of(&idx, me, d, &acc)));
                }
            });
            every.sort_by(|a, b| {
                b.1.total_cmp(&a.1)
                    .then_with(|| super::Corpus::id(&idx, a.0).cmp(&super::Corpus::id(&idx, b.0)))
            });
            every.truncate(n);
            assert_eq!(found, every, "n = {n}");
        }
    }

    #[test]
    fn output_is_deterministic() {
        let a = serde_json::to_string(&corpus().similar("d", 5)).unwrap();
        let b = serde_json::to_string(&corpus().similar("d", 5)).unwrap();
        assert_eq!(a, b);
    }
}
