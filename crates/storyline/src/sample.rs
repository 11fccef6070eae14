//! The sample corpus bundled into the binary for `storyline demo` and tests.
//!
//! The articles under `sample/articles/` were written for storyline by its
//! developers as demonstration text (see `sample/README.md`); they are not
//! copied from any publication.

use include_dir::{include_dir, Dir};
use storyline_core::Limits;
use storyline_ingest::{parse_bytes, Format, Parsed};

static SAMPLE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../sample/articles");

/// Every sample file parsed, in file-name order.
pub fn parsed() -> Vec<Parsed> {
    let mut files: Vec<_> = SAMPLE.files().collect();
    files.sort_by_key(|f| f.path().to_path_buf());
    files
        .into_iter()
        .map(|f| {
            let name = format!("sample/{}", f.path().display());
            parse_bytes(
                &name,
                f.contents(),
                Format::from_path(f.path()),
                &Limits::default(),
            )
        })
        .collect()
}
