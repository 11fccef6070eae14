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
    if trimmed.starts_with('[') {
        return match serde_json::from_str(trimmed) {
            Ok(value) => parse_document(input, trimmed, value),
            Err(e) => Parsed::rejected(input, Some(e.line()), format!("invalid JSON: {e}")),
        };
    }
    // One object, on one line or spread over many (a JSON Feed, say), is a
    // document; else the text is JSON Lines. A JSONL file fails this at the
    // end of its first line, so the test costs one record's parse.
    if trimmed.starts_with('{') {
        if let Ok(value) = serde_json::from_str::<Value>(trimmed) {
            return parse_document(input, trimmed, value);
        }
    }
    parse_lines(input, text)
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
        if l.contains('\0') {
            parsed.rejected.push(reject(
                "binary data (NUL bytes) in this line, not a JSON record".into(),
            ));
            continue;
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
    parsed
}

/// One JSON value `text` parsed to: a JSON Feed, an array of records or one record.
fn parse_document(input: &str, text: &str, value: Value) -> Parsed {
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
        let mut warnings = Vec::new();
        let result = match record {
            Value::Object(o) => draft_from_record(o, &mut warnings),
            other => Err(format!("expected a JSON object, found {}", kind(&other))),
        };
        parsed.warnings.extend(warnings.into_iter().map(|w| Rejection {
            input: input.into(),
            line: None,
            reason: format!("record {}: {w}", i + 1),
        }));
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
        let p = crate::parse_bytes("n.jsonl", text.as_bytes(), None);
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
