//! What the ingest fuzz targets share: one input through a parser, then
//! through the bounds and finishing every draft gets in the pipeline.

use storyline_core::Limits;
use storyline_ingest::{parse_bytes, Format};

/// Parses `data` as `format` (sniffed when `None`) with the default
/// limits, as `storyline ingest` does, and finishes every draft.
pub fn ingest(data: &[u8], format: Option<Format>) {
    let limits = Limits::default();
    let parsed = parse_bytes("fuzz", data, format, &limits);
    for located in parsed.drafts {
        let mut draft = located.draft;
        draft.bound(&limits);
        let _ = draft.finish();
    }
}
