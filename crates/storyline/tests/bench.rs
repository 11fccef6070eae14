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

#[test]
fn bench_scale_times_the_product_commands_at_each_size() {
    let work = tempfile::tempdir().unwrap();
    let o = bin()
        .args([
            "bench",
            "scale",
            "--articles",
            "150,300",
            "--no-baseline",
            "--all-pairs-up-to",
            "200",
            "--json",
        ])
        .arg("--work-dir")
        .arg(work.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2, "one row per size");
    for (row, n) in rows.iter().zip([150, 300]) {
        assert_eq!(row["articles"], n);
        for run in ["ingest", "similar_id", "show_id", "add_100", "all_pairs"] {
            if run == "all_pairs" && n > 200 {
                assert!(row[run].is_null(), "all-pairs above --all-pairs-up-to: {row}");
                continue;
            }
            assert!(row[run]["seconds"].as_f64().unwrap() > 0.0, "{run}: {row}");
            assert!(row[run]["peak_rss_mb"].as_f64().unwrap() > 1.0, "{run}: {row}");
        }
        assert!(row["serve_first_page_s"].as_f64().unwrap() > 0.0, "{row}");
        assert!(row["serve_rss_mb_after_pages"].as_f64().unwrap() > 1.0, "{row}");
        assert!(row["baseline_all_pairs"].is_null(), "{row}");
    }
    // What it wrote in the work folder is removed unless kept.
    assert_eq!(std::fs::read_dir(work.path()).map(|d| d.count()).unwrap_or(0), 0);
}
