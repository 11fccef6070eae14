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
//! the last person named. Otherwise the quote is kept without a speaker:
//! never guessed. Offsets are characters into the text; a quote's span is
//! its content without the marks.

use crate::entities::Entity;
use serde::{Deserialize, Serialize};
use storyline_core::sentence::sentence_spans;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Speaker {
    /// Who the mention resolves to (the entity's name).
    pub name: String,
    pub entity_id: String,
    /// The mention that ties the quote to the speaker.
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub speaker: Option<Speaker>,
}

const SPEECH_VERBS: &[&str] = &[
    "said",
    "says",
    "say",
    "told",
    "tells",
    "added",
    "declared",
    "stated",
    "affirmed",
    "emphasized",
    "emphasised",
    "alleged",
    "claimed",
    "insisted",
    "warned",
    "wrote",
    "asked",
    "replied",
    "noted",
    "argued",
    "denied",
    "dismissed",
    "called",
    "labeling",
    "labelling",
    "described",
    "announced",
];

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

/// A mention with its entity, in byte offsets.
struct Named<'a> {
    entity: &'a Entity,
    start: usize,
    end: usize,
}

/// Byte offset of every character (and of the end), for converting both ways.
struct Offsets(Vec<usize>);

impl Offsets {
    fn new(text: &str) -> Offsets {
        Offsets(text.char_indices().map(|(b, _)| b).chain([text.len()]).collect())
    }

    fn byte(&self, char_index: usize) -> usize {
        self.0
            .get(char_index)
            .copied()
            .unwrap_or(*self.0.last().unwrap_or(&0))
    }

    fn char(&self, byte: usize) -> usize {
        self.0.partition_point(|&b| b < byte)
    }
}

fn is_speaker_kind(e: &Entity) -> bool {
    e.kind == "PERSON" || e.kind == "ORG"
}

/// The quotes of `text` with their speakers among `entities` (from the same text).
pub fn extract(text: &str, entities: &[Entity]) -> Vec<Quote> {
    let offsets = Offsets::new(text);
    let offsets = &offsets;
    let mut named: Vec<Named> = entities
        .iter()
        .filter(|e| is_speaker_kind(e))
        .flat_map(|e| {
            e.mentions.iter().map(move |m| Named {
                entity: e,
                start: offsets.byte(m.start),
                end: offsets.byte(m.end),
            })
        })
        .collect();
    named.sort_by_key(|n| n.start);
    let sentences = sentence_spans(text);
    let sentence_of = |byte: usize| {
        sentences
            .iter()
            .position(|&(s, e)| s <= byte && byte < e.max(s + 1))
    };
    let mut last_person: Option<&Named> = None;
    let mut out = Vec::new();
    for (qs, qe) in quoted(text) {
        // A trailing comma or full stop inside the marks belongs to the
        // sentence around a partial quote (“provocation.”), to the quote
        // when it is a sentence itself.
        let raw = text[qs..qe].trim();
        let whole_sentence = raw.starts_with(char::is_uppercase) && raw.contains(' ');
        let content = if whole_sentence {
            raw.trim_end_matches(',')
        } else {
            raw.trim_end_matches([',', '.'])
        };
        let qs = qs + (text[qs..qe].len() - text[qs..qe].trim_start().len());
        let qe = qs + content.len();
        let Some(si) = sentence_of(qs) else {
            continue;
        };
        let (ss, se) = sentences[si];
        for n in named.iter().filter(|n| n.start < ss && n.entity.kind == "PERSON") {
            last_person = Some(n);
        }
        let outside = |n: &&Named| n.start >= ss && n.end <= se && (n.end <= qs || n.start >= qe);
        let before = named.iter().filter(outside).find(|n| n.end <= qs);
        let after = named.iter().filter(outside).find(|n| {
            n.start >= qe && {
                let between = text[qe..n.start].to_lowercase();
                SPEECH_VERBS
                    .iter()
                    .any(|v| between.split(|c: char| !c.is_alphabetic()).any(|w| w == *v))
            }
        });
        let pronoun = {
            let first = text[ss..se]
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_lowercase();
            matches!(first.as_str(), "he" | "she")
                .then_some(())
                .and(last_person)
        };
        let speaker = before.or(after).or(pronoun).map(|n| {
            // The mention that ties the quote: a nominal "the spokesperson
            // for the X" or "the X's spokesperson" includes its head.
            let start = if n.start >= ss {
                nominal_start(text, ss, n.start)
            } else {
                n.start
            };
            Speaker {
                name: n.entity.name.clone(),
                entity_id: n.entity.id.clone(),
                start: offsets.char(start),
                end: offsets.char(n.end),
            }
        });
        out.push(Quote {
            text: content.to_string(),
            start: offsets.char(qs),
            end: offsets.char(qe),
            speaker,
        });
    }
    out
}

/// Where "the spokesperson for the Chinese Foreign Ministry" starts, when
/// the mention at `mention` is the object of such a phrase; else `mention`.
fn nominal_start(text: &str, sentence: usize, mention: usize) -> usize {
    let before = &text[sentence..mention];
    let lower = before.to_lowercase();
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
        let q = extract(text, &entities);
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
    fn a_pronoun_reaches_back_to_the_last_person() {
        let text = "Rudenko met Qin in Beijing.\nHe said “the talks went well.”";
        let entities = vec![entity("e1", "Andrey Rudenko", "PERSON", text, "Rudenko")];
        let q = extract(text, &entities);
        let s = q[0].speaker.as_ref().expect("he is Rudenko");
        assert_eq!(s.name, "Andrey Rudenko");
        let chars: Vec<char> = text.chars().collect();
        assert_eq!(chars[s.start..s.end].iter().collect::<String>(), "Rudenko");
    }
}
