//! The entity mentions of one text, in text order and byte offsets, and
//! what a nominal reference or pronoun points back to.
//!
//! Quotes, statements and events all ask the same questions of a text:
//! which named mentions lie in this clause, who is the last person or
//! organisation named before this place, and whom "the ministry", "the
//! official" or "he" refers to. This module answers them; it does not find
//! entities (that is `entities`) nor decide who said what.

use crate::entities::Entity;

/// Byte offset of every character (and of the end), for converting both ways.
pub(crate) struct Offsets(Vec<usize>);

impl Offsets {
    pub(crate) fn new(text: &str) -> Offsets {
        Offsets(text.char_indices().map(|(b, _)| b).chain([text.len()]).collect())
    }

    /// The byte offset of character `char_index` (the end when past it).
    pub(crate) fn byte(&self, char_index: usize) -> usize {
        self.0
            .get(char_index)
            .copied()
            .unwrap_or(*self.0.last().unwrap_or(&0))
    }

    /// The character index of the character starting at (or after) `byte`.
    pub(crate) fn char(&self, byte: usize) -> usize {
        self.0.partition_point(|&b| b < byte)
    }
}

/// One mention of an entity, in byte offsets.
#[derive(Clone, Copy)]
pub(crate) struct Named<'a> {
    pub entity: &'a Entity,
    pub start: usize,
    pub end: usize,
}

impl Named<'_> {
    /// People and organisations: who can say something or act.
    pub(crate) fn is_agent(&self) -> bool {
        matches!(self.entity.kind.as_str(), "PERSON" | "ORG")
    }
}

/// A text's mentions, sorted by position.
pub(crate) struct Mentions<'a> {
    pub offsets: Offsets,
    pub all: Vec<Named<'a>>,
}

/// Words that refer back to an entity named earlier, and which kind of
/// entity they can refer to (`None`: a person or an organisation).
const REFERENCES: &[(&str, Option<&str>)] = &[
    ("he", Some("PERSON")),
    ("she", Some("PERSON")),
    ("the ministry", Some("ministry")),
    ("the spokesperson", None),
    ("the spokesman", None),
    ("the spokeswoman", None),
    ("the official", None),
    ("the officials", None),
    ("the company", Some("ORG")),
    ("the group", Some("ORG")),
    ("the agency", Some("ORG")),
    ("the government", Some("ORG")),
    ("the president", Some("president")),
    ("the minister", Some("minister")),
];

impl<'a> Mentions<'a> {
    pub(crate) fn new(text: &str, entities: &'a [Entity]) -> Mentions<'a> {
        let offsets = Offsets::new(text);
        let mut all: Vec<Named> = entities
            .iter()
            .flat_map(|e| {
                e.mentions.iter().map(|m| Named {
                    entity: e,
                    start: offsets.byte(m.start),
                    end: offsets.byte(m.end),
                })
            })
            .collect();
        all.sort_by_key(|n| (n.start, n.end));
        Mentions { offsets, all }
    }

    /// The mentions lying wholly inside `start..end`.
    pub(crate) fn within(&self, start: usize, end: usize) -> impl Iterator<Item = &Named<'a>> {
        let first = self.all.partition_point(|n| n.start < start);
        self.all[first..]
            .iter()
            .take_while(move |n| n.start < end)
            .filter(move |n| n.end <= end)
    }

    /// The last mention ending at or before `byte` that `accept` takes.
    pub(crate) fn last_before(&self, byte: usize, accept: impl Fn(&Named) -> bool) -> Option<&Named<'a>> {
        let upto = self.all.partition_point(|n| n.start < byte);
        self.all[..upto].iter().rev().find(|n| n.end <= byte && accept(n))
    }

    /// The reference ("the ministry", "he", "the Russian ministry") that
    /// `words` (ASCII lower case) opens with, its length in bytes, and the
    /// entity it resolves to: the last one named before `at` that fits (and
    /// whose name shares the qualifier's stem, when there is one).
    pub(crate) fn resolve_reference(&self, words: &str, at: usize) -> Option<(usize, &Named<'a>)> {
        let ends_word = |rest: &str| !rest.starts_with(|c: char| c.is_alphanumeric());
        let plain = REFERENCES
            .iter()
            .find(|(w, _)| words.starts_with(w) && ends_word(&words[w.len()..]))
            .map(|&(w, fits)| (w.len(), fits, None));
        let qualified = || {
            let rest = words.strip_prefix("the ")?;
            let (qualifier, rest) = rest.split_once(' ')?;
            let stem: String = qualifier.chars().take(6).collect();
            let (w, fits) = REFERENCES.iter().find(|(w, _)| {
                w.strip_prefix("the ")
                    .is_some_and(|head| rest.starts_with(head) && ends_word(&rest[head.len()..]))
            })?;
            let len = "the ".len() + qualifier.len() + 1 + w.len() - "the ".len();
            (stem.len() >= 4 && stem.chars().all(|c| c.is_ascii_alphabetic())).then_some((
                len,
                *fits,
                Some(stem),
            ))
        };
        let (len, fits, stem) = plain.or_else(qualified)?;
        let named = self.last_before(at, |n| {
            let kind_fits = match fits {
                None => n.is_agent(),
                Some("PERSON") | Some("ORG") => Some(n.entity.kind.as_str()) == fits,
                Some(head) => {
                    n.is_agent()
                        && (n.entity.name.to_lowercase().contains(head)
                            || n.entity.roles.iter().any(|r| r.to_lowercase().contains(head)))
                }
            };
            kind_fits
                && stem
                    .as_ref()
                    .is_none_or(|s| n.entity.name.to_lowercase().contains(s.as_str()))
        })?;
        Some((len, named))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn entity(id: &str, name: &str, kind: &str, text: &str, mentions: &[&str]) -> Entity {
        let mentions: Vec<_> = mentions
            .iter()
            .map(|m| {
                let byte = text.find(m).unwrap();
                let start = text[..byte].chars().count();
                serde_json::json!({"text": m, "start": start, "end": start + m.chars().count()})
            })
            .collect();
        serde_json::from_value(serde_json::json!({
            "id": id, "name": name, "type": kind, "aliases": [], "roles": [], "mentions": mentions,
        }))
        .unwrap()
    }

    #[test]
    fn references_resolve_to_the_last_fitting_entity() {
        let text = "Rudenko met the Chinese Foreign Ministry and Acme. The ministry said so.";
        let entities = vec![
            entity("e1", "Andrey Rudenko", "PERSON", text, &["Rudenko"]),
            entity(
                "e2",
                "Chinese Foreign Ministry",
                "ORG",
                text,
                &["Chinese Foreign Ministry"],
            ),
            entity("e3", "Acme", "ORG", text, &["Acme"]),
        ];
        let m = Mentions::new(text, &entities);
        let at = text.find("The ministry").unwrap();
        let (len, named) = m.resolve_reference("the ministry said so.", at).unwrap();
        assert_eq!(len, "the ministry".len());
        assert_eq!(named.entity.name, "Chinese Foreign Ministry");
        assert_eq!(
            m.resolve_reference("he said", at).unwrap().1.entity.name,
            "Andrey Rudenko"
        );
        assert_eq!(
            m.resolve_reference("the company said", at).unwrap().1.entity.name,
            "Acme"
        );
        assert!(
            m.resolve_reference("hence", at).is_none(),
            "a word that only starts like one"
        );
        let (len, named) = m.resolve_reference("the chinese ministry said", at).unwrap();
        assert_eq!(
            (len, named.entity.name.as_str()),
            ("the chinese ministry".len(), "Chinese Foreign Ministry")
        );
        assert!(
            m.resolve_reference("the russian ministry said", at).is_none(),
            "no Russian ministry named"
        );
        assert_eq!(m.within(0, at).count(), 3);
    }
}
