//! Story decisions over one whole index: restore what was decided (and
//! place what is new), and say what changed between two sets of decisions
//! (`history`). Placing arrivals as they come is the engine's, in rounds
//! (`stream::place_round`).
//!
//! Articles placed before keep their story, so a story's id (derived from
//! its first article) stays put as articles arrive and when the same input
//! is replayed; new articles are placed in publication order (undated last,
//! then by id), so a backfill of older articles clusters as if it had come
//! in order. Where the decisions are kept is the caller's business.

use crate::cluster::{ClusterOptions, Clustering};
use crate::story::{story_id, summarise, Story};
use std::collections::HashMap;
use storyline_relate::{ArticleIndex, Filter, SimilarPosts};
use storyline_store::{StoryEvent, StoryEventKind};

/// The stories of an index: which story each article is in, by stable id.
pub struct Stories {
    clustering: Clustering,
    /// Story number → id.
    ids: Vec<String>,
    by_id: HashMap<String, u32>,
}

impl Stories {
    /// Restores `kept` decisions (article id, story id, in placement order)
    /// for the articles the index holds, places every other article, and
    /// merges stories that converged. Returns the stories and the decisions
    /// that are new or changed, in placement order.
    pub fn update(
        index: &ArticleIndex,
        kept: &[(String, String)],
        options: &ClusterOptions,
        threads: usize,
    ) -> (Stories, Vec<(String, String)>) {
        let mut groups: Vec<(String, Vec<u32>)> = Vec::new();
        let mut group_of: HashMap<&str, usize> = HashMap::new();
        let mut placed = vec![false; index.len()];
        for (article, story) in kept {
            let Some(doc) = index.doc_of(article) else {
                continue;
            };
            let g = *group_of.entry(story.as_str()).or_insert_with(|| {
                groups.push((story.clone(), Vec::new()));
                groups.len() - 1
            });
            groups[g].1.push(doc);
            placed[doc as usize] = true;
        }
        let mut clustering = Clustering::new(index.len());
        let docs: Vec<Vec<u32>> = groups.iter().map(|(_, d)| d.clone()).collect();
        clustering.restore(index, &docs);
        let mut ids: Vec<String> = groups.into_iter().map(|(id, _)| id).collect();
        let restored = ids.len();

        let mut new: Vec<u32> = (0..index.len() as u32).filter(|&d| !placed[d as usize]).collect();
        new.sort_by_cached_key(|&d| {
            let info = index.doc(d);
            (
                info.published.is_none(),
                info.published.map(|p| p.sort_key()),
                info.id.clone(),
            )
        });
        let before: Vec<Option<u32>> = (0..index.len() as u32).map(|d| clustering.story_of(d)).collect();
        clustering.place_all(index, &new, options, threads);
        clustering.settle(index, options, threads);
        for (number, members) in clustering.stories() {
            if number as usize >= restored {
                ids.resize(number as usize + 1, String::new());
                ids[number as usize] = story_id(&index.doc(members[0]).id);
            }
        }
        let stories = Stories {
            by_id: clustering
                .stories()
                .map(|(number, _)| (ids[number as usize].clone(), number))
                .collect(),
            clustering,
            ids,
        };
        let mut changed: Vec<u32> = (0..index.len() as u32)
            .filter(|&d| stories.clustering.story_of(d) != before[d as usize])
            .collect();
        let mut arrival = vec![usize::MAX; index.len()];
        for (i, &d) in new.iter().enumerate() {
            arrival[d as usize] = i;
        }
        changed.sort_by_key(|&d| arrival[d as usize]);
        let changes = changed
            .into_iter()
            .filter_map(|d| Some((index.doc(d).id.clone(), stories.id_of(d)?.to_string())))
            .collect();
        (stories, changes)
    }

    /// The id of the story `doc` is in.
    pub fn id_of(&self, doc: u32) -> Option<&str> {
        self.clustering
            .story_of(doc)
            .map(|s| self.ids[s as usize].as_str())
    }

    /// The documents of story `id`, first placed first.
    pub fn members(&self, id: &str) -> Option<&[u32]> {
        let number = *self.by_id.get(id)?;
        Some(self.clustering.members(number))
    }

    /// Similar Posts of article `id` with the articles of its story first
    /// (see `ArticleIndex::similar_in_story`).
    pub fn similar(&self, index: &ArticleIndex, id: &str, k: usize, filter: &Filter) -> Option<SimilarPosts> {
        let doc = index.doc_of(id)?;
        let same_story = self
            .clustering
            .story_of(doc)
            .map_or(&[][..], |s| self.clustering.members(s));
        index.similar_in_story(id, k, filter, same_story)
    }

    /// The summary of story `id`.
    pub fn get(&self, index: &ArticleIndex, id: &str) -> Option<Story> {
        Some(summarise(index, id, self.members(id)?))
    }

    /// Every story's summary, most recently active first (undated last, then by id).
    pub fn all(&self, index: &ArticleIndex) -> Vec<Story> {
        let mut all: Vec<Story> = self
            .clustering
            .stories()
            .map(|(number, members)| summarise(index, &self.ids[number as usize], members))
            .collect();
        all.sort_by(|a, b| {
            let key = |s: &Story| s.last_seen.map(|p| p.sort_key());
            b.last_seen
                .is_some()
                .cmp(&a.last_seen.is_some())
                .then_with(|| key(b).cmp(&key(a)))
                .then_with(|| a.id.cmp(&b.id))
        });
        all
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

/// The merges and splits that lead from `before` (article id, story id)
/// to where `now` says each article is. A story whose articles now sit in
/// another story and no longer in itself was merged into it (one event per
/// story it went to); one that keeps some of its articles and lost others
/// split (one event per story that took some).
pub fn history<'a>(before: &'a [(String, String)], now: impl Fn(&str) -> Option<&'a str>) -> Vec<StoryEvent> {
    // Old story → (new story → articles moved), in first-seen order.
    let mut moves: Vec<(&str, Vec<(&str, usize)>)> = Vec::new();
    let mut slot: HashMap<&str, usize> = HashMap::new();
    let mut kept_some: std::collections::HashSet<&str> = Default::default();
    for (article, old) in before {
        let Some(new) = now(article) else {
            continue;
        };
        if new == old {
            kept_some.insert(old);
            continue;
        }
        let at = *slot.entry(old).or_insert_with(|| {
            moves.push((old, Vec::new()));
            moves.len() - 1
        });
        match moves[at].1.iter_mut().find(|(n, _)| *n == new) {
            Some((_, count)) => *count += 1,
            None => moves[at].1.push((new, 1)),
        }
    }
    let mut events = Vec::new();
    for (old, targets) in moves {
        for (new, articles) in targets {
            let split = kept_some.contains(old);
            events.push(StoryEvent {
                kind: if split {
                    StoryEventKind::Split
                } else {
                    StoryEventKind::Merge
                },
                story: if split { old.to_string() } else { new.to_string() },
                other: if split { new.to_string() } else { old.to_string() },
                articles,
                at: None,
            });
        }
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::tests::article;
    use storyline_core::{Article, Published};
    use storyline_relate::IndexOptions;

    fn wagner(n: usize) -> Vec<Article> {
        let texts = [
            (
                "w1",
                "Prigozhin and his Wagner fighters seized Rostov-on-Don and marched towards Moscow.",
                "2023-06-24",
            ),
            (
                "r1",
                "The European Central Bank raised interest rates in Frankfurt by a quarter point.",
                "2023-06-24",
            ),
            (
                "w2",
                "Prigozhin halted the Wagner march on Moscow after talks with Lukashenko.",
                "2023-06-25",
            ),
            (
                "r2",
                "Lagarde said the European Central Bank in Frankfurt may raise interest rates again.",
                "2023-06-26",
            ),
            (
                "w3",
                "Lukashenko said Prigozhin and Wagner fighters arrived in Belarus after the Moscow march.",
                "2023-06-27",
            ),
        ];
        texts[..n]
            .iter()
            .map(|(id, t, p)| article(id, None, t, p))
            .collect()
    }

    fn options() -> ClusterOptions {
        ClusterOptions {
            join_threshold: 0.15,
            ..ClusterOptions::default()
        }
    }

    #[test]
    fn ids_stay_when_articles_arrive_and_replays_change_nothing() {
        let index = ArticleIndex::build(wagner(3), IndexOptions::default());
        let (first, kept) = Stories::update(&index, &[], &options(), 1);
        let wagner_id = first.id_of(index.doc_of("w1").unwrap()).unwrap().to_string();
        assert_eq!(wagner_id, story_id("w1"));
        assert_eq!(kept.len(), 3, "every article is a new decision");

        let (again, changes) = Stories::update(&index, &kept, &options(), 1);
        assert!(changes.is_empty(), "a replay decides nothing new: {changes:?}");
        assert_eq!(again.len(), first.len());

        let bigger = ArticleIndex::build(wagner(5), IndexOptions::default());
        let (later, changes) = Stories::update(&bigger, &kept, &options(), 1);
        let ids: Vec<&str> = changes.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(ids, vec!["r2", "w3"], "only the newcomers, in publication order");
        assert_eq!(
            later.id_of(bigger.doc_of("w3").unwrap()),
            Some(wagner_id.as_str())
        );
        let story = later.get(&bigger, &wagner_id).unwrap();
        assert_eq!(story.articles, vec!["w1", "w2", "w3"]);
        assert_eq!(story.first_seen, Published::parse("2023-06-24"));
        assert_eq!(story.last_seen, Published::parse("2023-06-27"));
        assert!(
            story.key_names.iter().any(|n| n == "Prigozhin"),
            "{:?}",
            story.key_names
        );
        assert_eq!(later.all(&bigger)[0].id, wagner_id, "most recently active first");
    }

    #[test]
    fn history_names_merges_and_splits() {
        let index = ArticleIndex::build(wagner(5), IndexOptions::default());
        let (stories, _) = Stories::update(&index, &[], &options(), 1);
        let id = |a: &str| stories.id_of(index.doc_of(a).unwrap()).unwrap().to_string();
        let (wagner, ecb) = (id("w1"), id("r1"));
        assert_eq!(id("w3"), wagner);
        assert_eq!(id("r2"), ecb);
        let pair = |a: &str, s: &str| (a.to_string(), s.to_string());
        let before = [
            pair("w1", "old"),
            pair("w2", "old"),
            pair("r1", &ecb),
            pair("r2", &ecb),
            pair("w3", &ecb),
            pair("gone", "elsewhere"),
        ];
        let events = history(&before, |a| index.doc_of(a).and_then(|d| stories.id_of(d)));
        let event = |kind, story: &str, other: &str, articles| StoryEvent {
            kind,
            story: story.to_string(),
            other: other.to_string(),
            articles,
            at: None,
        };
        assert_eq!(
            events,
            [
                event(StoryEventKind::Merge, &wagner, "old", 2),
                event(StoryEventKind::Split, &ecb, &wagner, 1),
            ]
        );
        let now: Vec<(String, String)> = ["w1", "w2", "w3", "r1", "r2"]
            .iter()
            .map(|a| pair(a, &id(a)))
            .collect();
        assert!(
            history(&now, |a| index.doc_of(a).and_then(|d| stories.id_of(d))).is_empty(),
            "nothing moved"
        );
    }
}
