//! Relating articles to each other.
//!
//! This crate owns the article index (word and name vectors) over stored articles and the Similar
//! Posts built on it. It reads articles and never writes them: everything
//! here can be rebuilt from a store at any time.

pub mod article_terms;
pub mod disk;
pub mod index;
pub mod near_duplicates;
mod scratch;
pub mod similar;

pub use index::{ArticleIndex, IndexOptions};
pub use similar::{Filter, SimilarPost, SimilarPosts, Why};
