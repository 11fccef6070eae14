//! The article model and the text processing every storyline stage shares.
//!
//! This crate owns what an article *is* (its fields, its id, its publication
//! date) and how its text is cut into sentences and index terms. It owns no
//! I/O: reading inputs lives in `storyline-ingest`, keeping articles in
//! `storyline-store`, relating them in `storyline-relate`.

pub mod article;
pub mod entity_term;
pub mod id;
pub mod lang;
pub mod limits;
pub mod link;
pub mod names;
pub mod parallel;
pub mod published;
pub mod sentence;
pub mod terms;
pub mod tuning;

pub use article::{Article, ArticleDraft, Bounded, DraftError, RelatedReference, Section};
pub use entity_term::EntityTerm;
pub use limits::{Deadline, Limit, Limits};
pub use published::Published;
