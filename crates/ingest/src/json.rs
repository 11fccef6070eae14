//! JSON articles: JSON Lines, a JSON array, a single object, or a JSON Feed.
//!
//! Records follow `shared/data/README.md`: `id`, `text` (required), `title`,
//! `published`, `lang`, `source`, `url`; every other field (dataset labels
//! such as `story`) is kept as metadata. `text` is kept verbatim so that
//! character offsets computed later index the record's own text. Each bad
//! record is rejected with its line (JSONL) or index (arrays) and the field.

use crate::{Located, Parsed, Rejection};
use serde_json::{Map, Value};
use std::io::{BufRead, Read};
use storyline_core::{ArticleDraft, Limit, Limits, Published};

/// Parses JSON held in memory: a document (array, object, JSON Feed) or
/// JSON Lines, each line at most `limits.line_bytes`.
pub fn parse(input: &str, text: &str, limits: &Limits) -> Parsed {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('[') {
        return match serde_json::from_str(trimmed) {
            Ok(value) => parse_document(input, trimmed, value, limits),
            Err(e) => Parsed::rejected(input, Some(e.line()), format!("invalid JSON: {e}")),
        };
    }
    // One object, on one line or spread over many (a JSON Feed, say), is a
    // document; else the text is JSON Lines. A JSONL file fails this at the
    // end of its first line, so the test costs one record's parse.
    if trimmed.starts_with('{') {
        if let Ok(value) = serde_json::from_str::<Value>(trimmed) {
            return parse_document(input, trimmed, value, limits);
        }
    }
    let mut parsed = Parsed::default();
    for (i, line) in text.lines().enumerate() {
        parse_line(input, i + 1, line.as_bytes(), limits, &mut parsed);
    }
    parsed
}

/// How many records [`read_lines`] gathers before handing them on.
const RECORDS_PER_PART: usize = 256;

/// Reads JSON Lines from `reader` one line at a time and hands the results
/// to `sink` every few hundred records, so a file of any size is held one
/// line at a time. `first_line` is the number of the reader's first line.
/// A line over `limits.line_bytes` is skipped unread and rejected with its
/// number; so is a line that is not UTF-8 (JSON text is UTF-8).
pub fn read_lines(
    input: &str,
    reader: &mut dyn BufRead,
    first_line: usize,
    limits: &Limits,
    sink: &mut dyn FnMut(Parsed),
) {
    let mut parsed = Parsed::default();
    let mut line = Vec::new();
    let mut line_no = first_line;
    loop {
        match next_line(reader, limits.line_bytes, &mut line) {
            Ok(Some(Line::Read)) => parse_line(input, line_no, &line, limits, &mut parsed),
            Ok(Some(Line::TooLong(bytes))) => parsed.rejected.push(too_long(input, line_no, bytes, limits)),
            Ok(None) => break,
            Err(e) => {
                parsed
                    .rejected
                    .push(Rejection::new(input, Some(line_no), format!("cannot read: {e}")));
                break;
            }
        }
        line_no += 1;
        if parsed.drafts.len() + parsed.rejected.len() >= RECORDS_PER_PART {
            sink(std::mem::take(&mut parsed));
        }
    }
    sink(parsed);
}

/// What [`next_line`] read.
pub(crate) enum Line {
    /// The line is in the buffer (with its newline, if it had one).
    Read,
    /// The line was longer than allowed and skipped; its length without
    /// the newline.
    TooLong(usize),
}

/// Reads one line into `buf`, holding at most `max` bytes of it; `None` at
/// the end of the input.
pub(crate) fn next_line(
    reader: &mut dyn BufRead,
    max: usize,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<Line>> {
    buf.clear();
    let n = Read::take(&mut *reader, max as u64 + 1).read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(None);
    }
    let complete = buf.last() == Some(&b'\n');
    if complete || n <= max {
        return Ok(Some(Line::Read));
    }
    // Over the limit: skip to the end of the line without keeping it.
    let mut skipped = n;
    buf.clear();
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            break;
        }
        match available.iter().position(|&b| b == b'\n') {
            Some(i) => {
                reader.consume(i + 1);
                skipped += i;
                break;
            }
            None => {
                let len = available.len();
                reader.consume(len);
                skipped += len;
            }
        }
    }
    Ok(Some(Line::TooLong(skipped)))
}

pub(crate) fn too_long(input: &str, line_no: usize, bytes: usize, limits: &Limits) -> Rejection {
    Rejection::at_limit(
        input,
        Some(line_no),
        Limit::LineBytes,
        format!(
            "line of {bytes} bytes, over the limit of {} for one record ({}); skipped",
            limits.line_bytes,
            Limit::LineBytes.flag()
        ),
    )
}

/// One line of JSON Lines into `parsed`: a draft, or a rejection naming the line.
fn parse_line(input: &str, line_no: usize, bytes: &[u8], limits: &Limits, parsed: &mut Parsed) {
    if bytes.len() > limits.line_bytes {
        parsed
            .rejected
            .push(too_long(input, line_no, bytes.len(), limits));
        return;
    }
    let reject = |reason: String| Rejection::new(input, Some(line_no), reason);
    let Ok(line) = std::str::from_utf8(bytes) else {
        parsed
            .rejected
            .push(reject("not UTF-8 text (JSON Lines are UTF-8)".into()));
        return;
    };
    let l = line.trim_start_matches('\u{feff}').trim();
    if l.is_empty() {
        return;
    }
    if l.contains('\0') {
        parsed.rejected.push(reject(
            "binary data (NUL bytes) in this line, not a JSON record".into(),
        ));
        return;
    }
    match serde_json::from_str::<Value>(l) {
        Ok(Value::Object(record)) => {
            let mut warnings = Vec::new();
            let result = draft_from_record(record, &mut warnings);
            parsed.warnings.extend(warnings.into_iter().map(&reject));
            match result {
                Ok(draft) => parsed.drafts.push(Located {
                    input: input.into(),
                    line: Some(line_no),
                    draft,
                    page_type: None,
                }),
                Err(reason) => parsed.rejected.push(reject(reason)),
            }
        }
        Ok(other) => parsed
            .rejected
            .push(reject(format!("expected a JSON object, found {}", kind(&other)))),
        Err(e) => parsed.rejected.push(reject(format!("invalid JSON: {e}"))),
    }
}

/// One JSON value `text` parsed to: a JSON Feed, an array of records or one record.
fn parse_document(input: &str, text: &str, value: Value, limits: &Limits) -> Parsed {
    let is_json_feed = value
        .get("version")
        .and_then(Value::as_str)
        .is_some_and(|v| v.contains("jsonfeed.org"));
    if is_json_feed {
        return crate::feed::parse(input, text.as_bytes(), limits);
    }
    let records = match value {
        Value::Array(items) => items,
        Value::Object(_) => vec![value],
        other => {
            return Parsed::rejected(
                input,
                None,
                format!("expected a JSON object or array, found {}", kind(&other)),
            )
        }
    };
    let mut parsed = Parsed::default();
    for (i, record) in records.into_iter().enumerate() {
        let mut warnings = Vec::new();
        let result = match record {
            Value::Object(o) => draft_from_record(o, &mut warnings),
            other => Err(format!("expected a JSON object, found {}", kind(&other))),
        };
        parsed.warnings.extend(
            warnings
                .into_iter()
                .map(|w| Rejection::new(input, None, format!("record {}: {w}", i + 1))),
        );
        match result {
            Ok(draft) => parsed.drafts.push(Located {
                input: input.into(),
                line: None,
                draft,
                page_type: None,
            }),
            Err(reason) => {
                parsed
                    .rejected
                    .push(Rejection::new(input, None, format!("record {}: {reason}", i + 1)))
            }
        }
    }
    parsed
}

/// Builds a draft from one record; the error names the offending field.
/// Problems with optional fields that do not cost the record (an
/// unreadable date) go to `warnings`.
pub fn draft_from_record(
    mut record: Map<String, Value>,
    warnings: &mut Vec<String>,
) -> Result<ArticleDraft, String> {
    let mut draft = ArticleDraft {
        id: match record.remove("id") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(other) => return Err(format!("field 'id': expected a string, found {}", kind(&other))),
        },
        text: match record.remove("text") {
            Some(Value::String(s)) if !s.trim().is_empty() => s,
            Some(Value::String(_)) => return Err("field 'text': empty, no article text".into()),
            None | Some(Value::Null) => return Err("field 'text': missing, no article text".into()),
            Some(other) => return Err(format!("field 'text': expected a string, found {}", kind(&other))),
        },
        title: optional_string(&mut record, "title")?,
        url: optional_string(&mut record, "url")?,
        source: optional_string(&mut record, "source")?,
        lang: optional_string(&mut record, "lang")?,
        byline: optional_string(&mut record, "byline")?.or(optional_string(&mut record, "author")?),
        ..Default::default()
    };
    read_export_fields(&mut record, &mut draft)?;
    if let Some(raw) = optional_string(&mut record, "published")? {
        draft.published = Published::parse(&raw);
        if draft.published.is_none() {
            draft.published = Published::parse_prefix(&raw);
            warnings.push(match draft.published {
                Some(p) => format!("field 'published': {raw:?} is not a date; read {p} from its start"),
                None => format!("field 'published': not a date: {raw:?}; kept the article undated"),
            });
        }
    }
    draft.metadata = record;
    Ok(draft)
}

/// Fields that `storyline export` writes beyond the dataset format, so that an
/// export ingested into a new store gives back the same articles.
fn read_export_fields(record: &mut Map<String, Value>, draft: &mut ArticleDraft) -> Result<(), String> {
    if let Some(v) = record.remove("sections") {
        draft.sections = serde_json::from_value(v).map_err(|e| format!("field 'sections': {e}"))?;
    }
    if let Some(v) = record.remove("related_references") {
        draft.related_references =
            serde_json::from_value(v).map_err(|e| format!("field 'related_references': {e}"))?;
    }
    match record.remove("title_derived") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => draft.title_derived = b,
        Some(other) => {
            return Err(format!(
                "field 'title_derived': expected a boolean, found {}",
                kind(&other)
            ))
        }
    }
    if let Some(raw) = optional_string(record, "ingested_at")? {
        let at =
            chrono::DateTime::parse_from_rfc3339(&raw).map_err(|e| format!("field 'ingested_at': {e}"))?;
        draft.ingested_at = Some(at.to_utc());
    }
    // Recomputed from the text; a stale value must not be trusted.
    record.remove("content_hash");
    if let Some(Value::Object(meta)) = record.remove("metadata") {
        record.extend(meta);
    }
    Ok(())
}

fn optional_string(record: &mut Map<String, Value>, field: &str) -> Result<Option<String>, String> {
    match record.remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!(
            "field '{field}': expected a string, found {}",
            kind(&other)
        )),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(input: &str, text: &str) -> Parsed {
        super::parse(input, text, &Limits::default())
    }

    /// Every part `read_lines` hands on, for `text` read with `limits`.
    fn stream(text: &str, limits: &Limits) -> Vec<Parsed> {
        let mut parts = Vec::new();
        read_lines("s.jsonl", &mut text.as_bytes(), 1, limits, &mut |p| parts.push(p));
        parts
    }

    #[test]
    fn a_line_over_the_limit_is_skipped_and_named_and_the_next_is_read() {
        let limits = Limits {
            line_bytes: 100,
            ..Limits::default()
        };
        let long = format!("{{\"id\":\"b\",\"text\":\"{}\"}}", "x".repeat(5000));
        let text = format!("{{\"id\":\"a\",\"text\":\"A.\"}}\n{long}\n{{\"id\":\"c\",\"text\":\"C.\"}}");
        let parts = stream(&text, &limits);
        let drafts: Vec<_> = parts.iter().flat_map(|p| &p.drafts).collect();
        let rejected: Vec<_> = parts.iter().flat_map(|p| &p.rejected).collect();
        assert_eq!(
            drafts.iter().map(|d| d.line).collect::<Vec<_>>(),
            vec![Some(1), Some(3)]
        );
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].line, Some(2));
        assert_eq!(rejected[0].limit, Some(Limit::LineBytes));
        assert!(
            rejected[0].reason.contains("line of 5020 bytes"),
            "{}",
            rejected[0].reason
        );
        assert!(rejected[0].reason.contains("--max-line-size"));
        // The same text held in memory gives the same verdicts.
        let whole = super::parse("s.jsonl", &text, &limits);
        assert_eq!(whole.drafts.len(), 2);
        assert_eq!(whole.rejected[0].line, Some(2));
    }

    #[test]
    fn streamed_lines_come_in_parts_with_their_numbers() {
        let text: String = (0..600)
            .map(|i| format!("{{\"id\":\"r{i}\",\"text\":\"Record {i}.\"}}\n"))
            .collect();
        let parts = stream(&text, &Limits::default());
        assert!(parts.len() >= 3, "{} parts", parts.len());
        let lines: Vec<_> = parts
            .iter()
            .flat_map(|p| &p.drafts)
            .map(|d| d.line.unwrap())
            .collect();
        assert_eq!(lines, (1..=600).collect::<Vec<_>>());
        // A line that is not UTF-8 costs that line only.
        let mut bytes = b"{\"id\":\"a\",\"text\":\"A.\"}\n{\"id\":\"b\",\"text\":\"\xff\"}\n".to_vec();
        bytes.extend_from_slice(b"{\"id\":\"c\",\"text\":\"C.\"}\n");
        let mut parts = Vec::new();
        read_lines(
            "b.jsonl",
            &mut bytes.as_slice(),
            1,
            &Limits::default(),
            &mut |p| parts.push(p),
        );
        let p = &parts[0];
        assert_eq!(p.drafts.len(), 2);
        assert_eq!(p.rejected[0].line, Some(2));
        assert!(p.rejected[0].reason.contains("not UTF-8"));
    }

    #[test]
    fn one_bad_line_among_good_ones_is_reported_with_its_number() {
        let text = "{\"id\":\"a\",\"text\":\"One.\",\"story\":\"s1\"}\n{not json}\n\n{\"id\":\"c\",\"text\":\"Three.\",\"published\":\"2023-06-26\"}\n[1]\n";
        let p = parse("x.jsonl", text);
        assert_eq!(p.drafts.len(), 2);
        assert_eq!(p.drafts[1].line, Some(4));
        assert_eq!(p.rejected.len(), 2);
        assert_eq!(p.rejected[0].line, Some(2));
        assert!(p.rejected[0].reason.starts_with("invalid JSON"));
        assert_eq!(p.rejected[1].line, Some(5));
        assert_eq!(p.drafts[0].draft.metadata["story"], "s1");
    }

    #[test]
    fn field_errors_name_the_field() {
        let p = parse("x.jsonl", "{\"id\":\"a\",\"title\":5,\"text\":\"t\"}\n{\"id\":\"b\"}\n{\"id\":\"c\",\"text\":\"t\",\"published\":\"soon\"}\n");
        let reasons: Vec<_> = p.rejected.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(
            reasons,
            vec![
                "field 'title': expected a string, found a number",
                "field 'text': missing, no article text",
            ]
        );
        assert_eq!(
            p.drafts.len(),
            1,
            "a bad optional field costs a warning, not the record"
        );
        assert_eq!(p.drafts[0].draft.published, None);
        assert_eq!(p.warnings[0].line, Some(3));
        assert_eq!(
            p.warnings[0].reason,
            "field 'published': not a date: \"soon\"; kept the article undated"
        );
        let p = parse(
            "r.jsonl",
            "{\"id\":\"r\",\"text\":\"t\",\"published\":\"27-MAR-1987 00:02:59.13&#5;&#5;RM\"}\n",
        );
        assert_eq!(
            p.drafts[0].draft.published.unwrap().to_string(),
            "1987-03-27T00:02:59.130+00:00"
        );
        assert!(
            p.warnings[0].reason.contains("read 1987-03-27"),
            "{:?}",
            p.warnings
        );
    }

    #[test]
    fn a_nul_byte_costs_its_line_only() {
        let mut text = String::new();
        for i in 0..100 {
            text.push_str(&format!("{{\"id\":\"{i}\",\"text\":\"Record {i}.\"}}\n"));
        }
        text.insert_str(0, "{\"id\":\"bad\",\"text\":\"x\u{0}y\"}\n");
        let p = crate::parse_bytes("n.jsonl", text.as_bytes(), None, &Limits::default());
        assert_eq!(p.drafts.len(), 100);
        assert_eq!(p.rejected.len(), 1);
        assert_eq!(p.rejected[0].line, Some(1));
        assert!(p.rejected[0].reason.contains("NUL"), "{:?}", p.rejected);
    }

    #[test]
    fn a_json_feed_on_one_line_is_a_feed() {
        let feed = r#"{"version":"https://jsonfeed.org/version/1.1","title":"T","items":[{"id":"1","url":"https://x.example/1","title":"One","content_text":"The quay reopened on Monday after repairs."}]}"#;
        for text in [feed.to_string(), format!("{feed}\n"), format!("\u{feff}{feed}")] {
            let p = parse("latest.json", &text);
            assert!(p.rejected.is_empty(), "{:?}", p.rejected);
            assert_eq!(p.drafts.len(), 1);
            assert_eq!(p.drafts[0].draft.url.as_deref(), Some("https://x.example/1"));
        }
    }

    #[test]
    fn arrays_and_single_objects() {
        let p = parse("x.json", "[{\"id\":\"a\",\"text\":\"A.\"}, 3]");
        assert_eq!(p.drafts.len(), 1);
        assert_eq!(
            p.rejected[0].reason,
            "record 2: expected a JSON object, found a number"
        );
        let p = parse("y.json", "{\n  \"id\": \"b\",\n  \"text\": \"B.\"\n}\n");
        assert_eq!(p.drafts.len(), 1);
    }

    #[test]
    fn text_is_kept_verbatim() {
        let p = parse(
            "x.jsonl",
            "{\"id\":\"a\",\"text\":\"  Line one.\\nLine two.  \"}\n",
        );
        let a = p.drafts[0].draft.clone().finish().unwrap();
        assert_eq!(a.text, "  Line one.\nLine two.  ");
        assert_eq!(a.sections[0].paragraphs, vec!["Line one.", "Line two."]);
    }
}
