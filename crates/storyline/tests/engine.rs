//! The engine owns derived data: an article is analysed once, when it
//! arrives, and no command that reads derived data runs the tagger over an
//! article already analysed. The engine logs how many articles each step
//! analysed (`STORYLINE_LOG=storyline_engine=info`), which these tests read.

mod common;

use common::{bin, json, stdout};
use std::path::Path;
use std::process::Output;

/// Runs a command with the engine's log on stderr.
fn logged(dir: &Path, args: &[&str]) -> (Output, String) {
    let out = bin()
        .env("STORYLINE_LOG", "storyline_engine=info")
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .output()
        .expect("storyline runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{args:?}: {stderr}");
    (out, stderr)
}

/// The article counts the engine's log lines report as analysed.
fn analysed(stderr: &str) -> Vec<u64> {
    stderr
        .lines()
        .filter(|l| l.contains("engine:"))
        .filter_map(|l| {
            let at = l.find("analysed=")? + "analysed=".len();
            l[at..].split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
        })
        .collect()
}

/// The ids `list --json` prints, newest first.
fn listed_ids(dir: &Path) -> Vec<String> {
    let (listed, _) = logged(dir, &["list", "--json"]);
    stdout(&listed)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn sample() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../sample/articles")
        .display()
        .to_string()
}

#[test]
fn articles_are_analysed_once_and_read_paths_never_tag() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let (_, log) = logged(&store, &["ingest", &sample()]);
    let at_ingest: u64 = analysed(&log).iter().sum();
    assert!(at_ingest >= 40, "ingest analyses what it stored: {log}");

    let (listed, _) = logged(&store, &["list", "--json"]);
    let first = stdout(&listed)
        .lines()
        .next()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap());
    let id = first.expect("an article")["id"].as_str().unwrap().to_string();
    let (stories, log) = logged(&store, &["stories", "--json"]);
    assert!(!analysed(&log).is_empty(), "the engine said what it did: {log}");
    assert_eq!(analysed(&log).iter().sum::<u64>(), 0, "stories: {log}");
    let story = serde_json::from_str::<serde_json::Value>(stdout(&stories).lines().next().unwrap()).unwrap();
    let story_id = story["id"].as_str().unwrap().to_string();
    for args in [
        vec!["similar", id.as_str(), "--json"],
        vec!["similar", "--all"],
        vec!["story", story_id.as_str(), "--json"],
        vec!["entities", "--json"],
        vec!["show", id.as_str(), "--json"],
    ] {
        let (_, log) = logged(&store, &args);
        assert_eq!(
            analysed(&log).iter().sum::<u64>(),
            0,
            "{args:?} tagged again: {log}"
        );
    }
}

#[test]
fn an_article_stored_without_its_derived_work_is_analysed_by_the_next_reader_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let (_, log) = logged(&store, &["ingest", "--no-stories", &sample()]);
    assert_eq!(analysed(&log).iter().sum::<u64>(), 0, "{log}");
    // The first reader catches up (and keeps what it did) ...
    let (out, log) = logged(&store, &["similar", "--all"]);
    assert!(analysed(&log).iter().sum::<u64>() >= 40, "{log}");
    assert!(!stdout(&out).is_empty());
    // ... so the next finds it all analysed.
    let (out, log) = logged(&store, &["recluster", "--json"]);
    assert_eq!(analysed(&log).iter().sum::<u64>(), 0, "{log}");
    assert!(json(&out)["stories"].as_u64().unwrap() > 0);
}

/// GET `url` as text, with its status.
fn get(url: &str) -> (u16, String) {
    let mut r = common::agent().get(url).call().expect("the server answers");
    (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
}

#[test]
fn after_an_upgrade_pages_serve_the_older_analyses_while_new_ones_are_made() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let corpus = dir.path().join("corpus.jsonl");
    let made = bin()
        .args(["bench", "corpus", "--articles", "3000"])
        .output()
        .unwrap();
    std::fs::write(&corpus, &made.stdout).unwrap();
    let (_, _) = logged(&store, &["ingest", "--no-wait", corpus.to_str().unwrap()]);
    // What an older build kept: an analysis of every article under another
    // key and the progress of another analyser (no entities: this build's
    // tagger finds some in every generated article).
    let db = rusqlite::Connection::open(store.join("storyline.db")).unwrap();
    db.execute_batch(
        "INSERT INTO analyses (article_id, key, json)
             SELECT id, 'older', '{\"entities\":[],\"quotes\":[],\"statements\":[],\"timexes\":[],\"events\":[]}'
             FROM articles;
         INSERT INTO engine_progress (component, seq, fingerprint)
             SELECT 'analysis', MAX(seq), 'older' FROM articles;",
    )
    .unwrap();
    let last: String = db
        .query_row("SELECT id FROM articles ORDER BY seq DESC LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    drop(db);

    let server = common::start(&["--data-dir", store.to_str().unwrap(), "serve"]);
    let base = &server.base;
    let started = std::time::Instant::now();
    while get(&format!("{base}/readyz")).0 != 200 {
        assert!(started.elapsed().as_secs() < 120, "never ready");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // Ready at once from what was kept: the last article (analysed last by
    // the catch-up) is served with its older analysis.
    let (status, body) = get(&format!("{base}/api/articles/{last}"));
    assert_eq!(status, 200);
    let article: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        article["entities"],
        serde_json::json!([]),
        "the older analysis is served"
    );
    let (_, health) = get(&format!("{base}/healthz"));
    assert!(health.starts_with("ok"), "{health}");
    // The catch-up replaces every analysis, then the backlog is empty.
    loop {
        let (_, metrics) = get(&format!("{base}/metrics"));
        let backlog = metrics
            .lines()
            .find(|l| l.starts_with("storyline_engine_backlog "))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse::<u64>().ok());
        let (_, article) = get(&format!("{base}/api/articles/{last}"));
        let article: serde_json::Value = serde_json::from_str(&article).unwrap();
        if backlog == Some(0) && article["entities"].as_array().is_some_and(|e| !e.is_empty()) {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 300,
            "the catch-up never finished: {backlog:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(get(&format!("{base}/healthz")).1, "ok");
}

#[test]
fn reindex_rebuilds_from_the_store_and_similar_posts_stay_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    logged(&store, &["ingest", &sample()]);
    let (before, _) = logged(&store, &["similar", "--all"]);
    let (out, log) = logged(&store, &["reindex", "--json"]);
    let summary = json(&out);
    assert_eq!(summary["articles"], 45, "{summary}");
    assert_eq!(summary["analysed"], 45, "every article analysed again: {log}");
    assert!(summary["stories"].as_u64().unwrap() > 0);
    let (after, log) = logged(&store, &["similar", "--all"]);
    assert_eq!(analysed(&log).iter().sum::<u64>(), 0, "{log}");
    assert_eq!(stdout(&before), stdout(&after), "the same Similar Posts");
}

/// A number the store holds, read beside a running process (0 when the
/// store or table is not there yet).
fn count(db: &Path, sql: &str) -> i64 {
    let Ok(conn) = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return 0;
    };
    conn.query_row(sql, [], |r| r.get::<_, Option<i64>>(0))
        .ok()
        .flatten()
        .unwrap_or(0)
}

#[test]
fn sigkill_during_derived_work_leaves_a_store_that_catches_up() {
    let work = tempfile::tempdir().unwrap();
    let corpus = work.path().join("corpus.jsonl");
    let made = bin()
        .args(["bench", "corpus", "--articles", "3000"])
        .output()
        .unwrap();
    std::fs::write(&corpus, &made.stdout).unwrap();
    // Kill points, judged from what the store shows: articles stored but
    // none analysed; analysis part done; analysis done, stories not placed.
    type Point = fn(&Path) -> bool;
    let points: [(&str, Point); 3] = [
        ("storing", |db| count(db, "SELECT COUNT(*) FROM articles") >= 400),
        ("analysing", |db| {
            let done = count(db, "SELECT seq FROM engine_progress WHERE component = 'analysis'");
            done > 0 && done < count(db, "SELECT MAX(seq) FROM articles")
        }),
        ("placing", |db| {
            let last = count(db, "SELECT MAX(seq) FROM articles");
            last >= 3000
                && count(db, "SELECT seq FROM engine_progress WHERE component = 'analysis'") == last
                && count(db, "SELECT COUNT(*) FROM story_members") == 0
        }),
    ];
    for (name, reached) in points {
        let data = work.path().join(name);
        let db = data.join("storyline.db");
        let mut child = bin()
            .arg("--data-dir")
            .arg(&data)
            .args(["ingest", "--batch-size", "200", corpus.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        let mut hit = false;
        while started.elapsed().as_secs() < 180 {
            if reached(&db) {
                hit = true;
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        assert!(hit, "{name}: the ingest never reached the point to kill it at");

        // The next command catches up; every stored article is then in the
        // index once and in exactly one story.
        let ids: std::collections::BTreeSet<String> = listed_ids(&data).into_iter().collect();
        assert!(!ids.is_empty(), "{name}");
        let (stories, _) = logged(&data, &["stories", "--json"]);
        let mut placed: Vec<String> = stdout(&stories)
            .lines()
            .flat_map(|l| {
                let story: serde_json::Value = serde_json::from_str(l).unwrap();
                story["articles"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        placed.sort();
        let unique: std::collections::BTreeSet<String> = placed.iter().cloned().collect();
        assert_eq!(placed.len(), unique.len(), "{name}: an article in two stories");
        assert_eq!(unique, ids, "{name}: every stored article in one story");
        let (similar, log) = logged(&data, &["similar", "--all", "-k", "1"]);
        assert_eq!(
            stdout(&similar).lines().count(),
            ids.len(),
            "{name}: each in the index once"
        );
        assert_eq!(
            analysed(&log).iter().sum::<u64>(),
            0,
            "{name}: caught up once, not again"
        );
    }
}

#[test]
fn similar_posts_of_one_article_are_read_from_the_on_disk_index_without_a_build() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    logged(&store, &["ingest", &sample()]);
    assert!(
        store.join("index").is_dir(),
        "ingest's build wrote the on-disk index"
    );
    let ids: Vec<String> = listed_ids(&store).into_iter().step_by(9).collect();
    assert!(ids.len() >= 4);
    let built = "index and stories built";
    let mut read = Vec::new();
    for id in &ids {
        let (out, log) = logged(&store, &["similar", id, "--json"]);
        assert!(!log.contains(built), "{id} was answered by a build: {log}");
        read.push(json(&out));
    }
    // Without the index the same command builds (and writes the index
    // again): the answers are the same, but that a reason names a term as
    // the shown article writes it ("Rishi Sunak") where the in-memory
    // index names it as the corpus first wrote it ("Sunak").
    std::fs::remove_dir_all(store.join("index")).unwrap();
    for (id, from_disk) in ids.iter().zip(&read) {
        let (out, _) = logged(&store, &["similar", id, "--json"]);
        assert_alike(&json(&out), from_disk, id);
    }
    let (_, log) = logged(&store, &["similar", &ids[0], "--json"]);
    assert!(!log.contains(built), "the build wrote the index again: {log}");
}

/// The same JSON but for float rounding (scores summed in another order)
/// and the wording of the reasons (`why.names`, `why.terms`: as many).
fn assert_alike(a: &serde_json::Value, b: &serde_json::Value, at: &str) {
    use serde_json::Value;
    if at.ends_with(".why.names") || at.ends_with(".why.terms") {
        let len = |v: &Value| v.as_array().map(Vec::len);
        assert_eq!(len(a), len(b), "{at}: {a} vs {b}");
        return;
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!((x - y).abs() < 1e-4, "{at}: {x} vs {y}");
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{at}: {a} vs {b}");
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                assert_alike(x, y, &format!("{at}[{i}]"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(x.keys().collect::<Vec<_>>(), y.keys().collect::<Vec<_>>(), "{at}");
            for (k, v) in x {
                assert_alike(v, &y[k], &format!("{at}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{at}"),
    }
}
