//! PostgreSQL schema versions. Each migration runs once, in its own
//! transaction, under an advisory lock (workers starting together migrate
//! once), and records its number in `store_meta.schema_version`; a
//! database newer than this code is refused rather than misread.
//!
//! The tables mirror the SQLite store's (`crate::migrations`) so that a
//! store moves between the two row for row. Text that is sorted or
//! compared for paging is `COLLATE "C"`: byte order, as in SQLite,
//! whatever the database's locale, so cursors mean the same in both.

pub const MIGRATIONS: &[&str] = &[
    // 1: everything the SQLite store holds at its version 13.
    r#"CREATE TABLE store_meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
    -- `seq`: the change sequence, whose row a writer locks for its whole
    -- transaction (see `articles::upsert_in`); `placing`: locked while
    -- story decisions are written, so placements are numbered in order.
    INSERT INTO store_meta (key, value) VALUES
        ('generation', 0), ('seq', 0), ('unsummarised', 0), ('placing', 0);
    CREATE TABLE articles (
        id TEXT COLLATE "C" PRIMARY KEY,
        url TEXT,
        canonical_url TEXT,
        source TEXT COLLATE "C",
        title TEXT NOT NULL,
        published TEXT,
        published_sort TEXT COLLATE "C" NOT NULL,
        content_hash TEXT NOT NULL,
        ingested_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        doc TEXT NOT NULL,
        seq BIGINT NOT NULL,
        -- Title words weigh as SQLite's ranking weighs them (A), the text
        -- as D; the text is cut to its first 256 KiB so that no article
        -- can exceed a tsvector's 1 MB.
        search tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('english', title), 'A') ||
            setweight(to_tsvector('english', left(coalesce((doc::json)->>'text', ''), 262144)), 'D')
        ) STORED
    );
    CREATE INDEX articles_by_date ON articles (published_sort DESC, id DESC);
    CREATE INDEX articles_by_url ON articles (canonical_url);
    CREATE INDEX articles_by_hash ON articles (content_hash);
    CREATE INDEX articles_by_source ON articles (source, published_sort DESC, id DESC);
    CREATE UNIQUE INDEX articles_by_seq ON articles (seq);
    CREATE INDEX articles_search ON articles USING GIN (search);
    CREATE TABLE analyses (
        article_id TEXT COLLATE "C" PRIMARY KEY,
        key TEXT NOT NULL,
        json TEXT NOT NULL
    );
    CREATE TABLE engine_progress (
        component TEXT PRIMARY KEY,
        seq BIGINT NOT NULL,
        fingerprint TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE story_members (
        article_id TEXT COLLATE "C" PRIMARY KEY,
        story_id TEXT COLLATE "C" NOT NULL,
        placed BIGINT NOT NULL
    );
    CREATE INDEX story_members_by_story ON story_members (story_id, placed, article_id);
    CREATE INDEX story_members_by_placed ON story_members (placed);
    CREATE TABLE story_events (
        seq BIGSERIAL PRIMARY KEY,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        story_id TEXT COLLATE "C" NOT NULL,
        other_story_id TEXT COLLATE "C" NOT NULL,
        articles BIGINT NOT NULL
    );
    CREATE INDEX story_events_by_story ON story_events (story_id);
    CREATE INDEX story_events_by_other ON story_events (other_story_id);
    CREATE TABLE stories (
        story_id TEXT COLLATE "C" PRIMARY KEY,
        first_day INTEGER,
        last_day INTEGER,
        last_seen TEXT COLLATE "C" NOT NULL DEFAULT '',
        last_placed BIGINT NOT NULL,
        names TEXT NOT NULL,
        summary TEXT NOT NULL
    );
    CREATE INDEX stories_by_last_day ON stories (last_day);
    CREATE INDEX stories_by_last_seen ON stories (last_seen DESC, story_id);
    CREATE INDEX stories_by_last_placed ON stories (last_placed);
    CREATE TABLE entity_terms (
        article_id TEXT COLLATE "C" PRIMARY KEY,
        terms TEXT NOT NULL
    );
    CREATE TABLE linked_entities (
        idx BIGINT PRIMARY KEY,
        entity_id TEXT COLLATE "C" NOT NULL UNIQUE,
        name TEXT COLLATE "C" NOT NULL,
        kind TEXT NOT NULL,
        record TEXT NOT NULL,
        articles BIGINT NOT NULL DEFAULT 0,
        mentions BIGINT NOT NULL DEFAULT 0
    );
    CREATE INDEX linked_entities_by_reach ON linked_entities (articles DESC, mentions DESC, name, idx);
    CREATE TABLE linker_keys (
        map SMALLINT NOT NULL,
        key TEXT COLLATE "C" NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (map, key)
    );
    CREATE TABLE entity_articles (
        entity_idx BIGINT NOT NULL,
        article_id TEXT COLLATE "C" NOT NULL,
        seq BIGINT NOT NULL,
        position INTEGER NOT NULL,
        mentions BIGINT NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE INDEX entity_articles_by_article ON entity_articles (article_id, position);
    CREATE INDEX entity_articles_in_order ON entity_articles (entity_idx, seq);
    CREATE TABLE watched_sources (
        url TEXT COLLATE "C" PRIMARY KEY,
        name TEXT,
        interval_secs BIGINT NOT NULL,
        added_at TEXT COLLATE "C" NOT NULL,
        etag TEXT,
        last_modified TEXT,
        last_polled TEXT,
        next_due TEXT,
        errors BIGINT NOT NULL DEFAULT 0,
        last_error TEXT
    );
    CREATE UNIQUE INDEX watched_sources_by_name ON watched_sources (name) WHERE name IS NOT NULL;
    CREATE TABLE fetched_urls (
        url TEXT PRIMARY KEY,
        fetched_at TEXT NOT NULL,
        outcome TEXT NOT NULL,
        article_id TEXT,
        note TEXT
    );
    CREATE TABLE robots_files (
        origin TEXT PRIMARY KEY,
        body BYTEA,
        fetched_at TEXT NOT NULL
    );"#,
];
