//! Linking from kept state, a part at a time. A catalogue made with
//! `Catalog::kept` holds only the entities and index entries that linking
//! some articles reads or writes: `prepare` loads them from a
//! [`LinkerMemory`] before the articles are added, `take_delta` hands back
//! what linking changed and `take_articles` what each article named, for
//! the caller to keep. So linking one article costs the same at a thousand
//! articles and at a million, and no process holds the whole catalogue.
//!
//! This module owns which keys and entities linking reads, and how they are
//! written as strings. Where they are kept is the caller's (the engine
//! keeps them in the store); the rules that decide what is one entity are
//! the parent module's.

use super::{
    first_letters, initials, key, org_core, words, Catalog, Linked, LinkedMention, LinkedQuote, Named, TYPES,
};
use crate::entities::Entity;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use storyline_core::EntityTerm;

/// The linker's indexes, as kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyMap {
    /// (type, name key) → the entity.
    Name,
    /// Surname → people.
    Surname,
    /// (surname, first three letters of the first name) → people.
    SurnameFirst,
    /// Surname → people named by it alone.
    SurnameAlone,
    /// An organisation's core words → organisations.
    OrgCore,
    /// (type, initials) → entities.
    Initials,
}

impl KeyMap {
    const ALL: [KeyMap; 6] = [
        KeyMap::Name,
        KeyMap::Surname,
        KeyMap::SurnameFirst,
        KeyMap::SurnameAlone,
        KeyMap::OrgCore,
        KeyMap::Initials,
    ];

    /// The number it is kept under.
    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn from_code(code: u8) -> Option<KeyMap> {
        KeyMap::ALL.get(usize::from(code)).copied()
    }
}

/// One entry of one of the linker's indexes: the index, and its key
/// written as one string (parts joined by U+001F, an organisation's core
/// words by spaces).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IndexKey {
    pub map: KeyMap,
    pub key: String,
}

const SEP: char = '\u{1f}';

impl IndexKey {
    pub(super) fn name(kind: &str, name: &str) -> IndexKey {
        IndexKey {
            map: KeyMap::Name,
            key: format!("{kind}{SEP}{name}"),
        }
    }

    pub(super) fn initials(kind: &str, initials: &str) -> IndexKey {
        IndexKey {
            map: KeyMap::Initials,
            key: format!("{kind}{SEP}{initials}"),
        }
    }

    pub(super) fn surname(surname: &str) -> IndexKey {
        IndexKey {
            map: KeyMap::Surname,
            key: surname.to_string(),
        }
    }

    pub(super) fn surname_alone(surname: &str) -> IndexKey {
        IndexKey {
            map: KeyMap::SurnameAlone,
            key: surname.to_string(),
        }
    }

    pub(super) fn surname_first(surname: &str, first: &str) -> IndexKey {
        IndexKey {
            map: KeyMap::SurnameFirst,
            key: format!("{surname}{SEP}{first}"),
        }
    }

    pub(super) fn org_core(core: &[String]) -> IndexKey {
        IndexKey {
            map: KeyMap::OrgCore,
            key: core.join(" "),
        }
    }

    /// The two parts of a (type, key) or (surname, first) key.
    fn pair(&self) -> Option<(String, String)> {
        let (a, b) = self.key.split_once(SEP)?;
        Some((a.to_string(), b.to_string()))
    }
}

/// An entity as the linker keeps it: what linking further articles reads,
/// without its mentions, quotes or articles (which grow with the store).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityRecord {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub aliases: Vec<String>,
    pub roles: Vec<String>,
    type_votes: [usize; 4],
    name_keys: Vec<String>,
    role_keys: Vec<String>,
}

/// What linking changed since the last `take_delta`.
#[derive(Debug, Default)]
pub(super) struct Changed {
    pub(super) entities: FxHashSet<usize>,
    pub(super) keys: FxHashSet<IndexKey>,
}

/// What linking changed, to keep: each changed entity's record at its
/// index, and each changed index entry with its value as `LinkerMemory`
/// gives it back (entity indexes separated by spaces).
#[derive(Debug, Default)]
pub struct LinkerDelta {
    pub entities: Vec<(usize, EntityRecord)>,
    pub keys: Vec<(IndexKey, String)>,
}

/// Where a kept catalogue reads the state linking needs.
pub trait LinkerMemory {
    type Error;
    /// The values kept for those of `keys` that have one.
    fn keys(&mut self, keys: &[IndexKey]) -> Result<Vec<(IndexKey, String)>, Self::Error>;
    /// The records kept at `indexes` (all of them exist).
    fn entities(&mut self, indexes: &[usize]) -> Result<Vec<(usize, EntityRecord)>, Self::Error>;
}

#[derive(Debug, thiserror::Error)]
pub enum KeptError<E> {
    #[error("reading the kept entity linking state: {0}")]
    Memory(E),
    #[error("the kept entity linking state does not hold together: {0}")]
    Corrupt(String),
}

/// A span of an article's text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// What one article says of one linked entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedLinks {
    /// The entity's index.
    pub entity: usize,
    /// The article's own ids (`e1`, …) of the entities linked to it.
    pub locals: Vec<String>,
    pub mentions: Vec<Span>,
    /// What it is quoted saying there.
    pub quotes: Vec<Span>,
    /// Statements about it there: the speaker's index and the sentence.
    pub said_about: Vec<(usize, Span)>,
}

/// The linked entities of one article, in order of first mention, and its
/// terms as the Similar Posts index takes them.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleLinks {
    pub article: String,
    pub named: Vec<NamedLinks>,
    pub terms: Vec<EntityTerm>,
}

/// Every index entry a name is looked up or filed under, whatever its type
/// turns out to be.
fn file_keys(name: &str, out: &mut FxHashSet<IndexKey>) {
    let k = key(name);
    let ini = initials(name);
    for t in TYPES {
        out.insert(IndexKey::name(t, &k));
        out.insert(IndexKey::initials(t, &k));
        if let Some(i) = &ini {
            out.insert(IndexKey::name(t, i));
            out.insert(IndexKey::initials(t, i));
        }
    }
    let w = words(name);
    if let Some(last) = w.last() {
        out.insert(IndexKey::surname(last));
        out.insert(IndexKey::surname_alone(last));
        out.insert(IndexKey::surname_first(last, &first_letters(&w[0])));
        out.insert(IndexKey::org_core(&org_core(&w)));
    }
}

fn parse_indexes(value: &str, count: usize) -> Result<Vec<usize>, String> {
    value
        .split(' ')
        .filter(|v| !v.is_empty())
        .map(|v| match v.parse::<usize>() {
            Ok(i) if i < count => Ok(i),
            _ => Err(format!("entity index {v:?} is not one of the {count} kept")),
        })
        .collect()
}

/// A kept surname or initials entry as linking uses it (see `DECIDING`;
/// stores written before it was kept in full).
fn deciding(list: &[usize]) -> Vec<usize> {
    list[..list.len().min(super::DECIDING)].to_vec()
}

fn write_indexes(list: &[usize]) -> String {
    list.iter().map(usize::to_string).collect::<Vec<_>>().join(" ")
}

impl Catalog {
    /// A catalogue that goes on linking from kept state of `count`
    /// entities, holding none of them until `prepare` loads them.
    pub fn kept(count: usize) -> Catalog {
        let mut catalog = Catalog::new();
        catalog.entities.set_len(count);
        catalog.changed = Some(Changed::default());
        catalog
    }

    /// Loads what adding articles naming `entities` reads or writes: the
    /// index entries their names are looked up and filed under, the
    /// entities those name (the only ones they can join), and the entries
    /// of those entities' own names (filed again when one joins). Call it
    /// before `add` / `add_analysis` on a `kept` catalogue.
    pub fn prepare<M: LinkerMemory>(
        &mut self,
        entities: &[&Entity],
        memory: &mut M,
    ) -> Result<(), KeptError<M::Error>> {
        let mut wanted = FxHashSet::default();
        let mut names: FxHashSet<&str> = FxHashSet::default();
        for e in entities {
            for n in Catalog::names_of(e) {
                if !self.prepared.contains(n.as_str()) && names.insert(n) {
                    file_keys(n, &mut wanted);
                }
            }
        }
        self.load_keys(&wanted, memory)?;
        // Every entity those entries name, whether the entries were loaded
        // now or before (as another entity's names, whose entities were not).
        let mut missing: Vec<usize> = wanted
            .iter()
            .flat_map(|k| self.entries_of(k))
            .filter(|&i| self.entities.get(i).is_none())
            .collect();
        missing.sort_unstable();
        missing.dedup();
        if !missing.is_empty() {
            self.load_missing(&missing, memory)?;
        }
        self.prepared.extend(names.into_iter().map(str::to_string));
        Ok(())
    }

    /// Loads the entities at `missing` (sorted) and the index entries of
    /// their names.
    fn load_missing<M: LinkerMemory>(
        &mut self,
        missing: &[usize],
        memory: &mut M,
    ) -> Result<(), KeptError<M::Error>> {
        let mut wanted = FxHashSet::default();
        for (i, record) in memory.entities(missing).map_err(KeptError::Memory)? {
            if i >= self.entities.len() {
                return Err(KeptError::Corrupt(format!(
                    "an entity at index {i}, past the {}",
                    self.entities.len()
                )));
            }
            for n in std::iter::once(&record.name).chain(&record.aliases) {
                file_keys(n, &mut wanted);
            }
            self.install(i, record);
        }
        if let Some(&i) = missing.iter().find(|&&i| self.entities.get(i).is_none()) {
            return Err(KeptError::Corrupt(format!("no record of entity {i}")));
        }
        self.load_keys(&wanted, memory)?;
        Ok(())
    }

    /// Loads those of `wanted` not loaded yet.
    fn load_keys<M: LinkerMemory>(
        &mut self,
        wanted: &FxHashSet<IndexKey>,
        memory: &mut M,
    ) -> Result<(), KeptError<M::Error>> {
        let mut asked: Vec<IndexKey> = wanted
            .iter()
            .filter(|k| !self.loaded_keys.contains(*k))
            .cloned()
            .collect();
        // In the order they are kept in (by index, then key, bytewise):
        // each lookup then walks the pages the one before it walked, still
        // in the processor's caches, instead of a random path through a
        // table of millions of entries.
        asked.sort_unstable();
        for (k, value) in memory.keys(&asked).map_err(KeptError::Memory)? {
            let list = parse_indexes(&value, self.entities.len()).map_err(KeptError::Corrupt)?;
            self.file_loaded(&k, &list).map_err(KeptError::Corrupt)?;
        }
        self.loaded_keys.extend(asked);
        Ok(())
    }

    /// The entities index entry `k` names here.
    fn entries_of(&self, k: &IndexKey) -> Vec<usize> {
        let pair = k.pair();
        let list = match k.map {
            KeyMap::Name => {
                return pair
                    .and_then(|p| self.by_name.get(&p))
                    .into_iter()
                    .copied()
                    .collect()
            }
            KeyMap::Initials => pair.and_then(|p| self.by_initials.get(&p)),
            KeyMap::SurnameFirst => pair.and_then(|p| self.by_surname_first.get(&p)),
            KeyMap::Surname => self.by_surname.get(&k.key),
            KeyMap::SurnameAlone => self.by_surname_alone.get(&k.key),
            KeyMap::OrgCore => {
                let core: Vec<String> = k.key.split(' ').map(str::to_string).collect();
                self.by_org_core.get(&core)
            }
        };
        list.cloned().unwrap_or_default()
    }

    /// Puts a kept index entry in its index, unless linking here has
    /// written it already.
    fn file_loaded(&mut self, k: &IndexKey, list: &[usize]) -> Result<(), String> {
        let broken = || format!("a malformed key {:?} in index {:?}", k.key, k.map);
        match k.map {
            KeyMap::Name => {
                let &[at] = list else {
                    return Err(format!("name key {:?} names {} entities", k.key, list.len()));
                };
                self.by_name.entry(k.pair().ok_or_else(broken)?).or_insert(at);
            }
            KeyMap::Initials => {
                self.by_initials
                    .entry(k.pair().ok_or_else(broken)?)
                    .or_insert_with(|| deciding(list));
            }
            KeyMap::SurnameFirst => {
                self.by_surname_first
                    .entry(k.pair().ok_or_else(broken)?)
                    .or_insert_with(|| list.to_vec());
            }
            KeyMap::Surname => {
                self.by_surname
                    .entry(k.key.clone())
                    .or_insert_with(|| deciding(list));
            }
            KeyMap::SurnameAlone => {
                self.by_surname_alone
                    .entry(k.key.clone())
                    .or_insert_with(|| list.to_vec());
            }
            KeyMap::OrgCore => {
                let core: Vec<String> = k.key.split(' ').map(str::to_string).collect();
                self.by_org_core.entry(core).or_insert_with(|| list.to_vec());
            }
        }
        Ok(())
    }

    fn install(&mut self, i: usize, r: EntityRecord) {
        self.by_id.insert(r.id.clone(), i);
        self.entities.set(
            i,
            Linked {
                id: r.id,
                name: r.name,
                kind: r.kind,
                aliases: r.aliases,
                roles: r.roles,
                articles: Vec::new(),
                mentions: Vec::new(),
                quotes: Vec::new(),
                type_votes: r.type_votes,
                name_keys: r.name_keys.into_iter().collect(),
                role_keys: r.role_keys.into_iter().collect(),
                indexed: true,
            },
        );
    }

    /// The entity at `i` as the linker keeps it.
    fn record(&self, i: usize) -> EntityRecord {
        let e = &self.entities[i];
        let sorted = |set: &FxHashSet<String>| {
            let mut keys: Vec<String> = set.iter().cloned().collect();
            keys.sort_unstable();
            keys
        };
        EntityRecord {
            id: e.id.clone(),
            name: e.name.clone(),
            kind: e.kind.clone(),
            aliases: e.aliases.clone(),
            roles: e.roles.clone(),
            type_votes: e.type_votes,
            name_keys: sorted(&e.name_keys),
            role_keys: sorted(&e.role_keys),
        }
    }

    /// The value of index entry `k` as kept.
    fn value_of(&self, k: &IndexKey) -> String {
        write_indexes(&self.entries_of(k))
    }

    /// What linking changed since this was last called: the records of
    /// changed entities and the values of changed index entries, in order.
    pub fn take_delta(&mut self) -> LinkerDelta {
        let Some(changed) = self.changed.as_mut() else {
            return LinkerDelta::default();
        };
        let mut entities: Vec<usize> = changed.entities.drain().collect();
        let mut keys: Vec<IndexKey> = changed.keys.drain().collect();
        entities.sort_unstable();
        keys.sort_unstable();
        LinkerDelta {
            entities: entities.into_iter().map(|i| (i, self.record(i))).collect(),
            keys: keys
                .into_iter()
                .map(|k| {
                    let v = self.value_of(&k);
                    (k, v)
                })
                .collect(),
        }
    }

    /// What each article added since this was last called names, and
    /// forgets it (mentions, quotes, statements), keeping the entities and
    /// indexes loaded for the next articles. Articles in id order.
    pub fn take_articles(&mut self) -> Vec<ArticleLinks> {
        let mut articles: Vec<String> = self.by_article.keys().cloned().collect();
        articles.sort_unstable();
        let mut locals: rustc_hash::FxHashMap<(&str, usize), Vec<String>> = Default::default();
        for ((article, local), &at) in &self.of_article {
            locals
                .entry((article.as_str(), at))
                .or_default()
                .push(local.clone());
        }
        let mut said: rustc_hash::FxHashMap<(&str, usize), Vec<(usize, Span)>> = Default::default();
        for (&target, list) in &self.said_about {
            for (speaker, q) in list {
                said.entry((q.article.as_str(), target))
                    .or_default()
                    .push((*speaker, span(q)));
            }
        }
        let out = articles
            .iter()
            .map(|article| {
                let named = self.by_article[article]
                    .iter()
                    .map(|n| {
                        let e = &self.entities[n.entity];
                        let mut locals = locals.remove(&(article.as_str(), n.entity)).unwrap_or_default();
                        locals.sort_unstable();
                        NamedLinks {
                            entity: n.entity,
                            locals,
                            mentions: n
                                .mentions
                                .iter()
                                .map(|&m| {
                                    let m = &e.mentions[m as usize];
                                    Span {
                                        text: m.text.clone(),
                                        start: m.start,
                                        end: m.end,
                                    }
                                })
                                .collect(),
                            quotes: e
                                .quotes
                                .iter()
                                .filter(|q| &q.article == article)
                                .map(span)
                                .collect(),
                            said_about: said.remove(&(article.as_str(), n.entity)).unwrap_or_default(),
                        }
                    })
                    .collect();
                ArticleLinks {
                    article: article.clone(),
                    named,
                    terms: self.terms_of(article),
                }
            })
            .collect();
        let named: FxHashSet<usize> = self.by_article.values().flatten().map(|n| n.entity).collect();
        for i in named {
            let e = &mut self.entities[i];
            e.articles.clear();
            e.mentions.clear();
            e.quotes.clear();
        }
        self.by_article.clear();
        self.of_article.clear();
        self.said_about.clear();
        out
    }

    /// How many entities this catalogue holds in memory.
    pub fn loaded(&self) -> usize {
        self.entities.loaded()
    }
}

impl Catalog {
    /// A catalogue of kept links: the entities' `records` (every entity
    /// the links name, speakers of statements included) and what each of
    /// `articles` names, in the order they were linked. What entity and
    /// story pages read: the methods that answer them work on it as on a
    /// whole catalogue, over these articles only. Links to an entity
    /// without a record are left out.
    pub fn assemble(
        records: Vec<(usize, EntityRecord)>,
        articles: Vec<(String, Vec<NamedLinks>)>,
    ) -> Catalog {
        let mut catalog = Catalog::new();
        for (i, record) in records {
            catalog.install(i, record);
        }
        for (article, named) in articles {
            let mut list = Vec::with_capacity(named.len());
            for n in named {
                let Some(e) = catalog.entities.get_mut(n.entity) else {
                    continue;
                };
                let before = e.mentions.len() as u32;
                e.mentions.extend(n.mentions.iter().map(|m| LinkedMention {
                    article: article.clone(),
                    text: m.text.clone(),
                    start: m.start,
                    end: m.end,
                }));
                e.articles.push((article.clone(), n.mentions.len()));
                e.quotes.extend(n.quotes.iter().map(|q| quote(&article, q)));
                let after = e.mentions.len() as u32;
                for local in n.locals {
                    catalog.of_article.insert((article.clone(), local), n.entity);
                }
                for (speaker, said) in &n.said_about {
                    if catalog.entities.get(*speaker).is_some() {
                        catalog
                            .said_about
                            .entry(n.entity)
                            .or_default()
                            .push((*speaker, quote(&article, said)));
                    }
                }
                list.push(Named {
                    entity: n.entity,
                    mentions: (before..after).collect(),
                });
            }
            catalog.by_article.insert(article, list);
        }
        catalog
    }
}

/// The index entries a name is found under, whatever its type: how an
/// entity is looked up by name in kept links.
pub fn lookup_keys(name: &str) -> Vec<IndexKey> {
    let k = key(name);
    TYPES.iter().map(|t| IndexKey::name(t, &k)).collect()
}

fn quote(article: &str, s: &Span) -> LinkedQuote {
    LinkedQuote {
        article: article.to_string(),
        text: s.text.clone(),
        start: s.start,
        end: s.end,
    }
}

fn span(q: &LinkedQuote) -> Span {
    Span {
        text: q.text.clone(),
        start: q.start,
        end: q.end,
    }
}
