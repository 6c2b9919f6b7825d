-- A clipping delivered before 0062 recorded no articles, so the first clipping after an upgrade from such a version
-- listed again, as late arrivals ("nhận muộn"), what the last clipping before the upgrade had held (everything
-- published before its cut-off and collected after it, before it was built). For each day delivered (or in doubt)
-- without a record, within the 90 days housekeeping keeps, the record is rebuilt as load_digest chose then: the
-- articles of its window and those published up to two days before it and collected within it, in both cases
-- collected by the time it was built (times are stored as UTC text, +00:00).
WITH todo AS (
    SELECT day, window_start, cutoff_at, COALESCE(sent_at, started_at) AS built FROM digests d
    WHERE status IN ('sent', 'outbox', 'sending', 'in-doubt')
        AND day >= date((SELECT MAX(day) FROM digests), '-90 days')
        AND NOT EXISTS (SELECT 1 FROM digest_articles x WHERE x.day = d.day)
)
INSERT OR IGNORE INTO digest_articles(day, article_id)
SELECT t.day, a.id FROM todo t JOIN articles a
    ON COALESCE(a.published_at, a.first_seen_at) >= t.window_start AND COALESCE(a.published_at, a.first_seen_at) < t.cutoff_at
WHERE a.first_seen_at <= t.built
UNION
SELECT t.day, a.id FROM todo t JOIN articles a ON a.first_seen_at >= t.window_start AND a.first_seen_at < t.cutoff_at
WHERE a.published_at < t.window_start AND a.published_at >= strftime('%Y-%m-%dT%H:%M:%S+00:00', t.window_start, '-2 days')
    AND a.first_seen_at <= t.built;
