//! `storyline migrate`: a whole store from SQLite to PostgreSQL or back.

use crate::cli::MigrateArgs;
use anyhow::{bail, Context as _, Result};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use storyline_store::copy::{self, TableCopy};
use storyline_store::{is_postgres_url, redacted, PgStore, SqliteStore};

pub fn run(args: &MigrateArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let copies = match (is_postgres_url(&args.from), is_postgres_url(&args.to)) {
        (false, true) => {
            let from = open_existing_dir(&args.from)?;
            let to = PgStore::open(&args.to)?;
            copy::sqlite_to_postgres(&from, &to)
        }
        (true, false) => {
            let from = PgStore::open(&args.from)?;
            let mut to = SqliteStore::open(Path::new(&args.to))
                .with_context(|| format!("cannot open the store in {}", args.to))?;
            copy::postgres_to_sqlite(&from, &mut to)
        }
        _ => bail!(
            "--from and --to must be one data directory and one postgres:// URL (got {} and {})",
            redacted(&args.from),
            redacted(&args.to)
        ),
    }
    .with_context(|| format!("copying {} to {}", redacted(&args.from), redacted(&args.to)))?;
    let whole = copies.iter().all(TableCopy::matches);
    if args.json {
        serde_json::to_writer(
            &mut *out,
            &serde_json::json!({
                "from": redacted(&args.from),
                "to": redacted(&args.to),
                "tables": copies,
                "matches": whole,
            }),
        )?;
        writeln!(out)?;
    } else {
        writeln!(out, "{:<16} {:>10} {:>10}  checksum", "table", "from", "to")?;
        for c in &copies {
            let checksum = if c.matches() {
                format!("{} (same)", &c.source_checksum[..16])
            } else {
                format!("{} ≠ {}", &c.source_checksum[..16], &c.target_checksum[..16])
            };
            writeln!(
                out,
                "{:<16} {:>10} {:>10}  {checksum}",
                c.table, c.source_rows, c.target_rows
            )?;
        }
        writeln!(
            out,
            "{}",
            if whole {
                "every table copied whole"
            } else {
                "the copy differs from its source"
            }
        )?;
    }
    Ok(if whole {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The SQLite store in `dir`, which must exist: a mistyped source is an
/// error, not an empty store to copy.
fn open_existing_dir(dir: &str) -> Result<SqliteStore> {
    let path = Path::new(dir);
    if !path.join(storyline_store::DB_FILE).is_file() {
        bail!("{dir} holds no storyline store (no {})", storyline_store::DB_FILE);
    }
    SqliteStore::open(path).with_context(|| format!("cannot open the store in {dir}"))
}
