#![no_main]
//! Publication dates as feeds, pages and datasets write them, dates in URL
//! paths, and the link policy every emitted URL passes.

use libfuzzer_sys::fuzz_target;
use storyline_core::link::web_link;
use storyline_core::Published;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(p) = Published::parse(text) {
        // What is read back from its own form is the same date.
        assert_eq!(Published::parse(&p.to_string()), Some(p), "{text:?}");
    }
    let _ = Published::parse_prefix(text);
    let _ = storyline_ingest::html::date_in_url(text);
    if let Ok(link) = web_link(text) {
        assert!(web_link(&link).is_ok(), "a kept link passes again: {link:?}");
    }
});
