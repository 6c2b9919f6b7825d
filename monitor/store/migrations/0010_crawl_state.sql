-- Crawl state beside each source: what feeds.yaml says about it now (so a source removed from the file
-- is shown as removed, never dropped in silence) and the last non-fatal problem its feed had.
ALTER TABLE sources ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sources ADD COLUMN interval_minutes INTEGER NOT NULL DEFAULT 30;
ALTER TABLE sources ADD COLUMN removed_at TEXT;
ALTER TABLE sources ADD COLUMN last_warning TEXT;
ALTER TABLE sources ADD COLUMN last_items INTEGER NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS fetches_kind_time ON fetches(kind, started_at);
