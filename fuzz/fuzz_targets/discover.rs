#![no_main]
//! Telling a feed, a sitemap, an index and a page apart, and listing their links.

use libfuzzer_sys::fuzz_target;
use storyline_watch::discover::discover;

fuzz_target!(|data: &[u8]| {
    let _ = discover("https://news.example/section/", None, data);
});
