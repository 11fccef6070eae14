//! Online story clustering: each article, in arrival order, joins the story
//! of the earlier articles it is most like, or starts a new one.
//!
//! The evidence is the Similar Posts ranking (`ArticleIndex::neighbours`:
//! weighted words, names and linked entities, numbers, with query
//! expansion), restricted to articles placed before, each score raised by
//! `time_bonus` when both articles are dated close together. An article's
//! link to a story is the mean of its scores to the story's `link_members`
//! closest articles (an article of the story missing from its neighbours
//! counts 0), so a story joins only what several of its articles vouch
//! for, while one look-alike cannot chain two stories together; the
//! article joins its best-linked story when the link reaches
//! `join_threshold`. A near-duplicate of a placed article always joins
//! that article's story. A story whose newest article is more than
//! `dormant_days` older than the newcomer is dormant for it.
//!
//! After each round of placing (`settle`), stories that converged (later
//! articles bridging two of them) merge, the older absorbing the younger,
//! and stories that diverged split: one that took two events of a kind
//! (two fights of one boxer, a rematch a year on) shows as two groups of
//! articles far less alike across than within, found as the smallest
//! normalised cut of its similarity graph; the half holding the first
//! article keeps the story, so a story's identity survives both. This
//! module owns the decisions; story summaries are in `story`, and keeping
//! assignments and their history is the store's.

use storyline_relate::ArticleIndex;

/// Thresholds and weights of the clustering. The defaults were fitted with
/// `storyline bench stories --sweep [--set …]` on the two story-labelled
/// sets there are, `stories/ecbplus-dev.jsonl` (772 undated articles) and
/// the sample corpus exported as JSONL (45 dated articles), taking the
/// settings with the best mean F1 that also beat the baseline on both, and
/// then fixed (README, "Stories").
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// Link (Similar Posts scale, 0..1) at which an article joins a story.
    pub join_threshold: f32,
    /// How many of the nearest earlier articles are consulted.
    pub neighbours: usize,
    /// Weight of the names cosine beside the words cosine in the link.
    pub names_weight: f32,
    /// How many of a story's closest articles the link averages over
    /// (fewer when the story is smaller).
    pub link_members: usize,
    /// Days after its newest article that a story still takes articles.
    pub dormant_days: i32,
    /// Two stories merge when links between them (each at least the join
    /// threshold) reach this share of the smaller story's articles.
    pub merge_share: f32,
    /// Added to the score of two articles published close together (both
    /// dated): reports of one event come in a burst, so nearness in time
    /// vouches for a weaker content match. Undated articles get nothing.
    pub time_bonus: f32,
    /// Days apart at which the time bonus is halved.
    pub time_bonus_half_life_days: f32,
    /// A story splits in two when the mean score across the two halves
    /// is below this share of the mean within them (0: never).
    pub split_ratio: f32,
    /// The smallest half a split may leave.
    pub split_min_part: usize,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            join_threshold: 0.40,
            neighbours: 20,
            names_weight: 1.0,
            link_members: 4,
            dormant_days: 30,
            merge_share: 1.0,
            time_bonus: 0.3,
            time_bonus_half_life_days: 2.0,
            split_ratio: 0.6,
            split_min_part: 4,
        }
    }
}

impl ClusterOptions {
    /// Sets one option by name (`join_threshold=0.3`), for tuning runs.
    pub fn set(&mut self, assignment: &str) -> Result<(), String> {
        let (key, value) = storyline_core::tuning::numeric_assignment(assignment)?;
        match key {
            "join_threshold" => self.join_threshold = value,
            "neighbours" => self.neighbours = value as usize,
            "names_weight" => self.names_weight = value,
            "link_members" => self.link_members = value as usize,
            "dormant_days" => self.dormant_days = value as i32,
            "merge_share" => self.merge_share = value,
            "time_bonus" => self.time_bonus = value,
            "time_bonus_half_life_days" => self.time_bonus_half_life_days = value,
            "split_ratio" => self.split_ratio = value,
            "split_min_part" => self.split_min_part = value as usize,
            other => return Err(format!("unknown option {other:?}")),
        }
        Ok(())
    }
}

/// Which story each placed document of an index belongs to. Stories are
/// numbered in the order they were started; a merged story stays empty.
#[derive(Debug, Clone)]
pub struct Clustering {
    story_of: Vec<Option<u32>>,
    members: Vec<Vec<u32>>,
    /// Newest publication day (days since 1970) per story.
    last_day: Vec<Option<i32>>,
    /// Links of at least the join threshold that crossed stories when made.
    links: Vec<(u32, u32)>,
    /// Stories that took articles or merged since the last split pass.
    touched: Vec<bool>,
    /// Each document's nearest earlier documents with their scores, as
    /// found when it was placed (empty for restored ones): the split pass
    /// reads them instead of asking the index again.
    near: Vec<Vec<(u32, f32)>>,
    /// Placement order per document (`u32::MAX`: not placed).
    position: Vec<u32>,
    placed: u32,
}

impl Clustering {
    /// No document placed yet, for an index of `docs` documents.
    pub fn new(docs: usize) -> Clustering {
        Clustering {
            story_of: vec![None; docs],
            members: Vec::new(),
            last_day: Vec::new(),
            links: Vec::new(),
            touched: Vec::new(),
            near: vec![Vec::new(); docs],
            position: vec![u32::MAX; docs],
            placed: 0,
        }
    }

    /// Restores earlier decisions: each group becomes a story, in the order
    /// given (oldest first), with its documents placed in the order given.
    pub fn restore(&mut self, index: &ArticleIndex, groups: &[Vec<u32>]) {
        for group in groups {
            let story = self.members.len() as u32;
            self.new_story();
            for &doc in group {
                self.position[doc as usize] = self.placed;
                self.placed += 1;
                self.join(index, doc, story);
            }
        }
        // Restored stories are as they were decided: nothing to split.
        self.touched.iter_mut().for_each(|t| *t = false);
    }

    /// Places `order` (documents not placed yet) one after another. The
    /// neighbour queries, which depend only on the order, run on `threads`.
    pub fn place_all(
        &mut self,
        index: &ArticleIndex,
        order: &[u32],
        options: &ClusterOptions,
        threads: usize,
    ) {
        for (i, &doc) in order.iter().enumerate() {
            self.position[doc as usize] = self.placed + i as u32;
        }
        let chunk = 256;
        for batch in order.chunks(chunk * threads.max(1)) {
            let neighbours = self.neighbours_of(index, batch, options, threads);
            for (&doc, near) in batch.iter().zip(neighbours) {
                self.place(index, doc, &near, options);
                self.placed += 1;
            }
        }
    }

    fn neighbours_of(
        &self,
        index: &ArticleIndex,
        docs: &[u32],
        options: &ClusterOptions,
        threads: usize,
    ) -> Vec<Vec<(u32, f32)>> {
        let position = &self.position;
        let query = |doc: u32| {
            let mine = position[doc as usize];
            index.neighbours(doc, options.neighbours, options.names_weight, &|d| {
                position[d as usize] < mine
            })
        };
        storyline_core::parallel::map_in_order(docs, threads, |&d| query(d))
    }

    /// The neighbours' scores with the time bonus added, best first.
    fn with_time_bonus(
        index: &ArticleIndex,
        doc: u32,
        near: &[(u32, f32)],
        options: &ClusterOptions,
    ) -> Vec<(u32, f32)> {
        let day = index.doc(doc).day;
        let mut scored: Vec<(u32, f32)> = near
            .iter()
            .map(|&(other, score)| match (day, index.doc(other).day) {
                (Some(a), Some(b)) => {
                    let days = (a - b).unsigned_abs() as f32;
                    let half_life = options.time_bonus_half_life_days.max(f32::EPSILON);
                    (
                        other,
                        score * (1.0 + options.time_bonus * 0.5f32.powf(days / half_life)),
                    )
                }
                _ => (other, score),
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored
    }

    fn place(&mut self, index: &ArticleIndex, doc: u32, near: &[(u32, f32)], options: &ClusterOptions) {
        self.near[doc as usize] = near.to_vec();
        let near = &Self::with_time_bonus(index, doc, near, options);
        if let Some(story) = self.story_of_copy(index, doc) {
            self.join(index, doc, story);
            return;
        }
        let day = index.doc(doc).day;
        let dormant = |story: u32| match (day, self.last_day[story as usize]) {
            (Some(d), Some(last)) => d - last > options.dormant_days,
            _ => false,
        };
        // Per story: its scores, best first (neighbours come best first).
        let mut scores: Vec<(u32, Vec<f32>)> = Vec::new();
        for &(other, score) in near {
            let Some(story) = self.story_of[other as usize] else {
                continue;
            };
            if dormant(story) {
                continue;
            }
            match scores.iter_mut().find(|(s, _)| *s == story) {
                Some((_, list)) => list.push(score),
                None => scores.push((story, vec![score])),
            }
        }
        let best = scores
            .iter()
            .map(|(story, list)| {
                let m = options
                    .link_members
                    .clamp(1, self.members[*story as usize].len().max(1));
                (*story, list.iter().take(m).sum::<f32>() / m as f32)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        let story = match best {
            Some((story, link)) if link >= options.join_threshold => story,
            _ => self.new_story(),
        };
        self.join(index, doc, story);
        for &(other, score) in near {
            if score >= options.join_threshold && self.story_of[other as usize].is_some_and(|s| s != story) {
                self.links.push((doc, other));
            }
        }
    }

    fn new_story(&mut self) -> u32 {
        self.members.push(Vec::new());
        self.last_day.push(None);
        self.touched.push(false);
        self.members.len() as u32 - 1
    }

    /// The story of a placed near-duplicate of `doc`, if any.
    fn story_of_copy(&self, index: &ArticleIndex, doc: u32) -> Option<u32> {
        index
            .group_members(doc)
            .iter()
            .filter(|&&d| d != doc && self.position[d as usize] < self.position[doc as usize])
            .find_map(|&d| self.story_of[d as usize])
    }

    fn join(&mut self, index: &ArticleIndex, doc: u32, story: u32) {
        self.story_of[doc as usize] = Some(story);
        self.touched[story as usize] = true;
        self.members[story as usize].push(doc);
        let day = index.doc(doc).day;
        let last = &mut self.last_day[story as usize];
        *last = (*last).max(day);
    }

    /// Merges stories that later articles tie together (see the module
    /// notes); returns how many merges it made. Running it again at once
    /// merges nothing.
    pub fn merge_converged(&mut self, options: &ClusterOptions) -> usize {
        let mut merges = 0;
        loop {
            let mut counts: std::collections::BTreeMap<(u32, u32), usize> = Default::default();
            for &(a, b) in &self.links {
                let (Some(sa), Some(sb)) = (self.story_of[a as usize], self.story_of[b as usize]) else {
                    continue;
                };
                if sa != sb {
                    *counts.entry((sa.min(sb), sa.max(sb))).or_default() += 1;
                }
            }
            let converged = counts.into_iter().find(|&((a, b), n)| {
                let smaller = self.members[a as usize].len().min(self.members[b as usize].len());
                n as f32 >= options.merge_share * smaller as f32
            });
            let Some(((older, younger), _)) = converged else {
                return merges;
            };
            let moved = std::mem::take(&mut self.members[younger as usize]);
            for &doc in &moved {
                self.story_of[doc as usize] = Some(older);
            }
            self.members[older as usize].extend(moved);
            let mut by_position = std::mem::take(&mut self.members[older as usize]);
            by_position.sort_by_key(|&d| self.position[d as usize]);
            self.members[older as usize] = by_position;
            self.last_day[older as usize] =
                self.last_day[older as usize].max(self.last_day[younger as usize]);
            self.last_day[younger as usize] = None;
            self.touched[older as usize] = true;
            merges += 1;
        }
    }

    /// Merges the stories that converged, then splits those that diverged
    /// (of the stories that changed since the last call); the end of every
    /// placing round.
    pub fn settle(&mut self, index: &ArticleIndex, options: &ClusterOptions, threads: usize) {
        self.merge_converged(options);
        self.split_diverged(index, options, threads);
    }

    /// Splits stories whose articles fall into two groups that are far
    /// less alike across than within (see `split_ratio`); the half holding
    /// the story's first article keeps the story. Only stories that took
    /// articles or merged since the last call are looked at. Returns how
    /// many splits it made.
    pub fn split_diverged(
        &mut self,
        index: &ArticleIndex,
        options: &ClusterOptions,
        threads: usize,
    ) -> usize {
        let touched = std::mem::replace(&mut self.touched, vec![false; self.members.len()]);
        if options.split_ratio <= 0.0 {
            return 0;
        }
        let big_enough = |members: &[u32]| members.len() >= 2 * options.split_min_part.max(1);
        let first: Vec<u32> = (0..self.members.len() as u32)
            .filter(|&s| {
                touched.get(s as usize).copied().unwrap_or(false) && big_enough(&self.members[s as usize])
            })
            .collect();
        // The first round's bisections are independent: run them on all threads.
        let (stories, near) = (&self.members, &self.near);
        let found: Vec<(u32, Option<Vec<bool>>)> =
            storyline_core::parallel::map_in_order(&first, threads, |&s| {
                (s, bisect(index, &stories[s as usize], near, options))
            });
        let mut splits = 0;
        let mut again: Vec<u32> = Vec::new();
        for (story, away) in found {
            if let Some(away) = away {
                let new = self.split_off(index, story, &away);
                splits += 1;
                again.extend([new, story]);
            }
        }
        // Halves are looked at in turn: a story may hold three events.
        while let Some(story) = again.pop() {
            if !big_enough(&self.members[story as usize]) {
                continue;
            }
            if let Some(away) = bisect(index, &self.members[story as usize], &self.near, options) {
                let new = self.split_off(index, story, &away);
                splits += 1;
                again.extend([new, story]);
            }
        }
        self.touched = vec![false; self.members.len()];
        splits
    }

    /// Moves the members of `story` marked in `away` to a new story; returns it.
    fn split_off(&mut self, index: &ArticleIndex, story: u32, away: &[bool]) -> u32 {
        let members = std::mem::take(&mut self.members[story as usize]);
        let new = self.new_story();
        let (mut moved, mut kept) = (Vec::new(), Vec::new());
        for (doc, &goes) in members.into_iter().zip(away) {
            if goes {
                self.story_of[doc as usize] = Some(new);
                moved.push(doc);
            } else {
                kept.push(doc);
            }
        }
        let newest = |docs: &[u32]| docs.iter().filter_map(|&d| index.doc(d).day).max();
        self.last_day[new as usize] = newest(&moved);
        self.last_day[story as usize] = newest(&kept);
        self.members[new as usize] = moved;
        self.members[story as usize] = kept;
        new
    }

    /// The documents of story `number`, first placed first (empty when merged away).
    pub fn members(&self, number: u32) -> &[u32] {
        self.members.get(number as usize).map_or(&[], Vec::as_slice)
    }

    /// The story of `doc`, if placed.
    pub fn story_of(&self, doc: u32) -> Option<u32> {
        self.story_of[doc as usize]
    }

    /// Every story with its documents in placement order (the first is the
    /// story's founder), oldest story first; merged-away stories left out.
    pub fn stories(&self) -> impl Iterator<Item = (u32, &[u32])> {
        self.members
            .iter()
            .enumerate()
            .filter(|(_, m)| !m.is_empty())
            .map(|(s, m)| (s as u32, m.as_slice()))
    }
}

/// Two groups of `members` (`true`: the group without the first member)
/// when the mean score across them is below `split_ratio` of the mean
/// within them and each has at least `split_min_part` articles.
fn bisect(
    index: &ArticleIndex,
    members: &[u32],
    near: &[Vec<(u32, f32)>],
    options: &ClusterOptions,
) -> Option<Vec<bool>> {
    let n = members.len();
    let position: std::collections::HashMap<u32, usize> =
        members.iter().enumerate().map(|(i, &d)| (d, i)).collect();
    let mut sim = vec![vec![0f32; n]; n];
    for (i, &doc) in members.iter().enumerate() {
        let asked;
        let found: &[(u32, f32)] = if near[doc as usize].is_empty() {
            asked = index.neighbours(doc, n, options.names_weight, &|d| position.contains_key(&d));
            &asked
        } else {
            &near[doc as usize]
        };
        for &(other, score) in found {
            if let Some(&j) = position.get(&other) {
                sim[i][j] = sim[i][j].max(score);
                sim[j][i] = sim[j][i].max(score);
            }
        }
    }
    let away = spectral_halves(&sim)?;
    let size = away.iter().filter(|&&a| a).count();
    if size < options.split_min_part || n - size < options.split_min_part {
        return None;
    }
    let (mut within, mut w, mut across, mut a) = (0.0, 0, 0.0, 0);
    for i in 0..n {
        for j in i + 1..n {
            if away[i] == away[j] {
                within += sim[i][j];
                w += 1;
            } else {
                across += sim[i][j];
                a += 1;
            }
        }
    }
    let (within, across) = (within / w.max(1) as f32, across / a.max(1) as f32);
    (across < options.split_ratio * within).then_some(away)
}

/// The two halves of the similarity graph `sim` with the smallest
/// normalised cut, along its Fiedler vector (`true`: the half without
/// member 0). Power iteration on the normalised adjacency, deflated by its
/// known top eigenvector; graphs here have tens of nodes.
fn spectral_halves(sim: &[Vec<f32>]) -> Option<Vec<bool>> {
    let n = sim.len();
    let degree: Vec<f32> = sim.iter().map(|row| row.iter().sum::<f32>().max(1e-6)).collect();
    let root: Vec<f32> = degree.iter().map(|d| d.sqrt()).collect();
    let top_norm = root.iter().map(|r| r * r).sum::<f32>().sqrt();
    let top: Vec<f32> = root.iter().map(|r| r / top_norm).collect();
    // Shifted by the identity so the wanted eigenvalue is the largest left.
    let mut v: Vec<f32> = (0..n).map(|i| ((i * 7919 % 101) as f32 / 101.0) - 0.5).collect();
    for _ in 0..200 {
        let mut next: Vec<f32> = (0..n)
            .map(|i| {
                v[i] + (0..n)
                    .map(|j| sim[i][j] / (root[i] * root[j]) * v[j])
                    .sum::<f32>()
            })
            .collect();
        let along: f32 = next.iter().zip(&top).map(|(a, b)| a * b).sum();
        for (x, t) in next.iter_mut().zip(&top) {
            *x -= along * t;
        }
        let norm = next.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm < 1e-9 {
            return None;
        }
        v = next.into_iter().map(|x| x / norm).collect();
    }
    // The cut along the sorted vector with the smallest normalised cut.
    let fiedler: Vec<f32> = v.iter().zip(&root).map(|(x, r)| x / r).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| fiedler[a].total_cmp(&fiedler[b]).then(a.cmp(&b)));
    let total: f32 = degree.iter().sum();
    let mut best: Option<(f32, usize)> = None;
    let mut side = vec![false; n];
    let (mut cut, mut volume) = (0f32, 0f32);
    for (k, &i) in order.iter().enumerate().take(n - 1) {
        // Moving i to the left side: its edges to the left stop being cut,
        // its edges to the right start to be.
        for j in 0..n {
            if j != i {
                cut += if side[j] { -sim[i][j] } else { sim[i][j] };
            }
        }
        side[i] = true;
        volume += degree[i];
        let ncut = cut / volume + cut / (total - volume).max(1e-6);
        if best.is_none_or(|(b, _)| ncut < b) {
            best = Some((ncut, k));
        }
    }
    let (_, k) = best?;
    let left: Vec<bool> = {
        let mut left = vec![false; n];
        for &i in &order[..=k] {
            left[i] = true;
        }
        left
    };
    Some(if left[0] {
        left.iter().map(|l| !l).collect()
    } else {
        left
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use storyline_core::{Article, ArticleDraft, Published};
    use storyline_relate::IndexOptions;

    /// An English test article (the stories crate's tests share it).
    pub(crate) fn article(id: &str, title: Option<&str>, text: &str, published: &str) -> Article {
        ArticleDraft {
            id: Some(id.into()),
            title: title.map(String::from),
            text: text.into(),
            lang: Some("en".into()),
            published: Published::parse(published),
            ..Default::default()
        }
        .finish()
        .unwrap()
    }

    pub(crate) fn corpus() -> Vec<Article> {
        vec![
            article(
                "w1",
                Some("Wagner mutiny"),
                "Prigozhin and his Wagner fighters seized Rostov-on-Don and marched towards Moscow.",
                "2023-06-24",
            ),
            article(
                "r1",
                Some("Rates rise"),
                "The European Central Bank raised interest rates in Frankfurt by a quarter point.",
                "2023-06-24",
            ),
            article(
                "w2",
                Some("Wagner mutiny ends"),
                "Prigozhin halted the Wagner march on Moscow after talks with Lukashenko.",
                "2023-06-25",
            ),
            article(
                "r2",
                Some("ECB rates"),
                "Lagarde said the European Central Bank in Frankfurt may raise interest rates again.",
                "2023-06-26",
            ),
            article(
                "w3",
                Some("Prigozhin in Belarus"),
                "Lukashenko said Prigozhin and Wagner fighters arrived in Belarus after the Moscow march.",
                "2023-06-27",
            ),
            article(
                "w3-copy",
                Some("Prigozhin in Belarus"),
                "Lukashenko said Prigozhin and Wagner fighters arrived in Belarus after the Moscow march.",
                "2023-06-27",
            ),
        ]
    }

    fn clustered(options: &ClusterOptions) -> (ArticleIndex, Clustering) {
        let index = ArticleIndex::build(corpus(), IndexOptions::default());
        let mut clustering = Clustering::new(index.len());
        let order: Vec<u32> = (0..index.len() as u32).collect();
        clustering.place_all(&index, &order, options, 2);
        (index, clustering)
    }

    fn story(index: &ArticleIndex, c: &Clustering, id: &str) -> u32 {
        c.story_of(index.doc_of(id).unwrap()).unwrap()
    }

    #[test]
    fn articles_join_their_story_and_copies_follow_the_original() {
        let options = ClusterOptions {
            join_threshold: 0.15,
            ..ClusterOptions::default()
        };
        let (index, c) = clustered(&options);
        let wagner = story(&index, &c, "w1");
        assert_eq!(story(&index, &c, "w2"), wagner);
        assert_eq!(story(&index, &c, "w3"), wagner);
        assert_eq!(story(&index, &c, "w3-copy"), wagner);
        assert_ne!(story(&index, &c, "r1"), wagner);
        assert_eq!(story(&index, &c, "r2"), story(&index, &c, "r1"));
        let founders: Vec<u32> = c.stories().map(|(_, members)| members[0]).collect();
        assert_eq!(
            founders,
            vec![index.doc_of("w1").unwrap(), index.doc_of("r1").unwrap()]
        );
    }

    #[test]
    fn a_threshold_above_every_link_keeps_articles_apart_but_copies_together() {
        let options = ClusterOptions {
            join_threshold: 2.0,
            ..ClusterOptions::default()
        };
        let (index, c) = clustered(&options);
        assert_eq!(c.stories().count(), 5);
        assert_eq!(story(&index, &c, "w3-copy"), story(&index, &c, "w3"));
    }

    #[test]
    fn dormant_stories_take_no_new_articles() {
        let mut articles = corpus();
        articles[4].published = Published::parse("2023-09-30");
        articles.truncate(5);
        let index = ArticleIndex::build(articles, IndexOptions::default());
        let mut c = Clustering::new(index.len());
        let options = ClusterOptions {
            join_threshold: 0.15,
            dormant_days: 30,
            ..ClusterOptions::default()
        };
        c.place_all(&index, &(0..5).collect::<Vec<u32>>(), &options, 1);
        assert_ne!(story(&index, &c, "w3"), story(&index, &c, "w1"));
    }

    #[test]
    fn merging_is_idempotent_and_keeps_the_older_story() {
        let options = ClusterOptions {
            join_threshold: 0.15,
            ..ClusterOptions::default()
        };
        let (index, mut c) = clustered(&options);
        // Two halves of one story, tied by a later article's links.
        let (w1, w2) = (index.doc_of("w1").unwrap(), index.doc_of("w2").unwrap());
        let mut split = Clustering::new(index.len());
        split.restore(&index, &[vec![w1], vec![w2]]);
        split.links.push((w2, w1));
        assert_eq!(split.merge_converged(&options), 1);
        assert_eq!(split.story_of(w2), Some(0), "the older story absorbs the younger");
        assert_eq!(split.merge_converged(&options), 0);
        c.merge_converged(&options);
        let once: Vec<Option<u32>> = (0..index.len() as u32).map(|d| c.story_of(d)).collect();
        assert_eq!(c.merge_converged(&options), 0);
        let twice: Vec<Option<u32>> = (0..index.len() as u32).map(|d| c.story_of(d)).collect();
        assert_eq!(once, twice);
    }

    #[test]
    fn two_groups_weakly_tied_are_cut_apart_and_the_first_member_stays() {
        // 0, 2, 4 alike; 1, 3, 5 alike; a weak tie between 4 and 5.
        let n = 6;
        let mut sim: Vec<Vec<f32>> = (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| if i != j && i % 2 == j % 2 { 0.8 } else { 0.0 })
                    .collect()
            })
            .collect();
        sim[4][5] = 0.1;
        sim[5][4] = 0.1;
        let away = spectral_halves(&sim).unwrap();
        assert_eq!(away, [false, true, false, true, false, true]);
    }
}
