//! The demo server answers on 127.0.0.1: home, article pages with Similar
//! Posts, the JSON API, problem+json errors, and escaped text.

mod common;
use common::*;

/// (status, content type, body) of a response.
fn parts(mut r: ureq::http::Response<ureq::Body>) -> (u16, String, String) {
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (r.status().as_u16(), ct, r.body_mut().read_to_string().unwrap())
}

fn get(url: &str) -> (u16, String, String) {
    parts(
        agent()
            .get(url)
            .call()
            .unwrap_or_else(|e| panic!("GET {url}: {e}")),
    )
}

#[test]
fn demo_serves_home_article_pages_and_api() {
    // The demo keeps everything in its own temporary store, nothing where it runs.
    let cwd = tempfile::tempdir().unwrap();
    let server = start_in(cwd.path(), &["demo"]);
    let base = &server.base;
    let (status, _, home) = get(&format!("{base}/"));
    assert_eq!(status, 200);
    let written: Vec<_> = std::fs::read_dir(cwd.path()).unwrap().collect();
    assert!(written.is_empty(), "the demo wrote where it runs: {written:?}");
    assert!(home.contains("Latest articles"));
    // The archive's most recent week: the AI summit grew most.
    assert!(home.contains("Stories active as of 2 November 2023"), "{home}");
    let first_story = home.split("<ol class=\"stories\">").nth(1).unwrap();
    assert!(first_story.trim_start().starts_with("<li><a href=\"/stories/"));
    assert!(
        first_story
            .split("</li>")
            .next()
            .unwrap()
            .contains("AI safety summit"),
        "{first_story}"
    );

    let (status, ct, body) = get(&format!("{base}/api/articles?limit=5"));
    assert_eq!(status, 200);
    assert!(ct.starts_with("application/json"));
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(page["articles"].as_array().unwrap().len(), 5);
    let cursor = page["next_cursor"]
        .as_str()
        .expect("more than five sample articles");
    let (_, _, next) = get(&format!("{base}/api/articles?limit=5&cursor={cursor}"));
    let next: serde_json::Value = serde_json::from_str(&next).unwrap();
    assert_ne!(next["articles"][0]["id"], page["articles"][0]["id"]);

    let id = page["articles"][0]["id"].as_str().unwrap();
    let (status, _, similar) = get(&format!("{base}/api/articles/{id}/similar"));
    assert_eq!(status, 200);
    let similar: serde_json::Value = serde_json::from_str(&similar).unwrap();
    let items = similar["similar"].as_array().unwrap();
    assert!(!items.is_empty(), "sample articles have similar posts");
    for item in items {
        assert!(item["id"].is_string() && item["title"].is_string() && item["score"].is_number());
        assert!(item.get("published").is_some());
        assert!(
            item["why"]["entities"].is_array(),
            "shared linked entities are a reason"
        );
    }
    assert!(
        items
            .iter()
            .any(|i| !i["why"]["entities"].as_array().unwrap().is_empty()),
        "a similar post of the same story shares someone: {items:#?}"
    );

    let (status, _, narrowed) = get(&format!(
        "{base}/api/articles/{id}/similar?k=5&window_days=0&lang=en"
    ));
    assert_eq!(status, 200);
    let narrowed: serde_json::Value = serde_json::from_str(&narrowed).unwrap();
    for item in narrowed["similar"].as_array().unwrap() {
        assert_eq!(
            item["why"]["days_apart"], 0,
            "the window keeps same-day articles only: {item}"
        );
    }

    let (status, _, page_html) = get(&format!("{base}/articles/{id}"));
    assert_eq!(status, 200);
    assert!(page_html.contains("Similar Posts"));
    for item in items {
        assert!(
            page_html.contains(&format!("/articles/{}", item["id"].as_str().unwrap())),
            "the page shows the API's list"
        );
    }

    let (status, _, article) = get(&format!("{base}/api/articles/{id}"));
    assert_eq!(status, 200);
    let article: serde_json::Value = serde_json::from_str(&article).unwrap();
    assert!(article["sections"].is_array());
    assert!(article["duplicates"].is_array() && article.get("duplicate_of").is_some());

    // A rewrite points at the earlier original it copies.
    let (_, _, all) = get(&format!("{base}/api/articles?limit=200"));
    let all: serde_json::Value = serde_json::from_str(&all).unwrap();
    let id_of = |url: &str| {
        all["articles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["url"] == url)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let original = id_of("https://harbordaily.example/news/prigozhin-halts-march");
    let rewrite = id_of("https://eastline.example/europe/wagner-leader-stops-advance");
    let (_, _, r) = get(&format!("{base}/api/articles/{rewrite}"));
    let r: serde_json::Value = serde_json::from_str(&r).unwrap();
    assert_eq!(r["duplicate_of"], original.as_str());
    let (_, _, o) = get(&format!("{base}/api/articles/{original}"));
    let o: serde_json::Value = serde_json::from_str(&o).unwrap();
    assert_eq!(o["duplicate_of"], serde_json::Value::Null);
    assert_eq!(o["duplicates"], serde_json::json!([rewrite]));

    let (status, ct, problem) = get(&format!("{base}/api/articles/no-such-id"));
    assert_eq!(status, 404);
    assert_eq!(ct, "application/problem+json");
    assert!(problem.contains("no-such-id"));
    let (status, ct, _) = get(&format!("{base}/api/articles?limit=0"));
    assert_eq!((status, ct.as_str()), (400, "application/problem+json"));
    assert_eq!(get(&format!("{base}/articles/no-such-id")).0, 404);
    assert_eq!(get(&format!("{base}/healthz")).2, "ok");
}

#[test]
fn stories_have_api_routes_a_page_and_a_box_on_articles() {
    let server = start(&["demo"]);
    let base = &server.base;
    let (status, ct, body) = get(&format!("{base}/api/stories?limit=3"));
    assert_eq!((status, ct.as_str()), (200, "application/json"));
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    let listed = page["stories"].as_array().unwrap();
    assert_eq!(listed.len(), 3);
    let cursor = page["next_cursor"].as_str().expect("more stories follow");
    let (_, _, next) = get(&format!("{base}/api/stories?limit=3&cursor={cursor}"));
    let next: serde_json::Value = serde_json::from_str(&next).unwrap();
    assert_ne!(next["stories"][0]["id"], listed[0]["id"], "the cursor moves on");

    let biggest = serde_json::from_str::<serde_json::Value>(&get(&format!("{base}/api/stories?limit=200")).2)
        .unwrap()["stories"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|s| s["article_count"].as_u64())
        .unwrap()
        .clone();
    let id = biggest["id"].as_str().unwrap();
    let (status, _, story) = get(&format!("{base}/api/stories/{id}"));
    assert_eq!(status, 200);
    let story: serde_json::Value = serde_json::from_str(&story).unwrap();
    assert_eq!(story["articles"], biggest["articles"]);
    assert!(
        story["events"].is_array(),
        "the story's events, each with its reports"
    );

    // Key quotes: said in the story's articles, each with its speaker,
    // and the speaker's entity lists quotes that name others.
    let quotes = story["quotes"].as_array().expect("key quotes");
    assert!(!quotes.is_empty(), "the sample's biggest story has quotes");
    let members: Vec<&str> = story["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    for q in quotes {
        assert!(members.contains(&q["article"].as_str().unwrap()), "{q}");
        assert!(q["speaker"]["id"].as_str().unwrap().starts_with("ent-"), "{q}");
    }
    let speaker = quotes[0]["speaker"]["id"].as_str().unwrap();
    let (status, _, entity) = get(&format!("{base}/api/entities/{speaker}"));
    assert_eq!(status, 200);
    let entity: serde_json::Value = serde_json::from_str(&entity).unwrap();
    assert!(entity["quotes_about"].is_array(), "{entity}");
    // What others said about Prigozhin (Lukashenko's statements) is on his page.
    let (_, _, listed) = get(&format!("{base}/api/entities?limit=200"));
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let prigozhin = listed["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "Yevgeny Prigozhin")
        .expect("Prigozhin is linked")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, _, about) = get(&format!("{base}/api/entities/{prigozhin}"));
    let about: serde_json::Value = serde_json::from_str(&about).unwrap();
    let said = about["quotes_about"].as_array().unwrap();
    assert!(
        said.iter()
            .any(|q| q["speaker"]["name"] == "Alexander Lukashenko"),
        "{said:?}"
    );
    let (_, _, page) = get(&format!("{base}/entities/{prigozhin}"));
    assert!(page.contains("Quoted about Yevgeny Prigozhin"), "{page}");

    let (status, _, html) = get(&format!("{base}/stories/{id}"));
    assert_eq!(status, 200);
    assert!(html.contains("Timeline") && html.contains("By source"));
    assert!(html.contains("Key quotes"), "{html}");
    assert!(
        html.contains("Who and where") && html.contains("/entities/ent-"),
        "key entities link to their pages"
    );
    let member = story["articles"][0].as_str().unwrap();
    assert!(html.contains(&format!("/articles/{member}")));

    let (_, _, article_html) = get(&format!("{base}/articles/{member}"));
    assert!(article_html.contains("Part of a story") && article_html.contains(&format!("/stories/{id}")));
    let (_, _, article) = get(&format!("{base}/api/articles/{member}"));
    let article: serde_json::Value = serde_json::from_str(&article).unwrap();
    assert_eq!(article["story"], id);
    let entities = article["entities"]
        .as_array()
        .expect("the API serves the extraction");
    assert!(!entities.is_empty() && article["timexes"].is_array());
    let text: Vec<char> = article["text"].as_str().unwrap().chars().collect();
    let m = &entities[0]["mentions"][0];
    let (s, e) = (
        m["start"].as_u64().unwrap() as usize,
        m["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(text[s..e].iter().collect::<String>(), m["text"].as_str().unwrap());
    assert!(article_html.contains("In this article"));
    assert!(
        article_html.contains("<mark class=\"ent "),
        "mentions are marked in the text"
    );
    let evidenced = article["statements"]
        .as_array()
        .expect("the API serves statements")
        .iter()
        .chain(article["events"].as_array().expect("the API serves events"));
    for item in evidenced {
        let (s, e) = (
            item["start"].as_u64().unwrap() as usize,
            item["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            text[s..e].iter().collect::<String>(),
            item["evidence"].as_str().unwrap()
        );
    }
    if !article["events"].as_array().unwrap().is_empty() {
        assert!(article_html.contains("<ol class=\"timeline\">"));
    }

    // Entities linked across articles: the article's first entity has a page
    // that lists the article, and the article page links to it.
    let linked = entities[0]["canonical_id"]
        .as_str()
        .expect("entities are linked across articles");
    assert!(article_html.contains(&format!("/entities/{linked}")));
    let (status, _, entity) = get(&format!("{base}/api/entities/{linked}"));
    assert_eq!(status, 200);
    let entity: serde_json::Value = serde_json::from_str(&entity).unwrap();
    assert!(entity["articles"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a[0] == member));
    let (status, _, entity_html) = get(&format!("{base}/entities/{linked}"));
    assert_eq!(status, 200);
    assert!(entity_html.contains("Named in") && entity_html.contains(&format!("/articles/{member}")));
    let (status, _, list) = get(&format!("{base}/api/entities?limit=2"));
    assert_eq!(status, 200);
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list["entities"].as_array().unwrap().len(), 2);
    let (_, _, next) = get(&format!(
        "{base}/api/entities?limit=2&cursor={}",
        list["next_cursor"].as_str().unwrap()
    ));
    let next: serde_json::Value = serde_json::from_str(&next).unwrap();
    assert_ne!(
        next["entities"][0]["id"], list["entities"][0]["id"],
        "the cursor moves on"
    );
    // A widely named entity's articles come a page at a time, newest
    // linked first, with its totals on every page.
    let widest = &list["entities"][0];
    let total = widest["articles"].as_u64().unwrap();
    assert!(total >= 3, "{widest}");
    let mut paged: Vec<String> = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, _, body) = get(&format!(
            "{base}/api/entities/{}?limit=2{cursor}",
            widest["id"].as_str().unwrap()
        ));
        assert_eq!(status, 200);
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["article_count"].as_u64(), Some(total));
        assert_eq!(body["mention_count"], widest["mentions"]);
        let page = body["articles"].as_array().unwrap();
        assert!(page.len() <= 2 && !page.is_empty(), "{body}");
        paged.extend(page.iter().rev().map(|a| a[0].as_str().unwrap().to_string()));
        match body["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    let mut distinct = paged.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!((paged.len() as u64, distinct.len()), (total, paged.len()));
    assert_eq!(get(&format!("{base}/api/entities/{linked}?cursor=x")).0, 400);
    assert_eq!(get(&format!("{base}/entities/{linked}?before=x")).0, 400);
    let (status, ct, _) = get(&format!("{base}/api/entities/no-such-entity"));
    assert_eq!((status, ct.as_str()), (404, "application/problem+json"));
    assert_eq!(get(&format!("{base}/entities/no-such-entity")).0, 404);

    let (status, ct, _) = get(&format!("{base}/api/stories/no-such-story"));
    assert_eq!((status, ct.as_str()), (404, "application/problem+json"));
    assert_eq!(get(&format!("{base}/api/stories?cursor=x")).0, 400);
    assert_eq!(get(&format!("{base}/stories/no-such-story")).0, 404);
}

#[test]
fn text_from_inputs_is_escaped_in_pages() {
    let store = tempfile::tempdir().unwrap();
    let d = tempfile::tempdir().unwrap();
    let payload = "{\"id\":\"x1\",\"title\":\"<script>alert(1)</script> headline\",\"text\":\"Body with <img src=x onerror=alert(2)> inside.\\n<b>bold</b> claims.\"}\n";
    let input = d.path().join("x.jsonl");
    std::fs::write(&input, payload).unwrap();
    assert!(run(store.path(), &["ingest", input.to_str().unwrap()])
        .status
        .success());
    let server = start(&["--data-dir", store.path().to_str().unwrap(), "serve"]);
    for path in [
        "/",
        "/articles/x1",
        "/search?q=headline",
        "/search?q=%3Cscript%3Ealert(1)%3C/script%3E+headline",
    ] {
        let (status, _, html) = get(&format!("{}{path}", server.base));
        assert_eq!(status, 200);
        assert!(!html.contains("<script>alert"), "{path} carries a live script");
        assert!(!html.contains("<img src=x"), "{path} carries a live tag");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || html.contains("&#60;script&#62;"),
            "{path}"
        );
    }
}

#[test]
fn search_finds_words_with_filters_and_every_feed_parses() {
    let server = start(&["demo"]);
    let base = &server.base;

    // The search page marks what matched; the API pages with a cursor.
    let (status, ct, html) = get(&format!("{base}/search?q=Prigozhin+Lukashenko"));
    assert_eq!(status, 200);
    assert!(ct.starts_with("text/html"));
    assert!(
        html.contains("<mark>Prigozhin</mark>") || html.contains("<mark>Lukashenko</mark>"),
        "{html}"
    );
    let (status, ct, body) = get(&format!("{base}/api/search?q=Prigozhin"));
    assert_eq!(status, 200);
    assert!(ct.starts_with("application/json"));
    let found: serde_json::Value = serde_json::from_str(&body).unwrap();
    let hits = found["hits"].as_array().unwrap();
    assert!(hits.len() >= 5, "{body}");
    assert!(
        found["next_cursor"].is_null(),
        "the sample's matches fit one page: {body}"
    );
    assert!(hits
        .iter()
        .all(|h| !h["snippet"].as_str().unwrap().contains('\u{2}')));
    let (_, _, body) = get(&format!("{base}/api/search?q=Prigozhin&from=2023-07-01"));
    let later: serde_json::Value = serde_json::from_str(&body).unwrap();
    let later = later["hits"].as_array().unwrap();
    assert!(
        later.len() < hits.len(),
        "the date filter leaves earlier reports out"
    );
    assert!(later
        .iter()
        .all(|h| h["published"].as_str().unwrap() >= "2023-07-01"));
    // The entity filter keeps the matches naming the entity, and only those.
    let (_, _, listed) = get(&format!("{base}/api/entities?limit=200"));
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let id_of = |name: &str| {
        listed["entities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .unwrap_or_else(|| panic!("{name} is linked"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let naming = |entity: &str| -> Vec<String> {
        let (_, _, body) = get(&format!("{base}/api/entities/{entity}?limit=200"));
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        body["articles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a[0].as_str().unwrap().to_string())
            .collect()
    };
    for name in ["Yevgeny Prigozhin", "Alexander Lukashenko"] {
        let entity = id_of(name);
        let named = naming(&entity);
        let (status, _, body) = get(&format!("{base}/api/search?q=Prigozhin&entity={entity}"));
        assert_eq!(status, 200);
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        let filtered: Vec<&str> = body["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap())
            .collect();
        let expected: Vec<&str> = hits
            .iter()
            .map(|h| h["id"].as_str().unwrap())
            .filter(|id| named.iter().any(|n| n == id))
            .collect();
        assert!(!filtered.is_empty(), "{name}");
        assert_eq!(filtered, expected, "{name}");
    }
    let (_, _, body) = get(&format!("{base}/api/search?q=Prigozhin&entity=ent-nobody"));
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(body["hits"].as_array().unwrap().is_empty(), "{body}");

    let (status, ct, _) = get(&format!("{base}/api/search?q=x&from=yesterday"));
    assert_eq!(status, 400);
    assert!(ct.starts_with("application/problem+json"));
    let (status, _, _) = get(&format!("{base}/api/search"));
    assert_eq!(status, 400, "q is required");

    // Feeds of the latest articles, a story, an entity and a search, in all three formats.
    let (_, _, stories) = get(&format!("{base}/api/stories"));
    let stories: serde_json::Value = serde_json::from_str(&stories).unwrap();
    let story = stories["stories"][0]["id"].as_str().unwrap().to_string();
    let (_, _, entities) = get(&format!("{base}/api/entities"));
    let entities: serde_json::Value = serde_json::from_str(&entities).unwrap();
    let entity = entities["entities"][0]["id"].as_str().unwrap().to_string();
    for path in [
        "/feeds/latest".to_string(),
        format!("/feeds/stories/{story}"),
        format!("/feeds/entities/{entity}"),
    ] {
        for (suffix, kind) in [("xml", "rss"), ("atom", "atom"), ("json", "feed+json")] {
            let url = format!("{base}{path}.{suffix}");
            let (status, ct, body) = get(&url);
            assert_eq!(status, 200, "{url}");
            assert!(ct.contains(kind), "{url}: {ct}");
            let feed = feed_rs::parser::parse(body.as_bytes()).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert!(!feed.entries.is_empty(), "{url}");
            assert!(feed
                .entries
                .iter()
                .all(|e| e.links.iter().any(|l| l.href.starts_with(base))));
        }
    }
    // Story and entity pages draw their dates as inline SVG.
    let (_, _, page) = get(&format!("{base}/stories/{story}"));
    assert!(
        page.contains("<svg class=\"chart\"") && page.contains("<rect"),
        "{page}"
    );
    let (_, _, page) = get(&format!("{base}/entities/{entity}"));
    assert!(page.contains("<figure class=\"sparkline\"><svg"), "{page}");

    let url = format!("{base}/feeds/search.atom?q=Prigozhin");
    let (status, _, body) = get(&url);
    assert_eq!(status, 200);
    assert_eq!(
        feed_rs::parser::parse(body.as_bytes()).unwrap().entries.len(),
        hits.len()
    );
    let (status, ct, _) = get(&format!("{base}/feeds/stories/nope.xml"));
    assert_eq!(status, 404);
    assert!(ct.starts_with("application/problem+json"));

    // The widget script, and the fragment it renders, for any site.
    let (status, ct, js) = get(&format!("{base}/widget.js"));
    assert_eq!(status, 200);
    assert!(ct.starts_with("text/javascript"));
    assert!(js.contains("attachShadow") && js.contains("/fragments/similar"));
    let seed_like = hits[0]["id"].as_str().unwrap();
    let url = format!("{base}/fragments/similar?id={seed_like}&k=3");
    let mut r = ureq::get(&url).call().unwrap();
    assert_eq!(r.headers().get("access-control-allow-origin").unwrap(), "*");
    let fragment = r.body_mut().read_to_string().unwrap();
    assert!(
        fragment.starts_with("<section class=\"storyline-similar\""),
        "{fragment}"
    );
    assert_eq!(fragment.matches("<li>").count(), 3, "{fragment}");
    assert!(!fragment.contains("<html"), "a fragment, not a page");
    let (status, _, _) = get(&format!("{base}/fragments/similar?url=https://nowhere.example/x"));
    assert_eq!(status, 404);

    // The OpenAPI document and its reference page.
    let (status, ct, body) = get(&format!("{base}/api/openapi.json"));
    assert_eq!(status, 200);
    assert!(ct.starts_with("application/json"));
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/api/articles/{id}/similar", "/api/stories/{id}", "/api/search"] {
        assert!(
            doc["paths"][path]["get"]["responses"]["200"].is_object(),
            "{path}"
        );
    }
    let (status, _, html) = get(&format!("{base}/api/docs"));
    assert_eq!(status, 200);
    assert!(html.contains("GET /api/articles/{id}/similar"), "{html}");

    // What was served shows in the metrics, by route pattern.
    let (status, ct, metrics) = get(&format!("{base}/metrics"));
    assert_eq!(status, 200);
    assert!(ct.starts_with("application/openmetrics-text"), "{ct}");
    assert!(
        metrics.contains(
            r#"storyline_http_requests_total{method="GET",route="/feeds/stories/{file}",status="404"} 1"#
        ),
        "{metrics}"
    );
    assert!(metrics.contains(r#"route="/search",status="200"}"#), "{metrics}");
    assert!(metrics.contains("storyline_articles 45"), "{metrics}");
    assert!(
        metrics.contains("storyline_http_request_duration_seconds_bucket"),
        "{metrics}"
    );
}

/// POSTs `body` with an optional bearer token: (status, content type, body).
fn post(url: &str, token: Option<&str>, body: &str) -> (u16, String, String) {
    let mut request = agent().post(url).header("content-type", "application/x-ndjson");
    if let Some(t) = token {
        request = request.header("authorization", &format!("Bearer {t}"));
    }
    parts(request.send(body).unwrap_or_else(|e| panic!("POST {url}: {e}")))
}

#[test]
fn writes_need_the_token_and_keep_good_records_beside_bad_ones() {
    let body = "{\"id\":\"w1\",\"title\":\"<script>alert(3)</script> Wagner leaves Rostov\",\"text\":\"Wagner fighters left Rostov-on-Don on Sunday.\",\"published\":\"2023-06-25\"}\n\
                {\"title\":\"no text here\"}\n";

    // No token configured: writes are off.
    let store = tempfile::tempdir().unwrap();
    let server = start(&["--data-dir", store.path().to_str().unwrap(), "serve"]);
    let (status, ct, _) = post(&format!("{}/api/articles", server.base), Some("anything"), body);
    assert_eq!(status, 403);
    assert!(ct.starts_with("application/problem+json"));
    drop(server);

    let store = tempfile::tempdir().unwrap();
    let server = start_writable(store.path(), &["--cors-origin", "https://news.example"]);
    let url = format!("{}/api/articles", server.base);
    for token in [None, Some("wrong")] {
        let (status, ct, _) = post(&url, token, body);
        assert_eq!(status, 401, "{token:?}");
        assert!(ct.starts_with("application/problem+json"));
    }
    let (status, _, summary) = post(&url, Some("s3cret"), body);
    assert_eq!(status, 201, "{summary}");
    let summary: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(summary["ingested"], 1);
    assert_eq!(summary["rejected"][0]["line"], 2, "{summary}");
    let (status, _, _) = post(&url, Some("s3cret"), body);
    assert_eq!(status, 200, "a replay stores nothing new");
    let (status, _, _) = post(&url, Some("s3cret"), "{\"title\":\"no text\"}\n");
    assert_eq!(status, 422);

    // What was written is served, inert, under a strict policy.
    let (status, _, article) = get(&format!("{}/api/articles/w1", server.base));
    assert_eq!(status, 200, "{article}");
    // It was ingested after the server started: its wait shows as the ingest
    // lag once the rebuild that serves it is done (readers are served the
    // data built before meanwhile).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let lag = loop {
        let (_, _, metrics) = get(&format!("{}/metrics", server.base));
        let lag: f64 = metrics
            .lines()
            .find_map(|l| l.strip_prefix("storyline_ingest_lag_seconds "))
            .unwrap_or_else(|| panic!("{metrics}"))
            .parse()
            .unwrap();
        if lag > 0.0 || std::time::Instant::now() > deadline {
            break lag;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert!(lag > 0.0 && lag < 60.0, "{lag}");
    let mut page = agent()
        .get(&format!("{}/articles/w1", server.base))
        .call()
        .unwrap();
    let csp = page
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("script-src"),
        "{csp}"
    );
    let html = page.body_mut().read_to_string().unwrap();
    assert!(!html.contains("<script>alert(3)"));

    // CORS: the allowed origin may call the API, preflight included; others may not.
    let api = format!("{}/api/articles/w1", server.base);
    let r = agent()
        .get(&api)
        .header("origin", "https://news.example")
        .call()
        .unwrap();
    assert_eq!(
        r.headers().get("access-control-allow-origin").unwrap(),
        "https://news.example"
    );
    let r = agent()
        .get(&api)
        .header("origin", "https://evil.example")
        .call()
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let r = agent()
        .options(&format!("{}/api/articles", server.base))
        .header("origin", "https://news.example")
        .header("access-control-request-method", "POST")
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert!(r
        .headers()
        .get("access-control-allow-headers")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("authorization"));
}

#[test]
fn sources_are_listed_and_paged() {
    let server = start(&["demo"]);
    let base = &server.base;
    let (status, ct, body) = get(&format!("{base}/api/sources"));
    assert_eq!(status, 200);
    assert!(ct.starts_with("application/json"), "{ct}");
    let sources: serde_json::Value = serde_json::from_str(&body).unwrap();
    let sources = sources["sources"].as_array().unwrap();
    assert!(sources.len() >= 5, "the sample has several sources: {body}");
    let counts: Vec<u64> = sources.iter().map(|s| s["articles"].as_u64().unwrap()).collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "most articles first: {counts:?}"
    );
    let (_, _, list) = get(&format!("{base}/api/articles?limit=200"));
    let all: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(
        counts.iter().sum::<u64>() as usize,
        all["articles"].as_array().unwrap().len(),
        "every sample article has one source"
    );

    // One source, two at a time, all its articles once, newest first.
    let top = &sources[0];
    let name = top["name"].as_str().unwrap();
    let encoded: String = url_encode(name);
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{base}/api/sources/{encoded}?limit=2&cursor={}", url_encode(c)),
            None => format!("{base}/api/sources/{encoded}?limit=2"),
        };
        let (status, _, body) = get(&url);
        assert_eq!(status, 200, "{url}: {body}");
        let page: serde_json::Value = serde_json::from_str(&body).unwrap();
        for a in page["articles"].as_array().unwrap() {
            assert_eq!(a["source"].as_str(), Some(name));
            seen.push(a["id"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len() as u64, top["articles"].as_u64().unwrap());
    let (status, ct, _) = get(&format!("{base}/api/sources/No%20Such%20Source"));
    assert_eq!((status, ct.as_str()), (404, "application/problem+json"));
    let (status, ct, _) = get(&format!("{base}/api/sources/{encoded}?limit=0"));
    assert_eq!((status, ct.as_str()), (400, "application/problem+json"));

    // The pages: the list links each source, a source page lists its articles.
    let (status, _, page) = get(&format!("{base}/sources"));
    assert_eq!(status, 200);
    assert!(page.contains(&format!("href=\"/sources/{encoded}\"")), "{page}");
    let (status, _, page) = get(&format!("{base}/sources/{encoded}"));
    assert_eq!(status, 200);
    assert!(page.contains(&format!("<h1>{name}</h1>")), "{page}");
    assert_eq!(page.matches("href=\"/articles/").count(), seen.len().min(30));
    let (status, _, _) = get(&format!("{base}/sources/No%20Such%20Source"));
    assert_eq!(status, 404);
}

/// Percent-encodes everything but unreserved characters.
/// What storyline serves as a JSON Feed (one line of JSON) it ingests back.
#[test]
fn its_own_json_feed_ingests_back() {
    let server = start(&["demo"]);
    let (status, _, feed) = get(&format!("{}/feeds/latest.json", server.base));
    assert_eq!(status, 200);
    let items = serde_json::from_str::<serde_json::Value>(&feed).unwrap()["items"]
        .as_array()
        .unwrap()
        .len();
    assert!(items > 10, "{items}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("latest.json");
    std::fs::write(&file, &feed).unwrap();
    let o = run(
        &dir.path().join("store"),
        &["ingest", "--json", file.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = json(&o);
    assert_eq!(summary["ingested"], items, "{summary}");
    assert_eq!(summary["rejected"].as_array().unwrap().len(), 0, "{summary}");
    // And from standard input, its format sniffed.
    let mut child = bin()
        .args([
            "--data-dir",
            dir.path().join("piped").to_str().unwrap(),
            "ingest",
            "--json",
            "-",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), feed.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    assert_eq!(json(&o)["ingested"], items);
}

#[test]
fn a_written_article_enters_an_older_articles_list_the_server_answered_before() {
    let store = tempfile::tempdir().unwrap();
    let server = start_writable(store.path(), &[]);
    let url = format!("{}/api/articles", server.base);
    let record = |id: &str, title: &str, text: &str| {
        format!(
            "{{\"id\":\"{id}\",\"title\":\"{title}\",\"text\":\"{text}\",\"published\":\"2023-06-25\"}}\n"
        )
    };
    let first = [
        record("a", "Rostov harbour strike enters its third day", "Dock workers in the Rostov harbour kept their strike going on Sunday as talks with the port authority stalled over wages."),
        record("b", "Port authority offers Rostov dockers a new wage deal", "The port authority in Rostov offered striking harbour dock workers a wage deal on Monday to end the strike."),
        record("c", "Storm closes Oslo airport", "A winter storm closed the airport in Oslo on Sunday and cancelled flights across Norway."),
    ]
    .concat();
    let (status, _, summary) = post(&url, Some("s3cret"), &first);
    assert_eq!(status, 201, "{summary}");
    let similar_of_a = || {
        let (status, _, body) = get(&format!("{}/api/articles/a/similar?k=5", server.base));
        (status, body)
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let before = loop {
        let (status, body) = similar_of_a();
        if status == 200 && body.contains("\"b\"") {
            break body;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "a's list never came: {status} {body}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    // Asked again: the same answer (kept for this version of the index).
    assert_eq!(similar_of_a(), (200, before.clone()));
    assert!(!before.contains("\"d\""));
    // Months later, so that it is no story mate of `a` (whose list would
    // then be asked with other mates): only the index moved on.
    let later = record("d", "Rostov harbour dockers strike again over wages", "Dock workers in the Rostov harbour went on strike again over wages, months after the port authority's last deal.")
        .replace("2023-06-25", "2024-02-20");
    let (status, _, summary) = post(&url, Some("s3cret"), &later);
    assert_eq!(status, 201, "{summary}");
    loop {
        let (status, body) = similar_of_a();
        assert_eq!(status, 200, "{body}");
        if body.contains("\"d\"") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the written article never entered a's list: {body}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
