//! Features of one token in its sentence, as 64-bit hashes.
//!
//! The classic feature set of perceptron and CRF taggers (Ratinov & Roth
//! 2009): the word and its lower-cased form, its shape ("Xxxx", "dd-dd")
//! and short shape ("Xx"), prefixes and suffixes up to four characters,
//! the words and shapes around it, and the two tags predicted before it,
//! alone and with the word; then what the [`Lexicon`] knows: the word
//! classes of it and its neighbours, how text usually writes it, and the
//! gazetteer lists whose names cover it and its neighbours. A sentence in
//! capitals (a headline) says so, since case then tells nothing.

use super::casing::Usually;
use super::gazetteer::{List, Marks};
use super::Lexicon;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// What the features of one sentence share.
pub struct Sentence<'a> {
    tokens: &'a [String],
    lower: Vec<String>,
    shapes: Vec<String>,
    short_shapes: Vec<String>,
    /// Each token's word class (from unlabelled text), when it has one.
    classes: Vec<Option<[u32; 4]>>,
    /// How each token is usually written, when known.
    usually: Vec<Option<Usually>>,
    /// The listed names covering each token.
    marks: Vec<Marks>,
    all_caps: bool,
}

impl<'a> Sentence<'a> {
    pub fn new(tokens: &'a [String], lexicon: &Lexicon) -> Sentence<'a> {
        let word_classes = tokens.iter().map(|t| class_of(lexicon, t)).collect();
        let lower: Vec<String> = tokens.iter().map(|t| t.to_lowercase()).collect();
        let shapes: Vec<String> = tokens.iter().map(|t| shape(t)).collect();
        let short_shapes = shapes.iter().map(|s| short_shape(s)).collect();
        let letters: Vec<&String> = tokens
            .iter()
            .filter(|t| t.chars().any(char::is_alphabetic))
            .collect();
        let all_caps = letters.len() > 2 && letters.iter().all(|t| !t.chars().any(char::is_lowercase));
        let capitalised: Vec<bool> = tokens
            .iter()
            .map(|t| all_caps || t.starts_with(char::is_uppercase))
            .collect();
        let marks = lexicon.gazetteer.marks(&lower, &capitalised);
        let usually = lower.iter().map(|w| lexicon.casing.usually(w)).collect();
        Sentence {
            tokens,
            lower,
            shapes,
            short_shapes,
            classes: word_classes,
            usually,
            marks,
            all_caps,
        }
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn token(&self, i: usize) -> &str {
        &self.tokens[i]
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The features of token `i`, given the tags chosen for the two before it.
    pub fn features(&self, i: usize, prev: &str, prev2: &str, out: &mut Vec<u64>) {
        out.clear();
        self.local(i, out);
        self.history(i, prev, prev2, out);
    }

    /// The features of token `i` that do not depend on earlier tags
    /// (appended to `out`).
    pub fn local(&self, i: usize, out: &mut Vec<u64>) {
        self.word_features(i, out);
        self.context_features(i, out);
    }

    /// Whether the sentence is in capitals (a headline), which changes the
    /// features of its words.
    pub fn all_caps(&self) -> bool {
        self.all_caps
    }

    /// The features of token `i` that depend only on the word itself (and
    /// whether the sentence is in capitals): the same wherever the word
    /// recurs, so a tagger can keep their scores per word.
    pub fn word_features(&self, i: usize, out: &mut Vec<u64>) {
        let word = &self.tokens[i];
        let lower = &self.lower[i];
        let mut f = |kind: u64, parts: &[&str]| out.push(hash(kind, parts));
        f(1, &[]);
        f(2, &[word]);
        f(3, &[lower]);
        f(4, &[&self.shapes[i]]);
        f(5, &[&self.short_shapes[i]]);
        // Prefixes and suffixes of up to four characters, sliced in place:
        // `ends` yields where the 1st, 2nd, … character ends, `starts` where
        // the last, second last, … one starts.
        let mut ends = lower.char_indices().map(|(b, _)| b).skip(1).chain([lower.len()]);
        let mut starts = lower.char_indices().rev().map(|(b, _)| b);
        for n in 1..=4.min(lower.chars().count()) {
            f(6 + n as u64, &[&lower[..ends.next().unwrap_or(lower.len())]]);
            f(12 + n as u64, &[&lower[starts.next().unwrap_or(0)..]]);
        }
        if self.all_caps {
            f(47, &[]);
            f(48, &[lower]);
        }
        if word.contains('-') {
            f(49, &[]);
        }
        // Word classes, coarse to fine.
        let mut g = |kind: u64, value: u64| out.push(xxh3_64_with_seed(&value.to_le_bytes(), kind));
        match self.classes[i] {
            Some(levels) => {
                for (kind, class) in (50..).zip(levels) {
                    g(kind, u64::from(class));
                }
            }
            None => g(56, 0),
        }
        // How text usually writes it, beside how it is written here.
        let usually = self.usually[i].map_or(7, |u| u as u64);
        let capitalised = word.starts_with(char::is_uppercase);
        g(65, usually << 1 | u64::from(capitalised));
        if self.all_caps {
            g(66, usually);
        }
    }

    /// The features of token `i` that depend on its neighbours and place.
    pub fn context_features(&self, i: usize, out: &mut Vec<u64>) {
        for (n, &j) in NEIGHBOURS.iter().enumerate() {
            let k = i as isize + j;
            match usize::try_from(k).ok().filter(|&k| k < self.tokens.len()) {
                Some(k) => out.extend(self.beside_at(k, n)),
                None => out.extend(edge(n)),
            }
        }
        self.context_rest(i, out);
    }

    /// What token `k` gives the token at each of [`NEIGHBOURS`] from it
    /// (its word and its shape): the same wherever the word recurs, so a
    /// tagger can keep them per word.
    pub fn beside(&self, k: usize) -> [[u64; 2]; 4] {
        std::array::from_fn(|n| self.beside_at(k, n))
    }

    /// What token `k` gives the token at neighbour `n` from it.
    fn beside_at(&self, k: usize, n: usize) -> [u64; 2] {
        let kind = NEIGHBOUR_KINDS[n];
        [hash(kind, &[&self.lower[k]]), hash(kind + 10, &[&self.shapes[k]])]
    }

    /// [`Sentence::context_features`] but for the neighbours' words and
    /// shapes ([`Sentence::beside`], [`edge`]).
    pub fn context_rest(&self, i: usize, out: &mut Vec<u64>) {
        let lower = &self.lower[i];
        let at = |j: isize| -> &str {
            let k = i as isize + j;
            if k < 0 {
                "<s>"
            } else if k as usize >= self.tokens.len() {
                "</s>"
            } else {
                self.lower[k as usize].as_str()
            }
        };
        let mut f = |kind: u64, parts: &[&str]| out.push(hash(kind, parts));
        f(40, &[at(-1), lower]);
        f(41, &[lower, at(1)]);
        if i == 0 {
            f(46, &[&self.shapes[i]]);
        }
        let mut g = |kind: u64, value: u64| out.push(xxh3_64_with_seed(&value.to_le_bytes(), kind));
        // How text usually writes the first word of a sentence.
        if i == 0 {
            g(67, self.usually[i].map_or(7, |u| u as u64));
        }
        // The neighbours' classes.
        for (kind, j) in [(54, i.checked_sub(1)), (55, Some(i + 1))] {
            if let Some(levels) = j.and_then(|j| self.classes.get(j).copied().flatten()) {
                g(kind, u64::from(levels[1]));
            }
        }
        // The lists whose names cover it, one feature a list and place,
        // and all its marks at once; its neighbours' marks at once.
        let marks = self.marks[i];
        for list in List::ALL {
            let bit = 1u8 << list as u8;
            if marks.begins & bit != 0 {
                g(60, list as u64);
            }
            if marks.inside & bit != 0 {
                g(61, list as u64);
            }
        }
        let packed = |m: Marks| u64::from(m.begins) << 8 | u64::from(m.inside);
        if !marks.is_empty() {
            g(62, packed(marks));
        }
        for (kind, j) in [(63, i.checked_sub(1)), (64, Some(i + 1))] {
            if let Some(&m) = j.and_then(|j| self.marks.get(j)) {
                if !m.is_empty() {
                    g(kind, packed(m));
                }
            }
        }
    }

    /// The features of token `i` that depend on the tags chosen before it
    /// (a decoder that weighs several histories computes the rest once):
    /// those of the tags alone and those of the tag with the token.
    pub fn history(&self, i: usize, prev: &str, prev2: &str, out: &mut Vec<u64>) {
        history_pair(prev, prev2, out);
        self.history_token(i, prev, out);
    }

    /// The history features that involve token `i` (the previous tag with
    /// the word, its shape and its class).
    pub fn history_token(&self, i: usize, prev: &str, out: &mut Vec<u64>) {
        out.push(hash(44, &[prev, &self.lower[i]]));
        out.push(hash(45, &[prev, &self.shapes[i]]));
        if let Some(levels) = self.classes[i] {
            out.push(xxh3_64_with_seed(
                prev.as_bytes(),
                u64::from(levels[2]) ^ 59 << 56,
            ));
        }
    }
}

/// The word class of `token`; a word in capitals ("CUNNINGHAM", in a
/// headline or a results line) without one of its own has that of its
/// capitalised or lower-case form, as text mostly writes it.
fn class_of(lexicon: &Lexicon, token: &str) -> Option<[u32; 4]> {
    let classes = &lexicon.classes;
    classes.levels(token).or_else(|| {
        let mut chars = token.chars();
        let first = chars.next()?;
        if chars.clone().next().is_none() || token.chars().any(char::is_lowercase) {
            return None;
        }
        let capitalised: String = std::iter::once(first)
            .chain(chars.flat_map(char::to_lowercase))
            .collect();
        classes
            .levels(&capitalised)
            .or_else(|| classes.levels(&token.to_lowercase()))
    })
}

/// Where the neighbours whose words and shapes are features sit,
/// relative to the token.
pub const NEIGHBOURS: [isize; 4] = [-2, -1, 1, 2];

/// The feature kinds of the words at [`NEIGHBOURS`] (their shapes: ten
/// more).
const NEIGHBOUR_KINDS: [u64; 4] = [20, 21, 22, 23];

/// What stands at neighbour `n` ([`NEIGHBOURS`]) past the sentence's
/// start or end, as [`Sentence::beside`] gives it.
pub fn edge(n: usize) -> [u64; 2] {
    let mark = if NEIGHBOURS[n] < 0 { "<s>" } else { "</s>" };
    let kind = NEIGHBOUR_KINDS[n];
    [hash(kind, &[mark]), hash(kind + 10, &[mark])]
}

/// A feature: its kind, then its parts, hashed in turn.
fn hash(kind: u64, parts: &[&str]) -> u64 {
    parts.iter().fold(kind, |h, p| xxh3_64_with_seed(p.as_bytes(), h))
}

/// The history features of the previous two tags alone (the same for
/// every token).
pub fn history_pair(prev: &str, prev2: &str, out: &mut Vec<u64>) {
    out.push(hash(42, &[prev]));
    out.push(hash(43, &[prev2, prev]));
}

/// "Prigozhin" → "Xxxxxxxxx" capped to runs of four: "Xxxxx"; "1996-08-22" → "dddd-dd-dd".
fn shape(word: &str) -> String {
    let mut out = String::new();
    let mut last = ' ';
    let mut run = 0;
    for c in word.chars() {
        let s = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_ascii_digit() {
            'd'
        } else {
            c
        };
        run = if s == last { run + 1 } else { 1 };
        last = s;
        if run <= 4 {
            out.push(s);
        }
    }
    out
}

/// A [`shape`] with runs collapsed: "Xx", "d-d", "X.X.".
fn short_shape(shape: &str) -> String {
    let mut out = String::new();
    for c in shape.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(shape("Prigozhin"), "Xxxxx");
        assert_eq!(shape("1996-08-22"), "dddd-dd-dd");
        assert_eq!(short_shape(&shape("U.S.")), "X.X.");
        assert_eq!(short_shape(&shape("McDonald")), "XxXx");
    }

    #[test]
    fn features_depend_on_context_and_previous_tags() {
        let tokens: Vec<String> = ["Qin", "Gang", "met", "Rudenko"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let s = Sentence::new(&tokens, &Lexicon::default());
        let (mut a, mut b) = (Vec::new(), Vec::new());
        s.features(1, "B-PER", "O", &mut a);
        s.features(1, "O", "O", &mut b);
        assert_eq!(a.len(), b.len());
        assert_ne!(a, b, "the previous tag is a feature");
        s.features(1, "B-PER", "O", &mut b);
        assert_eq!(a, b, "features are deterministic");
    }
}
