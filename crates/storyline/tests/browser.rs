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
