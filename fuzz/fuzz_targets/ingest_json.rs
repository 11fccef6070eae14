#![no_main]
//! JSON, JSON Lines and JSON Feed records.
//! Every draft is bounded and finished as the ingest pipeline does.

use libfuzzer_sys::fuzz_target;
use storyline_ingest::{parse_bytes, Format};

fn parse(data: &[u8], format: Option<Format>) {
    let parsed = parse_bytes("fuzz", data, format);
    for located in parsed.drafts {
        let mut draft = located.draft;
        draft.bound();
        let _ = draft.finish();
    }
}

fuzz_target!(|data: &[u8]| {
    parse(data, Some(Format::Json));
});
