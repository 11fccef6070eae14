//! `storyline ingest` end to end: idempotence, bad input, exit codes, export round trip.

mod common;
use common::*;
use std::io::Write;
use std::process::Stdio;

fn write(dir: &std::path::Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.display().to_string()
}

#[test]
fn ingesting_the_same_inputs_twice_keeps_the_count() {
    let store = tempfile::tempdir().unwrap();
    let inputs = tempfile::tempdir().unwrap();
    write(inputs.path(), "a.jsonl", b"{\"id\":\"a\",\"title\":\"A\",\"text\":\"Alpha text.\"}\n{\"id\":\"b\",\"title\":\"B\",\"text\":\"Beta text.\"}\n");
    write(inputs.path(), "c.md", b"# Gamma\n\nGamma text.\n");
    let dir = inputs.path().to_str().unwrap();
    let first = json(&run(store.path(), &["ingest", "--json", dir]));
    assert_eq!(first["ingested"], 3);
    assert_eq!(article_count(store.path()), 3);
    let second = json(&run(store.path(), &["ingest", "--json", dir]));
    assert_eq!(
        (second["ingested"].as_u64(), second["unchanged"].as_u64()),
        (Some(0), Some(3))
    );
    assert_eq!(article_count(store.path()), 3);
    // A changed text under the same id is an update, not a second copy.
    write(
        inputs.path(),
        "a.jsonl",
        b"{\"id\":\"a\",\"title\":\"A\",\"text\":\"Alpha text, revised.\"}\n",
    );
    let third = json(&run(store.path(), &["ingest", "--json", dir]));
    assert_eq!(third["updated"], 1);
    assert_eq!(article_count(store.path()), 3);
}

#[test]
fn each_bad_input_is_named_and_the_rest_of_the_batch_is_kept() {
    let store = tempfile::tempdir().unwrap();
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let inputs = [
        write(p, "empty.txt", b""),
        write(p, "binary.txt", &[0x89, b'P', b'N', b'G', 0, 0, 0, 13, 0, 1]),
        write(p, "latin1.txt", b"Z\xfcrich caf\xe9 owners said the na\xefve plan would fail, according to the city report.\n"),
        write(p, "mixed.jsonl", b"{\"id\":\"ok1\",\"title\":\"Fine\",\"text\":\"Good record.\"}\n{\"id\":\"bad\",\n{\"id\":\"ok2\",\"text\":\"Untitled record text.\"}\n{\"id\":\"notext\",\"title\":\"Only a title\"}\n"),
        write(p, "big.txt", "Word. ".repeat(400).as_bytes()),
        write(p, "nav.html", b"<html><body><nav><a href='/'>Home</a></nav></body></html>"),
        write(p, "good.html", b"<html><head><title>Good page</title></head><body><article><p>Real article text.</p></article></body></html>"),
    ];
    let mut args = vec!["ingest", "--json", "--max-file-size", "1000"];
    args.extend(inputs.iter().map(String::as_str));
    let o = run(store.path(), &args);
    assert!(o.status.success(), "some articles were ingested: exit 0");
    let s = json(&o);
    assert_eq!(s["ingested"], 4, "{s}");
    let rejected = s["rejected"].as_array().unwrap();
    let find = |name: &str| {
        rejected
            .iter()
            .find(|r| r["input"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("{name} not rejected: {s}"))
            .clone()
    };
    assert!(find("empty.txt")["reason"].as_str().unwrap().contains("empty"));
    assert!(find("binary.txt")["reason"].as_str().unwrap().contains("binary"));
    assert!(find("big.txt")["reason"]
        .as_str()
        .unwrap()
        .contains("over the limit of 1000 bytes"));
    assert!(find("nav.html")["reason"]
        .as_str()
        .unwrap()
        .contains("no article text"));
    let bad_line = rejected
        .iter()
        .find(|r| r["line"] == 2)
        .expect("line 2 of mixed.jsonl");
    assert!(bad_line["reason"].as_str().unwrap().starts_with("invalid JSON"));
    let no_text = rejected
        .iter()
        .find(|r| r["line"] == 4)
        .expect("line 4 of mixed.jsonl");
    assert!(no_text["reason"].as_str().unwrap().contains("field 'text'"));
    assert_eq!(rejected.len(), 6);
    let warnings = s["warnings"].as_array().unwrap();
    assert!(warnings
        .iter()
        .any(|w| w["line"] == 3 && w["reason"].as_str().unwrap().contains("no title")));

    let latin = stdout(&run(store.path(), &["list", "--json"]));
    assert!(latin.contains("Zürich café"), "windows-1252 decoded: {latin}");
}

#[test]
fn nothing_ingestable_exits_non_zero_with_the_reason() {
    let store = tempfile::tempdir().unwrap();
    let d = tempfile::tempdir().unwrap();
    let empty = write(d.path(), "empty.txt", b"   \n");
    let o = run(store.path(), &["ingest", &empty]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("empty.txt: empty input"));
    let o = run(store.path(), &["show", "no-such-id"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no article with id"));
    let o = run(store.path(), &["frobnicate"]);
    assert_eq!(o.status.code(), Some(2), "usage errors exit 2");
}

#[test]
fn stdin_is_an_input() {
    let store = tempfile::tempdir().unwrap();
    let mut child = bin()
        .arg("--data-dir")
        .arg(store.path())
        .args(["ingest", "--json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Wire</title><item><title>Item</title><link>https://w.example/1</link><description>Item text.</description></item></channel></rss>")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(json(&o)["ingested"], 1);
    let list = stdout(&run(store.path(), &["list", "--json"]));
    assert!(list.contains("https://w.example/1") && list.contains("\"source\":\"Wire\""));
}

#[test]
fn export_then_ingest_round_trips_every_field() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "x.txt", b"---\ntitle: Storm hits coast\ndate: 2023-09-11T08:00:00+02:00\nurl: https://n.example/storm\nsource: Example News\nauthor: A. Writer\nstory: storm-1\n---\nA lead paragraph about the storm.\n\nDamage:\n\nRoofs were torn off.\n\nRelated:\n\n- Older storm https://n.example/older\n");
    write(
        d.path(),
        "y.txt",
        b"An untitled article whose first sentence becomes its title. It has more text.\n",
    );
    write(d.path(), "z.jsonl", b"{\"id\":\"rec-1\",\"title\":null,\"text\":\"  Verbatim text.\\nSecond line.\",\"published\":\"26-FEB-1987 15:01:01.79\",\"lang\":\"en\",\"story\":\"s9\",\"topics\":[\"earn\"]}\n");
    assert!(run(a.path(), &["ingest", d.path().to_str().unwrap()])
        .status
        .success());
    let export = d.path().join("export.jsonl");
    assert!(run(
        a.path(),
        &["export", "--format", "jsonl", "-o", export.to_str().unwrap()]
    )
    .status
    .success());
    let o = run(b.path(), &["ingest", "--json", export.to_str().unwrap()]);
    assert_eq!(json(&o)["ingested"], 3, "{}", stdout(&o));
    let again = d.path().join("again.jsonl");
    assert!(run(b.path(), &["export", "-o", again.to_str().unwrap()])
        .status
        .success());
    let first = std::fs::read_to_string(&export).unwrap();
    let second = std::fs::read_to_string(&again).unwrap();
    assert_eq!(first.lines().count(), 3);
    assert_eq!(
        first, second,
        "every field, ingested_at included, survives the round trip"
    );
    assert!(first.contains("\"title_derived\":true") && first.contains("\"story\":\"s9\""));
}

/// Serves one HTML page on 127.0.0.1 for as many requests as come, until the test ends.
fn serve_page(body: &'static str) -> String {
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}/news/page")
}

#[test]
fn urls_are_fetched_only_when_private_addresses_are_allowed() {
    let url = serve_page(
        "<html><head><title>Fetched story</title></head><body><article><p>Text from the web.</p></article></body></html>",
    );
    let store = tempfile::tempdir().unwrap();
    let refused = run(store.path(), &["ingest", "--json", &url]);
    assert_eq!(refused.status.code(), Some(1));
    let s = json(&refused);
    assert!(
        s["rejected"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("non-public address 127.0.0.1"),
        "{s}"
    );

    let o = run(store.path(), &["ingest", "--json", "--allow-private", &url]);
    assert_eq!(json(&o)["ingested"], 1, "{}", stdout(&o));
    let list = stdout(&run(store.path(), &["list", "--json"]));
    assert!(list.contains("Fetched story") && list.contains(&url), "{list}");
}

/// Reuters-21578 records whose optional `published` carries control-code
/// junk (`27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM`) are kept, dated from the
/// readable start, each with a warning; none is rejected.
#[test]
fn records_with_a_malformed_date_are_kept_with_a_warning() {
    let Some(path) = shared("data/corpora/reuters21578.jsonl") else {
        return;
    };
    let malformed: Vec<String> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["published"].as_str().is_some_and(|p| p.contains("&#"))
        })
        .map(String::from)
        .collect();
    assert!(malformed.len() > 300, "{}", malformed.len());
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "reuters-malformed.jsonl",
        (malformed.join("\n") + "\n").as_bytes(),
    );
    let o = run(&dir.path().join("store"), &["ingest", "--json", &file]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = json(&o);
    assert_eq!(summary["rejected"].as_array().unwrap().len(), 0, "{summary}");
    assert_eq!(summary["ingested"], malformed.len());
    let dated = summary["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["reason"].as_str().unwrap().contains("read 1987-"))
        .count();
    assert_eq!(dated, malformed.len(), "every date recovered from its start");
}

/// `extract --json` says what kind of page an HTML page is (the contract's
/// `page_type`); other inputs are articles by what they are and carry none.
#[test]
fn extract_tells_what_kind_of_page_it_read() {
    let store = tempfile::tempdir().unwrap();
    let inputs = tempfile::tempdir().unwrap();
    let para = "<p>The committee met on Tuesday and agreed, after a long debate, to fund the new bridge next year.</p>";
    let page = |head: &str, canonical: &str| {
        format!(
            "<html><head><title>Bridge</title><link rel=\"canonical\" href=\"https://a.example{canonical}\">{head}</head>\
             <body><article>{para}{para}</article></body></html>"
        )
    };
    let cases = [
        (
            "story.html",
            page(
                r#"<meta property="og:type" content="article">"#,
                "/2024/05/02/bridge",
            ),
            "article",
        ),
        (
            "thread.html",
            page(
                r#"<script type="application/ld+json">{"@type":"DiscussionForumPosting","headline":"Bridge"}</script>"#,
                "/t/bridge/17",
            ),
            "forum",
        ),
        ("front.html", page("", "/news/"), "listing"),
        ("guide.html", page("", "/docs/bridges/funding"), "documentation"),
    ];
    // A front page known by its shape, not its address: headlines linking
    // to stories, each with a line of summary.
    let teasers: String = (1..=10)
        .map(|i| {
            format!(
                "<div class=\"card\"><h3><a href=\"/2024/05/0{}/story-{i}\">Council votes on the bridge plan, part {i} of the series</a></h3>\
                 <p>A short summary.</p></div>",
                i % 9 + 1
            )
        })
        .collect();
    let front = format!(
        "<html><head><title>The Example Gazette</title><link rel=\"canonical\" href=\"https://a.example/\"></head>\
         <body><main>{teasers}</main></body></html>"
    );
    let cases: Vec<(&str, String, &str)> = cases
        .into_iter()
        .chain([("home.html", front, "listing")])
        .collect();
    for (name, html, kind) in cases {
        let path = write(inputs.path(), name, html.as_bytes());
        let out = json(&run(store.path(), &["extract", "--json", &path]));
        assert_eq!(out["page_type"], kind, "{name}");
    }
    let text = write(
        inputs.path(),
        "note.txt",
        b"Bridge\n\nThe committee met on Tuesday and agreed to fund it.\n",
    );
    let out = json(&run(store.path(), &["extract", "--json", &text]));
    assert!(out.get("page_type").is_none(), "{out}");
}
