//! No link storyline emits runs code in a reader's browser: unsafe URLs
//! (`javascript:` in its many spellings, `vbscript:`, `data:`) are dropped
//! at ingest with a warning, and a store that holds them anyway (written
//! before the policy, or by hand) never gets them into a page, the widget's
//! fragment, a feed or the API.

mod common;
use common::*;
use std::io::Write;

/// Every payload calls `alert(` or `msgbox(`, so an output that carries
/// one in any spelling shows it.
const UNSAFE: &[&str] = &[
    "javascript:alert(1)",
    "JaVaScRiPt:alert(2)",
    "java\tscript:alert(3)",
    "java\nscript:alert(4)",
    " \u{1}javascript:alert(5)",
    "vbscript:msgbox(6)",
    "data:text/html,<script>alert(7)</script>",
    "DATA:text/html;base64,YWxlcnQoOCk=#alert(8)",
    "javascript://example.com/%0aalert(9)",
];

fn record(i: usize, url: &str) -> String {
    serde_json::json!({
        "id": format!("hostile-{i}"),
        "title": format!("Harbour authority reopens the northern quay, report {i}"),
        "text": format!("The harbour authority reopened the northern quay on Monday after storm repairs. \
                         Shipping lines said ferries would resume within the week. Report number {i}."),
        "published": "2024-03-04",
        "source": "Harbour Gazette",
        "url": url,
        "related_references": [{"title": "Earlier coverage", "url": url}],
    })
    .to_string()
}

fn body(url: &str) -> String {
    agent()
        .get(url)
        .call()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .body_mut()
        .read_to_string()
        .unwrap()
}

fn assert_no_payload(what: &str, text: &str) {
    let lower = text.to_lowercase();
    for marker in [
        "alert(",
        "msgbox(",
        "alert%28",
        "javascript:",
        "vbscript:",
        "data:text",
    ] {
        assert!(!lower.contains(marker), "{what} carries {marker:?}:\n{text}");
    }
}

#[test]
fn unsafe_links_are_dropped_at_ingest_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hostile.jsonl");
    let mut f = std::fs::File::create(&file).unwrap();
    for (i, url) in UNSAFE.iter().enumerate() {
        writeln!(f, "{}", record(i, url)).unwrap();
    }
    writeln!(f, "{}", record(99, "https://harbour.example/quay")).unwrap();
    drop(f);
    let store = dir.path().join("store");
    let o = run(&store, &["ingest", "--json", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = json(&o);
    assert_eq!(summary["ingested"], UNSAFE.len() + 1, "{summary}");
    let warnings = summary["warnings"].as_array().unwrap();
    for i in 1..=UNSAFE.len() {
        let line_warnings: Vec<&str> = warnings
            .iter()
            .filter(|w| w["line"] == i)
            .map(|w| w["reason"].as_str().unwrap())
            .collect();
        assert!(
            line_warnings
                .iter()
                .any(|r| r.starts_with("url ") && r.contains("dropped")),
            "line {i}: {line_warnings:?}"
        );
        assert!(
            line_warnings.iter().any(|r| r.starts_with("related link ")),
            "line {i}: {line_warnings:?}"
        );
    }
    for i in 0..UNSAFE.len() {
        let shown = json(&run(&store, &["show", "--json", &format!("hostile-{i}")]));
        assert!(shown["url"].is_null(), "{shown}");
        assert!(shown["related_references"][0]["url"].is_null(), "{shown}");
    }
    let kept = json(&run(&store, &["show", "--json", "hostile-99"]));
    assert_eq!(kept["url"], "https://harbour.example/quay");
}

#[test]
fn a_store_holding_unsafe_links_never_emits_them() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("good.jsonl");
    let mut f = std::fs::File::create(&file).unwrap();
    for i in 0..UNSAFE.len() {
        writeln!(f, "{}", record(i, &format!("https://harbour.example/{i}"))).unwrap();
    }
    drop(f);
    let store = dir.path().join("store");
    let o = run(&store, &["ingest", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // As a store written before the link policy would hold them.
    let db = rusqlite::Connection::open(store.join("storyline.db")).unwrap();
    for (i, url) in UNSAFE.iter().enumerate() {
        let changed = db
            .execute(
                "UPDATE articles SET url = ?1,
                        doc = json_set(doc, '$.url', ?1, '$.related_references[0].url', ?1)
                 WHERE id = ?2",
                rusqlite::params![url, format!("hostile-{i}")],
            )
            .unwrap();
        assert_eq!(changed, 1);
    }
    drop(db);

    let server = start(&["--data-dir", store.to_str().unwrap(), "serve"]);
    let base = &server.base;
    let mut outputs = vec![
        "/".to_string(),
        "/api/articles?limit=50".into(),
        "/sources/Harbour%20Gazette".into(),
        "/api/sources/Harbour%20Gazette".into(),
        "/feeds/latest.xml".into(),
        "/feeds/latest.atom".into(),
        "/feeds/latest.json".into(),
        "/search?q=harbour".into(),
        "/feeds/search.xml?q=harbour".into(),
        "/feeds/search.json?q=harbour".into(),
    ];
    for i in 0..UNSAFE.len() {
        outputs.push(format!("/articles/hostile-{i}"));
        outputs.push(format!("/api/articles/hostile-{i}"));
        outputs.push(format!("/fragments/similar?id=hostile-{i}&k=20"));
        outputs.push(format!("/api/articles/hostile-{i}/similar"));
    }
    for path in &outputs {
        assert_no_payload(path, &body(&format!("{base}{path}")));
    }
    // The fragment still links each similar post: to storyline's own page,
    // absolute, since it is shown on other sites.
    let fragment = body(&format!("{base}/fragments/similar?id=hostile-0&k=20"));
    assert!(
        fragment.contains(&format!("href=\"{base}/articles/hostile-")),
        "{fragment}"
    );
}
