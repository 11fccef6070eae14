//! Schema versions. Each migration runs once, in its own transaction, and
//! bumps `PRAGMA user_version`; a store newer than this code is refused
//! rather than misread.

pub const MIGRATIONS: &[&str] = &[
    // 1: articles, with the full article as JSON and the columns that are queried.
    "CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        url TEXT,
        canonical_url TEXT,
        source TEXT,
        title TEXT NOT NULL,
        published TEXT,
        published_sort TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        ingested_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        doc TEXT NOT NULL
    );
    CREATE INDEX articles_by_date ON articles (published_sort DESC, id DESC);
    CREATE INDEX articles_by_url ON articles (canonical_url);
    CREATE INDEX articles_by_hash ON articles (content_hash);
    CREATE TABLE store_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT INTO store_meta (key, value) VALUES ('generation', 0);",
    // 2: which story each article joined, in the order they were placed.
    "CREATE TABLE story_members (
        article_id TEXT PRIMARY KEY,
        story_id TEXT NOT NULL,
        placed INTEGER NOT NULL
    );
    CREATE INDEX story_members_by_story ON story_members (story_id, placed);",
    // 3: merges and splits of stories, so a story that changes shape says so.
    "CREATE TABLE story_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        story_id TEXT NOT NULL,
        other_story_id TEXT NOT NULL,
        articles INTEGER NOT NULL
    );
    CREATE INDEX story_events_by_story ON story_events (story_id);
    CREATE INDEX story_events_by_other ON story_events (other_story_id);",
    // 4: full-text search over titles and texts (SQLite FTS5, Porter stems),
    // keyed by the article's rowid and written in the upsert's transaction.
    "CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, tokenize = 'porter unicode61 remove_diacritics 2');
    INSERT INTO articles_fts (rowid, title, text)
        SELECT rowid, title, json_extract(doc, '$.text') FROM articles;",
    // 5: each article's extraction as computed (JSON), with the key of what
    // it was computed from (text, date, analyser and model), so pages and
    // the entity catalogue need not analyse the article again.
    // Also: a source's articles newest first, for the sources pages.
    "CREATE TABLE analyses (
        article_id TEXT PRIMARY KEY,
        key TEXT NOT NULL,
        json TEXT NOT NULL
    );
    CREATE INDEX articles_by_source ON articles (source, published_sort DESC, id DESC);",
    // 6: the web sources `storyline watch` polls, with what it needs to
    // poll them politely after a restart (validators, next due time, the
    // run of failures), and every URL it has fetched, so a restart fetches
    // nothing again.
    "CREATE TABLE watched_sources (
        url TEXT PRIMARY KEY,
        name TEXT,
        interval_secs INTEGER NOT NULL,
        added_at TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        last_polled TEXT,
        next_due TEXT,
        errors INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
    );
    CREATE UNIQUE INDEX watched_sources_by_name ON watched_sources (name) WHERE name IS NOT NULL;
    CREATE TABLE fetched_urls (
        url TEXT PRIMARY KEY,
        fetched_at TEXT NOT NULL,
        outcome TEXT NOT NULL,
        article_id TEXT,
        note TEXT
    );",
    // 7: the robots.txt files `storyline watch` read, so a watch run from
    // cron does not ask every site for its robots.txt again (a NULL body:
    // the site had none, which allows everything).
    "CREATE TABLE robots_files (
        origin TEXT PRIMARY KEY,
        body BLOB,
        fetched_at TEXT NOT NULL
    );",
    // 8: the change sequence derived data follows. Every insert or update
    // of an article takes the next number (`store_meta.seq`), so "what
    // changed since N" is one indexed range; each component of the engine
    // records how far it has applied it (`engine_progress`), in the same
    // transaction as what it wrote where it writes to the store. Existing
    // articles are numbered in the order they were first stored.
    "ALTER TABLE articles ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
    UPDATE articles SET seq = rowid;
    CREATE INDEX articles_by_seq ON articles (seq);
    INSERT INTO store_meta (key, value) SELECT 'seq', COALESCE(MAX(seq), 0) FROM articles;
    CREATE TABLE engine_progress (
        component TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        fingerprint TEXT NOT NULL DEFAULT ''
    );",
    // 9: each story's summary, kept as stories change so that listing and
    // showing stories reads rows instead of clustering the store; the days
    // and the last placement say which stories are still live.
    "CREATE TABLE stories (
        story_id TEXT PRIMARY KEY,
        first_day INTEGER,
        last_day INTEGER,
        last_seen TEXT NOT NULL DEFAULT '',
        last_placed INTEGER NOT NULL,
        names TEXT NOT NULL,
        summary TEXT NOT NULL
    );
    CREATE INDEX stories_by_last_day ON stories (last_day);
    CREATE INDEX stories_by_last_seen ON stories (last_seen DESC, story_id);
    CREATE INDEX stories_by_last_placed ON stories (last_placed);",
    // 10: entity linking as it goes: each article's linked entities (JSON)
    // as the Similar Posts index and stories read them, and the state that
    // links the next article (JSON, one row), kept with the linking progress.
    "CREATE TABLE entity_terms (
        article_id TEXT PRIMARY KEY,
        terms TEXT NOT NULL
    );
    CREATE TABLE linker_state (
        only INTEGER PRIMARY KEY CHECK (only = 0),
        state TEXT NOT NULL
    );",
    // 11: the linker's state as rows (entity records and index entries), so
    // linking an article reads only what its names touch, and where each
    // entity is named, so entity pages read rows instead of linking the
    // store. Linking starts again under this layout (same rules, same ids).
    "DROP TABLE linker_state;
    DELETE FROM entity_terms;
    DELETE FROM engine_progress WHERE component = 'linking';
    CREATE TABLE linked_entities (
        idx INTEGER PRIMARY KEY,
        entity_id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        record TEXT NOT NULL,
        articles INTEGER NOT NULL DEFAULT 0,
        mentions INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX linked_entities_by_reach ON linked_entities (articles DESC, mentions DESC, name, idx);
    CREATE TABLE linker_keys (
        map INTEGER NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (map, key)
    ) WITHOUT ROWID;
    CREATE TABLE entity_articles (
        entity_idx INTEGER NOT NULL,
        article_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        position INTEGER NOT NULL,
        mentions INTEGER NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE INDEX entity_articles_by_article ON entity_articles (article_id, position);
    CREATE INDEX entity_articles_in_order ON entity_articles (entity_idx, seq);",
    // 12: placements by number, so the next one (`MAX(placed)`) is a
    // lookup, not a scan of every member; and a mark that says whether any
    // story may lack its kept summary, so the check for such stories is a
    // scan of the members only while one may. Stores from before are
    // checked once.
    "CREATE INDEX story_members_by_placed ON story_members (placed);
    INSERT OR REPLACE INTO store_meta (key, value) VALUES ('unsummarised', 1);",
    // 13: where each entity is named, indexed by era (`seq >> 14`, the
    // change number's high bits; `entities::ERA_BITS`) before the entity:
    // a linking step's rows all fall in the latest era, so a step rewrites
    // the pages of a bounded part of the index, where one on (entity, seq)
    // had each step write a page per row once the store was large. And a
    // story's members are read from their index alone: placing reads the
    // members of every live story for each round, and looking each up in
    // the table read pages from all over it.
    "DROP INDEX entity_articles_in_order;
    CREATE INDEX entity_articles_by_era ON entity_articles (seq >> 14, entity_idx, seq);
    DROP INDEX story_members_by_story;
    CREATE INDEX story_members_by_story ON story_members (story_id, placed, article_id);",
];
