//! HTML pages: metadata from meta tags and JSON-LD, main text as blocks.
//!
//! Metadata comes from the places publishers put it, in order of reliability:
//! JSON-LD `NewsArticle`, Open Graph and `article:` meta tags, then `<title>`,
//! `<time>` and `<link rel=canonical>`. The main text comes from the most
//! specific explicit marker (an `<article>`, `itemprop=articleBody`,
//! `<main>`) that holds most of the page's running text, else from the
//! container the paragraphs vote for (the readability heuristic: text
//! length and commas, less the share in links; an ancestor that several
//! close runners-up share holds an article split over sections), read
//! without navigation, asides, footers, forms, known boilerplate classes
//! and link-heavy blocks; text that pages put straight into `<div>`s
//! counts as paragraphs. Such a chrome element that holds most of the
//! page's prose beside its main element or headline is the page (an
//! article set in a `<header>`, a page streamed hidden). A voted
//! container holding too little of the page's text widens to the
//! ancestor that holds most of it (landing pages, listings and threads
//! spread their content over sections of equal weight). Pages with next
//! to no text outside `<noscript>`, or less than their JSON-LD
//! `articleBody`, are read from there. The page's kind (`page_type`,
//! read first) decides whether it is cut to its run of paragraphs and
//! whether reviews are comments; `index_links` lists what an index page
//! links to. A page whose markup names no date is dated by the date line
//! it shows (`shown_date`).

use crate::blocks::{self, Block};
use crate::boilerplate;
use crate::page_type::{self, PageType, Signals};
use crate::prune;
use crate::shown_date;
use crate::{Parsed, Rejection};
use html5ever::tendril::TendrilSink;
use scraper::{ElementRef, Html, HtmlTreeSink, Selector, StrTendril};
use serde_json::Value;
use storyline_core::{ArticleDraft, Deadline, Limit, Limits, Published};

/// Elements whose content is never article text.
const SKIPPED_ELEMENTS: &[&str] = &[
    "script", "style", "noscript", "nav", "footer", "aside", "form", "button", "iframe", "svg", "figure",
    "header", "select", "template", "textarea",
];
/// Of those, the ones that are page structure rather than code or
/// controls: a page may put its text inside them (see `is_boilerplate`).
const WRAPPING_ELEMENTS: &[&str] = &["nav", "footer", "aside", "figure", "header"];
/// Class or id fragments that mark boilerplate containers.
const BOILERPLATE_HINTS: &[&str] = &[
    "comment",
    "share",
    "social",
    "newsletter",
    "advert",
    "promo",
    "cookie",
    "subscribe",
    "sidebar",
    "breadcrumb",
    "related-posts",
    "paywall",
    "popup",
    "modal",
    "banner",
    "consent",
    "gdpr",
    "disqus",
    "related",
    "pagination",
    "sponsor",
    "replies",
    "popular",
];
const ARTICLE_TYPES: &[&str] = &[
    "NewsArticle",
    "Article",
    "ReportageNewsArticle",
    "BlogPosting",
    "AnalysisNewsArticle",
];

/// How much of a page the HTML parser takes between two looks at the clock.
const PARSE_CHUNK_BYTES: usize = 64 * 1024;

/// The share of a document's time budget the parser may use. The steps
/// after it (finding the main blocks, trimming, assembling) walk the tree
/// it built and take about as long again as parsing did, so stopping the
/// parser here keeps the whole extraction near its budget.
const PARSE_SHARE: f64 = 0.4;

/// Extracts the article from one HTML page, within `limits` (nesting depth
/// and the time budget for one document).
pub fn parse(input: &str, page: &str, limits: &Limits) -> Parsed {
    let deadline = Deadline::after(limits.document_time.mul_f64(PARSE_SHARE));
    let pruned = prune::prune(page, limits.html_depth);
    let (doc, read) = parse_within(&pruned.html, &deadline);
    // The page's JSON-LD, parsed once: metadata, the article body and
    // the page's kind all read it.
    let ld = json_ld(&doc);
    let mut draft = metadata(&doc, &ld, input);
    let page_url = draft
        .url
        .clone()
        .or_else(|| input.contains("://").then(|| input.to_string()));
    let signals = signals(&doc, &ld, &pruned.html, page_url.as_deref());
    let page_type = page_type::classify(&signals);
    let cx = Verdicts {
        reviews_are_comments: page_type == PageType::Product,
        comments_are_posts: page_type == PageType::Forum,
        links_are_text: matches!(
            page_type,
            PageType::Listing | PageType::Collection | PageType::Documentation
        ),
        ..Verdicts::default()
    };
    // A page that declares itself an article in its JSON-LD has one body of
    // text: the container the paragraphs vote for is widened only when it
    // holds very little of the page's text (a body split in two).
    let widen_below = if json_ld_article(&ld).is_some() {
        WIDEN_ARTICLE_BELOW
    } else {
        WIDEN_BELOW
    };
    let mut blocks = main_blocks(&cx, &doc, widen_below);
    // A page with next to no running text outside its comments is a
    // discussion (a shared link and what people said about it): then the
    // comments are its text.
    if paragraph_chars(&blocks) < NOSCRIPT_RETRY_CHARS && !cx.comments_are_posts {
        let discussion = Verdicts {
            comments_are_posts: true,
            reviews_are_comments: cx.reviews_are_comments,
            links_are_text: cx.links_are_text,
            ..Verdicts::default()
        };
        let posts = main_blocks(&discussion, &doc, widen_below);
        if paragraph_chars(&posts) >= DISCUSSION_MIN_CHARS {
            blocks = posts;
        }
    }
    // A page with next to no running text may serve it in <noscript>.
    let found = paragraph_chars(&blocks);
    if found < NOSCRIPT_RETRY_CHARS && read == pruned.html.len() {
        if let Some(fallback) = noscript_blocks(page, limits.html_depth, &deadline) {
            if paragraph_chars(&fallback) > found {
                blocks = fallback;
            }
        }
    }
    if let Some(body) = json_ld_body(&ld) {
        if paragraph_chars(&blocks) * 2 < body.len() {
            blocks = body_blocks(&body);
        }
    }
    if let Some(title) = &draft.title {
        drop_headline(&mut blocks, title);
    }
    // An article or a thread runs from its first to its last paragraph of
    // text; a landing page, a shop or a listing is its short blocks too,
    // and a reference page its option lines and synopses. A page is cut
    // as an article only when it says it is one: "article" is also what
    // a page of no known kind defaults to, and such pages are as often a
    // list of short entries as a story.
    let cut = match page_type {
        PageType::Forum => true,
        PageType::Article => signals.says_article(),
        _ => false,
    };
    if cut {
        boilerplate::trim(&mut blocks);
    } else {
        boilerplate::drop_stock_lines(&mut blocks);
    }
    let structure = blocks::assemble(blocks, draft.title.is_some());
    draft.title = draft.title.or(structure.title);
    if draft.published.is_none() {
        draft.published = page_url
            .as_deref()
            .and_then(date_in_url)
            .or_else(|| shown_date(&doc));
    }
    if structure.sections.iter().all(|s| s.paragraphs.is_empty()) {
        if read < pruned.html.len() {
            let reason = format!(
                "extraction stopped at its time budget of {} ms ({}) before any article text was found",
                limits.document_time.as_millis(),
                Limit::DocumentTime.flag()
            );
            return Parsed {
                rejected: vec![Rejection::at_limit(input, None, Limit::DocumentTime, reason)],
                ..Parsed::default()
            };
        }
        return Parsed::rejected(
            input,
            None,
            "HTML page with no article text (no paragraphs found)",
        );
    }
    draft.sections = structure.sections;
    draft.related_references = structure.related;
    // Links on a page are relative to it: made absolute, a reader can follow them.
    if let Some(base) = page_url.as_deref().and_then(|u| url::Url::parse(u).ok()) {
        for r in &mut draft.related_references {
            if let Some(joined) = r.url.as_deref().and_then(|u| base.join(u).ok()) {
                r.url = Some(joined.to_string());
            }
        }
    }
    let mut parsed = Parsed::one(input, draft);
    parsed.drafts[0].page_type = Some(page_type);
    if pruned.flattened > 0 {
        parsed.warnings.push(Rejection::at_limit(
            input,
            None,
            Limit::HtmlDepth,
            format!(
                "elements nested deeper than {} levels ({}): {} tags below that depth dropped, their text kept",
                limits.html_depth,
                Limit::HtmlDepth.flag(),
                pruned.flattened
            ),
        ));
    }
    if read < pruned.html.len() {
        parsed.warnings.push(Rejection::at_limit(
            input,
            None,
            Limit::DocumentTime,
            format!(
                "extraction stopped at its time budget of {} ms ({}): the article is taken from the first {}% of the page",
                limits.document_time.as_millis(),
                Limit::DocumentTime.flag(),
                read * 100 / pruned.html.len()
            ),
        ));
    }
    parsed
}

/// Running text below which a page is read again with its `<noscript>`
/// content: a line or two ("Return to the site", a cookie notice) is not
/// an article, and forum software serves its threads there.
const NOSCRIPT_RETRY_CHARS: usize = 300;
/// Running text the comments of a page with next to none outside them
/// must hold to be taken as its text: more than a line or two.
const DISCUSSION_MIN_CHARS: usize = 1_000;

/// Links outside the page's chrome (navigation, header, footer, asides)
/// whose text reads like a headline, with that text.
fn teasers(doc: &Html) -> impl Iterator<Item = (ElementRef<'_>, String)> {
    let in_chrome = |el: ElementRef| {
        el.ancestors()
            .filter_map(ElementRef::wrap)
            .any(|a| matches!(a.value().name(), "nav" | "header" | "footer" | "aside"))
    };
    doc.select(sel("a[href]")).filter_map(move |a| {
        let text = clean(&a.text().collect::<String>());
        (crate::words::count(&text) >= page_type::TEASER_WORDS && !in_chrome(a)).then_some((a, text))
    })
}

/// A page that an index of other pages links to, with its headline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexLink {
    pub url: String,
    pub title: String,
}

/// The pages an index page links to (a section front, a blog's list of
/// posts, a shop's shelf), or `None` when `page` is not an index (see
/// `page_type`). A watcher follows these instead of storing the index as
/// an article. `url` is the page's address: links are made absolute
/// against it, kept to http(s) on the page's own site, the page itself
/// left out, each once, in page order with the first headline a link
/// carries, at most `MAX_INDEX_LINKS`.
pub fn index_links(url: &str, page: &str, limits: &Limits) -> Option<Vec<IndexLink>> {
    let deadline = Deadline::after(limits.document_time.mul_f64(PARSE_SHARE));
    let pruned = prune::prune(page, limits.html_depth);
    let (doc, _) = parse_within(&pruned.html, &deadline);
    let ld = json_ld(&doc);
    let base = url::Url::parse(url).ok()?;
    let kind = page_type::classify(&signals(&doc, &ld, &pruned.html, Some(url)));
    if !matches!(kind, PageType::Listing | PageType::Collection) {
        return None;
    }
    let site = |u: &url::Url| {
        u.host_str()
            .map(|h| h.trim_start_matches("www.").to_ascii_lowercase())
    };
    // One page, however its address is written: with or without "www.",
    // http or https, a trailing slash.
    let key = |u: &url::Url| {
        let query = u.query().map(|q| format!("?{q}")).unwrap_or_default();
        format!(
            "{}{}{query}",
            site(u).unwrap_or_default(),
            u.path().trim_end_matches('/')
        )
    };
    let mut seen = std::collections::HashSet::new();
    seen.insert(key(&base));
    let mut links = Vec::new();
    for (a, title) in teasers(&doc) {
        let Some(mut target) = a.value().attr("href").and_then(|h| base.join(h.trim()).ok()) else {
            continue;
        };
        target.set_fragment(None);
        if !matches!(target.scheme(), "http" | "https") || site(&target) != site(&base) {
            continue;
        }
        if seen.insert(key(&target)) {
            links.push(IndexLink {
                url: target.to_string(),
                title,
            });
            if links.len() == MAX_INDEX_LINKS {
                break;
            }
        }
    }
    Some(links)
}

/// Links taken from one index page: a front page lists a few hundred
/// stories at most, and a page of a hundred thousand links is not read
/// whole.
const MAX_INDEX_LINKS: usize = 1_000;

/// The blocks of a page whose running text is inside `<noscript>`:
/// what a reader without scripts sees (forum software serves its posts
/// there, for crawlers, while an app renders them for everyone else).
/// Pruning empties `<noscript>` and a parser that runs scripts reads it as
/// raw text, so the page is pruned and parsed again with those elements
/// renamed. `None` when the page has none, or the time budget runs out.
fn noscript_blocks(html: &str, max_depth: usize, deadline: &Deadline) -> Option<Vec<Block>> {
    let lower = html.to_ascii_lowercase();
    if !lower.contains("<noscript") {
        return None;
    }
    let mut unwrapped = String::with_capacity(html.len() + 1024);
    let mut at = 0;
    for (i, _) in lower.match_indices("noscript") {
        let open = lower[..i].ends_with('<');
        let close = lower[..i].ends_with("</");
        if open || close {
            unwrapped.push_str(&html[at..i]);
            unwrapped.push_str("div data-noscript");
            at = i + "noscript".len();
            if close {
                // `</div data-noscript>` is still a `</div>`.
                unwrapped.truncate(unwrapped.len() - " data-noscript".len());
            }
        }
    }
    unwrapped.push_str(&html[at..]);
    let pruned = prune::prune(&unwrapped, max_depth);
    let (doc, read) = parse_within(&pruned.html, deadline);
    if read < pruned.html.len() {
        return None;
    }
    let blocks = main_blocks(&Verdicts::default(), &doc, WIDEN_BELOW);
    (paragraph_chars(&blocks) > 0).then_some(blocks)
}

/// Drops the page's headline from its blocks: every heading that reads
/// as the title, whatever its level (pages set their headline in an
/// `<h2>` too). The title is kept apart; in the text it would be read twice.
fn drop_headline(blocks: &mut Vec<Block>, title: &str) {
    blocks.retain(|b| !matches!(b, Block::Heading { text, .. } if names_title(text, title)));
}

/// Whether heading `text` is the page's `title`: the same words, or the
/// title is the heading with the site's name after a separator
/// ("Black Friday deals - Help Net Security").
fn names_title(text: &str, title: &str) -> bool {
    let (text, title) = (folded(text), folded(title));
    if text.is_empty() {
        return false;
    }
    if text == title {
        return true;
    }
    title.strip_prefix(&text).is_some_and(|rest| {
        let rest = rest.trim_start();
        ["-", "|", "–", "—", "·", ":", "•"]
            .iter()
            .any(|sep| rest.starts_with(sep))
    })
}

/// `text` lower-cased with its runs of white space made one space: how
/// a heading, a title and a site's name are compared.
fn folded(text: &str) -> String {
    clean(text).to_lowercase()
}

/// Parses `html` in chunks, looking at the clock between them; stops early
/// when `deadline` passes. The tree and how many bytes it was built from.
fn parse_within(html: &str, deadline: &Deadline) -> (Html, usize) {
    let mut parser =
        html5ever::driver::parse_document(HtmlTreeSink::new(Html::new_document()), Default::default());
    let mut at = 0;
    while at < html.len() {
        if deadline.passed() {
            break;
        }
        let mut end = (at + PARSE_CHUNK_BYTES).min(html.len());
        while !html.is_char_boundary(end) {
            end += 1;
        }
        parser.process(StrTendril::from_slice(&html[at..end]));
        at = end;
    }
    (parser.finish(), at)
}

/// Reads an HTML fragment (a feed item's content) as plain paragraphs.
pub fn fragment_blocks(fragment: &str) -> Vec<Block> {
    let doc = Html::parse_fragment(fragment);
    let mut blocks = Vec::new();
    collect_blocks(&Verdicts::default(), doc.root_element(), &mut blocks);
    if blocks.is_empty() {
        let text = doc.root_element().text().collect::<String>();
        blocks.extend(crate::plain::text_blocks(&text));
    }
    blocks
}

/// The compiled form of one of this file's selectors. Each is compiled
/// once per process (the set is fixed, so keeping them is bounded):
/// compiling one per paragraph was a good part of extraction time.
fn sel(s: &'static str) -> &'static Selector {
    static COMPILED: std::sync::LazyLock<
        std::sync::Mutex<rustc_hash::FxHashMap<&'static str, &'static Selector>>,
    > = std::sync::LazyLock::new(Default::default);
    let mut compiled = COMPILED.lock().unwrap_or_else(|p| p.into_inner());
    compiled
        .entry(s)
        .or_insert_with(|| Box::leak(Box::new(Selector::parse(s).expect("static selector is valid"))))
}

/// The `<meta>` and `<link>` elements of a page, gathered in one pass:
/// metadata asks for a score of them, and a document-wide selector match
/// for each was a good part of extraction time.
struct HeadTags<'a>(Vec<ElementRef<'a>>);

impl<'a> HeadTags<'a> {
    fn of(doc: &'a Html) -> HeadTags<'a> {
        HeadTags(doc.select(sel("meta, link")).collect())
    }
}

/// The first non-empty `content` (or `href`) of the tags named by
/// `patterns`, tried in order; a pattern reads `tag[attribute='value']`
/// (the value compared without regard to case).
fn meta(tags: &HeadTags, patterns: &[&str]) -> Option<String> {
    metas(tags, patterns).next()
}

/// Every non-empty value `meta` would choose from, in its order.
fn metas<'t>(tags: &'t HeadTags, patterns: &'t [&str]) -> impl Iterator<Item = String> + 't {
    patterns.iter().flat_map(move |pattern| {
        let (tag, attr, value) = pattern
            .split_once('[')
            .and_then(|(tag, rest)| {
                let (attr, value) = rest.trim_end_matches(']').split_once('=')?;
                Some((tag, attr, value.trim_matches('\'')))
            })
            .unwrap_or(("", "", ""));
        tags.0
            .iter()
            .filter(move |e| !tag.is_empty() && e.value().name() == tag)
            .filter(move |e| {
                e.value()
                    .attr(attr)
                    .is_some_and(|v| v.eq_ignore_ascii_case(value))
            })
            .filter_map(|e| e.value().attr("content").or_else(|| e.value().attr("href")))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(String::from)
    })
}

/// A date that parses and lies between 1990 and next year.
fn plausible_date(raw: &str) -> Option<Published> {
    let date = Published::parse(raw)?;
    let year = chrono::Datelike::year(&date.day());
    let next_year = chrono::Datelike::year(&chrono::Utc::now()) + 1;
    (1990..=next_year).contains(&year).then_some(date)
}

/// The page's title, date, address, source and byline, from its head,
/// JSON-LD (`all_ld`, every object the page has) and visible text;
/// `input` names the page when it gives no address of its own.
fn metadata(doc: &Html, all_ld: &[Value], input: &str) -> ArticleDraft {
    let tags = HeadTags::of(doc);
    let ld = json_ld_article(all_ld);
    let ld_str = |key: &str| {
        ld.and_then(|v| v.get(key))
            .and_then(Value::as_str)
            .map(String::from)
    };
    let ld_name = |key: &str| {
        ld.and_then(|v| v.get(key)).and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Array(a) => a
                .first()
                .and_then(|x| x.get("name"))
                .and_then(Value::as_str)
                .map(String::from),
            other => other.get("name").and_then(Value::as_str).map(String::from),
        })
    };
    let url = meta(&tags, &["link[rel='canonical']", "meta[property='og:url']"]).or_else(|| ld_str("url"));
    let title = ld_str("headline")
        .or_else(|| {
            meta(
                &tags,
                &["meta[property='og:title']", "meta[name='twitter:title']"],
            )
        })
        .or_else(|| first_text(doc, "title"))
        .or_else(|| first_text(doc, "h1"))
        .map(|t| {
            let site = Site {
                name: meta(&tags, &["meta[property='og:site_name']"]),
                host: url.as_deref().or(Some(input)).and_then(host_label),
            };
            headline(&decoded(&t), doc, &site)
        });
    // The first date that parses and is plausible: templates leave
    // "0001-01-01T00:00:00Z" or "" in JSON-LD when the field is unset.
    let published = ld_str("datePublished")
        .into_iter()
        .chain(metas(
            &tags,
            &[
                "meta[property='article:published_time']",
                "meta[itemprop='datePublished']",
                "meta[name='pubdate']",
                "meta[name='publishdate']",
                "meta[name='date']",
                "meta[name='dc.date']",
                "meta[name='DC.date.issued']",
                "meta[name='parsely-pub-date']",
            ],
        ))
        .chain(all_ld.iter().find_map(find_date_published))
        .chain(
            doc.select(sel("time[datetime]"))
                .filter_map(|e| e.value().attr("datetime").map(String::from)),
        )
        .find_map(|d| plausible_date(&d));
    let modified = ld_str("dateModified")
        .into_iter()
        .chain(metas(
            &tags,
            &[
                "meta[property='article:modified_time']",
                "meta[property='og:updated_time']",
                "meta[itemprop='dateModified']",
            ],
        ))
        .find_map(|d| plausible_date(&d));
    let mut extra = serde_json::Map::new();
    if let Some(modified) = modified {
        extra.insert("modified".into(), Value::String(modified.to_string()));
    }
    ArticleDraft {
        title,
        metadata: extra,
        published,
        url,
        source: meta(&tags, &["meta[property='og:site_name']"]).or_else(|| ld_name("publisher")),
        byline: ld_name("author")
            .and_then(byline_of)
            .or_else(|| meta(&tags, &["meta[name='author']", "meta[name='byl']"]).and_then(byline_of))
            .or_else(|| visible_byline(doc).and_then(byline_of))
            .or_else(|| meta(&tags, &["meta[property='article:author']"]).and_then(byline_of)),
        lang: doc
            .select(sel("html"))
            .next()
            .and_then(|h| h.value().attr("lang"))
            .map(|l| l.split(['-', '_']).next().unwrap_or(l).to_ascii_lowercase()),
        ..Default::default()
    }
}

/// Text with its character references read (`&#8211;` is a dash): the
/// JSON-LD and meta values pages write are sometimes still escaped.
fn decoded(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    clean(
        &Html::parse_fragment(text)
            .root_element()
            .text()
            .collect::<String>(),
    )
}

/// The page's headline from its `title`: the page's own `<h1>` when the
/// title is that heading with the site's name after it, else the title
/// without a leading or trailing segment naming the `site`.
fn headline(title: &str, doc: &Html, site: &Site) -> String {
    if let Some(h1) = first_text(doc, "h1") {
        if h1.len() < title.len() && names_title(&h1, title) {
            return h1;
        }
    }
    for sep in TITLE_SEPARATORS {
        // "Headline | Site" and "Site | Headline".
        if let Some((head, tail)) = title.rsplit_once(sep) {
            if site.names(tail) && !head.trim().is_empty() {
                return head.trim().to_string();
            }
        }
        if let Some((head, tail)) = title.split_once(sep) {
            if site.names(head) && !tail.trim().is_empty() {
                return tail.trim().to_string();
            }
        }
    }
    title.to_string()
}

/// What separates a headline from the site's name in a page title.
const TITLE_SEPARATORS: [&str; 7] = [" | ", " - ", " – ", " — ", " · ", " :: ", " • "];

/// What a page says of the site it belongs to: its declared name
/// (`og:site_name`) and the distinctive label of its host name.
struct Site {
    name: Option<String>,
    host: Option<String>,
}

impl Site {
    /// Whether a part of a title names the site: it is the declared name,
    /// or written without spaces and marks it is the host's label
    /// ("Example News" on example-news.com, "WRAL" on wral.com).
    fn names(&self, part: &str) -> bool {
        let part = folded(part);
        if part.is_empty() {
            return false;
        }
        if self.name.as_deref().map(folded).is_some_and(|n| n == part) {
            return true;
        }
        let squeezed: String = part.chars().filter(|c| c.is_alphanumeric()).collect();
        self.host.as_deref().is_some_and(|h| {
            let label: String = h.chars().filter(|c| c.is_alphanumeric()).collect();
            label.len() >= 3 && squeezed == label
        })
    }
}

/// The distinctive label of a URL's host: "example-news" for
/// `https://www.example-news.co.uk/x` (the label left of the public
/// suffix, guessed as the last label, or the last two when the one before
/// the last is short: co.uk, com.au).
fn host_label(url: &str) -> Option<String> {
    let host = url::Url::parse(url).ok()?.host_str()?.to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    let suffix = match labels.as_slice() {
        [.., second, last] if second.len() <= 3 && last.len() == 2 && labels.len() > 2 => 2,
        _ => 1,
    };
    labels
        .len()
        .checked_sub(suffix + 1)
        .map(|i| labels[i].to_string())
}

/// A byline the page shows: a schema.org author's name, a `rel=author`
/// link, or a short `byline` element.
fn visible_byline(doc: &Html) -> Option<String> {
    [
        "[itemprop='author'] [itemprop='name']",
        "[itemprop='author']",
        "a[rel='author']",
        ".byline",
    ]
    .iter()
    .filter_map(|s| first_text(doc, s))
    .find(|t| t.chars().count() <= 80)
    .or_else(|| author_named_element(doc))
}

/// The text of the first element whose class names an author
/// (`author-name`, `authorName`, `post-author`) when it reads as a name:
/// a few words, no digits. A biography or an "authors" index is longer.
fn author_named_element(doc: &Html) -> Option<String> {
    doc.select(sel("body [class]"))
        .filter(|el| {
            el.value()
                .attr("class")
                .map(str::to_ascii_lowercase)
                .is_some_and(|c| c.contains("author") && c.contains("name"))
        })
        .filter(|el| {
            !el.ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| matches!(a.value().name(), "nav" | "footer" | "aside"))
        })
        .filter_map(|el| byline_of(el.text().collect::<Vec<_>>().join(" ")))
        .find(|t| {
            let words = t.split_whitespace().count();
            (1..=MAX_NAME_WORDS).contains(&words)
                && t.chars().any(char::is_alphabetic)
                && !t.chars().any(|c| c.is_ascii_digit())
        })
}

/// Words of the longest author's name read from an element's text ("By
/// Jane van der Berg" is five).
const MAX_NAME_WORDS: usize = 6;

/// A byline as a reader writes it: character references read, "By"
/// and stray separators (", USA TODAY") off; `None` for an address (a
/// profile URL where a name belongs), a date or an empty one, so the next
/// source is asked.
fn byline_of(raw: String) -> Option<String> {
    let name = without_by(&clean(&decoded(&raw)));
    let name = name.trim_matches(|c: char| c.is_whitespace() || ",;|-–—·:".contains(c));
    let address = name.contains("://") || name.starts_with("www.") || name.contains('@');
    let date = shown_date::in_line(name).is_some();
    (name.chars().any(char::is_alphabetic) && !address && !date).then(|| name.to_string())
}

/// "By Jane Doe" and "Written by Jane Doe" are Jane Doe; "By" alone is a
/// label whose name is elsewhere, and empty.
fn without_by(byline: &str) -> String {
    let trimmed = byline.trim();
    let lower = trimmed.to_ascii_lowercase();
    for label in ["written by", "posted by", "by"] {
        // "By Jane", and "By" alone: a label with its name elsewhere.
        if lower == label
            || lower
                .strip_prefix(label)
                .is_some_and(|rest| rest.starts_with([' ', ':']))
        {
            return trimmed[label.len()..]
                .trim_start_matches([' ', ':'])
                .trim()
                .to_string();
        }
    }
    trimmed.to_string()
}

/// The date the page shows in a line of its own (see `shown_date`),
/// outside navigation, footers, asides, links and code: the first after
/// the page's headline (the date line under it; a masthead shows today's
/// date above it), else the first anywhere.
fn shown_date(doc: &Html) -> Option<Published> {
    let body = doc.select(sel("body")).next()?;
    let h1 = doc.select(sel("h1")).next().map(|h| h.id());
    let mut after_h1 = false;
    let mut first = None;
    for node in body.descendants() {
        if Some(node.id()) == h1 {
            after_h1 = true;
        }
        let Some(text) = node.value().as_text() else {
            continue;
        };
        let t = text.trim();
        if t.len() < 8 || t.chars().count() > shown_date::MAX_LINE_CHARS {
            continue;
        }
        let hidden = node.ancestors().filter_map(|a| a.value().as_element()).any(|e| {
            matches!(
                e.name(),
                "nav"
                    | "footer"
                    | "aside"
                    | "a"
                    | "script"
                    | "style"
                    | "noscript"
                    | "template"
                    | "pre"
                    | "code"
            )
        });
        if hidden {
            continue;
        }
        if let Some(p) = shown_date::in_line(t) {
            if after_h1 {
                return Some(p);
            }
            first.get_or_insert(p);
        }
    }
    first
}

/// The publication day many sites put in article paths: `/2023/06/25/`,
/// `/2023-06-25-…`, `/20230625/`. Only plausible dates count.
pub fn date_in_url(url: &str) -> Option<Published> {
    let path = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let digits: Vec<(usize, &str)> = path
        .split(|c: char| !c.is_ascii_digit())
        .scan(0usize, |at, run| {
            let start = *at;
            *at += run.len() + 1;
            Some((start, run))
        })
        .filter(|(_, run)| !run.is_empty())
        .collect();
    let day = |y: &str, m: &str, d: &str| -> Option<Published> {
        let (y, m, d) = (
            y.parse::<i32>().ok()?,
            m.parse::<u32>().ok()?,
            d.parse::<u32>().ok()?,
        );
        if !(1990..=2100).contains(&y) {
            return None;
        }
        chrono::NaiveDate::from_ymd_opt(y, m, d).map(Published::Day)
    };
    for (i, (_, run)) in digits.iter().enumerate() {
        if run.len() == 8 {
            if let Some(p) = day(&run[..4], &run[4..6], &run[6..]) {
                return Some(p);
            }
        }
        if run.len() == 4 && i + 2 < digits.len() {
            let (month, date) = (digits[i + 1].1, digits[i + 2].1);
            // The three runs must be adjacent (one separator between each).
            let adjacent =
                digits[i + 1].0 == digits[i].0 + 5 && digits[i + 2].0 == digits[i + 1].0 + month.len() + 1;
            if adjacent && month.len() <= 2 && date.len() <= 2 {
                if let Some(p) = day(run, month, date) {
                    return Some(p);
                }
            }
        }
    }
    None
}

fn first_text(doc: &Html, selector: &'static str) -> Option<String> {
    doc.select(sel(selector))
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .find(|t| !t.is_empty())
}

/// Running text shorter than this in a page's JSON-LD `articleBody` is a
/// summary or a teaser, not the article.
const LD_BODY_MIN_CHARS: usize = 500;

/// The article text the page's JSON-LD carries (`articleBody`), when it
/// is long enough to be one: pages that render their article with scripts
/// still put it there for search engines. It stands in for what the markup
/// gave when that is less than half as long.
fn json_ld_body(ld: &[Value]) -> Option<String> {
    let ld = json_ld_article(ld)?;
    let body = ld.get("articleBody")?.as_str()?.trim();
    (body.len() >= LD_BODY_MIN_CHARS).then(|| body.to_string())
}

/// The blocks of an `articleBody`: its markup's when it has some, else a
/// paragraph per line.
fn body_blocks(body: &str) -> Vec<Block> {
    if body.contains("</p>") || body.contains("<br") {
        return fragment_blocks(body);
    }
    body.lines()
        .map(clean)
        .filter(|l| !l.is_empty())
        .map(Block::Paragraph)
        .collect()
}

/// What the page (`doc`, parsed from the pruned `html`) says of its own
/// kind (see `page_type`): its JSON-LD types, Open Graph type, address,
/// prices, cart button and code samples.
fn signals(doc: &Html, ld: &[Value], html: &str, url: Option<&str>) -> Signals {
    let mut s = Signals {
        path: url
            .and_then(|u| url::Url::parse(u).ok())
            .map(|u| u.path().to_lowercase()),
        og_type: doc
            .select(sel("meta[property='og:type']"))
            .find_map(|m| m.value().attr("content"))
            .map(|t| t.trim().to_lowercase()),
        preformatted: doc.select(sel("pre")).count(),
        ..Signals::default()
    };
    ld.iter().for_each(|v| ld_types(v, &mut s.ld_types));
    // Read from the pruned markup rather than the visible text: a cart
    // button is a `<button>` (left out of the text) or named in a class.
    s.prices = page_type::count_prices(html);
    let lower = html.to_ascii_lowercase();
    s.cart = CART_MARKS.iter().any(|c| lower.contains(c));
    for (_, text) in teasers(doc) {
        s.teasers += 1;
        s.teaser_chars += text.chars().filter(|c| !c.is_whitespace()).count();
    }
    s.prose_chars = doc
        .select(sel("p"))
        .filter(|p| {
            !p.ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| a.value().name() == "a")
        })
        .map(prose_chars)
        .sum();
    s
}

/// How pages name the button that puts a product in the cart.
const CART_MARKS: &[&str] = &[
    "add to cart",
    "add to bag",
    "add to basket",
    "add-to-cart",
    "add_to_cart",
    "addtocart",
];

/// Every `@type` named anywhere in a JSON-LD value.
fn ld_types(v: &Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| ld_types(i, out)),
        Value::Object(o) => {
            match o.get("@type") {
                Some(Value::String(t)) => {
                    out.insert(t.clone());
                }
                Some(Value::Array(ts)) => out.extend(ts.iter().filter_map(Value::as_str).map(String::from)),
                _ => {}
            }
            o.values().for_each(|x| ld_types(x, out));
        }
        _ => {}
    }
}

/// The page's JSON-LD blocks that parse.
fn json_ld(doc: &Html) -> Vec<Value> {
    doc.select(sel("script[type='application/ld+json']"))
        .filter_map(|s| serde_json::from_str::<Value>(&s.text().collect::<String>()).ok())
        .collect()
}

/// The first JSON-LD object of an article type, searching arrays and `@graph`.
fn json_ld_article(ld: &[Value]) -> Option<&Value> {
    ld.iter().find_map(find_article)
}

/// The first `datePublished` of any JSON-LD object: a page that is not
/// typed as an article (a `WebPage`, a forum thread, a recipe) still says
/// when it was published.
fn find_date_published(v: &Value) -> Option<String> {
    find_in_ld(v, &|o| {
        o.get("datePublished").and_then(Value::as_str).map(String::from)
    })
}

fn find_article(v: &Value) -> Option<&Value> {
    find_in_ld(v, &|o| {
        let is_article = match o.get("@type") {
            Some(Value::String(t)) => ARTICLE_TYPES.contains(&t.as_str()),
            Some(Value::Array(ts)) => ts
                .iter()
                .any(|t| t.as_str().is_some_and(|t| ARTICLE_TYPES.contains(&t))),
            _ => false,
        };
        is_article.then_some(o)
    })
}

/// The first answer `pick` gives for a JSON-LD object, in document
/// order, searching arrays and an object's `@graph` when the object
/// itself gives none.
fn find_in_ld<'v, T>(v: &'v Value, pick: &impl Fn(&'v Value) -> Option<T>) -> Option<T> {
    match v {
        Value::Array(items) => items.iter().find_map(|item| find_in_ld(item, pick)),
        Value::Object(o) => pick(v).or_else(|| o.get("@graph").and_then(|g| find_in_ld(g, pick))),
        _ => None,
    }
}

/// The blocks of the element that holds the page's content: the smallest
/// explicit marker (`itemprop=articleBody`, `<article>`, `<main>`) with
/// most of the running text, else the container the paragraphs vote for,
/// `widened` when that container holds less than `widen_below` of the
/// page's running text.
fn main_blocks(cx: &Verdicts, doc: &Html, widen_below: f64) -> Vec<Block> {
    let Some(body) = doc.select(sel("body")).next() else {
        return Vec::new();
    };
    let candidates: Vec<ElementRef> = doc
        .select(sel("[itemprop='articleBody'], article, main, [role='main']"))
        .collect();
    let mut best: Option<(Vec<Block>, usize)> = None;
    if !candidates.is_empty() {
        let total = paragraph_chars(&blocks_of(cx, body));
        for el in candidates {
            let blocks = blocks_of(cx, el);
            let chars = paragraph_chars(&blocks);
            if chars * 10 < total * 6 || chars == 0 {
                continue;
            }
            // Prefer the smaller element: it carries less surrounding clutter.
            let size = el.text().map(str::len).sum::<usize>();
            if best.as_ref().is_none_or(|(_, s)| size < *s) {
                best = Some((blocks, size));
            }
        }
    }
    match best {
        Some((blocks, _)) => blocks,
        None => {
            let voted = voted_containers(cx, body);
            if voted.is_empty() {
                return blocks_of(cx, body);
            }
            let mut blocks = Vec::new();
            for el in &voted {
                collect_blocks(cx, *el, &mut blocks);
            }
            let total = paragraph_chars(&blocks_of(cx, body));
            if (paragraph_chars(&blocks) as f64) < widen_below * total as f64 {
                return widened(cx, body, voted[0], total);
            }
            blocks
        }
    }
}

/// The blocks of the lowest ancestor of `top` holding at least
/// `WIDENED_SHARE` of the page's running text (else the whole body).
///
/// Called when the container the paragraphs voted for holds less than
/// half the page's running text outside boilerplate (`WIDEN_BELOW`). A
/// landing page, a service page, a listing or a forum thread spreads its
/// content over many sibling sections of about equal weight, and one
/// section wins the vote by a little; an article's body outweighs what
/// sits around it, so on a declared article the container must hold far
/// less (`WIDEN_ARTICLE_BELOW`). Both shares chosen over WCXB dev and the
/// ScrapingHub pages, the first by cross-validation grouped by domain
/// (see README).
fn widened(cx: &Verdicts, body: ElementRef, top: ElementRef, total: usize) -> Vec<Block> {
    // Each step reads the ancestor's whole subtree: a bounded number of
    // steps keeps a page nested hundreds deep linear.
    for ancestor in top.ancestors().filter_map(ElementRef::wrap).take(WIDEN_STEPS) {
        let blocks = blocks_of(cx, ancestor);
        if paragraph_chars(&blocks) as f64 >= WIDENED_SHARE * total as f64 || ancestor == body {
            return blocks;
        }
    }
    blocks_of(cx, body)
}

/// Ancestors looked at before the whole body is taken instead.
const WIDEN_STEPS: usize = 64;
/// Share of the page's running text the widened container must hold.
const WIDENED_SHARE: f64 = 0.6;
/// Shares of the page's running text below which the voted container is
/// widened: on any page, and on one that declares itself an article.
const WIDEN_BELOW: f64 = 0.5;
const WIDEN_ARTICLE_BELOW: f64 = 0.15;

fn blocks_of(cx: &Verdicts, el: ElementRef) -> Vec<Block> {
    let mut blocks = Vec::new();
    collect_blocks(cx, el, &mut blocks);
    blocks
}

/// Class or id fragments of containers that usually hold the article.
const CONTENT_HINTS: &[&str] = &[
    "article", "body", "content", "entry", "main", "post", "story", "text",
];

/// Readability's vote: every paragraph of 25 characters or more scores
/// its container (1, plus one per comma, plus one per 100 characters up
/// to three) and half that for the container's parent; a container's
/// score is cut by the share of its text in links and raised by a class
/// or id that names content. The best-scoring container wins, joined by
/// its siblings that scored at least a fifth as well (an article body
/// split over sibling containers: an intro, then the sections), in page
/// order.
fn voted_containers<'a>(cx: &Verdicts, body: ElementRef<'a>) -> Vec<ElementRef<'a>> {
    let mut scores = std::collections::HashMap::new();
    for p in body.select(sel("p, pre, td, div")) {
        if cx.is_boilerplate(p) || ancestors_boilerplate(cx, p) {
            continue;
        }
        // A div counts for its own text only (a div of divs is a container):
        // its text nodes and inline elements (`<div><span>text</span></div>`).
        let own: String = if p.value().name() == "div" {
            inline_text(p)
        } else {
            p.text().collect()
        };
        // Characters, not bytes: a Chinese sentence is not three times longer.
        let len = own.trim().chars().count();
        if len < 25 {
            continue;
        }
        let points = 1.0
            + own.chars().filter(|&c| crate::words::is_comma(c)).count() as f64
            + (len as f64 / 100.0).min(3.0);
        // A paragraph votes for its container; a div holding text is one.
        let containers: Vec<_> = if p.value().name() == "div" {
            std::iter::once(*p).chain(p.ancestors().take(1)).collect()
        } else {
            p.ancestors().take(2).collect()
        };
        let mut share = 1.0;
        for container in containers {
            *scores.entry(container.id()).or_insert(0.0) += points * share;
            share /= 2.0;
        }
    }
    let weighed = |el: ElementRef| {
        let marks = format!(
            "{} {}",
            el.value().attr("class").unwrap_or(""),
            el.value().attr("id").unwrap_or("")
        )
        .to_ascii_lowercase();
        let hint = if CONTENT_HINTS.iter().any(|h| marks.contains(h)) {
            1.25
        } else {
            1.0
        };
        scores.get(&el.id()).copied().unwrap_or(0.0) * hint * (1.0 - link_density(el))
    };
    let mut ranked: Vec<(ElementRef, f64)> = scores
        .keys()
        .filter_map(|&id| ElementRef::wrap(body.tree().get(id)?))
        .map(|el| (el, weighed(el)))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.id().cmp(&b.0.id())));
    let Some(&(mut top, best)) = ranked.first() else {
        return Vec::new();
    };
    // An article split over sections scores each section about alike:
    // when several of the best containers lie under one ancestor of the
    // winner, that ancestor holds the article (Readability's rule).
    let close: Vec<ElementRef> = ranked
        .iter()
        .skip(1)
        .take(ALTERNATIVES)
        .filter(|(_, score)| *score >= best * ALTERNATIVE_SHARE)
        .map(|(el, _)| *el)
        .collect();
    if close.len() >= SPLIT_SECTIONS {
        for ancestor in top.ancestors().filter_map(ElementRef::wrap) {
            if ancestor == body {
                break;
            }
            let under = close
                .iter()
                .filter(|c| c.ancestors().any(|a| a.id() == ancestor.id()))
                .count();
            if under >= SPLIT_SECTIONS {
                top = ancestor;
                break;
            }
        }
    }
    let Some(parent) = top.parent().and_then(ElementRef::wrap) else {
        return vec![top];
    };
    let floor = (best * SIBLING_SHARE).max(SIBLING_MIN_SCORE);
    parent
        .children()
        .filter_map(ElementRef::wrap)
        .filter(|&el| el == top || (!cx.is_boilerplate(el) && weighed(el) >= floor))
        .collect()
}

/// The runners-up looked at, how close to the winner's score they must
/// come, and how many must share an ancestor with it for that ancestor to
/// win instead.
const ALTERNATIVES: usize = 5;
const ALTERNATIVE_SHARE: f64 = 0.75;
const SPLIT_SECTIONS: usize = 2;

/// A sibling of the winning container joins it when it scored at least
/// this share of the winner's score, and at least `SIBLING_MIN_SCORE`.
const SIBLING_SHARE: f64 = 0.2;
const SIBLING_MIN_SCORE: f64 = 10.0;

/// The text of `el`'s own text nodes and inline children (not of its blocks).
fn inline_text(el: ElementRef) -> String {
    let mut text = String::new();
    for node in el.children() {
        if let Some(t) = node.value().as_text() {
            text.push_str(t);
        } else if let Some(child) = ElementRef::wrap(node) {
            let inline = !BLOCK_ELEMENTS.contains(&child.value().name())
                && !child
                    .descendants()
                    .filter_map(ElementRef::wrap)
                    .any(|d| BLOCK_ELEMENTS.contains(&d.value().name()));
            if inline {
                text.extend(child.text());
            }
        }
    }
    text
}

/// Whether any ancestor of `el` is boilerplate.
fn ancestors_boilerplate(cx: &Verdicts, el: ElementRef) -> bool {
    el.ancestors()
        .filter_map(ElementRef::wrap)
        .any(|a| cx.is_boilerplate(a))
}

/// Characters of running text in `blocks`: paragraphs, including the runs
/// of inline text that pages put straight into `<div>`s (with `<br>`s).
fn paragraph_chars(blocks: &[Block]) -> usize {
    blocks
        .iter()
        .map(|b| match b {
            Block::Paragraph(t) => t.len(),
            _ => 0,
        })
        .sum()
}

/// Elements that start a block of their own; anything else is inline.
const BLOCK_ELEMENTS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "ul",
    "ol",
    "li",
    "table",
    "tr",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "dl",
    "dt",
    "dd",
    "header",
    "footer",
    "nav",
    "aside",
    "form",
    "figure",
    "hr",
    "br",
    "center",
];

/// Share of a block's text inside links above which it is navigation
/// (menus, tag lists, "more stories"), not article text.
const MAX_LINK_DENSITY: f64 = 0.5;

fn link_density(el: ElementRef) -> f64 {
    let all: usize = el.text().map(str::len).sum();
    if all == 0 {
        return 0.0;
    }
    let linked: usize = el
        .descendants()
        .filter_map(ElementRef::wrap)
        .filter(|e| e.value().name() == "a")
        .map(|a| a.text().map(str::len).sum::<usize>())
        .sum();
    linked as f64 / all as f64
}

fn clean(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Which elements of one page are boilerplate, worked out once each: the
/// question is asked for every ancestor of every paragraph, and a large
/// container's answer needs the page's visible text.
#[derive(Default)]
struct Verdicts {
    known: std::cell::RefCell<rustc_hash::FxHashMap<ego_tree::NodeId, bool>>,
    page_chars: std::cell::Cell<Option<usize>>,
    sizes: std::cell::RefCell<rustc_hash::FxHashMap<ego_tree::NodeId, (usize, usize)>>,
    /// Whether customers' reviews and ratings are boilerplate: on a
    /// product page they are what comments are on an article. On any other
    /// page a review is as likely to be the article itself.
    reviews_are_comments: bool,
    /// Whether comments and replies are the page's text: a forum thread
    /// is its posts, and forum software names each post a comment.
    comments_are_posts: bool,
    /// Whether blocks made of links are text: a listing or a collection
    /// is its entries, each a headline (and often a byline) linking to
    /// the page it names, and reference documentation links every name
    /// it mentions to that name's entry; on any other page such blocks
    /// are menus, tag lists and teasers.
    links_are_text: bool,
}

impl Verdicts {
    /// Whether a block with `el`'s share of linked text is navigation.
    fn is_navigation(&self, el: ElementRef) -> bool {
        !self.links_are_text && link_density(el) > MAX_LINK_DENSITY
    }

    fn is_boilerplate(&self, el: ElementRef) -> bool {
        if let Some(&known) = self.known.borrow().get(&el.id()) {
            return known;
        }
        let verdict = is_boilerplate(self, &el);
        self.known.borrow_mut().insert(el.id(), verdict);
        verdict
    }

    /// Characters of prose in the whole page (see `prose_chars`).
    fn page_chars(&self, el: ElementRef) -> usize {
        if let Some(n) = self.page_chars.get() {
            return n;
        }
        let root = el.ancestors().filter_map(ElementRef::wrap).last().unwrap_or(el);
        let n = self.sizes(root).1;
        self.page_chars.set(Some(n));
        n
    }

    /// Bytes of text under `el`, and characters of prose (see
    /// `prose_chars`), each element's worked out once: the question is
    /// asked of nested containers, and a page nests hundreds deep.
    fn sizes(&self, el: ElementRef) -> (usize, usize) {
        if let Some(&known) = self.sizes.borrow().get(&el.id()) {
            return known;
        }
        let (mut text, mut prose) = (0, 0);
        for child in el.children() {
            match child.value() {
                scraper::Node::Text(t) => {
                    text += t.len();
                    prose += t.chars().filter(|c| !c.is_whitespace()).count();
                }
                scraper::Node::Element(e) => {
                    let Some(child) = ElementRef::wrap(child) else {
                        continue;
                    };
                    if NOT_PROSE.contains(&e.name()) {
                        text += child.text().map(str::len).sum::<usize>();
                    } else {
                        let (t, p) = self.sizes(child);
                        text += t;
                        prose += p;
                    }
                }
                _ => {}
            }
        }
        self.sizes.borrow_mut().insert(el.id(), (text, prose));
        (text, prose)
    }
}

fn is_boilerplate(cx: &Verdicts, el: &ElementRef) -> bool {
    let v = el.value();
    // Elements that are boilerplate by their kind, unless they hold most
    // of the page's text: then they are the page. Some sites wrap the whole
    // page in a <form> (ASP.NET) or set the article in a <header>; a page
    // streamed by React arrives in a `hidden` element a script reveals; a
    // broken page leaves an <aside> open and the parser puts the rest of
    // the page inside it.
    if v.name() == "form" {
        return !holds_most_text(cx, *el);
    }
    // A figure set around a quotation (a pull quote, a testimonial)
    // shows text, not a picture.
    let quotes = v.name() == "figure" && el.select(sel("blockquote")).next().is_some();
    if (WRAPPING_ELEMENTS.contains(&v.name()) && !quotes)
        || v.attr("hidden").is_some()
        || v.attr("aria-hidden") == Some("true")
    {
        return !(holds_most_text(cx, *el) && near_landmark(*el));
    }
    if SKIPPED_ELEMENTS.contains(&v.name()) && !quotes {
        return true;
    }
    let marks = marks(v);
    if BOX_HINTS.iter().any(|h| marks.contains(h)) && el.text().map(str::len).sum::<usize>() < BOX_MAX_CHARS {
        return true;
    }
    let names_posts = || POST_HINTS.iter().any(|h| marks.contains(h));
    (BOILERPLATE_HINTS
        .iter()
        .filter(|h| !POST_HINTS.contains(h))
        .any(|h| marks.contains(h))
        || (names_posts() && (!cx.comments_are_posts || answers_text(cx, *el)))
        || (cx.reviews_are_comments && names_reviews(&marks)))
        && !ARTICLE_HINTS.iter().any(|h| marks.contains(h))
        && !holds_most_text(cx, *el)
}

/// Of the boilerplate hints, those that name a forum thread's posts.
const POST_HINTS: &[&str] = &["comment", "replies"];

/// Prose beside a comment (in its siblings that are not controls, hidden
/// or comments themselves) from which on the comment is a reply to that
/// text, not a post of its own.
const ANSWERED_CHARS: usize = 200;

/// Whether `el` sits beside text it comments on: a Q&A site hangs short
/// comments under each question and answer, while forum software names
/// every post of a thread a comment.
fn answers_text(cx: &Verdicts, el: ElementRef) -> bool {
    let beside = el
        .prev_siblings()
        .chain(el.next_siblings())
        .filter_map(ElementRef::wrap)
        .filter(|s| {
            let v = s.value();
            !(SKIPPED_ELEMENTS.contains(&v.name())
                || v.attr("hidden").is_some()
                || POST_HINTS.iter().any(|h| marks(v).contains(h)))
        })
        .map(|s| cx.sizes(s).1)
        .sum::<usize>();
    beside >= ANSWERED_CHARS
}

/// Whether class or id marks name customers' reviews or ratings (not a
/// "preview").
fn names_reviews(marks: &str) -> bool {
    marks.contains("rating")
        || marks
            .match_indices("review")
            .any(|(i, _)| !marks[..i].ends_with('p'))
}

/// Class or id fragments of boxes set beside an article (the author's
/// box, a biography): boilerplate when they hold no more than
/// `BOX_MAX_CHARS` of text, since layouts also name whole posts after
/// their author ("post author-jane").
const BOX_HINTS: &[&str] = &["author", "bio"];
const BOX_MAX_CHARS: usize = 1_000;

/// The class and id of an element, lower-cased, without the taxonomy
/// classes WordPress puts on a post's wrapper (`category-advertising`,
/// `tag-social-media` name the post's subject, not its layout).
fn marks(v: &scraper::node::Element) -> String {
    let mut marks = String::new();
    for token in v
        .attr("class")
        .unwrap_or("")
        .split_whitespace()
        .chain(v.attr("id"))
    {
        let lower = token.to_ascii_lowercase();
        if !(lower.starts_with("category-") || lower.starts_with("tag-")) {
            marks.push_str(&lower);
            marks.push(' ');
        }
    }
    marks
}

/// Text below which a container is never taken for the page's wrapper.
const WRAPPER_MIN_CHARS: usize = 1500;

/// Whether `el` holds most of the page's text: then it wraps the page
/// (an "off-canvas advert pusher" around everything), and a boilerplate
/// word in its class cannot make it boilerplate.
fn holds_most_text(cx: &Verdicts, el: ElementRef) -> bool {
    let (own, prose) = cx.sizes(el);
    if own < WRAPPER_MIN_CHARS {
        return false;
    }
    prose * 2 > cx.page_chars(el)
}

/// Appends the text under `el` that a reader sees: not what sits in
/// scripts, styles, `<noscript>` fallbacks (lazy-loading pages repeat
/// their images there as markup) and other skipped elements.
fn push_visible_text(el: ElementRef, out: &mut String) {
    for node in el.children() {
        if let Some(text) = node.value().as_text() {
            out.push_str(text);
        } else if let Some(child) = ElementRef::wrap(node) {
            if !SKIPPED_ELEMENTS.contains(&child.value().name()) {
                push_visible_text(child, out);
            }
        }
    }
}

/// Whether `el` holds one of the page's landmarks (its main element, an
/// article element, its top heading) or sits inside its main element or
/// an article. A footer's fine print can outweigh a short article in
/// prose, but it is none of these.
fn near_landmark(el: ElementRef) -> bool {
    let landmark = |e: ElementRef| matches!(e.value().name(), "main" | "article" | "h1");
    el.descendants()
        .filter_map(ElementRef::wrap)
        .skip(1)
        .any(landmark)
        || el
            .ancestors()
            .filter_map(ElementRef::wrap)
            .any(|a| matches!(a.value().name(), "main" | "article"))
}

/// Elements whose text is not prose: code, styles, fallbacks and links.
const NOT_PROSE: &[&str] = &["script", "style", "noscript", "template", "a"];

/// Characters of prose under `el`: text outside scripts, styles and
/// links, without white space. A footer's site map can outweigh an
/// article in characters, but not in prose.
fn prose_chars(el: ElementRef) -> usize {
    // One walk that skips what is not prose, rather than a look up every
    // text node's ancestors: a page nests hundreds deep.
    let mut chars = 0;
    let mut stack: Vec<_> = el.children().collect();
    while let Some(node) = stack.pop() {
        match node.value() {
            scraper::Node::Text(text) => chars += text.chars().filter(|c| !c.is_whitespace()).count(),
            scraper::Node::Element(e) if !NOT_PROSE.contains(&e.name()) => stack.extend(node.children()),
            _ => {}
        }
    }
    chars
}

/// Whether `el` holds blocks of running text: paragraphs, headings,
/// quotes, preformatted text or tables.
fn holds_text_blocks(el: ElementRef) -> bool {
    el.descendants().filter_map(ElementRef::wrap).skip(1).any(|d| {
        matches!(
            d.value().name(),
            "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote" | "pre" | "table"
        )
    })
}

/// Class or id fragments that keep a container whose other marks sound
/// like boilerplate: layouts wrap the article in "l-sidebar-fixed
/// l-article-body-segment" (readability's "maybe a candidate" words).
const ARTICLE_HINTS: &[&str] = &["article", "body", "column", "content", "main"];

/// The blocks under `el` in reading order: paragraphs, headings, list
/// items, and runs of inline text sitting directly in a container (split
/// at `<br>`); blocks that are mostly links are navigation and left out.
fn collect_blocks(cx: &Verdicts, el: ElementRef, out: &mut Vec<Block>) {
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut Vec<Block>| {
        let t = clean(run);
        run.clear();
        if !t.is_empty() {
            out.push(Block::Paragraph(t));
        }
    };
    for node in el.children() {
        if let Some(text) = node.value().as_text() {
            run.push_str(text);
            continue;
        }
        let Some(child) = ElementRef::wrap(node) else {
            continue;
        };
        if cx.is_boilerplate(child) {
            continue;
        }
        let name = child.value().name();
        if name == "br" {
            // One <br> is a line break inside a paragraph; a run ends at two.
            if run.ends_with('\n') {
                flush(&mut run, out);
            } else {
                run.push('\n');
            }
            continue;
        }
        if !BLOCK_ELEMENTS.contains(&name) {
            // Inline: part of the running text, unless it hides blocks inside.
            if child.descendants().filter_map(ElementRef::wrap).any(|d| {
                let n = d.value().name();
                n != "br" && BLOCK_ELEMENTS.contains(&n)
            }) {
                flush(&mut run, out);
                collect_blocks(cx, child, out);
            } else {
                push_visible_text(child, &mut run);
                run.push(' ');
            }
            continue;
        }
        flush(&mut run, out);
        let text = || {
            let mut t = String::new();
            push_visible_text(child, &mut t);
            clean(&t)
        };
        match name {
            "p" | "pre" => {
                let t = text();
                if !t.is_empty() && !cx.is_navigation(child) {
                    out.push(Block::Paragraph(t));
                }
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let t = text();
                // A heading that is a link is a teaser for another page
                // (unless links are the page's text: a listing's entries).
                if !t.is_empty() && !cx.is_navigation(child) {
                    out.push(Block::Heading {
                        level: name[1..].parse().unwrap_or(2),
                        text: t,
                    });
                }
            }
            // An item that holds paragraphs or headings is a container (a
            // numbered list of sections, each a heading and its text):
            // flattened into one item, the article would lose its parts.
            "li" if holds_text_blocks(child) => collect_blocks(cx, child, out),
            "li" => {
                let t = text();
                // A list of links is navigation ("Most popular", tags),
                // unless it follows a related-links label or another item.
                let linked = cx.is_navigation(child);
                let listed = matches!(out.last(), Some(Block::ListItem { .. }))
                    || out
                        .last()
                        .and_then(blocks::heading_text)
                        .is_some_and(blocks::is_related_label);
                if !t.is_empty() && (!linked || listed) {
                    let url = child
                        .select(sel("a[href]"))
                        .next()
                        .and_then(|a| a.value().attr("href"))
                        .map(String::from);
                    out.push(Block::ListItem { text: t, url });
                }
            }
            _ => collect_blocks(cx, child, out),
        }
    }
    // Text straight in the container, after its last block.
    flush(&mut run, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(input: &str, page: &str) -> Parsed {
        super::parse(input, page, &Limits::default())
    }

    #[test]
    fn dates_in_article_paths() {
        let cases = [
            (
                "https://a.example/2023/06/25/china-backs-moscow/",
                Some("2023-06-25"),
            ),
            ("https://a.example/news/2023-06-25-china", Some("2023-06-25")),
            ("https://a.example/20230625/story.html", Some("2023-06-25")),
            ("https://a.example/world/2023/6/5/x", Some("2023-06-05")),
            ("https://a.example/story/12345678", None), // not a plausible date
            ("https://a.example/2023/best-of", None),
            ("https://a.example/x?date=2023-06-25", None), // queries are not paths
        ];
        for (url, day) in cases {
            assert_eq!(date_in_url(url).map(|p| p.to_string()).as_deref(), day, "{url}");
        }
    }

    #[test]
    fn placeholder_dates_give_way_to_real_ones() {
        let page = r#"<html><head><script type="application/ld+json">{"@type":"NewsArticle",
            "datePublished":"0001-01-01T00:00:00Z","dateModified":""}</script>
            <meta property="article:published_time" content="2019-11-19T14:00:00Z"></head>
            <body><article><p>The first paragraph of the story, long enough to count as article text.</p>
            </article></body></html>"#;
        let a = parse("page.html", page).drafts[0].draft.clone();
        assert_eq!(a.published.unwrap().to_string(), "2019-11-19T14:00:00+00:00");
        assert!(!a.metadata.contains_key("modified"));
    }

    /// A page typed as a web page or a forum thread, not an article,
    /// still gives its publication date in JSON-LD.
    #[test]
    fn a_date_published_by_any_json_ld_object_is_read() {
        let page = r#"<html><head><script type="application/ld+json">{"@context":"https://schema.org","@graph":[
            {"@type":"Organization","name":"Harbour Times"},
            {"@type":"WebPage","name":"Port reopens","datePublished":"2024-03-17T19:47:39+00:00"}]}</script></head>
            <body><main><p>The port reopened on Monday after three weeks of repairs to the quay, officials said.</p>
            </main></body></html>"#;
        let a = parse("page.html", page).drafts[0].draft.clone();
        assert_eq!(a.published.unwrap().to_string(), "2024-03-17T19:47:39+00:00");
    }

    #[test]
    fn bylines_modified_dates_and_url_dates() {
        let page = r#"<html><head><meta property="article:modified_time" content="2023-06-26T10:00:00Z">
            <link rel="canonical" href="https://a.example/2023/06/25/story"></head>
            <body><article><h1>Story</h1><p class="byline">By Jane Doe</p>
            <p>The first paragraph of the story, long enough to count as article text here.</p></article></body></html>"#;
        let parsed = parse("page.html", page);
        let a = parsed.drafts[0].draft.clone();
        assert_eq!(a.byline.as_deref(), Some("Jane Doe"));
        assert_eq!(
            a.published.unwrap().to_string(),
            "2023-06-25",
            "from the canonical URL"
        );
        assert_eq!(a.metadata["modified"], "2023-06-26T10:00:00+00:00");
    }

    const PAGE: &str = r#"<!doctype html><html lang="en-GB"><head>
        <title>Storm hits coast | Example News</title>
        <meta property="og:site_name" content="Example News">
        <meta property="article:published_time" content="2023-09-11T08:00:00+02:00">
        <link rel="canonical" href="https://news.example/storm">
        <script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"NewsArticle","headline":"Storm hits the coast","author":[{"name":"A. Writer"}]}]}</script>
        </head><body><nav><p>Home News Sport and other menu links that go on for a while</p></nav>
        <article><h1>Storm hits the coast</h1><p>Heavy rain fell overnight.</p>
        <h2>Damage</h2><p>Roofs were torn off.</p>
        <div class="share-tools"><p>Share this on every network you know about</p></div>
        <h3>Related</h3><ul><li><a href="/older">Older storm story</a></li></ul></article>
        <footer><p>Copyright</p></footer></body></html>"#;

    #[test]
    fn reads_metadata_and_main_text() {
        let p = parse("page.html", PAGE);
        assert!(p.rejected.is_empty(), "{:?}", p.rejected);
        let a = p.drafts[0].draft.clone().finish().unwrap();
        assert_eq!(a.title, "Storm hits the coast");
        assert_eq!(a.url.as_deref(), Some("https://news.example/storm"));
        assert_eq!(a.source.as_deref(), Some("Example News"));
        assert_eq!(a.byline.as_deref(), Some("A. Writer"));
        assert_eq!(a.lang.as_deref(), Some("en"));
        assert_eq!(a.published.unwrap().to_string(), "2023-09-11T08:00:00+02:00");
        assert_eq!(
            a.text,
            "Heavy rain fell overnight.\n\nDamage\n\nRoofs were torn off."
        );
        assert_eq!(a.related_references[0].title, "Older storm story");
        assert_eq!(
            a.related_references[0].url.as_deref(),
            Some("https://news.example/older"),
            "made absolute against the page's URL"
        );
    }

    #[test]
    fn text_in_divs_counts_and_the_paragraphs_pick_the_container() {
        let page = r#"<html><head><title>Dams burst</title></head><body>
            <div class="menu"><p><a href="/a">World</a> <a href="/b">Business</a> <a href="/c">Sport</a></p></div>
            <div class="teaser"><p>Short teaser.</p></div>
            <div class="story-body">Two dams above Derna gave way during the storm, and water swept through the city, officials said.<br><br>Rescuers searched the coast, where thousands were missing, for a second day.
            <p>See also: <a href="/x">an older story about dams and other infrastructure</a></p></div>
            </body></html>"#;
        let a = parse("p.html", page).drafts[0].draft.clone().finish().unwrap();
        assert_eq!(
            a.text,
            "Two dams above Derna gave way during the storm, and water swept through the city, officials said.\n\n\
             Rescuers searched the coast, where thousands were missing, for a second day."
        );
    }

    #[test]
    fn a_layout_named_for_the_article_is_not_boilerplate() {
        let page = r#"<html><head><title>Port reopens</title></head><body>
            <div class="cookie-banner"><p>We use cookies to improve your experience on this site, as our policy explains.</p></div>
            <main><div class="l-sidebar-fixed l-article-body-segment"><div class="c-entry-content">
            <p>The port of Odesa reopened on Monday after a week of closures, and the first grain ship left at dawn.</p>
            <p>Harbour officials said traffic would return to normal by the end of the month.</p>
            </div><div class="related-links"><p>Read more: a story about ports, ships and grain prices elsewhere.</p></div></div></main>
            </body></html>"#;
        let a = parse("p.html", page).drafts[0].draft.clone().finish().unwrap();
        assert_eq!(
            a.text,
            "The port of Odesa reopened on Monday after a week of closures, and the first grain ship left at dawn.\n\n\
             Harbour officials said traffic would return to normal by the end of the month."
        );
    }

    /// A guide whose sections each sit in a container of their own: each
    /// scores about alike, and the article is all of them.
    #[test]
    fn an_article_split_over_section_containers_is_read_whole() {
        let section = |n: usize, topic: &str| {
            format!(
                r#"<div class="block"><h2>Step {n}: {topic}</h2><div class="rich">
                <p>Start with the {topic}, which takes most of a weekend, and write down what it costs, how long it took and what you would change.</p>
                <p>Neighbours who did the same, in flats of every size, say the {topic} paid for itself within a year, more or less.</p></div></div>"#
            )
        };
        let topics = ["walls", "floors", "lighting", "storage", "windows"];
        let sections: String = topics
            .iter()
            .enumerate()
            .map(|(i, t)| section(i + 1, t))
            .collect();
        let page = format!(
            r#"<html><head><title>Five steps to a new room</title></head><body>
            <div class="menu"><a href="/a">Rooms</a> <a href="/b">Gardens</a> <a href="/c">Shop</a></div>
            <div class="page"><div class="intro"><p>Redoing a room is easier in steps, one at a time, than all at once.</p></div>
            <div class="steps">{sections}</div></div>
            <div class="footer-links"><a href="/d">Contact</a> <a href="/e">Jobs</a></div></body></html>"#
        );
        let a = parse("p.html", &page).drafts[0].draft.clone().finish().unwrap();
        for (i, topic) in topics.iter().enumerate() {
            assert!(a.text.contains(&format!("Step {}: {topic}", i + 1)), "{}", a.text);
            assert!(
                a.text.contains(&format!("the {topic} paid for itself")),
                "{}",
                a.text
            );
        }
        assert!(
            !a.text.contains("Gardens") && !a.text.contains("Jobs"),
            "{}",
            a.text
        );
    }

    /// A numbered list whose items are the article's sections (a heading
    /// and paragraphs each) is read as sections, not as one list line each.
    #[test]
    fn list_items_holding_paragraphs_are_sections() {
        let page = r#"<html><head><title>Lessons</title></head><body><article>
            <p>I started my first business thirty years ago, and many of its lessons came the hard way, one after another.</p>
            <ol><li><h3>Take a punch</h3><p>Being your own boss is intoxicating until the first bad month arrives, and it always does arrive.</p></li>
            <li><h3>Keep the books</h3><p>Every receipt you file today saves an evening of searching when the tax return is due next spring.</p></li></ol>
            </article></body></html>"#;
        let a = parse("p.html", page).drafts[0].draft.clone().finish().unwrap();
        assert!(a.text.contains("Take a punch"), "{}", a.text);
        assert!(a.text.contains("tax return is due next spring."), "{}", a.text);
        assert!(
            a.sections
                .iter()
                .any(|s| s.heading.as_deref() == Some("Keep the books")),
            "{:?}",
            a.sections
        );
    }

    /// Forum software that renders its thread with scripts serves the
    /// posts to readers without them in `<noscript>`: they are the content.
    #[test]
    fn a_forum_thread_served_in_noscript_keeps_its_posts() {
        let page = r#"<html><head><title>Upgrade stuck on starting - Help</title>
            <noscript><style>#splash { display: none; }</style></noscript></head><body>
            <div id="app"></div>
            <noscript><div class="wrap" id="main-outlet">
              <div class="topic-body crawler-post" id="post_1"><span class="creator">raoul</span>
                <div class="post"><p>After the upgrade every reboot ends at the starting screen, and half of my devices stay unavailable for hours.</p></div></div>
              <div class="topic-body crawler-post" id="post_2"><span class="creator">mina</span>
                <div class="post"><p>Same here since Friday, and rolling back to the previous release brought every device back within a minute.</p></div></div>
              <div class="topic-body crawler-post" id="post_3"><span class="creator">raoul</span>
                <div class="post"><p>Thanks, rolling back worked for me too and the fix is promised for the next patch release due next week.</p></div></div>
            </div></noscript>
            <footer><p>Powered by forum software, licensed under the usual terms.</p></footer></body></html>"#;
        // The same thread with a line of visible text beside the app (a
        // link home): a line is not the thread, the posts still are.
        let with_line = page.replace(
            "<div id=\"app\"></div>",
            "<div id=\"app\"><p>Return to the Example Home community home page</p></div>",
        );
        assert!(text_of(&with_line).contains("rolling back worked for me too"));
        let a = parse("thread.html", page).drafts[0]
            .draft
            .clone()
            .finish()
            .unwrap();
        assert!(
            a.text.contains("half of my devices stay unavailable"),
            "{}",
            a.text
        );
        assert!(
            a.text.contains("rolling back to the previous release"),
            "{}",
            a.text
        );
        assert!(a.text.contains("due next week."), "{}", a.text);
        assert!(
            !a.text.contains("display: none") && !a.text.contains("Powered by"),
            "{}",
            a.text
        );
    }

    /// Forum software names every post of a thread a comment: on a forum
    /// page those are the content. A question-and-answer page hangs short
    /// comments beside each question and answer: those stay out.
    #[test]
    fn forum_posts_named_comments_are_kept_and_comments_on_an_answer_are_not() {
        let post = |n: usize, who: &str, text: &str| {
            format!(
                r#"<article class="entry" id="comment-{n}"><aside class="author">{who}</aside>
                <div class="entry-content comment-{n}-wrap"><p>{text}</p></div></article>"#
            )
        };
        let thread = format!(
            r#"<html><head><title>Which tent for a windy ridge?</title>
            <script type="application/ld+json">{{"@type":"DiscussionForumPosting","headline":"Which tent for a windy ridge?"}}</script></head>
            <body><main><h1>Which tent for a windy ridge?</h1><div class="topic comments">{}{}{}</div></main>
            <footer><p>Forum rules and privacy notice for every member of the board.</p></footer></body></html>"#,
            post(1, "ines", "Planning two nights on an exposed ridge in October and my dome tent flattened in a gust last spring."),
            post(2, "tomas", "A tunnel tent pitched tail into the wind held for me through a whole night of gales on the same kind of ridge."),
            post(3, "ines", "Thanks, I borrowed a tunnel tent from the club and it stood up to the wind all weekend without a single bent pole."),
        );
        let text = text_of(&thread);
        for kept in [
            "dome tent flattened",
            "tail into the wind",
            "without a single bent pole",
        ] {
            assert!(text.contains(kept), "{kept}: {text}");
        }
        let comments = r#"<div class="comments"><ul>
            <li class="comment">Did you peg the guy lines out first? – ola</li>
            <li class="comment">Which river was that? – kai</li></ul></div>"#;
        let qa = format!(
            r#"<html><head><title>Why does my sourdough starter smell of acetone?</title>
            <script type="application/ld+json">{{"@type":"QAPage"}}</script></head><body><main>
            <h1>Why does my sourdough starter smell of acetone?</h1>
            <div class="question"><div class="post-body"><p>My starter has smelled of nail polish remover for three days now, although I feed it every morning with equal weights of flour and water.</p><p>It sits on the kitchen counter, the flour is the same as always, and the jar is washed every week. Should I start again from a fresh culture, or can this one be saved?</p></div>{comments}</div>
            <div class="answer"><div class="post-body"><p>That smell means the yeast is hungry: feed it twice a day at a higher ratio, say one part starter to five parts flour and water, and keep it a little warmer.</p>
            <p>Within a week the acetone note should be gone and the starter should double within six hours of a feed.</p></div>{comments}</div>
            </main></body></html>"#
        );
        let text = text_of(&qa);
        assert!(text.contains("nail polish remover"), "{text}");
        assert!(text.contains("double within six hours"), "{text}");
        assert!(
            !text.contains("guy lines") && !text.contains("Which river"),
            "{text}"
        );
    }

    /// A shared link and what people said about it: no running text but
    /// the comments, which are then the page's text.
    #[test]
    fn a_discussion_of_a_shared_link_is_its_comments() {
        let said = [
            "The second half of the report matches what we measured on our own fleet last winter, batteries lost a fifth of their range below freezing.",
            "Preconditioning the cabin while the car is still plugged in made the biggest difference for us, more than any change of tyres or driving style.",
            "I would like to see the same numbers for heat pumps against resistive heaters, the report lumps every model of the last five years together.",
            "Our council bought six of these vans for the depot and the drivers now plan their rounds around the two fast chargers behind the town hall.",
            "Range anxiety is mostly gone once people drive one for a month, the real complaint we hear is how long the queue at the motorway chargers is.",
            "Worth reading the appendix too, it has the temperature curves by model year and shows how much the newer battery chemistries have improved.",
            "Second winter with ours and the loss matches the report almost exactly, around twenty per cent on the coldest mornings and far less by noon.",
            "The charging curve in the cold matters as much as the range, a cold pack takes twice as long to fill unless it is warmed on the way there.",
        ];
        let comments: String = said
            .iter()
            .enumerate()
            .map(|(i, t)| format!(r#"<li class="comments_subtree"><div class="comment" id="c_{i}"><div class="byline">user{i}</div><div class="comment_text"><p>{t}</p></div></div></li>"#))
            .collect();
        let page = format!(
            r#"<html><head><title>Electric vans in winter: what the fleet data says</title></head><body>
            <div class="story"><a href="https://a.example/report">Electric vans in winter: what the fleet data says</a> <span>via kim</span></div>
            <ol class="comments">{comments}</ol></body></html>"#
        );
        let text = text_of(&page);
        assert!(text.contains("a fifth of their range"), "{text}");
        assert!(text.contains("warmed on the way there."), "{text}");
    }

    /// A section front is its entries: each headline and byline is a link
    /// to the story or the author, and they are the page's text. The same
    /// linked headlines under an article are teasers, not its text.
    #[test]
    fn a_listing_is_its_linked_headlines_and_an_article_keeps_them_out() {
        let entries = [
            (
                "Port of Harbour reopens after three weeks of quay repairs",
                "Jane Doe",
            ),
            (
                "Ferry timetable changes for the winter season announced",
                "Sam Okafor",
            ),
            (
                "Council votes to widen the coastal cycle path next spring",
                "Li Wei",
            ),
            (
                "Fishing fleet returns early as the storm season begins",
                "Ana Lima",
            ),
        ];
        let items: String = entries
            .iter()
            .enumerate()
            .map(|(i, (headline, by))| {
                format!(
                    r#"<div class="card"><h3><a href="/news/{i}">{headline}</a></h3><p><a href="/authors/{i}">{by}</a></p></div>"#
                )
            })
            .collect();
        let listing = format!(
            r#"<html><head><title>News</title></head><body><main><h1>News</h1>{items}</main></body></html>"#
        );
        let (kind, text) = kind_and_text("https://harbour-times.example/news/", &listing);
        assert_eq!(kind, Some(PageType::Listing));
        for (headline, by) in entries {
            assert!(
                text.contains(headline) && text.contains(by),
                "{headline} / {by}: {text}"
            );
        }
        let article = format!(
            r#"<html><head><title>Port reopens</title><meta property="og:type" content="article"></head><body><main>
            <h1>Port reopens</h1>
            <p>The port reopened on Monday after three weeks of repairs to the quay, officials said.</p>
            <p>Ships that waited offshore began unloading within the hour, the harbour master said.</p>
            <aside><h2>More news</h2></aside>{items}</main></body></html>"#
        );
        let (kind, text) = kind_and_text("https://harbour-times.example/news/2024/port-reopens", &article);
        assert_eq!(kind, Some(PageType::Article));
        assert!(text.contains("began unloading"), "{text}");
        assert!(
            !text.contains("Ferry timetable") && !text.contains("Sam Okafor"),
            "{text}"
        );
    }

    /// Reference documentation links each name it mentions to its entry:
    /// a sentence made mostly of such links is still the page's text.
    #[test]
    fn a_documentation_sentence_made_of_links_is_text() {
        let linked = r#"<p>See <a href="/docs/reader#read_exact">Reader::read_exact</a>, <a href="/docs/reader#read_to_end">Reader::read_to_end</a> and <a href="/docs/buffer#with_capacity">Buffer::with_capacity</a>.</p>"#;
        let page = format!(
            r#"<html><head><title>Reader</title></head><body><main><h1>Reader</h1>
            <p>A reader takes bytes from a buffer in order and never copies them while it reads.</p>
            {linked}
            <p>Readers are cheap to make: each holds a reference and an offset, nothing more than that.</p>
            </main></body></html>"#
        );
        let (kind, text) = kind_and_text("https://harbour-tools.example/docs/reader", &page);
        assert_eq!(kind, Some(PageType::Documentation));
        assert!(
            text.contains("Reader::read_to_end and Buffer::with_capacity"),
            "{text}"
        );
    }

    /// Site builders set a quotation (a testimonial, a pull quote) in a
    /// `<figure>`: it is text. A figure of a picture and its caption is not.
    #[test]
    fn a_figure_around_a_quotation_is_text_and_one_around_a_picture_is_not() {
        let quote = |t: &str| {
            format!("<figure><blockquote><p>{t}</p></blockquote><figcaption>A pupil</figcaption></figure>")
        };
        let page = format!(
            r#"<html><head><title>What pupils say</title></head><body><main>
            <h1>What pupils say</h1>
            <p>Our classes run on weekday evenings in the hall on Mill Lane, for every level.</p>
            {}{}
            <figure><img src="hall.jpg"><figcaption>The hall on Mill Lane at dusk, seen from the green</figcaption></figure>
            </main></body></html>"#,
            quote("I came knowing nothing at all about the subject and two terms later I teach my own friends on Sunday mornings in the park."),
            quote("Every class is planned around who turns up that evening, so nobody is left behind and nobody is bored for a minute."),
        );
        let text = text_of(&page);
        assert!(text.contains("teach my own friends"), "{text}");
        assert!(text.contains("bored for a minute."), "{text}");
        assert!(!text.contains("seen from the green"), "{text}");
    }

    /// A "republish this story" dialog offers the article's HTML in a
    /// `<textarea>` to copy: a form control's content is never the text,
    /// however much of it there is.
    #[test]
    fn a_textarea_holding_the_article_markup_is_not_text() {
        let markup = "&lt;h1&gt;Ferry strike ends&lt;/h1&gt; &lt;p&gt;The ferry crews voted to return to work on Monday after the operator raised its offer.&lt;/p&gt; ".repeat(20);
        let page = format!(
            r#"<html><head><title>Ferry strike ends</title><meta property="og:type" content="article"></head><body><article>
            <h1>Ferry strike ends</h1>
            <p>The ferry crews voted to return to work on Monday after the operator raised its offer by four per cent.</p>
            <p>Sailings to the islands resume on the first morning tide, and tickets booked during the strike stay valid for a month.</p>
            </article>
            <div class="republish-dialog"><p>Republish this story for free under a Creative Commons licence.</p>
            <textarea readonly>{markup}</textarea></div></body></html>"#
        );
        let text = text_of(&page);
        assert!(text.contains("stay valid for a month."), "{text}");
        assert!(!text.contains("&lt;") && !text.contains("<p>"), "{text}");
    }

    /// Japanese runs a sentence without a space: its paragraphs are long
    /// text all the same, and the short lines around them are clutter.
    #[test]
    fn a_japanese_article_is_told_from_the_lines_around_it() {
        let page = r#"<html lang="ja"><head><title>港が再開</title><meta property="og:type" content="article"></head><body><article>
            <p>経済</p><p>2024年5月2日 10:00</p>
            <p>東京都は火曜日、三週間にわたる岸壁の修理を終えて港を再開すると発表した。最初の貨物船は水曜日の朝に出港する予定だという。</p>
            <p>港湾局によると、修理には約十億円がかかり、作業員は週末も交代で作業を続けた。周辺の道路の規制も今週中に解除される。</p>
            <p>この記事をシェア</p><p>関連ニュース</p>
            </article></body></html>"#;
        let a = parse("ja.html", page).drafts[0].draft.clone().finish().unwrap();
        assert!(a.text.starts_with("東京都は火曜日"), "{}", a.text);
        assert!(a.text.ends_with("今週中に解除される。"), "{}", a.text);
    }

    /// A page that renders its article with scripts still gives it to
    /// search engines in JSON-LD: that text stands in for the empty shell.
    #[test]
    fn an_article_mostly_in_json_ld_is_read_from_there() {
        let body = "The city council approved the new tram line on Tuesday after two years of debate, \
            and construction will start in the spring.\nThe line will run eleven kilometres from the \
            station to the university, with fourteen stops, and the first trams are due in three years.\n\
            Opponents said the money would be better spent on buses; the council said both would be funded \
            from the regional transport budget, which grows by a fifth next year.\nA public hearing on the \
            exact route is planned for May, and residents along it will be written to before then.";
        let page = format!(
            r#"<html><head><title>Council approves tram line</title>
            <script type="application/ld+json">{{"@type":"NewsArticle","headline":"Council approves tram line","articleBody":{}}}</script>
            </head><body><div id="root"><p>Loading…</p></div>
            <footer><p>© The Example Gazette</p></footer></body></html>"#,
            serde_json::to_string(body).unwrap()
        );
        let a = parse("tram.html", &page).drafts[0]
            .draft
            .clone()
            .finish()
            .unwrap();
        assert!(a.text.starts_with("The city council approved"), "{}", a.text);
        assert!(a.text.contains("fourteen stops"), "{}", a.text);
        assert_eq!(a.sections[0].paragraphs.len(), 4, "{:?}", a.sections);
        assert!(!a.text.contains("Loading"), "{}", a.text);
    }

    #[test]
    fn the_headline_is_the_title_without_the_sites_name() {
        let body =
            "<p>The port reopened on Monday after three weeks of repairs to the quay, officials said.</p>";
        let title_of = |head: &str, h1: &str| {
            let page = format!("<html><head>{head}</head><body>{h1}<article>{body}</article></body></html>");
            parse("p.html", &page).drafts[0].draft.title.clone().unwrap()
        };
        // The page's own heading, when the title is it and the site's name.
        assert_eq!(
            title_of(
                "<title>Port reopens – Example Gazette</title>",
                "<h1>Port reopens</h1>"
            ),
            "Port reopens"
        );
        // Without such a heading, a last segment naming the site goes.
        let og = r#"<meta property="og:site_name" content="Example Gazette">"#;
        assert_eq!(
            title_of(&format!("<title>Port reopens | Example Gazette</title>{og}"), ""),
            "Port reopens"
        );
        // A segment that is not the site's name stays; a logo in an <h1> is not the headline.
        assert_eq!(
            title_of("<title>Port reopens - after repairs</title>", "<h1>Gazette</h1>"),
            "Port reopens - after repairs"
        );
        // Without a declared name, the host names the site, before or after.
        let at = |url: &str, title: &str| {
            let page = format!(
                r#"<html><head><title>{title}</title><link rel="canonical" href="{url}"></head><body><article>{body}</article></body></html>"#
            );
            parse("p.html", &page).drafts[0].draft.title.clone().unwrap()
        };
        assert_eq!(
            at("https://www.wral.example/news/1", "Port reopens | WRAL"),
            "Port reopens"
        );
        assert_eq!(
            at("https://harbour-times.co.uk/port", "Harbour Times - Port reopens"),
            "Port reopens"
        );
        // A headline whose segment only looks short is not cut.
        assert_eq!(
            at("https://www.wral.example/news/1", "Brexit - what happens next"),
            "Brexit - what happens next"
        );
        // Escaped characters in metadata are read.
        assert_eq!(
            title_of(
                r#"<meta property="og:title" content="Port reopens &amp;#8211; live">"#,
                ""
            ),
            "Port reopens – live"
        );
    }

    #[test]
    fn page_without_article_text_is_rejected() {
        let p = parse(
            "empty.html",
            "<html><body><nav><a href='/'>Home</a></nav></body></html>",
        );
        assert!(p.drafts.is_empty());
        assert!(p.rejected[0].reason.contains("no article text"));
    }

    /// The kind of page read from `input` and its text.
    fn kind_and_text(input: &str, page: &str) -> (Option<PageType>, String) {
        let located = parse(input, page).drafts.remove(0);
        (located.page_type, located.draft.finish().unwrap().text)
    }

    fn text_of(page: &str) -> String {
        parse("page.html", page).drafts[0]
            .draft
            .clone()
            .finish()
            .unwrap()
            .text
    }

    const STORY: &str = "<h1>Lessons from a long road</h1>\
        <p>The first year taught us that a small team ships faster when it writes less and measures more.</p>\
        <p>The second year taught us that customers forgive slow features but never forgive lost data.</p>\
        <p>The third year was about hiring: we looked for people who had run systems at night, not only built them by day, and we paid them for the pager as well as for the code.</p>\
        <p>The fourth year brought a bigger rival with ten times our staff, and we learned that a focused product and a quick reply from an engineer won more accounts than a long list of features.</p>\
        <p>The fifth year we nearly ran out of money, cut the office instead of the team, and came out of it with the habit of reading the bank balance every Monday morning before anything else.</p>\
        <p>Looking back, the lessons are plain ones: write things down, keep the promises you make to customers, hire slowly, and measure what the product does rather than what the plan said it would.</p>\
        <p>We also learned to say no: to the customer who wanted a private fork, to the investor who wanted a second product, and to ourselves when a rewrite looked more fun than a fix.</p>\
        <p>Support taught the rest: every ticket answered by the engineer who wrote the code behind it, every outage written up in public the same week, and every apology followed by the fix.</p>\
        <p>Pricing was the lesson we learned last and most slowly, after three changes that confused the customers we had and a fourth that finally matched what they used to what they paid.</p>\
        <p>By the sixth year we had stopped guessing and started asking the people who paid us every week.</p>";

    /// Elements that are page chrome by their kind (an aside, a header, a
    /// hidden block) hold the article on some pages: a broken page leaves
    /// its aside open, a layout sets the article in a <header>, a page
    /// streamed by React arrives hidden for a script to reveal.
    #[test]
    fn an_article_inside_chrome_elements_is_still_the_article() {
        let unclosed_aside = format!(
            "<html><body><aside class=\"banner\"><div><a href=\"/news\">We joined a bigger company</a></div>\
             <main><article>{STORY}</article></main></body></html>"
        );
        let in_header = format!(
            "<html><body><div class=\"menu\"><a href=\"/\">Home</a></div><main><header class=\"post-intro\"><p>A look back.</p></header>\
             <header class=\"post-body\">{}</header></main></body></html>",
            STORY.replace("<h1>Lessons from a long road</h1>", "<h2>Six years</h2>")
        );
        let streamed = format!(
            "<html><body><div class=\"skeleton\"><p>Loading</p></div><div hidden id=\"S:0\">{STORY}</div></body></html>"
        );
        for page in [unclosed_aside, in_header, streamed] {
            let text = text_of(&page);
            assert!(text.contains("lost data"), "{page}\n→ {text}");
            assert!(text.contains("every week."), "{page}\n→ {text}");
        }
    }

    /// A footer's fine print can hold more prose than a short article, and
    /// a footer's site map more characters: it stays boilerplate.
    #[test]
    fn a_long_footer_stays_out_of_a_short_article() {
        let fine_print =
            "Products are offered through a licensed agency and are subject to the terms of each policy. "
                .repeat(8);
        let site_map: String = (0..80)
            .map(|i| format!("<a href=\"/p{i}\">Insurance product number {i}</a> "))
            .collect();
        let page = format!(
            "<html><body><main><h1>Checking renters</h1><p>Screen every renter before the keys change hands, and check the licence against the booking.</p>\
             <p>A second driver needs the same check, at the same counter, before leaving.</p></main>\
             <footer><div>{site_map}</div><p>{fine_print}</p></footer></body></html>"
        );
        let text = text_of(&page);
        assert!(text.contains("Screen every renter"), "{text}");
        assert!(
            !text.contains("licensed agency") && !text.contains("product number"),
            "{text}"
        );
    }
    /// A landing page spreads its content over sections of about equal
    /// weight: one wins the vote by a little, and the content is all of
    /// them. A page that declares itself an article keeps its body alone,
    /// however much teaser text sits around it.
    #[test]
    fn a_page_of_equal_sections_keeps_them_all_but_an_article_keeps_its_body() {
        let section = |title: &str, text: &str| {
            format!("<div class=\"block\"><div class=\"inner\"><h2>{title}</h2><p>{text}</p></div></div>")
        };
        let landing = format!(
            "<html><head><title>Harbour Repairs</title></head><body><div class=\"menu\"><a href=\"/\">Home</a></div><div class=\"page\">{}{}{}</div></body></html>",
            section("Hull work", "We repair wooden and steel hulls in our dry dock, from a single plank to a full refit, and we quote a fixed price after one visit to the boat, with a written list of every job."),
            section("Engines", "Our mechanics service inboard and outboard engines of every make, keep common parts in stock, and come to your mooring when the boat cannot move on its own power."),
            section("Winter storage", "Boats stay in a dry, guarded shed from October to April, with the batteries charged once a month and a report sent to the owner."),
        );
        let text = text_of(&landing);
        for part in [
            "fixed price after one visit",
            "keep common parts in stock",
            "charged once a month",
        ] {
            assert!(text.contains(part), "{part} missing from {text}");
        }

        let ld = r#"<script type="application/ld+json">{"@type":"NewsArticle","headline":"Harbour reopens"}</script>"#;
        let teasers: String = (0..4).map(|i| format!("<div class=\"teaser\"><p>Another story number {i} about a different harbour on a different coast with its own long summary sentence written for readers who scroll on and on.</p></div>")).collect();
        let article = format!(
            "<html><head><title>Harbour reopens</title>{ld}</head><body><div class=\"wrap\"><div class=\"story\">\
             <p>The harbour reopened on Monday, after three weeks of repairs to the sea wall, the port authority said.</p>\
             <p>Fishing boats, then yachts, were the first to leave, and the ferry returns to its usual timetable on Friday.</p>\
             <p>Repairs cost less than feared, the authority said, because the storm spared the main quay.</p></div>\
             <div class=\"more\">{teasers}</div></div></body></html>"
        );
        let text = text_of(&article);
        assert!(text.contains("spared the main quay"), "{text}");
        assert!(!text.contains("Another story"), "{text}");
    }
    /// On a product page customers' reviews are what comments are on an
    /// article; on an article a review is the text itself.
    #[test]
    fn a_product_page_leaves_out_its_reviews() {
        let body = "<div class=\"product-description\"><h2>About this kettle</h2>\
            <p>This kettle boils a litre of water in under three minutes, switches itself off when the water boils, and keeps the handle cool.</p>\
            <p>The body is brushed steel with a window to see the water level, and the base turns all the way round for left-handed pouring.</p></div>\
            <div class=\"customer-reviews\"><h3>Reviews (3)</h3>\
            <p>Bought this for our office and it has been boiling water twenty times a day for a month without a single complaint from anyone.</p>\
            <p>The lid sticks a little when it is hot, otherwise a fine kettle for the price and much quieter than the one it replaced.</p>\
            <p>Third one we have owned from this maker, and like the others it looks good on the counter and pours without a drip.</p></div>";
        let product = format!(
            "<html><head><title>Steel kettle</title><script type=\"application/ld+json\">{{\"@type\":\"Product\",\"name\":\"Steel kettle\",\"offers\":{{\"@type\":\"Offer\",\"price\":\"39.00\"}}}}</script></head>\
             <body><div class=\"page\">{body}</div></body></html>"
        );
        let text = text_of(&product);
        assert!(text.contains("left-handed pouring"), "{text}");
        assert!(
            !text.contains("twenty times a day") && !text.contains("lid sticks"),
            "{text}"
        );
        assert_eq!(
            parse("p.html", &product).drafts[0].page_type,
            Some(PageType::Product)
        );

        let review = format!(
            "<html><head><title>Kettle review</title><script type=\"application/ld+json\">{{\"@type\":\"Review\"}}</script></head>\
             <body><article class=\"review\"><h1>Kettle review</h1>{body}</article></body></html>"
        );
        assert!(text_of(&review).contains("twenty times a day"));
    }
    /// A page whose markup names no date is dated by the line under its
    /// headline, not by the masthead's date above it or a date in a link.
    #[test]
    fn a_page_without_a_date_in_its_markup_is_dated_by_its_date_line() {
        let page = "<html><head><title>Bridge</title></head><body>\
            <div class=\"masthead\">Sunday, December 6, 2026</div>\
            <h1>Council funds the bridge</h1><div class=\"meta\"><span>Published on July 18, 2025</span></div>\
            <p>The council agreed on Tuesday, after a long debate, to fund the new bridge next year.</p>\
            <p><a href=\"/old\">Our story of March 3, 2019</a></p></body></html>";
        let a = parse("page.html", page).drafts[0].draft.clone().finish().unwrap();
        assert_eq!(
            a.published.map(|p| p.day().to_string()).as_deref(),
            Some("2025-07-18")
        );
        let undated = page.replace("Published on July 18, 2025", "By the city desk");
        let a = parse("page.html", &undated).drafts[0]
            .draft
            .clone()
            .finish()
            .unwrap();
        assert_eq!(
            a.published.map(|p| p.day().to_string()).as_deref(),
            Some("2026-12-06")
        );
    }
    /// A byline is a name: escaped characters read, separators trimmed,
    /// and a profile address or a date where a name belongs passed over
    /// for the next source.
    #[test]
    fn bylines_are_names() {
        assert_eq!(
            byline_of("Maria &amp; Katerina".into()).as_deref(),
            Some("Maria & Katerina")
        );
        assert_eq!(byline_of(", USA TODAY".into()).as_deref(), Some("USA TODAY"));
        assert_eq!(byline_of("By Jane Doe".into()).as_deref(), Some("Jane Doe"));
        assert_eq!(
            byline_of("Written by:  Jane\n Doe".into()).as_deref(),
            Some("Jane Doe")
        );
        assert_eq!(byline_of("Byron Hale".into()).as_deref(), Some("Byron Hale"));
        assert_eq!(byline_of("Written By".into()), None);
        for junk in [
            "https://www.facebook.com/example",
            "news@example.com",
            "Sat, 20 Dec, 2025 - 06:36",
            " - ",
        ] {
            assert_eq!(byline_of(junk.into()), None, "{junk}");
        }
        let page = r#"<html><head><meta name="author" content="https://social.example/gazette"></head>
            <body><article><h1>Story</h1><p class="byline">By Jane Doe</p>
            <p>The first paragraph of the story, long enough to count as article text here.</p></article></body></html>"#;
        let a = parse("page.html", page).drafts[0].draft.clone().finish().unwrap();
        assert_eq!(a.byline.as_deref(), Some("Jane Doe"));
        // An element whose class names the author's name, after a label
        // in another such element; not the author's biography.
        let page = r#"<html><body><article><h1>Story</h1>
            <div class="author-name-label">Written by</div><div class="post-author-name"><span>Jane</span><span>Doe</span></div>
            <div class="author-name-bio">Jane Doe has covered the harbour for twenty years and lives by the sea with two cats.</div>
            <p>The first paragraph of the story, long enough to count as article text here.</p></article></body></html>"#;
        let a = parse("page.html", page).drafts[0].draft.clone().finish().unwrap();
        assert_eq!(a.byline.as_deref(), Some("Jane Doe"));
    }
    /// Only a page that says it is an article is cut to its run of
    /// paragraphs: a page of no declared kind is as often a list of short
    /// entries under an introduction.
    #[test]
    fn only_declared_articles_are_cut_to_their_paragraphs() {
        let entries: String = ["Anthill loop", "Creek trail", "Pine ridge", "Quarry run"]
            .iter()
            .map(|t| format!("<h3>{t}</h3><div>Difficulty: beginner</div><div>Length: 5 miles</div>"))
            .collect();
        let page = |head: &str| {
            format!(
                "<html><head><title>Trails</title>{head}</head><body><div class=\"page\">\
                 <p>The trail association builds, maintains and rides the local off-road trails, and welcomes new riders on every one of them.</p>\
                 {entries}</div></body></html>"
            )
        };
        let undeclared = text_of(&page(""));
        assert!(
            undeclared.contains("Quarry run") && undeclared.contains("Length: 5 miles"),
            "{undeclared}"
        );
        let declared = text_of(&page("<meta property=\"og:type\" content=\"article\">"));
        assert!(!declared.contains("Quarry run"), "{declared}");
    }
    /// An index page lists the stories it links to on its own site, each
    /// once, without its navigation, other sites or itself; an article
    /// page is no index.
    #[test]
    fn an_index_page_lists_its_stories() {
        let cards: String = (1..=9)
            .map(|i| {
                format!(
                    "<div><h3><a href=\"/news/story-{i}#top\">Council votes on the harbour plan, part {i}</a></h3>\
                     <a href=\"https://www.example.org/news/story-{i}\">Council votes on the harbour plan, part {i}</a></div>"
                )
            })
            .collect();
        let page = format!(
            "<html><head><title>News</title></head><body><nav><a href=\"/about\">About the gazette and all of its reporters</a></nav>\
             <main>{cards}<a href=\"https://elsewhere.example/x\">A story on another site about other harbours</a>\
             <a href=\"https://example.org/\">Back to the front page of the whole gazette</a></main></body></html>"
        );
        let links = index_links("https://example.org/", &page, &Limits::default()).unwrap();
        let urls: Vec<&str> = links.iter().map(|l| l.url.as_str()).collect();
        let want: Vec<String> = (1..=9)
            .map(|i| format!("https://example.org/news/story-{i}"))
            .collect();
        assert_eq!(urls, want);
        assert_eq!(links[0].title, "Council votes on the harbour plan, part 1");
        let story = STORY.replace("<h1>", "<a href=\"/x\">A link to another story of ours</a><h1>");
        assert_eq!(
            index_links(
                "https://example.org/story",
                &format!("<html><body>{story}</body></html>"),
                &Limits::default()
            ),
            None
        );
    }
}
