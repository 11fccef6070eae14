//! The on-disk index's schema and what one document holds: its fields
//! (the postings ranking walks, the fast columns it reads per candidate)
//! and the stored record each document is made from, so any document can
//! be written again with fresh norms from what the index itself keeps.
//! Not here: when documents are written (`writer`) or how they are
//! ranked (`reader`).

use crate::article_terms::{tf_idf, SpaceKind};
use crate::near_duplicates::{Signature, Specifics, SIGNATURE_LEN};
use serde::{Deserialize, Serialize};
use storyline_core::Published;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::{TantivyDocument, Term};
use xxhash_rust::xxh3::xxh3_64;

/// Term counts are kept in postings as whole numbers of this fraction:
/// the default field weights (2, 1.5, 1) and entity weights are exact.
pub(crate) const QUANTUM: f32 = 2.0;

/// The name the counts tokenizer is registered under.
pub(crate) const COUNTS_TOKENIZER: &str = "storyline_counts";

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
    /// The MinHash signature and specifics sketch, for copy checks that
    /// read no stored record ([`signature_bytes`]).
    pub signature: Field,
    /// The stored record ([`StoredDoc`], JSON).
    pub record: Field,
}

impl Fields {
    pub(crate) fn schema() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let terms = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(COUNTS_TOKENIZER)
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
            signature: b.add_bytes_field("signature", FAST),
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
    /// Terms from counts (`key → (surface, count)`, ascending by key),
    /// quantised; a key keeps no tab or line break (they separate terms in
    /// the field text).
    pub(crate) fn terms(counts: Vec<(String, (String, f32))>) -> Vec<StoredTerm> {
        counts
            .into_iter()
            .map(|(key, (surface, tf))| {
                let key = StoredDoc::key_of_term(key);
                let count = ((tf * QUANTUM).round() as u32).max(1);
                let surface = (surface != key).then_some(surface);
                StoredTerm(key, surface, count)
            })
            .collect()
    }

    /// Whether a record keeps counted term key `key` as it is
    /// (see [`StoredDoc::key_of_term`]).
    pub(crate) fn keeps_as_is(key: &str) -> bool {
        !key.contains(['\t', '\n'])
    }

    /// A counted term's key as a record keeps it: no tab or line break.
    pub(crate) fn key_of_term(key: String) -> String {
        if !StoredDoc::keeps_as_is(&key) {
            key.replace(['\t', '\n'], " ")
        } else {
            key
        }
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
            doc.add_text(field, counts_text(self.terms_of(kind)));
        }
        for (band, key) in crate::near_duplicates::band_keys(&self.signature().0).enumerate() {
            doc.add_u64(fields.bands, crate::near_duplicates::bucket_of(band, key));
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
        doc.add_bytes(
            fields.signature,
            &signature_bytes(&self.signature, &self.specifics),
        );
        doc.add_f64(fields.words_norm, f64::from(norms.0));
        doc.add_f64(fields.names_norm, f64::from(norms.1));
        doc.add_bytes(fields.record, &self.to_bytes());
        doc
    }
}

/// A signature and sketch as the `signature` column keeps them: the
/// values, then the sketch's hashes, little-endian.
fn signature_bytes(values: &[u16], specifics: &[u32]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(values.len() * 2 + specifics.len() * 4);
    for v in values {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    for h in specifics {
        bytes.extend_from_slice(&h.to_le_bytes());
    }
    bytes
}

/// The signature [`signature_bytes`] wrote; `None` when the bytes are not one.
pub(crate) fn signature_from_bytes(bytes: &[u8]) -> Option<Signature> {
    let (values, specifics) = bytes.split_at_checked(SIGNATURE_LEN * 2)?;
    if specifics.len() % 4 != 0 {
        return None;
    }
    let mut out = [0u16; SIGNATURE_LEN];
    for (v, pair) in out.iter_mut().zip(values.chunks_exact(2)) {
        *v = u16::from_le_bytes([pair[0], pair[1]]);
    }
    let hashes = specifics
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Some(Signature(out, Specifics::from_hashes(hashes)))
}

/// The text of a terms field: a line per term, its key and its count
/// apart by a tab, which [`CountsTokenizer`] reads back.
fn counts_text(terms: &[StoredTerm]) -> String {
    let mut text = String::with_capacity(terms.iter().map(|t| t.0.len() + 4).sum());
    for t in terms {
        text.push_str(&t.0);
        text.push('\t');
        text.push_str(&t.2.to_string());
        text.push('\n');
    }
    text
}

/// Reads the text [`counts_text`] writes as each term repeated as often as
/// it counts: tantivy keeps the repetitions as the term's frequency in the
/// document. One token is reused for every repetition, so a document's
/// thousands of repetitions cost no allocation each.
#[derive(Clone, Default)]
pub(crate) struct CountsTokenizer {
    token: Token,
}

impl Tokenizer for CountsTokenizer {
    type TokenStream<'a> = CountsStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CountsStream<'a> {
        self.token.reset();
        self.token.position = usize::MAX;
        CountsStream {
            lines: text.lines(),
            left: 0,
            token: &mut self.token,
        }
    }
}

pub(crate) struct CountsStream<'a> {
    lines: std::str::Lines<'a>,
    /// Repetitions of the current token still to give.
    left: u32,
    token: &'a mut Token,
}

impl TokenStream for CountsStream<'_> {
    fn advance(&mut self) -> bool {
        while self.left == 0 {
            let Some(line) = self.lines.next() else {
                return false;
            };
            let Some((key, count)) = line.rsplit_once('\t') else {
                continue;
            };
            self.token.text.clear();
            self.token.text.push_str(key);
            self.left = count.parse().unwrap_or(1);
        }
        self.left -= 1;
        self.token.position = self.token.position.wrapping_add(1);
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}
