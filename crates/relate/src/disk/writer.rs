//! Writing the on-disk index: one document per article, added when the
//! article arrives and visible only after a commit, which records how far
//! the store's changes were applied (the engine's progress for the index,
//! so a crash resumes from the last commit and applies nothing twice).
//!
//! A document's weights are divided by its vector's length, which depends
//! on how many documents hold each of its terms: a new document's length
//! is taken from the index as it is when it arrives, and every length is
//! taken again from the whole index whenever it has doubled since the
//! last time, and after every commit while it is small
//! ([`DiskWriter::refresh`]), so no length is ever computed over
//! less than half the documents it is compared with; the cost is about one
//! more writing of each document in all. A writer told beforehand of every
//! document it is about to add ([`DiskWriter::foresee`], or all at once with
//! [`DiskWriter::foresee_all`]) takes their
//! lengths from the index as it will be once they are in, and takes the
//! others' again at most once, when it is done ([`DiskWriter::finish`]): a
//! bulk load into an empty index writes each document once (and ends merged
//! into one segment). A near-duplicate joins the group of the most similar
//! earlier group leader it is a copy of, found through the MinHash band
//! keys indexed with each document (by bucket: see
//! `near_duplicates::bucket_of`).
//!
//! Not here: reading and ranking (`reader`), deciding what to index (the
//! engine).

use super::schema::{key_of, signature_from_bytes, Fields, StoredDoc};
use super::{DiskError, IndexProgress};
use crate::article_terms::{count_terms, Counted, SpaceKind};
use crate::near_duplicates::{
    band_key, band_keys, bucket_of, signature, CopyRule, Signature, BANDS, MAX_BUCKET,
};
use crate::IndexOptions;
use fastbloom::BloomFilter;
use rustc_hash::{FxHashMap, FxHashSet};
use std::path::Path;
use storyline_core::{Article, EntityTerm};
use tantivy::columnar::{BytesColumn, Cardinality, Column, StrColumn};
use tantivy::schema::IndexRecordOption;
use tantivy::schema::Value;
use tantivy::{
    index::SegmentId, DocSet, Index, IndexReader, ReloadPolicy, Searcher, SegmentReader, TantivyDocument,
    Term, TERMINATED,
};
use xxhash_rust::xxh3::xxh3_64;

/// Up to this many documents every commit that added one takes every
/// length again: it costs well under a second there, and small indexes
/// then score exactly as one built at once.
const ALWAYS_EXACT: u64 = 1_000;

/// Memory each of the writer's threads may fill before it writes a segment.
const WRITER_MEMORY: usize = 64 << 20;

/// The writer's threads while it writes an empty index (see `new_writer`).
const LOADING_THREADS: usize = 2;

/// While foreseen documents are added, a commit is made once this many
/// are waiting (and at `finish`): fewer, larger segments, so a new
/// document's copy candidates are looked up in fewer term dictionaries.
const FORESEEN_PER_COMMIT: usize = 16_384;

/// What the uncommitted documents add to what the index says.
#[derive(Default)]
struct Batch {
    /// Per space, how many uncommitted documents hold each term.
    df: [FxHashMap<String, u32>; 2],
    /// Uncommitted group leaders' band keys → positions in `leaders`.
    bands: FxHashMap<u64, Vec<usize>>,
    leaders: Vec<Leader>,
    /// Uncommitted documents, by id.
    ids: FxHashSet<String>,
}

/// A group leader as copies are checked against it.
#[derive(Clone)]
struct Leader {
    id: String,
    signature: Signature,
    day: Option<i32>,
}

impl Leader {
    fn of(record: &StoredDoc) -> Leader {
        Leader {
            id: record.id.clone(),
            signature: record.signature(),
            day: record.day(),
        }
    }

    /// Canonical order among leaders: undated last, then day, then id.
    fn order(&self) -> (bool, Option<i32>, &str) {
        (self.day.is_none(), self.day, &self.id)
    }
}

/// Adds, replaces and removes articles' documents; see the module doc.
pub struct DiskWriter {
    index: Index,
    /// Always present; taken out only while its merges are waited for.
    writer: Option<tantivy::IndexWriter<TantivyDocument>>,
    reader: IndexReader,
    fields: Fields,
    options: IndexOptions,
    progress: IndexProgress,
    batch: Batch,
    df: DfCache,
    /// Candidate leaders' columns per segment (see `LeaderColumns`).
    columns: FxHashMap<SegmentId, LeaderColumns>,
    /// What the documents about to be added bring, when told (`foresee`).
    ahead: Option<Ahead>,
    /// `FORESEEN_PER_COMMIT`, smaller in tests.
    foreseen_per_commit: usize,
}

/// An article's document as far as it can be made without the index
/// ([`DiskWriter::prepare`]).
pub struct Prepared(StoredDoc);

/// The distinct term keys of an article's document, as its record will
/// store them, hashed ([`DiskWriter::foreseen`]): all a foresight needs,
/// without the weights, surfaces and signature a [`Prepared`] document
/// also takes.
pub struct Foreseen([Vec<u64>; 2]);

/// A stored term key as a foresight counts it: 64 bits of xxh3, so the
/// counts of a bulk load's terms take no string each (that two of ten
/// million distinct keys share a hash has a chance of about 3 in a
/// million, and they would then only share a count).
fn key_hash(key: &str) -> u64 {
    xxh3_64(key.as_bytes())
}

/// A counted term key as a foresight counts it: the key its record will
/// store, hashed.
fn counted_key_hash(key: &str) -> u64 {
    if StoredDoc::keeps_as_is(key) {
        key_hash(key)
    } else {
        key_hash(&StoredDoc::key_of_term(key.to_string()))
    }
}

/// What a bulk load's documents will add to the index, told before the
/// first is added ([`DiskWriter::foresee_all`]): how many documents hold
/// each term, and how many documents there are. Gathered by the writer
/// ([`DiskWriter::foresee`]) or by whoever counted the documents' terms
/// already ([`Foresight::add_counted`]: the engine's placing in stories).
#[derive(Default)]
pub struct Foresight {
    /// Per space, by `key_hash` of the stored key.
    df: [FxHashMap<u64, u32>; 2],
    count: u64,
}

impl Foresight {
    /// Counts one document.
    pub fn add(&mut self, doc: &Foreseen) {
        for kind in [SpaceKind::Words, SpaceKind::Names] {
            let df = &mut self.df[kind as usize];
            // A record's terms are distinct.
            for &key in &doc.0[kind as usize] {
                *df.entry(key).or_insert(0) += 1;
            }
        }
        self.count += 1;
    }

    /// Counts the document of an article whose terms are counted: the
    /// same as adding [`DiskWriter::foreseen`] of it with the options and
    /// entities it was counted with, without counting again.
    pub fn add_counted(&mut self, counted: &Counted) {
        self.add(&Foreseen([SpaceKind::Words, SpaceKind::Names].map(|kind| {
            // Counted keys are distinct; only a key the record changes
            // can become another one.
            if counted.keys(kind).all(StoredDoc::keeps_as_is) {
                return counted.keys(kind).map(key_hash).collect();
            }
            let keys: FxHashSet<u64> = counted.keys(kind).map(counted_key_hash).collect();
            keys.into_iter().collect()
        })));
    }

    /// Counts the documents `other` counts too. The smaller is added
    /// into the larger: a bulk load's foresight (millions of terms) told
    /// to a writer foreseeing nothing yet is taken as it is.
    pub fn absorb(&mut self, mut other: Foresight) {
        if other.count > self.count {
            std::mem::swap(self, &mut other);
        }
        for (df, more) in self.df.iter_mut().zip(other.df) {
            for (key, n) in more {
                *df.entry(key).or_insert(0) += n;
            }
        }
        self.count += other.count;
    }

    /// How many documents it counts.
    pub fn count(&self) -> u64 {
        self.count
    }
}

/// The index as it will be once the foreseen documents are in: the
/// committed index when the foresight began, and what they add.
struct Ahead {
    /// The committed index then, and how many documents it held.
    searcher: Searcher,
    start: u64,
    /// Its document frequencies, looked up once per term.
    start_df: DfCache,
    /// What the foreseen documents add.
    sight: Foresight,
    /// The ids added since the foresight began (an empty index then holds
    /// no other document an added one could replace).
    added: FxHashSet<String>,
    /// A commit asked for and not made yet (`FORESEEN_PER_COMMIT`).
    uncommitted: bool,
    /// When the index was empty then: the band keys of every document
    /// added since, made when the first is added (the count is known
    /// then). A key it does not hold is in no committed document, so a
    /// copy's candidates are not looked up in every segment's dictionary
    /// for it (most keys of most documents are in no other).
    bands: Option<BloomFilter>,
}

impl Ahead {
    fn df(&mut self, fields: &Fields, kind: SpaceKind, key: &str) -> u32 {
        let ahead = self.sight.df[kind as usize]
            .get(&key_hash(key))
            .copied()
            .unwrap_or(0);
        if self.start == 0 {
            return ahead;
        }
        self.start_df.get(&self.searcher, fields, kind, key) + ahead
    }
}

/// Document frequencies of the committed index, as new documents' lengths
/// need them: looked up once per term (a lookup reads every segment's
/// term dictionary) and kept up to date by each commit.
#[derive(Default)]
struct DfCache {
    committed: [FxHashMap<String, u32>; 2],
}

impl DfCache {
    fn get(&mut self, searcher: &Searcher, fields: &Fields, kind: SpaceKind, key: &str) -> u32 {
        let map = &mut self.committed[kind as usize];
        if let Some(&df) = map.get(key) {
            return df;
        }
        let df = searcher.doc_freq(&fields.term(kind, key)).unwrap_or(0) as u32;
        map.insert(key.to_string(), df);
        df
    }

    /// Counts what a commit added (terms not looked up yet are read when
    /// first needed).
    fn commit(&mut self, batch: &Batch) {
        for (map, added) in self.committed.iter_mut().zip(&batch.df) {
            for (key, n) in added {
                if let Some(df) = map.get_mut(key) {
                    *df += n;
                }
            }
        }
    }
}

impl DiskWriter {
    /// Opens the index in `dir`, creating it (and `dir`) when missing.
    pub fn open(dir: &Path, options: IndexOptions) -> Result<DiskWriter, DiskError> {
        let index = super::open_or_create(dir, super::Access::InOrder)?;
        let (_, fields) = Fields::schema();
        let writer = Some(new_writer(&index)?);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let mut progress = super::progress_of(&index)?;
        if progress.format != super::FORMAT {
            // Written otherwise (an older version): every article is
            // written again from the store's first change, each replacing
            // its document in place.
            tracing::info!(
                dir = %dir.display(),
                was = progress.format,
                "the on-disk index was written by another version; writing it again"
            );
            progress.seq = 0;
            progress.format = super::FORMAT;
        }
        Ok(DiskWriter {
            index,
            writer,
            reader,
            fields,
            options,
            progress,
            batch: Batch::default(),
            df: DfCache::default(),
            columns: FxHashMap::default(),
            ahead: None,
            foreseen_per_commit: FORESEEN_PER_COMMIT,
        })
    }

    /// Counts an article's terms and takes its signature: all of its
    /// document that needs nothing of the index, so a caller adding many
    /// prepares them on every core and adds them in order.
    pub fn prepare(options: &IndexOptions, article: &Article, entities: &[EntityTerm]) -> Prepared {
        // Hashed while counting (most keys come back: a key is allocated
        // once), sorted once at the end.
        let mut counts: [FxHashMap<String, (String, f32)>; 2] = Default::default();
        count_terms(options, article, entities, |space, surface, key, weight| {
            let counts = &mut counts[space as usize];
            match counts.get_mut(key) {
                Some(slot) => slot.1 += weight,
                None => {
                    counts.insert(key.to_string(), (surface.to_string(), weight));
                }
            }
        });
        let [words, names] = counts.map(|counts| {
            let mut sorted: Vec<_> = counts.into_iter().collect();
            sorted.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            sorted
        });
        let signature = signature(&article.text);
        Prepared(StoredDoc {
            id: article.id.clone(),
            title: article.title.clone(),
            published: article.published,
            source: article.source.clone(),
            lang: article.lang.clone(),
            words: StoredDoc::terms(words),
            names: StoredDoc::terms(names),
            signature: signature.0.to_vec(),
            specifics: signature.1.hashes().to_vec(),
            group: article.id.clone(),
        })
    }

    /// What [`DiskWriter::foresee`] counts of `article`: its document's
    /// term keys, counted as [`DiskWriter::prepare`] counts them (needs
    /// nothing of the index, so articles are foreseen on every core).
    pub fn foreseen(options: &IndexOptions, article: &Article, entities: &[EntityTerm]) -> Foreseen {
        let mut keys: [FxHashSet<u64>; 2] = Default::default();
        count_terms(options, article, entities, |space, _, key, _| {
            keys[space as usize].insert(counted_key_hash(key));
        });
        Foreseen(keys.map(|keys| keys.into_iter().collect()))
    }

    /// Tells the writer of a document the next `add`s will bring (call it
    /// for each of them before the first): their lengths are then taken
    /// from the index as it will be once they are all in, and no commit
    /// before [`DiskWriter::finish`] writes the others again.
    pub fn foresee(&mut self, doc: &Foreseen) {
        self.ahead().sight.add(doc);
    }

    /// Tells the writer of every document the next `add`s will bring at
    /// once, as [`DiskWriter::foresee`] of each would.
    pub fn foresee_all(&mut self, sight: Foresight) {
        self.ahead().sight.absorb(sight);
    }

    /// What the foreseen documents bring, begun at the first.
    fn ahead(&mut self) -> &mut Ahead {
        if self.ahead.is_none() {
            // Documents added while foreseeing are not counted in the
            // committed frequencies kept (see `add_prepared`): those are
            // read from the index again once they are committed.
            self.df = DfCache::default();
        }
        self.ahead.get_or_insert_with(|| {
            let searcher = self.reader.searcher();
            Ahead {
                start: searcher.num_docs(),
                searcher,
                start_df: Default::default(),
                sight: Foresight::default(),
                added: FxHashSet::default(),
                uncommitted: false,
                bands: None,
            }
        })
    }

    /// Ends what `foresee` began, once the foreseen documents are added and
    /// committed: the documents that were there before are written again
    /// when the index has doubled since their lengths were taken (or it is
    /// still small); with none before, nothing is written again.
    pub fn finish(&mut self) -> Result<(), DiskError> {
        let Some(ahead) = self.ahead.take() else {
            return Ok(());
        };
        drop(ahead.searcher);
        if ahead.start == 0 {
            // Every document was written with the lengths of the index as
            // it is now: one commit records that.
            self.progress.norms_at = ahead.added.len() as u64;
            self.commit_progress()?;
            return self.merge_all();
        }
        if ahead.uncommitted {
            self.commit_progress()?;
        }
        let docs = self.reader.searcher().num_docs();
        if docs >= 2 * self.progress.norms_at.max(1) || docs <= ALWAYS_EXACT {
            self.refresh()?;
        } else if ahead.sight.count >= docs {
            // Every document was written again (a restart, an upgrade).
            self.merge_all()?;
        }
        Ok(())
    }

    /// Ends the writing, letting the merges its commits started finish:
    /// a writer dropped with a merge under way has it thrown away once
    /// done (its work wasted, and started again by the next writer to
    /// commit), so a process that writes a few documents at a time would
    /// pay for a merge on every write and never have one.
    pub fn close(mut self) -> Result<(), DiskError> {
        if let Some(writer) = self.writer.take() {
            writer.wait_merging_threads()?;
        }
        Ok(())
    }

    fn writer(&mut self) -> &mut tantivy::IndexWriter<TantivyDocument> {
        self.writer.as_mut().expect("the writer is back after every wait")
    }

    /// Lets the merges under way finish (a merge of segments a refresh has
    /// dropped would otherwise end in vain, with tantivy's warning).
    fn wait_for_merges(&mut self) -> Result<(), DiskError> {
        if let Some(writer) = self.writer.take() {
            writer.wait_merging_threads()?;
        }
        self.writer = Some(new_writer(&self.index)?);
        Ok(())
    }

    /// How many documents the committed index holds.
    pub fn docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// How far the committed index got.
    pub fn progress(&self) -> IndexProgress {
        self.progress
    }

    /// Adds `article` (replacing an earlier document of its id) with the
    /// linked `entities` it names; visible after the next commit.
    pub fn add(&mut self, article: &Article, entities: &[EntityTerm]) -> Result<(), DiskError> {
        let doc = DiskWriter::prepare(&self.options, article, entities);
        self.add_prepared(doc)
    }

    /// Adds a prepared document (see [`DiskWriter::prepare`], with this
    /// writer's options), replacing an earlier document of its id;
    /// visible after the next commit.
    pub fn add_prepared(&mut self, doc: Prepared) -> Result<(), DiskError> {
        let Prepared(mut record) = doc;
        let searcher = self.reader.searcher();
        let id_term = self.fields.id_term(&record.id);
        let stored = match &mut self.ahead {
            Some(ahead) if ahead.start == 0 => !ahead.added.insert(record.id.clone()),
            _ => searcher.doc_freq(&id_term)? > 0,
        };
        if stored || self.batch.ids.contains(&record.id) {
            self.writer().delete_term(id_term);
        }
        let mut bands = match &mut self.ahead {
            Some(ahead) if ahead.start == 0 => Some(ahead.bands.take().unwrap_or_else(|| {
                let keys = ahead.sight.count as usize * BANDS;
                BloomFilter::with_false_pos(0.01).expected_items(keys.max(1))
            })),
            _ => None,
        };
        let leader = self.leader_for(&searcher, &record, bands.as_ref());
        if let Some(bands) = &mut bands {
            band_keys(&record.signature().0).for_each(|key| {
                bands.insert(&key);
            });
        }
        if let (Some(ahead), Some(bands)) = (&mut self.ahead, bands) {
            ahead.bands = Some(bands);
        }
        if let Some(leader) = leader? {
            record.group = leader;
        }
        let norms = if let Some(ahead) = &mut self.ahead {
            let n = (ahead.start + ahead.sight.count) as f32;
            let fields = &self.fields;
            let mut norm = |kind: SpaceKind| record.norm(kind, n, |key| ahead.df(fields, kind, key) as f32);
            (norm(SpaceKind::Words), norm(SpaceKind::Names))
        } else {
            let n = (searcher.num_docs() as usize + self.batch.ids.len() + 1) as f32;
            let (batch, fields, cache) = (&self.batch, &self.fields, &mut self.df);
            let mut norm = |kind: SpaceKind| {
                record.norm(kind, n, |key| {
                    let committed = cache.get(&searcher, fields, kind, key);
                    let pending = batch.df[kind as usize].get(key).copied().unwrap_or(0);
                    (committed + pending + 1) as f32
                })
            };
            (norm(SpaceKind::Words), norm(SpaceKind::Names))
        };
        let document = record.document(&self.fields, norms);
        self.writer().add_document(document)?;
        // Lengths of documents added while foreseeing come from what was
        // foreseen; otherwise the next documents' lengths count this one.
        if self.ahead.is_none() {
            for kind in [SpaceKind::Words, SpaceKind::Names] {
                let df = &mut self.batch.df[kind as usize];
                for t in record.terms_of(kind) {
                    match df.get_mut(t.key()) {
                        Some(n) => *n += 1,
                        None => {
                            df.insert(t.key().to_string(), 1);
                        }
                    }
                }
            }
        }
        if record.group == record.id {
            let at = self.batch.leaders.len();
            for key in band_keys(&record.signature().0) {
                self.batch.bands.entry(key).or_default().push(at);
            }
            self.batch.leaders.push(Leader::of(&record));
        }
        self.batch.ids.insert(record.id);
        Ok(())
    }

    /// Removes the document of article `id` (at the next commit).
    pub fn remove(&mut self, id: &str) {
        let term = self.fields.id_term(id);
        self.writer().delete_term(term);
    }

    /// Records that no store change is applied yet, keeping every
    /// document: the next catch-up writes each article again, replacing
    /// its document, while readers go on reading the old ones.
    pub fn restart(&mut self) -> Result<(), DiskError> {
        self.progress.seq = 0;
        self.commit_progress()
    }

    /// Makes what was added visible, recording that the store's changes
    /// are applied through `seq`; then takes every vector's length again
    /// when the index has doubled since that was last done. While foreseen
    /// documents are added, the commit waits until enough are waiting or
    /// `finish`.
    pub fn commit(&mut self, seq: u64) -> Result<(), DiskError> {
        let added = !self.batch.ids.is_empty();
        self.progress.seq = seq;
        if let Some(ahead) = &mut self.ahead {
            ahead.uncommitted = self.batch.ids.len() < self.foreseen_per_commit;
            if ahead.uncommitted {
                return Ok(());
            }
            return self.commit_progress();
        }
        self.commit_progress()?;
        let docs = self.reader.searcher().num_docs();
        let doubled = docs >= 2 * self.progress.norms_at.max(1);
        if doubled || (added && docs <= ALWAYS_EXACT) {
            self.refresh()?;
        }
        Ok(())
    }

    /// Writes every document again with its vectors' lengths taken from
    /// the whole index as it is now (scores are then exactly those of an
    /// index built from these documents at once).
    pub fn refresh(&mut self) -> Result<(), DiskError> {
        self.wait_for_merges()?;
        let searcher = self.reader.searcher();
        let n = searcher.num_docs();
        let mut df = DfCache::default();
        self.writer().delete_all_documents()?;
        for segment in searcher.segment_readers() {
            let store = segment.get_store_reader(64)?;
            for doc in segment.doc_ids_alive() {
                let record = record_of(&self.fields, &store.get::<TantivyDocument>(doc)?)?;
                let fields = &self.fields;
                let mut norm = |kind: SpaceKind| {
                    record.norm(kind, n as f32, |key| df.get(&searcher, fields, kind, key) as f32)
                };
                let norms = (norm(SpaceKind::Words), norm(SpaceKind::Names));
                let document = record.document(&self.fields, norms);
                self.writer().add_document(document)?;
            }
        }
        self.progress.norms_at = n;
        // Every document was written again: no deleted one is counted now.
        self.df = DfCache::default();
        self.batch = Batch::default();
        self.commit_progress()?;
        self.merge_all()
    }

    /// Merges every segment into one, and waits for it. Called when every
    /// document has just been written (a load into an empty index, a
    /// [`DiskWriter::refresh`], a load writing each again), which happens
    /// only when the index has doubled or was written anew, so it costs at
    /// most one more writing of each document in all. What it buys is at
    /// query time: a query looks each of its terms up and reads its
    /// postings in every segment, and in a fresh process each of those is
    /// a page fault or more (at a million articles a `similar ID` took half
    /// as long from one segment as from eleven). Segments added later are
    /// merged by size as usual.
    fn merge_all(&mut self) -> Result<(), DiskError> {
        self.wait_for_merges()?;
        let segments = self.index.searchable_segment_ids()?;
        if segments.len() > 1 {
            let started = std::time::Instant::now();
            self.writer().merge(&segments).wait()?;
            self.reader.reload()?;
            tracing::info!(
                segments = segments.len(),
                seconds = started.elapsed().as_secs_f32(),
                "merged the index's segments into one"
            );
        }
        Ok(())
    }

    fn commit_progress(&mut self) -> Result<(), DiskError> {
        let payload = serde_json::to_string(&self.progress).expect("progress serialises");
        let mut prepared = self.writer().prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        self.reader.reload()?;
        let batch = std::mem::take(&mut self.batch);
        self.df.commit(&batch);
        Ok(())
    }

    /// The id of the group leader `record` is a copy of: of the leaders
    /// sharing a band key with it (in buckets not so full they are
    /// boilerplate, counting the texts published within the copy rule's
    /// days of it), the most similar copy by the copy rule, ties to the
    /// earliest in canonical order. `committed`, when given, holds every
    /// band key of the committed documents (and maybe others).
    fn leader_for(
        &mut self,
        searcher: &Searcher,
        record: &StoredDoc,
        committed: Option<&BloomFilter>,
    ) -> Result<Option<String>, DiskError> {
        let rule = CopyRule {
            threshold: self.options.near_duplicate_threshold,
            specifics: self.options.near_duplicate_specifics,
            max_days_apart: self.options.near_duplicate_days,
        };
        let signature = record.signature();
        let day = record.day();
        let mut seen: FxHashSet<String> = FxHashSet::default();
        let mut best: Option<(f32, Leader)> = None;
        // `sim` is the copy rule's similarity of a leader that copies pass.
        let mut consider = |sim: f32, leader: Leader| {
            if !seen.insert(leader.id.clone()) {
                return;
            }
            let better = match &best {
                None => true,
                Some((s, b)) => sim > *s || (sim == *s && leader.order() < b.order()),
            };
            if better {
                best = Some((sim, leader));
            }
        };
        // Each segment's columns, opened when first needed and kept for
        // the segments still searched.
        let segments = searcher.segment_readers();
        self.columns
            .retain(|id, _| segments.iter().any(|s| s.segment_id() == *id));
        // Only texts published within the rule's days of this one can be
        // its copies, so only they are counted in a bucket and looked up:
        // a segment whose texts are all dated and all too far is skipped
        // whole. Articles mostly arrive in date order, so at a million
        // articles most of the index is skipped rather than searched for
        // each of 64 keys (each a dictionary lookup per segment).
        let mut near = Vec::with_capacity(segments.len());
        for (at, segment) in segments.iter().enumerate() {
            if columns_of(&mut self.columns, segment)?.may_hold_close(day, &rule) {
                near.push(at);
            }
        }
        // Committed candidates are checked once however many bands find
        // them, cheapest test first: the copy rule (the signature), and
        // only then whether the candidate leads its group (its id, the
        // costliest read).
        let mut checked: FxHashSet<(usize, u32)> = FxHashSet::default();
        let mut found: Vec<(usize, u32, Signature)> = Vec::new();
        let mut pending: Vec<usize> = Vec::new();
        for (band, key) in band_keys(&signature.0).enumerate() {
            let term = Term::from_field_u64(self.fields.bands, bucket_of(band, key));
            pending.clear();
            pending.extend(
                self.batch
                    .bands
                    .get(&key)
                    .into_iter()
                    .flatten()
                    .filter(|&&at| rule.close(day, self.batch.leaders[at].day)),
            );
            // The bucket's committed members near in time (one dictionary
            // lookup per segment searched), given up once the bucket is
            // too full to count.
            found.clear();
            let searched = if committed.is_some_and(|keys| !keys.contains(&key)) {
                &[][..]
            } else {
                &near[..]
            };
            for &at in searched {
                let segment = &segments[at];
                let inverted = segment.inverted_index(self.fields.bands)?;
                let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::Basic)? else {
                    continue;
                };
                let columns = columns_of(&mut self.columns, segment)?;
                while postings.doc() != TERMINATED && found.len() < MAX_BUCKET {
                    let doc = postings.doc();
                    if rule.close(day, columns.day(doc)) {
                        // A bucket also holds texts without the key.
                        let theirs = columns.signature(doc)?;
                        if band_key(&theirs.0, band) == key {
                            found.push((at, doc, theirs));
                        }
                    }
                    postings.advance();
                }
            }
            // The bucket with this document in it.
            let size = found.len() + pending.len() + 1;
            if size == 1 || size > MAX_BUCKET {
                continue;
            }
            for &at in &pending {
                let leader = &self.batch.leaders[at];
                if let Some(sim) = rule.copies(&signature, &leader.signature, day, leader.day) {
                    consider(sim, leader.clone());
                }
            }
            for (at, doc, theirs) in found.drain(..) {
                let segment = &segments[at];
                if segment.is_deleted(doc) || !checked.insert((at, doc)) {
                    continue;
                }
                let columns = columns_of(&mut self.columns, segment)?;
                let their_day = columns.day(doc);
                let Some(sim) = rule.copies(&signature, &theirs, day, their_day) else {
                    continue;
                };
                if let Some(id) = columns.leader_id(doc)? {
                    consider(
                        sim,
                        Leader {
                            id,
                            signature: theirs,
                            day: their_day,
                        },
                    );
                }
            }
        }
        Ok(best.map(|(_, leader)| leader.id))
    }

    /// Makes a commit while foreseen documents are added once `n` wait
    /// (so a test's few documents are committed in parts).
    #[cfg(test)]
    pub(crate) fn commit_foreseen_every(&mut self, n: usize) {
        self.foreseen_per_commit = n;
    }

    /// The index, for a reader in the same process.
    pub fn index(&self) -> &Index {
        &self.index
    }
}

/// The fast columns a copy's candidate leaders are read from, opened once
/// per segment (opening them costs more than reading one document).
struct LeaderColumns {
    ids: StrColumn,
    groups: Column<u64>,
    signatures: BytesColumn,
    days: Column<i64>,
}

/// Segment `segment`'s leader columns, opened once and kept in `columns`.
fn columns_of<'c>(
    columns: &'c mut FxHashMap<SegmentId, LeaderColumns>,
    segment: &SegmentReader,
) -> Result<&'c mut LeaderColumns, DiskError> {
    Ok(match columns.entry(segment.segment_id()) {
        std::collections::hash_map::Entry::Occupied(c) => c.into_mut(),
        std::collections::hash_map::Entry::Vacant(slot) => slot.insert(LeaderColumns::open(segment)?),
    })
}

impl LeaderColumns {
    /// Whether the segment may hold a text published near enough to
    /// `day` for `rule` (an undated text always is): not when every text
    /// in it is dated and its first and last days are both too far.
    fn may_hold_close(&self, day: Option<i32>, rule: &CopyRule) -> bool {
        let Some(day) = day else {
            return true;
        };
        if self.days.get_cardinality() != Cardinality::Full || self.days.num_docs() == 0 {
            return true;
        }
        let apart = i64::from(rule.max_days_apart);
        let day = i64::from(day);
        self.days.min_value() <= day + apart && day - apart <= self.days.max_value()
    }

    fn open(segment: &SegmentReader) -> Result<LeaderColumns, DiskError> {
        let fast = segment.fast_fields();
        let missing = |what: &str| DiskError::Corrupt(format!("no {what} column"));
        Ok(LeaderColumns {
            ids: fast.str("id")?.ok_or_else(|| missing("id"))?,
            groups: fast.u64("group")?,
            signatures: fast.bytes("signature")?.ok_or_else(|| missing("signature"))?,
            days: fast.i64("day")?,
        })
    }

    /// Document `doc`'s publication day.
    fn day(&self, doc: u32) -> Option<i32> {
        self.days.first(doc).map(|d| d as i32)
    }

    /// Document `doc`'s copy signature.
    fn signature(&self, doc: u32) -> Result<Signature, DiskError> {
        let mut bytes = Vec::new();
        if let Some(ord) = self.signatures.term_ords(doc).next() {
            self.signatures.ord_to_bytes(ord, &mut bytes)?;
        }
        signature_from_bytes(&bytes)
            .ok_or_else(|| DiskError::Corrupt(format!("the signature of document {doc}")))
    }

    /// Document `doc`'s id when it leads its group (the member whose id
    /// keys the group), else `None`.
    fn leader_id(&self, doc: u32) -> Result<Option<String>, DiskError> {
        let mut id = String::new();
        if let Some(ord) = self.ids.term_ords(doc).next() {
            self.ids.ord_to_str(ord, &mut id)?;
        }
        Ok((self.groups.first(doc) == Some(key_of(&id))).then_some(id))
    }
}

/// The index's one writer; [`DiskError::Busy`] while another holds it.
///
/// Into an empty index (a bulk load, a `reindex`) two threads index the
/// documents: a thread writing a full segment out takes no documents
/// meanwhile, and with one thread the whole load waited each time. Once
/// the index holds documents, one thread: a commit then writes one
/// segment, not one per thread (queries look their terms up in each).
fn new_writer(index: &Index) -> Result<tantivy::IndexWriter<TantivyDocument>, DiskError> {
    let threads = match index.searchable_segment_ids()?.is_empty() {
        true => LOADING_THREADS,
        false => 1,
    };
    index
        .writer_with_num_threads(threads, threads * WRITER_MEMORY)
        .map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => DiskError::Busy,
            other => other.into(),
        })
}

/// The stored record of a document read from the index.
pub(crate) fn record_of(fields: &Fields, doc: &TantivyDocument) -> Result<StoredDoc, DiskError> {
    doc.get_first(fields.record)
        .and_then(|v| v.as_bytes())
        .and_then(StoredDoc::from_bytes)
        .ok_or_else(|| DiskError::Corrupt("a document without a readable record".into()))
}
