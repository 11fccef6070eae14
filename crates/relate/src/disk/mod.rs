//! The Similar Posts index on disk: one tantivy document per article, with
//! its word and name terms (and their counts) as postings, the columns a
//! ranking reads per candidate (vector lengths, day, source, language,
//! near-duplicate group), and a stored record to rank and explain with.
//! It is opened in milliseconds and memory-mapped, so a fresh process
//! answers Similar Posts without reading the store, and it is updated
//! per article: a commit makes new documents visible at once and records
//! how far the store's changes were applied.
//!
//! `schema` owns the fields and the record, `writer` adds and commits,
//! `reader` ranks; the ranking itself is `similar`'s, shared with the
//! in-memory [`crate::ArticleIndex`]. Not here: which articles to index
//! and when (the engine), or linking entities (`storyline-extract`).

mod reader;
mod schema;
mod writer;

pub use reader::DiskIndex;
pub use writer::{DiskWriter, Foreseen, Foresight, Prepared};

use serde::{Deserialize, Serialize};
use std::path::Path;
use tantivy::directory::MmapDirectory;
use tantivy::Index;

#[derive(Debug, thiserror::Error)]
pub enum DiskError {
    #[error("another process is writing the index")]
    Busy,
    #[error("the index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("the index folder: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("the index folder: {0}")]
    Io(#[from] std::io::Error),
    #[error("the index is damaged ({0}); `storyline reindex` rebuilds it")]
    Corrupt(String),
}

/// How far the committed index got: kept in each commit, so what a commit
/// made visible and the progress it records never disagree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexProgress {
    /// The store's changes are applied through this change number.
    pub seq: u64,
    /// Documents indexed when every vector length was last taken again.
    pub norms_at: u64,
    /// How the documents were written ([`FORMAT`]; 0 before it was kept).
    #[serde(default)]
    pub format: u32,
}

/// How this version writes documents. A writer that opens an index written
/// otherwise writes every article again (see [`DiskWriter::open`]).
/// 1: near-duplicate band keys indexed by bucket.
pub const FORMAT: u32 = 1;

/// How a process goes through the index's files, which decides how the
/// kernel pages them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// A query reads a few hundred postings lists, a column value per
    /// touched document and a few stored documents, scattered over files
    /// of gigabytes: the files are mapped with `MADV_RANDOM`, so a page
    /// missing from the page cache is read alone rather than with the
    /// readahead window around it. Measured on a 1,000,000-article index
    /// (3 GB), a fresh `similar ID` with a cold page cache: 0.29–0.80 s →
    /// 0.23–0.28 s, peak RSS 66 → 31 MB (100,000: 0.10–0.12 → 0.07–0.09 s);
    /// with a warm one, the same within the noise.
    Scattered,
    /// A writer's merges read whole files in order: readahead helps.
    InOrder,
}

/// The index in `dir`, created (with `dir`) when missing.
fn open_or_create(dir: &Path, access: Access) -> Result<Index, DiskError> {
    std::fs::create_dir_all(dir)?;
    let (schema, _) = schema::Fields::schema();
    let directory = match access {
        Access::Scattered => MmapDirectory::open_with_madvice(dir, tantivy::directory::Advice::Random)?,
        Access::InOrder => MmapDirectory::open(dir)?,
    };
    let index = Index::open_or_create(directory, schema)?;
    index
        .tokenizers()
        .register(schema::COUNTS_TOKENIZER, schema::CountsTokenizer::default());
    Ok(index)
}

fn progress_of(index: &Index) -> Result<IndexProgress, DiskError> {
    let payload = index.load_metas()?.payload;
    match payload {
        // Nothing committed yet: whatever is written is written now.
        None => Ok(IndexProgress {
            format: FORMAT,
            ..IndexProgress::default()
        }),
        Some(p) => serde_json::from_str(&p).map_err(|e| DiskError::Corrupt(format!("commit payload: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article_terms::Counted;
    use crate::index::tests::article;
    use crate::{ArticleIndex, Filter, IndexOptions, SimilarPosts};
    use storyline_core::{Article, Published};

    fn corpus() -> Vec<Article> {
        let dated = |id: &str, title: &str, text: &str, day: &str| {
            let mut a = article(id, title, text);
            a.published = Published::parse(day);
            a
        };
        let a = dated(
            "a",
            "Wagner mutiny ends",
            "Prigozhin halted the Wagner mutiny near Moscow after talks in Rostov.",
            "2023-06-24",
        );
        let b = dated(
            "b",
            "Prigozhin leaves for Belarus",
            "The Wagner chief Prigozhin left Russia for Belarus after the mutiny, the Kremlin said.",
            "2023-06-26",
        );
        let mut b_copy = b.clone();
        b_copy.id = "b-copy".into();
        let mut a_copy = a.clone();
        a_copy.id = "a-copy".into();
        vec![
            a,
            b,
            b_copy,
            a_copy,
            article(
                "c",
                "Rates rise",
                "The central bank raised interest rates again in Frankfurt.",
            ),
            dated(
                "d",
                "Wagner fighters move",
                "Wagner fighters moved to camps in Belarus, Lukashenko said.",
                "2023-07-02",
            ),
            dated(
                "e",
                "Kremlin on the mutiny",
                "The Kremlin said the mutiny in Rostov would not change the war; Prigozhin was silent.",
                "2023-06-25",
            ),
            dated(
                "f",
                "Bank holds rates",
                "The central bank in Frankfurt held interest rates, and the euro rose.",
                "2023-07-20",
            ),
        ]
    }

    fn written(dir: &Path, articles: &[Article]) -> DiskIndex {
        let mut w = DiskWriter::open(dir, IndexOptions::default()).unwrap();
        for a in articles {
            w.add(a, &[]).unwrap();
        }
        w.commit(articles.len() as u64).unwrap();
        w.refresh().unwrap();
        DiskIndex::open(dir, IndexOptions::default()).unwrap()
    }

    /// Two lists agree: the same items in the same order, scores and score
    /// parts equal to float precision, the same reasons.
    fn assert_same(disk: &SimilarPosts, memory: &SimilarPosts) {
        let ids = |s: &SimilarPosts| s.similar.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(disk), ids(memory));
        assert_eq!(disk.duplicates, memory.duplicates);
        for (d, m) in disk.similar.iter().zip(&memory.similar) {
            let close = |x: f32, y: f32| (x - y).abs() < 1e-4;
            assert!(close(d.score, m.score), "{} {} vs {}", d.id, d.score, m.score);
            assert!(close(d.why.words_score, m.why.words_score), "{}", d.id);
            assert!(close(d.why.names_score, m.why.names_score), "{}", d.id);
            assert_eq!(
                (
                    &d.why.names,
                    &d.why.terms,
                    d.why.days_apart,
                    d.why.near_duplicate,
                    d.why.same_story
                ),
                (
                    &m.why.names,
                    &m.why.terms,
                    m.why.days_apart,
                    m.why.near_duplicate,
                    m.why.same_story
                ),
                "{}",
                d.id
            );
            assert_eq!(
                (&d.title, d.published, &d.duplicates),
                (&m.title, m.published, &m.duplicates)
            );
        }
    }

    #[test]
    fn ranks_as_the_in_memory_index_does() {
        let dir = tempfile::tempdir().unwrap();
        let articles = corpus();
        let disk = written(dir.path(), &articles);
        let memory = ArticleIndex::build(articles.clone(), IndexOptions::default());
        let window = Filter {
            max_days_apart: Some(3),
            ..Filter::default()
        };
        for a in &articles {
            for filter in [Filter::default(), window.clone()] {
                let d = disk.similar(&a.id, 3, &filter, &[]).unwrap().unwrap();
                let m = memory.similar_filtered(&a.id, 3, &filter).unwrap();
                assert_same(&d, &m);
            }
        }
        let story = ["e".to_string(), "d".to_string()];
        let in_story: Vec<u32> = story.iter().map(|id| memory.doc_of(id).unwrap()).collect();
        assert_same(
            &disk.similar("a", 5, &Filter::default(), &story).unwrap().unwrap(),
            &memory
                .similar_in_story("a", 5, &Filter::default(), &in_story)
                .unwrap(),
        );
        let first = disk.similar("a", 5, &Filter::default(), &[]).unwrap().unwrap();
        assert_eq!(first.duplicates, ["a-copy"], "copies found as they arrived");
        assert!(first.similar[0].why.near_duplicate);
        assert!(disk
            .similar("nope", 5, &Filter::default(), &[])
            .unwrap()
            .is_none());
    }

    /// A thread's scratch space serves both kinds of index: after a query
    /// on a small index on disk (whose postings are scaled apart), one on
    /// a larger index in memory reads no stale score.
    #[test]
    fn one_thread_answers_from_disk_then_from_a_larger_index_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let articles = corpus();
        let small = written(dir.path(), &articles[..4]);
        let mut more = articles.clone();
        more.extend((0..40).map(|i| {
            article(
                &format!("extra-{i}"),
                "Harbour news",
                "The harbour opened a new quay.",
            )
        }));
        let memory = ArticleIndex::build(more, IndexOptions::default());
        let ids: Vec<String> = articles.iter().map(|a| a.id.clone()).collect();
        let answers = |memory: &ArticleIndex| -> Vec<SimilarPosts> {
            ids.iter().map(|id| memory.similar(id, 3).unwrap()).collect()
        };
        // On a thread of its own, the in-memory index alone.
        let alone = std::thread::scope(|s| s.spawn(|| answers(&memory)).join().unwrap());
        let after_disk = std::thread::scope(|s| {
            s.spawn(|| {
                small
                    .similar(&ids[0], 3, &Filter::default(), &[])
                    .unwrap()
                    .unwrap();
                answers(&memory)
            })
            .join()
            .unwrap()
        });
        for (a, b) in after_disk.iter().zip(&alone) {
            assert_same(a, b);
        }
    }

    /// Writes `articles` as the engine's bulk loads do: each foreseen
    /// first, then prepared and added `part` at a time, a commit after
    /// each part, and `finish`.
    fn load_in_parts(w: &mut DiskWriter, articles: &[Article], part: usize) {
        let options = IndexOptions::default();
        for a in articles {
            w.foresee(&DiskWriter::foreseen(&options, a, &[]));
        }
        add_in_parts(w, articles, part);
    }

    /// The adding part of [`load_in_parts`], once every article is foreseen.
    fn add_in_parts(w: &mut DiskWriter, articles: &[Article], part: usize) {
        w.commit_foreseen_every(part);
        let options = IndexOptions::default();
        for (i, chunk) in articles.chunks(part).enumerate() {
            for a in chunk {
                w.add_prepared(DiskWriter::prepare(&options, a, &[])).unwrap();
            }
            w.commit((i * part + chunk.len()) as u64).unwrap();
        }
        w.finish().unwrap();
    }

    /// How many segments the committed index in `dir` has.
    fn segments(dir: &Path) -> usize {
        Index::open_in_dir(dir)
            .unwrap()
            .searchable_segment_metas()
            .unwrap()
            .len()
    }

    #[test]
    fn a_foreseen_bulk_load_writes_each_document_once_with_exact_lengths() {
        let dir = tempfile::tempdir().unwrap();
        let articles = corpus();
        let mut w = DiskWriter::open(dir.path(), IndexOptions::default()).unwrap();
        // Committed in parts, as the engine does, prepared apart from
        // adding; no part writes any document again, and none is needed
        // at the end. A copy finds its leader in an earlier part (the
        // copies of `a` and `b` are in the second), as in a bulk load
        // into an empty index, whose band keys the writer keeps.
        load_in_parts(&mut w, &articles, 3);
        assert_eq!(w.progress().norms_at, articles.len() as u64);
        drop(w);
        // The parts' segments are merged into one once all are in.
        assert_eq!(segments(dir.path()), 1);
        let disk = DiskIndex::open(dir.path(), IndexOptions::default()).unwrap();
        let memory = ArticleIndex::build(articles.clone(), IndexOptions::default());
        for a in &articles {
            let d = disk.similar(&a.id, 3, &Filter::default(), &[]).unwrap().unwrap();
            assert_same(
                &d,
                &memory.similar_filtered(&a.id, 3, &Filter::default()).unwrap(),
            );
        }
        let first = disk.similar("a", 5, &Filter::default(), &[]).unwrap().unwrap();
        assert_eq!(first.duplicates, ["a-copy"]);
        assert_eq!(disk.len(), articles.len() as u64);
    }

    #[test]
    fn a_foresight_of_counted_terms_writes_the_index_a_foreseen_load_writes() {
        let articles = corpus();
        let options = IndexOptions::default();
        let (foreseen, counted) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut w = DiskWriter::open(foreseen.path(), options.clone()).unwrap();
        load_in_parts(&mut w, &articles, 3);
        drop(w);
        // Told at once, from terms counted for something else (placing),
        // gathered in two parts.
        let gather = |part: &[Article]| {
            let mut sight = Foresight::default();
            for a in part {
                sight.add_counted(&Counted::of(&options, a, &[]));
            }
            sight
        };
        let mut sight = gather(&articles[..2]);
        sight.absorb(gather(&articles[2..]));
        assert_eq!(sight.count(), articles.len() as u64);
        let mut w = DiskWriter::open(counted.path(), options.clone()).unwrap();
        w.foresee_all(sight);
        add_in_parts(&mut w, &articles, 3);
        assert_eq!(w.progress().norms_at, articles.len() as u64);
        drop(w);
        let (a, b) = (
            DiskIndex::open(foreseen.path(), options.clone()).unwrap(),
            DiskIndex::open(counted.path(), options).unwrap(),
        );
        for article in &articles {
            let (x, y) = (
                a.similar(&article.id, 5, &Filter::default(), &[])
                    .unwrap()
                    .unwrap(),
                b.similar(&article.id, 5, &Filter::default(), &[])
                    .unwrap()
                    .unwrap(),
            );
            assert_same(&x, &y);
            let scores = |p: &SimilarPosts| p.similar.iter().map(|s| s.score.to_bits()).collect::<Vec<_>>();
            assert_eq!(scores(&x), scores(&y), "{}: the lengths are the same", article.id);
        }
    }

    #[test]
    fn the_merges_a_few_documents_at_a_time_start_are_kept_once_closed() {
        let dir = tempfile::tempdir().unwrap();
        let many = (0..1_100)
            .map(|i| {
                article(
                    &format!("n{i}"),
                    &format!("Note {i}"),
                    &format!("Harbour note {i} of many."),
                )
            })
            .collect::<Vec<_>>();
        let mut w = DiskWriter::open(dir.path(), IndexOptions::default()).unwrap();
        for a in &many {
            w.add(a, &[]).unwrap();
        }
        w.commit(many.len() as u64).unwrap();
        w.close().unwrap();
        // A document at a time, a writer each, as a server writes: each
        // commit makes a segment, and eight small ones are merged.
        for i in 0..9u64 {
            let mut w = DiskWriter::open(dir.path(), IndexOptions::default()).unwrap();
            w.add(
                &article(&format!("w{i}"), "Written", "One more harbour note."),
                &[],
            )
            .unwrap();
            w.commit(many.len() as u64 + i + 1).unwrap();
            w.close().unwrap();
        }
        let segments = segments(dir.path());
        assert!(segments < 9, "{segments} segments: the merges were thrown away");
        let index = DiskIndex::open(dir.path(), IndexOptions::default()).unwrap();
        assert_eq!(index.len(), 1_109);
    }

    #[test]
    fn a_commit_is_what_a_new_process_sees_and_records_its_progress() {
        let dir = tempfile::tempdir().unwrap();
        let articles = corpus();
        {
            let mut w = DiskWriter::open(dir.path(), IndexOptions::default()).unwrap();
            for a in &articles[..4] {
                w.add(a, &[]).unwrap();
            }
            w.commit(4).unwrap();
            // Added, never committed: a crash here loses these from the
            // index only, and the progress says where to resume.
            for a in &articles[4..] {
                w.add(a, &[]).unwrap();
            }
        }
        let index = DiskIndex::open(dir.path(), IndexOptions::default()).unwrap();
        assert_eq!(index.progress().unwrap().seq, 4);
        assert_eq!(index.len(), 4);
        assert!(!index.contains("e").unwrap());
        let mut w = DiskWriter::open(dir.path(), IndexOptions::default()).unwrap();
        assert_eq!(w.progress().seq, 4);
        for a in &articles[4..] {
            w.add(a, &[]).unwrap();
        }
        w.commit(8).unwrap();
        index.reload().unwrap();
        assert_eq!((index.len(), index.progress().unwrap().seq), (8, 8));
    }

    #[test]
    fn an_index_written_by_an_older_version_is_written_again() {
        let dir = tempfile::tempdir().unwrap();
        // Past the size where every commit takes every length again, so
        // writing everything again is what merges.
        let mut articles = corpus();
        articles.extend((0..1_100).map(|i| {
            article(
                &format!("n{i}"),
                &format!("Note {i}"),
                &format!("Harbour note {i} of many."),
            )
        }));
        let n = articles.len() as u64;
        let mut w = DiskWriter::open(dir.path(), IndexOptions::default()).unwrap();
        assert_eq!(w.progress().format, FORMAT);
        for a in &articles {
            w.add(a, &[]).unwrap();
        }
        w.commit(n).unwrap();
        w.close().unwrap();
        // The payload an older version committed, without a format.
        let index = open_or_create(dir.path(), Access::InOrder).unwrap();
        let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let mut prepared = writer.prepare_commit().unwrap();
        prepared.set_payload(&format!(r#"{{"seq":{n},"norms_at":{n}}}"#));
        prepared.commit().unwrap();
        drop(writer);
        let mut w = DiskWriter::open(dir.path(), IndexOptions::default()).unwrap();
        assert_eq!(w.progress().seq, 0, "every article is to be written again");
        assert_eq!(w.progress().format, FORMAT);
        assert_eq!(w.progress().norms_at, n);
        // Written again as the engine catches up (each replacing its
        // document, in parts), the index ends in one segment, with every
        // article once and copies still found.
        load_in_parts(&mut w, &articles, 500);
        w.close().unwrap();
        assert_eq!(segments(dir.path()), 1);
        let disk = DiskIndex::open(dir.path(), IndexOptions::default()).unwrap();
        assert_eq!(disk.len(), n);
        let first = disk.similar("a", 5, &Filter::default(), &[]).unwrap().unwrap();
        assert_eq!(first.duplicates, ["a-copy"]);
    }

    #[test]
    fn a_new_article_changes_an_older_articles_similar_posts() {
        let dir = tempfile::tempdir().unwrap();
        let articles = corpus();
        let by_id = |id: &str| articles.iter().find(|a| a.id == id).unwrap().clone();
        let mut w = DiskWriter::open(dir.path(), IndexOptions::default()).unwrap();
        for id in ["a", "c", "f"] {
            w.add(&by_id(id), &[]).unwrap();
        }
        w.commit(3).unwrap();
        let index = DiskIndex::reading(w.index().clone(), IndexOptions::default()).unwrap();
        let shown = |index: &DiskIndex| {
            let s = index.similar("a", 5, &Filter::default(), &[]).unwrap().unwrap();
            s.similar.into_iter().map(|p| p.id).collect::<Vec<_>>()
        };
        assert!(!shown(&index).contains(&"e".to_string()));
        w.add(&by_id("e"), &[]).unwrap();
        w.commit(4).unwrap();
        index.reload().unwrap();
        assert_eq!(shown(&index).first().map(String::as_str), Some("e"));
        // An article stored again with other text replaces its document.
        let changed = article("e", "Oslo storms", "Storms closed the airport in Oslo.");
        w.add(&changed, &[]).unwrap();
        w.commit(5).unwrap();
        index.reload().unwrap();
        assert_eq!(index.len(), 4);
        assert!(!shown(&index).contains(&"e".to_string()));
    }
}
