//! Story clustering over an endless stream in bounded memory.
//!
//! `Clustering` works over one index of every article it may compare. A
//! stream never ends, but a story that has gone dormant (no article for
//! `ClusterOptions::dormant_days`) takes no more articles, so nothing in it
//! is ever compared again. `StoryStream` therefore keeps in memory only the
//! articles of live stories: arrivals are gathered into rounds, and each
//! round first pages out the stories dormant for its earliest article (their
//! decisions go back to the caller, who keeps them, e.g. in the store), then
//! indexes the live articles with the round's, restores the live stories,
//! places the round's articles and settles (merges and splits). Memory grows
//! with the live articles, not with the stories that went before.
//!
//! Compared with clustering everything in one index, three things differ,
//! by design: term weights (IDF) come from the live window, as a stream's
//! must; an undated article cannot join a story that was paged out (a dated
//! one never could, as that story was dormant for it); and merges and
//! splits are decided at the end of each round rather than once.
//!
//! This module owns the window and the round; the decisions inside a round
//! are `cluster`'s, and building the index (with or without linked
//! entities) is the caller's, handed in as a function.

use crate::cluster::{ClusterOptions, Clustering};
use std::collections::{HashMap, HashSet};
use storyline_core::Article;
use storyline_relate::ArticleIndex;

/// Builds the index a round compares in (the articles in the order given).
pub type IndexBuilder<'a> = Box<dyn Fn(&[Article]) -> ArticleIndex + 'a>;

/// A final decision: article `id` is in story `story` (numbered from 0 in
/// the order stories were started; numbers are never reused).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    pub id: String,
    pub story: u64,
}

/// A story still taking articles, with its articles in placement order.
struct LiveStory {
    number: u64,
    last_day: Option<i32>,
    articles: Vec<Article>,
}

/// Clusters articles fed in publication order (see the module notes).
pub struct StoryStream<'a> {
    options: ClusterOptions,
    build_index: IndexBuilder<'a>,
    threads: usize,
    /// Arrivals are placed once this many have gathered, or as many as
    /// there are live articles if that is more, so re-indexing the live
    /// window never costs more than indexing the arrivals.
    min_round: usize,
    live: Vec<LiveStory>,
    /// Articles in `live`, kept as it changes (pushes read it).
    live_count: usize,
    pending: Vec<Article>,
    next_story: u64,
    /// The most articles held at once (live and pending), for reports.
    peak_held: usize,
}

impl<'a> StoryStream<'a> {
    pub fn new(
        options: ClusterOptions,
        build_index: IndexBuilder<'a>,
        threads: usize,
        min_round: usize,
    ) -> StoryStream<'a> {
        StoryStream {
            options,
            build_index,
            threads,
            min_round: min_round.max(1),
            live: Vec::new(),
            live_count: 0,
            pending: Vec::new(),
            next_story: 0,
            peak_held: 0,
        }
    }

    /// Takes the next article; returns the decisions that became final
    /// (the articles of stories paged out by a round this arrival closed).
    pub fn push(&mut self, article: Article) -> Vec<Decided> {
        self.pending.push(article);
        self.peak_held = self.peak_held.max(self.held());
        if self.pending.len() >= self.min_round.max(self.live_articles()) {
            self.round()
        } else {
            Vec::new()
        }
    }

    /// Places what is pending and returns every decision not yet returned.
    pub fn finish(mut self) -> Vec<Decided> {
        let mut out = self.round();
        for story in std::mem::take(&mut self.live) {
            out.extend(decisions(&story));
        }
        out
    }

    /// Articles of live stories held in memory.
    pub fn live_articles(&self) -> usize {
        self.live_count
    }

    /// The most articles held at once so far.
    pub fn peak_held(&self) -> usize {
        self.peak_held
    }

    fn held(&self) -> usize {
        self.live_articles() + self.pending.len()
    }

    /// Pages out the stories dormant for the round, then places the round.
    fn round(&mut self) -> Vec<Decided> {
        let arrivals = std::mem::take(&mut self.pending);
        if arrivals.is_empty() {
            return Vec::new();
        }
        let mut paged_out = self.page_out(&arrivals);
        let live: Vec<Window<u64>> = std::mem::take(&mut self.live)
            .into_iter()
            .map(|s| Window {
                key: s.number,
                articles: s.articles,
            })
            .collect();
        let round = place_round(live, arrivals, &*self.build_index, &self.options, self.threads);
        let newest = round.newest_day();
        for (key, articles, last_day) in round.into_stories() {
            let number = key.unwrap_or_else(|| {
                self.next_story += 1;
                self.next_story - 1
            });
            self.live.push(LiveStory {
                number,
                last_day,
                articles,
            });
        }
        // Restored stories come back oldest first, new ones after: keep
        // the order by number so ids and tie-breaks do not depend on rounds.
        self.live.sort_by_key(|s| s.number);
        // Arrivals come in publication order: what is dormant for the
        // newest article so far is dormant for every later one.
        if let Some(newest) = newest {
            paged_out.extend(self.page_out_before(newest));
        }
        self.live_count = self.live.iter().map(|s| s.articles.len()).sum();
        paged_out
    }

    /// Removes the stories dormant for the earliest dated arrival and
    /// returns their decisions.
    fn page_out(&mut self, arrivals: &[Article]) -> Vec<Decided> {
        match arrivals
            .iter()
            .filter_map(|a| a.published.map(|p| p.day_number()))
            .min()
        {
            Some(first_day) => self.page_out_before(first_day),
            None => Vec::new(),
        }
    }

    /// Removes the stories dormant for an article of day `day` and returns
    /// their decisions.
    fn page_out_before(&mut self, day: i32) -> Vec<Decided> {
        let dormant_days = self.options.dormant_days;
        let (dormant, live): (Vec<LiveStory>, Vec<LiveStory>) = std::mem::take(&mut self.live)
            .into_iter()
            .partition(|s| s.last_day.is_some_and(|last| day - last > dormant_days));
        self.live = live;
        self.live_count = self.live.iter().map(|s| s.articles.len()).sum();
        dormant.iter().flat_map(decisions).collect()
    }
}

/// A story that may take articles in a round: what the caller knows it
/// by, and its articles in placement order.
pub struct Window<K> {
    pub key: K,
    pub articles: Vec<Article>,
}

/// One round placed: the window's index, and which story each of its
/// documents is in.
pub struct Round<K> {
    index: ArticleIndex,
    clustering: Clustering,
    /// Per story number, the key of the window story it continues (`None`
    /// for a story this round started).
    keys: Vec<Option<K>>,
    window: Vec<Article>,
}

/// Restores the `live` stories (oldest first), places `arrivals` (in
/// publication order) among them and settles: the one way a round is
/// placed, by the stream and by the engine that keeps stories in a store.
pub fn place_round<K>(
    live: Vec<Window<K>>,
    arrivals: Vec<Article>,
    build_index: &dyn Fn(&[Article]) -> ArticleIndex,
    options: &ClusterOptions,
    threads: usize,
) -> Round<K> {
    let mut keys = Vec::with_capacity(live.len());
    let mut sizes = Vec::with_capacity(live.len());
    let mut window: Vec<Article> = Vec::new();
    for story in live {
        keys.push(Some(story.key));
        sizes.push(story.articles.len());
        window.extend(story.articles);
    }
    let live_count = window.len();
    window.extend(arrivals);
    let index = build_index(&window);
    let mut clustering = Clustering::new(index.len());
    let mut groups: Vec<Vec<u32>> = Vec::with_capacity(sizes.len());
    let mut at = 0;
    for size in sizes {
        groups.push(doc_numbers(&index, &window[at..at + size]));
        at += size;
    }
    clustering.restore(&index, &groups);
    let order = doc_numbers(&index, &window[live_count..]);
    clustering.place_all(&index, &order, options, threads);
    clustering.settle(&index, options, threads);
    let stories = clustering
        .stories()
        .map(|(n, _)| n as usize + 1)
        .max()
        .unwrap_or(0);
    keys.resize_with(stories.max(keys.len()), || None);
    Round {
        index,
        clustering,
        keys,
        window,
    }
}

impl<K> Round<K> {
    /// The index the round compared in (every window article once).
    pub fn index(&self) -> &ArticleIndex {
        &self.index
    }

    /// Every story after the round, oldest first: the key of the window
    /// story it continues (`None`: started this round) and its documents
    /// in placement order. A window story merged away is not among them.
    pub fn stories(&self) -> impl Iterator<Item = (Option<&K>, &[u32])> {
        self.clustering
            .stories()
            .map(|(n, members)| (self.keys[n as usize].as_ref(), members))
    }

    /// The newest publication day in the window.
    pub fn newest_day(&self) -> Option<i32> {
        (0..self.index.len() as u32)
            .filter_map(|d| self.index.doc(d).day)
            .max()
    }

    /// The stories with their articles (placement order) and newest day,
    /// giving the articles back.
    pub fn into_stories(self) -> Vec<(Option<K>, Vec<Article>, Option<i32>)> {
        // The first of a repeated id is the one the index holds.
        let slot_of: HashMap<&str, usize> = self
            .window
            .iter()
            .enumerate()
            .rev()
            .map(|(i, a)| (a.id.as_str(), i))
            .collect();
        let slot_of: Vec<usize> = (0..self.index.len() as u32)
            .map(|d| slot_of[self.index.doc(d).id.as_str()])
            .collect();
        let mut slots: Vec<Option<Article>> = self.window.into_iter().map(Some).collect();
        let mut keys = self.keys;
        self.clustering
            .stories()
            .map(|(n, members)| {
                let articles: Vec<Article> = members
                    .iter()
                    .filter_map(|&d| slots[slot_of[d as usize]].take())
                    .collect();
                let last_day = members.iter().filter_map(|&d| self.index.doc(d).day).max();
                (keys[n as usize].take(), articles, last_day)
            })
            .collect()
    }
}

/// The index's documents for `articles`, in order (a repeated id once).
fn doc_numbers(index: &ArticleIndex, articles: &[Article]) -> Vec<u32> {
    let mut seen = HashSet::new();
    articles
        .iter()
        .filter_map(|a| index.doc_of(&a.id))
        .filter(|&d| seen.insert(d))
        .collect()
}

fn decisions(story: &LiveStory) -> impl Iterator<Item = Decided> + '_ {
    story.articles.iter().map(|a| Decided {
        id: a.id.clone(),
        story: story.number,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::tests::{article, corpus};
    use storyline_relate::IndexOptions;

    fn options() -> ClusterOptions {
        ClusterOptions {
            join_threshold: 0.15,
            ..ClusterOptions::default()
        }
    }

    fn stream(min_round: usize) -> StoryStream<'static> {
        StoryStream::new(
            options(),
            Box::new(|window: &[Article]| ArticleIndex::build(window.to_vec(), IndexOptions::default())),
            1,
            min_round,
        )
    }

    fn story_of(decided: &[Decided], id: &str) -> u64 {
        decided.iter().find(|d| d.id == id).unwrap().story
    }

    #[test]
    fn rounds_cluster_as_one_pass_does() {
        let mut s = stream(2);
        let mut decided: Vec<Decided> = corpus().into_iter().flat_map(|a| s.push(a)).collect();
        decided.extend(s.finish());
        assert_eq!(decided.len(), 6, "every article is decided once: {decided:?}");
        let wagner = story_of(&decided, "w1");
        for id in ["w2", "w3", "w3-copy"] {
            assert_eq!(story_of(&decided, id), wagner, "{id}");
        }
        assert_eq!(story_of(&decided, "r2"), story_of(&decided, "r1"));
        assert_ne!(story_of(&decided, "r1"), wagner);
    }

    #[test]
    fn dormant_stories_are_paged_out_and_their_numbers_never_reused() {
        let mut s = stream(2);
        let mut decided: Vec<Decided> = corpus().into_iter().flat_map(|a| s.push(a)).collect();
        assert!(decided.is_empty(), "June's stories are live in June");
        let later = [
            article(
                "f1",
                Some("Flood"),
                "The Danube flooded Passau and Regensburg overnight.",
                "2023-10-02",
            ),
            article(
                "f2",
                Some("Flood recedes"),
                "Passau and Regensburg clean up as the Danube flood recedes.",
                "2023-10-03",
            ),
        ];
        for a in later {
            decided.extend(s.push(a));
        }
        let mut paged: Vec<&str> = decided.iter().map(|d| d.id.as_str()).collect();
        paged.sort_unstable();
        assert_eq!(paged, ["r1", "r2", "w1", "w2", "w3", "w3-copy"]);
        assert_eq!(s.live_articles(), 2, "only October's story is held");
        let finished = s.finish();
        assert_eq!(story_of(&finished, "f1"), story_of(&finished, "f2"));
        assert!(story_of(&finished, "f1") > story_of(&decided, "w1").max(story_of(&decided, "r1")));
    }
}
