//! The one policy for links storyline keeps and emits: a link is followed
//! only when it is an absolute `http:` or `https:` URL.
//!
//! Articles come from the open web, and every link they carry (the
//! article's own URL, related references) ends up in an `href` on a page,
//! in the widget a publisher embeds, or in a feed a reader opens. A
//! `javascript:`, `vbscript:` or `data:` link there runs code in the
//! reader's browser, and browsers are lenient about how a scheme is
//! written (`JaVaScRiPt:`, `java<TAB>script:`, leading control characters).
//! So the scheme is judged the way a browser reads it: by the WHATWG URL
//! parser (the `url` crate), which folds case and drops the tabs, newlines
//! and control characters browsers drop. Ingest applies this policy (an
//! unsafe link is dropped with a warning) and every output applies it
//! again, so a store written before the policy, or by hand, cannot reach a
//! reader either.
//!
//! This module owns the verdict; where a link is dropped and how that is
//! reported belongs to its caller.

/// Why a link is not kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnsafeLink {
    #[error("not an absolute URL")]
    NotAbsolute,
    #[error("scheme {0:?} is not http or https")]
    Scheme(String),
    #[error("an http(s) URL without a host")]
    NoHost,
}

/// `raw` as a link storyline may keep and emit: trimmed of the white space
/// and control characters a browser would trim, with the tabs and newlines
/// a browser would remove taken out, when it is an absolute http(s) URL
/// with a host. Otherwise, why not.
///
/// The text is kept as written (not re-serialised), so ids derived from
/// URLs do not move; what a browser makes of it is what was judged.
pub fn web_link(raw: &str) -> Result<String, UnsafeLink> {
    let trimmed = raw.trim_matches(|c: char| c <= ' ' || c.is_whitespace());
    let cleaned: String = trimmed
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let parsed = url::Url::parse(&cleaned).map_err(|_| UnsafeLink::NotAbsolute)?;
    match parsed.scheme() {
        "http" | "https" => {}
        other => return Err(UnsafeLink::Scheme(other.to_string())),
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(UnsafeLink::NoHost);
    }
    // A control character or space left inside would be percent-encoded by
    // a browser; emit it that way so what is shown is what is followed.
    if cleaned.chars().any(|c| c.is_control() || c == ' ') {
        return Ok(parsed.to_string());
    }
    Ok(cleaned)
}

/// `raw` when it passes [`web_link`], for outputs that simply leave an
/// unsafe link out.
pub fn safe_href(raw: &str) -> Option<String> {
    web_link(raw).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_with_a_host_pass() {
        for good in [
            "https://example.com/a?b=c#d",
            "http://example.com",
            "HTTPS://Example.com/Path",
            "  https://example.com/x  ",
        ] {
            assert!(web_link(good).is_ok(), "{good:?} should pass");
        }
        assert_eq!(
            web_link(" https://example.com/x\n").unwrap(),
            "https://example.com/x"
        );
        assert_eq!(
            web_link("ht\ttps://example.com/").unwrap(),
            "https://example.com/"
        );
    }

    #[test]
    fn scheme_tricks_are_refused() {
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "java\rscript:alert(1)",
            " \u{1}javascript:alert(1)",
            "\u{0}javascript:alert(1)",
            "\u{c}javascript:alert(1)",
            "vbscript:msgbox(1)",
            "VBScript:msgbox(1)",
            "data:text/html,<script>alert(1)</script>",
            "DATA:text/html;base64,PHNjcmlwdD4=",
            "file:///etc/passwd",
            "ftp://example.com/",
            "//example.com/protocol-relative",
            "/articles/relative",
            "javascript://example.com/%0aalert(1)",
            "http:",
            "",
            "   ",
        ] {
            assert!(web_link(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(
            web_link("JaVaScRiPt:alert(1)"),
            Err(UnsafeLink::Scheme("javascript".into()))
        );
    }

    #[test]
    fn spaces_inside_are_emitted_as_a_browser_would_follow_them() {
        assert_eq!(
            web_link("https://example.com/a b").unwrap(),
            "https://example.com/a%20b"
        );
    }
}
