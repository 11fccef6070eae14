//! What kind of page an HTML page is: an article, or a listing of
//! articles, a collection (a shop's category), a product, a forum thread,
//! documentation or a service page. A news engine stores articles; a
//! watched source's section front should give links, not a story.
//!
//! The decision rests on what a page says of itself, in this order: its
//! schema.org types (JSON-LD), its Open Graph type, then the conventions
//! of its address (`/t/…` and `/forum/` for threads, `/docs/` for
//! documentation, `/category/` for collections) and of its content (prices
//! and a cart button for products, preformatted code for documentation).
//! An article is the default: most pages a news engine meets are one.
//! Scored on the WCXB labels by `storyline bench extract`.
//!
//! Not here: reading the page (`html` hands over what is read here).

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The kinds of page the WCXB benchmark labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PageType {
    Article,
    Listing,
    Collection,
    Product,
    Forum,
    Documentation,
    Service,
}

impl PageType {
    pub const ALL: [PageType; 7] = [
        PageType::Article,
        PageType::Listing,
        PageType::Collection,
        PageType::Product,
        PageType::Forum,
        PageType::Documentation,
        PageType::Service,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PageType::Article => "article",
            PageType::Listing => "listing",
            PageType::Collection => "collection",
            PageType::Product => "product",
            PageType::Forum => "forum",
            PageType::Documentation => "documentation",
            PageType::Service => "service",
        }
    }

    /// The type named `name` (the benchmark's `category` is a collection).
    pub fn parse(name: &str) -> Option<PageType> {
        match name {
            "category" => Some(PageType::Collection),
            _ => PageType::ALL.into_iter().find(|t| t.as_str() == name),
        }
    }
}

/// What a page says of itself, as the classifier reads it.
#[derive(Debug, Clone, Default)]
pub struct Signals {
    /// Every schema.org `@type` in the page's JSON-LD.
    pub ld_types: BTreeSet<String>,
    /// `og:type`, lower-cased.
    pub og_type: Option<String>,
    /// The path of the page's address, lower-cased, when known.
    pub path: Option<String>,
    /// Prices shown (`$12.99`, `12,99 €`).
    pub prices: usize,
    /// An "add to cart" (or bag, basket) control.
    pub cart: bool,
    /// `<pre>` blocks (code samples).
    pub preformatted: usize,
    /// Links outside the page's chrome whose text reads like a headline
    /// (`TEASER_WORDS` words or more), and their characters.
    pub teasers: usize,
    pub teaser_chars: usize,
    /// Characters of paragraph text outside links.
    pub prose_chars: usize,
}

impl Signals {
    /// Whether the page declares itself an article: an article type in its
    /// JSON-LD, or `og:type` "article".
    pub fn says_article(&self) -> bool {
        ARTICLE_TYPES.iter().any(|t| self.ld_types.contains(*t))
            || self.og_type.as_deref().is_some_and(|t| t.trim() == "article")
    }
}

const ARTICLE_TYPES: &[&str] = &[
    "Article",
    "NewsArticle",
    "BlogPosting",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "Report",
];

/// Path segments that name a kind of page, by that kind.
const PATHS: &[(PageType, &[&str])] = &[
    (
        PageType::Forum,
        &[
            "t",
            "thread",
            "threads",
            "topic",
            "forum",
            "forums",
            "questions",
            "discussion",
            "discussions",
            "community",
        ],
    ),
    (
        PageType::Documentation,
        &[
            "doc",
            "docs",
            "documentation",
            "reference",
            "api",
            "manual",
            "kb",
            "knowledge-base",
            "knowledgebase",
            "help",
            "support",
            "wiki",
        ],
    ),
    (
        PageType::Collection,
        &[
            "category",
            "categories",
            "tag",
            "tags",
            "collection",
            "collections",
            "shop",
            "store",
            "c",
        ],
    ),
    (
        PageType::Service,
        &[
            "service",
            "services",
            "solution",
            "solutions",
            "pricing",
            "plans",
            "features",
            "product",
            "products",
        ],
    ),
];

/// The first-level paths of an index of posts (`/blog`, `/news/`).
const INDEX_PATHS: &[&str] = &[
    "blog",
    "news",
    "articles",
    "posts",
    "insights",
    "resources",
    "press",
    "stories",
];

/// Words from which a link's text reads as a headline, and headline
/// links from which a page may be an index of other pages.
pub const TEASER_WORDS: usize = 5;
const TEASER_LINKS: usize = 8;
/// Prices from which an index of pages is a shop's shelf.
const SHELF_PRICES: usize = 3;

/// Code samples at least this many make a page documentation.
const DOC_PREFORMATTED: usize = 3;

/// The kind of page `s` describes.
pub fn classify(s: &Signals) -> PageType {
    let has = |t: &str| s.ld_types.contains(t);
    let says_article = s.says_article();
    let segments: Vec<&str> = s
        .path
        .iter()
        .flat_map(|p| p.split('/'))
        .filter(|p| !p.is_empty())
        .collect();
    // The site's home page (an unknown address is no evidence).
    let home = s.path.as_deref().is_some_and(|p| p.trim_matches('/').is_empty());
    let in_path = |kind: PageType| {
        PATHS
            .iter()
            .filter(|(k, _)| *k == kind)
            .any(|(_, names)| segments.iter().any(|seg| names.contains(seg)))
    };
    if has("DiscussionForumPosting") || has("QAPage") {
        return PageType::Forum;
    }
    if in_path(PageType::Forum) && !says_article {
        return PageType::Forum;
    }
    let og = s.og_type.as_deref().unwrap_or("").trim();
    let sells = og.starts_with("product")
        || (has("Product") && has("Offer"))
        || (s.cart && s.prices > 0 && !says_article);
    if sells {
        let many = og == "product.group" || has("CollectionPage") || has("ItemList");
        return if many {
            PageType::Collection
        } else {
            PageType::Product
        };
    }
    if (has("CollectionPage") || has("ItemList") || has("SearchResultsPage")) && !says_article {
        return PageType::Collection;
    }
    // A page of headlines that link elsewhere, with less prose of its
    // own than headline text, is an index of other pages.
    // Priced, it is a shop's shelf.
    if !says_article && s.teasers >= TEASER_LINKS && s.teaser_chars >= s.prose_chars {
        return if s.prices >= SHELF_PRICES {
            PageType::Collection
        } else {
            PageType::Listing
        };
    }
    if segments.len() == 1 && INDEX_PATHS.contains(&segments[0]) {
        return PageType::Listing;
    }
    if in_path(PageType::Documentation) || s.preformatted >= DOC_PREFORMATTED {
        return PageType::Documentation;
    }
    if in_path(PageType::Collection) {
        return PageType::Collection;
    }
    if !says_article && (home || in_path(PageType::Service)) {
        return PageType::Service;
    }
    PageType::Article
}

/// Prices in `text`: a currency sign next to a number.
pub fn count_prices(text: &str) -> usize {
    text.char_indices()
        .filter(|&(i, c)| {
            matches!(c, '$' | '€' | '£' | '¥') && {
                let next = text[i + c.len_utf8()..].trim_start().chars().next();
                let prev = text[..i].trim_end().chars().next_back();
                next.is_some_and(|c| c.is_ascii_digit()) || prev.is_some_and(|c| c.is_ascii_digit())
            }
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals(path: &str) -> Signals {
        Signals {
            path: Some(path.into()),
            ..Signals::default()
        }
    }

    #[test]
    fn what_a_page_says_of_itself_decides() {
        let mut s = signals("/2024/05/02/port-reopens");
        assert_eq!(classify(&s), PageType::Article);
        s.ld_types.insert("DiscussionForumPosting".into());
        assert_eq!(classify(&s), PageType::Forum);
        let mut s = signals("/items/blue-kettle");
        s.ld_types.extend(["Product".to_string(), "Offer".to_string()]);
        assert_eq!(classify(&s), PageType::Product);
        s.og_type = Some("product.group".into());
        assert_eq!(classify(&s), PageType::Collection);
    }

    /// A page of headline links with little prose of its own is an index;
    /// with prices beside them, a shop's shelf; an article with a column
    /// of headlines stays an article.
    #[test]
    fn pages_of_headline_links_are_indexes() {
        // Twelve headline links, 600 characters of them, beside `prose`.
        let headlines = |path: &str, prose: usize| Signals {
            teasers: 12,
            teaser_chars: 600,
            prose_chars: prose,
            ..signals(path)
        };
        let mut s = headlines("/", 400);
        assert_eq!(classify(&s), PageType::Listing);
        s.prices = 12;
        assert_eq!(classify(&s), PageType::Collection);
        let story = "/2024/05/02/port-reopens";
        assert_eq!(classify(&headlines(story, 3_000)), PageType::Article);
        let mut s = headlines(story, 400);
        s.og_type = Some("article".into());
        assert_eq!(classify(&s), PageType::Article);
    }

    #[test]
    fn addresses_and_content_decide_when_the_page_says_nothing() {
        assert_eq!(classify(&signals("/t/upgrade-stuck/724779")), PageType::Forum);
        assert_eq!(
            classify(&signals("/docs/getting-started")),
            PageType::Documentation
        );
        assert_eq!(classify(&signals("/category/kettles")), PageType::Collection);
        assert_eq!(classify(&signals("/blog/")), PageType::Listing);
        assert_eq!(classify(&signals("/")), PageType::Service);
        assert_eq!(classify(&signals("/services/moving")), PageType::Service);
        assert_eq!(classify(&Signals::default()), PageType::Article);
        let mut s = signals("/kettle-blue");
        s.prices = 2;
        s.cart = true;
        assert_eq!(classify(&s), PageType::Product);
        // An article about a forum is an article.
        let mut s = signals("/community/the-forum-that-saved-a-town");
        s.og_type = Some("article".into());
        assert_eq!(classify(&s), PageType::Article);
    }

    #[test]
    fn prices_need_a_number_beside_the_sign() {
        assert_eq!(count_prices("Now $12.99, was 15 € — save $ 3"), 3);
        assert_eq!(count_prices("Pay in $ or €."), 0);
    }

    #[test]
    fn names_round_trip() {
        for t in PageType::ALL {
            assert_eq!(PageType::parse(t.as_str()), Some(t));
        }
        assert_eq!(PageType::parse("category"), Some(PageType::Collection));
        assert_eq!(serde_json::to_string(&PageType::Forum).unwrap(), "\"forum\"");
    }
}
