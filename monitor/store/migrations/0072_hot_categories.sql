-- The hot rule groups behind a hot judgement (classifiers.types.HotCategory) as data, so that the report, the
-- cases and the clipping no longer read them out of the reasons' wording: a JSON list of [id, name] with each
-- classification (empty when not hot or hot by the learnt model alone, as its `hot` says) and with each story's
-- score (its members' together, as triage saved it).
-- Rows stored before have NULL (as has a hot judgement saved without its categories): they are read from their
-- reasons as before (classifiers.hot), not treated as unknown, so a month reported before the upgrade still marks
-- its false information; SQL alone cannot parse them here, and rescoring a story or reclassifying an article writes
-- its categories.

ALTER TABLE classifications ADD COLUMN hot_categories TEXT;
ALTER TABLE stories ADD COLUMN hot_categories TEXT;
