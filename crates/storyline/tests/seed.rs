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

/// The expected extraction of the seed and what `extract --json` gives for
/// it (with the publication date the expectations assume), when `../shared`
/// is there.
fn seed_extraction() -> Option<(serde_json::Value, serde_json::Value)> {
    let seed = shared("examples/seed-article.txt")?;
    let expected = shared("examples/seed-article.expected.json")?;
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(expected).unwrap()).unwrap();
    let published = expected["published"].as_str().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        dir.path(),
        &[
            "extract",
            "--json",
            "--published",
            &published,
            seed.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    Some((expected, json(&o)))
}

/// Lower case, typographic quotes and apostrophes as plain ones (the
/// comparison `seed-article.expected.json` asks for).
fn plain(s: &str) -> String {
    s.to_lowercase()
        .replace(['’', '‘'], "'")
        .replace(['“', '”'], "\"")
}

#[test]
fn seed_entities_are_found_with_types_roles_aliases_and_offsets() {
    let Some((expected, a)) = seed_extraction() else {
        return;
    };
    let text: Vec<char> = a["text"].as_str().unwrap().chars().collect();
    let found = a["entities"].as_array().expect("entities are extracted");
    for e in found {
        for m in e["mentions"].as_array().unwrap() {
            let (s, t) = (
                m["start"].as_u64().unwrap() as usize,
                m["end"].as_u64().unwrap() as usize,
            );
            let at: String = text[s..t].iter().collect();
            assert_eq!(
                at,
                m["text"].as_str().unwrap(),
                "offsets are character offsets into text"
            );
        }
    }
    let names_of = |e: &serde_json::Value| -> Vec<String> {
        std::iter::once(&e["name"])
            .chain(e["aliases"].as_array().unwrap())
            .map(|n| plain(n.as_str().unwrap()))
            .collect()
    };
    let mut missing = Vec::new();
    for want in expected["entities"].as_array().unwrap() {
        let wanted: Vec<String> = std::iter::once(&want["name"])
            .chain(want["aliases"].as_array().unwrap())
            .map(|n| plain(n.as_str().unwrap()))
            .collect();
        let hit = found.iter().find(|e| {
            e["type"] == want["type"]
                && names_of(e).iter().any(|n| wanted.contains(n))
                && want["role_contains"].as_str().is_none_or(|r| {
                    e["roles"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|role| plain(role.as_str().unwrap()).contains(&plain(r)))
                })
        });
        if hit.is_none() {
            missing.push(want["name"].as_str().unwrap().to_string());
        }
    }
    assert!(
        missing.is_empty(),
        "not extracted: {missing:?}\nfound: {found:#?}"
    );
}

#[test]
fn seed_dates_resolve_against_the_publication_date() {
    let Some((expected, a)) = seed_extraction() else {
        return;
    };
    let text: Vec<char> = a["text"].as_str().unwrap().chars().collect();
    let timexes = a["timexes"].as_array().expect("timexes are extracted");
    for t in timexes {
        let (s, e) = (
            t["start"].as_u64().unwrap() as usize,
            t["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(text[s..e].iter().collect::<String>(), t["text"].as_str().unwrap());
    }
    for want in expected["dates"].as_array().unwrap() {
        let phrase = plain(want["text"].as_str().unwrap());
        let date = want["date"].as_str().unwrap();
        let hit = timexes.iter().any(|t| {
            let found = plain(t["text"].as_str().unwrap());
            (phrase.contains(&found) || found.contains(&phrase))
                && t["value"].as_str().unwrap().starts_with(date)
        });
        assert!(hit, "{phrase:?} → {date} not found in {timexes:#?}");
    }
}

#[test]
fn seed_quotes_have_their_speakers_and_offsets() {
    let Some((expected, a)) = seed_extraction() else {
        return;
    };
    let text: Vec<char> = a["text"].as_str().unwrap().chars().collect();
    let quotes = a["quotes"].as_array().expect("quotes are extracted");
    let at = |v: &serde_json::Value| -> String {
        let (s, e) = (
            v["start"].as_u64().unwrap() as usize,
            v["end"].as_u64().unwrap() as usize,
        );
        text[s..e].iter().collect()
    };
    for q in quotes {
        assert_eq!(at(q), q["text"].as_str().unwrap(), "quote offsets");
    }
    for want in expected["quotes"].as_array().unwrap() {
        let wanted = plain(want["text"].as_str().unwrap());
        let accepts: Vec<String> = want["speaker_accepts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| plain(s.as_str().unwrap()))
            .collect();
        let found = quotes
            .iter()
            .find(|q| {
                plain(q["text"].as_str().unwrap()).trim_end_matches('.') == wanted.trim_end_matches('.')
            })
            .unwrap_or_else(|| panic!("quote {wanted:?} not found in {quotes:#?}"));
        let speaker = &found["speaker"];
        assert!(speaker.is_object(), "{wanted:?} has no speaker");
        let name = plain(speaker["name"].as_str().unwrap());
        let mention = plain(&at(speaker));
        assert!(
            accepts.contains(&name) || accepts.iter().any(|a| mention.ends_with(a.as_str())),
            "{wanted:?}: speaker {name:?} ({mention:?}) not in {accepts:?}"
        );
    }
}

/// The names `seed-article.expected.json` accepts for `name`: it and the
/// aliases listed with it.
fn accepted_names(expected: &serde_json::Value, name: &str) -> Vec<String> {
    let listed = expected["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name);
    std::iter::once(name.to_string())
        .chain(
            listed
                .map(|e| e["aliases"].as_array().unwrap().clone())
                .unwrap_or_default()
                .iter()
                .map(|a| a.as_str().unwrap().to_string()),
        )
        .map(|n| plain(&n))
        .collect()
}

/// Whether the party (`{"name","entity_id"}`) found is one of `accepted`:
/// by its name or any alias of its entity.
fn is_one_of(a: &serde_json::Value, party: &serde_json::Value, accepted: &[String]) -> bool {
    let Some(name) = party["name"].as_str() else {
        return false;
    };
    let entity = a["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == party["entity_id"]);
    std::iter::once(name.to_string())
        .chain(
            entity
                .map(|e| e["aliases"].as_array().unwrap().clone())
                .unwrap_or_default()
                .iter()
                .map(|a| a.as_str().unwrap().to_string()),
        )
        .any(|n| accepted.contains(&plain(&n)))
}

#[test]
fn seed_statements_have_speaker_stance_target_and_evidence() {
    let Some((expected, a)) = seed_extraction() else {
        return;
    };
    let text: Vec<char> = a["text"].as_str().unwrap().chars().collect();
    let statements = a["statements"].as_array().expect("statements are extracted");
    for s in statements {
        let (start, end) = (
            s["start"].as_u64().unwrap() as usize,
            s["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            text[start..end].iter().collect::<String>(),
            s["evidence"].as_str().unwrap()
        );
        let (cs, ce) = (
            s["content"]["start"].as_u64().unwrap() as usize,
            s["content"]["end"].as_u64().unwrap() as usize,
        );
        assert!(
            start <= cs && ce <= end && cs < ce,
            "content inside the evidence: {s:#}"
        );
    }
    for want in expected["statements"].as_array().unwrap() {
        let speakers = accepted_names(&expected, want["speaker"].as_str().unwrap());
        let targets = accepted_names(&expected, want["target"].as_str().unwrap());
        let hit = statements.iter().any(|s| {
            s["stance"] == want["stance"]
                && is_one_of(&a, &s["speaker"], &speakers)
                && is_one_of(&a, &s["target"], &targets)
        });
        assert!(hit, "statement {want} not found in {statements:#?}");
    }
}

#[test]
fn seed_events_have_date_actor_action_and_evidence() {
    let Some((expected, a)) = seed_extraction() else {
        return;
    };
    let text: Vec<char> = a["text"].as_str().unwrap().chars().collect();
    let events = a["events"].as_array().expect("events are extracted");
    for e in events {
        let (start, end) = (
            e["start"].as_u64().unwrap() as usize,
            e["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            text[start..end].iter().collect::<String>(),
            e["evidence"].as_str().unwrap()
        );
    }
    for want in expected["events"].as_array().unwrap() {
        let actors = accepted_names(&expected, want["actor"].as_str().unwrap());
        let what = plain(want["what_contains"].as_str().unwrap());
        let hit = events.iter().any(|e| {
            e["date"] == want["date"]
                && plain(e["action"].as_str().unwrap()).contains(&what)
                && e["actors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| is_one_of(&a, p, &actors))
        });
        assert!(hit, "event {want} not found in {events:#?}");
    }
}
