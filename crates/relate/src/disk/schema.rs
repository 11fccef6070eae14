//! The on-disk index's schema and what one document holds: its fields
//! (the postings ranking walks, the fast columns it reads per candidate)
//! and the stored record each document is made from, so any document can
//! be written again with fresh norms from what the index itself keeps.
//! Not here: when documents are written (`writer`) or how they are
//! ranked (`reader`).

use crate::article_terms::{tf_idf, SpaceKind};
use crate::near_duplicates::{Signature, Specifics, SIGNATURE_LEN};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use storyline_core::Published;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::tokenizer::{PreTokenizedString, Token};
use tantivy::{TantivyDocument, Term};
use xxhash_rust::xxh3::xxh3_64;

/// Term counts are kept in postings as whole numbers of this fraction:
/// the default field weights (2, 1.5, 1) and entity weights are exact.
pub(crate) const QUANTUM: f32 = 2.0;

/// The index's fields, by handle.
#[derive(Clone, Copy)]
pub(crate) struct Fields {
    pub id: Field,
    pub words: Field,
    pub names: Field,
    /// MinHash band keys, for finding an arriving copy's report.
    pub bands: Field,
    /// The near-duplicate group's key (the hash of its first article's id).
    pub group: Field,
    pub day: Field,
    /// Hash of the source, lower-cased.
    pub source: Field,
    /// Hash of the language code.
    pub lang: Field,
    pub words_norm: Field,
    pub names_norm: Field,
    /// The stored record ([`StoredDoc`], JSON).
    pub record: Field,
}

impl Fields {
    pub(crate) fn schema() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let terms = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("raw")
                .set_fieldnorms(false)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let fields = Fields {
            id: b.add_text_field("id", STRING | FAST),
            words: b.add_text_field("words", terms.clone()),
            names: b.add_text_field("names", terms),
            bands: b.add_u64_field("bands", INDEXED),
            group: b.add_u64_field("group", INDEXED | FAST),
            day: b.add_i64_field("day", FAST),
            source: b.add_u64_field("source", FAST),
            lang: b.add_u64_field("lang", FAST),
            words_norm: b.add_f64_field("words_norm", FAST),
            names_norm: b.add_f64_field("names_norm", FAST),
            record: b.add_bytes_field("record", STORED),
        };
        (b.build(), fields)
    }

    pub(crate) fn space(&self, kind: SpaceKind) -> Field {
        match kind {
            SpaceKind::Words => self.words,
            SpaceKind::Names => self.names,
        }
    }

    pub(crate) fn id_term(&self, id: &str) -> Term {
        Term::from_field_text(self.id, id)
    }

    pub(crate) fn term(&self, kind: SpaceKind, key: &str) -> Term {
        Term::from_field_text(self.space(kind), key)
    }
}

/// The key of a string as the fast columns keep it.
pub(crate) fn key_of(s: &str) -> u64 {
    xxh3_64(s.as_bytes())
}

/// The key a source is filtered by (sources compare case-insensitively).
pub(crate) fn source_key(source: &str) -> u64 {
    key_of(&source.to_lowercase())
}

/// One term of a document: its key, how the article writes it (when that
/// differs), and its count in [`QUANTUM`]s.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct StoredTerm(pub String, pub Option<String>, pub u32);

impl StoredTerm {
    pub(crate) fn key(&self) -> &str {
        &self.0
    }

    pub(crate) fn surface(&self) -> &str {
        self.1.as_deref().unwrap_or(&self.0)
    }

    pub(crate) fn tf(&self) -> f32 {
        self.2 as f32 / QUANTUM
    }
}

/// Everything the index keeps of one article: enough to rank with it, to
/// explain a match, and to write its document again.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct StoredDoc {
    pub id: String,
    pub title: String,
    pub published: Option<Published>,
    pub source: Option<String>,
    pub lang: Option<String>,
    /// Terms ascending by key.
    pub words: Vec<StoredTerm>,
    pub names: Vec<StoredTerm>,
    /// The MinHash signature and specifics sketch (see `near_duplicates`).
    pub signature: Vec<u16>,
    pub specifics: Vec<u32>,
    /// The id of the first article of its near-duplicate group (its own
    /// when it leads one).
    pub group: String,
}

impl StoredDoc {
    /// Terms from counts (`key → (surface, count)`), quantised.
    pub(crate) fn terms(counts: BTreeMap<String, (String, f32)>) -> Vec<StoredTerm> {
        counts
            .into_iter()
            .map(|(key, (surface, tf))| {
                let count = ((tf * QUANTUM).round() as u32).max(1);
                let surface = (surface != key).then_some(surface);
                StoredTerm(key, surface, count)
            })
            .collect()
    }

    pub(crate) fn terms_of(&self, kind: SpaceKind) -> &[StoredTerm] {
        match kind {
            SpaceKind::Words => &self.words,
            SpaceKind::Names => &self.names,
        }
    }

    pub(crate) fn day(&self) -> Option<i32> {
        self.published.map(|p| p.day_number())
    }

    pub(crate) fn signature(&self) -> Signature {
        let mut values = [0u16; SIGNATURE_LEN];
        for (v, s) in values.iter_mut().zip(&self.signature) {
            *v = *s;
        }
        Signature(values, Specifics::from_hashes(self.specifics.clone()))
    }

    /// The length of its vector in `kind` when `n` documents are indexed
    /// and `df` says how many hold a term: what a document's weights are
    /// divided by (every term counts, also those no other document has).
    pub(crate) fn norm(&self, kind: SpaceKind, n: f32, mut df: impl FnMut(&str) -> f32) -> f32 {
        self.terms_of(kind)
            .iter()
            .map(|t| tf_idf(t.tf(), n, df(t.key()).max(1.0)).powi(2))
            .sum::<f32>()
            .sqrt()
            .max(f32::EPSILON)
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a stored document serialises")
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<StoredDoc> {
        serde_json::from_slice(bytes).ok()
    }

    /// The tantivy document for this record, with its vectors' norms.
    pub(crate) fn document(&self, fields: &Fields, norms: (f32, f32)) -> TantivyDocument {
        let mut doc = TantivyDocument::new();
        doc.add_text(fields.id, &self.id);
        for (kind, field) in [(SpaceKind::Words, fields.words), (SpaceKind::Names, fields.names)] {
            doc.add_pre_tokenized_text(field, tokens(self.terms_of(kind)));
        }
        for band in crate::near_duplicates::band_keys(&self.signature().0) {
            doc.add_u64(fields.bands, band);
        }
        doc.add_u64(fields.group, key_of(&self.group));
        if let Some(day) = self.day() {
            doc.add_i64(fields.day, i64::from(day));
        }
        if let Some(source) = &self.source {
            doc.add_u64(fields.source, source_key(source));
        }
        if let Some(lang) = &self.lang {
            doc.add_u64(fields.lang, key_of(lang));
        }
        doc.add_f64(fields.words_norm, f64::from(norms.0));
        doc.add_f64(fields.names_norm, f64::from(norms.1));
        doc.add_bytes(fields.record, &self.to_bytes());
        doc
    }
}

/// Each term repeated as often as it counts: tantivy keeps the repetitions
/// as the term's frequency in the document.
fn tokens(terms: &[StoredTerm]) -> PreTokenizedString {
    let mut tokens = Vec::with_capacity(terms.iter().map(|t| t.2 as usize).sum());
    for t in terms {
        for _ in 0..t.2 {
            tokens.push(Token {
                offset_from: 0,
                offset_to: 0,
                position: tokens.len(),
                text: t.0.clone(),
                position_length: 1,
            });
        }
    }
    PreTokenizedString {
        text: String::new(),
        tokens,
    }
}
