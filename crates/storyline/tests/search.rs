//! `storyline search` over the sample corpus: ranked matches with marked
//! snippets, filters, JSON Lines, and grep's exit codes.

mod common;
use common::*;

#[test]
fn search_ranks_filters_and_exits_like_grep() {
    let dir = tempfile::tempdir().unwrap();
    assert!(run(dir.path(), &["demo", "--no-serve"]).status.success());

    let found = run(dir.path(), &["search", "Wagner", "mutiny", "--json"]);
    assert!(
        found.status.success(),
        "{}",
        String::from_utf8_lossy(&found.stderr)
    );
    let hits: Vec<serde_json::Value> = stdout(&found)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(hits.len() >= 3, "{hits:?}");
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first: {scores:?}");
    for h in &hits {
        let text = format!("{} {}", h["title"], h["snippet"]).to_lowercase();
        assert!(text.contains("wagner") || text.contains("mutiny"), "{h}");
        assert!(
            !h["snippet"].as_str().unwrap().contains('\u{2}'),
            "no marks in JSON"
        );
    }

    // Human output marks the matched words.
    let human = stdout(&run(dir.path(), &["search", "Wagner", "-n", "1"]));
    assert_eq!(human.lines().count(), 2, "{human}");
    assert!(human.contains("*Wagner*"), "{human}");

    // A filter that excludes every match, and a word found nowhere: exit 1, no output.
    let none = run(dir.path(), &["search", "Wagner", "--to", "2023-01-01"]);
    assert_eq!(none.status.code(), Some(1));
    assert!(stdout(&none).is_empty());
    assert_eq!(run(dir.path(), &["search", "zzqxv"]).status.code(), Some(1));

    // A bad date is an error that names the flag.
    let bad = run(dir.path(), &["search", "Wagner", "--from", "June"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--from"));
}
