//! The flagship example: the seed article ingested and shown as a reader expects.

mod common;
use common::*;

#[test]
fn seed_article_has_derived_title_four_headings_and_five_references() {
    let Some(seed) = shared("examples/seed-article.txt") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["ingest", "--json", seed.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(json(&o)["ingested"], 1);

    let ids = stdout(&run(dir.path(), &["list", "--json"]));
    let id = serde_json::from_str::<serde_json::Value>(ids.lines().next().unwrap()).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let a = json(&run(dir.path(), &["show", "--json", &id]));
    assert_eq!(a["title_derived"], true);
    assert!(a["title"]
        .as_str()
        .unwrap()
        .starts_with("In a show of solidarity, Beijing has declared"));
    let headings: Vec<&str> = a["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["heading"].as_str())
        .collect();
    assert_eq!(
        headings,
        vec![
            "China’s Official Statement:",
            "High-Level Talks Between Beijing and Moscow:",
            "The Wagner Private Military Company’s Uprising:",
            "President Putin’s Response and Resolution:",
        ]
    );
    let refs: Vec<&str> = a["related_references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    assert_eq!(refs.len(), 5);
    assert_eq!(
        refs[1],
        "Russian Security Agency Closes Investigation into Mercenary Mutiny"
    );
    assert!(refs[4].starts_with("Wagner Private Military Company Founder Evgeniy Prigozhin"));
    let text = a["text"].as_str().unwrap();
    assert!(!text.contains("Similar Posts"), "the trailer is not body text");
    assert!(!text.contains(refs[1]));
    assert!(text.contains("march of justice"));

    // The human view shows the same.
    let human = stdout(&run(dir.path(), &["show", &id]));
    assert!(human.contains("(title derived from the first sentence)"));
    assert!(human.contains("## President Putin’s Response and Resolution:"));
    assert!(human.contains("- Kremlin Confirms Meeting Between Putin and Prigozhin"));
}
