//! Features of one token in its sentence, as 64-bit hashes.
//!
//! The classic feature set of perceptron and CRF taggers (Ratinov & Roth
//! 2009, without gazetteers or clusters yet): the word and its lower-cased
//! form, its shape ("Xxxx", "dd-dd") and short shape ("Xx"), prefixes and
//! suffixes up to four characters, the words and shapes around it, and the
//! two tags predicted before it, alone and with the word. A sentence in
//! capitals (a headline) says so, since case then tells nothing.

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// What the features of one sentence share.
pub struct Sentence<'a> {
    tokens: &'a [String],
    lower: Vec<String>,
    shapes: Vec<String>,
    all_caps: bool,
}

impl<'a> Sentence<'a> {
    pub fn new(tokens: &'a [String]) -> Sentence<'a> {
        let lower = tokens.iter().map(|t| t.to_lowercase()).collect();
        let shapes = tokens.iter().map(|t| shape(t)).collect();
        let letters: Vec<&String> = tokens
            .iter()
            .filter(|t| t.chars().any(char::is_alphabetic))
            .collect();
        let all_caps = letters.len() > 2 && letters.iter().all(|t| !t.chars().any(char::is_lowercase));
        Sentence {
            tokens,
            lower,
            shapes,
            all_caps,
        }
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The features of token `i`, given the tags chosen for the two before it.
    pub fn features(&self, i: usize, prev: &str, prev2: &str, out: &mut Vec<u64>) {
        out.clear();
        let word = &self.tokens[i];
        let lower = &self.lower[i];
        let at = |j: isize| -> (&str, &str) {
            let k = i as isize + j;
            if k < 0 {
                ("<s>", "<s>")
            } else if k as usize >= self.tokens.len() {
                ("</s>", "</s>")
            } else {
                (self.lower[k as usize].as_str(), self.shapes[k as usize].as_str())
            }
        };
        let mut f = |kind: u64, parts: &[&str]| {
            let mut h = kind;
            for p in parts {
                h = xxh3_64_with_seed(p.as_bytes(), h);
            }
            out.push(h);
        };
        f(1, &[]);
        f(2, &[word]);
        f(3, &[lower]);
        f(4, &[&self.shapes[i]]);
        f(5, &[&short_shape(word)]);
        let chars: Vec<char> = lower.chars().collect();
        for n in 1..=4.min(chars.len()) {
            f(6 + n as u64, &[&chars[..n].iter().collect::<String>()]);
            f(
                12 + n as u64,
                &[&chars[chars.len() - n..].iter().collect::<String>()],
            );
        }
        for (kind, j) in [(20, -2), (21, -1), (22, 1), (23, 2)] {
            let (w, s) = at(j);
            f(kind, &[w]);
            f(kind + 10, &[s]);
        }
        f(40, &[at(-1).0, lower]);
        f(41, &[lower, at(1).0]);
        f(42, &[prev]);
        f(43, &[prev2, prev]);
        f(44, &[prev, lower]);
        f(45, &[prev, &self.shapes[i]]);
        if i == 0 {
            f(46, &[&self.shapes[i]]);
        }
        if self.all_caps {
            f(47, &[]);
            f(48, &[lower]);
        }
        if word.contains('-') {
            f(49, &[]);
        }
    }
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

/// Shape with runs collapsed: "Xx", "d-d", "X.X.".
fn short_shape(word: &str) -> String {
    let mut out = String::new();
    for c in shape(word).chars() {
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
        assert_eq!(short_shape("U.S."), "X.X.");
        assert_eq!(short_shape("McDonald"), "XxXx");
    }

    #[test]
    fn features_depend_on_context_and_previous_tags() {
        let tokens: Vec<String> = ["Qin", "Gang", "met", "Rudenko"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let s = Sentence::new(&tokens);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        s.features(1, "B-PER", "O", &mut a);
        s.features(1, "O", "O", &mut b);
        assert_eq!(a.len(), b.len());
        assert_ne!(a, b, "the previous tag is a feature");
        s.features(1, "B-PER", "O", &mut b);
        assert_eq!(a, b, "features are deterministic");
    }
}
