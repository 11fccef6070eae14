#![no_main]
//! Any input, its format told from its bytes, as `storyline ingest -` does.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| storyline_fuzz::ingest(data, None));
