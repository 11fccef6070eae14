//! Stories over the sample corpus: labels never mixed, ids stable across
//! replays and new arrivals, a new article joining its story, and the
//! `story` and `recluster` commands.

mod common;
use common::*;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

fn stories(dir: &std::path::Path) -> Vec<Value> {
    let o = run(dir, &["stories", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn labels(dir: &std::path::Path) -> HashMap<String, String> {
    stdout(&run(dir, &["export"]))
        .lines()
        .filter_map(|l| {
            let a: Value = serde_json::from_str(l).unwrap();
            Some((
                a["id"].as_str()?.to_string(),
                a["metadata"]["story"].as_str()?.to_string(),
            ))
        })
        .collect()
}

fn ids(list: &[Value]) -> HashSet<String> {
    list.iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

fn members(story: &Value) -> Vec<String> {
    story["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn sample_stories_are_pure_stable_and_grow() {
    let dir = tempfile::tempdir().unwrap();
    assert!(run(dir.path(), &["demo", "--no-serve"]).status.success());
    let label = labels(dir.path());
    let first = stories(dir.path());
    let placed: usize = first.iter().map(|s| members(s).len()).sum();
    let total = article_count(dir.path()) as usize;
    assert_eq!(placed, total, "every article is in exactly one story");
    for s in &first {
        // Articles from feeds and pages carry no label; the rest must agree.
        let kinds: HashSet<&String> = members(s).iter().filter_map(|a| label.get(a)).collect();
        assert!(kinds.len() <= 1, "a story mixes events: {s}");
        for key in [
            "id",
            "title",
            "first_seen",
            "last_seen",
            "timeline",
            "key_names",
            "sources",
        ] {
            assert!(s.get(key).is_some(), "{key} missing from {s}");
        }
    }
    // And no storyline is cut in pieces: each label's articles share one story.
    let mut stories_of: HashMap<&String, HashSet<&str>> = HashMap::new();
    for s in &first {
        for a in members(s) {
            if let Some(l) = label.get(&a) {
                stories_of.entry(l).or_default().insert(s["id"].as_str().unwrap());
            }
        }
    }
    assert_eq!(stories_of.len(), 7, "seven storylines: {stories_of:?}");
    for (l, ids) in &stories_of {
        assert_eq!(ids.len(), 1, "storyline {l} is split over {ids:?}");
    }
    let wagner = first
        .iter()
        .max_by_key(|s| {
            members(s)
                .iter()
                .filter(|a| label.get(*a).is_some_and(|l| l == "wagner-mutiny"))
                .count()
        })
        .unwrap();
    let wagner_id = wagner["id"].as_str().unwrap().to_string();
    assert!(
        members(wagner).len() >= 5,
        "the mutiny coverage holds together: {wagner}"
    );

    // Replaying the same input changes nothing.
    assert!(run(dir.path(), &["demo", "--no-serve"]).status.success());
    assert_eq!(ids(&stories(dir.path())), ids(&first));

    // A new report on the mutiny joins its story, whose id stays.
    let new = dir.path().join("new.md");
    std::fs::write(
        &new,
        "---\ntitle: Prigozhin's Wagner fighters leave Rostov-on-Don as the mutiny ends\npublished: 2023-06-25\nsource: Test Wire\n---\n\
         Wagner fighters loyal to Yevgeny Prigozhin pulled out of Rostov-on-Don on Sunday after the mutiny ended in a deal \
         brokered by Alexander Lukashenko. Prigozhin is to leave for Belarus, and the Kremlin said the criminal case \
         against him over the armed mutiny would be dropped. Residents cheered the Wagner columns as they left.\n",
    )
    .unwrap();
    let o = run(dir.path(), &["ingest", "--json", new.to_str().unwrap()]);
    assert!(o.status.success());
    let after = stories(dir.path());
    let grown = after
        .iter()
        .find(|s| s["id"] == wagner_id.as_str())
        .expect("the story keeps its id");
    assert_eq!(members(grown).len(), members(wagner).len() + 1, "{grown}");

    // One story in full, and an unknown one.
    let one = json(&run(dir.path(), &["story", &wagner_id, "--json"]));
    assert_eq!(one["id"], wagner_id.as_str());
    assert!(!one["timeline"].as_array().unwrap().is_empty());
    assert!(!run(dir.path(), &["story", "nope"]).status.success());
    let human = stdout(&run(dir.path(), &["story", &wagner_id]));
    assert!(human.contains("Timeline"), "{human}");

    // Filters: a name, and a span that ends before any sample date.
    let by_name: Vec<Value> = stdout(&run(dir.path(), &["stories", "--json", "--entity", "prigozhin"]))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(by_name.iter().any(|s| s["id"] == wagner_id.as_str()));
    assert!(by_name.len() < after.len());
    assert!(stdout(&run(dir.path(), &["stories", "--since", "2030-01-01"])).is_empty());

    // Rebuilding from scratch places everything again, under the same ids.
    let r = json(&run(dir.path(), &["recluster", "--json"]));
    assert_eq!(r["articles"].as_u64().unwrap() as usize, total + 1);
    assert!(ids(&stories(dir.path())).contains(&wagner_id));
}

/// Writes a Markdown article with front matter into `dir`.
fn write_article(dir: &std::path::Path, name: &str, title: &str, published: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!("---\ntitle: {title}\npublished: {published}\nsource: Test Wire\n---\n{text}\n"),
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

/// Where each article is: article id → story id.
fn placement(list: &[Value]) -> HashMap<String, String> {
    list.iter()
        .flat_map(|s| {
            let id = s["id"].as_str().unwrap().to_string();
            members(s).into_iter().map(move |a| (a, id.clone()))
        })
        .collect()
}

#[test]
fn stories_that_converge_merge_and_the_merge_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = tempfile::tempdir().unwrap();
    let storm = write_article(
        inputs.path(),
        "storm.md",
        "Storm Daniel floods Benghazi",
        "2023-09-10",
        "Storm Daniel brought torrential rain to Benghazi and the Jebel Akhdar hills of eastern Libya, \
         flooding streets and cutting power lines. Forecasters said Storm Daniel would move east overnight.",
    );
    let dams = write_article(
        inputs.path(),
        "dams.md",
        "Two dams burst above Derna",
        "2023-09-12",
        "Two dams in the Wadi Derna valley gave way, and a wall of water swept whole neighbourhoods of \
         Derna into the sea. Engineers had warned that the Derna dams needed repairs.",
    );
    assert!(run(dir.path(), &["ingest", &storm, &dams]).status.success());
    let before = stories(dir.path());
    assert_eq!(before.len(), 2, "two stories at first: {before:?}");
    // Reports that tell both halves in their own words (not copies of either).
    let bridge_texts = [
        "After Storm Daniel soaked Benghazi and the Jebel Akhdar hills of eastern Libya, the two Derna dams \
         failed and floodwater tore through Derna to the sea; engineers say the Derna dams had long needed repairs.",
        "Torrential rain from Storm Daniel, which flooded Benghazi and cut power in eastern Libya, overwhelmed the \
         Wadi Derna dams. Their collapse sent water through whole neighbourhoods of Derna.",
        "Storm Daniel moved east from Benghazi across the Jebel Akhdar and burst both dams above Derna, whose \
         neighbourhoods were swept into the sea, Libyan engineers and forecasters said.",
    ];
    let bridges: Vec<String> = bridge_texts
        .iter()
        .enumerate()
        .map(|(n, text)| {
            write_article(
                inputs.path(),
                &format!("bridge{n}.md"),
                "Storm Daniel burst the Derna dams after flooding Benghazi",
                "2023-09-13",
                text,
            )
        })
        .collect();
    let mut args = vec!["ingest"];
    args.extend(bridges.iter().map(String::as_str));
    assert!(run(dir.path(), &args).status.success());
    let after = stories(dir.path());
    let (was, now) = (placement(&before), placement(&after));
    assert_eq!(after.len(), 1, "the bridged stories merged: {after:?}");
    let survivor = after[0]["id"].as_str().unwrap();
    let story = json(&run(dir.path(), &["story", survivor, "--json"]));
    let history = story["history"].as_array().unwrap();
    for (article, old) in &was {
        if old != &now[article] {
            assert!(
                history
                    .iter()
                    .any(|e| e["kind"] == "merge" && e["other"] == old.as_str() && e["story"] == survivor),
                "the move of {article} out of {old} is recorded: {history:?}"
            );
        }
    }
    let absorbed = ids(&before).into_iter().find(|id| id != survivor).unwrap();
    let o = run(dir.path(), &["story", &absorbed]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(&format!("merged into story {survivor}")),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
