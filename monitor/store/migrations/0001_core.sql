-- Sources, their fetch state and every fetch; articles (one per canonical URL) and the feeds that
-- listed them; classifications kept per model version; analysts' labels.
-- Times are ISO 8601 strings in UTC ("2026-11-26T00:05:00+00:00") so that text order is time order.

CREATE TABLE sources (
    name                 TEXT PRIMARY KEY,
    url                  TEXT NOT NULL,
    outlet               TEXT NOT NULL DEFAULT '',
    etag                 TEXT,            -- the server's own validators, never invented
    last_modified        TEXT,
    body_hash            TEXT,            -- fallback for servers that ignore conditional GET
    last_fetch_at        TEXT,
    last_success_at      TEXT,
    last_new_item_at     TEXT,
    next_due_at          TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    failure_score        REAL NOT NULL DEFAULT 0,
    last_status          INTEGER,
    last_error           TEXT,
    health               TEXT NOT NULL DEFAULT 'new'   -- new | ok | failing | quiet | backoff
);

CREATE TABLE fetches (
    id          INTEGER PRIMARY KEY,
    source      TEXT,                     -- NULL for article pages
    kind        TEXT NOT NULL,            -- feed | page | robots
    url         TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    status      INTEGER,                  -- HTTP status, NULL when no answer
    bytes       INTEGER NOT NULL DEFAULT 0,
    duration_ms INTEGER NOT NULL DEFAULT 0,
    new_items   INTEGER NOT NULL DEFAULT 0,
    outcome     TEXT NOT NULL,            -- ok | not-modified | unchanged | error
    error       TEXT
);
CREATE INDEX fetches_source_time ON fetches(source, started_at);

CREATE TABLE articles (
    id                INTEGER PRIMARY KEY,
    url               TEXT NOT NULL UNIQUE,   -- canonical URL
    outlet            TEXT NOT NULL DEFAULT '',
    title             TEXT NOT NULL DEFAULT '',
    sapo              TEXT NOT NULL DEFAULT '',
    body              TEXT NOT NULL DEFAULT '',
    author            TEXT NOT NULL DEFAULT '',
    published_at      TEXT,
    published_flag    TEXT NOT NULL DEFAULT 'ok',
    first_seen_at     TEXT NOT NULL,
    page_status       TEXT NOT NULL DEFAULT 'pending',  -- pending | ok | failed | skipped
    page_attempts     INTEGER NOT NULL DEFAULT 0,
    next_page_at      TEXT,
    page_error        TEXT,
    extraction        TEXT NOT NULL DEFAULT 'feed',     -- feed | selectors | trafilatura
    raw_html          BLOB,                             -- zlib-compressed page as fetched
    raw_html_encoding TEXT
);
CREATE INDEX articles_published ON articles(published_at);
CREATE INDEX articles_first_seen ON articles(first_seen_at);
CREATE INDEX articles_page_status ON articles(page_status, next_page_at);

CREATE TABLE article_feeds (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    source     TEXT NOT NULL,
    guid       TEXT NOT NULL DEFAULT '',
    seen_at    TEXT NOT NULL,
    PRIMARY KEY (article_id, source)
);
CREATE INDEX article_feeds_guid ON article_feeds(source, guid);

CREATE TABLE model_versions (
    version     TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    active      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE classifications (
    article_id    INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    model_version TEXT NOT NULL,
    classified_at TEXT NOT NULL,
    is_education  INTEGER NOT NULL,
    relevance     REAL NOT NULL,
    topics        TEXT NOT NULL,          -- JSON list of topic ids
    topic_scores  TEXT NOT NULL,          -- JSON object
    sentiment     TEXT NOT NULL,
    hot           INTEGER NOT NULL,
    hot_score     REAL NOT NULL,
    scope         TEXT NOT NULL,
    reasons       TEXT NOT NULL,          -- JSON list
    evidence      TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (article_id, model_version)
);
CREATE INDEX classifications_version ON classifications(model_version);

CREATE TABLE labels (
    id           INTEGER PRIMARY KEY,
    article_id   INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    is_education INTEGER,
    topics       TEXT,                    -- JSON list, NULL = not stated
    sentiment    TEXT,
    hot          INTEGER,
    scope        TEXT,
    labelled_by  TEXT NOT NULL,
    labelled_at  TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX labels_article ON labels(article_id);
