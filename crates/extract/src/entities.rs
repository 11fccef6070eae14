//! The named entities of one article: mentions found by the tagger in each
//! sentence, grouped into one entity per real thing, with aliases, roles
//! and the character span of every mention.
//!
//! Grouping within an article follows how news names things: the full name
//! first, the surname after ("Vladimir Putin" … "Putin"); an organisation
//! first in full, then shortened from the end ("Wagner Group" … "Wagner").
//! Roles come from the title before a person's name ("Russian President
//! Vladimir Putin") or an apposition after it ("Evgeny Prigozhin, the chief
//! of Wagner,"). A demonym ("Belarusian") names its country. Linking
//! entities across articles is not done here.

use crate::ner::{entities as spans, Tagger};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use storyline_core::sentence::sentence_spans;
use storyline_core::Deadline;
use unicode_segmentation::UnicodeSegmentation;

/// One place in the text where an entity is named; `start`/`end` are
/// character (not byte) offsets into the article's `text`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Unique within the article: "e1", "e2", … in order of first mention.
    pub id: String,
    pub name: String,
    /// PERSON, ORG, PLACE or MISC.
    #[serde(rename = "type")]
    pub kind: String,
    pub aliases: Vec<String>,
    pub roles: Vec<String>,
    pub mentions: Vec<Mention>,
    /// Comparison forms of the name and aliases, and of the name's words
    /// (kept beside them so grouping does not recompute them per mention).
    #[serde(skip)]
    keys: Vec<u64>,
    #[serde(skip)]
    name_words: Vec<u64>,
}

impl Entity {
    fn refresh_keys(&mut self) {
        self.keys = std::iter::once(&self.name)
            .chain(&self.aliases)
            .map(|n| key_hash(n))
            .collect();
        self.name_words = self.name.split_whitespace().map(key_hash).collect();
    }
}

/// The comparison form of a name, hashed: names are compared often, and
/// equal hashes of 64 bits are equal names in practice.
fn key_hash(s: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(key(s).as_bytes())
}

/// A mention's comparison forms, computed once.
struct MentionKey {
    whole: u64,
    words: Vec<u64>,
}

impl MentionKey {
    fn new(m: &str) -> MentionKey {
        MentionKey {
            whole: key_hash(m),
            words: m.split_whitespace().map(key_hash).collect(),
        }
    }
}

/// Country demonyms and their countries (the most frequent in world news).
const DEMONYMS: &[(&str, &str)] = &[
    ("afghan", "Afghanistan"),
    ("american", "United States"),
    ("argentine", "Argentina"),
    ("australian", "Australia"),
    ("austrian", "Austria"),
    ("belarusian", "Belarus"),
    ("belgian", "Belgium"),
    ("brazilian", "Brazil"),
    ("british", "Britain"),
    ("canadian", "Canada"),
    ("chinese", "China"),
    ("colombian", "Colombia"),
    ("cuban", "Cuba"),
    ("czech", "Czech Republic"),
    ("danish", "Denmark"),
    ("dutch", "Netherlands"),
    ("egyptian", "Egypt"),
    ("english", "England"),
    ("ethiopian", "Ethiopia"),
    ("finnish", "Finland"),
    ("french", "France"),
    ("georgian", "Georgia"),
    ("german", "Germany"),
    ("greek", "Greece"),
    ("hungarian", "Hungary"),
    ("indian", "India"),
    ("indonesian", "Indonesia"),
    ("iranian", "Iran"),
    ("iraqi", "Iraq"),
    ("irish", "Ireland"),
    ("israeli", "Israel"),
    ("italian", "Italy"),
    ("japanese", "Japan"),
    ("kazakh", "Kazakhstan"),
    ("kenyan", "Kenya"),
    ("korean", "Korea"),
    ("lebanese", "Lebanon"),
    ("libyan", "Libya"),
    ("mexican", "Mexico"),
    ("moroccan", "Morocco"),
    ("nigerian", "Nigeria"),
    ("norwegian", "Norway"),
    ("pakistani", "Pakistan"),
    ("palestinian", "Palestine"),
    ("polish", "Poland"),
    ("portuguese", "Portugal"),
    ("romanian", "Romania"),
    ("russian", "Russia"),
    ("saudi", "Saudi Arabia"),
    ("scottish", "Scotland"),
    ("serbian", "Serbia"),
    ("south african", "South Africa"),
    ("spanish", "Spain"),
    ("swedish", "Sweden"),
    ("swiss", "Switzerland"),
    ("syrian", "Syria"),
    ("taiwanese", "Taiwan"),
    ("thai", "Thailand"),
    ("turkish", "Turkey"),
    ("ukrainian", "Ukraine"),
    ("venezuelan", "Venezuela"),
    ("vietnamese", "Vietnam"),
    ("welsh", "Wales"),
    ("yemeni", "Yemen"),
];

/// Words that may stand in a title before a name besides capitalised ones.
const TITLE_GLUE: &[&str] = &["of", "for", "the", "and"];

/// A token: byte range in the text and the form the tagger sees.
struct Token {
    start: usize,
    end: usize,
    form: String,
}

/// The sentences of `text` as CoNLL-style tokens: what the tagger reads.
pub fn token_sentences(text: &str) -> Vec<Vec<String>> {
    sentence_spans(text)
        .into_iter()
        .map(|(from, to)| tokens(text, from, to).into_iter().map(|t| t.form).collect())
        .collect()
}

/// Words and punctuation of one sentence, CoNLL-style: "Russia’s" is
/// "Russia" and "'s".
fn tokens(text: &str, from: usize, to: usize) -> Vec<Token> {
    let mut out = Vec::new();
    for (offset, piece) in text[from..to].split_word_bound_indices() {
        if piece.trim().is_empty() {
            continue;
        }
        let start = from + offset;
        let plain = piece.replace(['’', '‘'], "'");
        if plain.len() > 2 && (plain.ends_with("'s") || plain.ends_with("'S")) {
            let cut = piece.len() - piece.chars().rev().take(2).map(char::len_utf8).sum::<usize>();
            out.push(Token {
                start,
                end: start + cut,
                form: plain[..plain.len() - 2].to_string(),
            });
            out.push(Token {
                start: start + cut,
                end: start + piece.len(),
                form: "'s".into(),
            });
        } else {
            out.push(Token {
                start,
                end: start + piece.len(),
                form: plain,
            });
        }
    }
    join_hyphens(out)
}

/// "Rostov", "-", "on", "-", "Don" written without spaces are one word.
fn join_hyphens(tokens: Vec<Token>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut iter = tokens.into_iter().peekable();
    while let Some(t) = iter.next() {
        let glued = t.form == "-"
            && out
                .last()
                .is_some_and(|p| p.end == t.start && p.form.chars().all(|c| c.is_alphanumeric() || c == '-'))
            && iter
                .peek()
                .is_some_and(|n| n.start == t.end && n.form.chars().all(char::is_alphanumeric));
        if glued {
            let next = iter.next().expect("peeked");
            let prev = out.last_mut().expect("checked");
            prev.form = format!("{}-{}", prev.form, next.form);
            prev.end = next.end;
        } else {
            out.push(t);
        }
    }
    out
}

/// A mention before grouping: token range in its sentence and the tag type.
struct Found {
    kind: &'static str,
    start: usize,
    end: usize,
    text: String,
    role: Option<String>,
}

fn entity_type(tag: &str) -> &'static str {
    match tag {
        "PER" => "PERSON",
        "ORG" => "ORG",
        "LOC" => "PLACE",
        _ => "MISC",
    }
}

fn is_capitalised(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_uppercase)
}

/// Bytes of text from which it is tokenised and tagged on two threads: a
/// long article's sentences are split in halves so its latency is not one
/// core's.
const PARALLEL_BYTES: usize = 12_000;

/// A sentence's tokens, their forms and their tags.
type Tagged = (Vec<Token>, Vec<String>, Vec<&'static str>);

/// The sentences of `text` tokenised and tagged, in order, and the byte
/// where tagging stopped when `deadline` passed first (the sentences
/// returned are then the ones before it).
fn tag_all(
    tagger: &Tagger,
    text: &str,
    spans: &[(usize, usize)],
    deadline: &Deadline,
) -> (Vec<Tagged>, Option<usize>) {
    // Each part stops at the first sentence it meets after the deadline;
    // its result is the sentences before and where it stopped.
    let tag_part = |part: &[(usize, usize)]| -> (Vec<Tagged>, Option<usize>) {
        let mut cache = tagger.word_scores();
        let mut tagged = Vec::with_capacity(part.len());
        let mut stopped = None;
        for &(from, to) in part {
            if deadline.passed() {
                stopped = Some(from);
                break;
            }
            let toks = tokens(text, from, to);
            let forms: Vec<String> = toks.iter().map(|t| t.form.clone()).collect();
            let tags = tagger.tag_with(&forms, &mut cache);
            tagged.push((toks, forms, tags));
        }
        tagger.keep_word_scores(cache);
        (tagged, stopped)
    };
    if text.len() < PARALLEL_BYTES || spans.len() < 2 {
        return tag_part(spans);
    }
    let (first, second) = spans.split_at(spans.len() / 2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| tag_part(second));
        let (mut tagged, stopped) = tag_part(first);
        let (rest, rest_stopped) = other.join().expect("tagging thread panicked");
        // Only a prefix of the text counts as read: the second half is kept
        // only when the first was finished.
        if stopped.is_some() {
            return (tagged, stopped);
        }
        tagged.extend(rest);
        (tagged, rest_stopped)
    })
}

/// One sense per text: a name written the same way is the same kind of
/// thing throughout, the kind most of its mentions got (ties keep each
/// mention's own). "Wagner" is not a company in one sentence and a person
/// in the next.
fn vote_types(found: &mut [Found]) {
    let mut votes: FxHashMap<String, FxHashMap<&'static str, usize>> = FxHashMap::default();
    for f in found.iter() {
        *votes.entry(key(&f.text)).or_default().entry(f.kind).or_default() += 1;
    }
    for f in found.iter_mut() {
        let counts = &votes[&key(&f.text)];
        let own = counts[f.kind];
        if let Some((&kind, _)) = counts
            .iter()
            .filter(|(_, &n)| n > own)
            .max_by_key(|(k, &n)| (n, **k))
        {
            f.kind = kind;
        }
    }
}

/// Every mention the tagger finds, in text order, with byte offsets.
fn find(
    tagger: &Tagger,
    text: &str,
    sentences: &[(usize, usize)],
    deadline: &Deadline,
) -> (Vec<Found>, Option<usize>) {
    let mut found = Vec::new();
    let (tagged, stopped) = tag_all(tagger, text, sentences, deadline);
    for (toks, forms, tags) in tagged {
        let (toks, forms) = (toks.as_slice(), forms.as_slice());
        let mut sentence: Vec<(usize, usize, &'static str)> = spans(&tags)
            .into_iter()
            .map(|s| (s.start, s.end, entity_type(&s.kind)))
            .collect();
        merge_possessive_orgs(&mut sentence, forms);
        if is_title_case(forms) {
            sentence.retain(|&(_, _, kind)| kind == "PERSON" || kind == "PLACE");
        }
        for &(s, e, kind) in &sentence {
            // Quotation marks and dashes the tagger took into a name are not part of it.
            let wordy = |i: &usize| forms[*i].chars().any(char::is_alphanumeric);
            let Some(s) = (s..e).find(wordy) else {
                continue;
            };
            let e = (s..e).rev().find(wordy).map_or(s + 1, |i| i + 1);
            // "This", "Additionally": a capitalised common word is not a name.
            if e - s == 1 && NOT_NAMES.contains(&forms[s].to_lowercase().as_str()) {
                continue;
            }
            let role = if kind == "PERSON" {
                role_of(text, toks, forms, &sentence, s, e)
            } else {
                None
            };
            found.push(Found {
                kind,
                start: toks[s].start,
                end: toks[e - 1].end,
                text: text[toks[s].start..toks[e - 1].end].to_string(),
                role,
            });
        }
    }
    (found, stopped)
}

/// Last words that make a name an organisation ("Russian Defense Ministry").
const ORG_HEADS: &[&str] = &[
    "ministry",
    "agency",
    "company",
    "group",
    "party",
    "council",
    "bank",
    "army",
    "office",
    "service",
    "committee",
    "commission",
    "union",
    "court",
    "department",
    "corporation",
    "association",
    "parliament",
];

/// "Russia 's Foreign Ministry" and "Chinese Foreign Ministry": a place
/// with a possessive, or a demonym, before an organisation are part of it;
/// a name ending in "Ministry", "Agency", … is an organisation.
fn merge_possessive_orgs(sentence: &mut Vec<(usize, usize, &'static str)>, forms: &[String]) {
    let mut i = 0;
    while i + 1 < sentence.len() {
        let (a, b) = (sentence[i], sentence[i + 1]);
        let possessive = a.2 == "PLACE" && b.0 == a.1 + 1 && forms[a.1] == "'s";
        let demonym = a.2 == "MISC" && b.0 == a.1 && a.1 - a.0 == 1 && is_demonym(&forms[a.0]);
        if b.2 == "ORG" && (possessive || demonym) {
            sentence[i] = (a.0, b.1, "ORG");
            sentence.remove(i + 1);
        }
        i += 1;
    }
    let is_head = |w: &str| ORG_HEADS.contains(&w.to_lowercase().as_str());
    for span in sentence.iter_mut() {
        if is_head(&forms[span.1 - 1]) && span.1 - span.0 > 1 {
            span.2 = "ORG";
        }
        // "the Wagner private military company", "the company Wagner".
        let described_after = forms[span.1..]
            .iter()
            .take(3)
            .take_while(|w| w.chars().all(char::is_lowercase))
            .any(|w| is_head(w));
        let described_before =
            span.0 > 0 && is_head(&forms[span.0 - 1]) && !is_capitalised(&forms[span.0 - 1]);
        let one_word = span.1 - span.0 == 1;
        if (span.2 == "MISC" || (span.2 == "PERSON" && one_word)) && (described_after || described_before) {
            span.2 = "ORG";
        }
    }
    add_headed_orgs(sentence, forms);
}

/// Capitalised words that open sentences and are never names alone.
const NOT_NAMES: &[&str] = &[
    "this",
    "that",
    "these",
    "those",
    "the",
    "a",
    "an",
    "it",
    "he",
    "she",
    "they",
    "we",
    "i",
    "you",
    "his",
    "her",
    "their",
    "its",
    "additionally",
    "however",
    "meanwhile",
    "moreover",
    "furthermore",
    "subsequently",
    "also",
    "but",
    "and",
    "or",
    "yesterday",
    "today",
    "tomorrow",
    "later",
    "earlier",
    "then",
    "still",
    "yet",
    "so",
];

/// "Russian Defense Ministry" where the tagger saw only "Russian": a run of
/// capitalised words ending in an organisation's head word ("Ministry",
/// "Agency", …) is an organisation, a demonym before it included.
fn add_headed_orgs(sentence: &mut Vec<(usize, usize, &'static str)>, forms: &[String]) {
    let is_head = |w: &str| ORG_HEADS.contains(&w.to_lowercase().as_str());
    let mut end = 0;
    while end < forms.len() {
        if !(is_capitalised(&forms[end]) && is_head(&forms[end])) {
            end += 1;
            continue;
        }
        let mut start = end;
        while start > 0
            && is_capitalised(&forms[start - 1])
            && !NOT_NAMES.contains(&forms[start - 1].to_lowercase().as_str())
        {
            start -= 1;
        }
        let run = (start, end + 1);
        let covered_as_org = sentence
            .iter()
            .any(|&(a, b, k)| k == "ORG" && a <= run.0 && run.1 <= b);
        let clashes = sentence.iter().any(|&(a, b, k)| {
            a < run.1 && run.0 < b && !(k == "MISC" && is_demonym(&forms[a]) && b - a == 1)
        });
        if run.1 - run.0 >= 2 && !covered_as_org && !clashes {
            sentence.retain(|&(a, b, _)| !(a < run.1 && run.0 < b));
            let at = sentence.partition_point(|&(a, _, _)| a < run.0);
            sentence.insert(at, (run.0, run.1, "ORG"));
        }
        end += 1;
    }
}

fn is_demonym(word: &str) -> bool {
    DEMONYMS.iter().any(|(d, _)| *d == key(word))
}

/// A line in title case ("High-Level Talks Between Beijing and Moscow") is
/// a heading: its capitals are style, so only people and places named in it
/// are kept.
fn is_title_case(forms: &[String]) -> bool {
    let words: Vec<&String> = forms
        .iter()
        .filter(|f| f.chars().count() > 3 && f.chars().all(char::is_alphabetic))
        .collect();
    words.len() >= 2 && words.iter().all(|w| is_capitalised(w))
}

/// The title before a person's name, or the apposition after it.
fn role_of(
    text: &str,
    toks: &[Token],
    forms: &[String],
    sentence: &[(usize, usize, &'static str)],
    s: usize,
    e: usize,
) -> Option<String> {
    // Before: a run of capitalised words (and glue words inside it).
    let mut b = s;
    while b > 0 {
        let w = &forms[b - 1];
        let inside_person = sentence
            .iter()
            .any(|&(ps, pe, k)| k == "PERSON" && b > ps && b - 1 < pe);
        if inside_person || !(is_capitalised(w) || (TITLE_GLUE.contains(&w.as_str()) && b - 1 > 0 && b < s)) {
            break;
        }
        b -= 1;
    }
    while b < s && (TITLE_GLUE.contains(&forms[b].to_lowercase().as_str())) {
        b += 1;
    }
    if b < s {
        return Some(text[toks[b].start..toks[s - 1].end].to_string());
    }
    // After: ", the chief of Wagner," (up to the next comma or the sentence end, short).
    if forms.get(e).is_some_and(|f| f == ",") {
        let mut j = e + 1;
        if forms
            .get(j)
            .is_some_and(|f| matches!(f.to_lowercase().as_str(), "the" | "a" | "an"))
        {
            j += 1;
        }
        let first = j;
        while j < forms.len() && !matches!(forms[j].as_str(), "," | "." | ";" | ":") && j - first < 8 {
            j += 1;
        }
        let closed = forms.get(j).is_some_and(|f| f == ",");
        let starts_as_role = forms
            .get(first)
            .is_some_and(|f| f.chars().all(char::is_lowercase));
        if closed && starts_as_role && j > first && j - first < 8 {
            return Some(text[toks[first].start..toks[j - 1].end].to_string());
        }
    }
    None
}

fn key(s: &str) -> String {
    s.to_lowercase().replace(['’', '‘'], "'")
}

/// Whether mention `m` names entity `e` (see the module notes).
fn same_thing(e: &Entity, kind: &str, m: &MentionKey) -> bool {
    if e.keys.contains(&m.whole) {
        return true;
    }
    let (name_words, mk_words) = (&e.name_words, &m.words);
    match (e.kind.as_str(), kind) {
        // "Putin" after "Vladimir Putin", or "Vladimir Putin" after "Putin".
        ("PERSON", "PERSON") => name_words.ends_with(mk_words) || mk_words.ends_with(name_words),
        // "Wagner" after "Wagner Group", whatever the tagger called it.
        ("ORG", "ORG" | "MISC") => mk_words.len() < name_words.len() && name_words.starts_with(mk_words),
        ("MISC", "ORG") => name_words.len() < mk_words.len() && mk_words.starts_with(name_words),
        _ => false,
    }
}

/// Byte → character offsets for positions visited mostly in increasing
/// order: counts only the characters since the last position asked.
struct CharOffsets<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl CharOffsets<'_> {
    fn at(&mut self, byte: usize) -> usize {
        if byte < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        self.chars += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

/// The entities of `text`, in order of first mention.
pub fn extract(tagger: &Tagger, text: &str) -> Vec<Entity> {
    extract_within(tagger, text, &Deadline::none()).0
}

/// Like [`extract`], reading sentences until `deadline` passes: the
/// entities of the sentences read, and the character offset where reading
/// stopped when it did not reach the end.
pub fn extract_within(tagger: &Tagger, text: &str, deadline: &Deadline) -> (Vec<Entity>, Option<usize>) {
    extract_over(tagger, text, &sentence_spans(text), deadline)
}

/// [`extract_within`] over the text's `sentences` (`sentence_spans`),
/// which the whole analysis finds once.
pub(crate) fn extract_over(
    tagger: &Tagger,
    text: &str,
    sentences: &[(usize, usize)],
    deadline: &Deadline,
) -> (Vec<Entity>, Option<usize>) {
    let mut offsets = CharOffsets {
        text,
        byte: 0,
        chars: 0,
    };
    let mut entities: Vec<Entity> = Vec::new();
    let (mut found, stopped) = find(tagger, text, sentences, deadline);
    vote_types(&mut found);
    for f in found {
        let (mut kind, mut name) = (f.kind.to_string(), f.text.clone());
        let mut alias = None;
        if kind == "MISC" || kind == "ORG" {
            let text_key = key(&f.text);
            if let Some((_, country)) = DEMONYMS.iter().find(|(d, _)| *d == text_key) {
                kind = "PLACE".into();
                alias = Some(f.text.clone());
                name = country.to_string();
            }
        }
        let mention = Mention {
            text: f.text.clone(),
            start: offsets.at(f.start),
            end: offsets.at(f.end),
        };
        let (by_name, by_text) = (MentionKey::new(&name), MentionKey::new(&f.text));
        let target = entities.iter().position(|e| {
            same_thing(e, &kind, &by_name) || (kind == "PERSON" && same_thing(e, &kind, &by_text))
        });
        let e = match target {
            Some(i) => &mut entities[i],
            None => {
                let id = format!("e{}", entities.len() + 1);
                entities.push(Entity {
                    id,
                    name: name.clone(),
                    kind: kind.clone(),
                    aliases: Vec::new(),
                    roles: Vec::new(),
                    mentions: Vec::new(),
                    keys: Vec::new(),
                    name_words: Vec::new(),
                });
                entities.last_mut().expect("just pushed")
            }
        };
        // The fullest form names the entity: "Vladimir Putin" over "Putin",
        // "Wagner Group" (an organisation) over "Wagner".
        let mut changed = e.keys.is_empty();
        if name.split_whitespace().count() > e.name.split_whitespace().count() && alias.is_none() {
            let shorter = std::mem::replace(&mut e.name, name.clone());
            let name_key = key(&name);
            e.aliases.retain(|a| key(a) != name_key);
            e.aliases.push(shorter);
            if kind == "ORG" {
                e.kind = kind.clone();
            }
            changed = true;
        }
        if changed {
            e.refresh_keys();
        }
        // `keys` holds the name's and every alias's comparison form.
        for form in [Some(name), alias, Some(f.text.clone())].into_iter().flatten() {
            let h = key_hash(&form);
            if !e.keys.contains(&h) {
                e.aliases.push(form);
                e.keys.push(h);
            }
        }
        if let Some(role) = f.role {
            if !e.roles.iter().any(|r| key(r) == key(&role)) {
                if !e
                    .aliases
                    .iter()
                    .any(|a| key(a) == key(&format!("{role} {}", f.text)))
                {
                    e.aliases.push(format!("{role} {}", f.text));
                }
                e.roles.push(role);
                e.refresh_keys();
            }
        }
        e.mentions.push(mention);
    }
    // Names are looked for again only in the part that was read.
    let read = &text[..stopped.unwrap_or(text.len())];
    add_missed_mentions(read, &mut entities);
    (entities, stopped.map(|_| read.chars().count()))
}

/// Finds an article's entity forms in its text, leftmost-longest. A
/// handful of forms per article: a packed (SIMD) searcher builds in a
/// fraction of an automaton's time, which per article cost more than the
/// search; an NFA where no packed searcher fits (many forms, or no SIMD).
enum FormFinder {
    Packed(aho_corasick::packed::Searcher),
    Automaton(aho_corasick::AhoCorasick),
}

impl FormFinder {
    fn new<'f>(forms: impl Iterator<Item = &'f str> + Clone) -> Option<FormFinder> {
        let packed = aho_corasick::packed::Config::new()
            .match_kind(aho_corasick::packed::MatchKind::LeftmostLongest)
            .builder()
            .extend(forms.clone())
            .build();
        if let Some(searcher) = packed {
            return Some(FormFinder::Packed(searcher));
        }
        aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .kind(Some(aho_corasick::AhoCorasickKind::NoncontiguousNFA))
            .build(forms)
            .ok()
            .map(FormFinder::Automaton)
    }

    fn find_iter<'t>(&'t self, text: &'t str) -> Box<dyn Iterator<Item = aho_corasick::Match> + 't> {
        match self {
            FormFinder::Packed(searcher) => Box::new(searcher.find_iter(text)),
            FormFinder::Automaton(automaton) => Box::new(automaton.find_iter(text)),
        }
    }
}

/// One sense per text: a name the tagger recognised once is the same
/// entity wherever else it is written ("Later that day, Prigozhin opted"
/// where the tagger saw no name). Adds those places as mentions: the
/// entity's name, its aliases and a person's surname, written exactly so,
/// as whole words, where no other mention is.
fn add_missed_mentions(text: &str, entities: &mut [Entity]) {
    // Every form of every entity, longest first per entity, found in one pass.
    let mut forms: Vec<(String, usize)> = Vec::new();
    for (i, e) in entities.iter().enumerate() {
        let surname = (e.kind == "PERSON")
            .then(|| e.name.split_whitespace().last())
            .flatten();
        for f in std::iter::once(e.name.as_str())
            .chain(e.aliases.iter().map(String::as_str))
            .chain(surname)
        {
            if f.chars().count() >= 3
                && f.starts_with(char::is_uppercase)
                && !forms.iter().any(|(g, _)| g == f)
            {
                forms.push((f.to_string(), i));
            }
        }
    }
    if forms.is_empty() {
        return;
    }
    let Some(finder) = FormFinder::new(forms.iter().map(|(f, _)| f.as_str())) else {
        return;
    };
    let offsets = crate::mentions::Offsets::new(text);
    let mut taken: Vec<(usize, usize)> = entities
        .iter()
        .flat_map(|e| e.mentions.iter().map(|m| (m.start, m.end)))
        .collect();
    taken.sort_unstable();
    let is_word = |c: char| c.is_alphanumeric() || c == '-';
    let mut added = Vec::new();
    for m in finder.find_iter(text) {
        let (byte, end) = (m.start(), m.end());
        if text[..byte].ends_with(is_word) || text[end..].starts_with(is_word) {
            continue;
        }
        let (start_char, end_char) = (offsets.char(byte), offsets.char(end));
        // Taken spans are sorted and do not overlap each other much: look
        // at those starting before this one ends.
        let upto = taken.partition_point(|&(s, _)| s < end_char);
        if taken[..upto].iter().rev().take(4).any(|&(_, t)| start_char < t) {
            continue;
        }
        let (form, entity) = &forms[m.pattern().as_usize()];
        added.push((
            *entity,
            Mention {
                text: form.clone(),
                start: start_char,
                end: end_char,
            },
        ));
    }
    for (entity, mention) in added {
        entities[entity].mentions.push(mention);
    }
    for e in entities.iter_mut() {
        e.mentions.sort_by_key(|m| m.start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The packed searcher finds what the automaton finds: the same
    /// leftmost-longest matches, with forms that share prefixes, overlap
    /// and recur.
    #[test]
    fn form_finders_agree() {
        let forms = [
            "Wagner",
            "Wagner Group",
            "Prigozhin",
            "Yevgeny Prigozhin",
            "Moscow",
            "Mosc",
            "Group",
            "Foreign Ministry",
            "Ministry",
            "Beijing",
            "Bei",
        ];
        let text = "Yevgeny Prigozhin led the Wagner Group to Moscow; the Foreign Ministry in \
                    Beijing said Wagner and Prigozhin were a Moscow matter. Group Ministry Bei";
        let packed = FormFinder::new(forms.iter().copied()).expect("a finder");
        assert!(
            matches!(packed, FormFinder::Packed(_)),
            "a few forms take the packed searcher"
        );
        let automaton = FormFinder::Automaton(
            aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .build(forms)
                .expect("an automaton"),
        );
        let spans = |f: &FormFinder| -> Vec<(usize, usize, usize)> {
            f.find_iter(text)
                .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
                .collect()
        };
        let found = spans(&packed);
        assert_eq!(found, spans(&automaton));
        let texts: Vec<&str> = found.iter().map(|&(s, e, _)| &text[s..e]).collect();
        assert_eq!(
            &texts[..4],
            ["Yevgeny Prigozhin", "Wagner Group", "Moscow", "Foreign Ministry"]
        );
    }

    #[test]
    fn tokens_split_possessives_and_keep_offsets() {
        let text = "Russia’s Foreign Ministry met in Rostov-on-Don.";
        let t = tokens(text, 0, text.len());
        let forms: Vec<&str> = t.iter().map(|t| t.form.as_str()).collect();
        assert_eq!(
            forms,
            vec![
                "Russia",
                "'s",
                "Foreign",
                "Ministry",
                "met",
                "in",
                "Rostov-on-Don",
                "."
            ]
        );
        assert_eq!(&text[t[1].start..t[1].end], "’s");
    }

    #[test]
    fn surnames_and_short_names_join_the_full_name() {
        let mut e = Entity {
            id: "e1".into(),
            name: "Vladimir Putin".into(),
            kind: "PERSON".into(),
            aliases: vec![],
            roles: vec![],
            mentions: vec![],
            keys: vec![],
            name_words: vec![],
        };
        e.refresh_keys();
        assert!(same_thing(&e, "PERSON", &MentionKey::new("Putin")));
        assert!(!same_thing(&e, "PERSON", &MentionKey::new("Vladimir")));
        e.name = "Wagner Group".into();
        e.kind = "ORG".into();
        e.refresh_keys();
        assert!(same_thing(&e, "ORG", &MentionKey::new("Wagner")));
        assert!(!same_thing(&e, "ORG", &MentionKey::new("Group")));
    }
}
