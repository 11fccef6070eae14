//! Direct quotes and who said them.
//!
//! A quote is text between quotation marks (typographic “…”, straight "…",
//! or ``…''), whole sentences and partial quotes alike ("his call for a
//! “march of justice”"). Its speaker is looked for in this order: a person
//! or organisation named before the quote in its sentence (the subject that
//! "declared", "alleged", "dismissed"), one named after it next to a speech
//! verb ("…,” said Rudenko), a nominal reference such as "the spokesperson
//! for the Chinese Foreign Ministry" resolving to the organisation it
//! names, and a pronoun opening the sentence ("He said …") resolving to
//! the last person named; a name after a dash ("”― Pamela Padilla"); a
//! speaker the text names only by a description ("the announcer said",
//! "said one Democratic source", "the letter reads"), which is kept as
//! written. A quote that opens a paragraph after one ending in a colon
//! ("Caddell continued:") is introduced by that paragraph's last sentence.
//! Otherwise the quote is kept without a speaker: never guessed. Offsets
//! are characters into the text; a quote's span is its content without the
//! marks.

use crate::entities::Entity;
use crate::mentions::{Mentions, Named};
use crate::statements::{
    adjacent, speech_verb, words_in, Statement, Word, DESCRIBING, DESCRIPTION_WORDS, PRONOUN_SPEAKERS,
};
use serde::{Deserialize, Serialize};
use storyline_core::sentence::sentence_spans;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Speaker {
    /// Who the mention resolves to (the entity's name).
    pub name: String,
    /// The entity of the article named so; none for a speaker the tagger
    /// did not recognise as a name ("“…,” Mr. Podesta said").
    pub entity_id: Option<String>,
    /// The mention that ties the quote to the speaker.
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    /// The text from `start` to `end`: for a quote its attribution
    /// interrupts, the words between the parts too (see [`Quote::said`]).
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub speaker: Option<Speaker>,
    /// The quoted spans of one quote its attribution interrupts (“…,” he
    /// said. “…”), in order; empty when the quote is one span.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<QuotePart>,
}

/// One quoted span of an interrupted quote (characters into the text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotePart {
    pub start: usize,
    pub end: usize,
}

impl Quote {
    /// The quoted words alone: the parts of an interrupted quote joined
    /// with an ellipsis, else the text.
    pub fn said(&self) -> String {
        if self.parts.is_empty() {
            return self.text.clone();
        }
        self.parts
            .iter()
            .map(|p| {
                self.text
                    .chars()
                    .skip(p.start.saturating_sub(self.start))
                    .take(p.end.saturating_sub(p.start))
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join(" … ")
    }
}

/// How many words may stand between two quotes of one speaker that are
/// one quote its attribution interrupts (“…,” he told reporters. “…”).
const INTERRUPTION_WORDS: usize = 6;

/// Verbs that attribute a quote without saying anything of its stance,
/// beside the statement cues of [`speech_verb`]: "…,” she continued.
const QUOTE_VERBS: &[&str] = &[
    "adds",
    "agreed",
    "agrees",
    "answered",
    "answers",
    "asks",
    "boasted",
    "chanted",
    "commented",
    "complained",
    "concluded",
    "continued",
    "continues",
    "cried",
    "demanded",
    "exclaimed",
    "explains",
    "joked",
    "mused",
    "observed",
    "posted",
    "quipped",
    "read",
    "reads",
    "remarked",
    "replies",
    "responds",
    "screamed",
    "shouted",
    "sings",
    "testified",
    "tweets",
    "whispered",
    "wondered",
    "yelled",
    "yells",
];

/// Whether `lower` (a lower-case word) attributes a quote to its subject.
fn attribution_verb(lower: &str) -> bool {
    speech_verb(lower).is_some() || QUOTE_VERBS.contains(&lower)
}

/// Dashes that put a name after a quote: "”― Pamela Padilla".
const DASHES: &[char] = &['―', '—', '–'];

/// Quotation-mark pairs, opening then closing.
const MARKS: &[(char, char)] = &[('“', '”'), ('"', '"'), ('«', '»')];

/// (start, end) byte ranges of quoted text, without the marks.
fn quoted(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(char, usize)> = None;
    for (i, c) in text.char_indices() {
        match open {
            Some((close, start)) if c == close => {
                if i > start {
                    out.push((start, i));
                }
                open = None;
            }
            Some(_) => {
                if c == '\n' {
                    open = None;
                }
            }
            None => {
                if let Some(&(_, close)) = MARKS.iter().find(|(o, _)| *o == c) {
                    open = Some((close, i + c.len_utf8()));
                }
            }
        }
    }
    out
}

/// Byte spans of the quotes' contents: without the marks, the space
/// inside them, and the comma or full stop that belongs to the sentence
/// around a partial quote (“provocation.”); a whole quoted sentence keeps
/// its full stop.
pub(crate) fn quoted_spans(text: &str) -> Vec<(usize, usize)> {
    quoted(text)
        .into_iter()
        .filter_map(|(qs, qe)| {
            let raw = text[qs..qe].trim();
            let whole_sentence = raw.starts_with(char::is_uppercase) && raw.contains(' ');
            let content = if whole_sentence {
                raw.trim_end_matches(',')
            } else {
                raw.trim_end_matches([',', '.'])
            };
            let start = qs + (text[qs..qe].len() - text[qs..qe].trim_start().len());
            (!content.is_empty()).then_some((start, start + content.len()))
        })
        .collect()
}

/// The quotes of `text` with their speakers among `entities`, given the
/// text's `statements` (all from the same text): a quote inside what a
/// statement reports is its speaker's (the narrowest such statement);
/// otherwise the speaker is looked for around the quote.
pub fn extract(text: &str, entities: &[Entity], statements: &[Statement]) -> Vec<Quote> {
    extract_over(text, &sentence_spans(text), entities, statements)
}

/// [`extract`] over the text's `sentences` (`sentence_spans`), which the
/// whole analysis finds once.
pub(crate) fn extract_over(
    text: &str,
    sentences: &[(usize, usize)],
    entities: &[Entity],
    statements: &[Statement],
) -> Vec<Quote> {
    let mentions = Mentions::new(text, entities);
    let offsets = &mentions.offsets;
    let sentence_of = |byte: usize| {
        sentences
            .iter()
            .position(|&(s, e)| s <= byte && byte < e.max(s + 1))
    };
    let mut out = Vec::new();
    for (qs, qe) in quoted_spans(text) {
        let content = &text[qs..qe];
        let (Some(first), Some(last)) = (sentence_of(qs), sentence_of(qe.saturating_sub(1).max(qs))) else {
            continue;
        };
        // "“Neither do I.” Graham said.": the attribution after a quote that
        // ends its sentence is the next sentence of the paragraph.
        let mut sentence_end = sentences[last].1.max(qe);
        if let Some(&(next_start, next_end)) = sentences.get(last + 1) {
            let ends_at_quote = !text[qe..sentence_end].contains(char::is_alphanumeric);
            if ends_at_quote && !text[sentence_end..next_start].contains('\n') {
                sentence_end = next_end;
            }
        }
        let around = Around {
            text,
            mentions: &mentions,
            sentence_start: introduced_by(text, sentences, first, qs).unwrap_or(sentences[first].0),
            sentence_end,
            quote: (qs, qe),
        };
        let (start, end) = (offsets.char(qs), offsets.char(qe));
        let reported = statements
            .iter()
            .filter(|s| s.content.start <= start && end <= s.content.end)
            .min_by_key(|s| s.content.end - s.content.start)
            .map(|s| s.speaker.clone());
        let as_written = |(start, end): (usize, usize)| Speaker {
            name: text[start..end].to_string(),
            entity_id: None,
            start: offsets.char(start),
            end: offsets.char(end),
        };
        let named = |(start, end, n): Tie| Speaker {
            name: n.entity.name.clone(),
            entity_id: Some(n.entity.id.clone()),
            start: offsets.char(start),
            end: offsets.char(end),
        };
        // A title in quotation marks ("Fox News Sunday", “State of the
        // Union”) names a work or a show: nobody is quoted.
        if is_title(content) {
            out.push(Quote {
                text: content.to_string(),
                start,
                end,
                speaker: None,
                parts: Vec::new(),
            });
            continue;
        }
        let dashed = around.after_dash().map(|(start, end)| {
            mentions
                .within(start, end)
                .find(|n| n.is_agent())
                .map_or_else(|| as_written((start, end)), |n| named((n.start, n.end, n)))
        });
        let speaker = reported
            .or(dashed)
            .or_else(|| around.speaker().map(named))
            .or_else(|| around.unnamed().map(as_written))
            .or_else(|| around.described().map(as_written));
        out.push(Quote {
            text: content.to_string(),
            start,
            end,
            speaker,
            parts: Vec::new(),
        });
    }
    continue_speakers(text, &mut out);
    join_interrupted(text, offsets, out)
}

/// One quote for each thing reported: consecutive quotes of one speaker
/// in a paragraph with no more than the attribution between them (“…,” he
/// told reporters. “…”) become one quote with its parts.
fn join_interrupted(text: &str, offsets: &crate::mentions::Offsets, quotes: Vec<Quote>) -> Vec<Quote> {
    let mut out: Vec<Quote> = Vec::with_capacity(quotes.len());
    for q in quotes {
        let Some(last) = out.last_mut() else {
            out.push(q);
            continue;
        };
        let same_speaker = match (&last.speaker, &q.speaker) {
            (Some(a), Some(b)) => a.name == b.name,
            _ => false,
        };
        let (from, to) = (offsets.byte(last.end), offsets.byte(q.start));
        let between = &text[from.min(to)..to];
        let words = between
            .split_whitespace()
            .filter(|w| w.contains(char::is_alphanumeric))
            .take(INTERRUPTION_WORDS + 1)
            .count();
        if !same_speaker || between.contains('\n') || words > INTERRUPTION_WORDS || is_title(&q.text) {
            out.push(q);
            continue;
        }
        if last.parts.is_empty() {
            last.parts.push(QuotePart {
                start: last.start,
                end: last.end,
            });
        }
        last.parts.push(QuotePart {
            start: q.start,
            end: q.end,
        });
        last.end = q.end;
        last.text = text[offsets.byte(last.start)..offsets.byte(q.end)].to_string();
    }
    out
}

/// A quoted sentence without a speaker of its own continues the quotes
/// around it in its paragraph ("“…?” Graham asked. “Neither do I.”"): it
/// takes the speaker of the nearest attributed quoted sentence there, the
/// one before first. Partial quotes (a word or phrase) never do.
fn continue_speakers(text: &str, quotes: &mut [Quote]) {
    let breaks: Vec<usize> = text
        .chars()
        .enumerate()
        .filter(|(_, c)| *c == '\n')
        .map(|(i, _)| i)
        .collect();
    let paragraph = |char_index: usize| breaks.partition_point(|&b| b < char_index);
    let is_sentence = |q: &Quote| q.text.starts_with(char::is_uppercase) && q.text.contains(' ');
    for i in 0..quotes.len() {
        if quotes[i].speaker.is_some() || !is_sentence(&quotes[i]) || is_title(&quotes[i].text) {
            continue;
        }
        let p = paragraph(quotes[i].start);
        let same = |q: &&Quote| q.speaker.is_some() && is_sentence(q) && paragraph(q.start) == p;
        let before = quotes[..i].iter().rev().find(same);
        let after = quotes[i + 1..].iter().find(same);
        quotes[i].speaker = before.or(after).and_then(|q| q.speaker.clone());
    }
}

/// Small words a title leaves in lower case.
const TITLE_LOWER: &[&str] = &[
    "a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with",
];

/// Whether quoted `content` reads as the title of a work, a show or a
/// programme: two to six words, each capitalised but the small ones.
fn is_title(content: &str) -> bool {
    let words: Vec<&str> = content
        .split(|c: char| c.is_whitespace())
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect();
    let capitalised = |w: &&str| w.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit());
    // One capitalised word is as often an answer (“Never,” he said).
    (2..=6).contains(&words.len())
        && words.first().is_some_and(capitalised)
        && words.iter().all(|w| capitalised(w) || TITLE_LOWER.contains(w))
        && !content.trim_end().ends_with(['?', '!'])
}

/// Where the sentence introducing a quote starts when the quote opens a
/// paragraph and the paragraph before ends with a colon ("He said:"): the
/// last sentence of that paragraph. `first` is the quote's sentence and
/// `qs` the byte its content starts at.
fn introduced_by(text: &str, sentences: &[(usize, usize)], first: usize, qs: usize) -> Option<usize> {
    let before = &text[sentences[first].0.min(qs)..qs];
    let opens_paragraph = text[..qs].rfind('\n').is_some_and(|nl| {
        text[nl..qs]
            .chars()
            .all(|c| c.is_whitespace() || MARKS.iter().any(|m| m.0 == c))
    });
    if !opens_paragraph || before.contains(char::is_alphanumeric) {
        return None;
    }
    let previous = text[..qs].trim_end_matches(|c: char| c.is_whitespace() || MARKS.iter().any(|m| m.0 == c));
    if !previous.ends_with(':') {
        return None;
    }
    let colon = previous.len() - 1;
    sentences
        .iter()
        .rev()
        .find(|&&(s, _)| s <= colon)
        .map(|&(s, _)| s)
        .filter(|&s| !text[s..colon].contains('\n'))
}

/// A quote in its sentence(s): where its speaker is looked for.
struct Around<'t, 'e> {
    text: &'t str,
    mentions: &'t Mentions<'e>,
    sentence_start: usize,
    sentence_end: usize,
    quote: (usize, usize),
}

/// A speaker: the tying mention's byte span and the entity it resolves to.
type Tie<'t, 'e> = (usize, usize, &'t Named<'e>);

impl<'t, 'e> Around<'t, 'e> {
    fn speaker(&self) -> Option<Tie<'t, 'e>> {
        self.named_before()
            .or_else(|| self.named_after())
            .or_else(|| self.reference_after())
            .or_else(|| self.reference_opening())
            .or_else(|| self.reference_before())
    }

    /// “…,” he said, “…”: a reference right before the last speech verb
    /// before the quote in its sentence.
    fn reference_before(&self) -> Option<Tie<'t, 'e>> {
        let (qs, _) = self.quote;
        let words = words_in(self.text, self.sentence_start, qs);
        let verb = words.iter().rposition(|w| attribution_verb(&w.lower))?;
        let subject = &words[verb.checked_sub(1)?];
        let lower = self.text[subject.start..qs].to_ascii_lowercase();
        let (len, named) = self.mentions.resolve_reference(&lower, subject.start)?;
        Some((subject.start, subject.start + len, named))
    }

    /// A name the tagger missed, next to a speech verb around the quote:
    /// “…,” Mr. Podesta said / “…,” said Rep. Elijah E. Cummings.
    fn unnamed(&self) -> Option<(usize, usize)> {
        let (qs, qe) = self.quote;
        let words: Vec<Word> = words_in(self.text, self.sentence_start, self.sentence_end)
            .into_iter()
            .filter(|w| w.end <= qs || w.start >= qe)
            .collect();
        let capitalised = |w: &Word| self.text[w.start..w.end].starts_with(char::is_uppercase);
        for (i, w) in words.iter().enumerate() {
            if !attribution_verb(&w.lower) || !self.text[w.start..w.end].starts_with(char::is_lowercase) {
                continue;
            }
            let run_before = words[..i].iter().rev().take_while(|x| capitalised(x)).count();
            if run_before > 0 && !self.text[words[i - 1].end..w.start].contains(char::is_alphanumeric) {
                let first = &words[i - run_before];
                let joined = !self.text[first.start..words[i - 1].end].contains([',', '“', '”', '"']);
                if joined && !(first.start < qs && qs < w.start) {
                    return Some((first.start, words[i - 1].end));
                }
            }
            let run_after = words[i + 1..].iter().take_while(|x| capitalised(x)).count();
            if run_after > 0 {
                let last = &words[i + run_after];
                if !self.text[w.end..last.end].contains([',', '“', '”', '"']) {
                    return Some((words[i + 1].start, last.end));
                }
            }
        }
        None
    }

    /// “…” ― Pamela Padilla: a capitalised name after a dash right after
    /// the quote, up to the end of its line or a comma.
    fn after_dash(&self) -> Option<(usize, usize)> {
        let (_, qe) = self.quote;
        let rest = &self.text[qe..];
        let skip = rest
            .find(|c: char| !(c.is_whitespace() || c == '.' || c == ',' || MARKS.iter().any(|m| m.1 == c)))?;
        if rest[..skip].contains('\n') || !rest[skip..].starts_with(DASHES) {
            return None;
        }
        let dash = rest[skip..].chars().next()?.len_utf8();
        let name_at = qe + skip + dash;
        let line = &self.text[name_at..];
        let lead = line.len() - line.trim_start_matches([' ', '\u{a0}']).len();
        let start = name_at + lead;
        let end = start
            + self.text[start..]
                .find(['\n', ',', '(', ';'])
                .unwrap_or(self.text.len() - start);
        let name = self.text[start..end].trim_end_matches([' ', '.']);
        let words: Vec<&str> = name.split_whitespace().collect();
        let capitalised =
            !words.is_empty() && words.len() <= 5 && words.iter().all(|w| w.starts_with(char::is_uppercase));
        capitalised.then_some((start, start + name.len()))
    }

    /// A speaker the text describes rather than names, tied as written:
    /// “…,” the announcer said / “…,” said one Democratic source on the
    /// panel / “…,” they wrote / A friend commented: “…”.
    fn described(&self) -> Option<(usize, usize)> {
        let (qs, qe) = self.quote;
        let after = words_in(self.text, qe, self.sentence_end);
        let starts_description = |w: &Word| DESCRIBING.contains(&w.lower.as_str());
        // How many of `words` from `from` run on without punctuation and
        // before a verb of saying.
        let phrase = |words: &[Word], from: usize| -> usize {
            let mut n = 0;
            while let Some(w) = words.get(from + n) {
                let joined = n == 0 || adjacent(self.text, &words[from + n - 1], w);
                if n == DESCRIPTION_WORDS || !joined || attribution_verb(&w.lower) {
                    break;
                }
                n += 1;
            }
            n
        };
        let quote_ends_clause = |first: &Word| !self.text[qe..first.start].contains(char::is_alphanumeric);
        if let Some(first) = after.first().filter(|w| quote_ends_clause(w)) {
            // “…,” said the announcer.
            if attribution_verb(&first.lower) && after.get(1).is_some_and(starts_description) {
                let n = phrase(&after, 1);
                return Some((after[1].start, after[n].end));
            }
            // “…,” the announcer said / “…,” they wrote.
            if starts_description(first) {
                let n = phrase(&after, 0);
                if after.get(n).is_some_and(|v| attribution_verb(&v.lower)) && n > 1 {
                    return Some((first.start, after[n - 1].end));
                }
            }
            let adverb = after
                .get(1)
                .is_some_and(|w| w.lower.ends_with("ly") || w.lower == "further");
            let verb_at = 1 + usize::from(adverb);
            if PRONOUN_SPEAKERS.contains(&first.lower.as_str())
                && after.get(verb_at).is_some_and(|v| attribution_verb(&v.lower))
            {
                return Some((first.start, first.end));
            }
        }
        // A friend commented: “…”
        let before = words_in(self.text, self.sentence_start, qs);
        let verb = before.last().filter(|v| attribution_verb(&v.lower))?;
        let between = &self.text[verb.end..qs];
        if between.contains(char::is_alphanumeric) || before.len() < 3 || !starts_description(&before[0]) {
            return None;
        }
        let n = before.len() - 1;
        (n <= DESCRIPTION_WORDS).then(|| (before[0].start, before[n - 1].end))
    }

    /// A person or organisation named before the quote in its sentence:
    /// the nearest one with a speech verb between it and the quote, else the
    /// sentence's first (its subject).
    fn named_before(&self) -> Option<Tie<'t, 'e>> {
        let (qs, _) = self.quote;
        let before: Vec<&Named> = self
            .mentions
            .within(self.sentence_start, qs)
            .filter(|n| n.is_agent())
            .collect();
        let chosen = before
            .iter()
            .rev()
            .find(|n| has_speech_verb(&self.text[n.end..qs]))
            .or(before.first())?;
        Some((
            nominal_start(self.text, self.sentence_start, chosen.start),
            chosen.end,
            chosen,
        ))
    }

    /// “…,” said Rudenko / “…,” Rudenko told reporters / “…,” Scott
    /// Pruitt, the attorney general, said. Not the one spoken to or of:
    /// “…,” she told Harvey / “…,” he said in the Oval Office.
    fn named_after(&self) -> Option<Tie<'t, 'e>> {
        let (_, qe) = self.quote;
        self.mentions
            .within(qe, self.sentence_end)
            .filter(|n| n.is_agent())
            .find(|n| {
                // Only a verb and the speaker's title ("said Rep.") between.
                let (mut words_between, mut verbs, mut titled) = (0, 0, true);
                for w in words(&self.text[qe..n.start]) {
                    words_between += 1;
                    if attribution_verb(&w.to_ascii_lowercase()) {
                        verbs += 1;
                    } else if !w.starts_with(char::is_uppercase) {
                        titled = false;
                    }
                }
                let verb_first = verbs == 1 && titled;
                let name_first = words_between == 0 && has_speech_verb(&self.text[n.end..self.sentence_end]);
                verb_first || name_first
            })
            .map(|n| (nominal_start(self.text, qe, n.start), n.end, n))
    }

    /// “…,” he said / “…,” said the official.
    fn reference_after(&self) -> Option<Tie<'t, 'e>> {
        let (_, qe) = self.quote;
        let rest = &self.text[qe..self.sentence_end];
        let skip = rest.find(|c: char| c.is_alphabetic())?;
        let mut at = qe + skip;
        let mut words = self.text[at..self.sentence_end].to_ascii_lowercase();
        let verb_first = starts_with_speech_verb(&words);
        if verb_first {
            let verb_len = words.find(' ')?;
            at += verb_len + 1;
            words = words[verb_len + 1..].to_string();
        }
        let (len, named) = self.mentions.resolve_reference(&words, at)?;
        (verb_first || starts_with_speech_verb(&words[len..])).then_some((at, at + len, named))
    }

    /// He said, “…” / The ministry declared: “…”
    fn reference_opening(&self) -> Option<Tie<'t, 'e>> {
        let (qs, _) = self.quote;
        let at = self.sentence_start;
        let words = self.text[at..qs].to_ascii_lowercase();
        let (len, named) = self.mentions.resolve_reference(&words, at)?;
        has_speech_verb(&words[len..]).then_some((at, at + len, named))
    }
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty())
}

fn has_speech_verb(text: &str) -> bool {
    words(text).any(|w| attribution_verb(&w.to_ascii_lowercase()))
}

fn starts_with_speech_verb(text: &str) -> bool {
    words(text)
        .next()
        .is_some_and(|w| attribution_verb(&w.to_ascii_lowercase()))
}

/// Where "the spokesperson for the Chinese Foreign Ministry" starts, when
/// the mention at `mention` is the object of such a phrase; else `mention`.
pub(crate) fn nominal_start(text: &str, sentence: usize, mention: usize) -> usize {
    let before = &text[sentence..mention];
    let lower = before.to_ascii_lowercase();
    for head in [
        "spokesperson for the ",
        "spokesman for the ",
        "spokeswoman for the ",
        "official of the ",
    ] {
        if let Some(i) = lower.rfind(head) {
            if lower[i + head.len()..].trim().is_empty() {
                let start = lower[..i]
                    .rfind("the ")
                    .filter(|&t| lower[t..i].trim() == "the")
                    .unwrap_or(i);
                return sentence + start;
            }
        }
    }
    mention
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::Mention;

    fn entity(id: &str, name: &str, kind: &str, text: &str, mention: &str) -> Entity {
        let byte = text.find(mention).unwrap();
        let start = text[..byte].chars().count();
        serde_json::from_value(serde_json::json!({
            "id": id, "name": name, "type": kind, "aliases": [], "roles": [],
            "mentions": [Mention { text: mention.into(), start, end: start + mention.chars().count() }],
        }))
        .unwrap()
    }

    #[test]
    fn speakers_before_after_nominal_and_none() {
        let text = "The spokesperson for the Chinese Foreign Ministry declared, “This is Russia’s internal affairs.” \
                    “We talked for hours,” said Rudenko. Nobody knows what “soon” means.";
        let entities = vec![
            entity(
                "e1",
                "Chinese Foreign Ministry",
                "ORG",
                text,
                "Chinese Foreign Ministry",
            ),
            entity("e2", "Andrey Rudenko", "PERSON", text, "Rudenko"),
        ];
        let q = extract(text, &entities, &[]);
        assert_eq!(q.len(), 3, "{q:?}");
        assert_eq!(q[0].text, "This is Russia’s internal affairs.");
        let s = q[0].speaker.as_ref().unwrap();
        assert_eq!(s.name, "Chinese Foreign Ministry");
        let chars: Vec<char> = text.chars().collect();
        assert_eq!(
            chars[s.start..s.end].iter().collect::<String>(),
            "The spokesperson for the Chinese Foreign Ministry"
        );
        assert_eq!(chars[q[0].start..q[0].end].iter().collect::<String>(), q[0].text);
        assert_eq!(q[1].speaker.as_ref().unwrap().name, "Andrey Rudenko");
        assert_eq!(q[2].text, "soon");
        assert!(q[2].speaker.is_none(), "no speaker is guessed");
    }

    #[test]
    fn split_quotes_missed_names_and_continued_quotes() {
        let text = "Rudenko arrived.\n“We talked,” he said, “for hours.” “It went well.”\n“We will see,” Mr. Podesta said.";
        let entities = vec![entity("e1", "Andrey Rudenko", "PERSON", text, "Rudenko")];
        let q = extract(text, &entities, &[]);
        let who: Vec<Option<&str>> = q
            .iter()
            .map(|q| q.speaker.as_ref().map(|s| s.name.as_str()))
            .collect();
        // The three quotes of the second paragraph are one, in three parts.
        assert_eq!(who, [Some("Andrey Rudenko"), Some("Mr. Podesta")], "{q:#?}");
        assert_eq!(q[0].parts.len(), 3);
        assert_eq!(
            q[1].speaker.as_ref().unwrap().entity_id,
            None,
            "no entity for a name the tagger missed"
        );
    }

    #[test]
    fn a_pronoun_reaches_back_to_the_last_person() {
        let text = "Rudenko met Qin in Beijing.\nHe said “the talks went well.”";
        let entities = vec![entity("e1", "Andrey Rudenko", "PERSON", text, "Rudenko")];
        let q = extract(text, &entities, &[]);
        let s = q[0].speaker.as_ref().expect("he is Rudenko");
        assert_eq!(s.name, "Andrey Rudenko");
        let chars: Vec<char> = text.chars().collect();
        assert_eq!(
            chars[s.start..s.end].iter().collect::<String>(),
            "He",
            "the mention tying the quote"
        );
    }

    fn speakers_of(text: &str, entities: &[Entity]) -> Vec<Option<String>> {
        let chars: Vec<char> = text.chars().collect();
        extract(text, entities, &[])
            .iter()
            .map(|q| q.speaker.as_ref().map(|s| chars[s.start..s.end].iter().collect()))
            .collect()
    }

    #[test]
    fn speakers_after_a_dash_described_or_introduced_by_a_colon() {
        let text = "“He makes blanket statements about people.” ― Pamela Padilla\n\
                    “It’s 3 a.m. Who do you want answering the phone?” the announcer says.\n\
                    “The program has become plagued by fraud,” they wrote.\n\
                    “We do not see a link,” said one Democratic source on the panel.\n\
                    Caddell continued:\n\
                    “The health issue is very much a partisan issue.”\n\
                    Nobody knows what “soon” means.";
        let who = speakers_of(text, &[]);
        assert_eq!(
            who,
            [
                Some("Pamela Padilla".to_string()),
                Some("the announcer".to_string()),
                Some("they".to_string()),
                Some("one Democratic source on the panel".to_string()),
                Some("Caddell".to_string()),
                None,
            ],
        );
    }

    #[test]
    fn quotes_continued_by_a_verb_of_saying_beyond_the_statement_cues() {
        let text = "Strada spoke first.\n“We are asking for a hearing,” she continued.";
        let entities = vec![entity("e1", "Terry Strada", "PERSON", text, "Strada")];
        let q = extract(text, &entities, &[]);
        assert_eq!(
            q[0].speaker.as_ref().map(|s| s.name.as_str()),
            Some("Terry Strada"),
            "{q:?}"
        );
    }
    #[test]
    fn a_title_in_quotation_marks_quotes_nobody() {
        let text = "Trump said on “Fox News Sunday” that he would win. “Never,” Trump said.";
        let entities = vec![entity("e1", "Donald Trump", "PERSON", text, "Trump")];
        let q = extract(text, &entities, &[]);
        assert!(q[0].speaker.is_none(), "{q:?}");
        assert!(q[1].speaker.is_some(), "a one-word answer is a quote: {q:?}");
    }
    #[test]
    fn the_one_spoken_to_is_not_the_speaker() {
        let text = "Clinton met Harvey.\n“Maybe I can speak directly to people,” she told Harvey.";
        let entities = vec![
            entity("e1", "Hillary Clinton", "PERSON", text, "Clinton"),
            entity("e2", "Steve Harvey", "PERSON", text, "Harvey."),
        ];
        // The second mention of Harvey, after "told".
        let mut entities = entities;
        let at = text.rfind("Harvey").unwrap();
        let start = text[..at].chars().count();
        entities[1].mentions.push(Mention {
            text: "Harvey".into(),
            start,
            end: start + 6,
        });
        let q = extract(text, &entities, &[]);
        let s = q[0].speaker.as_ref().expect("she is the speaker");
        let chars: Vec<char> = text.chars().collect();
        assert_eq!(chars[s.start..s.end].iter().collect::<String>(), "she", "{q:?}");
    }
    #[test]
    fn a_quote_its_attribution_interrupts_is_one_quote_with_parts() {
        let text = "Ban Ki-moon spoke.\n“I count on the Council to remain united,” he told reporters. “We must break this spiral.”\n“Next,” he said.";
        let entities = vec![entity("e1", "Ban Ki-moon", "PERSON", text, "Ban Ki-moon")];
        let q = extract(text, &entities, &[]);
        assert_eq!(q.len(), 2, "{q:#?}");
        let chars: Vec<char> = text.chars().collect();
        let slice = |s: usize, e: usize| chars[s..e].iter().collect::<String>();
        assert_eq!(slice(q[0].start, q[0].end), q[0].text, "the text is the span");
        let parts: Vec<String> = q[0].parts.iter().map(|p| slice(p.start, p.end)).collect();
        assert_eq!(
            parts,
            [
                "I count on the Council to remain united",
                "We must break this spiral."
            ]
        );
        assert_eq!(
            q[0].said(),
            "I count on the Council to remain united … We must break this spiral."
        );
        assert!(q[1].parts.is_empty(), "a new paragraph is a new quote");
        let json = serde_json::to_value(&q[1]).unwrap();
        assert!(json.get("parts").is_none(), "no parts for a quote in one piece");
    }
}
