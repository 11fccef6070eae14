//! The article index: TF-IDF vectors in two spaces, words and names, with
//! postings for fast "more like this" queries.
//!
//! What each article counts in each space is `article_terms`' business.
//! Names tell apart two stories of the same kind: two earthquakes share
//! words, not places; numbers and codes (years, magnitudes, bulletin
//! numbers) join them. Each space uses sublinear tf (1 + ln tf) times idf
//! (ln(N/df) + 1), L2-normalised, so the dot product of two documents is
//! their cosine.
//!
//! The index is built from a store in one pass and replaced, not patched,
//! when the store changes; it is derived data.

use crate::article_terms::{tf_idf, Counted, SpaceKind};
use crate::near_duplicates::{CopyRule, NearDuplicates, Signature};
use crate::similar::{contributions, readable, strongest};
use rustc_hash::FxHashMap;
use std::collections::HashMap;
use std::sync::Arc;
use storyline_core::parallel::map_in_order;
use storyline_core::{Article, EntityTerm, Published};

/// Field weights, blend weights and query size. The defaults were chosen on
/// `ecbplus-dev` (see README, "Similar Posts").
#[derive(Debug, Clone)]
pub struct IndexOptions {
    pub title_weight: f32,
    pub lead_weight: f32,
    pub body_weight: f32,
    /// Weight of the names cosine added to the words cosine.
    pub names_weight: f32,
    /// How many of an article's strongest terms (per space) form its query.
    pub query_terms: usize,
    /// Share of the score that decays with the publication-date gap.
    pub time_weight: f32,
    /// Days after which the decaying share is halved.
    pub time_half_life_days: f32,
    /// Pseudo-relevance feedback: how many first-pass results expand the query (0: off).
    pub feedback_docs: usize,
    /// Weight of the feedback documents' mean vector in the expanded query.
    pub feedback_weight: f32,
    /// Query size (per space) of the first pass that finds the feedback documents.
    pub first_pass_terms: usize,
    /// Query size (per space) after expansion.
    pub expanded_terms: usize,
    /// Estimated shingle Jaccard at which two texts are near-duplicates.
    pub near_duplicate_threshold: f32,
    /// Share of their capitalised words and numbers two near-duplicates
    /// must share (templated notices share only the template's).
    pub near_duplicate_specifics: f32,
    /// Days apart two dated near-duplicates may be published, at most.
    pub near_duplicate_days: u32,
    /// Terms in more than this share of documents (and more than 1,000) are
    /// not used in queries: they say little and cost long posting lists.
    pub max_df_ratio: f32,
    /// Score factor for an article from the same source as the one it is
    /// compared with (1: no penalty; below 1 favours other outlets).
    pub same_source_factor: f32,
    /// Bonus (on the 0..1 score scale) for an article of the same story,
    /// when the caller says which articles those are.
    pub story_weight: f32,
    /// How much one mention of a linked entity counts in the names space,
    /// beside one capitalised phrase (0: linked entities are not used).
    pub entity_weight: f32,
    /// Whether a capitalised phrase that names a linked entity is left to
    /// the entity's id (1) or counted as well (0).
    pub entities_replace_names: f32,
}

/// Articles counted at once while building (bounds what waits, counted,
/// to be joined to the vocabulary).
const COUNT_CHUNK: usize = 4_096;

/// However small the corpus, a term is only dropped from queries above this many documents.
pub(crate) const MIN_MAX_DF: usize = 1_000;

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            title_weight: 2.0,
            lead_weight: 1.5,
            body_weight: 1.0,
            names_weight: 0.5,
            query_terms: 120,
            time_weight: 0.2,
            time_half_life_days: 30.0,
            feedback_docs: 3,
            feedback_weight: 0.5,
            first_pass_terms: 60,
            expanded_terms: 150,
            near_duplicate_threshold: crate::near_duplicates::DEFAULT_THRESHOLD,
            near_duplicate_specifics: crate::near_duplicates::DEFAULT_SPECIFICS_THRESHOLD,
            near_duplicate_days: crate::near_duplicates::DEFAULT_MAX_DAYS_APART,
            max_df_ratio: 0.01,
            same_source_factor: 1.0,
            story_weight: 0.2,
            entity_weight: 1.0,
            entities_replace_names: 0.0,
        }
    }
}

impl IndexOptions {
    /// Sets one option by name (`names_weight=0.5`), for tuning runs.
    pub fn set(&mut self, assignment: &str) -> Result<(), String> {
        let (key, value) = storyline_core::tuning::numeric_assignment(assignment)?;
        match key {
            "title_weight" => self.title_weight = value,
            "lead_weight" => self.lead_weight = value,
            "body_weight" => self.body_weight = value,
            "names_weight" => self.names_weight = value,
            "query_terms" => self.query_terms = value as usize,
            "time_weight" => self.time_weight = value,
            "time_half_life_days" => self.time_half_life_days = value,
            "feedback_docs" => self.feedback_docs = value as usize,
            "feedback_weight" => self.feedback_weight = value,
            "first_pass_terms" => self.first_pass_terms = value as usize,
            "expanded_terms" => self.expanded_terms = value as usize,
            "near_duplicate_threshold" => self.near_duplicate_threshold = value,
            "near_duplicate_specifics" => self.near_duplicate_specifics = value,
            "near_duplicate_days" => self.near_duplicate_days = value as u32,
            "max_df_ratio" => self.max_df_ratio = value,
            "same_source_factor" => self.same_source_factor = value,
            "story_weight" => self.story_weight = value,
            "entity_weight" => self.entity_weight = value,
            "entities_replace_names" => self.entities_replace_names = value,
            other => return Err(format!("unknown option {other:?}")),
        }
        Ok(())
    }
}

/// What the index keeps of an article besides its vectors.
#[derive(Debug, Clone)]
pub struct DocInfo {
    pub id: String,
    pub title: String,
    pub published: Option<Published>,
    /// Shared with every other article of the source (one allocation per source).
    pub source: Option<Arc<str>>,
    /// Shared likewise, one allocation per language.
    pub lang: Option<Arc<str>>,
    /// The publication day as days since 1970-01-01, for cheap date gaps.
    pub day: Option<i32>,
    /// The source as a small number (equal sources, equal numbers), for cheap comparisons.
    pub source_key: Option<u32>,
}

/// Rows of `(column, weight)` pairs stored end to end (compressed sparse
/// rows): one allocation for a whole matrix instead of one per row, which at
/// 100,000 articles is the difference between fitting in memory and not.
#[derive(Default)]
pub(crate) struct Rows {
    starts: Vec<usize>,
    entries: Vec<(u32, f32)>,
}

impl Rows {
    fn push(&mut self, row: impl IntoIterator<Item = (u32, f32)>) {
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        self.entries.extend(row);
        self.starts.push(self.entries.len());
    }

    fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    pub(crate) fn row(&self, i: usize) -> &[(u32, f32)] {
        &self.entries[self.starts[i]..self.starts[i + 1]]
    }
}

/// One vector space: a vocabulary, per-document vectors and postings.
#[derive(Default)]
pub(crate) struct Space {
    term_ids: FxHashMap<String, u32>,
    /// A readable form of each term (the first surface form seen).
    surface: Vec<String>,
    /// Documents containing each term.
    df: Vec<u32>,
    /// Doc → (term, weight), terms ascending: raw counts until `finish`,
    /// then normalised tf-idf of the useful terms only (see `useful`).
    pub(crate) forward: Rows,
    /// Term → (doc, normalised weight), docs ascending; empty for terms
    /// that are not useful.
    postings: Rows,
    /// Terms in more documents than this are left out of queries.
    max_df: usize,
}

impl Space {
    /// Adds one document from its counted terms, giving each new term an
    /// id (and its first surface form) in the order the terms came.
    fn push_counted<'a>(&mut self, terms: impl Iterator<Item = (&'a str, &'a str, f32)>) {
        let mut row: Vec<(u32, f32)> = Vec::with_capacity(terms.size_hint().0);
        for (term, surface, weight) in terms {
            let t = match self.term_ids.get(term) {
                Some(&t) => t,
                None => {
                    let t = self.surface.len() as u32;
                    self.term_ids.insert(term.to_string(), t);
                    self.surface.push(surface.to_string());
                    self.df.push(0);
                    t
                }
            };
            self.df[t as usize] += 1;
            row.push((t, weight));
        }
        row.sort_unstable_by_key(|&(t, _)| t);
        self.forward.push(row);
    }

    /// Turns counts into normalised tf-idf, then drops the terms that can
    /// never link two documents (see `useful`) from both directions: they
    /// count towards each vector's length but are never queried, and they
    /// hold most of the entries.
    fn finish(&mut self, max_df_ratio: f32) {
        let docs = self.forward.len();
        let n = docs as f32;
        self.max_df = ((n * max_df_ratio) as usize).max(MIN_MAX_DF);
        // In place: each row is weighted, normalised and cut down where it
        // lies, so the vectors never exist twice.
        let Rows { starts, mut entries } = std::mem::take(&mut self.forward);
        let mut kept = Rows {
            starts: Vec::with_capacity(starts.len()),
            entries: Vec::new(),
        };
        kept.starts.push(0);
        let mut write = 0;
        for d in 0..docs {
            let row = starts[d]..starts[d + 1];
            let weight = |t: u32, tf: f32| tf_idf(tf, n, self.df[t as usize] as f32);
            let norm = entries[row.clone()]
                .iter()
                .map(|&(t, tf)| weight(t, tf).powi(2))
                .sum::<f32>()
                .sqrt()
                .max(f32::EPSILON);
            for i in row {
                let (t, tf) = entries[i];
                if self.useful(t) {
                    entries[write] = (t, weight(t, tf) / norm);
                    write += 1;
                }
            }
            kept.starts.push(write);
        }
        entries.truncate(write);
        entries.shrink_to_fit();
        kept.entries = entries;
        self.forward = kept;
        self.postings = self.transpose();
    }

    /// Postings from the forward rows, each list sized exactly.
    fn transpose(&self) -> Rows {
        let terms = self.df.len();
        let mut starts = vec![0usize; terms + 1];
        for &(t, _) in &self.forward.entries {
            starts[t as usize + 1] += 1;
        }
        for t in 0..terms {
            starts[t + 1] += starts[t];
        }
        let mut fill = starts.clone();
        let mut entries = vec![(0u32, 0f32); self.forward.entries.len()];
        for d in 0..self.forward.len() {
            for &(t, w) in self.forward.row(d) {
                entries[fill[t as usize]] = (d as u32, w);
                fill[t as usize] += 1;
            }
        }
        Rows { starts, entries }
    }

    /// Whether a term can link documents: it occurs elsewhere, and not in so
    /// many documents that it says nothing (and would cost a long posting list).
    fn useful(&self, term: u32) -> bool {
        let df = self.df[term as usize] as usize;
        df > 1 && df <= self.max_df
    }

    /// The strongest `max_terms` useful terms of a document.
    pub(crate) fn query(&self, doc: u32, max_terms: usize) -> Vec<(u32, f32)> {
        strongest(self.forward.row(doc as usize).to_vec(), max_terms)
    }

    /// The documents containing `term`, with its weight in each.
    pub(crate) fn postings(&self, term: u32) -> &[(u32, f32)] {
        self.postings.row(term as usize)
    }

    /// The dot product of `doc`'s vector with `query`.
    pub(crate) fn dot(&self, doc: u32, query: &[(u32, f32)]) -> f32 {
        let row = self.forward.row(doc as usize);
        query
            .iter()
            .filter_map(|&(t, qw)| {
                row.binary_search_by_key(&t, |&(rt, _)| rt)
                    .ok()
                    .map(|i| qw * row[i].1)
            })
            .sum()
    }

    pub(crate) fn surface(&self, term: u32) -> &str {
        &self.surface[term as usize]
    }

    /// Whether a term is a number or code ("2013", "MS08-078") rather than
    /// a name: names never hold digits, numbers always do.
    fn is_number(&self, term: u32) -> bool {
        self.surface(term).chars().any(|c| c.is_ascii_digit())
    }

    /// The readable forms of the query terms `doc` contains, strongest
    /// contribution (query weight × document weight) first.
    pub(crate) fn shared_terms(&self, doc: u32, query: &[(u32, f32)], max: usize) -> Vec<String> {
        let shared = contributions(self.forward.row(doc as usize), query);
        self.readable(shared.iter().map(|&(t, _)| t), max)
    }

    /// The readable forms of `terms` in order, each once, at most `max`.
    pub(crate) fn readable(&self, terms: impl Iterator<Item = u32>, max: usize) -> Vec<String> {
        readable(terms.map(|t| self.surface(t)), max)
    }
}

pub struct ArticleIndex {
    pub(crate) options: IndexOptions,
    docs: Vec<DocInfo>,
    by_id: FxHashMap<String, u32>,
    pub(crate) words: Space,
    pub(crate) names: Space,
    /// MinHash signatures, kept only while building.
    signatures: Vec<Signature>,
    /// For each document, the canonical member of its near-duplicate group.
    canonical: Vec<u32>,
    /// Canonical member → every member, for groups of two or more.
    groups: HashMap<u32, Vec<u32>>,
    source_keys: HashMap<String, u32>,
    /// One shared copy of each source and language name.
    interned: HashMap<String, Arc<str>>,
}

impl ArticleIndex {
    /// Indexes `articles`; a repeated id is indexed once (the first time).
    pub fn build(articles: impl IntoIterator<Item = Article>, options: IndexOptions) -> ArticleIndex {
        Self::build_linked(articles.into_iter().map(|a| (a, Vec::new())), options)
    }

    /// Indexes `articles` with the linked entities each names: their ids
    /// join the names space beside the capitalised phrases.
    pub fn build_linked(
        articles: impl IntoIterator<Item = (Article, Vec<EntityTerm>)>,
        options: IndexOptions,
    ) -> ArticleIndex {
        let mut index = ArticleIndex::empty(options);
        // Counting an article's terms (tokenising, stemming, finding
        // names) is most of the work and needs nothing shared: it runs on
        // every core, a bounded chunk at a time; the vocabulary is joined
        // in the articles' order, so the index is the one a single thread
        // builds.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut articles = articles.into_iter().peekable();
        while articles.peek().is_some() {
            let chunk: Vec<(Article, Vec<EntityTerm>)> = articles.by_ref().take(COUNT_CHUNK).collect();
            let counted = map_in_order(&chunk, threads, |(a, entities)| {
                Counted::of(&index.options, a, entities)
            });
            for ((a, _), counted) in chunk.iter().zip(&counted) {
                index.add(a, counted);
            }
        }
        index.finished()
    }

    /// Indexes articles whose terms were counted already ([`Counted::of`]
    /// with these `options`): for builds over overlapping sets of
    /// articles (story placing's windows), which count each article once.
    pub fn build_counted<'a>(
        articles: impl IntoIterator<Item = (&'a Article, &'a Counted)>,
        options: IndexOptions,
    ) -> ArticleIndex {
        let mut index = ArticleIndex::empty(options);
        for (a, counted) in articles {
            index.add(a, counted);
        }
        index.finished()
    }

    fn empty(options: IndexOptions) -> ArticleIndex {
        ArticleIndex {
            options,
            docs: Vec::new(),
            by_id: FxHashMap::default(),
            words: Space::default(),
            names: Space::default(),
            signatures: Vec::new(),
            canonical: Vec::new(),
            groups: HashMap::new(),
            source_keys: HashMap::new(),
            interned: HashMap::new(),
        }
    }

    /// The index once every document is added: near-duplicate groups
    /// found, vectors weighted and normalised.
    fn finished(self) -> ArticleIndex {
        let mut index = self;
        let docs = &index.docs;
        let rule = CopyRule {
            threshold: index.options.near_duplicate_threshold,
            specifics: index.options.near_duplicate_specifics,
            max_days_apart: index.options.near_duplicate_days,
        };
        index.canonical = NearDuplicates::find(
            &index.signatures,
            &rule,
            |d| docs[d as usize].day,
            |d| {
                let info = &docs[d as usize];
                (
                    info.published.is_none(),
                    info.published.map(|p| p.sort_key()),
                    info.id.clone(),
                )
            },
        )
        .canonical;
        // Signatures go before the spaces are finished: that step briefly
        // holds two copies of the vectors and sets the index's peak memory.
        index.signatures = Vec::new();
        index.words.finish(index.options.max_df_ratio);
        index.names.finish(index.options.max_df_ratio);
        for (doc, &c) in index.canonical.iter().enumerate() {
            if c as usize != doc || index.groups.contains_key(&c) {
                index.groups.entry(c).or_default().push(doc as u32);
            }
        }
        for (&c, members) in index.groups.iter_mut() {
            if !members.contains(&c) {
                members.push(c);
            }
            members.sort_unstable();
        }
        index
    }

    fn add(&mut self, a: &Article, counted: &Counted) {
        if self.by_id.contains_key(&a.id) {
            return;
        }
        self.words.push_counted(counted.terms(SpaceKind::Words));
        self.names.push_counted(counted.terms(SpaceKind::Names));
        self.signatures.push(counted.signature.clone());
        self.by_id.insert(a.id.clone(), self.docs.len() as u32);
        let source = a.source.as_deref().map(|s| self.intern(s));
        let lang = a.lang.as_deref().map(|s| self.intern(s));
        self.docs.push(DocInfo {
            id: a.id.clone(),
            title: a.title.clone(),
            published: a.published,
            source,
            lang,
            day: a.published.map(|p| p.day_number()),
            source_key: a.source.as_ref().map(|s| {
                let next = self.source_keys.len() as u32;
                *self.source_keys.entry(s.clone()).or_insert(next)
            }),
        });
    }

    fn intern(&mut self, s: &str) -> Arc<str> {
        if let Some(shared) = self.interned.get(s) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(s);
        self.interned.insert(s.to_string(), shared.clone());
        shared
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    pub fn doc(&self, doc: u32) -> &DocInfo {
        &self.docs[doc as usize]
    }

    pub(crate) fn space(&self, kind: SpaceKind) -> &Space {
        match kind {
            SpaceKind::Words => &self.words,
            SpaceKind::Names => &self.names,
        }
    }

    pub fn doc_of(&self, id: &str) -> Option<u32> {
        self.by_id.get(id).copied()
    }

    /// The canonical member of `doc`'s near-duplicate group (`doc` itself when it has no copies).
    pub fn canonical(&self, doc: u32) -> u32 {
        self.canonical[doc as usize]
    }

    /// How many near-duplicate groups (of two or more) there are, and the
    /// size of the largest.
    pub fn copy_groups(&self) -> (usize, usize) {
        (
            self.groups.len(),
            self.groups.values().map(Vec::len).max().unwrap_or(0),
        )
    }

    /// Every member of `doc`'s near-duplicate group (empty when it has no copies).
    pub fn group_members(&self, doc: u32) -> &[u32] {
        self.groups.get(&self.canonical(doc)).map_or(&[], Vec::as_slice)
    }

    /// The names that weigh most across `docs` (summed weights, readable
    /// forms, numbers left out), strongest first.
    pub fn key_names(&self, docs: &[u32], n: usize) -> Vec<String> {
        let mut sums: FxHashMap<u32, f32> = FxHashMap::default();
        for &d in docs {
            for &(t, w) in self.names.forward.row(d as usize) {
                *sums.entry(t).or_default() += w;
            }
        }
        let mut ranked: Vec<(u32, f32)> = sums
            .into_iter()
            .filter(|&(t, _)| !self.names.is_number(t))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        self.names.readable(ranked.into_iter().map(|(t, _)| t), n)
    }

    /// Of `docs`, the one closest to their mean vector (words plus weighted
    /// names): the most representative of a group. Ties go to the earlier.
    pub fn most_central(&self, docs: &[u32]) -> Option<u32> {
        let mean = |space: &Space| {
            let mut sums: FxHashMap<u32, f32> = FxHashMap::default();
            for &d in docs {
                for &(t, w) in space.forward.row(d as usize) {
                    *sums.entry(t).or_default() += w;
                }
            }
            sums
        };
        let (words, names) = (mean(&self.words), mean(&self.names));
        let closeness = |d: u32| {
            let dot = |space: &Space, m: &FxHashMap<u32, f32>| {
                space
                    .forward
                    .row(d as usize)
                    .iter()
                    .map(|(t, w)| w * m.get(t).copied().unwrap_or(0.0))
                    .sum::<f32>()
            };
            dot(&self.words, &words) + self.options.names_weight * dot(&self.names, &names)
        };
        docs.iter()
            .copied()
            .map(|d| (d, closeness(d)))
            .fold(None, |best: Option<(u32, f32)>, (d, c)| match best {
                Some((_, bc)) if bc >= c => best,
                _ => Some((d, c)),
            })
            .map(|(d, _)| d)
    }

    /// The other members of `doc`'s near-duplicate group, by id.
    pub fn copies_of(&self, doc: u32) -> Vec<String> {
        let Some(members) = self.groups.get(&self.canonical(doc)) else {
            return Vec::new();
        };
        let mut ids: Vec<String> = members
            .iter()
            .filter(|&&d| d != doc)
            .map(|&d| self.docs[d as usize].id.clone())
            .collect();
        ids.sort();
        ids
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use storyline_core::ArticleDraft;

    pub(crate) fn article(id: &str, title: &str, text: &str) -> Article {
        ArticleDraft {
            id: Some(id.into()),
            title: Some(title.into()),
            text: text.into(),
            lang: Some("en".into()),
            ..Default::default()
        }
        .finish()
        .unwrap()
    }

    #[test]
    fn options_are_set_by_name() {
        let mut o = IndexOptions::default();
        o.set("names_weight=0.75").unwrap();
        assert_eq!(o.names_weight, 0.75);
        assert!(o.set("nope=1").is_err());
        assert!(o.set("title_weight=x").is_err());
    }

    #[test]
    fn vectors_are_normalised_and_keep_only_shared_terms() {
        let idx = ArticleIndex::build(
            vec![
                article(
                    "a",
                    "Wagner mutiny ends",
                    "Prigozhin halted the mutiny near Moscow.",
                ),
                article(
                    "b",
                    "Prigozhin leaves",
                    "The Wagner chief Prigozhin left for Belarus.",
                ),
                article("c", "Rates rise", "The central bank raised interest rates."),
            ],
            IndexOptions::default(),
        );
        for d in 0..idx.len() {
            let v = idx.words.forward.row(d);
            let norm: f32 = v.iter().map(|(_, w)| w * w).sum();
            assert!(
                norm <= 1.0 + 1e-4,
                "unit vectors, less the terms no other document has"
            );
            assert!(v.iter().all(|&(t, _)| idx.words.df[t as usize] > 1));
        }
        let a = idx.doc_of("a").unwrap();
        let words: Vec<_> = idx
            .words
            .query(a, 10)
            .iter()
            .map(|&(t, _)| idx.words.surface(t).to_string())
            .collect();
        assert!(
            words.contains(&"wagner".to_string()) && words.contains(&"prigozhin".to_string()),
            "{words:?}"
        );
        assert!(
            !words.contains(&"mutiny".to_string()),
            "terms only in the query doc cannot match others"
        );
        let names: Vec<_> = idx
            .names
            .query(a, 10)
            .iter()
            .map(|&(t, _)| idx.names.surface(t).to_string())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    fn linked(id: &str, name: &str, forms: &[&str]) -> EntityTerm {
        EntityTerm {
            id: id.into(),
            name: name.into(),
            mentions: forms.len(),
            forms: forms.iter().map(|f| f.to_lowercase()).collect(),
        }
    }

    #[test]
    fn linked_entities_join_the_names_whatever_the_spelling() {
        let docs = || {
            vec![
                (
                    article("a", "Mutiny ends", "Yevgeny Prigozhin halted the march."),
                    vec![linked("ent-p", "Yevgeny Prigozhin", &["Yevgeny Prigozhin"])],
                ),
                (
                    article("b", "Exile", "Evgeniy Prigojine left for a neighbouring country."),
                    vec![linked("ent-p", "Yevgeny Prigozhin", &["Evgeniy Prigojine"])],
                ),
                (
                    article("c", "Rates rise", "The central bank raised rates."),
                    vec![],
                ),
            ]
        };
        let names = |options: IndexOptions| {
            let idx = ArticleIndex::build_linked(docs(), options);
            let (a, b) = (idx.doc_of("a").unwrap(), idx.doc_of("b").unwrap());
            let q = idx.names.query(a, 10);
            (idx.names.dot(b, &q), idx.names.shared_terms(b, &q, 5))
        };
        let (score, shared) = names(IndexOptions::default());
        assert!(score > 0.0, "{score}");
        assert_eq!(shared, ["Yevgeny Prigozhin"]);
        let off = IndexOptions {
            entity_weight: 0.0,
            ..Default::default()
        };
        assert_eq!(names(off).0, 0.0, "the spellings alone share nothing");
        let same_spelling = vec![
            (
                article("a", "Mutiny ends", "Prigozhin halted the march."),
                vec![linked("ent-p", "Yevgeny Prigozhin", &["Prigozhin"])],
            ),
            (
                article("b", "Exile", "Prigozhin left for a neighbouring country."),
                vec![linked("ent-p", "Yevgeny Prigozhin", &["Prigozhin"])],
            ),
        ];
        let replacing = IndexOptions {
            entities_replace_names: 1.0,
            ..Default::default()
        };
        let idx = ArticleIndex::build_linked(same_spelling, replacing);
        let a = idx.doc_of("a").unwrap();
        let surfaces: Vec<&str> = idx
            .names
            .forward
            .row(a as usize)
            .iter()
            .map(|&(t, _)| idx.names.surface(t))
            .collect();
        assert_eq!(
            surfaces,
            ["Yevgeny Prigozhin"],
            "only the entity, not its phrase again"
        );
    }
}
