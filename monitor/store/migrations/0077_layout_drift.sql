-- `monitor status` and the service ask, for each outlet with selectors, how its latest pages were read (its
-- selectors or the general extractor) and when its selectors last matched: a page layout changed by the outlet.
-- text_changed_at is stored after raw_html, so without this index each answer walks the archived pages of the
-- rows it reads (the last days' pages; all of an outlet's when its selectors never matched).
CREATE INDEX IF NOT EXISTS articles_outlet_extracted ON articles(outlet, text_changed_at, extraction);
