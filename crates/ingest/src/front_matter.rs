//! The `---` block of `key: value` lines at the top of text and Markdown files.
//!
//! Only flat `key: value` pairs are read (quoted or not); that is what news
//! exports and static-site generators write for articles. Known keys fill
//! article fields; any other key is kept as metadata.

use serde_json::{Map, Value};
use storyline_core::{ArticleDraft, Published};

/// Splits front matter off `text`: the pairs, the body, and the body's first line number.
pub fn split(text: &str) -> (Vec<(String, String)>, &str, usize) {
    let t = text.trim_start_matches('\u{feff}');
    let Some(rest) = t
        .strip_prefix("---")
        .filter(|r| r.starts_with('\n') || r.starts_with("\r\n"))
    else {
        return (Vec::new(), t, 1);
    };
    let mut pairs = Vec::new();
    let mut consumed = t.len() - rest.len();
    let mut line_no = 1;
    for line in rest.split_inclusive('\n').skip(1).chain(std::iter::once("")) {
        if line.is_empty() {
            // Unclosed block: not front matter after all.
            return (Vec::new(), t, 1);
        }
        consumed += line.len();
        line_no += 1;
        let l = line.trim();
        if l == "---" || l == "..." {
            return (pairs, &t[consumed + 1..], line_no + 1);
        }
        if let Some((k, v)) = l.split_once(':') {
            let v = v.trim().trim_matches(|c| c == '"' || c == '\'').to_string();
            pairs.push((k.trim().to_ascii_lowercase(), v));
        }
    }
    (Vec::new(), t, 1)
}

/// Copies front-matter pairs into a draft. Returns a problem per value that
/// could not be used (an unreadable date).
pub fn apply(pairs: Vec<(String, String)>, draft: &mut ArticleDraft) -> Vec<String> {
    let mut problems = Vec::new();
    let mut metadata = Map::new();
    for (key, value) in pairs {
        if value.is_empty() {
            continue;
        }
        match key.as_str() {
            "title" | "headline" => draft.title = Some(value),
            "date" | "published" | "published_at" | "pubdate" => match Published::parse(&value) {
                Some(p) => draft.published = Some(p),
                None => problems.push(format!("front matter field '{key}': not a date: {value:?}")),
            },
            "url" | "link" | "canonical" => draft.url = Some(value),
            "source" | "site" | "publisher" => draft.source = Some(value),
            "author" | "byline" | "by" => draft.byline = Some(value),
            "lang" | "language" => draft.lang = Some(value),
            "id" => draft.id = Some(value),
            _ => {
                metadata.insert(key, Value::String(value));
            }
        }
    }
    draft.metadata.extend(metadata);
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pairs_and_returns_the_body() {
        let (pairs, body, line) = split("---\ntitle: \"A: B\"\ndate: 2023-06-26\n---\nBody text\n");
        assert_eq!(pairs[0], ("title".into(), "A: B".into()));
        assert_eq!(body, "Body text\n");
        assert_eq!(line, 5);
    }

    #[test]
    fn unclosed_block_is_body() {
        let (pairs, body, _) = split("---\ntitle: x\nno end");
        assert!(pairs.is_empty());
        assert!(body.starts_with("---"));
    }

    #[test]
    fn known_keys_fill_fields_and_others_become_metadata() {
        let mut d = ArticleDraft::default();
        let problems = apply(
            vec![
                ("title".into(), "T".into()),
                ("date".into(), "not a date".into()),
                ("story".into(), "s1".into()),
            ],
            &mut d,
        );
        assert_eq!(d.title.as_deref(), Some("T"));
        assert_eq!(problems.len(), 1);
        assert_eq!(d.metadata["story"], "s1");
    }
}
