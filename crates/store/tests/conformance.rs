//! The `Store` contract, checked on every backend: each check below runs
//! once on SQLite (a temporary data directory) and once on PostgreSQL (a
//! fresh database on a test server this process starts; skipped with a
//! message when PostgreSQL is not installed, failed in CI).

use std::collections::HashSet;
use std::sync::Arc;
use storyline_core::{Article, ArticleDraft, Published};
use storyline_pgtest::TestPostgres;
use storyline_store::*;

/// A store under test and how to open it again (a new connection to the
/// same data), with what keeps its data alive: bind `_keep` by name when
/// taking one apart (`..` would drop it, and the data with it).
struct Opened {
    store: Box<dyn Store>,
    again: Box<dyn Fn() -> Box<dyn Store>>,
    _keep: Keep,
}

#[allow(dead_code)]
enum Keep {
    Dir(tempfile::TempDir),
    Server(Arc<TestPostgres>),
}

type Open<'a> = &'a dyn Fn(&str) -> Opened;

fn sqlite(_name: &str) -> Opened {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    Opened {
        store: Box::new(SqliteStore::open(&path).unwrap()),
        again: Box::new(move || Box::new(SqliteStore::open(&path).unwrap())),
        _keep: Keep::Dir(dir),
    }
}

fn postgres(server: &Arc<TestPostgres>, name: &str) -> Opened {
    let url = server.database(name).unwrap();
    let store = PgStore::open(&url).unwrap_or_else(|e| panic!("{e}\n{}", server.log()));
    Opened {
        store: Box::new(store),
        again: Box::new(move || Box::new(PgStore::open(&url).unwrap())),
        _keep: Keep::Server(server.clone()),
    }
}

macro_rules! on_every_store {
    ($($check:ident),* $(,)?) => {
        mod on_sqlite {
            $(#[test] fn $check() { super::$check(&super::sqlite) })*
        }
        mod on_postgres {
            $(#[test] fn $check() {
                let Some(server) = storyline_pgtest::for_test() else { return };
                super::$check(&|name: &str| super::postgres(&server, name))
            })*
        }
    };
}

on_every_store!(
    upserts_number_every_change_once,
    listings_page_newest_first_and_sources_are_counted,
    search_finds_words_stems_and_phrases_and_follows_updates,
    analyses_and_progress_are_kept_together,
    story_decisions_keep_their_place_and_history,
    kept_stories_are_read_newest_first_and_found_live,
    linking_replaces_what_an_article_named_and_counts_follow,
    watched_sources_fetched_urls_and_robots_files_are_kept,
    a_reader_sees_writes_and_refuses_its_own,
    every_article_is_walked_in_id_order_while_the_store_is_used,
    one_connection_at_a_time_holds_a_components_lock,
);

fn article(id: &str, text: &str, published: Option<&str>) -> Article {
    ArticleDraft {
        id: Some(id.into()),
        title: Some(format!("Title {id}")),
        text: text.into(),
        published: published.and_then(Published::parse),
        url: Some(format!("https://example.com/{id}")),
        ..Default::default()
    }
    .finish()
    .unwrap()
}

fn upserts_number_every_change_once(open: Open) {
    let Opened {
        mut store,
        again,
        _keep,
    } = open("upserts");
    let s = &mut store;
    assert_eq!(s.last_seq().unwrap(), 0);
    let a = article("a", "One.", Some("2023-06-26"));
    assert_eq!(
        s.upsert(&[a.clone(), article("b", "Two.", None)]).unwrap(),
        [Upsert::Inserted, Upsert::Inserted]
    );
    let g1 = s.generation().unwrap();
    assert_eq!(s.upsert(std::slice::from_ref(&a)).unwrap(), [Upsert::Unchanged]);
    assert_eq!(s.generation().unwrap(), g1, "no change, no new generation");
    assert_eq!(s.last_seq().unwrap(), 2, "an unchanged article takes no number");
    let first_in = s.get("a").unwrap().unwrap().ingested_at;
    assert!(first_in.is_some());
    assert_eq!(
        s.upsert(&[
            article("a", "One, changed.", Some("2023-06-26")),
            article("c", "Three.", None)
        ])
        .unwrap(),
        [Upsert::Updated, Upsert::Inserted]
    );
    assert!(s.generation().unwrap() > g1);
    let changes: Vec<(u64, String)> = s
        .changes(0, 10)
        .unwrap()
        .into_iter()
        .map(|(seq, a)| (seq, a.id))
        .collect();
    assert_eq!(
        changes,
        [(2, "b".into()), (3, "a".into()), (4, "c".into())],
        "a changed article moves to its last change"
    );
    assert_eq!(s.changes(3, 10).unwrap().len(), 1);
    assert_eq!(s.changes(0, 1).unwrap()[0].0, 2);
    assert_eq!(s.changes_after(0).unwrap(), 3);
    assert_eq!(s.changes_after(3).unwrap(), 1);
    let got = s.get("a").unwrap().unwrap();
    assert_eq!(got.text, "One, changed.");
    assert_eq!(got.ingested_at, first_in, "first stored stays when updated");
    assert_eq!(s.count().unwrap(), 3);
    assert_eq!(s.get_by_url("HTTPS://EXAMPLE.COM/a/").unwrap().unwrap().id, "a");
    assert!(s.get("missing").unwrap().is_none());
    drop(store);
    let s = again();
    assert_eq!((s.count().unwrap(), s.last_seq().unwrap()), (3, 4), "kept");
}

fn listings_page_newest_first_and_sources_are_counted(open: Open) {
    let Opened { mut store, _keep, .. } = open("listings");
    let from = |id: &str, source: Option<&str>, published: Option<&str>| {
        let mut a = article(id, &format!("Text of {id}."), published);
        a.source = source.map(String::from);
        a
    };
    store
        .upsert(&[
            from("a", Some("Wire"), Some("2023-06-24")),
            from("b", Some("Wire"), Some("2023-06-26T10:00:00+03:00")),
            from("c", Some("Wire"), None),
            from("d", Some("Post"), Some("2023-06-25")),
            from("e", None, Some("2023-06-25")),
        ])
        .unwrap();
    let mut ids = Vec::new();
    let mut cursor = None;
    loop {
        let page = store.list(2, cursor.as_deref()).unwrap();
        assert!(page.articles.len() <= 2);
        ids.extend(page.articles.iter().map(|a| a.id.clone()));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(ids, ["b", "e", "d", "a", "c"], "newest first, undated last");
    assert!(matches!(store.list(2, Some("zz")), Err(StoreError::BadCursor(_))));
    let sources = store.sources().unwrap();
    let names: Vec<(&str, u64)> = sources.iter().map(|x| (x.name.as_str(), x.articles)).collect();
    assert_eq!(names, [("Wire", 3), ("Post", 1)]);
    assert_eq!(sources[0].first_published, Published::parse("2023-06-24"));
    assert_eq!(
        sources[0].last_published,
        Published::parse("2023-06-26T10:00:00+03:00")
    );
    let first = store.list_source("Wire", 2, None).unwrap();
    let ids: Vec<&str> = first.articles.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["b", "a"]);
    let rest = store
        .list_source("Wire", 2, first.next_cursor.as_deref())
        .unwrap();
    assert_eq!(rest.articles.len(), 1);
    assert_eq!(rest.articles[0].id, "c");
    assert!(rest.next_cursor.is_none());
    assert!(store.list_source("Nobody", 10, None).unwrap().articles.is_empty());
    let wanted: Vec<String> = ["d", "missing", "a"].map(String::from).to_vec();
    let found: Vec<String> = store
        .article_summaries(&wanted)
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(found, ["d", "a"], "in the order asked, the missing left out");
}

fn search_finds_words_stems_and_phrases_and_follows_updates(open: Open) {
    let Opened { mut store, _keep, .. } = open("search");
    let mut a = article(
        "a",
        "Wagner fighters marched on Moscow before the mutiny ended.",
        Some("2023-06-24"),
    );
    a.source = Some("Wire".into());
    store
        .upsert(&[
            a,
            article(
                "b",
                "The central bank raised interest rates in Frankfurt.",
                Some("2023-07-27"),
            ),
            article(
                "c",
                "Moscow said the march was over; fighters returned to camps.",
                None,
            ),
        ])
        .unwrap();
    let ids = |s: &dyn Store, q: SearchQuery| -> Vec<String> {
        let mut found: Vec<String> = s
            .search(&SearchQuery { limit: 10, ..q })
            .unwrap()
            .into_iter()
            .map(|h| h.id)
            .collect();
        found.sort();
        found
    };
    let text = |t: &str| SearchQuery {
        text: t.into(),
        ..Default::default()
    };
    assert_eq!(
        ids(&*store, text("moscow fighter")),
        ["a", "c"],
        "every word, stemmed (fighter ~ fighters)"
    );
    assert_eq!(ids(&*store, text("\"marched on Moscow\"")), ["a"], "a phrase");
    assert!(
        ids(&*store, text("\"Moscow marched\"")).is_empty(),
        "a phrase keeps its order"
    );
    assert!(
        ids(
            &*store,
            SearchQuery {
                from: Some("2023-06-25".into()),
                ..text("moscow")
            }
        )
        .is_empty(),
        "undated and earlier left out"
    );
    assert_eq!(
        ids(
            &*store,
            SearchQuery {
                source: Some("Wire".into()),
                ..text("moscow")
            }
        ),
        ["a"]
    );
    assert!(
        ids(&*store, text("AND OR NOT ( * \" & | ! <->")).is_empty(),
        "operators are words, never errors"
    );
    assert!(matches!(
        store.search(&text(
            &"word "
                .repeat(3)
                .chars()
                .chain(('a'..='z').flat_map(|c| [c, ' ']))
                .collect::<String>()
        )),
        Err(StoreError::TooManyTerms { .. })
    ));
    let hit = &store
        .search(&SearchQuery {
            limit: 1,
            ..text("interest")
        })
        .unwrap()[0];
    assert!(hit.snippet.contains("\u{2}interest\u{3}"), "{:?}", hit.snippet);
    assert!(hit.score > 0.0);
    store
        .upsert(&[article("b", "The bank left rates unchanged.", Some("2023-07-27"))])
        .unwrap();
    assert!(
        ids(&*store, text("interest")).is_empty(),
        "an update replaces the indexed text"
    );
    assert_eq!(ids(&*store, text("unchanged")), ["b"]);
}

fn analyses_and_progress_are_kept_together(open: Open) {
    let Opened {
        mut store,
        again,
        _keep,
    } = open("analyses");
    store.upsert(&[article("a", "One.", None)]).unwrap();
    let generation = store.generation().unwrap();
    assert_eq!(
        store.progress(Component::Analysis).unwrap(),
        Progress::start(Component::Analysis)
    );
    let through = Progress {
        component: Component::Analysis,
        seq: 1,
        fingerprint: "f1".into(),
    };
    store
        .put_analyses(
            &[("a".into(), "k1".into(), "{\"x\":1}".into())],
            Some(through.clone()),
        )
        .unwrap();
    assert_eq!(
        store.generation().unwrap(),
        generation,
        "analyses are derived data"
    );
    drop(store);
    let mut store = again();
    assert_eq!(store.progress(Component::Analysis).unwrap(), through);
    assert_eq!(store.analysis("a", "k1").unwrap().as_deref(), Some("{\"x\":1}"));
    assert_eq!(store.analysis("a", "k2").unwrap(), None, "another key is stale");
    store
        .put_analyses(&[("a".into(), "k2".into(), "{\"x\":2}".into())], None)
        .unwrap();
    assert_eq!(store.analysis("a", "k1").unwrap(), None);
    assert_eq!(
        store.any_analysis("a").unwrap(),
        Some(("k2".into(), "{\"x\":2}".into()))
    );
    let linking = Progress {
        component: Component::Linking,
        seq: 1,
        fingerprint: "g".into(),
    };
    store.save_progress(linking.clone()).unwrap();
    store.forget_analyses().unwrap();
    assert_eq!(store.any_analysis("a").unwrap(), None);
    assert_eq!(
        store.progress(Component::Analysis).unwrap(),
        Progress::start(Component::Analysis)
    );
    assert_eq!(
        store.progress(Component::Linking).unwrap(),
        linking,
        "others keep theirs"
    );
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_string(), b.to_string())
}

fn story_decisions_keep_their_place_and_history(open: Open) {
    let Opened {
        mut store,
        again,
        _keep,
    } = open("decisions");
    assert_eq!(store.last_placed().unwrap(), -1);
    store
        .save_story_members(&[pair("a", "s1"), pair("b", "s2")], &[], false)
        .unwrap();
    let merge = StoryEvent {
        kind: StoryEventKind::Merge,
        story: "s1".into(),
        other: "s2".into(),
        articles: 1,
        at: None,
    };
    store
        .save_story_members(
            &[pair("c", "s1"), pair("b", "s1")],
            std::slice::from_ref(&merge),
            false,
        )
        .unwrap();
    assert_eq!(
        store.story_members().unwrap(),
        [pair("a", "s1"), pair("b", "s1"), pair("c", "s1")],
        "b keeps its place and takes the new story"
    );
    assert_eq!(store.story_mates("b").unwrap(), ["a", "b", "c"]);
    assert_eq!(store.story_of("c").unwrap().as_deref(), Some("s1"));
    assert_eq!(store.last_placed().unwrap(), 2);
    store.save_story_members(&[pair("c", "s9")], &[], true).unwrap();
    drop(store);
    let mut store = again();
    assert_eq!(store.story_members().unwrap(), [pair("c", "s9")]);
    assert!(
        store.story_mates("a").unwrap().is_empty(),
        "dropped with the others"
    );
    let history = store.story_events("s2").unwrap();
    assert_eq!(history.len(), 1, "the history outlives a rebuild");
    assert_eq!(
        StoryEvent {
            at: None,
            ..history[0].clone()
        },
        merge
    );
    assert!(history[0].at.is_some());
    assert_eq!(store.story_events("s1").unwrap(), history);
    assert!(store.story_events("s9").unwrap().is_empty());
    store.forget_stories().unwrap();
    assert!(store.story_members().unwrap().is_empty());
    assert_eq!(store.story_events("s1").unwrap().len(), 1, "the history stays");
}

fn kept(id: &str, days: Option<(i32, i32)>, seen: Option<&str>) -> KeptStory {
    KeptStory {
        id: id.into(),
        first_day: days.map(|d| d.0),
        last_day: days.map(|d| d.1),
        last_seen: seen.map(String::from),
        names: format!("names of {id}"),
        summary: "{}".into(),
    }
}

fn kept_stories_are_read_newest_first_and_found_live(open: Open) {
    let Opened { mut store, _keep, .. } = open("kept");
    store
        .upsert(&[
            article("a", "A.", Some("2023-06-24")),
            article("b", "B.", None),
            article("c", "C.", Some("2023-06-25")),
        ])
        .unwrap();
    store
        .save_story_members(&[pair("a", "s1"), pair("b", "s2"), pair("c", "s3")], &[], false)
        .unwrap();
    let lacking = |s: &dyn Store| s.unsummarised_stories(10).unwrap().len();
    assert_eq!(lacking(&*store), 3, "members written without summaries");
    store.settle_unsummarised().unwrap();
    assert_eq!(
        lacking(&*store),
        3,
        "the mark stays while a story lacks its summary"
    );
    store
        .save_stories(&StoriesUpdate {
            summaries: vec![
                kept("s1", Some((100, 105)), Some("2023-06-24T00:00:00Z")),
                kept("s2", None, None),
                kept("s3", Some((200, 200)), Some("2023-06-25T00:00:00Z")),
            ],
            through: Some(Progress {
                component: Component::Stories,
                seq: 3,
                fingerprint: "st".into(),
            }),
            ..Default::default()
        })
        .unwrap();
    store.settle_unsummarised().unwrap();
    assert_eq!(lacking(&*store), 0);
    assert_eq!(store.progress(Component::Stories).unwrap().seq, 3);
    assert_eq!(store.kept_story_count().unwrap(), 3);
    assert_eq!(store.kept_story("s2").unwrap().unwrap().names, "names of s2");
    let mut order = Vec::new();
    store
        .each_kept_story(&mut |k| {
            order.push(k.id);
            true
        })
        .unwrap();
    assert_eq!(order, ["s3", "s1", "s2"], "most recently seen first, unseen last");
    let mut first = Vec::new();
    store
        .each_kept_story(&mut |k| {
            first.push(k.id);
            false
        })
        .unwrap();
    assert_eq!(first, ["s3"], "stops when told");
    let live: Vec<String> = store
        .live_stories(Some((104, 150)), 99)
        .unwrap()
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(live, ["s1"], "by their days");
    let live = store.live_stories(None, 2).unwrap();
    assert_eq!(
        live,
        [("s3".to_string(), vec!["c".to_string()])],
        "placed into lately"
    );
    let arrivals = store.arrivals(1, 3).unwrap();
    let seen: Vec<(u64, &str, Option<&str>, Option<&str>)> = arrivals
        .iter()
        .map(|a| (a.seq, a.id.as_str(), a.published.as_deref(), a.story.as_deref()))
        .collect();
    assert_eq!(seen[0], (2, "b", None, Some("s2")));
    assert_eq!(seen[1].0, 3);
    assert!(seen[1].2.is_some());
    store
        .save_stories(&StoriesUpdate {
            removed: vec!["s2".into()],
            ..Default::default()
        })
        .unwrap();
    assert!(store.kept_story("s2").unwrap().is_none());
    store.forget_story_summaries().unwrap();
    assert_eq!(store.kept_story_count().unwrap(), 0);
    assert_eq!(
        lacking(&*store),
        3,
        "dropping the summaries marks them missing again"
    );
}

fn entity(index: u64, id: &str) -> KeptEntity {
    KeptEntity {
        index,
        id: id.into(),
        name: id.to_uppercase(),
        kind: "PERSON".into(),
        record: "{}".into(),
        articles: 0,
        mentions: 0,
    }
}

fn named(entity: u64, article: &str, seq: u64, position: u32, mentions: u64) -> EntityArticle {
    EntityArticle {
        entity,
        article: article.into(),
        seq,
        position,
        mentions,
        detail: format!("{{\"at\":{position}}}"),
    }
}

fn linked(id: &str, named: Vec<EntityArticle>) -> LinkedArticle {
    LinkedArticle {
        id: id.into(),
        terms: "[]".into(),
        named,
    }
}

fn linking_replaces_what_an_article_named_and_counts_follow(open: Open) {
    let Opened { mut store, _keep, .. } = open("linking");
    store
        .save_links(&LinksUpdate {
            entities: vec![entity(0, "ent-a"), entity(1, "ent-b")],
            keys: vec![(0, "PERSON\u{1f}a".into(), "0".into())],
            articles: vec![
                linked("x", vec![named(0, "x", 1, 0, 3), named(1, "x", 1, 1, 1)]),
                linked("y", vec![named(0, "y", 2, 0, 2)]),
                linked("z", vec![named(0, "z", 40_000, 0, 1)]),
            ],
            through: Some(Progress {
                component: Component::Linking,
                seq: 3,
                fingerprint: "f".into(),
            }),
        })
        .unwrap();
    assert_eq!(store.linked_count().unwrap(), 2);
    let a = store.linked_entity("ent-a").unwrap().unwrap();
    assert_eq!((a.articles, a.mentions), (3, 6));
    let ids = |v: Vec<KeptEntity>| v.into_iter().map(|e| e.id).collect::<Vec<_>>();
    assert_eq!(ids(store.linked_entity_page(0, 10).unwrap()), ["ent-a", "ent-b"]);
    assert_eq!(ids(store.linked_entity_page(1, 10).unwrap()), ["ent-b"]);
    assert_eq!(
        ids(store.linked_entities(&[1, 7, 0]).unwrap()),
        ["ent-b", "ent-a"]
    );
    let articles = |before, limit| -> Vec<String> {
        store
            .entity_articles(0, before, limit)
            .unwrap()
            .into_iter()
            .map(|r| r.article)
            .collect()
    };
    assert_eq!(articles(None, 10), ["z", "y", "x"], "newest linked first");
    assert_eq!(articles(Some(40_000), 1), ["y"], "paged by change number");
    assert!(articles(Some(0), 10).is_empty());
    let positions: Vec<u32> = store
        .article_entities("x")
        .unwrap()
        .iter()
        .map(|r| r.position)
        .collect();
    assert_eq!(positions, [0, 1]);
    assert_eq!(
        store
            .naming_among(1, &["x".to_string(), "y".into(), "nowhere".into()])
            .unwrap(),
        HashSet::from(["x".to_string()])
    );
    assert_eq!(
        store
            .linker_keys(&[(0, "PERSON\u{1f}a".into()), (0, "PERSON\u{1f}z".into())])
            .unwrap(),
        [(0, "PERSON\u{1f}a".to_string(), "0".to_string())]
    );
    // x now names b alone.
    store
        .save_links(&LinksUpdate {
            articles: vec![linked("x", vec![named(1, "x", 4, 0, 4)])],
            ..LinksUpdate::default()
        })
        .unwrap();
    let a = store.linked_entity("ent-a").unwrap().unwrap();
    let b = store.linked_entity("ent-b").unwrap().unwrap();
    assert_eq!((a.articles, a.mentions, b.articles, b.mentions), (2, 3, 1, 4));
    assert_eq!(store.entity_terms("x").unwrap().as_deref(), Some("[]"));
    store.forget_links().unwrap();
    assert_eq!(store.linked_count().unwrap(), 0);
    assert!(store.article_entities("x").unwrap().is_empty());
    assert_eq!(store.progress(Component::Linking).unwrap().seq, 0);
}

fn watched_sources_fetched_urls_and_robots_files_are_kept(open: Open) {
    let Opened {
        mut store,
        again,
        _keep,
    } = open("watched");
    let source = |url: &str, name: Option<&str>| WatchedSource {
        url: url.into(),
        name: name.map(str::to_string),
        interval_secs: 600,
        added_at: None,
        state: FetchState::default(),
    };
    assert!(store
        .watch_source(&source("https://a.example/feed", Some("A")))
        .unwrap());
    assert!(store
        .watch_source(&source("https://b.example/sitemap.xml", None))
        .unwrap());
    assert!(!store
        .watch_source(&source("https://a.example/feed", Some("A2")))
        .unwrap());
    assert!(matches!(
        store.watch_source(&source("https://c.example/", Some("A2"))),
        Err(StoreError::NameTaken(_))
    ));
    let state = FetchState {
        etag: Some("\"v1\"".into()),
        next_due: Some("2026-11-27T10:00:00+00:00".into()),
        errors: 2,
        ..Default::default()
    };
    store.save_fetch_state("https://a.example/feed", &state).unwrap();
    let stored = ArticleDraft {
        url: Some("https://a.example/one".into()),
        title: Some("One".into()),
        text: "The first article.".into(),
        ..Default::default()
    }
    .finish()
    .unwrap();
    let fetched = [
        FetchedUrl {
            url: "https://a.example/one".into(),
            outcome: FetchOutcome::Stored,
            article_id: Some(stored.id.clone()),
            note: None,
        },
        FetchedUrl {
            url: "https://a.example/empty".into(),
            outcome: FetchOutcome::Rejected,
            article_id: None,
            note: Some("no text".into()),
        },
    ];
    store.store_fetched(&[stored], &fetched).unwrap();
    let robots = |body: Option<&[u8]>, at: &str| RobotsFile {
        origin: "https://a.example".into(),
        body: body.map(<[u8]>::to_vec),
        fetched_at: at.into(),
    };
    store
        .save_robots_file(&robots(
            Some(b"User-agent: *\nDisallow: /x\n"),
            "2026-11-27T10:00:00+00:00",
        ))
        .unwrap();
    drop(store);
    let mut store = again();
    let listed = store.watched_sources().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].name.as_deref(), Some("A2"));
    assert_eq!(listed[0].state, state);
    assert_eq!(store.count().unwrap(), 1);
    let asked: Vec<String> = [
        "https://A.example/one/",
        "https://a.example/empty",
        "https://a.example/new",
    ]
    .map(String::from)
    .to_vec();
    let seen = store.fetched_before(&asked).unwrap();
    assert_eq!(
        seen,
        HashSet::from([
            "https://A.example/one/".to_string(),
            "https://a.example/empty".into()
        ])
    );
    assert_eq!(
        store.robots_files().unwrap(),
        [robots(
            Some(b"User-agent: *\nDisallow: /x\n"),
            "2026-11-27T10:00:00+00:00"
        )]
    );
    store
        .save_robots_file(&robots(None, "2026-11-27T11:00:00+00:00"))
        .unwrap();
    assert_eq!(
        store.robots_files().unwrap(),
        [robots(None, "2026-11-27T11:00:00+00:00")]
    );
    assert_eq!(
        store.unwatch_source("A2").unwrap().as_deref(),
        Some("https://a.example/feed")
    );
    assert_eq!(store.unwatch_source("A2").unwrap(), None);
    assert_eq!(store.watched_sources().unwrap().len(), 1);
}

fn a_reader_sees_writes_and_refuses_its_own(open: Open) {
    let Opened { mut store, _keep, .. } = open("reader");
    let mut reader = store.reader().unwrap();
    store.upsert(&[article("a", "Text of a.", None)]).unwrap();
    assert_eq!(reader.get("a").unwrap().unwrap().id, "a");
    assert!(reader.upsert(&[article("b", "Text of b.", None)]).is_err());
    assert_eq!(store.count().unwrap(), 1);
    assert_eq!(reader.count().unwrap(), 1);
}

fn every_article_is_walked_in_id_order_while_the_store_is_used(open: Open) {
    let Opened { mut store, _keep, .. } = open("walk");
    // More than one batch of a backend that reads in batches.
    let articles: Vec<Article> = (0..2500)
        .map(|i| article(&format!("id-{i:05}"), &format!("Text {i}."), None))
        .collect();
    for chunk in articles.chunks(500) {
        store.upsert(chunk).unwrap();
    }
    let mut seen = Vec::new();
    let s = &*store;
    s.for_each(&mut |a| {
        if seen.len() % 1000 == 0 {
            assert!(
                s.get(&a.id).unwrap().is_some(),
                "the store answers inside the walk"
            );
        }
        seen.push(a.id);
    })
    .unwrap();
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen.len(), 2500);
    assert_eq!(seen, sorted);
}

/// Writers on several connections at once: every change takes one number,
/// none is skipped, and a follower reading as they commit never sees a
/// number before a smaller one is there.
#[test]
fn concurrent_writers_on_postgres_number_changes_without_gaps() {
    let Some(server) = storyline_pgtest::for_test() else {
        return;
    };
    let url = server.database("concurrent").unwrap();
    PgStore::open(&url).unwrap();
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut store = PgStore::open(&url).unwrap();
                for batch in 0..25 {
                    let arts: Vec<Article> = (0..4)
                        .map(|i| article(&format!("w{w}-{batch}-{i}"), "Concurrent text.", None))
                        .collect();
                    store.upsert(&arts).unwrap();
                }
            })
        })
        .collect();
    let follower = PgStore::open(&url).unwrap();
    let mut after = 0;
    let follow = |after: &mut u64| {
        for (seq, _) in follower.changes(*after, 1000).unwrap() {
            assert_eq!(seq, *after + 1, "changes are read without gaps, in order");
            *after = seq;
        }
    };
    while writers.iter().any(|w| !w.is_finished()) {
        follow(&mut after);
    }
    for w in writers {
        w.join().expect("every writer's upserts succeed");
    }
    follow(&mut after);
    assert_eq!(after, 400);
    assert_eq!(follower.count().unwrap(), 400);
    assert_eq!(follower.last_seq().unwrap(), 400);
}

#[test]
fn a_newer_postgres_schema_is_refused() {
    let Some(server) = storyline_pgtest::for_test() else {
        return;
    };
    let url = server.database("too_new").unwrap();
    drop(PgStore::open(&url).unwrap());
    let mut raw = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    raw.execute(
        "UPDATE store_meta SET value = 99 WHERE key = 'schema_version'",
        &[],
    )
    .unwrap();
    assert!(matches!(
        PgStore::open(&url),
        Err(StoreError::TooNew { found: 99, .. })
    ));
}

#[test]
fn a_postgres_url_is_told_from_a_folder_and_its_password_is_hidden() {
    assert!(is_postgres_url("postgres://u@h/db"));
    assert!(is_postgres_url("postgresql://u@h/db"));
    assert!(!is_postgres_url("./storyline-data"));
    assert_eq!(
        redacted("postgres://u:secret@h:5432/db"),
        "postgres://u:***@h:5432/db"
    );
    assert_eq!(redacted("postgres://u@h/db"), "postgres://u@h/db");
    let refused = PgStore::open("postgres://nobody:secret@127.0.0.1:1/none").unwrap_err();
    let message = refused.to_string();
    assert!(
        message.contains("127.0.0.1:1") && !message.contains("secret"),
        "{message}"
    );
}

fn one_connection_at_a_time_holds_a_components_lock(open: Open) {
    let Opened {
        mut store,
        again,
        _keep,
    } = open("lock");
    let mut other = again();
    let stories = Component::Stories;
    assert_eq!(store.lock(stories, false).unwrap(), Lock::Taken);
    assert_eq!(store.lock(stories, false).unwrap(), Lock::AlreadyHeld);
    assert_eq!(other.lock(stories, false).unwrap(), Lock::Busy);
    assert_eq!(
        other.lock(Component::Linking, false).unwrap(),
        Lock::Taken,
        "each component has its own"
    );
    store.unlock(stories).unwrap();
    assert_eq!(other.lock(stories, false).unwrap(), Lock::Taken);
    // A waiter gets it once the holder goes, however it went.
    let mut third = again();
    let waiter = std::thread::spawn(move || {
        let started = std::time::Instant::now();
        assert_eq!(third.lock(Component::Stories, true).unwrap(), Lock::Taken);
        started.elapsed()
    });
    std::thread::sleep(std::time::Duration::from_millis(300));
    drop(other);
    let waited = waiter.join().unwrap();
    assert!(waited >= std::time::Duration::from_millis(250), "{waited:?}");
    assert_eq!(
        store.lock(stories, false).unwrap(),
        Lock::Taken,
        "the waiter dropped it in turn"
    );
}
