//! What the ingest fuzz targets share: one input through a parser, then
//! through the bounds and finishing every draft gets in the pipeline.

use storyline_ingest::{parse_bytes, Format};

/// Parses `data` as `format` (sniffed when `None`) and finishes every draft.
pub fn ingest(data: &[u8], format: Option<Format>) {
    let parsed = parse_bytes("fuzz", data, format);
    for located in parsed.drafts {
        let mut draft = located.draft;
        draft.bound();
        let _ = draft.finish();
    }
}
