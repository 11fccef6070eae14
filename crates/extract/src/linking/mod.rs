//! Entities across articles: one canonical entity per real thing, with
//! the aliases, roles, articles and quotes gathered from every article that
//! names it.
//!
//! Articles are linked in the order they are added: the engine adds them
//! as they arrive (so an id never changes once given), `build_entities` by
//! publication date, then id.
//!
//! An article's entity joins a canonical entity of the same type that
//! shares one of its names or aliases; failing that, a person named by surname alone joins
//! the only person with that surname, and a full name joins a person with
//! the same surname whose first name is a spelling variant ("Evgeny" /
//! "Evgeniy"); an organisation joins one whose name starts with its name or
//! with which its name starts ("Wagner" / "Wagner Group"). Otherwise it is
//! a new entity. An entity's id comes from its first name and type and
//! never changes, even when a fuller name later becomes its display name.
//! Finding entities within one article is `entities`; linking from kept
//! state, a part at a time, is `kept`.

mod kept;

pub use kept::{
    lookup_keys, ArticleLinks, EntityRecord, IndexKey, KeptError, KeyMap, LinkerDelta, LinkerMemory,
    NamedLinks, Span,
};

use crate::entities::Entity;
use crate::ner::Tagger;
use crate::Analysis;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use storyline_core::{Article, EntityTerm};

/// One real thing as named across the articles.
#[derive(Debug, Clone, Serialize)]
pub struct Linked {
    /// Stable: "ent-" and a hash of the first name seen and the type.
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub aliases: Vec<String>,
    pub roles: Vec<String>,
    /// The articles naming it, in the order they were added, and how many
    /// mentions each has.
    pub articles: Vec<(String, usize)>,
    /// Every place it is named: the article and the character span there.
    pub mentions: Vec<LinkedMention>,
    /// What it was quoted saying.
    pub quotes: Vec<LinkedQuote>,
    /// Mentions tagged with each type (as `TYPES`): the type is the one
    /// most of its mentions have.
    #[serde(skip)]
    type_votes: [usize; 4],
    /// The comparison forms (`key`) of its name and aliases, and of its
    /// roles: a new name or role is checked against these in constant time
    /// (an entity named in thousands of articles collects hundreds).
    #[serde(skip)]
    name_keys: FxHashSet<String>,
    #[serde(skip)]
    role_keys: FxHashSet<String>,
    /// Whether its names are in the catalogue's indexes (they are once it
    /// has absorbed a first mention, or when loaded from kept state).
    #[serde(skip)]
    indexed: bool,
}

/// One mention of a linked entity: the article and where in its text.
#[derive(Debug, Clone, Serialize)]
pub struct LinkedMention {
    pub article: String,
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// A quote by a linked entity, with the article and span it came from.
#[derive(Debug, Clone, Serialize)]
pub struct LinkedQuote {
    pub article: String,
    pub text: String,
    pub start: usize,
    pub end: usize,
}

impl Linked {
    pub fn mention_count(&self) -> usize {
        self.articles.iter().map(|(_, n)| n).sum()
    }
}

/// The canonical entities of a set of articles.
#[derive(Debug, Default)]
pub struct Catalog {
    entities: Slots,
    by_id: FxHashMap<String, usize>,
    /// (type, name key) → entity.
    by_name: FxHashMap<(String, String), usize>,
    /// Surname key → people with it.
    by_surname: FxHashMap<String, Vec<usize>>,
    /// (surname key, first three letters of the first name) → people:
    /// the only people a full name can join besides one-word ones.
    by_surname_first: FxHashMap<(String, String), Vec<usize>>,
    /// Surname key → people named by that one word.
    by_surname_alone: FxHashMap<String, Vec<usize>>,
    /// Core of the name (`org_core`) → organisations: a name can only join
    /// one with the same core.
    by_org_core: FxHashMap<Vec<String>, Vec<usize>>,
    /// (type, initials) → entities whose full name has those initials.
    by_initials: FxHashMap<(String, String), Vec<usize>>,
    /// (article id, entity id within the article) → entity.
    of_article: FxHashMap<(String, String), usize>,
    /// Target entity → (speaker entity, the sentence) of statements about
    /// it ("Lukashenko said Prigozhin was in St Petersburg").
    said_about: FxHashMap<usize, Vec<(usize, LinkedQuote)>>,
    /// Article id → the entities it names, in order of first mention,
    /// each with its mentions there: what an article's entities are is
    /// read without walking a widely named entity's every mention.
    by_article: FxHashMap<String, Vec<Named>>,
    /// What changed since the last `take_delta`, when this catalogue links
    /// from kept state (`kept`); `None` for one built whole in memory.
    changed: Option<kept::Changed>,
    /// The index entries loaded from kept state (`kept`), present or not.
    loaded_keys: FxHashSet<IndexKey>,
    /// Names whose index entries, and the entities those name, `prepare`
    /// has loaded: linking keeps both current in memory from then on, so
    /// a name met again needs nothing loaded.
    prepared: FxHashSet<String>,
}

/// The entities by index. A catalogue linking from kept state holds only
/// those it loaded, so an index below `len` may be empty there (and a page
/// that loads three entities of a million must not pay for a million
/// slots); a whole catalogue fills every index.
#[derive(Debug, Default)]
struct Slots {
    /// One past the highest index: the catalogue's entity count.
    len: usize,
    loaded: FxHashMap<usize, Box<Linked>>,
}

impl Slots {
    fn len(&self) -> usize {
        self.len
    }

    fn push(&mut self, entity: Linked) {
        self.loaded.insert(self.len, Box::new(entity));
        self.len += 1;
    }

    fn get(&self, i: usize) -> Option<&Linked> {
        self.loaded.get(&i).map(|e| &**e)
    }

    fn get_mut(&mut self, i: usize) -> Option<&mut Linked> {
        self.loaded.get_mut(&i).map(|e| &mut **e)
    }

    /// A catalogue of `len` entities, none loaded yet.
    fn set_len(&mut self, len: usize) {
        self.len = len;
    }

    /// Puts `entity` at `i` (the count grows to reach it).
    fn set(&mut self, i: usize, entity: Linked) {
        self.len = self.len.max(i + 1);
        self.loaded.insert(i, Box::new(entity));
    }

    /// How many are loaded.
    fn loaded(&self) -> usize {
        self.loaded.len()
    }

    /// The loaded entities, in index order.
    fn iter(&self) -> impl Iterator<Item = &Linked> {
        let mut at: Vec<usize> = self.loaded.keys().copied().collect();
        at.sort_unstable();
        at.into_iter().map(|i| &*self.loaded[&i])
    }
}

impl std::ops::Index<usize> for Slots {
    type Output = Linked;
    fn index(&self, i: usize) -> &Linked {
        self.get(i).expect("an entity is loaded before it is linked to")
    }
}

impl std::ops::IndexMut<usize> for Slots {
    fn index_mut(&mut self, i: usize) -> &mut Linked {
        self.get_mut(i)
            .expect("an entity is loaded before it is linked to")
    }
}

/// One entity as one article names it.
#[derive(Debug, Clone)]
struct Named {
    entity: usize,
    /// Indices into the entity's `mentions` of this article's mentions.
    mentions: Vec<u32>,
}

/// The entity types, in the order type votes are kept.
const TYPES: [&str; 4] = ["PERSON", "ORG", "PLACE", "MISC"];

/// The entries a surname or initials index keeps per key. Those indexes
/// link a name only when they hold exactly one entity there
/// (`person_by_surname`, `by_acronym`) and never lose an entry, so two
/// decide as well as all: a common surname or pair of initials (thousands
/// of people in a large store) then neither loads every one of them when
/// linking a name nor writes its whole list again when one more arrives.
pub(crate) const DECIDING: usize = 2;

/// Names that are one place however they are written; the first of each
/// group stands for all.
const SAME_PLACE: &[&[&str]] = &[
    &[
        "united states",
        "us",
        "usa",
        "united states of america",
        "america",
    ],
    &["united kingdom", "uk", "britain", "great britain"],
    &["european union", "eu"],
    &["united nations", "un"],
    &["united arab emirates", "uae"],
    &["soviet union", "ussr"],
];

/// Words after an organisation's name that do not make it another
/// organisation ("Wagner" / "Wagner Group", "Apple" / "Apple Inc").
const ORG_SUFFIXES: &[&str] = &[
    "group",
    "inc",
    "corp",
    "corporation",
    "company",
    "co",
    "ltd",
    "limited",
    "plc",
    "llc",
    "ag",
    "sa",
    "holdings",
    "private",
    "military",
    "pmc",
    "international",
];

/// The comparison form of a name: lower case, plain apostrophes, no dots
/// ("U.S." is "US"), no leading "the", one form per place (`SAME_PLACE`).
fn key(s: &str) -> String {
    let lower = s.to_lowercase().replace(['’', '‘'], "'").replace('.', "");
    let k = lower.strip_prefix("the ").unwrap_or(&lower).trim().to_string();
    SAME_PLACE
        .iter()
        .find(|group| group.contains(&k.as_str()))
        .map_or(k, |group| group[0].to_string())
}

/// "USAF" for "United States Air Force", "SIA" for "Singapore Airlines":
/// the initials of a name's capitalised words, when it has two or more.
fn initials(name: &str) -> Option<String> {
    let caps: String = name
        .split_whitespace()
        .filter_map(|w| w.chars().next().filter(|c| c.is_uppercase()))
        .collect();
    (caps.chars().count() >= 2 && name.split_whitespace().count() >= 2).then(|| caps.to_lowercase())
}

/// Whether `name` is written as an acronym ("USAF", "S.I.A.").
fn is_acronym(name: &str) -> bool {
    let letters: Vec<char> = name.chars().filter(|c| *c != '.').collect();
    (2..=6).contains(&letters.len()) && letters.iter().all(|c| c.is_uppercase())
}

fn words(s: &str) -> Vec<String> {
    key(s).split_whitespace().map(str::to_string).collect()
}

/// "Evgeny" and "Evgeniy", "Alexander" and "Aleksandr": first names that
/// are spellings of one another (same first three letters, lengths close).
fn first_name_variants(a: &str, b: &str) -> bool {
    let (a, b) = (key(a), key(b));
    let prefix = |s: &str| s.chars().take(3).collect::<String>();
    a == b || (prefix(&a) == prefix(&b) && a.chars().count().abs_diff(b.chars().count()) <= 2)
}

/// The first three letters of a first name's key: spellings of one first
/// name share them (`first_name_variants`).
fn first_letters(first: &str) -> String {
    key(first).chars().take(3).collect()
}

/// An organisation's name words without the suffixes that do not make it
/// another organisation ("wagner group pmc" → "wagner"), keeping the first
/// word: two names one of which is the other plus such suffixes share it.
fn org_core(words: &[String]) -> Vec<String> {
    let mut end = words.len();
    while end > 1 && ORG_SUFFIXES.contains(&words[end - 1].as_str()) {
        end -= 1;
    }
    words[..end].to_vec()
}

/// Whether `text` names `name` as whole words ("Iran" is not in "Iranian").
fn names_word(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Articles are linked by publication date, then id, so entity ids do not
/// depend on the order of ingest.
fn link_key(a: &Article) -> (Option<String>, String) {
    (a.published.map(|p| p.sort_key()), a.id.clone())
}

/// `work` done on every article (on `threads` threads), returned in link
/// order (`link_key`).
fn in_link_order<T: Send>(
    articles: &[Article],
    threads: usize,
    work: impl Fn(&Article) -> T + Sync,
) -> Vec<(&Article, T)> {
    let mut order: Vec<&Article> = articles.iter().collect();
    order.sort_by_cached_key(|a| link_key(a));
    let done = storyline_core::parallel::map_in_order(&order, threads, |a| work(a));
    order.into_iter().zip(done).collect()
}

impl Catalog {
    pub fn new() -> Catalog {
        Catalog::default()
    }

    /// The catalogue of `articles`' entities alone (no quotes): what the
    /// Similar Posts index and story clustering need, at a fraction of
    /// the cost of a full analysis.
    pub fn build_entities(tagger: &Tagger, articles: &[Article], threads: usize) -> Catalog {
        let mut catalog = Catalog::new();
        for (a, entities) in in_link_order(articles, threads, |a| crate::entities::extract(tagger, &a.text)) {
            catalog.add(&a.id, &entities);
        }
        catalog
    }

    /// Links the entities of one article (ids as `entities::extract` gives them).
    pub fn add(&mut self, article_id: &str, entities: &[Entity]) {
        for e in entities {
            let at = match self.find_match(e) {
                Some(i) => i,
                None => self.create(e),
            };
            let before = self.entities[at].mentions.len() as u32;
            self.absorb(at, article_id, e);
            let after = self.entities[at].mentions.len() as u32;
            self.of_article.insert((article_id.to_string(), e.id.clone()), at);
            let named = self.by_article.entry(article_id.to_string()).or_default();
            match named.iter_mut().find(|n| n.entity == at) {
                Some(n) => n.mentions.extend(before..after),
                None => named.push(Named {
                    entity: at,
                    mentions: (before..after).collect(),
                }),
            }
        }
    }

    /// Links an article's entities and files its quotes under their speakers.
    pub fn add_analysis(&mut self, article_id: &str, analysis: &Analysis) {
        self.add(article_id, &analysis.entities);
        for q in &analysis.quotes {
            let speaker = q.speaker.as_ref().and_then(|s| s.entity_id.as_deref());
            let Some(&at) =
                speaker.and_then(|local| self.of_article.get(&(article_id.to_string(), local.to_string())))
            else {
                continue;
            };
            self.entities[at].quotes.push(LinkedQuote {
                article: article_id.to_string(),
                text: q.said(),
                start: q.start,
                end: q.end,
            });
        }
        let linked = |local: Option<&str>| {
            local.and_then(|l| {
                self.of_article
                    .get(&(article_id.to_string(), l.to_string()))
                    .copied()
            })
        };
        for st in &analysis.statements {
            let speaker = linked(st.speaker.entity_id.as_deref());
            let target = linked(st.target.as_ref().and_then(|t| t.entity_id.as_deref()));
            let (Some(speaker), Some(target)) = (speaker, target) else {
                continue;
            };
            if speaker != target {
                self.said_about.entry(target).or_default().push((
                    speaker,
                    LinkedQuote {
                        article: article_id.to_string(),
                        text: st.evidence.clone(),
                        start: st.start,
                        end: st.end,
                    },
                ));
            }
        }
    }

    fn names_of(e: &Entity) -> impl Iterator<Item = &String> {
        std::iter::once(&e.name).chain(&e.aliases)
    }

    fn find_match(&self, e: &Entity) -> Option<usize> {
        let named = |kind: &str| {
            Self::names_of(e).find_map(|n| self.by_name.get(&(kind.to_string(), key(n))).copied())
        };
        // The tagger calls some organisations MISC in one article and ORG
        // in another ("Airbus"): the same name links across those two.
        let other_kind = match e.kind.as_str() {
            "ORG" => Some("MISC"),
            "MISC" => Some("ORG"),
            _ => None,
        };
        named(&e.kind)
            .or_else(|| other_kind.and_then(named))
            .or_else(|| self.by_acronym(e))
            .or_else(|| match e.kind.as_str() {
                "PERSON" => self.person_by_surname(e),
                "ORG" => self.organisation_by_prefix(e),
                _ => None,
            })
            .or_else(|| self.retyped(e))
    }

    /// The tagger may type one name differently in two articles ("Derna"
    /// a place in one, a person in another): a name that fits no entity of
    /// its type joins the one entity of another type with that very name.
    /// Two such entities ("Washington" the place and the person) leave it
    /// on its own.
    fn retyped(&self, e: &Entity) -> Option<usize> {
        let k = key(&e.name);
        let mut fits = TYPES
            .iter()
            .filter(|&&t| t != e.kind)
            .filter_map(|&t| self.by_name.get(&(t.to_string(), k.clone())).copied());
        let first = fits.next()?;
        fits.all(|other| other == first).then_some(first)
    }

    /// An acronym joins the one entity of its type whose initials it is;
    /// a full name joins the entity named by its initials.
    fn by_acronym(&self, e: &Entity) -> Option<usize> {
        if e.kind == "PERSON" {
            return None;
        }
        let names: Vec<&String> = Self::names_of(e).collect();
        if let Some(acronym) = names.iter().find(|n| is_acronym(n)) {
            let fits = self.by_initials.get(&(e.kind.clone(), key(acronym)))?;
            return (fits.len() == 1).then(|| fits[0]);
        }
        names
            .iter()
            .find_map(|n| initials(n))
            .and_then(|i| self.by_name.get(&(e.kind.clone(), i)).copied())
            .filter(|&at| {
                is_acronym(&self.entities[at].name) || self.entities[at].aliases.iter().any(|a| is_acronym(a))
            })
    }

    fn person_by_surname(&self, e: &Entity) -> Option<usize> {
        let w = words(&e.name);
        let surname = w.last()?;
        if w.len() == 1 {
            let people = self.by_surname.get(surname)?;
            return (people.len() == 1).then(|| people[0]);
        }
        // Only these can fit (see the test below): a one-word entity with
        // the surname, or a full name whose first name starts alike.
        let alone = self.by_surname_alone.get(surname).into_iter().flatten();
        let alike = self
            .by_surname_first
            .get(&(surname.clone(), first_letters(&w[0])))
            .into_iter()
            .flatten();
        let mut fits: Vec<usize> = alone
            .chain(alike)
            .copied()
            .filter(|&i| {
                let other = words(&self.entities[i].name);
                other.last() == Some(surname) && (other.len() == 1 || first_name_variants(&other[0], &w[0]))
            })
            .collect();
        fits.sort_unstable();
        fits.dedup();
        (fits.len() == 1).then(|| fits[0])
    }

    fn organisation_by_prefix(&self, e: &Entity) -> Option<usize> {
        let w = words(&e.name);
        let candidates = self.by_org_core.get(&org_core(&w))?;
        let mut fits: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&i| {
                let other = words(&self.entities[i].name);
                let (short, long) = if other.len() < w.len() {
                    (&other, &w)
                } else {
                    (&w, &other)
                };
                long.starts_with(short)
                    && long[short.len()..]
                        .iter()
                        .all(|x| ORG_SUFFIXES.contains(&x.as_str()))
            })
            .collect();
        fits.sort_unstable();
        fits.dedup();
        (fits.len() == 1).then(|| fits[0])
    }

    fn create(&mut self, e: &Entity) -> usize {
        let hash = xxhash_rust::xxh3::xxh3_64(format!("{}\u{1f}{}", e.kind, key(&e.name)).as_bytes());
        let mut id = format!("ent-{hash:012x}");
        id.truncate(16);
        let i = self.entities.len();
        self.by_id.insert(id.clone(), i);
        self.entities.push(Linked {
            id,
            name: e.name.clone(),
            kind: e.kind.clone(),
            aliases: Vec::new(),
            roles: Vec::new(),
            articles: Vec::new(),
            mentions: Vec::new(),
            quotes: Vec::new(),
            type_votes: [0; 4],
            name_keys: FxHashSet::default(),
            role_keys: FxHashSet::default(),
            indexed: false,
        });
        if let Some(changed) = &mut self.changed {
            changed.entities.insert(i);
        }
        i
    }

    /// Adds what `e` (from `article_id`) says to entity `at`, and indexes
    /// its names. The work is in proportion to what `e` brings, not to how
    /// many names the entity has collected: only new names are indexed,
    /// unless the entity's name or type changed, which moves them all.
    fn absorb(&mut self, at: usize, article_id: &str, e: &Entity) {
        let linked = &mut self.entities[at];
        let first = !linked.indexed;
        linked.indexed = true;
        let (kind_before, name_before) = (linked.kind.clone(), linked.name.clone());
        let mut new_names: Vec<String> = Vec::new();
        if e.name.split_whitespace().count() > linked.name.split_whitespace().count() {
            let shorter = std::mem::replace(&mut linked.name, e.name.clone());
            linked.aliases.push(shorter);
        }
        let renamed = linked.name != name_before;
        let name_key = key(&linked.name);
        if renamed {
            linked.aliases.retain(|a| key(a) != name_key);
        }
        for n in Self::names_of(e) {
            let k = key(n);
            if linked.name_keys.insert(k.clone()) {
                if k != name_key {
                    linked.aliases.push(n.clone());
                }
                new_names.push(n.clone());
            }
        }
        for r in &e.roles {
            if linked.role_keys.insert(key(r)) {
                linked.roles.push(r.clone());
            }
        }
        linked.mentions.extend(e.mentions.iter().map(|m| LinkedMention {
            article: article_id.to_string(),
            text: m.text.clone(),
            start: m.start,
            end: m.end,
        }));
        match linked.articles.last_mut() {
            Some((a, n)) if a == article_id => *n += e.mentions.len(),
            _ => linked.articles.push((article_id.to_string(), e.mentions.len())),
        }
        if let Some(t) = TYPES.iter().position(|&t| t == e.kind) {
            linked.type_votes[t] += e.mentions.len().max(1);
            let current = TYPES.iter().position(|&t| t == linked.kind);
            let best = (0..TYPES.len())
                .max_by_key(|&i| (linked.type_votes[i], Some(i) == current))
                .expect("four types");
            linked.kind = TYPES[best].to_string();
        }
        let (kind, name) = (linked.kind.clone(), linked.name.clone());
        let moved = first || renamed || kind != kind_before;
        let names: Vec<String> = if moved {
            std::iter::once(&name).chain(&linked.aliases).cloned().collect()
        } else {
            new_names
        };
        // Index keys whose entries changed, kept when linking from kept state.
        let track = self.changed.is_some();
        let mut touched: Vec<IndexKey> = Vec::new();
        for n in &names {
            let name_at = (kind.clone(), key(n));
            if let std::collections::hash_map::Entry::Vacant(slot) = self.by_name.entry(name_at) {
                if track {
                    touched.push(IndexKey::name(&slot.key().0, &slot.key().1));
                }
                slot.insert(at);
            }
            if let Some(i) = initials(n) {
                let list = self.by_initials.entry((kind.clone(), i.clone())).or_default();
                if list.len() < DECIDING && !list.contains(&at) {
                    list.push(at);
                    if track {
                        touched.push(IndexKey::initials(&kind, &i));
                    }
                }
            }
        }
        if moved {
            let w = words(&name);
            let mut lists: Vec<(&mut Vec<usize>, IndexKey)> = Vec::new();
            match kind.as_str() {
                "PERSON" => {
                    if let Some(surname) = w.last() {
                        lists.push((
                            self.by_surname.entry(surname.clone()).or_default(),
                            IndexKey::surname(surname),
                        ));
                        if w.len() == 1 {
                            lists.push((
                                self.by_surname_alone.entry(surname.clone()).or_default(),
                                IndexKey::surname_alone(surname),
                            ));
                        } else {
                            let first = first_letters(&w[0]);
                            let k = IndexKey::surname_first(surname, &first);
                            lists.push((
                                self.by_surname_first.entry((surname.clone(), first)).or_default(),
                                k,
                            ));
                        }
                    }
                }
                "ORG" if !w.is_empty() => {
                    let core = org_core(&w);
                    let k = IndexKey::org_core(&core);
                    lists.push((self.by_org_core.entry(core).or_default(), k));
                }
                _ => {}
            }
            for (list, k) in lists {
                let full = k.map == KeyMap::Surname && list.len() >= DECIDING;
                if !full && !list.contains(&at) {
                    list.push(at);
                    if track {
                        touched.push(k);
                    }
                }
            }
        }
        if let Some(changed) = &mut self.changed {
            changed.entities.insert(at);
            changed.keys.extend(touched);
        }
    }

    /// Every entity, most mentioned first (then by name).
    pub fn all(&self) -> Vec<&Linked> {
        let mut all: Vec<&Linked> = self.entities.iter().collect();
        all.sort_by(|a, b| {
            b.articles
                .len()
                .cmp(&a.articles.len())
                .then(b.mention_count().cmp(&a.mention_count()))
                .then(a.name.cmp(&b.name))
        });
        all
    }

    pub fn get(&self, id: &str) -> Option<&Linked> {
        self.by_id.get(id).map(|&i| &self.entities[i])
    }

    /// The entity that `name` (a name or alias, any type) names.
    pub fn find(&self, name: &str) -> Option<&Linked> {
        let k = key(name);
        self.entities
            .iter()
            .find(|e| key(&e.name) == k || e.aliases.iter().any(|a| key(a) == k))
    }

    /// The canonical entity of entity `local_id` of article `article_id`.
    pub fn of_article(&self, article_id: &str, local_id: &str) -> Option<&Linked> {
        self.of_article
            .get(&(article_id.to_string(), local_id.to_string()))
            .map(|&i| &self.entities[i])
    }

    /// The entities both articles name, in the order the first names them.
    pub fn shared(&self, a: &str, b: &str) -> Vec<&Linked> {
        let (Some(first), Some(second)) = (self.by_article.get(a), self.by_article.get(b)) else {
            return Vec::new();
        };
        first
            .iter()
            .filter(|n| second.iter().any(|m| m.entity == n.entity))
            .map(|n| &self.entities[n.entity])
            .collect()
    }

    /// The entities `article` names, in order of first mention, each with
    /// the number of its mentions there.
    pub fn named_in(&self, article: &str) -> Vec<(&Linked, usize)> {
        self.by_article
            .get(article)
            .into_iter()
            .flatten()
            .map(|n| (&self.entities[n.entity], n.mentions.len()))
            .collect()
    }

    /// What the Similar Posts index and story clustering use of
    /// `article`'s entities: canonical id, name and mention count.
    pub fn terms_of(&self, article: &str) -> Vec<EntityTerm> {
        self.by_article
            .get(article)
            .into_iter()
            .flatten()
            .map(|n| {
                let (e, mentions) = (&self.entities[n.entity], n.mentions.len());
                let mut forms: Vec<String> = n
                    .mentions
                    .iter()
                    .map(|&i| e.mentions[i as usize].text.to_lowercase())
                    .collect();
                forms.sort_unstable();
                forms.dedup();
                EntityTerm {
                    id: e.id.clone(),
                    name: e.name.clone(),
                    mentions,
                    forms,
                }
            })
            .collect()
    }

    /// Quotes said in `articles` (a story's): the speakers most widely
    /// named there first, at most `per_speaker` quotes each, `n` in all.
    pub fn key_quotes(
        &self,
        articles: &[String],
        n: usize,
        per_speaker: usize,
    ) -> Vec<(&Linked, &LinkedQuote)> {
        let wanted: std::collections::HashSet<&str> = articles.iter().map(String::as_str).collect();
        let mut out = Vec::new();
        for (speaker, _) in self.key_entities(articles, usize::MAX) {
            let said = speaker
                .quotes
                .iter()
                .filter(|q| wanted.contains(q.article.as_str()))
                .take(per_speaker);
            for q in said {
                if out.len() == n {
                    return out;
                }
                out.push((speaker, q));
            }
        }
        out
    }

    /// What others said about entity `id`: statements about it (the
    /// sentence as evidence), then quotes that name it (by its name or an
    /// alias), from the articles naming it, most recently added first.
    pub fn quotes_about(&self, id: &str, n: usize) -> Vec<(&Linked, &LinkedQuote)> {
        let Some(&me) = self.by_id.get(id) else {
            return Vec::new();
        };
        let mut out: Vec<(&Linked, &LinkedQuote)> = self
            .said_about
            .get(&me)
            .into_iter()
            .flatten()
            .rev()
            .map(|(speaker, said)| (&self.entities[*speaker], said))
            .take(n)
            .collect();
        let covered = |out: &[(&Linked, &LinkedQuote)], q: &LinkedQuote| {
            out.iter()
                .any(|(_, o)| o.article == q.article && o.start <= q.start && q.end <= o.end)
        };
        let entity = &self.entities[me];
        let names: Vec<&str> = std::iter::once(&entity.name)
            .chain(&entity.aliases)
            .map(String::as_str)
            .filter(|n| n.chars().count() >= 3)
            .collect();
        for (article, _) in entity.articles.iter().rev() {
            for other in self.by_article.get(article).into_iter().flatten() {
                if other.entity == me {
                    continue;
                }
                let speaker = &self.entities[other.entity];
                for q in speaker.quotes.iter().filter(|q| &q.article == article) {
                    if out.len() == n {
                        return out;
                    }
                    if names.iter().any(|name| names_word(&q.text, name)) && !covered(&out, q) {
                        out.push((speaker, q));
                    }
                }
            }
        }
        out
    }

    /// The entities most widely named across `articles` (a story's), with
    /// how many of those articles name each, most first (then by mentions).
    pub fn key_entities(&self, articles: &[String], n: usize) -> Vec<(&Linked, usize)> {
        let mut counts: FxHashMap<usize, (usize, usize)> = FxHashMap::default();
        for article in articles {
            for n in self.by_article.get(article).into_iter().flatten() {
                let c = counts.entry(n.entity).or_default();
                c.0 += 1;
                c.1 += n.mentions.len();
            }
        }
        self.most(counts, n)
            .into_iter()
            .map(|(e, (articles, _))| (e, articles))
            .collect()
    }

    /// The entities most often named in the same articles as `id`, with
    /// the number of shared articles, most first.
    pub fn named_with(&self, id: &str, n: usize) -> Vec<(&Linked, usize)> {
        let Some(&me) = self.by_id.get(id) else {
            return Vec::new();
        };
        let mut counts: FxHashMap<usize, usize> = FxHashMap::default();
        for (article, _) in &self.entities[me].articles {
            for other in self.by_article.get(article).into_iter().flatten() {
                if other.entity != me {
                    *counts.entry(other.entity).or_default() += 1;
                }
            }
        }
        self.most(counts, n)
    }

    /// The `n` entities with the largest counts, then by name.
    fn most<C: Ord + Copy>(&self, counts: FxHashMap<usize, C>, n: usize) -> Vec<(&Linked, C)> {
        let mut ranked: Vec<(usize, C)> = counts.into_iter().collect();
        ranked.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then(self.entities[a.0].name.cmp(&self.entities[b.0].name))
        });
        ranked
            .into_iter()
            .take(n)
            .map(|(i, c)| (&self.entities[i], c))
            .collect()
    }

    pub fn len(&self) -> usize {
        self.entities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entities.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(id: &str, name: &str, kind: &str, aliases: &[&str]) -> Entity {
        serde_json::from_value(serde_json::json!({
            "id": id, "name": name, "type": kind, "aliases": aliases, "roles": [],
            "mentions": [{"text": name, "start": 0, "end": name.chars().count()}],
        }))
        .unwrap()
    }

    #[test]
    fn the_type_most_mentions_have_wins_and_two_namesakes_stay_apart() {
        let mut c = Catalog::new();
        c.add("a1", &[entity("e1", "Derna", "PERSON", &[])]);
        let mut place = entity("e1", "Derna", "PLACE", &[]);
        place.mentions.push(place.mentions[0].clone());
        c.add("a2", &[place]);
        let derna = c.of_article("a1", "e1").unwrap();
        assert_eq!(c.of_article("a2", "e1").unwrap().id, derna.id);
        assert_eq!(derna.kind, "PLACE");

        c.add("a3", &[entity("e1", "Washington", "PLACE", &[])]);
        c.add(
            "a4",
            &[entity("e1", "George Washington", "PERSON", &["Washington"])],
        );
        c.add("a5", &[entity("e1", "Washington", "MISC", &[])]);
        let ids: Vec<&str> = ["a3", "a4", "a5"]
            .iter()
            .map(|a| c.of_article(a, "e1").unwrap().id.as_str())
            .collect();
        assert_ne!(ids[0], ids[1]);
        assert!(!ids[..2].contains(&ids[2]), "two namesakes: it joins neither");
    }

    fn quote(speaker: &str, text: &str) -> crate::quotes::Quote {
        serde_json::from_value(serde_json::json!({
            "text": text, "start": 0, "end": text.chars().count(),
            "speaker": {"name": speaker, "entity_id": "e1", "start": 0, "end": 1},
        }))
        .unwrap()
    }

    #[test]
    fn key_quotes_and_quotes_about_an_entity() {
        let mut c = Catalog::new();
        let said = |q: crate::quotes::Quote| Analysis {
            entities: vec![
                entity("e1", "Lukashenko", "PERSON", &[]),
                entity("e2", "Prigozhin", "PERSON", &[]),
                entity("e3", "Iran", "PLACE", &[]),
            ],
            quotes: vec![q],
            ..Default::default()
        };
        c.add_analysis("a1", &said(quote("Lukashenko", "Prigozhin is in St Petersburg")));
        c.add_analysis("a2", &said(quote("Lukashenko", "The Iranian talks went well")));
        c.add_analysis("a3", &said(quote("Lukashenko", "We spoke about Iran")));
        let prigozhin = c.of_article("a1", "e2").unwrap().id.clone();
        {
            let about = |mention: &str| -> Vec<String> {
                let id = &c.of_article("a1", mention).unwrap().id;
                c.quotes_about(id, 10)
                    .iter()
                    .map(|(_, q)| q.text.clone())
                    .collect()
            };
            assert_eq!(about("e2"), ["Prigozhin is in St Petersburg"]);
            assert_eq!(about("e3"), ["We spoke about Iran"], "whole words only");
        }
        // A statement about someone counts as said about them, once.
        let statement: crate::statements::Statement = serde_json::from_value(serde_json::json!({
            "speaker": {"name": "Lukashenko", "entity_id": "e1", "start": 0, "end": 10},
            "verb": "said", "stance": "neutral",
            "target": {"name": "Prigozhin", "entity_id": "e2", "start": 16, "end": 25},
            "content": {"start": 16, "end": 45},
            "evidence": "Lukashenko said Prigozhin had left for Russia.", "start": 0, "end": 46,
        }))
        .unwrap();
        let mut a4 = said(quote("Lukashenko", "Prigozhin had left"));
        a4.statements = vec![statement];
        c.add_analysis("a4", &a4);
        let about: Vec<(&str, &str)> = c
            .quotes_about(&prigozhin, 10)
            .iter()
            .map(|(s, q)| (s.name.as_str(), q.text.as_str()))
            .collect();
        assert_eq!(
            about,
            [
                ("Lukashenko", "Lukashenko said Prigozhin had left for Russia."),
                ("Lukashenko", "Prigozhin is in St Petersburg")
            ],
            "the statement, then quotes not inside it"
        );
        let story = ["a1".to_string(), "a2".to_string()];
        let key = c.key_quotes(&story, 5, 1);
        assert_eq!(key.len(), 1, "one per speaker");
        assert_eq!(
            (key[0].0.name.as_str(), key[0].1.article.as_str()),
            ("Lukashenko", "a1")
        );
        assert_eq!(c.key_quotes(&story, 5, 3).len(), 2, "only the story's articles");
    }

    #[test]
    fn kept_links_answer_pages_as_the_whole_catalogue_does() {
        let statement: crate::statements::Statement = serde_json::from_value(serde_json::json!({
            "speaker": {"name": "Alexander Lukashenko", "entity_id": "e1", "start": 0, "end": 10},
            "verb": "said", "stance": "neutral",
            "target": {"name": "Prigozhin", "entity_id": "e2", "start": 16, "end": 25},
            "content": {"start": 16, "end": 45},
            "evidence": "Lukashenko said Prigozhin had left for Russia.", "start": 0, "end": 46,
        }))
        .unwrap();
        let analysis = |names: [&str; 3], said: &str, statements: bool| Analysis {
            entities: vec![
                entity("e1", names[0], "PERSON", &[]),
                entity("e2", names[1], "PERSON", &[]),
                entity("e3", names[2], "PLACE", &[]),
            ],
            quotes: vec![quote(names[0], said)],
            statements: if statements {
                vec![statement.clone()]
            } else {
                Vec::new()
            },
            ..Default::default()
        };
        let analyses = [
            (
                "a1",
                analysis(
                    ["Lukashenko", "Prigozhin", "Iran"],
                    "Prigozhin is in St Petersburg",
                    false,
                ),
            ),
            (
                "a2",
                analysis(
                    ["Alexander Lukashenko", "Yevgeny Prigozhin", "Minsk"],
                    "We spoke about Iran",
                    true,
                ),
            ),
            (
                "a3",
                analysis(
                    ["Putin", "Prigozhin", "Moscow"],
                    "Prigozhin betrayed Russia",
                    false,
                ),
            ),
            (
                "a4",
                analysis(["Lukashenko", "Putin", "Iran"], "Putin called me", true),
            ),
        ];
        let mut whole = Catalog::new();
        let mut memory = Memory::default();
        let mut kept = Vec::new();
        for (id, a) in &analyses {
            whole.add_analysis(id, a);
            let mut part = Catalog::kept(memory.records.len());
            part.prepare(&a.entities.iter().collect::<Vec<_>>(), &mut memory)
                .unwrap();
            part.add_analysis(id, a);
            memory.keep(part.take_delta());
            kept.extend(part.take_articles().into_iter().map(|l| (l.article, l.named)));
        }
        let records: Vec<(usize, EntityRecord)> = memory.records.iter().cloned().enumerate().collect();
        let book = Catalog::assemble(records, kept);
        let names = |list: Vec<(&Linked, &LinkedQuote)>| -> Vec<(String, String, String)> {
            list.into_iter()
                .map(|(e, q)| (e.id.clone(), q.article.clone(), q.text.clone()))
                .collect()
        };
        let counted = |list: Vec<(&Linked, usize)>| -> Vec<(String, usize)> {
            list.into_iter().map(|(e, n)| (e.id.clone(), n)).collect()
        };
        assert_eq!(book.len(), whole.len());
        for e in whole.all() {
            let b = book.get(&e.id).expect("every entity is kept");
            assert_eq!(
                (&b.name, &b.kind, &b.aliases, &b.roles, &b.articles),
                (&e.name, &e.kind, &e.aliases, &e.roles, &e.articles)
            );
            let spans = |l: &Linked| {
                let m: Vec<_> = l
                    .mentions
                    .iter()
                    .map(|m| (m.article.clone(), m.start, m.end))
                    .collect();
                let q: Vec<_> = l
                    .quotes
                    .iter()
                    .map(|q| (q.article.clone(), q.text.clone()))
                    .collect();
                (m, q)
            };
            assert_eq!(spans(b), spans(e), "{}", e.name);
            assert_eq!(
                names(book.quotes_about(&e.id, 10)),
                names(whole.quotes_about(&e.id, 10)),
                "{}",
                e.name
            );
            assert_eq!(
                counted(book.named_with(&e.id, 10)),
                counted(whole.named_with(&e.id, 10)),
                "{}",
                e.name
            );
        }
        let all: Vec<String> = analyses.iter().map(|(id, _)| id.to_string()).collect();
        assert_eq!(
            names(book.key_quotes(&all, 6, 2)),
            names(whole.key_quotes(&all, 6, 2))
        );
        assert_eq!(
            counted(book.key_entities(&all, 10)),
            counted(whole.key_entities(&all, 10))
        );
        let ids = |l: Vec<&Linked>| -> Vec<String> { l.into_iter().map(|e| e.id.clone()).collect() };
        assert_eq!(ids(book.shared("a1", "a3")), ids(whole.shared("a1", "a3")));
        assert!(!book.shared("a1", "a3").is_empty());
        for (id, _) in &analyses {
            for local in ["e1", "e2", "e3"] {
                assert_eq!(
                    book.of_article(id, local).map(|e| &e.id),
                    whole.of_article(id, local).map(|e| &e.id)
                );
            }
        }
        assert!(!whole
            .quotes_about(&whole.of_article("a1", "e2").unwrap().id, 10)
            .is_empty());
    }

    #[test]
    fn names_surnames_spellings_and_prefixes_link() {
        let mut c = Catalog::new();
        c.add(
            "a1",
            &[
                entity("e1", "Evgeny Prigozhin", "PERSON", &["Prigozhin"]),
                entity("e2", "Wagner Group", "ORG", &[]),
                entity("e3", "Moscow", "PLACE", &[]),
            ],
        );
        c.add(
            "a2",
            &[
                entity("e1", "Prigozhin", "PERSON", &[]),
                entity("e2", "Wagner", "ORG", &[]),
                entity("e3", "Evgeniy Prigozhin", "PERSON", &[]),
                entity("e4", "Moscow", "ORG", &[]),
            ],
        );
        let p = c.of_article("a1", "e1").unwrap();
        assert_eq!(c.of_article("a2", "e1").unwrap().id, p.id);
        assert_eq!(c.of_article("a2", "e3").unwrap().id, p.id, "a spelling variant");
        assert_eq!(
            c.of_article("a2", "e2").unwrap().id,
            c.of_article("a1", "e2").unwrap().id
        );
        let moscow = c.of_article("a1", "e3").unwrap();
        assert_eq!(
            c.of_article("a2", "e4").unwrap().id,
            moscow.id,
            "a name the tagger typed otherwise in another article"
        );
        assert_eq!(moscow.kind, "PLACE", "the first type wins a tie");
        let p = c.get(&p.id).unwrap();
        assert_eq!(p.articles, [("a1".to_string(), 1), ("a2".to_string(), 2)]);
        let mentions: Vec<(&str, &str)> = p
            .mentions
            .iter()
            .map(|m| (m.article.as_str(), m.text.as_str()))
            .collect();
        assert_eq!(
            mentions,
            [
                ("a1", "Evgeny Prigozhin"),
                ("a2", "Prigozhin"),
                ("a2", "Evgeniy Prigozhin")
            ],
            "every mention with its article"
        );
        assert!(p.aliases.contains(&"Evgeniy Prigozhin".to_string()));
        assert_eq!(c.find("evgeniy prigozhin").unwrap().id, p.id);
        let shared: Vec<&str> = c.shared("a1", "a2").iter().map(|e| e.name.as_str()).collect();
        assert_eq!(shared, ["Evgeny Prigozhin", "Wagner Group", "Moscow"]);
        let key: Vec<(&str, usize)> = c
            .key_entities(&["a1".to_string(), "a2".to_string()], 2)
            .iter()
            .map(|(e, n)| (e.name.as_str(), *n))
            .collect();
        assert_eq!(
            key,
            [("Evgeny Prigozhin", 2), ("Moscow", 2)],
            "in both articles, most mentioned first, then by name"
        );
        let with: Vec<(&str, usize)> = c
            .named_with(&p.id, 5)
            .iter()
            .map(|(e, n)| (e.name.as_str(), *n))
            .collect();
        assert_eq!(
            with,
            [("Moscow", 2), ("Wagner Group", 2)],
            "most shared articles first, then by name"
        );
    }

    #[test]
    fn acronyms_country_spellings_and_only_generic_suffixes() {
        let mut c = Catalog::new();
        c.add(
            "a1",
            &[
                entity("e1", "United States Air Force", "ORG", &[]),
                entity("e2", "U.S.", "PLACE", &[]),
                entity("e3", "Apple", "ORG", &[]),
            ],
        );
        c.add(
            "a2",
            &[
                entity("e1", "USAF", "ORG", &[]),
                entity("e2", "United States", "PLACE", &[]),
                entity("e3", "Apple Corps", "ORG", &[]),
                entity("e4", "Apple Inc", "ORG", &[]),
            ],
        );
        let same = |a: (&str, &str), b: (&str, &str)| {
            c.of_article(a.0, a.1).unwrap().id == c.of_article(b.0, b.1).unwrap().id
        };
        assert!(same(("a1", "e1"), ("a2", "e1")), "an acronym");
        assert!(same(("a1", "e2"), ("a2", "e2")), "one country");
        assert!(!same(("a1", "e3"), ("a2", "e3")), "Apple Corps is not Apple");
        assert!(same(("a1", "e3"), ("a2", "e4")), "Apple Inc is Apple");
    }

    #[test]
    fn a_common_surname_keeps_the_entries_that_decide_and_stays_ambiguous() {
        let mut c = Catalog::new();
        let people = ["Anna", "Boris", "Chen", "Dmitri", "Eva"];
        for (i, first) in people.iter().enumerate() {
            let name = format!("{first} Kowalski");
            c.add(&format!("a{i}"), &[entity("e1", &name, "PERSON", &[])]);
        }
        assert_eq!(c.len(), people.len());
        let longest = |lists: &FxHashMap<String, Vec<usize>>| lists.values().map(Vec::len).max();
        assert_eq!(longest(&c.by_surname), Some(DECIDING));
        c.add("b", &[entity("e1", "Kowalski", "PERSON", &[])]);
        let alone = c.of_article("b", "e1").unwrap().id.clone();
        for i in 0..people.len() {
            assert_ne!(c.of_article(&format!("a{i}"), "e1").unwrap().id, alone);
        }
    }

    #[test]
    fn ids_stay_when_a_fuller_name_arrives_and_an_ambiguous_surname_stays_apart() {
        let mut c = Catalog::new();
        c.add("a1", &[entity("e1", "Putin", "PERSON", &[])]);
        let id = c.of_article("a1", "e1").unwrap().id.clone();
        c.add("a2", &[entity("e1", "Vladimir Putin", "PERSON", &[])]);
        let p = c.get(&id).unwrap();
        assert_eq!(p.name, "Vladimir Putin");
        c.add(
            "a3",
            &[
                entity("e1", "Hillary Clinton", "PERSON", &[]),
                entity("e2", "Bill Clinton", "PERSON", &[]),
            ],
        );
        c.add("a4", &[entity("e1", "Clinton", "PERSON", &[])]);
        let clinton = c.of_article("a4", "e1").unwrap();
        assert_ne!(
            clinton.id,
            c.of_article("a3", "e1").unwrap().id,
            "two Clintons: not guessed"
        );
        assert_eq!(c.len(), 4);
    }

    #[test]
    fn a_resumed_linker_links_as_the_whole_catalogue_does() {
        let batches: [(&str, Vec<Entity>); 5] = [
            (
                "a1",
                vec![
                    entity("e1", "Putin", "PERSON", &[]),
                    entity("e2", "Wagner", "ORG", &[]),
                ],
            ),
            (
                "a2",
                vec![
                    entity("e1", "Vladimir Putin", "PERSON", &[]),
                    entity("e2", "Wagner Group", "ORG", &[]),
                ],
            ),
            (
                "a3",
                vec![
                    entity("e1", "Hillary Clinton", "PERSON", &[]),
                    entity("e2", "European Union", "ORG", &["EU"]),
                ],
            ),
            (
                "a4",
                vec![
                    entity("e1", "Clinton", "PERSON", &[]),
                    entity("e2", "EU", "ORG", &[]),
                ],
            ),
            (
                "a5",
                vec![
                    entity("e1", "Putin", "PERSON", &[]),
                    entity("e2", "Wagner", "ORG", &[]),
                ],
            ),
        ];
        let mut whole = Catalog::new();
        for (id, entities) in &batches {
            whole.add(id, entities);
        }
        // Each article linked by a fresh catalogue that loads only what it
        // needs from the state the previous ones kept.
        let mut memory = Memory::default();
        let mut so_far = Catalog::new();
        for (id, entities) in &batches {
            so_far.add(id, entities);
            let mut part = Catalog::kept(memory.records.len());
            let named: Vec<&Entity> = entities.iter().collect();
            part.prepare(&named, &mut memory).unwrap();
            part.add(id, entities);
            assert!(
                part.loaded() <= 2,
                "{id}: only the entities it can join are loaded"
            );
            memory.keep(part.take_delta());
            let links = part.take_articles();
            assert_eq!(links.len(), 1);
            assert_eq!(links[0].terms, so_far.terms_of(id), "{id}");
            assert!(part.terms_of(id).is_empty(), "taken articles are not held");
        }
        assert_eq!(memory.records.len(), whole.len());
        for (i, record) in memory.records.iter().enumerate() {
            let e = whole.get(&record.id).unwrap();
            assert_eq!(
                (&record.name, &record.aliases, &record.kind),
                (&e.name, &e.aliases, &e.kind),
                "{i}"
            );
        }
        // A key naming an entity past the kept ones is refused.
        let mut broken = Memory::default();
        broken
            .keys
            .insert(IndexKey::name("PERSON", "putin"), "99".to_string());
        let mut part = Catalog::kept(0);
        let putin = entity("e1", "Putin", "PERSON", &[]);
        assert!(matches!(
            part.prepare(&[&putin], &mut broken),
            Err(KeptError::Corrupt(_))
        ));
    }

    #[test]
    fn a_kept_catalogue_reused_for_another_batch_loads_every_entity_it_can_join() {
        let mut memory = Memory::default();
        let first = [
            ("a1", vec![entity("e1", "Tom Jones", "PERSON", &[])]),
            ("a2", vec![entity("e1", "John Smith", "PERSON", &["Bob Jones"])]),
        ];
        let mut whole = Catalog::new();
        for (id, entities) in &first {
            let mut part = Catalog::kept(memory.records.len());
            part.prepare(&entities.iter().collect::<Vec<_>>(), &mut memory)
                .unwrap();
            part.add(id, entities);
            memory.keep(part.take_delta());
            whole.add(id, entities);
        }
        // One catalogue for two batches: the first loads John Smith and,
        // with his names, the "jones" surname entry (which names Tom
        // Jones, not loaded); the second names "Jones" alone.
        let mut part = Catalog::kept(memory.records.len());
        for (id, name) in [("a3", "John Smith"), ("a4", "Jones")] {
            let entities = vec![entity("e1", name, "PERSON", &[])];
            part.prepare(&entities.iter().collect::<Vec<_>>(), &mut memory)
                .unwrap();
            part.add(id, &entities);
            whole.add(id, &entities);
            memory.keep(part.take_delta());
            assert_eq!(part.take_articles()[0].terms, whole.terms_of(id), "{id}");
        }
    }

    #[test]
    fn a_name_met_again_by_a_kept_catalogue_links_as_the_whole_one_does() {
        let mut memory = Memory::default();
        let mut whole = Catalog::new();
        let mut part = Catalog::kept(0);
        let batches = [
            ("a1", vec![entity("e1", "Tom Jones", "PERSON", &[])]),
            ("a2", vec![entity("e1", "Tom Jones", "PERSON", &["Jones"])]),
            ("a3", vec![entity("e1", "Jones", "PERSON", &[])]),
            ("a4", vec![entity("e1", "Bob Jones", "PERSON", &[])]),
            ("a5", vec![entity("e1", "Jones", "PERSON", &[])]),
        ];
        // "Jones" in a3 and a5 was prepared before (a2): it is not looked
        // up again, and a5 meets the "jones" entries Bob Jones (a4) joined
        // in memory.
        for (id, entities) in &batches {
            part.prepare(&entities.iter().collect::<Vec<_>>(), &mut memory)
                .unwrap();
            part.add(id, entities);
            whole.add(id, entities);
            memory.keep(part.take_delta());
            assert_eq!(part.take_articles()[0].terms, whole.terms_of(id), "{id}");
        }
    }

    /// Kept linker state in memory, as a store keeps it.
    #[derive(Default)]
    struct Memory {
        records: Vec<EntityRecord>,
        keys: FxHashMap<IndexKey, String>,
    }

    impl Memory {
        fn keep(&mut self, delta: LinkerDelta) {
            for (i, record) in delta.entities {
                if i == self.records.len() {
                    self.records.push(record);
                } else {
                    self.records[i] = record;
                }
            }
            self.keys.extend(delta.keys);
        }
    }

    impl LinkerMemory for Memory {
        type Error = std::convert::Infallible;
        fn keys(&mut self, keys: &[IndexKey]) -> Result<Vec<(IndexKey, String)>, Self::Error> {
            Ok(keys
                .iter()
                .filter_map(|k| self.keys.get(k).map(|v| (k.clone(), v.clone())))
                .collect())
        }
        fn entities(&mut self, indexes: &[usize]) -> Result<Vec<(usize, EntityRecord)>, Self::Error> {
            Ok(indexes.iter().map(|&i| (i, self.records[i].clone())).collect())
        }
    }
}
