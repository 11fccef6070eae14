//! A throwaway PostgreSQL server for tests.
//!
//! Owns finding the PostgreSQL binaries, creating a cluster in a temporary
//! folder, starting it on a free port of 127.0.0.1 (and a socket in that
//! folder, never the system's), handing out one fresh database per test,
//! and stopping the server when the last user drops it. It does not know
//! storyline's schema: the store under test migrates its own database.
//!
//! `initdb` refuses to run as root, so as root the cluster is made and run
//! as the `postgres` user (which Debian's package creates); as anyone else,
//! as that user. Should the test process die without dropping the server,
//! PostgreSQL notices its lock file gone with the temporary folder and
//! shuts down on its own within a minute.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, Weak};

/// Why a test server could not be had.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No PostgreSQL server binaries on this machine.
    #[error(
        "PostgreSQL's server binaries (initdb, pg_ctl) are missing: install Debian's `postgresql` package"
    )]
    Missing,
    #[error("cannot prepare the test cluster's folder: {0}")]
    Io(#[from] std::io::Error),
    #[error("`{command}` failed: {output}")]
    Command { command: String, output: String },
}

/// A running test server. Dropping it stops the server and deletes its folder.
pub struct TestPostgres {
    bin: PathBuf,
    /// Run as this user (when the tests run as root).
    user: Option<&'static str>,
    port: u16,
    folder: tempfile::TempDir,
}

/// The server the tests of one process share, while any of them holds it.
static SHARED: Mutex<Weak<TestPostgres>> = Mutex::new(Weak::new());

/// The shared server for a test, or `None` with a message when PostgreSQL
/// is not installed, except in CI (`CI=true`), where every test must run
/// (`.ci/run` installs it) and a missing server fails the test. Any other
/// failure to start fails the test, with the reason.
pub fn for_test() -> Option<Arc<TestPostgres>> {
    match TestPostgres::shared() {
        Ok(server) => Some(server),
        Err(Error::Missing) if !in_ci() => {
            eprintln!("SKIPPED: {}", Error::Missing);
            None
        }
        Err(e) => panic!("no test PostgreSQL: {e}"),
    }
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

impl TestPostgres {
    /// The server shared by the tests running now in this process, started
    /// when none is running: a cluster takes a second or two to start, a
    /// database on it milliseconds.
    pub fn shared() -> Result<Arc<TestPostgres>, Error> {
        let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(running) = shared.upgrade() {
            return Ok(running);
        }
        let started = Arc::new(TestPostgres::start()?);
        *shared = Arc::downgrade(&started);
        Ok(started)
    }

    /// Creates a cluster in a temporary folder and starts it.
    pub fn start() -> Result<TestPostgres, Error> {
        let bin = binaries().ok_or(Error::Missing)?;
        let user = is_root().then_some("postgres");
        let folder = tempfile::Builder::new().prefix("storyline-pg-").tempdir()?;
        if let Some(user) = user {
            run(Command::new("chown").arg(user).arg(folder.path()))?;
        }
        let data = folder.path().join("data");
        let mut server = TestPostgres {
            bin,
            user,
            port: 0,
            folder,
        };
        run(server
            .tool("initdb")
            .arg("-D")
            .arg(&data)
            .args(["-A", "trust", "-U", "storyline", "-E", "UTF8", "--locale=C"])
            .arg("--no-sync"))?;
        // A port free now; another process could take it before the server
        // does, in which case starting fails and is tried on another.
        let mut last = None;
        for _ in 0..5 {
            server.port = free_port()?;
            let options = format!(
                "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                server.port,
                server.folder.path().display()
            );
            let started = run(server
                .tool("pg_ctl")
                .arg("-D")
                .arg(&data)
                .args(["-o", &options, "-w", "-t", "60", "-l"])
                .arg(server.folder.path().join("server.log"))
                .arg("start"));
            match started {
                Ok(_) => {
                    server.watch_this_process();
                    return Ok(server);
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.expect("tried at least once"))
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A connection URL for database `name`.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://storyline@127.0.0.1:{}/{name}", self.port)
    }

    /// Creates a new, empty database and returns its URL: each test gets
    /// its own, so tests sharing the server cannot see each other's rows.
    pub fn database(&self, hint: &str) -> Result<String, Error> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let cleaned: String = hint
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(40)
            .collect::<String>()
            .to_ascii_lowercase();
        let name = format!(
            "t{}_{}_{cleaned}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        run(self
            .tool("createdb")
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "storyline"])
            .arg(&name))?;
        Ok(self.url(&name))
    }

    /// The server's log so far (for a failing test's message).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.folder.path().join("server.log")).unwrap_or_default()
    }

    /// Starts a watchdog that stops the server and deletes its folder once
    /// this process is gone, however it ended: a test run killed by a
    /// timeout or a signal drops nothing, and would leave a server behind.
    fn watch_this_process(&self) {
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf '{folder}'",
            pid = std::process::id(),
            stop = shell_words(&self.stop_command()),
            folder = self.folder.path().display(),
        );
        let _ = Command::new("sh")
            .args(["-c", &script])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }

    /// `pg_ctl stop` for this server, immediately: test data is thrown away.
    fn stop_command(&self) -> Command {
        let mut c = self.tool("pg_ctl");
        c.arg("-D")
            .arg(self.folder.path().join("data"))
            .args(["-m", "immediate", "-w", "stop"]);
        c
    }

    fn tool(&self, name: &str) -> Command {
        let program = self.bin.join(name);
        match self.user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(program);
                c
            }
            None => Command::new(program),
        }
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        let _ = self.stop_command().output();
    }
}

/// The folder holding `initdb` and `pg_ctl`: `STORYLINE_PG_BIN`, else
/// Debian's versioned folders (newest first), else the `PATH`.
fn binaries() -> Option<PathBuf> {
    let has = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os("STORYLINE_PG_BIN").map(PathBuf::from) {
        return has(&dir).then_some(dir);
    }
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|d| has(d))
        .collect();
    debian.sort_by_key(|d| {
        let version = d
            .parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str()?.parse::<u32>().ok());
        std::cmp::Reverse(version)
    });
    if let Some(dir) = debian.into_iter().next() {
        return Some(dir);
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .find(|d| has(d))
}

/// `command` as one line for `sh`, each word in single quotes (the paths
/// here are ours: a temporary folder and the PostgreSQL binaries).
fn shell_words(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|w| format!("'{}'", w.to_string_lossy().replace('\'', "'\\''")))
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn run(command: &mut Command) -> Result<Output, Error> {
    let output = command.output()?;
    if output.status.success() {
        return Ok(output);
    }
    Err(Error::Command {
        command: format!("{command:?}"),
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_is_made_and_the_server_stops_when_dropped() {
        let server = match TestPostgres::start() {
            Ok(s) => s,
            Err(Error::Missing) if !in_ci() => {
                eprintln!("SKIPPED: {}", Error::Missing);
                return;
            }
            Err(e) => panic!("{e}"),
        };
        let a = server.database("one").unwrap();
        let b = server.database("one").unwrap();
        assert_ne!(a, b, "each call makes its own database");
        let port = server.port();
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
        drop(server);
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
            "stopped"
        );
    }
}
