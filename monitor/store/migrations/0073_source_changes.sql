-- When each source of feeds.yaml was turned off or back on: `enabled: false`, removed from the file, enabled or
-- added back. The fetch log keeps each source's latest poll for good (prune_fetches), so a feed turned off long ago
-- leaves one poll behind, and an old day read from the log (crawl_history) must count only the feeds polled then:
-- sources.enabled says only what holds now, and sources.removed_at is cleared when a feed is added back.
CREATE TABLE source_changes (
    id      INTEGER PRIMARY KEY,
    source  TEXT NOT NULL,
    at      TEXT NOT NULL,
    enabled INTEGER NOT NULL  -- 1: polled from `at` on; 0: not (disabled, or removed from feeds.yaml)
);
CREATE INDEX source_changes_source ON source_changes(source, at);

-- what the sources table already says: a removal when it was noticed; a feed disabled before this version, from its
-- last poll (when after it the file changed is not known, and no poll of it came after)
INSERT INTO source_changes(source, at, enabled) SELECT name, removed_at, 0 FROM sources WHERE removed_at IS NOT NULL;
INSERT INTO source_changes(source, at, enabled)
    SELECT name, last_fetch_at, 0 FROM sources WHERE enabled = 0 AND removed_at IS NULL AND last_fetch_at IS NOT NULL;
