#![no_main]
//! Temporal expressions, resolved against a publication date.

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use storyline_extract::timex;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let published = NaiveDate::from_ymd_opt(2023, 6, 26);
    // Offsets count characters; each span is the expression's own text.
    let chars: Vec<char> = text.chars().collect();
    for t in timex::extract(text, published) {
        assert!(t.start <= t.end && t.end <= chars.len(), "{t:?}");
        assert_eq!(chars[t.start..t.end].iter().collect::<String>(), t.text);
    }
    let _ = timex::extract(text, None);
});
