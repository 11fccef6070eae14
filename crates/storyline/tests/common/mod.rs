//! Helpers shared by the integration tests: run the real binary on a temporary store.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_storyline"));
    c.env_remove("STORYLINE_DATA_DIR")
        .env_remove("STORYLINE_CONFIG")
        .env_remove("STORYLINE_STORE")
        .arg("--quiet");
    c
}

/// Runs `storyline --data-dir DIR ARGS…` and returns its output.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    bin()
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .output()
        .expect("storyline runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

/// Says a test cannot run because `what` is missing: a message and `None`
/// on a developer's machine, but a failure in CI (`CI=true`), where every
/// test must run (`.ci/run` installs what the tests need).
pub fn missing<T>(what: &str) -> Option<T> {
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("{what} is missing, and in CI no test may skip");
    }
    eprintln!("SKIPPED: {what} is missing");
    None
}

/// The shared folder beside the repository (`../shared`), if it is there.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let root = std::env::var_os("STORYLINE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let p = root.join(rel);
    if p.exists() {
        Some(p)
    } else {
        missing(&format!(
            "{} (set STORYLINE_SHARED to the shared folder)",
            p.display()
        ))
    }
}

pub fn article_count(dir: &Path) -> u64 {
    let o = run(dir, &["list", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    stdout(&o).lines().count() as u64
}

/// `s` percent-encoded for a URL path segment or query value.
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An HTTP agent that returns error statuses instead of failing on them.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// A server process that is killed when the test ends, pass or fail.
pub struct Server {
    pub child: Child,
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `storyline ARGS… --addr 127.0.0.1:0` and waits for its address.
pub fn start(args: &[&str]) -> Server {
    start_in(Path::new("."), args)
}

/// `serve` on the store in `dir` with writes open to the token `s3cret`,
/// and `more` flags.
pub fn start_writable(dir: &Path, more: &[&str]) -> Server {
    let mut args = vec![
        "--data-dir",
        dir.to_str().unwrap(),
        "serve",
        "--api-token",
        "s3cret",
    ];
    args.extend_from_slice(more);
    start(&args)
}

/// Like [`start`], with `cwd` as the server's current folder.
pub fn start_in(cwd: &Path, args: &[&str]) -> Server {
    let mut child = bin()
        .current_dir(cwd)
        .args(args)
        .args(["--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("server printed its address").unwrap();
        if let Some(i) = line.find("http://") {
            break line[i..]
                .split_whitespace()
                .next()
                .unwrap()
                .trim_end_matches('/')
                .to_string();
        }
    };
    Server { child, base }
}
