-- The daily press clipping: one row per day (the office's date of the cut-off), so a day is delivered
-- once, plus one row per delivery attempt (the history, resends included).
-- The day's row is written as 'sending' BEFORE the message leaves and turned into 'sent' / 'outbox' /
-- 'failed' after: a row left in 'sending' means the process stopped mid-delivery, and the next run
-- refuses to send again without --resend instead of guessing.

CREATE TABLE digests (
    day          TEXT PRIMARY KEY,            -- YYYY-MM-DD in the office time zone
    window_start TEXT NOT NULL,
    cutoff_at    TEXT NOT NULL,               -- end of the window
    status       TEXT NOT NULL,               -- sending | sent | outbox | failed
    channel      TEXT NOT NULL,               -- smtp | outbox
    formats      TEXT NOT NULL DEFAULT '[]',  -- JSON list
    paths        TEXT NOT NULL DEFAULT '{}',  -- JSON: format -> file written
    recipients   TEXT NOT NULL DEFAULT '[]',  -- JSON list
    message_id   TEXT,
    items        INTEGER NOT NULL DEFAULT 0,
    started_at   TEXT NOT NULL,
    sent_at      TEXT,
    error        TEXT,
    deliveries   INTEGER NOT NULL DEFAULT 0   -- completed deliveries, resends included
);

CREATE TABLE digest_deliveries (
    id          INTEGER PRIMARY KEY,
    day         TEXT NOT NULL REFERENCES digests(day) ON DELETE CASCADE,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL,                -- sending | sent | outbox | failed
    channel     TEXT NOT NULL,
    recipients  TEXT NOT NULL DEFAULT '[]',
    message_id  TEXT,
    resend      INTEGER NOT NULL DEFAULT 0,
    error       TEXT
);
CREATE INDEX digest_deliveries_day ON digest_deliveries(day, started_at);
