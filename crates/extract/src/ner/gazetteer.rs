//! Gazetteers: lists of names of a kind (countries, regions, cities,
//! first names, language names, what peoples are called, and the
//! designators that end company names), for the tagger's features.
//!
//! A name the training data never showed ("Zakopane", "Ngozi") is often
//! on a list, and a list says of which kind; Ratinov & Roth (2009) found
//! such lists the single most useful non-local knowledge for CoNLL-type
//! NER. The lists come from data packages (`scripts/gazetteers` writes
//! them, one `LIST<TAB>name` line each) and travel inside the model file
//! as hashes of the lower-cased names, so a model carries what it was
//! trained with and no list text. The company designators are
//! storyline's own (`DESIGNATORS`) and always present.
//!
//! Matching marks every token a listed name covers, with whether it
//! begins the name; a name counts only where the text capitalises its
//! first word (or the sentence is in capitals), so "may" and "china"
//! in lower case are not the month's namesakes.
//!
//! Not here: which features the marks become (`features`).

use rustc_hash::FxHashMap;
use std::path::Path;
use xxhash_rust::xxh3::xxh3_64;

/// The kinds of list, by bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Country = 0,
    Region = 1,
    City = 2,
    FirstName = 3,
    Language = 4,
    People = 5,
    Designator = 6,
}

impl List {
    pub const ALL: [List; 7] = [
        List::Country,
        List::Region,
        List::City,
        List::FirstName,
        List::Language,
        List::People,
        List::Designator,
    ];

    /// The name a list file gives the kind.
    pub fn key(self) -> &'static str {
        match self {
            List::Country => "loc.country",
            List::Region => "loc.region",
            List::City => "loc.city",
            List::FirstName => "per.first",
            List::Language => "misc.lang",
            List::People => "misc.people",
            List::Designator => "org.designator",
        }
    }

    fn from_key(key: &str) -> Option<List> {
        List::ALL.into_iter().find(|l| l.key() == key)
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// Words that end a company's name ("Siemens AG", "Rosneft Oil Co"):
/// legal forms and their common abbreviations.
const DESIGNATORS: &[&str] = &[
    "AB",
    "AG",
    "ASA",
    "BV",
    "B.V.",
    "Co",
    "Co.",
    "Corp",
    "Corp.",
    "Corporation",
    "GmbH",
    "Inc",
    "Inc.",
    "Incorporated",
    "KG",
    "KK",
    "LLC",
    "LLP",
    "LP",
    "Limited",
    "Ltd",
    "Ltd.",
    "NV",
    "N.V.",
    "Oyj",
    "PLC",
    "Plc",
    "SA",
    "S.A.",
    "SE",
    "SpA",
    "S.p.A.",
    "plc",
];

/// Names longer than this many tokens are not listed.
const LONGEST: usize = 5;

/// Set beside a name's list bits when a longer name begins with it, so
/// matching stops extending a phrase as soon as no name goes on.
const GOES_ON: u8 = 0x80;

/// The lists, as hashes of lower-cased names (tokens joined by a space):
/// each name's list bits, and [`GOES_ON`] for the first words of longer
/// names.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Gazetteer {
    names: FxHashMap<u64, u8>,
}

/// Where a token stands in the listed names that cover it: per list, a
/// bit for "begins one" and a bit for "inside one".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Marks {
    pub begins: u8,
    pub inside: u8,
}

impl Marks {
    pub fn is_empty(self) -> bool {
        self.begins == 0 && self.inside == 0
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GazetteerError {
    #[error("cannot read the gazetteer {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}, line {line}: {reason}")]
    Line {
        path: String,
        line: usize,
        reason: String,
    },
}

fn key(lower_words: &str) -> u64 {
    xxh3_64(lower_words.as_bytes())
}

impl Gazetteer {
    /// The built-in lists alone (the company designators).
    pub fn builtin() -> Gazetteer {
        let mut g = Gazetteer::default();
        for d in DESIGNATORS {
            g.add(List::Designator, d);
        }
        g
    }

    /// The built-in lists and those of `path` (`LIST<TAB>name` lines;
    /// lists: `loc.country`, `loc.region`, `loc.city`, `per.first`,
    /// `misc.lang`, `misc.people`, `org.designator`).
    pub fn read(path: &Path) -> Result<Gazetteer, GazetteerError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| GazetteerError::Read {
            path: name.clone(),
            source,
        })?;
        let mut g = Gazetteer::builtin();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |reason: String| GazetteerError::Line {
                path: name.clone(),
                line: n + 1,
                reason,
            };
            let (list, entry) = line
                .split_once('\t')
                .ok_or_else(|| bad("expected LIST<TAB>name".into()))?;
            let list = List::from_key(list).ok_or_else(|| bad(format!("unknown list {list:?}")))?;
            g.add(list, entry);
        }
        Ok(g)
    }

    /// Lists `name` (split on spaces, as text is tokenised) under `list`;
    /// a name of more than [`LONGEST`] words is left out.
    pub fn add(&mut self, list: List, name: &str) {
        let words: Vec<String> = name.split_whitespace().map(str::to_lowercase).collect();
        if words.is_empty() || words.len() > LONGEST {
            return;
        }
        for n in 1..words.len() {
            *self.names.entry(key(&words[..n].join(" "))).or_default() |= GOES_ON;
        }
        *self.names.entry(key(&words.join(" "))).or_default() |= list.bit();
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The marks of each token of a sentence (`lower`: its tokens lower
    /// cased; `capitalised`: whether each begins with a capital, or the
    /// sentence is in capitals).
    pub fn marks(&self, lower: &[String], capitalised: &[bool]) -> Vec<Marks> {
        let mut out = vec![Marks::default(); lower.len()];
        if self.names.is_empty() {
            return out;
        }
        let mut phrase = String::new();
        for start in 0..lower.len() {
            // Designators are written in any case ("plc") and are one
            // word; other names count where the text capitalises them.
            if !capitalised[start] {
                let lists = self.names.get(&key(&lower[start])).copied().unwrap_or(0);
                out[start].begins |= lists & List::Designator.bit();
                continue;
            }
            phrase.clear();
            for end in start..lower.len().min(start + LONGEST) {
                if end > start {
                    phrase.push(' ');
                }
                phrase.push_str(&lower[end]);
                let Some(&found) = self.names.get(&key(&phrase)) else {
                    break;
                };
                let lists = found & !GOES_ON;
                out[start].begins |= lists;
                for m in &mut out[start + 1..=end] {
                    m.inside |= lists;
                }
                if found & GOES_ON == 0 {
                    break;
                }
            }
        }
        out
    }

    /// The lists as bytes, for the model file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut names: Vec<(u64, u8)> = self.names.iter().map(|(&k, &v)| (k, v)).collect();
        names.sort_unstable();
        let mut out = (names.len() as u64).to_le_bytes().to_vec();
        for (k, v) in names {
            out.extend(k.to_le_bytes());
            out.push(v);
        }
        out
    }

    /// Reads what [`to_bytes`](Self::to_bytes) wrote at the start of
    /// `bytes`, with how many bytes it took; `None` if malformed.
    pub fn from_prefix(bytes: &[u8]) -> Option<(Gazetteer, usize)> {
        let count = usize::try_from(u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?)).ok()?;
        let end = count.checked_mul(9)?.checked_add(8)?;
        let body = bytes.get(8..end)?;
        let mut names = FxHashMap::default();
        names.reserve(count);
        for row in body.chunks_exact(9) {
            names.insert(u64::from_le_bytes(row[..8].try_into().ok()?), row[8]);
        }
        Some((Gazetteer { names }, end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(text: &str) -> (Vec<String>, Vec<bool>) {
        let tokens: Vec<&str> = text.split(' ').collect();
        (
            tokens.iter().map(|t| t.to_lowercase()).collect(),
            tokens.iter().map(|t| t.starts_with(char::is_uppercase)).collect(),
        )
    }

    #[test]
    fn marks_listed_names_where_the_text_capitalises_them() {
        let mut g = Gazetteer::builtin();
        g.add(List::City, "New York");
        g.add(List::City, "York");
        g.add(List::Country, "China");
        let (lower, caps) = sentence("Siemens AG opened in New York and china");
        let marks = g.marks(&lower, &caps);
        assert_eq!(marks[1].begins, List::Designator.bit());
        assert_eq!(marks[4].begins, List::City.bit(), "New York begins at New");
        assert_eq!(marks[5].inside, List::City.bit());
        assert_eq!(marks[5].begins, List::City.bit(), "and York alone is listed too");
        assert!(marks[7].is_empty(), "lower-case china is not the country");
        assert!(marks[0].is_empty() && marks[3].is_empty());
    }

    #[test]
    fn lists_survive_bytes_and_bad_lines_are_named() {
        let mut g = Gazetteer::builtin();
        g.add(List::FirstName, "Ngozi");
        let bytes = g.to_bytes();
        let mut longer = bytes.clone();
        longer.extend(b"rest");
        let (back, used) = Gazetteer::from_prefix(&longer).expect("reads");
        assert_eq!((back, used), (g, bytes.len()));
        assert!(Gazetteer::from_prefix(&bytes[..bytes.len() - 1]).is_none());

        let dir = std::env::temp_dir().join(format!("storyline-gaz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("lists.tsv");
        std::fs::write(&path, "loc.city\tZakopane\nplanets\tMars\n").unwrap();
        let err = Gazetteer::read(&path).unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("planets"), "{err}");
        std::fs::write(&path, "loc.city\tZakopane\n").unwrap();
        let g = Gazetteer::read(&path).unwrap();
        let (lower, caps) = sentence("in Zakopane");
        assert_eq!(g.marks(&lower, &caps)[1].begins, List::City.bit());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
