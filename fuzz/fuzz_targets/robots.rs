#![no_main]
//! robots.txt files, parsed and matched as the watcher does.

use libfuzzer_sys::fuzz_target;
use storyline_watch::robots::verdict_of;

fuzz_target!(|data: &[u8]| {
    for url in ["https://news.example/", "https://news.example/private/a?b=c", "https://news.example/%E2%82%AC"] {
        let _ = verdict_of("storyline", data, url);
    }
});
