-- A merged case ("đã gộp") names the case that carries it on, and keeps its own title: its story's articles
-- moved to that case's story, so nothing else names it any more. Cases merged before this migration keep
-- NULL and '' (the CLI then shows their last history note, as before).

ALTER TABLE cases ADD COLUMN merged_into INTEGER;
ALTER TABLE cases ADD COLUMN merged_title TEXT NOT NULL DEFAULT '';
