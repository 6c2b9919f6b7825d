-- The articles each day's clipping was built from, written when its delivery is claimed. An article that
-- arrives after a cut-off but before that day's clipping is built (a few minutes late, or a catch-up hours
-- later) is in that clipping; the next clipping's late arrivals leave out what an earlier one already held.

CREATE TABLE IF NOT EXISTS digest_articles (
    day TEXT NOT NULL,
    article_id INTEGER NOT NULL,
    PRIMARY KEY (day, article_id)
);
CREATE INDEX IF NOT EXISTS digest_articles_article ON digest_articles(article_id);
