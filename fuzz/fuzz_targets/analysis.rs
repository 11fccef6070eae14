#![no_main]
//! The whole analysis of an article: entities (with the NER model, loaded
//! once from `STORYLINE_NER_MODEL` or the repository's `models/`),
//! statements, quotes with speakers, dates and events.

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;
use storyline_extract::analysis::analyse;
use storyline_extract::ner::Tagger;

fn tagger() -> &'static Tagger {
    static TAGGER: OnceLock<Tagger> = OnceLock::new();
    TAGGER.get_or_init(|| {
        let path = std::env::var_os("STORYLINE_NER_MODEL")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../models/ner-conll2003.bin"));
        Tagger::load(&path).unwrap_or_else(|e| panic!("the NER model at {}: {e}", path.display()))
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let a = analyse(Some(tagger()), text, NaiveDate::from_ymd_opt(2023, 6, 26));
    // Every fact's evidence lies inside the text (offsets count characters).
    let chars = text.chars().count();
    for q in &a.quotes {
        assert!(q.start <= q.end && q.end <= chars, "{q:?}");
    }
    for t in &a.timexes {
        assert!(t.start <= t.end && t.end <= chars, "{t:?}");
    }
});
