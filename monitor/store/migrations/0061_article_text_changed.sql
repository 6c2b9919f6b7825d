-- When an article's text last changed after it was first stored (its page was extracted). A classification
-- older than this was made on the feed's text alone, so the next classify pass redoes it, even when the
-- process that fetched the page died before classifying it. NULL: the feed's text, never changed.

ALTER TABLE articles ADD COLUMN text_changed_at TEXT;
