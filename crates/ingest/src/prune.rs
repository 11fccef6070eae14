//! Dropping what the extractor never reads before the HTML parser sees it.
//!
//! Scripts, styles, inline SVG drawings and comments are well over half
//! the bytes of a typical news page, and the HTML tokenizer walks every
//! one of them character by character only for `html` to skip the
//! elements afterwards. So their contents are cut out first, in one scan:
//! the elements themselves stay (empty), so the document's structure is
//! the same. JSON-LD scripts keep their content: the metadata comes from
//! them. The scan ends an element at the first `</name` as the tokenizer
//! does; what it cannot read as a tag it leaves alone.

use std::borrow::Cow;

/// Elements whose content is dropped.
const EMPTIED: &[&str] = &["script", "style", "svg", "noscript", "template"];

/// `page` without the contents of scripts (but JSON-LD), styles, SVG,
/// `<noscript>`, `<template>` and comments.
pub fn prune(page: &str) -> Cow<'_, str> {
    let bytes = page.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0; // bytes of `page` already in `out` (or skipped)
    let mut at = 0;
    while let Some(offset) = page[at..].find('<') {
        let lt = at + offset;
        let rest = &bytes[lt + 1..];
        if rest.starts_with(b"!--") {
            let end = page[lt + 4..].find("-->").map_or(page.len(), |i| lt + 4 + i + 3);
            let kept = out.get_or_insert_with(|| String::with_capacity(page.len() / 2));
            kept.push_str(&page[copied..lt]);
            copied = end;
            at = end;
            continue;
        }
        let Some(name) = EMPTIED.iter().find(|n| starts_tag(rest, n)) else {
            at = lt + 1;
            continue;
        };
        let Some(open_end) = page[lt..].find('>').map(|i| lt + i + 1) else {
            break;
        };
        let tag = &page[lt..open_end];
        if tag.ends_with("/>") || (*name == "script" && tag.to_ascii_lowercase().contains("ld+json")) {
            at = open_end;
            continue;
        }
        let close = find_close(page, open_end, name).unwrap_or(page.len());
        let kept = out.get_or_insert_with(|| String::with_capacity(page.len() / 2));
        kept.push_str(&page[copied..open_end]);
        copied = close;
        at = close;
    }
    match out {
        Some(mut kept) => {
            kept.push_str(&page[copied.min(page.len())..]);
            Cow::Owned(kept)
        }
        None => Cow::Borrowed(page),
    }
}

/// Whether `rest` (just after a `<`) starts tag `name`: the name, in any
/// case, then a space, `>` or `/`.
fn starts_tag(rest: &[u8], name: &str) -> bool {
    rest.len() > name.len()
        && rest[..name.len()].eq_ignore_ascii_case(name.as_bytes())
        && matches!(
            rest[name.len()],
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'>' | b'/'
        )
}

/// Where `</name` starts, searching from `from`, in any case.
fn find_close(page: &str, from: usize, name: &str) -> Option<usize> {
    let bytes = page.as_bytes();
    let mut at = from;
    while let Some(offset) = page[at..].find("</") {
        let start = at + offset;
        let after = &bytes[start + 2..];
        if after.len() >= name.len() && after[..name.len()].eq_ignore_ascii_case(name.as_bytes()) {
            return Some(start);
        }
        at = start + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_text_contents_and_comments_go_and_the_rest_stays() {
        let page = "<html><head><SCRIPT src=x>var a = '<p>no</p>';</script>\
            <script type=\"application/ld+json\">{\"@type\":\"NewsArticle\"}</script>\
            <style>p { color: red }</style></head><body><!-- a <p>comment</p> -->\
            <p>Kept <b>text</b>.</p><svg viewBox=\"0 0 1 1\"><path d=\"M0 0\"/></svg><br/>\
            <noscript><img src=y></noscript><p>More.</p></body></html>";
        let pruned = prune(page);
        assert_eq!(
            pruned,
            "<html><head><SCRIPT src=x></script>\
            <script type=\"application/ld+json\">{\"@type\":\"NewsArticle\"}</script>\
            <style></style></head><body>\
            <p>Kept <b>text</b>.</p><svg viewBox=\"0 0 1 1\"></svg><br/>\
            <noscript></noscript><p>More.</p></body></html>"
        );
    }

    #[test]
    fn pages_without_raw_text_are_borrowed_and_cut_pages_end_cleanly() {
        assert!(matches!(prune("<p>Plain <em>page</em>.</p>"), Cow::Borrowed(_)));
        assert_eq!(prune("<p>a</p><script>never closed"), "<p>a</p><script>");
        assert_eq!(prune("<p>a</p><!-- never closed"), "<p>a</p>");
        assert_eq!(
            prune("<scripts>x</scripts>"),
            "<scripts>x</scripts>",
            "not a script tag"
        );
        assert_eq!(prune("a < b and <style"), "a < b and <style");
    }
}
