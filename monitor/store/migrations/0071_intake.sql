-- The alert level the person gave a hot issue entered from outside the press (`monitor cases open --title ...
-- --level`), kept with the item. Until now it lived only in its story's severity, which the rescoring after a merge
-- (press articles joining the item's story) overwrote with the press score: the person's judgement stands as a floor
-- (monitor.triage.keep_entered_level), so it must outlive that rescoring.
-- Items stored before: the level their own alert went out at; else their story's, while it holds no press article
-- (nothing has rescored it yet); else none ('': no floor, as before this column).

ALTER TABLE intake_items ADD COLUMN level TEXT NOT NULL DEFAULT '';
UPDATE intake_items SET level = COALESCE(
    (SELECT a.severity FROM alerts a
      WHERE CASE WHEN json_valid(a.payload) THEN json_extract(a.payload, '$.intake.id') END = intake_items.id
      ORDER BY a.id LIMIT 1),
    (SELECT s.severity FROM stories s WHERE s.id = intake_items.story_id
        AND NOT EXISTS (SELECT 1 FROM story_articles sa WHERE sa.story_id = s.id)),
    '');
