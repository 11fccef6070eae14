//! JSON articles: JSON Lines, a JSON array, a single object, or a JSON Feed.
//!
//! Records follow `shared/data/README.md`: `id`, `text` (required), `title`,
//! `published`, `lang`, `source`, `url`; every other field (dataset labels
//! such as `story`) is kept as metadata. `text` is kept verbatim so that
//! character offsets computed later index the record's own text. Each bad
//! record is rejected with its line (JSONL) or index (arrays) and the field.

use crate::{Located, Parsed, Rejection};
use serde_json::{Map, Value};
use storyline_core::{ArticleDraft, Published};

pub fn parse(input: &str, text: &str) -> Parsed {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('[') || is_single_document(trimmed) {
        return parse_document(input, trimmed);
    }
    parse_lines(input, text)
}

/// A file that parses as one JSON value (an object spread over lines, not JSONL).
fn is_single_document(text: &str) -> bool {
    text.starts_with('{') && text.lines().nth(1).is_some() && serde_json::from_str::<Value>(text).is_ok()
}

fn parse_lines(input: &str, text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let l = line.trim();
        if l.is_empty() {
            continue;
        }
        let reject = |reason: String| Rejection {
            input: input.into(),
            line: Some(line_no),
            reason,
        };
        match serde_json::from_str::<Value>(l) {
            Ok(Value::Object(record)) => match draft_from_record(record) {
                Ok(draft) => parsed.drafts.push(Located {
                    input: input.into(),
                    line: Some(line_no),
                    draft,
                }),
                Err(reason) => parsed.rejected.push(reject(reason)),
            },
            Ok(other) => parsed
                .rejected
                .push(reject(format!("expected a JSON object, found {}", kind(&other)))),
            Err(e) => parsed.rejected.push(reject(format!("invalid JSON: {e}"))),
        }
    }
    parsed
}

fn parse_document(input: &str, text: &str) -> Parsed {
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return Parsed::rejected(input, Some(e.line()), format!("invalid JSON: {e}"));
        }
    };
    let is_json_feed = value
        .get("version")
        .and_then(Value::as_str)
        .is_some_and(|v| v.contains("jsonfeed.org"));
    if is_json_feed {
        return crate::feed::parse(input, text.as_bytes());
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
        let result = match record {
            Value::Object(o) => draft_from_record(o),
            other => Err(format!("expected a JSON object, found {}", kind(&other))),
        };
        match result {
            Ok(draft) => parsed.drafts.push(Located {
                input: input.into(),
                line: None,
                draft,
            }),
            Err(reason) => parsed.rejected.push(Rejection {
                input: input.into(),
                line: None,
                reason: format!("record {}: {reason}", i + 1),
            }),
        }
    }
    parsed
}

/// Builds a draft from one record; the error names the offending field.
pub fn draft_from_record(mut record: Map<String, Value>) -> Result<ArticleDraft, String> {
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
        match Published::parse(&raw) {
            Some(p) => draft.published = Some(p),
            None => return Err(format!("field 'published': not a date: {raw:?}")),
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
                "field 'published': not a date: \"soon\"",
            ]
        );
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
