//! Generated news-like articles for benchmarks and crash tests.
//!
//! Deterministic for a given index (a fixed-seed xorshift generator), so two
//! runs measure the same input. Word frequencies follow Zipf's law over a
//! 30,000-word pseudo-vocabulary, as real text does, so posting lists have
//! realistic lengths. Articles come in stories of eight: each story has its
//! own names and topic words that recur in its articles, as coverage of one
//! event does. Days follow one another, so a story's articles share a
//! day and the stream moves on.

use serde_json::json;
use std::sync::OnceLock;

const VOCABULARY: usize = 30_000;
const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ra", "te", "su", "no", "vi", "da", "pe", "ro", "li", "ta", "ne", "mo", "sa", "ri",
    "ga", "be", "zu", "fa", "ho", "ke", "ju",
];
const STORY_SIZE: usize = 8;
/// Stories starting each day: 320 articles a day, a large newsroom's or a
/// small aggregator's volume, one day after another from 2024-01-01, so a
/// stream of them leaves dormant stories behind as real news does.
const STORIES_PER_DAY: usize = 40;

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The `rank`-th word of the pseudo-vocabulary.
fn word(rank: usize) -> String {
    let mut w = String::new();
    let mut r = rank;
    loop {
        w.push_str(SYLLABLES[r % SYLLABLES.len()]);
        r /= SYLLABLES.len();
        if r == 0 {
            break;
        }
    }
    w
}

/// Cumulative Zipf (s = 1.05) probabilities over the vocabulary.
fn zipf_cdf() -> &'static [f64] {
    static CDF: OnceLock<Vec<f64>> = OnceLock::new();
    CDF.get_or_init(|| {
        let weights: Vec<f64> = (1..=VOCABULARY).map(|r| 1.0 / (r as f64).powf(1.05)).collect();
        let total: f64 = weights.iter().sum();
        let mut acc = 0.0;
        weights
            .iter()
            .map(|w| {
                acc += w / total;
                acc
            })
            .collect()
    })
}

fn zipf_word(rng: &mut Rng) -> usize {
    let u = rng.unit();
    zipf_cdf().partition_point(|&c| c < u).min(VOCABULARY - 1)
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// The `i`-th generated article as a JSON Lines record.
pub fn article(i: usize) -> serde_json::Value {
    let story = i / STORY_SIZE;
    let mut story_rng = Rng::new(0xD1B5_4A32_D192_ED03 ^ story as u64);
    let names: Vec<String> = (0..4)
        .map(|_| {
            format!(
                "{} {}",
                capitalise(&word(2000 + story_rng.below(20_000))),
                capitalise(&word(story_rng.below(VOCABULARY)))
            )
        })
        .collect();
    let topic: Vec<String> = (0..12).map(|_| word(300 + story_rng.below(10_000))).collect();
    let mut rng = Rng::new(0x2545_F491_4F6C_DD1D ^ i as u64);
    let title = format!(
        "{} {} {} {}",
        names[0],
        topic[rng.below(12)],
        word(zipf_word(&mut rng)),
        topic[rng.below(12)]
    );
    let paragraphs: Vec<String> = (0..3 + rng.below(4))
        .map(|_| {
            (0..3 + rng.below(3))
                .map(|_| {
                    let mut words: Vec<String> = (0..8 + rng.below(12))
                        .map(|_| word(zipf_word(&mut rng)))
                        .collect();
                    let at = rng.below(words.len());
                    words[at] = if rng.below(3) == 0 {
                        names[rng.below(4)].clone()
                    } else {
                        topic[rng.below(12)].clone()
                    };
                    words[0] = capitalise(&words[0]);
                    words.join(" ") + "."
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let day = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).expect("valid date")
        + chrono::Days::new((story / STORIES_PER_DAY) as u64);
    json!({
        "id": format!("gen-{i:07}"),
        "title": title,
        "text": paragraphs.join("\n"),
        "published": format!("{day}T{:02}:00:00Z", i % 24),
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
        let first_name = |a: &serde_json::Value| {
            a["title"]
                .as_str()
                .unwrap()
                .split(' ')
                .take(2)
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(first_name(&article(0)), first_name(&article(5)));
    }

    #[test]
    fn word_frequencies_are_skewed() {
        let mut rng = Rng::new(1);
        let draws: Vec<usize> = (0..10_000).map(|_| zipf_word(&mut rng)).collect();
        let top10 = draws.iter().filter(|&&r| r < 10).count();
        assert!(top10 > 1500 && top10 < 4000, "{top10}");
    }
}
