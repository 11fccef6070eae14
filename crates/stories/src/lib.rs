//! Stories: the articles about one real-world event, grouped as they arrive.
//!
//! `cluster` decides which story each article joins (online, in arrival
//! order, from the Similar Posts signals of `storyline-relate`); `story`
//! summarises a group of articles for readers (headline, key names, sources,
//! timeline); `stream` clusters an endless feed holding only the
//! live stories in memory. Where the assignments are kept is the store's business.

pub mod cluster;
pub mod story;
pub mod stream;
pub mod sync;

pub use cluster::{ClusterOptions, Clustering};
pub use story::{story_id, summarise, SourceCount, Story, TimelineEntry};
pub use stream::{place_round, Decided, IndexBuilder, Round, StoryStream, Window};
pub use sync::{history, Stories};
