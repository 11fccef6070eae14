//! Statements: who said, declared, denied or condemned what, about whom,
//! and with which stance.
//!
//! A statement is anchored on a cue verb from a lexicon ("declared",
//! "emphasized", "dismissed", "condemned", "according to" …), each with a
//! default stance: support, condemn, deny, claim or neutral. Its speaker is
//! the subject before the cue (a person or organisation named in the
//! clause, a capital or country standing for its government right before
//! the verb, or a reference such as "the ministry" or "he" resolved to the
//! entity it points back to), or the name after it ("…, said Rudenko").
//! Its content is what was said: the quote next to the cue or the clause
//! after it. A neutral cue takes a stronger stance from its content ("China
//! stands firmly behind Russia" is support); a negated cue phrase does not
//! count. The target is the entity the stance is about: the first one after
//! the cue phrase, else the first one in the content. No speaker, no
//! statement: nothing is guessed. Quoting itself is `quotes`; finding names
//! is `entities`.

use crate::entities::Entity;
use crate::mentions::{Mentions, Named};
use crate::quotes::{nominal_start, quoted_spans, Speaker};
use serde::{Deserialize, Serialize};
use storyline_core::names::WEEKDAYS;
use storyline_core::sentence::sentence_spans;

/// Exactly one of the five stance classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    Support,
    Condemn,
    Deny,
    Claim,
    Neutral,
}

/// Character span of what was said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Content {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    pub speaker: Speaker,
    /// The cue as written ("dismissed", "according to").
    pub verb: String,
    pub stance: Stance,
    /// Whom or what the statement is about, when an entity is named.
    pub target: Option<Speaker>,
    pub content: Content,
    /// The sentence the statement was read from, and its character span.
    pub evidence: String,
    pub start: usize,
    pub end: usize,
}

/// The stance a cue word carries, if it is a cue (lower-case word forms).
pub fn speech_verb(word: &str) -> Option<Stance> {
    use Stance::*;
    let stance = match word {
        "supported" | "supports" | "backed" | "backs" | "endorsed" | "endorses" | "praised" | "praises"
        | "welcomed" | "welcomes" | "hailed" | "defended" | "defends" | "applauded" => Support,
        "condemned" | "condemns" | "condemning" | "denounced" | "denounces" | "criticized" | "criticised"
        | "criticizes" | "criticises" | "slammed" | "blamed" | "blames" | "accused" | "accuses"
        | "decried" | "rebuked" | "deplored" | "lambasted" | "labeling" | "labelling" | "branded"
        | "slamming" | "attacked" | "attacking" => Condemn,
        "denied" | "denies" | "denying" | "dismissed" | "dismisses" | "dismissing" | "rejected"
        | "rejects" | "refuted" | "disputed" | "disputes" | "rebuffed" => Deny,
        "alleged" | "alleges" | "claimed" | "claims" | "claiming" | "asserted" | "asserts" | "insisted"
        | "insists" | "argued" | "argues" | "arguing" | "contended" | "maintained" => Claim,
        "said" | "says" | "saying" | "told" | "tells" | "stated" | "added" | "adding" | "noted" | "notes"
        | "announced" | "announces" | "reported" | "reports" | "confirmed" | "confirms" | "revealed"
        | "declared" | "declares" | "affirmed" | "affirms" | "emphasized" | "emphasised" | "emphasizing"
        | "stressed" | "stresses" | "reiterated" | "explained" | "wrote" | "writes" | "warned" | "warns"
        | "disclosed" | "disclosing" | "acknowledged" | "admitted" | "responded" | "replied" | "asked"
        | "called" | "described" | "highlighted" | "highlighting" | "citing" | "cited" | "tweeted"
        | "urged" | "urges" | "urging" | "questioned" | "questions" | "suggested" | "suggests"
        | "predicted" | "predicts" | "promised" | "promises" | "promising" | "pledged" | "pledges"
        | "vowed" | "vows" | "stressing" | "conceded" | "concedes" | "recalled" | "recalls" => Neutral,
        _ => return base_form(word),
    };
    Some(stance)
}

/// Cues in their base form, with their stance: they speak in the present
/// ("officials say") but not after "to" or a modal ([`NON_FINITE_BEFORE`]).
const BASE_FORMS: &[(&str, Stance)] = &[
    ("say", Stance::Neutral),
    ("tell", Stance::Neutral),
    ("add", Stance::Neutral),
    ("note", Stance::Neutral),
    ("warn", Stance::Neutral),
    ("report", Stance::Neutral),
    ("confirm", Stance::Neutral),
    ("stress", Stance::Neutral),
    ("explain", Stance::Neutral),
    ("write", Stance::Neutral),
    ("acknowledge", Stance::Neutral),
    ("predict", Stance::Neutral),
    ("suggest", Stance::Neutral),
    ("urge", Stance::Neutral),
    ("deny", Stance::Deny),
    ("reject", Stance::Deny),
    ("claim", Stance::Claim),
    ("insist", Stance::Claim),
    ("argue", Stance::Claim),
    ("contend", Stance::Claim),
];

/// The stance of `word` if it is a cue in its base form.
fn base_form(word: &str) -> Option<Stance> {
    BASE_FORMS.iter().find(|(w, _)| *w == word).map(|&(_, s)| s)
}

/// Words before a base-form verb that make it no statement of its own:
/// "to say", "will tell", "did not deny", "cannot confirm".
const NON_FINITE_BEFORE: &[&str] = &[
    "to", "will", "would", "can", "could", "may", "might", "must", "should", "shall", "did", "does", "do",
    "not", "never", "cannot", "won't", "wouldn't", "didn't", "doesn't", "don't", "can't", "couldn't", "let",
];

/// Phrases inside what was said that carry a stance, and the stance.
const CONTENT_CUES: &[(&str, Stance)] = &[
    ("support for", Stance::Support),
    ("supports", Stance::Support),
    ("stands behind", Stance::Support),
    ("stands firmly behind", Stance::Support),
    ("stand behind", Stance::Support),
    ("backing of", Stance::Support),
    ("backing for", Stance::Support),
    ("solidarity with", Stance::Support),
    ("in favor of", Stance::Support),
    ("in favour of", Stance::Support),
    ("condemns", Stance::Condemn),
    ("condemnation of", Stance::Condemn),
    ("treason", Stance::Condemn),
    ("betrayal", Stance::Condemn),
    ("denies", Stance::Deny),
    ("never happened", Stance::Deny),
];

/// Words that cannot open a verb's subject-less use: a determiner or a
/// possessive before a cue makes it a noun ("the group's claims").
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "his", "her", "their", "its", "our", "my", "your", "these", "those", "this",
];

/// A word of the text: byte span and its lower-case form.
pub(crate) struct Word {
    pub start: usize,
    pub end: usize,
    pub lower: String,
}

/// Whether only white space stands between words `a` and `b` of `text`.
pub(crate) fn adjacent(text: &str, a: &Word, b: &Word) -> bool {
    text[a.end..b.start].trim().is_empty()
}

pub(crate) fn words_in(text: &str, start: usize, end: usize) -> Vec<Word> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    let slice = &text[start..end];
    let mut push = |s: usize, e: usize| {
        let w = &slice[s..e];
        out.push(Word {
            start: start + s,
            end: start + e,
            lower: w.to_lowercase(),
        })
    };
    for (i, c) in slice.char_indices() {
        let inner = c.is_alphanumeric() || ((c == '\'' || c == '’' || c == '-') && open.is_some());
        match (open, inner) {
            (None, true) => open = Some(i),
            (Some(s), false) => {
                push(s, i);
                open = None;
            }
            _ => {}
        }
    }
    if let Some(s) = open {
        push(s, slice.len());
    }
    out
}

/// Words allowed between a subject and its verb ("has", "swiftly", "further").
fn is_verb_filler(w: &str) -> bool {
    matches!(
        w,
        "has"
            | "have"
            | "had"
            | "also"
            | "further"
            | "then"
            | "later"
            | "again"
            | "publicly"
            | "not"
            | "was"
            | "were"
    ) || (w.ends_with("ly") && w.len() > 4)
}

/// The statements of `text`, whose entities are `entities`.
pub fn extract(text: &str, entities: &[Entity]) -> Vec<Statement> {
    extract_over(text, &sentence_spans(text), entities)
}

/// [`extract`] over the text's `sentences` (`sentence_spans`), which the
/// whole analysis finds once.
pub(crate) fn extract_over(text: &str, sentences: &[(usize, usize)], entities: &[Entity]) -> Vec<Statement> {
    let mentions = Mentions::new(text, entities);
    let quotes = quoted_spans(text);
    let mut out = Vec::new();
    for &(ss, se) in sentences {
        let words = words_in(text, ss, se);
        let mut clause_start = ss;
        let mut previous: Option<Party> = None;
        let mut i = 0;
        while i < words.len() {
            let w = &words[i];
            let inside_quote = quotes.iter().any(|&(qs, qe)| qs <= w.start && w.end <= qe);
            let according = w.lower == "according" && words.get(i + 1).is_some_and(|n| n.lower == "to");
            let stance = if according {
                Some(Stance::Neutral)
            } else {
                speech_verb(&w.lower)
            };
            let is_noun = i > 0 && {
                let p = &words[i - 1].lower;
                DETERMINERS.contains(&p.as_str()) || p.ends_with("'s") || p.ends_with("’s")
            };
            let lower_case = text[w.start..w.end].starts_with(|c: char| c.is_lowercase()) || according;
            // A base form speaks only in the present ("officials say"), not
            // after "to", a modal or "did" ("declined to say", "will tell").
            let non_finite = base_form(&w.lower).is_some()
                && i > 0
                && NON_FINITE_BEFORE.contains(&words[i - 1].lower.as_str());
            let (Some(stance), false, false, true) =
                (stance, inside_quote, is_noun || non_finite, lower_case)
            else {
                i += 1;
                continue;
            };
            let cue_end = if according { words[i + 1].end } else { w.end };
            let sentence = Sentence {
                text,
                mentions: &mentions,
                quotes: &quotes,
                start: ss,
                end: se,
            };
            if let Some((s, speaker)) =
                sentence.statement(clause_start, (w.start, cue_end), stance, according, previous)
            {
                out.push(s);
                previous = Some(speaker);
            }
            clause_start = cue_end;
            i += if according { 2 } else { 1 };
        }
    }
    out
}

/// Words after which a name is the object of a preposition, not a speaker.
const PREPOSITIONS: &[&str] = &[
    "in", "at", "on", "from", "with", "during", "after", "before", "of", "for", "into", "about",
];

/// Words that may follow a cue ending its sentence ("…, he said
/// yesterday", "…, she told reporters last week"), beside the weekdays.
const TRAILING_ADJUNCTS: &[&str] = &[
    "to",
    "last",
    "this",
    "earlier",
    "later",
    "yesterday",
    "today",
    "tonight",
    "reporters",
];

/// One sentence being read for statements.
struct Sentence<'t, 'e> {
    text: &'t str,
    mentions: &'t Mentions<'e>,
    quotes: &'t [(usize, usize)],
    start: usize,
    end: usize,
}

/// A mention that stands for a party: byte span and the entity it names,
/// or none for a speaker the text describes ("officials", "the report").
type Party<'t, 'e> = (usize, usize, Option<&'t Named<'e>>);

/// Words that open a description of who spoke: "the report", "many
/// experts", "one official", "my father".
pub(crate) const DESCRIBING: &[&str] = &[
    "the", "a", "an", "one", "many", "some", "several", "most", "other", "few", "two", "three", "these",
    "those", "his", "her", "their", "our", "its", "my", "another",
];

/// Pronouns a statement or quote is tied to as written when they name
/// no entity ("they wrote", "it reads").
pub(crate) const PRONOUN_SPEAKERS: &[&str] = &["he", "she", "they", "it", "we", "i", "you"];

/// How many words a description of a speaker runs to at most.
pub(crate) const DESCRIPTION_WORDS: usize = 6;

impl<'t, 'e> Sentence<'t, 'e> {
    /// The statement whose cue spans `cue`, and its speaker; `previous` is
    /// the speaker of the sentence's statement before it.
    fn statement(
        &self,
        clause_start: usize,
        (cue_start, cue_end): (usize, usize),
        stance: Stance,
        inverted_only: bool,
        previous: Option<Party<'t, 'e>>,
    ) -> Option<(Statement, Party<'t, 'e>)> {
        let trailing = if inverted_only {
            None
        } else {
            self.trailing(clause_start, cue_start, cue_end)
        };
        let before = if inverted_only || trailing.is_some() {
            None
        } else {
            self.subject(clause_start, cue_start, previous)
                .or_else(|| self.described(clause_start, cue_start))
        };
        let (speaker, content) = match (trailing, before) {
            (Some((s, content)), _) => (s, Some(content)),
            (None, Some(s)) => (s, self.content_after(cue_end)),
            (None, None) => {
                let s = self
                    .named_after(cue_end)
                    .or_else(|| self.described_after(cue_end))?;
                let content = if inverted_only {
                    self.content_after(s.1)
                        .filter(|c| c.1 > c.0)
                        .or(self.content_before(clause_start, cue_start))
                } else {
                    self.content_before(clause_start, cue_start)
                        .or(self.content_after(s.1))
                };
                (s, content)
            }
        };
        let (cs, ce) = content?;
        let (stance, target) = self.stance_and_target(stance, cs, ce, speaker.2);
        let offsets = &self.mentions.offsets;
        let statement = Statement {
            speaker: party(speaker, self.text, offsets),
            verb: self.text[cue_start..cue_end].to_string(),
            stance,
            target: target.map(|t| party(t, self.text, offsets)),
            content: Content {
                start: offsets.char(cs),
                end: offsets.char(ce),
            },
            evidence: self.text[self.start..self.end].to_string(),
            start: offsets.char(self.start),
            end: offsets.char(self.end),
        };
        Some((statement, speaker))
    }

    /// "…, a source said.", "…, Smith told reporters on Monday.": a
    /// speaker between the last comma before the cue and the cue, the cue
    /// ending its sentence (but for a short adjunct), and what was said the
    /// clause before that comma. Set off by commas mid-sentence ("But to
    /// prevent problems, he said, officials should be vigilant"), what was
    /// said runs on to the sentence's end. A quote before the comma is the
    /// quote's to attribute (`quotes`), not a statement's.
    fn trailing(
        &self,
        clause_start: usize,
        cue_start: usize,
        cue_end: usize,
    ) -> Option<(Party<'t, 'e>, (usize, usize))> {
        // The cue's own short adjunct ("yesterday", "to reporters"), up to
        // the sentence's end or a comma after which the sentence goes on.
        let adjunct_end = self.text[cue_end..self.end]
            .find([',', ';'])
            .map_or(self.end, |at| cue_end + at);
        let after = words_in(self.text, cue_end, adjunct_end);
        let adjunct = after.first().is_none_or(|w| {
            after.len() <= DESCRIPTION_WORDS
                && (PREPOSITIONS.contains(&w.lower.as_str())
                    || TRAILING_ADJUNCTS.contains(&w.lower.as_str())
                    || WEEKDAYS.contains(&w.lower.as_str()))
        });
        let goes_on = adjunct_end < self.end && words_in(self.text, adjunct_end, self.end).len() >= 3;
        if !adjunct || (adjunct_end < self.end && !goes_on) {
            return None;
        }
        let comma = clause_start + self.text[clause_start..cue_start].rfind(',')?;
        if self.in_quote(comma, comma + 1) {
            return None;
        }
        let between = words_in(self.text, comma + 1, cue_start);
        if between.is_empty() || between.len() > DESCRIPTION_WORDS + 1 {
            return None;
        }
        let speaker = match self
            .mentions
            .within(comma + 1, cue_start)
            .filter(|n| n.is_agent())
            .last()
        {
            Some(n)
                if words_in(self.text, n.end, cue_start)
                    .iter()
                    .all(|w| is_verb_filler(&w.lower)) =>
            {
                (nominal_start(self.text, comma + 1, n.start), n.end, Some(n))
            }
            Some(_) => return None,
            None => self
                .reference(comma + 1, cue_start)
                .or_else(|| self.described(comma + 1, cue_start))?,
        };
        let (cs, mut ce) = self.content_before(clause_start, comma)?;
        let quoted = self.quotes.iter().any(|&(qs, qe)| qs < ce && cs < qe);
        if goes_on {
            ce = self.content_after(adjunct_end + 1)?.1;
        }
        (!quoted && ce > cs).then_some((speaker, (cs, ce)))
    }

    /// Whether bytes `start..end` lie inside a quote.
    fn in_quote(&self, start: usize, end: usize) -> bool {
        self.quotes.iter().any(|&(qs, qe)| qs <= start && end <= qe)
    }

    fn outside_quotes(&self, n: &Named) -> bool {
        !self.in_quote(n.start, n.end)
    }

    /// Who the verb at `cue_start` has as its subject in `clause_start..cue_start`.
    fn subject(
        &self,
        clause_start: usize,
        cue_start: usize,
        previous: Option<Party<'t, 'e>>,
    ) -> Option<Party<'t, 'e>> {
        let participle = self.text[cue_start..]
            .split(|c: char| !c.is_alphabetic())
            .next()?
            .ends_with("ing");
        if participle {
            // ", adding that …", ", citing …": the main clause's speaker, or
            // the sentence's subject.
            return previous.or_else(|| {
                let first = self
                    .mentions
                    .within(self.start, cue_start)
                    .find(|n| n.is_agent() && self.outside_quotes(n))?;
                Some((first.start, first.end, Some(first)))
            });
        }
        if let Some(n) = self
            .mentions
            .within(clause_start, cue_start)
            .find(|n| n.is_agent() && self.outside_quotes(n))
        {
            return Some((nominal_start(self.text, clause_start, n.start), n.end, Some(n)));
        }
        // "Beijing has declared": a place right before the verb speaks for its government.
        if let Some(n) = self
            .mentions
            .within(clause_start, cue_start)
            .filter(|n| n.entity.kind == "PLACE" && self.outside_quotes(n))
            .last()
            .filter(|n| {
                words_in(self.text, n.end, cue_start)
                    .iter()
                    .all(|w| is_verb_filler(&w.lower))
            })
        {
            return Some((n.start, n.end, Some(n)));
        }
        self.reference(clause_start, cue_start)
    }

    /// "Officials said", "the report found", "many experts say", "they
    /// wrote": a speaker the clause describes rather than names, right
    /// before the verb (past "has", "also" and the like), kept as written.
    fn described(&self, clause_start: usize, cue_start: usize) -> Option<Party<'t, 'e>> {
        let quoted = |w: &Word| self.in_quote(w.start, w.end);
        let words: Vec<Word> = words_in(self.text, clause_start, cue_start)
            .into_iter()
            .filter(|w| !quoted(w))
            .collect();
        let head_end = words.iter().rposition(|w| !is_verb_filler(&w.lower))?;
        let head = &words[head_end];
        // The subject stands right before its verb: "The plan will fail,
        // said one official" has none there.
        if self.text[head.end..cue_start].contains(|c: char| !c.is_alphanumeric() && !c.is_whitespace()) {
            return None;
        }
        // Nothing but space between the description's words.
        let mut first = head_end;
        while first > 0
            && head_end - first + 1 < DESCRIPTION_WORDS
            && adjacent(self.text, &words[first - 1], &words[first])
        {
            first -= 1;
        }
        // A capital that only opens the sentence ("Officials said") is no name's.
        let opens_sentence = head_end == 0 && self.text[self.start..head.start].trim().is_empty();
        let lower_head = self.text[head.start..head.end].starts_with(char::is_lowercase) || opens_sentence;
        let opens_clause = |at: usize| at == 0 || matches!(words[at - 1].lower.as_str(), "and" | "but");
        if PRONOUN_SPEAKERS.contains(&head.lower.as_str()) {
            return opens_clause(head_end).then_some((head.start, head.end, None));
        }
        let run = &words[first..=head_end];
        // "many experts", "some Democrats": a description opened in lower
        // case, whatever the case of its head.
        if let Some(opening) = run.iter().position(|w| DESCRIBING.contains(&w.lower.as_str())) {
            let from = &run[opening];
            let lower_opening = self.text[from.start..from.end].starts_with(char::is_lowercase);
            return (from.start < head.start && (lower_head || lower_opening))
                .then_some((from.start, head.end, None));
        }
        if !lower_head {
            return None;
        }
        // "Officials said", "experts say": a plural opening the clause.
        let plural = head.lower.len() > 3 && head.lower.ends_with('s') && !head.lower.ends_with("ss");
        (plural && opens_clause(first)).then_some((run[0].start, head.end, None))
    }

    /// "…, said the official", "according to the poll", "according to a
    /// source close to him": a described speaker right after the cue, up
    /// to the next punctuation, kept as written.
    fn described_after(&self, cue_end: usize) -> Option<Party<'t, 'e>> {
        let words = words_in(self.text, cue_end, self.end);
        let first = words.first().filter(|w| DESCRIBING.contains(&w.lower.as_str()))?;
        if self.text[cue_end..first.start].contains(|c: char| !c.is_whitespace()) {
            return None;
        }
        let mut last = 0;
        while last + 1 < words.len()
            && last + 1 < DESCRIPTION_WORDS
            && adjacent(self.text, &words[last], &words[last + 1])
        {
            last += 1;
        }
        let head = &words[last];
        let described = last > 0 && self.text[head.start..head.end].starts_with(char::is_lowercase);
        described.then_some((first.start, head.end, None))
    }

    /// "The ministry emphasized", "He said": a reference opening the clause.
    fn reference(&self, clause_start: usize, cue_start: usize) -> Option<Party<'t, 'e>> {
        let clause = words_in(self.text, clause_start, cue_start);
        // “…,” she said: the clause opens after the quote.
        let quoted = |w: &Word| self.in_quote(w.start, w.end);
        let opening = clause
            .iter()
            .find(|w| !quoted(w) && !matches!(w.lower.as_str(), "and" | "but" | "that" | "while" | "then"))?;
        let lower = self.text[opening.start..cue_start].to_ascii_lowercase();
        let (len, named) = self.mentions.resolve_reference(&lower, opening.start)?;
        let rest = words_in(self.text, opening.start + len, cue_start);
        rest.iter().all(|w| is_verb_filler(&w.lower)).then_some((
            opening.start,
            opening.start + len,
            Some(named),
        ))
    }

    /// "…, said Rudenko", "according to the ministry": a speaker after the cue.
    fn named_after(&self, cue_end: usize) -> Option<Party<'t, 'e>> {
        let window_end = self.end.min(cue_end + 60);
        if let Some(n) = self.mentions.within(cue_end, window_end).find(|n| n.is_agent()) {
            let between = &self.text[cue_end..n.start];
            let words = words_in(self.text, cue_end, n.start);
            // "said in the Oval Office", "told reporters in Kyiv": a place
            // or company after a preposition is not who spoke.
            let governed = words.iter().any(|w| PREPOSITIONS.contains(&w.lower.as_str()));
            // "say Mrs. Clinton's lead …": a name that owns something opens
            // what was said.
            let owns = self.text[n.end..].starts_with(['\'', '’']);
            if !between.contains([',', ';', '“', '"']) && words.len() <= 4 && !governed && !owns {
                return Some((nominal_start(self.text, cue_end, n.start), n.end, Some(n)));
            }
        }
        let first = words_in(self.text, cue_end, self.end).into_iter().next()?;
        let lower = self.text[first.start..self.end].to_ascii_lowercase();
        let (len, named) = self.mentions.resolve_reference(&lower, first.start)?;
        Some((first.start, first.start + len, Some(named)))
    }

    /// What follows the cue: the quote right after it, else the clause to
    /// the sentence's end (without an opening "that").
    fn content_after(&self, from: usize) -> Option<(usize, usize)> {
        if let Some(&(qs, qe)) = self.quotes.iter().find(|&&(qs, _)| {
            qs >= from && qs <= self.end && self.text[from..qs].chars().all(|c| !c.is_alphanumeric())
        }) {
            return Some((qs, qe));
        }
        let words = words_in(self.text, from, self.end);
        let first = words.iter().find(|w| w.lower != "that")?;
        let end = self.text[..self.end]
            .trim_end_matches(['.', '!', '?', '”', '"', ' '])
            .len();
        (end > first.start).then_some((first.start, end))
    }

    /// What comes before an inverted cue: the quote ending there, else the clause.
    fn content_before(&self, clause_start: usize, cue_start: usize) -> Option<(usize, usize)> {
        if let Some(&(qs, qe)) = self.quotes.iter().rev().find(|&&(_, qe)| {
            qe <= cue_start
                && qe >= clause_start
                && self.text[qe..cue_start].chars().all(|c| !c.is_alphanumeric())
        }) {
            return Some((qs, qe));
        }
        let start = words_in(self.text, clause_start, cue_start).first()?.start;
        let end = self.text[..cue_start]
            .trim_end_matches([',', ' ', '—', '-'])
            .len();
        (end > start).then_some((start, end))
    }

    /// The stance (the cue's, or a stronger one named in the content) and
    /// whom it is about.
    fn stance_and_target(
        &self,
        stance: Stance,
        cs: usize,
        ce: usize,
        speaker: Option<&Named>,
    ) -> (Stance, Option<Party<'t, 'e>>) {
        let not_speaker =
            |n: &&Named| speaker.is_none_or(|s| n.entity.id != s.entity.id) && n.entity.kind != "MISC";
        let first_after = |from: usize| {
            self.mentions
                .within(from, ce)
                .find(not_speaker)
                .map(|n| (n.start, n.end, Some(n)))
        };
        if stance == Stance::Neutral {
            if let Some((cue_stance, cue_end)) = content_cue(self.text, cs, ce) {
                if let Some(target) = first_after(cue_end) {
                    return (cue_stance, Some(target));
                }
            }
        }
        (stance, first_after(cs))
    }
}

/// The first un-negated stance phrase in `start..end`, and where it ends.
fn content_cue(text: &str, start: usize, end: usize) -> Option<(Stance, usize)> {
    let words = words_in(text, start, end);
    for i in 0..words.len() {
        for (phrase, stance) in CONTENT_CUES {
            // Its words in turn, nothing collected: this runs for every
            // word of what was said and every cue.
            let mut last = i;
            let matches = phrase.split(' ').enumerate().all(|(k, p)| {
                last = i + k;
                words.get(last).is_some_and(|x| x.lower == p)
            });
            let negated = i > 0 && matches!(words[i - 1].lower.as_str(), "not" | "no" | "never" | "without");
            if matches && !negated {
                return Some((*stance, words[last].end));
            }
        }
    }
    None
}

/// The speaker `p` is: the entity it names, or its words as written.
fn party(p: Party, text: &str, offsets: &crate::mentions::Offsets) -> Speaker {
    Speaker {
        name: p
            .2
            .map_or_else(|| text[p.0..p.1].to_string(), |n| n.entity.name.clone()),
        entity_id: p.2.map(|n| n.entity.id.clone()),
        start: offsets.char(p.0),
        end: offsets.char(p.1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mentions::tests::entity;

    fn span(text: &str, start: usize, end: usize) -> String {
        text.chars().skip(start).take(end - start).collect()
    }

    #[test]
    fn stance_from_the_verb_with_its_target() {
        let text = "The Defense Ministry swiftly dismissed Prigozhin’s claims. Putin condemned the actions of Wagner.";
        let entities = vec![
            entity("e1", "Defense Ministry", "ORG", text, &["Defense Ministry"]),
            entity("e2", "Evgeny Prigozhin", "PERSON", text, &["Prigozhin"]),
            entity("e3", "Vladimir Putin", "PERSON", text, &["Putin"]),
            entity("e4", "Wagner", "ORG", text, &["Wagner"]),
        ];
        let s = extract(text, &entities);
        assert_eq!(s.len(), 2, "{s:#?}");
        assert_eq!(s[0].speaker.name, "Defense Ministry");
        assert_eq!((s[0].stance, s[0].verb.as_str()), (Stance::Deny, "dismissed"));
        assert_eq!(s[0].target.as_ref().unwrap().name, "Evgeny Prigozhin");
        assert_eq!(
            span(text, s[0].content.start, s[0].content.end),
            "Prigozhin’s claims"
        );
        assert_eq!(s[1].stance, Stance::Condemn);
        assert_eq!(s[1].target.as_ref().unwrap().name, "Wagner");
        assert_eq!(span(text, s[1].start, s[1].end), s[1].evidence);
    }

    #[test]
    fn a_neutral_verb_takes_the_stance_of_its_content_unless_negated() {
        let text = "Qin visited the Foreign Ministry. The ministry emphasized that China stands firmly behind Russia. \
                    Lavrov said Moscow does not support Kyiv.";
        let entities = vec![
            entity("e1", "Foreign Ministry", "ORG", text, &["Foreign Ministry"]),
            entity("e2", "China", "PLACE", text, &["China"]),
            entity("e3", "Russia", "PLACE", text, &["Russia"]),
            entity("e4", "Sergey Lavrov", "PERSON", text, &["Lavrov"]),
            entity("e5", "Kyiv", "PLACE", text, &["Kyiv"]),
        ];
        let s = extract(text, &entities);
        let first = &s[0];
        assert_eq!(first.speaker.name, "Foreign Ministry", "“the ministry” resolved");
        assert_eq!(span(text, first.speaker.start, first.speaker.end), "The ministry");
        assert_eq!(first.stance, Stance::Support);
        assert_eq!(first.target.as_ref().unwrap().name, "Russia");
        let second = s.iter().find(|x| x.speaker.name == "Sergey Lavrov").unwrap();
        assert_eq!(second.stance, Stance::Neutral, "“does not support” is no support");
    }

    #[test]
    fn inverted_and_according_to_and_nouns() {
        let text = "“We talked for hours,” said Rudenko. The talks went well, according to Rudenko. \
                    Rudenko's claims were not checked.";
        let entities = vec![entity("e1", "Andrey Rudenko", "PERSON", text, &["Rudenko"])];
        let mut entities = entities;
        for m in ["to Rudenko", "Rudenko's"] {
            let byte = text.find(m).unwrap() + m.find('R').unwrap();
            let start = text[..byte].chars().count();
            entities[0].mentions.push(crate::entities::Mention {
                text: "Rudenko".into(),
                start,
                end: start + 7,
            });
        }
        entities[0].mentions.sort_by_key(|m| m.start);
        let s = extract(text, &entities);
        assert_eq!(s.len(), 2, "“claims” after a possessive is a noun: {s:#?}");
        assert_eq!(
            span(text, s[0].content.start, s[0].content.end),
            "We talked for hours"
        );
        assert_eq!(s[1].verb, "according to");
        assert_eq!(
            span(text, s[1].content.start, s[1].content.end),
            "The talks went well"
        );
    }

    #[test]
    fn after_a_quote_the_pronoun_speaks_not_the_place_named_after_the_verb() {
        let text = "Suu Kyi met Obama.\n\"Unity means prosperity,\" she said in the Oval Office.";
        let entities = vec![
            entity("e1", "Aung San Suu Kyi", "PERSON", text, &["Suu Kyi"]),
            entity("e2", "Barack Obama", "PERSON", text, &["Obama"]),
            entity("e3", "Oval Office", "ORG", text, &["Oval Office"]),
        ];
        let s = extract(text, &entities);
        assert_eq!(s.len(), 1, "{s:#?}");
        assert_eq!(span(text, s[0].speaker.start, s[0].speaker.end), "she");
    }

    #[test]
    fn speakers_described_rather_than_named_are_kept_as_written() {
        let text = "The report found that wages fell. Officials said the plan would fail. \
                    They wrote that the law was unfair. Smith and Jones met.";
        let s = extract(text, &[]);
        let who: Vec<(String, Option<String>)> = s
            .iter()
            .map(|s| {
                (
                    span(text, s.speaker.start, s.speaker.end),
                    s.speaker.entity_id.clone(),
                )
            })
            .collect();
        assert_eq!(
            who,
            [("Officials".to_string(), None), ("They".to_string(), None)],
            "'found' is no cue; the others are described: {s:#?}"
        );
        assert_eq!(s[0].speaker.name, "Officials");
    }

    /// Each statement's speaker and content, as written.
    fn who_said_what(text: &str, statements: &[Statement]) -> Vec<(String, String)> {
        statements
            .iter()
            .map(|s| {
                (
                    span(text, s.speaker.start, s.speaker.end),
                    span(text, s.content.start, s.content.end),
                )
            })
            .collect()
    }

    #[test]
    fn an_attribution_ending_the_sentence_takes_the_clause_before_it() {
        let text = "The van left Ground Zero before cops could follow, a source said. \
                    Prices will rise next year, Smith told reporters on Monday. \
                    \"We will win,\" she said. \
                    To prevent problems, he said, local officials should be vigilant.";
        let entities = vec![
            entity("e1", "Ground Zero", "PLACE", text, &["Ground Zero"]),
            entity("e2", "John Smith", "PERSON", text, &["Smith"]),
        ];
        let s = extract(text, &entities);
        let said = who_said_what(text, &s);
        assert_eq!(
            said[..2],
            [
                (
                    "a source".to_string(),
                    "The van left Ground Zero before cops could follow".to_string()
                ),
                ("Smith".to_string(), "Prices will rise next year".to_string()),
            ],
            "{s:#?}"
        );
        assert_eq!(s[1].speaker.entity_id.as_deref(), Some("e2"));
        assert_eq!(
            said.last().unwrap(),
            &(
                "he".to_string(),
                "To prevent problems, he said, local officials should be vigilant".to_string()
            ),
            "set off by commas, what was said runs on: {s:#?}"
        );
    }

    #[test]
    fn a_base_form_speaks_in_the_present_only() {
        let text = "Many lawmakers say there are concerns. He declined to say whether it worked. \
                    But many Democrats say Mrs. Clinton's lead is thin.";
        let entities = vec![entity("e1", "Hillary Clinton", "PERSON", text, &["Clinton"])];
        let s = extract(text, &entities);
        let said = who_said_what(text, &s);
        assert_eq!(
            said,
            [
                ("Many lawmakers".to_string(), "there are concerns".to_string()),
                (
                    "many Democrats".to_string(),
                    "Mrs. Clinton's lead is thin".to_string()
                ),
            ],
            "'to say' is no statement; a name that owns something opens what was said: {s:#?}"
        );
    }

    #[test]
    fn a_described_speaker_after_the_cue() {
        let text =
            "Clinton leads by four points, according to the poll. The plan will fail, said one official.";
        let s = extract(text, &[]);
        let who: Vec<String> = s
            .iter()
            .map(|s| span(text, s.speaker.start, s.speaker.end))
            .collect();
        assert_eq!(who, ["the poll", "one official"], "{s:#?}");
        assert_eq!(
            span(text, s[0].content.start, s[0].content.end),
            "Clinton leads by four points"
        );
    }
}
