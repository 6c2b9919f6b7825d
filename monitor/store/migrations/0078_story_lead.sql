-- The member a story is told by (StoryScore.lead_id): its first article judged hot, stored with its score. A hot
-- complaint that joined the news of the exam it is about made that story hot, and its alert told the complaint, but
-- the cases, the clipping and the report still named the story after the exam's schedule it began with; they now
-- name it after this article. NULL when no member is judged hot, and in every story scored before this column: those
-- keep their first article's name until triage scores them again (no backfill: rescoring a story writes it).

ALTER TABLE stories ADD COLUMN lead_id INTEGER;
