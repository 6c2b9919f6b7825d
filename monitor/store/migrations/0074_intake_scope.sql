-- Where a hot issue entered from outside the press (0068) happens, read as an article's place is (Office.is_own_area):
-- judged from its own text (title, summary, source) by the scope rules (classifiers.scope: the district, its wards,
-- the watchlist), or given by the person who entered it (`monitor cases open --title ... --scope`, `cases update N
-- --scope`): scope_given says which, so a corrected title is judged again only when no person said where it is.
-- The clipping, the alert's area tag and the monthly report all read it; until now the report took every such item
-- as the office's and the clipping and the alert none. Items stored before keep the report's reading (on the office's
-- area: a person entered them for the office), as judged rather than given, so a correction of their text judges them.

ALTER TABLE intake_items ADD COLUMN scope TEXT NOT NULL DEFAULT 'local';
ALTER TABLE intake_items ADD COLUMN scope_given INTEGER NOT NULL DEFAULT 0;
