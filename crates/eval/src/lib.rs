//! Measuring storyline: standard metrics, the baselines they are compared
//! with, and the benchmark runs that print both side by side.
//!
//! A quality claim is only as good as its baseline computed in the same run
//! on the same data; this crate owns both halves so they cannot drift apart.
//! It reads labelled datasets (JSON Lines in the shared article format) and
//! never touches a store.

pub mod baselines;
pub mod clustering;
pub mod dataset;
pub mod events_bench;
pub mod extract_bench;
pub mod linked;
pub mod main_text_bench;
pub mod metrics;
pub mod quotes_bench;
pub mod resources;
pub mod scale_bench;
pub mod similar_bench;
pub mod stories_bench;
pub mod synthetic;
pub mod time_bench;
pub mod trafilatura;
pub mod wcxb_bench;

pub use dataset::{load_dataset, Dataset, DatasetError};
