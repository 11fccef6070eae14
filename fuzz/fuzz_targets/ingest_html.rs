#![no_main]
//! Web pages: decoding, pruning, the tree builder and main-text extraction.

use libfuzzer_sys::fuzz_target;
use storyline_ingest::Format;

fuzz_target!(|data: &[u8]| storyline_fuzz::ingest(data, Some(Format::Html)));
