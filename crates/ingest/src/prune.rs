//! Dropping what the extractor never reads before the HTML parser sees it.
//!
//! Scripts, styles, inline SVG drawings and comments are well over half
//! the bytes of a typical news page, and most of the rest are attributes
//! (`srcset`, `style`, `data-*`) that nothing here looks at. The HTML
//! tokenizer walks all of it character by character, and the tree keeps
//! every attribute in a hash map, only for `html` to skip them afterwards.
//! So one scan rewrites the page first: raw-text elements are emptied
//! (they stay, so the document's structure is the same; JSON-LD scripts
//! keep their content, the metadata comes from them), comments go, and
//! start tags keep only the attributes extraction reads. The scan ends an
//! element at the first `</name` as the tokenizer does; what it cannot
//! read as a tag it leaves alone.

/// Elements whose content is dropped: raw text, and the elements `html`
/// always skips (navigation, asides, controls), which may nest.
const EMPTIED: &[&str] = &[
    "script", "style", "svg", "noscript", "template", "nav", "aside", "select", "button",
];
/// Of those, the ones whose content is raw text: they end at the first
/// `</name`, whatever it contains.
const RAW_TEXT: &[&str] = &["script", "style", "noscript", "template"];

/// The attributes extraction reads (class and id for boilerplate, the
/// rest for metadata, links and hidden content).
const KEPT_ATTRIBUTES: &[&str] = &[
    "class",
    "id",
    "href",
    "content",
    "property",
    "name",
    "itemprop",
    "itemtype",
    "itemscope",
    "rel",
    "role",
    "type",
    "datetime",
    "lang",
    "hidden",
    "aria-hidden",
    "charset",
    "http-equiv",
];

/// Void elements, and elements whose end tag may be left out (the parser
/// closes them itself): neither deepens the tree as this scan counts it.
const NOT_COUNTED: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
    "wbr", "keygen", "p", "li", "dt", "dd", "option", "optgroup", "rb", "rp", "rt", "rtc", "tr", "td", "th",
    "tbody", "thead", "tfoot", "caption", "colgroup", "html", "head", "body",
];

/// A page rewritten for extraction, and what was changed to bound it.
pub struct Pruned {
    pub html: String,
    /// Tags dropped because they nested deeper than the depth allowed.
    pub flattened: usize,
}

/// `page` rewritten for extraction: see the module comment. One pass, in
/// time linear in the page. Elements may nest `max_depth` deep; the tags
/// below are dropped and their text stays, in the element at that depth.
/// Real pages nest a few dozen deep; the HTML tree builder looks through
/// the open elements for many tags, so a page nested 100,000 deep would
/// cost the square of that.
pub fn prune(page: &str, max_depth: usize) -> Pruned {
    let bytes = page.as_bytes();
    let mut out = String::with_capacity(page.len() / 2);
    let mut tag = String::new();
    let mut at = 0;
    let mut depth = 0usize;
    let mut flattened = 0;
    while let Some(offset) = page[at..].find('<') {
        let lt = at + offset;
        out.push_str(&page[at..lt]);
        let rest = &bytes[lt + 1..];
        if rest.starts_with(b"!--") {
            at = page[lt + 4..].find("-->").map_or(page.len(), |i| lt + 4 + i + 3);
            continue;
        }
        if rest.first() == Some(&b'/') && rest.get(1).is_some_and(u8::is_ascii_alphabetic) {
            // An end tag: it ends at the first '>' (none: the rest is one
            // unfinished tag, left to the parser as it is).
            let Some(gt) = page[lt..].find('>') else {
                at = lt;
                break;
            };
            let end = lt + gt + 1;
            if counted(&page[lt + 2..end]) {
                if depth > max_depth {
                    flattened += 1;
                } else {
                    out.push_str(&page[lt..end]);
                }
                depth = depth.saturating_sub(1);
            } else {
                out.push_str(&page[lt..end]);
            }
            at = end;
            continue;
        }
        if !rest.first().is_some_and(u8::is_ascii_alphabetic) {
            out.push('<');
            at = lt + 1;
            continue;
        }
        let Some(end) = start_tag(page, lt, &mut tag) else {
            // A tag that never ends runs to the end of the page.
            at = lt;
            break;
        };
        let self_closing = page[..end].ends_with("/>");
        let deepens = !self_closing && counted(&page[lt + 1..end]);
        if deepens {
            depth += 1;
        }
        if deepens && depth > max_depth {
            flattened += 1;
        } else {
            out.push_str(&tag);
        }
        at = end;
        let emptied = EMPTIED.iter().find(|n| starts_tag(rest, n));
        if let Some(name) = emptied {
            let json_ld = *name == "script" && page[lt..end].to_ascii_lowercase().contains("ld+json");
            if !self_closing && !json_ld {
                let nests = !RAW_TEXT.contains(name);
                match find_close(page, end, name, nests) {
                    Some(close) if nests && wraps_main(&page[end..close]) => {}
                    Some(close) => at = close,
                    // Raw text runs to the end of the page, as the parser
                    // reads it; an aside never closed is a broken page whose
                    // parser puts everything after it inside: `html` judges
                    // it on the tree.
                    None if nests => {}
                    None => at = page.len(),
                }
            }
        }
    }
    out.push_str(&page[at..]);
    Pruned { html: out, flattened }
}

/// Whether the tag whose name starts `tag` (just after `<` or `</`) counts
/// towards the nesting depth.
fn counted(tag: &str) -> bool {
    let name_end = tag
        .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
        .unwrap_or(tag.len());
    let name = &tag[..name_end];
    !NOT_COUNTED.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// Reads the start tag at `lt` into `tag` with only its kept attributes;
/// the index just past its `>`, or `None` if it never ends.
fn start_tag(page: &str, lt: usize, tag: &mut String) -> Option<usize> {
    let b = page.as_bytes();
    let stop = |c: u8| c.is_ascii_whitespace() || c == b'/' || c == b'>';
    let mut i = lt + 1;
    while i < b.len() && !stop(b[i]) {
        i += 1;
    }
    tag.clear();
    tag.push_str(&page[lt..i]);
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        if b[i] == b'>' {
            if b[i - 1] == b'/' {
                tag.push('/');
            }
            tag.push('>');
            return Some(i + 1);
        }
        let name_start = i;
        i += 1; // a name may start with '='
        while i < b.len() && !(stop(b[i]) || b[i] == b'=') {
            i += 1;
        }
        let name_end = i;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            match b.get(i) {
                Some(&quote @ (b'"' | b'\'')) => {
                    let close = page[i + 1..].find(quote as char)?;
                    i += close + 2;
                }
                _ => {
                    while i < b.len() && !(b[i].is_ascii_whitespace() || b[i] == b'>') {
                        i += 1;
                    }
                }
            }
        }
        let name = &page[name_start..name_end];
        if KEPT_ATTRIBUTES.iter().any(|k| k.eq_ignore_ascii_case(name)) {
            tag.push(' ');
            tag.push_str(page[name_start..i].trim_end());
        }
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

/// Where the `</name` that closes an element opened before `from` starts,
/// in any case; when elements of the name `nests`, inner ones are
/// counted out.
fn find_close(page: &str, from: usize, name: &str, nests: bool) -> Option<usize> {
    let bytes = page.as_bytes();
    let mut depth = 0usize;
    let mut at = from;
    while let Some(offset) = page[at..].find('<') {
        let start = at + offset;
        let after = &bytes[start + 1..];
        if after.first() == Some(&b'/') && starts_name(&after[1..], name) {
            if depth == 0 {
                return Some(start);
            }
            depth -= 1;
        } else if nests && starts_tag(after, name) {
            depth += 1;
        }
        at = start + 1;
    }
    None
}

/// Whether an aside or navigation holds the page's `<main>` element: then
/// it wraps the page (a broken layout, or one built that way), and `html`
/// judges it on the tree, where it can weigh the text inside.
fn wraps_main(content: &str) -> bool {
    let bytes = content.as_bytes();
    content
        .match_indices('<')
        .any(|(i, _)| starts_name(&bytes[i + 1..], "main"))
}

/// Whether `rest` starts with `name` in any case, not followed by more of a name.
fn starts_name(rest: &[u8], name: &str) -> bool {
    rest.len() >= name.len()
        && rest[..name.len()].eq_ignore_ascii_case(name.as_bytes())
        && rest
            .get(name.len())
            .is_none_or(|c| !c.is_ascii_alphanumeric() && *c != b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPTH: usize = 256;

    #[test]
    fn raw_text_contents_and_comments_go_and_the_rest_stays() {
        let page = "<html><head><SCRIPT src=x>var a = '<p>no</p>';</script>\
            <script type=\"application/ld+json\">{\"@type\":\"NewsArticle\"}</script>\
            <style>p { color: red }</style></head><body><!-- a <p>comment</p> -->\
            <p>Kept <b>text</b>.</p><svg viewBox=\"0 0 1 1\"><path d=\"M0 0\"/></svg><br/>\
            <noscript><img src=y></noscript><p>More.</p></body></html>";
        assert_eq!(
            prune(page, DEPTH).html,
            "<html><head><SCRIPT></script>\
            <script type=\"application/ld+json\">{\"@type\":\"NewsArticle\"}</script>\
            <style></style></head><body>\
            <p>Kept <b>text</b>.</p><svg></svg><br/>\
            <noscript></noscript><p>More.</p></body></html>"
        );
    }

    #[test]
    fn start_tags_keep_only_the_attributes_extraction_reads() {
        let page = r#"<div class="post body" data-x='{"a":1}' style="color:red" ID=main hidden>
            <a href="/x?a=1&b=2" onclick="go('>')" rel=author>By Jo</a><img src=a.jpg srcset="a 1x, b 2x"/>
            <meta property="og:title" content='It&#39;s "here"'></div>"#;
        assert_eq!(
            prune(page, DEPTH).html,
            r#"<div class="post body" ID=main hidden>
            <a href="/x?a=1&b=2" rel=author>By Jo</a><img/>
            <meta property="og:title" content='It&#39;s "here"'></div>"#
        );
    }

    #[test]
    fn nesting_past_the_limit_is_flattened_and_its_text_kept() {
        let deep = DEPTH + 1000;
        let page = format!(
            "{}<p>Deep text.</p>{}",
            "<div>".repeat(deep),
            "</div>".repeat(deep)
        );
        let pruned = prune(&page, DEPTH);
        assert_eq!(pruned.flattened, 2000, "a thousand start and end tags");
        assert_eq!(pruned.html.matches("<div>").count(), DEPTH);
        assert_eq!(pruned.html.matches("</div>").count(), DEPTH);
        assert!(pruned.html.contains("<p>Deep text.</p>"));
        let unclosed = "<div><span>x".repeat(50_000);
        let pruned = prune(&unclosed, DEPTH);
        assert_eq!(pruned.html.matches('<').count(), DEPTH);
        assert_eq!(pruned.html.matches('x').count(), 50_000);
        let paragraphs = "<p>One<p>Two<li>Three<br><img src=a>".repeat(1_000);
        assert_eq!(
            prune(&paragraphs, DEPTH).flattened,
            0,
            "optional end tags and void elements do not nest"
        );
    }

    #[test]
    fn nested_navigation_is_emptied_whole() {
        let page = "<nav><ul><li><nav>inner</nav></li><li>Home</li></ul></nav><p>Text.</p>";
        assert_eq!(prune(page, DEPTH).html, "<nav></nav><p>Text.</p>");
    }

    #[test]
    fn what_is_not_a_tag_is_left_alone_and_cut_pages_end_cleanly() {
        assert_eq!(
            prune("<p>a</p><script>never closed", DEPTH).html,
            "<p>a</p><script>"
        );
        assert_eq!(prune("<p>a</p><!-- never closed", DEPTH).html, "<p>a</p>");
        assert_eq!(
            prune("<scripts>x</scripts>", DEPTH).html,
            "<scripts>x</scripts>",
            "not a script tag"
        );
        assert_eq!(prune("a < b and <style", DEPTH).html, "a < b and <style");
        assert_eq!(
            prune("x <a href=\"never closed", DEPTH).html,
            "x <a href=\"never closed"
        );
        assert_eq!(prune("<!DOCTYPE html></p>", DEPTH).html, "<!DOCTYPE html></p>");
    }
}
