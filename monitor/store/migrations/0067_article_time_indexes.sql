-- A year of news is ~150,000 articles, each row carrying its page body and archived HTML, so a query that
-- must read every row to test its time reads gigabytes. Every window the digest, the report, grouping and
-- the review ask for is by when an article was published (first seen when unknown): that expression, indexed.
CREATE INDEX IF NOT EXISTS articles_when ON articles(COALESCE(published_at, first_seen_at));
-- What each poll asks (monitor.pipeline.classify_pending): the last days' articles and when their text last
-- changed, answered from the index alone; text_changed_at is stored after raw_html, so reading it from the
-- row walks the whole archived page. It begins with first_seen_at, so it serves articles_first_seen's queries.
CREATE INDEX IF NOT EXISTS articles_seen_text ON articles(first_seen_at, text_changed_at);
DROP INDEX IF EXISTS articles_first_seen;
-- `monitor status` counts each feed's articles of the last day and the share of education among the last
-- week's: by when each feed listed them
CREATE INDEX IF NOT EXISTS article_feeds_source_seen ON article_feeds(source, seen_at);
CREATE INDEX IF NOT EXISTS article_feeds_seen ON article_feeds(seen_at);
