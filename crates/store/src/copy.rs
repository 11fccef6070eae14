//! Moving a whole store between backends: SQLite to PostgreSQL and back.
//!
//! Owns the list of tables the two schemas share (they mirror each other
//! column for column), copying their rows as they are — change numbers,
//! placements, story history with its times, linked entities, watched
//! sources and what was fetched — and the checksums that show a copy is
//! whole. It does not own either schema (`migrations`, `pg::schema`) nor
//! anything derived outside the store (each process's on-disk index is
//! built from the copy).
//!
//! The copy is one transaction on the target, which must be empty: a copy
//! that fails leaves nothing behind.

use crate::{PgStore, SqliteStore, StoreError};
use postgres::fallible_iterator::FallibleIterator;
use rusqlite::types::ValueRef;
use xxhash_rust::xxh3::Xxh3;

/// A column's type, as both databases hold it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// INTEGER in SQLite; BIGINT, INTEGER or SMALLINT in PostgreSQL.
    Int(PgInt),
    Text,
    Bytes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PgInt {
    Big,
    Int,
    Small,
}

use Kind::{Bytes, Int, Text};
const BIG: Kind = Int(PgInt::Big);

/// One shared table: its name, columns, and the filter that leaves out
/// rows only one backend has.
struct Table {
    name: &'static str,
    columns: &'static [(&'static str, Kind)],
    only: &'static str,
}

/// Every table the two stores share, parents before the rows naming them.
const TABLES: &[Table] = &[
    Table {
        name: "store_meta",
        columns: &[("key", Text), ("value", BIG)],
        // The schema version and PostgreSQL's lock rows are each store's own.
        only: "key IN ('generation', 'seq', 'unsummarised')",
    },
    Table {
        name: "articles",
        columns: &[
            ("id", Text),
            ("url", Text),
            ("canonical_url", Text),
            ("source", Text),
            ("title", Text),
            ("published", Text),
            ("published_sort", Text),
            ("content_hash", Text),
            ("ingested_at", Text),
            ("updated_at", Text),
            ("doc", Text),
            ("seq", BIG),
        ],
        only: "",
    },
    Table {
        name: "analyses",
        columns: &[("article_id", Text), ("key", Text), ("json", Text)],
        only: "",
    },
    Table {
        name: "engine_progress",
        columns: &[("component", Text), ("seq", BIG), ("fingerprint", Text)],
        only: "",
    },
    Table {
        name: "story_members",
        columns: &[("article_id", Text), ("story_id", Text), ("placed", BIG)],
        only: "",
    },
    Table {
        name: "story_events",
        columns: &[
            ("seq", BIG),
            ("at", Text),
            ("kind", Text),
            ("story_id", Text),
            ("other_story_id", Text),
            ("articles", BIG),
        ],
        only: "",
    },
    Table {
        name: "stories",
        columns: &[
            ("story_id", Text),
            ("first_day", Int(PgInt::Int)),
            ("last_day", Int(PgInt::Int)),
            ("last_seen", Text),
            ("last_placed", BIG),
            ("names", Text),
            ("summary", Text),
        ],
        only: "",
    },
    Table {
        name: "entity_terms",
        columns: &[("article_id", Text), ("terms", Text)],
        only: "",
    },
    Table {
        name: "linked_entities",
        columns: &[
            ("idx", BIG),
            ("entity_id", Text),
            ("name", Text),
            ("kind", Text),
            ("record", Text),
            ("articles", BIG),
            ("mentions", BIG),
        ],
        only: "",
    },
    Table {
        name: "linker_keys",
        columns: &[("map", Int(PgInt::Small)), ("key", Text), ("value", Text)],
        only: "",
    },
    Table {
        name: "entity_articles",
        columns: &[
            ("entity_idx", BIG),
            ("article_id", Text),
            ("seq", BIG),
            ("position", Int(PgInt::Int)),
            ("mentions", BIG),
            ("detail", Text),
        ],
        only: "",
    },
    Table {
        name: "watched_sources",
        columns: &[
            ("url", Text),
            ("name", Text),
            ("interval_secs", BIG),
            ("added_at", Text),
            ("etag", Text),
            ("last_modified", Text),
            ("last_polled", Text),
            ("next_due", Text),
            ("errors", BIG),
            ("last_error", Text),
        ],
        only: "",
    },
    Table {
        name: "fetched_urls",
        columns: &[
            ("url", Text),
            ("fetched_at", Text),
            ("outcome", Text),
            ("article_id", Text),
            ("note", Text),
        ],
        only: "",
    },
    Table {
        name: "robots_files",
        columns: &[("origin", Text), ("body", Bytes), ("fetched_at", Text)],
        only: "",
    },
];

/// A value of a shared column.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

impl Table {
    fn select(&self) -> String {
        let names: Vec<&str> = self.columns.iter().map(|c| c.0).collect();
        let filter = if self.only.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.only)
        };
        format!("SELECT {} FROM {}{filter}", names.join(", "), self.name)
    }

    fn insert(&self, placeholder: impl Fn(usize) -> String) -> String {
        let names: Vec<&str> = self.columns.iter().map(|c| c.0).collect();
        let marks: Vec<String> = (1..=self.columns.len()).map(placeholder).collect();
        let upsert = if self.name == "store_meta" {
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        } else {
            ""
        };
        format!(
            "INSERT INTO {} ({}) VALUES ({}){upsert}",
            self.name,
            names.join(", "),
            marks.join(", ")
        )
    }
}

/// What was copied of one table: rows and checksums on each side.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableCopy {
    pub table: String,
    pub source_rows: u64,
    pub target_rows: u64,
    /// An order-free checksum of the rows (xxh3 of each, summed), so the
    /// two sides compare whatever order their database returns rows in.
    pub source_checksum: String,
    pub target_checksum: String,
}

impl TableCopy {
    fn of(table: &Table, source: &Tally, target: &Tally) -> TableCopy {
        TableCopy {
            table: table.name.to_string(),
            source_rows: source.rows,
            target_rows: target.rows,
            source_checksum: source.checksum(),
            target_checksum: target.checksum(),
        }
    }

    /// Whether both sides hold the same rows.
    pub fn matches(&self) -> bool {
        self.source_rows == self.target_rows && self.source_checksum == self.target_checksum
    }
}

/// Rows counted and hashed as they are read.
#[derive(Default)]
struct Tally {
    rows: u64,
    sum: u128,
}

impl Tally {
    fn add(&mut self, row: &[Value]) {
        let mut h = Xxh3::new();
        for v in row {
            match v {
                Value::Null => h.update(&[0]),
                Value::Int(i) => {
                    h.update(&[1]);
                    h.update(&i.to_le_bytes());
                }
                Value::Text(s) => {
                    h.update(&[2]);
                    h.update(&(s.len() as u64).to_le_bytes());
                    h.update(s.as_bytes());
                }
                Value::Bytes(b) => {
                    h.update(&[3]);
                    h.update(&(b.len() as u64).to_le_bytes());
                    h.update(b);
                }
            }
        }
        self.rows += 1;
        self.sum = self.sum.wrapping_add(h.digest128());
    }

    fn checksum(&self) -> String {
        format!("{:032x}", self.sum)
    }
}

fn sqlite_row(row: &rusqlite::Row<'_>, table: &Table) -> rusqlite::Result<Vec<Value>> {
    (0..table.columns.len())
        .map(|i| {
            Ok(match row.get_ref(i)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(n) => Value::Int(n),
                ValueRef::Real(f) => Value::Text(f.to_string()),
                ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
            })
        })
        .collect()
}

fn pg_row(row: &postgres::Row, table: &Table) -> Result<Vec<Value>, postgres::Error> {
    table
        .columns
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| {
            Ok(match kind {
                Int(PgInt::Big) => row.try_get::<_, Option<i64>>(i)?.map_or(Value::Null, Value::Int),
                Int(PgInt::Int) => row
                    .try_get::<_, Option<i32>>(i)?
                    .map_or(Value::Null, |n| Value::Int(n.into())),
                Int(PgInt::Small) => row
                    .try_get::<_, Option<i16>>(i)?
                    .map_or(Value::Null, |n| Value::Int(n.into())),
                Text => row
                    .try_get::<_, Option<String>>(i)?
                    .map_or(Value::Null, Value::Text),
                Bytes => row
                    .try_get::<_, Option<Vec<u8>>>(i)?
                    .map_or(Value::Null, Value::Bytes),
            })
        })
        .collect()
}

/// The parameters of one row for a PostgreSQL insert, typed per column.
fn pg_params(
    row: &[Value],
    table: &Table,
) -> Result<Vec<Box<dyn postgres::types::ToSql + Sync>>, StoreError> {
    row.iter()
        .zip(table.columns)
        .map(|(v, (column, kind))| {
            let bad = || StoreError::CopyValue {
                table: table.name.to_string(),
                column: column.to_string(),
                value: format!("{v:?}").chars().take(80).collect(),
            };
            let p: Box<dyn postgres::types::ToSql + Sync> = match (kind, v) {
                (Int(PgInt::Big), Value::Int(n)) => Box::new(Some(*n)),
                (Int(PgInt::Big), Value::Null) => Box::new(None::<i64>),
                (Int(PgInt::Int), Value::Int(n)) => Box::new(Some(i32::try_from(*n).map_err(|_| bad())?)),
                (Int(PgInt::Int), Value::Null) => Box::new(None::<i32>),
                (Int(PgInt::Small), Value::Int(n)) => Box::new(Some(i16::try_from(*n).map_err(|_| bad())?)),
                (Int(PgInt::Small), Value::Null) => Box::new(None::<i16>),
                (Text, Value::Text(s)) => Box::new(Some(s.clone())),
                (Text, Value::Null) => Box::new(None::<String>),
                (Bytes, Value::Bytes(b)) => Box::new(Some(b.clone())),
                (Bytes, Value::Text(s)) => Box::new(Some(s.clone().into_bytes())),
                (Bytes, Value::Null) => Box::new(None::<Vec<u8>>),
                _ => return Err(bad()),
            };
            Ok(p)
        })
        .collect()
}

fn sqlite_params(row: &[Value]) -> Vec<rusqlite::types::Value> {
    row.iter()
        .map(|v| match v {
            Value::Null => rusqlite::types::Value::Null,
            Value::Int(n) => rusqlite::types::Value::Integer(*n),
            Value::Text(s) => rusqlite::types::Value::Text(s.clone()),
            Value::Bytes(b) => rusqlite::types::Value::Blob(b.clone()),
        })
        .collect()
}

/// Copies every shared table of `from` into the empty PostgreSQL store `to`.
pub fn sqlite_to_postgres(from: &SqliteStore, to: &PgStore) -> Result<Vec<TableCopy>, StoreError> {
    let mut client = to.client.borrow_mut();
    let mut tx = client.transaction()?;
    let held: i64 = tx.query_one("SELECT COUNT(*) FROM articles", &[])?.get(0);
    if held > 0 {
        return Err(StoreError::TargetNotEmpty {
            target: to.url(),
            articles: held as u64,
        });
    }
    tx.batch_execute("LOCK TABLE articles IN EXCLUSIVE MODE")?;
    let read = from.conn.unchecked_transaction()?;
    let mut copies = Vec::new();
    for table in TABLES {
        let insert = tx.prepare(&table.insert(|i| format!("${i}")))?;
        let mut source = Tally::default();
        let mut select = read.prepare(&table.select())?;
        let mut rows = select.query([])?;
        while let Some(row) = rows.next()? {
            let values = sqlite_row(row, table)?;
            source.add(&values);
            let params = pg_params(&values, table)?;
            let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = params.iter().map(|p| p.as_ref()).collect();
            tx.execute(&insert, &refs)?;
        }
        let mut target = Tally::default();
        for row in tx.query(&table.select(), &[])? {
            target.add(&pg_row(&row, table)?);
        }
        copies.push(TableCopy::of(table, &source, &target));
    }
    // The history's own numbering goes on after the copied events.
    tx.batch_execute(
        "SELECT setval(pg_get_serial_sequence('story_events', 'seq'),
                       COALESCE((SELECT MAX(seq) FROM story_events), 0) + 1, false)",
    )?;
    read.finish()?;
    tx.commit()?;
    Ok(copies)
}

/// Copies every shared table of the PostgreSQL store `from` into the empty
/// SQLite store `to`, and indexes the articles' text for search there.
pub fn postgres_to_sqlite(from: &PgStore, to: &mut SqliteStore) -> Result<Vec<TableCopy>, StoreError> {
    let mut client = from.client.borrow_mut();
    // One snapshot of the source, however long the copy takes.
    let mut read = client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let target_name = to.path().display().to_string();
    let tx = to.write()?;
    let held: i64 = tx.query_row("SELECT COUNT(*) FROM articles", [], |r| r.get(0))?;
    if held > 0 {
        return Err(StoreError::TargetNotEmpty {
            target: target_name,
            articles: held as u64,
        });
    }
    let mut copies = Vec::new();
    for table in TABLES {
        let mut source = Tally::default();
        {
            let mut insert = tx.prepare(
                &table
                    .insert(|i| format!("?{i}"))
                    .replace("INSERT INTO", "INSERT OR REPLACE INTO"),
            )?;
            let mut rows = read.query_raw(table.select().as_str(), std::iter::empty::<i64>())?;
            while let Some(row) = rows.next()? {
                let values = pg_row(&row, table)?;
                source.add(&values);
                insert.execute(rusqlite::params_from_iter(sqlite_params(&values)))?;
            }
        }
        let mut target = Tally::default();
        {
            let mut select = tx.prepare(&table.select())?;
            let mut rows = select.query([])?;
            while let Some(row) = rows.next()? {
                target.add(&sqlite_row(row, table)?);
            }
        }
        copies.push(TableCopy::of(table, &source, &target));
    }
    tx.execute_batch(
        "INSERT INTO articles_fts (rowid, title, text)
             SELECT rowid, title, json_extract(doc, '$.text') FROM articles;",
    )?;
    tx.commit()?;
    read.commit()?;
    Ok(copies)
}
