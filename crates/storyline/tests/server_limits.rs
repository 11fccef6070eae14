//! The server under hostile requests: a large upload without a token costs
//! nothing, the bearer scheme is case-insensitive, a search repeating one
//! common word is cheap and a search with too many words is refused,
//! `/readyz` tells when pages can be served, and `sources add` refuses the
//! targets polling would refuse.

mod common;
use common::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn status_of(url: &str) -> (u16, String) {
    let mut r = agent()
        .get(url)
        .call()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
}

/// A store of `n` generated articles (the benchmark corpus).
fn generated_store(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let corpus = run(dir.path(), &["bench", "corpus", "--articles", &n.to_string()]);
    assert!(corpus.status.success());
    let file = dir.path().join("corpus.jsonl");
    std::fs::write(&file, &corpus.stdout).unwrap();
    let o = run(
        &dir.path().join("store"),
        &["ingest", "--no-stories", file.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    dir
}

#[test]
fn writes_refuse_before_reading_the_body_and_take_any_case_of_bearer() {
    let store = tempfile::tempdir().unwrap();
    let server = start_writable(store.path(), &[]);
    // Announce 31 MB and send none of it: the answer comes at once.
    let addr = server.base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "POST /api/articles HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-ndjson\r\n\
         Content-Length: 32505856\r\n\r\n"
    )
    .unwrap();
    let started = Instant::now();
    let mut answer = [0u8; 64];
    let n = s.read(&mut answer).expect("an answer before the body is sent");
    let head = String::from_utf8_lossy(&answer[..n]);
    assert!(head.starts_with("HTTP/1.1 401"), "{head}");
    assert!(started.elapsed() < Duration::from_secs(2));

    let body = "{\"id\":\"b1\",\"text\":\"The quay reopened on Monday after repairs.\"}\n";
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let mut r = agent()
            .post(&format!("{}/api/articles", server.base))
            .header("authorization", &format!("{scheme} s3cret"))
            .send(body)
            .unwrap();
        let status = r.status().as_u16();
        assert!(
            status == 201 || status == 200,
            "{scheme}: {status} {}",
            r.body_mut().read_to_string().unwrap()
        );
    }
}

#[test]
fn searches_are_bounded_and_readiness_is_told() {
    let dir = generated_store(3_000);
    let server = start(&["--data-dir", dir.path().join("store").to_str().unwrap(), "serve"]);
    let base = &server.base;
    let (status, _) = status_of(&format!("{base}/healthz"));
    assert_eq!(status, 200, "alive at once");
    let started = Instant::now();
    loop {
        let (status, body) = status_of(&format!("{base}/readyz"));
        if status == 200 {
            break;
        }
        assert_eq!(status, 503, "{body}");
        assert!(started.elapsed() < Duration::from_secs(120), "never ready");
        std::thread::sleep(Duration::from_millis(200));
    }

    // One common word two hundred times: as cheap as saying it once.
    let once = format!("{base}/api/search?q=the");
    let (status, body) = status_of(&once);
    assert_eq!(status, 200, "{body}");
    let repeated = format!("{base}/api/search?q={}", vec!["the"; 200].join("+"));
    let started = Instant::now();
    let (status, repeated_body) = status_of(&repeated);
    assert_eq!(status, 200, "{repeated_body}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    let ids = |body: &str| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&body), ids(&repeated_body), "the same answer");
    for page in ["/search", "/feeds/search.xml"] {
        let (status, _) = status_of(&format!("{base}{page}?q={}", vec!["the"; 200].join("+")));
        assert_eq!(status, 200, "{page}");
    }

    let words: Vec<String> = (0..17).map(|i| format!("w{i}")).collect();
    let (status, body) = status_of(&format!("{base}/api/search?q={}", words.join("+")));
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("17 distinct words") && body.contains("at most 16"),
        "{body}"
    );
}

#[test]
fn sources_add_refuses_what_polling_would_refuse() {
    let dir = tempfile::tempdir().unwrap();
    for url in [
        "http://127.0.0.1:9/feed.xml",
        "http://localhost/feed.xml",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/feed",
        "http://192.168.1.1/rss",
    ] {
        let o = run(dir.path(), &["sources", "add", url]);
        assert_eq!(o.status.code(), Some(1), "{url}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("non-public address") && err.contains("--allow-private"),
            "{url}: {err}"
        );
    }
    let listed = run(dir.path(), &["sources", "list", "--json"]);
    assert!(stdout(&listed).trim().is_empty(), "nothing was added");
    let o = run(
        dir.path(),
        &["sources", "add", "http://127.0.0.1:9/feed.xml", "--allow-private"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn a_write_never_makes_readers_wait_for_the_rebuild() {
    let dir = generated_store(3_000);
    let server = start(&[
        "--data-dir",
        dir.path().join("store").to_str().unwrap(),
        "serve",
        "--api-token",
        "s3cret",
    ]);
    let base = &server.base;
    let started = Instant::now();
    while status_of(&format!("{base}/readyz")).0 != 200 {
        assert!(started.elapsed() < Duration::from_secs(120), "never ready");
        std::thread::sleep(Duration::from_millis(200));
    }
    let listed: serde_json::Value =
        serde_json::from_str(&status_of(&format!("{base}/api/articles?limit=5")).1).unwrap();
    let old = listed["articles"][0]["id"].as_str().unwrap().to_string();
    let body = "{\"id\":\"fresh\",\"title\":\"Fresh article\",\"text\":\"The council approved the new library budget on Tuesday, officials said.\"}\n";
    let mut r = agent()
        .post(&format!("{base}/api/articles"))
        .header("authorization", "Bearer s3cret")
        .send(body)
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        201,
        "{}",
        r.body_mut().read_to_string().unwrap()
    );
    let written = Instant::now();
    // Until the rebuild is done, readers get the data built before, at once.
    let mut slowest = Duration::ZERO;
    let mut reads = 0;
    loop {
        for path in [
            format!("/articles/{old}"),
            format!("/api/articles/{old}/similar"),
            "/".to_string(),
        ] {
            let t = Instant::now();
            let (status, _) = status_of(&format!("{base}{path}"));
            assert_eq!(status, 200, "{path}");
            slowest = slowest.max(t.elapsed());
            reads += 1;
        }
        if status_of(&format!("{base}/api/articles/fresh/similar")).0 == 200 {
            break;
        }
        assert!(
            written.elapsed() < Duration::from_secs(120),
            "the rebuild never ended"
        );
    }
    eprintln!(
        "rebuild after the write took {:.2} s; {reads} reads meanwhile, the slowest {:.0} ms",
        written.elapsed().as_secs_f64(),
        slowest.as_secs_f64() * 1000.0
    );
    assert!(
        slowest < Duration::from_millis(500),
        "a reader waited {slowest:?}"
    );
    // The write was indexed, linked and placed as one article: the
    // server never built an index of the whole store.
    let metrics = status_of(&format!("{base}/metrics")).1;
    let builds = metrics
        .lines()
        .find(|l| l.starts_with("storyline_engine_builds "))
        .unwrap_or_else(|| panic!("no builds counter: {metrics}"));
    assert_eq!(builds, "storyline_engine_builds 0", "{metrics}");
    // Placing follows indexing: the fresh article joins a story soon after.
    loop {
        let fresh: serde_json::Value =
            serde_json::from_str(&status_of(&format!("{base}/api/articles/fresh")).1).unwrap();
        if fresh["story"].is_string() {
            break;
        }
        assert!(
            written.elapsed() < Duration::from_secs(120),
            "the fresh article was never placed: {fresh}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
