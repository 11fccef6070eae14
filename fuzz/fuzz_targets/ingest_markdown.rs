#![no_main]
//! Markdown with front matter.

use libfuzzer_sys::fuzz_target;
use storyline_ingest::Format;

fuzz_target!(|data: &[u8]| storyline_fuzz::ingest(data, Some(Format::Markdown)));
