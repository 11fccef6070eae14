//! Relating articles to each other.
//!
//! This crate owns the lexical index over stored articles and the Similar
//! Posts built on it. It reads articles and never writes them: everything
//! here can be rebuilt from a store at any time.

pub mod lexical;
pub mod similar;

pub use lexical::{IndexOptions, LexicalIndex};
pub use similar::{SimilarPost, SimilarPosts, Why};
