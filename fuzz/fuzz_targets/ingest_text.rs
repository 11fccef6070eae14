#![no_main]
//! Plain text: the paragraph and title rules.

use libfuzzer_sys::fuzz_target;
use storyline_ingest::Format;

fuzz_target!(|data: &[u8]| storyline_fuzz::ingest(data, Some(Format::Text)));
