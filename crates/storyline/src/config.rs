//! Settings: flags win over `STORYLINE_*` environment variables (clap reads
//! both), which win over the TOML config file, which wins over defaults.
//!
//! The config file is `--config FILE`, or `./storyline.toml` when present:
//!
//! ```toml
//! data_dir = "/var/lib/storyline"
//! store = "postgres://storyline@db.internal/storyline"   # the shared store (default: SQLite in data_dir)
//! addr = "127.0.0.1:8080"
//! batch_size = 500
//! max_file_size = "256MiB"                  # the bounds in README's Limits table
//! max_line_size = "16MiB"
//! max_text_size = "1MiB"
//! max_html_depth = 256
//! max_feed_entries = 10000
//! document_time = "10s"
//! max_body_size = "32MiB"                   # serve: one request body
//! searches_per_client = 2                   # serve: 0 for none (behind a proxy)
//! in_flight_per_core = 4                    # serve: reads worked on at once
//! contact = "https://my.example/crawler"   # watch: sent in the User-Agent
//! host_delay = "1s"                         # watch: least pause between requests to a host
//! fetch_workers = 4                         # watch: fetches at once across hosts
//! ```

use crate::cli::LimitArgs;
use anyhow::{Context, Result};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use storyline_core::{Limit, Limits};

pub const DEFAULT_DATA_DIR: &str = "./storyline-data";
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
pub const DEFAULT_BATCH_SIZE: usize = 500;

/// The config file's settings, all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data_dir: Option<PathBuf>,
    pub store: Option<String>,
    pub addr: Option<SocketAddr>,
    pub batch_size: Option<usize>,
    pub max_file_size: Option<Size>,
    pub max_line_size: Option<Size>,
    pub max_text_size: Option<Size>,
    pub max_html_depth: Option<usize>,
    pub max_feed_entries: Option<usize>,
    pub document_time: Option<String>,
    pub max_body_size: Option<Size>,
    pub searches_per_client: Option<usize>,
    pub in_flight_per_core: Option<u16>,
    pub contact: Option<String>,
    pub host_delay: Option<String>,
    pub fetch_workers: Option<usize>,
}

impl FileConfig {
    /// Reads `explicit`, or `./storyline.toml` if it exists, or nothing.
    pub fn load(explicit: Option<&Path>) -> Result<FileConfig> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => {
                let default = PathBuf::from("storyline.toml");
                if !default.exists() {
                    return Ok(FileConfig::default());
                }
                default
            }
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("config file {}", path.display()))
    }
}

/// A size in the config file: a number of bytes, or text such as "16MiB".
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Size {
    Bytes(u64),
    Text(String),
}

impl Size {
    fn bytes(&self) -> Result<u64, String> {
        match self {
            Size::Bytes(n) => Ok(*n),
            Size::Text(t) => size(t),
        }
    }
}

/// The leading whole number of `spec` and the unit after it (trimmed).
fn number_and_unit(spec: &str) -> Option<(u64, &str)> {
    let split = spec.find(|c: char| !c.is_ascii_digit()).unwrap_or(spec.len());
    let (number, unit) = spec.split_at(split);
    Some((number.parse().ok()?, unit.trim()))
}

/// A size such as `4096`, `64KiB`, `16MiB`, `1GiB` (powers of 1024) or
/// `500kB`, `10MB`, `1GB` (powers of 1000); a bare number is bytes.
pub fn size(spec: &str) -> Result<u64, String> {
    let spec = spec.trim();
    let (n, unit) = number_and_unit(spec).ok_or_else(|| {
        format!("{spec:?}: expected a number of bytes, or one with a unit such as 64KiB, 16MiB or 1GB")
    })?;
    let unit_bytes: u64 = match unit {
        "" | "B" => 1,
        "KiB" | "K" => 1 << 10,
        "MiB" | "M" => 1 << 20,
        "GiB" | "G" => 1 << 30,
        "kB" | "KB" => 1000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        other => {
            return Err(format!(
                "{spec:?}: unknown unit {other:?} (use KiB, MiB, GiB, kB, MB or GB)"
            ))
        }
    };
    n.checked_mul(unit_bytes)
        .ok_or_else(|| format!("{spec:?}: too large"))
}

/// The bounds a run applies: each from its flag or `STORYLINE_*` variable,
/// else the config file, else the default. `body` is `serve`'s
/// `--max-body-size` (other commands take no request bodies).
pub fn limits(args: &LimitArgs, body: Option<u64>, file: &FileConfig) -> Result<Limits> {
    let d = Limits::default();
    let bytes = |flag: Option<u64>, key: &Option<Size>, name: &str, default: u64| -> Result<u64> {
        match (flag, key) {
            (Some(n), _) => Ok(n),
            (None, Some(s)) => s
                .bytes()
                .map_err(|e| anyhow::anyhow!("{name} in the config file: {e}")),
            (None, None) => Ok(default),
        }
    };
    let usize_bytes = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    let document_time = match args.document_time.as_ref().or(file.document_time.as_ref()) {
        Some(spec) => span(spec).map_err(|e| anyhow::anyhow!("document time: {e}"))?,
        None => d.document_time,
    };
    let limits = Limits {
        file_bytes: bytes(
            args.max_file_size,
            &file.max_file_size,
            "max_file_size",
            d.file_bytes,
        )?,
        body_bytes: usize_bytes(bytes(
            body,
            &file.max_body_size,
            "max_body_size",
            d.body_bytes as u64,
        )?),
        line_bytes: usize_bytes(bytes(
            args.max_line_size,
            &file.max_line_size,
            "max_line_size",
            d.line_bytes as u64,
        )?),
        text_bytes: usize_bytes(bytes(
            args.max_text_size,
            &file.max_text_size,
            "max_text_size",
            d.text_bytes as u64,
        )?),
        html_depth: args
            .max_html_depth
            .or(file.max_html_depth)
            .unwrap_or(d.html_depth),
        feed_entries: args
            .max_feed_entries
            .or(file.max_feed_entries)
            .unwrap_or(d.feed_entries),
        document_time,
    };
    for (value, limit) in [
        (limits.file_bytes, Limit::FileBytes),
        (limits.body_bytes as u64, Limit::BodyBytes),
        (limits.line_bytes as u64, Limit::LineBytes),
        (limits.text_bytes as u64, Limit::TextBytes),
        (limits.html_depth as u64, Limit::HtmlDepth),
        (limits.feed_entries as u64, Limit::FeedEntries),
        (limits.document_time.as_millis() as u64, Limit::DocumentTime),
    ] {
        if value == 0 {
            anyhow::bail!("{} ({}) must be more than 0", limit, limit.flag());
        }
    }
    Ok(limits)
}

/// A span such as `500ms`, `30s`, `10m`, `2h`, `1d` or `2w` (a bare number is seconds).
pub fn span(spec: &str) -> Result<Duration, String> {
    let spec = spec.trim();
    let (n, unit) = number_and_unit(spec).ok_or_else(|| {
        format!("{spec:?}: expected a number with a unit, such as 500ms, 30s, 10m, 2h, 1d or 2w")
    })?;
    let unit_secs = match unit {
        "ms" => return Ok(Duration::from_millis(n)),
        "s" | "" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        other => {
            return Err(format!(
                "{spec:?}: unknown unit {other:?} (use ms, s, m, h, d or w)"
            ))
        }
    };
    Ok(Duration::from_secs(n.saturating_mul(unit_secs)))
}

/// The resolved data directory.
/// Where the articles live: the shared PostgreSQL store when one is
/// named (flag or environment, else the config file), else the SQLite file
/// in the data directory. A value that is not a PostgreSQL URL is refused
/// rather than taken for a folder.
pub fn store(flag: Option<&str>, file: &FileConfig) -> Result<Option<String>> {
    let Some(url) = flag.or(file.store.as_deref()) else {
        return Ok(None);
    };
    if !storyline_store::is_postgres_url(url) {
        anyhow::bail!(
            "--store / STORYLINE_STORE / store: {:?} is not a PostgreSQL URL (postgres://user@host:port/database); the embedded store is chosen with --data-dir",
            storyline_store::redacted(url)
        );
    }
    Ok(Some(url.to_string()))
}

pub fn data_dir(flag: Option<&Path>, file: &FileConfig) -> PathBuf {
    flag.map(Path::to_path_buf)
        .or_else(|| file.data_dir.clone())
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR))
}

/// The resolved listen address.
pub fn addr(flag: Option<SocketAddr>, file: &FileConfig) -> SocketAddr {
    flag.or(file.addr)
        .unwrap_or_else(|| DEFAULT_ADDR.parse().expect("valid default"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_binary_and_decimal_units() {
        assert_eq!(size("4096").unwrap(), 4096);
        assert_eq!(size("64KiB").unwrap(), 65_536);
        assert_eq!(size("16MiB").unwrap(), 16 << 20);
        assert_eq!(size("1GB").unwrap(), 1_000_000_000);
        assert!(size("ten").unwrap_err().contains("expected a number"));
        assert!(size("5PB").unwrap_err().contains("unknown unit"));
        assert!(size("99999999999GiB").unwrap_err().contains("too large"));
    }

    #[test]
    fn limits_come_from_flags_then_file_then_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            "max_text_size = \"2MiB\"\nmax_line_size = 1000\nmax_html_depth = 64\ndocument_time = \"3s\"\n",
        )
        .unwrap();
        let file = FileConfig::load(Some(&path)).unwrap();
        let args = LimitArgs {
            max_line_size: Some(500),
            ..LimitArgs::default()
        };
        let l = limits(&args, None, &file).unwrap();
        assert_eq!(l.text_bytes, 2 << 20);
        assert_eq!(l.line_bytes, 500, "the flag wins");
        assert_eq!(l.html_depth, 64);
        assert_eq!(l.document_time, Duration::from_secs(3));
        assert_eq!(l.feed_entries, Limits::default().feed_entries);
        let zero = LimitArgs {
            max_feed_entries: Some(0),
            ..LimitArgs::default()
        };
        let e = limits(&zero, None, &FileConfig::default()).unwrap_err();
        assert!(e.to_string().contains("--max-feed-entries"), "{e}");
        std::fs::write(&path, "max_text_size = \"lots\"\n").unwrap();
        let file = FileConfig::load(Some(&path)).unwrap();
        let e = limits(&LimitArgs::default(), None, &file).unwrap_err();
        assert!(e.to_string().contains("max_text_size in the config file"), "{e}");
    }

    #[test]
    fn spans_take_units() {
        assert_eq!(span("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(span("10m").unwrap(), Duration::from_secs(600));
        assert_eq!(span("2h").unwrap(), Duration::from_secs(7200));
        assert_eq!(span("45").unwrap(), Duration::from_secs(45));
        assert!(span("ten minutes").is_err());
        assert_eq!(span("2w").unwrap(), Duration::from_secs(14 * 86_400));
        assert!(span("5y").unwrap_err().contains("unknown unit"));
    }

    #[test]
    fn flags_win_over_file_over_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "data_dir = \"/from/file\"\naddr = \"127.0.0.1:9000\"\n").unwrap();
        let file = FileConfig::load(Some(&path)).unwrap();
        assert_eq!(data_dir(None, &file), PathBuf::from("/from/file"));
        assert_eq!(data_dir(Some(Path::new("/flag")), &file), PathBuf::from("/flag"));
        assert_eq!(addr(None, &file).port(), 9000);
        assert_eq!(
            data_dir(None, &FileConfig::default()),
            PathBuf::from(DEFAULT_DATA_DIR)
        );
    }

    #[test]
    fn unknown_keys_are_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "data_dri = \"x\"\n").unwrap();
        let err = format!("{:#}", FileConfig::load(Some(&path)).unwrap_err());
        assert!(err.contains("c.toml") && err.contains("data_dri"), "{err}");
    }
}
