//! Generated news-like articles for benchmarks and crash tests.
//!
//! Deterministic for a given count (a fixed-seed xorshift generator), so two
//! runs measure the same input. Articles belong to stories: each story has
//! its own key words that recur in its articles, as real coverage does.

use serde_json::json;

const COMMON: &[&str] = &[
    "the",
    "officials",
    "said",
    "on",
    "government",
    "minister",
    "talks",
    "city",
    "report",
    "police",
    "people",
    "week",
    "after",
    "meeting",
    "agreement",
    "plan",
    "council",
    "court",
    "vote",
    "market",
    "prices",
    "workers",
    "company",
    "statement",
    "region",
    "forces",
    "crisis",
    "aid",
    "residents",
    "announced",
    "confirmed",
    "denied",
    "warned",
    "support",
    "security",
    "election",
    "budget",
    "union",
    "strike",
    "storm",
    "flood",
    "border",
    "trade",
    "energy",
    "health",
    "hospital",
    "school",
    "bridge",
    "rail",
    "port",
    "bank",
    "rates",
    "investigation",
    "leaders",
    "summit",
    "protest",
    "ceasefire",
    "negotiations",
    "spokesperson",
    "ministry",
    "parliament",
    "judge",
    "ruling",
    "inquiry",
    "damage",
];
const NAMES: &[&str] = &[
    "Aldermoor",
    "Brisca",
    "Castellan",
    "Dunmore",
    "Elvira",
    "Fennick",
    "Galdor",
    "Harwick",
    "Isolde",
    "Jarrow",
    "Kestrel",
    "Lindqvist",
    "Moravec",
    "Nakamura",
    "Okonkwo",
    "Petrova",
    "Quintero",
    "Rasmussen",
    "Sokolov",
    "Tanaka",
    "Umberto",
    "Valdez",
    "Whitcombe",
    "Xiomara",
    "Yardley",
    "Zelenko",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

/// The `i`-th generated article as a JSON Lines record.
pub fn article(i: usize) -> serde_json::Value {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (i as u64).wrapping_mul(0x2545_F491_4F6C_DD1D) | 1);
    let story = i / 8;
    let mut story_rng = Rng(0xD1B5_4A32_D192_ED03 ^ (story as u64).wrapping_mul(0x9E37_79B9) | 1);
    let keys: Vec<&str> = (0..4).map(|_| story_rng.pick(NAMES)).collect();
    let title = format!(
        "{} {} {} {}",
        keys[0],
        rng.pick(COMMON),
        keys[1],
        rng.pick(COMMON)
    );
    let mut paragraphs = Vec::new();
    for _ in 0..5 {
        let mut sentences = Vec::new();
        for _ in 0..4 {
            let mut words: Vec<&str> = (0..12).map(|_| rng.pick(COMMON)).collect();
            let at = (rng.next() % 12) as usize;
            words[at] = keys[(rng.next() % 4) as usize];
            let mut s = words.join(" ");
            s[..1].make_ascii_uppercase();
            s.push('.');
            sentences.push(s);
        }
        paragraphs.push(sentences.join(" "));
    }
    let day = 1 + (story % 28);
    let month = 1 + (story / 28) % 12;
    json!({
        "id": format!("gen-{i:07}"),
        "title": title,
        "text": paragraphs.join("\n"),
        "published": format!("2024-{month:02}-{day:02}T{:02}:00:00Z", i % 24),
        "lang": "en",
        "source": format!("Generated Wire {}", i % 5),
        "url": format!("https://generated.example/{story}/{i}"),
        "story": format!("story-{story}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_stories_share_names() {
        assert_eq!(article(3), article(3));
        assert_ne!(article(3)["text"], article(4)["text"]);
        assert_eq!(article(0)["story"], article(7)["story"]);
        assert_ne!(article(0)["story"], article(8)["story"]);
    }
}
