//! Articles for the engine's tests.

use storyline_core::{Article, ArticleDraft, Published};

/// A finished article `id` with `text`, published on 2023-06-26.
pub fn article(id: &str, text: &str) -> Article {
    ArticleDraft {
        id: Some(id.into()),
        title: Some(format!("Title {id}")),
        text: text.into(),
        published: Published::parse("2023-06-26"),
        ..Default::default()
    }
    .finish()
    .unwrap()
}

/// [`article`]s of `(id, text)` pairs.
pub fn articles(texts: &[(&str, &str)]) -> Vec<Article> {
    texts.iter().map(|(id, text)| article(id, text)).collect()
}
