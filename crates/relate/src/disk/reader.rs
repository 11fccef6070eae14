//! Reading the on-disk index: Similar Posts of a stored article, ranked by
//! the same code as the in-memory index (`similar`), over postings and
//! columns that stay on disk (memory-mapped), so opening it costs
//! milliseconds however many articles it holds. A query reads the
//! postings of its own terms (a block of 128 at a time), then the vector
//! length of each document it touched, once (in document order), and the
//! stored records of the few documents it looks into (itself, its
//! feedback documents, what it shows).
//!
//! Not here: writing (`writer`).

use super::schema::{key_of, source_key, Fields, StoredDoc, QUANTUM};
use super::writer::record_of;
use super::{DiskError, IndexProgress};
use crate::article_terms::{tf_idf, SpaceKind};
use crate::index::MIN_MAX_DF;
use crate::similar::{
    contributions, days_between, readable, rocchio, similar_posts, strongest, Corpus, Posting, Query,
};
use crate::{Filter, IndexOptions, SimilarPosts};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;
use storyline_core::Published;
use tantivy::columnar::{Column, StrColumn};
use tantivy::postings::TermInfo;
use tantivy::schema::IndexRecordOption;
use tantivy::store::StoreReader;
use tantivy::{
    DocSet, Index, IndexReader, InvertedIndexReader, ReloadPolicy, Searcher, SegmentReader, TantivyDocument,
    Term, TERMINATED,
};

/// The count part of a posting's weight, `1 + ln(tf)`, from the count
/// kept in [`QUANTUM`]s (as [`tf_idf`] weighs it).
fn sublinear_part(freq: u32) -> f32 {
    1.0 + (freq as f32 / QUANTUM).ln()
}

/// The on-disk index, opened for reading.
pub struct DiskIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    options: IndexOptions,
}

impl DiskIndex {
    /// Opens the index in `dir` (an empty one when there is none yet).
    pub fn open(dir: &Path, options: IndexOptions) -> Result<DiskIndex, DiskError> {
        Self::reading(super::open_or_create(dir, super::Access::Scattered)?, options)
    }

    /// Reads `index` (a writer's, say).
    pub fn reading(index: Index, options: IndexOptions) -> Result<DiskIndex, DiskError> {
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let (_, fields) = Fields::schema();
        Ok(DiskIndex {
            index,
            reader,
            fields,
            options,
        })
    }

    /// Sees what was committed since it was opened or last reloaded.
    pub fn reload(&self) -> Result<(), DiskError> {
        Ok(self.reader.reload()?)
    }

    /// Which committed state this reader sees: its segments and the
    /// documents deleted in each. Any commit that adds, replaces or merges
    /// documents changes it; reloading without one does not, so an answer
    /// kept for a version stays right while the version holds.
    pub fn version(&self) -> u64 {
        let searcher = self.reader.searcher();
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        for segment in searcher.segment_readers() {
            hasher.update(segment.segment_id().uuid_string().as_bytes());
            hasher.update(&segment.num_deleted_docs().to_le_bytes());
        }
        hasher.digest()
    }

    /// How far the committed index got.
    pub fn progress(&self) -> Result<IndexProgress, DiskError> {
        super::progress_of(&self.index)
    }

    /// Documents indexed.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether article `id` is indexed.
    pub fn contains(&self, id: &str) -> Result<bool, DiskError> {
        let searcher = self.reader.searcher();
        match View::open(self, &searcher)? {
            Some(view) => Ok(view.doc_of(id)?.is_some()),
            None => Ok(false),
        }
    }

    /// The `k` best Similar Posts of article `id`, those of `same_story`
    /// (ids) ranked up, showing only what passes `filter`; `None` when the
    /// index does not hold `id`.
    pub fn similar(
        &self,
        id: &str,
        k: usize,
        filter: &Filter,
        same_story: &[String],
    ) -> Result<Option<SimilarPosts>, DiskError> {
        let searcher = self.reader.searcher();
        let Some(view) = View::open(self, &searcher)? else {
            return Ok(None);
        };
        let Some(me) = view.doc_of(id)? else {
            return Ok(None);
        };
        let mut story = Vec::with_capacity(same_story.len());
        for other in same_story {
            story.extend(view.doc_of(other)?);
        }
        Ok(Some(similar_posts(&view, me, k, filter, &story)))
    }
}

impl DiskIndex {
    /// The near-duplicate group of article `id`: the article it was filed
    /// under as a copy (its group's first article; itself when it leads)
    /// and the group's other articles; `None` when the index does not hold
    /// `id`.
    pub fn copies(&self, id: &str) -> Result<Option<(String, Vec<String>)>, DiskError> {
        let searcher = self.reader.searcher();
        let Some(view) = View::open(self, &searcher)? else {
            return Ok(None);
        };
        let Some(me) = view.doc_of(id)? else {
            return Ok(None);
        };
        let group = view.group(me);
        let others = view.copies_of(me);
        let leader = others
            .iter()
            .find(|o| super::schema::key_of(o) == group)
            .cloned()
            .unwrap_or_else(|| id.to_string());
        Ok(Some((leader, others)))
    }
}

/// One segment as a query reads it; its documents are numbered from `base`.
struct Segment<'s> {
    base: u32,
    reader: &'s SegmentReader,
    inverted: [std::sync::Arc<InvertedIndexReader>; 2],
    group_postings: std::sync::Arc<InvertedIndexReader>,
    norms: [Column<f64>; 2],
    day: Column<i64>,
    group: Column<u64>,
    source: Column<u64>,
    lang: Column<u64>,
    ids: StrColumn,
    store: StoreReader,
}

/// A term a query has met: its space, document frequency and where its
/// postings are in each segment (looked up once: a lookup reads the
/// segment's term dictionary, and the query reads the postings of the
/// terms whose frequencies it took).
struct SeenTerm {
    kind: SpaceKind,
    df: f32,
    infos: Vec<Option<TermInfo>>,
}

/// The index as one query sees it: a searcher over the committed
/// segments, and what the query has looked up so far (terms are numbered
/// in the order it meets them; records are read once).
struct View<'i> {
    options: &'i IndexOptions,
    fields: Fields,
    segments: Vec<Segment<'i>>,
    n: f32,
    max_df: f32,
    /// `1 + ln(tf)` of the counts most postings hold (see [`QUANTUM`]).
    sublinear: [f32; 256],
    terms: RefCell<Vec<SeenTerm>>,
    /// Per space, the number of each term met (by key).
    term_ids: RefCell<[FxHashMap<String, u32>; 2]>,
    records: RefCell<FxHashMap<u32, Rc<StoredDoc>>>,
    vectors: RefCell<FxHashMap<(SpaceKind, u32), Rc<Vector>>>,
    /// Documents' vectors cut to the terms met when they were made, with
    /// how many terms that was (see [`View::vector_on_known`]).
    known: RefCell<FxHashMap<(SpaceKind, u32), KnownVector>>,
    /// [`Corpus::scales`]'s buffers: documents numbered in their segment,
    /// and their lengths.
    scaling: RefCell<(Vec<u32>, Vec<Option<f64>>)>,
}

/// A vector over the terms met, with how many had been met then.
type KnownVector = (usize, Rc<Vector>);

/// A document's vector in one space: useful terms ascending with their
/// normalised weights, and each term's readable form beside it.
struct Vector {
    weights: Vec<(u32, f32)>,
    surfaces: Vec<String>,
}

impl<'i> View<'i> {
    fn open(index: &'i DiskIndex, searcher: &'i Searcher) -> Result<Option<View<'i>>, DiskError> {
        if searcher.num_docs() == 0 {
            return Ok(None);
        }
        let fields = index.fields;
        let mut segments = Vec::new();
        let mut base = 0u32;
        for reader in searcher.segment_readers() {
            let fast = reader.fast_fields();
            segments.push(Segment {
                base,
                reader,
                inverted: [
                    reader.inverted_index(fields.words)?,
                    reader.inverted_index(fields.names)?,
                ],
                group_postings: reader.inverted_index(fields.group)?,
                norms: [fast.f64("words_norm")?, fast.f64("names_norm")?],
                day: fast.i64("day")?,
                group: fast.u64("group")?,
                source: fast.u64("source")?,
                lang: fast.u64("lang")?,
                ids: fast
                    .str("id")?
                    .ok_or_else(|| DiskError::Corrupt("no id column".into()))?,
                store: reader.get_store_reader(16)?,
            });
            base += reader.max_doc();
        }
        let n = searcher.num_docs() as f32;
        Ok(Some(View {
            options: &index.options,
            fields,
            max_df: ((n * index.options.max_df_ratio) as usize).max(MIN_MAX_DF) as f32,
            n,
            sublinear: std::array::from_fn(|freq| sublinear_part(freq as u32)),
            segments,
            terms: RefCell::default(),
            term_ids: RefCell::default(),
            records: RefCell::default(),
            vectors: RefCell::default(),
            known: RefCell::default(),
            scaling: RefCell::default(),
        }))
    }

    /// The segment holding `doc`, and its number there.
    fn locate(&self, doc: u32) -> (&Segment<'i>, u32) {
        let at = self.segments.partition_point(|s| s.base <= doc) - 1;
        let segment = &self.segments[at];
        (segment, doc - segment.base)
    }

    /// The live document of article `id`.
    fn doc_of(&self, id: &str) -> Result<Option<u32>, DiskError> {
        let term = self.fields.id_term(id);
        for s in &self.segments {
            let inverted = s.reader.inverted_index(self.fields.id)?;
            if let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::Basic)? {
                while postings.doc() != TERMINATED {
                    if !s.reader.is_deleted(postings.doc()) {
                        return Ok(Some(s.base + postings.doc()));
                    }
                    postings.advance();
                }
            }
        }
        Ok(None)
    }

    /// The stored record of `doc`; `None` (and a warning) when it cannot
    /// be read: the document then shows with its id alone and matches
    /// nothing of its own, until `storyline reindex` rebuilds the index.
    fn record(&self, doc: u32) -> Option<Rc<StoredDoc>> {
        if let Some(r) = self.records.borrow().get(&doc) {
            return Some(r.clone());
        }
        let (s, local) = self.locate(doc);
        let read = s
            .store
            .get::<TantivyDocument>(local)
            .map_err(DiskError::from)
            .and_then(|d| record_of(&self.fields, &d));
        match read {
            Ok(record) => {
                let record = Rc::new(record);
                self.records.borrow_mut().insert(doc, record.clone());
                Some(record)
            }
            Err(e) => {
                tracing::warn!(doc = %self.id(doc), error = %e, "the Similar Posts index holds an unreadable document; `storyline reindex` rebuilds it");
                None
            }
        }
    }

    /// The number of term `key` in `kind`, met now or before.
    fn term_id(&self, kind: SpaceKind, key: &str) -> u32 {
        if let Some(&t) = self.term_ids.borrow()[kind as usize].get(key) {
            return t;
        }
        let term = self.fields.term(kind, key);
        let infos: Vec<Option<TermInfo>> = self
            .segments
            .iter()
            .map(|s| s.inverted[kind as usize].get_term_info(&term).ok().flatten())
            .collect();
        let df = infos.iter().flatten().map(|i| i.doc_freq as f32).sum();
        let mut terms = self.terms.borrow_mut();
        let t = terms.len() as u32;
        terms.push(SeenTerm { kind, df, infos });
        self.term_ids.borrow_mut()[kind as usize].insert(key.to_string(), t);
        t
    }

    /// The number of term `key` in `kind` if a query has met it.
    fn known_term(&self, kind: SpaceKind, key: &str) -> Option<u32> {
        self.term_ids.borrow()[kind as usize].get(key).copied()
    }

    fn norm(&self, kind: SpaceKind, doc: u32) -> f32 {
        let (s, local) = self.locate(doc);
        s.norms[kind as usize].first(local).unwrap_or(1.0) as f32
    }

    /// `doc`'s vector in `kind` (its useful terms, normalised), worked
    /// out once per query: the ranking asks for a shown document's vector
    /// in both spaces for its scores and again for its reasons.
    fn vector(&self, kind: SpaceKind, doc: u32) -> Rc<Vector> {
        if let Some(v) = self.vectors.borrow().get(&(kind, doc)) {
            return v.clone();
        }
        let v = Rc::new(self.make_vector(kind, doc, &|key| Some(self.term_id(kind, key))));
        self.vectors.borrow_mut().insert((kind, doc), v.clone());
        v
    }

    /// `doc`'s vector in `kind` over the terms met so far: all a score or
    /// reason against a query needs (a query's terms are met before it is
    /// asked), without looking up the document's other terms in every
    /// segment's dictionary.
    fn vector_on_known(&self, kind: SpaceKind, doc: u32) -> Rc<Vector> {
        if let Some(v) = self.vectors.borrow().get(&(kind, doc)) {
            return v.clone();
        }
        let met = self.terms.borrow().len();
        if let Some((at, v)) = self.known.borrow().get(&(kind, doc)) {
            if *at == met {
                return v.clone();
            }
        }
        let v = Rc::new(self.make_vector(kind, doc, &|key| self.known_term(kind, key)));
        self.known.borrow_mut().insert((kind, doc), (met, v.clone()));
        v
    }

    /// `doc`'s useful terms in `kind` that `id_of` numbers, weighted.
    fn make_vector(&self, kind: SpaceKind, doc: u32, id_of: &dyn Fn(&str) -> Option<u32>) -> Vector {
        let mut terms: Vec<(u32, f32, String)> = match self.record(doc) {
            None => Vec::new(),
            Some(record) => {
                let norm = self.norm(kind, doc);
                record
                    .terms_of(kind)
                    .iter()
                    .filter_map(|t| {
                        let id = id_of(t.key())?;
                        let df = self.terms.borrow()[id as usize].df;
                        (df > 1.0 && df <= self.max_df)
                            .then(|| (id, tf_idf(t.tf(), self.n, df) / norm, t.surface().to_string()))
                    })
                    .collect()
            }
        };
        terms.sort_unstable_by_key(|&(t, _, _)| t);
        let (weights, surfaces) = terms.into_iter().map(|(t, w, s)| ((t, w), s)).unzip();
        Vector { weights, surfaces }
    }
}

impl Corpus for View<'_> {
    fn options(&self) -> &IndexOptions {
        self.options
    }

    fn capacity(&self) -> usize {
        self.segments
            .last()
            .map_or(0, |s| (s.base + s.reader.max_doc()) as usize)
    }

    fn id(&self, doc: u32) -> Cow<'_, str> {
        let (s, local) = self.locate(doc);
        let mut out = String::new();
        if let Some(ord) = s.ids.term_ords(local).next() {
            let _ = s.ids.ord_to_str(ord, &mut out);
        }
        Cow::Owned(out)
    }

    fn day(&self, doc: u32) -> Option<i32> {
        let (s, local) = self.locate(doc);
        s.day.first(local).map(|d| d as i32)
    }

    fn same_source(&self, a: u32, b: u32) -> bool {
        let source = |d: u32| {
            let (s, local) = self.locate(d);
            s.source.first(local)
        };
        let a = source(a);
        a.is_some() && a == source(b)
    }

    fn passes(&self, filter: &Filter, me: u32, doc: u32) -> bool {
        let (s, local) = self.locate(doc);
        let source = s.source.first(local).unwrap_or_else(|| source_key(""));
        filter.admits(
            days_between(self.day(me), self.day(doc)),
            |lang| s.lang.first(local) == Some(key_of(lang)),
            |name| source_key(name) == source,
        )
    }

    fn group(&self, doc: u32) -> u64 {
        let (s, local) = self.locate(doc);
        s.group.first(local).unwrap_or_default()
    }

    fn copies_of(&self, doc: u32) -> Vec<String> {
        let term = Term::from_field_u64(self.fields.group, self.group(doc));
        let mut ids = Vec::new();
        for s in &self.segments {
            let Ok(Some(mut postings)) = s.group_postings.read_postings(&term, IndexRecordOption::Basic)
            else {
                continue;
            };
            while postings.doc() != TERMINATED {
                let other = s.base + postings.doc();
                if other != doc && !s.reader.is_deleted(postings.doc()) {
                    ids.push(self.id(other).into_owned());
                }
                postings.advance();
            }
        }
        ids.sort();
        ids
    }

    fn title_and_date(&self, doc: u32) -> (String, Option<Published>) {
        match self.record(doc) {
            Some(record) => (record.title.clone(), record.published),
            None => (self.id(doc).into_owned(), None),
        }
    }

    fn query(&self, space: SpaceKind, doc: u32, max_terms: usize) -> Query {
        strongest(self.vector(space, doc).weights.clone(), max_terms)
    }

    fn expand(
        &self,
        space: SpaceKind,
        query: &[(u32, f32)],
        feedback: &[u32],
        weight: f32,
        max_terms: usize,
    ) -> Query {
        let vectors: Vec<Rc<Vector>> = feedback.iter().map(|&d| self.vector(space, d)).collect();
        rocchio(
            query,
            vectors.iter().map(|v| v.weights.as_slice()),
            weight,
            max_terms,
        )
    }

    /// Walks the term's postings a block (128 documents) at a time. The
    /// weights are unscaled (each document's length divides its sum once,
    /// in [`Corpus::scales`]), and a count's sublinear part is looked up.
    fn postings(&self, space: SpaceKind, term: u32, each: &mut dyn FnMut(&[Posting])) {
        let terms = self.terms.borrow();
        let seen = &terms[term as usize];
        debug_assert_eq!(seen.kind, space);
        // tf-idf of a count of one is the idf alone.
        let idf = tf_idf(1.0, self.n, seen.df);
        let sublinear = |freq: u32| match self.sublinear.get(freq as usize) {
            Some(&part) => part,
            None => sublinear_part(freq),
        };
        let mut run = Vec::new();
        for (s, info) in self.segments.iter().zip(&seen.infos) {
            let Some(info) = info else {
                continue;
            };
            let Ok(mut block) = s.inverted[space as usize]
                .read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)
            else {
                continue;
            };
            let alive = s.reader.alive_bitset();
            loop {
                let docs = block.docs();
                if docs.is_empty() {
                    break;
                }
                run.clear();
                for (&d, &freq) in docs.iter().zip(block.freqs()) {
                    if alive.is_some_and(|a| a.is_deleted(d)) {
                        continue;
                    }
                    run.push((s.base + d, sublinear(freq) * idf));
                }
                each(&run);
                block.advance();
            }
        }
    }

    fn unscaled(&self) -> bool {
        true
    }

    /// One over each document's length, read segment by segment.
    fn scales(&self, space: SpaceKind, docs: &[u32], out: &mut Vec<f32>) {
        out.clear();
        out.reserve(docs.len());
        // Called per names run (a thousand times a query at a million
        // articles): the buffers are the view's.
        let (local, norms) = &mut *self.scaling.borrow_mut();
        let mut rest = docs;
        for s in &self.segments {
            let end = s.base + s.reader.max_doc();
            let (here, later) = rest.split_at(rest.partition_point(|&d| d < end));
            let here = if s.base == 0 {
                here
            } else {
                local.clear();
                local.extend(here.iter().map(|&d| d - s.base));
                local.as_slice()
            };
            norms.clear();
            norms.resize(here.len(), None);
            s.norms[space as usize].first_vals(here, norms);
            out.extend(norms.iter().map(|n| 1.0 / n.unwrap_or(1.0) as f32));
            rest = later;
        }
        out.resize(docs.len(), 1.0);
    }

    fn dot(&self, space: SpaceKind, doc: u32, query: &[(u32, f32)]) -> f32 {
        contributions(&self.vector_on_known(space, doc).weights, query)
            .iter()
            .map(|&(_, c)| c)
            .sum()
    }

    fn shared_terms(&self, space: SpaceKind, doc: u32, query: &[(u32, f32)], max: usize) -> Vec<String> {
        let vector = self.vector_on_known(space, doc);
        let shared = contributions(&vector.weights, query);
        let surface = |t: u32| {
            let at = vector.weights.partition_point(|&(vt, _)| vt < t);
            vector.surfaces[at].as_str()
        };
        readable(shared.iter().map(|&(t, _)| surface(t)), max)
    }
}
