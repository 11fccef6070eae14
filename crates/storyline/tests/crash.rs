//! Durability: an ingest killed with SIGKILL mid-way leaves a sound store
//! holding only whole articles, and re-running it completes without duplicates.

mod common;
use common::*;
use std::process::Stdio;
use std::time::{Duration, Instant};

const ARTICLES: usize = 20_000;

fn stored(db: &std::path::Path) -> u64 {
    let Ok(conn) = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return 0;
    };
    conn.query_row("SELECT COUNT(*) FROM articles", [], |r| r.get::<_, i64>(0))
        .unwrap_or(0) as u64
}

#[test]
fn sigkill_mid_ingest_loses_nothing_acknowledged_and_rerun_completes() {
    let work = tempfile::tempdir().unwrap();
    let corpus = work.path().join("corpus.jsonl");
    let o = bin()
        .args(["bench", "corpus", "--articles", &ARTICLES.to_string()])
        .output()
        .unwrap();
    assert!(o.status.success());
    std::fs::write(&corpus, &o.stdout).unwrap();

    let data = work.path().join("data");
    let db = data.join("storyline.db");
    // Small batches so that several commits happen before the kill.
    let mut child = bin()
        .arg("--data-dir")
        .arg(&data)
        .args(["ingest", "--batch-size", "200", corpus.to_str().unwrap()])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let mut seen = 0;
    while start.elapsed() < Duration::from_secs(120) {
        seen = stored(&db);
        if seen >= 1_000 || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("SIGKILL"); // Child::kill sends SIGKILL on Unix.
    child.wait().unwrap();
    assert!(seen > 0, "the ingest committed nothing within two minutes");

    let conn = rusqlite::Connection::open(&db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let after_kill = stored(&db);
    assert!(
        after_kill < ARTICLES as u64,
        "killed before the end ({after_kill} stored)"
    );
    assert_eq!(after_kill % 200, 0, "only whole batches are committed");
    // Every stored row is a whole article.
    let mut stmt = conn.prepare("SELECT doc FROM articles").unwrap();
    let docs = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
    for doc in docs {
        let a: serde_json::Value = serde_json::from_str(&doc.unwrap()).unwrap();
        assert!(!a["text"].as_str().unwrap().is_empty() && a["title"].is_string());
    }
    drop(stmt);
    drop(conn);

    let o = run(&data, &["ingest", "--json", corpus.to_str().unwrap()]);
    assert!(o.status.success());
    let s = json(&o);
    assert_eq!(s["unchanged"].as_u64().unwrap(), after_kill);
    assert_eq!(s["ingested"].as_u64().unwrap(), ARTICLES as u64 - after_kill);
    assert_eq!(stored(&db), ARTICLES as u64);
}
