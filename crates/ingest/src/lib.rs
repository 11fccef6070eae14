//! Turns inputs (files, folders, stdin) into article drafts.
//!
//! Each format has its own module that reads decoded text and returns
//! [`ArticleDraft`]s with the place each came from; [`read`] picks the format
//! from the file name or, failing that, from the content. A bad record never
//! stops the others: every problem becomes a [`Rejection`] naming the input,
//! the line when there is one, and what is wrong. Storing the drafts is the
//! job of [`Pipeline`], which batches them into a `storyline-store` `Store`;
//! fetching from the web is not done here.

pub mod blocks;
mod boilerplate;
pub mod decode;
pub mod feed;
pub mod format;
pub mod front_matter;
pub mod html;
pub mod json;
pub mod markdown;
pub mod page_type;
pub mod pipeline;
pub mod plain;
mod prune;
mod shown_date;
pub mod walk;
mod words;

pub use format::Format;
pub use page_type::PageType;
pub use pipeline::{Pipeline, Summary};
pub use walk::read_input;

use serde::Serialize;
use storyline_core::{ArticleDraft, Limit, Limits};

/// A draft together with where it came from.
#[derive(Debug, Clone)]
pub struct Located {
    pub input: String,
    pub line: Option<usize>,
    pub draft: ArticleDraft,
    /// What kind of page it came from, for HTML pages (see `page_type`).
    pub page_type: Option<PageType>,
}

/// A record or file that could not be ingested, and why (also used for
/// warnings: what was changed in a record that was kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    pub input: String,
    pub line: Option<usize>,
    pub reason: String,
    /// The configured bound this is about, when it is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<Limit>,
}

impl Rejection {
    pub fn new(input: &str, line: Option<usize>, reason: impl Into<String>) -> Rejection {
        Rejection {
            input: input.to_string(),
            line,
            reason: reason.into(),
            limit: None,
        }
    }

    /// A rejection or warning because `limit` was reached.
    pub fn at_limit(input: &str, line: Option<usize>, limit: Limit, reason: impl Into<String>) -> Rejection {
        Rejection {
            limit: Some(limit),
            ..Rejection::new(input, line, reason)
        }
    }
}

/// What one input yielded: drafts in input order, and the records it rejected.
#[derive(Debug, Default)]
pub struct Parsed {
    pub drafts: Vec<Located>,
    pub rejected: Vec<Rejection>,
    /// Problems that did not stop an article (an unreadable front-matter date).
    pub warnings: Vec<Rejection>,
}

impl Parsed {
    fn rejected(input: &str, line: Option<usize>, reason: impl Into<String>) -> Parsed {
        Parsed {
            drafts: Vec::new(),
            rejected: vec![Rejection::new(input, line, reason)],
            warnings: Vec::new(),
        }
    }

    fn one(input: &str, draft: ArticleDraft) -> Parsed {
        Parsed {
            drafts: vec![Located {
                input: input.to_string(),
                line: None,
                draft,
                page_type: None,
            }],
            rejected: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

/// Parses the bytes of one input whose format is known or sniffed, within `limits`.
pub fn parse_bytes(input: &str, bytes: &[u8], format: Option<Format>, limits: &Limits) -> Parsed {
    parse_served(input, bytes, format, None, limits)
}

/// Like `parse_bytes`, for a document served with `charset` in its HTTP
/// Content-Type header, which outranks what the document declares.
pub fn parse_served(
    input: &str,
    bytes: &[u8],
    format: Option<Format>,
    charset: Option<&str>,
    limits: &Limits,
) -> Parsed {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Parsed::rejected(input, None, "empty input: no article text");
    }
    let format = format.unwrap_or_else(|| Format::sniff(bytes));
    // JSON Lines are judged line by line (a line with binary data is
    // rejected alone); any other binary input is rejected whole.
    if !matches!(format, Format::Json | Format::Jsonl) && decode::looks_binary(bytes) {
        return Parsed::rejected(input, None, "binary data, not text (found NUL or control bytes)");
    }
    match format {
        Format::Text => plain::parse(input, &decode::decode_served(bytes, charset, false)),
        Format::Markdown => markdown::parse(input, &decode::decode_served(bytes, charset, false)),
        Format::Html => html::parse(input, &decode::decode_served(bytes, charset, true), limits),
        Format::Json | Format::Jsonl => {
            json::parse(input, &decode::decode_served(bytes, charset, false), limits)
        }
        Format::Feed => feed::parse(input, bytes, limits),
    }
}
