-- Stories (articles about one event across outlets), the hot-issue alerts queued for them with one
-- delivery row per channel (the persistent outbox), and the cases that track how the office handled
-- each hot story. Times are UTC ISO strings like everywhere else in the store.

CREATE TABLE stories (
    id            INTEGER PRIMARY KEY,
    created_at    TEXT NOT NULL,
    main_topic    TEXT NOT NULL DEFAULT '',
    n_outlets     INTEGER NOT NULL DEFAULT 1,
    hot_score     REAL NOT NULL DEFAULT 0,       -- 0-100
    severity      TEXT,                          -- NULL when below every threshold
    reasons       TEXT NOT NULL DEFAULT '[]',    -- JSON list of Vietnamese reasons
    explanation   TEXT NOT NULL DEFAULT '{}',    -- JSON: the score's components
    scored_at     TEXT
);
CREATE INDEX stories_topic ON stories(main_topic, created_at);

CREATE TABLE story_articles (
    article_id   INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    story_id     INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    joined_at    TEXT NOT NULL,
    similarity   REAL NOT NULL DEFAULT 1,        -- to the closest earlier member (1 for the first)
    matched_id   INTEGER,                        -- that closest member
    reprint      INTEGER NOT NULL DEFAULT 0      -- 1 when a near-copy of an earlier member
);
CREATE INDEX story_articles_story ON story_articles(story_id);

CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY,
    story_id    INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,                   -- new | escalation
    severity    TEXT NOT NULL,
    hot_score   REAL NOT NULL,
    n_national  INTEGER NOT NULL DEFAULT 0,      -- national outlets at the time (escalation baseline)
    created_at  TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    payload     TEXT NOT NULL                    -- JSON for webhooks
);
CREATE INDEX alerts_story ON alerts(story_id, created_at);

CREATE TABLE alert_deliveries (
    alert_id        INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    channel         TEXT NOT NULL,               -- stable key, e.g. "webhook:https://..."
    status          TEXT NOT NULL DEFAULT 'pending',  -- pending | sent
    not_before      TEXT NOT NULL,               -- quiet hours push this to their end
    next_attempt_at TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_attempt_at TEXT,
    last_error      TEXT,
    sent_at         TEXT,
    PRIMARY KEY (alert_id, channel)
);
CREATE INDEX alert_deliveries_due ON alert_deliveries(status, next_attempt_at);

CREATE TABLE cases (
    id         INTEGER PRIMARY KEY,
    story_id   INTEGER NOT NULL UNIQUE REFERENCES stories(id) ON DELETE CASCADE,
    status     TEXT NOT NULL DEFAULT 'mới',
    owner      TEXT NOT NULL DEFAULT '',
    opened_at  TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE case_events (
    id        INTEGER PRIMARY KEY,
    case_id   INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    at        TEXT NOT NULL,
    by        TEXT NOT NULL,
    status    TEXT,                              -- the new status, NULL when unchanged
    owner     TEXT,                              -- the new owner, NULL when unchanged
    note      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_events_case ON case_events(case_id, at);
CREATE INDEX case_events_at ON case_events(at);
