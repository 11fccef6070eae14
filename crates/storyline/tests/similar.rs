//! Similar Posts over the sample corpus: the same story first, rewrites
//! grouped, explanations present, and later articles reaching older lists.

mod common;
use common::*;
use serde_json::Value;
use std::collections::HashMap;

/// A store holding the sample corpus, and each article's story label by id.
fn sample_store() -> (
    tempfile::TempDir,
    HashMap<String, String>,
    HashMap<String, String>,
) {
    let dir = tempfile::tempdir().unwrap();
    assert!(run(dir.path(), &["demo", "--no-serve"]).status.success());
    let export = stdout(&run(dir.path(), &["export"]));
    let mut story = HashMap::new();
    let mut id_by_url = HashMap::new();
    for line in export.lines() {
        let a: Value = serde_json::from_str(line).unwrap();
        let id = a["id"].as_str().unwrap().to_string();
        if let Some(s) = a["metadata"]["story"].as_str() {
            story.insert(id.clone(), s.to_string());
        }
        id_by_url.insert(a["url"].as_str().unwrap_or_default().to_string(), id);
    }
    (dir, story, id_by_url)
}

fn all_lists(dir: &std::path::Path) -> Vec<Value> {
    stdout(&run(dir, &["similar", "--all", "-k", "5"]))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn shown(list: &Value) -> Vec<String> {
    list["similar"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn rewrites_are_grouped_and_never_listed_twice() {
    let (dir, _, id_by_url) = sample_store();
    let pairs = [
        (
            "https://harbordaily.example/news/prigozhin-halts-march",
            "https://eastline.example/europe/wagner-leader-stops-advance",
        ),
        (
            "https://meridian-post.example/world/derna-dams-burst",
            "https://eastline.example/africa/derna-dams-collapse",
        ),
        (
            "https://northwind-wire.example/2023/09/09/morocco-earthquake",
            "https://eastline.example/africa/morocco-strong-earthquake",
        ),
        (
            "https://northwind-wire.example/2023/07/27/ecb-ninth-hike",
            "https://eastline.example/markets/ecb-lifts-rates-ninth",
        ),
    ];
    let lists = all_lists(dir.path());
    for (a, b) in pairs {
        let (a, b) = (&id_by_url[a], &id_by_url[b]);
        for list in &lists {
            let ids = shown(list);
            assert!(
                !(ids.contains(a) && ids.contains(b)),
                "both {a} and {b} listed for {}",
                list["id"]
            );
            let dups: Vec<&str> = list["similar"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|s| {
                    s["duplicates"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|d| d.as_str().unwrap())
                })
                .collect();
            if ids.contains(a) {
                assert!(
                    dups.contains(&b.as_str()) || list["id"] == *b,
                    "{b} stands behind {a}"
                );
            }
        }
        let of_a = lists.iter().find(|l| l["id"] == *a).unwrap();
        assert_eq!(
            of_a["duplicates"],
            serde_json::json!([b]),
            "the rewrite is a copy of the original"
        );
        assert_eq!(of_a["similar"][0]["id"], *b);
        assert_eq!(of_a["similar"][0]["why"]["near_duplicate"], true);
    }
}

#[test]
fn the_seed_lists_its_storyline_with_reasons() {
    let Some(seed) = shared("examples/seed-article.txt") else {
        return;
    };
    let (dir, story, _) = sample_store();
    let o = run(dir.path(), &["ingest", "--json", seed.to_str().unwrap()]);
    assert_eq!(json(&o)["ingested"], 1);
    let seed_id = stdout(&run(dir.path(), &["list", "--json"]))
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("In a show of solidarity")
        })
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let list = json(&run(dir.path(), &["similar", "--json", &seed_id, "-k", "5"]));
    let items = list["similar"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    for item in items {
        let id = item["id"].as_str().unwrap();
        assert_eq!(story.get(id).map(String::as_str), Some("wagner-mutiny"), "{item}");
        let why = &item["why"];
        assert!(!why["names"].as_array().unwrap().is_empty(), "{why}");
        assert!(why["words_score"].as_f64().unwrap() > 0.0);
    }
    let first_names: Vec<&str> = items[0]["why"]["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(
        first_names.contains(&"Beijing") || first_names.contains(&"China"),
        "{first_names:?}"
    );
}

#[test]
fn a_later_article_enters_an_older_articles_list() {
    let (dir, _, id_by_url) = sample_store();
    let old = &id_by_url["https://northwind-wire.example/2023/06/19/titan-missing"];
    let before = json(&run(dir.path(), &["similar", "--json", old, "-k", "3"]));
    let d = tempfile::tempdir().unwrap();
    let new = d.path().join("new.md");
    std::fs::write(
        &new,
        "---\ntitle: Titan submersible inquiry to hear from OceanGate engineers\ndate: 2023-07-05\nurl: https://northwind-wire.example/2023/07/05/titan-inquiry\n---\nA US Coast Guard inquiry into the Titan submersible that imploded near the Titanic wreck will hear from former OceanGate engineers about the search for the missing vessel and the five people aboard and the company's decision not to have the submersible certified.\n",
    )
    .unwrap();
    let o = run(dir.path(), &["ingest", "--json", new.to_str().unwrap()]);
    assert_eq!(json(&o)["ingested"], 1);
    let url = "https://northwind-wire.example/2023/07/05/titan-inquiry";
    let new_id = json(&run(dir.path(), &["show", "--json", url]))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let after = json(&run(dir.path(), &["similar", "--json", old, "-k", "3"]));
    assert!(!shown(&before).contains(&new_id));
    assert!(
        shown(&after).contains(&new_id),
        "the new Titan article reaches the old list: {after}"
    );
}
