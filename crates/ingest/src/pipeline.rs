//! From parsed inputs to stored articles, in batches, with a running tally.
//!
//! Drafts are finished into articles and written to the store in batches, one
//! transaction each: an article counts as ingested only once its batch has
//! committed. The [`Summary`] is the shape `storyline ingest --json` prints.

use crate::{Parsed, Rejection};
use serde::Serialize;
use std::collections::BTreeMap;
use storyline_core::{Article, Limit, Limits};
use storyline_store::{Store, StoreError, Upsert};

/// The tally of an ingest run.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Summary {
    pub ingested: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: Vec<Rejection>,
    pub warnings: Vec<Rejection>,
    /// How often each configured limit was reached (records cut, skipped
    /// or rejected because of it); absent when none was.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub limits_hit: BTreeMap<Limit, u64>,
    /// Ids of the articles accepted, in input order (not printed).
    #[serde(skip)]
    pub ids: Vec<String>,
}

impl Summary {
    fn reject(&mut self, r: Rejection) {
        self.count_limit(&r);
        self.rejected.push(r);
    }

    fn warn(&mut self, r: Rejection) {
        self.count_limit(&r);
        self.warnings.push(r);
    }

    fn count_limit(&mut self, r: &Rejection) {
        if let Some(limit) = r.limit {
            *self.limits_hit.entry(limit).or_default() += 1;
        }
    }

    /// Articles the store now holds from this run (new, changed or already there).
    pub fn accepted(&self) -> u64 {
        self.ingested + self.updated + self.unchanged
    }
}

/// Told the running tally after each committed batch.
type CommitHook<'s> = Box<dyn FnMut(&Summary) + 's>;

/// Batches articles into a store.
pub struct Pipeline<'s> {
    store: &'s mut dyn Store,
    batch: Vec<Article>,
    batch_size: usize,
    limits: Limits,
    summary: Summary,
    on_commit: Option<CommitHook<'s>>,
}

impl<'s> Pipeline<'s> {
    /// A pipeline into `store`, `batch_size` articles per transaction,
    /// holding each article to `limits`.
    pub fn new(store: &'s mut dyn Store, batch_size: usize, limits: Limits) -> Pipeline<'s> {
        Pipeline {
            store,
            batch: Vec::new(),
            batch_size: batch_size.max(1),
            limits,
            summary: Summary::default(),
            on_commit: None,
        }
    }

    /// Called after every committed batch (for progress display).
    pub fn on_commit(mut self, f: impl FnMut(&Summary) + 's) -> Self {
        self.on_commit = Some(Box::new(f));
        self
    }

    /// Takes one input's results; writes a batch whenever one is full.
    pub fn accept(&mut self, parsed: Parsed) -> Result<(), StoreError> {
        for r in parsed.rejected {
            self.summary.reject(r);
        }
        for w in parsed.warnings {
            self.summary.warn(w);
        }
        for mut located in parsed.drafts {
            for done in located.draft.bound(&self.limits) {
                self.summary.warn(Rejection {
                    limit: done.limit,
                    ..Rejection::new(&located.input, located.line, done.what)
                });
            }
            let had_title = located
                .draft
                .title
                .as_deref()
                .is_some_and(|t| !t.trim().is_empty());
            match located.draft.finish() {
                Ok(article) => {
                    if !had_title {
                        self.summary.warn(Rejection::new(
                            &located.input,
                            located.line,
                            format!(
                                "no title; derived one from the first sentence: {:?}",
                                article.title
                            ),
                        ));
                    }
                    self.batch.push(article);
                    if self.batch.len() >= self.batch_size {
                        self.flush()?;
                    }
                }
                Err(e) => self
                    .summary
                    .reject(Rejection::new(&located.input, located.line, e.to_string())),
            }
        }
        Ok(())
    }

    /// Writes what is pending and returns the tally.
    pub fn finish(mut self) -> Result<Summary, StoreError> {
        self.flush()?;
        Ok(self.summary)
    }

    fn flush(&mut self) -> Result<(), StoreError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let outcomes = self.store.upsert(&self.batch)?;
        for (article, outcome) in self.batch.drain(..).zip(outcomes) {
            match outcome {
                Upsert::Inserted => self.summary.ingested += 1,
                Upsert::Updated => self.summary.updated += 1,
                Upsert::Unchanged => self.summary.unchanged += 1,
            }
            self.summary.ids.push(article.id);
        }
        if let Some(f) = self.on_commit.as_mut() {
            f(&self.summary);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_bytes;
    use storyline_store::SqliteStore;

    #[test]
    fn bad_records_are_tallied_and_good_ones_stored_and_re_ingest_is_a_no_op() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(dir.path()).unwrap();
        let jsonl = b"{\"id\":\"a\",\"title\":\"A\",\"text\":\"One.\"}\nbroken\n{\"id\":\"b\",\"text\":\"Two words here.\"}\n";
        for round in 0..2 {
            let mut p = Pipeline::new(&mut store, 1, Limits::default());
            p.accept(parse_bytes("x.jsonl", jsonl, None, &Limits::default()))
                .unwrap();
            let s = p.finish().unwrap();
            assert_eq!(s.rejected.len(), 1);
            assert_eq!(s.rejected[0].line, Some(2));
            assert_eq!(s.warnings.len(), 1, "b has no title");
            if round == 0 {
                assert_eq!((s.ingested, s.unchanged), (2, 0));
            } else {
                assert_eq!((s.ingested, s.unchanged), (0, 2));
            }
        }
        assert_eq!(store.count().unwrap(), 2);
    }
}
