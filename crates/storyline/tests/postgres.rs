//! storyline over a shared PostgreSQL store (`--store postgres://…`): the
//! same commands give the same answers as over the embedded SQLite store,
//! and a server serves from it. Each test starts its own PostgreSQL (see
//! `crates/pgtest`); without PostgreSQL installed they skip with a message,
//! except in CI, where they fail.

mod common;
use common::*;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;

/// Runs storyline on the PostgreSQL store `url`, with `node` as this
/// process's data directory (its on-disk index).
fn on_pg(url: &str, node: &Path, args: &[&str]) -> Output {
    bin()
        .args(["--store", url, "--data-dir"])
        .arg(node)
        .args(args)
        .output()
        .expect("storyline runs")
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    stdout(&o)
}

/// Each story's members as a set, whatever the stories' order.
fn partition(stories_json: &str) -> BTreeSet<BTreeSet<String>> {
    stories_json
        .lines()
        .map(|l| {
            let s: serde_json::Value = serde_json::from_str(l).unwrap();
            s["articles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

fn search_ids(json: &str) -> BTreeSet<String> {
    json.lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn the_same_commands_give_the_same_answers_over_postgres() {
    let Some(server) = storyline_pgtest::for_test() else {
        return;
    };
    let url = server.database("cli").unwrap();
    // The sample corpus as a file, through the embedded store.
    let sample = tempfile::tempdir().unwrap();
    assert!(run(sample.path(), &["demo", "--no-serve"]).status.success());
    let corpus = sample.path().join("corpus.jsonl");
    std::fs::write(&corpus, ok(run(sample.path(), &["export"]))).unwrap();
    let corpus = corpus.to_str().unwrap();

    let lite = tempfile::tempdir().unwrap();
    let node = tempfile::tempdir().unwrap();
    let ingested = ok(run(lite.path(), &["ingest", corpus]));
    assert_eq!(ok(on_pg(&url, node.path(), &["ingest", corpus])), ingested);
    assert_eq!(
        ok(on_pg(&url, node.path(), &["list", "--json"])),
        ok(run(lite.path(), &["list", "--json"])),
        "the same articles, listed in the same order"
    );
    let stories_pg = ok(on_pg(&url, node.path(), &["stories", "--json"]));
    assert_eq!(
        partition(&stories_pg),
        partition(&ok(run(lite.path(), &["stories", "--json"]))),
        "the same stories"
    );
    assert!(partition(&stories_pg).len() > 1);
    let ids: Vec<String> = ok(run(lite.path(), &["list", "--json"]))
        .lines()
        .take(5)
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    for id in &ids {
        assert_eq!(
            ok(on_pg(&url, node.path(), &["similar", id, "--json"])),
            ok(run(lite.path(), &["similar", id, "--json"])),
            "Similar Posts of {id}"
        );
    }
    // Ranked by each database's own text search, so compared as sets.
    for words in ["rates", "central bank", "\"prime minister\""] {
        assert_eq!(
            search_ids(&ok(on_pg(&url, node.path(), &["search", words, "--json"]))),
            search_ids(&ok(run(lite.path(), &["search", words, "--json"]))),
            "search {words}"
        );
    }
    // Ingested again: nothing changes.
    let again = ok(on_pg(&url, node.path(), &["ingest", corpus]));
    assert!(again.contains("ingested 0"), "{again}");

    // A server over the same database, with a fresh index of its own.
    let other_node = tempfile::tempdir().unwrap();
    let served = start(&[
        "--store",
        &url,
        "--data-dir",
        other_node.path().to_str().unwrap(),
        "serve",
    ]);
    let agent = agent();
    for path in ["/", "/api/articles?limit=3", "/search?q=bank", "/sources"] {
        let r = agent.get(&format!("{}{path}", served.base)).call().unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
    let body = agent
        .get(&format!(
            "{}/api/articles/{}/similar",
            served.base,
            url_encode(&ids[0])
        ))
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    let similar: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        similar["similar"].as_array().is_some_and(|s| !s.is_empty()),
        "{body}"
    );
}

#[test]
fn a_store_that_is_not_a_postgres_url_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let o = bin()
        .args(["--store", "mysql://x/y", "--data-dir"])
        .arg(dir.path())
        .arg("list")
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not a PostgreSQL URL"), "{err}");
    let o = bin()
        .env("STORYLINE_STORE", "postgres://nobody:hunter2@127.0.0.1:1/none")
        .args(["--data-dir"])
        .arg(dir.path())
        .arg("list")
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("127.0.0.1:1") && !err.contains("hunter2"), "{err}");
}

#[test]
fn a_store_moves_to_postgres_and_back_whole() {
    let Some(server) = storyline_pgtest::for_test() else {
        return;
    };
    let url = server.database("migrate").unwrap();
    let lite = tempfile::tempdir().unwrap();
    assert!(run(lite.path(), &["demo", "--no-serve"]).status.success());
    // Derived data caught up first, so there is some of everything to copy.
    ok(run(lite.path(), &["entities", "--json"]));
    let from = lite.path().to_str().unwrap();
    let copied = ok(bin()
        .args(["migrate", "--from", from, "--to", &url, "--json"])
        .output()
        .unwrap());
    let report: serde_json::Value = serde_json::from_str(&copied).unwrap();
    assert_eq!(report["matches"], true, "{copied}");
    let rows = |table: &str| {
        report["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["table"] == table)
            .unwrap()["target_rows"]
            .as_u64()
            .unwrap()
    };
    assert!(rows("articles") > 10 && rows("analyses") > 10 && rows("linked_entities") > 10);
    assert!(rows("story_members") == rows("articles"));

    // Into an empty store only.
    let again = bin()
        .args(["migrate", "--from", from, "--to", &url])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds"));

    let back = tempfile::tempdir().unwrap();
    let back_dir = back.path().join("store");
    let returned = ok(bin()
        .args(["migrate", "--from", &url, "--to", back_dir.to_str().unwrap()])
        .output()
        .unwrap());
    assert!(returned.contains("every table copied whole"), "{returned}");
    let node = tempfile::tempdir().unwrap();
    for args in [
        &["list", "--json"][..],
        &["stories", "--json"],
        &["entities", "--json"],
        &["search", "bank", "--json"],
    ] {
        let original = ok(run(lite.path(), args));
        assert_eq!(
            ok(run(&back_dir, args)),
            original,
            "{args:?} after the round trip"
        );
        if args[0] != "search" {
            assert_eq!(
                ok(on_pg(&url, node.path(), args)),
                original,
                "{args:?} on PostgreSQL"
            );
        }
    }
    let missing = bin()
        .args(["migrate", "--from", "/nonexistent/store", "--to", &url])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&missing.stderr).contains("holds no storyline store"));
}

/// Two ingests and a server at once over one database: linking and
/// placing are done by one process at a time, so every article is linked
/// and placed once, and each entity's counts are the rows that name it.
#[test]
fn processes_side_by_side_link_and_place_each_article_once() {
    let Some(server) = storyline_pgtest::for_test() else {
        return;
    };
    let url = server.database("side_by_side").unwrap();
    // Enough articles that the processes overlap for seconds.
    let Some(corpus) = shared("data/corpora/bbc-news.jsonl") else {
        return;
    };
    let sample = tempfile::tempdir().unwrap();
    let lines: Vec<String> = std::fs::read_to_string(corpus)
        .unwrap()
        .lines()
        .take(600)
        .map(String::from)
        .collect();
    let halves: Vec<std::path::PathBuf> = lines
        .chunks(lines.len().div_ceil(2))
        .enumerate()
        .map(|(i, part)| {
            let path = sample.path().join(format!("half{i}.jsonl"));
            std::fs::write(&path, part.join("\n") + "\n").unwrap();
            path
        })
        .collect();
    let serving_node = tempfile::tempdir().unwrap();
    let _served = start(&[
        "--store",
        &url,
        "--data-dir",
        serving_node.path().to_str().unwrap(),
        "serve",
    ]);
    let ingests: Vec<_> = halves
        .iter()
        .map(|half| {
            let node = tempfile::tempdir().unwrap();
            let child = bin()
                .args(["--store", &url, "--data-dir"])
                .arg(node.path())
                .arg("ingest")
                .arg(half)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            (node, child)
        })
        .collect();
    for (_node, child) in ingests {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    // Whatever the ingests left is done by the next command.
    let node = tempfile::tempdir().unwrap();
    let linked = ok(on_pg(&url, node.path(), &["entities", "--json"]));
    // Linking everything again in one process, in change order, finds
    // what the processes side by side found.
    ok(on_pg(&url, node.path(), &["reindex"]));
    assert_eq!(
        ok(on_pg(&url, node.path(), &["entities", "--json"])),
        linked,
        "the entities one process links"
    );
    let mut db = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let one = |db: &mut postgres::Client, sql: &str| -> i64 { db.query_one(sql, &[]).unwrap().get(0) };
    let articles = one(&mut db, "SELECT COUNT(*) FROM articles");
    assert_eq!(articles, lines.len() as i64);
    assert_eq!(
        one(&mut db, "SELECT COUNT(*) FROM story_members"),
        articles,
        "each placed once"
    );
    assert_eq!(
        one(&mut db, "SELECT COUNT(*) FROM entity_terms"),
        articles,
        "each linked once"
    );
    let last = one(&mut db, "SELECT value FROM store_meta WHERE key = 'seq'");
    for component in ["analysis", "linking", "stories"] {
        assert_eq!(
            one(
                &mut db,
                &format!("SELECT seq FROM engine_progress WHERE component = '{component}'")
            ),
            last,
            "{component} caught up"
        );
    }
    assert_eq!(
        one(
            &mut db,
            "SELECT COUNT(*) FROM linked_entities e WHERE e.articles !=
                 (SELECT COUNT(DISTINCT article_id) FROM entity_articles a WHERE a.entity_idx = e.idx)"
        ),
        0,
        "each entity's article count is the articles naming it"
    );
    assert_eq!(
        one(
            &mut db,
            "SELECT COUNT(*) FROM (SELECT article_id, entity_idx FROM entity_articles
                 GROUP BY article_id, entity_idx HAVING COUNT(*) > 1) twice"
        ),
        0,
        "no article names an entity twice"
    );
}
