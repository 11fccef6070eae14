//! End to end in a real headless Chromium, driven over the DevTools
//! protocol: the demo server (sample corpus) on 127.0.0.1, its home,
//! article, story, entity and search pages, a click from an article to one
//! of its Similar Posts, the pages at a phone's width, and the widget
//! rendering inside a host page of another origin.
//!
//! Run it alone with `cargo test -p storyline --test browser`. Screenshots
//! go to `target/browser-screenshots/` (or `STORYLINE_SCREENSHOTS`).
//! `STORYLINE_CHROMIUM` names the browser; without one the test skips with
//! a message, except in CI (`CI=true`), where it fails.

mod common;
use common::*;
use headless_chrome::protocol::cdp::Emulation;
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions, Tab};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn chromium() -> Option<PathBuf> {
    let candidates = std::env::var_os("STORYLINE_CHROMIUM")
        .map(|p| vec![PathBuf::from(p)])
        .unwrap_or_else(|| {
            [
                "/usr/bin/chromium",
                "/usr/bin/chromium-browser",
                "/usr/bin/google-chrome",
            ]
            .map(PathBuf::from)
            .to_vec()
        });
    match candidates.into_iter().find(|p| p.exists()) {
        Some(found) => Some(found),
        None => missing("Chromium (install Debian's chromium or set STORYLINE_CHROMIUM)"),
    }
}

fn screenshots() -> PathBuf {
    let dir = std::env::var_os("STORYLINE_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-screenshots")
        });
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn shot(tab: &Tab, name: &str) {
    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .unwrap();
    assert!(png.starts_with(b"\x89PNG"), "{name}: a PNG");
    std::fs::write(screenshots().join(format!("{name}.png")), png).unwrap();
}

fn visit(tab: &Tab, url: &str) {
    tab.navigate_to(url).unwrap().wait_until_navigated().unwrap();
}

/// The value of a JavaScript expression, as JSON.
fn eval(tab: &Tab, js: &str) -> serde_json::Value {
    tab.evaluate(js, false)
        .unwrap_or_else(|e| panic!("{js}: {e}"))
        .value
        .unwrap_or(serde_json::Value::Null)
}

fn text(tab: &Tab, selector: &str) -> String {
    tab.wait_for_element(selector)
        .unwrap_or_else(|e| panic!("{selector} on {}: {e}", tab.get_url()))
        .get_inner_text()
        .unwrap()
}

/// Clicks the first element matching `selector` (a link) and waits for the
/// page it leads to; returns the link's text.
fn click(tab: &Tab, selector: &str) -> String {
    let link = tab
        .wait_for_element(selector)
        .unwrap_or_else(|e| panic!("{selector} on {}: {e}", tab.get_url()));
    let label = link.get_inner_text().unwrap();
    let before = tab.get_url();
    link.click().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while tab.get_url() == before && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    tab.wait_until_navigated().unwrap();
    label
}

/// Whether the page is no wider than the viewport (nothing to scroll sideways).
fn fits_width(tab: &Tab) -> bool {
    eval(tab, "document.documentElement.scrollWidth <= window.innerWidth") == serde_json::json!(true)
}

/// Serves one HTML page on 127.0.0.1 (another origin than storyline's)
/// from a thread, for as long as the test runs; returns its URL.
fn host_page(html: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{html}",
                html.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    url
}

#[test]
fn pages_work_in_a_real_browser() {
    let Some(path) = chromium() else {
        return;
    };
    let server = start(&["demo"]);
    let base = server.base.clone();
    let browser = Browser::new(
        LaunchOptions::default_builder()
            .path(Some(path))
            .sandbox(false)
            .window_size(Some((1280, 900)))
            .idle_browser_timeout(Duration::from_secs(300))
            .build()
            .unwrap(),
    )
    .expect("Chromium starts");
    let tab = browser.new_tab().unwrap();
    tab.set_default_timeout(Duration::from_secs(20));

    // Home: the stories active in the sample's last week, then the latest articles.
    visit(&tab, &format!("{base}/"));
    assert!(text(&tab, "h1").starts_with("Stories active"), "home heading");
    assert!(tab.find_elements("ol.articles li").unwrap().len() >= 10);
    shot(&tab, "home");

    // A story, from the home page's first story: its headline, its chart.
    let story_title = click(&tab, "ol.stories li a");
    assert!(tab.get_url().contains("/stories/"), "{}", tab.get_url());
    assert_eq!(text(&tab, "h1"), story_title);
    assert!(!tab.find_elements("svg").unwrap().is_empty(), "the story's chart");
    shot(&tab, "story");

    // An article, from the story's timeline, and on to one of its Similar Posts.
    click(&tab, "ol.timeline a[href^='/articles/']");
    let article_url = tab.get_url();
    assert!(article_url.contains("/articles/"), "{article_url}");
    assert_eq!(text(&tab, "#similar-posts"), "Similar Posts");
    shot(&tab, "article");
    let similar_title = click(&tab, "aside.similar li a");
    assert_ne!(tab.get_url(), article_url, "the click led to another article");
    assert!(tab.get_url().contains("/articles/"));
    assert_eq!(text(&tab, "h1"), similar_title, "the Similar Post's own page");
    shot(&tab, "similar-post");

    // An entity named in the article.
    click(&tab, "a[href^='/entities/']");
    assert!(tab.get_url().contains("/entities/"), "{}", tab.get_url());
    assert!(!text(&tab, "h1").is_empty());
    shot(&tab, "entity");

    // Search, typed into the form as a reader would.
    visit(&tab, &format!("{base}/search"));
    tab.wait_for_element("form.search input[name='q']")
        .unwrap()
        .click()
        .unwrap();
    tab.type_str("Wagner").unwrap().press_key("Enter").unwrap();
    tab.wait_for_element("ol.results li").unwrap();
    assert!(tab.get_url().contains("q=Wagner"), "{}", tab.get_url());
    assert!(
        !tab.find_elements("ol.results mark").unwrap().is_empty(),
        "snippets mark the match"
    );
    shot(&tab, "search");

    // At a phone's width every page fits without sideways scrolling.
    tab.call_method(Emulation::SetDeviceMetricsOverride {
        width: 390,
        height: 844,
        device_scale_factor: 2.0,
        mobile: true,
        scale: None,
        screen_width: None,
        screen_height: None,
        position_x: None,
        position_y: None,
        dont_set_visible_size: None,
        screen_orientation: None,
        viewport: None,
        display_feature: None,
        device_posture: None,
    })
    .unwrap();
    for page in [
        format!("{base}/"),
        article_url.clone(),
        format!("{base}/search?q=Wagner"),
    ] {
        visit(&tab, &page);
        assert!(fits_width(&tab), "{page} fits a phone's width");
    }
    shot(&tab, "search-phone");
    tab.call_method(Emulation::ClearDeviceMetricsOverride(None))
        .unwrap();

    // The widget on a page of another origin, whose CSS must not reach in.
    let listed = ureq::get(&format!("{base}/api/articles?limit=50"))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let with_url = listed["articles"]
        .as_array()
        .expect("a page of articles")
        .iter()
        .find_map(|a| a["url"].as_str())
        .expect("a sample article with a URL")
        .to_string();
    let host = host_page(format!(
        "<!doctype html><html><head><title>Host</title><style>li {{ border: 7px solid red }}</style></head>\
         <body><h1>A publisher's article</h1><p>Body text.</p>\
         <script src=\"{base}/widget.js\" data-url=\"{with_url}\" async></script></body></html>"
    ));
    visit(&tab, &host);
    let items_js = "(() => { const h = document.querySelector('.storyline-similar-widget'); \
                    return h && h.shadowRoot ? h.shadowRoot.querySelectorAll('li').length : -1 })()";
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut items = eval(&tab, items_js);
    while items.as_i64().unwrap_or(0) <= 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        items = eval(&tab, items_js);
    }
    assert!(
        items.as_i64().unwrap_or(0) > 0,
        "the widget lists Similar Posts: {items}"
    );
    let border = eval(
        &tab,
        "getComputedStyle(document.querySelector('.storyline-similar-widget').shadowRoot.querySelector('li')).borderTopWidth",
    );
    assert_eq!(border, serde_json::json!("0px"), "the host page's CSS stays out");
    let link = eval(
        &tab,
        "document.querySelector('.storyline-similar-widget').shadowRoot.querySelector('a').href",
    );
    // Each item links to the related article itself (its own URL, else its storyline page).
    let link = link.as_str().unwrap_or_default();
    assert!(link.starts_with("http"), "{link}");
    assert_ne!(
        link, with_url,
        "the widget does not list the article it sits under"
    );
    shot(&tab, "widget");
    drop(server);
}

/// A store whose articles carry `javascript:` and other unsafe URLs (as one
/// written before the link policy would), and the widget on a host page:
/// the browser itself says every link it would follow is http(s), and
/// clicking one runs nothing in the host page.
#[test]
fn widget_links_never_run_code_in_the_host_page() {
    let Some(path) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let unsafe_urls = [
        "javascript:window.__pwned=1",
        "JaVaScRiPt:window.__pwned=2",
        "java\tscript:window.__pwned=3",
        "vbscript:msgbox(4)",
        "data:text/html,<script>parent.__pwned=5</script>",
    ];
    let angles = [
        "Fishing crews returned to the eastern berths before dawn and unloaded the first catch in weeks.",
        "The mayor praised the engineers who rebuilt the breakwater under winter gales.",
        "Insurers estimate the storm damage to warehouses at several million euros.",
        "Cruise operators plan to bring their spring calls forward now that the berth is safe.",
        "Dock workers' unions asked for overtime pay for the weekend shifts during the repairs.",
        "Local cafes along the promenade reported their busiest morning since the autumn.",
    ];
    let mut lines = String::new();
    for (i, angle) in angles.iter().enumerate().take(unsafe_urls.len() + 1) {
        lines.push_str(
            &serde_json::json!({
                "id": format!("w{i}"),
                "title": format!("Harbour authority reopens the northern quay, report {i}"),
                "text": format!("The harbour authority reopened the northern quay on Monday after storm repairs. {angle}"),
                "published": "2024-03-04",
                "url": format!("https://harbour.example/{i}"),
            })
            .to_string(),
        );
        lines.push('\n');
    }
    let file = dir.path().join("w.jsonl");
    std::fs::write(&file, lines).unwrap();
    let store = dir.path().join("store");
    assert!(run(&store, &["ingest", file.to_str().unwrap()]).status.success());
    let db = rusqlite::Connection::open(store.join("storyline.db")).unwrap();
    for (i, url) in unsafe_urls.iter().enumerate() {
        db.execute(
            "UPDATE articles SET url = ?1, doc = json_set(doc, '$.url', ?1) WHERE id = ?2",
            rusqlite::params![url, format!("w{i}")],
        )
        .unwrap();
    }
    drop(db);
    let server = start(&["--data-dir", store.to_str().unwrap(), "serve"]);
    let base = server.base.clone();
    let good = format!("https://harbour.example/{}", unsafe_urls.len());
    let host = host_page(format!(
        "<!doctype html><html><head><title>Host</title></head><body><h1>A publisher's article</h1>\
         <script src=\"{base}/widget.js\" data-url=\"{good}\" data-k=\"10\" async></script></body></html>"
    ));
    let browser = Browser::new(
        LaunchOptions::default_builder()
            .path(Some(path))
            .sandbox(false)
            .idle_browser_timeout(Duration::from_secs(120))
            .build()
            .unwrap(),
    )
    .expect("Chromium starts");
    let tab = browser.new_tab().unwrap();
    tab.set_default_timeout(Duration::from_secs(20));
    visit(&tab, &host);
    let links_js = "(() => { const h = document.querySelector('.storyline-similar-widget'); \
                    if (!h || !h.shadowRoot) return '[]'; \
                    return JSON.stringify([...h.shadowRoot.querySelectorAll('a')].map(a => new URL(a.href).protocol + ' ' + a.href)) })()";
    let read_links = || -> serde_json::Value {
        serde_json::from_str(eval(&tab, links_js).as_str().unwrap_or("null")).unwrap_or_default()
    };
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut links = read_links();
    while links.as_array().is_none_or(|l| l.len() < 3) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        links = read_links();
    }
    let links: Vec<String> = links
        .as_array()
        .unwrap_or_else(|| panic!("the widget rendered: {links}"))
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect();
    assert!(links.len() >= 3, "most similar posts listed: {links:?}");
    for l in &links {
        assert!(
            l.starts_with(&format!("http: {base}/articles/w")),
            "the browser follows only storyline's own page here: {l}"
        );
    }
    shot(&tab, "widget-hostile-links");
    // A real click leads to storyline's page for the article, and ran
    // nothing in the host page on the way.
    let pwned = eval(
        &tab,
        "(() => { const a = document.querySelector('.storyline-similar-widget').shadowRoot.querySelector('a'); \
         a.click(); return window.__pwned === undefined })()",
    );
    assert_eq!(
        pwned,
        serde_json::json!(true),
        "no link ran code in the host page"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while tab.get_url() == host && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    tab.wait_until_navigated().unwrap();
    let landed = tab.get_url();
    assert!(landed.starts_with(&format!("{base}/articles/w")), "{landed}");
    drop(server);
}
