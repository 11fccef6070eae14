//! The named-entity tagger through the command line: `tag` with the model
//! in the repository, `train ner` and `bench ner` on small data.

mod common;
use common::*;
use std::io::Write;
use std::process::Stdio;

fn tag(args: &[&str], input: &str) -> (bool, String, String) {
    let mut child = bin()
        .arg("tag")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn the_shipped_model_tags_names_and_reports_bad_lines() {
    let input = r#"{"id":"a","tokens":["Vladimir","Putin","met","Alexander","Lukashenko","in","Minsk","."]}
{"id":"b","tokens":["Reuters","reported","from","Beijing","."]}
{"tokens":
"#;
    let (ok, out, err) = tag(&[], input);
    assert!(!ok, "a bad line makes the run fail");
    assert!(err.contains("line 3"), "{err}");
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2, "good lines are still tagged");
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[0]["ner"][0], "B-PER");
    assert_eq!(lines[0]["ner"][1], "I-PER");
    assert_eq!(lines[0]["ner"][6], "B-LOC");
    assert_eq!(lines[1]["ner"][3], "B-LOC");
    assert_eq!(lines[1]["ner"].as_array().unwrap().len(), 5);
}

/// `train.jsonl` in `dir`: the sentences (words and their tags, each
/// split on spaces) as `{"tokens","ner"}` lines.
fn tagged_file(dir: &std::path::Path, sentences: &[(&str, &str)]) -> std::path::PathBuf {
    let mut lines = String::new();
    for (words, tags) in sentences {
        let tokens: Vec<&str> = words.split(' ').collect();
        let ner: Vec<&str> = tags.split(' ').collect();
        lines.push_str(&serde_json::json!({"tokens": tokens, "ner": ner}).to_string());
        lines.push('\n');
    }
    let path = dir.join("train.jsonl");
    std::fs::write(&path, &lines).unwrap();
    path
}

#[test]
fn train_then_tag_then_bench_on_small_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = tagged_file(
        dir.path(),
        &[
            ("Putin met Lukashenko in Minsk .", "B-PER O B-PER O B-LOC O"),
            ("Vladimir Putin visited Moscow .", "B-PER I-PER O B-LOC O"),
            ("The Wagner Group left Rostov .", "O B-ORG I-ORG O B-LOC O"),
            ("Reuters reported from Minsk .", "B-ORG O O B-LOC O"),
        ],
    );
    let model = dir.path().join("m.bin");
    let o = bin()
        .args(["train", "ner", "--epochs", "10", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&model)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (ok, out, _) = tag(
        &["--model", model.to_str().unwrap()],
        "{\"id\":1,\"tokens\":[\"Putin\",\"visited\",\"Minsk\",\".\"]}\n",
    );
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["ner"], serde_json::json!(["B-PER", "O", "B-LOC", "O"]));

    let o = bin()
        .args(["bench", "ner", "--json", "--dataset"])
        .arg(&data)
        .arg("--train")
        .arg(&data)
        .arg("--model")
        .arg(&model)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["task"], "ner");
    assert_eq!(
        r["systems"]["storyline"]["f1"], 1.0,
        "it learned its own training data"
    );
    assert!(r["systems"]["baseline"]["f1"].as_f64().unwrap() > 0.0);
    assert!(r["tokens_per_s"].as_f64().unwrap() > 0.0);

    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"tokens\":[\"a\",\"b\"],\"ner\":[\"O\"]}\n").unwrap();
    let o = bin()
        .args(["train", "ner", "--data"])
        .arg(&bad)
        .arg("--out")
        .arg(&model)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("line 1"));
}

#[test]
fn gazetteers_go_into_the_model_and_folds_give_an_untuned_figure() {
    let dir = tempfile::tempdir().unwrap();
    let data = tagged_file(
        dir.path(),
        &[
            ("Putin met Lukashenko in Minsk .", "B-PER O B-PER O B-LOC O"),
            ("Vladimir Putin visited Moscow .", "B-PER I-PER O B-LOC O"),
            ("Reuters reported from Minsk .", "B-ORG O O B-LOC O"),
            ("Lukashenko spoke in Moscow .", "B-PER O O B-LOC O"),
        ],
    );
    let lists = dir.path().join("lists.tsv");
    std::fs::write(&lists, "loc.city\tMinsk\nloc.city\tMoscow\nper.first\tVladimir\n").unwrap();
    let model = dir.path().join("m.bin");
    let train = |lists: &std::path::Path| {
        bin()
            .args(["train", "ner", "--epochs", "5", "--data"])
            .arg(&data)
            .arg("--out")
            .arg(&model)
            .arg("--gazetteers")
            .arg(lists)
            .output()
            .unwrap()
    };
    let o = train(&lists);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let trained = std::fs::metadata(&model).unwrap().len();

    let o = bin()
        .args([
            "bench",
            "ner",
            "--json",
            "--folds",
            "2",
            "--epochs",
            "5",
            "--dataset",
        ])
        .arg(&data)
        .arg("--train")
        .arg(&data)
        .arg("--model")
        .arg(&model)
        .arg("--gazetteers")
        .arg(&lists)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let untuned = &r["untuned"];
    assert!(untuned["what"].as_str().unwrap().contains("2-fold"), "{r}");
    let f1 = untuned["storyline"]["f1"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&f1), "{r}");

    let bad = dir.path().join("bad.tsv");
    std::fs::write(&bad, "loc.city\tMinsk\nMoscow\n").unwrap();
    let o = train(&bad);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.tsv") && err.contains("line 2"), "{err}");
    assert_eq!(
        std::fs::metadata(&model).unwrap().len(),
        trained,
        "a failed training leaves the model as it was"
    );
}

/// The sample corpus, ingested into a fresh store in `dir`.
fn sample_store(dir: &std::path::Path) {
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample");
    let o = run(dir, &["ingest", "--no-stories", sample.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn entities_are_linked_across_articles_with_stable_ids() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    sample_store(a.path());
    sample_store(b.path());
    let list = |dir: &std::path::Path| -> Vec<serde_json::Value> {
        let o = run(dir, &["entities", "--json"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        stdout(&o)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let first = list(a.path());
    assert_eq!(first, list(b.path()), "the same articles give the same ids");
    let prigozhin = first
        .iter()
        .find(|e| e["name"].as_str().unwrap().ends_with("Prigozhin"))
        .expect("Prigozhin is named in the sample");
    assert_eq!(prigozhin["type"], "PERSON");
    assert!(prigozhin["articles"].as_u64().unwrap() >= 3, "{prigozhin}");
    // One entity for every way the sample writes him.
    assert_eq!(
        first
            .iter()
            .filter(|e| e["type"] == "PERSON" && e["name"].as_str().unwrap().contains("Prigozhin"))
            .count(),
        1
    );
    let o = run(a.path(), &["entity", "prigozhin", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let one = json(&o);
    assert_eq!(one["id"], prigozhin["id"], "found by an alias");
    assert_eq!(
        one["articles"].as_array().unwrap().len() as u64,
        prigozhin["articles"].as_u64().unwrap()
    );
    assert_eq!(one["article_count"], prigozhin["articles"]);
    assert!(one["next_cursor"].is_null());
    // Listing fewer keeps the totals and lists the newest.
    let o = run(a.path(), &["entity", "prigozhin", "--json", "--limit", "2"]);
    let two = json(&o);
    assert_eq!(two["article_count"], prigozhin["articles"]);
    assert_eq!(two["mention_count"], prigozhin["mentions"]);
    let all = one["articles"].as_array().unwrap();
    assert_eq!(two["articles"].as_array().unwrap()[..], all[all.len() - 2..]);
    assert!(two["next_cursor"].is_string());
    let o = run(a.path(), &["entity", "prigozhin", "--limit", "1"]);
    assert!(stdout(&o).contains("(the newest 1 listed)"), "{}", stdout(&o));
    let o = run(a.path(), &["entity", "nobody-by-this-name"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no entity"));
}
