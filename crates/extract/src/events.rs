//! Events: what happened, when, who did it and where, read from dated
//! sentences, and the article's timeline.
//!
//! A sentence reports an event when it carries a date (a time expression
//! in it, or the narrative date carried from an earlier sentence of the
//! same paragraph: "On Sunday, the ministry confirmed talks. Rudenko
//! engaged in talks …") and an action. Actions are read two ways: the main
//! verb after the subject ("Prigozhin opted to halt the uprising", with its
//! infinitives and object up to the next clause), with an event noun as
//! subject folded in ("The mutiny … commenced"); and an event noun opening
//! the sentence in a phrase ("In a televised address to the nation on
//! Saturday morning, Putin …"), whose actor is the sentence's subject.
//! Reporting verbs ("said", "declared") are statements, not events. The
//! actors are the people and organisations of the sentence, the subject
//! first; the place is the first place named after a locative preposition.
//! Verbs are recognised by form (regular past tense, a list of irregular
//! ones), not by a parser: a sentence whose verb is in the present tense or
//! has no dated context gives no event.

use crate::entities::Entity;
use crate::mentions::{Mentions, Named};
use crate::quotes::quoted_spans;
use crate::statements::{speech_verb, words_in, Word};
use crate::timex::Timex;
use serde::{Deserialize, Serialize};
use storyline_core::sentence::sentence_spans;

/// An entity taking part in an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Participant {
    pub name: String,
    pub entity_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The resolved date (ISO-8601: a day, a month or a year).
    pub date: String,
    pub actors: Vec<Participant>,
    /// The action as written ("opted to halt the uprising", "mutiny commenced").
    pub action: String,
    pub place: Option<Participant>,
    /// The sentence, and its character span.
    pub evidence: String,
    pub start: usize,
    pub end: usize,
    /// Character span of the trigger (the verb or event noun).
    pub trigger: (usize, usize),
}

/// Nouns that name an event (a noun subject or an opening phrase's head).
const EVENT_NOUNS: &[&str] = &[
    "mutiny",
    "uprising",
    "coup",
    "rebellion",
    "revolt",
    "attack",
    "attacks",
    "strike",
    "strikes",
    "bombing",
    "explosion",
    "blast",
    "earthquake",
    "quake",
    "fire",
    "flood",
    "floods",
    "crash",
    "shooting",
    "talks",
    "meeting",
    "summit",
    "visit",
    "address",
    "speech",
    "interview",
    "election",
    "elections",
    "vote",
    "referendum",
    "protest",
    "protests",
    "arrest",
    "trial",
    "verdict",
    "negotiations",
    "ceasefire",
    "invasion",
    "offensive",
    "raid",
    "storm",
    "hurricane",
    "merger",
    "acquisition",
    "deal",
    "agreement",
    "conference",
    "ceremony",
    "launch",
    "resignation",
    "funeral",
    "match",
    "final",
    "hearing",
];

/// Past-tense verbs that do not end in "-ed".
const IRREGULAR_PAST: &[&str] = &[
    "met",
    "held",
    "took",
    "began",
    "left",
    "fled",
    "struck",
    "hit",
    "made",
    "won",
    "lost",
    "gave",
    "went",
    "came",
    "sent",
    "led",
    "brought",
    "fought",
    "ran",
    "shot",
    "quit",
    "set",
    "put",
    "cut",
    "sought",
    "broke",
    "chose",
    "drove",
    "flew",
    "fell",
    "rose",
    "sold",
    "bought",
    "paid",
    "spent",
    "built",
    "kept",
    "became",
    "saw",
    "found",
    "got",
    "beat",
    "caught",
    "dealt",
    "drew",
    "grew",
    "knew",
    "laid",
    "overtook",
    "rode",
    "sank",
    "sat",
    "shook",
    "shut",
    "spoke",
    "spread",
    "stole",
    "stood",
    "swept",
    "threw",
    "undertook",
    "withdrew",
    "hid",
    "arose",
    "bound",
    "fed",
    "felt",
    "heard",
    "hurt",
    "let",
    "lit",
    "split",
    "sprang",
    "swung",
    "wound",
    "tore",
    "woke",
];

/// Words ending in "-ed" that are not verbs.
const NOT_VERBS: &[&str] = &[
    "hundred", "indeed", "speed", "need", "seed", "breed", "greed", "creed", "united", "kindred", "naked",
    "wicked", "sacred", "bed", "red", "shed", "fed",
];

/// Words that end a verb phrase's object.
const PHRASE_STOPS: &[&str] = &[
    "and",
    "but",
    "with",
    "during",
    "following",
    "after",
    "before",
    "as",
    "while",
    "which",
    "who",
    "that",
    "in",
    "on",
    "at",
    "from",
    "by",
    "for",
    "amid",
    "since",
    "until",
    "when",
    "where",
    "because",
    "towards",
    "toward",
    "into",
    "near",
    "than",
    "to",
];

const LOCATIVES: &[&str] = &[
    "in", "at", "near", "to", "from", "into", "towards", "toward", "outside", "across",
];

const OPENING_PREPOSITIONS: &[&str] = &[
    "in",
    "at",
    "during",
    "after",
    "following",
    "amid",
    "before",
    "since",
];

const DETERMINERS: &[&str] = &[
    "the", "a", "an", "his", "her", "their", "its", "this", "that", "last", "recent",
];

fn is_past_verb(w: &Word, text: &str) -> bool {
    let lower = w.lower.as_str();
    let lower_case = text[w.start..w.end].starts_with(|c: char| c.is_lowercase());
    lower_case
        && speech_verb(lower).is_none()
        && (IRREGULAR_PAST.contains(&lower)
            || (lower.len() >= 5 && lower.ends_with("ed") && !NOT_VERBS.contains(&lower)))
}

/// The events of `text`, given its entities and time expressions (from
/// the same text), in text order.
pub fn extract(text: &str, entities: &[Entity], timexes: &[Timex]) -> Vec<Event> {
    extract_over(text, &sentence_spans(text), entities, timexes)
}

/// [`extract`] over the text's `sentences` (`sentence_spans`), which the
/// whole analysis finds once.
pub(crate) fn extract_over(
    text: &str,
    sentences: &[(usize, usize)],
    entities: &[Entity],
    timexes: &[Timex],
) -> Vec<Event> {
    let mentions = Mentions::new(text, entities);
    let quotes = quoted_spans(text);
    let dated: Vec<(usize, usize, String)> = timexes
        .iter()
        .filter(|t| t.kind.is_calendar())
        .filter_map(|t| {
            calendar(&t.value).map(|d| (mentions.offsets.byte(t.start), mentions.offsets.byte(t.end), d))
        })
        .collect();
    let mut out = Vec::new();
    let mut carried: Option<String> = None;
    let mut last_end = 0;
    for &(ss, se) in sentences {
        if text[last_end..ss].contains('\n') {
            carried = None;
        }
        last_end = se;
        let own = dated.iter().find(|(s, e, _)| *s >= ss && *e <= se);
        let Some(date) = own.map(|(_, _, d)| d.clone()).or(carried.clone()) else {
            continue;
        };
        carried = Some(date.clone());
        let sentence = Reading {
            text,
            mentions: &mentions,
            quotes: &quotes,
            dated: &dated,
            start: ss,
            end: se,
            words: words_in(text, ss, se),
        };
        out.extend(sentence.events(&date));
    }
    out
}

/// Every word of `text` that has the form of a past-tense verb, as
/// character spans: what the events' verb test finds before any sentence
/// is read for its main event (the benchmark's trigger baseline).
pub fn past_tense_words(text: &str) -> Vec<(usize, usize)> {
    let offsets = crate::mentions::Offsets::new(text);
    words_in(text, 0, text.len())
        .iter()
        .filter(|w| is_past_verb(w, text))
        .map(|w| (offsets.char(w.start), offsets.char(w.end)))
        .collect()
}

/// The article's timeline: its events by date, then by position.
pub fn timeline(events: &[Event]) -> Vec<&Event> {
    let mut sorted: Vec<&Event> = events.iter().collect();
    sorted.sort_by(|a, b| a.date.cmp(&b.date).then(a.start.cmp(&b.start)));
    sorted
}

/// One event as several articles report it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharedEvent {
    pub date: String,
    /// The action as the first report words it.
    pub action: String,
    pub actors: Vec<String>,
    pub place: Option<String>,
    /// Every report: the article and the evidence span in its text.
    pub reports: Vec<Report>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub article: String,
    pub evidence: String,
    pub start: usize,
    pub end: usize,
}

/// Words of an action that say little about which event it is.
const ACTION_STOPWORDS: &[&str] = &[
    "the",
    "a",
    "an",
    "of",
    "to",
    "in",
    "on",
    "his",
    "her",
    "its",
    "their",
    "was",
    "were",
    "had",
    "has",
    "have",
    "opted",
    "began",
    "decided",
    "continued",
    "and",
];

/// A crude stem: enough to see "halt", "halted" and "halting" as one word.
fn stem(word: &str) -> String {
    let w = word.to_lowercase();
    for suffix in ["ing", "ed", "es", "s"] {
        if let Some(base) = w.strip_suffix(suffix) {
            if base.chars().count() >= 3 {
                return base.trim_end_matches('e').to_string();
            }
        }
    }
    w.trim_end_matches('e').to_string()
}

fn action_stems(action: &str) -> Vec<String> {
    action
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !ACTION_STOPWORDS.contains(&w.to_lowercase().as_str()))
        .map(stem)
        .collect()
}

/// The events of several articles (about one story, say), with the reports
/// of one event joined: the same date, an actor in common (by name) and a
/// word of the action in common ("halted the uprising" / "opted to halt
/// the mutiny"). Ordered by date, then by first report.
pub fn shared_events(reports: &[(&str, &[Event])]) -> Vec<SharedEvent> {
    let mut out: Vec<(SharedEvent, Vec<String>)> = Vec::new();
    for (article, events) in reports {
        for e in *events {
            let stems = action_stems(&e.action);
            let actors: Vec<String> = e.actors.iter().map(|a| a.name.clone()).collect();
            let report = Report {
                article: article.to_string(),
                evidence: e.evidence.clone(),
                start: e.start,
                end: e.end,
            };
            let same = out.iter_mut().find(|(shared, shared_stems)| {
                shared.date == e.date
                    && shared.actors.iter().any(|a| actors.contains(a))
                    && shared_stems.iter().any(|s| stems.contains(s))
            });
            match same {
                Some((shared, shared_stems)) => {
                    if !shared
                        .reports
                        .iter()
                        .any(|r| r.article == report.article && r.start == report.start)
                    {
                        shared.reports.push(report);
                    }
                    for a in actors {
                        if !shared.actors.contains(&a) {
                            shared.actors.push(a);
                        }
                    }
                    shared_stems.extend(stems);
                }
                None => out.push((
                    SharedEvent {
                        date: e.date.clone(),
                        action: e.action.clone(),
                        actors,
                        place: e.place.as_ref().map(|p| p.name.clone()),
                        reports: vec![report],
                    },
                    stems,
                )),
            }
        }
    }
    let mut shared: Vec<SharedEvent> = out.into_iter().map(|(s, _)| s).collect();
    shared.sort_by(|a, b| a.date.cmp(&b.date));
    shared
}

/// The calendar part of a TIMEX3 value ("2023-06-24TMO" → "2023-06-24"),
/// or nothing for values that name no calendar date.
fn calendar(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let digits = |r: std::ops::Range<usize>| r.clone().all(|i| bytes.get(i).is_some_and(u8::is_ascii_digit));
    if !digits(0..4) {
        return None;
    }
    let day = value.len() >= 10 && bytes[4] == b'-' && digits(5..7) && bytes[7] == b'-' && digits(8..10);
    let month = value.len() >= 7 && bytes[4] == b'-' && digits(5..7);
    Some(if day {
        value[..10].to_string()
    } else if month {
        value[..7].to_string()
    } else {
        value[..4].to_string()
    })
}

/// One dated sentence being read for events.
struct Reading<'t, 'e> {
    text: &'t str,
    mentions: &'t Mentions<'e>,
    quotes: &'t [(usize, usize)],
    dated: &'t [(usize, usize, String)],
    start: usize,
    end: usize,
    words: Vec<Word>,
}

impl<'t, 'e> Reading<'t, 'e> {
    fn events(&self, date: &str) -> Vec<Event> {
        let mut out = Vec::new();
        let opening = self.opening_phrase();
        let clause_from = opening.as_ref().map_or(0, |o| o.next_word);
        let subject = self.subject(clause_from);
        if let Some(o) = &opening {
            out.push(self.event(date, o.action.clone(), o.trigger, subject.into_iter().collect()));
        }
        if let Some((verb, noun)) = self.main_verb(clause_from, subject) {
            let phrase = self.verb_phrase(verb);
            let action = match noun {
                Some(n) => format!("{} {}", self.words[n].lower, phrase),
                None => phrase,
            };
            let w = &self.words[verb];
            let mut actors: Vec<&Named<'e>> = subject.into_iter().collect();
            actors.extend(
                self.mentions
                    .within(self.words[clause_from].start, w.start)
                    .filter(|n| n.is_agent() && self.outside_quotes(n)),
            );
            out.push(self.event(date, action, (w.start, w.end), actors));
        }
        out
    }

    fn outside_quotes(&self, n: &Named) -> bool {
        !self.quotes.iter().any(|&(qs, qe)| qs <= n.start && n.end <= qe)
    }

    fn event(
        &self,
        date: &str,
        action: String,
        trigger: (usize, usize),
        mut actors: Vec<&'t Named<'e>>,
    ) -> Event {
        actors.extend(
            self.mentions
                .within(self.start, self.end)
                .filter(|n| n.is_agent() && self.outside_quotes(n)),
        );
        let mut seen = std::collections::HashSet::new();
        let actors = actors
            .into_iter()
            .filter(|n| seen.insert(n.entity.id.clone()))
            .map(participant)
            .collect();
        let offsets = &self.mentions.offsets;
        Event {
            date: date.to_string(),
            actors,
            action,
            place: self.place().map(participant),
            evidence: self.text[self.start..self.end].to_string(),
            start: offsets.char(self.start),
            end: offsets.char(self.end),
            trigger: (offsets.char(trigger.0), offsets.char(trigger.1)),
        }
    }

    /// "In a televised address to the nation on Saturday morning, …".
    fn opening_phrase(&self) -> Option<Opening> {
        let first = self.words.first()?;
        if !OPENING_PREPOSITIONS.contains(&first.lower.as_str()) {
            return None;
        }
        let comma = self.text[first.end..self.end].find(',')? + first.end;
        let inside: Vec<usize> = (1..self.words.len())
            .take_while(|&i| self.words[i].end <= comma)
            .collect();
        let noun = inside
            .iter()
            .copied()
            .find(|&i| EVENT_NOUNS.contains(&self.words[i].lower.as_str()))?;
        let from = inside
            .iter()
            .copied()
            .find(|&i| !DETERMINERS.contains(&self.words[i].lower.as_str()))?;
        // The phrase up to the comma or the time expression inside it.
        let until = self
            .dated
            .iter()
            .find(|(s, _, _)| *s > self.words[noun].start && *s < comma)
            .map_or(comma, |(s, _, _)| *s);
        let kept: Vec<&Word> = inside
            .iter()
            .map(|&i| &self.words[i])
            .filter(|w| w.end <= until)
            .collect();
        let mut last = kept.len();
        while last > 0 && PHRASE_STOPS.contains(&kept[last - 1].lower.as_str()) {
            last -= 1;
        }
        let from_byte = self.words[from].start;
        let to_byte = kept.get(last.checked_sub(1)?)?.end;
        Some(Opening {
            action: self.text[from_byte..to_byte].to_string(),
            trigger: (self.words[noun].start, self.words[noun].end),
            next_word: inside.last().map_or(1, |&i| i + 1).min(self.words.len() - 1),
        })
    }

    /// The sentence's subject: the first person or organisation of the
    /// clause, outside quotes.
    fn subject(&self, clause_from: usize) -> Option<&'t Named<'e>> {
        let from = self.words.get(clause_from)?.start;
        self.mentions
            .within(from, self.end)
            .find(|n| n.is_agent() && self.outside_quotes(n))
    }

    /// The main verb (word index) after the subject, and the event noun
    /// that is the subject when there is one ("The mutiny … commenced").
    fn main_verb(&self, clause_from: usize, subject: Option<&Named>) -> Option<(usize, Option<usize>)> {
        let noun = self
            .words
            .get(clause_from..)?
            .iter()
            .take(2)
            .position(|w| EVENT_NOUNS.contains(&w.lower.as_str()))
            .map(|p| p + clause_from);
        let after = match (noun, subject) {
            (Some(n), _) => self.words[n].end,
            (None, Some(s)) => s.end,
            (None, None) => return None,
        };
        let verb = (0..self.words.len()).find(|&i| {
            let w = &self.words[i];
            w.start >= after
                && is_past_verb(w, self.text)
                && !self.quotes.iter().any(|&(qs, qe)| qs <= w.start && w.end <= qe)
                && self.words.get(i + 1).is_none_or(|n| n.lower != "by")
                && (i == 0 || {
                    // "the failed coup", "China's expressed support": adjectives.
                    let p = &self.words[i - 1].lower;
                    !DETERMINERS.contains(&p.as_str()) && !p.ends_with("'s") && !p.ends_with("’s")
                })
        })?;
        Some((verb, noun))
    }

    /// The verb with its auxiliaries' infinitives and object: "opted to
    /// halt the uprising", "engaged in talks", "seized control of a
    /// military headquarters".
    fn verb_phrase(&self, verb: usize) -> String {
        let mut last = verb;
        let mut i = verb + 1;
        let mut object_words = 0;
        while i < self.words.len() && object_words < 6 {
            let w = &self.words[i];
            let gap = &self.text[self.words[i - 1].end..w.start];
            let lower = w.lower.as_str();
            let timex = self.dated.iter().any(|(s, _, _)| *s == w.start);
            if gap.contains([',', ';', '.', '“', '"', '(', ':']) || timex {
                break;
            }
            let right_after_verb = i == last + 1 && last == verb;
            if lower == "to"
                && self
                    .words
                    .get(i + 1)
                    .is_some_and(|n| !DETERMINERS.contains(&n.lower.as_str()))
            {
                // "opted to halt": an infinitive continues the verb.
                last = i + 1;
                i += 2;
                continue;
            }
            let particle = right_after_verb && lower != "to" && lower != "and";
            if PHRASE_STOPS.contains(&lower) && !particle && lower != "of" {
                break;
            }
            last = i;
            object_words += 1;
            i += 1;
        }
        self.text[self.words[verb].start..self.words[last].end].to_string()
    }

    /// The first place named after a locative preposition.
    fn place(&self) -> Option<&'t Named<'e>> {
        self.mentions.within(self.start, self.end).find(|n| {
            n.entity.kind == "PLACE"
                && self
                    .words
                    .iter()
                    .rev()
                    .find(|w| w.end <= n.start)
                    .is_some_and(|w| {
                        LOCATIVES.contains(&w.lower.as_str()) || DETERMINERS.contains(&w.lower.as_str())
                    })
        })
    }
}

struct Opening {
    action: String,
    trigger: (usize, usize),
    /// The index of the first word after the phrase's comma.
    next_word: usize,
}

fn participant(n: &Named) -> Participant {
    Participant {
        name: n.entity.name.clone(),
        entity_id: n.entity.id.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mentions::tests::entity;
    use chrono::NaiveDate;

    fn events(text: &str, entities: &[Entity]) -> Vec<Event> {
        let published = NaiveDate::from_ymd_opt(2023, 6, 26);
        let timexes = crate::timex::extract(text, published);
        extract(text, entities, &timexes)
    }

    #[test]
    fn a_verb_after_the_subject_with_its_object_and_carried_date() {
        let text = "On Sunday, the ministry confirmed talks. Rudenko engaged in talks with Qin during a visit to Beijing.\n\
                    Rudenko flew home.";
        let entities = vec![
            entity("e1", "Andrey Rudenko", "PERSON", text, &["Rudenko"]),
            entity("e2", "Qin Gang", "PERSON", text, &["Qin"]),
            entity("e3", "Beijing", "PLACE", text, &["Beijing"]),
        ];
        let e = events(text, &entities);
        assert_eq!(e.len(), 1, "the next paragraph has no date: {e:#?}");
        assert_eq!(e[0].date, "2023-06-25");
        assert_eq!(e[0].action, "engaged in talks");
        let names: Vec<&str> = e[0].actors.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["Andrey Rudenko", "Qin Gang"]);
        assert_eq!(e[0].place.as_ref().unwrap().name, "Beijing");
    }

    #[test]
    fn event_nouns_as_subject_and_in_an_opening_phrase() {
        let text = "The mutiny orchestrated by Wagner commenced late on Friday. \
                    In a televised address to the nation on Saturday morning, Putin condemned Wagner. \
                    Later that day, Prigozhin opted to halt the uprising and withdraw his forces.";
        let entities = vec![
            entity("e1", "Wagner", "ORG", text, &["Wagner"]),
            entity("e2", "Vladimir Putin", "PERSON", text, &["Putin"]),
            entity("e3", "Evgeny Prigozhin", "PERSON", text, &["Prigozhin"]),
        ];
        let e = events(text, &entities);
        let found: Vec<(&str, &str, &str)> = e
            .iter()
            .map(|e| (e.date.as_str(), e.actors[0].name.as_str(), e.action.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("2023-06-23", "Wagner", "mutiny commenced"),
                ("2023-06-24", "Vladimir Putin", "televised address to the nation"),
                ("2023-06-24", "Evgeny Prigozhin", "opted to halt the uprising"),
            ],
            "{e:#?}"
        );
        assert_eq!(timeline(&e)[0].action, "mutiny commenced");
    }

    #[test]
    fn reports_of_one_event_are_joined_across_articles() {
        let first = "Later that day, Prigozhin opted to halt the uprising.";
        let second = "On Saturday, Prigozhin halted the march. On Saturday, Putin met Lukashenko.";
        let entities = |text: &str| {
            let mut v = vec![entity("e1", "Evgeny Prigozhin", "PERSON", text, &["Prigozhin"])];
            if text.contains("Putin") {
                v.push(entity("e2", "Vladimir Putin", "PERSON", text, &["Putin"]));
            }
            v
        };
        let published = NaiveDate::from_ymd_opt(2023, 6, 26);
        let (mut a, mut b) = (
            extract(first, &entities(first), &crate::timex::extract(first, published)),
            extract(
                second,
                &entities(second),
                &crate::timex::extract(second, published),
            ),
        );
        // "Later that day" needs an earlier date: give the first report Saturday's.
        for e in &mut a {
            e.date = "2023-06-24".into();
        }
        b.retain(|e| !e.action.is_empty());
        let shared = shared_events(&[("a1", &a), ("a2", &b)]);
        assert_eq!(shared.len(), 2, "{shared:#?}");
        assert_eq!(shared[0].reports.len(), 2, "halt / halted, same day, same actor");
        assert_eq!(shared[0].action, "opted to halt the uprising");
        assert_eq!(shared[1].reports.len(), 1);
    }

    #[test]
    fn calendar_values() {
        assert_eq!(calendar("2023-06-24TMO").as_deref(), Some("2023-06-24"));
        assert_eq!(calendar("2023-06").as_deref(), Some("2023-06"));
        assert_eq!(calendar("2023-W25").as_deref(), Some("2023"));
        assert_eq!(calendar("PRESENT_REF"), None);
    }
}
