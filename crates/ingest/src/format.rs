//! Input formats, told from the file name or sniffed from the content.

use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Html,
    /// One JSON article, an array of them, or a JSON Feed.
    Json,
    /// One JSON article per line.
    Jsonl,
    /// RSS or Atom.
    Feed,
}

impl Format {
    /// The format a file's extension names, if it names one storyline reads.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "txt" | "text" => Format::Text,
            "md" | "markdown" => Format::Markdown,
            "html" | "htm" | "xhtml" => Format::Html,
            "json" => Format::Json,
            "jsonl" | "ndjson" => Format::Jsonl,
            "rss" | "atom" | "xml" => Format::Feed,
            _ => return None,
        })
    }

    /// The format an HTTP `Content-Type` names (without parameters).
    pub fn from_media_type(media_type: &str) -> Option<Format> {
        Some(match media_type {
            "text/html" | "application/xhtml+xml" => Format::Html,
            "application/rss+xml"
            | "application/atom+xml"
            | "application/rdf+xml"
            | "application/xml"
            | "text/xml" => Format::Feed,
            "application/json" | "application/feed+json" => Format::Json,
            "application/x-ndjson" | "application/jsonl" => Format::Jsonl,
            "text/markdown" => Format::Markdown,
            "text/plain" => Format::Text,
            _ => return None,
        })
    }

    /// Guesses the format from the first bytes (for stdin and unknown names).
    pub fn sniff(bytes: &[u8]) -> Format {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]);
        let head = head.trim_start_matches('\u{feff}').trim_start();
        let lower = head.to_ascii_lowercase();
        if lower.starts_with('{') || lower.starts_with('[') {
            let first_line = lower.lines().next().unwrap_or("");
            if lower.starts_with('{')
                && first_line.trim_end().ends_with('}')
                && lower.lines().nth(1).is_some()
            {
                return Format::Jsonl;
            }
            return Format::Json;
        }
        if lower.starts_with('<') {
            if lower.contains("<rss") || lower.contains("<feed") || lower.contains("<rdf:rdf") {
                return Format::Feed;
            }
            return Format::Html;
        }
        if lower.starts_with("---") || lower.starts_with("# ") {
            return Format::Markdown;
        }
        Format::Text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_each_format() {
        assert_eq!(Format::sniff(b"{\"id\":\"1\"}\n{\"id\":\"2\"}\n"), Format::Jsonl);
        assert_eq!(Format::sniff(b"[{\"id\":\"1\"}]"), Format::Json);
        assert_eq!(Format::sniff(b"<?xml version=\"1.0\"?><rss>"), Format::Feed);
        assert_eq!(Format::sniff(b"<!doctype html><html>"), Format::Html);
        assert_eq!(Format::sniff(b"---\ntitle: x\n---\nbody"), Format::Markdown);
        assert_eq!(Format::sniff(b"Just words."), Format::Text);
    }

    #[test]
    fn extensions_name_formats() {
        assert_eq!(Format::from_path(Path::new("a/b.JSONL")), Some(Format::Jsonl));
        assert_eq!(Format::from_path(Path::new("a/b.md")), Some(Format::Markdown));
        assert_eq!(Format::from_path(Path::new("a/b.png")), None);
        assert_eq!(Format::from_media_type("application/rss+xml"), Some(Format::Feed));
        assert_eq!(Format::from_media_type("image/png"), None);
    }
}
