//! Server-rendered HTML pages. Every value goes through askama's HTML
//! escaping; no page includes markup that came from an input.

use crate::api::Problem;
use crate::highlight::{self, SectionView};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use storyline_core::{Published, RelatedReference};
use storyline_extract::timex::TimexKind;
use storyline_relate::Filter;

const HOME_PAGE_SIZE: usize = 30;
const SIMILAR_ON_PAGE: usize = 5;

/// An article in a list: home, a source.
pub struct Row {
    pub id: String,
    pub title: String,
    pub source: String,
    pub date: String,
}

impl From<storyline_store::ArticleSummary> for Row {
    fn from(a: storyline_store::ArticleSummary) -> Row {
        Row {
            date: display_date(a.published),
            source: a.source.unwrap_or_default(),
            id: a.id,
            title: a.title,
        }
    }
}

/// A story on the home page: how much it grew lately and from how many sources.
struct ActiveStory {
    id: String,
    title: String,
    articles: usize,
    recent: usize,
    sources: usize,
    span: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    articles: Vec<Row>,
    next_cursor: Option<String>,
    stories: Vec<ActiveStory>,
    /// "now", or the newest article's day when nothing is recent.
    as_of: String,
}

/// Stories shown on the home page.
const HOME_STORIES: usize = 6;
/// Days that count as recent growth.
const RECENT_DAYS: i64 = 7;

/// The stories that grew most in the last `RECENT_DAYS` (then by sources,
/// then by latest activity), measured from now, or from the newest
/// article when the store holds nothing that recent (an archive).
async fn active_stories(state: &AppState) -> Result<(Vec<ActiveStory>, String), Problem> {
    let (newest, _) = state.stories(None, 0, 1).await?;
    let newest = newest.first().and_then(|s| s.last_seen).map(|p| p.instant_utc());
    let now = chrono::Utc::now();
    let (reference, as_of) = match newest {
        Some(n) if n < now - chrono::Duration::days(RECENT_DAYS) => {
            (n, format!("as of {}", n.format("%-d %B %Y")))
        }
        _ => (now, "now".to_string()),
    };
    let since = reference - chrono::Duration::days(RECENT_DAYS);
    let since_key = since.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let (recent, _) = state.stories(Some(since_key), 0, usize::MAX).await?;
    let mut ranked: Vec<ActiveStory> = recent
        .into_iter()
        .map(|s| {
            // Each report counts with its copies, on the day it first appeared.
            let recent = s
                .timeline
                .iter()
                .filter(|e| {
                    e.published
                        .is_some_and(|p| p.instant_utc() >= since && p.instant_utc() <= reference)
                })
                .map(|e| e.articles.len())
                .sum();
            ActiveStory {
                span: date_span(s.first_seen, s.last_seen),
                id: s.id,
                title: s.title,
                articles: s.article_count,
                recent,
                sources: s.sources.len(),
            }
        })
        .collect();
    // Stories come most recently active first; a stable sort keeps that as the last key.
    ranked.sort_by(|a, b| b.recent.cmp(&a.recent).then(b.sources.cmp(&a.sources)));
    ranked.truncate(HOME_STORIES);
    Ok((ranked, as_of))
}

struct SimilarRow {
    id: String,
    title: String,
    date: String,
    why: String,
    copies: usize,
}

#[derive(Template)]
#[template(path = "article.html")]
struct ArticlePage {
    title: String,
    title_derived: bool,
    lang: String,
    description: String,
    source: String,
    byline: Option<String>,
    url: Option<String>,
    date: String,
    date_iso: String,
    /// The text, with the extraction's evidence marked.
    sections: Vec<SectionView>,
    similar: Vec<SimilarRow>,
    story: Option<StoryBox>,
    entities: Vec<EntityRow>,
    dates: Vec<DateRow>,
    timeline: Vec<EventRow>,
    quotes: Vec<QuoteRow>,
    statements: Vec<StatementRow>,
    references: Vec<RelatedReference>,
}

/// One entity in the "In this article" box.
struct EntityRow {
    name: String,
    kind: String,
    roles: String,
    mentions: usize,
    /// The linked entity's id (its page), when linked.
    link: String,
}

/// An article naming an entity.
struct NamedIn {
    id: String,
    title: String,
    date: String,
    mentions: usize,
}

/// A quote on an entity page.
struct QuoteLink {
    article: String,
    text: String,
}

/// A quote with its speaker, linking to both.
struct SpokenQuote {
    text: String,
    speaker: String,
    speaker_id: String,
    article: String,
}

fn spoken(
    quotes: Vec<(
        &storyline_extract::linking::Linked,
        &storyline_extract::linking::LinkedQuote,
    )>,
) -> Vec<SpokenQuote> {
    quotes
        .into_iter()
        .map(|(speaker, q)| SpokenQuote {
            text: q.text.clone(),
            speaker: speaker.name.clone(),
            speaker_id: speaker.id.clone(),
            article: q.article.clone(),
        })
        .collect()
}

/// An entity named alongside another.
struct Companion {
    id: String,
    name: String,
    shared: usize,
}

#[derive(Template)]
#[template(path = "entity.html")]
struct EntityPage {
    id: String,
    name: String,
    kind: String,
    aliases: String,
    roles: String,
    /// How many mentions and articles name it, in all.
    mentions: u64,
    named_in: u64,
    /// A page of the articles naming it (at most `ARTICLES_ON_ENTITY_PAGE`),
    /// newest first; whether they are all of them; where older ones start.
    articles: Vec<NamedIn>,
    whole: bool,
    older: Option<u64>,
    quotes: Vec<QuoteLink>,
    /// Others' quotes that name it.
    quoted_about: Vec<SpokenQuote>,
    companions: Vec<Companion>,
    /// Mentions over time in the listed articles, as inline SVG drawn by
    /// `charts` (numbers and dates only).
    sparkline: Option<String>,
}

/// One event of the article's timeline.
struct EventRow {
    date: String,
    actors: String,
    action: String,
    place: String,
}

/// One quote and who said it (empty: unattributed).
struct QuoteRow {
    text: String,
    speaker: String,
}

/// One statement: "Vladimir Putin condemned (condemn) → Wagner".
struct StatementRow {
    speaker: String,
    verb: String,
    stance: String,
    target: String,
}

/// One dated expression: the words and the date they resolve to.
struct DateRow {
    text: String,
    value: String,
}

/// The story box on an article page.
struct StoryBox {
    id: String,
    title: String,
    count: usize,
    span: String,
}

struct TimelineRow {
    id: String,
    title: String,
    date: String,
    copies: usize,
}

struct SourceGroup {
    source: String,
    articles: Vec<Row>,
}

#[derive(Template)]
#[template(path = "story.html")]
struct StoryPage {
    title: String,
    description: String,
    count: usize,
    span: String,
    names: Vec<String>,
    /// The linked entities its articles name most (with entity pages).
    entities: Vec<Companion>,
    /// What its most prominent speakers said.
    quotes: Vec<SpokenQuote>,
    events: Vec<StoryEventRow>,
    timeline: Vec<TimelineRow>,
    by_source: Vec<SourceGroup>,
    /// Articles per day, as inline SVG drawn by `charts` (numbers and dates only).
    chart: Option<String>,
}

/// One event of a story, as its articles report it.
struct StoryEventRow {
    date: String,
    actors: String,
    action: String,
    place: String,
    /// The first report's article.
    article: String,
    reports: usize,
}

/// "24 June 2023 – 14 July 2023", one date when they agree, empty when undated.
pub fn date_span(first: Option<Published>, last: Option<Published>) -> String {
    match (first, last) {
        (Some(f), Some(l)) if f.day() != l.day() => {
            format!("{} – {}", display_date(Some(f)), display_date(Some(l)))
        }
        (Some(f), _) => display_date(Some(f)),
        _ => String::new(),
    }
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage {
    message: String,
}

/// "26 June 2023", or "date unknown".
pub fn display_date(p: Option<Published>) -> String {
    p.map_or_else(
        || "date unknown".to_string(),
        |p| p.day().format("%-d %B %Y").to_string(),
    )
}

pub fn render(t: impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "page could not be rendered").into_response()
        }
    }
}

#[derive(Deserialize)]
pub struct HomeParams {
    cursor: Option<String>,
}

pub async fn home(State(state): State<AppState>, Query(p): Query<HomeParams>) -> Result<Response, Problem> {
    let page = state
        .with_store(move |s| s.list(HOME_PAGE_SIZE, p.cursor.as_deref()))
        .await?;
    let articles = page.articles.into_iter().map(Row::from).collect();
    let (stories, as_of) = active_stories(&state).await?;
    Ok(render(HomePage {
        articles,
        next_cursor: page.next_cursor,
        stories,
        as_of,
    }))
}

pub async fn article(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    let Some((a, extraction)) = state.article(id.clone()).await? else {
        return Ok(not_found_page(format!("There is no article with id “{id}”.")));
    };
    let similar = state
        .similar(a.id.clone(), SIMILAR_ON_PAGE, Filter::default())
        .await?
        .map(|s| s.similar)
        .unwrap_or_default()
        .into_iter()
        .map(|s| SimilarRow {
            why: s.why.compact(),
            date: display_date(s.published),
            copies: s.duplicates.len(),
            id: s.id,
            title: s.title,
        })
        .collect();
    let story = match state.story_of(a.id.clone()).await? {
        Some(sid) => state.story(sid).await?,
        None => None,
    }
    .map(|st| StoryBox {
        span: date_span(st.first_seen, st.last_seen),
        id: st.id,
        title: st.title,
        count: st.article_count,
    });
    let sections = highlight::sections(&a.text, &a.sections, &extraction);
    let catalog = state.entities_of(vec![a.id.clone()]).await?;
    let timeline = storyline_extract::events::timeline(&extraction.events)
        .into_iter()
        .map(|e| EventRow {
            date: e.date.clone(),
            actors: e
                .actors
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            action: e.action.clone(),
            place: e.place.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
        })
        .collect();
    let quotes = extraction
        .quotes
        .iter()
        .map(|q| QuoteRow {
            text: q.said(),
            speaker: q.speaker.as_ref().map(|s| s.name.clone()).unwrap_or_default(),
        })
        .collect();
    let statements = extraction
        .statements
        .iter()
        .map(|s| StatementRow {
            speaker: s.speaker.name.clone(),
            verb: s.verb.clone(),
            stance: serde_json::to_value(s.stance)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            target: s.target.as_ref().map(|t| t.name.clone()).unwrap_or_default(),
        })
        .collect();
    let entities = extraction
        .entities
        .into_iter()
        .map(|e| EntityRow {
            link: catalog
                .of_article(&a.id, &e.id)
                .map(|c| c.id.clone())
                .unwrap_or_default(),
            roles: e.roles.join(", "),
            mentions: e.mentions.len(),
            name: e.name,
            kind: e.kind,
        })
        .collect();
    let dates = extraction
        .timexes
        .into_iter()
        .filter(|t| t.kind != TimexKind::Duration)
        .map(|t| DateRow {
            text: t.text,
            value: t.value,
        })
        .collect();
    let description: String = a.lead().chars().take(200).collect();
    Ok(render(ArticlePage {
        title: a.title.clone(),
        title_derived: a.title_derived,
        lang: a.lang.clone().unwrap_or_else(|| "en".into()),
        description,
        source: a.source.clone().unwrap_or_default(),
        byline: a.byline.clone(),
        url: a.url.clone(),
        date: display_date(a.published),
        date_iso: a.published.map(|p| p.to_string()).unwrap_or_default(),
        sections,
        similar,
        story,
        entities,
        dates,
        timeline,
        quotes,
        statements,
        references: a.related_references,
    }))
}

pub async fn story(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    let Some(st) = state.story(id.clone()).await? else {
        return Ok(not_found_page(format!("There is no story with id “{id}”.")));
    };
    let catalog = state.entities_of(st.articles.clone()).await?;
    let entities = catalog
        .key_entities(&st.articles, KEY_ENTITIES_ON_STORY_PAGE)
        .into_iter()
        .map(|(e, shared)| Companion {
            id: e.id.clone(),
            name: e.name.clone(),
            shared,
        })
        .collect();
    let events = state
        .shared_events(st.articles.clone())
        .await?
        .into_iter()
        .map(|e| StoryEventRow {
            date: e.date,
            actors: e.actors.join(", "),
            action: e.action,
            place: e.place.unwrap_or_default(),
            article: e.reports[0].article.clone(),
            reports: e.reports.len(),
        })
        .collect();
    let timeline = st
        .timeline
        .iter()
        .map(|e| TimelineRow {
            id: e.articles[0].clone(),
            title: e.title.clone(),
            date: display_date(e.published),
            copies: e.articles.len() - 1,
        })
        .collect();
    let stored = {
        let ids = st.articles.clone();
        state
            .with_store(move |s| {
                let mut found = Vec::with_capacity(ids.len());
                for id in &ids {
                    found.extend(s.get(id)?);
                }
                Ok(found)
            })
            .await?
    };
    let mut by_source: Vec<SourceGroup> = Vec::new();
    for info in stored {
        let source = info.source.as_deref().unwrap_or("Unknown source").to_string();
        let row = Row {
            id: info.id,
            title: info.title,
            source: source.clone(),
            date: display_date(info.published),
        };
        match by_source.iter_mut().find(|g| g.source == source) {
            Some(g) => g.articles.push(row),
            None => by_source.push(SourceGroup {
                source,
                articles: vec![row],
            }),
        }
    }
    by_source.sort_by(|a, b| {
        b.articles
            .len()
            .cmp(&a.articles.len())
            .then(a.source.cmp(&b.source))
    });
    let description = format!(
        "{} articles{}",
        st.article_count,
        if st.key_names.is_empty() {
            String::new()
        } else {
            format!(
                " on {}",
                st.key_names
                    .iter()
                    .take(4)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    // Each report with its copies, on the day it first appeared.
    let days: Vec<chrono::NaiveDate> = st
        .timeline
        .iter()
        .filter_map(|e| e.published.map(|p| (p.day(), e.articles.len())))
        .flat_map(|(day, n)| std::iter::repeat_n(day, n))
        .collect();
    Ok(render(StoryPage {
        chart: crate::charts::bars(&days, 640, 96, "Articles"),
        span: date_span(st.first_seen, st.last_seen),
        title: st.title,
        description,
        count: st.article_count,
        names: st.key_names,
        entities,
        quotes: spoken(catalog.key_quotes(&st.articles, crate::api::KEY_QUOTES, 2)),
        events,
        timeline,
        by_source,
    }))
}

/// Linked entities listed on a story page at most.
const KEY_ENTITIES_ON_STORY_PAGE: usize = 10;

/// Articles listed on an entity page at most (the newest, with a link to
/// the older ones).
const ARTICLES_ON_ENTITY_PAGE: usize = 200;

/// Quotes shown on an entity page at most.
const QUOTES_ON_ENTITY_PAGE: usize = 20;

#[derive(Deserialize)]
pub struct EntityParams {
    /// Where the page before stopped (`next` of the page before).
    before: Option<String>,
}

pub async fn entity(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(p): Query<EntityParams>,
) -> Result<Response, Problem> {
    let before = crate::api::seq_cursor(p.before.as_deref())?;
    let Some(view) = state.entity(id.clone(), before, ARTICLES_ON_ENTITY_PAGE).await? else {
        return Ok(not_found_page(format!("There is no entity with id “{id}”.")));
    };
    let Some(e) = view.entity() else {
        return Ok(not_found_page(format!("There is no entity with id “{id}”.")));
    };
    let catalog = &view.catalog;
    let listed = {
        let ids: Vec<String> = e.articles.iter().map(|(a, _)| a.clone()).collect();
        state.with_store(move |s| s.article_summaries(&ids)).await?
    };
    let info: std::collections::HashMap<&str, &storyline_store::ArticleSummary> =
        listed.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut articles: Vec<NamedIn> = e
        .articles
        .iter()
        .filter_map(|(article, mentions)| {
            let info = info.get(article.as_str())?;
            Some(NamedIn {
                id: article.clone(),
                title: info.title.clone(),
                date: display_date(info.published),
                mentions: *mentions,
            })
        })
        .collect();
    // Most recent first, as a reader follows someone.
    articles.reverse();
    let quotes = e
        .quotes
        .iter()
        .rev()
        .take(QUOTES_ON_ENTITY_PAGE)
        .map(|q| QuoteLink {
            article: q.article.clone(),
            text: q.text.clone(),
        })
        .collect();
    let companions = catalog
        .named_with(&e.id, 10)
        .into_iter()
        .map(|(c, shared)| Companion {
            id: c.id.clone(),
            name: c.name.clone(),
            shared,
        })
        .collect();
    // One entry per mention, dated by its article.
    let days: Vec<chrono::NaiveDate> = e
        .articles
        .iter()
        .filter_map(|(article, mentions)| {
            let day = info.get(article.as_str())?.published?.day();
            Some(std::iter::repeat_n(day, *mentions))
        })
        .flatten()
        .collect();
    Ok(render(EntityPage {
        id: e.id.clone(),
        named_in: view.articles,
        whole: before.is_none() && view.next.is_none(),
        older: view.next,
        sparkline: crate::charts::bars(&days, 240, 40, "Mentions"),
        name: e.name.clone(),
        kind: e.kind.to_lowercase(),
        aliases: e.aliases.join(" · "),
        roles: e.roles.join(" · "),
        mentions: view.mentions,
        articles,
        quotes,
        quoted_about: spoken(catalog.quotes_about(&e.id, crate::api::QUOTES_ABOUT)),
        companions,
    }))
}

pub fn not_found_page(message: String) -> Response {
    let mut r = render(NotFoundPage { message });
    *r.status_mut() = StatusCode::NOT_FOUND;
    r
}

pub async fn not_found() -> Response {
    not_found_page("There is no page at this address.".into())
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../assets/style.css"),
    )
        .into_response()
}
