//! Settings: flags win over `STORYLINE_*` environment variables (clap reads
//! both), which win over the TOML config file, which wins over defaults.
//!
//! The config file is `--config FILE`, or `./storyline.toml` when present:
//!
//! ```toml
//! data_dir = "/var/lib/storyline"
//! addr = "127.0.0.1:8080"
//! max_file_size = 268435456
//! batch_size = 500
//! contact = "https://my.example/crawler"   # watch: sent in the User-Agent
//! host_delay = "1s"                         # watch: least pause between requests to a host
//! fetch_workers = 4                         # watch: fetches at once across hosts
//! ```

use anyhow::{Context, Result};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const DEFAULT_DATA_DIR: &str = "./storyline-data";
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
pub const DEFAULT_BATCH_SIZE: usize = 500;

/// The config file's settings, all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data_dir: Option<PathBuf>,
    pub addr: Option<SocketAddr>,
    pub max_file_size: Option<u64>,
    pub batch_size: Option<usize>,
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

/// A span such as `500ms`, `30s`, `10m`, `2h`, `1d` or `2w` (a bare number is seconds).
pub fn span(spec: &str) -> Result<Duration, String> {
    let spec = spec.trim();
    let split = spec.find(|c: char| !c.is_ascii_digit()).unwrap_or(spec.len());
    let (number, unit) = spec.split_at(split);
    let n: u64 = number.parse().map_err(|_| {
        format!("{spec:?}: expected a number with a unit, such as 500ms, 30s, 10m, 2h, 1d or 2w")
    })?;
    let unit_secs = match unit.trim() {
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
