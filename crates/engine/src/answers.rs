//! Similar Posts answers a serving engine keeps, so that an article page
//! viewed again is not ranked again: each answer is kept for the version
//! of the on-disk index it was ranked on (see `DiskIndex::version`) and
//! for the story mates it was given, and all are dropped when the index
//! moves on (a commit of new or changed articles, a merge). At most
//! [`KEPT`] answers, the least recently asked going first.
//!
//! Not here: ranking (`storyline_relate`), or when the index is reloaded
//! (`Engine::opened_index`).

use lru::LruCache;
use std::num::NonZeroUsize;
use std::sync::Mutex;
use storyline_relate::{Filter, SimilarPosts};

/// Answers kept at most: a few kilobytes each.
pub const KEPT: usize = 4096;

/// What a Similar Posts answer was asked with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Asked {
    pub id: String,
    pub k: usize,
    pub filter: Filter,
    /// The article's story mates as the store holds them now (they rank up).
    pub mates: Vec<String>,
}

/// Kept answers, for one index version at a time.
pub struct Answers {
    kept: Mutex<(u64, LruCache<Asked, Option<SimilarPosts>>)>,
}

impl Default for Answers {
    fn default() -> Self {
        Answers::with_room(KEPT)
    }
}

impl Answers {
    /// Answers keeping at most `room` (at least one).
    pub fn with_room(room: usize) -> Answers {
        let room = NonZeroUsize::new(room.max(1)).expect("at least one");
        Answers {
            kept: Mutex::new((0, LruCache::new(room))),
        }
    }

    /// The answer kept for `asked` on index `version`, if any.
    pub fn get(&self, version: u64, asked: &Asked) -> Option<Option<SimilarPosts>> {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if kept.0 != version {
            return None;
        }
        kept.1.get(asked).cloned()
    }

    /// Keeps `answer` to `asked` on index `version`; answers kept for
    /// another version are dropped.
    pub fn keep(&self, version: u64, asked: Asked, answer: Option<SimilarPosts>) {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if kept.0 != version {
            kept.0 = version;
            kept.1.clear();
        }
        kept.1.put(asked, answer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(id: &str) -> Asked {
        Asked {
            id: id.into(),
            k: 5,
            filter: Filter::default(),
            mates: Vec::new(),
        }
    }

    #[test]
    fn an_answer_holds_for_its_index_version_and_what_it_was_asked_with() {
        let answers = Answers::with_room(2);
        answers.keep(7, asked("a"), None);
        assert_eq!(answers.get(7, &asked("a")), Some(None));
        assert_eq!(answers.get(8, &asked("a")), None, "another index version");
        let mut with_mates = asked("a");
        with_mates.mates = vec!["b".into()];
        assert_eq!(answers.get(7, &with_mates), None, "other story mates");
        let mut narrower = asked("a");
        narrower.filter.max_days_apart = Some(3);
        assert_eq!(answers.get(7, &narrower), None, "another filter");
        // Room for two: the least recently asked goes.
        answers.keep(7, asked("b"), None);
        assert!(answers.get(7, &asked("a")).is_some());
        answers.keep(7, asked("c"), None);
        assert_eq!(answers.get(7, &asked("b")), None);
        assert!(answers.get(7, &asked("a")).is_some() && answers.get(7, &asked("c")).is_some());
        // A new version drops every answer of the old one.
        answers.keep(9, asked("d"), None);
        assert_eq!(answers.get(9, &asked("a")), None);
        assert_eq!(answers.get(7, &asked("d")), None);
    }
}
