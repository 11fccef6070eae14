//! Placing new articles in stories as they arrive, and keeping each
//! story's decisions and summary in the store, in bounded memory.
//!
//! Arrivals (articles changed since placing last caught up) are placed a
//! span of changes at a time, each span in publication order (undated
//! last), a round at a time. A round compares
//! only the stories that may still take its articles: those with an
//! article published within `dormant_days` of the round's days, and, for
//! undated arrivals, those placed into lately. Their articles and the
//! round's are indexed together and placed by `storyline_stories::place_round`,
//! the same rounds `bench stories` measures. Each round's decisions, the
//! merges and splits it made and the summaries of the stories it touched
//! are kept in one transaction; the last round also records the progress,
//! so after a crash the articles a finished round placed stay placed and
//! the rest are placed on the next catch-up.
//!
//! Owned elsewhere: how a round decides (`storyline-stories`), where
//! decisions live (`storyline-store`), and the linked entities that join
//! the evidence (`links`, read from the store).

use crate::links;
use std::collections::{HashMap, HashSet};
use storyline_core::Article;
use storyline_relate::article_terms::Counted;
use storyline_relate::disk::Foresight;
use storyline_relate::{ArticleIndex, IndexOptions};
use storyline_store::{Arrival, Component, KeptStory, Progress, Store, StoreError, StoriesUpdate};
use storyline_stories::{history, place_round, story_id, summarise, ClusterOptions, Window};

/// Arrivals gathered into a round at least (more when more articles are
/// live, so indexing the window never costs more than indexing the round).
const ROUND: usize = 2048;

/// Undated arrivals may join the stories placed into within this many
/// placements (they have no day to find live stories by).
const RECENT_PLACEMENTS: i64 = 20_000;

/// The change numbers a placing span covers (see [`catch_up`]): large
/// enough that a bulk load's spans hold many rounds, small enough that a
/// placing following an ingest's linking is not far behind it, and that
/// a span's arrivals are held in memory at once.
const SPAN: u64 = 16 * 1024;

/// Stories summarised per step when summaries are missing.
const SUMMARY_BATCH: usize = 512;

/// The names kept per story for filtering lists by name.
const KEPT_NAMES: usize = 256;

/// How far a placing catch-up got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Placed {
    /// Articles placed in a story now.
    pub placed: u64,
    /// Stories whose summaries were written.
    pub summarised: u64,
    /// Articles whose terms were counted for a round's window (the
    /// others' counts were kept from an earlier round).
    pub counted: u64,
}

/// Places what arrived since placing last caught up, and writes the
/// summaries that are missing; `on_round` is told after each round.
///
/// Arrivals are placed a span of change numbers at a time (`SPAN` of
/// them), each span in publication order, whatever `until` the calls
/// bring: a placing that follows another connection's linking (an
/// ingest, [`crate::Engine::place_linked`]) then places the same store the
/// same way in every run, however far linking had got when it looked.
/// With an `until`, only whole spans up to it are placed; without, every
/// arrival is.
///
/// `counts` are the terms counted for earlier rounds (of this catch-up or
/// of earlier ones by the same process): a live story stays in the
/// window of many rounds, and a server placing one article at a time
/// would otherwise count the same window for each.
pub(crate) fn catch_up(
    store: &mut dyn Store,
    options: &ClusterOptions,
    threads: usize,
    counts: &mut Counts,
    until: Option<u64>,
    on_round: &mut dyn FnMut(&Placed),
) -> Result<Placed, StoreError> {
    catch_up_in_spans(store, options, threads, counts, SPAN, until, on_round)
}

/// [`catch_up`] with spans of `span` changes.
fn catch_up_in_spans(
    store: &mut dyn Store,
    options: &ClusterOptions,
    threads: usize,
    counts: &mut Counts,
    span: u64,
    until: Option<u64>,
    on_round: &mut dyn FnMut(&Placed),
) -> Result<Placed, StoreError> {
    let mut done = Placed::default();
    summarise_missing(store, &mut done)?;
    counts.check_links(store)?;
    let counted_before = counts.total;
    let mut from = store.progress(Component::Stories)?.seq;
    loop {
        let end = (from / span + 1) * span;
        if until.is_some_and(|until| until < end) {
            break;
        }
        let arrivals = store.arrivals(from, end)?;
        if !arrivals.is_empty() {
            if let Err(e) = place_span(store, arrivals, options, threads, counts, &mut done, on_round) {
                // Part of the span may be placed: its counts are not whole.
                counts.gathered = None;
                return Err(e);
            }
        }
        if store.last_seq()? <= end {
            break;
        }
        from = end;
    }
    done.counted = counts.total - counted_before;
    Ok(done)
}

/// Places one span's `arrivals` (in change order) and keeps the progress
/// through its last.
fn place_span(
    store: &mut dyn Store,
    arrivals: Vec<Arrival>,
    options: &ClusterOptions,
    threads: usize,
    counts: &mut Counts,
    done: &mut Placed,
    on_round: &mut dyn FnMut(&Placed),
) -> Result<(), StoreError> {
    let Some(through) = arrivals.last().map(|a| a.seq) else {
        return Ok(());
    };
    // An article stored again since it was counted is counted again.
    counts.forget(arrivals.iter().map(|a| a.id.as_str()));
    let (mut new, changed): (Vec<Arrival>, Vec<Arrival>) =
        arrivals.into_iter().partition(|a| a.story.is_none());
    match &mut counts.gathered {
        // An article placed before and stored again would be counted
        // twice, or in its older form: the index foresees on its own.
        Some(_) if !changed.is_empty() => counts.gathered = None,
        Some(g) => g.through = through,
        None => {}
    }
    new.sort_by(|a, b| {
        (a.published.is_none(), &a.published, a.seq).cmp(&(b.published.is_none(), &b.published, b.seq))
    });
    // Stories that hold a changed article are summarised again.
    let mut stale: HashMap<String, String> = changed
        .into_iter()
        .filter_map(|a| Some((a.story?, a.id)))
        .collect();
    let mut at = 0;
    let mut live_articles = 0;
    while at < new.len() {
        let take = ROUND.max(live_articles).min(new.len() - at);
        let ids: Vec<&str> = new[at..at + take].iter().map(|a| a.id.as_str()).collect();
        at += take;
        let arrivals = articles(store, ids)?;
        let update = round(store, arrivals, options, threads, counts, &mut live_articles)?;
        done.placed += take as u64;
        done.summarised += update.summaries.len() as u64;
        for id in update.summaries.iter().map(|s| &s.id).chain(&update.removed) {
            stale.remove(id);
        }
        let last = at == new.len() && stale.is_empty();
        store.save_stories(&StoriesUpdate {
            through: last.then(|| progress_at(through)),
            ..update
        })?;
        on_round(done);
        if last {
            return Ok(());
        }
    }
    // What is left: stories a round did not touch that hold a changed
    // article (still in them, or a round would have touched them).
    let mut summaries = Vec::new();
    for (story, article) in stale {
        let members = store.story_mates(&article)?;
        summaries.extend(summaries_of(store, vec![(story, members)])?);
    }
    done.summarised += summaries.len() as u64;
    store.save_stories(&StoriesUpdate {
        summaries,
        through: Some(progress_at(through)),
        ..StoriesUpdate::default()
    })?;
    Ok(())
}

fn progress_at(seq: u64) -> Progress {
    Progress {
        component: Component::Stories,
        seq,
        fingerprint: String::new(),
    }
}

/// The stored articles of `ids`, in order (an id no longer stored is skipped).
fn articles<'a>(
    store: &dyn Store,
    ids: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<Article>, StoreError> {
    let mut found = Vec::new();
    for id in ids {
        found.extend(store.get(id)?);
    }
    Ok(found)
}

/// The terms of the articles in the last round's window and arrivals,
/// counted: a live story stays in the window of many rounds, and its
/// articles are counted once while it does (counting was most of a
/// round's work). An article is counted from what is kept when it is
/// first wanted: the articles of each span are forgotten before it is
/// placed, so one stored (and linked) again is counted again, and all
/// are forgotten when every article is linked again (an upgrade).
#[derive(Default)]
pub(crate) struct Counts {
    counted: HashMap<String, Counted>,
    /// Articles counted so far.
    total: u64,
    /// How far linking had got when these were last used.
    linked: u64,
    /// What the arrivals counted will add to an on-disk index written
    /// after them, when asked for ([`Counts::gather_from`]).
    gathered: Option<Gathered>,
    /// Whether the engine looked if there is a bulk load to gather for.
    looked: bool,
}

/// The document frequencies a bulk load into an empty on-disk index needs
/// before it writes its first document, gathered from the terms placing
/// counts anyway: every change after `from` through `through`, each
/// article once. The index then needs no pass over the store to foresee
/// them (counting an article's terms is most of such a pass).
pub(crate) struct Gathered {
    pub(crate) from: u64,
    pub(crate) through: u64,
    pub(crate) sight: Foresight,
}

impl Counts {
    /// Forgets every count.
    pub(crate) fn clear(&mut self) {
        self.counted.clear();
        self.gathered = None;
        self.looked = false;
    }

    /// Whether arrivals' terms are being gathered for the on-disk index.
    pub(crate) fn gathering(&self) -> bool {
        self.gathered.is_some()
    }

    /// Whether the engine looked if there is a bulk load to gather for
    /// (once a process; it looks again after [`Counts::clear`]).
    pub(crate) fn looked_for_bulk_load(&mut self) -> bool {
        std::mem::replace(&mut self.looked, true)
    }

    /// Gathers the terms of the arrivals after change `from` from now on.
    pub(crate) fn gather_from(&mut self, from: u64) {
        self.gathered = Some(Gathered {
            from,
            through: from,
            sight: Foresight::default(),
        });
    }

    /// What was gathered, ending the gathering.
    pub(crate) fn take_gathered(&mut self) -> Option<Gathered> {
        self.gathered.take()
    }

    /// Adds the arrivals of a round (counted) to what is gathered.
    fn gather(&mut self, arrivals: &[Article]) {
        if let Some(g) = &mut self.gathered {
            for a in arrivals {
                g.sight.add_counted(&self.counted[&a.id]);
            }
        }
    }

    /// Forgets every count when linking went back since they were last
    /// used (another process linked every article again).
    fn check_links(&mut self, store: &dyn Store) -> Result<(), StoreError> {
        let linked = store.progress(Component::Linking)?.seq;
        if linked < self.linked {
            self.clear();
        }
        self.linked = linked;
        Ok(())
    }

    /// Forgets the counts of `ids`.
    fn forget<'a>(&mut self, ids: impl Iterator<Item = &'a str>) {
        for id in ids {
            self.counted.remove(id);
        }
    }

    /// Counts what is not counted yet of `articles` (on every core), and
    /// forgets every article not among them; says how many it counted.
    fn keep_only<'a>(
        &mut self,
        store: &dyn Store,
        articles: impl Iterator<Item = &'a Article>,
        threads: usize,
    ) -> Result<usize, StoreError> {
        let mut wanted: HashSet<&str> = HashSet::new();
        let mut uncounted = Vec::new();
        for a in articles {
            if wanted.insert(a.id.as_str()) && !self.counted.contains_key(&a.id) {
                uncounted.push((a, links::terms(store, &a.id)?));
            }
        }
        self.counted.retain(|id, _| wanted.contains(id.as_str()));
        let options = IndexOptions::default();
        let counted = storyline_core::parallel::map_in_order(&uncounted, threads, |(a, entities)| {
            Counted::of(&options, a, entities)
        });
        for ((a, _), counted) in uncounted.iter().zip(counted) {
            self.counted.insert(a.id.clone(), counted);
        }
        self.total += uncounted.len() as u64;
        Ok(uncounted.len())
    }

    /// The index of `window`, all of it counted by `keep_only`.
    fn index(&self, window: &[Article]) -> ArticleIndex {
        ArticleIndex::build_counted(
            window.iter().map(|a| (a, &self.counted[&a.id])),
            IndexOptions::default(),
        )
    }
}

/// Places one round of `arrivals` (in publication order) among the live
/// stories and says what to keep; `live_articles` is set to the window's
/// size beside the arrivals.
fn round(
    store: &dyn Store,
    arrivals: Vec<Article>,
    options: &ClusterOptions,
    threads: usize,
    counts: &mut Counts,
    live_articles: &mut usize,
) -> Result<StoriesUpdate, StoreError> {
    let days: Vec<i32> = arrivals
        .iter()
        .filter_map(|a| a.published.map(|p| p.day_number()))
        .collect();
    let span = days.iter().min().zip(days.iter().max()).map(|(&first, &last)| {
        (
            first.saturating_sub(options.dormant_days),
            last.saturating_add(options.dormant_days),
        )
    });
    let placed_since = if days.len() < arrivals.len() {
        store.last_placed()?.saturating_sub(RECENT_PLACEMENTS)
    } else {
        i64::MAX
    };
    let mut before: Vec<(String, String)> = Vec::new();
    let mut live = Vec::new();
    for (story, members) in store.live_stories(span, placed_since)? {
        let found = articles(store, members.iter().map(String::as_str))?;
        before.extend(found.iter().map(|a| (a.id.clone(), story.clone())));
        live.push(Window {
            key: story,
            articles: found,
        });
    }
    *live_articles = before.len();
    let arrival_order: HashMap<String, usize> = arrivals
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.clone(), i))
        .collect();
    let counted = counts.keep_only(
        store,
        arrivals.iter().chain(live.iter().flat_map(|w| &w.articles)),
        threads,
    )?;
    counts.gather(&arrivals);
    tracing::debug!(
        window = before.len(),
        arrivals = arrivals.len(),
        counted,
        "placing: a round"
    );
    let build = |window: &[Article]| counts.index(window);
    let round = place_round(live, arrivals, &build, options, threads);
    let index = round.index();
    let was: HashMap<&str, &str> = before.iter().map(|(a, s)| (a.as_str(), s.as_str())).collect();
    let mut now: HashMap<&str, String> = HashMap::new();
    let mut members = Vec::new();
    let mut touched: HashSet<String> = HashSet::new();
    // Each story after the round with its id: a new one's from its founder.
    let stories: Vec<(String, &[u32])> = round
        .stories()
        .map(|(key, docs)| {
            let id = key.cloned().unwrap_or_else(|| story_id(&index.doc(docs[0]).id));
            (id, docs)
        })
        .collect();
    for (id, docs) in &stories {
        for &d in *docs {
            let article = index.doc(d).id.as_str();
            if let Some(&old) = was.get(article) {
                if old == id.as_str() {
                    now.insert(article, id.clone());
                    continue;
                }
                // It left `old`, which is summarised again if it lives on.
                touched.insert(old.to_string());
            }
            touched.insert(id.clone());
            members.push((article.to_string(), id.clone()));
            now.insert(article, id.clone());
        }
    }
    let summaries: Vec<KeptStory> = stories
        .iter()
        .filter(|(id, _)| touched.contains(id))
        .map(|(id, docs)| kept(index, id, docs))
        .collect();
    // Arrivals take their places in publication order; articles that moved
    // keep theirs.
    members.sort_by_key(|(article, _)| arrival_order.get(article).copied().map_or((0, 0), |i| (1, i)));
    let events = history(&before, |article| now.get(article).map(String::as_str));
    let living: HashSet<&str> = now.values().map(String::as_str).collect();
    let removed: Vec<String> = before
        .iter()
        .map(|(_, s)| s.as_str())
        .filter(|s| !living.contains(s))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(String::from)
        .collect();
    Ok(StoriesUpdate {
        members,
        events,
        summaries,
        removed,
        through: None,
    })
}

/// Writes the summaries of stories placed without one (before summaries
/// were kept, or after `reindex` dropped them), a batch at a time.
fn summarise_missing(store: &mut dyn Store, done: &mut Placed) -> Result<(), StoreError> {
    loop {
        let batch = store.unsummarised_stories(SUMMARY_BATCH)?;
        if batch.is_empty() {
            return store.settle_unsummarised();
        }
        let summaries = summaries_of(store, batch)?;
        done.summarised += summaries.len() as u64;
        store.save_stories(&StoriesUpdate {
            summaries,
            ..StoriesUpdate::default()
        })?;
    }
}

/// The summaries of `stories` (id, articles in placement order), compared
/// in one index of their articles.
fn summaries_of(
    store: &dyn Store,
    stories: Vec<(String, Vec<String>)>,
) -> Result<Vec<KeptStory>, StoreError> {
    let mut window = Vec::new();
    for (_, members) in &stories {
        window.extend(articles(store, members.iter().map(String::as_str))?);
    }
    let index = ArticleIndex::build_linked(links::with_terms(store, window)?, IndexOptions::default());
    Ok(stories
        .iter()
        .filter_map(|(id, members)| {
            let docs: Vec<u32> = members.iter().filter_map(|m| index.doc_of(m)).collect();
            (!docs.is_empty()).then(|| kept(&index, id, &docs))
        })
        .collect())
}

/// Story `id` of `docs` summarised as the store keeps it.
fn kept(index: &ArticleIndex, id: &str, docs: &[u32]) -> KeptStory {
    let story = summarise(index, id, docs);
    let names: Vec<String> = index
        .key_names(docs, KEPT_NAMES)
        .iter()
        .map(|n| n.to_lowercase())
        .collect();
    KeptStory {
        id: id.to_string(),
        first_day: story.first_seen.map(|p| p.day_number()),
        last_day: story.last_seen.map(|p| p.day_number()),
        last_seen: story.last_seen.map(|p| p.sort_key()),
        names: names.join("\n"),
        summary: serde_json::to_string(&story).expect("a story serialises"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::article;
    use storyline_core::{ArticleDraft, Published};
    use storyline_store::SqliteStore;
    use storyline_stories::{Stories, Story};

    fn dated(id: &str, title: &str, text: &str, day: &str) -> Article {
        ArticleDraft {
            id: Some(id.into()),
            title: Some(title.into()),
            text: text.into(),
            published: Published::parse(day),
            ..Default::default()
        }
        .finish()
        .unwrap()
    }

    fn harbour(id: &str, day: &str) -> Article {
        dated(
            id,
            "Rostov harbour talks",
            "Talks on the Rostov harbour strike went on as dock workers in Rostov met the port authority.",
            day,
        )
    }

    fn storm(id: &str, day: &str) -> Article {
        dated(
            id,
            "Storm shuts Oslo airport",
            "A storm closed Oslo airport and flights to Oslo were cancelled as winds rose.",
            day,
        )
    }

    fn place(store: &mut SqliteStore) -> Placed {
        catch_up(
            store,
            &ClusterOptions::default(),
            1,
            &mut Counts::default(),
            None,
            &mut |_| {},
        )
        .unwrap()
    }

    fn kept_stories(store: &SqliteStore) -> Vec<Story> {
        let mut all = Vec::new();
        store
            .each_kept_story(&mut |k| {
                all.push(serde_json::from_str(&k.summary).unwrap());
                true
            })
            .unwrap();
        all
    }

    fn story_sets(store: &SqliteStore) -> Vec<Vec<String>> {
        let mut sets: Vec<Vec<String>> = kept_stories(store)
            .into_iter()
            .map(|s| {
                let mut a = s.articles;
                a.sort();
                a
            })
            .collect();
        sets.sort();
        sets
    }

    #[test]
    fn arrivals_placed_round_by_round_form_the_stories_one_pass_forms() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(dir.path()).unwrap();
        let all = [
            harbour("h1", "2023-06-20"),
            storm("s1", "2023-06-20"),
            harbour("h2", "2023-06-21"),
            storm("s2", "2023-06-22"),
            harbour("h3", "2023-06-23"),
        ];
        store.upsert(&all[..2]).unwrap();
        let first = place(&mut store);
        assert_eq!((first.placed, first.summarised), (2, 2));
        store.upsert(&all[2..]).unwrap();
        let next = place(&mut store);
        assert_eq!(next.placed, 3, "only the new arrivals");
        assert_eq!(place(&mut store), Placed::default(), "nothing new");
        assert_eq!(
            store.progress(Component::Stories).unwrap().seq,
            store.last_seq().unwrap()
        );
        let index = ArticleIndex::build(all.to_vec(), IndexOptions::default());
        let (stories, _) = Stories::update(&index, &[], &ClusterOptions::default(), 1);
        let mut one_pass: Vec<Vec<String>> = stories
            .all(&index)
            .into_iter()
            .map(|s| {
                let mut a = s.articles;
                a.sort();
                a
            })
            .collect();
        one_pass.sort();
        assert_eq!(story_sets(&store), one_pass);
        assert_eq!(one_pass, [vec!["h1", "h2", "h3"], vec!["s1", "s2"]]);
        // The kept summaries are the stories' own.
        let harbour_story = kept_stories(&store)
            .into_iter()
            .find(|s| s.articles.contains(&"h1".to_string()))
            .unwrap();
        assert_eq!(harbour_story.first_seen, Published::parse("2023-06-20"));
        assert_eq!(harbour_story.last_seen, Published::parse("2023-06-23"));
        assert_eq!(harbour_story.article_count, 3);
        assert_eq!(
            store.story_mates("h3").unwrap(),
            ["h1", "h2", "h3"],
            "placement order"
        );
    }

    #[test]
    fn placing_up_to_a_change_places_whole_spans_and_the_rest_later_as_one_pass_would() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(dir.path()).unwrap();
        for a in [
            harbour("h1", "2023-06-20"),
            storm("s1", "2023-06-20"),
            harbour("h2", "2023-06-21"),
            storm("s2", "2023-06-22"),
            harbour("h3", "2023-06-23"),
        ] {
            store.upsert(&[a]).unwrap();
        }
        let mut counts = Counts::default();
        let mut place_until = |store: &mut SqliteStore, until| {
            let options = ClusterOptions::default();
            catch_up_in_spans(store, &options, 1, &mut counts, 2, until, &mut |_| {}).unwrap()
        };
        assert_eq!(place_until(&mut store, Some(1)).placed, 0, "no whole span");
        let first = place_until(&mut store, Some(3));
        assert_eq!(first.placed, 2, "the span of changes 1 and 2 only");
        assert_eq!(store.progress(Component::Stories).unwrap().seq, 2);
        assert_eq!(place_until(&mut store, Some(5)).placed, 2, "changes 3 and 4");
        assert_eq!(place_until(&mut store, None).placed, 1, "the rest");
        assert_eq!(store.progress(Component::Stories).unwrap().seq, 5);
        assert_eq!(story_sets(&store), [vec!["h1", "h2", "h3"], vec!["s1", "s2"]]);
    }

    #[test]
    fn counts_kept_between_catch_ups_spare_counting_the_window_again_and_place_alike() {
        let dated = [harbour("h1", "2023-06-20"), harbour("h2", "2023-06-21")];
        let undated = |id: &str| {
            let mut a = harbour(id, "2023-06-22");
            a.published = None;
            a
        };
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(dir.path()).unwrap();
        let mut counts = Counts::default();
        let place = |store: &mut SqliteStore, counts: &mut Counts| {
            catch_up(store, &ClusterOptions::default(), 1, counts, None, &mut |_| {}).unwrap()
        };
        store.upsert(&dated).unwrap();
        assert_eq!(place(&mut store, &mut counts).counted, 2);
        // An undated arrival's window is the stories placed into lately:
        // both articles, counted already.
        store.upsert(&[undated("u1")]).unwrap();
        assert_eq!(place(&mut store, &mut counts).counted, 1, "the arrival only");
        // A fresh catch-up counts the window again, and places alike.
        let other = tempfile::tempdir().unwrap();
        let mut afresh = SqliteStore::open(other.path()).unwrap();
        afresh.upsert(&dated).unwrap();
        place(&mut afresh, &mut Counts::default());
        afresh.upsert(&[undated("u1")]).unwrap();
        assert_eq!(place(&mut afresh, &mut Counts::default()).counted, 3);
        assert_eq!(story_sets(&store), story_sets(&afresh));
        assert_eq!(story_sets(&store), [vec!["h1", "h2", "u1"]]);
        // Linking that went back (every article linked again) forgets them.
        store
            .save_progress(Progress {
                component: Component::Linking,
                seq: 5,
                fingerprint: String::new(),
            })
            .unwrap();
        counts.check_links(&store).unwrap();
        store
            .save_progress(Progress {
                component: Component::Linking,
                seq: 0,
                fingerprint: String::new(),
            })
            .unwrap();
        counts.check_links(&store).unwrap();
        assert!(counts.counted.is_empty());
    }

    #[test]
    fn counts_kept_between_rounds_index_as_counting_afresh_does_and_forget_what_left_the_window() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        let (h1, s1, h2) = (
            harbour("h1", "2023-06-20"),
            storm("s1", "2023-06-20"),
            harbour("h2", "2023-06-21"),
        );
        let mut counts = Counts::default();
        assert_eq!(counts.keep_only(&store, [&h1, &s1].into_iter(), 1).unwrap(), 2);
        // The next round's window: h1 stays (not counted again), s1 left,
        // h2 arrived.
        assert_eq!(
            counts.keep_only(&store, [&h2, &h1, &h2].into_iter(), 1).unwrap(),
            1
        );
        let mut ids: Vec<&str> = counts.counted.keys().map(String::as_str).collect();
        ids.sort();
        assert_eq!(ids, ["h1", "h2"]);
        let window = [h1.clone(), h2.clone()];
        let kept = counts.index(&window);
        let afresh = ArticleIndex::build(window.to_vec(), IndexOptions::default());
        assert_eq!(
            kept.similar("h1", 5).map(|s| format!("{s:?}")),
            afresh.similar("h1", 5).map(|s| format!("{s:?}"))
        );
        assert!(kept.similar("h1", 5).is_some_and(|s| s.similar[0].id == "h2"));
    }

    #[test]
    fn a_dormant_story_takes_no_article_and_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(dir.path()).unwrap();
        store.upsert(&[harbour("h1", "2023-01-02")]).unwrap();
        place(&mut store);
        // Months later the story is not live for the arrival's days.
        assert!(store
            .live_stories(Some((19_500 - 30, 19_500 + 30)), i64::MAX)
            .unwrap()
            .is_empty());
        store.upsert(&[harbour("h2", "2023-06-20")]).unwrap();
        place(&mut store);
        assert_eq!(story_sets(&store), [vec!["h1"], vec!["h2"]]);
    }

    #[test]
    fn a_changed_article_is_summarised_again_in_its_story() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(dir.path()).unwrap();
        store
            .upsert(&[harbour("h1", "2023-06-20"), harbour("h2", "2023-06-21")])
            .unwrap();
        place(&mut store);
        let story = store.story_mates("h1").unwrap();
        assert_eq!(story, ["h1", "h2"]);
        let mut changed = harbour("h2", "2023-06-25");
        changed.title = "Rostov harbour strike ends".into();
        store.upsert(&[changed]).unwrap();
        let again = place(&mut store);
        assert_eq!((again.placed, again.summarised), (0, 1));
        let kept = kept_stories(&store);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].last_seen, Published::parse("2023-06-25"));
        assert!(kept[0]
            .timeline
            .iter()
            .any(|e| e.title == "Rostov harbour strike ends"));
    }

    #[test]
    fn stories_placed_without_summaries_get_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(dir.path()).unwrap();
        store
            .upsert(&[article("a", "Rostov harbour talks."), article("b", "Oslo storm.")])
            .unwrap();
        // Decisions as an older storyline kept them: no summaries.
        store
            .save_story_members(
                &[("a".into(), "s-a".into()), ("b".into(), "s-b".into())],
                &[],
                false,
            )
            .unwrap();
        store
            .save_progress(progress_at(store.last_seq().unwrap()))
            .unwrap();
        let done = place(&mut store);
        assert_eq!((done.placed, done.summarised), (0, 2));
        let ids: Vec<String> = kept_stories(&store).into_iter().map(|s| s.id).collect();
        assert_eq!(ids.len(), 2);
        assert!(ids.contains(&"s-a".to_string()) && ids.contains(&"s-b".to_string()));
        assert!(store.unsummarised_stories(10).unwrap().is_empty());
    }
}
