//! `storyline ingest URL` against local HTTP servers on 127.0.0.1: legacy
//! character sets decoded by the HTTP header or the page's meta tag,
//! private addresses refused unless allowed, and a slow server, a redirect
//! loop and a huge body each cut off with a clear reason.

mod common;
use common::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Serves every connection on 127.0.0.1 from a thread with `respond`
/// (given the request's path); returns the base URL and a count of the
/// connections accepted.
fn serve(respond: impl Fn(&str, &mut TcpStream) + Send + Sync + 'static) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    std::thread::spawn(move || {
        let respond = Arc::new(respond);
        for mut stream in listener.incoming().flatten() {
            counter.fetch_add(1, Ordering::SeqCst);
            let respond = respond.clone();
            std::thread::spawn(move || {
                let mut request = [0u8; 8192];
                let n = stream.read(&mut request).unwrap_or(0);
                let head = String::from_utf8_lossy(&request[..n]).into_owned();
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                respond(&path, &mut stream);
            });
        }
    });
    (base, accepted)
}

fn page(stream: &mut TcpStream, content_type: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

/// Cyrillic text in windows-1251 (А..я are 0xC0..0xFF there).
fn windows_1251(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            'А'..='я' => 0xC0 + (c as u32 - 'А' as u32) as u8,
            c if c.is_ascii() => c as u8,
            other => panic!("not in the test's windows-1251 subset: {other}"),
        })
        .collect()
}

/// Text in ISO-8859-1 (one byte per code point below 256).
fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(c as u32).expect("Latin-1"))
        .collect()
}

fn ingest_url(dir: &std::path::Path, url: &str, extra: &[&str]) -> (std::process::Output, serde_json::Value) {
    let mut args = vec!["ingest", url, "--json", "--no-stories"];
    args.extend_from_slice(extra);
    let out = run(dir, &args);
    let summary = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out, summary)
}

fn stored_text(dir: &std::path::Path) -> String {
    let listed = stdout(&run(dir, &["list", "--json"]));
    let id = serde_json::from_str::<serde_json::Value>(listed.lines().next().expect("one article")).unwrap()
        ["id"]
        .as_str()
        .unwrap()
        .to_string();
    json(&run(dir, &["show", &id, "--json"]))["text"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn pages_in_legacy_charsets_are_decoded() {
    let russian = "Москва объявила режим контртеррористической операции после мятежа";
    let french = "Le café de la gare a rouvert après les inondations à Vénissieux, a annoncé la mairie.";
    let (base, _) = serve(move |path, stream| match path {
        // The HTTP header's charset outranks a wrong one in the page.
        "/ru" => page(
            stream,
            "text/html; charset=windows-1251",
            &[
                b"<html><head><meta charset=\"iso-8859-1\"><title>News</title></head><body><article><p>"
                    .as_slice(),
                &windows_1251(russian),
                b"</p></article></body></html>",
            ]
            .concat(),
        ),
        // The charset only in the page.
        _ => page(
            stream,
            "text/html",
            &[
                b"<html><head><meta charset=\"iso-8859-1\"><title>Nouvelles</title></head><body><article><p>"
                    .as_slice(),
                &latin1(french),
                b"</p></article></body></html>",
            ]
            .concat(),
        ),
    });
    for (path, expected) in [("/ru", russian), ("/fr", french)] {
        let dir = tempfile::tempdir().unwrap();
        let (out, summary) = ingest_url(dir.path(), &format!("{base}{path}"), &["--allow-private"]);
        assert!(out.status.success(), "{summary}");
        assert_eq!(summary["ingested"], 1, "{summary}");
        assert_eq!(stored_text(dir.path()), expected);
    }
}

#[test]
fn private_addresses_are_refused_unless_allowed() {
    let (base, accepted) = serve(|_, stream| {
        page(stream, "text/html", b"<html><body><article><p>Internal admin page with secrets inside it.</p></article></body></html>")
    });
    let dir = tempfile::tempdir().unwrap();
    let (out, summary) = ingest_url(dir.path(), &format!("{base}/admin"), &[]);
    assert_eq!(out.status.code(), Some(1), "nothing was ingested");
    let reason = summary["rejected"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("non-public address 127.0.0.1"), "{reason}");
    assert_eq!(accepted.load(Ordering::SeqCst), 0, "refused before connecting");
    let (out, _) = ingest_url(dir.path(), &format!("{base}/admin"), &["--allow-private"]);
    assert!(out.status.success());
}

#[test]
fn a_slow_server_a_redirect_loop_and_a_huge_body_are_cut_off() {
    let (base, _) = serve(|path, stream| match path {
        "/slow" => std::thread::sleep(Duration::from_secs(20)),
        "/loop" => {
            let _ = stream.write_all(
                b"HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
        _ => {
            // 64 MB announced, sent until the client hangs up.
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 67108864\r\nConnection: close\r\n\r\n<html><body><p>",
            );
            let chunk = vec![b'a'; 1 << 20];
            for _ in 0..64 {
                if stream.write_all(&chunk).is_err() {
                    break;
                }
            }
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let (out, summary) = ingest_url(
        dir.path(),
        &format!("{base}/slow"),
        &["--allow-private", "--fetch-timeout", "1"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(started.elapsed() < Duration::from_secs(10), "gave up in time");
    let reason = summary["rejected"][0]["reason"].as_str().unwrap().to_lowercase();
    assert!(
        reason.contains("timeout") || reason.contains("timed out"),
        "{reason}"
    );

    let (out, summary) = ingest_url(dir.path(), &format!("{base}/loop"), &["--allow-private"]);
    assert_eq!(out.status.code(), Some(1));
    let reason = summary["rejected"][0]["reason"].as_str().unwrap().to_lowercase();
    assert!(reason.contains("redirect"), "{reason}");

    let (out, summary) = ingest_url(dir.path(), &format!("{base}/huge"), &["--allow-private"]);
    assert_eq!(out.status.code(), Some(1));
    let reason = summary["rejected"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("larger than"), "{reason}");
}
