#![no_main]
//! RSS, Atom and JSON Feed documents.

use libfuzzer_sys::fuzz_target;
use storyline_ingest::Format;

fuzz_target!(|data: &[u8]| storyline_fuzz::ingest(data, Some(Format::Feed)));
