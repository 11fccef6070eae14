//! Stable article ids and content hashes.
//!
//! An id must survive re-ingestion: the same page ingested twice, from a feed
//! today and from a file tomorrow, is one article. So an id is derived from the
//! canonical URL when there is one, else from the normalised body text. The
//! hash is xxh3, whose output is fixed by its specification, so ids written to
//! a store stay valid across releases.

use xxhash_rust::xxh3::xxh3_128;

/// Collapses runs of white space so that re-wrapped copies of a text hash alike.
pub fn normalise_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The hash of an article's body text, insensitive to white-space changes.
/// Two articles with the same `content_hash` are exact duplicates.
pub fn content_hash(text: &str) -> String {
    format!("{:032x}", xxh3_128(normalise_whitespace(text).as_bytes()))
}

/// A canonical form of a URL for identity: scheme and host lower-cased, the
/// fragment dropped, a trailing slash on the path dropped.
pub fn canonical_url(url: &str) -> String {
    let url = url.trim();
    let without_fragment = url.split('#').next().unwrap_or(url);
    let (scheme, rest) = match without_fragment.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => return without_fragment.to_string(),
    };
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let path = path.strip_suffix('/').unwrap_or(path);
    format!("{scheme}://{}{path}", host.to_ascii_lowercase())
}

/// The id of an article that has a URL.
pub fn id_from_url(url: &str) -> String {
    short_hash("url", &canonical_url(url))
}

/// The id of an article known only by its text.
pub fn id_from_text(text: &str) -> String {
    short_hash("text", &normalise_whitespace(text))
}

fn short_hash(kind: &str, value: &str) -> String {
    let h = xxh3_128(format!("{kind}\0{value}").as_bytes());
    format!("{:016x}", (h >> 64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_ids_ignore_case_fragment_and_trailing_slash() {
        assert_eq!(
            id_from_url("HTTPS://Example.com/news/a/#top"),
            id_from_url("https://example.com/news/a")
        );
        assert_ne!(
            id_from_url("https://example.com/news/a"),
            id_from_url("https://example.com/news/b")
        );
    }

    #[test]
    fn text_ids_ignore_rewrapping() {
        assert_eq!(id_from_text("a  b\nc"), id_from_text("a b c"));
        assert_eq!(content_hash("a  b\nc"), content_hash(" a b c "));
        assert_eq!(id_from_text("x").len(), 16);
    }
}
