#![no_main]
//! Sitemaps, news sitemaps and sitemap indexes, and their W3C dates.

use libfuzzer_sys::fuzz_target;
use storyline_watch::sitemap;

fuzz_target!(|data: &[u8]| {
    let _ = sitemap::parse(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = sitemap::w3c_datetime(text);
    }
});
