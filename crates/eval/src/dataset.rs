//! Labelled datasets: JSON Lines articles with a `story` field, and the
//! annotated records (any shape) the extraction benchmarks read.

use std::path::Path;
use storyline_core::{Article, Limits};
use storyline_ingest::{parse_bytes, Format};

/// Articles and their story labels (same order).
pub struct Dataset {
    pub name: String,
    pub articles: Vec<Article>,
    pub stories: Vec<Option<String>>,
    /// Records that could not be read, with the reason.
    pub rejected: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("cannot read dataset {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("dataset {path} has no articles with a `story` label")]
    Unlabelled { path: String },
}

/// Reads a JSONL dataset; every article keeps its record id.
pub fn load_dataset(path: &Path) -> Result<Dataset, DatasetError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| DatasetError::Read {
        path: name.clone(),
        source,
    })?;
    let parsed = parse_bytes(&name, &bytes, Some(Format::Jsonl), &Limits::default());
    let mut rejected: Vec<String> = parsed
        .rejected
        .iter()
        .map(|r| format!("line {:?}: {}", r.line, r.reason))
        .collect();
    let mut articles = Vec::new();
    for located in parsed.drafts {
        match located.draft.finish() {
            Ok(a) => articles.push(a),
            Err(e) => rejected.push(format!("line {:?}: {e}", located.line)),
        }
    }
    let stories: Vec<Option<String>> = articles
        .iter()
        .map(|a| a.story_label().map(String::from))
        .collect();
    if stories.iter().all(Option::is_none) {
        return Err(DatasetError::Unlabelled { path: name });
    }
    Ok(Dataset {
        name,
        articles,
        stories,
        rejected,
    })
}

impl Dataset {
    /// For each article, the indexes of the other articles of its story.
    pub fn relevant(&self) -> Vec<Vec<usize>> {
        let mut by_story: std::collections::HashMap<&str, Vec<usize>> = Default::default();
        for (i, s) in self.stories.iter().enumerate() {
            if let Some(s) = s {
                by_story.entry(s).or_default().push(i);
            }
        }
        self.stories
            .iter()
            .enumerate()
            .map(|(i, s)| match s {
                Some(s) => by_story[s.as_str()].iter().copied().filter(|&j| j != i).collect(),
                None => Vec::new(),
            })
            .collect()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RecordsError {
    #[error("cannot read {path}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: line {line}: not a record of this benchmark")]
    Record {
        path: String,
        line: usize,
        source: serde_json::Error,
    },
}

/// Every record of a JSON Lines file (blank lines skipped); the first bad
/// line stops the read, named with its number: a benchmark must not score
/// part of a set silently.
pub fn read_records<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>, RecordsError> {
    let name = path.display().to_string();
    let body = std::fs::read_to_string(path).map_err(|source| RecordsError::Read {
        path: name.clone(),
        source,
    })?;
    body.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str(line).map_err(|source| RecordsError::Record {
                path: name.clone(),
                line: i + 1,
                source,
            })
        })
        .collect()
}
