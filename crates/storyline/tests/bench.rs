//! The benchmark commands keep the JSON shapes other checks read.

mod common;
use common::*;

#[test]
fn bench_similar_reports_every_system_and_the_speed_figures() {
    let Some(dataset) = shared("data/stories/ecbplus-dev.jsonl") else {
        return;
    };
    let o = bin()
        .args([
            "bench",
            "similar",
            "--json",
            "--dataset",
            dataset.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = json(&o);
    assert_eq!(r["articles"], 772);
    for system in ["storyline", "tfidf", "bm25"] {
        for metric in ["p@1", "p@5", "r@10", "map@10", "ndcg@10"] {
            let v = r["systems"][system][metric]
                .as_f64()
                .unwrap_or_else(|| panic!("{system} {metric}: {r}"));
            assert!((0.0..=1.0).contains(&v));
        }
    }
    for key in [
        "index_articles_per_s",
        "query_ms_p50",
        "query_ms_p99",
        "peak_rss_mb",
    ] {
        assert!(r[key].as_f64().is_some(), "{key}: {r}");
    }
}

#[test]
fn bench_similar_names_a_missing_or_unlabelled_dataset() {
    let d = tempfile::tempdir().unwrap();
    let unlabelled = d.path().join("u.jsonl");
    std::fs::write(&unlabelled, "{\"id\":\"a\",\"text\":\"No story here.\"}\n").unwrap();
    let o = bin()
        .args(["bench", "similar", "--dataset", unlabelled.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no articles with a `story` label"));
    let o = bin()
        .args(["bench", "similar", "--dataset", "/no/such.jsonl"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/no/such.jsonl"));
}

#[test]
fn bench_ingest_reports_throughput_against_the_baseline() {
    let o = bin()
        .args(["bench", "ingest", "--articles", "300", "--json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = json(&o);
    assert_eq!(r["stored"], 300);
    for system in ["storyline", "storyline-reingest", "sqlite-insert"] {
        assert!(
            r["systems"][system]["articles_per_s"].as_f64().unwrap() > 0.0,
            "{r}"
        );
    }
    assert!(r["ratio_storyline_to_baseline_time"].as_f64().unwrap() > 0.0);
}
