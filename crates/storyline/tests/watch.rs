//! `storyline sources` and `storyline watch` against a local news site on
//! 127.0.0.1: only new feed items are fetched, an unchanged feed costs a
//! 304, robots.txt is obeyed, a 429 is waited out, one host gets one
//! request at a time with a pause between, a news sitemap index leads to
//! its articles, a watched section front leads to its stories, a watch
//! killed mid-run and started again fetches nothing it had stored, and
//! SIGTERM ends a watch cleanly.

mod common;
use common::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request the site answered.
#[derive(Debug, Clone)]
struct Hit {
    path: String,
    at: Instant,
    if_none_match: Option<String>,
}

/// A small news site: a feed of `items`, their pages, a robots.txt that
/// closes `/private/`, a page that answers 429 once, and a news sitemap
/// index. It logs every request.
#[derive(Clone)]
struct Site {
    base: String,
    items: Arc<Mutex<Vec<String>>>,
    hits: Arc<Mutex<Vec<Hit>>>,
    active: Arc<AtomicUsize>,
    most_active: Arc<AtomicUsize>,
    page_delay: Duration,
}

impl Site {
    fn start(items: &[&str], page_delay: Duration) -> Site {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let site = Site {
            base: format!("http://{}", listener.local_addr().unwrap()),
            items: Arc::new(Mutex::new(items.iter().map(|s| s.to_string()).collect())),
            hits: Arc::new(Mutex::new(Vec::new())),
            active: Arc::new(AtomicUsize::new(0)),
            most_active: Arc::new(AtomicUsize::new(0)),
            page_delay,
        };
        let server = site.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let server = server.clone();
                std::thread::spawn(move || server.answer(stream));
            }
        });
        site
    }

    fn answer(&self, mut stream: TcpStream) {
        let now_active = self.active.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_active.fetch_max(now_active, Ordering::SeqCst);
        let mut request = [0u8; 8192];
        let n = stream.read(&mut request).unwrap_or(0);
        let head = String::from_utf8_lossy(&request[..n]).into_owned();
        let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
        let if_none_match = head
            .lines()
            .find_map(|l| {
                l.strip_prefix("if-none-match: ")
                    .or_else(|| l.strip_prefix("If-None-Match: "))
            })
            .map(|v| v.trim().to_string());
        let earlier = self.count(&path);
        self.hits.lock().unwrap().push(Hit {
            path: path.clone(),
            at: Instant::now(),
            if_none_match: if_none_match.clone(),
        });
        let response = self.respond(&path, if_none_match.as_deref(), earlier);
        if path.starts_with("/news/") {
            std::thread::sleep(self.page_delay);
        }
        let _ = stream.write_all(response.as_bytes());
        self.active.fetch_sub(1, Ordering::SeqCst);
    }

    fn respond(&self, path: &str, if_none_match: Option<&str>, earlier: usize) -> String {
        let items = self.items.lock().unwrap().clone();
        let etag = format!("\"v{}\"", items.len());
        match path {
            "/robots.txt" => ok("text/plain", "", "User-agent: *\nDisallow: /private/\n"),
            "/feed.xml" if if_none_match == Some(etag.as_str()) => {
                "HTTP/1.1 304 Not Modified\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
            }
            "/feed.xml" => ok(
                "application/rss+xml",
                &format!("ETag: {etag}\r\n"),
                &feed(&self.base, &items),
            ),
            "/sitemap-index.xml" => ok(
                "application/xml",
                "",
                &format!(
                    "<?xml version=\"1.0\"?><sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
                     <sitemap><loc>{}/sitemap-news.xml</loc><lastmod>2026-11-26</lastmod></sitemap></sitemapindex>",
                    self.base
                ),
            ),
            "/sitemap-news.xml" => ok(
                "application/xml",
                "",
                "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
                 xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\
                 <url><loc>/news/from-sitemap-1</loc><news:news><news:publication_date>2026-11-26T09:00:00Z</news:publication_date>\
                 <news:title>Sitemap one</news:title></news:news></url>\
                 <url><loc>/news/from-sitemap-2</loc></url></urlset>",
            ),
            "/front" => ok("text/html; charset=utf-8", "", &front(&items)),
            "/news/busy" if earlier == 0 => {
                "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_string()
            }
            p if p.starts_with("/news/") || p.starts_with("/private/") => {
                let slug = p.rsplit('/').next().unwrap_or("x");
                ok("text/html; charset=utf-8", "", &article(slug))
            }
            _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string(),
        }
    }

    fn count(&self, path: &str) -> usize {
        self.hits
            .lock()
            .unwrap()
            .iter()
            .filter(|h| h.path == path)
            .count()
    }

    fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    fn add_item(&self, path: &str) {
        self.items.lock().unwrap().push(path.to_string());
    }
}

fn ok(content_type: &str, headers: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn feed(base: &str, items: &[String]) -> String {
    let entries: String = items
        .iter()
        .enumerate()
        .map(|(i, path)| {
            format!(
                "<item><title>Item {i}</title><link>{base}{path}</link>\
                 <pubDate>Thu, 26 Nov 2026 {:02}:00:00 GMT</pubDate></item>",
                8 + i
            )
        })
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Local Wire</title>{entries}</channel></rss>")
}

/// A section front: a headline linking to each item, a line of summary,
/// site navigation, and a link to another site.
fn front(items: &[String]) -> String {
    let cards: String = items
        .iter()
        .enumerate()
        .map(|(i, path)| {
            format!(
                "<div class=\"card\"><h3><a href=\"{path}\">Harbour works on the coast, part {i} of our series</a></h3>\
                 <p>Repairs go on.</p></div>"
            )
        })
        .collect();
    format!(
        "<!DOCTYPE html><html><head><title>Harbour news</title></head><body>\
         <nav><a href=\"/about\">About the Local Wire and its many reporters</a></nav><main>{cards}\
         <p><a href=\"https://elsewhere.example/story\">A story on another site about other harbours</a></p></main></body></html>"
    )
}

/// An article page with a distinct text per slug.
fn article(slug: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><title>Report {slug}</title>\
         <meta property=\"article:published_time\" content=\"2026-11-26T07:00:00Z\"></head>\
         <body><nav><a href=\"/\">Home</a></nav><article><h1>Report {slug}</h1>\
         <p>The harbour authority said on Thursday that the {slug} berth would reopen after repairs to the quay.</p>\
         <p>Engineers had inspected the {slug} site for two weeks before the decision was announced.</p>\
         </article></body></html>"
    )
}

fn watch(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["watch", "--once", "--json", "--allow-private", "--no-stories"];
    args.extend_from_slice(extra);
    let out = run(dir, &args);
    assert!(
        out.status.success(),
        "watch failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out)
}

fn add_source(dir: &Path, url: &str, name: &str) {
    let out = run(
        dir,
        &[
            "sources",
            "add",
            url,
            "--name",
            name,
            "--interval",
            "1h",
            "--allow-private",
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn only_new_items_are_fetched_politely_and_an_unchanged_feed_costs_a_304() {
    let dir = tempfile::tempdir().unwrap();
    let site = Site::start(
        &["/news/a", "/news/b", "/private/secret", "/news/busy"],
        Duration::from_millis(30),
    );
    add_source(dir.path(), &format!("{}/feed.xml", site.base), "Local");

    let first = watch(dir.path(), &["--host-delay", "200ms", "--fetch-workers", "4"]);
    assert_eq!(first["stored"], 3, "{first}");
    assert_eq!(first["disallowed"], 1, "{first}");
    assert_eq!(site.count("/private/secret"), 0, "robots.txt closes /private/");
    assert_eq!(site.count("/news/busy"), 2, "asked again after the 429");
    assert_eq!(site.count("/robots.txt"), 1);
    assert_eq!(
        site.most_active.load(Ordering::SeqCst),
        1,
        "one request at a time per host"
    );
    let hits = site.hits();
    let busy: Vec<Instant> = hits
        .iter()
        .filter(|h| h.path == "/news/busy")
        .map(|h| h.at)
        .collect();
    assert!(
        busy[1] - busy[0] >= Duration::from_millis(950),
        "Retry-After: 1 was honoured"
    );
    for pair in hits.windows(2).filter(|w| w[0].path != "/robots.txt") {
        assert!(
            pair[1].at - pair[0].at >= Duration::from_millis(190),
            "a pause between requests to the host: {pair:?}"
        );
    }

    // One new item: only it is fetched, and the feed was asked conditionally.
    site.add_item("/news/c");
    let second = watch(dir.path(), &["--host-delay", "0ms"]);
    assert_eq!(second["stored"], 1, "{second}");
    // The closed item is not recorded (robots.txt may open it later), so it
    // is found again, and refused again without a request.
    assert_eq!(second["discovered"], 2, "{second}");
    assert_eq!(second["disallowed"], 1, "{second}");
    for old in ["/news/a", "/news/b"] {
        assert_eq!(site.count(old), 1, "{old} is not fetched again");
    }
    let feed_hits: Vec<Hit> = site
        .hits()
        .into_iter()
        .filter(|h| h.path == "/feed.xml")
        .collect();
    assert_eq!(feed_hits[1].if_none_match.as_deref(), Some("\"v4\""));

    // Nothing new: the feed answers 304 and nothing else is fetched (the
    // robots.txt of the first run is kept in the store).
    let before = site.hits().len();
    let third = watch(dir.path(), &["--host-delay", "0ms"]);
    assert_eq!(third["not_modified"], 1, "{third}");
    assert_eq!(third["stored"], 0);
    let after: Vec<String> = site.hits()[before..].iter().map(|h| h.path.clone()).collect();
    assert_eq!(after, ["/feed.xml"]);
    assert_eq!(site.count("/robots.txt"), 1, "read once in three runs");

    assert_eq!(article_count(dir.path()), 4);
    let listed = stdout(&run(dir.path(), &["list", "--json"]));
    assert!(listed.contains("\"source\":\"Local\""), "{listed}");
    let sources = stdout(&run(dir.path(), &["sources", "list", "--json"]));
    let source: serde_json::Value = serde_json::from_str(sources.lines().next().unwrap()).unwrap();
    assert_eq!(source["name"], "Local");
    assert_eq!(source["etag"], "\"v5\"");
    assert!(source["next_due"].is_string());
    assert_eq!(source["errors"], 0);
    let removed = run(dir.path(), &["sources", "remove", "Local"]);
    assert!(removed.status.success());
    assert_eq!(stdout(&run(dir.path(), &["sources", "list", "--json"])), "");
    assert!(!run(dir.path(), &["sources", "remove", "Local"]).status.success());
}

#[test]
fn a_news_sitemap_index_leads_to_its_articles() {
    let dir = tempfile::tempdir().unwrap();
    let site = Site::start(&[], Duration::ZERO);
    add_source(dir.path(), &format!("{}/sitemap-index.xml", site.base), "Maps");
    let tally = watch(dir.path(), &["--host-delay", "0ms"]);
    assert_eq!(tally["stored"], 2, "{tally}");
    let listed = stdout(&run(dir.path(), &["list", "--json"]));
    assert!(listed.contains("Report from-sitemap-1"), "{listed}");
}

#[test]
fn a_watch_killed_mid_run_and_restarted_fetches_nothing_it_stored() {
    let dir = tempfile::tempdir().unwrap();
    let items: Vec<String> = (1..=6).map(|i| format!("/news/item-{i}")).collect();
    let item_refs: Vec<&str> = items.iter().map(String::as_str).collect();
    let site = Site::start(&item_refs, Duration::from_millis(400));
    add_source(dir.path(), &format!("{}/feed.xml", site.base), "Slow");

    let mut child = bin()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["watch", "--allow-private", "--no-stories", "--host-delay", "0ms"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pages = |site: &Site| {
        site.hits()
            .iter()
            .filter(|h| h.path.starts_with("/news/"))
            .count()
    };
    let started = Instant::now();
    while pages(&site) < 4 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the watch never got going"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL: no chance to tidy up
    child.wait().unwrap();

    let stored_before: Vec<String> = stdout(&run(dir.path(), &["list", "--json"]))
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["url"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(
        stored_before.len() >= 2,
        "some articles were stored before the kill"
    );
    assert!(stored_before.len() < 6, "the kill came mid-run");

    let tally = watch(dir.path(), &["--host-delay", "0ms"]);
    assert_eq!(article_count(dir.path()), 6, "{tally}");
    for url in &stored_before {
        let path = url.strip_prefix(&site.base).unwrap();
        assert_eq!(
            site.count(path),
            1,
            "{path} was stored before the kill and not fetched again"
        );
    }
}

#[test]
fn sigterm_ends_a_watch_cleanly_with_its_tally() {
    let dir = tempfile::tempdir().unwrap();
    let site = Site::start(&["/news/one"], Duration::ZERO);
    add_source(dir.path(), &format!("{}/feed.xml", site.base), "Term");
    let child = bin()
        .arg("--data-dir")
        .arg(dir.path())
        .args([
            "watch",
            "--json",
            "--allow-private",
            "--no-stories",
            "--host-delay",
            "0ms",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while site.count("/news/one") == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the watch never polled"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "a clean exit after SIGTERM: {:?}",
        out.status
    );
    let tally = json(&out);
    assert_eq!(tally["polls"], 1, "{tally}");
    assert_eq!(tally["stored"], 1, "{tally}");
}

#[test]
fn serve_watch_serves_what_the_watch_fetches() {
    let dir = tempfile::tempdir().unwrap();
    let site = Site::start(&["/news/live"], Duration::ZERO);
    add_source(dir.path(), &format!("{}/feed.xml", site.base), "Live");
    let data_dir = dir.path().to_str().unwrap();
    let server = start(&[
        "--data-dir",
        data_dir,
        "serve",
        "--watch",
        "--allow-private",
        "--host-delay",
        "0ms",
    ]);
    let started = Instant::now();
    loop {
        let body = ureq::get(&format!("{}/api/articles", server.base))
            .call()
            .ok()
            .and_then(|mut r| r.body_mut().read_to_string().ok())
            .unwrap_or_default();
        if body.contains("Report live") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "never served: {body}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(site.count("/news/live"), 1);
}

#[test]
fn a_watched_section_front_leads_to_its_stories() {
    let dir = tempfile::tempdir().unwrap();
    let stories: Vec<String> = (1..=9).map(|i| format!("/news/front-{i}")).collect();
    let paths: Vec<&str> = stories.iter().map(String::as_str).collect();
    let site = Site::start(&paths, Duration::ZERO);
    add_source(dir.path(), &format!("{}/front", site.base), "Front");
    let tally = watch(dir.path(), &["--host-delay", "0ms"]);
    assert_eq!(tally["stored"], 9, "{tally}");
    assert_eq!(article_count(dir.path()), 9, "the front itself is not an article");
    assert_eq!(site.count("/about"), 0, "navigation is not followed");
    let listed = stdout(&run(dir.path(), &["list", "--json"]));
    assert!(listed.contains("Report front-9"), "{listed}");
    assert!(!listed.contains("Harbour news"), "{listed}");
}
